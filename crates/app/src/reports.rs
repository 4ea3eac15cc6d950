//! Báo cáo kết quả — filling, submitting, returning and accepting reports; photos.

use tuanle_domain::access::Action;
use tuanle_domain::campaign::{is_late, Campaign};
use tuanle_domain::consolidate::{delta, ReportState};
use tuanle_domain::report::{transition, Basis, ReportAction, ReportContent, ReportStatus};
use tuanle_domain::template::Template;
use tuanle_domain::unit::Unit;
use tuanle_domain::validate::{fill_totals, validate, Issue, Validation};
use tuanle_store::{now_text, time_text, NewAudit, ReportRecord, ReportRow, Tx};

use crate::{Actor, App, AppError, Result};

/// Largest photo accepted, in bytes.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// Most photos on one report.
pub const MAX_PHOTOS: usize = 20;
/// Photo types accepted, by content.
pub const PHOTO_TYPES: &[&str] = &["image/jpeg", "image/png", "image/webp"];

/// A report as one unit's page shows it.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub campaign: Campaign,
    pub template: Template,
    pub unit: Unit,
    pub record: Option<ReportRecord>,
    pub validation: Validation,
    pub deadline: Option<chrono::NaiveDate>,
    pub can_edit: bool,
    pub can_review: bool,
}

/// Name of a user for display, by id.
pub type UserNames = std::collections::HashMap<i64, String>;

impl App {
    /// The campaign, its template and a unit of its tree the actor can see.
    pub async fn campaign_unit(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
    ) -> Result<(Campaign, Template, Unit)> {
        let campaign = self.campaign(campaign_id).await?;
        if campaign.tree_id != actor.unit.tree_id {
            return Err(AppError::NotFound(format!(
                "Không tìm thấy Tuần lễ {campaign_id}"
            )));
        }
        let template = self.template(campaign.template_id).await?;
        let unit = self
            .visible_unit(actor, campaign.tree_id, unit_code)
            .await?;
        Ok((campaign, template, unit))
    }

    /// Đọc báo cáo of a unit.
    pub async fn report_view(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
    ) -> Result<ReportView> {
        let (campaign, template, unit) = self.campaign_unit(actor, campaign_id, unit_code).await?;
        let record = self.store.report(campaign.id, unit.id).await?;
        let validation = record
            .as_ref()
            .map(|r| validate(&template, &r.content, true))
            .unwrap_or_default();
        let deadline = campaign.deadline_for(unit.admin_level);
        Ok(ReportView {
            can_edit: actor.can(&unit, Action::EditReport),
            can_review: actor.can(&unit, Action::Review),
            campaign,
            template,
            unit,
            record,
            validation,
            deadline,
        })
    }

    /// Lưu nháp / Nộp báo cáo: stores the content, and on submit sends it up. Errors
    /// (and, on submit, warnings without explanation) block and store nothing.
    pub async fn save_report(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        action: ReportAction,
        content: ReportContent,
    ) -> Result<ReportRecord> {
        self.save_report_at(
            actor,
            campaign_id,
            unit_code,
            action,
            content,
            chrono::Utc::now(),
        )
        .await
    }

    /// [`App::save_report`] with an explicit clock (the demo replays 2021).
    pub async fn save_report_at(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        action: ReportAction,
        mut content: ReportContent,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<ReportRecord> {
        if !matches!(action, ReportAction::Save | ReportAction::Submit) {
            return Err(AppError::invalid("Thao tác", "chỉ lưu nháp hoặc nộp"));
        }
        let (campaign, template, unit) = self.campaign_unit(actor, campaign_id, unit_code).await?;
        actor.require(&unit, Action::EditReport)?;
        let submitting = action == ReportAction::Submit;
        fill_totals(&template, &mut content.figures);
        // "Từ hoạt động" marks are kept for the template's cells only.
        content.from_activities.0.retain(|code, cols| {
            cols.retain(|col, _| template.slot(code, col).is_some());
            !cols.is_empty()
        });
        let v = validate(&template, &content, submitting);
        if v.has_errors() {
            return Err(AppError::Validation(v.errors));
        }
        if submitting {
            let missing: Vec<Issue> = v
                .unexplained(&content)
                .map(|w| Issue {
                    message: format!("Cần giải trình: {}", w.message),
                    ..w.clone()
                })
                .collect();
            if !missing.is_empty() {
                return Err(AppError::Validation(missing));
            }
        }
        // Drop explanations of warnings that no longer apply.
        content
            .explanations
            .retain(|k, _| v.warnings.iter().any(|w| &w.key == k));
        let mut tx = self.store.begin().await?;
        tx.lock_campaign(campaign.id, false).await?;
        let before = tx.report(campaign.id, unit.id).await?;
        let next = transition(before.as_ref().map(|r| r.row.status), action)?;
        let now = time_text(at);
        let mut row = before.as_ref().map(|r| r.row.clone()).unwrap_or(ReportRow {
            id: 0,
            campaign_id: campaign.id,
            unit_id: unit.id,
            status: next,
            version: 0,
            first_submitted_at: None,
            submitted_at: None,
            late: false,
            reviewed_at: None,
            reviewed_by: None,
            review_comment: None,
            entered_by: None,
            entered_on_behalf: false,
            updated_at: now.clone(),
            updated_by: None,
        });
        row.status = next;
        row.version += 1;
        row.updated_at = now.clone();
        row.updated_by = Some(actor.user.id);
        row.entered_by = Some(actor.user.id);
        row.entered_on_behalf = actor.unit.id != unit.id;
        if submitting {
            let first = row
                .first_submitted_at
                .clone()
                .unwrap_or_else(|| now.clone());
            row.late = is_late(
                tuanle_store::parse_time(&first)?,
                campaign.deadline_for(unit.admin_level),
            );
            row.first_submitted_at = Some(first);
            row.submitted_at = Some(now.clone());
        }
        let after = ReportRecord {
            row: row.clone(),
            content,
        };
        let id = self
            .write_report(
                &mut tx,
                actor,
                &campaign,
                &template,
                &unit,
                before.as_ref(),
                &after,
                action,
                None,
            )
            .await?;
        tx.commit().await?;
        Ok(ReportRecord {
            row: ReportRow { id, ..after.row },
            content: after.content,
        })
    }

    /// Trả lại / Chấp nhận a report of a unit below.
    pub async fn review_report(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        action: ReportAction,
        comment: &str,
    ) -> Result<ReportRecord> {
        self.review_report_at(
            actor,
            campaign_id,
            unit_code,
            action,
            comment,
            chrono::Utc::now(),
        )
        .await
    }

    /// [`App::review_report`] with an explicit clock.
    pub async fn review_report_at(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        action: ReportAction,
        comment: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<ReportRecord> {
        if !matches!(action, ReportAction::Return | ReportAction::Accept) {
            return Err(AppError::invalid("Thao tác", "chỉ trả lại hoặc chấp nhận"));
        }
        let comment = comment.trim();
        if action == ReportAction::Return && comment.is_empty() {
            return Err(AppError::invalid("Ý kiến", "cần ghi rõ lý do trả lại"));
        }
        let (campaign, template, unit) = self.campaign_unit(actor, campaign_id, unit_code).await?;
        actor.require(&unit, Action::Review)?;
        let mut tx = self.store.begin().await?;
        tx.lock_campaign(campaign.id, false).await?;
        let before = tx.report(campaign.id, unit.id).await?.ok_or_else(|| {
            AppError::NotFound(format!("Đơn vị \"{}\" chưa có báo cáo", unit.name))
        })?;
        let next = transition(Some(before.row.status), action)?;
        let now = time_text(at);
        let mut row = before.row.clone();
        row.status = next;
        row.version += 1;
        row.reviewed_at = Some(now.clone());
        row.reviewed_by = Some(actor.user.id);
        row.review_comment = (!comment.is_empty()).then(|| comment.to_string());
        row.updated_at = now;
        row.updated_by = Some(actor.user.id);
        let after = ReportRecord {
            row,
            content: before.content.clone(),
        };
        self.write_report(
            &mut tx,
            actor,
            &campaign,
            &template,
            &unit,
            Some(&before),
            &after,
            action,
            Some(comment),
        )
        .await?;
        tx.commit().await?;
        self.notify_report_reviewed(&campaign, &unit, action, comment, after.row.version)
            .await;
        Ok(after)
    }

    /// Writes the report, its history, the consolidation deltas along its lineage and
    /// the audit row, in the caller's transaction.
    #[allow(clippy::too_many_arguments)]
    async fn write_report(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        campaign: &Campaign,
        template: &Template,
        unit: &Unit,
        before: Option<&ReportRecord>,
        after: &ReportRecord,
        action: ReportAction,
        comment: Option<&str>,
    ) -> Result<i64> {
        let id = tx.save_report(&after.row, &after.content).await?;
        tx.insert_report_history(
            id,
            after.row.version,
            action.as_str(),
            after.row.status,
            &after.content,
            comment,
            Some(actor.user.id),
            &after.row.updated_at,
        )
        .await?;
        let slots = template.slot_count();
        let before_values = before.map(|b| b.content.figures.to_vector(template));
        let after_values = after.content.figures.to_vector(template);
        let required = campaign.required_types.contains(&unit.unit_type);
        let b = before
            .zip(before_values.as_deref())
            .map(|(r, v)| ReportState {
                status: r.row.status,
                values: v,
                late: r.row.late,
                required,
            });
        let a = ReportState {
            status: after.row.status,
            values: &after_values,
            late: after.row.late,
            required,
        };
        // The report's own rows and the audit first, the running sums of its lineage
        // last (in place on SQLite; as append-only deltas on PostgreSQL, see
        // `Tx::apply_delta`).
        let lineage = unit.lineage();
        let deltas: Vec<(Basis, tuanle_domain::consolidate::Totals)> = Basis::ALL
            .into_iter()
            .filter_map(|basis| delta(b.as_ref(), Some(&a), basis, slots).map(|d| (basis, d)))
            .collect();
        tx.audit(NewAudit {
            action: format!("report_{}", action.as_str()),
            object_type: "report".into(),
            object_id: id.to_string(),
            unit_id: Some(unit.id),
            before: before.map(report_json),
            after: Some(report_json(after)),
            ..actor.audit()
        })
        .await?;
        tx.apply_deltas(after.row.campaign_id, &lineage, &deltas)
            .await?;
        Ok(id)
    }

    /// Lịch sử báo cáo.
    pub async fn report_history(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
    ) -> Result<Vec<tuanle_store::ReportHistoryEntry>> {
        let (campaign, _, unit) = self.campaign_unit(actor, campaign_id, unit_code).await?;
        match self.store.report(campaign.id, unit.id).await? {
            Some(r) => Ok(self.store.report_history(r.row.id).await?),
            None => Ok(vec![]),
        }
    }

    /// Thêm ảnh: checks the bytes (not the name) are a JPEG, PNG or WebP image within
    /// the size limit. A report that does not exist yet is created as a draft.
    pub async fn add_photo(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        file_name: &str,
        data: &[u8],
        caption: &str,
    ) -> Result<i64> {
        let (campaign, template, unit) = self.campaign_unit(actor, campaign_id, unit_code).await?;
        actor.require(&unit, Action::EditReport)?;
        let shown = if file_name.trim().is_empty() {
            "(không tên)"
        } else {
            file_name.trim()
        };
        if data.is_empty() {
            return Err(AppError::BadFile(format!("Ảnh \"{shown}\": tệp rỗng")));
        }
        if data.len() > MAX_PHOTO_BYTES {
            return Err(AppError::BadFile(format!(
                "Ảnh \"{shown}\" quá lớn ({:.1} MB), tối đa {} MB",
                data.len() as f64 / 1_048_576.0,
                MAX_PHOTO_BYTES / 1_048_576
            )));
        }
        let kind = infer::get(data)
            .map(|k| k.mime_type())
            .unwrap_or("không rõ");
        if !PHOTO_TYPES.contains(&kind) {
            return Err(AppError::BadFile(format!(
                "Ảnh \"{shown}\": chỉ nhận ảnh JPEG, PNG hoặc WebP (nội dung tệp là {kind})"
            )));
        }
        let mut tx = self.store.begin().await?;
        let report = match tx.report(campaign.id, unit.id).await? {
            Some(r) => r,
            None => {
                drop(tx);
                self.save_report(
                    actor,
                    campaign.id,
                    unit_code,
                    ReportAction::Save,
                    ReportContent::default(),
                )
                .await?;
                tx = self.store.begin().await?;
                tx.report(campaign.id, unit.id)
                    .await?
                    .ok_or_else(|| AppError::NotFound("báo cáo".into()))?
            }
        };
        if report.row.status == ReportStatus::Accepted {
            return Err(AppError::Conflict(
                "Báo cáo đã được chấp nhận, không thêm ảnh được".into(),
            ));
        }
        let existing = self.store.photos(report.row.id).await?.len();
        if existing >= MAX_PHOTOS {
            return Err(AppError::BadFile(format!(
                "Mỗi báo cáo có tối đa {MAX_PHOTOS} ảnh"
            )));
        }
        let _ = template;
        let id = tx
            .insert_photo(
                report.row.id,
                shown,
                kind,
                data,
                caption.trim(),
                Some(actor.user.id),
                &now_text(),
            )
            .await?;
        tx.audit(NewAudit {
            action: "add_photo".into(),
            object_type: "report_photo".into(),
            object_id: id.to_string(),
            unit_id: Some(unit.id),
            after: Some(serde_json::json!({ "report": report.row.id, "file": shown, "type": kind, "bytes": data.len() })),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Xóa ảnh.
    pub async fn delete_photo(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        photo_id: i64,
    ) -> Result<()> {
        let (campaign, _, unit) = self.campaign_unit(actor, campaign_id, unit_code).await?;
        actor.require(&unit, Action::EditReport)?;
        let report = self
            .store
            .report(campaign.id, unit.id)
            .await?
            .ok_or_else(|| AppError::NotFound("Không tìm thấy báo cáo".into()))?;
        let mut tx = self.store.begin().await?;
        if !tx.delete_photo(report.row.id, photo_id).await? {
            return Err(AppError::NotFound("Không tìm thấy ảnh".into()));
        }
        tx.audit(NewAudit {
            action: "delete_photo".into(),
            object_type: "report_photo".into(),
            object_id: photo_id.to_string(),
            unit_id: Some(unit.id),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A photo's bytes, if the actor can see its report.
    pub async fn photo(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        photo_id: i64,
    ) -> Result<(String, Vec<u8>)> {
        let (campaign, _, unit) = self.campaign_unit(actor, campaign_id, unit_code).await?;
        let report = self
            .store
            .report(campaign.id, unit.id)
            .await?
            .ok_or_else(|| AppError::NotFound("Không tìm thấy báo cáo".into()))?;
        match self.store.photo_data(photo_id).await? {
            Some((rid, ct, data)) if rid == report.row.id => Ok((ct, data)),
            _ => Err(AppError::NotFound("Không tìm thấy ảnh".into())),
        }
    }

    /// Display names of users by id.
    pub async fn user_names(&self, ids: impl IntoIterator<Item = i64>) -> Result<UserNames> {
        let mut out = UserNames::new();
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(e) = out.entry(id) {
                if let Some(u) = self.store.user(id).await? {
                    e.insert(format!("{} ({})", u.full_name, u.username));
                }
            }
        }
        Ok(out)
    }
}

fn report_json(r: &ReportRecord) -> serde_json::Value {
    serde_json::json!({
        "status": r.row.status.as_str(),
        "version": r.row.version,
        "late": r.row.late,
        "review_comment": r.row.review_comment,
        "entered_on_behalf": r.row.entered_on_behalf,
        "content": r.content,
    })
}
