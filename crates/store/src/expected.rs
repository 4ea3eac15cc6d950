//! Số đơn vị phải báo cáo — the cached count of required units per subtree.

use std::collections::HashMap;

use sqlx::Row;

use crate::{on_pool, on_tx, Result, Store, Tx};

impl Store {
    /// Expected counts of several units; units with none are absent.
    pub async fn expected_for_units(
        &self,
        campaign_id: i64,
        unit_ids: &[i64],
    ) -> Result<HashMap<i64, i64>> {
        let mut out = HashMap::new();
        for chunk in unit_ids.chunks(500) {
            let placeholders: Vec<String> =
                (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!("SELECT unit_id, expected FROM campaign_expected WHERE campaign_id = $1 AND unit_id IN ({})", placeholders.join(", "));
            on_pool!(self, p => {
                let mut q = sqlx::query(&sql).bind(campaign_id);
                for id in chunk {
                    q = q.bind(id);
                }
                for r in q.fetch_all(p).await? {
                    out.insert(r.try_get("unit_id")?, r.try_get("expected")?);
                }
            });
        }
        Ok(out)
    }

    /// Ids of the campaigns running on a tree.
    pub async fn campaign_ids_on_tree(&self, tree_id: i64) -> Result<Vec<i64>> {
        on_pool!(self, p => Ok(sqlx::query_scalar("SELECT id FROM campaign WHERE tree_id = $1 ORDER BY id").bind(tree_id).fetch_all(p).await?))
    }
}

impl Tx {
    /// Every unit of a tree as (id, parent, type).
    pub async fn tree_units_brief(
        &mut self,
        tree_id: i64,
    ) -> Result<Vec<(i64, Option<i64>, String)>> {
        on_tx!(self, c => {
            let rows = sqlx::query("SELECT id, parent_id, unit_type FROM unit WHERE tree_id = $1").bind(tree_id).fetch_all(&mut *c).await?;
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("parent_id")?, r.try_get("unit_type")?))).collect()
        })
    }

    /// Ids of the campaigns running on a tree, with their required types.
    pub async fn campaigns_on_tree(&mut self, tree_id: i64) -> Result<Vec<(i64, Vec<String>)>> {
        on_tx!(self, c => {
            let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM campaign WHERE tree_id = $1").bind(tree_id).fetch_all(&mut *c).await?;
            let mut out = Vec::new();
            for id in ids {
                let types: Vec<String> = sqlx::query_scalar("SELECT unit_type FROM campaign_required_type WHERE campaign_id = $1").bind(id).fetch_all(&mut *c).await?;
                out.push((id, types));
            }
            Ok(out)
        })
    }

    /// Replaces a campaign's expected counts, in multi-row statements.
    pub async fn replace_expected(
        &mut self,
        campaign_id: i64,
        counts: &HashMap<i64, i64>,
    ) -> Result<()> {
        on_tx!(self, c => { sqlx::query("DELETE FROM campaign_expected WHERE campaign_id = $1").bind(campaign_id).execute(&mut *c).await?; });
        let all: Vec<(&i64, &i64)> = counts.iter().collect();
        for chunk in all.chunks(500) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| format!("($1, ${}, ${})", 2 * i + 2, 2 * i + 3))
                .collect();
            let sql = format!(
                "INSERT INTO campaign_expected (campaign_id, unit_id, expected) VALUES {}",
                rows.join(", ")
            );
            on_tx!(self, c => {
                let mut q = sqlx::query(&sql).bind(campaign_id);
                for (unit_id, n) in chunk {
                    q = q.bind(*unit_id).bind(*n);
                }
                q.execute(&mut *c).await?;
            });
        }
        Ok(())
    }

    /// Adds `delta` to the expected count of each unit of a lineage.
    pub async fn add_expected(
        &mut self,
        campaign_id: i64,
        unit_ids: &[i64],
        delta: i64,
    ) -> Result<()> {
        on_tx!(self, c => {
            for unit_id in unit_ids {
                sqlx::query(
                    "INSERT INTO campaign_expected (campaign_id, unit_id, expected) VALUES ($1, $2, $3) \
                     ON CONFLICT (campaign_id, unit_id) DO UPDATE SET expected = campaign_expected.expected + excluded.expected",
                )
                .bind(campaign_id).bind(unit_id).bind(delta).execute(&mut *c).await?;
            }
        });
        Ok(())
    }
}
