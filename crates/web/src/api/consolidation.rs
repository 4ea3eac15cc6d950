//! Tổng hợp.

use axum::extract::State;
use axum::Json;

use super::dto::{
    ConsolidationDto, ConsolidationQuery, MissingPageDto, MissingUnitDto, PageQuery,
    RebuildResponse,
};
use super::{ApiPath, ApiQuery, ApiResult};
use crate::auth::ApiUser;
use crate::error::ErrorBody;
use crate::AppState;

/// Xem tổng hợp
///
/// Tổng số liệu của cây con một đơn vị (gồm báo cáo của chính đơn vị), chi tiết theo
/// đơn vị trực thuộc, tình hình nộp và danh sách đơn vị chưa nộp.
#[utoipa::path(
    get,
    path = "/v1/campaigns/{id}/consolidation/{code}",
    tag = "consolidation",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị", example = "778"),
        ConsolidationQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Tổng hợp", body = ConsolidationDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn get_consolidation(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
    ApiQuery(q): ApiQuery<ConsolidationQuery>,
) -> ApiResult<Json<ConsolidationDto>> {
    let basis = q.basis.unwrap_or_default().into();
    let view = state.app.consolidation(&actor, id, &code, basis).await?;
    Ok(Json((&view).into()))
}

/// Tính lại tổng hợp
///
/// Tính lại mọi tổng của Tuần lễ từ số liệu gốc; trả về số tổng đang lưu bị sai.
/// Chỉ quản trị tại gốc cây đơn vị.
#[utoipa::path(
    post,
    path = "/v1/campaigns/{id}/consolidation/rebuild",
    tag = "consolidation",
    params(("id" = i64, Path, description = "Mã Tuần lễ")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Đã tính lại", body = RebuildResponse),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không phải quản trị tại gốc cây", body = ErrorBody),
        (status = 404, description = "Không có Tuần lễ", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["admin"])))
)]
pub async fn rebuild_consolidation(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RebuildResponse>> {
    let differing = state.app.rebuild_consolidation(Some(&actor), id).await?;
    Ok(Json(RebuildResponse { differing }))
}

/// Đơn vị chưa nộp
///
/// Các đơn vị thuộc loại phải báo cáo trong cây con chưa có báo cáo đã nộp hoặc đã
/// được chấp nhận, theo từng trang.
#[utoipa::path(
    get,
    path = "/v1/campaigns/{id}/consolidation/{code}/missing",
    tag = "consolidation",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị", example = "778"),
        PageQuery,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Một trang danh sách", body = MissingPageDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn missing_units(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<MissingPageDto>> {
    let limit = q.limit.unwrap_or(200).clamp(1, 5000);
    let offset = q.offset.unwrap_or(0).max(0);
    let (units, total) = state
        .app
        .missing_units(&actor, id, &code, limit, offset)
        .await?;
    Ok(Json(MissingPageDto {
        total,
        limit,
        offset,
        units: units.iter().map(MissingUnitDto::from).collect(),
    }))
}
