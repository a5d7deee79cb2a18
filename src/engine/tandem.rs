//! The tandem solver: a replication of a stream with no interaction between items beyond
//! first-come-first-served queues, solved stage by stage instead of event by event.
//!
//! When every item goes through the stages in order (no rework), each work stage has its own
//! people (no shared teams, one priority class, no blockers), nothing is held back (no WIP
//! limits) and the run stops after a number of items, a stage is a function of the times items
//! reach it: the k-th item to arrive starts when it arrives or when the earliest of the
//! stage's people is free, whichever is later (the Kiefer-Wolfowitz recursion for a FIFO
//! multi-server queue); delay stages add their time; cadence stages wait for the next release.
//! The next stage sees the items in the order they leave, a stable sort by leaving time that
//! keeps same-time items in the order the event list would handle them.
//!
//! Every draw uses the same keyed random streams as the event list ([`super::run`]), so both
//! give every item the same times, and the same results bit for bit where no two events of a
//! stage fall on the same instant (with continuous durations, always); the tests check it.
//! Time-weighted statistics are the same integrals summed per item instead of per event, so
//! they agree with the event list's to rounding. It knows nothing of the event hooks
//! (arrivals, stage entries, samples): it is used only for observers that do without them
//! ([`Observer::TIMELINE`] false).

use super::streams::{self, KeyedRng};
use super::{DoneItems, EngineError, StageColumns};
use super::{Model, Observer, RtKind, RunStats, StageRunStats};
use crate::scenario::StopRule;
use rand::RngExt;

/// Largest replication (items × stages) the tandem solver takes: it keeps every item's times
/// until the end, so beyond this the event list, whose memory follows the work in progress,
/// is used.
const MAX_VISITS: u64 = 1 << 22;

/// Buffers kept between replications.
#[derive(Debug, Default)]
pub(super) struct Buffers {
    /// Per stage and item (`[stage * items + item]`): the times of each kind; a stage fills only
    /// the columns it has.
    queue: Vec<f64>,
    cadence: Vec<f64>,
    delay: Vec<f64>,
    work: Vec<f64>,
    /// Per item: work over all stages.
    work_total: Vec<f64>,
    arrival: Vec<f64>,
    /// Time each item reaches the current stage, then leaves it.
    at: Vec<f64>,
    work_type: Vec<u16>,
    key: Vec<u64>,
    /// Items in the order they reach the current stage, then the order they leave it.
    order: Vec<u32>,
    leaving: Vec<u32>,
    /// At a delay or cadence stage, items by leaving time: (its bits, item).
    by_time: Vec<(u64, u32)>,
    /// At a work stage, the time each person is free and the place (from 1; 0 for none) in
    /// the stage's order of the item they have.
    free: Vec<f64>,
    holder: Vec<u32>,
    /// Each item's duration at the current stage.
    drawn: Vec<f64>,
    /// The first words of their generators.
    words: Vec<u64>,
}

/// Whether the tandem solver can run this model (see the module documentation).
pub(super) fn eligible(m: &Model) -> bool {
    let sc = &m.scenario;
    let StopRule::Items(items) = sc.simulation.stop else {
        return false;
    };
    let total = u64::from(items.max(sc.arrivals.backlog));
    sc.features.is_none()
        && sc.scope.split.is_none()
        && sc.scope.discovery_rate.is_none()
        && sc.wip_limit.is_none()
        && m.classes == 1
        && total * m.stages.len() as u64 <= MAX_VISITS
        && m.resources.iter().all(|r| r.stages.len() == 1)
        && m.stages
            .iter()
            .all(|st| st.wip_limit == u32::MAX && st.rework_p == 0.0 && st.blocker_p == 0.0)
}

/// Time `[a, b]` spends in the window, which starts at `w0` and ends at the last event (no later
/// than any `b`).
#[inline]
fn overlap(a: f64, b: f64, w0: f64) -> f64 {
    (b - a.max(w0)).max(0.0)
}

/// One replication, as [`super::run`] with the event list would run it.
pub(super) fn run<O: Observer>(
    m: &Model,
    seed: u64,
    rep: u64,
    b: &mut Buffers,
    obs: &mut O,
) -> Result<RunStats, EngineError> {
    let sc = &m.scenario;
    let StopRule::Items(limit) = sc.simulation.stop else {
        unreachable!("eligible() admits only item-limited runs")
    };
    let n = m.stages.len();
    let rep_key = streams::replication_key(seed, rep);
    let backlog = sc.arrivals.backlog as usize;
    let total = (limit as usize).max(backlog);
    let Buffers {
        queue,
        cadence,
        delay,
        work,
        work_total,
        arrival,
        at,
        work_type,
        key: keys,
        order,
        leaving,
        by_time,
        free,
        holder,
        drawn,
        words,
    } = b;

    let exp1 = crate::dist::Exp1FirstTry::default();
    // Arrivals: the backlog at time 0, then the arrival stream up to the limit.
    arrival.clear();
    arrival.resize(backlog, 0.0);
    let mut events = 0u64;
    if total > backlog {
        let iv = sc
            .arrivals
            .interval
            .as_ref()
            .expect("validated: items arrive");
        let mut rng = streams::arrival_rng(rep_key);
        // Exponential intervals by the ziggurat's first try, as for durations below.
        let exp_mean = iv.exponential_mean();
        let mut interval = || match exp_mean {
            Some(mean) => exp1.sample(&mut rng) * mean,
            None => iv.sample(&mut rng),
        };
        let mut t = interval();
        arrival.push(t);
        while arrival.len() < total {
            t += interval();
            arrival.push(t);
        }
        events += (total - backlog) as u64;
    }
    keys.clear();
    keys.extend((0..total as u64).map(|index| streams::mix(rep_key, index)));
    work_type.clear();
    if m.types == 1 {
        work_type.resize(total, 0);
    } else {
        work_type.extend(keys.iter().map(|&key| {
            let u = streams::unit(streams::mix(key, streams::WORK_TYPE));
            m.work_type(u) as u16
        }));
    }
    at.clear();
    at.extend_from_slice(arrival);
    order.clear();
    order.extend(0..total as u32);
    leaving.clear();
    leaving.resize(total, 0);
    // Every entry a stage uses is written before it is read: no need to clear old values.
    for column in [&mut *queue, &mut *cadence, &mut *delay, &mut *work] {
        if column.len() < total * n {
            column.resize(total * n, 0.0);
        }
    }
    work_total.clear();
    work_total.resize(total, 0.0);

    let warmup = u64::from(sc.simulation.warmup_items);
    let (w0, in_window) = if warmup == 0 {
        (0.0, true)
    } else if (warmup as usize) < total {
        (arrival[warmup as usize], true)
    } else {
        (0.0, false)
    };
    // Whether the window starts after time 0 (before it, a time is all in the window).
    let windowed = w0 > 0.0;
    let mut stages = Vec::with_capacity(n);
    let end = arrival.last().copied().unwrap_or(0.0);
    let first_visit = streams::salt(1);
    for (s, st) in m.stages.iter().enumerate() {
        let durations = &m.durations[s * m.types..(s + 1) * m.types];
        let stage_salt = streams::salt(st.stream_key);
        // Every item's draw for its (first and only) visit, with the event list's visit key,
        // first: the draws do not depend on each other, so they pipeline.
        drawn.clear();
        let visit_key = |key: u64| {
            KeyedRng::new(streams::mix_salted(
                streams::mix_salted(key, stage_salt),
                first_visit,
            ))
        };
        match (
            durations,
            durations.first().and_then(|d| d.exponential_mean()),
        ) {
            // The most common case in loops of their own, the same draws as `Dist::sample`
            // (Exp1 × mean): first every generator's first word, then the ziggurat's first try
            // on it, which decides nearly all draws; the library draws the rest.
            ([_], Some(mean)) => {
                streams::first_words(keys, stage_salt, first_visit, words);
                drawn.resize(total, 0.0);
                exp1.draw_all(words, mean, drawn);
                for (d, &key) in drawn.iter_mut().zip(keys.iter()) {
                    if d.is_nan() {
                        *d = visit_key(key).sample::<f64, _>(rand_distr::Exp1) * mean;
                    }
                }
            }
            _ => drawn.extend(
                keys.iter()
                    .zip(work_type.iter())
                    .map(|(&key, &ty)| durations[usize::from(ty)].sample(&mut visit_key(key))),
            ),
        }
        // Slices, not vectors, from here: the compiler then knows that writing a time does not
        // move a vector, and keeps their addresses in registers.
        let drawn: &[f64] = drawn;
        let visit = |i: usize| drawn[i];
        let stage = s * total..(s + 1) * total;
        let (at, work_total): (&mut [f64], &mut [f64]) = (at, work_total);
        let (queue, cadence, delay, work) = (
            &mut queue[stage.clone()],
            &mut cadence[stage.clone()],
            &mut delay[stage.clone()],
            &mut work[stage],
        );
        // Time-weighted counts over the window: queue [entered, started), in stage [entered,
        // left), busy [started, left) at work stages.
        let mut r = StageRunStats::default();
        let mut span = |a: f64, start: f64, left: f64, busy: bool| {
            r.queue_area += overlap(a, start, w0);
            r.in_stage_area += overlap(a, left, w0);
            if busy {
                r.busy_area += overlap(start, left, w0);
            }
        };
        match st.kind {
            RtKind::Work { resource } => {
                // Each item goes to the person free first. When it takes over from the item
                // that person had, that item is the next to leave: everyone else finishes
                // later, and so does the item taking over. So items leave in the order they
                // are handed over (then the last ones, by time), with no sort.
                let people = m.resources[resource].capacity as usize;
                // People who have had no item yet are free before time 0, each at a time of
                // their own, so that a tie between people always means a tie between items.
                free.clear();
                free.extend((1..=people).map(|j| -(j as f64)));
                holder.clear();
                holder.resize(people, 0);
                let (free, holder): (&mut [f64], &mut [u32]) = (free, holder);
                let (order, out): (&[u32], &mut [u32]) = (order, leaving);
                let (mut left, mut tie) = (0, false);
                for (place, &i) in (1..).zip(order.iter()) {
                    let i = i as usize;
                    let a = at[i];
                    // The earliest free person, without branches: which one it is, is a coin
                    // toss the processor could not predict.
                    let (mut k, mut earliest) = (0, free[0]);
                    for (j, &f) in free.iter().enumerate().skip(1) {
                        tie |= f == earliest;
                        let earlier = f < earliest;
                        k = if earlier { j } else { k };
                        earliest = if earlier { f } else { earliest };
                    }
                    let had = holder[k];
                    if had > 0 {
                        out[left] = order[had as usize - 1];
                        left += 1;
                    }
                    let start = if earliest > a { earliest } else { a };
                    let finish = start + visit(i);
                    free[k] = finish;
                    holder[k] = place;
                    queue[i] = start - a;
                    work[i] = finish - start;
                    if windowed {
                        span(a, start, finish, true);
                    }
                    at[i] = finish;
                }
                if !windowed {
                    // With no warm-up the areas are the sums of the times (to rounding: they
                    // are integrals, which the event list sums by event).
                    r.queue_area = sum(queue);
                    r.busy_area = sum(work);
                    r.in_stage_area = r.queue_area + r.busy_area;
                }
                // The items still with someone leave last, by time (all at or after 0).
                by_time.clear();
                by_time.extend(
                    (free.iter().zip(holder.iter()))
                        .filter(|&(_, &p)| p > 0)
                        .map(|(&f, &p)| (f.to_bits(), p)),
                );
                by_time.sort_unstable();
                for &(_, p) in by_time.iter() {
                    out[left] = order[p as usize - 1];
                    left += 1;
                }
                if tie {
                    same_time_in_order(order, out, at);
                }
            }
            // A delay takes its time at once; a cadence stage waits for the next release first
            // (counted in the stage's queue), then takes its time.
            RtKind::Delay | RtKind::Cadence { .. } => {
                by_time.clear();
                for &i in order.iter() {
                    let i = i as usize;
                    let a = at[i];
                    let mark = match st.kind {
                        RtKind::Cadence { every, first } => {
                            let release = super::next_release(a, every, first);
                            if release <= a {
                                cadence[i] = 0.0;
                                a
                            } else {
                                cadence[i] = release - a;
                                events += 1;
                                release
                            }
                        }
                        _ => a,
                    };
                    let finish = mark + visit(i);
                    if st.duration_is_wait {
                        delay[i] = finish - mark;
                    } else {
                        work[i] = finish - mark;
                    }
                    span(a, mark, finish, false);
                    at[i] = finish;
                    by_time.push((finish.to_bits(), i as u32));
                }
                // Leaving order: by time, same-time items in the order they were handled here.
                sort_nearly_sorted(by_time);
                for (o, &(_, i)) in leaving.iter_mut().zip(by_time.iter()) {
                    *o = i;
                }
            }
        }
        if !st.duration_is_wait {
            // Each item's work over all stages, added up stage by stage as ItemRecord::work
            // does.
            for (t, &w) in work_total.iter_mut().zip(work.iter()) {
                *t += w;
            }
        }
        events += total as u64;
        stages.push(r);
        std::mem::swap(order, leaving);
    }
    // The last event: the last item done (every item leaves each stage after entering it).
    let end = at.iter().fold(end, |e, &t| if t > e { t } else { e });
    let mut in_system_area = 0.0;
    let mut finished_in_window = 0;
    for &i in order.iter() {
        let i = i as usize;
        let (arrival, done) = (arrival[i], at[i]);
        in_system_area += overlap(arrival, done, w0);
        if in_window && done >= w0 {
            finished_in_window += 1;
        }
    }
    let columns: Vec<StageColumns<'_>> = m
        .stages
        .iter()
        .enumerate()
        .map(|(s, st)| {
            let (to_delay, to_work) = if st.duration_is_wait {
                (column(delay, s, total), None)
            } else {
                (None, column(work, s, total))
            };
            match st.kind {
                RtKind::Work { .. } => StageColumns {
                    queue: column(queue, s, total),
                    work: column(work, s, total),
                    ..StageColumns::default()
                },
                RtKind::Delay => StageColumns {
                    delay: to_delay,
                    work: to_work,
                    ..StageColumns::default()
                },
                RtKind::Cadence { .. } => StageColumns {
                    cadence: column(cadence, s, total),
                    delay: to_delay,
                    work: to_work,
                    ..StageColumns::default()
                },
            }
        })
        .collect();
    obs.items_done(&DoneItems {
        order,
        arrival,
        done: at,
        work_type,
        work: work_total,
        stages: &columns,
    });
    Ok(RunStats {
        window_start: w0,
        end,
        stages,
        in_system_area,
        // Every item enters the first stage as it arrives: in progress is in the stream.
        in_progress_area: in_system_area,
        backlog_area: 0.0,
        finished_in_window,
        arrived: total as u64,
        unfinished: 0,
        events,
    })
}

/// The sum of a column, in four interleaved parts (which the processor adds at once).
fn sum(c: &[f64]) -> f64 {
    let mut parts = [0.0; 4];
    let chunks = c.chunks_exact(4);
    let rest: f64 = chunks.remainder().iter().sum();
    for x in chunks {
        for (p, v) in parts.iter_mut().zip(x) {
            *p += v;
        }
    }
    (parts[0] + parts[1]) + (parts[2] + parts[3]) + rest
}

/// Stage `s`'s part of a column.
fn column(c: &[f64], s: usize, total: usize) -> Option<&[f64]> {
    Some(&c[s * total..(s + 1) * total])
}

/// Puts items leaving at the same time in the order they came (`order`): `leaving`, the items
/// in order of leaving time, may have them in any order.
#[cold]
fn same_time_in_order(order: &[u32], leaving: &mut [u32], at: &[f64]) {
    // Each item's place in `order`, by item.
    let mut place = vec![0; order.len()];
    for (p, &i) in order.iter().enumerate() {
        place[i as usize] = p;
    }
    for run in leaving.chunk_by_mut(|&x, &y| at[x as usize] == at[y as usize]) {
        run.sort_unstable_by_key(|&i| place[i as usize]);
    }
}

/// Sorts by the first field, keeping equal keys in their order. Items leave a stage nearly in
/// the order they came (exactly, with one person), so an insertion sort is linear in practice;
/// when it has to move too much (long delays reorder everything), the library's stable sort
/// takes over.
fn sort_nearly_sorted(v: &mut [(u64, u32)]) {
    let budget = 8 * v.len();
    let mut moved = 0;
    for i in 1..v.len() {
        if v[i - 1].0 <= v[i].0 {
            continue;
        }
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1].0 > x.0 {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
        moved += i - j;
        if moved > budget {
            v.sort_by_key(|o| o.0);
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ItemRecord, StageTimes, Workspace, run as run_any, run_event_list};
    use super::*;
    use crate::scenario::Scenario;

    /// Every item as the observer saw it, in the order items were done.
    #[derive(Default)]
    struct Record(Vec<(u64, usize, f64, f64, f64, Vec<StageTimes>)>);

    impl Observer for Record {
        const TIMELINE: bool = false;
        fn item_done(&mut self, it: &ItemRecord<'_>) {
            self.0.push((
                it.index,
                it.work_type,
                it.arrival,
                it.entry,
                it.done,
                it.stages.to_vec(),
            ));
        }
    }

    /// Streams the tandem solver takes: several people, delays, a cadence, work types with
    /// their own durations, a backlog, a warm-up.
    const STREAMS: [&str; 4] = [
        include_str!("../../scenarios/b1.toml"),
        include_str!("../../tests/data/tandem-mixed.toml"),
        r#"
name = "weibull arrivals"
[simulation]
runs = 1
items = 500
[arrivals]
interval = { dist = "weibull", shape = 1.5, scale = 1.2 }
[[stages]]
name = "Only"
workers = 2
duration = { dist = "triangular", min = 0.5, mode = 1, max = 3 }
"#,
        // Constant durations and a backlog: items leave several people at the same instant.
        r#"
name = "ties"
[simulation]
runs = 1
items = 400
[arrivals]
interval = { dist = "constant", value = 0.5 }
backlog = 30
[[stages]]
name = "Three"
workers = 3
duration = { dist = "constant", value = 2 }
[[stages]]
name = "Two"
workers = 2
duration = { dist = "constant", value = 1 }
[[stages]]
name = "Review"
kind = "delay"
duration = { dist = "constant", value = 1 }
[[stages]]
name = "Last"
workers = 2
duration = { dist = "exponential", mean = 0.9 }
"#,
    ];

    #[test]
    fn the_tandem_solver_gives_every_item_what_the_event_list_gives() {
        for text in STREAMS {
            let sc = Scenario::parse(text, "t.toml").expect("valid");
            let m = Model::new(&sc);
            assert!(m.tandem, "{} should be solved stage by stage", sc.name);
            for rep in 0..5 {
                let (mut a, mut b) = (Record::default(), Record::default());
                let mut ws = Workspace::default();
                let fast = run_any(&m, 9, rep, &mut ws, &mut a).unwrap();
                let slow = run_event_list(&m, 9, rep, &mut ws, &mut b).unwrap();
                assert!(a.0.len() > 100);
                // The same items, done in the same order, with the same times to the bit.
                assert!(a.0 == b.0, "{}: items differ in replication {rep}", sc.name);
                assert_eq!(
                    (fast.window_start, fast.end, fast.arrived, fast.events),
                    (slow.window_start, slow.end, slow.arrived, slow.events)
                );
                assert_eq!(fast.finished_in_window, slow.finished_in_window);
                // Time-weighted counts: the same integrals, summed in another order.
                let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * y.abs().max(1.0);
                assert!(close(fast.in_system_area, slow.in_system_area));
                assert!(close(fast.in_progress_area, slow.in_progress_area));
                assert!(close(fast.backlog_area, slow.backlog_area));
                for (f, s) in fast.stages.iter().zip(&slow.stages) {
                    assert!(close(f.queue_area, s.queue_area), "{f:?} {s:?}");
                    assert!(close(f.in_stage_area, s.in_stage_area), "{f:?} {s:?}");
                    assert!(close(f.busy_area, s.busy_area), "{f:?} {s:?}");
                }
            }
        }
    }

    #[test]
    fn nearly_sorted_lists_sort_stably() {
        let mut x: u64 = 7;
        for len in [0usize, 1, 2, 10, 300] {
            for spread in [0u64, 3, 1000] {
                let mut v: Vec<(u64, u32)> = (0..len as u32)
                    .map(|i| {
                        x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                        (u64::from(i) / 4 * 4 + (x >> 33) % (spread + 1), i)
                    })
                    .collect();
                let mut want = v.clone();
                want.sort_by_key(|o| o.0);
                sort_nearly_sorted(&mut v);
                assert_eq!(v, want, "len {len}, spread {spread}");
            }
        }
    }

    #[test]
    fn streams_with_interactions_use_the_event_list() {
        let base = include_str!("../../scenarios/b1.toml");
        for change in [
            "[[stages]]\nname = \"X\"\nworkers = 1\nwip_limit = 3\nduration = { dist = \"exponential\", mean = 0.1 }",
            "[[stages]]\nname = \"X\"\nworkers = 1\nduration = { dist = \"exponential\", mean = 0.1 }\nrework = { to = \"Analysis\", probability = 0.1 }",
            "[[stages]]\nname = \"X\"\nworkers = 1\nduration = { dist = \"exponential\", mean = 0.1 }\nblockers = { probability = 0.1, duration = { dist = \"constant\", value = 1 } }",
        ] {
            let sc = Scenario::parse(&format!("{base}\n{change}\n"), "t.toml").expect("valid");
            assert!(!Model::new(&sc).tandem, "{change}");
        }
        let horizon = base.replace("items = 1000", "horizon = 100");
        let sc = Scenario::parse(&horizon, "t.toml").expect("valid");
        assert!(!Model::new(&sc).tandem);
    }
}
