//! `tuanle user add`.

use std::io::BufRead;

use tuanle_app::users::NewUser;

use crate::context::{open, optional_actor, tree_or_only, user_error, CliError};
use crate::AddUserArgs;

/// Strips the line end of a password read as one line.
fn strip_line_end(mut s: String) -> String {
    while s.ends_with('\n') || s.ends_with('\r') {
        s.pop();
    }
    s
}

/// The password: one line of stdin with `--password-stdin`, else typed twice without echo.
fn read_password(from_stdin: bool) -> Result<String, CliError> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| user_error(format!("không đọc được mật khẩu từ stdin: {e}")))?;
        return Ok(strip_line_end(line));
    }
    let no_terminal = |e: std::io::Error| {
        user_error(format!(
            "không nhập được mật khẩu từ bàn phím ({e}); hãy dùng --password-stdin"
        ))
    };
    let first = rpassword::prompt_password("Mật khẩu (password): ").map_err(no_terminal)?;
    let again = rpassword::prompt_password("Nhập lại mật khẩu (again): ").map_err(no_terminal)?;
    if first != again {
        return Err(user_error("hai lần nhập mật khẩu không khớp nhau"));
    }
    Ok(first)
}

/// Tạo tài khoản, as the operator or as `--as` (whose rights are checked).
pub async fn add_user(db: &str, args: AddUserArgs) -> Result<(), CliError> {
    let app = open(db).await?;
    let tree = tree_or_only(&app, args.tree.as_deref()).await?;
    let actor = optional_actor(&app, args.as_user.as_deref()).await?;
    // Check what can be checked before asking for the password.
    let unit = app
        .store
        .unit_by_code(tree.id, args.unit.trim())
        .await?
        .ok_or_else(|| {
            user_error(format!(
                "cây \"{}\" không có đơn vị mã \"{}\"",
                tree.name,
                args.unit.trim()
            ))
        })?;
    if app
        .store
        .user_by_username(args.username.trim())
        .await?
        .is_some()
    {
        return Err(user_error(format!(
            "tên đăng nhập \"{}\" đã có",
            args.username.trim()
        )));
    }
    let password = read_password(args.password_stdin)?;
    let role = args.role.role();
    let new = NewUser {
        username: args.username.trim().to_string(),
        full_name: args.full_name.clone(),
        email: args.email.clone().filter(|e| !e.trim().is_empty()),
        password,
        unit_code: unit.code.clone(),
        role,
    };
    let id = app.add_user(actor.as_ref(), tree.id, &new, true).await?;
    println!(
        "Đã tạo tài khoản \"{}\" (số {id}): {}, vai trò {} ({}), đơn vị {} ({}), cây \"{}\".",
        new.username,
        new.full_name.trim(),
        role.label_vi(),
        role.as_str(),
        unit.name,
        unit.code,
        tree.name
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_are_stripped_but_spaces_kept() {
        assert_eq!(strip_line_end("mật khẩu \r\n".into()), "mật khẩu ");
        assert_eq!(strip_line_end("abc".into()), "abc");
    }
}
