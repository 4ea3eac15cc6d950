//! Xuất bảng tính — workbooks and CSV written by tuanle.

use chrono::NaiveDate;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties, Format,
    FormatAlign, FormatBorder, Formula, ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use tuanle_domain::format::date_vi;
use tuanle_domain::report::ReportContent;
use tuanle_domain::template::{RowKind, Template};

use crate::{SheetError, FORMAT_VERSION, META_SHEET, REPORT_SHEET};

/// Row (0-based) of the table heading in the report sheet; indicator rows follow it.
pub const HEADER_ROW: u32 = 6;
/// Fixed leading columns: STT, Các hoạt động, Đơn vị.
pub const LEAD_COLUMNS: [&str; 3] = ["STT", "Các hoạt động", "Đơn vị"];
/// Heading of the notes column.
pub const NOTES_HEADING: &str = "Ghi chú";

impl From<XlsxError> for SheetError {
    fn from(e: XlsxError) -> Self {
        SheetError::Write(e.to_string())
    }
}

/// What a report workbook is about.
#[derive(Debug, Clone)]
pub struct ReportSheet<'a> {
    pub template: &'a Template,
    pub unit_code: &'a str,
    pub unit_name: &'a str,
    pub campaign_id: i64,
    pub campaign_name: &'a str,
    pub period: (NaiveDate, NaiveDate),
    pub deadline: Option<NaiveDate>,
    /// Values to prefill; `None` gives a blank workbook.
    pub content: Option<&'a ReportContent>,
}

/// Excel column letters of a 0-based column ("A", "B", …, "AA").
pub fn column_letters(mut col: u16) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ascii")
}

/// "D12" for 0-based (row 11, column 3).
pub fn cell_ref(row: u32, col: u16) -> String {
    format!("{}{}", column_letters(col), row + 1)
}

struct Formats {
    title: Format,
    head: Format,
    heading: Format,
    text: Format,
    text_bold: Format,
    locked_grey: Format,
    input: Format,
    input_total: Format,
    note: Format,
    number: Format,
}

fn formats() -> Formats {
    let base = Format::new()
        .set_font_name("Times New Roman")
        .set_font_size(12);
    let cell = base.clone().set_border(FormatBorder::Thin).set_text_wrap();
    Formats {
        title: base
            .clone()
            .set_bold()
            .set_font_size(14)
            .set_align(FormatAlign::Center)
            .set_text_wrap(),
        head: base.clone(),
        heading: cell
            .clone()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_background_color(Color::RGB(0xD9E1F2)),
        text: cell.clone().set_align(FormatAlign::VerticalCenter),
        text_bold: cell
            .clone()
            .set_bold()
            .set_align(FormatAlign::VerticalCenter),
        locked_grey: cell.clone().set_background_color(Color::RGB(0xEDEDED)),
        input: cell
            .clone()
            .set_unlocked()
            .set_num_format("#,##0")
            .set_background_color(Color::RGB(0xFFF9E5)),
        input_total: cell
            .clone()
            .set_bold()
            .set_unlocked()
            .set_num_format("#,##0")
            .set_background_color(Color::RGB(0xFFF2CC)),
        note: cell.clone().set_unlocked(),
        number: cell.set_num_format("#,##0"),
    }
}

/// Heading lines above a table.
fn write_heading(
    ws: &mut Worksheet,
    f: &Formats,
    last_col: u16,
    lines: &[String],
) -> Result<(), XlsxError> {
    ws.merge_range(0, 0, 0, last_col, &lines[0], &f.title)?;
    ws.set_row_height(0, 36)?;
    for (i, line) in lines.iter().enumerate().skip(1) {
        ws.write_string_with_format(i as u32, 0, line, &f.head)?;
    }
    Ok(())
}

fn write_table_heading(
    ws: &mut Worksheet,
    f: &Formats,
    t: &Template,
    with_notes: bool,
) -> Result<u16, XlsxError> {
    let mut col = 0u16;
    for h in LEAD_COLUMNS {
        ws.write_string_with_format(HEADER_ROW, col, h, &f.heading)?;
        col += 1;
    }
    for c in &t.columns {
        ws.write_string_with_format(HEADER_ROW, col, &c.label, &f.heading)?;
        ws.set_column_width(col, 14)?;
        col += 1;
    }
    if with_notes {
        ws.write_string_with_format(HEADER_ROW, col, NOTES_HEADING, &f.heading)?;
        ws.set_column_width(col, 30)?;
        col += 1;
    }
    ws.set_column_width(0, 6)?;
    ws.set_column_width(1, 60)?;
    ws.set_column_width(2, 16)?;
    ws.set_row_height(HEADER_ROW, 32)?;
    Ok(col - 1)
}

fn doc_properties(title: &str) -> DocProperties {
    DocProperties::new()
        .set_title(title)
        .set_author("tuanle")
        .set_company("Tuần lễ hưởng ứng học tập suốt đời")
}

/// Xuất báo cáo ra Excel — the report workbook of one unit, blank or prefilled.
pub fn report_workbook(s: &ReportSheet<'_>) -> Result<Vec<u8>, SheetError> {
    let t = s.template;
    let f = formats();
    let mut wb = Workbook::new();
    wb.set_properties(
        &doc_properties(&format!("{} — {}", t.name, s.unit_name))
            .set_custom_property("tuanle_template", t.code.as_str())
            .set_custom_property("tuanle_template_version", t.version.to_string().as_str())
            .set_custom_property("tuanle_unit", s.unit_code),
    );
    let ws = wb.add_worksheet();
    ws.set_name(REPORT_SHEET)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    let notes_col = 3 + t.columns.len() as u16;
    let mut lines = vec![
        t.name.clone(),
        format!("Đơn vị: {} (mã {})", s.unit_name, s.unit_code),
        format!(
            "Tuần lễ: {} ({} – {})",
            s.campaign_name,
            date_vi(s.period.0),
            date_vi(s.period.1)
        ),
        format!(
            "Hạn báo cáo: {}",
            s.deadline.map(date_vi).unwrap_or_else(|| "không quy định".into())
        ),
        "Nhập số nguyên không âm vào các ô nền vàng (không dùng công thức). Dòng tổng để trống sẽ được tự cộng từ các dòng «trong đó».".into(),
    ];
    lines.push(String::new());
    write_heading(ws, &f, notes_col, &lines[..5])?;
    write_table_heading(ws, &f, t, true)?;
    let whole = DataValidation::new()
        .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
        .set_error_title("Số liệu không hợp lệ")?
        .set_error_message("Chỉ nhập số nguyên không âm (0, 1, 2, …).")?
        .set_error_style(DataValidationErrorStyle::Stop);
    for (i, ind) in t.indicators.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        let bold = !matches!(ind.kind, RowKind::Value) || ind.parent.is_none();
        let tf = if bold { &f.text_bold } else { &f.text };
        ws.write_string_with_format(row, 0, &ind.stt, tf)?;
        ws.write_string_with_format(row, 1, &ind.label, tf)?;
        ws.write_string_with_format(row, 2, &ind.unit, &f.text)?;
        for (c, col) in t.columns.iter().enumerate() {
            let x = 3 + c as u16;
            if !ind.columns.iter().any(|k| k == &col.key) {
                ws.write_blank(row, x, &f.locked_grey)?;
                continue;
            }
            let fmt = if matches!(ind.kind, RowKind::Total { .. }) {
                &f.input_total
            } else {
                &f.input
            };
            match s.content.and_then(|c| c.figures.get(&ind.code, &col.key)) {
                Some(v) => ws.write_number_with_format(row, x, v as f64, fmt)?,
                None => ws.write_blank(row, x, fmt)?,
            };
            if ind.money {
                // Money in đồng may exceed Excel's 32-bit whole-number rule.
                let r = cell_ref(row, x);
                let dv = DataValidation::new()
                    .allow_custom(Formula::new(format!(
                        "=AND(ISNUMBER({r}),{r}>=0,{r}=INT({r}))"
                    )))
                    .set_error_title("Số liệu không hợp lệ")?
                    .set_error_message("Chỉ nhập số tiền nguyên không âm (đồng).")?;
                ws.add_data_validation(row, x, row, x, &dv)?;
            } else {
                ws.add_data_validation(row, x, row, x, &whole)?;
            }
        }
        let note = s
            .content
            .and_then(|c| c.notes.get(&ind.code))
            .map(String::as_str)
            .unwrap_or("");
        ws.write_string_with_format(row, notes_col, note, &f.note)?;
    }
    ws.set_freeze_panes(HEADER_ROW + 1, 2)?;
    ws.protect_with_options(&ProtectionOptions {
        format_columns: true,
        format_rows: true,
        ..ProtectionOptions::default()
    });
    ws.set_active(true);
    let meta = wb.add_worksheet();
    meta.set_name(META_SHEET)?;
    let rows: [(&str, String); 6] = [
        ("format", FORMAT_VERSION.to_string()),
        ("kind", "report".into()),
        ("template_code", t.code.clone()),
        ("template_version", t.version.to_string()),
        ("unit_code", s.unit_code.to_string()),
        ("campaign_id", s.campaign_id.to_string()),
    ];
    for (i, (k, v)) in rows.iter().enumerate() {
        meta.write_string(i as u32, 0, *k)?;
        meta.write_string(i as u32, 1, v)?;
    }
    meta.protect();
    meta.set_very_hidden(true);
    Ok(wb.save_to_buffer()?)
}

/// One child unit's line of a consolidated workbook.
#[derive(Debug, Clone)]
pub struct ChildLine {
    pub code: String,
    pub name: String,
    /// Values in template slot order.
    pub values: Vec<i64>,
}

/// One unit's line of the completeness sheet.
#[derive(Debug, Clone)]
pub struct CompletenessLine {
    pub code: String,
    pub name: String,
    /// Status in Vietnamese ("Đã nộp", "Chưa có báo cáo").
    pub status: String,
    /// dd/mm/yyyy hh:mm, Vietnam time, or empty.
    pub submitted_at: String,
    pub late: bool,
}

/// What a consolidated workbook shows.
#[derive(Debug, Clone)]
pub struct ConsolidationSheet<'a> {
    pub template: &'a Template,
    pub unit_code: &'a str,
    pub unit_name: &'a str,
    pub campaign_name: &'a str,
    /// "Cơ sở tổng hợp: …".
    pub basis_label: &'a str,
    /// Totals in template slot order.
    pub totals: &'a [i64],
    pub children: Vec<ChildLine>,
    pub completeness: Vec<CompletenessLine>,
}

/// Name of the consolidated table sheet, the children sheet and the completeness sheet.
pub const CONSOLIDATION_SHEETS: [&str; 3] = ["Tổng hợp", "Theo đơn vị", "Tình hình nộp"];

/// The (row code, column key, heading) of every slot a row takes, in template order.
pub fn slot_headings(t: &Template) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (r, ind) in t.indicators.iter().enumerate() {
        for (c, col) in t.columns.iter().enumerate() {
            if ind.columns.iter().any(|k| k == &col.key) {
                let heading = if ind.columns.len() > 1 || t.columns.len() > 1 {
                    format!("{} {} ({})", ind.code, ind.label, col.label)
                } else {
                    format!("{} {}", ind.code, ind.label)
                };
                out.push((r * t.columns.len() + c, heading));
            }
        }
    }
    out
}

/// Xuất tổng hợp ra Excel — the consolidated table, children × indicators, completeness.
pub fn consolidation_workbook(s: &ConsolidationSheet<'_>) -> Result<Vec<u8>, SheetError> {
    let t = s.template;
    let f = formats();
    let mut wb = Workbook::new();
    wb.set_properties(&doc_properties(&format!("{} — {}", t.name, s.unit_name)));
    // 1. The table in the template's layout.
    let ws = wb.add_worksheet();
    ws.set_name(CONSOLIDATION_SHEETS[0])?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    let last = 2 + t.columns.len() as u16;
    let lines = [
        t.name.clone(),
        format!("Đơn vị tổng hợp: {} (mã {})", s.unit_name, s.unit_code),
        format!("Tuần lễ: {}", s.campaign_name),
        format!("Cơ sở tổng hợp: {}", s.basis_label),
    ];
    write_heading(ws, &f, last, &lines)?;
    write_table_heading(ws, &f, t, false)?;
    for (i, ind) in t.indicators.iter().enumerate() {
        let row = HEADER_ROW + 1 + i as u32;
        let tf = if ind.parent.is_none() {
            &f.text_bold
        } else {
            &f.text
        };
        ws.write_string_with_format(row, 0, &ind.stt, tf)?;
        ws.write_string_with_format(row, 1, &ind.label, tf)?;
        ws.write_string_with_format(row, 2, &ind.unit, &f.text)?;
        for (c, col) in t.columns.iter().enumerate() {
            let x = 3 + c as u16;
            if ind.columns.iter().any(|k| k == &col.key) {
                let v = s.totals.get(i * t.columns.len() + c).copied().unwrap_or(0);
                ws.write_number_with_format(row, x, v as f64, &f.number)?;
            } else {
                ws.write_blank(row, x, &f.locked_grey)?;
            }
        }
    }
    ws.set_freeze_panes(HEADER_ROW + 1, 2)?;
    // 2. Children × indicators.
    let ws = wb.add_worksheet();
    ws.set_name(CONSOLIDATION_SHEETS[1])?;
    let slots = slot_headings(t);
    ws.write_string_with_format(0, 0, "Mã đơn vị", &f.heading)?;
    ws.write_string_with_format(0, 1, "Đơn vị", &f.heading)?;
    ws.set_column_width(1, 40)?;
    for (j, (_, h)) in slots.iter().enumerate() {
        ws.write_string_with_format(0, 2 + j as u16, h, &f.heading)?;
        ws.set_column_width(2 + j as u16, 16)?;
    }
    ws.set_row_height(0, 90)?;
    for (i, child) in s.children.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string_with_format(row, 0, &child.code, &f.text)?;
        ws.write_string_with_format(row, 1, &child.name, &f.text)?;
        for (j, (slot, _)) in slots.iter().enumerate() {
            let v = child.values.get(*slot).copied().unwrap_or(0);
            ws.write_number_with_format(row, 2 + j as u16, v as f64, &f.number)?;
        }
    }
    ws.set_freeze_panes(1, 2)?;
    // 3. Completeness.
    let ws = wb.add_worksheet();
    ws.set_name(CONSOLIDATION_SHEETS[2])?;
    for (j, h) in ["Mã đơn vị", "Đơn vị", "Trạng thái", "Nộp lúc", "Nộp muộn"]
        .iter()
        .enumerate()
    {
        ws.write_string_with_format(0, j as u16, *h, &f.heading)?;
    }
    ws.set_column_width(1, 45)?;
    ws.set_column_width(2, 18)?;
    ws.set_column_width(3, 18)?;
    for (i, l) in s.completeness.iter().enumerate() {
        let row = 1 + i as u32;
        ws.write_string_with_format(row, 0, &l.code, &f.text)?;
        ws.write_string_with_format(row, 1, &l.name, &f.text)?;
        ws.write_string_with_format(row, 2, &l.status, &f.text)?;
        ws.write_string_with_format(row, 3, &l.submitted_at, &f.text)?;
        ws.write_string_with_format(row, 4, if l.late { "Có" } else { "" }, &f.text)?;
    }
    ws.set_freeze_panes(1, 2)?;
    Ok(wb.save_to_buffer()?)
}

/// Which part of a consolidation a CSV holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvPart {
    /// The consolidated table: one line per slot (code, label, column, value).
    Table,
    /// Children × indicators: one line per child, one column per slot.
    Children,
    /// Completeness: unit, status, submitted at, late.
    Completeness,
}

impl CsvPart {
    pub fn parse(s: &str) -> Option<CsvPart> {
        match s {
            "table" => Some(CsvPart::Table),
            "children" => Some(CsvPart::Children),
            "completeness" => Some(CsvPart::Completeness),
            _ => None,
        }
    }
}

/// CSV of a consolidation for machines: UTF-8, comma-separated, plain integers.
pub fn consolidation_csv(s: &ConsolidationSheet<'_>, part: CsvPart) -> Result<Vec<u8>, SheetError> {
    let t = s.template;
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| SheetError::Write(e.to_string());
    match part {
        CsvPart::Table => {
            w.write_record([
                "row_code",
                "stt",
                "label",
                "unit",
                "column",
                "column_label",
                "value",
            ])
            .map_err(err)?;
            for (r, ind) in t.indicators.iter().enumerate() {
                for (c, col) in t.columns.iter().enumerate() {
                    if ind.columns.iter().any(|k| k == &col.key) {
                        let v = s.totals.get(r * t.columns.len() + c).copied().unwrap_or(0);
                        w.write_record([
                            ind.code.as_str(),
                            &ind.stt,
                            &ind.label,
                            &ind.unit,
                            &col.key,
                            &col.label,
                            &v.to_string(),
                        ])
                        .map_err(err)?;
                    }
                }
            }
        }
        CsvPart::Children => {
            let slots = slot_headings(t);
            let mut head = vec!["unit_code".to_string(), "unit_name".to_string()];
            for (slot, _) in &slots {
                let ind = &t.indicators[slot / t.columns.len()];
                head.push(format!(
                    "{}:{}",
                    ind.code,
                    t.columns[slot % t.columns.len()].key
                ));
            }
            w.write_record(&head).map_err(err)?;
            for c in &s.children {
                let mut rec = vec![c.code.clone(), c.name.clone()];
                rec.extend(
                    slots
                        .iter()
                        .map(|(slot, _)| c.values.get(*slot).copied().unwrap_or(0).to_string()),
                );
                w.write_record(&rec).map_err(err)?;
            }
        }
        CsvPart::Completeness => {
            w.write_record(["unit_code", "unit_name", "status", "submitted_at", "late"])
                .map_err(err)?;
            for l in &s.completeness {
                w.write_record([
                    l.code.as_str(),
                    &l.name,
                    &l.status,
                    &l.submitted_at,
                    if l.late { "true" } else { "false" },
                ])
                .map_err(err)?;
            }
        }
    }
    w.into_inner().map_err(|e| SheetError::Write(e.to_string()))
}
