//! HTML pages: server-rendered forms that work without JavaScript, on a phone and a desktop.

mod activities;
mod admin;
mod audit;
mod consolidation;
mod dashboard;
mod documents;
mod external;
mod issuers;
mod login;
mod plans;
mod reports;
mod units;
mod workbooks;

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use tuanle_app::AppError;

use crate::auth::PageUser;
use crate::error::{message_of, status_of};
use crate::AppState;

/// The stylesheet, embedded in the binary.
const APP_CSS: &str = include_str!("../../static/app.css");

/// A page route: its path and its handlers.
pub type PageRoute = (&'static str, MethodRouter<AppState>);

/// Every page route. The router is built from this list only (crates/web/tests/access_matrix.rs
/// checks that no module registers a route any other way) and the access-control matrix calls
/// each path, with the methods the router answers for it, for every role.
pub fn page_routes() -> Vec<PageRoute> {
    let mut table: Vec<PageRoute> = vec![
        ("/", get(dashboard::show)),
        ("/login", get(login::form).post(login::submit)),
        ("/logout", post(login::logout)),
        ("/static/app.css", get(css)),
        ("/admin/users", get(admin::users).post(admin::add_user)),
        ("/admin/campaigns/new", get(admin::new_campaign)),
        ("/admin/campaigns", post(admin::create_campaign)),
        ("/units", get(units::search)),
        ("/units/{code}", get(units::show)),
        ("/units/{code}/bodies", post(units::add_body)),
        (
            "/campaigns/{id}/reports/{code}",
            get(reports::show).post(reports::save),
        ),
        (
            "/campaigns/{id}/reports/{code}/review",
            post(reports::review),
        ),
        (
            "/campaigns/{id}/reports/{code}/history",
            get(reports::history),
        ),
        (
            "/campaigns/{id}/reports/{code}/photos",
            post(reports::add_photo),
        ),
        (
            "/campaigns/{id}/reports/{code}/photos/{photo}",
            get(reports::photo),
        ),
        (
            "/campaigns/{id}/reports/{code}/photos/{photo}/delete",
            post(reports::delete_photo),
        ),
        (
            "/campaigns/{id}/consolidation/{code}",
            get(consolidation::show),
        ),
        (
            "/campaigns/{id}/missing/{code}",
            get(consolidation::missing),
        ),
    ];
    table.extend(login::routes());
    table.extend(activities::routes());
    table.extend(workbooks::routes());
    table.extend(documents::routes());
    table.extend(plans::routes());
    table.extend(external::routes());
    table.extend(issuers::routes());
    table.extend(audit::routes());
    table
}

/// The paths of [`page_routes`], in order.
pub fn page_paths() -> Vec<&'static str> {
    page_routes().into_iter().map(|(path, _)| path).collect()
}

pub fn routes() -> Router<AppState> {
    page_routes()
        .into_iter()
        .fold(Router::new(), |router, (path, handlers)| {
            router.route(path, handlers)
        })
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        APP_CSS,
    )
}

/// What the header shows about the signed-in user.
#[derive(Clone, Debug)]
pub struct Nav {
    pub full_name: String,
    pub role: String,
    pub unit_name: String,
    pub csrf_token: String,
    /// Administrators see the administration links.
    pub admin: bool,
    /// Everyone but a viewer reads the audit trail of their scope.
    pub audit: bool,
    /// Unread notifications as the badge shows them ("" when none, "99+" above 99).
    pub unread: String,
}

impl Nav {
    pub fn of(u: &PageUser) -> Option<Nav> {
        Some(Nav {
            full_name: u.actor.user.full_name.clone(),
            role: u.actor.user.role.label_vi().to_string(),
            unit_name: u.actor.unit.name.clone(),
            csrf_token: u.csrf_token.clone(),
            admin: u.actor.user.role == tuanle_domain::access::Role::Admin,
            audit: u.actor.user.role != tuanle_domain::access::Role::Viewer,
            unread: match u.unread {
                n if n <= 0 => String::new(),
                n if n > 99 => "99+".into(),
                n => n.to_string(),
            },
        })
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: Option<Nav>,
    status: u16,
    message: String,
}

/// Renders a template with a status.
pub fn render_with(status: StatusCode, t: impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "lỗi hiển thị trang");
            (StatusCode::INTERNAL_SERVER_ERROR, "Lỗi hiển thị trang").into_response()
        }
    }
}

pub fn render(t: impl Template) -> Response {
    render_with(StatusCode::OK, t)
}

/// An application error as an HTML page (boxed: errors are rare, results are common).
pub struct PageError(Box<(Option<Nav>, AppError)>);

impl PageError {
    pub fn new(nav: Option<Nav>, error: AppError) -> PageError {
        PageError(Box::new((nav, error)))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (nav, error) = *self.0;
        let status = status_of(&error);
        if status == StatusCode::UNAUTHORIZED {
            return axum::response::Redirect::to("/login").into_response();
        }
        render_with(
            status,
            ErrorPage {
                nav,
                status: status.as_u16(),
                message: message_of(&error),
            },
        )
    }
}

/// Attaches the page's header to an error.
pub trait OrPage<T> {
    fn or_page(self, u: &PageUser) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, AppError> {
    fn or_page(self, u: &PageUser) -> Result<T, PageError> {
        self.map_err(|error| PageError::new(Nav::of(u), error))
    }
}

/// Percent-encodes a query value.
pub fn url_part(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The fields and the first non-empty file of a page form, sent either url-encoded or as
/// multipart (forms with a file input: a consultation answer, an external document).
pub async fn form_with_file(
    req: axum::extract::Request,
) -> Result<
    (
        std::collections::HashMap<String, String>,
        Option<(String, Vec<u8>)>,
    ),
    AppError,
> {
    let is_multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/"));
    let unreadable = |e: &dyn std::fmt::Display| {
        AppError::BadFile(format!("Không đọc được biểu mẫu tải lên: {e}"))
    };
    if !is_multipart {
        let axum::Form(f) =
            <axum::Form<std::collections::HashMap<String, String>> as axum::extract::FromRequest<
                (),
            >>::from_request(req, &())
            .await
            .map_err(|e| unreadable(&e.body_text()))?;
        return Ok((f, None));
    }
    let mut m =
        <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(req, &())
            .await
            .map_err(|e| unreadable(&e.body_text()))?;
    let mut fields = std::collections::HashMap::new();
    let mut file = None;
    while let Some(part) = m.next_field().await.map_err(|e| unreadable(&e))? {
        let name = part.name().unwrap_or_default().to_string();
        match part.file_name().map(str::to_string) {
            Some(file_name) => {
                let data = part.bytes().await.map_err(|e| unreadable(&e))?;
                if !data.is_empty() && file.is_none() {
                    file = Some((file_name, data.to_vec()));
                }
            }
            None => {
                let value = part.text().await.map_err(|e| unreadable(&e))?;
                fields.insert(name, value);
            }
        }
    }
    Ok((fields, file))
}
