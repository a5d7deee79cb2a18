//! `backtest`: the history's lead times against the simulated ones, as cumulative distributions
//! on one chart.

use super::canvas::*;
use super::distribution::{Curve, cdf_curves};
use super::{Chart, ChartError, Spec, register_fonts};
use crate::backtest::Backtest;
use plotters::prelude::{DrawingBackend, RGBColor};

const HISTORY: RGBColor = RGBColor(40, 40, 40);
const SIMULATED: RGBColor = RGBColor(78, 121, 167);

/// The charts of a backtest: the overlaid lead-time CDFs.
pub fn backtest_charts(b: &Backtest) -> Result<Vec<Chart>, ChartError> {
    register_fonts().map_err(|message| ChartError {
        chart: "all".into(),
        message,
    })?;
    let spec = Spec {
        title: "Backtest: lead time in the history and in the simulation".into(),
        how_to_read: "The black line is the history, the blue line the scenario simulated over the same period: pick a time on the bottom axis and read up to each line for the share of items delivered within that time. Where the lines run together, the model reproduces the history; the dots on the 85% line are each one's P85.".into(),
    };
    let max = f64::from(WIDTH as i32 - 2 * MARGIN);
    let notes = notes(b);
    let lines: u32 = wrapped_lines(&b.verdict, 16.0, max)
        + notes
            .iter()
            .map(|n| wrapped_lines(n, 14.0, max))
            .sum::<u32>();
    let h = (500 + 20 * lines).clamp(520, 1200);
    let chart = super::render_drawing(
        "backtest-lead-time-cdf",
        &spec,
        (WIDTH, h),
        &|root| draw(b, &spec, root),
        &|root| draw(b, &spec, root),
    )
    .map_err(|Fail(message)| ChartError {
        chart: "backtest-lead-time-cdf".into(),
        message,
    })?;
    Ok(vec![chart])
}

fn notes(b: &Backtest) -> Vec<String> {
    let s = &b.simulated.summary;
    vec![format!(
        "History: the {} finished items compared. Simulation: {} runs with seed {} over the same {} working days. ± is the simulation's standard error.",
        grouped(b.items as u64),
        grouped(u64::from(s.runs)),
        s.seed,
        num(b.period)
    )]
}

fn draw<DB: DrawingBackend>(b: &Backtest, spec: &Spec, root: &Area<DB>) -> Res {
    let mut page = Page::new(root, &spec.title, std::slice::from_ref(&b.verdict))?;
    let observed_p85 = b.observed.quantile(0.85);
    let sim = b.simulated.summary.lead_time.as_ref();
    page.legend(&[
        key(
            Swatch::Line(HISTORY),
            format!(
                "History: P85 {} working days",
                observed_p85.map_or("-".into(), num)
            ),
        ),
        key(
            Swatch::Line(SIMULATED),
            format!(
                "Simulated: P85 {} working days",
                sim.map_or("-".into(), |d| pm(d.p85, d.p85_se))
            ),
        ),
    ])?;
    let curves = [
        Curve {
            hist: &b.simulated.histograms.lead,
            color: SIMULATED,
            width: 2,
            p85: sim.map(|d| (d.p85, d.p85_se)),
        },
        Curve {
            hist: &b.observed,
            color: HISTORY,
            width: 3,
            p85: observed_p85.map(|q| (q, None)),
        },
    ];
    let empty = ["No finished item to compare.".to_string()];
    cdf_curves(root, &mut page, &curves, "working days", notes(b), &empty)?;
    Ok(())
}
