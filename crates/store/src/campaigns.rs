//! Tuần lễ — stored campaigns.

use sqlx::Row;
use tuanle_domain::campaign::{Campaign, LevelDeadline};

use crate::{now_text, on_pool, on_tx, parse_date, Result, Store, Tx};

/// Fields of a new campaign.
pub type NewCampaign = Campaign;

impl Store {
    pub async fn campaign(&self, id: i64) -> Result<Option<Campaign>> {
        on_pool!(self, p => {
            let Some(r) = sqlx::query("SELECT id, year, name, start_date, end_date, tree_id, template_id FROM campaign WHERE id = $1")
                .bind(id).fetch_optional(p).await? else { return Ok(None) };
            let themes: Vec<String> = sqlx::query_scalar("SELECT theme FROM campaign_theme WHERE campaign_id = $1 ORDER BY position").bind(id).fetch_all(p).await?;
            let required_types: Vec<String> = sqlx::query_scalar("SELECT unit_type FROM campaign_required_type WHERE campaign_id = $1 ORDER BY unit_type").bind(id).fetch_all(p).await?;
            let mut deadlines = Vec::new();
            for d in sqlx::query("SELECT admin_level, deadline FROM campaign_deadline WHERE campaign_id = $1 ORDER BY admin_level DESC").bind(id).fetch_all(p).await? {
                let date: String = d.try_get("deadline")?;
                deadlines.push(LevelDeadline { admin_level: d.try_get("admin_level")?, deadline: parse_date(&date)? });
            }
            let start: String = r.try_get("start_date")?;
            let end: String = r.try_get("end_date")?;
            let year: i64 = r.try_get("year")?;
            Ok(Some(Campaign {
                id: r.try_get("id")?,
                year: year as i32,
                name: r.try_get("name")?,
                themes,
                start_date: parse_date(&start)?,
                end_date: parse_date(&end)?,
                tree_id: r.try_get("tree_id")?,
                template_id: r.try_get("template_id")?,
                required_types,
                deadlines,
            }))
        })
    }

    /// All campaigns, newest year first.
    pub async fn list_campaigns(&self) -> Result<Vec<Campaign>> {
        let ids: Vec<i64> = on_pool!(self, p => sqlx::query_scalar("SELECT id FROM campaign ORDER BY year DESC, id DESC").fetch_all(p).await?);
        let mut out = Vec::new();
        for id in ids {
            if let Some(c) = self.campaign(id).await? {
                out.push(c);
            }
        }
        Ok(out)
    }
}

impl Tx {
    /// Serialises writers of one campaign's figures on PostgreSQL: report writes take
    /// the campaign's advisory lock in share mode, a rebuild takes it exclusively, so a
    /// rebuild never interleaves with a submission. SQLite's write lock already does this.
    pub async fn lock_campaign(&mut self, campaign_id: i64, exclusive: bool) -> Result<()> {
        if self.lock_clause().is_empty() {
            return Ok(());
        }
        // Transaction-scoped advisory locks: in memory, no row is written, so many
        // concurrent submissions share the lock cheaply and a rebuild excludes them.
        let sql = if exclusive {
            "SELECT pg_advisory_xact_lock($1)"
        } else {
            "SELECT pg_advisory_xact_lock_shared($1)"
        };
        on_tx!(self, c => { sqlx::query(sql).bind(campaign_id).execute(&mut *c).await?; });
        Ok(())
    }

    /// Stores a campaign; returns its id.
    pub async fn insert_campaign(&mut self, c: &NewCampaign) -> Result<i64> {
        let now = now_text();
        let d = |x: chrono::NaiveDate| x.format("%Y-%m-%d").to_string();
        let id: i64 = on_tx!(self, conn => {
            sqlx::query_scalar("INSERT INTO campaign (year, name, start_date, end_date, tree_id, template_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
                .bind(c.year as i64).bind(&c.name).bind(d(c.start_date)).bind(d(c.end_date)).bind(c.tree_id).bind(c.template_id).bind(&now)
                .fetch_one(&mut *conn).await?
        });
        for (i, theme) in c.themes.iter().enumerate() {
            on_tx!(self, conn => { sqlx::query("INSERT INTO campaign_theme (campaign_id, position, theme) VALUES ($1, $2, $3)").bind(id).bind(i as i64).bind(theme).execute(&mut *conn).await?; });
        }
        for t in &c.required_types {
            on_tx!(self, conn => { sqlx::query("INSERT INTO campaign_required_type (campaign_id, unit_type) VALUES ($1, $2) ON CONFLICT DO NOTHING").bind(id).bind(t).execute(&mut *conn).await?; });
        }
        for dl in &c.deadlines {
            on_tx!(self, conn => {
                sqlx::query("INSERT INTO campaign_deadline (campaign_id, admin_level, deadline) VALUES ($1, $2, $3) ON CONFLICT (campaign_id, admin_level) DO UPDATE SET deadline = excluded.deadline")
                    .bind(id).bind(dl.admin_level).bind(d(dl.deadline)).execute(&mut *conn).await?;
            });
        }
        Ok(id)
    }
}
