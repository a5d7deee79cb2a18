//! `advise`: a tornado chart of the changes tried, best first. Each bar is a change's effect on
//! P85 lead time (negative is sooner), its whiskers the 95% confidence interval; the colour says
//! whether the effect is distinguishable from no change, and changes dropped after screening are
//! drawn lighter. Changes that could not be run are listed under the chart.

use super::super::Spec;
use super::super::canvas::*;
use super::{legend_rows, wrapped_lines};
use crate::whatif::advise::{Advice, Advise};
use plotters::prelude::{Color, DrawingBackend, RGBColor};
use plotters::style::text_anchor::{HPos, VPos};

const SOONER: RGBColor = RGBColor(46, 125, 50);
const LATER: RGBColor = RGBColor(192, 40, 40);
const NEUTRAL: RGBColor = RGBColor(150, 150, 150);

/// The changes that have an effect to draw, in the order given (best first).
fn drawn(a: &Advise) -> Vec<&Advice> {
    a.changes
        .iter()
        .filter(|c| c.skipped.is_none() && c.p85.estimate.is_finite())
        .collect()
}

fn color(c: &Advice) -> RGBColor {
    match (c.distinguishable, c.p85.estimate < 0.0) {
        (true, true) => SOONER,
        (true, false) => LATER,
        _ => NEUTRAL,
    }
}

pub(super) fn spec(a: &Advise) -> Spec {
    let _ = a;
    Spec {
        title: "What would deliver sooner: each change's effect on P85 lead time".into(),
        how_to_read: "Each bar is one change tried on its own, best at the top: bars to the left of zero shorten P85 lead time (the time within which 85% of items are delivered), the whiskers are the 95% confidence interval, green and red bars are changes whose interval excludes no change, grey ones could go either way, and lighter bars were screened out after a first, shorter round of runs.".into(),
    }
}

fn subtitle(a: &Advise) -> String {
    let u = a.time_unit.plural();
    let mut s = match &a.baseline_lead_time {
        Some(d) => format!(
            "{}: P85 lead time {} {u} today",
            a.scenario,
            pm(d.p85, d.p85_se)
        ),
        None => format!("{}: no item measured in the baseline", a.scenario),
    };
    if let Some(b) = &a.bottleneck {
        s += &format!(", bottleneck {b}");
    }
    s.push('.');
    let best = drawn(a)
        .into_iter()
        .find(|c| c.distinguishable && c.p85.estimate < 0.0);
    match best {
        Some(c) => {
            s += &format!(
                " Best: {}, {} {u} sooner (95% CI {} to {}).",
                c.change,
                num(-c.p85.estimate),
                num(-c.p85.ci_high),
                num(-c.p85.ci_low)
            );
        }
        None if !a.changes.is_empty() => {
            s += " None of the changes tried shortens P85 lead time detectably.";
        }
        None => {}
    }
    s
}

fn legend_keys(a: &Advise) -> Vec<Key> {
    let d = drawn(a);
    let mut keys = Vec::new();
    if d.iter().any(|c| color(c) == SOONER) {
        keys.push(key(boxed(SOONER), "Sooner"));
    }
    if d.iter().any(|c| color(c) == NEUTRAL) {
        keys.push(key(boxed(NEUTRAL), "No detectable difference"));
    }
    if d.iter().any(|c| color(c) == LATER) {
        keys.push(key(boxed(LATER), "Later"));
    }
    if d.iter().any(|c| c.screened_out) {
        keys.push(key(
            banded(NEUTRAL, 0.35),
            format!(
                "Lighter: screened out after {} runs",
                grouped(u64::from(a.screen_runs))
            ),
        ));
    }
    if !d.is_empty() {
        keys.push(key(Swatch::Line(INK), "95% confidence interval"));
    }
    keys
}

fn notes(a: &Advise) -> Vec<String> {
    let u = a.time_unit.plural();
    let mut first = format!(
        "Effect = P85 lead time with the change minus the baseline's, in {u}, from the same {} {} with seed {} (common random numbers).",
        grouped(u64::from(a.runs)),
        if a.runs == 1 { "run" } else { "runs" },
        a.seed,
    );
    if a.changes.iter().any(|c| c.screened_out) {
        first += &format!(
            " Changes screened out keep their estimate from the first {} runs; the others use all {}.",
            grouped(u64::from(a.screen_runs)),
            grouped(u64::from(a.runs))
        );
    }
    let mut out = vec![first];
    for c in &a.changes {
        if let Some(why) = &c.skipped {
            out.push(format!("Not run: {} ({why}).", c.change));
        } else if !c.p85.estimate.is_finite() {
            out.push(format!(
                "Not shown: {} (no item was measured, so it has no P85).",
                c.change
            ));
        }
    }
    out
}

const ROW: i32 = 36;

pub(super) fn height(a: &Advise) -> u32 {
    let max = f64::from(WIDTH as i32 - 2 * MARGIN);
    let sub = wrapped_lines(&subtitle(a), 16.0, max) as i32;
    let labels: Vec<String> = legend_keys(a).into_iter().map(|k| k.label).collect();
    let notes: i32 = notes(a)
        .iter()
        .map(|n| wrapped_lines(n, 14.0, max) as i32)
        .sum();
    let rows = drawn(a).len().max(3) as i32;
    let h = 46
        + 20 * sub
        + 6
        + 22 * legend_rows(&labels) as i32
        + 10
        + 8
        + rows * ROW
        + 56
        + 20 * notes
        + 20;
    h.clamp(360, 4000) as u32
}

/// "−6.72 (−7.15 to −6.29)".
fn value_text(c: &Advice) -> String {
    let d = &c.p85;
    let sign = |v: f64| {
        if v > 0.0 {
            format!("+{}", num(v))
        } else {
            num(v)
        }
    };
    if d.estimate == 0.0 && d.ci_low == 0.0 && d.ci_high == 0.0 {
        "0 (no change at all)".to_string()
    } else if d.ci_low.is_finite() && d.ci_high.is_finite() {
        format!(
            "{} ({} to {})",
            sign(d.estimate),
            sign(d.ci_low),
            sign(d.ci_high)
        )
    } else {
        format!("{} (no interval)", sign(d.estimate))
    }
}

pub(super) fn draw<DB: DrawingBackend>(a: &Advise, spec: &Spec, root: &Area<DB>) -> Res {
    let u = a.time_unit.plural();
    let mut page = Page::new(root, &spec.title, &[subtitle(a)])?;
    page.legend(&legend_keys(a))?;
    page.notes(&notes(a))?;
    let rows = drawn(a);
    if rows.is_empty() {
        return page.message(&[if a.changes.is_empty() {
            "There was no change to try: the scenario has no stage with people, work, rework, releases, delays or WIP limits to change.".to_string()
        } else {
            "None of the changes could be measured, so there is nothing to show.".to_string()
        }]);
    }
    // Columns: the change, the bars, the effect in numbers.
    let label_style = font(14.0, INK);
    let value_style = font(14.0, INK);
    let note_style = font(12.0, MUTED);
    let mut value_w = measure(root, &format!("P85 effect ({u})"), &bold(14.0, INK))?.0;
    for c in &rows {
        value_w = value_w.max(measure(root, &value_text(c), &value_style)?.0);
    }
    let label_w = 360;
    let left = MARGIN + label_w + 14;
    let right = page.width - MARGIN - value_w - 16;
    let mut lo: f64 = 0.0;
    let mut hi: f64 = 0.0;
    for c in &rows {
        for v in [c.p85.estimate, c.p85.ci_low, c.p85.ci_high] {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    let n = rows.len() as f64;
    let mut f = Frame::new(
        root,
        (left, page.top + 22, right, page.bottom),
        Axis::new(lo, hi, 8, false),
        Axis {
            lo: 0.0,
            hi: n,
            ticks: Vec::new(),
            decimals: 0,
        },
    )?;
    f.x0 = left;
    f.y1 = f.y1.min(f.y0 + ROW * rows.len() as i32);
    let head = anchored(bold(14.0, INK), HPos::Left, VPos::Bottom);
    text(
        root,
        "Change (tried one at a time)",
        &head,
        (MARGIN, f.y0 - 6),
    )?;
    text(
        root,
        &format!("P85 effect ({u})"),
        &head,
        (right + 16, f.y0 - 6),
    )?;
    // Every other row shaded, under the grid.
    for i in (1..rows.len()).step_by(2) {
        let cy = f.py(n - i as f64 - 0.5);
        rect(
            root,
            (MARGIN, cy - ROW / 2),
            (page.width - MARGIN, cy + ROW / 2),
            &RGBColor(246, 247, 249),
        )?;
    }
    f.axes(
        root,
        &format!("Change in P85 lead time ({u}); left of zero is sooner"),
        "",
        true,
    )?;
    let zero = f.px(0.0);
    let bar_h = 16;
    for (i, c) in rows.iter().enumerate() {
        let cy = f.py(n - i as f64 - 0.5);
        // The change, on up to two lines.
        let lines = wrap(root, &c.change, &label_style, label_w)?;
        let shown: Vec<String> = if lines.len() > 2 {
            vec![
                lines[0].clone(),
                fit(root, &lines[1..].join(" "), &label_style, label_w)?,
            ]
        } else {
            lines
        };
        let top = cy - 8 * (shown.len() as i32 - 1);
        for (k, l) in shown.iter().enumerate() {
            text(
                root,
                l,
                &anchored(label_style.clone(), HPos::Left, VPos::Center),
                (MARGIN, top + 16 * k as i32),
            )?;
        }
        let col = color(c);
        let fill = if c.screened_out {
            col.mix(0.35)
        } else {
            col.to_rgba()
        };
        let x = f.px(c.p85.estimate);
        rect(
            root,
            (zero.min(x), cy - bar_h / 2),
            (zero.max(x).max(zero.min(x) + 1), cy + bar_h / 2),
            &fill,
        )?;
        if c.screened_out {
            outline(
                root,
                (zero.min(x), cy - bar_h / 2),
                (zero.max(x).max(zero.min(x) + 1), cy + bar_h / 2),
                &col.mix(0.8),
                1,
            )?;
        }
        let (l, h) = (c.p85.ci_low, c.p85.ci_high);
        let (lx, hx) = (
            if l.is_finite() { f.px(l) } else { f.x0 },
            if h.is_finite() { f.px(h) } else { f.x1 },
        );
        line(root, (lx, cy), (hx, cy), &INK, 2)?;
        for (v, px) in [(l, lx), (h, hx)] {
            if v.is_finite() {
                line(root, (px, cy - 6), (px, cy + 6), &INK, 2)?;
            }
        }
        dot(root, (x, cy), 3, &INK)?;
        let vx = right + 16;
        if c.screened_out {
            text(
                root,
                &value_text(c),
                &anchored(value_style.clone(), HPos::Left, VPos::Center),
                (vx, cy - 8),
            )?;
            text(
                root,
                &format!("screened out, {} runs", grouped(u64::from(c.runs))),
                &anchored(note_style.clone(), HPos::Left, VPos::Center),
                (vx, cy + 9),
            )?;
        } else {
            text(
                root,
                &value_text(c),
                &anchored(value_style.clone(), HPos::Left, VPos::Center),
                (vx, cy),
            )?;
        }
    }
    line(root, (zero, f.y0), (zero, f.y1), &INK, 2)?;
    Ok(())
}
