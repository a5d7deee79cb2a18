//! `flowsim run --shard` (one shard's partial result) and `flowsim merge` (the partial results of
//! a sharded run put together into the results `flowsim run` writes).

use super::{CommonArgs, Failure, print, progress_bar, run::write_results, stem, with_threads};
use crate::numbers::thousands;
use crate::report::output::{OutputFile, PendingFile, write_all_with};
use crate::runner;
use crate::scenario::Scenario;
use crate::shard::format::{HISTOGRAMS_JSON, PARTIAL_JSON, SCENARIO_TOML, TOTALS_BIN};
use crate::shard::{self, Shard, ShardError, describe_range};
use std::path::{Path, PathBuf};

pub const MERGE_EXAMPLES: &str = "\
Examples:
  flowsim merge output/my-stream-shard-*-of-16
  flowsim merge results/task-* --out results/my-stream
  flowsim merge results/task-* --no-charts -q

Reads the partial results that `flowsim run --shard I/N` wrote (every shard of one run, once, in
any order), checks that they come from the same scenario text, seed, runs, number of shards and
flowsim version, and writes exactly what `flowsim run` would have written for the whole run:
summary.json, stages.csv and lead_times.csv identical to the byte, scenario.toml, charts.json,
the charts and report.html (the charts re-run the first replications, as `flowsim run` does).
--out defaults to output/<scenario file name>/. See docs/cluster.md.";

/// The value of `--shard`: a given shard, or `auto` (from the array job's environment).
#[derive(Debug, Clone, Copy)]
pub enum ShardArg {
    Fixed(Shard),
    Auto,
}

/// Reads `--shard`: `I/N` or `auto`.
pub fn parse_shard_arg(text: &str) -> Result<ShardArg, String> {
    if text.trim().eq_ignore_ascii_case("auto") {
        Ok(ShardArg::Auto)
    } else {
        Shard::parse(text).map(ShardArg::Fixed)
    }
}

fn failure(e: ShardError) -> Failure {
    match e {
        ShardError::Input(m) => Failure::input(m),
        ShardError::Failed(m) => Failure::other(m),
    }
}

/// Runs one shard of `scenario` and writes its partial result.
pub(super) fn run_shard(
    spec: ShardArg,
    scenario: &Scenario,
    text: &str,
    source: &str,
    stem: &str,
    common: &CommonArgs,
) -> Result<(), Failure> {
    let (shard, from) = match spec {
        ShardArg::Fixed(s) => (s, None),
        ShardArg::Auto => {
            let (s, from) =
                Shard::from_env(&|name| std::env::var(name).ok()).map_err(Failure::input)?;
            (s, Some(from))
        }
    };
    let (index, count) = (shard.index(), shard.count());
    let options = common.options();
    let (runs, seed) = options.resolve(scenario);
    let range = shard.range(runs);
    let out_dir = common.out_dir(&format!("{stem}-shard-{index}-of-{count}"));
    let cannot_write = |e: std::io::Error| {
        Failure::other(format!(
            "cannot write the partial result to {}: {e}",
            out_dir.display()
        ))
    };
    let totals = PendingFile::create(&out_dir, TOTALS_BIN).map_err(cannot_write)?;
    let bar = progress_bar(range.end - range.start, common.quiet);
    let progress = |done: u64| bar.set_position(done);
    let (totals, done) = with_threads(common.threads, || {
        shard::run(scenario, text, source, options, shard, totals, &progress)
    })?
    .map_err(failure)?;
    bar.finish_and_clear();
    let files = [
        OutputFile {
            name: SCENARIO_TOML.into(),
            bytes: text.as_bytes().to_vec(),
        },
        OutputFile {
            name: HISTOGRAMS_JSON.into(),
            bytes: done.histograms_json,
        },
        // Last, so that a directory with partial.json holds the whole partial result.
        OutputFile {
            name: PARTIAL_JSON.into(),
            bytes: done.partial_json,
        },
    ];
    write_all_with(&out_dir, vec![totals], &files).map_err(cannot_write)?;

    let mut out = String::new();
    if !common.quiet {
        let from = from.map_or(String::new(), |f| format!(" (from {f})"));
        out.push_str(&format!(
            "Shard {index} of {count}{from}: {}, seed {seed}\n",
            describe_range(&range, runs)
        ));
    }
    out.push_str(&format!(
        "Partial result written to {}/: {PARTIAL_JSON}, {HISTOGRAMS_JSON}, {TOTALS_BIN} and {SCENARIO_TOML}\n",
        out_dir.display()
    ));
    if !common.quiet {
        out.push_str(&format!(
            "When all {count} shards are done, put them together with `flowsim merge DIR...` (the {count} shard directories)\n"
        ));
    }
    print(&out)
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Directories of the shards' partial results: every shard of one run, in any order
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Directory for the results (default: output/<scenario file name>/, as `flowsim run`)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Do not draw charts
    #[arg(long)]
    no_charts: bool,
    /// Worker threads for the charts' replications (default: one per core); results do not
    /// depend on it
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Print only where the results were written
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// Merges the shards and writes the results of the whole run.
pub fn merge(args: MergeArgs) -> Result<(), Failure> {
    let merged = shard::merge(&args.dirs, &|_| {}).map_err(failure)?;
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(stem(Path::new(&merged.source))));
    let data = if args.no_charts {
        None
    } else {
        let data = with_threads(args.threads, || {
            runner::chart_data(&merged.scenario, &merged.result)
        })?;
        Some(data.map_err(|e| Failure::other(e.to_string()))?)
    };
    let summary = &merged.result.summary;
    if !args.quiet {
        print(&format!(
            "Merged {} shards of {}: {} replications, seed {}\n",
            merged.shards,
            merged.source,
            thousands(u64::from(summary.runs)),
            summary.seed
        ))?;
    }
    write_results(
        &out_dir,
        &merged.text,
        &merged.result,
        data.as_ref(),
        args.quiet,
        &[],
    )
}
