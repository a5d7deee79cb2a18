//! `flowsim compare`, `flowsim sweep` and `flowsim advise`: what-if questions, answered with
//! common random numbers.

use super::{CommonArgs, Failure, draw, finish, load_file, progress_bar, stem, with_threads};
use crate::report::charts;
use crate::report::output::OutputFile;
use crate::report::{html, whatif};
use crate::whatif::{Candidate, advise, compare, sweep};
use std::path::PathBuf;

pub const COMPARE_EXAMPLES: &str = "\
Examples:
  flowsim compare scenarios/feature-delivery.toml                 the baseline against all its [[variants]]
  flowsim compare scenarios/feature-delivery.toml --variant \"one more developer\"
  flowsim compare today.toml proposal.toml --runs 2000

Every scenario runs with the same seed and replications (common random numbers), so differences
come from the change and not from luck. Writes compare.json, compare.csv, compare.html and charts
to --out (default: output/compare-<first file name>/).";

pub const SWEEP_EXAMPLES: &str = "\
Examples:
  flowsim sweep scenarios/feature-delivery.toml --set teams.developers.people=3..8
  flowsim sweep my.toml --set 'stages.\"Code review\".rework.probability=0.05..0.3:0.05'
  flowsim sweep my.toml --set stages.Review.workers=1,2,4 --set arrivals.rate=0.5..1.0:0.25

Values: 1..5 (both ends included), 1..10:3 (a step), 0.1..0.5:0.1 (decimals need a step), or a
list 1,2,4. Two --set make a grid. More than 50 points need --yes. Writes sweep.json, sweep.csv
and a chart to --out (default: output/sweep-<file name>/).";

pub const ADVISE_EXAMPLES: &str = "\
Examples:
  flowsim advise scenarios/feature-delivery.toml
  flowsim advise my.toml --runs 2000

Tries one more person at each stage, 20% shorter work at each stage, half the rework, releases
twice as often, delays halved and each WIP limit one higher and one lower; ranks them by their
effect on P85 lead time with 95% confidence intervals. Writes advise.json, advise.csv and a
tornado chart to --out (default: output/advise-<file name>/).";

/// Most sweep points run without `--yes`.
const SWEEP_POINTS_WITHOUT_YES: usize = 50;

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Scenario files; the first is the baseline the others are compared with
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    /// A [[variants]] entry of the first file to compare (repeat for several); without any,
    /// every variant of the first file is compared
    #[arg(long = "variant", value_name = "NAME")]
    variants: Vec<String>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Scenario file
    scenario: PathBuf,
    /// PATH=VALUES: the value to vary and its values (once for a line, twice for a grid)
    #[arg(long = "set", value_name = "PATH=VALUES", required = true)]
    set: Vec<String>,
    /// Run a sweep of more than 50 points
    #[arg(long)]
    yes: bool,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, clap::Args)]
pub struct AdviseArgs {
    /// Scenario file
    scenario: PathBuf,
    #[command(flatten)]
    common: CommonArgs,
}

pub fn compare(args: CompareArgs) -> Result<(), Failure> {
    let first = load_file(&args.scenarios[0])?;
    let mut cands = vec![Candidate {
        label: first.baseline.name.clone(),
        scenario: first.baseline.clone(),
    }];
    let mut wanted: Vec<&str> = if args.variants.is_empty() && args.scenarios.len() == 1 {
        first.variants.iter().map(|v| v.name.as_str()).collect()
    } else {
        args.variants.iter().map(String::as_str).collect()
    };
    // `--variant x --variant x` compares x once.
    let mut seen = std::collections::HashSet::new();
    wanted.retain(|name| seen.insert(*name));
    for name in wanted {
        let v = first.variant(name).map_err(Failure::input)?;
        let scenario = first.variant_scenario(v).map_err(|e| {
            Failure::input(format!("{e}\nThe variant is invalid; nothing was run."))
        })?;
        cands.push(Candidate {
            label: v.name.clone(),
            scenario,
        });
    }
    for path in &args.scenarios[1..] {
        let f = load_file(path)?;
        let mut label = f.baseline.name.clone();
        if cands.iter().any(|c| c.label == label) {
            label = format!("{label} ({})", path.display());
        }
        cands.push(Candidate {
            label,
            scenario: f.baseline,
        });
    }
    // Differences are only meaningful in one unit: 2 days and 2 hours are not comparable.
    let unit = first.baseline.time_unit;
    if let Some(c) = cands.iter().find(|c| c.scenario.time_unit != unit) {
        return Err(Failure::input(format!(
            "\"{}\" counts time in {} but the baseline \"{}\" in {}; a comparison needs one time unit: \
             write both scenarios in the same unit. Nothing was run.",
            c.label,
            c.scenario.time_unit.plural(),
            cands[0].label,
            unit.plural()
        )));
    }
    if cands.len() < 2 {
        return Err(Failure::input(format!(
            "nothing to compare: {} has no [[variants]]; give a second scenario file, or add a variant:\n\n\
             [[variants]]\nname = \"one more reviewer\"\nstages.Review.workers = 2",
            args.scenarios[0].display()
        )));
    }
    for c in &cands {
        for w in crate::scenario::traffic::analyse(&c.scenario).warnings {
            eprintln!("warning: {}: {w}", c.label);
        }
    }
    let options = args.common.options();
    let runs = options.runs.unwrap_or(first.baseline.simulation.runs);
    let bar = progress_bar(u64::from(runs) * cands.len() as u64, args.common.quiet);
    let progress = |done: u64| bar.set_position(done);
    let run = with_threads(args.common.threads, || {
        compare::compare(&cands, options, &progress)
    })?
    .map_err(|e| Failure::other(e.to_string()))?;
    let drawn = draw(&args.common, || charts::compare_charts(&run))?;
    bar.finish_and_clear();
    let files = vec![
        OutputFile {
            name: "compare.json".into(),
            bytes: whatif::json(&run.comparison),
        },
        OutputFile {
            name: "compare.csv".into(),
            bytes: whatif::compare_csv(&run.comparison),
        },
        OutputFile {
            name: "compare.html".into(),
            bytes: html::compare_html(&run, &drawn).into_bytes(),
        },
    ];
    let out_dir = args
        .common
        .out_dir(&format!("compare-{}", stem(&args.scenarios[0])));
    finish(
        &args.common,
        &out_dir,
        whatif::compare_table(&run.comparison),
        files,
        drawn,
    )
}

pub fn sweep(args: SweepArgs) -> Result<(), Failure> {
    let file = load_file(&args.scenario)?;
    if args.set.len() > 2 {
        return Err(Failure::input(
            "at most two --set: one for a line of points, two for a grid",
        ));
    }
    let params = args
        .set
        .iter()
        .map(|s| sweep::parse_set(s).map_err(|e| Failure::input(format!("--set {s}: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    if params.len() == 2 && params[0].path == params[1].path {
        return Err(Failure::input(format!(
            "--set {} is given twice; a grid needs two different values to vary",
            params[0].name()
        )));
    }
    let n: usize = params.iter().map(|p| p.values.len()).product();
    let options = args.common.options();
    let runs = options.runs.unwrap_or(file.baseline.simulation.runs);
    if n > SWEEP_POINTS_WITHOUT_YES && !args.yes {
        return Err(Failure::input(format!(
            "this sweep has {} points of {} runs each ({} replications in all); \
             add --yes to run it, or use fewer values or --runs",
            crate::numbers::thousands(n as u64),
            crate::numbers::thousands(u64::from(runs)),
            crate::numbers::thousands(n as u64 * u64::from(runs))
        )));
    }
    // Validate every point before running any.
    sweep::candidates(&file, &params)
        .map_err(|e| Failure::input(format!("{e}\nThe sweep is invalid; nothing was run.")))?;
    let bar = progress_bar(u64::from(runs) * n as u64, args.common.quiet);
    let progress = |done: u64| bar.set_position(done);
    let run = with_threads(args.common.threads, || {
        sweep::sweep(&file, &params, options, &progress)
    })?
    .map_err(|e| Failure::other(e.to_string()))?;
    let drawn = draw(&args.common, || charts::sweep_charts(&run))?;
    bar.finish_and_clear();
    let files = vec![
        OutputFile {
            name: "sweep.json".into(),
            bytes: whatif::json(&run.sweep),
        },
        OutputFile {
            name: "sweep.csv".into(),
            bytes: whatif::sweep_csv(&run.sweep),
        },
    ];
    let out_dir = args
        .common
        .out_dir(&format!("sweep-{}", stem(&args.scenario)));
    finish(
        &args.common,
        &out_dir,
        whatif::sweep_table(&run.sweep),
        files,
        drawn,
    )
}

pub fn advise(args: AdviseArgs) -> Result<(), Failure> {
    let file = load_file(&args.scenario)?;
    for w in crate::scenario::traffic::analyse(&file.baseline).warnings {
        eprintln!("warning: {w}");
    }
    let options = args.common.options();
    let runs = options.runs.unwrap_or(file.baseline.simulation.runs);
    let changes = advise::candidate_changes(&file).len() as u64 + 1;
    // Screening runs every change, refining at most all of them again.
    let total = u64::from(runs.min(advise::SCREEN_RUNS)) * changes
        + if runs > advise::SCREEN_RUNS {
            u64::from(runs) * changes
        } else {
            0
        };
    let bar = progress_bar(total, args.common.quiet);
    let progress = |done: u64| bar.set_position(done);
    let result = with_threads(args.common.threads, || {
        advise::advise(&file, options, &progress)
    })?
    .map_err(|e| Failure::other(e.to_string()))?;
    let drawn = draw(&args.common, || charts::advise_charts(&result))?;
    bar.finish_and_clear();
    let files = vec![
        OutputFile {
            name: "advise.json".into(),
            bytes: whatif::json(&result),
        },
        OutputFile {
            name: "advise.csv".into(),
            bytes: whatif::advise_csv(&result),
        },
    ];
    let out_dir = args
        .common
        .out_dir(&format!("advise-{}", stem(&args.scenario)));
    finish(
        &args.common,
        &out_dir,
        whatif::advise_table(&result),
        files,
        drawn,
    )
}
