//! HTML pages through the real router: login with its CSRF cookie, every state-changing
//! form refused without the session's CSRF token, administration pages.

mod common;

use reqwest::StatusCode;

/// A browser-like client with a cookie jar.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .unwrap()
}

/// The value of the first `name="csrf_token"` field of a page.
fn csrf(html: &str) -> String {
    let at = html
        .find("name=\"csrf_token\" value=\"")
        .expect("page has a CSRF field");
    let rest = &html[at + "name=\"csrf_token\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

async fn login(t: &common::TestApp, username: &str) -> (reqwest::Client, String) {
    let b = browser();
    let page = b
        .get(t.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf(&page);
    let r = b
        .post(t.url("/login"))
        .form(&[
            ("username", username),
            ("password", common::PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let home = r.text().await.unwrap();
    assert!(home.contains("data-test=\"current-user\""), "not logged in");
    let token = csrf(&home);
    (b, token)
}

#[tokio::test]
async fn login_needs_its_csrf_cookie_and_a_right_password() {
    let t = common::spawn().await;
    let b = browser();
    // Without the pre-login CSRF token: refused.
    let r = b
        .post(t.url("/login"))
        .form(&[
            ("username", "quan7"),
            ("password", "demo"),
            ("csrf_token", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let page = b
        .get(t.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = b
        .post(t.url("/login"))
        .form(&[
            ("username", "quan7"),
            ("password", "sai"),
            ("csrf_token", &csrf(&page)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Tên đăng nhập hoặc mật khẩu không đúng"));
    // Pages need a session.
    let r = browser()
        .get(t.url("/campaigns/1/consolidation/778"))
        .send()
        .await
        .unwrap();
    assert!(r.url().path().ends_with("/login"));
}

#[tokio::test]
async fn forms_without_the_session_csrf_token_change_nothing() {
    let t = common::spawn().await;
    let (b, token) = login(&t, "tanphong").await;
    let audit = t.app.store.count_audit().await.unwrap();
    let form = [
        ("action", "submit"),
        ("v:1.01:count", "2"),
        ("v:1.01:people", "30"),
        ("csrf_token", "not-the-token"),
    ];
    let r = b
        .post(t.url("/campaigns/1/reports/27490"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(t
        .app
        .store
        .report(
            1,
            t.app
                .store
                .unit_by_code(1, "27490")
                .await
                .unwrap()
                .unwrap()
                .id
        )
        .await
        .unwrap()
        .is_none());
    assert_eq!(t.app.store.count_audit().await.unwrap(), audit);
    let r = b
        .post(t.url("/logout"))
        .form(&[("csrf_token", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // With the token the same form works.
    let form = [
        ("action", "submit"),
        ("v:1.01:count", "2"),
        ("v:1.01:people", "30"),
        ("csrf_token", token.as_str()),
    ];
    let r = b
        .post(t.url("/campaigns/1/reports/27490"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Đã nộp"));
    // Logout ends the session everywhere the cookie goes.
    let r = b
        .post(t.url("/logout"))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.url().path().ends_with("/login"));
    let r = b.get(t.url("/")).send().await.unwrap();
    assert!(r.url().path().ends_with("/login"));
}

#[tokio::test]
async fn administrators_add_accounts_and_campaigns_with_named_errors() {
    let t = common::spawn().await;
    let (b, token) = login(&t, "quan7.admin").await;
    let page = b
        .get(t.url("/admin/users"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("tanphong"), "lists the accounts of Quận 7");
    assert!(
        !page.contains("binhduong"),
        "not the accounts of another province"
    );
    let short = [
        ("csrf_token", token.as_str()),
        ("username", "tanphong2"),
        ("full_name", "Cán bộ"),
        ("password", "ngan"),
        ("unit_code", "27490"),
        ("role", "reporter"),
    ];
    let r = b
        .post(t.url("/admin/users"))
        .form(&short)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Mật khẩu: cần ít nhất 8 ký tự"));
    let outside = [
        ("csrf_token", token.as_str()),
        ("username", "lac"),
        ("full_name", "Cán bộ"),
        ("password", "mat-khau-dai"),
        ("unit_code", "74"),
        ("role", "viewer"),
    ];
    let r = b
        .post(t.url("/admin/users"))
        .form(&outside)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let ok = [
        ("csrf_token", token.as_str()),
        ("username", "tanphong2"),
        ("full_name", "Cán bộ mới"),
        ("password", "mat-khau-dai"),
        ("unit_code", "27490"),
        ("role", "reporter"),
    ];
    let r = b
        .post(t.url("/admin/users"))
        .form(&ok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(t
        .app
        .store
        .user_by_username("tanphong2")
        .await
        .unwrap()
        .is_some());
    // Campaigns: national administrators only; dates named when wrong.
    let form = |token: &str, start: &str| {
        vec![
            ("csrf_token", token.to_string()),
            ("year", "2022".into()),
            ("name", "Tuần lễ hưởng ứng học tập suốt đời năm 2022".into()),
            (
                "themes",
                "Thúc đẩy chuyển đổi số phục vụ học tập suốt đời sau đại dịch COVID-19".into(),
            ),
            ("start_date", start.into()),
            ("end_date", "07/10/2022".into()),
            ("template_id", "1".into()),
            ("required_types", "Phường, Xã".into()),
            ("deadline_3", "12/10/2022".into()),
        ]
    };
    let r = b
        .post(t.url("/admin/campaigns"))
        .form(&form(&token, "01/10/2022"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (admin, admin_token) = login(&t, "admin").await;
    let r = admin
        .post(t.url("/admin/campaigns"))
        .form(&form(&admin_token, "31/02/2022"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Ngày bắt đầu"));
    let r = admin
        .post(t.url("/admin/campaigns"))
        .form(&form(&admin_token, "01/10/2022"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("năm 2022"));
    assert_eq!(t.app.store.list_campaigns().await.unwrap().len(), 2);
}
