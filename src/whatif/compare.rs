//! `compare`: the baseline and its variants (or other scenario files) side by side, each
//! difference from the baseline with a 95% confidence interval and a verdict.

use super::{Candidate, common_options, run_all};
use crate::engine::EngineError;
use crate::metrics::Summary;
use crate::metrics::compare::{Compared, Difference, compare as compare_runs, difference_of};
use crate::metrics::summary::{Distribution, Estimate, FlowEfficiency, Wip};
use crate::runner::{RunOptions, RunResult};
use crate::scenario::TimeUnit;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One scenario's figures in a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioFigures {
    pub name: String,
    pub description: Option<String>,
    pub lead_time: Option<Distribution>,
    pub cycle_time: Option<Distribution>,
    pub throughput: Option<Estimate>,
    pub flow_efficiency: Option<FlowEfficiency>,
    pub wip: Option<Wip>,
    pub makespan: Option<Distribution>,
    pub bottleneck: Option<String>,
    pub stages: Vec<StageFigures>,
    /// Differences from the baseline (`None` for the baseline itself), by statistic: `mean`,
    /// `p50`, `p70`, `p85`, `p95`, `throughput`, `flow_efficiency`, `wip`, and per stage
    /// `utilization:<stage>` and `wait:<stage>`.
    pub difference: Option<BTreeMap<String, Difference>>,
    /// One sentence per difference from the baseline.
    pub verdicts: Vec<String>,
    pub warnings: Vec<String>,
}

/// One stage of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageFigures {
    pub name: String,
    pub utilization: Option<f64>,
    pub mean_wait: f64,
    pub mean_work: f64,
}

/// The content of `compare.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub flowsim_version: String,
    /// Name of the first scenario, which the others are compared with.
    pub baseline: String,
    pub runs: u32,
    pub seed: u64,
    pub time_unit: TimeUnit,
    pub scenarios: Vec<ScenarioFigures>,
}

/// A comparison with everything it was made from (for charts and reports).
#[derive(Debug, Clone)]
pub struct ComparisonRun {
    pub comparison: Comparison,
    pub labels: Vec<String>,
    pub results: Vec<RunResult>,
    /// `compared[i]`: scenario i against the baseline (empty for the baseline).
    pub compared: Vec<Vec<Compared>>,
}

/// Runs the candidates (the first is the baseline) with common random numbers and compares.
pub fn compare(
    candidates: &[Candidate],
    options: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ComparisonRun, EngineError> {
    let options = common_options(&candidates[0].scenario, options);
    let results = run_all(candidates, options, progress)?;
    let base = &results[0];
    let mut scenarios = Vec::new();
    let mut compared = Vec::new();
    for (i, (c, r)) in candidates.iter().zip(&results).enumerate() {
        let (difference, verdicts, cmp) = if i == 0 {
            (None, Vec::new(), Vec::new())
        } else {
            let cmp = compare_runs(&base.summary, &base.batches, &r.summary, &r.batches);
            let mut diff: BTreeMap<String, Difference> = cmp
                .iter()
                .map(|c| (c.metric.clone(), c.difference))
                .collect();
            stage_differences(base, r, &mut diff);
            let verdicts = cmp.iter().map(|c| c.verdict.clone()).collect();
            (Some(diff), verdicts, cmp)
        };
        scenarios.push(figures(&c.label, &r.summary, difference, verdicts));
        compared.push(cmp);
    }
    let s0 = &base.summary;
    Ok(ComparisonRun {
        comparison: Comparison {
            flowsim_version: env!("CARGO_PKG_VERSION").to_string(),
            baseline: candidates[0].label.clone(),
            runs: s0.runs,
            seed: s0.seed,
            time_unit: s0.time_unit,
            scenarios,
        },
        labels: candidates.iter().map(|c| c.label.clone()).collect(),
        results,
        compared,
    })
}

/// Per-stage differences in utilization and mean wait, for stages both scenarios have (at
/// whatever position: a variant may add or remove stages).
fn stage_differences(base: &RunResult, var: &RunResult, out: &mut BTreeMap<String, Difference>) {
    for (i, st) in base.summary.stages.iter().enumerate() {
        let Some(j) = var.summary.stages.iter().position(|s| s.name == st.name) else {
            continue;
        };
        let util = |k: usize| move |s: &Summary| s.stages.get(k).and_then(|x| x.utilization);
        let wait = |k: usize| move |s: &Summary| s.stages.get(k).map(|x| x.mean_wait);
        let (b, v) = (&base.summary, &var.summary);
        if let Some(d) = difference_of(b, &base.batches, &util(i), v, &var.batches, &util(j)) {
            out.insert(format!("utilization:{}", st.name), d);
        }
        if let Some(d) = difference_of(b, &base.batches, &wait(i), v, &var.batches, &wait(j)) {
            out.insert(format!("wait:{}", st.name), d);
        }
    }
}

fn figures(
    name: &str,
    s: &Summary,
    difference: Option<BTreeMap<String, Difference>>,
    verdicts: Vec<String>,
) -> ScenarioFigures {
    ScenarioFigures {
        name: name.to_string(),
        description: s.description.clone(),
        lead_time: s.lead_time.clone(),
        cycle_time: s.cycle_time.clone(),
        throughput: s.throughput,
        flow_efficiency: s.flow_efficiency.clone(),
        wip: s.wip.clone(),
        makespan: s.makespan.clone(),
        bottleneck: s.bottleneck.clone(),
        stages: s
            .stages
            .iter()
            .map(|st| StageFigures {
                name: st.name.clone(),
                utilization: st.utilization,
                mean_wait: st.mean_wait,
                mean_work: st.mean_work,
            })
            .collect(),
        difference,
        verdicts,
        warnings: s.warnings.clone(),
    }
}
