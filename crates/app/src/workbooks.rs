//! Bảng tính Excel — report workbooks out and in, consolidated workbook and CSV out.
//!
//! Import: every workbook is all-or-nothing (one [`App::save_report`] transaction per
//! file), and the summary lists per file the unit it was matched to and either the
//! outcome or every problem, named by sheet and cell. A batch that imported anything
//! leaves one audit row of its own besides the reports' rows.

use std::collections::HashMap;

use tuanle_domain::access::Action;
use tuanle_domain::campaign::Campaign;
use tuanle_domain::format::datetime_vi;
use tuanle_domain::report::{Basis, ReportAction, ReportContent, ReportStatus};
use tuanle_domain::template::Template;
use tuanle_domain::unit::Unit;
use tuanle_domain::validate::{fill_totals, validate};
use tuanle_sheets::read::{normalize_label, open_workbook, ParsedReport, ReportWorkbook};
use tuanle_sheets::write::{
    consolidation_csv, consolidation_workbook, report_workbook, ChildLine, CompletenessLine,
    ConsolidationSheet, CsvPart, ReportSheet,
};
use tuanle_sheets::{SheetError, FORMAT_VERSION};
use tuanle_store::NewAudit;

use crate::{Actor, App, AppError, Result};

pub use tuanle_sheets::archive::expand_upload;
pub use tuanle_sheets::MAX_WORKBOOK_BYTES;

/// Content type of .xlsx downloads.
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Kết quả nhập một tệp.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum FileResult {
    /// Đã nhập — stored, with the report's new status.
    Imported { status: ReportStatus },
    /// Không thay đổi — the workbook holds what is already stored.
    Unchanged,
    /// Lỗi — nothing stored; every problem, each naming its sheet and cell if any.
    Failed { errors: Vec<String> },
}

/// One line of an import summary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileOutcome {
    pub file: String,
    /// The unit the workbook was matched to: (code, name).
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
    #[serde(flatten)]
    pub result: FileResult,
}

impl FileOutcome {
    pub fn ok(&self) -> bool {
        !matches!(self.result, FileResult::Failed { .. })
    }

    /// One line per problem, each starting with the file name; or one line of outcome.
    pub fn lines_vi(&self) -> Vec<String> {
        let unit = match (&self.unit_name, &self.unit_code) {
            (Some(n), Some(c)) => format!(" → {n} ({c})"),
            _ => String::new(),
        };
        match &self.result {
            FileResult::Imported { status } => {
                vec![format!(
                    "{}{unit}: đã nhập ({})",
                    self.file,
                    status.label_vi()
                )]
            }
            FileResult::Unchanged => vec![format!("{}{unit}: không thay đổi", self.file)],
            FileResult::Failed { errors } => errors
                .iter()
                .map(|e| format!("{}{unit}: {e}", self.file))
                .collect(),
        }
    }
}

/// Tóm tắt nhập tệp.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportSummary {
    pub files: Vec<FileOutcome>,
    pub imported: usize,
    pub unchanged: usize,
    pub failed: usize,
}

fn failed(file: &str, unit: Option<&Unit>, errors: Vec<String>) -> FileOutcome {
    FileOutcome {
        file: file.to_string(),
        unit_code: unit.map(|u| u.code.clone()),
        unit_name: unit.map(|u| u.name.clone()),
        result: FileResult::Failed { errors },
    }
}

/// A finished task's value; a panic in the task goes on unwinding here.
fn joined<T>(r: std::result::Result<T, tokio::task::JoinError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

/// A workbook matched, checked and parsed, waiting for its save.
struct ReadyFile {
    name: String,
    campaign: Campaign,
    template: Template,
    unit: Unit,
    parsed: ParsedReport,
}

enum Prepared {
    /// Nothing to save: the file's outcome is known (a problem of the file).
    Done(FileOutcome),
    Ready(Box<ReadyFile>),
}

/// A file name safe for a Content-Disposition header: ASCII letters, digits, `-`.
pub fn download_name(parts: &[&str], ext: &str) -> String {
    let key = tuanle_domain::text::search_key(&parts.join("-"));
    let base: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let mut out = String::new();
    for c in base.chars() {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    format!("{}.{ext}", out.trim_matches('-'))
}

impl App {
    /// Tải bảng tính báo cáo — the report workbook of a unit, blank or prefilled with its
    /// current values. Returns (file name, bytes).
    pub async fn report_workbook(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        prefill: bool,
    ) -> Result<(String, Vec<u8>)> {
        let view = self.report_view(actor, campaign_id, unit_code).await?;
        let content = view.record.as_ref().map(|r| &r.content).filter(|_| prefill);
        let bytes = report_workbook(&ReportSheet {
            template: &view.template,
            unit_code: &view.unit.code,
            unit_name: &view.unit.name,
            campaign_id: view.campaign.id,
            campaign_name: &view.campaign.name,
            period: (view.campaign.start_date, view.campaign.end_date),
            deadline: view.deadline,
            content,
        })
        .map_err(|e| AppError::BadFile(e.to_string()))?;
        let name = download_name(
            &[
                "bao-cao",
                &view.campaign.year.to_string(),
                &view.unit.code,
                if prefill { "" } else { "mau-trong" },
            ],
            "xlsx",
        );
        Ok((name, bytes))
    }

    /// Nhập bảng tính — imports workbooks into a campaign's reports; a .zip among the
    /// files is expanded first ([`expand_upload`], with its limits). `campaign_id` may be `None` when
    /// every workbook records its campaign. Each file is all-or-nothing; `progress` is
    /// called after each file with (done, total).
    pub async fn import_workbooks(
        &self,
        actor: &Actor,
        campaign_id: Option<i64>,
        files: Vec<(String, Vec<u8>)>,
        action: ReportAction,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<ImportSummary> {
        if !matches!(action, ReportAction::Save | ReportAction::Submit) {
            return Err(AppError::invalid("Thao tác", "chỉ lưu nháp hoặc nộp"));
        }
        let mut summary = ImportSummary::default();
        let mut expanded = Vec::new();
        for (name, bytes) in files {
            match expand_upload(&name, bytes) {
                Ok(mut f) => expanded.append(&mut f),
                Err(e) => {
                    summary.failed += 1;
                    summary.files.push(failed(&name, None, vec![e.to_string()]));
                }
            }
        }
        let files = expanded;
        let total = files.len();
        // A bounded pipeline: up to `PREPARE_AHEAD` files are opened (in blocking
        // threads), matched and parsed ahead, while up to `SAVES_IN_FLIGHT` saves run
        // side by side, each its own transaction (all or nothing per file). Outcomes keep
        // the files' order, and two files for the same unit are saved in that order.
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let prepare_ahead = (2 * workers).clamp(2, 16);
        let saves_in_flight = workers.clamp(2, 8);
        let mut outcomes: Vec<Option<FileOutcome>> = vec![None; total];
        let mut files = files.into_iter().enumerate();
        let mut preparing = std::collections::VecDeque::new();
        let mut saving: tokio::task::JoinSet<Result<(usize, i64, FileOutcome)>> =
            tokio::task::JoinSet::new();
        let mut units_saving: HashMap<i64, usize> = HashMap::new();
        let mut done = 0usize;
        let mut finish = |r: (usize, i64, FileOutcome),
                          units_saving: &mut HashMap<i64, usize>,
                          outcomes: &mut Vec<Option<FileOutcome>>| {
            let (i, unit_id, outcome) = r;
            if let Some(n) = units_saving.get_mut(&unit_id) {
                *n -= 1;
                if *n == 0 {
                    units_saving.remove(&unit_id);
                }
            }
            outcomes[i] = Some(outcome);
            done += 1;
            progress(done, total);
        };
        loop {
            while preparing.len() < prepare_ahead {
                let Some((i, (name, bytes))) = files.next() else {
                    break;
                };
                let (app, actor) = (self.clone(), actor.clone());
                preparing.push_back(tokio::spawn(async move {
                    let opened =
                        joined(tokio::task::spawn_blocking(move || open_workbook(&bytes)).await);
                    app.prepare_one(&actor, campaign_id, name, opened)
                        .await
                        .map(|p| (i, p))
                }));
            }
            let Some(next) = preparing.pop_front() else {
                break;
            };
            let (i, prepared) = joined(next.await)?;
            let ready = match prepared {
                Prepared::Done(outcome) => {
                    finish((i, 0, outcome), &mut units_saving, &mut outcomes);
                    continue;
                }
                Prepared::Ready(r) => r,
            };
            // Same unit as a save in flight, or too many in flight: wait.
            while units_saving.contains_key(&ready.unit.id) || saving.len() >= saves_in_flight {
                let r = joined(saving.join_next().await.expect("a save in flight"))?;
                finish(r, &mut units_saving, &mut outcomes);
            }
            *units_saving.entry(ready.unit.id).or_default() += 1;
            let (app, actor) = (self.clone(), actor.clone());
            saving.spawn(async move {
                let unit_id = ready.unit.id;
                app.save_prepared(&actor, ready, action)
                    .await
                    .map(|o| (i, unit_id, o))
            });
        }
        while let Some(r) = saving.join_next().await {
            let r = joined(r)?;
            finish(r, &mut units_saving, &mut outcomes);
        }
        for outcome in outcomes.into_iter().flatten() {
            match outcome.result {
                FileResult::Imported { .. } => summary.imported += 1,
                FileResult::Unchanged => summary.unchanged += 1,
                FileResult::Failed { .. } => summary.failed += 1,
            }
            summary.files.push(outcome);
        }
        if summary.imported > 0 {
            let mut tx = self.store.begin().await?;
            tx.audit(NewAudit {
                action: "workbooks_import".into(),
                object_type: "campaign".into(),
                object_id: campaign_id.map(|c| c.to_string()).unwrap_or_default(),
                unit_id: Some(actor.unit.id),
                before: None,
                after: Some(serde_json::json!({
                    "imported": summary.imported,
                    "unchanged": summary.unchanged,
                    "failed": summary.failed,
                    "files": summary.files.iter().map(|f| serde_json::json!({
                        "file": f.file, "unit": f.unit_code, "ok": f.ok(),
                    })).collect::<Vec<_>>(),
                })),
                ..actor.audit()
            })
            .await?;
            tx.commit().await?;
        }
        Ok(summary)
    }

    /// One workbook up to its save: matched to its campaign and unit, checked and
    /// parsed. Only store or database failures are `Err`; everything about the file
    /// itself is a `Failed` outcome.
    async fn prepare_one(
        &self,
        actor: &Actor,
        campaign_id: Option<i64>,
        name: String,
        opened: std::result::Result<ReportWorkbook, SheetError>,
    ) -> Result<Prepared> {
        let fail =
            |unit: Option<&Unit>, m: String| Ok(Prepared::Done(failed(&name, unit, vec![m])));
        let wb = match opened {
            Ok(wb) => wb,
            Err(e) => return fail(None, e.to_string()),
        };
        let meta = wb.metadata.clone();
        if let Some(m) = &meta {
            if m.format > FORMAT_VERSION || m.kind != "report" {
                return fail(None, format!("tệp theo định dạng tuanle \"{}\" phiên bản {}, phiên bản này chỉ đọc bảng tính báo cáo đến phiên bản {FORMAT_VERSION}", m.kind, m.format));
            }
        }
        let cid = match (campaign_id, meta.as_ref().and_then(|m| m.campaign_id)) {
            (Some(a), Some(b)) if a != b => {
                return fail(
                    None,
                    format!(
                        "tệp được tải về cho Tuần lễ số {b}, không phải Tuần lễ số {a} đang nhập"
                    ),
                );
            }
            (Some(a), _) | (None, Some(a)) => a,
            (None, None) => {
                return fail(
                    None,
                    "không biết tệp thuộc Tuần lễ nào: hãy chọn Tuần lễ (--campaign)".into(),
                );
            }
        };
        // Campaigns and templates are cached by `App`: after the first file this is
        // memory only.
        let campaign = match self.campaign(cid).await {
            Ok(c) if c.tree_id == actor.unit.tree_id => c,
            Ok(_) | Err(AppError::NotFound(_)) => {
                return fail(None, format!("không có Tuần lễ số {cid}"));
            }
            Err(other) => return Err(other),
        };
        let template = self.template(campaign.template_id).await?;
        if let Some(m) = &meta {
            if m.template_code != template.code || m.template_version != template.version {
                return fail(None, format!(
                    "tệp theo mẫu \"{}\" phiên bản {}, nhưng Tuần lễ dùng mẫu \"{}\" phiên bản {}: hãy tải bảng tính mới của Tuần lễ rồi nhập lại số liệu",
                    m.template_code, m.template_version, template.code, template.version
                ));
            }
        }
        let unit = match self.workbook_unit(actor, &campaign, &wb).await? {
            Ok(u) => u,
            Err(m) => return fail(None, m),
        };
        if !actor.can(&unit, Action::EditReport) {
            return fail(
                Some(&unit),
                format!("bạn không có quyền nhập báo cáo cho \"{}\"", unit.name),
            );
        }
        let parsed = match wb.parse(&template) {
            Ok(p) => p,
            Err(problems) => {
                return Ok(Prepared::Done(failed(
                    &name,
                    Some(&unit),
                    problems.into_iter().map(|p| p.message).collect(),
                )));
            }
        };
        Ok(Prepared::Ready(Box::new(ReadyFile {
            name,
            campaign,
            template,
            unit,
            parsed,
        })))
    }

    /// Saves one prepared workbook: one [`App::save_report`] transaction, or
    /// "Không thay đổi" when it holds what is stored.
    async fn save_prepared(
        &self,
        actor: &Actor,
        ready: Box<ReadyFile>,
        action: ReportAction,
    ) -> Result<FileOutcome> {
        let ReadyFile {
            name,
            campaign,
            template,
            unit,
            parsed,
        } = *ready;
        let fail = |unit: Option<&Unit>, m: String| Ok(failed(&name, unit, vec![m]));
        let existing = self.store.report(campaign.id, unit.id).await?;
        let mut content = existing
            .as_ref()
            .map(|r| r.content.clone())
            .unwrap_or_default();
        content.figures = parsed.figures.clone();
        fill_totals(&template, &mut content.figures);
        content.notes = parsed.notes.clone();
        if let Some(before) = &existing {
            let settled = matches!(
                before.row.status,
                ReportStatus::Submitted | ReportStatus::Accepted
            );
            if before.content.figures == content.figures
                && before.content.notes == content.notes
                && (action == ReportAction::Save || settled)
            {
                return Ok(FileOutcome {
                    file: name.to_string(),
                    unit_code: Some(unit.code.clone()),
                    unit_name: Some(unit.name.clone()),
                    result: FileResult::Unchanged,
                });
            }
        }
        explain_from_notes(&template, &mut content, action == ReportAction::Submit);
        match self
            .save_report(actor, campaign.id, &unit.code, action, content)
            .await
        {
            Ok(r) => Ok(FileOutcome {
                file: name.to_string(),
                unit_code: Some(unit.code.clone()),
                unit_name: Some(unit.name.clone()),
                result: FileResult::Imported {
                    status: r.row.status,
                },
            }),
            Err(AppError::Validation(issues)) => Ok(failed(
                &name,
                Some(&unit),
                issues
                    .iter()
                    .map(|i| located(&parsed, i.row.as_deref(), i.column.as_deref(), &i.message))
                    .collect(),
            )),
            Err(e @ AppError::Store(_)) => Err(e),
            Err(other) => fail(Some(&unit), other.to_string()),
        }
    }

    /// The unit a workbook is for: its hidden sheet's code, else the heading's
    /// "(mã …)", else the heading's name among the actor's subtree. `Ok(Err(m))` is a
    /// problem of the file.
    async fn workbook_unit(
        &self,
        actor: &Actor,
        campaign: &Campaign,
        wb: &ReportWorkbook,
    ) -> Result<std::result::Result<Unit, String>> {
        let code = wb
            .metadata
            .as_ref()
            .map(|m| m.unit_code.clone())
            .or_else(|| wb.heading_unit.as_ref().and_then(|h| h.code.clone()));
        if let Some(code) = code {
            return Ok(
                match self.store.unit_by_code(campaign.tree_id, &code).await? {
                    None => Err(format!(
                        "không có đơn vị mã \"{code}\" trong cây đơn vị của Tuần lễ"
                    )),
                    Some(u) if !actor.unit.contains(&u) => Err(format!(
                        "đơn vị \"{}\" (mã {code}) nằm ngoài phạm vi quản lý của bạn ({})",
                        u.name, actor.unit.name
                    )),
                    Some(u) => Ok(u),
                },
            );
        }
        let Some(h) = &wb.heading_unit else {
            return Ok(Err("không xác định được đơn vị: tệp không phải bảng tính tải từ tuanle và không có dòng «Đơn vị: Tên đơn vị (mã …)» ở đầu trang".into()));
        };
        let want = normalize_label(&h.name);
        let found: Vec<Unit> = self
            .search_units(actor, &h.name, 50)
            .await?
            .into_iter()
            .filter(|u| normalize_label(&u.name) == want)
            .collect();
        Ok(match found.len() {
            1 => Ok(found.into_iter().next().expect("one")),
            0 => Err(format!("không tìm thấy đơn vị \"{}\" trong phạm vi quản lý của bạn; hãy ghi mã đơn vị: «Đơn vị: {} (mã …)»", h.name, h.name)),
            n => Err(format!("có {n} đơn vị tên \"{}\"; hãy ghi mã đơn vị: «Đơn vị: {} (mã …)»", h.name, h.name)),
        })
    }

    /// The consolidation of a unit as sheets: table, children, completeness.
    async fn consolidation_lines(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        basis: Basis,
    ) -> Result<(
        crate::consolidation::ConsolidationView,
        Vec<ChildLine>,
        Vec<CompletenessLine>,
    )> {
        let view = self
            .consolidation(actor, campaign_id, unit_code, basis)
            .await?;
        let children = view
            .children
            .iter()
            .map(|c| ChildLine {
                code: c.unit.code.clone(),
                name: c.unit.name.clone(),
                values: c.totals.values.clone(),
            })
            .collect();
        let states = self
            .store
            .subtree_report_states(
                view.campaign.id,
                view.campaign.tree_id,
                &view.unit.path,
                &view.campaign.required_types,
            )
            .await?;
        let completeness = states
            .into_iter()
            .map(|s| CompletenessLine {
                code: s.unit.code.clone(),
                name: s.unit.name.clone(),
                status: s
                    .status
                    .map(|st| st.label_vi().to_string())
                    .unwrap_or_else(|| "Chưa có báo cáo".into()),
                submitted_at: s
                    .submitted_at
                    .as_deref()
                    .and_then(|t| tuanle_store::parse_time(t).ok())
                    .map(datetime_vi)
                    .unwrap_or_default(),
                late: s.late,
            })
            .collect();
        Ok((view, children, completeness))
    }

    /// Tải tổng hợp (Excel) — (file name, bytes).
    pub async fn consolidation_workbook(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        basis: Basis,
    ) -> Result<(String, Vec<u8>)> {
        let (view, children, completeness) = self
            .consolidation_lines(actor, campaign_id, unit_code, basis)
            .await?;
        let bytes = consolidation_workbook(&ConsolidationSheet {
            template: &view.template,
            unit_code: &view.unit.code,
            unit_name: &view.unit.name,
            campaign_name: &view.campaign.name,
            basis_label: basis.label_vi(),
            totals: &view.totals.values,
            children,
            completeness,
        })
        .map_err(|e: SheetError| AppError::BadFile(e.to_string()))?;
        let name = download_name(
            &[
                "tong-hop",
                &view.campaign.year.to_string(),
                &view.unit.code,
                basis.as_str(),
            ],
            "xlsx",
        );
        Ok((name, bytes))
    }

    /// Tải tổng hợp (CSV) — one part of the consolidation for machines.
    pub async fn consolidation_csv(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        basis: Basis,
        part: CsvPart,
    ) -> Result<(String, Vec<u8>)> {
        let (view, children, completeness) = self
            .consolidation_lines(actor, campaign_id, unit_code, basis)
            .await?;
        let bytes = consolidation_csv(
            &ConsolidationSheet {
                template: &view.template,
                unit_code: &view.unit.code,
                unit_name: &view.unit.name,
                campaign_name: &view.campaign.name,
                basis_label: basis.label_vi(),
                totals: &view.totals.values,
                children,
                completeness,
            },
            part,
        )
        .map_err(|e| AppError::BadFile(e.to_string()))?;
        let part_name = match part {
            CsvPart::Table => "bang",
            CsvPart::Children => "don-vi",
            CsvPart::Completeness => "tinh-hinh-nop",
        };
        let name = download_name(
            &[
                "tong-hop",
                &view.campaign.year.to_string(),
                &view.unit.code,
                part_name,
                basis.as_str(),
            ],
            "csv",
        );
        Ok((name, bytes))
    }
}

/// A validation message placed on its sheet cell when the row/column is known.
fn located(p: &ParsedReport, row: Option<&str>, column: Option<&str>, message: &str) -> String {
    match p.position(row, column) {
        Some(at) => format!("{at}: {message}"),
        None => message.to_string(),
    }
}

/// On submit, a warning on a row whose "Ghi chú" is filled takes that note as its
/// explanation (*giải trình*): a workbook has no other place for one.
fn explain_from_notes(t: &Template, content: &mut ReportContent, submitting: bool) {
    if !submitting {
        return;
    }
    let v = validate(t, content, true);
    let missing: Vec<(String, String)> = v
        .unexplained(content)
        .filter_map(|w| {
            let note = content.notes.get(w.row.as_deref()?)?;
            Some((w.key.clone(), note.clone()))
        })
        .collect();
    for (k, note) in missing {
        content.explanations.insert(k, note);
    }
}
