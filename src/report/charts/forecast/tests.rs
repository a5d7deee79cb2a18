//! The forecast charts from forecasts summarized from made-up runs, and from odd data: one run,
//! every run on the same day, thirty years, dates that do not parse, features that never finish.
//! With `FLOWSIM_CHART_DUMP=DIR` set, the PNGs are also written there to be looked at.

use super::*;
use crate::calendar::{Calendar, parse_date};
use crate::forecast::model::FeatureForecast;
use crate::forecast::{DEFAULT_PERCENTILES, Question, RunOutcome, summarize};
use crate::scenario::TimeUnit;
use std::collections::BTreeSet;

fn date(s: &str) -> Date {
    parse_date(s).expect("date")
}

/// A run finishing `items` items at a steady pace over `days` working days.
fn outcome(items: u32, days: f64, by_day: Option<u64>) -> RunOutcome {
    let n = days.ceil().max(1.0) as usize;
    let burn_up: Vec<u32> = (1..=n)
        .map(|d| ((f64::from(items) * d as f64 / days).floor() as u32).min(items))
        .collect();
    RunOutcome {
        finish_days: Some(days),
        done_by: by_day.map(|b| u64::from(burn_up.get(b as usize - 1).copied().unwrap_or(items))),
        burn_up,
    }
}

fn forecast(
    outcomes: &[RunOutcome],
    items: Option<u64>,
    by: Option<&str>,
    calendar: &Calendar,
) -> Forecast {
    let q = Question {
        items,
        by: by.map(date),
        percentiles: DEFAULT_PERCENTILES.to_vec(),
    };
    summarize(
        outcomes,
        &q,
        calendar,
        "scenario \"Test\"".into(),
        7,
        "made up".into(),
        Vec::new(),
    )
    .expect("summarized")
}

/// Deterministic spread of finishing times around `mean` working days.
fn spread_runs(n: u32, items: u32, mean: f64, sd: f64, by_day: Option<u64>) -> Vec<RunOutcome> {
    (0..n)
        .map(|i| {
            // A fixed low-discrepancy sequence mapped through a rough normal shape.
            let u = (f64::from(i) + 0.5) / f64::from(n);
            let z = (u - 0.5) * 3.4 + 0.8 * ((u * 37.0).sin());
            outcome(items, (mean + sd * z).max(1.0), by_day)
        })
        .collect()
}

fn weekdays(start: &str) -> Calendar {
    Calendar::weekdays(date(start), TimeUnit::Days)
}

fn feature(name: &str, p: [&str; 4], target: Option<&str>, meets: Option<bool>) -> FeatureForecast {
    let mut completion_date = BTreeMap::new();
    for (k, (key, d)) in ["p50", "p70", "p85", "p95"].iter().zip(p).enumerate() {
        completion_date.insert(
            (*key).to_string(),
            DatePercentile {
                date: d.to_string(),
                working_days: 10.0 * (k + 1) as f64,
                se_working_days: Some(0.4),
            },
        );
    }
    FeatureForecast {
        name: name.into(),
        items: "8..12".into(),
        target: target.map(str::to_string),
        completion_date,
        probability_by_target: target.map(|_| 0.42),
        meets_target_at_85: meets,
    }
}

fn check(charts: &[Chart], names: &[&str]) {
    crate::report::charts::tests::check_named(charts, names, 8000);
}

#[test]
fn a_backlog_forecast_with_a_date_has_when_burn_up_and_how_many() {
    let cal = weekdays("2027-01-04");
    let runs = spread_runs(500, 40, 60.0, 6.0, Some(55));
    let f = forecast(&runs, Some(40), Some("2027-03-22"), &cal);
    let charts = forecast_charts(&f).expect("charts");
    check(
        &charts,
        &["forecast-when", "forecast-burn-up", "forecast-how-many"],
    );
    let when = &charts[0];
    // The percentile dates, the date asked about and the seed are stated.
    let p85 = parse(&f.completion_date.as_ref().unwrap()["p85"].date).unwrap();
    assert!(when.svg.contains(&format!("P85 {}", short_date(p85))));
    assert!(when.svg.contains("By Mar 22"));
    assert!(when.svg.contains("seed 7"));
    assert!(when.svg.contains("500 runs"));
    assert!(charts[2].svg.contains("at least"));
    assert!(when.how_to_read.contains("85%"));
}

#[test]
fn drawing_twice_gives_identical_bytes() {
    let cal = weekdays("2027-01-04");
    let runs = spread_runs(300, 25, 30.0, 4.0, Some(20));
    let mut f = forecast(&runs, Some(25), Some("2027-02-01"), &cal);
    f.features = Some(vec![
        feature(
            "A",
            ["2027-02-01", "2027-02-05", "2027-02-10", "2027-02-20"],
            Some("2027-03-01"),
            Some(true),
        ),
        feature(
            "B",
            ["2027-03-01", "2027-03-05", "2027-03-10", "2027-03-20"],
            Some("2027-03-01"),
            Some(false),
        ),
    ]);
    let a = forecast_charts(&f).expect("charts");
    let b = forecast_charts(&f).expect("charts");
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.svg, y.svg, "{}", x.name);
        assert_eq!(x.png, y.png, "{}", x.name);
    }
}

#[test]
fn features_get_the_cut_line_above_the_first_that_misses() {
    let cal = weekdays("2027-01-04");
    let runs = spread_runs(100, 30, 40.0, 5.0, None);
    let mut f = forecast(&runs, None, None, &cal);
    f.features = Some(vec![
        feature(
            "Checkout",
            ["2027-02-01", "2027-02-05", "2027-02-10", "2027-02-20"],
            Some("2027-03-01"),
            Some(true),
        ),
        feature(
            "Search",
            ["2027-02-10", "2027-02-15", "2027-02-20", "2027-03-01"],
            None,
            None,
        ),
        feature(
            "Loyalty points with a very long name that does not fit in the left column at all",
            ["2027-03-01", "2027-03-05", "2027-03-10", "2027-03-20"],
            Some("2027-03-01"),
            Some(false),
        ),
        feature(
            "Gift cards",
            ["2027-03-10", "2027-03-15", "2027-03-20", "2027-04-01"],
            Some("2027-06-01"),
            Some(true),
        ),
    ]);
    let charts = forecast_charts(&f).expect("charts");
    let names: Vec<&str> = charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["forecast-cut-line"]);
    check(&charts, &["forecast-cut-line"]);
    let svg = &charts[0].svg;
    assert!(svg.contains("CUT LINE"));
    assert!(svg.contains("1 of 3 features with a target miss it at 85%"));
    assert!(svg.contains("42% by target"));
}

#[test]
fn odd_forecasts_give_charts_not_panics() {
    let cal = weekdays("2027-01-04");
    // One run.
    let f = forecast(
        &[outcome(5, 3.0, Some(2))],
        Some(5),
        Some("2027-01-05"),
        &cal,
    );
    check(
        &forecast_charts(&f).expect("one run"),
        &["forecast-when", "forecast-burn-up", "forecast-how-many"],
    );
    // Every run on the same day, and a date asked about before any finish.
    let same: Vec<RunOutcome> = (0..200).map(|_| outcome(20, 20.0, Some(1))).collect();
    let f = forecast(&same, Some(20), Some("2027-01-04"), &cal);
    let charts = forecast_charts(&f).expect("same day");
    check(
        &charts,
        &["forecast-when", "forecast-burn-up", "forecast-how-many"],
    );
    assert!(
        charts[0]
            .svg
            .contains("Every run has done 20 items on Fri Jan 29, 2027")
    );
    // Thirty years of holidays and four-day weeks: bars by month, ticks by years.
    let holidays: BTreeSet<Date> = (2027..2057)
        .flat_map(|y| (24..=31).map(move |d| Date::new(y, 12, d).unwrap()))
        .collect();
    let long = Calendar::new(
        date("2027-01-04"),
        [true, true, true, true, false, false, false],
        holidays,
        TimeUnit::Days,
        8.0,
    )
    .unwrap();
    let runs = spread_runs(200, 3000, 5000.0, 900.0, Some(2000));
    let f = forecast(&runs, Some(3000), Some("2035-06-30"), &long);
    check(
        &forecast_charts(&f).expect("thirty years"),
        &["forecast-when", "forecast-burn-up", "forecast-how-many"],
    );
    // No run finished: no "When", the rest still drawn.
    let unfinished: Vec<RunOutcome> = (0..50)
        .map(|i| RunOutcome {
            finish_days: None,
            done_by: Some(i),
            burn_up: vec![1, 2, 3],
        })
        .collect();
    let f = forecast(&unfinished, None, Some("2027-01-06"), &cal);
    check(
        &forecast_charts(&f).expect("unfinished"),
        &["forecast-burn-up", "forecast-how-many"],
    );
    // Nothing at all.
    let f = forecast(&[], None, None, &cal);
    assert!(forecast_charts(&f).expect("empty").is_empty());
}

#[test]
fn broken_data_gives_charts_not_panics() {
    let cal = weekdays("2027-01-04");
    let runs = spread_runs(100, 10, 12.0, 2.0, Some(8));
    let mut f = forecast(&runs, Some(10), Some("2027-01-13"), &cal);
    // Dates that do not parse, NaN counts, vectors of different lengths, percentiles that are
    // not numbers, a huge range of counts.
    f.start = "not a date".into();
    f.completion_distribution.push(("31/12/2027".into(), 3));
    let cd = f.completion_date.as_mut().unwrap();
    cd.insert(
        "pxx".into(),
        DatePercentile {
            date: "never".into(),
            working_days: f64::NAN,
            se_working_days: Some(f64::INFINITY),
        },
    );
    let b = f.burn_up.as_mut().unwrap();
    b.p50[0] = f64::NAN;
    b.p95.truncate(2);
    b.dates.push("garbage".into());
    let ib = f.items_by.as_mut().unwrap();
    ib.distribution = vec![(0, 1), (1_000_000, 1), (500, 0)];
    ib.at_least.insert("p99.9".into(), 0);
    f.probability_by.as_mut().unwrap().date = "2027-99-99".into();
    f.warnings.push("something odd happened".into());
    check(
        &forecast_charts(&f).expect("broken"),
        &["forecast-when", "forecast-burn-up", "forecast-how-many"],
    );
    // Features: none finishing, targets before the start, two hundred of them.
    let mut f = forecast(&runs, None, None, &cal);
    let mut many = vec![FeatureForecast {
        name: "Never done".into(),
        items: "3".into(),
        target: Some("2026-01-01".into()),
        completion_date: BTreeMap::new(),
        probability_by_target: Some(0.0),
        meets_target_at_85: None,
    }];
    for i in 0..200 {
        many.push(feature(
            &format!("Feature {i}"),
            ["2027-02-01", "2027-02-05", "2027-02-10", "2027-02-20"],
            Some("2026-12-01"),
            Some(false),
        ));
    }
    f.features = Some(many);
    check(
        &forecast_charts(&f).expect("features"),
        &["forecast-cut-line"],
    );
    f.features = Some(vec![FeatureForecast {
        name: String::new(),
        items: String::new(),
        target: Some("bad".into()),
        completion_date: BTreeMap::new(),
        probability_by_target: None,
        meets_target_at_85: None,
    }]);
    // A single feature that never finished has nothing to place on the axis but the start.
    f.start = "bad".into();
    let charts = forecast_charts(&f).expect("nothing to place");
    assert_eq!(charts.len(), 1);
}

#[test]
fn day_numbers_and_date_ticks() {
    for s in [
        "1970-01-01",
        "2000-02-29",
        "2026-12-31",
        "2027-01-04",
        "9999-12-31",
        "0001-01-01",
    ] {
        let d = date(s);
        assert_eq!(date_of_day(day_number(d)), Some(d), "{s}");
    }
    assert_eq!(day_number(date("1970-01-05")), 4); // a Monday
    let mon = day_number(date("2027-01-04")) as f64;
    // A month across 900 pixels: weekly ticks on Mondays, the year under the first.
    let t = date_ticks(mon - 0.5, mon + 30.0, 900);
    assert!(t.len() >= 4 && t.len() <= 12, "{t:?}");
    assert_eq!(t[0].label, "Jan 4");
    assert_eq!(t[0].year.as_deref(), Some("2027"));
    assert!(t.iter().skip(1).all(|x| x.year.is_none()));
    // Two years: months, the year written where it changes.
    let t = date_ticks(mon, mon + 730.0, 900);
    assert!(
        t.iter().all(|x| MONTHS.contains(&x.label.as_str())),
        "{t:?}"
    );
    let years: Vec<&str> = t.iter().filter_map(|x| x.year.as_deref()).collect();
    assert_eq!(years, ["2027", "2028", "2029"]);
    // A week: every day.
    assert_eq!(date_ticks(mon - 0.5, mon + 6.5, 900).len(), 7);
    // Centuries: years.
    let t = date_ticks(mon, mon + 365.0 * 300.0, 900);
    assert!(t.len() >= 2 && t.iter().all(|x| x.label.parse::<i32>().is_ok()));
    // Nonsense ranges: no ticks, no panic.
    assert!(date_ticks(f64::NAN, 3.0, 900).is_empty());
    assert!(date_ticks(10.0, 3.0, 900).is_empty());
    let _ = date_ticks(-1e12, 1e12, 900);
}
