//! Nhật ký thay đổi — the audit trail, read-only.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use tuanle_app::audit::{AuditPage, AuditQuery, AuditView};
use utoipa::{IntoParams, ToSchema};

use super::workbooks::download;
use super::{ApiQuery, ApiResult};
use crate::auth::ApiUser;
use crate::error::ErrorBody;
use crate::AppState;

/// Bộ lọc nhật ký. Mọi điều kiện đã cho đều phải đúng.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Mã đơn vị: dòng của đơn vị này và cây con của nó (trong phạm vi người gọi).
    pub unit: Option<String>,
    /// `true`: chỉ đơn vị `unit`, không gồm cấp dưới.
    pub only_unit: Option<bool>,
    /// Tên đăng nhập của người thực hiện.
    pub user: Option<String>,
    /// Mã thao tác, ví dụ `report_submit`.
    pub action: Option<String>,
    /// Loại đối tượng, ví dụ `report`, `document`.
    pub object: Option<String>,
    /// Mã đối tượng (cùng với `object`).
    pub object_id: Option<String>,
    /// Từ ngày (giờ Việt Nam), `dd/mm/yyyy` hoặc `yyyy-mm-dd`.
    pub from: Option<String>,
    /// Đến ngày, kể cả ngày đó.
    pub to: Option<String>,
    /// Trang sau: các dòng có mã nhỏ hơn (lấy từ `next_before`).
    pub before: Option<i64>,
    /// Số dòng mỗi trang (1–1000, mặc định 100).
    pub limit: Option<i64>,
}

impl From<AuditParams> for AuditQuery {
    fn from(p: AuditParams) -> AuditQuery {
        AuditQuery {
            unit: p.unit,
            only_unit: p.only_unit.unwrap_or(false),
            user: p.user,
            action: p.action,
            object: p.object,
            object_id: p.object_id,
            from: p.from,
            to: p.to,
            before: p.before,
            limit: p.limit,
        }
    }
}

/// Một trường thay đổi: trước → sau (`null`: không có ở phía đó).
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChangeDto {
    #[schema(example = "values.D12")]
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Một dòng nhật ký.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryDto {
    pub id: i64,
    /// Thời điểm (UTC, RFC 3339).
    pub at: String,
    /// Thời điểm theo giờ Việt Nam, `dd/mm/yyyy HH:MM:SS`.
    #[schema(example = "12/10/2021 14:05:09")]
    pub at_vi: String,
    pub username: Option<String>,
    pub ip: Option<String>,
    #[schema(example = "report_submit")]
    pub action: String,
    #[schema(example = "Gửi báo cáo")]
    pub action_label: String,
    #[schema(example = "report")]
    pub object_type: String,
    pub object_label: String,
    pub object_id: String,
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
    /// Trạng thái trước (JSON như đã ghi).
    pub before: Option<String>,
    /// Trạng thái sau (JSON như đã ghi).
    pub after: Option<String>,
    pub changes: Vec<FieldChangeDto>,
}

impl From<AuditView> for AuditEntryDto {
    fn from(v: AuditView) -> AuditEntryDto {
        AuditEntryDto {
            id: v.id,
            at: v.at,
            at_vi: v.at_vi,
            username: v.username,
            ip: v.ip,
            action: v.action,
            action_label: v.action_label,
            object_type: v.object_type,
            object_label: v.object_label,
            object_id: v.object_id,
            unit_code: v.unit_code,
            unit_name: v.unit_name,
            before: v.before,
            after: v.after,
            changes: v
                .changes
                .into_iter()
                .map(|c| FieldChangeDto {
                    field: c.field,
                    before: c.before,
                    after: c.after,
                })
                .collect(),
        }
    }
}

/// Một trang nhật ký, mới nhất trước.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPageDto {
    pub entries: Vec<AuditEntryDto>,
    /// Giá trị `before` của trang sau; `null` ở trang cuối.
    pub next_before: Option<i64>,
}

impl From<AuditPage> for AuditPageDto {
    fn from(p: AuditPage) -> AuditPageDto {
        AuditPageDto {
            entries: p.entries.into_iter().map(Into::into).collect(),
            next_before: p.next_before,
        }
    }
}

/// Nhật ký thay đổi
///
/// Ai đã thay đổi gì, lúc nào, từ địa chỉ nào, trước → sau. Báo cáo viên xem nhật ký
/// của đơn vị mình; người duyệt và quản trị xem cả cây con; tài khoản chỉ xem không
/// được đọc nhật ký. Nhật ký chỉ được ghi thêm, không sửa, không xóa.
#[utoipa::path(
    get,
    path = "/v1/audit",
    tag = "audit",
    params(AuditParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Một trang nhật ký", body = AuditPageDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Tài khoản chỉ xem, hoặc đơn vị ngoài phạm vi", body = ErrorBody),
        (status = 422, description = "Bộ lọc không hợp lệ (ngày, đơn vị)", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"])))
)]
pub async fn audit_log(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AuditParams>,
) -> ApiResult<Json<AuditPageDto>> {
    let page = state.app.audit_page(&actor, &q.into()).await?;
    Ok(Json(page.into()))
}

/// Xuất nhật ký (CSV)
///
/// Mọi dòng khớp bộ lọc (bỏ qua `before`, `limit`; tối đa 100.000 dòng), UTF-8 có BOM
/// để Excel đọc đúng tiếng Việt, thời điểm theo giờ Việt Nam.
#[utoipa::path(
    get,
    path = "/v1/audit/csv",
    tag = "audit",
    params(AuditParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "CSV", content((String = "text/csv"))),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Tài khoản chỉ xem, hoặc đơn vị ngoài phạm vi", body = ErrorBody),
        (status = 422, description = "Bộ lọc không hợp lệ (ngày, đơn vị)", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"])))
)]
pub async fn audit_csv(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<AuditParams>,
) -> ApiResult<Response> {
    let bytes = state.app.audit_csv(&actor, &q.into()).await?;
    Ok(download(
        "nhat-ky-thay-doi.csv",
        "text/csv; charset=utf-8",
        bytes,
    ))
}
