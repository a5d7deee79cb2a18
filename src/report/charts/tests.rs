//! The charts drawn from real runs of small scenarios, and from odd data.

use super::canvas::pm;
use super::*;
use crate::runner::{self, RunOptions};
use crate::scenario::Scenario;

/// Runs a scenario written as TOML with a few replications.
fn run(toml: &str, runs: u32) -> (Summary, ChartData) {
    let sc = Scenario::parse(toml, "test.toml").expect("valid scenario");
    let result = runner::simulate(
        &sc,
        RunOptions {
            runs: Some(runs),
            seed: None,
        },
        &|_| {},
    )
    .expect("simulation runs");
    let data = runner::chart_data(&sc, &result).expect("chart data");
    (result.summary, data)
}

const DELIVERY: &str = r#"
name = "Small delivery"
time_unit = "days"
[simulation]
runs = 10
seed = 11
items = 60
[arrivals]
rate = 0.8
backlog = 5
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
duration = { dist = "lognormal", median = 0.5, p90 = 1.5 }
[[stages]]
name = "Development"
team = "developers"
duration = { dist = "lognormal", median = 2, p90 = 5 }
blockers = { probability = 0.2, duration = { dist = "exponential", mean = 1 } }
[[stages]]
name = "Review"
team = "developers"
duration = { dist = "triangular", min = 0.1, mode = 0.3, max = 1 }
rework = { to = "Development", probability = 0.2 }
[[stages]]
name = "Approval"
kind = "delay"
duration = { dist = "uniform", min = 0.5, max = 2 }
[[stages]]
name = "Deploy"
kind = "cadence"
every = 5
duration = { dist = "constant", value = 0.2 }
"#;

const INCIDENTS: &str = r#"
name = "Small incidents"
time_unit = "hours"
wip_limit = 3
[simulation]
runs = 8
seed = 5
horizon = 120
warmup_items = 5
[arrivals]
rate = 0.6
[[work_types]]
name = "sev1"
share = 0.2
priority = 1
[[work_types]]
name = "sev2"
share = 0.8
[[stages]]
name = "Triage"
workers = 1
duration = { dist = "exponential", mean = 0.5 }
[[stages]]
name = "Fix"
workers = 1
duration = { dist = "gamma", mean = 4, sd = 3 }
"#;

const NAMES: [&str; 9] = [
    "lead-time-histogram",
    "lead-time-cdf",
    "where-the-time-goes",
    "stage-utilization",
    "cumulative-flow",
    "wip-over-time",
    "cycle-time-scatter",
    "throughput-run-chart",
    "flow-efficiency-histogram",
];

/// Decodes a PNG: width, height and RGB(A) pixels.
fn decode(png_bytes: &[u8]) -> (u32, u32, Vec<u8>, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("PNG data");
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf, info.color_type.samples())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// Every chart has a name, title, reading hint, an SVG with its title and a PNG of the chart
/// width, at most `max_height` high, that is not nearly one colour. With `FLOWSIM_CHART_DUMP=DIR`
/// set, the PNGs are also written there to be looked at. Shared with the what-if and forecast
/// chart tests.
pub(super) fn check_charts_up_to(charts: &[Chart], max_height: u32) {
    for c in charts {
        if let Some(dir) = std::env::var_os("FLOWSIM_CHART_DUMP") {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let n = N.fetch_add(1, Ordering::Relaxed);
            let path = std::path::Path::new(&dir).join(format!("{n:02}-{}.png", c.name));
            std::fs::write(path, &c.png).expect("dump written");
        }
        assert!(
            !c.title.is_empty() && !c.how_to_read.is_empty(),
            "{}",
            c.name
        );
        assert!(c.svg.starts_with("<svg"), "{}", c.name);
        assert!(
            c.svg.contains(&escape(&c.title)),
            "{}: the SVG lacks its title",
            c.name
        );
        let (w, h, pixels, samples) = decode(&c.png);
        assert_eq!(w, canvas::WIDTH, "{}", c.name);
        assert!((360..=max_height).contains(&h), "{}: height {h}", c.name);
        let first = &pixels[..samples];
        let colours = pixels
            .chunks(samples)
            .filter(|p| *p != first)
            .take(1000)
            .count();
        assert!(colours >= 1000, "{}: the PNG is nearly one colour", c.name);
    }
}

/// [`check_charts_up_to`], and that the charts are the ones named, in order.
pub(super) fn check_named(charts: &[Chart], names: &[&str], max_height: u32) {
    let got: Vec<&str> = charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(got, names);
    check_charts_up_to(charts, max_height);
}

fn check_charts(charts: &[Chart]) {
    check_charts_up_to(charts, 1600);
}

#[test]
fn every_chart_renders_for_an_items_run() {
    let (summary, data) = run(DELIVERY, 10);
    let charts = render_all(&summary, &data).expect("charts");
    let names: Vec<&str> = charts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, NAMES, "no aging chart without a horizon");
    check_charts(&charts);

    let by_name = |n: &str| charts.iter().find(|c| c.name == n).unwrap();
    let lead = summary.lead_time.as_ref().unwrap();
    let p85 = format!("P85 {} days", pm(lead.p85, lead.p85_se));
    assert!(p85.contains('±'), "{p85}");
    for name in ["lead-time-histogram", "cycle-time-scatter"] {
        let svg = &by_name(name).svg;
        assert!(svg.contains(&p85), "{name} lacks {p85}");
        assert!(svg.contains(&format!("P50 {}", pm(lead.p50, lead.p50_se))));
        assert!(svg.contains(&format!("P95 {}", pm(lead.p95, lead.p95_se))));
    }
    assert!(by_name("lead-time-histogram").svg.contains(&format!(
        "85% of items finish within {} days",
        pm(lead.p85, lead.p85_se)
    )));
    let cdf = &by_name("lead-time-cdf").svg;
    assert!(cdf.contains(&format!("P70: {} days", pm(lead.p70, lead.p70_se))));
    let fe = summary.flow_efficiency.as_ref().unwrap();
    assert!(
        by_name("flow-efficiency-histogram")
            .svg
            .contains(&canvas::pm_pct(fe.mean_of_ratios, fe.mean_of_ratios_se))
    );
    assert!(by_name("cumulative-flow").svg.contains("Replication"));
    assert!(by_name("wip-over-time").svg.contains("first 10 runs"));
    let per = format!("per {} days", canvas::short(data.period));
    assert!(by_name("throughput-run-chart").svg.contains(&per), "{per}");
    let util = &by_name("stage-utilization").svg;
    assert!(util.contains("Bottleneck"));
    let where_ = &by_name("where-the-time-goes").svg;
    assert!(where_.contains("Total lead time") && where_.contains("Flow efficiency"));
}

#[test]
fn a_horizon_run_adds_the_aging_chart() {
    let (summary, data) = run(INCIDENTS, 8);
    assert!(!data.representative.aging.is_empty());
    let charts = render_all(&summary, &data).expect("charts");
    assert_eq!(charts.last().unwrap().name, "aging-wip");
    assert_eq!(charts.len(), 10);
    check_charts(&charts);
    let aging = &charts.last().unwrap().svg;
    let t = &summary.stages[1].time_in_stage;
    assert!(aging.contains(&format!("P85 {}", pm(t.p85, t.p85_se))));
    assert!(aging.contains("hours"));
}

#[test]
fn drawing_twice_gives_identical_bytes() {
    let (summary, data) = run(DELIVERY, 6);
    let a = render_all(&summary, &data).unwrap();
    let b = render_all(&summary, &data).unwrap();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.svg, y.svg, "{}", x.name);
        assert_eq!(x.png, y.png, "{}", x.name);
    }
    // Saved and reloaded chart data (as `flowsim report` does) gives the same charts.
    let summary2: Summary =
        serde_json::from_str(&serde_json::to_string(&summary).unwrap()).unwrap();
    let data2: ChartData = serde_json::from_str(&serde_json::to_string(&data).unwrap()).unwrap();
    let c = render_all(&summary2, &data2).unwrap();
    for (x, y) in a.iter().zip(&c) {
        assert_eq!(x.svg, y.svg, "{}", x.name);
        assert_eq!(x.png, y.png, "{}", x.name);
    }
}

#[test]
fn odd_streams_do_not_panic() {
    let scenarios = [
        // Nothing is measured: every item is still in work at the horizon.
        r#"
name = "Nothing finishes"
time_unit = "hours"
[simulation]
runs = 4
horizon = 5
[arrivals]
rate = 1
[[stages]]
name = "Slow"
workers = 1
duration = { dist = "constant", value = 100 }
"#,
        // A single delay stage with constant durations: every lead time is the same.
        r#"
name = "Constant"
time_unit = "weeks"
[simulation]
runs = 3
items = 5
[arrivals]
backlog = 5
[[stages]]
name = "Only"
kind = "delay"
duration = { dist = "constant", value = 2 }
"#,
        // A two-day stream in days with durations of hours.
        r#"
name = "Short"
time_unit = "days"
[simulation]
runs = 5
items = 20
[arrivals]
rate = 12
[[stages]]
name = "Do"
workers = 2
duration = { dist = "exponential", mean = 0.05 }
"#,
        // A 200-day horizon run with a backlog.
        r#"
name = "Long"
time_unit = "days"
wip_limit = 4
[simulation]
runs = 3
horizon = 200
[arrivals]
rate = 0.5
backlog = 30
[[stages]]
name = "Work"
workers = 1
duration = { dist = "exponential", mean = 1.5 }
"#,
    ];
    for toml in scenarios {
        let (summary, data) = run(toml, 3);
        let charts = render_all(&summary, &data).expect("charts");
        check_charts(&charts);
    }
}

#[test]
fn many_stages_with_long_names_and_many_work_types() {
    let mut toml = String::from(
        r#"
name = "Many"
time_unit = "days"
[simulation]
runs = 3
horizon = 100
[arrivals]
rate = 1
backlog = 10
"#,
    );
    for t in 0..12 {
        toml += &format!(
            "[[work_types]]\nname = \"work type number {t} with a long name\"\nshare = {}\n",
            1.0 / 12.0
        );
    }
    for s in 0..10 {
        toml += &format!(
            "[[stages]]\nname = \"Stage {s}: a step with a very long and descriptive name indeed\"\nworkers = 2\nwip_limit = 5\nduration = {{ dist = \"exponential\", mean = 1.2 }}\n"
        );
    }
    let (summary, data) = run(&toml, 3);
    let charts = render_all(&summary, &data).expect("charts");
    assert_eq!(charts.len(), 10);
    check_charts(&charts);
}

#[test]
fn broken_or_empty_data_gives_charts_not_panics() {
    let (summary, data) = run(DELIVERY, 4);
    // Zero WIP and no throughput: every band and count at zero.
    let mut zero = data.clone();
    let flat = |b: &mut crate::metrics::charts::Band| {
        for v in b.mean.iter_mut().chain(&mut b.p10).chain(&mut b.p90) {
            *v = 0.0;
        }
    };
    flat(&mut zero.in_system);
    flat(&mut zero.throughput);
    for sb in &mut zero.stage_bands {
        flat(&mut sb.in_stage);
        flat(&mut sb.queue);
    }
    let r = &mut zero.representative;
    for v in r
        .arrived
        .iter_mut()
        .chain(&mut r.done)
        .chain(&mut r.finished)
        .chain(r.entered.iter_mut().flatten())
    {
        *v = 0;
    }
    r.points.clear();
    check_charts(&render_all(&summary, &zero).expect("zero WIP"));

    // Truncated and mismatched arrays, no sample times, odd numbers in the summary.
    let mut broken = data.clone();
    broken.times.clear();
    broken.in_system.p90.truncate(3);
    broken.throughput.mean.clear();
    broken.representative.entered.pop();
    broken.representative.done.truncate(2);
    broken.representative.end = f64::NAN;
    broken.period = 0.0;
    broken.lead_time = crate::metrics::Histogram::new();
    broken.flow_efficiency = crate::metrics::Histogram::new();
    let mut odd = summary.clone();
    for st in &mut odd.stages {
        st.mean_wait = f64::NAN;
        st.mean_work = f64::INFINITY;
        st.utilization = st.utilization.map(|_| f64::NAN);
        st.mean_queue = -1.0;
        st.time_in_stage.p50 = f64::NAN;
    }
    odd.bottleneck = Some("no such stage".into());
    odd.backlog_wait = None;
    if let Some(l) = odd.lead_time.as_mut() {
        l.p85_se = Some(f64::NAN);
        l.p95 = f64::INFINITY;
    }
    let charts = render_all(&odd, &broken).expect("broken data");
    check_charts(&charts);
    // A horizon run's aging items with unknown stages and ages.
    let mut aging = data;
    aging.representative.aging = vec![
        crate::metrics::charts::AgingPoint {
            stage: Some(99),
            age_in_stage: 1.0,
            age: 1.0,
            work_type: 7,
        },
        crate::metrics::charts::AgingPoint {
            stage: None,
            age_in_stage: f64::NAN,
            age: 2.0,
            work_type: 0,
        },
        crate::metrics::charts::AgingPoint {
            stage: Some(1),
            age_in_stage: 3.0,
            age: 4.0,
            work_type: 1,
        },
    ];
    let charts = render_all(&summary, &aging).expect("aging");
    assert_eq!(charts.len(), 10);
    check_charts(&charts);
}
