//! Bảng tính Excel và CSV: report workbook out, workbooks in, consolidation out.

use std::collections::HashMap;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use tuanle_app::workbooks::{FileResult, ImportSummary, XLSX_MIME};
use tuanle_app::AppError;
use tuanle_domain::report::ReportAction;
use tuanle_sheets::write::CsvPart;
use utoipa::{IntoParams, ToSchema};

use super::dto::BasisDto;
use super::{ApiPath, ApiQuery, ApiResult};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;

/// A file as a download.
pub fn download(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// The uploaded files (every field with a file name) and the text fields of a multipart
/// form. An upload over the size limit is refused naming the file being read.
pub async fn read_upload(
    form: &mut Multipart,
) -> Result<(Vec<(String, Vec<u8>)>, HashMap<String, String>), AppError> {
    let mut files = Vec::new();
    let mut fields = HashMap::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_large(None));
            }
            Err(e) => {
                return Err(AppError::BadFile(format!(
                    "Không đọc được dữ liệu tải lên: {}",
                    e.body_text()
                )))
            }
        };
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(file) if !file.is_empty() => {
                let data = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        too_large(Some(&file))
                    } else {
                        AppError::BadFile(format!(
                            "{file}: không đọc được tệp tải lên ({})",
                            e.body_text()
                        ))
                    }
                })?;
                files.push((file, data.to_vec()));
            }
            Some(_) => {}
            None => {
                let text = field.text().await.unwrap_or_default();
                fields.insert(name, text);
            }
        }
    }
    Ok((files, fields))
}

fn too_large(file: Option<&str>) -> AppError {
    AppError::BadFile(format!(
        "{}dữ liệu tải lên quá lớn (tối đa {} MB mỗi lần; mỗi bảng tính tối đa {} MB): không tệp nào được nhập",
        file.map(|f| format!("{f}: ")).unwrap_or_default(),
        crate::BODY_LIMIT / 1_048_576,
        tuanle_app::workbooks::MAX_WORKBOOK_BYTES / 1_048_576
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkbookQuery {
    /// `true`: bảng tính trống; mặc định điền sẵn số liệu hiện có.
    pub blank: Option<bool>,
}

/// Tải bảng tính báo cáo (Excel)
///
/// Bảng tính .xlsx theo mẫu tổng hợp của Tuần lễ: ô nhập số được mở khóa và chỉ nhận số
/// nguyên không âm, phần còn lại được khóa; trang ẩn `tuanle` ghi mẫu, phiên bản, đơn vị
/// và Tuần lễ để khi tải lên được khớp đúng.
#[utoipa::path(
    get,
    path = "/v1/campaigns/{id}/reports/{code}/workbook",
    tag = "reports",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị", example = "27490"),
        WorkbookQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Bảng tính .xlsx", content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn report_workbook(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
    ApiQuery(q): ApiQuery<WorkbookQuery>,
) -> ApiResult<Response> {
    let (name, bytes) = state
        .app
        .report_workbook(&actor, id, &code, !q.blank.unwrap_or(false))
        .await?;
    Ok(download(&name, XLSX_MIME, bytes))
}

/// Multipart form of a workbook upload (for the document only).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WorkbookUpload {
    /// Một hoặc nhiều tệp .xlsx (hoặc .zip chứa các tệp .xlsx); lặp lại trường `files`.
    #[schema(value_type = Vec<String>, format = Binary)]
    files: Vec<Vec<u8>>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `submit` (mặc định): nộp báo cáo; `save`: chỉ lưu nháp.
    pub action: Option<String>,
}

/// Kết quả nhập một tệp.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileOutcomeDto {
    pub file: String,
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
    /// `imported`, `unchanged` hoặc `failed`.
    pub result: String,
    /// Trạng thái báo cáo sau khi nhập (`draft`, `submitted`, …).
    pub status: Option<String>,
    /// Mọi lỗi của tệp, mỗi lỗi nêu trang và ô (`Báo cáo!D12: …`).
    pub errors: Vec<String>,
}

/// Tóm tắt nhập tệp.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportSummaryDto {
    pub imported: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub files: Vec<FileOutcomeDto>,
}

impl From<&ImportSummary> for ImportSummaryDto {
    fn from(s: &ImportSummary) -> Self {
        ImportSummaryDto {
            imported: s.imported,
            unchanged: s.unchanged,
            failed: s.failed,
            files: s
                .files
                .iter()
                .map(|f| {
                    let (result, status, errors) = match &f.result {
                        FileResult::Imported { status } => {
                            ("imported", Some(status.as_str().to_string()), vec![])
                        }
                        FileResult::Unchanged => ("unchanged", None, vec![]),
                        FileResult::Failed { errors } => ("failed", None, errors.clone()),
                    };
                    FileOutcomeDto {
                        file: f.file.clone(),
                        unit_code: f.unit_code.clone(),
                        unit_name: f.unit_name.clone(),
                        result: result.into(),
                        status,
                        errors,
                    }
                })
                .collect(),
        }
    }
}

/// `save` or `submit` (default), else a Vietnamese error.
pub fn import_action(s: Option<&str>) -> Result<ReportAction, AppError> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("submit") => Ok(ReportAction::Submit),
        Some("save") => Ok(ReportAction::Save),
        Some(other) => Err(AppError::invalid(
            "action",
            format!("\"{other}\" không hợp lệ (submit hoặc save)"),
        )),
    }
}

/// Nhập bảng tính báo cáo
///
/// Một hoặc nhiều tệp .xlsx, hoặc .zip chứa các tệp .xlsx (trường `files`, lặp lại được).
/// Mỗi tệp được khớp với đơn vị ghi trong tệp và nhập trọn vẹn hoặc không gì cả; kết quả
/// liệt kê từng tệp: đơn vị, "imported"/"unchanged", hoặc mọi lỗi kèm trang và ô. Trả 200
/// cả khi có tệp lỗi (xem `failed`).
#[utoipa::path(
    post,
    path = "/v1/campaigns/{id}/workbooks",
    tag = "reports",
    params(("id" = i64, Path, description = "Mã Tuần lễ"), ImportQuery),
    request_body(content = WorkbookUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Kết quả từng tệp", body = ImportSummaryDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 422, description = "Không có tệp, hoặc dữ liệu tải lên quá lớn", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"])))
)]
pub async fn import_workbooks(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ImportQuery>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Json<ImportSummaryDto>, Response> {
    let fail = |e: AppError| ApiError(e).into_response();
    let mut multipart = multipart.map_err(|e| {
        fail(AppError::BadFile(format!(
            "Dữ liệu multipart không hợp lệ: {}",
            e.body_text()
        )))
    })?;
    let action = import_action(q.action.as_deref()).map_err(fail)?;
    let (files, _) = read_upload(&mut multipart).await.map_err(fail)?;
    if files.is_empty() {
        return Err(fail(AppError::BadFile(
            "Chưa có tệp nào (trường \"files\" của biểu mẫu)".into(),
        )));
    }
    let summary = state
        .app
        .import_workbooks(&actor, Some(id), files, action, |_, _| {})
        .await
        .map_err(fail)?;
    Ok(Json((&summary).into()))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsolidationFileQuery {
    /// `submitted` (mặc định) hoặc `accepted`.
    pub basis: Option<BasisDto>,
    /// Chỉ với CSV: `table` (mặc định, bảng tổng hợp), `children` (đơn vị trực thuộc ×
    /// chỉ tiêu) hoặc `completeness` (tình hình nộp).
    pub part: Option<String>,
}

/// Tải tổng hợp (Excel)
///
/// Ba trang: bảng tổng hợp theo mẫu, đơn vị trực thuộc × chỉ tiêu, tình hình nộp (đơn
/// vị, trạng thái, thời điểm nộp, nộp muộn).
#[utoipa::path(
    get,
    path = "/v1/campaigns/{id}/consolidation/{code}/workbook",
    tag = "consolidation",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị", example = "778"),
        ConsolidationFileQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Bảng tính .xlsx", content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn consolidation_workbook(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
    ApiQuery(q): ApiQuery<ConsolidationFileQuery>,
) -> ApiResult<Response> {
    let basis = q.basis.unwrap_or_default().into();
    let (name, bytes) = state
        .app
        .consolidation_workbook(&actor, id, &code, basis)
        .await?;
    Ok(download(&name, XLSX_MIME, bytes))
}

/// `table`, `children` or `completeness`, else a Vietnamese error.
pub fn csv_part(s: Option<&str>) -> Result<CsvPart, AppError> {
    match s {
        None => Ok(CsvPart::Table),
        Some(p) => CsvPart::parse(p).ok_or_else(|| {
            AppError::invalid(
                "part",
                format!("\"{p}\" không hợp lệ (table, children hoặc completeness)"),
            )
        }),
    }
}

/// Tải tổng hợp (CSV)
///
/// CSV UTF-8 cho máy đọc: `part=table` (mỗi dòng một ô của bảng tổng hợp), `children`
/// (mỗi đơn vị trực thuộc một dòng) hoặc `completeness` (tình hình nộp).
#[utoipa::path(
    get,
    path = "/v1/campaigns/{id}/consolidation/{code}/csv",
    tag = "consolidation",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị", example = "778"),
        ConsolidationFileQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "CSV", content((String = "text/csv"))),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
        (status = 422, description = "`part` không hợp lệ", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn consolidation_csv(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
    ApiQuery(q): ApiQuery<ConsolidationFileQuery>,
) -> ApiResult<Response> {
    let basis = q.basis.unwrap_or_default().into();
    let part = csv_part(q.part.as_deref())?;
    let (name, bytes) = state
        .app
        .consolidation_csv(&actor, id, &code, basis, part)
        .await?;
    Ok(download(&name, "text/csv; charset=utf-8", bytes))
}
