//! Giới hạn đăng nhập — failed sign-ins and temporary lock-outs, shared by every
//! instance through the database.

use crate::{on_pool, on_tx, Result, Store, Tx};

/// Scope of a lock on a username.
pub const LOCK_USER: &str = "user";
/// Scope of a lock on a client address.
pub const LOCK_IP: &str = "ip";

impl Store {
    /// The latest end of a lock on `username` or `ip` still running at `now`, if any.
    pub async fn login_locked_until(
        &self,
        username: &str,
        ip: &str,
        now: &str,
    ) -> Result<Option<String>> {
        on_pool!(self, p => Ok(sqlx::query_scalar(
            "SELECT MAX(locked_until) FROM login_lock WHERE locked_until > $1 \
             AND ((scope = 'user' AND key = $2) OR (scope = 'ip' AND key = $3 AND key <> ''))",
        )
        .bind(now).bind(username).bind(ip).fetch_one(p).await?))
    }
}

impl Tx {
    /// Records one failed sign-in.
    pub async fn record_login_failure(&mut self, username: &str, ip: &str, at: &str) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("INSERT INTO login_failure (username, ip, at) VALUES ($1, $2, $3)")
                .bind(username).bind(ip).bind(at).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Failed sign-ins since `since` for a username (`scope = "user"`) or an address (`"ip"`).
    pub async fn count_login_failures(
        &mut self,
        scope: &str,
        key: &str,
        since: &str,
    ) -> Result<i64> {
        let sql = if scope == LOCK_IP {
            "SELECT COUNT(*) FROM login_failure WHERE ip = $1 AND at > $2"
        } else {
            "SELECT COUNT(*) FROM login_failure WHERE username = $1 AND at > $2"
        };
        on_tx!(self, c => Ok(sqlx::query_scalar(sql).bind(key).bind(since).fetch_one(&mut *c).await?))
    }

    /// Locks a username or an address until `until`, and forgets its counted failures
    /// (counting starts afresh when the lock ends).
    pub async fn lock_login(&mut self, scope: &str, key: &str, until: &str) -> Result<()> {
        let forget = if scope == LOCK_IP {
            "DELETE FROM login_failure WHERE ip = $1"
        } else {
            "DELETE FROM login_failure WHERE username = $1"
        };
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO login_lock (scope, key, locked_until) VALUES ($1, $2, $3) \
                 ON CONFLICT (scope, key) DO UPDATE SET locked_until = excluded.locked_until",
            )
            .bind(scope).bind(key).bind(until).execute(&mut *c).await?;
            sqlx::query(forget).bind(key).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// After a successful sign-in: forgets the username's failures, and drops failures
    /// and locks that ended before `before`.
    pub async fn clear_login_failures(&mut self, username: &str, before: &str) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("DELETE FROM login_failure WHERE username = $1 OR at <= $2")
                .bind(username).bind(before).execute(&mut *c).await?;
            sqlx::query("DELETE FROM login_lock WHERE locked_until <= $1")
                .bind(before).execute(&mut *c).await?;
        });
        Ok(())
    }
}
