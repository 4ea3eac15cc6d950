//! JSON API of activities, the public calendar and notifications (issue 6), on the
//! database `TUANLE_TEST_DB` names.

mod common;

use chrono::NaiveDate;
use common::{spawn, tiny_png, TestApp, CAMPAIGN};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const TAN_PHONG: &str = "27490";
const TAN_THUAN_DONG: &str = "27466";

fn class(title: &str, commune: &str) -> Value {
    json!({
        "kind": "lop-01",
        "title": title,
        "description": "Lớp học buổi tối cho người lớn tuổi",
        "mode": "in_person",
        "starts_at": "2021-10-05T09:00",
        "ends_at": "2021-10-05T11:00",
        "address": "Nhà văn hóa khu phố 1",
        "commune_code": commune,
        "audience": "Người dân",
        "expected_participants": 40
    })
}

fn activities_url(code: &str) -> String {
    format!("/api/v1/campaigns/{CAMPAIGN}/activities/{code}")
}

/// Number of activities of Quận 7's subtree, as the district sees them.
async fn count(t: &TestApp, district: &str) -> usize {
    let a = t.get(district, &activities_url("778")).await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    a.body.as_array().unwrap().len()
}

async fn upload(
    t: &TestApp,
    token: &str,
    id: i64,
    name: &str,
    data: Vec<u8>,
) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(data).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("photo", part);
    let res = t
        .client
        .post(t.url(&format!("/api/v1/activities/{id}/photos")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn register_publish_record_and_find_on_the_public_calendar() {
    let t = spawn().await;
    let ward = t.token("tanphong").await;
    let district = t.token("quan7").await;

    let a = t
        .post(
            &ward,
            &activities_url(TAN_PHONG),
            class("Lớp tin học cơ bản", TAN_PHONG),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.body);
    let id = a.body["id"].as_i64().unwrap();
    assert_eq!(a.body["unit_code"], TAN_PHONG);
    assert_eq!(a.body["published"], false);
    assert_eq!(a.body["starts_at"], "2021-10-05T09:00:00+07:00");
    assert_eq!(a.body["commune_name"], "Phường Tân Phong");
    assert_eq!(a.body["mode_label"], "Trực tiếp");

    // A second one stays unpublished.
    let b = t
        .post(
            &ward,
            &activities_url(TAN_PHONG),
            class("Lớp chưa công khai", TAN_PHONG),
        )
        .await;
    assert_eq!(b.status, StatusCode::CREATED, "{:?}", b.body);
    let hidden = b.body["id"].as_i64().unwrap();

    // Public calendar before publishing: nothing, and no login needed.
    let cal = t
        .call(
            Method::GET,
            None,
            "/api/v1/public/calendar?area=27490",
            None,
        )
        .await;
    assert_eq!(cal.status, StatusCode::OK, "{:?}", cal.body);
    assert_eq!(cal.body["activities"].as_array().unwrap().len(), 0);

    // Edit, publish, record results, add a photo.
    let mut edited = class("Lớp tin học cơ bản cho người cao tuổi", TAN_PHONG);
    edited["link"] = json!("https://meet.google.com/abc-defg-hij");
    edited["mode"] = json!("hybrid");
    let e = t
        .put(&ward, &format!("/api/v1/activities/{id}"), edited)
        .await;
    assert_eq!(e.status, StatusCode::OK, "{:?}", e.body);
    assert_eq!(e.body["title"], "Lớp tin học cơ bản cho người cao tuổi");
    assert_eq!(e.body["mode_label"], "Kết hợp");

    let p = t
        .post(
            &ward,
            &format!("/api/v1/activities/{id}/publish"),
            json!({"published": true}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{:?}", p.body);
    assert_eq!(p.body["published"], true);

    let r = t
        .put(
            &ward,
            &format!("/api/v1/activities/{id}/result"),
            json!({"sessions": 1, "participants": 37, "note": "Đông vui"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["result_participants"], 37);

    let (s, photo) = upload(&t, &ward, id, "lop.png", tiny_png()).await;
    assert_eq!(s, StatusCode::CREATED, "{photo:?}");
    assert_eq!(photo["content_type"], "image/png");
    let got = t.get(&ward, &format!("/api/v1/activities/{id}")).await;
    assert_eq!(got.body["photos"].as_array().unwrap().len(), 1);

    // The district sees both in its subtree.
    assert_eq!(count(&t, &district).await, 2);

    // Public: exactly the published one, with Vietnamese text and Vietnam time; no private fields.
    for q in [
        "",
        "?area=27490",
        "?area=778&kind=lop-01",
        "?unit=27490&mode=hybrid",
        "?date=2021-10-05",
        "?date=05/10/2021",
    ] {
        let cal = t
            .call(
                Method::GET,
                None,
                &format!("/api/v1/public/calendar{q}"),
                None,
            )
            .await;
        assert_eq!(cal.status, StatusCode::OK, "{q}: {:?}", cal.body);
        let list = cal.body["activities"].as_array().unwrap();
        assert_eq!(list.len(), 1, "{q}: {list:?}");
        let one = &list[0];
        assert_eq!(one["id"], id);
        assert_eq!(one["title"], "Lớp tin học cơ bản cho người cao tuổi");
        assert_eq!(one["starts_at"], "2021-10-05T09:00:00+07:00");
        assert_eq!(one["ends_at"], "2021-10-05T11:00:00+07:00");
        assert_eq!(one["url"], format!("/lich/hoat-dong/{id}"));
        for private in [
            "result_note",
            "result_participants",
            "late_registration",
            "published",
        ] {
            assert!(one.get(private).is_none(), "{private} leaks");
        }
    }
    for q in [
        "?area=27466",
        "?kind=hoi-sach",
        "?mode=online",
        "?date=2021-10-06",
    ] {
        let cal = t
            .call(
                Method::GET,
                None,
                &format!("/api/v1/public/calendar{q}"),
                None,
            )
            .await;
        assert_eq!(cal.status, StatusCode::OK, "{q}: {:?}", cal.body);
        assert_eq!(cal.body["activities"].as_array().unwrap().len(), 0, "{q}");
    }
    let one = t
        .call(
            Method::GET,
            None,
            &format!("/api/v1/public/activities/{id}"),
            None,
        )
        .await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.body["photos"].as_array().unwrap().len(), 1);
    let none = t
        .call(
            Method::GET,
            None,
            &format!("/api/v1/public/activities/{hidden}"),
            None,
        )
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert!(
        none.message().contains("Không tìm thấy"),
        "{}",
        none.message()
    );

    // Bad filters: Vietnamese messages.
    let bad = t
        .call(Method::GET, None, "/api/v1/public/calendar?kind=xiec", None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.message().contains("Loại hoạt động"),
        "{}",
        bad.message()
    );
    let bad = t
        .call(
            Method::GET,
            None,
            "/api/v1/public/calendar?date=32/13/2021",
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.message().contains("Ngày"), "{}", bad.message());

    // Unpublishing removes it again.
    let p = t
        .post(
            &ward,
            &format!("/api/v1/activities/{id}/publish"),
            json!({"published": false}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK);
    let cal = t
        .call(Method::GET, None, "/api/v1/public/calendar", None)
        .await;
    assert_eq!(cal.body["activities"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn bad_input_gets_a_vietnamese_message_and_changes_nothing() {
    let t = spawn().await;
    let ward = t.token("tanphong").await;
    let district = t.token("quan7").await;
    let a = t
        .post(
            &ward,
            &activities_url(TAN_PHONG),
            class("Lớp đúng", TAN_PHONG),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.body);
    let id = a.body["id"].as_i64().unwrap();
    let before = t.get(&ward, &format!("/api/v1/activities/{id}")).await.body;
    let other = t.token("thudaumot").await;
    let audit = t.audit_rows().await;

    let mut end_first = class("Kết thúc trước", TAN_PHONG);
    end_first["ends_at"] = json!("2021-10-05T08:00");
    let mut bad_link = class("Sai đường dẫn", TAN_PHONG);
    bad_link["mode"] = json!("online");
    bad_link["link"] = json!("ftp://example.com/lop");
    let mut unknown_commune = class("Xã không có", "99999");
    unknown_commune["commune_code"] = json!("99999");
    let cases = [
        (end_first, "Kết thúc"),
        (bad_link, "Đường dẫn trực tuyến"),
        (unknown_commune, "Xã/phường"),
    ];
    for (body, field) in &cases {
        let r = t
            .post(&ward, &activities_url(TAN_PHONG), body.clone())
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {:?}",
            r.body
        );
        assert!(r.message().contains(field), "{field}: {}", r.message());
        // The same through an edit.
        let r = t
            .put(&ward, &format!("/api/v1/activities/{id}"), body.clone())
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {:?}",
            r.body
        );
        assert!(r.message().contains(field), "{field}: {}", r.message());
    }

    // Outside the caller's subtree: the ward registering for its neighbour.
    let r = t
        .post(
            &ward,
            &activities_url(TAN_THUAN_DONG),
            class("Lớp nhà bên", TAN_THUAN_DONG),
        )
        .await;
    assert!(
        [StatusCode::NOT_FOUND, StatusCode::FORBIDDEN].contains(&r.status),
        "{:?}",
        r.body
    );
    assert!(
        r.message().contains("Không") || r.message().contains("không"),
        "{}",
        r.message()
    );
    // Another district's reviewer cannot edit this ward's activity either.
    let r = t
        .put(
            &other,
            &format!("/api/v1/activities/{id}"),
            class("Sửa trộm", TAN_PHONG),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);

    // A photo that is not an image.
    let (s, body) = upload(&t, &ward, id, "baocao.pdf", common::pdf_bytes()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body:?}");
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(msg.contains("không phải ảnh"), "{msg}");

    // Negative results.
    let r = t
        .put(
            &ward,
            &format!("/api/v1/activities/{id}/result"),
            json!({"sessions": 1, "participants": -3}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.message().contains("Số người tham gia"), "{}", r.message());

    // Unknown e-mail kind.
    let r = t
        .put(
            &ward,
            "/api/v1/notifications/email-preferences",
            json!({"preferences": {"task": false, "khong-co": true}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.message().contains("khong-co"), "{}", r.message());
    let prefs = t
        .get(&ward, "/api/v1/notifications/email-preferences")
        .await;
    assert_eq!(
        prefs.body["preferences"]["task"], true,
        "nothing partial stored"
    );

    // Nothing changed.
    assert_eq!(count(&t, &district).await, 1);
    let after = t.get(&ward, &format!("/api/v1/activities/{id}")).await.body;
    assert_eq!(before, after);
    assert_eq!(
        t.audit_rows().await,
        audit,
        "no audit row for refused input"
    );
}

#[tokio::test]
async fn notifications_and_email_preferences() {
    let t = spawn().await;
    let ward = t.token("tanphong").await;
    // The worker's deadline reminders (once each) first, all read: a clean baseline.
    t.app.run_reminders().await.unwrap();
    t.post(&ward, "/api/v1/notifications/read", json!({})).await;
    let unit = t
        .app
        .store
        .unit_by_code(t.app.campaign(CAMPAIGN).await.unwrap().tree_id, TAN_PHONG)
        .await
        .unwrap()
        .expect("Tân Phong");
    let n = t
        .app
        .notify_task(unit.id, 1, "Tổ chức lễ khai mạc", None, false)
        .await
        .unwrap();
    assert!(n >= 1);
    t.app
        .notify_document_received(unit.id, 2, "Kế hoạch Tuần lễ", "Phòng GDĐT Quận 7")
        .await
        .unwrap();

    let u = t.get(&ward, "/api/v1/notifications/unread").await;
    assert_eq!(u.status, StatusCode::OK, "{:?}", u.body);
    assert_eq!(u.body["unread"], 2);
    let list = t.get(&ward, "/api/v1/notifications").await;
    let items: Vec<&Value> = list.body["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["read_at"].is_null())
        .collect();
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(list.body["unread"], 2);
    assert!(items
        .iter()
        .any(|n| n["title"] == "Nhiệm vụ mới: Tổ chức lễ khai mạc"));
    let first = items[0]["id"].as_i64().unwrap();

    let m = t
        .post(&ward, "/api/v1/notifications/read", json!({"id": first}))
        .await;
    assert_eq!(m.status, StatusCode::OK, "{:?}", m.body);
    assert_eq!(m.body["marked"], 1);
    assert_eq!(m.body["unread"], 1);
    // Someone else marking all their own leaves these unread.
    let other = t.token("tanthuandong").await;
    let m = t
        .post(&other, "/api/v1/notifications/read", json!({}))
        .await;
    assert_eq!(m.status, StatusCode::OK);
    let u = t.get(&ward, "/api/v1/notifications/unread").await;
    assert_eq!(u.body["unread"], 1);
    let m = t.post(&ward, "/api/v1/notifications/read", json!({})).await;
    assert_eq!(m.body["unread"], 0);

    let p = t
        .put(
            &ward,
            "/api/v1/notifications/email-preferences",
            json!({"preferences": {"task": false}}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{:?}", p.body);
    assert_eq!(p.body["preferences"]["task"], false);
    assert_eq!(p.body["preferences"]["document"], true);
}

#[tokio::test]
async fn registration_deadline_and_slogans_by_the_root_admin() {
    let t = spawn().await;
    let admin = t.token("admin").await;
    let ward = t.token("tanphong").await;
    let url = format!("/api/v1/campaigns/{CAMPAIGN}/activity-settings");
    let r = t
        .put(
            &ward,
            &url,
            json!({"registration_deadline": "2020-01-01", "slogans": ["Học tập suốt đời"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let r = t
        .put(
            &admin,
            &url,
            json!({"registration_deadline": "31/02/2020", "slogans": []}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.message().contains("Hạn đăng ký"), "{}", r.message());

    let r = t
        .put(
            &admin,
            &url,
            json!({"registration_deadline": "01/01/2020", "slogans": ["Học tập suốt đời — chìa khóa của thành công", " "]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["registration_deadline"], "2020-01-01");
    assert_eq!(
        r.body["slogans"],
        json!(["Học tập suốt đời — chìa khóa của thành công"])
    );
    let g = t.get(&ward, &url).await;
    assert_eq!(g.body, r.body);

    // After the deadline a registration is kept and flagged late.
    let a = t
        .post(
            &ward,
            &activities_url(TAN_PHONG),
            class("Lớp muộn", TAN_PHONG),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.body);
    assert_eq!(a.body["late_registration"], true);
    let cal = t
        .call(Method::GET, None, "/api/v1/public/calendar", None)
        .await;
    assert_eq!(
        cal.body["slogans"],
        json!(["Học tập suốt đời — chìa khóa của thành công"])
    );
}

async fn actor(t: &TestApp, username: &str) -> tuanle_app::Actor {
    let user = t
        .app
        .store
        .user_by_username(username)
        .await
        .unwrap()
        .unwrap();
    let unit = t.app.store.unit(user.unit_id).await.unwrap().unwrap();
    tuanle_app::Actor {
        user,
        unit,
        ip: None,
    }
}

/// Titles of a user's notifications, through the API.
async fn titles(t: &TestApp, username: &str) -> Vec<String> {
    let token = t.token(username).await;
    let a = t.get(&token, "/api/v1/notifications").await;
    assert_eq!(a.status, StatusCode::OK, "{:?}", a.body);
    a.body["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_distributed_plan_notifies_its_recipients_and_assignees() {
    use tuanle_app::plans::{PlanInput, RecipientInput};
    use tuanle_domain::plan::{Assignment, Authority, PlanContent, Signer};

    let t = spawn().await;
    t.app.run_reminders().await.unwrap();
    let district = actor(&t, "quan7.admin").await;
    let subject = "Kế hoạch tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021";
    let content = PlanContent {
        theme: "Học tập suốt đời trong bối cảnh chuyển đổi số".into(),
        assignments: vec![Assignment {
            heading: "Ủy ban nhân dân phường Tân Phong, Tân Thuận Đông".into(),
            unit_codes: vec![TAN_PHONG.into(), TAN_THUAN_DONG.into()],
            items: vec!["Tổ chức lễ khai mạc Tuần lễ tại phường".into()],
            deadline: NaiveDate::from_ymd_opt(2021, 10, 1),
        }],
        ..Default::default()
    };
    let plan = t
        .app
        .create_plan(
            &district,
            PlanInput {
                campaign_id: CAMPAIGN,
                drafting_unit_code: "778".into(),
                issuer_unit_code: "778".into(),
                subject: subject.into(),
                content: Some(content),
                recipients: [TAN_PHONG, TAN_THUAN_DONG]
                    .iter()
                    .map(|c| RecipientInput {
                        unit_code: Some(c.to_string()),
                        label: None,
                    })
                    .collect(),
                ..Default::default()
            },
        )
        .await
        .expect("plan created")
        .doc
        .id;
    let signer = Signer {
        authority: Authority::OnBehalf,
        on_behalf_of: "Ủy ban nhân dân".into(),
        title: "Chủ tịch".into(),
        name: "Trần Văn A".into(),
    };
    t.app
        .issue_document(&district, plan, signer, None)
        .await
        .expect("issued");
    let registered = t
        .app
        .distribute_document(&district, plan, None)
        .await
        .expect("distributed");
    assert_eq!(registered.len(), 2);

    let received = format!("Văn bản đến: {subject}");
    let task = "Nhiệm vụ mới: Ủy ban nhân dân phường Tân Phong, Tân Thuận Đông";
    for user in ["tanphong", "tanthuandong"] {
        let got = titles(&t, user).await;
        assert_eq!(
            got.iter().filter(|x| **x == received).count(),
            1,
            "{user}: {got:?}"
        );
        assert_eq!(
            got.iter()
                .filter(|x| x.starts_with("Nhiệm vụ mới:"))
                .count(),
            1,
            "{user}: {got:?}"
        );
        assert!(got.iter().any(|x| x == task), "{user}: {got:?}");
    }
    // A ward that is neither recipient nor assignee hears nothing.
    let other = titles(&t, "bc.27475").await;
    assert!(
        !other
            .iter()
            .any(|x| x.starts_with("Văn bản đến") || x.starts_with("Nhiệm vụ")),
        "{other:?}"
    );
    // Distributing again registers nothing new and notifies no one twice.
    let again = t.app.distribute_document(&district, plan, None).await;
    if again.is_ok() {
        let got = titles(&t, "tanphong").await;
        assert_eq!(got.iter().filter(|x| **x == received).count(), 1);
    }
}

/// The badge's number in a page's header, if any.
fn badge(html: &str) -> Option<String> {
    let at = html.find("data-test=\"unread-badge\"")?;
    let rest = &html[at..];
    let start = rest.find('>')? + 1;
    let end = rest.find("</span>")?;
    Some(rest[start..end].trim().to_string())
}

#[tokio::test]
async fn header_shows_the_unread_count() {
    let t = spawn().await;
    t.app.run_reminders().await.unwrap();
    let ward = t.token("tanphong").await;
    t.post(&ward, "/api/v1/notifications/read", json!({})).await;

    let b = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let login = b
        .get(t.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = login.find("name=\"csrf_token\" value=\"").unwrap() + 25;
    let csrf = login[at..at + login[at..].find('"').unwrap()].to_string();
    let home = b
        .post(t.url("/login"))
        .form(&[
            ("username", "tanphong"),
            ("password", common::PASSWORD),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("data-test=\"current-user\""), "not logged in");
    assert_eq!(badge(&home), None, "nothing unread, no badge");

    let unit = t
        .app
        .store
        .unit_by_code(t.app.campaign(CAMPAIGN).await.unwrap().tree_id, TAN_PHONG)
        .await
        .unwrap()
        .unwrap();
    for task in 1..=3 {
        t.app
            .notify_task(unit.id, task, "Báo cáo nhanh", None, false)
            .await
            .unwrap();
    }
    let page = b
        .get(t.url("/units"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(badge(&page).as_deref(), Some("3"));
    t.post(&ward, "/api/v1/notifications/read", json!({})).await;
    let page = b
        .get(t.url("/units"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(badge(&page), None);
}
