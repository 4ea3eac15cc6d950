//! The SQLite and PostgreSQL migrations describe the same schema, at the same versions.
//! Needs a PostgreSQL server (`scripts/test.sh` starts one): `TUANLE_PG_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`.

use tuanle_store::Store;

#[tokio::test]
async fn sqlite_and_postgres_schemas_agree() {
    let (sqlite_versions, pg_versions) = Store::migration_versions();
    assert_eq!(sqlite_versions, pg_versions, "migration versions differ");
    assert!(!sqlite_versions.is_empty());

    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::connect(&format!("sqlite://{}/s.db", dir.path().display()))
        .await
        .unwrap();
    let base = std::env::var("TUANLE_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    std::env::set_var("TUANLE_TEST_DB", &base);
    let db = tuanle_store::testing::fresh_db().await;
    let pg = Store::connect(&db.url)
        .await
        .expect("PostgreSQL must be reachable for this test (scripts/test.sh starts it)");
    let a = sqlite.schema_columns().await.unwrap();
    let b = pg.schema_columns().await.unwrap();
    assert!(a.len() > 50, "{} columns", a.len());
    let only_sqlite: Vec<_> = a.iter().filter(|x| !b.contains(x)).collect();
    let only_pg: Vec<_> = b.iter().filter(|x| !a.contains(x)).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "only in SQLite: {only_sqlite:?}\nonly in PostgreSQL: {only_pg:?}"
    );
}
