//! Tổng hợp — consolidated figures, drill-down, completeness and the missing list.

use std::collections::HashMap;

use tuanle_domain::access::Action;
use tuanle_domain::campaign::Campaign;
use tuanle_domain::consolidate::{rebuild, ReportState, Totals};
use tuanle_domain::report::{Basis, ReportStatus};
use tuanle_domain::template::Template;
use tuanle_domain::unit::Unit;
use tuanle_store::ReportRow;

use crate::{Actor, App, Result};

/// Most missing units listed on one view.
pub const MISSING_LIMIT: usize = 500;

/// Một dòng tổng hợp theo đơn vị con.
#[derive(Debug, Clone)]
pub struct ChildTotals {
    pub unit: Unit,
    pub totals: Totals,
    /// The child's own report, if any.
    pub own: Option<ReportRow>,
    pub expected: i64,
    pub submitted: i64,
}

/// Tình hình nộp báo cáo — completeness of a subtree.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Completeness {
    /// Units of the required types in the subtree.
    pub expected: i64,
    /// Of those, reports submitted or accepted.
    pub submitted: i64,
    pub accepted: i64,
    pub on_time: i64,
    pub late: i64,
    /// Returned and waiting for correction.
    pub returned: i64,
    pub drafts: i64,
    pub missing_count: i64,
}

/// A required unit that has not sent its report.
#[derive(Debug, Clone)]
pub struct MissingUnit {
    pub unit: Unit,
    pub status: Option<ReportStatus>,
    /// The nearest administrative ancestor's name, for context.
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
    pub missing: Vec<MissingUnit>,
}

impl App {
    /// Xem tổng hợp of a unit's subtree. Totals come from the running sums; the
    /// completeness lists read the subtree's units and report states, never values.
    pub async fn consolidation(&self, actor: &Actor, campaign_id: i64, unit_code: &str, basis: Basis) -> Result<ConsolidationView> {
        let (campaign, template, unit) = self.campaign_unit(actor, campaign_id, unit_code).await?;
        actor.require(&unit, Action::View)?;
        let slots = template.slot_count();
        let children = self.store.children(unit.id).await?;
        let mut ids: Vec<i64> = children.iter().map(|c| c.id).collect();
        ids.push(unit.id);
        let mut totals = self.store.totals_for_units(campaign.id, &ids, basis).await?;
        let own_rows = self.store.report_rows_for_units(campaign.id, &ids).await?;
        let states = self.store.subtree_report_states(campaign.id, campaign.tree_id, &unit.path, &campaign.required_types).await?;
        let mut completeness = Completeness { expected: states.len() as i64, ..Default::default() };
        let mut per_child: HashMap<i64, (i64, i64)> = HashMap::new();
        let mut missing = Vec::new();
        let names: HashMap<i64, String> = self.store.units_by_ids(&unit.lineage()).await?.into_iter().map(|u| (u.id, u.name)).collect();
        let mut context_names = names;
        for s in &states {
            let child = children.iter().find(|c| s.unit.path.starts_with(&c.path)).map(|c| c.id);
            let sent = matches!(s.status, Some(ReportStatus::Submitted | ReportStatus::Accepted));
            if let Some(c) = child {
                let e = per_child.entry(c).or_default();
                e.0 += 1;
                e.1 += i64::from(sent);
            }
            match s.status {
                Some(ReportStatus::Submitted) | Some(ReportStatus::Accepted) => {
                    completeness.submitted += 1;
                    if s.status == Some(ReportStatus::Accepted) {
                        completeness.accepted += 1;
                    }
                    if s.late {
                        completeness.late += 1;
                    } else {
                        completeness.on_time += 1;
                    }
                }
                other => {
                    if other == Some(ReportStatus::Returned) {
                        completeness.returned += 1;
                    }
                    if other == Some(ReportStatus::Draft) {
                        completeness.drafts += 1;
                    }
                    completeness.missing_count += 1;
                    if missing.len() < MISSING_LIMIT {
                        let parent_id = s.unit.parent_id.unwrap_or(s.unit.id);
                        if let std::collections::hash_map::Entry::Vacant(e) = context_names.entry(parent_id) {
                            if let Some(p) = self.store.unit(parent_id).await? {
                                e.insert(p.name);
                            }
                        }
                        missing.push(MissingUnit { unit: s.unit.clone(), status: other, context: context_names.get(&parent_id).cloned().unwrap_or_default() });
                    }
                }
            }
        }
        let child_rows = children
            .into_iter()
            .map(|c| {
                let (expected, submitted) = per_child.get(&c.id).copied().unwrap_or_default();
                ChildTotals { totals: totals.remove(&c.id).unwrap_or_else(|| Totals::zero(slots)), own: own_rows.get(&c.id).cloned(), expected, submitted, unit: c }
            })
            .collect();
        Ok(ConsolidationView {
            totals: totals.remove(&unit.id).unwrap_or_else(|| Totals::zero(slots)),
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

    /// Tính lại tổng hợp: recomputes every running sum of a campaign from the raw
    /// values, replaces them, and returns how many stored sums differed.
    pub async fn rebuild_consolidation(&self, actor: Option<&Actor>, campaign_id: i64) -> Result<usize> {
        let campaign = self.campaign(campaign_id).await?;
        if let Some(a) = actor {
            let root = self.store.tree_root(campaign.tree_id).await?;
            a.require(&root, Action::Administer)?;
        }
        let template = self.template(campaign.template_id).await?;
        let slots = template.slot_count();
        let mut tx = self.store.begin().await?;
        tx.lock_campaign(campaign.id, true).await?;
        let parents = tx.tree_parents(campaign.tree_id).await?;
        let reports = tx.campaign_reports(campaign.id).await?;
        let vectors: Vec<(i64, ReportStatus, bool, Vec<i64>)> = reports.into_iter().map(|(u, s, l, f)| (u, s, l, f.to_vector(&template))).collect();
        let states: HashMap<i64, ReportState<'_>> = vectors.iter().map(|(u, s, l, v)| (*u, ReportState { status: *s, values: v, late: *l })).collect();
        let mut all = HashMap::new();
        for basis in Basis::ALL {
            for (unit, t) in rebuild(&parents, &states, basis, slots) {
                all.insert((unit, basis), t);
            }
        }
        let stored = self.store.all_totals(campaign.id).await?;
        let differing = all.iter().filter(|(k, v)| stored.get(k) != Some(v)).count() + stored.keys().filter(|k| !all.contains_key(k) && !stored[k].is_zero()).count();
        tx.replace_totals(campaign.id, &all).await?;
        let mut audit = actor.map(|a| a.audit()).unwrap_or_default();
        audit.action = "rebuild_consolidation".into();
        audit.object_type = "campaign".into();
        audit.object_id = campaign.id.to_string();
        audit.after = Some(serde_json::json!({ "sums": all.len(), "differing": differing }));
        tx.audit(audit).await?;
        tx.commit().await?;
        Ok(differing)
    }
}

