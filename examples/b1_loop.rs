//! Profiling driver: runs B1 replications on one thread with the real collector.
use flowsim::engine::{self, Model, Workspace};
use flowsim::metrics::{Collector, Histograms};
use flowsim::scenario::Scenario;
fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or("scenarios/b1.toml".into());
    let reps: u64 = std::env::args().nth(2).map_or(300, |s| s.parse().unwrap());
    let sc = Scenario::load(std::path::Path::new(&path)).unwrap();
    let model = Model::new(&sc);
    let mut ws = Workspace::default();
    let mut hist = Histograms::new(sc.stages.len(), sc.work_types.len());
    let mut col = Collector::new(sc.stages.len(), sc.work_types.len(), 0, &mut hist);
    let t = std::time::Instant::now();
    let mut ev = 0;
    for rep in 0..reps {
        col.begin();
        let s = engine::run(&model, 1, rep, &mut ws, &mut col).unwrap();
        ev += s.events;
        col.finish(s, None);
    }
    let dt = t.elapsed().as_secs_f64();
    eprintln!(
        "{reps} reps in {dt:.3}s, {:.1} ns/event, {} events",
        dt * 1e9 / ev as f64,
        ev
    );
}
