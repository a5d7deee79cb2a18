//! Charts of `flowsim map`, drawn from a [`StreamMap`] (the content of map.json), in the order
//! map.html shows them:
//!
//! - `value-stream-map` in [`vsm`]: the value stream map timeline, a box per state and the ladder
//!   of mean work and wait per finished item, lead time and flow efficiency, and the same time
//!   to scale;
//! - `lead-time-scatter`, `lead-time-histogram` and `flow-efficiency-histogram` in [`times`];
//! - `cumulative-flow` and `throughput-run-chart` in [`flow`], dates along the bottom;
//! - `aging-wip` here: unfinished items by their state's P50 and P85 time per visit.
//!
//! Every time is in working days on the history's calendar, and the charts say so. They reuse
//! the run charts' pieces (histogram bars and marks, labelled percentile lines, cumulative flow
//! bands, the aging columns) and the date axes of [`canvas`](super::canvas).

mod flow;
mod times;
mod vsm;

use super::canvas::*;
use super::items::{AgingColumn, aging_columns, aging_keys};
use super::{Chart, ChartError, Spec, register_fonts};
use crate::history::map::StreamMap;
use crate::report::map::calendar_words;
use plotters::prelude::{DrawingBackend, RGBColor};
use std::collections::BTreeMap;

/// Height of the charts with dates along the bottom (two-line labels).
const DATE_HEIGHT: u32 = 600;

/// The charts of a map (the aging chart only when some item is unfinished).
pub fn map_charts(m: &StreamMap) -> Result<Vec<Chart>, ChartError> {
    register_fonts().map_err(|message| ChartError {
        chart: "all".into(),
        message,
    })?;
    Which::ALL
        .into_iter()
        // The aging chart only when something is unfinished, as for simulated runs.
        .filter(|w| *w != Which::Aging || m.counts.in_progress > 0)
        .map(|w| {
            render(w, m).map_err(|Fail(message)| ChartError {
                chart: w.name().to_string(),
                message,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    ValueStream,
    Scatter,
    Histogram,
    CumulativeFlow,
    Throughput,
    Aging,
    FlowEfficiency,
}

impl Which {
    const ALL: [Which; 7] = [
        Which::ValueStream,
        Which::Scatter,
        Which::Histogram,
        Which::CumulativeFlow,
        Which::Throughput,
        Which::Aging,
        Which::FlowEfficiency,
    ];

    fn name(self) -> &'static str {
        match self {
            Which::ValueStream => "value-stream-map",
            Which::Scatter => "lead-time-scatter",
            Which::Histogram => "lead-time-histogram",
            Which::CumulativeFlow => "cumulative-flow",
            Which::Throughput => "throughput-run-chart",
            Which::Aging => "aging-wip",
            Which::FlowEfficiency => "flow-efficiency-histogram",
        }
    }

    fn spec(self, m: &StreamMap) -> Spec {
        match self {
            Which::ValueStream => vsm::spec(m),
            Which::Scatter => times::scatter_spec(m),
            Which::Histogram => times::histogram_spec(m),
            Which::CumulativeFlow => flow::cfd_spec(m),
            Which::Throughput => flow::throughput_spec(m),
            Which::Aging => aging_spec(m),
            Which::FlowEfficiency => times::efficiency_spec(m),
        }
    }

    fn height(self) -> u32 {
        match self {
            Which::Scatter | Which::CumulativeFlow | Which::Throughput => DATE_HEIGHT,
            _ => HEIGHT,
        }
    }

    fn draw<DB: DrawingBackend>(self, m: &StreamMap, spec: &Spec, root: &Area<DB>) -> Res {
        match self {
            Which::ValueStream => vsm::draw(m, spec, root),
            Which::Scatter => times::scatter(m, spec, root),
            Which::Histogram => times::histogram(m, spec, root),
            Which::CumulativeFlow => flow::cfd(m, spec, root),
            Which::Throughput => flow::throughput(m, spec, root),
            Which::Aging => aging(m, spec, root),
            Which::FlowEfficiency => times::efficiency(m, spec, root),
        }
    }
}

fn render(which: Which, m: &StreamMap) -> Res<Chart> {
    let spec = which.spec(m);
    super::render_drawing(
        which.name(),
        &spec,
        (WIDTH, which.height()),
        &|root| which.draw(m, &spec, root),
        &|root| which.draw(m, &spec, root),
    )
}

/// The horizontal coordinate of an ISO date or date-time of the map: its day number, a day `d`
/// spanning `[d - 0.5, d + 0.5)`.
fn day_of(s: &str) -> Option<f64> {
    let t = s.parse::<jiff::civil::DateTime>().ok().or_else(|| {
        s.parse::<jiff::civil::Date>()
            .ok()
            .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
    })?;
    let secs = f64::from(t.hour()) * 3600.0 + f64::from(t.minute()) * 60.0 + f64::from(t.second());
    Some(day_number(t.date()) as f64 - 0.5 + secs / 86_400.0)
}

/// "kep_transitions.csv, 2020-03-17 to 2026-07-14".
fn source(m: &StreamMap) -> String {
    format!(
        "{}, {} to {}",
        m.file,
        short(&m.period.first),
        short(&m.period.last)
    )
}

/// The date part of an ISO timestamp.
fn short(s: &str) -> &str {
    s.get(..10).unwrap_or(s)
}

/// "Times are in working days (Monday to Friday, no holidays)."
fn calendar_note(m: &StreamMap) -> String {
    format!(
        "Times are in working days ({}).",
        calendar_words(&m.calendar)
    )
}

/// Colours by work type when items have 2 to 10 of them (else one colour): the colour of each
/// type, and the legend.
fn type_colors<'a>(
    types: impl Iterator<Item = &'a str>,
) -> (BTreeMap<&'a str, RGBColor>, Vec<Key>) {
    let names: std::collections::BTreeSet<&str> = types.filter(|t| !t.is_empty()).collect();
    if !(2..=PALETTE.len()).contains(&names.len()) {
        return (BTreeMap::new(), Vec::new());
    }
    let colors: BTreeMap<&str, RGBColor> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, palette(i)))
        .collect();
    let keys = colors
        .iter()
        .map(|(n, c)| key(Swatch::Dot(*c), n.to_string()))
        .collect();
    (colors, keys)
}

fn aging_spec(_m: &StreamMap) -> Spec {
    Spec {
        title: "Aging work in progress: how long unfinished items have been in their state".into(),
        how_to_read: "Each dot is an item unfinished at the end of the history, in its current state, placed by how long it has been there; the zones show how long visits to that state took for items that moved on, so dots in the red zone are older than 85% of them and need attention.".into(),
    }
}

/// Ages beyond this many times the largest P85 are drawn at the top of the axis.
const AGE_CAP: f64 = 4.0;

fn aging<DB: DrawingBackend>(m: &StreamMap, spec: &Spec, root: &Area<DB>) -> Res {
    let open: Vec<_> = m
        .items
        .iter()
        .filter(|i| i.age_in_state.is_some_and(f64::is_finite))
        .collect();
    let mut page = Page::new(
        root,
        &spec.title,
        &[format!(
            "{}: {} unfinished at the end of the history. Zones: how long visits to each state took for items that moved on (P50, P85).",
            m.file,
            items(open.len() as u64)
        )],
    )?;
    let (colors, type_keys) = type_colors(open.iter().map(|i| i.work_type.as_str()));
    let mut keys = aging_keys();
    keys.extend(type_keys);
    page.legend(&keys)?;
    let states: Vec<_> = m.states.iter().filter(|s| !s.done).collect();
    let cols: Vec<AgingColumn> = states
        .iter()
        .map(|s| AgingColumn {
            name: s.name.clone(),
            pcts: s.time_per_visit.map(|p| (p.p50, None, p.p85, None)),
            missing: "no visit ended",
        })
        .collect();
    let dots: Vec<(usize, f64, RGBColor)> = open
        .iter()
        .filter_map(|i| {
            let col = states.iter().position(|s| s.name == i.state)?;
            let color = colors.get(i.work_type.as_str()).copied().unwrap_or(BLUE);
            Some((col, i.age_in_state?, color))
        })
        .collect();
    let oldest = dots.iter().map(|d| d.1).fold(0.0, f64::max);
    let p85 = cols
        .iter()
        .filter_map(|c| c.pcts.map(|p| p.2))
        .fold(0.0, f64::max);
    let cap = (p85 > 0.0 && oldest > AGE_CAP * p85).then_some(AGE_CAP * p85);
    let mut notes = vec![format!(
        "Age in state: working days since the item entered its current state, up to the last timestamp of the history ({}). {}",
        short(&m.period.last),
        calendar_note(m)
    )];
    if let Some(c) = cap {
        // The top of the axis, as the aging columns will draw it.
        let top = Axis::new(0.0, c * 1.1, 8, false).hi;
        let beyond = dots.iter().filter(|d| d.1 > top).count();
        if beyond > 0 {
            notes.push(format!(
                "{} older than {} working days {} drawn as rings at the top (the oldest: {}).",
                items(beyond as u64),
                num(top),
                if beyond == 1 { "is" } else { "are" },
                num(oldest)
            ));
        }
    }
    page.notes(&notes)?;
    if cols.is_empty() || dots.is_empty() {
        return page.message(&["No item was unfinished at the end of the history.".into()]);
    }
    aging_columns(
        root,
        &page,
        &cols,
        &dots,
        "Age in state (working days)",
        cap,
    )
}
