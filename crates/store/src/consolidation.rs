//! Tổng hợp — the running sums kept per unit, campaign and basis.

use std::collections::HashMap;

use sqlx::Row;
use tuanle_domain::consolidate::Totals;
use tuanle_domain::report::Basis;

use crate::{on_pool, on_tx, Result, Store, StoreError, Tx};

fn decode_figures(text: &str) -> Result<Vec<i64>> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("số liệu tổng hợp: {e}")))
}

fn encode_figures(v: &[i64]) -> String {
    serde_json::to_string(v).expect("numbers serialise")
}

impl Store {
    /// The totals of several units on one basis; units with nothing counted are absent.
    pub async fn totals_for_units(&self, campaign_id: i64, unit_ids: &[i64], basis: Basis) -> Result<HashMap<i64, Totals>> {
        let mut out = HashMap::new();
        for chunk in unit_ids.chunks(500) {
            let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = format!(
                "SELECT unit_id, reports, late, figures FROM consolidation WHERE campaign_id = $1 AND basis = $2 AND unit_id IN ({})",
                placeholders.join(", ")
            );
            on_pool!(self, p => {
                let mut q = sqlx::query(&sql).bind(campaign_id).bind(basis.as_str());
                for id in chunk {
                    q = q.bind(id);
                }
                for r in q.fetch_all(p).await? {
                    let figures: String = r.try_get("figures")?;
                    out.insert(r.try_get("unit_id")?, Totals { values: decode_figures(&figures)?, reports: r.try_get("reports")?, late: r.try_get("late")? });
                }
            });
        }
        Ok(out)
    }

    /// All stored totals of a campaign: (unit, basis) → totals.
    pub async fn all_totals(&self, campaign_id: i64) -> Result<HashMap<(i64, Basis), Totals>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT unit_id, basis, reports, late, figures FROM consolidation WHERE campaign_id = $1").bind(campaign_id).fetch_all(p).await?;
            let mut out = HashMap::new();
            for r in rows {
                let basis: String = r.try_get("basis")?;
                let figures: String = r.try_get("figures")?;
                let basis = Basis::parse(&basis).ok_or_else(|| StoreError::Corrupt(basis.clone()))?;
                out.insert((r.try_get("unit_id")?, basis), Totals { values: decode_figures(&figures)?, reports: r.try_get("reports")?, late: r.try_get("late")? });
            }
            Ok(out)
        })
    }
}

impl Tx {
    /// Adds `delta` to the totals of every unit in `unit_ids` (a report's lineage, root
    /// first, so that concurrent writers lock rows in the same order). Each row is
    /// created empty if missing, then read (locked on PostgreSQL) and rewritten.
    pub async fn apply_delta(&mut self, campaign_id: i64, unit_ids: &[i64], basis: Basis, delta: &Totals) -> Result<()> {
        let lock = self.lock_clause();
        let select = format!("SELECT reports, late, figures FROM consolidation WHERE campaign_id = $1 AND unit_id = $2 AND basis = $3{lock}");
        let empty = encode_figures(&vec![0; delta.values.len()]);
        for unit_id in unit_ids {
            let mut totals = on_tx!(self, c => {
                sqlx::query("INSERT INTO consolidation (campaign_id, unit_id, basis, reports, late, figures) VALUES ($1, $2, $3, 0, 0, $4) ON CONFLICT (campaign_id, unit_id, basis) DO NOTHING")
                    .bind(campaign_id).bind(unit_id).bind(basis.as_str()).bind(&empty).execute(&mut *c).await?;
                let current = sqlx::query(&select).bind(campaign_id).bind(unit_id).bind(basis.as_str()).fetch_one(&mut *c).await?;
                let figures: String = current.try_get("figures")?;
                Totals { values: decode_figures(&figures)?, reports: current.try_get("reports")?, late: current.try_get("late")? }
            });
            totals.add(delta, 1);
            on_tx!(self, c => {
                sqlx::query("UPDATE consolidation SET reports = $1, late = $2, figures = $3 WHERE campaign_id = $4 AND unit_id = $5 AND basis = $6")
                    .bind(totals.reports).bind(totals.late).bind(encode_figures(&totals.values)).bind(campaign_id).bind(unit_id).bind(basis.as_str())
                    .execute(&mut *c).await?;
            });
        }
        Ok(())
    }

    /// Replaces all totals of a campaign (after a rebuild).
    pub async fn replace_totals(&mut self, campaign_id: i64, totals: &HashMap<(i64, Basis), Totals>) -> Result<()> {
        on_tx!(self, c => { sqlx::query("DELETE FROM consolidation WHERE campaign_id = $1").bind(campaign_id).execute(&mut *c).await?; });
        for ((unit_id, basis), t) in totals {
            on_tx!(self, c => {
                sqlx::query("INSERT INTO consolidation (campaign_id, unit_id, basis, reports, late, figures) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(campaign_id).bind(unit_id).bind(basis.as_str()).bind(t.reports).bind(t.late).bind(encode_figures(&t.values))
                    .execute(&mut *c).await?;
            });
        }
        Ok(())
    }

    /// Parent of each unit in a tree, for rebuilds.
    pub async fn tree_parents(&mut self, tree_id: i64) -> Result<HashMap<i64, Option<i64>>> {
        on_tx!(self, c => {
            let rows = sqlx::query("SELECT id, parent_id FROM unit WHERE tree_id = $1").bind(tree_id).fetch_all(&mut *c).await?;
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("parent_id")?))).collect()
        })
    }
}
