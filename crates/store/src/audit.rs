//! Nhật ký thay đổi — the audit trail. Rows are only ever inserted.

use sqlx::Row;

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
    pub username: Option<String>,
    pub ip: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub unit_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

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
        on_pool!(self, p => {
            let rows = match object {
                Some((t, id)) => sqlx::query("SELECT * FROM audit_log WHERE object_type = $1 AND object_id = $2 ORDER BY id DESC LIMIT $3").bind(t).bind(id).bind(limit).fetch_all(p).await?,
                None => sqlx::query("SELECT * FROM audit_log ORDER BY id DESC LIMIT $1").bind(limit).fetch_all(p).await?,
            };
            rows.iter().map(|r| Ok(AuditEntry {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                username: r.try_get("username")?,
                ip: r.try_get("ip")?,
                action: r.try_get("action")?,
                object_type: r.try_get("object_type")?,
                object_id: r.try_get("object_id")?,
                unit_id: r.try_get("unit_id")?,
                before: r.try_get("before_state")?,
                after: r.try_get("after_state")?,
            })).collect()
        })
    }

    pub async fn count_audit(&self) -> Result<i64> {
        on_pool!(self, p => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(p).await?))
    }
}
