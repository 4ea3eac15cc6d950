//! `tuanle load` — a bounded load test against a running server (issue 7, item 8).
//!
//! N concurrent clients (default 200) for a fixed time on one server, mixing reads
//! (default 70 %) and writes:
//!
//! - **reads**: consolidation through the API (the root, each province, each district
//!   in turn) and as pages, a unit's report through the API and as a page, the
//!   not-yet-submitted list of a district, the public calendar (API and page, no login);
//! - **writes**: report saves, submissions, returns and acceptances of many different
//!   units through the API (`PUT …/reports/{code}`, `POST …/reports/{code}/review`).
//!
//! Every unit written is owned by one client, which knows the report's state and only
//! sends the step the workflow allows (save or submit a draft, return or accept a
//! submission, reopen an accepted report). So every answer must be a 2xx: a 4xx, a
//! 5xx, a connection error or a timeout counts as an **error**, and any error fails
//! the run. The units written are those the signed-in user sees as "not submitted"
//! when the run starts (`GET …/consolidation/{root}/missing`).
//!
//! Prints requests, errors, throughput and latency percentiles (overall, reads,
//! writes and per kind of request).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::Value;

use crate::{BenchError, Result};

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Base URL of the running server (`http://127.0.0.1:8080`).
    pub url: String,
    /// Concurrent clients (one HTTP connection each, kept alive).
    pub clients: usize,
    /// How long the load lasts.
    pub duration: Duration,
    /// Account used for the API and the pages (needs to review and edit the units written:
    /// an administrator or reviewer above them).
    pub username: String,
    pub password: String,
    /// Share of reads, in percent (the rest are writes).
    pub read_percent: u32,
    /// Campaign id; default the first one the API lists.
    pub campaign: Option<i64>,
    /// Seed of the clients' choices (a run is repeatable up to timing).
    pub seed: u64,
    /// A request that takes longer than this is an error.
    pub timeout: Duration,
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Percentiles {
    pub count: usize,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

fn percentiles(v: &mut [Duration]) -> Percentiles {
    if v.is_empty() {
        return Percentiles::default();
    }
    v.sort_unstable();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
    Percentiles {
        count: v.len(),
        p50_ms: at(0.5),
        p90_ms: at(0.9),
        p99_ms: at(0.99),
        max_ms: at(1.0),
    }
}

/// Everything measured.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct LoadReport {
    pub url: String,
    pub clients: usize,
    /// From the first request to the last answer.
    pub elapsed_s: f64,
    pub requests: usize,
    pub reads: usize,
    pub writes: usize,
    pub errors: usize,
    /// Up to 20 errors, as "METHOD path → status: body".
    pub error_samples: Vec<String>,
    pub requests_per_s: f64,
    pub latency: Percentiles,
    pub read_latency: Percentiles,
    pub write_latency: Percentiles,
    /// Per kind of request: count, errors, latency.
    pub kinds: BTreeMap<String, KindReport>,
    /// Units written, and reports in each state at the end (as the clients saw them).
    pub units_written: usize,
    pub final_states: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct KindReport {
    pub requests: usize,
    pub errors: usize,
    pub latency: Percentiles,
}

impl LoadReport {
    /// Did the run pass: requests of both kinds made, and no error at all.
    pub fn passed(&self) -> bool {
        self.errors == 0 && self.reads > 0 && self.writes > 0
    }
}

/// xorshift64*: a small deterministic generator for the clients' choices.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

/// A value row of the template: code, column keys, money.
#[derive(Debug, Clone)]
struct ValueRow {
    code: String,
    columns: Vec<String>,
    money: bool,
}

/// Figures for a full report, in the ranges the national benchmark submits (no warning
/// needs an explanation).
fn figures(rows: &[ValueRow], rng: &mut Rng) -> Value {
    let mut figures = serde_json::Map::new();
    for r in rows {
        let mut row = serde_json::Map::new();
        if r.money {
            row.insert(r.columns[0].clone(), (rng.range(1, 40) * 500_000).into());
        } else if r.columns.len() == 2 {
            let n = rng.range(1, 4);
            row.insert(r.columns[0].clone(), n.into());
            row.insert(r.columns[1].clone(), (n * rng.range(10, 40)).into());
        } else if let Some(c) = r.columns.first() {
            row.insert(c.clone(), rng.range(0, 50).into());
        }
        figures.insert(r.code.clone(), row.into());
    }
    Value::Object(figures)
}

/// What the run reads and writes, found before the clock starts.
struct Plan {
    base: String,
    token: String,
    /// `tuanle_session=…` for the pages.
    session_cookie: String,
    campaign: i64,
    rows: Vec<ValueRow>,
    /// Consolidation targets: root, provinces, districts.
    consolidation: Vec<String>,
    /// Districts (for the not-submitted lists).
    districts: Vec<String>,
    /// Units whose reports are read.
    reports: Vec<String>,
    /// Units written, with the state each starts in.
    writable: Vec<(String, String)>,
}

fn other(msg: impl Into<String>) -> BenchError {
    BenchError::Other(msg.into())
}

async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> Result<Value> {
    let r = client.get(url).bearer_auth(token).send().await?;
    let status = r.status();
    if !status.is_success() {
        let body = r.text().await.unwrap_or_default();
        return Err(other(format!("GET {url}: {status} {body}")));
    }
    Ok(r.json().await?)
}

fn codes(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Signs in through the login form (double-submitted CSRF cookie) and returns the
/// session cookie.
async fn page_session(client: &reqwest::Client, base: &str, o: &LoadOptions) -> Result<String> {
    let r = client.get(format!("{base}/login")).send().await?;
    let csrf_cookie = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tuanle_login_csrf="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
        .ok_or_else(|| other("trang đăng nhập không đặt cookie CSRF"))?;
    let html = r.text().await?;
    let token = html
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .ok_or_else(|| other("trang đăng nhập không có csrf_token"))?
        .to_string();
    let r = client
        .post(format!("{base}/login"))
        .header(COOKIE, csrf_cookie)
        .form(&[
            ("username", o.username.as_str()),
            ("password", o.password.as_str()),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await?;
    r.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tuanle_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
        .ok_or_else(|| other(format!("đăng nhập trang web không được ({})", r.status())))
}

async fn prepare(client: &reqwest::Client, o: &LoadOptions) -> Result<Plan> {
    let base = o.url.trim_end_matches('/').to_string();
    let r = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"username": o.username, "password": o.password}))
        .send()
        .await?;
    let status = r.status();
    let body: Value = r.json().await.unwrap_or_default();
    let token = body["token"]
        .as_str()
        .ok_or_else(|| other(format!("không lấy được token ({status}): {body}")))?
        .to_string();
    let me = get_json(client, &format!("{base}/api/v1/me"), &token).await?;
    let root = me["unit"]["code"]
        .as_str()
        .ok_or_else(|| other("GET /api/v1/me: thiếu đơn vị"))?
        .to_string();
    let campaigns = get_json(client, &format!("{base}/api/v1/campaigns"), &token).await?;
    let campaign = campaigns
        .as_array()
        .and_then(|a| {
            a.iter().find(|c| match o.campaign {
                Some(id) => c["id"].as_i64() == Some(id),
                None => true,
            })
        })
        .ok_or_else(|| other("không có Tuần lễ nào để kiểm thử"))?;
    let cid = campaign["id"].as_i64().unwrap_or_default();
    let template_id = campaign["template_id"].as_i64().unwrap_or_default();
    let template = get_json(
        client,
        &format!("{base}/api/v1/templates/{template_id}"),
        &token,
    )
    .await?;
    let rows: Vec<ValueRow> = template["indicators"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|i| i["kind"]["type"] == "value")
                .map(|i| ValueRow {
                    code: i["code"].as_str().unwrap_or_default().to_string(),
                    columns: i["columns"]
                        .as_array()
                        .map(|c| {
                            c.iter()
                                .filter_map(|k| k.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default(),
                    money: i["money"].as_bool().unwrap_or(false),
                })
                .filter(|r| !r.columns.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if rows.is_empty() {
        return Err(other("mẫu tổng hợp không có dòng số liệu"));
    }
    let cons = |code: &str| format!("{base}/api/v1/campaigns/{cid}/consolidation/{code}");
    let top = get_json(client, &cons(&root), &token).await?;
    let provinces = codes(&top["children"]);
    let mut districts = Vec::new();
    for p in &provinces {
        let v = get_json(client, &cons(p), &token).await?;
        districts.extend(codes(&v["children"]));
    }
    let mut consolidation = vec![root.clone()];
    consolidation.extend(provinces.iter().cloned());
    consolidation.extend(districts.iter().cloned());
    let mut writable = Vec::new();
    let mut offset = 0;
    loop {
        let page = get_json(
            client,
            &format!("{}/missing?limit=5000&offset={offset}", cons(&root)),
            &token,
        )
        .await?;
        let units = page["units"].as_array().cloned().unwrap_or_default();
        if units.is_empty() {
            break;
        }
        offset += units.len();
        for u in units {
            if let (Some(code), Some(status)) = (u["code"].as_str(), u["status"].as_str()) {
                if code != root {
                    writable.push((code.to_string(), status.to_string()));
                }
            }
        }
    }
    if writable.is_empty() {
        return Err(other(
            "không có đơn vị chưa nộp báo cáo nào để ghi (dùng cơ sở dữ liệu mới)",
        ));
    }
    let mut reports: Vec<String> = writable.iter().map(|(c, _)| c.clone()).collect();
    reports.extend(districts.iter().cloned());
    let session_cookie = page_session(client, &base, o).await?;
    Ok(Plan {
        base,
        token,
        session_cookie,
        campaign: cid,
        rows,
        consolidation,
        districts,
        reports,
        writable,
    })
}

/// One kind of request, for the per-kind figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    ApiConsolidation,
    ApiReport,
    ApiMissing,
    PageConsolidation,
    PageReport,
    ApiCalendar,
    PageCalendar,
    Save,
    Submit,
    Return,
    Accept,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::ApiConsolidation => "read: API consolidation",
            Kind::ApiReport => "read: API report",
            Kind::ApiMissing => "read: API not-submitted list",
            Kind::PageConsolidation => "read: consolidation page",
            Kind::PageReport => "read: report page",
            Kind::ApiCalendar => "read: API public calendar",
            Kind::PageCalendar => "read: public calendar page",
            Kind::Save => "write: save draft",
            Kind::Submit => "write: submit",
            Kind::Return => "write: return",
            Kind::Accept => "write: accept",
        }
    }
    fn is_write(self) -> bool {
        matches!(
            self,
            Kind::Save | Kind::Submit | Kind::Return | Kind::Accept
        )
    }
}

/// Reads, weighted: consolidation and reports through the API most, pages and the
/// public calendar less.
const READS: [(Kind, usize); 7] = [
    (Kind::ApiConsolidation, 25),
    (Kind::ApiReport, 20),
    (Kind::ApiMissing, 10),
    (Kind::PageConsolidation, 15),
    (Kind::PageReport, 15),
    (Kind::ApiCalendar, 8),
    (Kind::PageCalendar, 7),
];

struct Outcome {
    kind: Kind,
    latency: Duration,
    error: Option<String>,
}

/// One client: its own units, its own generator; runs until `deadline`.
async fn client_loop(
    client: reqwest::Client,
    plan: Arc<Plan>,
    mut units: Vec<(String, String)>,
    read_percent: u32,
    seed: u64,
    deadline: Instant,
) -> (Vec<Outcome>, Vec<(String, String)>) {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    let mut next_unit = 0usize;
    let mut cons_i = rng.below(plan.consolidation.len());
    let read_weight: usize = READS.iter().map(|(_, w)| w).sum();
    let base = &plan.base;
    let cid = plan.campaign;
    while Instant::now() < deadline {
        let write = !units.is_empty() && rng.below(100) >= read_percent as usize;
        let started;
        let (kind, result) = if write {
            let i = next_unit % units.len();
            next_unit += 1;
            let (code, state) = &units[i];
            let url = format!("{base}/api/v1/campaigns/{cid}/reports/{code}");
            let (kind, req) = match state.as_str() {
                "submitted" | "accepted" => {
                    let accept = state == "submitted" && rng.below(2) == 0;
                    let body = if accept {
                        serde_json::json!({"action": "accept", "comment": ""})
                    } else {
                        serde_json::json!({"action": "return", "comment": "Kiểm thử tải: đề nghị kiểm tra lại số liệu"})
                    };
                    let kind = if accept { Kind::Accept } else { Kind::Return };
                    (
                        kind,
                        client
                            .post(format!("{url}/review"))
                            .bearer_auth(&plan.token)
                            .json(&body),
                    )
                }
                _ => {
                    let submit = state != "none" && rng.below(2) == 0;
                    let body = serde_json::json!({
                        "action": if submit { "submit" } else { "save" },
                        "figures": figures(&plan.rows, &mut rng),
                    });
                    let kind = if submit { Kind::Submit } else { Kind::Save };
                    (kind, client.put(&url).bearer_auth(&plan.token).json(&body))
                }
            };
            started = Instant::now();
            let result = match req.send().await {
                Ok(r) if r.status().is_success() => match r.json::<Value>().await {
                    Ok(v) => match v["status"].as_str() {
                        Some(s) => {
                            units[i].1 = s.to_string();
                            Ok(())
                        }
                        None => Err(format!("{url}: trả lời không có status")),
                    },
                    Err(e) => Err(format!("{url}: {e}")),
                },
                Ok(r) => {
                    let status = r.status();
                    Err(format!(
                        "{} {url} → {status}: {}",
                        kind.name(),
                        r.text().await.unwrap_or_default()
                    ))
                }
                Err(e) => Err(format!("{} {url}: {e}", kind.name())),
            };
            (kind, result)
        } else {
            let mut pick = rng.below(read_weight);
            let mut kind = READS[0].0;
            for (k, w) in READS {
                if pick < w {
                    kind = k;
                    break;
                }
                pick -= w;
            }
            let report = &plan.reports[rng.below(plan.reports.len())];
            let (url, auth) = match kind {
                Kind::ApiConsolidation => {
                    cons_i = (cons_i + 1) % plan.consolidation.len();
                    let code = &plan.consolidation[cons_i];
                    (
                        format!("{base}/api/v1/campaigns/{cid}/consolidation/{code}"),
                        true,
                    )
                }
                Kind::ApiReport => (
                    format!("{base}/api/v1/campaigns/{cid}/reports/{report}"),
                    true,
                ),
                Kind::ApiMissing => {
                    let d = if plan.districts.is_empty() {
                        &plan.consolidation[0]
                    } else {
                        &plan.districts[rng.below(plan.districts.len())]
                    };
                    (
                        format!("{base}/api/v1/campaigns/{cid}/consolidation/{d}/missing?limit=50"),
                        true,
                    )
                }
                Kind::PageConsolidation => {
                    let code = &plan.consolidation[rng.below(plan.consolidation.len())];
                    (
                        format!("{base}/campaigns/{cid}/consolidation/{code}"),
                        false,
                    )
                }
                Kind::PageReport => (format!("{base}/campaigns/{cid}/reports/{report}"), false),
                Kind::ApiCalendar => (format!("{base}/api/v1/public/calendar"), false),
                _ => (format!("{base}/lich"), false),
            };
            let mut req = client.get(&url);
            if auth {
                req = req.bearer_auth(&plan.token);
            } else if matches!(kind, Kind::PageConsolidation | Kind::PageReport) {
                req = req.header(COOKIE, &plan.session_cookie);
            }
            started = Instant::now();
            let result = match req.send().await {
                Ok(r) => {
                    let status = r.status();
                    match r.bytes().await {
                        Ok(_) if status == StatusCode::OK => Ok(()),
                        Ok(body) => Err(format!(
                            "{} {url} → {status}: {}",
                            kind.name(),
                            String::from_utf8_lossy(&body[..body.len().min(300)])
                        )),
                        Err(e) => Err(format!("{} {url}: {e}", kind.name())),
                    }
                }
                Err(e) => Err(format!("{} {url}: {e}", kind.name())),
            };
            (kind, result)
        };
        out.push(Outcome {
            kind,
            latency: started.elapsed(),
            error: result.err(),
        });
    }
    (out, units)
}

/// Runs the load test. Errors of the setup (no token, no campaign…) are `Err`; errors
/// under load are counted in the report.
pub async fn run(o: &LoadOptions) -> Result<LoadReport> {
    let clients = o.clients.max(1);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .timeout(o.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let plan = Arc::new(prepare(&client, o).await?);
    let mut owned: Vec<Vec<(String, String)>> = vec![Vec::new(); clients];
    for (i, u) in plan.writable.iter().enumerate() {
        owned[i % clients].push(u.clone());
    }
    eprintln!(
        "[load] {} máy khách, {} s, {} % đọc; Tuần lễ {}, {} đơn vị được ghi, {} bảng tổng hợp được đọc",
        clients,
        o.duration.as_secs(),
        o.read_percent,
        plan.campaign,
        plan.writable.len(),
        plan.consolidation.len()
    );
    let started = Instant::now();
    let deadline = started + o.duration;
    let mut tasks = Vec::new();
    for (i, units) in owned.into_iter().enumerate() {
        tasks.push(tokio::spawn(client_loop(
            client.clone(),
            plan.clone(),
            units,
            o.read_percent.min(100),
            o.seed.wrapping_add(i as u64),
            deadline,
        )));
    }
    let mut outcomes = Vec::new();
    let mut final_states: BTreeMap<String, usize> = BTreeMap::new();
    for t in tasks {
        let (out, units) = t.await.map_err(|e| other(e.to_string()))?;
        outcomes.extend(out);
        for (_, s) in units {
            *final_states.entry(s).or_default() += 1;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut report = LoadReport {
        url: plan.base.clone(),
        clients,
        elapsed_s: elapsed,
        requests: outcomes.len(),
        units_written: plan.writable.len(),
        final_states,
        ..Default::default()
    };
    let mut all = Vec::with_capacity(outcomes.len());
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    let mut per: BTreeMap<Kind, (Vec<Duration>, usize)> = BTreeMap::new();
    for o in outcomes {
        all.push(o.latency);
        if o.kind.is_write() {
            writes.push(o.latency);
        } else {
            reads.push(o.latency);
        }
        let e = per.entry(o.kind).or_default();
        e.0.push(o.latency);
        if let Some(msg) = o.error {
            e.1 += 1;
            report.errors += 1;
            if report.error_samples.len() < 20 {
                report.error_samples.push(msg);
            }
        }
    }
    report.reads = reads.len();
    report.writes = writes.len();
    report.requests_per_s = report.requests as f64 / elapsed.max(1e-9);
    report.latency = percentiles(&mut all);
    report.read_latency = percentiles(&mut reads);
    report.write_latency = percentiles(&mut writes);
    for (kind, (mut lat, errors)) in per {
        report.kinds.insert(
            kind.name().to_string(),
            KindReport {
                requests: lat.len(),
                errors,
                latency: percentiles(&mut lat),
            },
        );
    }
    Ok(report)
}

/// The report as text (one block, Markdown table of kinds).
pub fn text(r: &LoadReport) -> String {
    let line = |p: &Percentiles| {
        format!(
            "p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            p.p50_ms, p.p90_ms, p.p99_ms, p.max_ms
        )
    };
    let mut s = String::new();
    s.push_str(&format!(
        "Kiểm thử tải {} — {} máy khách, {:.1} s\n",
        r.url, r.clients, r.elapsed_s
    ));
    s.push_str(&format!(
        "requests: {} (reads {}, writes {})\nerrors: {}\nthroughput: {:.1} req/s\n",
        r.requests, r.reads, r.writes, r.errors, r.requests_per_s
    ));
    s.push_str(&format!("latency: {}\n", line(&r.latency)));
    s.push_str(&format!("  reads: {}\n", line(&r.read_latency)));
    s.push_str(&format!("  writes: {}\n", line(&r.write_latency)));
    s.push_str(&format!(
        "units written: {}; reports at the end: {}\n\n",
        r.units_written,
        r.final_states
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    s.push_str(
        "| request | count | errors | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|\n",
    );
    for (name, k) in &r.kinds {
        s.push_str(&format!(
            "| {name} | {} | {} | {:.1} | {:.1} | {:.1} |\n",
            k.requests, k.errors, k.latency.p50_ms, k.latency.p99_ms, k.latency.max_ms
        ));
    }
    if !r.error_samples.is_empty() {
        s.push_str("\nerrors (first 20):\n");
        for e in &r.error_samples {
            s.push_str(&format!("  {e}\n"));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_known_list() {
        let mut v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let p = percentiles(&mut v);
        assert_eq!(p.count, 100);
        assert_eq!(p.p50_ms.round(), 51.0);
        assert_eq!(p.p99_ms.round(), 99.0);
        assert_eq!(p.max_ms.round(), 100.0);
        assert_eq!(percentiles(&mut []).count, 0);
    }

    #[test]
    fn figures_fill_every_value_row_in_range() {
        let rows = vec![
            ValueRow {
                code: "1.01".into(),
                columns: vec!["count".into(), "people".into()],
                money: false,
            },
            ValueRow {
                code: "2.01".into(),
                columns: vec!["amount".into()],
                money: true,
            },
        ];
        let f = figures(&rows, &mut Rng::new(7));
        let c = f["1.01"]["count"].as_i64().unwrap();
        assert!((1..=4).contains(&c));
        assert!(f["1.01"]["people"].as_i64().unwrap() >= 10 * c);
        assert_eq!(f["2.01"]["amount"].as_i64().unwrap() % 500_000, 0);
    }
}
