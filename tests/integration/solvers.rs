//! The engine's two solvers agree: a stream the tandem solver takes (FIFO stages with their own
//! people, delays, cadences) gives, through the statistics collector a real run uses, the same
//! totals and histograms bit for bit as the event list, replication by replication; and runs
//! do not depend on which solver a thread count or chunking would choose.

use flowsim::engine::{self, Model, Workspace};
use flowsim::metrics::{Collector, Histograms, RepTotals};
use flowsim::scenario::Scenario;

const MIXED: &str = include_str!("../data/tandem-mixed.toml");

/// One replication through the collector with either solver: its totals (without the
/// time-weighted areas, which the solvers sum in different orders) and its histograms.
fn collect(sc: &Scenario, rep: u64, tandem: bool) -> (RepTotals, Histograms, f64) {
    let model = Model::new(sc);
    let mut hist = Histograms::new(sc.stages.len(), sc.work_types.len());
    let mut col = Collector::new(
        sc.stages.len(),
        sc.work_types.len(),
        sc.simulation.warmup_items,
        &mut hist,
    );
    let mut ws = Workspace::default();
    let stats = if tandem {
        engine::run(&model, 5, rep, &mut ws, &mut col)
    } else {
        engine::run_event_list(&model, 5, rep, &mut ws, &mut col)
    }
    .expect("runs");
    let mut t = col.finish(stats, None);
    // The histograms are complete once the collector is gone.
    drop(col);
    let busy = t.run.stages.iter().map(|s| s.busy_area).sum();
    t.run = Default::default();
    (t, hist, busy)
}

#[test]
fn the_tandem_solver_and_the_event_list_collect_the_same_bits() {
    let b1 = include_str!("../../scenarios/b1.toml");
    for text in [b1, MIXED] {
        let sc = Scenario::parse(text, "t.toml").expect("valid");
        for rep in 0..4 {
            let (ft, fh, fbusy) = collect(&sc, rep, true);
            let (st, sh, sbusy) = collect(&sc, rep, false);
            assert!(ft.items > 100);
            assert_eq!(ft, st, "{}: totals of replication {rep}", sc.name);
            assert_eq!(fh, sh, "{}: histograms of replication {rep}", sc.name);
            assert!((fbusy - sbusy).abs() <= 1e-9 * sbusy, "{fbusy} vs {sbusy}");
        }
    }
}
