//! Workbooks over HTTP: the links on the report and consolidation pages, the upload form
//! with its summary page, and the API (download, multi-file upload, CSV, oversized upload).

mod common;

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use tuanle_domain::template::Template;
use tuanle_sheets::read::open_workbook;
use tuanle_sheets::write::{cell_ref, HEADER_ROW};

use common::csrf;

async fn login(t: &common::TestApp, username: &str) -> reqwest::Client {
    t.browser_login(username).await
}

/// A download through the page client: (content type, bytes).
async fn download(b: &reqwest::Client, url: &str) -> (String, Vec<u8>) {
    let r = b.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    (ct, r.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_report_and_consolidation_pages_offer_downloads_and_an_upload() {
    let t = common::spawn().await;
    let b = login(&t, "quan7").await;
    let report = b
        .get(t.url("/campaigns/1/reports/27490"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        report.contains("data-test=\"workbook-prefilled\""),
        "{report}"
    );
    assert!(report.contains("/campaigns/1/reports/27490/workbook?blank=1"));
    assert!(report.contains("data-test=\"workbook-upload\""));
    let cons = b
        .get(t.url("/campaigns/1/consolidation/778"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        cons.contains("/campaigns/1/consolidation/778/workbook?basis=submitted"),
        "{cons}"
    );
    assert!(cons.contains("data-test=\"workbooks-upload\""));
    let (ct, xlsx) = download(
        &b,
        &t.url("/campaigns/1/consolidation/778/workbook?basis=submitted"),
    )
    .await;
    assert!(ct.starts_with("application/vnd.openxmlformats"), "{ct}");
    assert!(xlsx.starts_with(b"PK"));
    let (ct, csv) = download(
        &b,
        &t.url("/campaigns/1/consolidation/778/csv?part=completeness"),
    )
    .await;
    assert!(ct.starts_with("text/csv"));
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.contains("27490,Phường Tân Phong,Chưa có báo cáo,,false"),
        "{csv}"
    );

    // Upload: the prefilled workbook of Tân Thuận Đông (unchanged) and a text file.
    let (_, wb) = download(&b, &t.url("/campaigns/1/reports/27466/workbook")).await;
    let page = b
        .get(t.url("/campaigns/1/consolidation/778"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form = Form::new()
        .text("csrf_token", csrf(&page))
        .text("action", "submit")
        .text("back", "/campaigns/1/consolidation/778")
        .part("files", Part::bytes(wb).file_name("tan-thuan-dong.xlsx"))
        .part(
            "files",
            Part::bytes(b"xin chao".to_vec()).file_name("ghi-chu.txt"),
        );
    let r = b
        .post(t.url("/campaigns/1/workbooks"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("tan-thuan-dong.xlsx") && html.contains("Phường Tân Thuận Đông (27466)"),
        "{html}"
    );
    assert!(html.contains("Không thay đổi"), "{html}");
    assert!(
        html.contains("ghi-chu.txt") && html.contains("không phải tệp Excel (.xlsx)"),
        "{html}"
    );
    assert!(html.contains("href=\"/campaigns/1/consolidation/778\""));
}

#[tokio::test]
async fn the_api_downloads_imports_many_files_and_names_bad_cells() {
    let t = common::spawn().await;
    let token = t.token("quan7").await;
    let get = |path: &str| t.client.get(t.url(path)).bearer_auth(&token).send();
    let r = get("/api/v1/campaigns/1/reports/27490/workbook?blank=true")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["content-disposition"].to_str().unwrap(),
        "attachment; filename=\"bao-cao-2021-27490-mau-trong.xlsx\""
    );
    let blank = r.bytes().await.unwrap().to_vec();
    assert!(open_workbook(&blank).unwrap().metadata.is_some());
    let r = get("/api/v1/campaigns/1/reports/27493/workbook")
        .await
        .unwrap();
    let ward = r.bytes().await.unwrap().to_vec();
    // A hand-built workbook with a bad cell: text where a number belongs.
    let tpl = Template::builtin_2021();
    let row = HEADER_ROW + 1 + tpl.row_index("1.01").unwrap() as u32;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(1, 0, "Đơn vị: Phường Tân Phong (mã 27490)")
        .unwrap();
    for (c, h) in [
        "STT",
        "Các hoạt động",
        "Đơn vị",
        "Số lớp/số cuộc thi",
        "Người",
        "Ghi chú",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(HEADER_ROW, c as u16, *h).unwrap();
    }
    for (i, ind) in tpl.indicators.iter().enumerate() {
        ws.write_string(HEADER_ROW + 1 + i as u32, 1, &ind.label)
            .unwrap();
    }
    ws.write_string(row, 3, "12 lớp").unwrap();
    let hand = wb.save_to_buffer().unwrap();
    let form = Form::new()
        .part("files", Part::bytes(ward).file_name("phu-my.xlsx"))
        .part(
            "files",
            Part::bytes(hand).file_name("tan-phong-tu-lam.xlsx"),
        );
    let r = t
        .client
        .post(t.url("/api/v1/campaigns/1/workbooks?action=save"))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let s: serde_json::Value = r.json().await.unwrap();
    assert_eq!(s["failed"], 1, "{s}");
    let bad = &s["files"][1];
    assert_eq!(bad["unit_code"], "27490");
    assert_eq!(bad["result"], "failed");
    let want = format!(
        "Sheet1!{}: \"12 lớp\" không phải số nguyên",
        cell_ref(row, 3)
    );
    assert!(bad["errors"][0].as_str().unwrap().starts_with(&want), "{s}");
    // An upload over the limit names the file and imports nothing.
    let before = t.audit_rows().await;
    let huge = vec![b'x'; tuanle_web::BODY_LIMIT + 1024];
    let form = Form::new().part("files", Part::bytes(huge).file_name("qua-lon.xlsx"));
    let r = t
        .client
        .post(t.url("/api/v1/campaigns/1/workbooks"))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: serde_json::Value = r.json().await.unwrap();
    let m = e["error"]["message"].as_str().unwrap();
    assert!(
        m.starts_with("qua-lon.xlsx: dữ liệu tải lên quá lớn"),
        "{m}"
    );
    assert_eq!(t.audit_rows().await, before);
    // CSV of the consolidation for machines.
    let r = get("/api/v1/campaigns/1/consolidation/778/csv?part=children")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    assert!(
        csv.starts_with("unit_code,unit_name,1:count,1.0:people,1.01:count,1.01:people"),
        "{csv}"
    );
    let r = get("/api/v1/campaigns/1/consolidation/778/csv?part=nope")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Outside the subtree: 404 as for every other read.
    let r = get("/api/v1/campaigns/1/consolidation/718/workbook")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
