//! Checking a scenario against the history it should reproduce: simulate the history's period
//! with the scenario and compare lead-time percentiles, throughput and each stage's time per
//! item with what was observed, each observed figure with its 95% confidence interval, and say
//! whether the model is fit for what-if use. In hold-out mode the scenario is calibrated on the
//! first part of the history and checked against the rest.
//!
//! Observed intervals: percentiles by order statistics (distribution-free: the ranks
//! `n p ± 1.96 sqrt(n p (1 - p))`), means by the normal approximation, throughput as a Poisson
//! count; each widened, when there are at least 100 items, to the interval from ten batches of
//! consecutive items (or ten stretches of the period), because items that queue together wait
//! alike and a history holds less information than its count suggests. For lead time and
//! throughput the simulation also says where one history of this length falls if the scenario
//! is right (the simulated value ± 1.96 times the spread of single runs, from the batches of
//! runs): an observed figure in that range agrees, however narrow its own interval, provided
//! the range is informative (within half the simulated value either way). A simulated figure **agrees** when it falls in the observed interval widened by two
//! of its own standard errors, is **close** when it is within 20% of the observed value, and is
//! **off** otherwise. The model is fit for what-if use when lead time (P50, P85) and throughput
//! are not off; stages that are off are named, as the place to look.

use crate::calibrate::build::{Calibration, calibrate, plan};
use crate::history::mapping::Kind;
use crate::history::{History, Item};
use crate::metrics::histogram::Histogram;
use crate::runner::{self, RunOptions, RunResult};
use crate::scenario::{Scenario, StopRule};
use serde::Serialize;

/// How far a simulated figure may be from the observed one and still be close.
pub const CLOSE: f64 = 0.2;

/// How a simulated figure compares with the observed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Agreement {
    Agrees,
    Close,
    Off,
}

/// One figure, observed and simulated.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub metric: String,
    pub observed: f64,
    pub observed_low: f64,
    pub observed_high: f64,
    pub simulated: f64,
    pub simulated_se: Option<f64>,
    /// Where one history of this length falls, 95% of the time, if the scenario is right:
    /// the simulated value ± 1.96 times the spread of single runs (from the batches of runs).
    pub history_range: Option<(f64, f64)>,
    pub agreement: Agreement,
}

/// The result of a backtest.
#[derive(Debug, Clone)]
pub struct Backtest {
    /// Lead time P50/P85/P95 and mean, throughput.
    pub checks: Vec<Check>,
    /// Per stage of the scenario found in the history: mean time per item there.
    pub stages: Vec<Check>,
    /// Stages of the scenario with no state of that name in the history.
    pub unmatched: Vec<String>,
    pub fit_for_whatif: bool,
    /// The verdict in words.
    pub verdict: String,
    /// Observed lead times of the items compared (working days).
    pub observed: Histogram,
    pub simulated: RunResult,
    /// Working days simulated.
    pub period: f64,
    /// Items compared, observed.
    pub items: usize,
    /// With no scenario given: the calibration made (from the part before the hold-out), and
    /// the working time where the compared part starts.
    pub calibration: Option<(Calibration, f64)>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct BacktestError(pub String);

/// What to check, and against which part of the history.
pub struct Model<'a> {
    /// The scenario; `None`: calibrate one from the history before the hold-out.
    pub scenario: Option<&'a Scenario>,
    /// Check against the items arriving in this last share of the period only (0 to 1).
    pub holdout: Option<f64>,
    /// The calibrated scenario's name.
    pub name: &'a str,
}

/// Backtests a scenario (or a hold-out calibration) against a history.
pub fn backtest(
    h: &History,
    model: Model<'_>,
    runs: Option<u32>,
    seed: Option<u64>,
) -> Result<Backtest, BacktestError> {
    let start = h
        .items
        .iter()
        .map(|i| h.arrived(i))
        .fold(f64::INFINITY, f64::min);
    let end = h.end();
    let period = end - start;
    if period.is_nan() || period <= 0.0 {
        return Err(BacktestError(format!(
            "{}: the history spans no working time",
            h.file
        )));
    }
    let cut = match model.holdout {
        None => start,
        Some(share) if share > 0.0 && share < 1.0 => start + (1.0 - share) * period,
        Some(share) => {
            return Err(BacktestError(format!(
                "the hold-out share must be between 0 and 1 (e.g. 0.3: the last 30% of the period), got {share}"
            )));
        }
    };
    let (scenario, holdout) = match model.scenario {
        Some(s) => (s.clone(), None),
        None => {
            let c = calibrate(&before(h, cut), model.name).map_err(|e| {
                BacktestError(if model.holdout.is_some() {
                    format!("calibrating on the history before the hold-out: {e}")
                } else {
                    e.to_string()
                })
            })?;
            let s = Scenario::parse(&c.toml, "calibrated scenario")
                .map_err(|e| BacktestError(e.to_string()))?;
            (s, Some((c, cut)))
        }
    };
    // The items compared: those that arrived from the cut on; their lead times if done.
    let compared: Vec<&Item> = h.items.iter().filter(|i| h.arrived(i) >= cut).collect();
    let warmup = h.items.len() - compared.len();
    // In order of arrival (the items are), for batches; sorted for percentiles.
    let by_arrival: Vec<f64> = compared
        .iter()
        .filter_map(|i| h.done(i).map(|d| d - h.arrived(i)))
        .collect();
    let mut lead = by_arrival.clone();
    lead.sort_by(f64::total_cmp);
    if lead.len() < 5 {
        return Err(BacktestError(format!(
            "{}: only {} items to compare finished{}; a backtest needs at least 5",
            h.file,
            lead.len(),
            if model.holdout.is_some() {
                " in the hold-out part (use a larger share)"
            } else {
                ""
            }
        )));
    }
    let mut sc = scenario;
    sc.simulation.stop = StopRule::Horizon(period);
    sc.simulation.warmup_items = u32::try_from(warmup).unwrap_or(u32::MAX);
    if let Some(r) = runs {
        sc.simulation.runs = r;
    }
    if let Some(s) = seed {
        sc.simulation.seed = s;
    }
    let sim = runner::simulate(&sc, RunOptions::default(), &|_| {})
        .map_err(|e| BacktestError(e.to_string()))?;
    let s = &sim.summary;
    let Some(sl) = &s.lead_time else {
        return Err(BacktestError(
            "the simulation finished no item in the history's period: nothing to compare".into(),
        ));
    };

    let mut checks = Vec::new();
    for (p, sim_p, se) in [
        (0.5, sl.p50, sl.p50_se),
        (0.85, sl.p85, sl.p85_se),
        (0.95, sl.p95, sl.p95_se),
    ] {
        let (obs, lo, hi) = quantile_ci(&lead, p);
        let (lo, hi) = widest((lo, hi), batch_ci(&by_arrival, obs, |b| quantile(b, p)));
        let per: Vec<f64> = sim
            .batches
            .iter()
            .map(|b| b.lead_time.as_ref().map_or(f64::NAN, |d| pick(d, p)))
            .collect();
        checks.push(with_range(
            check(
                &format!("lead time P{}", (p * 100.0).round()),
                obs,
                lo,
                hi,
                sim_p,
                se,
            ),
            &per,
            s.runs,
        ));
    }
    let (m, m_se) = mean_se(&lead);
    let (lo, hi) = widest(
        (m - 1.96 * m_se, m + 1.96 * m_se),
        batch_ci(&by_arrival, m, |b| mean_se(b).0),
    );
    let per: Vec<f64> = sim
        .batches
        .iter()
        .map(|b| b.lead_time.as_ref().map_or(f64::NAN, |d| d.mean))
        .collect();
    checks.push(with_range(
        check("lead time mean", m, lo, hi, sl.mean, sl.mean_se),
        &per,
        s.runs,
    ));
    // Throughput: items finished per working day from the cut to the end.
    let span = end - cut;
    let finished = h
        .items
        .iter()
        .filter_map(|i| h.done(i))
        .filter(|d| *d >= cut)
        .count() as f64;
    if let Some(t) = &s.throughput
        && span > 0.0
    {
        let ci = 1.96 * finished.sqrt();
        // Items done in each of ten equal stretches of the period.
        let mut per: Vec<f64> = vec![0.0; BATCHES];
        for d in h
            .items
            .iter()
            .filter_map(|i| h.done(i))
            .filter(|d| *d >= cut)
        {
            let k = (((d - cut) / span) * BATCHES as f64) as usize;
            per[k.min(BATCHES - 1)] += BATCHES as f64 / span;
        }
        let rate = finished / span;
        let (lo, hi) = widest(
            ((finished - ci).max(0.0) / span, (finished + ci) / span),
            spread_ci(&per, rate),
        );
        let per: Vec<f64> = sim
            .batches
            .iter()
            .map(|b| b.throughput.as_ref().map_or(f64::NAN, |t| t.mean))
            .collect();
        checks.push(with_range(
            check(
                "throughput per working day",
                rate,
                lo.max(0.0),
                hi,
                t.mean,
                t.se,
            ),
            &per,
            s.runs,
        ));
    }

    // Stages: mean time per item, over the items that entered the stage. A first state that
    // is a wait is the backlog: the simulation counts time there apart from the first stage
    // (the backlog wait, which also holds the wait for room under a WIP limit), so it gets a
    // row of its own.
    let mut stages = Vec::new();
    let mut unmatched = Vec::new();
    let backlog_state = (h.states.first().map(|s| s.kind) == Some(Kind::Wait)).then_some(0);
    if let (Some(b), Some(w)) = (backlog_state, &s.backlog_wait) {
        let times: Vec<f64> = compared
            .iter()
            .filter(|i| h.done(i).is_some())
            .filter_map(|i| time_in(i, b, &[]))
            .collect();
        if times.len() >= 2 {
            let (m, se) = mean_se(&times);
            let (lo, hi) = widest(
                (m - 1.96 * se, m + 1.96 * se),
                batch_ci(&times, m, |b| mean_se(b).0),
            );
            stages.push(check(
                &backlog_metric(&h.states[b].name),
                m,
                lo,
                hi,
                w.mean,
                w.se,
            ));
        }
    }
    for (k, st) in s.stages.iter().enumerate() {
        let Some(state) = h
            .states
            .iter()
            .position(|x| x.name.eq_ignore_ascii_case(&st.name))
        else {
            unmatched.push(st.name.clone());
            continue;
        };
        let queue = plan(h)
            .into_iter()
            .find(|p| p.state == state)
            .map(|p| p.queue)
            .unwrap_or_default()
            .into_iter()
            .filter(|&q| Some(q) != backlog_state)
            .collect::<Vec<_>>();
        let times: Vec<f64> = compared
            .iter()
            .filter(|i| h.done(i).is_some())
            .filter_map(|i| time_in(i, state, &queue))
            .collect();
        if times.len() < 2 {
            continue;
        }
        let (m, se) = mean_se(&times);
        let (lo, hi) = widest(
            (m - 1.96 * se, m + 1.96 * se),
            batch_ci(&times, m, |b| mean_se(b).0),
        );
        let hist = &sim.histograms.stage_time[k];
        let n = hist.count() as f64;
        let simulated = if n > 0.0 {
            hist.buckets()
                .map(|(lo, hi, c)| 0.5 * (lo + hi) * c as f64)
                .sum::<f64>()
                / n
        } else {
            0.0
        };
        stages.push(check(
            &format!("time in {}", st.name),
            m,
            lo,
            hi,
            simulated,
            None,
        ));
    }

    let main_off: Vec<&str> = checks
        .iter()
        .filter(|c| {
            c.agreement == Agreement::Off
                && (c.metric == "lead time P50"
                    || c.metric == "lead time P85"
                    || c.metric.starts_with("throughput"))
        })
        .map(|c| c.metric.as_str())
        .collect();
    let stages_off: Vec<String> = stages
        .iter()
        .filter(|c| c.agreement == Agreement::Off)
        .map(|c| c.metric.trim_start_matches("time in ").to_string())
        .collect();
    let fit_for_whatif = main_off.is_empty();
    let vague: Vec<&str> = checks
        .iter()
        .filter(|c| c.observed_high - c.observed_low > c.observed.abs())
        .map(|c| c.metric.as_str())
        .collect();
    let mut verdict = if fit_for_whatif {
        let mut v = "Fit for what-if use: the simulated lead time (P50, P85) and throughput match the history within its uncertainty or within 20%.".to_string();
        if !stages_off.is_empty() {
            v.push_str(&format!(
                " Time per item is off at {}: what-ifs there are less certain.",
                stages_off.join(", ")
            ));
        }
        v
    } else {
        let mut v = format!(
            "Not fit for what-if use yet: {} differ{} from the history by more than 20% and more than its uncertainty.",
            main_off.join(", "),
            if main_off.len() == 1 { "s" } else { "" }
        );
        if !stages_off.is_empty() {
            v.push_str(&format!(" Look first at {}.", stages_off.join(", ")));
        }
        v
    };
    if !vague.is_empty() {
        verdict.push_str(&format!(
            " Caution: the history is too variable to pin down {} (its 95% interval is wider than the value itself), so agreement there is weak evidence.",
            vague.join(", ")
        ));
    }
    let mut observed = Histogram::new();
    for l in &lead {
        observed.record(*l);
    }
    Ok(Backtest {
        checks,
        stages,
        unmatched,
        fit_for_whatif,
        verdict,
        observed,
        simulated: sim,
        period,
        items: lead.len(),
        calibration: holdout,
    })
}

fn check(metric: &str, observed: f64, lo: f64, hi: f64, simulated: f64, se: Option<f64>) -> Check {
    // Every figure compared is a time or a rate: never below 0.
    let lo = lo.max(0.0);
    let slack = 2.0 * se.unwrap_or(0.0);
    let agreement = if simulated >= lo - slack && simulated <= hi + slack {
        Agreement::Agrees
    } else if (simulated - observed).abs() <= CLOSE * observed.abs() {
        Agreement::Close
    } else {
        Agreement::Off
    };
    Check {
        metric: metric.to_string(),
        observed,
        observed_low: lo,
        observed_high: hi,
        simulated,
        simulated_se: se,
        history_range: None,
        agreement,
    }
}

/// Adds where a single history falls if the scenario is right, from the figure's value in each
/// batch of runs (`per_batch`, `runs` in all): a history the model could have produced agrees.
fn with_range(mut c: Check, per_batch: &[f64], runs: u32) -> Check {
    let v: Vec<f64> = per_batch
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    if v.len() >= 2 {
        let (_, se) = mean_se(&v);
        // The spread of one run: a batch mean's spread times the square root of its runs.
        let single = se * (v.len() as f64).sqrt() * (f64::from(runs) / v.len() as f64).sqrt();
        let range = (c.simulated - 1.96 * single, c.simulated + 1.96 * single);
        c.history_range = Some(range);
        // Only a model whose single histories are alike enough to say something (their 95%
        // range within half the value either way) can vouch for a history this way.
        let informative = 1.96 * single <= 0.5 * c.simulated.abs();
        if informative && c.observed >= range.0 && c.observed <= range.1 {
            c.agreement = Agreement::Agrees;
        }
    }
    c
}

/// Batches of consecutive items (or stretches of time) for intervals that allow for the
/// correlation between neighbours: items that queue together wait alike, so a history holds
/// less information than its item count suggests.
const BATCHES: usize = 10;

/// t quantile (97.5%) with `BATCHES - 1` degrees of freedom.
const T_BATCHES: f64 = 2.262;

/// The 95% interval of a statistic from its value on `BATCHES` consecutive batches of the
/// values (in arrival order), around the whole-sample `estimate`; `None` with fewer than 10
/// values a batch.
fn batch_ci(values: &[f64], estimate: f64, stat: impl Fn(&[f64]) -> f64) -> Option<(f64, f64)> {
    let n = values.len();
    if n < 10 * BATCHES {
        return None;
    }
    let per: Vec<f64> = (0..BATCHES)
        .map(|b| {
            let mut batch = values[b * n / BATCHES..(b + 1) * n / BATCHES].to_vec();
            batch.sort_by(f64::total_cmp);
            stat(&batch)
        })
        .collect();
    spread_ci(&per, estimate)
}

/// `estimate ± t * sd(per) / sqrt(len)`.
fn spread_ci(per: &[f64], estimate: f64) -> Option<(f64, f64)> {
    if per.len() < 2 {
        return None;
    }
    let (_, se) = mean_se(per);
    Some((estimate - T_BATCHES * se, estimate + T_BATCHES * se))
}

/// The wider of two intervals' ends.
fn widest(a: (f64, f64), b: Option<(f64, f64)>) -> (f64, f64) {
    match b {
        Some(b) => (a.0.min(b.0), a.1.max(b.1)),
        None => a,
    }
}

/// A percentile of a summary distribution.
fn pick(d: &crate::metrics::summary::Distribution, p: f64) -> f64 {
    if p == 0.5 {
        d.p50
    } else if p == 0.85 {
        d.p85
    } else {
        d.p95
    }
}

/// The type-7 quantile of sorted values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = p * (sorted.len() - 1) as f64;
    let (a, b) = (h.floor() as usize, h.ceil() as usize);
    sorted[a] + (sorted[b] - sorted[a]) * (h - a as f64)
}

/// The sample quantile (type 7) of sorted values and its distribution-free 95% interval.
pub fn quantile_ci(sorted: &[f64], p: f64) -> (f64, f64, f64) {
    let n = sorted.len();
    let q = quantile(sorted, p);
    let half = 1.96 * (n as f64 * p * (1.0 - p)).sqrt();
    let lo = ((n as f64 * p - half).floor().max(1.0) as usize).min(n) - 1;
    let hi = ((n as f64 * p + half).ceil().max(1.0) as usize).min(n) - 1;
    (q, sorted[lo].min(q), sorted[hi].max(q))
}

fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (m, (var / n).sqrt())
}

/// The backlog's row: "time in the backlog", naming the state when it is called otherwise.
fn backlog_metric(state: &str) -> String {
    if state.eq_ignore_ascii_case("backlog") {
        "time in the backlog".into()
    } else {
        format!("time in the backlog ({state})")
    }
}

/// An item's total time in a state and its queue states (`None` if it never entered them).
fn time_in(item: &Item, state: usize, queue: &[usize]) -> Option<f64> {
    let mut total = 0.0;
    let mut seen = false;
    for (k, e) in item.entries.iter().enumerate() {
        if e.state == state || queue.contains(&e.state) {
            let next = item.entries.get(k + 1)?;
            total += next.t - e.t;
            seen |= e.state == state;
        }
    }
    seen.then_some(total)
}

/// The history as it stood at working time `cut`: items that had arrived, their entries before
/// it.
pub fn before(h: &History, cut: f64) -> History {
    let items = h
        .items
        .iter()
        .filter(|i| h.arrived(i) < cut)
        .map(|i| {
            let mut i = i.clone();
            i.entries.retain(|e| e.t < cut);
            i
        })
        .collect();
    History { items, ..h.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_intervals_are_distribution_free_ranks() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        // n p = 50, half width 1.96 * 5 = 9.8: ranks 40 and 60 (1-based).
        assert_eq!(quantile_ci(&v, 0.5), (50.5, 40.0, 60.0));
        // n p = 85, half 1.96 * sqrt(12.75) = 6.9986: ranks floor(78.0014) = 78 and
        // ceil(91.9986) = 92.
        let (q, lo, hi) = quantile_ci(&v, 0.85);
        assert!((q - 85.15).abs() < 1e-9);
        assert_eq!((lo, hi), (78.0, 92.0));
    }

    #[test]
    fn agreement_is_inside_the_interval_close_within_a_fifth_or_off() {
        assert_eq!(
            check("x", 10.0, 9.0, 11.0, 10.5, None).agreement,
            Agreement::Agrees
        );
        assert_eq!(
            check("x", 10.0, 9.0, 11.0, 11.5, Some(0.3)).agreement,
            Agreement::Agrees
        );
        assert_eq!(
            check("x", 10.0, 9.0, 11.0, 11.9, None).agreement,
            Agreement::Close
        );
        assert_eq!(
            check("x", 10.0, 9.0, 11.0, 12.5, None).agreement,
            Agreement::Off
        );
    }
}
