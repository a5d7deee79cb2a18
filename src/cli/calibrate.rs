//! `flowsim calibrate`: a commented scenario that reproduces an item history.

use super::history_args::HistoryArgs;
use super::{Failure, print, stem};
use crate::calibrate::build::{Role, calibrate};
use crate::calibrate::fit::Choice;
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
            bytes: fits_csv(&c),
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
        let (done, open) = h.counts();
        let _ = writeln!(
            out,
            "Calibrated from {}: {} items ({done} finished, {open} in progress) over {} working days; {} a working day arrive{}.\n",
            h.file,
            h.items.len(),
            crate::dist::num((c.period * 10.0).round() / 10.0),
            crate::dist::num((c.arrivals.rate * 1000.0).round() / 1000.0),
            if c.arrivals.poisson {
                " (a Poisson stream)"
            } else {
                ""
            }
        );
        let _ = writeln!(
            out,
            "{:<26}{:<8}{:>8}{:>8}  {:<44}rework",
            "Stage", "kind", "people", "visits", "duration"
        );
        for st in &c.stages {
            let _ = writeln!(
                out,
                "{:<26}{:<8}{:>8}{:>8}  {:<44}{}",
                st.name,
                match st.role {
                    Role::Work => "work",
                    Role::Delay => "delay",
                },
                st.capacity.map_or("-".into(), |c| c.to_string()),
                st.visits,
                st.duration
                    .as_ref()
                    .map_or("(none: placeholder)".into(), short),
                st.rework.as_ref().map_or(String::new(), |r| format!(
                    "{:.1}% to {}",
                    r.probability * 100.0,
                    r.to
                ))
            );
        }
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

/// A duration in a few words: `lognormal (KS p 0.41)` or `empirical (312 values)`.
fn short(c: &Choice) -> String {
    match c {
        Choice::Fitted { best, .. } => {
            format!(
                "{} mean {:.3} (KS p {:.2})",
                best.family(),
                best.mean,
                best.ks_p
            )
        }
        Choice::Empirical { samples, .. } => {
            let mean = samples.iter().sum::<f64>() / samples.len().max(1) as f64;
            format!("empirical mean {mean:.3} ({} values)", samples.len())
        }
    }
}

/// One row per stage and family tried: the fit's figures and whether it was chosen.
fn fits_csv(c: &crate::calibrate::build::Calibration) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "stage",
        "family",
        "mean",
        "log_likelihood",
        "aic",
        "ks_d",
        "ks_p",
        "samples",
        "zeros",
        "chosen",
    ]);
    let arrivals = (
        "(arrivals: time between)".to_string(),
        c.arrivals.interval.as_ref(),
    );
    let rows = c
        .stages
        .iter()
        .map(|s| (s.name.clone(), s.duration.as_ref()))
        .chain(std::iter::once(arrivals));
    for (name, choice) in rows {
        let Some(choice) = choice else { continue };
        let (all, chosen) = match choice {
            Choice::Fitted { best, all } => (all, Some(best.family())),
            Choice::Empirical { all, .. } => (all, None),
        };
        for f in all {
            let _ = w.write_record([
                name.clone(),
                f.family().to_string(),
                f.mean.to_string(),
                f.log_likelihood.to_string(),
                f.aic.to_string(),
                f.ks_d.to_string(),
                f.ks_p.to_string(),
                f.n.to_string(),
                f.zeros.to_string(),
                (Some(f.family()) == chosen).to_string(),
            ]);
        }
        if chosen.is_none() {
            let _ = w.write_record([&name, "empirical", "", "", "", "", "", "", "", "true"]);
        }
    }
    w.into_inner().expect("writing to memory cannot fail")
}
