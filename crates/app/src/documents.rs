//! Văn bản báo cáo — the results report (*Báo cáo kết quả tổ chức Tuần lễ*) of a unit,
//! or of a level with its consolidated table, as an official DOCX or PDF document laid
//! out by Nghị định 30/2020 (see `crates/documents` and docs/documents.md).

use chrono::NaiveDate;
use tuanle_documents::{
    to_docx, to_pdf, Align, Appendix, Authority, AuthorityKind, Block, Cell, DocumentKind,
    DocumentNumber, IssueDate, OfficialDocument, Paragraph, Signature, Span, Table,
};
use tuanle_domain::campaign::Campaign;
use tuanle_domain::format::{date_vi, number_vi};
use tuanle_domain::report::{Basis, Narrative, NARRATIVE_SECTIONS};
use tuanle_domain::template::{RowKind, Template};
use tuanle_domain::unit::{is_administrative_type, Unit, ROOT_TYPE};
use tuanle_domain::validate::fill_totals;

use crate::{Actor, App, AppError, Result};

/// Định dạng tệp văn bản.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    Docx,
    Pdf,
}

impl DocumentFormat {
    pub fn parse(s: &str) -> Option<DocumentFormat> {
        match s {
            "docx" => Some(DocumentFormat::Docx),
            "pdf" => Some(DocumentFormat::Pdf),
            _ => None,
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            DocumentFormat::Docx => "docx",
            DocumentFormat::Pdf => "pdf",
        }
    }
    pub fn content_type(self) -> &'static str {
        match self {
            DocumentFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            DocumentFormat::Pdf => "application/pdf",
        }
    }
}

/// What the person issuing fills in; all optional (a blank number and date are left for
/// the văn thư to write at issuance, a blank name for the signer).
#[derive(Debug, Clone, Default)]
pub struct DocumentOptions {
    /// Số — the document number.
    pub number: Option<u32>,
    /// Ngày ban hành.
    pub date: Option<NaiveDate>,
    /// Họ tên người ký.
    pub signer: Option<String>,
}

/// A rendered file ready to download.
#[derive(Debug, Clone)]
pub struct RenderedDocument {
    /// ASCII file name, e.g. `bao-cao-ket-qua-778-2021.pdf`.
    pub filename: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Figures of the statistical table in template slot order; `None` prints a blank cell.
pub type SlotValues = Vec<Option<i64>>;

/// Everything the results report needs, gathered from the store.
#[derive(Debug, Clone)]
pub struct ResultsReportInput {
    pub campaign: Campaign,
    pub template: Template,
    pub unit: Unit,
    /// The unit's parents from the nearest up (to name the governing body, the place and
    /// the recipients).
    pub ancestors: Vec<Unit>,
    pub narrative: Narrative,
    pub values: SlotValues,
    /// Ghi chú per row code (a unit's own report only).
    pub notes: std::collections::BTreeMap<String, String>,
    /// For a level's report: reports counted in the consolidated table and the basis.
    pub consolidated: Option<(i64, Basis)>,
}

impl App {
    /// Báo cáo kết quả of one unit (its own report) as DOCX or PDF.
    pub async fn report_document(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        format: DocumentFormat,
        options: &DocumentOptions,
    ) -> Result<RenderedDocument> {
        let view = self.report_view(actor, campaign_id, unit_code).await?;
        let ancestors = self.ancestors_of(&view.unit).await?;
        let (narrative, values, notes) = match &view.record {
            Some(r) => {
                let mut figures = r.content.figures.clone();
                fill_totals(&view.template, &mut figures);
                let values = slot_values(&view.template, |row, col| figures.get(row, col));
                (r.content.narrative.clone(), values, r.content.notes.clone())
            }
            None => (
                Narrative::default(),
                vec![None; view.template.slot_count()],
                Default::default(),
            ),
        };
        let input = ResultsReportInput {
            campaign: view.campaign,
            template: view.template,
            unit: view.unit,
            ancestors,
            narrative,
            values,
            notes,
            consolidated: None,
        };
        render(&input, format, options, "bao-cao-ket-qua")
    }

    /// Báo cáo kết quả of a level: the unit's own narrative with the consolidated table
    /// of its whole subtree (on `basis`), as DOCX or PDF.
    pub async fn consolidation_document(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        basis: Basis,
        format: DocumentFormat,
        options: &DocumentOptions,
    ) -> Result<RenderedDocument> {
        let view = self
            .consolidation(actor, campaign_id, unit_code, basis)
            .await?;
        let own = self.report_view(actor, campaign_id, unit_code).await?;
        let ancestors = self.ancestors_of(&view.unit).await?;
        let slots = view.template.slot_count();
        let values: SlotValues = (0..slots)
            .map(|s| Some(view.totals.values.get(s).copied().unwrap_or(0)))
            .collect();
        let input = ResultsReportInput {
            narrative: own.record.map(|r| r.content.narrative).unwrap_or_default(),
            consolidated: Some((view.totals.reports, basis)),
            campaign: view.campaign,
            template: view.template,
            unit: view.unit,
            ancestors,
            values,
            notes: Default::default(),
        };
        render(&input, format, options, "bao-cao-tong-hop")
    }

    async fn ancestors_of(&self, unit: &Unit) -> Result<Vec<Unit>> {
        let mut ids = unit.lineage();
        ids.pop(); // self
        let mut units = self.store.units_by_ids(&ids).await?;
        units.sort_by_key(|u| std::cmp::Reverse(u.depth));
        Ok(units)
    }
}

fn render(
    input: &ResultsReportInput,
    format: DocumentFormat,
    options: &DocumentOptions,
    stem: &str,
) -> Result<RenderedDocument> {
    let doc = results_report(input, options);
    let bytes = match format {
        DocumentFormat::Docx => to_docx(&doc),
        DocumentFormat::Pdf => to_pdf(&doc),
    }
    .map_err(|e| AppError::invalid("văn bản", e.to_string()))?;
    let code: String = input
        .unit
        .code
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok(RenderedDocument {
        filename: format!(
            "{stem}-{code}-{}.{}",
            input.campaign.year,
            format.extension()
        ),
        content_type: format.content_type(),
        bytes,
    })
}

/// Values by slot from a lookup by (row code, column key).
pub fn slot_values(t: &Template, get: impl Fn(&str, &str) -> Option<i64>) -> SlotValues {
    let mut v = vec![None; t.slot_count()];
    for ind in &t.indicators {
        for col in &ind.columns {
            if let Some(slot) = t.slot(&ind.code, col) {
                v[slot] = get(&ind.code, col);
            }
        }
    }
    v
}

/// The nearest administrative unit: the unit itself, or the one a body belongs to.
fn administrative<'a>(unit: &'a Unit, ancestors: &'a [Unit]) -> Option<&'a Unit> {
    std::iter::once(unit)
        .chain(ancestors.iter())
        .find(|u| is_administrative_type(&u.unit_type))
}

/// Địa danh of the date line: the administrative unit's name without its type word,
/// except where the name is a number ("Quận 7", "Phường 12") or the city is Hồ Chí Minh.
pub fn place_name(unit: &Unit) -> String {
    let name = unit.name.trim();
    if unit.unit_type == ROOT_TYPE {
        return "Hà Nội".to_string();
    }
    if name == "Thành phố Hồ Chí Minh" {
        return name.to_string();
    }
    for prefix in [
        "Thành phố ",
        "Tỉnh ",
        "Thị xã ",
        "Thị trấn ",
        "Quận ",
        "Huyện ",
        "Phường ",
        "Xã ",
        "Đặc khu ",
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            if rest.chars().all(|c| c.is_ascii_digit()) {
                return name.to_string();
            }
            return rest.to_string();
        }
    }
    name.to_string()
}

/// Issuer lines, issuer abbreviation for the ký hiệu, signing block and drafting unit.
struct Issuer {
    governing: Vec<String>,
    lines: Vec<String>,
    abbreviation: String,
    signature: Signature,
    recipients: Vec<String>,
    /// The issuer's name in running text ("Ủy ban nhân dân Quận 7").
    name: String,
}

fn issuer_of(unit: &Unit, ancestors: &[Unit]) -> Issuer {
    let upper = |s: &str| s.to_uppercase();
    let parent_admin = ancestors
        .iter()
        .find(|u| is_administrative_type(&u.unit_type));
    let report_to = |u: Option<&Unit>| -> Vec<String> {
        match u {
            Some(p) if p.unit_type != ROOT_TYPE => vec![format!("Ủy ban nhân dân {}", p.name)],
            _ => vec!["Bộ Giáo dục và Đào tạo".to_string()],
        }
    };
    if unit.unit_type == ROOT_TYPE {
        return Issuer {
            governing: vec![],
            lines: vec!["BỘ GIÁO DỤC VÀ ĐÀO TẠO".into()],
            abbreviation: "BGDĐT".into(),
            signature: Signature {
                authority: vec![Authority {
                    kind: AuthorityKind::Kt,
                    of: "BỘ TRƯỞNG".into(),
                }],
                title: "THỨ TRƯỞNG".into(),
                name: String::new(),
            },
            recipients: vec!["Thủ tướng Chính phủ".into()],
            name: "Bộ Giáo dục và Đào tạo".into(),
        };
    }
    if is_administrative_type(&unit.unit_type) {
        return Issuer {
            governing: vec![],
            lines: vec!["ỦY BAN NHÂN DÂN".into(), upper(&unit.name)],
            abbreviation: "UBND".into(),
            signature: Signature {
                authority: vec![Authority {
                    kind: AuthorityKind::Tm,
                    of: "ỦY BAN NHÂN DÂN".into(),
                }],
                title: "CHỦ TỊCH".into(),
                name: String::new(),
            },
            recipients: report_to(parent_admin),
            name: format!("Ủy ban nhân dân {}", unit.name),
        };
    }
    // A body: the administrative unit it belongs to governs it.
    let (abbreviation, title) = match unit.unit_type.as_str() {
        "Phòng GDĐT" => ("PGDĐT", "TRƯỞNG PHÒNG"),
        "Sở GDĐT" => ("SGDĐT", "GIÁM ĐỐC"),
        "UBND" => ("UBND", "CHỦ TỊCH"),
        "TTHTCĐ" => ("TTHTCĐ", "GIÁM ĐỐC"),
        "Trung tâm GDNN-GDTX" => ("TTGDNN-GDTX", "GIÁM ĐỐC"),
        "Hội Khuyến học" => ("HKH", "CHỦ TỊCH"),
        t if t.starts_with("Trường") => ("TH", "HIỆU TRƯỞNG"),
        _ => ("CQ", "THỦ TRƯỞNG ĐƠN VỊ"),
    };
    let governing = match parent_admin {
        Some(p) if p.unit_type != ROOT_TYPE => {
            vec![format!("ỦY BAN NHÂN DÂN {}", upper(&p.name))]
        }
        _ => vec![],
    };
    Issuer {
        governing,
        lines: vec![upper(&unit.name)],
        abbreviation: abbreviation.into(),
        signature: Signature {
            authority: vec![],
            title: title.into(),
            name: String::new(),
        },
        recipients: report_to(parent_admin),
        name: unit.name.clone(),
    }
}

/// Splits a narrative text into paragraphs (one per non-empty line).
fn narrative_paragraphs(text: &str) -> Vec<Block> {
    let paragraphs: Vec<Block> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(Block::text)
        .collect();
    if paragraphs.is_empty() {
        vec![Block::Paragraph(Paragraph::spans(vec![Span::italic(
            "(Đơn vị chưa nhập nội dung mục này.)",
        )]))]
    } else {
        paragraphs
    }
}

/// The statistical table of seed 002: STT · Các hoạt động · Đơn vị · Số lượng (one column
/// per template column) · Ghi chú.
pub fn statistics_table(
    t: &Template,
    values: &SlotValues,
    notes: &std::collections::BTreeMap<String, String>,
) -> Table {
    let n = t.columns.len();
    let mut widths = vec![12.0, 54.0, 27.0];
    widths.extend(std::iter::repeat_n(21.0, n));
    widths.push(16.0);
    let mut table = Table::new(widths);
    table.font_size = 11.0;
    let mut first = vec![
        Cell::new("STT").bold().center().rowspan(2),
        Cell::new("Các hoạt động").bold().center().rowspan(2),
        Cell::new("Đơn vị").bold().center().rowspan(2),
        Cell::new("Số lượng").bold().center().colspan(n),
        Cell::new("Ghi chú").bold().center().rowspan(2),
    ];
    if n == 0 {
        first.remove(3);
    }
    table.header = vec![
        first,
        t.columns
            .iter()
            .map(|c| Cell::new(c.label.clone()).bold().center())
            .collect(),
    ];
    for (ri, ind) in t.indicators.iter().enumerate() {
        let top = !ind.stt.is_empty() || ind.kind == RowKind::Group;
        let strong = |c: Cell| if top { c.bold() } else { c };
        let mut row = vec![
            strong(Cell::new(ind.stt.clone()).center()),
            strong(Cell::new(ind.label.clone())),
            Cell::new(ind.unit.clone()).center(),
        ];
        for (ci, col) in t.columns.iter().enumerate() {
            let text = if ind.columns.iter().any(|k| k == &col.key) {
                values
                    .get(ri * n + ci)
                    .copied()
                    .flatten()
                    .map(number_vi)
                    .unwrap_or_default()
            } else {
                String::new()
            };
            row.push(strong(Cell::new(text).right()));
        }
        row.push(Cell::new(notes.get(&ind.code).cloned().unwrap_or_default()));
        table.rows.push(row);
    }
    table
}

/// Builds the results report (pure): header block of the unit, sections I and II from the
/// narrative, the summary table, and the statistical table as an appendix.
pub fn results_report(input: &ResultsReportInput, options: &DocumentOptions) -> OfficialDocument {
    let ResultsReportInput {
        campaign,
        template,
        unit,
        ancestors,
        narrative,
        values,
        notes,
        consolidated,
    } = input;
    let issuer = issuer_of(unit, ancestors);
    let place = administrative(unit, ancestors)
        .map(place_name)
        .unwrap_or_else(|| unit.name.clone());
    let week = format!("Tuần lễ hưởng ứng học tập suốt đời năm {}", campaign.year);
    let subject = format!("Kết quả tổ chức {week}");
    let mut doc = OfficialDocument::new(
        issuer.lines.clone(),
        DocumentKind::Report,
        subject,
        place,
        campaign.year,
    );
    doc.governing_body = issuer.governing.clone();
    let symbol = DocumentKind::Report.symbol(&issuer.abbreviation);
    doc.number = match options.number {
        Some(n) => DocumentNumber::new(n, symbol.clone()),
        None => DocumentNumber::blank(symbol.clone()),
    };
    if let Some(d) = options.date {
        doc.date = IssueDate::On(d);
    }

    let themes = campaign
        .themes
        .iter()
        .map(|t| format!("“{t}”"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut intro = vec![Span::plain(format!(
        "Thực hiện kế hoạch tổ chức {week}, {} báo cáo kết quả tổ chức Tuần lễ (từ ngày {} đến ngày {})",
        unit.name,
        date_vi(campaign.start_date),
        date_vi(campaign.end_date),
    ))];
    if !themes.is_empty() {
        intro.push(Span::plain(" với chủ đề "));
        intro.push(Span::bold(themes));
    }
    intro.push(Span::plain(", cụ thể như sau:"));
    let mut body = vec![Block::Paragraph(Paragraph::spans(intro))];
    let mut current_part = "";
    for (key, label) in NARRATIVE_SECTIONS {
        let (part, rest) = label.split_once('.').unwrap_or(("", label));
        if part != current_part {
            current_part = part;
            body.push(Block::heading(match part {
                "I" => "I. TỔ CHỨC TRIỂN KHAI TUẦN LỄ",
                _ => "II. ĐÁNH GIÁ CHUNG",
            }));
        }
        body.push(Block::heading(rest.trim_start()));
        body.extend(narrative_paragraphs(narrative.get(key).unwrap_or("")));
    }
    body.push(Block::heading(
        "4. Bảng tổng hợp số liệu các hoạt động, tổ chức Tuần lễ (thống kê theo Mẫu tổng hợp)",
    ));
    let mut intro_table = format!(
        "Số liệu chi tiết tại Phụ lục kèm theo báo cáo này{}. Tóm tắt:",
        match consolidated {
            Some((_, basis)) => format!(
                " (tổng hợp từ các báo cáo {} của các đơn vị trực thuộc)",
                match basis {
                    Basis::Submitted => "đã nộp",
                    Basis::Accepted => "đã được chấp nhận",
                }
            ),
            None => String::new(),
        }
    );
    intro_table = intro_table.replace("..", ".");
    body.push(Block::text(intro_table));

    // Summary (seed 000): participants, units, budget.
    let n = template.columns.len();
    let people_col = template.column_index("people");
    let mut people = 0;
    let mut money = 0;
    for (ri, ind) in template.indicators.iter().enumerate() {
        if ind.kind != RowKind::Value {
            continue;
        }
        for (ci, col) in template.columns.iter().enumerate() {
            if !ind.columns.iter().any(|k| k == &col.key) {
                continue;
            }
            let v = values.get(ri * n + ci).copied().flatten().unwrap_or(0);
            if ind.money {
                money += v;
            } else if Some(ci) == people_col {
                people += v;
            }
        }
    }
    let mut summary = Table::new(vec![70.0, 40.0]);
    summary.font_size = 13.0;
    summary.rows.push(vec![
        Cell::new("Tổng số người tham gia"),
        Cell::new(number_vi(people)).right(),
    ]);
    if let Some((reports, _)) = consolidated {
        summary.rows.push(vec![
            Cell::new("Số đơn vị tham gia"),
            Cell::new(number_vi(*reports)).right(),
        ]);
    }
    summary.rows.push(vec![
        Cell::new("Tổng kinh phí tổ chức Tuần lễ (đồng)"),
        Cell::new(number_vi(money)).right(),
    ]);
    body.push(Block::Table(summary));
    body.push(Block::text(format!(
        "Trên đây là báo cáo kết quả tổ chức {week} của {}./.",
        unit.name
    )));
    doc.body = body;

    doc.signature = issuer.signature.clone();
    if let Some(name) = &options.signer {
        doc.signature.name = name.trim().to_string();
    }
    doc.recipients = issuer.recipients.clone();
    doc.archive_unit = None;

    let number_text = match options.number {
        Some(n) => format!("{n:02}/{symbol}"),
        None => format!("     /{symbol}"),
    };
    let date_text = match options.date {
        Some(d) => format!(" ngày {}", date_vi(d)),
        None => String::new(),
    };
    let mut appendix_body = vec![Block::Table(statistics_table(template, values, notes))];
    if consolidated.is_some() {
        appendix_body.insert(
            0,
            Block::Paragraph(
                Paragraph::spans(vec![Span::italic(format!(
                    "Đơn vị tổng hợp: {}; số báo cáo được tổng hợp: {}.",
                    unit.name,
                    number_vi(consolidated.map(|c| c.0).unwrap_or(0))
                ))])
                .align(Align::Center),
            ),
        );
    }
    doc.appendices = vec![Appendix {
        title: vec![
            "TỔNG HỢP SỐ LIỆU KẾT QUẢ TỔ CHỨC".into(),
            format!("“{}”", week.to_uppercase()),
        ],
        note: Some(format!(
            "(Kèm theo Báo cáo số {number_text}{date_text} của {})",
            issuer.name
        )),
        body: appendix_body,
    }];
    doc
}
