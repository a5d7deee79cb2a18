//! The value stream as it really was: a [`History`] turned into a [`StreamMap`], the figures of
//! `flowsim map` (map.json): items counted, time per state, lead and cycle time, flow
//! efficiency, arrivals, throughput and work in progress week by week, the cumulative flow, and
//! how often items moved backwards.
//!
//! Pure: no files and no printing. Times are in working days on the history's calendar
//! ([`Entry::t`](super::Entry::t)); dates are written as read (ISO, the time of day when it is
//! not midnight).
//!
//! Definitions, as practitioners use them:
//! - **lead time**: first state entered to done, for items whose last state is done; items first
//!   seen already done (one entry, the done state) have none and are counted apart;
//! - **cycle time**: the first work state entered to done;
//! - **time in a state**: from entering it to entering the next; an unfinished item's current
//!   state lasts until the end of the history. Time in the done state before an item was
//!   reopened counts as waiting;
//! - **flow efficiency**: time in work states over lead time, per item and overall (the sum of
//!   work over the sum of lead time);
//! - **rework**: a move to a state earlier in the flow; its rate is the share of the visits to
//!   the state moved from.

use super::History;
use super::mapping::Kind;
use jiff::civil::{Date, DateTime};
use serde::Serialize;
use std::collections::BTreeMap;

/// Weeks whose CFD samples are taken daily; longer histories are sampled every few days.
const MAX_SAMPLES: i64 = 500;

/// Finished items below which percentiles are rough (said in a warning).
const FEW: usize = 10;

/// Everything `flowsim map` reports about a history.
#[derive(Debug, Clone, Serialize)]
pub struct StreamMap {
    pub flowsim_version: String,
    /// The file read.
    pub file: String,
    /// `wide` or `long`.
    pub layout: String,
    /// Always `working days`: every time below is counted on the calendar.
    pub time_unit: String,
    pub calendar: CalendarUsed,
    pub period: Period,
    pub counts: Counts,
    /// In flow order, the done state last.
    pub states: Vec<StateMap>,
    /// First state entered to done.
    pub lead_time: Option<Percentiles>,
    /// First work state entered to done.
    pub cycle_time: Option<Percentiles>,
    pub flow_efficiency: Option<FlowEfficiency>,
    pub rates: Rates,
    /// Calendar weeks (Monday to Sunday) from the one holding the first timestamp.
    pub weeks: Vec<Week>,
    pub cfd: Cfd,
    /// Moves backwards, most frequent first.
    pub rework: Vec<Rework>,
    /// In order of arrival.
    pub items: Vec<ItemMap>,
    /// Rows left out, in file order.
    pub dropped: Vec<DroppedRow>,
    /// What to keep in mind when reading the figures.
    pub warnings: Vec<String>,
}

/// The working calendar the times are counted on.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarUsed {
    /// `mon` .. `sun`.
    pub working_days: Vec<String>,
    pub holidays: Vec<String>,
    /// Day 0 of the working clock: the Monday on or before the first timestamp.
    pub origin: String,
}

/// The time the history covers.
#[derive(Debug, Clone, Serialize)]
pub struct Period {
    /// The first and last timestamps.
    pub first: String,
    pub last: String,
    pub calendar_days: i64,
    pub working_days: f64,
}

/// Items and rows, counted.
#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    /// Items kept plus abandoned.
    pub items_read: usize,
    /// Items in the map (not abandoned).
    pub items: usize,
    /// Whose last state is done.
    pub finished: usize,
    pub in_progress: usize,
    /// Ended in an abandoned state, left out.
    pub abandoned: u64,
    /// Rows left out (see `dropped`).
    pub rows_dropped: usize,
    /// Finished with a lead time (not first seen already done).
    pub measured: usize,
    /// First seen already done: no lead time.
    pub first_seen_done: usize,
    /// First seen past the first state: their lead time starts there.
    pub first_seen_later: usize,
    pub moved_backwards: usize,
    pub skipped_a_state: usize,
}

/// Percentiles (linear between order statistics), mean and range of a set of times.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    pub count: usize,
    pub p50: f64,
    pub p70: f64,
    pub p85: f64,
    pub p95: f64,
    pub mean: f64,
    pub min: f64,
    pub max: f64,
}

/// One state of the flow.
#[derive(Debug, Clone, Serialize)]
pub struct StateMap {
    pub name: String,
    /// `work` or `wait` (the done state's time, if any, counts as waiting).
    pub kind: Kind,
    pub done: bool,
    /// Items that entered it at least once.
    pub items_entered: usize,
    /// Times it was entered.
    pub visits: usize,
    /// Visits that ended (the item moved on), all items.
    pub time_per_visit: Option<Percentiles>,
    /// Time over all visits, per finished item that entered it.
    pub time_per_item: Option<Percentiles>,
    /// Time in it over all finished items with a lead time, per such item (zero for those that
    /// skipped it): these add up to the mean lead time.
    pub mean_per_finished_item: f64,
    /// Its part of the total lead time of finished items.
    pub share_of_lead_time: Option<f64>,
    /// Items in it at the end of the history.
    pub items_now: usize,
}

/// Flow efficiency of finished items with a lead time above zero.
#[derive(Debug, Clone, Serialize)]
pub struct FlowEfficiency {
    /// Total work over total lead time.
    pub overall: f64,
    /// The mean of the per-item ratios.
    pub mean_of_items: f64,
    /// Per item.
    pub per_item: Percentiles,
    pub work_days: f64,
    pub lead_days: f64,
}

/// Averages per calendar week.
#[derive(Debug, Clone, Serialize)]
pub struct Rates {
    /// Weeks covered: from the one holding the first timestamp to the one holding the last.
    pub weeks: usize,
    /// Items arrived over all the weeks covered.
    pub arrivals_per_week: f64,
    /// Weeks from the one of the first item finished to the last (a history of items finished
    /// in a window may start long before it); none when nothing finished.
    pub throughput_weeks: usize,
    /// The Monday of the first of them.
    pub throughput_from: Option<String>,
    /// Items finished over those weeks.
    pub throughput_per_week: f64,
    /// Items in progress at the end of a week, averaged over the weeks.
    pub mean_wip: f64,
    pub wip_at_end: usize,
}

/// One calendar week.
#[derive(Debug, Clone, Serialize)]
pub struct Week {
    /// Its Monday.
    pub start: String,
    pub arrived: usize,
    pub finished: usize,
    /// In progress at its end.
    pub wip: usize,
}

/// Items in each state at the end of sampled days: the cumulative flow diagram.
#[derive(Debug, Clone, Serialize)]
pub struct Cfd {
    /// Every `step_days` days from the first date, and the last date.
    pub dates: Vec<String>,
    pub step_days: i64,
    /// Per state (flow order), per date.
    pub counts: Vec<Vec<usize>>,
}

/// Moves from a state back to an earlier one.
#[derive(Debug, Clone, Serialize)]
pub struct Rework {
    pub from: String,
    pub to: String,
    pub count: usize,
    /// Visits to `from`.
    pub visits_from: usize,
    /// `count / visits_from`.
    pub share: f64,
}

/// One item's journey in figures.
#[derive(Debug, Clone, Serialize)]
pub struct ItemMap {
    pub id: String,
    pub title: String,
    pub work_type: String,
    /// The line it was read from.
    pub line: u64,
    pub first_state: String,
    pub arrived: String,
    /// When it entered done (its last state), if finished.
    pub done: Option<String>,
    /// Its state now (at the end of the history).
    pub state: String,
    pub lead_time: Option<f64>,
    pub cycle_time: Option<f64>,
    /// Time in work and in wait states (until the end of the history when unfinished).
    pub work: f64,
    pub wait: f64,
    pub flow_efficiency: Option<f64>,
    /// Unfinished: time since it arrived, and since it entered its current state.
    pub age: Option<f64>,
    pub age_in_state: Option<f64>,
    pub visits: usize,
    pub moved_backwards: bool,
    pub skipped: bool,
}

/// A row left out.
#[derive(Debug, Clone, Serialize)]
pub struct DroppedRow {
    pub line: u64,
    pub id: String,
    pub reason: String,
}

/// The figures of a history.
pub fn analyse(h: &History) -> StreamMap {
    let n_states = h.states.len();
    let done_state = h.done_state();
    let end = h.end();
    // Work states; time in the done state (before a reopening) is waiting.
    let work: Vec<bool> = h
        .states
        .iter()
        .enumerate()
        .map(|(i, s)| s.kind == Kind::Work && i != done_state)
        .collect();

    let mut visits = vec![0usize; n_states];
    let mut entered = vec![0usize; n_states];
    let mut per_visit: Vec<Vec<f64>> = vec![Vec::new(); n_states];
    let mut per_item: Vec<Vec<f64>> = vec![Vec::new(); n_states];
    let mut finished_in = vec![0.0f64; n_states];
    let mut now = vec![0usize; n_states];
    let mut back: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut leads = Vec::new();
    let mut cycles = Vec::new();
    let mut efficiencies = Vec::new();
    let (mut work_sum, mut lead_sum) = (0.0, 0.0);
    let mut items = Vec::with_capacity(h.items.len());
    let mut counts = Counts {
        items_read: h.items.len() + h.abandoned as usize,
        items: h.items.len(),
        finished: 0,
        in_progress: 0,
        abandoned: h.abandoned,
        rows_dropped: h.dropped.len(),
        measured: 0,
        first_seen_done: 0,
        first_seen_later: 0,
        moved_backwards: 0,
        skipped_a_state: 0,
    };

    for item in &h.items {
        let e = &item.entries;
        let done = h.done(item);
        let mut in_state = vec![0.0f64; n_states];
        let mut seen = vec![false; n_states];
        let (mut w, mut q) = (0.0, 0.0);
        for (k, x) in e.iter().enumerate() {
            visits[x.state] += 1;
            seen[x.state] = true;
            if k > 0 && x.state < e[k - 1].state {
                *back.entry((e[k - 1].state, x.state)).or_insert(0) += 1;
            }
            let last = k + 1 == e.len();
            if last && done.is_some() {
                break;
            }
            let until = e.get(k + 1).map_or(end, |n| n.t);
            let d = (until - x.t).max(0.0);
            in_state[x.state] += d;
            if work[x.state] {
                w += d;
            } else {
                q += d;
            }
            if !last {
                per_visit[x.state].push(d);
            }
        }
        for s in 0..n_states {
            entered[s] += usize::from(seen[s]);
        }
        let current = e.last().map_or(0, |x| x.state);
        now[current] += 1;
        counts.moved_backwards += usize::from(item.moved_backwards);
        counts.skipped_a_state += usize::from(item.skipped);
        counts.first_seen_later += usize::from(e[0].state != h.arrival_state());
        let arrived = h.arrived(item);
        let mut row = ItemMap {
            id: item.id.clone(),
            title: item.title.clone(),
            work_type: item.work_type.clone(),
            line: item.line,
            first_state: h.states[e[0].state].name.clone(),
            arrived: iso(e[0].at),
            done: None,
            state: h.states[current].name.clone(),
            lead_time: None,
            cycle_time: None,
            work: w,
            wait: q,
            flow_efficiency: None,
            age: None,
            age_in_state: None,
            visits: e.len(),
            moved_backwards: item.moved_backwards,
            skipped: item.skipped,
        };
        match done {
            Some(t_done) => {
                counts.finished += 1;
                row.done = e.last().map(|x| iso(x.at));
                if e.len() == 1 {
                    counts.first_seen_done += 1;
                } else {
                    counts.measured += 1;
                    let lead = (t_done - arrived).max(0.0);
                    row.lead_time = Some(lead);
                    leads.push(lead);
                    lead_sum += lead;
                    work_sum += w;
                    for s in 0..n_states {
                        finished_in[s] += in_state[s];
                        if seen[s] && s != done_state {
                            per_item[s].push(in_state[s]);
                        }
                    }
                    if let Some(start) = e.iter().find(|x| work[x.state]) {
                        let c = (t_done - start.t).max(0.0);
                        row.cycle_time = Some(c);
                        cycles.push(c);
                    }
                    if lead > 0.0 {
                        let f = (w / lead).clamp(0.0, 1.0);
                        row.flow_efficiency = Some(f);
                        efficiencies.push(f);
                    }
                }
            }
            None => {
                counts.in_progress += 1;
                row.age = Some((end - arrived).max(0.0));
                row.age_in_state = e.last().map(|x| (end - x.t).max(0.0));
            }
        }
        items.push(row);
    }

    let measured = counts.measured;
    let states: Vec<StateMap> = h
        .states
        .iter()
        .enumerate()
        .map(|(s, st)| StateMap {
            name: st.name.clone(),
            kind: if s == done_state { Kind::Wait } else { st.kind },
            done: s == done_state,
            items_entered: entered[s],
            visits: visits[s],
            time_per_visit: percentiles(std::mem::take(&mut per_visit[s])),
            time_per_item: percentiles(std::mem::take(&mut per_item[s])),
            mean_per_finished_item: if measured > 0 {
                finished_in[s] / measured as f64
            } else {
                0.0
            },
            share_of_lead_time: (lead_sum > 0.0).then(|| finished_in[s] / lead_sum),
            items_now: now[s],
        })
        .collect();

    let mut rework: Vec<Rework> = back
        .into_iter()
        .map(|((from, to), count)| Rework {
            from: h.states[from].name.clone(),
            to: h.states[to].name.clone(),
            count,
            visits_from: visits[from],
            share: count as f64 / visits[from].max(1) as f64,
        })
        .collect();
    rework.sort_by_key(|r| std::cmp::Reverse(r.count));

    let flow_efficiency = percentiles(efficiencies.clone()).map(|per_item| FlowEfficiency {
        overall: if lead_sum > 0.0 {
            work_sum / lead_sum
        } else {
            0.0
        },
        mean_of_items: per_item.mean,
        per_item,
        work_days: work_sum,
        lead_days: lead_sum,
    });

    let (first, last) = span(h);
    let weeks = weeks(h, first, last);
    let first_done = weeks.iter().position(|w| w.finished > 0);
    let throughput_weeks = first_done.map_or(0, |k| weeks.len() - k);
    let rates = Rates {
        weeks: weeks.len(),
        arrivals_per_week: h.items.len() as f64 / weeks.len().max(1) as f64,
        throughput_weeks,
        throughput_from: first_done.map(|k| weeks[k].start.clone()),
        throughput_per_week: counts.finished as f64 / throughput_weeks.max(1) as f64,
        mean_wip: weeks.iter().map(|w| w.wip as f64).sum::<f64>() / weeks.len().max(1) as f64,
        wip_at_end: counts.in_progress,
    };
    let cfd = cfd(h, first.date(), last.date());
    let calendar = CalendarUsed {
        working_days: crate::calendar::DAY_NAMES
            .iter()
            .zip(h.calendar.working_weekdays())
            .filter(|(_, w)| *w)
            .map(|(d, _)| d.to_string())
            .collect(),
        holidays: h
            .calendar
            .holidays()
            .iter()
            .map(|d| d.to_string())
            .collect(),
        origin: h.origin().to_string(),
    };
    let period = Period {
        first: iso(first),
        last: iso(last),
        calendar_days: days_between(first.date(), last.date()),
        working_days: end,
    };
    let lead_time = percentiles(leads);
    let cycle_time = percentiles(cycles);
    let mut map = StreamMap {
        flowsim_version: env!("CARGO_PKG_VERSION").to_string(),
        file: h.file.clone(),
        layout: match h.layout {
            super::mapping::Layout::Wide => "wide",
            super::mapping::Layout::Long => "long",
        }
        .to_string(),
        time_unit: "working days".into(),
        calendar,
        period,
        counts,
        states,
        lead_time,
        cycle_time,
        flow_efficiency,
        rates,
        weeks,
        cfd,
        rework,
        items,
        dropped: h
            .dropped
            .iter()
            .map(|d| DroppedRow {
                line: d.line,
                id: d.id.clone(),
                reason: d.reason.clone(),
            })
            .collect(),
        warnings: Vec::new(),
    };
    map.warnings = warnings(&map, h);
    map
}

/// Percentiles of a set of times (`None` when empty).
pub fn percentiles(mut v: Vec<f64>) -> Option<Percentiles> {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let h = p * (v.len() - 1) as f64;
        let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
        v[lo] + (v[hi] - v[lo]) * (h - lo as f64)
    };
    Some(Percentiles {
        count: v.len(),
        p50: q(0.5),
        p70: q(0.7),
        p85: q(0.85),
        p95: q(0.95),
        mean: v.iter().sum::<f64>() / v.len() as f64,
        min: v[0],
        max: v[v.len() - 1],
    })
}

/// A timestamp as ISO text: the date alone at midnight.
pub fn iso(t: DateTime) -> String {
    if t.time() == jiff::civil::Time::midnight() {
        t.date().to_string()
    } else {
        t.strftime("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

/// Days from `a` to `b`.
fn days_between(a: Date, b: Date) -> i64 {
    a.until(b).map_or(0, |s| i64::from(s.get_days()))
}

/// The first and last timestamps.
fn span(h: &History) -> (DateTime, DateTime) {
    let mut all = h.items.iter().flat_map(|i| i.entries.iter().map(|e| e.at));
    let first = all.next().expect("a history has entries");
    all.fold((first, first), |(a, b), t| (a.min(t), b.max(t)))
}

/// Items in each state just before each instant (increasing), counting every entry before it.
fn states_at(h: &History, instants: &[DateTime]) -> Vec<Vec<usize>> {
    let mut events: Vec<(DateTime, usize, usize)> = h
        .items
        .iter()
        .enumerate()
        .flat_map(|(i, item)| item.entries.iter().map(move |e| (e.at, i, e.state)))
        .collect();
    events.sort_by_key(|e| e.0);
    let mut current: Vec<Option<usize>> = vec![None; h.items.len()];
    let mut count = vec![0usize; h.states.len()];
    let mut out = vec![Vec::with_capacity(instants.len()); h.states.len()];
    let mut next = 0;
    for &at in instants {
        while next < events.len() && events[next].0 < at {
            let (_, i, s) = events[next];
            if let Some(old) = current[i] {
                count[old] -= 1;
            }
            count[s] += 1;
            current[i] = Some(s);
            next += 1;
        }
        for (s, c) in count.iter().enumerate() {
            out[s].push(*c);
        }
    }
    out
}

/// Midnight at the start of the day after `d` (the end of `d`).
fn end_of(d: Date) -> DateTime {
    d.tomorrow()
        .unwrap_or(d)
        .to_datetime(jiff::civil::Time::midnight())
}

/// Calendar weeks from the Monday on or before the first timestamp to the week of the last.
fn weeks(h: &History, first: DateTime, last: DateTime) -> Vec<Week> {
    let monday = |d: Date| {
        d.checked_sub(jiff::Span::new().days(i64::from(d.weekday().to_monday_zero_offset())))
            .unwrap_or(d)
    };
    let start = monday(first.date());
    let n = (days_between(start, last.date()) / 7 + 1).max(1) as usize;
    let index = |d: Date| (days_between(start, d).max(0) / 7) as usize;
    let mut arrived = vec![0usize; n];
    let mut finished = vec![0usize; n];
    for item in &h.items {
        arrived[index(item.entries[0].at.date()).min(n - 1)] += 1;
        if h.done(item).is_some() {
            let at = item.entries.last().expect("entries").at;
            finished[index(at.date()).min(n - 1)] += 1;
        }
    }
    let mondays: Vec<Date> = (0..n)
        .map(|k| {
            start
                .checked_add(jiff::Span::new().days(7 * k as i64))
                .unwrap_or(start)
        })
        .collect();
    let ends: Vec<DateTime> = mondays
        .iter()
        .map(|m| {
            m.checked_add(jiff::Span::new().days(7))
                .unwrap_or(*m)
                .to_datetime(jiff::civil::Time::midnight())
        })
        .collect();
    let at_end = states_at(h, &ends);
    let done = h.done_state();
    (0..n)
        .map(|k| Week {
            start: mondays[k].to_string(),
            arrived: arrived[k],
            finished: finished[k],
            wip: at_end
                .iter()
                .enumerate()
                .filter(|(s, _)| *s != done)
                .map(|(_, c)| c[k])
                .sum(),
        })
        .collect()
}

/// The cumulative flow: items in each state at the end of every `step` days from the first date
/// to the last (at most [`MAX_SAMPLES`] dates).
fn cfd(h: &History, first: Date, last: Date) -> Cfd {
    let span = days_between(first, last);
    let step = (span / MAX_SAMPLES + 1).max(1);
    let mut dates = Vec::new();
    let mut d = 0;
    loop {
        let day = first
            .checked_add(jiff::Span::new().days(d.min(span)))
            .unwrap_or(last);
        dates.push(day);
        if d >= span {
            break;
        }
        d += step;
    }
    let ends: Vec<DateTime> = dates.iter().map(|d| end_of(*d)).collect();
    Cfd {
        counts: states_at(h, &ends),
        dates: dates.iter().map(|d| d.to_string()).collect(),
        step_days: step,
    }
}

/// What to keep in mind when reading the figures.
fn warnings(m: &StreamMap, h: &History) -> Vec<String> {
    let mut w = Vec::new();
    let kinds: Vec<Kind> = m
        .states
        .iter()
        .filter(|s| !s.done)
        .map(|s| s.kind)
        .collect();
    if !kinds.is_empty() && kinds.iter().all(|k| *k == Kind::Work) {
        w.push("every state before done is a work state, so flow efficiency is 100% by definition; name the waiting states with --wait or `kind = \"wait\"` in a mapping file".into());
    } else if !kinds.contains(&Kind::Work) {
        w.push("no state is a work state, so flow efficiency is 0% by definition; name the working states with --work or `kind = \"work\"` in a mapping file".into());
    }
    if m.counts.finished == 0 {
        w.push(format!(
            "no item reached the done state `{}`, so there are no lead times; is it the right last state?",
            h.states[h.done_state()].name
        ));
    } else if m.counts.measured == 0 {
        w.push("no finished item has a lead time (each was first seen already done), so there are no lead times".into());
    } else if m.counts.measured < FEW {
        w.push(format!(
            "only {} finished {} with a lead time: the percentiles are rough",
            m.counts.measured,
            if m.counts.measured == 1 {
                "item"
            } else {
                "items"
            }
        ));
    }
    if m.counts.first_seen_done > 0 {
        w.push(format!(
            "{} of the {} finished items were first seen already done; they count in throughput but have no lead time",
            m.counts.first_seen_done, m.counts.finished
        ));
    }
    // A span of centuries: a placeholder date (1900-01-01, 9999-12-31) somewhere.
    if m.period.calendar_days > 100 * 366 {
        let entries = || {
            h.items
                .iter()
                .flat_map(|i| i.entries.iter().map(move |e| (e.at, i)))
        };
        let at = |(t, i): (DateTime, &super::Item)| {
            format!("{} (item {}, line {})", iso(t), i.id, i.line)
        };
        if let (Some(a), Some(b)) = (entries().min_by_key(|e| e.0), entries().max_by_key(|e| e.0)) {
            w.push(format!(
                "the history spans {} years, from {} to {}: is one of them a placeholder date? Every week in between is in weeks.csv and the charts",
                crate::numbers::thousands((m.period.calendar_days / 365) as u64),
                at(a),
                at(b)
            ));
        }
    }
    // Many items done on one day: a bulk change of state rather than flow.
    let mut per_day: BTreeMap<Date, usize> = BTreeMap::new();
    for item in &h.items {
        if h.done(item).is_some() {
            *per_day
                .entry(item.entries.last().expect("entries").at.date())
                .or_insert(0) += 1;
        }
    }
    if let Some((day, n)) = per_day
        .iter()
        .max_by_key(|(d, n)| (**n, std::cmp::Reverse(**d)))
    {
        if *n >= 10 && *n * 20 >= m.counts.finished {
            w.push(format!(
                "{n} items were done on {day} alone: a bulk change of state rather than flow? It shows as a spike in throughput and a cluster in the lead-time scatterplot"
            ));
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{from_sheet, mapping};
    use crate::sheet::Sheet;

    /// Three items on a Monday-to-Friday calendar from Monday 2027-01-04 (working day 0). A and
    /// B finish, B going back from Review to Doing once; C is still in Doing at the end (A's
    /// done, Monday 11th: working day 5).
    const TEXT: &str = "\
id,state,at
A,Backlog,2027-01-04
A,Doing,2027-01-05
A,Waiting for review,2027-01-07
A,Review,2027-01-08
A,Done,2027-01-11
B,Backlog,2027-01-04
B,Doing,2027-01-04T12:00:00
B,Waiting for review,2027-01-05
B,Review,2027-01-06
B,Doing,2027-01-06T12:00:00
B,Waiting for review,2027-01-07
B,Review,2027-01-07T12:00:00
B,Done,2027-01-08
C,Backlog,2027-01-05
C,Doing,2027-01-06
";

    const MAPPING: &str = r#"
[[states]]
name = "Backlog"
[[states]]
name = "Doing"
kind = "work"
[[states]]
name = "Waiting for review"
[[states]]
name = "Review"
kind = "work"
[[states]]
name = "Done"
"#;

    fn map_of(text: &str, mapping: &str) -> StreamMap {
        let m = mapping::parse(mapping, "m.toml").unwrap();
        let sheet = Sheet::parse(text.as_bytes(), "h.csv".into()).unwrap();
        analyse(&from_sheet(&sheet, &m).unwrap())
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    fn state<'a>(m: &'a StreamMap, name: &str) -> &'a StateMap {
        m.states.iter().find(|s| s.name == name).unwrap()
    }

    #[test]
    fn times_per_state_lead_and_cycle_times() {
        let m = map_of(TEXT, MAPPING);
        assert_eq!(m.counts.items, 3);
        assert_eq!((m.counts.finished, m.counts.in_progress), (2, 1));
        assert_eq!(m.counts.moved_backwards, 1);
        assert_eq!(m.time_unit, "working days");
        // A: 0 to 5; B: 0 to 4.
        let l = m.lead_time.unwrap();
        assert_eq!((l.count, l.min, l.max), (2, 4.0, 5.0));
        assert!(close(l.p50, 4.5) && close(l.p85, 4.85) && close(l.mean, 4.5));
        // From the first work state (Doing): A 1 to 5, B 0.5 to 4.
        let c = m.cycle_time.unwrap();
        assert!(close(c.min, 3.5) && close(c.max, 4.0) && close(c.mean, 3.75));

        let backlog = state(&m, "Backlog");
        assert_eq!((backlog.items_entered, backlog.visits), (3, 3));
        assert_eq!(backlog.kind, Kind::Wait);
        // Visits that ended: A 1, B 0.5, C 1; per finished item: A 1, B 0.5.
        let v = backlog.time_per_visit.unwrap();
        assert_eq!((v.count, v.min, v.max), (3, 0.5, 1.0));
        let i = backlog.time_per_item.unwrap();
        assert_eq!((i.count, i.min, i.max), (2, 0.5, 1.0));
        let doing = state(&m, "Doing");
        // Four visits (B twice); C's is still going, so three ended: A 2, B 0.5 and 0.5.
        assert_eq!((doing.items_entered, doing.visits), (3, 4));
        let v = doing.time_per_visit.unwrap();
        assert_eq!((v.count, v.min, v.max), (3, 0.5, 2.0));
        // All visits per finished item: A 2, B 1.
        let i = doing.time_per_item.unwrap();
        assert_eq!((i.min, i.max), (1.0, 2.0));
        assert_eq!(doing.items_now, 1);
        // Shares of the 9 days of lead time: Backlog 1.5, Doing 3, Waiting 2.5, Review 2.
        let shares: Vec<f64> = m
            .states
            .iter()
            .map(|s| s.share_of_lead_time.unwrap())
            .collect();
        for (got, want) in shares.iter().zip([1.5, 3.0, 2.5, 2.0, 0.0]) {
            assert!(close(*got, want / 9.0), "{shares:?}");
        }
        // The means per finished item add up to the mean lead time.
        let sum: f64 = m.states.iter().map(|s| s.mean_per_finished_item).sum();
        assert!(close(sum, 4.5));
        let done = state(&m, "Done");
        assert!(done.done && done.time_per_item.is_none() && done.items_now == 2);

        let c = m.items.iter().find(|i| i.id == "C").unwrap();
        assert_eq!((c.age, c.age_in_state), (Some(4.0), Some(3.0)));
        assert_eq!(c.state, "Doing");
        assert_eq!((c.work, c.wait), (3.0, 1.0));
        let b = m.items.iter().find(|i| i.id == "B").unwrap();
        assert_eq!(b.done.as_deref(), Some("2027-01-08"));
        assert_eq!(b.visits, 8);
        assert!(b.moved_backwards);
    }

    #[test]
    fn flow_efficiency_per_item_and_overall() {
        let m = map_of(TEXT, MAPPING);
        let f = m.flow_efficiency.unwrap();
        // A: 3 of 5 days worked (Doing 2, Review 1); B: 2 of 4 (Doing 1, Review 1).
        assert!(close(f.overall, 5.0 / 9.0), "{}", f.overall);
        assert!(close(f.mean_of_items, 0.55));
        assert_eq!((f.per_item.min, f.per_item.max), (0.5, 0.6));
        assert!(close(f.work_days, 5.0) && close(f.lead_days, 9.0));
        let a = m.items.iter().find(|i| i.id == "A").unwrap();
        assert_eq!(a.flow_efficiency, Some(0.6));
    }

    #[test]
    fn rework_rates() {
        let m = map_of(TEXT, MAPPING);
        assert_eq!(m.rework.len(), 1);
        let r = &m.rework[0];
        assert_eq!((r.from.as_str(), r.to.as_str()), ("Review", "Doing"));
        // One of the three visits to Review went back.
        assert_eq!((r.count, r.visits_from), (1, 3));
        assert!(close(r.share, 1.0 / 3.0));
    }

    #[test]
    fn throughput_and_wip_per_week() {
        let m = map_of(TEXT, MAPPING);
        let w: Vec<(&str, usize, usize, usize)> = m
            .weeks
            .iter()
            .map(|w| (w.start.as_str(), w.arrived, w.finished, w.wip))
            .collect();
        // Week 1: A, B and C arrive, B is done; A and C are in progress at its end. Week 2: A is
        // done on Monday.
        assert_eq!(w, [("2027-01-04", 3, 1, 2), ("2027-01-11", 0, 1, 1)]);
        assert_eq!(m.rates.weeks, 2);
        assert_eq!(m.rates.throughput_weeks, 2);
        assert_eq!(m.rates.throughput_from.as_deref(), Some("2027-01-04"));
        assert!(close(m.rates.throughput_per_week, 1.0));
        assert!(close(m.rates.arrivals_per_week, 1.5));
        assert!(close(m.rates.mean_wip, 1.5));
        assert_eq!(m.period.first, "2027-01-04");
        assert_eq!(m.period.last, "2027-01-11");
        assert_eq!(m.period.working_days, 5.0);
        assert_eq!(m.calendar.working_days, ["mon", "tue", "wed", "thu", "fri"]);
    }

    #[test]
    fn the_cumulative_flow_conserves_items() {
        let m = map_of(TEXT, MAPPING);
        assert_eq!(m.cfd.dates.len(), 8, "Monday to Monday, daily");
        assert_eq!(m.cfd.step_days, 1);
        let total = |j: usize| m.cfd.counts.iter().map(|c| c[j]).sum::<usize>();
        // Arrived by the end of each day: A and B on the 4th, C on the 5th.
        let arrived: Vec<usize> = (0..8).map(total).collect();
        assert_eq!(arrived, [2, 3, 3, 3, 3, 3, 3, 3]);
        // End of Monday 4th: A in Backlog, B in Doing (since noon).
        let first: Vec<usize> = m.cfd.counts.iter().map(|c| c[0]).collect();
        assert_eq!(first, [1, 1, 0, 0, 0]);
        // End of Friday 8th: A in Review, B done, C in Doing.
        let friday: Vec<usize> = m.cfd.counts.iter().map(|c| c[4]).collect();
        assert_eq!(friday, [0, 1, 0, 1, 1]);
        let last: Vec<usize> = m.cfd.counts.iter().map(|c| c[7]).collect();
        assert_eq!(last, [0, 1, 0, 0, 2]);
    }

    #[test]
    fn odd_histories_give_figures_and_warnings_not_panics() {
        // One item, done the moment it is first seen; one never finished.
        let m = map_of(
            "id,state,at\nX,Done,2027-01-04\nY,Backlog,2027-01-04\n",
            "[[states]]\nname = \"Backlog\"\n[[states]]\nname = \"Done\"\n",
        );
        assert_eq!((m.counts.finished, m.counts.first_seen_done), (1, 1));
        assert!(m.lead_time.is_none() && m.flow_efficiency.is_none());
        assert!(
            m.warnings
                .iter()
                .any(|w| w.contains("first seen already done"))
        );
        assert!(
            m.warnings
                .iter()
                .any(|w| w.contains("no state is a work state"))
        );
        assert_eq!(m.weeks.len(), 1);
        assert_eq!(m.cfd.dates.len(), 1);
        // Every state work: flow efficiency 100% by definition, said so.
        let m = map_of(
            "id,start,end\n1,2027-01-04,2027-01-05\n",
            "[[states]]\nname = \"start\"\nkind = \"work\"\n[[states]]\nname = \"end\"\n",
        );
        assert_eq!(m.flow_efficiency.unwrap().overall, 1.0);
        assert!(m.warnings.iter().any(|w| w.contains("100% by definition")));
        assert!(
            m.warnings
                .iter()
                .any(|w| w.contains("only 1 finished item"))
        );
        // A placeholder date: said, with the item and its line.
        let m = map_of(
            "id,start,end\n1,1900-01-01,2027-01-05\n2,2027-01-04,2027-01-05\n",
            "[[states]]\nname = \"start\"\n[[states]]\nname = \"end\"\n",
        );
        let placeholder = "spans 127 years, from 1900-01-01 (item 1, line 2)";
        assert!(
            m.warnings.iter().any(|w| w.contains(placeholder)),
            "{:?}",
            m.warnings
        );
    }

    #[test]
    fn long_histories_are_sampled_every_few_days() {
        // Twenty years: the cumulative flow stays small.
        let m = map_of(
            "id,state,at\n1,Open,2000-01-03\n1,Closed,2020-01-06\n2,Open,2010-06-01\n",
            "",
        );
        assert!(
            m.cfd.dates.len() <= MAX_SAMPLES as usize + 2,
            "{}",
            m.cfd.dates.len()
        );
        assert_eq!(m.cfd.dates.last().unwrap(), "2020-01-06");
        assert_eq!(m.weeks.len(), 1045);
        let last: usize = m.cfd.counts.iter().map(|c| c[c.len() - 1]).sum();
        assert_eq!(last, 2);
    }
}
