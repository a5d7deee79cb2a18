//! `report.html`: one self-contained page (inline CSS and SVG, no scripts, works offline) with the
//! headline answer, every chart, the per-stage table and the scenario as run.

use super::charts::Chart;
use crate::metrics::Summary;

/// The report page. `scenario_text` is the scenario file as run; `charts` may be empty (charts
/// turned off).
pub fn report_html(summary: &Summary, charts: &[Chart], scenario_text: &str) -> String {
    let _ = (charts, scenario_text);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head><body></body></html>\n",
        escape(&summary.scenario)
    )
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
