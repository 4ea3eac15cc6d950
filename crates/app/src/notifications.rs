//! Thông báo — in-app notifications, the e-mail queue sent over SMTP (retries, a record of
//! each attempt, each e-mail once across instances), per-user e-mail choices, and the
//! deadline reminders run as a periodic job.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use tuanle_domain::campaign::Campaign;
use tuanle_domain::format::date_vi;
use tuanle_domain::report::ReportAction;
use tuanle_domain::unit::Unit;
use tuanle_store::{time_text, NotificationRecord, OutboxEmail};

use crate::{Actor, App, AppError, Result};

/// Job: send the due e-mails of the outbox.
pub const SEND_EMAILS: &str = "send_emails";
/// Job: queue deadline reminders and missed-deadline notices (hourly).
pub const REMINDERS: &str = "reminders";
/// Days after a missed deadline during which its notice is still given.
pub const OVERDUE_NOTICE_DAYS: i64 = 7;
/// Attempts before an e-mail is left as failed.
pub const MAX_EMAIL_ATTEMPTS: i64 = 5;

/// Loại thông báo — what a notice is about; the user's e-mail choices are per kind.
pub const KINDS: &[(&str, &str)] = &[
    (
        "reminder",
        "Nhắc hạn (đăng ký hoạt động, ban hành kế hoạch, nộp báo cáo)",
    ),
    ("overdue", "Quá hạn"),
    ("report_review", "Báo cáo bị trả lại / được chấp nhận"),
    ("document", "Văn bản đến"),
    ("task", "Nhiệm vụ được giao / quá hạn"),
];

/// Bảo mật kết nối SMTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmtpTls {
    /// Plain connection (a relay on the same host or a test server).
    #[default]
    None,
    /// STARTTLS on the submission port (587).
    StartTls,
    /// TLS from the first byte (465).
    Wrapper,
}

impl SmtpTls {
    pub fn parse(s: &str) -> Option<SmtpTls> {
        match s {
            "none" => Some(SmtpTls::None),
            "starttls" => Some(SmtpTls::StartTls),
            "tls" | "wrapper" => Some(SmtpTls::Wrapper),
            _ => None,
        }
    }
}

/// Máy chủ thư — where e-mails go.
#[derive(Debug, Clone, Default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    /// From address ("tuanle@so-gddt.gov.vn" or "Tuần lễ HTSĐ <…>").
    pub from: String,
}

/// Notification settings of this instance.
#[derive(Debug, Clone)]
pub struct NotifySettings {
    /// No SMTP: e-mails stay queued.
    pub smtp: Option<SmtpConfig>,
    /// Days before a deadline when reminders start.
    pub reminder_days: i64,
    /// Address of the site, for links in e-mails ("https://tuanle.example.vn").
    pub base_url: String,
}

impl Default for NotifySettings {
    fn default() -> Self {
        NotifySettings {
            smtp: None,
            reminder_days: 3,
            base_url: "http://127.0.0.1:8080".into(),
        }
    }
}

/// A notice to deliver to the users of a unit (or to one user).
#[derive(Debug, Clone)]
pub struct Notice {
    /// One of [`KINDS`].
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    /// Path in the site ("/campaigns/1/reports/27490").
    pub link: String,
    /// Makes the notice once-only per user: the user id is appended.
    pub dedupe: Option<String>,
}

impl App {
    pub fn notify_settings(&self) -> NotifySettings {
        self.notify.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// Sets this instance's notification settings (from the command line or env).
    pub fn set_notify_settings(&self, s: NotifySettings) {
        if let Ok(mut n) = self.notify.write() {
            *n = s;
        }
    }

    /// Delivers a notice to each active user of a unit: an in-app notification, and an
    /// e-mail when the user has an address and has not turned that kind off. Returns how
    /// many users got it (already notified ones, by `dedupe`, are skipped).
    pub async fn notify_unit(&self, unit_id: i64, n: &Notice) -> Result<usize> {
        let mut count = 0;
        for user_id in self.store.unit_user_ids(unit_id).await? {
            if self.notify_user(user_id, n).await? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Delivers a notice to one user (see [`App::notify_unit`]).
    pub async fn notify_user(&self, user_id: i64, n: &Notice) -> Result<bool> {
        let key = n.dedupe.as_ref().map(|d| format!("{d}:u{user_id}"));
        // Already given (the hourly sweeps ask again and again): a read, no write.
        if let Some(k) = &key {
            if self.store.notification_given(k).await? {
                return Ok(false);
            }
        }
        let Some(user) = self.store.user(user_id).await? else {
            return Ok(false);
        };
        let prefs = self.store.email_preferences(user_id).await?;
        let wants_mail = prefs.get(n.kind).copied().unwrap_or(true);
        let now = time_text(self.now());
        let settings = self.notify_settings();
        let mut tx = self.store.begin().await?;
        let added = tx
            .insert_notification(
                user_id,
                n.kind,
                &n.title,
                &n.body,
                &n.link,
                key.as_deref(),
                &now,
            )
            .await?;
        let mut queued = false;
        if added && wants_mail {
            if let Some(to) = user.email.as_deref().filter(|e| e.contains('@')) {
                let body = format!(
                    "Kính gửi {},\n\n{}\n\nXem chi tiết: {}{}\n\n—\nTuần lễ hưởng ứng học tập suốt đời (tuanle). Thư gửi tự động; \
                     có thể tắt loại thư này trong mục \"Thông báo\" của tài khoản.",
                    user.full_name,
                    n.body,
                    settings.base_url.trim_end_matches('/'),
                    n.link
                );
                queued = tx
                    .queue_email(
                        Some(user_id),
                        to,
                        n.kind,
                        &n.title,
                        &body,
                        key.as_deref(),
                        &now,
                    )
                    .await?
                    .is_some();
            }
        }
        tx.commit().await?;
        if queued {
            // Sent promptly by whichever instance claims the job.
            self.enqueue_job(SEND_EMAILS, serde_json::json!({}), None)
                .await?;
        }
        Ok(added)
    }

    /// Gửi thư đến hạn: claims due e-mails one at a time as `instance` and sends them over
    /// SMTP; a failure is recorded and retried later (5, 10, 15… minutes by this
    /// instance's clock) up to [`MAX_EMAIL_ATTEMPTS`]. Returns how many were sent.
    pub async fn send_due_emails(&self, instance: &str) -> Result<usize> {
        let Some(smtp) = self.notify_settings().smtp else {
            return Ok(0);
        };
        let mut sent = 0;
        loop {
            let now = self.now();
            let mut tx = self.store.begin().await?;
            let email = tx.claim_email(instance, &time_text(now)).await?;
            tx.commit().await?;
            let Some(email) = email else { break };
            let outcome = send_smtp(&smtp, &email).await;
            let retry = (outcome.is_err() && email.attempt < MAX_EMAIL_ATTEMPTS)
                .then(|| time_text(now + Duration::minutes(5 * email.attempt)));
            let mut tx = self.store.begin().await?;
            tx.finish_email(
                &email,
                instance,
                outcome.as_deref().map_err(|e| e.as_str()),
                retry.as_deref(),
                &time_text(self.now()),
            )
            .await?;
            tx.commit().await?;
            match outcome {
                Ok(_) => sent += 1,
                Err(e) => tracing::warn!(email = email.id, error = %e, "gửi thư không thành công"),
            }
        }
        Ok(sent)
    }

    /// Nhắc hạn: for every campaign, queues reminders in the reminder days before each
    /// deadline (the campaign's setting, else this instance's) and a notice the day after
    /// a missed one, to the required units that have not registered activities
    /// (registration deadline), not issued their plan (plan deadline; administrative
    /// units) or not submitted their report (report deadline of their level); then a
    /// notice for every task that went overdue. Each notice goes to each user once,
    /// however many instances run the sweep. Returns how many notices were delivered.
    pub async fn run_reminders(&self) -> Result<usize> {
        let today = self.today();
        let default_days = self.notify_settings().reminder_days.max(0);
        let mut delivered = 0;
        for campaign in self.store.list_campaigns().await? {
            let settings = self.activity_settings(campaign.id).await?;
            let days = settings.reminder_days.unwrap_or(default_days).max(0);
            // Nothing can be due: skip the campaign's queries.
            let deadlines = campaign
                .deadlines
                .iter()
                .map(|d| d.deadline)
                .chain(settings.registration_deadline)
                .chain(settings.plan_deadline);
            if !deadlines.into_iter().any(|d| notice_window(d, today, days)) {
                continue;
            }
            let root = self.store.tree_root(campaign.tree_id).await?;
            let required = self
                .store
                .subtree_units_of_types(campaign.tree_id, &root.path, &campaign.required_types)
                .await?;
            let submitted = self.store.units_with_submitted_report(campaign.id).await?;
            let registered = self.store.units_with_activities(campaign.id).await?;
            let planned = self.units_with_issued_plan(campaign.id).await?;
            for unit in &required {
                let mut due = Vec::new();
                if !submitted.contains(&unit.id) {
                    if let Some(d) = campaign.deadline_for(unit.admin_level) {
                        due.push((Deadline::Report, d));
                    }
                }
                if !registered.contains(&unit.id) {
                    if let Some(d) = settings.registration_deadline {
                        due.push((Deadline::Activities, d));
                    }
                }
                if App::is_admin_unit(unit) && !planned.contains(&unit.id) {
                    if let Some(d) = settings.plan_deadline {
                        due.push((Deadline::Plan, d));
                    }
                }
                for (what, d) in due {
                    if let Some(n) = deadline_notice(&campaign, unit, what, d, today, days) {
                        delivered += self.notify_unit(unit.id, &n).await?;
                    }
                }
            }
        }
        delivered += self.notify_overdue_tasks().await?;
        Ok(delivered)
    }

    /// Units that have issued a plan for the campaign: the issuing unit, or the
    /// administrative unit above an issuing body (UBND, Phòng GDĐT).
    async fn units_with_issued_plan(&self, campaign_id: i64) -> Result<BTreeSet<i64>> {
        Ok(self
            .store
            .plan_issuers(campaign_id)
            .await?
            .into_iter()
            .flat_map(|(id, parent, unit_type)| {
                let body = !tuanle_domain::unit::is_administrative_type(&unit_type);
                [Some(id), parent.filter(|_| body)]
            })
            .flatten()
            .collect())
    }

    /// Nhiệm vụ quá hạn: a notice to the unit of every task not done the day after its
    /// deadline (and for [`OVERDUE_NOTICE_DAYS`] days, so a stopped worker catches up),
    /// once per task and user. Returns how many notices were delivered.
    pub async fn notify_overdue_tasks(&self) -> Result<usize> {
        let today = self.today();
        let mut delivered = 0;
        let since = today - Duration::days(OVERDUE_NOTICE_DAYS);
        for t in self
            .store
            .overdue_tasks(&since.to_string(), &today.to_string())
            .await?
        {
            delivered += self
                .notify_task_at(
                    t.unit_id,
                    t.id,
                    &t.title,
                    Some(t.deadline),
                    true,
                    &format!("/campaigns/{}/tasks/{}", t.campaign_id, t.unit_code),
                )
                .await?;
        }
        Ok(delivered)
    }

    /// Reminds a unit that has not issued its plan by `deadline` (within the reminder
    /// days before it) or tells it the day after (see [`App::run_reminders`], which calls
    /// this for every administrative unit without an issued plan).
    pub async fn remind_plan_deadline(
        &self,
        campaign: &Campaign,
        unit: &Unit,
        deadline: NaiveDate,
    ) -> Result<usize> {
        let days = self
            .activity_settings(campaign.id)
            .await?
            .reminder_days
            .unwrap_or(self.notify_settings().reminder_days)
            .max(0);
        match deadline_notice(campaign, unit, Deadline::Plan, deadline, self.today(), days) {
            Some(n) => self.notify_unit(unit.id, &n).await,
            None => Ok(0),
        }
    }

    /// Hook for the plans module: a document arrived in a unit's incoming register.
    pub async fn notify_document_received(
        &self,
        unit_id: i64,
        document_id: i64,
        subject: &str,
        from: &str,
    ) -> Result<usize> {
        self.notify_unit(
            unit_id,
            &Notice {
                kind: "document",
                title: format!("Văn bản đến: {subject}"),
                body: format!("{from} đã gửi văn bản \"{subject}\" đến sổ văn bản đến của đơn vị."),
                link: format!("/documents/{document_id}"),
                dedupe: Some(format!("document:{document_id}:unit{unit_id}")),
            },
        )
        .await
    }

    /// Hook for the plans module: a task was assigned to a unit, or is overdue. The
    /// notice links to the unit's tasks of the task's campaign.
    pub async fn notify_task(
        &self,
        unit_id: i64,
        task_id: i64,
        title: &str,
        due: Option<NaiveDate>,
        overdue: bool,
    ) -> Result<usize> {
        let unit_code = self.store.unit(unit_id).await?.map(|u| u.code);
        let campaign = match self.store.task(task_id).await? {
            Some(t) => self
                .store
                .document(t.document_id)
                .await?
                .and_then(|d| d.campaign_id),
            None => None,
        };
        let link = match (campaign, unit_code) {
            (Some(c), Some(code)) => format!("/campaigns/{c}/tasks/{code}"),
            (None, Some(code)) => format!("/units/{code}/documents"),
            _ => "/".to_string(),
        };
        self.notify_task_at(unit_id, task_id, title, due, overdue, &link)
            .await
    }

    async fn notify_task_at(
        &self,
        unit_id: i64,
        task_id: i64,
        title: &str,
        due: Option<NaiveDate>,
        overdue: bool,
        link: &str,
    ) -> Result<usize> {
        let due_text = due
            .map(|d| format!(" (hạn {})", date_vi(d)))
            .unwrap_or_default();
        let (t, b, k) = if overdue {
            (
                format!("Nhiệm vụ quá hạn: {title}"),
                format!("Nhiệm vụ \"{title}\"{due_text} đã quá hạn mà chưa hoàn thành. Đề nghị đơn vị khẩn trương thực hiện và cập nhật tiến độ."),
                "overdue",
            )
        } else {
            (
                format!("Nhiệm vụ mới: {title}"),
                format!("Đơn vị được giao nhiệm vụ \"{title}\"{due_text}."),
                "assigned",
            )
        };
        self.notify_unit(
            unit_id,
            &Notice {
                kind: "task",
                title: t,
                body: b,
                link: link.to_string(),
                dedupe: Some(format!("task:{task_id}:{k}:unit{unit_id}")),
            },
        )
        .await
    }

    /// Hook after a letter issued by tuanle — a consultation letter (góp ý) or a
    /// submission (tờ trình) — went straight into incoming registers: a *Văn bản đến*
    /// notice per receiving unit, linking to what it has to do (answer the consultation
    /// by its deadline; review the submitted draft). Errors are logged, never fail the
    /// plan's step.
    pub async fn notify_letter_incoming(&self, letter_id: i64) {
        if let Err(e) = self.try_notify_letter_incoming(letter_id).await {
            tracing::warn!(error = %e, letter = letter_id, "không gửi được thông báo văn bản đến");
        }
    }

    async fn try_notify_letter_incoming(&self, letter_id: i64) -> Result<()> {
        let Some(letter) = self.store.document(letter_id).await? else {
            return Ok(());
        };
        let number = letter
            .number_text
            .as_deref()
            .map(|n| format!(" số {n}"))
            .unwrap_or_default();
        let mut body = format!(
            "{} đã gửi công văn{number} \"{}\" đến sổ văn bản đến của đơn vị.",
            letter.issuer_name, letter.subject
        );
        let mut link = format!("/documents/{letter_id}");
        if let Some(plan_id) = letter.related_document_id {
            let consultation = self
                .store
                .consultations(plan_id)
                .await?
                .into_iter()
                .find(|c| c.letter_id == Some(letter_id));
            match consultation {
                Some(c) => {
                    body.push_str(&format!(
                        " Đề nghị đơn vị góp ý dự thảo đến hết ngày {}; sau hạn, đơn vị không có ý kiến được xem như thống nhất.",
                        date_vi(c.deadline)
                    ));
                    link = format!("/consultations/{}", c.id);
                }
                None => {
                    body.push_str(" Dự thảo được trình để xem xét, phê duyệt.");
                    link = format!("/documents/{plan_id}");
                }
            }
        }
        for r in self.store.incoming_of_document(letter_id).await? {
            self.notify_unit(
                r.unit_id,
                &Notice {
                    kind: "document",
                    title: format!("Văn bản đến: {}", letter.subject),
                    body: body.clone(),
                    link: link.clone(),
                    dedupe: Some(format!("document:{letter_id}:unit{}", r.unit_id)),
                },
            )
            .await?;
        }
        Ok(())
    }

    /// Hook after a distribution (plans module): a notice to each unit whose sổ văn bản
    /// đến received the document. Errors are logged, never fail the distribution.
    pub async fn notify_incoming(
        &self,
        incoming: &[tuanle_store::IncomingRecord],
        subject: &str,
        from: &str,
    ) {
        for r in incoming {
            if let Err(e) = self
                .notify_document_received(r.unit_id, r.document_id, subject, from)
                .await
            {
                tracing::warn!(error = %e, unit = r.unit_id, "không gửi được thông báo văn bản đến");
            }
        }
    }

    /// Hook after an issuance (plans module): a notice to each unit the document assigns
    /// a task. Errors are logged, never fail the issuance.
    pub async fn notify_document_tasks(&self, document_id: i64) {
        let tasks = match self.store.tasks_of_document(document_id).await {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(error = %e, "không đọc được nhiệm vụ để thông báo");
                return;
            }
        };
        for t in tasks {
            if let Err(e) = self
                .notify_task(t.unit_id, t.id, &t.title, t.deadline, false)
                .await
            {
                tracing::warn!(error = %e, unit = t.unit_id, "không gửi được thông báo nhiệm vụ");
            }
        }
    }

    /// Hook after a review: tells the unit its report was returned or accepted. Errors
    /// are logged, never fail the review.
    pub async fn notify_report_reviewed(
        &self,
        campaign: &Campaign,
        unit: &Unit,
        action: ReportAction,
        comment: &str,
        version: i64,
    ) {
        let (title, body) = match action {
            ReportAction::Return => (
                format!("Báo cáo bị trả lại — {}", campaign.name),
                format!(
                    "Báo cáo của {} bị trả lại với ý kiến: \"{comment}\". Vui lòng sửa và nộp lại.",
                    unit.name
                ),
            ),
            ReportAction::Accept => (
                format!("Báo cáo đã được chấp nhận — {}", campaign.name),
                format!("Báo cáo của {} đã được chấp nhận.", unit.name),
            ),
            _ => return,
        };
        let n = Notice {
            kind: "report_review",
            title,
            body,
            link: format!("/campaigns/{}/reports/{}", campaign.id, unit.code),
            dedupe: Some(format!("review:{}:{}:v{version}", campaign.id, unit.id)),
        };
        if let Err(e) = self.notify_unit(unit.id, &n).await {
            tracing::warn!(error = %e, "không gửi được thông báo duyệt báo cáo");
        }
    }

    /// The actor's notifications and unread count.
    pub async fn my_notifications(&self, actor: &Actor) -> Result<(Vec<NotificationRecord>, i64)> {
        Ok((
            self.store.notifications(actor.user.id, 100).await?,
            self.store.unread_notifications(actor.user.id).await?,
        ))
    }

    /// Unread count only (the header badge).
    pub async fn unread_count(&self, actor: &Actor) -> Result<i64> {
        Ok(self.store.unread_notifications(actor.user.id).await?)
    }

    /// Đánh dấu đã đọc: one, or all with `None`.
    pub async fn mark_read(&self, actor: &Actor, id: Option<i64>) -> Result<u64> {
        let mut tx = self.store.begin().await?;
        let n = tx
            .mark_notifications_read(actor.user.id, id, &time_text(self.now()))
            .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The actor's e-mail choices, every kind (absent = on).
    pub async fn email_preferences(&self, actor: &Actor) -> Result<BTreeMap<String, bool>> {
        let stored = self.store.email_preferences(actor.user.id).await?;
        Ok(KINDS
            .iter()
            .map(|(k, _)| (k.to_string(), stored.get(*k).copied().unwrap_or(true)))
            .collect())
    }

    /// Chọn loại thư nhận.
    pub async fn set_email_preferences(
        &self,
        actor: &Actor,
        prefs: &BTreeMap<String, bool>,
    ) -> Result<()> {
        for k in prefs.keys() {
            if !KINDS.iter().any(|(kind, _)| kind == k) {
                return Err(AppError::invalid(
                    "Loại thư",
                    format!("không có loại \"{k}\""),
                ));
            }
        }
        let mut tx = self.store.begin().await?;
        for (k, v) in prefs {
            tx.set_email_preference(actor.user.id, k, *v).await?;
        }
        tx.audit(tuanle_store::NewAudit {
            action: "email_preferences".into(),
            object_type: "app_user".into(),
            object_id: actor.user.id.to_string(),
            after: Some(serde_json::to_value(prefs).unwrap_or_default()),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Runs a notification job; `None` when `kind` is not one of them.
    pub(crate) async fn run_notifications_job(
        &self,
        kind: &str,
        instance: &str,
    ) -> Option<Result<()>> {
        match kind {
            SEND_EMAILS => Some(self.send_due_emails(instance).await.map(|_| ())),
            REMINDERS => Some(self.run_reminders().await.map(|_| ())),
            _ => None,
        }
    }
}

#[derive(Clone, Copy)]
enum Deadline {
    Report,
    Activities,
    Plan,
}

/// Whether a deadline gives a notice today: a reminder from `days` before it through
/// the day itself, a missed-deadline notice from the day after it for
/// [`OVERDUE_NOTICE_DAYS`] days (so that a worker stopped for a while still gives it,
/// and accounts created long after are not told of old deadlines).
fn notice_window(deadline: NaiveDate, today: NaiveDate, days: i64) -> bool {
    today >= deadline - Duration::days(days)
        && today <= deadline + Duration::days(OVERDUE_NOTICE_DAYS)
}

/// The notice due today for a unit that has not met `deadline`, if any.
fn deadline_notice(
    campaign: &Campaign,
    unit: &Unit,
    what: Deadline,
    deadline: NaiveDate,
    today: NaiveDate,
    days: i64,
) -> Option<Notice> {
    let (task, key, link) = match what {
        Deadline::Report => (
            "nộp báo cáo kết quả",
            "report",
            format!("/campaigns/{}/reports/{}", campaign.id, unit.code),
        ),
        Deadline::Activities => (
            "đăng ký lịch hoạt động",
            "activities",
            format!("/campaigns/{}/activities/{}", campaign.id, unit.code),
        ),
        Deadline::Plan => (
            "ban hành kế hoạch",
            "plan",
            format!("/units/{}/documents?campaign={}", unit.code, campaign.id),
        ),
    };
    if !notice_window(deadline, today, days) {
        return None;
    }
    let d = date_vi(deadline);
    if today > deadline {
        Some(Notice {
            kind: "overdue",
            title: format!("Quá hạn {task} — {}", campaign.name),
            body: format!(
                "{} chưa {task} cho {}; hạn là ngày {d} đã qua. Đề nghị đơn vị khẩn trương thực hiện.",
                unit.name, campaign.name
            ),
            link,
            dedupe: Some(format!("overdue:{key}:{}:{}:{deadline}", campaign.id, unit.id)),
        })
    } else if today >= deadline - Duration::days(days) {
        let left = (deadline - today).num_days();
        let when = if left == 0 {
            "hôm nay".to_string()
        } else {
            format!("còn {left} ngày")
        };
        Some(Notice {
            kind: "reminder",
            title: format!("Nhắc hạn {task} ({d}) — {}", campaign.name),
            body: format!(
                "{} chưa {task} cho {}. Hạn là ngày {d} ({when}).",
                unit.name, campaign.name
            ),
            link,
            dedupe: Some(format!(
                "reminder:{key}:{}:{}:{deadline}",
                campaign.id, unit.id
            )),
        })
    } else {
        None
    }
}

/// Sends one e-mail; the server's reply text, or the error.
async fn send_smtp(cfg: &SmtpConfig, email: &OutboxEmail) -> std::result::Result<String, String> {
    use lettre::message::header::ContentType;
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let msg = Message::builder()
        .from(
            cfg.from
                .parse()
                .map_err(|e| format!("địa chỉ gửi \"{}\": {e}", cfg.from))?,
        )
        .to(email
            .to_address
            .parse()
            .map_err(|e| format!("địa chỉ nhận \"{}\": {e}", email.to_address))?)
        .subject(&email.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(email.body.clone())
        .map_err(|e| e.to_string())?;
    let builder = match cfg.tls {
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&cfg.host),
        SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&cfg.host)
            .map_err(|e| e.to_string())?,
        SmtpTls::Wrapper => {
            AsyncSmtpTransport::<Tokio1Executor>::relay(&cfg.host).map_err(|e| e.to_string())?
        }
    };
    let mut builder = builder
        .port(cfg.port)
        .timeout(Some(std::time::Duration::from_secs(30)));
    if let (Some(u), Some(p)) = (&cfg.username, &cfg.password) {
        builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
    }
    let transport = builder.build();
    match transport.send(msg).await {
        Ok(r) => Ok(format!(
            "{} {}",
            r.code(),
            r.message().collect::<Vec<_>>().join(" ")
        )),
        Err(e) => Err(e.to_string()),
    }
}
