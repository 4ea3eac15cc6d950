//! Đơn vị: search, read, add bodies.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::dto::{ImportBodiesResponse, NewBodyRequest, UnitDetail, UnitDto, UnitSearch};
use super::{ApiPath, ApiQuery, ApiResult, Body, RawBody};
use crate::auth::ApiUser;
use crate::error::ErrorBody;
use crate::AppState;

/// Tìm đơn vị
///
/// Tìm theo tên trong cây con của người gọi, có dấu hoặc không dấu.
#[utoipa::path(
    get,
    path = "/v1/units",
    tag = "units",
    params(UnitSearch),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Đơn vị tìm thấy", body = Vec<UnitDto>),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn search_units(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<UnitSearch>,
) -> ApiResult<Json<Vec<UnitDto>>> {
    let units = state
        .app
        .search_units(&actor, q.q.as_deref().unwrap_or(""), q.limit.unwrap_or(20))
        .await?;
    Ok(Json(units.iter().map(UnitDto::from).collect()))
}

/// Xem đơn vị
///
/// Một đơn vị trong cây con của người gọi và các đơn vị trực thuộc; 404 với đơn vị
/// ngoài cây con.
#[utoipa::path(
    get,
    path = "/v1/units/{code}",
    tag = "units",
    params(("code" = String, Path, description = "Mã đơn vị", example = "778")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Đơn vị", body = UnitDetail),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có hoặc ngoài cây con", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn get_unit(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<UnitDetail>> {
    let unit = state
        .app
        .visible_unit(&actor, actor.unit.tree_id, &code)
        .await?;
    let children = state
        .app
        .store
        .children(unit.id)
        .await
        .map_err(tuanle_app::AppError::from)?;
    Ok(Json(UnitDetail {
        unit: (&unit).into(),
        children: children.iter().map(UnitDto::from).collect(),
    }))
}

/// Thêm cơ quan trực thuộc
///
/// Thêm một cơ quan, đơn vị (trường, TTHTCĐ, Hội Khuyến học…) dưới một đơn vị mà
/// người gọi quản trị.
#[utoipa::path(
    post,
    path = "/v1/units",
    tag = "units",
    request_body = NewBodyRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Đã thêm", body = UnitDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không có quyền quản trị đơn vị cấp trên", body = ErrorBody),
        (status = 409, description = "Trùng mã", body = ErrorBody),
        (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["admin"])))
)]
pub async fn add_body(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    Body(req): Body<NewBodyRequest>,
) -> ApiResult<(StatusCode, Json<UnitDto>)> {
    let unit = state
        .app
        .add_body(&actor, actor.unit.tree_id, &req.into())
        .await?;
    Ok((StatusCode::CREATED, Json((&unit).into())))
}

/// Nhập danh sách cơ quan (CSV)
///
/// Tệp CSV có các cột `code,name,type,parent_code`; tất cả hoặc không gì cả.
#[utoipa::path(
    post,
    path = "/v1/units/bodies.csv",
    tag = "units",
    request_body(content = String, content_type = "text/csv", description = "code,name,type,parent_code"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Đã nhập", body = ImportBodiesResponse),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không có quyền", body = ErrorBody),
        (status = 409, description = "Trùng mã", body = ErrorBody),
        (status = 422, description = "Tệp không hợp lệ", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["admin"])))
)]
pub async fn import_bodies(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    RawBody(body): RawBody,
) -> ApiResult<(StatusCode, Json<ImportBodiesResponse>)> {
    let units = state
        .app
        .import_bodies(&actor, actor.unit.tree_id, &body)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ImportBodiesResponse {
            created: units.len(),
            units: units.iter().map(UnitDto::from).collect(),
        }),
    ))
}
