//! Test support: a fresh, empty database per test, on the backend the environment
//! chooses. `TUANLE_TEST_DB` unset or `sqlite` → a SQLite file in a new temporary
//! directory; `TUANLE_TEST_DB=postgres://user@host:port/db` → a new PostgreSQL
//! database created on that server for each call. `scripts/test.sh` runs the whole
//! suite once per backend.

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// Keeps a test database alive (the SQLite temp directory) while held.
#[derive(Debug)]
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Name of the backend the tests run on: "sqlite" or "postgres".
pub fn test_backend() -> &'static str {
    match std::env::var("TUANLE_TEST_DB") {
        Ok(v) if v.starts_with("postgres") => "postgres",
        _ => "sqlite",
    }
}

/// A fresh empty database for one test.
pub async fn fresh_db() -> TestDb {
    match std::env::var("TUANLE_TEST_DB") {
        Ok(base) if base.starts_with("postgres") => {
            let name = format!(
                "tuanle_t_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                chrono::Utc::now().timestamp_micros() % 1_000_000_000
            );
            let opts =
                PgConnectOptions::from_str(&base).expect("TUANLE_TEST_DB is a PostgreSQL URL");
            let mut conn = opts
                .connect()
                .await
                .expect("connect to the PostgreSQL test server");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create test database");
            conn.close().await.ok();
            let url = match base.rfind('/') {
                Some(i) if base[..i].contains("//") && i > base.find("//").unwrap_or(0) + 1 => {
                    let (head, tail) = base.split_at(i);
                    let query = tail.find('?').map(|q| &tail[q..]).unwrap_or("");
                    format!("{head}/{name}{query}")
                }
                _ => format!("{}/{name}", base.trim_end_matches('/')),
            };
            TestDb { url, _dir: None }
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/t.db", dir.path().display());
            TestDb {
                url,
                _dir: Some(dir),
            }
        }
    }
}
