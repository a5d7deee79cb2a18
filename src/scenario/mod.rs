//! Scenarios: one value stream described in a TOML file, parsed and validated once.
//!
//! `parse` turns file text into raw structs that remember where every value stood ([`raw`]),
//! [`validate`] turns those into a [`Scenario`] whose invariants the engine trusts (every name
//! resolved to an index, every probability in range, every distribution valid, rework loops that can
//! exit), and [`traffic`] works out the load the stream puts on each stage. Errors name the file,
//! line and column, the key, what is wrong and what is allowed ([`error`]).
//!
//! The file format is documented for users in `docs/scenario-format.md`.

pub mod error;
pub mod overlay;
mod raw;
pub mod traffic;
pub(crate) mod validate;
pub mod variants;

pub use error::{Diagnostic, ScenarioError};
pub use variants::{ScenarioFile, Variant};

use crate::dist::Dist;
use std::path::Path;

/// A validated value stream.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub description: Option<String>,
    pub time_unit: TimeUnit,
    /// Stream-wide WIP limit (CONWIP): items wait in the backlog until fewer are in progress.
    pub wip_limit: Option<u32>,
    pub simulation: Simulation,
    pub arrivals: Arrivals,
    /// At least one; shares sum to 1.
    pub work_types: Vec<WorkType>,
    pub teams: Vec<Team>,
    /// In flow order; at least one.
    pub stages: Vec<Stage>,
    /// The working calendar (`[calendar]`), for forecasts in dates.
    pub calendar: Option<CalendarSpec>,
    /// How the work grows while it is done (`[scope]`).
    pub scope: Scope,
    /// Features worked through in order with a feature-level WIP limit (forecasts with
    /// `--features`); `None` in a plain scenario.
    pub features: Option<FeaturePlan>,
}

/// A working calendar as the scenario gives it; the start may come from the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct CalendarSpec {
    pub start: Option<jiff::civil::Date>,
    /// Worked or not, Monday first.
    pub working: [bool; 7],
    pub holidays: std::collections::BTreeSet<jiff::civil::Date>,
    pub hours_per_day: f64,
}

impl CalendarSpec {
    /// The calendar from `start` (the scenario's own when `None`).
    pub fn calendar(
        &self,
        start: Option<jiff::civil::Date>,
        unit: TimeUnit,
    ) -> Result<crate::calendar::Calendar, crate::calendar::CalendarError> {
        let start = start.or(self.start).ok_or_else(|| {
            crate::calendar::CalendarError(
                "no start date: set `start` in [calendar] or give --start".into(),
            )
        })?;
        crate::calendar::Calendar::new(
            start,
            self.working,
            self.holidays.clone(),
            unit,
            self.hours_per_day,
        )
    }
}

/// How the work grows: items that split, and work discovered along the way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    pub split: Option<Split>,
    /// New items discovered per time unit while original work is unfinished.
    pub discovery_rate: Option<f64>,
}

/// Each arriving item turns out to be `into[i]` items with probability `weights[i]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    pub into: Vec<u32>,
    /// Cumulative probabilities, ending at 1.
    pub cumulative: Vec<f64>,
}

impl Split {
    /// The number of items for a uniform number in [0, 1).
    pub fn count(&self, u: f64) -> u32 {
        let i = self
            .cumulative
            .iter()
            .position(|&c| u < c)
            .unwrap_or(self.into.len() - 1);
        self.into[i]
    }

    /// Expected items per item.
    pub fn mean(&self) -> f64 {
        let mut prev = 0.0;
        self.into
            .iter()
            .zip(&self.cumulative)
            .map(|(&n, &c)| {
                let w = c - prev;
                prev = c;
                f64::from(n) * w
            })
            .sum()
    }
}

/// Features worked through in order, at most `wip` at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct FeaturePlan {
    pub features: Vec<Feature>,
    pub wip: u32,
}

/// A feature: a number of items (a fixed number, or drawn uniformly from a range in each run).
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub name: String,
    pub items_min: u32,
    pub items_max: u32,
    pub target: Option<jiff::civil::Date>,
}

/// The unit every duration and rate in a scenario is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    Hours,
    Days,
    Weeks,
}

impl TimeUnit {
    /// The plural noun, as printed after numbers ("12.4 days").
    pub fn plural(self) -> &'static str {
        match self {
            TimeUnit::Hours => "hours",
            TimeUnit::Days => "days",
            TimeUnit::Weeks => "weeks",
        }
    }

    /// The singular noun ("items per day").
    pub fn singular(self) -> &'static str {
        match self {
            TimeUnit::Hours => "hour",
            TimeUnit::Days => "day",
            TimeUnit::Weeks => "week",
        }
    }
}

/// How many replications, from which seed, and when each one stops.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub runs: u32,
    pub seed: u64,
    pub stop: StopRule,
    /// The first `warmup_items` items by arrival order are left out of the statistics.
    pub warmup_items: u32,
}

/// When one replication ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StopRule {
    /// This many items arrive (the backlog included) and the run ends when all are done.
    Items(u32),
    /// Simulate this much time; items not done by then are work in progress.
    Horizon(f64),
}

/// Where work comes from.
#[derive(Debug, Clone)]
pub struct Arrivals {
    /// Time between arrivals; `None` when all work is in the initial backlog.
    pub interval: Option<Dist>,
    /// Items already waiting at time 0.
    pub backlog: u32,
}

impl Arrivals {
    /// Long-run arrival rate (items per time unit), if work keeps arriving.
    pub fn rate(&self) -> Option<f64> {
        self.interval.as_ref().map(|d| 1.0 / d.mean())
    }
}

/// A class of work: a share of arrivals with its own priority and, optionally, durations.
#[derive(Debug, Clone)]
pub struct WorkType {
    pub name: String,
    pub share: f64,
    /// Higher is served first (non-preemptive).
    pub priority: i64,
}

/// A pool of people shared by several stages.
#[derive(Debug, Clone)]
pub struct Team {
    pub name: String,
    pub people: u32,
}

/// One step of the value stream.
#[derive(Debug, Clone)]
pub struct Stage {
    pub name: String,
    pub description: Option<String>,
    pub kind: StageKind,
    /// Kanban limit on items at the stage: queued + in progress + done and waiting to move on.
    pub wip_limit: Option<u32>,
    /// Duration of work (work stages), of the delay (delay stages) or of the release itself (cadence).
    pub duration: Dist,
    /// Per work type (indexed like `Scenario::work_types`): a duration that replaces `duration`.
    pub duration_by_type: Vec<Option<Dist>>,
    pub rework: Option<Rework>,
    pub blockers: Option<Blockers>,
    /// Whether the time `duration` accounts for counts as work or as wait (flow efficiency).
    pub counts_as: TimeKind,
    /// Keys this stage's random streams; derived from the name so that streams do not move when
    /// other stages are added or removed (common random numbers across variants).
    pub stream_key: u64,
}

impl Stage {
    /// The duration distribution for items of the given work type.
    pub fn duration_for(&self, work_type: usize) -> &Dist {
        self.duration_by_type[work_type]
            .as_ref()
            .unwrap_or(&self.duration)
    }

    /// Whether the stage has a limited number of people working on it.
    pub fn is_capacity_limited(&self) -> bool {
        matches!(self.kind, StageKind::Work(_))
    }
}

/// What kind of step a stage is.
#[derive(Debug, Clone, PartialEq)]
pub enum StageKind {
    /// People work on items, at most as many at once as the capacity allows.
    Work(Capacity),
    /// No capacity limit: every item just takes the drawn time (waiting for another team...).
    Delay,
    /// Items wait for the next release at `first`, `first + every`, ...; then take `duration`.
    Cadence { every: f64, first: f64 },
}

/// Who works at a work stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    /// This many people work only here.
    Workers(u32),
    /// The people of the team with this index (into `Scenario::teams`).
    Team(usize),
}

/// Whether a stretch of time counts as work (process time) or wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeKind {
    Work,
    Wait,
}

/// After work at a stage, the item goes back to stage `to` with this probability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rework {
    /// Index of a stage at or before this one.
    pub to: usize,
    pub probability: f64,
}

/// Some visits get blocked part-way through the work (waiting on another team, a question...).
#[derive(Debug, Clone)]
pub struct Blockers {
    pub probability: f64,
    pub duration: Dist,
    /// Whether the worker stays with the blocked item (idle) or takes other work meanwhile.
    pub holds_worker: bool,
}

impl Scenario {
    /// Parses and validates scenario text. `source` names it in errors (usually the file path).
    pub fn parse(text: &str, source: &str) -> Result<Scenario, ScenarioError> {
        let raw = raw::parse(text, source)?;
        validate::validate(raw, text, source)
    }

    /// Reads, parses and validates a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = Scenario::read(path)?;
        Scenario::parse(&text, &path.display().to_string())
    }

    /// Reads a scenario file's text, with an error that names the file when it cannot be read.
    pub fn read(path: &Path) -> Result<String, ScenarioError> {
        let source = path.display().to_string();
        std::fs::read_to_string(path).map_err(|e| {
            ScenarioError::single(Diagnostic::plain(
                &source,
                format!("cannot read the scenario file: {e}"),
            ))
        })
    }

    /// Items that arrive in one replication under an `items` stop rule.
    pub fn items_per_run(&self) -> Option<u32> {
        match self.simulation.stop {
            StopRule::Items(n) => Some(n),
            StopRule::Horizon(_) => None,
        }
    }

    /// Index of the stage with this name.
    pub fn stage_index(&self, name: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.name == name)
    }

    /// The name of whoever serves a work stage: its team's name, or `None` for dedicated workers.
    pub fn team_of(&self, stage: usize) -> Option<&Team> {
        match self.stages[stage].kind {
            StageKind::Work(Capacity::Team(t)) => Some(&self.teams[t]),
            _ => None,
        }
    }

    /// People available to a work stage (its dedicated workers or its team's people).
    pub fn capacity_of(&self, stage: usize) -> Option<u32> {
        match self.stages[stage].kind {
            StageKind::Work(Capacity::Workers(n)) => Some(n),
            StageKind::Work(Capacity::Team(t)) => Some(self.teams[t].people),
            _ => None,
        }
    }
}

/// A stable 64-bit hash of a name (FNV-1a), used to key random streams.
pub(crate) fn name_key(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
