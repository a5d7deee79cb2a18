//! Distributions pooled over every measured item of every replication: the lead-time histogram
//! and CDF with their percentiles, and the per-item flow-efficiency histogram.

use super::canvas::*;
use super::{Ctx, Spec};
use crate::metrics::histogram::Histogram;
use crate::metrics::summary::Distribution;
use plotters::prelude::{Color, DrawingBackend, RGBColor, WHITE};
use plotters::style::text_anchor::{HPos, VPos};

/// Counts of a histogram in `n` equal bins of `width` from 0: the bins and the count beyond the
/// last one (or, with `fold_top`, that count added to the last bin). Each bucket's values are
/// taken as evenly spread across it.
pub(crate) fn rebin(h: &Histogram, width: f64, n: usize, fold_top: bool) -> (Vec<f64>, f64) {
    let mut bins = vec![0.0; n];
    let mut beyond = 0.0;
    if n == 0 || width.is_nan() || width <= 0.0 || width.is_infinite() {
        return (bins, h.count() as f64);
    }
    let top = width * n as f64;
    for (lo, hi, c) in h.buckets() {
        let c = c as f64;
        if hi <= lo {
            let i = (lo / width).floor();
            if i < n as f64 {
                bins[i.max(0.0) as usize] += c;
            } else {
                beyond += c;
            }
            continue;
        }
        let i0 = (lo / width).floor().max(0.0);
        if i0 >= n as f64 {
            beyond += c;
            continue;
        }
        let i1 = (hi / width).floor().min(n as f64 - 1.0);
        let (i0, i1) = (i0 as usize, i1 as usize);
        for (i, bin) in bins.iter_mut().enumerate().take(i1 + 1).skip(i0) {
            let a = lo.max(i as f64 * width);
            let b = hi.min((i + 1) as f64 * width);
            if b > a {
                *bin += c * (b - a) / (hi - lo);
            }
        }
        if hi > top {
            beyond += c * (hi - top.max(lo)) / (hi - lo);
        }
    }
    if fold_top {
        bins[n - 1] += beyond;
        beyond = 0.0;
    }
    (bins, beyond)
}

/// The horizontal axis title of flow-efficiency histograms.
pub(crate) const FLOW_EFFICIENCY_AXIS: &str = "Flow efficiency of an item: work / lead time (%)";

/// A round bin width giving at most `max_bins` bins over `[0, span]`.
pub(crate) fn bin_width(span: f64, max_bins: usize) -> f64 {
    let raw = span / max_bins as f64;
    let base = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if base * m >= raw * (1.0 - 1e-9) {
            return base * m;
        }
    }
    base * 10.0
}

/// A sentence about the items beyond the axis, if any.
fn beyond_note(ctx: &Ctx, h: &Histogram, axis: &Axis) -> Option<String> {
    let beyond = h.count() as f64 - h.count_below(axis.hi);
    let max = h.max()?;
    if max <= axis.hi || beyond <= 0.0 {
        return None;
    }
    let share = beyond / h.count() as f64;
    Some(format!(
        "Not shown: {} of items took longer than {} {} (the longest {} {}).",
        if share < 0.001 {
            "under 0.1%".to_string()
        } else {
            pct(share)
        },
        axis.label(axis.hi),
        ctx.unit,
        num(max),
        ctx.unit
    ))
}

/// "300,000 items from 1,000 runs".
fn pooled_words(ctx: &Ctx, count: u64) -> String {
    let runs = ctx.s.runs;
    format!(
        "{} from {} {}",
        items(count),
        grouped(u64::from(runs)),
        if runs == 1 { "run" } else { "runs" }
    )
}

/// The percentiles a chart marks: name, fraction, value, standard error, colour.
fn marks(d: &Distribution, with_p70: bool) -> Vec<(&'static str, f64, f64, Option<f64>, RGBColor)> {
    let mut m = vec![("P50", 0.5, d.p50, d.p50_se, P50)];
    if with_p70 {
        m.push(("P70", 0.7, d.p70, d.p70_se, P70));
    }
    m.push(("P85", 0.85, d.p85, d.p85_se, P85));
    m.push(("P95", 0.95, d.p95, d.p95_se, P95));
    m
}

/// Labelled vertical marker lines at the top of a frame: each label sits right of its line (left
/// of it near the right edge), on the first row where it does not overlap an earlier label.
fn vertical_marks<DB: DrawingBackend>(
    root: &Area<DB>,
    f: &Frame,
    marks: &[(String, f64, RGBColor)],
) -> Res {
    for (_, x, color) in marks {
        let px = f.px(*x);
        dashed(root, (px, f.y0), (px, f.y1), color, 2)?;
    }
    let style = bold(14.0, INK);
    let mut placed: Vec<(i32, i32, i32)> = Vec::new(); // row, x0, x1
    for (label, x, color) in marks {
        let px = f.px(*x);
        let w = measure(root, label, &style)?.0 + 8;
        let (x0, x1) = if px + 4 + w <= f.x1 {
            (px + 4, px + 4 + w)
        } else {
            (px - 4 - w, px - 4)
        };
        let mut row = 0;
        while placed
            .iter()
            .any(|&(r, a, b)| r == row && x0 < b + 6 && a < x1 + 6)
        {
            row += 1;
        }
        placed.push((row, x0, x1));
        let y = f.y0 + 4 + 22 * row;
        rect(root, (x0, y), (x1, y + 20), &WHITE.mix(0.85))?;
        text(
            root,
            label,
            &anchored(recolor(&style, *color), HPos::Left, VPos::Center),
            (x0 + 4, y + 10),
        )?;
    }
    Ok(())
}

/// Bars of a rebinned histogram: `(lo, hi, height)` in data units.
fn bars<DB: DrawingBackend>(
    root: &Area<DB>,
    f: &Frame,
    bars: &[(f64, f64, f64)],
    color: RGBColor,
) -> Res {
    for &(lo, hi, v) in bars {
        if v <= 0.0 {
            continue;
        }
        let (x0, x1) = (f.px(lo), f.px(hi));
        let gap = if x1 - x0 >= 6 { 1 } else { 0 };
        let y = f.py(v).min(f.y1 - 1);
        rect(root, (x0 + gap, y), (x1 - gap, f.y1), &color)?;
    }
    Ok(())
}

pub(crate) fn lead_time_histogram_spec(ctx: &Ctx) -> Spec {
    Spec {
        title: "Lead time: how long items take from arrival to delivery".into(),
        how_to_read: match &ctx.s.lead_time {
            Some(d) => format!(
                "Each bar is the share of delivered items whose lead time fell in that range; the dashed lines mark the times within which 50%, 85% and 95% of items were delivered (85% within {} {}).",
                num(d.p85),
                ctx.unit
            ),
            None => "Each bar would be the share of items whose lead time fell in that range; no item was measured in this run.".into(),
        },
    }
}

fn no_items<DB: DrawingBackend>(ctx: &Ctx, spec: &Spec, root: &Area<DB>) -> Res {
    let page = Page::new(root, &spec.title, std::slice::from_ref(&ctx.d.scenario))?;
    page.message(&[
        "No item was measured, so there is nothing to show.".into(),
        "No item past the warm-up was delivered before the run ended: lengthen the horizon or shorten the warm-up.".into(),
    ])
}

pub(crate) fn lead_time_histogram<DB: DrawingBackend>(
    ctx: &Ctx,
    spec: &Spec,
    root: &Area<DB>,
) -> Res {
    let h = &ctx.d.lead_time;
    let (Some(d), false) = (&ctx.s.lead_time, h.is_empty()) else {
        return no_items(ctx, spec, root);
    };
    let u = ctx.unit;
    let mut page = Page::new(
        root,
        &spec.title,
        &[format!(
            "85% of items finish within {} {u}; half within {}, 95% within {} ({}).",
            pm(d.p85, d.p85_se),
            pm(d.p50, d.p50_se),
            pm(d.p95, d.p95_se),
            pooled_words(ctx, h.count())
        )],
    )?;
    let xa = lead_axis(&[h]);
    let width = bin_width(xa.hi, 50);
    let n = ((xa.hi / width).round() as usize).clamp(1, 500);
    let (counts, _) = rebin(h, width, n, false);
    let shares = share_bins(&counts, width, h.count() as f64);
    let mut notes = vec![format!(
        "Bars are {} {u} wide. ± is the Monte Carlo standard error of each percentile (how much it would move with another seed).",
        num(width)
    )];
    if let Some(n) = beyond_note(ctx, h, &xa) {
        notes.push(n);
    }
    page.notes(&notes)?;
    let m: Vec<(String, f64, RGBColor)> = marks(d, false)
        .into_iter()
        .map(|(name, _, v, se, c)| (format!("{name} {} {u}", pm(v, se)), v, c))
        .collect();
    share_bars(root, &page, xa, &shares, &format!("Lead time ({u})"), &m)
}

/// Counts in bins of `width` from 0 as bars `(lo, hi, share of total in %)`.
pub(crate) fn share_bins(counts: &[f64], width: f64, total: f64) -> Vec<(f64, f64, f64)> {
    counts
        .iter()
        .enumerate()
        .map(|(i, &c)| (i as f64 * width, (i + 1) as f64 * width, 100.0 * c / total))
        .collect()
}

/// A histogram of shares of items (%) under the page's title, legend and notes: bars `(lo, hi,
/// share)` on the horizontal axis `xa`, with labelled vertical marks.
pub(crate) fn share_bars<DB: DrawingBackend>(
    root: &Area<DB>,
    page: &Page<DB>,
    xa: Axis,
    shares: &[(f64, f64, f64)],
    xdesc: &str,
    marks: &[(String, f64, RGBColor)],
) -> Res {
    let top = shares.iter().map(|b| b.2).fold(0.0, f64::max);
    let f = Frame::new(
        root,
        (MARGIN, page.top, page.width - MARGIN, page.bottom),
        xa,
        // Room above the bars for the marks' labels, but never past 100%.
        Axis::new(0.0, (top * 1.3).min(100.0).max(top), 6, false),
    )?;
    f.axes(root, xdesc, "Share of items (%)", false)?;
    bars(root, &f, shares, LIGHT_BLUE)?;
    vertical_marks(root, &f, marks)
}

pub(crate) fn lead_time_cdf_spec(ctx: &Ctx) -> Spec {
    Spec {
        title: "Lead time: probability of delivering an item within a given time".into(),
        how_to_read: match &ctx.s.lead_time {
            Some(d) => format!(
                "Pick a time on the bottom axis and read up to the curve: that is the chance an item is delivered within that time (for example {} within {} {}).",
                "85%",
                num(d.p85),
                ctx.unit
            ),
            None => "The curve would show the chance an item is delivered within a given time; no item was measured in this run.".into(),
        },
    }
}

pub(crate) fn lead_time_cdf<DB: DrawingBackend>(ctx: &Ctx, spec: &Spec, root: &Area<DB>) -> Res {
    let h = &ctx.d.lead_time;
    let (Some(d), false) = (&ctx.s.lead_time, h.is_empty()) else {
        return no_items(ctx, spec, root);
    };
    let u = ctx.unit;
    let mut page = Page::new(
        root,
        &spec.title,
        &[format!(
            "Share of items delivered within each lead time, from arrival to done ({}).",
            pooled_words(ctx, h.count())
        )],
    )?;
    let xa = lead_axis(&[h]);
    let mut notes = vec![
        "± is the Monte Carlo standard error of each percentile (how much it would move with another seed).".to_string(),
    ];
    if let Some(n) = beyond_note(ctx, h, &xa) {
        notes.push(n);
    }
    page.notes(&notes)?;
    let ya = Axis::new(0.0, 100.0, 10, false);
    let f = Frame::new(
        root,
        (MARGIN, page.top, page.width - MARGIN, page.bottom),
        xa,
        ya,
    )?;
    f.axes(
        root,
        &format!("Lead time ({u})"),
        "Items delivered within that time (%)",
        true,
    )?;
    let total = h.count() as f64;
    let steps = 400;
    let pts: Vec<(i32, i32)> = (0..=steps)
        .map(|i| {
            let x = f.x.lo + (f.x.hi - f.x.lo) * f64::from(i) / f64::from(steps);
            f.point(x, 100.0 * h.count_below(x) / total)
        })
        .collect();
    polyline(root, pts, &BLUE, 3)?;
    let style = bold(14.0, INK);
    for (name, q, v, se, color) in marks(d, true) {
        let (px, py) = f.point(v, 100.0 * q);
        dashed(root, (f.x0, py), (px, py), &color, 1)?;
        dashed(root, (px, py), (px, f.y1), &color, 1)?;
        dot(root, (px, py), 5, &color)?;
        let label = format!("{name}: {} {u}", pm(v, se));
        let w = measure(root, &label, &style)?.0;
        // Left of the point and above its line is empty for a CDF, and so is right and below.
        let (anchor, x, y) = if px - 10 - w >= f.x0 + 4 {
            (HPos::Right, px - 10, py - 11)
        } else {
            (HPos::Left, px + 10, py + 11)
        };
        text(
            root,
            &label,
            &anchored(recolor(&style, color), anchor, VPos::Center),
            (x, y),
        )?;
    }
    Ok(())
}

pub(crate) fn flow_efficiency_spec(ctx: &Ctx) -> Spec {
    let _ = ctx;
    Spec {
        title: "Flow efficiency: share of each item's lead time spent on hands-on work".into(),
        how_to_read: "Each bar is the share of items whose hands-on work was that percentage of their lead time; the further left, the more of an item's life was spent waiting.".into(),
    }
}

pub(crate) fn flow_efficiency<DB: DrawingBackend>(ctx: &Ctx, spec: &Spec, root: &Area<DB>) -> Res {
    let h = &ctx.d.flow_efficiency;
    let (Some(fe), false) = (&ctx.s.flow_efficiency, h.is_empty()) else {
        return no_items(ctx, spec, root);
    };
    let mut page = Page::new(
        root,
        &spec.title,
        &[format!(
            "Work is {} of all lead time (total work / total lead time); the average item is worked on {} of its lead time ({}).",
            pm_pct(fe.ratio_of_sums, fe.ratio_of_sums_se),
            pm_pct(fe.mean_of_ratios, fe.mean_of_ratios_se),
            pooled_words(ctx, h.count())
        )],
    )?;
    page.notes(&[
        "Work is time a person works on the item (and delays that count as work); everything else is waiting. Bars are 2.5 points wide; ± is the Monte Carlo standard error.".into(),
    ])?;
    let n = 40;
    let (counts, _) = rebin(h, 1.0 / n as f64, n, true);
    let shares = share_bins(&counts, 100.0 / n as f64, h.count() as f64);
    share_bars(
        root,
        &page,
        Axis::new(0.0, 100.0, 10, false),
        &shares,
        FLOW_EFFICIENCY_AXIS,
        &[
            (
                format!(
                    "Average item {}",
                    pm_pct(fe.mean_of_ratios, fe.mean_of_ratios_se)
                ),
                100.0 * fe.mean_of_ratios,
                PURPLE,
            ),
            (
                format!(
                    "All work / all lead time {}",
                    pm_pct(fe.ratio_of_sums, fe.ratio_of_sums_se)
                ),
                100.0 * fe.ratio_of_sums,
                GREEN,
            ),
        ],
    )
}

/// One line of a chart of cumulative distributions: a histogram, its colour and width, and its
/// P85 with its standard error (a dot on the 85% line).
pub(crate) struct Curve<'a> {
    pub hist: &'a Histogram,
    pub color: RGBColor,
    pub width: u32,
    pub p85: Option<(f64, Option<f64>)>,
}

/// The lead-time axis for several histograms: to the longest lead time, or a little beyond the
/// 99th percentile when a few very long items would squash the rest.
pub(crate) fn lead_axis(hs: &[&Histogram]) -> Axis {
    let mut top: f64 = 0.0;
    for h in hs {
        let Some(max) = h.max().filter(|m| m.is_finite()) else {
            continue;
        };
        let q99 = h.quantile(0.99).unwrap_or(max);
        top = top.max(if max <= q99 * 1.25 { max } else { q99 * 1.1 });
    }
    Axis::new(0.0, if top > 0.0 { top * 1.02 } else { 1.0 }, 10, false)
}

/// Lead-time CDFs on one frame below the page's title and legend, drawn in the order given (the
/// last on top), with the 85% line and each curve's P85; `notes` go under the chart, with a line
/// added when the axis leaves long items out. With no non-empty curve, `empty` is shown instead
/// and no frame is returned.
pub(crate) fn cdf_curves<DB: DrawingBackend>(
    root: &Area<DB>,
    page: &mut Page<'_, DB>,
    curves: &[Curve],
    unit: &str,
    mut notes: Vec<String>,
    empty: &[String],
) -> Res<Option<Frame>> {
    let curves: Vec<&Curve> = curves.iter().filter(|c| !c.hist.is_empty()).collect();
    if curves.is_empty() {
        page.notes(&notes)?;
        page.message(empty)?;
        return Ok(None);
    }
    let hists: Vec<&Histogram> = curves.iter().map(|c| c.hist).collect();
    let xa = lead_axis(&hists);
    // Items beyond the axis.
    let mut beyond_share: f64 = 0.0;
    let mut longest: f64 = 0.0;
    for h in &hists {
        let beyond = h.count() as f64 - h.count_below(xa.hi);
        if beyond > 0.0 && h.max().is_some_and(|m| m > xa.hi) {
            beyond_share = beyond_share.max(beyond / h.count() as f64);
            longest = longest.max(h.max().unwrap_or(0.0));
        }
    }
    if beyond_share > 0.0 {
        notes.push(format!(
            "Not shown: the longest {} of a line's items at most, which took more than {} {unit} (the longest {} {unit}).",
            if beyond_share < 0.001 {
                "under 0.1%".to_string()
            } else {
                pct(beyond_share)
            },
            xa.label(xa.hi),
            num(longest)
        ));
    }
    page.notes(&notes)?;
    let f = Frame::new(
        root,
        (MARGIN, page.top, page.width - MARGIN, page.bottom),
        xa,
        Axis::new(0.0, 100.0, 10, false),
    )?;
    f.axes(
        root,
        &format!("Lead time ({unit})"),
        "Items delivered within that time (%)",
        true,
    )?;
    let y85 = f.py(85.0);
    dashed(root, (f.x0, y85), (f.x1, y85), &MUTED, 1)?;
    text(
        root,
        "85% of items",
        &anchored(font(12.0, MUTED), HPos::Right, VPos::Bottom),
        (f.x1 - 4, y85 - 3),
    )?;
    let steps = 400;
    for c in &curves {
        let total = c.hist.count() as f64;
        let pts: Vec<(i32, i32)> = (0..=steps)
            .map(|k| {
                let x = f.x.lo + (f.x.hi - f.x.lo) * f64::from(k) / f64::from(steps);
                f.point(x, 100.0 * c.hist.count_below(x) / total)
            })
            .collect();
        polyline(root, pts, &c.color, c.width)?;
    }
    // P85 of each: a dot on the 85% line, whiskers of one standard error.
    for c in &curves {
        let Some((p85, se)) = c.p85.filter(|p| p.0.is_finite()) else {
            continue;
        };
        let px = f.px(p85);
        if let Some(se) = se.filter(|s| s.is_finite() && *s > 0.0) {
            let (a, b) = (f.px(p85 - se), f.px(p85 + se));
            line(root, (a, y85), (b, y85), &c.color, 2)?;
            line(root, (a, y85 - 5), (a, y85 + 5), &c.color, 2)?;
            line(root, (b, y85 - 5), (b, y85 + 5), &c.color, 2)?;
        }
        dot(root, (px, y85), 7, &WHITE)?;
        dot(root, (px, y85), 5, &c.color)?;
    }
    Ok(Some(f))
}
