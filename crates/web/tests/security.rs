//! Web security (issue 7 item 2): login rate limiting and lock-out shared by instances,
//! session rotation at login and logout everywhere, CSRF on every state-changing page
//! route, security headers and the request body limit. On SQLite and PostgreSQL
//! (`TUANLE_TEST_DB`).

mod common;

use reqwest::header::{HeaderMap, COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use tuanle_app::App;

/// Two app instances (each with its own server) on one fresh database with the demo.
struct Pair {
    a: App,
    b: App,
    base_a: String,
    base_b: String,
    _db: tuanle_store::testing::TestDb,
}

async fn serve(app: &App) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(tuanle_web::serve_on(app.clone(), listener));
    format!("http://{addr}")
}

async fn pair() -> Pair {
    let db = tuanle_store::testing::fresh_db().await;
    let a = App::open(&db.url).await.expect("open database");
    a.build_demo().await.expect("build demo");
    let b = App::open(&db.url).await.expect("open database again");
    let base_a = serve(&a).await;
    let base_b = serve(&b).await;
    Pair {
        a,
        b,
        base_a,
        base_b,
        _db: db,
    }
}

/// A client that keeps no cookies and follows no redirects: the test sees every `Set-Cookie`.
fn raw() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn set_cookie(h: &HeaderMap, name: &str) -> Option<String> {
    h.get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let (n, rest) = v.split_once('=')?;
            (n == name).then(|| rest.split(';').next().unwrap_or_default().to_string())
        })
}

fn csrf(html: &str) -> String {
    let key = "name=\"csrf_token\" value=\"";
    let at = html.find(key).expect("page has a CSRF field");
    let rest = &html[at + key.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// The pre-login CSRF token (cookie and form field are the same value).
async fn login_csrf(c: &reqwest::Client, base: &str) -> String {
    let r = c.get(format!("{base}/login")).send().await.unwrap();
    let cookie = set_cookie(r.headers(), "tuanle_login_csrf").expect("login CSRF cookie");
    let field = csrf(&r.text().await.unwrap());
    assert_eq!(cookie, field);
    cookie
}

/// Posts the login form; `session`: a session cookie the browser already has.
async fn post_login(
    c: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
    session: Option<&str>,
) -> reqwest::Response {
    let token = login_csrf(c, base).await;
    let mut cookie = format!("tuanle_login_csrf={token}");
    if let Some(s) = session {
        cookie.push_str(&format!("; tuanle_session={s}"));
    }
    c.post(format!("{base}/login"))
        .header(COOKIE, cookie)
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap()
}

/// Signs in through the form; returns the session cookie and the pre-login CSRF token used.
async fn sign_in(c: &reqwest::Client, base: &str, session: Option<&str>) -> (String, String) {
    let token = login_csrf(c, base).await;
    let mut cookie = format!("tuanle_login_csrf={token}");
    if let Some(s) = session {
        cookie.push_str(&format!("; tuanle_session={s}"));
    }
    let r = c
        .post(format!("{base}/login"))
        .header(COOKIE, cookie)
        .form(&[
            ("username", "quan7"),
            ("password", common::PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let s = set_cookie(r.headers(), "tuanle_session").expect("session cookie");
    assert_eq!(
        set_cookie(r.headers(), "tuanle_login_csrf").as_deref(),
        Some(""),
        "the pre-login CSRF cookie is removed at login"
    );
    (s, token)
}

/// The home page with a session cookie: `Some(csrf token)` when signed in.
async fn home(c: &reqwest::Client, base: &str, session: &str) -> Option<String> {
    let r = c
        .get(format!("{base}/"))
        .header(COOKIE, format!("tuanle_session={session}"))
        .send()
        .await
        .unwrap();
    if r.status() != StatusCode::OK {
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed out: to /login");
        return None;
    }
    Some(csrf(&r.text().await.unwrap()))
}

async fn audit_actions(app: &App, action: &str) -> Vec<tuanle_store::AuditEntry> {
    let rows = app.store.audit_entries(None, 100_000).await.unwrap();
    rows.into_iter().filter(|r| r.action == action).collect()
}

fn at(minutes: i64) -> chrono::DateTime<chrono::Utc> {
    "2026-10-01T02:00:00Z"
        .parse::<chrono::DateTime<chrono::Utc>>()
        .unwrap()
        + chrono::Duration::minutes(minutes)
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_username_on_every_instance_for_15_minutes() {
    let p = pair().await;
    let c = raw();
    p.a.set_clock(Some(at(0)));
    p.b.set_clock(Some(at(0)));
    // Four failures through instance A, each an ordinary refusal.
    for _ in 0..4 {
        let r = post_login(&c, &p.base_a, "quan7", "sai", None).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // The fifth, through instance B (the count is in the database), locks the name.
    let r = post_login(&c, &p.base_b, "quan7", "sai", None).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let page = r.text().await.unwrap();
    assert!(page.contains("Đăng nhập sai quá nhiều lần"), "{page}");
    assert!(
        page.contains("tạm khóa đăng nhập đến 09:15 ngày 01/10/2026"),
        "{page}"
    );
    // Now even the right password is refused, on both instances, and through the API.
    for base in [&p.base_a, &p.base_b] {
        let r = post_login(&c, base, "quan7", common::PASSWORD, None).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(set_cookie(r.headers(), "tuanle_session").is_none());
    }
    let r = c
        .post(format!("{}/api/v1/auth/token", p.base_b))
        .json(&serde_json::json!({"username": "QUAN7", "password": common::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_attempts");
    // Another user from the same address is not affected.
    assert!(p
        .a
        .login("bc.778", common::PASSWORD, Some("127.0.0.1".into()))
        .await
        .is_ok());
    // One audit row for the lock-out, naming the user.
    let locks = audit_actions(&p.a, "login_locked").await;
    assert_eq!(locks.len(), 1, "{locks:?}");
    assert_eq!(locks[0].object_type, "user");
    assert_eq!(locks[0].object_id, "quan7");
    assert_eq!(locks[0].ip.as_deref(), Some("127.0.0.1"));
    // 14 minutes later still locked; 15 minutes later the right password works again.
    p.a.set_clock(Some(at(14)));
    assert!(matches!(
        p.a.login("quan7", common::PASSWORD, None).await,
        Err(tuanle_app::AppError::TooManyAttempts(_))
    ));
    p.a.set_clock(Some(at(15)));
    p.b.set_clock(Some(at(15)));
    let r = post_login(&c, &p.base_b, "quan7", common::PASSWORD, None).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Counting restarted: one new failure does not lock.
    let r = post_login(&c, &p.base_a, "quan7", "sai", None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(audit_actions(&p.a, "login_locked").await.len(), 1);
}

#[tokio::test]
async fn failures_older_than_the_window_do_not_count() {
    let p = pair().await;
    for m in [0, 5, 10, 15] {
        p.a.set_clock(Some(at(m)));
        let e = p.a.login("quan7", "sai", None).await.unwrap_err();
        assert!(matches!(e, tuanle_app::AppError::BadCredentials), "{e}");
    }
    // At 16 minutes the failure at 0 is out of the 15-minute window: 4 in it, then 5.
    p.a.set_clock(Some(at(16)));
    let e = p.a.login("quan7", "sai", None).await.unwrap_err();
    assert!(matches!(e, tuanle_app::AppError::BadCredentials), "{e}");
    let e = p.a.login("quan7", "sai", None).await.unwrap_err();
    assert!(matches!(e, tuanle_app::AppError::TooManyAttempts(_)), "{e}");
}

#[tokio::test]
async fn the_api_token_endpoint_is_limited_too() {
    let p = pair().await;
    p.b.set_clock(Some(at(0)));
    let c = raw();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let r = c
            .post(format!("{}/api/v1/auth/token", p.base_b))
            .json(&serde_json::json!({"username": "bc.778", "password": "sai"}))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            let body: serde_json::Value = r.json().await.unwrap();
            assert!(body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("tạm khóa đăng nhập"));
        }
    }
    assert_eq!(statuses, [401, 401, 401, 401, 429, 429]);
    let r = c
        .post(format!("{}/api/v1/auth/token", p.base_b))
        .json(&serde_json::json!({"username": "bc.778", "password": common::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(audit_actions(&p.a, "login_locked").await.len(), 1);
    assert!(audit_actions(&p.a, "issue_token").await.is_empty());
}

#[tokio::test]
async fn many_names_from_one_address_lock_the_address() {
    let p = pair().await;
    p.a.set_clock(Some(at(0)));
    p.b.set_clock(Some(at(0)));
    let ip = || Some("203.0.113.9".to_string());
    for i in 0..tuanle_app::auth::MAX_FAILURES_PER_IP - 1 {
        let e =
            p.a.login(&format!("khong-co-{i}"), "sai", ip())
                .await
                .unwrap_err();
        assert!(matches!(e, tuanle_app::AppError::BadCredentials), "{e}");
    }
    let e = p.a.login("khong-co-cuoi", "sai", ip()).await.unwrap_err();
    assert!(matches!(e, tuanle_app::AppError::TooManyAttempts(_)), "{e}");
    // The address is locked even for a right password; other addresses are not.
    let e =
        p.b.login("quan7", common::PASSWORD, ip())
            .await
            .unwrap_err();
    assert!(matches!(e, tuanle_app::AppError::TooManyAttempts(_)), "{e}");
    assert!(p
        .b
        .login("quan7", common::PASSWORD, Some("198.51.100.1".into()))
        .await
        .is_ok());
    let locks = audit_actions(&p.a, "login_locked").await;
    assert_eq!(locks.len(), 1, "{locks:?}");
    assert_eq!(locks[0].object_type, "ip");
    assert_eq!(locks[0].object_id, "203.0.113.9");
}

#[tokio::test]
async fn login_rotates_the_session_and_logout_ends_it_on_every_instance() {
    let p = pair().await;
    let c = raw();
    // A planted session id (session fixation) is not adopted: the server issues its own.
    let (s1, pre) = sign_in(&c, &p.base_a, Some("planted-by-someone")).await;
    assert_ne!(s1, "planted-by-someone");
    assert_ne!(s1, pre, "the pre-login CSRF token is not the session id");
    let csrf1 = home(&c, &p.base_b, &s1).await.expect("signed in on B too");
    assert_ne!(
        csrf1, pre,
        "the pre-login CSRF token is not reused after login"
    );
    // Signing in again from the same browser rotates: the old session ends.
    let (s2, _) = sign_in(&c, &p.base_b, Some(&s1)).await;
    assert_ne!(s2, s1);
    assert!(
        home(&c, &p.base_a, &s1).await.is_none(),
        "old session ended"
    );
    let csrf2 = home(&c, &p.base_a, &s2).await.expect("new session works");
    assert_ne!(csrf2, csrf1, "each session has its own CSRF token");
    // The previous session's CSRF token does not pass for the new session.
    let r = c
        .post(format!("{}/logout", p.base_a))
        .header(COOKIE, format!("tuanle_session={s2}"))
        .form(&[("csrf_token", csrf1.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(home(&c, &p.base_b, &s2).await.is_some());
    // Logout on A ends the session on B as well.
    let r = c
        .post(format!("{}/logout", p.base_a))
        .header(COOKIE, format!("tuanle_session={s2}"))
        .form(&[("csrf_token", csrf2.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        set_cookie(r.headers(), "tuanle_session").as_deref(),
        Some("")
    );
    assert!(home(&c, &p.base_b, &s2).await.is_none(), "ended on B");
    assert!(home(&c, &p.base_a, &s2).await.is_none(), "ended on A");
    assert!(p
        .b
        .authenticate(&s2, tuanle_app::auth::WEB, None)
        .await
        .is_err());
}

/// Path parameters of the page routes, filled with objects of quan7's own subtree.
fn fill(path: &str) -> String {
    path.replace("{code}", "778")
        .replace("{id}", "1")
        .replace("{photo}", "1")
}

#[tokio::test]
async fn every_state_changing_page_route_refuses_a_missing_or_wrong_csrf_token() {
    let p = pair().await;
    let c = raw();
    let (session, _) = sign_in(&c, &p.base_a, None).await;
    let right = home(&c, &p.base_a, &session).await.unwrap();
    let cookie = format!("tuanle_session={session}");
    let mut checked = Vec::new();
    let mut failures = Vec::new();
    for (path, _) in tuanle_web::pages::page_routes() {
        if path == "/login" {
            continue; // before login: the double-submit cookie, tested in pages.rs
        }
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let url = format!("{}{}", p.base_a, fill(path));
            for body in [
                String::new(),
                "csrf_token=wrong".to_string(),
                format!("csrf_token={}x", &right[..right.len() - 1]),
            ] {
                let before = p.a.store.count_audit().await.unwrap();
                let r = c
                    .request(method.clone(), &url)
                    .header(COOKIE, &cookie)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                if r.status() == StatusCode::METHOD_NOT_ALLOWED {
                    break; // not a method of this path
                }
                if body.is_empty() {
                    checked.push(format!("{method} {path}"));
                }
                let after = p.a.store.count_audit().await.unwrap();
                if r.status() != StatusCode::FORBIDDEN || after != before {
                    failures.push(format!(
                        "{method} {path} [{body}]: {} (audit rows {before} → {after})",
                        r.status()
                    ));
                }
            }
        }
    }
    assert!(checked.len() >= 20, "{checked:?}");
    assert!(
        failures.is_empty(),
        "{} of {} routes: {failures:#?}",
        failures.len(),
        checked.len()
    );
    // The session still works: the refusals did not end it.
    assert!(home(&c, &p.base_a, &session).await.is_some());
}

#[tokio::test]
async fn security_headers_on_pages_api_and_errors() {
    let p = pair().await;
    let c = raw();
    for path in [
        "/login",
        "/",
        "/api/v1/campaigns",
        "/api/openapi.json",
        "/khong-co",
    ] {
        let r = c.get(format!("{}{path}", p.base_a)).send().await.unwrap();
        let h = r.headers();
        let csp = h
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{path}: no CSP"))
            .to_str()
            .unwrap();
        let directive = |name: &str| {
            csp.split(';')
                .map(str::trim)
                .find(|d| d.starts_with(name))
                .unwrap_or_else(|| panic!("{path}: no {name} in {csp}"))
                .to_string()
        };
        let scripts = directive("script-src");
        assert!(
            !scripts.contains("'unsafe-inline'") && !scripts.contains("'unsafe-eval'"),
            "{csp}"
        );
        assert!(
            !directive("default-src").contains("'unsafe-inline'"),
            "{csp}"
        );
        assert_eq!(
            directive("frame-ancestors"),
            "frame-ancestors 'none'",
            "{path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
    }
    // The pages carry no inline script the CSP would have to allow.
    let page = c
        .get(format!("{}/login", p.base_a))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("<script>") && !page.contains(" onclick="),
        "inline script on /login"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_413_in_vietnamese() {
    let p = pair().await;
    let c = raw();
    let token = {
        let r = c
            .post(format!("{}/api/v1/auth/token", p.base_a))
            .json(&serde_json::json!({"username": "quan7", "password": common::PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<serde_json::Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let before = p.a.store.count_audit().await.unwrap();
    let big = vec![b' '; tuanle_web::BODY_LIMIT + 1];
    // API (JSON body): the API's error shape.
    let r = c
        .put(format!("{}/api/v1/campaigns/1/reports/778", p.base_a))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_large");
    assert_eq!(
        body["error"]["message"],
        "Dữ liệu gửi lên quá lớn (tối đa 25 MB)"
    );
    // A page form: plain Vietnamese text.
    let r = c
        .post(format!("{}/login", p.base_a))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        r.text().await.unwrap(),
        "Dữ liệu gửi lên quá lớn (tối đa 25 MB)"
    );
    assert_eq!(
        p.a.store.count_audit().await.unwrap(),
        before,
        "nothing stored"
    );
}
