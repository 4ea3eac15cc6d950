//! Crash safety (issue 7): the real `tuanle serve` takes concurrent report submissions, is
//! killed with SIGKILL in the middle of them, and is started again on the same database
//! (SQLite, or PostgreSQL when `TUANLE_TEST_DB` names it). Every submission that was
//! acknowledged (HTTP 200) must be stored with the figures sent, and every stored running
//! sum must equal a rebuild from the raw values (`POST …/consolidation/rebuild` → 0 differing).

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::sync::Mutex;
use tuanle_app::App;

const BIN: &str = env!("CARGO_BIN_EXE_tuanle");
/// Concurrent clients submitting.
const CLIENTS: usize = 8;
/// Acknowledged submissions after which the server is killed.
const KILL_AFTER: usize = 25;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start(db: &str, port: u16, demo: bool) -> Server {
    let mut cmd = Command::new(BIN);
    cmd.args(["--db", db, "serve", "--addr", &format!("127.0.0.1:{port}")]);
    if demo {
        cmd.arg("--demo");
    }
    let server = Server(
        cmd.env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/healthz")).await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(Instant::now() < deadline, "server on {port} did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server
}

async fn token(http: &reqwest::Client, base: &str) -> String {
    let v: Value = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": "admin", "password": "demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["token"].as_str().unwrap().to_string()
}

/// Figures sent for a unit: distinct per unit, so a mix-up would show.
fn figures(i: usize) -> Value {
    json!({"1.01": {"count": 1 + i as i64 % 7, "people": 100 + i as i64}, "2": {"count": 3 + i as i64}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_submissions_survive_sigkill() {
    let db = tuanle_store::testing::fresh_db().await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(&db.url, port, true).await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let admin = token(&http, &base).await;

    // Every unit of the demo tree whose report the national administrator can submit.
    let app = App::open(&db.url).await.unwrap();
    let root = app.store.unit_by_code(1, "VN").await.unwrap().unwrap();
    let mut units = Vec::new();
    let mut stack = vec![root];
    while let Some(u) = stack.pop() {
        let kids = app.store.children(u.id).await.unwrap();
        units.push(u.code.clone());
        stack.extend(kids);
    }
    units.sort();
    let units = Arc::new(units);

    let next = Arc::new(AtomicUsize::new(0));
    let acked: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    let acks = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(tokio::sync::Notify::new());
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (http, base, admin) = (http.clone(), base.clone(), admin.clone());
        let (units, next, acked, acks) = (units.clone(), next.clone(), acked.clone(), acks.clone());
        let killed = killed.clone();
        clients.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(code) = units.get(i) else { break };
                let r = http
                    .put(format!("{base}/api/v1/campaigns/1/reports/{code}"))
                    .bearer_auth(&admin)
                    .json(&json!({"action": "submit", "figures": figures(i)}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        // Acknowledged only once the whole answer has arrived.
                        if r.bytes().await.is_ok() {
                            acked.lock().await.insert(code.clone(), i);
                            if acks.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                                killed.notify_one();
                            }
                        }
                    }
                    // Refused by the workflow (e.g. an accepted report): not acknowledged.
                    Ok(_) => {}
                    // The server is gone.
                    Err(_) => break,
                }
            }
        }));
    }
    killed.notified().await;
    // SIGKILL while the other clients' requests are in flight.
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    for c in clients {
        c.await.unwrap();
    }
    let acked = acked.lock().await.clone();
    let sent = next.load(Ordering::SeqCst).min(units.len());
    assert!(acked.len() >= KILL_AFTER);
    assert!(
        sent < units.len(),
        "the kill came after the last submission ({sent} of {})",
        units.len()
    );

    // Start again on the same database and check every acknowledged submission.
    drop(server);
    let _server = start(&db.url, port, false).await;
    let admin = token(&http, &base).await;
    let mut found = 0;
    for (code, i) in &acked {
        let r: Value = http
            .get(format!("{base}/api/v1/campaigns/1/reports/{code}"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r["status"], "submitted", "{code}: {r}");
        let want = figures(*i);
        assert_eq!(
            r["figures"]["1.01"]["people"], want["1.01"]["people"],
            "{code}: figures of the acknowledged submission"
        );
        assert_eq!(r["figures"]["2"]["count"], want["2"]["count"], "{code}");
        found += 1;
    }
    let r: Value = http
        .post(format!("{base}/api/v1/campaigns/1/consolidation/rebuild"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        r["differing"], 0,
        "stored running sums equal a rebuild from raw values"
    );
    eprintln!(
        "crash safety: {sent} submissions sent by {CLIENTS} clients, {} acknowledged before SIGKILL, {found} found after restart; rebuild differing: 0",
        acked.len()
    );
}
