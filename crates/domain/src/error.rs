//! Errors of the domain layer, each with a Vietnamese message.

use thiserror::Error;

/// Lỗi nghiệp vụ — a rule of the domain was broken.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// The report is not in a state that allows the requested action.
    #[error("Báo cáo đang ở trạng thái \"{from}\", không thể {action}")]
    InvalidTransition { from: String, action: String },
    /// A template definition is inconsistent.
    #[error("Mẫu tổng hợp không hợp lệ: {0}")]
    InvalidTemplate(String),
    /// An input value could not be parsed.
    #[error("{field}: {message}")]
    InvalidInput { field: String, message: String },
}
