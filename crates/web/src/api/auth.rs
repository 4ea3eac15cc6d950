//! `POST /api/v1/auth/token`, `GET /api/v1/me`.

use axum::extract::State;
use axum::Json;

use super::dto::{MeResponse, TokenRequest, TokenResponse, UserDto};
use super::{ApiResult, Body, ClientIp};
use crate::auth::ApiUser;
use crate::error::ErrorBody;
use crate::AppState;

/// Cấp token API
///
/// Kiểm tra tên đăng nhập và mật khẩu, trả về token dùng trong tiêu đề
/// `Authorization: Bearer <token>` (hiệu lực 24 giờ).
#[utoipa::path(
    post,
    path = "/v1/auth/token",
    tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "Token", body = TokenResponse),
        (status = 401, description = "Sai tên đăng nhập hoặc mật khẩu", body = ErrorBody),
        (status = 422, description = "Thiếu trường", body = ErrorBody),
    ),
    extensions(("x-public" = json!(true)))
)]
pub async fn issue_token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Body(req): Body<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let (token, expires_at) = state
        .app
        .issue_api_token(&req.username, &req.password, ip)
        .await?;
    Ok(Json(TokenResponse {
        token,
        token_type: "Bearer".into(),
        expires_at,
    }))
}

/// Người đang gọi
///
/// Tài khoản, vai trò và đơn vị của token.
#[utoipa::path(
    get,
    path = "/v1/me",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Người dùng", body = MeResponse),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn me(ApiUser(actor): ApiUser) -> ApiResult<Json<MeResponse>> {
    Ok(Json(MeResponse {
        user: UserDto::new(&actor.user, Some(actor.unit.code.clone())),
        role: actor.user.role.into(),
        unit: (&actor.unit).into(),
    }))
}
