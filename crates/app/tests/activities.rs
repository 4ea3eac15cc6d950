//! Activities, the public calendar and its iCalendar feed (read back by Python's
//! `icalendar`), the report prefill, bad input, and the e-mail reminders through a real
//! SMTP server on loopback (Python's aiosmtpd). Run on SQLite and PostgreSQL.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::process::{Command, Stdio};

use chrono::{DateTime, TimeZone, Utc};
use tuanle_app::activities::{PublicQuery, When};
use tuanle_app::notifications::{NotifySettings, SmtpConfig, SmtpTls};
use tuanle_app::users::NewUser;
use tuanle_app::{Actor, App, AppError};
use tuanle_domain::access::Role;
use tuanle_domain::activity::{ActivityInput, ActivityResult};
use tuanle_domain::report::{ReportAction, ReportContent, ReportStatus};

const CAMPAIGN: i64 = 1;

async fn demo() -> (tuanle_store::testing::TestDb, App) {
    let db = tuanle_store::testing::fresh_db().await;
    let app = App::open(&db.url).await.unwrap();
    app.build_demo().await.unwrap();
    (db, app)
}

async fn actor(app: &App, username: &str) -> Actor {
    let user = app.store.user_by_username(username).await.unwrap().unwrap();
    let unit = app.store.unit(user.unit_id).await.unwrap().unwrap();
    Actor {
        user,
        unit,
        ip: None,
    }
}

/// Vietnam local time 2021-10-dd hh:mm as UTC.
fn vn(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    tuanle_domain::format::vietnam_offset()
        .with_ymd_and_hms(2021, 10, day, h, m, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn input(
    kind: &str,
    title: &str,
    mode: &str,
    commune: &str,
    start: &str,
    end: &str,
) -> ActivityInput {
    ActivityInput {
        kind: kind.into(),
        title: title.into(),
        description: "Mời người dân tham gia, miễn phí.".into(),
        mode: mode.into(),
        starts_at: start.into(),
        ends_at: end.into(),
        address: if commune.is_empty() {
            String::new()
        } else {
            "Nhà văn hóa khu phố 2".into()
        },
        commune_code: commune.into(),
        link: if mode == "in_person" {
            String::new()
        } else {
            "https://meet.google.com/abc-defg-hij".into()
        },
        audience: "Người dân".into(),
        expected_participants: Some(40),
        ..Default::default()
    }
}

fn ids(list: &[tuanle_store::ActivityRecord]) -> BTreeSet<i64> {
    list.iter().map(|a| a.id).collect()
}

/// Reads an iCalendar text with Python's `icalendar` (must be installed: scripts/test.sh).
fn parse_ical(text: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.ics");
    std::fs::write(&path, text).unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/readers/ical_read.py"
    );
    let out = Command::new("python3")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "the iCalendar parser failed (pip install icalendar): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn calendar_and_ical_feed_show_exactly_the_published_activities() {
    let (_db, app) = demo().await;
    let tanphong = actor(&app, "tanphong").await; // Phường Tân Phong 27490, Quận 7
    let quan7 = actor(&app, "quan7").await;
    let phucuong = actor(&app, "phucuong").await; // Phường Phú Cường 25747, Bình Dương
    let a1 = app
        .register_activity(
            &tanphong,
            CAMPAIGN,
            "27490",
            &input(
                "lop-03",
                "Lớp tin học cho người cao tuổi",
                "in_person",
                "27490",
                "2021-10-05T08:00",
                "2021-10-05T10:00",
            ),
        )
        .await
        .unwrap();
    let a2 = app
        .register_activity(
            &tanphong,
            CAMPAIGN,
            "27490",
            &input(
                "toa-dam",
                "Tọa đàm trực tuyến về đọc sách",
                "online",
                "",
                "2021-10-06T19:30",
                "2021-10-06T21:00",
            ),
        )
        .await
        .unwrap();
    let a3 = app
        .register_activity(
            &quan7,
            CAMPAIGN,
            "778",
            &input(
                "khai-mac",
                "Lễ khai mạc Tuần lễ học tập suốt đời Quận 7",
                "hybrid",
                "27493",
                "05/10/2021 09:00",
                "05/10/2021 11:00",
            ),
        )
        .await
        .unwrap();
    let a4 = app
        .register_activity(
            &phucuong,
            CAMPAIGN,
            "25747",
            &input(
                "hoi-sach",
                "Hội sách Phú Cường",
                "in_person",
                "25747",
                "2021-10-02T07:30",
                "2021-10-04T17:00",
            ),
        )
        .await
        .unwrap();
    assert_eq!(a3.commune_name.as_deref(), Some("Phường Phú Mỹ"));
    for a in [&a1, &a4] {
        app.publish_activity(
            &actor(
                &app,
                if a.id == a4.id {
                    "phucuong"
                } else {
                    "tanphong"
                },
            )
            .await,
            a.id,
            true,
        )
        .await
        .unwrap();
    }
    app.publish_activity(&quan7, a3.id, true).await.unwrap();
    // a2 stays unpublished: nowhere public.

    let all = app.public_calendar(&PublicQuery::default()).await.unwrap();
    assert_eq!(ids(&all.activities), BTreeSet::from([a1.id, a3.id, a4.id]));
    assert_eq!(all.campaign.id, CAMPAIGN);
    let q = |area: &str| PublicQuery {
        area_code: Some(area.into()),
        ..Default::default()
    };
    assert_eq!(
        ids(&app.public_calendar(&q("778")).await.unwrap().activities),
        BTreeSet::from([a1.id, a3.id])
    );
    assert_eq!(
        ids(&app.public_calendar(&q("79")).await.unwrap().activities),
        BTreeSet::from([a1.id, a3.id])
    );
    assert_eq!(
        ids(&app.public_calendar(&q("74")).await.unwrap().activities),
        BTreeSet::from([a4.id])
    );
    assert_eq!(
        ids(&app.public_calendar(&q("27493")).await.unwrap().activities),
        BTreeSet::from([a3.id])
    );
    let by_type = PublicQuery {
        area_code: Some("27490".into()),
        kind: Some("lop-03".into()),
        ..Default::default()
    };
    assert_eq!(
        ids(&app.public_calendar(&by_type).await.unwrap().activities),
        BTreeSet::from([a1.id])
    );
    let online = PublicQuery {
        mode: Some("online".into()),
        ..Default::default()
    };
    assert!(app
        .public_calendar(&online)
        .await
        .unwrap()
        .activities
        .is_empty());
    let unit_feed = PublicQuery {
        unit_code: Some("27490".into()),
        ..Default::default()
    };
    assert_eq!(
        ids(&app.public_calendar(&unit_feed).await.unwrap().activities),
        BTreeSet::from([a1.id])
    );
    // Đang diễn ra / sắp diễn ra by the app's clock (09:30 on 5/10).
    app.set_clock(Some(vn(5, 9, 30)));
    let ongoing = PublicQuery {
        when: When::Ongoing,
        ..Default::default()
    };
    assert_eq!(
        ids(&app.public_calendar(&ongoing).await.unwrap().activities),
        BTreeSet::from([a1.id, a3.id])
    );
    app.set_clock(Some(vn(3, 12, 0)));
    let upcoming = PublicQuery {
        when: When::Upcoming,
        ..Default::default()
    };
    assert_eq!(
        ids(&app.public_calendar(&upcoming).await.unwrap().activities),
        BTreeSet::from([a1.id, a3.id])
    );
    let on_day = PublicQuery {
        date: Some(chrono::NaiveDate::from_ymd_opt(2021, 10, 3).unwrap()),
        ..Default::default()
    };
    assert_eq!(
        ids(&app.public_calendar(&on_day).await.unwrap().activities),
        BTreeSet::from([a4.id])
    );
    app.set_clock(None);
    // The unpublished one has no public page.
    assert!(matches!(
        app.public_activity(a2.id).await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(app.public_activity(a1.id).await.unwrap().0.title, a1.title);

    // iCalendar feed of Quận 7, read by a real parser.
    let feed = app
        .ical_feed(&q("778"), "https://tuanle.example.vn")
        .await
        .unwrap();
    let parsed = parse_ical(&feed);
    let events = parsed["events"].as_array().unwrap();
    let summaries: BTreeSet<&str> = events
        .iter()
        .map(|e| e["summary"].as_str().unwrap())
        .collect();
    assert_eq!(
        summaries,
        BTreeSet::from([
            "Lớp tin học cho người cao tuổi",
            "Lễ khai mạc Tuần lễ học tập suốt đời Quận 7"
        ])
    );
    let class = events
        .iter()
        .find(|e| e["summary"] == "Lớp tin học cho người cao tuổi")
        .unwrap();
    assert_eq!(class["start"], "2021-10-05T08:00:00+07:00");
    assert_eq!(class["end"], "2021-10-05T10:00:00+07:00");
    assert_eq!(class["tzid"], "Asia/Ho_Chi_Minh");
    assert_eq!(class["location"], "Nhà văn hóa khu phố 2, Phường Tân Phong");
    assert_eq!(
        class["url"],
        format!("https://tuanle.example.vn/lich/hoat-dong/{}", a1.id)
    );
    assert!(class["description"]
        .as_str()
        .unwrap()
        .contains("Đơn vị tổ chức: Phường Tân Phong"));
    let opening = events
        .iter()
        .find(|e| e["summary"] != class["summary"])
        .unwrap();
    assert!(opening["description"]
        .as_str()
        .unwrap()
        .contains("https://meet.google.com/abc-defg-hij"));
    // Per-unit feed.
    let unit_events = parse_ical(&app.ical_feed(&unit_feed, "http://x").await.unwrap());
    assert_eq!(unit_events["events"].as_array().unwrap().len(), 1);

    // Unpublishing removes it from everything public.
    app.publish_activity(&quan7, a3.id, false).await.unwrap();
    assert_eq!(
        ids(&app.public_calendar(&q("778")).await.unwrap().activities),
        BTreeSet::from([a1.id])
    );
    let audit = app
        .store
        .audit_entries(Some(("activity", &a3.id.to_string())), 100)
        .await
        .unwrap();
    assert_eq!(audit.len(), 3, "register, publish, unpublish");
}

#[tokio::test]
async fn prefilled_rows_equal_the_sums_of_recorded_results() {
    let (_db, app) = demo().await;
    let a = actor(&app, "tanphong").await;
    // (type, sessions, participants); None = not yet held (no result recorded).
    let plan: &[(&str, Option<(i64, i64)>)] = &[
        ("lop-03", Some((1, 30))),
        ("lop-03", Some((2, 41))),
        ("lop-07", Some((1, 25))),
        ("hoi-sach", Some((1, 500))),
        ("the-thao", Some((1, 120))),
        ("the-thao", None),
        ("khai-mac", Some((1, 200))),
        ("khac", Some((1, 15))),
    ];
    for (i, (kind, result)) in plan.iter().enumerate() {
        let rec = app
            .register_activity(
                &a,
                CAMPAIGN,
                "27490",
                &input(
                    kind,
                    &format!("Hoạt động {i}"),
                    "in_person",
                    "27490",
                    "2021-10-04T08:00",
                    "2021-10-04T11:00",
                ),
            )
            .await
            .unwrap();
        if let Some((s, p)) = result {
            app.record_activity_result(
                &a,
                rec.id,
                &ActivityResult {
                    sessions: *s,
                    participants: *p,
                    note: "Đạt yêu cầu".into(),
                },
            )
            .await
            .unwrap();
        }
    }
    // Sums computed independently, by the template rows of seed 002.
    let expected: BTreeMap<(&str, &str), i64> = BTreeMap::from([
        (("1.03", "count"), 3),
        (("1.03", "people"), 71),
        (("1.07", "count"), 1),
        (("1.07", "people"), 25),
        (("5.1", "count"), 1),
        (("6.1", "count"), 1),
        (("6.1", "people"), 120),
        (("7.2", "count"), 1),
    ]);
    let (figures, cells) = app.report_prefill(&a, CAMPAIGN, "27490").await.unwrap();
    let got: BTreeMap<(&str, &str), i64> = figures
        .0
        .iter()
        .flat_map(|(r, cols)| {
            cols.iter()
                .map(move |(c, v)| ((r.as_str(), c.as_str()), *v))
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(cells.len(), expected.len());
    // The prefilled figures are a valid report the unit can save (totals filled in),
    // with the "từ hoạt động" marks: one figure edited by hand, a mark of a cell the
    // template does not have (dropped).
    let mut marks = figures.clone();
    let mut edited = figures.clone();
    edited.set("1.03", "people", Some(75));
    marks.set("9.99", "count", Some(3));
    let content = ReportContent {
        figures: edited,
        from_activities: marks,
        ..Default::default()
    };
    let saved = app
        .save_report(&a, CAMPAIGN, "27490", ReportAction::Save, content)
        .await
        .unwrap();
    assert_eq!(saved.row.status, ReportStatus::Draft);
    assert_eq!(saved.content.figures.get("1", "count"), Some(4));
    // Reopened: the marks are the activities' figures as they were, the edit shows.
    let stored = app
        .store
        .report(CAMPAIGN, a.unit.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.content.from_activities, figures);
    assert_eq!(stored.content.figures.get("1.03", "people"), Some(75));
    assert_eq!(
        stored.content.from_activities.get("1.03", "people"),
        Some(71)
    );
    // Saving without marks (a workbook, the API without them) clears them.
    let plain = ReportContent {
        figures: stored.content.figures.clone(),
        ..Default::default()
    };
    app.save_report(&a, CAMPAIGN, "27490", ReportAction::Save, plain)
        .await
        .unwrap();
    let stored = app
        .store
        .report(CAMPAIGN, a.unit.id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.content.from_activities.is_empty());
    // Another ward's reporter cannot prefill Tân Phong's report.
    let other = actor(&app, "tanthuandong").await;
    assert!(app.report_prefill(&other, CAMPAIGN, "27490").await.is_err());
}

#[tokio::test]
async fn bad_input_gets_a_vietnamese_message_and_changes_nothing() {
    let (_db, app) = demo().await;
    let a = actor(&app, "tanphong").await;
    let good = input(
        "lop-03",
        "Lớp tin học",
        "hybrid",
        "27490",
        "2021-10-05T08:00",
        "2021-10-05T10:00",
    );
    let ok = app
        .register_activity(&a, CAMPAIGN, "27490", &good)
        .await
        .unwrap();
    let count = || async {
        app.store
            .unit_activities(CAMPAIGN, a.unit.id)
            .await
            .unwrap()
            .len()
    };
    let audits = || async {
        app.store
            .audit_entries(Some(("activity", &ok.id.to_string())), 100)
            .await
            .unwrap()
            .len()
    };
    let (n0, au0) = (count().await, audits().await);

    let mut end_first = good.clone();
    end_first.ends_at = "2021-10-05T07:00".into();
    let e = app
        .register_activity(&a, CAMPAIGN, "27490", &end_first)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(e, "Kết thúc: không được trước thời điểm bắt đầu");

    let mut bad_link = good.clone();
    bad_link.link = "ftp://hoc.vn/lop".into();
    let e = app
        .register_activity(&a, CAMPAIGN, "27490", &bad_link)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("Đường dẫn trực tuyến: \"ftp://hoc.vn/lop\" không phải địa chỉ web"),
        "{e}"
    );

    let mut unknown = good.clone();
    unknown.commune_code = "99999".into();
    let e = app
        .register_activity(&a, CAMPAIGN, "27490", &unknown)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(e, "Xã/phường: không có xã/phường mã \"99999\"");

    // Outside the reporter's subtree: another ward, and a ward of another province.
    for code in ["27466", "25747"] {
        let e = app
            .register_activity(&a, CAMPAIGN, code, &good)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Forbidden(_) | AppError::NotFound(_)),
            "{e:?}"
        );
        assert!(e.to_string().contains("đơn vị"), "{e}");
    }
    // Editing someone else's activity, or updating with bad input.
    let other = actor(&app, "tanthuandong").await;
    assert!(app.update_activity(&other, ok.id, &good).await.is_err());
    assert!(app.update_activity(&a, ok.id, &end_first).await.is_err());
    assert!(app.publish_activity(&other, ok.id, true).await.is_err());

    let e = app
        .add_activity_photo(&a, ok.id, "anh.jpg", b"day khong phai anh")
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("anh.jpg") && e.contains("không phải ảnh"), "{e}");
    let e = app
        .record_activity_result(
            &a,
            ok.id,
            &ActivityResult {
                sessions: 1,
                participants: -3,
                note: String::new(),
            },
        )
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(e, "Số người tham gia thực tế: không được âm");

    assert_eq!(
        (count().await, audits().await),
        (n0, au0),
        "nothing changed"
    );
    let after = app.store.activity(ok.id).await.unwrap().unwrap();
    assert_eq!(after, ok);
    assert!(app.store.activity_photos(ok.id).await.unwrap().is_empty());
    // A real PNG is accepted.
    let png: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, b'I', b'H', b'D', b'R', 0,
        0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0,
    ];
    app.add_activity_photo(&a, ok.id, "anh.png", png)
        .await
        .unwrap();
}

/// The SMTP server of the test: Python's aiosmtpd on a free loopback port.
struct Sink {
    child: std::process::Child,
    out: std::path::PathBuf,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Sink {
    fn start(fail_once: &str) -> Sink {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mail.jsonl");
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/readers/smtp_sink.py"
        );
        let mut child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(&out)
            .arg(fail_once)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            line.trim(),
            "READY",
            "the SMTP server did not start (pip install aiosmtpd)"
        );
        Sink {
            child,
            out,
            port,
            _dir: dir,
        }
    }

    fn messages(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn reminders_reach_exactly_the_units_that_have_not_submitted_once_each() {
    let (db, app) = demo().await;
    let campaign = app.campaign(CAMPAIGN).await.unwrap();
    let root = app.store.tree_root(campaign.tree_id).await.unwrap();
    let required = app
        .store
        .subtree_units_of_types(campaign.tree_id, &root.path, &campaign.required_types)
        .await
        .unwrap();
    // One mailbox per required unit.
    for u in &required {
        let nu = NewUser {
            username: format!("thu.{}", u.code.to_lowercase()),
            full_name: format!("Văn thư {}", u.name),
            email: Some(format!("{}@don-vi.vn", u.code.to_lowercase())),
            password: "mat-khau-dai-1".into(),
            unit_code: u.code.clone(),
            role: Role::Viewer,
        };
        app.add_user(None, campaign.tree_id, &nu, false)
            .await
            .unwrap();
    }
    // One user turns reminders off: gets the in-app notice, no e-mail.
    let quiet_unit = required.iter().find(|u| u.code == "27493").unwrap(); // Phú Mỹ, no report
    let quiet = actor(&app, "thu.27493").await;
    app.set_email_preferences(&quiet, &BTreeMap::from([("overdue".to_string(), false)]))
        .await
        .unwrap();

    // Independently: units whose report is not submitted/accepted, by the day after their deadline.
    let today = chrono::NaiveDate::from_ymd_opt(2021, 10, 13).unwrap();
    let mut expected = BTreeSet::new();
    for u in &required {
        let done = matches!(
            app.store
                .report(CAMPAIGN, u.id)
                .await
                .unwrap()
                .map(|r| r.row.status),
            Some(ReportStatus::Submitted | ReportStatus::Accepted)
        );
        let past = campaign
            .deadline_for(u.admin_level)
            .is_some_and(|d| d < today);
        if !done && past && u.id != quiet_unit.id {
            expected.insert(format!("{}@don-vi.vn", u.code.to_lowercase()));
        }
    }
    assert!(expected.len() >= 3, "{expected:?}");
    assert!(expected.contains("27490@don-vi.vn")); // Tân Phong: no report
    assert!(!expected.contains("27469@don-vi.vn")); // Tân Thuận Tây: accepted
    let fail_once = "27490@don-vi.vn";
    let sink = Sink::start(fail_once);
    let settings = NotifySettings {
        smtp: Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port: sink.port,
            tls: SmtpTls::None,
            username: None,
            password: None,
            from: "Tuần lễ HTSĐ <tuanle@example.vn>".into(),
        }),
        reminder_days: 0,
        base_url: "https://tuanle.example.vn".into(),
    };
    app.set_notify_settings(settings.clone());
    // A second instance on the same database.
    let app2 = App::open(&db.url).await.unwrap();
    app2.set_notify_settings(settings);
    let at = vn(13, 8, 0);
    app.set_clock(Some(at));
    app2.set_clock(Some(at));

    // The reminder sweep runs twice (two instances, or twice an hour): notices once.
    let (r1, r2) = tokio::join!(app.run_reminders(), app2.run_reminders());
    r1.unwrap();
    r2.unwrap();
    app.run_reminders().await.unwrap();
    let (s1, s2) = tokio::join!(app.send_due_emails("a"), app2.send_due_emails("b"));
    assert_eq!(
        s1.unwrap() + s2.unwrap(),
        expected.len() - 1,
        "all but the refused one"
    );
    // The refused e-mail is queued for a retry with its failure recorded.
    let outbox = app.store.outbox().await.unwrap();
    let refused = outbox.iter().find(|e| e.to_address == fail_once).unwrap();
    assert_eq!((refused.status.as_str(), refused.attempts), ("queued", 1));
    assert!(
        refused
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("451"),
        "{refused:?}"
    );
    // Not yet due: nothing is sent again.
    assert_eq!(app.send_due_emails("a").await.unwrap(), 0);
    app.set_clock(Some(at + chrono::Duration::minutes(6)));
    assert_eq!(app.send_due_emails("a").await.unwrap(), 1);
    let sends = app.store.email_sends(refused.id).await.unwrap();
    assert_eq!(
        sends.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(),
        vec![(1, false), (2, true)]
    );
    // And again later: no second reminder.
    app.run_reminders().await.unwrap();
    assert_eq!(app.send_due_emails("a").await.unwrap(), 0);

    let msgs = sink.messages();
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    for m in &msgs {
        for to in m["to"].as_array().unwrap() {
            *per.entry(to.as_str().unwrap().to_string()).or_default() += 1;
        }
        let subject = m["subject"].as_str().unwrap();
        assert!(
            subject.starts_with("Quá hạn nộp báo cáo kết quả — "),
            "{subject}"
        );
        let body = m["body"].as_str().unwrap();
        assert!(
            body.contains("chưa nộp báo cáo kết quả") && body.contains("12/10/2021"),
            "{body}"
        );
        assert!(
            body.contains("https://tuanle.example.vn/campaigns/1/reports/"),
            "{body}"
        );
    }
    assert_eq!(per.keys().cloned().collect::<BTreeSet<_>>(), expected);
    assert!(per.values().all(|n| *n == 1), "{per:?}");
    // In-app: the quiet user got the notice without an e-mail, with an unread count.
    let (list, unread) = app.my_notifications(&quiet).await.unwrap();
    assert_eq!((list.len(), unread), (1, 1));
    assert_eq!(app.mark_read(&quiet, None).await.unwrap(), 1);
    assert_eq!(app.unread_count(&quiet).await.unwrap(), 0);

    // A returned report notifies its unit.
    let reviewer = actor(&app, "quan7").await;
    app.review_report(
        &reviewer,
        CAMPAIGN,
        "27466",
        ReportAction::Return,
        "Sai dòng 1.03",
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let ttd = actor(&app, "tanthuandong").await;
    let (list, _) = app.my_notifications(&ttd).await.unwrap();
    assert!(
        list.iter()
            .any(|n| n.kind == "report_review" && n.body.contains("Sai dòng 1.03")),
        "{list:?}"
    );
}

/// Vietnam local time on a day of 2021 as UTC.
fn vn_at(month: u32, day: u32, h: u32) -> DateTime<Utc> {
    tuanle_domain::format::vietnam_offset()
        .with_ymd_and_hms(2021, month, day, h, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

/// One mailbox (a viewer with an e-mail address) per unit: `thu.<code>`, `<code>@don-vi.vn`.
async fn mailboxes(app: &App, tree_id: i64, units: &[tuanle_domain::unit::Unit]) {
    for u in units {
        let nu = NewUser {
            username: format!("thu.{}", u.code.to_lowercase()),
            full_name: format!("Văn thư {}", u.name),
            email: Some(format!("{}@don-vi.vn", u.code.to_lowercase())),
            password: "mat-khau-dai-1".into(),
            unit_code: u.code.clone(),
            role: Role::Viewer,
        };
        app.add_user(None, tree_id, &nu, false).await.unwrap();
    }
}

fn smtp_settings(port: u16, reminder_days: i64) -> NotifySettings {
    NotifySettings {
        smtp: Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            tls: SmtpTls::None,
            username: None,
            password: None,
            from: "Tuần lễ HTSĐ <tuanle@example.vn>".into(),
        }),
        reminder_days,
        base_url: "https://tuanle.example.vn".into(),
    }
}

/// Both instances at `at`: the reminder sweep on both at once and once more, then the
/// outbox sent by both at once. Returns the notices delivered.
async fn sweep(a: &App, b: &App, at: DateTime<Utc>) -> usize {
    a.set_clock(Some(at));
    b.set_clock(Some(at));
    let (r1, r2) = tokio::join!(a.run_reminders(), b.run_reminders());
    let n = r1.unwrap() + r2.unwrap() + a.run_reminders().await.unwrap();
    let (s1, s2) = tokio::join!(a.send_due_emails("a"), b.send_due_emails("b"));
    s1.unwrap();
    s2.unwrap();
    n
}

/// Addresses of the messages whose subject starts with `prefix`.
fn to_of(msgs: &[serde_json::Value], prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = msgs
        .iter()
        .filter(|m| m["subject"].as_str().unwrap().starts_with(prefix))
        .flat_map(|m| {
            m["to"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort();
    out
}

fn mail_of(units: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = units
        .into_iter()
        .map(|c| format!("{}@don-vi.vn", c.to_lowercase()))
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn overdue_tasks_and_plan_and_registration_deadlines_notify_exactly_the_right_units_once() {
    use tuanle_app::activities::ActivitySettings;
    use tuanle_app::plans::PlanInput;
    use tuanle_domain::plan::{Assignment, Authority, PlanContent, Signer};
    use tuanle_domain::task::TaskStatus;

    let (db, app) = demo().await;
    let campaign = app.campaign(CAMPAIGN).await.unwrap();
    let root = app.store.tree_root(campaign.tree_id).await.unwrap();
    let required = app
        .store
        .subtree_units_of_types(campaign.tree_id, &root.path, &campaign.required_types)
        .await
        .unwrap();
    mailboxes(&app, campaign.tree_id, &required).await;
    // Tân Thuận Đông's clerk wants no task e-mails: its task notices stay in the app.
    let quiet = actor(&app, "thu.27466").await;
    app.set_email_preferences(&quiet, &BTreeMap::from([("task".to_string(), false)]))
        .await
        .unwrap();
    // The campaign's settings: plan deadline 25/09, reminders 2 days before (the
    // instances say 5: the campaign's setting wins), registration by 30/09 (the demo's).
    let settings = app.activity_settings(CAMPAIGN).await.unwrap();
    assert_eq!(
        settings.registration_deadline,
        chrono::NaiveDate::from_ymd_opt(2021, 9, 30)
    );
    app.set_activity_settings(
        None,
        CAMPAIGN,
        &ActivitySettings {
            plan_deadline: chrono::NaiveDate::from_ymd_opt(2021, 9, 25),
            reminder_days: Some(2),
            ..settings
        },
    )
    .await
    .unwrap();
    let sink = Sink::start("");
    let app2 = App::open(&db.url).await.unwrap();
    app.set_notify_settings(smtp_settings(sink.port, 5));
    app2.set_notify_settings(smtp_settings(sink.port, 5));

    // 20/09: Quận 7 issues its plan; Tân Phong and Tân Thuận Đông must report by 22/09,
    // Phú Mỹ by 30/09. Tân Phong does its task and registers an activity.
    app.set_clock(Some(vn_at(9, 20, 8)));
    let district = actor(&app, "quan7.admin").await;
    let assignment = |heading: &str, codes: &[&str], day: u32| Assignment {
        heading: heading.into(),
        unit_codes: codes.iter().map(|c| c.to_string()).collect(),
        items: vec!["Báo cáo nhanh công tác chuẩn bị Tuần lễ.".into()],
        deadline: chrono::NaiveDate::from_ymd_opt(2021, 9, day),
    };
    let plan = app
        .create_plan(
            &district,
            PlanInput {
                campaign_id: CAMPAIGN,
                drafting_unit_code: "778".into(),
                issuer_unit_code: "778".into(),
                subject: "Kế hoạch tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021".into(),
                content: Some(PlanContent {
                    theme: "Chuyển đổi số và cơ hội học tập suốt đời".into(),
                    assignments: vec![
                        assignment(
                            "UBND phường Tân Phong, Tân Thuận Đông",
                            &["27490", "27466"],
                            22,
                        ),
                        assignment("UBND phường Phú Mỹ", &["27493"], 30),
                    ],
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .doc
        .id;
    let signer = Signer {
        authority: Authority::OnBehalf,
        on_behalf_of: "Ủy ban nhân dân".into(),
        title: "Chủ tịch".into(),
        name: "Trần Văn A".into(),
    };
    app.issue_document(&district, plan, signer, None)
        .await
        .unwrap();
    let tasks = app.store.tasks_of_document(plan).await.unwrap();
    assert_eq!(tasks.len(), 3);
    let tanphong = actor(&app, "tanphong").await;
    let own = tasks
        .iter()
        .find(|t| t.unit_id == tanphong.unit.id)
        .unwrap();
    app.update_task(
        &tanphong,
        own.id,
        TaskStatus::Done,
        None,
        "Đã gửi báo cáo nhanh",
    )
    .await
    .unwrap();
    let a = app
        .register_activity(
            &tanphong,
            CAMPAIGN,
            "27490",
            &input(
                "lop-03",
                "Lớp tin học cho người cao tuổi",
                "in_person",
                "27490",
                "2021-10-05T08:00",
                "2021-10-05T10:00",
            ),
        )
        .await
        .unwrap();
    assert!(!a.late_registration);
    app.send_due_emails("a").await.unwrap();

    // Independently: administrative units without an issued plan (all but Quận 7),
    // units without an activity (all but Tân Phong).
    let codes = |f: &dyn Fn(&tuanle_domain::unit::Unit) -> bool| {
        required
            .iter()
            .filter(|u| f(u))
            .map(|u| u.code.clone())
            .collect::<Vec<_>>()
    };
    let no_plan =
        codes(&|u| tuanle_domain::unit::is_administrative_type(&u.unit_type) && u.code != "778");
    let no_activity = codes(&|u| u.code != "27490");
    assert!(no_plan.len() >= 20 && no_plan.contains(&"27490".to_string()));
    assert!(no_activity.len() > no_plan.len());

    // 22/09, the tasks' deadline day: nothing is due yet (plan reminders start 23/09).
    assert_eq!(sweep(&app, &app2, vn_at(9, 22, 8)).await, 0);
    // 23/09: Tân Thuận Đông's task is overdue (Tân Phong's is done, Phú Mỹ's not due),
    // the plan deadline is 2 days away.
    let n = sweep(&app, &app2, vn_at(9, 23, 0)).await;
    assert!(n > no_plan.len(), "{n}");
    let ttd = actor(&app, "tanthuandong").await;
    let (list, _) = app.my_notifications(&ttd).await.unwrap();
    let overdue: Vec<_> = list
        .iter()
        .filter(|n| n.title.starts_with("Nhiệm vụ quá hạn: "))
        .collect();
    assert_eq!(overdue.len(), 1, "{list:?}");
    assert_eq!(
        overdue[0].body,
        "Nhiệm vụ \"UBND phường Tân Phong, Tân Thuận Đông\" (hạn 22/09/2021) đã quá hạn mà chưa hoàn thành. Đề nghị đơn vị khẩn trương thực hiện và cập nhật tiến độ."
    );
    assert_eq!(overdue[0].link, "/campaigns/1/tasks/27466");
    // 26/09: the plan deadline was missed. 28/09: registration reminders; 01/10:
    // registration missed, Phú Mỹ's task overdue. 02/10 and later: nothing new.
    assert!(sweep(&app, &app2, vn_at(9, 26, 7)).await >= no_plan.len());
    assert!(sweep(&app, &app2, vn_at(9, 28, 7)).await >= no_activity.len());
    assert!(sweep(&app, &app2, vn_at(10, 1, 7)).await >= no_activity.len());
    assert_eq!(sweep(&app, &app2, vn_at(10, 2, 7)).await, 0);
    assert_eq!(sweep(&app, &app2, vn_at(10, 2, 19)).await, 0);

    let msgs = sink.messages();
    let campaign_name = &campaign.name;
    assert_eq!(
        to_of(
            &msgs,
            &format!("Nhắc hạn ban hành kế hoạch (25/09/2021) — {campaign_name}")
        ),
        mail_of(no_plan.clone())
    );
    assert_eq!(
        to_of(
            &msgs,
            &format!("Quá hạn ban hành kế hoạch — {campaign_name}")
        ),
        mail_of(no_plan.clone())
    );
    assert_eq!(
        to_of(
            &msgs,
            &format!("Nhắc hạn đăng ký lịch hoạt động (30/09/2021) — {campaign_name}")
        ),
        mail_of(no_activity.clone())
    );
    assert_eq!(
        to_of(
            &msgs,
            &format!("Quá hạn đăng ký lịch hoạt động — {campaign_name}")
        ),
        mail_of(no_activity.clone())
    );
    // Tasks: Phú Mỹ's overdue task by e-mail; Tân Thuận Đông's clerk turned task e-mails off.
    assert_eq!(
        to_of(&msgs, "Nhiệm vụ quá hạn: "),
        mail_of(["27493".to_string()])
    );
    assert_eq!(
        to_of(&msgs, "Nhiệm vụ mới: "),
        mail_of(["27490".to_string(), "27493".to_string()])
    );
    let (quiet_list, _) = app.my_notifications(&quiet).await.unwrap();
    assert_eq!(
        quiet_list
            .iter()
            .filter(|n| n.kind == "task")
            .map(|n| n.title.split(':').next().unwrap().to_string())
            .collect::<Vec<_>>(),
        vec!["Nhiệm vụ quá hạn", "Nhiệm vụ mới"]
    );
    // Every message once, in Vietnamese, with the link of what to do.
    let mut per: BTreeMap<(String, String), usize> = BTreeMap::new();
    for m in &msgs {
        let subject = m["subject"].as_str().unwrap().to_string();
        for to in m["to"].as_array().unwrap() {
            *per.entry((to.as_str().unwrap().to_string(), subject.clone()))
                .or_default() += 1;
        }
        let body = m["body"].as_str().unwrap();
        assert!(body.starts_with("Kính gửi Văn thư "), "{body}");
        if subject.contains("ban hành kế hoạch") {
            assert!(
                body.contains(
                    "chưa ban hành kế hoạch cho Tuần lễ hưởng ứng học tập suốt đời năm 2021"
                ) && body.contains("25/09/2021")
                    && body.contains("https://tuanle.example.vn/units/"),
                "{body}"
            );
        }
        if subject.starts_with("Nhiệm vụ quá hạn") {
            assert!(
                body.contains("(hạn 30/09/2021) đã quá hạn mà chưa hoàn thành")
                    && body.contains("https://tuanle.example.vn/campaigns/1/tasks/27493"),
                "{body}"
            );
        }
    }
    assert!(per.values().all(|n| *n == 1), "{per:?}");
    let outbox = app.store.outbox().await.unwrap();
    assert!(outbox.iter().all(|e| e.status == "sent"), "{outbox:?}");
    assert_eq!(outbox.len(), msgs.len());
}

#[tokio::test]
async fn consultation_and_submission_letters_notify_their_incoming_registers() {
    use tuanle_app::plans::{LetterInput, PlanInput};
    use tuanle_domain::plan::{Authority, Signer};

    let (db, app) = demo().await;
    let campaign = app.campaign(CAMPAIGN).await.unwrap();
    let units = {
        let mut v = Vec::new();
        for c in ["25744", "25747", "25750", "718-UBND", "718-PHONGGDDT"] {
            v.push(
                app.store
                    .unit_by_code(campaign.tree_id, c)
                    .await
                    .unwrap()
                    .unwrap(),
            );
        }
        v
    };
    mailboxes(&app, campaign.tree_id, &units).await;
    // Phú Cường's clerk takes no document e-mails: the notice stays in the app.
    let quiet = actor(&app, "thu.25747").await;
    app.set_email_preferences(&quiet, &BTreeMap::from([("document".to_string(), false)]))
        .await
        .unwrap();
    let sink = Sink::start("");
    let app2 = App::open(&db.url).await.unwrap();
    app.set_notify_settings(smtp_settings(sink.port, 3));
    app2.set_notify_settings(smtp_settings(sink.port, 3));
    app.set_clock(Some(vn_at(9, 15, 8)));
    app2.set_clock(Some(vn_at(9, 15, 8)));
    let tdm = actor(&app, "thudaumot").await;
    let subject =
        "Kế hoạch tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021 trên địa bàn thành phố";
    let plan = app
        .create_plan(
            &tdm,
            PlanInput {
                campaign_id: CAMPAIGN,
                drafting_unit_code: "718-PHONGGDDT".into(),
                issuer_unit_code: "718-UBND".into(),
                subject: subject.into(),
                content: Some(Default::default()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .doc
        .id;
    let signer = Signer {
        authority: Authority::Own,
        on_behalf_of: String::new(),
        title: "Trưởng phòng".into(),
        name: "Nguyễn Văn Chệt".into(),
    };
    let c = app
        .start_consultation(
            &tdm,
            plan,
            &["25744".into(), "25747".into()],
            chrono::NaiveDate::from_ymd_opt(2021, 9, 22).unwrap(),
            LetterInput {
                subject: "V/v góp ý dự thảo Kế hoạch tổ chức Tuần lễ".into(),
                signer: signer.clone(),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    app.set_clock(Some(vn_at(9, 23, 8)));
    app2.set_clock(Some(vn_at(9, 23, 8)));
    app.submit_document(
        &tdm,
        plan,
        LetterInput {
            subject: "V/v trình ban hành Kế hoạch tổ chức Tuần lễ".into(),
            signer,
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    // Sent by both instances at once: each e-mail once.
    let (s1, s2) = tokio::join!(app.send_due_emails("a"), app2.send_due_emails("b"));
    assert_eq!(s1.unwrap() + s2.unwrap(), 2);
    // Asking again notifies no one twice.
    let letters: Vec<i64> = app
        .store
        .incoming_register(units[0].id, 2021)
        .await
        .unwrap()
        .iter()
        .map(|r| r.document_id)
        .collect();
    assert_eq!(letters.len(), 1);
    app.notify_letter_incoming(letters[0]).await;
    assert_eq!(app.send_due_emails("a").await.unwrap(), 0);

    let msgs = sink.messages();
    assert_eq!(
        to_of(
            &msgs,
            "Văn bản đến: V/v góp ý dự thảo Kế hoạch tổ chức Tuần lễ"
        ),
        mail_of(["25744".to_string()])
    );
    assert_eq!(
        to_of(
            &msgs,
            "Văn bản đến: V/v trình ban hành Kế hoạch tổ chức Tuần lễ"
        ),
        mail_of(["718-ubnd".to_string()])
    );
    for m in &msgs {
        let body = m["body"].as_str().unwrap();
        assert!(
            body.contains("Phòng Giáo dục và Đào tạo thành phố Thủ Dầu Một đã gửi công văn số ")
                && body.contains("/PGDĐT")
                && body.contains("đến sổ văn bản đến của đơn vị"),
            "{body}"
        );
        if m["subject"].as_str().unwrap().contains("góp ý") {
            assert!(
                body.contains("góp ý dự thảo đến hết ngày 22/09/2021")
                    && body.contains(&format!(
                        "https://tuanle.example.vn/consultations/{}",
                        c.record.id
                    )),
                "{body}"
            );
        } else {
            assert!(
                body.contains("Dự thảo được trình để xem xét, phê duyệt.")
                    && body.contains(&format!("https://tuanle.example.vn/documents/{plan}")),
                "{body}"
            );
        }
    }
    // In the app: each consulted ward once (the quiet one too), no one else.
    for (user, n) in [
        ("thu.25744", 1),
        ("thu.25747", 1),
        ("bc.25744", 1),
        ("phucuong", 1),
        ("thu.25750", 0),
        ("thu.718-phonggddt", 0),
        ("thu.718-ubnd", 1),
    ] {
        let a = actor(&app, user).await;
        let (list, _) = app.my_notifications(&a).await.unwrap();
        let docs: Vec<_> = list.iter().filter(|x| x.kind == "document").collect();
        assert_eq!(docs.len(), n, "{user}: {list:?}");
    }
}

#[tokio::test]
async fn activity_settings_are_checked_audited_and_shown_on_the_calendar() {
    use tuanle_app::activities::ActivitySettings;
    let (_db, app) = demo().await;
    // The demo: registration by 30/09/2021 and seed 002's 11 slogans, in order.
    let demo = app.activity_settings(CAMPAIGN).await.unwrap();
    assert_eq!(
        demo.registration_deadline,
        chrono::NaiveDate::from_ymd_opt(2021, 9, 30)
    );
    assert_eq!(demo.slogans.len(), 11);
    assert_eq!(demo.slogans[0], "Chuyển đổi số thúc đẩy Học tập suốt đời.");
    assert_eq!(
        demo.slogans[10],
        "Thông minh, tài trí là đòn bẩy thúc đẩy xã hội (Balzac - Nhà văn Pháp)."
    );
    let cal = app.public_calendar(&PublicQuery::default()).await.unwrap();
    assert_eq!(cal.slogans, demo.slogans);

    let admin = actor(&app, "admin").await;
    let district_admin = actor(&app, "quan7.admin").await;
    let audits = || async {
        app.store
            .audit_entries(Some(("campaign", "1")), 100)
            .await
            .unwrap()
            .len()
    };
    let au0 = audits().await;
    let with = |f: &dyn Fn(&mut ActivitySettings)| {
        let mut s = demo.clone();
        f(&mut s);
        s
    };
    let refused = [
        (
            with(&|s| s.reminder_days = Some(31)),
            "Số ngày nhắc trước hạn: phải từ 0 đến 30 (đang là 31)",
        ),
        (
            with(&|s| s.reminder_days = Some(-1)),
            "Số ngày nhắc trước hạn: phải từ 0 đến 30 (đang là -1)",
        ),
        (
            with(&|s| s.slogans.push("  HỌC, học nữa,  học mãi (Lenin). ".into())),
            "Khẩu hiệu 12: trùng với khẩu hiệu 3",
        ),
        (
            with(&|s| s.slogans[1] = "Học ".repeat(80)),
            "Khẩu hiệu 2: mỗi khẩu hiệu tối đa 300 ký tự",
        ),
        (
            with(&|s| s.slogans = (0..51).map(|i| format!("Khẩu hiệu số {i}")).collect()),
            "Khẩu hiệu: tối đa 50 khẩu hiệu (đang có 51)",
        ),
    ];
    for (s, msg) in refused {
        let e = app
            .set_activity_settings(Some(&admin), CAMPAIGN, &s)
            .await
            .unwrap_err();
        assert_eq!(e.to_string(), msg);
    }
    // A district's administrator may not change the campaign's settings.
    let e = app
        .set_activity_settings(Some(&district_admin), CAMPAIGN, &demo)
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    assert!(app
        .activity_settings_for_admin(&district_admin, CAMPAIGN)
        .await
        .is_err());
    assert_eq!(app.activity_settings(CAMPAIGN).await.unwrap(), demo);
    assert_eq!(audits().await, au0, "nothing changed");

    // Reordered, one removed, one added, blank ones dropped; plan deadline and lead days.
    let mut slogans = demo.slogans.clone();
    slogans.swap(0, 1);
    slogans.remove(5);
    slogans.push("  Học tập suốt đời  trong bối cảnh chuyển đổi số ".into());
    slogans.push("   ".into());
    let next = ActivitySettings {
        registration_deadline: chrono::NaiveDate::from_ymd_opt(2021, 10, 1),
        plan_deadline: chrono::NaiveDate::from_ymd_opt(2021, 9, 25),
        reminder_days: Some(5),
        slogans,
    };
    let saved = app
        .set_activity_settings(Some(&admin), CAMPAIGN, &next)
        .await
        .unwrap();
    assert_eq!(saved.slogans.len(), 11);
    assert_eq!(saved.slogans[0], demo.slogans[1]);
    assert_eq!(saved.slogans[1], demo.slogans[0]);
    assert!(!saved.slogans.contains(&demo.slogans[5]));
    assert_eq!(
        saved.slogans[10],
        "Học tập suốt đời trong bối cảnh chuyển đổi số"
    );
    assert_eq!(app.activity_settings(CAMPAIGN).await.unwrap(), saved);
    let log = app
        .store
        .audit_entries(Some(("campaign", "1")), 1)
        .await
        .unwrap();
    assert_eq!(log[0].action, "activity_settings");
    assert_eq!(log[0].username.as_deref(), Some("admin"));
    let before: serde_json::Value =
        serde_json::from_str(log[0].before.as_deref().unwrap()).unwrap();
    let after: serde_json::Value = serde_json::from_str(log[0].after.as_deref().unwrap()).unwrap();
    assert_eq!(before["registration_deadline"], "2021-09-30");
    assert_eq!(after["plan_deadline"], "2021-09-25");
    assert_eq!(after["reminder_days"], 5);
    assert_eq!(after["slogans"].as_array().unwrap().len(), 11);
    let cal = app.public_calendar(&PublicQuery::default()).await.unwrap();
    assert_eq!(cal.slogans, saved.slogans);
}
