//! Plans down the tree through the HTML pages, as a browser does it (cookies, CSRF token
//! of each form, redirects): the plan form, consultation with an answer and silent
//! consent, tờ trình, approval, issuance with its number, downloads, distribution into the
//! incoming register, passing it on, the cascade view and an overdue task updated.

mod common;

use chrono::{TimeZone, Utc};
use common::seed_004::{OFFICES, OFFICE_PASSWORD, WARDS};
use reqwest::StatusCode;
use tuanle_app::App;

const CAMPAIGN: i64 = common::CAMPAIGN;
/// The issuance form of 220/KH-UBND: TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH Nguyễn Thu Cúc, 29/9/2021.
const UBND_SIGNS_ON_29_9: [(&str, &str); 5] = [
    ("authority", "TM"),
    ("on_behalf_of", "Ủy ban nhân dân"),
    ("title", "Chủ tịch"),
    ("signer_name", "Nguyễn Thu Cúc"),
    ("date", "2021-09-29"),
];
const PGD: &str = "718-PHONGGDDT";
const UBND: &str = "718-UBND";
const HOA_PHU: &str = "25760";
const PHU_LOI: &str = "25744";

fn at(app: &App, y: i32, m: u32, d: u32, h: u32) {
    let t = Utc.with_ymd_and_hms(y, m, d, h, 0, 0).single().unwrap() - chrono::Duration::hours(7);
    app.set_clock(Some(t));
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .unwrap()
}

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let at = html.find(start)? + start.len();
    let rest = &html[at..];
    Some(&rest[..rest.find(end)?])
}

fn csrf(html: &str) -> String {
    between(html, "name=\"csrf_token\" value=\"", "\"")
        .expect("page has a CSRF field")
        .to_string()
}

struct Visitor {
    b: reqwest::Client,
    base: String,
}

impl Visitor {
    async fn login(t: &common::TestApp, username: &str) -> Visitor {
        Visitor::login_with(t, username, common::PASSWORD).await
    }

    async fn login_with(t: &common::TestApp, username: &str, password: &str) -> Visitor {
        let v = Visitor {
            b: browser(),
            base: t.base.clone(),
        };
        let page = v.get("/login").await.1;
        let r =
            v.b.post(format!("{}/login", v.base))
                .form(&[
                    ("username", username),
                    ("password", password),
                    ("csrf_token", &csrf(&page)),
                ])
                .send()
                .await
                .unwrap();
        let status = r.status();
        let page = r.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "sign-in of {username}: {page}");
        assert!(page.contains("data-test=\"current-user\""));
        v
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .b
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// Posts a form; returns the status, the final path (after redirects) and the page.
    async fn post(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String, String) {
        let r = self
            .b
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let url = r.url().path().to_string();
        (status, url, r.text().await.unwrap())
    }

    /// Posts a form with the CSRF token of the page at `page`.
    async fn submit(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let (s, html) = self.get(page).await;
        assert_eq!(s, StatusCode::OK, "{page}: {html}");
        let token = csrf(&html);
        let mut form = vec![("csrf_token", token.as_str())];
        form.extend_from_slice(fields);
        self.post(action, &form).await
    }

    /// Sends the draft at `doc_path` for comments with the consult form's `fields`; checks
    /// the draft is now "Đang lấy ý kiến" and returns the consultation's page path.
    async fn consult(&self, doc_path: &str, fields: &[(&str, &str)]) -> String {
        let (s, _, page) = self
            .submit(doc_path, &format!("{doc_path}/consult"), fields)
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(page.contains("Đang lấy ý kiến"), "{page}");
        format!(
            "/consultations/{}",
            between(&page, "href=\"/consultations/", "\"").expect("a consultation link")
        )
    }

    /// Posts the form at `page` as multipart (as a browser sends a form with a file input),
    /// with its CSRF token, the text fields and one file.
    async fn submit_multipart(
        &self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, Vec<u8>),
    ) -> (StatusCode, String, String) {
        let (s, html) = self.get(page).await;
        assert_eq!(s, StatusCode::OK, "{page}: {html}");
        let mut form = reqwest::multipart::Form::new().text("csrf_token", csrf(&html));
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        let (name, file_name, data) = file;
        form = form.part(
            name.to_string(),
            reqwest::multipart::Part::bytes(data).file_name(file_name.to_string()),
        );
        let r = self
            .b
            .post(format!("{}{action}", self.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let url = r.url().path().to_string();
        (status, url, r.text().await.unwrap())
    }
}

#[tokio::test]
async fn plan_trail_through_the_pages() {
    let t = common::spawn().await;
    at(&t.app, 2021, 9, 15, 8);
    let tdm = Visitor::login(&t, "thudaumot").await;

    // Dashboard and unit page lead to the plans pages.
    let (_, home) = tdm.get("/").await;
    assert!(home.contains("data-test=\"my-documents\""), "{home}");
    assert!(home.contains(&format!("/campaigns/{CAMPAIGN}/cascade/718")));
    let (_, unit) = tdm.get(&format!("/units/{PGD}")).await;
    assert!(unit.contains(&format!("href=\"/units/{PGD}/documents\"")));
    let (s, docs) = tdm.get(&format!("/units/{PGD}/documents")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(docs.contains(&format!("/campaigns/{CAMPAIGN}/plans/new/{PGD}")));

    // The plan form; without the CSRF token nothing is created.
    let form_path = format!("/campaigns/{CAMPAIGN}/plans/new/{PGD}");
    let (s, form) = tdm.get(&form_path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("data-test=\"prefill\""));
    assert!(form.contains(&format!("value=\"{UBND}\"")), "issuer choice");
    let assignments = format!(
        "## Phòng Giáo dục và Đào tạo thành phố [{PGD}]\n- Tổng hợp, báo cáo về UBND thành phố trước ngày 15/10/2021.\n\n## Ủy ban nhân dân các phường [{PHU_LOI}, {HOA_PHU}]\n- Báo cáo kết quả về phòng Giáo dục và đào tạo thành phố trước ngày **12/10/2021**."
    );
    let fields = [
        ("subject", "Tổ chức “Tuần lễ hưởng ứng học tập suốt đời năm 2021” trên địa bàn thành phố Thủ Dầu Một"),
        ("issuer", UBND),
        ("bases", "Căn cứ Công văn số 1575/SGDĐT-GDTrH ngày 09/9/2021 của Sở Giáo dục và Đào tạo;"),
        ("purpose", "Đẩy mạnh phong trào học tập suốt đời."),
        ("theme", "Chuyển đổi số và cơ hội học tập suốt đời"),
        ("start_date", "2021-10-01"),
        ("end_date", "2021-10-07"),
        ("activities", "Tuyên truyền\nHội thảo"),
        ("assignments", assignments.as_str()),
        ("u_25744", "on"),
        ("u_25760", "on"),
        ("outside", "Sở GDĐT tỉnh (b/c)\nLưu: VT, Chi."),
    ];
    let audit = t.audit_rows().await;
    let mut bad = vec![("csrf_token", "sai")];
    bad.extend_from_slice(&fields);
    let (s, _, _) = tdm.post(&form_path, &bad).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(t.audit_rows().await, audit);
    // Dates out of order: the form comes back with the message and what was typed.
    let mut wrong = fields.to_vec();
    wrong[6] = ("end_date", "2021-09-30");
    let (s, _, page) = tdm.submit(&form_path, &form_path, &wrong).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("ngày kết thúc trước ngày bắt đầu"), "{page}");
    assert!(page.contains("Chuyển đổi số và cơ hội học tập suốt đời"));
    assert_eq!(t.audit_rows().await, audit);
    let (s, url, page) = tdm.submit(&form_path, &form_path, &fields).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let doc = url
        .strip_prefix("/documents/")
        .expect("redirected to the document")
        .to_string();
    let doc_path = format!("/documents/{doc}");
    assert!(page.contains("Dự thảo"), "{page}");
    assert!(page.contains("data-test=\"consult-form\""));
    // The national viewer and a ward's reporter (a recipient: it reads the draft) may not
    // author for the Phòng: the forms are refused with the Vietnamese error page, before
    // anything is shown to fill in.
    let viewer = Visitor::login(&t, "bo.xem").await;
    let ward = Visitor::login(&t, &format!("bc.{HOA_PHU}")).await;
    let edit_path = format!("{doc_path}/edit");
    assert_eq!(ward.get(&doc_path).await.0, StatusCode::OK);
    for (who, path) in [
        (&viewer, &form_path),
        (&viewer, &edit_path),
        (&ward, &edit_path),
    ] {
        let (s, page) = who.get(path).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}: {page}");
        assert!(
            page.contains("Bạn không có quyền thực hiện thay cho"),
            "{page}"
        );
        assert!(!page.contains("name=\"assignments\""), "{page}");
    }
    let (s, page) = tdm.get(&format!("{doc_path}/edit")).await;
    assert_eq!(s, StatusCode::OK, "{page}");

    // Consultation of Hòa Phú and Phú Lợi until 22/9.
    let c_path = tdm
        .consult(
            &doc_path,
            &[
                ("u_25744", "on"),
                ("u_25760", "on"),
                ("deadline", "2021-09-22"),
                (
                    "letter_subject",
                    "V/v góp ý Dự thảo Kế hoạch tổ chức Tuần lễ",
                ),
                ("paragraphs", "Đề nghị góp ý trước ngày 22/9/2021."),
                ("extra", "Lưu: VT"),
                ("title", "Trưởng phòng"),
                ("signer_name", "Nguyễn Văn Chệt"),
                ("date", "2021-09-15"),
            ],
        )
        .await;

    // Hòa Phú answers from its own login, with its comments as a PDF (multipart form).
    let hp = Visitor::login(&t, &format!("bc.{HOA_PHU}")).await;
    let (s, page) = hp.get(&c_path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("data-test=\"answer-form\""));
    assert!(page.contains("enctype=\"multipart/form-data\""), "{page}");
    let answer = [
        ("unit", HOA_PHU),
        ("agree", "no"),
        ("comment", "Đề nghị bổ sung lớp tin học"),
    ];
    // A file that is not a PDF (by content, whatever its name) is refused; nothing recorded.
    let (s, _, page) = hp
        .submit_multipart(
            &c_path,
            &format!("{c_path}/answer"),
            &answer,
            ("file", "gop-y.pdf", b"<html>not a pdf</html>".to_vec()),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("data-test=\"error\""), "{page}");
    assert!(
        page.contains("data-test=\"answer-form\""),
        "still open to answer: {page}"
    );
    let pdf = common::pdf_bytes();
    let (s, _, page) = hp
        .submit_multipart(
            &c_path,
            &format!("{c_path}/answer"),
            &answer,
            ("file", "gop-y-hoa-phu.pdf", pdf.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("1 có ý kiến"), "{page}");
    assert!(page.contains("Đề nghị bổ sung lớp tin học"), "{page}");
    assert!(
        page.contains("15/09/2021"),
        "answered on, dd/mm/yyyy: {page}"
    );
    let file_link = format!("{c_path}/replies/{HOA_PHU}/file");
    assert!(page.contains(&format!("href=\"{file_link}\"")), "{page}");
    // The drafter downloads the very file Hòa Phú sent.
    let r = tdm
        .b
        .get(format!("{}{file_link}", tdm.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.bytes().await.unwrap().as_ref(), pdf.as_slice());

    // After the deadline Phú Lợi's silence reads as consent, visibly; its late answer is refused.
    at(&t.app, 2021, 9, 23, 8);
    // Days later: the sessions of 15/09 have expired (idle timeout), sign in again.
    let tdm = Visitor::login(&t, "thudaumot").await;
    let (_, page) = tdm.get(&c_path).await;
    assert!(page.contains("data-test=\"silent\""), "{page}");
    assert!(page.contains("Không có ý kiến, xem như thống nhất"));
    let pl = Visitor::login(&t, &format!("bc.{PHU_LOI}")).await;
    let (_, page) = pl.get(&c_path).await;
    assert!(!page.contains("data-test=\"answer-form\""));
    let (s, _, page) = pl
        .submit(
            &c_path,
            &format!("{c_path}/answer"),
            &[("unit", PHU_LOI), ("agree", "no"), ("comment", "Muộn")],
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(page.contains("Đã hết hạn góp ý"), "{page}");

    // Tờ trình, approval, issuance (refused without a signer), distribution.
    let (s, _, page) = tdm
        .submit(
            &doc_path,
            &format!("{doc_path}/submit"),
            &[
                ("letter_subject", "V/v phê duyệt Kế hoạch"),
                ("paragraphs", "Kính trình UBND thành phố xem xét phê duyệt."),
                ("title", "Trưởng phòng"),
                ("signer_name", "Nguyễn Văn Chệt"),
                ("date", "2021-09-23"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Đã trình"), "{page}");
    at(&t.app, 2021, 9, 29, 9);
    let tdm = Visitor::login(&t, "thudaumot").await;
    let pl = Visitor::login(&t, &format!("bc.{PHU_LOI}")).await;
    let hp = Visitor::login(&t, &format!("bc.{HOA_PHU}")).await;
    let (s, _, page) = tdm
        .submit(
            &doc_path,
            &format!("{doc_path}/review"),
            &[("action", "approve")],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Đã phê duyệt"), "{page}");
    let audit = t.audit_rows().await;
    let (s, _, page) = tdm
        .submit(
            &doc_path,
            &format!("{doc_path}/issue"),
            &[
                ("authority", "TM"),
                ("on_behalf_of", "Ủy ban nhân dân"),
                ("title", "Chủ tịch"),
                ("date", "2021-09-29"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Người ký"), "{page}");
    assert_eq!(t.audit_rows().await, audit);
    let (s, _, page) = tdm
        .submit(&doc_path, &format!("{doc_path}/issue"), &UBND_SIGNS_ON_29_9)
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let number = between(&page, "data-test=\"number\">", "<")
        .unwrap()
        .to_string();
    assert!(number.ends_with("/KH-UBND"), "{number}");
    assert!(page.contains("TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH / Nguyễn Thu Cúc"));
    assert!(page.contains("29/09/2021"));
    for (format, ct) in [
        (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("pdf", "application/pdf"),
    ] {
        let r = tdm
            .b
            .get(t.url(&format!("{doc_path}/document/{format}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], ct);
    }
    let (s, _, page) = tdm
        .submit(
            &doc_path,
            &format!("{doc_path}/distribute"),
            &[("date", "2021-09-29")],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Đã gửi"), "{page}");

    // Phú Lợi's incoming register: the letter and the plan; it passes the plan on.
    let reg = format!("/units/{PHU_LOI}/incoming?year=2021");
    let (s, page) = pl.get(&reg).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(&number), "{page}");
    assert!(page.contains("Số đến") && page.contains("Ngày đến"));
    let pass = between(&page, "action=\"/incoming/", "\"")
        .unwrap()
        .to_string();
    let (s, url, page) = pl
        .submit(
            &reg,
            &format!("/incoming/{pass}"),
            &[("handler", "Giám đốc TTHTCĐ")],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(url, format!("/units/{PHU_LOI}/incoming"));
    assert!(page.contains("Giám đốc TTHTCĐ"));
    // Another ward cannot read Phú Lợi's register.
    let (s, _) = hp.get(&reg).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The cascade view of Thủ Dầu Một: the plan with its number and date, and the tasks.
    let (s, page) = tdm.get(&format!("/campaigns/{CAMPAIGN}/cascade/718")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains(&format!("Số {number} ngày 29/09/2021")),
        "{page}"
    );
    assert!(page.contains(&format!("href=\"/documents/{doc}\"")));

    // 13/10: Phú Lợi's task is overdue and stands out; done, it no longer is.
    at(&t.app, 2021, 10, 13, 9);
    let tdm = Visitor::login(&t, "thudaumot").await;
    let pl = Visitor::login(&t, &format!("bc.{PHU_LOI}")).await;
    let tasks = format!("/campaigns/{CAMPAIGN}/tasks/{PHU_LOI}");
    let (_, page) = pl.get(&tasks).await;
    assert!(page.contains("data-test=\"overdue\""), "{page}");
    assert!(page.contains("12/10/2021"));
    let task = between(&page, "action=\"/tasks/", "\"")
        .unwrap()
        .to_string();
    let (s, url, page) = pl
        .submit(
            &tasks,
            &format!("/tasks/{task}"),
            &[
                ("campaign", "1"),
                ("back", PHU_LOI),
                ("status", "done"),
                ("progress", "100"),
                ("evidence", "Báo cáo số 45/BC-UBND ngày 11/10/2021"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(url, tasks);
    assert!(!page.contains("data-test=\"overdue\""), "{page}");
    assert!(page.contains("Báo cáo số 45/BC-UBND"));
    let (_, page) = tdm.get(&format!("/campaigns/{CAMPAIGN}/cascade/718")).await;
    assert!(
        page.contains("quá hạn"),
        "Hòa Phú's task is still overdue: {page}"
    );
}

/// The first checkbox name `u_<code>` inside a folded list of units below a recipient.
fn first_unit_below(form: &str) -> String {
    let folded = &form[form
        .find("<details class=\"below\">")
        .expect("units below offered")..];
    between(folded, "name=\"u_", "\"").unwrap().to_string()
}

#[tokio::test]
async fn external_documents_issuer_settings_and_appendices_through_the_pages() {
    let t = common::spawn().await;
    at(&t.app, 2021, 9, 10, 8);

    // Cơ quan ban hành: an administrator of Quận 7 sets its ký hiệu and heading, and
    // records the numbers used outside tuanle; a reporter may not open the page.
    let admin = Visitor::login(&t, "quan7.admin").await;
    let issuer_path = "/units/778/issuer";
    let (s, page) = admin.get(issuer_path).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("data-test=\"derived\""), "{page}");
    assert!(page.contains("chưa cấp số nào"), "{page}");
    let settings = [
        ("action", "save"),
        ("abbreviation", "UBND"),
        ("header_lines", "ỦY BAN NHÂN DÂN\nQUẬN 7"),
        ("cited_name", "UBND Quận 7"),
        ("place", "Quận 7"),
    ];
    let audit = t.audit_rows().await;
    let mut empty = settings.to_vec();
    empty[1] = ("abbreviation", "");
    let (s, _, page) = admin.submit(issuer_path, issuer_path, &empty).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("Ký hiệu cơ quan"), "{page}");
    assert!(page.contains("QUẬN 7"), "what was typed stays: {page}");
    assert_eq!(t.audit_rows().await, audit, "nothing stored");
    let (s, url, page) = admin.submit(issuer_path, issuer_path, &settings).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(url, issuer_path);
    assert!(page.contains("data-test=\"saved\""), "{page}");
    assert!(!page.contains("data-test=\"derived\""), "{page}");
    assert!(page.contains("value=\"UBND Quận 7\""), "{page}");
    let raise = |n: &'static str| [("action", "raise"), ("year", "2021"), ("last_used", n)];
    let (s, _, page) = admin.submit(issuer_path, issuer_path, &raise("219")).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains("Số cuối đã cấp: <strong>219</strong>"),
        "{page}"
    );
    assert!(page.contains("220/…-UBND"), "{page}");
    let (s, _, page) = admin.submit(issuer_path, issuer_path, &raise("100")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("không thể lùi về 100"), "{page}");
    assert!(
        page.contains("Số cuối đã cấp: <strong>219</strong>"),
        "{page}"
    );
    let (s, _, page) = admin.submit(issuer_path, issuer_path, &raise("abc")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("&#34;abc&#34; không phải số"), "{page}");
    // Outside a ward reporter's subtree: not found; the district's reviewer (not an
    // administrator) is refused.
    let reporter = Visitor::login(&t, "tanphong").await;
    assert_eq!(reporter.get(issuer_path).await.0, StatusCode::NOT_FOUND);
    let reviewer = Visitor::login(&t, "quan7").await;
    assert_eq!(reviewer.get(issuer_path).await.0, StatusCode::FORBIDDEN);

    // Văn bản bên ngoài: the Ministry's letter recorded with its PDF (multipart form).
    let tdm = Visitor::login(&t, "thudaumot").await;
    let ext = "/documents/external";
    let (s, page) = tdm.get(ext).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("data-test=\"external-form\""), "{page}");
    let letter = [
        ("kind", "CV"),
        ("number", "3764/BGDĐT-GDTX"),
        ("date", "2021-08-31"),
        ("issuer", "Bộ Giáo dục và Đào tạo"),
        (
            "subject",
            "Về việc hướng dẫn tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        ),
    ];
    let pdf = common::pdf_bytes();
    let audit = t.audit_rows().await;
    let (s, _, page) = tdm
        .submit_multipart(ext, ext, &letter, ("pdf", "3764.pdf", b"GIF89a".to_vec()))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("value=\"3764/BGDĐT-GDTX\""),
        "typed values kept: {page}"
    );
    let mut bad_date = letter.to_vec();
    bad_date[2] = ("date", "31/13/2021");
    let (s, _, page) = tdm
        .submit_multipart(ext, ext, &bad_date, ("pdf", "3764.pdf", pdf.clone()))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Ngày văn bản"), "{page}");
    assert_eq!(t.audit_rows().await, audit, "nothing stored");
    let (s, url, page) = tdm
        .submit_multipart(ext, ext, &letter, ("pdf", "3764.pdf", pdf.clone()))
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let ext_id: i64 = url.strip_prefix("/documents/").unwrap().parse().unwrap();
    assert!(page.contains("data-test=\"document-file\""), "{page}");
    let r = tdm
        .b
        .get(format!("{}/documents/{ext_id}/file", tdm.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), pdf.as_slice());
    // The same number of the same issuer and year again: refused, nothing stored.
    let audit = t.audit_rows().await;
    let (s, _, page) = tdm
        .submit_multipart(ext, ext, &letter, ("pdf", "3764.pdf", pdf.clone()))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("đã được vào sổ"), "{page}");
    assert_eq!(
        page.matches("data-test=\"external-file\"").count(),
        1,
        "{page}"
    );
    assert_eq!(t.audit_rows().await, audit);
    // A viewer reads the register but is offered no form.
    let viewer = Visitor::login(&t, "bo.xem").await;
    let (s, page) = viewer.get(ext).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("3764/BGDĐT-GDTX") && !page.contains("external-form"));

    // The plan form: the letter is offered as căn cứ, units below the wards as
    // recipients, and appendices are written in the form.
    let form_path = format!("/campaigns/{CAMPAIGN}/plans/new/{PGD}");
    let (s, form) = tdm.get(&form_path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(form.contains("data-test=\"basis-choices\""), "{form}");
    assert!(form.contains(&format!("name=\"b_{ext_id}\"")), "{form}");
    let school = first_unit_below(&form);
    let basis_box = format!("b_{ext_id}");
    let school_box = format!("u_{school}");
    let mut fields = vec![
        (
            "subject",
            "Tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        ),
        ("issuer", UBND),
        ("bases", ""),
        ("purpose", "Đẩy mạnh phong trào học tập suốt đời."),
        ("theme", "Chuyển đổi số và cơ hội học tập suốt đời"),
        ("start_date", "2021-10-01"),
        ("end_date", "2021-10-07"),
        ("activities", "Tuyên truyền"),
        ("assignments", ""),
        ("appendices", "Học tập suốt đời"),
        (basis_box.as_str(), "on"),
        (school_box.as_str(), "on"),
        ("u_25760", "on"),
    ];
    let audit = t.audit_rows().await;
    let (s, _, page) = tdm.submit(&form_path, &form_path, &fields).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(
        page.contains("Phụ lục") && page.contains("dòng 1"),
        "{page}"
    );
    assert!(
        page.contains(&format!("name=\"{basis_box}\" checked")),
        "{page}"
    );
    assert!(
        page.contains(&format!("name=\"{school_box}\" checked")),
        "{page}"
    );
    assert_eq!(t.audit_rows().await, audit, "nothing stored");
    fields[9] = (
        "appendices",
        "## Phụ lục 1. Khẩu hiệu tuyên truyền\n- Học tập suốt đời vì sự phát triển bền vững\nCả nước trở thành một xã hội học tập\n\n## Phụ lục 2. Đề cương tuyên truyền\nÝ nghĩa của Tuần lễ",
    );
    let (s, url, page) = tdm.submit(&form_path, &form_path, &fields).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let doc: i64 = url.strip_prefix("/documents/").unwrap().parse().unwrap();
    let token = t.token("thudaumot").await;
    let d = t.get(&token, &format!("/api/v1/documents/{doc}")).await;
    assert_eq!(d.status, StatusCode::OK, "{:?}", d.body);
    assert_eq!(
        d.body["body"]["bases"][0],
        "Căn cứ Công văn số 3764/BGDĐT-GDTX ngày 31/8/2021 của Bộ Giáo dục và Đào tạo về việc hướng dẫn tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021;"
    );
    let appendices = d.body["body"]["appendices"].as_array().unwrap();
    assert_eq!(appendices.len(), 2, "{appendices:?}");
    assert_eq!(appendices[0]["title"], "Phụ lục 1. Khẩu hiệu tuyên truyền");
    assert_eq!(
        appendices[0]["items"],
        serde_json::json!([
            "Học tập suốt đời vì sự phát triển bền vững",
            "Cả nước trở thành một xã hội học tập"
        ])
    );
    let recipients: Vec<&str> = d.body["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["unit_code"].as_str())
        .collect();
    assert!(recipients.contains(&school.as_str()), "{recipients:?}");
    assert!(recipients.contains(&HOA_PHU), "{recipients:?}");
    // The draft reopens with its appendices and its recipient below the ward ticked.
    let (s, page) = tdm.get(&format!("/documents/{doc}/edit")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("## Phụ lục 2. Đề cương tuyên truyền"),
        "{page}"
    );
    assert!(
        page.contains(&format!("name=\"{school_box}\" checked")),
        "{page}"
    );

    // Consultation may ask a unit below a ward (offered folded under the ward).
    let doc_path = format!("/documents/{doc}");
    let (_, page) = tdm.get(&doc_path).await;
    let consulted = &page[page.find("data-test=\"consulted\"").expect("consult form")..];
    assert_eq!(first_unit_below(consulted), school, "{page}");
    let c_path = tdm
        .consult(
            &doc_path,
            &[
                (school_box.as_str(), "on"),
                ("deadline", "2021-09-20"),
                ("letter_subject", "V/v góp ý Dự thảo Kế hoạch"),
                ("paragraphs", "Đề nghị góp ý."),
                ("title", "Trưởng phòng"),
                ("signer_name", "Nguyễn Văn Chệt"),
                ("date", "2021-09-10"),
            ],
        )
        .await;
    let (_, page) = tdm.get(&c_path).await;
    assert!(page.contains("1 đơn vị · 1 chưa trả lời"), "{page}");
}

/// The two phường the demo gives no account: the admin opens one for each in the replay.
const WARDS_WITHOUT_ACCOUNT: [(&str, &str); 2] = [("25771", "bc.25771"), ("25774", "bc.25774")];

/// Signs in as the reporter of ward `code`: the demo's account, or the one the replay opened.
async fn ward_login(t: &common::TestApp, code: &str) -> Visitor {
    // Phú Cường's demo reporter has a name of its own; the others are `bc.<code>`.
    let user = match code {
        "25747" => "phucuong".to_string(),
        _ => format!("bc.{code}"),
    };
    if WARDS_WITHOUT_ACCOUNT.iter().any(|(c, _)| *c == code) {
        Visitor::login_with(t, &user, OFFICE_PASSWORD).await
    } else {
        Visitor::login(t, &user).await
    }
}

/// Seed 004's trail as its people live it, through the pages only: the admin sets the two
/// issuers where the e-office system left them and opens accounts for the four offices (and
/// the two phường the demo has none for); the
/// Phòng GDĐT records the Ministry's and the Sở's letters, drafts the plan citing them and
/// asks the four offices and the 14 phường for comments by 22/9 (letter 1040/PGDĐT of
/// 15/9); the four offices, Hòa Phú and Phú Lợi answer; after 22/9 the other 12 read as
/// agreeing; tờ trình 1103/PGDĐT of 23/9; the UBND approves and issues 220/KH-UBND on
/// 29/9 "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH"; every recipient finds it in its incoming
/// register; the cascade view shows the tasks with their deadlines 15/10 and 12/10.
#[tokio::test]
async fn seed_004_trail_replayed_through_the_pages() {
    let t = common::spawn().await;
    at(&t.app, 2021, 9, 15, 8);
    let admin = Visitor::login(&t, "admin").await;
    for (code, abbreviation, header, cited, last_used) in [
        (
            PGD,
            "PGDĐT",
            "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ THỦ DẦU MỘT\nPHÒNG GIÁO DỤC VÀ ĐÀO TẠO",
            "Phòng Giáo dục và Đào tạo thành phố",
            "1039",
        ),
        (
            UBND,
            "UBND",
            "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ THỦ DẦU MỘT",
            "UBND thành phố",
            "219",
        ),
    ] {
        let path = format!("/units/{code}/issuer");
        let (s, _, page) = admin
            .submit(
                &path,
                &path,
                &[
                    ("action", "save"),
                    ("abbreviation", abbreviation),
                    ("header_lines", header),
                    ("cited_name", cited),
                    ("place", "Thủ Dầu Một"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(page.contains("data-test=\"saved\""), "{page}");
        let (s, _, page) = admin
            .submit(
                &path,
                &path,
                &[
                    ("action", "raise"),
                    ("year", "2021"),
                    ("last_used", last_used),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(
            page.contains(&format!("Số cuối đã cấp: <strong>{last_used}</strong>")),
            "{page}"
        );
    }
    for (code, username) in OFFICES.into_iter().chain(WARDS_WITHOUT_ACCOUNT) {
        let full_name = format!("Chuyên viên {code}");
        let (s, _, page) = admin
            .submit(
                "/admin/users",
                "/admin/users",
                &[
                    ("username", username),
                    ("full_name", &full_name),
                    ("email", ""),
                    ("password", OFFICE_PASSWORD),
                    ("unit_code", code),
                    ("role", "reporter"),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(
            page.contains("data-test=\"flash\"") && !page.contains("data-test=\"error\""),
            "{page}"
        );
        assert!(page.contains(&full_name), "{page}");
    }

    // The Ministry's and the Sở's letters, recorded by the Phòng with their own numbers.
    let tdm = Visitor::login(&t, "thudaumot").await;
    let ext = "/documents/external";
    let mut letters = Vec::new();
    for (number, date, issuer) in [
        ("3764/BGDĐT-GDTrH", "2021-08-31", "Bộ Giáo dục và Đào tạo"),
        ("1575/SGDĐT-GDTrH", "2021-09-09", "Sở Giáo dục và Đào tạo"),
    ] {
        let (s, url, page) = tdm
            .submit_multipart(
                ext,
                ext,
                &[
                    ("kind", "CV"),
                    ("number", number),
                    ("date", date),
                    ("issuer", issuer),
                    (
                        "subject",
                        "Về việc hướng dẫn tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
                    ),
                ],
                ("pdf", "cv.pdf", common::pdf_bytes()),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        letters.push(url.strip_prefix("/documents/").unwrap().to_string());
    }

    // The draft: four blocks of assignments, the offices and the 14 phường as recipients.
    let form_path = format!("/campaigns/{CAMPAIGN}/plans/new/{PGD}");
    let wards = WARDS.join(", ");
    let assignments = format!(
        "## Phòng Giáo dục và Đào tạo thành phố [{PGD}]\n\
         - Tham mưu Ủy ban nhân dân thành phố xây dựng kế hoạch và triển khai tổ chức Tuần lễ.\n\
         - Tổng hợp kết quả, báo cáo về UBND thành phố, Sở Giáo dục và Đào tạo trước ngày **15/10/2021**.\n\n\
         ## Phòng Tài chính - Kế hoạch thành phố [718-TCKH]\n\
         - Bố trí kinh phí tổ chức các hoạt động hưởng ứng Tuần lễ.\n\n\
         ## Phòng Văn hóa và Thông tin, Đài truyền thanh thành phố [718-VHTT, 718-DTT]\n\
         - Đẩy mạnh các hoạt động thông tin, truyền thông về Tuần lễ.\n\n\
         ## Ủy ban nhân dân 14 phường [{wards}]\n\
         - Xây dựng kế hoạch và triển khai tổ chức Tuần lễ trên địa bàn.\n\
         - Các Trung tâm học tập cộng đồng báo cáo kết quả về phòng Giáo dục và đào tạo thành phố trước ngày **12/10/2021**."
    );
    let basis: Vec<String> = letters.iter().map(|id| format!("b_{id}")).collect();
    let recipients: Vec<String> = [PGD, "718-TCKH", "718-NV", "718-VHTT", "718-DTT"]
        .into_iter()
        .chain(WARDS)
        .map(|c| format!("u_{c}"))
        .collect();
    let mut fields = vec![
        ("subject", "Tổ chức “Tuần lễ hưởng ứng học tập suốt đời năm 2021” trên địa bàn thành phố Thủ Dầu Một"),
        ("issuer", UBND),
        ("bases", ""),
        ("purpose", "Tiếp tục đẩy mạnh phong trào học tập sâu rộng trong các tầng lớp nhân dân."),
        ("theme", "Chuyển đổi số và cơ hội học tập suốt đời cho tất cả mọi người trong bối cảnh đại dịch COVID-19"),
        ("start_date", "2021-10-01"),
        ("end_date", "2021-10-07"),
        ("activities", "Đẩy mạnh và đổi mới các hoạt động thông tin, tuyên truyền.\nĐẩy mạnh ứng dụng công nghệ số trong dạy, học."),
        ("assignments", assignments.as_str()),
        ("outside", "Sở GDĐT tỉnh (b/c)\nCT, PCT UBND Tp\nLưu: VT, Chi."),
    ];
    fields.extend(basis.iter().map(|b| (b.as_str(), "on")));
    fields.extend(recipients.iter().map(|u| (u.as_str(), "on")));
    let (s, url, page) = tdm.submit(&form_path, &form_path, &fields).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let doc_path = url.clone();
    let doc = url
        .strip_prefix("/documents/")
        .expect("the new draft")
        .to_string();
    assert!(page.contains("Dự thảo"), "{page}");
    assert!(
        page.contains(
            "Căn cứ Công văn số 3764/BGDĐT-GDTrH ngày 31/8/2021 của Bộ Giáo dục và Đào tạo"
        ),
        "{page}"
    );

    // Consultation 1040/PGDĐT of 15/9: the four offices and the 14 phường, until 22/9.
    let mut consulted: Vec<String> = OFFICES.iter().map(|(c, _)| format!("u_{c}")).collect();
    consulted.extend(WARDS.iter().map(|w| format!("u_{w}")));
    let mut fields: Vec<(&str, &str)> = consulted.iter().map(|u| (u.as_str(), "on")).collect();
    fields.extend([
        ("deadline", "2021-09-22"),
        ("letter_subject", "V/v góp ý Dự thảo Kế hoạch Tổ chức “Tuần lễ hưởng ứng học tập suốt đời năm 2021” trên địa bàn thành phố Thủ Dầu Một"),
        ("paragraphs", "Phòng GDĐT thành phố đề nghị gửi văn bản góp ý về Phòng GDĐT trước ngày 22/9/2021."),
        ("extra", "UBND thành phố (b/c)\nLưu: VT"),
        ("title", "Trưởng phòng"),
        ("signer_name", "Nguyễn Văn Chệt"),
        ("date", "2021-09-15"),
    ]);
    let c_path = tdm.consult(&doc_path, &fields).await;
    let (_, page) = tdm.get(&c_path).await;
    assert!(
        page.contains("số 1040/PGDĐT ngày 15/09/2021"),
        "the letter's number: {page}"
    );
    assert!(page.contains("18 chưa trả lời"), "{page}");
    // A consulted phường reads the draft on its page, without Word: its text, open.
    let (s, page) = ward_login(&t, HOA_PHU).await.get(&doc_path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("data-test=\"preview\" open"),
        "the text is shown: {page}"
    );
    for line in [
        "Căn cứ Công văn số 1575/SGDĐT-GDTrH ngày 09/9/2021 của Sở Giáo dục và Đào tạo",
        "Ủy ban nhân dân 14 phường",
        "Các Trung tâm học tập cộng đồng báo cáo kết quả về phòng Giáo dục và đào tạo thành phố trước ngày 12/10/2021.",
        "- Sở GDĐT tỉnh (b/c);",
    ] {
        assert!(page.contains(line), "{line}: {page}");
    }

    // The answers: the four offices from their new accounts, Hòa Phú and Phú Lợi.
    let mut answers: Vec<(String, String, &str, &str)> = OFFICES
        .iter()
        .map(|(code, user)| (user.to_string(), code.to_string(), "yes", ""))
        .collect();
    answers[0].2 = "no";
    answers[0].3 = "Đề nghị bổ sung dự toán kinh phí.";
    answers.push((
        format!("bc.{HOA_PHU}"),
        HOA_PHU.into(),
        "no",
        "Đề nghị bổ sung lớp tin học cho người cao tuổi.",
    ));
    answers.push((format!("bc.{PHU_LOI}"), PHU_LOI.into(), "yes", ""));
    for (user, code, agree, comment) in &answers {
        let who = if user.starts_with("bc.") {
            Visitor::login(&t, user).await
        } else {
            Visitor::login_with(&t, user, OFFICE_PASSWORD).await
        };
        let (s, _, page) = who
            .submit(
                &c_path,
                &format!("{c_path}/answer"),
                &[("unit", code), ("agree", agree), ("comment", comment)],
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{user}: {page}");
    }
    let (_, page) = tdm.get(&c_path).await;
    assert!(page.contains("12 chưa trả lời"), "{page}");
    assert!(page.contains("Đề nghị bổ sung dự toán kinh phí."), "{page}");

    // After 22/9 the 12 silent phường read as agreeing, visibly.
    at(&t.app, 2021, 9, 23, 8);
    let tdm = Visitor::login(&t, "thudaumot").await;
    let (_, page) = tdm.get(&c_path).await;
    assert_eq!(page.matches("data-test=\"silent\"").count(), 12, "{page}");
    assert!(page.contains("data-test=\"closed\""), "{page}");
    let summary = between(&page, "data-test=\"summary\">", "<").unwrap();
    assert!(
        summary.contains("12 không có ý kiến (xem như thống nhất)"),
        "{summary}"
    );

    // Tờ trình 1103/PGDĐT of 23/9: the Phòng issued 1041–1102 outside tuanle meanwhile.
    let admin = Visitor::login(&t, "admin").await;
    let path = format!("/units/{PGD}/issuer");
    let (s, _, page) = admin
        .submit(
            &path,
            &path,
            &[("action", "raise"), ("year", "2021"), ("last_used", "1102")],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let (s, _, page) = tdm
        .submit(
            &doc_path,
            &format!("{doc_path}/submit"),
            &[
                (
                    "letter_subject",
                    "V/v phê duyệt Kế hoạch tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
                ),
                (
                    "paragraphs",
                    "Phòng Giáo dục và Đào tạo kính trình UBND thành phố xem xét, phê duyệt.",
                ),
                ("title", "Trưởng phòng"),
                ("signer_name", "Nguyễn Văn Chệt"),
                ("date", "2021-09-23"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Đã trình"), "{page}");
    let (_, page) = tdm.get(&format!("/units/{PGD}/documents")).await;
    assert!(
        page.contains("1040/PGDĐT") && page.contains("1103/PGDĐT"),
        "the Phòng's letters in its documents: {page}"
    );

    // 29/9: approved and issued as 220/KH-UBND, TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH; distributed.
    at(&t.app, 2021, 9, 29, 9);
    let tdm = Visitor::login(&t, "thudaumot").await;
    let (s, page) = tdm.get(&format!("/units/{UBND}/incoming?year=2021")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("1103/PGDĐT"),
        "the tờ trình reached the UBND: {page}"
    );
    let (s, _, page) = tdm
        .submit(
            &doc_path,
            &format!("{doc_path}/review"),
            &[("action", "approve")],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let (s, _, page) = tdm
        .submit(&doc_path, &format!("{doc_path}/issue"), &UBND_SIGNS_ON_29_9)
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(
        between(&page, "data-test=\"number\">", "<"),
        Some("220/KH-UBND"),
        "{page}"
    );
    assert!(
        page.contains("TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH / Nguyễn Thu Cúc"),
        "{page}"
    );
    let (s, _, page) = tdm
        .submit(
            &doc_path,
            &format!("{doc_path}/distribute"),
            &[("date", "2021-09-29")],
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("Đã gửi"), "{page}");

    // Every recipient finds 220/KH-UBND in its own incoming register, dated 29/09/2021.
    for (code, user) in OFFICES {
        let who = Visitor::login_with(&t, user, OFFICE_PASSWORD).await;
        let (s, page) = who.get(&format!("/units/{code}/incoming?year=2021")).await;
        assert_eq!(s, StatusCode::OK, "{code}");
        assert!(
            page.contains("220/KH-UBND") && page.contains("29/09/2021"),
            "{code}: {page}"
        );
    }
    for w in WARDS {
        let who = ward_login(&t, w).await;
        let (s, page) = who.get(&format!("/units/{w}/incoming?year=2021")).await;
        assert_eq!(s, StatusCode::OK, "{w}");
        assert!(page.contains("220/KH-UBND"), "{w}: {page}");
    }

    // The cascade view of Thủ Dầu Một: the plan, and each unit's tasks with their deadlines.
    let (s, page) = tdm.get(&format!("/campaigns/{CAMPAIGN}/cascade/718")).await;
    assert_eq!(s, StatusCode::OK);
    let row = |code: &str| -> String {
        let start = page
            .find(&format!("data-unit=\"{code}\""))
            .unwrap_or_else(|| panic!("row {code}: {page}"));
        let rest = &page[start..];
        rest[..rest.find("</tr>").unwrap()].to_string()
    };
    let ubnd = row(UBND);
    assert!(ubnd.contains("Số 220/KH-UBND ngày 29/09/2021"), "{ubnd}");
    assert!(
        ubnd.contains(&format!("href=\"/documents/{doc}\"")),
        "{ubnd}"
    );
    assert!(row(PGD).contains("15/10/2021"), "{}", row(PGD));
    for w in WARDS {
        let r = row(w);
        assert!(r.contains("12/10/2021"), "{w}: {r}");
        assert!(r.contains("0 / 1 / 0"), "{w}: one task open: {r}");
    }
}

/// The unit codes of a document's recipients in the tree, read through the API.
async fn recipient_codes(t: &common::TestApp, username: &str, doc: i64) -> Vec<String> {
    let token = t.token(username).await;
    let d = t.get(&token, &format!("/api/v1/documents/{doc}")).await;
    assert_eq!(d.status, StatusCode::OK, "{:?}", d.body);
    let mut codes: Vec<String> = d.body["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["unit_code"].as_str().map(str::to_string))
        .collect();
    codes.sort();
    codes
}

/// The Sở's plan addresses a TTHTCĐ three levels down, which the boxes (the province's
/// units and one level below) do not offer: its code is typed in "Đơn vị khác trong cây".
/// A code outside the province is refused with the field's name and nothing is stored;
/// reopening the draft shows the deeper recipient in that field, and saving the form again
/// keeps it (before, a save through the page dropped every recipient it did not offer).
/// The consultation form takes typed codes the same way.
#[tokio::test]
async fn recipients_deeper_than_the_boxes_are_typed_by_code() {
    let t = common::spawn().await;
    at(&t.app, 2021, 9, 16, 8);
    let so = Visitor::login(&t, "binhduong").await;
    let form_path = format!("/campaigns/{CAMPAIGN}/plans/new/74");
    let (s, form) = so.get(&form_path).await;
    assert_eq!(s, StatusCode::OK, "{form}");
    assert!(form.contains("name=\"u_718\""), "the district is offered");
    assert!(
        form.contains(&format!("name=\"u_{HOA_PHU}\"")),
        "and its wards"
    );
    assert!(
        !form.contains("name=\"u_25747-TTHTCD\""),
        "a ward's centre is one level too deep for the boxes"
    );
    assert!(form.contains("name=\"other_units\""), "{form}");
    let fields = |other: &'static str| {
        vec![
            (
                "subject",
                "Tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021 trên địa bàn tỉnh",
            ),
            ("issuer", "74"),
            ("purpose", "Đẩy mạnh phong trào học tập suốt đời."),
            ("theme", "Chuyển đổi số và cơ hội học tập suốt đời"),
            ("start_date", "2021-10-01"),
            ("end_date", "2021-10-07"),
            ("activities", "Tuyên truyền"),
            ("assignments", ""),
            ("u_718", "on"),
            ("other_units", other),
            ("outside", "Lưu: VT"),
        ]
    };
    // 27466 is a phường of Quận 7 (Thành phố Hồ Chí Minh): not in the province.
    let audit = t.audit_rows().await;
    let (s, _, page) = so
        .submit(&form_path, &form_path, &fields("25747-TTHTCD; 27466"))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("Nơi nhận"), "{page}");
    assert!(
        page.contains("đơn vị mã &#34;27466&#34; không thuộc Tỉnh Bình Dương"),
        "{page}"
    );
    assert!(
        page.contains("value=\"25747-TTHTCD; 27466\""),
        "what was typed comes back: {page}"
    );
    assert_eq!(t.audit_rows().await, audit, "nothing stored");

    // Codes may repeat or duplicate a box: each unit is a recipient once.
    let (s, url, page) = so
        .submit(
            &form_path,
            &form_path,
            &fields("25747-TTHTCD,\n25747-TTHTCD 718"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let doc: i64 = url.strip_prefix("/documents/").unwrap().parse().unwrap();
    assert_eq!(
        recipient_codes(&t, "binhduong", doc).await,
        ["25747-TTHTCD", "718"]
    );

    // The draft reopens with the district ticked and the centre in the typed field; the
    // form saved as shown (a new version) keeps both.
    let edit_path = format!("/documents/{doc}/edit");
    let (s, page) = so.get(&edit_path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("name=\"u_718\" checked"), "{page}");
    let typed = between(&page, "name=\"other_units\" value=\"", "\"").unwrap();
    assert_eq!(typed, "25747-TTHTCD");
    let (s, url, page) = so
        .submit(&edit_path, &edit_path, &fields("25747-TTHTCD"))
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(url, format!("/documents/{doc}"));
    assert_eq!(
        recipient_codes(&t, "binhduong", doc).await,
        ["25747-TTHTCD", "718"]
    );

    // The consultation asks the centre by its typed code.
    let doc_path = format!("/documents/{doc}");
    let c_path = so
        .consult(
            &doc_path,
            &[
                ("other_units", "25747-TTHTCD"),
                ("deadline", "2021-09-23"),
                ("letter_subject", "V/v góp ý Dự thảo Kế hoạch"),
                ("paragraphs", "Đề nghị góp ý."),
                ("title", "Giám đốc"),
                ("signer_name", "Nguyễn Văn A"),
                ("date", "2021-09-16"),
            ],
        )
        .await;
    let (_, page) = so.get(&c_path).await;
    assert!(page.contains("1 đơn vị · 1 chưa trả lời"), "{page}");
    assert!(page.contains("Phú Cường"), "{page}");
}
