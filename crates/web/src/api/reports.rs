//! Báo cáo kết quả: read, save/submit, review, history, photos.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tuanle_app::{Actor, AppError};
use tuanle_domain::report::{ReportAction, ReportContent};

use super::dto::{
    figures_from_json, photo_url, CreatedPhoto, HistoryEntryDto, ReportDto, ReviewAction,
    ReviewRequest, SaveAction, SaveReportRequest,
};
use super::{ApiPath, ApiResult, Body, Rejection};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;

/// The report as `GET` shows it, with its photos.
async fn report_dto(state: &AppState, actor: &Actor, id: i64, code: &str) -> ApiResult<ReportDto> {
    let view = state.app.report_view(actor, id, code).await?;
    let photos = match &view.record {
        Some(r) => state
            .app
            .store
            .photos(r.row.id)
            .await
            .map_err(AppError::from)?,
        None => vec![],
    };
    Ok(ReportDto::new(&view, &photos))
}

/// Xem báo cáo
///
/// Báo cáo của một đơn vị trong cây con của người gọi: trạng thái, số liệu, thuyết
/// minh, cảnh báo, ảnh. Đơn vị chưa có báo cáo trả về `status: "none"`.
#[utoipa::path(
    get,
    path = "/v1/campaigns/{id}/reports/{code}",
    tag = "reports",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị", example = "27490"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Báo cáo", body = ReportDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn get_report(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
) -> ApiResult<Json<ReportDto>> {
    Ok(Json(report_dto(&state, &actor, id, &code).await?))
}

/// Lưu nháp / Nộp báo cáo
///
/// Thay toàn bộ nội dung báo cáo. Số liệu phải là số nguyên không âm kiểu number của
/// JSON; chuỗi, số thập phân, số âm, dòng/cột không có trong mẫu bị từ chối (422,
/// nêu rõ dòng và cột) và không có gì được lưu. Khi nộp, mọi cảnh báo cần giải trình.
#[utoipa::path(
    put,
    path = "/v1/campaigns/{id}/reports/{code}",
    tag = "reports",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị"),
    ),
    request_body = SaveReportRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Báo cáo sau khi lưu", body = ReportDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không được sửa báo cáo của đơn vị này", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
        (status = 409, description = "Trạng thái không cho phép (đã nộp, đã chấp nhận)", body = ErrorBody),
        (status = 422, description = "Số liệu không hợp lệ", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"])))
)]
pub async fn save_report(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
    Body(req): Body<SaveReportRequest>,
) -> ApiResult<Json<ReportDto>> {
    // The campaign's template, for a unit the caller can see (404 otherwise).
    let (_, template, _) = state.app.campaign_unit(&actor, id, &code).await?;
    let content = ReportContent {
        figures: figures_from_json(&template, &req.figures)?,
        notes: req.notes,
        narrative: req.narrative.into(),
        explanations: req.explanations,
        from_activities: figures_from_json(&template, &req.from_activities)?,
    };
    let action = match req.action {
        SaveAction::Save => ReportAction::Save,
        SaveAction::Submit => ReportAction::Submit,
    };
    state
        .app
        .save_report(&actor, id, &code, action, content)
        .await?;
    Ok(Json(report_dto(&state, &actor, id, &code).await?))
}

/// Trả lại / Chấp nhận báo cáo
///
/// Cấp trên (người duyệt, quản trị) trả lại báo cáo đã nộp kèm lý do, hoặc chấp nhận.
#[utoipa::path(
    post,
    path = "/v1/campaigns/{id}/reports/{code}/review",
    tag = "reports",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị"),
    ),
    request_body = ReviewRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Báo cáo sau khi duyệt", body = ReportDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không có quyền duyệt", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
        (status = 409, description = "Trạng thái không cho phép", body = ErrorBody),
        (status = 422, description = "Thiếu lý do trả lại", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["reviewer", "admin"])))
)]
pub async fn review_report(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
    Body(req): Body<ReviewRequest>,
) -> ApiResult<Json<ReportDto>> {
    let action = match req.action {
        ReviewAction::Return => ReportAction::Return,
        ReviewAction::Accept => ReportAction::Accept,
    };
    state
        .app
        .review_report(&actor, id, &code, action, &req.comment)
        .await?;
    Ok(Json(report_dto(&state, &actor, id, &code).await?))
}

/// Lịch sử báo cáo
///
/// Mọi lần lưu, nộp, trả lại, chấp nhận, cũ trước.
#[utoipa::path(
    get,
    path = "/v1/campaigns/{id}/reports/{code}/history",
    tag = "reports",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Lịch sử", body = Vec<HistoryEntryDto>),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn report_history(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
) -> ApiResult<Json<Vec<HistoryEntryDto>>> {
    let entries = state.app.report_history(&actor, id, &code).await?;
    Ok(Json(
        entries.into_iter().map(HistoryEntryDto::from).collect(),
    ))
}

/// Multipart form of a photo upload (for the document only).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct PhotoUpload {
    /// Ảnh JPEG, PNG hoặc WebP, tối đa 5 MB (kiểm tra theo nội dung tệp).
    #[schema(value_type = String, format = Binary)]
    photo: Vec<u8>,
    /// Chú thích.
    caption: Option<String>,
}

fn multipart_error(status: StatusCode, text: String) -> Rejection {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        super::body_rejection(status)
    } else {
        Rejection::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            format!("Dữ liệu multipart không hợp lệ: {text}"),
        )
    }
}

/// Thêm ảnh
///
/// Biểu mẫu multipart: trường `photo` (tệp) và `caption` (tùy chọn). Báo cáo chưa có
/// thì được tạo ở dạng nháp.
#[utoipa::path(
    post,
    path = "/v1/campaigns/{id}/reports/{code}/photos",
    tag = "reports",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị"),
    ),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Đã thêm", body = CreatedPhoto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không được sửa báo cáo của đơn vị này", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
        (status = 409, description = "Báo cáo đã được chấp nhận", body = ErrorBody),
        (status = 422, description = "Không phải ảnh, quá lớn, hoặc thiếu tệp", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"])))
)]
pub async fn add_photo(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<CreatedPhoto>), Response> {
    let mut multipart =
        multipart.map_err(|e| multipart_error(e.status(), e.body_text()).into_response())?;
    let mut photo: Option<(String, Vec<u8>)> = None;
    let mut caption = String::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(e.status(), e.body_text()).into_response())?
    {
        match field.name() {
            Some("photo") => {
                let name = field.file_name().unwrap_or_default().to_string();
                let data = field
                    .bytes()
                    .await
                    .map_err(|e| multipart_error(e.status(), e.body_text()).into_response())?;
                photo = Some((name, data.to_vec()));
            }
            Some("caption") => {
                caption = field
                    .text()
                    .await
                    .map_err(|e| multipart_error(e.status(), e.body_text()).into_response())?;
            }
            _ => {}
        }
    }
    let Some((name, data)) = photo else {
        return Err(ApiError(AppError::BadFile(
            "Thiếu tệp ảnh (trường \"photo\" của biểu mẫu)".into(),
        ))
        .into_response());
    };
    let photo_id = state
        .app
        .add_photo(&actor, id, &code, &name, &data, &caption)
        .await
        .map_err(|e| ApiError(e).into_response())?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedPhoto {
            id: photo_id,
            url: photo_url(id, &code, photo_id),
        }),
    ))
}

/// Tải ảnh
#[utoipa::path(
    get,
    path = "/v1/campaigns/{id}/reports/{code}/photos/{photo_id}",
    tag = "reports",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị"),
        ("photo_id" = i64, Path, description = "Mã ảnh"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Ảnh, với kiểu nội dung đã lưu", content(
            (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "image/png"),
            (Vec<u8> = "image/webp"),
        )),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn get_photo(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code, photo_id)): ApiPath<(i64, String, i64)>,
) -> ApiResult<Response> {
    let (content_type, data) = state.app.photo(&actor, id, &code, photo_id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
        data,
    )
        .into_response())
}

/// Xóa ảnh
#[utoipa::path(
    delete,
    path = "/v1/campaigns/{id}/reports/{code}/photos/{photo_id}",
    tag = "reports",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị"),
        ("photo_id" = i64, Path, description = "Mã ảnh"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Đã xóa"),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không được sửa báo cáo của đơn vị này", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"])))
)]
pub async fn delete_photo(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code, photo_id)): ApiPath<(i64, String, i64)>,
) -> ApiResult<StatusCode> {
    state.app.delete_photo(&actor, id, &code, photo_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
