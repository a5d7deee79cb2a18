//! The history of one replication, item by item: when each item entered each state of the flow.
//! [`EventLog`] is an engine [`Observer`]; `report::events` writes it as the CSV work-item
//! history of `flowsim run --events`, in the layouts Kanban analytics tools import.
//!
//! The states, in flow order (documented for users in docs/results.md):
//!
//! ```text
//!  Backlog ──> Ready for S ──> S ──> ... ──> D ──> ... ──> Done
//!              (a work stage S:             (a delay or cadence stage D:
//!               waiting, then worked)        one state)
//! ```
//!
//! - `Backlog`: the item arrived;
//! - a stage with capacity (workers or a team) has a wait state `Ready for S`, entered when the
//!   item joins its queue, and a work state `S`, entered when a person starts on it. Blocker time
//!   while it is worked stays in `S`, and so does an item done at `S` that waits for room in the
//!   next stage (its WIP limit);
//! - a delay stage and a cadence stage have one state, named after the stage, entered when the
//!   item joins the stage (for a cadence stage: when it starts waiting for the release);
//! - `Done`: the item left the last stage.
//!
//! Rework sends an item back to an earlier state; the log keeps every entry.

use crate::engine::{ItemId, ItemRecord, Observer};
use crate::scenario::{Scenario, StageKind};
use std::collections::HashMap;

/// The states of a scenario's flow, in order, and which belong to which stage.
#[derive(Debug, Clone, PartialEq)]
pub struct States {
    names: Vec<String>,
    /// Per stage: the state entered on joining the stage.
    joined: Vec<u32>,
    /// Per stage: the state entered when a person starts work (the joined state when the stage
    /// has no capacity).
    worked: Vec<u32>,
}

impl States {
    /// The state every item starts in.
    pub const BACKLOG: u32 = 0;

    pub fn new(scenario: &Scenario) -> States {
        let mut names = vec!["Backlog".to_string()];
        let mut joined = Vec::with_capacity(scenario.stages.len());
        let mut worked = Vec::with_capacity(scenario.stages.len());
        for st in &scenario.stages {
            if matches!(st.kind, StageKind::Work(_)) {
                names.push(format!("Ready for {}", st.name));
                joined.push(names.len() as u32 - 1);
            }
            names.push(st.name.clone());
            worked.push(names.len() as u32 - 1);
            if !matches!(st.kind, StageKind::Work(_)) {
                joined.push(names.len() as u32 - 1);
            }
        }
        names.push("Done".to_string());
        States {
            names,
            joined,
            worked,
        }
    }

    /// The names, in flow order: `Backlog`, ..., `Done`.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The state an item enters when it joins stage `stage`.
    pub fn joined(&self, stage: usize) -> u32 {
        self.joined[stage]
    }

    /// The state an item enters when a person starts on it at stage `stage`.
    pub fn worked(&self, stage: usize) -> u32 {
        self.worked[stage]
    }

    /// The state entered when an item leaves the last stage.
    pub fn done(&self) -> u32 {
        self.names.len() as u32 - 1
    }

    /// A name given to two states (a stage called `Done`, or `Ready for Test` next to a work
    /// stage `Test`), which would make the history ambiguous.
    pub fn duplicate(&self) -> Option<&str> {
        let mut seen = std::collections::HashSet::new();
        self.names
            .iter()
            .find(|n| !seen.insert(n.as_str()))
            .map(String::as_str)
    }
}

/// An item entered a state at a time (simulated time, in the scenario's unit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StateEntry {
    /// Index into [`States::names`].
    pub state: u32,
    pub time: f64,
}

/// One item's history.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemHistory {
    pub id: ItemId,
    pub work_type: usize,
    /// Every state the item entered, in time order; revisits through rework repeated.
    pub entries: Vec<StateEntry>,
}

impl ItemHistory {
    /// When the item first entered `state`, if it did.
    pub fn first_entry(&self, state: u32) -> Option<f64> {
        self.entries
            .iter()
            .find(|e| e.state == state)
            .map(|e| e.time)
    }
}

/// Records when each item entered each state of one replication.
#[derive(Debug, Clone)]
pub struct EventLog {
    states: States,
    /// In order of arrival.
    items: Vec<ItemHistory>,
    /// Items not yet done: their place in `items`.
    open: HashMap<ItemId, usize>,
    done: u64,
}

impl EventLog {
    pub fn new(scenario: &Scenario) -> EventLog {
        EventLog {
            states: States::new(scenario),
            items: Vec::new(),
            open: HashMap::new(),
            done: 0,
        }
    }

    pub fn states(&self) -> &States {
        &self.states
    }

    /// Every item that arrived, in order of arrival.
    pub fn items(&self) -> &[ItemHistory] {
        &self.items
    }

    /// Items done.
    pub fn done(&self) -> u64 {
        self.done
    }

    fn record(&mut self, item: ItemId, state: u32, time: f64) {
        if let Some(&row) = self.open.get(&item) {
            self.items[row].entries.push(StateEntry { state, time });
        }
    }
}

impl Observer for EventLog {
    fn item_done(&mut self, item: &ItemRecord<'_>) {
        if let Some(row) = self.open.remove(&item.id()) {
            let state = self.states.done();
            self.items[row].entries.push(StateEntry {
                state,
                time: item.done,
            });
            self.done += 1;
        }
    }

    fn item_arrived(&mut self, item: ItemId, work_type: usize, time: f64) {
        self.open.insert(item, self.items.len());
        self.items.push(ItemHistory {
            id: item,
            work_type,
            entries: vec![StateEntry {
                state: States::BACKLOG,
                time,
            }],
        });
    }

    fn item_entered(&mut self, item: ItemId, stage: usize, _visit: u32, time: f64) {
        let state = self.states.joined(stage);
        self.record(item, state, time);
    }

    fn work_started(&mut self, item: ItemId, stage: usize, resumed: bool, time: f64) {
        // Work resumed after a blocker: the item has been in the work state all along.
        if !resumed {
            let state = self.states.worked(stage);
            self.record(item, state, time);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(stages: &str) -> Scenario {
        let text = format!(
            "name = \"t\"\n[simulation]\nitems = 1\n[arrivals]\nbacklog = 1\n[[teams]]\nname = \"devs\"\npeople = 2\n{stages}"
        );
        Scenario::parse(&text, "t.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn work_stages_have_a_wait_state_and_the_others_one_state() {
        let sc = scenario(
            r#"
[[stages]]
name = "Analysis"
workers = 1
duration = { dist = "constant", value = 1 }
[[stages]]
name = "Wait for ops"
kind = "delay"
duration = { dist = "constant", value = 1 }
[[stages]]
name = "Build"
team = "devs"
duration = { dist = "constant", value = 1 }
[[stages]]
name = "Release"
kind = "cadence"
every = 5
duration = { dist = "constant", value = 0 }
"#,
        );
        let s = States::new(&sc);
        assert_eq!(
            s.names(),
            [
                "Backlog",
                "Ready for Analysis",
                "Analysis",
                "Wait for ops",
                "Ready for Build",
                "Build",
                "Release",
                "Done"
            ]
        );
        assert_eq!((s.joined(0), s.worked(0)), (1, 2));
        assert_eq!((s.joined(1), s.worked(1)), (3, 3));
        assert_eq!((s.joined(2), s.worked(2)), (4, 5));
        assert_eq!((s.joined(3), s.worked(3)), (6, 6));
        assert_eq!(s.done(), 7);
        assert_eq!(s.duplicate(), None);
    }

    #[test]
    fn a_stage_named_like_another_state_is_found() {
        let sc = scenario(
            r#"
[[stages]]
name = "Test"
workers = 1
duration = { dist = "constant", value = 1 }
[[stages]]
name = "Ready for Test"
workers = 1
duration = { dist = "constant", value = 1 }
"#,
        );
        assert_eq!(States::new(&sc).duplicate(), Some("Ready for Test"));
    }
}
