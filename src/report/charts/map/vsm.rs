//! The value stream map timeline: a box per state in flow order (its kind, the items that entered
//! it, the P85 of a visit), the ladder under them with the mean time a finished item spent in
//! each (waiting on the upper step, worked on the lower), a summary of lead time, work and flow
//! efficiency at the end, and the same times to scale in one bar.

use super::*;
use crate::history::map::StateMap;
use crate::history::mapping::Kind;
use plotters::prelude::{TextStyle, WHITE};
use plotters::style::text_anchor::{HPos, VPos};

const WORK: RGBColor = RGBColor(46, 125, 50);
const WORK_FILL: RGBColor = RGBColor(220, 238, 215);
const WORK_BAR: [RGBColor; 2] = [RGBColor(89, 161, 79), RGBColor(140, 196, 128)];
const WAIT: RGBColor = RGBColor(196, 98, 16);
const WAIT_FILL: RGBColor = RGBColor(252, 232, 210);
const WAIT_BAR: [RGBColor; 2] = [RGBColor(242, 142, 43), RGBColor(247, 186, 120)];

/// Width of the summary at the right end of the ladder.
const SUMMARY_W: i32 = 200;

pub(super) fn spec(_m: &StreamMap) -> Spec {
    Spec {
        title: "Value stream map: where a finished item's lead time went, state by state".into(),
        how_to_read: "Each box is a state in flow order; the ladder under them shows the average time a finished item spent in each, waiting on the upper step and worked on the lower, in working days. The bar at the bottom is the same time to scale; flow efficiency is the share spent in work states.".into(),
    }
}

fn is_work(s: &StateMap) -> bool {
    !s.done && s.kind == Kind::Work
}

/// Mean work and wait per finished item; everything but work, the done state's time before a
/// reopening included, is waiting.
fn work_wait(m: &StreamMap) -> (f64, f64) {
    let sum = |work: bool| {
        m.states
            .iter()
            .filter(|s| is_work(s) == work)
            .map(|s| s.mean_per_finished_item)
            .sum()
    };
    (sum(true), sum(false))
}

pub(super) fn draw<DB: DrawingBackend>(m: &StreamMap, spec: &Spec, root: &Area<DB>) -> Res {
    let states: Vec<&StateMap> = m.states.iter().filter(|s| !s.done).collect();
    let (work, _) = work_wait(m);
    let sub = match (&m.lead_time, &m.flow_efficiency) {
        (Some(l), Some(f)) => format!(
            "{}: {} finished. Mean lead time {} working days, {} of them in work states: flow efficiency {} (total work / total lead time).",
            source(m),
            items(l.count as u64),
            num(l.mean),
            num(work),
            pct(f.overall)
        ),
        _ => source(m),
    };
    // With many states the boxes take the whole width, the summary goes under the title.
    let with_summary = states.len() <= 6;
    let mut subtitle = vec![sub];
    if let (false, Some(l)) = (with_summary, &m.lead_time) {
        subtitle.push(format!(
            "Lead time P50 {}, P85 {} working days.",
            num(l.p50),
            num(l.p85)
        ));
    }
    let mut page = Page::new(root, &spec.title, &subtitle)?;
    page.legend(&[
        key(boxed(WORK_FILL), "Work state"),
        key(boxed(WAIT_FILL), "Wait state"),
    ])?;
    page.notes(&[format!(
        "Times (d) are means per finished item in working days ({}); they add up to the mean lead time. An item that moved backwards counts its time in every state it visited again.",
        calendar_words(&m.calendar)
    )])?;
    let Some(l) = m.lead_time.as_ref().filter(|_| !states.is_empty()) else {
        return page.message(&["No item finished, so there is no lead time to map.".into()]);
    };
    let n = states.len() as i32;
    let x0 = MARGIN;
    let x1 = page.width - MARGIN - if with_summary { SUMMARY_W + 16 } else { 0 };
    let col = f64::from(x1 - x0) / f64::from(n);
    let narrow = col < 120.0;
    let cx = |i: i32| x0 + (col * f64::from(i)).round() as i32;
    let gap = if narrow { 6 } else { 14 };

    // The rows, from the top of the free space: boxes, the ladder, the bar to scale.
    let free = page.bottom - page.top;
    let box_top = page.top + 4;
    let box_h = (free * 30 / 100).clamp(84, 120);
    let bar_h = 30;
    // What is left over goes between the rows.
    let slack = ((free - box_h - 4 - (44 + 56 + 58 + bar_h + 24)) / 3).clamp(0, 40);
    let wait_y = box_top + box_h + 44 + slack;
    let work_y = wait_y + 56 + slack;
    let bar_top = work_y + 58 + slack;

    // The largest size (14 to 10) at which every word of every name fits its box.
    let inner = (col as i32) - gap - 7;
    let mut size = 14.0;
    while size > 10.0 {
        let mut fits = true;
        for word in states.iter().flat_map(|s| s.name.split(' ')) {
            fits &= measure(root, word, &bold(size, INK))?.0 <= inner;
        }
        if fits {
            break;
        }
        size -= 1.0;
    }
    let line_h = if size < 13.0 { 16 } else { 18 };
    let name_style = bold(size, INK);
    let small = font(size.min(13.0), INK);
    let muted = font(size.min(13.0), MUTED);
    for (i, s) in states.iter().enumerate() {
        let i = i as i32;
        let (a, b) = (cx(i) + gap / 2, cx(i + 1) - gap / 2);
        let w = b - a - 6;
        let work = is_work(s);
        rect(
            root,
            (a, box_top),
            (b, box_top + box_h),
            if work { &WORK_FILL } else { &WAIT_FILL },
        )?;
        outline(
            root,
            (a, box_top),
            (b, box_top + box_h),
            if work { &WORK } else { &WAIT },
            1,
        )?;
        let mut y = box_top + 6;
        let mut lines = wrap(root, &s.name, &name_style, w)?;
        if lines.len() > 2 {
            let second = lines[1..].join(" ");
            lines.truncate(1);
            lines.push(fit(root, &second, &name_style, w)?);
        }
        for t in &lines {
            text(
                root,
                t,
                &anchored(name_style.clone(), HPos::Center, VPos::Top),
                ((a + b) / 2, y),
            )?;
            y += line_h;
        }
        let facts = [
            (
                if work { "work" } else { "wait" }.to_string(),
                recolor(&small, if work { WORK } else { WAIT }),
            ),
            (items(s.items_entered as u64), small.clone()),
            (
                s.time_per_visit.map_or("no visit ended".into(), |p| {
                    if narrow {
                        format!("P85 {} d", num(p.p85))
                    } else {
                        format!("visit P85 {} d", num(p.p85))
                    }
                }),
                muted.clone(),
            ),
        ];
        for (t, st) in facts {
            if y + 16 > box_top + box_h {
                break;
            }
            text(
                root,
                &fit(root, &t, &st, w)?,
                &anchored(st, HPos::Center, VPos::Top),
                ((a + b) / 2, y),
            )?;
            y += 17;
        }
        // An arrow to the next box.
        if i + 1 < n {
            let (ya, xa) = (box_top + box_h / 2, b + 1);
            let xb = cx(i + 1) + gap / 2 - 1;
            if xb - xa >= 4 {
                line(root, (xa, ya), (xb - 3, ya), &MUTED, 1)?;
                polygon(
                    root,
                    vec![(xb, ya), (xb - 4, ya - 3), (xb - 4, ya + 3)],
                    &MUTED,
                )?;
            }
        }
    }

    // The ladder.
    let day_style = bold(14.0, INK);
    let share_style = font(12.0, MUTED);
    let mut prev: Option<i32> = None;
    for (i, s) in states.iter().enumerate() {
        let i = i as i32;
        let (a, b) = (cx(i), cx(i + 1));
        let work = is_work(s);
        let y = if work { work_y } else { wait_y };
        let color = if work { WORK } else { WAIT };
        if let Some(p) = prev {
            line(root, (a, p), (a, y), &INK, 2)?;
        }
        line(root, (a, y), (b, y), &color, 3)?;
        prev = Some(y);
        let days = format!("{} d", num(s.mean_per_finished_item));
        let share = s.share_of_lead_time.map(pct).unwrap_or_default();
        let w = b - a - 6;
        // Above the upper step, below the lower one: the days, then the share nearer the line.
        let (days_at, share_at) = if work {
            ((y + 5, VPos::Top), (y + 23, VPos::Top))
        } else {
            ((y - 20, VPos::Bottom), (y - 5, VPos::Bottom))
        };
        text(
            root,
            &fit(root, &days, &day_style, w)?,
            &anchored(recolor(&day_style, color), HPos::Center, days_at.1),
            ((a + b) / 2, days_at.0),
        )?;
        text(
            root,
            &fit(root, &share, &share_style, w)?,
            &anchored(share_style.clone(), HPos::Center, share_at.1),
            ((a + b) / 2, share_at.0),
        )?;
    }
    if with_summary {
        summary(root, m, l, (box_top, work_y + 34))?;
    }
    bar(root, m, &page, bar_top, bar_h)
}

/// Lead time, work, wait and flow efficiency in a box at the end of the ladder, from `top` to
/// `bottom`.
fn summary<DB: DrawingBackend>(
    root: &Area<DB>,
    m: &StreamMap,
    l: &crate::history::map::Percentiles,
    (box_top, bottom): (i32, i32),
) -> Res {
    let width = root.dim_in_pixel().0 as i32;
    let sx = width - MARGIN - SUMMARY_W;
    outline(root, (sx, box_top), (width - MARGIN, bottom), &INK, 1)?;
    let head = bold(15.0, INK);
    let body = font(14.0, INK);
    let mut y = box_top + 8;
    let (work, wait) = work_wait(m);
    let rows: Vec<(String, TextStyle)> = vec![
        ("Lead time".into(), head.clone()),
        (format!("mean {} d", num(l.mean)), body.clone()),
        (
            format!("P50 {} · P85 {} d", num(l.p50), num(l.p85)),
            body.clone(),
        ),
        (String::new(), body.clone()),
        (format!("Work {} d", num(work)), recolor(&body, WORK)),
        (format!("Wait {} d", num(wait)), recolor(&body, WAIT)),
        (String::new(), body.clone()),
        ("Flow efficiency".into(), head.clone()),
        (
            m.flow_efficiency.as_ref().map_or("-".into(), |f| {
                format!("{} (per item {})", pct(f.overall), pct(f.mean_of_items))
            }),
            body.clone(),
        ),
    ];
    for (t, st) in rows {
        if t.is_empty() {
            y += 6;
            continue;
        }
        text(
            root,
            &fit(root, &t, &st, SUMMARY_W - 16)?,
            &anchored(st, HPos::Left, VPos::Top),
            (sx + 8, y),
        )?;
        y += 20;
    }
    Ok(())
}

/// Each state's share of all the lead time, to scale, in a bar from `bar_top`.
fn bar<DB: DrawingBackend>(
    root: &Area<DB>,
    m: &StreamMap,
    page: &Page<DB>,
    bar_top: i32,
    bar_h: i32,
) -> Res {
    text(
        root,
        "To scale: each state's share of all the lead time of finished items",
        &anchored(bold(14.0, INK), HPos::Left, VPos::Bottom),
        (MARGIN, bar_top - 6),
    )?;
    let (bx0, bx1) = (MARGIN, page.width - MARGIN);
    let mut acc = 0.0;
    let (mut nw, mut nq) = (0, 0);
    let label = font(13.0, INK);
    for s in &m.states {
        let share = s.share_of_lead_time.unwrap_or(0.0);
        let a = bx0 + (f64::from(bx1 - bx0) * acc).round() as i32;
        acc += share;
        let b = bx0 + (f64::from(bx1 - bx0) * acc).round() as i32;
        if b <= a {
            continue;
        }
        let color = if s.done {
            GRAY
        } else if is_work(s) {
            nw += 1;
            WORK_BAR[(nw - 1) % 2]
        } else {
            nq += 1;
            WAIT_BAR[(nq - 1) % 2]
        };
        rect(root, (a, bar_top), (b, bar_top + bar_h), &color)?;
        line(root, (b, bar_top), (b, bar_top + bar_h), &WHITE, 1)?;
        let words = format!("{} {}", s.name, pct(share));
        let t = if measure(root, &words, &label)?.0 <= b - a - 8 {
            words
        } else {
            pct(share)
        };
        if measure(root, &t, &label)?.0 <= b - a - 6 {
            text(
                root,
                &t,
                &anchored(label.clone(), HPos::Center, VPos::Center),
                ((a + b) / 2, bar_top + bar_h / 2),
            )?;
        }
    }
    let ticks = font(12.0, MUTED);
    for k in 0..=4 {
        let x = bx0 + (bx1 - bx0) * k / 4;
        line(
            root,
            (x, bar_top + bar_h),
            (x, bar_top + bar_h + 4),
            &AXIS,
            1,
        )?;
        let h = match k {
            0 => HPos::Left,
            4 => HPos::Right,
            _ => HPos::Center,
        };
        text(
            root,
            &format!("{}%", 25 * k),
            &anchored(ticks.clone(), h, VPos::Top),
            (x, bar_top + bar_h + 6),
        )?;
    }
    Ok(())
}
