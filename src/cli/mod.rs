//! The command line: argument parsing (clap), progress bar, printing and exit codes. The only
//! module that talks to the terminal; everything it does goes through the library.

mod backtest;
mod calibrate;
mod files;
mod forecast;
mod history_args;
mod init;
mod map;
mod report;
mod run;
mod shard;
mod whatif;

use crate::report::charts::{self, Chart};
use crate::report::output::{OutputFile, write_all};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// The example scenario built into the binary: `flowsim run` with no file runs it, and
/// `flowsim init` writes it out.
pub const EXAMPLE_SCENARIO: &str = include_str!("../../scenarios/feature-delivery.toml");
/// The file name the built-in example is reported under.
pub const EXAMPLE_NAME: &str = "feature-delivery.toml";

const ABOUT: &str =
    "Simulate a value stream: where does the time go, and what change would deliver sooner?";

const EXAMPLES: &str = "\
Examples:
  flowsim run                                   run the built-in feature-delivery example
  flowsim run scenarios/release-train.toml      run a scenario file
  flowsim run my-stream.toml --runs 5000 --seed 7 --out results/my-stream
  flowsim compare my-stream.toml                compare the baseline with its [[variants]]
  flowsim sweep my-stream.toml --set stages.Review.workers=1..5
  flowsim advise my-stream.toml                 which single change would deliver sooner?
  flowsim forecast my-stream.toml --items 40     when will 40 items be done, in dates?
  flowsim report output/my-stream               redraw the charts and report from saved results
  flowsim run my-stream.toml --shard 3/16       one shard of the replications (array jobs)
  flowsim merge output/my-stream-shard-*-of-16  the shards put together: the results of one run
  flowsim map history.csv                       the value stream as it really was, from a history
  flowsim init my-stream                        write a commented scenario to start from

Exit codes: 0 success, 1 failure, 2 invalid scenario or command line.";

#[derive(Debug, Parser)]
#[command(name = "flowsim", version, about = ABOUT, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario and report lead times, flow efficiency, throughput and the bottleneck
    #[command(after_help = run::EXAMPLES)]
    Run(run::RunArgs),
    /// Compare the baseline with its variants or other scenarios (common random numbers)
    #[command(after_help = whatif::COMPARE_EXAMPLES)]
    Compare(whatif::CompareArgs),
    /// Vary one or two scenario values over a range and see lead time and the bottleneck move
    #[command(after_help = whatif::SWEEP_EXAMPLES)]
    Sweep(whatif::SweepArgs),
    /// Find the bottleneck and rank single changes by how much they shorten P85 lead time
    #[command(after_help = whatif::ADVISE_EXAMPLES)]
    Advise(whatif::AdviseArgs),
    /// Forecast delivery dates on a working calendar: when will N items be done, how many by a date
    #[command(after_help = forecast::EXAMPLES)]
    Forecast(Box<forecast::ForecastArgs>),
    /// Map the value stream as it really was from a work-item history: time per state, lead time, flow efficiency
    #[command(after_help = map::EXAMPLES)]
    Map(map::MapArgs),
    /// Write a commented scenario that reproduces a work-item history (fitted durations, capacity, rework)
    #[command(after_help = calibrate::EXAMPLES)]
    Calibrate(calibrate::CalibrateArgs),
    /// Check a scenario against a work-item history: simulated versus observed lead time, throughput, stage times
    #[command(after_help = backtest::EXAMPLES)]
    Backtest(backtest::BacktestArgs),
    /// Put the partial results of a sharded run (`run --shard I/N`) together into the results of the whole run
    #[command(after_help = shard::MERGE_EXAMPLES)]
    Merge(shard::MergeArgs),
    /// Redraw the charts and report.html from an earlier run's results, without simulating
    #[command(after_help = report::EXAMPLES)]
    Report(report::ReportArgs),
    /// Write the example scenario as a commented starting point
    #[command(after_help = init::EXAMPLES)]
    Init(init::InitArgs),
}

/// Options every simulating command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// Monte Carlo replications (default: the scenario's `runs`)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub runs: Option<u32>,
    /// Random seed (default: the scenario's `seed`); the same seed gives the same results
    #[arg(long)]
    pub seed: Option<u64>,
    /// Directory for the results (default: under output/)
    #[arg(long, value_name = "DIR")]
    pub out: Option<std::path::PathBuf>,
    /// Do not draw charts
    #[arg(long)]
    pub no_charts: bool,
    /// Worker threads (default: one per core); results do not depend on it
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Print only where the results were written
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

impl CommonArgs {
    pub fn options(&self) -> crate::runner::RunOptions {
        crate::runner::RunOptions {
            runs: self.runs,
            seed: self.seed,
        }
    }

    /// The output directory: `--out`, or `output/<default>`.
    pub fn out_dir(&self, default: &str) -> std::path::PathBuf {
        self.out
            .clone()
            .unwrap_or_else(|| std::path::Path::new("output").join(default))
    }
}

/// A progress bar on standard error (drawn only on a terminal; hidden with `quiet`).
pub(crate) fn progress_bar(total: u64, quiet: bool) -> indicatif::ProgressBar {
    let bar = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(total)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} simulating [{bar:30}] {pos}/{len} runs ({eta} left)",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar
}

/// Runs `work` on a pool of `threads` threads (all cores when `None`).
pub(crate) fn with_threads<T: Send>(
    threads: Option<u16>,
    work: impl FnOnce() -> T + Send,
) -> Result<T, Failure> {
    match threads {
        Some(n) => Ok(rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(n))
            .build()
            .map_err(|e| Failure::other(format!("cannot start {n} threads: {e}")))?
            .install(work)),
        None => Ok(work()),
    }
}

/// The file stem of a path, for default output directory names.
pub(crate) fn stem(path: &std::path::Path) -> String {
    path.file_stem()
        .map_or("scenario".into(), |s| s.to_string_lossy().into_owned())
}

/// Loads a scenario file with its variants; an invalid one is bad input (exit code 2).
pub(crate) fn load_file(path: &std::path::Path) -> Result<crate::scenario::ScenarioFile, Failure> {
    crate::scenario::ScenarioFile::load(path)
        .map_err(|e| Failure::input(format!("{e}\nThe scenario is invalid; nothing was run.")))
}

/// A failed command: what to tell the user, and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// Bad input: an invalid scenario or arguments (exit code 2).
    pub fn input(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    /// Anything else that went wrong (exit code 1).
    pub fn other(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

/// Writes to standard output; a closed pipe (`flowsim run | head`) is not an error.
pub(crate) fn print(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::other(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

/// Writes the files, then prints the table and where they went.
pub(super) fn finish(
    common: &CommonArgs,
    out_dir: &Path,
    table: String,
    mut files: Vec<OutputFile>,
    drawn: Vec<Chart>,
) -> Result<(), Failure> {
    for c in drawn {
        files.push(OutputFile {
            name: format!("{}.svg", c.name),
            bytes: c.svg.into_bytes(),
        });
        files.push(OutputFile {
            name: format!("{}.png", c.name),
            bytes: c.png,
        });
    }
    write_all(out_dir, &files).map_err(|e| {
        Failure::other(format!(
            "cannot write the results to {}: {e}",
            out_dir.display()
        ))
    })?;
    let mut out = String::new();
    if !common.quiet {
        out.push_str(&table);
        out.push('\n');
    }
    out.push_str(&format!(
        "Results written to {}/: {}\n",
        out_dir.display(),
        files::describe(&files)
    ));
    print(&out)
}

/// The charts `f` draws, or none with --no-charts.
pub(super) fn draw(
    common: &CommonArgs,
    f: impl FnOnce() -> Result<Vec<Chart>, charts::ChartError>,
) -> Result<Vec<Chart>, Failure> {
    if common.no_charts {
        Ok(Vec::new())
    } else {
        f().map_err(|e| Failure::other(e.to_string()))
    }
}

/// Parses the command line and runs the command; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Compare(args) => whatif::compare(args),
        Command::Sweep(args) => whatif::sweep(args),
        Command::Advise(args) => whatif::advise(args),
        Command::Forecast(args) => forecast::forecast(*args),
        Command::Map(args) => map::map(args),
        Command::Calibrate(args) => calibrate::calibrate_command(args),
        Command::Backtest(args) => backtest::backtest_command(args),
        Command::Merge(args) => shard::merge(args),
        Command::Report(args) => report::report(args),
        Command::Init(args) => init::init(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}
