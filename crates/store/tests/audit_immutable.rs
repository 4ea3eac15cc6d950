//! Nhật ký chỉ được ghi thêm: the database itself refuses to change or remove an audit
//! row, whatever SQL reaches it (issue 7 item 7). On the backend `TUANLE_TEST_DB` names.

use sqlx::Connection;
use tuanle_store::{NewAudit, Store};

async fn store_with_one_row() -> (Store, tuanle_store::testing::TestDb) {
    let db = tuanle_store::testing::fresh_db().await;
    let store = Store::connect(&db.url).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.audit(NewAudit {
        username: Some("tanphong".into()),
        action: "report_save".into(),
        object_type: "report".into(),
        object_id: "1".into(),
        after: Some(serde_json::json!({"status": "draft"})),
        ..Default::default()
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (store, db)
}

/// Runs `sql` on a connection of its own (not through the product) and returns the error.
async fn refused(url: &str, sql: &str) -> String {
    let result = if url.starts_with("sqlite") {
        let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query(sql).execute(&mut c).await.map(|_| ())
    } else {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query(sql).execute(&mut c).await.map(|_| ())
    };
    match result {
        Ok(()) => panic!("{sql} was accepted"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn audit_rows_cannot_be_updated_or_deleted() {
    let (store, db) = store_with_one_row().await;
    let mut statements = vec![
        "UPDATE audit_log SET username = 'someone_else'",
        "UPDATE audit_log SET after_state = NULL WHERE id = 1",
        "DELETE FROM audit_log",
    ];
    if db.url.starts_with("postgres") {
        statements.push("TRUNCATE audit_log");
    }
    for sql in statements {
        let e = refused(&db.url, sql).await;
        assert!(
            e.contains("Nhật ký thay đổi chỉ được ghi thêm"),
            "{sql}: {e}"
        );
    }
    let rows = store.audit_entries(None, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].username.as_deref(), Some("tanphong"));
    assert_eq!(rows[0].after.as_deref(), Some("{\"status\":\"draft\"}"));
    // Appending still works.
    let mut tx = store.begin().await.unwrap();
    tx.audit(NewAudit {
        action: "report_submit".into(),
        object_type: "report".into(),
        object_id: "1".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.count_audit().await.unwrap(), 2);
}
