//! Nhật ký thay đổi — the audit trail page and its CSV export.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use tuanle_app::audit::{AuditQuery, AuditView};
use tuanle_app::AppError;
use tuanle_domain::audit::{action_label, object_label, ACTION_CODES, OBJECT_CODES};

use super::{render, url_part, Nav, OrPage, PageError};
use crate::api::workbooks::download;
use crate::auth::PageUser;
use crate::error::message_of;
use crate::AppState;

pub fn routes() -> Vec<super::PageRoute> {
    vec![("/audit", get(show)), ("/audit.csv", get(export))]
}

/// The filter form as the browser sends it: every field text, empty when left blank.
#[derive(Debug, Default, Deserialize)]
pub struct AuditForm {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    only_unit: Option<String>,
    #[serde(default)]
    user: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    object: String,
    #[serde(default)]
    object_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    before: String,
    /// Số dòng mỗi trang.
    #[serde(default)]
    limit: String,
}

fn some(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl AuditForm {
    fn query(&self) -> Result<AuditQuery, AppError> {
        let before = match some(&self.before) {
            Some(t) => Some(
                t.parse::<i64>()
                    .map_err(|_| AppError::invalid("Trang", format!("\"{t}\" không phải số")))?,
            ),
            None => None,
        };
        let limit = match some(&self.limit) {
            Some(t) => Some(t.parse::<i64>().map_err(|_| {
                AppError::invalid("Số dòng mỗi trang", format!("\"{t}\" không phải số"))
            })?),
            None => None,
        };
        Ok(AuditQuery {
            unit: some(&self.unit),
            only_unit: self.only_unit.is_some(),
            user: some(&self.user),
            action: some(&self.action),
            object: some(&self.object),
            object_id: some(&self.object_id),
            from: some(&self.from),
            to: some(&self.to),
            before,
            limit,
        })
    }

    /// The filters as a query string (without the page), for the CSV and next-page links.
    fn query_string(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("unit", &self.unit),
            ("user", &self.user),
            ("action", &self.action),
            ("object", &self.object),
            ("object_id", &self.object_id),
            ("from", &self.from),
            ("to", &self.to),
            ("limit", &self.limit),
        ] {
            if !v.trim().is_empty() {
                parts.push(format!("{k}={}", url_part(v.trim())));
            }
        }
        if self.only_unit.is_some() {
            parts.push("only_unit=1".into());
        }
        parts.join("&")
    }
}

/// A choice of a filter list: code, label, whether chosen.
pub struct Choice {
    code: String,
    label: String,
    selected: bool,
}

fn choices(codes: &[&str], label: fn(&str) -> &str, chosen: &str) -> Vec<Choice> {
    codes
        .iter()
        .map(|c| Choice {
            code: c.to_string(),
            label: label(c).to_string(),
            selected: *c == chosen.trim(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPageView {
    nav: Option<Nav>,
    form: AuditForm,
    only_unit: bool,
    actions: Vec<Choice>,
    sizes: Vec<Choice>,
    objects: Vec<Choice>,
    entries: Vec<AuditView>,
    /// Link of the next (older) page, "" on the last page.
    next_link: String,
    csv_link: String,
    /// Scope line: "Nhật ký của … và các đơn vị trực thuộc".
    scope: String,
    error: String,
}

/// `GET /audit`: the filters, one page of rows (newest first) and a link to the next page.
async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Query(form): Query<AuditForm>,
) -> Result<Response, PageError> {
    if user.actor.user.role == tuanle_domain::access::Role::Viewer {
        return Err(AppError::Forbidden(
            "Tài khoản chỉ xem không được đọc nhật ký thay đổi".into(),
        ))
        .or_page(&user);
    }
    let qs = form.query_string();
    let result = match form.query() {
        Ok(q) => state.app.audit_page(&user.actor, &q).await,
        Err(e) => Err(e),
    };
    let (entries, next_link, error) = match result {
        Ok(page) => {
            let next = page
                .next_before
                .map(|b| {
                    if qs.is_empty() {
                        format!("/audit?before={b}")
                    } else {
                        format!("/audit?{qs}&before={b}")
                    }
                })
                .unwrap_or_default();
            (page.entries, next, String::new())
        }
        // Outside the scope is refused as a page; a wrong filter is shown on the form.
        Err(e @ AppError::Forbidden(_)) => return Err(e).or_page(&user),
        Err(e) => (Vec::new(), String::new(), message_of(&e)),
    };
    let scope = match user.actor.user.role {
        tuanle_domain::access::Role::Reporter => format!("Nhật ký của {}", user.actor.unit.name),
        _ => format!(
            "Nhật ký của {} và các đơn vị trực thuộc",
            user.actor.unit.name
        ),
    };
    Ok(render(AuditPageView {
        nav: Nav::of(&user),
        only_unit: form.only_unit.is_some(),
        actions: choices(ACTION_CODES, action_label, &form.action),
        objects: choices(OBJECT_CODES, object_label, &form.object),
        sizes: choices(&["50", "100", "500", "1000"], |s| s, &form.limit),
        csv_link: if qs.is_empty() {
            "/audit.csv".into()
        } else {
            format!("/audit.csv?{qs}")
        },
        form,
        entries,
        next_link,
        scope,
        error,
    }))
}

/// `GET /audit.csv`: every row matching the filters, as CSV for Excel.
async fn export(
    State(state): State<AppState>,
    user: PageUser,
    Query(form): Query<AuditForm>,
) -> Result<Response, PageError> {
    let q = form.query().or_page(&user)?;
    let bytes = state.app.audit_csv(&user.actor, &q).await.or_page(&user)?;
    Ok(download(
        "nhat-ky-thay-doi.csv",
        "text/csv; charset=utf-8",
        bytes,
    ))
}
