//! `report.html`: one self-contained page (inline CSS and SVG, no scripts, works offline) with the
//! headline answer, every chart, the per-stage table and the scenario as run.
//!
//! Every piece of text that comes from the scenario or the summary goes through [`escape`]. Chart
//! SVG is inserted as markup, but only the `<svg>` element itself, and only when it holds nothing
//! that could run (see [`inline_svg`]). The page has no timestamp: the same inputs give the same
//! bytes.

use super::charts::Chart;
use super::{fmt_num, fmt_pct};
use crate::metrics::Summary;
use crate::metrics::summary::{Distribution, StageSummary};
use crate::numbers::thousands;
use std::fmt::Write;

/// The report page. `scenario_text` is the scenario file as run; `charts` may be empty (charts
/// turned off).
pub fn report_html(summary: &Summary, charts: &[Chart], scenario_text: &str) -> String {
    let s = summary;
    let mut h = String::with_capacity(
        64 * 1024 + scenario_text.len() * 2 + charts.iter().map(|c| c.svg.len()).sum::<usize>(),
    );
    let title = escape(&s.scenario);
    let version = escape(&s.flowsim_version);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"flowsim {version}\">\n\
         <title>{title} · flowsim report</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<main>\n"
    );
    header(&mut h, s, !charts.is_empty());
    headline(&mut h, s);
    charts_section(&mut h, charts);
    stages_section(&mut h, s);
    if s.work_types.len() > 1 {
        work_types_section(&mut h, s);
    }
    details_section(&mut h, s);
    scenario_section(&mut h, s, scenario_text);
    let _ = write!(
        h,
        "<footer>Made with flowsim {version}, a Monte Carlo simulator of value streams. \
         This page is self-contained: it works offline and prints. \
         <code>flowsim report DIR</code> redraws it from the run&#39;s saved results.</footer>\n\
         </main>\n</body>\n</html>\n"
    );
    h
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub(super) const CSS: &str = r#":root {
  --ink: #1d2733; --muted: #5b6b7c; --line: #dde3ea; --soft: #f5f7fa;
  --accent: #1f5fbf; --accent-soft: #eaf1fc; --warn: #8a4b00; --warn-soft: #fff6e0;
  --warn-line: #f0c36d; --hot: #a8321e; --hot-soft: #fdf0ec; --bar: #8fb3e8;
}
* { box-sizing: border-box; }
html { background: #fff; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 36px 40px 48px; }
h1 { font-size: 2.1rem; line-height: 1.2; margin: 0 0 8px; letter-spacing: -0.01em; }
h2 { font-size: 1.45rem; margin: 48px 0 6px; padding-bottom: 6px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1.1rem; margin: 0 0 8px; }
p { margin: 0 0 12px; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;
  font-size: 0.9em; background: var(--soft); padding: 0 3px; border-radius: 3px; }
.kicker { text-transform: uppercase; letter-spacing: 0.08em; font-size: 0.8rem; font-weight: 600;
  color: var(--accent); margin: 0 0 4px; }
.description { font-size: 1.08rem; color: #33414f; max-width: 80ch; margin-bottom: 10px; }
.meta { color: var(--muted); font-size: 0.92rem; }
nav { margin: 14px 0 0; font-size: 0.92rem; color: var(--muted); }
nav a { color: var(--accent); text-decoration: none; margin-right: 14px; white-space: nowrap; }
nav a:hover { text-decoration: underline; }
.intro { color: var(--muted); margin: 6px 0 16px; max-width: 90ch; }
.num { white-space: nowrap; font-variant-numeric: tabular-nums; }
.se { color: var(--muted); font-size: 0.85em; white-space: nowrap; }
.cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 16px; margin: 18px 0 8px; }
.card { border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; background: var(--soft); }
.card .label { font-size: 0.98rem; color: #33414f; }
.card .value { font-size: 2.3rem; font-weight: 700; line-height: 1.15; margin: 4px 0 2px;
  font-variant-numeric: tabular-nums; }
.card .value .pm { font-size: 1.05rem; font-weight: 500; color: var(--muted); }
.card .value .unit { font-size: 1.15rem; font-weight: 600; }
.card .note { font-size: 0.85rem; color: var(--muted); }
.card.minor { padding: 12px 18px; }
.card.minor .value { font-size: 1.8rem; }
.card.key { background: var(--accent-soft); border: 2px solid var(--accent); }
.card.key .value { color: var(--accent); }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 16px; margin: 16px 0; }
.stat { border-top: 3px solid var(--line); padding: 10px 2px 0; }
.stat .label { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted);
  font-weight: 600; }
.stat .value { font-size: 1.5rem; font-weight: 700; margin: 2px 0; font-variant-numeric: tabular-nums; }
.stat .value .pm { font-size: 0.95rem; font-weight: 500; color: var(--muted); }
.stat .value .unit { font-size: 1rem; font-weight: 600; }
.stat .note { font-size: 0.9rem; color: #3d4b59; }
.callout { border-radius: 10px; padding: 14px 18px; margin: 16px 0; }
.callout h3 { margin: 0 0 4px; }
.callout p:last-child, .callout ul:last-child { margin-bottom: 0; }
.bottleneck-box { background: var(--hot-soft); border-left: 6px solid var(--hot); }
.bottleneck-box h3 { color: var(--hot); }
.warnings { background: var(--warn-soft); border: 1px solid var(--warn-line); border-left: 6px solid var(--warn); }
.warnings h3 { color: var(--warn); }
.warnings ul { margin: 4px 0 0; padding-left: 20px; }
.footnote { font-size: 0.85rem; color: var(--muted); max-width: 95ch; }
figure.chart { margin: 26px 0 0; break-inside: avoid; }
figure.chart h3.drawn { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.chart .plot { width: 100%; overflow: hidden; border: 1px solid var(--line); border-radius: 8px; background: #fff; }
.chart .plot svg { display: block; width: 100%; height: auto; max-width: 100%; }
figcaption { margin-top: 8px; color: #3d4b59; font-size: 0.95rem; max-width: 95ch; }
figcaption::before { content: "How to read it: "; font-weight: 600; color: var(--ink); }
.missing { color: var(--muted); font-style: italic; }
.table-wrap { overflow-x: auto; margin: 10px 0 6px; }
table { border-collapse: collapse; width: 100%; font-size: 0.93rem; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; color: var(--muted); font-size: 0.88rem; padding-bottom: 8px; }
th, td { padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { text-align: right; font-weight: 600; font-size: 0.82rem; color: var(--muted); border-bottom: 2px solid #b8c2cd;
  vertical-align: bottom; }
td { text-align: right; white-space: nowrap; }
th:first-child, td:first-child, th.text { text-align: left; }
td:first-child { white-space: normal; font-weight: 600; min-width: 9em; }
td.text { text-align: left; white-space: normal; min-width: 10em; }
.muted { color: var(--muted); font-style: italic; }
table.distributions td:first-child { min-width: 9em; }
table.distributions th, table.distributions td { padding-left: 6px; padding-right: 6px; }
tbody tr:nth-child(even) { background: #fafbfc; }
tr.bottleneck td { background: var(--hot-soft); }
tr.backlog td { color: var(--muted); font-style: italic; }
.badge { display: inline-block; font-size: 0.7rem; font-weight: 700; letter-spacing: 0.05em; text-transform: uppercase;
  color: #fff; background: var(--hot); border-radius: 4px; padding: 1px 6px; margin-left: 6px; vertical-align: 2px;
  font-style: normal; }
.bar { display: block; height: 4px; margin-top: 3px; background: #e7ebf0; border-radius: 2px; min-width: 4em; }
.bar > span { display: block; height: 4px; background: var(--bar); border-radius: 2px; }
tr.bottleneck .bar > span { background: var(--hot); }
dl.settings { display: grid; grid-template-columns: max-content 1fr; gap: 6px 22px; margin: 12px 0 18px; }
dl.settings dt { font-weight: 600; }
dl.settings dd { margin: 0; }
pre.scenario code { background: none; padding: 0; font: inherit; }
pre.scenario { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px;
  max-width: 100ch; font: 13px/1.5 ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace;
  white-space: pre-wrap; overflow-wrap: anywhere; margin: 8px 0 0; }
footer { margin-top: 48px; padding-top: 12px; border-top: 1px solid var(--line); font-size: 0.85rem; color: var(--muted); }
@media (max-width: 760px) {
  main { padding: 20px 16px; }
  .cards { grid-template-columns: 1fr; }
}
@page { margin: 14mm 12mm; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  .cards { grid-template-columns: repeat(3, 1fr); gap: 10px; }
  figure.chart { margin-top: 12px; }
  .chart .plot { width: 92%; }
  figcaption { font-size: 9pt; margin-top: 4px; }
  .card .value { font-size: 1.9rem; }
  h2 { margin-top: 26px; break-after: avoid; }
  h3 { break-after: avoid; }
  .cards, .card, .stat, .callout, figure.chart, tr { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  pre.scenario { font-size: 8pt; max-width: none; }
}
"#;

/// A value and its Monte Carlo standard error, both rounded where the error's leading digit is (two
/// digits when it begins with a 1): `34.6`, `± 0.3`; `34.56`, `± 0.14`. Without a usable
/// error, the value alone.
fn pm_parts(v: f64, se: Option<f64>) -> (String, Option<String>) {
    match se {
        Some(se) if se > 0.0 && se.is_finite() && v.is_finite() => {
            let e = se.log10().floor();
            let lead = se / 10f64.powf(e);
            let sig = if lead < 1.95 { 2.0 } else { 1.0 };
            let d = (sig - 1.0 - e).clamp(0.0, 6.0) as usize;
            (format!("{v:.d$}"), Some(format!("± {se:.d$}")))
        }
        _ => (fmt_num(v), None),
    }
}

/// `34.6 ± 0.3` as text, the error in a muted span.
fn pm(v: f64, se: Option<f64>) -> String {
    match pm_parts(v, se) {
        (v, Some(e)) => format!("<span class=\"num\">{v} <span class=\"se\">{e}</span></span>"),
        (v, None) => format!("<span class=\"num\">{v}</span>"),
    }
}

/// A share as a percentage with its standard error in percentage points: `23.4% ± 0.2%`.
fn pm_pct(v: f64, se: Option<f64>) -> String {
    if !v.is_finite() {
        return "-".to_string();
    }
    match pm_parts(v * 100.0, se.map(|e| e * 100.0)) {
        (v, Some(e)) => format!("{v}% <span class=\"pm\">{e}%</span>"),
        (v, None) => format!("{v}%"),
    }
}

/// The big number of a card: `34.6 ± 0.3 days`, the error and unit smaller.
pub(super) fn big(v: f64, se: Option<f64>, unit: &str) -> String {
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!(" <span class=\"unit\">{}</span>", escape(unit))
    };
    match pm_parts(v, se) {
        (v, Some(e)) => format!("{v} <span class=\"pm\">{e}</span>{unit}"),
        (v, None) => format!("{v}{unit}"),
    }
}

fn plural(n: f64, one: &str, many: &str) -> String {
    if n == 1.0 {
        one.to_string()
    } else {
        many.to_string()
    }
}

/// A setting as written in a scenario: `2160`, `12.5`.
fn fmt_setting(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        v.to_string()
    }
}

fn stop_rule_text(s: &Summary) -> String {
    let unit = s.time_unit.plural();
    match (s.stop_rule.items, s.stop_rule.horizon) {
        (Some(n), _) => format!("{} items each", thousands(n.into())),
        (_, Some(h)) => format!("{} {unit} each", fmt_setting(h)),
        _ => String::new(),
    }
}

fn header(h: &mut String, s: &Summary, has_charts: bool) {
    let _ = writeln!(h, "<header>\n<p class=\"kicker\">flowsim report</p>");
    let _ = writeln!(h, "<h1>{}</h1>", escape(&s.scenario));
    if let Some(d) = s.description.as_deref().filter(|d| !d.trim().is_empty()) {
        let _ = writeln!(h, "<p class=\"description\">{}</p>", escape(d.trim()));
    }
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} simulated {} of {} · seed {} · all times in {} · flowsim {}</p>",
        s.runs,
        plural(f64::from(s.runs), "run", "runs"),
        stop_rule_text(s),
        s.seed,
        s.time_unit.plural(),
        escape(&s.flowsim_version)
    );
    let mut links = vec![("answer", "The answer")];
    if has_charts {
        links.push(("charts", "Charts"));
    }
    links.push(("stages", "Stages"));
    if s.work_types.len() > 1 {
        links.push(("work-types", "Work types"));
    }
    links.push(("details", "Lead time in detail"));
    links.push(("scenario", "The scenario as run"));
    h.push_str("<nav>");
    for (id, text) in links {
        let _ = write!(h, "<a href=\"#{id}\">{text}</a>");
    }
    h.push_str("</nav>\n</header>\n");
}

/// True when all the work is known at the start: nothing arrives after time 0.
fn fixed_scope(s: &Summary) -> bool {
    s.arrival_rate.is_none()
}

/// Three headline cards: label, value, standard error and note each. With `key`, the middle one
/// (P85) stands out; without, all three are smaller (a second row).
pub(super) fn cards(
    h: &mut String,
    unit: &str,
    cards: [(String, f64, Option<f64>, &str); 3],
    key: bool,
) {
    h.push_str("<div class=\"cards\">\n");
    for (i, (label, v, se, note)) in cards.into_iter().enumerate() {
        let _ = writeln!(
            h,
            "<div class=\"card{}\"><div class=\"label\">{}</div>\
             <div class=\"value\">{}</div><div class=\"note\">{note}</div></div>",
            match (key, i) {
                (true, 1) => " key",
                (true, _) => "",
                (false, _) => " minor",
            },
            escape(&label),
            big(v, se, unit)
        );
    }
    h.push_str("</div>\n");
}

fn headline(h: &mut String, s: &Summary) {
    let unit = s.time_unit.plural();
    let per = s.time_unit.singular();
    h.push_str("<section id=\"answer\">\n<h2>The answer</h2>\n");
    if !s.warnings.is_empty() {
        h.push_str("<div class=\"callout warnings\">\n<h3>Read this first</h3>\n<ul>\n");
        for w in &s.warnings {
            let _ = writeln!(h, "<li>{}</li>", escape(w));
        }
        h.push_str("</ul>\n</div>\n");
    }
    // With a fixed scope (all work known at the start), the question is when it is all done:
    // the makespan leads.
    let fixed = fixed_scope(s);
    let precision_note = |se: Option<f64>| {
        if se.is_some() {
            "The number after ± is the Monte Carlo precision (one standard error): run the \
             simulation again with another seed and a figure moves by about this much."
        } else {
            "No precision is given: it takes at least two runs to estimate one."
        }
    };
    if let (true, Some(m)) = (fixed, &s.makespan) {
        let items = s.items_per_run.map_or("all items".to_string(), |n| {
            format!("all {} items", thousands(n.into()))
        });
        cards(
            h,
            unit,
            [
                (
                    format!("Half of the runs have {items} done within"),
                    m.p50,
                    m.p50_se,
                    "the median makespan (P50)",
                ),
                (
                    format!("85% of runs have {items} done within"),
                    m.p85,
                    m.p85_se,
                    "P85, the usual level to commit to",
                ),
                (
                    format!("95% of runs have {items} done within"),
                    m.p95,
                    m.p95_se,
                    "P95: one run in twenty takes longer",
                ),
            ],
            true,
        );
        let _ = writeln!(
            h,
            "<p class=\"footnote\">All the work is known at the start and nothing arrives \
             later, so the answer is the makespan: the time from the start until the last item \
             is done, one value per run, over {} runs. {}</p>",
            thousands(s.runs.into()),
            precision_note(m.p85_se)
        );
    }
    match &s.lead_time {
        Some(d) => {
            cards(
                h,
                unit,
                [
                    (
                        "Half of the items are done within".to_string(),
                        d.p50,
                        d.p50_se,
                        "the median lead time (P50)",
                    ),
                    (
                        "85% of items are done within".to_string(),
                        d.p85,
                        d.p85_se,
                        "P85, the usual level to commit to",
                    ),
                    (
                        "95% of items are done within".to_string(),
                        d.p95,
                        d.p95_se,
                        "P95: only one item in twenty takes longer",
                    ),
                ],
                !fixed,
            );
            let _ = writeln!(
                h,
                "<p class=\"footnote\">Lead time runs from the moment an item arrives (is \
                 requested{}) to the moment it is done, over {} measured items. The mean is {} \
                 {unit}. {}</p>",
                if fixed { "; here, the start" } else { "" },
                thousands(s.measured_items),
                pm(d.mean, d.mean_se),
                if fixed { "" } else { precision_note(d.p85_se) }
            );
        }
        None => {
            h.push_str(
                "<p><strong>No item was measured</strong>, so there are no lead times: no item \
                 past the warm-up was done before the end of a run.</p>\n",
            );
        }
    }

    h.push_str("<div class=\"stats\">\n");
    let stat = |h: &mut String, label: &str, value: String, note: String| {
        let _ = writeln!(
            h,
            "<div class=\"stat\"><div class=\"label\">{label}</div><div class=\"value\">{value}</div>\
             <div class=\"note\">{note}</div></div>"
        );
    };
    if let Some(f) = &s.flow_efficiency {
        stat(
            h,
            "Flow efficiency",
            pm_pct(f.ratio_of_sums, f.ratio_of_sums_se),
            format!(
                "of all lead time is hands-on work (total work ÷ total lead time); the average \
                 item is {} work",
                fmt_pct(f.mean_of_ratios)
            ),
        );
    }
    if let Some(t) = &s.throughput {
        stat(
            h,
            "Throughput",
            big(t.mean, t.se, ""),
            format!("items done per {per}"),
        );
    }
    if let Some(w) = &s.wip {
        let note = if w.backlog > 0.0 {
            format!(
                "items arrived and not done: {} in progress, {} in the backlog",
                fmt_num(w.in_progress),
                fmt_num(w.backlog)
            )
        } else {
            "items arrived and not yet done, on average".to_string()
        };
        stat(h, "Work in progress", big(w.mean, w.se, ""), note);
    }
    if let (Some(c), Some(b)) = (&s.cycle_time, &s.backlog_wait) {
        if b.mean > 0.0 {
            let first = s
                .stages
                .first()
                .map_or(String::new(), |st| escape(&st.name));
            stat(
                h,
                "Cycle time (P85)",
                big(c.p85, c.p85_se, unit),
                format!(
                    "from entering {first} to done; items first wait {} {unit} in the backlog",
                    fmt_num(b.mean)
                ),
            );
        }
    }
    if let (false, Some(m)) = (fixed, &s.makespan) {
        let items = s.items_per_run.map_or("all items".to_string(), |n| {
            format!("all {} items", thousands(n.into()))
        });
        stat(
            h,
            "All done (P85)",
            big(m.p85, m.p85_se, unit),
            format!(
                "until {items} of a run are done, in 85% of runs (the makespan; half: {})",
                fmt_num(m.p50)
            ),
        );
    }
    if let Some(u) = &s.unfinished_at_end {
        stat(
            h,
            "Unfinished at the end",
            big(u.mean, u.se, ""),
            "items still in the stream when a run stops at its horizon (not in the lead times)"
                .to_string(),
        );
    }
    h.push_str("</div>\n");

    if let Some(b) = &s.bottleneck {
        let _ = writeln!(
            h,
            "<div class=\"callout bottleneck-box\"><h3>Bottleneck: {}</h3>\
             <p>Why: {}. Added capacity helps most here; the stage table shows where the time \
             goes.</p></div>",
            escape(b),
            s.bottleneck_reason.as_deref().map_or(String::new(), escape)
        );
    } else {
        h.push_str(
            "<div class=\"callout bottleneck-box\"><h3>No bottleneck</h3><p>No stage has \
             people whose utilization could be measured.</p></div>\n",
        );
    }
    h.push_str("</section>\n");
}

/// The `<svg>` element of a chart, from its opening tag to its closing tag, or `None` when there
/// is none or a tag could run, load or restyle anything: scripts, embedded HTML, style sheets
/// (an inline SVG's `<style>` would apply to the whole page), links, event handlers, outside
/// URLs. Text between tags is not looked at: the renderer escapes it.
fn inline_svg(svg: &str) -> Option<&str> {
    let start = svg.find("<svg")?;
    let end = svg.rfind("</svg>")? + "</svg>".len();
    let markup = svg.get(start..end)?;
    let lower = markup.to_ascii_lowercase();
    const TAGS: [&str; 10] = [
        "script",
        "style",
        "foreignobject",
        "iframe",
        "object",
        "embed",
        "use",
        "a",
        "image",
        "animate",
    ];
    for tag in lower.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '-')
            .collect();
        let name = name.rsplit(':').next().unwrap_or("");
        if TAGS.contains(&name) || name.starts_with("animate") || name == "set" {
            return None;
        }
        let attr_names = tag
            .split(|c: char| c.is_whitespace())
            .skip(1)
            .map(|w| w.split('=').next().unwrap_or(""));
        if attr_names
            .clone()
            .any(|a| a.starts_with("on") || a.ends_with("href"))
        {
            return None;
        }
        if tag.contains("javascript:") || tag.replace("url(#", "").contains("url(") {
            return None;
        }
    }
    Some(markup)
}

pub(super) fn charts_section(h: &mut String, charts: &[Chart]) {
    if charts.is_empty() {
        h.push_str(
            "<section id=\"charts\">\n<h2>Charts</h2>\n<p class=\"missing\">This report has no \
             charts (they are left out when the run is made with <code>--no-charts</code>).</p>\n\
             </section>\n",
        );
        return;
    }
    h.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    for c in charts {
        // Our charts draw their own title (the SVG and PNG files stand alone); then the heading
        // is there for the page's outline and screen readers, but not shown twice.
        let drawn_title = c.svg.contains(&format!(">\n{}\n<", svg_text(&c.title)));
        let _ = writeln!(
            h,
            "<figure class=\"chart\" id=\"chart-{}\">\n<h3{}>{}</h3>",
            escape(&c.name),
            if drawn_title { " class=\"drawn\"" } else { "" },
            escape(&c.title)
        );
        match inline_svg(&c.svg) {
            Some(svg) => {
                let _ = writeln!(
                    h,
                    "<div class=\"plot\" role=\"img\" aria-label=\"{}\">\n{}\n</div>",
                    escape(&c.title),
                    svg.trim_end()
                );
            }
            None => {
                let _ = writeln!(
                    h,
                    "<p class=\"missing\">This chart cannot be shown here; open {}.svg or {}.png \
                     next to this report.</p>",
                    escape(&c.name),
                    escape(&c.name)
                );
            }
        }
        let _ = writeln!(
            h,
            "<figcaption>{}</figcaption>\n</figure>",
            escape(&c.how_to_read)
        );
    }
    h.push_str("</section>\n");
}

/// Text as plotters' SVG backend escapes it (`'` as `&apos;`).
fn svg_text(text: &str) -> String {
    escape(text).replace("&#39;", "&apos;")
}

/// A percentage with a small bar under it (0 to 100%).
pub(super) fn pct_bar(v: Option<f64>) -> String {
    match v.filter(|v| v.is_finite()) {
        Some(v) => format!(
            "{}<span class=\"bar\"><span style=\"width:{:.1}%\"></span></span>",
            fmt_pct(v),
            (v * 100.0).clamp(0.0, 100.0)
        ),
        None => "-".to_string(),
    }
}

fn people(s: &Summary, st: &StageSummary) -> String {
    match (&st.team, st.workers) {
        (Some(t), _) => {
            let n = s.teams.iter().find(|x| &x.name == t).map(|x| x.people);
            match n {
                Some(n) => format!("{} team ({n})", escape(t)),
                None => format!("{} team", escape(t)),
            }
        }
        (None, Some(w)) => format!("{w} {}", plural(f64::from(w), "person", "people")),
        _ => format!("<span class=\"muted\">{} stage</span>", escape(&st.kind)),
    }
}

fn stages_section(h: &mut String, s: &Summary) {
    let unit = s.time_unit.plural();
    let lead = s.lead_time.as_ref().map_or(f64::NAN, |l| l.mean);
    let share = |t: f64| {
        let v = t / lead;
        (v.is_finite()).then_some(v)
    };
    h.push_str("<section id=\"stages\">\n<h2>Stages</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"intro\">Where each item spends its time, stage by stage. Times are in {unit} \
         per item, all visits added up (rework included); the share of lead time is wait plus \
         work over the mean lead time{}. Stages served by a team show the team&#39;s \
         utilization.</p>",
        if lead.is_finite() {
            format!(" of {} {unit}", fmt_num(lead))
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        h,
        "<div class=\"table-wrap\"><table class=\"stages\">\n<thead><tr><th>Stage</th>\
         <th class=\"text\">People</th><th>Utilization</th><th>Mean wait ({unit})</th>\
         <th>P85 wait ({unit})</th><th>Mean work ({unit})</th><th>Share of lead time</th>\
         <th>Mean queue (items)</th><th>Visits per item</th></tr></thead>\n<tbody>"
    );
    if let (Some(b), Some(w)) = (&s.backlog_wait, &s.wip) {
        if b.mean > 0.0 {
            let _ = writeln!(
                h,
                "<tr class=\"backlog\"><td>Backlog (before the first stage)</td><td>-</td>\
                 <td>-</td><td>{}</td><td>-</td><td>-</td><td>{}</td><td>{}</td><td>-</td></tr>",
                fmt_num(b.mean),
                pct_bar(share(b.mean)),
                fmt_num(w.backlog)
            );
        }
    }
    for st in &s.stages {
        let is_b = s.bottleneck.as_deref() == Some(st.name.as_str());
        let _ = writeln!(
            h,
            "<tr{}><td>{}{}</td><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if is_b { " class=\"bottleneck\"" } else { "" },
            escape(&st.name),
            if is_b {
                "<span class=\"badge\">bottleneck</span>"
            } else {
                ""
            },
            people(s, st),
            pct_bar(st.utilization),
            fmt_num(st.mean_wait),
            fmt_num(st.wait.p85),
            fmt_num(st.mean_work),
            pct_bar(share(st.mean_wait + st.mean_work)),
            fmt_num(st.mean_queue),
            fmt_num(st.visits_per_item),
        );
    }
    h.push_str("</tbody></table></div>\n");

    if !s.teams.is_empty() {
        h.push_str(
            "<div class=\"table-wrap\"><table class=\"teams\">\n<caption>Teams: people shared \
             by several stages. Offered load is the utilization the scenario implies in the long \
             run; at 100% or more the team cannot keep up.</caption>\n<thead><tr><th>Team</th>\
             <th>People</th><th class=\"text\">Stages</th><th>Utilization</th><th>Offered load</th></tr>\
             </thead>\n<tbody>\n",
        );
        for t in &s.teams {
            let stages: Vec<String> = t.stages.iter().map(|n| escape(n)).collect();
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"text\">{}</td><td>{}</td><td>{}</td></tr>",
                escape(&t.name),
                t.people,
                stages.join(", "),
                pct_bar(Some(t.utilization)),
                t.offered_load.map_or("-".to_string(), fmt_pct)
            );
        }
        h.push_str("</tbody></table></div>\n");
    }
    h.push_str("</section>\n");
}

fn work_types_section(h: &mut String, s: &Summary) {
    let unit = s.time_unit.plural();
    h.push_str("<section id=\"work-types\">\n<h2>Work types</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"intro\">Lead time by kind of work, in {unit}. Higher priority is served \
         first wherever items wait.</p>"
    );
    h.push_str(
        "<div class=\"table-wrap\"><table class=\"work-types\">\n<thead><tr><th>Work type</th>\
         <th>Share of arrivals</th><th>Priority</th><th>Items measured</th><th>P50 lead time</th>\
         <th>P85 lead time</th><th>P95 lead time</th><th>Mean lead time</th><th>Mean wait</th>\
         </tr></thead>\n<tbody>\n",
    );
    for t in &s.work_types {
        let l = t.lead_time.as_ref();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td></tr>",
            escape(&t.name),
            fmt_pct(t.share),
            t.priority,
            thousands(t.items),
            l.map_or("-".into(), |l| fmt_num(l.p50)),
            l.map_or("-".into(), |l| fmt_num(l.p85)),
            l.map_or("-".into(), |l| fmt_num(l.p95)),
            l.map_or("-".into(), |l| pm(l.mean, l.mean_se)),
            t.mean_wait.map_or("-".into(), fmt_num),
        );
    }
    h.push_str("</tbody></table></div>\n</section>\n");
}

fn distribution_row(h: &mut String, name: &str, d: &Distribution) {
    let _ = writeln!(
        h,
        "<tr><td>{name}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
         <td>{}</td><td>{}</td><td>{}</td></tr>",
        pm(d.p50, d.p50_se),
        pm(d.p70, d.p70_se),
        pm(d.p85, d.p85_se),
        pm(d.p95, d.p95_se),
        pm(d.p99, d.p99_se),
        pm(d.mean, d.mean_se),
        d.sd.map_or("-".into(), fmt_num),
        fmt_num(d.min),
        fmt_num(d.max),
    );
}

fn details_section(h: &mut String, s: &Summary) {
    let unit = s.time_unit.plural();
    h.push_str("<section id=\"details\">\n<h2>Lead time in detail</h2>\n");
    if s.lead_time.is_none() && s.makespan.is_none() {
        h.push_str("<p class=\"missing\">Nothing was measured.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(
        h,
        "<p class=\"intro\">Percentiles in {unit}: P85 is the time within which 85% finish. \
         After ± is the Monte Carlo precision (one standard error); SD is the spread of \
         individual items.</p>"
    );
    h.push_str(
        "<div class=\"table-wrap\"><table class=\"distributions\">\n<thead><tr><th></th>\
         <th>P50</th><th>P70</th><th>P85</th><th>P95</th><th>P99</th><th>Mean</th><th>SD</th>\
         <th>Min</th><th>Max</th></tr></thead>\n<tbody>\n",
    );
    if let Some(d) = &s.lead_time {
        distribution_row(h, "Lead time (arrival to done)", d);
    }
    if let Some(d) = &s.cycle_time {
        distribution_row(h, "Cycle time (first stage to done)", d);
    }
    if let Some(d) = &s.makespan {
        distribution_row(h, "Makespan (start to all done, per run)", d);
    }
    h.push_str("</tbody></table></div>\n</section>\n");
}

fn scenario_section(h: &mut String, s: &Summary, text: &str) {
    let unit = s.time_unit.plural();
    h.push_str(
        "<section id=\"scenario\">\n<h2>The scenario as run</h2>\n<dl class=\"settings\">\n",
    );
    let mut row = |k: &str, v: String| {
        let _ = writeln!(h, "<dt>{k}</dt><dd>{v}</dd>");
    };
    row(
        "Runs",
        format!(
            "{} Monte Carlo {}",
            s.runs,
            plural(f64::from(s.runs), "replication", "replications")
        ),
    );
    row(
        "Seed",
        format!(
            "{} (the same seed and runs give the same results, bit for bit)",
            s.seed
        ),
    );
    let stop = match (s.stop_rule.items, s.stop_rule.horizon) {
        (Some(n), _) => format!(
            "{} items arrive in each run (the backlog included); a run ends when all are done",
            thousands(n.into())
        ),
        (_, Some(hz)) => format!(
            "each run simulates {} {unit} (a horizon); items not done by then are unfinished",
            fmt_setting(hz)
        ),
        _ => "-".to_string(),
    };
    row("Stop rule", stop);
    row(
        "Warm-up",
        if s.warmup_items == 0 {
            "none: every item is measured".to_string()
        } else {
            format!(
                "the first {} items of each run are left out of the statistics",
                s.warmup_items
            )
        },
    );
    row("Time unit", unit.to_string());
    row(
        "Measured items",
        format!("{} over all runs", thousands(s.measured_items)),
    );
    row(
        "Measurement window",
        format!(
            "{} {unit} per run on average",
            pm(s.window.mean, s.window.se)
        ),
    );
    row("flowsim version", escape(&s.flowsim_version));
    h.push_str("</dl>\n<h3>Scenario file</h3>\n");
    let _ = writeln!(
        h,
        "<p class=\"footnote\">Saved next to this report as <code>scenario.toml</code>; \
         <code>flowsim run scenario.toml --runs {} --seed {}</code> gives the same results.</p>",
        s.runs, s.seed
    );
    let _ = writeln!(
        h,
        "<pre class=\"scenario\"><code>{}</code></pre>\n</section>",
        escape(text.trim_end())
    );
}

/// `compare.html`: the comparison of scenarios as one self-contained page, in the style of
/// `report.html`: the question and the answer first, then the scenarios side by side with every
/// difference from the baseline (95% confidence interval and verdict), stage by stage, the
/// charts, and how the comparison was made. Every name and description is escaped; no scripts,
/// nothing loaded from elsewhere, no timestamp.
pub fn compare_html(run: &crate::whatif::compare::ComparisonRun, charts: &[Chart]) -> String {
    let c = &run.comparison;
    let mut h =
        String::with_capacity(64 * 1024 + charts.iter().map(|c| c.svg.len()).sum::<usize>());
    let title = escape(&c.baseline);
    let version = escape(&c.flowsim_version);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"flowsim {version}\">\n\
         <title>{title}: what-if comparison · flowsim</title>\n<style>\n{CSS}{COMPARE_CSS}</style>\n\
         </head>\n<body>\n<main>\n"
    );
    compare_header(&mut h, c, !charts.is_empty());
    compare_answer(&mut h, c);
    compare_table(&mut h, c);
    compare_verdicts(&mut h, run);
    compare_stages(&mut h, c);
    charts_section(&mut h, charts);
    compare_method(&mut h, c);
    let _ = write!(
        h,
        "<footer>Made with flowsim {version}, a Monte Carlo simulator of value streams. \
         This page is self-contained: it works offline and prints. The same command gives the \
         same page, byte for byte; <code>compare.json</code> and <code>compare.csv</code> next \
         to it hold every figure in full.</footer>\n</main>\n</body>\n</html>\n"
    );
    h
}

const COMPARE_CSS: &str = r#".question { font-size: 1.08rem; max-width: 90ch; }
.answer-box { background: var(--accent-soft); border-left: 6px solid var(--accent); }
.answer-box h3 { color: var(--accent); font-size: 1.25rem; }
.diff { display: block; font-size: 0.8rem; white-space: nowrap; margin-top: 2px; }
.diff .ci { display: block; color: var(--muted); }
.better-word { color: #1e7a34; font-weight: 600; }
.worse-word { color: var(--hot); font-weight: 600; }
.table-wrap + .table-wrap { margin-top: 22px; }
table.side, table.stage-compare { table-layout: fixed; }
table.side th:first-child, table.stage-compare th:first-child { width: 22%; }
table.side th { text-align: right; }
table.side td:first-child { font-weight: 600; }
table.side td.name { white-space: normal; }
.variants { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 4px 28px; }
.variant li.better::marker { color: #1e7a34; }
.variant li.worse::marker { color: var(--hot); }
.variant li.same { color: var(--muted); }
.diff.better { color: #1e7a34; }
.diff.worse { color: var(--hot); }
.diff.same { color: var(--muted); }
.diff.changed { color: #33414f; }
.verdict-tag { display: inline-block; font-size: 0.7rem; font-weight: 700; letter-spacing: 0.04em;
  text-transform: uppercase; border-radius: 4px; padding: 1px 6px; margin-left: 6px; vertical-align: 2px; }
.verdict-tag.better { background: #e3f4e7; color: #1e7a34; }
.verdict-tag.worse { background: var(--hot-soft); color: var(--hot); }
.verdict-tag.same { background: var(--soft); color: var(--muted); }
table.side td:first-child { min-width: 11em; white-space: normal; }
table.side td, table.stage-compare td { line-height: 1.3; }
tr.baseline td { background: #f3f6fb; }
ol.ranking { margin: 8px 0 14px; padding-left: 24px; }
ol.ranking li { margin: 3px 0; }
.variant { margin: 18px 0 0; break-inside: avoid; }
.variant ul { margin: 6px 0 0; padding-left: 20px; }
.variant .description { font-size: 0.95rem; margin: 0 0 4px; color: var(--muted); }
dl.settings dd ul { margin: 0; padding-left: 18px; }
"#;

/// Whether a lower value of a compared statistic is better (`Some(true)`), a higher one
/// (`Some(false)`), or neither (`None`: utilization).
fn lower_is_better(metric: &str) -> Option<bool> {
    match metric {
        "throughput" | "flow_efficiency" => Some(false),
        m if m.starts_with("utilization:") => None,
        _ => Some(true),
    }
}

/// `better`, `worse`, `same` (no detectable difference) or `changed` (detectable, neither).
fn diff_class(metric: &str, d: &crate::metrics::compare::Difference) -> &'static str {
    if !d.distinguishable() {
        return "same";
    }
    match lower_is_better(metric) {
        Some(lower) if (d.estimate < 0.0) == lower => "better",
        Some(_) => "worse",
        None => "changed",
    }
}

/// A signed number: `+0.25`, `-5.29`.
fn signed(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", fmt_num(v))
    } else {
        fmt_num(v)
    }
}

/// The difference of a statistic under an alternative's figure: `-5.29 (-5.73 to -4.85)`,
/// coloured by its verdict. `k` scales it (100 for percentage points) and `unit` follows it.
fn diff_html(
    s: &crate::whatif::compare::ScenarioFigures,
    metric: &str,
    k: f64,
    unit: &str,
) -> String {
    let Some(d) = s.difference.as_ref().and_then(|m| m.get(metric)) else {
        return String::new();
    };
    if !d.estimate.is_finite() {
        return String::new();
    }
    // Differences that round to zero everywhere are no change worth a colour.
    if [d.estimate, d.ci_low, d.ci_high]
        .iter()
        .all(|v| (v * k).abs() < 5e-4)
    {
        return "<span class=\"diff same\">no change</span>".to_string();
    }
    let ci = if d.ci_low.is_finite() && d.ci_high.is_finite() {
        format!(
            "<span class=\"ci\">{} to {}</span>",
            signed(d.ci_low * k),
            signed(d.ci_high * k)
        )
    } else {
        "<span class=\"ci\">no interval</span>".to_string()
    };
    format!(
        "<span class=\"diff {}\">{}{unit}{ci}</span>",
        diff_class(metric, d),
        signed(d.estimate * k)
    )
}

/// A verdict tag: better, worse, or no detectable difference.
fn verdict_tag(class: &str, lower_better: bool) -> &'static str {
    match (class, lower_better) {
        ("better", true) => "<span class=\"verdict-tag better\">sooner</span>",
        ("better", false) => "<span class=\"verdict-tag better\">better</span>",
        ("worse", true) => "<span class=\"verdict-tag worse\">later</span>",
        ("worse", false) => "<span class=\"verdict-tag worse\">worse</span>",
        _ => "<span class=\"verdict-tag same\">no detectable difference</span>",
    }
}

fn compare_header(h: &mut String, c: &crate::whatif::compare::Comparison, has_charts: bool) {
    let others = c.scenarios.len().saturating_sub(1);
    let _ = writeln!(
        h,
        "<header>\n<p class=\"kicker\">flowsim what-if comparison</p>"
    );
    let _ = writeln!(
        h,
        "<h1>{}: {others} {} compared</h1>",
        escape(&c.baseline),
        if others == 1 {
            "alternative"
        } else {
            "alternatives"
        }
    );
    if let Some(d) = c
        .scenarios
        .first()
        .and_then(|s| s.description.as_deref())
        .filter(|d| !d.trim().is_empty())
    {
        let _ = writeln!(h, "<p class=\"description\">{}</p>", escape(d.trim()));
    }
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} {} of each scenario · seed {} · common random numbers · all times \
         in {} · flowsim {}</p>",
        thousands(c.runs.into()),
        plural(f64::from(c.runs), "simulated run", "simulated runs"),
        c.seed,
        c.time_unit.plural(),
        escape(&c.flowsim_version)
    );
    let mut links = vec![
        ("answer", "The answer"),
        ("side-by-side", "Side by side"),
        ("verdicts", "Every difference"),
        ("stages", "Stages"),
    ];
    if has_charts {
        links.push(("charts", "Charts"));
    }
    links.push(("method", "How it was compared"));
    h.push_str("<nav>");
    for (id, text) in links {
        let _ = write!(h, "<a href=\"#{id}\">{text}</a>");
    }
    h.push_str("</nav>\n</header>\n");
}

/// The index of the scenario with the shortest P85 lead time (the first on ties).
fn best_on_p85(c: &crate::whatif::compare::Comparison) -> Option<usize> {
    let p85 = |i: usize| {
        c.scenarios[i]
            .lead_time
            .as_ref()
            .map(|d| d.p85)
            .filter(|v| v.is_finite())
    };
    (0..c.scenarios.len())
        .filter(|&i| p85(i).is_some())
        .min_by(|&a, &b| {
            p85(a)
                .unwrap_or(f64::INFINITY)
                .total_cmp(&p85(b).unwrap_or(f64::INFINITY))
                .then(a.cmp(&b))
        })
}

fn compare_answer(h: &mut String, c: &crate::whatif::compare::Comparison) {
    let unit = c.time_unit.plural();
    let others = c.scenarios.len().saturating_sub(1);
    h.push_str("<section id=\"answer\">\n<h2>The question and the answer</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"question\"><strong>The question:</strong> would {} deliver sooner than \
         {} as it is today, and by how much? Compared on P85 lead time: the time within which \
         85% of items are delivered, from the moment they are requested.</p>",
        if others == 1 {
            format!("the alternative, {},", escape(&c.scenarios[1].name))
        } else {
            format!("any of the {others} alternatives")
        },
        escape(&c.baseline)
    );
    let p85_of = |i: usize| c.scenarios[i].lead_time.as_ref();
    let base = p85_of(0);
    let best = best_on_p85(c);
    let diff = |i: usize| {
        c.scenarios[i]
            .difference
            .as_ref()
            .and_then(|m| m.get("p85"))
            .filter(|d| d.estimate.is_finite())
    };
    // The headline and its explanation.
    let (headline, detail) = match (base, best) {
        (None, _) => (
            "No answer: the baseline measured no item".to_string(),
            "No item past the warm-up was delivered in the baseline&#39;s runs, so there is \
             no lead time to compare with. Lengthen the horizon or shorten the warm-up."
                .to_string(),
        ),
        (Some(_), None) | (Some(_), Some(0)) => {
            let runner_up = (1..c.scenarios.len())
                .filter(|&i| p85_of(i).is_some_and(|d| d.p85.is_finite()))
                .min_by(|&a, &b| {
                    let v = |i: usize| p85_of(i).map_or(f64::INFINITY, |d| d.p85);
                    v(a).total_cmp(&v(b)).then(a.cmp(&b))
                });
            let head = if others == 0 {
                "There is nothing to compare with".to_string()
            } else {
                "None of the alternatives delivers sooner than the baseline".to_string()
            };
            let detail = match runner_up.and_then(|i| Some((i, diff(i)?))) {
                Some((i, d)) if d.distinguishable() => format!(
                    "The baseline has the shortest P85 lead time; the closest alternative, \
                     {}, is {} {unit} later (95% CI {} to {} {unit}).",
                    escape(&c.scenarios[i].name),
                    fmt_num(d.estimate),
                    fmt_num(d.ci_low),
                    fmt_num(d.ci_high)
                ),
                Some((i, d)) => format!(
                    "The baseline has the shortest P85 lead time, but the closest alternative, \
                     {}, is not detectably different (95% CI {} to {} {unit}).",
                    escape(&c.scenarios[i].name),
                    signed(d.ci_low),
                    signed(d.ci_high)
                ),
                None => "No alternative has a lead time to compare with.".to_string(),
            };
            (head, detail)
        }
        (Some(b), Some(i)) => {
            let name = escape(&c.scenarios[i].name);
            let v = p85_of(i).expect("best is measured");
            match diff(i) {
                Some(d) if d.distinguishable() => (
                    format!(
                        "Delivers soonest: {name}, with P85 lead time {} {unit} shorter",
                        fmt_num(-d.estimate)
                    ),
                    format!(
                        "With {name}, 85% of items are delivered within {} {unit}, against {} \
                         {unit} for {} today: {} {unit} sooner, with a 95% confidence interval \
                         of {} to {} {unit} sooner.",
                        pm(v.p85, v.p85_se),
                        pm(b.p85, b.p85_se),
                        escape(&c.baseline),
                        fmt_num(-d.estimate),
                        fmt_num(-d.ci_high),
                        fmt_num(-d.ci_low)
                    ),
                ),
                Some(d) => (
                    "No alternative delivers detectably sooner".to_string(),
                    format!(
                        "{name} has the shortest P85 lead time, {} {unit} against {} {unit} \
                         for the baseline, but the difference could be chance: its 95% \
                         confidence interval, {} to {} {unit}, includes no change.",
                        pm(v.p85, v.p85_se),
                        pm(b.p85, b.p85_se),
                        signed(d.ci_low),
                        signed(d.ci_high)
                    ),
                ),
                None => (
                    format!("Shortest P85 lead time: {name}"),
                    format!(
                        "{} {unit} against {} {unit} for the baseline (too few runs for a \
                         confidence interval).",
                        pm(v.p85, v.p85_se),
                        pm(b.p85, b.p85_se)
                    ),
                ),
            }
        }
    };
    let _ = writeln!(
        h,
        "<div class=\"callout answer-box\"><h3>{headline}</h3><p>{detail}</p></div>"
    );
    // Cards: today, the best alternative, the difference.
    if let (Some(b), Some(i)) = (base, best.filter(|&i| i > 0)) {
        let v = p85_of(i).expect("best is measured");
        let d = diff(i);
        h.push_str("<div class=\"cards\">\n");
        let _ = writeln!(
            h,
            "<div class=\"card\"><div class=\"label\">Today ({}): 85% of items within</div>\
             <div class=\"value\">{}</div><div class=\"note\">P85 lead time of the \
             baseline</div></div>",
            escape(&c.baseline),
            big(b.p85, b.p85_se, unit)
        );
        let _ = writeln!(
            h,
            "<div class=\"card key\"><div class=\"label\">With {}: 85% of items within</div>\
             <div class=\"value\">{}</div><div class=\"note\">the shortest P85 of all \
             scenarios</div></div>",
            escape(&c.scenarios[i].name),
            big(v.p85, v.p85_se, unit)
        );
        match d {
            Some(d) => {
                let _ = writeln!(
                    h,
                    "<div class=\"card\"><div class=\"label\">Difference in P85</div>\
                     <div class=\"value\">{} <span class=\"unit\">{}</span></div>\
                     <div class=\"note\">95% confidence interval {} to {} {unit}</div></div>",
                    signed(d.estimate),
                    escape(unit),
                    signed(d.ci_low),
                    signed(d.ci_high)
                );
            }
            None => {
                let _ = writeln!(
                    h,
                    "<div class=\"card\"><div class=\"label\">Difference in P85</div>\
                     <div class=\"value\">-</div><div class=\"note\">not available</div></div>"
                );
            }
        }
        h.push_str("</div>\n");
    }
    // Every scenario, shortest P85 first.
    let mut order: Vec<usize> = (0..c.scenarios.len()).collect();
    let key = |i: &usize| {
        p85_of(*i)
            .map(|d| d.p85)
            .filter(|v| v.is_finite())
            .unwrap_or(f64::INFINITY)
    };
    order.sort_by(|a, b| key(a).total_cmp(&key(b)).then(a.cmp(b)));
    if c.scenarios.len() > 1 {
        h.push_str(
            "<p>All scenarios, shortest P85 lead time first (after ± the Monte Carlo \
             precision, one standard error):</p>\n<ol class=\"ranking\">\n",
        );
        for i in order {
            let s = &c.scenarios[i];
            let value = s
                .lead_time
                .as_ref()
                .filter(|d| d.p85.is_finite())
                .map_or("no item measured".to_string(), |d| {
                    format!("{} {unit}", pm(d.p85, d.p85_se))
                });
            let tail = if i == 0 {
                " <span class=\"verdict-tag same\">baseline</span>".to_string()
            } else {
                match s.difference.as_ref().and_then(|m| m.get("p85")) {
                    Some(d) if d.estimate.is_finite() => format!(
                        ": {} {unit} (95% CI {} to {}){}",
                        signed(d.estimate),
                        signed(d.ci_low),
                        signed(d.ci_high),
                        verdict_tag(diff_class("p85", d), true)
                    ),
                    _ => String::new(),
                }
            };
            let _ = writeln!(
                h,
                "<li><strong>{}</strong>: P85 {value}{tail}</li>",
                escape(&s.name)
            );
        }
        h.push_str("</ol>\n");
    }
    let warnings: Vec<String> = c
        .scenarios
        .iter()
        .flat_map(|s| {
            s.warnings.iter().map(move |w| {
                format!(
                    "<li><strong>{}</strong>: {}</li>",
                    escape(&s.name),
                    escape(w)
                )
            })
        })
        .collect();
    if !warnings.is_empty() {
        let _ = writeln!(
            h,
            "<div class=\"callout warnings\">\n<h3>Warnings from the runs</h3>\n<ul>\n{}\n</ul>\n</div>",
            warnings.join("\n")
        );
    }
    h.push_str("</section>\n");
}

fn compare_table(h: &mut String, c: &crate::whatif::compare::Comparison) {
    h.push_str("<section id=\"side-by-side\">\n<h2>Side by side</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"intro\">After ± the Monte Carlo precision (one standard error). Under each \
         alternative&#39;s figure: its difference from the baseline and, under that, the 95% \
         confidence interval of the difference; <span class=\"better-word\">green</span> when \
         the alternative is better, <span class=\"worse-word\">red</span> when it is worse, \
         grey when there is no detectable difference (the interval includes zero).</p>"
    );
    for cols in column_groups(c.scenarios.len()) {
        side_table(h, c, &cols);
    }
    h.push_str("</section>\n");
}

/// The scenarios shown in each table: the baseline and at most four alternatives, so that a
/// table fits the page; more alternatives make more tables.
fn column_groups(n: usize) -> Vec<Vec<usize>> {
    let others: Vec<usize> = (1..n).collect();
    if others.is_empty() {
        return vec![vec![0]];
    }
    others
        .chunks(4)
        .map(|chunk| std::iter::once(0).chain(chunk.iter().copied()).collect())
        .collect()
}

/// One table of the figures side by side, for the scenarios `cols`.
fn side_table(h: &mut String, c: &crate::whatif::compare::Comparison, cols: &[usize]) {
    let unit = c.time_unit.plural();
    let per = c.time_unit.singular();
    h.push_str("<div class=\"table-wrap\"><table class=\"side\">\n<thead><tr><th></th>");
    for &i in cols {
        let s = &c.scenarios[i];
        let _ = write!(
            h,
            "<th data-scenario=\"{i}\">{}{}</th>",
            escape(&s.name),
            if i == 0 {
                " <span class=\"verdict-tag same\">baseline</span>"
            } else {
                ""
            }
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    type Figure = fn(&crate::whatif::compare::ScenarioFigures) -> Option<String>;
    let rows: [(&str, String, Figure, f64, &str); 7] = [
        (
            "p50",
            format!("P50 lead time ({unit})"),
            |s| s.lead_time.as_ref().map(|d| pm(d.p50, d.p50_se)),
            1.0,
            "",
        ),
        (
            "p85",
            format!("P85 lead time ({unit})"),
            |s| s.lead_time.as_ref().map(|d| pm(d.p85, d.p85_se)),
            1.0,
            "",
        ),
        (
            "p95",
            format!("P95 lead time ({unit})"),
            |s| s.lead_time.as_ref().map(|d| pm(d.p95, d.p95_se)),
            1.0,
            "",
        ),
        (
            "mean",
            format!("Mean lead time ({unit})"),
            |s| s.lead_time.as_ref().map(|d| pm(d.mean, d.mean_se)),
            1.0,
            "",
        ),
        (
            "throughput",
            format!("Throughput (items per {per})"),
            |s| s.throughput.map(|t| pm(t.mean, t.se)),
            1.0,
            "",
        ),
        (
            "flow_efficiency",
            "Flow efficiency (work / lead time)".to_string(),
            |s| {
                s.flow_efficiency
                    .as_ref()
                    .map(|f| pm_pct(f.ratio_of_sums, f.ratio_of_sums_se))
            },
            100.0,
            " pts",
        ),
        (
            "wip",
            "WIP (items in progress or waiting)".to_string(),
            |s| s.wip.as_ref().map(|w| pm(w.mean, w.se)),
            1.0,
            "",
        ),
    ];
    for (metric, label, figure, k, unit) in rows {
        let _ = write!(
            h,
            "<tr data-metric=\"{metric}\"><td>{}</td>",
            escape(&label)
        );
        for &i in cols {
            let s = &c.scenarios[i];
            let _ = write!(
                h,
                "<td data-metric=\"{metric}\" data-scenario=\"{i}\">{}{}</td>",
                figure(s).unwrap_or_else(|| "-".to_string()),
                diff_html(s, metric, k, unit)
            );
        }
        h.push_str("</tr>\n");
    }
    let base_bottleneck = c.scenarios.first().and_then(|s| s.bottleneck.clone());
    h.push_str("<tr data-metric=\"bottleneck\"><td>Bottleneck</td>");
    for &i in cols {
        let s = &c.scenarios[i];
        let moved = i > 0 && s.bottleneck != base_bottleneck;
        let _ = write!(
            h,
            "<td class=\"name\" data-metric=\"bottleneck\" data-scenario=\"{i}\">{}{}</td>",
            s.bottleneck.as_deref().map_or("-".to_string(), escape),
            if moved {
                "<span class=\"diff changed\">moved</span>"
            } else {
                ""
            }
        );
    }
    h.push_str("</tr>\n</tbody></table></div>\n");
}

fn compare_verdicts(h: &mut String, run: &crate::whatif::compare::ComparisonRun) {
    let c = &run.comparison;
    h.push_str("<section id=\"verdicts\">\n<h2>Every difference, in words</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"intro\">Each alternative against {}: the difference of each statistic with \
         its 95% confidence interval. &ldquo;No detectable difference&rdquo; means the interval \
         includes zero: with this many runs the change cannot be told apart from chance.</p>\n\
         <div class=\"variants\">",
        escape(&c.baseline)
    );
    for (i, s) in c.scenarios.iter().enumerate().skip(1) {
        let _ = writeln!(h, "<div class=\"variant\">\n<h3>{}</h3>", escape(&s.name));
        if let Some(d) = own_description(c, i) {
            let _ = writeln!(h, "<p class=\"description\">{}</p>", escape(d.trim()));
        }
        if s.verdicts.is_empty() {
            h.push_str(
                "<p class=\"missing\">No difference could be computed: one of the two \
                 scenarios measured no item.</p>\n",
            );
        } else {
            h.push_str("<ul>\n");
            let compared = run.compared.get(i);
            for (k, v) in s.verdicts.iter().enumerate() {
                // The verdict's statistic, when known, colours its bullet.
                let class = compared
                    .and_then(|cs| cs.get(k))
                    .filter(|x| &x.verdict == v)
                    .map(|x| diff_class(&x.metric, &x.difference));
                let _ = writeln!(
                    h,
                    "<li{}>{}</li>",
                    class.map_or(String::new(), |c| format!(" class=\"{c}\"")),
                    escape(v)
                );
            }
            h.push_str("</ul>\n");
        }
        h.push_str("</div>\n");
    }
    h.push_str("</div>\n</section>\n");
}

/// A scenario's description, unless it is the baseline's (which a variant without its own
/// inherits).
fn own_description(c: &crate::whatif::compare::Comparison, i: usize) -> Option<&str> {
    let d = c.scenarios.get(i)?.description.as_deref()?;
    let base = c.scenarios.first()?.description.as_deref();
    (!d.trim().is_empty() && (i == 0 || base != Some(d))).then_some(d)
}

/// Every stage of any scenario, in flow order: the baseline's, with a scenario's new stages
/// after the stage they follow.
fn stage_names(c: &crate::whatif::compare::Comparison) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in &c.scenarios {
        for (j, st) in s.stages.iter().enumerate() {
            if names.contains(&st.name) {
                continue;
            }
            let at = if j == 0 {
                0
            } else {
                names
                    .iter()
                    .position(|n| *n == s.stages[j - 1].name)
                    .map_or(names.len(), |p| p + 1)
            };
            names.insert(at, st.name.clone());
        }
    }
    names
}

fn compare_stages(h: &mut String, c: &crate::whatif::compare::Comparison) {
    let unit = c.time_unit.plural();
    let names = stage_names(c);
    h.push_str("<section id=\"stages\">\n<h2>Stage by stage</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"intro\">How busy each stage&#39;s people are, and how long an item waits \
         there on average ({unit} per item, all visits added up), in each scenario. Under each \
         alternative&#39;s figure: its difference from the baseline with the 95% confidence \
         interval. A dash: the scenario has no such stage, or the stage has no people of its \
         own.</p>"
    );
    for (what, caption) in [
        (
            "utilization",
            "Utilization: share of the people's time spent working",
        ),
        ("wait", "Mean wait per item"),
    ] {
        for cols in column_groups(c.scenarios.len()) {
            let head: String = cols
                .iter()
                .map(|&i| {
                    format!(
                        "<th>{}{}</th>",
                        escape(&c.scenarios[i].name),
                        if i == 0 { " (baseline)" } else { "" }
                    )
                })
                .collect();
            let _ = writeln!(
                h,
                "<div class=\"table-wrap\"><table class=\"stage-compare {what}\">\n<caption>{}{}\
                 </caption>\n<thead><tr><th>Stage</th>{head}</tr></thead>\n<tbody>",
                escape(caption),
                if what == "wait" {
                    format!(" ({unit})")
                } else {
                    String::new()
                }
            );
            for name in &names {
                let mut row = format!("<tr><td>{}</td>", escape(name));
                for &i in &cols {
                    let s = &c.scenarios[i];
                    let st = s.stages.iter().find(|x| &x.name == name);
                    let key = format!("{what}:{name}");
                    let text = match (st, what) {
                        (None, _) => {
                            "<span class=\"muted\">not in this scenario</span>".to_string()
                        }
                        (Some(st), "utilization") => match st.utilization {
                            Some(u) => format!(
                                "<span class=\"num\">{}</span>{}",
                                fmt_pct(u),
                                diff_html(s, &key, 100.0, " pts")
                            ),
                            None => "-".to_string(),
                        },
                        (Some(st), _) if s.lead_time.is_some() => format!(
                            "<span class=\"num\">{}</span>{}",
                            fmt_num(st.mean_wait),
                            diff_html(s, &key, 1.0, "")
                        ),
                        (Some(_), _) => "-".to_string(),
                    };
                    row += &format!("<td>{text}</td>");
                }
                row += "</tr>";
                h.push_str(&row);
                h.push('\n');
            }
            h.push_str("</tbody></table></div>\n");
        }
    }
    h.push_str("</section>\n");
}

fn compare_method(h: &mut String, c: &crate::whatif::compare::Comparison) {
    h.push_str(
        "<section id=\"method\">\n<h2>How the comparison was made</h2>\n<dl class=\"settings\">\n",
    );
    let mut row = |k: &str, v: String| {
        let _ = writeln!(h, "<dt>{k}</dt><dd>{v}</dd>");
    };
    let list: Vec<String> = c
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "<li><strong>{}</strong>{}{}</li>",
                escape(&s.name),
                if i == 0 { " (the baseline)" } else { "" },
                own_description(c, i).map_or(String::new(), |d| format!(": {}", escape(d.trim())))
            )
        })
        .collect();
    row("Scenarios", format!("<ul>{}</ul>", list.join("")));
    row(
        "Runs",
        format!(
            "{} Monte Carlo {} of every scenario",
            thousands(c.runs.into()),
            plural(f64::from(c.runs), "replication", "replications")
        ),
    );
    row(
        "Seed",
        format!(
            "{} for every scenario (the same seed and runs give the same results, bit for bit)",
            c.seed
        ),
    );
    row(
        "Common random numbers",
        "Every scenario ran the same replications with the same seed. Replication r of one \
         scenario saw the same arrivals and the same work as replication r of another, except \
         for what the change changed, so the differences come from the change and not from \
         luck, and far fewer runs are needed to tell them apart."
            .to_string(),
    );
    row(
        "Confidence intervals",
        "The replications are grouped into batches (replication r in batch r mod 20). For each \
         statistic the difference from the baseline is taken batch by batch; the spread of \
         those paired differences gives its standard error, se = sd / &radic;B over the B \
         batches, and the 95% interval is the estimate &plusmn; t(B&minus;1) &times; se. The \
         estimate itself is the difference of the statistics over all replications together."
            .to_string(),
    );
    row(
        "Verdicts",
        "A difference is detectable when its 95% interval excludes zero; otherwise it is \
         reported as no detectable difference. Lower lead times and WIP are better; higher \
         throughput and flow efficiency are better."
            .to_string(),
    );
    row(
        "Precision (&plusmn;)",
        "After &plusmn;: the Monte Carlo standard error of a scenario&#39;s own figure, from \
         the spread between batches of replications (batch means for percentiles)."
            .to_string(),
    );
    row("Time unit", c.time_unit.plural().to_string());
    row("flowsim version", escape(&c.flowsim_version));
    h.push_str("</dl>\n</section>\n");
}
