//! Sharded runs for array-job engines (Slurm job arrays, Kubernetes Indexed Jobs): shard I of N
//! runs its share of a run's replications, a contiguous range, and saves a partial result; a
//! merge of all N gives exactly the summary one unsharded run gives, to the bit.
//!
//! ```text
//!  flowsim run --shard 1/4 ──> partial result: replications   0..250 ─┐
//!  flowsim run --shard 2/4 ──> partial result: replications 250..500 ─┤ flowsim merge: the totals
//!  flowsim run --shard 3/4 ──> partial result: replications 500..750 ─┤ fed to runner::Fold in
//!  flowsim run --shard 4/4 ──> partial result: replications 750..1000 ┘ replication order ──> Summary
//! ```
//!
//! Replication r is a pure function of (scenario, seed, r), so it gives the same totals in any
//! process. Floating-point sums depend on their order, so a shard cannot fold its replications
//! in advance: it saves every replication's totals exactly ([`format`], `totals.bin`) and the
//! histograms of its batches (integer counts, `histograms.json`), and the merge folds the totals
//! shard after shard, in replication order, through the same [`runner::Fold`] as
//! [`runner::simulate`]. The merge holds one replication's totals and one shard's histograms at a
//! time. docs/cluster.md documents the format and the cluster scripts in deploy/.

pub mod format;
mod merge;

pub use format::Partial;
pub use merge::{Merged, merge};

use crate::engine::EngineError;
use crate::metrics::Histograms;
use crate::numbers::thousands;
use crate::runner::{self, RunOptions};
use crate::scenario::Scenario;
use format::{FORMAT, FORMAT_VERSION, Fnv, TotalsWriter};
use std::io::Write;
use std::ops::Range;

/// Why a sharded run or a merge failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShardError {
    /// The directories given are not partial results, or not the shards of one run (bad input).
    #[error("{0}")]
    Input(String),
    /// The simulation, or writing the totals, failed.
    #[error("{0}")]
    Failed(String),
}

impl From<EngineError> for ShardError {
    fn from(e: EngineError) -> ShardError {
        ShardError::Failed(e.to_string())
    }
}

/// Shard `index` of `count`, counted from 1 as on the command line (`--shard 3/16`). Array-job
/// indexes count from 0: task 0 of a Slurm array or index 0 of a Kubernetes Indexed Job is shard 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u32,
    count: u32,
}

/// How `I/N` is written, for messages.
const SPEC_HELP: &str = "give I/N, shard I of N counted from 1 (1/16 is the first of 16, 16/16 the last), or auto to read the shard from a Slurm job array or a Kubernetes Indexed Job";

impl Shard {
    /// Shard `index` of `count`; the error says what is allowed.
    pub fn new(index: u32, count: u32) -> Result<Shard, String> {
        if count == 0 {
            return Err(format!("{index}/0: there must be at least one shard"));
        }
        if index == 0 {
            return Err(format!(
                "0/{count}: shards are counted from 1, so the first of {count} is 1/{count} and the last {count}/{count} (array-job task indexes count from 0: --shard auto adds the 1)"
            ));
        }
        if index > count {
            return Err(format!(
                "{index}/{count}: there are only {count} shards, so I goes from 1 to {count}"
            ));
        }
        Ok(Shard { index, count })
    }

    /// Reads `I/N` (as in `--shard 3/16`).
    pub fn parse(text: &str) -> Result<Shard, String> {
        let number = |s: &str| s.trim().parse::<u32>().ok();
        match text.split_once('/') {
            Some((i, n)) => match (number(i), number(n)) {
                (Some(i), Some(n)) => Shard::new(i, n),
                _ => Err(format!(
                    "\"{text}\" is not I/N with whole numbers: {SPEC_HELP}"
                )),
            },
            None => Err(format!("\"{text}\" is not a shard: {SPEC_HELP}")),
        }
    }

    /// The shard of this process in an array job, from its environment (`var` looks a variable
    /// up; empty counts as unset), and where it came from in words:
    /// - Slurm job arrays: `SLURM_ARRAY_TASK_ID` minus `SLURM_ARRAY_TASK_MIN` (0 when unset) is
    ///   the shard counted from 0; `SLURM_ARRAY_TASK_COUNT` the number of shards. The array must
    ///   be a contiguous range (`--array=0-15`, not `0-15:2` or `1,3,5`).
    /// - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX` is the shard counted from 0;
    ///   `FLOWSIM_SHARD_COUNT` (set it in the manifest to `completions`) the number of shards.
    ///
    /// `FLOWSIM_SHARD_COUNT`, when set with Slurm, must agree with `SLURM_ARRAY_TASK_COUNT`.
    pub fn from_env(var: &dyn Fn(&str) -> Option<String>) -> Result<(Shard, String), String> {
        let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let number = |name: &str| -> Result<Option<u32>, String> {
            get(name)
                .map(|v| {
                    v.trim().parse::<u32>().map_err(|_| {
                        format!("--shard auto: {name}={v} is not a whole number from 0 up")
                    })
                })
                .transpose()
        };
        let slurm = number("SLURM_ARRAY_TASK_ID")?;
        let k8s = number("JOB_COMPLETION_INDEX")?;
        let flowsim_count = number("FLOWSIM_SHARD_COUNT")?;
        let shard = |zero_based: u32, count: u32, from: String| {
            Shard::new(zero_based + 1, count)
                .map(|s| (s, from.clone()))
                .map_err(|_| {
                    format!(
                        "--shard auto: {from} gives task {zero_based} (counted from 0), but there are only {count} tasks, 0 to {}",
                        count.saturating_sub(1)
                    )
                })
        };
        match (slurm, k8s) {
            (Some(id), Some(index)) => Err(format!(
                "--shard auto: both SLURM_ARRAY_TASK_ID={id} (a Slurm job array) and JOB_COMPLETION_INDEX={index} (a Kubernetes Indexed Job) are set, so which one numbers this shard is unclear: unset one, or give --shard I/N"
            )),
            (None, None) => Err(format!(
                "--shard auto: this is not a job-array task: neither SLURM_ARRAY_TASK_ID (Slurm job arrays, with SLURM_ARRAY_TASK_COUNT) nor JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs, with FLOWSIM_SHARD_COUNT) is set{}. Outside an array job give --shard I/N",
                if flowsim_count.is_some() {
                    " (FLOWSIM_SHARD_COUNT is, but it only gives the number of shards)"
                } else {
                    ""
                }
            )),
            (Some(id), None) => {
                let count = number("SLURM_ARRAY_TASK_COUNT")?.ok_or(
                    "--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not, so the number of shards is unknown (Slurm sets both in a job array submitted with --array)",
                )?;
                let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
                if let Some(max) = number("SLURM_ARRAY_TASK_MAX")?
                    && (max < min || u64::from(max - min) + 1 != u64::from(count))
                {
                    return Err(format!(
                        "--shard auto: the Slurm array is not one contiguous range: SLURM_ARRAY_TASK_MIN={min} to SLURM_ARRAY_TASK_MAX={max} but SLURM_ARRAY_TASK_COUNT={count}; submit it with --array=FIRST-LAST (no step, no list) so that every shard has a task"
                    ));
                }
                if let Some(n) = flowsim_count
                    && n != count
                {
                    return Err(format!(
                        "--shard auto: FLOWSIM_SHARD_COUNT={n} contradicts SLURM_ARRAY_TASK_COUNT={count}; unset FLOWSIM_SHARD_COUNT (Slurm gives the count) or make them agree"
                    ));
                }
                if id < min {
                    return Err(format!(
                        "--shard auto: SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}"
                    ));
                }
                shard(
                    id - min,
                    count,
                    format!(
                        "SLURM_ARRAY_TASK_ID={id}, SLURM_ARRAY_TASK_MIN={min}, SLURM_ARRAY_TASK_COUNT={count}"
                    ),
                )
            }
            (None, Some(index)) => {
                let count = flowsim_count.ok_or(
                    "--shard auto: JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but FLOWSIM_SHARD_COUNT is not: Kubernetes does not tell a pod how many completions there are, so set FLOWSIM_SHARD_COUNT in the Job's env to the same number as spec.completions",
                )?;
                shard(
                    index,
                    count,
                    format!("JOB_COMPLETION_INDEX={index}, FLOWSIM_SHARD_COUNT={count}"),
                )
            }
        }
    }

    /// This shard's number, counted from 1.
    pub fn index(&self) -> u32 {
        self.index
    }

    pub fn count(&self) -> u32 {
        self.count
    }

    /// The replications this shard runs out of `runs`: the `index`-th of `count` contiguous
    /// ranges whose sizes differ by at most one (empty when there are more shards than runs).
    pub fn range(&self, runs: u32) -> Range<u64> {
        let at = |i: u32| u64::from(i) * u64::from(runs) / u64::from(self.count);
        at(self.index - 1)..at(self.index)
    }
}

/// What a shard wrote besides `totals.bin`: its description, `partial.json` and
/// `histograms.json`.
pub struct ShardRun {
    pub partial: Partial,
    pub partial_json: Vec<u8>,
    pub histograms_json: Vec<u8>,
}

/// Runs `shard`'s replications of `scenario` (whose text as run is `text`, read from `source`)
/// and writes their totals to `totals` (the content of `totals.bin`); returns `totals` and the
/// rest of the partial result. `progress` is called with the number of replications done.
pub fn run<W: Write>(
    scenario: &Scenario,
    text: &str,
    source: &str,
    options: RunOptions,
    shard: Shard,
    totals: W,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(W, ShardRun), ShardError> {
    let (runs, seed) = options.resolve(scenario);
    let reps = shard.range(runs);
    let (stages, types) = (scenario.stages.len(), scenario.work_types.len());
    let failed = |e: std::io::Error| ShardError::Failed(format!("cannot write the totals: {e}"));
    let mut writer = TotalsWriter::new(totals, stages, types).map_err(failed)?;
    let mut write_error = None;
    let batches: Vec<Histograms> =
        runner::replicate(scenario, seed, reps.clone(), progress, &mut |t| {
            if write_error.is_none() {
                write_error = writer.write(t).err();
            }
        })?;
    if let Some(e) = write_error {
        return Err(failed(e));
    }
    let (totals, totals_bytes, totals_fnv1a64) = writer.finish();
    let partial = Partial {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        flowsim_version: env!("CARGO_PKG_VERSION").into(),
        scenario: scenario.name.clone(),
        scenario_file: source.into(),
        scenario_fnv1a64: Fnv::of(text.as_bytes()),
        seed,
        runs,
        shard: shard.index,
        shards: shard.count,
        first_replication: reps.start,
        replications: reps.end - reps.start,
        stages: stages as u32,
        work_types: types as u32,
        totals_bytes,
        totals_fnv1a64,
    };
    let mut partial_json =
        serde_json::to_vec_pretty(&partial).expect("a partial result always serializes");
    partial_json.push(b'\n');
    let mut histograms_json = serde_json::to_vec(&batches).expect("histograms always serialize");
    histograms_json.push(b'\n');
    Ok((
        totals,
        ShardRun {
            partial,
            partial_json,
            histograms_json,
        },
    ))
}

/// "replications 1,251 to 1,875 of 10,000", counted from 1 as people count; "no replications
/// (...)" for an empty shard.
pub fn describe_range(range: &Range<u64>, runs: u32) -> String {
    if range.is_empty() {
        format!(
            "no replications (more shards than the {} runs; this shard's share is empty)",
            thousands(u64::from(runs))
        )
    } else if range.end - range.start == 1 {
        format!(
            "replication {} of {}",
            thousands(range.end),
            thousands(u64::from(runs))
        )
    } else {
        format!(
            "replications {} to {} of {}",
            thousands(range.start + 1),
            thousands(range.end),
            thousands(u64::from(runs))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn shards_cover_every_replication_once_in_order() {
        for (runs, count) in [(10, 4), (1000, 16), (3, 5), (1, 1), (7, 7), (10_000_000, 3)] {
            let mut next = 0;
            let mut sizes = Vec::new();
            for i in 1..=count {
                let r = Shard::new(i, count).unwrap().range(runs);
                assert_eq!(r.start, next, "{runs} runs, shard {i}/{count}");
                next = r.end;
                sizes.push(r.end - r.start);
            }
            assert_eq!(next, u64::from(runs));
            let (lo, hi) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(hi - lo <= 1, "{runs} runs in {count}: {sizes:?}");
        }
        assert_eq!(Shard::new(2, 4).unwrap().range(10), 2..5);
    }

    #[test]
    fn spec_parsing_says_what_is_allowed() {
        assert_eq!(Shard::parse("3/16"), Shard::new(3, 16));
        assert_eq!(Shard::parse(" 1 / 1 ").unwrap(), Shard::new(1, 1).unwrap());
        for (bad, says) in [
            ("0/4", "counted from 1"),
            ("5/4", "only 4 shards"),
            ("1/0", "at least one shard"),
            ("x", "not a shard"),
            ("a/b", "whole numbers"),
            ("-1/4", "whole numbers"),
            ("3", "not a shard"),
        ] {
            let e = Shard::parse(bad).unwrap_err();
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    fn env(vars: &[(&str, &str)]) -> Result<(Shard, String), String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Shard::from_env(&|k| map.get(k).cloned())
    }

    #[test]
    fn auto_reads_slurm_and_kubernetes() {
        let slurm = [
            ("SLURM_ARRAY_TASK_ID", "7"),
            ("SLURM_ARRAY_TASK_COUNT", "16"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "15"),
        ];
        assert_eq!(env(&slurm).unwrap().0, Shard::new(8, 16).unwrap());
        let shifted = [
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
            ("SLURM_ARRAY_TASK_MIN", "5"),
            ("SLURM_ARRAY_TASK_MAX", "8"),
        ];
        assert_eq!(env(&shifted).unwrap().0, Shard::new(1, 4).unwrap());
        let k8s = [("JOB_COMPLETION_INDEX", "0"), ("FLOWSIM_SHARD_COUNT", "3")];
        let (shard, from) = env(&k8s).unwrap();
        assert_eq!(shard, Shard::new(1, 3).unwrap());
        assert!(from.contains("JOB_COMPLETION_INDEX=0"), "{from}");
    }

    #[test]
    fn auto_refuses_missing_or_contradictory_variables() {
        for (vars, says) in [
            (&[][..], "neither"),
            (&[("FLOWSIM_SHARD_COUNT", "4")][..], "only gives the number"),
            (
                &[("SLURM_ARRAY_TASK_ID", "1")][..],
                "SLURM_ARRAY_TASK_COUNT is not",
            ),
            (
                &[("JOB_COMPLETION_INDEX", "1")][..],
                "FLOWSIM_SHARD_COUNT is not",
            ),
            (
                &[("JOB_COMPLETION_INDEX", "4"), ("FLOWSIM_SHARD_COUNT", "4")][..],
                "only 4 tasks, 0 to 3",
            ),
            (
                &[("JOB_COMPLETION_INDEX", "x"), ("FLOWSIM_SHARD_COUNT", "4")][..],
                "JOB_COMPLETION_INDEX=x is not a whole number",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "1"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                    ("JOB_COMPLETION_INDEX", "1"),
                ][..],
                "both",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "2"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                    ("SLURM_ARRAY_TASK_MIN", "0"),
                    ("SLURM_ARRAY_TASK_MAX", "6"),
                ][..],
                "not one contiguous range",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "2"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                    ("FLOWSIM_SHARD_COUNT", "5"),
                ][..],
                "contradicts",
            ),
            (
                &[
                    ("SLURM_ARRAY_TASK_ID", "2"),
                    ("SLURM_ARRAY_TASK_COUNT", "4"),
                    ("SLURM_ARRAY_TASK_MIN", "3"),
                ][..],
                "below SLURM_ARRAY_TASK_MIN",
            ),
        ] {
            let e = env(vars).unwrap_err();
            assert!(e.contains(says), "{vars:?}: {e}");
        }
    }
}
