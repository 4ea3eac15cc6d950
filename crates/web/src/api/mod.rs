//! JSON API under `/api/v1`, described by OpenAPI 3 at `/api/openapi.json`.
//!
//! Handlers are thin: they parse the request into a DTO, make one call to
//! [`tuanle_app::App`] and map the result to a response DTO (module [`dto`]).
//! Every operation except token issuance takes an [`ApiUser`](crate::auth::ApiUser)
//! (bearer token) and declares in its `x-roles` extension which roles may call it;
//! the app layer checks the subtree.
//!
//! Routes are registered with `utoipa_axum::routes!`, so the router and the OpenAPI
//! document are built from the same list and cannot drift apart.

use std::sync::Arc;

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ErrorBody, ErrorDetail};
use crate::AppState;

pub mod activities;
mod audit;
mod auth;
mod campaigns;
mod consolidation;
pub mod documents;
pub mod dto;
pub(crate) mod plans;
mod reports;
mod templates;
mod units;
mod users;
pub mod workbooks;

/// Prefix under which [`routes`] is nested by the main router.
pub const MOUNT: &str = "/api";

/// Name of the bearer security scheme in the document.
pub const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "tuanle API",
        description = "API báo cáo kết quả Tuần lễ hưởng ứng học tập suốt đời. \
            Mọi thao tác (trừ cấp token) cần `Authorization: Bearer <token>` lấy từ \
            `POST /api/v1/auth/token`; mỗi người dùng chỉ xem và thay đổi được đơn vị của mình \
            và các đơn vị cấp dưới. Đơn vị được gọi bằng mã (mã thống kê hoặc mã cơ quan) \
            trong cây đơn vị của Tuần lễ. Thông báo lỗi bằng tiếng Việt.",
        license(name = "MIT")
    ),
    modifiers(&SecurityAddon),
    tags(
        (name = "auth", description = "Đăng nhập, token"),
        (name = "units", description = "Đơn vị"),
        (name = "campaigns", description = "Tuần lễ"),
        (name = "templates", description = "Mẫu tổng hợp"),
        (name = "reports", description = "Báo cáo kết quả"),
        (name = "consolidation", description = "Tổng hợp"),
        (name = "users", description = "Người dùng"),
        (name = "plans", description = "Kế hoạch, văn bản, góp ý, sổ văn bản đến, nhiệm vụ"),
        (name = "activities", description = "Hoạt động Tuần lễ, lịch công khai"),
        (name = "notifications", description = "Thông báo, lựa chọn nhận thư"),
        (name = "audit", description = "Nhật ký thay đổi"),
    )
)]
struct ApiDoc;

struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Token từ POST /api/v1/auth/token"))
                    .build(),
            ),
        );
    }
}

/// The API's router (paths relative to [`MOUNT`]) and its OpenAPI document (full paths).
pub fn router_and_doc() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::issue_token))
        .routes(routes!(auth::me))
        .routes(routes!(auth::change_password))
        .routes(routes!(units::search_units, units::add_body))
        .routes(routes!(units::get_unit))
        .routes(routes!(units::import_bodies))
        .routes(routes!(
            campaigns::list_campaigns,
            campaigns::create_campaign
        ))
        .routes(routes!(campaigns::get_campaign))
        .routes(routes!(templates::list_templates, templates::add_template))
        .routes(routes!(templates::get_template))
        .routes(routes!(reports::get_report, reports::save_report))
        .routes(routes!(reports::review_report))
        .routes(routes!(reports::report_history))
        .routes(routes!(reports::add_photo))
        .routes(routes!(reports::get_photo, reports::delete_photo))
        .routes(routes!(consolidation::get_consolidation))
        .routes(routes!(consolidation::rebuild_consolidation))
        .routes(routes!(consolidation::missing_units))
        .routes(routes!(documents::report_document))
        .routes(routes!(documents::consolidation_document))
        .routes(routes!(workbooks::report_workbook))
        .routes(routes!(workbooks::import_workbooks))
        .routes(routes!(workbooks::consolidation_workbook))
        .routes(routes!(workbooks::consolidation_csv))
        .routes(routes!(users::list_users, users::add_user))
        .routes(routes!(plans::set_issuer))
        .routes(routes!(plans::raise_register))
        .routes(routes!(plans::list_documents))
        .routes(routes!(plans::record_external))
        .routes(routes!(plans::get_document, plans::edit_document))
        .routes(routes!(plans::document_versions))
        .routes(routes!(plans::document_file))
        .routes(routes!(plans::document_render))
        .routes(routes!(plans::create_plan))
        .routes(routes!(plans::prefill_plan))
        .routes(routes!(plans::start_consultation))
        .routes(routes!(plans::get_consultation))
        .routes(routes!(plans::answer_consultation))
        .routes(routes!(plans::reply_file))
        .routes(routes!(plans::submit_document))
        .routes(routes!(plans::review_document))
        .routes(routes!(plans::issue_document))
        .routes(routes!(plans::distribute_document))
        .routes(routes!(plans::incoming_register))
        .routes(routes!(plans::pass_incoming))
        .routes(routes!(plans::document_tasks))
        .routes(routes!(plans::unit_tasks))
        .routes(routes!(plans::update_task))
        .routes(routes!(plans::cascade))
        .routes(routes!(audit::audit_log))
        .routes(routes!(audit::audit_csv))
        .routes(routes!(
            activities::list_activities,
            activities::register_activity
        ))
        .routes(routes!(activities::get_activity, activities::edit_activity))
        .routes(routes!(activities::publish_activity))
        .routes(routes!(activities::record_result))
        .routes(routes!(activities::add_activity_photo))
        .routes(routes!(
            activities::get_activity_settings,
            activities::set_activity_settings
        ))
        .routes(routes!(activities::public_calendar))
        .routes(routes!(activities::public_activity))
        .routes(routes!(activities::list_notifications))
        .routes(routes!(activities::unread_count))
        .routes(routes!(activities::mark_read))
        .routes(routes!(
            activities::get_email_preferences,
            activities::set_email_preferences
        ))
        .split_for_parts();
    document_common_errors(&mut doc);
    // The router is nested under MOUNT by `crate::router`; the document shows full paths.
    let paths = std::mem::take(&mut doc.paths.paths);
    doc.paths.paths = paths
        .into_iter()
        .map(|(p, item)| (format!("{MOUNT}{p}"), item))
        .collect();
    (router, doc)
}

const ALL_ROLES: [&str; 4] = ["viewer", "reporter", "reviewer", "admin"];

/// Documents on every operation the error statuses its extractors and the app layer can
/// return whatever the handler, each with [`ErrorBody`], unless the operation already
/// describes them (found by the schemathesis contract run, scripts/api_contract.sh):
///
/// - 400: a path or query parameter that does not parse ([`ApiPath`], [`ApiQuery`]) or a
///   body that is not JSON ([`Body`]) or not multipart;
/// - 401: every secured operation (no token, expired token);
/// - 403: secured operations restricted to some roles or naming a unit, campaign or record
///   in the path (subtree check of the app layer);
/// - 404: operations with path parameters (the record does not exist);
/// - 413: operations with a body larger than [`crate::BODY_LIMIT`];
/// - 415: JSON bodies sent without `Content-Type: application/json`;
/// - 422: JSON bodies of the wrong shape (not an object, a missing field, a wrong type).
fn document_common_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{Operation, ParameterIn};
    use utoipa::openapi::{RefOr, ResponseBuilder};
    fn add(op: &mut Operation, status: &str, description: &str) {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description(description)
                        .content(
                            "application/json",
                            utoipa::openapi::ContentBuilder::new()
                                .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                                .build(),
                        )
                        .build(),
                )
            });
    }
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            let params = op.parameters.as_deref().unwrap_or_default();
            let in_path = params
                .iter()
                .any(|p| matches!(p.parameter_in, ParameterIn::Path));
            let in_query = params
                .iter()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query));
            let (has_body, json_body) = match &op.request_body {
                Some(b) => (true, b.content.contains_key("application/json")),
                None => (false, false),
            };
            let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let restricted = op
                .extensions
                .as_ref()
                .and_then(|e| e.get("x-roles"))
                .and_then(|r| r.as_array())
                .is_some_and(|r| r.len() < ALL_ROLES.len());
            if in_path || in_query || has_body {
                add(
                    op,
                    "400",
                    "Tham số trên đường dẫn, tham số truy vấn hoặc nội dung JSON không hợp lệ",
                );
            }
            if secured {
                add(op, "401", "Chưa đăng nhập hoặc token đã hết hạn");
            }
            if secured && (restricted || in_path) {
                add(op, "403", "Không có quyền với đơn vị hoặc thao tác này");
            }
            if in_path {
                add(op, "404", "Không tìm thấy");
            }
            if has_body {
                add(op, "413", "Dữ liệu gửi lên quá lớn");
            }
            if json_body {
                add(
                    op,
                    "415",
                    "Cần gửi dữ liệu JSON (Content-Type: application/json)",
                );
                add(
                    op,
                    "422",
                    "Dữ liệu JSON không đúng cấu trúc hoặc không hợp lệ",
                );
            }
        }
    }
}

/// The OpenAPI document as served at `/api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    router_and_doc().1
}

/// Routes under `/api`: `/v1/...` and `/openapi.json`.
pub fn routes() -> Router<AppState> {
    let (router, doc) = router_and_doc();
    let json: Arc<str> = doc
        .to_pretty_json()
        .expect("OpenAPI document serialises")
        .into();
    router
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let json = json.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "application/json")],
                        json.to_string(),
                    )
                }
            }),
        )
        .fallback(not_found)
}

async fn not_found() -> Rejection {
    Rejection::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "Không có địa chỉ API này (xem /api/openapi.json)",
    )
}

/// An extractor's refusal, in the same JSON shape as [`crate::error::ApiError`].
#[derive(Debug)]
pub struct Rejection {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl Rejection {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Rejection {
            status,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                issues: vec![],
            },
        };
        (self.status, axum::Json(body)).into_response()
    }
}

/// The technical detail of a rejection, without axum's English lead-in.
fn detail(text: String) -> String {
    match text.split_once(": ") {
        Some((_, rest)) => rest.to_string(),
        None => text,
    }
}

impl From<JsonRejection> for Rejection {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => Rejection::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!(
                    "Dữ liệu JSON không đúng cấu trúc: {}",
                    detail(e.body_text())
                ),
            ),
            JsonRejection::JsonSyntaxError(e) => Rejection::new(
                StatusCode::BAD_REQUEST,
                "invalid",
                format!("Nội dung không phải JSON hợp lệ: {}", detail(e.body_text())),
            ),
            JsonRejection::MissingJsonContentType(_) => Rejection::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid",
                "Cần gửi dữ liệu JSON (Content-Type: application/json)",
            ),
            other => body_rejection(other.status()),
        }
    }
}

/// A request body that could not be read (too large, interrupted).
pub fn body_rejection(status: StatusCode) -> Rejection {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        Rejection::new(
            status,
            "too_large",
            format!(
                "Dữ liệu gửi lên quá lớn (tối đa {} MB)",
                crate::BODY_LIMIT / 1_048_576
            ),
        )
    } else {
        Rejection::new(status, "invalid", "Không đọc được nội dung yêu cầu")
    }
}

impl From<PathRejection> for Rejection {
    fn from(r: PathRejection) -> Self {
        Rejection::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            format!(
                "Tham số trên đường dẫn không hợp lệ: {}",
                detail(r.body_text())
            ),
        )
    }
}

impl From<QueryRejection> for Rejection {
    fn from(r: QueryRejection) -> Self {
        Rejection::new(
            StatusCode::BAD_REQUEST,
            "invalid",
            format!("Tham số truy vấn không hợp lệ: {}", detail(r.body_text())),
        )
    }
}

/// `axum::Json` with Vietnamese rejections. Strings holding the NUL character (`\u0000`)
/// are refused with 422 before they reach the database (PostgreSQL cannot store them in
/// text: found by the schemathesis contract run).
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = Rejection;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Rejection> {
        let axum::Json(value) = axum::Json::<serde_json::Value>::from_request(req, state).await?;
        if has_nul(&value) {
            return Err(Rejection::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "Dữ liệu JSON không hợp lệ: văn bản không được chứa ký tự NUL (\\u0000)",
            ));
        }
        serde_json::from_value(value).map(Body).map_err(|e| {
            Rejection::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("Dữ liệu JSON không đúng cấu trúc: {e}"),
            )
        })
    }
}

/// Whether a string (value or key) anywhere in `value` holds the NUL character.
fn has_nul(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

impl From<BytesRejection> for Rejection {
    fn from(r: BytesRejection) -> Self {
        body_rejection(r.status())
    }
}

/// The raw request body (`axum::body::Bytes`) with Vietnamese rejections.
#[derive(Debug)]
pub struct RawBody(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = Rejection;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Rejection> {
        Ok(RawBody(axum::body::Bytes::from_request(req, state).await?))
    }
}

/// `axum::extract::Path` with Vietnamese rejections; a NUL character (`%00`) is refused
/// with 400 before it reaches the database (PostgreSQL cannot compare text with it).
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Rejection> {
        if parts.uri.path().contains("%00") {
            return Err(nul_rejection("Tham số trên đường dẫn không hợp lệ"));
        }
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(ApiPath(value))
    }
}

/// `axum::extract::Query` with Vietnamese rejections; a NUL character (`%00`) is refused
/// with 400, as in [`ApiPath`].
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Rejection> {
        if parts.uri.query().is_some_and(|q| q.contains("%00")) {
            return Err(nul_rejection("Tham số truy vấn không hợp lệ"));
        }
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(ApiQuery(value))
    }
}

fn nul_rejection(lead: &str) -> Rejection {
    Rejection::new(
        StatusCode::BAD_REQUEST,
        "invalid",
        format!("{lead}: không được chứa ký tự NUL (%00)"),
    )
}

/// The caller's address, for the audit trail of unauthenticated calls.
#[derive(Debug, Clone)]
pub struct ClientIp(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(crate::auth::client_ip(parts)))
    }
}

/// Result of a handler: the app's errors map through [`crate::error::ApiError`].
pub type ApiResult<T> = Result<T, crate::error::ApiError>;
