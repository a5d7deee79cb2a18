//! Single items of the representative replication: the cycle-time scatter plot (when each item
//! was delivered and how long it took) and, for `horizon` runs, the aging chart of the items
//! still in progress at the end.

use super::canvas::*;
use super::{Ctx, Spec};
use plotters::prelude::{Circle, Color, DrawingBackend, RGBColor, WHITE};
use plotters::style::text_anchor::{HPos, VPos};

/// Colour of a work type's dots.
fn type_color(ctx: &Ctx, t: usize) -> RGBColor {
    if ctx.d.work_types.len() > 1 {
        palette(t)
    } else {
        BLUE
    }
}

/// One legend key per work type, when there are several.
fn type_keys(ctx: &Ctx, present: &[bool]) -> Vec<Key> {
    if ctx.d.work_types.len() <= 1 {
        return Vec::new();
    }
    ctx.d
        .work_types
        .iter()
        .enumerate()
        .filter(|(i, _)| present.get(*i).copied().unwrap_or(false))
        .map(|(i, name)| key(Swatch::Dot(palette(i)), name.clone()))
        .collect()
}

/// "every item" / "every 3rd item".
fn every(n: u64) -> String {
    match n {
        0 | 1 => "every item".into(),
        n => {
            let suffix = match (n % 10, n % 100) {
                (1, r) if r != 11 => "st",
                (2, r) if r != 12 => "nd",
                (3, r) if r != 13 => "rd",
                _ => "th",
            };
            format!("every {n}{suffix} item")
        }
    }
}

pub(crate) fn scatter_spec(_ctx: &Ctx) -> Spec {
    Spec {
        title: "Lead time scatterplot: when each item was delivered and how long it took".into(),
        how_to_read: "Each dot is an item of one typical run: when it was delivered (across) and how long it took from arrival to delivery (up); the lines show the lead times that 50%, 85% and 95% of all simulated items stay under.".into(),
    }
}

pub(crate) fn scatter<DB: DrawingBackend>(ctx: &Ctx, spec: &Spec, root: &Area<DB>) -> Res {
    let d = ctx.d;
    let r = &d.representative;
    let u = ctx.unit;
    let pts: Vec<_> = r
        .points
        .iter()
        .filter(|p| p.done.is_finite() && p.lead_time.is_finite())
        .collect();
    let mut page = Page::new(
        root,
        &spec.title,
        &[format!(
            "Replication {} of {}: {} delivered ({} shown). Lines: percentiles of {}.",
            r.replication + 1,
            grouped(u64::from(ctx.s.runs)),
            items(r.done.last().map_or(pts.len() as u64, |&n| u64::from(n))),
            every(r.thinned_every),
            match &ctx.s.lead_time {
                Some(l) => format!("all {} of all runs", items(l.count)),
                None => "all runs".into(),
            }
        )],
    )?;
    let mut present = vec![false; d.work_types.len()];
    for p in &pts {
        if let Some(x) = present.get_mut(p.work_type) {
            *x = true;
        }
    }
    page.legend(&type_keys(ctx, &present))?;
    page.notes(&[format!(
        "Lead time runs from arrival to delivery. ± is the Monte Carlo standard error of each percentile. How the run was chosen: {}",
        {
            let c = capitalize(r.chosen.trim());
            if c.ends_with('.') { c } else { c + "." }
        }
    )])?;
    if pts.is_empty() {
        return page.message(&["No item was delivered in this run.".into()]);
    }
    let lines: Vec<(String, f64, RGBColor)> = match &ctx.s.lead_time {
        Some(l) => vec![
            (format!("P95 {} {u}", pm(l.p95, l.p95_se)), l.p95, P95),
            (format!("P85 {} {u}", pm(l.p85, l.p85_se)), l.p85, P85),
            (format!("P50 {} {u}", pm(l.p50, l.p50_se)), l.p50, P50),
        ]
        .into_iter()
        .filter(|x| x.1.is_finite())
        .collect(),
        None => Vec::new(),
    };
    let label_w = line_labels_width(root, &lines)?;
    let xmax = pts
        .iter()
        .map(|p| p.done)
        .fold(if r.end.is_finite() { r.end } else { 0.0 }, f64::max);
    let ymax = pts
        .iter()
        .map(|p| p.lead_time)
        .chain(lines.iter().map(|l| l.1))
        .fold(0.0, f64::max);
    let f = Frame::new(
        root,
        (
            MARGIN,
            page.top + 4,
            page.width - MARGIN - label_w - 14,
            page.bottom,
        ),
        Axis::exact(0.0, xmax.max(1e-9) * 1.02, 12),
        Axis::new(0.0, ymax * 1.05, 8, false),
    )?;
    f.axes(
        root,
        &format!("Delivered at ({u} since the start)"),
        &format!("Lead time ({u})"),
        true,
    )?;
    let radius = if pts.len() > 1500 { 2 } else { 3 };
    for p in &pts {
        dot(
            root,
            f.point(p.done, p.lead_time),
            radius,
            &type_color(ctx, p.work_type).mix(0.75),
        )?;
    }
    labelled_lines(root, &f, &lines)
}

/// Width of the labels [`labelled_lines`] writes right of a frame.
pub(crate) fn line_labels_width<DB: DrawingBackend>(
    root: &Area<DB>,
    lines: &[(String, f64, RGBColor)],
) -> Res<i32> {
    let style = bold(14.0, INK);
    let mut w = 0;
    for (l, _, _) in lines {
        w = w.max(measure(root, l, &style)?.0);
    }
    Ok(w)
}

/// Horizontal dashed lines `(label, value, colour)` across a frame, each labelled right of it,
/// the labels moved apart where they would overlap.
pub(crate) fn labelled_lines<DB: DrawingBackend>(
    root: &Area<DB>,
    f: &Frame,
    lines: &[(String, f64, RGBColor)],
) -> Res {
    let style = bold(14.0, INK);
    let wanted: Vec<i32> = lines.iter().map(|l| f.py(l.1)).collect();
    let placed = spread(&wanted, 17, f.y0 + 8, f.y1 - 8);
    for ((label, v, color), y) in lines.iter().zip(placed) {
        let py = f.py(*v);
        dashed(root, (f.x0, py), (f.x1, py), color, 2)?;
        line(root, (f.x1, py), (f.x1 + 4, y), color, 1)?;
        text(
            root,
            label,
            &anchored(recolor(&style, *color), HPos::Left, VPos::Center),
            (f.x1 + 6, y),
        )?;
    }
    Ok(())
}

pub(crate) fn aging_spec(ctx: &Ctx) -> Spec {
    let _ = ctx;
    Spec {
        title: "Aging work in progress: how long unfinished items have been in their stage".into(),
        how_to_read: "Each dot is an item still unfinished at the end of a typical run, placed at its stage by how long it has been there; dots in the red zone are older than 85% of items ever get at that stage and need attention.".into(),
    }
}

pub(crate) const YOUNG: RGBColor = RGBColor(220, 238, 215);
const MIDDLE: RGBColor = RGBColor(250, 240, 200);
const OLD: RGBColor = RGBColor(248, 215, 210);

pub(crate) fn aging<DB: DrawingBackend>(ctx: &Ctx, spec: &Spec, root: &Area<DB>) -> Res {
    let d = ctx.d;
    let s = ctx.s;
    let r = &d.representative;
    let u = ctx.unit;
    let aging: Vec<_> = r
        .aging
        .iter()
        .filter(|a| a.age_in_stage.is_finite())
        .collect();
    let backlog = aging.iter().any(|a| a.stage.is_none());
    // Columns: the backlog (if any item waits there), then every stage in flow order.
    let mut stages: Vec<Option<usize>> = Vec::new();
    let mut cols: Vec<AgingColumn> = Vec::new();
    if backlog {
        stages.push(None);
        cols.push(AgingColumn {
            name: "Backlog".into(),
            pcts: None,
            missing: "not started",
        });
    }
    for (i, name) in d.stages.iter().enumerate() {
        let pcts = s.stages.get(i).and_then(|st| {
            let t = &st.time_in_stage;
            (t.p50.is_finite() && t.p85.is_finite()).then_some((t.p50, t.p50_se, t.p85, t.p85_se))
        });
        stages.push(Some(i));
        cols.push(AgingColumn {
            name: name.clone(),
            pcts,
            missing: "no times",
        });
    }
    let horizon = s
        .stop_rule
        .horizon
        .map(|h| format!(" at the horizon ({} {u})", num(h)))
        .unwrap_or_default();
    let mut page = Page::new(
        root,
        &spec.title,
        &[format!(
            "Replication {} of {}{horizon}: {} still in progress. Zones: how long items spend in each stage over all runs (P50, P85).",
            r.replication + 1,
            grouped(u64::from(s.runs)),
            items(aging.len() as u64)
        )],
    )?;
    let mut present = vec![false; d.work_types.len()];
    for a in &aging {
        if let Some(x) = present.get_mut(a.work_type) {
            *x = true;
        }
    }
    let mut keys = aging_keys();
    keys.extend(type_keys(ctx, &present));
    page.legend(&keys)?;
    let mut notes = vec![
        "Age in stage: time since the item entered its current stage. The percentiles are of each item's whole time at the stage, every visit included; ± is their Monte Carlo standard error.".to_string(),
    ];
    if backlog {
        notes.push(
            "Items in the backlog have not started: their age is the time since they arrived."
                .into(),
        );
    }
    page.notes(&notes)?;
    if cols.is_empty() || aging.is_empty() {
        return page.message(&["No item was left unfinished.".into()]);
    }
    let dots: Vec<(usize, f64, RGBColor)> = aging
        .iter()
        .filter_map(|a| {
            let col = stages.iter().position(|c| *c == a.stage)?;
            Some((col, a.age_in_stage, type_color(ctx, a.work_type)))
        })
        .collect();
    aging_columns(
        root,
        &page,
        &cols,
        &dots,
        &format!("Age in stage ({u})"),
        None,
    )
}

/// The legend of the aging zones.
pub(crate) fn aging_keys() -> Vec<Key> {
    vec![
        key(boxed(YOUNG), "Younger than P50"),
        key(boxed(MIDDLE), "P50 to P85"),
        key(boxed(OLD), "Older than P85"),
    ]
}

/// A column of an aging chart: a stage or state, its P50 and P85 time (with their standard
/// errors) and what to say under it without them.
pub(crate) struct AgingColumn {
    pub name: String,
    pub pcts: Option<(f64, Option<f64>, f64, Option<f64>)>,
    pub missing: &'static str,
}

/// The body of an aging chart in the page's free space: a column per stage with its P50 and P85
/// zones, and the items as dots `(column, age, colour)` spread across their column. With `cap`,
/// the axis stops there and older items are drawn as rings at the top.
pub(crate) fn aging_columns<DB: DrawingBackend>(
    root: &Area<DB>,
    page: &Page<DB>,
    cols: &[AgingColumn],
    dots: &[(usize, f64, RGBColor)],
    ydesc: &str,
    cap: Option<f64>,
) -> Res {
    let ymax = dots
        .iter()
        .map(|d| d.1)
        .chain(cols.iter().filter_map(|c| c.pcts).map(|p| p.2))
        .fold(0.0, f64::max);
    let ymax = cap.map_or(ymax, |c| ymax.min(c));
    let n = cols.len();
    // Under each column: its name (two lines at most), P50, P85 and the count of items.
    let name_style = font(14.0, INK);
    let count_style = font(12.0, MUTED);
    let probe = Frame::new(
        root,
        (MARGIN, page.top + 4, page.width - MARGIN, page.bottom),
        Axis {
            lo: 0.0,
            hi: n as f64,
            ticks: Vec::new(),
            decimals: 0,
        },
        Axis::new(0.0, ymax.max(1e-9) * 1.1, 8, false),
    )?;
    let col_w = f64::from(probe.x1 - probe.x0) / n as f64;
    let avail = (col_w as i32 - 6).max(10);
    let mut names: Vec<Vec<String>> = Vec::with_capacity(n);
    for c in cols {
        let mut lines = wrap(root, &c.name, &name_style, avail)?;
        if lines.len() > 2 {
            let second = format!("{} {}", lines[1], lines[2..].join(" "));
            lines.truncate(1);
            lines.push(fit(root, &second, &name_style, avail)?);
        }
        names.push(lines);
    }
    let name_lines = names.iter().map(Vec::len).max().unwrap_or(1) as i32;
    // The percentile labels share one font size, the largest that fits every column.
    let labels: Vec<Option<[String; 2]>> = cols
        .iter()
        .map(|c| {
            c.pcts.map(|(p50, se50, p85, se85)| {
                [
                    format!("P50 {}", pm(p50, se50)),
                    format!("P85 {}", pm(p85, se85)),
                ]
            })
        })
        .collect();
    let mut size = 14.0;
    while size > 10.0 {
        let mut fits = true;
        for l in labels.iter().flatten().flatten() {
            fits &= measure(root, l, &font(size, INK))?.0 <= avail;
        }
        if fits {
            break;
        }
        size -= 2.0;
    }
    let pct_style = font(size, INK);
    let line_h = 18;
    let below = 8 + line_h * (name_lines + 3);
    let mut f = probe.clone();
    f.y1 = (page.bottom - below).max(f.y0 + 10);
    // Zones first, then the axes over them.
    for (i, c) in cols.iter().enumerate() {
        let (a, b) = (f.px(i as f64) + 2, f.px(i as f64 + 1.0) - 2);
        if let Some((p50, _, p85, _)) = c.pcts {
            rect(root, (a, f.y0), (b, f.py(p85)), &OLD)?;
            rect(root, (a, f.py(p85)), (b, f.py(p50)), &MIDDLE)?;
            rect(root, (a, f.py(p50)), (b, f.y1), &YOUNG)?;
            line(root, (a, f.py(p85)), (b, f.py(p85)), &P85, 2)?;
            line(root, (a, f.py(p50)), (b, f.py(p50)), &P50, 2)?;
        } else {
            rect(root, (a, f.y0), (b, f.y1), &RGBColor(242, 242, 242))?;
        }
    }
    f.axes(root, "", ydesc, false)?;
    for (i, c) in cols.iter().enumerate() {
        let cx = f.px(i as f64 + 0.5);
        let mut y = f.y1 + 8;
        for l in &names[i] {
            text(
                root,
                l,
                &anchored(name_style.clone(), HPos::Center, VPos::Top),
                (cx, y),
            )?;
            y += line_h;
        }
        y = f.y1 + 8 + line_h * name_lines;
        match &labels[i] {
            Some([l50, l85]) => {
                for (l, color) in [(l50, P50), (l85, P85)] {
                    text(
                        root,
                        &fit(root, l, &pct_style, avail)?,
                        &anchored(recolor(&pct_style, color), HPos::Center, VPos::Top),
                        (cx, y),
                    )?;
                    y += line_h;
                }
            }
            None => {
                text(
                    root,
                    c.missing,
                    &anchored(count_style.clone(), HPos::Center, VPos::Top),
                    (cx, y),
                )?;
                y += 2 * line_h;
            }
        }
        let count = dots.iter().filter(|d| d.0 == i).count();
        text(
            root,
            &fit(root, &items(count as u64), &count_style, avail)?,
            &anchored(count_style.clone(), HPos::Center, VPos::Top),
            (cx, y),
        )?;
    }
    // Dots, spread across their column without randomness.
    let mut seen = vec![0usize; n];
    for &(col, age, color) in dots {
        if col >= n {
            continue;
        }
        let k = seen[col];
        seen[col] += 1;
        let jitter = ((k as f64 * 0.618_033_988_75).fract() - 0.5) * 0.6;
        let x = col as f64 + 0.5 + if k == 0 { 0.0 } else { jitter };
        let p = f.point(x, age);
        if age > f.y.hi {
            root.draw(&Circle::new(p, 5, color.stroke_width(2)))?;
        } else {
            dot(root, p, 5, &color)?;
            root.draw(&Circle::new(p, 5, WHITE.stroke_width(1)))?;
        }
    }
    Ok(())
}
