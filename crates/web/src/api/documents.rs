//! Văn bản báo cáo (DOCX, PDF) of a unit or of a level with its consolidated table.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tuanle_app::documents::{DocumentFormat, DocumentOptions, RenderedDocument};
use tuanle_app::AppError;
use utoipa::IntoParams;

use super::dto::BasisDto;
use super::{ApiPath, ApiQuery, ApiResult};
use crate::auth::ApiUser;
use crate::error::ErrorBody;
use crate::AppState;

/// What the issuer fills in, all optional; `basis` for a level's report.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// Số văn bản (để trống: văn thư ghi khi ban hành).
    pub so: Option<String>,
    /// Ngày ban hành, dd/mm/yyyy (để trống: ghi khi ký).
    pub ngay: Option<String>,
    /// Họ tên người ký.
    pub nguoi_ky: Option<String>,
    /// Cơ sở tổng hợp (chỉ báo cáo tổng hợp): `submitted` (mặc định) hoặc `accepted`.
    pub basis: Option<BasisDto>,
}

impl DocumentQuery {
    /// The options, with a Vietnamese error naming the bad field.
    pub fn options(&self) -> Result<DocumentOptions, AppError> {
        fn blank(s: &Option<String>) -> Option<&str> {
            s.as_deref().map(str::trim).filter(|s| !s.is_empty())
        }
        let number = match blank(&self.so) {
            Some(s) => Some(s.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                AppError::invalid(
                    "so",
                    format!("\"{s}\" không phải số văn bản (số nguyên dương)"),
                )
            })?),
            None => None,
        };
        let date = match blank(&self.ngay) {
            Some(s) => Some(
                chrono::NaiveDate::parse_from_str(s, "%d/%m/%Y")
                    .or_else(|_| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d"))
                    .map_err(|_| {
                        AppError::invalid("ngay", format!("\"{s}\" không phải ngày dd/mm/yyyy"))
                    })?,
            ),
            None => None,
        };
        Ok(DocumentOptions {
            number,
            date,
            signer: blank(&self.nguoi_ky).map(str::to_string),
        })
    }
}

/// `docx` or `pdf`, else 404.
pub fn format_of(s: &str) -> Result<DocumentFormat, AppError> {
    DocumentFormat::parse(s).ok_or_else(|| {
        AppError::NotFound(format!("Không có định dạng \"{s}\" (chỉ có docx hoặc pdf)"))
    })
}

/// A rendered document as a download.
pub fn download(doc: RenderedDocument) -> Response {
    (
        [
            (header::CONTENT_TYPE, doc.content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", doc.filename),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        doc.bytes,
    )
        .into_response()
}

/// Tải báo cáo kết quả (Word/PDF)
///
/// Báo cáo kết quả tổ chức Tuần lễ của một đơn vị, đúng thể thức Nghị định 30/2020:
/// phần I, II từ báo cáo của đơn vị, bảng số liệu theo mẫu tổng hợp ở phụ lục.
#[utoipa::path(
    get,
    path = "/v1/campaigns/{id}/reports/{code}/document/{format}",
    tag = "reports",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị", example = "778"),
        ("format" = String, Path, description = "`docx` hoặc `pdf`", example = "pdf"),
        DocumentQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Tệp văn bản", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (Vec<u8> = "application/pdf"),
        )),
        (status = 422, description = "Số hoặc ngày không hợp lệ", body = ErrorBody),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn report_document(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code, format)): ApiPath<(i64, String, String)>,
    ApiQuery(q): ApiQuery<DocumentQuery>,
) -> ApiResult<Response> {
    let format = format_of(&format)?;
    let doc = state
        .app
        .report_document(&actor, id, &code, format, &q.options()?)
        .await?;
    Ok(download(doc))
}

/// Tải báo cáo tổng hợp (Word/PDF)
///
/// Báo cáo kết quả của một cấp: phần I, II từ báo cáo của chính đơn vị, bảng số liệu
/// tổng hợp của cả cây con ở phụ lục.
#[utoipa::path(
    get,
    path = "/v1/campaigns/{id}/consolidation/{code}/document/{format}",
    tag = "consolidation",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị", example = "778"),
        ("format" = String, Path, description = "`docx` hoặc `pdf`", example = "docx"),
        DocumentQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Tệp văn bản", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (Vec<u8> = "application/pdf"),
        )),
        (status = 422, description = "Số hoặc ngày không hợp lệ", body = ErrorBody),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn consolidation_document(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code, format)): ApiPath<(i64, String, String)>,
    ApiQuery(q): ApiQuery<DocumentQuery>,
) -> ApiResult<Response> {
    let format = format_of(&format)?;
    let basis = q.basis.unwrap_or_default().into();
    let doc = state
        .app
        .consolidation_document(&actor, id, &code, basis, format, &q.options()?)
        .await?;
    Ok(download(doc))
}
