//! The one mapping of application errors to HTTP status codes and bodies.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use tuanle_app::AppError;
use tuanle_domain::validate::Issue;
use tuanle_domain::DomainError;

/// HTTP status for an application error.
pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
        AppError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Invalid { .. } | AppError::Validation(_) | AppError::BadFile(_) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Domain(DomainError::InvalidTransition { .. }) => StatusCode::CONFLICT,
        AppError::Domain(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Stable machine code of an error.
pub fn code_of(e: &AppError) -> &'static str {
    match e {
        AppError::Unauthenticated => "unauthenticated",
        AppError::BadCredentials => "bad_credentials",
        AppError::TooManyAttempts(_) => "too_many_attempts",
        AppError::Forbidden(_) => "forbidden",
        AppError::NotFound(_) => "not_found",
        AppError::Invalid { .. } => "invalid",
        AppError::Validation(_) => "validation",
        AppError::BadFile(_) => "bad_file",
        AppError::Conflict(_) => "conflict",
        AppError::Domain(DomainError::InvalidTransition { .. }) => "invalid_transition",
        AppError::Domain(_) => "invalid",
        AppError::Store(_) => "internal",
    }
}

/// The message shown to people; internal errors are not detailed.
pub fn message_of(e: &AppError) -> String {
    match e {
        AppError::Store(inner) => {
            tracing::error!(error = %inner, "lỗi lưu trữ");
            "Lỗi hệ thống, vui lòng thử lại sau".to_string()
        }
        other => other.to_string(),
    }
}

/// Body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Machine code: unauthenticated, bad_credentials, too_many_attempts, forbidden, not_found, invalid, validation, bad_file, conflict, invalid_transition, internal.
    pub code: String,
    /// Vietnamese message.
    pub message: String,
    /// For `validation`: one entry per rule broken, naming the row and column.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<IssueBody>,
}

/// One validation finding.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssueBody {
    /// Rule code (E01…, W01…).
    pub code: String,
    pub row: Option<String>,
    pub column: Option<String>,
    pub key: String,
    pub message: String,
}

impl From<&Issue> for IssueBody {
    fn from(i: &Issue) -> Self {
        IssueBody {
            code: i.code.code().to_string(),
            row: i.row.clone(),
            column: i.column.clone(),
            key: i.key.clone(),
            message: i.message.clone(),
        }
    }
}

/// An API error response.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let issues = match &self.0 {
            AppError::Validation(v) => v.iter().map(IssueBody::from).collect(),
            _ => vec![],
        };
        let mut message = message_of(&self.0);
        if let Some(first) = issues.first() {
            message = format!("{message}: {}", first.message);
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: code_of(&self.0).to_string(),
                message,
                issues,
            },
        };
        (status_of(&self.0), Json(body)).into_response()
    }
}
