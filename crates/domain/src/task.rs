//! Nhiệm vụ — a task a plan's section III assigns to a unit, with its deadline,
//! status, progress and evidence; overdue tasks stand out.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Trạng thái nhiệm vụ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Chưa thực hiện.
    Open,
    /// Đang thực hiện.
    InProgress,
    /// Hoàn thành.
    Done,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 3] = [TaskStatus::Open, TaskStatus::InProgress, TaskStatus::Done];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            TaskStatus::Open => "Chưa thực hiện",
            TaskStatus::InProgress => "Đang thực hiện",
            TaskStatus::Done => "Hoàn thành",
        }
    }
}

/// Whether a task is overdue on `today`: not done and its deadline day has passed.
pub fn is_overdue(status: TaskStatus, deadline: Option<NaiveDate>, today: NaiveDate) -> bool {
    status != TaskStatus::Done && deadline.is_some_and(|d| d < today)
}

/// Checks a progress update: 0–100 %, and "done" means 100 %. Returns the progress to
/// store (done without a figure → 100).
pub fn check_update(status: TaskStatus, progress: Option<i64>) -> Result<i64, DomainError> {
    let p = match (status, progress) {
        (TaskStatus::Done, None) => 100,
        (TaskStatus::Open, None) => 0,
        (_, Some(p)) => p,
        (TaskStatus::InProgress, None) => 0,
    };
    if !(0..=100).contains(&p) {
        return Err(DomainError::InvalidInput {
            field: "Tiến độ".into(),
            message: format!("{p} không nằm trong 0–100 %"),
        });
    }
    if status == TaskStatus::Done && p != 100 {
        return Err(DomainError::InvalidInput {
            field: "Tiến độ".into(),
            message: "nhiệm vụ hoàn thành phải đạt 100 %".into(),
        });
    }
    Ok(p)
}

/// Đếm nhiệm vụ — done / open / overdue (overdue tasks are also open).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TaskCounts {
    pub total: usize,
    pub done: usize,
    pub open: usize,
    pub overdue: usize,
}

impl TaskCounts {
    pub fn add(&mut self, status: TaskStatus, deadline: Option<NaiveDate>, today: NaiveDate) {
        self.total += 1;
        if status == TaskStatus::Done {
            self.done += 1;
        } else {
            self.open += 1;
        }
        if is_overdue(status, deadline, today) {
            self.overdue += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, m, day).unwrap()
    }

    #[test]
    fn overdue_after_the_deadline_day_unless_done() {
        assert!(!is_overdue(TaskStatus::Open, Some(d(10, 12)), d(10, 12)));
        assert!(is_overdue(TaskStatus::Open, Some(d(10, 12)), d(10, 13)));
        assert!(is_overdue(
            TaskStatus::InProgress,
            Some(d(10, 12)),
            d(10, 13)
        ));
        assert!(!is_overdue(TaskStatus::Done, Some(d(10, 12)), d(10, 13)));
        assert!(!is_overdue(TaskStatus::Open, None, d(12, 31)));
    }

    #[test]
    fn progress_updates() {
        assert_eq!(check_update(TaskStatus::Done, None).unwrap(), 100);
        assert_eq!(check_update(TaskStatus::InProgress, Some(40)).unwrap(), 40);
        assert!(check_update(TaskStatus::InProgress, Some(140)).is_err());
        assert!(check_update(TaskStatus::Done, Some(50)).is_err());
    }

    #[test]
    fn counts() {
        let mut c = TaskCounts::default();
        c.add(TaskStatus::Done, Some(d(10, 12)), d(10, 13));
        c.add(TaskStatus::Open, Some(d(10, 12)), d(10, 13));
        c.add(TaskStatus::Open, Some(d(10, 15)), d(10, 13));
        assert_eq!(
            c,
            TaskCounts {
                total: 3,
                done: 1,
                open: 2,
                overdue: 1
            }
        );
    }
}
