//! Profiling driver: runs replications of a scenario (default B1) on one thread, as a real run
//! does (the tandem solver where the stream allows it) with the statistics collector, and with
//! an observer that ignores every item, and prints the fastest of several trials of each in
//! nanoseconds per visit. For perf and callgrind, or for quick comparisons on a noisy machine.
//!
//! `cargo run --release --example b1_loop [SCENARIO] [REPS] [TRIALS]`
use flowsim::engine::{self, DoneItems, ItemRecord, Model, Observer, Workspace};
use flowsim::metrics::{Collector, Histograms};
use flowsim::scenario::Scenario;

/// Counts visits and does nothing else.
struct Ignore(u64);

impl Observer for Ignore {
    const TIMELINE: bool = false;
    fn item_done(&mut self, item: &ItemRecord<'_>) {
        self.0 += item.stages.iter().map(|s| u64::from(s.visits)).sum::<u64>();
    }
    fn items_done(&mut self, items: &DoneItems<'_>) {
        self.0 += (items.order.len() * items.stages.len()) as u64;
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or("scenarios/b1.toml".into());
    let reps: u64 = args.next().map_or(2000, |s| s.parse().unwrap());
    let trials: u32 = args.next().map_or(5, |s| s.parse().unwrap());
    let sc = Scenario::load(std::path::Path::new(&path)).unwrap();
    let model = Model::new(&sc);
    let mut ws = Workspace::default();
    let mut ignore = Ignore(0);
    engine::run(&model, 1, 0, &mut ws, &mut ignore).unwrap();
    let visits = ignore.0 as f64 * reps as f64;
    let mut hist = Histograms::new(sc.stages.len(), sc.work_types.len());
    let (mut best_engine, mut best_full) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..trials {
        let t = std::time::Instant::now();
        for rep in 0..reps {
            engine::run(&model, 1, rep, &mut ws, &mut ignore).unwrap();
        }
        best_engine = best_engine.min(t.elapsed().as_secs_f64());
        let mut col = Collector::new(sc.stages.len(), sc.work_types.len(), 0, &mut hist);
        let t = std::time::Instant::now();
        for rep in 0..reps {
            col.begin();
            let s = engine::run(&model, 1, rep, &mut ws, &mut col).unwrap();
            col.finish(s, None);
        }
        best_full = best_full.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{reps} reps, best of {trials}: engine {:.1} ns/visit, engine + collector {:.1} ns/visit ({:.1} M visits/s)",
        best_engine * 1e9 / visits,
        best_full * 1e9 / visits,
        visits / best_full / 1e6
    );
}
