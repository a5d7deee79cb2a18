//! The charts and compare.html of `flowsim compare`, `sweep` and `advise`, through the real
//! binary: every chart as SVG and PNG that decodes and is not blank; compare.html states the
//! verdicts and the figures of compare.json, escapes hostile names and loads nothing; the same
//! command twice gives the same bytes; and headless Chromium renders compare.html whole.
//!
//! The browser test needs `chromium` on PATH (`.ci/run` installs it); without it, it prints why
//! it was skipped and passes.

use crate::common::{
    self, Shot, assert_not_blank, chromium, decode_png_bytes, dom_text, drawn_shapes, dump_dom,
    flowsim_ok, path_str, screenshot_whole_page,
};
use flowsim::report::html::escape;
use flowsim::whatif::compare::Comparison;
use std::path::{Path, PathBuf};

const FEATURE_DELIVERY: &str = "scenarios/feature-delivery.toml";

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("no {name} in {}: {e}", dir.display()))
}

fn read_text(dir: &Path, name: &str) -> String {
    String::from_utf8(read(dir, name)).expect("UTF-8")
}

/// A chart's SVG and PNG: the SVG is one `<svg>` element with shapes and text; the PNG decodes
/// to an image with ink in every quarter, many colours and some saturated ones.
fn assert_chart(dir: &Path, name: &str) {
    let svg = read_text(dir, &format!("{name}.svg"));
    assert!(
        svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
        "{name}.svg is not an SVG"
    );
    assert!(svg.contains("<text"), "{name}.svg has no text");
    let shapes = drawn_shapes(&svg);
    assert!(shapes >= 10, "{name}.svg draws only {shapes} shapes");

    let Shot {
        width: w,
        height: h,
        rgb,
    } = decode_png_bytes(&read(dir, &format!("{name}.png")));
    assert_eq!(w, 1000, "{name}.png width");
    assert!((360..=4000).contains(&h), "{name}.png height {h}");
    let px = |x: usize, y: usize| &rgb[(y * w + x) * 3..(y * w + x) * 3 + 3];
    let mut colours = std::collections::HashSet::new();
    let mut saturated = 0;
    let mut quarters = [0usize; 4];
    for y in 0..h {
        for x in 0..w {
            let p = px(x, y);
            colours.insert([p[0], p[1], p[2]]);
            if p.iter().any(|&c| c < 240) {
                quarters[(y * 2 / h) * 2 + x * 2 / w] += 1;
            }
            let (max, min) = (*p.iter().max().unwrap(), *p.iter().min().unwrap());
            if max - min > 60 {
                saturated += 1;
            }
        }
    }
    assert!(
        colours.len() >= 32,
        "{name}.png has {} colours",
        colours.len()
    );
    assert!(
        saturated >= 500,
        "{name}.png has {saturated} coloured pixels"
    );
    for (i, q) in quarters.iter().enumerate() {
        assert!(
            *q >= 500,
            "{name}.png: quarter {i} is nearly blank ({q} pixels)"
        );
    }
}

/// Runs the four commands of the brief (with few runs) into `dir`.
fn run_all(dir: &Path) -> [PathBuf; 4] {
    let (c, s, g, a) = (
        dir.join("compare"),
        dir.join("sweep"),
        dir.join("grid"),
        dir.join("advise"),
    );
    flowsim_ok(&[
        "compare",
        FEATURE_DELIVERY,
        "--runs",
        "60",
        "--out",
        path_str(&c),
        "-q",
    ]);
    flowsim_ok(&[
        "sweep",
        FEATURE_DELIVERY,
        "--set",
        "teams.developers.people=4..6",
        "--runs",
        "40",
        "--out",
        path_str(&s),
        "-q",
    ]);
    flowsim_ok(&[
        "sweep",
        "scenarios/b1.toml",
        "--set",
        "stages.Review.workers=1..3",
        "--set",
        "stages.Development.workers=4..5",
        "--runs",
        "30",
        "--out",
        path_str(&g),
        "-q",
    ]);
    flowsim_ok(&[
        "advise",
        FEATURE_DELIVERY,
        "--runs",
        "40",
        "--out",
        path_str(&a),
        "-q",
    ]);
    [c, s, g, a]
}

#[test]
fn compare_sweep_and_advise_write_their_charts_and_the_same_bytes_twice() {
    let dir = common::temp_dir("whatif-report-charts");
    let first = run_all(&dir.join("one"));
    let [c, s, g, a] = &first;
    for name in ["compare-lead-time-cdf", "compare-where-the-time-goes"] {
        assert_chart(c, name);
    }
    assert!(read_text(c, "compare.html").contains("</html>"));
    assert_chart(s, "sweep-lead-time");
    assert_chart(g, "sweep-lead-time");
    assert_chart(a, "advise-tornado");
    // The grid: one line per value of the parameter with fewer values.
    let grid = read_text(g, "sweep-lead-time.svg");
    assert!(
        grid.contains("one line per workers at Development"),
        "grid title"
    );
    // The line: the bottleneck at every point is named.
    let line = read_text(s, "sweep-lead-time.svg");
    let sweep: serde_json::Value = serde_json::from_slice(&read(s, "sweep.json")).unwrap();
    for p in sweep["points"].as_array().unwrap() {
        let b = p["bottleneck"].as_str().expect("a bottleneck");
        assert!(line.contains(&escape(b)), "the sweep chart names {b}");
    }
    // The tornado: every change that ran is drawn, and the best comes first.
    let tornado = read_text(a, "advise-tornado.svg");
    let advise: serde_json::Value = serde_json::from_slice(&read(a, "advise.json")).unwrap();
    let changes = advise["changes"].as_array().unwrap();
    let at = |label: &str| {
        let start: String = label.chars().take(24).collect();
        let start = escape(&start).replace("&#39;", "&apos;");
        tornado
            .find(&start)
            .unwrap_or_else(|| panic!("{label} is not in the tornado chart"))
    };
    let ran: Vec<&str> = changes
        .iter()
        .filter(|c| c["skipped"].is_null() && c["p85"]["estimate"].is_f64())
        .map(|c| c["change"].as_str().unwrap())
        .collect();
    assert!(ran.len() >= 2);
    assert!(at(ran[0]) < at(ran[ran.len() - 1]), "best first");

    // Everything again: the same bytes.
    let second = run_all(&dir.join("two"));
    for (x, y) in first.iter().zip(&second) {
        let mut names: Vec<String> = std::fs::read_dir(x)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert!(names.len() >= 4, "{names:?}");
        for n in names {
            assert!(
                read(x, &n) == read(y, &n),
                "{n} differs between two identical runs"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The first number in a piece of HTML (tags skipped) and the decimals it is written with.
fn first_number(html: &str) -> Option<(f64, usize)> {
    let mut text = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let start = text.find(|c: char| c.is_ascii_digit() || c == '-' || c == '+')?;
    let token: String = text[start..]
        .chars()
        .enumerate()
        .take_while(|&(i, c)| c.is_ascii_digit() || matches!(c, '.' | ',') || i == 0)
        .map(|(_, c)| c)
        .collect();
    let token = token.replace(',', "");
    let decimals = token.split('.').nth(1).map_or(0, str::len);
    Some((token.parse().ok()?, decimals))
}

/// Asserts that `shown` is `value` rounded to the decimals it is written with.
fn assert_shown(what: &str, shown: Option<(f64, usize)>, value: f64) {
    let (v, d) = shown.unwrap_or_else(|| panic!("{what}: no number shown"));
    let tolerance = 0.5 * 10f64.powi(-(d as i32)) + 1e-9 * value.abs().max(1.0);
    assert!(
        (v - value).abs() <= tolerance,
        "{what}: shows {v} ({d} decimals), compare.json has {value}"
    );
}

/// The content of the table cell of a statistic and scenario.
fn cell<'a>(html: &'a str, metric: &str, scenario: usize) -> &'a str {
    let key = format!("data-metric=\"{metric}\" data-scenario=\"{scenario}\">");
    let start = html
        .find(&key)
        .unwrap_or_else(|| panic!("no cell for {metric} of scenario {scenario}"))
        + key.len();
    &html[start..start + html[start..].find("</td>").expect("cell closed")]
}

#[test]
fn compare_html_states_the_answer_the_verdicts_and_the_figures_of_compare_json() {
    let dir = common::temp_dir("whatif-report-html");
    let out = dir.join("c");
    flowsim_ok(&[
        "compare",
        FEATURE_DELIVERY,
        "--runs",
        "80",
        "--out",
        path_str(&out),
        "-q",
    ]);
    let html = read_text(&out, "compare.html");
    let c: Comparison = serde_json::from_slice(&read(&out, "compare.json")).expect("compare.json");
    assert!(c.scenarios.len() >= 3);

    // The question and the answer come first, and name the scenario with the shortest P85.
    let answer = html.find("id=\"answer\"").expect("an answer section");
    let table = html
        .find("id=\"side-by-side\"")
        .expect("a side-by-side table");
    assert!(answer < table);
    let best = (0..c.scenarios.len())
        .min_by(|&a, &b| {
            let p = |i: usize| c.scenarios[i].lead_time.as_ref().unwrap().p85;
            p(a).total_cmp(&p(b))
        })
        .unwrap();
    let answer_text = &html[answer..table];
    assert!(answer_text.contains("The question:"));
    assert!(
        answer_text.contains(&format!(
            "Delivers soonest: {}",
            escape(&c.scenarios[best].name)
        )),
        "the answer names {}",
        c.scenarios[best].name
    );
    let d = c.scenarios[best].difference.as_ref().unwrap()["p85"];
    assert!(answer_text.contains(&flowsim::report::fmt_num(-d.estimate)));
    assert!(answer_text.contains(&flowsim::report::fmt_num(-d.ci_high)));
    assert!(answer_text.contains(&flowsim::report::fmt_num(-d.ci_low)));

    // Every verdict, word for word.
    for s in &c.scenarios[1..] {
        assert!(!s.verdicts.is_empty());
        for v in &s.verdicts {
            assert!(
                html.contains(&format!(">{}</li>", escape(v))),
                "verdict missing: {v}"
            );
        }
    }
    // Every figure of the table, and each difference with its interval.
    for (i, s) in c.scenarios.iter().enumerate() {
        let l = s.lead_time.as_ref().unwrap();
        let figures = [
            ("p50", l.p50, 1.0),
            ("p85", l.p85, 1.0),
            ("p95", l.p95, 1.0),
            ("mean", l.mean, 1.0),
            ("throughput", s.throughput.unwrap().mean, 1.0),
            (
                "flow_efficiency",
                s.flow_efficiency.as_ref().unwrap().ratio_of_sums,
                100.0,
            ),
            ("wip", s.wip.as_ref().unwrap().mean, 1.0),
        ];
        for (metric, value, k) in figures {
            let td = cell(&html, metric, i);
            assert_shown(
                &format!("{metric} of {}", s.name),
                first_number(td),
                value * k,
            );
            let Some(diff) = s.difference.as_ref().and_then(|m| m.get(metric)) else {
                assert!(
                    !td.contains("class=\"diff"),
                    "the baseline has no difference"
                );
                continue;
            };
            let span = &td[td.find("<span class=\"diff").expect("a difference")..];
            if span.contains("no change") {
                assert!(diff.estimate.abs() * k < 5e-4);
                continue;
            }
            assert_shown(
                &format!("difference in {metric} of {}", s.name),
                first_number(span),
                diff.estimate * k,
            );
            let ci = &span[span.find("class=\"ci\"").expect("an interval")..];
            assert_shown(
                &format!("{metric} CI low"),
                first_number(ci),
                diff.ci_low * k,
            );
            let high = &ci[ci.find(" to ").expect("to") + 4..];
            assert_shown(
                &format!("{metric} CI high"),
                first_number(high),
                diff.ci_high * k,
            );
            let class = if !diff.distinguishable() {
                "same"
            } else if (diff.estimate < 0.0) == matches!(metric, "throughput" | "flow_efficiency") {
                "worse"
            } else {
                "better"
            };
            assert!(
                span.starts_with(&format!("<span class=\"diff {class}\"")),
                "{metric} of {}: verdict colour {class}",
                s.name
            );
        }
        let b = cell(&html, "bottleneck", i);
        assert!(b.contains(&escape(s.bottleneck.as_deref().unwrap())));
    }
    // Stage by stage, every stage of every scenario; how it was compared; the version.
    for st in &c.scenarios[0].stages {
        assert!(html.contains(&format!("<tr><td>{}</td>", escape(&st.name))));
    }
    assert!(html.contains("common random numbers"));
    assert!(html.contains(&format!("seed {}", c.seed)));
    assert!(html.contains("r mod 20"));
    assert!(html.contains(&format!("flowsim {}", c.flowsim_version)));
    // The charts with their how-to-read lines.
    for name in ["compare-lead-time-cdf", "compare-where-the-time-goes"] {
        let at = html
            .find(&format!("id=\"chart-{name}\""))
            .unwrap_or_else(|| panic!("{name} is not in the page"));
        let figure = &html[at..at + html[at..].find("</figure>").unwrap()];
        assert_eq!(figure.matches("<svg").count(), 1, "{name}");
        assert!(figure.contains("<figcaption>"), "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

const HOSTILE_VARIANT: &str = r#"

[[variants]]
name = "<script>alert(1)</script>"
description = "<img src=x onerror=alert(2)> & 'quotes' \"too\""
stages.Test.workers = 3
"#;

#[test]
fn compare_html_escapes_hostile_names_and_loads_nothing() {
    let dir = common::temp_dir("whatif-report-hostile");
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(FEATURE_DELIVERY))
            .unwrap()
            .replace(
                "name = \"Feature delivery\"",
                "name = \"Feature <b>delivery</b> & co\"",
            )
            + HOSTILE_VARIANT;
    let file = dir.join("hostile.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.join("c");
    flowsim_ok(&[
        "compare",
        path_str(&file),
        "--variant",
        "<script>alert(1)</script>",
        "--variant",
        "weekly deployments",
        "--runs",
        "30",
        "--out",
        path_str(&out),
        "-q",
    ]);
    let html = read_text(&out, "compare.html");
    let lower = html.to_ascii_lowercase();
    for bad in [
        "<script", "<img", "<b>", "<iframe", "<object", "<embed", "<link", "@import",
    ] {
        assert!(!lower.contains(bad), "compare.html contains {bad:?}");
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        html.contains("&lt;img src=x onerror=alert(2)&gt; &amp; &#39;quotes&#39; &quot;too&quot;")
    );
    assert!(html.contains("Feature &lt;b&gt;delivery&lt;/b&gt; &amp; co"));
    for (at, _) in lower.match_indices("onerror=") {
        assert!(
            lower[..at].ends_with("&lt;img src=x "),
            "an event handler outside the escaped description at byte {at}"
        );
    }
    // Nothing from elsewhere: no sources, no outside links, no URLs in styles.
    for (at, _) in lower.match_indices("src=") {
        assert!(
            lower[..at].ends_with("&lt;img "),
            "compare.html loads a source at byte {at}"
        );
    }
    assert!(
        !lower.contains("http://") && !lower.contains("https://") || {
            // Only the SVG namespace, which loads nothing.
            lower
                .match_indices("http")
                .all(|(i, _)| lower[i..].starts_with("http://www.w3.org/2000/svg"))
        }
    );
    assert!(
        lower.replace("url(#", "").find("url(").is_none(),
        "compare.html refers to a URL in a style"
    );
    for (i, _) in lower.match_indices("href=") {
        assert!(lower[i..].starts_with("href=\"#"), "a link out of the page");
    }
    // The charts escape the names too.
    for name in ["compare-lead-time-cdf", "compare-where-the-time-goes"] {
        let svg = read_text(&out, &format!("{name}.svg")).to_ascii_lowercase();
        assert!(!svg.contains("<script") && !svg.contains("<b>"), "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compare_html_without_charts_says_so() {
    let dir = common::temp_dir("whatif-report-no-charts");
    let out = dir.join("c");
    flowsim_ok(&[
        "compare",
        FEATURE_DELIVERY,
        "--runs",
        "20",
        "--no-charts",
        "--out",
        path_str(&out),
        "-q",
    ]);
    let html = read_text(&out, "compare.html");
    assert!(!html.contains("<svg"));
    assert!(html.contains("--no-charts"));
    assert!(html.contains("id=\"side-by-side\""));
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// compare.html in a real browser (the approach of tests/integration/report.rs).

#[test]
fn browser_renders_compare_html_whole_and_not_blank() {
    let Some(bin) = chromium("browser_renders_compare_html_whole_and_not_blank") else {
        return;
    };
    let dir = common::temp_dir("whatif-report-browser");
    let out = dir.join("c");
    flowsim_ok(&[
        "compare",
        FEATURE_DELIVERY,
        "--runs",
        "60",
        "--out",
        path_str(&out),
        "-q",
    ]);
    let page = out.join("compare.html");
    let c: Comparison = serde_json::from_slice(&read(&out, "compare.json")).unwrap();

    // The rendered DOM: no script, the verdicts, one drawn SVG per chart with its caption.
    let dom = dump_dom(&bin, &page, &dir);
    assert!(!dom.to_ascii_lowercase().contains("<script"));
    assert!(dom.contains("The question and the answer"));
    for s in &c.scenarios[1..] {
        for v in &s.verdicts {
            assert!(dom.contains(&dom_text(v)), "verdict not rendered: {v}");
        }
    }
    let html = read_text(&out, "compare.html");
    let captions = html.matches("<figcaption>").count();
    assert_eq!(captions, 2);
    assert_eq!(dom.matches("<svg").count(), 2, "one <svg> per chart");
    for name in ["compare-lead-time-cdf", "compare-where-the-time-goes"] {
        let at = dom
            .find(&format!("id=\"chart-{name}\""))
            .unwrap_or_else(|| panic!("{name} is not in the rendered DOM"));
        let figure = &dom[at..at + dom[at..].find("</figure>").expect("figure closed")];
        let shapes = drawn_shapes(figure);
        assert!(shapes >= 10, "{name} draws only {shapes} shapes");
        assert!(
            figure.contains("<text") && figure.contains("<figcaption>"),
            "{name}"
        );
    }

    // A screenshot of the whole page.
    let keep = std::env::temp_dir().join("flowsim-compare-screenshot.png");
    let shot = screenshot_whole_page(&bin, &page, &dir, &keep);
    eprintln!("screenshot of compare.html: {}", keep.display());
    assert_not_blank(&shot, 3000);
    let _ = std::fs::remove_dir_all(&dir);
}
