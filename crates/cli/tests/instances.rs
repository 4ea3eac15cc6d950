//! Two `tuanle serve` processes on one database (PostgreSQL in the CI run that sets
//! `TUANLE_TEST_DB`, SQLite otherwise): a session opened on one works on the other, a
//! report submitted through one is in the other's consolidation at once, and each
//! background job is run by exactly one of them.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tuanle_app::jobs::REBUILD_CONSOLIDATION;
use tuanle_app::App;

const BIN: &str = env!("CARGO_BIN_EXE_tuanle");

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

async fn start(db: &str, demo: bool) -> (Server, String) {
    let port = free_port();
    let mut cmd = Command::new(BIN);
    cmd.args(["--db", db, "serve", "--addr", &format!("127.0.0.1:{port}")]);
    if demo {
        cmd.arg("--demo");
    }
    let child = cmd
        .env("TUANLE_WORKER_INTERVAL_MS", "20")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await {
            if r.status().is_success() {
                break;
            }
        }
        assert!(Instant::now() < deadline, "server on {base} did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (server, base)
}

fn csrf(html: &str) -> String {
    let key = "name=\"csrf_token\" value=\"";
    let at = html.find(key).expect("CSRF field") + key.len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_sessions_figures_and_jobs() {
    let db = tuanle_store::testing::fresh_db().await;
    let (_a, a) = start(&db.url, true).await;
    let (_b, b) = start(&db.url, false).await;

    // A session opened on A is valid on B (cookies are per host, not per port).
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let page = browser
        .get(format!("{a}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = browser
        .post(format!("{a}/login"))
        .form(&[
            ("username", "quan7"),
            ("password", "demo"),
            ("csrf_token", &csrf(&page)),
        ])
        .send()
        .await
        .unwrap();
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("data-test=\"current-user\""));
    let on_b = browser.get(format!("{b}/")).send().await.unwrap();
    assert!(on_b.url().as_str().starts_with(&b));
    assert!(
        on_b.text()
            .await
            .unwrap()
            .contains("data-test=\"current-user\""),
        "session from A not accepted by B"
    );

    // A token from B works on A; a report submitted through A is consolidated for B.
    let http = reqwest::Client::new();
    let token = |base: String, user: &'static str| {
        let http = http.clone();
        async move {
            let v: serde_json::Value = http
                .post(format!("{base}/api/v1/auth/token"))
                .json(&serde_json::json!({"username": user, "password": "demo"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["token"].as_str().unwrap().to_string()
        }
    };
    let reporter = token(b.clone(), "tanphong").await;
    let reviewer = token(a.clone(), "quan7").await;
    let people = |v: &serde_json::Value| {
        v["totals"]["figures"]["1.01"]["people"]
            .as_i64()
            .unwrap_or(0)
    };
    let get = |base: String, token: String| {
        let http = http.clone();
        async move {
            http.get(format!("{base}/api/v1/campaigns/1/consolidation/778"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let before = people(&get(b.clone(), reviewer.clone()).await);
    let body =
        serde_json::json!({"action": "submit", "figures": {"1.01": {"count": 2, "people": 57}}});
    let r = http
        .put(format!("{a}/api/v1/campaigns/1/reports/27490"))
        .bearer_auth(&reporter)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    assert_eq!(people(&get(b.clone(), reviewer.clone()).await), before + 57);
    assert_eq!(people(&get(a.clone(), reviewer.clone()).await), before + 57);

    // Background jobs: queued once, each run by exactly one of the two processes.
    let app = App::open(&db.url).await.unwrap();
    let n = 60;
    for _ in 0..n {
        app.enqueue_job(
            REBUILD_CONSOLIDATION,
            serde_json::json!({"campaign_id": 1}),
            None,
        )
        .await
        .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    let jobs = loop {
        let jobs = app.store.jobs(REBUILD_CONSOLIDATION).await.unwrap();
        if jobs.iter().all(|j| j.status == "done") {
            break jobs;
        }
        assert!(Instant::now() < deadline, "jobs not done in time: {jobs:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(jobs.len(), n);
    let mut claimers = std::collections::BTreeMap::<String, usize>::new();
    for j in &jobs {
        assert_eq!(j.attempts, 1, "job {} claimed {} times", j.id, j.attempts);
        *claimers
            .entry(j.claimed_by.clone().expect("claimed"))
            .or_default() += 1;
    }
    eprintln!("jobs per instance: {claimers:?}");
    assert!(claimers.len() <= 2);
    // The figures are still right after all those rebuilds.
    assert_eq!(people(&get(b.clone(), reviewer).await), before + 57);
}
