//! `tuanle backup` / `tuanle restore` round trip on the test database (SQLite, or PostgreSQL
//! when `TUANLE_TEST_DB` names it): a backup taken while the application holds the database
//! open, changes made after it, a restore that brings back exactly the backed-up state, and
//! the refusals (existing backup file, restore without `--yes`, a file that is no backup).

use std::process::Command;

use tuanle_app::users::NewUser;
use tuanle_app::App;
use tuanle_domain::access::Role;

const BIN: &str = env!("CARGO_BIN_EXE_tuanle");

fn tuanle(db: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn add_user(app: &App, username: &str) {
    app.add_user(
        None,
        1,
        &NewUser {
            username: username.into(),
            full_name: "Người sau sao lưu".into(),
            email: None,
            password: "matkhau-dai-1".into(),
            unit_code: "27490".into(),
            role: Role::Viewer,
        },
        true,
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_then_restore_brings_back_the_backed_up_state() {
    let db = tuanle_store::testing::fresh_db().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tuanle.backup");
    let file_s = file.to_str().unwrap();

    let app = App::open(&db.url).await.unwrap();
    app.build_demo().await.unwrap();
    add_user(&app, "truoc.saoluu").await;
    let audit_before = app.store.count_audit().await.unwrap();

    // Online: the application keeps its pool open during the backup.
    let (code, out, err) = tuanle(&db.url, &["backup", file_s]);
    assert_eq!(code, 0, "backup: {out} {err}");
    assert!(out.contains("Đã sao lưu"), "{out}");
    assert!(std::fs::metadata(&file).unwrap().len() > 10_000);
    // A second backup never overwrites the first.
    let (code, _, err) = tuanle(&db.url, &["backup", file_s]);
    assert_eq!(code, 1);
    assert!(err.contains("đã có"), "{err}");

    // Changes after the backup.
    add_user(&app, "sau.saoluu").await;
    assert!(app.store.count_audit().await.unwrap() > audit_before);
    app.store.close().await;
    drop(app);

    // Restore needs --yes, and a real backup.
    let (code, _, err) = tuanle(&db.url, &["restore", file_s]);
    assert_eq!(code, 1);
    assert!(err.contains("--yes"), "{err}");
    let junk = dir.path().join("junk.backup");
    std::fs::write(&junk, b"not a backup at all").unwrap();
    let (code, _, err) = tuanle(&db.url, &["restore", junk.to_str().unwrap(), "--yes"]);
    assert_eq!(code, 1, "junk restored: {err}");
    // The database is untouched by the refused restore.
    let app = App::open(&db.url).await.unwrap();
    assert!(app
        .store
        .user_by_username("sau.saoluu")
        .await
        .unwrap()
        .is_some());
    app.store.close().await;
    drop(app);

    let (code, out, err) = tuanle(&db.url, &["restore", file_s, "--yes"]);
    assert_eq!(code, 0, "restore: {out} {err}");
    let app = App::open(&db.url).await.unwrap();
    assert!(app
        .store
        .user_by_username("truoc.saoluu")
        .await
        .unwrap()
        .is_some());
    assert!(
        app.store
            .user_by_username("sau.saoluu")
            .await
            .unwrap()
            .is_none(),
        "a change made after the backup is gone"
    );
    assert_eq!(app.store.count_audit().await.unwrap(), audit_before);
    // The restored database works: sessions, reports, consolidation.
    let s = app.login("quan7", "demo", None).await.unwrap();
    assert_eq!(s.actor.unit.code, "778");
    assert_eq!(app.rebuild_consolidation(None, 1).await.unwrap(), 0);
}
