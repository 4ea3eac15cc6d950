//! Đặt lại mật khẩu — one-time reset links (only the token's SHA-256 is stored), the count of
//! reset requests for rate limiting, password updates, and pruning of what has run out.

use crate::users::{user_from_row, UserRecord, USER_COLUMNS};
use crate::{on_pool, on_tx, Result, Store, Tx};

/// Kind of the outbox e-mails that carry a reset link (their body is scrubbed once the link
/// is dead, see [`Tx::prune_auth`]).
pub const RESET_EMAIL_KIND: &str = "password_reset";

/// What [`Tx::prune_auth`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuthPruned {
    pub login_failures: u64,
    pub login_locks: u64,
    pub reset_requests: u64,
    pub reset_tokens: u64,
    pub reset_emails_scrubbed: u64,
}

/// Cut-off times of [`Tx::prune_auth`] (RFC 3339, UTC).
#[derive(Debug, Clone)]
pub struct AuthCutoffs {
    /// Now: locks that ended and reset links that expired by then go.
    pub now: String,
    /// Failed sign-ins at or before this are out of the counting window.
    pub failures_before: String,
    /// Reset requests at or before this are out of the rate-limit window.
    pub requests_before: String,
}

impl Store {
    /// Active accounts whose username or e-mail address is `login` (case-insensitive).
    pub async fn users_by_login(&self, login: &str) -> Result<Vec<UserRecord>> {
        on_pool!(self, p => {
            let rows = sqlx::query(&format!(
                "SELECT {USER_COLUMNS} FROM app_user u WHERE u.active = TRUE \
                 AND (LOWER(u.username) = LOWER($1) OR LOWER(u.email) = LOWER($1)) ORDER BY u.id LIMIT 20"
            ))
            .bind(login).fetch_all(p).await?;
            rows.iter().map(user_from_row).collect()
        })
    }

    /// The account a reset link is for, while the link is unused and not expired at `now`.
    pub async fn reset_user(&self, token_hash: &str, now: &str) -> Result<Option<UserRecord>> {
        on_pool!(self, p => {
            let row = sqlx::query(&format!(
                "SELECT {USER_COLUMNS} FROM password_reset r JOIN app_user u ON u.id = r.user_id \
                 WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2 AND u.active = TRUE"
            ))
            .bind(token_hash).bind(now).fetch_optional(p).await?;
            row.as_ref().map(user_from_row).transpose()
        })
    }

    /// Reset links of a user still usable at `now` (tests, support).
    pub async fn live_resets(&self, user_id: i64, now: &str) -> Result<i64> {
        on_pool!(self, p => Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM password_reset WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(user_id).bind(now).fetch_one(p).await?))
    }

    /// Rows of the pruned tables, for the pruning test: (login_failure, login_lock,
    /// password_reset_request, password_reset, auth_session).
    pub async fn auth_row_counts(&self) -> Result<(i64, i64, i64, i64, i64)> {
        on_pool!(self, p => {
            let mut n = Vec::new();
            for t in ["login_failure", "login_lock", "password_reset_request", "password_reset", "auth_session"] {
                n.push(sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {t}")).fetch_one(p).await?);
            }
            Ok((n[0], n[1], n[2], n[3], n[4]))
        })
    }

    /// Bodies of the reset e-mails in the outbox (tests: the link must not outlive the token).
    pub async fn reset_email_bodies(&self) -> Result<Vec<String>> {
        on_pool!(self, p => Ok(sqlx::query_scalar(
            "SELECT body FROM email_outbox WHERE kind = $1 ORDER BY id",
        )
        .bind(RESET_EMAIL_KIND).fetch_all(p).await?))
    }
}

impl Tx {
    /// Reset requests since `since` for a typed name/e-mail (`scope = "user"`) or an address (`"ip"`).
    pub async fn count_reset_requests(
        &mut self,
        scope: &str,
        key: &str,
        since: &str,
    ) -> Result<i64> {
        let sql = if scope == crate::LOCK_IP {
            "SELECT COUNT(*) FROM password_reset_request WHERE ip = $1 AND at > $2"
        } else {
            "SELECT COUNT(*) FROM password_reset_request WHERE key = $1 AND at > $2"
        };
        on_tx!(self, c => Ok(sqlx::query_scalar(sql).bind(key).bind(since).fetch_one(&mut *c).await?))
    }

    /// Records one accepted reset request.
    pub async fn record_reset_request(&mut self, key: &str, ip: &str, at: &str) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("INSERT INTO password_reset_request (key, ip, at) VALUES ($1, $2, $3)")
                .bind(key).bind(ip).bind(at).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// A new reset link for a user; the user's older unused links stop working.
    pub async fn insert_reset(
        &mut self,
        token_hash: &str,
        user_id: i64,
        ip: &str,
        now: &str,
        expires_at: &str,
    ) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("DELETE FROM password_reset WHERE user_id = $1 AND used_at IS NULL")
                .bind(user_id).execute(&mut *c).await?;
            sqlx::query("INSERT INTO password_reset (token_hash, user_id, ip, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(token_hash).bind(user_id).bind(ip).bind(now).bind(expires_at)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Uses a reset link: marks it used if it is unused and not expired at `now` (one
    /// conditional update, so two concurrent uses cannot both succeed), and drops the user's
    /// other unused links. The user's id, or `None` when the link cannot be used.
    pub async fn use_reset(&mut self, token_hash: &str, now: &str) -> Result<Option<i64>> {
        on_tx!(self, c => {
            let user: Option<i64> = sqlx::query_scalar(
                "UPDATE password_reset SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_id",
            )
            .bind(token_hash).bind(now).fetch_optional(&mut *c).await?;
            if let Some(id) = user {
                sqlx::query("DELETE FROM password_reset WHERE user_id = $1 AND used_at IS NULL")
                    .bind(id).execute(&mut *c).await?;
            }
            Ok(user)
        })
    }

    /// Stores a new password hash.
    pub async fn set_password_hash(&mut self, user_id: i64, hash: &str) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("UPDATE app_user SET password_hash = $2 WHERE id = $1")
                .bind(user_id).bind(hash).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Forgets a username's failed sign-ins and lifts its lock (after a password reset).
    pub async fn clear_user_lock(&mut self, username_key: &str) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("DELETE FROM login_failure WHERE username = $1")
                .bind(username_key).execute(&mut *c).await?;
            sqlx::query("DELETE FROM login_lock WHERE scope = 'user' AND key = $1")
                .bind(username_key).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Dọn dẹp: failed sign-ins out of the window, ended locks, reset requests out of their
    /// window, used or expired reset links, and the text of reset e-mails whose links are dead.
    pub async fn prune_auth(&mut self, cut: &AuthCutoffs) -> Result<AuthPruned> {
        let scrubbed =
            "(Nội dung đã xóa: liên kết đặt lại mật khẩu trong thư này đã hết hiệu lực.)";
        on_tx!(self, c => {
            let login_failures = sqlx::query("DELETE FROM login_failure WHERE at <= $1")
                .bind(&cut.failures_before).execute(&mut *c).await?.rows_affected();
            let login_locks = sqlx::query("DELETE FROM login_lock WHERE locked_until <= $1")
                .bind(&cut.now).execute(&mut *c).await?.rows_affected();
            let reset_requests = sqlx::query("DELETE FROM password_reset_request WHERE at <= $1")
                .bind(&cut.requests_before).execute(&mut *c).await?.rows_affected();
            let reset_tokens = sqlx::query("DELETE FROM password_reset WHERE used_at IS NOT NULL OR expires_at <= $1")
                .bind(&cut.now).execute(&mut *c).await?.rows_affected();
            // A reset e-mail's link lives as long as its token: once no live token of the
            // user was created at or before the e-mail, the text goes (it is only kept for
            // sending, and its token is dead).
            let reset_emails_scrubbed = sqlx::query(
                "UPDATE email_outbox SET body = $1 WHERE kind = $2 AND body <> $1 \
                 AND NOT EXISTS (SELECT 1 FROM password_reset r WHERE r.user_id = email_outbox.user_id AND r.used_at IS NULL \
                 AND r.expires_at > $3 AND r.created_at <= email_outbox.created_at)",
            )
            .bind(scrubbed).bind(RESET_EMAIL_KIND).bind(&cut.now).execute(&mut *c).await?.rows_affected();
            Ok(AuthPruned { login_failures, login_locks, reset_requests, reset_tokens, reset_emails_scrubbed })
        })
    }
}
