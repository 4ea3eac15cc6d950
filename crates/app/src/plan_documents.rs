//! Văn bản kế hoạch — plans, công văn (góp ý, tờ trình) and issued plans rendered as
//! official DOCX or PDF documents by Nghị định 30/2020 through `crates/documents`
//! (see docs/plans.md). Drafts print a blank number and date for the văn thư; issued
//! documents their number, date and signer.

use tuanle_documents::{
    to_docx, to_pdf, Appendix, Authority, AuthorityKind, Block, DocumentKind, DocumentNumber,
    IssueDate, OfficialDocument, Paragraph, Signature, Span,
};
use tuanle_domain::documents_register::DocKind;
use tuanle_domain::format::date_vi;
use tuanle_domain::plan::{Authority as SignAuthority, LetterContent, PlanContent, Signer};
use tuanle_store::{IssuerRecord, RecipientRow};

use crate::documents::{DocumentFormat, RenderedDocument};
use crate::plans::DocumentView;
use crate::{Actor, App, AppError, Result};

impl App {
    /// Tải văn bản — a plan, công văn or tờ trình of tuanle as DOCX or PDF, laid out by the
    /// decree. External documents have no layout of ours: their attached PDF is the file.
    pub async fn render_document(
        &self,
        actor: &Actor,
        id: i64,
        format: DocumentFormat,
    ) -> Result<RenderedDocument> {
        let view = self.document(actor, id).await?;
        if view.doc.external {
            return Err(AppError::Conflict(
                "Văn bản bên ngoài: tải tệp đính kèm của văn bản".into(),
            ));
        }
        let doc = official_document(&view, self.today());
        let bytes = match format {
            DocumentFormat::Docx => to_docx(&doc),
            DocumentFormat::Pdf => to_pdf(&doc),
        }
        .map_err(|e| AppError::invalid("văn bản", e.to_string()))?;
        Ok(RenderedDocument {
            filename: file_name(&view, format),
            content_type: format.content_type(),
            bytes,
        })
    }
}

/// ASCII file name: `ke-hoach-220-KH-UBND-2021.docx`, `cong-van-1040-PGDDT-2021.pdf`,
/// `ke-hoach-du-thao-12.docx` for a draft.
fn file_name(view: &DocumentView, format: DocumentFormat) -> String {
    let d = &view.doc;
    let stem = match d.kind {
        DocKind::KeHoach => "ke-hoach",
        DocKind::CongVan => "cong-van",
        DocKind::ToTrinh => "to-trinh",
        DocKind::BaoCao => "bao-cao",
        DocKind::QuyetDinh => "quyet-dinh",
        _ => "van-ban",
    };
    let ascii = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                'Đ' => 'D',
                'đ' => 'd',
                c if c.is_ascii_alphanumeric() => c,
                _ => '-',
            })
            .collect()
    };
    match (&d.number_text, d.year) {
        (Some(n), Some(y)) => format!("{stem}-{}-{y}.{}", ascii(n), format.extension()),
        _ => format!("{stem}-du-thao-{}.{}", d.id, format.extension()),
    }
}

fn kind_of(k: DocKind) -> DocumentKind {
    match k {
        DocKind::CongVan => DocumentKind::Letter,
        DocKind::KeHoach => DocumentKind::Plan,
        DocKind::BaoCao => DocumentKind::Report,
        DocKind::ToTrinh => DocumentKind::Submission,
        DocKind::QuyetDinh => DocumentKind::Decision,
        DocKind::ThongBao => DocumentKind::Notice,
        DocKind::HuongDan => DocumentKind::Guidance,
        other => DocumentKind::Other {
            name: other.name_vi().to_uppercase(),
            abbreviation: other.code().to_string(),
        },
    }
}

/// Header lines of the issuer: with three lines or more the last is the issuing body and
/// those above its governing body ("ỦY BAN NHÂN DÂN / THÀNH PHỐ THỦ DẦU MỘT / PHÒNG
/// GIÁO DỤC VÀ ĐÀO TẠO"); with fewer all are the issuer ("ỦY BAN NHÂN DÂN / THÀNH PHỐ …").
fn header_of(settings: &IssuerRecord, fallback: &str) -> (Vec<String>, Vec<String>) {
    let lines: Vec<String> = settings
        .header_lines
        .iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    match lines.len() {
        0 => (vec![], vec![fallback.to_uppercase()]),
        1 | 2 => (vec![], lines),
        n => (lines[..n - 1].to_vec(), lines[n - 1..].to_vec()),
    }
}

fn signature_of(s: &Signer) -> Signature {
    let kind = match s.authority {
        SignAuthority::Own => None,
        SignAuthority::OnBehalf => Some(AuthorityKind::Tm),
        SignAuthority::Deputy => Some(AuthorityKind::Kt),
        SignAuthority::Acting => Some(AuthorityKind::Q),
        SignAuthority::ByOrder => Some(AuthorityKind::Tl),
        SignAuthority::Delegated => Some(AuthorityKind::Tuq),
    };
    Signature {
        authority: kind
            .map(|kind| {
                vec![Authority {
                    kind,
                    of: s.on_behalf_of.trim().to_uppercase(),
                }]
            })
            .unwrap_or_default(),
        title: s.title.trim().to_uppercase(),
        name: s.name.trim().to_string(),
    }
}

/// Nơi nhận: every recipient line; a line "Lưu: VT, X." becomes the archive line.
fn recipients_of(rows: &[RecipientRow]) -> (Vec<String>, Option<String>) {
    let mut out = Vec::new();
    let mut archive = None;
    for r in rows {
        let label = r
            .label
            .trim()
            .trim_start_matches("- ")
            .trim_end_matches([';', '.'])
            .trim();
        if label.is_empty() {
            continue;
        }
        if let Some(rest) = label.strip_prefix("Lưu:").or(label.strip_prefix("Lưu ")) {
            let rest = rest.trim();
            let rest = rest.strip_prefix("VT").unwrap_or(rest);
            let unit = rest.trim_start_matches([',', ' ']).trim();
            if !unit.is_empty() {
                archive = Some(unit.to_string());
            }
            continue;
        }
        out.push(label.to_string());
    }
    (out, archive)
}

/// A paragraph whose `**…**` runs are bold (the seeds mark deadlines so).
fn marked(text: &str) -> Paragraph {
    let mut spans = Vec::new();
    for (i, part) in text.split("**").enumerate() {
        if part.is_empty() {
            continue;
        }
        spans.push(if i % 2 == 1 {
            Span::bold(part)
        } else {
            Span::plain(part)
        });
    }
    Paragraph::spans(spans)
}

fn bold_line(text: impl Into<String>) -> Block {
    Block::Paragraph(Paragraph::spans(vec![Span::bold(text)]))
}

fn labelled(label: &str, text: &str) -> Block {
    let mut p = marked(text);
    p.spans.insert(0, Span::bold(format!("{label}: ")));
    Block::Paragraph(p)
}

const ROMAN: [&str; 10] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];

/// The body of a plan in the seeds' structure (Căn cứ…; I; II.1–4; III with one block
/// per assignment; closing) and its appendices.
fn plan_body(c: &PlanContent) -> (Vec<Block>, Vec<(String, Vec<String>)>) {
    let mut body = Vec::new();
    for b in &c.bases {
        body.push(Block::Paragraph(Paragraph::spans(vec![Span::italic(
            b.trim(),
        )])));
    }
    if !c.intro.trim().is_empty() {
        body.push(Block::Paragraph(marked(c.intro.trim())));
    }
    let mut section = 0;
    let mut heading = |body: &mut Vec<Block>, title: &str| {
        body.push(Block::heading(format!("{}. {title}", ROMAN[section])));
        section += 1;
    };
    heading(&mut body, "MỤC ĐÍCH, YÊU CẦU");
    for p in &c.purpose {
        body.push(Block::Paragraph(marked(p)));
    }
    heading(&mut body, "NỘI DUNG");
    body.push(bold_line("1. Chủ đề"));
    if !c.theme.trim().is_empty() {
        body.push(Block::Paragraph(Paragraph::spans(vec![Span::bold(
            format!("“{}”", c.theme.trim().trim_matches(['“', '”', '"'])),
        )])));
    }
    body.push(bold_line("2. Thời gian, địa điểm, hình thức tổ chức"));
    let time = if c.time.trim().is_empty() {
        match (c.start_date, c.end_date) {
            (Some(s), Some(e)) => format!("Từ ngày {} đến ngày {}.", date_vi(s), date_vi(e)),
            _ => String::new(),
        }
    } else {
        c.time.trim().to_string()
    };
    for (label, text) in [
        ("Thời gian", time.as_str()),
        ("Địa điểm", c.place.trim()),
        ("Hình thức", c.form.trim()),
    ] {
        if !text.is_empty() {
            body.push(labelled(label, text));
        }
    }
    body.push(bold_line("3. Thành phần"));
    if !c.participants.trim().is_empty() {
        body.push(Block::Paragraph(marked(c.participants.trim())));
    }
    body.push(bold_line("4. Nội dung hoạt động"));
    for a in &c.activities {
        body.push(Block::Paragraph(marked(a)));
    }
    heading(&mut body, "TỔ CHỨC THỰC HIỆN");
    for (i, a) in c.assignments.iter().enumerate() {
        body.push(bold_line(format!("{}. {}", i + 1, a.heading.trim())));
        for item in &a.items {
            body.push(Block::Paragraph(marked(item)));
        }
        if a.deadline.is_some() && a.items.iter().all(|i| !i.contains("trước ngày")) {
            if let Some(d) = a.deadline {
                body.push(Block::Paragraph(marked(&format!(
                    "Thời hạn hoàn thành: trước ngày **{}**.",
                    date_vi(d)
                ))));
            }
        }
    }
    if !c.closing.trim().is_empty() {
        body.push(Block::Paragraph(marked(c.closing.trim())));
    }
    let appendices = c
        .appendices
        .iter()
        .map(|a| (a.title.trim().to_string(), a.items.clone()))
        .collect();
    (body, appendices)
}

/// The official document of a tuanle document: header from the issuer's settings,
/// number and date when issued (blank before, of `today`'s year), body by kind, signer,
/// Nơi nhận.
pub fn official_document(view: &DocumentView, today: chrono::NaiveDate) -> OfficialDocument {
    let d = &view.doc;
    let kind = kind_of(d.kind);
    let (settings, fallback) = match &view.issuer {
        Some((u, s)) => (Some(s), u.name.clone()),
        None => (None, d.issuer_name.clone()),
    };
    let (governing, issuer_lines) = match settings {
        Some(s) => header_of(s, &fallback),
        None => (vec![], vec![fallback.to_uppercase()]),
    };
    let place = settings.map(|s| s.place.clone()).unwrap_or_default();
    let year = d
        .year
        .map(|y| y as i32)
        .or_else(|| d.issued_on.map(|x| chrono::Datelike::year(&x)))
        .unwrap_or_else(|| chrono::Datelike::year(&today));
    let subject = match kind {
        DocumentKind::Letter => d
            .subject
            .trim()
            .strip_prefix("V/v")
            .map(str::trim)
            .unwrap_or(d.subject.trim())
            .to_string(),
        _ => d.subject.trim().to_string(),
    };
    let mut doc = OfficialDocument::new(issuer_lines, kind.clone(), subject, place, year);
    doc.governing_body = governing;
    let symbol = d.symbol.clone().unwrap_or_else(|| {
        let abbr = settings.map(|s| s.abbreviation.as_str()).unwrap_or("");
        match &kind {
            DocumentKind::Letter => match d.field.as_deref().filter(|f| !f.is_empty()) {
                Some(f) => format!("{abbr}-{f}"),
                None => abbr.to_string(),
            },
            k => k.symbol(abbr),
        }
    });
    doc.number = match d.number {
        Some(n) if d.status.is_issued() => DocumentNumber::new(n as u32, symbol),
        _ => DocumentNumber::blank(symbol),
    };
    if let (Some(on), true) = (d.issued_on, d.status.is_issued()) {
        doc.date = IssueDate::On(on);
    }
    doc.signature = signature_of(&d.signer);
    let (recipients, archive) = recipients_of(&view.recipients);
    doc.recipients = recipients;
    doc.archive_unit = archive;
    match d.kind {
        DocKind::KeHoach => {
            let content: PlanContent = serde_json::from_value(d.body.clone()).unwrap_or_default();
            let (body, appendices) = plan_body(&content);
            doc.body = body;
            let of = match (&d.number_text, d.issued_on) {
                (Some(n), Some(on)) if d.status.is_issued() => format!(
                    "(Kèm theo Kế hoạch số {n} ngày {} của {})",
                    date_vi(on),
                    d.issuer_name
                ),
                _ => format!("(Kèm theo Kế hoạch của {})", d.issuer_name),
            };
            let n = appendices.len();
            doc.appendices = appendices
                .into_iter()
                .enumerate()
                .map(|(i, (title, items))| Appendix {
                    title: vec![
                        if n > 1 {
                            format!("PHỤ LỤC {}", ROMAN[i.min(9)])
                        } else {
                            "PHỤ LỤC".to_string()
                        },
                        title.to_uppercase(),
                    ],
                    note: Some(of.clone()),
                    body: items.iter().map(|x| Block::Paragraph(marked(x))).collect(),
                })
                .collect();
        }
        _ => {
            let content: LetterContent = serde_json::from_value(d.body.clone()).unwrap_or_default();
            doc.addressees = content.addressees;
            doc.body = content
                .paragraphs
                .iter()
                .map(|p| Block::Paragraph(marked(p)))
                .collect();
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_line_and_recipients() {
        let rows = vec![
            RecipientRow {
                unit_id: None,
                label: "Sở GDĐT tỉnh (b/c)".into(),
            },
            RecipientRow {
                unit_id: Some(1),
                label: "Phòng Nội vụ".into(),
            },
            RecipientRow {
                unit_id: None,
                label: "Lưu: VT, Chi.".into(),
            },
        ];
        let (r, a) = recipients_of(&rows);
        assert_eq!(r, vec!["Sở GDĐT tỉnh (b/c)", "Phòng Nội vụ"]);
        assert_eq!(a.as_deref(), Some("Chi"));
        let (_, a) = recipients_of(&[RecipientRow {
            unit_id: None,
            label: "Lưu: VT".into(),
        }]);
        assert_eq!(a, None);
    }

    #[test]
    fn bold_marks() {
        let p = marked("trước ngày **12/10/2021**.");
        assert_eq!(p.spans.len(), 3);
        assert!(p.spans[1].bold);
        assert_eq!(p.plain_text(), "trước ngày 12/10/2021.");
    }
}

/// Một dòng xem trước — one line of a document read on its page (a phone needs no Word to
/// read a draft): a heading, a centred title line, or running text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewLine {
    pub style: PreviewStyle,
    pub text: String,
}

/// How a [`PreviewLine`] is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviewStyle {
    /// Đề mục — a bold heading.
    Heading,
    /// A centred line (titles of appendices and tables).
    Title,
    /// Running text.
    Text,
}

impl PreviewStyle {
    /// The CSS class of the line on the page.
    pub fn class(self) -> &'static str {
        match self {
            PreviewStyle::Heading => "preview-heading",
            PreviewStyle::Title => "preview-title",
            PreviewStyle::Text => "preview-text",
        }
    }
}

/// Xem trước nội dung — the body of the official document of `view` as lines, in the order
/// the DOCX prints them: the body, Nơi nhận, then the appendices (the signer is shown on
/// the page already). A table
/// reads as one line per row, its cells joined by " | ".
pub fn preview(view: &DocumentView, today: chrono::NaiveDate) -> Vec<PreviewLine> {
    let doc = official_document(view, today);
    let mut out = Vec::new();
    push_blocks(&mut out, &doc.body);
    let recipients = doc.recipient_lines();
    if !recipients.is_empty() {
        out.push(PreviewLine {
            style: PreviewStyle::Heading,
            text: "Nơi nhận:".into(),
        });
        out.extend(recipients.into_iter().map(|text| PreviewLine {
            style: PreviewStyle::Text,
            text,
        }));
    }
    for a in &doc.appendices {
        out.extend(a.title.iter().map(|t| PreviewLine {
            style: PreviewStyle::Title,
            text: t.clone(),
        }));
        if let Some(n) = &a.note {
            out.push(PreviewLine {
                style: PreviewStyle::Title,
                text: n.clone(),
            });
        }
        push_blocks(&mut out, &a.body);
    }
    out
}

fn push_blocks(out: &mut Vec<PreviewLine>, blocks: &[Block]) {
    for b in blocks {
        match b {
            Block::Heading(h) => out.push(PreviewLine {
                style: PreviewStyle::Heading,
                text: h.clone(),
            }),
            Block::Paragraph(p) => out.push(PreviewLine {
                style: if p.align == tuanle_documents::Align::Center {
                    PreviewStyle::Title
                } else {
                    PreviewStyle::Text
                },
                text: p.plain_text(),
            }),
            Block::Table(t) => out.extend(t.header.iter().chain(&t.rows).map(|row| {
                PreviewLine {
                    style: PreviewStyle::Text,
                    text: row
                        .iter()
                        .map(|c| c.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" | "),
                }
            })),
        }
    }
}
