//! Góp ý — consultation on a draft: the drafter asks units for comments by a deadline;
//! each answers "thống nhất" or with comments; after the deadline the silent ones are
//! counted as agreeing (*xem như thống nhất*), and marked so.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Ý kiến của một đơn vị.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyState {
    /// Chưa trả lời (consultation still open).
    Pending,
    /// Thống nhất.
    Agreed,
    /// Có ý kiến góp ý.
    Commented,
    /// Không trả lời, xem như thống nhất (after the deadline).
    Silent,
}

impl ReplyState {
    pub const ALL: [ReplyState; 4] = [
        ReplyState::Pending,
        ReplyState::Agreed,
        ReplyState::Commented,
        ReplyState::Silent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReplyState::Pending => "pending",
            ReplyState::Agreed => "agreed",
            ReplyState::Commented => "commented",
            ReplyState::Silent => "silent",
        }
    }

    pub fn parse(s: &str) -> Option<ReplyState> {
        ReplyState::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            ReplyState::Pending => "Chưa trả lời",
            ReplyState::Agreed => "Thống nhất",
            ReplyState::Commented => "Có ý kiến góp ý",
            ReplyState::Silent => "Không có ý kiến, xem như thống nhất",
        }
    }

    /// Whether the unit is counted as agreeing (silence included).
    pub fn agrees(self) -> bool {
        matches!(self, ReplyState::Agreed | ReplyState::Silent)
    }
}

/// Whether a consultation with `deadline` still takes answers on `today` (Vietnam date):
/// answers are due *by* the deadline day, so it closes when the next day starts.
pub fn is_open(deadline: NaiveDate, today: NaiveDate) -> bool {
    today <= deadline
}

/// Checks a new consultation's deadline: not in the past.
pub fn check_deadline(deadline: NaiveDate, today: NaiveDate) -> Result<(), DomainError> {
    if deadline < today {
        return Err(DomainError::InvalidInput {
            field: "Hạn góp ý".into(),
            message: format!(
                "{} đã qua; chọn một ngày từ hôm nay ({}) trở đi",
                crate::format::date_vi(deadline),
                crate::format::date_vi(today)
            ),
        });
    }
    Ok(())
}

/// What an answer may be: "thống nhất" without a comment, or a comment (text or a file).
pub fn check_answer(
    agree: bool,
    comment: &str,
    has_attachment: bool,
) -> Result<ReplyState, DomainError> {
    if agree {
        Ok(ReplyState::Agreed)
    } else if comment.trim().is_empty() && !has_attachment {
        Err(DomainError::InvalidInput {
            field: "Ý kiến góp ý".into(),
            message: "ghi nội dung góp ý hoặc đính kèm văn bản góp ý (hoặc chọn \"thống nhất\")"
                .into(),
        })
    } else {
        Ok(ReplyState::Commented)
    }
}

/// The state a stored reply shows on `today`: a pending reply past the deadline reads as
/// silent consent even before the background job has recorded it.
pub fn effective_state(stored: ReplyState, deadline: NaiveDate, today: NaiveDate) -> ReplyState {
    if stored == ReplyState::Pending && !is_open(deadline, today) {
        ReplyState::Silent
    } else {
        stored
    }
}

/// Tổng hợp ý kiến — the drafter's summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    pub total: usize,
    pub agreed: usize,
    pub commented: usize,
    pub silent: usize,
    pub pending: usize,
}

impl Summary {
    pub fn of(states: impl IntoIterator<Item = ReplyState>) -> Summary {
        let mut s = Summary::default();
        for st in states {
            s.total += 1;
            match st {
                ReplyState::Agreed => s.agreed += 1,
                ReplyState::Commented => s.commented += 1,
                ReplyState::Silent => s.silent += 1,
                ReplyState::Pending => s.pending += 1,
            }
        }
        s
    }

    /// Closed: nobody is still expected to answer.
    pub fn closed(&self) -> bool {
        self.pending == 0
    }

    /// The sentence a tờ trình uses.
    pub fn sentence_vi(&self) -> String {
        format!(
            "{} đơn vị được xin ý kiến: {} thống nhất, {} có ý kiến góp ý, {} không có ý kiến (xem như thống nhất), {} chưa trả lời",
            self.total, self.agreed, self.commented, self.silent, self.pending
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, m, day).unwrap()
    }

    #[test]
    fn open_through_the_deadline_day() {
        assert!(is_open(d(9, 22), d(9, 22)));
        assert!(!is_open(d(9, 22), d(9, 23)));
        assert!(check_deadline(d(9, 22), d(9, 15)).is_ok());
        assert!(check_deadline(d(9, 15), d(9, 15)).is_ok());
        let e = check_deadline(d(9, 14), d(9, 15)).unwrap_err();
        assert!(e.to_string().contains("14/09/2021 đã qua"));
    }

    #[test]
    fn silence_counts_as_agreement_after_the_deadline() {
        assert_eq!(
            effective_state(ReplyState::Pending, d(9, 22), d(9, 22)),
            ReplyState::Pending
        );
        assert_eq!(
            effective_state(ReplyState::Pending, d(9, 22), d(9, 23)),
            ReplyState::Silent
        );
        assert_eq!(
            effective_state(ReplyState::Commented, d(9, 22), d(9, 23)),
            ReplyState::Commented
        );
        assert!(ReplyState::Silent.agrees());
        assert!(!ReplyState::Commented.agrees());
    }

    #[test]
    fn answers_need_a_comment_unless_agreeing() {
        assert_eq!(check_answer(true, "", false).unwrap(), ReplyState::Agreed);
        assert_eq!(
            check_answer(false, "Đề nghị bổ sung", false).unwrap(),
            ReplyState::Commented
        );
        assert_eq!(
            check_answer(false, "", true).unwrap(),
            ReplyState::Commented
        );
        assert!(check_answer(false, "  ", false).is_err());
    }

    #[test]
    fn summary_of_seed_004() {
        let mut states = vec![ReplyState::Commented; 4];
        states.extend([ReplyState::Agreed; 2]);
        states.extend([ReplyState::Silent; 12]);
        let s = Summary::of(states);
        assert_eq!(
            (s.total, s.commented, s.agreed, s.silent, s.pending),
            (18, 4, 2, 12, 0)
        );
        assert!(s.closed());
        assert!(s
            .sentence_vi()
            .contains("12 không có ý kiến (xem như thống nhất)"));
    }
}
