//! Tuần lễ.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use tuanle_app::AppError;

use super::dto::{CampaignDto, NewCampaignRequest};
use super::{ApiPath, ApiResult, Body};
use crate::auth::ApiUser;
use crate::error::ErrorBody;
use crate::AppState;

/// Danh sách Tuần lễ
///
/// Các Tuần lễ trên cây đơn vị của người gọi, năm mới trước.
#[utoipa::path(
    get,
    path = "/v1/campaigns",
    tag = "campaigns",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Tuần lễ", body = Vec<CampaignDto>),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn list_campaigns(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<CampaignDto>>> {
    let list = state.app.campaigns_for(&actor).await?;
    Ok(Json(list.iter().map(CampaignDto::from).collect()))
}

/// Xem Tuần lễ
#[utoipa::path(
    get,
    path = "/v1/campaigns/{id}",
    tag = "campaigns",
    params(("id" = i64, Path, description = "Mã Tuần lễ")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Tuần lễ", body = CampaignDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có trên cây đơn vị của người gọi", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn get_campaign(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<CampaignDto>> {
    let c = state.app.campaign(id).await?;
    if c.tree_id != actor.unit.tree_id {
        return Err(AppError::NotFound(format!("Không tìm thấy Tuần lễ {id}")).into());
    }
    Ok(Json((&c).into()))
}

/// Tạo Tuần lễ
///
/// Chỉ quản trị cấp trung ương. Ngày dạng YYYY-MM-DD; `tree_id` mặc định là cây của
/// người gọi.
#[utoipa::path(
    post,
    path = "/v1/campaigns",
    tag = "campaigns",
    request_body = NewCampaignRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Đã tạo", body = CampaignDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không phải quản trị trung ương", body = ErrorBody),
        (status = 404, description = "Không có mẫu tổng hợp", body = ErrorBody),
        (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["admin"])))
)]
pub async fn create_campaign(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    Body(req): Body<NewCampaignRequest>,
) -> ApiResult<(StatusCode, Json<CampaignDto>)> {
    let mut campaign = req.into_campaign(actor.unit.tree_id);
    campaign.id = state.app.create_campaign(Some(&actor), &campaign).await?;
    Ok((StatusCode::CREATED, Json((&campaign).into())))
}
