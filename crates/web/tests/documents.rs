//! Văn bản báo cáo (Word, PDF) through the real router, read back by real readers:
//! python-docx (tests/readers/docx_dump.py), LibreOffice and pdftotext. Missing readers
//! fail the tests (scripts/test.sh installs them).

mod common;

use std::path::Path;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::Value;

async fn login(t: &common::TestApp, username: &str) -> reqwest::Client {
    t.browser_login(username).await
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?} (scripts/test.sh installs it): {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn docx_dump(path: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/readers/docx_dump.py");
    serde_json::from_str(&run(Command::new("python3").arg(script).arg(path))).unwrap()
}

fn pdf_text(path: &Path) -> String {
    let raw = run(Command::new("pdftotext").arg(path).arg("-"));
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// 1234567 → "1.234.567".
fn vi(n: i64) -> String {
    let d = n.to_string();
    let mut out = String::new();
    for (i, c) in d.chars().enumerate() {
        if i > 0 && (d.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

async fn download(b: &reqwest::Client, url: &str, dir: &Path, name: &str) -> std::path::PathBuf {
    let r = b.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    let cd = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cd.starts_with("attachment; filename=\""), "{cd}");
    if name.ends_with(".pdf") {
        assert_eq!(ct, "application/pdf");
    } else {
        assert!(ct.contains("wordprocessingml"), "{ct}");
    }
    let path = dir.join(name);
    std::fs::write(&path, r.bytes().await.unwrap()).unwrap();
    path
}

/// The rows of the statistical table as python-docx reads them: code order of the template.
fn stat_rows(dump: &Value) -> Vec<Vec<String>> {
    let tables = dump["tables"].as_array().unwrap();
    let t = tables
        .iter()
        .find(|t| t[0][1] == "Các hoạt động")
        .expect("statistical table");
    t.as_array()
        .unwrap()
        .iter()
        .skip(2)
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn quan7_downloads_its_results_report_from_the_report_page() {
    let t = common::spawn().await;
    let b = login(&t, "quan7").await;
    let page = b
        .get(t.url("/campaigns/1/reports/778"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("/campaigns/1/reports/778/document/docx"),
        "link on the report page"
    );
    assert!(page.contains("/campaigns/1/reports/778/document/pdf"));

    let token = t.token("quan7").await;
    let report = t.get(&token, "/api/v1/campaigns/1/reports/778").await.body;
    let dir = tempfile::tempdir().unwrap();
    let docx = download(
        &b,
        &t.url("/campaigns/1/reports/778/document/docx"),
        dir.path(),
        "r.docx",
    )
    .await;
    let pdf = download(
        &b,
        &t.url("/campaigns/1/reports/778/document/pdf"),
        dir.path(),
        "r.pdf",
    )
    .await;
    let dump = docx_dump(&docx);
    let text = format!("{} {}", dump["paragraphs"], dump["tables"]);
    let pdf = pdf_text(&pdf);
    for needle in [
        "ỦY BAN NHÂN DÂN",
        "QUẬN 7",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "/BC-UBND",
        "Quận 7, ngày",
        "năm 2021",
        "BÁO CÁO",
        "Kết quả tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        "I. TỔ CHỨC TRIỂN KHAI TUẦN LỄ",
        "II. ĐÁNH GIÁ CHUNG",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Nơi nhận:",
        "- Lưu: VT.",
        "TỔNG HỢP SỐ LIỆU KẾT QUẢ TỔ CHỨC",
    ] {
        assert!(text.contains(needle), "DOCX lacks {needle:?}");
        assert!(pdf.contains(needle), "PDF lacks {needle:?}: {pdf}");
    }
    // The narrative as entered, with its diacritics.
    for (_, v) in report["narrative"].as_object().unwrap() {
        let v = v.as_str().unwrap();
        for line in v.lines().map(str::trim).filter(|l| !l.is_empty()) {
            assert!(text.contains(line), "DOCX lacks narrative {line:?}");
            let flat = line.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(pdf.contains(&flat), "PDF lacks narrative {flat:?}");
        }
    }
    // Every figure entered is in its row and column of the DOCX table, and in the PDF.
    let rows = stat_rows(&dump);
    let figures = report["figures"].as_object().unwrap();
    assert!(!figures.is_empty(), "the demo report of 778 has figures");
    let codes: Vec<String> = t.get(&token, "/api/v1/templates/1").await.body["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect();
    for (code, cols) in figures {
        let r = codes.iter().position(|c| c == code).unwrap();
        for (col, v) in cols.as_object().unwrap() {
            let ci = if col == "count" { 3 } else { 4 };
            assert_eq!(
                rows[r][ci],
                vi(v.as_i64().unwrap()),
                "row {code} column {col}"
            );
            assert!(pdf.contains(&vi(v.as_i64().unwrap())));
        }
    }

    // Outside the subtree: not found; unknown format and bad number: clear errors.
    let tp = login(&t, "tanphong").await;
    let r = tp
        .get(t.url("/campaigns/1/reports/778/document/pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = b
        .get(t.url("/campaigns/1/reports/778/document/odt"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let a = t
        .get(
            &token,
            "/api/v1/campaigns/1/reports/778/document/pdf?so=abc",
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.message().contains("không phải số văn bản"),
        "{}",
        a.message()
    );
}

#[tokio::test]
async fn the_consolidated_report_carries_the_subtree_totals_and_issuer_details() {
    let t = common::spawn().await;
    let token = t.token("quan7").await;
    let cons = t
        .get(&token, "/api/v1/campaigns/1/consolidation/778")
        .await
        .body;
    let dir = tempfile::tempdir().unwrap();
    let api = reqwest::Client::new();
    let get = |path: &str| {
        api.get(t.url(path))
            .header("Authorization", format!("Bearer {token}"))
    };
    let q = "?so=7&ngay=05/02/2022&nguoi_ky=Đặng%20Thị%20Ưng";
    let r = get(&format!(
        "/api/v1/campaigns/1/consolidation/778/document/docx{q}"
    ))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let docx = dir.path().join("c.docx");
    std::fs::write(&docx, r.bytes().await.unwrap()).unwrap();
    let r = get(&format!(
        "/api/v1/campaigns/1/consolidation/778/document/pdf{q}"
    ))
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let pdf = dir.path().join("c.pdf");
    std::fs::write(&pdf, r.bytes().await.unwrap()).unwrap();

    let dump = docx_dump(&docx);
    let text = format!("{} {}", dump["paragraphs"], dump["tables"]);
    let pdf_flat = pdf_text(&pdf);
    for needle in [
        "Số: 07/BC-UBND",
        "Quận 7, ngày 05 tháng 02 năm 2022",
        "Đặng Thị Ưng",
        "Số đơn vị tham gia",
        "(Kèm theo Báo cáo số 07/BC-UBND ngày 05/02/2022 của Ủy ban nhân dân Quận 7)",
    ] {
        assert!(text.contains(needle), "DOCX lacks {needle:?}: {text}");
        assert!(
            pdf_flat.contains(needle),
            "PDF lacks {needle:?}: {pdf_flat}"
        );
    }
    // The table equals the consolidation, cell for cell (blank-free: totals print 0).
    let rows = stat_rows(&dump);
    let codes: Vec<String> = t.get(&token, "/api/v1/templates/1").await.body["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect();
    let figures = cons["totals"]["figures"].as_object().unwrap();
    let mut nonzero = 0;
    for (code, cols) in figures {
        let r = codes.iter().position(|c| c == code).unwrap();
        for (col, v) in cols.as_object().unwrap() {
            let ci = if col == "count" { 3 } else { 4 };
            let v = v.as_i64().unwrap();
            assert_eq!(rows[r][ci], vi(v), "row {code} column {col}");
            if v > 0 {
                nonzero += 1;
                assert!(pdf_flat.contains(&vi(v)), "PDF lacks {}", vi(v));
            }
        }
    }
    assert!(nonzero > 0, "Quận 7 has consolidated figures");
    let reports = cons["totals"]["reports"].as_i64().unwrap();
    assert!(text.contains(&format!("số báo cáo được tổng hợp: {}", vi(reports))));

    // LibreOffice opens the DOCX and lays it out.
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.path().join("lo").display()
    );
    run(Command::new("soffice")
        .arg(&profile)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path().join("lo-out"))
        .arg(&docx));
    let lo = pdf_text(&dir.path().join("lo-out/c.pdf"));
    assert!(lo.contains("Quận 7, ngày 05 tháng 02 năm 2022"), "{lo}");
    assert!(lo.contains("Đặng Thị Ưng"), "{lo}");

    // Page link, and a unit outside the caller's subtree.
    let b = login(&t, "quan7").await;
    let page = b
        .get(t.url("/campaigns/1/consolidation/778"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("/campaigns/1/consolidation/778/document/docx?basis=submitted"));
    let a = t
        .get(&token, "/api/v1/campaigns/1/consolidation/79/document/pdf")
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let a = t
        .get(
            &token,
            "/api/v1/campaigns/1/consolidation/778/document/docx?ngay=31/02/2022",
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.message().contains("dd/mm/yyyy"), "{}", a.message());
}
