//! Delivery forecasts on a working calendar: "when will these items be done?" and "how many will
//! be done by then?", with probabilities, as dates.
//!
//! Both kinds of forecast, from a scenario ([`model`]) or from a record of finished items
//! ([`history`]), produce the same thing per Monte Carlo run: a [`RunOutcome`] (working days
//! until the items are done, items done by the date asked about, and items done by the end of
//! each working day). [`summarize`] turns the runs into percentile dates with their Monte Carlo
//! precision, the probability of finishing by a date, and "with 85% confidence at least N items".

pub mod features;
pub mod history;
pub mod model;

use crate::calendar::{Calendar, CalendarError};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Percentiles reported by default (the levels practitioners commit at).
pub const DEFAULT_PERCENTILES: [f64; 4] = [50.0, 70.0, 85.0, 95.0];

/// Batches of runs for the precision of percentile dates (run r in batch r mod 20).
const BATCHES: usize = 20;

/// What one Monte Carlo run of a forecast gives.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOutcome {
    /// Working days from the start until the last of the items was done (`None` when the run
    /// ended before, e.g. a `--by` forecast without `--items`).
    pub finish_days: Option<f64>,
    /// Items done by the end of the `--by` date.
    pub done_by: Option<u64>,
    /// Items done by the end of each working day (index 0 = the first working day).
    pub burn_up: Vec<u32>,
}

/// What was asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Items to forecast the completion of.
    pub items: Option<u64>,
    /// A date to forecast the probability of finishing by, or the count done by.
    pub by: Option<Date>,
    /// Percentiles to report, in percent (e.g. 50, 70, 85, 95).
    pub percentiles: Vec<f64>,
}

/// A percentile date with its precision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatePercentile {
    /// ISO date.
    pub date: String,
    /// Working days from the start (the day counted as 1 is the first working day).
    pub working_days: f64,
    /// Monte Carlo standard error of the percentile, in working days.
    pub se_working_days: Option<f64>,
}

/// The chance of finishing by a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbabilityBy {
    pub date: String,
    pub probability: f64,
    /// Binomial standard error of the probability over the runs.
    pub se: f64,
}

/// How many items will be done by a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemsBy {
    pub date: String,
    /// For each confidence level in percent: at least this many items are done by the date in
    /// that share of runs ("with 85% confidence at least 23 items").
    pub at_least: BTreeMap<String, u64>,
    pub mean: f64,
    /// Runs by the number of items done (for the chart).
    pub distribution: Vec<(u64, u64)>,
}

/// Items done by the end of each working day across runs: P5, P15, P50, P85 and P95 of the
/// count (the burn-up's forecast cone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BurnUp {
    /// ISO date of each working day.
    pub dates: Vec<String>,
    pub p5: Vec<f64>,
    pub p15: Vec<f64>,
    pub p50: Vec<f64>,
    pub p85: Vec<f64>,
    pub p95: Vec<f64>,
}

/// The content of `forecast.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub flowsim_version: String,
    /// What the forecast is based on: `scenario "Feature delivery"` or `history done.csv (412
    /// items, 2026-01-05 to 2026-11-20)`.
    pub source: String,
    pub items: Option<u64>,
    /// First day of the forecast (ISO).
    pub start: String,
    pub seed: u64,
    pub runs: u32,
    /// Completion date by percentile (`p50`, `p70`, `p85`, `p95` or as asked).
    pub completion_date: Option<BTreeMap<String, DatePercentile>>,
    pub probability_by: Option<ProbabilityBy>,
    pub items_by: Option<ItemsBy>,
    /// Runs by completion date (for the chart): (ISO date, runs).
    pub completion_distribution: Vec<(String, u64)>,
    pub burn_up: Option<BurnUp>,
    /// Per feature, with `--features`: completion dates, and whether each target is met at 85%.
    pub features: Option<Vec<model::FeatureForecast>>,
    /// How the forecast was made, in words.
    pub method: String,
    pub warnings: Vec<String>,
}

/// The key of a percentile: 85 is `p85`, 97.5 is `p97.5`.
pub fn percentile_key(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("p{}", p as u64)
    } else {
        format!("p{p}")
    }
}

/// Linear interpolation between order statistics (type 7), `q` in [0, 1].
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (h - lo as f64)
}

/// Turns the runs of a forecast into dates and counts.
pub fn summarize(
    outcomes: &[RunOutcome],
    question: &Question,
    calendar: &Calendar,
    source: String,
    seed: u64,
    method: String,
    mut warnings: Vec<String>,
) -> Result<Forecast, CalendarError> {
    let runs = outcomes.len();
    let iso = |d: Date| d.to_string();

    let finishes: Vec<(usize, f64)> = outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| o.finish_days.map(|f| (i, f)))
        .collect();
    let mut completion_date = None;
    let mut completion_distribution = Vec::new();
    if question.items.is_some() && !finishes.is_empty() {
        if finishes.len() < runs {
            warnings.push(format!(
                "{} of {runs} runs did not finish the items within the time simulated; the percentiles are of the others",
                runs - finishes.len()
            ));
        }
        let mut all: Vec<f64> = finishes.iter().map(|(_, f)| *f).collect();
        all.sort_by(f64::total_cmp);
        let mut batches: Vec<Vec<f64>> = vec![Vec::new(); BATCHES.min(runs)];
        let nb = batches.len();
        for (i, f) in &finishes {
            batches[i % nb].push(*f);
        }
        for b in &mut batches {
            b.sort_by(f64::total_cmp);
        }
        let mut map = BTreeMap::new();
        for &p in &question.percentiles {
            let q = p / 100.0;
            let days = quantile(&all, q);
            let per_batch: Vec<f64> = batches
                .iter()
                .filter(|b| !b.is_empty())
                .map(|b| quantile(b, q))
                .collect();
            let se = (per_batch.len() >= 2).then(|| {
                let n = per_batch.len() as f64;
                let m = per_batch.iter().sum::<f64>() / n;
                (per_batch.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0) / n).sqrt()
            });
            let date = calendar.date_of(calendar.from_days(days))?;
            map.insert(
                percentile_key(p),
                DatePercentile {
                    date: iso(date),
                    working_days: days,
                    se_working_days: se,
                },
            );
        }
        completion_date = Some(map);
        let mut by_date: BTreeMap<Date, u64> = BTreeMap::new();
        for f in &all {
            *by_date
                .entry(calendar.date_of(calendar.from_days(*f))?)
                .or_default() += 1;
        }
        completion_distribution = by_date.into_iter().map(|(d, n)| (iso(d), n)).collect();
    }

    let probability_by = match (question.by, question.items) {
        (Some(by), Some(_)) => {
            let limit = calendar.working_days_through(by) as f64;
            let hit = outcomes
                .iter()
                .filter(|o| {
                    o.finish_days
                        .is_some_and(|f| f <= limit + 1e-9 * limit.max(1.0))
                })
                .count() as f64;
            let p = hit / runs as f64;
            Some(ProbabilityBy {
                date: iso(by),
                probability: p,
                se: (p * (1.0 - p) / runs as f64).sqrt(),
            })
        }
        _ => None,
    };

    let items_by = match question.by {
        Some(by) => {
            let mut counts: Vec<u64> = outcomes.iter().filter_map(|o| o.done_by).collect();
            if counts.is_empty() {
                None
            } else {
                counts.sort_unstable();
                let n = counts.len();
                let mut at_least = BTreeMap::new();
                for &p in &question.percentiles {
                    // At least k items in p% of runs: the (100 - p)th percentile, rounded down.
                    let idx = (((100.0 - p) / 100.0) * (n - 1) as f64).floor() as usize;
                    at_least.insert(percentile_key(p), counts[idx]);
                }
                let mean = counts.iter().sum::<u64>() as f64 / n as f64;
                let mut dist: BTreeMap<u64, u64> = BTreeMap::new();
                for c in &counts {
                    *dist.entry(*c).or_default() += 1;
                }
                Some(ItemsBy {
                    date: iso(by),
                    at_least,
                    mean,
                    distribution: dist.into_iter().collect(),
                })
            }
        }
        None => None,
    };

    let days = outcomes.iter().map(|o| o.burn_up.len()).max().unwrap_or(0);
    let burn_up =
        (days > 0).then(|| {
            let mut b = BurnUp {
                dates: Vec::with_capacity(days),
                p5: Vec::new(),
                p15: Vec::new(),
                p50: Vec::new(),
                p85: Vec::new(),
                p95: Vec::new(),
            };
            let mut column = Vec::with_capacity(runs);
            for d in 0..days {
                column.clear();
                // A run whose record stops early has nothing more done after it.
                column.extend(outcomes.iter().map(|o| {
                    f64::from(o.burn_up.get(d).or(o.burn_up.last()).copied().unwrap_or(0))
                }));
                column.sort_by(f64::total_cmp);
                b.dates.push(
                    calendar
                        .working_day(d as u64 + 1)
                        .map(iso)
                        .unwrap_or_default(),
                );
                b.p5.push(quantile(&column, 0.05));
                b.p15.push(quantile(&column, 0.15));
                b.p50.push(quantile(&column, 0.50));
                b.p85.push(quantile(&column, 0.85));
                b.p95.push(quantile(&column, 0.95));
            }
            b
        });

    Ok(Forecast {
        flowsim_version: env!("CARGO_PKG_VERSION").to_string(),
        source,
        items: question.items,
        start: iso(calendar.start()),
        seed,
        runs: runs as u32,
        completion_date,
        probability_by,
        items_by,
        completion_distribution,
        burn_up,
        features: None,
        method,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;
    use crate::scenario::TimeUnit;

    fn outcome(finish: f64, done_by: u64) -> RunOutcome {
        RunOutcome {
            finish_days: Some(finish),
            done_by: Some(done_by),
            burn_up: Vec::new(),
        }
    }

    #[test]
    fn percentiles_become_dates_and_counts_become_confidence_levels() {
        let cal = Calendar::weekdays(parse_date("2027-01-04").unwrap(), TimeUnit::Days);
        // 100 runs finishing after 1..100 working days; done-by counts 0..99.
        let runs: Vec<RunOutcome> = (1..=100u32)
            .map(|i| outcome(f64::from(i), u64::from(i - 1)))
            .collect();
        let q = Question {
            items: Some(10),
            by: Some(parse_date("2027-01-29").unwrap()), // the 20th working day
            percentiles: DEFAULT_PERCENTILES.to_vec(),
        };
        let f = summarize(&runs, &q, &cal, "test".into(), 1, String::new(), Vec::new()).unwrap();
        let c = f.completion_date.unwrap();
        // P50 of 1..100 is 50.5 working days: done on the 51st working day.
        assert_eq!(c["p50"].working_days, 50.5);
        assert_eq!(c["p50"].date, cal.working_day(51).unwrap().to_string());
        assert!(c["p85"].working_days > c["p70"].working_days);
        let p = f.probability_by.unwrap();
        assert_eq!(p.probability, 0.20);
        // With 85% confidence at least 14 of 0..99 are done (the 15th percentile, rounded down).
        assert_eq!(f.items_by.unwrap().at_least["p85"], 14);
    }
}
