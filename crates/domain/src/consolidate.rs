//! Tổng hợp — consolidation of reports over a subtree.
//!
//! Each unit keeps, per campaign and basis, the running sum of the reports in its
//! subtree (its own included). A status change of one report changes that sum at the
//! unit and at every ancestor by the same delta, so reading a consolidation never
//! scans the subtree's raw values. [`rebuild`] recomputes everything from raw values.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::report::{Basis, ReportStatus};

/// Số liệu tổng hợp of one unit on one basis: figure sums in template slot order, the
/// number of reports counted and how many of them were late.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub values: Vec<i64>,
    pub reports: i64,
    pub late: i64,
}

impl Totals {
    pub fn zero(slots: usize) -> Totals {
        Totals {
            values: vec![0; slots],
            reports: 0,
            late: 0,
        }
    }

    /// Adds `other` (scaled by `sign`, +1 or −1).
    pub fn add(&mut self, other: &Totals, sign: i64) {
        if self.values.len() < other.values.len() {
            self.values.resize(other.values.len(), 0);
        }
        for (a, b) in self.values.iter_mut().zip(&other.values) {
            *a += sign * b;
        }
        self.reports += sign * other.reports;
        self.late += sign * other.late;
    }

    pub fn is_zero(&self) -> bool {
        self.reports == 0 && self.late == 0 && self.values.iter().all(|v| *v == 0)
    }

    pub fn get(&self, slot: usize) -> i64 {
        self.values.get(slot).copied().unwrap_or(0)
    }
}

/// What one report adds to a basis in a given state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportState<'a> {
    pub status: ReportStatus,
    pub values: &'a [i64],
    pub late: bool,
    /// The unit is of a type the campaign requires: only such reports count in the
    /// completeness counters (`reports`, `late`); every report's figures are summed.
    pub required: bool,
}

/// The contribution of a report (or of no report) to one basis.
pub fn contribution(state: Option<&ReportState<'_>>, basis: Basis, slots: usize) -> Totals {
    match state {
        Some(s) if s.status.counts_in(basis) => Totals {
            values: s.values.to_vec(),
            reports: i64::from(s.required),
            late: i64::from(s.required && s.late),
        },
        _ => Totals::zero(slots),
    }
}

/// The change a report's move from `before` to `after` makes to one basis; `None` when nothing changes.
pub fn delta(
    before: Option<&ReportState<'_>>,
    after: Option<&ReportState<'_>>,
    basis: Basis,
    slots: usize,
) -> Option<Totals> {
    let mut d = contribution(after, basis, slots);
    d.add(&contribution(before, basis, slots), -1);
    (!d.is_zero()).then_some(d)
}

/// Recomputes every unit's totals from raw reports. `parents` maps each unit to its
/// parent; `reports` gives each reporting unit's current state. Units with nothing in
/// their subtree are absent from the result.
pub fn rebuild(
    parents: &HashMap<i64, Option<i64>>,
    reports: &HashMap<i64, ReportState<'_>>,
    basis: Basis,
    slots: usize,
) -> HashMap<i64, Totals> {
    let mut out: HashMap<i64, Totals> = HashMap::new();
    for (unit, state) in reports {
        let c = contribution(Some(state), basis, slots);
        if c.is_zero() {
            continue;
        }
        let mut cur = Some(*unit);
        let mut guard = 0;
        while let Some(u) = cur {
            out.entry(u)
                .or_insert_with(|| Totals::zero(slots))
                .add(&c, 1);
            cur = parents.get(&u).copied().flatten();
            guard += 1;
            assert!(guard < 1000, "cycle in unit tree");
        }
    }
    out
}

/// Số đơn vị phải báo cáo per subtree: for each unit, how many units of the
/// `required` types lie in its subtree (itself included). Units with none are absent.
pub fn expected_counts(
    units: &[(i64, Option<i64>, String)],
    required: &[String],
) -> HashMap<i64, i64> {
    let parents: HashMap<i64, Option<i64>> = units.iter().map(|(id, p, _)| (*id, *p)).collect();
    let mut out: HashMap<i64, i64> = HashMap::new();
    for (id, _, unit_type) in units {
        if !required.iter().any(|r| r == unit_type) {
            continue;
        }
        let mut cur = Some(*id);
        let mut guard = 0;
        while let Some(u) = cur {
            *out.entry(u).or_default() += 1;
            cur = parents.get(&u).copied().flatten();
            guard += 1;
            assert!(guard < 1000, "cycle in unit tree");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{transition, ReportAction};
    use proptest::prelude::*;

    /// A random tree: node i's parent is a node < i.
    fn tree_strategy() -> impl Strategy<Value = Vec<Option<usize>>> {
        (1usize..40).prop_flat_map(|n| {
            let parents: Vec<BoxedStrategy<Option<usize>>> = (0..n)
                .map(|i| {
                    if i == 0 {
                        Just(None).boxed()
                    } else {
                        (0..i).prop_map(Some).boxed()
                    }
                })
                .collect();
            parents
        })
    }

    #[derive(Debug, Clone)]
    struct Step {
        unit: usize,
        action: ReportAction,
        values: Vec<i64>,
        late: bool,
    }

    fn steps_strategy(slots: usize) -> impl Strategy<Value = Vec<Step>> {
        prop::collection::vec(
            (
                0usize..40,
                prop_oneof![
                    Just(ReportAction::Save),
                    Just(ReportAction::Submit),
                    Just(ReportAction::Return),
                    Just(ReportAction::Accept)
                ],
                prop::collection::vec(0i64..1000, slots),
                any::<bool>(),
            )
                .prop_map(|(unit, action, values, late)| Step {
                    unit,
                    action,
                    values,
                    late,
                }),
            0..120,
        )
    }

    proptest! {
        /// After any sequence of save/submit/return/accept, the incrementally kept totals
        /// equal a rebuild from raw values, and every unit's total is its own report plus
        /// the sum of its children's totals, for every slot, on both bases.
        #[test]
        fn incremental_totals_match_rebuild_and_sum_children(parents in tree_strategy(), steps in steps_strategy(4)) {
            let slots = 4;
            let n = parents.len();
            let parent_of: HashMap<i64, Option<i64>> = parents.iter().enumerate().map(|(i, p)| (i as i64, p.map(|p| p as i64))).collect();
            let mut reports: HashMap<i64, (ReportStatus, Vec<i64>, bool)> = HashMap::new();
            let mut kept: HashMap<(i64, Basis), Totals> = HashMap::new();
            for step in steps {
                let unit = (step.unit % n) as i64;
                let before = reports.get(&unit).cloned();
                let Ok(next) = transition(before.as_ref().map(|b| b.0), step.action) else { continue };
                // Reviewers do not change figures; reporters do on save/submit.
                let (values, late) = match step.action {
                    ReportAction::Save | ReportAction::Submit => (step.values.clone(), step.late),
                    _ => before.as_ref().map(|b| (b.1.clone(), b.2)).unwrap(),
                };
                let after = (next, values, late);
                for basis in Basis::ALL {
                    let b = before.as_ref().map(|(s, v, l)| ReportState { status: *s, values: v, late: *l, required: true });
                    let a = ReportState { status: after.0, values: &after.1, late: after.2, required: true };
                    if let Some(d) = delta(b.as_ref(), Some(&a), basis, slots) {
                        let mut cur = Some(unit);
                        while let Some(u) = cur {
                            kept.entry((u, basis)).or_insert_with(|| Totals::zero(slots)).add(&d, 1);
                            cur = parent_of[&u];
                        }
                    }
                }
                reports.insert(unit, after);
            }
            let states: HashMap<i64, ReportState<'_>> = reports.iter().map(|(u, (s, v, l))| (*u, ReportState { status: *s, values: v, late: *l, required: true })).collect();
            for basis in Basis::ALL {
                let rebuilt = rebuild(&parent_of, &states, basis, slots);
                for u in 0..n as i64 {
                    let k = kept.get(&(u, basis)).cloned().unwrap_or_else(|| Totals::zero(slots));
                    let r = rebuilt.get(&u).cloned().unwrap_or_else(|| Totals::zero(slots));
                    prop_assert_eq!(&k, &r);
                    let mut expected = contribution(states.get(&u), basis, slots);
                    for (c, p) in &parent_of {
                        if *p == Some(u) {
                            expected.add(&kept.get(&(*c, basis)).cloned().unwrap_or_else(|| Totals::zero(slots)), 1);
                        }
                    }
                    prop_assert_eq!(&k, &expected);
                }
            }
        }
    }

    #[test]
    fn expected_counts_by_subtree() {
        let units = vec![
            (1, None, "Toàn quốc".to_string()),
            (2, Some(1), "Tỉnh".to_string()),
            (3, Some(2), "Xã".to_string()),
            (4, Some(2), "Xã".to_string()),
            (5, Some(3), "TTHTCĐ".to_string()),
        ];
        let c = expected_counts(&units, &["Xã".to_string(), "TTHTCĐ".to_string()]);
        assert_eq!(c.get(&1), Some(&3));
        assert_eq!(c.get(&2), Some(&3));
        assert_eq!(c.get(&3), Some(&2));
        assert_eq!(c.get(&4), Some(&1));
        assert_eq!(c.get(&5), Some(&1));
    }

    #[test]
    fn return_removes_and_accept_moves_between_bases() {
        let v = [3, 45];
        let submitted = ReportState {
            status: ReportStatus::Submitted,
            values: &v,
            late: true,
            required: true,
        };
        let returned = ReportState {
            status: ReportStatus::Returned,
            values: &v,
            late: true,
            required: true,
        };
        let accepted = ReportState {
            status: ReportStatus::Accepted,
            values: &v,
            late: true,
            required: true,
        };
        let d = delta(None, Some(&submitted), Basis::Submitted, 2).unwrap();
        assert_eq!(
            d,
            Totals {
                values: vec![3, 45],
                reports: 1,
                late: 1
            }
        );
        assert_eq!(delta(None, Some(&submitted), Basis::Accepted, 2), None);
        let d = delta(Some(&submitted), Some(&returned), Basis::Submitted, 2).unwrap();
        assert_eq!(
            d,
            Totals {
                values: vec![-3, -45],
                reports: -1,
                late: -1
            }
        );
        assert_eq!(
            delta(Some(&submitted), Some(&accepted), Basis::Submitted, 2),
            None
        );
        assert_eq!(
            delta(Some(&submitted), Some(&accepted), Basis::Accepted, 2)
                .unwrap()
                .reports,
            1
        );
    }
}
