//! Background jobs with two app instances on one database: every job is claimed and
//! run exactly once, and periodic jobs are queued once whichever instance asks.

use tuanle_app::jobs::{ANALYZE, PURGE_SESSIONS, REBUILD_CONSOLIDATION};
use tuanle_app::App;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_the_queue_and_run_each_job_once() {
    let db = tuanle_store::testing::fresh_db().await;
    let a = App::open(&db.url).await.unwrap();
    let campaign = a.build_demo().await.unwrap();
    let b = App::open(&db.url).await.unwrap();

    // Periodic jobs: both instances schedule the same period; one row results.
    a.schedule_periodic_jobs().await.unwrap();
    b.schedule_periodic_jobs().await.unwrap();
    assert_eq!(a.store.jobs(PURGE_SESSIONS).await.unwrap().len(), 1);

    let n = 40;
    for i in 0..n {
        let app = if i % 2 == 0 { &a } else { &b };
        app.enqueue_job(
            REBUILD_CONSOLIDATION,
            serde_json::json!({ "campaign_id": campaign }),
            None,
        )
        .await
        .unwrap();
    }
    let run = |app: App, name: &'static str| {
        tokio::spawn(async move {
            let mut ran = 0;
            while app.run_one_job(name).await.unwrap().is_some() {
                ran += 1;
            }
            ran
        })
    };
    let (ra, rb) = tokio::join!(run(a.clone(), "instance-a"), run(b.clone(), "instance-b"));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let periodic: Vec<_> = [
        PURGE_SESSIONS,
        ANALYZE,
        tuanle_app::plans::CLOSE_CONSULTATIONS,
        tuanle_app::notifications::REMINDERS,
        tuanle_app::notifications::SEND_EMAILS,
    ]
    .into_iter()
    .collect();
    let mut periodic_rows = Vec::new();
    for kind in &periodic {
        periodic_rows.extend(a.store.jobs(kind).await.unwrap());
    }
    assert_eq!(
        ra + rb,
        n + periodic_rows.len(),
        "instance a ran {ra}, b ran {rb}"
    );
    let jobs = a.store.jobs(REBUILD_CONSOLIDATION).await.unwrap();
    assert_eq!(jobs.len(), n);
    for j in &jobs {
        assert_eq!(j.status, "done", "{j:?}");
        assert_eq!(
            j.attempts, 1,
            "job {} was claimed {} times",
            j.id, j.attempts
        );
        assert!(matches!(
            j.claimed_by.as_deref(),
            Some("instance-a" | "instance-b")
        ));
    }
    let by_a = jobs
        .iter()
        .filter(|j| j.claimed_by.as_deref() == Some("instance-a"))
        .count();
    let periodic_by_a = periodic_rows
        .iter()
        .filter(|j| j.claimed_by.as_deref() == Some("instance-a"))
        .count();
    assert!(
        periodic_rows
            .iter()
            .all(|j| j.status == "done" && j.attempts == 1),
        "{periodic_rows:?}"
    );
    assert_eq!(
        by_a + periodic_by_a,
        ra,
        "rows claimed by a match what a ran"
    );
}

#[tokio::test]
async fn a_failing_job_is_retried_later_and_recorded() {
    let db = tuanle_store::testing::fresh_db().await;
    let app = App::open(&db.url).await.unwrap();
    app.enqueue_job(
        REBUILD_CONSOLIDATION,
        serde_json::json!({ "campaign_id": 999 }),
        None,
    )
    .await
    .unwrap();
    assert!(app.run_one_job("x").await.unwrap().is_some());
    let j = &app.store.jobs(REBUILD_CONSOLIDATION).await.unwrap()[0];
    assert_eq!(j.status, "queued", "re-queued for a later retry");
    assert!(
        j.last_error.as_deref().unwrap_or("").contains("999"),
        "{j:?}"
    );
    // Not due yet: nothing to run now.
    assert!(app.run_one_job("x").await.unwrap().is_none());
}
