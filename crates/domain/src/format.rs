//! Vietnamese formatting and parsing of numbers and dates
//! (dates dd/mm/yyyy, numbers 1.234.567).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Giờ Việt Nam — UTC+7 all year (no daylight saving).
pub fn vietnam_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("valid offset")
}

/// 1234567 → "1.234.567"; -5 → "-5".
pub fn number_vi(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// 2021-10-12 → "12/10/2021".
pub fn date_vi(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A UTC instant shown in Vietnam time: "12/10/2021 14:05".
pub fn datetime_vi(t: DateTime<Utc>) -> String {
    t.with_timezone(&vietnam_offset())
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// Why a text is not a whole number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegerProblem {
    NotANumber,
    Fraction,
    TooLarge,
}

impl IntegerProblem {
    pub fn message_vi(self) -> &'static str {
        match self {
            IntegerProblem::NotANumber => "không phải số nguyên",
            IntegerProblem::Fraction => "phải là số nguyên, không có phần thập phân",
            IntegerProblem::TooLarge => "số quá lớn",
        }
    }
}

/// Parses a whole number as people type it: "1234", "1.234.567", "1 234", "-3".
/// Dots or spaces are accepted only as thousands separators (groups of three);
/// "12,5" and "1.5" are fractions; "" is `Ok(None)`.
pub fn parse_integer_vi(text: &str) -> Result<Option<i64>, IntegerProblem> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t),
    };
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ' ' || c == ',')
    {
        return Err(IntegerProblem::NotANumber);
    }
    if body.contains(',') {
        return Err(IntegerProblem::Fraction);
    }
    let groups: Vec<&str> = body.split(['.', ' ']).collect();
    if groups.len() > 1 {
        let well_grouped = !groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3);
        if !well_grouped {
            return Err(if groups.len() == 2 {
                IntegerProblem::Fraction
            } else {
                IntegerProblem::NotANumber
            });
        }
    }
    let digits: String = groups.concat();
    let v: i64 = digits.parse().map_err(|_| IntegerProblem::TooLarge)?;
    Ok(Some(if neg { -v } else { v }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_with_dots() {
        assert_eq!(number_vi(0), "0");
        assert_eq!(number_vi(999), "999");
        assert_eq!(number_vi(1000), "1.000");
        assert_eq!(number_vi(1234567), "1.234.567");
        assert_eq!(number_vi(-1234), "-1.234");
    }

    #[test]
    fn parses_what_people_type() {
        assert_eq!(parse_integer_vi(" 12 "), Ok(Some(12)));
        assert_eq!(parse_integer_vi("1.234.567"), Ok(Some(1234567)));
        assert_eq!(parse_integer_vi("1 234"), Ok(Some(1234)));
        assert_eq!(parse_integer_vi("-3"), Ok(Some(-3)));
        assert_eq!(parse_integer_vi(""), Ok(None));
        assert_eq!(parse_integer_vi("abc"), Err(IntegerProblem::NotANumber));
        assert_eq!(parse_integer_vi("12 lớp"), Err(IntegerProblem::NotANumber));
        assert_eq!(parse_integer_vi("12,5"), Err(IntegerProblem::Fraction));
        assert_eq!(parse_integer_vi("1.5"), Err(IntegerProblem::Fraction));
        assert_eq!(
            parse_integer_vi("99999999999999999999"),
            Err(IntegerProblem::TooLarge)
        );
    }

    #[test]
    fn dates_in_vietnamese_order() {
        let d = NaiveDate::from_ymd_opt(2021, 10, 12).unwrap();
        assert_eq!(date_vi(d), "12/10/2021");
        let t = DateTime::parse_from_rfc3339("2021-10-12T17:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(datetime_vi(t), "13/10/2021 00:30");
    }
}
