//! A scenario that reproduces an item history: which states become stages, and each stage's
//! duration, capacity and rework as observed, written as a commented scenario file.
//!
//! States become stages like this, in flow order:
//! - a **work** state is a stage with people: its duration is fitted to the time of each
//!   completed visit, its capacity is the most items ever in it at once;
//! - a **wait** state right before a work state is that stage's queue, so it is not a stage
//!   (the simulation makes the queue); the first state, when it is a wait, is the backlog;
//! - any other **wait** state (before another wait or before done) is a delay stage, its
//!   duration fitted to the visits too;
//! - the last state is done.
//!
//! A move back to an earlier state is rework of the last stage the item was in (the one it was
//! in or had just finished), to the stage of the state it went back to.
//! Arrivals are the items' first entries: the items that were all there at the very first instant
//! (a backlog imported or written down at once) are the scenario's `backlog`, and the others
//! arrive as a Poisson `rate` when the exponential fits the times between them, else with the
//! fitted `interval`. Times are working days of the history's
//! calendar.

use super::fit::{self, Choice};
use crate::history::History;
use crate::history::mapping::Kind;
use crate::numbers::thousands;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Most values an empirical distribution keeps: beyond this, evenly spaced quantiles.
const MAX_EMPIRICAL: usize = 200;

/// What a stage was made from.
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    /// People work on it: a stage with `workers`.
    Work,
    /// Waiting with no one working: a delay stage.
    Delay,
}

/// One stage of the calibrated scenario.
#[derive(Debug, Clone)]
pub struct StageFit {
    pub name: String,
    pub role: Role,
    /// Wait states before it that became its queue.
    pub queue: Vec<String>,
    /// Completed visits measured.
    pub visits: usize,
    /// The duration chosen (`None`: no completed visit to fit).
    pub duration: Option<Choice>,
    /// Most items in it at once (work stages).
    pub capacity: Option<u32>,
    /// Rework: to which stage, the probability, the moves back seen, other targets.
    pub rework: Option<Rework>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rework {
    pub to: String,
    pub probability: f64,
    pub moves: u64,
    /// Moves back to other stages, folded into this one (the format has one target a stage).
    pub elsewhere: u64,
}

/// The arrival process.
#[derive(Debug, Clone)]
pub struct Arrivals {
    pub items: usize,
    /// Items that all arrived at the first instant (more than one): the backlog on day 0.
    pub backlog: usize,
    /// Items per working day over the period, the backlog left out.
    pub rate: f64,
    /// The fit of the times between arrivals.
    pub interval: Option<Choice>,
    /// Whether the exponential fits, so a Poisson `rate` is used.
    pub poisson: bool,
}

/// A calibrated scenario.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// The scenario file, commented.
    pub toml: String,
    pub stages: Vec<StageFit>,
    pub arrivals: Arrivals,
    /// Working days from the first arrival to the end of the history.
    pub period: f64,
    pub work_types: Vec<(String, f64)>,
}

/// Why a history cannot be calibrated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct CalibrateError(pub String);

/// Builds the scenario; `name` is its name (usually the history's file stem).
pub fn calibrate(h: &History, name: &str) -> Result<Calibration, CalibrateError> {
    let done = h.done_state();
    if done == 0 {
        return Err(CalibrateError(format!(
            "{} has one state only; a scenario needs at least an arrival and a done state",
            h.file
        )));
    }
    // Stage of each state (None: backlog, queue or done).
    let mut stage_of: Vec<Option<usize>> = vec![None; done + 1];
    let mut stages: Vec<StageFit> = Vec::new();
    for p in plan(h) {
        stage_of[p.state] = Some(stages.len());
        stages.push(StageFit {
            name: h.states[p.state].name.clone(),
            role: p.role,
            queue: p.queue.iter().map(|q| h.states[*q].name.clone()).collect(),
            visits: 0,
            duration: None,
            capacity: None,
            rework: None,
        });
    }
    if stages.is_empty() {
        return Err(CalibrateError(format!(
            "{}: no state becomes a stage (every state before done is a wait that queues for the next); mark the states where work is done as work (`work = [...]` in the mapping, or --work)",
            h.file
        )));
    }
    // The stage a state belongs to, looking forward (queues belong to the next stage).
    let forward = |s: usize| (s..done).find_map(|k| stage_of[k]);

    let end = h.end();
    let mut durations: Vec<Vec<f64>> = vec![Vec::new(); stages.len()];
    let mut intervals: Vec<Vec<(f64, f64)>> = vec![Vec::new(); stages.len()];
    let mut back: Vec<BTreeMap<usize, u64>> = vec![BTreeMap::new(); stages.len()];
    for item in &h.items {
        // The last stage the item was in.
        let mut last: Option<usize> = None;
        for (k, e) in item.entries.iter().enumerate() {
            let next = item.entries.get(k + 1);
            last = stage_of[e.state].or(last);
            if let Some(st) = stage_of[e.state] {
                let until = next.map_or(end, |n| n.t);
                intervals[st].push((e.t, until));
                if let Some(n) = next {
                    durations[st].push((n.t - e.t).max(0.0));
                }
            }
            // A move back is rework of the last stage the item was in, to the stage of the
            // state it went back to.
            if let Some(n) = next
                && n.state < e.state
                && let Some(from) = last
                && let Some(to) = forward(n.state).filter(|to| *to <= from)
            {
                *back[from].entry(to).or_default() += 1;
            }
        }
    }
    for (i, st) in stages.iter_mut().enumerate() {
        st.visits = durations[i].len();
        st.duration = if durations[i].is_empty() {
            None
        } else {
            Some(
                fit::choose(&durations[i])
                    .map(shorten)
                    .map_err(|e| CalibrateError(format!("stage {}: {e}", st.name)))?,
            )
        };
        if st.role == Role::Work {
            st.capacity = Some(most_at_once(&intervals[i]).max(1));
        }
        // Of the visits that ended, the share that went back.
        let moves: u64 = back[i].values().sum();
        if moves > 0 && st.visits > 0 {
            let (&to, &most) = back[i]
                .iter()
                .max_by_key(|(to, n)| (**n, std::cmp::Reverse(**to)))
                .expect("moves");
            st.rework = Some(Rework {
                to: String::new(),
                probability: (moves as f64 / st.visits as f64).min(0.99),
                moves,
                elsewhere: moves - most,
            });
            // Filled below (borrowing).
            back[i] = BTreeMap::from([(to, most)]);
        }
    }
    let names: Vec<String> = stages.iter().map(|s| s.name.clone()).collect();
    for (i, st) in stages.iter_mut().enumerate() {
        if let Some(r) = &mut st.rework {
            let to = *back[i].keys().next().expect("target");
            r.to = names[to].clone();
        }
    }

    // Arrivals.
    let mut arrived: Vec<f64> = h.items.iter().map(|i| h.arrived(i)).collect();
    arrived.sort_by(f64::total_cmp);
    let first = arrived[0];
    let period = end - first;
    if period.is_nan() || period <= 0.0 || arrived.len() < 2 {
        return Err(CalibrateError(format!(
            "{}: the history spans no working time ({} items); it needs items arriving over a period",
            h.file,
            arrived.len()
        )));
    }
    // Several items at the very first instant were a backlog already there, not a burst of
    // arrivals: the times between arrivals start after them.
    let at_first = arrived.iter().take_while(|&&t| t <= first).count();
    let backlog = if at_first > 1 { at_first } else { 0 };
    let flowing = &arrived[backlog.saturating_sub(1)..];
    let gaps: Vec<f64> = flowing.windows(2).map(|w| (w[1] - w[0]).max(0.0)).collect();
    let interval = fit::choose(&gaps).ok().map(shorten);
    let poisson = match &interval {
        Some(Choice::Fitted { best, all }) => {
            let exp = all
                .iter()
                .find(|f| f.family() == fit::Family::Exponential)
                .expect("always fitted");
            exp.ks_p >= 0.01 && exp.aic <= best.aic + 2.0
        }
        _ => false,
    };
    let arrivals = Arrivals {
        items: arrived.len(),
        backlog,
        rate: gaps.len() as f64 / (arrived[arrived.len() - 1] - first).max(f64::MIN_POSITIVE),
        interval,
        poisson,
    };

    // Work types.
    let mut types: BTreeMap<&str, usize> = BTreeMap::new();
    for i in &h.items {
        *types.entry(i.work_type.as_str()).or_default() += 1;
    }
    let mut work_types: Vec<(String, f64)> = Vec::new();
    // One type (or none named) needs no work types.
    if types.len() > 1 {
        let mut by_count: Vec<(&str, usize)> = types.into_iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let total = h.items.len() as f64;
        let mut other = 0;
        for (k, (t, n)) in by_count.iter().enumerate() {
            if k < 7 && !t.is_empty() {
                work_types.push((t.to_string(), *n as f64 / total));
            } else {
                other += n;
            }
        }
        if other > 0 {
            work_types.push(("other".into(), other as f64 / total));
        }
    }

    let toml = write_toml(h, name, &stages, &arrivals, period, &work_types);
    crate::scenario::Scenario::parse(&toml, "calibrated scenario").map_err(|e| {
        CalibrateError(format!(
            "the calibrated scenario does not validate (a flowsim bug):\n{e}\n---\n{toml}"
        ))
    })?;
    Ok(Calibration {
        toml,
        stages,
        arrivals,
        period,
        work_types,
    })
}

/// A state that becomes a stage, and the states that are its queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub state: usize,
    pub role: Role,
    pub queue: Vec<usize>,
}

/// Which states become stages (see the module documentation), in flow order.
pub fn plan(h: &History) -> Vec<Planned> {
    let done = h.done_state();
    let mut out = Vec::new();
    let mut queue = Vec::new();
    for s in 0..done {
        let next_is_work = s + 1 < done && h.states[s + 1].kind == Kind::Work;
        match h.states[s].kind {
            Kind::Wait if s == 0 || next_is_work => queue.push(s),
            kind => out.push(Planned {
                state: s,
                role: if kind == Kind::Work {
                    Role::Work
                } else {
                    Role::Delay
                },
                queue: std::mem::take(&mut queue),
            }),
        }
    }
    out
}

/// An empirical choice with many values keeps evenly spaced quantiles of them.
fn shorten(c: Choice) -> Choice {
    match c {
        Choice::Empirical {
            reason,
            all,
            mut samples,
        } if samples.len() > MAX_EMPIRICAL => {
            samples.sort_by(f64::total_cmp);
            let n = samples.len();
            let kept = (0..MAX_EMPIRICAL)
                .map(|k| samples[((k as f64 + 0.5) / MAX_EMPIRICAL as f64 * n as f64) as usize])
                .collect();
            Choice::Empirical {
                reason,
                all,
                samples: kept,
            }
        }
        c => c,
    }
}

/// The most intervals open at once (an interval ending when another starts does not overlap it).
fn most_at_once(intervals: &[(f64, f64)]) -> u32 {
    let mut events: Vec<(f64, i32)> = intervals
        .iter()
        .flat_map(|(a, b)| [(*a, 1), (*b, -1)])
        .collect();
    // Ends before starts at the same moment.
    events.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    let (mut now, mut most) = (0i32, 0i32);
    for (_, d) in events {
        now += d;
        most = most.max(now);
    }
    most.max(0) as u32
}

fn num(v: f64) -> String {
    crate::dist::num(v)
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn write_toml(
    h: &History,
    name: &str,
    stages: &[StageFit],
    a: &Arrivals,
    period: f64,
    work_types: &[(String, f64)],
) -> String {
    let (finished, open) = h.counts();
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Calibrated by `flowsim calibrate` from {} ({} items: {} finished, {} in progress; {} rows dropped, {} abandoned).",
        h.file,
        thousands(h.items.len() as u64),
        thousands(finished as u64),
        thousands(open as u64),
        thousands(h.dropped.len() as u64),
        thousands(h.abandoned)
    );
    let _ = writeln!(
        t,
        "# Times are working days ({}), counted from {}. Every value below is an estimate: edit what you know better,\n# then check the scenario against the history with `flowsim backtest`.",
        weekdays_text(&h.calendar.working_weekdays()),
        h.origin()
    );
    let _ = writeln!(t, "\nname = {}", quote(name));
    let _ = writeln!(t, "time_unit = \"days\"                 # working days");
    let _ = writeln!(t, "\n[simulation]");
    let _ = writeln!(t, "runs = 200");
    let _ = writeln!(t, "seed = 1");
    let _ = writeln!(
        t,
        "horizon = {}                 # the history's period: {} working days from the first arrival to the last entry",
        num(round_to(period, 3)),
        num(round_to(period, 1))
    );
    let _ = writeln!(t, "\n[arrivals]");
    write_arrivals(&mut t, a, period);
    if !work_types.is_empty() {
        let _ = writeln!(t, "\n# Work types, by their shares of the items.");
        for (n, share) in work_types {
            let _ = writeln!(
                t,
                "[[work_types]]\nname = {}\nshare = {}",
                quote(n),
                num(round_to(*share, 4))
            );
        }
    }
    for st in stages {
        let _ = writeln!(t, "\n[[stages]]");
        let _ = writeln!(t, "name = {}", quote(&st.name));
        if !st.queue.is_empty() {
            let _ = writeln!(
                t,
                "# Waiting in {} is this stage's queue: the simulation makes it.",
                st.queue
                    .iter()
                    .map(|q| format!("\"{q}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        match st.role {
            Role::Work => {
                let cap = st.capacity.unwrap_or(1);
                let _ = writeln!(
                    t,
                    "# Capacity: at most {cap} {} in \"{}\" at once in the history; people are assumed\n# to work one item each. Lower it if they juggled several.",
                    if cap == 1 { "item was" } else { "items were" },
                    st.name
                );
                let _ = writeln!(t, "workers = {cap}");
            }
            Role::Delay => {
                let _ = writeln!(
                    t,
                    "# A wait no one works on (not followed by a work state): a delay stage."
                );
                let _ = writeln!(t, "kind = \"delay\"");
            }
        }
        match &st.duration {
            Some(c) => {
                let _ = writeln!(
                    t,
                    "# Duration of {} completed visits: {}.",
                    thousands(st.visits as u64),
                    c.describe()
                );
                let _ = writeln!(t, "duration = {}", c.to_toml());
            }
            None => {
                let _ = writeln!(
                    t,
                    "# No item finished a visit here: a placeholder duration of one day. Replace it."
                );
                let _ = writeln!(t, "duration = {{ dist = \"constant\", value = 1 }}");
            }
        }
        if let Some(r) = &st.rework {
            let _ = writeln!(
                t,
                "# {} of the items leaving went back to \"{}\"{}.",
                thousands(r.moves),
                r.to,
                if r.elsewhere > 0 {
                    format!(
                        " ({} of them to other stages, counted here: one target a stage)",
                        thousands(r.elsewhere)
                    )
                } else {
                    String::new()
                }
            );
            let _ = writeln!(
                t,
                "rework = {{ to = {}, probability = {} }}",
                quote(&r.to),
                num(round_to(r.probability, 4))
            );
        }
    }
    t
}

/// The `[arrivals]` table's contents: the backlog, then the arrival stream with how it was fitted.
fn write_arrivals(t: &mut String, a: &Arrivals, period: f64) {
    if a.backlog == a.items {
        let _ = writeln!(
            t,
            "# All {} items were there at the first instant: the backlog on day 0; no more arrive.\nbacklog = {}",
            a.backlog, a.backlog
        );
        return;
    }
    if a.backlog > 0 {
        let _ = writeln!(
            t,
            "# {} items were there at the first instant: a backlog on day 0.\nbacklog = {}",
            a.backlog, a.backlog
        );
    }
    let _ = writeln!(
        t,
        "# {} arrivals over {} working days: {} a working day.",
        thousands((a.items - a.backlog) as u64),
        num(round_to(period, 1)),
        num(round_to(a.rate, 3))
    );
    match &a.interval {
        Some(c) if !a.poisson => {
            let _ = writeln!(t, "# Times between arrivals: {}.", c.describe());
            let _ = writeln!(
                t,
                "# Not a Poisson stream (the exponential does not fit as well), so the fitted interval is used."
            );
            let _ = writeln!(t, "interval = {}", c.to_toml());
        }
        Some(c) => {
            let _ = writeln!(t, "# Times between arrivals: {}.", c.describe());
            let _ = writeln!(t, "# The exponential fits: a Poisson stream.");
            let _ = writeln!(t, "rate = {}", num(round_sig(a.rate)));
        }
        None => {
            let _ = writeln!(t, "rate = {}", num(round_sig(a.rate)));
        }
    }
}

fn weekdays_text(w: &[bool; 7]) -> String {
    let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let days: Vec<&str> = (0..7).filter(|i| w[*i]).map(|i| names[i]).collect();
    days.join(", ")
}

fn round_to(v: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (v * f).round() / f
}

/// Six significant digits.
fn round_sig(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let d = 5 - v.abs().log10().floor() as i32;
    round_to(v, d)
}

#[cfg(test)]
mod tests;
