//! `POST /api/v1/auth/token`, `GET /api/v1/me`, `POST /api/v1/me/password`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use tuanle_app::auth::KeepSession;
use tuanle_app::AppError;

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
        (status = 429, description = "Sai mật khẩu quá nhiều lần: tạm khóa đăng nhập", body = ErrorBody),
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

/// Đổi mật khẩu của người gọi.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct PasswordChangeRequest {
    /// Mật khẩu hiện tại.
    pub current_password: String,
    /// Mật khẩu mới: ít nhất 10 ký tự, khác tên đăng nhập, khác mật khẩu hiện tại.
    pub new_password: String,
}

/// Đổi mật khẩu
///
/// Đổi mật khẩu của tài khoản đang gọi. Mật khẩu hiện tại sai được tính như một lần đăng nhập
/// sai (khóa tạm sau 5 lần: 429). Sau khi đổi, mọi phiên đăng nhập web và token API khác của
/// tài khoản kết thúc; token đang gọi vẫn dùng được đến khi hết hạn.
#[utoipa::path(
    post,
    path = "/v1/me/password",
    tag = "auth",
    request_body = PasswordChangeRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Đã đổi mật khẩu"),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 422, description = "Mật khẩu hiện tại không đúng, hoặc mật khẩu mới không đạt yêu cầu", body = ErrorBody),
        (status = 429, description = "Sai mật khẩu quá nhiều lần: tạm khóa", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn change_password(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    headers: HeaderMap,
    Body(req): Body<PasswordChangeRequest>,
) -> ApiResult<StatusCode> {
    let token = crate::auth::bearer(&headers).ok_or(AppError::Unauthenticated)?;
    state
        .app
        .change_password(
            &actor,
            &req.current_password,
            &req.new_password,
            &req.new_password,
            KeepSession::Token(&token),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
