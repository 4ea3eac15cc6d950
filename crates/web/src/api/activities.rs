//! Hoạt động Tuần lễ (đăng ký, sửa, công khai, kết quả, ảnh), lịch công khai dạng JSON
//! (không cần đăng nhập), thông báo trong ứng dụng và lựa chọn nhận thư.

use std::collections::BTreeMap;

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use tuanle_app::activities::{ActivitySettings, PublicQuery, When};
use tuanle_app::AppError;
use tuanle_domain::activity::{activity_type, ActivityInput, ActivityResult, Mode};
use tuanle_store::{parse_time, ActivityPhotoMeta, ActivityRecord, NotificationRecord};
use utoipa::{IntoParams, ToSchema};

use super::{ApiPath, ApiQuery, ApiResult, Body, Rejection};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;

/// A stored UTC time as Vietnam time with its offset (`2021-10-05T09:00:00+07:00`).
fn vn_time(t: &str) -> String {
    let offset = FixedOffset::east_opt(7 * 3600).expect("offset");
    parse_time(t)
        .map(|t| t.with_timezone(&offset).to_rfc3339())
        .unwrap_or_else(|_| t.to_string())
}

fn kind_label(kind: &str) -> String {
    activity_type(kind)
        .map(|t| t.label.to_string())
        .unwrap_or_default()
}

fn mode_label(mode: &str) -> String {
    Mode::parse(mode)
        .map(|m| m.label_vi().to_string())
        .unwrap_or_default()
}

/// Đăng ký hoạt động — what a unit enters (times in Vietnam time).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActivityInputDto {
    /// Loại hoạt động (`lop-01`…`lop-13`, `hoi-sach`, `trien-lam`, `thi-lich-su`,
    /// `thi-sach`, `toa-dam`, `the-thao`, `van-nghe`, `tham-quan`, `khai-mac`,
    /// `hoi-thao`, `khac`).
    #[schema(example = "lop-01")]
    pub kind: String,
    #[schema(example = "Lớp xóa mù chữ buổi tối")]
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// `in_person` (trực tiếp), `online` (trực tuyến), `hybrid` (kết hợp).
    #[schema(example = "in_person")]
    pub mode: String,
    /// Bắt đầu, giờ Việt Nam (`2021-10-05T09:00` hoặc `05/10/2021 09:00`).
    #[schema(example = "2021-10-05T09:00")]
    pub starts_at: String,
    /// Kết thúc, giờ Việt Nam.
    #[schema(example = "2021-10-05T11:00")]
    pub ends_at: String,
    #[serde(default)]
    pub address: String,
    /// Mã xã/phường nơi tổ chức (để trống nếu chỉ trực tuyến).
    #[serde(default)]
    pub commune_code: String,
    /// Đường dẫn tham gia trực tuyến (http/https).
    #[serde(default)]
    pub link: String,
    /// Đối tượng tham gia.
    #[serde(default)]
    pub audience: String,
    /// Đơn vị chủ trì (mặc định: đơn vị đăng ký).
    #[serde(default)]
    pub organiser: String,
    /// Đơn vị phối hợp.
    #[serde(default)]
    pub co_organisers: String,
    /// Số người dự kiến.
    #[serde(default)]
    pub expected_participants: Option<i64>,
}

impl From<ActivityInputDto> for ActivityInput {
    fn from(d: ActivityInputDto) -> Self {
        ActivityInput {
            kind: d.kind,
            title: d.title,
            description: d.description,
            mode: d.mode,
            starts_at: d.starts_at,
            ends_at: d.ends_at,
            address: d.address,
            commune_code: d.commune_code,
            link: d.link,
            audience: d.audience,
            organiser: d.organiser,
            co_organisers: d.co_organisers,
            expected_participants: d.expected_participants,
        }
    }
}

/// Hoạt động as its unit sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityDto {
    pub id: i64,
    pub campaign_id: i64,
    /// Mã đơn vị đăng ký.
    pub unit_code: String,
    pub unit_name: String,
    pub kind: String,
    /// Tên loại hoạt động.
    pub kind_label: String,
    pub title: String,
    pub description: String,
    pub mode: String,
    pub mode_label: String,
    /// Bắt đầu, giờ Việt Nam có múi giờ (`+07:00`).
    pub starts_at: String,
    pub ends_at: String,
    pub address: String,
    pub commune_code: Option<String>,
    pub commune_name: Option<String>,
    pub link: String,
    pub audience: String,
    pub organiser: String,
    pub co_organisers: String,
    pub expected_participants: Option<i64>,
    /// Đăng ký muộn (sau hạn đăng ký của Tuần lễ).
    pub late_registration: bool,
    /// Đã công khai trên lịch.
    pub published: bool,
    /// Số lớp/số cuộc thực tế.
    pub result_sessions: Option<i64>,
    /// Số người tham gia thực tế.
    pub result_participants: Option<i64>,
    pub result_note: Option<String>,
    pub photos: Vec<ActivityPhotoDto>,
}

/// Ảnh của hoạt động.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityPhotoDto {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub byte_size: i64,
    /// Địa chỉ ảnh (công khai khi hoạt động đã công khai).
    pub url: String,
}

fn photo_dto(p: &ActivityPhotoMeta) -> ActivityPhotoDto {
    ActivityPhotoDto {
        id: p.id,
        file_name: p.file_name.clone(),
        content_type: p.content_type.clone(),
        byte_size: p.byte_size,
        url: format!("/lich/anh/{}", p.id),
    }
}

impl ActivityDto {
    fn new(a: &ActivityRecord, photos: &[ActivityPhotoMeta]) -> Self {
        ActivityDto {
            id: a.id,
            campaign_id: a.campaign_id,
            unit_code: a.unit_code.clone(),
            unit_name: a.unit_name.clone(),
            kind: a.kind.clone(),
            kind_label: kind_label(&a.kind),
            title: a.title.clone(),
            description: a.description.clone(),
            mode: a.mode.clone(),
            mode_label: mode_label(&a.mode),
            starts_at: vn_time(&a.starts_at),
            ends_at: vn_time(&a.ends_at),
            address: a.address.clone(),
            commune_code: a.commune_code.clone(),
            commune_name: a.commune_name.clone(),
            link: a.link.clone(),
            audience: a.audience.clone(),
            organiser: a.organiser.clone(),
            co_organisers: a.co_organisers.clone(),
            expected_participants: a.expected_participants,
            late_registration: a.late_registration,
            published: a.published,
            result_sessions: a.result_sessions,
            result_participants: a.result_participants,
            result_note: a.result_note.clone(),
            photos: photos.iter().map(photo_dto).collect(),
        }
    }
}

/// Hoạt động trên lịch công khai: chỉ những gì công khai được.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicActivityDto {
    pub id: i64,
    pub title: String,
    pub kind: String,
    pub kind_label: String,
    pub description: String,
    pub mode: String,
    pub mode_label: String,
    /// Giờ Việt Nam có múi giờ (`+07:00`).
    pub starts_at: String,
    pub ends_at: String,
    pub address: String,
    pub commune_code: Option<String>,
    pub commune_name: Option<String>,
    pub link: String,
    pub audience: String,
    pub organiser: String,
    pub co_organisers: String,
    /// Mã đơn vị tổ chức.
    pub unit_code: String,
    pub unit_name: String,
    /// Trang chia sẻ của hoạt động.
    pub url: String,
    pub photos: Vec<ActivityPhotoDto>,
}

impl PublicActivityDto {
    fn new(a: &ActivityRecord, photos: &[ActivityPhotoMeta]) -> Self {
        PublicActivityDto {
            id: a.id,
            title: a.title.clone(),
            kind: a.kind.clone(),
            kind_label: kind_label(&a.kind),
            description: a.description.clone(),
            mode: a.mode.clone(),
            mode_label: mode_label(&a.mode),
            starts_at: vn_time(&a.starts_at),
            ends_at: vn_time(&a.ends_at),
            address: a.address.clone(),
            commune_code: a.commune_code.clone(),
            commune_name: a.commune_name.clone(),
            link: a.link.clone(),
            audience: a.audience.clone(),
            organiser: a.organiser.clone(),
            co_organisers: a.co_organisers.clone(),
            unit_code: a.unit_code.clone(),
            unit_name: a.unit_name.clone(),
            url: format!("/lich/hoat-dong/{}", a.id),
            photos: photos.iter().map(photo_dto).collect(),
        }
    }
}

/// Lịch công khai của một Tuần lễ.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicCalendarDto {
    pub campaign_id: i64,
    pub campaign_name: String,
    /// Khẩu hiệu của Tuần lễ.
    pub slogans: Vec<String>,
    /// Tên địa bàn đã lọc, nếu có.
    pub area_name: Option<String>,
    /// Tên đơn vị tổ chức đã lọc, nếu có.
    pub unit_name: Option<String>,
    pub activities: Vec<PublicActivityDto>,
}

/// Bộ lọc lịch công khai.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// Mã Tuần lễ (mặc định: Tuần lễ mới nhất).
    pub campaign: Option<i64>,
    /// Mã địa bàn (tỉnh, huyện hoặc xã) nơi tổ chức.
    pub area: Option<String>,
    /// Mã đơn vị tổ chức.
    pub unit: Option<String>,
    /// Loại hoạt động (`lop-01`, `hoi-sach`…).
    pub kind: Option<String>,
    /// Hình thức: `in_person`, `online`, `hybrid`.
    pub mode: Option<String>,
    /// Một ngày (giờ Việt Nam), `yyyy-mm-dd` hoặc `dd/mm/yyyy`.
    pub date: Option<String>,
    /// `ongoing` (đang diễn ra) hoặc `upcoming` (sắp diễn ra).
    pub when: Option<String>,
}

fn parse_day(field: &str, s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .map_err(|_| AppError::invalid(field, format!("\"{s}\" không phải ngày dd/mm/yyyy")))
}

impl CalendarQuery {
    fn query(&self) -> Result<PublicQuery, AppError> {
        fn blank(s: &Option<String>) -> Option<String> {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        }
        let when = match blank(&self.when).as_deref() {
            None => When::All,
            Some("ongoing" | "dang-dien-ra") => When::Ongoing,
            Some("upcoming" | "sap-dien-ra") => When::Upcoming,
            Some(w) => {
                return Err(AppError::invalid(
                    "Thời gian",
                    format!("\"{w}\" không hợp lệ (ongoing hoặc upcoming)"),
                ))
            }
        };
        Ok(PublicQuery {
            campaign_id: self.campaign,
            area_code: blank(&self.area),
            unit_code: blank(&self.unit),
            kind: blank(&self.kind),
            mode: blank(&self.mode),
            date: blank(&self.date)
                .map(|d| parse_day("Ngày", &d))
                .transpose()?,
            until: None,
            when,
        })
    }
}

/// Công khai hay không.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PublishRequest {
    /// `true`: hiện trên lịch công khai; `false`: thôi công khai.
    pub published: bool,
}

/// Kết quả thực tế của hoạt động.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ActivityResultDto {
    /// Số lớp/số cuộc thực tế (thường là 1).
    #[schema(example = 1)]
    pub sessions: i64,
    /// Số người tham gia thực tế.
    #[schema(example = 35)]
    pub participants: i64,
    #[serde(default)]
    pub note: String,
}

/// Multipart form of an activity photo.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ActivityPhotoUpload {
    /// Tệp ảnh JPEG, PNG hoặc WebP, tối đa 5 MB.
    #[schema(value_type = String, format = Binary)]
    photo: Vec<u8>,
}

/// Hạn đăng ký hoạt động, hạn ban hành kế hoạch, số ngày nhắc trước hạn và khẩu hiệu
/// của Tuần lễ.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ActivitySettingsDto {
    /// Hạn đăng ký, `yyyy-mm-dd` hoặc `dd/mm/yyyy` (để trống: không có hạn).
    #[schema(example = "2022-10-01")]
    #[serde(default)]
    pub registration_deadline: Option<String>,
    /// Hạn ban hành kế hoạch của các đơn vị hành chính (nhắc đơn vị chưa ban hành).
    #[schema(example = "2022-09-25")]
    #[serde(default)]
    pub plan_deadline: Option<String>,
    /// Số ngày nhắc trước mỗi hạn, 0–30 (để trống: theo cấu hình máy chủ).
    #[schema(example = 3)]
    #[serde(default)]
    pub reminder_days: Option<i64>,
    /// Khẩu hiệu theo thứ tự, mỗi câu một phần tử.
    #[serde(default)]
    pub slogans: Vec<String>,
}

impl From<&ActivitySettings> for ActivitySettingsDto {
    fn from(s: &ActivitySettings) -> Self {
        ActivitySettingsDto {
            registration_deadline: s.registration_deadline.map(|d| d.to_string()),
            plan_deadline: s.plan_deadline.map(|d| d.to_string()),
            reminder_days: s.reminder_days,
            slogans: s.slogans.clone(),
        }
    }
}

/// Một thông báo trong ứng dụng.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: i64,
    /// Loại: `reminder`, `report_review`, `document`, `task`…
    pub kind: String,
    pub title: String,
    pub body: String,
    /// Trang liên quan.
    pub link: String,
    pub created_at: String,
    /// Đã đọc lúc (chưa đọc: `null`).
    pub read_at: Option<String>,
}

impl From<&NotificationRecord> for NotificationDto {
    fn from(n: &NotificationRecord) -> Self {
        NotificationDto {
            id: n.id,
            kind: n.kind.clone(),
            title: n.title.clone(),
            body: n.body.clone(),
            link: n.link.clone(),
            created_at: vn_time(&n.created_at),
            read_at: n.read_at.as_deref().map(vn_time),
        }
    }
}

/// Thông báo của người dùng và số chưa đọc.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationsDto {
    pub unread: i64,
    pub notifications: Vec<NotificationDto>,
}

/// Số thông báo chưa đọc.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadDto {
    pub unread: i64,
}

/// Đánh dấu đã đọc: một thông báo (`id`), hoặc tất cả (không có `id`).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct MarkReadRequest {
    #[serde(default)]
    pub id: Option<i64>,
}

/// Số thông báo vừa đánh dấu.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedDto {
    pub marked: u64,
    pub unread: i64,
}

/// Lựa chọn nhận thư theo loại thông báo (`true`: nhận).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EmailPreferencesDto {
    #[schema(example = json!({"reminder": true, "report_review": true, "document": false, "task": true}))]
    pub preferences: BTreeMap<String, bool>,
}

async fn activity_dto(
    state: &AppState,
    actor: &tuanle_app::Actor,
    id: i64,
) -> ApiResult<ActivityDto> {
    let view = state.app.activity(actor, id).await?;
    Ok(ActivityDto::new(&view.record, &view.photos))
}

/// Danh sách hoạt động của đơn vị
///
/// Hoạt động do đơn vị và các đơn vị cấp dưới đăng ký trong Tuần lễ, cả chưa công khai.
#[utoipa::path(
    get,
    path = "/v1/campaigns/{id}/activities/{code}",
    tag = "activities",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị", example = "778"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Hoạt động", body = Vec<ActivityDto>),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn list_activities(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
) -> ApiResult<Json<Vec<ActivityDto>>> {
    let (_, _, list) = state.app.activities_of(&actor, id, &code).await?;
    Ok(Json(
        list.iter().map(|a| ActivityDto::new(a, &[])).collect(),
    ))
}

/// Đăng ký hoạt động
///
/// Đơn vị (hoặc cấp trên của nó) đăng ký một hoạt động. Kết thúc trước bắt đầu, đường
/// dẫn không phải http(s), xã/phường không có trong cây, loại không có bị từ chối (422,
/// nêu rõ trường) và không có gì được lưu. Đăng ký sau hạn vẫn được nhận, đánh dấu
/// `late_registration`.
#[utoipa::path(
    post,
    path = "/v1/campaigns/{id}/activities/{code}",
    tag = "activities",
    params(
        ("id" = i64, Path, description = "Mã Tuần lễ"),
        ("code" = String, Path, description = "Mã đơn vị đăng ký", example = "27490"),
    ),
    request_body = ActivityInputDto,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Đã đăng ký", body = ActivityDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không được đăng ký cho đơn vị này", body = ErrorBody),
        (status = 404, description = "Không có, hoặc đơn vị ngoài cây con", body = ErrorBody),
        (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"])))
)]
pub async fn register_activity(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
    Body(req): Body<ActivityInputDto>,
) -> ApiResult<(StatusCode, Json<ActivityDto>)> {
    let rec = state
        .app
        .register_activity(&actor, id, &code, &req.into())
        .await?;
    Ok((StatusCode::CREATED, Json(ActivityDto::new(&rec, &[]))))
}

/// Xem hoạt động
#[utoipa::path(
    get,
    path = "/v1/activities/{id}",
    tag = "activities",
    params(("id" = i64, Path, description = "Mã hoạt động")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Hoạt động", body = ActivityDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có, hoặc ngoài cây con", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn get_activity(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ActivityDto>> {
    Ok(Json(activity_dto(&state, &actor, id).await?))
}

/// Sửa đăng ký hoạt động
///
/// Thay toàn bộ nội dung đăng ký; kiểm tra như khi đăng ký.
#[utoipa::path(
    put,
    path = "/v1/activities/{id}",
    tag = "activities",
    params(("id" = i64, Path, description = "Mã hoạt động")),
    request_body = ActivityInputDto,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Hoạt động sau khi sửa", body = ActivityDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không được sửa hoạt động này", body = ErrorBody),
        (status = 404, description = "Không có, hoặc ngoài cây con", body = ErrorBody),
        (status = 422, description = "Dữ liệu không hợp lệ", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"])))
)]
pub async fn edit_activity(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    Body(req): Body<ActivityInputDto>,
) -> ApiResult<Json<ActivityDto>> {
    state.app.update_activity(&actor, id, &req.into()).await?;
    Ok(Json(activity_dto(&state, &actor, id).await?))
}

/// Công khai / thôi công khai
///
/// Chỉ hoạt động đã công khai mới hiện trên lịch công khai và trong lịch iCalendar.
#[utoipa::path(
    post,
    path = "/v1/activities/{id}/publish",
    tag = "activities",
    params(("id" = i64, Path, description = "Mã hoạt động")),
    request_body = PublishRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Hoạt động", body = ActivityDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không được sửa hoạt động này", body = ErrorBody),
        (status = 404, description = "Không có, hoặc ngoài cây con", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"])))
)]
pub async fn publish_activity(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    Body(req): Body<PublishRequest>,
) -> ApiResult<Json<ActivityDto>> {
    state
        .app
        .publish_activity(&actor, id, req.published)
        .await?;
    Ok(Json(activity_dto(&state, &actor, id).await?))
}

/// Ghi kết quả thực tế
///
/// Số lớp/số cuộc và số người tham gia thực tế (số nguyên không âm), ghi chú ngắn. Báo
/// cáo kết quả của đơn vị có thể điền từ các kết quả này.
#[utoipa::path(
    put,
    path = "/v1/activities/{id}/result",
    tag = "activities",
    params(("id" = i64, Path, description = "Mã hoạt động")),
    request_body = ActivityResultDto,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Hoạt động", body = ActivityDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không được sửa hoạt động này", body = ErrorBody),
        (status = 404, description = "Không có, hoặc ngoài cây con", body = ErrorBody),
        (status = 422, description = "Số liệu không hợp lệ", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"])))
)]
pub async fn record_result(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    Body(req): Body<ActivityResultDto>,
) -> ApiResult<Json<ActivityDto>> {
    let result = ActivityResult {
        sessions: req.sessions,
        participants: req.participants,
        note: req.note,
    };
    state
        .app
        .record_activity_result(&actor, id, &result)
        .await?;
    Ok(Json(activity_dto(&state, &actor, id).await?))
}

fn multipart_error(status: StatusCode, text: String) -> Response {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        super::body_rejection(status).into_response()
    } else {
        Rejection::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            format!("Dữ liệu multipart không hợp lệ: {text}"),
        )
        .into_response()
    }
}

/// Thêm ảnh hoạt động
///
/// Biểu mẫu multipart, trường `photo`: JPEG, PNG hoặc WebP (theo nội dung tệp), tối đa
/// 5 MB, tối đa 10 ảnh mỗi hoạt động. Tệp không phải ảnh bị từ chối (422).
#[utoipa::path(
    post,
    path = "/v1/activities/{id}/photos",
    tag = "activities",
    params(("id" = i64, Path, description = "Mã hoạt động")),
    request_body(content = ActivityPhotoUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Đã thêm", body = ActivityPhotoDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Không được sửa hoạt động này", body = ErrorBody),
        (status = 404, description = "Không có, hoặc ngoài cây con", body = ErrorBody),
        (status = 422, description = "Không phải ảnh, quá lớn, hoặc thiếu tệp", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"])))
)]
pub async fn add_activity_photo(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<ActivityPhotoDto>), Response> {
    let mut multipart = multipart.map_err(|e| multipart_error(e.status(), e.body_text()))?;
    let mut photo: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(e.status(), e.body_text()))?
    {
        if field.name() == Some("photo") {
            let name = field.file_name().unwrap_or_default().to_string();
            let data = field
                .bytes()
                .await
                .map_err(|e| multipart_error(e.status(), e.body_text()))?;
            photo = Some((name, data.to_vec()));
        }
    }
    let Some((name, data)) = photo else {
        return Err(ApiError(AppError::BadFile(
            "Thiếu tệp ảnh (trường \"photo\" của biểu mẫu)".into(),
        ))
        .into_response());
    };
    let photo_id = state
        .app
        .add_activity_photo(&actor, id, &name, &data)
        .await
        .map_err(|e| ApiError(e).into_response())?;
    let view = state
        .app
        .activity(&actor, id)
        .await
        .map_err(|e| ApiError(e).into_response())?;
    let meta = view
        .photos
        .iter()
        .find(|p| p.id == photo_id)
        .map(photo_dto)
        .ok_or_else(|| {
            ApiError(AppError::NotFound(format!("Không tìm thấy ảnh {photo_id}"))).into_response()
        })?;
    Ok((StatusCode::CREATED, Json(meta)))
}

/// Hạn đăng ký, hạn kế hoạch, nhắc hạn và khẩu hiệu
#[utoipa::path(
    get,
    path = "/v1/campaigns/{id}/activity-settings",
    tag = "activities",
    params(("id" = i64, Path, description = "Mã Tuần lễ")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Hạn đăng ký và khẩu hiệu", body = ActivitySettingsDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 404, description = "Không có Tuần lễ", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn get_activity_settings(
    ApiUser(_actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ActivitySettingsDto>> {
    state.app.campaign(id).await?;
    let settings = state.app.activity_settings(id).await?;
    Ok(Json((&settings).into()))
}

/// Đặt hạn đăng ký, hạn kế hoạch, nhắc hạn và khẩu hiệu
///
/// Quản trị của đơn vị gốc cây đặt hạn đăng ký hoạt động (sau hạn vẫn đăng ký được,
/// đánh dấu muộn), hạn ban hành kế hoạch, số ngày nhắc trước hạn và các khẩu hiệu (theo
/// thứ tự) hiện trên lịch công khai. Thay toàn bộ cài đặt; trang
/// `/admin/campaigns/{id}/activity-settings` làm cùng việc.
#[utoipa::path(
    put,
    path = "/v1/campaigns/{id}/activity-settings",
    tag = "activities",
    params(("id" = i64, Path, description = "Mã Tuần lễ")),
    request_body = ActivitySettingsDto,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Đã lưu", body = ActivitySettingsDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 403, description = "Chỉ quản trị cấp gốc", body = ErrorBody),
        (status = 404, description = "Không có Tuần lễ", body = ErrorBody),
        (status = 422, description = "Ngày hoặc khẩu hiệu không hợp lệ", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["admin"])))
)]
pub async fn set_activity_settings(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    Body(req): Body<ActivitySettingsDto>,
) -> ApiResult<Json<ActivitySettingsDto>> {
    let day = |field: &str, v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| parse_day(field, s))
            .transpose()
    };
    let settings = ActivitySettings {
        registration_deadline: day("Hạn đăng ký", &req.registration_deadline)?,
        plan_deadline: day("Hạn ban hành kế hoạch", &req.plan_deadline)?,
        reminder_days: req.reminder_days,
        slogans: req.slogans,
    };
    let saved = state
        .app
        .set_activity_settings(Some(&actor), id, &settings)
        .await?;
    Ok(Json((&saved).into()))
}

/// Lịch hoạt động công khai (JSON)
///
/// Không cần đăng nhập. Chỉ các hoạt động đơn vị đã công khai; lọc theo địa bàn, đơn vị
/// tổ chức, loại, hình thức, ngày, đang/sắp diễn ra. Cũng có dạng iCalendar ở
/// `/lich/ical`, `/lich/ical/khu-vuc/{mã}`, `/lich/ical/don-vi/{mã}`.
#[utoipa::path(
    get,
    path = "/v1/public/calendar",
    tag = "activities",
    params(CalendarQuery),
    responses(
        (status = 200, description = "Lịch công khai", body = PublicCalendarDto),
        (status = 404, description = "Không có Tuần lễ hoặc địa bàn", body = ErrorBody),
        (status = 422, description = "Bộ lọc không hợp lệ", body = ErrorBody),
    ),
    extensions(("x-public" = json!(true)))
)]
pub async fn public_calendar(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<CalendarQuery>,
) -> ApiResult<Json<PublicCalendarDto>> {
    let cal = state.app.public_calendar(&q.query()?).await?;
    Ok(Json(PublicCalendarDto {
        campaign_id: cal.campaign.id,
        campaign_name: cal.campaign.name.clone(),
        slogans: cal.slogans,
        area_name: cal.area.map(|u| u.name),
        unit_name: cal.unit.map(|u| u.name),
        activities: cal
            .activities
            .iter()
            .map(|a| PublicActivityDto::new(a, &[]))
            .collect(),
    }))
}

/// Một hoạt động công khai (JSON)
///
/// Không cần đăng nhập; hoạt động chưa công khai trả về 404.
#[utoipa::path(
    get,
    path = "/v1/public/activities/{id}",
    tag = "activities",
    params(("id" = i64, Path, description = "Mã hoạt động")),
    responses(
        (status = 200, description = "Hoạt động", body = PublicActivityDto),
        (status = 404, description = "Không có hoặc chưa công khai", body = ErrorBody),
    ),
    extensions(("x-public" = json!(true)))
)]
pub async fn public_activity(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PublicActivityDto>> {
    let (a, photos) = state.app.public_activity(id).await?;
    Ok(Json(PublicActivityDto::new(&a, &photos)))
}

/// Thông báo của tôi
///
/// 100 thông báo gần nhất và số chưa đọc.
#[utoipa::path(
    get,
    path = "/v1/notifications",
    tag = "notifications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Thông báo", body = NotificationsDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn list_notifications(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
) -> ApiResult<Json<NotificationsDto>> {
    let (list, unread) = state.app.my_notifications(&actor).await?;
    Ok(Json(NotificationsDto {
        unread,
        notifications: list.iter().map(NotificationDto::from).collect(),
    }))
}

/// Số thông báo chưa đọc
#[utoipa::path(
    get,
    path = "/v1/notifications/unread",
    tag = "notifications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Số chưa đọc", body = UnreadDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn unread_count(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
) -> ApiResult<Json<UnreadDto>> {
    Ok(Json(UnreadDto {
        unread: state.app.unread_count(&actor).await?,
    }))
}

/// Đánh dấu đã đọc
///
/// Một thông báo (`{"id": 5}`) hoặc tất cả (`{}`); chỉ thông báo của chính người gọi.
#[utoipa::path(
    post,
    path = "/v1/notifications/read",
    tag = "notifications",
    request_body = MarkReadRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Đã đánh dấu", body = MarkedDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn mark_read(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    Body(req): Body<MarkReadRequest>,
) -> ApiResult<Json<MarkedDto>> {
    let marked = state.app.mark_read(&actor, req.id).await?;
    Ok(Json(MarkedDto {
        marked,
        unread: state.app.unread_count(&actor).await?,
    }))
}

/// Lựa chọn nhận thư
///
/// Mỗi loại thông báo: có gửi thư điện tử hay không (mặc định có).
#[utoipa::path(
    get,
    path = "/v1/notifications/email-preferences",
    tag = "notifications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Lựa chọn", body = EmailPreferencesDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn get_email_preferences(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
) -> ApiResult<Json<EmailPreferencesDto>> {
    Ok(Json(EmailPreferencesDto {
        preferences: state.app.email_preferences(&actor).await?,
    }))
}

/// Chọn loại thư nhận
///
/// Chỉ các loại có trong danh sách; loại không có bị từ chối (422) và không lưu gì.
#[utoipa::path(
    put,
    path = "/v1/notifications/email-preferences",
    tag = "notifications",
    request_body = EmailPreferencesDto,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Lựa chọn sau khi lưu", body = EmailPreferencesDto),
        (status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 422, description = "Loại thư không có", body = ErrorBody),
    ),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"])))
)]
pub async fn set_email_preferences(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    Body(req): Body<EmailPreferencesDto>,
) -> ApiResult<Json<EmailPreferencesDto>> {
    state
        .app
        .set_email_preferences(&actor, &req.preferences)
        .await?;
    Ok(Json(EmailPreferencesDto {
        preferences: state.app.email_preferences(&actor).await?,
    }))
}
