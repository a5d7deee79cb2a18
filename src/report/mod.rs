//! Results as files and text: `summary.json`, `stages.csv`, `lead_times.csv`, charts (SVG and
//! PNG), `report.html`, the terminal table and the work-item history CSV (`events`).
//! Writers turn a [`Summary`](crate::metrics::Summary) into bytes; [`output`] puts a set of files
//! in place atomically. Nothing here runs a simulation.

pub mod backtest;
pub mod calibrate;
pub mod charts;
pub mod csv;
pub mod events;
pub mod forecast;
pub mod html;
pub mod json;
pub mod map;
pub mod output;
pub mod table;
pub mod whatif;

/// Formats a number with precision that suits its size: 1234, 123.4, 12.34, 1.234, 0.1234.
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return "-".to_string();
    }
    let a = v.abs();
    let decimals = if a >= 1000.0 {
        0
    } else if a >= 100.0 {
        1
    } else if a >= 1.0 || a == 0.0 {
        2
    } else {
        3
    };
    format!("{v:.decimals$}")
}

/// A percentage with one decimal: `87.5%`.
pub fn fmt_pct(v: f64) -> String {
    if v.is_finite() {
        format!("{:.1}%", v * 100.0)
    } else {
        "-".to_string()
    }
}
