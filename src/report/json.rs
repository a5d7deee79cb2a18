//! `summary.json`: the summary, pretty-printed.

use crate::metrics::Summary;

/// The summary as pretty JSON, ending with a newline.
pub fn summary_json(summary: &Summary) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(summary).expect("a summary always serializes");
    out.push(b'\n');
    out
}
