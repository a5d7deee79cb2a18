//! Forecasts from a scenario: simulate the stream, and read when the items are done off the
//! calendar.
//!
//! "When will N items be done?": the scenario runs with `items = N` (the backlog set to N when
//! nothing arrives, or the backlog and the next arrivals otherwise) until every item, with the
//! parts it splits into and the work discovered meanwhile, is done; that time, in working days,
//! is the run's completion. "How many by a date?": items done by the end of that date's working
//! time. With features, they replace the scenario's backlog and start in order, at most `wip`
//! at a time, while the scenario's arrivals (if any) keep coming and compete with them; each
//! feature's completion is read the same way.

use super::{DatePercentile, Question, RunOutcome};
use crate::calendar::{Calendar, CalendarError};
use crate::engine::{self, EngineError, ItemRecord, Model, Observer, Workspace};
use crate::scenario::{FeaturePlan, Scenario, StopRule};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a forecast cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ForecastError {
    #[error("{0}")]
    Question(String),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Most working days a burn-up follows.
const MAX_BURN_UP_DAYS: f64 = 20_000.0;

/// One feature's forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureForecast {
    pub name: String,
    /// Items, as given: a number, or a range drawn anew in each run.
    pub items: String,
    pub target: Option<String>,
    /// Completion date by percentile.
    pub completion_date: std::collections::BTreeMap<String, DatePercentile>,
    /// Share of runs in which the feature is done by its target date.
    pub probability_by_target: Option<f64>,
    /// Whether the P85 date is on or before the target (the cut line).
    pub meets_target_at_85: Option<bool>,
}

/// Sets the scenario up for the question: how many items, until when.
pub fn prepare(
    scenario: &Scenario,
    calendar: &Calendar,
    question: &Question,
) -> Result<Scenario, ForecastError> {
    let mut sc = scenario.clone();
    sc.simulation.warmup_items = 0;
    let arrivals = sc.arrivals.interval.is_some();
    if sc.features.is_some() {
        // The features are the backlog; work that keeps arriving competes with them.
        sc.arrivals.backlog = 0;
        return Ok(sc);
    }
    match (question.items, question.by) {
        (Some(n), _) => {
            let n = u32::try_from(n).ok().filter(|&n| n >= 1).ok_or_else(|| {
                ForecastError::Question(format!("--items must be from 1 to {}, got {n}", u32::MAX))
            })?;
            if !arrivals || sc.arrivals.backlog > n {
                sc.arrivals.backlog = n;
            }
            sc.simulation.stop = StopRule::Items(n);
        }
        (None, Some(by)) => {
            if arrivals {
                let t = calendar.time_at_end_of(by);
                if t.is_nan() || t <= 0.0 {
                    return Err(ForecastError::Question(format!(
                        "--by {by} is not after the start ({}): no working time to forecast",
                        calendar.start()
                    )));
                }
                sc.simulation.stop = StopRule::Horizon(t);
            }
        }
        (None, None) => {
            if arrivals {
                return Err(ForecastError::Question(
                    "work keeps arriving in this scenario, so say what to forecast: --items N (when will N items be done) or --by DATE (how many by then)".into(),
                ));
            }
        }
    }
    Ok(sc)
}

/// Watches one run for the forecast.
struct Watch<'c> {
    calendar: &'c Calendar,
    by_time: Option<f64>,
    done_by: u64,
    /// Items done per working day (index 0 = day 1).
    per_day: Vec<u32>,
    features_done: Vec<f64>,
}

impl Observer for Watch<'_> {
    fn item_done(&mut self, item: &ItemRecord<'_>) {
        if self
            .by_time
            .is_some_and(|t| item.done <= t + 1e-9 * t.max(1.0))
        {
            self.done_by += 1;
        }
        let days = self.calendar.to_days(item.done);
        let k = (days - 1e-9 * days.max(1.0)).ceil().max(1.0);
        if k <= MAX_BURN_UP_DAYS {
            let k = k as usize;
            if self.per_day.len() < k {
                self.per_day.resize(k, 0);
            }
            self.per_day[k - 1] += 1;
        }
    }

    fn feature_done(&mut self, feature: usize, time: f64) {
        self.features_done[feature] = time;
    }
}

/// The runs of a forecast from a scenario, and each feature's completion times (working days)
/// per run when the scenario has a feature plan.
#[allow(clippy::type_complexity)]
pub fn simulate(
    scenario: &Scenario,
    calendar: &Calendar,
    question: &Question,
    runs: u32,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Vec<RunOutcome>, Vec<Vec<f64>>), ForecastError> {
    let sc = prepare(scenario, calendar, question)?;
    let model = Model::new(&sc);
    let by_time = question.by.map(|d| calendar.time_at_end_of(d));
    let features = sc.features.as_ref().map_or(0, |p| p.features.len());
    let horizon = matches!(sc.simulation.stop, StopRule::Horizon(_)) && features == 0;
    let done = AtomicU64::new(0);
    let results: Vec<Result<(RunOutcome, Vec<f64>), EngineError>> = (0..u64::from(runs))
        .into_par_iter()
        .map_init(Workspace::default, |ws, rep| {
            let mut w = Watch {
                calendar,
                by_time,
                done_by: 0,
                per_day: Vec::new(),
                features_done: vec![f64::NAN; features],
            };
            let stats = engine::run(&model, seed, rep, ws, &mut w)?;
            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
            let finish = (!horizon).then(|| calendar.to_days(stats.end));
            let mut burn = w.per_day;
            // Follow the burn-up at least to the date asked about.
            if let Some(t) = by_time {
                let days = calendar.to_days(t).ceil().min(MAX_BURN_UP_DAYS) as usize;
                if burn.len() < days {
                    burn.resize(days, 0);
                }
            }
            let mut total = 0u32;
            for x in &mut burn {
                total += *x;
                *x = total;
            }
            let features_done = w
                .features_done
                .iter()
                .map(|&t| calendar.to_days(t))
                .collect();
            Ok((
                RunOutcome {
                    finish_days: finish,
                    done_by: by_time.map(|_| w.done_by),
                    burn_up: burn,
                },
                features_done,
            ))
        })
        .collect();
    let mut outcomes = Vec::with_capacity(runs as usize);
    let mut feature_days = vec![Vec::with_capacity(runs as usize); features];
    for r in results {
        let (o, f) = r?;
        outcomes.push(o);
        for (i, d) in f.into_iter().enumerate() {
            feature_days[i].push(d);
        }
    }
    Ok((outcomes, feature_days))
}

/// Per-feature dates from the features' completion times (working days, one per run).
pub fn feature_forecasts(
    plan: &FeaturePlan,
    days: &[Vec<f64>],
    calendar: &Calendar,
    percentiles: &[f64],
) -> Result<Vec<FeatureForecast>, CalendarError> {
    plan.features
        .iter()
        .zip(days)
        .map(|(f, d)| {
            // The verdict is at 85% whatever percentiles are reported.
            let mut asked = percentiles.to_vec();
            if !asked.contains(&85.0) {
                asked.push(85.0);
            }
            let question = Question {
                items: Some(1),
                by: f.target,
                percentiles: asked,
            };
            let outcomes: Vec<RunOutcome> = d
                .iter()
                .map(|&x| RunOutcome {
                    finish_days: x.is_finite().then_some(x),
                    done_by: None,
                    burn_up: Vec::new(),
                })
                .collect();
            let s = super::summarize(
                &outcomes,
                &question,
                calendar,
                String::new(),
                0,
                String::new(),
                Vec::new(),
            )?;
            let mut completion_date = s.completion_date.unwrap_or_default();
            let p85 = super::percentile_key(85.0);
            let meets = match (&f.target, completion_date.get(&p85)) {
                (Some(t), Some(p)) => Some(p.date.as_str() <= t.to_string().as_str()),
                _ => None,
            };
            if !percentiles.contains(&85.0) {
                completion_date.remove(&p85);
            }
            Ok(FeatureForecast {
                name: f.name.clone(),
                items: if f.items_min == f.items_max {
                    f.items_min.to_string()
                } else {
                    format!("{}..{}", f.items_min, f.items_max)
                },
                target: f.target.map(|t| t.to_string()),
                completion_date,
                probability_by_target: s.probability_by.map(|p| p.probability),
                meets_target_at_85: meets,
            })
        })
        .collect()
}
