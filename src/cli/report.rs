//! `flowsim report`: redraws the charts and `report.html` from a run's saved results, without
//! simulating.

use super::{Failure, files, print};
use crate::metrics::Summary;
use crate::metrics::charts::ChartData;
use crate::report::output::write_all;
use std::path::{Path, PathBuf};

pub const EXAMPLES: &str = "\
Examples:
  flowsim report output/feature-delivery
  flowsim report output/feature-delivery --out /tmp/copy

Reads summary.json, charts.json and scenario.toml from DIR (as `flowsim run` wrote them) and
writes the charts (SVG and PNG) and report.html to --out (default: DIR itself).";

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Directory of an earlier run's results
    dir: PathBuf,
    /// Directory for the charts and the report (default: DIR)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

fn read(dir: &Path, name: &str, why: &str) -> Result<Vec<u8>, Failure> {
    let path = dir.join(name);
    std::fs::read(&path)
        .map_err(|e| Failure::input(format!("cannot read {}: {e}; {why}", path.display())))
}

fn parse<T: serde::de::DeserializeOwned>(
    dir: &Path,
    name: &str,
    bytes: &[u8],
) -> Result<T, Failure> {
    serde_json::from_slice(bytes).map_err(|e| {
        Failure::input(format!(
            "{}: not the results of this version of flowsim ({e}); run the scenario again with `flowsim run`",
            dir.join(name).display()
        ))
    })
}

pub fn report(args: ReportArgs) -> Result<(), Failure> {
    let dir = &args.dir;
    let summary: Summary = parse(
        dir,
        "summary.json",
        &read(
            dir,
            "summary.json",
            "is this the directory a `flowsim run` wrote?",
        )?,
    )?;
    let data: ChartData = parse(
        dir,
        "charts.json",
        &read(
            dir,
            "charts.json",
            "it is written by `flowsim run` unless --no-charts was given",
        )?,
    )?;
    let text = String::from_utf8_lossy(&read(
        dir,
        "scenario.toml",
        "it is written by `flowsim run`",
    )?)
    .into_owned();
    let out_dir = args.out.clone().unwrap_or_else(|| dir.clone());
    let files = files::report_files(&summary, Some(&data), &text)?;
    write_all(&out_dir, &files).map_err(|e| {
        Failure::other(format!(
            "cannot write the report to {}: {e}",
            out_dir.display()
        ))
    })?;
    print(&format!(
        "Report written to {}/: {}\n",
        out_dir.display(),
        files::describe(&files)
    ))
}
