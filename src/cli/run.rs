//! `flowsim run`: simulate a scenario, print the summary table, write the result files.

use super::{
    CommonArgs, EXAMPLE_NAME, EXAMPLE_SCENARIO, Failure, files, print, progress_bar, with_threads,
};
use crate::report::output::{OutputFile, write_all};
use crate::report::{csv, json, table};
use crate::runner;
use crate::scenario::{Scenario, traffic};
use std::path::PathBuf;

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
    #[command(flatten)]
    common: CommonArgs,
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
    let out_dir = args.common.out_dir(&stem);
    let options = args.common.options();
    let runs = options.runs.unwrap_or(scenario.simulation.runs);

    // Warnings about the scenario come before the run; those the run adds, after it.
    let early = traffic::analyse(&scenario).warnings;
    for w in &early {
        eprintln!("warning: {w}");
    }
    let bar = progress_bar(u64::from(runs), args.common.quiet);
    let progress = |done: u64| bar.set_position(done);

    let work = || -> Result<_, Failure> {
        let result = runner::simulate(&scenario, options, &progress)
            .map_err(|e| Failure::other(e.to_string()))?;
        let data = if args.common.no_charts {
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
    let (result, data) = with_threads(args.common.threads, work)??;
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
    if !args.common.quiet {
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
