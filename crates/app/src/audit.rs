//! Nhật ký thay đổi — reading the audit trail: who changed what, when, from which
//! address, before → after, within the reader's own scope; and its CSV export.
//!
//! Scope: a viewer reads no audit rows; a reporter reads the rows of the own unit; a
//! reviewer or administrator those of the whole subtree. Rows about no unit (templates,
//! unit trees, failed sign-ins) are read only by a national administrator.

use chrono::{NaiveDate, TimeZone, Utc};
use tuanle_domain::access::{Action, Role};
use tuanle_domain::audit::{action_label, diff, object_label, FieldChange};
use tuanle_domain::format::vietnam_offset;
use tuanle_store::{AuditEntry, AuditFilter};

use crate::{Actor, App, AppError, Result};

/// Rows per page of the audit trail, unless the caller asks for fewer or more.
pub const PAGE_SIZE: i64 = 100;
/// The most rows one page may hold.
pub const MAX_PAGE_SIZE: i64 = 1_000;
/// The most rows one CSV export holds; a larger trail is exported in date ranges.
pub const MAX_EXPORT_ROWS: usize = 100_000;

/// Bộ lọc nhật ký — the filters a person types (all optional, all text as typed).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AuditQuery {
    /// Mã đơn vị: rows of this unit and its subtree (or of the unit alone, `only_unit`).
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub only_unit: bool,
    /// Tên đăng nhập of who acted.
    #[serde(default)]
    pub user: Option<String>,
    /// Action code (`report_submit`, …).
    #[serde(default)]
    pub action: Option<String>,
    /// Object type (`report`, `document`, …).
    #[serde(default)]
    pub object: Option<String>,
    /// Object id (with `object`).
    #[serde(default)]
    pub object_id: Option<String>,
    /// Từ ngày, dd/mm/yyyy (or yyyy-mm-dd), Vietnam time, inclusive.
    #[serde(default)]
    pub from: Option<String>,
    /// Đến ngày, dd/mm/yyyy (or yyyy-mm-dd), Vietnam time, inclusive.
    #[serde(default)]
    pub to: Option<String>,
    /// Keyset paging: rows older than this id.
    #[serde(default)]
    pub before: Option<i64>,
    #[serde(default)]
    pub limit: Option<i64>,
}

/// Một dòng nhật ký as a person reads it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditView {
    pub id: i64,
    /// Stored instant, RFC 3339 UTC.
    pub at: String,
    /// Thời điểm in Vietnam time, "12/10/2021 14:05:09".
    pub at_vi: String,
    pub username: Option<String>,
    pub ip: Option<String>,
    pub action: String,
    pub action_label: String,
    pub object_type: String,
    pub object_label: String,
    pub object_id: String,
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The fields that changed, before → after.
    pub changes: Vec<FieldChange>,
}

/// A page of the audit trail, newest first.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AuditPage {
    pub entries: Vec<AuditView>,
    /// `before` of the next (older) page; `None` on the last page.
    pub next_before: Option<i64>,
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A date as people type it: "12/10/2021", "2/9/2021" or the browser's "2021-10-12".
fn parse_day(field: &str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .map_err(|_| {
            AppError::invalid(
                field,
                format!("\"{text}\" không phải ngày hợp lệ (dd/mm/yyyy)"),
            )
        })
}

/// The first instant of a Vietnamese calendar day, as stored text (UTC).
fn day_start_utc(d: NaiveDate) -> String {
    let local = vietnam_offset()
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
        .single()
        .expect("fixed offset");
    tuanle_store::time_text(local.with_timezone(&Utc))
}

fn view(e: AuditEntry) -> AuditView {
    let parse = |s: &Option<String>| {
        s.as_deref()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
    };
    let changes = diff(parse(&e.before).as_ref(), parse(&e.after).as_ref());
    let at_vi = tuanle_store::parse_time(&e.at)
        .map(|t| {
            t.with_timezone(&vietnam_offset())
                .format("%d/%m/%Y %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|_| e.at.clone());
    AuditView {
        id: e.id,
        at_vi,
        action_label: action_label(&e.action).to_string(),
        object_label: object_label(&e.object_type).to_string(),
        at: e.at,
        username: e.username,
        ip: e.ip,
        action: e.action,
        object_type: e.object_type,
        object_id: e.object_id,
        unit_code: e.unit_code,
        unit_name: e.unit_name,
        before: e.before,
        after: e.after,
        changes,
    }
}

impl App {
    /// The store filter for `q` as read by `actor`, refusing what lies outside the scope.
    async fn audit_filter(&self, actor: &Actor, q: &AuditQuery) -> Result<AuditFilter> {
        if actor.user.role == Role::Viewer {
            return Err(AppError::Forbidden(
                "Tài khoản chỉ xem không được đọc nhật ký thay đổi".into(),
            ));
        }
        let mut f = AuditFilter {
            username: non_empty(&q.user),
            action: non_empty(&q.action),
            object_type: non_empty(&q.object),
            object_id: non_empty(&q.object_id),
            before_id: q.before,
            limit: q.limit.unwrap_or(PAGE_SIZE).clamp(1, MAX_PAGE_SIZE),
            ..Default::default()
        };
        if f.object_id.is_some() && f.object_type.is_none() {
            return Err(AppError::invalid(
                "Mã đối tượng",
                "cần chọn cả loại đối tượng",
            ));
        }
        let from = non_empty(&q.from)
            .map(|t| parse_day("Từ ngày", &t))
            .transpose()?;
        let to = non_empty(&q.to)
            .map(|t| parse_day("Đến ngày", &t))
            .transpose()?;
        if let (Some(a), Some(b)) = (from, to) {
            if b < a {
                return Err(AppError::invalid(
                    "Đến ngày",
                    "không được trước \"Từ ngày\"",
                ));
            }
        }
        f.from = from.map(day_start_utc);
        f.until = to.and_then(|d| d.succ_opt()).map(day_start_utc);

        let target = match non_empty(&q.unit) {
            Some(code) => Some(
                self.store
                    .unit_by_code(actor.unit.tree_id, &code)
                    .await?
                    .ok_or_else(|| {
                        AppError::invalid("Đơn vị", format!("không có đơn vị mã \"{code}\""))
                    })?,
            ),
            None => None,
        };
        if let Some(t) = &target {
            actor.require(t, Action::View)?;
        }
        match actor.user.role {
            Role::Reporter => {
                // A reporter's scope is the own unit only, never the units below.
                if let Some(t) = &target {
                    if t.id != actor.unit.id {
                        return Err(AppError::Forbidden(format!(
                            "Bạn chỉ xem được nhật ký của đơn vị mình, không phải \"{}\"",
                            t.name
                        )));
                    }
                }
                f.unit_id = Some(actor.unit.id);
            }
            _ => match &target {
                Some(t) if q.only_unit => f.unit_id = Some(t.id),
                Some(t) => f.within_path = Some(t.path.clone()),
                None => {
                    f.within_path = Some(actor.unit.path.clone());
                    f.include_unitless = actor.is_national() && actor.user.role == Role::Admin;
                }
            },
        }
        Ok(f)
    }

    /// Nhật ký thay đổi: one page of the rows `actor` may read that match `q`, newest first.
    pub async fn audit_page(&self, actor: &Actor, q: &AuditQuery) -> Result<AuditPage> {
        let mut f = self.audit_filter(actor, q).await?;
        let wanted = f.limit;
        // One row more than asked tells whether an older page exists.
        f.limit = wanted + 1;
        let mut rows = self.store.audit_search(&f).await?;
        let more = rows.len() as i64 > wanted;
        rows.truncate(wanted as usize);
        let next_before = if more {
            rows.last().map(|r| r.id)
        } else {
            None
        };
        Ok(AuditPage {
            entries: rows.into_iter().map(view).collect(),
            next_before,
        })
    }

    /// Xuất nhật ký ra CSV: every row `actor` may read that matches `q` (paging ignored,
    /// at most [`MAX_EXPORT_ROWS`]), UTF-8 with a byte-order mark so that Excel reads
    /// the Vietnamese text, times in Vietnam time.
    pub async fn audit_csv(&self, actor: &Actor, q: &AuditQuery) -> Result<Vec<u8>> {
        let mut f = self.audit_filter(actor, q).await?;
        f.before_id = None;
        f.limit = 10_000;
        let mut out = Vec::from("\u{feff}".as_bytes());
        {
            let mut w = csv::Writer::from_writer(&mut out);
            let csv_err = |e: csv::Error| AppError::BadFile(format!("Không ghi được CSV: {e}"));
            w.write_record([
                "Thời điểm",
                "Người thực hiện",
                "Địa chỉ IP",
                "Thao tác",
                "Mã thao tác",
                "Đối tượng",
                "Mã đối tượng",
                "Mã đơn vị",
                "Đơn vị",
                "Trường thay đổi",
                "Trước",
                "Sau",
            ])
            .map_err(csv_err)?;
            let mut written = 0usize;
            'pages: loop {
                let rows = self.store.audit_search(&f).await?;
                let last = rows.last().map(|r| r.id);
                let full = rows.len() as i64 == f.limit;
                for e in rows {
                    if written == MAX_EXPORT_ROWS {
                        break 'pages;
                    }
                    let v = view(e);
                    let fields = v
                        .changes
                        .iter()
                        .map(|c| c.field.as_str())
                        .collect::<Vec<_>>()
                        .join(", ");
                    w.write_record([
                        v.at_vi.as_str(),
                        v.username.as_deref().unwrap_or(""),
                        v.ip.as_deref().unwrap_or(""),
                        v.action_label.as_str(),
                        v.action.as_str(),
                        v.object_label.as_str(),
                        v.object_id.as_str(),
                        v.unit_code.as_deref().unwrap_or(""),
                        v.unit_name.as_deref().unwrap_or(""),
                        fields.as_str(),
                        v.before.as_deref().unwrap_or(""),
                        v.after.as_deref().unwrap_or(""),
                    ])
                    .map_err(csv_err)?;
                    written += 1;
                }
                match last {
                    Some(id) if full => f.before_id = Some(id),
                    _ => break,
                }
            }
            w.flush()
                .map_err(|e| AppError::BadFile(format!("Không ghi được CSV: {e}")))?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_days_start_at_midnight_utc_plus_seven() {
        let d = parse_day("Từ ngày", "12/10/2021").unwrap();
        assert_eq!(day_start_utc(d), "2021-10-11T17:00:00.000000Z");
        assert_eq!(parse_day("Từ ngày", "2021-10-12").unwrap(), d);
        let e = parse_day("Đến ngày", "31/02/2021").unwrap_err().to_string();
        assert!(e.starts_with("Đến ngày:"), "{e}");
    }
}
