//! Tuần lễ và mẫu tổng hợp — campaigns and templates.

use tuanle_domain::access::Role;
use tuanle_domain::campaign::Campaign;
use tuanle_domain::template::Template;
use tuanle_store::NewAudit;

use crate::{Actor, App, AppError, Result};

impl App {
    /// Installs the built-in templates (seed 002 and seed 000) when missing.
    pub async fn install_builtin_templates(&self) -> Result<()> {
        for t in [Template::builtin_2021(), Template::builtin_gia_lai_2021()] {
            if self.store.template_id(&t.code, t.version).await?.is_none() {
                let mut tx = self.store.begin().await?;
                let id = tx.insert_template(&t).await?;
                tx.audit(NewAudit {
                    action: "install_template".into(),
                    object_type: "template".into(),
                    object_id: id.to_string(),
                    after: Some(serde_json::json!({"code": t.code, "version": t.version})),
                    ..Default::default()
                })
                .await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    fn require_national_admin(actor: &Actor) -> Result<()> {
        if actor.user.role == Role::Admin && actor.is_national() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Chỉ quản trị cấp trung ương được thực hiện thao tác này".into(),
            ))
        }
    }

    /// Thêm mẫu tổng hợp (JSON or TOML text) — national administrators only.
    pub async fn add_template(&self, actor: &Actor, text: &str) -> Result<i64> {
        Self::require_national_admin(actor)?;
        let t = if text.trim_start().starts_with('{') {
            Template::from_json(text)?
        } else {
            Template::from_toml(text)?
        };
        let mut tx = self.store.begin().await?;
        let id = tx.insert_template(&t).await?;
        tx.audit(NewAudit { action: "add_template".into(), object_type: "template".into(), object_id: id.to_string(), after: Some(serde_json::json!({"code": t.code, "version": t.version, "rows": t.indicators.len()})), ..actor.audit() })
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn template(&self, id: i64) -> Result<Template> {
        if let Some(t) = self.templates.read().ok().and_then(|m| m.get(&id).cloned()) {
            return Ok((*t).clone());
        }
        let t = self
            .store
            .template(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Không tìm thấy mẫu tổng hợp {id}")))?;
        if let Ok(mut m) = self.templates.write() {
            m.insert(id, std::sync::Arc::new(t.clone()));
        }
        Ok(t)
    }

    /// Tạo Tuần lễ — national administrators only.
    pub async fn create_campaign(&self, actor: Option<&Actor>, c: &Campaign) -> Result<i64> {
        if let Some(a) = actor {
            Self::require_national_admin(a)?;
            if a.unit.tree_id != c.tree_id {
                return Err(AppError::Forbidden(
                    "Chỉ tạo Tuần lễ trên cây đơn vị của mình".into(),
                ));
            }
        }
        c.check()?;
        self.template(c.template_id).await?;
        let mut tx = self.store.begin().await?;
        let id = tx.insert_campaign(c).await?;
        crate::consolidation::refresh_expected(&mut tx, c.tree_id, Some(id)).await?;
        let mut audit = actor.map(|a| a.audit()).unwrap_or_default();
        audit.action = "create_campaign".into();
        audit.object_type = "campaign".into();
        audit.object_id = id.to_string();
        audit.after = Some(serde_json::to_value(c).unwrap_or_default());
        tx.audit(audit).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn campaign(&self, id: i64) -> Result<Campaign> {
        if let Some(c) = self.campaigns.read().ok().and_then(|m| m.get(&id).cloned()) {
            return Ok(c);
        }
        let c = self
            .store
            .campaign(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Không tìm thấy Tuần lễ {id}")))?;
        if let Ok(mut m) = self.campaigns.write() {
            m.insert(id, c.clone());
        }
        Ok(c)
    }

    /// Campaigns on the actor's tree.
    pub async fn campaigns_for(&self, actor: &Actor) -> Result<Vec<Campaign>> {
        Ok(self
            .store
            .list_campaigns()
            .await?
            .into_iter()
            .filter(|c| c.tree_id == actor.unit.tree_id)
            .collect())
    }
}
