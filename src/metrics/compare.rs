//! Differences between two runs of the same replications (common random numbers), with
//! confidence intervals and a verdict in words.
//!
//! Both runs use the same seed and replication numbers, so replication r of one saw the same
//! arrivals and work as replication r of the other, except for what the change changed. The
//! replications are grouped into batches (r mod 20); for each statistic the difference is taken
//! batch by batch, and the spread of those paired differences gives the standard error:
//! se = sd(d_b) / sqrt(B), and the 95% interval is the estimate ± t(B-1) se. The estimate itself
//! is the difference of the pooled statistics (all replications together).

use super::Summary;
use serde::{Deserialize, Serialize};

/// A difference (variant minus baseline) with its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub se: Option<f64>,
}

impl Difference {
    /// Whether the interval excludes 0: the change made a detectable difference.
    pub fn distinguishable(&self) -> bool {
        self.ci_low > 0.0 || self.ci_high < 0.0
    }

    /// Width of the confidence interval.
    pub fn width(&self) -> f64 {
        self.ci_high - self.ci_low
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom (95% two-sided intervals).
pub fn t975(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => T[df - 1],
        31..=60 => 2.021 - (df as f64 - 40.0) * 0.0005,
        _ => 1.96,
    }
}

/// The difference `variant - baseline` of one statistic: pooled estimate, and an interval from
/// the paired batch differences. `None` when either run lacks the statistic.
pub fn difference(
    baseline: &Summary,
    base_batches: &[Summary],
    variant: &Summary,
    var_batches: &[Summary],
    stat: &dyn Fn(&Summary) -> Option<f64>,
) -> Option<Difference> {
    difference_of(baseline, base_batches, stat, variant, var_batches, stat)
}

/// Like [`difference`], with the statistic read differently from each side (a stage that
/// stands at another position in the variant, say).
pub fn difference_of(
    baseline: &Summary,
    base_batches: &[Summary],
    base_stat: &dyn Fn(&Summary) -> Option<f64>,
    variant: &Summary,
    var_batches: &[Summary],
    var_stat: &dyn Fn(&Summary) -> Option<f64>,
) -> Option<Difference> {
    let estimate = var_stat(variant)? - base_stat(baseline)?;
    if !estimate.is_finite() {
        return None;
    }
    let d: Vec<f64> = base_batches
        .iter()
        .zip(var_batches)
        .filter_map(|(a, b)| Some(var_stat(b)? - base_stat(a)?))
        .filter(|x| x.is_finite())
        .collect();
    if d.len() < 2 {
        return Some(Difference {
            estimate,
            ci_low: f64::NEG_INFINITY,
            ci_high: f64::INFINITY,
            se: None,
        });
    }
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let se = (var / n).sqrt();
    let half = t975(d.len() - 1) * se;
    Some(Difference {
        estimate,
        ci_low: estimate - half,
        ci_high: estimate + half,
        se: Some(se),
    })
}

/// A statistic compared between a variant and the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compared {
    /// Short key: `mean`, `p85`, `throughput`, ...
    pub metric: String,
    /// In words: "P85 lead time".
    pub label: String,
    pub baseline: f64,
    pub variant: f64,
    pub difference: Difference,
    /// In words: "P85 lead time 4.1 days shorter (95% CI 3.6 to 4.6)" or "no detectable
    /// difference in P85 lead time (95% CI -0.3 to +0.5 days)".
    pub verdict: String,
}

/// How a statistic reads: its unit, and which direction is better.
#[derive(Debug, Clone, Copy)]
pub struct Reading<'a> {
    pub unit: &'a str,
    /// Words for a lower and a higher value: ("shorter", "longer"), ("lower", "higher").
    pub down: &'a str,
    pub up: &'a str,
    /// Show as a percentage (ratios such as flow efficiency and utilization).
    pub percent: bool,
}

/// Formats a number with about three significant digits.
fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// The verdict sentence for a difference.
pub fn verdict(label: &str, d: &Difference, r: Reading<'_>) -> String {
    let k = if r.percent { 100.0 } else { 1.0 };
    let unit = if r.percent { " points" } else { r.unit };
    let ci = if d.se.is_some() {
        format!(
            "95% CI {} to {}{unit}",
            signed(d.ci_low * k),
            signed(d.ci_high * k)
        )
    } else {
        "too few runs for an interval".to_string()
    };
    if d.distinguishable() {
        let word = if d.estimate < 0.0 { r.down } else { r.up };
        format!(
            "{label} {}{unit} {word} ({ci})",
            short(d.estimate.abs() * k)
        )
    } else {
        format!(
            "no detectable difference in {} ({ci})",
            lowercase_first(label)
        )
    }
}

fn signed(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", short(v))
    } else {
        short(v)
    }
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        // Keep acronyms such as "P85" and "WIP".
        Some(f) if c.clone().next().is_some_and(char::is_lowercase) => {
            f.to_lowercase().collect::<String>() + c.as_str()
        }
        _ => s.to_string(),
    }
}

/// A statistic taken from a summary.
pub type Stat = Box<dyn Fn(&Summary) -> Option<f64>>;

/// The standard set of statistics a comparison reports, each with how it reads. `unit` is the
/// time unit's plural (" days") and `per` its singular ("day").
pub fn standard_metrics<'a>(
    unit: &'a str,
    per: &'a str,
) -> Vec<(&'static str, String, Stat, Reading<'a>)> {
    let time = Reading {
        unit,
        down: "shorter",
        up: "longer",
        percent: false,
    };
    let lead = |f: fn(&super::summary::Distribution) -> f64| {
        Box::new(move |s: &Summary| s.lead_time.as_ref().map(f)) as Stat
    };
    vec![
        ("mean", "Mean lead time".to_string(), lead(|d| d.mean), time),
        ("p50", "P50 lead time".to_string(), lead(|d| d.p50), time),
        ("p70", "P70 lead time".to_string(), lead(|d| d.p70), time),
        ("p85", "P85 lead time".to_string(), lead(|d| d.p85), time),
        ("p95", "P95 lead time".to_string(), lead(|d| d.p95), time),
        (
            "throughput",
            "Throughput".to_string(),
            Box::new(|s: &Summary| s.throughput.map(|t| t.mean)),
            Reading {
                unit: per,
                down: "lower",
                up: "higher",
                percent: false,
            },
        ),
        (
            "flow_efficiency",
            "Flow efficiency".to_string(),
            Box::new(|s: &Summary| s.flow_efficiency.as_ref().map(|f| f.ratio_of_sums)),
            Reading {
                unit: "",
                down: "lower",
                up: "higher",
                percent: true,
            },
        ),
        (
            "wip",
            "WIP".to_string(),
            Box::new(|s: &Summary| s.wip.as_ref().map(|w| w.mean)),
            Reading {
                unit: " items",
                down: "lower",
                up: "higher",
                percent: false,
            },
        ),
    ]
}

/// Compares a variant with the baseline on the standard statistics.
pub fn compare(
    baseline: &Summary,
    base_batches: &[Summary],
    variant: &Summary,
    var_batches: &[Summary],
) -> Vec<Compared> {
    let unit = format!(" {}", baseline.time_unit.plural());
    let per = format!(" items per {}", baseline.time_unit.singular());
    standard_metrics(&unit, &per)
        .into_iter()
        .filter_map(|(key, label, stat, reading)| {
            let d = difference(baseline, base_batches, variant, var_batches, &*stat)?;
            Some(Compared {
                metric: key.to_string(),
                verdict: verdict(&label, &d, reading),
                label,
                baseline: stat(baseline)?,
                variant: stat(variant)?,
                difference: d,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles() {
        assert_eq!(t975(19), 2.093);
        assert_eq!(t975(1), 12.706);
        assert_eq!(t975(1000), 1.96);
    }

    #[test]
    fn verdicts_say_direction_and_interval() {
        let time = Reading {
            unit: " days",
            down: "shorter",
            up: "longer",
            percent: false,
        };
        let d = Difference {
            estimate: -4.1,
            ci_low: -4.6,
            ci_high: -3.6,
            se: Some(0.25),
        };
        assert_eq!(
            verdict("P85 lead time", &d, time),
            "P85 lead time 4.10 days shorter (95% CI -4.60 to -3.60 days)"
        );
        let d = Difference {
            estimate: 0.1,
            ci_low: -0.3,
            ci_high: 0.5,
            se: Some(0.2),
        };
        assert_eq!(
            verdict("P85 lead time", &d, time),
            "no detectable difference in P85 lead time (95% CI -0.300 to +0.500 days)"
        );
        assert!(verdict("Mean lead time", &d, time).contains("in mean lead time"));
    }
}
