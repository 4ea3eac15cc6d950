//! Đăng nhập / đăng xuất.

use askama::Template;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;
use std::net::SocketAddr;
use tuanle_app::auth::{random_token, same_secret};

use super::{render_with, Nav};
use crate::auth::{removal, session_cookie, PageUser, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Option<Nav>,
    csrf_token: String,
    error: Option<String>,
    username: String,
}

fn login_page(
    jar: CookieJar,
    status: StatusCode,
    error: Option<String>,
    username: String,
) -> Response {
    let token = random_token();
    let cookie = Cookie::build((LOGIN_CSRF_COOKIE, token.clone()))
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .build();
    (
        jar.add(cookie),
        render_with(
            status,
            LoginPage {
                nav: None,
                csrf_token: token,
                error,
                username,
            },
        ),
    )
        .into_response()
}

/// `GET /login`
pub async fn form(jar: CookieJar) -> Response {
    login_page(jar, StatusCode::OK, None, String::new())
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /login`: checks the double-submitted CSRF token, then the password.
pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    Form(f): Form<LoginForm>,
) -> Response {
    let cookie_token = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    if cookie_token.is_empty() || !same_secret(&cookie_token, &f.csrf_token) {
        return login_page(
            jar,
            StatusCode::FORBIDDEN,
            Some("Phiên của biểu mẫu đã hết hạn, vui lòng đăng nhập lại".into()),
            f.username,
        );
    }
    match state
        .app
        .login(&f.username, &f.password, Some(addr.ip().to_string()))
        .await
    {
        Ok(session) => {
            // Rotate: any previous session of this browser ends here.
            if let Some(old) = jar.get(SESSION_COOKIE) {
                let _ = state.app.logout(old.value()).await;
            }
            let jar = jar
                .remove(removal(LOGIN_CSRF_COOKIE))
                .add(session_cookie(session.token, state.secure_cookies));
            (jar, Redirect::to("/")).into_response()
        }
        Err(e) => {
            let status = crate::error::status_of(&e);
            login_page(jar, status, Some(crate::error::message_of(&e)), f.username)
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf_token: String,
}

/// `POST /logout`
pub async fn logout(
    State(state): State<AppState>,
    user: PageUser,
    jar: CookieJar,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Err(e) = user.check_csrf(&f.csrf_token) {
        return super::PageError::new(Nav::of(&user), e).into_response();
    }
    let _ = state.app.logout(&user.session_token).await;
    (jar.remove(removal(SESSION_COOKIE)), Redirect::to("/login")).into_response()
}
