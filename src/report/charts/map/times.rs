//! How long finished items took: the lead-time scatterplot (when each was done, how long it
//! took, with the P50, P85 and P95 lines), the lead-time histogram with its percentiles, and
//! the flow-efficiency histogram.

use super::super::distribution::{FLOW_EFFICIENCY_AXIS, bin_width, share_bars, share_bins};
use super::super::items::{labelled_lines, line_labels_width};
use super::*;
use crate::history::map::Percentiles;
use plotters::prelude::Color;

pub(super) fn scatter_spec(m: &StreamMap) -> Spec {
    Spec {
        title: "Lead time scatterplot: when each item was done and how long it took".into(),
        how_to_read: match &m.lead_time {
            Some(l) => format!(
                "Each dot is a finished item: the date it was done (across) and its lead time in working days (up); the dashed lines are the times 50%, 85% and 95% of items were done within (85% within {}).",
                num(l.p85)
            ),
            None => "Each dot would be a finished item; no item finished in this history.".into(),
        },
    }
}

/// The finished items with a lead time and a done date: (day, lead time, work type).
fn finished(m: &StreamMap) -> Vec<(f64, f64, &str)> {
    m.items
        .iter()
        .filter_map(|i| {
            let day = day_of(i.done.as_deref()?)?;
            let lead = i.lead_time.filter(|l| l.is_finite())?;
            Some((day, lead, i.work_type.as_str()))
        })
        .collect()
}

/// Lines at the percentiles, labelled.
fn percentile_lines(l: &Percentiles) -> Vec<(String, f64, RGBColor)> {
    vec![
        (format!("P95 {}", num(l.p95)), l.p95, P95),
        (format!("P85 {}", num(l.p85)), l.p85, P85),
        (format!("P50 {}", num(l.p50)), l.p50, P50),
    ]
}

/// The note on items finished without a lead time.
fn unmeasured_note(m: &StreamMap) -> Option<String> {
    match m.counts.first_seen_done {
        0 => None,
        n => Some(format!(
            "Not shown: {} first seen already done (no lead time).",
            items(n as u64)
        )),
    }
}

pub(super) fn scatter<DB: DrawingBackend>(m: &StreamMap, spec: &Spec, root: &Area<DB>) -> Res {
    let pts = finished(m);
    let mut page = Page::new(
        root,
        &spec.title,
        &[format!(
            "{}: {} finished. Dashed lines: 50%, 85% and 95% of them were done within that many working days.",
            source(m),
            items(pts.len() as u64)
        )],
    )?;
    let (colors, keys) = type_colors(pts.iter().map(|p| p.2));
    page.legend(&keys)?;
    let mut notes = vec![format!(
        "Lead time: from the first state an item was seen in to done. {}",
        calendar_note(m)
    )];
    notes.extend(unmeasured_note(m));
    page.notes(&notes)?;
    let (Some(l), false) = (&m.lead_time, pts.is_empty()) else {
        return page.message(&["No item finished, so there is nothing to show.".into()]);
    };
    let lines = percentile_lines(l);
    let label_w = line_labels_width(root, &lines)?;
    let ymax = pts.iter().map(|p| p.1).fold(l.p95, f64::max);
    let range = day_range(pts.iter().map(|p| p.0.round() as i64)).expect("points");
    let (f, ticks) = date_frame(
        root,
        (
            MARGIN,
            page.top + 4,
            page.width - MARGIN - label_w - 14,
            page.bottom,
        ),
        range,
        Axis::new(0.0, ymax.max(1e-9) * 1.05, 8, false),
    )?;
    date_axes(root, &f, &ticks, "Date done", "Lead time (working days)")?;
    let radius = if pts.len() > 1500 { 2 } else { 3 };
    for (day, lead, t) in &pts {
        let c = colors.get(t).copied().unwrap_or(BLUE);
        dot(root, f.point(*day, *lead), radius, &c.mix(0.7))?;
    }
    labelled_lines(root, &f, &lines)
}

pub(super) fn histogram_spec(m: &StreamMap) -> Spec {
    Spec {
        title: "Lead time: how long finished items took from first state to done".into(),
        how_to_read: match &m.lead_time {
            Some(l) => format!(
                "Each bar is the share of finished items whose lead time fell in that range of working days; the dashed lines mark the times within which 50%, 70%, 85% and 95% of them were done (85% within {}).",
                num(l.p85)
            ),
            None => "Each bar would be the share of finished items whose lead time fell in that range; no item finished.".into(),
        },
    }
}

/// The lead-time axis: to the longest, or a little beyond the 99th percentile when a few very
/// long items would squash the rest.
fn lead_axis(sorted: &[f64]) -> Axis {
    let max = sorted.last().copied().unwrap_or(1.0);
    let h = 0.99 * (sorted.len().max(1) - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    let q99 = match (sorted.get(lo), sorted.get(hi)) {
        (Some(a), Some(b)) => a + (b - a) * (h - lo as f64),
        _ => max,
    };
    let top = if max <= q99 * 1.25 { max } else { q99 * 1.1 };
    Axis::new(0.0, top.max(1e-9) * 1.02, 10, false)
}

pub(super) fn histogram<DB: DrawingBackend>(m: &StreamMap, spec: &Spec, root: &Area<DB>) -> Res {
    let mut v: Vec<f64> = finished(m).into_iter().map(|p| p.1).collect();
    v.sort_by(f64::total_cmp);
    let sub = match &m.lead_time {
        Some(l) => format!(
            "85% of the {} finished items were done within {} working days; half within {}, 95% within {}.",
            grouped(l.count as u64),
            num(l.p85),
            num(l.p50),
            num(l.p95)
        ),
        None => source(m),
    };
    let mut page = Page::new(root, &spec.title, &[sub])?;
    let (Some(l), false) = (&m.lead_time, v.is_empty()) else {
        return page.message(&["No item finished, so there is nothing to show.".into()]);
    };
    let xa = lead_axis(&v);
    let width = bin_width(xa.hi, 50);
    let n = ((xa.hi / width).round() as usize).clamp(1, 500);
    let mut counts = vec![0.0; n];
    let mut beyond = 0;
    for x in &v {
        if *x > xa.hi {
            beyond += 1;
        } else {
            counts[((x / width).floor().max(0.0) as usize).min(n - 1)] += 1.0;
        }
    }
    let shares = share_bins(&counts, width, v.len() as f64);
    let mut notes = vec![format!(
        "Bars are {} working days wide. Lead time: from the first state an item was seen in to done. {}",
        num(width),
        calendar_note(m)
    )];
    if beyond > 0 {
        notes.push(format!(
            "Not shown: {} took longer than {} working days (the longest {}).",
            items(beyond as u64),
            xa.label(xa.hi),
            num(l.max)
        ));
    }
    notes.extend(unmeasured_note(m));
    page.notes(&notes)?;
    let marks: Vec<(String, f64, RGBColor)> = [
        ("P50", l.p50, P50),
        ("P70", l.p70, P70),
        ("P85", l.p85, P85),
        ("P95", l.p95, P95),
    ]
    .into_iter()
    .filter(|(_, v, _)| *v <= xa.hi)
    .map(|(name, v, c)| (format!("{name} {}", num(v)), v, c))
    .collect();
    share_bars(root, &page, xa, &shares, "Lead time (working days)", &marks)
}

pub(super) fn efficiency_spec(_m: &StreamMap) -> Spec {
    Spec {
        title: "Flow efficiency: share of each item's lead time spent in work states".into(),
        how_to_read: "Each bar is the share of finished items that spent that percentage of their lead time in work states; the further left, the more of an item's life was spent waiting.".into(),
    }
}

pub(super) fn efficiency<DB: DrawingBackend>(m: &StreamMap, spec: &Spec, root: &Area<DB>) -> Res {
    let v: Vec<f64> = m
        .items
        .iter()
        .filter_map(|i| i.flow_efficiency.filter(|f| f.is_finite()))
        .collect();
    let sub = match &m.flow_efficiency {
        Some(f) => format!(
            "Work is {} of all lead time (total work / total lead time); the average item spent {} of its lead time in work states ({}).",
            pct(f.overall),
            pct(f.mean_of_items),
            items(v.len() as u64)
        ),
        None => source(m),
    };
    let mut page = Page::new(root, &spec.title, &[sub])?;
    let work: Vec<&str> = m
        .states
        .iter()
        .filter(|s| !s.done && s.kind == crate::history::mapping::Kind::Work)
        .map(|s| s.name.as_str())
        .collect();
    let waits = m.states.iter().filter(|s| !s.done).count() - work.len();
    page.notes(&[format!(
        "Work: time in {}; everything else is waiting.{} Bars are 2.5 points wide. Items finished with a lead time above zero.",
        if work.is_empty() {
            "no state (none is a work state)".to_string()
        } else {
            format!("the work states ({})", work.join(", "))
        },
        match (work.is_empty(), waits) {
            (true, _) => " With no work state, flow efficiency is 0% by definition.",
            (false, 0) => " With no wait state, flow efficiency is 100% by definition.",
            _ => "",
        }
    )])?;
    let (Some(fe), false) = (&m.flow_efficiency, v.is_empty()) else {
        return page
            .message(&["No item finished with a lead time, so there is nothing to show.".into()]);
    };
    let n = 40;
    let mut counts = vec![0.0; n];
    for f in &v {
        counts[((f * n as f64).floor().max(0.0) as usize).min(n - 1)] += 1.0;
    }
    let shares = share_bins(&counts, 100.0 / n as f64, v.len() as f64);
    share_bars(
        root,
        &page,
        Axis::new(0.0, 100.0, 10, false),
        &shares,
        FLOW_EFFICIENCY_AXIS,
        &[
            (
                format!("Average item {}", pct(fe.mean_of_items)),
                100.0 * fe.mean_of_items,
                PURPLE,
            ),
            (
                format!("All work / all lead time {}", pct(fe.overall)),
                100.0 * fe.overall,
                GREEN,
            ),
        ],
    )
}
