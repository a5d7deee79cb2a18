//! `flowsim forecast`: when will the work be done, and how much by a date, on the team's
//! calendar; from a scenario, or from a history of finished items.

use super::{CommonArgs, Failure, draw, finish, load_file, progress_bar, stem, with_threads};
use crate::calendar::{Calendar, parse_date, today};
use crate::forecast::{self, DEFAULT_PERCENTILES, Question, history, model};
use crate::report::output::OutputFile;
use crate::report::{charts, forecast as table, whatif};
use jiff::civil::Date;
use std::path::PathBuf;

pub const EXAMPLES: &str = "\
Examples:
  flowsim forecast scenarios/fixed-backlog.toml                     when will the backlog be done?
  flowsim forecast scenarios/fixed-backlog.toml --items 40 --by 2027-03-31
  flowsim forecast scenarios/feature-delivery.toml --by 2027-06-30 --start 2027-01-04
  flowsim forecast scenarios/feature-delivery.toml --features scenarios/features.toml
  flowsim forecast --history scenarios/data/done.csv --items 40 --start 2027-01-04

Dates are on the scenario's [calendar] (Monday to Friday, no holidays, when it has none).
Writes forecast.json, forecast.csv and charts to --out (default: output/forecast-<file name>/).";

/// Runs of a history forecast when neither the command line nor a scenario says.
const HISTORY_RUNS: u32 = 10_000;

#[derive(Debug, clap::Args)]
pub struct ForecastArgs {
    /// Scenario file (TOML); or give --history instead
    scenario: Option<PathBuf>,
    /// How many items: when will they be done? (default: the scenario's backlog)
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    items: Option<u64>,
    /// A date (2027-03-31): how many items will be done by then, and the chance to be done
    #[arg(long, value_name = "DATE")]
    by: Option<String>,
    /// First day of the forecast (default: the calendar's start, else today)
    #[arg(long, value_name = "DATE")]
    start: Option<String>,
    /// Percentiles to report (default 50,70,85,95)
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    percentiles: Option<Vec<f64>>,
    /// A features file: features worked in order with a feature-level WIP limit
    #[arg(long, value_name = "FILE")]
    features: Option<PathBuf>,
    /// Forecast from a CSV of finished items (one row each, with a completion date) instead of
    /// a scenario
    #[arg(long, value_name = "CSV", conflicts_with_all = ["scenario", "features"])]
    history: Option<PathBuf>,
    /// The history's completion date column (default: a column named done, completed,
    /// resolved, closed, end, ...)
    #[arg(long, value_name = "NAME", requires = "history")]
    date_column: Option<String>,
    /// The history's date format, strptime-style (default: ISO dates and date-times), e.g.
    /// %d/%m/%Y
    #[arg(long, value_name = "FORMAT", requires = "history")]
    date_format: Option<String>,
    /// Sample the history from this date (default: its first completion)
    #[arg(long, value_name = "DATE", requires = "history")]
    since: Option<String>,
    /// Sample the history up to this date (default: its last completion)
    #[arg(long, value_name = "DATE", requires = "history")]
    until: Option<String>,
    /// Resample whole weeks of the history instead of working days
    #[arg(long, requires = "history")]
    weekly: bool,
    #[command(flatten)]
    common: CommonArgs,
}

fn date_arg(flag: &str, text: &Option<String>) -> Result<Option<Date>, Failure> {
    text.as_deref()
        .map(|t| parse_date(t).map_err(|e| Failure::input(format!("--{flag}: {e}"))))
        .transpose()
}

pub fn forecast(args: ForecastArgs) -> Result<(), Failure> {
    let by = date_arg("by", &args.by)?;
    let start = date_arg("start", &args.start)?;
    let percentiles = args
        .percentiles
        .clone()
        .unwrap_or_else(|| DEFAULT_PERCENTILES.to_vec());
    if let Some(p) = percentiles.iter().find(|p| !(**p > 0.0 && **p < 100.0)) {
        return Err(Failure::input(format!(
            "--percentiles: {p} is not a percentile; give numbers between 0 and 100, e.g. 50,70,85,95"
        )));
    }
    let question = Question {
        items: args.items,
        by,
        percentiles,
    };
    let (result, stem_name) = match (&args.scenario, &args.history) {
        (None, Some(csv)) => (from_history(&args, csv, &question, start)?, stem(csv)),
        (Some(path), None) => (from_scenario(&args, path, &question, start)?, stem(path)),
        (None, None) => {
            return Err(Failure::input(
                "say what to forecast from: a scenario file, or --history FILE.csv with finished items; see flowsim forecast --help",
            ));
        }
        (Some(_), Some(_)) => unreachable!("clap refuses a scenario with --history"),
    };
    let drawn = draw(&args.common, || charts::forecast_charts(&result))?;
    let files = vec![
        OutputFile {
            name: "forecast.json".into(),
            bytes: whatif::json(&result),
        },
        OutputFile {
            name: "forecast.csv".into(),
            bytes: table::forecast_csv(&result),
        },
    ];
    let out_dir = args.common.out_dir(&format!("forecast-{stem_name}"));
    finish(
        &args.common,
        &out_dir,
        table::forecast_table(&result),
        files,
        drawn,
    )
}

/// The start date: given, else the calendar's, else today (said in a warning).
fn start_date(
    given: Option<Date>,
    calendar_start: Option<Date>,
    warnings: &mut Vec<String>,
) -> Date {
    given.or(calendar_start).unwrap_or_else(|| {
        let t = today();
        warnings.push(format!(
            "no start date given: the forecast starts today, {t} (use --start or [calendar] start for a fixed date)"
        ));
        t
    })
}

fn from_scenario(
    args: &ForecastArgs,
    path: &std::path::Path,
    question: &Question,
    start: Option<Date>,
) -> Result<forecast::Forecast, Failure> {
    let file = load_file(path)?;
    let mut sc = file.baseline.clone();
    let mut warnings = Vec::new();
    let start = start_date(
        start,
        sc.calendar.as_ref().and_then(|c| c.start),
        &mut warnings,
    );
    let calendar = match &sc.calendar {
        Some(spec) => spec
            .calendar(Some(start), sc.time_unit)
            .map_err(|e| Failure::input(e.to_string()))?,
        None => Calendar::weekdays(start, sc.time_unit),
    };
    if let Some(by) = question.by {
        if by < start {
            return Err(Failure::input(format!(
                "--by {by} is before the start of the forecast ({start})"
            )));
        }
    }
    if let Some(fpath) = &args.features {
        let text = std::fs::read_to_string(fpath).map_err(|e| {
            Failure::input(format!(
                "cannot read the features file {}: {e}",
                fpath.display()
            ))
        })?;
        let plan = forecast::features::parse(&text, &fpath.display().to_string()).map_err(|e| {
            Failure::input(format!(
                "{e}\nThe features file is invalid; nothing was run."
            ))
        })?;
        sc.features = Some(plan);
    }
    let question = Question {
        // A fixed backlog: when will it be done (also when asked about a date).
        items: question
            .items
            .or((sc.arrivals.interval.is_none() && sc.features.is_none())
                .then_some(u64::from(sc.arrivals.backlog))),
        ..question.clone()
    };
    let runs = args.common.runs.unwrap_or(sc.simulation.runs);
    let seed = args.common.seed.unwrap_or(sc.simulation.seed);
    for w in crate::scenario::traffic::analyse(&sc).warnings {
        eprintln!("warning: {w}");
    }
    let bar = progress_bar(u64::from(runs), args.common.quiet);
    let progress = |done: u64| bar.set_position(done);
    let (outcomes, feature_days) = with_threads(args.common.threads, || {
        model::simulate(&sc, &calendar, &question, runs, seed, &progress)
    })?
    .map_err(|e| match e {
        model::ForecastError::Engine(e) => Failure::other(e.to_string()),
        other => Failure::input(other.to_string()),
    })?;
    bar.finish_and_clear();
    let items_words = match (question.items, &sc.features) {
        (_, Some(p)) => format!("{} features, {} at a time", p.features.len(), p.wip),
        (Some(n), None) if sc.arrivals.interval.is_none() => format!("a backlog of {n} items"),
        (Some(n), None) => format!("the first {n} items of the stream"),
        (None, None) => "the stream as it arrives".into(),
    };
    let method = format!(
        "Simulated {runs} runs of the scenario \"{}\" (seed {seed}) for {items_words}; simulated working time is laid over the calendar from {start}.{}",
        sc.name,
        if sc.scope.split.is_some() || sc.scope.discovery_rate.is_some() {
            " Items split and new work is discovered as the scenario's [scope] says."
        } else {
            ""
        }
    );
    let mut result = forecast::summarize(
        &outcomes,
        &question,
        &calendar,
        format!("scenario \"{}\"", sc.name),
        seed,
        method,
        warnings,
    )
    .map_err(|e| Failure::input(e.to_string()))?;
    if let Some(plan) = &sc.features {
        result.features = Some(
            model::feature_forecasts(plan, &feature_days, &calendar, &question.percentiles)
                .map_err(|e| Failure::input(e.to_string()))?,
        );
    }
    Ok(result)
}

fn from_history(
    args: &ForecastArgs,
    csv: &std::path::Path,
    question: &Question,
    start: Option<Date>,
) -> Result<forecast::Forecast, Failure> {
    if question.items.is_none() && question.by.is_none() {
        return Err(Failure::input(
            "say what to forecast from the history: --items N (when will N items be done) or --by DATE (how many by then)",
        ));
    }
    let mut warnings = Vec::new();
    let start = start_date(start, None, &mut warnings);
    let calendar = Calendar::weekdays(start, crate::scenario::TimeUnit::Days);
    let options = history::HistoryOptions {
        date_column: args.date_column.clone(),
        date_format: args.date_format.clone(),
        since: date_arg("since", &args.since)?,
        until: date_arg("until", &args.until)?,
        weekly: args.weekly,
    };
    let h = history::load(csv, &options, &calendar).map_err(|e| Failure::input(e.to_string()))?;
    let runs = args.common.runs.unwrap_or(HISTORY_RUNS);
    let seed = args.common.seed.unwrap_or(1);
    let outcomes = with_threads(args.common.threads, || {
        history::forecast(&h, &calendar, question, runs, seed)
    })?
    .map_err(|e| Failure::input(e.to_string()))?;
    forecast::summarize(
        &outcomes,
        question,
        &calendar,
        h.source(),
        seed,
        h.method(),
        warnings,
    )
    .map_err(|e| Failure::input(e.to_string()))
}
