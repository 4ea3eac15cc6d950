//! Request and response bodies of the API. Domain and app types carry no OpenAPI
//! derives; they are mapped here.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tuanle_app::consolidation::{Completeness, ConsolidationView};
use tuanle_app::reports::ReportView;
use tuanle_app::AppError;
use tuanle_domain::access::Role;
use tuanle_domain::campaign::{Campaign, LevelDeadline};
use tuanle_domain::consolidate::Totals;
use tuanle_domain::format::parse_integer_vi;
use tuanle_domain::report::{Basis, Figures, Narrative, ReportStatus};
use tuanle_domain::template::{Indicator, RowKind, Template, ValueColumn};
use tuanle_domain::unit::Unit;
use tuanle_domain::validate::{cell_name, parse_cells, Issue, IssueCode};
use tuanle_store::{PhotoMeta, ReportHistoryEntry, UserRecord};
use utoipa::{IntoParams, ToSchema};

use crate::error::IssueBody;

/// Số liệu: mã dòng → mã cột → giá trị (số nguyên).
pub type FiguresMap = BTreeMap<String, BTreeMap<String, i64>>;

// ---------------------------------------------------------------- auth

/// Đăng nhập để lấy token.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    #[schema(example = "quan7")]
    pub username: String,
    #[schema(example = "demo")]
    pub password: String,
}

/// Token API (dùng trong tiêu đề `Authorization: Bearer <token>`).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub token: String,
    /// Luôn là "Bearer".
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Hết hạn lúc (RFC 3339, UTC).
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// Vai trò người dùng.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleDto {
    /// Xem.
    Viewer,
    /// Báo cáo viên.
    Reporter,
    /// Người duyệt.
    Reviewer,
    /// Quản trị.
    Admin,
}

impl From<Role> for RoleDto {
    fn from(r: Role) -> Self {
        match r {
            Role::Viewer => RoleDto::Viewer,
            Role::Reporter => RoleDto::Reporter,
            Role::Reviewer => RoleDto::Reviewer,
            Role::Admin => RoleDto::Admin,
        }
    }
}

impl From<RoleDto> for Role {
    fn from(r: RoleDto) -> Self {
        match r {
            RoleDto::Viewer => Role::Viewer,
            RoleDto::Reporter => Role::Reporter,
            RoleDto::Reviewer => Role::Reviewer,
            RoleDto::Admin => Role::Admin,
        }
    }
}

/// Người dùng.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub role: RoleDto,
    /// Tên vai trò ("Người duyệt").
    pub role_label: String,
    /// Đơn vị của người dùng.
    pub unit_id: i64,
    /// Mã đơn vị (khi biết).
    pub unit_code: Option<String>,
    pub active: bool,
}

impl UserDto {
    pub fn new(u: &UserRecord, unit_code: Option<String>) -> Self {
        UserDto {
            id: u.id,
            username: u.username.clone(),
            full_name: u.full_name.clone(),
            email: u.email.clone(),
            role: u.role.into(),
            role_label: u.role.label_vi().to_string(),
            unit_id: u.unit_id,
            unit_code,
            active: u.active,
        }
    }
}

/// Người đang gọi API.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub user: UserDto,
    pub role: RoleDto,
    pub unit: UnitDto,
}

/// Tạo tài khoản.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewUserRequest {
    /// 3–40 ký tự: chữ không dấu, số, dấu chấm, gạch dưới, gạch ngang.
    pub username: String,
    pub full_name: String,
    #[serde(default)]
    pub email: Option<String>,
    /// Ít nhất 8 ký tự.
    pub password: String,
    /// Mã đơn vị trong cây của người tạo.
    pub unit_code: String,
    pub role: RoleDto,
}

// ---------------------------------------------------------------- units

/// Đơn vị.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitDto {
    pub id: i64,
    pub tree_id: i64,
    /// Mã đơn vị (mã thống kê hoặc mã cơ quan).
    #[schema(example = "27490")]
    pub code: String,
    #[schema(example = "Phường Tân Phong")]
    pub name: String,
    /// Loại đơn vị ("Phường", "TTHTCĐ"…).
    pub unit_type: String,
    /// Độ sâu trong cây: 0 = toàn quốc, 1 = tỉnh, 2 = huyện, 3 = xã.
    pub depth: i64,
    /// Cấp hành chính áp dụng hạn báo cáo.
    pub admin_level: i64,
    pub parent_id: Option<i64>,
}

impl From<&Unit> for UnitDto {
    fn from(u: &Unit) -> Self {
        UnitDto {
            id: u.id,
            tree_id: u.tree_id,
            code: u.code.clone(),
            name: u.name.clone(),
            unit_type: u.unit_type.clone(),
            depth: u.depth,
            admin_level: u.admin_level,
            parent_id: u.parent_id,
        }
    }
}

/// Một đơn vị và các đơn vị trực thuộc.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDetail {
    pub unit: UnitDto,
    pub children: Vec<UnitDto>,
}

/// Tìm đơn vị trong cây của mình (không phân biệt dấu, hoa thường).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitSearch {
    /// Từ khóa, có dấu hoặc không dấu ("tan phong").
    pub q: Option<String>,
    /// Số kết quả tối đa (1–200, mặc định 20).
    pub limit: Option<i64>,
}

/// Thêm cơ quan, đơn vị trực thuộc.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewBodyRequest {
    /// Mã đơn vị cấp trên.
    #[schema(example = "27490")]
    pub parent_code: String,
    /// Mã riêng; để trống thì tạo từ mã cấp trên và loại đơn vị.
    #[serde(default)]
    pub code: Option<String>,
    #[schema(example = "Trường THCS Nguyễn Hữu Thọ")]
    pub name: String,
    /// Một trong các loại cơ quan (`Trường THCS`, `TTHTCĐ`, `Hội Khuyến học`…).
    #[schema(example = "Trường THCS")]
    pub unit_type: String,
}

impl From<NewBodyRequest> for tuanle_app::units::NewBody {
    fn from(b: NewBodyRequest) -> Self {
        tuanle_app::units::NewBody {
            parent_code: b.parent_code,
            code: b.code,
            name: b.name,
            unit_type: b.unit_type,
        }
    }
}

/// Kết quả nhập danh sách cơ quan.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportBodiesResponse {
    pub created: usize,
    pub units: Vec<UnitDto>,
}

// ---------------------------------------------------------------- campaigns

/// Hạn báo cáo của một cấp.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeadlineDto {
    /// 3 = xã/phường, 2 = huyện/quận, 1 = tỉnh.
    pub admin_level: i64,
    /// Ngày (YYYY-MM-DD).
    pub deadline: NaiveDate,
}

/// Tuần lễ.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignDto {
    pub id: i64,
    pub year: i32,
    pub name: String,
    pub themes: Vec<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub tree_id: i64,
    pub template_id: i64,
    /// Loại đơn vị phải báo cáo.
    pub required_types: Vec<String>,
    pub deadlines: Vec<DeadlineDto>,
}

impl From<&Campaign> for CampaignDto {
    fn from(c: &Campaign) -> Self {
        CampaignDto {
            id: c.id,
            year: c.year,
            name: c.name.clone(),
            themes: c.themes.clone(),
            start_date: c.start_date,
            end_date: c.end_date,
            tree_id: c.tree_id,
            template_id: c.template_id,
            required_types: c.required_types.clone(),
            deadlines: c
                .deadlines
                .iter()
                .map(|d| DeadlineDto {
                    admin_level: d.admin_level,
                    deadline: d.deadline,
                })
                .collect(),
        }
    }
}

/// Tạo Tuần lễ.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCampaignRequest {
    pub year: i32,
    pub name: String,
    #[serde(default)]
    pub themes: Vec<String>,
    /// YYYY-MM-DD.
    pub start_date: NaiveDate,
    /// YYYY-MM-DD.
    pub end_date: NaiveDate,
    /// Cây đơn vị; mặc định là cây của người tạo.
    #[serde(default)]
    pub tree_id: Option<i64>,
    pub template_id: i64,
    pub required_types: Vec<String>,
    #[serde(default)]
    pub deadlines: Vec<DeadlineDto>,
}

impl NewCampaignRequest {
    pub fn into_campaign(self, default_tree: i64) -> Campaign {
        Campaign {
            id: 0,
            year: self.year,
            name: self.name,
            themes: self.themes,
            start_date: self.start_date,
            end_date: self.end_date,
            tree_id: self.tree_id.unwrap_or(default_tree),
            template_id: self.template_id,
            required_types: self.required_types,
            deadlines: self
                .deadlines
                .into_iter()
                .map(|d| LevelDeadline {
                    admin_level: d.admin_level,
                    deadline: d.deadline,
                })
                .collect(),
        }
    }
}

/// Mã của đối tượng vừa tạo.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

// ---------------------------------------------------------------- templates

/// Mẫu tổng hợp trong danh sách.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateSummary {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub name: String,
}

/// Cột số liệu.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ColumnDto {
    /// Khóa cột dùng trong số liệu (`count`, `people`).
    pub key: String,
    pub label: String,
}

/// Loại dòng: tiêu đề, số liệu, tổng (của các dòng có `parent` = `of`), ghi chú.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RowKindDto {
    Group,
    Value,
    Total { of: String },
    Note,
}

/// Chỉ tiêu (dòng của mẫu).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IndicatorDto {
    pub code: String,
    pub stt: String,
    pub label: String,
    /// Đơn vị tính.
    pub unit: String,
    /// Khóa các cột dòng này nhận.
    pub columns: Vec<String>,
    /// Dòng cha ("trong đó").
    pub parent: Option<String>,
    /// Số tiền (đồng).
    pub money: bool,
    pub kind: RowKindDto,
}

/// Mẫu tổng hợp, cùng dạng JSON mà `POST /api/v1/templates` nhận.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TemplateDto {
    /// Mã lưu trữ (bỏ qua khi gửi lên).
    #[serde(default)]
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub name: String,
    pub columns: Vec<ColumnDto>,
    pub indicators: Vec<IndicatorDto>,
}

fn column_dto(c: &ValueColumn) -> ColumnDto {
    ColumnDto {
        key: c.key.clone(),
        label: c.label.clone(),
    }
}

fn indicator_dto(i: &Indicator) -> IndicatorDto {
    IndicatorDto {
        code: i.code.clone(),
        stt: i.stt.clone(),
        label: i.label.clone(),
        unit: i.unit.clone(),
        columns: i.columns.clone(),
        parent: i.parent.clone(),
        money: i.money,
        kind: match &i.kind {
            RowKind::Group => RowKindDto::Group,
            RowKind::Value => RowKindDto::Value,
            RowKind::Total { of } => RowKindDto::Total { of: of.clone() },
            RowKind::Note => RowKindDto::Note,
        },
    }
}

impl TemplateDto {
    pub fn new(id: i64, t: &Template) -> Self {
        TemplateDto {
            id,
            code: t.code.clone(),
            version: t.version,
            name: t.name.clone(),
            columns: t.columns.iter().map(column_dto).collect(),
            indicators: t.indicators.iter().map(indicator_dto).collect(),
        }
    }
}

// ---------------------------------------------------------------- reports

/// Trạng thái báo cáo; `none` khi đơn vị chưa có báo cáo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusDto {
    /// Chưa có báo cáo.
    None,
    /// Bản nháp.
    Draft,
    /// Đã nộp.
    Submitted,
    /// Bị trả lại.
    Returned,
    /// Đã chấp nhận.
    Accepted,
}

impl From<Option<ReportStatus>> for StatusDto {
    fn from(s: Option<ReportStatus>) -> Self {
        match s {
            Option::None => StatusDto::None,
            Some(ReportStatus::Draft) => StatusDto::Draft,
            Some(ReportStatus::Submitted) => StatusDto::Submitted,
            Some(ReportStatus::Returned) => StatusDto::Returned,
            Some(ReportStatus::Accepted) => StatusDto::Accepted,
        }
    }
}

fn status_label(s: Option<ReportStatus>) -> String {
    s.map(|s| s.label_vi())
        .unwrap_or("Chưa có báo cáo")
        .to_string()
}

/// Phần thuyết minh (đề cương báo cáo).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct NarrativeDto {
    /// I.1 Công tác chỉ đạo, ban hành kế hoạch triển khai, kiểm tra, đôn đốc thực hiện.
    pub s1_1: String,
    /// I.2 Lễ phát động Tuần lễ.
    pub s1_2: String,
    /// I.3 Nội dung các hoạt động đã triển khai trong Tuần lễ.
    pub s1_3: String,
    /// I.4 Kinh phí tổ chức Tuần lễ.
    pub s1_4: String,
    /// II.1 Những kết quả đã đạt được; bài học kinh nghiệm.
    pub s2_1: String,
    /// II.2 Khó khăn, tồn tại.
    pub s2_2: String,
    /// II.3 Kiến nghị, đề xuất.
    pub s2_3: String,
}

impl From<&Narrative> for NarrativeDto {
    fn from(n: &Narrative) -> Self {
        NarrativeDto {
            s1_1: n.s1_1.clone(),
            s1_2: n.s1_2.clone(),
            s1_3: n.s1_3.clone(),
            s1_4: n.s1_4.clone(),
            s2_1: n.s2_1.clone(),
            s2_2: n.s2_2.clone(),
            s2_3: n.s2_3.clone(),
        }
    }
}

impl From<NarrativeDto> for Narrative {
    fn from(n: NarrativeDto) -> Self {
        Narrative {
            s1_1: n.s1_1,
            s1_2: n.s1_2,
            s1_3: n.s1_3,
            s1_4: n.s1_4,
            s2_1: n.s2_1,
            s2_2: n.s2_2,
            s2_3: n.s2_3,
        }
    }
}

/// Ảnh của báo cáo.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoDto {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub byte_size: i64,
    pub caption: String,
    pub created_at: String,
    /// Địa chỉ tải ảnh (cần token).
    pub url: String,
}

pub fn photo_url(campaign_id: i64, unit_code: &str, photo_id: i64) -> String {
    format!(
        "{}/v1/campaigns/{campaign_id}/reports/{unit_code}/photos/{photo_id}",
        super::MOUNT
    )
}

impl PhotoDto {
    pub fn new(campaign_id: i64, unit_code: &str, p: &PhotoMeta) -> Self {
        PhotoDto {
            id: p.id,
            file_name: p.file_name.clone(),
            content_type: p.content_type.clone(),
            byte_size: p.byte_size,
            caption: p.caption.clone(),
            created_at: p.created_at.clone(),
            url: photo_url(campaign_id, unit_code, p.id),
        }
    }
}

/// Ảnh vừa thêm.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedPhoto {
    pub id: i64,
    pub url: String,
}

/// Báo cáo kết quả của một đơn vị trong một Tuần lễ.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    pub campaign_id: i64,
    pub unit: UnitDto,
    pub status: StatusDto,
    /// Tên trạng thái ("Đã nộp").
    pub status_label: String,
    /// Số lần thay đổi; 0 khi chưa có báo cáo.
    pub version: i64,
    /// Nộp muộn.
    pub late: bool,
    /// Hạn báo cáo của cấp đơn vị.
    pub deadline: Option<NaiveDate>,
    /// Lần nộp đầu (RFC 3339, UTC).
    pub first_submitted_at: Option<String>,
    pub submitted_at: Option<String>,
    pub reviewed_at: Option<String>,
    /// Ý kiến của cấp trên khi trả lại/chấp nhận.
    pub review_comment: Option<String>,
    /// Cấp trên nhập thay.
    pub entered_on_behalf: bool,
    pub updated_at: Option<String>,
    pub figures: FiguresMap,
    /// Ô điền từ hoạt động ("Điền từ hoạt động") với giá trị lúc điền; ô nay khác giá trị
    /// này là đã sửa tay.
    pub from_activities: FiguresMap,
    /// Ghi chú theo dòng.
    pub notes: BTreeMap<String, String>,
    pub narrative: NarrativeDto,
    /// Giải trình theo mã cảnh báo ("W01:1.01").
    pub explanations: BTreeMap<String, String>,
    /// Lỗi của số liệu đang lưu.
    pub errors: Vec<IssueBody>,
    /// Cảnh báo (cần giải trình khi nộp).
    pub warnings: Vec<IssueBody>,
    pub photos: Vec<PhotoDto>,
    /// Người gọi được sửa/nộp báo cáo này.
    pub can_edit: bool,
    /// Người gọi được trả lại/chấp nhận báo cáo này.
    pub can_review: bool,
}

impl ReportDto {
    pub fn new(v: &ReportView, photos: &[PhotoMeta]) -> Self {
        let row = v.record.as_ref().map(|r| &r.row);
        let content = v
            .record
            .as_ref()
            .map(|r| r.content.clone())
            .unwrap_or_default();
        let status = row.map(|r| r.status);
        ReportDto {
            campaign_id: v.campaign.id,
            unit: (&v.unit).into(),
            status: status.into(),
            status_label: status_label(status),
            version: row.map_or(0, |r| r.version),
            late: row.is_some_and(|r| r.late),
            deadline: v.deadline,
            first_submitted_at: row.and_then(|r| r.first_submitted_at.clone()),
            submitted_at: row.and_then(|r| r.submitted_at.clone()),
            reviewed_at: row.and_then(|r| r.reviewed_at.clone()),
            review_comment: row.and_then(|r| r.review_comment.clone()),
            entered_on_behalf: row.is_some_and(|r| r.entered_on_behalf),
            updated_at: row.map(|r| r.updated_at.clone()),
            figures: content.figures.0,
            from_activities: content.from_activities.0,
            notes: content.notes,
            narrative: (&content.narrative).into(),
            explanations: content.explanations,
            errors: v.validation.errors.iter().map(IssueBody::from).collect(),
            warnings: v.validation.warnings.iter().map(IssueBody::from).collect(),
            photos: photos
                .iter()
                .map(|p| PhotoDto::new(v.campaign.id, &v.unit.code, p))
                .collect(),
            can_edit: v.can_edit,
            can_review: v.can_review,
        }
    }
}

/// Lưu nháp hoặc nộp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SaveAction {
    Save,
    Submit,
}

/// Nội dung báo cáo gửi lên; thay thế toàn bộ nội dung đang lưu.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SaveReportRequest {
    pub action: SaveAction,
    /// Mã dòng → khóa cột → số nguyên không âm (kiểu number của JSON; `null` = để trống).
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, BTreeMap<String, Option<i64>>>)]
    pub figures: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
    #[serde(default)]
    pub narrative: NarrativeDto,
    /// Giải trình theo mã cảnh báo ("W01:1.01").
    #[serde(default)]
    pub explanations: BTreeMap<String, String>,
    /// Ô điền từ hoạt động và giá trị lúc điền (cùng dạng với `figures`); bỏ trống: không đánh dấu.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, BTreeMap<String, Option<i64>>>)]
    pub from_activities: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
}

/// A JSON value shown in a message, cut to 40 characters like the domain does.
fn shown(text: &str) -> String {
    text.trim().chars().take(40).collect()
}

/// Converts the figures of a request into domain [`Figures`]. Only JSON integers are
/// taken (and `null` for a blank); strings, fractions and other values are rejected as
/// `E01` naming the row and column, unknown rows/columns as `E03`, with the wording of
/// [`tuanle_domain::validate::parse_cells`]. Negative numbers pass here and are refused
/// by the domain validation (`E02`).
pub fn figures_from_json(
    t: &Template,
    input: &BTreeMap<String, BTreeMap<String, serde_json::Value>>,
) -> Result<Figures, AppError> {
    let mut cells: Vec<(&str, &str, String)> = Vec::new();
    let mut issues: Vec<Issue> = Vec::new();
    for (row, cols) in input {
        for (col, value) in cols {
            let (text, why) = match value {
                serde_json::Value::Null => (String::new(), None),
                serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => (n.to_string(), None),
                serde_json::Value::Number(n) => {
                    let text = n.to_string();
                    let why = "phải là số nguyên, không có phần thập phân";
                    (text, Some(why))
                }
                serde_json::Value::String(s) => (
                    s.clone(),
                    Some("phải ghi dạng số (number) của JSON, không phải chuỗi"),
                ),
                other => (other.to_string(), Some("không phải số nguyên")),
            };
            match why {
                None => cells.push((row, col, text)),
                // A text the domain rejects keeps the domain's own message.
                Some(_) if parse_integer_vi(&text).is_err() => cells.push((row, col, text)),
                Some(why) => {
                    // Check that the cell exists first, with the domain's message.
                    if let Err(mut e) = parse_cells(t, [(row.as_str(), col.as_str(), "0")]) {
                        issues.append(&mut e);
                        continue;
                    }
                    let ind = t.indicator(row).expect("row checked by parse_cells");
                    issues.push(Issue {
                        code: IssueCode::NotInteger,
                        row: Some(row.clone()),
                        column: Some(col.clone()),
                        key: format!("{}:{}", IssueCode::NotInteger.code(), row),
                        message: format!("{}: \"{}\" {why}", cell_name(t, ind, col), shown(&text)),
                    });
                }
            }
        }
    }
    let parsed = parse_cells(t, cells.iter().map(|(r, c, v)| (*r, *c, v.as_str())));
    match parsed {
        Ok(figures) if issues.is_empty() => Ok(figures),
        Ok(_) => Err(AppError::Validation(issues)),
        Err(mut e) => {
            e.append(&mut issues);
            Err(AppError::Validation(e))
        }
    }
}

/// Trả lại hoặc chấp nhận.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    Return,
    Accept,
}

/// Ý kiến của cấp trên.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewRequest {
    pub action: ReviewAction,
    /// Bắt buộc khi trả lại.
    #[serde(default)]
    pub comment: String,
}

/// Một lần thay đổi báo cáo.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntryDto {
    pub version: i64,
    /// save, submit, return, accept.
    pub action: String,
    pub status: String,
    pub comment: Option<String>,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    /// RFC 3339, UTC.
    pub at: String,
    /// Nội dung báo cáo sau thay đổi (figures, notes, narrative, explanations).
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
}

impl From<ReportHistoryEntry> for HistoryEntryDto {
    fn from(h: ReportHistoryEntry) -> Self {
        HistoryEntryDto {
            version: h.version,
            action: h.action,
            status: h.status,
            comment: h.comment,
            user_id: h.user_id,
            username: h.username,
            at: h.at,
            content: h.content,
        }
    }
}

// ---------------------------------------------------------------- consolidation

/// Cơ sở tổng hợp.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BasisDto {
    /// Báo cáo đã nộp (gồm đã chấp nhận).
    #[default]
    Submitted,
    /// Chỉ báo cáo đã chấp nhận.
    Accepted,
}

impl From<BasisDto> for Basis {
    fn from(b: BasisDto) -> Self {
        match b {
            BasisDto::Submitted => Basis::Submitted,
            BasisDto::Accepted => Basis::Accepted,
        }
    }
}

impl From<Basis> for BasisDto {
    fn from(b: Basis) -> Self {
        match b {
            Basis::Submitted => BasisDto::Submitted,
            Basis::Accepted => BasisDto::Accepted,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsolidationQuery {
    /// `submitted` (mặc định) hoặc `accepted`.
    pub basis: Option<BasisDto>,
}

/// Số liệu tổng hợp.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalsDto {
    /// Tổng theo dòng và cột (mọi ô của mẫu, kể cả 0).
    pub figures: FiguresMap,
    /// Số báo cáo được cộng.
    pub reports: i64,
    /// Trong đó nộp muộn.
    pub late: i64,
}

impl TotalsDto {
    pub fn new(t: &Template, totals: &Totals) -> Self {
        let mut figures = FiguresMap::new();
        for ind in &t.indicators {
            for col in &ind.columns {
                if let Some(slot) = t.slot(&ind.code, col) {
                    figures
                        .entry(ind.code.clone())
                        .or_default()
                        .insert(col.clone(), totals.get(slot));
                }
            }
        }
        TotalsDto {
            figures,
            reports: totals.reports,
            late: totals.late,
        }
    }
}

/// Tổng hợp theo một đơn vị trực thuộc.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildTotalsDto {
    pub code: String,
    pub name: String,
    pub unit_type: String,
    /// Tổng của cả nhánh đơn vị con, theo dòng và cột.
    pub figures: FiguresMap,
    /// Số báo cáo được cộng trong nhánh.
    pub reports: i64,
    /// Trong đó nộp muộn.
    pub late: i64,
    /// Trạng thái báo cáo của chính đơn vị con.
    pub status: StatusDto,
    /// Báo cáo của chính đơn vị con nộp muộn.
    pub status_late: bool,
    /// Số đơn vị phải báo cáo trong nhánh.
    pub expected: i64,
    /// Trong đó đã nộp.
    pub submitted: i64,
}

/// Tình hình nộp báo cáo.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletenessDto {
    pub expected: i64,
    pub submitted: i64,
    pub accepted: i64,
    pub on_time: i64,
    pub late: i64,
    pub missing_count: i64,
}

impl From<&Completeness> for CompletenessDto {
    fn from(c: &Completeness) -> Self {
        CompletenessDto {
            expected: c.expected,
            submitted: c.submitted,
            accepted: c.accepted,
            on_time: c.on_time,
            late: c.late,
            missing_count: c.missing_count,
        }
    }
}

/// Đơn vị chưa nộp báo cáo.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissingUnitDto {
    pub code: String,
    pub name: String,
    pub unit_type: String,
    pub status: StatusDto,
    /// Tên đơn vị cấp trên, để dễ nhận ra.
    pub context: String,
}

/// Bảng tổng hợp của một đơn vị.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsolidationDto {
    pub campaign_id: i64,
    pub unit: UnitDto,
    pub basis: BasisDto,
    /// Tổng của cả cây con (gồm báo cáo của chính đơn vị).
    pub totals: TotalsDto,
    /// Trạng thái báo cáo của chính đơn vị.
    pub own_status: StatusDto,
    pub children: Vec<ChildTotalsDto>,
    pub completeness: CompletenessDto,
    /// Đơn vị chưa nộp, khi cây con có không quá 300 đơn vị phải báo cáo; `null` với
    /// cây con lớn hơn: dùng `GET …/consolidation/{code}/missing` để xem từng trang.
    pub missing: Option<Vec<MissingUnitDto>>,
}

impl From<&ConsolidationView> for ConsolidationDto {
    fn from(v: &ConsolidationView) -> Self {
        let t = &v.template;
        ConsolidationDto {
            campaign_id: v.campaign.id,
            unit: (&v.unit).into(),
            basis: v.basis.into(),
            totals: TotalsDto::new(t, &v.totals),
            own_status: v.own.as_ref().map(|r| r.status).into(),
            children: v
                .children
                .iter()
                .map(|c| {
                    let totals = TotalsDto::new(t, &c.totals);
                    ChildTotalsDto {
                        code: c.unit.code.clone(),
                        name: c.unit.name.clone(),
                        unit_type: c.unit.unit_type.clone(),
                        figures: totals.figures,
                        reports: totals.reports,
                        late: totals.late,
                        status: c.own.as_ref().map(|r| r.status).into(),
                        status_late: c.own.as_ref().is_some_and(|r| r.late),
                        expected: c.expected,
                        submitted: c.submitted,
                    }
                })
                .collect(),
            completeness: (&v.completeness).into(),
            missing: v
                .missing
                .as_ref()
                .map(|list| list.iter().map(MissingUnitDto::from).collect()),
        }
    }
}

impl From<&tuanle_app::consolidation::MissingUnit> for MissingUnitDto {
    fn from(m: &tuanle_app::consolidation::MissingUnit) -> Self {
        MissingUnitDto {
            code: m.unit.code.clone(),
            name: m.unit.name.clone(),
            unit_type: m.unit.unit_type.clone(),
            status: m.status.into(),
            context: m.context.clone(),
        }
    }
}

/// Một trang danh sách đơn vị chưa nộp.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissingPageDto {
    /// Tổng số đơn vị chưa nộp trong cây con.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    pub units: Vec<MissingUnitDto>,
}

/// Phân trang.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// Số dòng mỗi trang (1–5.000, mặc định 200).
    pub limit: Option<i64>,
    /// Bỏ qua bao nhiêu dòng đầu (mặc định 0).
    pub offset: Option<i64>,
}

/// Kết quả tính lại tổng hợp.
#[derive(Debug, Serialize, ToSchema)]
pub struct RebuildResponse {
    /// Số tổng đang lưu khác với kết quả tính lại (0 khi mọi thứ khớp).
    pub differing: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(v: serde_json::Value) -> BTreeMap<String, BTreeMap<String, serde_json::Value>> {
        serde_json::from_value(v).unwrap()
    }

    fn issues(r: Result<Figures, AppError>) -> Vec<Issue> {
        match r {
            Err(AppError::Validation(v)) => v,
            other => panic!("expected validation issues, got {other:?}"),
        }
    }

    #[test]
    fn integers_and_nulls_become_figures() {
        let t = Template::builtin_2021();
        let f = figures_from_json(
            &t,
            &input(json!({"1.01": {"count": 2, "people": 40}, "1.02": {"count": null}})),
        )
        .unwrap();
        assert_eq!(f.get("1.01", "people"), Some(40));
        assert_eq!(f.get("1.02", "count"), None);
    }

    #[test]
    fn non_integers_are_refused_naming_the_cell() {
        let t = Template::builtin_2021();
        let v = issues(figures_from_json(
            &t,
            &input(
                json!({"1.01": {"count": "abc", "people": 1.5}, "1.02": {"count": "12"}, "1.03": {"people": 1.234}}),
            ),
        ));
        assert_eq!(v.len(), 4, "{v:?}");
        assert!(v.iter().all(|i| i.code == IssueCode::NotInteger));
        // Same wording as the domain's parser for text it rejects.
        let domain = parse_cells(&t, [("1.01", "count", "abc")]).unwrap_err();
        assert!(v.iter().any(|i| i.message == domain[0].message));
        assert!(v
            .iter()
            .any(|i| i.message.contains("Dòng 1.02") && i.message.contains("\"12\"")));
        // 1.234 would be read as 1234 by the Vietnamese parser: refused as a fraction.
        assert!(v
            .iter()
            .any(|i| i.message.contains("Dòng 1.03") && i.message.contains("thập phân")));
    }

    #[test]
    fn unknown_rows_and_columns_are_refused() {
        let t = Template::builtin_2021();
        let v = issues(figures_from_json(
            &t,
            &input(json!({"99.9": {"count": 1}, "1.01": {"money": 1}, "98": {"count": "x"}})),
        ));
        assert_eq!(v.len(), 3, "{v:?}");
        assert!(v.iter().all(|i| i.code == IssueCode::UnknownCell), "{v:?}");
    }
}
