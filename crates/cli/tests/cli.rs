//! Integration tests of the `tuanle` binary: each test runs the real executable on a
//! fresh SQLite database in a temporary directory and checks the result through the
//! application and store API.

use std::future::Future;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use tuanle_app::{Actor, App, AppError};
use tuanle_domain::access::Role;
use tuanle_domain::campaign::{Campaign, LevelDeadline};
use tuanle_domain::format::number_vi;
use tuanle_domain::report::{ReportAction, ReportContent};

const BIN: &str = env!("CARGO_BIN_EXE_tuanle");

/// Units of the 2021 list: 63 provinces, 705 districts, 10,599 communes.
const PROVINCES_2021: i64 = 63;
const DISTRICTS_2021: i64 = 705;
const COMMUNES_2021: i64 = 10_599;

const PROVINCE_TYPES: &[&str] = &["Thành phố Trung ương", "Tỉnh"];
const DISTRICT_TYPES: &[&str] = &["Quận", "Huyện", "Thị xã", "Thành phố"];
const COMMUNE_TYPES: &[&str] = &["Phường", "Xã", "Thị trấn"];

/// A file of the shared unit lists.
fn units_file(rel: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/units")
        .join(rel);
    assert!(p.exists(), "missing data file {}", p.display());
    p
}

/// A fresh database (SQLite by default, PostgreSQL when `TUANLE_TEST_DB` is a
/// PostgreSQL URL, as `scripts/test.sh` runs it) and a temporary working directory.
struct Db {
    dir: tempfile::TempDir,
    url: String,
    _db: tuanle_store::testing::TestDb,
}

fn new_db() -> Db {
    let db = block_on(tuanle_store::testing::fresh_db());
    let dir = tempfile::tempdir().expect("temp dir");
    Db {
        dir,
        url: db.url.clone(),
        _db: db,
    }
}

impl Db {
    /// Writes a file in the database's directory.
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).expect("write file");
        p
    }

    /// Runs `tuanle --db URL ARGS…` with `input` on stdin.
    fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        let mut child = Command::new(BIN)
            .arg("--db")
            .arg(&self.url)
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tuanle");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("run tuanle")
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with_stdin(args, "")
    }

    /// Runs the command and fails the test unless it exits 0; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_success(&out, args);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Opens the application on the same database.
    async fn app(&self) -> App {
        App::open(&self.url).await.expect("open app")
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_success(out: &Output, args: &[&str]) {
    assert!(
        out.status.success(),
        "tuanle {args:?} failed ({:?})\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        stdout(out),
        stderr(out)
    );
}

fn assert_user_error(out: &Output, expected: &[&str]) {
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected exit code 1\n--- stdout\n{}\n--- stderr\n{}",
        stdout(out),
        stderr(out)
    );
    let err = stderr(out);
    assert!(err.contains("Lỗi:"), "no Vietnamese error prefix: {err}");
    for e in expected {
        assert!(err.contains(e), "stderr does not mention {e:?}: {err}");
    }
}

fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

fn types(t: &[&str]) -> Vec<String> {
    t.iter().map(|s| s.to_string()).collect()
}

/// (total units, provinces, districts, communes) of a tree.
async fn tree_counts(app: &App, tree_name: &str) -> (i64, i64, i64, i64) {
    let tree = app
        .store
        .tree_by_name(tree_name)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no tree {tree_name}"));
    let root = app.store.tree_root(tree.id).await.unwrap();
    let mut by_level = [0i64; 3];
    for (n, t) in by_level
        .iter_mut()
        .zip([PROVINCE_TYPES, DISTRICT_TYPES, COMMUNE_TYPES])
    {
        *n = app
            .store
            .count_subtree_units_of_types(tree.id, &root.path, &types(t))
            .await
            .unwrap();
    }
    (
        app.store.count_units(tree.id).await.unwrap(),
        by_level[0],
        by_level[1],
        by_level[2],
    )
}

/// The number printed after `label` in an import summary ("Thêm mới (created):    11.367").
fn summary_value(out: &str, label: &str) -> String {
    out.lines()
        .find(|l| l.trim_start().starts_with(label))
        .and_then(|l| l.split(':').nth(1))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| panic!("no {label:?} in output:\n{out}"))
}

#[test]
fn import_2021_units_then_reimport_changes_nothing() {
    let db = new_db();
    let file = units_file("units-2021-11-01.csv");
    let file = file.to_str().unwrap();
    let args = [
        "units",
        "import",
        "--tree",
        "ĐVHC 2021",
        "--date",
        "2021-11-01",
        file,
    ];

    let started = Instant::now();
    let out = db.ok(&args);
    let first = started.elapsed();
    println!(
        "import of units-2021-11-01.csv (11,367 units): {:.2} s",
        first.as_secs_f64()
    );
    let units = PROVINCES_2021 + DISTRICTS_2021 + COMMUNES_2021;
    assert_eq!(summary_value(&out, "Thêm mới"), number_vi(units), "{out}");
    assert_eq!(summary_value(&out, "Cập nhật"), "0");
    assert_eq!(summary_value(&out, "Không đổi"), "0");

    block_on(async {
        let app = db.app().await;
        assert_eq!(
            tree_counts(&app, "ĐVHC 2021").await,
            (units + 1, PROVINCES_2021, DISTRICTS_2021, COMMUNES_2021)
        );
        let tree = app.store.tree_by_name("ĐVHC 2021").await.unwrap().unwrap();
        assert_eq!(
            tree.effective_date,
            chrono::NaiveDate::from_ymd_opt(2021, 11, 1).unwrap()
        );
        // Codes stay strings: the province 01, the district 001 and the commune 00001 are three units.
        let hanoi = app
            .store
            .unit_by_code(tree.id, "01")
            .await
            .unwrap()
            .unwrap();
        let ba_dinh = app
            .store
            .unit_by_code(tree.id, "001")
            .await
            .unwrap()
            .unwrap();
        let phuc_xa = app
            .store
            .unit_by_code(tree.id, "00001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                hanoi.name.as_str(),
                ba_dinh.name.as_str(),
                phuc_xa.name.as_str()
            ),
            ("Thành phố Hà Nội", "Quận Ba Đình", "Phường Phúc Xá")
        );
        assert_eq!(phuc_xa.parent_id, Some(ba_dinh.id));
        assert_eq!(ba_dinh.parent_id, Some(hanoi.id));
        let tan_phong = app
            .store
            .unit_by_code(tree.id, "27490")
            .await
            .unwrap()
            .unwrap();
        let quan7 = app
            .store
            .unit_by_code(tree.id, "778")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(tan_phong.parent_id, Some(quan7.id));
        assert_eq!(tan_phong.depth, 3);
    });

    let started = Instant::now();
    let out = db.ok(&args);
    println!(
        "re-import of the same file: {:.2} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(summary_value(&out, "Thêm mới"), "0", "{out}");
    assert_eq!(summary_value(&out, "Cập nhật"), "0", "{out}");
    assert_eq!(summary_value(&out, "Không đổi"), number_vi(units), "{out}");
    block_on(async {
        let app = db.app().await;
        assert_eq!(tree_counts(&app, "ĐVHC 2021").await.0, units + 1);
        assert_eq!(app.store.list_trees().await.unwrap().len(), 1);
    });
}

#[test]
fn import_gso_ward_export_into_another_tree() {
    let db = new_db();
    let clean = units_file("units-2021-11-01.csv");
    db.ok(&[
        "units",
        "import",
        "--tree",
        "ĐVHC 2021",
        "--date",
        "2021-11-01",
        clean.to_str().unwrap(),
    ]);
    let gso = units_file("gso-export/danhmuchanhchinh.gso.gov.vn_ward_2025-07-18.csv");
    let started = Instant::now();
    let out = db.ok(&[
        "units",
        "import",
        "--tree",
        "ĐVHC 30/6/2025 (GSO)",
        "--date",
        "30/06/2025",
        gso.to_str().unwrap(),
    ]);
    println!(
        "import of the GSO ward export: {:.2} s",
        started.elapsed().as_secs_f64()
    );
    // Provinces and districts are synthesised from the ward rows; the five island
    // districts without communes (318, 471, 498, 536, 755) are not in a ward export.
    let (provinces, districts, communes) = (63, 696 - 5, 10_035);
    assert_eq!(
        summary_value(&out, "Thêm mới"),
        number_vi(provinces + districts + communes),
        "{out}"
    );
    block_on(async {
        let app = db.app().await;
        assert_eq!(
            tree_counts(&app, "ĐVHC 30/6/2025 (GSO)").await,
            (
                1 + provinces + districts + communes,
                provinces,
                districts,
                communes
            )
        );
        // The other tree is untouched.
        assert_eq!(
            tree_counts(&app, "ĐVHC 2021").await,
            (1 + 11_367, PROVINCES_2021, DISTRICTS_2021, COMMUNES_2021)
        );
        let gso_tree = app
            .store
            .tree_by_name("ĐVHC 30/6/2025 (GSO)")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            gso_tree.effective_date,
            chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
        );
        // GSO's "Thị Trấn" is written in its canonical case, the type comes from the name.
        let tan_phong = app
            .store
            .unit_by_code(gso_tree.id, "27490")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (tan_phong.name.as_str(), tan_phong.unit_type.as_str()),
            ("Phường Tân Phong", "Phường")
        );
    });
    // The district export adds the five island districts and changes nothing else.
    let districts_file =
        units_file("gso-export/danhmuchanhchinh.gso.gov.vn_district_2025-07-18.csv");
    let out = db.ok(&[
        "units",
        "import",
        "--tree",
        "ĐVHC 30/6/2025 (GSO)",
        districts_file.to_str().unwrap(),
    ]);
    assert_eq!(summary_value(&out, "Thêm mới"), "5", "{out}");
    assert_eq!(summary_value(&out, "Cập nhật"), "0", "{out}");
}

const SMALL_UNITS: &str = "code,name,type,level,parent_code
79,Thành phố Hồ Chí Minh,Thành phố Trung ương,1,
778,Quận 7,Quận,2,79
27490,Phường Tân Phong,Phường,3,778
";

#[test]
fn malformed_units_file_fails_naming_the_line_and_stores_nothing() {
    let db = new_db();
    let ok = db.file("ok.csv", SMALL_UNITS);
    db.ok(&["units", "import", "--tree", "T", ok.to_str().unwrap()]);
    let count = || block_on(async { tree_counts(&db.app().await, "T").await.0 });
    assert_eq!(count(), 4);

    // Each bad file starts with valid new rows, so a partial import would show.
    let cases = [
        (
            "non-numeric code",
            "code,name,type,level,parent_code\n74,Tỉnh Bình Dương,Tỉnh,1,\n718,Thành phố Thủ Dầu Một,Thành phố,2,74\n257A1,Phường Hiệp Thành,Phường,3,718\n",
            vec!["Dòng 4", "\"257A1\"", "chữ số"],
        ),
        (
            "duplicate code",
            "code,name,type,level,parent_code\n74,Tỉnh Bình Dương,Tỉnh,1,\n718,Thành phố Thủ Dầu Một,Thành phố,2,74\n25741,Phường Hiệp Thành,Phường,3,718\n25741,Phường Hiệp Thành,Phường,3,718\n",
            vec!["Dòng 5", "25741", "trùng", "dòng 4"],
        ),
        (
            // Parses, then fails inside the transaction after two rows were written.
            "unknown parent",
            "code,name,type,level,parent_code\n74,Tỉnh Bình Dương,Tỉnh,1,\n718,Thành phố Thủ Dầu Một,Thành phố,2,74\n25741,Phường Hiệp Thành,Phường,3,719\n",
            vec!["Dòng 4", "\"719\"", "không tìm thấy đơn vị cha"],
        ),
        ("wrong header", "ma,ten\n74,Tỉnh Bình Dương\n", vec!["không đúng định dạng", "code,name,type,level,parent_code"]),
    ];
    for (what, text, expected) in cases {
        let f = db.file("bad.csv", text);
        let out = db.run(&["units", "import", "--tree", "T", f.to_str().unwrap()]);
        println!("{what}: {}", stderr(&out).trim());
        assert_user_error(&out, &expected);
        assert!(stdout(&out).is_empty(), "{what}: {}", stdout(&out));
        assert_eq!(count(), 4, "{what}: units were added");
        // Into a new tree: the tree itself is not created either.
        let out = db.run(&["units", "import", "--tree", "Mới", f.to_str().unwrap()]);
        assert_user_error(&out, &expected);
        block_on(async {
            assert_eq!(
                db.app().await.store.list_trees().await.unwrap().len(),
                1,
                "{what}: tree created"
            )
        });
    }

    let out = db.run(&["units", "import", "--tree", "T", "does-not-exist.csv"]);
    assert_user_error(&out, &["không đọc được tệp"]);
}

#[test]
fn user_add_rejects_a_short_password() {
    let db = new_db();
    let ok = db.file("ok.csv", SMALL_UNITS);
    db.ok(&["units", "import", "--tree", "T", ok.to_str().unwrap()]);
    let out = db.run_with_stdin(
        &[
            "user",
            "add",
            "--username",
            "admin",
            "--full-name",
            "Quản trị",
            "--unit",
            "VN",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "ngan7ch\n",
    );
    assert_user_error(&out, &["Mật khẩu", "ít nhất 8 ký tự"]);
    block_on(async {
        let app = db.app().await;
        assert!(app.store.user_by_username("admin").await.unwrap().is_none());
        assert_eq!(app.store.count_users().await.unwrap(), 0);
    });
    // Without --password-stdin and without a terminal, the prompt cannot be shown.
    let out = db.run(&[
        "user",
        "add",
        "--username",
        "admin",
        "--full-name",
        "Quản trị",
        "--unit",
        "VN",
        "--role",
        "admin",
    ]);
    assert_user_error(&out, &["--password-stdin"]);
}

#[test]
fn user_add_first_administrator_then_login_works() {
    let db = new_db();
    // No tree yet: the command says what to do first.
    let add_admin = [
        "user",
        "add",
        "--username",
        "admin",
        "--full-name",
        "Quản trị hệ thống",
        "--unit",
        "VN",
        "--role",
        "admin",
        "--email",
        "admin@example.vn",
        "--password-stdin",
    ];
    let out = db.run_with_stdin(&add_admin, "mật khẩu dài\n");
    assert_user_error(&out, &["chưa có cây đơn vị", "tuanle units import"]);

    let ok = db.file("ok.csv", SMALL_UNITS);
    db.ok(&["units", "import", "--tree", "T", ok.to_str().unwrap()]);
    let out = db.run_with_stdin(&add_admin, "mật khẩu dài\n");
    assert_success(&out, &add_admin);
    assert!(stdout(&out).contains("admin"), "{}", stdout(&out));
    // The same name twice is refused.
    let out = db.run_with_stdin(&add_admin, "mật khẩu dài\n");
    assert_user_error(&out, &["\"admin\" đã có"]);
    // An unknown unit is named.
    let out = db.run_with_stdin(
        &[
            "user",
            "add",
            "--username",
            "x",
            "--full-name",
            "X",
            "--unit",
            "99999",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "12345678\n",
    );
    assert_user_error(&out, &["\"99999\""]);

    // The administrator of Quận 7, created as the national administrator (--as).
    let q7 = [
        "user",
        "add",
        "--username",
        "quan7.admin",
        "--full-name",
        "Quản trị Quận 7",
        "--unit",
        "778",
        "--role",
        "admin",
        "--as",
        "admin",
        "--password-stdin",
    ];
    let out = db.run_with_stdin(&q7, "quan7-matkhau\r\n");
    assert_success(&out, &q7);
    // …who cannot create an account outside Quận 7.
    let out = db.run_with_stdin(
        &[
            "user",
            "add",
            "--username",
            "hcm",
            "--full-name",
            "Sở",
            "--unit",
            "79",
            "--role",
            "reviewer",
            "--as",
            "quan7.admin",
            "--password-stdin",
        ],
        "12345678\n",
    );
    // Refused as forbidden, or as if the unit did not exist (outside the subtree).
    assert_user_error(&out, &[]);
    let err = stderr(&out);
    assert!(
        err.contains("không có quyền") || err.contains("không có đơn vị"),
        "{err}"
    );

    block_on(async {
        let app = db.app().await;
        let s = app
            .login("admin", "mật khẩu dài", None)
            .await
            .expect("login works");
        assert_eq!(s.actor.user.role, Role::Admin);
        assert_eq!(s.actor.unit.code, "VN");
        assert!(s.actor.is_national());
        assert_eq!(s.actor.user.email.as_deref(), Some("admin@example.vn"));
        assert!(matches!(
            app.login("admin", "sai mật khẩu", None).await,
            Err(AppError::BadCredentials)
        ));
        // The CR LF line end was not part of the password.
        let s = app
            .login("quan7.admin", "quan7-matkhau", None)
            .await
            .expect("login works");
        assert_eq!(s.actor.unit.code, "778");
        assert!(app.store.user_by_username("hcm").await.unwrap().is_none());
    });

    // With two trees, --tree is required.
    let clean2 = db.file(
        "two.csv",
        "code,name,type,level,parent_code\n01,Thành phố Hà Nội,Thành phố Trung ương,1,\n",
    );
    db.ok(&["units", "import", "--tree", "T2", clean2.to_str().unwrap()]);
    let out = db.run_with_stdin(
        &[
            "user",
            "add",
            "--username",
            "hanoi",
            "--full-name",
            "Hà Nội",
            "--unit",
            "01",
            "--role",
            "viewer",
            "--password-stdin",
        ],
        "12345678\n",
    );
    assert_user_error(&out, &["--tree"]);
    let out = db.run_with_stdin(
        &[
            "user",
            "add",
            "--username",
            "hanoi",
            "--full-name",
            "Hà Nội",
            "--unit",
            "01",
            "--role",
            "viewer",
            "--tree",
            "T2",
            "--password-stdin",
        ],
        "12345678\n",
    );
    assert_success(&out, &["user", "add", "--tree", "T2"]);
}

#[test]
fn import_bodies_acts_as_the_national_administrator() {
    let db = new_db();
    let ok = db.file("ok.csv", SMALL_UNITS);
    db.ok(&["units", "import", "--tree", "T", ok.to_str().unwrap()]);
    let bodies = db.file(
        "bodies.csv",
        "code,name,type,parent_code\n79-SGDDT,Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh,Sở GDĐT,79\n27490-TTHTCD,Trung tâm học tập cộng đồng Phường Tân Phong,TTHTCĐ,27490\n",
    );
    let bodies = bodies.to_str().unwrap();
    // No administrator yet: nobody to act as.
    let out = db.run(&["units", "import-bodies", "--tree", "T", bodies]);
    assert_user_error(&out, &["quản trị cấp trung ương", "--as"]);

    let add = |u: &str, unit: &str, role: &str| {
        let args = [
            "user",
            "add",
            "--username",
            u,
            "--full-name",
            u,
            "--unit",
            unit,
            "--role",
            role,
            "--password-stdin",
        ];
        let out = db.run_with_stdin(&args, "12345678\n");
        assert_success(&out, &args);
    };
    add("admin", "VN", "admin");
    add("bo.duyet", "VN", "reviewer");
    // A reviewer, even at the national root, may not add bodies.
    let out = db.run(&[
        "units",
        "import-bodies",
        "--tree",
        "T",
        "--as",
        "bo.duyet",
        bodies,
    ]);
    assert_user_error(&out, &["không có quyền"]);
    // The one national administrator is the default.
    let out = db.ok(&["units", "import-bodies", "--tree", "T", bodies]);
    assert!(
        out.contains("27490-TTHTCD") && out.contains("admin"),
        "{out}"
    );
    block_on(async {
        let app = db.app().await;
        let ttht = app
            .store
            .unit_by_code(1, "27490-TTHTCD")
            .await
            .unwrap()
            .expect("body added");
        let ward = app.store.unit_by_code(1, "27490").await.unwrap().unwrap();
        assert_eq!(
            (ttht.parent_id, ttht.unit_type.as_str(), ttht.admin_level),
            (Some(ward.id), "TTHTCĐ", 3)
        );
    });
    // Again: the codes exist, the line is named, nothing is added.
    let out = db.run(&["units", "import-bodies", "--tree", "T", bodies]);
    assert_user_error(&out, &["Dòng 2", "79-SGDDT"]);
    // Two national administrators: --as is needed.
    add("admin2", "VN", "admin");
    let out = db.run(&["units", "import-bodies", "--tree", "T", bodies]);
    assert_user_error(&out, &["--as", "admin2"]);
    let out = db.run(&["units", "import-bodies", "--tree", "Không có", bodies]);
    assert_user_error(&out, &["không có cây đơn vị \"Không có\"", "\"T\""]);
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

#[test]
fn template_export_import_and_consolidation_rebuild() {
    let db = new_db();
    let ok = db.file("ok.csv", SMALL_UNITS);
    db.ok(&["units", "import", "--tree", "T", ok.to_str().unwrap()]);
    let out = db.run_with_stdin(
        &[
            "user",
            "add",
            "--username",
            "admin",
            "--full-name",
            "Quản trị",
            "--unit",
            "VN",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "12345678\n",
    );
    assert_success(&out, &["user", "add"]);

    let list = db.ok(&["template", "list"]);
    assert!(list.contains("tuanle-2021"), "{list}");
    let builtin = block_on(async {
        db.app()
            .await
            .store
            .template_id("tuanle-2021", 1)
            .await
            .unwrap()
            .unwrap()
    })
    .to_string();
    let json = db.ok(&["template", "export", "--id", &builtin]);
    let toml = db.ok(&["template", "export", "--id", &builtin, "--format", "toml"]);
    let from_json =
        tuanle_domain::template::Template::from_json(&json).expect("exported JSON parses");
    let from_toml =
        tuanle_domain::template::Template::from_toml(&toml).expect("exported TOML parses");
    assert_eq!(from_json, from_toml);
    // A new version of the template, imported as the one national administrator.
    let next = toml.replacen(
        &format!("version = {}", from_toml.version),
        &format!("version = {}", from_toml.version + 1),
        1,
    );
    let f = db.file("next.toml", &next);
    let out = db.ok(&["template", "import", f.to_str().unwrap()]);
    assert!(
        out.contains(&format!("phiên bản {}", from_toml.version + 1)),
        "{out}"
    );
    // The same version again is refused.
    let out = db.run(&["template", "import", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = db.run(&["template", "export", "--id", "999"]);
    assert_user_error(&out, &["999"]);

    // A campaign with one submitted report; its running sums are wiped, then rebuilt.
    let campaign_id = block_on(async {
        let app = db.app().await;
        let admin = actor(&app, "admin").await;
        let d = |m, day| chrono::NaiveDate::from_ymd_opt(2021, m, day).unwrap();
        let campaign = Campaign {
            id: 0,
            year: 2021,
            name: "Tuần lễ hưởng ứng học tập suốt đời năm 2021".into(),
            themes: vec!["Chuyển đổi số".into()],
            start_date: d(10, 1),
            end_date: d(10, 7),
            tree_id: admin.unit.tree_id,
            template_id: from_json_id(&app, &from_json).await,
            required_types: types(&["Phường"]),
            deadlines: vec![LevelDeadline {
                admin_level: 3,
                deadline: d(10, 12),
            }],
        };
        let id = app.create_campaign(Some(&admin), &campaign).await.unwrap();
        let mut content = ReportContent::default();
        content.figures.set("1.01", "count", Some(2));
        content.figures.set("1.01", "people", Some(45));
        app.save_report(&admin, id, "27490", ReportAction::Submit, content)
            .await
            .expect("submit");
        id
    });
    let id = campaign_id.to_string();
    let listed = db.ok(&["campaign", "list"]);
    assert!(
        listed.contains("Tuần lễ hưởng ứng học tập suốt đời năm 2021"),
        "{listed}"
    );
    let out = db.ok(&["consolidation", "rebuild", "--campaign", &id]);
    assert!(out.contains("(differing sums: 0)"), "{out}");
    let wiped = block_on(async {
        let app = db.app().await;
        let before = app.store.all_totals(campaign_id).await.unwrap();
        let mut tx = app.store.begin().await.unwrap();
        let keys: Vec<_> = before.keys().copied().collect();
        tx.delete_totals(campaign_id, &keys).await.unwrap();
        tx.commit().await.unwrap();
        before
    });
    // Phường Tân Phong, Quận 7, TP.HCM and the root, on the "submitted" basis.
    assert_eq!(wiped.len(), 4, "{wiped:?}");
    let out = db.ok(&["consolidation", "rebuild", "--campaign", &id]);
    assert!(out.contains("(differing sums: 4)"), "{out}");
    block_on(async {
        assert_eq!(
            db.app().await.store.all_totals(campaign_id).await.unwrap(),
            wiped
        )
    });
    let out = db.run(&["consolidation", "rebuild", "--campaign", "999"]);
    assert_user_error(&out, &["Không tìm thấy Tuần lễ 999"]);
}

async fn from_json_id(app: &App, t: &tuanle_domain::template::Template) -> i64 {
    app.store
        .template_id(&t.code, t.version)
        .await
        .unwrap()
        .unwrap()
}

#[test]
fn usage_errors_exit_with_code_2() {
    let db = new_db();
    for args in [
        vec!["no-such-command"],
        vec!["units", "import", "file.csv"],
        vec![
            "units",
            "import",
            "--tree",
            "T",
            "--date",
            "1/13/2021",
            "file.csv",
        ],
        vec![
            "user",
            "add",
            "--username",
            "a",
            "--full-name",
            "A",
            "--unit",
            "VN",
            "--role",
            "boss",
        ],
        vec!["template", "export", "--id", "1", "--format", "xml"],
        vec!["consolidation", "rebuild"],
    ] {
        let out = db.run(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "tuanle {args:?}: {}",
            stderr(&out)
        );
    }
    let out = db.run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("Tuần lễ"), "{}", stdout(&out));
}

// ------------------------------------------------------------------------------------
// The server

/// A running `tuanle serve`, killed when dropped.
struct Server {
    child: Child,
    url: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn logs(&self) -> String {
        format!(
            "--- stdout\n{}\n--- stderr\n{}",
            self.stdout.lock().unwrap(),
            self.stderr.lock().unwrap()
        )
    }

    fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// Stops the server and waits for it to exit.
    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How long the server may take to come up (the debug build hashes ~40 demo passwords).
const START_TIMEOUT: Duration = Duration::from_secs(300);

/// Starts `tuanle serve ARGS… --addr 127.0.0.1:0` and waits for the URL it prints.
fn start_server(db: &Db, args: &[&str]) -> Server {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(&db.url)
        .arg("serve")
        .args(args)
        .args(["--addr", "127.0.0.1:0"])
        .current_dir(db.dir.path())
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start tuanle serve");
    let (tx, rx) = mpsc::channel::<String>();
    let out = Arc::new(Mutex::new(String::new()));
    let err = Arc::new(Mutex::new(String::new()));
    let (stdout, stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out2 = out.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            out2.lock().unwrap().push_str(&format!("{line}\n"));
            let _ = tx.send(line);
        }
    });
    let err2 = err.clone();
    std::thread::spawn(move || {
        let mut s = String::new();
        let mut r = BufReader::new(stderr);
        let mut buf = [0u8; 4096];
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            s.push_str(&String::from_utf8_lossy(&buf[..n]));
            *err2.lock().unwrap() = s.clone();
        }
    });
    let mut server = Server {
        child,
        url: String::new(),
        stdout: out,
        stderr: err,
    };
    let deadline = Instant::now() + START_TIMEOUT;
    while server.url.is_empty() {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                if let Some(i) = line.find("http://") {
                    server.url = line[i..].split_whitespace().next().unwrap().to_string();
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "tuanle serve exited ({:?}) before listening\n{}",
                    server.child.try_wait(),
                    server.logs()
                );
            }
        }
        assert!(
            Instant::now() < deadline,
            "tuanle serve did not print its URL in time\n{}",
            server.logs()
        );
    }
    server
}

/// A minimal HTTP/1.1 GET: (status, body).
fn http_get(url: &str, path: &str) -> std::io::Result<(u16, String)> {
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(host)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// Polls `path` until it answers 200 (bounded); returns the body.
fn wait_for_200(server: &Server, path: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let last = match http_get(&server.url, path) {
            Ok((200, body)) => return body,
            Ok((status, body)) => format!(
                "status {status}: {}",
                body.chars().take(200).collect::<String>()
            ),
            Err(e) => e.to_string(),
        };
        assert!(
            Instant::now() < deadline,
            "GET {path} did not answer 200 ({last})\n{}",
            server.logs()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn serve_demo_answers_and_starts_again_on_the_same_database() {
    let db = new_db();
    let started = Instant::now();
    let server = start_server(&db, &["--demo"]);
    println!(
        "serve --demo on an empty database listening after {:.1} s at {}",
        started.elapsed().as_secs_f64(),
        server.url
    );
    assert_eq!(wait_for_200(&server, "/healthz").trim(), "ok");
    let spec = wait_for_200(&server, "/api/openapi.json");
    assert!(
        spec.contains("\"openapi\""),
        "not an OpenAPI document: {}",
        spec.chars().take(300).collect::<String>()
    );
    let out = server.stdout();
    assert!(out.contains("Đã tạo dữ liệu minh họa"), "{out}");
    for (username, _, _, _) in tuanle_app::demo::DEMO_ACCOUNTS {
        assert!(
            out.contains(username),
            "account {username} not printed:\n{out}"
        );
    }
    assert!(
        out.contains("bc.<mã đơn vị>") && out.contains("mật khẩu: demo"),
        "{out}"
    );
    server.stop();

    // Again on the same database: the demo is there, nothing fails, accounts are printed.
    let server = start_server(&db, &["--demo"]);
    assert_eq!(wait_for_200(&server, "/healthz").trim(), "ok");
    let out = server.stdout();
    assert!(out.contains("đã có sẵn"), "{out}");
    assert!(out.contains("quan7.admin"), "{out}");
    server.stop();

    block_on(async {
        let app = db.app().await;
        assert_eq!(app.store.list_trees().await.unwrap().len(), 1);
        assert_eq!(app.store.list_campaigns().await.unwrap().len(), 1);
        let s = app
            .login("tanphong", "demo", None)
            .await
            .expect("demo login");
        assert_eq!(s.actor.unit.code, "27490");
        app.login("bc.27469", "demo", None)
            .await
            .expect("bc.<code> account");
    });
}

#[test]
fn serve_without_demo_invents_nothing() {
    let db = new_db();
    let server = start_server(&db, &[]);
    assert_eq!(wait_for_200(&server, "/healthz").trim(), "ok");
    assert!(!server.stdout().contains("minh họa"), "{}", server.stdout());
    server.stop();
    block_on(async {
        let app = db.app().await;
        assert!(app.store.list_trees().await.unwrap().is_empty());
        assert_eq!(app.store.count_users().await.unwrap(), 0);
    });
    // A busy port is a user error (exit 1), not a crash.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let out = db.run(&["serve", "--addr", &addr]);
    assert_user_error(&out, &["không mở được cổng"]);
    let out = db.run(&["serve", "--addr", "không-phải-địa-chỉ"]);
    assert_user_error(&out, &["HOST:PORT"]);
}
