//! Hoạt động Tuần lễ — activities units register for a campaign (classes, contests,
//! book fairs, exhibitions, talks, opening ceremonies…), shown on the public calendar,
//! and whose recorded results prefill the results report row by row.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::format::vietnam_offset;
use crate::report::Figures;
use crate::template::Template;
use crate::DomainError;

/// Loại hoạt động — an activity type and the template row its results count in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ActivityType {
    /// Stable key used in forms, the API and storage ("lop-01", "hoi-sach").
    pub key: &'static str,
    /// Vietnamese label.
    pub label: &'static str,
    /// Row of the 2021 template (`Template::builtin_2021`) the activity counts in;
    /// `None`: shown on the calendar, not counted in the report.
    pub row: Option<&'static str>,
    /// Whether the row also counts people (column `people`).
    pub people: bool,
}

const fn t(
    key: &'static str,
    label: &'static str,
    row: Option<&'static str>,
    people: bool,
) -> ActivityType {
    ActivityType {
        key,
        label,
        row,
        people,
    }
}

/// Every activity type, in the order of the template's rows.
pub const ACTIVITY_TYPES: &[ActivityType] = &[
    t(
        "lop-01",
        "Lớp bồi dưỡng chuyên môn nghiệp vụ cho CB, CC, VC",
        Some("1.01"),
        true,
    ),
    t(
        "lop-02",
        "Lớp bồi dưỡng ngoại ngữ cho CB, CC, VC",
        Some("1.02"),
        true,
    ),
    t(
        "lop-03",
        "Lớp bồi dưỡng tin học cho CB, CC, VC",
        Some("1.03"),
        true,
    ),
    t(
        "lop-04",
        "Lớp nâng cao tay nghề cho công nhân lao động",
        Some("1.04"),
        true,
    ),
    t(
        "lop-05",
        "Lớp học nghề cho lao động nông thôn",
        Some("1.05"),
        true,
    ),
    t(
        "lop-06",
        "Lớp nâng cao trình độ văn hóa",
        Some("1.06"),
        true,
    ),
    t(
        "lop-07",
        "Lớp giáo dục kỹ năng sống cho học sinh",
        Some("1.07"),
        true,
    ),
    t(
        "lop-08",
        "Lớp phổ biến kiến thức khoa học, pháp luật",
        Some("1.08"),
        true,
    ),
    t(
        "lop-09",
        "Lớp bồi dưỡng thường xuyên cho giáo viên",
        Some("1.09"),
        true,
    ),
    t(
        "lop-10",
        "Lớp tập huấn cán bộ quản lý, báo cáo viên TTHTCĐ",
        Some("1.10"),
        true,
    ),
    t("lop-11", "Lớp phổ cập giáo dục", Some("1.11"), true),
    t("lop-12", "Lớp xóa mù chữ", Some("1.12"), true),
    t("lop-13", "Lớp bồi dưỡng, tập huấn khác", Some("1.13"), true),
    t(
        "hoi-sach",
        "Hội sách, đường sách, phố sách",
        Some("5.1"),
        false,
    ),
    t(
        "trien-lam",
        "Trưng bày, triển lãm sách báo, tư liệu",
        Some("5.2"),
        false,
    ),
    t(
        "thi-lich-su",
        "Cuộc thi tìm hiểu lịch sử, văn hóa địa phương",
        Some("5.3"),
        true,
    ),
    t(
        "thi-sach",
        "Cuộc thi về sách (vẽ tranh, kể chuyện, cảm nhận…)",
        Some("5.4"),
        true,
    ),
    t(
        "toa-dam",
        "Tọa đàm, sinh hoạt chuyên đề học tập suốt đời",
        Some("5.5"),
        true,
    ),
    t("the-thao", "Hoạt động thể dục thể thao", Some("6.1"), true),
    t("van-nghe", "Hoạt động văn nghệ", Some("6.2"), true),
    t(
        "tham-quan",
        "Tham quan, học tập tại bảo tàng, di tích",
        Some("6.3"),
        true,
    ),
    t("khai-mac", "Lễ khai mạc Tuần lễ", Some("7.2"), false),
    t(
        "hoi-thao",
        "Hội thảo, sinh hoạt chuyên đề",
        Some("8"),
        false,
    ),
    t("khac", "Hoạt động khác", None, false),
];

/// The activity type with this key.
pub fn activity_type(key: &str) -> Option<&'static ActivityType> {
    ACTIVITY_TYPES.iter().find(|t| t.key == key)
}

/// The row an activity of type `key` counts in for a unit at `admin_level`: a district's
/// opening ceremony counts in 7.1 ("Số huyện tổ chức Lễ khai mạc"), others' in 7.2.
pub fn row_for(key: &str, admin_level: i64) -> Option<&'static str> {
    let ty = activity_type(key)?;
    if ty.key == "khai-mac" && admin_level == 2 {
        return Some("7.1");
    }
    ty.row
}

/// Hình thức tổ chức.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Trực tiếp.
    InPerson,
    /// Trực tuyến.
    Online,
    /// Kết hợp trực tiếp và trực tuyến.
    Hybrid,
}

impl Mode {
    pub const ALL: [Mode; 3] = [Mode::InPerson, Mode::Online, Mode::Hybrid];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::InPerson => "in_person",
            Mode::Online => "online",
            Mode::Hybrid => "hybrid",
        }
    }

    pub fn parse(s: &str) -> Option<Mode> {
        Mode::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Mode::InPerson => "Trực tiếp",
            Mode::Online => "Trực tuyến",
            Mode::Hybrid => "Kết hợp",
        }
    }

    fn needs_place(self) -> bool {
        matches!(self, Mode::InPerson | Mode::Hybrid)
    }

    fn needs_link(self) -> bool {
        matches!(self, Mode::Online | Mode::Hybrid)
    }
}

/// Đăng ký hoạt động — what a unit enters to register an activity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityInput {
    /// Activity type key ([`ACTIVITY_TYPES`]).
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// `in_person`, `online`, `hybrid`.
    pub mode: String,
    /// Bắt đầu, Vietnam local time ("2021-10-05T09:00").
    pub starts_at: String,
    /// Kết thúc, Vietnam local time.
    pub ends_at: String,
    #[serde(default)]
    pub address: String,
    /// Mã xã/phường where it takes place (empty for online-only).
    #[serde(default)]
    pub commune_code: String,
    /// Đường dẫn tham gia trực tuyến (Zoom, Google Meet, Microsoft Teams, K12Online…).
    #[serde(default)]
    pub link: String,
    /// Đối tượng tham gia.
    #[serde(default)]
    pub audience: String,
    /// Đơn vị chủ trì (defaults to the registering unit's name).
    #[serde(default)]
    pub organiser: String,
    /// Đơn vị phối hợp.
    #[serde(default)]
    pub co_organisers: String,
    /// Số người dự kiến.
    #[serde(default)]
    pub expected_participants: Option<i64>,
}

/// A registration that passed [`check`]: times in UTC, mode parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedActivity {
    pub kind: &'static ActivityType,
    pub mode: Mode,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

fn bad(field: &str, message: impl Into<String>) -> DomainError {
    DomainError::InvalidInput {
        field: field.into(),
        message: message.into(),
    }
}

/// Parses a Vietnam local date-time as entered ("2021-10-05T09:00", "2021-10-05 09:00",
/// "05/10/2021 09:00") or an RFC 3339 instant.
pub fn parse_local_time(field: &str, text: &str) -> Result<DateTime<Utc>, DomainError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(bad(field, "không được để trống"));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(local_to_utc(n));
        }
    }
    Err(bad(
        field,
        format!("\"{s}\" không phải ngày giờ hợp lệ (dd/mm/yyyy hh:mm)"),
    ))
}

/// A Vietnam local time as UTC.
pub fn local_to_utc(n: NaiveDateTime) -> DateTime<Utc> {
    vietnam_offset()
        .from_local_datetime(&n)
        .single()
        .expect("fixed offset")
        .with_timezone(&Utc)
}

/// A UTC instant as Vietnam local time.
pub fn utc_to_local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&vietnam_offset()).naive_local()
}

/// Whether `link` is an absolute http(s) address with a host.
pub fn is_web_link(link: &str) -> bool {
    match url::Url::parse(link.trim()) {
        Ok(u) => matches!(u.scheme(), "http" | "https") && u.host_str().is_some(),
        Err(_) => false,
    }
}

/// Kiểm tra đăng ký: every field a person enters, with a Vietnamese message naming it.
/// Whether the commune exists is the caller's check (it needs the unit tree).
pub fn check(input: &ActivityInput) -> Result<CheckedActivity, DomainError> {
    let kind = activity_type(input.kind.trim()).ok_or_else(|| {
        bad(
            "Loại hoạt động",
            format!("không có loại \"{}\"", input.kind.trim()),
        )
    })?;
    let title = input.title.trim();
    if title.is_empty() {
        return Err(bad("Tên hoạt động", "không được để trống"));
    }
    if title.chars().count() > 200 {
        return Err(bad("Tên hoạt động", "tối đa 200 ký tự"));
    }
    if input.description.chars().count() > 5000 {
        return Err(bad("Mô tả", "tối đa 5.000 ký tự"));
    }
    let mode = Mode::parse(input.mode.trim())
        .ok_or_else(|| bad("Hình thức", "chọn trực tiếp, trực tuyến hoặc kết hợp"))?;
    let starts_at = parse_local_time("Bắt đầu", &input.starts_at)?;
    let ends_at = parse_local_time("Kết thúc", &input.ends_at)?;
    if ends_at < starts_at {
        return Err(bad("Kết thúc", "không được trước thời điểm bắt đầu"));
    }
    if ends_at - starts_at > chrono::Duration::days(366) {
        return Err(bad("Kết thúc", "hoạt động kéo dài quá một năm"));
    }
    let link = input.link.trim();
    if !link.is_empty() && !is_web_link(link) {
        return Err(bad(
            "Đường dẫn trực tuyến",
            format!("\"{link}\" không phải địa chỉ web (phải bắt đầu bằng http:// hoặc https://)"),
        ));
    }
    if mode.needs_link() && link.is_empty() {
        return Err(bad(
            "Đường dẫn trực tuyến",
            "hoạt động trực tuyến hoặc kết hợp cần đường dẫn tham gia",
        ));
    }
    if mode.needs_place() && input.commune_code.trim().is_empty() {
        return Err(bad(
            "Xã/phường",
            "hoạt động trực tiếp hoặc kết hợp cần xã/phường nơi tổ chức",
        ));
    }
    if mode.needs_place() && input.address.trim().is_empty() {
        return Err(bad(
            "Địa điểm",
            "hoạt động trực tiếp hoặc kết hợp cần địa chỉ",
        ));
    }
    if let Some(n) = input.expected_participants {
        if n < 0 {
            return Err(bad("Số người dự kiến", "không được âm"));
        }
    }
    Ok(CheckedActivity {
        kind,
        mode,
        starts_at,
        ends_at,
    })
}

/// Kết quả thực tế — what happened, recorded after the activity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityResult {
    /// Số lớp / số cuộc actually held (usually 1).
    pub sessions: i64,
    /// Số người tham gia thực tế.
    pub participants: i64,
    #[serde(default)]
    pub note: String,
}

impl ActivityResult {
    pub fn check(&self) -> Result<(), DomainError> {
        if self.sessions < 0 {
            return Err(bad("Số lớp/số cuộc thực tế", "không được âm"));
        }
        if self.participants < 0 {
            return Err(bad("Số người tham gia thực tế", "không được âm"));
        }
        if self.note.chars().count() > 2000 {
            return Err(bad("Ghi chú kết quả", "tối đa 2.000 ký tự"));
        }
        Ok(())
    }
}

/// An activity's recorded result, as [`prefill`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedActivity {
    pub kind: String,
    pub result: ActivityResult,
}

/// Điền từ hoạt động — the figures of a unit's recorded activities, row by row, and the
/// (row, column) cells they fill. Only rows that activities feed are returned; totals are
/// left to `validate::fill_totals`.
pub fn prefill(
    template: &Template,
    admin_level: i64,
    activities: &[CountedActivity],
) -> (Figures, BTreeSet<(String, String)>) {
    let mut sums: BTreeMap<(String, String), i64> = BTreeMap::new();
    for a in activities {
        let Some(row) = row_for(&a.kind, admin_level) else {
            continue;
        };
        let Some(ty) = activity_type(&a.kind) else {
            continue;
        };
        if template.slot(row, "count").is_some() {
            *sums.entry((row.into(), "count".into())).or_default() += a.result.sessions;
        }
        if ty.people && template.slot(row, "people").is_some() {
            *sums.entry((row.into(), "people".into())).or_default() += a.result.participants;
        }
    }
    let mut f = Figures::default();
    let mut cells = BTreeSet::new();
    for ((row, col), v) in sums {
        f.set(&row, &col, Some(v));
        cells.insert((row, col));
    }
    (f, cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ActivityInput {
        ActivityInput {
            kind: "lop-03".into(),
            title: "Lớp tin học cơ bản".into(),
            mode: "hybrid".into(),
            starts_at: "2021-10-05T09:00".into(),
            ends_at: "05/10/2021 11:30".into(),
            address: "Số 7 Tân Phú".into(),
            commune_code: "27490".into(),
            link: "https://meet.google.com/abc-defg-hij".into(),
            ..Default::default()
        }
    }

    #[test]
    fn every_counted_type_maps_to_a_value_row_of_the_2021_template() {
        let tpl = Template::builtin_2021();
        for ty in ACTIVITY_TYPES {
            if let Some(row) = ty.row {
                assert!(tpl.slot(row, "count").is_some(), "{}", ty.key);
                assert_eq!(tpl.slot(row, "people").is_some(), ty.people, "{}", ty.key);
            }
        }
        assert_eq!(row_for("khai-mac", 2), Some("7.1"));
    }

    #[test]
    fn times_are_vietnam_local() {
        let c = check(&input()).unwrap();
        assert_eq!(c.starts_at.to_rfc3339(), "2021-10-05T02:00:00+00:00");
        assert_eq!(utc_to_local(c.ends_at).to_string(), "2021-10-05 11:30:00");
    }

    #[test]
    fn bad_input_names_the_field() {
        let mut i = input();
        i.ends_at = "2021-10-05T08:00".into();
        assert!(check(&i).unwrap_err().to_string().starts_with("Kết thúc"));
        let mut i = input();
        i.link = "javascript:alert(1)".into();
        assert!(check(&i).unwrap_err().to_string().starts_with("Đường dẫn"));
        let mut i = input();
        i.link = "ftp://x.vn/a".into();
        assert!(check(&i).is_err());
        let mut i = input();
        i.commune_code.clear();
        assert!(check(&i).unwrap_err().to_string().starts_with("Xã/phường"));
        let mut i = input();
        i.kind = "xyz".into();
        assert!(check(&i).unwrap_err().to_string().starts_with("Loại"));
    }

    #[test]
    fn prefill_sums_by_row() {
        let tpl = Template::builtin_2021();
        let a = |k: &str, s, p| CountedActivity {
            kind: k.into(),
            result: ActivityResult {
                sessions: s,
                participants: p,
                note: String::new(),
            },
        };
        let (f, cells) = prefill(
            &tpl,
            3,
            &[
                a("lop-03", 1, 30),
                a("lop-03", 2, 41),
                a("hoi-sach", 1, 500),
                a("khac", 1, 9),
            ],
        );
        assert_eq!(f.get("1.03", "count"), Some(3));
        assert_eq!(f.get("1.03", "people"), Some(71));
        assert_eq!(f.get("5.1", "count"), Some(1));
        assert_eq!(f.get("5.1", "people"), None);
        assert_eq!(cells.len(), 3);
    }
}
