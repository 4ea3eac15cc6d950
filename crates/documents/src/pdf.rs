//! PDF rendering with krilla: a small layout engine (line breaking, justification,
//! ruled tables with repeated headers, page breaks) over the embedded Liberation Serif.

use std::sync::OnceLock;

use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use crate::grid::{resolve, Slot};
use crate::model::{sizes, Align, Block, OfficialDocument, PageSetup, Paragraph, Span, Table};
use crate::{normalize, DocumentError, QUOC_HIEU, TIEU_NGU};

const MM: f32 = 72.0 / 25.4;

/// Liberation Serif 2.1.5 (SIL OFL 1.1) from Debian's fonts-liberation2; see fonts/README.md.
static REGULAR: &[u8] = include_bytes!("../fonts/LiberationSerif-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/LiberationSerif-Bold.ttf");
static ITALIC: &[u8] = include_bytes!("../fonts/LiberationSerif-Italic.ttf");
static BOLD_ITALIC: &[u8] = include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf");

/// Font style index: regular, bold, italic, bold italic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Style(usize);

impl Style {
    fn of(bold: bool, italic: bool) -> Style {
        Style(bold as usize | (italic as usize) << 1)
    }
    fn bytes(self) -> &'static [u8] {
        [REGULAR, BOLD, ITALIC, BOLD_ITALIC][self.0]
    }
}

/// Advance widths per em, by style, for measuring.
struct Metrics {
    faces: Vec<FontRef<'static>>,
    upem: Vec<f32>,
}

fn metrics() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(|| {
        let faces: Vec<FontRef<'static>> = (0..4)
            .map(|i| FontRef::new(Style(i).bytes()).expect("embedded font parses"))
            .collect();
        let upem = faces
            .iter()
            .map(|f| {
                f.metrics(Size::unscaled(), LocationRef::default())
                    .units_per_em as f32
            })
            .collect();
        Metrics { faces, upem }
    })
}

/// Width of `text` in points at `size`.
fn width(text: &str, style: Style, size: f32) -> f32 {
    let m = metrics();
    let face = &m.faces[style.0];
    let charmap = face.charmap();
    let gm = face.glyph_metrics(Size::unscaled(), LocationRef::default());
    let units: f32 = text
        .chars()
        .map(|c| {
            let gid = charmap.map(c).unwrap_or_default();
            gm.advance_width(gid).unwrap_or(0.0)
        })
        .sum();
    units / m.upem[style.0] * size
}

/// A drawing operation on a page, coordinates in points from the top-left corner.
#[derive(Debug, Clone)]
enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        style: Style,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
}

/// One word: styled pieces without spaces.
#[derive(Debug, Clone)]
struct Word {
    pieces: Vec<(String, Style)>,
    width: f32,
}

/// A laid-out line: words and their natural widths.
#[derive(Debug, Clone)]
struct Line {
    words: Vec<Word>,
    /// Whether it ends its paragraph (not justified).
    last: bool,
    indent: f32,
}

fn words_of(spans: &[Span], size: f32) -> Vec<Word> {
    let mut words = Vec::new();
    let mut current = Word {
        pieces: Vec::new(),
        width: 0.0,
    };
    for span in spans {
        let style = Style::of(span.bold, span.italic);
        let text = normalize(&span.text);
        for (i, part) in text.split(' ').enumerate() {
            if i > 0 && !current.pieces.is_empty() {
                words.push(std::mem::replace(
                    &mut current,
                    Word {
                        pieces: Vec::new(),
                        width: 0.0,
                    },
                ));
            }
            if !part.is_empty() {
                current.width += width(part, style, size);
                current.pieces.push((part.to_string(), style));
            }
        }
    }
    if !current.pieces.is_empty() {
        words.push(current);
    }
    words
}

/// Splits a word wider than `max` into pieces that fit (by characters).
fn split_long(word: Word, max: f32, size: f32) -> Vec<Word> {
    if word.width <= max {
        return vec![word];
    }
    let mut out = Vec::new();
    let mut cur = Word {
        pieces: Vec::new(),
        width: 0.0,
    };
    for (text, style) in word.pieces {
        for c in text.chars() {
            let w = width(&c.to_string(), style, size);
            if cur.width + w > max && !cur.pieces.is_empty() {
                out.push(std::mem::replace(
                    &mut cur,
                    Word {
                        pieces: Vec::new(),
                        width: 0.0,
                    },
                ));
            }
            match cur.pieces.last_mut() {
                Some((t, s)) if *s == style => t.push(c),
                _ => cur.pieces.push((c.to_string(), style)),
            }
            cur.width += w;
        }
    }
    if !cur.pieces.is_empty() {
        out.push(cur);
    }
    out
}

/// Greedy line breaking; each source line ("\n") is its own paragraph line group.
fn break_lines(spans: &[Span], size: f32, max: f32, first_indent: f32) -> Vec<Line> {
    let space = width(" ", Style(0), size);
    let mut lines = Vec::new();
    // Split spans at newlines into separate groups.
    let mut groups: Vec<Vec<Span>> = vec![Vec::new()];
    for s in spans {
        for (i, part) in s.text.split('\n').enumerate() {
            if i > 0 {
                groups.push(Vec::new());
            }
            groups.last_mut().unwrap().push(Span {
                text: part.to_string(),
                ..s.clone()
            });
        }
    }
    for (gi, group) in groups.iter().enumerate() {
        let mut indent = if gi == 0 { first_indent } else { 0.0 };
        let words: Vec<Word> = words_of(group, size)
            .into_iter()
            .flat_map(|w| split_long(w, max - first_indent.max(0.0), size))
            .collect();
        let mut cur: Vec<Word> = Vec::new();
        let mut cur_w = 0.0;
        for w in words {
            let add = if cur.is_empty() {
                w.width
            } else {
                space + w.width
            };
            if !cur.is_empty() && indent + cur_w + add > max {
                lines.push(Line {
                    words: std::mem::take(&mut cur),
                    last: false,
                    indent,
                });
                indent = 0.0;
                cur_w = w.width;
                cur.push(w);
            } else {
                cur_w += add;
                cur.push(w);
            }
        }
        lines.push(Line {
            words: cur,
            last: true,
            indent,
        });
    }
    lines
}

/// Emits a line's words at `x`…`x + max` on `baseline`.
fn place_line(
    ops: &mut Vec<Op>,
    line: &Line,
    x: f32,
    max: f32,
    baseline: f32,
    size: f32,
    align: Align,
) {
    let space = width(" ", Style(0), size);
    let natural: f32 = line.words.iter().map(|w| w.width).sum::<f32>()
        + space * line.words.len().saturating_sub(1) as f32;
    let avail = max - line.indent;
    let (mut cx, gap) = match align {
        Align::Justify if !line.last && line.words.len() > 1 => (
            x + line.indent,
            space + (avail - natural).max(0.0) / (line.words.len() - 1) as f32,
        ),
        Align::Center => (x + line.indent + (avail - natural).max(0.0) / 2.0, space),
        Align::Right => (x + line.indent + (avail - natural).max(0.0), space),
        _ => (x + line.indent, space),
    };
    for w in &line.words {
        let mut px = cx;
        for (text, style) in &w.pieces {
            ops.push(Op::Text {
                x: px,
                baseline,
                size,
                style: *style,
                text: text.clone(),
            });
            px += width(text, *style, size);
        }
        cx += w.width + gap;
    }
}

/// The page-filling layout state.
struct Layout<'a> {
    page: &'a PageSetup,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'a> Layout<'a> {
    fn new(page: &'a PageSetup) -> Layout<'a> {
        Layout {
            page,
            pages: vec![Vec::new()],
            y: page.margin_top_mm * MM,
        }
    }
    fn left(&self) -> f32 {
        self.page.margin_left_mm * MM
    }
    fn text_width(&self) -> f32 {
        self.page.text_width_mm() * MM
    }
    fn bottom(&self) -> f32 {
        (self.page.height_mm - self.page.margin_bottom_mm) * MM
    }
    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.page.margin_top_mm * MM;
    }
    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().unwrap()
    }
    fn ensure(&mut self, h: f32) {
        if self.y + h > self.bottom() && self.y > self.page.margin_top_mm * MM + 1.0 {
            self.new_page();
        }
    }

    /// A flowing paragraph across the full text width; breaks pages between lines.
    fn paragraph(&mut self, p: &Paragraph, size: f32, after: f32) {
        let indent = if p.indent {
            self.page.indent_mm * MM
        } else {
            0.0
        };
        let lh = size * self.page.line_height;
        let lines = break_lines(&p.spans, size, self.text_width(), indent);
        let (x, w) = (self.left(), self.text_width());
        for line in &lines {
            self.ensure(lh);
            let baseline = self.y + lh * 0.8;
            let mut ops = Vec::new();
            place_line(&mut ops, line, x, w, baseline, size, p.align);
            self.ops().extend(ops);
            self.y += lh;
        }
        self.y += after;
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        self.ops().push(Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
        });
    }

    fn blocks(&mut self, blocks: &[Block]) {
        let size = self.page.body_size;
        let after = self.page.paragraph_after_pt;
        for b in blocks {
            match b {
                Block::Heading(h) => {
                    // Keep a heading with at least two lines of what follows.
                    self.ensure(size * self.page.line_height * 3.0);
                    self.paragraph(&Paragraph::spans(vec![Span::bold(h.clone())]), size, after)
                }
                Block::Paragraph(p) => self.paragraph(p, size, after),
                Block::Table(t) => {
                    self.table(t);
                    self.y += after;
                }
            }
        }
    }

    fn table(&mut self, t: &Table) {
        let size = t.font_size;
        let lh = size * 1.15;
        let pad_x = 1.5 * MM;
        let pad_y = 1.0 * MM;
        let total: f32 = t.widths.iter().sum();
        let widths: Vec<f32> = t
            .widths
            .iter()
            .map(|w| w / total * self.text_width())
            .collect();
        let grid = resolve(t, widths.len());
        // Lay out each starting cell's lines.
        struct Placed {
            col: usize,
            colspan: usize,
            rowspan: usize,
            lines: Vec<Line>,
            align: Align,
        }
        let mut rows: Vec<Vec<Placed>> = Vec::new();
        let mut heights: Vec<f32> = Vec::new();
        for row in &grid.rows {
            let mut placed = Vec::new();
            let mut col = 0;
            let mut h: f32 = lh + 2.0 * pad_y;
            for slot in row {
                match slot {
                    Slot::Start {
                        cell,
                        colspan,
                        rowspan,
                    } => {
                        let w: f32 = widths[col..col + colspan].iter().sum::<f32>() - 2.0 * pad_x;
                        let spans = vec![Span {
                            text: cell.text.clone(),
                            bold: cell.bold,
                            italic: cell.italic,
                        }];
                        let lines = break_lines(&spans, size, w, 0.0);
                        if *rowspan == 1 {
                            h = h.max(lines.len() as f32 * lh + 2.0 * pad_y);
                        }
                        placed.push(Placed {
                            col,
                            colspan: *colspan,
                            rowspan: *rowspan,
                            lines,
                            align: cell.align,
                        });
                        col += colspan;
                    }
                    Slot::Covered { colspan } => col += colspan,
                }
            }
            rows.push(placed);
            heights.push(h);
        }
        // Cells spanning rows: grow the last spanned row if needed.
        for (ri, row) in rows.iter().enumerate() {
            for p in row.iter().filter(|p| p.rowspan > 1) {
                let need = p.lines.len() as f32 * lh + 2.0 * pad_y;
                let have: f32 = heights[ri..ri + p.rowspan].iter().sum();
                if need > have {
                    heights[ri + p.rowspan - 1] += need - have;
                }
            }
        }
        let header_h: f32 = heights[..grid.header_rows].iter().sum();
        let x0 = self.left();
        let col_x: Vec<f32> = std::iter::once(x0)
            .chain(widths.iter().scan(x0, |acc, w| {
                *acc += w;
                Some(*acc)
            }))
            .collect();
        let draw_row = |me: &mut Layout, ri: usize, top: f32| {
            for p in &rows[ri] {
                let h: f32 = heights[ri..ri + p.rowspan].iter().sum();
                let (x1, x2) = (col_x[p.col], col_x[p.col + p.colspan]);
                me.line(x1, top, x2, top, 0.5);
                me.line(x1, top + h, x2, top + h, 0.5);
                me.line(x1, top, x1, top + h, 0.5);
                me.line(x2, top, x2, top + h, 0.5);
                let text_h = p.lines.len() as f32 * lh;
                let mut y = top + (h - text_h) / 2.0;
                let mut ops = Vec::new();
                for line in &p.lines {
                    place_line(
                        &mut ops,
                        line,
                        x1 + pad_x,
                        x2 - x1 - 2.0 * pad_x,
                        y + lh * 0.8,
                        size,
                        p.align,
                    );
                    y += lh;
                }
                me.ops().extend(ops);
            }
        };
        let draw_header = |me: &mut Layout| {
            let mut top = me.y;
            for (ri, h) in heights.iter().enumerate().take(grid.header_rows) {
                draw_row(me, ri, top);
                top += h;
            }
            me.y = top;
        };
        self.ensure(header_h + heights.get(grid.header_rows).copied().unwrap_or(0.0));
        draw_header(self);
        for (ri, h) in heights.iter().enumerate().skip(grid.header_rows) {
            if self.y + h > self.bottom() {
                self.new_page();
                draw_header(self);
            }
            let top = self.y;
            draw_row(self, ri, top);
            self.y += h;
        }
    }
}

/// Lays out centred lines in a column; returns the y after them.
fn column(
    ops: &mut Vec<Op>,
    x: f32,
    w: f32,
    mut y: f32,
    items: &[(&str, f32, bool, bool)],
) -> (f32, Vec<(f32, f32, f32)>) {
    // Also returns, per item, (y_top, x_left, text width) of its last line for rules.
    let mut marks = Vec::new();
    for (text, size, bold, italic) in items {
        let lh = size * 1.2;
        let spans = vec![Span {
            text: text.to_string(),
            bold: *bold,
            italic: *italic,
        }];
        let lines = break_lines(&spans, *size, w, 0.0);
        let mut last = (y, x, 0.0);
        for line in &lines {
            place_line(ops, line, x, w, y + lh * 0.8, *size, Align::Center);
            let space = width(" ", Style(0), *size);
            let natural: f32 = line.words.iter().map(|w| w.width).sum::<f32>()
                + space * line.words.len().saturating_sub(1) as f32;
            last = (y, x + (w - natural) / 2.0, natural);
            y += lh;
        }
        marks.push(last);
    }
    (y, marks)
}

fn left_lines(
    ops: &mut Vec<Op>,
    x: f32,
    w: f32,
    mut y: f32,
    items: &[(String, f32, bool, bool)],
) -> f32 {
    for (text, size, bold, italic) in items {
        let lh = size * 1.2;
        let spans = vec![Span {
            text: text.clone(),
            bold: *bold,
            italic: *italic,
        }];
        for line in break_lines(&spans, *size, w, 0.0) {
            place_line(ops, &line, x, w, y + lh * 0.8, *size, Align::Left);
            y += lh;
        }
    }
    y
}

/// Renders the document as a PDF file (bytes), with the fonts embedded (subset).
pub fn to_pdf(doc: &OfficialDocument) -> Result<Vec<u8>, DocumentError> {
    let page = &doc.page;
    let mut l = Layout::new(page);
    let x0 = l.left();
    let tw = l.text_width();
    let left_w = page.header_left_mm * MM;
    let right_w = tw - left_w;

    // Header block, row 1.
    let mut ops = Vec::new();
    let top = l.y;
    let gov: Vec<String> = doc
        .governing_body
        .iter()
        .map(|s| s.to_uppercase())
        .collect();
    let iss: Vec<String> = doc.issuer.iter().map(|s| s.to_uppercase()).collect();
    let mut items: Vec<(&str, f32, bool, bool)> = gov
        .iter()
        .map(|s| (s.as_str(), sizes::GOVERNING_BODY, false, false))
        .collect();
    items.extend(iss.iter().map(|s| (s.as_str(), sizes::ISSUER, true, false)));
    let (ly, _) = column(&mut ops, x0, left_w, top, &items);
    let rule_w = left_w * 0.35;
    let rule_y = ly + 1.5;
    ops.push(Op::Line {
        x1: x0 + (left_w - rule_w) / 2.0,
        y1: rule_y,
        x2: x0 + (left_w + rule_w) / 2.0,
        y2: rule_y,
        width: 0.6,
    });
    let (ry, marks) = column(
        &mut ops,
        x0 + left_w,
        right_w,
        top,
        &[
            (QUOC_HIEU, sizes::QUOC_HIEU, true, false),
            (TIEU_NGU, sizes::TIEU_NGU, true, false),
        ],
    );
    let (ty, tx, tlen) = marks[1];
    let line_y = ty + sizes::TIEU_NGU * 1.2 * 0.8 + 2.5;
    ops.push(Op::Line {
        x1: tx,
        y1: line_y,
        x2: tx + tlen,
        y2: line_y,
        width: 0.6,
    });
    // Row 2: Số (+ V/v) | date.
    let row2 = ly.max(ry) + 8.0;
    let vv = format!("V/v {}", doc.subject);
    let number = doc.number.text();
    let mut left_items = vec![(number.as_str(), sizes::NUMBER, false, false)];
    if doc.kind.name().is_none() && !doc.subject.is_empty() {
        left_items.push((vv.as_str(), sizes::VV, false, false));
    }
    let (ly2, _) = column(&mut ops, x0, left_w, row2, &left_items);
    let date = doc.date_line();
    let (ry2, _) = column(
        &mut ops,
        x0 + left_w,
        right_w,
        row2,
        &[(date.as_str(), sizes::DATE, false, true)],
    );
    l.ops().extend(ops);
    l.y = ly2.max(ry2) + 14.0;

    // Tên loại và trích yếu.
    if let Some(name) = doc.kind.name() {
        let mut ops = Vec::new();
        let mut items = vec![(name, sizes::KIND, true, false)];
        if !doc.subject.is_empty() {
            items.push((doc.subject.as_str(), sizes::SUBJECT, true, false));
        }
        let (y, _) = column(&mut ops, x0, tw, l.y, &items);
        let rule_w = 40.0 * MM;
        ops.push(Op::Line {
            x1: x0 + (tw - rule_w) / 2.0,
            y1: y + 5.0,
            x2: x0 + (tw + rule_w) / 2.0,
            y2: y + 5.0,
            width: 0.6,
        });
        l.ops().extend(ops);
        l.y = y + 16.0;
    }

    // Kính gửi.
    match doc.addressees.len() {
        0 => {}
        1 => l.paragraph(
            &Paragraph::text(format!(
                "Kính gửi: {}.",
                doc.addressees[0].trim_end_matches('.')
            ))
            .align(Align::Center),
            page.body_size,
            page.paragraph_after_pt,
        ),
        n => {
            let size = page.body_size;
            let lh = size * page.line_height;
            let mut ops = Vec::new();
            let y = left_lines(
                &mut ops,
                x0 + tw * 0.2,
                tw * 0.8,
                l.y,
                &[("Kính gửi:".to_string(), size, false, false)],
            );
            let items: Vec<(String, f32, bool, bool)> = doc
                .addressees
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let a = a
                        .trim()
                        .trim_start_matches("- ")
                        .trim_end_matches([';', '.']);
                    let end = if i + 1 == n { "." } else { ";" };
                    (format!("- {a}{end}"), size, false, false)
                })
                .collect();
            let y = left_lines(&mut ops, x0 + tw * 0.35, tw * 0.65, y, &items);
            l.ops().extend(ops);
            l.y = y + lh * 0.5;
        }
    }

    l.blocks(&doc.body);

    // Signing block: Nơi nhận (left half) beside the signature (right half), kept together.
    let half = tw / 2.0;
    let heading = doc.signature.heading_lines();
    let mut sign_items: Vec<(&str, f32, bool, bool)> = heading
        .iter()
        .map(|s| (s.as_str(), sizes::SIGNATURE, true, false))
        .collect();
    let space_h = 4.0 * sizes::SIGNATURE * 1.2;
    let recipients = doc.recipient_lines();
    let mut nn: Vec<(String, f32, bool, bool)> =
        vec![("Nơi nhận:".to_string(), sizes::NOI_NHAN_LABEL, true, true)];
    nn.extend(
        recipients
            .iter()
            .map(|r| (r.clone(), sizes::NOI_NHAN, false, false)),
    );
    let sign_h = (sign_items.len() + 1) as f32 * sizes::SIGNATURE * 1.2 + space_h;
    let nn_h = sizes::NOI_NHAN_LABEL * 1.2 + recipients.len() as f32 * sizes::NOI_NHAN * 1.25;
    l.y += 4.0;
    l.ensure(sign_h.max(nn_h));
    let mut ops = Vec::new();
    let top = l.y;
    let (sy, _) = column(&mut ops, x0 + half, half, top, &sign_items);
    sign_items.clear();
    let name = doc.signature.name.clone();
    let (sy, _) = column(
        &mut ops,
        x0 + half,
        half,
        sy + space_h,
        &[(name.as_str(), sizes::SIGNATURE, true, false)],
    );
    let ny = left_lines(&mut ops, x0, half - 4.0, top + 2.0, &nn);
    l.ops().extend(ops);
    l.y = sy.max(ny);

    // Phụ lục.
    for a in &doc.appendices {
        l.new_page();
        let mut ops = Vec::new();
        let mut items: Vec<(&str, f32, bool, bool)> = a
            .title
            .iter()
            .map(|t| (t.as_str(), page.body_size, true, false))
            .collect();
        if let Some(note) = &a.note {
            items.push((note.as_str(), page.body_size, false, true));
        }
        let (y, _) = column(&mut ops, x0, tw, l.y, &items);
        l.ops().extend(ops);
        l.y = y + 10.0;
        l.blocks(&a.body);
    }

    emit(doc, l.pages)
}

fn emit(doc: &OfficialDocument, pages: Vec<Vec<Op>>) -> Result<Vec<u8>, DocumentError> {
    let p = &doc.page;
    let fonts: Vec<Font> = (0..4)
        .map(|i| Font::new(Style(i).bytes().into(), 0).expect("embedded font loads"))
        .collect();
    let mut document = Document::new();
    let title = match doc.kind.name() {
        Some(n) => format!("{} {}", n, doc.subject),
        None => format!("V/v {}", doc.subject),
    };
    document.set_metadata(
        Metadata::new()
            .title(normalize(&title))
            .language("vi".to_string()),
    );
    let settings = PageSettings::from_wh(p.width_mm * MM, p.height_mm * MM)
        .ok_or_else(|| DocumentError::Pdf("khổ giấy không hợp lệ".into()))?;
    let total = pages.len();
    for (pi, ops) in pages.into_iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        let draw_text =
            |surface: &mut krilla::surface::Surface, x, y, size, style: Style, t: &str| {
                surface.set_stroke(None);
                surface.set_fill(Some(Fill::default()));
                surface.draw_text(
                    Point::from_xy(x, y),
                    fonts[style.0].clone(),
                    size,
                    t,
                    false,
                    TextDirection::LeftToRight,
                );
            };
        // Page numbers centred in the top margin, from page 2 on.
        if pi > 0 && total > 1 {
            let n = (pi + 1).to_string();
            let w = width(&n, Style(0), sizes::PAGE_NUMBER);
            let x = p.margin_left_mm * MM + (p.text_width_mm() * MM - w) / 2.0;
            draw_text(
                &mut surface,
                x,
                p.margin_top_mm * MM * 0.6,
                sizes::PAGE_NUMBER,
                Style(0),
                &n,
            );
        }
        for op in ops {
            match op {
                Op::Text {
                    x,
                    baseline,
                    size,
                    style,
                    text,
                } => draw_text(&mut surface, x, baseline, size, style, &text),
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(x1, y1);
                    pb.line_to(x2, y2);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            width,
                            ..Default::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| DocumentError::Pdf(format!("{e:?}")))
}
