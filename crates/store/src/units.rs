//! Cây đơn vị và đơn vị — trees and units.

use sqlx::Row;
use tuanle_domain::text::search_key;
use tuanle_domain::unit::{
    child_path, is_administrative_type, Unit, UnitTree, ROOT_CODE, ROOT_TYPE,
};

use crate::{now_text, on_pool, on_tx, parse_date, Result, Store, StoreError, Tx};

/// The first path after every path of the subtree at `path` ("/1/5/" → "/1/50"): a
/// subtree is the range [path, path_end(path)), which both backends serve from the
/// (tree_id, path) index (unlike `LIKE 'prefix%'`, which SQLite scans).
pub(crate) fn path_end(path: &str) -> String {
    // Paths end with '/', and '0' is the character after '/'.
    format!("{}0", path.strip_suffix('/').unwrap_or(path))
}

const UNIT_COLUMNS: &str =
    "id, tree_id, code, name, unit_type, depth, admin_level, parent_id, path";

fn unit_from_row<R: Row>(r: &R) -> Result<Unit>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    Option<i64>: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(Unit {
        id: r.try_get("id")?,
        tree_id: r.try_get("tree_id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        unit_type: r.try_get("unit_type")?,
        depth: r.try_get("depth")?,
        admin_level: r.try_get("admin_level")?,
        parent_id: r.try_get("parent_id")?,
        path: r.try_get("path")?,
    })
}

/// A unit to create or update, keyed by (tree, code).
#[derive(Debug, Clone)]
pub struct UnitUpsert {
    pub code: String,
    pub name: String,
    pub unit_type: String,
    pub parent_id: i64,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpsertOutcome {
    Created(i64),
    Updated(i64),
    Unchanged(i64),
}

impl UpsertOutcome {
    pub fn id(self) -> i64 {
        match self {
            UpsertOutcome::Created(i) | UpsertOutcome::Updated(i) | UpsertOutcome::Unchanged(i) => {
                i
            }
        }
    }
}

fn tree_from_row<R: Row>(r: &R) -> Result<UnitTree>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let date: String = r.try_get("effective_date")?;
    Ok(UnitTree {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        effective_date: parse_date(&date)?,
    })
}

impl Store {
    pub async fn list_trees(&self) -> Result<Vec<UnitTree>> {
        on_pool!(self, p => {
            let rows = sqlx::query("SELECT id, name, effective_date FROM unit_tree ORDER BY effective_date, id").fetch_all(p).await?;
            rows.iter().map(tree_from_row).collect()
        })
    }

    pub async fn tree_by_name(&self, name: &str) -> Result<Option<UnitTree>> {
        on_pool!(self, p => {
            let row = sqlx::query("SELECT id, name, effective_date FROM unit_tree WHERE name = $1").bind(name).fetch_optional(p).await?;
            row.as_ref().map(tree_from_row).transpose()
        })
    }

    pub async fn unit(&self, id: i64) -> Result<Option<Unit>> {
        on_pool!(self, p => {
            let row = sqlx::query(&format!("SELECT {UNIT_COLUMNS} FROM unit WHERE id = $1")).bind(id).fetch_optional(p).await?;
            row.as_ref().map(unit_from_row).transpose()
        })
    }

    pub async fn unit_by_code(&self, tree_id: i64, code: &str) -> Result<Option<Unit>> {
        on_pool!(self, p => {
            let row = sqlx::query(&format!("SELECT {UNIT_COLUMNS} FROM unit WHERE tree_id = $1 AND code = $2"))
                .bind(tree_id).bind(code).fetch_optional(p).await?;
            row.as_ref().map(unit_from_row).transpose()
        })
    }

    /// The national root of a tree.
    pub async fn tree_root(&self, tree_id: i64) -> Result<Unit> {
        self.unit_by_code(tree_id, ROOT_CODE)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("gốc của cây {tree_id}")))
    }

    /// Direct children, administrative units first, then by name.
    pub async fn children(&self, unit_id: i64) -> Result<Vec<Unit>> {
        on_pool!(self, p => {
            let rows = sqlx::query(&format!("SELECT {UNIT_COLUMNS} FROM unit WHERE parent_id = $1 ORDER BY code"))
                .bind(unit_id).fetch_all(p).await?;
            rows.iter().map(unit_from_row).collect()
        })
    }

    /// Units by id (any order).
    pub async fn units_by_ids(&self, ids: &[i64]) -> Result<Vec<Unit>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(u) = self.unit(*id).await? {
                out.push(u);
            }
        }
        Ok(out)
    }

    /// Searches names within a subtree, ignoring diacritics and case: every word of
    /// the query must appear in the name's search key.
    pub async fn search_units(
        &self,
        tree_id: i64,
        within_path: &str,
        query: &str,
        limit: i64,
    ) -> Result<Vec<Unit>> {
        let key = search_key(query);
        let words: Vec<String> = key
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(|w| format!("%{w}%"))
            .collect();
        let mut sql = format!(
            "SELECT {UNIT_COLUMNS} FROM unit WHERE tree_id = $1 AND path >= $2 AND path < $3"
        );
        for i in 0..words.len() {
            sql.push_str(&format!(" AND search_key LIKE ${}", i + 4));
        }
        sql.push_str(&format!(
            " ORDER BY depth, length(name), name LIMIT ${}",
            words.len() + 4
        ));
        on_pool!(self, p => {
            let mut q = sqlx::query(&sql).bind(tree_id).bind(within_path).bind(path_end(within_path));
            for w in &words {
                q = q.bind(w);
            }
            let rows = q.bind(limit).fetch_all(p).await?;
            rows.iter().map(unit_from_row).collect()
        })
    }

    /// Number of units in a tree.
    pub async fn count_units(&self, tree_id: i64) -> Result<i64> {
        on_pool!(self, p => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM unit WHERE tree_id = $1").bind(tree_id).fetch_one(p).await?))
    }

    /// Units of the given types in a subtree (self included), ordered by path.
    pub async fn subtree_units_of_types(
        &self,
        tree_id: i64,
        path: &str,
        types: &[String],
    ) -> Result<Vec<Unit>> {
        if types.is_empty() {
            return Ok(vec![]);
        }
        let placeholders: Vec<String> = (0..types.len()).map(|i| format!("${}", i + 4)).collect();
        let sql = format!(
            "SELECT {UNIT_COLUMNS} FROM unit WHERE tree_id = $1 AND path >= $2 AND path < $3 AND unit_type IN ({}) ORDER BY path",
            placeholders.join(", ")
        );
        on_pool!(self, p => {
            let mut q = sqlx::query(&sql).bind(tree_id).bind(path).bind(path_end(path));
            for t in types {
                q = q.bind(t);
            }
            let rows = q.fetch_all(p).await?;
            rows.iter().map(unit_from_row).collect()
        })
    }

    /// Number of units of the given types in a subtree (self included).
    pub async fn count_subtree_units_of_types(
        &self,
        tree_id: i64,
        path: &str,
        types: &[String],
    ) -> Result<i64> {
        if types.is_empty() {
            return Ok(0);
        }
        let placeholders: Vec<String> = (0..types.len()).map(|i| format!("${}", i + 4)).collect();
        let sql = format!(
            "SELECT COUNT(*) FROM unit WHERE tree_id = $1 AND path >= $2 AND path < $3 AND unit_type IN ({})",
            placeholders.join(", ")
        );
        on_pool!(self, p => {
            let mut q = sqlx::query_scalar(&sql).bind(tree_id).bind(path).bind(path_end(path));
            for t in types {
                q = q.bind(t);
            }
            Ok(q.fetch_one(p).await?)
        })
    }
}

impl Tx {
    /// Creates a tree with its national root unit.
    pub async fn create_tree(
        &mut self,
        name: &str,
        effective_date: chrono::NaiveDate,
    ) -> Result<(UnitTree, Unit)> {
        let now = now_text();
        let date = effective_date.format("%Y-%m-%d").to_string();
        let tree_id: i64 = on_tx!(self, c => {
            sqlx::query_scalar("INSERT INTO unit_tree (name, effective_date, created_at) VALUES ($1, $2, $3) RETURNING id")
                .bind(name).bind(&date).bind(&now).fetch_one(&mut *c).await
        })
        .map_err(|e| {
            let e = StoreError::from(e);
            if e.is_unique_violation() { StoreError::Conflict(format!("cây đơn vị \"{name}\" đã có")) } else { e }
        })?;
        let root_name = "Việt Nam";
        let root_id: i64 = on_tx!(self, c => {
            sqlx::query_scalar(
                "INSERT INTO unit (tree_id, code, name, search_key, unit_type, depth, admin_level, parent_id, path, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 0, 0, NULL, '', $6) RETURNING id",
            )
            .bind(tree_id).bind(ROOT_CODE).bind(root_name).bind(search_key(root_name)).bind(ROOT_TYPE).bind(&now)
            .fetch_one(&mut *c).await?
        });
        let path = format!("/{root_id}/");
        on_tx!(self, c => { sqlx::query("UPDATE unit SET path = $1 WHERE id = $2").bind(&path).bind(root_id).execute(&mut *c).await?; });
        let tree = UnitTree {
            id: tree_id,
            name: name.to_string(),
            effective_date,
        };
        let root = Unit {
            id: root_id,
            tree_id,
            code: ROOT_CODE.into(),
            name: root_name.into(),
            unit_type: ROOT_TYPE.into(),
            depth: 0,
            admin_level: 0,
            parent_id: None,
            path,
        };
        Ok((tree, root))
    }

    pub async fn unit(&mut self, id: i64) -> Result<Option<Unit>> {
        on_tx!(self, c => {
            let row = sqlx::query(&format!("SELECT {UNIT_COLUMNS} FROM unit WHERE id = $1")).bind(id).fetch_optional(&mut *c).await?;
            row.as_ref().map(unit_from_row).transpose()
        })
    }

    pub async fn unit_by_code(&mut self, tree_id: i64, code: &str) -> Result<Option<Unit>> {
        on_tx!(self, c => {
            let row = sqlx::query(&format!("SELECT {UNIT_COLUMNS} FROM unit WHERE tree_id = $1 AND code = $2"))
                .bind(tree_id).bind(code).fetch_optional(&mut *c).await?;
            row.as_ref().map(unit_from_row).transpose()
        })
    }

    /// Creates a unit under `parent`, or brings an existing (tree, code) unit up to date
    /// (name, type, parent; moving it moves its subtree).
    pub async fn upsert_unit(
        &mut self,
        parent: &Unit,
        u: &UnitUpsert,
    ) -> Result<(UpsertOutcome, Unit)> {
        let admin = is_administrative_type(&u.unit_type);
        let depth = parent.depth + 1;
        let admin_level = if admin { depth } else { parent.admin_level };
        let key = search_key(&u.name);
        match self.unit_by_code(parent.tree_id, &u.code).await? {
            Some(existing) => {
                if existing.name == u.name
                    && existing.unit_type == u.unit_type
                    && existing.parent_id == Some(parent.id)
                {
                    return Ok((UpsertOutcome::Unchanged(existing.id), existing));
                }
                if parent.path.starts_with(&existing.path) {
                    return Err(StoreError::Conflict(format!(
                        "không thể chuyển đơn vị {} vào cây con của chính nó",
                        u.code
                    )));
                }
                let new_path = child_path(&parent.path, existing.id);
                let depth_shift = depth - existing.depth;
                on_tx!(self, c => {
                    sqlx::query("UPDATE unit SET name = $1, search_key = $2, unit_type = $3, parent_id = $4, admin_level = $5 WHERE id = $6")
                        .bind(&u.name).bind(&key).bind(&u.unit_type).bind(parent.id).bind(admin_level).bind(existing.id)
                        .execute(&mut *c).await?;
                    if new_path != existing.path {
                        sqlx::query("UPDATE unit SET path = $1 || substr(path, CAST($2 AS INTEGER)), depth = depth + $3 WHERE tree_id = $4 AND path >= $5 AND path < $6")
                            .bind(&new_path).bind(existing.path.len() as i64 + 1).bind(depth_shift).bind(parent.tree_id).bind(&existing.path).bind(path_end(&existing.path))
                            .execute(&mut *c).await?;
                    }
                });
                let updated = self
                    .unit(existing.id)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(u.code.clone()))?;
                Ok((UpsertOutcome::Updated(existing.id), updated))
            }
            None => {
                let now = now_text();
                let id: i64 = on_tx!(self, c => {
                    sqlx::query_scalar(
                        "INSERT INTO unit (tree_id, code, name, search_key, unit_type, depth, admin_level, parent_id, path, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', $9) RETURNING id",
                    )
                    .bind(parent.tree_id).bind(&u.code).bind(&u.name).bind(&key).bind(&u.unit_type).bind(depth).bind(admin_level).bind(parent.id).bind(&now)
                    .fetch_one(&mut *c).await?
                });
                let path = child_path(&parent.path, id);
                on_tx!(self, c => { sqlx::query("UPDATE unit SET path = $1 WHERE id = $2").bind(&path).bind(id).execute(&mut *c).await?; });
                let unit = Unit {
                    id,
                    tree_id: parent.tree_id,
                    code: u.code.clone(),
                    name: u.name.clone(),
                    unit_type: u.unit_type.clone(),
                    depth,
                    admin_level,
                    parent_id: Some(parent.id),
                    path,
                };
                Ok((UpsertOutcome::Created(id), unit))
            }
        }
    }
}
