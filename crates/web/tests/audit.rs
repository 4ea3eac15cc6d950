//! Nhật ký thay đổi (issue 7 item 7): who changed what, when, from which address,
//! before → after; filtered by unit, user, action, object and date; paged; exported to
//! CSV; each reader confined to the own scope. On SQLite and PostgreSQL (`TUANLE_TEST_DB`).

mod common;

use std::collections::HashSet;

use common::{spawn, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const TAN_PHONG: &str = "27490";
const TAN_THUAN_DONG: &str = "27466";
const QUAN_7: &str = "778";
const PHU_CUONG: &str = "25747";

fn figures(people: i64) -> Value {
    json!({
        "1.01": {"count": 2, "people": people},
        "2": {"count": 12}
    })
}

fn save(people: i64) -> Value {
    json!({
        "action": "save",
        "figures": figures(people),
        "notes": {},
        "narrative": {"s1_1": "Phường ban hành kế hoạch."},
        "explanations": {}
    })
}

fn entries(body: &Value) -> &Vec<Value> {
    body["entries"].as_array().expect("entries")
}

/// Every row `token` may read with `query`, following `next_before` page by page.
async fn all_pages(t: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let page = match before {
            Some(b) => format!("/api/v1/audit?{query}&before={b}"),
            None => format!("/api/v1/audit?{query}"),
        };
        let r = t.get(token, &page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}: {:?}", r.body);
        out.extend(entries(&r.body).iter().cloned());
        match r.body["next_before"].as_i64() {
            Some(b) => before = Some(b),
            None => break,
        }
    }
    out
}

fn unit_codes(rows: &[Value]) -> HashSet<String> {
    rows.iter()
        .map(|e| e["unit_code"].as_str().unwrap_or("(none)").to_string())
        .collect()
}

/// Codes of `code` and every unit below it, through the API.
async fn subtree_codes(t: &TestApp, token: &str, code: &str) -> HashSet<String> {
    let mut out = HashSet::from([code.to_string()]);
    let mut todo = vec![code.to_string()];
    while let Some(c) = todo.pop() {
        let r = t.get(token, &format!("/api/v1/units/{c}")).await;
        assert_eq!(r.status, StatusCode::OK, "{c}: {:?}", r.body);
        for child in r.body["children"].as_array().cloned().unwrap_or_default() {
            let cc = child["code"].as_str().unwrap().to_string();
            if out.insert(cc.clone()) {
                todo.push(cc);
            }
        }
    }
    out
}

#[tokio::test]
async fn a_reporter_reads_the_own_unit_only_and_sees_before_and_after() {
    let t = spawn().await;
    let ward = t.token("tanphong").await;
    let sibling = t.token("tanthuandong").await;
    for (tok, code, people) in [(&ward, TAN_PHONG, 57), (&ward, TAN_PHONG, 60)] {
        let r = t.put(tok, &t.report(code), save(people)).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    // The sibling ward signs in (an audited token issuance of its own unit).
    assert!(!sibling.is_empty());

    let rows = all_pages(&t, &ward, "limit=50").await;
    assert!(rows.len() >= 3, "{} rows", rows.len());
    assert_eq!(
        unit_codes(&rows),
        HashSet::from([TAN_PHONG.to_string()]),
        "a reporter reads only the own ward's rows"
    );
    assert!(rows.iter().all(|e| e["username"] != "tanthuandong"));

    // The newest save: who, from where, what changed from what.
    let r = t
        .get(
            &ward,
            "/api/v1/audit?action=report_save&user=tanphong&limit=1",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let e = &entries(&r.body)[0];
    assert_eq!(e["action_label"], "Lưu báo cáo");
    assert_eq!(e["object_type"], "report");
    assert_eq!(e["unit_name"], "Phường Tân Phong");
    assert_eq!(e["ip"], "127.0.0.1");
    assert!(
        e["at_vi"].as_str().unwrap().len() == 19 && e["at_vi"].as_str().unwrap()[2..3] == *"/",
        "{e}"
    );
    let changes = e["changes"].as_array().unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c["field"].as_str().unwrap().contains("1.01")
                && c["before"] == "57"
                && c["after"] == "60"),
        "the changed figure with its old and new value: {changes:?}"
    );
    assert!(
        !changes
            .iter()
            .any(|c| c["field"].as_str().unwrap().contains("\"2\"")
                || c["field"].as_str().unwrap().ends_with(".2.count")),
        "an unchanged figure is not listed: {changes:?}"
    );

    // Another unit, the parent, an unknown code: refused or rejected, nothing shown.
    for (code, status) in [
        (TAN_THUAN_DONG, StatusCode::FORBIDDEN),
        (QUAN_7, StatusCode::FORBIDDEN),
        ("99999999", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let r = t.get(&ward, &format!("/api/v1/audit?unit={code}")).await;
        assert_eq!(r.status, status, "{code}: {:?}", r.body);
        assert!(!r.message().is_empty());
    }
}

#[tokio::test]
async fn a_reviewer_reads_the_subtree_and_never_beyond() {
    let t = spawn().await;
    let district = t.token("quan7").await;
    let rows = all_pages(&t, &district, "limit=1000").await;
    let inside = subtree_codes(&t, &district, QUAN_7).await;
    let seen = unit_codes(&rows);
    assert!(
        seen.contains(TAN_PHONG) && seen.contains(TAN_THUAN_DONG),
        "{seen:?}"
    );
    assert!(
        seen.is_subset(&inside),
        "outside Quận 7: {:?}",
        seen.difference(&inside)
    );

    // One ward of the subtree, alone.
    let r = t
        .get(
            &district,
            &format!("/api/v1/audit?unit={TAN_PHONG}&limit=1000"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let codes = unit_codes(entries(&r.body));
    assert!(codes.contains(TAN_PHONG), "{codes:?}");
    assert!(
        codes.iter().all(|c| c.starts_with(TAN_PHONG)),
        "the ward and its bodies only: {codes:?}"
    );
    let r = t
        .get(
            &district,
            &format!("/api/v1/audit?unit={TAN_PHONG}&only_unit=true&limit=1000"),
        )
        .await;
    assert_eq!(
        unit_codes(entries(&r.body)),
        HashSet::from([TAN_PHONG.into()])
    );
    // The district alone, without the wards below.
    let r = t
        .get(
            &district,
            &format!("/api/v1/audit?unit={QUAN_7}&only_unit=true&limit=1000"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(unit_codes(entries(&r.body)).iter().all(|c| c == QUAN_7));

    // A ward of another province is outside the scope.
    let r = t
        .get(&district, &format!("/api/v1/audit?unit={PHU_CUONG}"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);

    // Rows about no unit (templates, trees) are a national administrator's only.
    let r = t.get(&district, "/api/v1/audit?object=template").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(entries(&r.body).is_empty());
    let admin = t.token("admin").await;
    let r = t.get(&admin, "/api/v1/audit?object=template").await;
    assert!(!entries(&r.body).is_empty(), "{:?}", r.body);

    // A viewer reads no audit trail at all.
    let viewer = t.token("bo.xem").await;
    for path in ["/api/v1/audit", "/api/v1/audit/csv"] {
        let r = t.get(&viewer, path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn pages_follow_each_other_without_gaps_or_repeats() {
    let t = spawn().await;
    let district = t.token("quan7").await;
    let one = t.get(&district, "/api/v1/audit?limit=1000").await;
    let all: Vec<i64> = entries(&one.body)
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(all.len() > 12, "{} rows", all.len());
    assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first");
    let paged: Vec<i64> = all_pages(&t, &district, "limit=5")
        .await
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(paged, all);
}

#[tokio::test]
async fn filters_by_user_action_object_and_vietnamese_dates() {
    let t = spawn().await;
    let ward = t.token("tanphong").await;
    let r = t.put(&ward, &t.report(TAN_PHONG), save(57)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let report_id = r.body["id"].as_i64().map(|i| i.to_string());
    let district = t.token("quan7").await;

    let r = t
        .get(&district, "/api/v1/audit?user=tanphong&limit=1000")
        .await;
    let rows = entries(&r.body);
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|e| e["username"] == "tanphong"));

    let r = t
        .get(
            &district,
            "/api/v1/audit?action=report_save&object=report&limit=1000",
        )
        .await;
    let rows = entries(&r.body);
    assert!(rows
        .iter()
        .all(|e| e["action"] == "report_save" && e["object_type"] == "report"));
    if let Some(id) = report_id {
        let r = t
            .get(
                &district,
                &format!("/api/v1/audit?object=report&object_id={id}&limit=1000"),
            )
            .await;
        assert!(!entries(&r.body).is_empty());
        assert!(entries(&r.body)
            .iter()
            .all(|e| e["object_id"] == id.as_str()));
    }

    // Days are Vietnamese calendar days (UTC+7), both ends included.
    let today = chrono::Utc::now()
        .with_timezone(&tuanle_domain::format::vietnam_offset())
        .date_naive();
    let d = |n: i64| {
        (today + chrono::Duration::days(n))
            .format("%d/%m/%Y")
            .to_string()
    };
    let q = |from: String, to: String| {
        format!("/api/v1/audit?user=tanphong&from={from}&to={to}&limit=1000")
    };
    let r = t.get(&district, &q(d(0), d(0))).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert!(!entries(&r.body).is_empty(), "today's save");
    let r = t.get(&district, &q(d(-3), d(-1))).await;
    assert!(entries(&r.body).is_empty(), "nothing before today");
    let r = t.get(&district, &q(d(1), d(2))).await;
    assert!(entries(&r.body).is_empty(), "nothing after today");

    for (query, field) in [
        ("from=31/02/2021", "Từ ngày"),
        ("to=hôm-qua", "Đến ngày"),
        ("from=12/10/2021&to=11/10/2021", "Đến ngày"),
        ("object_id=5", "Mã đối tượng"),
    ] {
        let r = t.get(&district, &format!("/api/v1/audit?{query}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(r.message().contains(field), "{query}: {}", r.message());
    }
}

#[tokio::test]
async fn csv_export_holds_every_matching_row_for_excel() {
    let t = spawn().await;
    let district = t.token("quan7").await;
    let _ward = t.token("tanphong").await;
    let json_rows = all_pages(&t, &district, "limit=7").await;
    let res = t
        .client
        .get(t.url("/api/v1/audit/csv"))
        .bearer_auth(&district)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let bytes = res.bytes().await.unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 BOM for Excel"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "Thời điểm");
    assert_eq!(header[1], "Người thực hiện");
    assert_eq!(header[2], "Địa chỉ IP");
    assert!(header.contains(&"Trước".to_string()) && header.contains(&"Sau".to_string()));
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), json_rows.len(), "every row, not one page");
    for (rec, e) in records.iter().zip(&json_rows) {
        assert_eq!(&rec[0], e["at_vi"].as_str().unwrap());
        assert_eq!(&rec[3], e["action_label"].as_str().unwrap());
        assert_eq!(&rec[7], e["unit_code"].as_str().unwrap_or(""));
    }

    // With a filter: only those rows.
    let res = t
        .client
        .get(t.url("/api/v1/audit/csv?user=tanphong"))
        .bearer_auth(&district)
        .send()
        .await
        .unwrap();
    let bytes = res.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let users: HashSet<String> = reader
        .records()
        .map(|r| r.unwrap()[1].to_string())
        .collect();
    assert_eq!(users, HashSet::from(["tanphong".to_string()]));
}

/// The HTML of a page as a signed-in browser sees it.
async fn text_of(browser: &reqwest::Client, url: String) -> String {
    browser.get(url).send().await.unwrap().text().await.unwrap()
}

#[tokio::test]
async fn the_audit_page_shows_the_scope_filters_and_csv() {
    let t = spawn().await;
    let ward = t.browser_login("tanphong").await;
    let html = text_of(&ward, t.url("/")).await;
    assert!(html.contains("href=\"/audit\""), "nav link");
    let res = ward.get(t.url("/audit")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("data-test=\"audit-row\""));
    assert!(html.contains("Phường Tân Phong"));
    assert!(!html.contains("Tân Thuận Đông"), "no sibling rows");
    assert!(html.contains("Đăng nhập"), "the sign-in is listed");

    let html = text_of(&ward, t.url("/audit?from=31%2F02%2F2021")).await;
    assert!(html.contains("data-test=\"error\""));
    assert!(html.contains("Từ ngày"));
    let res = ward
        .get(t.url(&format!("/audit?unit={TAN_THUAN_DONG}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let res = ward
        .get(t.url("/audit.csv?action=login"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| &r[4] == "login" && &r[1] == "tanphong"));

    // Paging through the page: the next link leads to older rows.
    let district = t.browser_login("quan7").await;
    let html = text_of(&district, t.url("/audit?limit=5")).await;
    let key = "data-test=\"audit-next\"";
    if let Some(at) = html.find(key) {
        let start = html[..at].rfind("href=\"").unwrap() + 6;
        let link = html[start..]
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&");
        let older = district.get(t.url(&link)).send().await.unwrap();
        assert_eq!(older.status(), StatusCode::OK);
        assert!(older
            .text()
            .await
            .unwrap()
            .contains("data-test=\"audit-row\""));
    } else {
        panic!("the district's trail spans more than one page");
    }

    let viewer = t.browser_login("bo.xem").await;
    let html = text_of(&viewer, t.url("/")).await;
    assert!(!html.contains("href=\"/audit\""));
    let res = viewer.get(t.url("/audit")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
