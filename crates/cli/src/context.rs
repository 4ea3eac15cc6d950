//! What every command shares: opening the application, errors, finding trees and
//! the account a command acts as.

use std::fmt;
use std::path::Path;

use tuanle_app::{Actor, App, AppError};
use tuanle_domain::access::Role;
use tuanle_domain::unit::UnitTree;

/// An error that ends a command with exit code 1. Its text is Vietnamese.
#[derive(Debug)]
pub enum CliError {
    /// An error of a use case (its message is already Vietnamese).
    App(AppError),
    /// A problem found by the command line itself.
    User(String),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::User(m) => f.write_str(m),
            CliError::App(AppError::Validation(issues)) => {
                write!(f, "{}", AppError::Validation(issues.clone()))?;
                for i in issues {
                    write!(f, "\n  [{}] {}", i.code.code(), i.message)?;
                }
                Ok(())
            }
            CliError::App(e) => write!(f, "{e}"),
        }
    }
}

impl From<AppError> for CliError {
    fn from(e: AppError) -> Self {
        CliError::App(e)
    }
}

impl From<tuanle_store::StoreError> for CliError {
    fn from(e: tuanle_store::StoreError) -> Self {
        CliError::App(AppError::from(e))
    }
}

pub fn user_error(message: impl Into<String>) -> CliError {
    CliError::User(message.into())
}

/// The database URL as it may be shown: without its password.
pub fn redacted(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[start..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].find(':') {
            Some(colon) => format!("{}{}:***{}", &url[..start], &rest[..colon], &rest[at..]),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// Opens the database (creating an SQLite file if missing) and the application.
pub async fn open(db: &str) -> Result<App, CliError> {
    App::open(db).await.map_err(|e| {
        user_error(format!(
            "không mở được cơ sở dữ liệu \"{}\": {e}",
            redacted(db)
        ))
    })
}

/// Reads a whole input file.
pub fn read_file(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path)
        .map_err(|e| user_error(format!("không đọc được tệp \"{}\": {e}", path.display())))
}

/// Parses `YYYY-MM-DD` or `DD/MM/YYYY` (clap value parser).
pub fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    let s = s.trim();
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .map_err(|_| {
            format!(
                "ngày \"{s}\" không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2021-11-01) hoặc DD/MM/YYYY"
            )
        })
}

/// Names of the existing trees, for messages.
async fn tree_names(app: &App) -> Result<String, CliError> {
    let trees = app.store.list_trees().await?;
    Ok(if trees.is_empty() {
        "chưa có cây nào".to_string()
    } else {
        trees
            .iter()
            .map(|t| format!("\"{}\"", t.name))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// The tree called `name`.
pub async fn tree_named(app: &App, name: &str) -> Result<UnitTree, CliError> {
    match app.store.tree_by_name(name).await? {
        Some(t) => Ok(t),
        None => Err(user_error(format!(
            "không có cây đơn vị \"{name}\" (các cây hiện có: {})",
            tree_names(app).await?
        ))),
    }
}

/// The tree called `name`, or the only tree when no name is given.
pub async fn tree_or_only(app: &App, name: Option<&str>) -> Result<UnitTree, CliError> {
    if let Some(name) = name {
        return tree_named(app, name).await;
    }
    let mut trees = app.store.list_trees().await?;
    match trees.len() {
        0 => Err(user_error("chưa có cây đơn vị nào; hãy nhập danh mục trước: tuanle units import --tree \"TÊN\" TỆP.csv")),
        1 => Ok(trees.remove(0)),
        _ => Err(user_error(format!("có {} cây đơn vị ({}); hãy chọn bằng --tree", trees.len(), tree_names(app).await?))),
    }
}

/// The account `username`, as an actor.
pub async fn actor_named(app: &App, username: &str) -> Result<Actor, CliError> {
    let user = app
        .store
        .user_by_username(username.trim())
        .await?
        .ok_or_else(|| user_error(format!("không có tài khoản \"{username}\" (--as)")))?;
    if !user.active {
        return Err(user_error(format!("tài khoản \"{username}\" đã bị khóa")));
    }
    let unit = app.store.unit(user.unit_id).await?.ok_or_else(|| {
        user_error(format!(
            "không tìm thấy đơn vị của tài khoản \"{username}\""
        ))
    })?;
    Ok(Actor {
        user,
        unit,
        ip: None,
    })
}

/// The active administrators attached to the national root of `tree`.
async fn national_admins(app: &App, tree: &UnitTree) -> Result<Vec<Actor>, CliError> {
    let root = app.store.tree_root(tree.id).await?;
    let users = app.store.users_in_subtree(&root.path).await?;
    Ok(users
        .into_iter()
        .filter(|u| u.active && u.role == Role::Admin && u.unit_id == root.id)
        .map(|user| Actor {
            user,
            unit: root.clone(),
            ip: None,
        })
        .collect())
}

fn one_admin(mut admins: Vec<Actor>, place: &str) -> Result<Actor, CliError> {
    match admins.len() {
        1 => Ok(admins.remove(0)),
        0 => Err(user_error(format!(
            "{place} chưa có tài khoản quản trị cấp trung ương; hãy tạo bằng: tuanle user add --unit VN --role admin …, hoặc chỉ định --as TÊN_ĐĂNG_NHẬP"
        ))),
        n => {
            let names: Vec<String> = admins.iter().map(|a| a.user.username.clone()).collect();
            Err(user_error(format!("{place} có {n} quản trị cấp trung ương ({}); hãy chọn một bằng --as", names.join(", "))))
        }
    }
}

/// Who a command that needs an administrator acts as: `--as USERNAME`, or else the one
/// active administrator at the national root of `tree`.
pub async fn acting_admin_of_tree(
    app: &App,
    tree: &UnitTree,
    as_user: Option<&str>,
) -> Result<Actor, CliError> {
    match as_user {
        Some(u) => actor_named(app, u).await,
        None => one_admin(
            national_admins(app, tree).await?,
            &format!("Cây \"{}\"", tree.name),
        ),
    }
}

/// Who a command that needs a national administrator (of any tree) acts as: `--as
/// USERNAME`, or else the one active national administrator in the database.
pub async fn acting_national_admin(app: &App, as_user: Option<&str>) -> Result<Actor, CliError> {
    if let Some(u) = as_user {
        return actor_named(app, u).await;
    }
    let mut all = Vec::new();
    for tree in app.store.list_trees().await? {
        all.extend(national_admins(app, &tree).await?);
    }
    one_admin(all, "Cơ sở dữ liệu")
}

/// The optional `--as` account of a command the operator may also run.
pub async fn optional_actor(app: &App, as_user: Option<&str>) -> Result<Option<Actor>, CliError> {
    match as_user {
        Some(u) => Ok(Some(actor_named(app, u).await?)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redacted("postgres://tuanle:bí-mật@db.example.vn:5432/tuanle"),
            "postgres://tuanle:***@db.example.vn:5432/tuanle"
        );
        assert_eq!(
            redacted("postgres://tuanle@localhost/tuanle"),
            "postgres://tuanle@localhost/tuanle"
        );
        assert_eq!(redacted("sqlite://tuanle.db"), "sqlite://tuanle.db");
        assert_eq!(redacted("sqlite:///tmp/a@b/t.db"), "sqlite:///tmp/a@b/t.db");
    }

    #[test]
    fn dates_in_both_forms() {
        let d = chrono::NaiveDate::from_ymd_opt(2021, 11, 1).unwrap();
        assert_eq!(parse_date("2021-11-01"), Ok(d));
        assert_eq!(parse_date("01/11/2021"), Ok(d));
        assert!(parse_date("2021-13-01")
            .unwrap_err()
            .contains("không hợp lệ"));
    }
}
