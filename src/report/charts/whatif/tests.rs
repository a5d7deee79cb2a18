//! The what-if charts from real comparisons, sweeps and advice on small scenarios, and from odd
//! data: a scenario with no item measured, a variant that removes a stage and one that adds one,
//! eight scenarios with long names, a single sweep point, a grid, nothing to advise.

use super::*;
use crate::runner::RunOptions;
use crate::scenario::ScenarioFile;
use crate::whatif::{Candidate, advise, compare, sweep};

const STREAM: &str = r#"
name = "Small stream"
time_unit = "hours"
[simulation]
runs = 12
seed = 3
horizon = 120
[arrivals]
rate = 0.5
[[stages]]
name = "Triage"
workers = 1
wip_limit = 3
duration = { dist = "exponential", mean = 0.5 }
[[stages]]
name = "Fix"
workers = 2
duration = { dist = "gamma", mean = 2, sd = 1.5 }
rework = { to = "Triage", probability = 0.1 }
[[stages]]
name = "Verify"
workers = 1
duration = { dist = "exponential", mean = 0.6 }

[[variants]]
name = "two triagers"
stages.Triage.workers = 2

[[variants]]
name = "no verification step at all, trusting the fixers completely and shipping straight away"
remove_stages = ["Verify"]

[[variants]]
name = "extra QA"
add_stages = [{ name = "QA", after = "Verify", workers = 1, duration = { dist = "exponential", mean = 0.4 } }]

[[variants]]
name = "nothing finishes"
stages.Triage.duration = { dist = "constant", value = 1000 }

[[variants]]
name = "slower fixes <b>&</b>"
stages.Fix.duration = { dist = "gamma", mean = 3, sd = 2 }

[[variants]]
name = "faster triage"
stages.Triage.duration = { dist = "exponential", mean = 0.2 }

[[variants]]
name = "three fixers"
stages.Fix.workers = 3
"#;

fn file() -> ScenarioFile {
    ScenarioFile::parse(STREAM, "test.toml").expect("valid scenario")
}

fn options(runs: u32) -> RunOptions {
    RunOptions {
        runs: Some(runs),
        seed: None,
    }
}

/// The baseline and the named variants (all of them when `names` is empty).
fn candidates(names: &[&str]) -> Vec<Candidate> {
    let f = file();
    let mut out = vec![Candidate {
        label: f.baseline.name.clone(),
        scenario: f.baseline.clone(),
    }];
    for v in &f.variants {
        if names.is_empty() || names.contains(&v.name.as_str()) {
            out.push(Candidate {
                label: v.name.clone(),
                scenario: f.variant_scenario(v).expect("valid variant"),
            });
        }
    }
    out
}

fn comparison(names: &[&str], runs: u32) -> ComparisonRun {
    compare::compare(&candidates(names), options(runs), &|_| {}).expect("runs")
}

fn check(charts: &[Chart], names: &[&str]) {
    crate::report::charts::tests::check_named(charts, names, 4000);
}

#[test]
fn eight_scenarios_with_a_removed_and_an_added_stage_and_one_without_items() {
    let run = comparison(&[], 12);
    assert_eq!(run.results.len(), 8);
    assert!(
        run.results[4].summary.lead_time.is_none(),
        "nothing finishes"
    );
    let charts = compare_charts(&run).expect("charts");
    check(
        &charts,
        &["compare-lead-time-cdf", "compare-where-the-time-goes"],
    );
    let cdf = &charts[0].svg;
    let base = run.results[0].summary.lead_time.as_ref().unwrap();
    let p85 = format!(
        "P85 {} hours",
        super::super::canvas::pm(base.p85, base.p85_se)
    );
    assert!(cdf.contains(&p85), "the legend states the baseline's {p85}");
    assert!(cdf.contains("nothing finishes: no item measured"));
    assert!(
        cdf.contains("slower fixes &lt;b&gt;&amp;&lt;/b&gt;"),
        "names are escaped"
    );
    let stages = &charts[1].svg;
    for s in ["Triage", "Fix", "Verify", "QA"] {
        assert!(
            stages.contains(&format!(">\n{s}\n<")),
            "stage {s} has a group"
        );
    }
    assert!(
        stages.contains("not in this scenario"),
        "a removed stage shows as missing"
    );
    assert!(stages.contains("no item measured"));
    // The same data gives the same bytes.
    let again = compare_charts(&run).expect("charts");
    for (a, b) in charts.iter().zip(&again) {
        assert_eq!(a.svg, b.svg, "{}", a.name);
        assert_eq!(a.png, b.png, "{}", a.name);
    }
}

#[test]
fn comparisons_with_nothing_measured_or_a_single_scenario_still_draw() {
    let mut run = comparison(&["nothing finishes"], 6);
    // Nothing measured anywhere.
    run.results.swap(0, 1);
    run.results[1] = run.results[0].clone();
    check(
        &compare_charts(&run).expect("charts"),
        &["compare-lead-time-cdf", "compare-where-the-time-goes"],
    );
    // The baseline alone.
    let mut alone = comparison(&["two triagers"], 6);
    alone.results.truncate(1);
    alone.labels.truncate(1);
    alone.comparison.scenarios.truncate(1);
    alone.compared.truncate(1);
    check(
        &compare_charts(&alone).expect("charts"),
        &["compare-lead-time-cdf", "compare-where-the-time-goes"],
    );
    // Odd numbers: NaN and infinite figures.
    let mut odd = comparison(&["two triagers"], 6);
    for r in &mut odd.results {
        if let Some(l) = r.summary.lead_time.as_mut() {
            l.p85_se = Some(f64::NAN);
            l.mean = f64::INFINITY;
        }
        for st in &mut r.summary.stages {
            st.mean_wait = f64::NAN;
        }
    }
    check(
        &compare_charts(&odd).expect("charts"),
        &["compare-lead-time-cdf", "compare-where-the-time-goes"],
    );
}

#[test]
fn sweeps_of_one_point_a_line_and_a_grid() {
    let f = file();
    let one = [sweep::parse_set("stages.Fix.workers=2").unwrap()];
    let run = sweep::sweep(&f, &one, options(6), &|_| {}).expect("sweep");
    let charts = sweep_charts(&run).expect("charts");
    check(&charts, &["sweep-lead-time"]);
    assert!(
        charts[0]
            .svg
            .contains("Lead time as workers at Fix changes")
    );

    let line = [sweep::parse_set("stages.Fix.workers=1..4").unwrap()];
    let run = sweep::sweep(&f, &line, options(6), &|_| {}).expect("sweep");
    let charts = sweep_charts(&run).expect("charts");
    check(&charts, &["sweep-lead-time"]);
    let svg = &charts[0].svg;
    assert!(svg.contains("Bottleneck"), "the strip names the bottleneck");
    for p in &run.sweep.points {
        if let Some(b) = &p.bottleneck {
            assert!(svg.contains(b.as_str()), "bottleneck {b} is shown");
        }
    }

    let grid = [
        sweep::parse_set("stages.Triage.workers=1,2").unwrap(),
        sweep::parse_set("stages.Fix.workers=1..3").unwrap(),
    ];
    let run = sweep::sweep(&f, &grid, options(6), &|_| {}).expect("sweep");
    let charts = sweep_charts(&run).expect("charts");
    check(&charts, &["sweep-lead-time"]);
    // The parameter with more values runs along the axis, one line per value of the other.
    assert!(
        charts[0]
            .svg
            .contains("P85 lead time by workers at Fix, one line per workers at Triage")
    );
    assert!(charts[0].svg.contains("workers at Triage = 2"));

    // Points without lead times, and parameters that do not match the points.
    let mut odd = run.clone();
    odd.sweep.points[1].lead_time = None;
    odd.sweep.points[2].bottleneck = None;
    check(&sweep_charts(&odd).expect("charts"), &["sweep-lead-time"]);
    odd.sweep.parameters.pop();
    odd.sweep.parameters[0].1.push(f64::NAN);
    check(&sweep_charts(&odd).expect("charts"), &["sweep-lead-time"]);
    odd.sweep.points.clear();
    assert!(sweep_charts(&odd).expect("no points").is_empty());
}

#[test]
fn tornado_ranks_marks_and_lists() {
    let f = file();
    let a = advise::advise(&f, options(8), &|_| {}).expect("advise");
    let charts = advise_charts(&a).expect("charts");
    check(&charts, &["advise-tornado"]);
    let svg = &charts[0].svg;
    assert!(svg.contains("95% confidence interval"));
    for c in a.changes.iter().filter(|c| c.skipped.is_none()) {
        let words = c.change.replace('"', "&quot;");
        let start: String = words.chars().take(20).collect();
        assert!(svg.contains(&start), "{} is drawn", c.change);
    }

    // Screened out, skipped, unmeasured and interval-less changes; then nothing at all.
    let mut odd = a.clone();
    odd.changes[0].screened_out = true;
    odd.changes[1].skipped = Some("the WIP limit would be below 1".into());
    odd.changes[2].p85.estimate = f64::NAN;
    odd.changes[3].p85.ci_low = f64::NEG_INFINITY;
    odd.changes[3].p85.ci_high = f64::INFINITY;
    let charts = advise_charts(&odd).expect("charts");
    check(&charts, &["advise-tornado"]);
    assert!(charts[0].svg.contains("screened out"));
    assert!(charts[0].svg.contains("Not run: "));
    assert!(charts[0].svg.contains("no interval"));
    odd.changes.clear();
    check(&advise_charts(&odd).expect("charts"), &["advise-tornado"]);
}
