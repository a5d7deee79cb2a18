//! The command line end to end (the real binary), reproducibility across thread counts, and the
//! keyed random streams that make each item's durations independent of every other item.

use crate::common::{flowsim_bin, scenario, temp_dir};
use flowsim::engine::{self, ItemRecord, Model, Observer, Workspace};
use flowsim::runner::{self, RunOptions};
use std::path::Path;
use std::process::{Command, Output, Stdio};

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

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("file exists")).expect("valid JSON")
}

fn repo_file(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}

#[test]
fn run_without_a_file_runs_the_example_and_writes_its_results() {
    let dir = temp_dir("cli-run");
    let out = flowsim(&["run", "--runs", "40"], &dir);
    assert!(out.status.success(), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Lead time (arrival to done)"), "{stdout}");
    assert!(stdout.contains("Bottleneck"), "{stdout}");
    let results = dir.join("output/feature-delivery");
    assert!(
        stdout.contains("Results written to output/feature-delivery/"),
        "{stdout}"
    );

    let s = read_json(&results.join("summary.json"));
    assert_eq!(s["scenario"], "Feature delivery");
    assert_eq!(s["runs"], 40);
    assert_eq!(s["seed"], 42);
    let lead = &s["lead_time"];
    let (p50, p85, p95) = (
        lead["p50"].as_f64().unwrap(),
        lead["p85"].as_f64().unwrap(),
        lead["p95"].as_f64().unwrap(),
    );
    assert!(0.0 < p50 && p50 < p85 && p85 < p95, "{lead}");
    let stages = s["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 6);
    assert!(
        stages
            .iter()
            .any(|st| st["name"] == s["bottleneck"] && st["kind"] == "work")
    );

    // stages.csv: a header and one row per stage, in flow order.
    let mut r = csv::Reader::from_path(results.join("stages.csv")).unwrap();
    let names: Vec<String> = r.records().map(|rec| rec.unwrap()[0].to_string()).collect();
    let expected: Vec<String> = stages
        .iter()
        .map(|st| st["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, expected);

    // lead_times.csv: percentiles 1..99 that never decrease, then a histogram of all items.
    let mut r = csv::Reader::from_path(results.join("lead_times.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let pct: Vec<f64> = rows
        .iter()
        .filter(|r| &r[0] == "percentile")
        .map(|r| r[2].parse().unwrap())
        .collect();
    assert_eq!(pct.len(), 99);
    assert!(pct.windows(2).all(|w| w[0] <= w[1]));
    assert!(
        (pct[84] - p85).abs() < 1e-9,
        "P85 in the CSV is the summary's"
    );
    let items: f64 = rows
        .iter()
        .filter(|r| &r[0] == "histogram")
        .map(|r| r[5].parse::<f64>().unwrap())
        .sum();
    let count = lead["count"].as_f64().unwrap();
    assert!(
        (items - count).abs() <= rows.len() as f64,
        "{items} vs {count}"
    );
}

#[test]
fn results_are_bit_identical_on_one_or_several_threads() {
    let dir = temp_dir("cli-threads");
    let file = repo_file("scenarios/feature-delivery.toml");
    let mut outputs = Vec::new();
    for (env, extra) in [("1", None), ("2", None), ("2", Some("3"))] {
        let out_dir = dir.join(format!("t{env}-{}", extra.unwrap_or("-")));
        let out_arg = out_dir.display().to_string();
        let mut args = vec!["run", &file, "--runs", "150", "--out", &out_arg, "-q"];
        if let Some(n) = extra {
            args.extend(["--threads", n]);
        }
        let out = Command::new(flowsim_bin())
            .args(&args)
            .env("RAYON_NUM_THREADS", env)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        outputs.push(std::fs::read(out_dir.join("summary.json")).unwrap());
        outputs.push(std::fs::read(out_dir.join("lead_times.csv")).unwrap());
    }
    assert_eq!(
        outputs[0], outputs[2],
        "summary.json: 1 thread vs 2 threads"
    );
    assert_eq!(
        outputs[0], outputs[4],
        "summary.json: 1 thread vs --threads 3"
    );
    assert_eq!(
        outputs[1], outputs[3],
        "lead_times.csv: 1 thread vs 2 threads"
    );
}

#[test]
fn the_seed_decides_the_results() {
    let sc = scenario(include_str!("../../scenarios/b1.toml"));
    let run = |seed| {
        let opts = RunOptions {
            runs: Some(30),
            seed: Some(seed),
        };
        serde_json::to_string(&runner::simulate(&sc, opts, &|_| {}).unwrap().summary).unwrap()
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

#[test]
fn init_writes_the_example_and_will_not_overwrite() {
    let dir = temp_dir("cli-init");
    let out = flowsim(&["init", "team-a"], &dir);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(dir.join("team-a.toml")).unwrap();
    assert_eq!(
        written,
        include_str!("../../scenarios/feature-delivery.toml")
    );
    assert!(text(&out.stdout).contains("flowsim run team-a.toml"));

    let again = flowsim(&["init", "team-a"], &dir);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("already exists"));
    assert!(
        flowsim(&["init", "team-a", "--force"], &dir)
            .status
            .success()
    );

    // The written file runs.
    let run = flowsim(
        &["run", "team-a.toml", "--runs", "5", "--out", "res", "-q"],
        &dir,
    );
    assert!(run.status.success(), "{}", text(&run.stderr));
    assert!(dir.join("res/summary.json").exists());
}

#[test]
fn help_shows_examples() {
    let dir = temp_dir("cli-help");
    for args in [&["--help"][..], &["run", "--help"], &["init", "--help"]] {
        let out = flowsim(args, &dir);
        assert!(out.status.success());
        let help = text(&out.stdout);
        assert!(help.contains("Examples:"), "{args:?}: {help}");
    }
    let out = flowsim(&["run", "--help"], &dir);
    assert!(text(&out.stdout).contains("--out <DIR>"));
}

#[test]
fn bad_arguments_exit_with_code_2() {
    let dir = temp_dir("cli-args");
    let out = flowsim(&["run", "--runs", "0"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let out = flowsim(&["frobnicate"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join("output").exists());
}

#[test]
fn a_closed_output_pipe_is_not_an_error() {
    let dir = temp_dir("cli-pipe");
    let mut child = Command::new(flowsim_bin())
        .args(["run", "--runs", "20"])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away, like `flowsim run | head -0`
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{stderr}");
}

#[test]
fn an_unwritable_output_directory_fails_cleanly() {
    let dir = temp_dir("cli-unwritable");
    std::fs::write(dir.join("a-file"), "not a directory").unwrap();
    let out = flowsim(&["run", "--runs", "5", "--out", "a-file/results"], &dir);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cannot write the results to a-file/results"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

/// Records each item's work time at each stage, by item index.
#[derive(Default)]
struct WorkByItem(Vec<(u64, Vec<f64>)>);

impl Observer for WorkByItem {
    fn item_done(&mut self, item: &ItemRecord<'_>) {
        let work = item.stages.iter().map(|s| s.work).collect();
        self.0.push((item.index, work));
    }
}

fn work_by_item(toml: &str, rep: u64) -> Vec<(u64, Vec<f64>)> {
    let model = Model::new(&scenario(toml));
    let mut obs = WorkByItem::default();
    engine::run(&model, 9, rep, &mut Workspace::default(), &mut obs).unwrap();
    obs.0.sort_by_key(|(i, _)| *i);
    obs.0
}

#[test]
fn an_items_durations_do_not_depend_on_other_items() {
    // Same items, same stages; different arrival rate, capacity and an extra stage: everything
    // that changes who waits for whom. Each item's work at Build and Test must stay the same,
    // because its random streams are keyed by (seed, replication, item, stage, visit).
    let base = r#"
        [simulation]
        items = 200
        [arrivals]
        rate = 0.5
        [[stages]]
        name = "Build"
        workers = 1
        duration = { dist = "lognormal", median = 1, p90 = 3 }
        [[stages]]
        name = "Test"
        workers = 1
        duration = { dist = "gamma", mean = 0.8, sd = 0.5 }
    "#;
    let busier = base
        .replace("rate = 0.5", "rate = 1.5")
        .replace("workers = 1", "workers = 3");
    let longer =
        format!("{busier}\n[[stages]]\nname = \"Deploy\"\nkind = \"cadence\"\nevery = 7\n");
    let a = work_by_item(base, 3);
    let b = work_by_item(&busier, 3);
    let c = work_by_item(&longer, 3);
    assert_eq!(a.len(), 200);
    // Work is recorded as (start + d) - start, so it equals the drawn d up to the rounding of
    // the clock (times here are below 1,000, so within 1e-9).
    let same = |x: &[f64], y: &[f64]| x.iter().zip(y).all(|(p, q)| (p - q).abs() < 1e-9);
    for ((x, y), z) in a.iter().zip(&b).zip(&c) {
        assert_eq!(x.0, y.0);
        assert!(same(&x.1, &y.1), "item {}: {:?} vs {:?}", x.0, x.1, y.1);
        assert!(
            same(&x.1[..2], &z.1[..2]),
            "item {}: {:?} vs {:?}",
            x.0,
            x.1,
            z.1
        );
    }
    // And the streams really differ between items and between replications.
    assert!(!same(&a[0].1, &a[1].1));
    assert!(!same(&a[0].1, &work_by_item(base, 4)[0].1));
}
