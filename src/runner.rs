//! Monte Carlo: runs the replications of a scenario in parallel with rayon and folds them into a
//! summary that is bit-identical whatever the number of threads.
//!
//! Replication r uses the random streams keyed by (seed, r), so it gives the same result wherever
//! and whenever it runs. Replications are processed in chunks; each chunk runs in parallel, and its
//! per-replication totals are folded in replication order. Histogram counts are integers, recorded
//! into batch `r mod BATCHES` under a lock; integer sums do not depend on order. Memory is bounded by
//! the chunk size and the histograms, not by the number of replications.
//!
//! [`simulate`] is [`replicate`] (a range of replications, totals handed on in order) feeding a
//! [`Fold`]; a sharded run (`crate::shard`) runs part of the range in each process and its merge
//! feeds the saved totals to the same [`Fold`], so both give the same bits.

use crate::engine::{self, EngineError, Model, Workspace};
use crate::metrics::charts::{ChartData, ChartPlan, PlanSpec, Trace, Tracer};
use crate::metrics::events::EventLog;
use crate::metrics::{Accumulator, Collector, Histograms, RepTotals, Summary};
use crate::numbers::thousands;
use crate::scenario::traffic::{self, Traffic};
use crate::scenario::{Scenario, StopRule};
use rayon::prelude::*;
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Replications are split into this many batches for the standard errors of percentiles (batch
/// means). 20 batches give a standard error estimate with 19 degrees of freedom.
pub const BATCHES: usize = 20;

/// Replications handed to the thread pool at a time: one task per batch, about 200
/// replications each, so that setting a task up (its collector, its batch's histograms back
/// into the cache) is paid rarely (3% of B1's time at 1,024).
const CHUNK: u64 = 4096;

/// Overrides of the scenario's `[simulation]` settings.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    pub runs: Option<u32>,
    pub seed: Option<u64>,
}

/// What a Monte Carlo run produces: the summary, and the histograms pooled over all replications
/// (for percentile tables and charts).
#[derive(Debug, Clone)]
pub struct RunResult {
    pub summary: Summary,
    pub histograms: Histograms,
    /// One summary per batch of replications (replication r in batch r mod [`BATCHES`]; fewer
    /// batches when there are fewer runs). Two runs of the same seed and runs have the same
    /// replications in each batch, so their batches pair up for confidence intervals of
    /// differences (`metrics::compare`).
    pub batches: Vec<Summary>,
}

impl RunOptions {
    /// The number of replications and the seed: these options where given, else the scenario's.
    pub fn resolve(&self, scenario: &Scenario) -> (u32, u64) {
        (
            self.runs.unwrap_or(scenario.simulation.runs),
            self.seed.unwrap_or(scenario.simulation.seed),
        )
    }
}

/// Runs all replications of a scenario and summarises them. `progress` is called (from any thread)
/// with the number of replications done so far.
pub fn simulate(
    scenario: &Scenario,
    options: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunResult, EngineError> {
    let (runs, seed) = options.resolve(scenario);
    let mut fold = Fold::new(scenario, runs, seed);
    let batches = replicate(scenario, seed, 0..u64::from(runs), progress, &mut |t| {
        fold.add(&t);
    })?;
    fold.add_histograms(&batches);
    Ok(fold.finish())
}

/// Runs replications `reps` of a run with `seed` (a whole run is `0..runs`; a shard runs a part)
/// and hands each one's totals to `each`, in replication order. Returns the histograms of the
/// [`BATCHES`] batches, replication r recorded in batch `r mod BATCHES`. `progress` is called (from
/// any thread) with the number of these replications done so far.
pub fn replicate(
    scenario: &Scenario,
    seed: u64,
    reps: Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
    each: &mut dyn FnMut(RepTotals),
) -> Result<Vec<Histograms>, EngineError> {
    let model = Model::new(scenario);
    let n_stages = scenario.stages.len();
    let n_types = scenario.work_types.len();
    let warmup = scenario.simulation.warmup_items;
    let batches: Vec<Mutex<Histograms>> = (0..BATCHES)
        .map(|_| Mutex::new(Histograms::new(n_stages, n_types)))
        .collect();
    let done = AtomicU64::new(0);
    let items_rule = matches!(scenario.simulation.stop, StopRule::Items(_));

    let mut start = reps.start;
    while start < reps.end {
        let end = (start + CHUNK).min(reps.end);
        // One task per batch, running that batch's replications of the chunk in order and
        // recording them into the batch's histograms, which therefore stay in the cache from one
        // replication to the next (the histograms of 20 batches do not fit in it together).
        let per_batch: Vec<Vec<(u64, Result<RepTotals, EngineError>)>> = (0..BATCHES as u64)
            .into_par_iter()
            .map_init(Workspace::default, |ws, b| {
                let first = start + (b + BATCHES as u64 - start % BATCHES as u64) % BATCHES as u64;
                let mut hist = batches[b as usize]
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                let mut col = Collector::new(n_stages, n_types, warmup, &mut hist);
                (first..end)
                    .step_by(BATCHES)
                    .map(|rep| {
                        col.begin();
                        let t = engine::run(&model, seed, rep, ws, &mut col).map(|stats| {
                            let makespan = items_rule.then_some(stats.end);
                            col.finish(stats, makespan)
                        });
                        progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                        (rep, t)
                    })
                    .collect()
            })
            .collect();
        let mut totals: Vec<(u64, Result<RepTotals, EngineError>)> =
            per_batch.into_iter().flatten().collect();
        totals.sort_by_key(|(rep, _)| *rep);
        for (_, t) in totals {
            each(t?);
        }
        start = end;
    }
    Ok(batches
        .into_iter()
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect())
}

/// A Monte Carlo run gathered so far: replication totals folded in replication order (floating-point
/// sums depend on the order) and batch histograms merged (integer counts, any order). A whole run
/// and a merge of shards both go through it, so they give the same bits.
#[derive(Debug, Clone)]
pub struct Fold {
    acc: Accumulator,
    /// One per batch (replication r in batch r mod [`BATCHES`]; fewer when there are fewer runs).
    batch_acc: Vec<Accumulator>,
    batches: Vec<Histograms>,
    traffic: Traffic,
    /// Stages and work types.
    sizes: (usize, usize),
    added: u64,
    runs: u32,
    seed: u64,
}

impl Fold {
    /// An empty fold for a run of `runs` replications with `seed`.
    pub fn new(scenario: &Scenario, runs: u32, seed: u64) -> Fold {
        let acc = Accumulator::new(scenario);
        let sizes = (scenario.stages.len(), scenario.work_types.len());
        Fold {
            batch_acc: vec![acc.clone(); BATCHES.min(runs as usize)],
            acc,
            batches: vec![Histograms::new(sizes.0, sizes.1); BATCHES],
            traffic: traffic::analyse(scenario),
            sizes,
            added: 0,
            runs,
            seed,
        }
    }

    /// Adds the next replication's totals: replication 0 first, then 1, 2, ...
    pub fn add(&mut self, t: &RepTotals) {
        self.acc.add(t);
        self.batch_acc[(self.added % BATCHES as u64) as usize].add(t);
        self.added += 1;
    }

    /// Replications added so far (the number of the next one).
    pub fn added(&self) -> u64 {
        self.added
    }

    /// Adds histograms of the [`BATCHES`] batches (as [`replicate`] returns them), batch by batch.
    pub fn add_histograms(&mut self, batches: &[Histograms]) {
        for (mine, theirs) in self.batches.iter_mut().zip(batches) {
            mine.merge(theirs);
        }
    }

    /// The summary, the pooled histograms and the per-batch summaries.
    pub fn finish(self) -> RunResult {
        let (runs, seed, traffic) = (self.runs, self.seed, &self.traffic);
        let mut histograms = Histograms::new(self.sizes.0, self.sizes.1);
        for b in &self.batches {
            histograms.merge(b);
        }
        let summary = self
            .acc
            .finish(&self.batches, &histograms, traffic, runs, seed);
        let per_batch = self
            .batch_acc
            .iter()
            .zip(&self.batches)
            .map(|(a, h)| a.finish(std::slice::from_ref(h), h, traffic, runs, seed))
            .collect();
        RunResult {
            summary,
            histograms,
            batches: per_batch,
        }
    }
}

/// Replications traced over time for the charts' bands (the first ones, so the same whatever
/// `runs` is beyond this).
pub const TRACED_REPLICATIONS: u32 = 200;

/// Sample times of the charts over time.
const CHART_SAMPLES: usize = 300;

/// Works out the charts' data after a run: re-runs the first replications (at most
/// [`TRACED_REPLICATIONS`]; each is a pure function of its index, so they are the very
/// replications of the run) with a tracer, and the representative one in detail: for an `items`
/// run, the replication whose makespan is nearest the median makespan; for a `horizon` run, the
/// one whose count of items done is nearest the median count among those traced.
pub fn chart_data(scenario: &Scenario, result: &RunResult) -> Result<ChartData, EngineError> {
    let summary = &result.summary;
    let runs = summary.runs;
    let seed = summary.seed;
    let model = Model::new(scenario);
    let n = scenario.stages.len();
    let throughput = summary.throughput.map_or(0.0, |t| t.mean);
    let (extent, items_done) = match scenario.simulation.stop {
        StopRule::Items(items) => (
            summary
                .makespan
                .as_ref()
                .map_or(1.0, |m| if m.p99.is_finite() { m.p99 } else { m.max }),
            f64::from(items),
        ),
        StopRule::Horizon(h) => (h, throughput * h),
    };
    let plan = ChartPlan::new(PlanSpec {
        extent,
        samples: CHART_SAMPLES,
        stages: n,
        time_unit: scenario.time_unit,
        items_done,
        throughput,
        warmup: u64::from(scenario.simulation.warmup_items),
    });
    let traced = runs.min(TRACED_REPLICATIONS);
    let trace = |rep: u64, detail: bool, ws: &mut Workspace| -> Result<Trace, EngineError> {
        let mut tracer = Tracer::new(&plan, detail);
        let stats = engine::run(&model, seed, rep, ws, &mut tracer)?;
        Ok(tracer.finish(stats.end))
    };
    let traces: Vec<Trace> = (0..u64::from(traced))
        .into_par_iter()
        .map_init(Workspace::default, |ws, rep| trace(rep, false, ws))
        .collect::<Result<_, _>>()?;

    let unit = scenario.time_unit.plural();
    let (rep, chosen) = match (scenario.simulation.stop, &summary.makespan) {
        (StopRule::Items(_), Some(m)) => {
            let target = m.p50;
            let rep = nearest(traces.iter().map(|t| t.end), target);
            let chosen = format!(
                "Replication {} of {}: its last item was done after {:.1} {unit}, the nearest to the median of all replications ({:.1} {unit})",
                rep + 1,
                thousands(u64::from(runs)),
                traces[rep].end,
                target
            );
            (rep, chosen)
        }
        _ => {
            let done: Vec<f64> = traces
                .iter()
                .map(|t| f64::from(t.done.last().copied().unwrap_or(0)))
                .collect();
            let mut sorted = done.clone();
            sorted.sort_by(f64::total_cmp);
            let median = sorted[sorted.len() / 2];
            let rep = nearest(done.iter().copied(), median);
            let chosen = format!(
                "Replication {} of {}: {} items done by the end, the median of the first {traced} replications",
                rep + 1,
                thousands(u64::from(runs)),
                done[rep]
            );
            (rep, chosen)
        }
    };
    let detailed = trace(rep as u64, true, &mut Workspace::default())?;
    Ok(ChartData::build(
        scenario,
        &plan,
        result.histograms.lead.clone(),
        result.histograms.efficiency.clone(),
        &traces,
        (rep as u64, chosen, detailed),
    ))
}

/// The history of replication 0 of `seed`, item by item (for `flowsim run --events`). Each
/// replication is a pure function of (scenario, seed, index), so this is the very first
/// replication of a run with this seed: pass the seed its summary reports.
pub fn event_log(scenario: &Scenario, seed: u64) -> Result<EventLog, EngineError> {
    let model = Model::new(scenario);
    let mut log = EventLog::new(scenario);
    engine::run(&model, seed, 0, &mut Workspace::default(), &mut log)?;
    Ok(log)
}

/// Index of the value nearest `target` (the first one on a tie).
fn nearest(values: impl Iterator<Item = f64>, target: f64) -> usize {
    values
        .enumerate()
        .fold((0, f64::INFINITY), |(best, dist), (i, v)| {
            let d = (v - target).abs();
            if d < dist { (i, d) } else { (best, dist) }
        })
        .0
}
