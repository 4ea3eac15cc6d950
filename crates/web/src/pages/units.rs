//! Đơn vị — search by name (with or without diacritics), a unit's page, adding bodies.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use tuanle_app::units::NewBody;
use tuanle_app::AppError;
use tuanle_domain::access::Action;
use tuanle_domain::unit::{Unit, BODY_TYPES};

use super::{render, render_with, url_part, Nav, OrPage, PageError};
use crate::auth::PageUser;
use crate::AppState;

struct UnitVm {
    code: String,
    link: String,
    name: String,
    unit_type: String,
}

fn vm(u: &Unit) -> UnitVm {
    UnitVm {
        link: url_part(&u.code),
        code: u.code.clone(),
        name: u.name.clone(),
        unit_type: u.unit_type.clone(),
    }
}

#[derive(Template)]
#[template(path = "units.html")]
struct SearchPage {
    nav: Option<Nav>,
    q: String,
    results: Vec<UnitVm>,
    home: UnitVm,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// `GET /units?q=`
pub async fn search(
    State(state): State<AppState>,
    user: PageUser,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let results = if q.q.trim().is_empty() {
        vec![]
    } else {
        state
            .app
            .search_units(&user.actor, &q.q, 50)
            .await
            .or_page(&user)?
    };
    Ok(render(SearchPage {
        nav: Nav::of(&user),
        q: q.q.clone(),
        results: results.iter().map(vm).collect(),
        home: vm(&user.actor.unit),
    }))
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    nav: Option<Nav>,
    csrf: String,
    unit: UnitVm,
    lineage: Vec<UnitVm>,
    children: Vec<UnitVm>,
    can_admin: bool,
    body_types: Vec<String>,
    error: String,
    form_name: String,
    form_code: String,
    campaigns: Vec<(i64, String)>,
}

async fn unit_page(
    state: &AppState,
    user: &PageUser,
    code: &str,
    error: String,
    form: Option<&BodyForm>,
) -> Result<UnitPage, AppError> {
    let unit = state
        .app
        .visible_unit(&user.actor, user.actor.unit.tree_id, code)
        .await?;
    let lineage = state
        .app
        .lineage(&unit)
        .await?
        .iter()
        .filter(|u| user.actor.can(u, Action::View))
        .map(vm)
        .collect();
    let children = state
        .app
        .store
        .children(unit.id)
        .await?
        .iter()
        .map(vm)
        .collect();
    let campaigns = state
        .app
        .campaigns_for(&user.actor)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    Ok(UnitPage {
        nav: Nav::of(user),
        csrf: user.csrf_token.clone(),
        can_admin: user.actor.can(&unit, Action::Administer),
        unit: vm(&unit),
        lineage,
        children,
        body_types: BODY_TYPES.iter().map(|s| s.to_string()).collect(),
        error,
        form_name: form.map(|f| f.name.clone()).unwrap_or_default(),
        form_code: form.map(|f| f.code.clone()).unwrap_or_default(),
        campaigns,
    })
}

/// `GET /units/{code}`
pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    Ok(render(
        unit_page(&state, &user, &code, String::new(), None)
            .await
            .or_page(&user)?,
    ))
}

#[derive(Deserialize)]
pub struct BodyForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    unit_type: String,
}

/// `POST /units/{code}/bodies`: adds a body (UBND, Phòng GDĐT, TTHTCĐ, school…) under the unit.
pub async fn add_body(
    State(state): State<AppState>,
    user: PageUser,
    Path(code): Path<String>,
    Form(f): Form<BodyForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf_token).or_page(&user)?;
    let body = NewBody {
        parent_code: code.clone(),
        code: Some(f.code.clone()),
        name: f.name.clone(),
        unit_type: f.unit_type.clone(),
    };
    match state
        .app
        .add_body(&user.actor, user.actor.unit.tree_id, &body)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/units/{}", url_part(&code))).into_response()),
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let status = crate::error::status_of(&e);
            let p = unit_page(&state, &user, &code, e.to_string(), Some(&f))
                .await
                .or_page(&user)?;
            Ok(render_with(
                if status == StatusCode::CONFLICT {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                },
                p,
            ))
        }
        Err(e) => Err(e).or_page(&user),
    }
}
