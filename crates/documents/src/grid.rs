//! Resolves a table's rows (cells listed HTML-style) into full grid rows.

use crate::model::{Cell, Table};

/// One position of a resolved row.
#[derive(Debug, Clone)]
pub(crate) enum Slot<'a> {
    /// A cell starts here.
    Start {
        cell: &'a Cell,
        colspan: usize,
        /// Rows spanned (1 outside header rows).
        rowspan: usize,
    },
    /// Covered by a cell above that spans rows.
    Covered { colspan: usize },
}

pub(crate) struct Grid<'a> {
    /// Header rows first, then body rows.
    pub rows: Vec<Vec<Slot<'a>>>,
    pub header_rows: usize,
}

pub(crate) fn resolve(table: &Table, columns: usize) -> Grid<'_> {
    let header_rows = table.header.len();
    // Remaining rows covered per column, and the covering span's colspan.
    let mut covered: Vec<(usize, usize)> = vec![(0, 0); columns];
    let mut rows = Vec::new();
    for (ri, row) in table.header.iter().chain(table.rows.iter()).enumerate() {
        let in_header = ri < header_rows;
        let mut out = Vec::new();
        let mut cells = row.iter();
        let mut col = 0;
        while col < columns {
            if covered[col].0 > 0 {
                let span = covered[col].1.max(1);
                covered[col].0 -= 1;
                out.push(Slot::Covered { colspan: span });
                col += span;
                continue;
            }
            match cells.next() {
                Some(cell) => {
                    let colspan = cell.colspan.clamp(1, columns - col);
                    let rowspan = if in_header {
                        cell.rowspan.clamp(1, header_rows - ri)
                    } else {
                        1
                    };
                    if rowspan > 1 {
                        covered[col] = (rowspan - 1, colspan);
                    }
                    out.push(Slot::Start {
                        cell,
                        colspan,
                        rowspan,
                    });
                    col += colspan;
                }
                None => {
                    // Short row: pad with empty cells.
                    out.push(Slot::Start {
                        cell: &EMPTY,
                        colspan: 1,
                        rowspan: 1,
                    });
                    col += 1;
                }
            }
        }
        rows.push(out);
    }
    Grid { rows, header_rows }
}

static EMPTY: Cell = Cell {
    text: String::new(),
    bold: false,
    italic: false,
    align: crate::model::Align::Left,
    colspan: 1,
    rowspan: 1,
};
