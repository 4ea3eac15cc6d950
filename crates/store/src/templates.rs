//! Mẫu tổng hợp — stored templates.

use sqlx::Row;
use tuanle_domain::template::{RowKind, Template};

use crate::{now_text, on_pool, on_tx, Result, Store, StoreError, Tx};

fn kind_columns(kind: &RowKind) -> (&'static str, Option<&str>) {
    match kind {
        RowKind::Group => ("group", None),
        RowKind::Value => ("value", None),
        RowKind::Total { of } => ("total", Some(of.as_str())),
        RowKind::Note => ("note", None),
    }
}

impl Store {
    /// A template by id.
    pub async fn template(&self, id: i64) -> Result<Option<Template>> {
        let def: Option<String> = on_pool!(self, p => sqlx::query_scalar("SELECT definition FROM indicator_template WHERE id = $1").bind(id).fetch_optional(p).await?);
        def.map(|d| Template::from_json(&d).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
    }

    /// All templates: (id, code, version, name).
    pub async fn list_templates(&self) -> Result<Vec<(i64, String, i64, String)>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT id, code, version, name FROM indicator_template ORDER BY code, version").fetch_all(p).await?;
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("code")?, r.try_get("version")?, r.try_get("name")?))).collect()
        })
    }

    pub async fn template_id(&self, code: &str, version: i64) -> Result<Option<i64>> {
        on_pool!(self, p => Ok(sqlx::query_scalar("SELECT id FROM indicator_template WHERE code = $1 AND version = $2").bind(code).bind(version).fetch_optional(p).await?))
    }
}

impl Tx {
    /// Stores a checked template; (code, version) must be new.
    pub async fn insert_template(&mut self, t: &Template) -> Result<i64> {
        let now = now_text();
        let id: i64 = on_tx!(self, c => {
            sqlx::query_scalar("INSERT INTO indicator_template (code, version, name, definition, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(&t.code).bind(t.version).bind(&t.name).bind(t.to_json()).bind(&now)
                .fetch_one(&mut *c).await
        })
        .map_err(|e| {
            let e = StoreError::from(e);
            if e.is_unique_violation() { StoreError::Conflict(format!("mẫu {} phiên bản {} đã có", t.code, t.version)) } else { e }
        })?;
        for (pos, ind) in t.indicators.iter().enumerate() {
            let (kind, total_of) = kind_columns(&ind.kind);
            on_tx!(self, c => {
                sqlx::query(
                    "INSERT INTO template_indicator (template_id, position, code, stt, label, unit_of_measure, columns, parent_code, kind, total_of, money) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(id).bind(pos as i64).bind(&ind.code).bind(&ind.stt).bind(&ind.label).bind(&ind.unit)
                .bind(ind.columns.join(",")).bind(&ind.parent).bind(kind).bind(total_of).bind(ind.money)
                .execute(&mut *c).await?;
            });
        }
        Ok(id)
    }
}
