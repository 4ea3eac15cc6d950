//! Kế hoạch và văn bản — plans down the tree: the document register of each issuing
//! body, external documents, plan drafting prefilled from the parent level, the lifecycle
//! draft → consultation → submitted → approved → issued → distributed (every version
//! kept), consultation with silent consent, the incoming register, tasks and the
//! cascade view. Every write is one transaction with its audit row.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use tuanle_domain::access::{Action, Role};
use tuanle_domain::consultation::{self, ReplyState, Summary};
use tuanle_domain::documents_register::{
    self as register, default_abbreviation, number_and_symbol, place_of, Citation, DocKind,
};
use tuanle_domain::plan::{transition, DocAction, DocStatus, LetterContent, PlanContent, Signer};
use tuanle_domain::task::{self, TaskCounts, TaskStatus};
use tuanle_domain::unit::{is_administrative_type, Unit};
use tuanle_store::{
    ConsultationRecord, DocumentRecord, IncomingRecord, IssuerRecord, NewAudit, NewDocument,
    NewTask, RecipientRow, ReplyRecord, TaskRecord, Tx, SERIES_OUT,
};

use crate::{Actor, App, AppError, Result};

/// Background job: records silent consent on every consultation past its deadline.
pub const CLOSE_CONSULTATIONS: &str = "close_consultations";

/// Largest attachment (external PDF, a comment's file): 10 MB.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// Cài đặt cơ quan ban hành — issuer settings as given by an administrator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IssuerSettings {
    pub abbreviation: String,
    #[serde(default)]
    pub header_lines: Vec<String>,
    #[serde(default)]
    pub cited_name: String,
    #[serde(default)]
    pub place: String,
}

/// Cơ quan ban hành — a body's issuer settings and its outgoing register for one year.
#[derive(Debug, Clone)]
pub struct IssuerOverview {
    pub unit: Unit,
    pub settings: IssuerRecord,
    /// Set by an administrator (otherwise derived from the tree).
    pub configured: bool,
    pub year: i64,
    /// Last outgoing number used in `year` (None: none yet).
    pub last_number: Option<i64>,
}

/// Nơi nhận as given: a unit code of the tree, or the name of an outside body.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct RecipientInput {
    #[serde(default)]
    pub unit_code: Option<String>,
    /// Shown in the Nơi nhận list; for a unit, defaults to its name ("- Phòng Nội vụ;").
    #[serde(default)]
    pub label: Option<String>,
}

/// An external document to record.
#[derive(Debug, Clone)]
pub struct ExternalInput {
    pub kind: DocKind,
    /// "3764/BGDĐT-GDTrH".
    pub number_text: String,
    pub issued_on: NaiveDate,
    /// Cited name: "Bộ Giáo dục và Đào tạo".
    pub issuer_name: String,
    pub subject: String,
    pub campaign_id: Option<i64>,
    pub file: Option<(String, Vec<u8>)>,
}

/// A new plan.
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    pub campaign_id: i64,
    pub drafting_unit_code: String,
    pub issuer_unit_code: String,
    pub subject: String,
    /// Content as written; `None`: prefilled from the parent level's issued plan.
    pub content: Option<PlanContent>,
    /// Documents cited as *căn cứ* (external or issued), lines generated in order.
    pub basis_document_ids: Vec<i64>,
    pub recipients: Vec<RecipientInput>,
}

/// A letter the system issues on the drafter's behalf (góp ý, tờ trình).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LetterInput {
    /// Trích yếu ("V/v góp ý Dự thảo Kế hoạch …").
    pub subject: String,
    #[serde(default)]
    pub paragraphs: Vec<String>,
    /// Drafting unit or field after the issuer's ký hiệu ("VX"); usually empty.
    #[serde(default)]
    pub field: Option<String>,
    pub signer: Signer,
    /// Outside bodies added to the Nơi nhận ("UBND thành phố (b/c)", "Lưu: VT").
    #[serde(default)]
    pub extra_recipients: Vec<String>,
}

/// Changes to a draft.
#[derive(Debug, Clone, Default)]
pub struct EditInput {
    pub subject: Option<String>,
    pub content: Option<serde_json::Value>,
    pub recipients: Option<Vec<RecipientInput>>,
    pub note: String,
}

/// A document with what hangs off it, as the actor may see it.
#[derive(Debug, Clone)]
pub struct DocumentView {
    pub doc: DocumentRecord,
    pub issuer: Option<(Unit, IssuerRecord)>,
    pub drafting_unit: Unit,
    pub recipients: Vec<RecipientRow>,
    /// Unit codes of the recipients that are units of the tree, by unit id.
    pub recipient_codes: HashMap<i64, String>,
    pub consultations: Vec<ConsultationView>,
    pub related: Vec<DocumentRecord>,
}

/// A consultation with its replies as they read today.
#[derive(Debug, Clone)]
pub struct ConsultationView {
    pub record: ConsultationRecord,
    pub replies: Vec<(Unit, ReplyRecord, ReplyState)>,
    pub summary: Summary,
    pub open: bool,
}

/// A row of an incoming register with its document.
#[derive(Debug, Clone)]
pub struct IncomingView {
    pub record: IncomingRecord,
    pub doc: DocumentRecord,
}

/// A task with its unit and whether it is overdue today.
#[derive(Debug, Clone)]
pub struct TaskView {
    pub task: TaskRecord,
    pub unit: Unit,
    pub overdue: bool,
    pub document_number: Option<String>,
}

/// One unit of the cascade view.
#[derive(Debug, Clone)]
pub struct CascadeRow {
    pub unit: Unit,
    /// The unit's plan for the campaign (its issued one if any).
    pub plan: Option<DocumentRecord>,
    /// The plan's latest consultation summary and whether it is open.
    pub consultation: Option<(Summary, bool)>,
    pub counts: TaskCounts,
    pub tasks: Vec<TaskView>,
}

/// Sơ đồ triển khai — a unit and its children.
#[derive(Debug, Clone)]
pub struct CascadeView {
    pub unit: Unit,
    pub rows: Vec<CascadeRow>,
}

fn act_for(actor: &Actor, unit: &Unit) -> Result<()> {
    if actor.can(unit, Action::EditReport) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "Bạn không có quyền thực hiện thay cho \"{}\"",
            unit.name
        )))
    }
}

/// The unit whose subtree a document of `issuer` may address: an administrative unit's
/// own subtree, a body's parent's.
async fn scope_of(app: &App, issuer: &Unit) -> Result<Unit> {
    if is_administrative_type(&issuer.unit_type) {
        return Ok(issuer.clone());
    }
    match issuer.parent_id {
        Some(p) => app
            .store
            .unit(p)
            .await?
            .ok_or_else(|| AppError::NotFound("đơn vị cấp trên".into())),
        None => Ok(issuer.clone()),
    }
}

fn doc_not_found(id: i64) -> AppError {
    AppError::NotFound(format!("Không tìm thấy văn bản {id}"))
}

fn body_of<T: serde::de::DeserializeOwned + Default>(v: &serde_json::Value) -> T {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

impl App {
    // ---- units and issuers -------------------------------------------------------

    async fn unit_in_tree(&self, actor: &Actor, code: &str, field: &str) -> Result<Unit> {
        let code = code.trim();
        self.store
            .unit_by_code(actor.unit.tree_id, code)
            .await?
            .filter(|u| actor.can(u, Action::View))
            .ok_or_else(|| AppError::invalid(field, format!("không có đơn vị mã \"{code}\"")))
    }

    /// The issuer settings of a body: as configured, else derived from the tree.
    pub async fn issuer_settings(&self, unit: &Unit) -> Result<IssuerRecord> {
        if let Some(i) = self.store.issuer(unit.id).await? {
            return Ok(i);
        }
        let admin = is_administrative_type(&unit.unit_type);
        let area = if admin {
            unit.clone()
        } else {
            scope_of(self, unit).await?
        };
        let mut header = vec!["ỦY BAN NHÂN DÂN".to_string(), area.name.to_uppercase()];
        if !admin && unit.unit_type != "UBND" {
            header.push(unit.name.to_uppercase());
        }
        Ok(IssuerRecord {
            unit_id: unit.id,
            abbreviation: default_abbreviation(&unit.unit_type, &unit.name, admin),
            header_lines: header,
            cited_name: unit.name.clone(),
            place: place_of(&area.name),
        })
    }

    /// Cơ quan ban hành và sổ văn bản đi — what the settings page shows an administrator of
    /// the body: its settings (configured or derived), whether they were configured, and
    /// the last outgoing number used in `year`.
    pub async fn issuer_overview(
        &self,
        actor: &Actor,
        unit_code: &str,
        year: i64,
    ) -> Result<IssuerOverview> {
        let unit = self
            .unit_in_tree(actor, unit_code, "Đơn vị")
            .await
            .map_err(|_| AppError::NotFound(format!("Không tìm thấy đơn vị {unit_code}")))?;
        actor.require(&unit, Action::Administer)?;
        let configured = self.store.issuer(unit.id).await?.is_some();
        let settings = self.issuer_settings(&unit).await?;
        let last_number = self.store.last_number_of(unit.id, SERIES_OUT, year).await?;
        Ok(IssuerOverview {
            unit,
            settings,
            configured,
            year,
            last_number,
        })
    }

    /// Đặt ký hiệu, tên và địa danh của cơ quan ban hành — administrators of the body.
    pub async fn set_issuer(
        &self,
        actor: &Actor,
        unit_code: &str,
        s: &IssuerSettings,
    ) -> Result<IssuerRecord> {
        let unit = self.unit_in_tree(actor, unit_code, "Đơn vị").await?;
        actor.require(&unit, Action::Administer)?;
        let abbreviation = s.abbreviation.trim().to_string();
        register::check_abbreviation("Ký hiệu cơ quan", &abbreviation)?;
        let lines: Vec<String> = s
            .header_lines
            .iter()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            return Err(AppError::invalid(
                "Tên cơ quan ban hành",
                "cần ít nhất một dòng (ví dụ ỦY BAN NHÂN DÂN / THÀNH PHỐ THỦ DẦU MỘT)",
            ));
        }
        if s.place.trim().is_empty() {
            return Err(AppError::invalid("Địa danh", "không được để trống"));
        }
        let rec = IssuerRecord {
            unit_id: unit.id,
            abbreviation,
            header_lines: lines,
            cited_name: if s.cited_name.trim().is_empty() {
                unit.name.clone()
            } else {
                s.cited_name.trim().to_string()
            },
            place: s.place.trim().to_string(),
        };
        let mut tx = self.store.begin().await?;
        tx.upsert_issuer(&rec).await?;
        tx.audit(NewAudit {
            action: "set_issuer".into(),
            object_type: "unit".into(),
            object_id: unit.id.to_string(),
            unit_id: Some(unit.id),
            after: Some(serde_json::to_value(&rec).unwrap_or_default()),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Sổ văn bản đi: records that numbers up to `last_used` of `year` were already used
    /// outside tuanle (the e-office register before tuanle), so the next one follows them.
    /// Moves forward only: a number is never handed out twice.
    pub async fn raise_register(
        &self,
        actor: &Actor,
        unit_code: &str,
        year: i64,
        last_used: i64,
    ) -> Result<i64> {
        let unit = self.unit_in_tree(actor, unit_code, "Đơn vị").await?;
        actor.require(&unit, Action::Administer)?;
        if !(2000..=2100).contains(&year) || last_used < 0 {
            return Err(AppError::invalid("Sổ văn bản", "năm hoặc số không hợp lệ"));
        }
        let mut tx = self.store.begin().await?;
        let current = tx
            .last_number(unit.id, SERIES_OUT, year)
            .await?
            .unwrap_or(0);
        if last_used < current {
            return Err(AppError::Conflict(format!(
                "Sổ văn bản đi năm {year} của {} đã dùng đến số {current}; không thể lùi về {last_used} (số đã cấp không được dùng lại)",
                unit.name
            )));
        }
        tx.raise_counter(unit.id, SERIES_OUT, year, last_used)
            .await?;
        tx.audit(NewAudit {
            action: "raise_register".into(),
            object_type: "register".into(),
            object_id: format!("{}:{year}", unit.id),
            unit_id: Some(unit.id),
            before: Some(serde_json::json!({"last_number": current})),
            after: Some(serde_json::json!({"last_number": last_used})),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok(register::next_number(Some(last_used)))
    }

    // ---- reading documents ---------------------------------------------------------

    /// Whether the actor may read a document: external documents of the tree; documents
    /// drafted or issued in the actor's subtree; documents addressed to, consulting or
    /// tasking a unit of it.
    async fn may_view(&self, actor: &Actor, d: &DocumentRecord) -> Result<bool> {
        if d.tree_id != actor.unit.tree_id {
            return Ok(false);
        }
        if d.external {
            return Ok(true);
        }
        let mut ids = vec![d.drafting_unit_id];
        ids.extend(d.issuer_unit_id);
        for r in self.store.recipients(d.id).await? {
            ids.extend(r.unit_id);
        }
        for c in self.store.consultations(d.id).await? {
            ids.extend(self.store.replies(c.id).await?.iter().map(|r| r.unit_id));
        }
        ids.extend(
            self.store
                .tasks_of_document(d.id)
                .await?
                .iter()
                .map(|t| t.unit_id),
        );
        let ids: Vec<i64> = ids
            .into_iter()
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        Ok(self
            .store
            .units_by_ids(&ids)
            .await?
            .iter()
            .any(|u| actor.can(u, Action::View)))
    }

    /// Soạn thảo thay cho đơn vị — may `actor` draft or edit documents of `unit`
    /// (the `EditReport` rule: reporter on its own unit, reviewer/admin on the subtree)?
    /// The plan forms ask it before showing anything to write.
    pub fn may_draft_for(&self, actor: &Actor, unit: &Unit) -> Result<()> {
        act_for(actor, unit)
    }

    /// A document the actor may read (404 otherwise, as if it did not exist).
    pub async fn document_record(&self, actor: &Actor, id: i64) -> Result<DocumentRecord> {
        let d = self
            .store
            .document(id)
            .await?
            .ok_or_else(|| doc_not_found(id))?;
        if !self.may_view(actor, &d).await? {
            return Err(doc_not_found(id));
        }
        Ok(d)
    }

    /// A document with its recipients, consultations and related letters.
    pub async fn document(&self, actor: &Actor, id: i64) -> Result<DocumentView> {
        let doc = self.document_record(actor, id).await?;
        let drafting_unit = self
            .store
            .unit(doc.drafting_unit_id)
            .await?
            .ok_or_else(|| AppError::NotFound("đơn vị soạn thảo".into()))?;
        let issuer = match doc.issuer_unit_id {
            Some(i) => {
                let u = self
                    .store
                    .unit(i)
                    .await?
                    .ok_or_else(|| AppError::NotFound("cơ quan ban hành".into()))?;
                let s = self.issuer_settings(&u).await?;
                Some((u, s))
            }
            None => None,
        };
        let mut consultations = Vec::new();
        for c in self.store.consultations(id).await? {
            consultations.push(self.consultation_view_of(c).await?);
        }
        let mut related = Vec::new();
        for c in &consultations {
            if let Some(l) = c.record.letter_id {
                related.extend(self.store.document(l).await?);
            }
        }
        let recipients = self.store.recipients(id).await?;
        let ids: Vec<i64> = recipients.iter().filter_map(|r| r.unit_id).collect();
        let recipient_codes = self
            .store
            .units_by_ids(&ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u.code))
            .collect();
        Ok(DocumentView {
            recipients,
            recipient_codes,
            doc,
            issuer,
            drafting_unit,
            consultations,
            related,
        })
    }

    /// Documents drafted, issued or recorded in the actor's subtree (and external ones).
    pub async fn documents(
        &self,
        actor: &Actor,
        campaign_id: Option<i64>,
    ) -> Result<Vec<DocumentRecord>> {
        Ok(self
            .store
            .documents_in_subtree(actor.unit.tree_id, &actor.unit.path, campaign_id, 500)
            .await?)
    }

    /// Every kept version of a document.
    pub async fn document_versions(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<Vec<tuanle_store::VersionRow>> {
        self.document_record(actor, id).await?;
        Ok(self.store.versions(id).await?)
    }

    /// A document's attached file (an external document's PDF).
    pub async fn document_file(&self, actor: &Actor, id: i64) -> Result<(String, Vec<u8>)> {
        self.document_record(actor, id).await?;
        self.store
            .document_file(id)
            .await?
            .ok_or_else(|| AppError::NotFound("Văn bản không có tệp đính kèm".into()))
    }

    // ---- external documents ----------------------------------------------------------

    /// Whether the actor may record external documents (everyone but a viewer); the form
    /// asks before reading what was sent.
    pub fn may_record_external(&self, actor: &Actor) -> Result<()> {
        if actor.user.role == Role::Viewer {
            return Err(AppError::Forbidden(
                "Tài khoản chỉ xem không được vào sổ văn bản".into(),
            ));
        }
        Ok(())
    }

    /// Vào sổ văn bản bên ngoài — a document from outside tuanle with its own number,
    /// date and (optionally) its PDF, so that *căn cứ* lines can cite it. A number already
    /// recorded for that issuer and year is refused.
    pub async fn record_external(&self, actor: &Actor, e: ExternalInput) -> Result<DocumentRecord> {
        self.may_record_external(actor)?;
        let (number, symbol) = register::parse_number_text(&e.number_text)?;
        let number_text = format!("{number}/{symbol}");
        let issuer_name = e
            .issuer_name
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if issuer_name.is_empty() {
            return Err(AppError::invalid("Cơ quan ban hành", "không được để trống"));
        }
        if e.subject.trim().is_empty() {
            return Err(AppError::invalid("Trích yếu", "không được để trống"));
        }
        if e.issued_on > self.today() {
            return Err(AppError::invalid(
                "Ngày văn bản",
                "không được sau ngày hôm nay",
            ));
        }
        if let Some((name, bytes)) = &e.file {
            check_pdf(name, bytes)?;
        }
        if let Some(c) = e.campaign_id {
            let camp = self.campaign(c).await?;
            if camp.tree_id != actor.unit.tree_id {
                return Err(AppError::NotFound(format!("Không tìm thấy Tuần lễ {c}")));
            }
        }
        let year = e.issued_on.year() as i64;
        let key = format!(
            "{}|{year}|{}|{}",
            actor.unit.tree_id,
            tuanle_domain::text::search_key(&issuer_name),
            number_text.to_lowercase()
        );
        if self.store.external_by_key(&key).await?.is_some() {
            return Err(AppError::Conflict(format!(
                "Văn bản số {number_text} năm {year} của {issuer_name} đã được vào sổ"
            )));
        }
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_document(&NewDocument {
                tree_id: actor.unit.tree_id,
                campaign_id: e.campaign_id,
                kind: e.kind,
                external: true,
                issuer_unit_id: None,
                issuer_name: issuer_name.clone(),
                drafting_unit_id: actor.unit.id,
                related_document_id: None,
                field: None,
                subject: e.subject.trim().to_string(),
                status: DocStatus::Recorded,
                signer: Signer::default(),
                body: serde_json::json!({}),
                external_number: Some((
                    number,
                    symbol,
                    number_text.clone(),
                    year,
                    e.issued_on,
                    key,
                )),
                file: e.file.clone(),
            })
            .await?;
        let doc = tx
            .document_for_update(id)
            .await?
            .ok_or_else(|| doc_not_found(id))?;
        tx.insert_version(
            &doc,
            &[],
            "Vào sổ văn bản bên ngoài",
            Some(&actor.user.username),
        )
        .await?;
        tx.audit(NewAudit {
            action: "record_external_document".into(),
            object_type: "document".into(),
            object_id: id.to_string(),
            unit_id: Some(actor.unit.id),
            after: Some(serde_json::json!({"number": number_text, "issuer": issuer_name, "date": e.issued_on.to_string(), "kind": e.kind.code()})),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok(doc)
    }

    // ---- citing and prefilling ----------------------------------------------------------

    /// Căn cứ lines citing documents by id, in order ("Căn cứ Công văn số 3764/BGDĐT-GDTX
    /// ngày …"): each must be one the actor may read and must carry its number.
    pub async fn basis_lines(&self, actor: &Actor, ids: &[i64]) -> Result<Vec<String>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let d = self
                .document_record(actor, *id)
                .await
                .map_err(|_| AppError::invalid("Căn cứ", format!("không có văn bản {id}")))?;
            out.push(register::basis_line(&self.citation_of(&d).await?));
        }
        Ok(out)
    }

    /// How a document is cited in a *căn cứ* line (it must carry its number).
    pub async fn citation_of(&self, d: &DocumentRecord) -> Result<Citation> {
        let (Some(number_text), Some(date)) = (d.number_text.clone(), d.issued_on) else {
            return Err(AppError::invalid(
                "Căn cứ",
                format!("văn bản \"{}\" chưa có số và ngày ban hành", d.subject),
            ));
        };
        let issuer = match d.issuer_unit_id {
            Some(u) => {
                let unit = self
                    .store
                    .unit(u)
                    .await?
                    .ok_or_else(|| AppError::NotFound("cơ quan ban hành".into()))?;
                self.issuer_settings(&unit).await?.cited_name
            }
            None => d.issuer_name.clone(),
        };
        Ok(Citation {
            kind: d.kind,
            number_text,
            date,
            issuer,
            subject: d.subject.clone(),
        })
    }

    /// The parent level's issued plan for a unit: the issued plan of the campaign whose
    /// issuer sits closest above the unit (an ancestor, or a body of an ancestor).
    pub async fn parent_plan(
        &self,
        campaign_id: i64,
        unit: &Unit,
    ) -> Result<Option<DocumentRecord>> {
        let area = scope_of(self, unit).await?;
        let lineage = area.lineage();
        let mut best: Option<(usize, DocumentRecord)> = None;
        for p in self.store.issued_plans(campaign_id).await? {
            let Some(issuer_id) = p.issuer_unit_id else {
                continue;
            };
            if issuer_id == unit.id {
                continue;
            }
            let Some(issuer) = self.store.unit(issuer_id).await? else {
                continue;
            };
            let issuer_area = scope_of(self, &issuer).await?;
            let Some(pos) = lineage.iter().position(|x| *x == issuer_area.id) else {
                continue;
            };
            // The same area is the level above only for a body (a Phòng under the UBND's plan).
            if issuer_area.id == area.id && is_administrative_type(&unit.unit_type) {
                continue;
            }
            if best.as_ref().is_none_or(|(b, _)| pos >= *b) {
                best = Some((pos, p));
            }
        }
        Ok(best.map(|(_, p)| p))
    }

    /// Nội dung gợi ý for a new plan of `unit_code`: prefilled from the parent level's
    /// issued plan (with its generated *căn cứ* line), or empty when there is none.
    pub async fn prefill_plan(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
    ) -> Result<(Option<DocumentRecord>, PlanContent)> {
        let camp = self.campaign(campaign_id).await?;
        if camp.tree_id != actor.unit.tree_id {
            return Err(AppError::NotFound(format!(
                "Không tìm thấy Tuần lễ {campaign_id}"
            )));
        }
        let unit = self
            .unit_in_tree(actor, unit_code, "Đơn vị soạn thảo")
            .await?;
        let Some(parent) = self.parent_plan(campaign_id, &unit).await? else {
            return Ok((
                None,
                PlanContent {
                    theme: camp.themes.first().cloned().unwrap_or_default(),
                    start_date: Some(camp.start_date),
                    end_date: Some(camp.end_date),
                    ..Default::default()
                },
            ));
        };
        let citation = self.citation_of(&parent).await?;
        let content: PlanContent = body_of(&parent.body);
        Ok((
            Some(parent.clone()),
            PlanContent::prefilled_from(&content, &citation, &[]),
        ))
    }

    // ---- drafting ---------------------------------------------------------------------

    async fn resolve_recipients(
        &self,
        actor: &Actor,
        scope: &Unit,
        list: &[RecipientInput],
    ) -> Result<Vec<RecipientRow>> {
        let mut out = Vec::new();
        for (i, r) in list.iter().enumerate() {
            let field = format!("Nơi nhận {}", i + 1);
            match r
                .unit_code
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                Some(code) => {
                    let unit = self
                        .store
                        .unit_by_code(actor.unit.tree_id, code)
                        .await?
                        .filter(|u| scope.contains(u))
                        .ok_or_else(|| {
                        AppError::invalid(
                            &field,
                            format!(
                                "đơn vị mã \"{code}\" không thuộc {}; cơ quan bên ngoài ghi bằng tên (không có mã)",
                                scope.name
                            ),
                        )
                    })?;
                    let label = r
                        .label
                        .clone()
                        .filter(|l| !l.trim().is_empty())
                        .unwrap_or_else(|| unit.name.clone());
                    out.push(RecipientRow {
                        unit_id: Some(unit.id),
                        label,
                    });
                }
                None => {
                    let label = r.label.clone().unwrap_or_default().trim().to_string();
                    if label.is_empty() {
                        return Err(AppError::invalid(&field, "cần mã đơn vị hoặc tên cơ quan"));
                    }
                    out.push(RecipientRow {
                        unit_id: None,
                        label,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Soạn kế hoạch — a new draft plan of `drafting_unit` to be issued by `issuer_unit`
    /// (the same unit, or a body beside it: a Phòng GDĐT drafts what the UBND issues).
    pub async fn create_plan(&self, actor: &Actor, input: PlanInput) -> Result<DocumentView> {
        let camp = self.campaign(input.campaign_id).await?;
        if camp.tree_id != actor.unit.tree_id {
            return Err(AppError::NotFound(format!(
                "Không tìm thấy Tuần lễ {}",
                input.campaign_id
            )));
        }
        let drafting = self
            .unit_in_tree(actor, &input.drafting_unit_code, "Đơn vị soạn thảo")
            .await?;
        act_for(actor, &drafting)?;
        let issuer = self
            .store
            .unit_by_code(actor.unit.tree_id, input.issuer_unit_code.trim())
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "Cơ quan ban hành",
                    format!("không có đơn vị mã \"{}\"", input.issuer_unit_code.trim()),
                )
            })?;
        let drafting_scope = scope_of(self, &drafting).await?;
        if !drafting_scope.contains(&issuer) {
            return Err(AppError::invalid(
                "Cơ quan ban hành",
                format!(
                    "\"{}\" không thuộc {} của đơn vị soạn thảo",
                    issuer.name, drafting_scope.name
                ),
            ));
        }
        if input.subject.trim().is_empty() {
            return Err(AppError::invalid("Trích yếu", "không được để trống"));
        }
        let mut content = match input.content {
            Some(c) => c,
            None => {
                self.prefill_plan(actor, input.campaign_id, &drafting.code)
                    .await?
                    .1
            }
        };
        for line in self.basis_lines(actor, &input.basis_document_ids).await? {
            if !content.bases.contains(&line) {
                content.bases.push(line);
            }
        }
        content.check()?;
        let scope = scope_of(self, &issuer).await?;
        self.check_assignments(actor, &scope, &content).await?;
        let recipients = self
            .resolve_recipients(actor, &scope, &input.recipients)
            .await?;
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_document(&NewDocument {
                tree_id: actor.unit.tree_id,
                campaign_id: Some(input.campaign_id),
                kind: DocKind::KeHoach,
                external: false,
                issuer_unit_id: Some(issuer.id),
                issuer_name: issuer.name.clone(),
                drafting_unit_id: drafting.id,
                related_document_id: None,
                field: None,
                subject: input.subject.trim().to_string(),
                status: DocStatus::Draft,
                signer: Signer::default(),
                body: serde_json::to_value(&content).unwrap_or_default(),
                external_number: None,
                file: None,
            })
            .await?;
        tx.set_recipients(id, &recipients).await?;
        let doc = tx
            .document_for_update(id)
            .await?
            .ok_or_else(|| doc_not_found(id))?;
        tx.insert_version(&doc, &recipients, "Tạo dự thảo", Some(&actor.user.username))
            .await?;
        tx.audit(NewAudit {
            action: "create_plan".into(),
            object_type: "document".into(),
            object_id: id.to_string(),
            unit_id: Some(drafting.id),
            after: Some(serde_json::json!({"subject": doc.subject, "issuer": issuer.code, "campaign": input.campaign_id})),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        self.document(actor, id).await
    }

    /// Every unit named in section III must lie in the issuer's area.
    async fn check_assignments(&self, actor: &Actor, scope: &Unit, c: &PlanContent) -> Result<()> {
        for (i, a) in c.assignments.iter().enumerate() {
            for code in &a.unit_codes {
                let ok = self
                    .store
                    .unit_by_code(actor.unit.tree_id, code.trim())
                    .await?
                    .is_some_and(|u| scope.contains(&u));
                if !ok {
                    return Err(AppError::invalid(
                        format!("Phân công {}", i + 1),
                        format!("đơn vị mã \"{}\" không thuộc {}", code.trim(), scope.name),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Loads a document for a write, checks the actor acts for `who(doc)`.
    async fn doc_for_write(&self, tx: &mut Tx, actor: &Actor, id: i64) -> Result<DocumentRecord> {
        let d = tx
            .document_for_update(id)
            .await?
            .ok_or_else(|| doc_not_found(id))?;
        if !self.may_view(actor, &d).await? {
            return Err(doc_not_found(id));
        }
        if d.external {
            return Err(AppError::Conflict(
                "Văn bản bên ngoài chỉ được vào sổ, không sửa hay ban hành trong tuanle".into(),
            ));
        }
        Ok(d)
    }

    async fn unit_by_id(&self, id: i64) -> Result<Unit> {
        self.store
            .unit(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("đơn vị {id}")))
    }

    /// Whether a document's consultations are all closed (answered, recorded, or past
    /// the deadline on today's date).
    async fn consultations_closed(&self, document_id: i64) -> Result<bool> {
        let today = self.today();
        for c in self.store.consultations(document_id).await? {
            if c.closed_at.is_some() || !consultation::is_open(c.deadline, today) {
                continue;
            }
            if self
                .store
                .replies(c.id)
                .await?
                .iter()
                .any(|r| r.state == ReplyState::Pending)
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Sửa dự thảo — a new version of the subject, content or recipients.
    pub async fn edit_document(
        &self,
        actor: &Actor,
        id: i64,
        e: EditInput,
    ) -> Result<DocumentView> {
        let mut tx = self.store.begin().await?;
        let mut d = self.doc_for_write(&mut tx, actor, id).await?;
        let drafting = self.unit_by_id(d.drafting_unit_id).await?;
        act_for(actor, &drafting)?;
        d.status = transition(d.status, DocAction::Edit, true, true)?;
        let issuer = self
            .unit_by_id(d.issuer_unit_id.unwrap_or(d.drafting_unit_id))
            .await?;
        let scope = scope_of(self, &issuer).await?;
        if let Some(s) = e.subject {
            if s.trim().is_empty() {
                return Err(AppError::invalid("Trích yếu", "không được để trống"));
            }
            d.subject = s.trim().to_string();
        }
        if let Some(c) = e.content {
            if d.kind == DocKind::KeHoach {
                let content: PlanContent = serde_json::from_value(c.clone()).map_err(|err| {
                    AppError::invalid("Nội dung kế hoạch", format!("không đúng cấu trúc: {err}"))
                })?;
                content.check()?;
                self.check_assignments(actor, &scope, &content).await?;
                d.body = serde_json::to_value(&content).unwrap_or_default();
            } else {
                let content: LetterContent = serde_json::from_value(c).map_err(|err| {
                    AppError::invalid("Nội dung", format!("không đúng cấu trúc: {err}"))
                })?;
                d.body = serde_json::to_value(&content).unwrap_or_default();
            }
        }
        let recipients = match e.recipients {
            Some(list) => {
                let r = self.resolve_recipients(actor, &scope, &list).await?;
                tx.set_recipients(id, &r).await?;
                r
            }
            None => tx.recipients_in_tx(id).await?,
        };
        let before = d.version;
        d.version += 1;
        tx.update_document(&d).await?;
        let note = if e.note.trim().is_empty() {
            "Sửa dự thảo".to_string()
        } else {
            e.note.trim().to_string()
        };
        tx.insert_version(&d, &recipients, &note, Some(&actor.user.username))
            .await?;
        tx.audit(NewAudit {
            action: "edit_document".into(),
            object_type: "document".into(),
            object_id: id.to_string(),
            unit_id: Some(d.drafting_unit_id),
            before: Some(serde_json::json!({"version": before})),
            after: Some(serde_json::json!({"version": d.version, "note": note})),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        self.document(actor, id).await
    }

    /// Issues a letter (công văn) of `issuer` inside `tx`: number, date, recipients, and
    /// straight into the incoming registers of the recipients in the tree.
    #[allow(clippy::too_many_arguments)]
    async fn issue_letter_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        issuer: &Unit,
        related: &DocumentRecord,
        letter: &LetterInput,
        addressees: Vec<String>,
        recipients: Vec<RecipientRow>,
        on: NaiveDate,
    ) -> Result<DocumentRecord> {
        letter.signer.check()?;
        if letter.subject.trim().is_empty() {
            return Err(AppError::invalid(
                "Trích yếu công văn",
                "không được để trống",
            ));
        }
        let settings = self.issuer_settings(issuer).await?;
        let symbol = register::symbol(
            DocKind::CongVan,
            &settings.abbreviation,
            letter.field.as_deref(),
        )?;
        let id = tx
            .insert_document(&NewDocument {
                tree_id: issuer.tree_id,
                campaign_id: related.campaign_id,
                kind: DocKind::CongVan,
                external: false,
                issuer_unit_id: Some(issuer.id),
                issuer_name: issuer.name.clone(),
                drafting_unit_id: issuer.id,
                related_document_id: Some(related.id),
                field: letter.field.clone(),
                subject: letter.subject.trim().to_string(),
                status: DocStatus::Issued,
                signer: letter.signer.clone(),
                body: serde_json::to_value(LetterContent {
                    addressees,
                    paragraphs: letter.paragraphs.clone(),
                })
                .unwrap_or_default(),
                external_number: None,
                file: None,
            })
            .await?;
        let mut all = recipients;
        all.extend(
            letter
                .extra_recipients
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| RecipientRow {
                    unit_id: None,
                    label: l.trim().to_string(),
                }),
        );
        tx.set_recipients(id, &all).await?;
        let mut doc = tx
            .document_for_update(id)
            .await?
            .ok_or_else(|| doc_not_found(id))?;
        let year = on.year() as i64;
        let number = tx.take_number(issuer.id, SERIES_OUT, year).await?;
        doc.number = Some(number);
        doc.symbol = Some(symbol.clone());
        doc.number_text = Some(number_and_symbol(number, &symbol));
        doc.year = Some(year);
        doc.issued_on = Some(on);
        doc.status = DocStatus::Distributed;
        tx.update_document(&doc).await?;
        tx.insert_version(&doc, &all, "Ban hành và gửi", Some(&actor.user.username))
            .await?;
        for r in &all {
            if let Some(u) = r.unit_id {
                tx.register_incoming(u, id, on, "").await?;
            }
        }
        tx.audit(NewAudit {
            action: "issue_letter".into(),
            object_type: "document".into(),
            object_id: id.to_string(),
            unit_id: Some(issuer.id),
            after: Some(serde_json::json!({"number": doc.number_text, "date": on.to_string(), "related": related.id})),
            ..actor.audit()
        })
        .await?;
        Ok(doc)
    }

    fn check_issue_date(&self, on: Option<NaiveDate>) -> Result<NaiveDate> {
        let today = self.today();
        let on = on.unwrap_or(today);
        if on > today {
            return Err(AppError::invalid(
                "Ngày ban hành",
                format!("{} chưa đến", tuanle_domain::format::date_vi(on)),
            ));
        }
        Ok(on)
    }

    /// Gửi lấy ý kiến góp ý — issues the consultation letter of the drafting unit to the
    /// chosen units (and the outside bodies in `letter.extra_recipients`) with the
    /// deadline; each unit gets it in its incoming register and a pending reply.
    pub async fn start_consultation(
        &self,
        actor: &Actor,
        id: i64,
        unit_codes: &[String],
        deadline: NaiveDate,
        letter: LetterInput,
        letter_date: Option<NaiveDate>,
    ) -> Result<ConsultationView> {
        consultation::check_deadline(deadline, self.today())?;
        let on = self.check_issue_date(letter_date)?;
        if unit_codes.is_empty() {
            return Err(AppError::invalid(
                "Đơn vị được xin ý kiến",
                "chọn ít nhất một đơn vị",
            ));
        }
        let mut tx = self.store.begin().await?;
        let mut d = self.doc_for_write(&mut tx, actor, id).await?;
        let drafting = self.unit_by_id(d.drafting_unit_id).await?;
        act_for(actor, &drafting)?;
        d.status = transition(d.status, DocAction::StartConsultation, true, true)?;
        if d.kind == DocKind::KeHoach {
            body_of::<PlanContent>(&d.body).check()?;
        }
        let scope = scope_of(self, &drafting).await?;
        let inputs: Vec<RecipientInput> = unit_codes
            .iter()
            .map(|c| RecipientInput {
                unit_code: Some(c.clone()),
                label: None,
            })
            .collect();
        let recipients = self.resolve_recipients(actor, &scope, &inputs).await?;
        let mut seen = HashSet::new();
        let unit_ids: Vec<i64> = recipients
            .iter()
            .filter_map(|r| r.unit_id)
            .filter(|u| seen.insert(*u))
            .collect();
        let addressees = recipients.iter().map(|r| r.label.clone()).collect();
        let letter_doc = self
            .issue_letter_in(
                &mut tx, actor, &drafting, &d, &letter, addressees, recipients, on,
            )
            .await?;
        let cid = tx
            .insert_consultation(id, Some(letter_doc.id), d.version, deadline, &unit_ids)
            .await?;
        tx.update_document(&d).await?;
        let recipients_now = tx.recipients_in_tx(id).await?;
        tx.audit(NewAudit {
            action: "start_consultation".into(),
            object_type: "document".into(),
            object_id: id.to_string(),
            unit_id: Some(drafting.id),
            after: Some(serde_json::json!({"consultation": cid, "letter": letter_doc.number_text, "deadline": deadline.to_string(), "units": unit_ids.len()})),
            ..actor.audit()
        })
        .await?;
        let _ = recipients_now;
        // The close runs when the deadline day is over (00:00 the next day, Vietnam time),
        // by whichever instance claims the job; the periodic sweep is the fallback.
        let run_at = (deadline + chrono::Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .and_then(|t| {
                t.and_local_timezone(tuanle_domain::format::vietnam_offset())
                    .single()
            })
            .map(|t| tuanle_store::time_text(t.with_timezone(&chrono::Utc)))
            .unwrap_or_else(|| tuanle_store::time_text(self.now()));
        tx.enqueue_job(
            CLOSE_CONSULTATIONS,
            &serde_json::json!({"consultation_id": cid}),
            Some(&format!("{CLOSE_CONSULTATIONS}:{cid}")),
            &run_at,
        )
        .await?;
        tx.commit().await?;
        self.notify_letter_incoming(letter_doc.id).await;
        let c = self
            .store
            .consultation(cid)
            .await?
            .ok_or_else(|| AppError::NotFound("góp ý".into()))?;
        self.consultation_view_of(c).await
    }

    async fn consultation_view_of(&self, c: ConsultationRecord) -> Result<ConsultationView> {
        let today = self.today();
        let replies = self.store.replies(c.id).await?;
        let mut out = Vec::new();
        for r in replies {
            let unit = self.unit_by_id(r.unit_id).await?;
            let st = consultation::effective_state(r.state, c.deadline, today);
            out.push((unit, r, st));
        }
        let summary = Summary::of(out.iter().map(|x| x.2));
        let open = c.closed_at.is_none() && consultation::is_open(c.deadline, today);
        Ok(ConsultationView {
            record: c,
            replies: out,
            summary,
            open,
        })
    }

    /// A consultation as the actor may see it (the drafter's side, or a consulted unit).
    pub async fn consultation(&self, actor: &Actor, id: i64) -> Result<ConsultationView> {
        let c = self
            .store
            .consultation(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Không tìm thấy đợt góp ý {id}")))?;
        self.document_record(actor, c.document_id)
            .await
            .map_err(|_| AppError::NotFound(format!("Không tìm thấy đợt góp ý {id}")))?;
        self.consultation_view_of(c).await
    }

    /// Trả lời góp ý — "thống nhất" (`agree`) or a comment with an optional file, for a
    /// consulted unit, while the consultation is open.
    pub async fn answer_consultation(
        &self,
        actor: &Actor,
        id: i64,
        unit_code: &str,
        agree: bool,
        comment: &str,
        file: Option<(String, Vec<u8>)>,
    ) -> Result<ConsultationView> {
        let c = self
            .store
            .consultation(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Không tìm thấy đợt góp ý {id}")))?;
        let unit = self.unit_in_tree(actor, unit_code, "Đơn vị góp ý").await?;
        act_for(actor, &unit)?;
        let replies = self.store.replies(id).await?;
        let Some(reply) = replies.iter().find(|r| r.unit_id == unit.id) else {
            return Err(AppError::invalid(
                "Đơn vị góp ý",
                format!("{} không được xin ý kiến trong đợt này", unit.name),
            ));
        };
        if let Some((name, bytes)) = &file {
            check_pdf(name, bytes)?;
        }
        let state = consultation::check_answer(agree, comment, file.is_some())?;
        let today = self.today();
        if c.closed_at.is_some() || !consultation::is_open(c.deadline, today) {
            return Err(AppError::Conflict(format!(
                "Đã hết hạn góp ý ({}); ý kiến không còn được ghi nhận",
                tuanle_domain::format::date_vi(c.deadline)
            )));
        }
        if reply.state != ReplyState::Pending {
            return Err(AppError::Conflict(format!(
                "{} đã trả lời góp ý ({})",
                unit.name,
                reply.state.label_vi()
            )));
        }
        let at = tuanle_store::time_text(self.now());
        let mut tx = self.store.begin().await?;
        let done = tx
            .answer_reply(
                id,
                unit.id,
                state,
                comment.trim(),
                file.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())),
                &at,
                &actor.user.username,
            )
            .await?;
        if !done {
            return Err(AppError::Conflict(
                "Góp ý đã đóng hoặc đơn vị đã trả lời".into(),
            ));
        }
        tx.audit(NewAudit {
            action: "answer_consultation".into(),
            object_type: "consultation".into(),
            object_id: id.to_string(),
            unit_id: Some(unit.id),
            after: Some(serde_json::json!({"state": state.as_str(), "comment": comment.trim(), "file": file.as_ref().map(|f| f.0.clone())})),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        self.consultation_view_of(c).await
    }

    /// A reply's attached file.
    pub async fn reply_file(
        &self,
        actor: &Actor,
        id: i64,
        unit_code: &str,
    ) -> Result<(String, Vec<u8>)> {
        self.consultation(actor, id).await?;
        let unit = self.unit_in_tree(actor, unit_code, "Đơn vị").await?;
        self.store
            .reply_file(id, unit.id)
            .await?
            .ok_or_else(|| AppError::NotFound("Ý kiến không có tệp đính kèm".into()))
    }

    /// Closes one consultation if due, recording silence as consent (once, whichever
    /// instance gets there first). Returns the units recorded as silent.
    async fn close_consultation_in(
        &self,
        tx: &mut Tx,
        c: &ConsultationRecord,
    ) -> Result<Option<Vec<i64>>> {
        let at = tuanle_store::time_text(self.now());
        let silent = tx.close_consultation(c.id, &at).await?;
        if let Some(units) = &silent {
            tx.audit(NewAudit {
                action: "consultation_silent_consent".into(),
                object_type: "consultation".into(),
                object_id: c.id.to_string(),
                after: Some(
                    serde_json::json!({"deadline": c.deadline.to_string(), "silent_units": units}),
                ),
                ..Default::default()
            })
            .await?;
        }
        Ok(silent)
    }

    /// Records silent consent on every consultation whose deadline has passed (the
    /// background job; safe to run on several instances at once). Returns how many closed.
    pub async fn close_due_consultations(&self) -> Result<usize> {
        let mut closed = 0;
        for c in self.store.due_consultations(self.today()).await? {
            let mut tx = self.store.begin().await?;
            if self.close_consultation_in(&mut tx, &c).await?.is_some() {
                closed += 1;
            }
            tx.commit().await?;
        }
        Ok(closed)
    }

    /// Trình — submits the draft to the issuing body with a tờ trình (a công văn of the
    /// drafting unit, into the issuer's incoming register). A consultation must be over:
    /// every unit answered or its deadline passed (silence then recorded as consent).
    pub async fn submit_document(
        &self,
        actor: &Actor,
        id: i64,
        letter: LetterInput,
        letter_date: Option<NaiveDate>,
    ) -> Result<DocumentView> {
        let on = self.check_issue_date(letter_date)?;
        let closed = self.consultations_closed(id).await?;
        let mut tx = self.store.begin().await?;
        let mut d = self.doc_for_write(&mut tx, actor, id).await?;
        let drafting = self.unit_by_id(d.drafting_unit_id).await?;
        act_for(actor, &drafting)?;
        let issuer = self
            .unit_by_id(d.issuer_unit_id.unwrap_or(d.drafting_unit_id))
            .await?;
        let needs_approval = issuer.id != drafting.id;
        d.status = transition(d.status, DocAction::Submit, needs_approval, closed)?;
        if d.kind == DocKind::KeHoach {
            body_of::<PlanContent>(&d.body).check()?;
        }
        for c in self.store.consultations(id).await? {
            if c.closed_at.is_none() && !consultation::is_open(c.deadline, self.today()) {
                self.close_consultation_in(&mut tx, &c).await?;
            }
        }
        let recipients = vec![RecipientRow {
            unit_id: Some(issuer.id),
            label: issuer.name.clone(),
        }];
        let letter_doc = self
            .issue_letter_in(
                &mut tx,
                actor,
                &drafting,
                &d,
                &letter,
                vec![issuer.name.clone()],
                recipients,
                on,
            )
            .await?;
        tx.update_document(&d).await?;
        let rec = tx.recipients_in_tx(id).await?;
        d.version += 1;
        tx.update_document(&d).await?;
        tx.insert_version(
            &d,
            &rec,
            &format!(
                "Trình phê duyệt (tờ trình {})",
                letter_doc.number_text.clone().unwrap_or_default()
            ),
            Some(&actor.user.username),
        )
        .await?;
        tx.audit(NewAudit {
            action: "submit_document".into(),
            object_type: "document".into(),
            object_id: id.to_string(),
            unit_id: Some(drafting.id),
            after: Some(serde_json::json!({"letter": letter_doc.number_text, "to": issuer.code})),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        self.notify_letter_incoming(letter_doc.id).await;
        self.document(actor, id).await
    }

    /// Phê duyệt or trả lại — for the issuing body.
    pub async fn review_document(
        &self,
        actor: &Actor,
        id: i64,
        approve: bool,
        comment: &str,
    ) -> Result<DocumentView> {
        let mut tx = self.store.begin().await?;
        let mut d = self.doc_for_write(&mut tx, actor, id).await?;
        let issuer = self
            .unit_by_id(d.issuer_unit_id.unwrap_or(d.drafting_unit_id))
            .await?;
        act_for(actor, &issuer)?;
        let action = if approve {
            DocAction::Approve
        } else {
            DocAction::Return
        };
        if !approve && comment.trim().is_empty() {
            return Err(AppError::invalid("Ý kiến", "ghi lý do trả lại"));
        }
        d.status = transition(d.status, action, true, true)?;
        d.version += 1;
        tx.update_document(&d).await?;
        let rec = tx.recipients_in_tx(id).await?;
        let note = match (approve, comment.trim()) {
            (true, "") => "Phê duyệt".to_string(),
            (true, c) => format!("Phê duyệt: {c}"),
            (false, c) => format!("Trả lại: {c}"),
        };
        tx.insert_version(&d, &rec, &note, Some(&actor.user.username))
            .await?;
        tx.audit(NewAudit {
            action: if approve {
                "approve_document"
            } else {
                "return_document"
            }
            .into(),
            object_type: "document".into(),
            object_id: id.to_string(),
            unit_id: Some(issuer.id),
            after: Some(serde_json::json!({"comment": comment.trim()})),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        self.document(actor, id).await
    }

    /// Ban hành — assigns the issuer's next number of the year and the date, with the
    /// signer; section III's assignments become tasks of the named units.
    pub async fn issue_document(
        &self,
        actor: &Actor,
        id: i64,
        signer: Signer,
        on: Option<NaiveDate>,
    ) -> Result<DocumentView> {
        signer.check()?;
        let on = self.check_issue_date(on)?;
        let closed = self.consultations_closed(id).await?;
        let mut tx = self.store.begin().await?;
        let mut d = self.doc_for_write(&mut tx, actor, id).await?;
        let issuer = self
            .unit_by_id(d.issuer_unit_id.unwrap_or(d.drafting_unit_id))
            .await?;
        act_for(actor, &issuer)?;
        let needs_approval = issuer.id != d.drafting_unit_id;
        d.status = transition(d.status, DocAction::Issue, needs_approval, closed)?;
        let settings = self.issuer_settings(&issuer).await?;
        let symbol = register::symbol(d.kind, &settings.abbreviation, d.field.as_deref())?;
        let year = on.year() as i64;
        let number = tx.take_number(issuer.id, SERIES_OUT, year).await?;
        d.number = Some(number);
        d.symbol = Some(symbol.clone());
        d.number_text = Some(number_and_symbol(number, &symbol));
        d.year = Some(year);
        d.issued_on = Some(on);
        d.signer = signer;
        d.version += 1;
        tx.update_document(&d).await?;
        let rec = tx.recipients_in_tx(id).await?;
        tx.insert_version(
            &d,
            &rec,
            &format!("Ban hành số {}", d.number_text.clone().unwrap_or_default()),
            Some(&actor.user.username),
        )
        .await?;
        let mut tasks = Vec::new();
        if d.kind == DocKind::KeHoach {
            let content: PlanContent = body_of(&d.body);
            for (i, a) in content.assignments.iter().enumerate() {
                for code in &a.unit_codes {
                    let unit = tx
                        .unit_by_code(issuer.tree_id, code.trim())
                        .await?
                        .ok_or_else(|| {
                            AppError::invalid(
                                format!("Phân công {}", i + 1),
                                format!("không có đơn vị mã \"{code}\""),
                            )
                        })?;
                    tasks.push(NewTask {
                        block: i as i64 + 1,
                        unit_id: unit.id,
                        title: a.task_title(),
                        deadline: a.effective_deadline(),
                    });
                }
            }
            tx.insert_tasks(id, &tasks).await?;
        }
        tx.audit(NewAudit {
            action: "issue_document".into(),
            object_type: "document".into(),
            object_id: id.to_string(),
            unit_id: Some(issuer.id),
            after: Some(serde_json::json!({"number": d.number_text, "date": on.to_string(), "signer": d.signer.name, "tasks": tasks.len()})),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        self.notify_document_tasks(id).await;
        self.document(actor, id).await
    }

    /// Gửi — sends an issued document to its recipients: each unit of the tree gets it in
    /// its incoming register (số đến of its year, ngày đến = `on`, default today).
    pub async fn distribute_document(
        &self,
        actor: &Actor,
        id: i64,
        on: Option<NaiveDate>,
    ) -> Result<Vec<IncomingRecord>> {
        let on = self.check_issue_date(on)?;
        let mut tx = self.store.begin().await?;
        let mut d = self.doc_for_write(&mut tx, actor, id).await?;
        let issuer = self
            .unit_by_id(d.issuer_unit_id.unwrap_or(d.drafting_unit_id))
            .await?;
        act_for(actor, &issuer)?;
        d.status = transition(d.status, DocAction::Distribute, true, true)?;
        if d.issued_on.is_some_and(|i| on < i) {
            return Err(AppError::invalid("Ngày gửi", "trước ngày ban hành"));
        }
        let rec = tx.recipients_in_tx(id).await?;
        let mut out = Vec::new();
        for r in &rec {
            if let Some(u) = r.unit_id {
                out.extend(tx.register_incoming(u, id, on, "").await?);
            }
        }
        tx.update_document(&d).await?;
        tx.audit(NewAudit {
            action: "distribute_document".into(),
            object_type: "document".into(),
            object_id: id.to_string(),
            unit_id: Some(issuer.id),
            after: Some(serde_json::json!({"registered": out.len(), "date": on.to_string()})),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        self.notify_incoming(&out, &d.subject, &issuer.name).await;
        Ok(out)
    }

    // ---- incoming register -----------------------------------------------------------

    /// Sổ văn bản đến of a unit for a year.
    pub async fn incoming_register(
        &self,
        actor: &Actor,
        unit_code: &str,
        year: i64,
    ) -> Result<(Unit, Vec<IncomingView>)> {
        let unit = self
            .visible_unit(actor, actor.unit.tree_id, unit_code)
            .await?;
        let mut out = Vec::new();
        for r in self.store.incoming_register(unit.id, year).await? {
            if let Some(doc) = self.store.document(r.document_id).await? {
                out.push(IncomingView { record: r, doc });
            }
        }
        Ok((unit, out))
    }

    /// Chuyển — passes an incoming document to a person or office of the unit.
    pub async fn pass_incoming(
        &self,
        actor: &Actor,
        id: i64,
        handler: &str,
    ) -> Result<IncomingRecord> {
        let mut tx = self.store.begin().await?;
        let r = tx
            .incoming_for_update(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Không tìm thấy văn bản đến {id}")))?;
        let unit = self.unit_by_id(r.unit_id).await?;
        if !actor.can(&unit, Action::View) {
            return Err(AppError::NotFound(format!(
                "Không tìm thấy văn bản đến {id}"
            )));
        }
        act_for(actor, &unit)?;
        if handler.trim().is_empty() {
            return Err(AppError::invalid("Người nhận", "không được để trống"));
        }
        let today = self.today();
        tx.pass_incoming(id, handler.trim(), today).await?;
        tx.audit(NewAudit {
            action: "pass_incoming".into(),
            object_type: "incoming".into(),
            object_id: id.to_string(),
            unit_id: Some(unit.id),
            before: Some(serde_json::json!({"handler": r.handler})),
            after: Some(serde_json::json!({"handler": handler.trim(), "date": today.to_string()})),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok(IncomingRecord {
            handler: handler.trim().to_string(),
            passed_on: Some(today),
            ..r
        })
    }

    // ---- tasks -----------------------------------------------------------------------

    async fn task_views(&self, tasks: Vec<TaskRecord>) -> Result<Vec<TaskView>> {
        let today = self.today();
        let mut units: HashMap<i64, Unit> = HashMap::new();
        let mut numbers: HashMap<i64, Option<String>> = HashMap::new();
        let mut out = Vec::new();
        for t in tasks {
            if let std::collections::hash_map::Entry::Vacant(e) = units.entry(t.unit_id) {
                e.insert(self.unit_by_id(t.unit_id).await?);
            }
            if let std::collections::hash_map::Entry::Vacant(e) = numbers.entry(t.document_id) {
                e.insert(
                    self.store
                        .document(t.document_id)
                        .await?
                        .and_then(|d| d.number_text),
                );
            }
            out.push(TaskView {
                overdue: task::is_overdue(t.status, t.deadline, today),
                unit: units[&t.unit_id].clone(),
                document_number: numbers[&t.document_id].clone(),
                task: t,
            });
        }
        Ok(out)
    }

    /// Tasks a document assigns (the issuer's view at a glance).
    pub async fn document_tasks(&self, actor: &Actor, id: i64) -> Result<Vec<TaskView>> {
        self.document_record(actor, id).await?;
        let tasks = self.store.tasks_of_document(id).await?;
        self.task_views(tasks).await
    }

    /// Tasks of a campaign assigned to units of `unit_code`'s subtree.
    pub async fn unit_tasks(
        &self,
        actor: &Actor,
        campaign_id: Option<i64>,
        unit_code: &str,
    ) -> Result<Vec<TaskView>> {
        let unit = self
            .visible_unit(actor, actor.unit.tree_id, unit_code)
            .await?;
        let tasks = self
            .store
            .tasks_in_subtree(campaign_id, unit.tree_id, &unit.path)
            .await?;
        self.task_views(tasks).await
    }

    /// Cập nhật nhiệm vụ — status, progress and evidence, by the assigned unit.
    pub async fn update_task(
        &self,
        actor: &Actor,
        id: i64,
        status: TaskStatus,
        progress: Option<i64>,
        evidence: &str,
    ) -> Result<TaskView> {
        let mut tx = self.store.begin().await?;
        let mut t = tx
            .task_for_update(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Không tìm thấy nhiệm vụ {id}")))?;
        let unit = self.unit_by_id(t.unit_id).await?;
        if !actor.can(&unit, Action::View) {
            return Err(AppError::NotFound(format!("Không tìm thấy nhiệm vụ {id}")));
        }
        act_for(actor, &unit)?;
        let p = task::check_update(status, progress)?;
        let before = serde_json::json!({"status": t.status.as_str(), "progress": t.progress});
        t.status = status;
        t.progress = p;
        t.evidence = evidence.trim().to_string();
        t.updated_at = tuanle_store::time_text(self.now());
        t.username = Some(actor.user.username.clone());
        tx.update_task(&t).await?;
        tx.audit(NewAudit {
            action: "update_task".into(),
            object_type: "task".into(),
            object_id: id.to_string(),
            unit_id: Some(unit.id),
            before: Some(before),
            after: Some(serde_json::json!({"status": status.as_str(), "progress": p, "evidence": t.evidence})),
            ..actor.audit()
        })
        .await?;
        tx.commit().await?;
        Ok(self.task_views(vec![t]).await?.remove(0))
    }

    // ---- cascade ---------------------------------------------------------------------

    /// Sơ đồ triển khai — for a unit and each unit directly below it: its plan for the
    /// campaign (number, date), the plan's consultation, its tasks done / open / overdue.
    pub async fn cascade(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
    ) -> Result<CascadeView> {
        let camp = self.campaign(campaign_id).await?;
        if camp.tree_id != actor.unit.tree_id {
            return Err(AppError::NotFound(format!(
                "Không tìm thấy Tuần lễ {campaign_id}"
            )));
        }
        let unit = self
            .visible_unit(actor, actor.unit.tree_id, unit_code)
            .await?;
        let plans = self
            .store
            .plans_in_subtree(campaign_id, unit.tree_id, &unit.path)
            .await?;
        let tasks = self
            .task_views(
                self.store
                    .tasks_in_subtree(Some(campaign_id), unit.tree_id, &unit.path)
                    .await?,
            )
            .await?;
        let today = self.today();
        let mut plan_units: BTreeMap<i64, Unit> = BTreeMap::new();
        for p in &plans {
            for u in [Some(p.drafting_unit_id), p.issuer_unit_id]
                .into_iter()
                .flatten()
            {
                if let std::collections::btree_map::Entry::Vacant(e) = plan_units.entry(u) {
                    e.insert(self.unit_by_id(u).await?);
                }
            }
        }
        let mut rows = Vec::new();
        let mut members = vec![unit.clone()];
        members.extend(self.store.children(unit.id).await?);
        for (i, m) in members.into_iter().enumerate() {
            // The unit's own plan: drafted or issued by it or one of its bodies (for the
            // first row) or anywhere in the child's subtree; tasks: the whole subtree.
            let own = i == 0;
            let plan_of = |u: &Unit| {
                if own {
                    u.id == m.id
                        || (u.parent_id == Some(m.id) && !is_administrative_type(&u.unit_type))
                } else {
                    m.contains(u)
                }
            };
            let inside = |u: &Unit| m.contains(u);
            let mut mine: Vec<&DocumentRecord> = plans
                .iter()
                .filter(|p| {
                    p.issuer_unit_id
                        .and_then(|x| plan_units.get(&x))
                        .is_some_and(plan_of)
                        || plan_units.get(&p.drafting_unit_id).is_some_and(plan_of)
                })
                .collect();
            mine.sort_by_key(|p| (p.status.is_issued(), p.id));
            let plan = mine.last().map(|p| (*p).clone());
            let consultation = match &plan {
                Some(p) => match self.store.consultations(p.id).await?.pop() {
                    Some(c) => {
                        let v = self.consultation_view_of(c).await?;
                        Some((v.summary, v.open))
                    }
                    None => None,
                },
                None => None,
            };
            let my_tasks: Vec<TaskView> =
                tasks.iter().filter(|t| inside(&t.unit)).cloned().collect();
            let mut counts = TaskCounts::default();
            for t in &my_tasks {
                counts.add(t.task.status, t.task.deadline, today);
            }
            rows.push(CascadeRow {
                unit: m,
                plan,
                consultation,
                counts,
                tasks: my_tasks,
            });
        }
        Ok(CascadeView { unit, rows })
    }

    /// Runs a plans job of the queue.
    pub(crate) async fn run_plans_job(&self, kind: &str) -> Option<Result<()>> {
        match kind {
            CLOSE_CONSULTATIONS => Some(self.close_due_consultations().await.map(|n| {
                if n > 0 {
                    tracing::info!(closed = n, "đã ghi nhận xem như thống nhất sau hạn góp ý");
                }
            })),
            _ => None,
        }
    }
}

/// A PDF attachment (external document, consultation answer): a PDF by content, whatever
/// its name, at most [`MAX_FILE_BYTES`].
fn check_pdf(name: &str, bytes: &[u8]) -> Result<()> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::BadFile(format!("Tệp \"{name}\" lớn hơn 10 MB")));
    }
    // By content, not name: the PDF header, and the end-of-file marker near the end.
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if !bytes.starts_with(b"%PDF-") || !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(AppError::BadFile(format!(
            "Tệp \"{name}\" không phải tệp PDF (nội dung tệp không đúng định dạng PDF); chỉ nhận PDF"
        )));
    }
    Ok(())
}
