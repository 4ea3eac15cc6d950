//! `tuanle reports export | import` through the real binary: a folder with a filled
//! workbook and a bad one imports the good one, names the bad cell, exits 1.

use std::path::Path;
use std::process::{Command, Output};

use tuanle_app::App;
use tuanle_domain::template::Template;
use tuanle_sheets::write::{cell_ref, HEADER_ROW};

const BIN: &str = env!("CARGO_BIN_EXE_tuanle");

fn run(url: &str, dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--db")
        .arg(url)
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run tuanle")
}

fn fill(src: &Path, dst: &Path, cells: serde_json::Value) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/readers/xlsx_fill.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(src)
        .arg(dst)
        .arg(cells.to_string())
        .output()
        .expect("python3 must be installed (scripts/test.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_import_takes_a_folder_and_names_every_bad_cell() {
    let db = tuanle_store::testing::fresh_db().await;
    let app = App::open(&db.url).await.unwrap();
    app.build_demo().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("blank.xlsx");
    let out = run(
        &db.url,
        dir.path(),
        &[
            "reports",
            "export",
            "--campaign",
            "1",
            "--unit",
            "27490",
            "--blank",
            "--as",
            "quan7",
            "-o",
            blank.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = Template::builtin_2021();
    let at = |row: &str, col: usize| {
        cell_ref(
            HEADER_ROW + 1 + t.row_index(row).unwrap() as u32,
            3 + col as u16,
        )
    };
    let inbox = dir.path().join("nop");
    std::fs::create_dir_all(inbox.join("phuong")).unwrap();
    fill(
        &blank,
        &inbox.join("phuong/tan-phong.xlsx"),
        serde_json::json!({"Báo cáo": {at("1.01", 0): 2, at("1.01", 1): 40}}),
    );
    let out = run(
        &db.url,
        dir.path(),
        &[
            "reports",
            "export",
            "--campaign",
            "1",
            "--unit",
            "27493",
            "--blank",
            "--as",
            "quan7",
            "-o",
            "pm.xlsx",
        ],
    );
    assert!(out.status.success());
    fill(
        &dir.path().join("pm.xlsx"),
        &inbox.join("phu-my.xlsx"),
        serde_json::json!({"Báo cáo": {at("2", 0): "12 lớp"}}),
    );
    std::fs::write(inbox.join("doc-ghi-chu.txt"), "bỏ qua").unwrap();
    let out = run(
        &db.url,
        dir.path(),
        &[
            "reports",
            "import",
            "--as",
            "quan7",
            inbox.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("phuong/tan-phong.xlsx → Phường Tân Phong (27490): đã nhập (Đã nộp)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "phu-my.xlsx → Phường Phú Mỹ (27493): Báo cáo!{}: \"12 lớp\" không phải số nguyên",
            at("2", 0)
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("Đã nhập 1 tệp, không thay đổi 0, lỗi 1 (tổng 2)."),
        "{stdout}"
    );
    assert!(stderr.contains("1 tệp không nhập được"), "{stderr}");
    let quan7 = {
        let user = app.store.user_by_username("quan7").await.unwrap().unwrap();
        let unit = app.store.unit(user.unit_id).await.unwrap().unwrap();
        tuanle_app::Actor {
            user,
            unit,
            ip: None,
        }
    };
    let v = app
        .report_view(&quan7, 1, "27490")
        .await
        .unwrap()
        .record
        .unwrap();
    assert_eq!(v.content.figures.get("1.01", "people"), Some(40));
    assert!(app
        .report_view(&quan7, 1, "27493")
        .await
        .unwrap()
        .record
        .is_none());
}
