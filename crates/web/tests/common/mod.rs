//! A running server per test: a fresh database (SQLite or PostgreSQL, as
//! `TUANLE_TEST_DB` says) with the demo data, the real router on a random port, and a client.

#![allow(dead_code)]

use reqwest::{Method, StatusCode};
use serde_json::Value;
use tuanle_app::App;

/// The demo campaign.
pub const CAMPAIGN: i64 = 1;
/// Password of every demo account.
pub const PASSWORD: &str = "demo";

pub struct TestApp {
    pub app: App,
    /// `http://127.0.0.1:<port>`
    pub base: String,
    pub client: reqwest::Client,
    pub campaign_id: i64,
    _db: tuanle_store::testing::TestDb,
}

/// A JSON answer: status and body (`Value::Null` when the body is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// The Vietnamese error message of an error answer.
    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or_default()
    }

    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
}

/// Starts the server on a fresh database with the demo built.
pub async fn spawn() -> TestApp {
    let db = tuanle_store::testing::fresh_db().await;
    let app = App::open(&db.url).await.expect("open database");
    let campaign_id = app.build_demo().await.expect("build demo");
    assert_eq!(campaign_id, CAMPAIGN);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(tuanle_web::serve_on(app.clone(), listener));
    TestApp {
        app,
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        campaign_id,
        _db: db,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A bearer token for a demo account, obtained through the API.
    pub async fn token(&self, username: &str) -> String {
        let a = self
            .call(
                Method::POST,
                None,
                "/api/v1/auth/token",
                Some(serde_json::json!({"username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(
            a.status,
            StatusCode::OK,
            "token for {username}: {:?}",
            a.body
        );
        assert_eq!(a.body["token_type"], "Bearer");
        a.body["token"].as_str().expect("token").to_string()
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        token: Option<&str>,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request sent");
        answer(res).await
    }

    pub async fn get(&self, token: &str, path: &str) -> Answer {
        self.call(Method::GET, Some(token), path, None).await
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> Answer {
        self.call(Method::PUT, Some(token), path, Some(body)).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Answer {
        self.call(Method::POST, Some(token), path, Some(body)).await
    }

    /// Path of a unit's report in the demo campaign.
    pub fn report(&self, code: &str) -> String {
        format!("/api/v1/campaigns/{}/reports/{code}", self.campaign_id)
    }

    /// Path of a unit's consolidation in the demo campaign.
    pub fn consolidation(&self, code: &str, basis: &str) -> String {
        format!(
            "/api/v1/campaigns/{}/consolidation/{code}?basis={basis}",
            self.campaign_id
        )
    }

    /// Uploads a photo as multipart (`photo` field, with a caption).
    pub async fn upload(&self, token: &str, code: &str, file_name: &str, data: Vec<u8>) -> Answer {
        let part = reqwest::multipart::Part::bytes(data).file_name(file_name.to_string());
        let form = reqwest::multipart::Form::new()
            .part("photo", part)
            .text("caption", "Lễ khai mạc");
        let res = self
            .client
            .post(self.url(&format!("{}/photos", self.report(code))))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("request sent");
        answer(res).await
    }

    pub async fn audit_rows(&self) -> i64 {
        self.app
            .store
            .count_audit()
            .await
            .expect("count audit rows")
    }
}

async fn answer(res: reqwest::Response) -> Answer {
    let status = res.status();
    let bytes = res.bytes().await.expect("body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer { status, body }
}

/// A 1×1 PNG image.
pub fn tiny_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8,
        0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}

/// The start of a PDF file.
pub fn pdf_bytes() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// A browser-like client: a cookie jar, redirects followed.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .unwrap()
}

/// The value of the first `name="csrf_token"` field of a page.
pub fn csrf(html: &str) -> String {
    let key = "name=\"csrf_token\" value=\"";
    let at = html.find(key).expect("page has a CSRF field");
    let rest = &html[at + key.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

impl TestApp {
    /// A browser signed in through the login form (with its CSRF field) as `username`.
    pub async fn browser_login(&self, username: &str) -> reqwest::Client {
        let b = browser();
        let page = b
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let r = b
            .post(self.url("/login"))
            .form(&[
                ("username", username),
                ("password", PASSWORD),
                ("csrf_token", &csrf(&page)),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "login as {username}");
        b
    }
}

/// Seed 004's units and accounts: the four offices the Phòng GDĐT Thủ Dầu Một consulted
/// (demo units) with the usernames the tests open for them, and the 14 phường.
pub mod seed_004 {
    pub const OFFICES: [(&str, &str); 4] = [
        ("718-TCKH", "tckh"),
        ("718-NV", "noivu"),
        ("718-VHTT", "vhtt"),
        ("718-DTT", "dtt"),
    ];
    pub const WARDS: [&str; 14] = [
        "25741", "25744", "25747", "25750", "25753", "25756", "25759", "25760", "25762", "25763",
        "25765", "25768", "25771", "25774",
    ];
    /// Password of the accounts the tests open.
    pub const OFFICE_PASSWORD: &str = "matkhau-2021";
}
