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
    /// Fold the pending deltas (PostgreSQL) after this step.
    fold_after: bool,
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
            prop::bool::weighted(0.15),
        )
            .prop_map(|(unit, action, values, fold_after)| Step {
                unit,
                action,
                values,
                fold_after,
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

/// A fresh database with the tree imported, an admin at the root and a campaign on the
/// 2021 template: the app, the admin, the campaign id, the tree's unit codes and the template id.
async fn setup(
    tree: &Tree,
) -> (
    tuanle_store::testing::TestDb,
    App,
    Actor,
    i64,
    Vec<String>,
    i64,
) {
    let db = tuanle_store::testing::fresh_db().await;
    let app = App::open(&db.url).await.unwrap();
    let (csv, codes) = units_csv(tree);
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
    (db, app, actor, cid, codes, template_id)
}

async fn run_case(tree: Tree, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let (_db, app, actor, cid, codes, template_id) = setup(&tree).await;
    let tree_id = app.campaign(cid).await.unwrap().tree_id;
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
        if s.fold_after {
            app.store.fold_deltas().await.unwrap();
        }
    }
    let template = app.template(template_id).await.unwrap();
    let slots = template.slot_count();
    let stored = app.store.all_totals(cid).await.unwrap();
    let mut all_units = vec![app.store.tree_root(tree_id).await.unwrap()];
    for c in &codes {
        all_units.push(app.store.unit_by_code(tree_id, c).await.unwrap().unwrap());
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
    // Folding the pending deltas (PostgreSQL) moves them into the sums and changes no total.
    app.store.fold_deltas().await.unwrap();
    prop_assert_eq!(app.store.pending_deltas().await.unwrap(), 0);
    prop_assert_eq!(&app.store.all_totals(cid).await.unwrap(), &stored);
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

/// Many submissions at once (and, on PostgreSQL, folds running beside them): every
/// report counts exactly once in the nation's totals, and a rebuild finds nothing to fix.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_count_once() {
    let tree = Tree {
        shape: vec![vec![3, 3, 2], vec![3, 2], vec![3]],
    };
    let (_db, app, actor, cid, codes, template_id) = setup(&tree).await;
    let template = app.template(template_id).await.unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let folder = {
        let (app, stop) = (app.clone(), stop.clone());
        tokio::spawn(async move {
            let mut folded = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                folded += app.store.fold_deltas().await.unwrap();
                tokio::task::yield_now().await;
            }
            folded
        })
    };
    let mut tasks = tokio::task::JoinSet::new();
    for (i, code) in codes.iter().enumerate() {
        let (app, actor, code) = (app.clone(), actor.clone(), code.clone());
        tasks.spawn(async move {
            let mut content = ReportContent::default();
            content.figures.set("1.01", "count", Some(i as i64 + 1));
            content
                .figures
                .set("10.1", "count", Some(1_000 * (i as i64 + 1)));
            app.save_report(&actor, cid, &code, ReportAction::Submit, content)
                .await
                .unwrap();
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    folder.await.unwrap();
    let root = app
        .store
        .tree_root(app.campaign(cid).await.unwrap().tree_id)
        .await
        .unwrap();
    let nation = app
        .store
        .totals_for_units(cid, &[root.id], Basis::Submitted)
        .await
        .unwrap()
        .remove(&root.id)
        .unwrap();
    let n = codes.len() as i64;
    assert_eq!(nation.reports, n, "every report counted once");
    let mut expected = ReportContent::default();
    expected.figures.set("1.01", "count", Some(n * (n + 1) / 2));
    expected
        .figures
        .set("10.1", "count", Some(1_000 * n * (n + 1) / 2));
    let mut expected = expected.figures;
    tuanle_domain::validate::fill_totals(&template, &mut expected);
    assert_eq!(nation.values, expected.to_vector(&template));
    app.store.fold_deltas().await.unwrap();
    assert_eq!(app.store.pending_deltas().await.unwrap(), 0);
    // Clearing the fold's dead rows changes no total.
    app.store.vacuum_hot_tables().await.unwrap();
    assert_eq!(app.rebuild_consolidation(None, cid).await.unwrap(), 0);
}
