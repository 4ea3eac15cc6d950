//! Cơ quan ban hành — the settings page of an issuing body (ký hiệu, the lines of its
//! heading, the name it is cited by, địa danh) and its outgoing register (sổ văn bản đi):
//! the last number used this year, and raising it to follow numbers used outside tuanle.
//! Administrators of the body only.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Form;
use chrono::Datelike;
use serde::Deserialize;
use tuanle_app::plans::{IssuerOverview, IssuerSettings};
use tuanle_app::AppError;

use super::{render, render_with, url_part, Nav, OrPage, PageError};
use crate::auth::PageUser;
use crate::AppState;

pub fn routes() -> Vec<super::PageRoute> {
    vec![("/units/{code}/issuer", get(show).post(save))]
}

#[derive(Template)]
#[template(path = "issuer.html")]
struct IssuerPage {
    nav: Option<Nav>,
    csrf: String,
    code: String,
    link: String,
    name: String,
    configured: bool,
    abbreviation: String,
    header_lines: String,
    cited_name: String,
    place: String,
    year: i64,
    last_number: String,
    next_number: i64,
    /// The year and number typed into the register form (kept after a refusal).
    register_year: String,
    register_last: String,
    saved: String,
    error: String,
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i64>,
    ok: Option<String>,
}

/// The form as sent: `action` = `save` (settings) or `raise` (register).
#[derive(Deserialize, Default)]
struct IssuerForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    abbreviation: String,
    #[serde(default)]
    header_lines: String,
    #[serde(default)]
    cited_name: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    last_used: String,
}

fn page(
    user: &PageUser,
    o: &IssuerOverview,
    sent: Option<&IssuerForm>,
    saved: &str,
    error: String,
) -> IssuerPage {
    let settings_sent = sent.filter(|f| f.action != "raise");
    let register_sent = sent.filter(|f| f.action == "raise");
    IssuerPage {
        nav: Nav::of(user),
        csrf: user.csrf_token.clone(),
        code: o.unit.code.clone(),
        link: url_part(&o.unit.code),
        name: o.unit.name.clone(),
        configured: o.configured,
        abbreviation: settings_sent
            .map(|f| f.abbreviation.clone())
            .unwrap_or_else(|| o.settings.abbreviation.clone()),
        header_lines: settings_sent
            .map(|f| f.header_lines.clone())
            .unwrap_or_else(|| o.settings.header_lines.join("\n")),
        cited_name: settings_sent
            .map(|f| f.cited_name.clone())
            .unwrap_or_else(|| o.settings.cited_name.clone()),
        place: settings_sent
            .map(|f| f.place.clone())
            .unwrap_or_else(|| o.settings.place.clone()),
        year: o.year,
        last_number: o
            .last_number
            .map(|n| format!("{n:02}"))
            .unwrap_or_else(|| "chưa cấp số nào".into()),
        next_number: o.last_number.unwrap_or(0) + 1,
        register_year: register_sent
            .map(|f| f.year.clone())
            .unwrap_or_else(|| o.year.to_string()),
        register_last: register_sent
            .map(|f| f.last_used.clone())
            .unwrap_or_default(),
        saved: match saved {
            "settings" => "Đã lưu cài đặt cơ quan ban hành.".into(),
            "register" => "Đã cập nhật sổ văn bản đi.".into(),
            _ => String::new(),
        },
        error,
    }
}

/// `GET /units/{code}/issuer[?year=2021]`
async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let year = q.year.unwrap_or_else(|| state.app.today().year() as i64);
    let o = state
        .app
        .issuer_overview(&user.actor, &code, year)
        .await
        .or_page(&user)?;
    Ok(render(page(
        &user,
        &o,
        None,
        q.ok.as_deref().unwrap_or(""),
        String::new(),
    )))
}

/// A whole number typed in a form field, or the field's Vietnamese error.
fn number_field(label: &str, text: &str) -> Result<i64, AppError> {
    text.trim()
        .parse()
        .map_err(|_| AppError::invalid(label, format!("\"{}\" không phải số", text.trim())))
}

/// `POST /units/{code}/issuer` — saves the settings, or raises the register.
async fn save(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    Form(f): Form<IssuerForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf_token).or_page(&user)?;
    let this_year = state.app.today().year() as i64;
    let (result, year) = if f.action == "raise" {
        let parsed = number_field("Năm", &f.year)
            .and_then(|y| Ok((y, number_field("Số cuối đã dùng", &f.last_used)?)));
        match parsed {
            Ok((year, last)) => (
                state
                    .app
                    .raise_register(&user.actor, &code, year, last)
                    .await
                    .map(|_| "register"),
                year,
            ),
            Err(e) => (Err(e), this_year),
        }
    } else {
        let settings = IssuerSettings {
            abbreviation: f.abbreviation.clone(),
            header_lines: f.header_lines.lines().map(str::to_string).collect(),
            cited_name: f.cited_name.clone(),
            place: f.place.clone(),
        };
        (
            state
                .app
                .set_issuer(&user.actor, &code, &settings)
                .await
                .map(|_| "settings"),
            this_year,
        )
    };
    match result {
        Ok(what) => Ok(Redirect::to(&format!(
            "/units/{}/issuer?year={year}&ok={what}",
            url_part(&code)
        ))
        .into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_) | AppError::Domain(_))) => {
            let status = match e {
                AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let o = state
                .app
                .issuer_overview(&user.actor, &code, this_year)
                .await
                .or_page(&user)?;
            Ok(render_with(
                status,
                page(&user, &o, Some(&f), "", e.to_string()),
            ))
        }
        Err(e) => Err(e).or_page(&user),
    }
}
