//! Plans down the tree through the real router: seed 004's trail replayed through the API
//! (draft → consultation 1040/PGDĐT → answers and silent consent → tờ trình 1103/PGDĐT →
//! 220/KH-UBND issued and distributed → incoming registers, tasks, cascade), bad input that
//! changes nothing, numbering under concurrent issuing and across the new year, silent
//! consent recorded once by two instances, and the pages.

mod common;

use std::path::Path;
use std::process::Command;

use chrono::{NaiveDate, TimeZone, Utc};
use common::seed_004::{OFFICES, OFFICE_PASSWORD, WARDS};
use common::{pdf_bytes, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tuanle_app::App;

const TDM: &str = "718";
const PGD: &str = "718-PHONGGDDT";
const UBND: &str = "718-UBND";
const HOA_PHU: &str = "25760";
const PHU_LOI: &str = "25744";
const PHU_CUONG: &str = "25747";

/// Sets the app's clock at a Vietnam date and hour.
fn at(app: &App, y: i32, m: u32, d: u32, h: u32) {
    let t = Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap() - chrono::Duration::hours(7);
    app.set_clock(Some(t));
}

async fn token_with(t: &TestApp, username: &str, password: &str) -> String {
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

#[allow(clippy::too_many_arguments)]
async fn record_external(
    t: &TestApp,
    token: &str,
    kind: &str,
    number: &str,
    date: &str,
    issuer: &str,
    subject: &str,
    pdf: bool,
) -> (StatusCode, Value) {
    let mut form = reqwest::multipart::Form::new()
        .text("kind", kind.to_string())
        .text("number", number.to_string())
        .text("date", date.to_string())
        .text("issuer", issuer.to_string())
        .text("subject", subject.to_string())
        .text("campaign_id", "1");
    if pdf {
        form = form.part(
            "pdf",
            reqwest::multipart::Part::bytes(pdf_bytes()).file_name("cv.pdf"),
        );
    }
    let r = t
        .client
        .post(t.url("/api/v1/documents/external"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

fn signer(authority: &str, on_behalf: &str, title: &str, name: &str) -> Value {
    json!({"authority": authority, "on_behalf_of": on_behalf, "title": title, "name": name})
}

fn plan_content() -> Value {
    json!({
        "intro": "Ủy ban nhân dân Thủ Dầu Một xây dựng Kế hoạch tổ chức “Tuần lễ hưởng ứng học tập suốt đời năm 2021” trên địa bàn thành phố như sau:",
        "purpose": ["Tiếp tục đẩy mạnh phong trào học tập sâu rộng trong các tầng lớp nhân dân.", "Việc tổ chức Tuần lễ phải đảm bảo thiết thực, hiệu quả."],
        "theme": "Chuyển đổi số và cơ hội học tập suốt đời cho tất cả mọi người trong bối cảnh đại dịch COVID-19",
        "start_date": "2021-10-01", "end_date": "2021-10-07",
        "time": "Từ ngày 01/10/2021 đến ngày 07/10/2021; Lễ khai mạc ngày 01 tháng 10 năm 2021.",
        "place": "Do UBND 14 phường bố trí.",
        "form": "Trực tuyến.",
        "participants": "Đại diện lãnh đạo cấp ủy đảng, chính quyền, các cơ quan, tổ chức…",
        "activities": ["Đẩy mạnh và đổi mới các hoạt động thông tin, tuyên truyền.", "Đẩy mạnh ứng dụng công nghệ số trong dạy, học."],
        "assignments": [
            {"heading": "Phòng Giáo dục và Đào tạo thành phố", "unit_codes": [PGD],
             "items": ["Tham mưu Ủy ban nhân dân thành phố xây dựng kế hoạch và triển khai tổ chức Tuần lễ.",
                       "Tổng hợp kết quả hoạt động Tuần lễ … báo cáo kết quả thực hiện về UBND thành phố, Sở Giáo dục và Đào tạo trước ngày **15/10/2021**."]},
            {"heading": "Phòng Tài chính - Kế hoạch thành phố", "unit_codes": ["718-TCKH"],
             "items": ["Bố trí kinh phí tổ chức các hoạt động hưởng ứng Tuần lễ theo hướng dẫn tại Thông tư số 07/TT-BTC ngày 24/01/2018 của Bộ Tài chính."]},
            {"heading": "Phòng Văn hóa và Thông tin, Đài truyền thanh thành phố", "unit_codes": ["718-VHTT", "718-DTT"],
             "items": ["Đẩy mạnh các hoạt động thông tin, truyền thông về mục đích, ý nghĩa của việc tổ chức Tuần lễ."]},
            {"heading": "Ủy ban nhân dân 14 phường", "unit_codes": WARDS,
             "items": ["Xây dựng kế hoạch và triển khai tổ chức Tuần lễ trên địa bàn.",
                       "Kết thúc Tuần lễ …, các Trung tâm học tập cộng đồng các phường báo cáo kết quả thực hiện … về phòng Giáo dục và đào tạo thành phố trước ngày **12/10/2021**."]}
        ],
        "closing": "Trên đây là Kế hoạch tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021 trên địa bàn thành phố Thủ Dầu Một./."
    })
}

async fn documents_count(t: &TestApp, token: &str) -> usize {
    t.get(token, "/api/v1/documents")
        .await
        .body
        .as_array()
        .unwrap()
        .len()
}

/// Configures the two issuers, their registers for 2021, and accounts for the offices.
async fn setup(t: &TestApp) {
    let admin = t.token("admin").await;
    let r = t
        .put(
            &admin,
            &format!("/api/v1/issuers/{PGD}"),
            json!({"abbreviation": "PGDĐT", "header_lines": ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ THỦ DẦU MỘT", "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO"],
                   "cited_name": "Phòng Giáo dục và Đào tạo thành phố", "place": "Thủ Dầu Một"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = t
        .put(
            &admin,
            &format!("/api/v1/issuers/{UBND}"),
            json!({"abbreviation": "UBND", "header_lines": ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ THỦ DẦU MỘT"],
                   "cited_name": "UBND thành phố", "place": "Thủ Dầu Một"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // Numbers used in the e-office system before tuanle this year.
    let r = t
        .post(
            &admin,
            &format!("/api/v1/issuers/{PGD}/register"),
            json!({"year": 2021, "last_used": 1039}),
        )
        .await;
    assert_eq!(r.body["next_number"], 1040);
    let r = t
        .post(
            &admin,
            &format!("/api/v1/issuers/{UBND}/register"),
            json!({"year": 2021, "last_used": 219}),
        )
        .await;
    assert_eq!(r.body["next_number"], 220);
    // Never back: a number once handed out is not handed out again.
    let r = t
        .post(
            &admin,
            &format!("/api/v1/issuers/{UBND}/register"),
            json!({"year": 2021, "last_used": 100}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.message().contains("không thể lùi"), "{}", r.message());
    for (code, user) in OFFICES {
        let r = t
            .post(
                &admin,
                "/api/v1/users",
                json!({"username": user, "full_name": format!("Chuyên viên {code}"), "password": OFFICE_PASSWORD, "unit_code": code, "role": "reporter"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
}

#[tokio::test]
async fn seed_004_trail_replayed_through_the_api() {
    let t = common::spawn().await;
    at(&t.app, 2021, 9, 15, 8);
    setup(&t).await;
    let tdm = t.token("thudaumot").await;

    // The Ministry's and the Sở's letters, recorded with their own numbers (one with its PDF).
    let (s, bgd) = record_external(
        &t,
        &tdm,
        "CV",
        "3764/BGDĐT-GDTrH",
        "2021-08-31",
        "Bộ Giáo dục và Đào tạo",
        "Về việc hướng dẫn tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        false,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{bgd:?}");
    let (s, sgd) = record_external(
        &t,
        &tdm,
        "CV",
        "1575/SGDĐT-GDTrH",
        "09/09/2021",
        "Sở Giáo dục và Đào tạo",
        "Về việc hướng dẫn tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        true,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{sgd:?}");
    assert_eq!(sgd["number"], "1575/SGDĐT-GDTrH");
    let pdf = t
        .client
        .get(t.url(&format!("/api/v1/documents/{}/file", sgd["id"])))
        .bearer_auth(&tdm)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    // A duplicate external number: refused, nothing stored.
    let before = documents_count(&t, &tdm).await;
    let audit = t.audit_rows().await;
    let (s, dup) = record_external(
        &t,
        &tdm,
        "CV",
        "3764 /BGDĐT-GDTrH",
        "2021-08-31",
        "Bộ Giáo dục  và Đào tạo",
        "Bản trùng",
        false,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{dup:?}");
    assert!(dup["error"]["message"]
        .as_str()
        .unwrap()
        .contains("đã được vào sổ"));
    assert_eq!(documents_count(&t, &tdm).await, before);
    assert_eq!(t.audit_rows().await, audit);

    // The draft, by Phòng GDĐT, to be issued by the UBND, citing both letters.
    let mut recipients: Vec<Value> = vec![
        json!({"label": "Sở GDĐT tỉnh (b/c)"}),
        json!({"label": "CT, PCT UBND Tp"}),
    ];
    for c in [PGD, "718-TCKH", "718-VHTT", "718-NV", "718-DTT"] {
        recipients.push(json!({"unit_code": c}));
    }
    for w in WARDS {
        recipients.push(json!({"unit_code": w}));
    }
    recipients.push(json!({"label": "Lưu: VT, Chi."}));
    let subject =
        "Tổ chức “Tuần lễ hưởng ứng học tập suốt đời năm 2021” trên địa bàn thành phố Thủ Dầu Một";
    let mut bad = recipients.clone();
    bad.push(json!({"unit_code": "27490"}));
    let r = t.post(&tdm, "/api/v1/campaigns/1/plans", json!({"drafting_unit_code": PGD, "issuer_unit_code": UBND, "subject": subject,
        "content": plan_content(), "basis_document_ids": [bgd["id"], sgd["id"]], "recipients": bad})).await;
    // Quận 7's ward is outside Thủ Dầu Một: 404 for the caller who cannot see it, either way nothing stored.
    assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(r.message().contains("Nơi nhận"), "{}", r.message());
    assert_eq!(documents_count(&t, &tdm).await, before);
    let r = t.post(&tdm, "/api/v1/campaigns/1/plans", json!({"drafting_unit_code": PGD, "issuer_unit_code": UBND, "subject": subject,
        "content": plan_content(), "basis_document_ids": [bgd["id"], sgd["id"]], "recipients": recipients})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let plan = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["status"], "draft");
    // A draft prints a blank number and date for the văn thư.
    let draft = docx_sequence(&download(&t, &tdm, plan, "docx").await);
    let flat = flatten(&draft);
    assert!(
        flat.iter().any(|l| l.starts_with("Số:")
            && l.ends_with("/KH-UBND")
            && !l.chars().any(|c| c.is_ascii_digit())),
        "{flat:?}"
    );
    assert!(
        flat.iter()
            .any(|l| l.starts_with("Thủ Dầu Một, ngày") && l.ends_with("năm 2021")),
        "{flat:?}"
    );
    assert_eq!(r.body["body"]["bases"][0], "Căn cứ Công văn số 3764/BGDĐT-GDTrH ngày 31/8/2021 của Bộ Giáo dục và Đào tạo về việc hướng dẫn tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021;");
    assert_eq!(r.body["body"]["bases"][1], "Căn cứ Công văn số 1575/SGDĐT-GDTrH ngày 09/9/2021 của Sở Giáo dục và Đào tạo về việc hướng dẫn tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021;");

    // Consultation: a deadline in the past is refused.
    let mut consulted: Vec<String> = OFFICES.iter().map(|(c, _)| c.to_string()).collect();
    consulted.extend(WARDS.iter().map(|w| w.to_string()));
    let letter = json!({"subject": "V/v góp ý Dự thảo Kế hoạch Tổ chức “Tuần lễ hưởng ứng học tập suốt đời năm 2021” trên địa bàn thành phố Thủ Dầu Một",
        "paragraphs": ["Phòng GDĐT thành phố đề nghị … gửi văn bản góp ý về Phòng GDĐT trước ngày 22/9/2021."],
        "signer": signer("", "", "Trưởng phòng", "Nguyễn Văn Chệt"), "extra_recipients": ["UBND thành phố (b/c)", "Lưu: VT"], "date": "2021-09-15"});
    let r = t
        .post(
            &tdm,
            &format!("/api/v1/documents/{plan}/consultations"),
            json!({"unit_codes": consulted, "deadline": "2021-09-14", "letter": letter}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.message().contains("Hạn góp ý") && r.message().contains("đã qua"),
        "{}",
        r.message()
    );
    assert_eq!(documents_count(&t, &tdm).await, before + 1);
    let r = t
        .post(
            &tdm,
            &format!("/api/v1/documents/{plan}/consultations"),
            json!({"unit_codes": consulted, "deadline": "2021-09-22", "letter": letter}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let consultation = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["total"], 18);
    assert_eq!(r.body["pending"], 18);
    let letter_doc = t
        .get(&tdm, &format!("/api/v1/documents/{}", r.body["letter_id"]))
        .await;
    assert_eq!(letter_doc.body["number"], "1040/PGDĐT");
    assert_eq!(letter_doc.body["issued_on"], "2021-09-15");
    // The consulted units have the letter in their incoming register.
    let hp = t.token(&format!("bc.{HOA_PHU}")).await;
    let reg = t
        .get(&hp, &format!("/api/v1/units/{HOA_PHU}/incoming?year=2021"))
        .await;
    assert_eq!(reg.body[0]["number"], "1040/PGDĐT");
    assert_eq!(reg.body[0]["arrival_number"], 1);

    // Answers: the four offices with comments (one with its letter attached), Hòa Phú and Phú Lợi agree.
    at(&t.app, 2021, 9, 20, 10);
    for (i, (code, user)) in OFFICES.iter().enumerate() {
        let tok = token_with(&t, user, OFFICE_PASSWORD).await;
        let path = format!("/api/v1/consultations/{consultation}/replies/{code}");
        let r = if i == 0 {
            let form = reqwest::multipart::Form::new()
                .text("agree", "false")
                .text("comment", "Đề nghị ghi rõ nguồn kinh phí.")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(pdf_bytes()).file_name("gop-y.pdf"),
                );
            let res = t
                .client
                .post(t.url(&path))
                .bearer_auth(&tok)
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            // The attached letter comes back as sent.
            let file = t
                .client
                .get(t.url(&format!("{path}/file")))
                .bearer_auth(&tok)
                .send()
                .await
                .unwrap();
            assert_eq!(file.status(), StatusCode::OK);
            assert_eq!(file.headers()["content-type"], "application/pdf");
            assert_eq!(file.bytes().await.unwrap().as_ref(), pdf_bytes().as_slice());
            continue;
        } else {
            t.post(
                &tok,
                &path,
                json!({"agree": false, "comment": format!("Ý kiến góp ý của {code}")}),
            )
            .await
        };
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    let pl = t.token(&format!("bc.{PHU_LOI}")).await;
    for (tok, code) in [(&hp, HOA_PHU), (&pl, PHU_LOI)] {
        let r = t
            .post(
                tok,
                &format!("/api/v1/consultations/{consultation}/replies/{code}"),
                json!({"agree": true}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
    // Answering twice, or for another unit: refused.
    let r = t
        .post(
            &hp,
            &format!("/api/v1/consultations/{consultation}/replies/{HOA_PHU}"),
            json!({"agree": false, "comment": "x"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = t
        .post(
            &hp,
            &format!("/api/v1/consultations/{consultation}/replies/{PHU_LOI}"),
            json!({"agree": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    let c = t
        .get(&tdm, &format!("/api/v1/consultations/{consultation}"))
        .await;
    assert_eq!(
        (
            c.body["commented"].as_i64(),
            c.body["agreed"].as_i64(),
            c.body["pending"].as_i64()
        ),
        (Some(4), Some(2), Some(12))
    );
    assert_eq!(c.body["open"], true);
    // Submitting before the deadline with units still silent: refused.
    let submission = json!({"subject": "V/v phê duyệt Kế hoạch Tổ chức \"Tuần lễ hưởng ứng học tập suốt đời năm 2021\" trên địa bàn Thành phố Thủ Dầu Một",
        "paragraphs": ["Kính trình UBND thành phố Thủ Dầu Một xem xét phê duyệt và ban hành Kế hoạch."],
        "signer": signer("", "", "Trưởng phòng", "Nguyễn Văn Chệt"), "extra_recipients": ["VP.HĐND-UBND", "Lưu: VT"], "date": "2021-09-23"});
    let r = t
        .post(
            &tdm,
            &format!("/api/v1/documents/{plan}/submit"),
            json!({"subject": "x", "signer": signer("", "", "Trưởng phòng", "A")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
    assert!(
        r.message().contains("chưa hết hạn góp ý"),
        "{}",
        r.message()
    );
    // The drafter revises after the comments (the whole content, căn cứ kept): a new version.
    let mut revised = t.get(&tdm, &format!("/api/v1/documents/{plan}")).await.body["body"].clone();
    revised["assignments"][1]["items"][0] = json!("Bố trí kinh phí tổ chức các hoạt động hưởng ứng Tuần lễ theo hướng dẫn tại Thông tư số 07/TT-BTC ngày 24/01/2018 của Bộ Tài chính.");
    let r = t
        .put(
            &tdm,
            &format!("/api/v1/documents/{plan}"),
            json!({"content": revised, "note": "Tiếp thu ý kiến của các phòng"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

    // After 22/9 the other twelve wards read as agreeing; a late answer is refused.
    at(&t.app, 2021, 9, 23, 8);
    let c = t
        .get(&tdm, &format!("/api/v1/consultations/{consultation}"))
        .await;
    assert_eq!(c.body["open"], false);
    assert_eq!(c.body["silent"], 12);
    let silent: Vec<&str> = c.body["replies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["state"] == "silent")
        .map(|r| r["unit_code"].as_str().unwrap())
        .collect();
    assert_eq!(silent.len(), 12);
    assert!(!silent.contains(&HOA_PHU) && !silent.contains(&PHU_LOI));
    let pc = t.token("phucuong").await;
    let audit = t.audit_rows().await;
    let r = t
        .post(
            &pc,
            &format!("/api/v1/consultations/{consultation}/replies/{PHU_CUONG}"),
            json!({"agree": false, "comment": "Muộn"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.message().contains("Đã hết hạn góp ý"), "{}", r.message());
    assert_eq!(t.audit_rows().await, audit);
    // The background job records the silence once.
    assert_eq!(t.app.close_due_consultations().await.unwrap(), 1);
    assert_eq!(t.app.close_due_consultations().await.unwrap(), 0);
    let c = t
        .get(&tdm, &format!("/api/v1/consultations/{consultation}"))
        .await;
    assert!(c.body["closed_at"].is_string());
    assert!(c.body["summary"]
        .as_str()
        .unwrap()
        .contains("12 không có ý kiến (xem như thống nhất)"));

    // Submission 1103/PGDĐT of 23/9 to the UBND, into its incoming register. Phòng GDĐT
    // issued 1041–1102 outside tuanle meanwhile: its register moves on first.
    let admin = t.token("admin").await;
    let r = t
        .post(
            &admin,
            &format!("/api/v1/issuers/{PGD}/register"),
            json!({"year": 2021, "last_used": 1102}),
        )
        .await;
    assert_eq!(r.body["next_number"], 1103);
    let r = t
        .post(
            &tdm,
            &format!("/api/v1/documents/{plan}/submit"),
            submission,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["status"], "submitted");
    let reg = t
        .get(&tdm, &format!("/api/v1/units/{UBND}/incoming?year=2021"))
        .await;
    assert!(
        reg.body
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["number"] == "1103/PGDĐT" && x["arrived_on"] == "2021-09-23"),
        "{:?}",
        reg.body
    );

    // Approval and issuance by the UBND on 29/9: without a signer refused, then 220/KH-UBND.
    at(&t.app, 2021, 9, 29, 9);
    let r = t
        .post(
            &tdm,
            &format!("/api/v1/documents/{plan}/review"),
            json!({"action": "approve"}),
        )
        .await;
    assert_eq!(r.body["status"], "approved", "{:?}", r.body);
    let audit = t.audit_rows().await;
    let r = t.post(&tdm, &format!("/api/v1/documents/{plan}/issue"), json!({"signer": signer("TM", "Ủy ban nhân dân", "Chủ tịch", ""), "date": "2021-09-29"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.message().contains("Người ký"), "{}", r.message());
    assert_eq!(t.audit_rows().await, audit);
    assert_eq!(
        t.get(&tdm, &format!("/api/v1/documents/{plan}")).await.body["status"],
        "approved"
    );
    let r = t.post(&tdm, &format!("/api/v1/documents/{plan}/issue"), json!({"signer": signer("TM", "Ủy ban nhân dân", "Chủ tịch", "Nguyễn Thu Cúc"), "date": "2021-09-29"})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["number"], "220/KH-UBND");
    assert_eq!(r.body["issued_on"], "2021-09-29");
    assert_eq!(
        r.body["signer_lines"],
        json!(["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"])
    );
    assert_eq!(r.body["related"].as_array().unwrap().len(), 1);

    // Distribution: every recipient in the tree registers it as incoming.
    let r = t
        .post(
            &tdm,
            &format!("/api/v1/documents/{plan}/distribute"),
            json!({"date": "2021-09-29"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body.as_array().unwrap().len(), 19);
    let reg = t
        .get(&pl, &format!("/api/v1/units/{PHU_LOI}/incoming?year=2021"))
        .await;
    let rows = reg.body.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        (
            rows[1]["arrival_number"].as_i64(),
            rows[1]["number"].as_str()
        ),
        (Some(2), Some("220/KH-UBND"))
    );
    assert_eq!(rows[1]["author"], "Ủy ban nhân dân thành phố Thủ Dầu Một");
    assert!(rows[1]["kind_and_subject"]
        .as_str()
        .unwrap()
        .starts_with("Kế hoạch Tổ chức"));
    let r = t
        .post(
            &pl,
            &format!("/api/v1/incoming/{}/pass", rows[1]["id"]),
            json!({"handler": "Giám đốc TTHTCĐ"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    // Another ward cannot see Phú Lợi's register.
    assert_eq!(
        t.get(&hp, &format!("/api/v1/units/{PHU_LOI}/incoming"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Documents out: 220/KH-UBND, the consultation letter and the tờ trình as DOCX and PDF.
    check_documents_out(&t, &tdm, plan).await;

    // Tasks and their deadlines in the cascade view of Thủ Dầu Một.
    let cascade = t
        .get(&tdm, &format!("/api/v1/campaigns/1/cascade/{TDM}"))
        .await;
    assert_eq!(cascade.status, StatusCode::OK, "{:?}", cascade.body);
    let row = |code: &str| {
        cascade.body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit_code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("row {code}"))
    };
    assert_eq!(row(UBND)["plan"]["number"], "220/KH-UBND");
    assert_eq!(row(PGD)["tasks"][0]["deadline"], "2021-10-15");
    assert_eq!(row(TDM)["tasks_total"], 18);
    assert_eq!(row(TDM)["plan"]["number"], "220/KH-UBND");
    for w in WARDS {
        let r = row(w);
        assert_eq!(r["tasks"][0]["deadline"], "2021-10-12", "{w}");
        assert_eq!(r["tasks_open"], 1);
    }
    assert_eq!(row("718-TCKH")["tasks"][0]["deadline"], Value::Null);
    // After 12/10 the wards' open tasks are overdue; a done one is not.
    at(&t.app, 2021, 10, 13, 9);
    let tasks = t
        .get(&pl, &format!("/api/v1/campaigns/1/tasks/{PHU_LOI}"))
        .await;
    let task = &tasks.body[0];
    assert_eq!(task["overdue"], true);
    let r = t
        .put(
            &pl,
            &format!("/api/v1/tasks/{}", task["id"]),
            json!({"status": "done", "evidence": "Báo cáo số 45/BC-UBND ngày 11/10/2021"}),
        )
        .await;
    assert_eq!(r.body["overdue"], false, "{:?}", r.body);
    let r = t
        .put(
            &hp,
            &format!("/api/v1/tasks/{}", task["id"]),
            json!({"status": "done"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let cascade = t
        .get(&tdm, &format!("/api/v1/campaigns/1/cascade/{TDM}"))
        .await;
    let total = &cascade.body["rows"][0];
    assert_eq!(
        (
            total["tasks_done"].as_i64(),
            total["tasks_overdue"].as_i64()
        ),
        (Some(1), Some(13))
    );

    // Every version kept: created, edited, consultation, submitted, approved, issued.
    let v = t
        .get(&tdm, &format!("/api/v1/documents/{plan}/versions"))
        .await;
    let statuses: Vec<&str> = v
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["draft", "consultation", "submitted", "approved", "issued"],
        "{:?}",
        v.body
    );

    // A ward's own plan is prefilled from 220/KH-UBND with the generated căn cứ line.
    let p = t
        .get(&pl, &format!("/api/v1/campaigns/1/plans/prefill/{PHU_LOI}"))
        .await;
    assert_eq!(p.body["parent"]["number"], "220/KH-UBND");
    assert_eq!(p.body["content"]["bases"][0], "Căn cứ Kế hoạch số 220/KH-UBND ngày 29/9/2021 của UBND thành phố về tổ chức “Tuần lễ hưởng ứng học tập suốt đời năm 2021” trên địa bàn thành phố Thủ Dầu Một;");
    assert_eq!(p.body["content"]["theme"], plan_content()["theme"]);

    // Every step left its audit rows.
    let actions: Vec<String> = t
        .app
        .store
        .audit_entries(None, 500)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    for a in [
        "record_external_document",
        "create_plan",
        "start_consultation",
        "issue_letter",
        "answer_consultation",
        "edit_document",
        "consultation_silent_consent",
        "submit_document",
        "approve_document",
        "issue_document",
        "distribute_document",
        "pass_incoming",
        "update_task",
        "set_issuer",
        "raise_register",
    ] {
        assert!(actions.iter().any(|x| x == a), "no audit row for {a}");
    }
}

/// A ward plan the ward issues itself (no approval needed).
async fn ward_draft(app: &App, ward: &str, n: usize) -> i64 {
    let actor = actor(app, &format!("bc.{ward}")).await;
    app.create_plan(
        &actor,
        tuanle_app::plans::PlanInput {
            campaign_id: 1,
            drafting_unit_code: ward.into(),
            issuer_unit_code: ward.into(),
            subject: format!("Kế hoạch thử {n}"),
            content: Some(Default::default()),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .doc
    .id
}

async fn actor(app: &App, username: &str) -> tuanle_app::Actor {
    let user = app.store.user_by_username(username).await.unwrap().unwrap();
    let unit = app.store.unit(user.unit_id).await.unwrap().unwrap();
    tuanle_app::Actor {
        user,
        unit,
        ip: None,
    }
}

fn signer_of() -> tuanle_domain::plan::Signer {
    tuanle_domain::plan::Signer {
        authority: tuanle_domain::plan::Authority::OnBehalf,
        on_behalf_of: "Ủy ban nhân dân".into(),
        title: "Chủ tịch".into(),
        name: "Trần Văn A".into(),
    }
}

#[tokio::test]
async fn concurrent_issuing_never_shares_a_number_and_numbering_restarts_each_year() {
    let t = common::spawn().await;
    at(&t.app, 2021, 12, 31, 9);
    const N: usize = 8;
    let mut ids = Vec::new();
    for n in 0..N {
        ids.push(ward_draft(&t.app, PHU_LOI, n).await);
    }
    let actor = actor(&t.app, &format!("bc.{PHU_LOI}")).await;
    let day = NaiveDate::from_ymd_opt(2021, 12, 31);
    let handles: Vec<_> = ids
        .iter()
        .map(|id| {
            let app = t.app.clone();
            let actor = actor.clone();
            let id = *id;
            tokio::spawn(async move { app.issue_document(&actor, id, signer_of(), day).await })
        })
        .collect();
    let mut numbers = Vec::new();
    for h in handles {
        let v = h.await.unwrap().expect("issued");
        numbers.push(v.doc.number.unwrap());
        assert_eq!(v.doc.issued_on, day);
    }
    numbers.sort();
    assert_eq!(
        numbers,
        (1..=N as i64).collect::<Vec<_>>(),
        "every number once, none skipped"
    );
    let v = t.app.document(&actor, ids[0]).await.unwrap();
    assert!(v.doc.number_text.unwrap().ends_with("/KH-UBND"));
    // 1 January: the register starts again at 01.
    at(&t.app, 2022, 1, 1, 8);
    let id = ward_draft(&t.app, PHU_LOI, 99).await;
    let v = t
        .app
        .issue_document(&actor, id, signer_of(), None)
        .await
        .unwrap();
    assert_eq!(v.doc.number_text.as_deref(), Some("01/KH-UBND"));
    assert_eq!(v.doc.year, Some(2022));
    // Issuing twice is refused and keeps the number.
    let e = t
        .app
        .issue_document(&actor, id, signer_of(), None)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("không thể ban hành"), "{e}");
    // A date in the future is refused.
    let id = ward_draft(&t.app, PHU_LOI, 100).await;
    let e = t
        .app
        .issue_document(&actor, id, signer_of(), NaiveDate::from_ymd_opt(2022, 1, 2))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("chưa đến"), "{e}");
}

#[tokio::test]
async fn silent_consent_is_recorded_once_by_two_instances() {
    let db = tuanle_store::testing::fresh_db().await;
    let a = App::open(&db.url).await.unwrap();
    a.build_demo().await.unwrap();
    let b = App::open(&db.url).await.unwrap();
    at(&a, 2021, 9, 15, 8);
    at(&b, 2021, 9, 23, 8);
    let id = ward_draft(&a, PHU_LOI, 1).await;
    let actor = actor(&a, "thudaumot").await;
    let letter = tuanle_app::plans::LetterInput {
        subject: "V/v góp ý dự thảo".into(),
        signer: signer_of(),
        ..Default::default()
    };
    // Thủ Dầu Một's reviewer acts for Phú Lợi and consults the ward's own TTHTCĐ.
    let c = a
        .start_consultation(
            &actor,
            id,
            &["25744-TTHTCD".into()],
            NaiveDate::from_ymd_opt(2021, 9, 22).unwrap(),
            letter,
            None,
        )
        .await
        .unwrap();
    assert_eq!(c.summary.pending, 1);
    assert_eq!(
        a.close_due_consultations().await.unwrap(),
        0,
        "not due on 15/9"
    );
    at(&a, 2021, 9, 23, 8);
    let (x, y) = tokio::join!(a.close_due_consultations(), b.close_due_consultations());
    assert_eq!(x.unwrap() + y.unwrap(), 1);
    let rows = a.store.audit_entries(None, 500).await.unwrap();
    assert_eq!(
        rows.iter()
            .filter(|r| r.action == "consultation_silent_consent")
            .count(),
        1
    );
    let v = a.consultation(&actor, c.record.id).await.unwrap();
    assert_eq!(v.summary.silent, 1);
    assert!(v.record.closed_at.is_some());
}

// ---- documents out -------------------------------------------------------------------

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?} (scripts/test.sh installs it): {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Downloads a document's DOCX or PDF through the API; checks the content type.
async fn download(t: &TestApp, token: &str, id: i64, format: &str) -> Vec<u8> {
    let res = t
        .client
        .get(t.url(&format!("/api/v1/documents/{id}/document/{format}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "document {id} {format}");
    let ct = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        ct == if format == "pdf" {
            "application/pdf"
        } else {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        },
        "{ct}"
    );
    res.bytes().await.unwrap().to_vec()
}

/// The body of a DOCX in document order as python-docx reads it (tests/readers/docx_sequence.py).
fn docx_sequence(bytes: &[u8]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.docx");
    std::fs::write(&path, bytes).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/readers/docx_sequence.py");
    serde_json::from_str(&run(Command::new("python3").arg(script).arg(&path))).unwrap()
}

/// Paragraph texts in reading order: paragraphs, and tables row by row, cell by cell.
fn flatten(seq: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for item in seq.as_array().unwrap() {
        if let Some(p) = item["p"].as_str() {
            out.push(p.trim().to_string());
        } else {
            for row in item["table"].as_array().unwrap() {
                for cell in row.as_array().unwrap() {
                    for p in cell.as_array().unwrap() {
                        out.push(p.as_str().unwrap().trim().to_string());
                    }
                }
            }
        }
    }
    out.retain(|l| !l.is_empty());
    out
}

/// Text of a PDF by pdftotext, whitespace collapsed.
fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.pdf");
    std::fs::write(&path, bytes).unwrap();
    run(Command::new("pdftotext").arg(&path).arg("-"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Finds each needle after the previous one (exact line, or a line containing it when the
/// needle starts with `~`).
fn assert_in_order(lines: &[String], needles: &[&str]) {
    let mut pos = 0;
    for n in needles {
        let found = lines[pos..].iter().position(|l| match n.strip_prefix('~') {
            Some(part) => l.contains(part),
            None => l == n,
        });
        match found {
            Some(i) => pos += i + 1,
            None => panic!(
                "\"{n}\" not found after line {pos} ({:?})\nall lines: {lines:#?}",
                lines.get(pos.saturating_sub(1))
            ),
        }
    }
}

async fn check_documents_out(t: &TestApp, tdm: &str, plan: i64) {
    // 220/KH-UBND: every element of the decree, in order.
    let seq = docx_sequence(&download(t, tdm, plan, "docx").await);
    let lines = flatten(&seq);
    assert_in_order(
        &lines,
        &[
            "ỦY BAN NHÂN DÂN",
            "THÀNH PHỐ THỦ DẦU MỘT",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Số: 220/KH-UBND",
            "Thủ Dầu Một, ngày 29 tháng 9 năm 2021",
            "KẾ HOẠCH",
            "Tổ chức “Tuần lễ hưởng ứng học tập suốt đời năm 2021” trên địa bàn thành phố Thủ Dầu Một",
            "Căn cứ Công văn số 3764/BGDĐT-GDTrH ngày 31/8/2021 của Bộ Giáo dục và Đào tạo về việc hướng dẫn tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021;",
            "Căn cứ Công văn số 1575/SGDĐT-GDTrH ngày 09/9/2021 của Sở Giáo dục và Đào tạo về việc hướng dẫn tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021;",
            "~xây dựng Kế hoạch tổ chức “Tuần lễ",
            "I. MỤC ĐÍCH, YÊU CẦU",
            "Tiếp tục đẩy mạnh phong trào học tập sâu rộng trong các tầng lớp nhân dân.",
            "II. NỘI DUNG",
            "1. Chủ đề",
            "~Chuyển đổi số và cơ hội học tập suốt đời",
            "2. Thời gian, địa điểm, hình thức tổ chức",
            "Thời gian: Từ ngày 01/10/2021 đến ngày 07/10/2021; Lễ khai mạc ngày 01 tháng 10 năm 2021.",
            "Hình thức: Trực tuyến.",
            "3. Thành phần",
            "4. Nội dung hoạt động",
            "Đẩy mạnh và đổi mới các hoạt động thông tin, tuyên truyền.",
            "III. TỔ CHỨC THỰC HIỆN",
            "1. Phòng Giáo dục và Đào tạo thành phố",
            "~trước ngày 15/10/2021.",
            "2. Phòng Tài chính - Kế hoạch thành phố",
            "3. Phòng Văn hóa và Thông tin, Đài truyền thanh thành phố",
            "4. Ủy ban nhân dân 14 phường",
            "~trước ngày 12/10/2021.",
            "Trên đây là Kế hoạch tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021 trên địa bàn thành phố Thủ Dầu Một./.",
        ],
    );
    // The header block is the first table: issuer | Quốc hiệu, Tiêu ngữ; Số | date.
    let items = seq.as_array().unwrap();
    let header = &items[0]["table"];
    assert_eq!(header[0][0][0], "ỦY BAN NHÂN DÂN");
    assert_eq!(header[0][1][0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    assert_eq!(header[1][0][0], "Số: 220/KH-UBND");
    // The signing block closes the document: Nơi nhận (left) | TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH (right).
    let last = items
        .iter()
        .rposition(|i| i.get("table").is_some())
        .unwrap();
    let closing = items
        .iter()
        .position(|i| {
            i["p"]
                .as_str()
                .is_some_and(|p| p.starts_with("Trên đây là Kế hoạch"))
        })
        .unwrap();
    assert!(last > closing, "signing block after the body");
    let cells = &items[last]["table"][0];
    let texts = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().trim().to_string())
            .filter(|x| !x.is_empty())
            .collect()
    };
    assert_eq!(
        texts(&cells[1]),
        ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Thu Cúc"]
    );
    let noi_nhan = texts(&cells[0]);
    assert_eq!(noi_nhan[0], "Nơi nhận:");
    assert_eq!(noi_nhan[1], "- Sở GDĐT tỉnh (b/c);");
    assert!(
        noi_nhan.contains(&"- Phòng Nội vụ;".to_string())
            || noi_nhan.iter().any(|l| l.contains("Nội vụ")),
        "{noi_nhan:?}"
    );
    assert_eq!(noi_nhan.last().unwrap(), "- Lưu: VT, Chi.");
    assert_eq!(noi_nhan.len(), 1 + 2 + 5 + 14 + 1, "{noi_nhan:?}");

    // The PDF says the same, with every diacritic.
    let pdf = pdf_text(&download(t, tdm, plan, "pdf").await);
    for needle in [
        "ỦY BAN NHÂN DÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 220/KH-UBND",
        "Thủ Dầu Một, ngày 29 tháng 9 năm 2021",
        "KẾ HOẠCH",
        "Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        "III. TỔ CHỨC THỰC HIỆN",
        "Ủy ban nhân dân 14 phường",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Nguyễn Thu Cúc",
        "Nơi nhận:",
        "- Lưu: VT, Chi.",
    ] {
        assert!(pdf.contains(needle), "PDF lacks \"{needle}\": {pdf}");
    }
    let order: Vec<usize> = [
        "Số: 220/KH-UBND",
        "KẾ HOẠCH",
        "I. MỤC ĐÍCH",
        "II. NỘI DUNG",
        "III. TỔ CHỨC",
        "Nguyễn Thu Cúc",
    ]
    .iter()
    .map(|n| pdf.find(n).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");

    // The consultation letter 1040/PGDĐT and the tờ trình 1103/PGDĐT: công văn with V/v.
    let docs = t.get(tdm, "/api/v1/documents").await;
    let id_of = |number: &str| {
        docs.body
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["number"] == number)
            .unwrap_or_else(|| panic!("{number}"))["id"]
            .as_i64()
            .unwrap()
    };
    let letter = flatten(&docx_sequence(
        &download(t, tdm, id_of("1040/PGDĐT"), "docx").await,
    ));
    assert_in_order(
        &letter,
        &[
            "ỦY BAN NHÂN DÂN",
            "THÀNH PHỐ THỦ DẦU MỘT",
            "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Số: 1040/PGDĐT",
            "V/v góp ý Dự thảo Kế hoạch Tổ chức “Tuần lễ hưởng ứng học tập suốt đời năm 2021” trên địa bàn thành phố Thủ Dầu Một",
            "Thủ Dầu Một, ngày 15 tháng 9 năm 2021",
            "Kính gửi:",
            "~Phòng GDĐT thành phố đề nghị",
            "Nơi nhận:",
            "- UBND thành phố (b/c);",
            "- Lưu: VT.",
            "TRƯỞNG PHÒNG",
            "Nguyễn Văn Chệt",
        ],
    );
    assert!(!letter.iter().any(|l| l.contains("V/v V/v")));
    let submission = flatten(&docx_sequence(
        &download(t, tdm, id_of("1103/PGDĐT"), "docx").await,
    ));
    assert_in_order(
        &submission,
        &[
            "PHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
            "Số: 1103/PGDĐT",
            "~V/v phê duyệt Kế hoạch",
            "Thủ Dầu Một, ngày 23 tháng 9 năm 2021",
            "~Kính gửi:",
            "~Kính trình UBND thành phố Thủ Dầu Một",
            "Nơi nhận:",
            "- VP.HĐND-UBND;",
            "TRƯỞNG PHÒNG",
        ],
    );
    let pdf = pdf_text(&download(t, tdm, id_of("1103/PGDĐT"), "pdf").await);
    assert!(
        pdf.contains("Số: 1103/PGDĐT") && pdf.contains("V/v phê duyệt Kế hoạch"),
        "{pdf}"
    );

    // Outside the subtree: 404 as if it did not exist; an unknown format: 404.
    let q7 = t.token("quan7").await;
    let r = t
        .get(&q7, &format!("/api/v1/documents/{plan}/document/docx"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = t
        .get(tdm, &format!("/api/v1/documents/{plan}/document/odt"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // An external document has no layout of ours: its attached file is the document.
    let ext = docs
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["external"] == true)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = t
        .get(tdm, &format!("/api/v1/documents/{ext}/document/pdf"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
}
