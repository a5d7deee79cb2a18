//! The stream over time, dates along the bottom: the cumulative flow diagram (a band per state)
//! and the throughput run chart (items finished per week, with arrivals).

use super::super::over_time::{
    DONE, band_legend, band_legend_width, draw_bands, smooth, stage_color, tint,
};
use super::*;
use crate::history::mapping::Kind;
use plotters::prelude::Color;

pub(super) fn cfd_spec(_m: &StreamMap) -> Spec {
    Spec {
        title: "Cumulative flow: items in each state, day by day".into(),
        how_to_read: "Each coloured band is the number of items in that state at the end of each day: a band that widens is work piling up in that state, the top edge counts the items arrived, and the steeper the green area rises, the faster items were done.".into(),
    }
}

pub(super) fn cfd<DB: DrawingBackend>(m: &StreamMap, spec: &Spec, root: &Area<DB>) -> Res {
    let c = &m.cfd;
    let sampled = if c.step_days > 1 {
        format!(" (sampled every {} days)", c.step_days)
    } else {
        String::new()
    };
    let mut page = Page::new(
        root,
        &spec.title,
        &[format!(
            "{}: items in each state at the end of each day{sampled}. The top edge counts items arrived, the green area items done.",
            source(m)
        )],
    )?;
    let mut notes = Vec::new();
    if m.counts.abandoned > 0 {
        notes.push(format!(
            "Not shown: {} abandoned (left out for their whole life).",
            items(m.counts.abandoned)
        ));
    }
    notes.push(
        "An item moved backwards leaves the later state's band and joins the earlier one's again."
            .into(),
    );
    page.notes(&notes)?;
    let xs: Vec<f64> = c
        .dates
        .iter()
        .filter_map(|d| day_of(d))
        .map(|d| d + 1.0)
        .collect();
    let k = xs
        .len()
        .min(c.counts.iter().map(Vec::len).min().unwrap_or(0));
    if k == 0 || c.counts.is_empty() {
        return page.message(&["Nothing to show.".into()]);
    }
    let xs = &xs[..k];
    let n = c.counts.len();
    // Boundaries from the top: everything, then without each state in flow order; the done
    // state is the band at the bottom.
    let mut lines: Vec<Vec<f64>> = Vec::with_capacity(n + 1);
    for b in 0..=n {
        lines.push(
            (0..k)
                .map(|j| c.counts[b..].iter().map(|s| s[j] as f64).sum())
                .collect(),
        );
    }
    let colors = state_colors(m);
    let mut bands: Vec<(String, RGBColor)> = Vec::with_capacity(n);
    for (s, &color) in m.states.iter().zip(&colors).take(n) {
        if s.done && s.name.to_lowercase().contains("done") {
            bands.push((s.name.clone(), DONE));
        } else if s.done {
            bands.push((format!("{} (done)", s.name), DONE));
        } else {
            bands.push((s.name.clone(), color));
        }
    }
    let filled: Vec<bool> = (0..n)
        .map(|b| lines[b].iter().zip(&lines[b + 1]).any(|(a, l)| a > l))
        .collect();
    let legend_w = band_legend_width(root, &bands)?;
    let ymax = lines[0].iter().copied().fold(0.0, f64::max);
    let (mut lo, mut hi) = (xs[0], xs[k - 1]);
    if hi - lo < 7.0 {
        let mid = (lo + hi) / 2.0;
        (lo, hi) = (mid - 3.5, mid + 3.5);
    }
    let (f, ticks) = date_frame(
        root,
        (
            MARGIN,
            page.top + 4,
            page.width - MARGIN - legend_w - 16,
            page.bottom,
        ),
        (lo, hi),
        Axis::new(0.0, ymax.max(1.0) * 1.02, 8, true),
    )?;
    date_axes(root, &f, &ticks, "Date", "Items (cumulative)")?;
    if k == 1 {
        // One day: a bar of the day's counts.
        let wide: Vec<f64> = vec![xs[0] - 0.5, xs[0] + 0.5];
        let two: Vec<Vec<f64>> = lines.iter().map(|l| vec![l[0], l[0]]).collect();
        draw_bands(root, &f, &wide, &two, &bands, &filled)?;
    } else {
        draw_bands(root, &f, xs, &lines, &bands, &filled)?;
    }
    band_legend(
        root,
        (page.width - MARGIN - legend_w, f.y0),
        legend_w,
        &bands,
        &filled,
    )
}

/// Band colours of the states: each work state its own hue, a wait state right before a work
/// state ("Ready for review") a lighter shade of that state's hue, any other wait its own hue.
/// No two states share a colour up to 27 hues.
fn state_colors(m: &StreamMap) -> Vec<RGBColor> {
    let states = &m.states;
    let mut hue = 0;
    let mut colors: Vec<Option<RGBColor>> = vec![None; states.len()];
    for (i, s) in states.iter().enumerate() {
        let queue_of_next = s.kind == Kind::Wait
            && states
                .get(i + 1)
                .is_some_and(|n| n.kind == Kind::Work && !n.done);
        if !queue_of_next && colors[i].is_none() {
            colors[i] = Some(stage_color(hue));
            hue += 1;
        }
        if queue_of_next {
            let next = stage_color(hue);
            colors[i] = Some(tint(next));
            colors[i + 1] = Some(next);
            hue += 1;
        }
    }
    colors.into_iter().map(|c| c.unwrap_or(DONE)).collect()
}

pub(super) fn throughput_spec(_m: &StreamMap) -> Spec {
    Spec {
        title: "Throughput: items finished per week".into(),
        how_to_read: "Each point is the number of items finished in one calendar week (blue) and arrived (orange); the dashed line is the average. Weeks far above it are often bulk changes of state rather than flow.".into(),
    }
}

/// Weeks above which the weekly counts are shown with a moving average.
const LONG: usize = 104;
/// Weeks on each side of the moving average: a quarter (13 weeks), a year (53) beyond ten years.
fn half_window(weeks: usize) -> usize {
    if weeks > 520 { 26 } else { 6 }
}

pub(super) fn throughput<DB: DrawingBackend>(m: &StreamMap, spec: &Spec, root: &Area<DB>) -> Res {
    // From the week of the first item finished: a history of items finished in a window may
    // start years before it.
    let skip = m.weeks.len() - m.rates.throughput_weeks.min(m.weeks.len());
    let skip = if m.rates.throughput_weeks == 0 {
        0
    } else {
        skip
    };
    let weeks = &m.weeks[skip..];
    let mut page = Page::new(
        root,
        &spec.title,
        &[format!(
            "{}: {} finished in the {} calendar weeks from the first finish, {} a week on average; {} arrived a week over the whole history.",
            source(m),
            items(m.counts.finished as u64),
            grouped(weeks.len() as u64),
            num(m.rates.throughput_per_week),
            num(m.rates.arrivals_per_week)
        )],
    )?;
    let long = weeks.len() > LONG;
    let mut keys = vec![
        key(Swatch::Line(BLUE), "Finished per week"),
        key(Swatch::Line(ORANGE), "Arrived per week"),
        key(Swatch::Dashed(MUTED), "Average finished per week"),
    ];
    if long {
        let span = 2 * half_window(weeks.len()) + 1;
        keys[0] = key(
            Swatch::Line(BLUE),
            format!("Finished ({span}-week average)"),
        );
        keys[1] = key(
            Swatch::Line(ORANGE),
            format!("Arrived ({span}-week average)"),
        );
        keys.insert(1, key(banded(BLUE, 0.35), "Finished, week by week"));
    }
    page.legend(&keys)?;
    let mut notes =
        vec!["Weeks run Monday to Sunday; each point is at the middle of its week.".to_string()];
    if skip > 0 {
        let arrived: usize = m.weeks[..skip].iter().map(|w| w.arrived).sum();
        notes.push(format!(
            "Not shown: the {} weeks from {} before the first item was finished ({} arrived in them).",
            grouped(skip as u64),
            m.weeks[0].start,
            items(arrived as u64)
        ));
    }
    if let Some(last) = weeks.last().and_then(|w| day_of(&w.start)) {
        let end = day_of(&m.period.last).unwrap_or(last);
        if end < last + 6.0 {
            notes.push(format!(
                "The last week is partial: the history ends on {}.",
                short(&m.period.last)
            ));
        }
    }
    page.notes(&notes)?;
    let xs: Vec<f64> = weeks
        .iter()
        .filter_map(|w| day_of(&w.start))
        .map(|d| d + 3.5)
        .collect();
    if xs.len() != weeks.len() || xs.is_empty() {
        return page.message(&["Nothing to show.".into()]);
    }
    let done: Vec<f64> = weeks.iter().map(|w| w.finished as f64).collect();
    let arrived: Vec<f64> = weeks.iter().map(|w| w.arrived as f64).collect();
    let (done_line, arrived_line) = if long {
        let half = half_window(weeks.len());
        (smooth(&done, half), smooth(&arrived, half))
    } else {
        (done.clone(), arrived.clone())
    };
    let ymax = done
        .iter()
        .chain(&arrived_line)
        .copied()
        .fold(0.0, f64::max);
    let range = (xs[0] - 3.5, xs[xs.len() - 1] + 3.5);
    let (f, ticks) = date_frame(
        root,
        (MARGIN, page.top + 4, page.width - MARGIN, page.bottom),
        range,
        Axis::new(0.0, ymax.max(1.0) * 1.05, 8, true),
    )?;
    date_axes(root, &f, &ticks, "Week", "Items per week")?;
    let pts =
        |v: &[f64]| -> Vec<(i32, i32)> { xs.iter().zip(v).map(|(x, y)| f.point(*x, *y)).collect() };
    if long {
        polyline(root, pts(&done), &BLUE.mix(0.35), 1)?;
    }
    polyline(root, pts(&arrived_line), &ORANGE, if long { 2 } else { 1 })?;
    polyline(root, pts(&done_line), &BLUE, 2)?;
    if !long {
        let radius = if weeks.len() > 52 { 2 } else { 4 };
        for p in pts(&done) {
            dot(root, p, radius, &BLUE)?;
        }
    }
    let mean = m.rates.throughput_per_week;
    let y = f.py(mean);
    dashed(root, (f.x0, y), (f.x1, y), &MUTED, 1)?;
    Ok(())
}
