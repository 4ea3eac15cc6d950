//! What the schemathesis contract run (scripts/api_contract.sh, issue 7 item 4) found, kept
//! as regression tests: every error status an operation can return is in the OpenAPI
//! document with the error body, and malformed input gets a 4xx with a Vietnamese message,
//! never a 5xx. On SQLite and PostgreSQL (`TUANLE_TEST_DB`).

mod common;

use common::{spawn, TestApp, CAMPAIGN};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The document's operation `method path`.
async fn operation(t: &TestApp, method: &str, path: &str) -> Value {
    let doc: Value = t
        .client
        .get(t.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    doc["paths"][path][method].clone()
}

/// Asserts that `method path` documents `status` with the error body.
async fn documents(t: &TestApp, method: &str, path: &str, status: StatusCode) {
    let op = operation(t, method, path).await;
    let r = &op["responses"][status.as_str()];
    assert!(r.is_object(), "{method} {path} documents {status}");
    let schema = &r["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(
        schema, "#/components/schemas/ErrorBody",
        "{method} {path} {status}: error body"
    );
}

/// Sends `body` as raw bytes with `content_type`.
async fn send_raw(
    t: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    content_type: &str,
    body: &str,
) -> (StatusCode, Value) {
    let res = t
        .client
        .request(method, t.url(path))
        .bearer_auth(token)
        .header("Content-Type", content_type)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn every_operation_documents_the_errors_of_its_extractors() {
    let t = spawn().await;
    let doc: Value = t
        .client
        .get(t.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let in_path = params.iter().any(|p| p["in"] == "path");
            let json_body = op["requestBody"]["content"]["application/json"].is_object();
            let mut expected = vec![];
            if in_path {
                expected.extend(["400", "404"]);
            }
            if json_body {
                expected.extend(["400", "413", "415", "422"]);
            }
            if op.get("security").is_some() {
                expected.push("401");
            }
            for status in expected {
                assert!(
                    op["responses"][status].is_object(),
                    "{method} {path} documents {status}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 150, "checked {checked} responses");
}

#[tokio::test]
async fn json_bodies_that_are_not_objects_are_422_in_vietnamese() {
    let t = spawn().await;
    let token = t.token("admin").await;
    for body in ["[]", "42", "\"chuỗi\"", "null", "true"] {
        let (status, answer) = send_raw(
            &t,
            &token,
            reqwest::Method::POST,
            "/api/v1/campaigns",
            "application/json",
            body,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "body {body}");
        assert_eq!(answer["error"]["code"], "invalid", "body {body}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Dữ liệu JSON không đúng cấu trúc"),
            "body {body}: {answer}"
        );
    }
    documents(
        &t,
        "post",
        "/api/v1/campaigns",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    // Not JSON at all, and JSON sent as text/plain.
    let (status, answer) = send_raw(
        &t,
        &token,
        reqwest::Method::POST,
        "/api/v1/campaigns",
        "application/json",
        "{không phải json",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Nội dung không phải JSON hợp lệ"));
    documents(&t, "post", "/api/v1/campaigns", StatusCode::BAD_REQUEST).await;
    let (status, answer) = send_raw(
        &t,
        &token,
        reqwest::Method::POST,
        "/api/v1/campaigns",
        "text/plain",
        "{}",
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Cần gửi dữ liệu JSON"));
    documents(
        &t,
        "post",
        "/api/v1/campaigns",
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
}

#[tokio::test]
async fn huge_and_odd_path_parameters_are_400_documented() {
    let t = spawn().await;
    let token = t.token("admin").await;
    let path = "/api/v1/campaigns/{id}/reports/{code}/photos/{photo_id}";
    for id in ["9223372036854775808", "-1e3", "%00", "mot"] {
        let a = t
            .get(
                &token,
                &format!("/api/v1/campaigns/{CAMPAIGN}/reports/27490/photos/{id}"),
            )
            .await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "photo id {id}");
        assert!(
            a.message()
                .starts_with("Tham số trên đường dẫn không hợp lệ"),
            "photo id {id}: {}",
            a.message()
        );
    }
    documents(&t, "get", path, StatusCode::BAD_REQUEST).await;
    documents(&t, "delete", path, StatusCode::BAD_REQUEST).await;
    // An id that parses but names nothing.
    let a = t.get(&token, "/api/v1/campaigns/9223372036854775807").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    documents(&t, "get", "/api/v1/campaigns/{id}", StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn multipart_without_boundary_is_400_documented() {
    let t = spawn().await;
    let token = t.token("admin").await;
    let (status, answer) = send_raw(
        &t,
        &token,
        reqwest::Method::POST,
        "/api/v1/documents/external",
        "multipart/form-data",
        "",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Dữ liệu multipart không hợp lệ"));
    documents(
        &t,
        "post",
        "/api/v1/documents/external",
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[tokio::test]
async fn prefill_for_an_unknown_unit_is_422_documented() {
    let t = spawn().await;
    let token = t.token("admin").await;
    let a = t
        .get(
            &token,
            &format!("/api/v1/campaigns/{CAMPAIGN}/plans/prefill/0"),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.message().contains("không có đơn vị mã"),
        "{}",
        a.message()
    );
    documents(
        &t,
        "get",
        "/api/v1/campaigns/{id}/plans/prefill/{code}",
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[tokio::test]
async fn token_issuance_lock_out_is_429_documented() {
    let t = spawn().await;
    let mut last = None;
    for _ in 0..6 {
        let a = t
            .call(
                reqwest::Method::POST,
                None,
                "/api/v1/auth/token",
                Some(json!({"username": "tanphong", "password": "sai-mat-khau"})),
            )
            .await;
        last = Some(a);
    }
    let a = last.unwrap();
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(a.code(), "too_many_attempts");
    documents(
        &t,
        "post",
        "/api/v1/auth/token",
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
}

#[tokio::test]
async fn nul_characters_in_json_strings_are_422_not_500() {
    let t = spawn().await;
    let token = t.token("admin").await;
    // PostgreSQL cannot store NUL in text: this was a 500 there.
    let a = t
        .post(
            &token,
            "/api/v1/units",
            json!({"parent_code": "H\u{0}i", "name": "Phường Tân Thuận Đông", "unit_type": "Trường THCS"}),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", a.body);
    assert!(a.message().contains("ký tự NUL"), "{}", a.message());
    // In a key too, and deep in a report's figures.
    let a = t
        .put(
            &token,
            &t.report("27490"),
            json!({"action": "save", "figures": {"1.01\u{0}": {"count": 1}}}),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", a.body);
    assert!(a.message().contains("ký tự NUL"), "{}", a.message());
    // A wrong type still names the field.
    let a = t
        .post(&token, "/api/v1/campaigns", json!({"year": "hai nghìn"}))
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        a.message().starts_with("Dữ liệu JSON không đúng cấu trúc"),
        "{}",
        a.message()
    );
}

#[tokio::test]
async fn nul_characters_in_paths_and_queries_are_400_not_500() {
    let t = spawn().await;
    let token = t.token("admin").await;
    for path in [
        "/api/v1/units/%00".to_string(),
        format!("/api/v1/campaigns/{CAMPAIGN}/reports/27%0090"),
        format!("/api/v1/campaigns/{CAMPAIGN}/tasks/%00"),
    ] {
        let a = t.get(&token, &path).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{path}: {:?}", a.body);
        assert!(a.message().contains("ký tự NUL"), "{path}: {}", a.message());
    }
    let a = t.get(&token, "/api/v1/units?q=T%00").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{:?}", a.body);
    assert!(a.message().starts_with("Tham số truy vấn không hợp lệ"));
    documents(&t, "get", "/api/v1/units", StatusCode::BAD_REQUEST).await;
    documents(&t, "get", "/api/v1/units/{code}", StatusCode::BAD_REQUEST).await;
}
