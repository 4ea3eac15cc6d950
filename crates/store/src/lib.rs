//! tuanle storage: one interface over the database.
//!
//! [`Store`] is the pool; [`Tx`] is one write transaction. Every method's SQL is
//! written once in the dialect SQLite and PostgreSQL share (`$n` placeholders,
//! `ON CONFLICT`, `RETURNING`) and expanded per backend by the `on_pool!`/`on_tx!`
//! macros, so adding a backend touches this crate only.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

mod activities;
mod audit;
mod backup;
mod campaigns;
mod consolidation;
mod error;
mod expected;
mod jobs;
mod login_throttle;
mod password_reset;
mod plans;
mod reports;
mod sessions;
mod templates;
pub mod testing;
mod units;
mod users;

pub use activities::{
    ActivityFilter, ActivityPhotoMeta, ActivityRecord, ActivitySettingsRow, NewActivity,
    NotificationRecord, OutboxEmail, OutboxRow, OverdueTask,
};
pub use audit::{AuditEntry, AuditFilter, NewAudit};
pub use backup::{check_sqlite_backup, sqlite_file};
pub use campaigns::NewCampaign;
pub use consolidation::FOLD_BATCH;
pub use error::StoreError;
pub use jobs::{Job, JobRow};
pub use login_throttle::{LOCK_IP, LOCK_USER};
pub use password_reset::{AuthCutoffs, AuthPruned, RESET_EMAIL_KIND};
pub use plans::{
    ConsultationRecord, DocumentRecord, IncomingRecord, IssuerRecord, NewDocument, NewTask,
    RecipientRow, ReplyRecord, TaskRecord, VersionRow, SERIES_IN, SERIES_OUT,
};
pub use reports::{PhotoMeta, ReportHistoryEntry, ReportRecord, ReportRow, SubtreeReportRow};
pub use sessions::{SessionCutoffs, SessionRecord};
pub use units::{UnitUpsert, UpsertOutcome};
pub use users::UserRecord;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database behind the store.
#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Kho dữ liệu — the storage interface, cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// SQLite has one writer at a time. Queueing this process's writers here, rather
    /// than in SQLite's busy handler (which sleeps and retries), hands the write lock
    /// straight to the next transaction. Other processes still queue on the busy timeout.
    write_gate: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
}

/// One write transaction; dropped without [`Tx::commit`] it rolls back.
pub struct Tx {
    inner: TxInner,
    _gate: Option<tokio::sync::OwnedMutexGuard<()>>,
}

enum TxInner {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$p` bound to the backend's pool.
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite($p) => $body,
            $crate::Backend::Postgres($p) => $body,
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
            $crate::TxInner::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_pool;
pub(crate) use on_tx;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens the database named by `url` (`sqlite://file.db`, `sqlite::memory:`) and
    /// runs pending migrations.
    pub async fn connect(url: &str) -> Result<Store> {
        if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| {
                    StoreError::Config(format!("địa chỉ cơ sở dữ liệu không hợp lệ: {e}"))
                })?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit is on disk before it is acknowledged, also across a power
                // cut (NORMAL in WAL mode survives a process crash but may lose the last
                // commits when the machine loses power). See docs/security.md.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let in_memory = url.contains(":memory:");
            let pool = SqlitePoolOptions::new()
                .max_connections(if in_memory { 1 } else { 8 })
                .min_connections(if in_memory { 1 } else { 0 })
                .idle_timeout(if in_memory {
                    None
                } else {
                    Some(Duration::from_secs(600))
                })
                .max_lifetime(if in_memory {
                    None
                } else {
                    Some(Duration::from_secs(3600))
                })
                .connect_with(opts)
                .await?;
            SQLITE_MIGRATIONS
                .run(&pool)
                .await
                .map_err(|e| StoreError::Migration(e.to_string()))?;
            Ok(Store {
                backend: Backend::Sqlite(pool),
                write_gate: Some(Default::default()),
            })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let opts = PgConnectOptions::from_str(url).map_err(|e| {
                StoreError::Config(format!("địa chỉ cơ sở dữ liệu không hợp lệ: {e}"))
            })?;
            let pool = PgPoolOptions::new()
                .max_connections(32)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            POSTGRES_MIGRATIONS
                .run(&pool)
                .await
                .map_err(|e| StoreError::Migration(e.to_string()))?;
            Ok(Store {
                backend: Backend::Postgres(pool),
                write_gate: None,
            })
        } else {
            Err(StoreError::Config(format!("không nhận ra loại cơ sở dữ liệu trong \"{url}\" (dùng sqlite://tệp.db hoặc postgres://…)")))
        }
    }

    /// Starts a write transaction. SQLite: `BEGIN IMMEDIATE`, so it never fails to
    /// upgrade and writers queue on the busy timeout. PostgreSQL: READ COMMITTED, with
    /// rows that are read-then-written locked by `FOR UPDATE` (see [`Tx::lock_clause`]).
    pub async fn begin(&self) -> Result<Tx> {
        let gate = match &self.write_gate {
            Some(g) => Some(g.clone().lock_owned().await),
            None => None,
        };
        Ok(match &self.backend {
            Backend::Sqlite(p) => Tx {
                inner: TxInner::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
                _gate: gate,
            },
            Backend::Postgres(p) => Tx {
                inner: TxInner::Postgres(p.begin().await?),
                _gate: gate,
            },
        })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, p => { sqlx::query("SELECT 1").execute(p).await?; });
        Ok(())
    }

    /// Whether a report's changes to the running sums are written as append-only deltas
    /// (folded later by [`Store::fold_deltas`]) rather than applied in place. PostgreSQL
    /// writers run concurrently and would otherwise queue on the row locks of the
    /// national, provincial and district sums; SQLite has one writer at a time, so it
    /// applies them in place.
    pub fn defers_sums(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// Refreshes the query planner's statistics (PostgreSQL `ANALYZE`, SQLite
    /// `PRAGMA optimize`). Autovacuum normally does this on PostgreSQL; tuanle also does it
    /// after bulk changes and every minute, so plans stay right where autovacuum is off.
    pub async fn analyze(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(p) => {
                sqlx::query("PRAGMA optimize").execute(p).await?;
            }
            Backend::Postgres(p) => {
                sqlx::query("ANALYZE").execute(p).await?;
            }
        }
        Ok(())
    }

    /// Name of the backend ("sqlite").
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// The schema as (table, column, not-null) rows, sorted, without the migration
    /// bookkeeping table: used to check that both backends' migrations agree.
    pub async fn schema_columns(&self) -> Result<Vec<(String, String, bool)>> {
        use sqlx::Row;
        let mut out: Vec<(String, String, bool)> = match &self.backend {
            Backend::Sqlite(p) => {
                let rows = sqlx::query(
                    "SELECT m.name AS t, c.name AS c, c.\"notnull\" AS n, c.pk AS pk FROM sqlite_master m JOIN pragma_table_info(m.name) c \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
                )
                .fetch_all(p)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            r.try_get("t")?,
                            r.try_get("c")?,
                            r.try_get::<i64, _>("n")? == 1 || r.try_get::<i64, _>("pk")? > 0,
                        ))
                    })
                    .collect::<Result<_>>()?
            }
            Backend::Postgres(p) => {
                let rows = sqlx::query(
                    "SELECT table_name::text AS t, column_name::text AS c, is_nullable::text AS n FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
                )
                .fetch_all(p)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            r.try_get("t")?,
                            r.try_get("c")?,
                            r.try_get::<String, _>("n")? == "NO",
                        ))
                    })
                    .collect::<Result<_>>()?
            }
        };
        out.sort();
        Ok(out)
    }

    /// Migration versions of the SQLite and the PostgreSQL schema.
    pub fn migration_versions() -> (Vec<i64>, Vec<i64>) {
        (
            SQLITE_MIGRATIONS.iter().map(|m| m.version).collect(),
            POSTGRES_MIGRATIONS.iter().map(|m| m.version).collect(),
        )
    }

    pub async fn close(&self) {
        on_pool!(self, p => p.close().await)
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// `" FOR UPDATE"` where the backend needs row locks for read-then-write (PostgreSQL);
    /// empty on SQLite, whose `BEGIN IMMEDIATE` already holds the write lock.
    pub(crate) fn lock_clause(&self) -> &'static str {
        match self.inner {
            TxInner::Sqlite(_) => "",
            TxInner::Postgres(_) => " FOR UPDATE",
        }
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
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt(format!("ngày \"{s}\": {e}")))
}
