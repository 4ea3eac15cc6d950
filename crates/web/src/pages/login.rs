//! Đăng nhập / đăng xuất, tài khoản của tôi (đổi mật khẩu, đăng xuất khỏi mọi thiết bị),
//! quên mật khẩu (đặt lại qua thư điện tử).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Form;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use std::net::SocketAddr;
use tuanle_app::auth::{random_token, KeepSession, NEW_PASSWORD_MIN_LEN, RESET_MINUTES};
use tuanle_app::AppError;

use super::{render_with, Nav, PageRoute};
use crate::auth::{
    pre_login_cookie, pre_login_csrf_ok, removal, session_cookie, PageUser, LOGIN_CSRF_COOKIE,
    RESET_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::AppState;

/// The account pages (the login and logout routes are in the main table).
pub fn routes() -> Vec<PageRoute> {
    vec![
        ("/account", get(account)),
        ("/account/password", post(change_password)),
        ("/account/logout-everywhere", post(logout_everywhere)),
        ("/password/forgot", get(forgot_form).post(forgot_submit)),
        ("/password/reset", get(reset_form).post(reset_submit)),
    ]
}

/// Notices the login page shows, by `?thong-bao=`.
fn login_notice(q: &HashMap<String, String>) -> Option<String> {
    Some(
        match q.get("thong-bao").map(String::as_str)? {
            "het-han" => "Phiên làm việc đã hết hạn (quá lâu không thao tác) hoặc đã kết thúc. Vui lòng đăng nhập lại.",
            "da-dat-lai" => "Đã đặt lại mật khẩu. Mọi phiên đăng nhập cũ đã kết thúc; hãy đăng nhập bằng mật khẩu mới.",
            "da-dang-xuat-moi-noi" => "Đã đăng xuất khỏi mọi thiết bị.",
            _ => return None,
        }
        .to_string(),
    )
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Option<Nav>,
    csrf_token: String,
    error: Option<String>,
    notice: Option<String>,
    username: String,
}

fn login_page(
    jar: CookieJar,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
    username: String,
) -> Response {
    let token = random_token();
    let cookie = pre_login_cookie(LOGIN_CSRF_COOKIE, "/login", token.clone());
    (
        jar.add(cookie),
        render_with(
            status,
            LoginPage {
                nav: None,
                csrf_token: token,
                error,
                notice,
                username,
            },
        ),
    )
        .into_response()
}

/// `GET /login`
pub async fn form(jar: CookieJar, Query(q): Query<HashMap<String, String>>) -> Response {
    login_page(jar, StatusCode::OK, None, login_notice(&q), String::new())
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
    if !pre_login_csrf_ok(&jar, LOGIN_CSRF_COOKIE, &f.csrf_token) {
        return login_page(
            jar,
            StatusCode::FORBIDDEN,
            Some("Phiên của biểu mẫu đã hết hạn, vui lòng đăng nhập lại".into()),
            None,
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
                .remove(removal(LOGIN_CSRF_COOKIE, "/login"))
                .add(session_cookie(session.token, state.secure_cookies));
            (jar, Redirect::to("/")).into_response()
        }
        Err(e) => {
            let status = crate::error::status_of(&e);
            login_page(
                jar,
                status,
                Some(crate::error::message_of(&e)),
                None,
                f.username,
            )
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
    (
        jar.remove(removal(SESSION_COOKIE, "/")),
        Redirect::to("/login"),
    )
        .into_response()
}

// ---- tài khoản của tôi ---------------------------------------------------------------------

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    nav: Option<Nav>,
    csrf: String,
    username: String,
    email: String,
    min_len: usize,
    idle_minutes: i64,
    error: Option<String>,
    done: bool,
}

fn account_page(
    state: &AppState,
    user: &PageUser,
    status: StatusCode,
    error: Option<String>,
    done: bool,
) -> Response {
    render_with(
        status,
        AccountPage {
            nav: Nav::of(user),
            csrf: user.csrf_token.clone(),
            username: user.actor.user.username.clone(),
            email: user.actor.user.email.clone().unwrap_or_default(),
            min_len: NEW_PASSWORD_MIN_LEN,
            idle_minutes: state.app.session_settings().idle_minutes,
            error,
            done,
        },
    )
}

/// `GET /account` — đổi mật khẩu, đăng xuất khỏi mọi thiết bị.
async fn account(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let done = q.get("thong-bao").is_some_and(|v| v == "da-doi-mat-khau");
    account_page(&state, &user, StatusCode::OK, None, done)
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password2: String,
}

/// `POST /account/password` — the current password and the new one twice. On success every
/// other session of the user ends and this browser gets a new session (rotation).
async fn change_password(
    State(state): State<AppState>,
    user: PageUser,
    jar: CookieJar,
    Form(f): Form<PasswordForm>,
) -> Response {
    if let Err(e) = user.check_csrf(&f.csrf_token) {
        return super::PageError::new(Nav::of(&user), e).into_response();
    }
    match state
        .app
        .change_password(
            &user.actor,
            &f.current_password,
            &f.new_password,
            &f.new_password2,
            KeepSession::RotateWeb,
        )
        .await
    {
        Ok(Some(session)) => {
            let jar = jar.add(session_cookie(session.token, state.secure_cookies));
            (jar, Redirect::to("/account?thong-bao=da-doi-mat-khau")).into_response()
        }
        Ok(None) => Redirect::to("/account?thong-bao=da-doi-mat-khau").into_response(),
        Err(e @ (AppError::Invalid { .. } | AppError::TooManyAttempts(_))) => {
            let status = crate::error::status_of(&e);
            account_page(
                &state,
                &user,
                status,
                Some(crate::error::message_of(&e)),
                false,
            )
        }
        Err(e) => super::PageError::new(Nav::of(&user), e).into_response(),
    }
}

/// `POST /account/logout-everywhere` — ends every session and API token of the user.
async fn logout_everywhere(
    State(state): State<AppState>,
    user: PageUser,
    jar: CookieJar,
    Form(f): Form<CsrfForm>,
) -> Response {
    if let Err(e) = user.check_csrf(&f.csrf_token) {
        return super::PageError::new(Nav::of(&user), e).into_response();
    }
    if let Err(e) = state.app.logout_everywhere(&user.actor).await {
        return super::PageError::new(Nav::of(&user), e).into_response();
    }
    (
        jar.remove(removal(SESSION_COOKIE, "/")),
        Redirect::to("/login?thong-bao=da-dang-xuat-moi-noi"),
    )
        .into_response()
}

// ---- quên mật khẩu -------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "password_forgot.html")]
struct ForgotPage {
    nav: Option<Nav>,
    csrf_token: String,
    error: Option<String>,
    sent: bool,
    login: String,
    minutes: i64,
}

fn forgot_page(
    jar: CookieJar,
    status: StatusCode,
    error: Option<String>,
    sent: bool,
    login: String,
) -> Response {
    let token = random_token();
    let cookie = pre_login_cookie(RESET_CSRF_COOKIE, "/password", token.clone());
    (
        jar.add(cookie),
        render_with(
            status,
            ForgotPage {
                nav: None,
                csrf_token: token,
                error,
                sent,
                login,
                minutes: RESET_MINUTES,
            },
        ),
    )
        .into_response()
}

/// `GET /password/forgot`
async fn forgot_form(jar: CookieJar) -> Response {
    forgot_page(jar, StatusCode::OK, None, false, String::new())
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    login: String,
}

const FORM_EXPIRED: &str = "Phiên của biểu mẫu đã hết hạn, vui lòng tải lại trang và gửi lại";

/// `POST /password/forgot` — always the same answer, whether or not the account exists.
async fn forgot_submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    Form(f): Form<ForgotForm>,
) -> Response {
    if !pre_login_csrf_ok(&jar, RESET_CSRF_COOKIE, &f.csrf_token) {
        return forgot_page(
            jar,
            StatusCode::FORBIDDEN,
            Some(FORM_EXPIRED.into()),
            false,
            f.login,
        );
    }
    match state
        .app
        .request_password_reset(&f.login, Some(addr.ip().to_string()))
        .await
    {
        Ok(_) => forgot_page(jar, StatusCode::OK, None, true, String::new()),
        Err(e @ AppError::Invalid { .. }) => forgot_page(
            jar,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(crate::error::message_of(&e)),
            false,
            f.login,
        ),
        Err(e) => {
            let status = crate::error::status_of(&e);
            forgot_page(
                jar,
                status,
                Some(crate::error::message_of(&e)),
                false,
                f.login,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "password_reset.html")]
struct ResetPage {
    nav: Option<Nav>,
    csrf_token: String,
    /// The link's token (kept in the form), empty when the link does not work.
    token: String,
    username: String,
    min_len: usize,
    error: Option<String>,
}

fn reset_page(
    jar: CookieJar,
    status: StatusCode,
    token: String,
    username: String,
    error: Option<String>,
) -> Response {
    let csrf = random_token();
    let cookie = pre_login_cookie(RESET_CSRF_COOKIE, "/password", csrf.clone());
    (
        // The link's token must not leak through the Referer of anything on the page.
        jar.add(cookie),
        [(axum::http::header::REFERRER_POLICY, "no-referrer")],
        render_with(
            status,
            ResetPage {
                nav: None,
                csrf_token: csrf,
                token,
                username,
                min_len: NEW_PASSWORD_MIN_LEN,
                error,
            },
        ),
    )
        .into_response()
}

/// `GET /password/reset?token=…` — the form, if the link works (opening it does not use it).
async fn reset_form(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let token = q.get("token").cloned().unwrap_or_default();
    match state.app.reset_link_user(&token).await {
        Ok(user) => reset_page(jar, StatusCode::OK, token, user.username, None),
        Err(e) => {
            let status = crate::error::status_of(&e);
            reset_page(
                jar,
                status,
                String::new(),
                String::new(),
                Some(crate::error::message_of(&e)),
            )
        }
    }
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password2: String,
}

/// `POST /password/reset` — sets the new password; every session of the user ends.
async fn reset_submit(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    Form(f): Form<ResetForm>,
) -> Response {
    if !pre_login_csrf_ok(&jar, RESET_CSRF_COOKIE, &f.csrf_token) {
        return reset_page(
            jar,
            StatusCode::FORBIDDEN,
            f.token,
            String::new(),
            Some(FORM_EXPIRED.into()),
        );
    }
    match state
        .app
        .reset_password(
            &f.token,
            &f.new_password,
            &f.new_password2,
            Some(addr.ip().to_string()),
        )
        .await
    {
        Ok(()) => {
            // This browser's session (if any) ended with the others.
            let jar = jar
                .remove(removal(RESET_CSRF_COOKIE, "/password"))
                .remove(removal(SESSION_COOKIE, "/"));
            (jar, Redirect::to("/login?thong-bao=da-dat-lai")).into_response()
        }
        Err(e) => {
            let status = crate::error::status_of(&e);
            // A refused password leaves the link usable: show the form again.
            let (token, username) = match state.app.reset_link_user(&f.token).await {
                Ok(u) => (f.token, u.username),
                Err(_) => (String::new(), String::new()),
            };
            reset_page(
                jar,
                status,
                token,
                username,
                Some(crate::error::message_of(&e)),
            )
        }
    }
}
