//! Đơn vị — org units and the shape of the tree.

use serde::{Deserialize, Serialize};

/// Loại đơn vị của gốc cây — the national root every tree has.
pub const ROOT_TYPE: &str = "Toàn quốc";
/// Mã của gốc cây.
pub const ROOT_CODE: &str = "VN";

/// Administrative unit types (*đơn vị hành chính*), as in the official lists.
pub const ADMINISTRATIVE_TYPES: &[&str] = &[
    ROOT_TYPE,
    "Thành phố Trung ương",
    "Tỉnh",
    "Quận",
    "Huyện",
    "Thị xã",
    "Thành phố",
    "Phường",
    "Xã",
    "Thị trấn",
    "Đặc khu",
];

/// Bodies that sit under administrative units (*cơ quan, đơn vị trực thuộc*).
pub const BODY_TYPES: &[&str] = &[
    "Bộ GDĐT",
    "UBND",
    "Sở GDĐT",
    "Phòng GDĐT",
    "Phòng Văn hóa - Xã hội",
    "Phòng Văn hóa và Thông tin",
    "Hội Khuyến học",
    "Trung tâm GDNN-GDTX",
    "TTHTCĐ",
    "Trường mầm non",
    "Trường tiểu học",
    "Trường THCS",
    "Trường THPT",
    "Trường trung cấp, cao đẳng",
    "Đài truyền thanh",
    "Trung tâm Văn hóa",
    "Cơ quan khác",
];

pub fn is_administrative_type(t: &str) -> bool {
    ADMINISTRATIVE_TYPES.contains(&t)
}

/// Đơn vị — one node of a tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: i64,
    pub tree_id: i64,
    /// Official code (zero-padded string) or a code given to a body.
    pub code: String,
    pub name: String,
    pub unit_type: String,
    /// Depth in the tree: 0 = national root, 1 = province, 2 = district, 3 = commune; bodies are one deeper than their parent.
    pub depth: i64,
    /// Cấp hành chính — the administrative level whose deadline applies: for an
    /// administrative unit its own depth, for a body its administrative parent's.
    pub admin_level: i64,
    pub parent_id: Option<i64>,
    /// Materialised path of ids from the root, `/1/5/23/`, self included.
    pub path: String,
}

impl Unit {
    /// Ids of the ancestors from the root down, self included.
    pub fn lineage(&self) -> Vec<i64> {
        path_ids(&self.path)
    }

    /// Whether `other` lies in this unit's subtree (self included).
    pub fn contains(&self, other: &Unit) -> bool {
        other.path.starts_with(&self.path)
    }
}

/// Parses a materialised path into ids.
pub fn path_ids(path: &str) -> Vec<i64> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect()
}

/// The path of a child of `parent_path`.
pub fn child_path(parent_path: &str, id: i64) -> String {
    format!("{parent_path}{id}/")
}

/// Cây đơn vị — a versioned tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitTree {
    pub id: i64,
    pub name: String,
    pub effective_date: chrono::NaiveDate,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_give_lineage_and_containment() {
        let root = Unit {
            id: 1,
            tree_id: 1,
            code: "VN".into(),
            name: "Việt Nam".into(),
            unit_type: ROOT_TYPE.into(),
            depth: 0,
            admin_level: 0,
            parent_id: None,
            path: "/1/".into(),
        };
        let child = Unit {
            id: 12,
            parent_id: Some(1),
            path: child_path(&root.path, 12),
            ..root.clone()
        };
        let other = Unit {
            id: 2,
            path: "/2/".into(),
            ..root.clone()
        };
        assert_eq!(child.lineage(), vec![1, 12]);
        assert!(root.contains(&child));
        assert!(root.contains(&root));
        assert!(!child.contains(&root));
        assert!(!other.contains(&child));
        // "/1/" must not contain "/12/"
        let twelve = Unit {
            id: 12,
            path: "/12/".into(),
            ..root.clone()
        };
        assert!(!root.contains(&twelve));
    }
}
