//! Engine speed in item-stage visits per second (one visit = one item passing through one stage,
//! queue and work), on one core: the canonical model B1 (../shared/benchmarks/B1.md), a stream with
//! rework, blockers and a shared team, and a WIP-limited kanban stream.
//!
//! For each: the event list alone (`event-list`), with the statistics collector
//! (`event-list+metrics`), and as a real run does it (`run+metrics`: the tandem solver where the
//! stream allows it, as B1 does, else the event list).
//!
//! Run with `cargo bench --bench engine`; criterion reports "elements/s" = visits per second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use flowsim::engine::{self, ItemRecord, Model, Observer, Workspace};
use flowsim::metrics::{Collector, Histograms};
use flowsim::scenario::Scenario;
use std::hint::black_box;

/// Counts visits, so that the benchmark knows how much work a replication did.
struct Visits(u64);

impl Observer for Visits {
    fn item_done(&mut self, item: &ItemRecord<'_>) {
        self.0 += item.stages.iter().map(|s| u64::from(s.visits)).sum::<u64>();
    }
}

const KANBAN: &str = r#"
name = "kanban"
[simulation]
items = 1000
[arrivals]
rate = 1.0
[[stages]]
name = "Analysis"
workers = 2
wip_limit = 4
duration = { dist = "exponential", mean = 1.5 }
[[stages]]
name = "Development"
workers = 4
wip_limit = 6
duration = { dist = "lognormal", mean = 3.5, sd = 2.5 }
[[stages]]
name = "Review"
workers = 1
wip_limit = 3
duration = { dist = "exponential", mean = 0.8 }
[[stages]]
name = "Test"
workers = 2
duration = { dist = "exponential", mean = 1.6 }
"#;

fn bench_model(c: &mut Criterion, name: &str, text: &str) {
    let sc = Scenario::parse(text, name).expect("valid scenario");
    let model = Model::new(&sc);
    let mut ws = Workspace::default();
    // Visits per replication (fixed for B1; an average over a few replications otherwise).
    let mut counter = Visits(0);
    let reps = 20;
    for rep in 0..reps {
        engine::run(&model, 1, rep, &mut ws, &mut counter).expect("runs");
    }
    let visits = counter.0 / reps;

    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(visits));
    // The event list alone, with an observer that does almost nothing.
    let mut rep = 0u64;
    g.bench_function("event-list", |b| {
        b.iter(|| {
            rep += 1;
            let mut v = Visits(0);
            black_box(engine::run_event_list(&model, 1, rep, &mut ws, &mut v).expect("runs"));
        })
    });
    // The statistics collector a real run uses, on the event list, then as a real run does it
    // (the tandem solver where the stream allows it, else the event list).
    let mut hist = Histograms::new(sc.stages.len(), sc.work_types.len());
    let mut col = Collector::new(sc.stages.len(), sc.work_types.len(), 0, &mut hist);
    g.bench_function("event-list+metrics", |b| {
        b.iter(|| {
            rep += 1;
            col.begin();
            let stats = engine::run_event_list(&model, 1, rep, &mut ws, &mut col).expect("runs");
            black_box(col.finish(stats, None));
        })
    });
    g.bench_function("run+metrics", |b| {
        b.iter(|| {
            rep += 1;
            col.begin();
            let stats = engine::run(&model, 1, rep, &mut ws, &mut col).expect("runs");
            black_box(col.finish(stats, None));
        })
    });
    g.finish();
}

fn engine(c: &mut Criterion) {
    bench_model(c, "B1", include_str!("../scenarios/b1.toml"));
    bench_model(
        c,
        "feature-delivery",
        include_str!("../scenarios/feature-delivery.toml"),
    );
    bench_model(c, "kanban", KANBAN);
}

criterion_group!(benches, engine);
criterion_main!(benches);
