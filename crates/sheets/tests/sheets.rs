//! Report workbooks written and read back, hand-built workbooks, and bad cells.

use chrono::NaiveDate;
use rust_xlsxwriter::{Formula, Workbook};
use tuanle_domain::report::ReportContent;
use tuanle_domain::template::Template;
use tuanle_sheets::read::open_workbook;
use tuanle_sheets::write::{report_workbook, ReportSheet};
use tuanle_sheets::SheetError;

fn sheet<'a>(t: &'a Template, content: Option<&'a ReportContent>) -> ReportSheet<'a> {
    ReportSheet {
        template: t,
        unit_code: "27490",
        unit_name: "Phường Tân Phong",
        campaign_id: 1,
        campaign_name: "Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        period: (
            NaiveDate::from_ymd_opt(2021, 10, 1).unwrap(),
            NaiveDate::from_ymd_opt(2021, 10, 7).unwrap(),
        ),
        deadline: NaiveDate::from_ymd_opt(2021, 10, 12),
        content,
    }
}

#[test]
fn a_prefilled_workbook_reads_back_cell_for_cell() {
    let t = Template::builtin_2021();
    let mut c = ReportContent::default();
    c.figures.set("1.01", "count", Some(2));
    c.figures.set("1.01", "people", Some(45));
    c.figures.set("10.1", "count", Some(12_500_000_000));
    c.notes
        .insert("11".into(), "Tổ chức hội thi «Đọc sách cùng con»".into());
    let bytes = report_workbook(&sheet(&t, Some(&c))).unwrap();
    let wb = open_workbook(&bytes).unwrap();
    let meta = wb.metadata.clone().unwrap();
    assert_eq!(
        (meta.template_code.as_str(), meta.template_version),
        ("tuanle-2021", 1)
    );
    assert_eq!(meta.unit_code, "27490");
    assert_eq!(meta.campaign_id, Some(1));
    assert_eq!(
        wb.heading_unit.clone().unwrap().code.as_deref(),
        Some("27490")
    );
    let p = wb.parse(&t).unwrap();
    assert_eq!(p.figures, c.figures);
    assert_eq!(p.notes, c.notes);
    // Row 1.01 is the third indicator: sheet row 7 + 2 + 1 = 10; "Người" is column E.
    assert_eq!(
        p.position(Some("1.01"), Some("people")),
        Some("Báo cáo!E10")
    );
    let blank = open_workbook(&report_workbook(&sheet(&t, None)).unwrap())
        .unwrap()
        .parse(&t)
        .unwrap();
    assert!(blank.figures.is_empty());
}

/// A workbook typed by a person: same visible layout, no hidden sheet, some bad cells.
fn hand_built(
    cells: &[(u32, u16, &str)],
    numbers: &[(u32, u16, f64)],
    formula: Option<(u32, u16, &str)>,
) -> Vec<u8> {
    let t = Template::builtin_2021();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "BẢNG TỔNG HỢP").unwrap();
    ws.write_string(1, 0, "Đơn vị: Phường Tân Phong").unwrap();
    for (c, h) in [
        "STT",
        "Các hoạt động",
        "Đơn vị",
        "Số lớp/số cuộc thi",
        "Người",
        "Ghi chú",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(3, c as u16, *h).unwrap();
    }
    for (i, ind) in t.indicators.iter().enumerate() {
        ws.write_string(4 + i as u32, 0, &ind.stt).unwrap();
        // People retype labels with other spacing and case.
        ws.write_string(4 + i as u32, 1, format!("  {} ", ind.label.to_uppercase()))
            .unwrap();
    }
    for (r, c, s) in cells {
        ws.write_string(*r, *c, *s).unwrap();
    }
    for (r, c, v) in numbers {
        ws.write_number(*r, *c, *v).unwrap();
    }
    if let Some((r, c, f)) = formula {
        ws.write_formula(r, c, Formula::new(f)).unwrap();
    }
    ws.write_string(60, 1, "Người lập biểu").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_hand_built_workbook_is_matched_by_labels() {
    let t = Template::builtin_2021();
    // Row 1.01 is at sheet row 4 + 2 = 6 (0-based).
    let bytes = hand_built(&[(6, 4, "1.200")], &[(6, 3, 3.0)], None);
    let wb = open_workbook(&bytes).unwrap();
    assert!(wb.metadata.is_none());
    let hu = wb.heading_unit.clone().unwrap();
    assert_eq!((hu.name.as_str(), hu.code), ("Phường Tân Phong", None));
    let p = wb.parse(&t).unwrap();
    assert_eq!(p.figures.get("1.01", "count"), Some(3));
    assert_eq!(p.figures.get("1.01", "people"), Some(1200));
}

#[test]
fn bad_cells_are_named_by_sheet_and_cell() {
    let t = Template::builtin_2021();
    let bytes = hand_built(
        &[(6, 3, "12 lớp"), (48, 1, "Hoạt động lạ"), (48, 3, "4")],
        &[(7, 3, -2.0), (8, 4, 1.5), (5, 3, 7.0)],
        Some((9, 3, "=SUM(D6:D8)")),
    );
    let errs = open_workbook(&bytes).unwrap().parse(&t).unwrap_err();
    let msgs: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
    let has = |needle: &str| msgs.iter().any(|m| m.contains(needle));
    assert!(
        has("Sheet1!D7: \"12 lớp\" không phải số nguyên"),
        "{msgs:#?}"
    );
    assert!(has("Sheet1!D8: không được là số âm (-2)"), "{msgs:#?}");
    assert!(has("Sheet1!E9: \"1.5\" phải là số nguyên"), "{msgs:#?}");
    assert!(
        has("Sheet1!D10: ô có công thức \"=SUM(D6:D8)\""),
        "{msgs:#?}"
    );
    assert!(
        has("Sheet1!B49: dòng «Hoạt động lạ» không có trong mẫu"),
        "{msgs:#?}"
    );
    // Row 1.0 (sheet row 6) takes people only.
    assert!(
        has("Sheet1!D6: dòng này không nhận số liệu ở cột \"Số lớp/số cuộc thi\""),
        "{msgs:#?}"
    );
    assert_eq!(errs.len(), 6, "{msgs:#?}");
}

#[test]
fn files_that_are_not_workbooks_are_refused() {
    assert_eq!(
        open_workbook(b"hello").unwrap_err(),
        SheetError::NotAWorkbook
    );
    let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    cfb.extend(vec![0u8; 600]);
    cfb.extend(
        "EncryptionInfo"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    assert_eq!(open_workbook(&cfb).unwrap_err(), SheetError::Encrypted);
    let t = Template::builtin_2021();
    let mut good = report_workbook(&sheet(&t, None)).unwrap();
    good.truncate(good.len() / 2);
    assert!(matches!(
        open_workbook(&good).unwrap_err(),
        SheetError::Corrupt(_) | SheetError::NotAWorkbook
    ));
}

/// Every workbook in tests/fuzz-crashes/ once made the reader panic; each must now be
/// refused with an error (and the panic must not escape `open_workbook`).
#[test]
fn inputs_that_crashed_the_reader_are_refused_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-crashes");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("xlsx") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| open_workbook(&bytes));
        let result = outcome.unwrap_or_else(|_| panic!("{} panicked", path.display()));
        assert!(
            matches!(result, Err(SheetError::Corrupt(_))),
            "{}: {:?}",
            path.display(),
            result.map(|b| b.sheet)
        );
        seen += 1;
    }
    assert!(seen >= 1, "no crash inputs in {}", dir.display());
}
