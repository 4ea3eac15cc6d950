//! Tổng hợp — the running sums kept per unit, campaign and basis.
//!
//! A unit's sum is the sum of its rows in `consolidation` (older databases may hold
//! several shard rows per unit; readers add them up) plus, on PostgreSQL, its rows in
//! `consolidation_delta` not yet folded. Readers read both tables in one statement, so
//! they see one snapshot whether or not a fold commits meanwhile.

use std::collections::HashMap;

use sqlx::Row;
use tuanle_domain::consolidate::Totals;
use tuanle_domain::report::Basis;

use crate::{on_pool, on_tx, Result, Store, StoreError, Tx};

/// Most deltas folded in one transaction.
pub const FOLD_BATCH: i64 = 20_000;

/// Advisory lock key (two-int form, a key space apart from the campaign locks' one-int
/// form) held by the one transaction folding deltas at a time, across every instance.
const FOLD_LOCK: (i32, i32) = (0x7475, 1);

fn decode_figures(text: &str) -> Result<Vec<i64>> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("số liệu tổng hợp: {e}")))
}

fn encode_figures(v: &[i64]) -> String {
    serde_json::to_string(v).expect("numbers serialise")
}

fn basis_index(basis: Basis) -> usize {
    match basis {
        Basis::Submitted => 0,
        Basis::Accepted => 1,
    }
}

/// Adds one stored row into a unit's totals.
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
    /// The totals of several units on one basis (folded sums and pending deltas added
    /// up); units with nothing counted are absent.
    pub async fn totals_for_units(
        &self,
        campaign_id: i64,
        unit_ids: &[i64],
        basis: Basis,
    ) -> Result<HashMap<i64, Totals>> {
        let mut both = self.totals_on_bases(campaign_id, unit_ids).await?;
        Ok(std::mem::take(&mut both[basis_index(basis)]))
    }

    /// The totals of several units on both bases in one query per 500 units:
    /// `[submitted, accepted]`, each unit → totals.
    pub async fn totals_on_bases(
        &self,
        campaign_id: i64,
        unit_ids: &[i64],
    ) -> Result<[HashMap<i64, Totals>; 2]> {
        let mut out = [HashMap::new(), HashMap::new()];
        for chunk in unit_ids.chunks(500) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let list = placeholders.join(", ");
            let sql = format!(
                "SELECT unit_id, basis, reports, late, figures FROM consolidation WHERE campaign_id = $1 AND unit_id IN ({list}) \
                 UNION ALL SELECT unit_id, basis, reports, late, figures FROM consolidation_delta WHERE campaign_id = $1 AND unit_id IN ({list})"
            );
            on_pool!(self, p => {
                let mut q = sqlx::query(&sql).bind(campaign_id);
                for id in chunk {
                    q = q.bind(id);
                }
                for r in q.fetch_all(p).await? {
                    let basis: String = r.try_get("basis")?;
                    let basis = Basis::parse(&basis).ok_or_else(|| StoreError::Corrupt(format!("cơ sở tổng hợp \"{basis}\"")))?;
                    let figures: String = r.try_get("figures")?;
                    add_row(&mut out[basis_index(basis)], r.try_get("unit_id")?, &figures, r.try_get("reports")?, r.try_get("late")?)?;
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

    /// All stored totals of a campaign on one basis (folded and pending added up):
    /// unit → totals.
    pub async fn basis_totals(
        &self,
        campaign_id: i64,
        basis: Basis,
    ) -> Result<HashMap<i64, Totals>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT unit_id, reports, late, figures FROM consolidation WHERE campaign_id = $1 AND basis = $2 \
                 UNION ALL SELECT unit_id, reports, late, figures FROM consolidation_delta WHERE campaign_id = $1 AND basis = $2")
                .bind(campaign_id).bind(basis.as_str()).fetch_all(p).await?;
            let mut out = HashMap::with_capacity(rows.len());
            for r in rows {
                let figures: String = r.try_get("figures")?;
                add_row(&mut out, r.try_get("unit_id")?, &figures, r.try_get("reports")?, r.try_get("late")?)?;
            }
            Ok(out)
        })
    }

    /// Gộp phần cộng dồn: folds pending deltas (at most [`FOLD_BATCH`]) into the running
    /// sums in one transaction and returns how many were folded. Only one transaction
    /// folds at a time across all instances; the others return 0 at once.
    pub async fn fold_deltas(&self) -> Result<usize> {
        if !self.defers_sums() {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        let locked: bool = on_tx!(tx, c => {
            sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1, $2)")
                .bind(FOLD_LOCK.0).bind(FOLD_LOCK.1).fetch_one(&mut *c).await?
        });
        if !locked {
            return Ok(0);
        }
        let n = tx.fold_deltas_locked().await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Clears the dead row versions the fold leaves behind (PostgreSQL `VACUUM` of
    /// `consolidation_delta` and `consolidation`; nothing on SQLite). Every fold deletes
    /// thousands of delta rows and rewrites the busiest sums; where autovacuum is off or
    /// slow, their dead versions would pile up under every reader's index scan. `VACUUM`
    /// runs outside a transaction and blocks neither writers nor readers.
    pub async fn vacuum_hot_tables(&self) -> Result<()> {
        if let crate::Backend::Postgres(p) = &self.backend {
            sqlx::raw_sql("VACUUM consolidation_delta, consolidation")
                .execute(p)
                .await?;
        }
        Ok(())
    }

    /// Deltas waiting to be folded (for monitoring and tests).
    pub async fn pending_deltas(&self) -> Result<i64> {
        on_pool!(self, p => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM consolidation_delta").fetch_one(p).await?)
        })
    }
}

impl Tx {
    /// Adds each basis's delta to the running sums of `units` (a report's lineage).
    /// PostgreSQL: one insert of a delta row per unit and basis, which locks nothing
    /// other writers need; SQLite: the sums are updated in place.
    pub async fn apply_deltas(
        &mut self,
        campaign_id: i64,
        units: &[i64],
        deltas: &[(Basis, Totals)],
    ) -> Result<()> {
        if units.is_empty() || deltas.is_empty() {
            return Ok(());
        }
        if self.lock_clause().is_empty() {
            for (basis, delta) in deltas {
                let items: Vec<(i64, Totals)> = units.iter().map(|u| (*u, delta.clone())).collect();
                self.add_to_sums(campaign_id, *basis, items).await?;
            }
            return Ok(());
        }
        let mut rows = Vec::with_capacity(units.len() * deltas.len());
        for i in 0..deltas.len() {
            for j in 0..units.len() {
                let d = 2 + 4 * i;
                let u = 2 + 4 * deltas.len() + j;
                rows.push(format!(
                    "($1, ${u}, ${}, ${}, ${}, ${})",
                    d,
                    d + 1,
                    d + 2,
                    d + 3
                ));
            }
        }
        let sql = format!(
            "INSERT INTO consolidation_delta (campaign_id, unit_id, basis, reports, late, figures) VALUES {}",
            rows.join(", ")
        );
        on_tx!(self, c => {
            let mut q = sqlx::query(&sql).bind(campaign_id);
            for (basis, delta) in deltas {
                q = q.bind(basis.as_str()).bind(delta.reports).bind(delta.late).bind(encode_figures(&delta.values));
            }
            for unit in units {
                q = q.bind(unit);
            }
            q.execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Folds every pending delta of the database into the running sums, in this
    /// transaction (a rebuild does this first). Waits for a fold in progress.
    pub async fn fold_all_deltas(&mut self) -> Result<usize> {
        if self.lock_clause().is_empty() {
            return Ok(0);
        }
        on_tx!(self, c => {
            sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
                .bind(FOLD_LOCK.0).bind(FOLD_LOCK.1).execute(&mut *c).await?;
        });
        let mut total = 0;
        loop {
            let n = self.fold_deltas_locked().await?;
            total += n;
            if n < FOLD_BATCH as usize {
                return Ok(total);
            }
        }
    }

    /// Deletes up to [`FOLD_BATCH`] deltas (oldest first) and adds them into the sums;
    /// the caller holds the fold lock.
    async fn fold_deltas_locked(&mut self) -> Result<usize> {
        let mut sums: HashMap<(i64, Basis), HashMap<i64, Totals>> = HashMap::new();
        let n = on_tx!(self, c => {
            let rows = sqlx::query(
                "DELETE FROM consolidation_delta WHERE id IN (SELECT id FROM consolidation_delta ORDER BY id LIMIT $1) \
                 RETURNING campaign_id, unit_id, basis, reports, late, figures",
            )
            .bind(FOLD_BATCH)
            .fetch_all(&mut *c)
            .await?;
            let n = rows.len();
            for r in rows {
                let basis_text: String = r.try_get("basis")?;
                let basis = Basis::parse(&basis_text)
                    .ok_or_else(|| StoreError::Corrupt(format!("cơ sở tổng hợp \"{basis_text}\"")))?;
                let figures: String = r.try_get("figures")?;
                add_row(
                    sums.entry((r.try_get("campaign_id")?, basis)).or_default(),
                    r.try_get("unit_id")?,
                    &figures,
                    r.try_get("reports")?,
                    r.try_get("late")?,
                )?;
            }
            n
        });
        let mut groups: Vec<((i64, Basis), HashMap<i64, Totals>)> = sums.into_iter().collect();
        groups.sort_by_key(|((c, b), _)| (*c, b.as_str()));
        for ((campaign_id, basis), units) in groups {
            let mut items: Vec<(i64, Totals)> = units.into_iter().collect();
            items.sort_by_key(|(u, _)| *u);
            for chunk in items.chunks(400) {
                self.add_to_sums(campaign_id, basis, chunk.to_vec()).await?;
            }
        }
        Ok(n)
    }

    /// Adds each unit's delta to its running sum (shard 0), in three statements: the
    /// rows are created empty if missing, read (locked on PostgreSQL, in unit order) and
    /// rewritten.
    async fn add_to_sums(
        &mut self,
        campaign_id: i64,
        basis: Basis,
        items: Vec<(i64, Totals)>,
    ) -> Result<()> {
        let Some(slots) = items.first().map(|(_, t)| t.values.len()) else {
            return Ok(());
        };
        let lock = self.lock_clause();
        let empty = encode_figures(&vec![0; slots]);
        let ids: Vec<String> = (0..items.len()).map(|i| format!("${}", i + 4)).collect();
        let ins_rows: Vec<String> = (0..items.len())
            .map(|i| format!("($1, ${}, $2, 0, 0, 0, $3)", i + 4))
            .collect();
        let insert = format!(
            "INSERT INTO consolidation (campaign_id, unit_id, basis, shard, reports, late, figures) VALUES {} ON CONFLICT (campaign_id, unit_id, basis, shard) DO NOTHING",
            ins_rows.join(", ")
        );
        let select = format!(
            "SELECT unit_id, shard, reports, late, figures FROM consolidation WHERE campaign_id = $1 AND basis = $2 AND shard = $3 AND unit_id IN ({}) ORDER BY unit_id{lock}",
            ids.join(", ")
        );
        let deltas: HashMap<i64, Totals> = items.into_iter().collect();
        let mut sorted: Vec<i64> = deltas.keys().copied().collect();
        sorted.sort_unstable();
        let mut current: Vec<(i64, Totals)> = Vec::with_capacity(deltas.len());
        on_tx!(self, c => {
            let mut q = sqlx::query(&insert).bind(campaign_id).bind(basis.as_str()).bind(&empty);
            for unit in &sorted {
                q = q.bind(unit);
            }
            q.execute(&mut *c).await?;
            let mut q = sqlx::query(&select).bind(campaign_id).bind(basis.as_str()).bind(0_i64);
            for unit in &sorted {
                q = q.bind(unit);
            }
            for r in q.fetch_all(&mut *c).await? {
                let figures: String = r.try_get("figures")?;
                current.push((r.try_get::<i64, _>("unit_id")?, Totals { values: decode_figures(&figures)?, reports: r.try_get("reports")?, late: r.try_get("late")? }));
            }
        });
        for (unit, t) in current.iter_mut() {
            if let Some(d) = deltas.get(unit) {
                t.add(d, 1);
            }
        }
        let up_rows: Vec<String> = (0..current.len())
            .map(|i| {
                format!(
                    "($1, ${}, $2, 0, ${}, ${}, ${})",
                    4 * i + 3,
                    4 * i + 4,
                    4 * i + 5,
                    4 * i + 6
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
            for (id, t) in &current {
                q = q.bind(id).bind(t.reports).bind(t.late).bind(encode_figures(&t.values));
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
