//! Văn bản, sổ đăng ký, góp ý, sổ văn bản đến, nhiệm vụ — stored documents and
//! everything that hangs off them (migration 0006).

use sqlx::Row;
use tuanle_domain::consultation::ReplyState;
use tuanle_domain::documents_register::DocKind;
use tuanle_domain::plan::{Authority, DocStatus, Signer};
use tuanle_domain::task::TaskStatus;

use crate::units::path_end;
use crate::{on_pool, on_tx, parse_date, Result, Store, StoreError, Tx};

/// Register series: văn bản đi (outgoing numbers).
pub const SERIES_OUT: &str = "out";
/// Register series: văn bản đến (số đến).
pub const SERIES_IN: &str = "in";

/// Cơ quan ban hành — how a body signs its documents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IssuerRecord {
    pub unit_id: i64,
    /// Ký hiệu: "UBND", "PGDĐT".
    pub abbreviation: String,
    /// Lines of the issuer block, top to bottom ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ THỦ DẦU MỘT").
    pub header_lines: Vec<String>,
    /// As cited in a *căn cứ* line: "UBND thành phố".
    pub cited_name: String,
    /// Địa danh: "Thủ Dầu Một".
    pub place: String,
}

/// A stored document.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRecord {
    pub id: i64,
    pub tree_id: i64,
    pub campaign_id: Option<i64>,
    pub kind: DocKind,
    pub external: bool,
    pub issuer_unit_id: Option<i64>,
    pub issuer_name: String,
    pub drafting_unit_id: i64,
    pub related_document_id: Option<i64>,
    pub field: Option<String>,
    pub subject: String,
    pub status: DocStatus,
    pub number: Option<i64>,
    pub symbol: Option<String>,
    pub number_text: Option<String>,
    pub year: Option<i64>,
    pub issued_on: Option<chrono::NaiveDate>,
    pub signer: Signer,
    pub body: serde_json::Value,
    pub version: i64,
    pub file_name: Option<String>,
    pub has_file: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A document to insert.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub tree_id: i64,
    pub campaign_id: Option<i64>,
    pub kind: DocKind,
    pub external: bool,
    pub issuer_unit_id: Option<i64>,
    pub issuer_name: String,
    pub drafting_unit_id: i64,
    pub related_document_id: Option<i64>,
    pub field: Option<String>,
    pub subject: String,
    pub status: DocStatus,
    pub signer: Signer,
    pub body: serde_json::Value,
    /// For external documents: number, ký hiệu, full text, year, date, unique key.
    pub external_number: Option<(i64, String, String, i64, chrono::NaiveDate, String)>,
    pub file: Option<(String, Vec<u8>)>,
}

/// Nơi nhận: a unit of the tree, or an outside body by name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecipientRow {
    pub unit_id: Option<i64>,
    pub label: String,
}

/// One kept version.
#[derive(Debug, Clone, serde::Serialize)]
pub struct VersionRow {
    pub version: i64,
    pub status: String,
    pub subject: String,
    pub body: serde_json::Value,
    pub recipients: serde_json::Value,
    pub note: String,
    pub username: Option<String>,
    pub created_at: String,
}

/// A consultation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationRecord {
    pub id: i64,
    pub document_id: i64,
    pub letter_id: Option<i64>,
    pub document_version: i64,
    pub deadline: chrono::NaiveDate,
    pub opened_at: String,
    pub closed_at: Option<String>,
}

/// A consulted unit's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyRecord {
    pub consultation_id: i64,
    pub unit_id: i64,
    pub state: ReplyState,
    pub comment: String,
    pub file_name: Option<String>,
    pub answered_at: Option<String>,
    pub username: Option<String>,
}

/// A row of an incoming register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingRecord {
    pub id: i64,
    pub unit_id: i64,
    pub document_id: i64,
    pub year: i64,
    pub arrival_number: i64,
    pub arrived_on: chrono::NaiveDate,
    pub handler: String,
    pub passed_on: Option<chrono::NaiveDate>,
    pub note: String,
}

/// A task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRecord {
    pub id: i64,
    pub document_id: i64,
    pub block: i64,
    pub unit_id: i64,
    pub title: String,
    pub deadline: Option<chrono::NaiveDate>,
    pub status: TaskStatus,
    pub progress: i64,
    pub evidence: String,
    pub updated_at: String,
    pub username: Option<String>,
}

/// A task to insert.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub block: i64,
    pub unit_id: i64,
    pub title: String,
    pub deadline: Option<chrono::NaiveDate>,
}

fn opt_date(s: Option<String>) -> Result<Option<chrono::NaiveDate>> {
    s.map(|s| parse_date(&s)).transpose()
}

fn authority_code(a: Authority) -> &'static str {
    match a {
        Authority::Own => "",
        Authority::OnBehalf => "TM",
        Authority::Deputy => "KT",
        Authority::Acting => "Q",
        Authority::ByOrder => "TL",
        Authority::Delegated => "TUQ",
    }
}

fn parse_authority(s: &str) -> Authority {
    match s {
        "TM" => Authority::OnBehalf,
        "KT" => Authority::Deputy,
        "Q" => Authority::Acting,
        "TL" => Authority::ByOrder,
        "TUQ" => Authority::Delegated,
        _ => Authority::Own,
    }
}

const DOC_COLUMNS: &str = "id, tree_id, campaign_id, kind, external, issuer_unit_id, issuer_name, drafting_unit_id, related_document_id, field, subject, status, \
     number, symbol, number_text, year, issued_on, signer_authority, signer_on_behalf, signer_title, signer_name, body, version, file_name, \
     (file_data IS NOT NULL) AS has_file, created_at, updated_at";

macro_rules! doc_from_row {
    ($r:expr) => {{
        let r = $r;
        let kind: String = r.try_get("kind")?;
        let status: String = r.try_get("status")?;
        let body: String = r.try_get("body")?;
        let authority: String = r.try_get("signer_authority")?;
        DocumentRecord {
            id: r.try_get("id")?,
            tree_id: r.try_get("tree_id")?,
            campaign_id: r.try_get("campaign_id")?,
            kind: DocKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("loại văn bản \"{kind}\"")))?,
            external: r.try_get("external")?,
            issuer_unit_id: r.try_get("issuer_unit_id")?,
            issuer_name: r.try_get("issuer_name")?,
            drafting_unit_id: r.try_get("drafting_unit_id")?,
            related_document_id: r.try_get("related_document_id")?,
            field: r.try_get("field")?,
            subject: r.try_get("subject")?,
            status: DocStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("trạng thái văn bản \"{status}\"")))?,
            number: r.try_get("number")?,
            symbol: r.try_get("symbol")?,
            number_text: r.try_get("number_text")?,
            year: r.try_get("year")?,
            issued_on: opt_date(r.try_get("issued_on")?)?,
            signer: Signer {
                authority: parse_authority(&authority),
                on_behalf_of: r.try_get("signer_on_behalf")?,
                title: r.try_get("signer_title")?,
                name: r.try_get("signer_name")?,
            },
            body: serde_json::from_str(&body)
                .map_err(|e| StoreError::Corrupt(format!("nội dung văn bản: {e}")))?,
            version: r.try_get("version")?,
            file_name: r.try_get("file_name")?,
            has_file: r.try_get("has_file")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
        }
    }};
}

macro_rules! reply_from_row {
    ($r:expr) => {{
        let r = $r;
        let state: String = r.try_get("state")?;
        ReplyRecord {
            consultation_id: r.try_get("consultation_id")?,
            unit_id: r.try_get("unit_id")?,
            state: ReplyState::parse(&state)
                .ok_or_else(|| StoreError::Corrupt(format!("ý kiến \"{state}\"")))?,
            comment: r.try_get("comment")?,
            file_name: r.try_get("file_name")?,
            answered_at: r.try_get("answered_at")?,
            username: r.try_get("username")?,
        }
    }};
}

macro_rules! consultation_from_row {
    ($r:expr) => {{
        let r = $r;
        let deadline: String = r.try_get("deadline")?;
        ConsultationRecord {
            id: r.try_get("id")?,
            document_id: r.try_get("document_id")?,
            letter_id: r.try_get("letter_id")?,
            document_version: r.try_get("document_version")?,
            deadline: parse_date(&deadline)?,
            opened_at: r.try_get("opened_at")?,
            closed_at: r.try_get("closed_at")?,
        }
    }};
}

macro_rules! incoming_from_row {
    ($r:expr) => {{
        let r = $r;
        let arrived: String = r.try_get("arrived_on")?;
        IncomingRecord {
            id: r.try_get("id")?,
            unit_id: r.try_get("unit_id")?,
            document_id: r.try_get("document_id")?,
            year: r.try_get("year")?,
            arrival_number: r.try_get("arrival_number")?,
            arrived_on: parse_date(&arrived)?,
            handler: r.try_get("handler")?,
            passed_on: opt_date(r.try_get("passed_on")?)?,
            note: r.try_get("note")?,
        }
    }};
}

macro_rules! task_from_row {
    ($r:expr) => {{
        let r = $r;
        let status: String = r.try_get("status")?;
        TaskRecord {
            id: r.try_get("id")?,
            document_id: r.try_get("document_id")?,
            block: r.try_get("block")?,
            unit_id: r.try_get("unit_id")?,
            title: r.try_get("title")?,
            deadline: opt_date(r.try_get("deadline")?)?,
            status: TaskStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("trạng thái nhiệm vụ \"{status}\"")))?,
            progress: r.try_get("progress")?,
            evidence: r.try_get("evidence")?,
            updated_at: r.try_get("updated_at")?,
            username: r.try_get("username")?,
        }
    }};
}

const TASK_COLUMNS: &str = "t.id, t.document_id, t.block, t.unit_id, t.title, t.deadline, t.status, t.progress, t.evidence, t.updated_at, t.username";

impl Tx {
    /// Sets a body's issuer settings.
    pub async fn upsert_issuer(&mut self, i: &IssuerRecord) -> Result<()> {
        let now = crate::now_text();
        let lines = i.header_lines.join("\n");
        on_tx!(self, c => {
            sqlx::query("INSERT INTO doc_issuer (unit_id, abbreviation, header_lines, cited_name, place, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                ON CONFLICT (unit_id) DO UPDATE SET abbreviation = excluded.abbreviation, header_lines = excluded.header_lines, cited_name = excluded.cited_name, place = excluded.place, updated_at = excluded.updated_at")
                .bind(i.unit_id).bind(&i.abbreviation).bind(&lines).bind(&i.cited_name).bind(&i.place).bind(&now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// The last number used in a register (None: none yet this year).
    pub async fn last_number(
        &mut self,
        unit_id: i64,
        series: &str,
        year: i64,
    ) -> Result<Option<i64>> {
        on_tx!(self, c => Ok(sqlx::query_scalar("SELECT last_number FROM doc_counter WHERE unit_id = $1 AND series = $2 AND year = $3")
            .bind(unit_id).bind(series).bind(year).fetch_optional(&mut *c).await?))
    }

    /// Takes the next number of a register, atomically: the counter row is locked until
    /// the transaction ends (both backends), so concurrent issuers queue on it and never
    /// get the same number; a rolled-back transaction gives its number back unused.
    pub async fn take_number(&mut self, unit_id: i64, series: &str, year: i64) -> Result<i64> {
        on_tx!(self, c => Ok(sqlx::query_scalar(
            "INSERT INTO doc_counter (unit_id, series, year, last_number) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (unit_id, series, year) DO UPDATE SET last_number = doc_counter.last_number + 1 RETURNING last_number")
            .bind(unit_id).bind(series).bind(year).fetch_one(&mut *c).await?))
    }

    /// Moves a register forward to `last` (numbers used outside tuanle this year); never back.
    pub async fn raise_counter(
        &mut self,
        unit_id: i64,
        series: &str,
        year: i64,
        last: i64,
    ) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("INSERT INTO doc_counter (unit_id, series, year, last_number) VALUES ($1, $2, $3, $4) \
                ON CONFLICT (unit_id, series, year) DO UPDATE SET last_number = CASE WHEN excluded.last_number > doc_counter.last_number THEN excluded.last_number ELSE doc_counter.last_number END")
                .bind(unit_id).bind(series).bind(year).bind(last).execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn insert_document(&mut self, d: &NewDocument) -> Result<i64> {
        let now = crate::now_text();
        let body = d.body.to_string();
        let (number, symbol, number_text, year, issued_on, key) = match &d.external_number {
            Some((n, s, t, y, date, key)) => (
                Some(*n),
                Some(s.clone()),
                Some(t.clone()),
                Some(*y),
                Some(date.to_string()),
                Some(key.clone()),
            ),
            None => (None, None, None, None, None, None),
        };
        let (file_name, file_data) = match &d.file {
            Some((n, b)) => (Some(n.clone()), Some(b.clone())),
            None => (None, None),
        };
        let res: Result<i64> = on_tx!(self, c => Ok(sqlx::query_scalar(
            "INSERT INTO document (tree_id, campaign_id, kind, external, issuer_unit_id, issuer_name, drafting_unit_id, related_document_id, field, subject, status, \
             number, symbol, number_text, year, issued_on, external_key, signer_authority, signer_on_behalf, signer_title, signer_name, body, version, file_name, file_data, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, 1, $23, $24, $25, $25) RETURNING id")
            .bind(d.tree_id).bind(d.campaign_id).bind(d.kind.code()).bind(d.external).bind(d.issuer_unit_id).bind(&d.issuer_name)
            .bind(d.drafting_unit_id).bind(d.related_document_id).bind(&d.field).bind(&d.subject).bind(d.status.as_str())
            .bind(number).bind(&symbol).bind(&number_text).bind(year).bind(&issued_on).bind(&key)
            .bind(authority_code(d.signer.authority)).bind(&d.signer.on_behalf_of).bind(&d.signer.title).bind(&d.signer.name)
            .bind(&body).bind(&file_name).bind(&file_data).bind(&now)
            .fetch_one(&mut *c).await?));
        match res {
            Err(e) if e.is_unique_violation() => Err(StoreError::Conflict(format!(
                "văn bản số {} của {} đã có trong sổ",
                number_text.unwrap_or_default(),
                d.issuer_name
            ))),
            other => other,
        }
    }

    /// A document read inside the transaction, its row locked on PostgreSQL.
    pub async fn document_for_update(&mut self, id: i64) -> Result<Option<DocumentRecord>> {
        let sql = format!(
            "SELECT {DOC_COLUMNS} FROM document WHERE id = $1{}",
            self.lock_clause()
        );
        on_tx!(self, c => {
            let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *c).await?;
            Ok(match row { Some(r) => Some(doc_from_row!(&r)), None => None })
        })
    }

    /// Writes a document's editable state and moves it to the next version.
    pub async fn update_document(&mut self, d: &DocumentRecord) -> Result<()> {
        let now = crate::now_text();
        let body = d.body.to_string();
        let res: Result<()> = on_tx!(self, c => {
            sqlx::query("UPDATE document SET subject = $1, status = $2, number = $3, symbol = $4, number_text = $5, year = $6, issued_on = $7, \
                signer_authority = $8, signer_on_behalf = $9, signer_title = $10, signer_name = $11, body = $12, version = $13, field = $14, updated_at = $15 WHERE id = $16")
                .bind(&d.subject).bind(d.status.as_str()).bind(d.number).bind(&d.symbol).bind(&d.number_text).bind(d.year)
                .bind(d.issued_on.map(|x| x.to_string()))
                .bind(authority_code(d.signer.authority)).bind(&d.signer.on_behalf_of).bind(&d.signer.title).bind(&d.signer.name)
                .bind(&body).bind(d.version).bind(&d.field).bind(&now).bind(d.id)
                .execute(&mut *c).await?;
            Ok(())
        });
        match res {
            Err(e) if e.is_unique_violation() => Err(StoreError::Conflict(format!(
                "số {} đã được dùng trong năm",
                d.number_text.clone().unwrap_or_default()
            ))),
            other => other,
        }
    }

    /// Keeps a version of a document as it is now.
    pub async fn insert_version(
        &mut self,
        d: &DocumentRecord,
        recipients: &[RecipientRow],
        note: &str,
        username: Option<&str>,
    ) -> Result<()> {
        let now = crate::now_text();
        let body = d.body.to_string();
        let recipients = serde_json::to_string(recipients).unwrap_or_else(|_| "[]".into());
        on_tx!(self, c => {
            sqlx::query("INSERT INTO document_version (document_id, version, status, subject, body, recipients, note, username, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(d.id).bind(d.version).bind(d.status.as_str()).bind(&d.subject).bind(&body).bind(&recipients).bind(note).bind(username).bind(&now)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Replaces a document's recipients.
    pub async fn set_recipients(&mut self, document_id: i64, list: &[RecipientRow]) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("DELETE FROM document_recipient WHERE document_id = $1").bind(document_id).execute(&mut *c).await?;
            for (i, r) in list.iter().enumerate() {
                sqlx::query("INSERT INTO document_recipient (document_id, position, unit_id, label) VALUES ($1, $2, $3, $4)")
                    .bind(document_id).bind(i as i64).bind(r.unit_id).bind(&r.label).execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    pub async fn recipients_in_tx(&mut self, document_id: i64) -> Result<Vec<RecipientRow>> {
        on_tx!(self, c => {
            let rows = sqlx::query("SELECT unit_id, label FROM document_recipient WHERE document_id = $1 ORDER BY position")
                .bind(document_id).fetch_all(&mut *c).await?;
            rows.iter().map(|r| Ok(RecipientRow { unit_id: r.try_get("unit_id")?, label: r.try_get("label")? })).collect()
        })
    }

    /// Opens a consultation with one pending reply per consulted unit.
    pub async fn insert_consultation(
        &mut self,
        document_id: i64,
        letter_id: Option<i64>,
        document_version: i64,
        deadline: chrono::NaiveDate,
        unit_ids: &[i64],
    ) -> Result<i64> {
        let now = crate::now_text();
        on_tx!(self, c => {
            let id: i64 = sqlx::query_scalar("INSERT INTO consultation (document_id, letter_id, document_version, deadline, opened_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(document_id).bind(letter_id).bind(document_version).bind(deadline.to_string()).bind(&now)
                .fetch_one(&mut *c).await?;
            for u in unit_ids {
                sqlx::query("INSERT INTO consultation_reply (consultation_id, unit_id, state, comment) VALUES ($1, $2, 'pending', '')")
                    .bind(id).bind(u).execute(&mut *c).await?;
            }
            Ok(id)
        })
    }

    /// Records an answer if the reply is still pending and the consultation still open;
    /// returns whether it did (false: answered already, or closed meanwhile).
    #[allow(clippy::too_many_arguments)]
    pub async fn answer_reply(
        &mut self,
        consultation_id: i64,
        unit_id: i64,
        state: ReplyState,
        comment: &str,
        file: Option<(&str, &[u8])>,
        at: &str,
        username: &str,
    ) -> Result<bool> {
        on_tx!(self, c => {
            let done = sqlx::query("UPDATE consultation_reply SET state = $1, comment = $2, file_name = $3, file_data = $4, answered_at = $5, username = $6 \
                WHERE consultation_id = $7 AND unit_id = $8 AND state = 'pending' \
                AND EXISTS (SELECT 1 FROM consultation WHERE id = $7 AND closed_at IS NULL)")
                .bind(state.as_str()).bind(comment).bind(file.map(|f| f.0)).bind(file.map(|f| f.1.to_vec())).bind(at).bind(username)
                .bind(consultation_id).bind(unit_id)
                .execute(&mut *c).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Closes a consultation once: the conditional update lets exactly one caller (of
    /// however many app instances) win; the winner records every still-pending reply as
    /// silent consent and gets their unit ids back. `None`: someone closed it already.
    pub async fn close_consultation(&mut self, id: i64, at: &str) -> Result<Option<Vec<i64>>> {
        on_tx!(self, c => {
            let won = sqlx::query("UPDATE consultation SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL")
                .bind(at).bind(id).execute(&mut *c).await?;
            if won.rows_affected() != 1 {
                return Ok(None);
            }
            let silent: Vec<i64> = sqlx::query_scalar("SELECT unit_id FROM consultation_reply WHERE consultation_id = $1 AND state = 'pending' ORDER BY unit_id")
                .bind(id).fetch_all(&mut *c).await?;
            sqlx::query("UPDATE consultation_reply SET state = 'silent', answered_at = $1 WHERE consultation_id = $2 AND state = 'pending'")
                .bind(at).bind(id).execute(&mut *c).await?;
            Ok(Some(silent))
        })
    }

    /// Writes an incoming-register row with the next số đến of the unit's year.
    pub async fn register_incoming(
        &mut self,
        unit_id: i64,
        document_id: i64,
        arrived_on: chrono::NaiveDate,
        note: &str,
    ) -> Result<Option<IncomingRecord>> {
        let exists: Option<i64> = on_tx!(self, c => sqlx::query_scalar("SELECT id FROM incoming WHERE unit_id = $1 AND document_id = $2")
            .bind(unit_id).bind(document_id).fetch_optional(&mut *c).await?);
        if exists.is_some() {
            return Ok(None);
        }
        let year = chrono::Datelike::year(&arrived_on) as i64;
        let number = self.take_number(unit_id, SERIES_IN, year).await?;
        let now = crate::now_text();
        on_tx!(self, c => {
            let id: i64 = sqlx::query_scalar("INSERT INTO incoming (unit_id, document_id, year, arrival_number, arrived_on, handler, note, created_at) VALUES ($1, $2, $3, $4, $5, '', $6, $7) RETURNING id")
                .bind(unit_id).bind(document_id).bind(year).bind(number).bind(arrived_on.to_string()).bind(note).bind(&now)
                .fetch_one(&mut *c).await?;
            Ok(Some(IncomingRecord { id, unit_id, document_id, year, arrival_number: number, arrived_on, handler: String::new(), passed_on: None, note: note.to_string() }))
        })
    }

    /// Chuyển — passes an incoming document to a person or office.
    pub async fn pass_incoming(
        &mut self,
        id: i64,
        handler: &str,
        on: chrono::NaiveDate,
    ) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("UPDATE incoming SET handler = $1, passed_on = $2 WHERE id = $3")
                .bind(handler).bind(on.to_string()).bind(id).execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn insert_tasks(&mut self, document_id: i64, tasks: &[NewTask]) -> Result<()> {
        let now = crate::now_text();
        on_tx!(self, c => {
            for t in tasks {
                sqlx::query("INSERT INTO task (document_id, block, unit_id, title, deadline, status, progress, evidence, updated_at) VALUES ($1, $2, $3, $4, $5, 'open', 0, '', $6) \
                    ON CONFLICT (document_id, block, unit_id) DO NOTHING")
                    .bind(document_id).bind(t.block).bind(t.unit_id).bind(&t.title).bind(t.deadline.map(|d| d.to_string())).bind(&now)
                    .execute(&mut *c).await?;
            }
        });
        Ok(())
    }

    pub async fn task_for_update(&mut self, id: i64) -> Result<Option<TaskRecord>> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM task t WHERE t.id = $1{}",
            self.lock_clause()
        );
        on_tx!(self, c => {
            let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *c).await?;
            Ok(match row { Some(r) => Some(task_from_row!(&r)), None => None })
        })
    }

    pub async fn update_task(&mut self, t: &TaskRecord) -> Result<()> {
        on_tx!(self, c => {
            sqlx::query("UPDATE task SET status = $1, progress = $2, evidence = $3, updated_at = $4, username = $5 WHERE id = $6")
                .bind(t.status.as_str()).bind(t.progress).bind(&t.evidence).bind(&t.updated_at).bind(&t.username).bind(t.id)
                .execute(&mut *c).await?;
        });
        Ok(())
    }

    pub async fn incoming_for_update(&mut self, id: i64) -> Result<Option<IncomingRecord>> {
        let sql = format!("SELECT * FROM incoming WHERE id = $1{}", self.lock_clause());
        on_tx!(self, c => {
            let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *c).await?;
            Ok(match row { Some(r) => Some(incoming_from_row!(&r)), None => None })
        })
    }

    pub async fn consultation_for_update(&mut self, id: i64) -> Result<Option<ConsultationRecord>> {
        let sql = format!(
            "SELECT * FROM consultation WHERE id = $1{}",
            self.lock_clause()
        );
        on_tx!(self, c => {
            let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *c).await?;
            Ok(match row { Some(r) => Some(consultation_from_row!(&r)), None => None })
        })
    }
}

impl Store {
    pub async fn issuer(&self, unit_id: i64) -> Result<Option<IssuerRecord>> {
        on_pool!(self, p => {
            let row = sqlx::query("SELECT unit_id, abbreviation, header_lines, cited_name, place FROM doc_issuer WHERE unit_id = $1")
                .bind(unit_id).fetch_optional(p).await?;
            row.map(|r| {
                let lines: String = r.try_get("header_lines")?;
                Ok(IssuerRecord {
                    unit_id: r.try_get("unit_id")?,
                    abbreviation: r.try_get("abbreviation")?,
                    header_lines: lines.lines().map(str::to_string).collect(),
                    cited_name: r.try_get("cited_name")?,
                    place: r.try_get("place")?,
                })
            }).transpose()
        })
    }

    pub async fn last_number_of(
        &self,
        unit_id: i64,
        series: &str,
        year: i64,
    ) -> Result<Option<i64>> {
        on_pool!(self, p => Ok(sqlx::query_scalar("SELECT last_number FROM doc_counter WHERE unit_id = $1 AND series = $2 AND year = $3")
            .bind(unit_id).bind(series).bind(year).fetch_optional(p).await?))
    }

    pub async fn document(&self, id: i64) -> Result<Option<DocumentRecord>> {
        let sql = format!("SELECT {DOC_COLUMNS} FROM document WHERE id = $1");
        on_pool!(self, p => {
            let row = sqlx::query(&sql).bind(id).fetch_optional(p).await?;
            Ok(match row { Some(r) => Some(doc_from_row!(&r)), None => None })
        })
    }

    /// The attached file of a document (external PDF).
    pub async fn document_file(&self, id: i64) -> Result<Option<(String, Vec<u8>)>> {
        on_pool!(self, p => {
            let row = sqlx::query("SELECT file_name, file_data FROM document WHERE id = $1 AND file_data IS NOT NULL")
                .bind(id).fetch_optional(p).await?;
            row.map(|r| Ok((r.try_get::<Option<String>, _>("file_name")?.unwrap_or_default(), r.try_get("file_data")?))).transpose()
        })
    }

    /// Documents drafted, issued or recorded by units of a subtree, or external ones of
    /// the tree; newest first.
    pub async fn documents_in_subtree(
        &self,
        tree_id: i64,
        path: &str,
        campaign_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<DocumentRecord>> {
        let sql = format!(
            "SELECT {DOC_COLUMNS} FROM document WHERE tree_id = $1 AND ($4 IS NULL OR campaign_id = $4) AND ( \
               external = TRUE OR \
               drafting_unit_id IN (SELECT u.id FROM unit u WHERE u.tree_id = $1 AND u.path >= $2 AND u.path < $3) OR \
               issuer_unit_id IN (SELECT u.id FROM unit u WHERE u.tree_id = $1 AND u.path >= $2 AND u.path < $3)) \
             ORDER BY id DESC LIMIT $5"
        );
        let end = path_end(path);
        on_pool!(self, p => {
            let rows = sqlx::query(&sql).bind(tree_id).bind(path).bind(&end).bind(campaign_id).bind(limit).fetch_all(p).await?;
            rows.iter().map(|r| Ok(doc_from_row!(r))).collect()
        })
    }

    /// Issued plans of a campaign (kind KH, issued or distributed).
    pub async fn issued_plans(&self, campaign_id: i64) -> Result<Vec<DocumentRecord>> {
        let sql = format!("SELECT {DOC_COLUMNS} FROM document WHERE campaign_id = $1 AND kind = 'KH' AND status IN ('issued', 'distributed') ORDER BY issued_on, id");
        on_pool!(self, p => {
            let rows = sqlx::query(&sql).bind(campaign_id).fetch_all(p).await?;
            rows.iter().map(|r| Ok(doc_from_row!(r))).collect()
        })
    }

    /// Plans of a campaign (any status) whose drafter or issuer lies in a subtree.
    pub async fn plans_in_subtree(
        &self,
        campaign_id: i64,
        tree_id: i64,
        path: &str,
    ) -> Result<Vec<DocumentRecord>> {
        self.documents_in_subtree(tree_id, path, Some(campaign_id), 100_000)
            .await
            .map(|v| {
                v.into_iter()
                    .filter(|d| d.kind == DocKind::KeHoach && !d.external)
                    .collect()
            })
    }

    /// External documents of a tree with a given key (duplicate check).
    pub async fn external_by_key(&self, key: &str) -> Result<Option<i64>> {
        on_pool!(self, p => Ok(sqlx::query_scalar("SELECT id FROM document WHERE external_key = $1").bind(key).fetch_optional(p).await?))
    }

    pub async fn recipients(&self, document_id: i64) -> Result<Vec<RecipientRow>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT unit_id, label FROM document_recipient WHERE document_id = $1 ORDER BY position")
                .bind(document_id).fetch_all(p).await?;
            rows.iter().map(|r| Ok(RecipientRow { unit_id: r.try_get("unit_id")?, label: r.try_get("label")? })).collect()
        })
    }

    pub async fn versions(&self, document_id: i64) -> Result<Vec<VersionRow>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT * FROM document_version WHERE document_id = $1 ORDER BY version")
                .bind(document_id).fetch_all(p).await?;
            rows.iter().map(|r| {
                let body: String = r.try_get("body")?;
                let recipients: String = r.try_get("recipients")?;
                Ok(VersionRow {
                    version: r.try_get("version")?,
                    status: r.try_get("status")?,
                    subject: r.try_get("subject")?,
                    body: serde_json::from_str(&body).unwrap_or_default(),
                    recipients: serde_json::from_str(&recipients).unwrap_or_default(),
                    note: r.try_get("note")?,
                    username: r.try_get("username")?,
                    created_at: r.try_get("created_at")?,
                })
            }).collect()
        })
    }

    /// Consultations of a document, oldest first.
    pub async fn consultations(&self, document_id: i64) -> Result<Vec<ConsultationRecord>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT * FROM consultation WHERE document_id = $1 ORDER BY id").bind(document_id).fetch_all(p).await?;
            rows.iter().map(|r| Ok(consultation_from_row!(r))).collect()
        })
    }

    /// Open consultations whose deadline day is before `today` (due to close).
    pub async fn due_consultations(
        &self,
        today: chrono::NaiveDate,
    ) -> Result<Vec<ConsultationRecord>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT * FROM consultation WHERE closed_at IS NULL AND deadline < $1 ORDER BY id")
                .bind(today.to_string()).fetch_all(p).await?;
            rows.iter().map(|r| Ok(consultation_from_row!(r))).collect()
        })
    }

    pub async fn replies(&self, consultation_id: i64) -> Result<Vec<ReplyRecord>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT consultation_id, unit_id, state, comment, file_name, answered_at, username FROM consultation_reply WHERE consultation_id = $1 ORDER BY unit_id")
                .bind(consultation_id).fetch_all(p).await?;
            rows.iter().map(|r| Ok(reply_from_row!(r))).collect()
        })
    }

    /// A reply's attached file.
    pub async fn reply_file(
        &self,
        consultation_id: i64,
        unit_id: i64,
    ) -> Result<Option<(String, Vec<u8>)>> {
        on_pool!(self, p => {
            let row = sqlx::query("SELECT file_name, file_data FROM consultation_reply WHERE consultation_id = $1 AND unit_id = $2 AND file_data IS NOT NULL")
                .bind(consultation_id).bind(unit_id).fetch_optional(p).await?;
            row.map(|r| Ok((r.try_get::<Option<String>, _>("file_name")?.unwrap_or_default(), r.try_get("file_data")?))).transpose()
        })
    }

    /// A unit's incoming register for a year, by số đến.
    pub async fn incoming_register(&self, unit_id: i64, year: i64) -> Result<Vec<IncomingRecord>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT * FROM incoming WHERE unit_id = $1 AND year = $2 ORDER BY arrival_number")
                .bind(unit_id).bind(year).fetch_all(p).await?;
            rows.iter().map(|r| Ok(incoming_from_row!(r))).collect()
        })
    }

    /// Incoming rows of a document (who received it).
    pub async fn incoming_of_document(&self, document_id: i64) -> Result<Vec<IncomingRecord>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT * FROM incoming WHERE document_id = $1 ORDER BY unit_id")
                .bind(document_id).fetch_all(p).await?;
            rows.iter().map(|r| Ok(incoming_from_row!(r))).collect()
        })
    }

    pub async fn tasks_of_document(&self, document_id: i64) -> Result<Vec<TaskRecord>> {
        let sql = format!("SELECT {TASK_COLUMNS} FROM task t WHERE t.document_id = $1 ORDER BY t.block, t.unit_id");
        on_pool!(self, p => {
            let rows = sqlx::query(&sql).bind(document_id).fetch_all(p).await?;
            rows.iter().map(|r| Ok(task_from_row!(r))).collect()
        })
    }

    /// Tasks of a campaign's documents assigned to units of a subtree.
    pub async fn tasks_in_subtree(
        &self,
        campaign_id: Option<i64>,
        tree_id: i64,
        path: &str,
    ) -> Result<Vec<TaskRecord>> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM task t JOIN document d ON d.id = t.document_id JOIN unit u ON u.id = t.unit_id \
             WHERE u.tree_id = $1 AND u.path >= $2 AND u.path < $3 AND ($4 IS NULL OR d.campaign_id = $4) ORDER BY t.deadline, t.id"
        );
        let end = path_end(path);
        on_pool!(self, p => {
            let rows = sqlx::query(&sql).bind(tree_id).bind(path).bind(&end).bind(campaign_id).fetch_all(p).await?;
            rows.iter().map(|r| Ok(task_from_row!(r))).collect()
        })
    }

    pub async fn task(&self, id: i64) -> Result<Option<TaskRecord>> {
        let sql = format!("SELECT {TASK_COLUMNS} FROM task t WHERE t.id = $1");
        on_pool!(self, p => {
            let row = sqlx::query(&sql).bind(id).fetch_optional(p).await?;
            Ok(match row { Some(r) => Some(task_from_row!(&r)), None => None })
        })
    }

    pub async fn incoming(&self, id: i64) -> Result<Option<IncomingRecord>> {
        on_pool!(self, p => {
            let row = sqlx::query("SELECT * FROM incoming WHERE id = $1").bind(id).fetch_optional(p).await?;
            Ok(match row { Some(r) => Some(incoming_from_row!(&r)), None => None })
        })
    }

    pub async fn consultation(&self, id: i64) -> Result<Option<ConsultationRecord>> {
        on_pool!(self, p => {
            let row = sqlx::query("SELECT * FROM consultation WHERE id = $1").bind(id).fetch_optional(p).await?;
            Ok(match row { Some(r) => Some(consultation_from_row!(&r)), None => None })
        })
    }
}
