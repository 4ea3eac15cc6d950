//! Tổng hợp — the consolidated table, drill-down by child, a chart, completeness and missing units.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use tuanle_domain::format::{date_vi, number_vi};
use tuanle_domain::report::Basis;
use tuanle_domain::template::RowKind;

use super::{render, url_part, Nav, OrPage, PageError};
use crate::auth::PageUser;
use crate::AppState;

struct SumRow {
    code: String,
    stt: String,
    label: String,
    uom: String,
    class: String,
    cells: Vec<(String, String, bool)>,
}

struct ChildRow {
    code: String,
    name: String,
    unit_type: String,
    status: String,
    status_class: String,
    progress: String,
    values: Vec<String>,
    chart_value: i64,
}

struct MissingVm {
    code: String,
    name: String,
    context: String,
    status: String,
}

struct Bar {
    y: i64,
    width: i64,
    label: String,
    value: String,
    text_x: i64,
}

#[derive(Template)]
#[template(path = "consolidation.html")]
struct ConsolidationPage {
    nav: Option<Nav>,
    campaign_id: i64,
    campaign_name: String,
    unit_code: String,
    unit_name: String,
    parent_code: String,
    basis: String,
    basis_label: String,
    other_basis: String,
    other_basis_label: String,
    deadline: String,
    expected: i64,
    submitted: i64,
    accepted: i64,
    on_time: i64,
    late: i64,
    missing_count: i64,
    missing_listed: bool,
    columns: Vec<String>,
    rows: Vec<SumRow>,
    matrix_heads: Vec<String>,
    children: Vec<ChildRow>,
    missing: Vec<MissingVm>,
    missing_more: i64,
    chart_options: Vec<(String, String, bool)>,
    chart_title: String,
    bars: Vec<Bar>,
    chart_height: i64,
    own_status: String,
}

#[derive(Deserialize)]
pub struct ConsolidationQuery {
    #[serde(default)]
    basis: Option<String>,
    /// Chart series: `row:column`.
    #[serde(default)]
    chart: Option<String>,
}

/// `GET /campaigns/{id}/consolidation/{code}?basis=submitted|accepted&chart=row:col`
pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
    Query(q): Query<ConsolidationQuery>,
) -> Result<Response, PageError> {
    let basis = q
        .basis
        .as_deref()
        .and_then(Basis::parse)
        .unwrap_or_default();
    let v = state
        .app
        .consolidation(&user.actor, id, &code, basis)
        .await
        .or_page(&user)?;
    let t = &v.template;
    let ncols = t.columns.len();
    let mut slots: Vec<(String, String, usize)> = Vec::new();
    let rows = t
        .indicators
        .iter()
        .enumerate()
        .map(|(ri, ind)| {
            let class = match ind.kind {
                RowKind::Group | RowKind::Total { .. } => "group",
                _ => "",
            };
            let cells = t
                .columns
                .iter()
                .enumerate()
                .map(|(ci, col)| {
                    let present = ind.columns.contains(&col.key);
                    if present {
                        slots.push((ind.code.clone(), col.key.clone(), ri * ncols + ci));
                    }
                    let value = if present {
                        number_vi(v.totals.get(ri * ncols + ci))
                    } else {
                        String::new()
                    };
                    (format!("sum:{}:{}", ind.code, col.key), value, present)
                })
                .collect();
            SumRow {
                code: ind.code.clone(),
                stt: ind.stt.clone(),
                label: ind.label.clone(),
                uom: ind.unit.clone(),
                class: class.into(),
                cells,
            }
        })
        .collect();
    let chart_key = q
        .chart
        .clone()
        .filter(|c| slots.iter().any(|(r, k, _)| format!("{r}:{k}") == *c))
        .unwrap_or_else(|| {
            slots
                .iter()
                .find(|(r, k, _)| r == "1.0" && k == "people")
                .or(slots.first())
                .map(|(r, k, _)| format!("{r}:{k}"))
                .unwrap_or_default()
        });
    let chart_slot = slots
        .iter()
        .find(|(r, k, _)| format!("{r}:{k}") == chart_key)
        .map(|s| s.2);
    let col_label = |key: &str| {
        t.columns
            .iter()
            .find(|c| c.key == key)
            .map(|c| c.label.clone())
            .unwrap_or_default()
    };
    let chart_options: Vec<(String, String, bool)> = slots
        .iter()
        .map(|(r, k, _)| {
            let ind = t.indicator(r).expect("slot row exists");
            let label: String = ind.label.chars().take(50).collect();
            let key = format!("{r}:{k}");
            (
                key.clone(),
                format!("{r} · {label} · {}", col_label(k)),
                key == chart_key,
            )
        })
        .collect();
    let chart_title = chart_options
        .iter()
        .find(|o| o.2)
        .map(|o| o.1.clone())
        .unwrap_or_default();
    let children: Vec<ChildRow> = v
        .children
        .iter()
        .map(|c| {
            let (status, status_class) = match &c.own {
                Some(r) => (
                    r.status.label_vi().to_string(),
                    r.status.as_str().to_string(),
                ),
                None => ("Chưa có báo cáo".into(), "none".into()),
            };
            ChildRow {
                code: c.unit.code.clone(),
                name: c.unit.name.clone(),
                unit_type: c.unit.unit_type.clone(),
                status,
                status_class,
                progress: if c.expected > 0 {
                    format!("{}/{}", c.submitted, c.expected)
                } else {
                    "—".into()
                },
                values: slots
                    .iter()
                    .map(|(_, _, s)| number_vi(c.totals.get(*s)))
                    .collect(),
                chart_value: chart_slot.map(|s| c.totals.get(s)).unwrap_or(0),
            }
        })
        .collect();
    let max = children
        .iter()
        .map(|c| c.chart_value)
        .max()
        .unwrap_or(0)
        .max(1);
    let bars: Vec<Bar> = children
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let width = (c.chart_value * 360) / max;
            let label: String = c.name.chars().take(28).collect();
            Bar {
                y: i as i64 * 22,
                width,
                label,
                value: number_vi(c.chart_value),
                text_x: 190 + width + 4,
            }
        })
        .collect();
    let parent_code = match v.unit.parent_id {
        Some(pid) => state
            .app
            .store
            .unit(pid)
            .await
            .map_err(Into::into)
            .or_page(&user)?
            .map(|u| u.code)
            .unwrap_or_default(),
        None => String::new(),
    };
    let other = if basis == Basis::Submitted {
        Basis::Accepted
    } else {
        Basis::Submitted
    };
    let shown = v.missing.as_ref().map(|m| m.len() as i64).unwrap_or(0);
    Ok(render(ConsolidationPage {
        nav: Nav::of(&user),
        campaign_id: v.campaign.id,
        campaign_name: v.campaign.name.clone(),
        unit_code: v.unit.code.clone(),
        unit_name: v.unit.name.clone(),
        parent_code: if user.actor.can(&v.unit, tuanle_domain::access::Action::View)
            && v.unit.id != user.actor.unit.id
        {
            parent_code
        } else {
            String::new()
        },
        basis: basis.as_str().into(),
        basis_label: basis.label_vi().into(),
        other_basis: other.as_str().into(),
        other_basis_label: other.label_vi().into(),
        deadline: v
            .campaign
            .deadline_for(v.unit.admin_level)
            .map(date_vi)
            .unwrap_or_else(|| "—".into()),
        expected: v.completeness.expected,
        submitted: v.completeness.submitted,
        accepted: v.completeness.accepted,
        on_time: v.completeness.on_time,
        late: v.completeness.late,
        missing_count: v.completeness.missing_count,
        columns: t.columns.iter().map(|c| c.label.clone()).collect(),
        rows,
        matrix_heads: slots
            .iter()
            .map(|(r, k, _)| format!("{r} {}", col_label(k)))
            .collect(),
        chart_height: (children.len() as i64 * 22).max(22),
        children,
        missing_listed: v.missing.is_some(),
        missing: v
            .missing
            .iter()
            .flatten()
            .map(|m| MissingVm {
                code: url_part(&m.unit.code),
                name: m.unit.name.clone(),
                context: m.context.clone(),
                status: m
                    .status
                    .map(|s| s.label_vi())
                    .unwrap_or("Chưa có báo cáo")
                    .to_string(),
            })
            .collect(),
        missing_more: if v.missing.is_some() {
            v.completeness.missing_count - shown
        } else {
            0
        },
        chart_options,
        chart_title,
        bars,
        own_status: v
            .own
            .as_ref()
            .map(|r| r.status.label_vi())
            .unwrap_or("Chưa có báo cáo")
            .to_string(),
    }))
}

struct MissingPageRow {
    code: String,
    name: String,
    context: String,
    status: String,
}

#[derive(Template)]
#[template(path = "missing.html")]
struct MissingPage {
    nav: Option<Nav>,
    campaign_id: i64,
    unit_code: String,
    total: i64,
    page: i64,
    pages: i64,
    rows: Vec<MissingPageRow>,
}

/// Rows per page of the missing list.
const MISSING_PAGE: i64 = 200;

#[derive(Deserialize)]
pub struct MissingQuery {
    #[serde(default)]
    page: Option<i64>,
}

/// `GET /campaigns/{id}/missing/{code}?page=N`: required units without a report, paged.
pub async fn missing(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, code)): Path<(i64, String)>,
    Query(q): Query<MissingQuery>,
) -> Result<Response, PageError> {
    let page = q.page.unwrap_or(1).max(1);
    let (rows, total) = state
        .app
        .missing_units(
            &user.actor,
            id,
            &code,
            MISSING_PAGE,
            (page - 1) * MISSING_PAGE,
        )
        .await
        .or_page(&user)?;
    Ok(render(MissingPage {
        nav: Nav::of(&user),
        campaign_id: id,
        unit_code: url_part(&code),
        total,
        page,
        pages: (total + MISSING_PAGE - 1) / MISSING_PAGE,
        rows: rows
            .into_iter()
            .map(|m| MissingPageRow {
                code: url_part(&m.unit.code),
                name: m.unit.name,
                context: m.context,
                status: m
                    .status
                    .map(|s| s.label_vi())
                    .unwrap_or("Chưa có báo cáo")
                    .to_string(),
            })
            .collect(),
    }))
}
