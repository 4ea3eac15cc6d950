//! Việc nền — background work run by whichever app instance claims it first.
//!
//! Every instance runs [`App::worker_loop`]. Periodic jobs are queued with a dedupe
//! key per period, so that however many instances ask, each runs once.

use chrono::{Duration, Utc};
use tuanle_store::{time_text, Job};

use crate::{App, AppError, Result};

/// Dọn dẹp đăng nhập (hourly): expired or idle sessions, expired tokens, failed sign-ins out
/// of their window, ended locks, old reset requests, used or expired reset links
/// ([`App::prune_auth`]).
pub const PURGE_SESSIONS: &str = "purge_sessions";
/// Recomputes a campaign's consolidation from raw values (payload `{"campaign_id": N}`).
pub const REBUILD_CONSOLIDATION: &str = "rebuild_consolidation";
/// Refreshes the planner statistics (every minute).
pub const ANALYZE: &str = "analyze";
/// Attempts before a failing job is left as failed.
pub const MAX_ATTEMPTS: i64 = 5;

impl App {
    /// Queues a job now; with `dedupe_key`, only once across all instances.
    pub async fn enqueue_job(
        &self,
        kind: &str,
        payload: serde_json::Value,
        dedupe_key: Option<&str>,
    ) -> Result<bool> {
        let mut tx = self.store.begin().await?;
        let queued = tx
            .enqueue_job(kind, &payload, dedupe_key, &time_text(Utc::now()))
            .await?;
        tx.commit().await?;
        Ok(queued)
    }

    /// Queues the periodic jobs of the current period (idempotent across instances).
    pub async fn schedule_periodic_jobs(&self) -> Result<()> {
        let hour = Utc::now().format("%Y-%m-%dT%H").to_string();
        self.enqueue_job(
            PURGE_SESSIONS,
            serde_json::json!({}),
            Some(&format!("{PURGE_SESSIONS}:{hour}")),
        )
        .await?;
        // Silent consent after consultation deadlines: a sweep every five minutes.
        let now = Utc::now();
        let slot = now.format("%Y-%m-%dT%H:").to_string()
            + &format!("{:02}", chrono::Timelike::minute(&now) / 5 * 5);
        let close = crate::plans::CLOSE_CONSULTATIONS;
        self.enqueue_job(
            close,
            serde_json::json!({}),
            Some(&format!("{close}:{slot}")),
        )
        .await?;
        // Deadline reminders hourly; a sweep of the e-mail outbox every five minutes
        // (retries fall due; new e-mails also queue their own send job).
        let reminders = crate::notifications::REMINDERS;
        self.enqueue_job(
            reminders,
            serde_json::json!({}),
            Some(&format!("{reminders}:{hour}")),
        )
        .await?;
        let send = crate::notifications::SEND_EMAILS;
        self.enqueue_job(send, serde_json::json!({}), Some(&format!("{send}:{slot}")))
            .await?;
        Ok(())
    }

    /// Claims and runs one due job as `instance`; returns it, or `None` when nothing is due.
    pub async fn run_one_job(&self, instance: &str) -> Result<Option<Job>> {
        let mut tx = self.store.begin().await?;
        let job = tx.claim_job(instance, &time_text(Utc::now())).await?;
        tx.commit().await?;
        let Some(job) = job else { return Ok(None) };
        let outcome = self.execute_job(&job, instance).await;
        let mut tx = self.store.begin().await?;
        match &outcome {
            Ok(()) => tx.finish_job(job.id, None, None).await?,
            Err(e) => {
                let retry = (job.attempts < MAX_ATTEMPTS)
                    .then(|| time_text(Utc::now() + Duration::seconds(30 * job.attempts)));
                tracing::warn!(job = job.id, kind = %job.kind, error = %e, "việc nền lỗi");
                tx.finish_job(job.id, Some(&e.to_string()), retry.as_deref())
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(Some(job))
    }

    async fn execute_job(&self, job: &Job, instance: &str) -> Result<()> {
        if let Some(outcome) = self.run_plans_job(&job.kind).await {
            return outcome;
        }
        if let Some(outcome) = self.run_notifications_job(&job.kind, instance).await {
            return outcome;
        }
        match job.kind.as_str() {
            PURGE_SESSIONS => {
                let (p, sessions) = self.prune_auth().await?;
                tracing::info!(
                    sessions,
                    login_failures = p.login_failures,
                    login_locks = p.login_locks,
                    reset_requests = p.reset_requests,
                    reset_tokens = p.reset_tokens,
                    reset_emails_scrubbed = p.reset_emails_scrubbed,
                    "đã dọn phiên hết hạn, lần đăng nhập sai cũ và liên kết đặt lại mật khẩu đã dùng"
                );
                Ok(())
            }
            ANALYZE => Ok(self.store.analyze().await?),
            REBUILD_CONSOLIDATION => {
                let id = job
                    .payload
                    .get("campaign_id")
                    .and_then(|v| v.as_i64())
                    .ok_or_else(|| AppError::invalid("campaign_id", "thiếu"))?;
                let differing = self.rebuild_consolidation(None, id).await?;
                tracing::info!(campaign = id, differing, "đã tính lại tổng hợp");
                Ok(())
            }
            other => Err(AppError::invalid(
                "Loại việc nền",
                format!("không biết \"{other}\""),
            )),
        }
    }

    /// Gộp phần cộng dồn, forever: folds the pending deltas of the running sums
    /// (PostgreSQL) every `interval`, at once again while a full batch came back. Every
    /// instance runs it; one folds at a time (the others find the fold lock taken).
    /// Readers count pending deltas, so the interval bounds their work, not correctness.
    pub async fn fold_loop(self, interval: std::time::Duration) {
        if !self.store.defers_sums() {
            return;
        }
        // Vacuum the fold's tables after this many folded deltas, or after a quiet
        // spell once anything was folded (see `Store::vacuum_hot_tables`).
        const VACUUM_AFTER: usize = 50_000;
        let quiet = std::time::Duration::from_secs(10);
        let mut since_vacuum = 0usize;
        let mut last_vacuum = std::time::Instant::now();
        loop {
            let mut full = false;
            match self.store.fold_deltas().await {
                Ok(n) => {
                    since_vacuum += n;
                    full = n as i64 >= tuanle_store::FOLD_BATCH;
                }
                Err(e) => tracing::warn!(error = %e, "không gộp được số liệu tổng hợp"),
            }
            if since_vacuum >= VACUUM_AFTER || (since_vacuum > 0 && last_vacuum.elapsed() >= quiet)
            {
                match self.store.vacuum_hot_tables().await {
                    Ok(()) => since_vacuum = 0,
                    Err(e) => tracing::warn!(error = %e, "không dọn được bảng tổng hợp"),
                }
                last_vacuum = std::time::Instant::now();
            }
            if !full {
                tokio::time::sleep(interval).await;
            }
        }
    }

    /// Runs forever: queues periodic jobs, drains due jobs, sleeps `interval`.
    pub async fn worker_loop(self, instance: String, interval: std::time::Duration) {
        loop {
            if let Err(e) = self.schedule_periodic_jobs().await {
                tracing::warn!(error = %e, "không xếp được việc định kỳ");
            }
            loop {
                match self.run_one_job(&instance).await {
                    Ok(Some(_)) => continue,
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "không nhận được việc nền");
                        break;
                    }
                }
            }
            tokio::time::sleep(interval).await;
        }
    }
}
