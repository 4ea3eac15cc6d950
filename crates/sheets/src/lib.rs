//! Bảng tính — Excel workbooks and CSV of tuanle. Pure: bytes in, bytes out, no IO.
//!
//! - [`write::report_workbook`]: a unit's report as an .xlsx laid out like the seed 002 table
//!   (STT · Các hoạt động · Đơn vị · value columns · Ghi chú), input cells unlocked and
//!   validated, the rest protected, with a hidden sheet `tuanle` recording the format,
//!   template, unit and campaign so that an upload is matched without guessing.
//! - [`read::open_workbook`] + [`read::ReportWorkbook::parse`]: a workbook back into figures
//!   and notes, or every problem named by file, sheet and cell
//!   (`Báo cáo!D12: "12 lớp" không phải số nguyên`). Hand-built workbooks with the same
//!   visible layout are matched by their row labels.
//! - [`archive::expand_upload`]: .zip uploads expanded with size, count and ratio limits.
//! - [`write::consolidation_workbook`] and [`write::consolidation_csv`]: a consolidated table.

pub mod archive;
pub mod read;
pub mod write;

use thiserror::Error;

/// Version of the workbook layout written by [`write::report_workbook`].
pub const FORMAT_VERSION: i64 = 1;
/// Name of the hidden sheet holding the workbook's metadata.
pub const META_SHEET: &str = "tuanle";
/// Name of the report sheet.
pub const REPORT_SHEET: &str = "Báo cáo";

/// Largest single workbook accepted, in bytes (compressed, as uploaded).
pub const MAX_WORKBOOK_BYTES: usize = 5 * 1024 * 1024;
/// Largest sum of the uncompressed parts of one workbook (an .xlsx is a zip).
pub const MAX_WORKBOOK_EXPANDED: u64 = 50 * 1024 * 1024;
/// Largest uncompressed/compressed ratio of one part of a zip before it counts as a bomb.
pub const MAX_RATIO: u64 = 200;
/// Most workbooks in one .zip upload.
pub const MAX_ZIP_ENTRIES: usize = 20_000;
/// Largest sum of uncompressed workbooks in one .zip upload.
pub const MAX_ZIP_EXPANDED: u64 = 500 * 1024 * 1024;

/// Lỗi tệp — a file could not be read as a workbook at all. Messages are Vietnamese
/// and do not name the file: the caller prefixes the file name.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum SheetError {
    #[error("không phải tệp Excel (.xlsx)")]
    NotAWorkbook,
    #[error("tệp Excel được bảo vệ bằng mật khẩu; hãy bỏ mật khẩu rồi tải lên lại")]
    Encrypted,
    #[error("tệp Excel bị hỏng, không đọc được ({0})")]
    Corrupt(String),
    #[error("tệp quá lớn ({size} byte, tối đa {max} byte)")]
    TooLarge { size: u64, max: u64 },
    #[error("tệp nén bất thường (tỉ lệ nén hoặc dung lượng giải nén vượt giới hạn) — từ chối vì nghi là \"bom zip\"")]
    ZipBomb,
    #[error("tệp .zip có quá nhiều tệp (tối đa {0})")]
    TooManyFiles(usize),
    #[error("không tạo được tệp Excel: {0}")]
    Write(String),
}
