//! A calibration for people and programs: the table in the terminal and `fits.csv`.

use crate::calibrate::build::{Calibration, Role};
use crate::calibrate::fit::Choice;
use crate::history::History;
use std::fmt::Write;

/// What was calibrated from what, then one row per stage.
pub fn calibrate_table(h: &History, c: &Calibration) -> String {
    let mut out = String::new();
    if let Some(d) = h.dropped.first() {
        let _ = writeln!(
            out,
            "{} row{} of {} dropped (line {}: {}); see `flowsim map` for all of them.",
            h.dropped.len(),
            if h.dropped.len() == 1 { "" } else { "s" },
            h.file,
            d.line,
            d.reason
        );
    }
    let (done, open) = h.counts();
    let a = &c.arrivals;
    let arrivals = if a.backlog == a.items {
        format!("all {} were there on day 0", a.backlog)
    } else {
        format!(
            "{}{} a working day arrive{}",
            if a.backlog > 0 {
                format!("{} were there on day 0, then ", a.backlog)
            } else {
                String::new()
            },
            crate::dist::num((a.rate * 1000.0).round() / 1000.0),
            if a.poisson { " (a Poisson stream)" } else { "" }
        )
    };
    let _ = writeln!(
        out,
        "Calibrated from {}: {} items ({done} finished, {open} in progress) over {} working days; {arrivals}.\n",
        h.file,
        h.items.len(),
        crate::dist::num((c.period * 10.0).round() / 10.0),
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
    out
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
pub fn fits_csv(c: &Calibration) -> Vec<u8> {
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
