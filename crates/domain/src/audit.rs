//! Nhật ký thay đổi — how an audit row reads to a person: the action and the object in
//! Vietnamese, and the fields a change touched (trước → sau).

use serde_json::Value;

/// Thao tác — the Vietnamese name of an audited action code (the code itself when it is
/// not one the product writes, so that nothing recorded is ever hidden).
pub fn action_label(code: &str) -> &str {
    match code {
        "login" => "Đăng nhập",
        "login_locked" => "Khóa đăng nhập tạm thời",
        "issue_token" => "Cấp mã truy cập API",
        "logout_everywhere" => "Đăng xuất mọi nơi",
        "password_change" => "Đổi mật khẩu",
        "password_reset_request" => "Yêu cầu đặt lại mật khẩu",
        "password_reset" => "Đặt lại mật khẩu",
        "add_user" => "Tạo tài khoản",
        "add_body" => "Thêm cơ quan, đơn vị",
        "import_units" => "Nhập danh mục đơn vị",
        "create_campaign" => "Tạo đợt báo cáo",
        "install_template" => "Cài mẫu báo cáo",
        "add_template" => "Thêm mẫu báo cáo",
        "rebuild_consolidation" => "Tính lại số liệu tổng hợp",
        "report_save" => "Lưu báo cáo",
        "report_submit" => "Gửi báo cáo",
        "report_return" => "Trả lại báo cáo",
        "report_accept" => "Chấp nhận báo cáo",
        "add_photo" => "Thêm ảnh báo cáo",
        "delete_photo" => "Xóa ảnh báo cáo",
        "workbooks_import" => "Nhập báo cáo từ tệp Excel",
        "set_issuer" => "Cài đặt cơ quan ban hành",
        "raise_register" => "Điều chỉnh sổ văn bản",
        "record_external_document" => "Ghi văn bản bên ngoài",
        "create_plan" => "Soạn kế hoạch",
        "edit_document" => "Sửa dự thảo",
        "start_consultation" => "Lấy ý kiến góp ý",
        "answer_consultation" => "Trả lời góp ý",
        "consultation_silent_consent" => "Ghi nhận xem như thống nhất",
        "submit_document" => "Trình duyệt văn bản",
        "approve_document" => "Duyệt văn bản",
        "return_document" => "Trả lại dự thảo",
        "issue_document" => "Ban hành văn bản",
        "issue_letter" => "Ban hành công văn",
        "distribute_document" => "Gửi văn bản đến nơi nhận",
        "pass_incoming" => "Chuyển văn bản đến",
        "update_task" => "Cập nhật nhiệm vụ",
        "activity_register" => "Đăng ký hoạt động",
        "activity_update" => "Sửa hoạt động",
        "activity_delete" => "Xóa hoạt động",
        "activity_result" => "Ghi kết quả hoạt động",
        "activity_add_photo" => "Thêm ảnh hoạt động",
        "activity_publish" => "Công khai hoạt động",
        "activity_unpublish" => "Thôi công khai hoạt động",
        "activity_settings" => "Cài đặt đăng ký hoạt động",
        "email_preferences" => "Cài đặt nhận thư",
        other => other,
    }
}

/// Every action code the product writes, for the filter's list.
pub const ACTION_CODES: &[&str] = &[
    "login",
    "login_locked",
    "issue_token",
    "logout_everywhere",
    "password_change",
    "password_reset_request",
    "password_reset",
    "add_user",
    "add_body",
    "import_units",
    "create_campaign",
    "install_template",
    "add_template",
    "rebuild_consolidation",
    "report_save",
    "report_submit",
    "report_return",
    "report_accept",
    "add_photo",
    "delete_photo",
    "workbooks_import",
    "set_issuer",
    "raise_register",
    "record_external_document",
    "create_plan",
    "edit_document",
    "start_consultation",
    "answer_consultation",
    "consultation_silent_consent",
    "submit_document",
    "approve_document",
    "return_document",
    "issue_document",
    "issue_letter",
    "distribute_document",
    "pass_incoming",
    "update_task",
    "activity_register",
    "activity_update",
    "activity_delete",
    "activity_result",
    "activity_add_photo",
    "activity_publish",
    "activity_unpublish",
    "activity_settings",
    "email_preferences",
];

/// Đối tượng — the Vietnamese name of an audited object type.
pub fn object_label(code: &str) -> &str {
    match code {
        "report" => "Báo cáo",
        "report_photo" => "Ảnh báo cáo",
        "document" => "Văn bản",
        "consultation" => "Lấy ý kiến",
        "incoming" => "Văn bản đến",
        "task" => "Nhiệm vụ",
        "activity" => "Hoạt động",
        "activity_photo" => "Ảnh hoạt động",
        "user" | "app_user" => "Tài khoản",
        "ip" => "Địa chỉ IP",
        "unit" => "Đơn vị",
        "unit_tree" => "Danh mục đơn vị",
        "campaign" => "Đợt báo cáo",
        "template" => "Mẫu báo cáo",
        "register" => "Sổ văn bản",
        "issuer" => "Cơ quan ban hành",
        "consolidation" => "Số liệu tổng hợp",
        other => other,
    }
}

/// Object types the filter offers.
pub const OBJECT_CODES: &[&str] = &[
    "report",
    "report_photo",
    "document",
    "consultation",
    "incoming",
    "task",
    "activity",
    "activity_photo",
    "user",
    "unit",
    "unit_tree",
    "campaign",
    "template",
    "register",
];

/// One field a change touched: its dotted path in the recorded state, before and after
/// (`None`: absent on that side).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Trước → sau: the fields whose values differ between the two recorded states, in key
/// order. Nested objects are compared field by field (`values.D12`); arrays and scalars
/// as whole values. A missing state counts as an empty one, so a creation lists every
/// field with no "before".
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let mut left = std::collections::BTreeMap::new();
    let mut right = std::collections::BTreeMap::new();
    if let Some(v) = before {
        flatten("", v, &mut left);
    }
    if let Some(v) = after {
        flatten("", v, &mut right);
    }
    let mut keys: Vec<&String> = left.keys().chain(right.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (b, a) = (left.get(k), right.get(k));
            (b != a).then(|| FieldChange {
                field: k.clone(),
                before: b.cloned(),
                after: a.cloned(),
            })
        })
        .collect()
}

fn flatten(prefix: &str, v: &Value, out: &mut std::collections::BTreeMap<String, String>) {
    match v {
        // A state is an object of fields (even an empty one); deeper down, an empty
        // object is a value like any other.
        Value::Object(map) if prefix.is_empty() || !map.is_empty() => {
            for (k, child) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, child, out);
            }
        }
        other => {
            let key = if prefix.is_empty() {
                "(giá trị)"
            } else {
                prefix
            };
            out.insert(key.to_string(), scalar_text(other));
        }
    }
}

/// A value as a person reads it: strings without quotes, `null` as empty.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_only_changed_fields_with_dotted_paths() {
        let before = json!({"status": "draft", "values": {"D12": 3, "D13": 5}, "note": "a"});
        let after = json!({"status": "submitted", "values": {"D12": 4, "D13": 5}, "note": "a"});
        let changes = diff(Some(&before), Some(&after));
        assert_eq!(
            changes,
            vec![
                FieldChange {
                    field: "status".into(),
                    before: Some("draft".into()),
                    after: Some("submitted".into()),
                },
                FieldChange {
                    field: "values.D12".into(),
                    before: Some("3".into()),
                    after: Some("4".into()),
                },
            ]
        );
    }

    #[test]
    fn creation_and_removal_show_one_side_only() {
        let after = json!({"title": "Kế hoạch", "units": ["P1", "P2"]});
        let created = diff(None, Some(&after));
        assert_eq!(created.len(), 2);
        assert!(created.iter().all(|c| c.before.is_none()));
        assert_eq!(created[1].after.as_deref(), Some("[\"P1\",\"P2\"]"));

        let removed = diff(Some(&json!({"a": {"b": 1}})), Some(&json!({})));
        assert_eq!(removed[0].field, "a.b");
        assert_eq!(removed[0].after, None);
    }

    #[test]
    fn scalar_states_compare_as_one_value() {
        let changes = diff(Some(&json!("x")), Some(&json!("y")));
        assert_eq!(changes[0].field, "(giá trị)");
        assert!(diff(Some(&json!(1)), Some(&json!(1))).is_empty());
    }

    #[test]
    fn every_listed_code_has_a_vietnamese_label() {
        for code in ACTION_CODES {
            assert_ne!(action_label(code), *code, "{code}");
        }
        for code in OBJECT_CODES {
            assert_ne!(object_label(code), *code, "{code}");
        }
        assert_eq!(action_label("something_new"), "something_new");
    }
}
