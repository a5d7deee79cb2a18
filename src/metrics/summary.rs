//! The summary of a Monte Carlo run: replication totals folded in replication order, histograms
//! merged, percentiles with their batch-means standard errors, and the bottleneck.
//!
//! [`Summary`] is the schema of `summary.json` (documented field by field in docs/results.md).

use super::collect::{Histograms, RepTotals};
use super::histogram::Histogram;
use super::stats::{Ratio, Welford};
use crate::scenario::traffic::Traffic;
use crate::scenario::{Scenario, StageKind, StopRule, TimeUnit};
use serde::{Deserialize, Serialize};

/// Reads a number that may have been NaN when written: serde_json writes NaN (a statistic of no
/// items) as `null`, and this reads it back as NaN.
fn number_or_nan<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// A mean across replications with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    #[serde(deserialize_with = "number_or_nan")]
    pub mean: f64,
    pub se: Option<f64>,
}

impl Estimate {
    fn of_ratio(r: &Ratio) -> Option<Estimate> {
        r.estimate().map(|mean| Estimate { mean, se: r.se() })
    }
}

/// A distribution pooled over all measured items of all replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Number of values (items, or replications for the makespan).
    pub count: u64,
    #[serde(deserialize_with = "number_or_nan")]
    pub mean: f64,
    pub mean_se: Option<f64>,
    pub sd: Option<f64>,
    #[serde(deserialize_with = "number_or_nan")]
    pub p50: f64,
    pub p50_se: Option<f64>,
    #[serde(deserialize_with = "number_or_nan")]
    pub p70: f64,
    pub p70_se: Option<f64>,
    #[serde(deserialize_with = "number_or_nan")]
    pub p85: f64,
    pub p85_se: Option<f64>,
    #[serde(deserialize_with = "number_or_nan")]
    pub p95: f64,
    pub p95_se: Option<f64>,
    #[serde(deserialize_with = "number_or_nan")]
    pub p99: f64,
    pub p99_se: Option<f64>,
    #[serde(deserialize_with = "number_or_nan")]
    pub min: f64,
    #[serde(deserialize_with = "number_or_nan")]
    pub max: f64,
}

/// Flow efficiency: process time over lead time, by both common definitions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowEfficiency {
    /// Total work of all measured items / their total lead time.
    #[serde(deserialize_with = "number_or_nan")]
    pub ratio_of_sums: f64,
    pub ratio_of_sums_se: Option<f64>,
    /// Mean over items of (work / lead time).
    #[serde(deserialize_with = "number_or_nan")]
    pub mean_of_ratios: f64,
    pub mean_of_ratios_se: Option<f64>,
    /// Percentiles of the per-item ratio.
    #[serde(deserialize_with = "number_or_nan")]
    pub p15: f64,
    #[serde(deserialize_with = "number_or_nan")]
    pub p50: f64,
    #[serde(deserialize_with = "number_or_nan")]
    pub p85: f64,
}

/// Time-average counts of items in the stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Wip {
    /// Items arrived and not done (the backlog included): the L of Little's law with lead time.
    #[serde(deserialize_with = "number_or_nan")]
    pub mean: f64,
    pub se: Option<f64>,
    /// Items that entered the first stage and are not done (goes with cycle time).
    #[serde(deserialize_with = "number_or_nan")]
    pub in_progress: f64,
    pub in_progress_se: Option<f64>,
    /// Items waiting in the backlog.
    #[serde(deserialize_with = "number_or_nan")]
    pub backlog: f64,
}

/// P50, P85 and P95 of a per-item time at a stage, with standard errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    #[serde(deserialize_with = "number_or_nan")]
    pub p50: f64,
    pub p50_se: Option<f64>,
    #[serde(deserialize_with = "number_or_nan")]
    pub p85: f64,
    pub p85_se: Option<f64>,
    #[serde(deserialize_with = "number_or_nan")]
    pub p95: f64,
    pub p95_se: Option<f64>,
}

/// Mean wait per item at a stage, by cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaitBreakdown {
    /// Waiting for a person.
    #[serde(deserialize_with = "number_or_nan")]
    pub queue: f64,
    /// Done, waiting for room downstream (a WIP limit).
    #[serde(deserialize_with = "number_or_nan")]
    pub blocked: f64,
    /// Held by a blocker part-way through the work.
    #[serde(deserialize_with = "number_or_nan")]
    pub blocker: f64,
    /// Waiting for a release (cadence stages).
    #[serde(deserialize_with = "number_or_nan")]
    pub cadence: f64,
    /// Delay time that counts as wait.
    #[serde(deserialize_with = "number_or_nan")]
    pub delay: f64,
}

/// One stage's statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageSummary {
    pub name: String,
    /// "work", "delay" or "cadence".
    pub kind: String,
    /// Dedicated workers, or the team's name and size.
    pub workers: Option<u32>,
    pub team: Option<String>,
    pub wip_limit: Option<u32>,
    /// Share of time the people serving this stage are occupied (for a team's stage: the team's
    /// utilization). `None` for stages without people.
    pub utilization: Option<f64>,
    pub utilization_se: Option<f64>,
    /// Share of the serving people's time spent on this stage (equals `utilization` for dedicated
    /// workers; the stages of a team add up to the team's utilization).
    pub busy_share: Option<f64>,
    /// Expected long-run utilization from the scenario alone (arrival rate x work / people), when
    /// work keeps arriving.
    pub offered_load: Option<f64>,
    /// Mean wait per item at this stage (all visits, all causes).
    #[serde(deserialize_with = "number_or_nan")]
    pub mean_wait: f64,
    pub mean_wait_se: Option<f64>,
    pub wait: Percentiles,
    /// Percentiles of each item's total time at the stage (wait and work, all visits).
    pub time_in_stage: Percentiles,
    pub wait_breakdown: WaitBreakdown,
    /// Mean work per item at this stage (all visits).
    #[serde(deserialize_with = "number_or_nan")]
    pub mean_work: f64,
    pub mean_work_se: Option<f64>,
    /// Time-average items waiting for a person (or a release).
    #[serde(deserialize_with = "number_or_nan")]
    pub mean_queue: f64,
    /// Time-average items at the stage in any state.
    #[serde(deserialize_with = "number_or_nan")]
    pub mean_in_stage: f64,
    #[serde(deserialize_with = "number_or_nan")]
    pub visits_per_item: f64,
}

/// A shared team's statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamSummary {
    pub name: String,
    pub people: u32,
    pub stages: Vec<String>,
    #[serde(deserialize_with = "number_or_nan")]
    pub utilization: f64,
    pub utilization_se: Option<f64>,
    pub offered_load: Option<f64>,
}

/// Lead time of one work type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeLeadTime {
    #[serde(deserialize_with = "number_or_nan")]
    pub mean: f64,
    pub mean_se: Option<f64>,
    #[serde(deserialize_with = "number_or_nan")]
    pub p50: f64,
    #[serde(deserialize_with = "number_or_nan")]
    pub p85: f64,
    #[serde(deserialize_with = "number_or_nan")]
    pub p95: f64,
}

/// One work type's statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeSummary {
    pub name: String,
    #[serde(deserialize_with = "number_or_nan")]
    pub share: f64,
    pub priority: i64,
    /// Measured items of this type, over all replications.
    pub items: u64,
    pub lead_time: Option<TypeLeadTime>,
    /// Mean wait (lead time minus work) per item of this type.
    pub mean_wait: Option<f64>,
}

/// The stop rule a run used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StopRuleSummary {
    pub items: Option<u32>,
    pub horizon: Option<f64>,
}

/// The result of a Monte Carlo run: the content of `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub flowsim_version: String,
    pub scenario: String,
    pub description: Option<String>,
    pub runs: u32,
    pub seed: u64,
    pub time_unit: TimeUnit,
    pub stop_rule: StopRuleSummary,
    pub items_per_run: Option<u32>,
    /// Long-run arrival rate (items per time unit) of the arrival process; `None` when nothing
    /// arrives after time 0 (all the work is the initial backlog).
    pub arrival_rate: Option<f64>,
    pub warmup_items: u32,
    /// Items measured over all replications.
    pub measured_items: u64,
    /// Length of the measurement window per replication.
    pub window: Estimate,
    /// Arrival to done.
    pub lead_time: Option<Distribution>,
    /// Entering the first stage (past the stream-wide WIP limit) to done.
    pub cycle_time: Option<Distribution>,
    /// Arrival to entering the first stage.
    pub backlog_wait: Option<Estimate>,
    pub flow_efficiency: Option<FlowEfficiency>,
    /// Items done per time unit within the window.
    pub throughput: Option<Estimate>,
    pub wip: Option<Wip>,
    /// Time from 0 until the last item of a replication is done (`items` stop rule only).
    pub makespan: Option<Distribution>,
    /// Items still in the stream when a `horizon` run ends.
    pub unfinished_at_end: Option<Estimate>,
    pub stages: Vec<StageSummary>,
    pub teams: Vec<TeamSummary>,
    pub work_types: Vec<TypeSummary>,
    /// The capacity-limited stage whose people are the most utilized.
    pub bottleneck: Option<String>,
    pub bottleneck_reason: Option<String>,
    pub warnings: Vec<String>,
    /// Simulation events handled over all replications.
    pub events: u64,
}

#[derive(Debug, Clone, Default)]
struct StageAcc {
    wait: Ratio,
    queue: Ratio,
    blocked: Ratio,
    blocker: Ratio,
    cadence: Ratio,
    delay: Ratio,
    work: Ratio,
    visits: Ratio,
    busy: Ratio,
    queue_len: Ratio,
    in_stage: Ratio,
}

#[derive(Debug, Clone, Default)]
struct TypeAcc {
    lead: Ratio,
    wait: Ratio,
    items: u64,
}

/// Folds replication totals, in replication order, into a [`Summary`].
#[derive(Debug, Clone)]
pub struct Accumulator {
    scenario: Scenario,
    items: u64,
    lead: Ratio,
    lead_sum: f64,
    lead_sq: f64,
    lead_min: f64,
    lead_max: f64,
    cycle: Ratio,
    cycle_sum: f64,
    cycle_sq: f64,
    backlog_wait: Ratio,
    efficiency_sums: Ratio,
    efficiency_mean: Ratio,
    makespan: Welford,
    window: Welford,
    throughput: Ratio,
    wip: Ratio,
    in_progress: Ratio,
    backlog: Ratio,
    unfinished: Welford,
    stages: Vec<StageAcc>,
    teams: Vec<Ratio>,
    types: Vec<TypeAcc>,
    events: u64,
}

impl Accumulator {
    pub fn new(scenario: &Scenario) -> Accumulator {
        Accumulator {
            scenario: scenario.clone(),
            items: 0,
            lead: Ratio::default(),
            lead_sum: 0.0,
            lead_sq: 0.0,
            lead_min: f64::INFINITY,
            lead_max: f64::NEG_INFINITY,
            cycle: Ratio::default(),
            cycle_sum: 0.0,
            cycle_sq: 0.0,
            backlog_wait: Ratio::default(),
            efficiency_sums: Ratio::default(),
            efficiency_mean: Ratio::default(),
            makespan: Welford::default(),
            window: Welford::default(),
            throughput: Ratio::default(),
            wip: Ratio::default(),
            in_progress: Ratio::default(),
            backlog: Ratio::default(),
            unfinished: Welford::default(),
            stages: vec![StageAcc::default(); scenario.stages.len()],
            teams: vec![Ratio::default(); scenario.teams.len()],
            types: vec![TypeAcc::default(); scenario.work_types.len()],
            events: 0,
        }
    }

    /// Adds one replication. Call in replication order.
    pub fn add(&mut self, t: &RepTotals) {
        let sc = &self.scenario;
        let n = t.items as f64;
        let w = t.run.window();
        self.items += t.items;
        self.lead.add(t.lead, n);
        self.lead_sum += t.lead;
        self.lead_sq += t.lead_sq;
        if t.items > 0 {
            self.lead_min = self.lead_min.min(t.lead_min);
            self.lead_max = self.lead_max.max(t.lead_max);
        }
        self.cycle.add(t.cycle, n);
        self.cycle_sum += t.cycle;
        self.cycle_sq += t.cycle_sq;
        self.backlog_wait.add(t.backlog_wait, n);
        self.efficiency_sums.add(t.work, t.lead);
        self.efficiency_mean.add(t.efficiency, n);
        if let Some(m) = t.makespan {
            self.makespan.add(m);
        }
        self.window.add(w);
        self.throughput.add(t.run.finished_in_window as f64, w);
        self.wip.add(t.run.in_system_area, w);
        self.in_progress.add(t.run.in_progress_area, w);
        self.backlog.add(t.run.backlog_area, w);
        if matches!(sc.simulation.stop, StopRule::Horizon(_)) {
            self.unfinished.add(t.run.unfinished as f64);
        }
        let mut team_busy = vec![0.0; sc.teams.len()];
        for (s, (acc, st)) in self.stages.iter_mut().zip(&t.stages).enumerate() {
            acc.wait.add(st.wait, n);
            acc.queue.add(st.queue, n);
            acc.blocked.add(st.blocked, n);
            acc.blocker.add(st.blocker, n);
            acc.cadence.add(st.cadence, n);
            acc.delay.add(st.delay, n);
            acc.work.add(st.work, n);
            acc.visits.add(st.visits as f64, n);
            let r = &t.run.stages[s];
            if let Some(cap) = sc.capacity_of(s) {
                acc.busy.add(r.busy_area, f64::from(cap) * w);
            }
            if let Some(team) = team_index(sc, s) {
                team_busy[team] += r.busy_area;
            }
            acc.queue_len.add(r.queue_area, w);
            acc.in_stage.add(r.in_stage_area, w);
        }
        for (i, team) in sc.teams.iter().enumerate() {
            self.teams[i].add(team_busy[i], f64::from(team.people) * w);
        }
        for (acc, ty) in self.types.iter_mut().zip(&t.types) {
            acc.items += ty.items;
            acc.lead.add(ty.lead, ty.items as f64);
            acc.wait.add(ty.wait, ty.items as f64);
        }
        self.events += t.run.events;
    }

    /// Builds the summary. `batches` are the histograms of the replication batches (replication r
    /// in batch r mod batches.len()), used for the standard errors of percentiles; `pooled` is
    /// their sum.
    pub fn finish(
        &self,
        batches: &[Histograms],
        pooled: &Histograms,
        traffic: &Traffic,
        runs: u32,
        seed: u64,
    ) -> Summary {
        let sc = &self.scenario;
        let batches: Vec<&Histograms> = batches
            .iter()
            .filter(|b| !b.lead.is_empty() || !b.makespan.is_empty())
            .collect();
        let pct = |pick: &dyn Fn(&Histograms) -> &Histogram, q: f64| -> (f64, Option<f64>) {
            let est = pick(pooled).quantile(q).unwrap_or(f64::NAN);
            let mut w = Welford::default();
            for b in &batches {
                if let Some(v) = pick(b).quantile(q) {
                    w.add(v);
                }
            }
            let se = (w.count() >= 2)
                .then(|| w.sd().map(|s| s / (w.count() as f64).sqrt()))
                .flatten();
            (est, se)
        };
        let distribution = |pick: &dyn Fn(&Histograms) -> &Histogram,
                            mean: f64,
                            mean_se: Option<f64>,
                            sd: Option<f64>|
         -> Option<Distribution> {
            let h = pick(pooled);
            if h.is_empty() {
                return None;
            }
            let (p50, p50_se) = pct(pick, 0.50);
            let (p70, p70_se) = pct(pick, 0.70);
            let (p85, p85_se) = pct(pick, 0.85);
            let (p95, p95_se) = pct(pick, 0.95);
            let (p99, p99_se) = pct(pick, 0.99);
            Some(Distribution {
                count: h.count(),
                mean,
                mean_se,
                sd,
                p50,
                p50_se,
                p70,
                p70_se,
                p85,
                p85_se,
                p95,
                p95_se,
                p99,
                p99_se,
                min: h.min().unwrap_or(f64::NAN),
                max: h.max().unwrap_or(f64::NAN),
            })
        };

        let n = self.items as f64;
        // Pooled standard deviation over all measured items.
        let pooled_sd = |sum: f64, sq: f64| {
            (self.items > 1).then(|| {
                let mean = sum / n;
                ((sq - n * mean * mean).max(0.0) / (n - 1.0)).sqrt()
            })
        };
        let lead_sd = pooled_sd(self.lead_sum, self.lead_sq);
        let cycle_sd = pooled_sd(self.cycle_sum, self.cycle_sq);
        let lead_time = self
            .lead
            .estimate()
            .and_then(|m| distribution(&|h| &h.lead, m, self.lead.se(), lead_sd));
        let cycle_time = self
            .cycle
            .estimate()
            .and_then(|m| distribution(&|h| h.cycle_times(), m, self.cycle.se(), cycle_sd));
        let makespan = self.makespan.mean().and_then(|m| {
            distribution(&|h| &h.makespan, m, self.makespan.se(), self.makespan.sd())
        });
        let flow_efficiency = match (
            self.efficiency_sums.estimate(),
            self.efficiency_mean.estimate(),
        ) {
            (Some(ros), Some(mor)) => Some(FlowEfficiency {
                ratio_of_sums: ros,
                ratio_of_sums_se: self.efficiency_sums.se(),
                mean_of_ratios: mor,
                mean_of_ratios_se: self.efficiency_mean.se(),
                p15: pooled.efficiency.quantile(0.15).unwrap_or(f64::NAN),
                p50: pooled.efficiency.quantile(0.50).unwrap_or(f64::NAN),
                p85: pooled.efficiency.quantile(0.85).unwrap_or(f64::NAN),
            }),
            _ => None,
        };
        let wip = self.wip.estimate().map(|mean| Wip {
            mean,
            se: self.wip.se(),
            in_progress: self.in_progress.estimate().unwrap_or(0.0),
            in_progress_se: self.in_progress.se(),
            backlog: self.backlog.estimate().unwrap_or(0.0),
        });

        let mut stages: Vec<StageSummary> = Vec::new();
        for (s, st) in sc.stages.iter().enumerate() {
            let acc = &self.stages[s];
            let team = team_index(sc, s);
            let busy_share = acc.busy.estimate();
            let utilization = match team {
                Some(t) => self.teams[t].estimate(),
                None => busy_share,
            };
            let utilization_se = match team {
                Some(t) => self.teams[t].se(),
                None => acc.busy.se(),
            };
            let percentiles = |pick: &dyn Fn(&Histograms) -> &Histogram| {
                let (p50, p50_se) = pct(pick, 0.50);
                let (p85, p85_se) = pct(pick, 0.85);
                let (p95, p95_se) = pct(pick, 0.95);
                Percentiles {
                    p50,
                    p50_se,
                    p85,
                    p85_se,
                    p95,
                    p95_se,
                }
            };
            let est = |r: &Ratio| r.estimate().unwrap_or(f64::NAN);
            stages.push(StageSummary {
                name: st.name.clone(),
                kind: match st.kind {
                    StageKind::Work(_) => "work",
                    StageKind::Delay => "delay",
                    StageKind::Cadence { .. } => "cadence",
                }
                .to_string(),
                workers: match st.kind {
                    StageKind::Work(crate::scenario::Capacity::Workers(c)) => Some(c),
                    _ => None,
                },
                team: sc.team_of(s).map(|t| t.name.clone()),
                wip_limit: st.wip_limit,
                utilization,
                utilization_se,
                busy_share,
                offered_load: traffic.stages[s].offered_load,
                mean_wait: est(&acc.wait),
                mean_wait_se: acc.wait.se(),
                wait: percentiles(&|h| &h.stage_wait[s]),
                time_in_stage: percentiles(&|h| &h.stage_time[s]),
                wait_breakdown: WaitBreakdown {
                    queue: est(&acc.queue),
                    blocked: est(&acc.blocked),
                    blocker: est(&acc.blocker),
                    cadence: est(&acc.cadence),
                    delay: est(&acc.delay),
                },
                mean_work: est(&acc.work),
                mean_work_se: acc.work.se(),
                mean_queue: est(&acc.queue_len),
                mean_in_stage: est(&acc.in_stage),
                visits_per_item: est(&acc.visits),
            });
        }

        let teams = sc
            .teams
            .iter()
            .enumerate()
            .map(|(i, t)| TeamSummary {
                name: t.name.clone(),
                people: t.people,
                stages: (0..sc.stages.len())
                    .filter(|&s| team_index(sc, s) == Some(i))
                    .map(|s| sc.stages[s].name.clone())
                    .collect(),
                utilization: self.teams[i].estimate().unwrap_or(f64::NAN),
                utilization_se: self.teams[i].se(),
                offered_load: traffic.teams[i],
            })
            .collect();

        let work_types = sc
            .work_types
            .iter()
            .enumerate()
            .map(|(i, wt)| {
                let acc = &self.types[i];
                let h = pooled.type_lead(i);
                TypeSummary {
                    name: wt.name.clone(),
                    share: wt.share,
                    priority: wt.priority,
                    items: acc.items,
                    lead_time: acc.lead.estimate().map(|mean| TypeLeadTime {
                        mean,
                        mean_se: acc.lead.se(),
                        p50: h.quantile(0.5).unwrap_or(f64::NAN),
                        p85: h.quantile(0.85).unwrap_or(f64::NAN),
                        p95: h.quantile(0.95).unwrap_or(f64::NAN),
                    }),
                    mean_wait: acc.wait.estimate(),
                }
            })
            .collect();

        let (bottleneck, bottleneck_reason) = bottleneck(sc, &stages);
        let mut warnings = traffic.warnings.clone();
        if self.items == 0 {
            warnings.push(
                "no item was measured: no item past the warm-up finished before the horizon".into(),
            );
        }

        Summary {
            flowsim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: sc.name.clone(),
            description: sc.description.clone(),
            runs,
            seed,
            time_unit: sc.time_unit,
            stop_rule: match sc.simulation.stop {
                StopRule::Items(n) => StopRuleSummary {
                    items: Some(n),
                    horizon: None,
                },
                StopRule::Horizon(h) => StopRuleSummary {
                    items: None,
                    horizon: Some(h),
                },
            },
            items_per_run: sc.items_per_run(),
            arrival_rate: sc.arrivals.rate(),
            warmup_items: sc.simulation.warmup_items,
            measured_items: self.items,
            window: Estimate {
                mean: self.window.mean().unwrap_or(f64::NAN),
                se: self.window.se(),
            },
            lead_time,
            cycle_time,
            backlog_wait: Estimate::of_ratio(&self.backlog_wait),
            flow_efficiency,
            throughput: Estimate::of_ratio(&self.throughput),
            wip,
            makespan,
            unfinished_at_end: self.unfinished.mean().map(|mean| Estimate {
                mean,
                se: self.unfinished.se(),
            }),
            stages,
            teams,
            work_types,
            bottleneck,
            bottleneck_reason,
            warnings,
            events: self.events,
        }
    }
}

fn team_index(sc: &Scenario, stage: usize) -> Option<usize> {
    match sc.stages[stage].kind {
        StageKind::Work(crate::scenario::Capacity::Team(t)) => Some(t),
        _ => None,
    }
}

/// The capacity-limited stage whose people are the most utilized (for a team's stages, the team's
/// utilization; among them, the stage where items wait longest), and why, in words.
fn bottleneck(sc: &Scenario, stages: &[StageSummary]) -> (Option<String>, Option<String>) {
    let best = stages
        .iter()
        .filter(|s| s.utilization.is_some_and(f64::is_finite))
        .max_by(|a, b| {
            let ua = a.utilization.unwrap_or(0.0);
            let ub = b.utilization.unwrap_or(0.0);
            ua.total_cmp(&ub)
                .then(a.mean_wait.total_cmp(&b.mean_wait))
                // Earlier stage wins a complete tie.
                .then(std::cmp::Ordering::Greater)
        });
    let Some(b) = best else {
        return (None, None);
    };
    let u = b.utilization.unwrap_or(0.0) * 100.0;
    let who = match &b.team {
        Some(t) => format!("the \"{t}\" team that works on it is"),
        None => "its people are".to_string(),
    };
    let mut reason =
        format!("{who} {u:.1}% utilized, the highest of any stage with limited capacity");
    if b.mean_wait.is_finite() {
        reason += &format!(
            "; items wait {:.2} {} there on average",
            b.mean_wait,
            sc.time_unit.plural()
        );
    }
    (Some(b.name.clone()), Some(reason))
}
