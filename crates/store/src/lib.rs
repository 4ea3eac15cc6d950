//! tuanle storage: one interface over the database.
//!
//! [`Store`] is the pool; [`Tx`] is one write transaction. Every method's SQL is
//! written once in the dialect SQLite and PostgreSQL share (`$n` placeholders,
//! `ON CONFLICT`, `RETURNING`) and expanded per backend by the `on_pool!`/`on_tx!`
//! macros, so adding a backend touches this crate only.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

mod audit;
mod campaigns;
mod consolidation;
mod error;
mod reports;
mod templates;
mod units;
mod users;

pub use audit::{AuditEntry, NewAudit};
pub use campaigns::NewCampaign;
pub use error::StoreError;
pub use reports::{PhotoMeta, ReportHistoryEntry, ReportRecord, ReportRow, SubtreeReportRow};
pub use units::{UnitUpsert, UpsertOutcome};
pub use users::{SessionRecord, UserRecord};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database behind the store.
#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqlitePool),
}

/// Kho dữ liệu — the storage interface, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
}

/// One write transaction; dropped without [`Tx::commit`] it rolls back.
pub struct Tx {
    inner: TxInner,
}

enum TxInner {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
}

/// Runs `$body` with `$p` bound to the backend's pool.
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite($p) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the transaction's connection (`&mut Connection`).
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match &mut $tx.inner {
            $crate::TxInner::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_pool;
pub(crate) use on_tx;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

impl Store {
    /// Opens the database named by `url` (`sqlite://file.db`, `sqlite::memory:`) and
    /// runs pending migrations.
    pub async fn connect(url: &str) -> Result<Store> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("địa chỉ cơ sở dữ liệu không hợp lệ: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let in_memory = url.contains(":memory:");
            let pool = SqlitePoolOptions::new()
                .max_connections(if in_memory { 1 } else { 8 })
                .min_connections(if in_memory { 1 } else { 0 })
                .idle_timeout(if in_memory { None } else { Some(Duration::from_secs(600)) })
                .max_lifetime(if in_memory { None } else { Some(Duration::from_secs(3600)) })
                .connect_with(opts)
                .await?;
            SQLITE_MIGRATIONS.run(&pool).await.map_err(|e| StoreError::Migration(e.to_string()))?;
            Ok(Store { backend: Backend::Sqlite(pool) })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Err(StoreError::Config("PostgreSQL chưa được hỗ trợ trong phiên bản này; hãy dùng sqlite://".into()))
        } else {
            Err(StoreError::Config(format!("không nhận ra loại cơ sở dữ liệu trong \"{url}\" (dùng sqlite://tệp.db)")))
        }
    }

    /// Starts a write transaction (SQLite: `BEGIN IMMEDIATE`, so it never fails to upgrade).
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match &self.backend {
            Backend::Sqlite(p) => Tx { inner: TxInner::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?) },
        })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, p => { sqlx::query("SELECT 1").execute(p).await?; });
        Ok(())
    }

    /// Name of the backend ("sqlite").
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
        }
    }

    pub async fn close(&self) {
        on_pool!(self, p => p.close().await)
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// Current time as stored: RFC 3339 UTC with microseconds.
pub fn now_text() -> String {
    time_text(chrono::Utc::now())
}

pub fn time_text(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

pub fn parse_time(s: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| StoreError::Corrupt(format!("thời điểm \"{s}\": {e}")))
}

pub fn parse_date(s: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(format!("ngày \"{s}\": {e}")))
}
