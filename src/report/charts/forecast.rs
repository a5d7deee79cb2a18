//! Charts of `flowsim forecast`, drawn from `forecast.json`'s content (a [`Forecast`]):
//!
//! - `forecast-when` in [`when`]: the completion-date distribution (Monte Carlo "When"), runs by
//!   completion date with the percentile dates marked and a table of them with their precision;
//! - `forecast-burn-up` in [`burn_up`]: items done by each date, the P5-P95 and P15-P85 forecast
//!   cone around the median, the target line and the `--by` date;
//! - `forecast-how-many` in [`how_many`]: the distribution of items done by the `--by` date
//!   (Monte Carlo "How Many") with "at least N at 85%" marked;
//! - `forecast-cut-line` in [`cut_line`]: one row per feature, in the order they are worked, its
//!   date range against its target; features whose P85 date is after their target fall below the
//!   cut line.
//!
//! Dates run along the horizontal axes as calendar days (weekends and holidays take their place
//! on the axis but hold no completions), labelled with month and day and, under the first tick
//! and wherever it changes, the year. The charts are drawn like the run charts: one drawing
//! function generic over the plotters backend, called for the SVG and for the PNG, with the
//! shared page, axes and text helpers of [`canvas`](super::canvas).

mod burn_up;
mod cut_line;
mod how_many;
#[cfg(test)]
mod tests;
mod when;

use super::canvas::*;
use super::{Chart, ChartError, Spec, register_fonts};
use crate::forecast::{DatePercentile, Forecast};
use jiff::civil::Date;
use plotters::prelude::{Color, DrawingBackend, RGBColor, WHITE};
use plotters::style::text_anchor::{HPos, VPos};
use std::collections::BTreeMap;

/// The charts of a forecast, those that apply: "When" with a completion date, the burn-up (not
/// for features, whose items are a range), "How Many" with `--by`, the cut line with features.
pub fn forecast_charts(forecast: &Forecast) -> Result<Vec<Chart>, ChartError> {
    register_fonts().map_err(|message| ChartError {
        chart: "all".into(),
        message,
    })?;
    let mut which = Vec::new();
    if forecast.completion_date.is_some() && !forecast.completion_distribution.is_empty() {
        which.push(Which::When);
    }
    if forecast.features.is_none()
        && forecast
            .burn_up
            .as_ref()
            .is_some_and(|b| !b.dates.is_empty())
    {
        which.push(Which::BurnUp);
    }
    if forecast
        .items_by
        .as_ref()
        .is_some_and(|b| !b.distribution.is_empty())
    {
        which.push(Which::HowMany);
    }
    if forecast.features.as_ref().is_some_and(|f| !f.is_empty()) {
        which.push(Which::CutLine);
    }
    which
        .into_iter()
        .map(|w| {
            render(w, forecast).map_err(|Fail(message)| ChartError {
                chart: w.name().to_string(),
                message,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    When,
    BurnUp,
    HowMany,
    CutLine,
}

impl Which {
    fn name(self) -> &'static str {
        match self {
            Which::When => "forecast-when",
            Which::BurnUp => "forecast-burn-up",
            Which::HowMany => "forecast-how-many",
            Which::CutLine => "forecast-cut-line",
        }
    }

    fn spec(self, f: &Forecast) -> Spec {
        match self {
            Which::When => when::spec(f),
            Which::BurnUp => burn_up::spec(f),
            Which::HowMany => how_many::spec(f),
            Which::CutLine => cut_line::spec(f),
        }
    }

    fn height(self, f: &Forecast) -> u32 {
        match self {
            Which::CutLine => cut_line::height(f),
            _ => CHART_HEIGHT,
        }
    }

    fn draw<DB: DrawingBackend>(self, f: &Forecast, spec: &Spec, root: &Area<DB>) -> Res {
        match self {
            Which::When => when::draw(f, spec, root),
            Which::BurnUp => burn_up::draw(f, spec, root),
            Which::HowMany => how_many::draw(f, spec, root),
            Which::CutLine => cut_line::draw(f, spec, root),
        }
    }
}

/// Height of the date charts: a little more than the run charts', for two-line date labels.
const CHART_HEIGHT: u32 = 600;

fn render(which: Which, f: &Forecast) -> Res<Chart> {
    let spec = which.spec(f);
    super::render_drawing(
        which.name(),
        &spec,
        (WIDTH, which.height(f)),
        &|root| which.draw(f, &spec, root),
        &|root| which.draw(f, &spec, root),
    )
}

// ---------------------------------------------------------------------------------------------
// Dates of the forecast.

/// An ISO date from the forecast.
fn parse(s: &str) -> Option<Date> {
    s.trim().parse::<Date>().ok()
}

/// An ISO date of the forecast as "Apr 19, 2027" (as given when it does not parse).
fn long(s: &str) -> String {
    parse(s).map_or_else(|| s.to_string(), long_date)
}

// ---------------------------------------------------------------------------------------------
// Percentiles, words and markers.

/// A percentile key's level: `p85` is 85, `p97.5` is 97.5.
fn level(key: &str) -> f64 {
    key.trim_start_matches('p')
        .parse::<f64>()
        .unwrap_or(f64::NAN)
}

/// "85%", "97.5%".
fn level_pct(p: f64) -> String {
    format!("{}%", short(p))
}

/// Completion dates by increasing percentile, with their parsed dates.
fn percentile_dates(map: &BTreeMap<String, DatePercentile>) -> Vec<(f64, &DatePercentile, Date)> {
    let mut rows: Vec<(f64, &DatePercentile, Date)> = map
        .iter()
        .filter_map(|(k, d)| Some((level(k), d, parse(&d.date)?)))
        .filter(|(p, _, _)| p.is_finite())
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    rows
}

/// Percentile dates with the same date merged, for markers: ("P50", 50, date) or ("P50-P95", 95,
/// date) when P50 to P95 fall on one date.
fn merged_marks(rows: &[(f64, &DatePercentile, Date)]) -> Vec<(String, f64, Date)> {
    let mut out: Vec<(f64, f64, Date)> = Vec::new();
    for &(p, _, d) in rows {
        match out.last_mut() {
            Some(last) if last.2 == d => last.1 = p,
            _ => out.push((p, p, d)),
        }
    }
    out.into_iter()
        .map(|(a, b, d)| {
            let name = if a == b {
                format!("P{}", short(a))
            } else {
                format!("P{}\u{2013}P{}", short(a), short(b))
            };
            (name, b, d)
        })
        .collect()
}

/// What the percentile dates say, for a subtitle: "85% chance to be done by Mon Apr 19, 2027;
/// even odds by Apr 8, 2027.", or "Every run is done on Tue Jan 26, 2027." when they agree.
fn dates_sentence(f: &Forecast, rows: &[(f64, &DatePercentile, Date)]) -> String {
    let levels: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let Some(c) = commitment(&levels).and_then(|c| rows.iter().find(|r| r.0 == c)) else {
        return String::new();
    };
    let one_date = f.completion_distribution.len() == 1;
    if one_date {
        return format!(
            "Every run has done {} on {}.",
            items_words(f),
            day_date(c.2)
        );
    }
    let mut s = format!("{} chance to be done by {}", level_pct(c.0), day_date(c.2));
    match rows.iter().find(|r| r.0 == 50.0) {
        Some(m) if m.0 != c.0 && m.2 != c.2 => {
            s += &format!("; even odds by {}.", long_date(m.2));
        }
        Some(m) if m.0 != c.0 => s += " (and even odds by then).",
        _ => s.push('.'),
    }
    s
}

/// The level a plan commits to: 85% when reported, else the highest reported.
fn commitment(levels: &[f64]) -> Option<f64> {
    if levels.contains(&85.0) {
        return Some(85.0);
    }
    levels.iter().copied().fold(None, |m, p| match m {
        Some(x) if x >= p => Some(x),
        _ => Some(p),
    })
}

/// A percentile's marker colour: green for the median and below, then olive, orange and red.
fn level_color(p: f64) -> RGBColor {
    if p <= 50.0 {
        P50
    } else if p <= 70.0 {
        P70
    } else if p <= 85.0 {
        P85
    } else {
        P95
    }
}

/// The colour of the `--by` date.
const BY: RGBColor = PURPLE;

/// "2,000 runs with seed 2024".
fn runs_words(f: &Forecast) -> String {
    format!(
        "{} {} with seed {}",
        grouped(u64::from(f.runs)),
        if f.runs == 1 { "run" } else { "runs" },
        f.seed
    )
}

/// The notes every forecast chart ends with: runs and seed, and the forecast's warnings.
fn common_notes(f: &Forecast) -> Vec<String> {
    let mut out = Vec::new();
    for w in &f.warnings {
        out.push(format!("Warning: {w}."));
    }
    out
}

/// "Forecast from scenario \"Feature delivery\"", "Forecast from history done.csv (...)".
fn source_words(f: &Forecast) -> String {
    format!("Forecast from {}", f.source)
}

/// "40 items", "the items".
fn items_words(f: &Forecast) -> String {
    f.items.map_or_else(|| "the items".to_string(), items)
}

/// A vertical marker: a label, its position (day number or value) and colour; solid lines for
/// dates asked about, dashed for percentiles.
struct Marker {
    label: String,
    x: f64,
    color: RGBColor,
    solid: bool,
}

const MARK_ROW: i32 = 22;

/// Rows the marker labels take when each sits right of its line (left near the right edge), on
/// the first row where it does not overlap an earlier label; and each label's row and x range.
fn place_markers<DB: DrawingBackend>(
    root: &Area<DB>,
    f: &Frame,
    marks: &[Marker],
) -> Res<Vec<(i32, i32, i32)>> {
    let style = bold(14.0, INK);
    let mut placed: Vec<(i32, i32, i32)> = Vec::new();
    for m in marks {
        let px = f.px(m.x);
        let w = measure(root, &m.label, &style)?.0 + 8;
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
    }
    Ok(placed)
}

/// Rows of marker labels, without drawing (for the headroom above the data).
fn marker_rows<DB: DrawingBackend>(root: &Area<DB>, f: &Frame, marks: &[Marker]) -> Res<i32> {
    Ok(place_markers(root, f, marks)?
        .iter()
        .map(|p| p.0 + 1)
        .max()
        .unwrap_or(0))
}

/// A vertical axis of shares of runs (%) from 0 that leaves `rows` rows of marker labels clear
/// above data reaching `top`; ticks stop at 100%.
fn share_axis(f: &Frame, top: f64, rows: i32) -> Axis {
    let h = f64::from(f.y1 - f.y0).max(60.0);
    let clear = f64::from(rows * MARK_ROW + 12);
    let share = (1.0 - clear / h).clamp(0.35, 0.95);
    let mut a = Axis::new(0.0, top.max(f64::MIN_POSITIVE) / share, 6, false);
    a.ticks.retain(|&t| t <= 100.0 + 1e-9);
    a
}

/// Draws marker lines from the top to the bottom of the frame, and their labels at the top.
fn draw_markers<DB: DrawingBackend>(root: &Area<DB>, f: &Frame, marks: &[Marker]) -> Res {
    for m in marks {
        let px = f.px(m.x);
        if m.solid {
            line(root, (px, f.y0), (px, f.y1), &m.color, 2)?;
        } else {
            dashed(root, (px, f.y0), (px, f.y1), &m.color, 2)?;
        }
    }
    let style = bold(14.0, INK);
    for (m, (row, x0, x1)) in marks.iter().zip(place_markers(root, f, marks)?) {
        let y = f.y0 + 4 + MARK_ROW * row;
        rect(root, (x0, y), (x1, y + 20), &WHITE.mix(0.85))?;
        text(
            root,
            &m.label,
            &anchored(recolor(&style, m.color), HPos::Left, VPos::Center),
            (x0 + 4, y + 10),
        )?;
    }
    Ok(())
}

/// A small table: rows of cells, each with its colour and boldness, the first row a header;
/// columns left-aligned except those listed in `right`. Returns the table's height.
#[allow(clippy::type_complexity)]
fn table<DB: DrawingBackend>(
    root: &Area<DB>,
    (x, y): (i32, i32),
    rows: &[Vec<(String, RGBColor, bool)>],
    right: &[usize],
) -> Res<i32> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let style = |c: RGBColor, b: bool| {
        if b { bold(14.0, c) } else { font(14.0, c) }
    };
    let mut widths = vec![0; cols];
    for r in rows {
        for (i, (s, c, b)) in r.iter().enumerate() {
            widths[i] = widths[i].max(measure(root, s, &style(*c, *b))?.0);
        }
    }
    const ROW: i32 = 21;
    for (k, r) in rows.iter().enumerate() {
        let cy = y + ROW * k as i32 + ROW / 2;
        let mut cx = x;
        for (i, (s, c, b)) in r.iter().enumerate() {
            let (h, at) = if right.contains(&i) {
                (HPos::Right, cx + widths[i])
            } else {
                (HPos::Left, cx)
            };
            text(root, s, &anchored(style(*c, *b), h, VPos::Center), (at, cy))?;
            cx += widths[i] + 14;
        }
        if k == 0 {
            let w = widths.iter().sum::<i32>() + 14 * (cols as i32 - 1).max(0);
            line(root, (x, y + ROW - 1), (x + w, y + ROW - 1), &GRID, 1)?;
        }
    }
    Ok(ROW * rows.len() as i32)
}

/// Width of a table as [`table`] draws it.
#[allow(clippy::type_complexity)]
fn table_width<DB: DrawingBackend>(
    root: &Area<DB>,
    rows: &[Vec<(String, RGBColor, bool)>],
) -> Res<i32> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for r in rows {
        for (i, (s, c, b)) in r.iter().enumerate() {
            let st = if *b { bold(14.0, *c) } else { font(14.0, *c) };
            widths[i] = widths[i].max(measure(root, s, &st)?.0);
        }
    }
    Ok(widths.iter().sum::<i32>() + 14 * (cols as i32 - 1).max(0))
}

/// "±0.2 working days" style precision of a percentile date, `None` without an error.
fn precision(d: &DatePercentile) -> String {
    pm(d.working_days, d.se_working_days)
}
