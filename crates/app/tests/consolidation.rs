//! Consolidation through the real store: after any sequence of save/submit/return/accept
//! on a random tree, every unit's stored totals equal its own report plus the sum of its
//! children's totals, for every row and column, on both bases; and a rebuild from raw
//! values finds nothing to correct.

use std::collections::HashMap;

use proptest::prelude::*;
use tuanle_app::users::NewUser;
use tuanle_app::{Actor, App};
use tuanle_domain::access::Role;
use tuanle_domain::campaign::{Campaign, LevelDeadline};
use tuanle_domain::consolidate::Totals;
use tuanle_domain::report::{Basis, ReportAction, ReportContent, ReportStatus};

#[derive(Debug, Clone)]
struct Tree {
    /// districts per province, communes per district
    shape: Vec<Vec<usize>>,
}

fn tree_strategy() -> impl Strategy<Value = Tree> {
    prop::collection::vec(prop::collection::vec(1usize..4, 1..3), 1..3)
        .prop_map(|shape| Tree { shape })
}

#[derive(Debug, Clone)]
struct Step {
    unit: usize,
    action: ReportAction,
    values: [i64; 4],
}

fn steps_strategy() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (
            0usize..64,
            prop_oneof![
                Just(ReportAction::Save),
                Just(ReportAction::Submit),
                Just(ReportAction::Return),
                Just(ReportAction::Accept)
            ],
            [0i64..20, 0i64..20, 0i64..500, 0i64..3_000_000],
        )
            .prop_map(|(unit, action, values)| Step {
                unit,
                action,
                values,
            }),
        1..40,
    )
}

/// The clean-format CSV of a tree with the given shape; returns it and all unit codes.
fn units_csv(tree: &Tree) -> (String, Vec<String>) {
    let mut csv = String::from("code,name,type,level,parent_code\n");
    let mut codes = Vec::new();
    let mut district = 100;
    let mut commune = 10000;
    for (p, districts) in tree.shape.iter().enumerate() {
        let pc = format!("{:02}", p + 10);
        csv.push_str(&format!("{pc},Tỉnh Thử {p},Tỉnh,1,\n"));
        codes.push(pc.clone());
        for communes in districts {
            district += 1;
            let dc = format!("{district:03}");
            csv.push_str(&format!("{dc},Huyện Thử {district},Huyện,2,{pc}\n"));
            codes.push(dc.clone());
            for _ in 0..*communes {
                commune += 1;
                let cc = format!("{commune:05}");
                csv.push_str(&format!("{cc},Xã Thử {commune},Xã,3,{dc}\n"));
                codes.push(cc);
            }
        }
    }
    (csv, codes)
}

async fn run_case(tree: Tree, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let db = tuanle_store::testing::fresh_db().await;
    let app = App::open(&db.url).await.unwrap();
    let (csv, codes) = units_csv(&tree);
    let date = chrono::NaiveDate::from_ymd_opt(2021, 11, 1).unwrap();
    let (t, _) = app
        .import_units(None, "Thử", date, csv.as_bytes(), |_, _| {})
        .await
        .unwrap();
    let admin = NewUser {
        username: "admin".into(),
        full_name: "Quản trị".into(),
        email: None,
        password: "mat-khau-dai".into(),
        unit_code: "VN".into(),
        role: Role::Admin,
    };
    app.add_user(None, t.id, &admin, true).await.unwrap();
    let user = app.store.user_by_username("admin").await.unwrap().unwrap();
    let unit = app.store.unit(user.unit_id).await.unwrap().unwrap();
    let actor = Actor {
        user,
        unit,
        ip: None,
    };
    let template_id = app
        .store
        .template_id("tuanle-2021", 1)
        .await
        .unwrap()
        .unwrap();
    let d = |m, day| chrono::NaiveDate::from_ymd_opt(2021, m, day).unwrap();
    let campaign = Campaign {
        id: 0,
        year: 2021,
        name: "Thử".into(),
        themes: vec![],
        start_date: d(10, 1),
        end_date: d(10, 7),
        tree_id: t.id,
        template_id,
        required_types: vec!["Tỉnh".into(), "Huyện".into(), "Xã".into()],
        deadlines: vec![LevelDeadline {
            admin_level: 3,
            deadline: d(10, 12),
        }],
    };
    let cid = app.create_campaign(Some(&actor), &campaign).await.unwrap();
    for s in steps {
        let code = &codes[s.unit % codes.len()];
        let mut content = ReportContent::default();
        content.figures.set("1.01", "count", Some(s.values[0]));
        content
            .figures
            .set("1.01", "people", Some(s.values[0] * 10));
        content.figures.set("2", "count", Some(s.values[1]));
        content.figures.set("4.2", "count", Some(s.values[2]));
        content.figures.set("10.1", "count", Some(s.values[3]));
        let r = match s.action {
            ReportAction::Save | ReportAction::Submit => app
                .save_report(&actor, cid, code, s.action, content)
                .await
                .map(|_| ()),
            _ => app
                .review_report(&actor, cid, code, s.action, "Kiểm tra lại")
                .await
                .map(|_| ()),
        };
        // Invalid transitions are refused and must change nothing; others succeed.
        if let Err(e) = r {
            prop_assert!(
                matches!(
                    e,
                    tuanle_app::AppError::Domain(_) | tuanle_app::AppError::NotFound(_)
                ),
                "unexpected error {e}"
            );
        }
    }
    let template = app.template(template_id).await.unwrap();
    let slots = template.slot_count();
    let stored = app.store.all_totals(cid).await.unwrap();
    let mut all_units = vec![app.store.tree_root(t.id).await.unwrap()];
    for c in &codes {
        all_units.push(app.store.unit_by_code(t.id, c).await.unwrap().unwrap());
    }
    let by_id: HashMap<i64, _> = all_units.iter().map(|u| (u.id, u.clone())).collect();
    for basis in Basis::ALL {
        for u in &all_units {
            let got = stored
                .get(&(u.id, basis))
                .cloned()
                .unwrap_or_else(|| Totals::zero(slots));
            let mut expected = Totals::zero(slots);
            if let Some(r) = app.store.report(cid, u.id).await.unwrap() {
                if r.row.status.counts_in(basis) {
                    expected.add(
                        &Totals {
                            values: r.content.figures.to_vector(&template),
                            reports: 1,
                            late: i64::from(r.row.late),
                        },
                        1,
                    );
                }
            }
            for child in by_id.values().filter(|c| c.parent_id == Some(u.id)) {
                expected.add(
                    &stored
                        .get(&(child.id, basis))
                        .cloned()
                        .unwrap_or_else(|| Totals::zero(slots)),
                    1,
                );
            }
            prop_assert_eq!(&got, &expected, "unit {} basis {:?}", u.code, basis);
        }
    }
    prop_assert_eq!(app.rebuild_consolidation(None, cid).await.unwrap(), 0);
    let _ = ReportStatus::Draft;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn stored_totals_are_own_report_plus_children(tree in tree_strategy(), steps in steps_strategy()) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(run_case(tree, steps))?;
    }
}
