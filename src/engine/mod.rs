//! The discrete-event engine: one replication of a value stream.
//!
//! It knows nothing of files, charts, threads or the command line. [`run`] is a pure function of
//! (model, seed, replication index): it pushes what happens to an [`Observer`] (one record per item
//! done; arrivals, stage entries and work started for observers that want them) and returns the
//! time-weighted statistics of the run ([`RunStats`]).
//!
//! ```text
//!  arrivals ──> backlog ──(stream WIP limit, first stage's WIP limit)──> stage 0 ──> stage 1 ──> ... ──> done
//!                                                                         ^   │
//!                                                                         └───┘ rework
//! ```
//!
//! Semantics (documented for users in docs/scenario-format.md):
//! - work stages serve at most `capacity` items at once, highest priority first, then first come
//!   first served; a team's free person takes, among the team's stages, the queued item of highest
//!   priority that has waited longest (ties: the earlier stage in the flow);
//! - an item that finishes at a stage whose successor is at its WIP limit stays where it is
//!   ("blocked", counted as wait at that stage) and frees its worker; it moves as soon as a slot
//!   opens, blocked items first come first served; rework ignores WIP limits (the item is already in
//!   the stream; otherwise full stages could wait on each other forever);
//! - a blocker interrupts the work part-way (uniformly), holds the item for its drawn time, and
//!   either keeps the worker idle with it (`holds_worker`) or frees the worker; a freed item then
//!   goes to the front of its queue to finish the rest of its work;
//! - delay stages take the drawn time with no capacity limit; cadence stages hold items until the
//!   next release, then take the drawn duration.

mod events;
mod level;
mod run;
pub mod streams;
mod tandem;

pub use run::{DISCOVERED_INDEX, Workspace, run, run_event_list};

use crate::scenario::{Capacity, Scenario, StageKind, TimeKind};

/// Time an item spent at one stage, over all its visits, by what it was doing.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimes {
    /// Waiting for a person (work stages).
    pub queue: f64,
    /// Done, waiting for room in the next stage (its WIP limit).
    pub blocked: f64,
    /// Held by a blocker part-way through the work.
    pub blocker: f64,
    /// Waiting for the next release (cadence stages).
    pub cadence: f64,
    /// Delay or release time that counts as wait (`counts_as = "wait"`).
    pub delay: f64,
    /// Work (process time).
    pub work: f64,
    /// How many times the item entered the stage (more than 1 with rework).
    pub visits: u32,
}

impl StageTimes {
    /// All the waiting at this stage.
    pub fn wait(&self) -> f64 {
        self.queue + self.blocked + self.blocker + self.cadence + self.delay
    }

    /// Wait and work: the time the item was at this stage.
    pub fn total(&self) -> f64 {
        self.wait() + self.work
    }
}

/// Which item, within one replication: its arrival index and, for an item that split when it
/// arrived, which of its parts (split parts share the arrival index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId {
    /// Arrival order within the replication, from 0 (the backlog first); discovered items from
    /// [`DISCOVERED_INDEX`] on, in the order they were discovered.
    pub index: u64,
    /// 0 for the item itself (and every item that did not split); 1, 2, ... for the other parts
    /// of a split item.
    pub part: u16,
}

impl ItemId {
    /// Whether the item was discovered while the work went on (`[scope] discovery_rate`).
    pub fn is_discovered(self) -> bool {
        self.index >= DISCOVERED_INDEX
    }
}

/// An item that has left the stream.
#[derive(Debug, Clone, Copy)]
pub struct ItemRecord<'a> {
    /// Arrival order within the replication, from 0 (the backlog first).
    pub index: u64,
    /// Which part of a split item (0: the item itself); see [`ItemId`].
    pub part: u16,
    pub work_type: usize,
    pub arrival: f64,
    /// When it entered the first stage (past the stream-wide WIP limit).
    pub entry: f64,
    pub done: f64,
    /// One entry per stage, in flow order.
    pub stages: &'a [StageTimes],
}

impl ItemRecord<'_> {
    /// The item's identity within the replication.
    pub fn id(&self) -> ItemId {
        ItemId {
            index: self.index,
            part: self.part,
        }
    }

    /// From arrival to done.
    pub fn lead_time(&self) -> f64 {
        self.done - self.arrival
    }

    /// From entering the first stage to done.
    pub fn cycle_time(&self) -> f64 {
        self.done - self.entry
    }

    /// Process time over all stages.
    pub fn work(&self) -> f64 {
        self.stages.iter().map(|s| s.work).sum()
    }
}

/// An item still in the stream when a `horizon` run ends.
#[derive(Debug, Clone, Copy)]
pub struct UnfinishedItem<'a> {
    pub index: u64,
    /// Which part of a split item (0: the item itself); see [`ItemId`].
    pub part: u16,
    pub work_type: usize,
    pub arrival: f64,
    /// `None` while still in the backlog.
    pub entry: Option<f64>,
    /// The stage it is at (`None` while in the backlog) and since when.
    pub stage: Option<usize>,
    pub stage_since: f64,
    /// When the run ended (the horizon).
    pub at: f64,
    pub stages: &'a [StageTimes],
}

/// The items of a replication the tandem solver ran (see `engine/tandem.rs`), as columns: what
/// [`Observer::items_done`] receives. Every item entered the first stage as it arrived and
/// visited each stage once.
#[derive(Debug, Clone, Copy)]
pub struct DoneItems<'a> {
    /// Item indices (the arrival order, which is also the columns' order) in the order the items
    /// were done.
    pub order: &'a [u32],
    pub arrival: &'a [f64],
    pub done: &'a [f64],
    pub work_type: &'a [u16],
    /// Each item's work over all stages, added up stage by stage as [`ItemRecord::work`] does.
    pub work: &'a [f64],
    /// Per stage, its columns (`None`: zero for every item).
    pub stages: &'a [StageColumns<'a>],
}

/// One stage's times of every item (indexed like [`DoneItems::arrival`]); the times a tandem
/// stage never has (blocked, blocker) are zero.
#[derive(Debug, Clone, Copy, Default)]
pub struct StageColumns<'a> {
    pub queue: Option<&'a [f64]>,
    pub cadence: Option<&'a [f64]>,
    pub delay: Option<&'a [f64]>,
    pub work: Option<&'a [f64]>,
}

impl StageColumns<'_> {
    /// Item `i`'s times at this stage.
    pub fn times(&self, i: usize) -> StageTimes {
        let at = |c: Option<&[f64]>| c.map_or(0.0, |c| c[i]);
        StageTimes {
            queue: at(self.queue),
            cadence: at(self.cadence),
            delay: at(self.delay),
            work: at(self.work),
            visits: 1,
            ..StageTimes::default()
        }
    }
}

/// Receives what happens during a replication.
///
/// Only `item_done` is required; the other hooks cost nothing when left as they are (the engine
/// is generic over the observer, so default methods compile away).
pub trait Observer {
    /// Whether the observer follows the run in time order through the hooks other than
    /// `item_done` and `item_unfinished` (arrivals, stage entries, work started, features,
    /// samples). An observer that does without them says `false`, and the engine may then solve
    /// a simple stream stage by stage (see `engine/tandem.rs`), calling only `items_done`, once
    /// per replication.
    const TIMELINE: bool = true;

    /// An item has left the last stage.
    fn item_done(&mut self, item: &ItemRecord<'_>);

    /// The items of a replication run by the tandem solver, all at once, as columns. The default
    /// hands them to [`Observer::item_done`] one by one in the order they were done; an observer
    /// may go through the columns instead (faster), to the same effect.
    fn items_done(&mut self, items: &DoneItems<'_>) {
        let mut stages = vec![StageTimes::default(); items.stages.len()];
        for &i in items.order {
            let i = i as usize;
            for (t, c) in stages.iter_mut().zip(items.stages) {
                *t = c.times(i);
            }
            self.item_done(&ItemRecord {
                index: i as u64,
                part: 0,
                work_type: usize::from(items.work_type[i]),
                arrival: items.arrival[i],
                entry: items.arrival[i],
                done: items.done[i],
                stages: &stages,
            });
        }
    }

    /// A `horizon` run ended with this item still in the stream.
    fn item_unfinished(&mut self, _item: &UnfinishedItem<'_>) {}

    /// Feature `feature` (an index into the scenario's feature plan) started at `time`, bringing
    /// `items` items (before splits).
    fn feature_started(&mut self, _feature: usize, _time: f64, _items: u32) {}

    /// The last item of feature `feature` was done at `time`.
    fn feature_done(&mut self, _feature: usize, _time: f64) {}

    /// The item with arrival index `index` entered stage `stage` at `time`, for the `visit`-th time
    /// (1 on its first visit; more with rework). The parts of a split item share the index;
    /// [`Observer::item_entered`] tells them apart.
    fn stage_entered(&mut self, _index: u64, _stage: usize, _visit: u32, _time: f64) {}

    /// A new item is in the backlog at `time`: from the initial backlog, the arrival stream, a
    /// feature that started or discovery. Each part of a split item arrives, part 0 first. Items
    /// arrive in the order of this call; the other hooks name them with the same [`ItemId`].
    fn item_arrived(&mut self, _item: ItemId, _work_type: usize, _time: f64) {}

    /// The item entered stage `stage` at `time`, for the `visit`-th time: the same moment as
    /// [`Observer::stage_entered`], with the item's part. At a work stage it joins the queue; at
    /// a delay stage it starts its delay; at a cadence stage it waits for the next release.
    fn item_entered(&mut self, _item: ItemId, _stage: usize, _visit: u32, _time: f64) {}

    /// A person took the item at work stage `stage` at `time` and works on it. `resumed`: the
    /// work had started before and was interrupted by a blocker that freed the worker; a person
    /// now takes it up again (a blocker that holds the worker does not call this again).
    fn work_started(&mut self, _item: ItemId, _stage: usize, _resumed: bool, _time: f64) {}

    /// The next time at which the observer wants to see the state of the stream
    /// (`f64::INFINITY`: never). The engine calls [`Observer::sample`] for every such time up to
    /// the end of the run (the horizon, or the last item done), in order.
    fn next_sample(&self) -> f64 {
        f64::INFINITY
    }

    /// The state of the stream at `time` (the state just before any event at that time).
    fn sample(&mut self, _time: f64, _state: &StreamState<'_>) {}
}

/// A view of how many items are where, given to [`Observer::sample`].
#[derive(Debug, Clone, Copy)]
pub struct StreamState<'a> {
    levels: &'a [level::Level],
    stages: usize,
}

impl StreamState<'_> {
    /// Items at stage `s` in any state.
    pub fn in_stage(&self, s: usize) -> u32 {
        self.levels[3 * s + 1].count
    }

    /// Items at stage `s` waiting for a person (or for a release).
    pub fn queue(&self, s: usize) -> u32 {
        self.levels[3 * s].count
    }

    /// People occupied at stage `s`.
    pub fn busy(&self, s: usize) -> u32 {
        self.levels[3 * s + 2].count
    }

    /// Items arrived and not done (the backlog included).
    pub fn in_system(&self) -> u32 {
        self.levels[3 * self.stages].count
    }

    /// Items waiting in the backlog.
    pub fn backlog(&self) -> u32 {
        self.levels[3 * self.stages + 2].count
    }
}

/// Time integrals of one stage over the measurement window.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageRunStats {
    /// Integral of the number of items waiting for a person or for a release.
    pub queue_area: f64,
    /// Integral of the number of items at the stage (any state).
    pub in_stage_area: f64,
    /// Integral of the number of people occupied at the stage (working or held by a blocker).
    pub busy_area: f64,
}

/// What a replication measured over its window: from the arrival of the first measured item (time 0
/// without a warm-up) to the end of the run (the last item done, or the horizon).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunStats {
    pub window_start: f64,
    pub end: f64,
    pub stages: Vec<StageRunStats>,
    /// Integral of items arrived and not done (the backlog included).
    pub in_system_area: f64,
    /// Integral of items that entered the first stage and are not done.
    pub in_progress_area: f64,
    /// Integral of items waiting in the backlog.
    pub backlog_area: f64,
    /// Items (of any index) done within the window.
    pub finished_in_window: u64,
    /// Items arrived in the whole run.
    pub arrived: u64,
    /// Items still in the stream at the end (horizon runs).
    pub unfinished: u64,
    /// Events handled.
    pub events: u64,
}

impl RunStats {
    /// Length of the measurement window.
    pub fn window(&self) -> f64 {
        self.end - self.window_start
    }
}

/// Errors a replication can end with. A validated scenario should never produce them; they guard
/// against engine bugs turning into hangs or wrong numbers.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    #[error(
        "replication {rep}: the simulation stopped with {stuck} of {items} items never done (a deadlock); please report this with the scenario file"
    )]
    Deadlock { rep: u64, stuck: u64, items: u64 },
    #[error(
        "replication {rep}: {what}; this is beyond what one replication can hold: simulate fewer items or a shorter horizon"
    )]
    TooLarge { rep: u64, what: String },
}

/// A scenario prepared for the engine: names resolved to indices, priorities to classes, stages to
/// the people (resources) who serve them, and what the event loop needs per stage packed together.
#[derive(Debug, Clone)]
pub struct Model {
    pub scenario: Scenario,
    /// Priority class per work type (0 = highest priority).
    type_class: Vec<u8>,
    classes: usize,
    /// Cumulative share per work type, for drawing types.
    type_cum_share: Vec<f64>,
    resources: Vec<Resource>,
    stages: Vec<StageRt>,
    /// Duration per stage and work type: `durations[stage * types + type]`.
    durations: Vec<crate::dist::Dist>,
    types: usize,
    /// Whether the tandem solver can run it.
    tandem: bool,
}

/// A set of interchangeable people: a stage's dedicated workers, or a team.
#[derive(Debug, Clone)]
struct Resource {
    capacity: u32,
    /// Stages served, in flow order.
    stages: Vec<usize>,
}

/// The per-stage facts the event loop reads on every visit.
#[derive(Debug, Clone, Copy)]
struct StageRt {
    kind: RtKind,
    /// `u32::MAX` when unlimited.
    wip_limit: u32,
    /// Rework target and probability (0 when the stage has no rework).
    rework_to: usize,
    rework_p: f64,
    /// Blocker probability (0 when none) and whether a blocked item keeps its worker.
    blocker_p: f64,
    holds_worker: bool,
    /// Whether delay or release time counts as wait rather than work.
    duration_is_wait: bool,
    stream_key: u64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum RtKind {
    Work { resource: usize },
    Delay,
    Cadence { every: f64, first: f64 },
}

/// The first release point of a cadence (`first`, `first + every`, ...) at or after `now`.
#[inline]
fn next_release(now: f64, every: f64, first: f64) -> f64 {
    if now <= first {
        first
    } else {
        first + ((now - first) / every).ceil() * every
    }
}

impl Model {
    pub fn new(scenario: &Scenario) -> Model {
        let mut priorities: Vec<i64> = scenario.work_types.iter().map(|w| w.priority).collect();
        priorities.sort_unstable_by(|a, b| b.cmp(a));
        priorities.dedup();
        let type_class = scenario
            .work_types
            .iter()
            .map(|w| {
                priorities
                    .iter()
                    .position(|&p| p == w.priority)
                    .unwrap_or(0) as u8
            })
            .collect();
        let mut acc = 0.0;
        let type_cum_share = scenario
            .work_types
            .iter()
            .map(|w| {
                acc += w.share;
                acc
            })
            .collect();
        let mut resources: Vec<Resource> = scenario
            .teams
            .iter()
            .map(|t| Resource {
                capacity: t.people,
                stages: Vec::new(),
            })
            .collect();
        let mut stages = Vec::new();
        for (s, st) in scenario.stages.iter().enumerate() {
            let kind = match st.kind {
                StageKind::Work(Capacity::Team(t)) => {
                    resources[t].stages.push(s);
                    RtKind::Work { resource: t }
                }
                StageKind::Work(Capacity::Workers(c)) => {
                    resources.push(Resource {
                        capacity: c,
                        stages: vec![s],
                    });
                    RtKind::Work {
                        resource: resources.len() - 1,
                    }
                }
                StageKind::Delay => RtKind::Delay,
                StageKind::Cadence { every, first } => RtKind::Cadence { every, first },
            };
            stages.push(StageRt {
                kind,
                wip_limit: st.wip_limit.unwrap_or(u32::MAX),
                rework_to: st.rework.map_or(s, |r| r.to),
                rework_p: st.rework.map_or(0.0, |r| r.probability),
                blocker_p: st.blockers.as_ref().map_or(0.0, |b| b.probability),
                holds_worker: st.blockers.as_ref().is_some_and(|b| b.holds_worker),
                duration_is_wait: st.counts_as == TimeKind::Wait,
                stream_key: st.stream_key,
            });
        }
        let types = scenario.work_types.len();
        let durations = scenario
            .stages
            .iter()
            .flat_map(|st| (0..types).map(move |t| st.duration_for(t).clone()))
            .collect();
        let mut model = Model {
            scenario: scenario.clone(),
            type_class,
            classes: priorities.len(),
            type_cum_share,
            resources,
            stages,
            durations,
            types,
            tandem: false,
        };
        model.tandem = tandem::eligible(&model);
        model
    }

    /// The work type for a uniform number in [0, 1).
    fn work_type(&self, u: f64) -> usize {
        self.type_cum_share
            .iter()
            .position(|&c| u < c)
            .unwrap_or(self.type_cum_share.len() - 1)
    }
}
