//! Việc nền — the background job queue shared by every app instance.

use sqlx::Row;

use crate::{now_text, on_pool, on_tx, Result, Store, Tx};

/// A claimed job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub attempts: i64,
}

/// A job row as stored, for tests and the admin view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub attempts: i64,
    pub claimed_by: Option<String>,
    pub last_error: Option<String>,
}

impl Tx {
    /// Queues a job to run at `run_at` (RFC 3339). With a `dedupe_key`, a job with the
    /// same key is queued only once, whichever instance asks first. Returns whether it was queued.
    pub async fn enqueue_job(
        &mut self,
        kind: &str,
        payload: &serde_json::Value,
        dedupe_key: Option<&str>,
        run_at: &str,
    ) -> Result<bool> {
        let now = now_text();
        let payload = payload.to_string();
        on_tx!(self, c => {
            let done = sqlx::query(
                "INSERT INTO job (kind, payload, dedupe_key, run_at, status, attempts, created_at) VALUES ($1, $2, $3, $4, 'queued', 0, $5) \
                 ON CONFLICT (dedupe_key) DO NOTHING",
            )
            .bind(kind).bind(&payload).bind(dedupe_key).bind(run_at).bind(&now)
            .execute(&mut *c).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Claims the oldest due job for `instance`, or `None`. Two instances never claim
    /// the same job: PostgreSQL skips rows another transaction has locked, SQLite
    /// serialises writers, and the claim is a conditional update either way.
    pub async fn claim_job(&mut self, instance: &str, now: &str) -> Result<Option<Job>> {
        let skip = if self.lock_clause().is_empty() {
            ""
        } else {
            " FOR UPDATE SKIP LOCKED"
        };
        let select = format!("SELECT id, kind, payload, attempts FROM job WHERE status = 'queued' AND run_at <= $1 ORDER BY run_at, id LIMIT 1{skip}");
        on_tx!(self, c => {
            let Some(r) = sqlx::query(&select).bind(now).fetch_optional(&mut *c).await? else { return Ok(None) };
            let id: i64 = r.try_get("id")?;
            let updated = sqlx::query("UPDATE job SET status = 'running', attempts = attempts + 1, claimed_by = $1, claimed_at = $2 WHERE id = $3 AND status = 'queued'")
                .bind(instance).bind(now).bind(id).execute(&mut *c).await?;
            if updated.rows_affected() != 1 {
                return Ok(None);
            }
            let payload: String = r.try_get("payload")?;
            Ok(Some(Job {
                id,
                kind: r.try_get("kind")?,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                attempts: r.try_get::<i64, _>("attempts")? + 1,
            }))
        })
    }

    /// Records a job's end: done, or failed with the error (re-queued for `retry_at` when given).
    pub async fn finish_job(
        &mut self,
        id: i64,
        error: Option<&str>,
        retry_at: Option<&str>,
    ) -> Result<()> {
        let now = now_text();
        let status = match (error, retry_at) {
            (None, _) => "done",
            (Some(_), Some(_)) => "queued",
            (Some(_), None) => "failed",
        };
        on_tx!(self, c => {
            sqlx::query("UPDATE job SET status = $1, finished_at = $2, last_error = $3, run_at = COALESCE($4, run_at) WHERE id = $5")
                .bind(status).bind(&now).bind(error).bind(retry_at).bind(id)
                .execute(&mut *c).await?;
        });
        Ok(())
    }
}

impl Store {
    /// All jobs of a kind, oldest first.
    pub async fn jobs(&self, kind: &str) -> Result<Vec<JobRow>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT id, kind, status, attempts, claimed_by, last_error FROM job WHERE kind = $1 ORDER BY id").bind(kind).fetch_all(p).await?;
            rows.iter().map(|r| Ok(JobRow {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                status: r.try_get("status")?,
                attempts: r.try_get("attempts")?,
                claimed_by: r.try_get("claimed_by")?,
                last_error: r.try_get("last_error")?,
            })).collect()
        })
    }
}
