//! What-if analysis: what would change if the stream changed. Runs several scenarios with
//! common random numbers (the same seed and replications, so differences come from the change,
//! not from luck) and compares them with the baseline.
//!
//! - [`compare`]: the baseline against variants or other scenario files;
//! - [`sweep`]: one or two parameters over a range of values;
//! - [`advise`]: a standard set of single changes, ranked by their effect on P85 lead time.

pub mod advise;
pub mod compare;
pub mod sweep;

use crate::engine::EngineError;
use crate::runner::{self, RunOptions, RunResult};
use crate::scenario::Scenario;
use std::sync::atomic::{AtomicU64, Ordering};

/// A scenario to run in a comparison, and how to call it.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Short name shown in tables and charts ("baseline", "second reviewer", "workers = 3").
    pub label: String,
    pub scenario: Scenario,
}

/// Runs every scenario with the same runs and seed (common random numbers), one after the
/// other, each using all threads. `progress` gets the replications done over all scenarios.
pub fn run_all(
    candidates: &[Candidate],
    options: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<RunResult>, EngineError> {
    let before = AtomicU64::new(0);
    let mut out = Vec::with_capacity(candidates.len());
    for c in candidates {
        let base = before.load(Ordering::Relaxed);
        let result = runner::simulate(&c.scenario, options, &|done| progress(base + done))?;
        before.fetch_add(u64::from(result.summary.runs), Ordering::Relaxed);
        out.push(result);
    }
    Ok(out)
}

/// The runs and seed a comparison uses: the options given, else the baseline's.
pub fn common_options(baseline: &Scenario, options: RunOptions) -> RunOptions {
    RunOptions {
        runs: Some(options.runs.unwrap_or(baseline.simulation.runs)),
        seed: Some(options.seed.unwrap_or(baseline.simulation.seed)),
    }
}
