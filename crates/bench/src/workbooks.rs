//! Bảng tính — the workbook part of `tuanle bench`.
//!
//! 1. A second campaign on the same tree and template ("Benchmark 2021 — bảng tính"),
//!    for which only communes report.
//! 2. One report workbook per commune, written by tuanle's own exporter
//!    ([`tuanle_sheets::write::report_workbook`]) and prefilled with the same
//!    deterministic figures the HTTP part submits, laid out as
//!    `WORK_DIR/workbooks/<province>/<district>/<commune>.xlsx` (not timed).
//! 3. Timed: `tuanle reports import --campaign ID WORK_DIR/workbooks` — the command line a
//!    district or province operator runs, as its own process on the same database; every
//!    workbook is submitted (all or nothing per file), and the running sums are the
//!    consolidation, so nothing is left to compute afterwards.
//! 4. Timed, in the same invocation: `scripts/bench_openpyxl.py`, openpyxl opening each
//!    workbook, reading the table's cells and adding them up per district, province and
//!    nation, as staff do today.
//! 5. The nation's and every province's sums of both must agree cell by cell, or the bench
//!    fails.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::Instant;

use tuanle_app::{Actor, App};
use tuanle_domain::campaign::{Campaign, LevelDeadline};
use tuanle_domain::report::{Basis, Figures, ReportContent};
use tuanle_domain::template::Template;
use tuanle_domain::validate::fill_totals;
use tuanle_sheets::write::{cell_ref, report_workbook, ReportSheet, HEADER_ROW};

use crate::{report_body, BenchError, BenchOptions, Result};

/// The workbook import measured against openpyxl.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct WorkbookBench {
    /// The campaign the workbooks were imported into.
    pub campaign_id: i64,
    /// Workbooks (one per commune) and their total size.
    pub files: usize,
    pub bytes: u64,
    /// Writing them with tuanle's exporter (not part of the comparison).
    pub generate_s: f64,
    /// How tuanle imported them.
    pub import_command: String,
    pub import_s: f64,
    pub files_per_s: f64,
    pub imported: usize,
    /// openpyxl's time (from the first file opened to the national sum) and mode.
    pub openpyxl_s: Option<f64>,
    pub openpyxl_mode: Option<String>,
    pub openpyxl_wall_s: Option<f64>,
    /// openpyxl time ÷ tuanle time (target ≥ 10).
    pub ratio: Option<f64>,
    /// Cells compared (nation + provinces) and whether all agreed.
    pub cells_compared: usize,
    pub totals_agree: Option<bool>,
    /// Sum of every cell of the national table (a checksum).
    pub national_checksum: i64,
}

/// One commune of the (possibly limited) units CSV.
struct Commune {
    code: String,
    name: String,
    district: String,
    province: String,
}

fn communes(csv: &str) -> Vec<Commune> {
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim_end_matches('\r').split(',').collect())
        .collect();
    let parent: std::collections::HashMap<&str, &str> = rows
        .iter()
        .filter(|r| r.len() >= 5)
        .map(|r| (r[0], r[4]))
        .collect();
    rows.iter()
        .filter(|r| r.get(3) == Some(&"3"))
        .map(|r| {
            let district = r[4];
            Commune {
                code: r[0].to_string(),
                name: r[1].to_string(),
                district: district.to_string(),
                province: parent.get(district).copied().unwrap_or("").to_string(),
            }
        })
        .collect()
}

/// The figures a commune's workbook is filled with: the bench's deterministic report,
/// totals computed as the server would.
fn figures(template: &Template, seed: u64) -> Result<Figures> {
    let body = report_body(template, seed);
    let mut f: Figures = serde_json::from_value(body["figures"].clone())
        .map_err(|e| BenchError::Other(e.to_string()))?;
    fill_totals(template, &mut f);
    Ok(f)
}

/// Writes every commune's workbook with a bounded pool of threads; returns (files, bytes).
fn write_workbooks(
    dir: &Path,
    template: &Template,
    campaign: &Campaign,
    communes: &[Commune],
) -> Result<(usize, u64)> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let bytes = std::sync::atomic::AtomicU64::new(0);
    let deadline = campaign
        .deadlines
        .iter()
        .find(|d| d.admin_level == 3)
        .map(|d| d.deadline);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| -> Result<()> {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(c) = communes.get(i) else {
                            return Ok(());
                        };
                        let content = ReportContent {
                            figures: figures(template, i as u64)?,
                            ..Default::default()
                        };
                        let xlsx = report_workbook(&ReportSheet {
                            template,
                            unit_code: &c.code,
                            unit_name: &c.name,
                            campaign_id: campaign.id,
                            campaign_name: &campaign.name,
                            period: (campaign.start_date, campaign.end_date),
                            deadline,
                            content: Some(&content),
                        })
                        .map_err(|e| BenchError::Other(format!("{}: {e}", c.code)))?;
                        let folder = dir.join(&c.province).join(&c.district);
                        std::fs::create_dir_all(&folder)?;
                        std::fs::write(folder.join(format!("{}.xlsx", c.code)), &xlsx)?;
                        bytes.fetch_add(xlsx.len() as u64, std::sync::atomic::Ordering::Relaxed);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join()
                .map_err(|_| BenchError::Other("luồng ghi bảng tính bị lỗi".into()))??;
        }
        Ok::<_, BenchError>(())
    })?;
    Ok((communes.len(), bytes.into_inner()))
}

/// A consolidation's totals as sums per cell address of the report sheet ("D12"),
/// non-zero cells only.
fn by_cell(template: &Template, values: &[i64]) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for (r, ind) in template.indicators.iter().enumerate() {
        for (c, col) in template.columns.iter().enumerate() {
            if let Some(slot) = template.slot(&ind.code, &col.key) {
                let v = values.get(slot).copied().unwrap_or(0);
                if v != 0 {
                    out.insert(cell_ref(HEADER_ROW + 1 + r as u32, 3 + c as u16), v);
                }
            }
        }
    }
    out
}

/// Differences between our sums and openpyxl's (cells missing on one side count as 0).
fn differences(
    what: &str,
    ours: &BTreeMap<String, i64>,
    theirs: &serde_json::Value,
) -> (usize, Vec<String>) {
    let theirs: BTreeMap<String, i64> = theirs
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_i64().unwrap_or(i64::MIN)))
                .filter(|(_, v)| *v != 0)
                .collect()
        })
        .unwrap_or_default();
    let keys: std::collections::BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    let mut diffs = Vec::new();
    for k in &keys {
        let (a, b) = (
            ours.get(*k).copied().unwrap_or(0),
            theirs.get(*k).copied().unwrap_or(0),
        );
        if a != b {
            diffs.push(format!("{what} {k}: tuanle {a}, openpyxl {b}"));
        }
    }
    (keys.len(), diffs)
}

/// Runs the workbook part on the bench's database (the server is stopped).
pub(crate) async fn run(
    opts: &BenchOptions,
    app: &App,
    actor: &Actor,
    campaign_1: &Campaign,
    template: &Template,
    units_csv: &str,
) -> Result<WorkbookBench> {
    let mut out = WorkbookBench::default();
    let communes = communes(units_csv);
    let campaign = Campaign {
        id: 0,
        name: "Benchmark 2021 — bảng tính".into(),
        required_types: vec!["Phường".into(), "Xã".into(), "Thị trấn".into()],
        deadlines: vec![LevelDeadline {
            admin_level: 3,
            deadline: campaign_1
                .deadlines
                .iter()
                .find(|d| d.admin_level == 3)
                .map(|d| d.deadline)
                .unwrap_or(campaign_1.end_date),
        }],
        ..campaign_1.clone()
    };
    let cid = app.create_campaign(Some(actor), &campaign).await?;
    let campaign = app.campaign(cid).await?;
    out.campaign_id = cid;

    let dir = opts.work_dir.join("workbooks");
    eprintln!(
        "[bench] ghi {} bảng tính xã/phường bằng tuanle…",
        communes.len()
    );
    let t = Instant::now();
    let (template_w, campaign_w, dir_w) = (template.clone(), campaign.clone(), dir.clone());
    let (files, bytes) = tokio::task::spawn_blocking(move || {
        write_workbooks(&dir_w, &template_w, &campaign_w, &communes)
    })
    .await
    .map_err(|e| BenchError::Other(e.to_string()))??;
    out.generate_s = t.elapsed().as_secs_f64();
    out.files = files;
    out.bytes = bytes;

    // tuanle: the operator's command line on the same database.
    let args: Vec<String> = vec![
        "reports".into(),
        "import".into(),
        "--db".into(),
        opts.db.clone(),
        "--campaign".into(),
        cid.to_string(),
        dir.display().to_string(),
    ];
    out.import_command = format!(
        "tuanle {}",
        args.iter()
            .map(|a| if a == &opts.db {
                "<db>".into()
            } else {
                a.clone()
            })
            .collect::<Vec<_>>()
            .join(" ")
    );
    eprintln!("[bench] {} …", out.import_command);
    let t = Instant::now();
    let res = tokio::process::Command::new(&opts.server_bin)
        .args(&args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .await?;
    out.import_s = t.elapsed().as_secs_f64();
    out.files_per_s = files as f64 / out.import_s.max(1e-9);
    let stdout = String::from_utf8_lossy(&res.stdout);
    out.imported = stdout.lines().filter(|l| l.contains(": đã nhập")).count();
    if !res.status.success() || out.imported != files {
        let failures: Vec<&str> = stdout
            .lines()
            .filter(|l| !l.contains(": đã nhập"))
            .take(10)
            .collect();
        return Err(BenchError::Other(format!(
            "nhập bảng tính: {} / {files} tệp được nhập (mã thoát {}):\n{}",
            out.imported,
            res.status,
            failures.join("\n")
        )));
    }
    eprintln!(
        "[bench] tuanle nhập {files} bảng tính: {:.2} s ({:.0} tệp/giây)",
        out.import_s, out.files_per_s
    );

    // What tuanle consolidated.
    let root = app.store.tree_root(campaign.tree_id).await?;
    let nation = app
        .consolidation(actor, cid, &root.code, Basis::Submitted)
        .await?;
    let ours_nation = by_cell(template, &nation.totals.values);
    out.national_checksum = ours_nation.values().sum();

    let Some(python) = &opts.python else {
        return Ok(out);
    };
    eprintln!("[bench] openpyxl cộng {files} bảng tính theo huyện, tỉnh, toàn quốc…");
    let t = Instant::now();
    let res = tokio::process::Command::new(python)
        .arg(&opts.openpyxl_script)
        .arg(&dir)
        .stderr(Stdio::inherit())
        .output()
        .await?;
    out.openpyxl_wall_s = Some(t.elapsed().as_secs_f64());
    if !res.status.success() {
        return Err(BenchError::Other(format!(
            "openpyxl lỗi (mã thoát {}); cài bằng: python3 -m pip install openpyxl",
            res.status
        )));
    }
    let v: serde_json::Value = serde_json::from_slice(&res.stdout)
        .map_err(|e| BenchError::Other(format!("openpyxl: {e}")))?;
    let secs = v["seconds"]
        .as_f64()
        .ok_or_else(|| BenchError::Other("openpyxl: thiếu thời gian".into()))?;
    out.openpyxl_s = Some(secs);
    out.openpyxl_mode = v["mode"].as_str().map(str::to_string);
    out.ratio = Some(secs / out.import_s.max(1e-9));
    if v["files"].as_u64() != Some(files as u64) {
        return Err(BenchError::Other(format!(
            "openpyxl đọc {} tệp, không phải {files}",
            v["files"]
        )));
    }

    // Both totals must agree: the nation and every province, cell by cell.
    let (mut compared, mut diffs) = differences("toàn quốc", &ours_nation, &v["nation"]);
    let provinces: std::collections::BTreeSet<&str> = v["by_province"]
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    for p in app.store.children(root.id).await? {
        if !provinces.contains(p.code.as_str()) {
            continue;
        }
        let c = app
            .consolidation(actor, cid, &p.code, Basis::Submitted)
            .await?;
        let (n, mut d) = differences(
            &format!("tỉnh {}", p.code),
            &by_cell(template, &c.totals.values),
            &v["by_province"][&p.code],
        );
        compared += n;
        diffs.append(&mut d);
    }
    out.cells_compared = compared;
    out.totals_agree = Some(diffs.is_empty());
    if !diffs.is_empty() || ours_nation.is_empty() {
        return Err(BenchError::Other(format!(
            "TỔNG KHÔNG KHỚP giữa tuanle và openpyxl ({} ô khác trên {compared}):\n{}",
            diffs.len(),
            diffs
                .iter()
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        )));
    }
    eprintln!(
        "[bench] openpyxl {secs:.2} s; tuanle nhanh hơn {:.1} lần; {compared} ô tổng khớp",
        secs / out.import_s.max(1e-9)
    );
    Ok(out)
}

/// The Markdown row of the workbook part.
pub fn markdown_row(w: &WorkbookBench) -> String {
    format!(
        "| import of {} commune workbooks ({:.1} MB) | {:.2} s ({:.0} files/s, `tuanle reports import`) | openpyxl {} | {} |\n",
        w.files,
        w.bytes as f64 / 1e6,
        w.import_s,
        w.files_per_s,
        w.openpyxl_s
            .map(|s| format!("{s:.2} s ({})", w.openpyxl_mode.as_deref().unwrap_or("")))
            .unwrap_or_else(|| "—".into()),
        w.ratio
            .map(|r| format!(
                "{r:.1}× faster, {} cells agree",
                w.cells_compared
            ))
            .unwrap_or_else(|| "—".into()),
    )
}
