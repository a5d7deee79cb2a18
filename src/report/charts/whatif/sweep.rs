//! `sweep`: lead time against the parameter, and the bottleneck at each point.
//!
//! One parameter: P50, P85 and P95 lead time with 95% confidence bands, and a strip under the
//! axis naming the bottleneck at each value (with its utilization). Two parameters (a grid): the
//! parameter with more values runs along the axis and there is one P85 line per value of the
//! other, with one strip row per line.

use super::super::Spec;
use super::super::canvas::*;
use super::{legend_rows, param_words, wrapped_lines};
use crate::metrics::compare::t975;
use crate::metrics::summary::Distribution;
use crate::whatif::sweep::SweepRun;
use plotters::prelude::{Color, DrawingBackend, RGBColor, WHITE};
use plotters::style::text_anchor::{HPos, VPos};

/// The sweep arranged for drawing.
struct Layout<'a> {
    r: &'a SweepRun,
    /// The parameter along the axis: its path and values.
    x_name: String,
    xs: Vec<f64>,
    /// The other parameter of a grid: its path and values (one line each).
    series: Option<(String, Vec<f64>)>,
    /// `points[s][k]`: the point at series value `s` and axis value `k` (as given, not sorted).
    points: Vec<Vec<Option<usize>>>,
    /// Axis value positions in increasing order of value.
    order: Vec<usize>,
}

impl<'a> Layout<'a> {
    fn new(r: &'a SweepRun) -> Layout<'a> {
        let params = &r.sweep.parameters;
        let n = r.sweep.points.len();
        let (x_name, xs, series, points) = match params.as_slice() {
            [(a, va), (b, vb)] if va.len() * vb.len() == n && !va.is_empty() && !vb.is_empty() => {
                // The first parameter varies slowest: point = i * |b| + j.
                let nb = vb.len();
                if vb.len() > va.len() {
                    let pts = (0..va.len())
                        .map(|i| (0..nb).map(|j| Some(i * nb + j)).collect())
                        .collect();
                    (b.clone(), vb.clone(), Some((a.clone(), va.clone())), pts)
                } else {
                    let pts = (0..nb)
                        .map(|j| (0..va.len()).map(|i| Some(i * nb + j)).collect())
                        .collect();
                    (a.clone(), va.clone(), Some((b.clone(), vb.clone())), pts)
                }
            }
            [(a, va), ..] if va.len() == n => (
                a.clone(),
                va.clone(),
                None,
                vec![(0..n).map(Some).collect()],
            ),
            // Anything else: the points in order.
            _ => (
                params.first().map_or("point".into(), |p| p.0.clone()),
                (0..n).map(|i| i as f64 + 1.0).collect(),
                None,
                vec![(0..n).map(Some).collect()],
            ),
        };
        let mut order: Vec<usize> = (0..xs.len()).collect();
        order.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]).then(a.cmp(&b)));
        Layout {
            r,
            x_name,
            xs,
            series,
            points,
            order,
        }
    }

    fn unit(&self) -> &'static str {
        self.r.sweep.time_unit.plural()
    }

    fn lead(&self, p: Option<usize>) -> Option<&'a Distribution> {
        self.r
            .sweep
            .points
            .get(p?)?
            .lead_time
            .as_ref()
            .filter(|d| d.p85.is_finite())
    }

    /// 95% confidence half-width multiplier of a point's percentiles (t with batches - 1
    /// degrees of freedom).
    fn t(&self, p: usize) -> f64 {
        let b = self.r.results.get(p).map_or(0, |x| x.batches.len());
        let t = t975(b.saturating_sub(1));
        if t.is_finite() { t } else { 0.0 }
    }

    fn bottleneck(&self, p: Option<usize>) -> Option<&'a str> {
        self.r.sweep.points.get(p?)?.bottleneck.as_deref()
    }
}

/// A value as the parameter takes it: `3`, `0.25`.
fn value(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        short(v)
    }
}

/// "Code review at 3, Development from 4 to 7 and Analysis at 8".
fn bottleneck_story(l: &Layout, row: usize) -> Option<String> {
    let mut runs: Vec<(String, f64, f64)> = Vec::new();
    for &k in &l.order {
        let b = l
            .bottleneck(l.points[row][k])
            .unwrap_or("no stage")
            .to_string();
        match runs.last_mut() {
            Some(last) if last.0 == b => last.2 = l.xs[k],
            _ => runs.push((b, l.xs[k], l.xs[k])),
        }
    }
    if runs.is_empty() || runs.len() > 5 {
        return None;
    }
    let parts: Vec<String> = runs
        .iter()
        .map(|(b, a, z)| {
            if a == z {
                format!("{b} at {}", value(*a))
            } else {
                format!("{b} from {} to {}", value(*a), value(*z))
            }
        })
        .collect();
    Some(match parts.len() {
        1 if l.order.len() == 1 => runs[0].0.clone(),
        1 => format!("{} throughout", runs[0].0),
        _ => {
            let (last, rest) = parts.split_last().expect("two or more");
            format!("{} and {last}", rest.join(", "))
        }
    })
}

fn subtitle(l: &Layout) -> String {
    let u = l.unit();
    let words = param_words(&l.x_name);
    match &l.series {
        None => {
            let measured: Vec<(f64, &Distribution)> = l
                .order
                .iter()
                .filter_map(|&k| Some((l.xs[k], l.lead(l.points[0][k])?)))
                .collect();
            let mut s = match (measured.first(), measured.last()) {
                (Some(a), Some(b)) if measured.len() >= 2 => format!(
                    "P85 lead time is {} {u} at {words} = {} and {} {u} at {}.",
                    pm(a.1.p85, a.1.p85_se),
                    value(a.0),
                    pm(b.1.p85, b.1.p85_se),
                    value(b.0)
                ),
                (Some(a), _) => format!(
                    "P85 lead time is {} {u} at {words} = {}.",
                    pm(a.1.p85, a.1.p85_se),
                    value(a.0)
                ),
                _ => "No item was measured at any point.".to_string(),
            };
            if let Some(b) = bottleneck_story(l, 0) {
                s += &format!(" Bottleneck: {b}.");
            }
            s
        }
        Some((sname, svals)) => {
            let mut best: Option<(f64, usize, usize)> = None;
            for (si, row) in l.points.iter().enumerate() {
                for (k, &p) in row.iter().enumerate() {
                    if let Some(d) = l.lead(p) {
                        if best.is_none_or(|b| d.p85 < b.0) {
                            best = Some((d.p85, si, k));
                        }
                    }
                }
            }
            match best {
                Some((_, si, k)) => {
                    let d = l.lead(l.points[si][k]).expect("measured");
                    format!(
                        "Shortest P85 lead time: {} {u}, with {words} = {} and {} = {}.",
                        pm(d.p85, d.p85_se),
                        value(l.xs[k]),
                        param_words(sname),
                        value(svals[si])
                    )
                }
                None => "No item was measured at any point.".to_string(),
            }
        }
    }
}

pub(super) fn spec(r: &SweepRun) -> Spec {
    let l = Layout::new(r);
    let words = param_words(&l.x_name);
    match &l.series {
        None => Spec {
            title: format!("Lead time as {words} changes"),
            how_to_read: format!(
                "Each line is a lead-time percentile at each value of {words} (85% of items are delivered within the P85 line), with a shaded 95% confidence band; the strip under the axis names the bottleneck at each value, so where its colour changes is where adding more stops helping that stage."
            ),
        },
        Some((s, _)) => Spec {
            title: format!("P85 lead time by {words}, one line per {}", param_words(s)),
            how_to_read: format!(
                "Each line is the P85 lead time (85% of items delivered within it) for one value of {}, against {words} along the bottom, with a shaded 95% confidence band; the rows under the axis name the bottleneck at every point of the grid, one row per line.",
                param_words(s)
            ),
        },
    }
}

fn notes(l: &Layout) -> Vec<String> {
    let r = &l.r.sweep;
    let mut out = vec![format!(
        "Each point ran the same {} {} with seed {} (common random numbers). Bands: 95% confidence interval of each percentile (Monte Carlo precision). Parameter{}: {}.",
        grouped(u64::from(r.runs)),
        if r.runs == 1 { "run" } else { "runs" },
        r.seed,
        if r.parameters.len() == 1 { "" } else { "s" },
        r.parameters
            .iter()
            .map(|p| p.0.clone())
            .collect::<Vec<_>>()
            .join(" and ")
    )];
    let warned: Vec<String> = r
        .points
        .iter()
        .filter(|p| !p.warnings.is_empty())
        .map(|p| {
            p.settings
                .iter()
                .map(|(name, v)| format!("{} = {}", param_words(name), value(*v)))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    if !warned.is_empty() {
        let listed = warned.join("; ");
        let which = if warned.len() <= 3 && listed.chars().count() <= 90 {
            format!(" ({listed})")
        } else {
            format!(
                " ({} of {})",
                grouped(warned.len() as u64),
                grouped(r.points.len() as u64)
            )
        };
        out.push(format!(
            "{}{which} came with a warning, such as a team that cannot keep up: their lead times depend on how many items were simulated (see sweep.json).",
            if dots(l) { "Hollow points" } else { "Some points" }
        ));
    }
    out
}

/// Whether each point gets a dot (not when there are so many that they would merge).
fn dots(l: &Layout) -> bool {
    l.order.len() <= 40
}

/// Whether the values of each point are written under the axis (one parameter, few points).
fn values_shown(l: &Layout) -> bool {
    l.series.is_none() && l.order.len() <= 20
}

fn legend_keys(l: &Layout) -> Vec<Key> {
    match &l.series {
        None => vec![
            key(Swatch::Line(P95), "P95"),
            key(Swatch::Line(P85), "P85"),
            key(Swatch::Line(P50), "P50"),
            key(banded(MUTED, 0.25), "95% confidence band"),
        ],
        Some((name, vals)) => {
            let w = param_words(name);
            let mut keys: Vec<Key> = vals
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    key(
                        Swatch::Line(series_color(i)),
                        format!("{w} = {}", value(*v)),
                    )
                })
                .collect();
            keys.push(key(banded(MUTED, 0.25), "95% confidence band"));
            keys
        }
    }
}

fn series_color(i: usize) -> RGBColor {
    palette(i)
}

/// Height of the bottleneck strip: a heading, one row per line, the utilization row.
fn strip_height(l: &Layout) -> i32 {
    let rows = l.points.len() as i32;
    24 + rows * STRIP_ROW + if values_shown(l) { 2 * VALUE_ROW } else { 0 } + 10
}

const STRIP_ROW: i32 = 26;
const VALUE_ROW: i32 = 22;

pub(super) fn height(r: &SweepRun) -> u32 {
    let l = Layout::new(r);
    let max = f64::from(WIDTH as i32 - 2 * MARGIN);
    let sub = wrapped_lines(&subtitle(&l), 16.0, max);
    let labels: Vec<String> = legend_keys(&l).into_iter().map(|k| k.label).collect();
    let notes: u32 = notes(&l).iter().map(|n| wrapped_lines(n, 14.0, max)).sum();
    (400 + 20 * sub + 22 * legend_rows(&labels) + 20 * notes + strip_height(&l) as u32)
        .clamp(480, 1600)
}

/// The axis along the bottom: ticks at the values themselves when there are few.
fn x_axis(xs: &[f64]) -> Axis {
    let finite: Vec<f64> = xs.iter().copied().filter(|v| v.is_finite()).collect();
    let (lo, hi) = finite
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    if finite.is_empty() {
        return Axis::new(0.0, 1.0, 8, false);
    }
    let mut distinct = finite.clone();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if distinct.len() > 15 {
        return Axis::new(lo, hi, 10, false);
    }
    let gap = distinct
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::MAX, f64::min);
    let pad = if distinct.len() >= 2 {
        (gap * 0.5).min((hi - lo) * 0.08).max((hi - lo) * 0.04)
    } else if lo != 0.0 {
        lo.abs() * 0.5
    } else {
        1.0
    };
    let decimals = distinct
        .iter()
        .map(|v| value(*v).split('.').nth(1).map_or(0, str::len))
        .max()
        .unwrap_or(0);
    Axis {
        lo: lo - pad,
        hi: hi + pad,
        ticks: distinct,
        decimals,
    }
}

/// Consecutive available points of a line, as runs of (x, low, mid, high).
fn runs(
    l: &Layout,
    row: usize,
    pick: &dyn Fn(&Distribution) -> (f64, Option<f64>),
) -> Vec<Vec<(f64, f64, f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64, f64, f64)>> = vec![Vec::new()];
    for &k in &l.order {
        let p = l.points[row][k];
        match (l.lead(p), p) {
            (Some(d), Some(p)) => {
                let (v, se) = pick(d);
                if !v.is_finite() {
                    out.push(Vec::new());
                    continue;
                }
                let half = se.filter(|s| s.is_finite()).map_or(0.0, |s| s * l.t(p));
                out.last_mut()
                    .expect("one run")
                    .push((l.xs[k], (v - half).max(0.0), v, v + half));
            }
            _ => out.push(Vec::new()),
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// The stage colours of the strip, by the baseline's stage order.
fn stage_color(l: &Layout, name: &str) -> RGBColor {
    let stages =
        l.r.results
            .first()
            .map(|x| {
                x.summary
                    .stages
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
    let i = stages.iter().position(|s| *s == name).unwrap_or_else(|| {
        // A stage the first point lacks: a stable colour from its name.
        name.bytes().map(usize::from).sum::<usize>()
    });
    palette(i)
}

pub(super) fn draw<DB: DrawingBackend>(r: &SweepRun, spec: &Spec, root: &Area<DB>) -> Res {
    let l = Layout::new(r);
    let u = l.unit();
    let mut page = Page::new(root, &spec.title, &[subtitle(&l)])?;
    page.legend(&legend_keys(&l))?;
    page.notes(&notes(&l))?;
    let strip_h = strip_height(&l);

    // Lines: (colour, width, runs).
    type Line = (RGBColor, u32, Vec<Vec<(f64, f64, f64, f64)>>);
    let mut lines: Vec<Line> = Vec::new();
    match &l.series {
        None => {
            lines.push((P95, 2, runs(&l, 0, &|d| (d.p95, d.p95_se))));
            lines.push((P50, 2, runs(&l, 0, &|d| (d.p50, d.p50_se))));
            lines.push((P85, 3, runs(&l, 0, &|d| (d.p85, d.p85_se))));
        }
        Some(_) => {
            for s in 0..l.points.len() {
                lines.push((series_color(s), 2, runs(&l, s, &|d| (d.p85, d.p85_se))));
            }
        }
    }
    let top = lines
        .iter()
        .flat_map(|x| x.2.iter().flatten())
        .map(|p| p.3.max(p.2))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let xa = x_axis(&l.xs);
    let ya = Axis::new(0.0, if top > 0.0 { top * 1.05 } else { 1.0 }, 8, false);

    // Room on the left for the strip's row labels.
    let row_labels: Vec<String> = match &l.series {
        None => vec![
            "Bottleneck".into(),
            "its utilization".into(),
            format!("P85 ({u})"),
        ],
        Some((_, vals)) => vals.iter().map(|v| format!("= {}", value(*v))).collect(),
    };
    let label_style = font(14.0, INK);
    let mut label_w = 0;
    for s in &row_labels {
        label_w = label_w.max(measure(root, s, &label_style)?.0);
    }
    let label_w = label_w + if l.series.is_some() { 30 } else { 0 };
    let mut f = Frame::new(
        root,
        (MARGIN, page.top, page.width - MARGIN, page.bottom - strip_h),
        xa,
        ya,
    )?;
    f.x0 = f.x0.max(MARGIN + label_w.min(200) + 14);
    f.axes(
        root,
        &capitalize(&param_words(&l.x_name)),
        &match l.series {
            None => format!("Lead time ({u})"),
            Some(_) => format!("P85 lead time ({u})"),
        },
        true,
    )?;
    let few = dots(&l);
    for (color, width, rs) in &lines {
        for run in rs {
            let mut band: Vec<(i32, i32)> = run.iter().map(|p| f.point(p.0, p.3)).collect();
            band.extend(run.iter().rev().map(|p| f.point(p.0, p.1)));
            if run.len() >= 2 {
                polygon(root, band, &color.mix(0.18))?;
            } else if let Some(p) = run.first() {
                // A single point: its interval as an error bar.
                let (x, lo, hi) = (f.px(p.0), f.py(p.1), f.py(p.3));
                line(root, (x, lo), (x, hi), &color.mix(0.6), 2)?;
                line(root, (x - 5, lo), (x + 5, lo), &color.mix(0.6), 2)?;
                line(root, (x - 5, hi), (x + 5, hi), &color.mix(0.6), 2)?;
            }
        }
        for run in rs {
            polyline(
                root,
                run.iter().map(|p| f.point(p.0, p.2)).collect(),
                color,
                *width,
            )?;
        }
    }
    if few || lines.iter().all(|x| x.2.iter().all(|r| r.len() < 2)) {
        let warned = |x: f64, row: usize| {
            l.order
                .iter()
                .find(|&&k| l.xs[k] == x)
                .and_then(|&k| l.points[row][k])
                .and_then(|p| l.r.sweep.points.get(p))
                .is_some_and(|p| !p.warnings.is_empty())
        };
        for (li, (color, _, rs)) in lines.iter().enumerate() {
            let row = if l.series.is_some() { li } else { 0 };
            for p in rs.iter().flatten() {
                let c = f.point(p.0, p.2);
                if warned(p.0, row) {
                    dot(root, c, 6, color)?;
                    dot(root, c, 3, &WHITE)?;
                } else {
                    dot(root, c, 4, color)?;
                }
            }
        }
    }

    // The bottleneck strip.
    let sy = f.y1 + 56;
    let head = match &l.series {
        None if values_shown(&l) => {
            "At each value: P85 lead time, the bottleneck (the stage whose people are busiest) and its utilization".to_string()
        }
        None => "Bottleneck at each value (the stage whose people are busiest)".to_string(),
        Some((s, _)) => format!(
            "Bottleneck at each point, one row per {} (the stage whose people are busiest)",
            param_words(s)
        ),
    };
    text(
        root,
        &fit(root, &head, &bold(14.0, INK), page.width - 2 * MARGIN)?,
        &anchored(bold(14.0, INK), HPos::Left, VPos::Center),
        (MARGIN, sy + 8),
    )?;
    // Cell edges: halfway between neighbouring values.
    let xs_px: Vec<i32> = l.order.iter().map(|&k| f.px(l.xs[k])).collect();
    let n = xs_px.len();
    let edge = |i: usize| -> (i32, i32) {
        let left = if i == 0 {
            if n > 1 {
                xs_px[0] - (xs_px[1] - xs_px[0]) / 2
            } else {
                xs_px[0] - 70
            }
        } else {
            (xs_px[i - 1] + xs_px[i]) / 2
        };
        let right = if i + 1 == n {
            if n > 1 {
                xs_px[i] + (xs_px[i] - xs_px[i - 1]) / 2
            } else {
                xs_px[i] + 70
            }
        } else {
            (xs_px[i] + xs_px[i + 1]) / 2
        };
        (left.max(f.x0), right.min(f.x1))
    };
    let cell_style = font(12.0, INK);
    let spacing = if n > 1 {
        (xs_px[n - 1] - xs_px[0]) / (n as i32 - 1)
    } else {
        80
    };
    // One parameter: the P85 of each point above the strip, its bottleneck's utilization under.
    let value_row = |y: i32, label: &str, values: &dyn Fn(usize) -> Option<String>| -> Res {
        text(
            root,
            label,
            &anchored(font(12.0, MUTED), HPos::Left, VPos::Center),
            (MARGIN, y),
        )?;
        if spacing >= 36 {
            for (i, &k) in l.order.iter().enumerate() {
                if let Some(v) = values(k) {
                    text(
                        root,
                        &v,
                        &anchored(font(12.0, INK), HPos::Center, VPos::Center),
                        (xs_px[i], y),
                    )?;
                }
            }
        }
        Ok(())
    };
    let mut strip_top = sy + 22;
    if values_shown(&l) {
        value_row(sy + 22 + VALUE_ROW / 2 - 2, &row_labels[2], &|k| {
            l.lead(l.points[0][k]).map(|d| num(d.p85))
        })?;
        strip_top += VALUE_ROW;
    }
    for (row, points) in l.points.iter().enumerate() {
        let y0 = strip_top + row as i32 * STRIP_ROW;
        let y1 = y0 + STRIP_ROW - 4;
        let cy = (y0 + y1) / 2;
        let label = fit(root, &row_labels[row], &label_style, f.x0 - MARGIN - 14)?;
        let lx = if l.series.is_some() {
            line(root, (MARGIN, cy), (MARGIN + 22, cy), &series_color(row), 3)?;
            MARGIN + 30
        } else {
            MARGIN
        };
        text(
            root,
            &label,
            &anchored(label_style.clone(), HPos::Left, VPos::Center),
            (lx, cy),
        )?;
        // Runs of the same bottleneck, merged.
        let mut i = 0;
        while i < n {
            let b = l.bottleneck(points[l.order[i]]);
            let mut j = i;
            while j + 1 < n && l.bottleneck(points[l.order[j + 1]]) == b {
                j += 1;
            }
            let (a, z) = (edge(i).0, edge(j).1);
            let fill = match b {
                Some(name) => stage_color(&l, name).mix(0.35),
                None => GRID.to_rgba(),
            };
            rect(root, (a + 1, y0), (z - 1, y1), &fill)?;
            let name = b.unwrap_or("none");
            if z - a >= 24 {
                let t = fit(root, name, &cell_style, z - a - 8)?;
                text(
                    root,
                    &t,
                    &anchored(cell_style.clone(), HPos::Center, VPos::Center),
                    ((a + z) / 2, cy),
                )?;
            }
            i = j + 1;
        }
    }
    if values_shown(&l) {
        value_row(
            strip_top + STRIP_ROW + VALUE_ROW / 2 - 4,
            &row_labels[1],
            &|k| {
                l.points[0][k]
                    .and_then(|p| l.r.sweep.points.get(p))
                    .and_then(|p| p.bottleneck_utilization)
                    .map(pct)
            },
        )?;
    }
    Ok(())
}
