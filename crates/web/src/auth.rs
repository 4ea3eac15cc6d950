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
/// Name of the pre-login CSRF cookie (path `/login`).
pub const LOGIN_CSRF_COOKIE: &str = "tuanle_login_csrf";
/// Name of the CSRF cookie of the password reset forms (path `/password`), used before login.
pub const RESET_CSRF_COOKIE: &str = "tuanle_reset_csrf";
/// Pages used before login: their forms carry a double-submitted cookie instead of a
/// session's CSRF token (checked by their handlers, not by [`csrf_guard`]).
pub const PRE_LOGIN_FORMS: &[&str] = &["/login", "/password/forgot", "/password/reset"];
/// Where a visitor whose session ended (expired, idle, logged out elsewhere) is sent.
pub const EXPIRED_REDIRECT: &str = "/login?thong-bao=het-han";

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

/// Rejection of a page request without a session: redirect to the login page; when the
/// browser sent a session that is no longer valid, with the notice that it expired (and the
/// dead cookie removed).
pub struct LoginRedirect {
    expired: bool,
}

impl axum::response::IntoResponse for LoginRedirect {
    fn into_response(self) -> axum::response::Response {
        use axum::response::Redirect;
        if self.expired {
            let jar = CookieJar::new().add(removal(SESSION_COOKIE, "/"));
            (jar, Redirect::to(EXPIRED_REDIRECT)).into_response()
        } else {
            Redirect::to("/login").into_response()
        }
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
            .ok_or(LoginRedirect { expired: false })?;
        let (actor, csrf_token) = state
            .app
            .authenticate(&token, WEB, client_ip(parts))
            .await
            .map_err(|e| LoginRedirect {
                expired: matches!(e, AppError::Unauthenticated),
            })?;
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

/// The token of `Authorization: Bearer <token>`.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
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

/// A cookie that removes `name` set with `path`.
pub fn removal(name: &'static str, path: &'static str) -> Cookie<'static> {
    Cookie::build((name, ""))
        .path(path)
        .max_age(time_hours(0))
        .build()
}

/// A pre-login CSRF cookie (double submit): `HttpOnly`, `SameSite=Strict`, for `path` only.
pub fn pre_login_cookie(name: &'static str, path: &'static str, token: String) -> Cookie<'static> {
    Cookie::build((name, token))
        .path(path)
        .http_only(true)
        .same_site(SameSite::Strict)
        .build()
}

/// Whether a pre-login form's `sent` token matches its cookie `name`.
pub fn pre_login_csrf_ok(jar: &CookieJar, name: &str, sent: &str) -> bool {
    let cookie = jar.get(name).map(|c| c.value()).unwrap_or_default();
    !cookie.is_empty() && same_secret(cookie, sent)
}

/// Message of a state-changing page request refused for its CSRF token.
pub const CSRF_REFUSED: &str =
    "Phiên làm việc của biểu mẫu đã hết hạn (CSRF), vui lòng tải lại trang";

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf_token: String,
}

/// The `csrf_token` a request carries: the `X-CSRF-Token` header, or the field of a
/// URL-encoded or multipart form (the body is buffered and handed on unchanged).
/// `None` when the body is over [`crate::BODY_LIMIT`].
async fn sent_csrf(req: axum::extract::Request) -> Option<(axum::extract::Request, String)> {
    use axum::extract::FromRequest;
    if let Some(v) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        let v = v.to_string();
        return Some((req, v));
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::BODY_LIMIT).await else {
        return None;
    };
    let rebuild = |parts: &Parts| {
        let mut r = axum::extract::Request::new(axum::body::Body::from(bytes.clone()));
        *r.method_mut() = parts.method.clone();
        *r.uri_mut() = parts.uri.clone();
        *r.headers_mut() = parts.headers.clone();
        r
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut token = String::new();
    if content_type.starts_with("application/x-www-form-urlencoded") {
        if let Ok(axum::Form(f)) = axum::Form::<CsrfField>::from_request(rebuild(&parts), &()).await
        {
            token = f.csrf_token;
        }
    } else if content_type.starts_with("multipart/form-data") {
        if let Ok(mut m) = axum::extract::Multipart::from_request(rebuild(&parts), &()).await {
            while let Ok(Some(field)) = m.next_field().await {
                if field.name() == Some("csrf_token") {
                    token = field.text().await.unwrap_or_default();
                    break;
                }
            }
        }
    }
    let req = axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes));
    Some((req, token))
}

/// Middleware of the page routes: a state-changing request (not GET/HEAD/OPTIONS) with a
/// valid session must carry that session's CSRF token, or it is refused with 403 before any
/// handler runs. Without a session the handler sends the visitor to the login page; the login
/// form itself is checked by its double-submitted cookie.
pub async fn csrf_guard(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::Method;
    use axum::response::IntoResponse;
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || PRE_LOGIN_FORMS.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    let jar = CookieJar::from_headers(req.headers());
    let Some(session) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
        return next.run(req).await;
    };
    let Ok((_, expected)) = state.app.authenticate(&session, WEB, None).await else {
        return next.run(req).await;
    };
    let Some((req, sent)) = sent_csrf(req).await else {
        return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    if !sent.is_empty() && same_secret(&sent, &expected) {
        next.run(req).await
    } else {
        (
            axum::http::StatusCode::FORBIDDEN,
            axum::response::Html(format!(
                "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Không được phép</title><p>{CSRF_REFUSED}</p><p><a href=\"/\">Về trang chủ</a></p></html>"
            )),
        )
            .into_response()
    }
}
