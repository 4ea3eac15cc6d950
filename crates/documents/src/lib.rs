//! Văn bản hành chính — official documents laid out by Nghị định 30/2020/NĐ-CP
//! (Phụ lục I), rendered to DOCX and PDF. Pure: no IO, no network; the PDF embeds
//! Liberation Serif (metric-compatible with Times New Roman, full Vietnamese coverage)
//! compiled into the binary; the DOCX names Times New Roman as the decree says.
//!
//! Build an [`OfficialDocument`] element by element — header block (governing body and
//! issuer), Quốc hiệu and Tiêu ngữ (fixed), Số/ký hiệu, place and date, type name and
//! subject (or "V/v …" for a công văn), body [`Block`]s, the signing block with
//! TM./KT./Q./TL./TUQ., Nơi nhận ending "- Lưu: VT, …", and optional appendices — then
//! call [`to_docx`] or [`to_pdf`].
//!
//! ```
//! use tuanle_documents::*;
//!
//! let mut doc = OfficialDocument::new(
//!     ["PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"],
//!     DocumentKind::Plan,
//!     "Tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
//!     "Thủ Dầu Một",
//!     2021,
//! );
//! doc.governing_body = vec!["ỦY BAN NHÂN DÂN".into(), "THÀNH PHỐ THỦ DẦU MỘT".into()];
//! doc.number = DocumentNumber::new(220, DocumentKind::Plan.symbol("PGDĐT")); // Số: 220/KH-PGDĐT
//! doc.date = IssueDate::On(chrono::NaiveDate::from_ymd_opt(2021, 9, 29).unwrap());
//! doc.body = vec![
//!     Block::heading("I. MỤC ĐÍCH, YÊU CẦU"),
//!     Block::text("Đẩy mạnh phong trào học tập suốt đời trong các tầng lớp nhân dân."),
//! ];
//! doc.signature = Signature {
//!     authority: vec![Authority { kind: AuthorityKind::Kt, of: "TRƯỞNG PHÒNG".into() }],
//!     title: "PHÓ TRƯỞNG PHÒNG".into(),
//!     name: "Nguyễn Văn Đức".into(),
//! };
//! doc.recipients = vec!["UBND thành phố".into(), "Các trường học".into()];
//! doc.archive_unit = Some("GDTX".into()); // "- Lưu: VT, GDTX."
//!
//! let docx: Vec<u8> = to_docx(&doc).unwrap();
//! let pdf: Vec<u8> = to_pdf(&doc).unwrap();
//! assert!(docx.starts_with(b"PK") && pdf.starts_with(b"%PDF"));
//! ```
//!
//! A công văn has [`DocumentKind::Letter`]: no type name, its subject printed as
//! "V/v …" under the number, its ký hiệu the issuer's abbreviation and field
//! (`DocumentNumber::new(12, "UBND-VX")`), usually with [`OfficialDocument::addressees`]
//! (Kính gửi). A tờ trình is [`DocumentKind::Submission`].

mod docx;
mod grid;
mod model;
mod pdf;

pub use docx::to_docx;
pub use model::*;
pub use pdf::to_pdf;

use unicode_normalization::UnicodeNormalization;

/// Lỗi tạo văn bản.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("Không tạo được tệp Word: {0}")]
    Docx(String),
    #[error("Không tạo được tệp PDF: {0}")]
    Pdf(String),
}

/// Text in NFC, so every Vietnamese letter is one precomposed character (the fonts
/// have a glyph for each; decomposed tone marks would depend on mark positioning).
pub(crate) fn normalize(text: &str) -> String {
    text.nfc().collect()
}
