//! Real readers open what we write: python-docx and LibreOffice read the DOCX, pdftotext
//! and pdffonts read the PDF. Missing readers fail the tests (scripts/test.sh installs them).

use std::path::{Path, PathBuf};
use std::process::Command;

use tuanle_documents::*;

/// Every Vietnamese vowel with every tone mark, both cases, and đ/Đ.
const ALL_VI: &str = "aàảãáạ ăằẳẵắặ âầẩẫấậ eèẻẽéẹ êềểễếệ iìỉĩíị oòỏõóọ ôồổỗốộ ơờởỡớợ \
uùủũúụ ưừửữứự yỳỷỹýỵ đ AÀẢÃÁẠ ĂẰẲẴẮẶ ÂẦẨẪẤẬ EÈẺẼÉẸ ÊỀỂỄẾỆ IÌỈĨÍỊ OÒỎÕÓỌ ÔỒỔỖỐỘ ƠỜỞỠỚỢ \
UÙỦŨÚỤ ƯỪỬỮỨỰ YỲỶỸÝỴ Đ";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {cmd:?} (is it installed? scripts/test.sh installs it): {e}")
    });
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// Collapses whitespace so text read back compares regardless of line breaks.
/// Keeps a copy of a generated file for looking at by eye when `TUANLE_KEEP_DOCS` names a
/// directory (outside the repository).
fn keep(path: &Path, name: &str) {
    if let Ok(dir) = std::env::var("TUANLE_KEEP_DOCS") {
        std::fs::copy(path, Path::new(&dir).join(name)).unwrap();
    }
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn sample() -> OfficialDocument {
    let mut doc = OfficialDocument::new(
        ["PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"],
        DocumentKind::Report,
        "Kết quả tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        "Thủ Dầu Một",
        2021,
    );
    doc.governing_body = vec!["Ủy ban nhân dân".into(), "thành phố Thủ Dầu Một".into()];
    doc.number = DocumentNumber::new(220, "BC-PGDĐT");
    doc.date = IssueDate::On(chrono::NaiveDate::from_ymd_opt(2021, 9, 29).unwrap());
    let mut table = Table::new(vec![1.0, 6.0, 2.0, 2.0]);
    table.header = vec![
        vec![
            Cell::new("STT").bold().center().rowspan(2),
            Cell::new("Các hoạt động").bold().center().rowspan(2),
            Cell::new("Số lượng").bold().center().colspan(2),
        ],
        vec![
            Cell::new("Số lớp").bold().center(),
            Cell::new("Người").bold().center(),
        ],
    ];
    for i in 1..=40 {
        table.rows.push(vec![
            Cell::new(i.to_string()).center(),
            Cell::new(format!("Hoạt động thứ {i}: bồi dưỡng, tập huấn")),
            Cell::new(format!("{}", i * 3)).right(),
            Cell::new(format!("{}.{:03}", i, i * 7)).right(),
        ]);
    }
    doc.body = vec![
        Block::heading("I. TỔ CHỨC TRIỂN KHAI TUẦN LỄ"),
        Block::text(format!("Bảng chữ cái: {ALL_VI}.")),
        Block::text("Đoạn văn dài để kiểm tra việc xuống dòng và căn đều hai bên: ".repeat(8)),
        Block::Table(table),
        Block::heading("II. ĐÁNH GIÁ CHUNG"),
        Block::text("Kết thúc báo cáo./."),
    ];
    doc.signature = Signature {
        authority: vec![Authority {
            kind: AuthorityKind::Kt,
            of: "Trưởng phòng".into(),
        }],
        title: "Phó Trưởng phòng".into(),
        name: "Nguyễn Thị Ngọc Ánh".into(),
    };
    doc.recipients = vec!["UBND thành phố".into(), "Sở GDĐT tỉnh Bình Dương".into()];
    doc.archive_unit = Some("GDTX".into());
    doc.appendices = vec![Appendix {
        title: vec!["PHỤ LỤC".into(), "DANH SÁCH ĐƠN VỊ".into()],
        note: Some("(Kèm theo Báo cáo số 220/BC-PGDĐT)".into()),
        body: vec![Block::text("Phường Phú Cường; Phường Hiệp Thành.")],
    }];
    doc
}

#[test]
fn python_docx_reads_every_element_and_every_diacritic() {
    let doc = sample();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bao-cao.docx");
    std::fs::write(&path, to_docx(&doc).unwrap()).unwrap();
    let json = run(Command::new("python3")
        .arg(root().join("tests/readers/docx_dump.py"))
        .arg(&path));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let paragraphs: Vec<String> = v["paragraphs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect();
    let tables = v["tables"].to_string();
    let all = format!("{} {}", paragraphs.join("\n"), tables);
    for needle in [
        "ỦY BAN NHÂN DÂN",
        "THÀNH PHỐ THỦ DẦU MỘT",
        "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 220/BC-PGDĐT",
        "Thủ Dầu Một, ngày 29 tháng 9 năm 2021",
        "BÁO CÁO",
        "Kết quả tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        "I. TỔ CHỨC TRIỂN KHAI TUẦN LỄ",
        ALL_VI,
        "Nơi nhận:",
        "- UBND thành phố;",
        "- Lưu: VT, GDTX.",
        "KT. TRƯỞNG PHÒNG",
        "PHÓ TRƯỞNG PHÒNG",
        "Nguyễn Thị Ngọc Ánh",
        "PHỤ LỤC",
        "(Kèm theo Báo cáo số 220/BC-PGDĐT)",
        "Hoạt động thứ 40: bồi dưỡng, tập huấn",
        "40.280",
    ] {
        assert!(all.contains(needle), "python-docx did not read {needle:?}");
    }
    // Body text comes in body order: heading, then the alphabet paragraph.
    let h = paragraphs
        .iter()
        .position(|p| p == "I. TỔ CHỨC TRIỂN KHAI TUẦN LỄ")
        .unwrap();
    assert_eq!(paragraphs[h + 1], format!("Bảng chữ cái: {ALL_VI}."));
    // Times New Roman named; A4 with the decree's margins.
    assert!(
        v["fonts"].to_string().contains("Times New Roman"),
        "{}",
        v["fonts"]
    );
    let s = &v["section"];
    assert_eq!(s["page_width"].as_f64(), Some(210.0));
    assert_eq!(s["page_height"].as_f64(), Some(297.0));
    assert_eq!(s["left"].as_f64(), Some(30.0));
    assert_eq!(s["right"].as_f64(), Some(15.0));
    assert_eq!(s["top"].as_f64(), Some(20.0));
    // The statistical table: merged header, then 40 rows.
    let t = &v["tables"].as_array().unwrap()[1];
    let rows = t.as_array().unwrap();
    assert_eq!(rows.len(), 42);
    assert_eq!(rows[0][2], "Số lượng");
    assert_eq!(rows[1][2], "Số lớp");
    assert_eq!(rows[41][3], "40.280");
}

#[test]
fn pdftotext_reads_every_diacritic_and_the_font_is_embedded() {
    let doc = sample();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bao-cao.pdf");
    std::fs::write(&path, to_pdf(&doc).unwrap()).unwrap();
    keep(&path, "ours.pdf");
    let text = run(Command::new("pdftotext").arg("-layout").arg(&path).arg("-"));
    let raw = run(Command::new("pdftotext").arg(&path).arg("-"));
    let flat = squash(&raw);
    for needle in [
        "ỦY BAN NHÂN DÂN",
        "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 220/BC-PGDĐT",
        "Thủ Dầu Một, ngày 29 tháng 9 năm 2021",
        "BÁO CÁO",
        "I. TỔ CHỨC TRIỂN KHAI TUẦN LỄ",
        "Nơi nhận:",
        "- Lưu: VT, GDTX.",
        "KT. TRƯỞNG PHÒNG",
        "Nguyễn Thị Ngọc Ánh",
        "(Kèm theo Báo cáo số 220/BC-PGDĐT)",
        "40.280",
    ] {
        assert!(
            flat.contains(needle),
            "pdftotext did not read {needle:?}:\n{text}"
        );
    }
    for word in ALL_VI.split(' ') {
        assert!(
            flat.contains(word),
            "pdftotext did not read {word:?}:\n{text}"
        );
    }
    // Several pages, the table's header repeated on the next page, page numbers from page 2.
    let pages: Vec<&str> = raw
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(
        pages.len() >= 3,
        "expected at least 3 pages, got {}",
        pages.len()
    );
    assert!(pages[1].contains("Số lượng") || pages[2].contains("Số lượng"));
    assert!(
        squash(pages[1]).starts_with('2'),
        "page 2 starts with its number: {}",
        pages[1]
    );
    let fonts = run(Command::new("pdffonts").arg(&path));
    assert!(fonts.contains("LiberationSerif"), "{fonts}");
    for line in fonts.lines().skip(2) {
        assert!(line.contains(" yes "), "font not embedded: {line}");
    }
}

#[test]
fn a_letter_prints_vv_under_its_number_and_kinh_gui() {
    let mut doc = OfficialDocument::new(
        ["SỞ GIÁO DỤC VÀ ĐÀO TẠO"],
        DocumentKind::Letter,
        "tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        "Gia Lai",
        2021,
    );
    doc.governing_body = vec!["ỦY BAN NHÂN DÂN TỈNH GIA LAI".into()];
    doc.number = DocumentNumber::blank("SGDĐT-GDTrHCTTX");
    doc.addressees = vec![
        "Các sở, ban, ngành tỉnh".into(),
        "Hội khuyến học tỉnh".into(),
    ];
    doc.body = vec![Block::text(
        "Thực hiện Công văn số 1362/UBND-KGVX ngày 20/9/2021.",
    )];
    doc.signature = Signature {
        authority: vec![Authority {
            kind: AuthorityKind::Kt,
            of: "GIÁM ĐỐC".into(),
        }],
        title: "PHÓ GIÁM ĐỐC".into(),
        name: "Nguyễn Văn Long".into(),
    };
    doc.recipients = vec!["Như trên".into()];
    doc.archive_unit = Some("GDTrHCTTX".into());
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("cv.pdf");
    std::fs::write(&pdf, to_pdf(&doc).unwrap()).unwrap();
    keep(&pdf, "letter.pdf");
    let flat = squash(&run(Command::new("pdftotext").arg(&pdf).arg("-")));
    assert!(
        flat.contains("V/v tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021"),
        "{flat}"
    );
    assert!(flat.contains("/SGDĐT-GDTrHCTTX"), "{flat}");
    assert!(flat.contains("Gia Lai, ngày"), "{flat}");
    assert!(flat.contains("Kính gửi:"), "{flat}");
    assert!(flat.contains("- Các sở, ban, ngành tỉnh;"), "{flat}");
    assert!(flat.contains("- Hội khuyến học tỉnh."), "{flat}");
    assert!(!flat.contains("CÔNG VĂN"), "a công văn has no type name");
    let docx = dir.path().join("cv.docx");
    std::fs::write(&docx, to_docx(&doc).unwrap()).unwrap();
    let json = run(Command::new("python3")
        .arg(root().join("tests/readers/docx_dump.py"))
        .arg(&docx));
    assert!(json.contains("V/v tổ chức Tuần lễ"), "{json}");
    assert!(json.contains("- Lưu: VT, GDTrHCTTX."), "{json}");
}

#[test]
fn libreoffice_opens_the_docx() {
    let doc = sample();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bao-cao.docx");
    std::fs::write(&path, to_docx(&doc).unwrap()).unwrap();
    // A private profile so parallel runs do not share LibreOffice's lock.
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.path().join("lo").display()
    );
    run(Command::new("soffice")
        .arg(&profile)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&path));
    let flat = squash(&run(Command::new("pdftotext")
        .arg(dir.path().join("bao-cao.pdf"))
        .arg("-")));
    keep(&dir.path().join("bao-cao.pdf"), "libreoffice.pdf");
    for needle in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 220/BC-PGDĐT",
        "Nguyễn Thị Ngọc Ánh",
        "- Lưu: VT, GDTX.",
        "40.280",
    ] {
        assert!(
            flat.contains(needle),
            "LibreOffice did not render {needle:?}:\n{flat}"
        );
    }
    for word in ALL_VI.split(' ') {
        assert!(flat.contains(word), "LibreOffice lost {word:?}");
    }
}
