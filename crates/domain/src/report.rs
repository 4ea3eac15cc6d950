//! Báo cáo kết quả — a unit's results report for one campaign: its figures on the
//! template, its narrative sections and its lifecycle.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::template::Template;
use crate::DomainError;

/// Trạng thái báo cáo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Bản nháp — saved, not sent.
    Draft,
    /// Đã nộp — sent to the level above.
    Submitted,
    /// Bị trả lại — returned for correction with a comment.
    Returned,
    /// Đã chấp nhận — accepted by the level above.
    Accepted,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Submitted => "submitted",
            ReportStatus::Returned => "returned",
            ReportStatus::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Option<ReportStatus> {
        Some(match s {
            "draft" => ReportStatus::Draft,
            "submitted" => ReportStatus::Submitted,
            "returned" => ReportStatus::Returned,
            "accepted" => ReportStatus::Accepted,
            _ => return None,
        })
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            ReportStatus::Draft => "Bản nháp",
            ReportStatus::Submitted => "Đã nộp",
            ReportStatus::Returned => "Bị trả lại",
            ReportStatus::Accepted => "Đã chấp nhận",
        }
    }

    /// Whether the report's figures count in consolidations on this basis.
    pub fn counts_in(self, basis: Basis) -> bool {
        match basis {
            Basis::Submitted => matches!(self, ReportStatus::Submitted | ReportStatus::Accepted),
            Basis::Accepted => self == ReportStatus::Accepted,
        }
    }
}

/// Cơ sở tổng hợp — which reports a consolidation sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Đã nộp — submitted and accepted reports.
    #[default]
    Submitted,
    /// Đã chấp nhận — accepted reports only.
    Accepted,
}

impl Basis {
    pub const ALL: [Basis; 2] = [Basis::Submitted, Basis::Accepted];

    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Submitted => "submitted",
            Basis::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Option<Basis> {
        match s {
            "submitted" => Some(Basis::Submitted),
            "accepted" => Some(Basis::Accepted),
            _ => None,
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Basis::Submitted => "Đã nộp (gồm đã chấp nhận)",
            Basis::Accepted => "Chỉ báo cáo đã chấp nhận",
        }
    }
}

/// An action on a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportAction {
    /// Lưu nháp.
    Save,
    /// Nộp báo cáo.
    Submit,
    /// Trả lại (by the level above).
    Return,
    /// Chấp nhận (by the level above).
    Accept,
}

impl ReportAction {
    pub fn label_vi(self) -> &'static str {
        match self {
            ReportAction::Save => "lưu nháp",
            ReportAction::Submit => "nộp",
            ReportAction::Return => "trả lại",
            ReportAction::Accept => "chấp nhận",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReportAction::Save => "save",
            ReportAction::Submit => "submit",
            ReportAction::Return => "return",
            ReportAction::Accept => "accept",
        }
    }
}

/// The state a report moves to; `None` as the current state means no report exists yet.
pub fn transition(
    current: Option<ReportStatus>,
    action: ReportAction,
) -> Result<ReportStatus, DomainError> {
    use ReportAction::*;
    use ReportStatus::*;
    let next = match (current, action) {
        (None | Some(Draft) | Some(Returned), Save) => Some(current.unwrap_or(Draft)),
        (None | Some(Draft) | Some(Returned), Submit) => Some(Submitted),
        (Some(Submitted), Return) => Some(Returned),
        (Some(Submitted), Accept) => Some(Accepted),
        // An accepted report can be reopened by the level above.
        (Some(Accepted), Return) => Some(Returned),
        _ => None,
    };
    next.ok_or_else(|| DomainError::InvalidTransition {
        from: current
            .map(|s| s.label_vi())
            .unwrap_or("Chưa có báo cáo")
            .to_string(),
        action: action.label_vi().to_string(),
    })
}

/// Số liệu — a report's figures: row code → column key → value; blanks are absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures(pub BTreeMap<String, BTreeMap<String, i64>>);

impl Figures {
    pub fn get(&self, row: &str, column: &str) -> Option<i64> {
        self.0.get(row).and_then(|r| r.get(column)).copied()
    }

    pub fn set(&mut self, row: &str, column: &str, value: Option<i64>) {
        match value {
            Some(v) => {
                self.0
                    .entry(row.to_string())
                    .or_default()
                    .insert(column.to_string(), v);
            }
            None => {
                if let Some(r) = self.0.get_mut(row) {
                    r.remove(column);
                    if r.is_empty() {
                        self.0.remove(row);
                    }
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.values().all(|r| r.is_empty())
    }

    /// The figures as a dense vector in template slot order (blank = 0).
    pub fn to_vector(&self, template: &Template) -> Vec<i64> {
        let mut v = vec![0; template.slot_count()];
        for (row, cols) in &self.0 {
            for (col, value) in cols {
                if let Some(slot) = template.slot(row, col) {
                    v[slot] = *value;
                }
            }
        }
        v
    }
}

/// Phần thuyết minh — the narrative sections of seed 000's report outline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Narrative {
    /// I.1 Công tác chỉ đạo, ban hành kế hoạch triển khai, kiểm tra, đôn đốc thực hiện.
    #[serde(default)]
    pub s1_1: String,
    /// I.2 Lễ phát động Tuần lễ.
    #[serde(default)]
    pub s1_2: String,
    /// I.3 Nội dung các hoạt động đã triển khai trong Tuần lễ.
    #[serde(default)]
    pub s1_3: String,
    /// I.4 Kinh phí tổ chức Tuần lễ.
    #[serde(default)]
    pub s1_4: String,
    /// II.1 Những kết quả đã đạt được; bài học kinh nghiệm.
    #[serde(default)]
    pub s2_1: String,
    /// II.2 Khó khăn, tồn tại.
    #[serde(default)]
    pub s2_2: String,
    /// II.3 Kiến nghị, đề xuất.
    #[serde(default)]
    pub s2_3: String,
}

/// The narrative sections with their keys and official headings, in order.
pub const NARRATIVE_SECTIONS: [(&str, &str); 7] = [
    ("s1_1", "I.1. Công tác chỉ đạo, ban hành kế hoạch triển khai, kiểm tra, đôn đốc thực hiện"),
    ("s1_2", "I.2. Lễ phát động Tuần lễ: có tổ chức hay không có (nếu có thì trực tiếp hay trực tuyến)"),
    ("s1_3", "I.3. Nội dung các hoạt động đã triển khai trong Tuần lễ"),
    ("s1_4", "I.4. Kinh phí tổ chức Tuần lễ (ngân sách nhà nước; hỗ trợ, vận động từ nguồn tài trợ hợp pháp)"),
    ("s2_1", "II.1. Những kết quả đã đạt được; bài học kinh nghiệm"),
    ("s2_2", "II.2. Khó khăn, tồn tại"),
    ("s2_3", "II.3. Kiến nghị, đề xuất"),
];

impl Narrative {
    pub fn get(&self, key: &str) -> Option<&str> {
        Some(match key {
            "s1_1" => &self.s1_1,
            "s1_2" => &self.s1_2,
            "s1_3" => &self.s1_3,
            "s1_4" => &self.s1_4,
            "s2_1" => &self.s2_1,
            "s2_2" => &self.s2_2,
            "s2_3" => &self.s2_3,
            _ => return None,
        })
    }

    pub fn set(&mut self, key: &str, value: String) -> bool {
        let slot = match key {
            "s1_1" => &mut self.s1_1,
            "s1_2" => &mut self.s1_2,
            "s1_3" => &mut self.s1_3,
            "s1_4" => &mut self.s1_4,
            "s2_1" => &mut self.s2_1,
            "s2_2" => &mut self.s2_2,
            "s2_3" => &mut self.s2_3,
            _ => return false,
        };
        *slot = value;
        true
    }
}

/// The content a unit fills in: figures, row notes (*ghi chú*), narrative and the
/// explanations (*giải trình*) given for warnings, keyed by warning key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportContent {
    #[serde(default)]
    pub figures: Figures,
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
    #[serde(default)]
    pub narrative: Narrative,
    #[serde(default)]
    pub explanations: BTreeMap<String, String>,
    /// *Từ hoạt động*: the cells filled from the unit's activities, with the value they
    /// had then. A cell whose figure now differs was changed by hand.
    #[serde(default, skip_serializing_if = "Figures::is_empty")]
    pub from_activities: Figures,
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReportAction::*;
    use ReportStatus::*;

    #[test]
    fn lifecycle_follows_the_rules() {
        assert_eq!(transition(None, Save), Ok(Draft));
        assert_eq!(transition(None, Submit), Ok(Submitted));
        assert_eq!(transition(Some(Returned), Save), Ok(Returned));
        assert_eq!(transition(Some(Returned), Submit), Ok(Submitted));
        assert_eq!(transition(Some(Submitted), Accept), Ok(Accepted));
        assert_eq!(transition(Some(Submitted), Return), Ok(Returned));
        assert_eq!(transition(Some(Accepted), Return), Ok(Returned));
        assert!(transition(Some(Submitted), Save).is_err());
        assert!(transition(Some(Accepted), Submit).is_err());
        assert!(transition(None, Accept).is_err());
        let e = transition(Some(Draft), Accept).unwrap_err().to_string();
        assert!(e.contains("Bản nháp") && e.contains("chấp nhận"), "{e}");
    }

    #[test]
    fn figures_map_to_template_slots() {
        let t = Template::builtin_2021();
        let mut f = Figures::default();
        f.set("1.01", "count", Some(3));
        f.set("1.01", "people", Some(45));
        f.set("10.1", "count", Some(1_500_000));
        let v = f.to_vector(&t);
        assert_eq!(v.iter().sum::<i64>(), 1_500_048);
        assert_eq!(v[t.slot("1.01", "people").unwrap()], 45);
        f.set("1.01", "people", None);
        assert_eq!(f.get("1.01", "people"), None);
    }
}
