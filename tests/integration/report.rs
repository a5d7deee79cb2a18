//! report.html: what it says, escaping of everything that comes from the scenario, regeneration
//! with `flowsim report`, and the page as a real browser (headless Chromium) renders it.
//!
//! The browser tests need `chromium` on PATH (`.ci/run` installs it); without it they print why
//! they were skipped and pass.

use crate::common::{
    self, assert_not_blank, chromium, dom_text, drawn_shapes, dump_dom, flowsim, flowsim_ok,
    path_str, screenshot_whole_page,
};
use flowsim::metrics::Summary;
use flowsim::metrics::charts::ChartData;
use flowsim::report::charts::{Chart, render_all};
use flowsim::report::html::{escape, report_html};
use std::path::Path;

const FEATURE_DELIVERY: &str = include_str!("../../scenarios/feature-delivery.toml");

/// A scenario whose names and description try to inject markup, with a team (named like an
/// `<img>` with an event handler) that is the bottleneck, so its name is in the bottleneck
/// sentence too.
const HOSTILE: &str = r#"
name = "Hostile <i>name</i> & co"
description = "A description with <b>&\"' in it"

[simulation]
runs = 24
seed = 5
items = 80

[arrivals]
rate = 0.5

[[work_types]]
name = "<b>&\"'"
share = 0.6

[[work_types]]
name = "plain"
share = 0.4

[[teams]]
name = "<img src=x onerror=alert(1)>"
people = 1

[[stages]]
name = "<script>alert(1)</script>"
workers = 2
duration = { dist = "exponential", mean = 1 }

[[stages]]
name = "Review"
team = "<img src=x onerror=alert(1)>"
duration = { dist = "exponential", mean = 1.5 }
"#;

const STAGE_ESCAPED: &str = "&lt;script&gt;alert(1)&lt;/script&gt;";
const TYPE_ESCAPED: &str = "&lt;b&gt;&amp;&quot;&#39;";
const TEAM_ESCAPED: &str = "&lt;img src=x onerror=alert(1)&gt;";

/// Markup that must never appear in a page or chart made from [`HOSTILE`]; the team's
/// `onerror=alert(1)` may appear only inside its escaped name.
fn assert_no_injected_markup(what: &str, text: &str) {
    let lower = text.to_ascii_lowercase();
    for bad in ["<script", "<b>", "<i>", "<img"] {
        assert!(
            !lower.contains(bad),
            "{what} contains the markup {bad:?} (at byte {})",
            lower.find(bad).unwrap_or(0)
        );
    }
    for (at, _) in lower.match_indices("onerror=") {
        assert!(
            lower[..at].ends_with("&lt;img src=x "),
            "{what}: an event handler outside the escaped team name at byte {at}"
        );
    }
}

/// Files in a directory whose names end with one of `exts`, sorted.
fn files_with(dir: &Path, exts: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| {
            e.expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| exts.iter().any(|x| n.ends_with(x)))
        .collect();
    names.sort();
    names
}

/// Reads a run's saved results and draws its charts as `flowsim run` did.
fn saved_charts(dir: &Path) -> (Summary, Vec<Chart>) {
    let summary: Summary =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).expect("summary.json"))
            .expect("summary.json parses");
    let data: ChartData =
        serde_json::from_slice(&std::fs::read(dir.join("charts.json")).expect("charts.json"))
            .expect("charts.json parses");
    let charts = render_all(&summary, &data).expect("charts draw");
    (summary, charts)
}

/// The page as text: tags removed, the entities `escape` writes decoded, white space collapsed.
fn page_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A number on the page, with the ± error written after it, if any.
struct Shown {
    value: f64,
    se: Option<f64>,
    /// As written: `34.6 ± 0.3`.
    raw: String,
    /// Decimal places of the value.
    decimals: i32,
}

/// The number that follows `label` in `text`.
fn number_after(text: &str, label: &str) -> Shown {
    let at = text
        .find(label)
        .unwrap_or_else(|| panic!("the page does not say {label:?}:\n{text}"));
    let mut words = text[at + label.len()..].split_whitespace();
    let num = |w: &str| -> f64 {
        w.trim_end_matches('%')
            .parse()
            .unwrap_or_else(|_| panic!("no number after {label:?}: {w:?}"))
    };
    let first = words.next().expect("a word after the label");
    let mut shown = Shown {
        value: num(first),
        se: None,
        raw: first.to_string(),
        decimals: first
            .trim_end_matches('%')
            .split('.')
            .nth(1)
            .map_or(0, |d| d.len() as i32),
    };
    if words.next() == Some("±") {
        let e = words.next().expect("a number after ±");
        shown.se = Some(num(e));
        shown.raw = format!("{first} ± {e}");
    }
    shown
}

/// A fake chart: a white background, `bars` coloured bars, an axis and a label, as our renderer
/// would write it.
fn fake_chart(name: &str, title: &str, colour: &str, bars: usize) -> Chart {
    let (w, h) = (800, 400);
    let mut svg = format!(
        "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\">\n\
         <rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" opacity=\"1\" fill=\"#FFFFFF\" stroke=\"none\"/>\n"
    );
    for i in 0..bars {
        let bh = 40 + (i * 37) % 300;
        svg += &format!(
            "<rect x=\"{}\" y=\"{}\" width=\"20\" height=\"{bh}\" fill=\"{colour}\"/>\n",
            60 + i * 24,
            360 - bh
        );
    }
    svg += &format!(
        "<polyline fill=\"none\" stroke=\"#000000\" points=\"50,20 50,360 {},360 \"/>\n\
         <text x=\"400\" y=\"390\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"14\">{} &lt;days&gt;</text>\n</svg>\n",
        w - 20,
        escape(title)
    );
    Chart {
        name: name.into(),
        title: title.into(),
        how_to_read: format!("How to read {title}: taller bars & more items."),
        svg,
        png: Vec::new(),
    }
}

fn fake_charts() -> Vec<Chart> {
    vec![
        fake_chart(
            "lead-time-histogram",
            "Lead time <distribution>",
            "#4C78A8",
            28,
        ),
        fake_chart("where-the-time-goes", "Where the time goes", "#F58518", 20),
        fake_chart("stage-utilization", "Stage utilization", "#54A24B", 12),
    ]
}

// ---------------------------------------------------------------------------------------------
// What the page says (through the library)
// ---------------------------------------------------------------------------------------------

#[test]
fn report_states_the_headline_with_its_precision_and_every_table() {
    let run = common::run(&FEATURE_DELIVERY.replace("runs = 1000", "runs = 40"));
    let mut s = run.summary;
    s.warnings
        .push("stage \"Test\" is <overloaded> & queues grow".into());
    let charts = fake_charts();
    let html = report_html(&s, &charts, FEATURE_DELIVERY);
    let text = page_text(&html);

    assert!(html.starts_with("<!DOCTYPE html>\n"), "not an HTML5 page");
    assert!(html.contains(&format!("<h1>{}</h1>", escape(&s.scenario))));
    assert!(
        text.contains(
            s.description
                .as_deref()
                .expect("the example has a description")
        )
    );

    // The headline: P50, P85 and P95 of lead time, each with its standard error, rounded to the
    // error's leading digit (two digits when that is a 1), and within rounding of the summary.
    let lead = s.lead_time.as_ref().expect("lead times measured");
    for (label, v, se) in [
        ("Half of the items are done within", lead.p50, lead.p50_se),
        ("85% of items are done within", lead.p85, lead.p85_se),
        ("95% of items are done within", lead.p95, lead.p95_se),
    ] {
        let se = se.expect("40 runs give a standard error");
        let shown = number_after(&text, label);
        let shown_se = shown
            .se
            .unwrap_or_else(|| panic!("{label}: no ± on the page"));
        let half_ulp = 0.5 * 10f64.powi(-shown.decimals) + 1e-9;
        assert!(
            (shown.value - v).abs() <= half_ulp && (shown_se - se).abs() <= half_ulp,
            "{label}: page says {}, summary has {v} ± {se}",
            shown.raw
        );
        let digits = (shown_se * 10f64.powi(shown.decimals)).round();
        assert!(
            (1.0..20.0).contains(&digits),
            "{label}: ± {shown_se} is not written to one or two significant digits"
        );
        assert!(
            text.contains(&format!("{label} {} days", shown.raw)),
            "{label}: not one sentence with its unit"
        );
    }

    // Flow efficiency says which definition, throughput, WIP, the bottleneck and why, warnings.
    let f = s.flow_efficiency.as_ref().expect("flow efficiency");
    let fe = number_after(&text, "Flow efficiency").value;
    assert!(
        (fe - f.ratio_of_sums * 100.0).abs() < 0.051,
        "flow efficiency {fe}% vs {}",
        f.ratio_of_sums
    );
    assert!(text.contains("total work ÷ total lead time"));
    let tp = number_after(&text, "Throughput").value;
    let t = s.throughput.as_ref().expect("throughput").mean;
    assert!((tp - t).abs() / t < 0.01, "throughput {tp} vs {t}");
    assert!(text.contains("items done per day"));
    let wip = number_after(&text, "Work in progress").value;
    let w = s.wip.as_ref().expect("wip").mean;
    assert!((wip - w).abs() / w < 0.01, "WIP {wip} vs {w}");
    let b = s.bottleneck.as_deref().expect("a bottleneck");
    assert!(text.contains(&format!("Bottleneck: {b}")));
    assert!(text.contains(s.bottleneck_reason.as_deref().expect("a reason")));
    assert!(html.contains("stage &quot;Test&quot; is &lt;overloaded&gt; &amp; queues grow"));
    // The headline comes before everything else.
    let headline = html.find("85% of items are done within").unwrap();
    assert!(headline < html.find("id=\"charts\"").unwrap());
    assert!(html.find("Read this first").unwrap() < headline);

    // Every chart, in order, with its title above and its how-to-read line below its SVG.
    let mut at = 0;
    for c in &charts {
        let title = html[at..]
            .find(&format!("<h3>{}</h3>", escape(&c.title)))
            .unwrap_or_else(|| panic!("chart {} title missing or out of order", c.name))
            + at;
        let svg = html[title..]
            .find(c.svg.trim_end())
            .unwrap_or_else(|| panic!("chart {} SVG not inlined after its title", c.name))
            + title;
        let caption = html[svg..]
            .find(&format!(
                "<figcaption>{}</figcaption>",
                escape(&c.how_to_read)
            ))
            .unwrap_or_else(|| panic!("chart {} has no how-to-read line under it", c.name))
            + svg;
        at = caption;
    }
    assert_eq!(html.matches("<svg").count(), charts.len());

    // The stage table: one row per stage, the bottleneck marked, units in the headings.
    let table = &html[html.find("<table class=\"stages\">").expect("stage table")..];
    let table = &table[..table.find("</table>").unwrap()];
    for st in &s.stages {
        assert!(
            table.contains(&format!("<td>{}", escape(&st.name))),
            "stage {} has no row",
            st.name
        );
    }
    assert_eq!(table.matches("class=\"badge\">bottleneck").count(), 1);
    assert!(table.contains(&format!("<tr class=\"bottleneck\"><td>{}", escape(b))));
    for heading in [
        "People",
        "Utilization",
        "Mean wait (days)",
        "P85 wait (days)",
        "Mean work (days)",
        "Share of lead time",
        "Mean queue (items)",
        "Visits per item",
    ] {
        assert!(
            table.contains(&format!(">{heading}</th>")),
            "no column {heading}"
        );
    }
    assert!(table.contains("developers team (5)"));
    // Two work types: their table is there, with each type.
    let types = &html[html
        .find("<table class=\"work-types\">")
        .expect("work-type table")..];
    for t in &s.work_types {
        assert!(types.contains(&format!("<td>{}</td>", escape(&t.name))));
    }

    // The scenario as run: settings, version, the file text.
    for needle in [
        format!("<dt>Runs</dt><dd>{} Monte Carlo replications</dd>", s.runs),
        format!("<dt>Seed</dt><dd>{} ", s.seed),
        "<dt>Stop rule</dt><dd>300 items arrive in each run".to_string(),
        "<dt>Warm-up</dt><dd>none".to_string(),
        "<dt>Time unit</dt><dd>days</dd>".to_string(),
        format!("<dt>flowsim version</dt><dd>{}</dd>", s.flowsim_version),
    ] {
        assert!(html.contains(&needle), "missing {needle:?}");
    }
    assert!(html.contains(&format!(
        "<pre class=\"scenario\"><code>{}</code></pre>",
        escape(FEATURE_DELIVERY.trim_end())
    )));

    // Self-contained: nothing loaded from anywhere, no scripts; the only URL is the SVG namespace.
    let lower = html.to_ascii_lowercase();
    for bad in [
        "<script", "<link", "src=", "@import", "url(", "<iframe", "<object",
    ] {
        assert!(!lower.contains(bad), "the page contains {bad:?}");
    }
    assert_eq!(
        lower.matches("http").count(),
        lower
            .matches("xmlns=\"http://www.w3.org/2000/svg\"")
            .count(),
        "a URL other than the SVG namespace"
    );
    // Deterministic.
    assert_eq!(html, report_html(&s, &charts, FEATURE_DELIVERY));

    // A chart that draws its own title, as plotters writes text, keeps its heading for the
    // page's outline but hidden, so the title is not shown twice.
    let mut titled = fake_chart("titled", "Where's the time?", "#4C78A8", 6);
    titled.svg = titled.svg.replace(
        "<polyline",
        "<text x=\"24\" y=\"14\">\nWhere&apos;s the time?\n</text>\n<polyline",
    );
    let html = report_html(&s, &[titled], "");
    assert!(html.contains("<h3 class=\"drawn\">Where&#39;s the time?</h3>"));
    assert!(html.contains("h3.drawn { position: absolute; width: 1px; height: 1px;"));
}

#[test]
fn fixed_scope_report_leads_with_when_everything_is_done() {
    let text =
        include_str!("../../scenarios/fixed-backlog.toml").replace("runs = 2000", "runs = 40");
    let s = common::run(&text).summary;
    let m = s.makespan.as_ref().expect("an items run has a makespan");
    let html = report_html(&s, &[], &text);
    let page = page_text(&html);
    let label = "85% of runs have all 40 items done within";
    let shown = number_after(&page, label);
    let half_ulp = 0.5 * 10f64.powi(-shown.decimals) + 1e-9;
    assert!(
        (shown.value - m.p85).abs() <= half_ulp && shown.se.is_some(),
        "makespan P85 shown as {}, summary has {} ± {:?}",
        shown.raw,
        m.p85,
        m.p85_se
    );
    // The makespan comes first and stands out; lead times follow as a second row.
    let makespan_at = html.find(label).expect("makespan headline");
    let lead_at = html
        .find("85% of items are done within")
        .expect("lead-time headline");
    assert!(makespan_at < lead_at);
    assert_eq!(html.matches("class=\"card key\"").count(), 1);
    assert!(html.find("class=\"card key\"").unwrap() < makespan_at);
    assert_eq!(html.matches("class=\"card minor\"").count(), 3);
    assert!(!page.contains("All done (P85)"), "the makespan twice");

    // A stream with arrivals keeps lead time first and the makespan as a figure below it.
    let open = common::run(&FEATURE_DELIVERY.replace("runs = 1000", "runs = 10")).summary;
    let page = page_text(&report_html(&open, &[], FEATURE_DELIVERY));
    assert!(!page.contains("85% of runs have all"));
    assert!(page.contains("All done (P85)"));
}

#[test]
fn report_without_charts_or_work_types_or_measured_items_still_reads() {
    let one_type = r#"
name = "Plain"
[simulation]
runs = 10
seed = 1
horizon = 50
warmup_items = 5
[arrivals]
rate = 1
[[stages]]
name = "Only"
workers = 2
duration = { dist = "exponential", mean = 1 }
"#;
    let s = common::run(one_type).summary;
    let html = report_html(&s, &[], one_type);
    assert!(html.contains("This report has no charts"));
    assert!(!html.contains("<svg"));
    assert!(
        !html.contains("id=\"work-types\""),
        "a work-type table for one type"
    );
    assert!(
        !html.contains("href=\"#charts\""),
        "a link to charts that are not there"
    );
    let text = page_text(&html);
    assert!(text.contains("Unfinished at the end"));
    assert!(text.contains("each run simulates 50 days (a horizon)"));
    assert!(text.contains("the first 5 items of each run are left out"));

    // Nothing measured: no lead times, no panic, and the page says so.
    let mut empty = s.clone();
    empty.lead_time = None;
    empty.cycle_time = None;
    empty.flow_efficiency = None;
    let text = page_text(&report_html(&empty, &[], one_type));
    assert!(text.contains("No item was measured"));
    assert!(!text.contains("85% of items are done within"));
}

#[test]
fn chart_svg_that_could_run_or_load_anything_is_not_inlined() {
    let s = common::run(&FEATURE_DELIVERY.replace("runs = 1000", "runs = 4")).summary;
    let good = fake_chart("good", "Good", "#4C78A8", 5);
    for bad_svg in [
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect onclick=\"alert(1)\"/></svg>",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><a href=\"javascript:alert(1)\"><text>x</text></a></svg>",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><style>body{display:none}</style></svg>",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><image href=\"https://example.com/x.png\"/></svg>",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><foreignObject><div>x</div></foreignObject></svg>",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect fill=\"url(https://example.com/p)\"/></svg>",
        "no svg at all",
    ] {
        let bad = Chart {
            name: "bad".into(),
            title: "Bad".into(),
            how_to_read: "x".into(),
            svg: bad_svg.into(),
            png: Vec::new(),
        };
        let html = report_html(&s, &[good.clone(), bad], "");
        let lower = html.to_ascii_lowercase();
        assert!(
            html.contains(good.svg.trim_end()),
            "a good chart was dropped"
        );
        assert_eq!(lower.matches("<svg").count(), 1, "{bad_svg} was inlined");
        for word in [
            "<script",
            "onclick",
            "javascript:",
            "<style>body",
            "example.com",
            "<foreignobject",
        ] {
            assert!(!lower.contains(word), "{bad_svg}: {word} is in the page");
        }
        assert!(html.contains("This chart cannot be shown here; open bad.svg or bad.png"));
    }
}

/// What plotters' SVG backend (which draws our charts) does with markup in text: it escapes
/// `<`, `>`, `&`, `"` and `'` in text and attribute values.
#[test]
fn plotters_svg_backend_escapes_text() {
    use plotters::prelude::*;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (200, 100)).into_drawing_area();
        root.draw(&Text::new(
            "<script>alert(1)</script> & <b>\"'",
            (10, 10),
            ("sans-serif", 12),
        ))
        .expect("text draws without a font lookup in SVG");
        root.present().expect("svg finishes");
    }
    assert!(
        svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;&quot;&apos;"),
        "plotters wrote: {svg}"
    );
    assert!(!svg.contains("<script"));
}

// ---------------------------------------------------------------------------------------------
// Through the real binary
// ---------------------------------------------------------------------------------------------

#[test]
fn hostile_names_are_escaped_in_the_report_and_the_charts() {
    let dir = common::temp_dir("report-hostile");
    let scenario = dir.join("hostile.toml");
    std::fs::write(&scenario, HOSTILE).unwrap();
    let out = dir.join("out");
    flowsim_ok(&["run", path_str(&scenario), "--out", path_str(&out), "-q"]);

    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html written");
    assert_no_injected_markup("report.html", &html);
    for escaped in [STAGE_ESCAPED, TYPE_ESCAPED, TEAM_ESCAPED] {
        assert!(html.contains(escaped), "report.html lacks {escaped}");
    }
    assert!(html.contains("<h1>Hostile &lt;i&gt;name&lt;/i&gt; &amp; co</h1>"));
    assert!(html.contains("A description with &lt;b&gt;&amp;&quot;&#39; in it"));
    // The bottleneck is the team's stage, and its sentence names the team, escaped.
    assert!(html.contains("Bottleneck: Review"));
    assert!(html.contains(&format!("the &quot;{TEAM_ESCAPED}&quot; team")));
    // The scenario text, escaped in its <pre>.
    assert!(html.contains(&format!("name = &quot;{STAGE_ESCAPED}&quot;")));
    assert!(html.contains(&escape(HOSTILE.trim_end())));

    let svgs = files_with(&out, &[".svg"]);
    let mut names_shown = 0;
    for f in &svgs {
        let svg = std::fs::read_to_string(out.join(f)).unwrap();
        assert_no_injected_markup(f, &svg);
        if svg.contains(STAGE_ESCAPED) {
            names_shown += 1;
        }
    }
    if svgs.is_empty() {
        eprintln!("note: the run drew no charts, so no chart SVG was checked for escaping");
    } else {
        assert!(
            names_shown > 0,
            "no chart shows the stage name, escaped, among {svgs:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn report_command_regenerates_identical_files_and_names_what_is_missing() {
    let dir = common::temp_dir("report-regenerate");
    let (a, a2, b) = (dir.join("a"), dir.join("a2"), dir.join("b"));
    for out in [&a, &a2] {
        flowsim_ok(&["run", "--runs", "30", "--out", path_str(out), "-q"]);
    }
    flowsim_ok(&["report", path_str(&a), "--out", path_str(&b)]);

    let made = |d: &Path| {
        let mut names = files_with(d, &[".svg", ".png"]);
        names.push("report.html".into());
        names.sort();
        names
    };
    let in_a = made(&a);
    assert_eq!(
        files_with(&b, &[""]),
        in_a,
        "flowsim report wrote other files than the run's charts and report"
    );
    for name in &in_a {
        let (x, y, z) = (
            std::fs::read(a.join(name)).unwrap(),
            std::fs::read(b.join(name)).unwrap(),
            std::fs::read(a2.join(name)).unwrap(),
        );
        assert!(!x.is_empty(), "{name} is empty");
        assert!(
            x == y,
            "{name} differs between the run and `flowsim report`"
        );
        assert!(x == z, "{name} differs between two identical runs");
    }
    let html = std::fs::read_to_string(b.join("report.html")).unwrap();
    assert!(html.contains("85% of items are done within"));

    // A --no-charts run has no charts.json: `flowsim report` says so and writes nothing.
    let (c, d) = (dir.join("c"), dir.join("d"));
    flowsim_ok(&[
        "run",
        "--runs",
        "5",
        "--no-charts",
        "--out",
        path_str(&c),
        "-q",
    ]);
    assert!(c.join("report.html").exists() && !c.join("charts.json").exists());
    let out = flowsim(&["report", path_str(&c), "--out", path_str(&d)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(
        err.contains(&c.join("charts.json").display().to_string()) && err.contains("--no-charts"),
        "the message does not name charts.json and --no-charts: {err}"
    );
    assert!(
        !d.join("report.html").exists(),
        "a report was written anyway"
    );

    // An empty directory: summary.json is the first thing missing.
    let e = dir.join("empty");
    std::fs::create_dir_all(&e).unwrap();
    let out = flowsim(&["report", path_str(&e)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(
        err.contains(&e.join("summary.json").display().to_string()),
        "the message does not name summary.json: {err}"
    );
    assert!(
        files_with(&e, &[""]).is_empty(),
        "files written to {}",
        e.display()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// In a real browser
// ---------------------------------------------------------------------------------------------

/// Each chart is in the rendered DOM: its figure holds exactly one `<svg>` with drawn shapes and
/// text, and its how-to-read line.
fn assert_charts_in_dom(dom: &str, charts: &[Chart]) {
    assert!(
        !dom.to_ascii_lowercase().contains("<script"),
        "a script in the DOM"
    );
    assert!(dom.contains("85% of items are done within"), "no headline");
    assert_eq!(
        dom.matches("<svg").count(),
        charts.len(),
        "the DOM has a different number of <svg> elements than charts"
    );
    for c in charts {
        let id = format!("id=\"chart-{}\"", c.name);
        let start = dom
            .find(&id)
            .unwrap_or_else(|| panic!("chart {} is not in the rendered DOM", c.name));
        let figure = &dom[start..start + dom[start..].find("</figure>").expect("figure closed")];
        assert_eq!(
            figure.matches("<svg").count(),
            1,
            "chart {}: svg count",
            c.name
        );
        let svg = &figure[figure.find("<svg").unwrap()..figure.find("</svg>").expect("svg closed")];
        let shapes = drawn_shapes(svg);
        assert!(shapes >= 5, "chart {} draws only {shapes} shapes", c.name);
        assert!(svg.contains("<text"), "chart {} has no text", c.name);
        assert!(
            figure.contains(&format!(
                "<figcaption>{}</figcaption>",
                dom_text(&c.how_to_read)
            )),
            "chart {} has no how-to-read line in the DOM",
            c.name
        );
    }
}

#[test]
fn browser_renders_a_real_report_whole_and_not_blank() {
    let Some(bin) = chromium("browser_renders_a_real_report_whole_and_not_blank") else {
        return;
    };
    let dir = common::temp_dir("report-browser-real");
    let out = dir.join("out");
    flowsim_ok(&["run", "--runs", "60", "--out", path_str(&out), "-q"]);
    let (_, charts) = saved_charts(&out);
    let page = out.join("report.html");

    let keep = std::env::temp_dir().join("flowsim-report-screenshot.png");
    let shot = screenshot_whole_page(&bin, &page, &dir, &keep);
    eprintln!(
        "screenshot of the report ({} charts): {}",
        charts.len(),
        keep.display()
    );
    assert_not_blank(&shot, 3000);
    assert_charts_in_dom(&dump_dom(&bin, &page, &dir), &charts);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn browser_shows_every_chart_given_to_the_report() {
    let Some(bin) = chromium("browser_shows_every_chart_given_to_the_report") else {
        return;
    };
    let dir = common::temp_dir("report-browser-fake");
    let s = common::run(&FEATURE_DELIVERY.replace("runs = 1000", "runs = 8")).summary;
    let charts = fake_charts();
    let page = dir.join("report.html");
    std::fs::write(&page, report_html(&s, &charts, FEATURE_DELIVERY)).unwrap();
    let dom = dump_dom(&bin, &page, &dir);
    assert_charts_in_dom(&dom, &charts);
    // The titles arrive as text, escaped by the page and decoded by the browser.
    assert!(dom.contains("<h3>Lead time &lt;distribution&gt;</h3>"));
    let shot = screenshot_whole_page(&bin, &page, &dir, &dir.join("kept.png"));
    assert_not_blank(&shot, 3000);
    let _ = std::fs::remove_dir_all(&dir);
}
