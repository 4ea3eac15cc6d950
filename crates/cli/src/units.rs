//! `tuanle units import | import-bodies | trees`.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tuanle_domain::format::{date_vi, number_vi};

use crate::context::{acting_admin_of_tree, open, optional_actor, read_file, tree_named, CliError};
use crate::{ImportBodiesArgs, ImportUnitsArgs};

/// A progress bar on stderr; indicatif draws nothing when stderr is not a terminal.
fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} Đang nhập [{bar:40}] {pos}/{len} đơn vị ({elapsed})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Nhập danh mục đơn vị hành chính: all or nothing, idempotent.
pub async fn import_units(db: &str, args: ImportUnitsArgs) -> Result<(), CliError> {
    let bytes = read_file(&args.file)?;
    let app = open(db).await?;
    let actor = optional_actor(&app, args.as_user.as_deref()).await?;
    let existing = app.store.tree_by_name(args.tree.trim()).await?;
    let date = match (&existing, args.date) {
        (Some(tree), Some(d)) if tree.effective_date != d => {
            eprintln!(
                "Lưu ý: cây \"{}\" đã có, hiệu lực từ {}; ngày --date {} không được dùng.",
                tree.name,
                date_vi(tree.effective_date),
                date_vi(d)
            );
            d
        }
        (_, Some(d)) => d,
        (_, None) => chrono::Local::now().date_naive(),
    };
    let bar = progress_bar();
    let started = Instant::now();
    let result = app
        .import_units(
            actor.as_ref(),
            args.tree.trim(),
            date,
            &bytes,
            |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            },
        )
        .await;
    bar.finish_and_clear();
    let (tree, summary) = result?;
    let seconds = started.elapsed().as_secs_f64();
    let total = app.store.count_units(tree.id).await?;
    println!(
        "Đã nhập tệp \"{}\" vào cây \"{}\" (hiệu lực từ {}) trong {:.1} giây.",
        args.file.display(),
        tree.name,
        date_vi(tree.effective_date),
        seconds
    );
    println!(
        "  Thêm mới (created):    {}",
        number_vi(summary.created as i64)
    );
    println!(
        "  Cập nhật (updated):    {}",
        number_vi(summary.updated as i64)
    );
    println!(
        "  Không đổi (unchanged): {}",
        number_vi(summary.unchanged as i64)
    );
    println!(
        "  Cây hiện có {} đơn vị (kể cả gốc Việt Nam).",
        number_vi(total)
    );
    Ok(())
}

/// Nhập cơ quan, đơn vị trực thuộc, as an administrator of the tree.
pub async fn import_bodies(db: &str, args: ImportBodiesArgs) -> Result<(), CliError> {
    let bytes = read_file(&args.file)?;
    let app = open(db).await?;
    let tree = tree_named(&app, args.tree.trim()).await?;
    let actor = acting_admin_of_tree(&app, &tree, args.as_user.as_deref()).await?;
    let added = app.import_bodies(&actor, tree.id, &bytes).await?;
    println!(
        "Đã thêm {} cơ quan, đơn vị trực thuộc vào cây \"{}\" (thực hiện với quyền của {}):",
        number_vi(added.len() as i64),
        tree.name,
        actor.user.username
    );
    for u in &added {
        println!("  {:<16} {:<22} {}", u.code, u.unit_type, u.name);
    }
    Ok(())
}

/// Liệt kê các cây đơn vị.
pub async fn list_trees(db: &str) -> Result<(), CliError> {
    let app = open(db).await?;
    let trees = app.store.list_trees().await?;
    if trees.is_empty() {
        println!(
            "Chưa có cây đơn vị nào. Nhập danh mục: tuanle units import --tree \"TÊN\" TỆP.csv"
        );
        return Ok(());
    }
    println!("  {:<4} {:<12} {:>10}  Tên cây", "Số", "Hiệu lực", "Đơn vị");
    for t in trees {
        let n = app.store.count_units(t.id).await?;
        println!(
            "  {:<4} {:<12} {:>10}  {}",
            t.id,
            date_vi(t.effective_date),
            number_vi(n),
            t.name
        );
    }
    Ok(())
}
