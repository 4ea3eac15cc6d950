//! Units through the real store: importing the official 2021 list, idempotent
//! re-import, diacritic-insensitive search, bodies, all-or-nothing failures.

use tuanle_app::units::NewBody;
use tuanle_app::users::NewUser;
use tuanle_app::{Actor, App, AppError};
use tuanle_domain::access::Role;

const UNITS_2021: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/units/units-2021-11-01.csv"
);

async fn app() -> (tuanle_store::testing::TestDb, App) {
    let db = tuanle_store::testing::fresh_db().await;
    let app = App::open(&db.url).await.unwrap();
    (db, app)
}

async fn actor(app: &App, tree_id: i64, username: &str, unit: &str, role: Role) -> Actor {
    let u = NewUser {
        username: username.into(),
        full_name: username.into(),
        email: None,
        password: "mat-khau-dai".into(),
        unit_code: unit.into(),
        role,
    };
    app.add_user(None, tree_id, &u, true).await.unwrap();
    app.login(username, "mat-khau-dai", None)
        .await
        .unwrap()
        .actor
}

#[tokio::test]
async fn imports_2021_tree_idempotently_and_searches_without_diacritics() {
    let (_d, app) = app().await;
    let file = std::fs::read(UNITS_2021).unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2021, 11, 1).unwrap();
    let mut calls = 0;
    let (tree, s) = app
        .import_units(None, "2021", date, &file, |_, _| calls += 1)
        .await
        .unwrap();
    assert_eq!(s.created, 63 + 705 + 10_599);
    assert!(calls > 10, "progress reported {calls} times");
    assert_eq!(
        app.store.count_units(tree.id).await.unwrap(),
        1 + 63 + 705 + 10_599
    );
    let (_, again) = app
        .import_units(None, "2021", date, &file, |_, _| {})
        .await
        .unwrap();
    assert_eq!(
        (again.created, again.updated, again.unchanged),
        (0, 0, 11_367)
    );

    let admin = actor(&app, tree.id, "admin", "VN", Role::Admin).await;
    let found = app.search_units(&admin, "thu dau mot", 10).await.unwrap();
    assert!(
        found.iter().any(|u| u.name == "Thành phố Thủ Dầu Một"),
        "{found:?}"
    );
    let found = app.search_units(&admin, "dak lak", 10).await.unwrap();
    assert!(found.iter().any(|u| u.name == "Tỉnh Đắk Lắk"), "{found:?}");
    let found = app.search_units(&admin, "Tân Phong", 20).await.unwrap();
    assert!(found.iter().any(|u| u.code == "27490"));

    // Scoped to the caller's subtree.
    let hcm = actor(&app, tree.id, "hcm", "79", Role::Viewer).await;
    assert!(app
        .search_units(&hcm, "thu dau mot", 10)
        .await
        .unwrap()
        .is_empty());
    assert!(!app
        .search_units(&hcm, "tan phong", 10)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn bodies_are_added_checked_and_imported_all_or_nothing() {
    let (_d, app) = app().await;
    let csv = "code,name,type,level,parent_code\n79,Thành phố Hồ Chí Minh,Thành phố Trung ương,1,\n778,Quận 7,Quận,2,79\n27490,Phường Tân Phong,Phường,3,778\n";
    let date = chrono::NaiveDate::from_ymd_opt(2021, 11, 1).unwrap();
    let (tree, _) = app
        .import_units(None, "t", date, csv.as_bytes(), |_, _| {})
        .await
        .unwrap();
    let q7 = actor(&app, tree.id, "q7admin", "778", Role::Admin).await;
    let body = NewBody {
        parent_code: "27490".into(),
        code: None,
        name: "Trung tâm học tập cộng đồng Phường Tân Phong".into(),
        unit_type: "TTHTCĐ".into(),
    };
    let u = app.add_body(&q7, tree.id, &body).await.unwrap();
    assert_eq!(u.code, "27490-TTHTCD");
    assert_eq!(u.admin_level, 3);
    // Duplicate code → conflict, unknown type → invalid, outside subtree → forbidden.
    let dup = NewBody {
        code: Some("27490-TTHTCD".into()),
        ..body.clone()
    };
    assert!(matches!(
        app.add_body(&q7, tree.id, &dup).await,
        Err(AppError::Conflict(_))
    ));
    let bad = NewBody {
        unit_type: "Không có".into(),
        ..body.clone()
    };
    assert!(matches!(
        app.add_body(&q7, tree.id, &bad).await,
        Err(AppError::Invalid { .. })
    ));
    let outside = NewBody {
        parent_code: "79".into(),
        ..body.clone()
    };
    // Outside the subtree: answered as a missing parent, so codes elsewhere cannot be probed.
    assert!(matches!(
        app.add_body(&q7, tree.id, &outside).await,
        Err(AppError::Invalid { .. })
    ));
    // A bodies file with one bad line stores nothing.
    let before = app.store.count_units(tree.id).await.unwrap();
    let file = "code,name,type,parent_code\n778-PGD,Phòng Giáo dục và Đào tạo Quận 7,Phòng GDĐT,778\n778-X,Trường X,Loại lạ,778\n";
    let err = app
        .import_bodies(&q7, tree.id, file.as_bytes())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Dòng 3"), "{err}");
    assert_eq!(app.store.count_units(tree.id).await.unwrap(), before);
    // A units file whose parent is unknown stores nothing either.
    let broken = "code,name,type,level,parent_code\n27493,Phường Phú Mỹ,Phường,3,778\n27999,Phường Lạ,Phường,3,999\n";
    let err = app
        .import_units(None, "t", date, broken.as_bytes(), |_, _| {})
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("Dòng 3") && err.to_string().contains("999"),
        "{err}"
    );
    assert_eq!(app.store.count_units(tree.id).await.unwrap(), before);
}
