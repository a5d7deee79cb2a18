//! `compare`: the lead-time distributions of all scenarios on one chart, and where each
//! scenario's time goes, stage by stage, side by side.

use super::super::Spec;
use super::super::canvas::*;
use super::super::distribution::{Curve, cdf_curves};
use super::{legend_rows, scenario_color, wrapped_lines};
use crate::metrics::Summary;
use crate::metrics::compare::Difference;
use crate::whatif::compare::ComparisonRun;
use plotters::prelude::{DrawingBackend, RGBColor, WHITE};
use plotters::style::text_anchor::{HPos, VPos};

const WAIT: RGBColor = RGBColor(242, 142, 43);
const WORK: RGBColor = RGBColor(89, 161, 79);

fn unit(r: &ComparisonRun) -> &'static str {
    r.comparison.time_unit.plural()
}

/// The scenarios' names, as charts show them: the baseline marked.
fn label(r: &ComparisonRun, i: usize) -> String {
    let name = r
        .labels
        .get(i)
        .cloned()
        .unwrap_or_else(|| format!("scenario {}", i + 1));
    if i == 0 {
        format!("{name} (baseline)")
    } else {
        name
    }
}

fn summaries(r: &ComparisonRun) -> impl Iterator<Item = &Summary> {
    r.results.iter().map(|x| &x.summary)
}

/// The P85 difference of scenario `i` from the baseline.
fn p85_difference(r: &ComparisonRun, i: usize) -> Option<Difference> {
    r.comparison
        .scenarios
        .get(i)?
        .difference
        .as_ref()?
        .get("p85")
        .copied()
        .filter(|d| d.estimate.is_finite())
}

/// "(95% CI 4.9 to 5.7 days sooner)" for a difference read as "sooner" (negative) or "later".
fn ci_words(d: &Difference, u: &str) -> String {
    if !(d.ci_low.is_finite() && d.ci_high.is_finite()) {
        return "too few runs for an interval".into();
    }
    if d.estimate <= 0.0 {
        format!("95% CI {} to {} {u}", num(-d.ci_high), num(-d.ci_low))
    } else {
        format!("95% CI {} to {} {u}", num(d.ci_low), num(d.ci_high))
    }
}

/// The answer in one sentence: which scenario has the shortest P85 lead time, and by how much.
fn answer(r: &ComparisonRun) -> String {
    let u = unit(r);
    let p85: Vec<Option<f64>> = summaries(r)
        .map(|s| {
            s.lead_time
                .as_ref()
                .map(|d| d.p85)
                .filter(|v| v.is_finite())
        })
        .collect();
    let Some(best) = (0..p85.len())
        .filter(|&i| p85[i].is_some())
        .min_by(|&a, &b| p85[a].unwrap_or(0.0).total_cmp(&p85[b].unwrap_or(0.0)))
    else {
        return "No item was measured in any scenario, so there are no lead times to compare."
            .into();
    };
    let pm85 = |i: usize| {
        let d = r.results[i].summary.lead_time.as_ref();
        d.map_or("-".into(), |d| pm(d.p85, d.p85_se))
    };
    if best == 0 {
        let next = (1..p85.len())
            .filter(|&i| p85[i].is_some())
            .min_by(|&a, &b| p85[a].unwrap_or(0.0).total_cmp(&p85[b].unwrap_or(0.0)));
        return match next.and_then(|i| Some((i, p85_difference(r, i)?))) {
            Some((i, d)) if d.distinguishable() => format!(
                "The baseline has the shortest P85 lead time, {} {u}; the closest alternative, {}, is {} {u} later ({}).",
                pm85(0),
                label(r, i),
                num(d.estimate),
                ci_words(&d, u)
            ),
            Some((i, d)) => format!(
                "The baseline has the shortest P85 lead time, {} {u}, but {} is not detectably different ({}).",
                pm85(0),
                label(r, i),
                ci_words(&d, u)
            ),
            None => format!(
                "The baseline has the shortest P85 lead time, {} {u}.",
                pm85(0)
            ),
        };
    }
    let head = format!(
        "Shortest P85 lead time: {}, {} {u} against {} {u} for the baseline",
        label(r, best),
        pm85(best),
        pm85(0)
    );
    match p85_difference(r, best) {
        Some(d) if d.distinguishable() => format!(
            "{head}: {} {u} sooner ({}).",
            num(-d.estimate),
            ci_words(&d, u)
        ),
        Some(d) => format!(
            "{head}, but not detectably different ({}).",
            ci_words(&d, u)
        ),
        None => format!("{head}."),
    }
}

pub(super) fn cdf_spec(r: &ComparisonRun) -> Spec {
    let _ = r;
    Spec {
        title: "Lead time compared: chance of delivering an item within a given time".into(),
        how_to_read: "Each line is one scenario, the baseline in black: pick a time on the bottom axis and read up to a line for the share of items delivered within that time, so the further left a line runs, the sooner items arrive; the dots on the dashed 85% line mark each scenario's P85 lead time, with whiskers of one standard error.".into(),
    }
}

/// Legend labels of the CDF chart: each scenario with its P85.
fn cdf_keys(r: &ComparisonRun) -> Vec<(RGBColor, String)> {
    let u = unit(r);
    (0..r.results.len())
        .map(|i| {
            let s = &r.results[i].summary;
            let text = match (&s.lead_time, r.results[i].histograms.lead.is_empty()) {
                (Some(d), false) => format!("{}: P85 {} {u}", label(r, i), pm(d.p85, d.p85_se)),
                _ => format!("{}: no item measured", label(r, i)),
            };
            (scenario_color(i), text)
        })
        .collect()
}

fn cdf_notes(r: &ComparisonRun) -> Vec<String> {
    vec![format!(
        "All scenarios ran the same {} {} with seed {} (common random numbers). ± is the Monte Carlo standard error of each P85.",
        grouped(u64::from(r.comparison.runs)),
        if r.comparison.runs == 1 {
            "run"
        } else {
            "runs"
        },
        r.comparison.seed
    )]
}

pub(super) fn cdf_height(r: &ComparisonRun) -> u32 {
    let max = f64::from(WIDTH as i32 - 2 * MARGIN);
    let sub = wrapped_lines(&answer(r), 16.0, max);
    let keys: Vec<String> = cdf_keys(r).into_iter().map(|k| k.1).collect();
    let notes: u32 = cdf_notes(r)
        .iter()
        .map(|n| wrapped_lines(n, 14.0, max))
        .sum::<u32>()
        + 1;
    (420 + 20 * sub + 22 * legend_rows(&keys) + 20 * notes).clamp(480, 1600)
}

pub(super) fn cdf<DB: DrawingBackend>(r: &ComparisonRun, spec: &Spec, root: &Area<DB>) -> Res {
    let mut page = Page::new(root, &spec.title, &[answer(r)])?;
    let keys: Vec<Key> = cdf_keys(r)
        .into_iter()
        .map(|(c, l)| key(Swatch::Line(c), l))
        .collect();
    page.legend(&keys)?;
    // Variants first, the baseline on top.
    let order: Vec<usize> = (1..r.results.len())
        .chain(std::iter::once(0))
        .filter(|&i| !r.results[i].histograms.lead.is_empty())
        .collect();
    let curves: Vec<Curve> = order
        .iter()
        .map(|&i| Curve {
            hist: &r.results[i].histograms.lead,
            color: scenario_color(i),
            width: if i == 0 { 3 } else { 2 },
            p85: r.results[i]
                .summary
                .lead_time
                .as_ref()
                .map(|d| (d.p85, d.p85_se)),
        })
        .collect();
    let empty = [
        "No item was measured in any scenario, so there is nothing to show.".to_string(),
        "No item past the warm-up was delivered before the runs ended: lengthen the horizon or shorten the warm-up.".into(),
    ];
    match cdf_curves(root, &mut page, &curves, unit(r), cdf_notes(r), &empty)? {
        Some(f) => p85_close_up(r, root, &f, &order),
        None => Ok(()),
    }
}

/// A close-up of the P85s with their precision, in the corner every CDF leaves empty: below the
/// 85% line and right of the largest P85. Left out when the corner is too small.
fn p85_close_up<DB: DrawingBackend>(
    r: &ComparisonRun,
    root: &Area<DB>,
    f: &Frame,
    order: &[usize],
) -> Res {
    let u = unit(r);
    // (scenario, P85, standard error), shortest first.
    let mut rows: Vec<(usize, f64, f64)> = order
        .iter()
        .filter_map(|&i| {
            let d = r.results[i].summary.lead_time.as_ref()?;
            let se = d
                .p85_se
                .filter(|s| s.is_finite() && *s >= 0.0)
                .unwrap_or(0.0);
            d.p85.is_finite().then_some((i, d.p85, se))
        })
        .collect();
    if rows.len() < 2 {
        return Ok(());
    }
    rows.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let y85 = f.py(85.0);
    let max_p85 = rows.iter().map(|x| x.1).fold(f64::MIN, f64::max);
    let (x0, x1) = (f.px(max_p85) + 28, f.x1 - 12);
    let (y0, y1) = (y85 + 26, f.y1 - 12);
    let n = rows.len() as i32;
    let row_h = ((y1 - y0 - 62) / n).min(22);
    if x1 - x0 < 250 || row_h < 13 {
        return Ok(());
    }
    let y1 = y0 + 30 + n * row_h + 32;
    let value_style = font(12.0, INK);
    let mut value_w = 0;
    for &(_, v, se) in &rows {
        value_w = value_w.max(measure(root, &pm(v, Some(se)), &value_style)?.0);
    }
    let names_w = (x1 - x0 - value_w - 170).min(200);
    let plot = (x0 + 12, x1 - 12 - value_w - 8 - names_w.max(0) - 6);
    rect(root, (x0, y0), (x1, y1), &WHITE)?;
    outline(root, (x0, y0), (x1, y1), &AXIS, 1)?;
    text(
        root,
        &format!("P85 close-up ({u}), shortest first"),
        &anchored(bold(14.0, INK), HPos::Left, VPos::Top),
        (x0 + 10, y0 + 8),
    )?;
    let lo = rows.iter().map(|x| x.1 - x.2).fold(f64::MAX, f64::min);
    let hi = rows.iter().map(|x| x.1 + x.2).fold(f64::MIN, f64::max);
    let pad = ((hi - lo) * 0.08).max(hi.abs() * 1e-3).max(1e-9);
    let a = Axis::new(lo - pad, hi + pad, 4, false);
    let px = |v: f64| {
        let t = ((v - a.lo) / (a.hi - a.lo)).clamp(0.0, 1.0);
        plot.0 + (t * f64::from(plot.1 - plot.0)).round() as i32
    };
    let top = y0 + 30;
    let bottom = top + n * row_h;
    let tick = anchored(font(12.0, MUTED), HPos::Center, VPos::Top);
    for &t in &a.ticks {
        let x = px(t);
        line(root, (x, top - 2), (x, bottom + 2), &GRID, 1)?;
        text(root, &a.label(t), &tick, (x, bottom + 6))?;
    }
    for (k, &(i, v, se)) in rows.iter().enumerate() {
        let cy = top + k as i32 * row_h + row_h / 2;
        let c = scenario_color(i);
        if se > 0.0 {
            let (l, h) = (px(v - se), px(v + se));
            line(root, (l, cy), (h, cy), &c, 2)?;
            line(root, (l, cy - 4), (l, cy + 4), &c, 2)?;
            line(root, (h, cy - 4), (h, cy + 4), &c, 2)?;
        }
        dot(root, (px(v), cy), 4, &c)?;
        let vx = plot.1 + 8;
        text(
            root,
            &pm(v, Some(se)),
            &anchored(value_style.clone(), HPos::Left, VPos::Center),
            (vx, cy),
        )?;
        if names_w >= 50 {
            let ns = if i == 0 {
                bold(12.0, INK)
            } else {
                font(12.0, INK)
            };
            let name = fit(root, &label(r, i), &ns, names_w)?;
            text(
                root,
                &name,
                &anchored(ns, HPos::Left, VPos::Center),
                (vx + value_w + 8, cy),
            )?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Where the time goes, side by side.

/// A row group of the stage chart: the backlog, or a stage by name.
#[derive(Debug, Clone, PartialEq)]
enum Group {
    Backlog,
    Stage(String),
}

/// The backlog (when any scenario has items waiting there) and every stage of any scenario, in
/// flow order: the baseline's stages, with a variant's new stages after the stage they follow.
fn groups(r: &ComparisonRun) -> Vec<Group> {
    let mut names: Vec<String> = Vec::new();
    for s in summaries(r) {
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
    let backlog = summaries(r).any(|s| {
        s.lead_time.is_some()
            && s.backlog_wait
                .is_some_and(|b| b.mean.is_finite() && b.mean > 0.0)
    });
    let mut out = Vec::new();
    if backlog {
        out.push(Group::Backlog);
    }
    out.extend(names.into_iter().map(Group::Stage));
    out
}

fn group_name(g: &Group) -> String {
    match g {
        Group::Backlog => "Backlog (not started)".into(),
        Group::Stage(n) => n.clone(),
    }
}

fn finite(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

/// What a cell of the stage chart holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    /// Mean wait and work per item.
    Times(f64, f64),
    /// The scenario has no such stage.
    Missing,
    /// The scenario measured no item.
    Unmeasured,
}

fn cell(s: &Summary, g: &Group) -> Cell {
    if s.lead_time.is_none() {
        return Cell::Unmeasured;
    }
    match g {
        Group::Backlog => Cell::Times(s.backlog_wait.map_or(0.0, |b| finite(b.mean)), 0.0),
        Group::Stage(name) => match s.stages.iter().find(|st| &st.name == name) {
            Some(st) => Cell::Times(finite(st.mean_wait), finite(st.mean_work)),
            None => Cell::Missing,
        },
    }
}

/// Mean lead time, split into work and waiting.
fn lead_cell(s: &Summary) -> Cell {
    match &s.lead_time {
        Some(d) if d.mean.is_finite() => {
            let work = s
                .flow_efficiency
                .as_ref()
                .map_or(0.0, |f| finite(f.ratio_of_sums) * d.mean)
                .min(d.mean);
            Cell::Times(finite(d.mean - work), finite(work))
        }
        _ => Cell::Unmeasured,
    }
}

/// The biggest change in waiting at a stage, in words.
fn biggest_change(r: &ComparisonRun) -> Option<String> {
    let u = unit(r);
    let base = &r.results.first()?.summary;
    let mut best: Option<(f64, String)> = None;
    for (i, res) in r.results.iter().enumerate().skip(1) {
        for st in &base.stages {
            let Some(v) = res.summary.stages.iter().find(|x| x.name == st.name) else {
                continue;
            };
            let (a, b) = (st.mean_wait, v.mean_wait);
            if !(a.is_finite() && b.is_finite()) || res.summary.lead_time.is_none() {
                continue;
            }
            let change = (b - a).abs();
            if change > best.as_ref().map_or(0.0, |x| x.0) {
                best = Some((
                    change,
                    format!(
                        "The largest change in waiting: {} at {}, {} {u} per item instead of {}.",
                        label(r, i),
                        st.name,
                        num(b),
                        num(a)
                    ),
                ));
            }
        }
    }
    best.map(|b| b.1)
}

fn stages_subtitle(r: &ComparisonRun) -> String {
    let mut s = String::from(
        "Mean time per delivered item at each stage, waiting then working, for each scenario.",
    );
    if let Some(b) = biggest_change(r) {
        s.push(' ');
        s.push_str(&b);
    }
    s
}

pub(super) fn stages_spec(r: &ComparisonRun) -> Spec {
    let _ = r;
    Spec {
        title: "Where the time goes, scenario by scenario".into(),
        how_to_read: "Each group of bars is a stage in flow order with one bar per scenario: orange is waiting, green is hands-on work, so a shorter orange part is a change that removed waiting there; the panel at the bottom adds every stage up to each scenario's mean lead time.".into(),
    }
}

/// Heights: one bar row, the gap between groups.
fn row_height(n: usize) -> i32 {
    match n {
        0..=3 => 24,
        4..=6 => 20,
        _ => 17,
    }
}

/// Text size of the rows: smaller when there are many scenarios. Even sizes only: at odd sizes
/// the bitmap text sets full stops a pixel too high.
fn text_size(n: usize) -> f64 {
    if n <= 6 { 14.0 } else { 12.0 }
}

const GROUP_GAP: i32 = 12;
const AXIS_SPACE: i32 = 52;
const LEAD_HEAD: i32 = 34;

fn stages_notes(r: &ComparisonRun) -> Vec<String> {
    vec![format!(
        "Means per delivered item over all runs, every visit to a stage included; times in {}. A stage a scenario does not have is marked as missing.",
        unit(r)
    )]
}

pub(super) fn stages_height(r: &ComparisonRun) -> u32 {
    let n = r.results.len().max(1);
    let g = groups(r).len().max(1) as i32;
    let rh = row_height(n);
    let block = n as i32 * rh;
    let max = f64::from(WIDTH as i32 - 2 * MARGIN);
    let sub = wrapped_lines(&stages_subtitle(r), 16.0, max) as i32;
    let notes: i32 = stages_notes(r)
        .iter()
        .map(|l| wrapped_lines(l, 14.0, max) as i32)
        .sum();
    let h = 46
        + 20 * sub
        + 6
        + 32
        + 8
        + g * (block + GROUP_GAP)
        + AXIS_SPACE
        + LEAD_HEAD
        + block
        + 8
        + AXIS_SPACE
        + 20 * notes
        + 24;
    h.clamp(360, 4000) as u32
}

/// "2.0 wait + 0.7 work" with `d` decimals.
fn times_text(wait: f64, work: f64, d: usize) -> String {
    let n = |v: f64| {
        let s = tick_label(v, d);
        if v > 0.0 && s.trim_start_matches(['0', '.']).is_empty() {
            format!("<{}", tick_label(10f64.powi(-(d as i32)), d))
        } else {
            s
        }
    };
    match (wait > 0.0, work > 0.0) {
        (true, true) => format!("{} wait + {} work", n(wait), n(work)),
        (false, true) => format!("{} work", n(work)),
        _ => format!("{} wait", n(wait)),
    }
}

/// Decimals giving about three significant digits to values up to `max`.
fn decimals(max: f64) -> usize {
    (2.0 - max.max(1e-9).log10().floor()).clamp(0.0, 6.0) as usize
}

/// One block of bars (one per scenario) in a frame, from `top`.
#[allow(clippy::too_many_arguments)]
fn bars<DB: DrawingBackend>(
    root: &Area<DB>,
    f: &Frame,
    cells: &[Cell],
    top: i32,
    rh: i32,
    names: &[String],
    name_x: i32,
    value_x: i32,
    value: &dyn Fn(usize, f64, f64) -> String,
) -> Res {
    let bar_h = (rh * 7 / 10).max(6);
    let size = text_size(cells.len());
    let name_style = font(size, INK);
    let value_style = anchored(font(size, MUTED), HPos::Left, VPos::Center);
    let note_style = anchored(font(12.0, MUTED), HPos::Left, VPos::Center);
    for (i, c) in cells.iter().enumerate() {
        let cy = top + rh * i as i32 + rh / 2;
        let ns = if i == 0 {
            bold(size, INK)
        } else {
            name_style.clone()
        };
        let label = fit(root, &names[i], &ns, f.x0 - name_x - 10)?;
        text(
            root,
            &label,
            &anchored(ns, HPos::Left, VPos::Center),
            (name_x, cy),
        )?;
        match *c {
            Cell::Times(wait, work) => {
                let x0 = f.px(0.0);
                let xw = f.px(wait);
                let xe = f.px(wait + work);
                if wait > 0.0 {
                    rect(
                        root,
                        (x0, cy - bar_h / 2),
                        (xw.max(x0 + 1), cy + bar_h / 2),
                        &WAIT,
                    )?;
                }
                if work > 0.0 {
                    rect(
                        root,
                        (xw, cy - bar_h / 2),
                        (xe.max(xw + 1), cy + bar_h / 2),
                        &WORK,
                    )?;
                }
                text(root, &value(i, wait, work), &value_style, (value_x, cy))?;
            }
            Cell::Missing => {
                line(root, (f.x0, cy), (f.x0 + 18, cy), &AXIS, 1)?;
                text(root, "not in this scenario", &note_style, (f.x0 + 24, cy))?;
            }
            Cell::Unmeasured => {
                text(root, "no item measured", &note_style, (f.x0 + 8, cy))?;
            }
        }
    }
    Ok(())
}

pub(super) fn stages<DB: DrawingBackend>(r: &ComparisonRun, spec: &Spec, root: &Area<DB>) -> Res {
    let u = unit(r);
    let n = r.results.len();
    let mut page = Page::new(root, &spec.title, &[stages_subtitle(r)])?;
    page.legend(&[
        key(boxed(WAIT), "Waiting (queues, delays, releases, blocked)"),
        key(boxed(WORK), "Hands-on work"),
    ])?;
    page.notes(&stages_notes(r))?;
    if n == 0 || summaries(r).all(|s| s.lead_time.is_none()) {
        return page.message(&[
            "No item was measured in any scenario, so there is nothing to show.".into(),
        ]);
    }
    let gs = groups(r);
    let rh = row_height(n);
    let block = n as i32 * rh;
    let names: Vec<String> = (0..n).map(|i| label(r, i)).collect();
    let stage_style = bold(14.0, INK);
    let mut stage_w = 0;
    for g in &gs {
        stage_w = stage_w.max(measure(root, &group_name(g), &stage_style)?.0);
    }
    stage_w = stage_w.min(170);
    let mut name_w = 0;
    for nm in &names {
        name_w = name_w.max(measure(root, nm, &bold(text_size(n), INK))?.0);
    }
    let name_w = name_w.min(210);
    // Values: every stage's times with the same decimals.
    let cells: Vec<Vec<Cell>> = gs
        .iter()
        .map(|g| summaries(r).map(|s| cell(s, g)).collect())
        .collect();
    let max = cells
        .iter()
        .flatten()
        .map(|c| match c {
            Cell::Times(a, b) => a + b,
            _ => 0.0,
        })
        .fold(0.0, f64::max);
    let d = decimals(max);
    let value_style = font(text_size(n), MUTED);
    let mut value_w = measure(root, "not in this scenario", &value_style)?.0;
    for c in cells.iter().flatten() {
        if let Cell::Times(a, b) = c {
            value_w = value_w.max(measure(root, &times_text(*a, *b, d), &value_style)?.0);
        }
    }
    let leads: Vec<Cell> = summaries(r).map(lead_cell).collect();
    let lead_text = |i: usize, wait: f64, work: f64| -> String {
        let d = r.results[i].summary.lead_time.as_ref();
        match d {
            Some(d) => format!("{} {u}", pm(d.mean, d.mean_se)),
            None => times_text(wait, work, 1),
        }
    };
    for (i, c) in leads.iter().enumerate() {
        if let Cell::Times(a, b) = c {
            value_w = value_w.max(measure(root, &lead_text(i, *a, *b), &value_style)?.0);
        }
    }
    let name_x = MARGIN + stage_w + 14;
    let left = name_x + name_w + 10;
    let right = page.width - MARGIN - value_w - 12;
    let value_x = right + 12;

    // The stage panel.
    let lead_panel = LEAD_HEAD + block + 8 + AXIS_SPACE;
    let top = page.top + 4;
    let stage_bottom = page.bottom - lead_panel;
    let mut f = Frame::new(
        root,
        (left, top, right, stage_bottom),
        Axis::new(0.0, if max > 0.0 { max } else { 1.0 }, 8, false),
        Axis {
            lo: 0.0,
            hi: 1.0,
            ticks: Vec::new(),
            decimals: 0,
        },
    )?;
    f.x0 = left;
    f.y1 = (top + gs.len() as i32 * (block + GROUP_GAP)).min(stage_bottom - AXIS_SPACE);
    f.axes(
        root,
        &format!("Mean time per item at the stage ({u})"),
        "",
        true,
    )?;
    for (k, g) in gs.iter().enumerate() {
        let gtop = top + k as i32 * (block + GROUP_GAP) + GROUP_GAP / 2;
        if k > 0 {
            let y = gtop - GROUP_GAP / 2;
            line(root, (MARGIN, y), (page.width - MARGIN, y), &GRID, 1)?;
        }
        // The stage's name, wrapped on as many lines as its group has room for.
        let lines = wrap(root, &group_name(g), &stage_style, stage_w)?;
        let room = ((block / 17).max(1)) as usize;
        let mut shown: Vec<String> = lines.iter().take(room).cloned().collect();
        if lines.len() > room {
            if let Some(last) = shown.last_mut() {
                *last = fit(
                    root,
                    &format!("{last} {}", lines[room..].join(" ")),
                    &stage_style,
                    stage_w,
                )?;
            }
        }
        let first = gtop + block / 2 - (shown.len() as i32 * 17) / 2 + 8;
        for (j, l) in shown.iter().enumerate() {
            text(
                root,
                l,
                &anchored(stage_style.clone(), HPos::Left, VPos::Center),
                (MARGIN, first + 17 * j as i32),
            )?;
        }
        bars(
            root,
            &f,
            &cells[k],
            gtop,
            rh,
            &names,
            name_x,
            value_x,
            &|_, a, b| times_text(a, b, d),
        )?;
    }

    // The lead-time panel: every stage added up.
    let ltop = f.y1 + AXIS_SPACE + 6;
    line(
        root,
        (MARGIN, ltop - 2),
        (page.width - MARGIN, ltop - 2),
        &AXIS,
        1,
    )?;
    text(
        root,
        "Mean lead time: every stage and the backlog added up (its own scale)",
        &anchored(bold(14.0, INK), HPos::Left, VPos::Center),
        (MARGIN, ltop + 14),
    )?;
    let lmax = leads
        .iter()
        .map(|c| match c {
            Cell::Times(a, b) => a + b,
            _ => 0.0,
        })
        .fold(0.0, f64::max);
    let btop = ltop + LEAD_HEAD - 6;
    let mut fl = Frame::new(
        root,
        (left, btop, right, btop + block + 4 + AXIS_SPACE),
        Axis::new(0.0, if lmax > 0.0 { lmax } else { 1.0 }, 8, false),
        Axis {
            lo: 0.0,
            hi: 1.0,
            ticks: Vec::new(),
            decimals: 0,
        },
    )?;
    fl.x0 = left;
    fl.axes(root, &format!("Mean lead time ({u})"), "", true)?;
    bars(
        root,
        &fl,
        &leads,
        btop + 2,
        rh,
        &names,
        name_x,
        value_x,
        &lead_text,
    )?;
    Ok(())
}
