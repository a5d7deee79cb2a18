//! The files and text of `flowsim map` from a [`StreamMap`]: `map.json`, `states.csv`,
//! `items.csv`, `weeks.csv`, `dropped.csv`, the terminal table and (in [`html`]) `map.html`.

mod html;

pub use html::map_html;

use super::{fmt_num, fmt_pct};
use crate::history::map::{CalendarUsed, Percentiles, StreamMap};
use crate::numbers::thousands;
use std::fmt::Write;

/// Dropped rows the terminal table names (the rest are in dropped.csv).
const DROPPED_SHOWN: usize = 3;
/// Moves backwards the terminal table lists.
const REWORK_SHOWN: usize = 8;

/// The map as pretty JSON, ending with a newline.
pub fn map_json(m: &StreamMap) -> Vec<u8> {
    super::whatif::json(m)
}

fn opt(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite())
        .map_or(String::new(), |x| x.to_string())
}

fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).expect("in memory");
    for r in rows {
        w.write_record(&r).expect("in memory");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// P50, P85, P95 and mean, each written by `f` (empty without them).
fn pcells(p: &Option<Percentiles>, f: fn(f64) -> String) -> [String; 4] {
    match p {
        Some(p) => [p.p50, p.p85, p.p95, p.mean].map(f),
        None => Default::default(),
    }
}

/// P50, P85, P95 and mean for people (`-` without them).
pub(crate) fn shown(p: &Option<Percentiles>) -> [String; 4] {
    match p {
        Some(_) => pcells(p, fmt_num),
        None => ["-", "-", "-", "-"].map(String::from),
    }
}

/// One row per state, in flow order; times in working days.
pub fn states_csv(m: &StreamMap) -> Vec<u8> {
    csv_bytes(
        &[
            "state",
            "kind",
            "done",
            "items_entered",
            "visits",
            "visit_p50",
            "visit_p85",
            "visit_p95",
            "visit_mean",
            "item_p50",
            "item_p85",
            "item_p95",
            "item_mean",
            "mean_per_finished_item",
            "share_of_lead_time",
            "items_now",
        ],
        m.states.iter().map(|s| {
            let mut r = vec![
                s.name.clone(),
                kind_word(s).to_string(),
                s.done.to_string(),
                s.items_entered.to_string(),
                s.visits.to_string(),
            ];
            r.extend(pcells(&s.time_per_visit, |v| v.to_string()));
            r.extend(pcells(&s.time_per_item, |v| v.to_string()));
            r.push(s.mean_per_finished_item.to_string());
            r.push(opt(s.share_of_lead_time));
            r.push(s.items_now.to_string());
            r
        }),
    )
}

/// One row per item, in order of arrival; times in working days.
pub fn items_csv(m: &StreamMap) -> Vec<u8> {
    csv_bytes(
        &[
            "id",
            "title",
            "work_type",
            "line",
            "first_state",
            "arrived",
            "done",
            "state",
            "lead_time",
            "cycle_time",
            "work",
            "wait",
            "flow_efficiency",
            "age",
            "age_in_state",
            "visits",
            "moved_backwards",
            "skipped",
        ],
        m.items.iter().map(|i| {
            vec![
                i.id.clone(),
                i.title.clone(),
                i.work_type.clone(),
                i.line.to_string(),
                i.first_state.clone(),
                i.arrived.clone(),
                i.done.clone().unwrap_or_default(),
                i.state.clone(),
                opt(i.lead_time),
                opt(i.cycle_time),
                i.work.to_string(),
                i.wait.to_string(),
                opt(i.flow_efficiency),
                opt(i.age),
                opt(i.age_in_state),
                i.visits.to_string(),
                i.moved_backwards.to_string(),
                i.skipped.to_string(),
            ]
        }),
    )
}

/// One row per calendar week: items arrived, finished, and in progress at its end.
pub fn weeks_csv(m: &StreamMap) -> Vec<u8> {
    csv_bytes(
        &["week_start", "arrived", "finished", "wip"],
        m.weeks.iter().map(|w| {
            vec![
                w.start.clone(),
                w.arrived.to_string(),
                w.finished.to_string(),
                w.wip.to_string(),
            ]
        }),
    )
}

/// The rows left out: line, id and why.
pub fn dropped_csv(m: &StreamMap) -> Vec<u8> {
    csv_bytes(
        &["line", "id", "reason"],
        m.dropped
            .iter()
            .map(|d| vec![d.line.to_string(), d.id.clone(), d.reason.clone()]),
    )
}

/// `work`, `wait` or `done`.
pub(crate) fn kind_word(s: &crate::history::map::StateMap) -> &'static str {
    if s.done {
        "done"
    } else {
        match s.kind {
            crate::history::mapping::Kind::Work => "work",
            crate::history::mapping::Kind::Wait => "wait",
        }
    }
}

/// "Monday to Friday", "every day of the week", "mon, tue, thu"; holidays counted.
pub(crate) fn calendar_words(c: &CalendarUsed) -> String {
    let days = c.working_days.join(",");
    let mut s = match days.as_str() {
        "mon,tue,wed,thu,fri" => "Monday to Friday".to_string(),
        "mon,tue,wed,thu,fri,sat,sun" => "every day of the week".to_string(),
        _ => c.working_days.join(", "),
    };
    match c.holidays.len() {
        0 => s.push_str(", no holidays"),
        1 => s.push_str(", 1 holiday"),
        n => {
            let _ = write!(s, ", {n} holidays");
        }
    }
    s
}

/// "6.3 years", "14 weeks", "5 days".
pub(crate) fn span_words(days: i64) -> String {
    if days >= 730 {
        format!("{:.1} years", days as f64 / 365.25)
    } else if days >= 70 {
        format!("{} weeks", days / 7)
    } else if days == 1 {
        "1 day".into()
    } else {
        format!("{days} days")
    }
}

/// "1 item", "2,000 items".
pub(crate) fn items_word(n: usize) -> String {
    if n == 1 {
        "1 item".into()
    } else {
        format!("{} items", thousands(n as u64))
    }
}

fn pline(p: &Percentiles) -> String {
    format!(
        "P50 {}  P70 {}  P85 {}  P95 {}  mean {}",
        fmt_num(p.p50),
        fmt_num(p.p70),
        fmt_num(p.p85),
        fmt_num(p.p95),
        fmt_num(p.mean)
    )
}

/// The map as text for a terminal. Warnings are left to the caller (standard error).
pub fn map_table(m: &StreamMap) -> String {
    let c = &m.counts;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} ({} layout): {} from {} to {} ({})",
        m.file,
        m.layout,
        items_word(c.items_read),
        m.period.first.get(..10).unwrap_or(&m.period.first),
        m.period.last.get(..10).unwrap_or(&m.period.last),
        span_words(m.period.calendar_days)
    );
    let _ = writeln!(
        out,
        "Times are in working days ({}; day 0 is Monday {}).",
        calendar_words(&m.calendar),
        m.calendar.origin
    );
    out.push('\n');
    let mut head: Vec<(String, String)> = Vec::new();
    head.push((
        "Items".into(),
        format!(
            "{} read: {} finished, {} in progress, {} abandoned (left out); {} dropped",
            thousands(c.items_read as u64),
            thousands(c.finished as u64),
            thousands(c.in_progress as u64),
            thousands(c.abandoned),
            if c.rows_dropped == 1 {
                "1 row".to_string()
            } else {
                format!("{} rows", thousands(c.rows_dropped as u64))
            }
        ),
    ));
    let first = m.states.first().map_or("", |s| s.name.as_str());
    head.push((
        String::new(),
        format!(
            "{} moved backwards (rework), {} skipped a state, {} first seen past `{first}`, {} first seen already done",
            thousands(c.moved_backwards as u64),
            thousands(c.skipped_a_state as u64),
            thousands(c.first_seen_later as u64),
            thousands(c.first_seen_done as u64)
        ),
    ));
    for (k, d) in m.dropped.iter().take(DROPPED_SHOWN).enumerate() {
        head.push((
            if k == 0 {
                "Dropped".into()
            } else {
                String::new()
            },
            format!(
                "line {}{}: {}",
                d.line,
                if d.id.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", d.id)
                },
                d.reason
            ),
        ));
    }
    if m.dropped.len() > DROPPED_SHOWN {
        head.push((
            String::new(),
            format!(
                "and {} more, all in dropped.csv",
                thousands((m.dropped.len() - DROPPED_SHOWN) as u64)
            ),
        ));
    }
    match &m.lead_time {
        Some(l) => head.push((
            "Lead time".into(),
            format!(
                "{}  (first state to done, {})",
                pline(l),
                items_word(l.count)
            ),
        )),
        None => head.push(("Lead time".into(), "none: no item finished".into())),
    }
    if let Some(l) = &m.cycle_time {
        head.push((
            "Cycle time".into(),
            format!(
                "{}  (first work state to done, {})",
                pline(l),
                items_word(l.count)
            ),
        ));
    }
    if let Some(f) = &m.flow_efficiency {
        head.push((
            "Flow efficiency".into(),
            format!(
                "{} of all lead time is work (total work / total lead time); per item: mean {}, P50 {}, P85 {}",
                fmt_pct(f.overall),
                fmt_pct(f.mean_of_items),
                fmt_pct(f.per_item.p50),
                fmt_pct(f.per_item.p85)
            ),
        ));
    }
    head.push((
        "Per week".into(),
        format!(
            "{} arrived (over {} weeks), {} finished (over the {} weeks from the first finish{}); in progress: {} on average at a week's end, {} now",
            fmt_num(m.rates.arrivals_per_week),
            thousands(m.rates.weeks as u64),
            fmt_num(m.rates.throughput_per_week),
            thousands(m.rates.throughput_weeks as u64),
            m.rates
                .throughput_from
                .as_ref()
                .map_or(String::new(), |d| format!(", week of {d}")),
            fmt_num(m.rates.mean_wip),
            thousands(m.rates.wip_at_end as u64)
        ),
    ));
    let w = head.iter().map(|h| h.0.chars().count()).max().unwrap_or(0);
    for (k, v) in &head {
        let _ = writeln!(out, "{k:<w$}  {v}");
    }
    out.push('\n');

    let mut rows = vec![
        [
            "State",
            "kind",
            "items",
            "visits",
            "visit P50",
            "P85",
            "P95",
            "mean",
            "item P50",
            "P85",
            "P95",
            "mean",
            "of lead time",
            "now",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for s in &m.states {
        let [v50, v85, v95, vmean] = shown(&s.time_per_visit);
        let [i50, i85, i95, imean] = shown(&s.time_per_item);
        rows.push(vec![
            s.name.clone(),
            kind_word(s).into(),
            thousands(s.items_entered as u64),
            thousands(s.visits as u64),
            v50,
            v85,
            v95,
            vmean,
            i50,
            i85,
            i95,
            imean,
            s.share_of_lead_time.map_or("-".into(), fmt_pct),
            thousands(s.items_now as u64),
        ]);
    }
    out.push_str(&super::table::columns(&rows));
    if !m.rework.is_empty() {
        out.push_str("\nMoved backwards (rework)\n");
        let pairs: Vec<String> = m
            .rework
            .iter()
            .take(REWORK_SHOWN)
            .map(|r| format!("{} -> {}", r.from, r.to))
            .collect();
        let w = pairs.iter().map(|p| p.chars().count()).max().unwrap_or(0);
        for (p, r) in pairs.iter().zip(&m.rework) {
            let _ = writeln!(
                out,
                "  {p:<w$}  {:>5}  {} of the {} visits to {}",
                thousands(r.count as u64),
                fmt_pct(r.share),
                thousands(r.visits_from as u64),
                r.from
            );
        }
        if m.rework.len() > REWORK_SHOWN {
            let _ = writeln!(
                out,
                "  and {} more pairs in map.json",
                m.rework.len() - REWORK_SHOWN
            );
        }
    }
    out
}
