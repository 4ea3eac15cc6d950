//! Kế hoạch — a campaign plan in the structure of the seeds (Căn cứ…; I. Mục đích, yêu
//! cầu; II. Nội dung; III. Tổ chức thực hiện, one block per assigned unit), the signer
//! block, and the lifecycle of a document from draft to distribution.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::documents_register::{basis_line, Citation};
use crate::DomainError;

/// Trạng thái văn bản — where a document is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocStatus {
    /// Dự thảo.
    Draft,
    /// Đang lấy ý kiến góp ý.
    Consultation,
    /// Đã trình (tờ trình gửi cơ quan phê duyệt).
    Submitted,
    /// Đã phê duyệt.
    Approved,
    /// Đã ban hành (có số, ngày).
    Issued,
    /// Đã gửi (vào sổ văn bản đến của nơi nhận).
    Distributed,
    /// Văn bản bên ngoài đã vào sổ (số, ngày của cơ quan ban hành).
    Recorded,
}

impl DocStatus {
    pub const ALL: [DocStatus; 7] = [
        DocStatus::Draft,
        DocStatus::Consultation,
        DocStatus::Submitted,
        DocStatus::Approved,
        DocStatus::Issued,
        DocStatus::Distributed,
        DocStatus::Recorded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocStatus::Draft => "draft",
            DocStatus::Consultation => "consultation",
            DocStatus::Submitted => "submitted",
            DocStatus::Approved => "approved",
            DocStatus::Issued => "issued",
            DocStatus::Distributed => "distributed",
            DocStatus::Recorded => "recorded",
        }
    }

    pub fn parse(s: &str) -> Option<DocStatus> {
        DocStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            DocStatus::Draft => "Dự thảo",
            DocStatus::Consultation => "Đang lấy ý kiến",
            DocStatus::Submitted => "Đã trình",
            DocStatus::Approved => "Đã phê duyệt",
            DocStatus::Issued => "Đã ban hành",
            DocStatus::Distributed => "Đã gửi",
            DocStatus::Recorded => "Văn bản đến từ bên ngoài",
        }
    }

    /// Whether the document carries its number and date.
    pub fn is_issued(self) -> bool {
        matches!(
            self,
            DocStatus::Issued | DocStatus::Distributed | DocStatus::Recorded
        )
    }
}

/// What someone does to a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocAction {
    /// Sửa dự thảo (a new version).
    Edit,
    /// Gửi lấy ý kiến góp ý.
    StartConsultation,
    /// Trình phê duyệt.
    Submit,
    /// Phê duyệt.
    Approve,
    /// Trả lại để sửa.
    Return,
    /// Ban hành: number and date assigned.
    Issue,
    /// Gửi nơi nhận.
    Distribute,
}

impl DocAction {
    pub fn label_vi(self) -> &'static str {
        match self {
            DocAction::Edit => "sửa dự thảo",
            DocAction::StartConsultation => "gửi lấy ý kiến",
            DocAction::Submit => "trình phê duyệt",
            DocAction::Approve => "phê duyệt",
            DocAction::Return => "trả lại",
            DocAction::Issue => "ban hành",
            DocAction::Distribute => "gửi nơi nhận",
        }
    }
}

/// The status after `action` on a document in `from`. `needs_approval`: the issuing
/// body is not the drafting body (a Phòng drafts, the UBND issues), so the draft must
/// be submitted and approved; otherwise the drafter may issue its own draft.
/// `consultation_closed`: every consulted unit answered or the deadline passed.
pub fn transition(
    from: DocStatus,
    action: DocAction,
    needs_approval: bool,
    consultation_closed: bool,
) -> Result<DocStatus, DomainError> {
    use DocAction as A;
    use DocStatus as S;
    let bad = || DomainError::InvalidTransition {
        from: from.label_vi().into(),
        action: action.label_vi().into(),
    };
    match (from, action) {
        (S::Draft, A::Edit) => Ok(S::Draft),
        (S::Consultation, A::Edit) => Ok(S::Consultation),
        (S::Draft, A::StartConsultation) => Ok(S::Consultation),
        (S::Draft, A::Submit) if needs_approval => Ok(S::Submitted),
        (S::Consultation, A::Submit) if needs_approval && consultation_closed => Ok(S::Submitted),
        (S::Consultation, A::Submit) if needs_approval => Err(DomainError::InvalidInput {
            field: "Góp ý".into(),
            message: "chưa hết hạn góp ý và còn đơn vị chưa trả lời; chưa thể trình".into(),
        }),
        (S::Submitted, A::Approve) => Ok(S::Approved),
        (S::Submitted, A::Return) => Ok(S::Draft),
        (S::Approved, A::Issue) => Ok(S::Issued),
        (S::Draft, A::Issue) if !needs_approval => Ok(S::Issued),
        (S::Consultation, A::Issue) if !needs_approval && consultation_closed => Ok(S::Issued),
        (S::Issued, A::Distribute) => Ok(S::Distributed),
        _ => Err(bad()),
    }
}

/// Thẩm quyền ký — the signing authority prefix (Phụ lục I, II.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Authority {
    /// The head signs in their own name.
    #[default]
    #[serde(rename = "")]
    Own,
    /// TM. — thay mặt a collective body.
    #[serde(rename = "TM")]
    OnBehalf,
    /// KT. — ký thay the head.
    #[serde(rename = "KT")]
    Deputy,
    /// Q. — quyền.
    #[serde(rename = "Q")]
    Acting,
    /// TL. — thừa lệnh.
    #[serde(rename = "TL")]
    ByOrder,
    /// TUQ. — thừa ủy quyền.
    #[serde(rename = "TUQ")]
    Delegated,
}

impl Authority {
    pub fn prefix(self) -> &'static str {
        match self {
            Authority::Own => "",
            Authority::OnBehalf => "TM.",
            Authority::Deputy => "KT.",
            Authority::Acting => "Q.",
            Authority::ByOrder => "TL.",
            Authority::Delegated => "TUQ.",
        }
    }
}

/// Người ký — the signer block: "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH" / name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Signer {
    #[serde(default)]
    pub authority: Authority,
    /// What the authority acts for: "ỦY BAN NHÂN DÂN" (TM.), "GIÁM ĐỐC" (KT.). Empty
    /// when the signer signs in their own name.
    #[serde(default)]
    pub on_behalf_of: String,
    /// Chức vụ — "CHỦ TỊCH", "TRƯỞNG PHÒNG".
    pub title: String,
    /// Họ tên — no academic titles.
    pub name: String,
}

impl Signer {
    /// The lines above the signature, upper-case: ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"].
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.authority != Authority::Own {
            out.push(
                format!(
                    "{} {}",
                    self.authority.prefix(),
                    self.on_behalf_of.trim().to_uppercase()
                )
                .trim()
                .to_string(),
            );
        }
        out.push(self.title.trim().to_uppercase());
        out
    }

    /// Checks the block is complete enough to issue under it.
    pub fn check(&self) -> Result<(), DomainError> {
        let missing = |field: &str| DomainError::InvalidInput {
            field: field.into(),
            message: "bắt buộc khi ban hành".into(),
        };
        if self.name.trim().is_empty() {
            return Err(missing("Người ký (họ tên)"));
        }
        if self.title.trim().is_empty() {
            return Err(missing("Chức vụ người ký"));
        }
        if self.authority != Authority::Own && self.on_behalf_of.trim().is_empty() {
            return Err(DomainError::InvalidInput {
                field: "Người ký".into(),
                message: format!(
                    "\"{}\" cần ghi thay mặt/ký thay cho ai (ví dụ ỦY BAN NHÂN DÂN)",
                    self.authority.prefix()
                ),
            });
        }
        Ok(())
    }
}

/// Phân công — one block of section III: a heading, the units it names, what they do,
/// and (optionally) the deadline of their report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Assignment {
    /// "Phòng Giáo dục và Đào tạo thành phố", "Ủy ban nhân dân 14 phường".
    pub heading: String,
    /// Codes of the assigned units in the tree (one task each).
    #[serde(default)]
    pub unit_codes: Vec<String>,
    /// The items, one paragraph each.
    #[serde(default)]
    pub items: Vec<String>,
    /// Hạn — when absent, the last "trước ngày dd/mm/yyyy" of the items.
    #[serde(default)]
    pub deadline: Option<NaiveDate>,
}

impl Assignment {
    /// The task deadline: the explicit one, else the last date the text gives after
    /// "trước ngày" ("báo cáo … về phòng Giáo dục và đào tạo thành phố trước ngày 12/10/2021").
    pub fn effective_deadline(&self) -> Option<NaiveDate> {
        self.deadline
            .or_else(|| self.items.iter().filter_map(|i| deadline_in(i)).next_back())
    }

    /// The task's title: the item that holds the deadline, else the heading.
    pub fn task_title(&self) -> String {
        self.items
            .iter()
            .rev()
            .find(|i| deadline_in(i).is_some())
            .cloned()
            .unwrap_or_else(|| self.heading.clone())
    }
}

/// The last date following "trước ngày" in a text (dd/mm/yyyy, d/m/yyyy, bold marks ignored).
pub fn deadline_in(text: &str) -> Option<NaiveDate> {
    let clean = text.replace('*', "");
    let lower = clean.to_lowercase();
    let mut found = None;
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("trước ngày") {
        rest = &rest[i + "trước ngày".len()..];
        let token: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '/')
            .collect();
        let parts: Vec<&str> = token.split('/').collect();
        if let [d, m, y] = parts[..] {
            if let (Ok(d), Ok(m), Ok(y)) = (d.parse(), m.parse(), y.parse()) {
                if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                    found = Some(date);
                }
            }
        }
    }
    found
}

/// Phụ lục — an appendix: slogans (*khẩu hiệu*), a propaganda outline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Appendix {
    pub title: String,
    #[serde(default)]
    pub items: Vec<String>,
}

/// Nội dung kế hoạch — the body of a plan (the document's number, issuer, recipients and
/// signer live beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PlanContent {
    /// Căn cứ — one line each.
    #[serde(default)]
    pub bases: Vec<String>,
    /// "Ủy ban nhân dân Thủ Dầu Một xây dựng Kế hoạch … như sau:".
    #[serde(default)]
    pub intro: String,
    /// I. Mục đích, yêu cầu — paragraphs.
    #[serde(default)]
    pub purpose: Vec<String>,
    /// II.1 Chủ đề.
    #[serde(default)]
    pub theme: String,
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    /// II.2 Thời gian (text as written).
    #[serde(default)]
    pub time: String,
    /// Địa điểm.
    #[serde(default)]
    pub place: String,
    /// Hình thức.
    #[serde(default)]
    pub form: String,
    /// II.3 Thành phần.
    #[serde(default)]
    pub participants: String,
    /// II.4 Nội dung hoạt động — one paragraph each.
    #[serde(default)]
    pub activities: Vec<String>,
    /// III. Tổ chức thực hiện.
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    /// "Trên đây là Kế hoạch …/.".
    #[serde(default)]
    pub closing: String,
    #[serde(default)]
    pub appendices: Vec<Appendix>,
}

impl PlanContent {
    /// Checks what a plan needs before it leaves the drafter (consultation, submission,
    /// issuance): a theme, dates in order, assignments naming something.
    pub fn check(&self) -> Result<(), DomainError> {
        let bad = |field: &str, message: &str| DomainError::InvalidInput {
            field: field.into(),
            message: message.into(),
        };
        if let (Some(s), Some(e)) = (self.start_date, self.end_date) {
            if e < s {
                return Err(bad("Thời gian", "ngày kết thúc trước ngày bắt đầu"));
            }
        }
        for (i, a) in self.assignments.iter().enumerate() {
            if a.heading.trim().is_empty() {
                return Err(bad(
                    &format!("Phân công {}", i + 1),
                    "cần ghi đơn vị được phân công",
                ));
            }
        }
        Ok(())
    }

    /// A new plan prefilled from the parent level's issued plan: its theme, dates,
    /// purpose, time, place, form, participants and activities, with the generated
    /// *căn cứ* line citing it (and the lines given in `extra_bases` after it). Section
    /// III is left for the new plan's own assignments.
    pub fn prefilled_from(
        parent: &PlanContent,
        citation: &Citation,
        extra_bases: &[String],
    ) -> PlanContent {
        let mut bases = vec![basis_line(citation)];
        bases.extend(extra_bases.iter().cloned());
        PlanContent {
            bases,
            intro: String::new(),
            purpose: parent.purpose.clone(),
            theme: parent.theme.clone(),
            start_date: parent.start_date,
            end_date: parent.end_date,
            time: parent.time.clone(),
            place: parent.place.clone(),
            form: parent.form.clone(),
            participants: parent.participants.clone(),
            activities: parent.activities.clone(),
            assignments: vec![],
            closing: String::new(),
            appendices: parent.appendices.clone(),
        }
    }
}

/// Nội dung công văn — a letter (góp ý, tờ trình): whom it is addressed to and its
/// paragraphs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LetterContent {
    /// Kính gửi — one line each.
    #[serde(default)]
    pub addressees: Vec<String>,
    #[serde(default)]
    pub paragraphs: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents_register::DocKind;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn lifecycle_of_a_plan_issued_by_another_body() {
        use DocAction as A;
        use DocStatus as S;
        let mut s = S::Draft;
        for (a, expect) in [
            (A::Edit, S::Draft),
            (A::StartConsultation, S::Consultation),
            (A::Edit, S::Consultation),
            (A::Submit, S::Submitted),
            (A::Approve, S::Approved),
            (A::Issue, S::Issued),
            (A::Distribute, S::Distributed),
        ] {
            s = transition(s, a, true, true).unwrap();
            assert_eq!(s, expect);
        }
        // An open consultation blocks submission, with a clear reason.
        let e = transition(S::Consultation, A::Submit, true, false).unwrap_err();
        assert!(e.to_string().contains("chưa hết hạn góp ý"));
        // A plan needing approval cannot be issued from draft.
        assert!(transition(S::Draft, A::Issue, true, true).is_err());
        // Nothing moves an issued document back.
        assert!(transition(S::Issued, A::Edit, true, true).is_err());
        assert!(transition(S::Distributed, A::Issue, true, true).is_err());
        assert_eq!(
            transition(S::Submitted, A::Return, true, true).unwrap(),
            S::Draft
        );
    }

    #[test]
    fn own_documents_are_issued_without_approval() {
        assert_eq!(
            transition(DocStatus::Draft, DocAction::Issue, false, true).unwrap(),
            DocStatus::Issued
        );
        assert!(transition(DocStatus::Draft, DocAction::Submit, false, true).is_err());
    }

    #[test]
    fn signer_lines_and_checks() {
        let s = Signer {
            authority: Authority::OnBehalf,
            on_behalf_of: "Ủy ban nhân dân".into(),
            title: "Chủ tịch".into(),
            name: "Nguyễn Thu Cúc".into(),
        };
        assert_eq!(s.lines(), vec!["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]);
        s.check().unwrap();
        let own = Signer {
            title: "Trưởng phòng".into(),
            name: "Nguyễn Văn Chệt".into(),
            ..Default::default()
        };
        assert_eq!(own.lines(), vec!["TRƯỞNG PHÒNG"]);
        assert!(Signer::default()
            .check()
            .unwrap_err()
            .to_string()
            .contains("Người ký"));
        let no_body = Signer {
            authority: Authority::Deputy,
            ..own.clone()
        };
        assert!(no_body.check().is_err());
    }

    #[test]
    fn deadlines_are_read_from_the_assignment_text() {
        let a = Assignment {
            heading: "Ủy ban nhân dân 14 phường".into(),
            unit_codes: vec![],
            items: vec![
                "Xây dựng kế hoạch và triển khai tổ chức Tuần lễ trên địa bàn.".into(),
                "Kết thúc Tuần lễ … báo cáo kết quả thực hiện … về phòng Giáo dục và đào tạo thành phố trước ngày **12/10/2021**.".into(),
            ],
            deadline: None,
        };
        assert_eq!(a.effective_deadline(), Some(d(2021, 10, 12)));
        assert!(a.task_title().contains("12/10/2021"));
        assert_eq!(
            deadline_in("trước ngày 5/1/2022 và trước ngày 15/10/2021"),
            Some(d(2021, 10, 15))
        );
        assert_eq!(deadline_in("không có hạn"), None);
        let explicit = Assignment {
            deadline: Some(d(2021, 10, 1)),
            ..a.clone()
        };
        assert_eq!(explicit.effective_deadline(), Some(d(2021, 10, 1)));
        let none = Assignment {
            heading: "Phòng Tài chính - Kế hoạch".into(),
            items: vec!["Bố trí kinh phí".into()],
            ..Default::default()
        };
        assert_eq!(none.effective_deadline(), None);
        assert_eq!(none.task_title(), "Phòng Tài chính - Kế hoạch");
    }

    #[test]
    fn prefill_copies_the_parent_and_cites_it() {
        let parent = PlanContent {
            theme: "Chuyển đổi số và cơ hội học tập suốt đời".into(),
            start_date: Some(d(2021, 10, 1)),
            end_date: Some(d(2021, 10, 7)),
            activities: vec!["Đẩy mạnh tuyên truyền".into()],
            assignments: vec![Assignment {
                heading: "Phòng GDĐT".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let c = Citation {
            kind: DocKind::KeHoach,
            number_text: "220/KH-UBND".into(),
            date: d(2021, 9, 29),
            issuer: "UBND thành phố".into(),
            subject: "Tổ chức “Tuần lễ hưởng ứng học tập suốt đời năm 2021” trên địa bàn thành phố Thủ Dầu Một".into(),
        };
        let p = PlanContent::prefilled_from(&parent, &c, &[]);
        assert_eq!(p.theme, parent.theme);
        assert_eq!(p.activities, parent.activities);
        assert_eq!(p.start_date, parent.start_date);
        assert!(p.assignments.is_empty());
        assert_eq!(p.bases[0], "Căn cứ Kế hoạch số 220/KH-UBND ngày 29/9/2021 của UBND thành phố về tổ chức “Tuần lễ hưởng ứng học tập suốt đời năm 2021” trên địa bàn thành phố Thủ Dầu Một;");
    }

    #[test]
    fn content_checks() {
        let bad = PlanContent {
            start_date: Some(d(2021, 10, 7)),
            end_date: Some(d(2021, 10, 1)),
            ..Default::default()
        };
        assert!(bad.check().is_err());
        let no_heading = PlanContent {
            assignments: vec![Assignment::default()],
            ..Default::default()
        };
        assert!(no_heading
            .check()
            .unwrap_err()
            .to_string()
            .contains("Phân công 1"));
    }
}
