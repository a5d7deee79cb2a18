//! The command line: argument parsing (clap), progress bar, printing and exit codes. The only
//! module that talks to the terminal; everything it does goes through the library.

mod files;
mod init;
mod report;
mod run;

use clap::{Parser, Subcommand};
use std::io::Write;
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
  flowsim report output/my-stream               redraw the charts and report from saved results
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
    /// Redraw the charts and report.html from an earlier run's results, without simulating
    #[command(after_help = report::EXAMPLES)]
    Report(report::ReportArgs),
    /// Write the example scenario as a commented starting point
    #[command(after_help = init::EXAMPLES)]
    Init(init::InitArgs),
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
