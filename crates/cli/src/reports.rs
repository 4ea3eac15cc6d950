//! `tuanle reports import | export` — report workbooks (Excel) on the command line.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tuanle_domain::format::number_vi;
use tuanle_domain::report::ReportAction;

use crate::context::{acting_admin_of_tree, open, read_file, tree_or_only, user_error, CliError};
use crate::{ExportReportArgs, ImportReportsArgs};

/// Workbook and archive files under `path` (a file, or a folder searched recursively),
/// in name order.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| {
                user_error(format!(
                    "không đọc được thư mục \"{}\": {e}",
                    path.display()
                ))
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') || name.starts_with("~$") {
                continue;
            }
            if p.is_dir() {
                collect(&p, out)?;
            } else if ["xlsx", "xls", "zip"]
                .iter()
                .any(|x| name.to_lowercase().ends_with(&format!(".{x}")))
            {
                out.push(p);
            }
        }
        Ok(())
    } else if path.exists() {
        out.push(path.to_path_buf());
        Ok(())
    } else {
        Err(user_error(format!(
            "không có tệp hoặc thư mục \"{}\"",
            path.display()
        )))
    }
}

/// Nhập bảng tính báo cáo: each workbook all or nothing; exit code 1 if any failed.
pub async fn import(db: &str, args: ImportReportsArgs) -> Result<(), CliError> {
    let mut paths = Vec::new();
    for p in &args.paths {
        collect(p, &mut paths)?;
    }
    if paths.is_empty() {
        return Err(user_error("không có tệp .xlsx, .xls hoặc .zip nào để nhập"));
    }
    let app = open(db).await?;
    let tree = match args.campaign {
        Some(id) => {
            let c = app.campaign(id).await?;
            app.store
                .list_trees()
                .await?
                .into_iter()
                .find(|t| t.id == c.tree_id)
                .ok_or_else(|| user_error(format!("không tìm thấy cây đơn vị của Tuần lễ {id}")))?
        }
        None => tree_or_only(&app, None).await?,
    };
    let actor = acting_admin_of_tree(&app, &tree, args.as_user.as_deref()).await?;
    let mut files = Vec::new();
    for p in &paths {
        let bytes = read_file(p)?;
        files.push((p.display().to_string(), bytes));
    }
    let bar = ProgressBar::with_draw_target(Some(files.len() as u64), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} Đang nhập [{bar:40}] {pos}/{len} tệp ({elapsed})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    let action = if args.draft {
        ReportAction::Save
    } else {
        ReportAction::Submit
    };
    let result = app
        .import_workbooks(&actor, args.campaign, files, action, |done, _| {
            bar.set_position(done as u64)
        })
        .await;
    bar.finish_and_clear();
    let summary = result?;
    // On PostgreSQL the imported reports' sums wait as deltas; fold them now rather than
    // leave them for a server instance (readers count them either way).
    while app.store.fold_deltas().await? as i64 >= tuanle_store::FOLD_BATCH {}
    for f in &summary.files {
        for line in f.lines_vi() {
            println!("{line}");
        }
    }
    println!(
        "Đã nhập {} tệp, không thay đổi {}, lỗi {} (tổng {}).",
        number_vi(summary.imported as i64),
        number_vi(summary.unchanged as i64),
        number_vi(summary.failed as i64),
        number_vi(summary.files.len() as i64)
    );
    if summary.failed > 0 {
        return Err(user_error(format!(
            "{} tệp không nhập được (xem từng lỗi ở trên); các tệp đó không thay đổi gì",
            number_vi(summary.failed as i64)
        )));
    }
    Ok(())
}

/// Xuất bảng tính báo cáo của một đơn vị (blank or prefilled).
pub async fn export(db: &str, args: ExportReportArgs) -> Result<(), CliError> {
    let app = open(db).await?;
    let c = app.campaign(args.campaign).await?;
    let tree = app
        .store
        .list_trees()
        .await?
        .into_iter()
        .find(|t| t.id == c.tree_id)
        .ok_or_else(|| user_error("không tìm thấy cây đơn vị của Tuần lễ"))?;
    let actor = acting_admin_of_tree(&app, &tree, args.as_user.as_deref()).await?;
    let (name, bytes) = app
        .report_workbook(&actor, args.campaign, &args.unit, !args.blank)
        .await?;
    let out = args.output.unwrap_or_else(|| PathBuf::from(name));
    std::fs::write(&out, bytes)
        .map_err(|e| user_error(format!("không ghi được tệp \"{}\": {e}", out.display())))?;
    println!("Đã ghi {}", out.display());
    Ok(())
}
