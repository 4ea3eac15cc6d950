//! Sao lưu SQLite — an online copy of a SQLite database (`VACUUM INTO`) and checks of a
//! backup file before it is restored. PostgreSQL is backed up with its own tools
//! (pg_dump/pg_restore, see the `tuanle backup` command).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::Row;

use crate::{Backend, Result, Store, StoreError};

/// The file of a `sqlite:` database URL (`None` for other backends and in-memory databases).
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    if !url.starts_with("sqlite:") || url.contains(":memory:") {
        return None;
    }
    let opts = SqliteConnectOptions::from_str(url).ok()?;
    Some(opts.get_filename().to_path_buf())
}

impl Store {
    /// Whether this store is SQLite.
    pub fn is_sqlite(&self) -> bool {
        matches!(self.backend, Backend::Sqlite(_))
    }

    /// Writes a consistent copy of the SQLite database to `path` while it is in use
    /// (`VACUUM INTO`: one read transaction, writers go on). The file must not exist.
    pub async fn sqlite_backup_into(&self, path: &Path) -> Result<()> {
        let Backend::Sqlite(pool) = &self.backend else {
            return Err(StoreError::Config(
                "sao lưu trực tuyến bằng VACUUM INTO chỉ dành cho SQLite".into(),
            ));
        };
        let target = path.to_str().ok_or_else(|| {
            StoreError::Config(format!("đường dẫn không hợp lệ: {}", path.display()))
        })?;
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(pool)
            .await?;
        Ok(())
    }
}

/// Checks that `path` is an intact SQLite database written by tuanle: `PRAGMA
/// integrity_check` answers `ok` and the migrations table is there. Returns the number
/// of migrations it holds.
pub async fn check_sqlite_backup(path: &Path) -> Result<i64> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await?;
    let check: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await?
        .get(0);
    if check != "ok" {
        pool.close().await;
        return Err(StoreError::Config(format!(
            "tệp sao lưu bị hỏng (integrity_check: {check})"
        )));
    }
    let migrations: Result<i64, sqlx::Error> =
        sqlx::query("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&pool)
            .await
            .and_then(|r| r.try_get(0));
    pool.close().await;
    match migrations {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(StoreError::Config(
            "tệp không phải bản sao lưu cơ sở dữ liệu tuanle".into(),
        )),
    }
}
