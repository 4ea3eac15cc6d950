//! Tổng hợp — consolidated figures, drill-down, completeness and the missing list.

use std::collections::HashMap;

use tuanle_domain::access::Action;
use tuanle_domain::campaign::Campaign;
use tuanle_domain::consolidate::{expected_counts, rebuild, ReportState, Totals};
use tuanle_domain::report::{Basis, ReportStatus};
use tuanle_domain::template::Template;
use tuanle_domain::unit::Unit;
use tuanle_store::ReportRow;

use crate::{Actor, App, Result};

/// Most missing units listed inline on one view; larger subtrees page them separately.
pub const MISSING_INLINE_LIMIT: i64 = 300;

/// Một dòng tổng hợp theo đơn vị con.
#[derive(Debug, Clone)]
pub struct ChildTotals {
    pub unit: Unit,
    pub totals: Totals,
    /// The child's own report, if any.
    pub own: Option<ReportRow>,
    /// Required units in the child's subtree, and how many of them have sent their report.
    pub expected: i64,
    pub submitted: i64,
}

/// Tình hình nộp báo cáo — completeness of a subtree, from the running counters.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Completeness {
    /// Units of the required types in the subtree.
    pub expected: i64,
    /// Of those, reports submitted or accepted.
    pub submitted: i64,
    pub accepted: i64,
    pub on_time: i64,
    pub late: i64,
    pub missing_count: i64,
}

/// A required unit that has not sent its report.
#[derive(Debug, Clone)]
pub struct MissingUnit {
    pub unit: Unit,
    pub status: Option<ReportStatus>,
    /// The parent's name, for context.
    pub context: String,
}

/// Bảng tổng hợp of one unit.
#[derive(Debug, Clone)]
pub struct ConsolidationView {
    pub campaign: Campaign,
    pub template: Template,
    pub unit: Unit,
    pub basis: Basis,
    pub totals: Totals,
    pub own: Option<ReportRow>,
    pub children: Vec<ChildTotals>,
    pub completeness: Completeness,
    /// The missing units, when the subtree is small enough to list them inline
    /// (see [`MISSING_INLINE_LIMIT`]); otherwise `None`: use [`App::missing_units`].
    pub missing: Option<Vec<MissingUnit>>,
}

impl App {
    /// Xem tổng hợp of a unit's subtree. Everything comes from the running sums and
    /// counters of the unit and its children: nothing scans the subtree's reports.
    pub async fn consolidation(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        basis: Basis,
    ) -> Result<ConsolidationView> {
        let (campaign, template, unit) = self.campaign_unit(actor, campaign_id, unit_code).await?;
        actor.require(&unit, Action::View)?;
        let slots = template.slot_count();
        let children = self.store.children(unit.id).await?;
        let mut ids: Vec<i64> = children.iter().map(|c| c.id).collect();
        ids.push(unit.id);
        // Both bases in one query: the view shows one, completeness counts both.
        let [sent, accepted] = self.store.totals_on_bases(campaign.id, &ids).await?;
        let mut totals = match basis {
            Basis::Submitted => sent.clone(),
            Basis::Accepted => accepted.clone(),
        };
        let expected = self.store.expected_for_units(campaign.id, &ids).await?;
        let own_rows = self.store.report_rows_for_units(campaign.id, &ids).await?;
        let counter = |m: &HashMap<i64, Totals>, id: i64| {
            m.get(&id).map(|t| (t.reports, t.late)).unwrap_or_default()
        };
        let (submitted, late) = counter(&sent, unit.id);
        let exp = expected.get(&unit.id).copied().unwrap_or(0);
        let completeness = Completeness {
            expected: exp,
            submitted,
            accepted: counter(&accepted, unit.id).0,
            on_time: submitted - late,
            late,
            missing_count: (exp - submitted).max(0),
        };
        let missing = if exp <= MISSING_INLINE_LIMIT {
            Some(
                self.missing_in(&campaign, &unit, MISSING_INLINE_LIMIT, 0)
                    .await?
                    .0,
            )
        } else {
            None
        };
        let child_rows = children
            .into_iter()
            .map(|c| ChildTotals {
                totals: totals.remove(&c.id).unwrap_or_else(|| Totals::zero(slots)),
                own: own_rows.get(&c.id).cloned(),
                expected: expected.get(&c.id).copied().unwrap_or(0),
                submitted: counter(&sent, c.id).0,
                unit: c,
            })
            .collect();
        Ok(ConsolidationView {
            totals: totals
                .remove(&unit.id)
                .unwrap_or_else(|| Totals::zero(slots)),
            own: own_rows.get(&unit.id).cloned(),
            children: child_rows,
            completeness,
            missing,
            campaign,
            template,
            unit,
            basis,
        })
    }

    /// Đơn vị chưa nộp: required units of a subtree without a submitted or accepted
    /// report, a page at a time, with the total number.
    pub async fn missing_units(
        &self,
        actor: &Actor,
        campaign_id: i64,
        unit_code: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<MissingUnit>, i64)> {
        let (campaign, _, unit) = self.campaign_unit(actor, campaign_id, unit_code).await?;
        actor.require(&unit, Action::View)?;
        self.missing_in(&campaign, &unit, limit.clamp(1, 5000), offset.max(0))
            .await
    }

    async fn missing_in(
        &self,
        campaign: &Campaign,
        unit: &Unit,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<MissingUnit>, i64)> {
        let states = self
            .store
            .subtree_report_states(
                campaign.id,
                campaign.tree_id,
                &unit.path,
                &campaign.required_types,
            )
            .await?;
        let missing: Vec<_> = states
            .into_iter()
            .filter(|s| {
                !matches!(
                    s.status,
                    Some(ReportStatus::Submitted | ReportStatus::Accepted)
                )
            })
            .collect();
        let total = missing.len() as i64;
        let mut names: HashMap<i64, String> = HashMap::new();
        let mut out = Vec::new();
        for s in missing
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
        {
            let parent_id = s.unit.parent_id.unwrap_or(s.unit.id);
            if let std::collections::hash_map::Entry::Vacant(e) = names.entry(parent_id) {
                if let Some(p) = self.store.unit(parent_id).await? {
                    e.insert(p.name);
                }
            }
            out.push(MissingUnit {
                context: names.get(&parent_id).cloned().unwrap_or_default(),
                status: s.status,
                unit: s.unit,
            });
        }
        Ok((out, total))
    }

    /// Tính lại tổng hợp: recomputes every running sum of a campaign from the raw
    /// values, replaces them, and returns how many stored sums differed.
    pub async fn rebuild_consolidation(
        &self,
        actor: Option<&Actor>,
        campaign_id: i64,
    ) -> Result<usize> {
        let campaign = self.campaign(campaign_id).await?;
        if let Some(a) = actor {
            let root = self.store.tree_root(campaign.tree_id).await?;
            a.require(&root, Action::Administer)?;
        }
        let template = self.template(campaign.template_id).await?;
        let slots = template.slot_count();
        let mut tx = self.store.begin().await?;
        tx.lock_campaign(campaign.id, true).await?;
        // Pending deltas are already counted in the raw values read below.
        tx.fold_all_deltas().await?;
        refresh_expected(&mut tx, campaign.tree_id, Some(campaign.id)).await?;
        let parents = tx.tree_parents(campaign.tree_id).await?;
        let vectors = tx.campaign_reports(campaign.id, &template).await?;
        let types: HashMap<i64, String> = tx
            .tree_units_brief(campaign.tree_id)
            .await?
            .into_iter()
            .map(|(id, _, t)| (id, t))
            .collect();
        let states: HashMap<i64, ReportState<'_>> = vectors
            .iter()
            .map(|(u, s, l, v)| {
                (
                    *u,
                    ReportState {
                        status: *s,
                        values: v,
                        late: *l,
                        required: types
                            .get(u)
                            .is_some_and(|t| campaign.required_types.contains(t)),
                    },
                )
            })
            .collect();
        // Basis by basis (to hold half the sums in memory at a time), only the sums that
        // differ are written, so a rebuild of correct sums writes nothing.
        let mut differing = 0;
        for basis in Basis::ALL {
            let stored = self.store.basis_totals(campaign.id, basis).await?;
            let all = rebuild(&parents, &states, basis, slots);
            let changed: Vec<((i64, Basis), &Totals)> = all
                .iter()
                .filter(|(k, v)| stored.get(k) != Some(*v))
                .map(|(k, v)| ((*k, basis), v))
                .collect();
            let stale: Vec<(i64, Basis)> = stored
                .keys()
                .filter(|k| !all.contains_key(k))
                .map(|k| (*k, basis))
                .collect();
            differing += changed.len() + stale.iter().filter(|(k, _)| !stored[k].is_zero()).count();
            tx.upsert_totals(campaign.id, &changed).await?;
            tx.delete_totals(campaign.id, &stale).await?;
        }
        let mut audit = actor.map(|a| a.audit()).unwrap_or_default();
        audit.action = "rebuild_consolidation".into();
        audit.object_type = "campaign".into();
        audit.object_id = campaign.id.to_string();
        audit.after = Some(serde_json::json!({ "reports": states.len(), "differing": differing }));
        tx.audit(audit).await?;
        tx.commit().await?;
        Ok(differing)
    }
}

/// Recomputes the expected counts of the campaigns on a tree (or of one campaign).
pub(crate) async fn refresh_expected(
    tx: &mut tuanle_store::Tx,
    tree_id: i64,
    only: Option<i64>,
) -> Result<()> {
    let campaigns = tx.campaigns_on_tree(tree_id).await?;
    if campaigns.is_empty() {
        return Ok(());
    }
    let units = tx.tree_units_brief(tree_id).await?;
    for (id, required) in campaigns {
        if only.is_some_and(|o| o != id) {
            continue;
        }
        tx.replace_expected(id, &expected_counts(&units, &required))
            .await?;
    }
    Ok(())
}
