//! Stage by stage: where an item's lead time goes (the value-stream-map timeline), and how busy
//! each stage's people are next to how many items wait there.

use super::canvas::*;
use super::{Ctx, Spec};
use crate::metrics::summary::StageSummary;
use plotters::prelude::{Color, DrawingBackend, RGBColor};
use plotters::style::text_anchor::{HPos, VPos};

const WORK: RGBColor = RGBColor(89, 161, 79);
const QUEUE: RGBColor = RGBColor(242, 142, 43);
const BLOCKED: RGBColor = RGBColor(200, 60, 60);
const BLOCKER: RGBColor = RGBColor(156, 107, 80);
const CADENCE: RGBColor = RGBColor(160, 110, 175);
const DELAY: RGBColor = RGBColor(225, 190, 60);
const BACKLOG: RGBColor = RGBColor(175, 175, 175);

/// Image height for charts with one row per stage.
pub(crate) fn height(ctx: &Ctx) -> u32 {
    let rows = ctx.s.stages.len() as u32 + 2;
    (230 + rows * 42).clamp(360, 1600)
}

/// A part of a row: what it is, its colour, its length in time.
type Segment = (&'static str, RGBColor, f64);

/// The parts of a row, in the order drawn.
fn segments(st: &StageSummary) -> Vec<Segment> {
    let w = &st.wait_breakdown;
    vec![
        ("queue", QUEUE, w.queue),
        ("cadence", CADENCE, w.cadence),
        ("delay", DELAY, w.delay),
        ("blocker", BLOCKER, w.blocker),
        ("work", WORK, st.mean_work),
        ("blocked", BLOCKED, w.blocked),
    ]
}

fn finite(v: f64) -> f64 {
    if v.is_finite() && v > 0.0 { v } else { 0.0 }
}

pub(crate) fn where_the_time_goes_spec(_ctx: &Ctx) -> Spec {
    Spec {
        title: "Where the time goes: work and waiting at each step".into(),
        how_to_read: "Each row is a step in flow order, starting where the previous one ended, so the bars add up to the average lead time: green is hands-on work, the other colours are waiting, and the longest non-green stretches are where lead time is lost.".into(),
    }
}

pub(crate) fn where_the_time_goes<DB: DrawingBackend>(
    ctx: &Ctx,
    spec: &Spec,
    root: &Area<DB>,
) -> Res {
    let s = ctx.s;
    let u = ctx.unit;
    let backlog = s.backlog_wait.map_or(0.0, |b| finite(b.mean));
    // Rows: (label, segments).
    let mut rows: Vec<(String, Vec<Segment>)> = Vec::new();
    if backlog > 0.0 {
        rows.push((
            "Backlog (not started)".into(),
            vec![("backlog", BACKLOG, backlog)],
        ));
    }
    for st in &s.stages {
        rows.push((
            st.name.clone(),
            segments(st)
                .into_iter()
                .map(|(n, c, v)| (n, c, finite(v)))
                .collect(),
        ));
    }
    let total_of = |name: &str| -> f64 {
        rows.iter()
            .flat_map(|r| r.1.iter())
            .filter(|seg| seg.0 == name)
            .map(|seg| seg.2)
            .sum()
    };
    let order = [
        "backlog", "queue", "cadence", "delay", "blocker", "blocked", "work",
    ];
    let totals: Vec<Segment> = order
        .iter()
        .map(|&n| {
            let c = match n {
                "backlog" => BACKLOG,
                "queue" => QUEUE,
                "cadence" => CADENCE,
                "delay" => DELAY,
                "blocker" => BLOCKER,
                "blocked" => BLOCKED,
                _ => WORK,
            };
            (n, c, total_of(n))
        })
        .collect();
    let work: f64 = total_of("work");
    let lead: f64 = totals.iter().map(|t| t.2).sum();
    let wait = lead - work;

    let mut sub = Vec::new();
    if let Some(d) = &s.lead_time {
        sub.push(format!(
            "An average item takes {} {u} from arrival to delivery: {} {u} of work and {} {u} of waiting. Flow efficiency {} (total work / total lead time).",
            pm(d.mean, d.mean_se),
            num(work),
            num(wait),
            s.flow_efficiency
                .as_ref()
                .map_or("-".into(), |f| pm_pct(f.ratio_of_sums, f.ratio_of_sums_se)),
        ));
    }
    let mut page = Page::new(root, &spec.title, &sub)?;
    if s.lead_time.is_none() {
        return page.message(&[
            "No item was measured, so there is nothing to show.".into(),
            "No item past the warm-up was delivered before the run ended: lengthen the horizon or shorten the warm-up.".into(),
        ]);
    }
    let words = |n: &str| match n {
        "backlog" => "Waiting in the backlog",
        "queue" => "Waiting for a person",
        "cadence" => "Waiting for a release",
        "delay" => "Delay (waiting on others)",
        "blocker" => "Held by a blocker",
        "blocked" => "Blocked: next step full",
        _ => "Work",
    };
    let mut keys = vec![key(boxed(WORK), words("work"))];
    for t in &totals {
        if t.0 != "work" && t.2 > 0.0 {
            keys.push(key(boxed(t.1), words(t.0)));
        }
    }
    page.legend(&keys)?;
    page.notes(&[format!(
        "Means per delivered item over all runs, every visit to a step included (rework makes an item visit a step more than once). Times in {u}."
    )])?;

    rows.push(("Total lead time".into(), totals.clone()));
    let name_style = font(14.0, INK);
    let mut label_w = 0;
    for (name, _) in &rows {
        label_w = label_w.max(measure(root, name, &bold(14.0, INK))?.0);
    }
    let label_w = label_w.min(230);
    let value_style = font(14.0, MUTED);
    let value_text = |segs: &[Segment]| -> String {
        let work: f64 = segs.iter().filter(|x| x.0 == "work").map(|x| x.2).sum();
        let wait: f64 = segs.iter().filter(|x| x.0 != "work").map(|x| x.2).sum();
        // Every time with the decimals that give the total three significant digits.
        let d = (2.0 - lead.max(1e-9).log10().floor()).clamp(0.0, 6.0) as usize;
        let n = |v: f64| {
            let s = tick_label(v, d);
            if v > 0.0 && s.trim_start_matches(['0', '.']).is_empty() {
                format!("<{}", tick_label(10f64.powi(-(d as i32)), d))
            } else {
                s
            }
        };
        if work > 0.0 && wait > 0.0 {
            format!("{} wait + {} work", n(wait), n(work))
        } else if work > 0.0 {
            format!("{} work", n(work))
        } else {
            format!("{} wait", n(wait))
        }
    };
    let mut value_w = 0;
    for (_, segs) in &rows {
        value_w = value_w.max(measure(root, &value_text(segs), &value_style)?.0);
    }
    let left = MARGIN + label_w + 12;
    let right = page.width - MARGIN - value_w - 14;
    let xa = Axis::new(0.0, lead.max(1e-9), 10, false);
    // A frame whose y axis is rows: 0 at the bottom, one unit per row.
    let nrows = rows.len() as f64;
    let ya = Axis {
        lo: 0.0,
        hi: nrows + 0.3,
        ticks: Vec::new(),
        decimals: 0,
    };
    let mut f = Frame::new(root, (left, page.top, right, page.bottom), xa, ya)?;
    f.x0 = left;
    f.y1 = f.y1.min(f.y0 + (48.0 * (nrows + 0.3)) as i32);
    f.axes(
        root,
        &format!("Time since the item arrived ({u})"),
        "",
        true,
    )?;
    let row_h = f64::from(f.y1 - f.y0) / (nrows + 0.3);
    let bar_h = ((row_h * 0.62).round() as i32).clamp(4, 26);
    let mut start = 0.0;
    for (i, (name, segs)) in rows.iter().enumerate() {
        let is_total = i + 1 == rows.len();
        let cy = f.py(nrows - i as f64 - 0.5 + 0.3);
        if is_total {
            let sep = f.py(1.0 + 0.3);
            line(root, (MARGIN, sep), (page.width - MARGIN, sep), &AXIS, 1)?;
            start = 0.0;
        }
        let style = if is_total {
            bold(14.0, INK)
        } else {
            name_style.clone()
        };
        let label = fit(root, name, &style, label_w)?;
        text(
            root,
            &label,
            &anchored(style, HPos::Right, VPos::Center),
            (left - 10, cy),
        )?;
        let mut x = start;
        for &(_, color, v) in segs {
            if v <= 0.0 {
                continue;
            }
            let (a, b) = (f.px(x), f.px(x + v));
            rect(
                root,
                (a, cy - bar_h / 2),
                (b.max(a + 1), cy + bar_h / 2),
                &color,
            )?;
            x += v;
        }
        // A thin connector shows where the next step starts.
        if !is_total && i + 2 < rows.len() {
            let next = f.py(nrows - i as f64 - 1.5 + 0.3);
            let px = f.px(x);
            line(root, (px, cy + bar_h / 2), (px, next - bar_h / 2), &AXIS, 1)?;
        }
        text(
            root,
            &value_text(segs),
            &anchored(value_style.clone(), HPos::Left, VPos::Center),
            (right + 14, cy),
        )?;
        start = x;
    }
    Ok(())
}

pub(crate) fn utilization_spec(_ctx: &Ctx) -> Spec {
    Spec {
        title: "Stage utilization and queues: how busy people are, how much work waits".into(),
        how_to_read: "Each bar on the left shows how busy the people serving a stage are (the highlighted one is the bottleneck, where extra capacity helps most); the bars on the right show how many items wait at each stage on average, and queues grow fast as people get close to fully busy.".into(),
    }
}

/// The second line of a stage's label: who serves it.
fn who(ctx: &Ctx, st: &StageSummary) -> String {
    if let Some(team) = &st.team {
        let people = ctx
            .s
            .teams
            .iter()
            .find(|t| &t.name == team)
            .map_or(0, |t| t.people);
        return format!(
            "team \"{team}\", {people} {}",
            if people == 1 { "person" } else { "people" }
        );
    }
    match (st.kind.as_str(), st.workers) {
        (_, Some(w)) => format!("{w} {}", if w == 1 { "worker" } else { "workers" }),
        ("cadence", _) => "release cadence, no people".into(),
        ("delay", _) => "delay, no people".into(),
        _ => String::new(),
    }
}

pub(crate) fn utilization<DB: DrawingBackend>(ctx: &Ctx, spec: &Spec, root: &Area<DB>) -> Res {
    let s = ctx.s;
    let sub = match (&s.bottleneck, &s.bottleneck_reason) {
        (Some(b), Some(r)) => format!("Bottleneck: {b}. {}.", capitalize(r)),
        _ => "No stage has people of its own, so there is no bottleneck to show.".into(),
    };
    let mut page = Page::new(root, &spec.title, &[sub])?;
    let any_team = s.stages.iter().any(|st| st.team.is_some());
    let any_load = s
        .stages
        .iter()
        .any(|st| st.offered_load.is_some_and(f64::is_finite));
    let mut keys = Vec::new();
    if s.stages
        .iter()
        .any(|st| st.utilization.is_some() && s.bottleneck.as_deref() != Some(st.name.as_str()))
    {
        keys.push(key(boxed(BLUE), "Busy on this stage"));
    }
    if any_team {
        keys.push(key(boxed(LIGHT_BLUE), "Busy on the team's other stages"));
    }
    if s.bottleneck.is_some() {
        keys.push(key(boxed(ORANGE), "Bottleneck"));
    }
    if any_load {
        keys.push(key(Swatch::Tick(INK), "Expected load from the scenario"));
    }
    keys.push(key(boxed(GRAY), "Items waiting (time average)"));
    page.legend(&keys)?;
    page.notes(&[
        "Utilization: share of the people's time spent working (for a team, the whole team's, as the same people serve all its stages). Waiting: items queued for a person or a release. ± is the Monte Carlo standard error."
        .into()])?;

    let n = s.stages.len().max(1);
    let name_style = font(14.0, INK);
    let who_style = font(12.0, MUTED);
    let mut label_w = 0;
    for st in &s.stages {
        label_w = label_w.max(measure(root, &st.name, &bold(14.0, INK))?.0);
        label_w = label_w.max(measure(root, &who(ctx, st), &who_style)?.0);
    }
    let label_w = label_w.min(210);
    let left = MARGIN + label_w + 12;
    let usable = page.width - MARGIN - left;
    // Utilization panel, its value column, then the queue panel.
    let value_style = font(14.0, INK);
    let mut value_w = measure(root, "100.0 ± 0.0%", &value_style)?.0;
    for st in &s.stages {
        if let Some(u) = st.utilization {
            value_w = value_w.max(measure(root, &pm_pct(u, st.utilization_se), &value_style)?.0);
        }
    }
    let util_w = ((f64::from(usable - value_w - 40) * 0.62) as i32).max(60);
    let ua = Axis::new(0.0, 100.0, 5, false);
    let rows_axis = Axis {
        lo: 0.0,
        hi: n as f64,
        ticks: Vec::new(),
        decimals: 0,
    };
    let mut fu = Frame::new(
        root,
        (left, page.top + 18, left + util_w, page.bottom),
        ua,
        rows_axis.clone(),
    )?;
    fu.x0 = left;
    let qmax = s
        .stages
        .iter()
        .map(|st| finite(st.mean_queue))
        .fold(0.0, f64::max);
    let qa = Axis::new(0.0, if qmax > 0.0 { qmax * 1.3 } else { 1.0 }, 4, false);
    let q_left = left + util_w + value_w + 50;
    let mut fq = Frame::new(
        root,
        (q_left, page.top + 18, page.width - MARGIN, page.bottom),
        qa,
        rows_axis,
    )?;
    fq.x0 = q_left;
    // Rows no taller than 60 pixels: a single stage is not one huge bar.
    fu.y1 = fu.y1.min(fu.y0 + 60 * n as i32);
    fq.y1 = fu.y1;
    let head = anchored(bold(14.0, INK), HPos::Left, VPos::Bottom);
    text(root, "People busy", &head, (fu.x0, fu.y0 - 4))?;
    text(root, "Items waiting", &head, (fq.x0, fq.y0 - 4))?;
    fu.axes(root, "Utilization (% of time busy)", "", true)?;
    fq.axes(root, "Items waiting (average)", "", true)?;

    let row_h = f64::from(fu.y1 - fu.y0) / n as f64;
    let bar_h = ((row_h * 0.5).round() as i32).clamp(4, 22);
    for (i, st) in s.stages.iter().enumerate() {
        let cy = fu.py(n as f64 - i as f64 - 0.5);
        let is_b = s.bottleneck.as_deref() == Some(st.name.as_str());
        if is_b {
            let half = (row_h / 2.0) as i32;
            rect(
                root,
                (MARGIN - 6, cy - half + 1),
                (page.width - MARGIN + 6, cy + half - 1),
                &ORANGE.mix(0.12),
            )?;
        }
        let second = who(ctx, st);
        let (name_y, who_y) = if second.is_empty() || row_h < 30.0 {
            (cy, None)
        } else {
            (cy - 8, Some(cy + 9))
        };
        let ns = if is_b {
            bold(14.0, INK)
        } else {
            name_style.clone()
        };
        text(
            root,
            &fit(root, &st.name, &ns, label_w)?,
            &anchored(ns, HPos::Right, VPos::Center),
            (left - 10, name_y),
        )?;
        if let Some(y) = who_y {
            text(
                root,
                &fit(root, &second, &who_style, label_w)?,
                &anchored(who_style.clone(), HPos::Right, VPos::Center),
                (left - 10, y),
            )?;
        }
        let (top, bottom) = (cy - bar_h / 2, cy + bar_h / 2);
        match st.utilization.filter(|u| u.is_finite()) {
            Some(u) => {
                let own = st.busy_share.filter(|b| b.is_finite()).unwrap_or(u).min(u);
                let (dark, light) = if is_b {
                    (ORANGE, RGBColor(250, 200, 150))
                } else {
                    (BLUE, LIGHT_BLUE)
                };
                rect(root, (fu.px(0.0), top), (fu.px(100.0 * u), bottom), &light)?;
                rect(root, (fu.px(0.0), top), (fu.px(100.0 * own), bottom), &dark)?;
                if let Some(load) = st.offered_load.filter(|l| l.is_finite()) {
                    let x = fu.px(100.0 * load.min(1.0));
                    line(root, (x, top - 4), (x, bottom + 4), &INK, 3)?;
                }
                let label = pm_pct(u, st.utilization_se);
                text(
                    root,
                    &label,
                    &anchored(value_style.clone(), HPos::Left, VPos::Center),
                    (
                        fu.px(100.0 * u.min(1.0)).max(
                            st.offered_load
                                .filter(|l| l.is_finite())
                                .map_or(0, |l| fu.px(100.0 * l.min(1.0)) + 2),
                        ) + 10,
                        cy,
                    ),
                )?;
            }
            None => {
                text(
                    root,
                    "no people of its own",
                    &anchored(font(12.0, MUTED), HPos::Left, VPos::Center),
                    (fu.x0 + 8, cy),
                )?;
            }
        }
        let q = finite(st.mean_queue);
        if q > 0.0 {
            rect(
                root,
                (fq.px(0.0), top),
                (fq.px(q).max(fq.x0 + 1), bottom),
                &GRAY,
            )?;
        }
        text(
            root,
            &num(q),
            &anchored(value_style.clone(), HPos::Left, VPos::Center),
            (fq.px(q) + 6, cy),
        )?;
    }
    Ok(())
}
