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
    pub async fn totals_for_units(
        &self,
        campaign_id: i64,
        unit_ids: &[i64],
        basis: Basis,
    ) -> Result<HashMap<i64, Totals>> {
        let mut out = HashMap::new();
        for chunk in unit_ids.chunks(500) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
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
    /// Adds `delta` to the totals of every unit in `unit_ids` (a report's lineage). The
    /// rows are created empty if missing, read (locked on PostgreSQL, in unit id order so
    /// that concurrent writers never deadlock) and rewritten, in three statements.
    pub async fn apply_delta(
        &mut self,
        campaign_id: i64,
        unit_ids: &[i64],
        basis: Basis,
        delta: &Totals,
    ) -> Result<()> {
        if unit_ids.is_empty() {
            return Ok(());
        }
        let lock = self.lock_clause();
        let n = unit_ids.len();
        let empty = encode_figures(&vec![0; delta.values.len()]);
        let ins_rows: Vec<String> = (0..n)
            .map(|i| format!("($1, ${}, $2, 0, 0, $3)", i + 4))
            .collect();
        let insert = format!(
            "INSERT INTO consolidation (campaign_id, unit_id, basis, reports, late, figures) VALUES {} ON CONFLICT (campaign_id, unit_id, basis) DO NOTHING",
            ins_rows.join(", ")
        );
        let ids: Vec<String> = (0..n).map(|i| format!("${}", i + 3)).collect();
        let select = format!(
            "SELECT unit_id, reports, late, figures FROM consolidation WHERE campaign_id = $1 AND basis = $2 AND unit_id IN ({}) ORDER BY unit_id{lock}",
            ids.join(", ")
        );
        let mut current: Vec<(i64, Totals)> = on_tx!(self, c => {
            let mut q = sqlx::query(&insert).bind(campaign_id).bind(basis.as_str()).bind(&empty);
            for id in unit_ids {
                q = q.bind(id);
            }
            q.execute(&mut *c).await?;
            let mut q = sqlx::query(&select).bind(campaign_id).bind(basis.as_str());
            for id in unit_ids {
                q = q.bind(id);
            }
            let rows = q.fetch_all(&mut *c).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let figures: String = r.try_get("figures")?;
                out.push((r.try_get::<i64, _>("unit_id")?, Totals { values: decode_figures(&figures)?, reports: r.try_get("reports")?, late: r.try_get("late")? }));
            }
            out
        });
        for (_, t) in current.iter_mut() {
            t.add(delta, 1);
        }
        let up_rows: Vec<String> = (0..current.len())
            .map(|i| {
                format!(
                    "($1, ${}, $2, ${}, ${}, ${})",
                    4 * i + 3,
                    4 * i + 4,
                    4 * i + 5,
                    4 * i + 6
                )
            })
            .collect();
        let upsert = format!(
            "INSERT INTO consolidation (campaign_id, unit_id, basis, reports, late, figures) VALUES {} \
             ON CONFLICT (campaign_id, unit_id, basis) DO UPDATE SET reports = excluded.reports, late = excluded.late, figures = excluded.figures",
            up_rows.join(", ")
        );
        on_tx!(self, c => {
            let mut q = sqlx::query(&upsert).bind(campaign_id).bind(basis.as_str());
            for (id, t) in &current {
                q = q.bind(id).bind(t.reports).bind(t.late).bind(encode_figures(&t.values));
            }
            q.execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Replaces all totals of a campaign (after a rebuild), in multi-row statements.
    pub async fn replace_totals(
        &mut self,
        campaign_id: i64,
        totals: &HashMap<(i64, Basis), Totals>,
    ) -> Result<()> {
        on_tx!(self, c => { sqlx::query("DELETE FROM consolidation WHERE campaign_id = $1").bind(campaign_id).execute(&mut *c).await?; });
        let all: Vec<(&(i64, Basis), &Totals)> = totals.iter().collect();
        for chunk in all.chunks(400) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    format!(
                        "($1, ${}, ${}, ${}, ${}, ${})",
                        5 * i + 2,
                        5 * i + 3,
                        5 * i + 4,
                        5 * i + 5,
                        5 * i + 6
                    )
                })
                .collect();
            let sql = format!("INSERT INTO consolidation (campaign_id, unit_id, basis, reports, late, figures) VALUES {}", rows.join(", "));
            on_tx!(self, c => {
                let mut q = sqlx::query(&sql).bind(campaign_id);
                for ((unit_id, basis), t) in chunk {
                    q = q.bind(unit_id).bind(basis.as_str()).bind(t.reports).bind(t.late).bind(encode_figures(&t.values));
                }
                q.execute(&mut *c).await?;
            });
        }
        Ok(())
    }

    /// Writes the given totals (insert or overwrite), in multi-row statements.
    pub async fn upsert_totals(
        &mut self,
        campaign_id: i64,
        totals: &[((i64, Basis), &Totals)],
    ) -> Result<()> {
        for chunk in totals.chunks(400) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    format!(
                        "($1, ${}, ${}, ${}, ${}, ${})",
                        5 * i + 2,
                        5 * i + 3,
                        5 * i + 4,
                        5 * i + 5,
                        5 * i + 6
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO consolidation (campaign_id, unit_id, basis, reports, late, figures) VALUES {} \
                 ON CONFLICT (campaign_id, unit_id, basis) DO UPDATE SET reports = excluded.reports, late = excluded.late, figures = excluded.figures",
                rows.join(", ")
            );
            on_tx!(self, c => {
                let mut q = sqlx::query(&sql).bind(campaign_id);
                for ((unit_id, basis), t) in chunk {
                    q = q.bind(unit_id).bind(basis.as_str()).bind(t.reports).bind(t.late).bind(encode_figures(&t.values));
                }
                q.execute(&mut *c).await?;
            });
        }
        Ok(())
    }

    /// Deletes the totals of the given (unit, basis) pairs.
    pub async fn delete_totals(&mut self, campaign_id: i64, keys: &[(i64, Basis)]) -> Result<()> {
        for (unit_id, basis) in keys {
            on_tx!(self, c => {
                sqlx::query("DELETE FROM consolidation WHERE campaign_id = $1 AND unit_id = $2 AND basis = $3")
                    .bind(campaign_id).bind(unit_id).bind(basis.as_str()).execute(&mut *c).await?;
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
