//! `flowsim run --events`: the simulated history of the first replication as a CSV work-item
//! history (wide and long layouts), checked end to end through the real binary: exact date-times
//! with constant work, rework revisits, the order of the states, items done, reproducibility,
//! unfinished items of a `horizon` run, and a path that cannot be written.

use crate::common::{flowsim_bin, temp_dir};
use flowsim::calendar::{Calendar, parse_date};
use flowsim::engine::{self, ItemId, ItemRecord, Model, Observer, Workspace};
use flowsim::scenario::{Scenario, TimeUnit};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};

fn flowsim(args: &[&str], dir: &Path) -> Output {
    Command::new(flowsim_bin())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the flowsim binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Writes `toml` as `scenario.toml` in `dir`, runs `flowsim run` on it with `args` (quiet, no
/// charts, results in `dir/out`) and returns the bytes of `events.csv`.
fn run_events(dir: &Path, toml: &str, args: &[&str]) -> Vec<u8> {
    std::fs::write(dir.join("scenario.toml"), toml).unwrap();
    let mut all = vec![
        "run",
        "scenario.toml",
        "--events",
        "events.csv",
        "--out",
        "out",
        "--no-charts",
        "-q",
    ];
    all.extend_from_slice(args);
    let out = flowsim(&all, dir);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Events written to events.csv"), "{stdout}");
    std::fs::read(dir.join("events.csv")).expect("the events file is written")
}

/// The CSV's rows, the header first.
fn rows(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// Working time (days) back from a date-time the way a reader does: the working days before the
/// date plus the time of day as a fraction of 24 hours.
fn working_days(calendar: &Calendar, datetime: &str) -> f64 {
    let (date, time) = datetime.split_once('T').expect("a date-time");
    let date = parse_date(date).unwrap();
    assert!(calendar.is_working(date), "{datetime} is not a working day");
    let before = calendar.working_days_through(date) - 1;
    let hms: Vec<f64> = time.split(':').map(|x| x.parse().unwrap()).collect();
    before as f64 + (hms[0] * 3600.0 + hms[1] * 60.0 + hms[2]) / 86_400.0
}

/// Two stages with one worker each and constant work, five items in the backlog.
const TWO_STAGES: &str = r#"
name = "two stages"
[simulation]
runs = 3
items = 5
[arrivals]
backlog = 5
[[stages]]
name = "Analysis"
workers = 1
duration = { dist = "constant", value = 1.25 }
[[stages]]
name = "Development"
workers = 1
duration = { dist = "constant", value = 1 }
"#;

#[test]
fn constant_work_gives_exact_date_times() {
    let dir = temp_dir("events-exact");
    let wide = run_events(&dir, TWO_STAGES, &[]);
    // By hand. Item i finishes Analysis at 1.25 i working days and Development one day after
    // it starts, which is when it is done with Analysis (the developer is always free by then).
    // Day 0 is Monday 2027-01-04 (no [calendar]: Monday to Friday from that date); a fraction of
    // a working day is that fraction of 24 hours. Item 4 is done with Analysis at 5.0, the end
    // of Friday, written as the start of the next working day, Monday 2027-01-11.
    let expected = "\
id,type,Backlog,Ready for Analysis,Analysis,Ready for Development,Development,Done
1,item,2027-01-04T00:00:00,2027-01-04T00:00:00,2027-01-04T00:00:00,2027-01-05T06:00:00,2027-01-05T06:00:00,2027-01-06T06:00:00
2,item,2027-01-04T00:00:00,2027-01-04T00:00:00,2027-01-05T06:00:00,2027-01-06T12:00:00,2027-01-06T12:00:00,2027-01-07T12:00:00
3,item,2027-01-04T00:00:00,2027-01-04T00:00:00,2027-01-06T12:00:00,2027-01-07T18:00:00,2027-01-07T18:00:00,2027-01-08T18:00:00
4,item,2027-01-04T00:00:00,2027-01-04T00:00:00,2027-01-07T18:00:00,2027-01-11T00:00:00,2027-01-11T00:00:00,2027-01-12T00:00:00
5,item,2027-01-04T00:00:00,2027-01-04T00:00:00,2027-01-11T00:00:00,2027-01-12T06:00:00,2027-01-12T06:00:00,2027-01-13T06:00:00
";
    assert_eq!(text(&wide), expected);

    // The long layout of the same run: six entries per item, in the same order and times.
    let long = rows(&run_events(&dir, TWO_STAGES, &["--events-layout", "long"]));
    assert_eq!(long[0], ["id", "type", "state", "entered_at"]);
    let wide = rows(expected.as_bytes());
    let from_wide: Vec<Vec<String>> = wide[1..]
        .iter()
        .flat_map(|r| {
            wide[0][2..]
                .iter()
                .zip(&r[2..])
                .map(|(state, at)| vec![r[0].clone(), r[1].clone(), state.clone(), at.clone()])
        })
        .collect();
    assert_eq!(long[1..], from_wide[..]);
}

#[test]
fn a_calendar_in_hours_with_a_holiday_and_another_start() {
    let dir = temp_dir("events-hours");
    // 6-hour items on an 8-hour day: done after 0.75, 1.5 and 2.25 working days. Wednesday
    // 2027-03-31 is day 0, Thursday 1 April day 1, and Good Friday (2 April) is a holiday, so
    // day 2 is Monday 5 April.
    let toml = r#"
name = "hours"
time_unit = "hours"
[simulation]
runs = 2
items = 3
[arrivals]
backlog = 3
[calendar]
start = 2027-03-31
holidays = [2027-04-02]
hours_per_day = 8
[[stages]]
name = "Fix"
workers = 1
duration = { dist = "constant", value = 6 }
"#;
    let expected = "\
id,type,Backlog,Ready for Fix,Fix,Done
1,item,2027-03-31T00:00:00,2027-03-31T00:00:00,2027-03-31T00:00:00,2027-03-31T18:00:00
2,item,2027-03-31T00:00:00,2027-03-31T00:00:00,2027-03-31T18:00:00,2027-04-01T12:00:00
3,item,2027-03-31T00:00:00,2027-03-31T00:00:00,2027-04-01T12:00:00,2027-04-05T06:00:00
";
    assert_eq!(text(&run_events(&dir, toml, &[])), expected);
    // --start moves day 0 to Thursday 1 April: day 1 is Monday 5 April, day 2 Tuesday 6 April.
    let moved = rows(&run_events(&dir, toml, &["--start", "2027-04-01"]));
    assert_eq!(moved[3][5], "2027-04-06T06:00:00");
    assert_eq!(moved[1][2], "2027-04-01T00:00:00");
}

/// A stream with every kind of stage and movement: a shared team, WIP limits, blockers that free
/// the worker, rework, a delay, a cadence, work types, splits and discovered work.
const RICH: &str = r#"
name = "rich"
[simulation]
runs = 2
seed = 11
items = 60
[arrivals]
rate = 0.8
backlog = 10
[scope]
split = { into = [1, 2, 3], weights = [0.6, 0.3, 0.1] }
discovery_rate = 0.1
[[work_types]]
name = "feature"
share = 0.7
[[work_types]]
name = "defect"
share = 0.3
priority = 1
[[teams]]
name = "developers"
people = 3
[[stages]]
name = "Analysis"
workers = 1
wip_limit = 3
duration = { dist = "exponential", mean = 0.4 }
[[stages]]
name = "Development"
team = "developers"
wip_limit = 4
duration = { dist = "lognormal", median = 1.5, p90 = 4 }
blockers = { probability = 0.3, duration = { dist = "exponential", mean = 1 } }
[[stages]]
name = "Code review"
team = "developers"
duration = { dist = "uniform", min = 0.1, max = 0.6 }
rework = { to = "Development", probability = 0.4 }
[[stages]]
name = "Test"
workers = 1
wip_limit = 2
duration = { dist = "exponential", mean = 0.5 }
rework = { to = "Analysis", probability = 0.15 }
[[stages]]
name = "Security approval"
kind = "delay"
duration = { dist = "uniform", min = 0.5, max = 2 }
[[stages]]
name = "Deploy"
kind = "cadence"
every = 5
duration = { dist = "constant", value = 0.25 }
"#;

/// Per item id: its (state, entered_at) entries in file order.
type Entries = BTreeMap<String, Vec<(String, String)>>;

/// The long layout's entries per item id, and the ids in order.
fn by_item(long: &[Vec<String>]) -> (Vec<String>, Entries) {
    let mut order = Vec::new();
    let mut items = Entries::new();
    for r in &long[1..] {
        if !items.contains_key(&r[0]) {
            order.push(r[0].clone());
        }
        items
            .entry(r[0].clone())
            .or_default()
            .push((r[2].clone(), r[3].clone()));
    }
    (order, items)
}

#[test]
fn the_long_layout_repeats_rework_and_agrees_with_the_wide_one() {
    let dir = temp_dir("events-rework");
    let wide = rows(&run_events(&dir, RICH, &[]));
    let long = rows(&run_events(&dir, RICH, &["--events-layout", "long"]));
    let (order, items) = by_item(&long);
    let header = &wide[0];
    assert_eq!(
        header[..],
        [
            "id",
            "type",
            "Backlog",
            "Ready for Analysis",
            "Analysis",
            "Ready for Development",
            "Development",
            "Ready for Code review",
            "Code review",
            "Ready for Test",
            "Test",
            "Security approval",
            "Deploy",
            "Done"
        ]
    );
    // The same items in the same order of arrival, with their types.
    let wide_ids: Vec<String> = wide[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(wide_ids, order);
    let types: BTreeMap<&str, &str> = long[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    for r in &wide[1..] {
        assert_eq!(types[r[0].as_str()], r[1]);
        assert!(r[1] == "feature" || r[1] == "defect", "{r:?}");
    }
    // Rework shows as repeated states: some item entered Development more than once.
    let repeats = items
        .values()
        .filter(|e| e.iter().filter(|(s, _)| s == "Development").count() > 1)
        .count();
    assert!(repeats > 0, "no item was reworked");
    // Each wide cell is the first entry of that state in the long layout, or empty.
    for r in &wide[1..] {
        let entries = &items[&r[0]];
        for (state, cell) in header[2..].iter().zip(&r[2..]) {
            let first = entries.iter().find(|(s, _)| s == state).map(|(_, t)| t);
            assert_eq!(first.map_or("", String::as_str), cell, "{} {state}", r[0]);
        }
    }
    // Ids: arrival numbers, split parts and discovered items, each once.
    assert_eq!(
        wide_ids.iter().collect::<BTreeSet<_>>().len(),
        wide_ids.len()
    );
    assert_eq!(wide_ids[0], "1");
    assert!(
        wide_ids.iter().any(|id| id.ends_with(".2")),
        "no split part"
    );
    assert!(wide_ids.iter().any(|id| id == "D1"), "no discovered item");
}

#[test]
fn every_item_follows_the_flow_in_time_order() {
    let dir = temp_dir("events-order");
    let long = rows(&run_events(&dir, RICH, &["--events-layout", "long"]));
    let (_, items) = by_item(&long);
    let work_stages = ["Analysis", "Development", "Code review", "Test"];
    for (id, entries) in &items {
        assert_eq!(entries[0].0, "Backlog", "{id}");
        // ISO date-times of one format sort as text.
        for w in entries.windows(2) {
            assert!(w[0].1 <= w[1].1, "{id}: {w:?} goes back in time");
            // A person starts on an item only after it waited in the stage's queue: work resumed
            // after a blocker is not a new entry.
            if work_stages.contains(&w[1].0.as_str()) {
                assert_eq!(w[0].0, format!("Ready for {}", w[1].0), "{id}: {w:?}");
            }
        }
        let done = entries.iter().filter(|(s, _)| s == "Done").count();
        assert_eq!(done, 1, "{id}: every item of an `items` run is done once");
        assert_eq!(entries.last().unwrap().0, "Done", "{id}");
    }
}

/// Counts what the engine reports for one replication.
#[derive(Default)]
struct Count {
    arrived: BTreeSet<ItemId>,
    done: u64,
}

impl Observer for Count {
    fn item_done(&mut self, _item: &ItemRecord<'_>) {
        self.done += 1;
    }

    fn item_arrived(&mut self, item: ItemId, _work_type: usize, _time: f64) {
        assert!(self.arrived.insert(item), "{item:?} arrived twice");
    }
}

/// A `horizon` run: work keeps arriving, and what is unfinished at the end shows as empty cells.
const HORIZON: &str = r#"
name = "horizon"
[simulation]
runs = 2
seed = 5
horizon = 40
[arrivals]
rate = 1.2
backlog = 5
[scope]
split = { into = [1, 2], weights = [0.8, 0.2] }
[[stages]]
name = "Build"
workers = 1
duration = { dist = "exponential", mean = 0.8 }
[[stages]]
name = "Wait"
kind = "delay"
duration = { dist = "uniform", min = 0.5, max = 1.5 }
[[stages]]
name = "Check"
workers = 1
duration = { dist = "exponential", mean = 0.5 }
rework = { to = "Build", probability = 0.2 }
"#;

#[test]
fn a_horizon_run_leaves_unfinished_items_empty_and_counts_what_was_done() {
    let dir = temp_dir("events-horizon");
    let wide = rows(&run_events(&dir, HORIZON, &[]));
    let states = wide[0].len() - 2;
    let mut unfinished = 0;
    for r in &wide[1..] {
        // The states an item entered come first in the flow: the rest of its row is empty.
        let entered = r[2..].iter().take_while(|c| !c.is_empty()).count();
        assert!(entered >= 1, "{r:?}: every item arrived");
        assert!(r[2 + entered..].iter().all(String::is_empty), "{r:?}");
        if entered < states {
            unfinished += 1;
        }
    }
    assert!(
        unfinished > 0,
        "the arrival rate is above capacity: work is left at the end"
    );

    // The same replication through the library: replication 0 of the seed.
    let sc = Scenario::parse(HORIZON, "horizon.toml").unwrap();
    let mut count = Count::default();
    let stats = engine::run(
        &Model::new(&sc),
        5,
        0,
        &mut Workspace::default(),
        &mut count,
    )
    .unwrap();
    let done_cells = wide[1..]
        .iter()
        .filter(|r| !r[r.len() - 1].is_empty())
        .count();
    assert_eq!(done_cells as u64, count.done);
    assert_eq!(wide.len() - 1, count.arrived.len());
    assert_eq!(unfinished as u64, stats.unfinished);
}

#[test]
fn the_history_is_the_summarys_first_replication_and_repeats_byte_for_byte() {
    let dir = temp_dir("events-repeat");
    let first = run_events(&dir, RICH, &["--runs", "1", "--seed", "3"]);
    let again = run_events(&dir, RICH, &["--runs", "1", "--seed", "3", "-j", "1"]);
    assert_eq!(first, again);
    let other = run_events(&dir, RICH, &["--runs", "1", "--seed", "4"]);
    assert_ne!(first, other, "another seed, another history");

    // With one run, the summary's makespan is replication 0's: the last Done of the history.
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["seed"], 4);
    let makespan = summary["makespan"]["mean"].as_f64().unwrap();
    let calendar = Calendar::weekdays(parse_date("2027-01-04").unwrap(), TimeUnit::Days);
    let last = rows(&other)[1..]
        .iter()
        .map(|r| working_days(&calendar, r.last().unwrap()))
        .fold(0.0, f64::max);
    assert!(
        (last - makespan).abs() <= 0.5 / 86_400.0 + 1e-9,
        "last done {last} vs makespan {makespan}"
    );
}

#[test]
fn events_into_a_missing_directory_fail_and_write_nothing() {
    let dir = temp_dir("events-missing");
    std::fs::write(dir.join("scenario.toml"), TWO_STAGES).unwrap();
    let out = flowsim(
        &[
            "run",
            "scenario.toml",
            "--events",
            "nowhere/events.csv",
            "--out",
            "out",
            "--no-charts",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1), "stdout: {}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("nowhere/events.csv") && stderr.contains("does not exist"),
        "{stderr}"
    );
    assert!(!dir.join("nowhere").exists());
    assert!(!dir.join("out").exists(), "nothing was run");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["scenario.toml"], "no partial file");

    // The layout and start need --events.
    let out = flowsim(&["run", "scenario.toml", "--events-layout", "long"], &dir);
    assert_eq!(out.status.code(), Some(2));
}
