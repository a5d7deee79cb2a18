//! `flowsim merge`: reads the partial results of a sharded run, checks that they are all the
//! shards of one run, and folds them, shard after shard in replication order, into the run's
//! result.

use super::format::{
    FORMAT, FORMAT_VERSION, Fnv, HISTOGRAMS_JSON, PARTIAL_JSON, Partial, SCENARIO_TOML, TOTALS_BIN,
    TotalsReader,
};
use super::{Shard, ShardError};
use crate::metrics::Histograms;
use crate::numbers::thousands;
use crate::runner::{BATCHES, Fold, RunResult};
use crate::scenario::Scenario;
use std::path::{Path, PathBuf};

/// A sharded run put back together.
pub struct Merged {
    /// The scenario text as the shards ran it, and the file it was read from.
    pub text: String,
    pub source: String,
    pub scenario: Scenario,
    /// Exactly what `runner::simulate` gives for the whole run.
    pub result: RunResult,
    pub shards: u32,
}

/// One shard's directory, its `partial.json` and its scenario text.
struct Part {
    dir: PathBuf,
    partial: Partial,
    text: String,
}

fn input(message: String) -> ShardError {
    ShardError::Input(message)
}

/// Merges the partial results in `dirs` (any order). Every shard of the run must be there once,
/// all from the same scenario text, seed, runs, number of shards and flowsim. `progress` is
/// called with the number of replications folded so far.
pub fn merge(dirs: &[PathBuf], progress: &dyn Fn(u64)) -> Result<Merged, ShardError> {
    let mut parts = dirs
        .iter()
        .map(|d| read_part(d))
        .collect::<Result<Vec<Part>, _>>()?;
    let Some(first) = parts.first() else {
        return Err(input("give the directories of the shards to merge".into()));
    };
    for p in &parts[1..] {
        same_run(first, p)?;
    }
    let (runs, seed, count) = (first.partial.runs, first.partial.seed, first.partial.shards);
    parts.sort_by_key(|p| p.partial.shard);
    check_complete(&parts, count)?;

    let text = parts[0].text.clone();
    let source = parts[0].partial.scenario_file.clone();
    let scenario = Scenario::parse(&text, &source).map_err(|e| {
        input(format!(
            "{}: the scenario the shards ran is not valid for this flowsim:\n{e}",
            parts[0].dir.join(SCENARIO_TOML).display()
        ))
    })?;
    let (stages, types) = (scenario.stages.len(), scenario.work_types.len());
    let mut fold = Fold::new(&scenario, runs, seed);
    for p in &parts {
        let expected = Shard::new(p.partial.shard, count)
            .map_err(|e| damaged(&p.dir, PARTIAL_JSON, &e))?
            .range(runs);
        let said =
            p.partial.first_replication..p.partial.first_replication + p.partial.replications;
        if said != expected || fold.added() != expected.start {
            return Err(damaged(
                &p.dir,
                PARTIAL_JSON,
                &format!(
                    "shard {} of {count} of a {}-run job holds replications {expected:?} (counted from 0), but it says {said:?}",
                    p.partial.shard,
                    thousands(u64::from(runs))
                ),
            ));
        }
        if (p.partial.stages as usize, p.partial.work_types as usize) != (stages, types) {
            return Err(damaged(
                &p.dir,
                PARTIAL_JSON,
                &format!(
                    "it says {} stages and {} work types; the scenario has {stages} and {types}",
                    p.partial.stages, p.partial.work_types
                ),
            ));
        }
        fold.add_histograms(&read_histograms(&p.dir, stages, types)?);
        fold_totals(&mut fold, p, stages, types, progress)?;
    }
    Ok(Merged {
        text,
        source,
        scenario,
        result: fold.finish(),
        shards: count,
    })
}

/// Says that a file of a partial result is damaged.
fn damaged(dir: &Path, file: &str, what: &str) -> ShardError {
    input(format!(
        "{} is damaged: {what}. Run that shard again.",
        dir.join(file).display()
    ))
}

/// Reads a shard's `partial.json` and scenario text, with errors that say what the directory is
/// if it is not a partial result of this flowsim.
fn read_part(dir: &Path) -> Result<Part, ShardError> {
    let shown = dir.display();
    if !dir.is_dir() {
        return Err(input(if dir.exists() {
            format!("{shown} is a file; give the directory a shard's partial result is in")
        } else {
            format!("{shown}: no such directory")
        }));
    }
    let path = dir.join(PARTIAL_JSON);
    if !path.exists() {
        return Err(input(if dir.join("summary.json").exists() {
            format!(
                "{shown} holds the results of a whole run (summary.json), not a shard's partial result: give the directories `flowsim run --shard I/N` wrote"
            )
        } else {
            format!(
                "{shown} is not a partial result: it has no {PARTIAL_JSON} (`flowsim run --shard I/N` writes one)"
            )
        }));
    }
    let bytes =
        std::fs::read(&path).map_err(|e| input(format!("cannot read {}: {e}", path.display())))?;
    // The identifying fields first, so that a newer format or another flowsim is named as such.
    #[derive(serde::Deserialize)]
    struct Probe {
        format: Option<String>,
        format_version: Option<u32>,
        flowsim_version: Option<String>,
    }
    let not_partial = |why: String| {
        input(format!(
            "{} is not a flowsim partial result ({why})",
            path.display()
        ))
    };
    let probe: Probe = serde_json::from_slice(&bytes).map_err(|e| not_partial(e.to_string()))?;
    if probe.format.as_deref() != Some(FORMAT) {
        return Err(not_partial(format!("its \"format\" is not \"{FORMAT}\"")));
    }
    let ours = env!("CARGO_PKG_VERSION");
    match (probe.format_version, probe.flowsim_version.as_deref()) {
        (_, Some(v)) if v != ours => {
            return Err(input(format!(
                "{} was written by flowsim {v}; this is flowsim {ours}. Run every shard and the merge with the same flowsim (results can differ between versions).",
                path.display()
            )));
        }
        (Some(v), _) if v != FORMAT_VERSION => {
            return Err(input(format!(
                "{} is in partial-result format {v}; this flowsim reads format {FORMAT_VERSION}",
                path.display()
            )));
        }
        _ => {}
    }
    let partial: Partial =
        serde_json::from_slice(&bytes).map_err(|e| not_partial(e.to_string()))?;
    let scenario_path = dir.join(SCENARIO_TOML);
    let text = std::fs::read_to_string(&scenario_path)
        .map_err(|e| input(format!("cannot read {}: {e}", scenario_path.display())))?;
    let hash = Fnv::of(text.as_bytes());
    if hash != partial.scenario_fnv1a64 {
        return Err(input(format!(
            "{} is not the scenario this shard ran (its FNV-1a hash is {hash}, {} says {}): was it edited? Run that shard again.",
            scenario_path.display(),
            PARTIAL_JSON,
            partial.scenario_fnv1a64
        )));
    }
    Ok(Part {
        dir: dir.to_path_buf(),
        partial,
        text,
    })
}

/// Checks that `b` is a shard of the same run as `a`.
fn same_run(a: &Part, b: &Part) -> Result<(), ShardError> {
    let (pa, pb) = (&a.partial, &b.partial);
    let differ = |what: &str, va: String, vb: String| {
        Err(input(format!(
            "{} and {} are shards of different runs, with different {what}: {va} and {vb}. Merge the shards of one run only.",
            a.dir.display(),
            b.dir.display()
        )))
    };
    if a.text != b.text {
        return differ(
            "scenarios",
            format!("{} (FNV-1a {})", pa.scenario_file, pa.scenario_fnv1a64),
            format!("{} (FNV-1a {})", pb.scenario_file, pb.scenario_fnv1a64),
        );
    }
    if pa.seed != pb.seed {
        return differ("seeds", pa.seed.to_string(), pb.seed.to_string());
    }
    if pa.runs != pb.runs {
        return differ("numbers of runs", pa.runs.to_string(), pb.runs.to_string());
    }
    if pa.shards != pb.shards {
        return differ(
            "numbers of shards",
            pa.shards.to_string(),
            pb.shards.to_string(),
        );
    }
    Ok(())
}

/// Checks that `parts` (sorted by shard) hold shards 1 to `count`, each once.
fn check_complete(parts: &[Part], count: u32) -> Result<(), ShardError> {
    for w in parts.windows(2) {
        if w[0].partial.shard == w[1].partial.shard {
            return Err(input(format!(
                "shard {} of {count} given twice: {} and {}",
                w[0].partial.shard,
                w[0].dir.display(),
                w[1].dir.display()
            )));
        }
    }
    let have: Vec<u32> = parts.iter().map(|p| p.partial.shard).collect();
    let missing: Vec<u32> = (1..=count).filter(|i| !have.contains(i)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let (shards, verb) = if missing.len() == 1 {
        ("shard", "is")
    } else {
        ("shards", "are")
    };
    Err(input(format!(
        "{shards} {} of {count} {verb} missing: have {}. Give the directories of all {count} shards.",
        spans(&missing),
        spans(&have)
    )))
}

/// "1, 2, 4..16": numbers in increasing order, runs of three or more as `first..last`.
fn spans(numbers: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let mut j = i;
        while j + 1 < numbers.len() && numbers[j + 1] == numbers[j] + 1 {
            j += 1;
        }
        if j >= i + 2 {
            out.push(format!("{}..{}", numbers[i], numbers[j]));
        } else {
            out.extend(numbers[i..=j].iter().map(u32::to_string));
        }
        i = j + 1;
    }
    out.join(", ")
}

/// A shard's batch histograms, checked against the scenario's shape.
fn read_histograms(dir: &Path, stages: usize, types: usize) -> Result<Vec<Histograms>, ShardError> {
    let path = dir.join(HISTOGRAMS_JSON);
    let bytes =
        std::fs::read(&path).map_err(|e| input(format!("cannot read {}: {e}", path.display())))?;
    let batches: Vec<Histograms> = serde_json::from_slice(&bytes)
        .map_err(|e| damaged(dir, HISTOGRAMS_JSON, &e.to_string()))?;
    let shaped = |h: &Histograms| {
        h.stage_wait.len() == stages && h.stage_time.len() == stages && h.types() == types
    };
    if batches.len() != BATCHES || !batches.iter().all(shaped) {
        return Err(damaged(
            dir,
            HISTOGRAMS_JSON,
            &format!(
                "it should hold {BATCHES} batches of histograms for {stages} stages and {types} work types"
            ),
        ));
    }
    Ok(batches)
}

/// Folds a shard's `totals.bin`, record by record, and checks it against `partial.json`.
fn fold_totals(
    fold: &mut Fold,
    p: &Part,
    stages: usize,
    types: usize,
    progress: &dyn Fn(u64),
) -> Result<(), ShardError> {
    let path = p.dir.join(TOTALS_BIN);
    let file = std::fs::File::open(&path)
        .map_err(|e| input(format!("cannot read {}: {e}", path.display())))?;
    let bad = |what: String| damaged(&p.dir, TOTALS_BIN, &what);
    let mut reader =
        TotalsReader::new(std::io::BufReader::new(file), stages, types).map_err(bad)?;
    for _ in 0..p.partial.replications {
        fold.add(reader.next_totals().map_err(bad)?);
        progress(fold.added());
    }
    let (bytes, hash) = reader.finish().map_err(bad)?;
    if (bytes, hash.as_str()) != (p.partial.totals_bytes, p.partial.totals_fnv1a64.as_str()) {
        return Err(bad(format!(
            "it has {bytes} bytes with FNV-1a {hash}, but {PARTIAL_JSON} says {} bytes with FNV-1a {}",
            p.partial.totals_bytes, p.partial.totals_fnv1a64
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::spans;

    #[test]
    fn spans_shorten_runs() {
        assert_eq!(spans(&[1, 2, 4, 5, 6, 7, 16]), "1, 2, 4..7, 16");
        assert_eq!(spans(&[3]), "3");
        assert_eq!(spans(&[]), "");
    }
}
