//! Mẫu tổng hợp.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use tuanle_app::AppError;

use super::dto::{Created, TemplateDto, TemplateSummary};
use super::{ApiPath, ApiResult, RawBody};
use crate::auth::ApiUser;
use crate::error::ErrorBody;
use crate::AppState;

/// Danh sách mẫu tổng hợp
#[utoipa::path(
    get,
    path = "/v1/templates",
    tag = "templates",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Mẫu", body = Vec<TemplateSummary>),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn list_templates(
    ApiUser(_actor): ApiUser,
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<TemplateSummary>>> {
    let list = state
        .app
        .store
        .list_templates()
        .await
        .map_err(AppError::from)?;
    Ok(Json(
        list.into_iter()
            .map(|(id, code, version, name)| TemplateSummary {
                id,
                code,
                version,
                name,
            })
            .collect(),
    ))
}

/// Xem mẫu tổng hợp
///
/// Các cột và dòng của mẫu, cùng dạng JSON mà `POST /api/v1/templates` nhận.
#[utoipa::path(
    get,
    path = "/v1/templates/{id}",
    tag = "templates",
    params(("id" = i64, Path, description = "Mã mẫu")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Mẫu", body = TemplateDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn get_template(
    ApiUser(_actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<TemplateDto>> {
    let t = state.app.template(id).await?;
    Ok(Json(TemplateDto::new(id, &t)))
}

/// Thêm mẫu tổng hợp
///
/// Nội dung JSON (bắt đầu bằng `{`) hoặc TOML. Chỉ quản trị cấp trung ương.
#[utoipa::path(
    post,
    path = "/v1/templates",
    tag = "templates",
    request_body(content(
        (TemplateDto = "application/json"),
        (String = "application/toml"),
    )),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Đã thêm", body = Created),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không phải quản trị trung ương", body = ErrorBody),
        (status = 409, description = "Mã và phiên bản đã có", body = ErrorBody),
        (status = 422, description = "Mẫu không hợp lệ", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["admin"])))
)]
pub async fn add_template(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    RawBody(body): RawBody,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| AppError::BadFile("Mẫu tổng hợp phải là văn bản UTF-8".into()))?;
    let id = state.app.add_template(&actor, text).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}
