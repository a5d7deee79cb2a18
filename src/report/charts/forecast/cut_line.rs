//! The cut line: one row per feature, in the order they are worked, with its completion dates
//! (a bar from the lowest to the highest percentile reported, solid up to the 85% date) against
//! its target date (a diamond). Features whose 85% date is after their target are red and fall
//! below the cut line, drawn above the first of them in the order of work.

use super::super::Spec;
use super::super::canvas::*;
use super::*;
use crate::forecast::model::FeatureForecast;

const MEETS: RGBColor = RGBColor(46, 125, 50);
const MEETS_LIGHT: RGBColor = RGBColor(170, 210, 172);
const MISSES: RGBColor = RGBColor(192, 40, 40);
const MISSES_LIGHT: RGBColor = RGBColor(234, 170, 170);
const NO_TARGET: RGBColor = RGBColor(78, 121, 167);
const NO_TARGET_LIGHT: RGBColor = RGBColor(180, 200, 222);
/// The background below the cut line.
const BELOW: RGBColor = RGBColor(253, 240, 240);

const ROW: i32 = 44;
/// Space the cut line takes between the rows above and below it.
const CUT_GAP: i32 = 26;

fn colors(x: &FeatureForecast) -> (RGBColor, RGBColor) {
    match x.meets_target_at_85 {
        Some(true) => (MEETS, MEETS_LIGHT),
        Some(false) => (MISSES, MISSES_LIGHT),
        None => (NO_TARGET, NO_TARGET_LIGHT),
    }
}

/// The first feature, in the order of work, that misses its target at 85%.
fn cut(features: &[FeatureForecast]) -> Option<usize> {
    features
        .iter()
        .position(|x| x.meets_target_at_85 == Some(false))
}

/// "8 to 12 items", "12 items".
fn items_text(s: &str) -> String {
    match s.split_once("..") {
        Some((a, b)) => format!("{} to {} items", a.trim(), b.trim()),
        None if s.trim() == "1" => "1 item".into(),
        None => format!("{} items", s.trim()),
    }
}

pub(super) fn spec(_f: &Forecast) -> Spec {
    Spec {
        title: "Which features make their target dates? The cut line at 85%".into(),
        how_to_read: "One row per feature, in the order they are worked: the bar runs from the date by which the feature was done in half of the runs (P50) to the 95% date, solid up to the 85% date (the tick), and the black dot is its target; features whose 85% date is after their target are red and fall below the cut line.".into(),
    }
}

fn subtitle(f: &Forecast, features: &[FeatureForecast]) -> String {
    let with_target = features.iter().filter(|x| x.target.is_some()).count();
    let missing = features
        .iter()
        .filter(|x| x.meets_target_at_85 == Some(false))
        .count();
    let mut s = format!("{}, starting {}. ", source_words(f), long(&f.start));
    s += &if with_target == 0 {
        "No feature has a target date.".to_string()
    } else if missing == 0 {
        format!(
            "All {} features with a target meet it with 85% confidence.",
            grouped(with_target as u64)
        )
    } else {
        let first = &features[cut(features).expect("one misses")];
        format!(
            "{} of {} features with a target miss it at 85%; the first, in the order of work, is {}.",
            grouped(missing as u64),
            grouped(with_target as u64),
            first.name
        )
    };
    s
}

fn legend_keys(features: &[FeatureForecast]) -> Vec<Key> {
    let mut keys = Vec::new();
    if features.iter().any(|x| x.meets_target_at_85 == Some(true)) {
        keys.push(key(boxed(MEETS), "Meets its target at 85%"));
    }
    if features.iter().any(|x| x.meets_target_at_85 == Some(false)) {
        keys.push(key(boxed(MISSES), "Misses its target at 85%"));
    }
    if features.iter().any(|x| x.meets_target_at_85.is_none()) {
        keys.push(key(boxed(NO_TARGET), "No target"));
    }
    keys.push(key(Swatch::Tick(INK), "85% date"));
    if features.iter().any(|x| x.target.is_some()) {
        keys.push(key(Swatch::Dot(INK), "Target date"));
    }
    keys
}

fn notes(f: &Forecast) -> Vec<String> {
    let mut out = vec![format!(
        "Each bar runs from the P50 date to the P95 date, solid up to the 85% date. Features start in this order, a new one when fewer than the features file's wip are in progress; a range of items is drawn anew in each run. {}. The percentage on the right is the share of runs done by the target.",
        capitalize(&runs_words(f))
    )];
    out.extend(common_notes(f));
    out
}

pub(super) fn height(f: &Forecast) -> u32 {
    let features = f.features.as_deref().unwrap_or_default();
    let max = f64::from(WIDTH as i32 - 2 * MARGIN);
    let sub = wrapped_lines(&subtitle(f, features), 16.0, max) as i32;
    let labels: Vec<String> = legend_keys(features).into_iter().map(|k| k.label).collect();
    let legend = legend_rows(&labels, max);
    let notes: i32 = notes(f)
        .iter()
        .map(|n| wrapped_lines(n, 14.0, max) as i32)
        .sum();
    let rows = features.len().max(1) as i32;
    let h =
        46 + 20 * sub + 6 + 22 * legend + 10 + 12 + rows * ROW + CUT_GAP + 70 + 6 + 20 * notes + 14;
    h.clamp(360, 8000) as u32
}

/// Rows a flowing legend takes, as [`Page::legend`] lays it out.
fn legend_rows(labels: &[String], max: f64) -> i32 {
    let mut rows = 0;
    let mut x = 0.0;
    for l in labels {
        let w = (22.0 + 6.0 + text_width(l, 14.0, false)).min(max);
        if rows == 0 || (x > 0.0 && x + w > max) {
            rows += 1;
            x = 0.0;
        }
        x += w + 22.0;
    }
    rows
}

/// "8 to 12 items, target Apr 30".
fn detail_text(x: &FeatureForecast, range: (f64, f64)) -> String {
    let mut detail = items_text(&x.items);
    if let Some(t) = x.target.as_deref().and_then(parse) {
        detail += &format!(", target {}", mark_date(t, range));
    }
    detail
}

/// A feature's dates: the lowest and highest percentile reported and the 85% one, as day
/// numbers.
struct Dates {
    lo: Option<i64>,
    p85: Option<i64>,
    hi: Option<i64>,
    target: Option<i64>,
}

fn dates(x: &FeatureForecast) -> Dates {
    let rows = percentile_dates(&x.completion_date);
    Dates {
        lo: rows.first().map(|r| day_number(r.2)),
        p85: rows.iter().find(|r| r.0 == 85.0).map(|r| day_number(r.2)),
        hi: rows.last().map(|r| day_number(r.2)),
        target: x.target.as_deref().and_then(parse).map(day_number),
    }
}

pub(super) fn draw<DB: DrawingBackend>(f: &Forecast, spec: &Spec, root: &Area<DB>) -> Res {
    let features = f.features.as_deref().unwrap_or_default();
    let mut page = Page::new(root, &spec.title, &[subtitle(f, features)])?;
    page.legend(&legend_keys(features))?;
    page.notes(&notes(f))?;
    if features.is_empty() {
        return page.message(&["There are no features to show.".into()]);
    }
    let all: Vec<Dates> = features.iter().map(dates).collect();
    let start = parse(&f.start).map(day_number);
    let mut span: Vec<i64> = start.into_iter().collect();
    for d in &all {
        span.extend([d.lo, d.hi, d.target].into_iter().flatten());
    }
    let Some(range) = day_range(span) else {
        return page.message(&["No feature was finished in any run.".into()]);
    };
    let range = match start {
        Some(s) => (range.0.max(s as f64 - 1.0), range.1),
        None => range,
    };

    // Columns: the feature on the left, the plot, the 85% date and chance on the right.
    let name_style = bold(14.0, INK);
    let detail_style = font(12.0, MUTED);
    let max_label = page.width / 4;
    let mut label_w = 0;
    for (i, x) in features.iter().enumerate() {
        let name = format!("{}. {}", i + 1, x.name);
        label_w = label_w
            .max(measure(root, &name, &name_style)?.0)
            .max(measure(root, &detail_text(x, range), &detail_style)?.0);
    }
    let label_w = label_w.clamp(60, max_label);
    let right_rows: Vec<(String, String)> = features
        .iter()
        .zip(&all)
        .map(|(x, d)| {
            let top = match (d.p85.and_then(date_of_day), x.completion_date.is_empty()) {
                (Some(p), _) => format!("85%: {}", mark_date(p, range)),
                (None, true) => "never done".to_string(),
                (None, false) => String::new(),
            };
            let bottom = match (&x.target, x.probability_by_target) {
                (Some(_), Some(p)) => format!("{} by target", pct(p)),
                _ => "no target".to_string(),
            };
            (top, bottom)
        })
        .collect();
    let mut right_w = 0;
    for (a, b) in &right_rows {
        right_w = right_w
            .max(measure(root, a, &name_style)?.0)
            .max(measure(root, b, &detail_style)?.0);
    }
    let plot_left = MARGIN + label_w + 4;
    let plot_right = page.width - MARGIN - right_w - 16;
    let cut_at = cut(features);
    let rows_h = ROW * features.len() as i32 + if cut_at.is_some() { CUT_GAP } else { 0 };
    // The top of row i: rows below the cut line move down to make room for it.
    let row_top = |y0: i32, i: usize| {
        y0 + ROW * i as i32
            + if cut_at.is_some_and(|k| i >= k) {
                CUT_GAP
            } else {
                0
            }
    };
    let (mut fr, ticks) = date_frame(
        root,
        (plot_left, page.top + 12, plot_right, page.bottom),
        range,
        Axis {
            lo: 0.0,
            hi: features.len() as f64,
            ticks: Vec::new(),
            decimals: 0,
        },
    )?;
    // Rows of a fixed height from the top; the axis sits under the last one.
    fr.y1 = fr.y0 + rows_h;
    fr.x0 = plot_left + 6;

    // Below the cut line: a tinted background, then the line itself.
    if let Some(k) = cut_at {
        let y = row_top(fr.y0, k) - CUT_GAP / 2;
        rect(root, (MARGIN, y), (page.width - MARGIN, fr.y1), &BELOW)?;
    }
    date_axes(root, &fr, &ticks, "Date", "")?;
    for i in 1..features.len() {
        if cut_at != Some(i) {
            let y = row_top(fr.y0, i);
            line(root, (MARGIN, y), (page.width - MARGIN, y), &GRID, 1)?;
        }
    }

    for (i, (x, d)) in features.iter().zip(&all).enumerate() {
        let y0 = row_top(fr.y0, i);
        let cy = y0 + ROW / 2;
        let (strong, light) = colors(x);
        // The feature's name and size on the left.
        let name = fit(
            root,
            &format!("{}. {}", i + 1, x.name),
            &name_style,
            label_w,
        )?;
        text(
            root,
            &name,
            &anchored(name_style.clone(), HPos::Left, VPos::Bottom),
            (MARGIN, cy + 1),
        )?;
        let detail = fit(root, &detail_text(x, range), &detail_style, label_w)?;
        text(
            root,
            &detail,
            &anchored(detail_style.clone(), HPos::Left, VPos::Top),
            (MARGIN, cy + 3),
        )?;
        // The dates.
        let half = 8;
        if let (Some(lo), Some(hi)) = (d.lo, d.hi) {
            let mid = d.p85.unwrap_or(hi);
            let (a, m, b) = (
                fr.px(lo as f64 - 0.5),
                fr.px(mid as f64 + 0.5),
                fr.px(hi as f64 + 0.5),
            );
            rect(root, (m, cy - half), (b.max(m + 1), cy + half), &light)?;
            rect(root, (a, cy - half), (m.max(a + 2), cy + half), &strong)?;
            if d.p85.is_some() {
                line(root, (m, cy - half - 5), (m, cy + half + 5), &INK, 3)?;
            }
        }
        if let Some(t) = d.target {
            // The target: a dot at the end of its day, ringed in white to stand out on a bar.
            let tx = fr.px(t as f64 + 0.5);
            dot(root, (tx, cy), 9, &WHITE)?;
            dot(root, (tx, cy), 7, &INK)?;
        }
        // The 85% date and the chance by the target on the right.
        let (top, bottom) = &right_rows[i];
        let rx = page.width - MARGIN - right_w;
        text(
            root,
            top,
            &anchored(recolor(&name_style, strong), HPos::Left, VPos::Bottom),
            (rx, cy + 1),
        )?;
        text(
            root,
            bottom,
            &anchored(detail_style.clone(), HPos::Left, VPos::Top),
            (rx, cy + 3),
        )?;
    }
    if let Some(k) = cut_at {
        let y = row_top(fr.y0, k) - CUT_GAP / 2;
        line(root, (MARGIN, y), (page.width - MARGIN, y), &MISSES, 3)?;
        let label = "CUT LINE: the features below it miss their target at 85%";
        let style = bold(13.0, MISSES);
        let w = measure(root, label, &style)?.0;
        let lx = MARGIN + 10;
        rect(root, (lx - 6, y - 10), (lx + w + 6, y + 10), &WHITE)?;
        outline(root, (lx - 6, y - 10), (lx + w + 6, y + 10), &MISSES, 2)?;
        text(
            root,
            label,
            &anchored(style, HPos::Left, VPos::Center),
            (lx, y),
        )?;
    }
    Ok(())
}
