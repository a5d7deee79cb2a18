//! `flowsim map`: the value stream as it really was, from a work-item history.

use super::history_args::HistoryArgs;
use super::{CommonArgs, Failure, draw, finish, stem};
use crate::history::map;
use crate::report::charts;
use crate::report::map as report;
use crate::report::output::OutputFile;
use std::path::PathBuf;

pub const EXAMPLES: &str = "\
Examples:
  flowsim map scenarios/data/history.csv                  the example: states found in the file
  flowsim map scenarios/data/history.csv --wait Deploy    name a state where items wait
  flowsim map kep_transitions.csv --mapping scenarios/data/mappings/k8s-keps.toml
  flowsim map export.csv --date-format %d/%m/%Y --abandoned \"Won't do\" --out results/map

A history has one row per item with a column per state (wide), or one row per state entered
(long). Times are in working days (Monday to Friday unless the mapping's [calendar] or
--all-days says otherwise). Writes map.json, states.csv, items.csv, weeks.csv, dropped.csv,
charts and map.html to --out (default: output/map-<file name>/). See docs/history.md.";

#[derive(Debug, clap::Args)]
pub struct MapArgs {
    #[command(flatten)]
    history: HistoryArgs,
    /// Directory for the results (default: output/map-<file name>)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Do not draw charts
    #[arg(long)]
    no_charts: bool,
    /// Print only where the results were written
    #[arg(long, short = 'q')]
    quiet: bool,
}

pub fn map(args: MapArgs) -> Result<(), Failure> {
    let h = args.history.load()?;
    let m = map::analyse(&h);
    let common = CommonArgs {
        runs: None,
        seed: None,
        out: args.out.clone(),
        no_charts: args.no_charts,
        threads: None,
        quiet: args.quiet,
    };
    let drawn = draw(&common, || charts::map_charts(&m))?;
    let files = vec![
        OutputFile {
            name: "map.html".into(),
            bytes: report::map_html(&m, &drawn).into_bytes(),
        },
        OutputFile {
            name: "map.json".into(),
            bytes: report::map_json(&m),
        },
        OutputFile {
            name: "states.csv".into(),
            bytes: report::states_csv(&m),
        },
        OutputFile {
            name: "items.csv".into(),
            bytes: report::items_csv(&m),
        },
        OutputFile {
            name: "weeks.csv".into(),
            bytes: report::weeks_csv(&m),
        },
        OutputFile {
            name: "dropped.csv".into(),
            bytes: report::dropped_csv(&m),
        },
    ];
    for w in &m.warnings {
        eprintln!("warning: {w}");
    }
    let out_dir = common.out_dir(&format!("map-{}", stem(&args.history.history)));
    finish(&common, &out_dir, report::map_table(&m), files, drawn)
}
