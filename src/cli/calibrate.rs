//! `flowsim calibrate`: a commented scenario that reproduces an item history.

use super::history_args::HistoryArgs;
use super::{Failure, print, stem};
use crate::calibrate::build::calibrate;
use crate::report::calibrate as report;
use crate::report::output::{OutputFile, write_all};
use std::fmt::Write;
use std::path::PathBuf;

pub const EXAMPLES: &str = "\
Examples:
  flowsim calibrate history.csv -o my-stream.toml
  flowsim calibrate kep_transitions.csv --mapping scenarios/data/mappings/k8s-keps.toml
  flowsim calibrate export.csv --work \"Development,Test\" --out results/calibrate

Each work state becomes a stage: its duration fitted by maximum likelihood (exponential,
lognormal, gamma, Weibull; chosen by AIC, checked by Kolmogorov-Smirnov; the observed times
resampled when none fits), its capacity the most items worked at once, its rework the share of
items sent back. Waits before a work state are its queue; other waits become delay stages.
Writes scenario.toml and fits.csv to --out (default: output/calibrate-<file name>/), and the
scenario to -o FILE too when given. Then: flowsim backtest HISTORY --scenario FILE.";

#[derive(Debug, clap::Args)]
pub struct CalibrateArgs {
    #[command(flatten)]
    history: HistoryArgs,
    /// Also write the scenario to this file
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// The scenario's name (default: the history's file name)
    #[arg(long)]
    name: Option<String>,
    /// Directory for the results (default: output/calibrate-<file name>/)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Print only where the results were written
    #[arg(long, short = 'q')]
    quiet: bool,
}

pub fn calibrate_command(args: CalibrateArgs) -> Result<(), Failure> {
    let h = args.history.load()?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| stem(&args.history.history));
    let c = calibrate(&h, &name).map_err(|e| Failure::input(e.to_string()))?;
    let out_dir = args.out.clone().unwrap_or_else(|| {
        std::path::Path::new("output").join(format!("calibrate-{}", stem(&args.history.history)))
    });
    let files = vec![
        OutputFile {
            name: "scenario.toml".into(),
            bytes: c.toml.clone().into_bytes(),
        },
        OutputFile {
            name: "fits.csv".into(),
            bytes: report::fits_csv(&c),
        },
    ];
    let failed = |dir: &std::path::Path, e: std::io::Error| {
        Failure::other(format!(
            "cannot write the results to {}: {e}",
            dir.display()
        ))
    };
    write_all(&out_dir, &files).map_err(|e| failed(&out_dir, e))?;
    if let Some(path) = &args.output {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let file = path
            .file_name()
            .ok_or_else(|| Failure::input(format!("-o {}: not a file name", path.display())))?;
        write_all(
            dir,
            &[OutputFile {
                name: file.to_string_lossy().into_owned(),
                bytes: c.toml.clone().into_bytes(),
            }],
        )
        .map_err(|e| failed(dir, e))?;
    }
    let mut out = String::new();
    if !args.quiet {
        out.push_str(&report::calibrate_table(&h, &c));
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "Results written to {}/: scenario.toml, fits.csv",
        out_dir.display()
    );
    if let Some(p) = &args.output {
        let _ = writeln!(out, "Scenario written to {}", p.display());
    }
    print(&out)
}
