//! Trang chính — the user's campaigns with their own report and consolidation.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use tuanle_domain::format::date_vi;

use super::{render, Nav, OrPage, PageError};
use crate::auth::PageUser;
use crate::AppState;

struct CampaignItem {
    id: i64,
    name: String,
    themes: Vec<String>,
    dates: String,
    deadline: String,
    status: String,
    status_class: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    nav: Option<Nav>,
    unit_code: String,
    unit_name: String,
    role: String,
    campaigns: Vec<CampaignItem>,
    national_admin: bool,
}

/// `GET /`
pub async fn show(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    let a = &user.actor;
    let mut items = Vec::new();
    for c in state.app.campaigns_for(a).await.or_page(&user)? {
        let report = state
            .app
            .store
            .report(c.id, a.unit.id)
            .await
            .map_err(Into::into)
            .or_page(&user)?;
        let (status, status_class) = match &report {
            Some(r) => (
                r.row.status.label_vi().to_string(),
                r.row.status.as_str().to_string(),
            ),
            None => ("Chưa có báo cáo".to_string(), "none".to_string()),
        };
        items.push(CampaignItem {
            id: c.id,
            name: c.name.clone(),
            themes: c.themes.clone(),
            dates: format!("{} – {}", date_vi(c.start_date), date_vi(c.end_date)),
            deadline: c
                .deadline_for(a.unit.admin_level)
                .map(date_vi)
                .unwrap_or_else(|| "—".into()),
            status,
            status_class,
        });
    }
    Ok(render(Dashboard {
        nav: Nav::of(&user),
        unit_code: a.unit.code.clone(),
        unit_name: a.unit.name.clone(),
        role: a.user.role.label_vi().to_string(),
        campaigns: items,
        national_admin: a.is_national() && a.user.role == tuanle_domain::access::Role::Admin,
    }))
}
