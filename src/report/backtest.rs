//! A backtest for people and programs: the table and verdict in the terminal, `backtest.json`
//! and `backtest.csv`.

use crate::backtest::{Agreement, Backtest, Check};
use serde::Serialize;
use std::fmt::Write;

#[derive(Serialize)]
struct Json<'a> {
    flowsim_version: &'a str,
    scenario: &'a str,
    runs: u32,
    seed: u64,
    /// Working days simulated.
    period: f64,
    /// Finished items compared.
    items: usize,
    /// Where the compared part starts, in working days from the history's origin (hold-out).
    compared_from: Option<f64>,
    fit_for_whatif: bool,
    verdict: &'a str,
    checks: &'a [Check],
    stages: &'a [Check],
    unmatched_stages: &'a [String],
}

pub fn backtest_json(b: &Backtest) -> Vec<u8> {
    let s = &b.simulated.summary;
    let j = Json {
        flowsim_version: env!("CARGO_PKG_VERSION"),
        scenario: &s.scenario,
        runs: s.runs,
        seed: s.seed,
        period: b.period,
        items: b.items,
        compared_from: b.calibration.as_ref().map(|c| c.1),
        fit_for_whatif: b.fit_for_whatif,
        verdict: &b.verdict,
        checks: &b.checks,
        stages: &b.stages,
        unmatched_stages: &b.unmatched,
    };
    super::whatif::json(&j)
}

pub fn backtest_csv(b: &Backtest) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "metric",
        "observed",
        "observed_low",
        "observed_high",
        "simulated",
        "simulated_se",
        "agreement",
    ]);
    for c in b.checks.iter().chain(&b.stages) {
        let _ = w.write_record([
            c.metric.clone(),
            c.observed.to_string(),
            c.observed_low.to_string(),
            c.observed_high.to_string(),
            c.simulated.to_string(),
            c.simulated_se.map_or(String::new(), |s| s.to_string()),
            words(c.agreement).to_string(),
        ]);
    }
    w.into_inner().expect("writing to memory cannot fail")
}

fn words(a: Agreement) -> &'static str {
    match a {
        Agreement::Agrees => "agrees",
        Agreement::Close => "close",
        Agreement::Off => "OFF",
    }
}

fn n(v: f64) -> String {
    super::fmt_num(v)
}

pub fn backtest_table(b: &Backtest, file: &str) -> String {
    let s = &b.simulated.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Backtest of \"{}\" against {file}: {} working days simulated, {} runs, seed {}; {} finished items compared{}.\n",
        s.scenario,
        n(b.period),
        s.runs,
        s.seed,
        b.items,
        match &b.calibration {
            Some((_, cut)) => format!(
                " (those arriving from working day {}; the scenario was calibrated on the part before)",
                n(*cut)
            ),
            None => String::new(),
        }
    );
    let _ = writeln!(
        out,
        "{:<34}{:>10}  {:<20}{:>14}  {:<22}verdict",
        "Working days", "observed", "(95% interval)", "simulated", "(one history: 95%)"
    );
    for (k, c) in b.checks.iter().chain(&b.stages).enumerate() {
        if k == b.checks.len() && !b.stages.is_empty() {
            let _ = writeln!(out, "Time per item at each stage:");
        }
        let _ = writeln!(
            out,
            "{:<34}{:>10}  {:<20}{:>14}  {:<22}{}",
            c.metric,
            n(c.observed),
            format!("({} to {})", n(c.observed_low), n(c.observed_high)),
            match c.simulated_se {
                Some(se) if se > 0.0 => format!("{} ±{}", n(c.simulated), n(se)),
                _ => n(c.simulated),
            },
            c.history_range.map_or(String::new(), |(a, b)| format!(
                "({} to {})",
                n(a.max(0.0)),
                n(b)
            )),
            words(c.agreement)
        );
    }
    if !b.unmatched.is_empty() {
        let _ = writeln!(
            out,
            "\nStages with no state of that name in the history (not compared): {}",
            b.unmatched.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "\nAgrees: the simulated value is in the history's interval, or the history is one the\nscenario could have produced; close: within 20%; OFF: neither.\n\n{}",
        b.verdict
    );
    out
}
