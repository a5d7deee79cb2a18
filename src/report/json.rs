//! `summary.json` (the summary, pretty-printed) and `charts.json` (what the charts are drawn from).

use crate::metrics::Summary;
use crate::metrics::charts::ChartData;

/// The summary as pretty JSON, ending with a newline.
pub fn summary_json(summary: &Summary) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(summary).expect("a summary always serializes");
    out.push(b'\n');
    out
}

/// The chart data (`charts.json`), compact: it is for `flowsim report`, not for reading.
pub fn chart_data_json(data: &ChartData) -> Vec<u8> {
    let mut out = serde_json::to_vec(data).expect("chart data always serializes");
    out.push(b'\n');
    out
}
