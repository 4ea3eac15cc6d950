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
    // The workers' first hourly clean-up runs at start, by the system clock: let it finish
    // before a test sets the App clock and writes rows it could otherwise remove.
    let started = std::time::Instant::now();
    while !a
        .store
        .jobs(tuanle_app::jobs::PURGE_SESSIONS)
        .await
        .unwrap()
        .iter()
        .any(|j| j.status == "done")
    {
        assert!(
            started.elapsed().as_secs() < 60,
            "the workers did not start"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
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

// ---- password change, reset by e-mail, idle expiry, log out everywhere, pruning ----------

/// A client with its own cookie store that follows no redirects.
fn jar_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs `username` in through the form with a cookie-keeping client; returns the client,
/// its session cookie and the session's CSRF token.
async fn sign_in_as(
    base: &str,
    username: &str,
    password: &str,
) -> (reqwest::Client, String, String) {
    let c = jar_client();
    let page = c
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = c
        .post(format!("{base}/login"))
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf_token", &csrf(&page)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login of {username}");
    let session = set_cookie(r.headers(), "tuanle_session").expect("session cookie");
    let token = home(&c, base, &session).await.expect("signed in");
    (c, session, token)
}

async fn api_token(base: &str, username: &str, password: &str) -> reqwest::Response {
    raw()
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn token_for(base: &str, username: &str, password: &str) -> String {
    let r = api_token(base, username, password).await;
    assert_eq!(r.status(), StatusCode::OK, "token of {username}");
    r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `GET /api/v1/me` with a token: its status.
async fn me(base: &str, token: &str) -> StatusCode {
    raw()
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

/// Posts the password change form of `/account`.
async fn change_password_form(
    base: &str,
    session: &str,
    csrf_token: &str,
    fields: [&str; 3],
) -> reqwest::Response {
    raw()
        .post(format!("{base}/account/password"))
        .header(COOKIE, format!("tuanle_session={session}"))
        .form(&[
            ("csrf_token", csrf_token),
            ("current_password", fields[0]),
            ("new_password", fields[1]),
            ("new_password2", fields[2]),
        ])
        .send()
        .await
        .unwrap()
}

/// The message of a form page's error block.
fn flash_error(html: &str) -> String {
    let at = html.find("class=\"flash-error\"").expect("an error block");
    let rest = &html[at..];
    let start = rest.find('>').unwrap() + 1;
    rest[start..rest.find("</div>").unwrap()].to_string()
}

const NEW_PASSWORD: &str = "hoc tap suot doi 2026";

#[tokio::test]
async fn password_change_checks_the_current_password_and_policy_and_ends_the_other_sessions() {
    let p = pair().await;
    let (_, s1, csrf1) = sign_in_as(&p.base_a, "quan7", common::PASSWORD).await;
    let (_, s2, _) = sign_in_as(&p.base_b, "quan7", common::PASSWORD).await;
    let t1 = token_for(&p.base_b, "quan7", common::PASSWORD).await;
    // Another user's session is not touched.
    let (_, other, _) = sign_in_as(&p.base_a, "tanphong", common::PASSWORD).await;
    // The account page: reached from the header, with both forms.
    let page = raw()
        .get(format!("{}/account", p.base_a))
        .header(COOKIE, format!("tuanle_session={s1}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("href=\"/account\""), "header link");
    assert!(page.contains("action=\"/account/password\""));
    assert!(page.contains("action=\"/account/logout-everywhere\""));
    // Refusals, each naming its field, each leaving everything as it was.
    let before = p.a.store.count_audit().await.unwrap();
    for (fields, message) in [
        (
            ["sai", NEW_PASSWORD, NEW_PASSWORD],
            "Mật khẩu hiện tại: không đúng",
        ),
        (
            [common::PASSWORD, "ngan-9-ky", "ngan-9-ky"],
            "Mật khẩu mới: cần ít nhất 10 ký tự",
        ),
        (
            [common::PASSWORD, "QUAN7", "QUAN7"],
            "Mật khẩu mới: cần ít nhất 10 ký tự",
        ),
        (
            [common::PASSWORD, "1234567890", "1234567890"],
            "Mật khẩu mới: quá dễ đoán",
        ),
        (
            [common::PASSWORD, NEW_PASSWORD, "hoc tap suot doi 2025"],
            "Nhập lại mật khẩu mới: không khớp với mật khẩu mới",
        ),
        (
            ["", NEW_PASSWORD, NEW_PASSWORD],
            "Mật khẩu hiện tại: chưa nhập",
        ),
    ] {
        let r = change_password_form(&p.base_a, &s1, &csrf1, fields).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        let html = r.text().await.unwrap();
        assert!(
            flash_error(&html).starts_with(message),
            "{fields:?}: {html}"
        );
    }
    assert_eq!(p.a.store.count_audit().await.unwrap(), before);
    assert!(home(&raw(), &p.base_b, &s2).await.is_some());
    assert_eq!(me(&p.base_a, &t1).await, StatusCode::OK);
    // A password equal to the username (long enough to get that far).
    let e = tuanle_app::auth::check_new_password("thu.van.phong", "Thu.Van.Phong", "Thu.Van.Phong")
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Mật khẩu mới: không được trùng với tên đăng nhập"
    );

    // The change: this browser gets a new session, every other session and token ends.
    let r = change_password_form(
        &p.base_a,
        &s1,
        &csrf1,
        [common::PASSWORD, NEW_PASSWORD, NEW_PASSWORD],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        "/account?thong-bao=da-doi-mat-khau"
    );
    let s1_new = set_cookie(r.headers(), "tuanle_session").expect("a new session");
    assert_ne!(s1_new, s1, "session rotated");
    let csrf_new = home(&raw(), &p.base_b, &s1_new)
        .await
        .expect("new session works on B");
    assert_ne!(csrf_new, csrf1, "a new CSRF token with the new session");
    for (base, s) in [
        (&p.base_a, &s1),
        (&p.base_b, &s1),
        (&p.base_a, &s2),
        (&p.base_b, &s2),
    ] {
        assert!(home(&raw(), base, s).await.is_none(), "old session ended");
    }
    assert_eq!(me(&p.base_a, &t1).await, StatusCode::UNAUTHORIZED);
    assert!(home(&raw(), &p.base_a, &other).await.is_some());
    // Old password refused, new one accepted (and stored as argon2id).
    assert_eq!(
        api_token(&p.base_a, "quan7", common::PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    token_for(&p.base_b, "quan7", NEW_PASSWORD).await;
    let stored = p.a.store.user_by_username("quan7").await.unwrap().unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"));
    let changes = audit_actions(&p.a, "password_change").await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].username.as_deref(), Some("quan7"));
    assert_eq!(changes[0].object_id, stored.id.to_string());
    // The three ended: s1, s2 and t1 (the new session was opened after).
    assert!(
        changes[0]
            .after
            .as_ref()
            .unwrap()
            .to_string()
            .contains("\"sessions_ended\":3"),
        "{changes:?}"
    );
}

#[tokio::test]
async fn api_password_change_keeps_the_calling_token_and_locks_after_five_wrong_passwords() {
    let p = pair().await;
    p.a.set_clock(Some(at(0)));
    p.b.set_clock(Some(at(0)));
    let t1 = token_for(&p.base_a, "tanphong", common::PASSWORD).await;
    let t2 = token_for(&p.base_b, "tanphong", common::PASSWORD).await;
    let (_, s, _) = sign_in_as(&p.base_a, "tanphong", common::PASSWORD).await;
    let change = |current: &'static str, new: &'static str| {
        let base = p.base_b.clone();
        let t1 = t1.clone();
        async move {
            raw()
                .post(format!("{base}/api/v1/me/password"))
                .bearer_auth(&t1)
                .json(&serde_json::json!({"current_password": current, "new_password": new}))
                .send()
                .await
                .unwrap()
        }
    };
    let r = change(common::PASSWORD, "ngan").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid");
    assert_eq!(
        body["error"]["message"],
        "Mật khẩu mới: cần ít nhất 10 ký tự"
    );
    // A wrong current password counts as a failed sign-in: the fifth locks the name.
    for i in 1..=5 {
        let r = change("sai-mat-khau", NEW_PASSWORD).await;
        let body: serde_json::Value = r.json().await.unwrap();
        if i < 5 {
            assert_eq!(body["error"]["message"], "Mật khẩu hiện tại: không đúng");
        } else {
            assert_eq!(body["error"]["code"], "too_many_attempts", "{body}");
        }
    }
    let r = change(common::PASSWORD, NEW_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "locked");
    assert_eq!(audit_actions(&p.a, "login_locked").await.len(), 1);
    // After the lock: the change works; the calling token goes on, the rest ends.
    p.a.set_clock(Some(at(15)));
    p.b.set_clock(Some(at(15)));
    let r = change(common::PASSWORD, NEW_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(me(&p.base_a, &t1).await, StatusCode::OK);
    assert_eq!(me(&p.base_a, &t2).await, StatusCode::UNAUTHORIZED);
    assert!(home(&raw(), &p.base_b, &s).await.is_none());
    token_for(&p.base_a, "tanphong", NEW_PASSWORD).await;
    assert_eq!(audit_actions(&p.a, "password_change").await.len(), 1);
}

/// A real SMTP server on loopback (tests/readers/smtp_sink.py, aiosmtpd).
struct Sink {
    child: std::process::Child,
    out: std::path::PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Sink {
    fn start() -> Sink {
        use std::io::BufRead;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mail.jsonl");
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/readers/smtp_sink.py"
        );
        let mut child = std::process::Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(&out)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "READY",
            "the SMTP server did not start (pip install aiosmtpd)"
        );
        Sink {
            child,
            out,
            port,
            _dir: dir,
        }
    }

    fn messages(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The reset link of an e-mail body, and its token.
fn reset_link(body: &str) -> (String, String) {
    let at = body.find("/password/reset?token=").expect("a reset link");
    let start = body[..at].rfind("http").unwrap();
    let end = at
        + body[at..]
            .find(char::is_whitespace)
            .unwrap_or(body.len() - at);
    let link = body[start..end].to_string();
    let token = link.split("token=").nth(1).unwrap().to_string();
    (link, token)
}

/// GETs a pre-login form page with a fresh client; returns the CSRF cookie (= field) and the page.
async fn reset_csrf(url: &str) -> (String, StatusCode, String) {
    let r = raw().get(url).send().await.unwrap();
    let status = r.status();
    let cookie = set_cookie(r.headers(), "tuanle_reset_csrf").expect("reset CSRF cookie");
    let html = r.text().await.unwrap();
    if html.contains("name=\"csrf_token\"") {
        assert_eq!(csrf(&html), cookie);
    }
    (cookie, status, html)
}

async fn request_reset(base: &str, login: &str) -> (StatusCode, String) {
    let (token, _, _) = reset_csrf(&format!("{base}/password/forgot")).await;
    let r = raw()
        .post(format!("{base}/password/forgot"))
        .header(COOKIE, format!("tuanle_reset_csrf={token}"))
        .form(&[("csrf_token", token.as_str()), ("login", login)])
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// The neutral answer's block.
fn neutral(html: &str) -> String {
    let at = html
        .find("data-test=\"reset-requested\"")
        .expect("neutral answer");
    html[at..at + html[at..].find("</div>").unwrap()].to_string()
}

async fn post_reset(base: &str, token: &str, password: &str, again: &str) -> reqwest::Response {
    let (c, _, _) = reset_csrf(&format!("{base}/password/reset?token={token}")).await;
    raw()
        .post(format!("{base}/password/reset"))
        .header(COOKIE, format!("tuanle_reset_csrf={c}"))
        .form(&[
            ("csrf_token", c.as_str()),
            ("token", token),
            ("new_password", password),
            ("new_password2", again),
        ])
        .send()
        .await
        .unwrap()
}

/// A reporter of Quận 7 with a mailbox.
async fn mailbox_user(app: &App) -> i64 {
    let tree = app.campaign(1).await.unwrap().tree_id;
    app.add_user(
        None,
        tree,
        &tuanle_app::users::NewUser {
            username: "thu.778".into(),
            full_name: "Văn thư Quận 7".into(),
            email: Some("thu778@don-vi.vn".into()),
            password: "mat-khau-ban-dau".into(),
            unit_code: "778".into(),
            role: tuanle_domain::access::Role::Reporter,
        },
        true,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn password_reset_by_email_link_works_once_and_ends_every_session() {
    let p = pair().await;
    let user_id = mailbox_user(&p.a).await;
    // Both instances put their own public address in links; neither sends (no SMTP):
    // a third instance sends, so that the test decides when.
    for app in [&p.a, &p.b] {
        app.set_notify_settings(tuanle_app::notifications::NotifySettings {
            base_url: p.base_a.clone(),
            ..Default::default()
        });
        app.set_clock(Some(at(0)));
    }
    let sink = Sink::start();
    let sender = App::open(&p._db.url).await.unwrap();
    sender.set_notify_settings(tuanle_app::notifications::NotifySettings {
        smtp: Some(tuanle_app::notifications::SmtpConfig {
            host: "127.0.0.1".into(),
            port: sink.port,
            tls: tuanle_app::notifications::SmtpTls::None,
            username: None,
            password: None,
            from: "Tuần lễ HTSĐ <tuanle@example.vn>".into(),
        }),
        ..Default::default()
    });
    sender.set_clock(Some(at(0)));
    let (_, session, _) = sign_in_as(&p.base_b, "thu.778", "mat-khau-ban-dau").await;
    let token = token_for(&p.base_b, "thu.778", "mat-khau-ban-dau").await;

    // The login page links to the request form.
    let login = raw()
        .get(format!("{}/login", p.base_a))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(login.contains("href=\"/password/forgot\"") && login.contains("Quên mật khẩu?"));
    // Without the form's cookie: refused, nothing queued.
    let r = raw()
        .post(format!("{}/password/forgot", p.base_a))
        .form(&[("csrf_token", "x"), ("login", "thu.778")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The same answer for an account that exists and for one that does not.
    let before = p.a.store.count_audit().await.unwrap();
    let (s1, known) = request_reset(&p.base_a, "THU.778").await;
    let (s2, unknown) = request_reset(&p.base_b, "khong-co-ai").await;
    let (s3, by_mail) = request_reset(&p.base_b, "Thu778@Don-Vi.vn").await;
    assert_eq!(
        (s1, s2, s3),
        (StatusCode::OK, StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(neutral(&known), neutral(&unknown));
    assert_eq!(neutral(&known), neutral(&by_mail));
    assert!(neutral(&known).contains("60 phút"), "{known}");
    let requested = audit_actions(&p.a, "password_reset_request").await;
    assert_eq!(requested.len(), 2, "by name and by address");
    assert_eq!(p.a.store.count_audit().await.unwrap(), before + 2);

    // Two e-mails, in Vietnamese, each with its own link; only the latest works.
    sender.send_due_emails("sender").await.unwrap();
    let mails = sink.messages();
    assert_eq!(mails.len(), 2, "{mails:?}");
    for m in &mails {
        assert_eq!(m["to"], serde_json::json!(["thu778@don-vi.vn"]));
        assert_eq!(m["subject"], "Đặt lại mật khẩu tài khoản tuanle");
        let body = m["body"].as_str().unwrap();
        assert!(body.contains("Kính gửi Văn thư Quận 7"), "{body}");
        assert!(
            body.contains("\"thu.778\"") && body.contains("hiệu lực 60 phút"),
            "{body}"
        );
        assert!(
            body.contains("09:00 01/10/2026") || body.contains("01/10/2026 09:00"),
            "{body}"
        );
    }
    let (old_link, old_token) = reset_link(mails[0]["body"].as_str().unwrap());
    let (link, reset_token) = reset_link(mails[1]["body"].as_str().unwrap());
    assert!(
        link.starts_with(&format!("{}/password/reset?token=", p.base_a)),
        "{link}"
    );
    assert_ne!(old_token, reset_token);
    // Only the hash is stored.
    assert_eq!(
        p.a.store
            .live_resets(user_id, &tuanle_store::time_text(at(0)))
            .await
            .unwrap(),
        1
    );
    assert!(p
        .a
        .store
        .reset_user(&reset_token, &tuanle_store::time_text(at(0)))
        .await
        .unwrap()
        .is_none());
    let (_, status, page) = reset_csrf(&old_link).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an older link stops working"
    );
    assert!(flash_error(&page).contains("không hợp lệ, đã được dùng hoặc đã hết hạn"));

    // Opening the link (on the other instance) shows the form and does not use it.
    for _ in 0..2 {
        let (_, status, page) =
            reset_csrf(&format!("{}/password/reset?token={reset_token}", p.base_b)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains("data-test=\"reset-username\">thu.778<"),
            "{page}"
        );
    }
    // The same policy as a change; a refused password leaves the link usable.
    let r = post_reset(&p.base_b, &reset_token, "thu.778", "thu.778").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(flash_error(&r.text().await.unwrap()).starts_with("Mật khẩu mới: cần ít nhất 10 ký tự"));
    let r = post_reset(&p.base_b, &reset_token, "aaaaaaaaaaaa", "aaaaaaaaaaaa").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(flash_error(&r.text().await.unwrap()).starts_with("Mật khẩu mới: quá dễ đoán"));
    let r = post_reset(&p.base_b, &reset_token, NEW_PASSWORD, "khac").await;
    assert!(flash_error(&r.text().await.unwrap()).starts_with("Nhập lại mật khẩu mới: không khớp"));
    assert!(
        home(&raw(), &p.base_a, &session).await.is_some(),
        "nothing changed yet"
    );
    // Set: every session and token of the user ends, on both instances.
    let r = post_reset(&p.base_b, &reset_token, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?thong-bao=da-dat-lai");
    assert!(home(&raw(), &p.base_a, &session).await.is_none());
    assert!(home(&raw(), &p.base_b, &session).await.is_none());
    assert_eq!(me(&p.base_a, &token).await, StatusCode::UNAUTHORIZED);
    let notice = raw()
        .get(format!("{}/login?thong-bao=da-dat-lai", p.base_a))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(notice.contains("Đã đặt lại mật khẩu"), "{notice}");
    // Exactly once: the link is dead now, on both instances.
    let r = post_reset(
        &p.base_a,
        &reset_token,
        "mot mat khau khac nua",
        "mot mat khau khac nua",
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(flash_error(&r.text().await.unwrap()).contains("đã được dùng"));
    assert_eq!(
        api_token(&p.base_a, "thu.778", "mat-khau-ban-dau")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    token_for(&p.base_a, "thu.778", NEW_PASSWORD).await;
    let resets = audit_actions(&p.a, "password_reset").await;
    assert_eq!(resets.len(), 1);
    assert_eq!(resets[0].username.as_deref(), Some("thu.778"));
    assert_eq!(resets[0].ip.as_deref(), Some("127.0.0.1"));

    // A link is valid 60 minutes.
    let (_, _) = request_reset(&p.base_a, "thu.778").await;
    sender.send_due_emails("sender").await.unwrap();
    let (_, late) = reset_link(sink.messages()[2]["body"].as_str().unwrap());
    p.b.set_clock(Some(at(59)));
    assert_eq!(
        reset_csrf(&format!("{}/password/reset?token={late}", p.base_b))
            .await
            .1,
        StatusCode::OK
    );
    p.b.set_clock(Some(at(60)));
    assert_eq!(
        reset_csrf(&format!("{}/password/reset?token={late}", p.base_b))
            .await
            .1,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = post_reset(
        &p.base_b,
        &late,
        "mot mat khau khac nua",
        "mot mat khau khac nua",
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    token_for(&p.base_a, "thu.778", NEW_PASSWORD).await;
}

#[tokio::test]
async fn reset_requests_are_rate_limited_per_name_and_per_address_without_telling() {
    let p = pair().await;
    mailbox_user(&p.a).await;
    p.a.set_clock(Some(at(0)));
    p.b.set_clock(Some(at(0)));
    let ip = |n: u8| Some(format!("198.51.100.{n}"));
    let queued = |app: &App| {
        let app = app.clone();
        async move {
            app.store
                .outbox()
                .await
                .unwrap()
                .iter()
                .filter(|e| e.kind == tuanle_app::auth::RESET_EMAIL_KIND)
                .count()
        }
    };
    // Three per name per hour (from any address, on any instance); the fourth is dropped.
    assert_eq!(
        p.a.request_password_reset("thu.778", ip(1)).await.unwrap(),
        1
    );
    assert_eq!(
        p.b.request_password_reset("THU.778", ip(2)).await.unwrap(),
        1
    );
    assert_eq!(
        p.a.request_password_reset("thu.778", ip(3)).await.unwrap(),
        1
    );
    assert_eq!(
        p.b.request_password_reset("thu.778", ip(4)).await.unwrap(),
        0
    );
    assert_eq!(queued(&p.a).await, 3);
    // The page answers the same whether dropped or not.
    let (s, dropped) = request_reset(&p.base_a, "thu.778").await;
    assert_eq!(s, StatusCode::OK);
    let (_, fresh) = request_reset(&p.base_a, "khong-co-ai").await;
    assert_eq!(neutral(&dropped), neutral(&fresh));
    assert_eq!(queued(&p.a).await, 3);
    // 20 per address per hour, whatever the names.
    for i in 0..20 {
        p.a.request_password_reset(&format!("ten-{i}"), ip(9))
            .await
            .unwrap();
    }
    p.a.set_clock(Some(at(30)));
    assert_eq!(
        p.a.request_password_reset("thu778@don-vi.vn", ip(9))
            .await
            .unwrap(),
        0,
        "the address is over its limit"
    );
    assert_eq!(
        p.a.request_password_reset("thu778@don-vi.vn", ip(10))
            .await
            .unwrap(),
        1,
        "another address is not"
    );
    // An hour after the first requests, the name may ask again.
    p.a.set_clock(Some(at(61)));
    assert_eq!(
        p.a.request_password_reset("thu.778", ip(4)).await.unwrap(),
        1
    );
    assert_eq!(queued(&p.a).await, 5);
    // Empty: a form error, not an answer about accounts.
    assert!(matches!(
        p.a.request_password_reset("  ", ip(1)).await,
        Err(tuanle_app::AppError::Invalid { .. })
    ));
}

#[tokio::test]
async fn idle_sessions_expire_on_every_instance_and_send_to_login_with_a_notice() {
    let p = pair().await;
    p.a.set_clock(Some(at(0)));
    p.b.set_clock(Some(at(0)));
    let clock = |m: i64| {
        p.a.set_clock(Some(at(m)));
        p.b.set_clock(Some(at(m)));
    };
    let (_, s, _) = sign_in_as(&p.base_a, "quan7", common::PASSWORD).await;
    let t = token_for(&p.base_a, "quan7", common::PASSWORD).await;
    let hash = tuanle_app::auth::token_hash(&s);
    let last_seen = || async {
        p.a.store
            .session(&hash, "web", &tuanle_store::time_text(at(0)))
            .await
            .unwrap()
            .map(|r| r.last_seen_at)
    };
    // Used within the timeout: lives on; its last use is written at most once a minute.
    clock(100);
    assert!(home(&raw(), &p.base_b, &s).await.is_some());
    assert_eq!(last_seen().await, Some(tuanle_store::time_text(at(100))));
    p.a.set_clock(Some(at(100) + chrono::Duration::seconds(30)));
    assert!(home(&raw(), &p.base_a, &s).await.is_some());
    assert_eq!(
        last_seen().await,
        Some(tuanle_store::time_text(at(100))),
        "no write within the minute"
    );
    clock(219);
    assert!(
        home(&raw(), &p.base_a, &s).await.is_some(),
        "119 minutes idle"
    );
    // Two hours without a request: ended, on both instances; the page says why.
    clock(219 + 120);
    let r = raw()
        .get(format!("{}/", p.base_b))
        .header(COOKIE, format!("tuanle_session={s}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?thong-bao=het-han");
    assert_eq!(
        set_cookie(r.headers(), "tuanle_session").as_deref(),
        Some("")
    );
    assert!(home(&raw(), &p.base_a, &s).await.is_none());
    assert!(last_seen().await.is_none(), "the row is gone");
    let page = raw()
        .get(format!("{}/login?thong-bao=het-han", p.base_a))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Phiên làm việc đã hết hạn"), "{page}");
    // A form posted with the expired session does nothing and goes the same way.
    let before = p.a.store.count_audit().await.unwrap();
    let r = raw()
        .post(format!("{}/account/logout-everywhere", p.base_a))
        .header(COOKIE, format!("tuanle_session={s}"))
        .form(&[("csrf_token", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/login?thong-bao=het-han");
    assert_eq!(p.a.store.count_audit().await.unwrap(), before);
    // The API token keeps its own rule (24 hours from issue by the system clock, no idle).
    assert_eq!(me(&p.base_b, &t).await, StatusCode::OK);

    // The absolute lifetime: 12 hours from login however busy.
    clock(1000);
    let (_, s, _) = sign_in_as(&p.base_a, "quan7", common::PASSWORD).await;
    for m in (1000..1000 + 12 * 60).step_by(100) {
        clock(m);
        assert!(home(&raw(), &p.base_b, &s).await.is_some(), "minute {m}");
    }
    clock(1000 + 12 * 60);
    assert!(home(&raw(), &p.base_b, &s).await.is_none(), "12 hours");

    // The timeout is a setting of the instance.
    for app in [&p.a, &p.b] {
        app.set_session_settings(tuanle_app::auth::SessionSettings { idle_minutes: 30 });
    }
    clock(2000);
    let (_, s, _) = sign_in_as(&p.base_a, "quan7", common::PASSWORD).await;
    clock(2029);
    assert!(home(&raw(), &p.base_b, &s).await.is_some());
    clock(2029 + 30);
    assert!(home(&raw(), &p.base_b, &s).await.is_none());
}

#[tokio::test]
async fn logout_everywhere_ends_every_session_and_token_on_every_instance() {
    let p = pair().await;
    let (_, s1, csrf1) = sign_in_as(&p.base_a, "quan7", common::PASSWORD).await;
    let (_, s2, _) = sign_in_as(&p.base_b, "quan7", common::PASSWORD).await;
    let t = token_for(&p.base_a, "quan7", common::PASSWORD).await;
    let (_, other, _) = sign_in_as(&p.base_b, "hcm", common::PASSWORD).await;
    // Without the session's CSRF token: refused, nothing ends.
    let r = raw()
        .post(format!("{}/account/logout-everywhere", p.base_b))
        .header(COOKIE, format!("tuanle_session={s1}"))
        .form(&[("csrf_token", "sai")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(home(&raw(), &p.base_a, &s2).await.is_some());
    let r = raw()
        .post(format!("{}/account/logout-everywhere", p.base_b))
        .header(COOKIE, format!("tuanle_session={s1}"))
        .form(&[("csrf_token", csrf1.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"],
        "/login?thong-bao=da-dang-xuat-moi-noi"
    );
    assert_eq!(
        set_cookie(r.headers(), "tuanle_session").as_deref(),
        Some("")
    );
    for base in [&p.base_a, &p.base_b] {
        assert!(home(&raw(), base, &s1).await.is_none());
        assert!(home(&raw(), base, &s2).await.is_none());
        assert_eq!(me(base, &t).await, StatusCode::UNAUTHORIZED);
    }
    assert!(
        home(&raw(), &p.base_a, &other).await.is_some(),
        "other users untouched"
    );
    let user = p.a.store.user_by_username("quan7").await.unwrap().unwrap();
    assert_eq!(
        p.a.store.count_user_sessions(user.id, None).await.unwrap(),
        0
    );
    let rows = audit_actions(&p.a, "logout_everywhere").await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0]
        .after
        .as_ref()
        .unwrap()
        .to_string()
        .contains("\"sessions_ended\":3"));
    // Signing in again works.
    sign_in_as(&p.base_a, "quan7", common::PASSWORD).await;
}

/// Runs due jobs until one of `kind` ran.
async fn run_job(app: &App, kind: &str) {
    app.enqueue_job(kind, serde_json::json!({}), None)
        .await
        .unwrap();
    while let Some(job) = app.run_one_job("pruner").await.unwrap() {
        if job.kind == kind {
            return;
        }
    }
    panic!("{kind} did not run");
}

#[tokio::test]
async fn the_hourly_job_prunes_old_failures_locks_reset_links_and_sessions() {
    // One instance and no server, so no other worker runs the job meanwhile.
    let db = tuanle_store::testing::fresh_db().await;
    let app = App::open(&db.url).await.unwrap();
    app.build_demo().await.unwrap();
    mailbox_user(&app).await;
    app.set_clock(Some(at(0)));
    let purge = tuanle_app::jobs::PURGE_SESSIONS;
    // Two sessions, an address locked by failed sign-ins, one failure left counting, a
    // reset request with its link and e-mail.
    let idle = app.login("quan7", common::PASSWORD, None).await.unwrap();
    let busy = app.login("hcm", common::PASSWORD, None).await.unwrap();
    for i in 0..tuanle_app::auth::MAX_FAILURES_PER_IP {
        let _ = app
            .login(&format!("khong-co-{i}"), "sai", Some("203.0.113.7".into()))
            .await;
    }
    let _ = app.login("khong-co-ten", "sai", None).await;
    app.request_password_reset("thu.778", None).await.unwrap();
    let counts = || app.store.auth_row_counts();
    assert_eq!(counts().await.unwrap(), (1, 1, 1, 1, 2));
    let bodies = app.store.reset_email_bodies().await.unwrap();
    assert!(bodies[0].contains("/password/reset?token="));

    // Nothing is over yet.
    run_job(&app, purge).await;
    assert_eq!(counts().await.unwrap(), (1, 1, 1, 1, 2));
    // 16 minutes: the failure is out of the 15-minute window, the lock has ended.
    app.set_clock(Some(at(16)));
    let (pruned, ended) = app.prune_auth().await.unwrap();
    assert_eq!(
        (pruned.login_failures, pruned.login_locks),
        (1, 1),
        "{pruned:?}"
    );
    assert_eq!(
        (pruned.reset_requests, pruned.reset_tokens, ended),
        (0, 0, 0)
    );
    assert_eq!(counts().await.unwrap(), (0, 0, 1, 1, 2));
    // 90 minutes: the request (1-hour window) and the expired link go, and the e-mail no
    // longer holds the dead link; both sessions stay (one used at 80, one idle for 90).
    app.set_clock(Some(at(80)));
    app.authenticate(&busy.token, tuanle_app::auth::WEB, None)
        .await
        .unwrap();
    app.set_clock(Some(at(90)));
    run_job(&app, purge).await;
    assert_eq!(counts().await.unwrap(), (0, 0, 0, 0, 2));
    let bodies = app.store.reset_email_bodies().await.unwrap();
    assert!(!bodies[0].contains("token="), "{bodies:?}");
    assert!(bodies[0].contains("đã hết hiệu lực"), "{bodies:?}");
    // Two hours after its last use the idle session goes; the busy one stays.
    app.set_clock(Some(at(121)));
    run_job(&app, purge).await;
    assert_eq!(counts().await.unwrap(), (0, 0, 0, 0, 1));
    assert!(app
        .authenticate(&idle.token, tuanle_app::auth::WEB, None)
        .await
        .is_err());
    assert!(app
        .authenticate(&busy.token, tuanle_app::auth::WEB, None)
        .await
        .is_ok());
    // A used link goes at the next run, before it would have expired.
    app.request_password_reset("thu.778", None).await.unwrap();
    let bodies = app.store.reset_email_bodies().await.unwrap();
    let (_, token) = reset_link(bodies.last().unwrap());
    app.reset_password(&token, NEW_PASSWORD, NEW_PASSWORD, None)
        .await
        .unwrap();
    assert_eq!(counts().await.unwrap(), (0, 0, 1, 1, 1));
    app.set_clock(Some(at(125)));
    run_job(&app, purge).await;
    // The reset ended the user's sessions (none here); the request is still in its hour.
    assert_eq!(counts().await.unwrap(), (0, 0, 1, 0, 1));
    let _ = db;
}

// ---- uploads checked by content, not name ---------------------------------------------

/// A ZIP archive (stored, one text entry), built by hand.
fn zip_bytes() -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    let name = b"ghi-chu.txt";
    let data = b"Khong phai PDF, khong phai anh, khong phai bang tinh.";
    let crc = crc32(data);
    let le16 = |v: u16| v.to_le_bytes().to_vec();
    let le32 = |v: u32| v.to_le_bytes().to_vec();
    let mut out = Vec::new();
    out.extend(le32(0x0403_4b50));
    for v in [20u16, 0, 0, 0, 0] {
        out.extend(le16(v));
    }
    out.extend(le32(crc));
    out.extend(le32(data.len() as u32));
    out.extend(le32(data.len() as u32));
    out.extend(le16(name.len() as u16));
    out.extend(le16(0));
    out.extend(name);
    out.extend(data);
    let cd_start = out.len() as u32;
    out.extend(le32(0x0201_4b50));
    for v in [20u16, 20, 0, 0, 0, 0] {
        out.extend(le16(v));
    }
    out.extend(le32(crc));
    out.extend(le32(data.len() as u32));
    out.extend(le32(data.len() as u32));
    out.extend(le16(name.len() as u16));
    for v in [0u16, 0, 0, 0] {
        out.extend(le16(v));
    }
    out.extend(le32(0));
    out.extend(le32(0));
    out.extend(name);
    let cd_len = out.len() as u32 - cd_start;
    out.extend(le32(0x0605_4b50));
    for v in [0u16, 0, 1, 1] {
        out.extend(le16(v));
    }
    out.extend(le32(cd_len));
    out.extend(le32(cd_start));
    out.extend(le16(0));
    out
}

const HTML: &[u8] =
    b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>";

/// The renamed files: (file name, bytes, what it really is).
fn renamed() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    vec![
        ("bao-cao.xlsx", common::tiny_png(), "PNG"),
        ("anh-khai-mac.jpg", HTML.to_vec(), "HTML"),
        ("van-ban.pdf", zip_bytes(), "ZIP"),
        ("anh.png", zip_bytes(), "ZIP"),
        ("gop-y.pdf", HTML.to_vec(), "HTML"),
    ]
}

/// One upload as multipart: the file under `field`, plus text fields.
async fn upload(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    field: &'static str,
    (name, bytes): (&str, Vec<u8>),
    text: &[(&'static str, String)],
) -> (StatusCode, String) {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in text {
        form = form.text(*k, v.clone());
    }
    form = form.part(
        field,
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let mut req = client.post(url).multipart(form);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn uploads_are_checked_by_content_not_name_and_a_renamed_file_stores_nothing() {
    use chrono::TimeZone;
    let t = common::spawn().await;
    let tree = t.app.campaign(1).await.unwrap().tree_id;
    let ward = t
        .app
        .store
        .unit_by_code(tree, "27490")
        .await
        .unwrap()
        .unwrap();
    let token = t.token("tanphong").await;
    let browser = t.browser_login("tanphong").await;
    let report_page = browser
        .get(t.url("/campaigns/1/reports/27490"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let page_csrf = common::csrf(&report_page);
    // An activity of the ward, to attach photos to.
    let r = t
        .post(
            &token,
            "/api/v1/campaigns/1/activities/27490",
            serde_json::json!({"kind": "lop-01", "title": "Lớp kỹ năng số", "mode": "online",
                "starts_at": "2021-10-02T08:00", "ends_at": "2021-10-02T11:00",
                "link": "https://meet.google.com/abc-defg-hij"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let activity = r.body["id"].as_i64().unwrap();
    // A consultation of Hòa Phú by Phòng GDĐT Thủ Dầu Một (15/09/2021, until 22/09).
    let vn = |d: u32| {
        chrono::Utc
            .with_ymd_and_hms(2021, 9, d, 1, 0, 0)
            .single()
            .unwrap()
    };
    t.app.set_clock(Some(vn(15)));
    let office = {
        let user = t
            .app
            .store
            .user_by_username("thudaumot")
            .await
            .unwrap()
            .unwrap();
        let unit = t.app.store.unit(user.unit_id).await.unwrap().unwrap();
        tuanle_app::Actor {
            user,
            unit,
            ip: None,
        }
    };
    let plan = t
        .app
        .create_plan(
            &office,
            tuanle_app::plans::PlanInput {
                campaign_id: 1,
                drafting_unit_code: "718-PHONGGDDT".into(),
                issuer_unit_code: "718-PHONGGDDT".into(),
                subject: "Kế hoạch Tuần lễ 2021".into(),
                content: Some(Default::default()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .doc
        .id;
    let consultation = t
        .app
        .start_consultation(
            &office,
            plan,
            &["25760".to_string()],
            chrono::NaiveDate::from_ymd_opt(2021, 9, 22).unwrap(),
            tuanle_app::plans::LetterInput {
                subject: "V/v góp ý Dự thảo Kế hoạch".into(),
                paragraphs: vec!["Đề nghị góp ý trước ngày 22/9/2021.".into()],
                signer: tuanle_domain::plan::Signer {
                    title: "Trưởng phòng".into(),
                    name: "Nguyễn Văn Chệt".into(),
                    ..Default::default()
                },
                ..Default::default()
            },
            chrono::NaiveDate::from_ymd_opt(2021, 9, 15),
        )
        .await
        .unwrap()
        .record
        .id;
    let hoa_phu = t.token("bc.25760").await;
    let documents = || async {
        t.get(&token, "/api/v1/documents")
            .await
            .body
            .as_array()
            .map_or(0, |a| a.len())
    };
    let docs_before = documents().await;

    let audit = t.audit_rows().await;
    let mut refused = 0;
    for (name, bytes, what) in renamed() {
        let file = || (name, bytes.clone());
        let shown = format!("{what} named {name}");
        let is_png = what == "PNG";
        // Photos of a report (page and API) and of an activity (page and API).
        if !is_png {
            let (s, body) = upload(
                &browser,
                &t.url("/campaigns/1/reports/27490/photos"),
                None,
                "photo",
                file(),
                &[("csrf_token", page_csrf.clone()), ("caption", "Ảnh".into())],
            )
            .await;
            assert_eq!(
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "report photo page, {shown}"
            );
            assert!(
                body.contains("chỉ nhận ảnh JPEG, PNG hoặc WebP"),
                "{shown}: {body}"
            );
            let (s, body) = upload(
                &t.client,
                &t.url("/api/v1/campaigns/1/reports/27490/photos"),
                Some(&token),
                "photo",
                file(),
                &[("caption", "Ảnh".into())],
            )
            .await;
            assert_eq!(
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "report photo API, {shown}"
            );
            assert!(
                body.contains("\"bad_file\"") && body.contains("chỉ nhận ảnh JPEG"),
                "{body}"
            );
            let (s, body) = upload(
                &browser,
                &t.url(&format!("/activities/{activity}/photos")),
                None,
                "photo",
                file(),
                &[("csrf_token", page_csrf.clone())],
            )
            .await;
            assert_eq!(
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "activity photo page, {shown}"
            );
            assert!(body.contains("không phải ảnh"), "{shown}: {body}");
            let (s, body) = upload(
                &t.client,
                &t.url(&format!("/api/v1/activities/{activity}/photos")),
                Some(&token),
                "photo",
                file(),
                &[],
            )
            .await;
            assert_eq!(
                s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "activity photo API, {shown}"
            );
            assert!(body.contains("không phải ảnh"), "{body}");
            refused += 4;
        }
        // Workbook import (page and API): the file's outcome is a Vietnamese refusal.
        let (s, body) = upload(
            &browser,
            &t.url("/campaigns/1/workbooks"),
            None,
            "files",
            file(),
            &[("csrf_token", page_csrf.clone()), ("action", "save".into())],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "workbook page, {shown}");
        assert!(
            body.contains("data-test=\"imported\">0<"),
            "{shown}: {body}"
        );
        assert!(
            body.contains("không phải tệp Excel (.xlsx)"),
            "{shown}: {body}"
        );
        let (s, body) = upload(
            &t.client,
            &t.url("/api/v1/campaigns/1/workbooks?action=save"),
            Some(&token),
            "files",
            file(),
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "workbook API, {shown}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (v["imported"].as_i64(), v["failed"].as_i64()),
            (Some(0), Some(1)),
            "{body}"
        );
        assert!(body.contains("không phải tệp Excel (.xlsx)"), "{body}");
        // PDF attachments: an external document's file, a consultation answer's file.
        let (s, body) = upload(
            &t.client,
            &t.url("/api/v1/documents/external"),
            Some(&token),
            "pdf",
            file(),
            &[
                ("kind", "CV".into()),
                ("number", "1575/SGDĐT-GDTrH".into()),
                ("date", "2021-09-09".into()),
                ("issuer", "Sở Giáo dục và Đào tạo".into()),
                ("subject", "Hướng dẫn tổ chức Tuần lễ".into()),
                ("campaign_id", "1".into()),
            ],
        )
        .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "external document, {shown}: {body}"
        );
        assert!(body.contains("không phải tệp PDF"), "{body}");
        let (s, body) = upload(
            &t.client,
            &t.url(&format!(
                "/api/v1/consultations/{consultation}/replies/25760"
            )),
            Some(&hoa_phu),
            "file",
            file(),
            &[
                ("agree", "false".into()),
                ("comment", "Đề nghị bổ sung".into()),
            ],
        )
        .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "consultation answer, {shown}: {body}"
        );
        assert!(body.contains("không phải tệp PDF"), "{body}");
        refused += 4;
    }
    // Nothing stored, nothing audited.
    assert_eq!(
        t.audit_rows().await,
        audit,
        "no audit row for a refused upload"
    );
    assert!(
        t.app.store.report(1, ward.id).await.unwrap().is_none(),
        "no report created"
    );
    assert!(t
        .app
        .store
        .activity_photos(activity)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(documents().await, docs_before);
    let replies = t.app.store.replies(consultation).await.unwrap();
    assert!(replies
        .iter()
        .all(|r| r.file_name.is_none() && r.answered_at.is_none()));
    assert!(refused >= 28, "{refused}");

    // Content decides, not the name: a real PNG named .xlsx is a photo (stored as PNG), a
    // real PDF named .jpg is an answer.
    let r = t
        .upload(&token, "27490", "bao-cao.xlsx", common::tiny_png())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let photo = r.body["id"].as_i64().unwrap();
    let got = t
        .client
        .get(t.url(&format!("/api/v1/campaigns/1/reports/27490/photos/{photo}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(got.headers()["content-type"], "image/png");
    let (s, body) = upload(
        &t.client,
        &t.url(&format!(
            "/api/v1/consultations/{consultation}/replies/25760"
        )),
        Some(&hoa_phu),
        "file",
        ("gop-y.jpg", common::pdf_bytes()),
        &[
            ("agree", "false".into()),
            ("comment", "Đề nghị bổ sung".into()),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
}
