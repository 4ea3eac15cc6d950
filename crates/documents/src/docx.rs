//! DOCX rendering with docx-rs.

use docx_rs::{
    AlignmentType, BorderType, BreakType, Docx, Header, LineSpacing, LineSpacingType, PageMargin,
    PageNum, Paragraph as DParagraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders,
    Run, RunFonts, SpecialIndentType, Table as DTable, TableCell, TableLayoutType, TableRow,
    VMergeType, WidthType,
};

use crate::grid::{resolve, Slot};
use crate::model::{sizes, Align, Block, OfficialDocument, PageSetup, Paragraph, Span, Table};
use crate::{normalize, DocumentError, QUOC_HIEU, TIEU_NGU};

/// Twips (1/20 pt) in a millimetre.
const TWIPS_PER_MM: f32 = 56.692_914;

fn tw(mm: f32) -> i32 {
    (mm * TWIPS_PER_MM).round() as i32
}

/// Half-points, the unit of run sizes.
fn hp(pt: f32) -> usize {
    (pt * 2.0).round() as usize
}

fn align(a: Align) -> AlignmentType {
    match a {
        Align::Justify => AlignmentType::Both,
        Align::Left => AlignmentType::Left,
        Align::Center => AlignmentType::Center,
        Align::Right => AlignmentType::Right,
    }
}

/// Paragraph spacing: `after` points after, single line spacing.
fn spacing(after_pt: f32) -> LineSpacing {
    LineSpacing::new().before(0).after((after_pt * 20.0) as u32)
}

fn run(text: &str, size: f32, bold: bool, italic: bool) -> Run {
    let mut r = Run::new().add_text(normalize(text)).size(hp(size));
    if bold {
        r = r.bold();
    }
    if italic {
        r = r.italic();
    }
    r
}

/// A centred single-line paragraph.
fn centered(text: &str, size: f32, bold: bool, italic: bool) -> DParagraph {
    DParagraph::new()
        .add_run(run(text, size, bold, italic))
        .align(AlignmentType::Center)
        .line_spacing(spacing(0.0))
}

/// A short horizontal rule: an empty paragraph with a bottom border, narrowed by indents
/// to `length_mm`, centred within `width_mm`.
fn rule(width_mm: f32, length_mm: f32) -> DParagraph {
    let side = tw(((width_mm - length_mm) / 2.0).max(0.0));
    let mut p = DParagraph::new()
        .indent(Some(side), None, Some(side), None)
        .line_spacing(
            LineSpacing::new()
                .line_rule(LineSpacingType::Exact)
                .before(0)
                .after(0)
                .line(40),
        )
        .size(2);
    p.property = p.property.set_borders(
        ParagraphBorders::with_empty().set(
            ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                .val(BorderType::Single)
                .size(6)
                .space(0)
                .color("000000"),
        ),
    );
    p
}

fn borderless(rows: Vec<TableRow>, widths_mm: &[f32]) -> DTable {
    DTable::without_borders(rows)
        .set_grid(widths_mm.iter().map(|w| tw(*w) as usize).collect())
        .layout(TableLayoutType::Fixed)
        .width(tw(widths_mm.iter().sum()) as usize, WidthType::Dxa)
        .indent(0)
}

fn cell(width_mm: f32, paragraphs: Vec<DParagraph>) -> TableCell {
    let mut c = TableCell::new().width(tw(width_mm) as usize, WidthType::Dxa);
    for p in paragraphs {
        c = c.add_paragraph(p);
    }
    c
}

fn body_paragraph(p: &Paragraph, page: &PageSetup, size: f32) -> DParagraph {
    let mut out = DParagraph::new()
        .align(align(p.align))
        .line_spacing(spacing(page.paragraph_after_pt));
    if p.indent {
        out = out.indent(
            None,
            Some(SpecialIndentType::FirstLine(tw(page.indent_mm))),
            None,
            None,
        );
    }
    for Span { text, bold, italic } in &p.spans {
        out = out.add_run(run(text, size, *bold, *italic));
    }
    out
}

fn table(t: &Table, page: &PageSetup) -> DTable {
    let text_w = page.text_width_mm();
    let total: f32 = t.widths.iter().sum();
    let widths: Vec<f32> = t.widths.iter().map(|w| w / total * text_w).collect();
    let grid = resolve(t, widths.len());
    let mut rows = Vec::new();
    for (ri, row) in grid.rows.iter().enumerate() {
        let mut cells = Vec::new();
        let mut col = 0;
        for slot in row {
            match slot {
                Slot::Start { cell, colspan, .. } => {
                    let w: f32 = widths[col..col + colspan].iter().sum();
                    let para = DParagraph::new()
                        .add_run(run(&cell.text, t.font_size, cell.bold, cell.italic))
                        .align(align(cell.align))
                        .line_spacing(spacing(0.0));
                    let mut c = cell_of(w, para).vertical_align(docx_rs::VAlignType::Center);
                    if *colspan > 1 {
                        c = c.grid_span(*colspan);
                    }
                    if cell.rowspan > 1 && ri < grid.header_rows {
                        c = c.vertical_merge(VMergeType::Restart);
                    }
                    cells.push(c);
                    col += colspan;
                }
                Slot::Covered { colspan } => {
                    let w: f32 = widths[col..col + colspan].iter().sum();
                    let mut c = cell_of(w, DParagraph::new()).vertical_merge(VMergeType::Continue);
                    if *colspan > 1 {
                        c = c.grid_span(*colspan);
                    }
                    cells.push(c);
                    col += colspan;
                }
            }
        }
        rows.push(TableRow::new(cells).cant_split());
    }
    DTable::new(rows)
        .set_grid(widths.iter().map(|w| tw(*w) as usize).collect())
        .layout(TableLayoutType::Fixed)
        .width(tw(text_w) as usize, WidthType::Dxa)
}

fn cell_of(width_mm: f32, p: DParagraph) -> TableCell {
    TableCell::new()
        .width(tw(width_mm) as usize, WidthType::Dxa)
        .add_paragraph(p)
}

fn add_blocks(mut docx: Docx, blocks: &[Block], page: &PageSetup) -> Docx {
    for b in blocks {
        docx = match b {
            Block::Heading(h) => docx.add_paragraph(body_paragraph(
                &Paragraph::spans(vec![Span::bold(h.clone())]),
                page,
                page.body_size,
            )),
            Block::Paragraph(p) => docx.add_paragraph(body_paragraph(p, page, page.body_size)),
            Block::Table(t) => docx
                .add_table(table(t, page))
                .add_paragraph(DParagraph::new().line_spacing(spacing(0.0)).size(hp(6.0))),
        };
    }
    docx
}

/// Renders the document as a DOCX file (bytes).
pub fn to_docx(doc: &OfficialDocument) -> Result<Vec<u8>, DocumentError> {
    let page = &doc.page;
    let text_w = page.text_width_mm();
    let left_w = page.header_left_mm;
    let right_w = text_w - left_w;

    let mut docx = Docx::new()
        .page_size(tw(page.width_mm) as u32, tw(page.height_mm) as u32)
        .page_margin(PageMargin {
            top: tw(page.margin_top_mm),
            left: tw(page.margin_left_mm),
            bottom: tw(page.margin_bottom_mm),
            right: tw(page.margin_right_mm),
            header: tw(page.margin_top_mm / 2.0),
            footer: tw(page.margin_bottom_mm / 2.0),
            gutter: 0,
        })
        .default_fonts(
            RunFonts::new()
                .ascii(&page.docx_font)
                .hi_ansi(&page.docx_font)
                .cs(&page.docx_font)
                .east_asia(&page.docx_font),
        )
        .default_size(hp(page.body_size))
        // Page numbers centred in the top margin, from page 2 on.
        .header(
            Header::new().add_paragraph(
                DParagraph::new()
                    .add_page_num(PageNum::new())
                    .align(AlignmentType::Center)
                    .size(hp(sizes::PAGE_NUMBER)),
            ),
        )
        .first_header(Header::new());

    // Header block: row 1 issuer | Quốc hiệu + Tiêu ngữ; row 2 Số (+ V/v) | date.
    let mut left = Vec::new();
    for line in &doc.governing_body {
        left.push(centered(
            &line.to_uppercase(),
            sizes::GOVERNING_BODY,
            false,
            false,
        ));
    }
    for line in &doc.issuer {
        left.push(centered(&line.to_uppercase(), sizes::ISSUER, true, false));
    }
    left.push(rule(left_w, left_w * 0.35));
    let right = vec![
        centered(QUOC_HIEU, sizes::QUOC_HIEU, true, false),
        DParagraph::new()
            .add_run(run(TIEU_NGU, sizes::TIEU_NGU, true, false).underline("single"))
            .align(AlignmentType::Center)
            .line_spacing(spacing(0.0)),
    ];
    let mut number = vec![DParagraph::new()
        .add_run(run(&doc.number.text(), sizes::NUMBER, false, false))
        .align(AlignmentType::Center)
        .line_spacing(LineSpacing::new().before(120).after(0))];
    if doc.kind.name().is_none() && !doc.subject.is_empty() {
        number.push(centered(
            &format!("V/v {}", doc.subject),
            sizes::VV,
            false,
            false,
        ));
    }
    let date = vec![DParagraph::new()
        .add_run(run(&doc.date_line(), sizes::DATE, false, true))
        .align(AlignmentType::Center)
        .line_spacing(LineSpacing::new().before(120).after(0))];
    docx = docx.add_table(borderless(
        vec![
            TableRow::new(vec![cell(left_w, left), cell(right_w, right)]),
            TableRow::new(vec![cell(left_w, number), cell(right_w, date)]),
        ],
        &[left_w, right_w],
    ));

    // Tên loại và trích yếu.
    if let Some(name) = doc.kind.name() {
        docx = docx.add_paragraph(
            centered(name, sizes::KIND, true, false)
                .line_spacing(LineSpacing::new().before(360).after(0)),
        );
        if !doc.subject.is_empty() {
            docx = docx.add_paragraph(centered(&doc.subject, sizes::SUBJECT, true, false));
        }
        docx = docx.add_paragraph(
            rule(text_w, 40.0).line_spacing(
                LineSpacing::new()
                    .line_rule(LineSpacingType::Exact)
                    .before(80)
                    .after(0)
                    .line(40),
            ),
        );
    }
    docx = docx.add_paragraph(DParagraph::new().line_spacing(spacing(0.0)).size(hp(8.0)));

    // Kính gửi.
    match doc.addressees.len() {
        0 => {}
        1 => {
            docx = docx.add_paragraph(
                centered(
                    &format!("Kính gửi: {}.", doc.addressees[0].trim_end_matches('.')),
                    page.body_size,
                    false,
                    false,
                )
                .line_spacing(spacing(page.paragraph_after_pt)),
            )
        }
        _ => {
            docx = docx.add_paragraph(
                DParagraph::new()
                    .add_run(run("Kính gửi:", page.body_size, false, false))
                    .indent(Some(tw(text_w * 0.2)), None, None, None)
                    .line_spacing(spacing(0.0)),
            );
            let n = doc.addressees.len();
            for (i, a) in doc.addressees.iter().enumerate() {
                let a = a
                    .trim()
                    .trim_start_matches("- ")
                    .trim_end_matches([';', '.']);
                let end = if i + 1 == n { "." } else { ";" };
                docx = docx.add_paragraph(
                    DParagraph::new()
                        .add_run(run(&format!("- {a}{end}"), page.body_size, false, false))
                        .indent(Some(tw(text_w * 0.35)), None, None, None)
                        .line_spacing(spacing(0.0)),
                );
            }
            docx = docx.add_paragraph(DParagraph::new().line_spacing(spacing(0.0)));
        }
    }

    docx = add_blocks(docx, &doc.body, page);

    // Signing block: Nơi nhận (left) | authority, title, space, name (right).
    let half = text_w / 2.0;
    let mut noi_nhan = vec![DParagraph::new()
        .add_run(run("Nơi nhận:", sizes::NOI_NHAN_LABEL, true, true))
        .line_spacing(spacing(0.0))];
    for line in doc.recipient_lines() {
        noi_nhan.push(
            DParagraph::new()
                .add_run(run(&line, sizes::NOI_NHAN, false, false))
                .line_spacing(spacing(0.0)),
        );
    }
    let mut sign: Vec<DParagraph> = doc
        .signature
        .heading_lines()
        .iter()
        .map(|l| centered(l, sizes::SIGNATURE, true, false))
        .collect();
    for _ in 0..4 {
        sign.push(centered("", sizes::SIGNATURE, false, false));
    }
    sign.push(centered(&doc.signature.name, sizes::SIGNATURE, true, false));
    docx = docx.add_table(borderless(
        vec![TableRow::new(vec![cell(half, noi_nhan), cell(half, sign)]).cant_split()],
        &[half, half],
    ));

    for a in &doc.appendices {
        docx = docx.add_paragraph(DParagraph::new().add_run(Run::new().add_break(BreakType::Page)));
        for line in &a.title {
            docx = docx.add_paragraph(centered(line, page.body_size, true, false));
        }
        if let Some(note) = &a.note {
            docx = docx.add_paragraph(centered(note, page.body_size, false, true));
        }
        docx = docx.add_paragraph(DParagraph::new().line_spacing(spacing(0.0)));
        docx = add_blocks(docx, &a.body, page);
    }

    let mut out = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut out)
        .map_err(|e| DocumentError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}
