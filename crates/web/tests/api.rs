//! Integration tests of the JSON API against the real router on a random port, each
//! with its own fresh database holding the demo data.

mod common;

use common::{pdf_bytes, spawn, tiny_png, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Codes of the units the tests use (see `tuanle_app::demo`).
const TAN_PHONG: &str = "27490";
const TAN_THUAN_DONG: &str = "27466";
const TAN_HUNG: &str = "27475";
const PHU_THUAN: &str = "27484";
const QUAN_7: &str = "778";
const HCM: &str = "79";

/// `figures[row][col]` as an integer (0 when absent).
fn cell(figures: &Value, row: &str, col: &str) -> i64 {
    figures[row][col].as_i64().unwrap_or(0)
}

/// Every (row, column) of a consolidation's figures.
fn cells(figures: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (row, cols) in figures.as_object().expect("figures object") {
        for col in cols.as_object().expect("columns object").keys() {
            out.push((row.clone(), col.clone()));
        }
    }
    out
}

/// Asserts `after = before + sign × report` for every cell of the template.
fn assert_moved_by(before: &Value, after: &Value, report: &Value, sign: i64, what: &str) {
    let all = cells(&before["totals"]["figures"]);
    assert!(
        all.len() > 40,
        "{what}: consolidation shows every cell of the template"
    );
    for (row, col) in all {
        let b = cell(&before["totals"]["figures"], &row, &col);
        let a = cell(&after["totals"]["figures"], &row, &col);
        let r = cell(report, &row, &col);
        assert_eq!(a, b + sign * r, "{what}: row {row}, column {col}");
    }
    assert_eq!(
        after["totals"]["reports"].as_i64().unwrap(),
        before["totals"]["reports"].as_i64().unwrap() + sign,
        "{what}: number of reports counted"
    );
}

fn missing_codes(consolidation: &Value) -> Vec<String> {
    consolidation["missing"]
        .as_array()
        .expect("missing list")
        .iter()
        .map(|m| m["code"].as_str().unwrap().to_string())
        .collect()
}

/// Figures a ward reports in the tests.
fn ward_figures() -> Value {
    json!({
        "1.01": {"count": 2, "people": 57},
        "1.07": {"count": 1, "people": 35},
        "2": {"count": 12},
        "4.2": {"count": 340},
        "5.3": {"count": 1, "people": 120},
        "10.1": {"count": 4_500_000}
    })
}

fn save_body(action: &str, figures: Value) -> Value {
    json!({
        "action": action,
        "figures": figures,
        "notes": {"11": "Phối hợp với Hội Khuyến học phường"},
        "narrative": {"s1_1": "Ủy ban nhân dân phường ban hành kế hoạch số 12/KH-UBND.", "s2_2": "Mưa lớn."},
        "explanations": {}
    })
}

async fn photo_ids(t: &TestApp, token: &str, code: &str) -> Vec<i64> {
    let r = t.get(token, &t.report(code)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

/// A reporter of one ward can neither read nor change another ward's report, nor see
/// the consolidation of its district or province; its own unit works as its role allows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reporter_is_confined_to_own_unit() {
    let t = spawn().await;
    let me = t.token("tanphong").await;
    let neighbour = t.token("tanthuandong").await;
    let quan7 = t.token("quan7").await;

    // Give the other ward's report a photo: reopen it (accepted reports take no photos).
    let r = t
        .post(
            &quan7,
            &format!("{}/review", t.report(TAN_THUAN_DONG)),
            json!({"action": "return", "comment": "Bổ sung ảnh"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let up = t
        .upload(&neighbour, TAN_THUAN_DONG, "khai-mac.png", tiny_png())
        .await;
    assert_eq!(up.status, StatusCode::CREATED, "{:?}", up.body);
    let their_photo = up.body["id"].as_i64().unwrap();

    let theirs_before = t.get(&neighbour, &t.report(TAN_THUAN_DONG)).await;
    assert_eq!(theirs_before.status, StatusCode::OK);
    assert_eq!(theirs_before.body["status"], "returned");
    let history_before = t
        .get(&neighbour, &format!("{}/history", t.report(TAN_THUAN_DONG)))
        .await;
    let audit_before = t.audit_rows().await;

    let other = t.report(TAN_THUAN_DONG);
    let denied =
        |a: &common::Answer| a.status == StatusCode::FORBIDDEN || a.status == StatusCode::NOT_FOUND;

    let checks: Vec<(&str, common::Answer)> = vec![
        ("GET report", t.get(&me, &other).await),
        (
            "PUT save",
            t.put(&me, &other, save_body("save", ward_figures())).await,
        ),
        (
            "PUT submit",
            t.put(&me, &other, save_body("submit", ward_figures()))
                .await,
        ),
        (
            "review accept",
            t.post(&me, &format!("{other}/review"), json!({"action": "accept"}))
                .await,
        ),
        (
            "review return",
            t.post(
                &me,
                &format!("{other}/review"),
                json!({"action": "return", "comment": "x"}),
            )
            .await,
        ),
        ("history", t.get(&me, &format!("{other}/history")).await),
        (
            "photo upload",
            t.upload(&me, TAN_THUAN_DONG, "anh.png", tiny_png()).await,
        ),
        (
            "photo read",
            t.get(&me, &format!("{other}/photos/{their_photo}")).await,
        ),
        (
            "photo read through own unit",
            t.get(
                &me,
                &format!("{}/photos/{their_photo}", t.report(TAN_PHONG)),
            )
            .await,
        ),
        (
            "photo delete",
            t.call(
                Method::DELETE,
                Some(&me),
                &format!("{other}/photos/{their_photo}"),
                None,
            )
            .await,
        ),
        (
            "consolidation of the other ward",
            t.get(&me, &t.consolidation(TAN_THUAN_DONG, "submitted"))
                .await,
        ),
        (
            "consolidation of the district",
            t.get(&me, &t.consolidation(QUAN_7, "submitted")).await,
        ),
        (
            "consolidation of the province",
            t.get(&me, &t.consolidation(HCM, "accepted")).await,
        ),
        (
            "unit of the district",
            t.get(&me, &format!("/api/v1/units/{QUAN_7}")).await,
        ),
        (
            "unit of the other ward",
            t.get(&me, &format!("/api/v1/units/{TAN_THUAN_DONG}")).await,
        ),
    ];
    for (what, a) in &checks {
        assert!(
            denied(a),
            "{what}: expected 403 or 404, got {} {:?}",
            a.status,
            a.body
        );
        assert!(!a.message().is_empty(), "{what}: error has a message");
        // Nothing about the other unit leaks through the error.
        assert!(
            !a.body.to_string().contains("Tân Thuận Đông"),
            "{what}: {:?}",
            a.body
        );
    }

    // The other ward's report, history and photo are unchanged, and nothing was audited.
    let theirs_after = t.get(&neighbour, &t.report(TAN_THUAN_DONG)).await;
    assert_eq!(theirs_after.body, theirs_before.body);
    let history_after = t
        .get(&neighbour, &format!("{}/history", t.report(TAN_THUAN_DONG)))
        .await;
    assert_eq!(history_after.body, history_before.body);
    assert_eq!(
        photo_ids(&t, &neighbour, TAN_THUAN_DONG).await,
        vec![their_photo]
    );
    assert_eq!(t.audit_rows().await, audit_before);

    // Own unit: read, save, submit, history, own consolidation.
    let own = t.report(TAN_PHONG);
    let r = t.get(&me, &own).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "none");
    assert_eq!(r.body["version"], 0);
    assert_eq!(r.body["can_edit"], true);
    assert_eq!(r.body["can_review"], false);
    assert_eq!(r.body["deadline"], "2021-10-12");
    let r = t.put(&me, &own, save_body("save", ward_figures())).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "draft");
    assert_eq!(cell(&r.body["figures"], "1.01", "people"), 57);
    let r = t.put(&me, &own, save_body("submit", ward_figures())).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(r.body["late"], true, "submitted after the 2021 deadline");
    let r = t.get(&me, &format!("{own}/history")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.as_array().unwrap().len(), 2);
    let r = t.get(&me, &t.consolidation(TAN_PHONG, "submitted")).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(cell(&r.body["totals"]["figures"], "1.01", "people"), 57);
    assert_eq!(r.body["own_status"], "submitted");
    // A reporter does not review, not even its own unit.
    let r = t
        .post(&me, &format!("{own}/review"), json!({"action": "accept"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);

    // The other ward is still untouched.
    assert_eq!(
        t.get(&neighbour, &t.report(TAN_THUAN_DONG)).await.body,
        theirs_before.body
    );
}

/// Submit → visible in district and province → return (back to before) → resubmit →
/// accept → in the accepted basis; history and audit trail follow every step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_round_trip_through_consolidation() {
    let t = spawn().await;
    let ward = t.token("tanphong").await;
    let quan7 = t.token("quan7").await;
    let hcm = t.token("hcm").await;

    let district_before = t.get(&quan7, &t.consolidation(QUAN_7, "submitted")).await;
    assert_eq!(
        district_before.status,
        StatusCode::OK,
        "{:?}",
        district_before.body
    );
    let province_before = t.get(&hcm, &t.consolidation(HCM, "submitted")).await;
    assert_eq!(
        province_before.status,
        StatusCode::OK,
        "{:?}",
        province_before.body
    );
    let accepted_before = t.get(&quan7, &t.consolidation(QUAN_7, "accepted")).await;
    let province_accepted_before = t.get(&hcm, &t.consolidation(HCM, "accepted")).await;
    assert!(missing_codes(&district_before.body).contains(&TAN_PHONG.to_string()));
    let child = |c: &Value| {
        c["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["code"] == TAN_PHONG)
            .cloned()
            .unwrap()
    };
    assert_eq!(child(&district_before.body)["status"], "none");

    // 1. Submit.
    let audit0 = t.audit_rows().await;
    let r = t
        .put(
            &ward,
            &t.report(TAN_PHONG),
            save_body("submit", ward_figures()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "submitted");
    let audit1 = t.audit_rows().await;
    assert_eq!(audit1, audit0 + 1, "submit writes one audit row");
    let submitted = r.body["figures"].clone();
    // Totals rows are filled from their parts.
    assert_eq!(cell(&submitted, "1", "count"), 3);
    assert_eq!(cell(&submitted, "1.0", "people"), 92);

    let district = t.get(&quan7, &t.consolidation(QUAN_7, "submitted")).await;
    assert_moved_by(
        &district_before.body,
        &district.body,
        &submitted,
        1,
        "district after submit",
    );
    let province = t.get(&hcm, &t.consolidation(HCM, "submitted")).await;
    assert_moved_by(
        &province_before.body,
        &province.body,
        &submitted,
        1,
        "province after submit",
    );
    assert!(!missing_codes(&district.body).contains(&TAN_PHONG.to_string()));
    assert_eq!(
        district.body["completeness"]["submitted"].as_i64().unwrap(),
        district_before.body["completeness"]["submitted"]
            .as_i64()
            .unwrap()
            + 1
    );
    assert_eq!(child(&district.body)["status"], "submitted");
    assert_eq!(cell(&child(&district.body)["figures"], "2", "count"), 12);
    assert_eq!(child(&district.body)["reports"], 1);
    assert_eq!(
        child(&district.body)["late"],
        1,
        "submitted after the 2021 deadline"
    );
    assert_eq!(child(&district.body)["status_late"], true);
    // Not accepted yet: the accepted basis has not moved.
    let accepted = t.get(&quan7, &t.consolidation(QUAN_7, "accepted")).await;
    assert_eq!(accepted.body["totals"], accepted_before.body["totals"]);

    // 2. Return with a comment: the consolidation is back to where it was.
    let comment = "Số người dòng 1.01 chưa khớp danh sách";
    let r = t
        .post(
            &quan7,
            &format!("{}/review", t.report(TAN_PHONG)),
            json!({"action": "return", "comment": comment}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "returned");
    assert_eq!(r.body["review_comment"], comment);
    let audit2 = t.audit_rows().await;
    assert_eq!(audit2, audit1 + 1, "return writes one audit row");
    let district = t.get(&quan7, &t.consolidation(QUAN_7, "submitted")).await;
    assert_eq!(district.body["totals"], district_before.body["totals"]);
    let province = t.get(&hcm, &t.consolidation(HCM, "submitted")).await;
    assert_eq!(province.body["totals"], province_before.body["totals"]);
    let seen = t.get(&ward, &t.report(TAN_PHONG)).await;
    assert_eq!(seen.body["review_comment"], comment);

    // 3. Resubmit with corrected figures.
    let mut corrected = ward_figures();
    corrected["1.01"]["people"] = json!(60);
    let r = t
        .put(&ward, &t.report(TAN_PHONG), save_body("submit", corrected))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "submitted");
    let resubmitted = r.body["figures"].clone();
    assert_eq!(cell(&resubmitted, "1.0", "people"), 95);
    let audit3 = t.audit_rows().await;
    assert_eq!(audit3, audit2 + 1, "resubmit writes one audit row");
    let district = t.get(&quan7, &t.consolidation(QUAN_7, "submitted")).await;
    assert_moved_by(
        &district_before.body,
        &district.body,
        &resubmitted,
        1,
        "district after resubmit",
    );

    // 4. Accept: now in the accepted basis too, and the submitted basis is unchanged.
    let r = t
        .post(
            &quan7,
            &format!("{}/review", t.report(TAN_PHONG)),
            json!({"action": "accept", "comment": ""}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "accepted");
    let audit4 = t.audit_rows().await;
    assert_eq!(audit4, audit3 + 1, "accept writes one audit row");
    let accepted = t.get(&quan7, &t.consolidation(QUAN_7, "accepted")).await;
    assert_eq!(accepted.body["basis"], "accepted");
    assert_moved_by(
        &accepted_before.body,
        &accepted.body,
        &resubmitted,
        1,
        "district, accepted basis",
    );
    let accepted_province = t.get(&hcm, &t.consolidation(HCM, "accepted")).await;
    assert_moved_by(
        &province_accepted_before.body,
        &accepted_province.body,
        &resubmitted,
        1,
        "province, accepted basis",
    );
    let district = t.get(&quan7, &t.consolidation(QUAN_7, "submitted")).await;
    assert_moved_by(
        &district_before.body,
        &district.body,
        &resubmitted,
        1,
        "district after accept",
    );

    // History: submit, return, submit, accept, by the right people.
    let h = t
        .get(&ward, &format!("{}/history", t.report(TAN_PHONG)))
        .await;
    assert_eq!(h.status, StatusCode::OK);
    let entries = h.body.as_array().unwrap();
    assert!(entries.len() >= 4);
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["submit", "return", "submit", "accept"]);
    let users: Vec<&str> = entries
        .iter()
        .map(|e| e["username"].as_str().unwrap())
        .collect();
    assert_eq!(users, vec!["tanphong", "quan7", "tanphong", "quan7"]);
    assert_eq!(entries[1]["comment"], comment);
    assert_eq!(entries[2]["content"]["figures"]["1.01"]["people"], 60);
    // The audit rows name the report and the actor.
    let audit = t.app.store.audit_entries(None, 4).await.unwrap();
    let kinds: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        kinds,
        vec![
            "report_accept",
            "report_submit",
            "report_return",
            "report_submit"
        ]
    );
    assert!(audit
        .iter()
        .all(|a| a.object_type == "report" && a.username.is_some()));

    // An accepted report can no longer be changed by the ward.
    let r = t
        .put(
            &ward,
            &t.report(TAN_PHONG),
            save_body("save", ward_figures()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(t.audit_rows().await, audit4);
}

/// Bad figures, bad tokens, bad photos, bad units and bad reviews are refused with a
/// Vietnamese message, and nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_and_nothing_is_stored() {
    let t = spawn().await;
    let ward = t.token("tanphong").await;
    let own = t.report(TAN_PHONG);

    // A draft to compare against.
    let r = t
        .put(&ward, &own, save_body("save", json!({"2": {"count": 3}})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let stored = t.get(&ward, &own).await.body;
    assert_eq!(stored["version"], 1);
    let audit = t.audit_rows().await;

    let bad_values = [
        (json!("abc"), "E01", "abc"),
        (json!(1.5), "E01", "1.5"),
        (json!(-3), "E02", "-3"),
        (json!("12"), "E01", "12"),
    ];
    for (value, code, shown) in bad_values {
        let figures = json!({"1.01": {"count": 2, "people": value.clone()}, "2": {"count": 9}});
        for action in ["save", "submit"] {
            let r = t.put(&ward, &own, save_body(action, figures.clone())).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{value} ({action}): {:?}",
                r.body
            );
            assert_eq!(r.code(), "validation");
            let msg = r.message();
            assert!(
                msg.contains("Dòng 1.01") && msg.contains("cột \"Người\""),
                "{value}: {msg}"
            );
            assert!(
                msg.contains(shown) && msg.contains("chưa được lưu"),
                "{value}: {msg}"
            );
            let issue = &r.body["error"]["issues"][0];
            assert_eq!(issue["code"], code, "{value}: {issue}");
            assert_eq!(issue["row"], "1.01");
            assert_eq!(issue["column"], "people");
            assert_eq!(
                t.get(&ward, &own).await.body,
                stored,
                "{value}: nothing stored"
            );
        }
    }
    let r = t
        .put(
            &ward,
            &own,
            save_body("save", json!({"99.9": {"count": 1}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(r.body["error"]["issues"][0]["code"], "E03");
    assert!(r.message().contains("99.9"), "{}", r.message());
    let r = t
        .put(&ward, &own, save_body("save", json!({"2": {"people": 1}})))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(
        r.message().contains("Dòng 2") && r.message().contains("people"),
        "{}",
        r.message()
    );
    // A "trong đó" row larger than its total.
    let r = t
        .put(
            &ward,
            &own,
            save_body("save", json!({"5": {"count": 1}, "5.1": {"count": 4}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    // Malformed bodies.
    let r = t
        .put(&ward, &own, json!({"action": "publish", "figures": {}}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(
        r.message().starts_with("Dữ liệu JSON không đúng cấu trúc"),
        "{}",
        r.message()
    );
    let res = t
        .client
        .put(t.url(&own))
        .bearer_auth(&ward)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["error"]["message"].as_str().unwrap().contains("JSON"),
        "{body}"
    );
    assert_eq!(t.get(&ward, &own).await.body, stored);
    assert_eq!(
        t.audit_rows().await,
        audit,
        "refused requests leave no audit row"
    );

    // Missing, malformed and unknown tokens.
    for auth in [
        None,
        Some("Bearer "),
        Some("Bearer 0000"),
        Some("Basic dGFucGhvbmc6ZGVtbw=="),
        Some(ward.as_str()),
    ] {
        let mut req = t.client.get(t.url(&own));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let res = req.send().await.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "authorization {auth:?}"
        );
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthenticated");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("đăng nhập"),
            "{body}"
        );
    }
    let r = t
        .call(
            Method::POST,
            None,
            "/api/v1/auth/token",
            Some(json!({"username": "tanphong", "password": "sai"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "bad_credentials");
    assert!(r.message().contains("mật khẩu"), "{}", r.message());
    let r = t
        .call(
            Method::POST,
            None,
            "/api/v1/auth/token",
            Some(json!({"username": "khongco", "password": "demo"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = t
        .call(
            Method::POST,
            None,
            "/api/v1/auth/token",
            Some(json!({"username": "tanphong"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Photos: too large, not an image, missing; then a real one, fetched back.
    let mut big = tiny_png();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let r = t.upload(&ward, TAN_PHONG, "to.png", big).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(
        r.message().contains("quá lớn") && r.message().contains("5 MB"),
        "{}",
        r.message()
    );
    let r = t.upload(&ward, TAN_PHONG, "anh.jpg", pdf_bytes()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(
        r.message().contains("JPEG, PNG hoặc WebP") && r.message().contains("application/pdf"),
        "{}",
        r.message()
    );
    let form = reqwest::multipart::Form::new().text("caption", "không có ảnh");
    let res = t
        .client
        .post(t.url(&format!("{own}/photos")))
        .bearer_auth(&ward)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = t
        .client
        .post(t.url(&format!("{own}/photos")))
        .bearer_auth(&ward)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        photo_ids(&t, &ward, TAN_PHONG).await.is_empty(),
        "no photo stored"
    );
    assert_eq!(t.audit_rows().await, audit);

    let png = tiny_png();
    let r = t
        .upload(&ward, TAN_PHONG, "khai-mac.png", png.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let url = r.body["url"].as_str().unwrap().to_string();
    assert_eq!(url, format!("{own}/photos/{id}"));
    let res = t
        .client
        .get(t.url(&url))
        .bearer_auth(&ward)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().to_vec(), png, "byte-identical");
    let report = t.get(&ward, &own).await.body;
    assert_eq!(report["photos"][0]["caption"], "Lễ khai mạc");
    assert_eq!(report["photos"][0]["byte_size"], png.len());
    let r = t.call(Method::DELETE, Some(&ward), &url, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = t.get(&ward, &url).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Units: duplicate code, unknown parent, unknown type, and no rights.
    let admin7 = t.token("quan7.admin").await;
    let before = t.audit_rows().await;
    let r = t
        .post(&admin7, "/api/v1/units", json!({"parent_code": TAN_PHONG, "code": TAN_THUAN_DONG, "name": "Trường THCS Trùng Mã", "unit_type": "Trường THCS"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert!(r.message().contains("đã có"), "{}", r.message());
    let r = t
        .post(
            &admin7,
            "/api/v1/units",
            json!({"parent_code": "99999", "name": "Trường THCS Mới", "unit_type": "Trường THCS"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(
        r.message().contains("Đơn vị cấp trên") && r.message().contains("99999"),
        "{}",
        r.message()
    );
    let r = t
        .post(
            &admin7,
            "/api/v1/units",
            json!({"parent_code": TAN_PHONG, "name": "Quán cà phê", "unit_type": "Quán"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = t.post(&ward, "/api/v1/units", json!({"parent_code": TAN_PHONG, "name": "Trường THCS Mới", "unit_type": "Trường THCS"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    assert_eq!(t.audit_rows().await, before);
    let r = t.post(&admin7, "/api/v1/units", json!({"parent_code": TAN_PHONG, "code": "27490-THCS1", "name": "Trường THCS  Nguyễn Hữu Thọ", "unit_type": "Trường THCS"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["name"], "Trường THCS Nguyễn Hữu Thọ");
    let r = t.get(&ward, &format!("/api/v1/units/{TAN_PHONG}")).await;
    assert!(
        r.body["children"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == "27490-THCS1"),
        "{:?}",
        r.body
    );

    // Reviews: return without a comment, accept a draft, review without rights.
    let quan7 = t.token("quan7").await;
    let before = t.audit_rows().await;
    let late_ward = t.get(&quan7, &t.report(TAN_HUNG)).await.body;
    assert_eq!(late_ward["status"], "submitted");
    let r = t
        .post(
            &quan7,
            &format!("{}/review", t.report(TAN_HUNG)),
            json!({"action": "return", "comment": "  "}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.message().contains("lý do trả lại"), "{}", r.message());
    let r = t
        .post(
            &quan7,
            &format!("{}/review", t.report(PHU_THUAN)),
            json!({"action": "accept"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    assert_eq!(r.code(), "invalid_transition");
    assert!(r.message().contains("Bản nháp"), "{}", r.message());
    let r = t
        .post(
            &quan7,
            &format!("{}/review", t.report(TAN_PHONG)),
            json!({"action": "accept"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
    let r = t
        .post(
            &quan7,
            &format!("{}/review", t.report(QUAN_7)),
            json!({"action": "accept"}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a reviewer does not review its own unit: {:?}",
        r.body
    );
    let r = t
        .post(
            &quan7,
            &format!("{}/review", t.report(TAN_HUNG)),
            json!({"action": "approve"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert_eq!(t.get(&quan7, &t.report(TAN_HUNG)).await.body, late_ward);
    assert_eq!(t.audit_rows().await, before);

    // Unknown campaign, unknown unit, malformed path, unknown route.
    let r = t
        .get(&quan7, &format!("/api/v1/campaigns/99/reports/{TAN_PHONG}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t.get(&quan7, &t.report("00000")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t.get(&quan7, "/api/v1/campaigns/abc").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.message().contains("đường dẫn"), "{}", r.message());
    let r = t.get(&quan7, &t.consolidation(QUAN_7, "all")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = t.get(&quan7, "/api/v1/khong-co").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.code(), "not_found");
}

/// The OpenAPI document lists every route, each operation is either public (token
/// issuance) or declares bearer security and the roles allowed, and every protected
/// operation answers 401 without a token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_covers_every_route_and_all_are_protected() {
    let t = spawn().await;
    let res = t
        .client
        .get(t.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let doc: Value = res.json().await.expect("valid JSON");
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3."),
        "{}",
        doc["openapi"]
    );
    assert_eq!(
        doc,
        serde_json::to_value(tuanle_web::api::openapi()).unwrap(),
        "served document is the generated one"
    );

    let expected = [
        ("post", "/api/v1/auth/token"),
        ("get", "/api/v1/me"),
        ("post", "/api/v1/me/password"),
        ("get", "/api/v1/units"),
        ("post", "/api/v1/units"),
        ("get", "/api/v1/units/{code}"),
        ("post", "/api/v1/units/bodies.csv"),
        ("get", "/api/v1/campaigns"),
        ("post", "/api/v1/campaigns"),
        ("get", "/api/v1/campaigns/{id}"),
        ("get", "/api/v1/templates"),
        ("post", "/api/v1/templates"),
        ("get", "/api/v1/templates/{id}"),
        ("get", "/api/v1/campaigns/{id}/reports/{code}"),
        ("put", "/api/v1/campaigns/{id}/reports/{code}"),
        ("post", "/api/v1/campaigns/{id}/reports/{code}/review"),
        ("get", "/api/v1/campaigns/{id}/reports/{code}/history"),
        ("post", "/api/v1/campaigns/{id}/reports/{code}/photos"),
        (
            "get",
            "/api/v1/campaigns/{id}/reports/{code}/photos/{photo_id}",
        ),
        (
            "delete",
            "/api/v1/campaigns/{id}/reports/{code}/photos/{photo_id}",
        ),
        ("get", "/api/v1/campaigns/{id}/consolidation/{code}"),
        ("post", "/api/v1/campaigns/{id}/consolidation/rebuild"),
        ("get", "/api/v1/campaigns/{id}/consolidation/{code}/missing"),
        ("get", "/api/v1/campaigns/{id}/reports/{code}/workbook"),
        ("post", "/api/v1/campaigns/{id}/workbooks"),
        (
            "get",
            "/api/v1/campaigns/{id}/consolidation/{code}/workbook",
        ),
        ("get", "/api/v1/campaigns/{id}/consolidation/{code}/csv"),
        (
            "get",
            "/api/v1/campaigns/{id}/reports/{code}/document/{format}",
        ),
        (
            "get",
            "/api/v1/campaigns/{id}/consolidation/{code}/document/{format}",
        ),
        ("get", "/api/v1/users"),
        ("put", "/api/v1/issuers/{code}"),
        ("post", "/api/v1/issuers/{code}/register"),
        ("get", "/api/v1/documents"),
        ("post", "/api/v1/documents/external"),
        ("get", "/api/v1/documents/{id}"),
        ("put", "/api/v1/documents/{id}"),
        ("get", "/api/v1/documents/{id}/versions"),
        ("get", "/api/v1/documents/{id}/file"),
        ("get", "/api/v1/documents/{id}/document/{format}"),
        ("post", "/api/v1/campaigns/{id}/plans"),
        ("get", "/api/v1/campaigns/{id}/plans/prefill/{code}"),
        ("post", "/api/v1/documents/{id}/consultations"),
        ("get", "/api/v1/consultations/{id}"),
        ("post", "/api/v1/consultations/{id}/replies/{code}"),
        ("get", "/api/v1/consultations/{id}/replies/{code}/file"),
        ("post", "/api/v1/documents/{id}/submit"),
        ("post", "/api/v1/documents/{id}/review"),
        ("post", "/api/v1/documents/{id}/issue"),
        ("post", "/api/v1/documents/{id}/distribute"),
        ("get", "/api/v1/units/{code}/incoming"),
        ("post", "/api/v1/incoming/{id}/pass"),
        ("get", "/api/v1/documents/{id}/tasks"),
        ("get", "/api/v1/campaigns/{id}/tasks/{code}"),
        ("put", "/api/v1/tasks/{id}"),
        ("get", "/api/v1/campaigns/{id}/cascade/{code}"),
        ("post", "/api/v1/users"),
        ("get", "/api/v1/campaigns/{id}/activities/{code}"),
        ("post", "/api/v1/campaigns/{id}/activities/{code}"),
        ("get", "/api/v1/activities/{id}"),
        ("put", "/api/v1/activities/{id}"),
        ("post", "/api/v1/activities/{id}/publish"),
        ("put", "/api/v1/activities/{id}/result"),
        ("post", "/api/v1/activities/{id}/photos"),
        ("get", "/api/v1/campaigns/{id}/activity-settings"),
        ("put", "/api/v1/campaigns/{id}/activity-settings"),
        ("get", "/api/v1/public/calendar"),
        ("get", "/api/v1/public/activities/{id}"),
        ("get", "/api/v1/notifications"),
        ("get", "/api/v1/notifications/unread"),
        ("post", "/api/v1/notifications/read"),
        ("get", "/api/v1/notifications/email-preferences"),
        ("put", "/api/v1/notifications/email-preferences"),
        ("get", "/api/v1/audit"),
        ("get", "/api/v1/audit/csv"),
    ];
    let paths = doc["paths"].as_object().expect("paths");
    let mut documented = Vec::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            if [
                "get", "put", "post", "delete", "patch", "head", "options", "trace",
            ]
            .contains(&method.as_str())
            {
                documented.push((method.clone(), path.clone(), op.clone()));
            }
        }
    }
    for (m, p) in expected {
        assert!(
            documented.iter().any(|(dm, dp, _)| dm == m && dp == p),
            "{m} {p} missing from the document"
        );
    }
    assert_eq!(
        documented.len(),
        expected.len(),
        "document has exactly the registered operations"
    );

    let ward = t.token("tanphong").await;
    for (method, path, op) in &documented {
        let public = op["x-public"] == json!(true);
        let concrete = path
            .replace("{id}", "1")
            .replace("{code}", TAN_PHONG)
            .replace("{photo_id}", "1")
            .replace("{format}", "pdf");
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        if public {
            // Public: token issuance, and the public calendar (published activities only,
            // read-only, as the /lich pages).
            assert!(
                path == "/api/v1/auth/token"
                    || (method == "get" && path.starts_with("/api/v1/public/")),
                "{method} {path}: only token issuance and the public calendar are public"
            );
            assert!(op.get("security").is_none());
            assert!(
                op.get("x-roles").is_none(),
                "{method} {path}: public with roles"
            );
            continue;
        }
        let security = op["security"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path}: no security"));
        assert!(
            security.iter().any(|s| s.get("bearer").is_some()),
            "{method} {path}: bearer security"
        );
        let roles = op["x-roles"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {path}: no x-roles"));
        assert!(
            !roles.is_empty()
                && roles
                    .iter()
                    .all(|r| ["viewer", "reporter", "reviewer", "admin"]
                        .contains(&r.as_str().unwrap()))
        );
        assert!(
            op["responses"].get("401").is_some(),
            "{method} {path}: documents 401"
        );

        let res = t
            .client
            .request(m.clone(), t.url(&concrete))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {concrete} without a token"
        );
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            body["error"]["code"], "unauthenticated",
            "{method} {concrete}"
        );
        let res = t
            .client
            .request(m.clone(), t.url(&concrete))
            .bearer_auth("khong-hop-le")
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {concrete} with a bad token"
        );
        // With a valid token the route exists (whatever the answer, not a 404 for the route itself nor 405).
        let res = t
            .client
            .request(m, t.url(&concrete))
            .bearer_auth(&ward)
            .send()
            .await
            .unwrap();
        assert_ne!(
            res.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {concrete}"
        );
        assert_ne!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {concrete}"
        );
    }
    // Schemas referenced by operations exist.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "ReportDto",
        "SaveReportRequest",
        "ConsolidationDto",
        "ErrorBody",
        "TokenResponse",
        "UnitDto",
    ] {
        assert!(schemas.contains_key(name), "schema {name}");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"]["scheme"]
        .as_str()
        .unwrap()
        .eq_ignore_ascii_case("bearer"));
}

/// Search is diacritic-insensitive and confined to the caller's subtree.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unit_search_ignores_diacritics_within_subtree() {
    let t = spawn().await;
    let quan7 = t.token("quan7").await;
    let hcm = t.token("hcm").await;
    let admin = t.token("admin").await;
    let search = |token: String, q: &'static str| {
        let t = &t;
        async move {
            let res = t
                .client
                .get(t.url("/api/v1/units"))
                .query(&[("q", q)])
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Vec<Value>>().await.unwrap()
        }
    };
    let codes = |v: &[Value]| {
        v.iter()
            .map(|u| u["code"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    for q in ["tan phong", "Tân Phong", "TÂN   phong"] {
        let found = search(quan7.clone(), q).await;
        assert!(
            codes(&found).contains(&TAN_PHONG.to_string()),
            "{q}: {found:?}"
        );
        assert!(
            found
                .iter()
                .all(|u| u["name"].as_str().unwrap().contains("Tân Phong")),
            "{q}: {found:?}"
        );
    }
    assert!(
        search(hcm.clone(), "thu dau mot").await.is_empty(),
        "outside the subtree"
    );
    assert!(!search(hcm.clone(), "tan phong").await.is_empty());
    let found = search(admin.clone(), "thu dau mot").await;
    assert!(
        found.iter().any(|u| u["name"] == "Thành phố Thủ Dầu Một"),
        "{found:?}"
    );
    // Limit.
    let res = t
        .client
        .get(t.url("/api/v1/units?q=phuong&limit=3"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Vec<Value>>().await.unwrap().len(), 3);
    // A unit outside the subtree is not found, inside it is, with children.
    assert_eq!(
        t.get(&hcm, "/api/v1/units/718").await.status,
        StatusCode::NOT_FOUND
    );
    let r = t.get(&hcm, &format!("/api/v1/units/{QUAN_7}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["unit"]["name"], "Quận 7");
    assert!(codes(r.body["children"].as_array().unwrap()).contains(&TAN_PHONG.to_string()));
}

/// Campaigns, templates and users through the API, with the rights each needs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaigns_templates_and_users() {
    let t = spawn().await;
    let admin = t.token("admin").await;
    let admin7 = t.token("quan7.admin").await;
    let ward = t.token("tanphong").await;

    let me = t.get(&ward, "/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["user"]["username"], "tanphong");
    assert_eq!(me.body["role"], "reporter");
    assert_eq!(me.body["unit"]["code"], TAN_PHONG);

    // Campaigns.
    let list = t.get(&ward, "/api/v1/campaigns").await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    let c = t.get(&ward, "/api/v1/campaigns/1").await;
    assert_eq!(c.body["year"], 2021);
    assert_eq!(c.body["start_date"], "2021-10-01");
    let template_id = c.body["template_id"].as_i64().unwrap();
    let new = json!({
        "year": 2022, "name": "Tuần lễ hưởng ứng học tập suốt đời năm 2022", "themes": ["Học tập suốt đời"],
        "start_date": "2022-10-01", "end_date": "2022-10-07", "template_id": template_id,
        "required_types": ["Phường", "Quận"], "deadlines": [{"admin_level": 3, "deadline": "2022-10-12"}]
    });
    let r = t.post(&admin7, "/api/v1/campaigns", new.clone()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    let mut bad = new.clone();
    bad["end_date"] = json!("2022-09-01");
    let r = t.post(&admin, "/api/v1/campaigns", bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.message().contains("Ngày kết thúc"), "{}", r.message());
    let mut bad = new.clone();
    bad["start_date"] = json!("01/10/2022");
    let r = t.post(&admin, "/api/v1/campaigns", bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let r = t.post(&admin, "/api/v1/campaigns", new).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(
        t.get(&ward, &format!("/api/v1/campaigns/{id}")).await.body["year"],
        2022
    );
    assert_eq!(
        t.get(&ward, "/api/v1/campaigns").await.body[0]["id"],
        id,
        "newest first"
    );
    assert_eq!(
        t.get(
            &ward,
            &format!("/api/v1/campaigns/{id}/reports/{TAN_PHONG}")
        )
        .await
        .body["status"],
        "none"
    );

    // Templates: read, and a round trip of the JSON through POST as a new version.
    let list = t.get(&ward, "/api/v1/templates").await;
    assert!(list
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["code"] == "tuanle-2021"));
    let tpl = t
        .get(&ward, &format!("/api/v1/templates/{template_id}"))
        .await;
    assert_eq!(tpl.body["indicators"].as_array().unwrap().len(), 41);
    assert_eq!(
        tpl.body["indicators"][0]["kind"],
        json!({"type": "total", "of": "1"})
    );
    let mut next = tpl.body.clone();
    next["version"] = json!(2);
    let res = t
        .client
        .post(t.url("/api/v1/templates"))
        .bearer_auth(&admin)
        .body(next.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let new_id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let copy = t
        .get(&ward, &format!("/api/v1/templates/{new_id}"))
        .await
        .body;
    assert_eq!(copy["indicators"], tpl.body["indicators"]);
    let toml = "code = \"thu\"\nversion = 1\nname = \"Mẫu thử\"\n[[columns]]\nkey = \"value\"\nlabel = \"Số liệu\"\n[[indicators]]\ncode = \"1\"\nlabel = \"Người tham gia\"\ncolumns = [\"value\"]\nkind = { type = \"value\" }\n";
    let res = t
        .client
        .post(t.url("/api/v1/templates"))
        .bearer_auth(&admin)
        .body(toml)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = t
        .client
        .post(t.url("/api/v1/templates"))
        .bearer_auth(&admin)
        .body(toml)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT, "same code and version");
    let res = t
        .client
        .post(t.url("/api/v1/templates"))
        .bearer_auth(&admin)
        .body("{\"code\": \"x\"}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = t
        .client
        .post(t.url("/api/v1/templates"))
        .bearer_auth(&admin7)
        .body(toml)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        t.get(&ward, "/api/v1/templates/999").await.status,
        StatusCode::NOT_FOUND
    );

    // Users: an administrator sees and adds users in its subtree only.
    assert_eq!(
        t.get(&ward, "/api/v1/users").await.status,
        StatusCode::FORBIDDEN
    );
    let users = t.get(&admin7, "/api/v1/users").await;
    assert_eq!(users.status, StatusCode::OK);
    let names: Vec<&str> = users
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"tanphong") && names.contains(&"quan7"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"hcm") && !names.contains(&"admin"),
        "{names:?}"
    );
    assert!(users
        .body
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u.get("password_hash").is_none()));
    let new_user = json!({"username": "tanphong2", "full_name": "Nguyễn Văn A", "password": "matkhau-dai", "unit_code": TAN_PHONG, "role": "reporter"});
    let mut weak = new_user.clone();
    weak["password"] = json!("ngan");
    let r = t.post(&admin7, "/api/v1/users", weak).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.message().contains("8 ký tự"), "{}", r.message());
    let mut outside = new_user.clone();
    outside["unit_code"] = json!("718");
    assert_eq!(
        t.post(&admin7, "/api/v1/users", outside).await.status,
        StatusCode::FORBIDDEN
    );
    let r = t.post(&admin7, "/api/v1/users", new_user.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["unit_code"], TAN_PHONG);
    assert_eq!(r.body["role"], "reporter");
    assert_eq!(
        t.post(&admin7, "/api/v1/users", new_user).await.status,
        StatusCode::CONFLICT
    );
    let r = t
        .call(
            Method::POST,
            None,
            "/api/v1/auth/token",
            Some(json!({"username": "tanphong2", "password": "matkhau-dai"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // Rebuild: only an administrator at the root; the running sums already agree.
    let r = t
        .post(
            &admin7,
            "/api/v1/campaigns/1/consolidation/rebuild",
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .post(
            &admin,
            "/api/v1/campaigns/1/consolidation/rebuild",
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["differing"], 0);

    // Bodies from CSV: all or nothing.
    let csv = "code,name,type,parent_code\n27490-MN1,Trường Mầm non Tân Phong,Trường mầm non,27490\n27490-TH2,Trường Tiểu học Tân Phong,Trường tiểu học,27490\n";
    let res = t
        .client
        .post(t.url("/api/v1/units/bodies.csv"))
        .bearer_auth(&admin7)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.json::<Value>().await.unwrap()["created"], 2);
    let bad_csv = "code,name,type,parent_code\n27490-MN2,Trường Mầm non Mới,Trường mầm non,27490\n27490-X,Trường Lạ,Không có loại này,27490\n";
    let res = t
        .client
        .post(t.url("/api/v1/units/bodies.csv"))
        .bearer_auth(&admin7)
        .body(bad_csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = t.get(&admin7, &format!("/api/v1/units/{TAN_PHONG}")).await;
    let children: Vec<&str> = r.body["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert!(
        children.contains(&"27490-MN1") && !children.contains(&"27490-MN2"),
        "{children:?}"
    );
}
