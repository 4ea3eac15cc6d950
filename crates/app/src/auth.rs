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
/// Shortest password accepted for new accounts (set by an administrator, who hands it over).
pub const MIN_PASSWORD_LEN: usize = 8;
/// Shortest password a user may choose (password change and reset).
pub const NEW_PASSWORD_MIN_LEN: usize = 10;
/// Longest password accepted (argon2 hashes whatever it is given).
pub const PASSWORD_MAX_LEN: usize = 256;
/// Default idle timeout of a web session, in minutes (configurable, [`SessionSettings`]).
pub const DEFAULT_IDLE_MINUTES: i64 = 120;
/// A session's last use is written at most this often (seconds).
pub const TOUCH_EVERY_SECONDS: i64 = 60;
/// How long a password reset link works.
pub const RESET_MINUTES: i64 = 60;
/// The window in which reset requests are counted.
pub const RESET_WINDOW_MINUTES: i64 = 60;
/// Reset requests per typed username or e-mail address within the window.
pub const MAX_RESETS_PER_KEY: i64 = 3;
/// Reset requests per client address within the window.
pub const MAX_RESETS_PER_IP: i64 = 20;
/// Kind of the reset e-mails in the outbox.
pub use tuanle_store::RESET_EMAIL_KIND;

/// Session rules of this instance (`tuanle serve --session-idle-minutes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionSettings {
    /// A web session not used for this many minutes ends.
    pub idle_minutes: i64,
}

impl Default for SessionSettings {
    fn default() -> Self {
        SessionSettings {
            idle_minutes: DEFAULT_IDLE_MINUTES,
        }
    }
}

/// Passwords too common to accept although long enough.
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "0123456789",
    "12345678910",
    "0987654321",
    "123456789a",
    "a123456789",
    "qwertyuiop",
    "1q2w3e4r5t",
    "password123",
    "password1234",
    "matkhau123",
    "matkhau1234",
    "abc1234567",
    "abcd123456",
    "tuanle12345",
    "iloveyou123",
];

/// Chính sách mật khẩu — the rules a password chosen by its user must follow: at least
/// [`NEW_PASSWORD_MIN_LEN`] characters, not the username, not one repeated character or a
/// well-known password, typed the same twice.
pub fn check_new_password(username: &str, password: &str, confirm: &str) -> Result<()> {
    const FIELD: &str = "Mật khẩu mới";
    let n = password.chars().count();
    if n < NEW_PASSWORD_MIN_LEN {
        return Err(AppError::invalid(
            FIELD,
            format!("cần ít nhất {NEW_PASSWORD_MIN_LEN} ký tự"),
        ));
    }
    if n > PASSWORD_MAX_LEN {
        return Err(AppError::invalid(
            FIELD,
            format!("dài quá {PASSWORD_MAX_LEN} ký tự"),
        ));
    }
    let lower = password.to_lowercase();
    if lower.trim() == username.trim().to_lowercase() {
        return Err(AppError::invalid(
            FIELD,
            "không được trùng với tên đăng nhập",
        ));
    }
    let mut chars = password.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) || COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Err(AppError::invalid(
            FIELD,
            "quá dễ đoán, hãy chọn mật khẩu khác (nên dùng một cụm từ dài)",
        ));
    }
    if password != confirm {
        return Err(AppError::invalid(
            "Nhập lại mật khẩu mới",
            "không khớp với mật khẩu mới",
        ));
    }
    Ok(())
}

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

    /// This instance's session rules.
    pub fn session_settings(&self) -> SessionSettings {
        self.sessions.read().map(|s| *s).unwrap_or_default()
    }

    /// Sets this instance's session rules (from the command line or env).
    pub fn set_session_settings(&self, s: SessionSettings) {
        if let Ok(mut n) = self.sessions.write() {
            *n = s;
        }
    }

    /// Opens a web session for `actor` in `tx`, by this instance's clock.
    async fn open_web_session(
        &self,
        tx: &mut tuanle_store::Tx,
        user_id: i64,
    ) -> Result<(String, String)> {
        let token = random_token();
        let csrf_token = random_token();
        let now = self.now();
        tx.insert_session(
            &token_hash(&token),
            user_id,
            WEB,
            &csrf_token,
            &time_text(now),
            &time_text(now + Duration::hours(SESSION_HOURS)),
        )
        .await?;
        Ok((token, csrf_token))
    }

    /// What is over now: web sessions by this instance's clock (absolute lifetime and idle
    /// timeout), API tokens by the system clock (their own rule: 24 hours from issue).
    fn session_cutoffs(&self) -> tuanle_store::SessionCutoffs {
        let now = self.now();
        tuanle_store::SessionCutoffs {
            web_now: time_text(now),
            idle_since: time_text(now - Duration::minutes(self.session_settings().idle_minutes)),
            api_now: time_text(Utc::now()),
        }
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
        let mut tx = self.store.begin().await?;
        let (token, csrf_token) = self.open_web_session(&mut tx, actor.user.id).await?;
        tx.audit(tuanle_store::NewAudit {
            action: "login".into(),
            object_type: "user".into(),
            object_id: actor.user.id.to_string(),
            unit_id: Some(actor.unit.id),
            ..actor.audit()
        })
        .await?;
        tx.purge_sessions(&self.session_cutoffs()).await?;
        tx.commit().await?;
        Ok(NewSession {
            token,
            csrf_token,
            actor,
        })
    }

    /// Cấp token API: `POST /api/v1/auth/token`. Tokens live [`TOKEN_HOURS`] from issue by
    /// the system clock, with no idle timeout.
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
        let now = Utc::now();
        let expires_at = now + Duration::hours(TOKEN_HOURS);
        let mut tx = self.store.begin().await?;
        tx.insert_session(
            &token_hash(&token),
            actor.user.id,
            API,
            "",
            &time_text(now),
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
    /// A web session also ends after [`SessionSettings::idle_minutes`] without a request
    /// (by this instance's clock); its last use is written at most once a minute.
    pub async fn authenticate(
        &self,
        token: &str,
        kind: &str,
        ip: Option<String>,
    ) -> Result<(Actor, String)> {
        let hash = token_hash(token);
        let now = if kind == WEB { self.now() } else { Utc::now() };
        let s = self
            .store
            .session(&hash, kind, &time_text(now))
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if kind == WEB {
            let last = tuanle_store::parse_time(&s.last_seen_at)?;
            let idle = Duration::minutes(self.session_settings().idle_minutes);
            if now - last >= idle {
                let mut tx = self.store.begin().await?;
                tx.delete_session(&hash).await?;
                tx.commit().await?;
                return Err(AppError::Unauthenticated);
            }
            if now - last >= Duration::seconds(TOUCH_EVERY_SECONDS) {
                let mut tx = self.store.begin().await?;
                tx.touch_session(
                    &hash,
                    &time_text(now),
                    &time_text(now - Duration::seconds(TOUCH_EVERY_SECONDS)),
                )
                .await?;
                tx.commit().await?;
            }
        }
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

    /// Đăng xuất khỏi mọi thiết bị: ends every web session and API token of the actor, on
    /// every instance (they live in the database). Returns how many ended.
    pub async fn logout_everywhere(&self, actor: &Actor) -> Result<u64> {
        let mut tx = self.store.begin().await?;
        let n = tx.delete_user_sessions(actor.user.id, None).await?;
        tx.audit(tuanle_store::NewAudit {
            action: "logout_everywhere".into(),
            object_type: "user".into(),
            object_id: actor.user.id.to_string(),
            unit_id: Some(actor.unit.id),
            after: Some(serde_json::json!({ "sessions_ended": n })),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Đổi mật khẩu by the signed-in user. The current password is checked like a sign-in
    /// (a wrong one counts towards the lock-out), the new one against
    /// [`check_new_password`] and must differ from the current one. Every other session and
    /// API token of the user ends; `keep`:
    /// - [`KeepSession::RotateWeb`]: the calling web session ends too and a new one is
    ///   returned (session rotation);
    /// - [`KeepSession::Token`]: the calling API token (its hash is kept) goes on working.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        confirm: &str,
        keep: KeepSession<'_>,
    ) -> Result<Option<NewSession>> {
        if current.is_empty() {
            return Err(AppError::invalid("Mật khẩu hiện tại", "chưa nhập"));
        }
        check_new_password(&actor.user.username, new, confirm)?;
        if new == current {
            return Err(AppError::invalid(
                "Mật khẩu mới",
                "phải khác mật khẩu hiện tại",
            ));
        }
        match self
            .check_credentials(&actor.user.username, current, actor.ip.as_deref())
            .await
        {
            Ok(u) if u.id == actor.user.id => {}
            Ok(_) | Err(AppError::BadCredentials) => {
                return Err(AppError::invalid("Mật khẩu hiện tại", "không đúng"))
            }
            Err(e) => return Err(e),
        }
        let hash = hash_password(new)?;
        let mut tx = self.store.begin().await?;
        tx.set_password_hash(actor.user.id, &hash).await?;
        let kept = match keep {
            KeepSession::Token(t) => Some(token_hash(t)),
            KeepSession::RotateWeb => None,
        };
        let ended = tx
            .delete_user_sessions(actor.user.id, kept.as_deref())
            .await?;
        let session = match keep {
            KeepSession::RotateWeb => {
                let (token, csrf_token) = self.open_web_session(&mut tx, actor.user.id).await?;
                Some(NewSession {
                    token,
                    csrf_token,
                    actor: actor.clone(),
                })
            }
            KeepSession::Token(_) => None,
        };
        tx.audit(tuanle_store::NewAudit {
            action: "password_change".into(),
            object_type: "user".into(),
            object_id: actor.user.id.to_string(),
            unit_id: Some(actor.unit.id),
            after: Some(serde_json::json!({ "sessions_ended": ended })),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok(session)
    }

    /// Quên mật khẩu: for the account(s) whose username or e-mail address is `login`, queues
    /// an e-mail with a one-time link valid [`RESET_MINUTES`] minutes (only the token's hash
    /// is stored; the user's older links stop working). Answers the same whether or not such
    /// an account exists, has an address, or the request was over the limits
    /// ([`MAX_RESETS_PER_KEY`] per typed name, [`MAX_RESETS_PER_IP`] per address, per hour):
    /// the caller must show one neutral message. Returns how many e-mails were queued (for
    /// tests and logs, never for the visitor).
    pub async fn request_password_reset(&self, login: &str, ip: Option<String>) -> Result<usize> {
        let key = login.trim().to_lowercase();
        if key.is_empty() {
            return Err(AppError::invalid(
                "Tên đăng nhập hoặc thư điện tử",
                "chưa nhập",
            ));
        }
        let key: String = key.chars().take(200).collect();
        let ip = ip.unwrap_or_default();
        let now = self.now();
        let since = time_text(now - Duration::minutes(RESET_WINDOW_MINUTES));
        let users = self.store.users_by_login(&key).await?;
        let base = self.notify_settings().base_url;
        let mut tx = self.store.begin().await?;
        let mut limits = vec![(tuanle_store::LOCK_USER, key.as_str(), MAX_RESETS_PER_KEY)];
        if !ip.is_empty() {
            limits.push((tuanle_store::LOCK_IP, ip.as_str(), MAX_RESETS_PER_IP));
        }
        for (scope, k, max) in limits {
            if tx.count_reset_requests(scope, k, &since).await? >= max {
                tracing::warn!(
                    scope,
                    key = k,
                    "quá nhiều yêu cầu đặt lại mật khẩu; không gửi thư"
                );
                return Ok(0);
            }
        }
        tx.record_reset_request(&key, &ip, &time_text(now)).await?;
        let mut queued = 0;
        for user in users {
            let Some(to) = user.email.as_deref().filter(|e| e.contains('@')) else {
                continue;
            };
            let token = random_token();
            tx.insert_reset(
                &token_hash(&token),
                user.id,
                &ip,
                &time_text(now),
                &time_text(now + Duration::minutes(RESET_MINUTES)),
            )
            .await?;
            let link = format!(
                "{}/password/reset?token={token}",
                base.trim_end_matches('/')
            );
            let body = reset_email(&user, &link, &ip, now);
            tx.queue_email(
                Some(user.id),
                to,
                RESET_EMAIL_KIND,
                "Đặt lại mật khẩu tài khoản tuanle",
                &body,
                None,
                &time_text(now),
            )
            .await?;
            tx.audit(tuanle_store::NewAudit {
                user_id: Some(user.id),
                username: Some(user.username.clone()),
                ip: (!ip.is_empty()).then(|| ip.clone()),
                action: "password_reset_request".into(),
                object_type: "user".into(),
                object_id: user.id.to_string(),
                unit_id: Some(user.unit_id),
                ..Default::default()
            })
            .await?;
            queued += 1;
        }
        tx.commit().await?;
        if queued > 0 {
            // Sent promptly by whichever instance claims the job.
            self.enqueue_job(
                crate::notifications::SEND_EMAILS,
                serde_json::json!({}),
                None,
            )
            .await?;
        }
        Ok(queued)
    }

    /// The account a reset link is for, while the link works.
    pub async fn reset_link_user(&self, token: &str) -> Result<tuanle_store::UserRecord> {
        self.store
            .reset_user(&token_hash(token), &time_text(self.now()))
            .await?
            .ok_or_else(reset_link_dead)
    }

    /// Đặt lại mật khẩu with a link from [`App::request_password_reset`]: checks the new
    /// password ([`check_new_password`]; a refused one leaves the link usable), uses the link
    /// (once: a conditional update), stores the new password, ends every session and API
    /// token of the user on every instance, lifts a lock-out of the username, and audits.
    pub async fn reset_password(
        &self,
        token: &str,
        new: &str,
        confirm: &str,
        ip: Option<String>,
    ) -> Result<()> {
        let user = self.reset_link_user(token).await?;
        check_new_password(&user.username, new, confirm)?;
        let hash = hash_password(new)?;
        let mut tx = self.store.begin().await?;
        let Some(user_id) = tx
            .use_reset(&token_hash(token), &time_text(self.now()))
            .await?
            .filter(|id| *id == user.id)
        else {
            return Err(reset_link_dead());
        };
        tx.set_password_hash(user_id, &hash).await?;
        let ended = tx.delete_user_sessions(user_id, None).await?;
        tx.clear_user_lock(&user.username.trim().to_lowercase())
            .await?;
        tx.audit(tuanle_store::NewAudit {
            user_id: Some(user_id),
            username: Some(user.username.clone()),
            ip,
            action: "password_reset".into(),
            object_type: "user".into(),
            object_id: user_id.to_string(),
            unit_id: Some(user.unit_id),
            after: Some(serde_json::json!({ "sessions_ended": ended })),
            ..Default::default()
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Dọn dẹp đăng nhập (the periodic `purge_sessions` job), by this instance's clock:
    /// failed sign-ins older than the counting window, ended locks, reset requests older
    /// than their window, used or expired reset links (and the text of their e-mails),
    /// expired or idle web sessions and expired API tokens.
    pub async fn prune_auth(&self) -> Result<(tuanle_store::AuthPruned, u64)> {
        // The clock is read once the transaction has started, so that what it removes is
        // "over" at the moment it removes it.
        let mut tx = self.store.begin().await?;
        let now = self.now();
        let cut = tuanle_store::AuthCutoffs {
            now: time_text(now),
            failures_before: time_text(now - Duration::minutes(LOCK_WINDOW_MINUTES)),
            requests_before: time_text(now - Duration::minutes(RESET_WINDOW_MINUTES)),
        };
        let pruned = tx.prune_auth(&cut).await?;
        let sessions = tx.purge_sessions(&self.session_cutoffs()).await?;
        tx.commit().await?;
        Ok((pruned, sessions))
    }
}

/// Which session survives a password change.
#[derive(Debug, Clone, Copy)]
pub enum KeepSession<'a> {
    /// A page: the web session is replaced by a new one.
    RotateWeb,
    /// The API: the calling bearer token goes on working.
    Token(&'a str),
}

fn reset_link_dead() -> AppError {
    AppError::invalid(
        "Liên kết đặt lại mật khẩu",
        format!(
            "không hợp lệ, đã được dùng hoặc đã hết hạn (hiệu lực {RESET_MINUTES} phút); \
             hãy yêu cầu liên kết mới"
        ),
    )
}

/// The text of a reset e-mail.
fn reset_email(
    user: &tuanle_store::UserRecord,
    link: &str,
    ip: &str,
    at: chrono::DateTime<Utc>,
) -> String {
    let from = if ip.is_empty() {
        String::new()
    } else {
        format!(" từ địa chỉ {ip}")
    };
    format!(
        "Kính gửi {},\n\n\
         Có yêu cầu đặt lại mật khẩu cho tài khoản \"{}\" trên hệ thống báo cáo Tuần lễ hưởng ứng \
         học tập suốt đời (tuanle), lúc {}{from}.\n\n\
         Để đặt mật khẩu mới, mở liên kết sau (dùng được một lần, hiệu lực {RESET_MINUTES} phút):\n\n\
         {link}\n\n\
         Nếu bạn không yêu cầu, hãy bỏ qua thư này: mật khẩu hiện tại không thay đổi. Không chuyển \
         tiếp thư này cho người khác.\n\n\
         —\nThư gửi tự động từ tuanle, vui lòng không trả lời.",
        user.full_name,
        user.username,
        tuanle_domain::format::datetime_vi(at),
    )
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
