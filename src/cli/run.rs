//! `flowsim run`: simulate a scenario, print the summary table, write the result files.

use super::{
    CommonArgs, EXAMPLE_NAME, EXAMPLE_SCENARIO, Failure, files, print, progress_bar, shard,
    with_threads,
};
use crate::calendar::{Calendar, parse_date};
use crate::metrics::charts::ChartData;
use crate::metrics::events::States;
use crate::numbers::thousands;
use crate::report::events::{DEFAULT_START, Layout, events_csv};
use crate::report::output::{OutputFile, write_all, write_file};
use crate::report::{csv, json, table};
use crate::runner;
use crate::scenario::{Scenario, traffic};
use std::path::{Path, PathBuf};

pub const EXAMPLES: &str = "\
Examples:
  flowsim run                                     the built-in feature-delivery example
  flowsim run scenarios/incident-response.toml
  flowsim run my-stream.toml --runs 5000 --seed 7 --out results/my-stream
  flowsim run my-stream.toml --events history.csv  also the first replication, item by item (CSV)
  flowsim run my-stream.toml --events history.csv --events-layout long --start 2027-03-01
  flowsim run my-stream.toml --runs 100000 --shard 3/16    shard 3 of 16 of the replications
  flowsim run my-stream.toml --shard auto --out results/task-$SLURM_ARRAY_TASK_ID   in a job array

Writes report.html (open it in a browser), summary.json, stages.csv, lead_times.csv, the charts
(SVG and PNG), charts.json and scenario.toml to --out (default: output/<scenario file name>/).
`flowsim report DIR` redraws the charts and the report from those files.

--events FILE writes the simulated history of the first replication as a CSV work-item history,
as Kanban analytics tools import it: when each item entered Backlog, each stage's states (`Ready
for S` and `S` at a stage with people, `S` at a delay or cadence stage) and Done, as date-times
on the scenario's [calendar] (Monday to Friday when it has none). The wide layout has a row per
item and a column per state (first entries); the long layout a row per state entry, rework
revisits included. FILE is a path from the current directory; its directory must exist.
See docs/results.md.

--shard I/N runs shard I of N (I from 1 to N) of the replications, a contiguous share, and writes
a partial result (partial.json, histograms.json, totals.bin, scenario.toml) to --out (default:
output/<scenario file name>-shard-I-of-N/); `flowsim merge` puts all N together into exactly the
results of one run. --shard auto takes the shard from a Slurm job array (SLURM_ARRAY_TASK_ID,
counted from 0, and SLURM_ARRAY_TASK_COUNT) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX,
counted from 0, and FLOWSIM_SHARD_COUNT, which you set): task 0 is shard 1. With more shards than
runs, some shards are empty, which is allowed. See docs/cluster.md.";

/// Layouts of the `--events` file.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum EventsLayout {
    /// One row per item, one column per state: the first time the item entered it
    Wide,
    /// One row per state entry (id, type, state, entered_at), rework revisits included
    Long,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML). Without it, the built-in feature-delivery example runs
    scenario: Option<PathBuf>,
    /// Also write the first replication's history, item by item, to this CSV file (a path from
    /// the current directory, not inside --out)
    #[arg(long, value_name = "FILE")]
    events: Option<PathBuf>,
    /// Layout of the --events file [default: wide]
    #[arg(long, value_enum, value_name = "LAYOUT", requires = "events")]
    events_layout: Option<EventsLayout>,
    /// Date of the first working day in the --events file (default: the scenario's [calendar]
    /// start, else 2027-01-04)
    #[arg(long, value_name = "DATE", requires = "events")]
    start: Option<String>,
    /// Run only shard I of N of the replications and write a partial result for `flowsim merge`
    /// (I counted from 1); `auto` reads it from a Slurm job array or a Kubernetes Indexed Job
    #[arg(long, value_name = "I/N|auto", value_parser = shard::parse_shard_arg, conflicts_with = "events")]
    shard: Option<shard::ShardArg>,
    #[command(flatten)]
    common: CommonArgs,
}

/// Where and how to write the history (`--events`), checked before anything runs.
struct EventsPlan {
    path: PathBuf,
    layout: Layout,
    calendar: Calendar,
}

/// Checks the `--events` options against the scenario: the file's directory exists, the dates
/// have a calendar, and every state of the flow has its own name.
fn events_plan(args: &RunArgs, scenario: &Scenario) -> Result<Option<EventsPlan>, Failure> {
    let Some(path) = &args.events else {
        return Ok(None);
    };
    let start = args
        .start
        .as_deref()
        .map(|t| parse_date(t).map_err(|e| Failure::input(format!("--start: {e}"))))
        .transpose()?;
    let calendar = match &scenario.calendar {
        Some(spec) => spec
            .calendar(
                Some(start.or(spec.start).unwrap_or(DEFAULT_START)),
                scenario.time_unit,
            )
            .map_err(|e| Failure::input(e.to_string()))?,
        None => Calendar::weekdays(start.unwrap_or(DEFAULT_START), scenario.time_unit),
    };
    if let Some(name) = States::new(scenario).duplicate() {
        return Err(Failure::input(format!(
            "--events: two states of the history would be called \"{name}\" (a stage's name \
             is also Backlog, Done or \"Ready for\" another stage); rename the stage. Nothing was run."
        )));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if path.file_name().is_none() || path.is_dir() {
        return Err(Failure::other(format!(
            "--events {}: give a file name, not a directory. Nothing was run.",
            path.display()
        )));
    }
    if !dir.is_dir() {
        return Err(Failure::other(format!(
            "--events {}: the directory {} does not exist; create it or choose another path. Nothing was run.",
            path.display(),
            dir.display()
        )));
    }
    let layout = match args.events_layout {
        Some(EventsLayout::Long) => Layout::Long,
        Some(EventsLayout::Wide) | None => Layout::Wide,
    };
    Ok(Some(EventsPlan {
        path: path.clone(),
        layout,
        calendar,
    }))
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
    let events = events_plan(&args, &scenario)?;
    let options = args.common.options();
    let (runs, _) = options.resolve(&scenario);

    // Warnings about the scenario come before the run; those the run adds, after it.
    let early = traffic::analyse(&scenario).warnings;
    for w in &early {
        eprintln!("warning: {w}");
    }
    if let Some(spec) = args.shard {
        return shard::run_shard(spec, &scenario, &text, &source, &stem, &args.common);
    }
    let out_dir = args.common.out_dir(&stem);
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
        // The first replication again, item by item: the same seed gives the same replication.
        let history = match &events {
            Some(plan) => {
                let log = runner::event_log(&scenario, result.summary.seed)
                    .map_err(|e| Failure::other(e.to_string()))?;
                let bytes =
                    events_csv(&log, &scenario, &plan.calendar, plan.layout).map_err(|e| {
                        Failure::other(format!("cannot write the --events history: {e}"))
                    })?;
                Some((bytes, log.items().len(), log.done()))
            }
            None => None,
        };
        Ok((result, data, history))
    };
    let (result, data, history) = with_threads(args.common.threads, work)??;
    bar.finish_and_clear();

    write_results(
        &out_dir,
        &text,
        &result,
        data.as_ref(),
        args.common.quiet,
        &early,
    )?;
    if let (Some(plan), Some((bytes, items, done))) = (&events, history) {
        write_file(&plan.path, &bytes).map_err(|e| {
            Failure::other(format!(
                "cannot write the --events history to {}: {e} (the other results were written)",
                plan.path.display()
            ))
        })?;
        let layout = match plan.layout {
            Layout::Wide => "wide",
            Layout::Long => "long",
        };
        print(&format!(
            "Events written to {}: the first replication, {} items ({} done), {layout} layout, dates from {}\n",
            plan.path.display(),
            thousands(items as u64),
            thousands(done),
            plan.calendar.start(),
        ))?;
    }
    Ok(())
}

/// Writes a run's result files to `out_dir` (summary.json, stages.csv, lead_times.csv, the
/// scenario as run, charts.json, the charts and report.html), then prints the run's warnings
/// (those not in `early`, which were printed before it), the summary table (unless `quiet`) and
/// where the files went. Shared by `run` and `merge`.
pub(super) fn write_results(
    out_dir: &Path,
    text: &str,
    result: &runner::RunResult,
    data: Option<&ChartData>,
    quiet: bool,
    early: &[String],
) -> Result<(), Failure> {
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
            bytes: text.as_bytes().to_vec(),
        },
    ];
    if let Some(d) = data {
        files.push(OutputFile {
            name: "charts.json".into(),
            bytes: json::chart_data_json(d),
        });
    }
    files.extend(files::report_files(summary, data, text)?);
    write_all(out_dir, &files).map_err(|e| {
        Failure::other(format!(
            "cannot write the results to {}: {e}",
            out_dir.display()
        ))
    })?;
    for w in summary.warnings.iter().filter(|w| !early.contains(w)) {
        eprintln!("warning: {w}");
    }
    let mut out = String::new();
    if !quiet {
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
