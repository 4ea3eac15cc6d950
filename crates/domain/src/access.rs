//! Phân quyền — roles and the rules of who may do what where.
//!
//! Every user is attached to one unit; a role holds in that unit's subtree.

use serde::{Deserialize, Serialize};

use crate::unit::Unit;

/// Vai trò người dùng.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Xem — reads the subtree's reports and consolidations.
    Viewer,
    /// Báo cáo viên — fills and submits the own unit's report.
    Reporter,
    /// Người duyệt — returns/accepts reports below, enters reports on behalf of units below.
    Reviewer,
    /// Quản trị — users, units and campaigns in the subtree, plus everything a reviewer does.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Reporter, Role::Reviewer, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Reporter => "reporter",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Viewer => "Xem",
            Role::Reporter => "Báo cáo viên",
            Role::Reviewer => "Người duyệt",
            Role::Admin => "Quản trị",
        }
    }
}

/// What a user wants to do with a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read reports, consolidations, units of the subtree.
    View,
    /// Fill, save and submit the unit's report.
    EditReport,
    /// Return or accept the unit's report.
    Review,
    /// Add bodies, users, campaigns.
    Administer,
}

/// Whether a user with `role` at `home` may do `action` on `target`.
pub fn allows(role: Role, home: &Unit, target: &Unit, action: Action) -> bool {
    let inside = home.contains(target);
    let below = inside && home.id != target.id;
    match action {
        Action::View => inside,
        Action::EditReport => match role {
            Role::Viewer => false,
            Role::Reporter => home.id == target.id,
            Role::Reviewer | Role::Admin => inside,
        },
        Action::Review => matches!(role, Role::Reviewer | Role::Admin) && below,
        Action::Administer => role == Role::Admin && inside,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, path: &str) -> Unit {
        Unit {
            id,
            tree_id: 1,
            code: id.to_string(),
            name: String::new(),
            unit_type: String::new(),
            depth: 0,
            admin_level: 0,
            parent_id: None,
            path: path.into(),
        }
    }

    #[test]
    fn subtree_rules() {
        let district = unit(2, "/1/2/");
        let ward = unit(3, "/1/2/3/");
        let sibling = unit(4, "/1/2/4/");
        let province = unit(1, "/1/");
        assert!(allows(Role::Reporter, &ward, &ward, Action::EditReport));
        assert!(!allows(Role::Reporter, &ward, &sibling, Action::EditReport));
        assert!(!allows(Role::Reporter, &ward, &sibling, Action::View));
        assert!(!allows(Role::Reporter, &ward, &district, Action::View));
        assert!(!allows(Role::Reporter, &ward, &ward, Action::Review));
        assert!(allows(Role::Reviewer, &district, &ward, Action::Review));
        assert!(!allows(
            Role::Reviewer,
            &district,
            &district,
            Action::Review
        ));
        assert!(!allows(Role::Reviewer, &district, &province, Action::View));
        assert!(allows(Role::Reviewer, &district, &ward, Action::EditReport));
        assert!(!allows(Role::Viewer, &province, &ward, Action::EditReport));
        assert!(allows(Role::Viewer, &province, &ward, Action::View));
        assert!(allows(Role::Admin, &province, &ward, Action::Administer));
        assert!(!allows(
            Role::Reviewer,
            &province,
            &ward,
            Action::Administer
        ));
    }
}
