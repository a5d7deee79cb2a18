//! One replication: the event loop and the rules for moving items through the stream.

use super::events::{EventQueue, Kind, MAX_EVENTS, MAX_SLOTS};
use super::level::Level;
use super::streams::{self, KeyedRng};
use super::{
    EngineError, ItemId, ItemRecord, Model, Observer, RtKind, RunStats, StageRunStats, StageTimes,
    StreamState, UnfinishedItem,
};
use crate::scenario::StopRule;
use std::collections::VecDeque;

/// `ItemState::stage` of an item still in the backlog.
const IN_BACKLOG: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct ItemState {
    /// Key of the item's random streams.
    key: u64,
    /// Key of the random streams of its current visit (item, stage, visit number).
    visit_key: u64,
    index: u64,
    arrival: f64,
    /// When it entered the first stage (NaN while in the backlog).
    entry: f64,
    /// Start of the current stretch of wait or work.
    mark: f64,
    /// When it entered its current stage (its place in the "waited longest" order).
    stage_since: f64,
    /// Work left after a blocker (negative: none).
    remaining: f64,
    stage: u32,
    /// Visit number at the current stage (1 on the first visit).
    visit: u32,
    work_type: u16,
    class: u8,
    live: bool,
    /// Which part of a split item (0: the item itself).
    part: u16,
    /// The feature it belongs to (`NO_FEATURE`: none).
    feature: u16,
}

/// `ItemState::feature` of an item outside any feature.
const NO_FEATURE: u16 = u16::MAX;

/// Discovered items are numbered from here, apart from the arrival order of the others.
pub const DISCOVERED_INDEX: u64 = 1 << 48;

#[derive(Debug, Clone, Copy)]
struct Queued {
    item: u32,
    /// When it joined the queue (or entered the stage, for work resumed after a blocker).
    since: f64,
}

/// Buffers one replication needs, kept between replications so that a run allocates nothing in
/// its steady state.
#[derive(Debug, Default)]
pub struct Workspace {
    events: EventQueue,
    items: Vec<ItemState>,
    free: Vec<u32>,
    /// Per item slot and stage: `times[slot * stages + stage]`.
    times: Vec<StageTimes>,
    /// Per stage and priority class: `queues[stage * classes + class]`.
    queues: Vec<VecDeque<Queued>>,
    /// Per stage: items done upstream, waiting for room in it.
    waitlist: Vec<VecDeque<u32>>,
    /// Per priority class: items not yet in the first stage.
    backlog: Vec<VecDeque<u32>>,
    occupancy: Vec<u32>,
    busy: Vec<u32>,
    /// Per stage: queue, in stage, busy; then items in the stream, in progress, in the backlog.
    levels: Vec<Level>,
    /// The tandem solver's buffers.
    tandem: super::tandem::Buffers,
}

/// Resizes a list of queues to `len` and empties them, keeping their allocations.
fn fresh<T>(v: &mut Vec<VecDeque<T>>, len: usize) {
    v.resize_with(len, VecDeque::new);
    v.iter_mut().for_each(VecDeque::clear);
}

impl Workspace {
    fn prepare(&mut self, m: &Model) {
        let n = m.stages.len();
        self.events.clear();
        self.items.clear();
        self.free.clear();
        self.times.clear();
        fresh(&mut self.queues, n * m.classes);
        fresh(&mut self.waitlist, n);
        fresh(&mut self.backlog, m.classes);
        self.occupancy.clear();
        self.occupancy.resize(n, 0);
        self.busy.clear();
        self.busy.resize(m.resources.len(), 0);
        self.levels.clear();
        self.levels.resize(3 * n + 3, Level::default());
    }
}

/// Runs replication `rep` of the model with the given master seed, reporting items to `observer`:
/// with the tandem solver when the model and the observer allow it ([`Observer::TIMELINE`]),
/// else with the event list.
pub fn run<O: Observer>(
    model: &Model,
    seed: u64,
    rep: u64,
    workspace: &mut Workspace,
    observer: &mut O,
) -> Result<RunStats, EngineError> {
    if !O::TIMELINE && model.tandem {
        return super::tandem::run(model, seed, rep, &mut workspace.tandem, observer);
    }
    run_event_list(model, seed, rep, workspace, observer)
}

/// Runs replication `rep` with the event list, whatever the model and observer.
pub fn run_event_list<O: Observer>(
    model: &Model,
    seed: u64,
    rep: u64,
    workspace: &mut Workspace,
    observer: &mut O,
) -> Result<RunStats, EngineError> {
    workspace.prepare(model);
    let sc = &model.scenario;
    let rep_key = streams::replication_key(seed, rep);
    let features = sc.features.as_ref().map_or(0, |f| f.features.len());
    let (limit, horizon) = match sc.simulation.stop {
        // With features, arrivals go on until every feature is done.
        _ if features > 0 => (None, None),
        StopRule::Items(n) => (Some(u64::from(n)), None),
        StopRule::Horizon(h) => (None, Some(h)),
    };
    let warmup = u64::from(sc.simulation.warmup_items);
    let n = model.stages.len();
    let mut sim = Sim {
        m: model,
        ws: workspace,
        obs: observer,
        n,
        rep_key,
        now: 0.0,
        arrived: 0,
        done: 0,
        in_progress: 0,
        conwip: sc.wip_limit.unwrap_or(u32::MAX),
        warmup,
        window_start: 0.0,
        in_window: warmup == 0,
        finished_in_window: 0,
        discovered: 0,
        open_original: 0,
        feature_open: vec![0; features],
        features_started: 0,
        features_open: 0,
        features_done: 0,
    };

    for _ in 0..sc.arrivals.backlog {
        sim.arrive(NO_FEATURE);
    }
    sim.start_features();
    sim.admit();
    // Whether the arrival stream brings more items: up to the `items` limit, or while features
    // are unfinished.
    let more = |sim: &Sim<'_, O>| {
        limit.is_none_or(|n| sim.arrived < n) && (features == 0 || sim.features_done < features)
    };
    let mut arrival_rng = streams::arrival_rng(rep_key);
    if let Some(iv) = &sc.arrivals.interval {
        if more(&sim) {
            let t = iv.sample(&mut arrival_rng);
            sim.ws.events.push(t, 0, Kind::Arrival);
        }
    }
    // Work is discovered while original work remains: items not done, or more to arrive.
    let discovery = sc
        .scope
        .discovery_rate
        .map(|r| crate::dist::Dist::exponential(1.0 / r).expect("validated rate"));
    let mut discovery_rng = streams::discovery_rng(rep_key);
    if let Some(d) = &discovery {
        let t = d.sample(&mut discovery_rng);
        sim.ws.events.push(t, 0, Kind::Discovery);
    }

    let discovering = |sim: &Sim<'_, O>| {
        sim.open_original > 0
            || (sc.arrivals.interval.is_some() && more(sim))
            || sim.features_done < features
    };

    let mut events = 0u64;
    while let Some(ev) = sim.ws.events.pop() {
        let t = ev.time();
        if horizon.is_some_and(|h| t > h) {
            break;
        }
        // Once the original work is done, the pending discovery finds nothing: it ends the
        // discovery stream and is no event of the run (it must not move the run's end).
        if ev.kind() == Kind::Discovery && !discovering(&sim) {
            continue;
        }
        if sim.ws.items.len() as u64 >= MAX_SLOTS - 1 || sim.ws.events.scheduled() >= MAX_EVENTS - 1
        {
            return Err(EngineError::TooLarge {
                rep,
                what: format!(
                    "{} items in the stream at once and {} events scheduled (limits {MAX_SLOTS} and {MAX_EVENTS})",
                    sim.ws.items.len(),
                    sim.ws.events.scheduled()
                ),
            });
        }
        sim.sample_until(t);
        sim.now = t;
        events += 1;
        match ev.kind() {
            Kind::Arrival => {
                sim.arrive(NO_FEATURE);
                sim.admit();
                if more(&sim) {
                    let iv = sc.arrivals.interval.as_ref().expect("arrival process");
                    let next = t + iv.sample(&mut arrival_rng);
                    sim.ws.events.push(next, 0, Kind::Arrival);
                }
            }
            Kind::Discovery => {
                sim.discover();
                sim.admit();
                let d = discovery.as_ref().expect("discovery process");
                let next = t + d.sample(&mut discovery_rng);
                sim.ws.events.push(next, 0, Kind::Discovery);
            }
            Kind::Finish => sim.finish(ev.item()),
            Kind::BlockerHit => sim.blocker_hit(ev.item()),
            Kind::BlockerClear => sim.blocker_clear(ev.item()),
            Kind::Release => sim.release(ev.item()),
        }
    }

    let end = horizon.unwrap_or(sim.now);
    let stuck = u64::from(sim.ws.levels[3 * n].count);
    if horizon.is_none() && stuck > 0 {
        return Err(EngineError::Deadlock {
            rep,
            stuck,
            items: sim.done + stuck,
        });
    }
    sim.sample_until(end);
    sim.now = end;
    let unfinished = sim.report_unfinished();
    for l in &mut sim.ws.levels {
        l.close(end);
    }
    let lv = &sim.ws.levels;
    Ok(RunStats {
        window_start: sim.window_start,
        end,
        stages: (0..n)
            .map(|s| StageRunStats {
                queue_area: lv[3 * s].area,
                in_stage_area: lv[3 * s + 1].area,
                busy_area: lv[3 * s + 2].area,
            })
            .collect(),
        in_system_area: lv[3 * n].area,
        in_progress_area: lv[3 * n + 1].area,
        backlog_area: lv[3 * n + 2].area,
        finished_in_window: sim.finished_in_window,
        arrived: sim.arrived,
        unfinished,
        events,
    })
}

struct Sim<'a, O> {
    m: &'a Model,
    ws: &'a mut Workspace,
    obs: &'a mut O,
    n: usize,
    rep_key: u64,
    now: f64,
    arrived: u64,
    done: u64,
    in_progress: u32,
    /// Stream-wide WIP limit (`u32::MAX`: none).
    conwip: u32,
    warmup: u64,
    window_start: f64,
    in_window: bool,
    finished_in_window: u64,
    /// Items discovered so far.
    discovered: u64,
    /// Items of the original scope (arrived, with their split parts) not yet done.
    open_original: u64,
    /// Per feature: its items not yet done; features started, in progress and done.
    feature_open: Vec<u64>,
    features_started: usize,
    features_open: u32,
    features_done: usize,
}

// Level indices.
#[inline]
fn lv_queue(s: usize) -> usize {
    3 * s
}
#[inline]
fn lv_in_stage(s: usize) -> usize {
    3 * s + 1
}
#[inline]
fn lv_busy(s: usize) -> usize {
    3 * s + 2
}

impl<O: Observer> Sim<'_, O> {
    #[inline]
    fn lv_system(&self) -> usize {
        3 * self.n
    }
    #[inline]
    fn lv_progress(&self) -> usize {
        3 * self.n + 1
    }
    #[inline]
    fn lv_backlog(&self) -> usize {
        3 * self.n + 2
    }

    /// Shows the observer the state at every sample time up to and including `t`. An observer
    /// whose next sample time does not move forward is not asked again in this call.
    #[inline]
    fn sample_until(&mut self, t: f64) {
        let mut last = f64::NEG_INFINITY;
        loop {
            let due = self.obs.next_sample();
            if due > t || due <= last {
                return;
            }
            last = due;
            let state = StreamState {
                levels: &self.ws.levels,
                stages: self.n,
            };
            self.obs.sample(due, &state);
        }
    }

    #[inline]
    fn level(&mut self, idx: usize, delta: i32) {
        self.ws.levels[idx].add(self.now, delta);
    }

    #[inline]
    fn item(&mut self, slot: u32) -> &mut ItemState {
        &mut self.ws.items[slot as usize]
    }

    #[inline]
    fn times(&mut self, slot: u32, s: usize) -> &mut StageTimes {
        &mut self.ws.times[slot as usize * self.n + s]
    }

    #[inline]
    fn has_room(&self, s: usize) -> bool {
        self.ws.occupancy[s] < self.m.stages[s].wip_limit
    }

    /// A new item arrives now (from the initial backlog, the arrival stream or a feature that
    /// starts): it takes the next arrival index, and may turn out to be several items.
    fn arrive(&mut self, feature: u16) {
        let index = self.arrived;
        self.arrived += 1;
        if index == self.warmup && !self.in_window {
            self.in_window = true;
            self.window_start = self.now;
            let now = self.now;
            self.ws.levels.iter_mut().for_each(|l| l.reset(now));
        }
        let key = streams::mix(self.rep_key, index);
        self.new_items(key, index, false, feature);
    }

    /// An item discovered while the work goes on.
    fn discover(&mut self) {
        let index = DISCOVERED_INDEX + self.discovered;
        self.discovered += 1;
        let key = streams::mix(streams::mix(self.rep_key, streams::DISCOVERY), index);
        self.new_items(key, index, true, NO_FEATURE);
    }

    /// Creates an item and, when it splits, its siblings (keyed from it, so that a split does
    /// not move any other item's random numbers).
    fn new_items(&mut self, key: u64, index: u64, discovered: bool, feature: u16) {
        let parts = self.m.scenario.scope.split.as_ref().map_or(1, |s| {
            s.count(streams::unit(streams::mix(key, streams::SPLIT)))
        });
        for part in 0..parts {
            let k = if part == 0 {
                key
            } else {
                streams::mix(key, streams::SPLIT_PART + u64::from(part))
            };
            // `Split::into` is at most 1000 (validated).
            self.new_item(k, index, part as u16, discovered, feature);
        }
    }

    fn new_item(&mut self, key: u64, index: u64, part: u16, discovered: bool, feature: u16) {
        let work_type = self
            .m
            .work_type(streams::unit(streams::mix(key, streams::WORK_TYPE)));
        let class = self.m.type_class[work_type];
        let state = ItemState {
            key,
            visit_key: 0,
            index,
            arrival: self.now,
            entry: f64::NAN,
            mark: self.now,
            stage_since: self.now,
            remaining: -1.0,
            stage: IN_BACKLOG,
            visit: 0,
            work_type: work_type as u16,
            class,
            live: true,
            part,
            feature,
        };
        if !discovered {
            self.open_original += 1;
        }
        if feature != NO_FEATURE {
            self.feature_open[usize::from(feature)] += 1;
        }
        let n = self.n;
        let slot = match self.ws.free.pop() {
            Some(slot) => {
                let i = slot as usize;
                self.ws.items[i] = state;
                self.ws.times[i * n..(i + 1) * n].fill(StageTimes::default());
                slot
            }
            None => {
                self.ws.items.push(state);
                self.ws
                    .times
                    .extend(std::iter::repeat_n(StageTimes::default(), n));
                (self.ws.items.len() - 1) as u32
            }
        };
        self.ws.backlog[usize::from(class)].push_back(slot);
        let (sys, back) = (self.lv_system(), self.lv_backlog());
        self.level(sys, 1);
        self.level(back, 1);
        self.obs
            .item_arrived(ItemId { index, part }, work_type, self.now);
    }

    /// Starts features in order while fewer than the plan's WIP limit are in progress: each
    /// brings its items (a number drawn for this replication) into the backlog.
    fn start_features(&mut self) {
        let Some(plan) = &self.m.scenario.features else {
            return;
        };
        while self.features_started < plan.features.len() && self.features_open < plan.wip {
            let f = self.features_started;
            self.features_started += 1;
            self.features_open += 1;
            let spec = &plan.features[f];
            let span = u64::from(spec.items_max - spec.items_min) + 1;
            let u = streams::unit(streams::mix(
                streams::mix(self.rep_key, streams::FEATURE),
                f as u64,
            ));
            let items = spec.items_min + ((u * span as f64) as u64).min(span - 1) as u32;
            for _ in 0..items {
                self.arrive(f as u16);
            }
            self.obs.feature_started(f, self.now, items);
        }
    }

    /// Moves items from the backlog into the first stage while the stream-wide and the first
    /// stage's WIP limits allow, highest priority first, then in arrival order.
    fn admit(&mut self) {
        while self.in_progress < self.conwip && self.has_room(0) {
            let Some(slot) = self.ws.backlog.iter_mut().find_map(VecDeque::pop_front) else {
                return;
            };
            let now = self.now;
            self.item(slot).entry = now;
            self.in_progress += 1;
            let (back, prog) = (self.lv_backlog(), self.lv_progress());
            self.level(back, -1);
            self.level(prog, 1);
            self.enter(slot, 0);
        }
    }

    /// The item enters stage `s` now.
    fn enter(&mut self, slot: u32, s: usize) {
        let now = self.now;
        let visit = {
            let t = self.times(slot, s);
            t.visits += 1;
            t.visits
        };
        let st = self.m.stages[s];
        let class = {
            let it = self.item(slot);
            it.stage = s as u32;
            it.stage_since = now;
            it.mark = now;
            it.visit = visit;
            it.visit_key = streams::mix(streams::mix(it.key, st.stream_key), u64::from(visit));
            usize::from(it.class)
        };
        self.ws.occupancy[s] += 1;
        self.level(lv_in_stage(s), 1);
        let it = &self.ws.items[slot as usize];
        let id = ItemId {
            index: it.index,
            part: it.part,
        };
        self.obs.stage_entered(id.index, s, visit, now);
        self.obs.item_entered(id, s, visit, now);
        match st.kind {
            RtKind::Work { resource } => {
                self.ws.queues[s * self.m.classes + class].push_back(Queued {
                    item: slot,
                    since: now,
                });
                self.level(lv_queue(s), 1);
                self.dispatch(resource);
            }
            RtKind::Delay => {
                let d = self.draw_duration(slot, s);
                self.ws.events.push(now + d, slot, Kind::Finish);
            }
            RtKind::Cadence { every, first } => {
                let release = super::next_release(now, every, first);
                if release <= now {
                    self.start_release(slot, s);
                } else {
                    self.level(lv_queue(s), 1);
                    self.ws.events.push(release, slot, Kind::Release);
                }
            }
        }
    }

    /// Draws the duration of the item's current visit to stage `s`.
    #[inline]
    fn draw_duration(&self, slot: u32, s: usize) -> f64 {
        let it = &self.ws.items[slot as usize];
        self.m.durations[s * self.m.types + usize::from(it.work_type)]
            .sample(&mut KeyedRng::new(it.visit_key))
    }

    /// Free people of resource `r` take queued items, best first.
    fn dispatch(&mut self, r: usize) {
        let m = self.m;
        let res = &m.resources[r];
        let classes = m.classes;
        if let [s] = res.stages[..] {
            if classes == 1 {
                // One stage, one class: first come, first served.
                while self.ws.busy[r] < res.capacity {
                    let Some(e) = self.ws.queues[s].pop_front() else {
                        return;
                    };
                    self.start_work(e.item, s, r);
                }
                return;
            }
        }
        while self.ws.busy[r] < res.capacity {
            let mut best: Option<(usize, f64, usize)> = None;
            for &s in &res.stages {
                for c in 0..classes {
                    let q = s * classes + c;
                    if let Some(e) = self.ws.queues[q].front() {
                        let better = match best {
                            None => true,
                            Some((bc, bsince, _)) => c < bc || (c == bc && e.since < bsince),
                        };
                        if better {
                            best = Some((c, e.since, q));
                        }
                        break;
                    }
                }
            }
            let Some((_, _, q)) = best else {
                return;
            };
            let e = self.ws.queues[q].pop_front().expect("non-empty queue");
            self.start_work(e.item, q / classes, r);
        }
    }

    fn start_work(&mut self, slot: u32, s: usize, r: usize) {
        let now = self.now;
        self.ws.busy[r] += 1;
        self.level(lv_busy(s), 1);
        self.level(lv_queue(s), -1);
        let mark = self.item(slot).mark;
        self.times(slot, s).queue += now - mark;
        let it = self.item(slot);
        it.mark = now;
        let (id, resumed) = (
            ItemId {
                index: it.index,
                part: it.part,
            },
            it.remaining >= 0.0,
        );
        self.obs.work_started(id, s, resumed, now);
        let it = self.item(slot);
        if resumed {
            let d = it.remaining;
            it.remaining = -1.0;
            self.ws.events.push(now + d, slot, Kind::Finish);
            return;
        }
        let key = it.visit_key;
        let d = self.draw_duration(slot, s);
        let st = &self.m.stages[s];
        if st.blocker_p > 0.0 && streams::unit(streams::mix(key, streams::BLOCKER)) < st.blocker_p {
            let before = d * streams::unit(streams::mix(key, streams::BLOCKER_SPLIT));
            self.item(slot).remaining = d - before;
            self.ws.events.push(now + before, slot, Kind::BlockerHit);
            return;
        }
        self.ws.events.push(now + d, slot, Kind::Finish);
    }

    fn blocker_hit(&mut self, slot: u32) {
        let now = self.now;
        let it = self.item(slot);
        let (s, mark, key) = (it.stage as usize, it.mark, it.visit_key);
        it.mark = now;
        self.times(slot, s).work += now - mark;
        let m = self.m;
        let b = m.scenario.stages[s]
            .blockers
            .as_ref()
            .expect("blocked at a stage with blockers");
        let d = b
            .duration
            .sample(&mut KeyedRng::new(streams::mix(key, streams::BLOCKER_TIME)));
        self.ws.events.push(now + d, slot, Kind::BlockerClear);
        if !b.holds_worker {
            let RtKind::Work { resource } = m.stages[s].kind else {
                unreachable!("blockers are only allowed at work stages")
            };
            self.ws.busy[resource] -= 1;
            self.level(lv_busy(s), -1);
            self.dispatch(resource);
        }
    }

    fn blocker_clear(&mut self, slot: u32) {
        let now = self.now;
        let it = self.item(slot);
        let (s, mark, remaining, since, class) = (
            it.stage as usize,
            it.mark,
            it.remaining,
            it.stage_since,
            usize::from(it.class),
        );
        it.mark = now;
        self.times(slot, s).blocker += now - mark;
        let st = self.m.stages[s];
        if st.holds_worker {
            self.item(slot).remaining = -1.0;
            self.ws.events.push(now + remaining, slot, Kind::Finish);
        } else if let RtKind::Work { resource } = st.kind {
            // Finishing started work comes first: back to the front of its queue.
            self.ws.queues[s * self.m.classes + class].push_front(Queued { item: slot, since });
            self.level(lv_queue(s), 1);
            self.dispatch(resource);
        }
    }

    fn start_release(&mut self, slot: u32, s: usize) {
        let now = self.now;
        self.item(slot).mark = now;
        let d = self.draw_duration(slot, s);
        self.ws.events.push(now + d, slot, Kind::Finish);
    }

    fn release(&mut self, slot: u32) {
        let now = self.now;
        let it = self.item(slot);
        let (s, mark) = (it.stage as usize, it.mark);
        self.times(slot, s).cadence += now - mark;
        self.level(lv_queue(s), -1);
        self.start_release(slot, s);
    }

    /// The item's time at its current stage is over.
    fn finish(&mut self, slot: u32) {
        let now = self.now;
        let it = self.item(slot);
        let (s, mark) = (it.stage as usize, it.mark);
        let st = self.m.stages[s];
        let elapsed = now - mark;
        match st.kind {
            RtKind::Work { resource } => {
                self.times(slot, s).work += elapsed;
                self.ws.busy[resource] -= 1;
                self.level(lv_busy(s), -1);
                self.route(slot, s);
                self.dispatch(resource);
            }
            _ => {
                let t = self.times(slot, s);
                if st.duration_is_wait {
                    t.delay += elapsed;
                } else {
                    t.work += elapsed;
                }
                self.route(slot, s);
            }
        }
    }

    /// Sends an item done at stage `s` onwards: back for rework, out of the stream, into the next
    /// stage, or into the next stage's wait list when it is full.
    fn route(&mut self, slot: u32, s: usize) {
        let st = self.m.stages[s];
        if st.rework_p > 0.0 {
            let key = self.ws.items[slot as usize].visit_key;
            if streams::unit(streams::mix(key, streams::REWORK)) < st.rework_p {
                self.leave(s);
                self.enter(slot, st.rework_to);
                self.slot_freed(s);
                return;
            }
        }
        if s + 1 == self.n {
            self.leave(s);
            self.complete(slot);
            self.slot_freed(s);
        } else if self.has_room(s + 1) {
            self.leave(s);
            self.enter(slot, s + 1);
            self.slot_freed(s);
        } else {
            self.item(slot).mark = self.now;
            self.ws.waitlist[s + 1].push_back(slot);
        }
    }

    #[inline]
    fn leave(&mut self, s: usize) {
        self.ws.occupancy[s] -= 1;
        self.level(lv_in_stage(s), -1);
    }

    /// Stage `s` may have room now: let blocked items in (first come first served), which may in
    /// turn make room upstream, and finally in the backlog.
    fn slot_freed(&mut self, s: usize) {
        while self.has_room(s) {
            let Some(x) = self.ws.waitlist[s].pop_front() else {
                break;
            };
            let now = self.now;
            let it = self.item(x);
            let (from, mark) = (it.stage as usize, it.mark);
            self.times(x, from).blocked += now - mark;
            self.leave(from);
            self.enter(x, s);
            self.slot_freed(from);
        }
        if s == 0 {
            self.admit();
        }
    }

    fn complete(&mut self, slot: u32) {
        let now = self.now;
        let (sys, prog) = (self.lv_system(), self.lv_progress());
        self.level(sys, -1);
        self.level(prog, -1);
        self.in_progress -= 1;
        self.done += 1;
        if self.in_window {
            self.finished_in_window += 1;
        }
        let n = self.n;
        let i = slot as usize;
        let it = &mut self.ws.items[i];
        it.live = false;
        // Discovered while the work went on (not part of the original scope).
        let (discovered, feature) = (it.index >= DISCOVERED_INDEX, it.feature);
        self.obs.item_done(&ItemRecord {
            index: it.index,
            part: it.part,
            work_type: usize::from(it.work_type),
            arrival: it.arrival,
            entry: it.entry,
            done: now,
            stages: &self.ws.times[i * n..(i + 1) * n],
        });
        self.ws.free.push(slot);
        if !discovered {
            self.open_original -= 1;
        }
        if feature != NO_FEATURE {
            let f = usize::from(feature);
            self.feature_open[f] -= 1;
            if self.feature_open[f] == 0 {
                self.features_open -= 1;
                self.features_done += 1;
                self.obs.feature_done(f, now);
                self.start_features();
            }
        }
        self.admit();
    }

    /// Tells the observer about every item still in the stream at the end; returns how many.
    fn report_unfinished(&mut self) -> u64 {
        let n = self.n;
        let mut count = 0;
        for (slot, it) in self.ws.items.iter().enumerate() {
            if !it.live {
                continue;
            }
            count += 1;
            let in_stage = it.stage != IN_BACKLOG;
            self.obs.item_unfinished(&UnfinishedItem {
                index: it.index,
                part: it.part,
                work_type: usize::from(it.work_type),
                arrival: it.arrival,
                entry: in_stage.then_some(it.entry),
                stage: in_stage.then_some(it.stage as usize),
                stage_since: if in_stage { it.stage_since } else { it.arrival },
                at: self.now,
                stages: &self.ws.times[slot * n..(slot + 1) * n],
            });
        }
        count
    }
}
