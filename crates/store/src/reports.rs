//! Báo cáo kết quả — stored reports, their figures, history and photos.

use std::collections::BTreeMap;

use sqlx::Row;
use tuanle_domain::report::{Narrative, ReportContent, ReportStatus};
use tuanle_domain::unit::Unit;

use crate::{on_pool, on_tx, Result, Store, StoreError, Tx};

/// A report row as stored (content loaded separately into [`ReportRecord`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub id: i64,
    pub campaign_id: i64,
    pub unit_id: i64,
    pub status: ReportStatus,
    pub version: i64,
    pub first_submitted_at: Option<String>,
    pub submitted_at: Option<String>,
    pub late: bool,
    pub reviewed_at: Option<String>,
    pub reviewed_by: Option<i64>,
    pub review_comment: Option<String>,
    pub entered_by: Option<i64>,
    pub entered_on_behalf: bool,
    pub updated_at: String,
    pub updated_by: Option<i64>,
}

/// Báo cáo with its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRecord {
    pub row: ReportRow,
    pub content: ReportContent,
}

/// One entry of a report's history.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportHistoryEntry {
    pub version: i64,
    pub action: String,
    pub status: String,
    pub content: serde_json::Value,
    pub comment: Option<String>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub at: String,
}

/// A photo's description (the bytes are fetched separately).
#[derive(Debug, Clone, serde::Serialize)]
pub struct PhotoMeta {
    pub id: i64,
    pub report_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub byte_size: i64,
    pub caption: String,
    pub created_at: String,
}

/// A unit of a subtree with its report's state, for completeness lists.
#[derive(Debug, Clone)]
pub struct SubtreeReportRow {
    pub unit: Unit,
    pub status: Option<ReportStatus>,
    pub submitted_at: Option<String>,
    pub late: bool,
    pub entered_on_behalf: bool,
}

const REPORT_COLUMNS: &str = "id, campaign_id, unit_id, status, version, s1_1, s1_2, s1_3, s1_4, s2_1, s2_2, s2_3, first_submitted_at, submitted_at, late, \
     reviewed_at, reviewed_by, review_comment, entered_by, entered_on_behalf, updated_at, updated_by";

macro_rules! report_from_row {
    ($r:expr) => {{
        let r = $r;
        let status: String = r.try_get("status")?;
        let row = ReportRow {
            id: r.try_get("id")?,
            campaign_id: r.try_get("campaign_id")?,
            unit_id: r.try_get("unit_id")?,
            status: ReportStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("trạng thái \"{status}\"")))?,
            version: r.try_get("version")?,
            first_submitted_at: r.try_get("first_submitted_at")?,
            submitted_at: r.try_get("submitted_at")?,
            late: r.try_get("late")?,
            reviewed_at: r.try_get("reviewed_at")?,
            reviewed_by: r.try_get("reviewed_by")?,
            review_comment: r.try_get("review_comment")?,
            entered_by: r.try_get("entered_by")?,
            entered_on_behalf: r.try_get("entered_on_behalf")?,
            updated_at: r.try_get("updated_at")?,
            updated_by: r.try_get("updated_by")?,
        };
        let narrative = Narrative {
            s1_1: r.try_get("s1_1")?,
            s1_2: r.try_get("s1_2")?,
            s1_3: r.try_get("s1_3")?,
            s1_4: r.try_get("s1_4")?,
            s2_1: r.try_get("s2_1")?,
            s2_2: r.try_get("s2_2")?,
            s2_3: r.try_get("s2_3")?,
        };
        (row, narrative)
    }};
}

/// Loads a report and its content with `$c` as executor.
macro_rules! load_report {
    ($c:expr, $campaign:expr, $unit:expr, $lock:expr) => {{
        let found = sqlx::query(&format!("SELECT {REPORT_COLUMNS}, cells, from_activities FROM report WHERE campaign_id = $1 AND unit_id = $2{}", $lock))
            .bind($campaign)
            .bind($unit)
            .fetch_optional(&mut *$c)
            .await?;
        match found {
            None => None,
            Some(r) => {
                let (row, narrative) = report_from_row!(&r);
                let mut content = ReportContent { narrative, ..Default::default() };
                let cells: String = r.try_get("cells")?;
                for cell in parse_cells(&cells) {
                    let (code, col, value) = cell?;
                    content.figures.set(code, col, Some(value));
                }
                let marks: String = r.try_get("from_activities")?;
                for cell in parse_cells(&marks) {
                    let (code, col, value) = cell?;
                    content.from_activities.set(code, col, Some(value));
                }
                // Notes and explanations in one round trip.
                let parts = sqlx::query(
                    "SELECT 'n' AS kind, indicator_code AS k1, note AS body FROM report_note WHERE report_id = $1 \
                     UNION ALL SELECT 'e', warning_key, explanation FROM report_explanation WHERE report_id = $1",
                )
                .bind(row.id)
                .fetch_all(&mut *$c)
                .await?;
                for part in parts {
                    let kind: String = part.try_get("kind")?;
                    let k1: String = part.try_get("k1")?;
                    match kind.as_str() {
                        "n" => {
                            let body: Option<String> = part.try_get("body")?;
                            content.notes.insert(k1, body.unwrap_or_default());
                        }
                        _ => {
                            let body: Option<String> = part.try_get("body")?;
                            content.explanations.insert(k1, body.unwrap_or_default());
                        }
                    }
                }
                Some(ReportRecord { row, content })
            }
        }
    }};
}

impl Store {
    /// The report of a unit in a campaign, with its content.
    pub async fn report(&self, campaign_id: i64, unit_id: i64) -> Result<Option<ReportRecord>> {
        on_pool!(self, p => {
            let mut c = p.acquire().await?;
            let c = &mut *c;
            Ok(load_report!(c, campaign_id, unit_id, ""))
        })
    }

    /// Report rows of the direct children of a unit (for drill-down state).
    pub async fn report_rows_for_units(
        &self,
        campaign_id: i64,
        unit_ids: &[i64],
    ) -> Result<BTreeMap<i64, ReportRow>> {
        let mut out = BTreeMap::new();
        for chunk in unit_ids.chunks(500) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT {REPORT_COLUMNS} FROM report WHERE campaign_id = $1 AND unit_id IN ({})",
                placeholders.join(", ")
            );
            on_pool!(self, p => {
                let mut q = sqlx::query(&sql).bind(campaign_id);
                for id in chunk {
                    q = q.bind(id);
                }
                for r in q.fetch_all(p).await? {
                    let (row, _) = report_from_row!(&r);
                    out.insert(row.unit_id, row);
                }
            });
        }
        Ok(out)
    }

    /// Units of the given types in a subtree with the state of their report.
    pub async fn subtree_report_states(
        &self,
        campaign_id: i64,
        tree_id: i64,
        path: &str,
        types: &[String],
    ) -> Result<Vec<SubtreeReportRow>> {
        let units = self.subtree_units_of_types(tree_id, path, types).await?;
        let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
        let rows = self.report_rows_for_units(campaign_id, &ids).await?;
        Ok(units
            .into_iter()
            .map(|u| {
                let r = rows.get(&u.id);
                SubtreeReportRow {
                    status: r.map(|r| r.status),
                    submitted_at: r.and_then(|r| r.submitted_at.clone()),
                    late: r.is_some_and(|r| r.late),
                    entered_on_behalf: r.is_some_and(|r| r.entered_on_behalf),
                    unit: u,
                }
            })
            .collect())
    }

    /// A report's history, oldest first.
    pub async fn report_history(&self, report_id: i64) -> Result<Vec<ReportHistoryEntry>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT h.version, h.action, h.status, h.content, h.comment, h.user_id, u.username, h.at FROM report_history h LEFT JOIN app_user u ON u.id = h.user_id WHERE h.report_id = $1 ORDER BY h.id")
                .bind(report_id).fetch_all(p).await?;
            rows.iter().map(|r| {
                let content: String = r.try_get("content")?;
                Ok(ReportHistoryEntry {
                    version: r.try_get("version")?,
                    action: r.try_get("action")?,
                    status: r.try_get("status")?,
                    content: serde_json::from_str(&content).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    comment: r.try_get("comment")?,
                    user_id: r.try_get("user_id")?,
                    username: r.try_get("username")?,
                    at: r.try_get("at")?,
                })
            }).collect()
        })
    }

    pub async fn photos(&self, report_id: i64) -> Result<Vec<PhotoMeta>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT id, report_id, file_name, content_type, byte_size, caption, created_at FROM report_photo WHERE report_id = $1 ORDER BY id")
                .bind(report_id).fetch_all(p).await?;
            rows.iter().map(|r| Ok(PhotoMeta {
                id: r.try_get("id")?,
                report_id: r.try_get("report_id")?,
                file_name: r.try_get("file_name")?,
                content_type: r.try_get("content_type")?,
                byte_size: r.try_get("byte_size")?,
                caption: r.try_get("caption")?,
                created_at: r.try_get("created_at")?,
            })).collect()
        })
    }

    /// A photo's bytes with its content type and report id.
    pub async fn photo_data(&self, photo_id: i64) -> Result<Option<(i64, String, Vec<u8>)>> {
        on_pool!(self, p => {
            let row = sqlx::query("SELECT report_id, content_type, data FROM report_photo WHERE id = $1").bind(photo_id).fetch_optional(p).await?;
            row.map(|r| Ok((r.try_get("report_id")?, r.try_get("content_type")?, r.try_get("data")?))).transpose()
        })
    }
}

/// Reads `report.cells` back: (row code, column key, value) per cell.
fn parse_cells(text: &str) -> impl Iterator<Item = Result<(&str, &str, i64)>> {
    text.split(',').filter(|c| !c.is_empty()).map(|cell| {
        cell.split_once('=')
            .and_then(|(k, v)| {
                let (code, col) = k.split_once(':')?;
                Some((code, col, v.parse::<i64>().ok()?))
            })
            .ok_or_else(|| StoreError::Corrupt(format!("giá trị \"{cell}\"")))
    })
}

/// A report's own cells as stored in `report.cells` (and its marks in `from_activities`): `code:column=value,…` (row codes and
/// column keys are `[A-Za-z0-9._-]`, so the separators cannot occur inside them).
fn cells_string(figures: &tuanle_domain::report::Figures) -> String {
    let mut out = String::new();
    for (code, cols) in &figures.0 {
        for (col, v) in cols {
            if !out.is_empty() {
                out.push(',');
            }
            out.push_str(code);
            out.push(':');
            out.push_str(col);
            out.push('=');
            out.push_str(&v.to_string());
        }
    }
    out
}

impl Tx {
    /// Reports of a campaign with their raw values, for rebuilds: (unit_id, status,
    /// late, figures). Each report's own cells are stored beside it as one string
    /// (`code:column=value,…`, written with the report), so millions of
    /// values cross as tens of thousands of rows; they are streamed, so that only one
    /// report's string is held at a time.
    pub async fn campaign_reports(
        &mut self,
        campaign_id: i64,
        template: &tuanle_domain::template::Template,
    ) -> Result<Vec<(i64, ReportStatus, bool, Vec<i64>)>> {
        let slots = template.slot_count();
        on_tx!(self, p => {
            let mut out = Vec::new();
            let mut rows = sqlx::query("SELECT unit_id, status, late, cells FROM report WHERE campaign_id = $1").bind(campaign_id).fetch(&mut *p);
            while let Some(r) = futures_util::TryStreamExt::try_next(&mut rows).await? {
                let status: String = r.try_get("status")?;
                let status = ReportStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(status.clone()))?;
                let cells: String = r.try_get("cells")?;
                let mut values = vec![0; slots];
                for cell in parse_cells(&cells) {
                    let (code, col, value) = cell?;
                    // Values of rows or columns the template does not have are not summed.
                    if let Some(slot) = template.slot(code, col) {
                        values[slot] = value;
                    }
                }
                out.push((r.try_get("unit_id")?, status, r.try_get("late")?, values));
            }
            Ok(out)
        })
    }

    /// The report, read inside the transaction before changing it (locked on PostgreSQL).
    pub async fn report(&mut self, campaign_id: i64, unit_id: i64) -> Result<Option<ReportRecord>> {
        let lock = self.lock_clause();
        on_tx!(self, c => Ok(load_report!(c, campaign_id, unit_id, lock)))
    }

    /// Writes a report and replaces its content; `row.id == 0` creates it. Returns the id.
    pub async fn save_report(&mut self, row: &ReportRow, content: &ReportContent) -> Result<i64> {
        let n = &content.narrative;
        let cells_text = cells_string(&content.figures);
        let marks_text = cells_string(&content.from_activities);
        let id: i64 = if row.id == 0 {
            on_tx!(self, c => {
                sqlx::query_scalar(
                    "INSERT INTO report (campaign_id, unit_id, status, version, s1_1, s1_2, s1_3, s1_4, s2_1, s2_2, s2_3, first_submitted_at, submitted_at, late, \
                     reviewed_at, reviewed_by, review_comment, entered_by, entered_on_behalf, updated_at, updated_by, cells, from_activities) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) RETURNING id",
                )
                .bind(row.campaign_id).bind(row.unit_id).bind(row.status.as_str()).bind(row.version)
                .bind(&n.s1_1).bind(&n.s1_2).bind(&n.s1_3).bind(&n.s1_4).bind(&n.s2_1).bind(&n.s2_2).bind(&n.s2_3)
                .bind(&row.first_submitted_at).bind(&row.submitted_at).bind(row.late).bind(&row.reviewed_at).bind(row.reviewed_by)
                .bind(&row.review_comment).bind(row.entered_by).bind(row.entered_on_behalf).bind(&row.updated_at).bind(row.updated_by)
                .bind(&cells_text).bind(&marks_text)
                .fetch_one(&mut *c).await?
            })
        } else {
            on_tx!(self, c => {
                sqlx::query(
                    "UPDATE report SET status = $1, version = $2, s1_1 = $3, s1_2 = $4, s1_3 = $5, s1_4 = $6, s2_1 = $7, s2_2 = $8, s2_3 = $9, \
                     first_submitted_at = $10, submitted_at = $11, late = $12, reviewed_at = $13, reviewed_by = $14, review_comment = $15, \
                     entered_by = $16, entered_on_behalf = $17, updated_at = $18, updated_by = $19, cells = $21, from_activities = $22 WHERE id = $20",
                )
                .bind(row.status.as_str()).bind(row.version)
                .bind(&n.s1_1).bind(&n.s1_2).bind(&n.s1_3).bind(&n.s1_4).bind(&n.s2_1).bind(&n.s2_2).bind(&n.s2_3)
                .bind(&row.first_submitted_at).bind(&row.submitted_at).bind(row.late).bind(&row.reviewed_at).bind(row.reviewed_by)
                .bind(&row.review_comment).bind(row.entered_by).bind(row.entered_on_behalf).bind(&row.updated_at).bind(row.updated_by)
                .bind(row.id)
                .bind(&cells_text).bind(&marks_text)
                .execute(&mut *c).await?;
            });
            row.id
        };
        let notes: Vec<(&String, &String)> = content
            .notes
            .iter()
            .filter(|(_, n)| !n.trim().is_empty())
            .collect();
        let explanations: Vec<(&String, &String)> = content
            .explanations
            .iter()
            .filter(|(_, t)| !t.trim().is_empty())
            .collect();
        // Each statement is a round trip on PostgreSQL: a new report has nothing to
        // delete, and each table's rows go in one multi-row statement.
        let pairs_sql = |table: &str, columns: &str, n: usize| {
            let rows: Vec<String> = (0..n)
                .map(|i| format!("($1, ${}, ${})", 2 * i + 2, 2 * i + 3))
                .collect();
            format!(
                "INSERT INTO {table} (report_id, {columns}) VALUES {}",
                rows.join(", ")
            )
        };
        on_tx!(self, c => {
            if row.id != 0 {
                sqlx::query("DELETE FROM report_note WHERE report_id = $1").bind(id).execute(&mut *c).await?;
                sqlx::query("DELETE FROM report_explanation WHERE report_id = $1").bind(id).execute(&mut *c).await?;
            }
            if !notes.is_empty() {
                let sql = pairs_sql("report_note", "indicator_code, note", notes.len());
                let mut q = sqlx::query(&sql).bind(id);
                for (code, note) in &notes {
                    q = q.bind(*code).bind(*note);
                }
                q.execute(&mut *c).await?;
            }
            if !explanations.is_empty() {
                let sql = pairs_sql("report_explanation", "warning_key, explanation", explanations.len());
                let mut q = sqlx::query(&sql).bind(id);
                for (key, text) in &explanations {
                    q = q.bind(*key).bind(*text);
                }
                q.execute(&mut *c).await?;
            }
        });
        Ok(id)
    }

    /// Appends a snapshot to the report's history.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_report_history(
        &mut self,
        report_id: i64,
        version: i64,
        action: &str,
        status: ReportStatus,
        content: &ReportContent,
        comment: Option<&str>,
        user_id: Option<i64>,
        at: &str,
    ) -> Result<()> {
        let json =
            serde_json::to_string(content).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        on_tx!(self, c => {
            sqlx::query("INSERT INTO report_history (report_id, version, action, status, content, comment, user_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .bind(report_id).bind(version).bind(action).bind(status.as_str()).bind(json).bind(comment).bind(user_id).bind(at)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_photo(
        &mut self,
        report_id: i64,
        file_name: &str,
        content_type: &str,
        data: &[u8],
        caption: &str,
        user_id: Option<i64>,
        at: &str,
    ) -> Result<i64> {
        on_tx!(self, c => {
            Ok(sqlx::query_scalar(
                "INSERT INTO report_photo (report_id, file_name, content_type, byte_size, data, caption, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(report_id).bind(file_name).bind(content_type).bind(data.len() as i64).bind(data).bind(caption).bind(user_id).bind(at)
            .fetch_one(&mut *c).await?)
        })
    }

    /// Deletes a photo of a report; returns whether it existed.
    pub async fn delete_photo(&mut self, report_id: i64, photo_id: i64) -> Result<bool> {
        on_tx!(self, c => Ok(sqlx::query("DELETE FROM report_photo WHERE id = $1 AND report_id = $2").bind(photo_id).bind(report_id).execute(&mut *c).await?.rows_affected() == 1))
    }
}
