//! Mẫu tổng hợp — indicator templates as versioned data.
//!
//! A template is a list of rows (*chỉ tiêu*) shown in order, and a list of value
//! columns (the seed 002 table has "Số lớp/số cuộc thi" and "Người"). Each row says
//! which columns it takes, its unit of measure, and its place in the "trong đó"
//! hierarchy. A *total* row is the sum of the rows below a group, column by column.

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Cột số liệu — a value column of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueColumn {
    /// Stable key used in forms, the API and storage (`count`, `people`).
    pub key: String,
    /// Heading shown to people ("Số lớp/số cuộc thi").
    pub label: String,
}

/// What a row is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RowKind {
    /// Dòng tiêu đề — a heading without values of its own.
    Group,
    /// Dòng số liệu — a row people fill in.
    Value,
    /// Dòng tổng — a total: for each of its columns, it must be at least the sum of that
    /// column over the rows whose parent is `of`. Left blank, it is computed.
    Total { of: String },
    /// Dòng ghi chú — a row that takes only a free-text note.
    Note,
}

/// Chỉ tiêu — one row of the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    /// Stable code, unique within the template ("1", "1.03", "10.1").
    pub code: String,
    /// Số thứ tự as printed (may be empty for sub-rows).
    #[serde(default)]
    pub stt: String,
    /// Label exactly as on the official table.
    pub label: String,
    /// Đơn vị tính as printed ("lớp/người", "đồng").
    #[serde(default)]
    pub unit: String,
    /// Keys of the value columns this row takes.
    #[serde(default)]
    pub columns: Vec<String>,
    /// The row this one is "trong đó" of (a heading or a total).
    #[serde(default)]
    pub parent: Option<String>,
    /// Values are money in whole đồng.
    #[serde(default)]
    pub money: bool,
    pub kind: RowKind,
}

/// Mẫu tổng hợp — a versioned indicator template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// Stable code ("tuanle-2021").
    pub code: String,
    /// Version number; a new year's change is a new version.
    pub version: i64,
    /// Title printed above the table.
    pub name: String,
    pub columns: Vec<ValueColumn>,
    pub indicators: Vec<Indicator>,
}

impl Template {
    /// Parses a template from JSON and checks it.
    pub fn from_json(text: &str) -> Result<Template, DomainError> {
        let t: Template = serde_json::from_str(text)
            .map_err(|e| DomainError::InvalidTemplate(format!("JSON không hợp lệ: {e}")))?;
        t.check()?;
        Ok(t)
    }

    /// Parses a template from TOML and checks it.
    pub fn from_toml(text: &str) -> Result<Template, DomainError> {
        let t: Template = toml::from_str(text)
            .map_err(|e| DomainError::InvalidTemplate(format!("TOML không hợp lệ: {e}")))?;
        t.check()?;
        Ok(t)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("template serialises")
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("template serialises")
    }

    /// Number of value slots in a figures vector: rows × columns.
    pub fn slot_count(&self) -> usize {
        self.indicators.len() * self.columns.len()
    }

    /// Position of a row by code.
    pub fn row_index(&self, code: &str) -> Option<usize> {
        self.indicators.iter().position(|i| i.code == code)
    }

    /// Position of a column by key.
    pub fn column_index(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }

    /// Slot of (row, column) in a figures vector, if the row takes that column.
    pub fn slot(&self, code: &str, column: &str) -> Option<usize> {
        let r = self.row_index(code)?;
        let c = self.column_index(column)?;
        if self.indicators[r].columns.iter().any(|k| k == column) {
            Some(r * self.columns.len() + c)
        } else {
            None
        }
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }

    /// The rows a total sums, for one column: rows whose parent is `of` and that take `column`.
    pub fn parts_of<'a>(
        &'a self,
        of: &'a str,
        column: &'a str,
    ) -> impl Iterator<Item = &'a Indicator> + 'a {
        self.indicators.iter().filter(move |i| {
            i.parent.as_deref() == Some(of)
                && i.kind == RowKind::Value
                && i.columns.iter().any(|c| c == column)
        })
    }

    /// Checks the template for consistency: unique codes, known columns and parents,
    /// totals that sum something, value rows with at least one column.
    pub fn check(&self) -> Result<(), DomainError> {
        let bad = |m: String| Err(DomainError::InvalidTemplate(m));
        if self.code.trim().is_empty() {
            return bad("thiếu mã mẫu".into());
        }
        if self.columns.is_empty() {
            return bad("mẫu phải có ít nhất một cột số liệu".into());
        }
        let mut seen = std::collections::HashSet::new();
        for c in &self.columns {
            if c.key.is_empty()
                || !c
                    .key
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
            {
                return bad(format!(
                    "khóa cột \"{}\" chỉ được gồm chữ không dấu, số, gạch dưới",
                    c.key
                ));
            }
            if !seen.insert(c.key.as_str()) {
                return bad(format!("cột \"{}\" bị trùng", c.key));
            }
        }
        let mut codes = std::collections::HashSet::new();
        for i in &self.indicators {
            if i.code.trim().is_empty() {
                return bad(format!("dòng \"{}\" thiếu mã", i.label));
            }
            if !i
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            {
                return bad(format!("mã dòng \"{}\" chỉ được gồm chữ không dấu, số, dấu chấm, gạch dưới, gạch ngang", i.code));
            }
            if !codes.insert(i.code.as_str()) {
                return bad(format!("mã dòng \"{}\" bị trùng", i.code));
            }
            for c in &i.columns {
                if self.column_index(c).is_none() {
                    return bad(format!("dòng {}: cột \"{c}\" không có trong mẫu", i.code));
                }
            }
            match &i.kind {
                RowKind::Value | RowKind::Total { .. } if i.columns.is_empty() => {
                    return bad(format!("dòng {} phải có ít nhất một cột số liệu", i.code));
                }
                RowKind::Group | RowKind::Note if !i.columns.is_empty() => {
                    return bad(format!(
                        "dòng {} là tiêu đề/ghi chú, không có cột số liệu",
                        i.code
                    ));
                }
                _ => {}
            }
        }
        for i in &self.indicators {
            if let Some(p) = &i.parent {
                if !codes.contains(p.as_str()) || p == &i.code {
                    return bad(format!("dòng {}: dòng cha \"{p}\" không hợp lệ", i.code));
                }
            }
            if let RowKind::Total { of } = &i.kind {
                for c in &i.columns {
                    if self.parts_of(of, c).next().is_none() {
                        return bad(format!(
                            "dòng tổng {} không có dòng thành phần ở cột \"{c}\"",
                            i.code
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The built-in template of seed 002: "Tổng hợp số liệu kết quả tổ chức Tuần lễ
    /// hưởng ứng học tập suốt đời năm 2021", all 41 rows in order.
    pub fn builtin_2021() -> Template {
        let cols = vec![
            ValueColumn {
                key: "count".into(),
                label: "Số lớp/số cuộc thi".into(),
            },
            ValueColumn {
                key: "people".into(),
                label: "Người".into(),
            },
        ];
        let mut rows = Vec::new();
        let mut push = |code: &str,
                        stt: &str,
                        label: &str,
                        unit: &str,
                        columns: &[&str],
                        parent: Option<&str>,
                        kind: RowKind| {
            rows.push(Indicator {
                code: code.into(),
                stt: stt.into(),
                label: label.into(),
                unit: unit.into(),
                columns: columns.iter().map(|c| c.to_string()).collect(),
                parent: parent.map(Into::into),
                money: unit == "đồng",
                kind,
            });
        };
        let total = |of: &str| RowKind::Total { of: of.into() };
        let v = RowKind::Value;
        let cp: &[&str] = &["count", "people"];
        let c: &[&str] = &["count"];
        let p: &[&str] = &["people"];
        push(
            "1",
            "1",
            "Các lớp bồi dưỡng, tập huấn tổ chức trong Tuần lễ",
            "lớp",
            c,
            None,
            total("1"),
        );
        push(
            "1.0",
            "",
            "Tổng số người tham gia, trong đó:",
            "người",
            p,
            None,
            total("1"),
        );
        let classes = [
            "Bồi dưỡng nâng cao trình độ chuyên môn nghiệp vụ cho cán bộ, công chức, viên chức (các cấp)",
            "Bồi dưỡng nâng cao trình độ ngoại ngữ cho cán bộ, công chức, viên chức (các cấp)",
            "Bồi dưỡng nâng cao trình độ tin học cho cán bộ, công chức, viên chức (các cấp)",
            "Bồi dưỡng nâng cao tay nghề cho công nhân lao động",
            "Học nghề cho lao động nông thôn",
            "Nâng cao trình độ văn hóa cho cán bộ công chức cấp xã, người lao động trong các khu công nghiệp, khu chế xuất",
            "Giáo dục kỹ năng sống cho học sinh",
            "Phổ biến kiến thức khoa học, kiến thức pháp luật cho người lao động",
            "Bồi dưỡng thường xuyên cho giáo viên",
            "Bồi dưỡng, tập huấn cho cán bộ quản lý, báo cáo viên TTHTCĐ",
            "Phổ cập giáo dục (tiểu học, THCS)",
            "Xóa mù chữ",
            "Các lớp bồi dưỡng, tập huấn khác",
        ];
        for (n, label) in classes.iter().enumerate() {
            push(
                &format!("1.{:02}", n + 1),
                "",
                label,
                "lớp/người",
                cp,
                Some("1"),
                v.clone(),
            );
        }
        push(
            "2",
            "2",
            "Số tin bài về các hoạt động của Tuần lễ",
            "Tin, bài/ cuộc",
            c,
            None,
            v.clone(),
        );
        push(
            "3",
            "3",
            "Ấn phẩm thông tin (tờ rơi, áp phích, băng rôn, khẩu hiệu)",
            "quyển/ tờ",
            c,
            None,
            v.clone(),
        );
        push("4", "4", "Phát động phong trào và tổ chức quyên góp sách giúp xây dựng tủ sách lớp học, xây dựng thư viện trường học", "", &[], None, RowKind::Group);
        push(
            "4.1",
            "",
            "Số tập thể/ cá nhân tặng sách",
            "Tập thể/cá nhân",
            c,
            Some("4"),
            v.clone(),
        );
        push(
            "4.2",
            "",
            "Số sách đã huy động tặng các trường học, thư viện",
            "Quyển",
            c,
            Some("4"),
            v.clone(),
        );
        push(
            "5",
            "5",
            "Tổ chức các thi, các buổi tọa đàm về khuyến đọc, khuyến học và xây dựng XHHT",
            "Số cuộc",
            c,
            None,
            total("5"),
        );
        push(
            "5.1",
            "",
            "Hội sách, đường sách, phố sách",
            "Số cuộc",
            c,
            Some("5"),
            v.clone(),
        );
        push(
            "5.2",
            "",
            "Trưng bày, triển lãm sách báo, tư liệu",
            "Số cuộc",
            c,
            Some("5"),
            v.clone(),
        );
        push(
            "5.3",
            "",
            "Thi tìm hiểu, học tập lịch sử, văn hóa địa phương tại các bảo tàng, di tích",
            "Số cuộc/người",
            cp,
            Some("5"),
            v.clone(),
        );
        push("5.4", "", "Thi vẽ sách (xếp sách nghệ thuật; vẽ tranh theo sách; tìm hiểu kiến thức qua sách báo; thiếu nhi kể chuyện theo sách; viết cảm nhận qua việc đọc sách)", "Số cuộc/người", cp, Some("5"), v.clone());
        push(
            "5.5",
            "",
            "Sinh hoạt chuyên đề HTSD, xây dựng XHHT",
            "Số cuộc/người",
            cp,
            Some("5"),
            v.clone(),
        );
        push(
            "6",
            "6",
            "Tổ chức hoạt động văn nghệ, thể thao, thăm quan, sinh hoạt chuyên đề",
            "Số cuộc",
            c,
            None,
            total("6"),
        );
        push(
            "6.1",
            "",
            "Hoạt động thể dục thể thao",
            "Số cuộc/người",
            cp,
            Some("6"),
            v.clone(),
        );
        push(
            "6.2",
            "",
            "Hoạt động văn nghệ",
            "Số cuộc/người",
            cp,
            Some("6"),
            v.clone(),
        );
        push(
            "6.3",
            "",
            "Thăm quan, học tập tại bảo tàng, di tích lịch sử",
            "Số cuộc/người",
            cp,
            Some("6"),
            v.clone(),
        );
        push(
            "7",
            "7",
            "Tổ chức Lễ khai mạc Tuần lễ",
            "",
            &[],
            None,
            RowKind::Group,
        );
        push(
            "7.1",
            "",
            "Số huyện tổ chức Lễ khai mạc Tuần lễ",
            "Huyện",
            c,
            Some("7"),
            v.clone(),
        );
        push(
            "7.2",
            "",
            "Số cơ sở giáo dục tổ chức Lễ khai mạc Tuần lễ",
            "Trường/trung tâm",
            c,
            Some("7"),
            v.clone(),
        );
        push(
            "8",
            "8",
            "Tổ chức hội thảo/sinh hoạt chuyên đề",
            "cuộc",
            c,
            None,
            v.clone(),
        );
        push(
            "9",
            "9",
            "Khen thưởng về tổ chức Tuần lễ",
            "",
            &[],
            None,
            RowKind::Group,
        );
        push("9.1", "", "Tập thể", "Đơn vị", c, Some("9"), v.clone());
        push("9.2", "", "Cá nhân", "Người", p, Some("9"), v.clone());
        push("10", "10", "Kinh phí", "", &[], None, RowKind::Group);
        push(
            "10.1",
            "",
            "Ngân sách nhà nước",
            "đồng",
            c,
            Some("10"),
            v.clone(),
        );
        push(
            "10.2",
            "",
            "Kinh phí hỗ trợ, huy động từ các nguồn hợp pháp khác (nếu có)",
            "đồng",
            c,
            Some("10"),
            v.clone(),
        );
        push(
            "11",
            "11",
            "Các nội dung khác (nếu có)",
            "",
            &[],
            None,
            RowKind::Note,
        );
        Template {
            code: "tuanle-2021".into(),
            version: 1,
            name:
                "Tổng hợp số liệu kết quả tổ chức \"Tuần lễ hưởng ứng học tập suốt đời năm 2021\""
                    .into(),
            columns: cols,
            indicators: rows,
        }
    }

    /// The small table of seed 000 (Gia Lai, 2021): three figures.
    pub fn builtin_gia_lai_2021() -> Template {
        let row = |code: &str, label: &str, unit: &str| Indicator {
            code: code.into(),
            stt: code.into(),
            label: label.into(),
            unit: unit.into(),
            columns: vec!["value".into()],
            parent: None,
            money: unit == "đồng",
            kind: RowKind::Value,
        };
        Template {
            code: "gialai-2021".into(),
            version: 1,
            name: "Bảng tổng hợp số liệu các hoạt động, tổ chức Tuần lễ".into(),
            columns: vec![ValueColumn {
                key: "value".into(),
                label: "Số liệu".into(),
            }],
            indicators: vec![
                row("1", "Tổng số người tham gia", "người"),
                row("2", "Số đơn vị tham gia", "đơn vị"),
                row("3", "Tổng kinh phí tổ chức Tuần lễ", "đồng"),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_002_table_has_41_rows_in_order() {
        let t = Template::builtin_2021();
        t.check().unwrap();
        assert_eq!(t.indicators.len(), 41);
        assert_eq!(
            t.indicators[0].label,
            "Các lớp bồi dưỡng, tập huấn tổ chức trong Tuần lễ"
        );
        assert_eq!(t.indicators[1].unit, "người");
        assert_eq!(t.indicators[14].label, "Các lớp bồi dưỡng, tập huấn khác");
        assert_eq!(t.indicators[40].label, "Các nội dung khác (nếu có)");
        assert_eq!(t.parts_of("1", "count").count(), 13);
        assert_eq!(t.parts_of("1", "people").count(), 13);
        assert_eq!(t.parts_of("5", "count").count(), 5);
        assert!(t.indicator("10.1").unwrap().money);
    }

    #[test]
    fn round_trips_through_json_and_toml() {
        for t in [Template::builtin_2021(), Template::builtin_gia_lai_2021()] {
            assert_eq!(Template::from_json(&t.to_json()).unwrap(), t);
            assert_eq!(Template::from_toml(&t.to_toml()).unwrap(), t);
        }
    }

    #[test]
    fn rejects_a_total_without_parts_and_a_duplicate_code() {
        let mut t = Template::builtin_gia_lai_2021();
        t.indicators[0].kind = RowKind::Total { of: "9".into() };
        assert!(t.check().is_err());
        let mut t = Template::builtin_gia_lai_2021();
        t.indicators[1].code = "1".into();
        let err = t.check().unwrap_err().to_string();
        assert!(err.contains("bị trùng"), "{err}");
    }
}
