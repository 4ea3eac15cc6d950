//! Kế hoạch xuống các cấp — the pages of plans down the tree: a unit's documents, a
//! document (versions, lifecycle actions, downloads), a consultation (replies, answer
//! form), the incoming register, tasks, the cascade view of a campaign and the plan form
//! prefilled from the parent level. Every form carries the session's CSRF token; after a
//! successful POST the browser is redirected, a refused one re-renders with the message.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;
use tuanle_app::plans::{
    ConsultationView, DocumentView, EditInput, LetterInput, PlanInput, RecipientInput, TaskView,
};
use tuanle_app::AppError;
use tuanle_domain::access::Action;
use tuanle_domain::consultation::ReplyState;
use tuanle_domain::format::date_vi;
use tuanle_domain::plan::{Appendix, Assignment, Authority, DocStatus, PlanContent, Signer};
use tuanle_domain::task::TaskStatus;
use tuanle_domain::unit::{is_administrative_type, Unit};
use tuanle_store::DocumentRecord;

use super::{render, render_with, url_part, Nav, OrPage, PageError};
use crate::api::documents::{download, format_of};
use crate::auth::PageUser;
use crate::AppState;

pub fn routes() -> Vec<super::PageRoute> {
    vec![
        ("/units/{code}/documents", get(unit_documents)),
        ("/units/{code}/incoming", get(incoming)),
        ("/incoming/{id}/pass", post(pass_incoming)),
        (
            "/campaigns/{id}/plans/new/{code}",
            get(new_plan).post(create_plan),
        ),
        ("/documents/{id}", get(document)),
        ("/documents/{id}/edit", get(edit_form).post(edit_save)),
        ("/documents/{id}/document/{format}", get(document_file)),
        ("/documents/{id}/consult", post(consult)),
        ("/documents/{id}/submit", post(submit)),
        ("/documents/{id}/review", post(review)),
        ("/documents/{id}/issue", post(issue)),
        ("/documents/{id}/distribute", post(distribute)),
        ("/consultations/{id}", get(consultation)),
        ("/consultations/{id}/answer", post(answer)),
        ("/consultations/{id}/replies/{code}/file", get(reply_file)),
        ("/campaigns/{id}/tasks/{code}", get(tasks)),
        ("/tasks/{id}", post(update_task)),
        ("/campaigns/{id}/cascade/{code}", get(cascade)),
    ]
}

// ---- helpers ---------------------------------------------------------------------------

/// A form as sent, every field by name (checkboxes are named `u_<code>`).
type Fields = HashMap<String, String>;

fn field(f: &Fields, name: &str) -> String {
    f.get(name)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Unit codes chosen in a form: the `u_<code>` checkboxes ticked, and the codes typed in
/// `other_units` ("Đơn vị khác trong cây": units deeper than the boxes offer, separated by
/// commas, semicolons, spaces or lines), each once.
fn ticked(f: &Fields) -> Vec<String> {
    let mut v: Vec<String> = f
        .keys()
        .filter_map(|k| k.strip_prefix("u_").map(str::to_string))
        .chain(other_codes(&field(f, "other_units")))
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The unit codes typed in an "Đơn vị khác trong cây" field.
fn other_codes(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// A date from a date input (yyyy-mm-dd) or as written (dd/mm/yyyy); empty: `None`.
fn date_field(f: &Fields, name: &str, label: &str) -> Result<Option<NaiveDate>, AppError> {
    let s = field(f, name);
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(&s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&s, "%d/%m/%Y"))
        .map(Some)
        .map_err(|_| AppError::invalid(label, format!("\"{s}\" không phải ngày (dd/mm/yyyy)")))
}

fn signer_of(f: &Fields) -> Signer {
    Signer {
        authority: match field(f, "authority").as_str() {
            "TM" => Authority::OnBehalf,
            "KT" => Authority::Deputy,
            "Q" => Authority::Acting,
            "TL" => Authority::ByOrder,
            "TUQ" => Authority::Delegated,
            _ => Authority::Own,
        },
        on_behalf_of: field(f, "on_behalf_of"),
        title: field(f, "title"),
        name: field(f, "signer_name"),
    }
}

fn check(user: &PageUser, f: &Fields) -> Result<(), PageError> {
    user.check_csrf(&field(f, "csrf_token")).or_page(user)
}

/// Status of a refused form: 409 for a conflict, 422 otherwise.
fn refused(e: &AppError) -> StatusCode {
    match e {
        AppError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

fn is_form_error(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Invalid { .. } | AppError::Conflict(_) | AppError::Domain(_)
    )
}

/// A unit in a list or a checkbox.
struct UnitItem {
    code: String,
    link: String,
    name: String,
}

fn unit_item(u: &Unit) -> UnitItem {
    UnitItem {
        code: u.code.clone(),
        link: url_part(&u.code),
        name: u.name.clone(),
    }
}

/// The area a unit's documents address: an administrative unit's own children, a body's
/// siblings (the children of its administrative unit).
async fn area_units(state: &AppState, unit: &Unit) -> Result<(Unit, Vec<Unit>), AppError> {
    let area = if is_administrative_type(&unit.unit_type) {
        unit.clone()
    } else {
        match unit.parent_id {
            Some(p) => state
                .app
                .store
                .unit(p)
                .await?
                .unwrap_or_else(|| unit.clone()),
            None => unit.clone(),
        }
    };
    let children = state.app.store.children(area.id).await?;
    Ok((area, children))
}

/// A unit offered as a recipient, with the units below it (one more level, shown folded).
struct AreaItem {
    unit: UnitItem,
    below: Vec<UnitItem>,
}

/// The recipients a plan form offers: the area's units and, folded under each, the units
/// below them (a district's wards and, under each ward, its schools and centres). Any
/// unit deeper in the subtree is still accepted by the service.
async fn recipient_choices(state: &AppState, children: &[Unit]) -> Result<Vec<AreaItem>, AppError> {
    let mut out = Vec::with_capacity(children.len());
    for c in children {
        let below = state.app.store.children(c.id).await?;
        out.push(AreaItem {
            unit: unit_item(c),
            below: below.iter().map(unit_item).collect(),
        });
    }
    Ok(out)
}

/// A document that a plan may cite as *căn cứ*: recorded external documents and issued
/// ones (they carry a number).
struct BasisItem {
    id: i64,
    label: String,
}

async fn basis_choices(
    state: &AppState,
    user: &PageUser,
    except: Option<i64>,
) -> Result<Vec<BasisItem>, AppError> {
    Ok(state
        .app
        .documents(&user.actor, None)
        .await?
        .into_iter()
        .filter(|d| Some(d.id) != except && d.number_text.is_some())
        .filter(|d| d.external || matches!(d.status, DocStatus::Issued | DocStatus::Distributed))
        .take(100)
        .map(|d| BasisItem {
            id: d.id,
            label: format!(
                "{} số {} ngày {} của {} — {}",
                d.kind.name_vi(),
                d.number_text.clone().unwrap_or_default(),
                d.issued_on.map(date_vi).unwrap_or_default(),
                d.issuer_name,
                d.subject
            ),
        })
        .collect())
}

/// The documents ticked as *căn cứ* (checkboxes `b_<id>`).
fn ticked_bases(f: &Fields) -> Vec<i64> {
    let mut v: Vec<i64> = f
        .keys()
        .filter_map(|k| k.strip_prefix("b_")?.parse().ok())
        .collect();
    v.sort();
    v
}

/// A document line of a list.
struct DocItem {
    id: i64,
    kind: String,
    number: String,
    date: String,
    subject: String,
    status: String,
    status_class: String,
    issuer: String,
}

fn doc_item(d: &DocumentRecord) -> DocItem {
    DocItem {
        id: d.id,
        kind: d.kind.name_vi().to_string(),
        number: d
            .number_text
            .clone()
            .unwrap_or_else(|| "(chưa có số)".into()),
        date: d.issued_on.map(date_vi).unwrap_or_default(),
        subject: d.subject.clone(),
        status: d.status.label_vi().to_string(),
        status_class: d.status.as_str().to_string(),
        issuer: d.issuer_name.clone(),
    }
}

// ---- a unit's documents ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "plans_documents.html")]
struct DocumentsPage {
    nav: Option<Nav>,
    unit: UnitItem,
    campaigns: Vec<(i64, String)>,
    documents: Vec<DocItem>,
    can_draft: bool,
}

#[derive(Deserialize)]
struct CampaignQuery {
    campaign: Option<i64>,
}

/// `GET /units/{code}/documents?campaign=` — documents the unit (or a body of its own)
/// drafted or issues, newest first, with the links to write a new plan.
async fn unit_documents(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    Query(q): Query<CampaignQuery>,
) -> Result<Response, PageError> {
    let unit = state
        .app
        .visible_unit(&user.actor, user.actor.unit.tree_id, &code)
        .await
        .or_page(&user)?;
    let mut ids = vec![unit.id];
    if is_administrative_type(&unit.unit_type) {
        for c in state
            .app
            .store
            .children(unit.id)
            .await
            .map_err(AppError::from)
            .or_page(&user)?
        {
            if !is_administrative_type(&c.unit_type) {
                ids.push(c.id);
            }
        }
    }
    let docs = state
        .app
        .documents(&user.actor, q.campaign)
        .await
        .or_page(&user)?;
    let documents = docs
        .iter()
        .filter(|d| {
            ids.contains(&d.drafting_unit_id) || d.issuer_unit_id.is_some_and(|i| ids.contains(&i))
        })
        .map(doc_item)
        .collect();
    let campaigns = state
        .app
        .campaigns_for(&user.actor)
        .await
        .or_page(&user)?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(render(DocumentsPage {
        nav: Nav::of(&user),
        can_draft: user.actor.can(&unit, Action::EditReport),
        unit: unit_item(&unit),
        campaigns,
        documents,
    }))
}

// ---- plan form ---------------------------------------------------------------------------

/// Section III as text: a block per assignment, "## heading [code, code]" then one item per line.
fn assignments_text(a: &[Assignment]) -> String {
    let mut out = String::new();
    for x in a {
        out.push_str("## ");
        out.push_str(x.heading.trim());
        if !x.unit_codes.is_empty() {
            out.push_str(&format!(" [{}]", x.unit_codes.join(", ")));
        }
        out.push('\n');
        for i in &x.items {
            out.push_str("- ");
            out.push_str(i.trim());
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

fn parse_assignments(text: &str) -> Vec<Assignment> {
    let mut out: Vec<Assignment> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(h) = line.strip_prefix("##") {
            let h = h.trim();
            let (heading, codes) = match (h.rfind('['), h.ends_with(']')) {
                (Some(i), true) => (
                    h[..i].trim().to_string(),
                    h[i + 1..h.len() - 1]
                        .split([',', ';', ' '])
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(str::to_string)
                        .collect(),
                ),
                _ => (h.to_string(), vec![]),
            };
            out.push(Assignment {
                heading,
                unit_codes: codes,
                ..Default::default()
            });
        } else {
            let item = line.trim_start_matches("- ").trim().to_string();
            match out.last_mut() {
                Some(a) => a.items.push(item),
                None => out.push(Assignment {
                    heading: String::new(),
                    items: vec![item],
                    ..Default::default()
                }),
            }
        }
    }
    out
}

struct PlanFields {
    subject: String,
    issuer_code: String,
    bases: String,
    intro: String,
    purpose: String,
    theme: String,
    start: String,
    end: String,
    time: String,
    place: String,
    form: String,
    participants: String,
    activities: String,
    assignments: String,
    closing: String,
    outside: String,
    appendices: String,
    /// Đơn vị khác trong cây — recipients deeper than the checkboxes, by code.
    other_units: String,
}

fn plan_fields(
    subject: &str,
    issuer_code: &str,
    c: &PlanContent,
    outside: &[String],
) -> PlanFields {
    PlanFields {
        subject: subject.to_string(),
        issuer_code: issuer_code.to_string(),
        bases: c.bases.join("\n"),
        intro: c.intro.clone(),
        purpose: c.purpose.join("\n"),
        theme: c.theme.clone(),
        start: c.start_date.map(|d| d.to_string()).unwrap_or_default(),
        end: c.end_date.map(|d| d.to_string()).unwrap_or_default(),
        time: c.time.clone(),
        place: c.place.clone(),
        form: c.form.clone(),
        participants: c.participants.clone(),
        activities: c.activities.join("\n"),
        assignments: assignments_text(&c.assignments),
        closing: c.closing.clone(),
        outside: outside.join("\n"),
        appendices: appendices_text(&c.appendices),
        other_units: String::new(),
    }
}

fn fields_of_form(f: &Fields) -> PlanFields {
    PlanFields {
        subject: field(f, "subject"),
        issuer_code: field(f, "issuer"),
        bases: field(f, "bases"),
        intro: field(f, "intro"),
        purpose: field(f, "purpose"),
        theme: field(f, "theme"),
        start: field(f, "start_date"),
        end: field(f, "end_date"),
        time: field(f, "time"),
        place: field(f, "place"),
        form: field(f, "form"),
        participants: field(f, "participants"),
        activities: field(f, "activities"),
        assignments: field(f, "assignments"),
        closing: field(f, "closing"),
        outside: field(f, "outside"),
        appendices: field(f, "appendices"),
        other_units: field(f, "other_units"),
    }
}

/// Phụ lục as the form writes them: «## Tiêu đề» then one item per line.
fn appendices_text(list: &[Appendix]) -> String {
    let mut out = Vec::new();
    for a in list {
        out.push(format!("## {}", a.title));
        out.extend(a.items.iter().cloned());
        out.push(String::new());
    }
    out.join("\n").trim_end().to_string()
}

/// Phụ lục from the form's text: a line «## Tiêu đề» opens an appendix, every other
/// non-empty line is one of its items (a slogan, a line of the outline).
fn parse_appendices(text: &str) -> Result<Vec<Appendix>, AppError> {
    let mut out: Vec<Appendix> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(title) = line.strip_prefix("##") {
            let title = title.trim();
            if title.is_empty() {
                return Err(AppError::invalid(
                    "Phụ lục",
                    format!("dòng {}: «##» cần có tiêu đề phụ lục", i + 1),
                ));
            }
            out.push(Appendix {
                title: title.to_string(),
                items: vec![],
            });
        } else {
            match out.last_mut() {
                Some(a) => a.items.push(line.trim_start_matches("- ").trim().to_string()),
                None => {
                    return Err(AppError::invalid(
                        "Phụ lục",
                        format!(
                            "dòng {}: bắt đầu mỗi phụ lục bằng «## Tiêu đề» (ví dụ «## Phụ lục 1. Khẩu hiệu tuyên truyền»)",
                            i + 1
                        ),
                    ))
                }
            }
        }
    }
    Ok(out)
}

/// The plan content a form describes (appendices kept from `keep` when the form has no
/// appendix field).
fn content_of_form(f: &Fields, keep: &PlanContent) -> Result<PlanContent, AppError> {
    Ok(PlanContent {
        bases: lines(&field(f, "bases")),
        intro: field(f, "intro"),
        purpose: lines(&field(f, "purpose")),
        theme: field(f, "theme"),
        start_date: date_field(f, "start_date", "Ngày bắt đầu")?,
        end_date: date_field(f, "end_date", "Ngày kết thúc")?,
        time: field(f, "time"),
        place: field(f, "place"),
        form: field(f, "form"),
        participants: field(f, "participants"),
        activities: lines(&field(f, "activities")),
        assignments: parse_assignments(&field(f, "assignments")),
        closing: field(f, "closing"),
        appendices: match f.get("appendices") {
            Some(text) => parse_appendices(text)?,
            None => keep.appendices.clone(),
        },
    })
}

fn recipients_of_form(f: &Fields) -> Vec<RecipientInput> {
    let mut r: Vec<RecipientInput> = ticked(f)
        .into_iter()
        .map(|c| RecipientInput {
            unit_code: Some(c),
            label: None,
        })
        .collect();
    r.extend(
        lines(&field(f, "outside"))
            .into_iter()
            .map(|l| RecipientInput {
                unit_code: None,
                label: Some(l),
            }),
    );
    r
}

#[derive(Template)]
#[template(path = "plans_form.html")]
struct PlanFormPage {
    nav: Option<Nav>,
    csrf: String,
    title: String,
    action: String,
    unit: UnitItem,
    parent: String,
    issuers: Vec<UnitItem>,
    area: Vec<AreaItem>,
    checked: Vec<String>,
    bases: Vec<BasisItem>,
    bases_checked: Vec<i64>,
    f: PlanFields,
    error: String,
    editing: bool,
}

async fn plan_form_page(
    state: &AppState,
    user: &PageUser,
    campaign_id: i64,
    code: &str,
    form: Option<(&Fields, String)>,
) -> Result<PlanFormPage, AppError> {
    let unit = state
        .app
        .visible_unit(&user.actor, user.actor.unit.tree_id, code)
        .await?;
    state.app.may_draft_for(&user.actor, &unit)?;
    let (parent, content) = state
        .app
        .prefill_plan(&user.actor, campaign_id, code)
        .await?;
    let (area, children) = area_units(state, &unit).await?;
    let mut issuers = vec![unit_item(&unit)];
    for u in std::iter::once(&area).chain(children.iter()) {
        if u.id != unit.id && (u.id == area.id || !is_administrative_type(&u.unit_type)) {
            issuers.push(unit_item(u));
        }
    }
    let parent_line = match &parent {
        Some(p) => format!(
            "Điền sẵn từ {} số {} ngày {} của {}",
            p.kind.name_vi(),
            p.number_text.clone().unwrap_or_default(),
            p.issued_on.map(date_vi).unwrap_or_default(),
            p.issuer_name
        ),
        None => "Cấp trên chưa ban hành kế hoạch trong tuanle: điền nội dung mới.".into(),
    };
    let default_issuer = children
        .iter()
        .find(|u| u.unit_type == "UBND")
        .filter(|_| !is_administrative_type(&unit.unit_type))
        .map(|u| u.code.clone())
        .unwrap_or_else(|| unit.code.clone());
    let bases_checked = form
        .as_ref()
        .map(|(f, _)| ticked_bases(f))
        .unwrap_or_default();
    let (f, checked, error) = match form {
        Some((f, error)) => (fields_of_form(f), ticked(f), error),
        None => (
            plan_fields(
                &parent
                    .as_ref()
                    .map(|p| p.subject.clone())
                    .unwrap_or_default(),
                &default_issuer,
                &content,
                &[],
            ),
            vec![],
            String::new(),
        ),
    };
    Ok(PlanFormPage {
        nav: Nav::of(user),
        csrf: user.csrf_token.clone(),
        title: format!("Soạn kế hoạch — {}", unit.name),
        action: format!(
            "/campaigns/{campaign_id}/plans/new/{}",
            url_part(&unit.code)
        ),
        unit: unit_item(&unit),
        parent: parent_line,
        issuers,
        area: recipient_choices(state, &children).await?,
        checked,
        bases: basis_choices(state, user, None).await?,
        bases_checked,
        f,
        error,
        editing: false,
    })
}

/// `GET /campaigns/{id}/plans/new/{code}` — the plan form prefilled from the parent level.
async fn new_plan(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    Ok(render(
        plan_form_page(&state, &user, id, &code, None)
            .await
            .or_page(&user)?,
    ))
}

/// `POST /campaigns/{id}/plans/new/{code}` — creates the draft.
async fn create_plan(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
    Form(f): Form<Fields>,
) -> Result<Response, PageError> {
    check(&user, &f)?;
    let result = async {
        let content = content_of_form(&f, &PlanContent::default())?;
        state
            .app
            .create_plan(
                &user.actor,
                PlanInput {
                    campaign_id: id,
                    drafting_unit_code: code.clone(),
                    issuer_unit_code: field(&f, "issuer"),
                    subject: field(&f, "subject"),
                    content: Some(content),
                    basis_document_ids: ticked_bases(&f),
                    recipients: recipients_of_form(&f),
                },
            )
            .await
    }
    .await;
    match result {
        Ok(v) => Ok(Redirect::to(&format!("/documents/{}", v.doc.id)).into_response()),
        Err(e) if is_form_error(&e) => {
            let status = refused(&e);
            let page = plan_form_page(&state, &user, id, &code, Some((&f, e.to_string())))
                .await
                .or_page(&user)?;
            Ok(render_with(status, page))
        }
        Err(e) => Err(e).or_page(&user),
    }
}

async fn edit_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    form: Option<(&Fields, String)>,
) -> Result<PlanFormPage, AppError> {
    let v = state.app.document(&user.actor, id).await?;
    state.app.may_draft_for(&user.actor, &v.drafting_unit)?;
    let content: PlanContent = serde_json::from_value(v.doc.body.clone()).unwrap_or_default();
    let issuer = v
        .issuer
        .as_ref()
        .map(|(u, _)| u.clone())
        .unwrap_or_else(|| v.drafting_unit.clone());
    let (_, children) = area_units(state, &issuer).await?;
    let bases_checked = form
        .as_ref()
        .map(|(f, _)| ticked_bases(f))
        .unwrap_or_default();
    let (f, checked, error) = match form {
        Some((f, e)) => (fields_of_form(f), ticked(f), e),
        None => {
            let outside: Vec<String> = v
                .recipients
                .iter()
                .filter(|r| r.unit_id.is_none())
                .map(|r| r.label.clone())
                .collect();
            // Recipients the boxes offer are ticked; deeper ones (chosen by code or through
            // the API) go to "Đơn vị khác trong cây", so that saving the form keeps them.
            let mut checked = Vec::new();
            let mut deeper = Vec::new();
            let mut offered = children.clone();
            for c in &children {
                offered.extend(state.app.store.children(c.id).await?);
            }
            for id in v.recipients.iter().filter_map(|r| r.unit_id) {
                match offered.iter().find(|c| c.id == id) {
                    Some(u) => checked.push(u.code.clone()),
                    None => deeper.extend(v.recipient_codes.get(&id).cloned()),
                }
            }
            let mut f = plan_fields(&v.doc.subject, &issuer.code, &content, &outside);
            f.other_units = deeper.join(", ");
            (f, checked, String::new())
        }
    };
    Ok(PlanFormPage {
        nav: Nav::of(user),
        csrf: user.csrf_token.clone(),
        title: format!("Sửa dự thảo — {}", v.doc.subject),
        action: format!("/documents/{id}/edit"),
        unit: unit_item(&v.drafting_unit),
        parent: format!("Phiên bản hiện tại: {}", v.doc.version),
        issuers: vec![unit_item(&issuer)],
        area: recipient_choices(state, &children).await?,
        checked,
        bases: basis_choices(state, user, Some(id)).await?,
        bases_checked,
        f,
        error,
        editing: true,
    })
}

/// `GET /documents/{id}/edit` — the draft in the plan form.
async fn edit_form(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    Ok(render(
        edit_page(&state, &user, id, None).await.or_page(&user)?,
    ))
}

/// `POST /documents/{id}/edit` — saves a new version of the draft.
async fn edit_save(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Result<Response, PageError> {
    check(&user, &f)?;
    let result = async {
        let current = state.app.document_record(&user.actor, id).await?;
        let keep: PlanContent = serde_json::from_value(current.body).unwrap_or_default();
        let mut content = content_of_form(&f, &keep)?;
        for line in state
            .app
            .basis_lines(&user.actor, &ticked_bases(&f))
            .await?
        {
            if !content.bases.contains(&line) {
                content.bases.push(line);
            }
        }
        state
            .app
            .edit_document(
                &user.actor,
                id,
                EditInput {
                    subject: Some(field(&f, "subject")),
                    content: Some(serde_json::to_value(content).unwrap_or_default()),
                    recipients: Some(recipients_of_form(&f)),
                    note: field(&f, "note"),
                },
            )
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}")).into_response()),
        Err(e) if is_form_error(&e) => {
            let status = refused(&e);
            let page = edit_page(&state, &user, id, Some((&f, e.to_string())))
                .await
                .or_page(&user)?;
            Ok(render_with(status, page))
        }
        Err(e) => Err(e).or_page(&user),
    }
}

// ---- a document ----------------------------------------------------------------------------

struct ConsultationItem {
    id: i64,
    deadline: String,
    summary: String,
    open: bool,
}

struct VersionItem {
    version: i64,
    status: String,
    note: String,
    who: String,
    at: String,
}

struct TaskItem {
    id: i64,
    unit: UnitItem,
    title: String,
    deadline: String,
    status: String,
    status_value: String,
    progress: i64,
    evidence: String,
    overdue: bool,
    document: String,
    can_update: bool,
    campaign: i64,
}

fn task_item(user: &PageUser, t: &TaskView, campaign: i64) -> TaskItem {
    TaskItem {
        id: t.task.id,
        unit: unit_item(&t.unit),
        title: t.task.title.replace("**", ""),
        deadline: t.task.deadline.map(date_vi).unwrap_or_else(|| "—".into()),
        status: t.task.status.label_vi().to_string(),
        status_value: t.task.status.as_str().to_string(),
        progress: t.task.progress,
        evidence: t.task.evidence.clone(),
        overdue: t.overdue,
        document: t.document_number.clone().unwrap_or_default(),
        can_update: user.actor.can(&t.unit, Action::EditReport),
        campaign,
    }
}

fn summary_text(c: &ConsultationView) -> String {
    let s = &c.summary;
    let mut parts = vec![format!("{} đơn vị", s.total)];
    if s.agreed > 0 {
        parts.push(format!("{} thống nhất", s.agreed));
    }
    if s.commented > 0 {
        parts.push(format!("{} có ý kiến", s.commented));
    }
    if s.silent > 0 {
        parts.push(format!("{} không có ý kiến (xem như thống nhất)", s.silent));
    }
    if s.pending > 0 {
        parts.push(format!("{} chưa trả lời", s.pending));
    }
    parts.join(" · ")
}

#[derive(Template)]
#[template(path = "plans_document.html")]
struct DocumentPage {
    nav: Option<Nav>,
    csrf: String,
    d: DocItem,
    drafting: UnitItem,
    issuer: Option<UnitItem>,
    campaign: Option<i64>,
    signer: String,
    recipients: Vec<String>,
    consultations: Vec<ConsultationItem>,
    related: Vec<DocItem>,
    versions: Vec<VersionItem>,
    tasks: Vec<TaskItem>,
    area: Vec<AreaItem>,
    today: String,
    is_plan: bool,
    external: bool,
    has_file: bool,
    can_draft: bool,
    can_issue: bool,
    needs_approval: bool,
    status: String,
    statuses: Vec<(String, String)>,
    error: String,
    /// Nội dung — the text of the document as printed (empty for external documents).
    preview: Vec<(&'static str, String)>,
}

async fn document_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: String,
) -> Result<DocumentPage, AppError> {
    let v: DocumentView = state.app.document(&user.actor, id).await?;
    let issuer_unit = v.issuer.as_ref().map(|(u, _)| u.clone());
    let versions = state
        .app
        .document_versions(&user.actor, id)
        .await?
        .into_iter()
        .rev()
        .map(|r| VersionItem {
            version: r.version,
            status: DocStatus::parse(&r.status)
                .map(|s| s.label_vi().to_string())
                .unwrap_or(r.status),
            note: r.note,
            who: r.username.unwrap_or_default(),
            at: r
                .created_at
                .chars()
                .take(16)
                .collect::<String>()
                .replace('T', " "),
        })
        .collect();
    let campaign = v.doc.campaign_id.unwrap_or(0);
    let tasks = state
        .app
        .document_tasks(&user.actor, id)
        .await?
        .iter()
        .map(|t| task_item(user, t, campaign))
        .collect();
    let (_, area) = area_units(state, &v.drafting_unit).await?;
    let issuer_id = issuer_unit.as_ref().map(|u| u.id);
    let signer = if v.doc.signer.name.trim().is_empty() {
        String::new()
    } else {
        let mut l = v.doc.signer.lines();
        l.push(v.doc.signer.name.clone());
        l.join(" / ")
    };
    Ok(DocumentPage {
        nav: Nav::of(user),
        csrf: user.csrf_token.clone(),
        d: doc_item(&v.doc),
        drafting: unit_item(&v.drafting_unit),
        issuer: issuer_unit.as_ref().map(unit_item),
        campaign: v.doc.campaign_id,
        signer,
        recipients: v.recipients.iter().map(|r| r.label.clone()).collect(),
        consultations: v
            .consultations
            .iter()
            .map(|c| ConsultationItem {
                id: c.record.id,
                deadline: date_vi(c.record.deadline),
                summary: summary_text(c),
                open: c.open,
            })
            .collect(),
        related: v.related.iter().map(doc_item).collect(),
        versions,
        tasks,
        area: recipient_choices(
            state,
            &area
                .iter()
                .filter(|u| u.id != v.drafting_unit.id && Some(u.id) != issuer_id)
                .cloned()
                .collect::<Vec<_>>(),
        )
        .await?,
        today: state.app.today().to_string(),
        is_plan: v.doc.kind == tuanle_domain::documents_register::DocKind::KeHoach,
        external: v.doc.external,
        has_file: v.doc.has_file,
        can_draft: user.actor.can(&v.drafting_unit, Action::EditReport),
        can_issue: issuer_unit
            .as_ref()
            .is_some_and(|u| user.actor.can(u, Action::EditReport)),
        needs_approval: issuer_id.is_some_and(|i| i != v.drafting_unit.id),
        status: v.doc.status.as_str().to_string(),
        statuses: task_statuses(),
        error,
        preview: if v.doc.external {
            Vec::new()
        } else {
            tuanle_app::plan_documents::preview(&v, state.app.today())
                .into_iter()
                .map(|l| (l.style.class(), l.text))
                .collect()
        },
    })
}

/// `GET /documents/{id}`
async fn document(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    Ok(render(
        document_page(&state, &user, id, String::new())
            .await
            .or_page(&user)?,
    ))
}

/// `GET /documents/{id}/document/{docx|pdf}`
async fn document_file(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, format)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let format = format_of(&format).or_page(&user)?;
    let doc = state
        .app
        .render_document(&user.actor, id, format)
        .await
        .or_page(&user)?;
    Ok(download(doc))
}

/// After a document action: back to the document, or the page again with the refusal.
async fn after_action<T>(
    state: &AppState,
    user: &PageUser,
    id: i64,
    result: Result<T, AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}")).into_response()),
        Err(e) if is_form_error(&e) || matches!(e, AppError::Forbidden(_)) => {
            let status = match &e {
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                e => refused(e),
            };
            let page = document_page(state, user, id, e.to_string())
                .await
                .or_page(user)?;
            Ok(render_with(status, page))
        }
        Err(e) => Err(e).or_page(user),
    }
}

fn letter_of(f: &Fields) -> LetterInput {
    LetterInput {
        subject: field(f, "letter_subject"),
        paragraphs: lines(&field(f, "paragraphs")),
        field: None,
        signer: signer_of(f),
        extra_recipients: lines(&field(f, "extra")),
    }
}

/// `POST /documents/{id}/consult` — units ticked, deadline, the letter.
async fn consult(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Result<Response, PageError> {
    check(&user, &f)?;
    let result = async {
        let deadline = date_field(&f, "deadline", "Hạn góp ý")?
            .ok_or_else(|| AppError::invalid("Hạn góp ý", "chưa chọn ngày"))?;
        let on = date_field(&f, "date", "Ngày công văn")?;
        state
            .app
            .start_consultation(&user.actor, id, &ticked(&f), deadline, letter_of(&f), on)
            .await
    }
    .await;
    after_action(&state, &user, id, result).await
}

/// `POST /documents/{id}/submit` — the tờ trình.
async fn submit(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Result<Response, PageError> {
    check(&user, &f)?;
    let result = async {
        let on = date_field(&f, "date", "Ngày tờ trình")?;
        state
            .app
            .submit_document(&user.actor, id, letter_of(&f), on)
            .await
    }
    .await;
    after_action(&state, &user, id, result).await
}

/// `POST /documents/{id}/review` — action=approve|return, comment.
async fn review(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Result<Response, PageError> {
    check(&user, &f)?;
    let approve = field(&f, "action") == "approve";
    let result = state
        .app
        .review_document(&user.actor, id, approve, &field(&f, "comment"))
        .await;
    after_action(&state, &user, id, result).await
}

/// `POST /documents/{id}/issue` — signer and date; the number is assigned.
async fn issue(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Result<Response, PageError> {
    check(&user, &f)?;
    let result = async {
        let on = date_field(&f, "date", "Ngày ban hành")?;
        state
            .app
            .issue_document(&user.actor, id, signer_of(&f), on)
            .await
    }
    .await;
    after_action(&state, &user, id, result).await
}

/// `POST /documents/{id}/distribute` — into the recipients' incoming registers.
async fn distribute(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Result<Response, PageError> {
    check(&user, &f)?;
    let result = async {
        let on = date_field(&f, "date", "Ngày gửi")?;
        state.app.distribute_document(&user.actor, id, on).await
    }
    .await;
    after_action(&state, &user, id, result).await
}

// ---- consultation ----------------------------------------------------------------------------

struct ReplyItem {
    unit: UnitItem,
    state: String,
    state_class: String,
    comment: String,
    answered: String,
    /// The attached file's name, when the unit sent one.
    file: String,
}

#[derive(Template)]
#[template(path = "plans_consultation.html")]
struct ConsultationPage {
    nav: Option<Nav>,
    csrf: String,
    id: i64,
    document: DocItem,
    letter: Option<DocItem>,
    deadline: String,
    open: bool,
    closed_at: String,
    summary: String,
    replies: Vec<ReplyItem>,
    answerable: Vec<UnitItem>,
    error: String,
}

async fn consultation_page(
    state: &AppState,
    user: &PageUser,
    id: i64,
    error: String,
) -> Result<ConsultationPage, AppError> {
    let c = state.app.consultation(&user.actor, id).await?;
    let doc = state
        .app
        .document_record(&user.actor, c.record.document_id)
        .await?;
    let letter = match c.record.letter_id {
        Some(l) => state.app.store.document(l).await?,
        None => None,
    };
    let replies: Vec<ReplyItem> = c
        .replies
        .iter()
        .map(|(u, r, st)| ReplyItem {
            unit: unit_item(u),
            state: st.label_vi().to_string(),
            state_class: st.as_str().to_string(),
            comment: r.comment.clone(),
            answered: r
                .answered_at
                .as_deref()
                .and_then(|t| NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok())
                .map(date_vi)
                .unwrap_or_default(),
            file: r.file_name.clone().unwrap_or_default(),
        })
        .collect();
    let answerable = c
        .replies
        .iter()
        .filter(|(u, _, st)| {
            c.open && *st == ReplyState::Pending && user.actor.can(u, Action::EditReport)
        })
        .map(|(u, _, _)| unit_item(u))
        .collect();
    Ok(ConsultationPage {
        nav: Nav::of(user),
        csrf: user.csrf_token.clone(),
        id,
        document: doc_item(&doc),
        letter: letter.as_ref().map(doc_item),
        deadline: date_vi(c.record.deadline),
        open: c.open,
        closed_at: c.record.closed_at.clone().unwrap_or_default(),
        summary: summary_text(&c),
        replies,
        answerable,
        error,
    })
}

/// `GET /consultations/{id}`
async fn consultation(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    Ok(render(
        consultation_page(&state, &user, id, String::new())
            .await
            .or_page(&user)?,
    ))
}

/// `POST /consultations/{id}/answer` — unit, agree=yes|no, comment, file (a PDF, optional;
/// multipart or url-encoded).
async fn answer(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    req: axum::extract::Request,
) -> Result<Response, PageError> {
    let (f, file) = match super::form_with_file(req).await {
        Ok(v) => v,
        Err(e) => {
            let page = consultation_page(&state, &user, id, e.to_string())
                .await
                .or_page(&user)?;
            return Ok(render_with(StatusCode::UNPROCESSABLE_ENTITY, page));
        }
    };
    check(&user, &f)?;
    let agree = field(&f, "agree") == "yes";
    let result = state
        .app
        .answer_consultation(
            &user.actor,
            id,
            &field(&f, "unit"),
            agree,
            &field(&f, "comment"),
            file,
        )
        .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/consultations/{id}")).into_response()),
        Err(e)
            if is_form_error(&e) || matches!(e, AppError::Forbidden(_) | AppError::BadFile(_)) =>
        {
            let status = match &e {
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                AppError::BadFile(_) => StatusCode::UNPROCESSABLE_ENTITY,
                e => refused(e),
            };
            let page = consultation_page(&state, &user, id, e.to_string())
                .await
                .or_page(&user)?;
            Ok(render_with(status, page))
        }
        Err(e) => Err(e).or_page(&user),
    }
}

/// `GET /consultations/{id}/replies/{code}/file` — the file a unit sent with its answer.
async fn reply_file(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let (name, bytes) = state
        .app
        .reply_file(&user.actor, id, &code)
        .await
        .or_page(&user)?;
    Ok(crate::api::plans::pdf_response(&name, bytes))
}

// ---- incoming register ---------------------------------------------------------------------

struct IncomingItem {
    id: i64,
    arrived_on: String,
    arrival_number: i64,
    author: String,
    number: String,
    date: String,
    kind_and_subject: String,
    handler: String,
    passed_on: String,
    note: String,
    document: i64,
}

#[derive(Template)]
#[template(path = "plans_incoming.html")]
struct IncomingPage {
    nav: Option<Nav>,
    csrf: String,
    unit: UnitItem,
    year: i64,
    rows: Vec<IncomingItem>,
    can_pass: bool,
}

#[derive(Deserialize)]
struct YearQuery {
    year: Option<i64>,
}

/// `GET /units/{code}/incoming?year=` — sổ văn bản đến, columns of Phụ lục IV.
async fn incoming(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, PageError> {
    let year = q
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&state.app.today()) as i64);
    let (unit, rows) = state
        .app
        .incoming_register(&user.actor, &code, year)
        .await
        .or_page(&user)?;
    let rows = rows
        .iter()
        .map(|r| IncomingItem {
            id: r.record.id,
            arrived_on: date_vi(r.record.arrived_on),
            arrival_number: r.record.arrival_number,
            author: r.doc.issuer_name.clone(),
            number: r.doc.number_text.clone().unwrap_or_default(),
            date: r.doc.issued_on.map(date_vi).unwrap_or_default(),
            kind_and_subject: format!("{} {}", r.doc.kind.name_vi(), r.doc.subject),
            handler: r.record.handler.clone(),
            passed_on: r.record.passed_on.map(date_vi).unwrap_or_default(),
            note: r.record.note.clone(),
            document: r.doc.id,
        })
        .collect();
    Ok(render(IncomingPage {
        nav: Nav::of(&user),
        csrf: user.csrf_token.clone(),
        can_pass: user.actor.can(&unit, Action::EditReport),
        unit: unit_item(&unit),
        year,
        rows,
    }))
}

/// `POST /incoming/{id}/pass` — handler; back to the register.
async fn pass_incoming(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Result<Response, PageError> {
    check(&user, &f)?;
    let r = state
        .app
        .pass_incoming(&user.actor, id, &field(&f, "handler"))
        .await
        .or_page(&user)?;
    let unit = state
        .app
        .store
        .unit(r.unit_id)
        .await
        .map_err(AppError::from)
        .or_page(&user)?
        .ok_or_else(|| AppError::NotFound("đơn vị".into()))
        .or_page(&user)?;
    Ok(Redirect::to(&format!(
        "/units/{}/incoming?year={}",
        url_part(&unit.code),
        r.year
    ))
    .into_response())
}

fn task_statuses() -> Vec<(String, String)> {
    TaskStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.label_vi().to_string()))
        .collect()
}

// ---- tasks -----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "plans_tasks.html")]
struct TasksPage {
    nav: Option<Nav>,
    csrf: String,
    unit: UnitItem,
    campaign: i64,
    tasks: Vec<TaskItem>,
    statuses: Vec<(String, String)>,
    overdue: usize,
    error: String,
}

async fn tasks_page(
    state: &AppState,
    user: &PageUser,
    campaign: i64,
    code: &str,
    error: String,
) -> Result<TasksPage, AppError> {
    let unit = state
        .app
        .visible_unit(&user.actor, user.actor.unit.tree_id, code)
        .await?;
    let tasks: Vec<TaskItem> = state
        .app
        .unit_tasks(&user.actor, Some(campaign), code)
        .await?
        .iter()
        .map(|t| task_item(user, t, campaign))
        .collect();
    Ok(TasksPage {
        nav: Nav::of(user),
        csrf: user.csrf_token.clone(),
        unit: unit_item(&unit),
        campaign,
        overdue: tasks.iter().filter(|t| t.overdue).count(),
        tasks,
        statuses: task_statuses(),
        error,
    })
}

/// `GET /campaigns/{id}/tasks/{code}` — the tasks of a unit and the units below it.
async fn tasks(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    Ok(render(
        tasks_page(&state, &user, id, &code, String::new())
            .await
            .or_page(&user)?,
    ))
}

/// `POST /tasks/{id}` — status, progress, evidence; back to the tasks page it came from.
async fn update_task(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> Result<Response, PageError> {
    check(&user, &f)?;
    let campaign: i64 = field(&f, "campaign").parse().unwrap_or(0);
    let back = field(&f, "back");
    let result = async {
        let status = TaskStatus::parse(&field(&f, "status"))
            .ok_or_else(|| AppError::invalid("Trạng thái", "không hợp lệ"))?;
        let progress = match field(&f, "progress") {
            p if p.is_empty() => None,
            p => Some(p.parse::<i64>().map_err(|_| {
                AppError::invalid("Tiến độ", format!("\"{p}\" không phải số phần trăm"))
            })?),
        };
        state
            .app
            .update_task(&user.actor, id, status, progress, &field(&f, "evidence"))
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(
            Redirect::to(&format!("/campaigns/{campaign}/tasks/{}", url_part(&back)))
                .into_response(),
        ),
        Err(e) if is_form_error(&e) => {
            let status = refused(&e);
            let page = tasks_page(&state, &user, campaign, &back, e.to_string())
                .await
                .or_page(&user)?;
            Ok(render_with(status, page))
        }
        Err(e) => Err(e).or_page(&user),
    }
}

// ---- cascade ---------------------------------------------------------------------------------

struct CascadeItem {
    unit: UnitItem,
    plan: Option<DocItem>,
    consultation: String,
    done: usize,
    open: usize,
    overdue: usize,
    total: usize,
    /// The distinct deadlines of the unit's tasks not yet done, earliest first (dd/mm/yyyy).
    deadlines: String,
}

#[derive(Template)]
#[template(path = "plans_cascade.html")]
struct CascadePage {
    nav: Option<Nav>,
    unit: UnitItem,
    campaign: i64,
    rows: Vec<CascadeItem>,
}

/// `GET /campaigns/{id}/cascade/{code}` — for every unit below: its plan, consultation
/// state and tasks done / open / overdue.
async fn cascade(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
) -> Result<Response, PageError> {
    let v = state
        .app
        .cascade(&user.actor, id, &code)
        .await
        .or_page(&user)?;
    let rows = v
        .rows
        .iter()
        .map(|r| CascadeItem {
            unit: unit_item(&r.unit),
            plan: r.plan.as_ref().map(doc_item),
            consultation: match &r.consultation {
                None => String::new(),
                Some((s, open)) => format!(
                    "{}{}",
                    if *open {
                        "Đang lấy ý kiến: "
                    } else {
                        "Đã xong: "
                    },
                    {
                        let mut p = vec![format!("{} thống nhất", s.agreed + s.silent)];
                        if s.silent > 0 {
                            p.push(format!("trong đó {} xem như thống nhất", s.silent));
                        }
                        if s.commented > 0 {
                            p.push(format!("{} có ý kiến", s.commented));
                        }
                        if s.pending > 0 {
                            p.push(format!("{} chưa trả lời", s.pending));
                        }
                        p.join(", ")
                    }
                ),
            },
            done: r.counts.done,
            open: r.counts.open,
            overdue: r.counts.overdue,
            total: r.counts.total,
            deadlines: open_deadlines(&r.tasks),
        })
        .collect();
    Ok(render(CascadePage {
        nav: Nav::of(&user),
        unit: unit_item(&v.unit),
        campaign: id,
        rows,
    }))
}

/// Hạn nhiệm vụ — the distinct deadlines of the tasks not yet done, earliest first, as
/// "12/10/2021, 15/10/2021"; empty when none has one.
fn open_deadlines(tasks: &[TaskView]) -> String {
    let dates: std::collections::BTreeSet<_> = tasks
        .iter()
        .filter(|t| t.task.status != TaskStatus::Done)
        .filter_map(|t| t.task.deadline)
        .collect();
    dates
        .into_iter()
        .map(date_vi)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_round_trip_through_text() {
        let a = vec![
            Assignment {
                heading: "Phòng Giáo dục và Đào tạo thành phố".into(),
                unit_codes: vec!["718-PHONGGDDT".into()],
                items: vec![
                    "Tham mưu.".into(),
                    "Báo cáo trước ngày **15/10/2021**.".into(),
                ],
                deadline: None,
            },
            Assignment {
                heading: "Ủy ban nhân dân 14 phường".into(),
                unit_codes: vec!["25741".into(), "25744".into()],
                items: vec!["Xây dựng kế hoạch.".into()],
                deadline: None,
            },
        ];
        assert_eq!(parse_assignments(&assignments_text(&a)), a);
    }
}
