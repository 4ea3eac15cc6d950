//! Người dùng.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use tuanle_app::users::NewUser;
use tuanle_app::AppError;

use super::dto::{NewUserRequest, UserDto};
use super::{ApiResult, Body};
use crate::auth::ApiUser;
use crate::error::ErrorBody;
use crate::AppState;

/// Danh sách người dùng
///
/// Tài khoản thuộc cây con của người gọi (chỉ quản trị).
#[utoipa::path(
    get,
    path = "/v1/users",
    tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Người dùng", body = Vec<UserDto>),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không phải quản trị", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["admin"])))
)]
pub async fn list_users(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<UserDto>>> {
    let users = state.app.users_for(&actor).await?;
    let mut ids: Vec<i64> = users.iter().map(|u| u.unit_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let codes: HashMap<i64, String> = state
        .app
        .store
        .units_by_ids(&ids)
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(|u| (u.id, u.code))
        .collect();
    Ok(Json(
        users
            .iter()
            .map(|u| UserDto::new(u, codes.get(&u.unit_id).cloned()))
            .collect(),
    ))
}

/// Tạo tài khoản
///
/// Tài khoản gắn với một đơn vị trong cây con của người gọi (chỉ quản trị); mật khẩu
/// ít nhất 8 ký tự.
#[utoipa::path(
    post,
    path = "/v1/users",
    tag = "users",
    request_body = NewUserRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Đã tạo", body = UserDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không có quyền quản trị đơn vị", body = ErrorBody),
        (status = 409, description = "Tên đăng nhập đã có", body = ErrorBody),
        (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["admin"])))
)]
pub async fn add_user(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    Body(req): Body<NewUserRequest>,
) -> ApiResult<(StatusCode, Json<UserDto>)> {
    let unit_code = req.unit_code.trim().to_string();
    let new = NewUser {
        username: req.username,
        full_name: req.full_name,
        email: req.email.filter(|e| !e.trim().is_empty()),
        password: req.password,
        unit_code: unit_code.clone(),
        role: req.role.into(),
    };
    let id = state
        .app
        .add_user(Some(&actor), actor.unit.tree_id, &new, true)
        .await?;
    let user = state
        .app
        .store
        .user(id)
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| AppError::NotFound(format!("Không tìm thấy tài khoản {id}")))?;
    Ok((
        StatusCode::CREATED,
        Json(UserDto::new(&user, Some(unit_code))),
    ))
}
