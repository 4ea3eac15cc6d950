//! Dữ liệu minh họa — the demo: a realistic 2021 campaign on the seed 002 template
//! with the units of the seeds. Only `tuanle serve --demo` on an empty database
//! calls this; nothing here runs otherwise.

use chrono::{DateTime, NaiveDate, Utc};
use tuanle_domain::access::Role;
use tuanle_domain::campaign::{Campaign, LevelDeadline};
use tuanle_domain::report::{Figures, Narrative, ReportAction, ReportContent};
use tuanle_domain::template::{RowKind, Template};

use crate::units::NewBody;
use crate::users::NewUser;
use crate::{Actor, App, AppError, Result};

/// Password of every demo account.
pub const DEMO_PASSWORD: &str = "demo";

/// The administrative units of the seeds, in the official list's format.
const DEMO_UNITS: &str = "code,name,type,level,parent_code
79,Thành phố Hồ Chí Minh,Thành phố Trung ương,1,
74,Tỉnh Bình Dương,Tỉnh,1,
64,Tỉnh Gia Lai,Tỉnh,1,
14,Tỉnh Sơn La,Tỉnh,1,
58,Tỉnh Ninh Thuận,Tỉnh,1,
778,Quận 7,Quận,2,79
718,Thành phố Thủ Dầu Một,Thành phố,2,74
622,Thành phố Pleiku,Thành phố,2,64
116,Thành phố Sơn La,Thành phố,2,14
582,Thành phố Phan Rang-Tháp Chàm,Thành phố,2,58
27466,Phường Tân Thuận Đông,Phường,3,778
27469,Phường Tân Thuận Tây,Phường,3,778
27472,Phường Tân Kiểng,Phường,3,778
27475,Phường Tân Hưng,Phường,3,778
27478,Phường Bình Thuận,Phường,3,778
27481,Phường Tân Quy,Phường,3,778
27484,Phường Phú Thuận,Phường,3,778
27487,Phường Tân Phú,Phường,3,778
27490,Phường Tân Phong,Phường,3,778
27493,Phường Phú Mỹ,Phường,3,778
25741,Phường Hiệp Thành,Phường,3,718
25744,Phường Phú Lợi,Phường,3,718
25747,Phường Phú Cường,Phường,3,718
25750,Phường Phú Hòa,Phường,3,718
25753,Phường Phú Thọ,Phường,3,718
25756,Phường Chánh Nghĩa,Phường,3,718
25759,Phường Định Hoà,Phường,3,718
25760,Phường Hoà Phú,Phường,3,718
25762,Phường Phú Mỹ,Phường,3,718
25763,Phường Phú Tân,Phường,3,718
25765,Phường Tân An,Phường,3,718
25768,Phường Hiệp An,Phường,3,718
25771,Phường Tương Bình Hiệp,Phường,3,718
25774,Phường Chánh Mỹ,Phường,3,718
23557,Phường Yên Đỗ,Phường,3,622
23560,Phường Diên Hồng,Phường,3,622
23563,Phường Ia Kring,Phường,3,622
03646,Phường Chiềng Lề,Phường,3,116
03649,Phường Tô Hiệu,Phường,3,116
03658,Xã Chiềng Cọ,Xã,3,116
22738,Phường Đô Vinh,Phường,3,582
22741,Phường Phước Mỹ,Phường,3,582
22774,Xã Thành Hải,Xã,3,582
";

/// Khẩu hiệu tuyên truyền Tuần lễ 2021 (seed 002, appendix of plan 4595/KH-UBND of Quận 7).
pub const DEMO_SLOGANS: [&str; 11] = [
    "Chuyển đổi số thúc đẩy Học tập suốt đời.",
    "Học tập suốt đời - Học tập thông minh để trở thành công dân tốt, xây dựng gia đình hạnh phúc, xã hội văn minh.",
    "Học, học nữa, học mãi (Lenin).",
    "Không có tài sản nào quý bằng trí thông minh, không vinh quang nào lớn hơn học vấn và hiểu biết.",
    "Học ở trường, học ở sách vở, học lẫn nhau và học ở Nhân dân (Hồ Chí Minh).",
    "Trường học vĩ đại nhất chính là sách vở (Thomas Carlyle - nhà triết học Scotland).",
    "Phát triển thói quen đọc để trở thành người học suốt đời.",
    "Đọc và học tập suốt đời theo tấm gương Bác Hồ vĩ đại.",
    "Tự học để phát triển năng lực và phẩm chất, góp phần xây dựng xã hội học tập.",
    "Học tập là hạt giống của kiến thức, kiến thức là hạt giống của hạnh phúc (Ngạn ngữ Gruzia).",
    "Thông minh, tài trí là đòn bẩy thúc đẩy xã hội (Balzac - Nhà văn Pháp).",
];

/// One demo account: (username, full name, unit code, role).
pub const DEMO_ACCOUNTS: &[(&str, &str, &str, Role)] = &[
    ("admin", "Quản trị hệ thống", "VN", Role::Admin),
    ("bo.xem", "Chuyên viên Cục GDNN-GDTX", "VN", Role::Viewer),
    ("hcm", "Chuyên viên Sở GDĐT TP.HCM", "79", Role::Reviewer),
    (
        "quan7",
        "Chuyên viên Phòng GDĐT Quận 7",
        "778",
        Role::Reviewer,
    ),
    ("quan7.admin", "Quản trị Quận 7", "778", Role::Admin),
    (
        "tanphong",
        "Cán bộ VH-XH Phường Tân Phong",
        "27490",
        Role::Reporter,
    ),
    (
        "tanthuandong",
        "Cán bộ VH-XH Phường Tân Thuận Đông",
        "27466",
        Role::Reporter,
    ),
    (
        "binhduong",
        "Chuyên viên Sở GDĐT Bình Dương",
        "74",
        Role::Reviewer,
    ),
    (
        "thudaumot",
        "Chuyên viên Phòng GDĐT Thủ Dầu Một",
        "718",
        Role::Reviewer,
    ),
    (
        "phucuong",
        "Giám đốc TTHTCĐ Phường Phú Cường",
        "25747",
        Role::Reporter,
    ),
    (
        "gialai",
        "Chuyên viên Sở GDĐT Gia Lai",
        "64",
        Role::Reviewer,
    ),
];

/// What the demo does to one unit's report.
#[derive(Clone, Copy)]
enum Plan {
    Missing,
    Draft,
    OnTime,
    Late,
    AcceptedOnTime,
    AcceptedLate,
    Returned,
    OnBehalf,
}

/// Username of the demo reporter of a unit without a named account: `bc.<code>`.
pub fn demo_reporter_name(code: &str) -> String {
    format!("bc.{}", code.to_lowercase())
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(h, 0, 0))
        .expect("valid demo date")
        .and_utc()
}

/// Deterministic figures for a unit (a small linear congruential generator seeded by its code).
fn figures_for(template: &Template, code: &str) -> Figures {
    let mut seed: u64 = code.bytes().fold(1469598103934665603, |h, b| {
        (h ^ b as u64).wrapping_mul(1099511628211)
    });
    let mut next = |lo: i64, hi: i64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + ((seed >> 33) as i64).rem_euclid(hi - lo + 1)
    };
    let mut f = Figures::default();
    for ind in &template.indicators {
        if ind.kind != RowKind::Value {
            continue;
        }
        let two = ind.columns.len() == 2;
        if ind.money {
            f.set(&ind.code, &ind.columns[0], Some(next(5, 40) * 500_000));
        } else if two {
            let n = next(0, 3);
            if n > 0 {
                f.set(&ind.code, "count", Some(n));
                f.set(&ind.code, "people", Some(n * next(12, 45)));
            }
        } else {
            let range = match ind.code.as_str() {
                "3" => (20, 300),
                "4.2" => (50, 600),
                "9.2" => (0, 12),
                _ => (0, 12),
            };
            f.set(&ind.code, &ind.columns[0], Some(next(range.0, range.1)));
        }
    }
    tuanle_domain::validate::fill_totals(template, &mut f);
    f
}

fn narrative_for(unit_name: &str) -> Narrative {
    Narrative {
        s1_1: format!("{unit_name} ban hành kế hoạch tổ chức Tuần lễ căn cứ kế hoạch của cấp trên; phân công cán bộ theo dõi, đôn đốc các đơn vị trên địa bàn."),
        s1_2: "Tổ chức Lễ phát động theo hình thức trực tuyến ngày 01/10/2021.".into(),
        s1_3: "Tuyên truyền trên cổng thông tin, Zalo, loa phát thanh; mở các lớp bồi dưỡng trực tuyến; phát động quyên góp sách xây dựng tủ sách lớp học.".into(),
        s1_4: "Ngân sách nhà nước và nguồn vận động hợp pháp.".into(),
        s2_1: "Các hoạt động được triển khai đồng bộ, thu hút đông đảo người dân tham gia qua các nền tảng trực tuyến.".into(),
        s2_2: "Dịch COVID-19 hạn chế các hoạt động trực tiếp.".into(),
        s2_3: "Đề nghị cấp trên hỗ trợ tài liệu học tập số cho Trung tâm học tập cộng đồng.".into(),
    }
}

impl App {
    /// Builds the demo on an empty database. Returns the campaign id. Fails (and does
    /// nothing) if the database already has units.
    pub async fn build_demo(&self) -> Result<i64> {
        if !self.store.list_trees().await?.is_empty() {
            return Err(AppError::Conflict(
                "Cơ sở dữ liệu đã có dữ liệu; dữ liệu minh họa chỉ tạo trên cơ sở dữ liệu trống"
                    .into(),
            ));
        }
        let effective = NaiveDate::from_ymd_opt(2021, 11, 1).expect("date");
        let (tree, _) = self
            .import_units(
                None,
                "Đơn vị hành chính 2021",
                effective,
                DEMO_UNITS.as_bytes(),
                |_, _| {},
            )
            .await?;
        let hash = crate::auth::hash_password(DEMO_PASSWORD)?;
        for (username, name, unit, role) in DEMO_ACCOUNTS {
            let u = NewUser {
                username: username.to_string(),
                full_name: name.to_string(),
                email: None,
                password: DEMO_PASSWORD.into(),
                unit_code: unit.to_string(),
                role: *role,
            };
            self.add_demo_user(tree.id, &u, &hash).await?;
        }
        let admin = self.login_actor("admin").await?;
        // Bodies under the administrative units.
        let mut bodies: Vec<NewBody> = vec![NewBody {
            parent_code: "VN".into(),
            code: Some("BGDDT".into()),
            name: "Bộ Giáo dục và Đào tạo".into(),
            unit_type: "Bộ GDĐT".into(),
        }];
        for (code, province) in [
            ("79", "Thành phố Hồ Chí Minh"),
            ("74", "tỉnh Bình Dương"),
            ("64", "tỉnh Gia Lai"),
            ("14", "tỉnh Sơn La"),
            ("58", "tỉnh Ninh Thuận"),
        ] {
            bodies.push(NewBody {
                parent_code: code.into(),
                code: None,
                name: format!("Sở Giáo dục và Đào tạo {province}"),
                unit_type: "Sở GDĐT".into(),
            });
            bodies.push(NewBody {
                parent_code: code.into(),
                code: None,
                name: format!("Hội Khuyến học {province}"),
                unit_type: "Hội Khuyến học".into(),
            });
        }
        for (code, district) in [
            ("778", "Quận 7"),
            ("718", "thành phố Thủ Dầu Một"),
            ("622", "thành phố Pleiku"),
            ("116", "thành phố Sơn La"),
            ("582", "thành phố Phan Rang-Tháp Chàm"),
        ] {
            bodies.push(NewBody {
                parent_code: code.into(),
                code: None,
                name: format!("Ủy ban nhân dân {district}"),
                unit_type: "UBND".into(),
            });
            bodies.push(NewBody {
                parent_code: code.into(),
                code: None,
                name: format!("Phòng Giáo dục và Đào tạo {district}"),
                unit_type: "Phòng GDĐT".into(),
            });
        }
        bodies.push(NewBody {
            parent_code: "778".into(),
            code: None,
            name: "Phòng Văn hóa và Thông tin Quận 7".into(),
            unit_type: "Phòng Văn hóa và Thông tin".into(),
        });
        bodies.push(NewBody {
            parent_code: "778".into(),
            code: None,
            name: "Hội Khuyến học Quận 7".into(),
            unit_type: "Hội Khuyến học".into(),
        });
        bodies.push(NewBody {
            parent_code: "778".into(),
            code: None,
            name: "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên Quận 7".into(),
            unit_type: "Trung tâm GDNN-GDTX".into(),
        });
        bodies.push(NewBody {
            parent_code: "778".into(),
            code: None,
            name: "Trung tâm Văn hóa Quận 7".into(),
            unit_type: "Trung tâm Văn hóa".into(),
        });
        // The offices Phòng GDĐT Thủ Dầu Một consulted on plan 220/KH-UBND (seed 004).
        for (code, name, unit_type) in [
            (
                "718-TCKH",
                "Phòng Tài chính - Kế hoạch thành phố Thủ Dầu Một",
                "Cơ quan khác",
            ),
            (
                "718-NV",
                "Phòng Nội vụ thành phố Thủ Dầu Một",
                "Cơ quan khác",
            ),
            (
                "718-VHTT",
                "Phòng Văn hóa - Thông tin thành phố Thủ Dầu Một",
                "Phòng Văn hóa và Thông tin",
            ),
            (
                "718-DTT",
                "Đài truyền thanh thành phố Thủ Dầu Một",
                "Đài truyền thanh",
            ),
        ] {
            bodies.push(NewBody {
                parent_code: "718".into(),
                code: Some(code.into()),
                name: name.into(),
                unit_type: unit_type.into(),
            });
        }
        let wards: Vec<(String, String)> = DEMO_UNITS
            .lines()
            .skip(1)
            .filter(|l| l.contains(",3,"))
            .map(|l| {
                let mut p = l.split(',');
                (
                    p.next().unwrap_or_default().to_string(),
                    p.next().unwrap_or_default().to_string(),
                )
            })
            .collect();
        for (code, name) in &wards {
            bodies.push(NewBody {
                parent_code: code.clone(),
                code: None,
                name: format!("Trung tâm học tập cộng đồng {name}"),
                unit_type: "TTHTCĐ".into(),
            });
        }
        bodies.push(NewBody {
            parent_code: "27490".into(),
            code: None,
            name: "Trường Tiểu học Nguyễn Văn Hưởng".into(),
            unit_type: "Trường tiểu học".into(),
        });
        bodies.push(NewBody {
            parent_code: "25747".into(),
            code: None,
            name: "Trường THCS Nguyễn Thị Minh Khai".into(),
            unit_type: "Trường THCS".into(),
        });
        for b in &bodies {
            self.add_body(&admin, tree.id, b).await?;
        }
        let template_id = self
            .store
            .template_id("tuanle-2021", 1)
            .await?
            .ok_or_else(|| AppError::NotFound("mẫu tuanle-2021".into()))?;
        let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2021, m, day).expect("date");
        let campaign = Campaign {
            id: 0,
            year: 2021,
            name: "Tuần lễ hưởng ứng học tập suốt đời năm 2021".into(),
            themes: vec![
                "Chuyển đổi số và cơ hội học tập suốt đời cho tất cả mọi người trong bối cảnh đại dịch COVID-19".into(),
                "Chuyển đổi số để xây dựng thành công một xã hội học tập mới".into(),
            ],
            start_date: d(10, 1),
            end_date: d(10, 7),
            tree_id: tree.id,
            template_id,
            required_types: ["Thành phố Trung ương", "Tỉnh", "Quận", "Huyện", "Thị xã", "Thành phố", "Phường", "Xã", "Thị trấn", "TTHTCĐ"].iter().map(|s| s.to_string()).collect(),
            deadlines: vec![
                LevelDeadline { admin_level: 3, deadline: d(10, 12) },
                LevelDeadline { admin_level: 2, deadline: d(10, 15) },
                LevelDeadline { admin_level: 1, deadline: d(10, 19) },
            ],
        };
        let campaign_id = self.create_campaign(Some(&admin), &campaign).await?;
        // Registration of activities "trước ngày 01/10" (seed 003's rule, for 2021) and the
        // 11 slogans of seed 002, shown on the public calendar's front page.
        self.set_activity_settings(
            Some(&admin),
            campaign_id,
            &crate::activities::ActivitySettings {
                registration_deadline: Some(d(9, 30)),
                slogans: DEMO_SLOGANS.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            },
        )
        .await?;
        let template = self.template(template_id).await?;
        use Plan::*;
        let plans: Vec<(&str, Plan)> = vec![
            ("27466", AcceptedOnTime),
            ("27469", AcceptedOnTime),
            ("27472", OnTime),
            ("27475", Late),
            ("27478", Returned),
            ("27481", AcceptedLate),
            ("27484", Draft),
            ("27487", OnBehalf),
            ("27490", Missing),
            ("27493", Missing),
            ("27466-TTHTCD", OnTime),
            ("27472-TTHTCD", AcceptedOnTime),
            ("778", OnTime),
            ("25741", AcceptedOnTime),
            ("25744", AcceptedOnTime),
            ("25747", OnTime),
            ("25750", OnTime),
            ("25753", Late),
            ("25756", AcceptedOnTime),
            ("25759", OnTime),
            ("25760", AcceptedLate),
            ("25762", OnTime),
            ("25763", Draft),
            ("25765", OnTime),
            ("25768", Returned),
            ("25747-TTHTCD", AcceptedOnTime),
            ("718", Draft),
            ("23557", AcceptedOnTime),
            ("23560", Late),
            ("03646", OnTime),
            ("22738", AcceptedOnTime),
            ("22741", OnTime),
            ("64", OnTime),
        ];
        let reviewer_of = |code: &str| -> &'static str {
            match code.split('-').next().unwrap_or("") {
                "778" | "718" | "622" | "116" | "582" => "admin",
                c if c.starts_with("274") => "quan7",
                c if c.starts_with("257") => "thudaumot",
                _ => "admin",
            }
        };
        for (code, _) in &plans {
            if !DEMO_ACCOUNTS
                .iter()
                .any(|(_, _, c, r)| c == code && *r == Role::Reporter)
            {
                let unit = self
                    .store
                    .unit_by_code(tree.id, code)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("đơn vị demo {code}")))?;
                let u = NewUser {
                    username: demo_reporter_name(code),
                    full_name: format!("Báo cáo viên {}", unit.name),
                    email: None,
                    password: DEMO_PASSWORD.into(),
                    unit_code: code.to_string(),
                    role: Role::Reporter,
                };
                self.add_demo_user(tree.id, &u, &hash).await?;
            }
        }
        for (code, plan) in plans {
            let unit = self
                .store
                .unit_by_code(tree.id, code)
                .await?
                .ok_or_else(|| AppError::NotFound(format!("đơn vị demo {code}")))?;
            let content = ReportContent {
                figures: figures_for(&template, code),
                narrative: narrative_for(&unit.name),
                ..Default::default()
            };
            let reporter = self.demo_actor_for(&unit, code == "27487").await?;
            let submit_at = match plan {
                Late | AcceptedLate => at(2021, 10, if unit.admin_level >= 3 { 14 } else { 17 }, 3),
                _ => at(2021, 10, if unit.admin_level >= 3 { 10 } else { 13 }, 3),
            };
            match plan {
                Missing => continue,
                Draft => {
                    self.save_report_at(
                        &reporter,
                        campaign_id,
                        code,
                        ReportAction::Save,
                        content,
                        at(2021, 10, 9, 2),
                    )
                    .await?;
                    continue;
                }
                _ => {
                    self.save_report_at(
                        &reporter,
                        campaign_id,
                        code,
                        ReportAction::Submit,
                        content,
                        submit_at,
                    )
                    .await?;
                }
            }
            let reviewer = self.login_actor(reviewer_of(code)).await?;
            let review_at = submit_at + chrono::Duration::days(1);
            match plan {
                AcceptedOnTime | AcceptedLate => {
                    self.review_report_at(
                        &reviewer,
                        campaign_id,
                        code,
                        ReportAction::Accept,
                        "",
                        review_at,
                    )
                    .await?;
                }
                Returned => {
                    self.review_report_at(&reviewer, campaign_id, code, ReportAction::Return, "Số người tham gia lớp bồi dưỡng chưa khớp với danh sách; đề nghị kiểm tra lại dòng 1.", review_at).await?;
                }
                _ => {}
            }
        }
        Ok(campaign_id)
    }

    async fn add_demo_user(&self, tree_id: i64, u: &NewUser, hash: &str) -> Result<i64> {
        let unit = self
            .store
            .unit_by_code(tree_id, &u.unit_code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("đơn vị demo {}", u.unit_code)))?;
        self.insert_user_hashed(None, &unit, u, hash).await
    }

    /// The actor of a demo account (no password check: the demo builds its own data).
    async fn login_actor(&self, username: &str) -> Result<Actor> {
        let user = self
            .store
            .user_by_username(username)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("tài khoản {username}")))?;
        let unit = self
            .store
            .unit(user.unit_id)
            .await?
            .ok_or_else(|| AppError::NotFound("đơn vị".into()))?;
        Ok(Actor {
            user,
            unit,
            ip: None,
        })
    }

    /// Who enters a unit's report in the demo: the unit's reporter, or for Phường Tân Phú
    /// the Quận 7 reviewer, entering a paper report on its behalf.
    async fn demo_actor_for(
        &self,
        unit: &tuanle_domain::unit::Unit,
        on_behalf: bool,
    ) -> Result<Actor> {
        let own = DEMO_ACCOUNTS
            .iter()
            .find(|(_, _, code, role)| *code == unit.code && *role == Role::Reporter);
        match (own, on_behalf) {
            _ if on_behalf => self.login_actor("quan7").await,
            (Some((username, ..)), _) => self.login_actor(username).await,
            (None, _) => self.login_actor(&demo_reporter_name(&unit.code)).await,
        }
    }
}
