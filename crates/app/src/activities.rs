//! Hoạt động Tuần lễ — registering activities, publishing them on the public calendar
//! (no login), recording their results, the iCalendar feeds and the report prefill.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use tuanle_domain::access::Action;
use tuanle_domain::activity::{
    self, activity_type, check, utc_to_local, ActivityInput, ActivityResult, CountedActivity, Mode,
};
use tuanle_domain::campaign::Campaign;
use tuanle_domain::format::date_vi;
use tuanle_domain::report::Figures;
use tuanle_domain::unit::Unit;
use tuanle_store::{
    parse_time, time_text, ActivityFilter, ActivityPhotoMeta, ActivityRecord, NewActivity, NewAudit,
};

use crate::reports::{MAX_PHOTO_BYTES, PHOTO_TYPES};
use crate::{Actor, App, AppError, Result};

/// Time zone of every time on the calendar and in the feeds.
pub const TZID: &str = "Asia/Ho_Chi_Minh";
/// Most photos on one activity.
pub const MAX_ACTIVITY_PHOTOS: usize = 10;

/// Khi nào — the calendar's time filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum When {
    #[default]
    All,
    /// Đang diễn ra — started and not yet ended.
    Ongoing,
    /// Sắp diễn ra — not yet started.
    Upcoming,
}

/// What a resident asks the public calendar.
#[derive(Debug, Clone, Default)]
pub struct PublicQuery {
    /// Campaign; default the latest.
    pub campaign_id: Option<i64>,
    /// Tỉnh/huyện/xã code: activities taking place there.
    pub area_code: Option<String>,
    /// Organising unit's code.
    pub unit_code: Option<String>,
    pub kind: Option<String>,
    pub mode: Option<String>,
    /// One day (Vietnam time); with `until`, the first day of a range.
    pub date: Option<NaiveDate>,
    /// Last day of a range (inclusive, Vietnam time): the month view asks for a month.
    pub until: Option<NaiveDate>,
    pub when: When,
}

/// The public calendar's answer.
#[derive(Debug, Clone)]
pub struct PublicCalendar {
    pub campaign: Campaign,
    pub slogans: Vec<String>,
    pub area: Option<Unit>,
    pub unit: Option<Unit>,
    pub activities: Vec<ActivityRecord>,
}

/// Most slogans of a campaign.
pub const MAX_SLOGANS: usize = 50;
/// Longest slogan, in characters.
pub const MAX_SLOGAN_CHARS: usize = 300;
/// Most days before a deadline when reminders may start.
pub const MAX_REMINDER_DAYS: i64 = 30;

/// Cài đặt hoạt động và nhắc hạn of a campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivitySettings {
    /// Hạn đăng ký hoạt động: later registrations are kept, flagged late; units that
    /// have registered none are reminded.
    pub registration_deadline: Option<NaiveDate>,
    /// Hạn ban hành kế hoạch: administrative units that have issued no plan are reminded.
    pub plan_deadline: Option<NaiveDate>,
    /// Days before a deadline when reminders start; `None`: the instance's setting.
    pub reminder_days: Option<i64>,
    /// Khẩu hiệu, in order.
    pub slogans: Vec<String>,
}

impl ActivitySettings {
    /// The settings to store: slogans trimmed, blank ones dropped; a clear Vietnamese
    /// message naming the field for anything out of bounds.
    pub fn checked(&self) -> Result<ActivitySettings> {
        let slogans: Vec<String> = self
            .slogans
            .iter()
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| !s.is_empty())
            .collect();
        if slogans.len() > MAX_SLOGANS {
            return Err(AppError::invalid(
                "Khẩu hiệu",
                format!("tối đa {MAX_SLOGANS} khẩu hiệu (đang có {})", slogans.len()),
            ));
        }
        for (i, s) in slogans.iter().enumerate() {
            if s.chars().count() > MAX_SLOGAN_CHARS {
                return Err(AppError::invalid(
                    format!("Khẩu hiệu {}", i + 1),
                    format!("mỗi khẩu hiệu tối đa {MAX_SLOGAN_CHARS} ký tự"),
                ));
            }
            if let Some(j) = slogans[..i]
                .iter()
                .position(|o| o.to_lowercase() == s.to_lowercase())
            {
                return Err(AppError::invalid(
                    format!("Khẩu hiệu {}", i + 1),
                    format!("trùng với khẩu hiệu {}", j + 1),
                ));
            }
        }
        if let Some(d) = self.reminder_days {
            if !(0..=MAX_REMINDER_DAYS).contains(&d) {
                return Err(AppError::invalid(
                    "Số ngày nhắc trước hạn",
                    format!("phải từ 0 đến {MAX_REMINDER_DAYS} (đang là {d})"),
                ));
            }
        }
        Ok(ActivitySettings {
            slogans,
            ..self.clone()
        })
    }

    fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "registration_deadline": self.registration_deadline,
            "plan_deadline": self.plan_deadline,
            "reminder_days": self.reminder_days,
            "slogans": self.slogans,
        })
    }
}

/// An activity as a unit's page shows it.
#[derive(Debug, Clone)]
pub struct ActivityView {
    pub record: ActivityRecord,
    pub photos: Vec<ActivityPhotoMeta>,
    pub can_edit: bool,
}

fn activity_json(a: &ActivityRecord) -> serde_json::Value {
    serde_json::to_value(a).unwrap_or_default()
}

impl App {
    /// The campaign's activity and reminder settings (registration deadline, plan
    /// deadline, reminder lead days, slogans); defaults when none were set.
    pub async fn activity_settings(&self, campaign_id: i64) -> Result<ActivitySettings> {
        let row = self.store.activity_settings(campaign_id).await?;
        let date = |d: Option<String>| d.map(|d| tuanle_store::parse_date(&d)).transpose();
        Ok(ActivitySettings {
            registration_deadline: date(row.registration_deadline)?,
            plan_deadline: date(row.plan_deadline)?,
            reminder_days: row.reminder_days,
            slogans: row.slogans,
        })
    }

    /// The campaign and its settings, for the settings form: only for whoever may change
    /// them (administrators of the tree's root, as [`App::set_activity_settings`]).
    pub async fn activity_settings_for_admin(
        &self,
        actor: &Actor,
        campaign_id: i64,
    ) -> Result<(Campaign, ActivitySettings)> {
        let campaign = self.campaign(campaign_id).await?;
        let root = self.store.tree_root(campaign.tree_id).await?;
        actor.require(&root, Action::Administer)?;
        let settings = self.activity_settings(campaign.id).await?;
        Ok((campaign, settings))
    }

    /// Sets a campaign's activity settings: registration deadline (hạn đăng ký hoạt
    /// động), plan deadline (hạn ban hành kế hoạch), reminder lead days and slogans
    /// (khẩu hiệu, in order; blank ones dropped). Administrators of the tree's root, or
    /// the operator (`None`). One transaction with an audit row (before and after).
    /// Returns the settings as stored.
    pub async fn set_activity_settings(
        &self,
        actor: Option<&Actor>,
        campaign_id: i64,
        settings: &ActivitySettings,
    ) -> Result<ActivitySettings> {
        let campaign = self.campaign(campaign_id).await?;
        if let Some(a) = actor {
            let root = self.store.tree_root(campaign.tree_id).await?;
            a.require(&root, Action::Administer)?;
        }
        let clean = settings.checked()?;
        let before = self.activity_settings(campaign.id).await?;
        let now = time_text(self.now());
        let mut tx = self.store.begin().await?;
        tx.put_activity_settings(
            campaign.id,
            &tuanle_store::ActivitySettingsRow {
                registration_deadline: clean.registration_deadline.map(|d| d.to_string()),
                plan_deadline: clean.plan_deadline.map(|d| d.to_string()),
                reminder_days: clean.reminder_days,
                slogans: clean.slogans.clone(),
            },
            &now,
        )
        .await?;
        tx.audit(NewAudit {
            action: "activity_settings".into(),
            object_type: "campaign".into(),
            object_id: campaign.id.to_string(),
            before: Some(before.json()),
            after: Some(clean.json()),
            ..actor.map(|a| a.audit()).unwrap_or_default()
        })
        .await?;
        tx.commit().await?;
        Ok(clean)
    }

    /// Checks a registration and resolves its commune: the row to store.
    async fn activity_row(
        &self,
        campaign: &Campaign,
        unit: &Unit,
        input: &ActivityInput,
    ) -> Result<NewActivity> {
        let checked = check(input)?;
        let commune_code = input.commune_code.trim();
        let commune = if commune_code.is_empty() {
            None
        } else {
            let c = self
                .store
                .unit_by_code(campaign.tree_id, commune_code)
                .await?
                .filter(|c| c.admin_level == 3 && App::is_admin_unit(c))
                .ok_or_else(|| {
                    AppError::invalid(
                        "Xã/phường",
                        format!("không có xã/phường mã \"{commune_code}\""),
                    )
                })?;
            Some(c)
        };
        let organiser = match input.organiser.trim() {
            "" => unit.name.clone(),
            o => o.to_string(),
        };
        Ok(NewActivity {
            campaign_id: campaign.id,
            unit_id: unit.id,
            kind: checked.kind.key.to_string(),
            title: input.title.trim().to_string(),
            description: input.description.trim().to_string(),
            mode: checked.mode.as_str().to_string(),
            starts_at: time_text(checked.starts_at),
            ends_at: time_text(checked.ends_at),
            address: input.address.trim().to_string(),
            commune_id: commune.as_ref().map(|c| c.id),
            area_path: commune
                .as_ref()
                .map(|c| c.path.clone())
                .unwrap_or_else(|| unit.path.clone()),
            link: input.link.trim().to_string(),
            audience: input.audience.trim().to_string(),
            organiser,
            co_organisers: input.co_organisers.trim().to_string(),
            expected_participants: input.expected_participants,
            late_registration: false,
        })
    }

    /// Đăng ký hoạt động for a unit the actor may report for. Registrations after the
    /// campaign's registration deadline are kept and flagged late.
    pub async fn register_activity(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        input: &ActivityInput,
    ) -> Result<ActivityRecord> {
        let (campaign, _, unit) = self.campaign_unit(actor, campaign_id, unit_code).await?;
        actor.require(&unit, Action::EditReport)?;
        let mut row = self.activity_row(&campaign, &unit, input).await?;
        let deadline = self
            .activity_settings(campaign.id)
            .await?
            .registration_deadline;
        row.late_registration = deadline.is_some_and(|d| self.today() > d);
        let now = time_text(self.now());
        let mut tx = self.store.begin().await?;
        let id = tx.insert_activity(&row, actor.user.id, &now).await?;
        tx.audit(NewAudit {
            action: "activity_register".into(),
            object_type: "activity".into(),
            object_id: id.to_string(),
            unit_id: Some(unit.id),
            after: Some(serde_json::to_value(input).unwrap_or_default()),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        self.store
            .activity(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Không tìm thấy hoạt động {id}")))
    }

    /// An activity of the actor's subtree.
    pub async fn activity(&self, actor: &Actor, id: i64) -> Result<ActivityView> {
        let (record, unit) = self.visible_activity(actor, id).await?;
        Ok(ActivityView {
            photos: self.store.activity_photos(id).await?,
            can_edit: actor.can(&unit, Action::EditReport),
            record,
        })
    }

    async fn visible_activity(&self, actor: &Actor, id: i64) -> Result<(ActivityRecord, Unit)> {
        let missing = || AppError::NotFound(format!("Không tìm thấy hoạt động {id}"));
        let record = self.store.activity(id).await?.ok_or_else(missing)?;
        let unit = self.store.unit(record.unit_id).await?.ok_or_else(missing)?;
        if !actor.can(&unit, Action::View) {
            return Err(missing());
        }
        Ok((record, unit))
    }

    async fn editable_activity(&self, actor: &Actor, id: i64) -> Result<(ActivityRecord, Unit)> {
        let (record, unit) = self.visible_activity(actor, id).await?;
        actor.require(&unit, Action::EditReport)?;
        Ok((record, unit))
    }

    /// Sửa đăng ký.
    pub async fn update_activity(
        &self,
        actor: &Actor,
        id: i64,
        input: &ActivityInput,
    ) -> Result<ActivityRecord> {
        let (before, unit) = self.editable_activity(actor, id).await?;
        let campaign = self.campaign(before.campaign_id).await?;
        let row = self.activity_row(&campaign, &unit, input).await?;
        let now = time_text(self.now());
        let mut tx = self.store.begin().await?;
        tx.update_activity(id, &row, &now).await?;
        tx.audit(NewAudit {
            action: "activity_update".into(),
            object_type: "activity".into(),
            object_id: id.to_string(),
            unit_id: Some(unit.id),
            before: Some(activity_json(&before)),
            after: Some(serde_json::to_value(input).unwrap_or_default()),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok(self.activity(actor, id).await?.record)
    }

    /// Công khai / thôi công khai an activity on the public calendar.
    pub async fn publish_activity(
        &self,
        actor: &Actor,
        id: i64,
        published: bool,
    ) -> Result<ActivityRecord> {
        let (before, unit) = self.editable_activity(actor, id).await?;
        let mut tx = self.store.begin().await?;
        tx.set_activity_published(id, published, &time_text(self.now()))
            .await?;
        tx.audit(NewAudit {
            action: if published {
                "activity_publish"
            } else {
                "activity_unpublish"
            }
            .into(),
            object_type: "activity".into(),
            object_id: id.to_string(),
            unit_id: Some(unit.id),
            before: Some(serde_json::json!({"published": before.published})),
            after: Some(serde_json::json!({"published": published})),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok(self.activity(actor, id).await?.record)
    }

    /// Ghi kết quả thực tế of an activity.
    pub async fn record_activity_result(
        &self,
        actor: &Actor,
        id: i64,
        result: &ActivityResult,
    ) -> Result<ActivityRecord> {
        result.check()?;
        let (before, unit) = self.editable_activity(actor, id).await?;
        let mut tx = self.store.begin().await?;
        tx.set_activity_result(
            id,
            result.sessions,
            result.participants,
            result.note.trim(),
            &time_text(self.now()),
        )
        .await?;
        tx.audit(NewAudit {
            action: "activity_result".into(),
            object_type: "activity".into(),
            object_id: id.to_string(),
            unit_id: Some(unit.id),
            before: Some(serde_json::json!({
                "sessions": before.result_sessions,
                "participants": before.result_participants,
                "note": before.result_note,
            })),
            after: Some(serde_json::to_value(result).unwrap_or_default()),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok(self.activity(actor, id).await?.record)
    }

    /// Xóa hoạt động.
    pub async fn delete_activity(&self, actor: &Actor, id: i64) -> Result<()> {
        let (before, unit) = self.editable_activity(actor, id).await?;
        let mut tx = self.store.begin().await?;
        tx.delete_activity(id).await?;
        tx.audit(NewAudit {
            action: "activity_delete".into(),
            object_type: "activity".into(),
            object_id: id.to_string(),
            unit_id: Some(unit.id),
            before: Some(activity_json(&before)),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Thêm ảnh hoạt động: JPEG, PNG or WebP by content, at most 5 MB.
    pub async fn add_activity_photo(
        &self,
        actor: &Actor,
        id: i64,
        file_name: &str,
        data: &[u8],
    ) -> Result<i64> {
        let (_, unit) = self.editable_activity(actor, id).await?;
        let shown = if file_name.trim().is_empty() {
            "không tên"
        } else {
            file_name.trim()
        };
        if data.is_empty() {
            return Err(AppError::BadFile(format!("Ảnh \"{shown}\": tệp rỗng")));
        }
        if data.len() > MAX_PHOTO_BYTES {
            return Err(AppError::BadFile(format!(
                "Ảnh \"{shown}\" quá lớn, tối đa {} MB",
                MAX_PHOTO_BYTES / 1_048_576
            )));
        }
        let kind = infer::get(data)
            .map(|k| k.mime_type())
            .unwrap_or("không rõ");
        if !PHOTO_TYPES.contains(&kind) {
            return Err(AppError::BadFile(format!(
                "Ảnh \"{shown}\": không phải ảnh — chỉ nhận JPEG, PNG hoặc WebP (nội dung tệp là {kind})"
            )));
        }
        if self.store.activity_photos(id).await?.len() >= MAX_ACTIVITY_PHOTOS {
            return Err(AppError::BadFile(format!(
                "Mỗi hoạt động có tối đa {MAX_ACTIVITY_PHOTOS} ảnh"
            )));
        }
        let mut tx = self.store.begin().await?;
        let photo = tx
            .insert_activity_photo(id, shown, kind, data, &time_text(self.now()))
            .await?;
        tx.audit(NewAudit {
            action: "activity_add_photo".into(),
            object_type: "activity_photo".into(),
            object_id: photo.to_string(),
            unit_id: Some(unit.id),
            after: Some(
                serde_json::json!({"activity_id": id, "file_name": shown, "bytes": data.len()}),
            ),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok(photo)
    }

    /// A photo's bytes: public for published activities, else for the subtree.
    pub async fn activity_photo(
        &self,
        actor: Option<&Actor>,
        photo_id: i64,
    ) -> Result<(String, Vec<u8>)> {
        let missing = || AppError::NotFound(format!("Không tìm thấy ảnh {photo_id}"));
        let (activity_id, kind, data) = self
            .store
            .activity_photo_data(photo_id)
            .await?
            .ok_or_else(missing)?;
        let a = self
            .store
            .activity(activity_id)
            .await?
            .ok_or_else(missing)?;
        if !a.published {
            match actor {
                Some(actor) => {
                    self.visible_activity(actor, activity_id)
                        .await
                        .map_err(|_| missing())?;
                }
                None => return Err(missing()),
            }
        }
        Ok((kind, data))
    }

    /// Activities organised in a unit's subtree (the unit's management page).
    pub async fn activities_of(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
    ) -> Result<(Campaign, Unit, Vec<ActivityRecord>)> {
        let (campaign, _, unit) = self.campaign_unit(actor, campaign_id, unit_code).await?;
        let list = self
            .store
            .subtree_activities(campaign.id, &unit.path)
            .await?;
        Ok((campaign, unit, list))
    }

    /// Điền từ hoạt động: the figures of the unit's own activities with recorded results,
    /// and the cells they fill. The report form shows them for the unit to edit and save.
    pub async fn report_prefill(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
    ) -> Result<(Figures, BTreeSet<(String, String)>)> {
        let (campaign, template, unit) = self.campaign_unit(actor, campaign_id, unit_code).await?;
        actor.require(&unit, Action::EditReport)?;
        let counted: Vec<CountedActivity> = self
            .store
            .unit_activities(campaign.id, unit.id)
            .await?
            .into_iter()
            .filter_map(|a| {
                Some(CountedActivity {
                    result: ActivityResult {
                        sessions: a.result_sessions?,
                        participants: a.result_participants.unwrap_or(0),
                        note: String::new(),
                    },
                    kind: a.kind,
                })
            })
            .collect();
        Ok(activity::prefill(&template, unit.admin_level, &counted))
    }

    /// The latest campaign (the public calendar's default).
    pub async fn latest_campaign(&self) -> Result<Campaign> {
        let list = self.store.list_campaigns().await?;
        list.into_iter()
            .max_by_key(|c| (c.year, c.id))
            .ok_or_else(|| AppError::NotFound("Chưa có Tuần lễ nào".into()))
    }

    /// Lịch hoạt động công khai — published activities only, no login.
    pub async fn public_calendar(&self, q: &PublicQuery) -> Result<PublicCalendar> {
        let campaign = match q.campaign_id {
            Some(id) => self.campaign(id).await?,
            None => self.latest_campaign().await?,
        };
        let slogans = self.activity_settings(campaign.id).await?.slogans;
        let area = self
            .public_unit(campaign.tree_id, q.area_code.as_deref())
            .await?;
        let unit = self
            .public_unit(campaign.tree_id, q.unit_code.as_deref())
            .await?;
        if let Some(k) = q.kind.as_deref().filter(|k| !k.is_empty()) {
            if activity_type(k).is_none() {
                return Err(AppError::invalid(
                    "Loại hoạt động",
                    format!("không có loại \"{k}\""),
                ));
            }
        }
        if let Some(m) = q.mode.as_deref().filter(|m| !m.is_empty()) {
            if Mode::parse(m).is_none() {
                return Err(AppError::invalid(
                    "Hình thức",
                    format!("không có hình thức \"{m}\""),
                ));
            }
        }
        let now = time_text(self.now());
        let mut f = ActivityFilter {
            campaign_id: Some(campaign.id),
            area_path: area.as_ref().map(|a| a.path.clone()),
            unit_id: unit.as_ref().map(|u| u.id),
            kind: q.kind.clone().filter(|k| !k.is_empty()),
            mode: q.mode.clone().filter(|m| !m.is_empty()),
            limit: 1000,
            ..Default::default()
        };
        match q.when {
            When::All => {}
            When::Ongoing => {
                f.ends_after = Some(now.clone());
                f.starts_before = Some(now.clone());
            }
            When::Upcoming => f.ends_after = Some(now.clone()),
        }
        if let (Some(first), Some(last)) = (q.date, q.until) {
            if last < first {
                return Err(AppError::invalid(
                    "Đến ngày",
                    format!("{} trước ngày bắt đầu {}", date_vi(last), date_vi(first)),
                ));
            }
        }
        let bound = |t: &Option<String>| t.as_deref().and_then(|t| parse_time(t).ok());
        if let Some(d) = q.date {
            let day_start = activity::local_to_utc(d.and_hms_opt(0, 0, 0).expect("time"));
            let after = bound(&f.ends_after).map_or(day_start, |t| t.max(day_start));
            f.ends_after = Some(time_text(after));
        }
        if let Some(d) = q.until.or(q.date) {
            let day_end = activity::local_to_utc(d.and_hms_opt(23, 59, 59).expect("time"));
            let before = bound(&f.starts_before).map_or(day_end, |t| t.min(day_end));
            f.starts_before = Some(time_text(before));
        }
        let mut activities = self.store.public_activities(&f).await?;
        if q.when == When::Upcoming {
            activities.retain(|a| a.starts_at > now);
        }
        Ok(PublicCalendar {
            campaign,
            slogans,
            area,
            unit,
            activities,
        })
    }

    async fn public_unit(&self, tree_id: i64, code: Option<&str>) -> Result<Option<Unit>> {
        match code.map(str::trim).filter(|c| !c.is_empty()) {
            None => Ok(None),
            Some(c) => self
                .store
                .unit_by_code(tree_id, c)
                .await?
                .map(Some)
                .ok_or_else(|| AppError::NotFound(format!("Không tìm thấy địa bàn mã \"{c}\""))),
        }
    }

    /// One published activity, for its public page; anything else is "not found".
    pub async fn public_activity(
        &self,
        id: i64,
    ) -> Result<(ActivityRecord, Vec<ActivityPhotoMeta>)> {
        let a = self
            .store
            .activity(id)
            .await?
            .filter(|a| a.published)
            .ok_or_else(|| AppError::NotFound(format!("Không tìm thấy hoạt động {id}")))?;
        let photos = self.store.activity_photos(id).await?;
        Ok((a, photos))
    }

    /// Lịch iCalendar (RFC 5545) of the published activities matching `q` — the feed per
    /// area (`area_code`) or per unit (`unit_code`); `base_url` makes each event's link.
    pub async fn ical_feed(&self, q: &PublicQuery, base_url: &str) -> Result<String> {
        use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike};
        let cal = self.public_calendar(q).await?;
        let scope = cal
            .unit
            .as_ref()
            .or(cal.area.as_ref())
            .map(|u| u.name.clone())
            .unwrap_or_else(|| "Toàn quốc".into());
        let mut out = Calendar::new();
        out.name(&format!("{} — {scope}", cal.campaign.name))
            .timezone(TZID)
            .append_property(icalendar::Property::new("X-WR-TIMEZONE", TZID));
        let base = base_url.trim_end_matches('/');
        let local = |t: &str| -> Result<CalendarDateTime> {
            let t: DateTime<Utc> = parse_time(t)?;
            Ok(CalendarDateTime::WithTimezone {
                date_time: utc_to_local(t),
                tzid: TZID.into(),
            })
        };
        for a in &cal.activities {
            let url = format!("{base}/lich/hoat-dong/{}", a.id);
            let ty = activity_type(&a.kind).map(|t| t.label).unwrap_or("");
            let mode = Mode::parse(&a.mode).map(|m| m.label_vi()).unwrap_or("");
            let mut desc = format!("{ty} · {mode}\nĐơn vị tổ chức: {}", a.organiser);
            if !a.description.is_empty() {
                desc.push_str(&format!("\n\n{}", a.description));
            }
            if !a.link.is_empty() {
                desc.push_str(&format!("\n\nTham gia trực tuyến: {}", a.link));
            }
            desc.push_str(&format!("\n\nChi tiết: {url}"));
            let location = match (&a.address, &a.commune_name) {
                (ad, Some(c)) if !ad.is_empty() => format!("{ad}, {c}"),
                (ad, _) if !ad.is_empty() => ad.clone(),
                _ => a.link.clone(),
            };
            let mut e = Event::new();
            e.uid(&format!("hoat-dong-{}@tuanle", a.id))
                .summary(&a.title)
                .description(&desc)
                .starts(local(&a.starts_at)?)
                .ends(local(&a.ends_at)?)
                .url(&url);
            if !location.is_empty() {
                e.location(&location);
            }
            out.push(e.done());
        }
        Ok(out.done().to_string())
    }
}
