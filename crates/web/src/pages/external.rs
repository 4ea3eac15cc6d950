//! Văn bản bên ngoài — documents from outside tuanle (the Ministry's guidance, a
//! province's plan issued on paper) recorded with their own number, date, issuer and
//! PDF, so that a plan's *căn cứ* can cite them. The register of the tree's external
//! documents, the form to record one, and the PDF download of any document that has one.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::NaiveDate;
use std::collections::HashMap;
use tuanle_app::plans::ExternalInput;
use tuanle_app::AppError;
use tuanle_domain::access::Role;
use tuanle_domain::documents_register::DocKind;
use tuanle_domain::format::date_vi;

use super::{render, render_with, Nav, OrPage, PageError};
use crate::auth::PageUser;
use crate::AppState;

pub fn routes() -> Vec<super::PageRoute> {
    vec![
        ("/documents/external", get(register).post(record)),
        ("/documents/{id}/file", get(file)),
    ]
}

struct ExternalItem {
    id: i64,
    number: String,
    date: String,
    kind: String,
    subject: String,
    issuer: String,
    file: String,
}

#[derive(Template)]
#[template(path = "external.html")]
struct ExternalPage {
    nav: Option<Nav>,
    csrf: String,
    can_record: bool,
    kinds: Vec<(String, String)>,
    campaigns: Vec<(i64, String)>,
    documents: Vec<ExternalItem>,
    /// The form as sent (kept after a refusal), by field name.
    f: HashMap<String, String>,
    error: String,
}

impl ExternalPage {
    /// A field of the form as sent ("" when absent).
    fn sent(&self, name: &str) -> &str {
        self.f.get(name).map(String::as_str).unwrap_or("")
    }
}

async fn page(
    state: &AppState,
    user: &PageUser,
    f: HashMap<String, String>,
    error: String,
) -> Result<ExternalPage, AppError> {
    let documents = state
        .app
        .documents(&user.actor, None)
        .await?
        .into_iter()
        .filter(|d| d.external)
        .map(|d| ExternalItem {
            id: d.id,
            number: d.number_text.clone().unwrap_or_default(),
            date: d.issued_on.map(date_vi).unwrap_or_default(),
            kind: d.kind.name_vi().to_string(),
            subject: d.subject.clone(),
            issuer: d.issuer_name.clone(),
            file: if d.has_file {
                d.file_name.clone().unwrap_or_else(|| "tệp PDF".into())
            } else {
                String::new()
            },
        })
        .collect();
    let campaigns = state
        .app
        .campaigns_for(&user.actor)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(ExternalPage {
        nav: Nav::of(user),
        csrf: user.csrf_token.clone(),
        can_record: user.actor.user.role != Role::Viewer,
        kinds: DocKind::ALL
            .iter()
            .map(|k| (k.code().to_string(), k.name_vi().to_string()))
            .collect(),
        campaigns,
        documents,
        f,
        error,
    })
}

/// `GET /documents/external` — the register and the form.
async fn register(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    Ok(render(
        page(&state, &user, HashMap::new(), String::new())
            .await
            .or_page(&user)?,
    ))
}

/// The external document a form describes, or the Vietnamese error of its first bad field.
fn input_of(
    f: &HashMap<String, String>,
    file: Option<(String, Vec<u8>)>,
) -> Result<ExternalInput, AppError> {
    let get = |k: &str| f.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let kind = DocKind::parse(&get("kind")).ok_or_else(|| {
        AppError::invalid(
            "Loại văn bản",
            format!("\"{}\" không phải loại văn bản", get("kind")),
        )
    })?;
    if get("number").is_empty() {
        return Err(AppError::invalid(
            "Số, ký hiệu",
            "không được để trống (ví dụ 3764/BGDĐT-GDTX)",
        ));
    }
    let date_text = get("date");
    let issued_on = NaiveDate::parse_from_str(&date_text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&date_text, "%d/%m/%Y"))
        .map_err(|_| {
            AppError::invalid(
                "Ngày văn bản",
                format!("\"{date_text}\" không phải ngày (dd/mm/yyyy)"),
            )
        })?;
    let campaign_id = match get("campaign").as_str() {
        "" => None,
        s => Some(
            s.parse()
                .map_err(|_| AppError::invalid("Tuần lễ", format!("\"{s}\" không hợp lệ")))?,
        ),
    };
    Ok(ExternalInput {
        kind,
        number_text: get("number"),
        issued_on,
        issuer_name: get("issuer"),
        subject: get("subject"),
        campaign_id,
        file,
    })
}

/// `POST /documents/external` (multipart: csrf_token, kind, number, date, issuer, subject,
/// campaign, pdf) — records the document; a number already recorded for that issuer and
/// year is refused (409) and nothing is stored.
async fn record(
    State(state): State<AppState>,
    user: PageUser,
    req: axum::extract::Request,
) -> Result<Response, PageError> {
    let (f, file) = match super::form_with_file(req).await {
        Ok(v) => v,
        Err(e) => {
            let p = page(&state, &user, HashMap::new(), e.to_string())
                .await
                .or_page(&user)?;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, p));
        }
    };
    user.check_csrf(f.get("csrf_token").map(String::as_str).unwrap_or(""))
        .or_page(&user)?;
    state.app.may_record_external(&user.actor).or_page(&user)?;
    let result = match input_of(&f, file) {
        Ok(input) => state.app.record_external(&user.actor, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(d) => Ok(Redirect::to(&format!("/documents/{}", d.id)).into_response()),
        Err(
            e @ (AppError::Invalid { .. }
            | AppError::Conflict(_)
            | AppError::Domain(_)
            | AppError::BadFile(_)),
        ) => {
            let status = match e {
                AppError::Conflict(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let p = page(&state, &user, f, e.to_string()).await.or_page(&user)?;
            Ok(render_with(status, p))
        }
        Err(e) => Err(e).or_page(&user),
    }
}

/// `GET /documents/{id}/file` — the PDF recorded with an external document.
async fn file(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (name, bytes) = state
        .app
        .document_file(&user.actor, id)
        .await
        .or_page(&user)?;
    Ok(crate::api::plans::pdf_response(&name, bytes))
}
