//! `flowsim run`: simulate a scenario, print the summary table, write the result files.

use super::{EXAMPLE_NAME, EXAMPLE_SCENARIO, Failure, files, print};
use crate::report::output::{OutputFile, write_all};
use crate::report::{csv, json, table};
use crate::runner::{self, RunOptions};
use crate::scenario::{Scenario, traffic};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};

pub const EXAMPLES: &str = "\
Examples:
  flowsim run                                     the built-in feature-delivery example
  flowsim run scenarios/incident-response.toml
  flowsim run my-stream.toml --runs 5000 --seed 7 --out results/my-stream

Writes report.html (open it in a browser), summary.json, stages.csv, lead_times.csv, the charts
(SVG and PNG), charts.json and scenario.toml to --out (default: output/<scenario file name>/).
`flowsim report DIR` redraws the charts and the report from those files.";

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML). Without it, the built-in feature-delivery example runs
    scenario: Option<PathBuf>,
    /// Monte Carlo replications (default: the scenario's `runs`)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    runs: Option<u32>,
    /// Random seed (default: the scenario's `seed`); the same seed gives the same results
    #[arg(long)]
    seed: Option<u64>,
    /// Directory for the results (default: output/<scenario file name>/)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Do not draw charts
    #[arg(long)]
    no_charts: bool,
    /// Worker threads (default: one per core); results do not depend on it
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
    /// Print only where the results were written
    #[arg(long, short = 'q')]
    quiet: bool,
}

pub fn run(args: RunArgs) -> Result<(), Failure> {
    let (text, source, stem) = match &args.scenario {
        Some(path) => {
            let text = Scenario::read(path).map_err(|e| {
                Failure::input(format!(
                    "{e}\nThe scenario could not be read; no results were written."
                ))
            })?;
            let stem = path
                .file_stem()
                .map_or("scenario".into(), |s| s.to_string_lossy().into_owned());
            (text, path.display().to_string(), stem)
        }
        None => (
            EXAMPLE_SCENARIO.to_string(),
            EXAMPLE_NAME.to_string(),
            "feature-delivery".to_string(),
        ),
    };
    let scenario = Scenario::parse(&text, &source).map_err(|e| {
        Failure::input(format!(
            "{e}\nThe scenario is invalid; no results were written."
        ))
    })?;
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&stem));
    let options = RunOptions {
        runs: args.runs,
        seed: args.seed,
    };
    let runs = options.runs.unwrap_or(scenario.simulation.runs);

    // Warnings about the scenario come before the run; those the run adds, after it.
    let early = traffic::analyse(&scenario).warnings;
    for w in &early {
        eprintln!("warning: {w}");
    }
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(u64::from(runs))
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} simulating [{bar:30}] {pos}/{len} runs ({eta} left)",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    let progress = |done: u64| bar.set_position(done);

    let work = || -> Result<_, Failure> {
        let result = runner::simulate(&scenario, options, &progress)
            .map_err(|e| Failure::other(e.to_string()))?;
        let data = if args.no_charts {
            None
        } else {
            bar.set_message("tracing for the charts");
            Some(
                runner::chart_data(&scenario, &result)
                    .map_err(|e| Failure::other(e.to_string()))?,
            )
        };
        Ok((result, data))
    };
    let (result, data) = match args.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(n))
            .build()
            .map_err(|e| Failure::other(format!("cannot start {n} threads: {e}")))?
            .install(work),
        None => work(),
    }?;
    bar.finish_and_clear();

    let summary = &result.summary;
    let mut files = vec![
        OutputFile {
            name: "summary.json".into(),
            bytes: json::summary_json(summary),
        },
        OutputFile {
            name: "stages.csv".into(),
            bytes: csv::stages_csv(summary),
        },
        OutputFile {
            name: "lead_times.csv".into(),
            bytes: csv::lead_times_csv(&result.histograms.lead),
        },
        OutputFile {
            name: "scenario.toml".into(),
            bytes: text.clone().into_bytes(),
        },
    ];
    if let Some(d) = &data {
        files.push(OutputFile {
            name: "charts.json".into(),
            bytes: json::chart_data_json(d),
        });
    }
    files.extend(files::report_files(summary, data.as_ref(), &text)?);
    write_all(&out_dir, &files).map_err(|e| {
        Failure::other(format!(
            "cannot write the results to {}: {e}",
            out_dir.display()
        ))
    })?;
    for w in summary.warnings.iter().filter(|w| !early.contains(w)) {
        eprintln!("warning: {w}");
    }
    let mut out = String::new();
    if !args.quiet {
        out.push_str(&table::summary_table(summary));
        out.push('\n');
    }
    out.push_str(&format!(
        "Results written to {}/: {}\n",
        out_dir.display(),
        files::describe(&files)
    ));
    print(&out)
}
