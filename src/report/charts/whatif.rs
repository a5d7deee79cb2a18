//! Charts for `compare` (overlaid lead-time CDFs; where the time goes, side by side), `sweep`
//! (lead-time percentiles and the bottleneck against the parameter) and `advise` (a tornado chart
//! of the changes' effects on P85 lead time).
//!
//! Each chart is drawn like the run charts: one drawing function generic over the plotters
//! backend, called for the SVG and for the PNG, with the shared page, axes and text helpers of
//! [`canvas`](super::canvas).
//!
//! - `compare-lead-time-cdf` and `compare-where-the-time-goes` in [`compare`];
//! - `sweep-lead-time` in [`sweep`];
//! - `advise-tornado` in [`tornado`].

mod compare;
mod sweep;
#[cfg(test)]
mod tests;
mod tornado;

use super::canvas::{Area, Fail, Res, WIDTH, text_width, wrapped_lines};
use super::{Chart, ChartError, Spec, register_fonts};
use crate::whatif::advise::Advise;
use crate::whatif::compare::ComparisonRun;
use crate::whatif::sweep::SweepRun;
use plotters::prelude::*;

/// The charts of a comparison.
pub fn compare_charts(run: &ComparisonRun) -> Result<Vec<Chart>, ChartError> {
    render_each(&[Which::CompareCdf(run), Which::CompareStages(run)])
}

/// The charts of a sweep.
pub fn sweep_charts(run: &SweepRun) -> Result<Vec<Chart>, ChartError> {
    if run.sweep.points.is_empty() {
        return Ok(Vec::new());
    }
    render_each(&[Which::Sweep(run)])
}

/// The tornado chart of `advise`.
pub fn advise_charts(advise: &Advise) -> Result<Vec<Chart>, ChartError> {
    render_each(&[Which::Tornado(advise)])
}

/// One what-if chart and what it is drawn from.
#[derive(Clone, Copy)]
enum Which<'a> {
    CompareCdf(&'a ComparisonRun),
    CompareStages(&'a ComparisonRun),
    Sweep(&'a SweepRun),
    Tornado(&'a Advise),
}

impl Which<'_> {
    fn name(self) -> &'static str {
        match self {
            Which::CompareCdf(_) => "compare-lead-time-cdf",
            Which::CompareStages(_) => "compare-where-the-time-goes",
            Which::Sweep(_) => "sweep-lead-time",
            Which::Tornado(_) => "advise-tornado",
        }
    }

    fn spec(self) -> Spec {
        match self {
            Which::CompareCdf(r) => compare::cdf_spec(r),
            Which::CompareStages(r) => compare::stages_spec(r),
            Which::Sweep(r) => sweep::spec(r),
            Which::Tornado(a) => tornado::spec(a),
        }
    }

    fn height(self) -> u32 {
        match self {
            Which::CompareCdf(r) => compare::cdf_height(r),
            Which::CompareStages(r) => compare::stages_height(r),
            Which::Sweep(r) => sweep::height(r),
            Which::Tornado(a) => tornado::height(a),
        }
    }

    fn draw<DB: DrawingBackend>(self, spec: &Spec, root: &Area<DB>) -> Res {
        match self {
            Which::CompareCdf(r) => compare::cdf(r, spec, root),
            Which::CompareStages(r) => compare::stages(r, spec, root),
            Which::Sweep(r) => sweep::draw(r, spec, root),
            Which::Tornado(a) => tornado::draw(a, spec, root),
        }
    }
}

fn render_each(which: &[Which]) -> Result<Vec<Chart>, ChartError> {
    register_fonts().map_err(|message| ChartError {
        chart: "all".into(),
        message,
    })?;
    which
        .iter()
        .map(|&w| {
            render(w).map_err(|Fail(message)| ChartError {
                chart: w.name().to_string(),
                message,
            })
        })
        .collect()
}

/// Draws one chart as SVG and PNG.
fn render(which: Which) -> Res<Chart> {
    let spec = which.spec();
    super::render_drawing(
        which.name(),
        &spec,
        (WIDTH, which.height()),
        &|root| which.draw(&spec, root),
        &|root| which.draw(&spec, root),
    )
}

/// A scenario's colour: the baseline in ink, the others from the categorical palette.
fn scenario_color(i: usize) -> RGBColor {
    if i == 0 {
        super::canvas::INK
    } else {
        super::canvas::palette(i - 1)
    }
}

/// Rows a flowing legend (as [`Page::legend`](super::canvas::Page::legend) lays it out) takes
/// for these labels across the page.
fn legend_rows(labels: &[String]) -> u32 {
    let max = f64::from(WIDTH as i32 - 2 * super::canvas::MARGIN);
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

/// A scenario parameter in words: `stages."Code review".workers` is `workers at Code review`,
/// `teams.developers.people` is `people in team developers`, `arrivals.rate` is `arrival rate`;
/// other paths as written.
fn param_words(path: &str) -> String {
    let Ok(segs) = crate::scenario::overlay::parse_path(path) else {
        return path.to_string();
    };
    let rest = |from: usize| segs[from..].join(" ").replace('_', " ");
    match segs.first().map(String::as_str) {
        Some("stages") if segs.len() >= 3 => format!("{} at {}", rest(2), segs[1]),
        Some("teams") if segs.len() >= 3 => format!("{} in team {}", rest(2), segs[1]),
        Some("arrivals") if segs.len() == 2 && segs[1] == "rate" => "arrival rate".into(),
        _ => path.to_string(),
    }
}
