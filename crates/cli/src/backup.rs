//! `tuanle backup FILE` and `tuanle restore FILE` — sao lưu và phục hồi cơ sở dữ liệu.
//!
//! SQLite: an online copy with `VACUUM INTO` (the server may keep running); restore checks
//! the file (`integrity_check`, migrations) and puts it in place of the database file
//! (the server must be stopped). PostgreSQL: `pg_dump --format=custom` and
//! `pg_restore --clean --if-exists --single-transaction` (Debian package postgresql-client,
//! version ≥ the server's). See docs/security.md for the schedule advice.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::context::CliError;

fn user(msg: impl Into<String>) -> CliError {
    CliError::User(msg.into())
}

/// `tuanle backup FILE`
pub async fn backup(db: &str, file: &Path) -> Result<(), CliError> {
    if file.exists() {
        return Err(user(format!(
            "Tệp {} đã có: chọn tên khác (không ghi đè bản sao lưu)",
            file.display()
        )));
    }
    if db.starts_with("sqlite:") {
        let store = tuanle_store::Store::connect(db)
            .await
            .map_err(|e| user(format!("Không mở được cơ sở dữ liệu: {e}")))?;
        store
            .sqlite_backup_into(file)
            .await
            .map_err(|e| user(format!("Sao lưu không thành công: {e}")))?;
        let n = tuanle_store::check_sqlite_backup(file)
            .await
            .map_err(|e| user(format!("Bản sao lưu không đọc lại được: {e}")))?;
        println!(
            "Đã sao lưu SQLite vào {} ({} byte, {n} bước cấu trúc)",
            file.display(),
            std::fs::metadata(file).map(|m| m.len()).unwrap_or(0)
        );
        Ok(())
    } else if db.starts_with("postgres:") || db.starts_with("postgresql:") {
        let (url, password) = split_password(db);
        let mut cmd = Command::new("pg_dump");
        cmd.args(["--format=custom", "--no-owner", "--file"])
            .arg(file)
            .arg("--dbname")
            .arg(&url);
        run_pg(cmd, password, "pg_dump")?;
        println!(
            "Đã sao lưu PostgreSQL vào {} (pg_dump, định dạng custom)",
            file.display()
        );
        Ok(())
    } else {
        Err(user(
            "Địa chỉ cơ sở dữ liệu không phải sqlite:// hay postgres://",
        ))
    }
}

/// `tuanle restore FILE --yes`
pub async fn restore(db: &str, file: &Path, yes: bool) -> Result<(), CliError> {
    if !file.is_file() {
        return Err(user(format!("Không có tệp sao lưu {}", file.display())));
    }
    if !yes {
        return Err(user(
            "Phục hồi thay toàn bộ dữ liệu hiện có bằng bản sao lưu. Dừng máy chủ rồi chạy lại với --yes",
        ));
    }
    if db.starts_with("sqlite:") {
        let target = tuanle_store::sqlite_file(db)
            .ok_or_else(|| user("Không phục hồi được vào cơ sở dữ liệu trong bộ nhớ"))?;
        tuanle_store::check_sqlite_backup(file)
            .await
            .map_err(|e| user(format!("Không phục hồi: {e}")))?;
        let tmp = sibling(&target, ".restore-tmp");
        std::fs::copy(file, &tmp)
            .map_err(|e| user(format!("Không chép được {}: {e}", file.display())))?;
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| user(format!("Không ghi được {}: {e}", tmp.display())))?;
        // The old write-ahead log belongs to the old file: remove it with the file.
        for ext in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(sibling(&target, ext));
        }
        std::fs::rename(&tmp, &target)
            .map_err(|e| user(format!("Không thay được {}: {e}", target.display())))?;
        // Migrations newer than the backup run now.
        tuanle_store::Store::connect(db)
            .await
            .map_err(|e| user(format!("Cơ sở dữ liệu sau phục hồi không mở được: {e}")))?;
        println!("Đã phục hồi {} từ {}", target.display(), file.display());
        Ok(())
    } else if db.starts_with("postgres:") || db.starts_with("postgresql:") {
        let (url, password) = split_password(db);
        let mut cmd = Command::new("pg_restore");
        cmd.args([
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
        ])
        .arg(&url)
        .arg(file);
        run_pg(cmd, password, "pg_restore")?;
        tuanle_store::Store::connect(db)
            .await
            .map_err(|e| user(format!("Cơ sở dữ liệu sau phục hồi không mở được: {e}")))?;
        println!("Đã phục hồi PostgreSQL từ {} (pg_restore)", file.display());
        Ok(())
    } else {
        Err(user(
            "Địa chỉ cơ sở dữ liệu không phải sqlite:// hay postgres://",
        ))
    }
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The URL without its password, and the password (given to libpq through `PGPASSWORD`,
/// so that it does not show in the process list).
fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return (url.to_string(), None);
    };
    match userinfo.split_once(':') {
        Some((name, password)) => (
            format!("{scheme}://{name}@{host}{tail}"),
            Some(percent_decode(password)),
        ),
        None => (url.to_string(), None),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn run_pg(mut cmd: Command, password: Option<String>, tool: &str) -> Result<(), CliError> {
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().map_err(|e| {
        user(format!(
            "Không chạy được {tool} ({e}): cài gói postgresql-client (Debian) cùng phiên bản với máy chủ hoặc mới hơn"
        ))
    })?;
    if !out.status.success() {
        return Err(user(format!(
            "{tool} không thành công: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_leaves_the_url() {
        assert_eq!(
            split_password("postgres://postgres:p%40ss@127.0.0.1:5432/db"),
            (
                "postgres://postgres@127.0.0.1:5432/db".to_string(),
                Some("p@ss".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://u@h/db"),
            ("postgres://u@h/db".to_string(), None)
        );
    }
}
