//! Forecasting from a history of finished items (`forecast::history`): exact answers for
//! deterministic histories, ordering of percentiles and bands, the mean throughput against the
//! history's within Monte Carlo error, reproducibility across seeds and threads, and the loader
//! with real-world CSV quirks and every error it reports.

use crate::common::{Z, assert_close, temp_dir};
use flowsim::calendar::{Calendar, parse_date};
use flowsim::forecast::history::{self, History, HistoryError, HistoryOptions, Sampling};
use flowsim::forecast::{DEFAULT_PERCENTILES, Question, RunOutcome, summarize};
use flowsim::scenario::TimeUnit;
use jiff::civil::Date;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn date(s: &str) -> Date {
    parse_date(s).unwrap()
}

fn weekdays(start: &str) -> Calendar {
    Calendar::weekdays(date(start), TimeUnit::Days)
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/done.csv")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A CSV with `per_day` items on each weekday from `from` to `to` (column `done`).
fn every_weekday(from: &str, to: &str, per_day: u32) -> String {
    let mut s = String::from("id,done\n");
    let mut d = date(from);
    let mut id = 0;
    while d <= date(to) {
        if d.weekday().to_monday_zero_offset() < 5 {
            for _ in 0..per_day {
                id += 1;
                s.push_str(&format!("{id},{d}\n"));
            }
        }
        d = d.tomorrow().unwrap();
    }
    s
}

fn question(items: Option<u64>, by: Option<&str>) -> Question {
    Question {
        items,
        by: by.map(date),
        percentiles: DEFAULT_PERCENTILES.to_vec(),
    }
}

fn load(path: &Path, options: &HistoryOptions, cal: &Calendar) -> History {
    history::load(path, options, cal).unwrap_or_else(|e| panic!("{e}"))
}

fn load_err(path: &Path, options: &HistoryOptions, cal: &Calendar) -> String {
    match history::load(path, options, cal) {
        Ok(h) => panic!("expected an error, loaded {}", h.source()),
        Err(e) => e.to_string(),
    }
}

fn assert_contains(text: &str, parts: &[&str]) {
    for p in parts {
        assert!(text.contains(p), "missing `{p}` in:\n{text}");
    }
}

/// Population variance of the samples (the variance of one resampled draw).
fn variance(xs: &[u32]) -> f64 {
    let n = xs.len() as f64;
    let m = xs.iter().map(|x| f64::from(*x)).sum::<f64>() / n;
    xs.iter().map(|x| (f64::from(*x) - m).powi(2)).sum::<f64>() / n
}

#[test]
fn one_item_per_working_day_gives_an_exact_forecast() {
    let dir = temp_dir("history-exact");
    // 2025-01-06 is a Monday and 2025-03-28 a Friday: 60 working days with one item each.
    let path = write(
        &dir,
        "one.csv",
        &every_weekday("2025-01-06", "2025-03-28", 1),
    );
    // Forecast from Monday 2025-06-02.
    let cal = weekdays("2025-06-02");
    let h = load(&path, &HistoryOptions::default(), &cal);
    assert_eq!(h.column(), "done");
    assert_eq!(h.samples(), vec![1; 60].as_slice());
    assert_eq!(h.mean_per_working_day(), 1.0);
    assert_eq!(h.window(), (date("2025-01-06"), date("2025-03-28")));
    assert_eq!(
        h.source(),
        "history one.csv (60 items, 2025-01-06 to 2025-03-28)"
    );

    // 2025-06-18 is a Wednesday, the 13th working day.
    let by = "2025-06-18";
    assert_eq!(cal.working_days_through(date(by)), 13);
    let q = question(Some(40), Some(by));
    let runs = history::forecast(&h, &cal, &q, 500, 7).unwrap();
    assert_eq!(runs.len(), 500);
    let burn: Vec<u32> = (1..=40).collect();
    for r in &runs {
        assert_eq!(r.finish_days, Some(40.0));
        assert_eq!(r.done_by, Some(13));
        assert_eq!(r.burn_up, burn);
    }
    let f = summarize(&runs, &q, &cal, h.source(), 7, h.method(), h.warnings()).unwrap();
    // The 40th working day from Monday 2025-06-02 is Friday 2025-07-25 (eight weeks).
    assert_eq!(cal.working_day(40).unwrap(), date("2025-07-25"));
    let c = f.completion_date.unwrap();
    for p in ["p50", "p70", "p85", "p95"] {
        assert_eq!(c[p].date, "2025-07-25", "{p}");
        assert_eq!(c[p].working_days, 40.0, "{p}");
    }
    assert_eq!(f.completion_distribution, vec![("2025-07-25".into(), 500)]);
    let items_by = f.items_by.unwrap();
    assert!(items_by.at_least.values().all(|n| *n == 13));
    assert_eq!(items_by.mean, 13.0);
    assert_eq!(f.probability_by.unwrap().probability, 0.0);

    // A date on a weekend: the working days up to it (Saturday 2025-06-28 is after 20).
    let q2 = question(None, Some("2025-06-28"));
    for r in history::forecast(&h, &cal, &q2, 50, 7).unwrap() {
        assert_eq!(r.finish_days, None);
        assert_eq!(r.done_by, Some(20));
        assert_eq!(r.burn_up.len(), 20);
    }
}

#[test]
fn weekly_sampling_of_five_items_a_week_finishes_forty_in_eight_weeks() {
    let dir = temp_dir("history-weekly");
    let path = write(
        &dir,
        "one.csv",
        &every_weekday("2025-01-06", "2025-03-28", 1),
    );
    let cal = weekdays("2025-06-02");
    let weekly = HistoryOptions {
        weekly: true,
        ..HistoryOptions::default()
    };
    let h = load(&path, &weekly, &cal);
    assert_eq!(h.sampling(), Sampling::Weekly);
    // The window ends on Friday 2025-03-28: that week's working days are all in it.
    assert_eq!(h.samples(), vec![5; 12].as_slice());
    assert_eq!(h.working_days(), 60);
    assert_eq!(h.mean_per_working_day(), 1.0);
    // 2025-06-18 (Wednesday of the third week): only the two weeks before are done.
    let q = question(Some(40), Some("2025-06-18"));
    for r in history::forecast(&h, &cal, &q, 300, 3).unwrap() {
        assert_eq!(r.finish_days, Some(40.0));
        assert_eq!(r.done_by, Some(10));
        assert_eq!(r.burn_up.len(), 40);
        // Items are done at the end of each week.
        assert_eq!(&r.burn_up[..6], &[0, 0, 0, 0, 5, 5]);
    }

    // Five items on every Wednesday: the window runs from the first to the last Wednesday, so
    // its first and last weeks are not full and are left out.
    let mut s = String::from("key,Completed\n");
    let mut d = date("2025-01-08");
    let mut id = 0;
    while d <= date("2025-03-26") {
        for _ in 0..5 {
            id += 1;
            s.push_str(&format!("K-{id},{d}T16:00:00Z\n"));
        }
        d = d.checked_add(jiff::Span::new().days(7)).unwrap();
    }
    let path = write(&dir, "wednesdays.csv", &s);
    let h = load(&path, &weekly, &cal);
    assert_eq!(h.samples(), vec![5; 10].as_slice());
    assert_eq!(h.sample_dates()[0], date("2025-01-13"));
    assert_contains(
        &h.warnings().join("\n"),
        &["10 of the 60 finished items", "part-weeks"],
    );
    for r in history::forecast(&h, &cal, &question(Some(40), None), 100, 3).unwrap() {
        assert_eq!(r.finish_days, Some(40.0));
    }
    // With the window widened to whole weeks, all twelve weeks count.
    let whole = HistoryOptions {
        since: Some(date("2025-01-06")),
        until: Some(date("2025-03-30")),
        weekly: true,
        ..HistoryOptions::default()
    };
    assert_eq!(load(&path, &whole, &cal).samples(), vec![5; 12].as_slice());
}

#[test]
fn percentiles_and_burn_up_bands_are_ordered_on_the_example() {
    // The last item of the example was resolved on Thursday 2026-10-29; forecast from Monday
    // 2026-11-30.
    let cal = weekdays("2026-11-30");
    for weekly in [false, true] {
        let options = HistoryOptions {
            weekly,
            ..HistoryOptions::default()
        };
        let h = load(&example(), &options, &cal);
        let q = question(Some(60), Some("2027-01-29"));
        let runs = history::forecast(&h, &cal, &q, 2_000, 11).unwrap();
        let f = summarize(&runs, &q, &cal, h.source(), 11, h.method(), h.warnings()).unwrap();
        let c = f.completion_date.unwrap();
        let days: Vec<f64> = ["p50", "p70", "p85", "p95"]
            .iter()
            .map(|p| c[*p].working_days)
            .collect();
        let dates: Vec<&str> = ["p50", "p70", "p85", "p95"]
            .iter()
            .map(|p| c[*p].date.as_str())
            .collect();
        assert!(days.windows(2).all(|w| w[0] <= w[1]), "{days:?}");
        assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");
        // Not degenerate: the history's throughput varies.
        assert!(days[3] > days[0], "{days:?}");
        let b = f.burn_up.unwrap();
        let bands = [&b.p5, &b.p15, &b.p50, &b.p85, &b.p95];
        for band in bands {
            assert_eq!(band.len(), b.dates.len());
            assert!(band.windows(2).all(|w| w[0] <= w[1]), "a band decreases");
        }
        for d in 0..b.dates.len() {
            assert!(
                bands.windows(2).all(|w| w[0][d] <= w[1][d]),
                "bands out of order on {}",
                b.dates[d]
            );
        }
        assert!(b.p95.last().unwrap() >= &60.0);
        let at_least = f.items_by.unwrap().at_least;
        assert!(at_least["p95"] <= at_least["p85"] && at_least["p85"] <= at_least["p50"]);
    }
}

#[test]
fn the_forecast_throughput_matches_the_history_mean() {
    let cal = weekdays("2026-11-30");
    let runs = 4_000u32;
    // Sixty working days: Monday 2026-11-30 to Friday 2027-02-19 (no holidays in this calendar).
    let n = 60u64;
    let by = cal.working_day(n).unwrap();
    assert_eq!(by, date("2027-02-19"));
    let q = Question {
        items: None,
        by: Some(by),
        percentiles: DEFAULT_PERCENTILES.to_vec(),
    };
    for weekly in [false, true] {
        let options = HistoryOptions {
            weekly,
            ..HistoryOptions::default()
        };
        let h = load(&example(), &options, &cal);
        let outcomes = history::forecast(&h, &cal, &q, runs, 5).unwrap();
        let done: Vec<f64> = outcomes.iter().map(|o| o.done_by.unwrap() as f64).collect();
        let rate = done.iter().sum::<f64>() / runs as f64 / n as f64;
        // Each run's count by day 60 is a sum of independent draws from the samples: 60 days, or
        // 12 weeks. The resampling's expected rate is the history's mean exactly; the standard
        // error of the mean rate over the runs follows from the samples' variance. Tolerance:
        // Z = 4 standard errors.
        let draws = if weekly { n / 5 } else { n } as f64;
        let se = (variance(h.samples()) * draws / runs as f64).sqrt() / n as f64;
        assert_close(
            &format!("throughput a working day (weekly: {weekly})"),
            rate,
            h.mean_per_working_day(),
            se,
            Z,
        );
    }
}

#[test]
fn forecasts_are_reproducible_and_independent_of_threads() {
    // A holiday in the forecast makes weekly sampling thin a short week, which draws more.
    let holidays: BTreeSet<Date> = [date("2026-12-25"), date("2027-01-01")].into();
    let cal = Calendar::new(
        date("2026-11-30"),
        [true, true, true, true, true, false, false],
        holidays,
        TimeUnit::Days,
        8.0,
    )
    .unwrap();
    let q = question(Some(80), Some("2027-01-15"));
    for weekly in [false, true] {
        let options = HistoryOptions {
            weekly,
            ..HistoryOptions::default()
        };
        let h = load(&example(), &options, &cal);
        let run = |threads: usize, seed: u64| -> Vec<RunOutcome> {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| history::forecast(&h, &cal, &q, 3_000, seed).unwrap())
        };
        let a = run(2, 42);
        assert_eq!(a, run(2, 42), "same seed, same runs");
        assert_eq!(a, run(1, 42), "one thread and two give the same runs");
        let b = run(2, 43);
        assert_ne!(a, b, "another seed gives other runs");
        let differing = a.iter().zip(&b).filter(|(x, y)| x != y).count();
        assert!(differing > 2_000, "only {differing} of 3,000 runs differ");
    }
}

#[test]
fn the_example_loads_with_its_jira_columns() {
    let cal = weekdays("2026-11-30");
    let h = load(&example(), &HistoryOptions::default(), &cal);
    assert_eq!(h.column(), "Resolved");
    assert_eq!(h.items(), 105);
    assert_eq!(h.unfinished(), 7);
    assert_eq!(h.span(), (date("2026-07-06"), date("2026-10-29")));
    assert_eq!(h.window(), (date("2026-07-06"), date("2026-10-29")));
    // 17 weeks less Friday 2026-10-30: 84 working days; the two Saturday items count on Mondays.
    assert_eq!(h.samples().len(), 84);
    assert_eq!(h.items_in_window(), 105);
    assert_eq!(h.samples().iter().sum::<u32>(), 105);
    assert_eq!(h.sample_dates()[0], date("2026-07-06"));
    assert!(
        h.sample_dates()
            .iter()
            .all(|d| d.weekday().to_monday_zero_offset() < 5)
    );
    assert_contains(
        &h.warnings().join("\n"),
        &["7 rows of done.csv with an empty `Resolved` were skipped as not finished"],
    );
    assert_contains(
        &h.method(),
        &["84 working days from 2026-07-06 to 2026-10-29", "mean 1.25"],
    );
    // Weekly: the 16 full weeks from Monday 2026-07-06 to Sunday 2026-10-25 (the last week
    // ends on Thursday, before its Friday).
    let w = load(
        &example(),
        &HistoryOptions {
            weekly: true,
            ..HistoryOptions::default()
        },
        &cal,
    );
    assert_eq!(w.samples().len(), 16);
    assert_eq!(w.working_days(), 80);
    assert_contains(
        &w.method(),
        &["16 full weeks from 2026-07-06 to 2026-10-25"],
    );
}

#[test]
fn csv_quirks_bom_quotes_blank_lines_date_times_and_day_first_dates() {
    let dir = temp_dir("history-quirks");
    let cal = weekdays("2025-02-03");
    // A UTF-8 byte-order mark, Windows line ends, a quoted header, quoted commas and a line break
    // in a cell, blank lines, a row of empty cells, date-times in several ISO forms, and a
    // `Completed At` column found by its name.
    let text = "\u{feff}Key,\"Summary\",Completed At,Status\r\n\
                A-1,\"Fix login, again\",2025-01-06T10:22:01Z,Done\r\n\
                \r\n\
                A-2,\"Two\r\nlines\",2025-01-06 17:45,Done\r\n\
                ,,,\r\n\
                A-3,plain,,In Progress\r\n\
                A-4,\"He said \"\"done\"\"\",2025-01-08T09:00:00+01:00,Done\r\n\
                A-5,weekend,2025-01-11 10:00:00 UTC,Done\r\n\
                \r\n";
    let path = write(&dir, "export.csv", text);
    let h = load(&path, &HistoryOptions::default(), &cal);
    assert_eq!(h.column(), "Completed At");
    assert_eq!(h.items(), 4);
    assert_eq!(h.unfinished(), 1);
    // Monday 2, Tuesday 0, Wednesday 1, Thursday 0, Friday 0 and the Saturday item
    // counted on the last working day of the window, Friday, as no working day follows in it.
    assert_eq!(h.window(), (date("2025-01-06"), date("2025-01-11")));
    assert_eq!(h.samples(), &[2, 0, 1, 0, 1]);

    // Day-first dates with a format, a semicolon-separated file (as spreadsheets write in many
    // countries), a date column named in any case.
    let text = "Id;Closed On;Owner\n1;30/12/2024;Ana\n2;31/12/2024 18:00;Ben\n3;02/01/2025;Chen\n";
    let path = write(&dir, "dmy.csv", text);
    let options = HistoryOptions {
        date_column: Some("closed on".into()),
        date_format: Some("%d/%m/%Y".into()),
        ..HistoryOptions::default()
    };
    let h = load(&path, &options, &cal);
    assert_eq!(h.column(), "Closed On");
    assert_eq!(h.window(), (date("2024-12-30"), date("2025-01-02")));
    assert_eq!(h.samples(), &[1, 1, 0, 1]);

    // A Jira-style date-time format.
    let text = "Issue key,Resolved\nX-1,06/Jan/25 10:22 AM\nX-2,07/Jan/25 4:05 PM\n";
    let path = write(&dir, "jira.csv", text);
    let options = HistoryOptions {
        date_format: Some("%d/%b/%y %I:%M %p".into()),
        ..HistoryOptions::default()
    };
    assert_eq!(load(&path, &options, &cal).samples(), &[1, 1]);

    // `since` and `until` set the window even where nothing was finished.
    let path = write(
        &dir,
        "one.csv",
        &every_weekday("2025-01-06", "2025-01-10", 1),
    );
    let options = HistoryOptions {
        since: Some(date("2025-01-01")),
        until: Some(date("2025-01-17")),
        ..HistoryOptions::default()
    };
    let h = load(&path, &options, &cal);
    assert_eq!(h.samples(), &[0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    assert_eq!(h.mean_per_working_day(), 5.0 / 13.0);
}

#[test]
fn unreadable_dates_name_the_file_line_column_and_value() {
    let dir = temp_dir("history-bad-dates");
    let cal = weekdays("2025-06-02");
    let none = HistoryOptions::default();

    // A blank line counts as a line, as a spreadsheet shows it; so do Windows line ends.
    let path = write(
        &dir,
        "done.csv",
        "Key,Summary,Resolved\r\nA-1,x,2025-01-06\r\n\r\nA-2,y,31/12/2024\r\n",
    );
    let e = load_err(&path, &none, &cal);
    assert_eq!(
        e,
        "done.csv, line 4, column `Resolved` (C): `31/12/2024` is not a date. Dates are read as ISO dates or date-times (2026-03-04, 2026-03-04T10:22:01Z, 2026-03-04 10:22); give a date format for others, e.g. %d/%m/%Y for 31/12/2026. It would be read with %d/%m/%Y (day first)."
    );

    // A cell with a line break above: a spreadsheet shows one row where the text has two lines.
    let path = write(
        &dir,
        "multi.csv",
        "Key,Summary,Resolved\nA-1,plain,2025-01-06\nA-2,\"two\nlines\",2025-01-07\nA-3,x,2025-01-08\nA-4,y,tomorrow\n",
    );
    let e = load_err(&path, &none, &cal);
    assert_contains(
        &e,
        &[
            "multi.csv, line 5 (line 6 of the text",
            "column `Resolved` (C): `tomorrow` is not a date",
        ],
    );

    // A format given that a cell does not match.
    let path = write(&dir, "mixed.csv", "id,done\n1,06/01/2025\n2,2025-01-07\n");
    let dmy = HistoryOptions {
        date_format: Some("%d/%m/%Y".into()),
        ..HistoryOptions::default()
    };
    let e = load_err(&path, &dmy, &cal);
    assert_contains(
        &e,
        &[
            "mixed.csv, line 3, column `done` (B): `2025-01-07` does not match the date format `%d/%m/%Y` (today is ",
            "It would be read with no date format at all (it is an ISO date)",
        ],
    );

    // A format that cannot give a date.
    let path = write(&dir, "years.csv", "id,done\n1,2025\n");
    let years = HistoryOptions {
        date_format: Some("%Y".into()),
        ..HistoryOptions::default()
    };
    let e = load_err(&path, &years, &cal);
    assert_contains(
        &e,
        &[
            "years.csv, line 2, column `done` (B): the date format `%Y` reads `2025` but does not give a date",
        ],
    );

    // A spreadsheet's day number.
    let path = write(&dir, "serial.csv", "id,done\n1,45663\n");
    assert_contains(
        &load_err(&path, &none, &cal),
        &["`45663` is not a date", "spreadsheet's day number"],
    );
}

#[test]
fn missing_columns_and_empty_histories_say_what_was_found() {
    let dir = temp_dir("history-columns");
    let cal = weekdays("2025-06-02");
    let none = HistoryOptions::default();

    let path = write(
        &dir,
        "export.csv",
        "Issue key,Summary,Resolved Date\nA-1,x,2025-01-06\n",
    );
    assert_eq!(
        load_err(&path, &none, &cal),
        "export.csv has no column of completion dates: none is named `done`, `done_date`, `completed`, `completed_at`, `completion_date`, `resolved`, `resolved_at`, `closed`, `closed_at`, `end`, `finished`, `date`. Its columns are `Issue key`, `Summary`, `Resolved Date`. Is it `Resolved Date`? Then name it as the date column."
    );
    let named = HistoryOptions {
        date_column: Some("Resolvd".into()),
        ..HistoryOptions::default()
    };
    let path = write(
        &dir,
        "jira.csv",
        "Issue key,Summary,Resolved\nA-1,x,2025-01-06\n",
    );
    assert_eq!(
        load_err(&path, &named, &cal),
        "jira.csv has no column `Resolvd` (completion dates); its columns are `Issue key`, `Summary`, `Resolved`; did you mean `Resolved`?"
    );

    // All rows unresolved.
    let path = write(
        &dir,
        "open.csv",
        "Key,Status,Resolved\nA-1,To Do,\nA-2,In Progress,\n",
    );
    let e = load_err(&path, &none, &cal);
    assert_eq!(
        e,
        "open.csv holds no finished item: all 2 rows have an empty column `Resolved` (C) (rows with no completion date count as not finished)"
    );
    let path = write(&dir, "header.csv", "Key,Resolved\n");
    assert_eq!(
        load_err(&path, &none, &cal),
        "header.csv holds no finished item: it has no rows below its header"
    );
    let path = write(&dir, "nothing.csv", "");
    assert_contains(&load_err(&path, &none, &cal), &["nothing.csv is empty"]);
    let e = load_err(&dir.join("absent.csv"), &none, &cal);
    assert_contains(&e, &["cannot read ", "absent.csv"]);
}

#[test]
fn future_dates_and_empty_windows_are_refused() {
    let dir = temp_dir("history-windows");
    let none = HistoryOptions::default();

    // After today.
    let path = write(
        &dir,
        "future.csv",
        "Key,Resolved\nA-1,2025-01-06\nA-2,2099-01-05 10:00\nA-3,2099-02-05\n",
    );
    let e = load_err(&path, &none, &weekdays("2099-06-01"));
    assert_contains(
        &e,
        &[
            "future.csv, line 3, column `Resolved` (B): `2099-01-05` is after today (",
            "a completion date cannot be in the future (and 1 more row)",
        ],
    );

    // After the forecast start: history to 2025-03-28, forecast from 2025-03-03.
    let path = write(
        &dir,
        "late.csv",
        &every_weekday("2025-01-06", "2025-03-28", 1),
    );
    let cal = weekdays("2025-03-03");
    let e = load_err(&path, &none, &cal);
    assert_contains(
        &e,
        &[
            "late.csv, line 43, column `done` (B): `2025-03-04` is after the forecast start (2025-03-03)",
            "(and 18 more rows)",
        ],
    );
    // A window that ends by the start is fine.
    let until = HistoryOptions {
        until: Some(date("2025-03-03")),
        ..HistoryOptions::default()
    };
    assert_eq!(load(&path, &until, &cal).samples().len(), 41);
    let past_start = HistoryOptions {
        until: Some(date("2025-03-10")),
        ..HistoryOptions::default()
    };
    assert_contains(
        &load_err(&path, &past_start, &cal),
        &["the sampling window ends on 2025-03-10, after the forecast start (2025-03-03)"],
    );

    // A window with no item finished: 2025-02-03 (Monday) to 2025-03-05 (Wednesday) holds 23
    // working days.
    let path = write(
        &dir,
        "january.csv",
        &every_weekday("2025-01-06", "2025-01-31", 2),
    );
    let cal = weekdays("2025-06-02");
    let gap = HistoryOptions {
        since: Some(date("2025-02-03")),
        until: Some(date("2025-03-05")),
        ..HistoryOptions::default()
    };
    assert_eq!(
        load_err(&path, &gap, &cal),
        "no item was finished in the 23 working days from 2025-02-03 to 2025-03-05 (in january.csv); widen the window"
    );
    let weekly_gap = HistoryOptions {
        weekly: true,
        ..gap.clone()
    };
    assert_eq!(
        load_err(&path, &weekly_gap, &cal),
        "no item was finished in the 4 full weeks from 2025-02-03 to 2025-03-02 (in january.csv); widen the window"
    );
    let after = HistoryOptions {
        since: Some(date("2025-02-03")),
        ..HistoryOptions::default()
    };
    assert_contains(
        &load_err(&path, &after, &cal),
        &[
            "no item in january.csv was finished on or after 2025-02-03 (the last on 2025-01-31); widen the window",
        ],
    );
    let backwards = HistoryOptions {
        since: Some(date("2025-02-03")),
        until: Some(date("2025-01-03")),
        ..HistoryOptions::default()
    };
    assert_contains(
        &load_err(&path, &backwards, &cal),
        &["the sampling window starts (2025-02-03) after it ends (2025-01-03)"],
    );
    let short_weeks = HistoryOptions {
        since: Some(date("2025-01-08")),
        until: Some(date("2025-01-12")),
        weekly: true,
        ..HistoryOptions::default()
    };
    assert_contains(
        &load_err(&path, &short_weeks, &cal),
        &["the window from 2025-01-08 to 2025-01-12 holds no full week"],
    );
}

#[test]
fn questions_a_history_cannot_answer() {
    let dir = temp_dir("history-questions");
    let path = write(
        &dir,
        "one.csv",
        &every_weekday("2025-01-06", "2025-03-28", 1),
    );
    let cal = weekdays("2025-06-02");
    let h = load(&path, &HistoryOptions::default(), &cal);
    let err = |q: Question| history::forecast(&h, &cal, &q, 100, 1).unwrap_err();
    assert!(matches!(
        err(question(None, None)),
        HistoryError::Question(_)
    ));
    assert_eq!(
        err(question(Some(10), Some("2025-05-30"))).to_string(),
        "the date asked about, 2025-05-30, is before the forecast start (2025-06-02)"
    );
    let e = err(question(Some(1_000_000), None));
    assert!(matches!(e, HistoryError::TooLong(_)));
    assert_contains(
        &e.to_string(),
        &[
            "1,000,000 items would take about 1,000,000 working days at the history's mean of 1.00 items a working day; a forecast looks at most 5,000 working days ahead",
        ],
    );
    // Within the horizon on average but not in every run: a history with one busy day.
    let path = write(
        &dir,
        "rare.csv",
        "id,done\n1,2025-01-06\n2,2025-01-06\n3,2025-01-06\n4,2025-01-06\n5,2025-01-06\n6,2025-01-06\n7,2025-01-06\n8,2025-01-06\n9,2025-01-06\n10,2025-01-06\n",
    );
    let options = HistoryOptions {
        until: Some(date("2025-03-28")),
        ..HistoryOptions::default()
    };
    // Ten items on one of 60 working days: 800 items need 80 such days, 4,800 working days on
    // average (standard deviation about 530), within the horizon; about a third of the runs
    // need more than 5,000.
    let rare = load(&path, &options, &cal);
    let e = history::forecast(&rare, &cal, &question(Some(800), None), 2_000, 1).unwrap_err();
    assert_contains(
        &e.to_string(),
        &[
            "items after 5,000 working days",
            "as far as a forecast looks",
        ],
    );
    assert_contains(&e.to_string(), &[""]);
}

#[test]
fn the_targetprocess_history_loads_and_forecasts() {
    let path = Path::new("/work/shared/data/targetprocess-cycle-times/tp_cycle_times.csv");
    if !path.exists() {
        eprintln!("skipped: {} is not present", path.display());
        return;
    }
    // The last item ended on Friday 2015-10-23; forecast from the Monday after.
    let cal = weekdays("2015-10-26");
    for weekly in [false, true] {
        let options = HistoryOptions {
            weekly,
            ..HistoryOptions::default()
        };
        let h = load(path, &options, &cal);
        assert_eq!(h.column(), "end");
        assert_eq!(h.items(), 866);
        assert_eq!(h.span(), (date("2014-10-23"), date("2015-10-23")));
        assert!(h.mean_per_working_day() > 1.0 && h.mean_per_working_day() < 5.0);
        let q = question(Some(200), Some("2015-12-18"));
        let runs = history::forecast(&h, &cal, &q, 1_000, 9).unwrap();
        let f = summarize(&runs, &q, &cal, h.source(), 9, h.method(), h.warnings()).unwrap();
        let c = f.completion_date.unwrap();
        assert!(c["p50"].working_days <= c["p95"].working_days);
        assert!(f.items_by.is_some() && f.burn_up.is_some());
    }
}
