//! Sổ văn bản — numbering and ký hiệu of administrative documents by Nghị định
//! 30/2020/NĐ-CP (khoản 1 Điều 15, Phụ lục III), the *căn cứ* line that cites a
//! document, and the running numbers of the outgoing and incoming registers.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Loại văn bản — document types with their abbreviation (Phụ lục III). A công văn
/// has no abbreviation: its ký hiệu is the issuer's (plus a drafting unit or field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocKind {
    /// Công văn — a letter.
    #[serde(rename = "CV")]
    CongVan,
    /// Kế hoạch — a plan.
    #[serde(rename = "KH")]
    KeHoach,
    /// Quyết định.
    #[serde(rename = "QĐ")]
    QuyetDinh,
    /// Báo cáo.
    #[serde(rename = "BC")]
    BaoCao,
    /// Tờ trình.
    #[serde(rename = "TTr")]
    ToTrinh,
    /// Thông báo.
    #[serde(rename = "TB")]
    ThongBao,
    /// Hướng dẫn.
    #[serde(rename = "HD")]
    HuongDan,
    /// Chỉ thị.
    #[serde(rename = "CT")]
    ChiThi,
    /// Chương trình.
    #[serde(rename = "CTr")]
    ChuongTrinh,
    /// Nghị quyết.
    #[serde(rename = "NQ")]
    NghiQuyet,
    /// Giấy mời.
    #[serde(rename = "GM")]
    GiayMoi,
    /// Biên bản.
    #[serde(rename = "BB")]
    BienBan,
}

impl DocKind {
    pub const ALL: [DocKind; 12] = [
        DocKind::CongVan,
        DocKind::KeHoach,
        DocKind::QuyetDinh,
        DocKind::BaoCao,
        DocKind::ToTrinh,
        DocKind::ThongBao,
        DocKind::HuongDan,
        DocKind::ChiThi,
        DocKind::ChuongTrinh,
        DocKind::NghiQuyet,
        DocKind::GiayMoi,
        DocKind::BienBan,
    ];

    /// The stored code: the abbreviation, "CV" for a công văn.
    pub fn code(self) -> &'static str {
        match self {
            DocKind::CongVan => "CV",
            DocKind::KeHoach => "KH",
            DocKind::QuyetDinh => "QĐ",
            DocKind::BaoCao => "BC",
            DocKind::ToTrinh => "TTr",
            DocKind::ThongBao => "TB",
            DocKind::HuongDan => "HD",
            DocKind::ChiThi => "CT",
            DocKind::ChuongTrinh => "CTr",
            DocKind::NghiQuyet => "NQ",
            DocKind::GiayMoi => "GM",
            DocKind::BienBan => "BB",
        }
    }

    pub fn parse(s: &str) -> Option<DocKind> {
        let s = s.trim();
        DocKind::ALL
            .into_iter()
            .find(|k| k.code() == s || k.code().eq_ignore_ascii_case(s) && s.is_ascii())
            .or(match s {
                "QD" | "qd" => Some(DocKind::QuyetDinh),
                _ => None,
            })
    }

    /// Abbreviation in the ký hiệu; `None` for a công văn.
    pub fn abbreviation(self) -> Option<&'static str> {
        match self {
            DocKind::CongVan => None,
            k => Some(k.code()),
        }
    }

    /// Tên loại — "Kế hoạch", "Công văn".
    pub fn name_vi(self) -> &'static str {
        match self {
            DocKind::CongVan => "Công văn",
            DocKind::KeHoach => "Kế hoạch",
            DocKind::QuyetDinh => "Quyết định",
            DocKind::BaoCao => "Báo cáo",
            DocKind::ToTrinh => "Tờ trình",
            DocKind::ThongBao => "Thông báo",
            DocKind::HuongDan => "Hướng dẫn",
            DocKind::ChiThi => "Chỉ thị",
            DocKind::ChuongTrinh => "Chương trình",
            DocKind::NghiQuyet => "Nghị quyết",
            DocKind::GiayMoi => "Giấy mời",
            DocKind::BienBan => "Biên bản",
        }
    }
}

fn invalid(field: &str, message: impl Into<String>) -> DomainError {
    DomainError::InvalidInput {
        field: field.into(),
        message: message.into(),
    }
}

/// Checks an abbreviation group of a ký hiệu (issuer "UBND", field "VX"): letters and
/// digits only (Vietnamese letters allowed: "PGDĐT"), 1–20 characters.
pub fn check_abbreviation(field: &str, s: &str) -> Result<(), DomainError> {
    let n = s.chars().count();
    if n == 0 {
        return Err(invalid(field, "không được để trống"));
    }
    if n > 20 || !s.chars().all(|c| c.is_alphanumeric()) {
        return Err(invalid(
            field,
            format!(
                "\"{s}\" chỉ gồm chữ và số, không dấu cách hay dấu \"-\", \"/\" (tối đa 20 ký tự)"
            ),
        ));
    }
    Ok(())
}

/// Ký hiệu văn bản: "KH-UBND" for a typed document, "UBND-VX" or "PGDĐT" for a công văn
/// (issuer abbreviation, then the drafting unit or field when given).
pub fn symbol(kind: DocKind, issuer: &str, field: Option<&str>) -> Result<String, DomainError> {
    check_abbreviation("Ký hiệu cơ quan ban hành", issuer)?;
    let field = field.map(str::trim).filter(|f| !f.is_empty());
    if let Some(f) = field {
        check_abbreviation("Ký hiệu đơn vị soạn thảo, lĩnh vực", f)?;
    }
    Ok(match (kind.abbreviation(), field) {
        (Some(a), _) => format!("{a}-{issuer}"),
        (None, Some(f)) => format!("{issuer}-{f}"),
        (None, None) => issuer.to_string(),
    })
}

/// Số văn bản as written: numbers below 10 get a leading 0 ("05").
pub fn format_number(n: i64) -> String {
    if (0..10).contains(&n) {
        format!("0{n}")
    } else {
        n.to_string()
    }
}

/// "220/KH-UBND".
pub fn number_and_symbol(number: i64, symbol: &str) -> String {
    format!("{}/{symbol}", format_number(number))
}

/// The register year a number belongs to: numbering runs 01 January – 31 December.
pub fn register_year(date: NaiveDate) -> i32 {
    date.year()
}

/// The next number of a register whose last used number in the date's year is `last`
/// (`None` when the year has no number yet: the series restarts at 1 on 1 January).
pub fn next_number(last: Option<i64>) -> i64 {
    last.unwrap_or(0) + 1
}

/// Splits "220/KH-UBND" into (220, "KH-UBND"); an external number may carry spaces as
/// typed ("3195 /KH-UBND"), which are removed.
pub fn parse_number_text(text: &str) -> Result<(i64, String), DomainError> {
    let cleaned: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (n, sym) = cleaned.split_once('/').ok_or_else(|| {
        invalid(
            "Số, ký hiệu",
            format!("\"{text}\" phải có dạng số/ký hiệu, ví dụ 3764/BGDĐT-GDTrH"),
        )
    })?;
    let number: i64 = n
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| invalid("Số, ký hiệu", format!("\"{n}\" không phải số văn bản")))?;
    if sym.is_empty() || sym.split('-').any(|g| g.is_empty()) {
        return Err(invalid(
            "Số, ký hiệu",
            format!("ký hiệu \"{sym}\" không hợp lệ"),
        ));
    }
    Ok((number, sym.to_string()))
}

/// Date as cited in a *căn cứ* line and a register: day with two digits, month without
/// a leading zero (as the seeds write it: "09/9/2021", "14/9/2021").
pub fn date_cited(d: NaiveDate) -> String {
    format!("{:02}/{}/{}", d.day(), d.month(), d.year())
}

/// "Thủ Dầu Một, ngày 29 tháng 9 năm 2021" — địa danh và thời gian ban hành: days below
/// 10 and months 1 and 2 get a leading 0.
pub fn place_and_date(place: &str, d: NaiveDate) -> String {
    let month = if d.month() <= 2 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    format!(
        "{place}, ngày {:02} tháng {month} năm {}",
        d.day(),
        d.year()
    )
}

/// A document as cited by a *căn cứ* line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    pub kind: DocKind,
    /// "212/KH-UBND".
    pub number_text: String,
    pub date: NaiveDate,
    /// Short issuer name as cited: "UBND tỉnh", "Bộ Giáo dục và Đào tạo".
    pub issuer: String,
    /// Trích yếu: "Tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021".
    pub subject: String,
}

/// The *căn cứ* line: "Căn cứ Kế hoạch số 212/KH-UBND ngày 14/9/2021 của UBND tỉnh về tổ
/// chức Tuần lễ hưởng ứng học tập suốt đời năm 2021;". A subject already starting with
/// "về" (a công văn's "V/v") is not doubled.
pub fn basis_line(c: &Citation) -> String {
    let subject = c.subject.trim().trim_end_matches(['.', ';']);
    let subject = subject
        .strip_prefix("V/v ")
        .or_else(|| subject.strip_prefix("v/v "))
        .unwrap_or(subject);
    let lowered = lower_first(subject);
    let about = if lowered.starts_with("về ") {
        lowered
    } else {
        format!("về {lowered}")
    };
    format!(
        "Căn cứ {} số {} ngày {} của {} {about};",
        c.kind.name_vi(),
        c.number_text,
        date_cited(c.date),
        c.issuer.trim()
    )
}

/// Lower-cases the first letter unless the first word is an acronym ("UBND") or a
/// quotation.
fn lower_first(s: &str) -> String {
    let first_word = s.split_whitespace().next().unwrap_or("");
    let letters: Vec<char> = first_word.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()) {
        return s.to_string();
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Ký hiệu a body uses until its administrator sets one: "UBND" for a people's committee
/// (and an administrative unit, which issues as its UBND), "PGDĐT" for a Phòng GDĐT,
/// "SGDĐT" for a Sở GDĐT, else the initials of the name ("Phòng Nội vụ" → "PNV").
pub fn default_abbreviation(unit_type: &str, name: &str, administrative: bool) -> String {
    if administrative {
        return "UBND".into();
    }
    match unit_type {
        "UBND" => "UBND".into(),
        "Phòng GDĐT" => "PGDĐT".into(),
        "Sở GDĐT" => "SGDĐT".into(),
        "Bộ GDĐT" => "BGDĐT".into(),
        _ => {
            let initials: String = name
                .split_whitespace()
                .take_while(|w| {
                    !["thành", "tỉnh", "quận", "huyện", "thị", "phường", "xã"].contains(w)
                })
                .filter(|w| *w != "và" && *w != "-")
                .filter_map(|w| w.chars().next())
                .flat_map(|c| c.to_uppercase())
                .collect();
            if initials.is_empty() {
                "CQ".into()
            } else {
                initials
            }
        }
    }
}

/// Địa danh from an administrative unit's name: "Thành phố Thủ Dầu Một" → "Thủ Dầu Một".
pub fn place_of(admin_name: &str) -> String {
    for prefix in [
        "Thành phố ",
        "Tỉnh ",
        "Quận ",
        "Huyện ",
        "Thị xã ",
        "Phường ",
        "Xã ",
        "Thị trấn ",
        "Đặc khu ",
    ] {
        if let Some(rest) = admin_name.strip_prefix(prefix) {
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                // "Quận 7" is called so in full.
                return admin_name.to_string();
            }
            return rest.to_string();
        }
    }
    admin_name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn symbols_follow_the_decree() {
        assert_eq!(symbol(DocKind::KeHoach, "UBND", None).unwrap(), "KH-UBND");
        assert_eq!(symbol(DocKind::QuyetDinh, "BNV", None).unwrap(), "QĐ-BNV");
        assert_eq!(symbol(DocKind::BaoCao, "UBND", None).unwrap(), "BC-UBND");
        assert_eq!(
            symbol(DocKind::CongVan, "UBND", Some("VX")).unwrap(),
            "UBND-VX"
        );
        assert_eq!(symbol(DocKind::CongVan, "PGDĐT", None).unwrap(), "PGDĐT");
        assert_eq!(
            symbol(DocKind::CongVan, "PGDĐT", Some(" ")).unwrap(),
            "PGDĐT"
        );
        assert!(symbol(DocKind::KeHoach, "UB ND", None).is_err());
        assert!(symbol(DocKind::KeHoach, "", None).is_err());
        assert!(symbol(DocKind::CongVan, "UBND", Some("V/X")).is_err());
    }

    #[test]
    fn numbers_have_a_leading_zero_below_ten_and_restart_each_year() {
        assert_eq!(number_and_symbol(5, "QĐ-BNV"), "05/QĐ-BNV");
        assert_eq!(number_and_symbol(220, "KH-UBND"), "220/KH-UBND");
        assert_eq!(next_number(None), 1);
        assert_eq!(next_number(Some(219)), 220);
        assert_eq!(register_year(d(2021, 12, 31)), 2021);
        assert_eq!(register_year(d(2022, 1, 1)), 2022);
    }

    #[test]
    fn external_numbers_parse() {
        assert_eq!(
            parse_number_text("3195 /KH-UBND").unwrap(),
            (3195, "KH-UBND".to_string())
        );
        assert_eq!(
            parse_number_text("3764/BGDĐT-GDTrH").unwrap(),
            (3764, "BGDĐT-GDTrH".to_string())
        );
        assert!(parse_number_text("3764").is_err());
        assert!(parse_number_text("abc/KH").is_err());
        assert!(parse_number_text("12/KH-").is_err());
    }

    #[test]
    fn basis_line_as_in_the_issue() {
        let c = Citation {
            kind: DocKind::KeHoach,
            number_text: "212/KH-UBND".into(),
            date: d(2021, 9, 14),
            issuer: "UBND tỉnh".into(),
            subject: "Tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021".into(),
        };
        assert_eq!(
            basis_line(&c),
            "Căn cứ Kế hoạch số 212/KH-UBND ngày 14/9/2021 của UBND tỉnh về tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021;"
        );
        let cv = Citation {
            kind: DocKind::CongVan,
            number_text: "1575/SGDĐT-GDTrH TX".replace(' ', ""),
            date: d(2021, 9, 9),
            issuer: "Sở Giáo dục và Đào tạo".into(),
            subject: "V/v hướng dẫn tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021".into(),
        };
        assert_eq!(
            basis_line(&cv),
            "Căn cứ Công văn số 1575/SGDĐT-GDTrHTX ngày 09/9/2021 của Sở Giáo dục và Đào tạo về hướng dẫn tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021;"
        );
    }

    #[test]
    fn place_and_date_pads_days_and_early_months() {
        assert_eq!(
            place_and_date("Thủ Dầu Một", d(2021, 9, 29)),
            "Thủ Dầu Một, ngày 29 tháng 9 năm 2021"
        );
        assert_eq!(
            place_and_date("Quận 7", d(2021, 2, 5)),
            "Quận 7, ngày 05 tháng 02 năm 2021"
        );
    }

    #[test]
    fn default_issuer_settings() {
        assert_eq!(
            default_abbreviation("Phường", "Phường Phú Lợi", true),
            "UBND"
        );
        assert_eq!(
            default_abbreviation(
                "Phòng GDĐT",
                "Phòng Giáo dục và Đào tạo thành phố Thủ Dầu Một",
                false
            ),
            "PGDĐT"
        );
        assert_eq!(
            default_abbreviation("Cơ quan khác", "Phòng Nội vụ thành phố Thủ Dầu Một", false),
            "PNV"
        );
        assert_eq!(place_of("Thành phố Thủ Dầu Một"), "Thủ Dầu Một");
        assert_eq!(place_of("Quận 7"), "Quận 7");
    }

    #[test]
    fn kinds_round_trip() {
        for k in DocKind::ALL {
            assert_eq!(DocKind::parse(k.code()), Some(k));
        }
        assert_eq!(DocKind::parse("QD"), Some(DocKind::QuyetDinh));
        assert_eq!(DocKind::parse("XX"), None);
    }
}
