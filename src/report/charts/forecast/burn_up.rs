//! The burn-up with its forecast cone: items done by the end of each working day across the
//! runs, the median as a line, the P15-P85 and P5-P95 bands around it, the target line at the
//! number of items asked about (with the percentile completion dates on it) and the `--by` date.
//! Between working days the counts stay flat (nothing is done on weekends and holidays).

use super::super::Spec;
use super::super::canvas::*;
use super::*;
use crate::forecast::BurnUp;

/// Band colours: opaque mixes of blue with white, so that the legend shows exactly what is
/// drawn.
const OUTER: RGBColor = RGBColor(214, 226, 238);
const INNER: RGBColor = RGBColor(164, 190, 216);

/// One series as a line across calendar days: each working day's value from the end of the
/// day before it, flat over days not worked. Starts at 0 at the start of the first day.
fn steps(days: &[i64], values: &[f64]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(2 * days.len() + 1);
    let Some(&first) = days.first() else {
        return out;
    };
    out.push((first as f64 - 0.5, 0.0));
    for (i, (&d, &v)) in days.iter().zip(values).enumerate() {
        if i > 0 && d != days[i - 1] + 1 {
            out.push((d as f64 - 0.5, values[i - 1]));
        }
        out.push((d as f64 + 0.5, v));
    }
    out
}

/// Working days of the burn-up as day numbers, with the index of each in the forecast's vectors
/// (dates that do not parse are left out).
fn days(b: &BurnUp) -> (Vec<i64>, Vec<usize>) {
    let mut d = Vec::new();
    let mut idx = Vec::new();
    for (i, s) in b.dates.iter().enumerate() {
        if let Some(x) = parse(s) {
            let n = day_number(x);
            if d.last().is_none_or(|&l| n > l) {
                d.push(n);
                idx.push(i);
            }
        }
    }
    (d, idx)
}

fn pick(v: &[f64], idx: &[usize]) -> Vec<f64> {
    idx.iter()
        .map(|&i| v.get(i).copied().filter(|x| x.is_finite()).unwrap_or(0.0))
        .collect()
}

pub(super) fn spec(f: &Forecast) -> Spec {
    let target = match f.items {
        Some(n) => format!(
            "; where the cone reaches the dashed target line at {} the work is done, the dots marking the percentile dates",
            items(n)
        ),
        None => String::new(),
    };
    let by = if f.items_by.is_some() || f.probability_by.is_some() {
        "; the purple line is the date asked about"
    } else {
        ""
    };
    Spec {
        title: "Burn-up: items done by each date, with the forecast cone".into(),
        how_to_read: format!(
            "The line is the median number of items done by the end of each date over {} simulated runs; the darker band holds the middle 70% of runs (P15 to P85) and the lighter one 90% (P5 to P95){target}{by}.",
            grouped(u64::from(f.runs))
        ),
    }
}

fn subtitle(f: &Forecast) -> String {
    let mut s = format!("{}, starting {}.", source_words(f), long(&f.start));
    if let Some(map) = &f.completion_date {
        let dates = dates_sentence(f, &percentile_dates(map));
        if !dates.is_empty() {
            s += " ";
            s += &dates;
        }
    }
    if let Some(b) = &f.items_by {
        if let Some((p, n)) = b
            .at_least
            .iter()
            .map(|(k, v)| (level(k), *v))
            .filter(|(p, _)| p.is_finite())
            .find(|(p, _)| *p == 85.0)
            .or_else(|| {
                b.at_least
                    .iter()
                    .map(|(k, v)| (level(k), *v))
                    .filter(|(p, _)| p.is_finite())
                    .max_by(|a, b| a.0.total_cmp(&b.0))
            })
        {
            s += &format!(
                " By {}: at least {} with {} confidence.",
                long(&b.date),
                items(n),
                level_pct(p)
            );
        }
    }
    s
}

pub(super) fn draw<DB: DrawingBackend>(f: &Forecast, spec: &Spec, root: &Area<DB>) -> Res {
    let mut page = Page::new(root, &spec.title, &[subtitle(f)])?;
    let Some(b) = &f.burn_up else {
        return page.message(&["There is no burn-up to show.".into()]);
    };
    let (days, idx) = days(b);
    if days.is_empty() {
        return page.message(&["There is no burn-up to show.".into()]);
    }
    let (p5, p15, p50, p85, p95) = (
        pick(&b.p5, &idx),
        pick(&b.p15, &idx),
        pick(&b.p50, &idx),
        pick(&b.p85, &idx),
        pick(&b.p95, &idx),
    );
    let by = f
        .items_by
        .as_ref()
        .map(|x| x.date.as_str())
        .or(f.probability_by.as_ref().map(|p| p.date.as_str()))
        .and_then(parse);
    let rows = f
        .completion_date
        .as_ref()
        .map(percentile_dates)
        .unwrap_or_default();

    let mut keys = vec![
        key(Swatch::Line(BLUE), "Median (P50)"),
        key(boxed(INNER), "Middle 70% of runs (P15 to P85)"),
        key(boxed(OUTER), "90% of runs (P5 to P95)"),
    ];
    if let Some(n) = f.items {
        keys.push(key(Swatch::Dashed(INK), format!("Target: {}", items(n))));
    }
    if by.is_some() {
        keys.push(key(Swatch::Line(BY), "The date asked about (--by)"));
    }
    page.legend(&keys)?;
    let mut notes = vec![format!(
        "Items done by the end of each working day, across {}; each band's edges are percentiles of the day's count, not single runs. Counts stay flat over weekends and holidays.",
        runs_words(f)
    )];
    let top_done = p95.iter().copied().fold(0.0, f64::max);
    if let Some(n) = f.items {
        if top_done > n as f64 + 0.5 {
            notes.push(if f.source.starts_with("scenario") {
                format!(
                    "The count goes past {}: items split and work is discovered on the way (the scenario's [scope]), and all of it is done before the work is.",
                    items(n)
                )
            } else {
                format!(
                    "The count can go past {}: each simulated day finishes a whole day's worth of items drawn from the history{}.",
                    items(n),
                    if by.is_some() {
                        ", and runs go on counting up to the date asked about"
                    } else {
                        ""
                    }
                )
            });
        }
    }
    notes.extend(common_notes(f));
    page.notes(&notes)?;

    let start = parse(&f.start).map(day_number).unwrap_or(days[0]);
    // Up to where the cone closes: every band at its final value (the slowest runs done).
    let settled = [&p5, &p15, &p50, &p85, &p95]
        .iter()
        .map(|v| {
            let last = v.last().copied().unwrap_or(0.0);
            v.iter().position(|&x| x >= last).unwrap_or(0)
        })
        .max()
        .unwrap_or(0);
    let end = days[(settled + 1).min(days.len() - 1)];
    let mut span = vec![start, end];
    span.extend(rows.iter().map(|r| day_number(r.2)));
    if let Some(d) = by {
        span.push(day_number(d));
    }
    let range = day_range(span).expect("days");
    let range = (range.0.max(start as f64 - 1.0), range.1);
    // The days inside the range (the rest is flat).
    let shown = days
        .iter()
        .take_while(|&&d| d as f64 + 0.5 <= range.1)
        .count();
    let days = &days[..shown.max(1)];
    let [p5, p15, p50, p85, p95] = [&p5, &p15, &p50, &p85, &p95].map(|v| &v[..shown.max(1)]);
    let top = top_done.max(f.items.map_or(0.0, |n| n as f64)).max(1.0);
    let ya = Axis::new(0.0, top * 1.08, 8, true);
    let (fr, ticks) = date_frame(
        root,
        (MARGIN, page.top, page.width - MARGIN, page.bottom),
        range,
        ya,
    )?;
    date_axes(root, &fr, &ticks, "Date", "Items done (cumulative)")?;

    let pts = |v: &[f64]| -> Vec<(i32, i32)> {
        steps(days, v)
            .into_iter()
            .map(|(x, y)| fr.point(x, y))
            .collect()
    };
    let band = |lo: &[f64], hi: &[f64]| -> Vec<(i32, i32)> {
        let mut p = pts(hi);
        let mut l = pts(lo);
        l.reverse();
        p.extend(l);
        p
    };
    polygon(root, band(p5, p95), &OUTER)?;
    polygon(root, band(p15, p85), &INNER)?;
    polyline(root, pts(p50), &BLUE, 3)?;

    if let Some(n) = f.items {
        let y = fr.py(n as f64);
        dashed(root, (fr.x0, y), (fr.x1, y), &INK, 2)?;
        text(
            root,
            &format!("Target: {}", items(n)),
            &anchored(bold(14.0, INK), HPos::Left, VPos::Bottom),
            (fr.x0 + 8, y - 4),
        )?;
        // The percentile dates on the target line, labelled below it, right of each dot.
        let style = bold(13.0, INK);
        let mut placed: Vec<(i32, i32, i32)> = Vec::new();
        for (name, p, d) in merged_marks(&rows) {
            let x = fr.px(day_number(d) as f64 + 0.5);
            dot(root, (x, y), 5, &level_color(p))?;
            let label = format!("{name} {}", mark_date(d, range));
            let w = measure(root, &label, &style)?.0 + 6;
            let (x0, x1) = if x + 6 + w <= fr.x1 {
                (x + 6, x + 6 + w)
            } else {
                (x - 6 - w, x - 6)
            };
            let mut row = 0;
            while placed
                .iter()
                .any(|&(r, a, b)| r == row && x0 < b + 4 && a < x1 + 4)
            {
                row += 1;
            }
            placed.push((row, x0, x1));
            let ty = y + 8 + 19 * row;
            rect(root, (x0, ty), (x1, ty + 18), &WHITE.mix(0.85))?;
            text(
                root,
                &label,
                &anchored(recolor(&style, level_color(p)), HPos::Left, VPos::Center),
                (x0 + 3, ty + 9),
            )?;
        }
    }
    if let Some(d) = by {
        let label = match &f.items_by {
            Some(ib) => match ib.at_least.get("p85") {
                Some(n) => format!(
                    "By {}: at least {} at 85%",
                    mark_date(d, range),
                    grouped(*n)
                ),
                None => format!("By {}", mark_date(d, range)),
            },
            None => format!("By {}", mark_date(d, range)),
        };
        draw_markers(
            root,
            &fr,
            &[Marker {
                label,
                // The end of the day: everything done that day counts.
                x: day_number(d) as f64 + 0.5,
                color: BY,
                solid: true,
            }],
        )?;
    }
    Ok(())
}
