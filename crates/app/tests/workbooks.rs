//! Excel workbooks through the real store and real readers: openpyxl fills what we
//! export and reads it back, LibreOffice converts it to CSV, Quận 7's ten phường
//! workbooks (in one .zip) consolidate to the sum computed here, and every bad file is
//! refused with a message naming the file and cell, changing nothing.
//!
//! Needs python3 with openpyxl and LibreOffice (`soffice`): the tests fail if missing.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use tuanle_app::workbooks::{expand_upload, FileResult, ImportSummary};
use tuanle_app::{Actor, App};
use tuanle_domain::report::{Basis, ReportAction, ReportStatus};
use tuanle_domain::template::{RowKind, Template};
use tuanle_sheets::write::{cell_ref, HEADER_ROW};

const CAMPAIGN: i64 = 1;

fn readers() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/readers")
}

fn python(script: &str, args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg(readers().join(script))
        .args(args)
        .output()
        .expect("python3 must be installed (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "{script} failed (is openpyxl installed?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Fills cells of `bytes` with openpyxl and returns the saved workbook.
fn fill(bytes: &[u8], cells: Value) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("in.xlsx"), dir.path().join("out.xlsx"));
    std::fs::write(&a, bytes).unwrap();
    python(
        "xlsx_fill.py",
        &[a.to_str().unwrap(), b.to_str().unwrap(), &cells.to_string()],
    );
    std::fs::read(&b).unwrap()
}

/// What openpyxl reads from a workbook.
fn read(bytes: &[u8]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("in.xlsx");
    std::fs::write(&a, bytes).unwrap();
    serde_json::from_str(&python("xlsx_read.py", &[a.to_str().unwrap()])).unwrap()
}

/// The cell of (row code, column key) in our report sheet, "D10".
fn at(t: &Template, row: &str, col: &str) -> String {
    let r = t.row_index(row).unwrap() as u32;
    let c = t.column_index(col).unwrap() as u16;
    cell_ref(HEADER_ROW + 1 + r, 3 + c)
}

async fn actor(app: &App, username: &str) -> Actor {
    let user = app.store.user_by_username(username).await.unwrap().unwrap();
    let unit = app.store.unit(user.unit_id).await.unwrap().unwrap();
    Actor {
        user,
        unit,
        ip: None,
    }
}

async fn demo() -> (tuanle_store::testing::TestDb, App, Template) {
    let db = tuanle_store::testing::fresh_db().await;
    let app = App::open(&db.url).await.unwrap();
    assert_eq!(app.build_demo().await.unwrap(), CAMPAIGN);
    let c = app.campaign(CAMPAIGN).await.unwrap();
    let t = app.template(c.template_id).await.unwrap();
    (db, app, t)
}

/// Plausible figures for every value row (seeded by `k`), totals equal to their parts,
/// as (row, column, value).
fn figures_for(t: &Template, k: i64) -> Vec<(String, String, i64)> {
    let mut out: Vec<(String, String, i64)> = Vec::new();
    for (i, ind) in t.indicators.iter().enumerate() {
        if ind.kind != RowKind::Value {
            continue;
        }
        let count = 1 + (k * 7 + i as i64 * 3) % 5;
        for col in &ind.columns {
            let v = match col.as_str() {
                "people" => count * (10 + (k + i as i64) % 20),
                _ if ind.money => 1_000_000 * (k + 1) + i as i64,
                _ => count,
            };
            out.push((ind.code.clone(), col.clone(), v));
        }
    }
    for ind in &t.indicators {
        if let RowKind::Total { of } = &ind.kind {
            for col in &ind.columns {
                let s: i64 = t
                    .parts_of(of, col)
                    .filter_map(|p| {
                        out.iter()
                            .find(|(r, c, _)| r == &p.code && c == col)
                            .map(|x| x.2)
                    })
                    .sum();
                out.push((ind.code.clone(), col.clone(), s));
            }
        }
    }
    out
}

fn cells_json(t: &Template, figures: &[(String, String, i64)], notes: &[(&str, &str)]) -> Value {
    let mut m = serde_json::Map::new();
    for (r, c, v) in figures {
        m.insert(at(t, r, c), json!(v));
    }
    for (r, n) in notes {
        let row = t.row_index(r).unwrap() as u32;
        m.insert(
            cell_ref(HEADER_ROW + 1 + row, 3 + t.columns.len() as u16),
            json!(n),
        );
    }
    json!({ "Báo cáo": m })
}

fn all_lines(s: &ImportSummary) -> String {
    s.files
        .iter()
        .flat_map(|f| f.lines_vi())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn openpyxl_fills_the_export_and_the_import_stores_it_cell_for_cell() {
    let (_db, app, t) = demo().await;
    let tanphong = actor(&app, "tanphong").await;
    let (name, blank) = app
        .report_workbook(&tanphong, CAMPAIGN, "27490", false)
        .await
        .unwrap();
    assert_eq!(name, "bao-cao-2021-27490-mau-trong.xlsx");
    // openpyxl sees a protected sheet, unlocked and validated input cells, our heading
    // with its diacritics, and the hidden metadata sheet.
    let seen = read(&blank);
    let sheet = &seen["Báo cáo"];
    assert_eq!(sheet["protected"], json!(true));
    assert_eq!(
        sheet["cells"]["A2"],
        json!("Đơn vị: Phường Tân Phong (mã 27490)")
    );
    assert_eq!(sheet["cells"]["A4"], json!("Hạn báo cáo: 12/10/2021"));
    let c101 = at(&t, "1.01", "count");
    assert_eq!(
        sheet["cells"][format!("B{}", &c101[1..])],
        json!(t.indicator("1.01").unwrap().label)
    );
    let unlocked: Vec<&str> = sheet["unlocked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(unlocked.contains(&c101.as_str()), "{unlocked:?}");
    assert!(!unlocked.contains(&format!("B{}", &c101[1..]).as_str()));
    let dv = sheet["validations"].as_array().unwrap();
    assert!(
        dv.iter().any(|v| v["type"] == "whole"
            && v["operator"] == "greaterThanOrEqual"
            && v["formula1"] == "0"
            && v["sqref"].as_str().unwrap().split(' ').any(|r| r == c101)),
        "{dv:?}"
    );
    assert_eq!(seen["tuanle"]["state"], json!("veryHidden"));
    assert_eq!(seen["tuanle"]["cells"]["B5"], json!("27490"));

    // A person fills it in (openpyxl), with a note in Vietnamese.
    let figures = figures_for(&t, 3);
    let note = "Hội thi «Đọc sách cùng con» tổ chức trực tuyến";
    let filled = fill(&blank, cells_json(&t, &figures, &[("11", note)]));
    let s = app
        .import_workbooks(
            &tanphong,
            Some(CAMPAIGN),
            vec![("tan-phong.xlsx".into(), filled)],
            ReportAction::Save,
            |_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(s.imported, 1, "{}", all_lines(&s));
    assert_eq!(s.files[0].unit_code.as_deref(), Some("27490"));
    let view = app.report_view(&tanphong, CAMPAIGN, "27490").await.unwrap();
    let rec = view.record.unwrap();
    assert_eq!(rec.row.status, ReportStatus::Draft);
    let stored: Vec<(String, String, i64)> = rec
        .content
        .figures
        .0
        .iter()
        .flat_map(|(r, cols)| cols.iter().map(move |(c, v)| (r.clone(), c.clone(), *v)))
        .collect();
    let mut written = figures.clone();
    written.sort();
    assert_eq!(
        stored, written,
        "stored values equal what was written, cell for cell"
    );
    assert_eq!(rec.content.notes.get("11").map(String::as_str), Some(note));

    // Export prefilled → import with no change: the report is unchanged.
    let (_, prefilled) = app
        .report_workbook(&tanphong, CAMPAIGN, "27490", true)
        .await
        .unwrap();
    let again = read(&prefilled);
    assert_eq!(
        again["Báo cáo"]["cells"][&c101],
        json!(
            figures
                .iter()
                .find(|f| f.0 == "1.01" && f.1 == "count")
                .unwrap()
                .2
        )
    );
    let s = app
        .import_workbooks(
            &tanphong,
            None,
            vec![("lai.xlsx".into(), prefilled.clone())],
            ReportAction::Save,
            |_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(
        s.files[0].result,
        FileResult::Unchanged,
        "{}",
        all_lines(&s)
    );
    let after = app
        .report_view(&tanphong, CAMPAIGN, "27490")
        .await
        .unwrap()
        .record
        .unwrap();
    assert_eq!(after.row.version, rec.row.version);
    assert_eq!(after.content, rec.content);

    // LibreOffice reads it too: the CSV of the report sheet has the heading and numbers.
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("bao-cao.xlsx");
    std::fs::write(&x, &prefilled).unwrap();
    let profile = format!("-env:UserInstallation=file://{}/lo", dir.path().display());
    let out = Command::new("soffice")
        .args([
            profile.as_str(),
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
        ])
        .arg(dir.path())
        .arg(&x)
        .output()
        .expect("LibreOffice (soffice) must be installed (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(dir.path().join("bao-cao.csv"))
        .expect("csv written by LibreOffice");
    assert!(csv.contains("Đơn vị: Phường Tân Phong (mã 27490)"), "{csv}");
    let line = csv
        .lines()
        .find(|l| l.contains("Bồi dưỡng nâng cao trình độ chuyên môn"))
        .unwrap();
    let f101 = |c: &str| {
        figures
            .iter()
            .find(|f| f.0 == "1.01" && f.1 == c)
            .unwrap()
            .2
    };
    // Numbers are formatted #,##0 and LibreOffice writes them as shown.
    assert!(line.contains(&format!(",{},", f101("count"))), "{line}");
    assert!(line.contains(&f101("people").to_string()), "{line}");
    assert!(csv.contains(note), "{csv}");
}

const WARDS: [&str; 10] = [
    "27466", "27469", "27472", "27475", "27478", "27481", "27484", "27487", "27490", "27493",
];

#[tokio::test]
async fn quan7_consolidation_equals_the_sum_of_its_ten_ward_workbooks() {
    let (_db, app, t) = demo().await;
    let quan7 = actor(&app, "quan7").await;
    // Reports already sent are returned first, so that the workbooks can be submitted.
    for w in WARDS {
        let v = app.report_view(&quan7, CAMPAIGN, w).await.unwrap();
        if let Some(r) = v.record {
            if matches!(
                r.row.status,
                ReportStatus::Submitted | ReportStatus::Accepted
            ) {
                app.review_report(
                    &quan7,
                    CAMPAIGN,
                    w,
                    ReportAction::Return,
                    "Nộp lại bằng tệp Excel",
                )
                .await
                .unwrap();
            }
        }
    }
    // Ten workbooks, filled with openpyxl, in one .zip.
    let mut expected = vec![0i64; t.slot_count()];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (k, w) in WARDS.iter().enumerate() {
        let (name, blank) = app
            .report_workbook(&quan7, CAMPAIGN, w, false)
            .await
            .unwrap();
        let figures = figures_for(&t, k as i64);
        for (r, c, v) in &figures {
            expected[t.slot(r, c).unwrap()] += v;
        }
        let filled = fill(&blank, cells_json(&t, &figures, &[]));
        zip.start_file(
            format!("phuong/{name}"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(&filled).unwrap();
    }
    let zip = zip.finish().unwrap().into_inner();
    let files = expand_upload("quan7.zip", zip).unwrap();
    assert_eq!(files.len(), 10);
    let mut seen = Vec::new();
    let s = app
        .import_workbooks(
            &quan7,
            Some(CAMPAIGN),
            files,
            ReportAction::Submit,
            |d, n| seen.push((d, n)),
        )
        .await
        .unwrap();
    assert_eq!(s.imported, 10, "{}", all_lines(&s));
    assert_eq!(seen.last(), Some(&(10, 10)));
    // The other reports counted in Quận 7: its own and the TTHTCĐ ones, added as read.
    for code in ["778", "27466-TTHTCD", "27472-TTHTCD"] {
        let v = app.report_view(&quan7, CAMPAIGN, code).await.unwrap();
        let r = v.record.unwrap();
        assert!(r.row.status.counts_in(Basis::Submitted));
        for (slot, x) in r.content.figures.to_vector(&t).into_iter().enumerate() {
            expected[slot] += x;
        }
    }
    let c = app
        .consolidation(&quan7, CAMPAIGN, "778", Basis::Submitted)
        .await
        .unwrap();
    assert_eq!(c.totals.values, expected);
    // The consolidated workbook shows the same numbers to openpyxl, and its CSV too.
    let (_, wb) = app
        .consolidation_workbook(&quan7, CAMPAIGN, "778", Basis::Submitted)
        .await
        .unwrap();
    let seen = read(&wb);
    let row = HEADER_ROW + 2 + t.row_index("1").unwrap() as u32;
    assert_eq!(
        seen["Tổng hợp"]["cells"][format!("D{row}")],
        json!(expected[t.slot("1", "count").unwrap()])
    );
    assert_eq!(
        seen["Tổng hợp"]["cells"]["A2"],
        json!("Đơn vị tổng hợp: Quận 7 (mã 778)")
    );
    let completeness = &seen["Tình hình nộp"]["cells"];
    assert!(completeness
        .as_object()
        .unwrap()
        .values()
        .any(|v| v == "Phường Tân Thuận Đông"));
    let (_, csv) = app
        .consolidation_csv(
            &quan7,
            CAMPAIGN,
            "778",
            Basis::Submitted,
            tuanle_sheets::write::CsvPart::Table,
        )
        .await
        .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("row_code,stt,label,unit,column,column_label,value\n"));
    assert!(csv.contains("1.01,,\"Bồi dưỡng nâng cao trình độ chuyên môn nghiệp vụ cho cán bộ, công chức, viên chức (các cấp)\""), "{csv}");
    let line = csv
        .lines()
        .find(|l| l.starts_with("1.01,") && l.contains(",people,"))
        .unwrap();
    assert!(
        line.ends_with(&format!(",{}", expected[t.slot("1.01", "people").unwrap()])),
        "{line}"
    );
}

/// A snapshot of everything an import could change.
async fn snapshot(app: &App, a: &Actor) -> (BTreeMap<String, Option<(i64, String)>>, Vec<i64>) {
    let mut m = BTreeMap::new();
    for w in WARDS.iter().chain(["25747"].iter()) {
        let unit = app
            .store
            .unit_by_code(a.unit.tree_id, w)
            .await
            .unwrap()
            .unwrap();
        let r = app.store.report(CAMPAIGN, unit.id).await.unwrap();
        m.insert(
            w.to_string(),
            r.map(|r| (r.row.version, format!("{:?}", r.content))),
        );
    }
    let c = app
        .consolidation(a, CAMPAIGN, "778", Basis::Submitted)
        .await
        .unwrap();
    (m, c.totals.values)
}

#[tokio::test]
async fn every_bad_file_gets_a_named_message_and_changes_nothing() {
    let (_db, app, t) = demo().await;
    let quan7 = actor(&app, "quan7").await;
    let admin = actor(&app, "admin").await;
    let (_, blank) = app
        .report_workbook(&quan7, CAMPAIGN, "27490", false)
        .await
        .unwrap();
    let (_, outside) = app
        .report_workbook(&admin, CAMPAIGN, "25747", false)
        .await
        .unwrap();
    let c101 = at(&t, "1.01", "count");
    let p101 = at(&t, "1.01", "people");
    let c102 = at(&t, "1.02", "count");
    let mut corrupt = blank.clone();
    corrupt.truncate(blank.len() / 2);
    let mut encrypted = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    encrypted.extend(vec![0u8; 1024]);
    encrypted.extend(
        "EncryptionInfo"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    bomb.start_file(
        "[Content_Types].xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    bomb.write_all(&vec![b' '; 40 * 1024 * 1024]).unwrap();
    let bomb = bomb.finish().unwrap().into_inner();
    let mut oversized = b"PK\x03\x04".to_vec();
    oversized.extend(vec![7u8; tuanle_app::workbooks::MAX_WORKBOOK_BYTES]);
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        ("ghi-chu.txt", "Báo cáo bằng chữ".as_bytes().to_vec(), "ghi-chu.txt: không phải tệp Excel (.xlsx)".into()),
        ("mat-khau.xlsx", encrypted, "mat-khau.xlsx: tệp Excel được bảo vệ bằng mật khẩu".into()),
        ("hong.xlsx", corrupt, "hong.xlsx: ".into()),
        ("bom.xlsx", bomb, "bom.xlsx: tệp nén bất thường".into()),
        ("qua-lon.xlsx", oversized, "qua-lon.xlsx: tệp quá lớn".into()),
        (
            "cong-thuc.xlsx",
            fill(&blank, json!({"Báo cáo": {c101.clone(): "=1+2"}})),
            format!("cong-thuc.xlsx → Phường Tân Phong (27490): Báo cáo!{c101}: ô có công thức \"=1+2\""),
        ),
        (
            "chu.xlsx",
            fill(&blank, json!({"Báo cáo": {c101.clone(): "12 lớp"}})),
            format!("chu.xlsx → Phường Tân Phong (27490): Báo cáo!{c101}: \"12 lớp\" không phải số nguyên"),
        ),
        (
            "am.xlsx",
            fill(&blank, json!({"Báo cáo": {c102.clone(): -3, p101.clone(): 5}})),
            format!("am.xlsx → Phường Tân Phong (27490): Báo cáo!{c102}: không được là số âm (-3)"),
        ),
        (
            "phien-ban.xlsx",
            fill(&blank, json!({"tuanle": {"B4": "2"}, "Báo cáo": {c101.clone(): 1}})),
            "phien-ban.xlsx: tệp theo mẫu \"tuanle-2021\" phiên bản 2, nhưng Tuần lễ dùng mẫu \"tuanle-2021\" phiên bản 1".into(),
        ),
        (
            "don-vi-la.xlsx",
            fill(&blank, json!({"tuanle": {"B5": "99999"}, "Báo cáo": {c101.clone(): 1}})),
            "don-vi-la.xlsx: không có đơn vị mã \"99999\"".into(),
        ),
        (
            "ngoai-pham-vi.xlsx",
            fill(&outside, json!({"Báo cáo": {c101.clone(): 1}})),
            "ngoai-pham-vi.xlsx: đơn vị \"Phường Phú Cường\" (mã 25747) nằm ngoài phạm vi quản lý của bạn".into(),
        ),
    ];
    let before = snapshot(&app, &quan7).await;
    for (name, bytes, want) in cases {
        let files = expand_upload(name, bytes).unwrap();
        let s = app
            .import_workbooks(
                &quan7,
                Some(CAMPAIGN),
                files,
                ReportAction::Submit,
                |_, _| {},
            )
            .await
            .unwrap();
        assert_eq!((s.imported, s.failed), (0, 1), "{name}: {}", all_lines(&s));
        let lines = all_lines(&s);
        assert!(
            lines.contains(&want),
            "{name}: want «{want}», got:\n{lines}"
        );
        assert_eq!(
            snapshot(&app, &quan7).await,
            before,
            "{name} changed something"
        );
    }
    // A .zip bomb uploaded as an archive is refused before anything is read.
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file("a.xlsx", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(&vec![0u8; 30 * 1024 * 1024]).unwrap();
    let z = z.finish().unwrap().into_inner();
    assert_eq!(
        expand_upload("bom.zip", z).unwrap_err().to_string(),
        "tệp nén bất thường (tỉ lệ nén hoặc dung lượng giải nén vượt giới hạn) — từ chối vì nghi là \"bom zip\""
    );
}
