//! Đơn vị — importing official lists, adding bodies, searching.

use std::collections::HashMap;

use tuanle_domain::access::Action;
use tuanle_domain::unit::{is_administrative_type, Unit, UnitTree, BODY_TYPES};
use tuanle_domain::units_import::{parse_bodies, parse_units, UnitRecord};
use tuanle_store::{NewAudit, Tx, UnitUpsert, UpsertOutcome};

use crate::{Actor, App, AppError, Result};

/// Kết quả nhập — what an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl ImportSummary {
    fn count(&mut self, o: UpsertOutcome) {
        match o {
            UpsertOutcome::Created(_) => self.created += 1,
            UpsertOutcome::Updated(_) => self.updated += 1,
            UpsertOutcome::Unchanged(_) => self.unchanged += 1,
        }
    }
}

/// A body to add under a unit.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct NewBody {
    /// Parent unit's code.
    pub parent_code: String,
    /// Own code; generated from the parent's code and the type when empty.
    #[serde(default)]
    pub code: Option<String>,
    pub name: String,
    pub unit_type: String,
}

fn body_code_suffix(unit_type: &str) -> String {
    tuanle_domain::text::search_key(unit_type)
        .replace([' ', '-', ','], "")
        .to_uppercase()
}

async fn parent_in_tx(
    tx: &mut Tx,
    cache: &mut HashMap<String, Unit>,
    tree_id: i64,
    code: &str,
) -> Result<Option<Unit>> {
    if let Some(u) = cache.get(code) {
        return Ok(Some(u.clone()));
    }
    let u = tx.unit_by_code(tree_id, code).await?;
    if let Some(u) = &u {
        cache.insert(code.to_string(), u.clone());
    }
    Ok(u)
}

impl App {
    /// Nhập danh mục đơn vị hành chính into the tree `tree_name` (created when new, with
    /// `effective_date`). All or nothing; re-importing the same file changes nothing.
    /// `progress` is called with (done, total).
    pub async fn import_units(
        &self,
        actor: Option<&Actor>,
        tree_name: &str,
        effective_date: chrono::NaiveDate,
        file: &[u8],
        mut progress: impl FnMut(usize, usize),
    ) -> Result<(UnitTree, ImportSummary)> {
        let records = parse_units(file).map_err(|e| AppError::BadFile(e.to_string()))?;
        if tree_name.trim().is_empty() {
            return Err(AppError::invalid("Tên cây đơn vị", "không được để trống"));
        }
        let existing = self.store.tree_by_name(tree_name).await?;
        if let (Some(actor), Some(tree)) = (actor, &existing) {
            let root = self.store.tree_root(tree.id).await?;
            actor.require(&root, Action::Administer)?;
        } else if let Some(actor) = actor {
            if !actor.is_national() || actor.user.role != tuanle_domain::access::Role::Admin {
                return Err(AppError::Forbidden(
                    "Chỉ quản trị cấp trung ương được tạo cây đơn vị".into(),
                ));
            }
        }
        let mut tx = self.store.begin().await?;
        let (tree, root) = match existing {
            Some(t) => {
                let root = tx
                    .unit_by_code(t.id, tuanle_domain::unit::ROOT_CODE)
                    .await?
                    .ok_or_else(|| AppError::NotFound("gốc cây đơn vị".into()))?;
                (t, root)
            }
            None => tx.create_tree(tree_name.trim(), effective_date).await?,
        };
        let mut cache: HashMap<String, Unit> = HashMap::new();
        let mut summary = ImportSummary::default();
        let total = records.len();
        for (i, r) in records.iter().enumerate() {
            let parent = self
                .resolve_parent(&mut tx, &mut cache, &tree, &root, r)
                .await?;
            let (outcome, unit) = tx
                .upsert_unit(
                    &parent,
                    &UnitUpsert {
                        code: r.code.clone(),
                        name: r.name.clone(),
                        unit_type: r.unit_type.clone(),
                        parent_id: parent.id,
                    },
                )
                .await?;
            summary.count(outcome);
            cache.insert(unit.code.clone(), unit);
            if i % 200 == 0 || i + 1 == total {
                progress(i + 1, total);
            }
        }
        crate::consolidation::refresh_expected(&mut tx, tree.id, None).await?;
        let mut audit = actor.map(|a| a.audit()).unwrap_or_default();
        audit.action = "import_units".into();
        audit.object_type = "unit_tree".into();
        audit.object_id = tree.id.to_string();
        audit.unit_id = Some(root.id);
        audit.after = Some(
            serde_json::json!({ "tree": tree.name, "created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged }),
        );
        tx.audit(audit).await?;
        tx.commit().await?;
        self.store.analyze().await?;
        Ok((tree, summary))
    }

    async fn resolve_parent(
        &self,
        tx: &mut Tx,
        cache: &mut HashMap<String, Unit>,
        tree: &UnitTree,
        root: &Unit,
        r: &UnitRecord,
    ) -> Result<Unit> {
        match &r.parent_code {
            None => Ok(root.clone()),
            Some(pc) => parent_in_tx(tx, cache, tree.id, pc)
                .await?
                .ok_or_else(|| AppError::BadFile(format!("Dòng {}: không tìm thấy đơn vị cha mã \"{pc}\" trong tệp hoặc trong cây \"{}\"", r.line, tree.name))),
        }
    }

    /// Thêm cơ quan, đơn vị trực thuộc under an administrative unit or another body.
    pub async fn add_body(&self, actor: &Actor, tree_id: i64, body: &NewBody) -> Result<Unit> {
        let mut tx = self.store.begin().await?;
        let unit = self
            .add_body_in(&mut tx, actor, tree_id, body, None)
            .await?;
        for (campaign, required) in tx.campaigns_on_tree(tree_id).await? {
            if required.contains(&unit.unit_type) {
                tx.add_expected(campaign, &unit.lineage(), 1).await?;
            }
        }
        tx.commit().await?;
        Ok(unit)
    }

    async fn add_body_in(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        tree_id: i64,
        body: &NewBody,
        line: Option<usize>,
    ) -> Result<Unit> {
        let at = |field: &str| match line {
            Some(l) => format!("Dòng {l}, {field}"),
            None => field.to_string(),
        };
        let name = body.name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(AppError::invalid(at("Tên đơn vị"), "không được để trống"));
        }
        if !BODY_TYPES.contains(&body.unit_type.as_str()) {
            return Err(AppError::invalid(
                at("Loại đơn vị"),
                format!(
                    "\"{}\" không có trong danh sách: {}",
                    body.unit_type,
                    BODY_TYPES.join(", ")
                ),
            ));
        }
        // A unit outside the actor's subtree is reported as missing, so that codes
        // elsewhere cannot be probed.
        let parent = tx
            .unit_by_code(tree_id, body.parent_code.trim())
            .await?
            .filter(|p| actor.can(p, Action::View))
            .ok_or_else(|| {
                AppError::invalid(
                    at("Đơn vị cấp trên"),
                    format!("không có đơn vị mã \"{}\"", body.parent_code.trim()),
                )
            })?;
        actor.require(&parent, Action::Administer)?;
        let code = match body
            .code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            Some(c) => {
                if c.len() > 40 || c.contains(char::is_whitespace) {
                    return Err(AppError::invalid(
                        at("Mã đơn vị"),
                        "tối đa 40 ký tự, không có khoảng trắng",
                    ));
                }
                c.to_string()
            }
            None => {
                let base = format!("{}-{}", parent.code, body_code_suffix(&body.unit_type));
                let mut code = base.clone();
                let mut n = 2;
                while tx.unit_by_code(tree_id, &code).await?.is_some() {
                    code = format!("{base}{n}");
                    n += 1;
                }
                code
            }
        };
        if tx.unit_by_code(tree_id, &code).await?.is_some() {
            return Err(AppError::Conflict(format!(
                "{}: mã đơn vị \"{code}\" đã có trong cây",
                at("Mã đơn vị")
            )));
        }
        let (_, unit) = tx
            .upsert_unit(
                &parent,
                &UnitUpsert {
                    code: code.clone(),
                    name: name.clone(),
                    unit_type: body.unit_type.clone(),
                    parent_id: parent.id,
                },
            )
            .await?;
        tx.audit(NewAudit {
            action: "add_body".into(),
            object_type: "unit".into(),
            object_id: unit.id.to_string(),
            unit_id: Some(unit.id),
            after: Some(serde_json::json!({ "code": unit.code, "name": unit.name, "type": unit.unit_type, "parent": parent.code })),
            ..actor.audit()
        })
        .await?;
        Ok(unit)
    }

    /// Nhập cơ quan trực thuộc from CSV (`code,name,type,parent_code`); all or nothing.
    pub async fn import_bodies(
        &self,
        actor: &Actor,
        tree_id: i64,
        file: &[u8],
    ) -> Result<Vec<Unit>> {
        let records = parse_bodies(file).map_err(|e| AppError::BadFile(e.to_string()))?;
        let mut tx = self.store.begin().await?;
        let mut out = Vec::new();
        for r in records {
            let body = NewBody {
                parent_code: r.parent_code,
                code: Some(r.code),
                name: r.name,
                unit_type: r.unit_type,
            };
            out.push(
                self.add_body_in(&mut tx, actor, tree_id, &body, Some(r.line))
                    .await?,
            );
        }
        crate::consolidation::refresh_expected(&mut tx, tree_id, None).await?;
        tx.commit().await?;
        self.store.analyze().await?;
        Ok(out)
    }

    /// A unit of a tree by code, readable by the actor.
    pub async fn visible_unit(&self, actor: &Actor, tree_id: i64, code: &str) -> Result<Unit> {
        let unit = self
            .store
            .unit_by_code(tree_id, code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Không tìm thấy đơn vị mã \"{code}\"")))?;
        if !actor.can(&unit, Action::View) {
            // Same answer as a missing unit: do not reveal what exists outside the subtree.
            return Err(AppError::NotFound(format!(
                "Không tìm thấy đơn vị mã \"{code}\""
            )));
        }
        Ok(unit)
    }

    /// Tìm đơn vị by name within the actor's subtree, with or without diacritics.
    pub async fn search_units(&self, actor: &Actor, query: &str, limit: i64) -> Result<Vec<Unit>> {
        Ok(self
            .store
            .search_units(
                actor.unit.tree_id,
                &actor.unit.path,
                query,
                limit.clamp(1, 200),
            )
            .await?)
    }

    /// The path of names from the root to a unit (for breadcrumbs).
    pub async fn lineage(&self, unit: &Unit) -> Result<Vec<Unit>> {
        Ok(self.store.units_by_ids(&unit.lineage()).await?)
    }

    pub fn is_admin_unit(unit: &Unit) -> bool {
        is_administrative_type(&unit.unit_type)
    }
}
