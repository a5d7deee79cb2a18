//! Forecasts from a scenario (`forecast::model` and `flowsim forecast SCENARIO`): exact dates
//! with constant work (weekends, holidays, a year end, hours and weeks), the Gamma makespan of one
//! exponential worker against its exact quantiles and CDF, ordered percentiles, exact "how many
//! by a date" counts, scope that splits and is discovered, features worked in order under a
//! feature WIP limit with their targets, and the command line end to end: forecast.json,
//! forecast.csv, the charts, reproducibility across threads, and bad input with exit code 2.
//!
//! Expected dates are worked out by hand in the comments (2027-01-04 is a Monday); statistical
//! tolerances follow from the Monte Carlo standard error with z = 4.

use crate::common::{Z, assert_close, flowsim, flowsim_bin, path_str, scenario, temp_dir};
use flowsim::calendar::{Calendar, parse_date};
use flowsim::forecast::{
    self, DEFAULT_PERCENTILES, Forecast, Question, RunOutcome, features, model, percentile_key,
};
use flowsim::scenario::{Scenario, ScenarioFile};
use jiff::civil::{Date, Weekday};
use serde_json::Value;
use statrs::distribution::{ChiSquared, Continuous, ContinuousCDF, Gamma, Normal};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn date(s: &str) -> Date {
    parse_date(s).unwrap()
}

/// The k-th Monday-to-Friday day on or after `start` (k = 1 is the first), counted here without
/// the calendar under test.
fn nth_weekday(start: Date, k: u64) -> Date {
    assert!(k >= 1);
    let mut d = start;
    let mut n = 0;
    loop {
        if !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
            n += 1;
            if n == k {
                return d;
            }
        }
        d = d.tomorrow().unwrap();
    }
}

/// One stage with one worker and constant durations, a backlog and nothing arriving.
/// `calendar` is the body of `[calendar]`, `extra` any further tables.
fn one_worker(unit: &str, value: f64, backlog: u32, calendar: &str, extra: &str) -> String {
    format!(
        r#"name = "one worker"
time_unit = "{unit}"

[arrivals]
backlog = {backlog}

[[stages]]
name = "Work"
workers = 1
duration = {{ dist = "constant", value = {value:?} }}

[calendar]
{calendar}

{extra}
"#
    )
}

/// The scenario's calendar (its `[calendar]`, from its own start unless `start` is given).
fn calendar_of(sc: &Scenario, start: Option<&str>) -> Calendar {
    sc.calendar
        .as_ref()
        .expect("test scenarios have a [calendar]")
        .calendar(start.map(date), sc.time_unit)
        .unwrap()
}

fn question(items: Option<u64>, by: Option<&str>, percentiles: &[f64]) -> Question {
    Question {
        items,
        by: by.map(date),
        percentiles: percentiles.to_vec(),
    }
}

/// A forecast from a scenario, as the command line makes it: the runs, then their summary (and
/// the per-run outcomes and per-feature completion days, for checks run by run).
fn forecast_with(
    sc: &Scenario,
    cal: &Calendar,
    q: &Question,
    runs: u32,
    seed: u64,
) -> (Forecast, Vec<RunOutcome>, Vec<Vec<f64>>) {
    let (outcomes, feature_days) =
        model::simulate(sc, cal, q, runs, seed, &|_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(outcomes.len(), runs as usize);
    let mut f = forecast::summarize(
        &outcomes,
        q,
        cal,
        format!("scenario \"{}\"", sc.name),
        seed,
        String::new(),
        Vec::new(),
    )
    .unwrap();
    if let Some(plan) = &sc.features {
        f.features =
            Some(model::feature_forecasts(plan, &feature_days, cal, &q.percentiles).unwrap());
    }
    (f, outcomes, feature_days)
}

/// Completion dates by percentile, in increasing order of the percentile: (p, date, working days).
fn dates_by_p(f: &Forecast) -> Vec<(f64, String, f64)> {
    let mut v: Vec<(f64, String, f64)> = f
        .completion_date
        .as_ref()
        .expect("a completion date")
        .iter()
        .map(|(k, d)| (k[1..].parse().unwrap(), d.date.clone(), d.working_days))
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

/// Every percentile is this date and this many working days, and every run finished that day.
fn assert_exact(what: &str, f: &Forecast, expected: &str, working_days: f64) {
    let dates = dates_by_p(f);
    assert_eq!(dates.len(), f.completion_date.as_ref().unwrap().len());
    for (p, d, wd) in &dates {
        assert_eq!(d, expected, "{what}: P{p}");
        assert!(
            (wd - working_days).abs() <= 1e-9 * working_days,
            "{what}: P{p} is {wd} working days, expected {working_days}"
        );
    }
    assert_eq!(
        f.completion_distribution,
        vec![(expected.to_string(), u64::from(f.runs))],
        "{what}: every run finishes on {expected}"
    );
}

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn load(rel: &str) -> Scenario {
    ScenarioFile::load(&repo(rel))
        .unwrap_or_else(|e| panic!("{e}"))
        .baseline
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).expect("valid JSON")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `flowsim` and returns its standard output, failing the test with its errors otherwise.
fn ok(args: &[&str]) -> String {
    let out = flowsim(args);
    assert!(
        out.status.success(),
        "flowsim {args:?} failed with {:?}:\n{}",
        out.status.code(),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Runs `flowsim`, expects bad input (exit code 2) and returns its error output.
fn bad(args: &[&str]) -> String {
    let out = flowsim(args);
    let err = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "flowsim {args:?}: expected exit code 2; stdout:\n{}\nstderr:\n{err}",
        text(&out.stdout)
    );
    err
}

fn assert_contains(text: &str, parts: &[&str]) {
    for p in parts {
        assert!(text.contains(p), "missing `{p}` in:\n{text}");
    }
}

/// An ISO date as written by flowsim: it parses, and prints back the same.
fn iso(v: &Value) -> Date {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("{v} is not a date string"));
    let d: Date = s.parse().unwrap_or_else(|_| panic!("`{s}` is not a date"));
    assert_eq!(d.to_string(), s, "`{s}` is not in ISO form");
    d
}

/// "line:column" of the first occurrence of `needle` in `text` (1-based, column in characters).
fn line_col(text: &str, needle: &str) -> String {
    let at = text.find(needle).expect("needle in text");
    let line = text[..at].matches('\n').count() + 1;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    format!("{line}:{}", text[line_start..at].chars().count() + 1)
}

// ---------------------------------------------------------------------------------------------
// 1. Exact dates with constant work
// ---------------------------------------------------------------------------------------------

/// One worker, one-day items: the makespan is the number of items in working days, so every
/// percentile is one exact date. Weekends, a start on a Saturday, holidays over a year end, a
/// working day of 6 hours and a four-day week each move it where the calendar says.
#[test]
fn constant_work_finishes_on_an_exact_date() {
    let p = DEFAULT_PERCENTILES;

    // 20 one-day items from Monday 2027-01-04: weeks of Jan 4-8, 11-15, 18-22, 25-29 hold days
    // 1-20, so all are done on the fourth Friday, 2027-01-29.
    let sc = scenario(&one_worker("days", 1.0, 20, "start = 2027-01-04", ""));
    let cal = calendar_of(&sc, None);
    let (f, outcomes, _) = forecast_with(&sc, &cal, &question(Some(20), None, &p), 30, 1);
    assert_exact("20 days from Monday", &f, "2027-01-29", 20.0);
    assert_eq!(f.start, "2027-01-04");
    // The burn-up: exactly k items by the end of working day k, in every run.
    let burn: Vec<u32> = (1..=20).collect();
    assert!(outcomes.iter().all(|o| o.burn_up == burn));
    let b = f.burn_up.as_ref().unwrap();
    assert_eq!(b.dates.first().unwrap(), "2027-01-04");
    assert_eq!(b.dates[5], "2027-01-11", "day 6 is the second Monday");
    assert_eq!(b.dates.last().unwrap(), "2027-01-29");
    assert_eq!(b.p50, (1..=20).map(f64::from).collect::<Vec<_>>());

    // The same backlog from Saturday 2027-01-02 (a start given as on the command line): day 1 is
    // Monday 2027-01-04, so the same Friday.
    let cal = calendar_of(&sc, Some("2027-01-02"));
    let (f, _, _) = forecast_with(&sc, &cal, &question(Some(20), None, &p), 10, 1);
    assert_exact("20 days from Saturday", &f, "2027-01-29", 20.0);
    assert_eq!(f.start, "2027-01-02");

    // 10 one-day items from Monday 2027-12-20 with 24-31 December and Monday 3 January off:
    // days 1-4 are Mon 20 to Thu 23 Dec; Fri 24 to Fri 31 are holidays, 1-2 Jan 2028 a weekend,
    // Mon 3 Jan a holiday; days 5-8 are Tue 4 to Fri 7 Jan, day 9 Mon 10, day 10 Tue 11 Jan 2028.
    let sc = scenario(&one_worker(
        "days",
        1.0,
        10,
        r#"start = 2027-12-20
holidays = ["2027-12-24..2027-12-31", 2028-01-03]"#,
        "",
    ));
    let cal = calendar_of(&sc, None);
    let (f, _, _) = forecast_with(&sc, &cal, &question(Some(10), None, &p), 10, 1);
    assert_exact("over the year end", &f, "2028-01-11", 10.0);
    // Four items are done before the holidays, the fifth on the first working day after them.
    let (f, _, _) = forecast_with(&sc, &cal, &question(Some(4), None, &p), 10, 1);
    assert_exact("before the holidays", &f, "2027-12-23", 4.0);
    let (f, _, _) = forecast_with(&sc, &cal, &question(Some(5), None, &p), 10, 1);
    assert_exact("after the holidays", &f, "2028-01-04", 5.0);

    // Hours, 6 a day: ten 4-hour items take 40 hours = 6 2/3 working days, done during the 7th
    // working day, Tuesday 2027-01-12 (with 8-hour days it would be the 5th, Friday 8 January).
    let sc = scenario(&one_worker(
        "hours",
        4.0,
        10,
        "start = 2027-01-04\nhours_per_day = 6",
        "",
    ));
    let cal = calendar_of(&sc, None);
    let (f, _, _) = forecast_with(&sc, &cal, &question(Some(10), None, &p), 10, 1);
    assert_exact("hours", &f, "2027-01-12", 40.0 / 6.0);
    // 8-hour days and 8-hour items: one a day, as with days.
    let sc = scenario(&one_worker(
        "hours",
        8.0,
        20,
        "start = 2027-01-04\nhours_per_day = 8",
        "",
    ));
    let (f, _, _) = forecast_with(
        &sc,
        &calendar_of(&sc, None),
        &question(Some(20), None, &p),
        10,
        1,
    );
    assert_exact("8-hour days", &f, "2027-01-29", 20.0);

    // Weeks of four working days (Monday to Thursday): nine half-week items take 4.5 weeks = 18
    // working days. Days 1-16 are the four weeks from 4 January (Mon-Thu), day 17 Monday 1
    // February, day 18 Tuesday 2 February 2027 (a five-day week would give the 23rd working day).
    let sc = scenario(&one_worker(
        "weeks",
        0.5,
        9,
        r#"start = 2027-01-04
working_days = ["mon", "tue", "wed", "thursday"]"#,
        "",
    ));
    let cal = calendar_of(&sc, None);
    let (f, _, _) = forecast_with(&sc, &cal, &question(Some(9), None, &p), 10, 1);
    assert_exact("weeks of four days", &f, "2027-02-02", 18.0);
}

// ---------------------------------------------------------------------------------------------
// 2. Analytic agreement: the Gamma makespan
// ---------------------------------------------------------------------------------------------

/// One worker, exponential durations of mean 1 day, a backlog of N = 20: the makespan is the sum
/// of 20 exponentials, Gamma(shape 20, rate 1), in working days.
///
/// 4,000 runs. Each percentile's working days against the Gamma quantile x_q, with the
/// order-statistic standard error sqrt(q(1-q)/R)/f(x_q) (f the Gamma density), z = 4. Its date is
/// the ceil(working days)-th weekday, counted here. The reported batch-means standard error is
/// checked against the order-statistic one: their ratio is distributed like sqrt(χ²₁₉/19), so it
/// must lie between that distribution's quantiles at the same two-sided tail as z = 4. The chance
/// to be done by Friday 2027-01-29 (the end of the 20th working day) against the Gamma CDF at 20
/// with the binomial standard error. The mean count done by that date against the exact
/// E[min(N(20), 20)] = Σ_{k=1..20} P(Gamma(k, 1) ≤ 20) (N a Poisson process of rate 1), with the
/// standard error from the runs' spread.
#[test]
fn one_exponential_worker_finishes_like_a_gamma() {
    let (n, runs) = (20u32, 4000u32);
    let sc = scenario(&format!(
        r#"name = "exponential"
[arrivals]
backlog = {n}
[[stages]]
name = "Work"
workers = 1
duration = {{ dist = "exponential", mean = 1 }}
[calendar]
start = 2027-01-04
"#
    ));
    let cal = calendar_of(&sc, None);
    // 2027-01-29 is the 20th working day from Monday 2027-01-04 (see the test above).
    let by = "2027-01-29";
    let q = question(Some(u64::from(n)), Some(by), &DEFAULT_PERCENTILES);
    let (f, outcomes, _) = forecast_with(&sc, &cal, &q, runs, 2027);
    let r = f64::from(runs);
    let gamma = Gamma::new(f64::from(n), 1.0).unwrap();
    let tail = 1.0 - Normal::new(0.0, 1.0).unwrap().cdf(Z);
    let chi = ChiSquared::new(19.0).unwrap();
    let (lo, hi) = (
        (chi.inverse_cdf(tail) / 19.0).sqrt(),
        (chi.inverse_cdf(1.0 - tail) / 19.0).sqrt(),
    );
    let dates = f.completion_date.as_ref().unwrap();
    for p in DEFAULT_PERCENTILES {
        let qq = p / 100.0;
        let d = &dates[&percentile_key(p)];
        let exact = gamma.inverse_cdf(qq);
        let se = (qq * (1.0 - qq) / r).sqrt() / gamma.pdf(exact);
        assert_close(&format!("P{p} working days"), d.working_days, exact, se, Z);
        let day = nth_weekday(date("2027-01-04"), d.working_days.ceil() as u64);
        assert_eq!(
            d.date,
            day.to_string(),
            "P{p}: {} working days",
            d.working_days
        );
        let batch = d.se_working_days.expect("a standard error");
        let ratio = batch / se;
        eprintln!(
            "P{p}: {:.3} working days vs Gamma {exact:.3} (se {se:.3}); batch se / order-statistic se = {ratio:.3} (allowed {lo:.3}..{hi:.3})",
            d.working_days
        );
        assert!(
            (lo..=hi).contains(&ratio),
            "P{p}: batch-means se {batch} against order-statistic se {se}: ratio {ratio}, allowed {lo}..{hi}"
        );
    }

    let pb = f.probability_by.as_ref().unwrap();
    assert_eq!(pb.date, by);
    let exact = gamma.cdf(20.0);
    assert_close(
        "P(done by 2027-01-29)",
        pb.probability,
        exact,
        (exact * (1.0 - exact) / r).sqrt(),
        Z,
    );
    // The binomial standard error is reported with the probability.
    assert!((pb.se - (pb.probability * (1.0 - pb.probability) / r).sqrt()).abs() < 1e-12);

    let exact_mean: f64 = (1..=n)
        .map(|k| Gamma::new(f64::from(k), 1.0).unwrap().cdf(20.0))
        .sum();
    let counts: Vec<f64> = outcomes.iter().map(|o| o.done_by.unwrap() as f64).collect();
    let (mean, se) = crate::common::mean_se(&counts);
    let ib = f.items_by.as_ref().unwrap();
    assert_eq!(ib.mean, mean);
    assert_close("mean items done by 2027-01-29", mean, exact_mean, se, Z);
}

// ---------------------------------------------------------------------------------------------
// 3. Percentiles are ordered
// ---------------------------------------------------------------------------------------------

fn assert_ordered(what: &str, f: &Forecast, start: Date) {
    let dates = dates_by_p(f);
    for w in dates.windows(2) {
        assert!(
            w[0].2 <= w[1].2 && date(&w[0].1) <= date(&w[1].1),
            "{what}: P{} ({}, {} days) is after P{} ({}, {} days)",
            w[0].0,
            w[0].1,
            w[0].2,
            w[1].0,
            w[1].1,
            w[1].2
        );
    }
    assert!(date(&dates[0].1) >= start, "{what}: before the start");
    if let Some(ib) = &f.items_by {
        let mut levels: Vec<(f64, u64)> = ib
            .at_least
            .iter()
            .map(|(k, v)| (k[1..].parse().unwrap(), *v))
            .collect();
        levels.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in levels.windows(2) {
            assert!(
                w[0].1 >= w[1].1,
                "{what}: at least {} at {}% but {} at {}%",
                w[0].1,
                w[0].0,
                w[1].1,
                w[1].0
            );
        }
    }
    // The burn-up cone: P5 <= P15 <= P50 <= P85 <= P95 each day, and each never goes down.
    let b = f.burn_up.as_ref().unwrap();
    let bands = [&b.p5, &b.p15, &b.p50, &b.p85, &b.p95];
    for d in 0..b.dates.len() {
        for w in bands.windows(2) {
            assert!(w[0][d] <= w[1][d], "{what}: burn-up bands cross on day {d}");
        }
        if d > 0 {
            for band in bands {
                assert!(
                    band[d - 1] <= band[d],
                    "{what}: burn-up goes down on day {d}"
                );
            }
        }
    }
}

/// Dates, working days and "at least" counts never go the wrong way as the percentile rises, for a
/// stochastic backlog, the shipped fixed-backlog example and, through the command line with its
/// own percentiles, the feature-delivery example where work keeps arriving.
#[test]
fn percentiles_never_go_backwards() {
    let many = [
        1.0, 5.0, 10.0, 25.0, 50.0, 62.5, 75.0, 85.0, 90.0, 97.5, 99.0,
    ];
    let sc = scenario(
        r#"name = "two stages"
[arrivals]
backlog = 30
[[stages]]
name = "Build"
workers = 2
duration = { dist = "lognormal", median = 1, p90 = 4 }
[[stages]]
name = "Check"
workers = 1
duration = { dist = "exponential", mean = 0.4 }
rework = { to = "Build", probability = 0.2 }
[calendar]
start = 2027-01-04
holidays = ["2027-01-18..2027-01-22"]
"#,
    );
    let cal = calendar_of(&sc, None);
    let (f, _, _) = forecast_with(
        &sc,
        &cal,
        &question(Some(30), Some("2027-01-29"), &many),
        400,
        3,
    );
    assert_eq!(
        f.completion_date.as_ref().unwrap().len(),
        many.len(),
        "one date per percentile asked for"
    );
    assert!(f.completion_date.as_ref().unwrap().contains_key("p62.5"));
    assert_ordered("two stages", &f, date("2027-01-04"));
    // No completion on a weekend or in the holiday week.
    for (d, _) in &f.completion_distribution {
        let d = date(d);
        let weekend = matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
        assert!(!weekend, "a completion on {d}, a weekend");
        assert!(!(date("2027-01-18")..=date("2027-01-22")).contains(&d));
    }

    let sc = load("scenarios/fixed-backlog.toml");
    let cal = Calendar::weekdays(date("2027-01-04"), sc.time_unit);
    let (f, _, _) = forecast_with(
        &sc,
        &cal,
        &question(Some(40), Some("2027-03-01"), &many),
        300,
        5,
    );
    assert_ordered("fixed-backlog.toml", &f, date("2027-01-04"));

    // With arrivals, through the command line.
    let dir = temp_dir("forecast-ordered");
    let out = dir.join("out");
    ok(&[
        "forecast",
        "scenarios/feature-delivery.toml",
        "--items",
        "40",
        "--by",
        "2027-03-31",
        "--start",
        "2027-01-04",
        "--percentiles",
        "5,10,25,50,62.5,75,85,90,97.5",
        "--runs",
        "300",
        "--no-charts",
        "--quiet",
        "--out",
        path_str(&out),
    ]);
    let f: Forecast = serde_json::from_value(read_json(&out.join("forecast.json"))).unwrap();
    let keys: Vec<&String> = f.completion_date.as_ref().unwrap().keys().collect();
    for k in [
        "p5", "p10", "p25", "p50", "p62.5", "p75", "p85", "p90", "p97.5",
    ] {
        assert!(keys.iter().any(|x| *x == k), "no {k} in {keys:?}");
        assert!(f.items_by.as_ref().unwrap().at_least.contains_key(k));
    }
    assert_eq!(keys.len(), 9);
    assert_ordered("feature-delivery.toml", &f, date("2027-01-04"));
    // The spread is real: the P97.5 date is after the P5 date.
    let d = dates_by_p(&f);
    assert!(d.first().unwrap().2 < d.last().unwrap().2);
}

// ---------------------------------------------------------------------------------------------
// 4. How many by a date
// ---------------------------------------------------------------------------------------------

/// One one-day item per working day: by the end of the 10th working day exactly 10 are done, at
/// every confidence level; a weekend after it adds nothing, the day before gives 9. The chance to
/// be done by a date is 1 from the finishing day on and 0 the day before. With a regular stream
/// (an item every day, half a day of work each) and no `--items`, the run stops at the date and
/// the item that arrives on the last day is not done by its end.
#[test]
fn items_by_a_date_are_exact_with_constant_work() {
    let p = DEFAULT_PERCENTILES;
    let sc = scenario(&one_worker("days", 1.0, 30, "start = 2027-01-04", ""));
    let cal = calendar_of(&sc, None);
    // Friday 2027-01-15 is the 10th working day, Saturday the 16th adds none, Thursday the 14th
    // is the 9th.
    for (by, count) in [("2027-01-15", 10), ("2027-01-16", 10), ("2027-01-14", 9)] {
        let (f, outcomes, _) = forecast_with(&sc, &cal, &question(Some(30), Some(by), &p), 20, 1);
        let ib = f.items_by.as_ref().unwrap();
        assert_eq!(ib.date, by);
        for k in ["p50", "p70", "p85", "p95"] {
            assert_eq!(ib.at_least[k], count, "by {by}, {k}");
        }
        assert_eq!(ib.mean, count as f64);
        assert_eq!(ib.distribution, vec![(count, 20)]);
        assert!(outcomes.iter().all(|o| o.done_by == Some(count)));
        // 30 items take 30 working days: none is done by these dates.
        assert_eq!(f.probability_by.as_ref().unwrap().probability, 0.0);
    }
    // Hours, 6 a day: by the end of Wednesday 2027-01-06, the 3rd working day, 18 hours have
    // been worked, enough for four 4-hour items (16 hours) but not five (20).
    let hours = scenario(&one_worker(
        "hours",
        4.0,
        10,
        "start = 2027-01-04\nhours_per_day = 6",
        "",
    ));
    let hcal = calendar_of(&hours, None);
    let (f, _, _) = forecast_with(
        &hours,
        &hcal,
        &question(Some(10), Some("2027-01-06"), &p),
        10,
        1,
    );
    let ib = f.items_by.as_ref().unwrap();
    assert!(ib.at_least.values().all(|&n| n == 4), "{:?}", ib.at_least);
    // Ten items are done at the very end of Friday 2027-01-15: by that day, not by the day before.
    for (by, chance) in [("2027-01-15", 1.0), ("2027-01-14", 0.0)] {
        let (f, _, _) = forecast_with(&sc, &cal, &question(Some(10), Some(by), &p), 20, 1);
        assert_eq!(f.probability_by.unwrap().probability, chance, "by {by}");
    }

    // A stream: an item arrives at 1, 2, 3, ... working days and takes half a day, so the one that
    // arrives at day k is done at k + 0.5. By the end of the 10th working day (t = 10) the items
    // of days 1-9 are done: 9; by the end of day d, d - 1.
    let sc = scenario(
        r#"name = "stream"
[simulation]
items = 1000
[arrivals]
interval = { dist = "constant", value = 1 }
[[stages]]
name = "Work"
workers = 1
duration = { dist = "constant", value = 0.5 }
[calendar]
start = 2027-01-04
"#,
    );
    let cal = calendar_of(&sc, None);
    let q = question(None, Some("2027-01-15"), &p);
    let (f, outcomes, _) = forecast_with(&sc, &cal, &q, 20, 1);
    assert!(f.completion_date.is_none() && f.probability_by.is_none());
    let ib = f.items_by.as_ref().unwrap();
    assert!(ib.at_least.values().all(|&n| n == 9), "{:?}", ib.at_least);
    assert_eq!(ib.distribution, vec![(9, 20)]);
    let expected: Vec<u32> = (0..10).collect();
    for o in &outcomes {
        assert_eq!(o.finish_days, None, "a run to a date has no completion");
        assert_eq!(o.burn_up, expected);
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Scope growth
// ---------------------------------------------------------------------------------------------

/// Every item splits in two: 10 items are 20 one-day items, done on the same Friday as 20 items
/// that do not split.
#[test]
fn items_that_split_in_two_take_as_long_as_twice_as_many() {
    let p = DEFAULT_PERCENTILES;
    let split = scenario(&one_worker(
        "days",
        1.0,
        10,
        "start = 2027-01-04",
        "[scope]\nsplit = { into = [2], weights = [1] }",
    ));
    let cal = calendar_of(&split, None);
    let (f, outcomes, _) = forecast_with(&split, &cal, &question(Some(10), None, &p), 20, 1);
    // 20 working days from Monday 2027-01-04: Friday 2027-01-29.
    assert_exact("10 items split in two", &f, "2027-01-29", 20.0);
    assert_eq!(f.items, Some(10));
    assert!(outcomes.iter().all(|o| o.burn_up.last() == Some(&20)));

    let plain = scenario(&one_worker("days", 1.0, 20, "start = 2027-01-04", ""));
    let (g, _, _) = forecast_with(&plain, &cal, &question(Some(20), None, &p), 20, 1);
    assert_eq!(f.completion_date, g.completion_date);

    // Half the items split in three (mean 2 parts): 10 items are 10 + 2·B one-day items, B ~
    // Binomial(10, 1/2), so the mean makespan is 20 working days, with standard deviation
    // 2·sqrt(10/4) per run.
    let half = scenario(&one_worker(
        "days",
        1.0,
        10,
        "start = 2027-01-04",
        "[scope]\nsplit = { into = [1, 3], weights = [1, 1] }",
    ));
    let runs = 2000;
    let (_, outcomes, _) = forecast_with(&half, &cal, &question(Some(10), None, &p), runs, 4);
    let days: Vec<f64> = outcomes.iter().map(|o| o.finish_days.unwrap()).collect();
    for d in &days {
        let extra = d - 10.0;
        assert!(
            (0.0..=20.0).contains(&extra) && extra % 2.0 == 0.0,
            "makespan {d}: not 10 items plus an even number of parts"
        );
    }
    let mean = days.iter().sum::<f64>() / runs as f64;
    let se = 2.0 * (10.0_f64 / 4.0).sqrt() / (runs as f64).sqrt();
    assert_close("mean makespan with half split in three", mean, 20.0, se, Z);
}

/// Work discovered at 0.25 items per working day while the 20 original one-day items are worked.
/// With one worker, first come first served, the originals are done at exactly 20 working days
/// whatever is discovered (discovered items queue behind them), and discovery stops then. So in
/// every run the makespan is 20 + D working days, D ~ Poisson(0.25 × 20 = 5) the items
/// discovered: never earlier than without discovery (same seed: the originals are the same), a
/// whole number of days, and D's mean is 5 with standard error sqrt(5 / runs) (z = 4).
#[test]
fn discovered_work_makes_forecasts_later_by_rate_times_duration() {
    let p = DEFAULT_PERCENTILES;
    let runs = 2000u32;
    let base = scenario(&one_worker("days", 1.0, 20, "start = 2027-01-04", ""));
    let grown = scenario(&one_worker(
        "days",
        1.0,
        20,
        "start = 2027-01-04",
        "[scope]\ndiscovery_rate = 0.25",
    ));
    let cal = calendar_of(&base, None);
    let q = question(Some(20), None, &p);
    let (f0, o0, _) = forecast_with(&base, &cal, &q, runs, 9);
    let (f1, o1, _) = forecast_with(&grown, &cal, &q, runs, 9);
    assert_exact("without discovery", &f0, "2027-01-29", 20.0);
    let mut extra = Vec::with_capacity(runs as usize);
    for (a, b) in o0.iter().zip(&o1) {
        let (a, b) = (a.finish_days.unwrap(), b.finish_days.unwrap());
        assert_eq!(a, 20.0);
        let d = b - 20.0;
        assert!(
            d >= 0.0 && d.fract() == 0.0,
            "makespan {b} with discovery: not 20 + a whole number of one-day items"
        );
        extra.push(d);
    }
    let mean = extra.iter().sum::<f64>() / f64::from(runs);
    assert_close(
        "mean discovered items",
        mean,
        0.25 * 20.0,
        (5.0 / f64::from(runs)).sqrt(),
        Z,
    );
    // Percentile by percentile, never earlier; the median strictly later (it is 20 days only if
    // half the runs discover nothing, each with chance e^-5 = 0.7%).
    let (d0, d1) = (dates_by_p(&f0), dates_by_p(&f1));
    for (a, b) in d0.iter().zip(&d1) {
        assert!(b.2 >= a.2 && date(&b.1) >= date(&a.1), "P{}", a.0);
    }
    assert!(d1[0].2 > d0[0].2, "P50 with discovery: {:?}", d1[0]);
}

// ---------------------------------------------------------------------------------------------
// 6. Features
// ---------------------------------------------------------------------------------------------

/// The feature's completion dates by percentile key.
fn feature_dates(f: &Forecast, name: &str) -> Vec<String> {
    let x = f
        .features
        .as_ref()
        .unwrap()
        .iter()
        .find(|x| x.name == name)
        .unwrap_or_else(|| panic!("no feature {name}"));
    x.completion_date.values().map(|d| d.date.clone()).collect()
}

/// Features on one worker with one-day items, worked one at a time in the order of their `order`
/// keys: each is done on an exact date, its target met (even on the day) or missed, in the
/// library and in forecast.json, forecast.csv and the terminal table. A range of items is drawn
/// uniformly, and its target judged at 85% even when P85 is not reported. With a second stage, a feature WIP of 2 releases the next feature before the first
/// has drained from the pipeline, so it is done sooner; the first is not delayed.
#[test]
fn features_are_done_in_order_on_exact_dates() {
    let dir = temp_dir("forecast-features");
    let sc_path = write(
        &dir,
        "team.toml",
        &one_worker("days", 1.0, 50, "start = 2027-01-04", ""),
    );
    // Listed A, B, C, D; by `order` worked B (3 items: days 1-3, done Wednesday 2027-01-06),
    // C (2: days 4-5, Friday 2027-01-08), A (4: days 6-9, Thursday 2027-01-14), D (1: day 10,
    // Friday 2027-01-15). Targets: A by Friday 15th (met), B by Wednesday 6th (met on the day),
    // C by Thursday 7th (missed by a day), D none.
    let plan = r#"wip = 1

[[features]]
name = "A"
items = 4
target = 2027-01-15
order = 3

[[features]]
name = "B"
items = 3
target = "2027-01-06"
order = 1

[[features]]
name = "C"
items = 2
target = 2027-01-07
order = 2

[[features]]
name = "D"
items = 1
order = 4
"#;
    let f_path = write(&dir, "features.toml", plan);
    let expected = [
        ("B", "3", Some("2027-01-06"), "2027-01-06", Some(true)),
        ("C", "2", Some("2027-01-07"), "2027-01-08", Some(false)),
        ("A", "4", Some("2027-01-15"), "2027-01-14", Some(true)),
        ("D", "1", None, "2027-01-15", None),
    ];

    // Through the library.
    let mut sc = Scenario::load(&sc_path).unwrap();
    sc.features = Some(features::parse(plan, "features.toml").unwrap());
    let cal = calendar_of(&sc, None);
    let q = question(None, None, &DEFAULT_PERCENTILES);
    let (f, _, days) = forecast_with(&sc, &cal, &q, 20, 1);
    assert!(f.completion_date.is_none(), "features replace the backlog");
    let names: Vec<&str> = f
        .features
        .as_ref()
        .unwrap()
        .iter()
        .map(|x| x.name.as_str())
        .collect();
    assert_eq!(names, ["B", "C", "A", "D"]);
    for (i, want) in [3.0, 5.0, 9.0, 10.0].iter().enumerate() {
        assert!(
            days[i].iter().all(|d| d == want),
            "feature {i}: {:?}",
            days[i]
        );
    }
    for (name, _, _, done, meets) in expected {
        assert!(feature_dates(&f, name).iter().all(|d| d == done), "{name}");
        let x = f
            .features
            .as_ref()
            .unwrap()
            .iter()
            .find(|x| x.name == name)
            .unwrap();
        assert_eq!(x.meets_target_at_85, meets, "{name}");
        assert_eq!(
            x.probability_by_target,
            meets.map(|m| if m { 1.0 } else { 0.0 }),
            "{name}"
        );
    }

    // Through the command line: forecast.json, forecast.csv and the table.
    let out = dir.join("out");
    let stdout = ok(&[
        "forecast",
        path_str(&sc_path),
        "--features",
        path_str(&f_path),
        "--runs",
        "20",
        "--out",
        path_str(&out),
    ]);
    let j = read_json(&out.join("forecast.json"));
    assert!(j["items"].is_null());
    let fs = j["features"].as_array().expect("features in forecast.json");
    assert_eq!(fs.len(), 4);
    for (x, (name, items, target, done, meets)) in fs.iter().zip(expected) {
        assert_eq!(x["name"], name);
        assert_eq!(x["items"], items);
        match target {
            Some(t) => assert_eq!(x["target"], t),
            None => assert!(x["target"].is_null()),
        }
        for k in ["p50", "p70", "p85", "p95"] {
            assert_eq!(iso(&x["completion_date"][k]["date"]).to_string(), done);
        }
        match meets {
            Some(m) => {
                assert_eq!(x["meets_target_at_85"], m, "{name}");
                assert_eq!(
                    x["probability_by_target"].as_f64(),
                    Some(if m { 1.0 } else { 0.0 })
                );
            }
            None => {
                assert!(x["meets_target_at_85"].is_null());
                assert!(x["probability_by_target"].is_null());
            }
        }
    }
    // forecast.csv: one row per feature and percentile, the same dates; the P85 date against the
    // target gives the same verdict.
    let mut r = csv::Reader::from_path(out.join("forecast.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert!(rows.iter().all(|r| &r[0] == "feature_completion_date"));
    assert_eq!(rows.len(), 4 * 4);
    for (name, _, target, done, meets) in expected {
        let mine: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[1] == name).collect();
        let pcts: Vec<&str> = mine.iter().map(|r| &r[2]).collect();
        assert_eq!(pcts, ["50", "70", "85", "95"], "{name}");
        assert!(mine.iter().all(|r| &r[3] == done), "{name}");
        let p85 = &mine[2][3];
        assert_eq!(target.map(|t| date(p85) <= date(t)), meets, "{name}");
    }
    assert!(out.join("forecast-cut-line.svg").is_file());
    assert!(!out.join("forecast-burn-up.svg").exists());
    let line = |name: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no line for {name} in:\n{stdout}"))
            .to_string()
    };
    assert!(line("B").ends_with("meets target"), "{stdout}");
    assert!(line("C").ends_with("MISSES target"), "{stdout}");
    assert!(line("A").ends_with("meets target"), "{stdout}");
    assert!(!line("D").contains("target"), "{stdout}");
    let order: Vec<usize> = ["B ", "C ", "A ", "D "]
        .iter()
        .map(|n| stdout.find(&format!("\n{n}")).expect("feature row"))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{stdout}");
    // --start overrides the calendar's start: a week later, every date a week later (B is done on
    // the third working day from Monday 2027-01-11, Wednesday 2027-01-13).
    let later = dir.join("later");
    ok(&[
        "forecast",
        path_str(&sc_path),
        "--features",
        path_str(&f_path),
        "--start",
        "2027-01-11",
        "--runs",
        "5",
        "--no-charts",
        "--out",
        path_str(&later),
    ]);
    let j = read_json(&later.join("forecast.json"));
    assert_eq!(j["start"], "2027-01-11");
    assert_eq!(j["features"][0]["name"], "B");
    assert_eq!(
        j["features"][0]["completion_date"]["p85"]["date"],
        "2027-01-13"
    );

    // A range of items: "2..4" is 2, 3 or 4 items, each in a third of the runs (binomial standard
    // error, z = 4); alone on one worker it is done after that many days: on Tuesday 5, Wednesday
    // 6 or Thursday 7 January. Its target, Wednesday 6th, is met in two thirds of the runs: the
    // P50 date is on it (1/3 of runs are done by the 5th, 2/3 by the 6th), the P85 date after it,
    // so it misses at 85%; also when only P50 is reported.
    let mut sc = Scenario::load(&sc_path).unwrap();
    let range = "[[features]]\nname = \"R\"\nitems = \"2..4\"\ntarget = 2027-01-06\n";
    sc.features = Some(features::parse(range, "range.toml").unwrap());
    let runs = 3000;
    let (f, _, days) = forecast_with(&sc, &cal, &q, runs, 11);
    let third = 1.0 / 3.0;
    let se = (third * (1.0 - third) / f64::from(runs)).sqrt();
    for k in [2.0, 3.0, 4.0] {
        let share = days[0].iter().filter(|&&d| d == k).count() as f64 / f64::from(runs);
        assert_close(
            &format!("share of runs with {k} items"),
            share,
            third,
            se,
            Z,
        );
    }
    assert!(days[0].iter().all(|d| [2.0, 3.0, 4.0].contains(d)));
    let r = &f.features.as_ref().unwrap()[0];
    assert_eq!(r.items, "2..4");
    assert_eq!(r.completion_date["p50"].date, "2027-01-06");
    assert_eq!(r.completion_date["p85"].date, "2027-01-07");
    assert_eq!(r.meets_target_at_85, Some(false));
    let chance = r.probability_by_target.unwrap();
    assert_close("chance to meet the target", chance, 2.0 * third, se, Z);
    let plan = sc.features.as_ref().unwrap();
    let only_p50 = model::feature_forecasts(plan, &days, &cal, &[50.0]).unwrap();
    let r = &only_p50[0];
    assert_eq!(r.completion_date.keys().collect::<Vec<_>>(), ["p50"]);
    assert_eq!(r.completion_date["p50"].date, "2027-01-06");
    assert_eq!(
        r.meets_target_at_85,
        Some(false),
        "the verdict is at 85% whatever percentiles are reported"
    );

    // Two stages of one worker each, one day per item at each: feature P (2 items), then Q (2).
    // wip 1: p1 is built on day 1 and checked on day 2, p2 built on day 2 and checked on day 3;
    // P is done on day 3 (Wednesday 2027-01-06). Q is released then: built on days 4-5, checked
    // on days 5-6, done on day 6 (Monday 2027-01-11).
    // wip 2: P and Q are released together; Q's items are built on days 3-4 while P's are
    // checked, and checked on days 4-5: Q is done on day 5 (Friday 2027-01-08), P still on day 3.
    let pipeline = r#"name = "pipeline"
[arrivals]
backlog = 1
[[stages]]
name = "Build"
workers = 1
duration = { dist = "constant", value = 1 }
[[stages]]
name = "Check"
workers = 1
duration = { dist = "constant", value = 1 }
[calendar]
start = 2027-01-04
"#;
    let plan = |wip: u32| {
        features::parse(
            &format!(
                "wip = {wip}\n[[features]]\nname = \"P\"\nitems = 2\n[[features]]\nname = \"Q\"\nitems = 2\n"
            ),
            "pq.toml",
        )
        .unwrap()
    };
    for (wip, p_done, q_done) in [
        (1, "2027-01-06", "2027-01-11"),
        (2, "2027-01-06", "2027-01-08"),
    ] {
        let mut sc = scenario(pipeline);
        sc.features = Some(plan(wip));
        let (f, _, _) = forecast_with(&sc, &cal, &q, 10, 1);
        assert!(
            feature_dates(&f, "P").iter().all(|d| d == p_done),
            "wip {wip}: P {:?}",
            feature_dates(&f, "P")
        );
        assert!(
            feature_dates(&f, "Q").iter().all(|d| d == q_done),
            "wip {wip}: Q {:?}",
            feature_dates(&f, "Q")
        );
    }
}

/// A features file with an unknown key, a range that goes down or a target that is not a date:
/// exit code 2, the file, line and column and the field named, and nothing written.
#[test]
fn bad_features_files_are_located_and_nothing_is_written() {
    let dir = temp_dir("forecast-bad-features");
    let sc_path = write(
        &dir,
        "team.toml",
        &one_worker("days", 1.0, 5, "start = 2027-01-04", ""),
    );
    let cases: [(&str, &str, &str, &[&str]); 4] = [
        (
            "unknown.toml",
            "wip = 1\n\n[[features]]\nname = \"A\"\nitems = 3\nitemz = 4\n",
            "itemz",
            &["unknown field `itemz`", "items"],
        ),
        (
            "range.toml",
            "[[features]]\nname = \"A\"\nitems = \"5..2\"\n",
            "\"5..2\"",
            &["`features.\"A\".items`", "5..2", "goes down"],
        ),
        (
            "target.toml",
            "[[features]]\nname = \"A\"\nitems = 5\ntarget = \"next spring\"\n",
            "\"next spring\"",
            &["`features.\"A\".target`", "is a date"],
        ),
        (
            "wip.toml",
            "wip = 0\n[[features]]\nname = \"A\"\nitems = 5\n",
            "0",
            &["`wip`", "from 1 to 1000"],
        ),
    ];
    for (name, body, at, parts) in cases {
        let fp = write(&dir, name, body);
        let out = dir.join(format!("out-{name}"));
        let err = bad(&[
            "forecast",
            path_str(&sc_path),
            "--features",
            path_str(&fp),
            "--runs",
            "5",
            "--out",
            path_str(&out),
        ]);
        let place = format!("{}:{}", fp.display(), line_col(body, at));
        assert_contains(&err, &[&place, "features file is invalid"]);
        assert_contains(&err, parts);
        assert!(
            !out.join("forecast.json").exists(),
            "{name}: results written"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 7. The command line end to end
// ---------------------------------------------------------------------------------------------

/// Runs `flowsim` with `RAYON_NUM_THREADS` set to `rayon_threads`, or removed.
fn forecast_cmd(args: &[&str], rayon_threads: Option<&str>) -> std::process::Output {
    let mut c = std::process::Command::new(flowsim_bin());
    c.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    match rayon_threads {
        Some(n) => c.env("RAYON_NUM_THREADS", n),
        None => c.env_remove("RAYON_NUM_THREADS"),
    };
    c.output().expect("flowsim starts")
}

/// The documented example: forecast.json's fields and types, forecast.csv agreeing with it row by
/// row, the charts as SVG and PNG, the out dir and seed printed; the same command gives the same
/// bytes again and with 1, 2 or 3 threads, and another seed another forecast.
#[test]
fn forecast_writes_json_csv_and_charts_reproducibly() {
    let dir = temp_dir("forecast-cli");
    let out = dir.join("a");
    let seed = load("scenarios/fixed-backlog.toml").simulation.seed;
    let args = |out: &Path| -> Vec<String> {
        [
            "forecast",
            "scenarios/fixed-backlog.toml",
            "--items",
            "10",
            "--by",
            "2027-03-31",
            "--start",
            "2027-01-04",
            "--runs",
            "200",
            "--out",
            path_str(out),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let a = args(&out);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let stdout = ok(&a);
    assert_contains(
        &stdout,
        &[
            &format!("Results written to {}/", out.display()),
            &format!("seed {seed}"),
            "200 runs",
            "when will 10 items be done?",
            "Chance to be done by 2027-03-31",
        ],
    );

    let j = read_json(&out.join("forecast.json"));
    assert_eq!(j["items"], 10);
    assert_eq!(iso(&j["start"]), date("2027-01-04"));
    assert_eq!(j["seed"].as_u64(), Some(seed));
    assert_eq!(j["runs"], 200);
    let cd = j["completion_date"].as_object().expect("completion_date");
    let keys: Vec<&String> = cd.keys().collect();
    assert_eq!(keys, ["p50", "p70", "p85", "p95"]);
    let mut prev = (date("2027-01-04"), 0.0);
    for k in ["p50", "p70", "p85", "p95"] {
        let d = iso(&cd[k]["date"]);
        let wd = cd[k]["working_days"].as_f64().expect("working days");
        assert!(cd[k]["se_working_days"].as_f64().is_some_and(|s| s >= 0.0));
        assert!(d >= prev.0 && wd >= prev.1, "{k} goes backwards");
        prev = (d, wd);
    }
    let pb = &j["probability_by"];
    assert_eq!(iso(&pb["date"]), date("2027-03-31"));
    let p = pb["probability"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p) && pb["se"].as_f64().unwrap() >= 0.0);
    let ib = &j["items_by"];
    assert_eq!(iso(&ib["date"]), date("2027-03-31"));
    let at_least = ib["at_least"].as_object().unwrap();
    assert_eq!(at_least.len(), 4);
    assert!(
        at_least
            .values()
            .all(|v| v.as_u64().is_some_and(|n| n <= 10))
    );
    assert!(
        ib["mean"]
            .as_f64()
            .is_some_and(|m| (0.0..=10.0).contains(&m))
    );
    let runs_counted: u64 = ib["distribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| pair[1].as_u64().unwrap())
        .sum();
    assert_eq!(runs_counted, 200);
    // The whole file reads back as the documented schema.
    let f: Forecast = serde_json::from_value(j.clone()).expect("forecast.json is a Forecast");
    assert_eq!(
        f.completion_distribution.iter().map(|x| x.1).sum::<u64>(),
        200
    );

    // forecast.csv: the header, then one row per percentile and one per confidence level, the
    // same as forecast.json.
    let mut r = csv::Reader::from_path(out.join("forecast.csv")).unwrap();
    assert_eq!(
        r.headers().unwrap(),
        vec![
            "kind",
            "feature",
            "percentile",
            "date",
            "working_days",
            "working_days_se",
            "items_at_least"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 8);
    for (row, k) in rows[..4].iter().zip(["p50", "p70", "p85", "p95"]) {
        assert_eq!(&row[0], "completion_date");
        assert_eq!(format!("p{}", &row[2]), k);
        assert_eq!(&row[3], cd[k]["date"].as_str().unwrap());
        assert_eq!(
            row[4].parse::<f64>().unwrap(),
            cd[k]["working_days"].as_f64().unwrap()
        );
        assert_eq!(
            row[5].parse::<f64>().unwrap(),
            cd[k]["se_working_days"].as_f64().unwrap()
        );
    }
    for row in &rows[4..] {
        assert_eq!(&row[0], "items_by");
        assert_eq!(&row[3], "2027-03-31");
        let k = format!("p{}", &row[2]);
        assert_eq!(row[6].parse::<u64>().ok(), at_least[&k].as_u64(), "{k}");
    }

    // The charts, each as SVG and PNG.
    for name in ["forecast-when", "forecast-burn-up", "forecast-how-many"] {
        let svg = std::fs::read_to_string(out.join(format!("{name}.svg"))).unwrap();
        assert!(svg.contains("<svg"), "{name}.svg");
        let png = std::fs::read(out.join(format!("{name}.png"))).unwrap();
        assert!(
            png.starts_with(&[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n']),
            "{name}.png is not a PNG"
        );
    }
    assert!(!out.join("forecast-cut-line.svg").exists());

    // Reproducible: the same command, and with 1, 2 and 3 threads.
    let json = std::fs::read(out.join("forecast.json")).unwrap();
    let csv_bytes = std::fs::read(out.join("forecast.csv")).unwrap();
    for (name, extra, env) in [
        ("again", vec![], None),
        ("t1", vec!["--threads", "1", "--no-charts"], None),
        ("t2", vec!["-j", "2", "--no-charts"], None),
        ("rayon3", vec!["--no-charts"], Some("3")),
    ] {
        let o = dir.join(name);
        let mut a = args(&o);
        a.extend(extra.iter().map(|s| s.to_string()));
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let res = forecast_cmd(&a, env);
        assert!(res.status.success(), "{name}: {}", text(&res.stderr));
        assert!(
            std::fs::read(o.join("forecast.json")).unwrap() == json,
            "{name}: forecast.json differs"
        );
        assert!(
            std::fs::read(o.join("forecast.csv")).unwrap() == csv_bytes,
            "{name}: forecast.csv differs"
        );
    }
    // Another seed, another forecast (so the comparison above can fail).
    let o = dir.join("seed");
    let mut a = args(&o);
    a.extend(["--seed", "99", "--no-charts", "--quiet"].map(String::from));
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let quiet = ok(&a);
    assert_eq!(
        quiet.lines().count(),
        1,
        "--quiet prints only where: {quiet}"
    );
    let other = read_json(&o.join("forecast.json"));
    assert_eq!(other["seed"], 99);
    assert_ne!(other["completion_date"], j["completion_date"]);
}

/// Bad dates and counts on the command line and a bad `[calendar]` in the scenario: exit code 2,
/// a message naming the option or the field (with file:line:col for the scenario), and no
/// forecast.json.
#[test]
fn bad_forecast_input_exits_2_and_writes_nothing() {
    let dir = temp_dir("forecast-bad-input");
    let good = write(
        &dir,
        "good.toml",
        &one_worker("days", 1.0, 5, "start = 2027-01-04", ""),
    );
    let g = path_str(&good);
    let cases: [(&str, Vec<&str>, Vec<&str>); 6] = [
        (
            "by-before-start",
            vec!["--by", "2027-01-01", "--start", "2027-01-04"],
            vec!["--by 2027-01-01", "before the start", "2027-01-04"],
        ),
        (
            "by-not-a-date",
            vec!["--by", "2027-02-30"],
            vec!["--by", "`2027-02-30` is not a date", "year-month-day"],
        ),
        (
            "by-words",
            vec!["--by", "end of March"],
            vec!["--by", "`end of March` is not a date"],
        ),
        ("items-0", vec!["--items", "0"], vec!["--items", "0"]),
        (
            "start-not-a-date",
            vec!["--start", "04/01/2027"],
            vec!["--start", "`04/01/2027` is not a date"],
        ),
        (
            "percentile-100",
            vec!["--percentiles", "50,100"],
            vec!["--percentiles", "100 is not a percentile"],
        ),
    ];
    for (name, extra, parts) in cases {
        let out = dir.join(name);
        let mut a = vec!["forecast", g, "--runs", "5", "--out", path_str(&out)];
        a.extend(extra);
        let err = bad(&a);
        assert_contains(&err, &parts);
        assert!(
            !out.join("forecast.json").exists(),
            "{name}: results written"
        );
    }

    let calendars = [
        (
            "holiday",
            "start = 2027-01-04\nholidays = [2027-04-02, \"2027-13-01\"]",
            "\"2027-13-01\"",
            vec!["`calendar.holidays`", "`2027-13-01` is not a date"],
        ),
        (
            "range",
            "start = 2027-01-04\nholidays = [\"2027-12-31..2027-12-24\"]",
            "\"2027-12-31..2027-12-24\"",
            vec!["`calendar.holidays`", "ends before it starts"],
        ),
        (
            "funday",
            "start = 2027-01-04\nworking_days = [\"mon\", \"funday\"]",
            "\"funday\"",
            vec![
                "`calendar.working_days`",
                "`funday` is not a day of the week",
            ],
        ),
        (
            "start",
            "start = 2027-02-29",
            "2027-02-29",
            vec!["`calendar.start`"],
        ),
        (
            "hours",
            "start = 2027-01-04\nhours_per_day = 25",
            "25",
            vec!["`calendar.hours_per_day`", "at most 24"],
        ),
    ];
    for (name, cal, at, parts) in calendars {
        let body = one_worker("days", 1.0, 5, cal, "");
        let path = write(&dir, &format!("{name}.toml"), &body);
        let out = dir.join(format!("out-{name}"));
        let err = bad(&[
            "forecast",
            path_str(&path),
            "--runs",
            "5",
            "--out",
            path_str(&out),
        ]);
        let place = format!("{}:{}", path.display(), line_col(&body, at));
        assert_contains(&err, &[&place, "The scenario is invalid"]);
        assert_contains(&err, &parts);
        assert!(!out.exists(), "{name}: output directory created");
    }
}
