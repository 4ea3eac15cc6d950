//! `tuanle bench` — the national benchmark.
//!
//! 1. Builds the 2021 tree from the official CSV plus one TTHTCĐ and four schools per
//!    commune (≈ 64k reporting units) and a campaign on the seed 002 template.
//! 2. Starts `tuanle serve` on that database as a separate process.
//! 3. Submits a full report for every reporting unit over HTTP with N concurrent
//!    clients; reports submissions per second and p50/p99 latency.
//! 4. Reads consolidations (the nation, each province, a district) and reports p50/p99.
//! 5. Rebuilds every consolidation from the raw values and reports the time.
//! 6. Runs the baseline in the same invocation: DuckDB summing an export of the raw
//!    values (`scripts/bench_duckdb.py`), and prints both side by side with ratios.
//! 7. Reports the server's peak resident memory.
//! 8. Unless `workbooks` is off: imports one workbook per commune with `tuanle reports
//!    import` and consolidates the same files with openpyxl ([`workbooks`]).

pub mod load;
pub mod workbooks;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tuanle_app::users::NewUser;
use tuanle_app::{Actor, App};
use tuanle_domain::access::Role;
use tuanle_domain::campaign::{Campaign, LevelDeadline};
use tuanle_domain::template::{RowKind, Template};

/// What to run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Database URL of a fresh database (`sqlite://…` or `postgres://…`).
    pub db: String,
    /// The official units file (clean format).
    pub units_csv: PathBuf,
    /// The `tuanle` binary to start as the server.
    pub server_bin: PathBuf,
    /// Concurrent HTTP clients.
    pub clients: usize,
    /// Use only the first N communes (with their districts and provinces); `None` = all.
    pub communes: Option<usize>,
    /// Python interpreter with the `duckdb` package, or `None` to skip the baseline.
    pub python: Option<String>,
    /// The DuckDB script.
    pub duckdb_script: PathBuf,
    /// Folder for the exported raw values.
    pub work_dir: PathBuf,
    /// Also run the workbook import against openpyxl ([`workbooks`]).
    pub workbooks: bool,
    /// The openpyxl script.
    pub openpyxl_script: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{0}")]
    App(#[from] tuanle_app::AppError),
    #[error("{0}")]
    Store(#[from] tuanle_store::StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("HTTP: {0}")]
    Http(#[from] reqwest::Error),
    #[error("{0}")]
    Other(String),
}

type Result<T> = std::result::Result<T, BenchError>;

/// Latency summary in milliseconds.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Latency {
    pub count: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

fn summarize(mut v: Vec<Duration>) -> Latency {
    if v.is_empty() {
        return Latency::default();
    }
    v.sort();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
    Latency {
        count: v.len(),
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: at(1.0),
    }
}

/// Everything measured.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct BenchReport {
    pub backend: String,
    pub units: i64,
    pub reporting_units: usize,
    pub setup_s: f64,
    pub submissions: usize,
    pub submission_errors: usize,
    pub submit_s: f64,
    pub submissions_per_s: f64,
    pub submit_latency: Latency,
    pub national_read: Latency,
    pub province_read: Latency,
    pub district_read: Latency,
    pub rebuild_s: f64,
    pub rebuild_differing: usize,
    pub server_peak_rss_mb: f64,
    pub duckdb: Option<serde_json::Value>,
    pub values_exported: usize,
    pub workbooks: Option<workbooks::WorkbookBench>,
}

/// School types added under each commune.
const SCHOOLS: [(&str, &str); 4] = [
    ("MN", "Trường mầm non"),
    ("TH", "Trường tiểu học"),
    ("THCS", "Trường THCS"),
    ("THPT", "Trường THPT"),
];

/// Keeps the first `n` communes of the clean CSV with their ancestors.
fn limit_units(csv: &str, n: usize) -> String {
    let mut lines = csv.lines();
    let header = lines.next().unwrap_or_default();
    let rows: Vec<Vec<&str>> = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim_end_matches('\r').split(',').collect())
        .collect();
    let communes: Vec<&Vec<&str>> = rows
        .iter()
        .filter(|r| r.get(3) == Some(&"3"))
        .take(n)
        .collect();
    let districts: std::collections::HashSet<&str> = communes.iter().map(|r| r[4]).collect();
    let provinces: std::collections::HashSet<&str> = rows
        .iter()
        .filter(|r| r.get(3) == Some(&"2") && districts.contains(r[0]))
        .map(|r| r[4])
        .collect();
    let mut out = format!("{header}\n");
    for r in &rows {
        let keep = match r.get(3) {
            Some(&"1") => provinces.contains(r[0]),
            Some(&"2") => districts.contains(r[0]),
            _ => communes.iter().any(|c| c[0] == r[0]),
        };
        if keep {
            out.push_str(&r.join(","));
            out.push('\n');
        }
    }
    out
}

/// A full, valid report for a unit: deterministic pseudo-random figures on every value row.
fn report_body(template: &Template, seed: u64) -> serde_json::Value {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = |lo: i64, hi: i64| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + ((s >> 33) as i64).rem_euclid(hi - lo + 1)
    };
    let mut figures = serde_json::Map::new();
    for ind in &template.indicators {
        if ind.kind != RowKind::Value {
            continue;
        }
        let mut row = serde_json::Map::new();
        if ind.money {
            row.insert(ind.columns[0].clone(), (next(1, 40) * 500_000).into());
        } else if ind.columns.len() == 2 {
            let n = next(1, 4);
            row.insert("count".into(), n.into());
            row.insert("people".into(), (n * next(10, 40)).into());
        } else {
            row.insert(ind.columns[0].clone(), next(0, 50).into());
        }
        figures.insert(ind.code.clone(), row.into());
    }
    serde_json::json!({ "action": "submit", "figures": figures })
}

fn peak_rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Runs the benchmark, printing progress to stderr.
pub async fn run(opts: &BenchOptions) -> Result<BenchReport> {
    let mut report = BenchReport {
        backend: if opts.db.starts_with("postgres") {
            "PostgreSQL".into()
        } else {
            "SQLite".into()
        },
        ..Default::default()
    };
    let t0 = Instant::now();
    let app = App::open(&opts.db).await?;
    if !app.store.list_trees().await?.is_empty() {
        return Err(BenchError::Other(
            "cơ sở dữ liệu của benchmark phải trống".into(),
        ));
    }
    let csv = std::fs::read_to_string(&opts.units_csv)?;
    let csv = match opts.communes {
        Some(n) => limit_units(&csv, n),
        None => csv,
    };
    eprintln!("[bench] nhập cây đơn vị…");
    let date = chrono::NaiveDate::from_ymd_opt(2021, 11, 1).expect("date");
    let (tree, _) = app
        .import_units(None, "2021", date, csv.as_bytes(), |_, _| {})
        .await?;
    let admin = NewUser {
        username: "bench".into(),
        full_name: "Benchmark".into(),
        email: None,
        password: "bench-password".into(),
        unit_code: "VN".into(),
        role: Role::Admin,
    };
    app.add_user(None, tree.id, &admin, true).await?;
    let session = app.login("bench", "bench-password", None).await?;
    let actor: Actor = session.actor;
    let communes: Vec<String> = csv
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.trim_end_matches('\r').split(',').collect();
            (f.get(3) == Some(&"3")).then(|| f[0].to_string())
        })
        .collect();
    let mut bodies = String::from("code,name,type,parent_code\n");
    for c in &communes {
        bodies.push_str(&format!(
            "{c}-TTHTCD,Trung tâm học tập cộng đồng {c},TTHTCĐ,{c}\n"
        ));
        for (suffix, kind) in SCHOOLS {
            bodies.push_str(&format!("{c}-{suffix},{kind} {c},{kind},{c}\n"));
        }
    }
    eprintln!("[bench] thêm {} TTHTCĐ và trường…", communes.len() * 5);
    app.import_bodies(&actor, tree.id, bodies.as_bytes())
        .await?;
    let template_id = app
        .store
        .template_id("tuanle-2021", 1)
        .await?
        .ok_or_else(|| BenchError::Other("thiếu mẫu".into()))?;
    let template = app.template(template_id).await?;
    let mut required: Vec<String> = [
        "Thành phố Trung ương",
        "Tỉnh",
        "Quận",
        "Huyện",
        "Thị xã",
        "Thành phố",
        "Phường",
        "Xã",
        "Thị trấn",
        "TTHTCĐ",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    required.extend(SCHOOLS.iter().map(|(_, k)| k.to_string()));
    let d = |m, day| chrono::NaiveDate::from_ymd_opt(2021, m, day).expect("date");
    let campaign = Campaign {
        id: 0,
        year: 2021,
        name: "Benchmark 2021".into(),
        themes: vec![],
        start_date: d(10, 1),
        end_date: d(10, 7),
        tree_id: tree.id,
        template_id,
        required_types: required.clone(),
        deadlines: vec![
            LevelDeadline {
                admin_level: 3,
                deadline: d(10, 12),
            },
            LevelDeadline {
                admin_level: 2,
                deadline: d(10, 15),
            },
            LevelDeadline {
                admin_level: 1,
                deadline: d(10, 19),
            },
        ],
    };
    let cid = app.create_campaign(Some(&actor), &campaign).await?;
    let root = app.store.tree_root(tree.id).await?;
    let reporting: Vec<String> = app
        .store
        .subtree_units_of_types(tree.id, &root.path, &required)
        .await?
        .into_iter()
        .map(|u| u.code)
        .collect();
    report.units = app.store.count_units(tree.id).await?;
    report.reporting_units = reporting.len();
    report.setup_s = t0.elapsed().as_secs_f64();
    eprintln!(
        "[bench] {} đơn vị, {} đơn vị báo cáo, chuẩn bị {:.1} s",
        report.units,
        reporting.len(),
        report.setup_s
    );
    app.store.close().await;

    // The server, as its own process.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = tokio::process::Command::new(&opts.server_bin)
        .args([
            "serve",
            "--db",
            &opts.db,
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().unwrap_or(0);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(opts.clients * 2)
        .timeout(Duration::from_secs(60))
        .build()?;
    let started = Instant::now();
    loop {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .map(|r| r.status().is_success())
            .unwrap_or(false)
        {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            return Err(BenchError::Other("máy chủ không khởi động được".into()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"username": "bench", "password": "bench-password"}))
        .send()
        .await?
        .json()
        .await?;
    let token = token["token"]
        .as_str()
        .ok_or_else(|| BenchError::Other(format!("không lấy được token: {token}")))?
        .to_string();

    // Submissions.
    eprintln!(
        "[bench] nộp {} báo cáo với {} kết nối đồng thời…",
        reporting.len(),
        opts.clients
    );
    // Reports arrive from all over the country, not in tree order: submit in a fixed
    // pseudo-random order (a district's wards do not all submit in the same second).
    let mut order = reporting.clone();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..order.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        order.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    let queue = Arc::new(order);
    let next = Arc::new(AtomicUsize::new(0));
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..opts.clients {
        let (queue, next, client, token, base, template) = (
            queue.clone(),
            next.clone(),
            client.clone(),
            token.clone(),
            base.clone(),
            template.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(code) = queue.get(i) else { break };
                let body = report_body(&template, i as u64);
                let s = Instant::now();
                let r = client
                    .put(format!("{base}/api/v1/campaigns/{cid}/reports/{code}"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                let ok = match r {
                    Ok(r) => {
                        let ok = r.status().is_success();
                        if !ok && errors < 3 {
                            eprintln!(
                                "[bench] {code}: {} {}",
                                r.status(),
                                r.text().await.unwrap_or_default()
                            );
                        }
                        ok
                    }
                    Err(e) => {
                        eprintln!("[bench] {code}: {e}");
                        false
                    }
                };
                lat.push(s.elapsed());
                errors += usize::from(!ok);
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        let (lat, errors) = task.await.map_err(|e| BenchError::Other(e.to_string()))?;
        all.extend(lat);
        report.submission_errors += errors;
    }
    report.submit_s = t.elapsed().as_secs_f64();
    report.submissions = all.len();
    report.submissions_per_s = all.len() as f64 / report.submit_s;
    report.submit_latency = summarize(all);
    eprintln!(
        "[bench] {:.0} báo cáo/giây, p50 {:.1} ms, p99 {:.1} ms",
        report.submissions_per_s, report.submit_latency.p50_ms, report.submit_latency.p99_ms
    );

    // Fresh planner statistics before the reads, as autovacuum would have them (the
    // server's worker also refreshes them every minute).
    App::open(&opts.db).await?.store.analyze().await?;

    // Reads.
    let read = |url: String, n: usize| {
        let client = client.clone();
        let token = token.clone();
        async move {
            let mut lat = Vec::new();
            for _ in 0..n {
                let s = Instant::now();
                let r = client.get(&url).bearer_auth(&token).send().await?;
                let ok = r.status().is_success();
                let _ = r.bytes().await?;
                lat.push(s.elapsed());
                if !ok {
                    return Err(BenchError::Other(format!("{url} trả lỗi")));
                }
            }
            Ok::<_, BenchError>(lat)
        }
    };
    report.national_read = summarize(
        read(
            format!("{base}/api/v1/campaigns/{cid}/consolidation/VN"),
            200,
        )
        .await?,
    );
    let app = App::open(&opts.db).await?;
    let provinces: Vec<String> = app
        .store
        .children(root.id)
        .await?
        .into_iter()
        .map(|u| u.code)
        .collect();
    let mut lat = Vec::new();
    for p in &provinces {
        lat.extend(
            read(
                format!("{base}/api/v1/campaigns/{cid}/consolidation/{p}"),
                3,
            )
            .await?,
        );
    }
    report.province_read = summarize(lat);
    let district = if reporting.iter().any(|c| c == "778") {
        "778".to_string()
    } else {
        app.store
            .children(
                app.store
                    .unit_by_code(tree.id, &provinces[0])
                    .await?
                    .map(|u| u.id)
                    .unwrap_or(root.id),
            )
            .await?
            .into_iter()
            .next()
            .map(|u| u.code)
            .unwrap_or_default()
    };
    report.district_read = summarize(
        read(
            format!("{base}/api/v1/campaigns/{cid}/consolidation/{district}"),
            200,
        )
        .await?,
    );
    eprintln!(
        "[bench] đọc tổng hợp: toàn quốc p50 {:.2} ms, tỉnh p50 {:.2} ms, huyện p50 {:.2} ms",
        report.national_read.p50_ms, report.province_read.p50_ms, report.district_read.p50_ms
    );

    // Rebuild.
    let t = Instant::now();
    let r: serde_json::Value = client
        .post(format!(
            "{base}/api/v1/campaigns/{cid}/consolidation/rebuild"
        ))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    report.rebuild_s = t.elapsed().as_secs_f64();
    report.rebuild_differing = r["differing"].as_u64().unwrap_or(u64::MAX) as usize;
    eprintln!(
        "[bench] tính lại toàn bộ: {:.2} s, {} tổng khác",
        report.rebuild_s, report.rebuild_differing
    );
    report.server_peak_rss_mb = peak_rss_mb(pid);
    let _ = child.kill().await;

    // Baseline.
    report.values_exported = export_values(&app, cid, &template, &opts.work_dir).await?;
    if let Some(python) = &opts.python {
        eprintln!("[bench] DuckDB trên {} giá trị…", report.values_exported);
        let out = tokio::process::Command::new(python)
            .arg(&opts.duckdb_script)
            .arg(&opts.work_dir)
            .output()
            .await?;
        if !out.status.success() {
            return Err(BenchError::Other(format!(
                "DuckDB lỗi: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).map_err(|e| BenchError::Other(e.to_string()))?;
        report.duckdb = Some(v);
    }
    if opts.workbooks {
        let campaign = app.campaign(cid).await?;
        report.workbooks =
            Some(workbooks::run(opts, &app, &actor, &campaign, &template, &csv).await?);
    }
    Ok(report)
}

/// Writes units.csv (id,parent_id,depth) and values.csv (unit_id,slot,value) of the
/// campaign's raw report values; returns the number of values.
async fn export_values(app: &App, cid: i64, template: &Template, dir: &Path) -> Result<usize> {
    use std::io::Write;
    std::fs::create_dir_all(dir)?;
    let campaign = app.campaign(cid).await?;
    let mut tx = app.store.begin().await?;
    let units = tx.tree_units_brief(campaign.tree_id).await?;
    let reports = tx.campaign_reports(cid, template).await?;
    drop(tx);
    let parents: std::collections::HashMap<i64, Option<i64>> =
        units.iter().map(|(id, p, _)| (*id, *p)).collect();
    let depth = |mut id: i64| {
        let mut d = 0;
        while let Some(Some(p)) = parents.get(&id) {
            d += 1;
            id = *p;
        }
        d
    };
    let mut u = std::io::BufWriter::new(std::fs::File::create(dir.join("units.csv"))?);
    writeln!(u, "id,parent_id,depth")?;
    for (id, p, _) in &units {
        writeln!(
            u,
            "{id},{},{}",
            p.map(|p| p.to_string()).unwrap_or_default(),
            depth(*id)
        )?;
    }
    let mut v = std::io::BufWriter::new(std::fs::File::create(dir.join("values.csv"))?);
    writeln!(v, "unit_id,slot,value")?;
    let mut n = 0;
    for (unit, _, _, vector) in reports {
        for (slot, value) in vector.iter().enumerate() {
            if *value != 0 {
                writeln!(v, "{unit},{slot},{value}")?;
                n += 1;
            }
        }
    }
    Ok(n)
}

/// The report as a Markdown table, ours beside DuckDB's with ratios.
pub fn markdown(r: &BenchReport) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "Backend: **{}** · {} units, {} reporting units, {} raw values\n\n",
        r.backend, r.units, r.reporting_units, r.values_exported
    ));
    s.push_str("| measure | tuanle | baseline | ratio |\n|---|---|---|---|\n");
    s.push_str(&format!(
        "| submissions over HTTP | {:.0}/s (p50 {:.1} ms, p99 {:.1} ms, {} errors) | | |\n",
        r.submissions_per_s, r.submit_latency.p50_ms, r.submit_latency.p99_ms, r.submission_errors
    ));
    let duck_nat = r
        .duckdb
        .as_ref()
        .and_then(|d| d["national_ms_median"].as_f64());
    let duck_reb = r
        .duckdb
        .as_ref()
        .and_then(|d| d["rebuild_ms_median"].as_f64());
    let ratio = |base: Option<f64>, ours: f64| {
        base.map(|b| format!("{:.1}× faster", b / ours.max(1e-9)))
            .unwrap_or_else(|| "—".into())
    };
    s.push_str(&format!(
        "| national consolidation read | p50 {:.2} ms, p99 {:.2} ms | DuckDB national sum {} | {} |\n",
        r.national_read.p50_ms,
        r.national_read.p99_ms,
        duck_nat.map(|v| format!("{v:.2} ms")).unwrap_or_else(|| "—".into()),
        ratio(duck_nat, r.national_read.p50_ms)
    ));
    s.push_str(&format!(
        "| province read (63 × 3) | p50 {:.2} ms, p99 {:.2} ms | | |\n",
        r.province_read.p50_ms, r.province_read.p99_ms
    ));
    s.push_str(&format!(
        "| district drill-down read | p50 {:.2} ms, p99 {:.2} ms | | |\n",
        r.district_read.p50_ms, r.district_read.p99_ms
    ));
    s.push_str(&format!(
        "| full rebuild from raw values | {:.2} s ({} sums differed) | DuckDB level-by-level {} | {} |\n",
        r.rebuild_s,
        r.rebuild_differing,
        duck_reb.map(|v| format!("{:.2} s", v / 1000.0)).unwrap_or_else(|| "—".into()),
        ratio(duck_reb.map(|v| v / 1000.0), r.rebuild_s)
    ));
    s.push_str(&format!(
        "| server peak RSS | {:.0} MB | | |\n",
        r.server_peak_rss_mb
    ));
    if let Some(w) = &r.workbooks {
        s.push_str(&workbooks::markdown_row(w));
    }
    s
}
