//! What the charts show beyond the summary: how the stream evolves over time, across replications
//! (mean and P10-P90 bands) and in one representative replication (cumulative flow, cycle-time
//! scatter, throughput, aging work in progress). Everything here has a bounded size whatever the
//! number of runs or items, so it is saved next to the summary (`charts.json`) and charts can be
//! redrawn from it later without simulating.
//!
//! A [`Tracer`] observes one replication, sampling the stream at the times of a [`ChartPlan`];
//! [`ChartData::build`] turns the traces of several replications into bands and keeps the
//! representative one. The runner decides which replications to trace (`runner::chart_data`).

use super::histogram::Histogram;
use crate::engine::{ItemRecord, Observer, StreamState, UnfinishedItem};
use crate::scenario::TimeUnit;
use serde::{Deserialize, Serialize};

/// Most points kept for a scatter plot or an aging chart (more items are thinned evenly).
pub const MAX_POINTS: usize = 5000;

/// Most throughput periods on a run chart.
const MAX_PERIODS: f64 = 60.0;

/// When to look at a replication: sample `times` for the state of the stream, and periods of
/// equal length for counting items done.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartPlan {
    pub times: Vec<f64>,
    /// Length of one throughput period, in the scenario's time unit.
    pub period: f64,
    pub periods: usize,
    pub stages: usize,
    /// Keep every `thin`-th measured item done for the scatter plot.
    pub thin: u64,
    /// Items with an arrival index below this are warm-up items, left out of the scatter plot.
    pub warmup: u64,
}

/// What a chart plan is made from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanSpec {
    /// The charts cover `[0, extent]`.
    pub extent: f64,
    /// Sample times: `samples + 1`, evenly spaced.
    pub samples: usize,
    pub stages: usize,
    pub time_unit: TimeUnit,
    /// Items done in one replication, and per time unit (for the throughput periods).
    pub items_done: f64,
    pub throughput: f64,
    pub warmup: u64,
}

/// Fewest items done per throughput period that a run chart should show on average.
const ITEMS_PER_PERIOD: f64 = 4.0;

impl ChartPlan {
    /// A plan covering `[0, extent]`. The throughput period is the shortest round length (1, 2, 5
    /// times a power of ten, or a calendar length of the time unit: 7, 14, 28 days; 8, 24, 40, 168
    /// hours; 4, 13, 26, 52 weeks) that gives at most 60 periods and, when possible, at least 4
    /// items done per period on average.
    pub fn new(spec: PlanSpec) -> ChartPlan {
        let extent = if spec.extent.is_finite() && spec.extent > 0.0 {
            spec.extent
        } else {
            1.0
        };
        let samples = spec.samples.max(1);
        let times = (0..=samples)
            .map(|i| extent * i as f64 / samples as f64)
            .collect();
        let calendar: &[f64] = match spec.time_unit {
            TimeUnit::Days => &[7.0, 14.0, 28.0],
            TimeUnit::Hours => &[8.0, 24.0, 40.0, 168.0],
            TimeUnit::Weeks => &[4.0, 13.0, 26.0, 52.0],
        };
        let mut candidates: Vec<f64> = (-4..=10)
            .flat_map(|e| [1.0, 2.0, 5.0].map(|b| b * 10f64.powi(e)))
            .chain(calendar.iter().copied())
            .collect();
        candidates.sort_by(f64::total_cmp);
        let fits = |p: f64| extent / p <= MAX_PERIODS;
        let busy = |p: f64| {
            spec.throughput.is_nan()
                || spec.throughput <= 0.0
                || spec.throughput * p >= ITEMS_PER_PERIOD
        };
        let period = candidates
            .iter()
            .copied()
            .find(|&p| fits(p) && busy(p) && p <= extent)
            .or_else(|| candidates.iter().copied().find(|&p| fits(p)))
            .unwrap_or(extent / MAX_PERIODS);
        let periods = ((extent / period).ceil() as usize).max(1);
        let thin = ((spec.items_done / MAX_POINTS as f64).ceil() as u64).max(1);
        ChartPlan {
            times,
            period,
            periods,
            stages: spec.stages,
            thin,
            warmup: spec.warmup,
        }
    }
}

/// One item done, for the cycle-time scatter plot.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DonePoint {
    pub done: f64,
    pub lead_time: f64,
    pub work_type: usize,
}

/// An item still in the stream at the end of a `horizon` run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AgingPoint {
    /// The stage it is at; `None` while in the backlog.
    pub stage: Option<usize>,
    /// Time since it entered that stage (since it arrived, in the backlog).
    pub age_in_stage: f64,
    /// Time since it arrived.
    pub age: f64,
    pub work_type: usize,
}

/// What a [`Tracer`] saw in one replication.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// Per sample time: items in the stream; per stage (`[sample * stages + stage]`) items at the
    /// stage and items queued there.
    pub in_system: Vec<u32>,
    pub in_stage: Vec<u32>,
    pub queue: Vec<u32>,
    /// Per sample time, cumulative: items arrived, items that entered each stage at least once
    /// (`[sample * stages + stage]`), items done. The cumulative flow diagram.
    pub arrived: Vec<u32>,
    pub entered: Vec<u32>,
    pub done: Vec<u32>,
    /// Items done per throughput period.
    pub finished: Vec<u32>,
    /// Every `thin`-th measured item done, in completion order.
    pub points: Vec<DonePoint>,
    pub aging: Vec<AgingPoint>,
    /// Time the last item was done (`items` runs) or the horizon.
    pub end: f64,
}

/// Observes one replication for the charts.
#[derive(Debug, Clone)]
pub struct Tracer<'p> {
    plan: &'p ChartPlan,
    /// Whether to keep items for the scatter and aging charts (only the representative).
    detail: bool,
    entered: Vec<u32>,
    done: u32,
    /// Measured items done (past the warm-up).
    measured: u64,
    trace: Trace,
}

impl<'p> Tracer<'p> {
    /// A tracer for the bands (`detail = false`) or for the representative replication.
    pub fn new(plan: &'p ChartPlan, detail: bool) -> Tracer<'p> {
        let k = plan.times.len();
        let n = plan.stages;
        Tracer {
            plan,
            detail,
            entered: vec![0; n],
            done: 0,
            measured: 0,
            trace: Trace {
                in_system: Vec::with_capacity(k),
                in_stage: Vec::with_capacity(k * n),
                queue: Vec::with_capacity(k * n),
                arrived: Vec::with_capacity(k),
                entered: Vec::with_capacity(k * n),
                done: Vec::with_capacity(k),
                finished: vec![0; plan.periods],
                points: Vec::new(),
                aging: Vec::new(),
                end: 0.0,
            },
        }
    }

    /// Ends the replication at `end`. Sample times after the end of an `items` run see the
    /// stream empty: everything has arrived and is done.
    pub fn finish(mut self, end: f64) -> Trace {
        let n = self.plan.stages;
        while self.trace.in_system.len() < self.plan.times.len() {
            self.trace.in_system.push(0);
            self.trace.in_stage.extend(std::iter::repeat_n(0, n));
            self.trace.queue.extend(std::iter::repeat_n(0, n));
            self.trace.arrived.push(self.done);
            self.trace.entered.extend_from_slice(&self.entered);
            self.trace.done.push(self.done);
        }
        self.trace.end = end;
        self.trace
    }
}

impl Observer for Tracer<'_> {
    fn item_done(&mut self, item: &ItemRecord<'_>) {
        let p = (item.done / self.plan.period) as usize;
        if let Some(f) = self.trace.finished.get_mut(p) {
            *f += 1;
        }
        if item.index >= self.plan.warmup {
            if self.detail && self.measured % self.plan.thin == 0 {
                self.trace.points.push(DonePoint {
                    done: item.done,
                    lead_time: item.lead_time(),
                    work_type: item.work_type,
                });
            }
            self.measured += 1;
        }
        self.done += 1;
    }

    fn item_unfinished(&mut self, item: &UnfinishedItem<'_>) {
        if self.detail && self.trace.aging.len() < MAX_POINTS {
            self.trace.aging.push(AgingPoint {
                stage: item.stage,
                age_in_stage: item.at - item.stage_since,
                age: item.at - item.arrival,
                work_type: item.work_type,
            });
        }
    }

    fn stage_entered(&mut self, _index: u64, stage: usize, visit: u32, _time: f64) {
        if visit == 1 {
            self.entered[stage] += 1;
        }
    }

    fn next_sample(&self) -> f64 {
        self.plan
            .times
            .get(self.trace.in_system.len())
            .copied()
            .unwrap_or(f64::INFINITY)
    }

    fn sample(&mut self, _time: f64, state: &StreamState<'_>) {
        let t = &mut self.trace;
        t.in_system.push(state.in_system());
        for s in 0..self.plan.stages {
            t.in_stage.push(state.in_stage(s));
            t.queue.push(state.queue(s));
        }
        t.arrived.push(self.done + state.in_system());
        t.entered.extend_from_slice(&self.entered);
        t.done.push(self.done);
    }
}

/// A quantity over time across replications: mean, 10th and 90th percentile at each time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub mean: Vec<f64>,
    pub p10: Vec<f64>,
    pub p90: Vec<f64>,
}

impl Band {
    /// `values[rep][k]`: replication `rep`'s value at time (or period) `k`.
    fn across(values: &[Vec<u32>]) -> Band {
        let k = values.first().map_or(0, Vec::len);
        let mut band = Band {
            mean: Vec::with_capacity(k),
            p10: Vec::with_capacity(k),
            p90: Vec::with_capacity(k),
        };
        let mut column: Vec<u32> = Vec::with_capacity(values.len());
        for i in 0..k {
            column.clear();
            column.extend(values.iter().map(|v| v[i]));
            column.sort_unstable();
            let sum: u64 = column.iter().map(|&x| u64::from(x)).sum();
            band.mean.push(sum as f64 / column.len() as f64);
            band.p10.push(quantile_sorted(&column, 0.1));
            band.p90.push(quantile_sorted(&column, 0.9));
        }
        band
    }
}

/// Linear interpolation between order statistics (type 7).
fn quantile_sorted(sorted: &[u32], q: f64) -> f64 {
    let h = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    f64::from(sorted[lo]) + (f64::from(sorted[hi]) - f64::from(sorted[lo])) * (h - lo as f64)
}

/// The stream over time at one stage, across replications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageBands {
    pub name: String,
    /// Items at the stage in any state.
    pub in_stage: Band,
    /// Items waiting there for a person (or a release).
    pub queue: Band,
}

/// The representative replication, seen in detail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Representative {
    pub replication: u64,
    /// How it was chosen, in words (shown on the charts).
    pub chosen: String,
    pub end: f64,
    /// Cumulative counts at the sample times: arrived, entered each stage (`entered[stage][k]`),
    /// done.
    pub arrived: Vec<u32>,
    pub entered: Vec<Vec<u32>>,
    pub done: Vec<u32>,
    /// Items done per throughput period.
    pub finished: Vec<u32>,
    /// Measured items done (every `thinned_every`-th, in completion order; warm-up items left
    /// out).
    pub points: Vec<DonePoint>,
    pub thinned_every: u64,
    /// Items still in the stream at the end (`horizon` runs).
    pub aging: Vec<AgingPoint>,
}

/// Everything the charts need beyond `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartData {
    pub scenario: String,
    pub time_unit: TimeUnit,
    pub stages: Vec<String>,
    pub work_types: Vec<String>,
    /// Lead times of all measured items of all replications.
    pub lead_time: Histogram,
    /// Per-item flow efficiency (work / lead time) of all measured items.
    pub flow_efficiency: Histogram,
    /// Sample times of the bands and of the representative's cumulative flow.
    pub times: Vec<f64>,
    /// How many replications the bands are taken from.
    pub band_replications: u32,
    pub in_system: Band,
    pub stage_bands: Vec<StageBands>,
    /// Throughput periods: their length, and items done per period across replications.
    pub period: f64,
    pub throughput: Band,
    pub representative: Representative,
}

impl ChartData {
    /// Builds the chart data from the traces of replications `0..traces.len()` (for the bands)
    /// and the trace of the representative replication.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        scenario: &crate::scenario::Scenario,
        plan: &ChartPlan,
        lead_time: Histogram,
        flow_efficiency: Histogram,
        traces: &[Trace],
        representative: (u64, String, Trace),
    ) -> ChartData {
        let n = plan.stages;
        let column =
            |f: &dyn Fn(&Trace) -> Vec<u32>| -> Vec<Vec<u32>> { traces.iter().map(f).collect() };
        let per_stage = |v: &[u32], s: usize| -> Vec<u32> { v.chunks(n).map(|c| c[s]).collect() };
        let stage_bands = scenario
            .stages
            .iter()
            .enumerate()
            .map(|(s, st)| StageBands {
                name: st.name.clone(),
                in_stage: Band::across(&column(&|t| per_stage(&t.in_stage, s))),
                queue: Band::across(&column(&|t| per_stage(&t.queue, s))),
            })
            .collect();
        let (rep, chosen, r) = representative;
        ChartData {
            scenario: scenario.name.clone(),
            time_unit: scenario.time_unit,
            stages: scenario.stages.iter().map(|s| s.name.clone()).collect(),
            work_types: scenario.work_types.iter().map(|w| w.name.clone()).collect(),
            lead_time,
            flow_efficiency,
            times: plan.times.clone(),
            band_replications: traces.len() as u32,
            in_system: Band::across(&column(&|t| t.in_system.clone())),
            stage_bands,
            period: plan.period,
            throughput: Band::across(&column(&|t| t.finished.clone())),
            representative: Representative {
                replication: rep,
                chosen,
                end: r.end,
                entered: (0..n).map(|s| per_stage(&r.entered, s)).collect(),
                arrived: r.arrived,
                done: r.done,
                finished: r.finished,
                points: r.points,
                thinned_every: plan.thin,
                aging: r.aging,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(extent: f64, unit: TimeUnit, items_done: f64, throughput: f64) -> ChartPlan {
        ChartPlan::new(PlanSpec {
            extent,
            samples: 200,
            stages: 3,
            time_unit: unit,
            items_done,
            throughput,
            warmup: 0,
        })
    }

    #[test]
    fn plans_use_round_periods_and_cover_the_extent() {
        let p = plan(430.0, TimeUnit::Days, 300.0, 0.7);
        assert_eq!(p.period, 10.0);
        assert_eq!(p.periods, 43);
        assert_eq!(p.times.len(), 201);
        assert_eq!(*p.times.last().unwrap(), 430.0);
        assert_eq!(p.thin, 1);
        // A year in days: weeks.
        assert_eq!(plan(365.0, TimeUnit::Days, 365.0, 1.0).period, 7.0);
        // Few items: periods long enough for about 4 each.
        assert_eq!(plan(60.0, TimeUnit::Days, 40.0, 0.6).period, 7.0);
        // A short, busy stream in days: fractions of a day.
        assert_eq!(plan(2.0, TimeUnit::Days, 400.0, 200.0).period, 0.05);
        // Hours: working days; weeks: quarters when needed.
        assert_eq!(plan(400.0, TimeUnit::Hours, 400.0, 1.0).period, 8.0);
        assert_eq!(plan(200.0, TimeUnit::Weeks, 200.0, 1.0).period, 4.0);
        assert_eq!(plan(1e6, TimeUnit::Days, 1e6, 1.0).thin, 200);
    }

    #[test]
    fn bands_are_means_and_percentiles_across_replications() {
        let values: Vec<Vec<u32>> = (0..11).map(|r| vec![r, 2 * r]).collect();
        let b = Band::across(&values);
        assert_eq!(b.mean, vec![5.0, 10.0]);
        assert_eq!(b.p10, vec![1.0, 2.0]);
        assert_eq!(b.p90, vec![9.0, 18.0]);
    }
}
