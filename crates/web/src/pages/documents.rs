//! Tải văn bản báo cáo (Word, PDF) from the report and consolidation pages.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;

use super::{OrPage, PageError};
use crate::api::documents::{download, format_of, DocumentQuery};
use crate::auth::PageUser;
use crate::AppState;

pub fn routes() -> Vec<super::PageRoute> {
    vec![
        (
            "/campaigns/{id}/reports/{code}/document/{format}",
            get(report_document),
        ),
        (
            "/campaigns/{id}/consolidation/{code}/document/{format}",
            get(consolidation_document),
        ),
    ]
}

/// `GET /campaigns/{id}/reports/{code}/document/{docx|pdf}`
async fn report_document(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code, format)): Path<(i64, String, String)>,
    Query(q): Query<DocumentQuery>,
) -> Result<Response, PageError> {
    let format = format_of(&format).or_page(&user)?;
    let options = q.options().or_page(&user)?;
    let doc = state
        .app
        .report_document(&user.actor, id, &code, format, &options)
        .await
        .or_page(&user)?;
    Ok(download(doc))
}

/// `GET /campaigns/{id}/consolidation/{code}/document/{docx|pdf}?basis=…`
async fn consolidation_document(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code, format)): Path<(i64, String, String)>,
    Query(q): Query<DocumentQuery>,
) -> Result<Response, PageError> {
    let format = format_of(&format).or_page(&user)?;
    let options = q.options().or_page(&user)?;
    let basis = q.basis.unwrap_or_default().into();
    let doc = state
        .app
        .consolidation_document(&user.actor, id, &code, basis, format, &options)
        .await
        .or_page(&user)?;
    Ok(download(doc))
}
