//! Pages of issue 6 in a browser-like client (cookies, each form's CSRF token), on the
//! database `TUANLE_TEST_DB` names: the campaign's activity settings (national
//! administrators), the public calendar's month view, and the report's "từ hoạt động"
//! marks kept after saving.

mod common;

use common::{csrf, spawn, TestApp, CAMPAIGN};
use reqwest::StatusCode;
use serde_json::{json, Value};

const SETTINGS: &str = "/admin/campaigns/1/activity-settings";

/// The values of the `name="slogan"` fields of the settings page, in order.
fn slogan_fields(html: &str) -> Vec<String> {
    let key = "name=\"slogan\" value=\"";
    html.match_indices(key)
        .map(|(at, _)| {
            let rest = &html[at + key.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// The settings form as the page shows it, with `action` and extra fields.
fn settings_form(html: &str, action: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let field = |name: &str| {
        let key = format!("name=\"{name}\" value=\"");
        let at = html.find(&key).unwrap() + key.len();
        html[at..at + html[at..].find('"').unwrap()].to_string()
    };
    let mut f = vec![
        ("csrf_token".to_string(), csrf(html)),
        (
            "registration_deadline".into(),
            field("registration_deadline"),
        ),
        ("plan_deadline".into(), field("plan_deadline")),
        ("reminder_days".into(), field("reminder_days")),
    ];
    for s in slogan_fields(html) {
        f.push(("slogan".into(), s));
    }
    f.push(("action".into(), action.into()));
    for (k, v) in extra {
        if let Some(x) = f.iter_mut().find(|(n, _)| n == k) {
            x.1 = v.to_string();
        } else {
            f.push((k.to_string(), v.to_string()));
        }
    }
    f
}

async fn page(b: &reqwest::Client, t: &TestApp, path: &str) -> (StatusCode, String) {
    let r = b.get(t.url(path)).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn post(
    b: &reqwest::Client,
    t: &TestApp,
    path: &str,
    form: &[(String, String)],
) -> (StatusCode, String, String) {
    let r = b.post(t.url(path)).form(form).send().await.unwrap();
    let url = r.url().to_string();
    (r.status(), url, r.text().await.unwrap())
}

fn error_of(html: &str) -> String {
    let key = "data-test=\"error\" role=\"alert\">";
    let at = html.find(key).expect("an error message") + key.len();
    html[at..at + html[at..].find('<').unwrap()].to_string()
}

#[tokio::test]
async fn activity_settings_page_edits_deadlines_and_slogans_for_national_admins_only() {
    let t = spawn().await;
    let demo = t.app.activity_settings(CAMPAIGN).await.unwrap();

    // A district's administrator: refused, nothing written.
    let district = t.browser_login("quan7.admin").await;
    let admin = t.browser_login("admin").await;
    let (status, _) = page(&district, &t, SETTINGS).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, home) = page(&district, &t, "/").await;
    assert!(!home.contains("data-test=\"activity-settings\""));
    let audits = t.audit_rows().await;
    let form = vec![
        ("csrf_token".to_string(), csrf(&home)),
        ("registration_deadline".into(), "01/01/2022".into()),
        ("action".into(), "save".into()),
    ];
    let (status, _, _) = post(&district, &t, SETTINGS, &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(t.audit_rows().await, audits);
    assert_eq!(t.app.activity_settings(CAMPAIGN).await.unwrap(), demo);

    // The national administrator: linked from the dashboard, the demo's settings shown.
    let (_, home) = page(&admin, &t, "/").await;
    assert!(home.contains(&format!("href=\"{SETTINGS}\"")));
    let (status, html) = page(&admin, &t, SETTINGS).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("name=\"registration_deadline\" value=\"30/09/2021\""));
    assert_eq!(slogan_fields(&html), demo.slogans);
    assert!(!html.contains("<script"), "no scripts");

    // ↑ on the second slogan: saved at once, in the new order, one audit row.
    let (status, url, html) = post(&admin, &t, SETTINGS, &settings_form(&html, "up:1", &[])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(url.ends_with("?ok=1"), "{url}");
    assert!(html.contains("Đã lưu cài đặt."));
    let mut expected = demo.slogans.clone();
    expected.swap(0, 1);
    assert_eq!(slogan_fields(&html), expected);
    assert_eq!(t.audit_rows().await, audits + 1);
    // Xóa the last one, ↓ the first one, and add two (one a blank line) with the
    // plan deadline and the reminder days.
    let (_, _, html) = post(
        &admin,
        &t,
        SETTINGS,
        &settings_form(&html, "remove:10", &[]),
    )
    .await;
    expected.pop();
    assert_eq!(slogan_fields(&html), expected);
    let (_, _, html) = post(&admin, &t, SETTINGS, &settings_form(&html, "down:0", &[])).await;
    expected.swap(0, 1);
    assert_eq!(slogan_fields(&html), expected);
    let form = settings_form(
        &html,
        "save",
        &[
            ("plan_deadline", "25/09/2021"),
            ("reminder_days", "5"),
            ("new_slogans", "Học tập suốt đời trong kỷ nguyên số\n\n"),
        ],
    );
    let (status, _, html) = post(&admin, &t, SETTINGS, &form).await;
    assert_eq!(status, StatusCode::OK);
    expected.push("Học tập suốt đời trong kỷ nguyên số".into());
    assert_eq!(slogan_fields(&html), expected);
    assert!(html.contains("name=\"plan_deadline\" value=\"25/09/2021\""));
    assert!(html.contains("name=\"reminder_days\" value=\"5\""));
    let saved = t.app.activity_settings(CAMPAIGN).await.unwrap();
    assert_eq!(saved.slogans, expected);
    assert_eq!(saved.reminder_days, Some(5));
    assert_eq!(t.audit_rows().await, audits + 4);

    // Bad input: a Vietnamese message naming the field, the form as typed, nothing saved.
    for (extra, message) in [
        (
            vec![("registration_deadline", "31/02/2021")],
            "Hạn đăng ký hoạt động: \"31/02/2021\" không phải ngày dạng dd/mm/yyyy",
        ),
        (
            vec![("reminder_days", "ba")],
            "Số ngày nhắc trước hạn: \"ba\" không phải số ngày",
        ),
        (
            vec![("reminder_days", "45")],
            "Số ngày nhắc trước hạn: phải từ 0 đến 30 (đang là 45)",
        ),
        (
            vec![("new_slogans", "Học, học nữa, học mãi (Lenin).")],
            "Khẩu hiệu 12: trùng với khẩu hiệu 3",
        ),
    ] {
        let (status, _, bad) =
            post(&admin, &t, SETTINGS, &settings_form(&html, "save", &extra)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert_eq!(error_of(&bad), message.replace('"', "&#34;"));
        assert_eq!(t.app.activity_settings(CAMPAIGN).await.unwrap(), saved);
    }
    assert_eq!(t.audit_rows().await, audits + 4);

    // The public calendar's front page shows them in order, without a login.
    let cal = reqwest::get(t.url("/lich"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = cal.find("data-test=\"slogans\"").unwrap();
    let shown: Vec<String> = cal[at..]
        .split("<li>")
        .skip(1)
        .map(|x| x[..x.find("</li>").unwrap()].to_string())
        .collect();
    assert_eq!(shown, expected);
}

/// Registers and publishes an activity through the API; returns its id.
async fn published(t: &TestApp, token: &str, body: Value) -> i64 {
    let a = t
        .post(
            token,
            &format!("/api/v1/campaigns/{CAMPAIGN}/activities/27490"),
            body,
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.body);
    let id = a.body["id"].as_i64().unwrap();
    let p = t
        .post(
            token,
            &format!("/api/v1/activities/{id}/publish"),
            json!({"published": true}),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{:?}", p.body);
    id
}

fn activity(kind: &str, title: &str, start: &str, end: &str) -> Value {
    json!({
        "kind": kind, "title": title, "mode": "in_person",
        "starts_at": start, "ends_at": end,
        "address": "Nhà văn hóa khu phố 2", "commune_code": "27490",
    })
}

/// The HTML of one day cell of the month grid.
fn day_cell<'a>(html: &'a str, iso: &str) -> &'a str {
    let key = format!("data-date=\"{iso}\"");
    let at = html.find(&key).unwrap_or_else(|| panic!("no cell {iso}"));
    let rest = &html[at..];
    &rest[..rest.find("data-test=\"month-day\"").unwrap_or(rest.len())]
}

#[tokio::test]
async fn month_view_is_a_grid_of_the_month_with_links_keeping_the_filters() {
    let t = spawn().await;
    let ward = t.token("tanphong").await;
    let class = published(
        &t,
        &ward,
        activity(
            "lop-03",
            "Lớp tin học",
            "2021-10-05T08:00",
            "2021-10-05T10:00",
        ),
    )
    .await;
    let fair = published(
        &t,
        &ward,
        activity(
            "hoi-sach",
            "Hội sách ba ngày",
            "2021-10-03T07:30",
            "2021-10-05T17:00",
        ),
    )
    .await;
    let later = published(
        &t,
        &ward,
        activity(
            "lop-03",
            "Lớp tin học tháng 11",
            "2021-11-02T08:00",
            "2021-11-02T10:00",
        ),
    )
    .await;

    // No month asked: the campaign's (October 2021), Monday 27/09 to Sunday 31/10.
    let tr = &t;
    let get = |path: String| async move {
        let r = reqwest::get(tr.url(&path)).await.unwrap();
        (r.status(), r.text().await.unwrap())
    };
    let (status, html) = get("/lich?xem=thang".into()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-test=\"month-title\">Tháng 10 năm 2021<"));
    assert_eq!(html.matches("data-test=\"month-day\"").count(), 35);
    let first = html.find("data-date=\"").unwrap();
    assert!(html[first..].starts_with("data-date=\"2021-09-27\""));
    assert!(day_cell(&html, "2021-09-27").contains(" pad"));
    assert!(day_cell(&html, "2021-10-31").contains("Chủ nhật, 31/10/2021"));
    // Each activity on every day it takes place.
    for (day, ids) in [
        ("2021-10-02", vec![]),
        ("2021-10-03", vec![fair]),
        ("2021-10-04", vec![fair]),
        ("2021-10-05", vec![class, fair]),
        ("2021-10-06", vec![]),
    ] {
        let cell = day_cell(&html, day);
        for id in [class, fair, later] {
            assert_eq!(
                cell.contains(&format!("/lich/hoat-dong/{id}\"")),
                ids.contains(&id),
                "{day}: {id}"
            );
        }
        assert_eq!(cell.contains(" empty"), ids.is_empty(), "{day}");
    }
    assert!(!html.contains(&format!("/lich/hoat-dong/{later}\"")));

    // Filters kept by the month links; the next month has November's class only.
    let (_, html) = get("/lich?xem=thang&xa=27490&loai=lop-03&thang=2021-10".into()).await;
    let nav = &html[html.find("month-nav").unwrap()..html.find("month-grid").unwrap()];
    assert!(
        nav.contains("href=\"/lich?xem=thang&#38;xa=27490&#38;loai=lop-03&#38;thang=2021-09\""),
        "{nav}"
    );
    assert!(
        html.contains("href=\"/lich?xem=thang&#38;xa=27490&#38;loai=lop-03&#38;thang=2021-11\"")
    );
    assert!(html.contains(&format!("/lich/hoat-dong/{class}\"")));
    assert!(!html.contains(&format!("/lich/hoat-dong/{fair}\"")));
    assert!(html.contains("name=\"thang\" value=\"2021-10\""));
    let (_, html) = get("/lich?xem=thang&xa=27490&loai=lop-03&thang=2021-11".into()).await;
    assert!(html.contains("data-test=\"month-title\">Tháng 11 năm 2021<"));
    assert!(day_cell(&html, "2021-11-02").contains(&format!("/lich/hoat-dong/{later}\"")));
    assert!(!html.contains(&format!("/lich/hoat-dong/{class}\"")));
    // A day picks its month; December 2021 to January 2022 crosses the year.
    let (_, html) = get("/lich?xem=thang&ngay=2021-11-20".into()).await;
    assert!(html.contains("Tháng 11 năm 2021<"));
    let (_, html) = get("/lich?xem=thang&thang=2021-12".into()).await;
    assert!(html.contains("thang=2022-01\""));
    assert!(html.contains("data-test=\"month-empty\""));
    // A month that is not one: a Vietnamese message.
    let (status, html) = get("/lich?xem=thang&thang=2021-13".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("Tháng: &#34;2021-13&#34; không phải tháng dạng yyyy-mm"),
        "{html}"
    );
}

/// The HTML of a report cell, from its input to the end of its block.
fn cell<'a>(html: &'a str, name: &str) -> &'a str {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no cell {name}"));
    let rest = &html[at..];
    &rest[..rest.find("</div>").unwrap()]
}

/// The `a:` (marks) and `v:` hidden/visible fields a page holds: (name, value).
fn fields(html: &str, prefix: &str) -> Vec<(String, String)> {
    let key = format!("name=\"{prefix}");
    html.match_indices(&key)
        .map(|(at, _)| {
            let rest = &html[at + 6..];
            let name = rest[..rest.find('"').unwrap()].to_string();
            let v = &rest[rest.find("value=\"").unwrap() + 7..];
            (name, v[..v.find('"').unwrap()].to_string())
        })
        .collect()
}

#[tokio::test]
async fn marks_of_figures_from_activities_are_kept_after_saving() {
    let t = spawn().await;
    let ward = t.token("tanphong").await;
    for (kind, sessions, people) in [("lop-03", 1, 30), ("lop-03", 1, 12), ("hoi-sach", 1, 400)] {
        let a = t
            .post(
                &ward,
                &format!("/api/v1/campaigns/{CAMPAIGN}/activities/27490"),
                activity(kind, "Hoạt động", "2021-10-04T08:00", "2021-10-04T10:00"),
            )
            .await;
        let id = a.body["id"].as_i64().unwrap();
        let r = t
            .put(
                &ward,
                &format!("/api/v1/activities/{id}/result"),
                json!({"sessions": sessions, "participants": people}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let b = t.browser_login("tanphong").await;
    let report = format!("/campaigns/{CAMPAIGN}/reports/27490");
    let (_, html) = page(&b, &t, &format!("{report}?prefill=1")).await;
    assert_eq!(html.matches("data-test=\"from-activities\"").count(), 3);
    let marks = fields(&html, "a:");
    assert_eq!(
        marks,
        vec![
            ("a:1.03:count".to_string(), "2".to_string()),
            ("a:1.03:people".into(), "42".into()),
            ("a:5.1:count".into(), "1".into()),
        ]
    );
    // The unit changes one prefilled figure by hand and saves the form as it stands.
    let mut form: Vec<(String, String)> = fields(&html, "v:")
        .into_iter()
        .map(|(n, v)| {
            if n == "v:1.03:people" {
                (n, "45".into())
            } else {
                (n, v)
            }
        })
        .collect();
    form.extend(marks.clone());
    form.push(("csrf_token".into(), csrf(&html)));
    form.push(("action".into(), "save".into()));
    let (status, url, html) = post(&b, &t, &report, &form).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(url.ends_with("?ok=saved"), "{url}");
    // Reopened: which figures came from activities, which were changed by hand.
    assert!(cell(&html, "v:1.03:count").contains("data-test=\"from-activities\""));
    assert!(cell(&html, "v:5.1:count").contains("data-test=\"from-activities\""));
    let edited = cell(&html, "v:1.03:people");
    assert!(!edited.contains("data-test=\"from-activities\""));
    assert!(edited.contains("data-test=\"edited-by-hand\""));
    assert!(edited.contains("sửa tay (từ hoạt động: 42)"));
    assert!(!cell(&html, "v:1.01:count").contains("hoạt động"));
    assert_eq!(fields(&html, "a:"), marks);
    // Saved again as shown: the marks stay; the API shows them too.
    let mut form = fields(&html, "v:");
    form.extend(fields(&html, "a:"));
    form.push(("csrf_token".into(), csrf(&html)));
    form.push(("action".into(), "save".into()));
    let (status, _, html) = post(&b, &t, &report, &form).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("data-test=\"from-activities\"").count(), 2);
    assert_eq!(html.matches("data-test=\"edited-by-hand\"").count(), 1);
    let api = t.get(&ward, &t.report("27490")).await;
    assert_eq!(
        api.body["from_activities"],
        json!({"1.03": {"count": 2, "people": 42}, "5.1": {"count": 1}})
    );
    assert_eq!(api.body["figures"]["1.03"]["people"], 45);
    // A forged mark of a cell the template does not have is dropped.
    let mut form = fields(&html, "v:");
    form.push(("a:9.99:count".into(), "7".into()));
    form.push(("csrf_token".into(), csrf(&html)));
    form.push(("action".into(), "save".into()));
    let (status, _, _) = post(&b, &t, &report, &form).await;
    assert_eq!(status, StatusCode::OK);
    let api = t.get(&ward, &t.report("27490")).await;
    assert_eq!(api.body["from_activities"], json!({}));
}
