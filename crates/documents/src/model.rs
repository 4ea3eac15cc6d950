//! Văn bản hành chính — the generic model of an official document (Nghị định 30/2020/NĐ-CP).

use chrono::{Datelike, NaiveDate};

/// Quốc hiệu — the national name, always in capitals.
pub const QUOC_HIEU: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
/// Tiêu ngữ — the motto under the Quốc hiệu.
pub const TIEU_NGU: &str = "Độc lập - Tự do - Hạnh phúc";

/// Một văn bản hành chính — an official document, element by element in layout order
/// (khoản 2 Điều 8 of the decree). Build one, then call [`crate::to_docx`] or
/// [`crate::to_pdf`].
#[derive(Debug, Clone, PartialEq)]
pub struct OfficialDocument {
    /// Tên cơ quan chủ quản — the governing body, one entry per printed line (may be empty),
    /// e.g. `["ỦY BAN NHÂN DÂN", "THÀNH PHỐ THỦ DẦU MỘT"]`. Printed in capitals, not bold.
    pub governing_body: Vec<String>,
    /// Tên cơ quan ban hành — the issuer, one entry per printed line,
    /// e.g. `["PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"]`. Printed in capitals, bold, a short line under it.
    pub issuer: Vec<String>,
    /// Số, ký hiệu — `Số: 220/KH-UBND`, or blank for a draft.
    pub number: DocumentNumber,
    /// Địa danh — the place name of the date line, e.g. `"Thủ Dầu Một"`, `"Quận 7"`.
    pub place: String,
    /// Thời gian ban hành — the date, or a blank date to be filled at signing.
    pub date: IssueDate,
    /// Tên loại — the document type (KẾ HOẠCH, BÁO CÁO, TỜ TRÌNH…, or a công văn).
    pub kind: DocumentKind,
    /// Trích yếu nội dung — the subject. Under the type name, or as "V/v …" under the
    /// number for a công văn.
    pub subject: String,
    /// Kính gửi — addressees (công văn, tờ trình); empty for none.
    pub addressees: Vec<String>,
    /// Nội dung — the body.
    pub body: Vec<Block>,
    /// Chức vụ, họ tên người ký — the signing block.
    pub signature: Signature,
    /// Nơi nhận — the recipients, without the archive line (each printed as "- …;").
    pub recipients: Vec<String>,
    /// The drafting unit of the archive line "- Lưu: VT, <unit>." (`None`: "- Lưu: VT.").
    pub archive_unit: Option<String>,
    /// Phụ lục — appendices, each starting on a new page after the signing block.
    pub appendices: Vec<Appendix>,
    /// Khổ giấy, lề, cỡ chữ — page and type sizes; [`PageSetup::default`] follows the decree.
    pub page: PageSetup,
}

impl OfficialDocument {
    /// A document with the given issuer, kind and subject; everything else empty or default
    /// (blank number with the kind's abbreviation, blank date of `year`).
    pub fn new(
        issuer: impl IntoIterator<Item = impl Into<String>>,
        kind: DocumentKind,
        subject: impl Into<String>,
        place: impl Into<String>,
        year: i32,
    ) -> OfficialDocument {
        OfficialDocument {
            governing_body: Vec::new(),
            issuer: issuer.into_iter().map(Into::into).collect(),
            number: DocumentNumber::blank(kind.abbreviation().unwrap_or("")),
            place: place.into(),
            date: IssueDate::Blank { year },
            kind,
            subject: subject.into(),
            addressees: Vec::new(),
            body: Vec::new(),
            signature: Signature::default(),
            recipients: Vec::new(),
            archive_unit: None,
            appendices: Vec::new(),
            page: PageSetup::default(),
        }
    }

    /// The lines of the Nơi nhận list as printed: "- X;" for each recipient, then
    /// "- Lưu: VT, <unit>.".
    pub fn recipient_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .recipients
            .iter()
            .map(|r| {
                let r = r
                    .trim()
                    .trim_start_matches("- ")
                    .trim_end_matches([';', '.']);
                format!("- {r};")
            })
            .collect();
        lines.push(match &self.archive_unit {
            Some(u) if !u.trim().is_empty() => format!("- Lưu: VT, {}.", u.trim()),
            _ => "- Lưu: VT.".to_string(),
        });
        lines
    }

    /// The date line, e.g. "Thủ Dầu Một, ngày 29 tháng 9 năm 2021".
    pub fn date_line(&self) -> String {
        format!("{}, {}", self.place, self.date.text())
    }
}

/// Số, ký hiệu của văn bản.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentNumber {
    /// Số — `None` leaves the number blank for the văn thư to fill at issuance.
    pub number: Option<u32>,
    /// Ký hiệu — e.g. `"KH-UBND"`, `"BC-PGDĐT"`, or for a công văn `"UBND-VX"`.
    pub symbol: String,
}

impl DocumentNumber {
    /// A numbered document: `DocumentNumber::new(220, "KH-UBND")` prints "Số: 220/KH-UBND".
    pub fn new(number: u32, symbol: impl Into<String>) -> DocumentNumber {
        DocumentNumber {
            number: Some(number),
            symbol: symbol.into(),
        }
    }

    /// A blank number: prints "Số:      /KH-UBND".
    pub fn blank(symbol: impl Into<String>) -> DocumentNumber {
        DocumentNumber {
            number: None,
            symbol: symbol.into(),
        }
    }

    /// The printed line. Numbers below 10 get a leading 0 (khoản 1 Điều 15).
    pub fn text(&self) -> String {
        match self.number {
            Some(n) => format!("Số: {n:02}/{}", self.symbol),
            None => format!("Số:{}/{}", "\u{a0}".repeat(10), self.symbol),
        }
    }
}

/// Thời gian ban hành.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueDate {
    /// A set date: "ngày 05 tháng 02 năm 2021".
    On(NaiveDate),
    /// Left blank to be written at signing: "ngày      tháng      năm 2021".
    Blank { year: i32 },
}

impl IssueDate {
    /// "ngày 29 tháng 9 năm 2021"; days below 10 and months 1 and 2 get a leading 0.
    pub fn text(&self) -> String {
        match *self {
            IssueDate::On(d) => {
                let month = if d.month() <= 2 {
                    format!("{:02}", d.month())
                } else {
                    d.month().to_string()
                };
                format!("ngày {:02} tháng {month} năm {}", d.day(), d.year())
            }
            IssueDate::Blank { year } => {
                let gap = "\u{a0}".repeat(6);
                format!("ngày{gap}tháng{gap}năm {year}")
            }
        }
    }

    pub fn year(&self) -> i32 {
        match *self {
            IssueDate::On(d) => d.year(),
            IssueDate::Blank { year } => year,
        }
    }
}

/// Tên loại văn bản (Phụ lục III).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentKind {
    /// Kế hoạch (KH).
    Plan,
    /// Báo cáo (BC).
    Report,
    /// Tờ trình (TTr).
    Submission,
    /// Quyết định (QĐ).
    Decision,
    /// Thông báo (TB).
    Notice,
    /// Hướng dẫn (HD).
    Guidance,
    /// Công văn — no type name, no abbreviation; the subject prints as "V/v …" under the number.
    Letter,
    /// Any other type: its name in capitals and its abbreviation.
    Other { name: String, abbreviation: String },
}

impl DocumentKind {
    /// Tên loại in capitals; `None` for a công văn.
    pub fn name(&self) -> Option<&str> {
        Some(match self {
            DocumentKind::Plan => "KẾ HOẠCH",
            DocumentKind::Report => "BÁO CÁO",
            DocumentKind::Submission => "TỜ TRÌNH",
            DocumentKind::Decision => "QUYẾT ĐỊNH",
            DocumentKind::Notice => "THÔNG BÁO",
            DocumentKind::Guidance => "HƯỚNG DẪN",
            DocumentKind::Letter => return None,
            DocumentKind::Other { name, .. } => name,
        })
    }

    /// Chữ viết tắt tên loại (Phụ lục III); `None` for a công văn.
    pub fn abbreviation(&self) -> Option<&str> {
        Some(match self {
            DocumentKind::Plan => "KH",
            DocumentKind::Report => "BC",
            DocumentKind::Submission => "TTr",
            DocumentKind::Decision => "QĐ",
            DocumentKind::Notice => "TB",
            DocumentKind::Guidance => "HD",
            DocumentKind::Letter => return None,
            DocumentKind::Other { abbreviation, .. } => abbreviation,
        })
    }

    /// The ký hiệu of a typed document: type abbreviation + "-" + issuer abbreviation
    /// ("KH-UBND"); for a công văn, the issuer abbreviation + "-" + field is passed whole.
    pub fn symbol(&self, issuer_abbreviation: &str) -> String {
        match self.abbreviation() {
            Some(a) => format!("{a}-{issuer_abbreviation}"),
            None => issuer_abbreviation.to_string(),
        }
    }
}

/// Thẩm quyền ký — the authority prefix of a signing line (Phụ lục I, II.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorityKind {
    /// TM. — thay mặt (for a collective body).
    Tm,
    /// KT. — ký thay (a deputy signs for the head).
    Kt,
    /// Q. — quyền (acting).
    Q,
    /// TL. — thừa lệnh.
    Tl,
    /// TUQ. — thừa ủy quyền.
    Tuq,
}

impl AuthorityKind {
    pub fn prefix(self) -> &'static str {
        match self {
            AuthorityKind::Tm => "TM.",
            AuthorityKind::Kt => "KT.",
            AuthorityKind::Q => "Q.",
            AuthorityKind::Tl => "TL.",
            AuthorityKind::Tuq => "TUQ.",
        }
    }
}

/// One authority line: "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    pub kind: AuthorityKind,
    /// Whom the signer signs for, in capitals.
    pub of: String,
}

/// Chức vụ, họ tên người ký.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signature {
    /// Authority lines, outermost first: `[TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH]`.
    pub authority: Vec<Authority>,
    /// Chức vụ — the signer's title in capitals ("PHÓ CHỦ TỊCH"); may be empty.
    pub title: String,
    /// Họ tên — the signer's name (no academic titles); empty leaves the line blank.
    pub name: String,
}

impl Signature {
    /// The printed lines above the signature space, in capitals.
    pub fn heading_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .authority
            .iter()
            .map(|a| format!("{} {}", a.kind.prefix(), a.of.to_uppercase()))
            .collect();
        if !self.title.trim().is_empty() {
            lines.push(self.title.to_uppercase());
        }
        lines
    }
}

/// Căn lề — paragraph alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// Căn đều hai bên (the decree's body default).
    #[default]
    Justify,
    Left,
    Center,
    Right,
}

/// A run of text with one style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
}

impl Span {
    pub fn plain(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            bold: false,
            italic: false,
        }
    }
    pub fn bold(text: impl Into<String>) -> Span {
        Span {
            bold: true,
            ..Span::plain(text)
        }
    }
    pub fn italic(text: impl Into<String>) -> Span {
        Span {
            italic: true,
            ..Span::plain(text)
        }
    }
}

/// Đoạn văn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub spans: Vec<Span>,
    pub align: Align,
    /// Thụt đầu dòng — first-line indent (the page's body indent) when true.
    pub indent: bool,
}

impl Paragraph {
    /// A justified, indented body paragraph of plain text.
    pub fn text(text: impl Into<String>) -> Paragraph {
        Paragraph {
            spans: vec![Span::plain(text)],
            align: Align::Justify,
            indent: true,
        }
    }

    /// A body paragraph from spans.
    pub fn spans(spans: Vec<Span>) -> Paragraph {
        Paragraph {
            spans,
            align: Align::Justify,
            indent: true,
        }
    }

    pub fn align(mut self, align: Align) -> Paragraph {
        self.align = align;
        if align == Align::Center || align == Align::Right {
            self.indent = false;
        }
        self
    }

    pub fn no_indent(mut self) -> Paragraph {
        self.indent = false;
        self
    }

    /// The paragraph's text without styles.
    pub fn plain_text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }
}

/// Một khối nội dung — a block of the body.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Đề mục — a bold heading ("I. TỔ CHỨC TRIỂN KHAI TUẦN LỄ", "1. Công tác chỉ đạo").
    Heading(String),
    Paragraph(Paragraph),
    Table(Table),
}

impl Block {
    /// A bold heading, indented like the body.
    pub fn heading(text: impl Into<String>) -> Block {
        Block::Heading(text.into())
    }
    /// A justified, indented paragraph of plain text.
    pub fn text(text: impl Into<String>) -> Block {
        Block::Paragraph(Paragraph::text(text))
    }
    /// A centred paragraph in bold (titles of a table or appendix).
    pub fn centered_bold(text: impl Into<String>) -> Block {
        Block::Paragraph(Paragraph::spans(vec![Span::bold(text)]).align(Align::Center))
    }
    /// A centred paragraph in italics ("(Kèm theo …)").
    pub fn centered_italic(text: impl Into<String>) -> Block {
        Block::Paragraph(Paragraph::spans(vec![Span::italic(text)]).align(Align::Center))
    }
}

/// Một ô của bảng.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    pub align: Align,
    /// Gộp cột — columns spanned (≥ 1).
    pub colspan: usize,
    /// Gộp dòng — rows spanned (≥ 1); only honoured in header rows.
    pub rowspan: usize,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            bold: false,
            italic: false,
            align: Align::Left,
            colspan: 1,
            rowspan: 1,
        }
    }
    pub fn bold(mut self) -> Cell {
        self.bold = true;
        self
    }
    pub fn italic(mut self) -> Cell {
        self.italic = true;
        self
    }
    pub fn center(mut self) -> Cell {
        self.align = Align::Center;
        self
    }
    pub fn right(mut self) -> Cell {
        self.align = Align::Right;
        self
    }
    pub fn colspan(mut self, n: usize) -> Cell {
        self.colspan = n.max(1);
        self
    }
    pub fn rowspan(mut self, n: usize) -> Cell {
        self.rowspan = n.max(1);
        self
    }
}

/// Bảng — a ruled table. Header rows repeat at the top of each page (PDF) and may
/// span rows and columns; body rows may span columns. As in HTML, a row lists only the
/// cells that start in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Relative column widths (any unit; scaled to the text width).
    pub widths: Vec<f32>,
    pub header: Vec<Vec<Cell>>,
    pub rows: Vec<Vec<Cell>>,
    /// Type size in points (default 12).
    pub font_size: f32,
}

impl Table {
    pub fn new(widths: Vec<f32>) -> Table {
        Table {
            widths,
            header: Vec::new(),
            rows: Vec::new(),
            font_size: 12.0,
        }
    }
}

/// Phụ lục — an appendix on its own page(s) after the signing block.
#[derive(Debug, Clone, PartialEq)]
pub struct Appendix {
    /// Title lines, centred in bold ("PHỤ LỤC", "TỔNG HỢP SỐ LIỆU …").
    pub title: Vec<String>,
    /// The italic line under the title, e.g. "(Kèm theo Báo cáo số …)".
    pub note: Option<String>,
    pub body: Vec<Block>,
}

/// Page and type sizes. Lengths in millimetres, sizes in points.
#[derive(Debug, Clone, PartialEq)]
pub struct PageSetup {
    pub width_mm: f32,
    pub height_mm: f32,
    pub margin_top_mm: f32,
    pub margin_bottom_mm: f32,
    pub margin_left_mm: f32,
    pub margin_right_mm: f32,
    /// Width of the left column of the header block (issuer, number) in mm.
    pub header_left_mm: f32,
    /// Cỡ chữ nội dung (13–14).
    pub body_size: f32,
    /// Thụt đầu dòng (10–12.7 mm).
    pub indent_mm: f32,
    /// Space after each body paragraph (≥ 6 pt).
    pub paragraph_after_pt: f32,
    /// Line height as a multiple of the type size (single to 1.5).
    pub line_height: f32,
    /// Font name written in the DOCX.
    pub docx_font: String,
}

impl Default for PageSetup {
    /// A4 portrait, margins top/bottom 20 mm, left 30 mm, right 15 mm, body 14 pt,
    /// first-line indent 12.7 mm, 6 pt after paragraphs, Times New Roman.
    fn default() -> PageSetup {
        PageSetup {
            width_mm: 210.0,
            height_mm: 297.0,
            margin_top_mm: 20.0,
            margin_bottom_mm: 20.0,
            margin_left_mm: 30.0,
            margin_right_mm: 15.0,
            header_left_mm: 70.0,
            body_size: 14.0,
            indent_mm: 12.7,
            paragraph_after_pt: 6.0,
            line_height: 1.2,
            docx_font: "Times New Roman".to_string(),
        }
    }
}

impl PageSetup {
    pub fn text_width_mm(&self) -> f32 {
        self.width_mm - self.margin_left_mm - self.margin_right_mm
    }
}

/// Type sizes of the fixed elements (Phụ lục I), in points.
pub(crate) mod sizes {
    pub const GOVERNING_BODY: f32 = 12.0;
    pub const ISSUER: f32 = 12.0;
    pub const QUOC_HIEU: f32 = 12.0;
    pub const TIEU_NGU: f32 = 13.0;
    pub const NUMBER: f32 = 13.0;
    pub const VV: f32 = 12.0;
    pub const DATE: f32 = 14.0;
    pub const KIND: f32 = 14.0;
    pub const SUBJECT: f32 = 14.0;
    pub const SIGNATURE: f32 = 14.0;
    pub const NOI_NHAN_LABEL: f32 = 12.0;
    pub const NOI_NHAN: f32 = 11.0;
    pub const PAGE_NUMBER: f32 = 13.0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_follow_the_decree() {
        assert_eq!(
            DocumentNumber::new(220, "KH-UBND").text(),
            "Số: 220/KH-UBND"
        );
        assert_eq!(DocumentNumber::new(5, "BNV-VP").text(), "Số: 05/BNV-VP");
        assert!(DocumentNumber::blank("BC-UBND")
            .text()
            .ends_with("/BC-UBND"));
        let d = NaiveDate::from_ymd_opt(2021, 9, 29).unwrap();
        assert_eq!(IssueDate::On(d).text(), "ngày 29 tháng 9 năm 2021");
        let d = NaiveDate::from_ymd_opt(2021, 2, 5).unwrap();
        assert_eq!(IssueDate::On(d).text(), "ngày 05 tháng 02 năm 2021");
        assert_eq!(DocumentKind::Plan.symbol("UBND"), "KH-UBND");
        assert_eq!(DocumentKind::Letter.symbol("UBND-VX"), "UBND-VX");
        assert_eq!(DocumentKind::Submission.name(), Some("TỜ TRÌNH"));
    }

    #[test]
    fn recipients_end_with_the_archive_line() {
        let mut d = OfficialDocument::new(["UBND"], DocumentKind::Report, "x", "Quận 7", 2021);
        d.recipients = vec!["Sở GDĐT".into(), "- Lưu trữ;".into()];
        d.archive_unit = Some("GDTrHCTTX".into());
        assert_eq!(
            d.recipient_lines(),
            vec!["- Sở GDĐT;", "- Lưu trữ;", "- Lưu: VT, GDTrHCTTX."]
        );
        let s = Signature {
            authority: vec![
                Authority {
                    kind: AuthorityKind::Tm,
                    of: "Ủy ban nhân dân".into(),
                },
                Authority {
                    kind: AuthorityKind::Kt,
                    of: "CHỦ TỊCH".into(),
                },
            ],
            title: "Phó Chủ tịch".into(),
            name: "Nguyễn Văn A".into(),
        };
        assert_eq!(
            s.heading_lines(),
            vec!["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
        );
    }
}
