//! Kế hoạch, văn bản, góp ý, sổ văn bản đến, nhiệm vụ, sơ đồ triển khai — the API of
//! plans down the tree. Dates are `YYYY-MM-DD`; units are named by code.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tuanle_app::plans::{
    CascadeView, ConsultationView, DocumentView, EditInput, ExternalInput, IncomingView,
    IssuerSettings, LetterInput, PlanInput, RecipientInput, TaskView,
};
use tuanle_app::AppError;
use tuanle_domain::documents_register::DocKind;
use tuanle_domain::plan::{PlanContent, Signer};
use tuanle_domain::task::TaskStatus;
use tuanle_store::{DocumentRecord, IncomingRecord};
use utoipa::{IntoParams, ToSchema};

use super::{ApiPath, ApiQuery, ApiResult, Body, Rejection};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;

// ---- DTOs -------------------------------------------------------------------------------

/// Văn bản (tóm tắt).
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentSummaryDto {
    pub id: i64,
    /// CV, KH, QĐ, BC, TTr…
    pub kind: String,
    pub kind_name: String,
    pub external: bool,
    /// draft, consultation, submitted, approved, issued, distributed, recorded.
    pub status: String,
    pub status_label: String,
    /// "220/KH-UBND" once issued.
    pub number: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub issuer_name: String,
    pub subject: String,
    pub campaign_id: Option<i64>,
    pub version: i64,
    pub has_file: bool,
}

impl From<&DocumentRecord> for DocumentSummaryDto {
    fn from(d: &DocumentRecord) -> Self {
        DocumentSummaryDto {
            id: d.id,
            kind: d.kind.code().into(),
            kind_name: d.kind.name_vi().into(),
            external: d.external,
            status: d.status.as_str().into(),
            status_label: d.status.label_vi().into(),
            number: d.number_text.clone(),
            issued_on: d.issued_on,
            issuer_name: d.issuer_name.clone(),
            subject: d.subject.clone(),
            campaign_id: d.campaign_id,
            version: d.version,
            has_file: d.has_file,
        }
    }
}

/// Nơi nhận.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RecipientDto {
    /// Mã đơn vị trong cây; bỏ trống với cơ quan bên ngoài.
    #[serde(default)]
    pub unit_code: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
}

impl From<RecipientDto> for RecipientInput {
    fn from(r: RecipientDto) -> Self {
        RecipientInput {
            unit_code: r.unit_code,
            label: r.label,
        }
    }
}

/// Ý kiến của một đơn vị.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplyDto {
    pub unit_code: String,
    pub unit_name: String,
    /// pending, agreed, commented, silent (không trả lời, xem như thống nhất).
    pub state: String,
    pub state_label: String,
    pub comment: String,
    pub file_name: Option<String>,
    pub answered_at: Option<String>,
}

/// Đợt góp ý.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationDto {
    pub id: i64,
    pub document_id: i64,
    pub letter_id: Option<i64>,
    pub deadline: NaiveDate,
    pub open: bool,
    pub closed_at: Option<String>,
    pub total: usize,
    pub agreed: usize,
    pub commented: usize,
    pub silent: usize,
    pub pending: usize,
    pub summary: String,
    pub replies: Vec<ReplyDto>,
}

impl From<&ConsultationView> for ConsultationDto {
    fn from(v: &ConsultationView) -> Self {
        ConsultationDto {
            id: v.record.id,
            document_id: v.record.document_id,
            letter_id: v.record.letter_id,
            deadline: v.record.deadline,
            open: v.open,
            closed_at: v.record.closed_at.clone(),
            total: v.summary.total,
            agreed: v.summary.agreed,
            commented: v.summary.commented,
            silent: v.summary.silent,
            pending: v.summary.pending,
            summary: v.summary.sentence_vi(),
            replies: v
                .replies
                .iter()
                .map(|(u, r, st)| ReplyDto {
                    unit_code: u.code.clone(),
                    unit_name: u.name.clone(),
                    state: st.as_str().into(),
                    state_label: st.label_vi().into(),
                    comment: r.comment.clone(),
                    file_name: r.file_name.clone(),
                    answered_at: r.answered_at.clone(),
                })
                .collect(),
        }
    }
}

/// Văn bản đầy đủ.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentDto {
    #[serde(flatten)]
    pub summary: DocumentSummaryDto,
    pub drafting_unit_code: String,
    pub issuer_unit_code: Option<String>,
    /// Ký hiệu cơ quan ban hành, dòng tên cơ quan, địa danh.
    pub issuer_abbreviation: Option<String>,
    pub issuer_header: Vec<String>,
    pub place: Option<String>,
    /// Người ký: authority ("", "TM", "KT", "Q", "TL", "TUQ"), on_behalf_of, title, name.
    #[schema(value_type = Object)]
    pub signer: Signer,
    /// Dòng ký: ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"].
    pub signer_lines: Vec<String>,
    /// Nội dung: kế hoạch (bases, purpose, theme, …, assignments) hoặc công văn (addressees, paragraphs).
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
    pub recipients: Vec<RecipientDto>,
    pub consultations: Vec<ConsultationDto>,
    /// Công văn liên quan (xin ý kiến, tờ trình).
    pub related: Vec<DocumentSummaryDto>,
}

impl From<&DocumentView> for DocumentDto {
    fn from(v: &DocumentView) -> Self {
        DocumentDto {
            summary: (&v.doc).into(),
            drafting_unit_code: v.drafting_unit.code.clone(),
            issuer_unit_code: v.issuer.as_ref().map(|(u, _)| u.code.clone()),
            issuer_abbreviation: v.issuer.as_ref().map(|(_, s)| s.abbreviation.clone()),
            issuer_header: v
                .issuer
                .as_ref()
                .map(|(_, s)| s.header_lines.clone())
                .unwrap_or_default(),
            place: v.issuer.as_ref().map(|(_, s)| s.place.clone()),
            signer_lines: if v.doc.signer.title.is_empty() {
                vec![]
            } else {
                v.doc.signer.lines()
            },
            signer: v.doc.signer.clone(),
            body: v.doc.body.clone(),
            recipients: v
                .recipients
                .iter()
                .map(|r| RecipientDto {
                    unit_code: r.unit_id.and_then(|u| v.recipient_codes.get(&u).cloned()),
                    label: Some(r.label.clone()),
                })
                .collect(),
            consultations: v.consultations.iter().map(ConsultationDto::from).collect(),
            related: v.related.iter().map(DocumentSummaryDto::from).collect(),
        }
    }
}

/// Cài đặt cơ quan ban hành.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct IssuerDto {
    /// Ký hiệu: UBND, PGDĐT.
    pub abbreviation: String,
    /// Tên cơ quan, từng dòng: ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ THỦ DẦU MỘT"].
    pub header_lines: Vec<String>,
    /// Tên khi được trích dẫn trong căn cứ: "UBND thành phố".
    #[serde(default)]
    pub cited_name: String,
    /// Địa danh: "Thủ Dầu Một".
    pub place: String,
}

/// Số đã dùng ngoài tuanle.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    pub year: i64,
    /// Số cuối cùng đã dùng trong năm (văn bản kế tiếp nhận số này + 1).
    pub last_used: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterDto {
    pub next_number: i64,
}

/// Soạn kế hoạch.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPlanRequest {
    pub drafting_unit_code: String,
    pub issuer_unit_code: String,
    pub subject: String,
    /// Bỏ trống để điền sẵn từ kế hoạch đã ban hành của cấp trên.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub content: Option<PlanContent>,
    /// Văn bản làm căn cứ (mã văn bản).
    #[serde(default)]
    pub basis_document_ids: Vec<i64>,
    #[serde(default)]
    pub recipients: Vec<RecipientDto>,
}

/// Sửa dự thảo.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditRequest {
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub content: Option<serde_json::Value>,
    #[serde(default)]
    pub recipients: Option<Vec<RecipientDto>>,
    /// Lý do sửa (ghi vào phiên bản).
    #[serde(default)]
    pub note: String,
}

/// Công văn do hệ thống ban hành thay đơn vị soạn thảo (xin ý kiến, tờ trình).
#[derive(Debug, Deserialize, ToSchema)]
pub struct LetterDto {
    pub subject: String,
    #[serde(default)]
    pub paragraphs: Vec<String>,
    #[serde(default)]
    pub field: Option<String>,
    #[schema(value_type = Object)]
    pub signer: Signer,
    #[serde(default)]
    pub extra_recipients: Vec<String>,
    /// Ngày công văn (mặc định hôm nay; không được sau hôm nay).
    #[serde(default)]
    pub date: Option<NaiveDate>,
}

impl LetterDto {
    fn split(self) -> (LetterInput, Option<NaiveDate>) {
        (
            LetterInput {
                subject: self.subject,
                paragraphs: self.paragraphs,
                field: self.field,
                signer: self.signer,
                extra_recipients: self.extra_recipients,
            },
            self.date,
        )
    }
}

/// Gửi lấy ý kiến.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConsultationRequest {
    pub unit_codes: Vec<String>,
    pub deadline: NaiveDate,
    pub letter: LetterDto,
}

/// Trả lời góp ý (JSON; tệp đính kèm: gửi multipart tới cùng địa chỉ).
#[derive(Debug, Deserialize, ToSchema)]
pub struct AnswerRequest {
    /// true: thống nhất.
    pub agree: bool,
    #[serde(default)]
    pub comment: String,
}

/// Phê duyệt hoặc trả lại.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DocReviewRequest {
    /// approve | return
    pub action: String,
    #[serde(default)]
    pub comment: String,
}

/// Ban hành.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IssueRequest {
    #[schema(value_type = Object)]
    pub signer: Signer,
    /// Ngày ban hành (mặc định hôm nay).
    #[serde(default)]
    pub date: Option<NaiveDate>,
}

/// Gửi nơi nhận.
#[derive(Debug, Deserialize, ToSchema, Default)]
pub struct DistributeRequest {
    /// Ngày đến ở nơi nhận (mặc định hôm nay).
    #[serde(default)]
    pub date: Option<NaiveDate>,
}

/// Một dòng sổ văn bản đến (cột theo Phụ lục IV).
#[derive(Debug, Serialize, ToSchema)]
pub struct IncomingDto {
    pub id: i64,
    pub arrived_on: NaiveDate,
    pub arrival_number: i64,
    /// Tác giả.
    pub author: String,
    pub number: Option<String>,
    pub document_date: Option<NaiveDate>,
    /// Tên loại và trích yếu nội dung.
    pub kind_and_subject: String,
    /// Đơn vị hoặc người nhận.
    pub handler: String,
    /// Ngày chuyển.
    pub passed_on: Option<NaiveDate>,
    pub note: String,
    pub document_id: i64,
}

fn incoming_dto(r: &IncomingRecord, d: &DocumentRecord) -> IncomingDto {
    IncomingDto {
        id: r.id,
        arrived_on: r.arrived_on,
        arrival_number: r.arrival_number,
        author: d.issuer_name.clone(),
        number: d.number_text.clone(),
        document_date: d.issued_on,
        kind_and_subject: format!("{} {}", d.kind.name_vi(), d.subject),
        handler: r.handler.clone(),
        passed_on: r.passed_on,
        note: r.note.clone(),
        document_id: r.document_id,
    }
}

impl From<&IncomingView> for IncomingDto {
    fn from(v: &IncomingView) -> Self {
        incoming_dto(&v.record, &v.doc)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PassRequest {
    /// Người hoặc bộ phận được chuyển.
    pub handler: String,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct YearQuery {
    /// Năm của sổ (mặc định năm nay).
    pub year: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CampaignQuery {
    pub campaign_id: Option<i64>,
}

/// Nhiệm vụ.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDto {
    pub id: i64,
    pub document_id: i64,
    pub document_number: Option<String>,
    pub block: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub title: String,
    pub deadline: Option<NaiveDate>,
    /// open, in_progress, done.
    pub status: String,
    pub status_label: String,
    pub progress: i64,
    pub evidence: String,
    /// Quá hạn mà chưa hoàn thành.
    pub overdue: bool,
}

impl From<&TaskView> for TaskDto {
    fn from(t: &TaskView) -> Self {
        TaskDto {
            id: t.task.id,
            document_id: t.task.document_id,
            document_number: t.document_number.clone(),
            block: t.task.block,
            unit_code: t.unit.code.clone(),
            unit_name: t.unit.name.clone(),
            title: t.task.title.clone(),
            deadline: t.task.deadline,
            status: t.task.status.as_str().into(),
            status_label: t.task.status.label_vi().into(),
            progress: t.task.progress,
            evidence: t.task.evidence.clone(),
            overdue: t.overdue,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TaskUpdateRequest {
    /// open, in_progress, done.
    pub status: String,
    #[serde(default)]
    pub progress: Option<i64>,
    /// Minh chứng: đường dẫn, số văn bản báo cáo…
    #[serde(default)]
    pub evidence: String,
}

/// Một đơn vị trong sơ đồ triển khai.
#[derive(Debug, Serialize, ToSchema)]
pub struct CascadeRowDto {
    pub unit_code: String,
    pub unit_name: String,
    pub plan: Option<DocumentSummaryDto>,
    pub consultation_open: Option<bool>,
    pub consultation_summary: Option<String>,
    pub tasks_total: usize,
    pub tasks_done: usize,
    pub tasks_open: usize,
    pub tasks_overdue: usize,
    pub tasks: Vec<TaskDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CascadeDto {
    pub unit_code: String,
    pub unit_name: String,
    pub rows: Vec<CascadeRowDto>,
}

impl From<&CascadeView> for CascadeDto {
    fn from(v: &CascadeView) -> Self {
        CascadeDto {
            unit_code: v.unit.code.clone(),
            unit_name: v.unit.name.clone(),
            rows: v
                .rows
                .iter()
                .map(|r| CascadeRowDto {
                    unit_code: r.unit.code.clone(),
                    unit_name: r.unit.name.clone(),
                    plan: r.plan.as_ref().map(DocumentSummaryDto::from),
                    consultation_open: r.consultation.map(|c| c.1),
                    consultation_summary: r.consultation.map(|c| c.0.sentence_vi()),
                    tasks_total: r.counts.total,
                    tasks_done: r.counts.done,
                    tasks_open: r.counts.open,
                    tasks_overdue: r.counts.overdue,
                    tasks: r.tasks.iter().map(TaskDto::from).collect(),
                })
                .collect(),
        }
    }
}

/// Kế hoạch gợi ý.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrefillDto {
    pub parent: Option<DocumentSummaryDto>,
    #[schema(value_type = Object)]
    pub content: PlanContent,
}

/// Multipart form of an external document (for the OpenAPI document only).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ExternalUpload {
    /// Loại: CV, KH, QĐ…
    kind: String,
    /// Số, ký hiệu: 3764/BGDĐT-GDTrH.
    number: String,
    /// Ngày văn bản YYYY-MM-DD.
    date: String,
    /// Cơ quan ban hành.
    issuer: String,
    /// Trích yếu.
    subject: String,
    campaign_id: Option<i64>,
    /// Tệp PDF (tùy chọn, tối đa 10 MB).
    #[schema(value_type = Option<String>, format = Binary)]
    pdf: Option<Vec<u8>>,
}

// ---- helpers ------------------------------------------------------------------------------

fn multipart_error(e: impl std::fmt::Display) -> Response {
    Rejection::new(
        StatusCode::BAD_REQUEST,
        "invalid",
        format!("Dữ liệu multipart không hợp lệ: {e}"),
    )
    .into_response()
}

/// Text fields and files of a multipart form.
async fn read_form(
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<
    (
        std::collections::HashMap<String, String>,
        Vec<(String, String, Vec<u8>)>,
    ),
    Response,
> {
    let mut m = multipart.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            super::body_rejection(e.status()).into_response()
        } else {
            multipart_error(e.body_text())
        }
    })?;
    let mut text = std::collections::HashMap::new();
    let mut files = Vec::new();
    while let Some(f) = m
        .next_field()
        .await
        .map_err(|e| multipart_error(e.body_text()))?
    {
        let name = f.name().unwrap_or_default().to_string();
        match f.file_name().map(str::to_string) {
            Some(file_name) => {
                let data = f
                    .bytes()
                    .await
                    .map_err(|e| multipart_error(e.body_text()))?;
                if !data.is_empty() {
                    files.push((name, file_name, data.to_vec()));
                }
            }
            None => {
                let v = f.text().await.map_err(|e| multipart_error(e.body_text()))?;
                text.insert(name, v);
            }
        }
    }
    Ok((text, files))
}

fn api_err(e: AppError) -> Response {
    ApiError(e).into_response()
}

pub(crate) fn pdf_response(name: &str, bytes: Vec<u8>) -> Response {
    let ct = if bytes.starts_with(b"%PDF-") {
        "application/pdf"
    } else {
        "application/octet-stream"
    };
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, ct.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{safe}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

// ---- issuers -------------------------------------------------------------------------------

/// Cài đặt cơ quan ban hành
///
/// Ký hiệu (UBND, PGDĐT), các dòng tên cơ quan ở đầu văn bản, tên khi được trích dẫn,
/// địa danh. Quản trị của đơn vị.
#[utoipa::path(put, path = "/v1/issuers/{code}", tag = "plans",
    params(("code" = String, Path, description = "Mã đơn vị")),
    request_body = IssuerDto, security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = IssuerDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    extensions(("x-roles" = json!(["admin"]))))]
pub async fn set_issuer(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    Body(req): Body<IssuerDto>,
) -> ApiResult<Json<IssuerDto>> {
    let r = state
        .app
        .set_issuer(
            &actor,
            &code,
            &IssuerSettings {
                abbreviation: req.abbreviation,
                header_lines: req.header_lines,
                cited_name: req.cited_name,
                place: req.place,
            },
        )
        .await?;
    Ok(Json(IssuerDto {
        abbreviation: r.abbreviation,
        header_lines: r.header_lines,
        cited_name: r.cited_name,
        place: r.place,
    }))
}

/// Sổ văn bản đi: số đã dùng ngoài tuanle
///
/// Ghi nhận số cuối cùng đã dùng trong năm (trước khi dùng tuanle); số kế tiếp theo sau.
/// Chỉ tiến, không lùi: một số đã cấp không bao giờ được cấp lại.
#[utoipa::path(post, path = "/v1/issuers/{code}/register", tag = "plans",
    params(("code" = String, Path, description = "Mã đơn vị")),
    request_body = RegisterRequest, security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = RegisterDto), (status = 409, body = ErrorBody)),
    extensions(("x-roles" = json!(["admin"]))))]
pub async fn raise_register(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    Body(req): Body<RegisterRequest>,
) -> ApiResult<Json<RegisterDto>> {
    let next_number = state
        .app
        .raise_register(&actor, &code, req.year, req.last_used)
        .await?;
    Ok(Json(RegisterDto { next_number }))
}

// ---- documents ------------------------------------------------------------------------------

/// Danh sách văn bản
///
/// Văn bản do các đơn vị trong cây con của người gọi soạn, ban hành; và văn bản bên ngoài đã vào sổ.
#[utoipa::path(get, path = "/v1/documents", tag = "plans", params(CampaignQuery),
    security(("bearer" = [])), responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = Vec<DocumentSummaryDto>)),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"]))))]
pub async fn list_documents(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<CampaignQuery>,
) -> ApiResult<Json<Vec<DocumentSummaryDto>>> {
    let list = state.app.documents(&actor, q.campaign_id).await?;
    Ok(Json(list.iter().map(DocumentSummaryDto::from).collect()))
}

/// Vào sổ văn bản bên ngoài
///
/// Multipart: kind, number, date, issuer, subject, campaign_id (tùy chọn), pdf (tùy chọn).
/// Số đã vào sổ (cùng cơ quan, cùng năm) bị từ chối.
#[utoipa::path(post, path = "/v1/documents/external", tag = "plans",
    request_body(content = ExternalUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 201, body = DocumentSummaryDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"]))))]
pub async fn record_external(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<DocumentSummaryDto>), Response> {
    let (text, files) = read_form(multipart).await?;
    let get = |k: &str| {
        text.get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let kind = DocKind::parse(&get("kind")).ok_or_else(|| {
        api_err(AppError::invalid(
            "Loại văn bản",
            format!(
                "\"{}\" không phải loại văn bản (CV, KH, QĐ, BC, TTr…)",
                get("kind")
            ),
        ))
    })?;
    let date = NaiveDate::parse_from_str(&get("date"), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&get("date"), "%d/%m/%Y"))
        .map_err(|_| {
            api_err(AppError::invalid(
                "Ngày văn bản",
                "cần dạng YYYY-MM-DD hoặc dd/mm/yyyy",
            ))
        })?;
    let campaign_id = match get("campaign_id").as_str() {
        "" => None,
        s => Some(
            s.parse()
                .map_err(|_| api_err(AppError::invalid("campaign_id", "không phải số")))?,
        ),
    };
    let file = files.into_iter().find(|f| f.0 == "pdf").map(|f| (f.1, f.2));
    let d = state
        .app
        .record_external(
            &actor,
            ExternalInput {
                kind,
                number_text: get("number"),
                issued_on: date,
                issuer_name: get("issuer"),
                subject: get("subject"),
                campaign_id,
                file,
            },
        )
        .await
        .map_err(api_err)?;
    Ok((StatusCode::CREATED, Json((&d).into())))
}

/// Xem văn bản
#[utoipa::path(get, path = "/v1/documents/{id}", tag = "plans",
    params(("id" = i64, Path, description = "Mã văn bản")), security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = DocumentDto), (status = 404, body = ErrorBody)),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"]))))]
pub async fn get_document(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<DocumentDto>> {
    Ok(Json((&state.app.document(&actor, id).await?).into()))
}

/// Sửa dự thảo
///
/// Mỗi lần sửa là một phiên bản mới; mọi phiên bản được giữ.
#[utoipa::path(put, path = "/v1/documents/{id}", tag = "plans",
    params(("id" = i64, Path, description = "Mã văn bản")), request_body = EditRequest,
    security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = DocumentDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"]))))]
pub async fn edit_document(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    Body(req): Body<EditRequest>,
) -> ApiResult<Json<DocumentDto>> {
    let v = state
        .app
        .edit_document(
            &actor,
            id,
            EditInput {
                subject: req.subject,
                content: req.content,
                recipients: req
                    .recipients
                    .map(|l| l.into_iter().map(Into::into).collect()),
                note: req.note,
            },
        )
        .await?;
    Ok(Json((&v).into()))
}

/// Các phiên bản của văn bản
#[utoipa::path(get, path = "/v1/documents/{id}/versions", tag = "plans",
    params(("id" = i64, Path, description = "Mã văn bản")), security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = Object), (status = 404, body = ErrorBody)),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"]))))]
pub async fn document_versions(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<serde_json::Value>> {
    let v = state.app.document_versions(&actor, id).await?;
    Ok(Json(serde_json::to_value(v).unwrap_or_default()))
}

/// Tệp PDF của văn bản bên ngoài
#[utoipa::path(get, path = "/v1/documents/{id}/file", tag = "plans",
    params(("id" = i64, Path, description = "Mã văn bản")), security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, content((Vec<u8> = "application/pdf"))), (status = 404, body = ErrorBody)),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"]))))]
pub async fn document_file(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let (name, bytes) = state.app.document_file(&actor, id).await?;
    Ok(pdf_response(&name, bytes))
}

/// Tải văn bản (Word/PDF)
///
/// Kế hoạch, công văn góp ý, tờ trình theo thể thức Nghị định 30/2020: dự thảo để trống
/// số và ngày; văn bản đã ban hành có số, ngày, người ký và Nơi nhận.
#[utoipa::path(get, path = "/v1/documents/{id}/document/{format}", tag = "plans",
    params(("id" = i64, Path, description = "Mã văn bản"),
        ("format" = String, Path, description = "`docx` hoặc `pdf`", example = "docx")),
    security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, description = "Tệp văn bản", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (Vec<u8> = "application/pdf"),
        )),
        (status = 404, description = "Không có, hoặc ngoài cây con", body = ErrorBody),
        (status = 409, description = "Văn bản bên ngoài (tải tệp đính kèm)", body = ErrorBody)),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"]))))]
pub async fn document_render(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, format)): ApiPath<(i64, String)>,
) -> Result<Response, ApiError> {
    let format = super::documents::format_of(&format)?;
    let doc = state.app.render_document(&actor, id, format).await?;
    Ok(super::documents::download(doc))
}

// ---- plans --------------------------------------------------------------------------------

/// Soạn kế hoạch
///
/// Không gửi `content` thì nội dung được điền sẵn từ kế hoạch đã ban hành của cấp trên
/// (chủ đề, thời gian, hoạt động và dòng căn cứ).
#[utoipa::path(post, path = "/v1/campaigns/{id}/plans", tag = "plans",
    params(("id" = i64, Path, description = "Mã Tuần lễ")), request_body = NewPlanRequest,
    security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 201, body = DocumentDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"]))))]
pub async fn create_plan(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    Body(req): Body<NewPlanRequest>,
) -> ApiResult<(StatusCode, Json<DocumentDto>)> {
    let v = state
        .app
        .create_plan(
            &actor,
            PlanInput {
                campaign_id: id,
                drafting_unit_code: req.drafting_unit_code,
                issuer_unit_code: req.issuer_unit_code,
                subject: req.subject,
                content: req.content,
                basis_document_ids: req.basis_document_ids,
                recipients: req.recipients.into_iter().map(Into::into).collect(),
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json((&v).into())))
}

/// Nội dung gợi ý cho kế hoạch của một đơn vị
#[utoipa::path(get, path = "/v1/campaigns/{id}/plans/prefill/{code}", tag = "plans",
    params(("id" = i64, Path, description = "Mã Tuần lễ"), ("code" = String, Path, description = "Mã đơn vị soạn thảo")),
    security(("bearer" = [])), responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = PrefillDto), (status = 404, body = ErrorBody),
        (status = 422, description = "Không có đơn vị soạn thảo mã này trong cây của Tuần lễ", body = ErrorBody)),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"]))))]
pub async fn prefill_plan(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
) -> ApiResult<Json<PrefillDto>> {
    let (parent, content) = state.app.prefill_plan(&actor, id, &code).await?;
    Ok(Json(PrefillDto {
        parent: parent.as_ref().map(DocumentSummaryDto::from),
        content,
    }))
}

/// Gửi lấy ý kiến góp ý
///
/// Ban hành công văn xin ý kiến của đơn vị soạn thảo (có số) tới các đơn vị được chọn, với hạn góp ý.
#[utoipa::path(post, path = "/v1/documents/{id}/consultations", tag = "plans",
    params(("id" = i64, Path, description = "Mã văn bản")), request_body = ConsultationRequest,
    security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 201, body = ConsultationDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"]))))]
pub async fn start_consultation(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    Body(req): Body<ConsultationRequest>,
) -> ApiResult<(StatusCode, Json<ConsultationDto>)> {
    let (letter, date) = req.letter.split();
    let v = state
        .app
        .start_consultation(&actor, id, &req.unit_codes, req.deadline, letter, date)
        .await?;
    Ok((StatusCode::CREATED, Json((&v).into())))
}

/// Xem đợt góp ý
///
/// Sau hạn, đơn vị chưa trả lời hiện là «không có ý kiến, xem như thống nhất» (silent).
#[utoipa::path(get, path = "/v1/consultations/{id}", tag = "plans",
    params(("id" = i64, Path, description = "Mã đợt góp ý")), security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = ConsultationDto), (status = 404, body = ErrorBody)),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"]))))]
pub async fn get_consultation(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ConsultationDto>> {
    Ok(Json((&state.app.consultation(&actor, id).await?).into()))
}

/// Trả lời góp ý
///
/// JSON `{"agree": true}` (thống nhất) hoặc `{"agree": false, "comment": "…"}`; hoặc
/// multipart với các trường agree, comment, file (văn bản góp ý). Sau hạn: 409.
#[utoipa::path(post, path = "/v1/consultations/{id}/replies/{code}", tag = "plans",
    params(("id" = i64, Path, description = "Mã đợt góp ý"), ("code" = String, Path, description = "Mã đơn vị góp ý")),
    request_body = AnswerRequest, security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = ConsultationDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"]))))]
pub async fn answer_consultation(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
    req: axum::extract::Request,
) -> Result<Json<ConsultationDto>, Response> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/"));
    let (agree, comment, file) = if is_multipart {
        let m = <Multipart as axum::extract::FromRequest<()>>::from_request(req, &()).await;
        let (text, files) = read_form(m).await?;
        let agree = matches!(
            text.get("agree").map(|s| s.trim()),
            Some("true" | "1" | "on")
        );
        (
            agree,
            text.get("comment").cloned().unwrap_or_default(),
            files.into_iter().next().map(|f| (f.1, f.2)),
        )
    } else {
        let Body(b) =
            <Body<AnswerRequest> as axum::extract::FromRequest<()>>::from_request(req, &())
                .await
                .map_err(IntoResponse::into_response)?;
        (b.agree, b.comment, None)
    };
    let v = state
        .app
        .answer_consultation(&actor, id, &code, agree, &comment, file)
        .await
        .map_err(api_err)?;
    Ok(Json((&v).into()))
}

/// Tệp đính kèm của ý kiến góp ý
///
/// Văn bản (PDF) mà đơn vị gửi kèm ý kiến góp ý của mình.
#[utoipa::path(get, path = "/v1/consultations/{id}/replies/{code}/file", tag = "plans",
    params(("id" = i64, Path, description = "Mã đợt góp ý"), ("code" = String, Path, description = "Mã đơn vị góp ý")),
    security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, content((Vec<u8> = "application/pdf"))), (status = 404, body = ErrorBody)),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"]))))]
pub async fn reply_file(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
) -> Result<Response, ApiError> {
    let (name, bytes) = state.app.reply_file(&actor, id, &code).await?;
    Ok(pdf_response(&name, bytes))
}

/// Trình phê duyệt
///
/// Ban hành tờ trình (công văn của đơn vị soạn thảo) gửi cơ quan ban hành. Đợt góp ý phải
/// đã kết thúc (mọi đơn vị trả lời, hoặc đã qua hạn: đơn vị im lặng được ghi là thống nhất).
#[utoipa::path(post, path = "/v1/documents/{id}/submit", tag = "plans",
    params(("id" = i64, Path, description = "Mã văn bản")), request_body = LetterDto,
    security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = DocumentDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"]))))]
pub async fn submit_document(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    Body(req): Body<LetterDto>,
) -> ApiResult<Json<DocumentDto>> {
    let (letter, date) = req.split();
    Ok(Json(
        (&state.app.submit_document(&actor, id, letter, date).await?).into(),
    ))
}

/// Phê duyệt hoặc trả lại
#[utoipa::path(post, path = "/v1/documents/{id}/review", tag = "plans",
    params(("id" = i64, Path, description = "Mã văn bản")), request_body = DocReviewRequest,
    security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = DocumentDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"]))))]
pub async fn review_document(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    Body(req): Body<DocReviewRequest>,
) -> ApiResult<Json<DocumentDto>> {
    let approve = match req.action.as_str() {
        "approve" => true,
        "return" => false,
        other => {
            return Err(AppError::invalid(
                "action",
                format!("\"{other}\" không hợp lệ (approve hoặc return)"),
            )
            .into())
        }
    };
    Ok(Json(
        (&state
            .app
            .review_document(&actor, id, approve, &req.comment)
            .await?)
            .into(),
    ))
}

/// Ban hành
///
/// Cấp số kế tiếp của sổ văn bản đi (theo năm của ngày ban hành) và ngày; cần người ký.
/// Các phân công ở mục III trở thành nhiệm vụ của đơn vị được giao.
#[utoipa::path(post, path = "/v1/documents/{id}/issue", tag = "plans",
    params(("id" = i64, Path, description = "Mã văn bản")), request_body = IssueRequest,
    security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = DocumentDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"]))))]
pub async fn issue_document(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    Body(req): Body<IssueRequest>,
) -> ApiResult<Json<DocumentDto>> {
    Ok(Json(
        (&state
            .app
            .issue_document(&actor, id, req.signer, req.date)
            .await?)
            .into(),
    ))
}

/// Gửi nơi nhận
///
/// Mỗi đơn vị nhận trong cây được vào sổ văn bản đến (số đến theo năm, ngày đến).
#[utoipa::path(post, path = "/v1/documents/{id}/distribute", tag = "plans",
    params(("id" = i64, Path, description = "Mã văn bản")), request_body = DistributeRequest,
    security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = Vec<IncomingDto>), (status = 409, body = ErrorBody)),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"]))))]
pub async fn distribute_document(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    Body(req): Body<DistributeRequest>,
) -> ApiResult<Json<Vec<IncomingDto>>> {
    let rows = state.app.distribute_document(&actor, id, req.date).await?;
    let d = state.app.document_record(&actor, id).await?;
    Ok(Json(rows.iter().map(|r| incoming_dto(r, &d)).collect()))
}

// ---- incoming register ------------------------------------------------------------------------

/// Sổ văn bản đến của đơn vị
#[utoipa::path(get, path = "/v1/units/{code}/incoming", tag = "plans",
    params(("code" = String, Path, description = "Mã đơn vị"), YearQuery), security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = Vec<IncomingDto>), (status = 404, body = ErrorBody)),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"]))))]
pub async fn incoming_register(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Json<Vec<IncomingDto>>> {
    let year = q
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&state.app.today()) as i64);
    let (_, rows) = state.app.incoming_register(&actor, &code, year).await?;
    Ok(Json(rows.iter().map(IncomingDto::from).collect()))
}

/// Chuyển văn bản đến cho người xử lý
#[utoipa::path(post, path = "/v1/incoming/{id}/pass", tag = "plans",
    params(("id" = i64, Path, description = "Mã dòng sổ đến")), request_body = PassRequest,
    security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = Object), (status = 404, body = ErrorBody)),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"]))))]
pub async fn pass_incoming(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    Body(req): Body<PassRequest>,
) -> ApiResult<Json<serde_json::Value>> {
    let r = state.app.pass_incoming(&actor, id, &req.handler).await?;
    Ok(Json(
        serde_json::json!({"id": r.id, "handler": r.handler, "passed_on": r.passed_on}),
    ))
}

// ---- tasks and cascade ------------------------------------------------------------------------

/// Nhiệm vụ do văn bản giao
#[utoipa::path(get, path = "/v1/documents/{id}/tasks", tag = "plans",
    params(("id" = i64, Path, description = "Mã văn bản")), security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = Vec<TaskDto>), (status = 404, body = ErrorBody)),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"]))))]
pub async fn document_tasks(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<TaskDto>>> {
    let t = state.app.document_tasks(&actor, id).await?;
    Ok(Json(t.iter().map(TaskDto::from).collect()))
}

/// Nhiệm vụ của các đơn vị trong cây con
#[utoipa::path(get, path = "/v1/campaigns/{id}/tasks/{code}", tag = "plans",
    params(("id" = i64, Path, description = "Mã Tuần lễ"), ("code" = String, Path, description = "Mã đơn vị")),
    security(("bearer" = [])), responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = Vec<TaskDto>), (status = 404, body = ErrorBody)),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"]))))]
pub async fn unit_tasks(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
) -> ApiResult<Json<Vec<TaskDto>>> {
    let t = state.app.unit_tasks(&actor, Some(id), &code).await?;
    Ok(Json(t.iter().map(TaskDto::from).collect()))
}

/// Cập nhật nhiệm vụ
#[utoipa::path(put, path = "/v1/tasks/{id}", tag = "plans",
    params(("id" = i64, Path, description = "Mã nhiệm vụ")), request_body = TaskUpdateRequest,
    security(("bearer" = [])),
    responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = TaskDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    extensions(("x-roles" = json!(["reporter", "reviewer", "admin"]))))]
pub async fn update_task(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    Body(req): Body<TaskUpdateRequest>,
) -> ApiResult<Json<TaskDto>> {
    let status = TaskStatus::parse(&req.status).ok_or_else(|| {
        AppError::invalid(
            "Trạng thái",
            format!("\"{}\" không hợp lệ (open, in_progress, done)", req.status),
        )
    })?;
    let t = state
        .app
        .update_task(&actor, id, status, req.progress, &req.evidence)
        .await?;
    Ok(Json((&t).into()))
}

/// Sơ đồ triển khai
///
/// Với đơn vị và từng đơn vị trực thuộc: kế hoạch (số, ngày), tình trạng góp ý, nhiệm vụ
/// hoàn thành / chưa xong / quá hạn.
#[utoipa::path(get, path = "/v1/campaigns/{id}/cascade/{code}", tag = "plans",
    params(("id" = i64, Path, description = "Mã Tuần lễ"), ("code" = String, Path, description = "Mã đơn vị")),
    security(("bearer" = [])), responses((status = 401, description = "Chưa đăng nhập", body = ErrorBody),
        (status = 200, body = CascadeDto), (status = 404, body = ErrorBody)),
    extensions(("x-roles" = json!(["viewer", "reporter", "reviewer", "admin"]))))]
pub async fn cascade(
    ApiUser(actor): ApiUser,
    State(state): State<AppState>,
    ApiPath((id, code)): ApiPath<(i64, String)>,
) -> ApiResult<Json<CascadeDto>> {
    Ok(Json((&state.app.cascade(&actor, id, &code).await?).into()))
}
