//! `map.html`: the value stream as it really was, one self-contained page in the style of
//! `report.html` (inline CSS and SVG, no scripts, no timestamp): the answer (lead time, flow
//! efficiency, throughput, work in progress), what was read and left out, the charts, the states
//! table, rework, the dropped rows and how the history was read. Every text from the file goes
//! through [`escape`].

use super::{calendar_words, items_word, kind_word, shown, span_words};
use crate::history::map::StreamMap;
use crate::numbers::thousands;
use crate::report::charts::Chart;
use crate::report::html::{CSS, big, cards, charts_section, escape, pct_bar};
use crate::report::{fmt_num, fmt_pct};
use std::fmt::Write;

/// The date of an ISO timestamp.
fn day(s: &str) -> &str {
    s.get(..10).unwrap_or(s)
}

/// Dropped rows listed on the page (all are in dropped.csv).
const DROPPED_LISTED: usize = 50;

const MAP_CSS: &str = r#"td.kind-work { color: #1e7a34; font-weight: 600; }
td.kind-wait { color: var(--warn); }
td.kind-done { color: var(--muted); }
ul.facts { margin: 6px 0 12px; padding-left: 20px; }
ul.facts li { margin: 2px 0; }
table.states { font-size: 0.86rem; }
table.states th, table.states td { padding: 6px 6px; }
table.states td:first-child { min-width: 7em; }
"#;

/// The page. `charts` may be empty (charts turned off).
pub fn map_html(m: &StreamMap, charts: &[Chart]) -> String {
    let mut h =
        String::with_capacity(64 * 1024 + charts.iter().map(|c| c.svg.len()).sum::<usize>());
    let file = escape(&m.file);
    let version = escape(&m.flowsim_version);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"flowsim {version}\">\n\
         <title>{file}: value stream map · flowsim</title>\n<style>\n{CSS}{MAP_CSS}</style>\n\
         </head>\n<body>\n<main>\n"
    );
    header(&mut h, m, !charts.is_empty());
    answer(&mut h, m);
    data_section(&mut h, m);
    charts_section(&mut h, charts);
    states_section(&mut h, m);
    rework_section(&mut h, m);
    dropped_section(&mut h, m);
    method_section(&mut h, m);
    let _ = write!(
        h,
        "<footer>Made with flowsim {version} from the history <code>{file}</code>. This page is \
         self-contained: it works offline and prints. <code>map.json</code>, \
         <code>states.csv</code>, <code>items.csv</code>, <code>weeks.csv</code> and \
         <code>dropped.csv</code> next to it hold every figure.</footer>\n</main>\n</body>\n</html>\n"
    );
    h
}

fn header(h: &mut String, m: &StreamMap, has_charts: bool) {
    let _ = writeln!(
        h,
        "<header>\n<p class=\"kicker\">flowsim value stream map</p>\n<h1>{}</h1>",
        escape(&m.file)
    );
    let _ = writeln!(
        h,
        "<p class=\"description\">The value stream as it really was: {} from {} to {} ({}), \
         through {} states.</p>",
        items_word(m.counts.items_read),
        escape(day(&m.period.first)),
        escape(day(&m.period.last)),
        span_words(m.period.calendar_days),
        m.states.len()
    );
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} layout · all times in working days ({}) · flowsim {}</p>",
        escape(&m.layout),
        escape(&calendar_words(&m.calendar)),
        escape(&m.flowsim_version)
    );
    let mut links = vec![("answer", "The answer"), ("data", "What was read")];
    if has_charts {
        links.push(("charts", "Charts"));
    }
    links.push(("states", "States"));
    if !m.rework.is_empty() {
        links.push(("rework", "Rework"));
    }
    if !m.dropped.is_empty() {
        links.push(("dropped", "Rows left out"));
    }
    links.push(("method", "How it was read"));
    h.push_str("<nav>");
    for (id, text) in links {
        let _ = write!(h, "<a href=\"#{id}\">{text}</a>");
    }
    h.push_str("</nav>\n</header>\n");
}

fn stat(h: &mut String, label: &str, value: String, note: String) {
    let _ = writeln!(
        h,
        "<div class=\"stat\"><div class=\"label\">{label}</div><div class=\"value\">{value}</div>\
         <div class=\"note\">{note}</div></div>"
    );
}

fn answer(h: &mut String, m: &StreamMap) {
    h.push_str("<section id=\"answer\">\n<h2>The answer</h2>\n");
    if !m.warnings.is_empty() {
        h.push_str("<div class=\"callout warnings\">\n<h3>Read this first</h3>\n<ul>\n");
        for w in &m.warnings {
            let _ = writeln!(h, "<li>{}</li>", escape(w));
        }
        h.push_str("</ul>\n</div>\n");
    }
    let unit = "working days";
    match &m.lead_time {
        Some(l) => {
            cards(
                h,
                unit,
                [
                    (
                        "Half of the items were done within".into(),
                        l.p50,
                        None,
                        "the median lead time (P50)",
                    ),
                    (
                        "85% of items were done within".into(),
                        l.p85,
                        None,
                        "P85, the usual service level expectation",
                    ),
                    (
                        "95% of items were done within".into(),
                        l.p95,
                        None,
                        "P95: one item in twenty took longer",
                    ),
                ],
                true,
            );
            let _ = writeln!(
                h,
                "<p class=\"footnote\">Lead time runs from the first state an item was seen in to \
                 done, over the {} finished items with a lead time; the mean is {} {unit} and \
                 70% were done within {}. Time is counted in working days on the calendar below: \
                 {}.</p>",
                thousands(l.count as u64),
                fmt_num(l.mean),
                fmt_num(l.p70),
                escape(&calendar_words(&m.calendar))
            );
        }
        None => {
            h.push_str("<p><strong>No item finished</strong>, so there are no lead times.</p>\n")
        }
    }
    h.push_str("<div class=\"stats\">\n");
    if let Some(f) = &m.flow_efficiency {
        stat(
            h,
            "Flow efficiency",
            fmt_pct(f.overall),
            format!(
                "of all lead time was spent in work states (total work ÷ total lead time); the \
                 average item {}",
                fmt_pct(f.mean_of_items)
            ),
        );
    }
    stat(
        h,
        "Throughput",
        big(m.rates.throughput_per_week, None, ""),
        format!(
            "items finished per week on average, over the {} weeks from the first finish{}",
            thousands(m.rates.throughput_weeks as u64),
            m.rates
                .throughput_from
                .as_ref()
                .map_or(String::new(), |d| format!(" (week of {})", escape(d)))
        ),
    );
    stat(
        h,
        "Arrivals",
        big(m.rates.arrivals_per_week, None, ""),
        format!(
            "items arrived per week on average, over the {} weeks of the history",
            thousands(m.rates.weeks as u64)
        ),
    );
    stat(
        h,
        "Work in progress",
        thousands(m.rates.wip_at_end as u64),
        format!(
            "items unfinished at the end of the history ({} on average at a week's end)",
            fmt_num(m.rates.mean_wip)
        ),
    );
    if let Some(c) = &m.cycle_time {
        stat(
            h,
            "Cycle time (P85)",
            big(c.p85, None, unit),
            format!(
                "from the first work state to done ({}; half within {})",
                items_word(c.count),
                fmt_num(c.p50)
            ),
        );
    }
    h.push_str("</div>\n</section>\n");
}

fn data_section(h: &mut String, m: &StreamMap) {
    let c = &m.counts;
    h.push_str("<section id=\"data\">\n<h2>What was read</h2>\n<ul class=\"facts\">\n");
    let first = m.states.first().map_or(String::new(), |s| escape(&s.name));
    let facts = [
        format!(
            "{} read: {} finished, {} still in progress, {} abandoned (ended in a state that \
             does not deliver; left out of every figure).",
            items_word(c.items_read),
            thousands(c.finished as u64),
            thousands(c.in_progress as u64),
            thousands(c.abandoned)
        ),
        format!(
            "{} of the file left out ({}).",
            if c.rows_dropped == 1 {
                "1 row".to_string()
            } else {
                format!("{} rows", thousands(c.rows_dropped as u64))
            },
            if c.rows_dropped == 0 {
                "none"
            } else {
                "each with its line and reason below and in dropped.csv"
            }
        ),
        format!(
            "{} moved backwards at least once (rework); {} skipped a state.",
            items_word(c.moved_backwards),
            items_word(c.skipped_a_state)
        ),
        format!(
            "{} were first seen past <em>{first}</em>: their lead time starts where they were \
             first seen. {} first seen already done: they count in throughput but have no lead \
             time.",
            items_word(c.first_seen_later),
            items_word(c.first_seen_done)
        ),
        format!(
            "The history runs from {} to {}: {} calendar days, {} working days.",
            escape(&m.period.first.replace('T', " ")),
            escape(&m.period.last.replace('T', " ")),
            thousands(m.period.calendar_days.max(0) as u64),
            thousands(m.period.working_days.round().max(0.0) as u64)
        ),
    ];
    for f in facts {
        let _ = writeln!(h, "<li>{f}</li>");
    }
    h.push_str("</ul>\n</section>\n");
}

fn states_section(h: &mut String, m: &StreamMap) {
    h.push_str("<section id=\"states\">\n<h2>States</h2>\n");
    h.push_str(
        "<p class=\"intro\">Every state in flow order, in working days. A visit lasts from \
         entering the state to entering the next (visits still going are left out of the visit \
         times); the time per item adds up every visit of a finished item. The share of lead \
         time is the state&#39;s part of all the lead time of finished items.</p>\n",
    );
    h.push_str(
        "<div class=\"table-wrap\"><table class=\"states\">\n<thead><tr><th>State</th>\
         <th class=\"text\">Kind</th><th>Items entered</th><th>Visits</th><th>P50 per visit</th>\
         <th>P85 per visit</th><th>P95 per visit</th><th>Mean per visit</th><th>P50 per item</th>\
         <th>P85 per item</th><th>P95 per item</th><th>Mean per item</th>\
         <th>Share of lead time</th><th>In it now</th></tr></thead>\n<tbody>\n",
    );
    for s in &m.states {
        let k = kind_word(s);
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"text kind-{k}\">{k}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&s.name),
            thousands(s.items_entered as u64),
            thousands(s.visits as u64),
            shown(&s.time_per_visit).join("</td><td>"),
            shown(&s.time_per_item).join("</td><td>"),
            pct_bar(s.share_of_lead_time),
            thousands(s.items_now as u64),
        );
    }
    h.push_str("</tbody></table></div>\n");
    h.push_str(
        "<div class=\"table-wrap\"><table class=\"distributions\">\n<caption>Lead and cycle time \
         of finished items, in working days.</caption>\n<thead><tr><th></th><th>Items</th>\
         <th>P50</th><th>P70</th><th>P85</th><th>P95</th><th>Mean</th><th>Min</th><th>Max</th>\
         </tr></thead>\n<tbody>\n",
    );
    for (name, p) in [
        ("Lead time (first state to done)", &m.lead_time),
        ("Cycle time (first work state to done)", &m.cycle_time),
    ] {
        if let Some(p) = p {
            let _ = writeln!(
                h,
                "<tr><td>{name}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td>{}</td><td>{}</td><td>{}</td></tr>",
                thousands(p.count as u64),
                fmt_num(p.p50),
                fmt_num(p.p70),
                fmt_num(p.p85),
                fmt_num(p.p95),
                fmt_num(p.mean),
                fmt_num(p.min),
                fmt_num(p.max)
            );
        }
    }
    h.push_str("</tbody></table></div>\n</section>\n");
}

fn rework_section(h: &mut String, m: &StreamMap) {
    if m.rework.is_empty() {
        return;
    }
    h.push_str("<section id=\"rework\">\n<h2>Rework: moves backwards</h2>\n");
    h.push_str(
        "<p class=\"intro\">Each row is a move from a state back to an earlier one: how often \
         it happened and its share of all visits to the state moved from.</p>\n",
    );
    h.push_str(
        "<div class=\"table-wrap\"><table class=\"rework\">\n<thead><tr><th>From</th>\
         <th class=\"text\">Back to</th><th>Moves</th><th>Visits to “from”</th><th>Rate</th>\
         </tr></thead>\n<tbody>\n",
    );
    for r in &m.rework {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&r.from),
            escape(&r.to),
            thousands(r.count as u64),
            thousands(r.visits_from as u64),
            fmt_pct(r.share)
        );
    }
    h.push_str("</tbody></table></div>\n</section>\n");
}

fn dropped_section(h: &mut String, m: &StreamMap) {
    if m.dropped.is_empty() {
        return;
    }
    h.push_str("<section id=\"dropped\">\n<h2>Rows left out</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"intro\">{} of the file could not be used. {}</p>",
        if m.dropped.len() == 1 {
            "1 row".to_string()
        } else {
            format!("{} rows", thousands(m.dropped.len() as u64))
        },
        if m.dropped.len() > DROPPED_LISTED {
            format!("The first {DROPPED_LISTED} are listed; dropped.csv has them all.")
        } else {
            "They are also in dropped.csv.".to_string()
        }
    );
    h.push_str(
        "<div class=\"table-wrap\"><table class=\"dropped\">\n<thead><tr><th>Line</th>\
         <th class=\"text\">Item</th><th class=\"text\">Why</th></tr></thead>\n<tbody>\n",
    );
    for d in m.dropped.iter().take(DROPPED_LISTED) {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"text\">{}</td><td class=\"text\">{}</td></tr>",
            d.line,
            escape(&d.id),
            escape(&d.reason)
        );
    }
    h.push_str("</tbody></table></div>\n</section>\n");
}

fn method_section(h: &mut String, m: &StreamMap) {
    h.push_str("<section id=\"method\">\n<h2>How it was read</h2>\n<dl class=\"settings\">\n");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(h, "<dt>{k}</dt><dd>{v}</dd>");
    };
    row(
        "File",
        format!(
            "<code>{}</code>, {} layout ({})",
            escape(&m.file),
            escape(&m.layout),
            if m.layout == "wide" {
                "one row per item, a column per state"
            } else {
                "one row per state entered"
            }
        ),
    );
    let flow: Vec<String> = m
        .states
        .iter()
        .map(|s| {
            format!(
                "{} <span class=\"muted\">({})</span>",
                escape(&s.name),
                kind_word(s)
            )
        })
        .collect();
    row("States in flow order", flow.join(" → "));
    row(
        "Working calendar",
        format!(
            "{}; day 0 is Monday {}{}",
            escape(&calendar_words(&m.calendar)),
            escape(&m.calendar.origin),
            if m.calendar.holidays.is_empty() {
                String::new()
            } else {
                format!("; holidays: {}", escape(&m.calendar.holidays.join(", ")))
            }
        ),
    );
    row(
        "Time unit",
        "working days: a working day counts 1, a day off 0; the time of day is a share of the \
         day"
        .into(),
    );
    row(
        "Lead time",
        "from the first state an item was seen in to done (its last state)".into(),
    );
    row(
        "Cycle time",
        "from the first work state an item entered to done".into(),
    );
    row(
        "Flow efficiency",
        "time in work states over lead time: overall (total work ÷ total lead time) and per \
         item; time spent in the done state before an item was reopened counts as waiting"
            .into(),
    );
    row(
        "Weeks",
        "calendar weeks, Monday to Sunday; work in progress is counted at the end of each".into(),
    );
    h.push_str("</dl>\n</section>\n");
}
