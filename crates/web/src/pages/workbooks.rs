//! Bảng tính Excel trên trang báo cáo và trang tổng hợp: tải về, tải lên.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use tuanle_app::workbooks::{FileResult, XLSX_MIME};
use tuanle_app::AppError;
use tuanle_domain::format::number_vi;

use super::{render, Nav, OrPage, PageError};
use crate::api::workbooks::{csv_part, download, import_action, read_upload};
use crate::auth::PageUser;
use crate::AppState;

pub fn routes() -> Vec<super::PageRoute> {
    vec![
        (
            "/campaigns/{id}/reports/{code}/workbook",
            get(report_workbook),
        ),
        (
            "/campaigns/{id}/consolidation/{code}/workbook",
            get(consolidation_workbook),
        ),
        (
            "/campaigns/{id}/consolidation/{code}/csv",
            get(consolidation_csv),
        ),
        ("/campaigns/{id}/workbooks", post(import)),
    ]
}

#[derive(Deserialize)]
struct WorkbookQuery {
    #[serde(default)]
    blank: Option<String>,
}

/// `GET /campaigns/{id}/reports/{code}/workbook[?blank=1]`
async fn report_workbook(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
    Query(q): Query<WorkbookQuery>,
) -> Result<Response, PageError> {
    let blank = q.blank.as_deref().is_some_and(|b| b == "1" || b == "true");
    let (name, bytes) = state
        .app
        .report_workbook(&user.actor, id, &code, !blank)
        .await
        .or_page(&user)?;
    Ok(download(&name, XLSX_MIME, bytes))
}

#[derive(Deserialize)]
struct ConsolidationFileQuery {
    #[serde(default)]
    basis: Option<String>,
    #[serde(default)]
    part: Option<String>,
}

fn basis_of(q: &ConsolidationFileQuery) -> tuanle_domain::report::Basis {
    q.basis
        .as_deref()
        .and_then(tuanle_domain::report::Basis::parse)
        .unwrap_or_default()
}

/// `GET /campaigns/{id}/consolidation/{code}/workbook?basis=…`
async fn consolidation_workbook(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
    Query(q): Query<ConsolidationFileQuery>,
) -> Result<Response, PageError> {
    let (name, bytes) = state
        .app
        .consolidation_workbook(&user.actor, id, &code, basis_of(&q))
        .await
        .or_page(&user)?;
    Ok(download(&name, XLSX_MIME, bytes))
}

/// `GET /campaigns/{id}/consolidation/{code}/csv?part=table|children|completeness&basis=…`
async fn consolidation_csv(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
    Query(q): Query<ConsolidationFileQuery>,
) -> Result<Response, PageError> {
    let part = csv_part(q.part.as_deref()).or_page(&user)?;
    let (name, bytes) = state
        .app
        .consolidation_csv(&user.actor, id, &code, basis_of(&q), part)
        .await
        .or_page(&user)?;
    Ok(download(&name, "text/csv; charset=utf-8", bytes))
}

/// One file of the summary page.
struct FileLine {
    file: String,
    unit: String,
    ok: bool,
    outcome: String,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "workbooks_import.html")]
struct ImportPage {
    nav: Option<Nav>,
    back: String,
    imported: String,
    unchanged: String,
    failed: String,
    files: Vec<FileLine>,
}

/// `POST /campaigns/{id}/workbooks` (multipart: `files`…, `action`, `back`, `csrf_token`)
async fn import(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let (files, fields) = read_upload(&mut form).await.or_page(&user)?;
    let field = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    user.check_csrf(field("csrf_token")).or_page(&user)?;
    let action = import_action(Some(field("action"))).or_page(&user)?;
    if files.is_empty() {
        return Err(AppError::BadFile("Chưa chọn tệp nào để tải lên".into())).or_page(&user);
    }
    // Only a page of this site is a place to go back to.
    let back = Some(field("back"))
        .filter(|b| b.starts_with(&format!("/campaigns/{id}/")) && !b.contains("//"))
        .unwrap_or("/")
        .to_string();
    let summary = state
        .app
        .import_workbooks(&user.actor, Some(id), files, action, |_, _| {})
        .await
        .or_page(&user)?;
    let files = summary
        .files
        .iter()
        .map(|f| {
            let (ok, outcome, errors) = match &f.result {
                FileResult::Imported { status } => {
                    (true, format!("Đã nhập — {}", status.label_vi()), vec![])
                }
                FileResult::Unchanged => (true, "Không thay đổi".to_string(), vec![]),
                FileResult::Failed { errors } => {
                    (false, "Lỗi — không nhập".to_string(), errors.clone())
                }
            };
            FileLine {
                file: f.file.clone(),
                unit: match (&f.unit_name, &f.unit_code) {
                    (Some(n), Some(c)) => format!("{n} ({c})"),
                    _ => "—".into(),
                },
                ok,
                outcome,
                errors,
            }
        })
        .collect();
    Ok(render(ImportPage {
        nav: Nav::of(&user),
        back,
        imported: number_vi(summary.imported as i64),
        unchanged: number_vi(summary.unchanged as i64),
        failed: number_vi(summary.failed as i64),
        files,
    }))
}
