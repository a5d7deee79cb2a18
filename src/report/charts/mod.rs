//! Charts drawn with plotters, each as SVG and PNG: lead-time distribution and CDF, where the
//! time goes, stage utilization, cumulative flow, WIP and queues over time, cycle-time scatter,
//! throughput run chart, flow efficiency, aging work in progress.
//!
//! Every chart is one drawing function generic over the plotters backend, called once for the
//! SVG and once for an RGB buffer that is encoded as PNG, so both show the same thing. Text uses
//! DejaVu Sans embedded in the binary (no system fonts). Drawing reads the data in a fixed order
//! (no hash maps), so the same input gives byte-identical files.
//!
//! - [`canvas`]: page layout, axes, text, colours, number formatting;
//! - [`distribution`]: lead-time histogram and CDF, flow-efficiency histogram;
//! - [`stages`]: where the time goes, stage utilization;
//! - [`over_time`]: cumulative flow, WIP over time, throughput run chart;
//! - [`items`]: cycle-time scatter, aging work in progress.

mod backtest;
mod canvas;
mod distribution;
mod forecast;
mod glyphs;
mod items;
mod map;
mod over_time;
mod stages;
mod whatif;

pub use backtest::backtest_charts;
pub use forecast::forecast_charts;
pub use map::map_charts;
pub use whatif::{advise_charts, compare_charts, sweep_charts};
#[cfg(test)]
mod tests;

use crate::metrics::Summary;
use crate::metrics::charts::ChartData;
use canvas::{Area, Fail, HEIGHT, Res, WIDTH};
use plotters::prelude::*;
use std::sync::OnceLock;

/// A rendered chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem, e.g. `lead-time-histogram` (written as `.svg` and `.png`).
    pub name: String,
    pub title: String,
    /// One line shown under the chart in the report: how to read it.
    pub how_to_read: String,
    pub svg: String,
    pub png: Vec<u8>,
}

/// Why charts could not be drawn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cannot draw the chart \"{chart}\": {message}")]
pub struct ChartError {
    pub chart: String,
    pub message: String,
}

/// The charts, in the order the report shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    LeadTimeHistogram,
    LeadTimeCdf,
    WhereTheTimeGoes,
    StageUtilization,
    CumulativeFlow,
    WipOverTime,
    CycleTimeScatter,
    ThroughputRunChart,
    FlowEfficiencyHistogram,
    AgingWip,
}

impl Kind {
    const ALL: [Kind; 10] = [
        Kind::LeadTimeHistogram,
        Kind::LeadTimeCdf,
        Kind::WhereTheTimeGoes,
        Kind::StageUtilization,
        Kind::CumulativeFlow,
        Kind::WipOverTime,
        Kind::CycleTimeScatter,
        Kind::ThroughputRunChart,
        Kind::FlowEfficiencyHistogram,
        Kind::AgingWip,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::LeadTimeHistogram => "lead-time-histogram",
            Kind::LeadTimeCdf => "lead-time-cdf",
            Kind::WhereTheTimeGoes => "where-the-time-goes",
            Kind::StageUtilization => "stage-utilization",
            Kind::CumulativeFlow => "cumulative-flow",
            Kind::WipOverTime => "wip-over-time",
            Kind::CycleTimeScatter => "cycle-time-scatter",
            Kind::ThroughputRunChart => "throughput-run-chart",
            Kind::FlowEfficiencyHistogram => "flow-efficiency-histogram",
            Kind::AgingWip => "aging-wip",
        }
    }
}

/// What every chart reads: the summary, the chart data and the time unit's words.
pub(crate) struct Ctx<'a> {
    pub s: &'a Summary,
    pub d: &'a ChartData,
    /// "days"
    pub unit: &'static str,
    /// "day"
    pub unit1: &'static str,
}

impl Ctx<'_> {
    /// "per 10 days", "per day", "per 0.5 days".
    pub fn per_period(&self) -> String {
        let p = self.d.period;
        if (p - 1.0).abs() < 1e-9 {
            format!("per {}", self.unit1)
        } else {
            format!("per {} {}", canvas::short(p), self.unit)
        }
    }

    /// "10-day", "1-day", "0.5-day".
    pub fn period_adjective(&self) -> String {
        format!("{}-{}", canvas::short(self.d.period), self.unit1)
    }
}

/// A chart's words and its drawing.
pub(crate) struct Spec {
    pub title: String,
    pub how_to_read: String,
}

/// Registers DejaVu Sans (regular and bold) with plotters, once per process.
fn register_fonts() -> Result<(), String> {
    static FONTS: OnceLock<Result<(), String>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            plotters::style::register_font(
                canvas::FAMILY,
                FontStyle::Normal,
                dejavu::sans::regular(),
            )
            .map_err(|_| "the embedded DejaVu Sans font could not be read".to_string())?;
            plotters::style::register_font(canvas::FAMILY, FontStyle::Bold, dejavu::sans::bold())
                .map_err(|_| "the embedded DejaVu Sans Bold font could not be read".to_string())
        })
        .clone()
}

/// Draws every chart that applies to this run (the aging chart only for `horizon` runs), in the
/// order the report shows them.
pub fn render_all(summary: &Summary, data: &ChartData) -> Result<Vec<Chart>, ChartError> {
    register_fonts().map_err(|message| ChartError {
        chart: "all".into(),
        message,
    })?;
    let ctx = Ctx {
        s: summary,
        d: data,
        unit: summary.time_unit.plural(),
        unit1: summary.time_unit.singular(),
    };
    let mut charts = Vec::new();
    for kind in Kind::ALL {
        if kind == Kind::AgingWip && data.representative.aging.is_empty() {
            continue;
        }
        charts.push(render(kind, &ctx).map_err(|Fail(message)| ChartError {
            chart: kind.name().to_string(),
            message,
        })?);
    }
    Ok(charts)
}

/// The title and reading hint of a chart.
fn spec(kind: Kind, ctx: &Ctx) -> Spec {
    match kind {
        Kind::LeadTimeHistogram => distribution::lead_time_histogram_spec(ctx),
        Kind::LeadTimeCdf => distribution::lead_time_cdf_spec(ctx),
        Kind::WhereTheTimeGoes => stages::where_the_time_goes_spec(ctx),
        Kind::StageUtilization => stages::utilization_spec(ctx),
        Kind::CumulativeFlow => over_time::cumulative_flow_spec(ctx),
        Kind::WipOverTime => over_time::wip_spec(ctx),
        Kind::CycleTimeScatter => items::scatter_spec(ctx),
        Kind::ThroughputRunChart => over_time::throughput_spec(ctx),
        Kind::FlowEfficiencyHistogram => distribution::flow_efficiency_spec(ctx),
        Kind::AgingWip => items::aging_spec(ctx),
    }
}

/// Image height: taller for the small multiples of many stages.
fn height(kind: Kind, ctx: &Ctx) -> u32 {
    match kind {
        Kind::WipOverTime => over_time::wip_height(ctx),
        Kind::WhereTheTimeGoes | Kind::StageUtilization => stages::height(ctx),
        _ => HEIGHT,
    }
}

fn draw<DB: DrawingBackend>(kind: Kind, ctx: &Ctx, spec: &Spec, root: &Area<DB>) -> Res {
    match kind {
        Kind::LeadTimeHistogram => distribution::lead_time_histogram(ctx, spec, root),
        Kind::LeadTimeCdf => distribution::lead_time_cdf(ctx, spec, root),
        Kind::WhereTheTimeGoes => stages::where_the_time_goes(ctx, spec, root),
        Kind::StageUtilization => stages::utilization(ctx, spec, root),
        Kind::CumulativeFlow => over_time::cumulative_flow(ctx, spec, root),
        Kind::WipOverTime => over_time::wip(ctx, spec, root),
        Kind::CycleTimeScatter => items::scatter(ctx, spec, root),
        Kind::ThroughputRunChart => over_time::throughput(ctx, spec, root),
        Kind::FlowEfficiencyHistogram => distribution::flow_efficiency(ctx, spec, root),
        Kind::AgingWip => items::aging(ctx, spec, root),
    }
}

/// Draws one chart as SVG and PNG. A panic inside the drawing library becomes an error.
fn render(kind: Kind, ctx: &Ctx) -> Res<Chart> {
    let spec = spec(kind, ctx);
    let size = (WIDTH, height(kind, ctx));
    render_drawing(
        kind.name(),
        &spec,
        size,
        &|root| draw(kind, ctx, &spec, root),
        &|root| draw(kind, ctx, &spec, root),
    )
}

/// Draws one chart as SVG and PNG of the given size. Plotters' two backends are different
/// types, so the same drawing is given once for each. A panic inside the drawing library
/// becomes an error.
pub(crate) fn render_drawing(
    name: &str,
    spec: &Spec,
    (w, h): (u32, u32),
    svg_draw: &dyn Fn(&Area<SVGBackend<'_>>) -> Res,
    png_draw: &dyn Fn(&Area<BitMapBackend<'_>>) -> Res,
) -> Res<Chart> {
    let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> Res<Chart> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
            svg_draw(&root)?;
            root.present()?;
        }
        let mut rgb = vec![0u8; w as usize * h as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
            png_draw(&root)?;
            root.present()?;
        }
        Ok(Chart {
            name: name.to_string(),
            title: spec.title.clone(),
            how_to_read: spec.how_to_read.clone(),
            svg,
            png: encode_png(&rgb, w, h)?,
        })
    }));
    match drawn {
        Ok(r) => r,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown error".into());
            Err(Fail(format!("the drawing library failed: {what}")))
        }
    }
}

/// Encodes an RGB buffer as an 8-bit PNG.
fn encode_png(rgb: &[u8], w: u32, h: u32) -> Res<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut writer = enc
            .write_header()
            .map_err(|e| Fail(format!("PNG encoding failed: {e}")))?;
        writer
            .write_image_data(rgb)
            .map_err(|e| Fail(format!("PNG encoding failed: {e}")))?;
        writer
            .finish()
            .map_err(|e| Fail(format!("PNG encoding failed: {e}")))?;
    }
    Ok(out)
}
