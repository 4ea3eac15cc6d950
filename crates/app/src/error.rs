//! Errors of the use cases; the web layer maps each variant once to an HTTP status.

use thiserror::Error;
use tuanle_domain::validate::Issue;
use tuanle_domain::DomainError;
use tuanle_store::StoreError;

/// Lỗi nghiệp vụ của ứng dụng.
#[derive(Debug, Error)]
pub enum AppError {
    /// Not signed in, or the session/token expired.
    #[error("Chưa đăng nhập hoặc phiên đăng nhập đã hết hạn")]
    Unauthenticated,
    /// Wrong username or password.
    #[error("Tên đăng nhập hoặc mật khẩu không đúng")]
    BadCredentials,
    /// Too many failed sign-ins: the username or address is locked for a while.
    #[error("{0}")]
    TooManyAttempts(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// One field is wrong.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// Figures broke validation rules; nothing was stored.
    #[error("Báo cáo có {} lỗi, chưa được lưu", .0.len())]
    Validation(Vec<Issue>),
    /// A file (units list, photo) was rejected; nothing was stored.
    #[error("{0}")]
    BadFile(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Domain(#[from] DomainError),
    #[error("{0}")]
    Store(StoreError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::NotFound(m) => AppError::NotFound(format!("Không tìm thấy {m}")),
            other => AppError::Store(other),
        }
    }
}

impl AppError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> AppError {
        AppError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}
