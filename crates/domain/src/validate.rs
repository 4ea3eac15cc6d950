//! Kiểm tra số liệu — validation of a report's figures against its template.
//!
//! Errors (*lỗi*) block submission; warnings (*cảnh báo*) need an explanation
//! (*giải trình*) before the report can be submitted. Every issue carries a code
//! documented on [`IssueCode`] and names the row and column it is about.

use serde::Serialize;

use crate::format::{number_vi, parse_integer_vi};
use crate::report::{Figures, ReportContent};
use crate::template::{Indicator, RowKind, Template};

/// People per class (or per contest) above which a row gets a warning.
pub const MAX_PLAUSIBLE_PEOPLE_PER_EVENT: i64 = 200;

/// Mã lỗi / cảnh báo — each code is one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum IssueCode {
    /// E01: the value is not a whole number ("abc", "12 lớp", "1,5").
    NotInteger,
    /// E02: counts, people and money are never negative.
    Negative,
    /// E03: the row or column does not exist in the template, or the row takes no such column.
    UnknownCell,
    /// E04: a "trong đó" row is larger than its total.
    PartExceedsTotal,
    /// E05: a total is less than the sum of its parts.
    TotalLessThanParts,
    /// W01: more people per class/contest than is plausible.
    PeoplePerEventHigh,
    /// W02: people reported on a row with no classes/contests.
    PeopleWithoutEvents,
    /// W03: a report submitted with no figures at all.
    EmptyReport,
}

impl IssueCode {
    pub fn code(self) -> &'static str {
        match self {
            IssueCode::NotInteger => "E01",
            IssueCode::Negative => "E02",
            IssueCode::UnknownCell => "E03",
            IssueCode::PartExceedsTotal => "E04",
            IssueCode::TotalLessThanParts => "E05",
            IssueCode::PeoplePerEventHigh => "W01",
            IssueCode::PeopleWithoutEvents => "W02",
            IssueCode::EmptyReport => "W03",
        }
    }

    pub fn is_warning(self) -> bool {
        self.code().starts_with('W')
    }
}

/// One finding: the rule, the cell it is about, and a Vietnamese message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub code: IssueCode,
    /// Row code, where the issue is about a row.
    pub row: Option<String>,
    /// Column key, where the issue is about one cell.
    pub column: Option<String>,
    /// Stable key of a warning, used to attach its explanation ("W01:1.01").
    pub key: String,
    pub message: String,
}

/// Kết quả kiểm tra.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Validation {
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

impl Validation {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Warnings that have no explanation in the content.
    pub fn unexplained<'a>(
        &'a self,
        content: &'a ReportContent,
    ) -> impl Iterator<Item = &'a Issue> + 'a {
        self.warnings.iter().filter(|w| {
            content
                .explanations
                .get(&w.key)
                .is_none_or(|t| t.trim().is_empty())
        })
    }

    fn push(&mut self, issue: Issue) {
        if issue.code.is_warning() {
            self.warnings.push(issue);
        } else {
            self.errors.push(issue);
        }
    }
}

/// "Dòng 1.01 «Bồi dưỡng nâng cao trình độ…»", naming a row for people.
pub fn row_name(ind: &Indicator) -> String {
    let mut label: String = ind.label.chars().take(60).collect();
    if ind.label.chars().count() > 60 {
        label.push('…');
    }
    format!("Dòng {} «{}»", ind.code, label)
}

/// "Dòng 1.01 «…», cột \"Người\"", naming one cell for people.
pub fn cell_name(t: &Template, ind: &Indicator, column: &str) -> String {
    let col = t
        .columns
        .iter()
        .find(|c| c.key == column)
        .map(|c| c.label.as_str())
        .unwrap_or(column);
    if t.columns.len() > 1 {
        format!("{}, cột \"{}\"", row_name(ind), col)
    } else {
        row_name(ind)
    }
}

fn issue(code: IssueCode, row: Option<&str>, column: Option<&str>, message: String) -> Issue {
    let key = match row {
        Some(r) => format!("{}:{}", code.code(), r),
        None => code.code().to_string(),
    };
    Issue {
        code,
        row: row.map(Into::into),
        column: column.map(Into::into),
        key,
        message,
    }
}

/// Parses typed cells `(row, column, text)` into figures. Every bad cell is reported;
/// the figures are returned only when all cells parse.
pub fn parse_cells<'a>(
    t: &Template,
    cells: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
) -> Result<Figures, Vec<Issue>> {
    let mut figures = Figures::default();
    let mut problems = Vec::new();
    for (row, column, text) in cells {
        let Some(ind) = t.indicator(row) else {
            problems.push(issue(
                IssueCode::UnknownCell,
                Some(row),
                Some(column),
                format!("Mẫu không có dòng \"{row}\""),
            ));
            continue;
        };
        if t.slot(row, column).is_none() {
            problems.push(issue(
                IssueCode::UnknownCell,
                Some(row),
                Some(column),
                format!("{}: không có cột \"{column}\"", row_name(ind)),
            ));
            continue;
        }
        match parse_integer_vi(text) {
            Ok(v) => figures.set(row, column, v),
            Err(p) => {
                // Not a number, a fraction and a number too large are all E01.
                let code = IssueCode::NotInteger;
                let shown: String = text.trim().chars().take(40).collect();
                problems.push(issue(
                    code,
                    Some(row),
                    Some(column),
                    format!(
                        "{}: \"{shown}\" {}",
                        cell_name(t, ind, column),
                        p.message_vi()
                    ),
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(figures)
    } else {
        Err(problems)
    }
}

/// Fills blank total cells with the sum of their parts (only where a part has a value,
/// and never from a negative part: that part is refused itself, and a total computed
/// from it would repeat the error on a row nobody typed in).
pub fn fill_totals(t: &Template, figures: &mut Figures) {
    for ind in &t.indicators {
        if let RowKind::Total { of } = &ind.kind {
            for col in &ind.columns {
                if figures.get(&ind.code, col).is_some() {
                    continue;
                }
                let parts: Vec<i64> = t
                    .parts_of(of, col)
                    .filter_map(|p| figures.get(&p.code, col))
                    .collect();
                if !parts.is_empty() && parts.iter().all(|v| *v >= 0) {
                    figures.set(&ind.code, col, Some(parts.iter().sum()));
                }
            }
        }
    }
}

/// Checks figures against the template's rules. `submitting` adds the checks that
/// apply only to a report being sent (an empty report).
pub fn validate(t: &Template, content: &ReportContent, submitting: bool) -> Validation {
    let mut v = Validation::default();
    let f = &content.figures;
    for (row, cols) in &f.0 {
        let Some(ind) = t.indicator(row) else {
            v.push(issue(
                IssueCode::UnknownCell,
                Some(row),
                None,
                format!("Mẫu không có dòng \"{row}\""),
            ));
            continue;
        };
        for (col, value) in cols {
            if t.slot(row, col).is_none() {
                v.push(issue(
                    IssueCode::UnknownCell,
                    Some(row),
                    Some(col),
                    format!("{}: không có cột \"{col}\"", row_name(ind)),
                ));
            } else if *value < 0 {
                v.push(issue(
                    IssueCode::Negative,
                    Some(row),
                    Some(col),
                    format!(
                        "{}: không được là số âm ({})",
                        cell_name(t, ind, col),
                        number_vi(*value)
                    ),
                ));
            }
        }
    }
    for ind in &t.indicators {
        if let RowKind::Total { of } = &ind.kind {
            for col in &ind.columns {
                let total = f.get(&ind.code, col);
                let mut sum = 0i64;
                for part in t.parts_of(of, col) {
                    let Some(pv) = f.get(&part.code, col) else {
                        continue;
                    };
                    sum = sum.saturating_add(pv);
                    if let Some(tv) = total {
                        if pv > tv {
                            v.push(issue(
                                IssueCode::PartExceedsTotal,
                                Some(&part.code),
                                Some(col),
                                format!(
                                    "{} ({}) lớn hơn dòng tổng {} ({})",
                                    cell_name(t, part, col),
                                    number_vi(pv),
                                    ind.code,
                                    number_vi(tv)
                                ),
                            ));
                        }
                    }
                }
                if let Some(tv) = total {
                    if tv < sum {
                        v.push(issue(
                            IssueCode::TotalLessThanParts,
                            Some(&ind.code),
                            Some(col),
                            format!(
                                "{}: tổng ({}) nhỏ hơn tổng các dòng trong đó ({})",
                                cell_name(t, ind, col),
                                number_vi(tv),
                                number_vi(sum)
                            ),
                        ));
                    }
                }
            }
        }
        if ind.kind == RowKind::Value && ind.columns.len() >= 2 {
            let (count_col, people_col) = (&ind.columns[0], &ind.columns[1]);
            let events = f.get(&ind.code, count_col).unwrap_or(0);
            let people = f.get(&ind.code, people_col).unwrap_or(0);
            if people > 0 && events <= 0 {
                v.push(issue(
                    IssueCode::PeopleWithoutEvents,
                    Some(&ind.code),
                    Some(people_col),
                    format!(
                        "{}: có {} người tham gia nhưng không có lớp/cuộc nào",
                        row_name(ind),
                        number_vi(people)
                    ),
                ));
            } else if events > 0 && people > events.saturating_mul(MAX_PLAUSIBLE_PEOPLE_PER_EVENT) {
                v.push(issue(
                    IssueCode::PeoplePerEventHigh,
                    Some(&ind.code),
                    Some(people_col),
                    format!(
                        "{}: bình quân {} người mỗi lớp/cuộc, cao bất thường (trên {})",
                        row_name(ind),
                        number_vi(people / events),
                        MAX_PLAUSIBLE_PEOPLE_PER_EVENT
                    ),
                ));
            }
        }
    }
    if submitting && f.is_empty() {
        v.push(issue(
            IssueCode::EmptyReport,
            None,
            None,
            "Báo cáo chưa có số liệu nào".to_string(),
        ));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(cells: &[(&str, &str, i64)]) -> ReportContent {
        let mut c = ReportContent::default();
        for (r, col, v) in cells {
            c.figures.set(r, col, Some(*v));
        }
        c
    }

    #[test]
    fn parse_names_the_row_and_stores_nothing_on_error() {
        let t = Template::builtin_2021();
        let err = parse_cells(
            &t,
            [
                ("1.01", "count", "3"),
                ("1.02", "people", "abc"),
                ("99", "count", "1"),
            ],
        )
        .unwrap_err();
        assert_eq!(err.len(), 2);
        assert!(
            err[0].message.contains("Dòng 1.02")
                && err[0].message.contains("\"abc\" không phải số nguyên"),
            "{}",
            err[0].message
        );
        assert_eq!(err[0].code, IssueCode::NotInteger);
        assert_eq!(err[1].code, IssueCode::UnknownCell);
        let ok = parse_cells(&t, [("1.01", "count", "3"), ("1.01", "people", "1.200")]).unwrap();
        assert_eq!(ok.get("1.01", "people"), Some(1200));
    }

    #[test]
    fn negative_values_and_bad_totals_are_errors() {
        let t = Template::builtin_2021();
        let v = validate(&t, &content(&[("1.01", "count", -1)]), false);
        assert_eq!(v.errors[0].code, IssueCode::Negative);
        let v = validate(
            &t,
            &content(&[
                ("1", "count", 2),
                ("1.01", "count", 3),
                ("1.01", "people", 30),
            ]),
            false,
        );
        let codes: Vec<_> = v.errors.iter().map(|e| e.code).collect();
        assert!(codes.contains(&IssueCode::PartExceedsTotal));
        assert!(codes.contains(&IssueCode::TotalLessThanParts));
        let v = validate(
            &t,
            &content(&[
                ("1", "count", 5),
                ("1.01", "count", 2),
                ("1.02", "count", 2),
                ("1.01", "people", 1),
                ("1.02", "people", 1),
            ]),
            false,
        );
        assert!(v.errors.is_empty(), "{:?}", v.errors);
    }

    #[test]
    fn totals_are_filled_from_parts() {
        let t = Template::builtin_2021();
        let mut c = content(&[
            ("1.01", "count", 2),
            ("1.03", "count", 4),
            ("1.03", "people", 80),
            ("5.3", "count", 1),
        ]);
        fill_totals(&t, &mut c.figures);
        assert_eq!(c.figures.get("1", "count"), Some(6));
        assert_eq!(c.figures.get("1.0", "people"), Some(80));
        assert_eq!(c.figures.get("5", "count"), Some(1));
        assert_eq!(c.figures.get("6", "count"), None);
        // A negative part is reported on its own row only, not again on a computed total.
        let mut c = content(&[("1.01", "people", -3), ("1.02", "people", 5)]);
        fill_totals(&t, &mut c.figures);
        assert_eq!(c.figures.get("1.0", "people"), None);
        let v = validate(&t, &c, false);
        assert_eq!(v.errors.len(), 1, "{:?}", v.errors);
        assert_eq!(v.errors[0].row.as_deref(), Some("1.01"));
    }

    #[test]
    fn warnings_need_explanations() {
        let t = Template::builtin_2021();
        let mut c = content(&[
            ("1.01", "count", 1),
            ("1.01", "people", 900),
            ("6.1", "people", 10),
        ]);
        let v = validate(&t, &c, true);
        assert!(v.errors.is_empty());
        let codes: Vec<_> = v.warnings.iter().map(|w| w.code).collect();
        assert_eq!(
            codes,
            vec![
                IssueCode::PeoplePerEventHigh,
                IssueCode::PeopleWithoutEvents
            ]
        );
        assert_eq!(v.unexplained(&c).count(), 2);
        c.explanations
            .insert("W01:1.01".into(), "Lớp trực tuyến qua Zoom".into());
        assert_eq!(v.unexplained(&c).count(), 1);
        let v = validate(&t, &ReportContent::default(), true);
        assert_eq!(v.warnings[0].code, IssueCode::EmptyReport);
    }
}
