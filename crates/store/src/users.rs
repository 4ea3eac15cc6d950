//! Người dùng và phiên đăng nhập — users and sessions.

use sqlx::Row;
use tuanle_domain::access::Role;

use crate::{now_text, on_pool, on_tx, Result, Store, StoreError, Tx};

/// Người dùng.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    #[serde(skip)]
    pub password_hash: String,
    pub unit_id: i64,
    pub role: Role,
    pub active: bool,
}

pub(crate) const USER_COLUMNS: &str =
    "u.id, u.username, u.full_name, u.email, u.password_hash, u.unit_id, u.role, u.active";

pub(crate) fn user_from_row<R: Row>(r: &R) -> Result<UserRecord>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    bool: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    Option<String>: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let role: String = r.try_get("role")?;
    Ok(UserRecord {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        full_name: r.try_get("full_name")?,
        email: r.try_get("email")?,
        password_hash: r.try_get("password_hash")?,
        unit_id: r.try_get("unit_id")?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Corrupt(format!("vai trò \"{role}\"")))?,
        active: r.try_get("active")?,
    })
}

impl Store {
    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>> {
        on_pool!(self, p => {
            let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM app_user u WHERE u.username = $1")).bind(username).fetch_optional(p).await?;
            row.as_ref().map(user_from_row).transpose()
        })
    }

    pub async fn user(&self, id: i64) -> Result<Option<UserRecord>> {
        on_pool!(self, p => {
            let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM app_user u WHERE u.id = $1")).bind(id).fetch_optional(p).await?;
            row.as_ref().map(user_from_row).transpose()
        })
    }

    /// Users attached to units in a subtree.
    pub async fn users_in_subtree(&self, path: &str) -> Result<Vec<UserRecord>> {
        on_pool!(self, p => {
            let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM app_user u JOIN unit n ON n.id = u.unit_id WHERE n.path >= $1 AND n.path < $2 ORDER BY n.path, u.username"))
                .bind(path).bind(crate::units::path_end(path)).fetch_all(p).await?;
            rows.iter().map(user_from_row).collect()
        })
    }

    pub async fn count_users(&self) -> Result<i64> {
        on_pool!(self, p => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM app_user").fetch_one(p).await?))
    }
}

impl Tx {
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_user(
        &mut self,
        username: &str,
        full_name: &str,
        email: Option<&str>,
        password_hash: &str,
        unit_id: i64,
        role: Role,
    ) -> Result<i64> {
        let now = now_text();
        on_tx!(self, c => {
            sqlx::query_scalar(
                "INSERT INTO app_user (username, full_name, email, password_hash, unit_id, role, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7) RETURNING id",
            )
            .bind(username).bind(full_name).bind(email).bind(password_hash).bind(unit_id).bind(role.as_str()).bind(&now)
            .fetch_one(&mut *c).await
        })
        .map_err(|e| {
            let e = StoreError::from(e);
            if e.is_unique_violation() { StoreError::Conflict(format!("tên đăng nhập \"{username}\" đã có")) } else { e }
        })
    }
}
