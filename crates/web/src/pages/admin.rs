//! Quản trị — accounts of the subtree, and new campaigns (national administrators).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use tuanle_app::users::NewUser;
use tuanle_app::AppError;
use tuanle_domain::access::Role;
use tuanle_domain::campaign::{Campaign, LevelDeadline};

use super::{render, render_with, Nav, OrPage, PageError};
use crate::auth::PageUser;
use crate::AppState;

struct UserRow {
    username: String,
    full_name: String,
    unit: String,
    role: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    nav: Option<Nav>,
    csrf: String,
    users: Vec<UserRow>,
    roles: Vec<(String, String)>,
    error: String,
    flash: String,
    form: UserForm,
}

#[derive(Deserialize, Default, Clone)]
pub struct UserForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    unit_code: String,
    #[serde(default)]
    role: String,
}

async fn users_page(
    state: &AppState,
    user: &PageUser,
    error: String,
    flash: String,
    form: UserForm,
) -> Result<UsersPage, AppError> {
    let users = state.app.users_for(&user.actor).await?;
    let mut rows = Vec::new();
    for u in users {
        let unit = state
            .app
            .store
            .unit(u.unit_id)
            .await?
            .map(|x| format!("{} ({})", x.name, x.code))
            .unwrap_or_default();
        rows.push(UserRow {
            username: u.username,
            full_name: u.full_name,
            unit,
            role: u.role.label_vi().into(),
        });
    }
    Ok(UsersPage {
        nav: Nav::of(user),
        csrf: user.csrf_token.clone(),
        users: rows,
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str().to_string(), r.label_vi().to_string()))
            .collect(),
        error,
        flash,
        form: UserForm {
            password: String::new(),
            ..form
        },
    })
}

/// `GET /admin/users`
pub async fn users(State(state): State<AppState>, user: PageUser) -> Result<Response, PageError> {
    Ok(render(
        users_page(
            &state,
            &user,
            String::new(),
            String::new(),
            UserForm::default(),
        )
        .await
        .or_page(&user)?,
    ))
}

/// `POST /admin/users`: adds an account in the administrator's subtree.
pub async fn add_user(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<UserForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf_token).or_page(&user)?;
    let role = Role::parse(&f.role);
    let result = match role {
        None => Err(AppError::invalid("Vai trò", "chưa chọn")),
        Some(role) => {
            let new = NewUser {
                username: f.username.trim().to_string(),
                full_name: f.full_name.clone(),
                email: Some(f.email.trim().to_string()).filter(|e| !e.is_empty()),
                password: f.password.clone(),
                unit_code: f.unit_code.trim().to_string(),
                role,
            };
            state
                .app
                .add_user(Some(&user.actor), user.actor.unit.tree_id, &new, true)
                .await
        }
    };
    match result {
        Ok(_) => {
            let p = users_page(
                &state,
                &user,
                String::new(),
                format!("Đã tạo tài khoản {}", f.username.trim()),
                UserForm::default(),
            )
            .await
            .or_page(&user)?;
            Ok(render(p))
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_) | AppError::Forbidden(_))) => {
            let status = crate::error::status_of(&e);
            let p = users_page(&state, &user, e.to_string(), String::new(), f)
                .await
                .or_page(&user)?;
            Ok(render_with(status, p))
        }
        Err(e) => Err(e).or_page(&user),
    }
}

#[derive(Template)]
#[template(path = "campaign_new.html")]
struct CampaignPage {
    nav: Option<Nav>,
    csrf: String,
    templates: Vec<(i64, String)>,
    error: String,
    form: CampaignForm,
}

#[derive(Deserialize, Clone)]
pub struct CampaignForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    themes: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    template_id: String,
    #[serde(default)]
    required_types: String,
    #[serde(default)]
    deadline_3: String,
    #[serde(default)]
    deadline_2: String,
    #[serde(default)]
    deadline_1: String,
}

impl Default for CampaignForm {
    fn default() -> Self {
        CampaignForm {
            csrf_token: String::new(),
            year: String::new(),
            name: String::new(),
            themes: String::new(),
            start_date: String::new(),
            end_date: String::new(),
            template_id: String::new(),
            required_types: "Thành phố Trung ương, Tỉnh, Quận, Huyện, Thị xã, Thành phố, Phường, Xã, Thị trấn, TTHTCĐ".into(),
            deadline_3: String::new(),
            deadline_2: String::new(),
            deadline_1: String::new(),
        }
    }
}

async fn campaign_page(
    state: &AppState,
    user: &PageUser,
    error: String,
    form: CampaignForm,
) -> Result<CampaignPage, AppError> {
    let templates = state
        .app
        .store
        .list_templates()
        .await?
        .into_iter()
        .map(|(id, code, v, name)| (id, format!("{name} ({code} v{v})")))
        .collect();
    Ok(CampaignPage {
        nav: Nav::of(user),
        csrf: user.csrf_token.clone(),
        templates,
        error,
        form,
    })
}

/// `GET /admin/campaigns/new`
pub async fn new_campaign(
    State(state): State<AppState>,
    user: PageUser,
) -> Result<Response, PageError> {
    // The form is for national administrators only, as its action is (access matrix test).
    if !(user.actor.user.role == Role::Admin && user.actor.is_national()) {
        return Err(PageError::new(
            Nav::of(&user),
            AppError::Forbidden("Chỉ quản trị cấp trung ương được tạo Tuần lễ".into()),
        ));
    }
    Ok(render(
        campaign_page(&state, &user, String::new(), CampaignForm::default())
            .await
            .or_page(&user)?,
    ))
}

/// Parses dd/mm/yyyy (or yyyy-mm-dd) naming the field on error.
fn date_field(field: &str, text: &str) -> Result<chrono::NaiveDate, AppError> {
    let t = text.trim();
    chrono::NaiveDate::parse_from_str(t, "%d/%m/%Y")
        .or_else(|_| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d"))
        .map_err(|_| AppError::invalid(field, format!("\"{t}\" không phải ngày dạng dd/mm/yyyy")))
}

fn parse_campaign(f: &CampaignForm, tree_id: i64) -> Result<Campaign, AppError> {
    let year: i32 = f.year.trim().parse().map_err(|_| {
        AppError::invalid("Năm", format!("\"{}\" không phải số năm", f.year.trim()))
    })?;
    let template_id: i64 = f
        .template_id
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("Mẫu tổng hợp", "chưa chọn"))?;
    let mut deadlines = Vec::new();
    for (level, text, field) in [
        (3, &f.deadline_3, "Hạn cấp xã"),
        (2, &f.deadline_2, "Hạn cấp huyện"),
        (1, &f.deadline_1, "Hạn cấp tỉnh"),
    ] {
        if !text.trim().is_empty() {
            deadlines.push(LevelDeadline {
                admin_level: level,
                deadline: date_field(field, text)?,
            });
        }
    }
    Ok(Campaign {
        id: 0,
        year,
        name: f.name.trim().to_string(),
        themes: f
            .themes
            .lines()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect(),
        start_date: date_field("Ngày bắt đầu", &f.start_date)?,
        end_date: date_field("Ngày kết thúc", &f.end_date)?,
        tree_id,
        template_id,
        required_types: f
            .required_types
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect(),
        deadlines,
    })
}

/// `POST /admin/campaigns`: creates a campaign (national administrators).
pub async fn create_campaign(
    State(state): State<AppState>,
    user: PageUser,
    Form(f): Form<CampaignForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf_token).or_page(&user)?;
    let result = match parse_campaign(&f, user.actor.unit.tree_id) {
        Ok(c) => state.app.create_campaign(Some(&user.actor), &c).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/").into_response()),
        Err(
            e @ (AppError::Invalid { .. }
            | AppError::Domain(_)
            | AppError::NotFound(_)
            | AppError::Forbidden(_)),
        ) => {
            let status = if matches!(e, AppError::Forbidden(_)) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let p = campaign_page(&state, &user, e.to_string(), f)
                .await
                .or_page(&user)?;
            Ok(render_with(status, p))
        }
        Err(e) => Err(e).or_page(&user),
    }
}
