//! Tổng hợp — the running sums kept per unit, campaign and basis.
//!
//! A unit's sum may be split over shards (rows with the same unit and basis and a
//! different `shard`); readers add the shards up. Writers put a report's delta on one
//! shard per ancestor, so concurrent submissions lock different rows of the busiest
//! units instead of queueing on one.

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

/// Adds one stored shard row into a unit's totals.
fn add_row(
    out: &mut HashMap<i64, Totals>,
    unit_id: i64,
    figures: &str,
    reports: i64,
    late: i64,
) -> Result<()> {
    let t = Totals {
        values: decode_figures(figures)?,
        reports,
        late,
    };
    match out.get_mut(&unit_id) {
        Some(sum) => sum.add(&t, 1),
        None => {
            out.insert(unit_id, t);
        }
    }
    Ok(())
}

impl Store {
    /// The totals of several units on one basis (shards added up); units with nothing
    /// counted are absent.
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
                    add_row(&mut out, r.try_get("unit_id")?, &figures, r.try_get("reports")?, r.try_get("late")?)?;
                }
            });
        }
        Ok(out)
    }

    /// All stored totals of a campaign: (unit, basis) → totals.
    pub async fn all_totals(&self, campaign_id: i64) -> Result<HashMap<(i64, Basis), Totals>> {
        let mut out = HashMap::new();
        for basis in Basis::ALL {
            out.extend(
                self.basis_totals(campaign_id, basis)
                    .await?
                    .into_iter()
                    .map(|(u, t)| ((u, basis), t)),
            );
        }
        Ok(out)
    }

    /// All stored totals of a campaign on one basis (shards added up): unit → totals.
    pub async fn basis_totals(
        &self,
        campaign_id: i64,
        basis: Basis,
    ) -> Result<HashMap<i64, Totals>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT unit_id, reports, late, figures FROM consolidation WHERE campaign_id = $1 AND basis = $2")
                .bind(campaign_id).bind(basis.as_str()).fetch_all(p).await?;
            let mut out = HashMap::with_capacity(rows.len());
            for r in rows {
                let figures: String = r.try_get("figures")?;
                add_row(&mut out, r.try_get("unit_id")?, &figures, r.try_get("reports")?, r.try_get("late")?)?;
            }
            Ok(out)
        })
    }
}

impl Tx {
    /// Adds `delta` to one shard of each unit's totals: `targets` are (unit, shard)
    /// pairs, a report's lineage. The rows are created empty if missing, read (locked
    /// on PostgreSQL, in (unit, shard) order so that writers never deadlock) and
    /// rewritten, in three statements.
    pub async fn apply_delta(
        &mut self,
        campaign_id: i64,
        targets: &[(i64, i64)],
        basis: Basis,
        delta: &Totals,
    ) -> Result<()> {
        if targets.is_empty() {
            return Ok(());
        }
        let lock = self.lock_clause();
        let n = targets.len();
        let empty = encode_figures(&vec![0; delta.values.len()]);
        let ins_rows: Vec<String> = (0..n)
            .map(|i| format!("($1, ${}, $2, ${}, 0, 0, $3)", 2 * i + 4, 2 * i + 5))
            .collect();
        let insert = format!(
            "INSERT INTO consolidation (campaign_id, unit_id, basis, shard, reports, late, figures) VALUES {} ON CONFLICT (campaign_id, unit_id, basis, shard) DO NOTHING",
            ins_rows.join(", ")
        );
        // One indexed SELECT per shard value (at most two: the sharded ancestors' shard
        // and 0), in a fixed order, so that every writer locks rows in the same order.
        let mut groups: Vec<(i64, Vec<i64>)> = Vec::new();
        for (unit, shard) in targets {
            match groups.iter_mut().find(|(s, _)| s == shard) {
                Some((_, units)) => units.push(*unit),
                None => groups.push((*shard, vec![*unit])),
            }
        }
        groups.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
        let mut current: Vec<(i64, i64, Totals)> = Vec::with_capacity(n);
        on_tx!(self, c => {
            let mut q = sqlx::query(&insert).bind(campaign_id).bind(basis.as_str()).bind(&empty);
            for (unit, shard) in targets {
                q = q.bind(unit).bind(shard);
            }
            q.execute(&mut *c).await?;
        });
        for (shard, units) in &groups {
            let ids: Vec<String> = (0..units.len()).map(|i| format!("${}", i + 4)).collect();
            let select = format!(
                "SELECT unit_id, shard, reports, late, figures FROM consolidation WHERE campaign_id = $1 AND basis = $2 AND shard = $3 AND unit_id IN ({}) ORDER BY unit_id{lock}",
                ids.join(", ")
            );
            on_tx!(self, c => {
                let mut q = sqlx::query(&select).bind(campaign_id).bind(basis.as_str()).bind(shard);
                for id in units {
                    q = q.bind(id);
                }
                for r in q.fetch_all(&mut *c).await? {
                    let figures: String = r.try_get("figures")?;
                    current.push((r.try_get::<i64, _>("unit_id")?, r.try_get::<i64, _>("shard")?, Totals { values: decode_figures(&figures)?, reports: r.try_get("reports")?, late: r.try_get("late")? }));
                }
            });
        }
        for (_, _, t) in current.iter_mut() {
            t.add(delta, 1);
        }
        let up_rows: Vec<String> = (0..current.len())
            .map(|i| {
                format!(
                    "($1, ${}, $2, ${}, ${}, ${}, ${})",
                    5 * i + 3,
                    5 * i + 4,
                    5 * i + 5,
                    5 * i + 6,
                    5 * i + 7
                )
            })
            .collect();
        let upsert = format!(
            "INSERT INTO consolidation (campaign_id, unit_id, basis, shard, reports, late, figures) VALUES {} \
             ON CONFLICT (campaign_id, unit_id, basis, shard) DO UPDATE SET reports = excluded.reports, late = excluded.late, figures = excluded.figures",
            up_rows.join(", ")
        );
        on_tx!(self, c => {
            let mut q = sqlx::query(&upsert).bind(campaign_id).bind(basis.as_str());
            for (id, shard, t) in &current {
                q = q.bind(id).bind(shard).bind(t.reports).bind(t.late).bind(encode_figures(&t.values));
            }
            q.execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Sets the given units' totals (after a rebuild): their shards are replaced by one
    /// row holding the whole sum.
    pub async fn upsert_totals(
        &mut self,
        campaign_id: i64,
        totals: &[((i64, Basis), &Totals)],
    ) -> Result<()> {
        let keys: Vec<(i64, Basis)> = totals.iter().map(|(k, _)| *k).collect();
        self.delete_totals(campaign_id, &keys).await?;
        for chunk in totals.chunks(400) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    format!(
                        "($1, ${}, ${}, 0, ${}, ${}, ${})",
                        5 * i + 2,
                        5 * i + 3,
                        5 * i + 4,
                        5 * i + 5,
                        5 * i + 6
                    )
                })
                .collect();
            let sql = format!("INSERT INTO consolidation (campaign_id, unit_id, basis, shard, reports, late, figures) VALUES {}", rows.join(", "));
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

    /// Deletes every shard of the given (unit, basis) totals.
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
