//! Who is calling: the session cookie (pages) or the bearer token (API), and CSRF.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use tuanle_app::auth::{same_secret, API, WEB};
use tuanle_app::{Actor, AppError};

use crate::error::ApiError;
use crate::AppState;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "tuanle_session";
/// Name of the pre-login CSRF cookie.
pub const LOGIN_CSRF_COOKIE: &str = "tuanle_login_csrf";

/// The client's address (for the audit trail).
pub fn client_ip(parts: &Parts) -> Option<String> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// A signed-in page visitor: the actor and the session's CSRF token.
#[derive(Clone, Debug)]
pub struct PageUser {
    pub actor: Actor,
    pub csrf_token: String,
    pub session_token: String,
    /// Thông báo chưa đọc — the header's badge.
    pub unread: i64,
}

/// Rejection of a page request without a session: redirect to the login page.
pub struct LoginRedirect;

impl axum::response::IntoResponse for LoginRedirect {
    fn into_response(self) -> axum::response::Response {
        axum::response::Redirect::to("/login").into_response()
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = LoginRedirect;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(SESSION_COOKIE)
            .map(|c| c.value().to_string())
            .ok_or(LoginRedirect)?;
        let (actor, csrf_token) = state
            .app
            .authenticate(&token, WEB, client_ip(parts))
            .await
            .map_err(|_| LoginRedirect)?;
        let unread = state.app.unread_count(&actor).await.unwrap_or(0);
        Ok(PageUser {
            actor,
            csrf_token,
            session_token: token,
            unread,
        })
    }
}

impl PageUser {
    /// Checks the CSRF token a form sent.
    pub fn check_csrf(&self, sent: &str) -> Result<(), AppError> {
        if same_secret(sent, &self.csrf_token) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Phiên làm việc của biểu mẫu đã hết hạn (CSRF), vui lòng tải lại trang".into(),
            ))
        }
    }
}

/// An API caller authenticated by `Authorization: Bearer <token>`.
#[derive(Clone, Debug)]
pub struct ApiUser(pub Actor);

fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or(ApiError(AppError::Unauthenticated))?;
        let (actor, _) = state
            .app
            .authenticate(&token, API, client_ip(parts))
            .await?;
        Ok(ApiUser(actor))
    }
}

/// The session cookie for a new session.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time_hours(tuanle_app::auth::SESSION_HOURS))
        .build()
}

fn time_hours(h: i64) -> time::Duration {
    time::Duration::hours(h)
}

/// A cookie that removes `name`.
pub fn removal(name: &'static str) -> Cookie<'static> {
    Cookie::build((name, ""))
        .path("/")
        .max_age(time_hours(0))
        .build()
}
