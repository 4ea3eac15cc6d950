//! tuanle domain: pure types and rules for the Lifelong Learning Week
//! (*Tuần lễ hưởng ứng học tập suốt đời*). Nothing here does IO.

pub mod access;
pub mod activity;
pub mod audit;
pub mod campaign;
pub mod consolidate;
pub mod consultation;
pub mod documents_register;
pub mod error;
pub mod format;
pub mod plan;
pub mod report;
pub mod task;
pub mod template;
pub mod text;
pub mod unit;
pub mod units_import;
pub mod validate;

pub use error::DomainError;
