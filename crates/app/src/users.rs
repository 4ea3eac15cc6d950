//! Người dùng — accounts attached to units.

use tuanle_domain::access::{Action, Role};

use crate::auth::{hash_password, MIN_PASSWORD_LEN};
use crate::{Actor, App, AppError, Result};

/// A new account.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    #[serde(default)]
    pub email: Option<String>,
    pub password: String,
    /// Code of the unit in the tree.
    pub unit_code: String,
    pub role: Role,
}

fn check_username(u: &str) -> Result<()> {
    let ok = (3..=40).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            "Tên đăng nhập",
            "từ 3 đến 40 ký tự: chữ không dấu, số, dấu chấm, gạch dưới, gạch ngang",
        ))
    }
}

impl App {
    /// Tạo tài khoản. `actor` is `None` only for the command line (`tuanle user add`).
    /// `enforce_policy` is false only for the demo's fixed passwords.
    pub async fn add_user(
        &self,
        actor: Option<&Actor>,
        tree_id: i64,
        u: &NewUser,
        enforce_policy: bool,
    ) -> Result<i64> {
        check_username(&u.username)?;
        if u.full_name.trim().is_empty() {
            return Err(AppError::invalid("Họ tên", "không được để trống"));
        }
        if enforce_policy && u.password.chars().count() < MIN_PASSWORD_LEN {
            return Err(AppError::invalid(
                "Mật khẩu",
                format!("cần ít nhất {MIN_PASSWORD_LEN} ký tự"),
            ));
        }
        let unit = self
            .store
            .unit_by_code(tree_id, u.unit_code.trim())
            .await?
            .ok_or_else(|| {
                AppError::invalid("Đơn vị", format!("không có đơn vị mã \"{}\"", u.unit_code))
            })?;
        if let Some(a) = actor {
            a.require(&unit, Action::Administer)?;
        }
        let hash = hash_password(&u.password)?;
        self.insert_user_hashed(actor, &unit, u, &hash).await
    }

    /// Stores an account whose password is already hashed (the demo hashes its one password once).
    pub(crate) async fn insert_user_hashed(
        &self,
        actor: Option<&Actor>,
        unit: &tuanle_domain::unit::Unit,
        u: &NewUser,
        hash: &str,
    ) -> Result<i64> {
        let mut tx = self.store.begin().await?;
        let id = tx
            .insert_user(
                &u.username,
                u.full_name.trim(),
                u.email.as_deref(),
                hash,
                unit.id,
                u.role,
            )
            .await?;
        let mut audit = actor.map(|a| a.audit()).unwrap_or_default();
        audit.action = "add_user".into();
        audit.object_type = "user".into();
        audit.object_id = id.to_string();
        audit.unit_id = Some(unit.id);
        audit.after = Some(
            serde_json::json!({ "username": u.username, "full_name": u.full_name, "unit": unit.code, "role": u.role.as_str() }),
        );
        tx.audit(audit).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Accounts in the actor's subtree (administrators only).
    pub async fn users_for(&self, actor: &Actor) -> Result<Vec<tuanle_store::UserRecord>> {
        actor.require(&actor.unit, Action::Administer)?;
        Ok(self.store.users_in_subtree(&actor.unit.path).await?)
    }
}
