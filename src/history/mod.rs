//! Item histories: when each work item entered each workflow state, read from a tracker export.
//!
//! [`load`] reads a CSV in either layout Kanban analytics tools import: **wide** (one row per
//! item, a column per state holding when the item first entered it: `id, title, type, Backlog,
//! Analysis, ..., Done`) or **long** (one row per state entered: `id, state, entered_at`), as a
//! [`mapping::Mapping`] says or the defaults guess. Items that skip a state, move backwards
//! (rework), are still in progress or were abandoned are kept and counted; rows that cannot be
//! used (a cell that is not a date, an unmapped state, a duplicate id) are dropped, each with its
//! line and reason, and the load fails only when nothing usable is left.
//!
//! Times are kept as read and as working time ([`Entry::t`], working days since the Monday
//! before the first timestamp, on the mapping's calendar), the clock simulated scenarios run on.

pub mod map;
pub mod mapping;

use crate::calendar::Calendar;
use crate::scenario::TimeUnit;
use crate::sheet::{Row, Sheet, normalize};
use jiff::civil::{Date, DateTime};
use mapping::{Kind, Layout, Mapping, default_kind};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A workflow state.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub name: String,
    pub kind: Kind,
}

/// An item entering a state.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Index into [`History::states`].
    pub state: usize,
    /// As read from the file.
    pub at: DateTime,
    /// Working days since [`History::origin`].
    pub t: f64,
}

/// One work item and its journey, entries in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub title: String,
    pub work_type: String,
    pub entries: Vec<Entry>,
    /// The line of the file it was read from (its first row in the long layout).
    pub line: u64,
    /// It went back to an earlier state at least once.
    pub moved_backwards: bool,
    /// It skipped a state between its first and its last.
    pub skipped: bool,
}

/// A row left out, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Dropped {
    pub line: u64,
    pub id: String,
    pub reason: String,
}

/// A history of items through a workflow.
#[derive(Debug, Clone)]
pub struct History {
    pub file: String,
    pub layout: Layout,
    /// In flow order: the first is where items arrive, the last is done.
    pub states: Vec<State>,
    /// In order of arrival (first entry).
    pub items: Vec<Item>,
    pub dropped: Vec<Dropped>,
    /// Items that ended in an abandoned state, left out.
    pub abandoned: u64,
    /// The working calendar, starting at [`History::origin`].
    pub calendar: Calendar,
}

/// Why a history cannot be read: the whole message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct HistoryError(pub String);

/// Columns tried for the item id, in order, when the mapping names none.
const ID_COLUMNS: [&str; 8] = [
    "id",
    "key",
    "issue_key",
    "item",
    "item_id",
    "kep_id",
    "pep",
    "number",
];
const TITLE_COLUMNS: [&str; 4] = ["title", "summary", "name", "description"];
const TYPE_COLUMNS: [&str; 6] = [
    "type",
    "issue_type",
    "work_type",
    "entity_type",
    "kind",
    "class",
];
const STATE_COLUMNS: [&str; 5] = ["state", "status", "to_state", "to_status", "to"];
const ENTERED_COLUMNS: [&str; 9] = [
    "entered_at",
    "entered",
    "timestamp",
    "timestamp_utc",
    "changed_at",
    "date",
    "time",
    "at",
    "created",
];

impl History {
    /// The first day of the working clock (a Monday).
    pub fn origin(&self) -> Date {
        self.calendar.start()
    }

    /// The state items arrive in.
    pub fn arrival_state(&self) -> usize {
        0
    }

    /// The done state.
    pub fn done_state(&self) -> usize {
        self.states.len() - 1
    }

    /// When the item arrived (its first entry), in working days.
    pub fn arrived(&self, item: &Item) -> f64 {
        item.entries[0].t
    }

    /// When the item was done, if its last entry is the done state.
    pub fn done(&self, item: &Item) -> Option<f64> {
        item.entries
            .last()
            .filter(|e| e.state == self.done_state())
            .map(|e| e.t)
    }

    /// The latest moment in the history, in working days (the "now" of unfinished items).
    pub fn end(&self) -> f64 {
        self.items
            .iter()
            .flat_map(|i| i.entries.iter().map(|e| e.t))
            .fold(0.0, f64::max)
    }

    /// Items finished, in progress.
    pub fn counts(&self) -> (usize, usize) {
        let done = self.items.iter().filter(|i| self.done(i).is_some()).count();
        (done, self.items.len() - done)
    }

    /// Time spent in each visit to a state: (item index, state, start, end), the last state of
    /// an unfinished item until [`History::end`].
    pub fn visits(&self) -> Vec<(usize, usize, f64, f64)> {
        let end = self.end();
        let done = self.done_state();
        let mut out = Vec::new();
        for (i, item) in self.items.iter().enumerate() {
            for (k, e) in item.entries.iter().enumerate() {
                if e.state == done && k + 1 == item.entries.len() {
                    break;
                }
                let until = item.entries.get(k + 1).map_or(end, |n| n.t);
                out.push((i, e.state, e.t, until));
            }
        }
        out
    }
}

/// An item as read: (id, title, type, line, entries as (state, when) in file order).
type Journey = (String, String, String, u64, Vec<(usize, DateTime)>);

/// Reads an item history as the mapping says (defaults for what it leaves open).
pub fn load(path: &Path, mapping: &Mapping) -> Result<History, HistoryError> {
    let sheet = Sheet::read(path).map_err(HistoryError)?;
    from_sheet(&sheet, mapping)
}

/// Reads an item history from a sheet already read.
pub fn from_sheet(sheet: &Sheet, mapping: &Mapping) -> Result<History, HistoryError> {
    let file = sheet.file.clone();
    if sheet.rows.is_empty() {
        return Err(HistoryError(format!(
            "{file} has no rows below its header: no item to read (its columns are {})",
            sheet.listed()
        )));
    }
    let optional = |given: &Option<String>, names: &[&str], what: &str| match given {
        Some(n) => sheet.column(n, what).map(Some).map_err(HistoryError),
        None => Ok(sheet.find(names)),
    };
    let id = match &mapping.id {
        Some(n) => sheet.column(n, "item ids").map_err(HistoryError)?,
        None => sheet.find(&ID_COLUMNS).unwrap_or(0),
    };
    let title = optional(&mapping.title, &TITLE_COLUMNS, "titles")?;
    let work_type = optional(&mapping.work_type, &TYPE_COLUMNS, "work types")?;
    let layout = mapping.layout.unwrap_or_else(|| {
        let has_state = match &mapping.state {
            Some(n) => sheet.position(n).is_some(),
            None => sheet.find(&STATE_COLUMNS).is_some(),
        };
        if has_state {
            Layout::Long
        } else {
            Layout::Wide
        }
    });
    let format = mapping.date_format.as_deref();
    let mut dropped = Vec::new();
    let id_of = |row: &Row| row.cell(id).to_string();
    let text_of = |row: &Row, col: Option<usize>| col.map_or("", |c| row.cell(c)).to_string();

    let mut journeys: Vec<Journey> = Vec::new();
    let mut abandoned_ids: Vec<bool> = Vec::new();
    let names: Vec<String>;
    match layout {
        Layout::Wide => {
            // Columns of abandoned states: `withdrawn` or `entered_withdrawn`.
            let is_abandoned = |name: &str| {
                mapping
                    .abandoned
                    .iter()
                    .any(|a| normalize(a) == normalize(name))
            };
            let abandoned_columns: Vec<usize> = mapping
                .abandoned
                .iter()
                .filter_map(|a| {
                    sheet
                        .position(a)
                        .or_else(|| sheet.position(&format!("entered_{}", a.trim())))
                })
                .collect();
            let columns: Vec<(String, usize)> = if mapping.states.is_empty() {
                let skip = [Some(id), title, work_type];
                let found: Vec<(String, usize)> = (0..sheet.headers.len())
                    .filter(|c| !skip.contains(&Some(*c)))
                    .filter(|c| mostly_dates(sheet, *c, format))
                    .map(|c| {
                        let h = &sheet.headers[c];
                        let name = h
                            .strip_prefix("entered_")
                            .filter(|n| !n.is_empty())
                            .unwrap_or(h);
                        (name.to_string(), c)
                    })
                    .filter(|(name, _)| !is_abandoned(name))
                    .collect();
                if found.len() < 2 {
                    return Err(HistoryError(format!(
                        "{file}: found {} column{} of dates ({}), but a history needs at least two states (when items arrived and when they were done). Its columns are {}. Name the states in a mapping file ([[states]] with `column`), or give the long layout (a row per state entered)",
                        found.len(),
                        if found.len() == 1 { "" } else { "s" },
                        found
                            .iter()
                            .map(|(n, _)| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        sheet.listed()
                    )));
                }
                found
            } else {
                mapping
                    .states
                    .iter()
                    .map(|s| {
                        let col = s.column.as_deref().unwrap_or(&s.name);
                        sheet
                            .column(col, &format!("state `{}`", s.name))
                            .map(|c| (s.name.clone(), c))
                            .map_err(HistoryError)
                    })
                    .collect::<Result<_, _>>()?
            };
            let mut seen: HashMap<String, u64> = HashMap::new();
            for row in &sheet.rows {
                let item = id_of(row);
                if item.is_empty() {
                    dropped.push(drop(
                        row,
                        &item,
                        format!("the id cell ({}) is empty", sheet.cell_name(id)),
                    ));
                    continue;
                }
                if let Some(first) = seen.get(&item) {
                    dropped.push(drop(
                        row,
                        &item,
                        format!("id `{item}` was already read on line {first}"),
                    ));
                    continue;
                }
                let mut entries = Vec::new();
                let mut bad = None;
                for (s, (_, c)) in columns.iter().enumerate() {
                    match sheet.time(row, *c, format) {
                        Ok(Some(t)) => entries.push((s, t)),
                        Ok(None) => {}
                        Err(e) => {
                            bad = Some(e);
                            break;
                        }
                    }
                }
                // The latest abandoned state, if any.
                let mut ended: Option<DateTime> = None;
                for c in &abandoned_columns {
                    match sheet.time(row, *c, format) {
                        Ok(t) => ended = ended.max(t),
                        Err(e) => bad = bad.or(Some(e)),
                    }
                }
                if let Some(e) = bad {
                    dropped.push(drop(row, &item, strip_location(&e, sheet, row)));
                    continue;
                }
                if entries.is_empty() && ended.is_none() {
                    dropped.push(drop(
                        row,
                        &item,
                        "every state cell is empty: the item entered no state".into(),
                    ));
                    continue;
                }
                let latest = entries.iter().map(|(_, at)| *at).max();
                seen.insert(item.clone(), row.row);
                journeys.push((
                    item,
                    text_of(row, title),
                    text_of(row, work_type),
                    row.row,
                    entries,
                ));
                abandoned_ids.push(ended.is_some_and(|a| latest.is_none_or(|l| a >= l)));
            }
            names = columns.into_iter().map(|(n, _)| n).collect();
        }
        Layout::Long => {
            let state_col = match &mapping.state {
                Some(n) => sheet.column(n, "the state entered").map_err(HistoryError)?,
                None => sheet.find(&STATE_COLUMNS).ok_or_else(|| {
                    HistoryError(format!(
                        "{file} has no column naming the state entered (none is named {}); its columns are {}. Name it with `state` in a mapping file",
                        quoted(&STATE_COLUMNS),
                        sheet.listed()
                    ))
                })?,
            };
            let entered_col = match &mapping.entered {
                Some(n) => sheet.column(n, "when the state was entered").map_err(HistoryError)?,
                None => sheet.find(&ENTERED_COLUMNS).ok_or_else(|| {
                    HistoryError(format!(
                        "{file} has no column saying when a state was entered (none is named {}); its columns are {}. Name it with `entered` in a mapping file",
                        quoted(&ENTERED_COLUMNS),
                        sheet.listed()
                    ))
                })?,
            };
            let abandoned: Vec<String> = mapping
                .abandoned
                .iter()
                .map(|a| a.trim().to_lowercase())
                .collect();
            // State values to state index.
            let mut lookup: HashMap<String, usize> = HashMap::new();
            let mut found: Vec<String> = Vec::new();
            for (i, s) in mapping.states.iter().enumerate() {
                if s.values.is_empty() {
                    lookup.insert(s.name.trim().to_lowercase(), i);
                }
                for v in &s.values {
                    lookup.insert(v.trim().to_lowercase(), i);
                }
                found.push(s.name.clone());
            }
            let fixed = !mapping.states.is_empty();
            let mut by_id: HashMap<String, usize> = HashMap::new();
            const ABANDONED: usize = usize::MAX;
            for row in &sheet.rows {
                let item = id_of(row);
                if item.is_empty() {
                    dropped.push(drop(
                        row,
                        &item,
                        format!("the id cell ({}) is empty", sheet.cell_name(id)),
                    ));
                    continue;
                }
                let value = row.cell(state_col);
                let key = value.to_lowercase();
                let state = if abandoned.contains(&key) {
                    ABANDONED
                } else if let Some(s) = lookup.get(&key) {
                    *s
                } else if value.is_empty() {
                    dropped.push(drop(
                        row,
                        &item,
                        format!("the state cell ({}) is empty", sheet.cell_name(state_col)),
                    ));
                    continue;
                } else if fixed {
                    dropped.push(drop(
                        row,
                        &item,
                        format!(
                            "state `{value}` is not one of the mapped states ({}) nor abandoned",
                            mapping
                                .states
                                .iter()
                                .map(|s| format!("`{}`", s.name))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                    continue;
                } else {
                    found.push(value.to_string());
                    lookup.insert(key, found.len() - 1);
                    found.len() - 1
                };
                let at = match sheet.time(row, entered_col, format) {
                    Ok(Some(t)) => t,
                    Ok(None) => {
                        dropped.push(drop(
                            row,
                            &item,
                            format!("the time cell ({}) is empty", sheet.cell_name(entered_col)),
                        ));
                        continue;
                    }
                    Err(e) => {
                        dropped.push(drop(row, &item, strip_location(&e, sheet, row)));
                        continue;
                    }
                };
                let j = *by_id.entry(item.clone()).or_insert_with(|| {
                    journeys.push((
                        item.clone(),
                        String::new(),
                        String::new(),
                        row.row,
                        Vec::new(),
                    ));
                    abandoned_ids.push(false);
                    journeys.len() - 1
                });
                let journey = &mut journeys[j];
                if journey.1.is_empty() {
                    journey.1 = text_of(row, title);
                }
                if journey.2.is_empty() {
                    journey.2 = text_of(row, work_type);
                }
                journey.4.push((state, at));
            }
            // An item whose last entry is abandoned did not deliver (unless it was done just
            // before: delivered, then retired or superseded); abandoned entries elsewhere are
            // pauses, their time counted in the state before.
            for (j, journey) in journeys.iter_mut().enumerate() {
                journey.4.sort_by_key(|(_, at)| *at);
                abandoned_ids[j] = journey.4.last().is_some_and(|(s, _)| *s == ABANDONED);
                journey.4.retain(|(s, _)| *s != ABANDONED);
            }
            names = if fixed {
                found.clone()
            } else {
                order_states(&found, &journeys)
            };
            if !fixed {
                // Renumber entries to the flow order.
                let rank: HashMap<&str, usize> = names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.as_str(), i))
                    .collect();
                let map: Vec<usize> = found.iter().map(|n| rank[n.as_str()]).collect();
                for journey in &mut journeys {
                    for e in &mut journey.4 {
                        e.0 = map[e.0];
                    }
                }
            }
        }
    }

    // Delivered, then abandoned: still delivered.
    let last_state = names.len().saturating_sub(1);
    for (j, a) in abandoned_ids.iter_mut().enumerate() {
        let latest = journeys[j].4.iter().max_by_key(|(s, at)| (*at, *s));
        if *a && latest.is_some_and(|(s, _)| *s == last_state) {
            *a = false;
        }
    }
    let abandoned = abandoned_ids.iter().filter(|a| **a).count() as u64;
    let kept: Vec<Journey> = journeys
        .into_iter()
        .zip(&abandoned_ids)
        .filter(|(j, a)| !**a && !j.4.is_empty())
        .map(|(j, _)| j)
        .collect();
    if kept.is_empty() {
        let why = dropped
            .iter()
            .take(3)
            .map(|d| format!("\n  line {}: {}", d.line, d.reason))
            .collect::<String>();
        return Err(HistoryError(format!(
            "{file} holds no usable item ({} rows dropped, {abandoned} items abandoned){why}",
            dropped.len()
        )));
    }
    let states: Vec<State> = names
        .iter()
        .map(|n| State {
            name: n.clone(),
            kind: kind_of(n, mapping),
        })
        .collect();
    let first = kept
        .iter()
        .flat_map(|j| j.4.iter().map(|(_, at)| at.date()))
        .min()
        .expect("items have entries");
    let back = i64::from(first.weekday().to_monday_zero_offset());
    let origin = first
        .checked_sub(jiff::Span::new().days(back))
        .unwrap_or(first);
    let mut working = [true, true, true, true, true, false, false];
    if let Some(w) = mapping.working_days {
        working = w;
    }
    let calendar = Calendar::new(
        origin,
        working,
        mapping.holidays.clone(),
        TimeUnit::Days,
        8.0,
    )
    .map_err(|e| HistoryError(e.0))?;
    let done = states.len() - 1;
    let mut items: Vec<Item> = kept
        .into_iter()
        .map(|(id, title, work_type, line, mut raw)| {
            // Time order; the flow order among entries at the same moment.
            raw.sort_by_key(|(s, at)| (*at, *s));
            raw.dedup_by(|b, a| a.0 == b.0);
            let entries: Vec<Entry> = raw
                .iter()
                .map(|(s, at)| Entry {
                    state: *s,
                    at: *at,
                    t: calendar.working_days_at(*at),
                })
                .collect();
            let moved_backwards = entries.windows(2).any(|w| w[1].state < w[0].state);
            let (lo, hi) = (
                entries[0].state,
                entries.iter().map(|e| e.state).max().unwrap_or(0),
            );
            let mut entered = vec![false; done + 1];
            for e in &entries {
                entered[e.state] = true;
            }
            let skipped = (lo..=hi).any(|s| !entered[s]);
            Item {
                id,
                title,
                work_type,
                entries,
                line,
                moved_backwards,
                skipped,
            }
        })
        .collect();
    items.sort_by(|a, b| a.entries[0].t.total_cmp(&b.entries[0].t));
    dropped.sort_by_key(|d| d.line);
    Ok(History {
        file,
        layout,
        states,
        items,
        dropped,
        abandoned,
        calendar,
    })
}

fn drop(row: &Row, id: &str, reason: String) -> Dropped {
    Dropped {
        line: row.row,
        id: id.to_string(),
        reason,
    }
}

/// A cell error without its leading `file, line N, ` (the dropped row keeps its line).
fn strip_location(e: &str, sheet: &Sheet, row: &Row) -> String {
    let at = format!("{}, ", sheet.location(row));
    e.strip_prefix(&at).unwrap_or(e).to_string()
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether most (two in three) non-empty cells of a column (of the first 200 rows) read as
/// dates, and at least one does.
fn mostly_dates(sheet: &Sheet, c: usize, format: Option<&str>) -> bool {
    let (mut yes, mut no) = (0, 0);
    for row in sheet.rows.iter().take(200) {
        let text = row.cell(c);
        if text.is_empty() {
            continue;
        }
        if crate::sheet::parse_time(text, format).is_ok() {
            yes += 1;
        } else {
            no += 1;
        }
    }
    yes > 0 && no * 2 <= yes
}

/// The kind of a state: as the mapping says, else by its name.
fn kind_of(name: &str, mapping: &Mapping) -> Kind {
    let n = normalize(name);
    if let Some(k) = mapping
        .states
        .iter()
        .find(|s| normalize(&s.name) == n)
        .and_then(|s| s.kind)
    {
        return k;
    }
    if mapping.work.iter().any(|w| normalize(w) == n) {
        Kind::Work
    } else if mapping.wait.iter().any(|w| normalize(w) == n) {
        Kind::Wait
    } else {
        default_kind(name)
    }
}

/// States found in a long history, in flow order: by the mean position of their first entry in
/// each item's journey (0 first, 1 last), ties by first appearance in the file.
fn order_states(found: &[String], journeys: &[Journey]) -> Vec<String> {
    let mut sum: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
    for j in journeys {
        let mut seq: Vec<usize> = Vec::new();
        for (s, _) in &j.4 {
            if !seq.contains(s) {
                seq.push(*s);
            }
        }
        let n = seq.len();
        for (k, s) in seq.iter().enumerate() {
            let pos = if n > 1 {
                k as f64 / (n - 1) as f64
            } else {
                0.5
            };
            let e = sum.entry(*s).or_insert((0.0, 0.0));
            e.0 += pos;
            e.1 += 1.0;
        }
    }
    let mut order: Vec<(f64, usize)> = (0..found.len())
        .map(|i| {
            let (s, n) = sum.get(&i).copied().unwrap_or((0.5, 1.0));
            (s / n, i)
        })
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    order.into_iter().map(|(_, i)| found[i].clone()).collect()
}

#[cfg(test)]
mod tests;
