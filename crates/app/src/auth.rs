//! Đăng nhập — passwords (argon2id), server-side sessions, API tokens, CSRF tokens.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{Duration, Utc};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};
use tuanle_store::time_text;

use crate::{Actor, App, AppError, Result};

/// Kind of a web session row.
pub const WEB: &str = "web";
/// Kind of an API token row.
pub const API: &str = "api";
/// How long a web session lives.
pub const SESSION_HOURS: i64 = 12;
/// How long an API token lives.
pub const TOKEN_HOURS: i64 = 24;
/// Failed sign-ins for one username within [`LOCK_WINDOW_MINUTES`] that lock it.
pub const MAX_FAILURES_PER_USER: i64 = 5;
/// Failed sign-ins from one address within [`LOCK_WINDOW_MINUTES`] that lock it (higher than
/// per user: a ward office's computers often share one public address).
pub const MAX_FAILURES_PER_IP: i64 = 20;
/// The window in which failed sign-ins are counted.
pub const LOCK_WINDOW_MINUTES: i64 = 15;
/// How long a lock-out lasts.
pub const LOCK_MINUTES: i64 = 15;
/// Shortest password accepted for new accounts.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::invalid("Mật khẩu", format!("không băm được: {e}")))
}

/// Checks a password against a stored argon2 hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A fresh random secret, hex-encoded (256 bits).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What is stored of a secret: its SHA-256.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two strings in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The refusal while a lock runs until `until` (RFC 3339, UTC), in Vietnam time.
fn locked(until: &str) -> AppError {
    let when = chrono::DateTime::parse_from_rfc3339(until)
        .map(|t| {
            t.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"))
                .format("%H:%M ngày %d/%m/%Y")
                .to_string()
        })
        .unwrap_or_else(|_| until.to_string());
    AppError::TooManyAttempts(format!(
        "Đăng nhập sai quá nhiều lần: tạm khóa đăng nhập đến {when}, vui lòng thử lại sau"
    ))
}

/// A new session: the secret for the cookie and the CSRF token of its forms.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub actor: Actor,
}

impl App {
    async fn check_credentials(
        &self,
        username: &str,
        password: &str,
        ip: Option<&str>,
    ) -> Result<tuanle_store::UserRecord> {
        let name = username.trim();
        let key = name.to_lowercase();
        let ip = ip.unwrap_or_default();
        let now = self.now();
        if let Some(until) = self
            .store
            .login_locked_until(&key, ip, &time_text(now))
            .await?
        {
            return Err(locked(&until));
        }
        let user = self.store.user_by_username(name).await?;
        let user = match user {
            Some(u) if u.active && verify_password(password, &u.password_hash) => Some(u),
            Some(_) => None,
            None => {
                // Spend the same time as a real check so that names cannot be probed.
                let _ = verify_password(password, "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Qb2ZfTB8uOHkGo0C0wsr7Ezjk5MM3wU8ZBcWQ7QeSo");
                None
            }
        };
        let since = time_text(now - Duration::minutes(LOCK_WINDOW_MINUTES));
        let mut tx = self.store.begin().await?;
        if let Some(u) = user {
            tx.clear_login_failures(&key, &since).await?;
            tx.commit().await?;
            return Ok(u);
        }
        tx.record_login_failure(&key, ip, &time_text(now)).await?;
        let until = time_text(now + Duration::minutes(LOCK_MINUTES));
        let mut lock = None;
        let mut limits = vec![(tuanle_store::LOCK_USER, key.as_str(), MAX_FAILURES_PER_USER)];
        if !ip.is_empty() {
            limits.push((tuanle_store::LOCK_IP, ip, MAX_FAILURES_PER_IP));
        }
        for (scope, k, max) in limits {
            if tx.count_login_failures(scope, k, &since).await? >= max {
                tx.lock_login(scope, k, &until).await?;
                tx.audit(tuanle_store::NewAudit {
                    username: Some(name.to_string()),
                    ip: (!ip.is_empty()).then(|| ip.to_string()),
                    action: "login_locked".into(),
                    object_type: if scope == tuanle_store::LOCK_IP {
                        "ip"
                    } else {
                        "user"
                    }
                    .into(),
                    object_id: k.to_string(),
                    after: Some(serde_json::json!({ "locked_until": until })),
                    ..Default::default()
                })
                .await?;
                lock = Some(locked(&until));
            }
        }
        tx.commit().await?;
        Err(lock.unwrap_or(AppError::BadCredentials))
    }

    async fn actor_of(&self, user: tuanle_store::UserRecord, ip: Option<String>) -> Result<Actor> {
        let unit = self
            .store
            .unit(user.unit_id)
            .await?
            .ok_or_else(|| AppError::NotFound("đơn vị của người dùng".into()))?;
        Ok(Actor { user, unit, ip })
    }

    /// Đăng nhập: checks the password and opens a server-side session.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        ip: Option<String>,
    ) -> Result<NewSession> {
        let user = self
            .check_credentials(username, password, ip.as_deref())
            .await?;
        let actor = self.actor_of(user, ip).await?;
        let token = random_token();
        let csrf_token = random_token();
        let expires = time_text(Utc::now() + Duration::hours(SESSION_HOURS));
        let mut tx = self.store.begin().await?;
        tx.insert_session(
            &token_hash(&token),
            actor.user.id,
            WEB,
            &csrf_token,
            &expires,
        )
        .await?;
        tx.audit(tuanle_store::NewAudit {
            action: "login".into(),
            object_type: "user".into(),
            object_id: actor.user.id.to_string(),
            unit_id: Some(actor.unit.id),
            ..actor.audit()
        })
        .await?;
        tx.delete_expired_sessions().await?;
        tx.commit().await?;
        Ok(NewSession {
            token,
            csrf_token,
            actor,
        })
    }

    /// Cấp token API: `POST /api/v1/auth/token`.
    pub async fn issue_api_token(
        &self,
        username: &str,
        password: &str,
        ip: Option<String>,
    ) -> Result<(String, chrono::DateTime<Utc>)> {
        let user = self
            .check_credentials(username, password, ip.as_deref())
            .await?;
        let actor = self.actor_of(user, ip).await?;
        let token = random_token();
        let expires_at = Utc::now() + Duration::hours(TOKEN_HOURS);
        let mut tx = self.store.begin().await?;
        tx.insert_session(
            &token_hash(&token),
            actor.user.id,
            API,
            "",
            &time_text(expires_at),
        )
        .await?;
        tx.audit(tuanle_store::NewAudit {
            action: "issue_token".into(),
            object_type: "user".into(),
            object_id: actor.user.id.to_string(),
            unit_id: Some(actor.unit.id),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok((token, expires_at))
    }

    /// The actor behind a session cookie or bearer token, with the session's CSRF token.
    pub async fn authenticate(
        &self,
        token: &str,
        kind: &str,
        ip: Option<String>,
    ) -> Result<(Actor, String)> {
        let s = self
            .store
            .session(&token_hash(token), kind)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let csrf = s.csrf_token.clone();
        Ok((self.actor_of(s.user, ip).await?, csrf))
    }

    /// Đăng xuất: ends the session.
    pub async fn logout(&self, token: &str) -> Result<()> {
        let mut tx = self.store.begin().await?;
        tx.delete_session(&token_hash(token)).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip() {
        let h = hash_password("mật khẩu dài").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("mật khẩu dài", &h));
        assert!(!verify_password("sai", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_token());
        assert_ne!(token_hash(&a), a);
        assert!(same_secret(&a, &a.clone()));
        assert!(!same_secret(&a, &random_token()));
    }
}
