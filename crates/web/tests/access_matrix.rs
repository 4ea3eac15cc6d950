//! Access-control matrix (issue 7): every route of the web UI (from
//! `tuanle_web::pages::page_routes`, the list the router is built from) and of the API (from
//! the OpenAPI document, the list its router is built from), called by every role — viewer,
//! reporter, reviewer, admin — placed at a ward (Phường Tân Phong 27490) and at a district
//! (Quận 7, 778), on the user's own unit, a sibling, the parent and a child. The test fails
//! on any access beyond the rules of docs/security.md, on any refusal where the rules grant
//! access (where the workflow state does not decide instead), and on any audit row written
//! by a refused request. A route without a rule below fails the test, so a new route cannot
//! be forgotten.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{spawn, tiny_png, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tuanle_app::users::NewUser;
use tuanle_domain::access::Role;

/// Password of the matrix accounts.
const PASSWORD: &str = "matrix-pass-1";
/// An object id that exists nowhere (API routes by id without a fixture of their own).
const NO_SUCH_ID: &str = "999999";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rel {
    Own,
    Sibling,
    Parent,
    Child,
}

const RELS: [Rel; 4] = [Rel::Own, Rel::Sibling, Rel::Parent, Rel::Child];

/// What a route needs, on the unit it names (path, body, or the object's unit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    /// No session needed (login form, stylesheet, token issuance): not part of the matrix.
    Public,
    /// Any signed-in user; the route names no unit (lists are filtered to the subtree).
    Anyone,
    /// Any administrator; the route names no unit (lists filtered to the subtree).
    AnyAdmin,
    /// National administrators only (campaigns, templates, rebuild).
    National,
    /// Xem: the unit is the user's own or below it.
    View,
    /// Like `View`, for an attachment that may be absent (404 is then no refusal).
    ViewAttachment,
    /// Nhập báo cáo: reporter on its own unit; reviewer and admin on own or below.
    Edit,
    /// Duyệt: reviewer and admin, strictly below.
    Review,
    /// Quản trị: admin on own or below.
    Administer,
    /// Writing on a plan document (drafting unit): refused to viewers and outside the
    /// subtree; inside, the document's workflow state decides.
    DocWrite,
    /// Reporter or above acting on its own unit, no unit named (vào sổ văn bản đến).
    Writer,
    /// Nhật ký thay đổi: everyone but a viewer, filtered to the own scope (the unit
    /// filter across relations is tested in tests/audit.rs).
    AuditReader,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Allow,
    Deny,
    /// The rules allow it; the workflow state may still refuse (409/422), and the
    /// answer is not checked beyond "no 5xx".
    Either,
}

fn expect(rule: Rule, role: Role, rel: Rel) -> Expect {
    use Expect::*;
    let inside = matches!(rel, Rel::Own | Rel::Child);
    let admin = role == Role::Admin;
    let reviewer = matches!(role, Role::Reviewer | Role::Admin);
    let b = |ok: bool| if ok { Allow } else { Deny };
    match rule {
        Rule::Public | Rule::Anyone => Allow,
        Rule::AnyAdmin => b(admin),
        Rule::National => Deny,
        Rule::View => b(inside),
        Rule::ViewAttachment => {
            if inside {
                Either
            } else {
                Deny
            }
        }
        Rule::Edit => b(match role {
            Role::Viewer => false,
            Role::Reporter => rel == Rel::Own,
            Role::Reviewer | Role::Admin => inside,
        }),
        Rule::Review => b(reviewer && rel == Rel::Child),
        Rule::Administer => b(admin && inside),
        Rule::DocWrite => {
            if role == Role::Viewer || !inside || (role == Role::Reporter && rel != Rel::Own) {
                Deny
            } else {
                Either
            }
        }
        Rule::AuditReader => b(role != Role::Viewer),
        Rule::Writer => {
            if role == Role::Viewer {
                Deny
            } else {
                Either
            }
        }
    }
}

/// The rule of every API operation. A missing entry fails the test.
fn api_rule(method: &str, path: &str) -> Option<Rule> {
    use Rule::*;
    let p = path.strip_prefix("/api/v1").unwrap_or(path);
    Some(match (method, p) {
        ("post", "/auth/token") => Public,
        ("get", "/me") => Anyone,
        ("post", "/me/password") => Anyone,
        ("get", "/units") => Anyone,
        ("post", "/units") => Administer,
        ("get", "/units/{code}") => View,
        ("post", "/units/bodies.csv") => Administer,
        ("get", "/campaigns") => Anyone,
        ("post", "/campaigns") => National,
        ("get", "/campaigns/{id}") => Anyone,
        ("get", "/templates") => Anyone,
        ("post", "/templates") => National,
        ("get", "/templates/{id}") => Anyone,
        ("get", "/campaigns/{id}/reports/{code}") => View,
        ("put", "/campaigns/{id}/reports/{code}") => Edit,
        ("post", "/campaigns/{id}/reports/{code}/review") => Review,
        ("get", "/campaigns/{id}/reports/{code}/history") => View,
        ("post", "/campaigns/{id}/reports/{code}/photos") => Edit,
        ("get", "/campaigns/{id}/reports/{code}/photos/{photo_id}") => View,
        ("delete", "/campaigns/{id}/reports/{code}/photos/{photo_id}") => Edit,
        ("get", "/campaigns/{id}/consolidation/{code}") => View,
        ("post", "/campaigns/{id}/consolidation/rebuild") => National,
        ("get", "/campaigns/{id}/consolidation/{code}/missing") => View,
        ("get", "/campaigns/{id}/reports/{code}/document/{format}") => View,
        ("get", "/campaigns/{id}/consolidation/{code}/document/{format}") => View,
        ("get", "/campaigns/{id}/reports/{code}/workbook") => View,
        ("post", "/campaigns/{id}/workbooks") => Edit,
        ("get", "/campaigns/{id}/consolidation/{code}/workbook") => View,
        ("get", "/campaigns/{id}/consolidation/{code}/csv") => View,
        ("get", "/users") => AnyAdmin,
        ("post", "/users") => Administer,
        ("put", "/issuers/{code}") => Administer,
        ("post", "/issuers/{code}/register") => Administer,
        ("get", "/documents") => Anyone,
        ("post", "/documents/external") => Writer,
        ("get", "/audit" | "/audit/csv") => AuditReader,
        ("get", "/documents/{id}") => View,
        ("put", "/documents/{id}") => DocWrite,
        ("get", "/documents/{id}/versions") => View,
        ("get", "/documents/{id}/file") => ViewAttachment,
        ("get", "/documents/{id}/document/{format}") => View,
        ("post", "/campaigns/{id}/plans") => DocWrite,
        ("get", "/campaigns/{id}/plans/prefill/{code}") => View,
        ("post", "/documents/{id}/consultations") => DocWrite,
        ("get", "/consultations/{id}") => View,
        // Answering for the consulted unit: refused like a document write; inside, the
        // reply's state decides (answered already: 409).
        ("post", "/consultations/{id}/replies/{code}") => DocWrite,
        ("get", "/consultations/{id}/replies/{code}/file") => ViewAttachment,
        ("post", "/documents/{id}/submit") => DocWrite,
        ("post", "/documents/{id}/review") => DocWrite,
        ("post", "/documents/{id}/issue") => DocWrite,
        ("post", "/documents/{id}/distribute") => DocWrite,
        ("get", "/units/{code}/incoming") => View,
        ("post", "/incoming/{id}/pass") => Edit,
        ("get", "/documents/{id}/tasks") => View,
        ("get", "/campaigns/{id}/tasks/{code}") => View,
        ("put", "/tasks/{id}") => Edit,
        ("get", "/campaigns/{id}/cascade/{code}") => View,
        ("get", "/campaigns/{id}/activities/{code}") => View,
        ("post", "/campaigns/{id}/activities/{code}") => Edit,
        ("get", "/activities/{id}") => View,
        ("put", "/activities/{id}") => Edit,
        ("post", "/activities/{id}/publish") => Edit,
        ("put", "/activities/{id}/result") => Edit,
        ("post", "/activities/{id}/photos") => Edit,
        ("get", "/campaigns/{id}/activity-settings") => Anyone,
        ("put", "/campaigns/{id}/activity-settings") => National,
        ("get", "/public/calendar" | "/public/activities/{id}") => Public,
        ("get", "/notifications" | "/notifications/unread") => Anyone,
        ("post", "/notifications/read") => Anyone,
        ("get" | "put", "/notifications/email-preferences") => Anyone,
        _ => return None,
    })
}

/// The rule of every page route. A missing entry fails the test.
fn page_rule(method: &str, path: &str) -> Option<Rule> {
    use Rule::*;
    Some(match (method, path) {
        ("GET", "/") => Anyone,
        ("GET", "/audit" | "/audit.csv") => AuditReader,
        ("GET" | "POST", "/login") => Public,
        ("POST", "/logout") => Anyone,
        ("GET", "/account") => Anyone,
        ("POST", "/account/password" | "/account/logout-everywhere") => Anyone,
        ("GET" | "POST", "/password/forgot" | "/password/reset") => Public,
        ("GET", "/static/app.css") => Public,
        ("GET", "/admin/users") => AnyAdmin,
        ("POST", "/admin/users") => Administer,
        ("GET", "/admin/campaigns/new") => National,
        ("POST", "/admin/campaigns") => National,
        ("GET", "/units") => Anyone,
        ("GET", "/units/{code}") => View,
        ("POST", "/units/{code}/bodies") => Administer,
        ("GET", "/campaigns/{id}/reports/{code}") => View,
        ("POST", "/campaigns/{id}/reports/{code}") => Edit,
        ("POST", "/campaigns/{id}/reports/{code}/review") => Review,
        ("GET", "/campaigns/{id}/reports/{code}/history") => View,
        ("POST", "/campaigns/{id}/reports/{code}/photos") => Edit,
        ("GET", "/campaigns/{id}/reports/{code}/photos/{photo}") => View,
        ("POST", "/campaigns/{id}/reports/{code}/photos/{photo}/delete") => Edit,
        ("GET", "/campaigns/{id}/consolidation/{code}") => View,
        ("GET", "/campaigns/{id}/missing/{code}") => View,
        ("GET", "/campaigns/{id}/reports/{code}/workbook") => View,
        ("GET", "/campaigns/{id}/consolidation/{code}/workbook") => View,
        ("GET", "/campaigns/{id}/consolidation/{code}/csv") => View,
        ("POST", "/campaigns/{id}/workbooks") => Edit,
        ("GET", "/campaigns/{id}/reports/{code}/document/{format}") => View,
        ("GET", "/campaigns/{id}/consolidation/{code}/document/{format}") => View,
        // Lịch hoạt động công khai: no session.
        (
            "GET",
            "/lich"
            | "/lich/hoat-dong/{id}"
            | "/lich/anh/{id}"
            | "/lich/ical"
            | "/lich/ical/khu-vuc/{code}"
            | "/lich/ical/don-vi/{code}",
        ) => Public,
        ("GET", "/campaigns/{id}/activities/{code}") => View,
        ("POST", "/campaigns/{id}/activities/{code}") => Edit,
        ("GET", "/activities/{id}") => View,
        ("POST", "/activities/{id}") => Edit,
        ("POST", "/activities/{id}/publish") => Edit,
        ("POST", "/activities/{id}/result") => Edit,
        ("POST", "/activities/{id}/photos") => Edit,
        ("GET" | "POST", "/admin/campaigns/{id}/activity-settings") => National,
        // Kế hoạch, văn bản (issue 5 pages).
        ("GET", "/units/{code}/documents" | "/units/{code}/incoming") => View,
        ("GET", "/campaigns/{id}/tasks/{code}" | "/campaigns/{id}/cascade/{code}") => View,
        // The forms only show what the user may read; sending them needs DocWrite.
        ("GET", "/campaigns/{id}/plans/new/{code}" | "/documents/{id}/edit") => DocWrite,
        ("POST", "/campaigns/{id}/plans/new/{code}") => DocWrite,
        ("GET", "/documents/{id}" | "/documents/{id}/document/{format}") => View,
        ("POST", "/documents/{id}/edit") => DocWrite,
        (
            "POST",
            "/documents/{id}/consult"
            | "/documents/{id}/submit"
            | "/documents/{id}/review"
            | "/documents/{id}/issue"
            | "/documents/{id}/distribute",
        ) => DocWrite,
        ("GET", "/consultations/{id}") => View,
        ("POST", "/consultations/{id}/answer") => DocWrite,
        ("GET", "/consultations/{id}/replies/{code}/file") => ViewAttachment,
        // Văn bản bên ngoài: the tree's register, read by everyone; recording needs a writer.
        ("GET", "/documents/external") => Anyone,
        ("POST", "/documents/external") => Writer,
        ("GET", "/documents/{id}/file") => ViewAttachment,
        // Cơ quan ban hành, sổ văn bản đi: administrators of the body.
        ("GET" | "POST", "/units/{code}/issuer") => Administer,
        ("POST", "/incoming/{id}/pass" | "/tasks/{id}") => Edit,
        ("GET", "/notifications") => Anyone,
        ("POST", "/notifications/read" | "/notifications/preferences") => Anyone,
        _ => return None,
    })
}

/// Whether a route names a unit (directly or through an object or its body).
fn names_unit(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::View
            | Rule::ViewAttachment
            | Rule::Edit
            | Rule::Review
            | Rule::Administer
            | Rule::DocWrite
    )
}

/// A matrix account.
struct User {
    role: Role,
    home: &'static str,
    username: String,
    token: String,
    /// Page session: a cookie client and the session's CSRF token.
    browser: reqwest::Client,
    csrf: String,
}

/// Units and the objects attached to them.
#[derive(Default)]
struct Fixtures {
    /// (home, rel) → unit code.
    units: BTreeMap<(&'static str, Rel), String>,
    /// unit code → a plan document drafted there.
    documents: BTreeMap<String, i64>,
    /// unit code → a photo on its report.
    photos: BTreeMap<String, i64>,
    /// unit code → an activity registered there.
    activities: BTreeMap<String, i64>,
    /// unit code → an open consultation on its plan, asking that unit itself.
    consultations: BTreeMap<String, i64>,
    /// unit code → an entry of its incoming register (số đến).
    incoming: BTreeMap<String, i64>,
    /// unit code → a task given to it.
    tasks: BTreeMap<String, i64>,
    admin: String,
}

fn no_redirect_browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn csrf_of(html: &str) -> String {
    let key = "name=\"csrf_token\" value=\"";
    let at = html.find(key).expect("CSRF field") + key.len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// Opens a page session (without following redirects afterwards).
async fn page_login(t: &TestApp, username: &str, password: &str) -> (reqwest::Client, String) {
    let b = no_redirect_browser();
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
            ("username", username),
            ("password", password),
            ("csrf_token", &csrf_of(&page)),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "login of {username}");
    let home = b
        .get(t.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (b.clone(), csrf_of(&home))
}

async fn api_token(t: &TestApp, username: &str, password: &str) -> String {
    let a = t
        .call(
            Method::POST,
            None,
            "/api/v1/auth/token",
            Some(json!({"username": username, "password": password})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{username}: {:?}", a.body);
    a.body["token"].as_str().unwrap().to_string()
}

/// A photo on a unit's report, uploaded by the national administrator (the report is
/// reopened first when it was accepted or submitted).
async fn photo_of(t: &TestApp, admin: &str, code: &str) -> i64 {
    let up = t.upload(admin, code, "anh.png", tiny_png()).await;
    if up.status == StatusCode::CREATED {
        return up.body["id"].as_i64().unwrap();
    }
    assert_eq!(
        up.status,
        StatusCode::CONFLICT,
        "photo on {code}: {:?}",
        up.body
    );
    let r = t
        .post(
            admin,
            &format!("{}/review", t.report(code)),
            json!({"action": "return", "comment": "Kiểm thử phân quyền"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "reopen {code}: {:?}", r.body);
    let up = t.upload(admin, code, "anh.png", tiny_png()).await;
    assert_eq!(
        up.status,
        StatusCode::CREATED,
        "photo on {code}: {:?}",
        up.body
    );
    up.body["id"].as_i64().unwrap()
}

/// An activity as the fixtures and the forms register it.
fn activity_input() -> tuanle_domain::activity::ActivityInput {
    tuanle_domain::activity::ActivityInput {
        kind: "lop-01".into(),
        title: "Lớp bồi dưỡng ma trận".into(),
        mode: "online".into(),
        starts_at: "2021-10-02T08:00".into(),
        ends_at: "2021-10-02T11:00".into(),
        link: "https://meet.google.com/abc-defg-hij".into(),
        ..Default::default()
    }
}

fn activity_fields() -> Vec<(&'static str, String)> {
    let a = activity_input();
    vec![
        ("kind", a.kind),
        ("title", a.title),
        ("mode", a.mode),
        ("starts_at", a.starts_at),
        ("ends_at", a.ends_at),
        ("link", a.link),
    ]
}

/// One request of the matrix, ready to send.
struct Call {
    method: Method,
    path: String,
    body: Body,
}

enum Body {
    None,
    Json(Value),
    Text(&'static str, String),
    Form(Vec<(String, String)>),
    Multipart(Vec<(&'static str, Part)>),
}

enum Part {
    Text(String),
    File(&'static str, Vec<u8>),
}

/// Fills a route's path and body for one target unit.
async fn api_call(
    t: &TestApp,
    fx: &Fixtures,
    method: &str,
    path: &str,
    target: &str,
    n: usize,
) -> Call {
    let photo = if path.contains("{photo_id}") && method == "delete" {
        photo_of(t, &fx.admin, target).await.to_string()
    } else if path.contains("{photo_id}") {
        fx.photos[target].to_string()
    } else {
        String::new()
    };
    let id = if path.starts_with("/api/v1/documents/{id}") {
        fx.documents[target].to_string()
    } else if path.starts_with("/api/v1/activities/{id}") {
        fx.activities[target].to_string()
    } else if path.starts_with("/api/v1/consultations/") {
        fx.consultations[target].to_string()
    } else if path.starts_with("/api/v1/incoming/") {
        fx.incoming[target].to_string()
    } else if path.starts_with("/api/v1/tasks/") {
        fx.tasks[target].to_string()
    } else if path.starts_with("/api/v1/campaigns/{id}") || path.starts_with("/api/v1/templates/") {
        "1".to_string()
    } else {
        NO_SUCH_ID.to_string()
    };
    let concrete = path
        .replace("{id}", &id)
        .replace("{code}", target)
        .replace("{photo_id}", &photo)
        .replace("{format}", "docx");
    let p = path.strip_prefix("/api/v1").unwrap();
    let signer = json!({"authority": "", "on_behalf_of": "", "title": "Trưởng phòng", "name": "Nguyễn Văn A"});
    let body = match (method, p) {
        ("post", "/units") => Body::Json(json!({
            "parent_code": target, "name": format!("Trường Tiểu học Ma Trận {n}"), "unit_type": "Trường tiểu học"
        })),
        ("post", "/units/bodies.csv") => Body::Text(
            "text/csv",
            format!(
                "code,name,type,parent_code\nMT-{n},Trường THCS Ma Trận {n},Trường THCS,{target}\n"
            ),
        ),
        ("post", "/campaigns") => Body::Json(json!({
            "year": 2031, "name": "Tuần lễ 2031", "template_id": 1,
            "start_date": "2031-10-01", "end_date": "2031-10-07"
        })),
        ("post", "/templates") => Body::Text("application/json", "{}".into()),
        ("put", "/campaigns/{id}/reports/{code}") => Body::Json(json!({
            "action": "save", "figures": {"1.01": {"count": 1, "people": 20}}
        })),
        ("post", "/campaigns/{id}/reports/{code}/review") => {
            Body::Json(json!({"action": "return", "comment": "Kiểm thử phân quyền"}))
        }
        ("post", "/campaigns/{id}/reports/{code}/photos") => Body::Multipart(vec![
            ("photo", Part::File("anh.png", tiny_png())),
            ("caption", Part::Text("Ảnh".into())),
        ]),
        ("post", "/campaigns/{id}/consolidation/rebuild") => Body::Json(json!({})),
        ("post", "/campaigns/{id}/workbooks") => {
            let wb = t
                .client
                .get(t.url(&format!("/api/v1/campaigns/1/reports/{target}/workbook")))
                .bearer_auth(&fx.admin)
                .send()
                .await
                .unwrap();
            assert_eq!(wb.status(), StatusCode::OK, "workbook of {target}");
            Body::Multipart(vec![(
                "files",
                Part::File("bao-cao.xlsx", wb.bytes().await.unwrap().to_vec()),
            )])
        }
        ("post", "/users") => Body::Json(json!({
            "username": format!("mt.new{n}"), "full_name": "Người Ma Trận", "password": "matkhau-dai-1",
            "unit_code": target, "role": "viewer"
        })),
        ("put", "/issuers/{code}") => Body::Json(json!({
            "abbreviation": "MT", "header_lines": ["ỦY BAN NHÂN DÂN", "MA TRẬN"], "place": "Quận 7"
        })),
        ("post", "/issuers/{code}/register") => Body::Json(json!({"year": 2031, "last_used": 0})),
        ("post", "/documents/external") => Body::Multipart(vec![
            ("kind", Part::Text("cong_van".into())),
            ("number", Part::Text(format!("{n}/MT"))),
            ("date", Part::Text("2021-09-01".into())),
            ("issuer", Part::Text("Sở Ma Trận".into())),
            ("subject", Part::Text("Kiểm thử".into())),
            ("campaign_id", Part::Text("1".into())),
        ]),
        ("put", "/documents/{id}") => Body::Json(json!({"subject": "Kế hoạch đã sửa"})),
        ("post", "/campaigns/{id}/plans") => Body::Json(json!({
            "drafting_unit_code": target, "issuer_unit_code": target, "subject": "Kế hoạch ma trận"
        })),
        ("post", "/documents/{id}/consultations") => Body::Json(json!({
            "unit_codes": [target], "deadline": "2031-10-01",
            "letter": {"subject": "Góp ý", "signer": signer}
        })),
        ("post", "/consultations/{id}/replies/{code}") => Body::Json(json!({"agree": true})),
        ("post", "/documents/{id}/submit") => {
            Body::Json(json!({"subject": "Tờ trình", "signer": signer}))
        }
        ("post", "/documents/{id}/review") => Body::Json(json!({"action": "approve"})),
        ("post", "/documents/{id}/issue") => Body::Json(json!({"signer": signer})),
        ("post", "/documents/{id}/distribute") => Body::Json(json!({})),
        ("post", "/incoming/{id}/pass") => Body::Json(json!({"handler": "Ma Trận"})),
        ("put", "/tasks/{id}") => Body::Json(json!({"status": "done"})),
        ("post", "/campaigns/{id}/activities/{code}") | ("put", "/activities/{id}") => {
            Body::Json(serde_json::to_value(activity_input()).unwrap())
        }
        ("post", "/activities/{id}/publish") => Body::Json(json!({"published": true})),
        ("put", "/activities/{id}/result") => {
            Body::Json(json!({"sessions": 1, "participants": 12}))
        }
        ("post", "/activities/{id}/photos") => {
            Body::Multipart(vec![("photo", Part::File("anh.png", tiny_png()))])
        }
        ("put", "/campaigns/{id}/activity-settings") => Body::Json(json!({"slogans": []})),
        ("post", "/notifications/read") => Body::Json(json!({})),
        // A wrong current password: 422, nothing changes (the matrix keeps its sessions).
        ("post", "/me/password") => Body::Json(json!({
            "current_password": "sai-mat-khau", "new_password": "mat-khau-moi-dai-1"
        })),
        ("put", "/notifications/email-preferences") => {
            Body::Json(json!({"preferences": {"task": true}}))
        }
        (m, _) if m == "get" || m == "delete" => Body::None,
        (m, p) => panic!("no body for {m} {p}: add one to the matrix"),
    };
    Call {
        method: Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
        path: concrete,
        body,
    }
}

async fn page_call(
    t: &TestApp,
    fx: &Fixtures,
    method: &str,
    path: &str,
    target: &str,
    csrf: &str,
    n: usize,
) -> Call {
    let photo = if path.contains("{photo}/delete") {
        photo_of(t, &fx.admin, target).await.to_string()
    } else if path.contains("{photo}") {
        fx.photos[target].to_string()
    } else {
        String::new()
    };
    let id = if path.starts_with("/activities/{id}") {
        fx.activities[target].to_string()
    } else if path.starts_with("/documents/{id}") {
        fx.documents[target].to_string()
    } else if path.starts_with("/consultations/") {
        fx.consultations[target].to_string()
    } else if path.starts_with("/incoming/") {
        fx.incoming[target].to_string()
    } else if path.starts_with("/tasks/") {
        fx.tasks[target].to_string()
    } else {
        "1".to_string()
    };
    let concrete = path
        .replace("{id}", &id)
        .replace("{code}", target)
        .replace("{photo}", &photo)
        .replace("{format}", "docx");
    let form = |pairs: &[(&str, String)]| {
        let mut v: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        v.push(("csrf_token".into(), csrf.to_string()));
        Body::Form(v)
    };
    let body = match (method, path) {
        ("GET", _) => Body::None,
        ("POST", "/logout") => form(&[]),
        ("POST", "/account/logout-everywhere") => form(&[]),
        ("POST", "/account/password") => form(&[
            ("current_password", "sai-mat-khau".into()),
            ("new_password", "mat-khau-moi-dai-1".into()),
            ("new_password2", "mat-khau-moi-dai-1".into()),
        ]),
        ("POST", "/admin/users") => form(&[
            ("username", format!("mt.page{n}")),
            ("full_name", "Người Ma Trận".into()),
            ("password", "matkhau-dai-1".into()),
            ("unit_code", target.into()),
            ("role", "viewer".into()),
        ]),
        ("POST", "/admin/campaigns") => form(&[
            ("year", "2031".into()),
            ("name", "Tuần lễ 2031".into()),
            ("start_date", "2031-10-01".into()),
            ("end_date", "2031-10-07".into()),
        ]),
        ("POST", "/units/{code}/bodies") => form(&[
            ("name", format!("Trường THCS Trang Ma Trận {n}")),
            ("unit_type", "Trường THCS".into()),
        ]),
        ("POST", "/campaigns/{id}/reports/{code}") => form(&[
            ("action", "save".into()),
            ("v:1.01:count", "1".into()),
            ("v:1.01:people", "20".into()),
        ]),
        ("POST", "/campaigns/{id}/reports/{code}/review") => form(&[
            ("action", "return".into()),
            ("comment", "Kiểm thử phân quyền".into()),
        ]),
        ("POST", "/campaigns/{id}/reports/{code}/photos") => Body::Multipart(vec![
            ("csrf_token", Part::Text(csrf.into())),
            ("photo", Part::File("anh.png", tiny_png())),
            ("caption", Part::Text("Ảnh".into())),
        ]),
        ("POST", "/campaigns/{id}/reports/{code}/photos/{photo}/delete") => form(&[]),
        ("POST", "/campaigns/{id}/workbooks") => {
            let wb = t
                .client
                .get(t.url(&format!("/api/v1/campaigns/1/reports/{target}/workbook")))
                .bearer_auth(&fx.admin)
                .send()
                .await
                .unwrap();
            Body::Multipart(vec![
                ("csrf_token", Part::Text(csrf.into())),
                (
                    "files",
                    Part::File("bao-cao.xlsx", wb.bytes().await.unwrap().to_vec()),
                ),
            ])
        }
        ("POST", "/campaigns/{id}/activities/{code}" | "/activities/{id}") => {
            form(&activity_fields())
        }
        ("POST", "/activities/{id}/publish") => form(&[("published", "1".into())]),
        ("POST", "/activities/{id}/result") => form(&[
            ("sessions", "1".into()),
            ("participants", "30".into()),
            ("note", "".into()),
        ]),
        ("POST", "/activities/{id}/photos") => Body::Multipart(vec![
            ("csrf_token", Part::Text(csrf.into())),
            ("photo", Part::File("anh.png", tiny_png())),
        ]),
        ("POST", "/documents/external") => form(&[
            ("kind", "CV".into()),
            ("number", format!("{}/UBND-MT", n + 1)),
            ("date", "2021-09-01".into()),
            ("issuer", "UBND Ma Trận".into()),
            ("subject", "Về việc thử ma trận".into()),
        ]),
        ("POST", "/units/{code}/issuer") => form(&[
            ("action", "save".into()),
            ("abbreviation", "UBND".into()),
            ("header_lines", "ỦY BAN NHÂN DÂN\nMA TRẬN".into()),
            ("place", "Ma Trận".into()),
        ]),
        ("POST", p) if p.starts_with("/documents/") || p.contains("/plans/new/") => form(&[
            ("subject", "Kế hoạch ma trận".into()),
            ("action", "approve".into()),
        ]),
        ("POST", "/consultations/{id}/answer") => {
            form(&[("unit", target.into()), ("agree", "yes".into())])
        }
        ("POST", "/incoming/{id}/pass") => form(&[("handler", "Ma Trận".into())]),
        ("POST", "/tasks/{id}") => form(&[
            ("campaign", "1".into()),
            ("back", target.into()),
            ("status", "done".into()),
        ]),
        ("POST", "/notifications/read") => form(&[]),
        ("POST", "/notifications/preferences") => form(&[]),
        ("POST", "/admin/campaigns/{id}/activity-settings") => form(&[
            ("registration_deadline", "01/10/2021".into()),
            ("slogan", "Học tập suốt đời".into()),
            ("action", "save".into()),
        ]),
        (m, p) => panic!("no form for {m} {p}: add one to the matrix"),
    };
    Call {
        method: Method::from_bytes(method.as_bytes()).unwrap(),
        path: concrete,
        body,
    }
}

async fn send(
    t: &TestApp,
    client: &reqwest::Client,
    token: Option<&str>,
    call: Call,
) -> reqwest::Response {
    let mut req = client.request(call.method, t.url(&call.path));
    if let Some(tok) = token {
        req = req.bearer_auth(tok);
    }
    req = match call.body {
        Body::None => req,
        Body::Json(v) => req.json(&v),
        Body::Text(ct, s) => req.header("content-type", ct).body(s),
        Body::Form(v) => req.form(&v),
        Body::Multipart(parts) => {
            let mut form = reqwest::multipart::Form::new();
            for (name, p) in parts {
                form = match p {
                    Part::Text(s) => form.text(name, s),
                    Part::File(file, data) => {
                        form.part(name, reqwest::multipart::Part::bytes(data).file_name(file))
                    }
                };
            }
            req.multipart(form)
        }
    };
    req.send().await.expect("request sent")
}

/// How an answer is read: granted, refused (403/404), or neither (state or input refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Granted,
    Refused,
    Other,
}

/// Routes the test calls, with the methods the router answers for each page path.
async fn page_methods(t: &TestApp, path: &str) -> Vec<String> {
    // Unknown method on a known path: axum answers 405 with the `Allow` header.
    let concrete = path
        .replace("{id}", "1")
        .replace("{code}", "27490")
        .replace("{photo}", "1")
        .replace("{format}", "docx");
    let r = t
        .client
        .request(Method::PATCH, t.url(&concrete))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::METHOD_NOT_ALLOWED,
        "PATCH {concrete} should be 405"
    );
    let allow = r.headers()["allow"].to_str().unwrap().to_string();
    allow
        .split(',')
        .map(|m| m.trim().to_string())
        .filter(|m| m != "HEAD")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_for_every_role_on_own_sibling_parent_and_child() {
    let t = spawn().await;
    let store = &t.app.store;
    let tree = store
        .unit_by_code(1, "27490")
        .await
        .unwrap()
        .unwrap()
        .tree_id;

    // The units around each home.
    let mut fx = Fixtures {
        admin: t.token("admin").await,
        ..Default::default()
    };
    let child_of = |code: &'static str| async move {
        let u = store.unit_by_code(tree, code).await.unwrap().unwrap();
        let mut kids = store.children(u.id).await.unwrap();
        kids.sort_by(|a, b| a.code.cmp(&b.code));
        kids.into_iter().next().expect("a child").code
    };
    let ward_child = child_of("27490").await;
    // Quận 7 is the only district of TP HCM in the demo: its sibling is a body of 79.
    let district_sibling = store
        .children(store.unit_by_code(tree, "79").await.unwrap().unwrap().id)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.code)
        .find(|c| c != "778")
        .expect("a sibling of 778");
    for (rel, code) in [
        (Rel::Own, "27490".to_string()),
        (Rel::Sibling, "27466".into()),
        (Rel::Parent, "778".into()),
        (Rel::Child, ward_child),
    ] {
        fx.units.insert(("27490", rel), code);
    }
    for (rel, code) in [
        (Rel::Own, "778".to_string()),
        (Rel::Sibling, district_sibling),
        (Rel::Parent, "79".into()),
        (Rel::Child, "27490".into()),
    ] {
        fx.units.insert(("778", rel), code);
    }
    // A plan document drafted at every target unit.
    let targets: BTreeSet<String> = fx.units.values().cloned().collect();
    for code in &targets {
        let r = t
            .post(
                &fx.admin,
                "/api/v1/campaigns/1/plans",
                json!({"drafting_unit_code": code, "issuer_unit_code": code, "subject": format!("Kế hoạch {code}")}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "plan at {code}: {:?}",
            r.body
        );
        let doc = r.body["id"].as_i64().unwrap();
        fx.documents.insert(code.clone(), doc);
        // A consultation asking the unit itself (open until 2031), an incoming entry and a
        // task of the unit, on that plan: objects whose only unit is the target.
        let unit = store.unit_by_code(tree, code).await.unwrap().unwrap();
        let date = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let mut tx = store.begin().await.unwrap();
        let consultation = tx
            .insert_consultation(doc, None, 1, date(2031, 10, 1), &[unit.id])
            .await
            .unwrap();
        let incoming = tx
            .register_incoming(unit.id, doc, date(2021, 9, 20), "Ma trận")
            .await
            .unwrap()
            .expect("a new incoming entry");
        tx.insert_tasks(
            doc,
            &[tuanle_store::NewTask {
                block: 1,
                unit_id: unit.id,
                title: "Nhiệm vụ ma trận".into(),
                deadline: Some(date(2021, 10, 15)),
            }],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let task = store.tasks_of_document(doc).await.unwrap();
        fx.consultations.insert(code.clone(), consultation);
        fx.incoming.insert(code.clone(), incoming.id);
        fx.tasks.insert(code.clone(), task[0].id);
        let photo = photo_of(&t, &fx.admin, code).await;
        fx.photos.insert(code.clone(), photo);
        let actor = t
            .app
            .authenticate(&fx.admin, tuanle_app::auth::API, None)
            .await
            .unwrap()
            .0;
        let a = t
            .app
            .register_activity(&actor, 1, code, &activity_input())
            .await
            .unwrap_or_else(|e| panic!("activity at {code}: {e}"));
        fx.activities.insert(code.clone(), a.id);
    }

    // The matrix accounts: every role at the ward and at the district.
    let mut users = Vec::new();
    for home in ["27490", "778"] {
        for role in Role::ALL {
            let username = format!("mt.{}.{home}", role.as_str());
            t.app
                .add_user(
                    None,
                    tree,
                    &NewUser {
                        username: username.clone(),
                        full_name: format!("Ma trận {} {home}", role.label_vi()),
                        email: None,
                        password: PASSWORD.into(),
                        unit_code: home.into(),
                        role,
                    },
                    true,
                )
                .await
                .unwrap();
            let token = api_token(&t, &username, PASSWORD).await;
            let (browser, csrf) = page_login(&t, &username, PASSWORD).await;
            users.push(User {
                role,
                home,
                username,
                token,
                browser,
                csrf,
            });
        }
    }

    // Every route: the API's from its document, the pages' from the table the router is built from.
    let doc = serde_json::to_value(tuanle_web::api::openapi()).unwrap();
    let mut routes: Vec<(bool, String, String, Rule)> = Vec::new();
    let mut unruled = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            match api_rule(method, path) {
                Some(r) => routes.push((true, method.clone(), path.clone(), r)),
                None => unruled.push(format!("API {method} {path}")),
            }
        }
    }
    for path in tuanle_web::pages::page_paths() {
        for method in page_methods(&t, path).await {
            match page_rule(&method, path) {
                Some(r) => routes.push((false, method.clone(), path.to_string(), r)),
                None => unruled.push(format!("page {method} {path}")),
            }
        }
    }
    assert!(
        unruled.is_empty(),
        "routes without an access rule in this test (add them, and to docs/security.md): {unruled:#?}"
    );

    let mut failures = Vec::new();
    let mut cells = 0usize;
    let mut refused_cells = 0usize;
    let mut n = 0usize;
    let mut route_count = 0usize;
    for (is_api, method, path, rule) in &routes {
        if *rule == Rule::Public {
            continue;
        }
        route_count += 1;
        for user in users.iter_mut() {
            let rels: &[Rel] = if names_unit(*rule) {
                &RELS
            } else {
                &[Rel::Own]
            };
            for &rel in rels {
                n += 1;
                cells += 1;
                let target = fx.units[&(user.home, rel)].clone();
                let expected = expect(*rule, user.role, rel);
                let audit_before = t.audit_rows().await;
                // Logging out ends the session: use a throwaway one.
                let (client, csrf) = if path == "/logout" {
                    page_login(&t, &user.username, PASSWORD).await
                } else {
                    (user.browser.clone(), user.csrf.clone())
                };
                let call = if *is_api {
                    api_call(&t, &fx, method, path, &target, n).await
                } else {
                    page_call(&t, &fx, method, path, &target, &csrf, n).await
                };
                let audit_fixture = t.audit_rows().await;
                let shown = call.path.clone();
                let token = is_api.then_some(user.token.as_str());
                let res = send(&t, &client, token, call).await;
                // Logging out everywhere ended the user's sessions and token: sign in again.
                if path == "/account/logout-everywhere" {
                    (user.browser, user.csrf) = page_login(&t, &user.username, PASSWORD).await;
                    user.token = api_token(&t, &user.username, PASSWORD).await;
                }
                let status = res.status();
                let location = res
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                let body = res.bytes().await.unwrap_or_default();
                let mut outcome = if status.is_success() || status.is_redirection() {
                    Outcome::Granted
                } else if status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND {
                    Outcome::Refused
                } else {
                    Outcome::Other
                };
                if status.is_redirection() && location.ends_with("/login") && path != "/logout" {
                    outcome = Outcome::Refused;
                }
                // A workbook import answers 200 with every file's outcome.
                if path.ends_with("/workbooks") && method.eq_ignore_ascii_case("post") {
                    let ok = if *is_api {
                        serde_json::from_slice::<Value>(&body)
                            .map(|v| {
                                v["imported"].as_i64().unwrap_or(0)
                                    + v["unchanged"].as_i64().unwrap_or(0)
                                    > 0
                            })
                            .unwrap_or(false)
                    } else {
                        let html = String::from_utf8_lossy(&body);
                        let count = |key: &str| {
                            let key = format!("data-test=\"{key}\">");
                            html.find(&key)
                                .map(|at| {
                                    let rest = &html[at + key.len()..];
                                    rest[..rest.find('<').unwrap_or(0)]
                                        .trim()
                                        .parse::<i64>()
                                        .unwrap_or(0)
                                })
                                .unwrap_or(0)
                        };
                        count("imported") + count("unchanged") > 0
                    };
                    if outcome == Outcome::Granted && !ok {
                        outcome = Outcome::Other;
                    }
                }
                let what = format!(
                    "{} {} {shown} as {} ({}, {} at {}) on {rel:?} {target}: {status}",
                    if *is_api { "API" } else { "page" },
                    method.to_uppercase(),
                    user.username,
                    user.role.as_str(),
                    user.role.label_vi(),
                    user.home,
                );
                if status.is_server_error() {
                    failures.push(format!("5xx: {what}"));
                    continue;
                }
                match expected {
                    Expect::Deny => {
                        if outcome == Outcome::Granted {
                            failures.push(format!("ACCESS BEYOND THE RULES: {what}"));
                        }
                        if outcome == Outcome::Refused {
                            refused_cells += 1;
                        }
                        let after = t.audit_rows().await;
                        if after != audit_fixture && path != "/logout" {
                            failures.push(format!(
                                "refused request wrote {} audit row(s): {what}",
                                after - audit_fixture
                            ));
                        }
                    }
                    Expect::Allow => {
                        if outcome == Outcome::Refused {
                            failures.push(format!("refused although allowed: {what}"));
                        }
                    }
                    Expect::Either => {}
                }
                let _ = audit_before;
                // Keep every report under its photo limit: remove the photos but the fixture's.
                if path.contains("photo") {
                    for code in fx.units.values() {
                        let r = t.get(&fx.admin, &t.report(code)).await;
                        for p in r.body["photos"].as_array().into_iter().flatten() {
                            let id = p["id"].as_i64().unwrap();
                            if id != fx.photos[code] {
                                t.call(
                                    Method::DELETE,
                                    Some(&fx.admin),
                                    &format!("{}/photos/{id}", t.report(code)),
                                    None,
                                )
                                .await;
                            }
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "access matrix: {route_count} routes ({} API, {} pages) × {} users (4 roles × 2 levels) → {cells} calls; {refused_cells} refusals checked",
        routes.iter().filter(|r| r.0 && r.3 != Rule::Public).count(),
        routes.iter().filter(|r| !r.0 && r.3 != Rule::Public).count(),
        users.len()
    );
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// No module of the pages registers a route except through `page_routes`, so the matrix
/// above sees every page.
#[test]
fn pages_register_routes_only_through_the_table() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pages");
    let mut offenders = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for needle in [
            ".route(",
            ".merge(",
            ".nest(",
            ".route_service(",
            ".fallback(",
        ] {
            let allowed = usize::from(path.file_name().unwrap() == "mod.rs" && needle == ".route(");
            let found = text.matches(needle).count();
            if found > allowed {
                offenders.push(format!("{} uses {needle} {found}×", path.display()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "page routes must be listed in pages::page_routes: {offenders:?}"
    );
    let lib = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"),
    )
    .unwrap();
    // The main router: /healthz, the pages and the API only.
    assert_eq!(lib.matches(".route(").count(), 1, "lib.rs routes");
    assert_eq!(lib.matches(".merge(").count(), 1, "lib.rs merges");
    assert_eq!(lib.matches(".nest(").count(), 1, "lib.rs nests");
}
