//! `flowsim backtest`: does a scenario reproduce the history it stands for?

use super::history_args::HistoryArgs;
use super::{CommonArgs, Failure, draw, finish, load_file, stem, with_threads};
use crate::backtest::{self, Model};
use crate::report::backtest as report;
use crate::report::charts;
use crate::report::output::OutputFile;

pub const EXAMPLES: &str = "\
Examples:
  flowsim backtest history.csv --scenario my-stream.toml
  flowsim backtest history.csv --holdout 0.3          calibrate on the first 70%, check on the rest
  flowsim backtest history.csv --scenario my-stream.toml --holdout 0.25 --runs 500

Simulates the history's period with the scenario (its arrivals, stages and people) and compares
lead-time percentiles, throughput and each stage's time per item with the history's, each with
its 95% interval, then says whether the model is fit for what-if use. Writes backtest.json,
backtest.csv and the overlaid lead-time CDF to --out (default: output/backtest-<file name>/).";

#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    #[command(flatten)]
    history: HistoryArgs,
    /// The scenario to check (default: one calibrated from the history, which needs --holdout)
    #[arg(long, value_name = "FILE")]
    scenario: Option<std::path::PathBuf>,
    /// Check against the last share of the period only (0.3: the last 30%); without
    /// --scenario, the scenario is calibrated on the part before it
    #[arg(long, value_name = "SHARE")]
    holdout: Option<f64>,
    #[command(flatten)]
    common: CommonArgs,
}

pub fn backtest_command(args: BacktestArgs) -> Result<(), Failure> {
    if args.scenario.is_none() && args.holdout.is_none() {
        return Err(Failure::input(
            "say what to check: --scenario FILE (a scenario, e.g. from flowsim calibrate), or --holdout 0.3 to calibrate on the first 70% of the history and check on the rest",
        ));
    }
    let h = args.history.load()?;
    let scenario = match &args.scenario {
        Some(p) => Some(load_file(p)?.baseline),
        None => None,
    };
    let name = stem(&args.history.history);
    let b = with_threads(args.common.threads, || {
        backtest::backtest(
            &h,
            Model {
                scenario: scenario.as_ref(),
                holdout: args.holdout,
                name: &name,
            },
            args.common.runs,
            args.common.seed,
        )
    })?
    .map_err(|e| Failure::input(e.to_string()))?;
    let drawn = draw(&args.common, || charts::backtest_charts(&b))?;
    let mut files = vec![
        OutputFile {
            name: "backtest.json".into(),
            bytes: report::backtest_json(&b),
        },
        OutputFile {
            name: "backtest.csv".into(),
            bytes: report::backtest_csv(&b),
        },
    ];
    if let Some((c, _)) = &b.calibration {
        files.push(OutputFile {
            name: "scenario.toml".into(),
            bytes: c.toml.clone().into_bytes(),
        });
    }
    let out_dir = args.common.out_dir(&format!("backtest-{name}"));
    finish(
        &args.common,
        &out_dir,
        report::backtest_table(&b, &h.file),
        files,
        drawn,
    )
}
