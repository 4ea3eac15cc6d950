//! Hoạt động Tuần lễ, thông báo, hàng đợi thư — activities, in-app notifications,
//! the e-mail outbox (claimed by one instance at a time) and e-mail preferences.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Row;

use crate::{on_pool, on_tx, Result, Store, Tx};

/// An activity to insert or replace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewActivity {
    pub campaign_id: i64,
    pub unit_id: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub mode: String,
    /// RFC 3339 UTC (`time_text`).
    pub starts_at: String,
    pub ends_at: String,
    pub address: String,
    pub commune_id: Option<i64>,
    /// Path of the commune where it takes place, else of the organising unit: what the
    /// public calendar's area filters match.
    pub area_path: String,
    pub link: String,
    pub audience: String,
    pub organiser: String,
    pub co_organisers: String,
    pub expected_participants: Option<i64>,
    pub late_registration: bool,
}

/// Hoạt động as stored, with the names the pages show.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ActivityRecord {
    pub id: i64,
    pub campaign_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub mode: String,
    pub starts_at: String,
    pub ends_at: String,
    pub address: String,
    pub commune_id: Option<i64>,
    pub commune_code: Option<String>,
    pub commune_name: Option<String>,
    pub area_path: String,
    pub link: String,
    pub audience: String,
    pub organiser: String,
    pub co_organisers: String,
    pub expected_participants: Option<i64>,
    pub late_registration: bool,
    pub published: bool,
    pub result_sessions: Option<i64>,
    pub result_participants: Option<i64>,
    pub result_note: Option<String>,
    pub result_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A campaign's activity and reminder settings as stored (dates `yyyy-mm-dd`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivitySettingsRow {
    pub registration_deadline: Option<String>,
    pub plan_deadline: Option<String>,
    pub reminder_days: Option<i64>,
    pub slogans: Vec<String>,
}

/// A task past its deadline and not done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverdueTask {
    pub id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub title: String,
    pub deadline: chrono::NaiveDate,
    pub campaign_id: i64,
}

/// What the public calendar asks for; only published activities are ever returned.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub campaign_id: Option<i64>,
    /// Activities taking place in this subtree (its path, `/1/5/`).
    pub area_path: Option<String>,
    /// Activities of this organising unit.
    pub unit_id: Option<i64>,
    pub kind: Option<String>,
    pub mode: Option<String>,
    /// Ending at or after this instant (RFC 3339 UTC).
    pub ends_after: Option<String>,
    /// Starting at or before this instant.
    pub starts_before: Option<String>,
    pub limit: i64,
}

const ACTIVITY_SELECT: &str = "SELECT a.id, a.campaign_id, a.unit_id, u.code AS unit_code, u.name AS unit_name, a.kind, a.title, a.description, a.mode, a.starts_at, a.ends_at, a.address, a.commune_id, c.code AS commune_code, c.name AS commune_name, a.area_path, a.link, a.audience, a.organiser, a.co_organisers, a.expected_participants, a.late_registration, a.published, a.result_sessions, a.result_participants, a.result_note, a.result_at, a.created_at, a.updated_at FROM activity a JOIN unit u ON u.id = a.unit_id LEFT JOIN unit c ON c.id = a.commune_id";

macro_rules! activity_from_row {
    ($r:expr) => {{
        let r = $r;
        Ok::<_, crate::StoreError>(ActivityRecord {
            id: r.try_get("id")?,
            campaign_id: r.try_get("campaign_id")?,
            unit_id: r.try_get("unit_id")?,
            unit_code: r.try_get("unit_code")?,
            unit_name: r.try_get("unit_name")?,
            kind: r.try_get("kind")?,
            title: r.try_get("title")?,
            description: r.try_get("description")?,
            mode: r.try_get("mode")?,
            starts_at: r.try_get("starts_at")?,
            ends_at: r.try_get("ends_at")?,
            address: r.try_get("address")?,
            commune_id: r.try_get("commune_id")?,
            commune_code: r.try_get("commune_code")?,
            commune_name: r.try_get("commune_name")?,
            area_path: r.try_get("area_path")?,
            link: r.try_get("link")?,
            audience: r.try_get("audience")?,
            organiser: r.try_get("organiser")?,
            co_organisers: r.try_get("co_organisers")?,
            expected_participants: r.try_get("expected_participants")?,
            late_registration: r.try_get("late_registration")?,
            published: r.try_get("published")?,
            result_sessions: r.try_get("result_sessions")?,
            result_participants: r.try_get("result_participants")?,
            result_note: r.try_get("result_note")?,
            result_at: r.try_get("result_at")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
        })
    }};
}

/// An activity photo's description.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ActivityPhotoMeta {
    pub id: i64,
    pub activity_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub byte_size: i64,
}

/// Thông báo trong ứng dụng.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NotificationRecord {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
}

/// A claimed e-mail to send.
#[derive(Debug, Clone)]
pub struct OutboxEmail {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    /// This attempt's number (1 for the first).
    pub attempt: i64,
}

/// An outbox row as stored, for tests and the operator.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub user_id: Option<i64>,
    pub to_address: String,
    pub kind: String,
    pub subject: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub dedupe_key: Option<String>,
}

impl Store {
    pub async fn activity(&self, id: i64) -> Result<Option<ActivityRecord>> {
        on_pool!(self, p => {
            let row = sqlx::query(&format!("{ACTIVITY_SELECT} WHERE a.id = $1")).bind(id).fetch_optional(p).await?;
            row.map(|r| activity_from_row!(&r)).transpose()
        })
    }

    /// A campaign's activities organised by units in a subtree (path prefix), by start.
    pub async fn subtree_activities(
        &self,
        campaign_id: i64,
        path: &str,
    ) -> Result<Vec<ActivityRecord>> {
        on_pool!(self, p => {
            let rows = sqlx::query(&format!("{ACTIVITY_SELECT} WHERE a.campaign_id = $1 AND u.path LIKE $2 ORDER BY a.starts_at, a.id"))
                .bind(campaign_id).bind(format!("{path}%")).fetch_all(p).await?;
            rows.iter().map(|r| activity_from_row!(r)).collect()
        })
    }

    /// A unit's own activities of a campaign.
    pub async fn unit_activities(
        &self,
        campaign_id: i64,
        unit_id: i64,
    ) -> Result<Vec<ActivityRecord>> {
        on_pool!(self, p => {
            let rows = sqlx::query(&format!("{ACTIVITY_SELECT} WHERE a.campaign_id = $1 AND a.unit_id = $2 ORDER BY a.starts_at, a.id"))
                .bind(campaign_id).bind(unit_id).fetch_all(p).await?;
            rows.iter().map(|r| activity_from_row!(r)).collect()
        })
    }

    /// Published activities matching the filter, by start.
    pub async fn public_activities(&self, f: &ActivityFilter) -> Result<Vec<ActivityRecord>> {
        let mut sql = format!("{ACTIVITY_SELECT} WHERE a.published = $1");
        let mut n = 1;
        let mut texts: Vec<String> = Vec::new();
        let mut next = |sql: &mut String, clause: &str| {
            n += 1;
            sql.push_str(&clause.replace('?', &format!("${n}")));
        };
        if f.campaign_id.is_some() {
            next(&mut sql, " AND a.campaign_id = ?");
        }
        if f.unit_id.is_some() {
            next(&mut sql, " AND a.unit_id = ?");
        }
        for (v, clause) in [
            (&f.area_path, " AND a.area_path LIKE ?"),
            (&f.kind, " AND a.kind = ?"),
            (&f.mode, " AND a.mode = ?"),
            (&f.ends_after, " AND a.ends_at >= ?"),
            (&f.starts_before, " AND a.starts_at <= ?"),
        ] {
            if let Some(v) = v {
                next(&mut sql, clause);
                texts.push(if clause.contains("LIKE") {
                    format!("{v}%")
                } else {
                    v.clone()
                });
            }
        }
        sql.push_str(&format!(
            " ORDER BY a.starts_at, a.id LIMIT {}",
            f.limit.clamp(1, 2000)
        ));
        on_pool!(self, p => {
            let mut q = sqlx::query(&sql).bind(true);
            if let Some(c) = f.campaign_id { q = q.bind(c); }
            if let Some(u) = f.unit_id { q = q.bind(u); }
            for t in &texts { q = q.bind(t); }
            let rows = q.fetch_all(p).await?;
            rows.iter().map(|r| activity_from_row!(r)).collect()
        })
    }

    /// Photos of an activity.
    pub async fn activity_photos(&self, activity_id: i64) -> Result<Vec<ActivityPhotoMeta>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT id, activity_id, file_name, content_type, byte_size FROM activity_photo WHERE activity_id = $1 ORDER BY id")
                .bind(activity_id).fetch_all(p).await?;
            rows.iter().map(|r| Ok(ActivityPhotoMeta {
                id: r.try_get("id")?,
                activity_id: r.try_get("activity_id")?,
                file_name: r.try_get("file_name")?,
                content_type: r.try_get("content_type")?,
                byte_size: r.try_get("byte_size")?,
            })).collect()
        })
    }

    /// A photo's activity id, content type and bytes.
    pub async fn activity_photo_data(
        &self,
        photo_id: i64,
    ) -> Result<Option<(i64, String, Vec<u8>)>> {
        on_pool!(self, p => {
            let row = sqlx::query("SELECT activity_id, content_type, data FROM activity_photo WHERE id = $1").bind(photo_id).fetch_optional(p).await?;
            row.map(|r| Ok((r.try_get("activity_id")?, r.try_get("content_type")?, r.try_get("data")?))).transpose()
        })
    }

    /// A campaign's registration deadline (YYYY-MM-DD) and slogans.
    pub async fn activity_settings(&self, campaign_id: i64) -> Result<ActivitySettingsRow> {
        on_pool!(self, p => {
            let row = sqlx::query("SELECT registration_deadline, plan_deadline, reminder_days, slogans FROM activity_settings WHERE campaign_id = $1").bind(campaign_id).fetch_optional(p).await?;
            match row {
                None => Ok(ActivitySettingsRow::default()),
                Some(r) => {
                    let s: String = r.try_get("slogans")?;
                    Ok(ActivitySettingsRow {
                        registration_deadline: r.try_get("registration_deadline")?,
                        plan_deadline: r.try_get("plan_deadline")?,
                        reminder_days: r.try_get("reminder_days")?,
                        slogans: serde_json::from_str(&s).unwrap_or_default(),
                    })
                }
            }
        })
    }

    /// Whether a notification with this dedupe key exists (a read, so that the hourly
    /// reminder sweep opens no write transaction for notices already given).
    pub async fn notification_given(&self, dedupe_key: &str) -> Result<bool> {
        on_pool!(self, p => {
            let r = sqlx::query("SELECT 1 AS x FROM notification WHERE dedupe_key = $1").bind(dedupe_key).fetch_optional(p).await?;
            Ok(r.is_some())
        })
    }

    /// Tasks not done whose deadline day is in `since..today` (`yyyy-mm-dd`), with the
    /// campaign of their document and the unit's code (for the notice's link).
    pub async fn overdue_tasks(&self, since: &str, today: &str) -> Result<Vec<OverdueTask>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT t.id, t.unit_id, u.code, t.title, t.deadline, d.campaign_id FROM task t \
                JOIN document d ON d.id = t.document_id JOIN unit u ON u.id = t.unit_id \
                WHERE t.status <> 'done' AND t.deadline >= $1 AND t.deadline < $2 ORDER BY t.id")
                .bind(since).bind(today).fetch_all(p).await?;
            rows.iter().map(|r| {
                let d: String = r.try_get("deadline")?;
                Ok(OverdueTask {
                    id: r.try_get("id")?,
                    unit_id: r.try_get("unit_id")?,
                    unit_code: r.try_get("code")?,
                    title: r.try_get("title")?,
                    deadline: crate::parse_date(&d)?,
                    campaign_id: r.try_get("campaign_id")?,
                })
            }).collect()
        })
    }

    /// Units that have issued a plan for a campaign: the issuing unit of every issued,
    /// distributed or recorded plan (kế hoạch), with its parent and type — a body
    /// (UBND, Phòng GDĐT) issues for the administrative unit above it.
    pub async fn plan_issuers(&self, campaign_id: i64) -> Result<Vec<(i64, Option<i64>, String)>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT DISTINCT u.id, u.parent_id, u.unit_type FROM document d JOIN unit u ON u.id = d.issuer_unit_id \
                WHERE d.campaign_id = $1 AND d.kind = 'KH' AND d.status IN ('issued', 'distributed', 'recorded')")
                .bind(campaign_id).fetch_all(p).await?;
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("parent_id")?, r.try_get("unit_type")?))).collect()
        })
    }

    /// Units of a campaign that have registered at least one activity.
    pub async fn units_with_activities(&self, campaign_id: i64) -> Result<BTreeSet<i64>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT DISTINCT unit_id FROM activity WHERE campaign_id = $1").bind(campaign_id).fetch_all(p).await?;
            rows.iter().map(|r| Ok(r.try_get::<i64, _>("unit_id")?)).collect()
        })
    }

    /// Units of a campaign whose report is submitted or accepted.
    pub async fn units_with_submitted_report(&self, campaign_id: i64) -> Result<BTreeSet<i64>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT unit_id FROM report WHERE campaign_id = $1 AND status IN ('submitted', 'accepted')").bind(campaign_id).fetch_all(p).await?;
            rows.iter().map(|r| Ok(r.try_get::<i64, _>("unit_id")?)).collect()
        })
    }

    /// Ids of the active users attached to a unit.
    pub async fn unit_user_ids(&self, unit_id: i64) -> Result<Vec<i64>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT id FROM app_user WHERE unit_id = $1 AND active = $2 ORDER BY id").bind(unit_id).bind(true).fetch_all(p).await?;
            rows.iter().map(|r| Ok(r.try_get::<i64, _>("id")?)).collect()
        })
    }

    /// A user's latest notifications.
    pub async fn notifications(&self, user_id: i64, limit: i64) -> Result<Vec<NotificationRecord>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT id, kind, title, body, link, created_at, read_at FROM notification WHERE user_id = $1 ORDER BY id DESC LIMIT $2")
                .bind(user_id).bind(limit).fetch_all(p).await?;
            rows.iter().map(|r| Ok(NotificationRecord {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                title: r.try_get("title")?,
                body: r.try_get("body")?,
                link: r.try_get("link")?,
                created_at: r.try_get("created_at")?,
                read_at: r.try_get("read_at")?,
            })).collect()
        })
    }

    /// Number of a user's unread notifications.
    pub async fn unread_notifications(&self, user_id: i64) -> Result<i64> {
        on_pool!(self, p => {
            let r = sqlx::query("SELECT COUNT(*) AS n FROM notification WHERE user_id = $1 AND read_at IS NULL").bind(user_id).fetch_one(p).await?;
            Ok(r.try_get::<i64, _>("n")?)
        })
    }

    /// A user's e-mail choices (kinds turned off or on explicitly); absent = on.
    pub async fn email_preferences(&self, user_id: i64) -> Result<BTreeMap<String, bool>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT kind, enabled FROM email_preference WHERE user_id = $1").bind(user_id).fetch_all(p).await?;
            rows.iter().map(|r| Ok((r.try_get::<String, _>("kind")?, r.try_get::<bool, _>("enabled")?))).collect()
        })
    }

    /// Every outbox row, oldest first.
    pub async fn outbox(&self) -> Result<Vec<OutboxRow>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT id, user_id, to_address, kind, subject, status, attempts, last_error, dedupe_key FROM email_outbox ORDER BY id").fetch_all(p).await?;
            rows.iter().map(|r| Ok(OutboxRow {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                to_address: r.try_get("to_address")?,
                kind: r.try_get("kind")?,
                subject: r.try_get("subject")?,
                status: r.try_get("status")?,
                attempts: r.try_get("attempts")?,
                last_error: r.try_get("last_error")?,
                dedupe_key: r.try_get("dedupe_key")?,
            })).collect()
        })
    }

    /// The send record of an e-mail: (attempt, ok, server response) per attempt.
    pub async fn email_sends(&self, email_id: i64) -> Result<Vec<(i64, bool, String)>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT attempt, ok, response FROM email_send WHERE email_id = $1 ORDER BY id").bind(email_id).fetch_all(p).await?;
            rows.iter().map(|r| Ok((r.try_get("attempt")?, r.try_get("ok")?, r.try_get("response")?))).collect()
        })
    }
}

impl Tx {
    pub async fn insert_activity(&mut self, a: &NewActivity, by: i64, now: &str) -> Result<i64> {
        on_tx!(self, c => {
            let r = sqlx::query("INSERT INTO activity (campaign_id, unit_id, kind, title, description, mode, starts_at, ends_at, address, commune_id, area_path, link, audience, organiser, co_organisers, expected_participants, late_registration, published, created_by, created_at, updated_at) \
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20) RETURNING id")
                .bind(a.campaign_id).bind(a.unit_id).bind(&a.kind).bind(&a.title).bind(&a.description).bind(&a.mode)
                .bind(&a.starts_at).bind(&a.ends_at).bind(&a.address).bind(a.commune_id).bind(&a.area_path).bind(&a.link)
                .bind(&a.audience).bind(&a.organiser).bind(&a.co_organisers).bind(a.expected_participants).bind(a.late_registration)
                .bind(false).bind(by).bind(now)
                .fetch_one(&mut *c).await?;
            Ok(r.try_get::<i64, _>("id")?)
        })
    }

    /// Replaces the registered fields of an activity (not its unit, campaign or lateness).
    pub async fn update_activity(&mut self, id: i64, a: &NewActivity, now: &str) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("UPDATE activity SET kind = $1, title = $2, description = $3, mode = $4, starts_at = $5, ends_at = $6, address = $7, commune_id = $8, area_path = $9, link = $10, audience = $11, organiser = $12, co_organisers = $13, expected_participants = $14, updated_at = $15 WHERE id = $16")
                .bind(&a.kind).bind(&a.title).bind(&a.description).bind(&a.mode).bind(&a.starts_at).bind(&a.ends_at)
                .bind(&a.address).bind(a.commune_id).bind(&a.area_path).bind(&a.link).bind(&a.audience).bind(&a.organiser)
                .bind(&a.co_organisers).bind(a.expected_participants).bind(now).bind(id)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn set_activity_published(
        &mut self,
        id: i64,
        published: bool,
        now: &str,
    ) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("UPDATE activity SET published = $1, updated_at = $2 WHERE id = $3").bind(published).bind(now).bind(id).execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn set_activity_result(
        &mut self,
        id: i64,
        sessions: i64,
        participants: i64,
        note: &str,
        now: &str,
    ) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("UPDATE activity SET result_sessions = $1, result_participants = $2, result_note = $3, result_at = $4, updated_at = $4 WHERE id = $5")
                .bind(sessions).bind(participants).bind(note).bind(now).bind(id).execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn delete_activity(&mut self, id: i64) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("DELETE FROM activity_photo WHERE activity_id = $1").bind(id).execute(&mut *c).await?;
            sqlx::query("DELETE FROM activity WHERE id = $1").bind(id).execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn insert_activity_photo(
        &mut self,
        activity_id: i64,
        file_name: &str,
        content_type: &str,
        data: &[u8],
        now: &str,
    ) -> Result<i64> {
        on_tx!(self, c => {
            let r = sqlx::query("INSERT INTO activity_photo (activity_id, file_name, content_type, byte_size, data, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
                .bind(activity_id).bind(file_name).bind(content_type).bind(data.len() as i64).bind(data).bind(now)
                .fetch_one(&mut *c).await?;
            Ok(r.try_get::<i64, _>("id")?)
        })
    }

    pub async fn put_activity_settings(
        &mut self,
        campaign_id: i64,
        settings: &ActivitySettingsRow,
        now: &str,
    ) -> Result<()> {
        let slogans = serde_json::to_string(&settings.slogans).expect("strings serialise");
        on_tx!(self, c => {
            sqlx::query("INSERT INTO activity_settings (campaign_id, registration_deadline, plan_deadline, reminder_days, slogans, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                ON CONFLICT (campaign_id) DO UPDATE SET registration_deadline = excluded.registration_deadline, plan_deadline = excluded.plan_deadline, \
                reminder_days = excluded.reminder_days, slogans = excluded.slogans, updated_at = excluded.updated_at")
                .bind(campaign_id).bind(&settings.registration_deadline).bind(&settings.plan_deadline).bind(settings.reminder_days)
                .bind(&slogans).bind(now).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Adds a notification; with a `dedupe_key`, only once. Returns whether it was added.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_notification(
        &mut self,
        user_id: i64,
        kind: &str,
        title: &str,
        body: &str,
        link: &str,
        dedupe_key: Option<&str>,
        now: &str,
    ) -> Result<bool> {
        on_tx!(self, c => {
            let done = sqlx::query("INSERT INTO notification (user_id, kind, title, body, link, dedupe_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dedupe_key) DO NOTHING")
                .bind(user_id).bind(kind).bind(title).bind(body).bind(link).bind(dedupe_key).bind(now)
                .execute(&mut *c).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Marks one (or, with `None`, every) notification of a user read; returns how many.
    pub async fn mark_notifications_read(
        &mut self,
        user_id: i64,
        id: Option<i64>,
        now: &str,
    ) -> Result<u64> {
        on_tx!(self, c => {
            let done = match id {
                Some(id) => sqlx::query("UPDATE notification SET read_at = $1 WHERE user_id = $2 AND id = $3 AND read_at IS NULL").bind(now).bind(user_id).bind(id).execute(&mut *c).await?,
                None => sqlx::query("UPDATE notification SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL").bind(now).bind(user_id).execute(&mut *c).await?,
            };
            Ok(done.rows_affected())
        })
    }

    pub async fn set_email_preference(
        &mut self,
        user_id: i64,
        kind: &str,
        enabled: bool,
    ) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("INSERT INTO email_preference (user_id, kind, enabled) VALUES ($1, $2, $3) ON CONFLICT (user_id, kind) DO UPDATE SET enabled = excluded.enabled")
                .bind(user_id).bind(kind).bind(enabled).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Queues an e-mail; with a `dedupe_key`, only once whichever instance asks. Returns its id
    /// when queued.
    #[allow(clippy::too_many_arguments)]
    pub async fn queue_email(
        &mut self,
        user_id: Option<i64>,
        to: &str,
        kind: &str,
        subject: &str,
        body: &str,
        dedupe_key: Option<&str>,
        now: &str,
    ) -> Result<Option<i64>> {
        on_tx!(self, c => {
            let r = sqlx::query("INSERT INTO email_outbox (user_id, to_address, kind, subject, body, dedupe_key, status, attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, $7) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id")
                .bind(user_id).bind(to).bind(kind).bind(subject).bind(body).bind(dedupe_key).bind(now)
                .fetch_optional(&mut *c).await?;
            r.map(|r| Ok(r.try_get::<i64, _>("id")?)).transpose()
        })
    }

    /// Claims the oldest due e-mail for `instance` (PostgreSQL skips rows other instances
    /// hold; SQLite has one writer), or `None`.
    pub async fn claim_email(&mut self, instance: &str, now: &str) -> Result<Option<OutboxEmail>> {
        let skip = if self.lock_clause().is_empty() {
            ""
        } else {
            " FOR UPDATE SKIP LOCKED"
        };
        let select = format!("SELECT id, to_address, subject, body, attempts FROM email_outbox WHERE status = 'queued' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT 1{skip}");
        on_tx!(self, c => {
            let Some(r) = sqlx::query(&select).bind(now).fetch_optional(&mut *c).await? else { return Ok(None) };
            let id: i64 = r.try_get("id")?;
            let done = sqlx::query("UPDATE email_outbox SET status = 'sending', attempts = attempts + 1, claimed_by = $1 WHERE id = $2 AND status = 'queued'")
                .bind(instance).bind(id).execute(&mut *c).await?;
            if done.rows_affected() != 1 {
                return Ok(None);
            }
            Ok(Some(OutboxEmail {
                id,
                to_address: r.try_get("to_address")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                attempt: r.try_get::<i64, _>("attempts")? + 1,
            }))
        })
    }

    /// Records an attempt: sent, re-queued for `retry_at`, or failed for good.
    pub async fn finish_email(
        &mut self,
        email: &OutboxEmail,
        instance: &str,
        outcome: std::result::Result<&str, &str>,
        retry_at: Option<&str>,
        now: &str,
    ) -> Result<()> {
        let (ok, response) = match outcome {
            Ok(r) => (true, r),
            Err(e) => (false, e),
        };
        let status = match (ok, retry_at) {
            (true, _) => "sent",
            (false, Some(_)) => "queued",
            (false, None) => "failed",
        };
        on_tx!(self, c => {
            sqlx::query("INSERT INTO email_send (email_id, attempt, instance, at, ok, response) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(email.id).bind(email.attempt).bind(instance).bind(now).bind(ok).bind(response).execute(&mut *c).await?;
            sqlx::query("UPDATE email_outbox SET status = $1, last_error = $2, next_attempt_at = COALESCE($3, next_attempt_at), sent_at = $4 WHERE id = $5")
                .bind(status).bind((!ok).then_some(response)).bind(retry_at).bind(ok.then_some(now)).bind(email.id)
                .execute(&mut *c).await?;
        });
        Ok(())
    }
}
