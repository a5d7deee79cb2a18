//! The files a run writes besides its numbers: chart data, the scenario as run, the charts and
//! the report. Shared by `run` and `report`.

use super::Failure;
use crate::metrics::Summary;
use crate::metrics::charts::ChartData;
use crate::report::output::OutputFile;
use crate::report::{charts, html};

/// The chart files (SVG and PNG) and `report.html`. Without chart data (charts turned off), only
/// the report, without charts.
pub fn report_files(
    summary: &Summary,
    data: Option<&ChartData>,
    scenario_text: &str,
) -> Result<Vec<OutputFile>, Failure> {
    let drawn = match data {
        Some(d) => charts::render_all(summary, d).map_err(|e| Failure::other(e.to_string()))?,
        None => Vec::new(),
    };
    let mut files = Vec::new();
    for c in &drawn {
        files.push(OutputFile {
            name: format!("{}.svg", c.name),
            bytes: c.svg.clone().into_bytes(),
        });
        files.push(OutputFile {
            name: format!("{}.png", c.name),
            bytes: c.png.clone(),
        });
    }
    files.push(OutputFile {
        name: "report.html".into(),
        bytes: html::report_html(summary, &drawn, scenario_text).into_bytes(),
    });
    Ok(files)
}

/// "report.html (open it in a browser), summary.json, stages.csv and 18 chart files": pages
/// first, charts counted.
pub fn describe(files: &[OutputFile]) -> String {
    let charts = files
        .iter()
        .filter(|f| f.name.ends_with(".svg") || f.name.ends_with(".png"))
        .count();
    let mut names: Vec<String> = files
        .iter()
        .filter(|f| !(f.name.ends_with(".svg") || f.name.ends_with(".png")))
        .map(|f| {
            if f.name.ends_with(".html") {
                format!("{} (open it in a browser)", f.name)
            } else {
                f.name.clone()
            }
        })
        .collect();
    names.sort_by_key(|n| !n.contains(".html"));
    if charts > 0 {
        names.push(format!("{charts} chart files"));
    }
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    }
}
