//! Monte Carlo: runs the replications of a scenario in parallel with rayon and folds them into a
//! summary that is bit-identical whatever the number of threads.
//!
//! Replication r uses the random streams keyed by (seed, r), so it gives the same result wherever
//! and whenever it runs. Replications are processed in chunks; each chunk runs in parallel, and its
//! per-replication totals are folded in replication order. Histogram counts are integers, recorded
//! into batch `r mod BATCHES` under a lock; integer sums do not depend on order. Memory is bounded by
//! the chunk size and the histograms, not by the number of replications.

use crate::engine::{self, EngineError, Model, Workspace};
use crate::metrics::{Accumulator, Collector, Histograms, Summary};
use crate::scenario::{Scenario, StopRule, traffic};
use rayon::prelude::*;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Replications are split into this many batches for the standard errors of percentiles (batch
/// means). 20 batches give a standard error estimate with 19 degrees of freedom.
pub const BATCHES: usize = 20;

/// Replications handed to the thread pool at a time.
const CHUNK: u64 = 1024;

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
}

/// Runs all replications of a scenario and summarises them. `progress` is called (from any thread)
/// with the number of replications done so far.
pub fn simulate(
    scenario: &Scenario,
    options: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RunResult, EngineError> {
    let runs = options.runs.unwrap_or(scenario.simulation.runs);
    let seed = options.seed.unwrap_or(scenario.simulation.seed);
    let model = Model::new(scenario);
    let n_stages = scenario.stages.len();
    let n_types = scenario.work_types.len();
    let warmup = scenario.simulation.warmup_items;
    let batches: Vec<Mutex<Histograms>> = (0..BATCHES)
        .map(|_| Mutex::new(Histograms::new(n_stages, n_types)))
        .collect();
    let mut acc = Accumulator::new(scenario);
    let done = AtomicU64::new(0);
    let items_rule = matches!(scenario.simulation.stop, StopRule::Items(_));

    let mut start = 0u64;
    while start < u64::from(runs) {
        let end = (start + CHUNK).min(u64::from(runs));
        let totals: Vec<_> = (start..end)
            .into_par_iter()
            .map_init(
                || {
                    (
                        Workspace::default(),
                        Collector::new(n_stages, n_types, warmup),
                    )
                },
                |(ws, col), rep| {
                    col.begin();
                    let stats = engine::run(&model, seed, rep, ws, col)?;
                    let makespan = items_rule.then_some(stats.end);
                    let mut hist = batches[rep as usize % BATCHES]
                        .lock()
                        .unwrap_or_else(|e| e.into_inner());
                    let t = col.finish(stats, makespan, &mut hist);
                    drop(hist);
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                    Ok(t)
                },
            )
            .collect();
        for t in totals {
            acc.add(&t?);
        }
        start = end;
    }

    let batches: Vec<Histograms> = batches
        .into_iter()
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect();
    let mut histograms = Histograms::new(n_stages, n_types);
    for b in &batches {
        histograms.merge(b);
    }
    let summary = acc.finish(
        &batches,
        &histograms,
        &traffic::analyse(scenario),
        runs,
        seed,
    );
    Ok(RunResult {
        summary,
        histograms,
    })
}
