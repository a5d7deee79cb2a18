//! The data behind the charts: conservation laws of the cumulative flow diagram, the choice of the
//! representative replication, bands, aging items, and reproducibility.

use crate::common::scenario;
use flowsim::metrics::charts::ChartData;
use flowsim::runner::{self, RunOptions, RunResult};

const STREAM: &str = r#"
name = "Chart data"
[simulation]
runs = 60
seed = 3
items = 400
[arrivals]
rate = 1.0
backlog = 12
[[work_types]]
name = "feature"
share = 0.8
[[work_types]]
name = "bug"
share = 0.2
priority = 1
[[stages]]
name = "Build"
workers = 2
wip_limit = 5
duration = { dist = "gamma", mean = 1.5, sd = 1.0 }
[[stages]]
name = "Review"
workers = 1
duration = { dist = "exponential", mean = 0.6 }
rework = { to = "Build", probability = 0.25 }
[[stages]]
name = "Release"
kind = "cadence"
every = 5
"#;

fn chart_data(toml: &str) -> (RunResult, ChartData) {
    let sc = scenario(toml);
    let result = runner::simulate(&sc, RunOptions::default(), &|_| {}).unwrap();
    let data = runner::chart_data(&sc, &result).unwrap();
    (result, data)
}

#[test]
fn cumulative_flow_is_ordered_and_conserves_items() {
    let (result, d) = chart_data(STREAM);
    let r = &d.representative;
    let k = d.times.len();
    assert_eq!(r.arrived.len(), k);
    assert_eq!(r.done.len(), k);
    for i in 0..k {
        // Every item that entered a stage has arrived and entered all earlier stages first;
        // rework does not count twice (first entries only).
        let mut upstream = r.arrived[i];
        for s in 0..d.stages.len() {
            assert!(r.entered[s][i] <= upstream, "sample {i}, stage {s}");
            upstream = r.entered[s][i];
        }
        assert!(r.done[i] <= upstream, "sample {i}");
        if i > 0 {
            assert!(r.arrived[i] >= r.arrived[i - 1] && r.done[i] >= r.done[i - 1]);
        }
    }
    // At time 0 the backlog has arrived; by the end of the chart (the P99 makespan, later than
    // the representative's median makespan) all 400 items are done.
    assert_eq!(r.arrived[0], 12);
    assert_eq!(*r.arrived.last().unwrap(), 400);
    assert_eq!(*r.done.last().unwrap(), 400);
    assert_eq!(r.finished.iter().sum::<u32>(), 400);
    assert_eq!(r.points.len(), 400);
    // The representative's makespan is the one nearest the median of all runs.
    let median = result.summary.makespan.as_ref().unwrap().p50;
    assert!(
        r.chosen
            .contains(&format!("Replication {} of 60", r.replication + 1)),
        "{}",
        r.chosen
    );
    assert!(
        (r.end - median).abs() < 0.05 * median,
        "{} vs {median}",
        r.end
    );
    assert!(
        r.points
            .iter()
            .all(|p| p.done <= r.end && p.lead_time > 0.0)
    );
}

#[test]
fn bands_start_from_the_backlog_and_end_empty() {
    let (_, d) = chart_data(STREAM);
    assert_eq!(d.band_replications, 60);
    let b = &d.in_system;
    // Every replication starts with the 12 backlog items in the stream.
    assert_eq!((b.mean[0], b.p10[0], b.p90[0]), (12.0, 12.0, 12.0));
    for i in 0..d.times.len() {
        // (A mean may lie outside its P10-P90 band: near the end most replications are empty
        // and a few are not.)
        assert!(b.p10[i] <= b.p90[i]);
        // The stream holds at least what its stages hold.
        let staged: f64 = d.stage_bands.iter().map(|s| s.in_stage.mean[i]).sum();
        assert!(staged <= b.mean[i] + 1e-9, "sample {i}");
        for s in &d.stage_bands {
            assert!(s.queue.mean[i] <= s.in_stage.mean[i] + 1e-9);
        }
    }
    // At the P99 makespan at most a few replications are still running.
    assert!(*b.mean.last().unwrap() < 1.0);
    // Throughput bands: their means add up to about all items (periods cover the P99 makespan).
    let total: f64 = d.throughput.mean.iter().sum();
    assert!((380.0..=400.0).contains(&total), "{total}");
}

#[test]
fn horizon_runs_show_aging_items() {
    let toml = STREAM
        // 151, not a multiple of the cadence: the last sample (the state just before any event
        // at that time) then sees the same stream as the end of the run.
        .replace("items = 400", "horizon = 151")
        .replace("rate = 1.0", "rate = 1.3");
    let (result, d) = chart_data(&toml);
    let r = &d.representative;
    assert!(!r.aging.is_empty());
    assert!(r.chosen.contains("items done by the end"), "{}", r.chosen);
    for a in &r.aging {
        assert!(a.age >= a.age_in_stage - 1e-9 && a.age_in_stage >= 0.0);
        assert!(a.age <= 151.0);
    }
    // The unfinished items of the representative are the ones arrived and not done at the end.
    let last = d.times.len() - 1;
    assert_eq!(r.aging.len() as u32, r.arrived[last] - r.done[last]);
    assert!(result.summary.unfinished_at_end.unwrap().mean > 0.0);
}

#[test]
fn chart_data_does_not_depend_on_thread_count() {
    let sc = scenario(STREAM);
    let json = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let result = runner::simulate(&sc, RunOptions::default(), &|_| {}).unwrap();
                serde_json::to_string(&runner::chart_data(&sc, &result).unwrap()).unwrap()
            })
    };
    assert_eq!(json(1), json(2));
}

#[test]
fn chart_data_survives_saving_and_loading() {
    let (_, d) = chart_data(STREAM);
    let text = serde_json::to_string(&d).unwrap();
    let back: ChartData = serde_json::from_str(&text).unwrap();
    // Bit for bit: floats are written in full and read back exactly.
    assert_eq!(back, d);
}

#[test]
fn summaries_with_no_measured_items_can_be_read_back() {
    // A horizon too short for any item to finish: many statistics are NaN, written as null.
    let sc = scenario(
        r#"
        [simulation]
        runs = 5
        horizon = 0.5
        [arrivals]
        rate = 1
        [[stages]]
        name = "Slow"
        workers = 3
        duration = { dist = "constant", value = 2 }
        "#,
    );
    let result = runner::simulate(&sc, RunOptions::default(), &|_| {}).unwrap();
    let text = serde_json::to_string(&result.summary).unwrap();
    assert!(text.contains("null"));
    let back: flowsim::metrics::Summary = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), text);
    assert!(back.stages[0].mean_wait.is_nan());
}
