//! Báo cáo kết quả — the report form, its review and its photos.

use std::collections::{BTreeMap, HashMap, HashSet};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use tuanle_app::reports::ReportView;
use tuanle_app::AppError;
use tuanle_domain::format::{date_vi, datetime_vi, number_vi, parse_integer_vi};
use tuanle_domain::report::{ReportAction, ReportContent, ReportStatus, NARRATIVE_SECTIONS};
use tuanle_domain::template::RowKind;
use tuanle_domain::validate::{parse_cells, Issue};

use super::{render, render_with, Nav, OrPage, PageError};
use crate::auth::PageUser;
use crate::AppState;

struct CellVm {
    name: String,
    label: String,
    value: String,
    placeholder: String,
    present: bool,
    bad: bool,
    /// Filled by "Điền từ hoạt động" and still the activities' figure.
    from_activities: bool,
    /// Filled from activities, then changed by hand.
    edited: bool,
    /// The activities' figure of a marked cell ("" when unmarked), kept by a hidden field.
    mark: String,
    /// The same, as shown (1.234).
    mark_text: String,
    mark_name: String,
}

struct RowVm {
    code: String,
    stt: String,
    label: String,
    uom: String,
    class: String,
    cells: Vec<CellVm>,
    note_name: String,
    note: String,
}

struct SectionVm {
    name: String,
    title: String,
    text: String,
}

struct WarningVm {
    message: String,
    name: String,
    explanation: String,
}

struct PhotoVm {
    id: i64,
    name: String,
    caption: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    nav: Option<Nav>,
    csrf: String,
    campaign_id: i64,
    campaign_name: String,
    unit_code: String,
    unit_name: String,
    parent_code: String,
    status: String,
    status_class: String,
    sent: bool,
    late: bool,
    deadline: String,
    submitted_at: String,
    entered_note: String,
    review_comment: String,
    columns: Vec<String>,
    rows: Vec<RowVm>,
    sections: Vec<SectionVm>,
    warnings: Vec<WarningVm>,
    errors: Vec<String>,
    flash: String,
    can_edit: bool,
    can_review: bool,
    can_accept: bool,
    photos: Vec<PhotoVm>,
}

/// Raw form input to show again after a rejected save.
#[derive(Default)]
struct Raw {
    cells: HashMap<String, String>,
    notes: HashMap<String, String>,
    narrative: HashMap<String, String>,
    explanations: HashMap<String, String>,
    /// Cells filled from the unit's activities (`v:row:col`) and the activities' figure.
    marks: HashMap<String, i64>,
}

async fn page(
    state: &AppState,
    user: &PageUser,
    view: ReportView,
    raw: Option<&Raw>,
    errors: &[Issue],
    flash: &str,
) -> Result<ReportPage, AppError> {
    let t = &view.template;
    let content = view
        .record
        .as_ref()
        .map(|r| r.content.clone())
        .unwrap_or_default();
    let bad: HashSet<(String, String)> = errors
        .iter()
        .filter_map(|i| Some((i.row.clone()?, i.column.clone().unwrap_or_default())))
        .collect();
    // "Từ hoạt động" marks: the form's (prefill or a rejected save), else the stored ones.
    let marks: HashMap<String, i64> = match raw {
        Some(r) => r.marks.clone(),
        None => content
            .from_activities
            .0
            .iter()
            .flat_map(|(code, cols)| {
                cols.iter()
                    .map(move |(col, v)| (format!("v:{code}:{col}"), *v))
            })
            .collect(),
    };
    let parent_of: HashMap<&str, &str> = t
        .indicators
        .iter()
        .filter_map(|i| Some((i.code.as_str(), i.parent.as_deref()?)))
        .collect();
    let mut rows = Vec::new();
    for ind in &t.indicators {
        let class = match &ind.kind {
            RowKind::Group => "group",
            RowKind::Total { .. } => "total",
            RowKind::Note => "note",
            RowKind::Value if parent_of.contains_key(ind.code.as_str()) => "child",
            RowKind::Value => "value",
        };
        let cells = t
            .columns
            .iter()
            .map(|col| {
                let name = format!("v:{}:{}", ind.code, col.key);
                let present = ind.columns.contains(&col.key);
                let stored = content.figures.get(&ind.code, &col.key);
                let mut placeholder = String::new();
                let mut value = stored.map(number_vi).unwrap_or_default();
                if let (RowKind::Total { of }, Some(v)) = (&ind.kind, stored) {
                    // A total equal to the sum of its parts is shown as computed, so it follows later edits.
                    let sum: i64 = t
                        .parts_of(of, &col.key)
                        .filter_map(|p| content.figures.get(&p.code, &col.key))
                        .sum();
                    if sum == v {
                        value.clear();
                        placeholder = format!("tự tính: {}", number_vi(v));
                    }
                } else if matches!(ind.kind, RowKind::Total { .. }) {
                    placeholder = "tự tính".into();
                }
                let mut current = stored;
                if let Some(r) = raw.and_then(|r| r.cells.get(&name)) {
                    value = r.clone();
                    current = parse_integer_vi(r).ok().flatten();
                }
                let mark = marks.get(&name).copied();
                let from_activities = mark.is_some() && current == mark;
                CellVm {
                    from_activities,
                    edited: mark.is_some() && !from_activities,
                    mark: mark.map(|v| v.to_string()).unwrap_or_default(),
                    mark_text: mark.map(number_vi).unwrap_or_default(),
                    mark_name: format!("a:{}:{}", ind.code, col.key),
                    bad: bad.contains(&(ind.code.clone(), col.key.clone())),
                    name,
                    label: col.label.clone(),
                    value,
                    placeholder,
                    present,
                }
            })
            .collect();
        let note_name = format!("note:{}", ind.code);
        let note = raw
            .and_then(|r| r.notes.get(&note_name).cloned())
            .or_else(|| content.notes.get(&ind.code).cloned())
            .unwrap_or_default();
        rows.push(RowVm {
            code: ind.code.clone(),
            stt: ind.stt.clone(),
            label: ind.label.clone(),
            uom: ind.unit.clone(),
            class: class.to_string(),
            cells,
            note_name,
            note,
        });
    }
    let sections = NARRATIVE_SECTIONS
        .iter()
        .map(|(key, title)| {
            let name = format!("n:{key}");
            let text = raw
                .and_then(|r| r.narrative.get(&name).cloned())
                .unwrap_or_else(|| content.narrative.get(key).unwrap_or_default().to_string());
            SectionVm {
                name,
                title: title.to_string(),
                text,
            }
        })
        .collect();
    let warnings = view
        .validation
        .warnings
        .iter()
        .map(|w| {
            let name = format!("w:{}", w.key);
            let explanation = raw
                .and_then(|r| r.explanations.get(&name).cloned())
                .or_else(|| content.explanations.get(&w.key).cloned())
                .unwrap_or_default();
            WarningVm {
                message: w.message.clone(),
                name,
                explanation,
            }
        })
        .collect();
    let (status, status_class) = match &view.record {
        Some(r) => (
            r.row.status.label_vi().to_string(),
            r.row.status.as_str().to_string(),
        ),
        None => ("Chưa có báo cáo".to_string(), "none".to_string()),
    };
    let row = view.record.as_ref().map(|r| &r.row);
    let names = state.app.user_names(row.and_then(|r| r.entered_by)).await?;
    let entered_note = match row {
        Some(r) if r.entered_on_behalf => format!(
            "Nhập thay đơn vị bởi {}",
            r.entered_by
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_default()
        ),
        _ => String::new(),
    };
    let photos = match row {
        Some(r) => state
            .app
            .store
            .photos(r.id)
            .await?
            .into_iter()
            .map(|p| PhotoVm {
                id: p.id,
                name: p.file_name,
                caption: p.caption,
            })
            .collect(),
        None => vec![],
    };
    let parent_code = match view.unit.parent_id {
        Some(pid) => state
            .app
            .store
            .unit(pid)
            .await?
            .map(|u| u.code)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(ReportPage {
        nav: Nav::of(user),
        csrf: user.csrf_token.clone(),
        campaign_id: view.campaign.id,
        campaign_name: view.campaign.name.clone(),
        unit_code: view.unit.code.clone(),
        unit_name: view.unit.name.clone(),
        parent_code,
        status,
        status_class,
        sent: row.is_some_and(|r| r.submitted_at.is_some()),
        late: row.is_some_and(|r| r.late),
        deadline: view.deadline.map(date_vi).unwrap_or_else(|| "—".into()),
        submitted_at: row
            .and_then(|r| r.first_submitted_at.as_deref())
            .and_then(|t| tuanle_store::parse_time(t).ok())
            .map(datetime_vi)
            .unwrap_or_default(),
        entered_note,
        review_comment: row
            .filter(|r| r.status == ReportStatus::Returned)
            .and_then(|r| r.review_comment.clone())
            .unwrap_or_default(),
        columns: view
            .template
            .columns
            .iter()
            .map(|c| c.label.clone())
            .collect(),
        rows,
        sections,
        warnings,
        errors: errors.iter().map(|e| e.message.clone()).collect(),
        flash: flash.to_string(),
        can_edit: view.can_edit
            && !matches!(
                row.map(|r| r.status),
                Some(ReportStatus::Submitted | ReportStatus::Accepted)
            ),
        can_review: view.can_review
            && matches!(
                row.map(|r| r.status),
                Some(ReportStatus::Submitted | ReportStatus::Accepted)
            ),
        can_accept: view.can_review && row.map(|r| r.status) == Some(ReportStatus::Submitted),
        photos,
    })
}

#[derive(Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    ok: String,
    /// `1`: fill the rows from the unit's recorded activities (shown, not saved).
    #[serde(default)]
    prefill: String,
}

fn flash_text(ok: &str) -> &'static str {
    match ok {
        "saved" => "Đã lưu bản nháp.",
        "submitted" => "Đã nộp báo cáo lên cấp trên.",
        "returned" => "Đã trả lại báo cáo cho đơn vị.",
        "accepted" => "Đã chấp nhận báo cáo.",
        "photo" => "Đã thêm ảnh.",
        "photo_deleted" => "Đã xóa ảnh.",
        _ => "",
    }
}

/// `GET /campaigns/{id}/reports/{code}`
pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let view = state
        .app
        .report_view(&user.actor, id, &code)
        .await
        .or_page(&user)?;
    let raw = if q.prefill == "1" {
        Some(
            activities_raw(&state, &user, id, &code)
                .await
                .or_page(&user)?,
        )
    } else {
        None
    };
    let flash = if raw.is_some() {
        "Đã điền số liệu từ các hoạt động đã ghi kết quả (đánh dấu \"từ hoạt động\"). Kiểm tra, sửa nếu cần rồi lưu."
    } else {
        flash_text(&q.ok)
    };
    let p = page(&state, &user, view, raw.as_ref(), &[], flash)
        .await
        .or_page(&user)?;
    Ok(render(p))
}

/// The form's current figures with the rows fed by activities replaced by their sums.
async fn activities_raw(
    state: &AppState,
    user: &PageUser,
    id: i64,
    code: &str,
) -> Result<Raw, AppError> {
    let (figures, cells) = state.app.report_prefill(&user.actor, id, code).await?;
    let mut raw = Raw::default();
    for (row, col) in cells {
        let name = format!("v:{row}:{col}");
        let v = figures.get(&row, &col).unwrap_or(0);
        raw.cells.insert(name.clone(), number_vi(v));
        raw.marks.insert(name, v);
    }
    Ok(raw)
}

/// `POST /campaigns/{id}/reports/{code}`: save (`action=save`) or submit (`action=submit`).
pub async fn save(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    user.check_csrf(get("csrf_token")).or_page(&user)?;
    let action = match get("action") {
        "submit" => ReportAction::Submit,
        _ => ReportAction::Save,
    };
    let mut raw = Raw::default();
    let mut cells = Vec::new();
    let mut content = ReportContent::default();
    for (name, value) in &fields {
        if let Some(rest) = name.strip_prefix("v:") {
            raw.cells.insert(name.clone(), value.clone());
            if let Some((row, col)) = rest.rsplit_once(':') {
                cells.push((row.to_string(), col.to_string(), value.clone()));
            }
        } else if let Some(rest) = name.strip_prefix("a:") {
            // "Từ hoạt động" mark of a cell: the activities' figure (hidden field).
            if let (Some((row, col)), Ok(Some(v))) =
                (rest.rsplit_once(':'), parse_integer_vi(value))
            {
                raw.marks.insert(format!("v:{rest}"), v);
                content.from_activities.set(row, col, Some(v));
            }
        } else if let Some(row) = name.strip_prefix("note:") {
            raw.notes.insert(name.clone(), value.clone());
            content
                .notes
                .insert(row.to_string(), value.trim().to_string());
        } else if let Some(key) = name.strip_prefix("n:") {
            raw.narrative.insert(name.clone(), value.clone());
            content.narrative.set(key, value.trim().to_string());
        } else if let Some(key) = name.strip_prefix("w:") {
            raw.explanations.insert(name.clone(), value.clone());
            content
                .explanations
                .insert(key.to_string(), value.trim().to_string());
        }
    }
    let view = state
        .app
        .report_view(&user.actor, id, &code)
        .await
        .or_page(&user)?;
    let parsed = parse_cells(
        &view.template,
        cells
            .iter()
            .map(|(r, c, v)| (r.as_str(), c.as_str(), v.as_str())),
    );
    let result = match parsed {
        Ok(figures) => {
            content.figures = figures;
            state
                .app
                .save_report(&user.actor, id, &code, action, content)
                .await
        }
        Err(issues) => Err(AppError::Validation(issues)),
    };
    match result {
        Ok(_) => {
            let ok = if action == ReportAction::Submit {
                "submitted"
            } else {
                "saved"
            };
            Ok(Redirect::to(&format!(
                "/campaigns/{id}/reports/{}?ok={ok}",
                super::url_part(&code)
            ))
            .into_response())
        }
        Err(AppError::Validation(issues)) => {
            let p = page(&state, &user, view, Some(&raw), &issues, "")
                .await
                .or_page(&user)?;
            Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, p))
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Domain(_) | AppError::Conflict(_))) => {
            let issue = Issue {
                code: tuanle_domain::validate::IssueCode::UnknownCell,
                row: None,
                column: None,
                key: String::new(),
                message: e.to_string(),
            };
            let p = page(&state, &user, view, Some(&raw), &[issue], "")
                .await
                .or_page(&user)?;
            Ok(render_with(crate::error::status_of(&e), p))
        }
        Err(e) => Err(e).or_page(&user),
    }
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    csrf_token: String,
    action: String,
    #[serde(default)]
    comment: String,
}

/// `POST /campaigns/{id}/reports/{code}/review`: return or accept.
pub async fn review(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf_token).or_page(&user)?;
    let action = match f.action.as_str() {
        "accept" => ReportAction::Accept,
        _ => ReportAction::Return,
    };
    match state
        .app
        .review_report(&user.actor, id, &code, action, &f.comment)
        .await
    {
        Ok(_) => {
            let ok = if action == ReportAction::Accept {
                "accepted"
            } else {
                "returned"
            };
            Ok(Redirect::to(&format!(
                "/campaigns/{id}/reports/{}?ok={ok}",
                super::url_part(&code)
            ))
            .into_response())
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Domain(_))) => {
            form_error(&state, &user, id, &code, e).await
        }
        Err(e) => Err(e).or_page(&user),
    }
}

struct HistoryVm {
    version: i64,
    action: String,
    status: String,
    who: String,
    at: String,
    comment: String,
    figures: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    nav: Option<Nav>,
    campaign_id: i64,
    unit_code: String,
    entries: Vec<HistoryVm>,
}

/// `GET /campaigns/{id}/reports/{code}/history`
pub async fn history(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let entries = state
        .app
        .report_history(&user.actor, id, &code)
        .await
        .or_page(&user)?;
    let vms = entries
        .into_iter()
        .map(|h| {
            let action = match h.action.as_str() {
                "save" => "Lưu nháp",
                "submit" => "Nộp",
                "return" => "Trả lại",
                "accept" => "Chấp nhận",
                other => other,
            }
            .to_string();
            let figures: BTreeMap<String, BTreeMap<String, i64>> =
                serde_json::from_value(h.content.get("figures").cloned().unwrap_or_default())
                    .unwrap_or_default();
            let figures = figures
                .iter()
                .flat_map(|(r, cols)| {
                    cols.iter()
                        .map(move |(c, v)| format!("{r}/{c}={}", number_vi(*v)))
                })
                .collect::<Vec<_>>()
                .join("; ");
            HistoryVm {
                version: h.version,
                action,
                status: ReportStatus::parse(&h.status)
                    .map(|s| s.label_vi().to_string())
                    .unwrap_or(h.status),
                who: h.username.unwrap_or_default(),
                at: tuanle_store::parse_time(&h.at)
                    .map(datetime_vi)
                    .unwrap_or(h.at),
                comment: h.comment.unwrap_or_default(),
                figures,
            }
        })
        .collect();
    Ok(render(HistoryPage {
        nav: Nav::of(&user),
        campaign_id: id,
        unit_code: code,
        entries: vms,
    }))
}

/// `POST /campaigns/{id}/reports/{code}/photos` (multipart: csrf_token, photo, caption).
pub async fn add_photo(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let mut csrf = String::new();
    let mut caption = String::new();
    let mut file: Option<(String, Bytes)> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(AppError::BadFile(format!(
                    "Không đọc được tệp tải lên: {e}"
                )))
                .or_page(&user)
            }
        };
        match field.name().unwrap_or("") {
            "csrf_token" => csrf = field.text().await.unwrap_or_default(),
            "caption" => caption = field.text().await.unwrap_or_default(),
            "photo" => {
                let name = field.file_name().unwrap_or("").to_string();
                let data = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::BadFile(format!("Không đọc được ảnh: {e}")))
                    .or_page(&user)?;
                file = Some((name, data));
            }
            _ => {}
        }
    }
    user.check_csrf(&csrf).or_page(&user)?;
    let (name, data) = file
        .ok_or_else(|| AppError::invalid("Ảnh", "chưa chọn tệp"))
        .or_page(&user)?;
    match state
        .app
        .add_photo(&user.actor, id, &code, &name, &data, &caption)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/campaigns/{id}/reports/{}?ok=photo#photos",
            super::url_part(&code)
        ))
        .into_response()),
        Err(e @ (AppError::BadFile(_) | AppError::Invalid { .. } | AppError::Conflict(_))) => {
            form_error(&state, &user, id, &code, e).await
        }
        Err(e) => Err(e).or_page(&user),
    }
}

/// `GET /campaigns/{id}/reports/{code}/photos/{photo}`
pub async fn photo(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code, photo)): Path<(i64, String, i64)>,
) -> Result<Response, PageError> {
    let (ct, data) = state
        .app
        .photo(&user.actor, id, &code, photo)
        .await
        .or_page(&user)?;
    Ok((
        [
            (header::CONTENT_TYPE, ct),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
        data,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf_token: String,
}

/// `POST /campaigns/{id}/reports/{code}/photos/{photo}/delete`
pub async fn delete_photo(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code, photo)): Path<(i64, String, i64)>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf_token).or_page(&user)?;
    state
        .app
        .delete_photo(&user.actor, id, &code, photo)
        .await
        .or_page(&user)?;
    Ok(Redirect::to(&format!(
        "/campaigns/{id}/reports/{}?ok=photo_deleted#photos",
        super::url_part(&code)
    ))
    .into_response())
}

/// The report page again, with an error that is not about one cell (a wrong transition,
/// a missing comment, a rejected photo), answered with the error's status.
async fn form_error(
    state: &AppState,
    user: &PageUser,
    id: i64,
    code: &str,
    e: AppError,
) -> Result<Response, PageError> {
    let view = state
        .app
        .report_view(&user.actor, id, code)
        .await
        .or_page(user)?;
    let issue = Issue {
        code: tuanle_domain::validate::IssueCode::UnknownCell,
        row: None,
        column: None,
        key: String::new(),
        message: e.to_string(),
    };
    let p = page(state, user, view, None, &[issue], "")
        .await
        .or_page(user)?;
    Ok(render_with(crate::error::status_of(&e), p))
}
