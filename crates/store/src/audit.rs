//! Nhật ký thay đổi — the audit trail. Rows are only ever inserted.

use sqlx::Row;

use crate::units::path_end;
use crate::{now_text, on_pool, on_tx, Result, Store, Tx};

/// A change to record.
#[derive(Debug, Clone, Default)]
pub struct NewAudit {
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub ip: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub unit_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A recorded change.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub ip: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub unit_id: Option<i64>,
    /// Mã and tên of the row's unit (`None` for rows about no unit).
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Lọc nhật ký — which audit rows to read, newest first. Every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Rows of the units whose path starts with this one (a subtree, "/1/2/").
    pub within_path: Option<String>,
    /// Also rows about no unit (templates, campaigns, trees): national administrators.
    pub include_unitless: bool,
    /// Rows of exactly this unit.
    pub unit_id: Option<i64>,
    pub username: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// `at >= from` (RFC 3339 UTC, as stored).
    pub from: Option<String>,
    /// `at < until`.
    pub until: Option<String>,
    /// Keyset paging: rows with `id < before_id`.
    pub before_id: Option<i64>,
    /// At most this many rows (clamped to 1..=10 000).
    pub limit: i64,
}

fn entry_from_row<R: Row>(r: &R) -> Result<AuditEntry>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(AuditEntry {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        user_id: r.try_get("user_id")?,
        username: r.try_get("username")?,
        ip: r.try_get("ip")?,
        action: r.try_get("action")?,
        object_type: r.try_get("object_type")?,
        object_id: r.try_get("object_id")?,
        unit_id: r.try_get("unit_id")?,
        unit_code: r.try_get("unit_code")?,
        unit_name: r.try_get("unit_name")?,
        before: r.try_get("before_state")?,
        after: r.try_get("after_state")?,
    })
}

const ENTRY_SELECT: &str =
    "SELECT a.id, a.at, a.user_id, a.username, a.ip, a.action, a.object_type, a.object_id, \
     a.unit_id, u.code AS unit_code, u.name AS unit_name, a.before_state, a.after_state \
     FROM audit_log a LEFT JOIN unit u ON u.id = a.unit_id";

impl Tx {
    pub async fn audit(&mut self, a: NewAudit) -> Result<()> {
        let now = now_text();
        let before = a.before.map(|v| v.to_string());
        let after = a.after.map(|v| v.to_string());
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO audit_log (at, user_id, username, ip, action, object_type, object_id, unit_id, before_state, after_state) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&now).bind(a.user_id).bind(&a.username).bind(&a.ip).bind(&a.action).bind(&a.object_type).bind(&a.object_id)
            .bind(a.unit_id).bind(before).bind(after)
            .execute(&mut *c).await?;
        });
        Ok(())
    }
}

impl Store {
    /// Audit rows about an object, or all rows when `object` is `None`, newest first.
    pub async fn audit_entries(
        &self,
        object: Option<(&str, &str)>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let (object_type, object_id) = match object {
            Some((t, id)) => (Some(t.to_string()), Some(id.to_string())),
            None => (None, None),
        };
        self.audit_search(&AuditFilter {
            include_unitless: true,
            object_type,
            object_id,
            limit,
            ..Default::default()
        })
        .await
    }

    /// Audit rows matching `f`, newest first (by id, which is insertion order).
    pub async fn audit_search(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut sql = format!("{ENTRY_SELECT} WHERE 1 = 1");
        let mut texts: Vec<String> = Vec::new();
        let mut ints: Vec<i64> = Vec::new();
        let mut n = 0;
        let mut place = |sql: &mut String, clause: &str| {
            let mut out = String::new();
            for (i, part) in clause.split('?').enumerate() {
                if i > 0 {
                    n += 1;
                    out.push_str(&format!("${n}"));
                }
                out.push_str(part);
            }
            sql.push_str(&out);
        };
        // Text parameters first, integer ones after: placeholders are numbered in the
        // order they are bound.
        if let Some(path) = &f.within_path {
            if f.include_unitless {
                place(
                    &mut sql,
                    " AND ((u.path >= ? AND u.path < ?) OR a.unit_id IS NULL)",
                );
            } else {
                place(&mut sql, " AND u.path >= ? AND u.path < ?");
            }
            texts.push(path.clone());
            texts.push(path_end(path));
        } else if !f.include_unitless {
            sql.push_str(" AND a.unit_id IS NOT NULL");
        }
        for (v, clause) in [
            (&f.username, " AND a.username = ?"),
            (&f.action, " AND a.action = ?"),
            (&f.object_type, " AND a.object_type = ?"),
            (&f.object_id, " AND a.object_id = ?"),
            (&f.from, " AND a.at >= ?"),
            (&f.until, " AND a.at < ?"),
        ] {
            if let Some(v) = v {
                place(&mut sql, clause);
                texts.push(v.clone());
            }
        }
        for (v, clause) in [
            (f.unit_id, " AND a.unit_id = ?"),
            (f.before_id, " AND a.id < ?"),
        ] {
            if let Some(v) = v {
                place(&mut sql, clause);
                ints.push(v);
            }
        }
        sql.push_str(&format!(
            " ORDER BY a.id DESC LIMIT {}",
            f.limit.clamp(1, 10_000)
        ));
        on_pool!(self, p => {
            let mut q = sqlx::query(&sql);
            for t in &texts { q = q.bind(t); }
            for i in &ints { q = q.bind(i); }
            let rows = q.fetch_all(p).await?;
            rows.iter().map(entry_from_row).collect()
        })
    }

    pub async fn count_audit(&self) -> Result<i64> {
        on_pool!(self, p => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(p).await?))
    }
}
