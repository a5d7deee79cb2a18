//! The stream over time: the cumulative flow diagram of the representative replication, WIP and
//! queues across replications (mean and P10-P90 band), and the throughput run chart.

use super::canvas::*;
use super::{Ctx, Spec};
use crate::metrics::charts::Band;
use plotters::prelude::{Color, DrawingBackend, RGBColor};
use plotters::style::text_anchor::{HPos, VPos};

pub(crate) const DONE: RGBColor = RGBColor(46, 125, 50);
const BACKLOG: RGBColor = RGBColor(205, 205, 205);
/// Stage band colours of the cumulative flow diagram (green is kept for done).
const STAGE_COLORS: [RGBColor; 9] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(176, 122, 161),
    RGBColor(118, 183, 178),
    RGBColor(237, 201, 72),
    RGBColor(156, 117, 95),
    RGBColor(225, 87, 89),
    RGBColor(255, 157, 167),
    RGBColor(120, 120, 120),
];

/// The colour of the `i`-th band of a cumulative flow diagram: the nine hues, then the same
/// hues lighter, then darker, so that 27 bands in a row never share a colour.
pub(crate) fn stage_color(i: usize) -> RGBColor {
    let hues = STAGE_COLORS.len();
    let RGBColor(r, g, b) = STAGE_COLORS[i % hues];
    match (i / hues) % 3 {
        0 => RGBColor(r, g, b),
        1 => tint(RGBColor(r, g, b)),
        _ => {
            let dark = |c: u8| (f64::from(c) * 0.62).round() as u8;
            RGBColor(dark(r), dark(g), dark(b))
        }
    }
}

/// A lighter shade of `c`: halfway to white.
pub(crate) fn tint(RGBColor(r, g, b): RGBColor) -> RGBColor {
    let light = |c: u8| ((f64::from(c) + 255.0) / 2.0).round() as u8;
    RGBColor(light(r), light(g), light(b))
}

/// The representative replication's "how it was chosen", as a sentence.
fn chosen(ctx: &Ctx) -> String {
    let c = ctx.d.representative.chosen.trim();
    if c.is_empty() {
        return format!(
            "Replication {} (the representative run).",
            ctx.d.representative.replication + 1
        );
    }
    let c = capitalize(c);
    if c.ends_with('.') { c } else { c + "." }
}

/// Sample indices to show for the representative: up to the first sample at or after its end.
fn representative_samples(ctx: &Ctx) -> usize {
    let d = ctx.d;
    let r = &d.representative;
    let len = d
        .times
        .len()
        .min(r.arrived.len())
        .min(r.done.len())
        .min(r.entered.iter().map(Vec::len).min().unwrap_or(usize::MAX));
    let end = r.end;
    match d.times[..len].iter().position(|&t| t >= end) {
        Some(k) if end.is_finite() => (k + 1).min(len),
        _ => len,
    }
}

pub(crate) fn cumulative_flow_spec(_ctx: &Ctx) -> Spec {
    Spec {
        title: "Cumulative flow: items in each step over time, in one typical run".into(),
        how_to_read: "Each coloured band is the number of items in that step at that moment of one typical run: a band that widens is work piling up in that step, and the steeper the green area rises, the faster items are delivered.".into(),
    }
}

pub(crate) fn cumulative_flow<DB: DrawingBackend>(ctx: &Ctx, spec: &Spec, root: &Area<DB>) -> Res {
    let d = ctx.d;
    let r = &d.representative;
    let u = ctx.unit;
    let k = representative_samples(ctx);
    let mut page = Page::new(
        root,
        &spec.title,
        &[format!(
            "Replication {} of {}: the top edge counts items arrived, the bottom (green) area items delivered; the height of each band is the work in that step.",
            r.replication + 1,
            grouped(u64::from(ctx.s.runs))
        )],
    )?;
    page.notes(&[format!("How this run was chosen: {}", chosen(ctx))])?;
    if k < 2 {
        return page.message(&["The run was too short to sample.".into()]);
    }
    let times = &d.times[..k];
    let n = r.entered.len();
    // Boundaries from the top: arrived, entered stage 0, ..., entered stage n-1, done, 0.
    let mut lines: Vec<Vec<f64>> = Vec::with_capacity(n + 3);
    lines.push(r.arrived[..k].iter().map(|&v| f64::from(v)).collect());
    for e in &r.entered {
        lines.push(e[..k].iter().map(|&v| f64::from(v)).collect());
    }
    lines.push(r.done[..k].iter().map(|&v| f64::from(v)).collect());
    lines.push(vec![0.0; k]);
    // Keep boundaries ordered so bands never cross.
    for i in 1..lines.len() {
        let (above, below) = lines.split_at_mut(i);
        for (v, &limit) in below[0].iter_mut().zip(&above[i - 1]) {
            *v = v.min(limit);
        }
    }
    let mut bands: Vec<(String, RGBColor)> = vec![("Backlog (not started)".into(), BACKLOG)];
    for (s, name) in d.stages.iter().enumerate().take(n) {
        bands.push((name.clone(), stage_color(s)));
    }
    bands.push(("Delivered".into(), DONE));

    // Legend in a column on the right, top to bottom as the bands are stacked.
    let legend_w = band_legend_width(root, &bands)?;
    let ymax = lines[0].iter().copied().fold(0.0, f64::max);
    let filled: Vec<bool> = (0..bands.len())
        .map(|b| lines[b].iter().zip(&lines[b + 1]).any(|(a, l)| a > l))
        .collect();
    // When work in progress is thin next to the total, the bands are hairlines: add a close-up
    // of the middle tenth of the run.
    let wip_max = lines[0]
        .iter()
        .zip(&lines[n + 1])
        .map(|(a, d)| a - d)
        .fold(0.0, f64::max);
    let zoom = k >= 20 && wip_max > 0.0 && wip_max < 0.12 * ymax;
    let right = page.width - MARGIN - legend_w - 16;
    let split = if zoom {
        MARGIN + ((right - MARGIN) as f64 * 0.56) as i32
    } else {
        right
    };
    let top = if zoom { page.top + 24 } else { page.top + 4 };
    let f = Frame::new(
        root,
        (MARGIN, top, split, page.bottom),
        Axis::exact(0.0, times[k - 1], if zoom { 6 } else { 12 }),
        Axis::new(0.0, ymax.max(1.0) * 1.02, 8, true),
    )?;
    f.axes(root, &format!("Time ({u})"), "Items (cumulative)", false)?;
    draw_bands(root, &f, times, &lines, &bands, &filled)?;
    if zoom {
        let (j0, j1) = (
            k * 45 / 100,
            (k * 55 / 100).max(k * 45 / 100 + 5).min(k - 1),
        );
        let lo = lines[n + 1][j0..=j1]
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let hi = lines[0][j0..=j1].iter().copied().fold(0.0, f64::max);
        let zx = Axis::exact(times[j0], times[j1], 4);
        let zy = Axis::new(lo, hi.max(lo + 1.0), 6, true);
        let z = Frame::new(root, (split + 30, top, right, page.bottom), zx, zy)?;
        let head = anchored(bold(14.0, INK), HPos::Left, VPos::Top);
        text(root, "The whole run", &head, (f.x0, page.top + 2))?;
        text(
            root,
            &format!("Close-up: {}–{} {u}", num(times[j0]), num(times[j1])),
            &head,
            (z.x0, page.top + 2),
        )?;
        z.axes(root, &format!("Time ({u})"), "Items (cumulative)", false)?;
        let mut zl: Vec<Vec<f64>> = lines
            .iter()
            .map(|l| l[j0..=j1].iter().map(|v| v.clamp(z.y.lo, z.y.hi)).collect())
            .collect();
        // Bands entirely below the close-up's range are cut to nothing.
        for l in &mut zl {
            l.iter_mut().for_each(|v| *v = v.max(z.y.lo));
        }
        draw_bands(root, &z, &times[j0..=j1], &zl, &bands, &filled)?;
        // Where the close-up is on the whole run.
        outline(
            root,
            f.point(times[j0], hi),
            f.point(times[j1], lo),
            &INK,
            1,
        )?;
    }
    band_legend(
        root,
        (page.width - MARGIN - legend_w, f.y0),
        legend_w,
        &bands,
        &filled,
    )
}

/// Width of the legend column of a cumulative flow diagram.
pub(crate) fn band_legend_width<DB: DrawingBackend>(
    root: &Area<DB>,
    bands: &[(String, RGBColor)],
) -> Res<i32> {
    let style = font(14.0, INK);
    let mut w = 0;
    for (name, _) in bands {
        w = w.max(measure(root, name, &style)?.0);
    }
    Ok(w.min(200) + 30)
}

/// The legend column of a cumulative flow diagram from `(x, y)`: the bands that show, top to
/// bottom as they are stacked.
pub(crate) fn band_legend<DB: DrawingBackend>(
    root: &Area<DB>,
    (lx, y): (i32, i32),
    width: i32,
    bands: &[(String, RGBColor)],
    filled: &[bool],
) -> Res {
    let ls = anchored(font(14.0, INK), HPos::Left, VPos::Center);
    let shown = bands
        .iter()
        .zip(filled)
        .filter(|(_, f)| **f)
        .map(|(b, _)| b);
    for (i, (name, color)) in shown.enumerate() {
        let cy = y + 10 + 24 * i as i32;
        rect(root, (lx, cy - 7), (lx + 20, cy + 7), color)?;
        text(root, &fit(root, name, &ls, width - 30)?, &ls, (lx + 28, cy))?;
    }
    Ok(())
}

/// The bands of a cumulative flow diagram between consecutive boundary lines, and the axis
/// line over them.
pub(crate) fn draw_bands<DB: DrawingBackend>(
    root: &Area<DB>,
    f: &Frame,
    times: &[f64],
    lines: &[Vec<f64>],
    bands: &[(String, RGBColor)],
    filled: &[bool],
) -> Res {
    let k = times.len();
    for (b, (_, color)) in bands.iter().enumerate() {
        if !filled[b] {
            continue;
        }
        let (upper, lower) = (&lines[b], &lines[b + 1]);
        let mut pts: Vec<(i32, i32)> = (0..k).map(|j| f.point(times[j], upper[j])).collect();
        pts.extend((0..k).rev().map(|j| f.point(times[j], lower[j])));
        polygon(root, pts, color)?;
    }
    // The axis again, over the bottom band.
    line(root, (f.x0, f.y1), (f.x1, f.y1), &AXIS, 1)
}

/// Panels of the WIP chart: the whole stream, then each stage.
fn wip_grid(ctx: &Ctx) -> (usize, usize) {
    let p = ctx.d.stage_bands.len() + 1;
    let cols = match p {
        1..=3 => p,
        4 => 2,
        _ => 4,
    };
    (cols, p.div_ceil(cols))
}

pub(crate) fn wip_height(ctx: &Ctx) -> u32 {
    let (_, rows) = wip_grid(ctx);
    HEIGHT + 190 * rows.saturating_sub(2) as u32
}

pub(crate) fn wip_spec(ctx: &Ctx) -> Spec {
    let n = ctx.d.band_replications;
    Spec {
        title: "Work in progress and queues over time, stage by stage".into(),
        how_to_read: format!(
            "Each panel shows how many items are at a stage over time (blue: average over {n} runs) and how many of them are waiting (orange); the shaded bands are where 8 runs in 10 fall, so a rising band means work piles up there."
        ),
    }
}

/// A centred moving average over `2 * half + 1` samples (fewer at the ends).
pub(crate) fn smooth(v: &[f64], half: usize) -> Vec<f64> {
    if half == 0 {
        return v.to_vec();
    }
    (0..v.len())
        .map(|i| {
            let (a, b) = (i.saturating_sub(half), (i + half + 1).min(v.len()));
            v[a..b].iter().sum::<f64>() / (b - a) as f64
        })
        .collect()
}

/// Samples on each side of the moving average of the WIP chart.
fn smoothing(samples: usize) -> usize {
    samples / 100
}

/// A band smoothed for display.
fn smoothed(b: &Band, half: usize) -> Band {
    Band {
        mean: smooth(&b.mean, half),
        p10: smooth(&b.p10, half),
        p90: smooth(&b.p90, half),
    }
}

/// A band as a polygon plus its mean as a line, within a frame.
fn draw_band<DB: DrawingBackend>(
    root: &Area<DB>,
    f: &Frame,
    times: &[f64],
    band: &Band,
    color: RGBColor,
) -> Res {
    let k = times
        .len()
        .min(band.mean.len())
        .min(band.p10.len())
        .min(band.p90.len());
    if k == 0 {
        return Ok(());
    }
    let mut pts: Vec<(i32, i32)> = (0..k).map(|j| f.point(times[j], band.p90[j])).collect();
    pts.extend((0..k).rev().map(|j| f.point(times[j], band.p10[j])));
    polygon(root, pts, &color.mix(0.22))?;
    polyline(
        root,
        (0..k).map(|j| f.point(times[j], band.mean[j])).collect(),
        &color,
        2,
    )
}

fn band_max(b: &Band) -> f64 {
    b.p90
        .iter()
        .chain(&b.mean)
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

/// Compact axes for a small panel: a few ticks, no titles.
fn mini_axes<DB: DrawingBackend>(root: &Area<DB>, f: &Frame) -> Res {
    let style = font(12.0, MUTED);
    for &t in &f.y.ticks {
        let y = f.py(t);
        line(root, (f.x0, y), (f.x1, y), &GRID, 1)?;
        text(
            root,
            &f.y.label(t),
            &anchored(style.clone(), HPos::Right, VPos::Center),
            (f.x0 - 5, y),
        )?;
    }
    for &t in &f.x.ticks {
        let x = f.px(t);
        line(root, (x, f.y1), (x, f.y1 + 4), &AXIS, 1)?;
        text(
            root,
            &f.x.label(t),
            &anchored(style.clone(), HPos::Center, VPos::Top),
            (x, f.y1 + 6),
        )?;
    }
    line(root, (f.x0, f.y1), (f.x1, f.y1), &AXIS, 1)?;
    line(root, (f.x0, f.y0), (f.x0, f.y1), &AXIS, 1)?;
    Ok(())
}

pub(crate) fn wip<DB: DrawingBackend>(ctx: &Ctx, spec: &Spec, root: &Area<DB>) -> Res {
    let d = ctx.d;
    let u = ctx.unit;
    let reps = d.band_replications;
    let half = smoothing(d.times.len());
    let mut page = Page::new(
        root,
        &spec.title,
        &[format!(
            "Average over the first {reps} {} (lines) and the range 8 in 10 of them fall in (P10–P90, shaded). Each panel has its own scale.",
            if reps == 1 { "run" } else { "runs" }
        )],
    )?;
    if half > 0 && d.times.len() > 2 * half + 1 {
        let step = d.times[1] - d.times[0];
        page.notes(&[format!(
            "Each point is averaged over {} {u} around it, for readability.",
            num(step * (2 * half + 1) as f64)
        )])?;
    }
    page.legend(&[
        key(Swatch::Line(BLUE), "Items at the stage (average)"),
        key(Swatch::Line(ORANGE), "Of which waiting in its queue"),
        key(banded(BLUE, 0.22), "P10–P90 across runs"),
        key(Swatch::Line(PURPLE), "Whole stream: arrived, not delivered"),
    ])?;
    text(
        root,
        &format!("Time ({u}) · vertical axes: items"),
        &anchored(font(14.0, INK), HPos::Center, VPos::Bottom),
        (page.width / 2, page.bottom),
    )?;
    page.bottom -= 22;
    if d.times.is_empty() {
        return page.message(&["The run was too short to sample.".into()]);
    }
    let (cols, rows) = wip_grid(ctx);
    let (gx, gy) = (
        f64::from(page.width - 2 * MARGIN) / cols as f64,
        f64::from(page.bottom - page.top) / rows as f64,
    );
    let tmax = d.times.last().copied().unwrap_or(1.0);
    let xa = Axis::exact(0.0, tmax, if cols >= 4 { 5 } else { 7 });
    let mut panels: Vec<(String, Option<Band>, Band, RGBColor)> = vec![(
        "Whole stream".into(),
        None,
        smoothed(&d.in_system, half),
        PURPLE,
    )];
    for sb in &d.stage_bands {
        panels.push((
            sb.name.clone(),
            Some(smoothed(&sb.queue, half)),
            smoothed(&sb.in_stage, half),
            BLUE,
        ));
    }
    let title_style = bold(14.0, INK);
    let tick = font(12.0, MUTED);
    for (i, (name, queue, main, color)) in panels.iter().enumerate() {
        let (c, r) = ((i % cols) as f64, (i / cols) as f64);
        let left = MARGIN + (c * gx) as i32;
        let top = page.top + (r * gy) as i32;
        let right = MARGIN + ((c + 1.0) * gx) as i32 - 14;
        let bottom = page.top + ((r + 1.0) * gy) as i32 - 6;
        let ymax = band_max(main).max(queue.as_ref().map_or(0.0, band_max));
        let ya = Axis::new(0.0, ymax.max(1.0), 4, true);
        let mut lw = 0;
        for &t in &ya.ticks {
            lw = lw.max(measure(root, &ya.label(t), &tick)?.0);
        }
        let f = Frame {
            x0: left + lw + 8,
            x1: right,
            y0: top + 24,
            y1: bottom - 20,
            x: xa.clone(),
            y: ya,
        };
        text(
            root,
            &fit(root, name, &title_style, right - left)?,
            &anchored(title_style.clone(), HPos::Left, VPos::Top),
            (left, top + 2),
        )?;
        mini_axes(root, &f)?;
        if let Some(q) = queue {
            draw_band(root, &f, &d.times, q, ORANGE)?;
        }
        draw_band(root, &f, &d.times, main, *color)?;
    }
    Ok(())
}

pub(crate) fn throughput_spec(ctx: &Ctx) -> Spec {
    Spec {
        title: format!("Throughput: items delivered {}", ctx.per_period()),
        how_to_read: format!(
            "Each point is the number of items delivered in one {} period of a typical run; the shaded band is where 8 runs in 10 fall, so points outside it are unusually good or bad periods.",
            ctx.period_adjective()
        ),
    }
}

pub(crate) fn throughput<DB: DrawingBackend>(ctx: &Ctx, spec: &Spec, root: &Area<DB>) -> Res {
    let d = ctx.d;
    let r = &d.representative;
    let u = ctx.unit;
    let p = if d.period.is_finite() && d.period > 0.0 {
        d.period
    } else {
        1.0
    };
    let mut sub = format!(
        "Replication {} of {} against the range 8 in 10 of the first {} runs fall in.",
        r.replication + 1,
        grouped(u64::from(ctx.s.runs)),
        d.band_replications
    );
    if let Some(t) = ctx.s.throughput {
        sub += &format!(
            " Long-run average: {} items per {} ({} {}).",
            pm(t.mean, t.se),
            ctx.unit1,
            num(t.mean * p),
            ctx.per_period()
        );
    }
    let mut page = Page::new(root, &spec.title, &[sub])?;
    page.legend(&[
        key(
            Swatch::Line(BLUE),
            format!("Replication {}", r.replication + 1),
        ),
        key(Swatch::Dashed(MUTED), "Average across runs"),
        key(banded(BLUE, 0.22), "P10–P90 across runs"),
    ])?;
    // Only whole periods within the sampled time: a part period would look like a slump.
    let extent = d
        .times
        .last()
        .copied()
        .filter(|t| t.is_finite())
        .unwrap_or(0.0);
    let whole = ((extent / p) + 1e-9).floor().max(0.0) as usize;
    let band = &d.throughput;
    let nb = band
        .mean
        .len()
        .min(band.p10.len())
        .min(band.p90.len())
        .min(whole);
    // The representative up to the period holding its last delivery (an `items` run stops
    // there), or its whole periods (a `horizon` run).
    let nr = if ctx.s.stop_rule.horizon.is_none() && r.end.is_finite() {
        r.finished.len().min(((r.end / p).ceil() as usize).max(1))
    } else {
        r.finished.len().min(whole)
    };
    let n = nb.max(nr);
    let mut notes = vec![format!(
        "Periods of {} {u}, each point at the middle of its period. How the run was chosen: {}",
        short(p),
        chosen(ctx)
    )];
    if ctx.s.stop_rule.horizon.is_some() && extent > n as f64 * p * (1.0 + 1e-9) {
        notes.push(format!(
            "The last {} {u} before the horizon are not a whole period and are left out.",
            short(extent - n as f64 * p)
        ));
    }
    page.notes(&notes)?;
    if n == 0 {
        return page.message(&["The run was too short to count periods.".into()]);
    }
    let ymax = band_max(band).max(
        r.finished[..nr]
            .iter()
            .map(|&v| f64::from(v))
            .fold(0.0, f64::max),
    );
    let f = Frame::new(
        root,
        (MARGIN, page.top, page.width - MARGIN, page.bottom),
        Axis::exact(0.0, n as f64 * p, 12),
        Axis::new(0.0, ymax.max(1.0) * 1.05, 8, true),
    )?;
    f.axes(
        root,
        &format!("Time ({u})"),
        &format!("Items delivered {}", ctx.per_period()),
        false,
    )?;
    let centers: Vec<f64> = (0..n).map(|i| (i as f64 + 0.5) * p).collect();
    if nb > 0 {
        let mut pts: Vec<(i32, i32)> = (0..nb).map(|j| f.point(centers[j], band.p90[j])).collect();
        pts.extend((0..nb).rev().map(|j| f.point(centers[j], band.p10[j])));
        polygon(root, pts, &BLUE.mix(0.22))?;
        for j in 1..nb {
            dashed(
                root,
                f.point(centers[j - 1], band.mean[j - 1]),
                f.point(centers[j], band.mean[j]),
                &MUTED,
                1,
            )?;
        }
    }
    let pts: Vec<(i32, i32)> = (0..nr)
        .map(|j| f.point(centers[j], f64::from(r.finished[j])))
        .collect();
    polyline(root, pts.clone(), &BLUE, 2)?;
    let radius = if nr > 80 { 2 } else { 4 };
    for pt in pts {
        dot(root, pt, radius, &BLUE)?;
    }
    Ok(())
}
