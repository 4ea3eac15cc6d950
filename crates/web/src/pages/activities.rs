//! Lịch hoạt động công khai (no login: list and calendar views, filters, a page per
//! activity, iCalendar feeds), the unit's activities (register, publish, results, photos)
//! and the user's notifications.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Form;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use tuanle_app::activities::{ActivitySettings, PublicQuery, When};
use tuanle_app::AppError;
use tuanle_domain::activity::{
    activity_type, utc_to_local, ActivityInput, ActivityResult, Mode, ACTIVITY_TYPES,
};
use tuanle_domain::format::{date_vi, number_vi};
use tuanle_store::ActivityRecord;

use super::{render, render_with, url_part, Nav, OrPage, PageError};
use crate::auth::PageUser;
use crate::error::{message_of, status_of};
use crate::AppState;

pub fn routes() -> Vec<super::PageRoute> {
    vec![
        ("/lich", get(calendar)),
        ("/lich/hoat-dong/{id}", get(public_activity)),
        ("/lich/anh/{id}", get(public_photo)),
        ("/lich/ical", get(feed_all)),
        ("/lich/ical/khu-vuc/{code}", get(feed_area)),
        ("/lich/ical/don-vi/{code}", get(feed_unit)),
        (
            "/campaigns/{id}/activities/{code}",
            get(unit_activities).post(register),
        ),
        ("/activities/{id}", get(activity_page).post(update)),
        ("/activities/{id}/publish", post(publish)),
        ("/activities/{id}/result", post(result)),
        ("/activities/{id}/photos", post(add_photo)),
        (
            "/admin/campaigns/{id}/activity-settings",
            get(settings_page).post(save_settings),
        ),
        ("/notifications", get(notifications)),
        ("/notifications/read", post(mark_read)),
        ("/notifications/preferences", post(preferences)),
    ]
}

/// An activity as the pages show it.
pub struct ActivityVm {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub mode: String,
    pub when: String,
    pub place: String,
    pub commune: String,
    pub link: String,
    pub organiser: String,
    pub audience: String,
    pub description: String,
    pub published: bool,
    pub late: bool,
    pub result: String,
}

fn local(t: &str) -> chrono::NaiveDateTime {
    utc_to_local(tuanle_store::parse_time(t).unwrap_or_default())
}

fn vm(a: &ActivityRecord) -> ActivityVm {
    let (s, e) = (local(&a.starts_at), local(&a.ends_at));
    let when = if s.date() == e.date() {
        format!(
            "{} {}–{}",
            date_vi(s.date()),
            s.format("%H:%M"),
            e.format("%H:%M")
        )
    } else {
        format!(
            "{} {} – {} {}",
            date_vi(s.date()),
            s.format("%H:%M"),
            date_vi(e.date()),
            e.format("%H:%M")
        )
    };
    ActivityVm {
        id: a.id,
        title: a.title.clone(),
        kind: activity_type(&a.kind).map(|t| t.label).unwrap_or("").into(),
        mode: Mode::parse(&a.mode)
            .map(|m| m.label_vi())
            .unwrap_or("")
            .into(),
        when,
        place: a.address.clone(),
        commune: a.commune_name.clone().unwrap_or_default(),
        link: a.link.clone(),
        organiser: a.organiser.clone(),
        audience: a.audience.clone(),
        description: a.description.clone(),
        published: a.published,
        late: a.late_registration,
        result: match (a.result_sessions, a.result_participants) {
            (Some(s), Some(p)) => format!("{} lớp/cuộc, {} người", number_vi(s), number_vi(p)),
            _ => String::new(),
        },
    }
}

fn type_options() -> Vec<(String, String)> {
    ACTIVITY_TYPES
        .iter()
        .map(|t| (t.key.to_string(), t.label.to_string()))
        .collect()
}

fn mode_options() -> Vec<(String, String)> {
    Mode::ALL
        .iter()
        .map(|m| (m.as_str().to_string(), m.label_vi().to_string()))
        .collect()
}

/// A public page's error (no header user).
fn public_error(e: AppError) -> PageError {
    PageError::new(None, e)
}

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    #[serde(default)]
    dot: String,
    #[serde(default)]
    tinh: String,
    #[serde(default)]
    xa: String,
    #[serde(default)]
    loai: String,
    #[serde(default)]
    hinh_thuc: String,
    #[serde(default)]
    ngay: String,
    #[serde(default)]
    khi: String,
    #[serde(default)]
    xem: String,
    /// Month of the month view, `yyyy-mm`.
    #[serde(default)]
    thang: String,
}

struct DayVm {
    day: String,
    items: Vec<ActivityVm>,
}

/// One day of the month grid.
struct MonthDayVm {
    /// `yyyy-mm-dd`.
    iso: String,
    /// Day of the month.
    number: u32,
    /// "Thứ Hai, 04/10/2021" (the phone's heading).
    label: String,
    /// Outside the month: a blank cell that fills the first or last week.
    pad: bool,
    today: bool,
    items: Vec<ActivityVm>,
}

/// The month view: weeks Monday to Sunday, links to the months around it.
struct MonthVm {
    /// `yyyy-mm`.
    iso: String,
    title: String,
    weeks: Vec<Vec<MonthDayVm>>,
    prev: String,
    next: String,
    prev_label: String,
    next_label: String,
}

/// Thứ in Vietnamese, Monday first.
pub const WEEKDAYS_VI: [&str; 7] = [
    "Thứ Hai",
    "Thứ Ba",
    "Thứ Tư",
    "Thứ Năm",
    "Thứ Sáu",
    "Thứ Bảy",
    "Chủ nhật",
];

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1")
}

fn add_months(first: NaiveDate, n: i32) -> NaiveDate {
    let m0 = first.year() * 12 + first.month0() as i32 + n;
    NaiveDate::from_ymd_opt(m0.div_euclid(12), m0.rem_euclid(12) as u32 + 1, 1).expect("month")
}

fn last_of_month(first: NaiveDate) -> NaiveDate {
    add_months(first, 1).pred_opt().expect("day")
}

/// The month a calendar query shows: `thang` (yyyy-mm), else the month of `ngay`, else
/// this month while the campaign runs (its first to last month), else its first month.
fn month_of(
    q: &CalendarQuery,
    date: Option<NaiveDate>,
    campaign: &tuanle_domain::campaign::Campaign,
    today: NaiveDate,
) -> Result<NaiveDate, AppError> {
    let t = q.thang.trim();
    if !t.is_empty() {
        return NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d")
            .ok()
            .filter(|d| (1900..=2200).contains(&d.year()))
            .ok_or_else(|| {
                AppError::invalid("Tháng", format!("\"{t}\" không phải tháng dạng yyyy-mm"))
            });
    }
    if let Some(d) = date {
        return Ok(first_of_month(d));
    }
    let (from, to) = (
        first_of_month(campaign.start_date),
        first_of_month(campaign.end_date),
    );
    let now = first_of_month(today);
    Ok(if now >= from && now <= to { now } else { from })
}

/// The month grid: every day of the weeks that cover the month, each with the activities
/// taking place on it (an activity over several days is on each of them).
fn month_grid(
    first: NaiveDate,
    activities: &[ActivityRecord],
    today: NaiveDate,
    link: impl Fn(NaiveDate) -> String,
) -> MonthVm {
    let last = last_of_month(first);
    let start = first - chrono::Duration::days(first.weekday().num_days_from_monday() as i64);
    let end = last + chrono::Duration::days(6 - last.weekday().num_days_from_monday() as i64);
    let mut weeks: Vec<Vec<MonthDayVm>> = Vec::new();
    let mut d = start;
    while d <= end {
        if d.weekday().num_days_from_monday() == 0 {
            weeks.push(Vec::new());
        }
        let pad = d < first || d > last;
        let items = if pad {
            vec![]
        } else {
            activities
                .iter()
                .filter(|a| local(&a.starts_at).date() <= d && local(&a.ends_at).date() >= d)
                .map(vm)
                .collect()
        };
        weeks.last_mut().expect("week").push(MonthDayVm {
            iso: d.to_string(),
            number: d.day(),
            label: format!(
                "{}, {}",
                WEEKDAYS_VI[d.weekday().num_days_from_monday() as usize],
                date_vi(d)
            ),
            pad,
            today: d == today,
            items,
        });
        d = d.succ_opt().expect("day");
    }
    let (prev, next) = (add_months(first, -1), add_months(first, 1));
    MonthVm {
        iso: first.format("%Y-%m").to_string(),
        title: format!("Tháng {} năm {}", first.month(), first.year()),
        weeks,
        prev: link(prev),
        next: link(next),
        prev_label: format!("‹ Tháng {}/{}", prev.month(), prev.year()),
        next_label: format!("Tháng {}/{} ›", next.month(), next.year()),
    }
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    nav: Option<Nav>,
    campaign_name: String,
    themes: Vec<String>,
    slogans: Vec<String>,
    provinces: Vec<(String, String)>,
    communes: Vec<(String, String)>,
    types: Vec<(String, String)>,
    modes: Vec<(String, String)>,
    q_tinh: String,
    q_xa: String,
    q_loai: String,
    q_hinh_thuc: String,
    q_ngay: String,
    q_khi: String,
    grid: bool,
    list: Vec<ActivityVm>,
    days: Vec<DayVm>,
    /// The month view (`xem=thang`).
    month: Option<MonthVm>,
    weekdays: [&'static str; 7],
    feed: String,
    area_name: String,
}

fn public_query(q: &CalendarQuery) -> Result<PublicQuery, AppError> {
    let date = match q.ngay.trim() {
        "" => None,
        d => Some(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .or_else(|_| chrono::NaiveDate::parse_from_str(d, "%d/%m/%Y"))
                .map_err(|_| {
                    AppError::invalid("Ngày", format!("\"{d}\" không phải ngày hợp lệ"))
                })?,
        ),
    };
    let area = if q.xa.trim().is_empty() {
        &q.tinh
    } else {
        &q.xa
    };
    Ok(PublicQuery {
        campaign_id: q.dot.parse().ok(),
        area_code: Some(area.clone()).filter(|a| !a.trim().is_empty()),
        unit_code: None,
        kind: Some(q.loai.clone()).filter(|k| !k.is_empty()),
        mode: Some(q.hinh_thuc.clone()).filter(|m| !m.is_empty()),
        date,
        until: None,
        when: match q.khi.as_str() {
            "dang-dien-ra" => When::Ongoing,
            "sap-dien-ra" => When::Upcoming,
            _ => When::All,
        },
    })
}

/// `GET /lich` — the public calendar: no login.
pub async fn calendar(
    State(state): State<AppState>,
    Query(q): Query<CalendarQuery>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let mut pq = public_query(&q).map_err(public_error)?;
    let month_view = q.xem == "thang";
    let mut month_first = None;
    if month_view {
        // The month view shows a whole month: `ngay` only picks the month.
        let campaign = match pq.campaign_id {
            Some(id) => app.campaign(id).await,
            None => app.latest_campaign().await,
        }
        .map_err(public_error)?;
        let today = app.today();
        let first = month_of(&q, pq.date, &campaign, today).map_err(public_error)?;
        pq.campaign_id = Some(campaign.id);
        pq.date = Some(first);
        pq.until = Some(last_of_month(first));
        month_first = Some(first);
    }
    let cal = app.public_calendar(&pq).await.map_err(public_error)?;
    // Filter choices: provinces of the tree, and the communes with published activities.
    let root = app
        .store
        .tree_root(cal.campaign.tree_id)
        .await
        .map_err(|e| public_error(e.into()))?;
    let provinces = app
        .store
        .children(root.id)
        .await
        .map_err(|e| public_error(e.into()))?
        .into_iter()
        .filter(|u| u.admin_level == 1)
        .map(|u| (u.code, u.name))
        .collect();
    let everything = app
        .public_calendar(&PublicQuery {
            campaign_id: Some(cal.campaign.id),
            ..Default::default()
        })
        .await
        .map_err(public_error)?;
    let communes: BTreeSet<(String, String)> = everything
        .activities
        .iter()
        .filter_map(|a| Some((a.commune_name.clone()?, a.commune_code.clone()?)))
        .collect();
    let list: Vec<ActivityVm> = cal.activities.iter().map(vm).collect();
    let mut by_day: BTreeMap<chrono::NaiveDate, Vec<ActivityVm>> = BTreeMap::new();
    for a in &cal.activities {
        by_day
            .entry(local(&a.starts_at).date())
            .or_default()
            .push(vm(a));
    }
    let month = month_first.map(|first| {
        // Links to the months around keep every filter.
        let mut keep: Vec<(&str, String)> = vec![("xem", "thang".into())];
        if !q.dot.trim().is_empty() {
            keep.push(("dot", q.dot.trim().into()));
        }
        for (k, v) in [
            ("tinh", &q.tinh),
            ("xa", &q.xa),
            ("loai", &q.loai),
            ("hinh_thuc", &q.hinh_thuc),
            ("khi", &q.khi),
        ] {
            if !v.trim().is_empty() {
                keep.push((k, v.trim().to_string()));
            }
        }
        let link = |m: NaiveDate| {
            let mut parts: Vec<String> = keep
                .iter()
                .map(|(k, v)| format!("{k}={}", url_part(v)))
                .collect();
            parts.push(format!("thang={}", m.format("%Y-%m")));
            format!("/lich?{}", parts.join("&"))
        };
        month_grid(first, &cal.activities, app.today(), link)
    });
    let feed = match &cal.area {
        Some(a) => format!("/lich/ical/khu-vuc/{}", url_part(&a.code)),
        None => "/lich/ical".into(),
    };
    Ok(render(CalendarPage {
        nav: None,
        campaign_name: cal.campaign.name.clone(),
        themes: cal.campaign.themes.clone(),
        slogans: cal.slogans.clone(),
        provinces,
        communes: communes.into_iter().map(|(n, c)| (c, n)).collect(),
        types: type_options(),
        modes: mode_options(),
        q_tinh: q.tinh.clone(),
        q_xa: q.xa.clone(),
        q_loai: q.loai.clone(),
        q_hinh_thuc: q.hinh_thuc.clone(),
        q_khi: q.khi.clone(),
        grid: q.xem == "lich",
        q_ngay: if month_view {
            String::new()
        } else {
            q.ngay.clone()
        },
        list,
        days: by_day
            .into_iter()
            .map(|(d, items)| DayVm {
                day: date_vi(d),
                items,
            })
            .collect(),
        month,
        weekdays: WEEKDAYS_VI,
        feed,
        area_name: cal.area.map(|a| a.name).unwrap_or_default(),
    }))
}

#[derive(Template)]
#[template(path = "activity_public.html")]
struct PublicActivityPage {
    nav: Option<Nav>,
    a: ActivityVm,
    photos: Vec<i64>,
    feed: String,
}

/// `GET /lich/hoat-dong/{id}` — shareable page of a published activity.
pub async fn public_activity(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (a, photos) = state.app.public_activity(id).await.map_err(public_error)?;
    Ok(render(PublicActivityPage {
        nav: None,
        feed: format!("/lich/ical/don-vi/{}", url_part(&a.unit_code)),
        a: vm(&a),
        photos: photos.iter().map(|p| p.id).collect(),
    }))
}

/// `GET /lich/anh/{id}` — a photo of a published activity.
pub async fn public_photo(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (kind, data) = state
        .app
        .activity_photo(None, id)
        .await
        .map_err(public_error)?;
    Ok(([(header::CONTENT_TYPE, kind)], data).into_response())
}

fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    match headers.get(header::HOST).and_then(|h| h.to_str().ok()) {
        Some(host) => format!("http://{host}"),
        None => state.app.notify_settings().base_url,
    }
}

async fn feed(state: &AppState, headers: &HeaderMap, q: PublicQuery) -> Response {
    match state.app.ical_feed(&q, &base_url(state, headers)).await {
        Ok(text) => (
            [
                (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            text,
        )
            .into_response(),
        Err(e) => (status_of(&e), message_of(&e)).into_response(),
    }
}

/// `GET /lich/ical` — every published activity of the latest campaign.
pub async fn feed_all(State(state): State<AppState>, headers: HeaderMap) -> Response {
    feed(&state, &headers, PublicQuery::default()).await
}

/// `GET /lich/ical/khu-vuc/{code}` — activities taking place in an area (tỉnh, huyện, xã).
pub async fn feed_area(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let q = PublicQuery {
        area_code: Some(code.trim_end_matches(".ics").to_string()),
        ..Default::default()
    };
    feed(&state, &headers, q).await
}

/// `GET /lich/ical/don-vi/{code}` — activities organised by one unit.
pub async fn feed_unit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let q = PublicQuery {
        unit_code: Some(code.trim_end_matches(".ics").to_string()),
        ..Default::default()
    };
    feed(&state, &headers, q).await
}

#[derive(Template)]
#[template(path = "activities.html")]
struct UnitActivitiesPage {
    nav: Option<Nav>,
    csrf: String,
    campaign_id: i64,
    campaign_name: String,
    unit_code: String,
    unit_name: String,
    deadline: String,
    list: Vec<ActivityVm>,
    types: Vec<(String, String)>,
    modes: Vec<(String, String)>,
    form: ActivityInput,
    expected: String,
    error: String,
    can_edit: bool,
}

async fn unit_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    code: &str,
    form: ActivityInput,
    error: String,
) -> Result<UnitActivitiesPage, AppError> {
    let (campaign, unit, list) = state.app.activities_of(&user.actor, id, code).await?;
    let deadline = state
        .app
        .activity_settings(campaign.id)
        .await?
        .registration_deadline;
    Ok(UnitActivitiesPage {
        nav: Nav::of(user),
        csrf: user.csrf_token.clone(),
        campaign_id: campaign.id,
        campaign_name: campaign.name,
        unit_code: unit.code.clone(),
        unit_name: unit.name.clone(),
        deadline: deadline.map(date_vi).unwrap_or_default(),
        list: list.iter().map(vm).collect(),
        types: type_options(),
        modes: mode_options(),
        expected: form
            .expected_participants
            .map(|n| n.to_string())
            .unwrap_or_default(),
        form,
        error,
        can_edit: user
            .actor
            .can(&unit, tuanle_domain::access::Action::EditReport),
    })
}

/// `GET /campaigns/{id}/activities/{code}`
pub async fn unit_activities(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let form = ActivityInput {
        mode: "in_person".into(),
        ..Default::default()
    };
    let p = unit_page(&state, &user, id, &code, form, String::new())
        .await
        .or_page(&user)?;
    Ok(render(p))
}

/// The registration form's fields.
#[derive(Deserialize)]
pub struct ActivityForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(flatten)]
    input: ActivityInput,
    #[serde(default)]
    expected: String,
}

impl ActivityForm {
    fn input(&self) -> Result<ActivityInput, AppError> {
        let mut i = self.input.clone();
        i.expected_participants = match self.expected.trim() {
            "" => None,
            t => Some(
                tuanle_domain::format::parse_integer_vi(t)
                    .map_err(|p| AppError::invalid("Số người dự kiến", p.message_vi()))?
                    .unwrap_or(0),
            ),
        };
        Ok(i)
    }
}

/// `POST /campaigns/{id}/activities/{code}` — đăng ký.
pub async fn register(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
    Form(f): Form<ActivityForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf_token).or_page(&user)?;
    let outcome = match f.input() {
        Ok(i) => {
            state
                .app
                .register_activity(&user.actor, id, &code, &i)
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(a) => Ok(Redirect::to(&format!("/activities/{}?ok=registered", a.id)).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Domain(_))) => {
            let p = unit_page(&state, &user, id, &code, f.input.clone(), message_of(&e))
                .await
                .or_page(&user)?;
            Ok(render_with(status_of(&e), p))
        }
        Err(e) => Err(PageError::new(Nav::of(&user), e)),
    }
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    nav: Option<Nav>,
    csrf: String,
    a: ActivityVm,
    form: ActivityInput,
    expected: String,
    types: Vec<(String, String)>,
    modes: Vec<(String, String)>,
    campaign_id: i64,
    unit_code: String,
    sessions: String,
    participants: String,
    note: String,
    photos: Vec<i64>,
    can_edit: bool,
    flash: String,
    error: String,
}

fn input_of(a: &ActivityRecord) -> ActivityInput {
    ActivityInput {
        kind: a.kind.clone(),
        title: a.title.clone(),
        description: a.description.clone(),
        mode: a.mode.clone(),
        starts_at: local(&a.starts_at).format("%Y-%m-%dT%H:%M").to_string(),
        ends_at: local(&a.ends_at).format("%Y-%m-%dT%H:%M").to_string(),
        address: a.address.clone(),
        commune_code: a.commune_code.clone().unwrap_or_default(),
        link: a.link.clone(),
        audience: a.audience.clone(),
        organiser: a.organiser.clone(),
        co_organisers: a.co_organisers.clone(),
        expected_participants: a.expected_participants,
    }
}

async fn activity_view(
    state: &AppState,
    user: &PageUser,
    id: i64,
    form: Option<ActivityInput>,
    flash: &str,
    error: String,
) -> Result<ActivityPage, AppError> {
    let v = state.app.activity(&user.actor, id).await?;
    let a = &v.record;
    let form = form.unwrap_or_else(|| input_of(a));
    Ok(ActivityPage {
        nav: Nav::of(user),
        csrf: user.csrf_token.clone(),
        expected: form
            .expected_participants
            .map(|n| n.to_string())
            .unwrap_or_default(),
        form,
        types: type_options(),
        modes: mode_options(),
        campaign_id: a.campaign_id,
        unit_code: a.unit_code.clone(),
        sessions: a.result_sessions.map(|n| n.to_string()).unwrap_or_default(),
        participants: a
            .result_participants
            .map(|n| n.to_string())
            .unwrap_or_default(),
        note: a.result_note.clone().unwrap_or_default(),
        photos: v.photos.iter().map(|p| p.id).collect(),
        can_edit: v.can_edit,
        a: vm(a),
        flash: flash.into(),
        error,
    })
}

#[derive(Deserialize)]
pub struct OkQuery {
    #[serde(default)]
    ok: String,
}

fn flash_text(ok: &str) -> &'static str {
    match ok {
        "registered" => {
            "Đã đăng ký hoạt động. Bấm \"Công khai\" để hoạt động hiện trên lịch công khai."
        }
        "saved" => "Đã lưu thay đổi.",
        "published" => "Hoạt động đã hiện trên lịch công khai.",
        "unpublished" => "Hoạt động không còn hiện trên lịch công khai.",
        "result" => "Đã ghi kết quả thực tế.",
        "photo" => "Đã thêm ảnh.",
        _ => "",
    }
}

/// `GET /activities/{id}`
pub async fn activity_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, PageError> {
    let p = activity_view(&state, &user, id, None, flash_text(&q.ok), String::new())
        .await
        .or_page(&user)?;
    Ok(render(p))
}

async fn rerender(
    state: &AppState,
    user: &PageUser,
    id: i64,
    form: Option<ActivityInput>,
    e: AppError,
) -> Result<Response, PageError> {
    match e {
        AppError::Invalid { .. } | AppError::Domain(_) | AppError::BadFile(_) => {
            let p = activity_view(state, user, id, form, "", message_of(&e))
                .await
                .or_page(user)?;
            Ok(render_with(status_of(&e), p))
        }
        e => Err(PageError::new(Nav::of(user), e)),
    }
}

/// `POST /activities/{id}` — sửa đăng ký.
pub async fn update(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ActivityForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf_token).or_page(&user)?;
    let outcome = match f.input() {
        Ok(i) => state.app.update_activity(&user.actor, id, &i).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/activities/{id}?ok=saved")).into_response()),
        Err(e) => rerender(&state, &user, id, Some(f.input.clone()), e).await,
    }
}

#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    published: String,
}

/// `POST /activities/{id}/publish`
pub async fn publish(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<PublishForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf_token).or_page(&user)?;
    let on = f.published == "1";
    state
        .app
        .publish_activity(&user.actor, id, on)
        .await
        .or_page(&user)?;
    let ok = if on { "published" } else { "unpublished" };
    Ok(Redirect::to(&format!("/activities/{id}?ok={ok}")).into_response())
}

#[derive(Deserialize)]
pub struct ResultForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    sessions: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    note: String,
}

/// `POST /activities/{id}/result` — kết quả thực tế.
pub async fn result(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<ResultForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf_token).or_page(&user)?;
    let num = |field: &str, t: &str| -> Result<i64, AppError> {
        tuanle_domain::format::parse_integer_vi(t)
            .map_err(|p| AppError::invalid(field, p.message_vi()))?
            .ok_or_else(|| AppError::invalid(field, "không được để trống"))
    };
    let outcome = async {
        let r = ActivityResult {
            sessions: num("Số lớp/số cuộc thực tế", &f.sessions)?,
            participants: num("Số người tham gia thực tế", &f.participants)?,
            note: f.note.clone(),
        };
        state.app.record_activity_result(&user.actor, id, &r).await
    }
    .await;
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/activities/{id}?ok=result")).into_response()),
        Err(e) => rerender(&state, &user, id, None, e).await,
    }
}

/// `POST /activities/{id}/photos` (multipart: csrf_token, photo).
pub async fn add_photo(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("csrf_token") => csrf = field.text().await.unwrap_or_default(),
            Some("photo") => {
                let name = field.file_name().unwrap_or_default().to_string();
                let data = field.bytes().await.map_err(|_| {
                    PageError::new(
                        Nav::of(&user),
                        AppError::BadFile("Không đọc được tệp ảnh".into()),
                    )
                })?;
                file = Some((name, data.to_vec()));
            }
            _ => {}
        }
    }
    user.check_csrf(&csrf).or_page(&user)?;
    let (name, data) = file.unwrap_or_default();
    match state
        .app
        .add_activity_photo(&user.actor, id, &name, &data)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/activities/{id}?ok=photo")).into_response()),
        Err(e) => rerender(&state, &user, id, None, e).await,
    }
}

struct NoticeVm {
    title: String,
    body: String,
    link: String,
    at: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    nav: Option<Nav>,
    csrf: String,
    unread: i64,
    list: Vec<NoticeVm>,
    prefs: Vec<(String, String, bool)>,
}

/// `GET /notifications` — thông báo and e-mail choices.
pub async fn notifications(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    let (list, unread) = state
        .app
        .my_notifications(&user.actor)
        .await
        .or_page(&user)?;
    let prefs = state
        .app
        .email_preferences(&user.actor)
        .await
        .or_page(&user)?;
    Ok(render(NotificationsPage {
        nav: Nav::of(&user),
        csrf: user.csrf_token.clone(),
        unread,
        list: list
            .into_iter()
            .map(|n| NoticeVm {
                at: tuanle_store::parse_time(&n.created_at)
                    .map(tuanle_domain::format::datetime_vi)
                    .unwrap_or_default(),
                unread: n.read_at.is_none(),
                title: n.title,
                body: n.body,
                link: n.link,
            })
            .collect(),
        prefs: tuanle_app::notifications::KINDS
            .iter()
            .map(|(k, label)| {
                (
                    k.to_string(),
                    label.to_string(),
                    prefs.get(*k).copied().unwrap_or(true),
                )
            })
            .collect(),
    }))
}

/// `POST /notifications/read` (`id` or all).
pub async fn mark_read(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    user.check_csrf(&get("csrf_token")).or_page(&user)?;
    state
        .app
        .mark_read(&user.actor, get("id").parse().ok())
        .await
        .or_page(&user)?;
    Ok(Redirect::to("/notifications").into_response())
}

/// `POST /notifications/preferences` — checked boxes are the kinds to receive.
pub async fn preferences(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let csrf = f
        .iter()
        .find(|(n, _)| n == "csrf_token")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    user.check_csrf(csrf).or_page(&user)?;
    let on: BTreeSet<&str> = f
        .iter()
        .filter(|(n, _)| n == "kind")
        .map(|(_, v)| v.as_str())
        .collect();
    let prefs = tuanle_app::notifications::KINDS
        .iter()
        .map(|(k, _)| (k.to_string(), on.contains(k)))
        .collect();
    state
        .app
        .set_email_preferences(&user.actor, &prefs)
        .await
        .or_page(&user)?;
    Ok(Redirect::to("/notifications").into_response())
}

#[derive(Template)]
#[template(path = "activity_settings.html")]
struct SettingsPage {
    nav: Option<Nav>,
    csrf: String,
    campaign_id: i64,
    campaign_name: String,
    registration_deadline: String,
    plan_deadline: String,
    reminder_days: String,
    default_days: i64,
    slogans: Vec<String>,
    new_slogans: String,
    flash: String,
    error: String,
}

/// The settings form as sent: fields in order (slogans repeat).
struct SettingsForm {
    registration_deadline: String,
    plan_deadline: String,
    reminder_days: String,
    slogans: Vec<String>,
    new_slogans: String,
}

impl SettingsForm {
    fn of(s: &ActivitySettings) -> SettingsForm {
        SettingsForm {
            registration_deadline: s.registration_deadline.map(date_vi).unwrap_or_default(),
            plan_deadline: s.plan_deadline.map(date_vi).unwrap_or_default(),
            reminder_days: s.reminder_days.map(|d| d.to_string()).unwrap_or_default(),
            slogans: s.slogans.clone(),
            new_slogans: String::new(),
        }
    }

    /// Applies a row button (`up:i`, `down:i`, `remove:i`) and appends the new slogans.
    fn apply(&mut self, action: &str) {
        if let Some((op, i)) = action.split_once(':') {
            if let Ok(i) = i.parse::<usize>() {
                let n = self.slogans.len();
                match op {
                    "up" if i > 0 && i < n => self.slogans.swap(i - 1, i),
                    "down" if i + 1 < n => self.slogans.swap(i, i + 1),
                    "remove" if i < n => {
                        self.slogans.remove(i);
                    }
                    _ => {}
                }
            }
        }
        let added: Vec<String> = self
            .new_slogans
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        self.slogans.extend(added);
        self.new_slogans.clear();
    }

    fn settings(&self) -> Result<ActivitySettings, AppError> {
        let day = |field: &str, t: &str| -> Result<Option<NaiveDate>, AppError> {
            match t.trim() {
                "" => Ok(None),
                t => NaiveDate::parse_from_str(t, "%d/%m/%Y")
                    .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
                    .map(Some)
                    .map_err(|_| {
                        AppError::invalid(field, format!("\"{t}\" không phải ngày dạng dd/mm/yyyy"))
                    }),
            }
        };
        let reminder_days = match self.reminder_days.trim() {
            "" => None,
            t => Some(t.parse::<i64>().map_err(|_| {
                AppError::invalid(
                    "Số ngày nhắc trước hạn",
                    format!("\"{t}\" không phải số ngày"),
                )
            })?),
        };
        Ok(ActivitySettings {
            registration_deadline: day("Hạn đăng ký hoạt động", &self.registration_deadline)?,
            plan_deadline: day("Hạn ban hành kế hoạch", &self.plan_deadline)?,
            reminder_days,
            slogans: self.slogans.clone(),
        })
    }
}

fn settings_page_of(
    state: &AppState,
    user: &PageUser,
    campaign: &tuanle_domain::campaign::Campaign,
    form: SettingsForm,
    flash: &str,
    error: String,
) -> SettingsPage {
    SettingsPage {
        nav: Nav::of(user),
        csrf: user.csrf_token.clone(),
        campaign_id: campaign.id,
        campaign_name: campaign.name.clone(),
        registration_deadline: form.registration_deadline,
        plan_deadline: form.plan_deadline,
        reminder_days: form.reminder_days,
        default_days: state.app.notify_settings().reminder_days,
        slogans: form.slogans,
        new_slogans: form.new_slogans,
        flash: flash.into(),
        error,
    }
}

/// `GET /admin/campaigns/{id}/activity-settings` — hạn đăng ký hoạt động, hạn ban hành
/// kế hoạch, nhắc hạn, khẩu hiệu: for whoever may change them (the API's rule).
pub async fn settings_page(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Query(q): Query<OkQuery>,
) -> Result<Response, PageError> {
    let (campaign, settings) = state
        .app
        .activity_settings_for_admin(&user.actor, id)
        .await
        .or_page(&user)?;
    let flash = if q.ok.is_empty() {
        ""
    } else {
        "Đã lưu cài đặt."
    };
    Ok(render(settings_page_of(
        &state,
        &user,
        &campaign,
        SettingsForm::of(&settings),
        flash,
        String::new(),
    )))
}

/// `POST /admin/campaigns/{id}/activity-settings` — every button saves (one use case,
/// one audit row): "Lưu", and per slogan ↑ / ↓ / Xóa (`action=up:i|down:i|remove:i`).
pub async fn save_settings(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    user.check_csrf(&get("csrf_token")).or_page(&user)?;
    let (campaign, _) = state
        .app
        .activity_settings_for_admin(&user.actor, id)
        .await
        .or_page(&user)?;
    let mut form = SettingsForm {
        registration_deadline: get("registration_deadline"),
        plan_deadline: get("plan_deadline"),
        reminder_days: get("reminder_days"),
        slogans: f
            .iter()
            .filter(|(n, _)| n == "slogan")
            .map(|(_, v)| v.clone())
            .collect(),
        new_slogans: get("new_slogans"),
    };
    form.apply(&get("action"));
    let outcome = match form.settings() {
        Ok(s) => {
            state
                .app
                .set_activity_settings(Some(&user.actor), id, &s)
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(
            Redirect::to(&format!("/admin/campaigns/{id}/activity-settings?ok=1")).into_response(),
        ),
        Err(e @ (AppError::Invalid { .. } | AppError::Domain(_))) => Ok(render_with(
            status_of(&e),
            settings_page_of(&state, &user, &campaign, form, "", message_of(&e)),
        )),
        Err(e) => Err(PageError::new(Nav::of(&user), e)),
    }
}
