//! Tuần lễ năm N — a campaign: its dates, tree, template, who reports and by when.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::format::vietnam_offset;
use crate::DomainError;

/// Hạn báo cáo của một cấp — the date by which units of one administrative level
/// (3 = xã/phường, 2 = huyện/quận, 1 = tỉnh) send their report to the level above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelDeadline {
    pub admin_level: i64,
    pub deadline: NaiveDate,
}

/// Tuần lễ — one campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: i64,
    pub year: i32,
    pub name: String,
    /// Chủ đề — one or more themes.
    pub themes: Vec<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub tree_id: i64,
    pub template_id: i64,
    /// Unit types that must report.
    pub required_types: Vec<String>,
    pub deadlines: Vec<LevelDeadline>,
}

/// Tên cấp hành chính.
pub fn level_name_vi(admin_level: i64) -> &'static str {
    match admin_level {
        0 => "Trung ương",
        1 => "Tỉnh/thành phố",
        2 => "Huyện/quận/thị xã",
        3 => "Xã/phường/thị trấn",
        _ => "Cấp khác",
    }
}

impl Campaign {
    /// The deadline of units at `admin_level`; a level without its own deadline uses
    /// the nearest deeper level's (a body under a ward reports by the ward's date).
    pub fn deadline_for(&self, admin_level: i64) -> Option<NaiveDate> {
        self.deadlines
            .iter()
            .filter(|d| d.admin_level >= admin_level)
            .min_by_key(|d| d.admin_level)
            .map(|d| d.deadline)
            .or_else(|| self.deadlines.iter().map(|d| d.deadline).max())
    }

    /// Checks the fields a person enters.
    pub fn check(&self) -> Result<(), DomainError> {
        let bad = |field: &str, message: &str| {
            Err(DomainError::InvalidInput {
                field: field.into(),
                message: message.into(),
            })
        };
        if self.name.trim().is_empty() {
            return bad("Tên đợt", "không được để trống");
        }
        if !(2000..=2100).contains(&self.year) {
            return bad("Năm", "phải từ 2000 đến 2100");
        }
        if self.end_date < self.start_date {
            return bad("Ngày kết thúc", "không được trước ngày bắt đầu");
        }
        if self.required_types.is_empty() {
            return bad("Loại đơn vị phải báo cáo", "cần chọn ít nhất một loại");
        }
        for d in &self.deadlines {
            if d.deadline < self.end_date {
                return bad("Hạn báo cáo", "không được trước ngày kết thúc Tuần lễ");
            }
        }
        Ok(())
    }
}

/// The last instant of a deadline day in Vietnam time.
pub fn deadline_end(deadline: NaiveDate) -> DateTime<Utc> {
    let end = deadline.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time"));
    vietnam_offset()
        .from_local_datetime(&end)
        .single()
        .expect("fixed offset")
        .with_timezone(&Utc)
}

/// Nộp muộn — whether a report first submitted at `submitted_at` is late.
pub fn is_late(submitted_at: DateTime<Utc>, deadline: Option<NaiveDate>) -> bool {
    deadline.is_some_and(|d| submitted_at > deadline_end(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn campaign() -> Campaign {
        Campaign {
            id: 1,
            year: 2021,
            name: "Tuần lễ 2021".into(),
            themes: vec![],
            start_date: d(2021, 10, 1),
            end_date: d(2021, 10, 7),
            tree_id: 1,
            template_id: 1,
            required_types: vec!["Phường".into()],
            deadlines: vec![
                LevelDeadline {
                    admin_level: 3,
                    deadline: d(2021, 10, 12),
                },
                LevelDeadline {
                    admin_level: 2,
                    deadline: d(2021, 10, 15),
                },
                LevelDeadline {
                    admin_level: 1,
                    deadline: d(2021, 10, 19),
                },
            ],
        }
    }

    #[test]
    fn deadlines_by_level() {
        let c = campaign();
        assert_eq!(c.deadline_for(3), Some(d(2021, 10, 12)));
        assert_eq!(c.deadline_for(2), Some(d(2021, 10, 15)));
        assert_eq!(c.deadline_for(1), Some(d(2021, 10, 19)));
        assert_eq!(c.deadline_for(4), Some(d(2021, 10, 19)));
        c.check().unwrap();
    }

    #[test]
    fn late_after_midnight_vietnam_time() {
        let deadline = Some(d(2021, 10, 12));
        // 23:00 on 12/10 in Vietnam is 16:00 UTC: on time.
        assert!(!is_late("2021-10-12T16:00:00Z".parse().unwrap(), deadline));
        // 00:30 on 13/10 in Vietnam is 17:30 UTC on 12/10: late.
        assert!(is_late("2021-10-12T17:30:00Z".parse().unwrap(), deadline));
        assert!(!is_late("2030-01-01T00:00:00Z".parse().unwrap(), None));
    }

    #[test]
    fn rejects_end_before_start() {
        let mut c = campaign();
        c.end_date = d(2021, 9, 1);
        assert!(c.check().unwrap_err().to_string().contains("Ngày kết thúc"));
    }
}
