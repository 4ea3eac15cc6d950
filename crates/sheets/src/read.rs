//! Nhập bảng tính — a report workbook read back into figures and notes.
//!
//! Our own workbooks carry a hidden sheet with the template, unit and campaign. A
//! workbook built by hand with the same visible layout is accepted too: the table is
//! found by its heading row and its rows are matched by their labels.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xls, Xlsx};
use tuanle_domain::format::{number_vi, parse_integer_vi, IntegerProblem};
use tuanle_domain::report::Figures;
use tuanle_domain::template::Template;
use tuanle_domain::validate::cell_name;
use unicode_normalization::UnicodeNormalization;

use crate::archive::{check_container, is_compound, is_encrypted_office, is_zip};
use crate::write::{cell_ref, NOTES_HEADING};
use crate::{SheetError, MAX_WORKBOOK_BYTES, MAX_WORKBOOK_EXPANDED, META_SHEET, REPORT_SHEET};

/// What our hidden sheet records.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Metadata {
    pub format: i64,
    pub kind: String,
    pub template_code: String,
    pub template_version: i64,
    pub unit_code: String,
    pub campaign_id: Option<i64>,
}

/// The unit named in the heading line "Đơn vị: Tên (mã 27490)" of a workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadingUnit {
    pub name: String,
    pub code: Option<String>,
}

/// A workbook opened and its report sheet found, not yet checked against a template.
#[derive(Debug, Clone)]
pub struct ReportWorkbook {
    pub metadata: Option<Metadata>,
    pub heading_unit: Option<HeadingUnit>,
    pub sheet: String,
    values: Range<Data>,
    formulas: Range<String>,
}

/// Một lỗi ô — one problem of a workbook, with the cell it is about
/// (`Báo cáo!D12`) when there is one. The message starts with the cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    pub cell: Option<String>,
    pub message: String,
}

/// Figures and notes read from a workbook, with where each came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedReport {
    pub figures: Figures,
    pub notes: BTreeMap<String, String>,
    /// (row code, column key) → "Báo cáo!D12".
    pub cells: HashMap<(String, String), String>,
    /// row code → "Báo cáo!B12" (its label cell).
    pub rows: HashMap<String, String>,
}

impl ParsedReport {
    /// Where a row/column of the template sits in the workbook, for messages.
    pub fn position(&self, row: Option<&str>, column: Option<&str>) -> Option<&str> {
        let row = row?;
        if let Some(c) = column {
            if let Some(p) = self.cells.get(&(row.to_string(), c.to_string())) {
                return Some(p);
            }
        }
        self.rows.get(row).map(String::as_str)
    }
}

/// Lowercase, NFC, single spaces, no trailing colon: how labels and headings are compared.
pub fn normalize_label(s: &str) -> String {
    let lower: String = s.nfc().collect::<String>().to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    words
        .join(" ")
        .trim_end_matches([':', '.', ' '])
        .replace(['“', '”'], "\"")
}

fn text_of(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        other => other.to_string(),
    }
}

/// A sheet's name, values and formulas.
type SheetData = (String, Range<Data>, Range<String>);

/// Opens workbook bytes (.xlsx, or an old .xls) and finds the report sheet.
pub fn open_workbook(bytes: &[u8]) -> Result<ReportWorkbook, SheetError> {
    if bytes.len() > MAX_WORKBOOK_BYTES {
        return Err(SheetError::TooLarge {
            size: bytes.len() as u64,
            max: MAX_WORKBOOK_BYTES as u64,
        });
    }
    let sheets = read_sheets_guarded(bytes)?;
    let metadata = sheets
        .iter()
        .find(|(n, _, _)| n == META_SHEET)
        .map(|(_, r, _)| read_metadata(r));
    let (sheet, values, formulas) = sheets
        .iter()
        .find(|(n, _, _)| n == REPORT_SHEET)
        .or_else(|| {
            sheets
                .iter()
                .find(|(n, r, _)| n != META_SHEET && find_header(r).is_some())
        })
        .or_else(|| sheets.iter().find(|(n, _, _)| n != META_SHEET))
        .cloned()
        .ok_or(SheetError::NotAWorkbook)?;
    let heading_unit = find_heading_unit(&values);
    Ok(ReportWorkbook {
        metadata,
        heading_unit,
        sheet,
        values,
        formulas,
    })
}

/// Reads every sheet, turning a panic inside the spreadsheet reader into
/// [`SheetError::Corrupt`]: a malformed workbook (e.g. a shared-string index
/// past the end of the table makes calamine 0.30 index out of bounds) must end in a Vietnamese
/// error for the uploader, never in a crashed request.
fn read_sheets_guarded(bytes: &[u8]) -> Result<Vec<SheetData>, SheetError> {
    std::panic::catch_unwind(|| read_sheets(bytes)).unwrap_or_else(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "lỗi đọc bảng tính".to_string());
        Err(SheetError::Corrupt(detail))
    })
}

fn read_sheets(bytes: &[u8]) -> Result<Vec<SheetData>, SheetError> {
    Ok(if is_zip(bytes) {
        check_container(bytes, MAX_WORKBOOK_EXPANDED)?;
        let mut x: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
            calamine::XlsxError::Zip(_) | calamine::XlsxError::FileNotFound(_) => {
                SheetError::NotAWorkbook
            }
            other => SheetError::Corrupt(other.to_string()),
        })?;
        read_all(&mut x)?
    } else if is_encrypted_office(bytes) {
        return Err(SheetError::Encrypted);
    } else if is_compound(bytes) {
        let mut x: Xls<_> =
            Xls::new(Cursor::new(bytes)).map_err(|e| SheetError::Corrupt(e.to_string()))?;
        read_all(&mut x)?
    } else {
        return Err(SheetError::NotAWorkbook);
    })
}

fn read_all<RS, R>(r: &mut R) -> Result<Vec<SheetData>, SheetError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let mut out = Vec::new();
    for name in r.sheet_names() {
        let values = r
            .worksheet_range(&name)
            .map_err(|e| SheetError::Corrupt(e.to_string()))?;
        let formulas = r.worksheet_formula(&name).unwrap_or_default();
        out.push((name, values, formulas));
    }
    Ok(out)
}

fn read_metadata(r: &Range<Data>) -> Metadata {
    let mut m = Metadata::default();
    for row in r.rows() {
        let (Some(k), Some(v)) = (row.first(), row.get(1)) else {
            continue;
        };
        let v = text_of(v);
        match text_of(k).as_str() {
            "format" => m.format = v.parse().unwrap_or(0),
            "kind" => m.kind = v,
            "template_code" => m.template_code = v,
            "template_version" => m.template_version = v.parse().unwrap_or(0),
            "unit_code" => m.unit_code = v,
            "campaign_id" => m.campaign_id = v.parse().ok(),
            _ => {}
        }
    }
    m
}

/// Where the table's heading is: its row, and the label, notes and STT columns.
struct Header {
    row: u32,
    label_col: u32,
    notes_col: Option<u32>,
}

fn cell_text(r: &Range<Data>, row: u32, col: u32) -> String {
    r.get_value((row, col)).map(text_of).unwrap_or_default()
}

fn find_header(r: &Range<Data>) -> Option<Header> {
    let (start, end) = (r.start()?, r.end()?);
    for row in start.0..=end.0.min(start.0 + 60) {
        let mut h = Header {
            row,
            label_col: u32::MAX,
            notes_col: None,
        };
        for col in start.1..=end.1 {
            let t = normalize_label(&cell_text(r, row, col));
            if t == "các hoạt động"
                || t == "nội dung"
                || t == "chỉ tiêu"
                || t == "nội dung hoạt động"
            {
                h.label_col = col;
            } else if t == normalize_label(NOTES_HEADING) {
                h.notes_col = Some(col);
            }
        }
        if h.label_col != u32::MAX {
            return Some(h);
        }
    }
    None
}

fn find_heading_unit(r: &Range<Data>) -> Option<HeadingUnit> {
    let (start, end) = (r.start()?, r.end()?);
    for row in start.0..=end.0.min(start.0 + 10) {
        for col in start.1..=end.1.min(start.1 + 5) {
            let raw = cell_text(r, row, col);
            let t = raw.trim();
            let Some(rest) = t
                .strip_prefix("Đơn vị:")
                .or_else(|| t.strip_prefix("Đơn vị báo cáo:"))
            else {
                continue;
            };
            let rest = rest.trim();
            if let Some(open) = rest.rfind("(mã ") {
                let code = rest[open + "(mã ".len()..].trim_end_matches(')').trim();
                return Some(HeadingUnit {
                    name: rest[..open].trim().to_string(),
                    code: (!code.is_empty()).then(|| code.to_string()),
                });
            }
            return Some(HeadingUnit {
                name: rest.to_string(),
                code: None,
            });
        }
    }
    None
}

impl ReportWorkbook {
    fn at(&self, row: u32, col: u32) -> String {
        format!("{}!{}", self.sheet, cell_ref(row, col as u16))
    }

    fn formula(&self, row: u32, col: u32) -> Option<&str> {
        self.formulas
            .get_value((row, col))
            .map(String::as_str)
            .filter(|f| !f.trim().is_empty())
    }

    /// Reads the figures and notes of the template's rows. Every problem is reported,
    /// each naming its cell; nothing is returned unless the whole sheet is right.
    pub fn parse(&self, t: &Template) -> Result<ParsedReport, Vec<CellProblem>> {
        let mut problems = Vec::new();
        let Some(h) = find_header(&self.values) else {
            return Err(vec![CellProblem {
                cell: None,
                message: format!(
                    "trang \"{}\": không tìm thấy dòng tiêu đề của bảng (STT · Các hoạt động · Đơn vị · {} · Ghi chú)",
                    self.sheet,
                    t.columns.iter().map(|c| c.label.as_str()).collect::<Vec<_>>().join(" · ")
                ),
            }]);
        };
        let end = self.values.end().unwrap_or((h.row, h.label_col));
        // Value columns by their headings (on the heading row or the two below it).
        let mut value_cols: Vec<(usize, u32)> = Vec::new();
        let mut first_data_row = h.row + 1;
        for (ci, col) in t.columns.iter().enumerate() {
            let want = normalize_label(&col.label);
            let mut found = None;
            'search: for row in h.row..=(h.row + 2).min(end.0) {
                for c in 0..=end.1 {
                    if normalize_label(&cell_text(&self.values, row, c)) == want {
                        found = Some(c);
                        first_data_row = first_data_row.max(row + 1);
                        break 'search;
                    }
                }
            }
            match found {
                Some(c) => value_cols.push((ci, c)),
                None => problems.push(CellProblem {
                    cell: Some(self.at(h.row, h.label_col)),
                    message: format!(
                        "{}: bảng không có cột \"{}\" ở dòng tiêu đề",
                        self.at(h.row, h.label_col),
                        col.label
                    ),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        // Labels of the template, in order; a label used twice maps by occurrence.
        let mut by_label: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, ind) in t.indicators.iter().enumerate() {
            by_label
                .entry(normalize_label(&ind.label))
                .or_default()
                .push(i);
        }
        let mut used: HashMap<String, usize> = HashMap::new();
        let mut seen_rows: HashMap<usize, u32> = HashMap::new();
        let mut out = ParsedReport::default();
        for row in first_data_row..=end.0 {
            let label = cell_text(&self.values, row, h.label_col);
            let key = normalize_label(&label);
            let has_values = value_cols.iter().any(|(_, c)| {
                !cell_text(&self.values, row, *c).trim().is_empty()
                    || self.formula(row, *c).is_some()
            });
            if key.is_empty() {
                if has_values {
                    problems.push(CellProblem {
                        cell: Some(self.at(row, h.label_col)),
                        message: format!(
                            "{}: dòng có số liệu nhưng không có tên hoạt động",
                            self.at(row, h.label_col)
                        ),
                    });
                }
                continue;
            }
            let n = used.entry(key.clone()).or_insert(0);
            let Some(idx) = by_label.get(&key).and_then(|v| v.get(*n)).copied() else {
                if has_values {
                    let shown: String = label.trim().chars().take(80).collect();
                    problems.push(CellProblem {
                        cell: Some(self.at(row, h.label_col)),
                        message: format!(
                            "{}: dòng «{shown}» không có trong mẫu \"{}\" (phiên bản {})",
                            self.at(row, h.label_col),
                            t.name,
                            t.version
                        ),
                    });
                }
                continue;
            };
            *n += 1;
            seen_rows.insert(idx, row);
            let ind = &t.indicators[idx];
            out.rows.insert(ind.code.clone(), self.at(row, h.label_col));
            for (ci, c) in &value_cols {
                let col = &t.columns[*ci];
                let at = self.at(row, *c);
                let takes = ind.columns.iter().any(|k| k == &col.key);
                let value = self
                    .values
                    .get_value((row, *c))
                    .cloned()
                    .unwrap_or(Data::Empty);
                let here = |m: String| CellProblem {
                    cell: Some(at.clone()),
                    message: format!("{at}: {m} ({})", cell_name(t, ind, &col.key)),
                };
                if let Some(f) = self.formula(row, *c) {
                    let shown: String = f.chars().take(60).collect();
                    problems.push(here(format!(
                        "ô có công thức \"={}\"; hãy nhập số (dòng tổng để trống sẽ được tự cộng)",
                        shown.trim_start_matches('=')
                    )));
                    continue;
                }
                let parsed: Result<Option<i64>, String> = match &value {
                    Data::Empty => Ok(None),
                    Data::Int(i) => Ok(Some(*i)),
                    Data::Float(x) => {
                        if x.fract() != 0.0 {
                            Err(format!(
                                "\"{}\" {}",
                                x,
                                IntegerProblem::Fraction.message_vi()
                            ))
                        } else if x.abs() > 9.0e15 {
                            Err(format!(
                                "\"{}\" {}",
                                text_of(&value),
                                IntegerProblem::TooLarge.message_vi()
                            ))
                        } else {
                            Ok(Some(*x as i64))
                        }
                    }
                    Data::String(s) => parse_integer_vi(s).map_err(|p| {
                        let shown: String = s.trim().chars().take(40).collect();
                        format!("\"{shown}\" {}", p.message_vi())
                    }),
                    Data::Error(e) => Err(format!("ô báo lỗi {e}, không phải số")),
                    other => Err(format!(
                        "\"{other}\" {}",
                        IntegerProblem::NotANumber.message_vi()
                    )),
                };
                match parsed {
                    Err(m) => problems.push(here(m)),
                    Ok(None) => {}
                    Ok(Some(_)) if !takes => problems.push(here(format!(
                        "dòng này không nhận số liệu ở cột \"{}\"; hãy để trống",
                        col.label
                    ))),
                    Ok(Some(v)) if v < 0 => {
                        problems.push(here(format!("không được là số âm ({})", number_vi(v))))
                    }
                    Ok(Some(v)) => {
                        out.figures.set(&ind.code, &col.key, Some(v));
                    }
                }
                if takes {
                    out.cells
                        .insert((ind.code.clone(), col.key.clone()), at.clone());
                }
            }
            if let Some(nc) = h.notes_col {
                let note = cell_text(&self.values, row, nc).trim().to_string();
                if !note.is_empty() {
                    out.notes.insert(ind.code.clone(), note);
                }
            }
        }
        // Rows of the template that take values and are missing from the sheet are
        // simply blank; a sheet with none of them is not this template.
        if seen_rows.is_empty() && problems.is_empty() {
            problems.push(CellProblem {
                cell: None,
                message: format!(
                    "trang \"{}\": không có dòng nào khớp với mẫu \"{}\"",
                    self.sheet, t.name
                ),
            });
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(problems)
        }
    }
}
