//! Storage errors.

use thiserror::Error;

/// Lỗi lưu trữ.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("cấu hình cơ sở dữ liệu: {0}")]
    Config(String),
    #[error("nâng cấp cơ sở dữ liệu thất bại: {0}")]
    Migration(String),
    #[error("dữ liệu đã tồn tại: {0}")]
    Conflict(String),
    #[error("không tìm thấy: {0}")]
    NotFound(String),
    #[error("dữ liệu hỏng: {0}")]
    Corrupt(String),
    #[error("lỗi cơ sở dữ liệu: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Whether the error is a unique-constraint violation.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}
