//! `tuanle serve [--demo]`.

use tuanle_app::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD};
use tuanle_app::{App, AppError};

use crate::context::{open, redacted, user_error, CliError};
use crate::ServeArgs;

/// Runs the web server until Ctrl-C or SIGTERM.
pub async fn serve(db: &str, args: ServeArgs) -> Result<(), CliError> {
    let addr: std::net::SocketAddr = tokio::net::lookup_host(args.addr.as_str())
        .await
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            user_error(format!(
                "địa chỉ lắng nghe \"{}\" không hợp lệ, cần dạng HOST:PORT (ví dụ 127.0.0.1:8080)",
                args.addr
            ))
        })?;
    if !(5..=720).contains(&args.session_idle_minutes) {
        return Err(user_error(format!(
            "--session-idle-minutes {} không hợp lệ (từ 5 đến 720 phút)",
            args.session_idle_minutes
        )));
    }
    if let Some(url) = &args.public_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(user_error(format!(
                "--public-url \"{url}\" không hợp lệ: cần dạng https://tên-miền (địa chỉ người dùng mở trang)"
            )));
        }
    }
    let app = open(db).await?;
    app.set_session_settings(tuanle_app::auth::SessionSettings {
        idle_minutes: args.session_idle_minutes,
    });
    // Bind before building the demo, so that a busy port fails at once.
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| user_error(format!("không mở được cổng {addr}: {e}")))?;
    if args.demo {
        demo(&app).await?;
    }
    let local = listener
        .local_addr()
        .map_err(|e| user_error(format!("không đọc được địa chỉ đang lắng nghe: {e}")))?;
    let tls = tuanle_app::notifications::SmtpTls::parse(&args.smtp_tls).ok_or_else(|| {
        user_error(format!(
            "--smtp-tls \"{}\" không hợp lệ (none, starttls, tls)",
            args.smtp_tls
        ))
    })?;
    app.set_notify_settings(tuanle_app::notifications::NotifySettings {
        smtp: args
            .smtp_host
            .clone()
            .map(|host| tuanle_app::notifications::SmtpConfig {
                host,
                port: args.smtp_port,
                tls,
                username: args.smtp_user.clone(),
                password: args.smtp_password.clone(),
                from: args.smtp_from.clone(),
            }),
        reminder_days: args.reminder_days,
        base_url: args
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{local}")),
    });
    tracing::info!(%local, db = %redacted(db), "tuanle đang chạy");
    println!("tuanle đang chạy tại http://{local} (nhấn Ctrl-C để dừng)");
    tuanle_web::serve_on(app, listener)
        .await
        .map_err(|e| user_error(format!("máy chủ web dừng vì lỗi: {e}")))?;
    tracing::info!("tuanle đã dừng");
    Ok(())
}

/// Builds the demo on an empty database, then prints its accounts.
async fn demo(app: &App) -> Result<(), CliError> {
    let empty = app.store.list_trees().await?.is_empty();
    if empty {
        println!("Đang tạo dữ liệu minh họa (Tuần lễ năm 2021, mẫu tổng hợp 2021)…");
        let started = std::time::Instant::now();
        match app.build_demo().await {
            Ok(campaign_id) => println!(
                "Đã tạo dữ liệu minh họa: Tuần lễ số {campaign_id}, trong {:.1} giây.",
                started.elapsed().as_secs_f64()
            ),
            // Another process filled the database meanwhile: the demo is there.
            Err(AppError::Conflict(_)) => {
                println!("Dữ liệu minh họa đã có sẵn trong cơ sở dữ liệu.")
            }
            Err(e) => return Err(e.into()),
        }
    } else if app
        .store
        .user_by_username(DEMO_ACCOUNTS[0].0)
        .await?
        .is_some()
    {
        println!("Dữ liệu minh họa đã có sẵn trong cơ sở dữ liệu; không tạo lại.");
    } else {
        println!(
            "Cơ sở dữ liệu đã có dữ liệu (không phải dữ liệu minh họa); không tạo dữ liệu minh họa. \
             Các tài khoản dưới đây chỉ có trên cơ sở dữ liệu minh họa."
        );
    }
    print_accounts(app).await?;
    Ok(())
}

async fn print_accounts(app: &App) -> Result<(), CliError> {
    println!();
    println!("Tài khoản minh họa (mật khẩu: {DEMO_PASSWORD}):");
    println!(
        "  {:<14} {:<10} {:<32} Họ tên",
        "Tên đăng nhập", "Vai trò", "Đơn vị"
    );
    for (username, full_name, unit_code, role) in DEMO_ACCOUNTS {
        let mut unit = unit_code.to_string();
        if let Some(user) = app.store.user_by_username(username).await? {
            if let Some(u) = app.store.unit(user.unit_id).await? {
                unit = format!("{} ({})", u.name, u.code);
            }
        }
        println!(
            "  {:<14} {:<10} {:<32} {}",
            username,
            role.as_str(),
            unit,
            full_name
        );
    }
    println!(
        "  Mỗi đơn vị có báo cáo trong dữ liệu minh họa mà không có tài khoản riêng ở trên có tài khoản \
         báo cáo viên bc.<mã đơn vị> (chữ thường), ví dụ bc.27469, bc.27466-tthtcd; mật khẩu {DEMO_PASSWORD}."
    );
    println!();
    Ok(())
}
