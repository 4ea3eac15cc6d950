//! `tuanle template list | export | import`, `tuanle campaign list`,
//! `tuanle consolidation rebuild`.

use tuanle_domain::format::{date_vi, number_vi};

use crate::context::{
    acting_national_admin, open, optional_actor, read_file, user_error, CliError,
};
use crate::{ExportTemplateArgs, ImportTemplateArgs, RebuildArgs, TemplateFormat};

/// Liệt kê mẫu tổng hợp.
pub async fn list_templates(db: &str) -> Result<(), CliError> {
    let app = open(db).await?;
    println!("  {:<4} {:<24} {:<9} Tên", "Số", "Mã", "Phiên bản");
    for (id, code, version, name) in app.store.list_templates().await? {
        println!("  {id:<4} {code:<24} {version:<9} {name}");
    }
    Ok(())
}

/// Xuất mẫu tổng hợp ra stdout.
pub async fn export_template(db: &str, args: ExportTemplateArgs) -> Result<(), CliError> {
    let app = open(db).await?;
    let t = app.template(args.id).await?;
    let text = match args.format {
        TemplateFormat::Json => t.to_json(),
        TemplateFormat::Toml => t.to_toml(),
    };
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(())
}

/// Nhập mẫu tổng hợp mới, as a national administrator.
pub async fn import_template(db: &str, args: ImportTemplateArgs) -> Result<(), CliError> {
    let bytes = read_file(&args.file)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        user_error(format!(
            "tệp \"{}\" không phải văn bản UTF-8",
            args.file.display()
        ))
    })?;
    let app = open(db).await?;
    let actor = acting_national_admin(&app, args.as_user.as_deref()).await?;
    let id = app.add_template(&actor, &text).await?;
    let t = app.template(id).await?;
    println!(
        "Đã nhập mẫu tổng hợp \"{}\" (mã {}, phiên bản {}, {} dòng) với số {id}, thực hiện với quyền của {}.",
        t.name,
        t.code,
        t.version,
        t.indicators.len(),
        actor.user.username
    );
    Ok(())
}

/// Liệt kê Tuần lễ.
pub async fn list_campaigns(db: &str) -> Result<(), CliError> {
    let app = open(db).await?;
    let campaigns = app.store.list_campaigns().await?;
    if campaigns.is_empty() {
        println!("Chưa có Tuần lễ nào.");
        return Ok(());
    }
    println!(
        "  {:<4} {:<5} {:<25} {:<5} {:<5} Tên",
        "Số", "Năm", "Thời gian", "Cây", "Mẫu"
    );
    for c in campaigns {
        let dates = format!("{}–{}", date_vi(c.start_date), date_vi(c.end_date));
        println!(
            "  {:<4} {:<5} {:<25} {:<5} {:<5} {}",
            c.id, c.year, dates, c.tree_id, c.template_id, c.name
        );
    }
    Ok(())
}

/// Tính lại tổng hợp of a campaign from the raw report values.
pub async fn rebuild(db: &str, args: RebuildArgs) -> Result<(), CliError> {
    let app = open(db).await?;
    let campaign = app.campaign(args.campaign).await?;
    let actor = optional_actor(&app, args.as_user.as_deref()).await?;
    let differing = app
        .rebuild_consolidation(actor.as_ref(), campaign.id)
        .await?;
    println!(
        "Đã tính lại số liệu tổng hợp của Tuần lễ số {} \"{}\": {} tổng khác với bản đã lưu (differing sums: {differing}) và đã được thay thế.",
        campaign.id,
        campaign.name,
        number_vi(differing as i64)
    );
    Ok(())
}
