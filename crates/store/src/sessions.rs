//! Phiên đăng nhập — web sessions and API tokens (only the SHA-256 of the secret is stored),
//! their absolute and idle expiry, and ending every session of a user.

use sqlx::Row;

use crate::users::{user_from_row, UserRecord, USER_COLUMNS};
use crate::{on_pool, on_tx, Result, Store, Tx};

/// A live session or API token.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: UserRecord,
    pub kind: String,
    pub csrf_token: String,
    pub created_at: String,
    pub expires_at: String,
    /// When the session was last used (updated at most once a minute, see [`Tx::touch_session`]).
    pub last_seen_at: String,
}

/// What [`Tx::purge_sessions`] is told is over.
#[derive(Debug, Clone)]
pub struct SessionCutoffs {
    /// Web sessions whose absolute lifetime ended by then (`expires_at <= web_now`).
    pub web_now: String,
    /// Web sessions not used since then are idle-expired (`last_seen_at <= idle_since`).
    pub idle_since: String,
    /// API tokens whose lifetime ended by then.
    pub api_now: String,
}

impl Store {
    /// The session or token whose secret hashes to `token_hash`, if its absolute lifetime has
    /// not ended at `now` and its user is active. Idle expiry is the caller's rule.
    pub async fn session(
        &self,
        token_hash: &str,
        kind: &str,
        now: &str,
    ) -> Result<Option<SessionRecord>> {
        on_pool!(self, p => {
            let row = sqlx::query(&format!(
                "SELECT {USER_COLUMNS}, s.kind, s.csrf_token, s.created_at, s.expires_at, s.last_seen_at \
                 FROM auth_session s JOIN app_user u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.kind = $2 AND s.expires_at > $3 AND u.active = TRUE"
            ))
            .bind(token_hash).bind(kind).bind(now).fetch_optional(p).await?;
            match row {
                None => Ok(None),
                Some(r) => Ok(Some(SessionRecord {
                    user: user_from_row(&r)?,
                    kind: r.try_get("kind")?,
                    csrf_token: r.try_get("csrf_token")?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                    last_seen_at: r.try_get("last_seen_at")?,
                })),
            }
        })
    }

    /// Sessions and tokens of a user, of `kind` (`None`: both).
    pub async fn count_user_sessions(&self, user_id: i64, kind: Option<&str>) -> Result<i64> {
        on_pool!(self, p => Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM auth_session WHERE user_id = $1 AND ($2 = '' OR kind = $2)",
        )
        .bind(user_id).bind(kind.unwrap_or("")).fetch_one(p).await?))
    }
}

impl Tx {
    /// A new session or token, created and last seen at `now`.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_session(
        &mut self,
        token_hash: &str,
        user_id: i64,
        kind: &str,
        csrf_token: &str,
        now: &str,
        expires_at: &str,
    ) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("INSERT INTO auth_session (token_hash, user_id, kind, csrf_token, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $5)")
                .bind(token_hash).bind(user_id).bind(kind).bind(csrf_token).bind(now).bind(expires_at)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        on_tx!(self, c => { sqlx::query("DELETE FROM auth_session WHERE token_hash = $1").bind(token_hash).execute(&mut *c).await?; });
        Ok(())
    }

    /// Records a use of a session at `now`, unless one was recorded after `unless_after`
    /// (so that a busy session is written at most once a minute). Whether it wrote.
    pub async fn touch_session(
        &mut self,
        token_hash: &str,
        now: &str,
        unless_after: &str,
    ) -> Result<bool> {
        on_tx!(self, c => Ok(sqlx::query(
            "UPDATE auth_session SET last_seen_at = $2 WHERE token_hash = $1 AND last_seen_at <= $3",
        )
        .bind(token_hash).bind(now).bind(unless_after).execute(&mut *c).await?.rows_affected() > 0))
    }

    /// Ends every session and API token of a user but the one whose hash is `keep`.
    /// Returns how many ended.
    pub async fn delete_user_sessions(&mut self, user_id: i64, keep: Option<&str>) -> Result<u64> {
        on_tx!(self, c => Ok(sqlx::query(
            "DELETE FROM auth_session WHERE user_id = $1 AND token_hash <> $2",
        )
        .bind(user_id).bind(keep.unwrap_or("")).execute(&mut *c).await?.rows_affected()))
    }

    /// Removes web sessions past their lifetime or idle, and expired API tokens.
    pub async fn purge_sessions(&mut self, cut: &SessionCutoffs) -> Result<u64> {
        on_tx!(self, c => Ok(sqlx::query(
            "DELETE FROM auth_session WHERE (kind = 'web' AND (expires_at <= $1 OR last_seen_at <= $2)) \
             OR (kind <> 'web' AND expires_at <= $3)",
        )
        .bind(&cut.web_now).bind(&cut.idle_since).bind(&cut.api_now)
        .execute(&mut *c).await?.rows_affected()))
    }
}
