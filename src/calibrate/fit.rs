//! Fitting duration distributions to observed durations: pure arithmetic on `&[f64]`, no files.
//!
//! This module owns the maximum-likelihood fits of the four continuous families a scenario can
//! name (exponential, lognormal, gamma, Weibull), their ranking by AIC, the Kolmogorov-Smirnov
//! check of the best one, the choice between a fitted family and resampling the history
//! ([`choose`]), and the text of the result: a one-line description for a comment and the inline
//! table in the scenario's own syntax. It also owns the special functions the fits need (digamma,
//! trigamma, the regularized incomplete gamma function, erfc), each tested against known values
//! and statrs.
//!
//! ```text
//!  samples ──> check ──> zeros? ──> fit each family ──> rank by AIC ──> KS test of the best ──> Choice
//!              (finite,   (under 5%:   (closed form or    (best first)     (p < 0.01: resample   Fitted or
//!               >= 0)      left out)    Newton)                             the history)          Empirical
//! ```
//!
//! **Zeros.** Durations of exactly 0 are common in date-only histories (two states entered the
//! same day). None of the four families gives a duration of exactly 0 any probability (the
//! lognormal, gamma and Weibull likelihoods are 0 or undefined there), and replacing a 0 by a small
//! number is arbitrary and moves the lognormal and gamma fits a lot. So:
//! - under 5% zeros ([`MAX_ZERO_SHARE`]): the families are fitted to the positive durations only,
//!   and every [`Fit`] says how many zeros were left out ([`Fit::zeros`]). The fitted mean is then
//!   that of the positive durations, at most 1/0.95 (5.3%) above the mean of all of them;
//! - 5% or more: no family is offered ([`FitError::TooManyZeros`]) and [`choose`] resamples the
//!   history, zeros included, because leaving that many out would make the work look slower than
//!   it was, and the scenario format has no "zero with probability p, else lognormal".

use crate::dist::ln_gamma;
use std::f64::consts::PI;
use std::fmt;

/// Fewer positive durations than this are not fitted. With fewer than five values a two-parameter
/// family fits almost anything, the Kolmogorov-Smirnov test cannot reject it, and the
/// maximum-likelihood shape of a gamma or Weibull is badly biased (from three values it can be
/// off by a factor of two). Resampling the few values themselves claims less.
pub const MIN_SAMPLES: usize = 5;

/// Positive durations that differ by no more than this relative amount (a millionth) have no
/// spread to fit: they are a constant in all but name, and values that differ only in their last
/// bits would give shapes such as a lognormal sigma of 1e-15.
const NO_SPREAD: f64 = 1e-6;

/// With this share of zeros or more, no family is fitted (see the module documentation).
pub const MAX_ZERO_SHARE: f64 = 0.05;

/// [`choose`] resamples the history when the best fit's Kolmogorov-Smirnov p-value is below this.
pub const KS_REJECT_BELOW: f64 = 0.01;

/// Significant digits of the numbers in [`Fit::to_toml`] and [`Choice::to_toml`]: far more than
/// any history supports, but enough that the distribution the scenario gets has the fitted mean
/// to 1e-9 (tested). Six digits would not: with 1 <= mu < 10, rounding `mu` alone moves a
/// lognormal's mean by up to 5e-6 of itself.
const TOML_DIGITS: usize = 12;

/// A family of duration distributions that can be fitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Exponential,
    LogNormal,
    Gamma,
    Weibull,
}

impl Family {
    /// All families, in the order they are fitted.
    pub const ALL: [Family; 4] = [
        Family::Exponential,
        Family::LogNormal,
        Family::Gamma,
        Family::Weibull,
    ];

    /// The name used in scenario files (`dist = "lognormal"`).
    pub fn name(self) -> &'static str {
        match self {
            Family::Exponential => "exponential",
            Family::LogNormal => "lognormal",
            Family::Gamma => "gamma",
            Family::Weibull => "weibull",
        }
    }

    /// Number of estimated parameters (the k of AIC).
    pub fn parameter_count(self) -> usize {
        match self {
            Family::Exponential => 1,
            _ => 2,
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The parameters of a fitted distribution, named as in scenario files.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Params {
    Exponential {
        mean: f64,
    },
    /// The mean and standard deviation of ln x.
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    /// Mean = shape x scale.
    Gamma {
        shape: f64,
        scale: f64,
    },
    /// CDF 1 - exp(-(x / scale)^shape).
    Weibull {
        shape: f64,
        scale: f64,
    },
}

impl Params {
    pub fn family(&self) -> Family {
        match self {
            Params::Exponential { .. } => Family::Exponential,
            Params::LogNormal { .. } => Family::LogNormal,
            Params::Gamma { .. } => Family::Gamma,
            Params::Weibull { .. } => Family::Weibull,
        }
    }

    /// The expected value (computed as `dist::Dist` computes it).
    pub fn mean(&self) -> f64 {
        match *self {
            Params::Exponential { mean } => mean,
            Params::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Params::Gamma { shape, scale } => shape * scale,
            Params::Weibull { shape, scale } => scale * ln_gamma(1.0 + 1.0 / shape).exp(),
        }
    }

    /// ln of the density at `x` (> 0).
    pub fn ln_pdf(&self, x: f64) -> f64 {
        match *self {
            Params::Exponential { mean } => -mean.ln() - x / mean,
            Params::LogNormal { mu, sigma } => {
                let z = (x.ln() - mu) / sigma;
                -x.ln() - sigma.ln() - 0.5 * (2.0 * PI).ln() - 0.5 * z * z
            }
            Params::Gamma { shape, scale } => {
                (shape - 1.0) * x.ln() - x / scale - ln_gamma(shape) - shape * scale.ln()
            }
            Params::Weibull { shape, scale } => {
                let lz = (x / scale).ln();
                shape.ln() - scale.ln() + (shape - 1.0) * lz - (shape * lz).exp()
            }
        }
    }

    /// P(X <= x).
    pub fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        match *self {
            Params::Exponential { mean } => -(-x / mean).exp_m1(),
            Params::LogNormal { mu, sigma } => {
                0.5 * erfc(-(x.ln() - mu) / (sigma * std::f64::consts::SQRT_2))
            }
            Params::Gamma { shape, scale } => gamma_p(shape, x / scale),
            Params::Weibull { shape, scale } => -(-(x / scale).powf(shape)).exp_m1(),
        }
    }
}

/// One family fitted to the positive durations by maximum likelihood.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub params: Params,
    /// Log-likelihood of the positive durations at the fitted parameters.
    pub log_likelihood: f64,
    /// Akaike information criterion, 2k - 2 lnL (k = 1 for the exponential, 2 for the others);
    /// lower is better, and only differences between fits of the same data mean anything.
    pub aic: f64,
    /// The fitted distribution's expected value.
    pub mean: f64,
    /// Kolmogorov-Smirnov statistic: the largest distance between the fitted CDF and the empirical
    /// CDF of the positive durations.
    pub ks_d: f64,
    /// Approximate p-value of `ks_d` from the asymptotic Kolmogorov distribution with Stephens'
    /// small-sample correction (sqrt(n) + 0.12 + 0.11 / sqrt(n)) D. The parameters were estimated
    /// from the same durations, which brings the fit closer to them than the true distribution
    /// would be, so this p-value is conservative: it is too large, and a Lilliefors-type test
    /// (with critical values for estimated parameters) would reject more often.
    pub ks_p: f64,
    /// Number of positive durations fitted.
    pub n: usize,
    /// Number of zero durations left out (see the module documentation).
    pub zeros: usize,
}

impl Fit {
    pub fn family(&self) -> Family {
        self.params.family()
    }

    /// A one-line description for a comment in a generated scenario, with the AIC of the other
    /// fits in `all` (this fit itself is skipped), for example: "lognormal by maximum likelihood
    /// (AIC 412.3; next gamma 415.0, weibull 418.9, exponential 460.2); Kolmogorov-Smirnov
    /// D = 0.041, p = 0.62, 212 samples".
    pub fn describe(&self, all: &[Fit]) -> String {
        let others: Vec<String> = all
            .iter()
            .filter(|f| f.family() != self.family())
            .map(|f| format!("{} {:.1}", f.family(), f.aic))
            .collect();
        let next = if others.is_empty() {
            String::new()
        } else {
            format!("; next {}", others.join(", "))
        };
        let zeros = if self.zeros > 0 {
            let total = self.n + self.zeros;
            format!(
                " ({} of {} were 0 and left out)",
                crate::numbers::thousands(self.zeros as u64),
                crate::numbers::thousands(total as u64)
            )
        } else {
            String::new()
        };
        format!(
            "{} by maximum likelihood (AIC {:.1}{next}); Kolmogorov-Smirnov D = {:.3}, {}, {} samples{zeros}",
            self.family(),
            self.aic,
            self.ks_d,
            p_text(self.ks_p),
            crate::numbers::thousands(self.n as u64),
        )
    }

    /// The scenario inline table, such as `{ dist = "lognormal", mu = 1.2, sigma = 0.8 }`.
    pub fn to_toml(&self) -> String {
        let (a, va, b, vb) = match self.params {
            Params::Exponential { mean } => {
                return format!("{{ dist = \"exponential\", mean = {} }}", toml_number(mean));
            }
            Params::LogNormal { mu, sigma } => ("mu", mu, "sigma", sigma),
            Params::Gamma { shape, scale } => ("shape", shape, "scale", scale),
            Params::Weibull { shape, scale } => ("shape", shape, "scale", scale),
        };
        format!(
            "{{ dist = \"{}\", {a} = {}, {b} = {} }}",
            self.family(),
            toml_number(va),
            toml_number(vb)
        )
    }
}

/// Why durations cannot be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    #[error(
        "{positive} positive durations (of {total}) are too few to fit a distribution: at least {MIN_SAMPLES} are needed"
    )]
    TooFew { positive: usize, total: usize },
    /// `index` counts from 0.
    #[error("sample {} (index {index}) is {value}, not a finite number", index + 1)]
    NonFinite { index: usize, value: f64 },
    /// `index` counts from 0.
    #[error(
        "sample {} (index {index}) is {value}: a duration cannot be negative (are its start and end swapped?)",
        index + 1
    )]
    Negative { index: usize, value: f64 },
    #[error(
        "{zeros} of {total} durations are 0 ({:.1}%): no family gives 0 a probability, and leaving out {}% or more of the history would make the work look slower than it was",
        100.0 * *zeros as f64 / *total as f64,
        MAX_ZERO_SHARE * 100.0
    )]
    TooManyZeros { zeros: usize, total: usize },
    /// All positive durations are equal, or within a millionth of each other.
    #[error("all {count} positive durations are {value}: with no spread there is no shape to fit")]
    NoSpread { count: usize, value: f64 },
}

/// The distribution to put in a scenario.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// The best family by AIC, not rejected by the Kolmogorov-Smirnov test; `all` holds every fit,
    /// best first (`best` included).
    Fitted { best: Fit, all: Vec<Fit> },
    /// Resample the observed durations (zeros included). `reason` says why in words; `all` holds
    /// whatever fits were made (none when there were too few durations or too many zeros).
    Empirical {
        reason: String,
        all: Vec<Fit>,
        samples: Vec<f64>,
    },
}

impl Choice {
    /// The scenario inline table: the best fit's, or `{ dist = "empirical", samples = [...] }`.
    pub fn to_toml(&self) -> String {
        match self {
            Choice::Fitted { best, .. } => best.to_toml(),
            Choice::Empirical { samples, .. } => {
                let list: Vec<String> = samples.iter().map(|&v| toml_number(v)).collect();
                format!(
                    "{{ dist = \"empirical\", samples = [{}] }}",
                    list.join(", ")
                )
            }
        }
    }

    /// A one-line description for a comment: [`Fit::describe`], or why the history is resampled.
    pub fn describe(&self) -> String {
        match self {
            Choice::Fitted { best, all } => best.describe(all),
            Choice::Empirical {
                reason, samples, ..
            } => format!(
                "empirical: the {} observed durations resampled, because {reason}",
                crate::numbers::thousands(samples.len() as u64)
            ),
        }
    }
}

/// Checks the durations and splits off the zeros: the positive values, and how many zeros.
fn positives(samples: &[f64]) -> Result<(Vec<f64>, usize), FitError> {
    for (index, &value) in samples.iter().enumerate() {
        if !value.is_finite() {
            return Err(FitError::NonFinite { index, value });
        }
        if value < 0.0 {
            return Err(FitError::Negative { index, value });
        }
    }
    let pos: Vec<f64> = samples.iter().copied().filter(|&v| v > 0.0).collect();
    let zeros = samples.len() - pos.len();
    // zeros / len is exactly the double nearest 1/20 when zeros are 1 in 20.
    if zeros > 0 && zeros as f64 / samples.len() as f64 >= MAX_ZERO_SHARE {
        return Err(FitError::TooManyZeros {
            zeros,
            total: samples.len(),
        });
    }
    if pos.len() < MIN_SAMPLES {
        return Err(FitError::TooFew {
            positive: pos.len(),
            total: samples.len(),
        });
    }
    let (min, max) = pos.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &v| {
        (lo.min(v), hi.max(v))
    });
    if max <= min * (1.0 + NO_SPREAD) {
        return Err(FitError::NoSpread {
            count: pos.len(),
            value: min,
        });
    }
    Ok((pos, zeros))
}

/// Fits one family to the durations (zeros handled as in the module documentation).
pub fn fit(family: Family, samples: &[f64]) -> Result<Fit, FitError> {
    let (mut pos, zeros) = positives(samples)?;
    pos.sort_by(f64::total_cmp);
    Ok(fit_sorted(family, &pos, zeros))
}

/// Fits every family, best (lowest AIC) first.
pub fn fit_all(samples: &[f64]) -> Result<Vec<Fit>, FitError> {
    let (mut pos, zeros) = positives(samples)?;
    pos.sort_by(f64::total_cmp);
    let mut fits: Vec<Fit> = Family::ALL
        .iter()
        .map(|&f| fit_sorted(f, &pos, zeros))
        // A family whose likelihood or mean cannot be evaluated for these values (overflow with
        // durations spanning hundreds of orders of magnitude) is not offered.
        .filter(|f| f.aic.is_finite() && f.mean.is_finite() && f.ks_p.is_finite())
        .collect();
    fits.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    Ok(fits)
}

/// Chooses the distribution for a scenario: the best fit by AIC, or the history resampled when
/// there are fewer than [`MIN_SAMPLES`] positive durations, too many zeros, no spread, or when the
/// best fit's Kolmogorov-Smirnov p-value is below [`KS_REJECT_BELOW`]. Errors only for durations
/// that cannot be resampled either: none at all, non-finite or negative values.
pub fn choose(samples: &[f64]) -> Result<Choice, FitError> {
    let empirical = |reason: String, all: Vec<Fit>| Choice::Empirical {
        reason,
        all,
        samples: samples.to_vec(),
    };
    match fit_all(samples) {
        Ok(all) if all.is_empty() => Ok(empirical(
            "no family can be evaluated for durations this far apart".to_string(),
            all,
        )),
        Ok(all) => {
            let best = all[0].clone();
            if best.ks_p < KS_REJECT_BELOW {
                let reason = format!(
                    "the best fit, {}, is rejected by the Kolmogorov-Smirnov test (D = {:.3}, {}, {} samples): none of the four families describes these durations",
                    best.family(),
                    best.ks_d,
                    p_text(best.ks_p),
                    crate::numbers::thousands(best.n as u64)
                );
                Ok(empirical(reason, all))
            } else {
                Ok(Choice::Fitted { best, all })
            }
        }
        Err(
            e @ (FitError::TooFew { total: 0, .. }
            | FitError::NonFinite { .. }
            | FitError::Negative { .. }),
        ) => Err(e),
        Err(e) => Ok(empirical(e.to_string(), Vec::new())),
    }
}

/// Fits one family to sorted positive values with some spread.
fn fit_sorted(family: Family, x: &[f64], zeros: usize) -> Fit {
    let n = x.len() as f64;
    let params = match family {
        Family::Exponential => Params::Exponential {
            mean: x.iter().sum::<f64>() / n,
        },
        Family::LogNormal => {
            let mu = x.iter().map(|v| v.ln()).sum::<f64>() / n;
            let var = x.iter().map(|v| (v.ln() - mu).powi(2)).sum::<f64>() / n;
            Params::LogNormal {
                mu,
                sigma: var.sqrt(),
            }
        }
        Family::Gamma => {
            let (shape, scale) = gamma_mle(x);
            Params::Gamma { shape, scale }
        }
        Family::Weibull => {
            let (shape, scale) = weibull_mle(x);
            Params::Weibull { shape, scale }
        }
    };
    let log_likelihood: f64 = x.iter().map(|&v| params.ln_pdf(v)).sum();
    let k = family.parameter_count() as f64;
    let ks_d = ks_statistic(x, |v| params.cdf(v));
    Fit {
        params,
        log_likelihood,
        aic: 2.0 * k - 2.0 * log_likelihood,
        mean: params.mean(),
        ks_d,
        ks_p: ks_p_value(ks_d, x.len()),
        n: x.len(),
        zeros,
    }
}

/// Gamma maximum likelihood: the shape solves ln(shape) - digamma(shape) = ln(mean) - mean(ln x)
/// (Newton from Minka's closed-form start, which is within 1.5% of the root), and
/// scale = mean / shape.
fn gamma_mle(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    // s = ln(mean) - mean(ln x) = mean(d - ln(1 + d)) - mean(d) with d = x / mean - 1, which
    // keeps its precision when the durations are close together (s is about cv^2 / 2, and
    // subtracting two logarithms would lose it all for a cv near 1e-8). s > 0 for values with any
    // spread (the arithmetic mean exceeds the geometric mean); the floor only guards the division.
    let (mut sum_d, mut sum_gap) = (0.0, 0.0);
    for &v in x {
        let d = (v - mean) / mean;
        sum_d += d;
        sum_gap += d_minus_ln_1p(d);
    }
    let s = ((sum_gap - sum_d) / n).max(f64::MIN_POSITIVE);
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..100 {
        let f = ln_minus_digamma(k) - s;
        let df = 1.0 / k - trigamma(k);
        let mut next = k - f / df;
        if next.is_nan() || next <= 0.0 {
            // ln k - digamma(k) is decreasing and convex: a step from the right can overshoot
            // past 0, never one from the left.
            next = k / 2.0;
        }
        let done = (next - k).abs() <= 1e-14 * k;
        k = next;
        if done {
            break;
        }
    }
    (k, mean / k)
}

/// d - ln(1 + d) >= 0, accurate for small d too (where it is about d^2 / 2).
fn d_minus_ln_1p(d: f64) -> f64 {
    if d.abs() < 1e-3 {
        // The series d^2/2 - d^3/3 + ...; the first omitted term is below 1e-15 d^2.
        d * d * (0.5 - d * (1.0 / 3.0 - d * (0.25 - d * (0.2 - d / 6.0))))
    } else {
        d - d.ln_1p()
    }
}

/// Weibull maximum likelihood: the shape k solves the profile equation
/// sum(x^k ln x) / sum(x^k) - 1/k - mean(ln x) = 0, whose left side increases with k from -inf
/// to max(ln x) - mean(ln x) > 0; Newton steps, with bisection whenever a step leaves the bracket.
/// Then scale = (mean of x^k)^(1/k). Powers are taken of x / max(x) so that none overflows.
fn weibull_mle(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let ln_max = x.iter().fold(f64::NEG_INFINITY, |m, v| m.max(v.ln()));
    let ly: Vec<f64> = x.iter().map(|v| v.ln() - ln_max).collect();
    let mean_ly = ly.iter().sum::<f64>() / n;
    // Returns g(k), g'(k) and sum(y^k).
    let g = |k: f64| {
        let (mut b, mut a, mut c) = (0.0, 0.0, 0.0);
        for &l in &ly {
            let w = (k * l).exp();
            b += w;
            a += w * l;
            c += w * l * l;
        }
        let r = a / b;
        (r - 1.0 / k - mean_ly, c / b - r * r + 1.0 / (k * k), b)
    };
    // Start from the log-moment estimate: sd(ln x) = pi / (k sqrt 6) for a Weibull.
    let sd_ln = (ly.iter().map(|l| (l - mean_ly).powi(2)).sum::<f64>() / n).sqrt();
    let mut k = PI / (6f64.sqrt() * sd_ln);
    let (mut lo, mut hi) = (0.0, f64::INFINITY);
    for _ in 0..200 {
        let (gk, dgk, _) = g(k);
        if gk < 0.0 {
            lo = k;
        } else {
            hi = k;
        }
        let mut next = k - gk / dgk;
        if next.is_nan() || next <= lo || next >= hi {
            next = if hi.is_finite() {
                0.5 * (lo + hi)
            } else {
                2.0 * k
            };
        }
        let done = (next - k).abs() <= 1e-14 * k;
        k = next;
        if done {
            break;
        }
    }
    let (_, _, b) = g(k);
    (k, (ln_max + (b / n).ln() / k).exp())
}

/// The Kolmogorov-Smirnov statistic of sorted values against a CDF (ties handled: the empirical
/// CDF jumps by the number of tied values).
fn ks_statistic(sorted: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let n = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let f = cdf(v);
            ((i as f64 + 1.0) / n - f).max(f - i as f64 / n)
        })
        .fold(0.0, f64::max)
}

/// Approximate p-value of a Kolmogorov-Smirnov statistic `d` from `n` values: the asymptotic
/// Kolmogorov distribution at (sqrt(n) + 0.12 + 0.11 / sqrt(n)) d (Stephens 1970).
fn ks_p_value(d: f64, n: usize) -> f64 {
    let rn = (n as f64).sqrt();
    kolmogorov_q((rn + 0.12 + 0.11 / rn) * d)
}

/// P(K > z) for the Kolmogorov distribution: 2 sum (-1)^(j-1) exp(-2 j^2 z^2) for z >= 1.18, and
/// 1 - sqrt(2 pi) / z sum exp(-(2j-1)^2 pi^2 / (8 z^2)) below, where that series converges fast
/// (as in Numerical Recipes, 3rd edition, section 6.14).
fn kolmogorov_q(z: f64) -> f64 {
    if z <= 0.0 {
        return 1.0;
    }
    if z < 1.18 {
        let y = (-PI * PI / (8.0 * z * z)).exp();
        let p = (2.0 * PI).sqrt() / z * (y + y.powi(9) + y.powi(25) + y.powi(49) + y.powi(81));
        (1.0 - p).clamp(0.0, 1.0)
    } else {
        let x = (-2.0 * z * z).exp();
        (2.0 * (x - x.powi(4) + x.powi(9) - x.powi(16))).clamp(0.0, 1.0)
    }
}

/// A p-value for people: `p = 0.62`, three decimals below 0.01, `p < 0.001` below that.
fn p_text(p: f64) -> String {
    if p >= 0.01 {
        format!("p = {p:.2}")
    } else if p >= 0.001 {
        format!("p = {p:.3}")
    } else {
        "p < 0.001".to_string()
    }
}

/// A number for a TOML value: [`TOML_DIGITS`] significant digits, without trailing zeros
/// (`0.5`, `3`, `1.23456789012`), in exponent form outside 1e-5..1e15 (`2.5e-7`).
fn toml_number(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let rounded: f64 = format!("{v:.prec$e}", prec = TOML_DIGITS - 1)
        .parse()
        .expect("a formatted float parses");
    if (1e-5..1e15).contains(&rounded.abs()) {
        // Display gives the shortest text that reads back as `rounded`: at most TOML_DIGITS
        // significant digits and no trailing zeros.
        format!("{rounded}")
    } else {
        format!("{rounded:e}")
    }
}

/// The digamma function psi(x) = d/dx ln Gamma(x), for x > 0: the recurrence
/// psi(x) = psi(x + 1) - 1/x up to x >= 10, then the asymptotic series to x^-14 (absolute error
/// below 1e-15 there).
pub fn digamma(x: f64) -> f64 {
    debug_assert!(x > 0.0, "digamma is only needed for x > 0");
    let mut x = x;
    let mut acc = 0.0;
    while x < 10.0 {
        acc -= 1.0 / x;
        x += 1.0;
    }
    acc + x.ln() - 0.5 / x - digamma_tail(x)
}

/// ln x - psi(x) - 1 / (2x) for x >= 10: the series sum B_2k / (2k x^2k).
fn digamma_tail(x: f64) -> f64 {
    let r = 1.0 / (x * x);
    r * (1.0 / 12.0
        - r * (1.0 / 120.0
            - r * (1.0 / 252.0
                - r * (1.0 / 240.0 - r * (1.0 / 132.0 - r * (691.0 / 32760.0 - r / 12.0))))))
}

/// ln x - psi(x), without the cancellation of subtracting two nearly equal numbers for large x
/// (where it is about 1 / (2x)).
fn ln_minus_digamma(x: f64) -> f64 {
    if x >= 10.0 {
        0.5 / x + digamma_tail(x)
    } else {
        x.ln() - digamma(x)
    }
}

/// The trigamma function psi'(x), for x > 0: the recurrence psi'(x) = psi'(x + 1) + 1/x^2 up to
/// x >= 10, then the asymptotic series 1/x + 1/(2x^2) + sum B_2k / x^(2k+1) to x^-15 (absolute
/// error below 1e-16 there).
pub fn trigamma(x: f64) -> f64 {
    debug_assert!(x > 0.0, "trigamma is only needed for x > 0");
    let mut x = x;
    let mut acc = 0.0;
    while x < 10.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let r = 1.0 / (x * x);
    let tail = r
        * (1.0 / 6.0
            - r * (1.0 / 30.0
                - r * (1.0 / 42.0
                    - r * (1.0 / 30.0 - r * (5.0 / 66.0 - r * (691.0 / 2730.0 - r * 7.0 / 6.0))))));
    acc + 1.0 / x + 0.5 * r + tail / x
}

/// Above this `a`, the incomplete gamma function is integrated by quadrature: the series and the
/// continued fraction need a number of terms that grows like sqrt(a) near x = a.
const GAMMA_QUADRATURE_FROM: f64 = 100.0;

/// The regularized lower incomplete gamma function P(a, x) = gamma(a, x) / Gamma(a), for a > 0:
/// the series for x < a + 1 and the continued fraction for Q = 1 - P above (Numerical Recipes,
/// `gser` and `gcf`), and Gauss-Legendre quadrature of the density for a >= 100 (Numerical
/// Recipes, 3rd edition, `gammpapprox`).
pub fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if a >= GAMMA_QUADRATURE_FROM {
        gamma_quadrature(a, x).0
    } else if x < a + 1.0 {
        gamma_series(a, x)
    } else {
        1.0 - gamma_continued_fraction(a, x)
    }
}

/// The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x), for a > 0, computed
/// directly where it is small.
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        1.0
    } else if a >= GAMMA_QUADRATURE_FROM {
        gamma_quadrature(a, x).1
    } else if x < a + 1.0 {
        1.0 - gamma_series(a, x)
    } else {
        gamma_continued_fraction(a, x)
    }
}

/// (P(a, x), Q(a, x)) for large a: the density integrated from x to a point far enough into the
/// nearer tail (11.5 or 7.5 standard deviations beyond the mode) by Gauss-Legendre quadrature.
/// The density is written relative to its mode a - 1, as exp(-(a-1) (u - ln(1 + u))) with
/// u = t / (a-1) - 1, and its normalising factor by Stirling's series, so that nothing cancels
/// even for a = 1e10.
fn gamma_quadrature(a: f64, x: f64) -> (f64, f64) {
    let a1 = a - 1.0;
    let sd = a1.sqrt();
    let end = if x > a1 {
        (a1 + 11.5 * sd).max(x + 6.0 * sd)
    } else {
        (a1 - 7.5 * sd).min(x - 5.0 * sd).max(0.0)
    };
    let sum: f64 = gauss_legendre()
        .iter()
        .map(|&(y, w)| {
            let t = x + (end - x) * y;
            w * (-a1 * d_minus_ln_1p(t / a1 - 1.0)).exp()
        })
        .sum();
    // a1^a1 exp(-a1) / Gamma(a) = exp(-ln(2 pi a1) / 2 - tail), Stirling's series for
    // ln Gamma(a1) being (a1 - 1/2) ln a1 - a1 + ln(2 pi) / 2 + tail.
    let r = 1.0 / a1;
    let r2 = r * r;
    let tail = r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 * (1.0 / 1260.0 - r2 / 1680.0)));
    let integral = sum * (end - x) * (-0.5 * (2.0 * PI * a1).ln() - tail).exp();
    if x > a1 {
        (1.0 - integral, integral)
    } else {
        (-integral, 1.0 + integral)
    }
}

/// Nodes and weights of 40-point Gauss-Legendre quadrature on [0, 1], worked out once (Newton's
/// method on the Legendre polynomial, as Numerical Recipes' `gauleg`).
fn gauss_legendre() -> &'static [(f64, f64)] {
    static NODES: std::sync::OnceLock<Vec<(f64, f64)>> = std::sync::OnceLock::new();
    NODES.get_or_init(|| {
        const N: usize = 40;
        let mut nodes = Vec::with_capacity(N);
        for i in 0..N / 2 {
            let mut z = (PI * (i as f64 + 0.75) / (N as f64 + 0.5)).cos();
            let mut derivative = 1.0;
            for _ in 0..100 {
                // The Legendre polynomial of degree N at z by its recurrence, and its derivative.
                let (mut p1, mut p2) = (1.0, 0.0);
                for j in 0..N {
                    let p3 = p2;
                    p2 = p1;
                    p1 = ((2 * j + 1) as f64 * z * p2 - j as f64 * p3) / (j + 1) as f64;
                }
                derivative = N as f64 * (z * p1 - p2) / (z * z - 1.0);
                let step = p1 / derivative;
                z -= step;
                if step.abs() <= 1e-16 {
                    break;
                }
            }
            let w = 1.0 / ((1.0 - z * z) * derivative * derivative);
            nodes.push((0.5 * (1.0 - z), w));
            nodes.push((0.5 * (1.0 + z), w));
        }
        nodes
    })
}

/// exp(-x) x^a / Gamma(a): the factor both expansions share.
fn gamma_prefactor(a: f64, x: f64) -> f64 {
    (-x + a * x.ln() - ln_gamma(a)).exp()
}

/// P(a, x) by its series, sum x^n / (a (a+1) ... (a+n)); converges fast for x < a + 1.
fn gamma_series(a: f64, x: f64) -> f64 {
    let mut ap = a;
    let mut term = 1.0 / a;
    let mut sum = term;
    // The terms shrink at least geometrically once a + n > x; near x = a they take about
    // 9 sqrt(a) steps to fall below the rounding error, under 100 for the a < 100 used here.
    for _ in 0..10_000 {
        ap += 1.0;
        term *= x / ap;
        sum += term;
        if term.abs() < sum.abs() * f64::EPSILON {
            break;
        }
    }
    sum * gamma_prefactor(a, x)
}

/// Q(a, x) by its continued fraction (modified Lentz); converges fast for x > a + 1.
fn gamma_continued_fraction(a: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() <= f64::EPSILON {
            break;
        }
    }
    h * gamma_prefactor(a, x)
}

/// The complementary error function, erfc(x) = Q(1/2, x^2) for x >= 0 and 1 + P(1/2, x^2) below.
pub fn erfc(x: f64) -> f64 {
    if x >= 0.0 {
        gamma_q(0.5, x * x)
    } else {
        1.0 + gamma_p(0.5, x * x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::Xoshiro256PlusPlus;
    use rand_distr::Distribution;

    const EULER: f64 = 0.577_215_664_901_532_9;

    /// A CDF to compare with, and a data set drawn for a seed.
    type Cdf = Box<dyn Fn(f64) -> f64>;
    type Sampler = Box<dyn Fn(u64) -> Vec<f64>>;

    fn draw<D: Distribution<f64>>(d: D, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        (0..n).map(|_| d.sample(&mut rng)).collect()
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(f64::MIN_POSITIVE)
    }

    // ---- special functions ----

    #[test]
    fn digamma_matches_known_values_and_statrs() {
        assert!(close(digamma(1.0), -EULER, 1e-14));
        assert!(close(digamma(0.5), -EULER - 2.0 * 2f64.ln(), 1e-14));
        // psi(n + 1) = H_n - gamma.
        let h10: f64 = (1..=10).map(|k| 1.0 / k as f64).sum();
        assert!(close(digamma(11.0), h10 - EULER, 1e-14));
        for &x in &[
            1e-4, 0.01, 0.3, 0.9, 1.7, 2.5, 7.3, 9.99, 10.0, 12.5, 100.0, 1e4, 1e8,
        ] {
            let want = statrs::function::gamma::digamma(x);
            assert!(
                (digamma(x) - want).abs() <= 1e-13 * want.abs().max(1.0),
                "digamma({x}) = {} vs statrs {want}",
                digamma(x)
            );
        }
    }

    #[test]
    // The references are written as mpmath printed them; the compiler rounds them.
    #[allow(clippy::excessive_precision)]
    fn trigamma_matches_known_values_and_the_derivative_of_statrs_digamma() {
        assert!(close(trigamma(1.0), PI * PI / 6.0, 1e-14));
        assert!(close(trigamma(0.5), PI * PI / 2.0, 1e-14));
        // psi'(n + 1) = pi^2 / 6 - sum_{k <= n} 1 / k^2.
        let s: f64 = (1..=20).map(|k| 1.0 / (k * k) as f64).sum();
        assert!(close(trigamma(21.0), PI * PI / 6.0 - s, 1e-13));
        // psi'(x) ~ 1 / x^2 for small x: psi'(x) = 1/x^2 + psi'(x + 1).
        assert!(close(trigamma(1e-3), 1e6 + trigamma(1.001), 1e-15));
        // mpmath, either side of the switch to the asymptotic series at 10.
        for (x, want) in [
            (0.2, 26.267377205423779123),
            (3.7, 0.3100378576700383191),
            (9.99, 0.10527695014824178675),
            (10.5, 0.099916956059126733204),
            (250.0, 0.0040080106666325337234),
        ] {
            assert!(
                close(trigamma(x), want, 1e-14),
                "trigamma({x}) = {}",
                trigamma(x)
            );
        }
        for (x, want) in [
            (1e-4, -10000.577051183514335),
            (0.2, -5.2890398965921882955),
            (3.7, 1.1671535393615113859),
            (9.99, 2.2507003728312010995),
            (10.5, 2.3030010342976863753),
            (250.0, 5.519459584531046417),
        ] {
            assert!(
                close(digamma(x), want, 1e-14),
                "digamma({x}) = {}",
                digamma(x)
            );
        }
        // statrs has no trigamma: compare with a central difference of its digamma (error about
        // h^2 psi'''/6 + rounding eps/h).
        for &x in &[0.2, 0.8, 1.5, 4.0, 9.5, 10.5, 33.0, 250.0] {
            let h = 1e-4 * x;
            let d = statrs::function::gamma::digamma;
            let want = (d(x + h) - d(x - h)) / (2.0 * h);
            assert!(
                close(trigamma(x), want, 1e-7),
                "trigamma({x}) = {} vs {want}",
                trigamma(x)
            );
        }
    }

    #[test]
    // The references are written as mpmath printed them; the compiler rounds them.
    #[allow(clippy::excessive_precision)]
    fn incomplete_gamma_and_erfc_match_statrs() {
        // (a, x, P, Q) to 20 digits (mpmath; the last three by quadrature at 40 digits): the
        // series, the continued fraction and the quadrature from a = 100.
        let reference = [
            (0.05, 0.01, 0.81555980574128492607, 0.18444019425871507393),
            (0.5, 0.3, 0.56142197391900013648, 0.43857802608099986352),
            (1.0, 2.0, 0.86466471676338730811, 0.13533528323661269189),
            (2.5, 1.0, 0.15085496391539036377, 0.84914503608460963623),
            (2.5, 8.0, 0.993155926077579569, 0.0068440739224204309991),
            (7.0, 7.0, 0.55028894415130115326, 0.44971105584869884674),
            (30.0, 25.0, 0.1821039159774551098, 0.8178960840225448902),
            (30.0, 45.0, 0.99266280070220349637, 0.0073371992977965036286),
            (99.0, 99.0, 0.51336580233079040204, 0.48663419766920959796),
            (100.0, 90.0, 0.1582209891864301681, 0.8417790108135698319),
            (100.0, 100.0, 0.51329879827914866486, 0.48670120172085133514),
            (150.0, 150.0, 0.51085822974935968487, 0.48914177025064031513),
            (
                2000.0,
                1900.0,
                0.011695820381150113408,
                0.98830417961884988659,
            ),
            (
                2000.0,
                2100.0,
                0.9863525323166296227,
                0.013647467683370377295,
            ),
            (
                30000.0,
                30000.0,
                0.50076776491877105124,
                0.49923223508122894876,
            ),
            (
                30000.0,
                29500.0,
                0.0018597541660679579091,
                0.99814024583393204209,
            ),
            (1e10, 1e10, 0.50000132980760133885, 0.49999867019239866115),
            (
                1e10,
                1.00002e10,
                0.97724932814485522974,
                0.022750671855144770259,
            ),
            (
                1e10,
                9.9997e9,
                0.001349779851443315786,
                0.99865022014855668421,
            ),
        ];
        for (a, x, want_p, want_q) in reference {
            let (p, q) = (gamma_p(a, x), gamma_q(a, x));
            assert!(close(p, want_p, 1e-11), "P({a}, {x}) = {p} vs {want_p}");
            assert!(close(q, want_q, 1e-11), "Q({a}, {x}) = {q} vs {want_q}");
        }
        // statrs over a grid. It is itself off by up to about 5e-11 for large a (P(30000, 30000)
        // = 0.5007677649331347 where the truth is 0.50076776491877105), so this is the coarser
        // check.
        for &a in &[0.05, 0.5, 1.0, 2.5, 7.0, 30.0, 150.0, 2000.0] {
            for &q in &[1e-3, 0.1, 0.5, 0.9, 1.0, 1.5, 3.0, 10.0] {
                let x = a * q;
                let (p, want_p) = (gamma_p(a, x), statrs::function::gamma::gamma_lr(a, x));
                let (qq, want_q) = (gamma_q(a, x), statrs::function::gamma::gamma_ur(a, x));
                assert!(
                    close(p, want_p, 1e-9),
                    "P({a}, {x}) = {p} vs statrs {want_p}"
                );
                assert!(
                    close(qq, want_q, 1e-9),
                    "Q({a}, {x}) = {qq} vs statrs {want_q}"
                );
            }
        }
        assert_eq!(gamma_p(2.0, 0.0), 0.0);
        assert!(close(gamma_p(1.0, 2.0), 1.0 - (-2f64).exp(), 1e-14));
        // erfc to 30 digits (mpmath). statrs' erfc is itself off by up to about 1e-11 here
        // (erfc(-1) = 1.842700792942715 where the truth is 1.8427007929497149), so it is only a
        // coarse check.
        let reference = [
            (-3.0, 1.999_977_909_503_001_414_6),
            (-1.0, 1.842_700_792_949_714_869_3),
            (-0.2, 1.222_702_589_210_478_466_2),
            (0.0, 1.0),
            (0.3, 0.671_373_240_540_872_583_8),
            (1.0, 0.157_299_207_050_285_130_66),
            (2.0, 0.004_677_734_981_047_265_837_9),
            (4.0, 1.541_725_790_028_001_885_2e-8),
            (6.0, 2.151_973_671_249_891_311_7e-17),
            (10.0, 2.088_487_583_762_544_757e-45),
            (20.0, 5.395_865_611_607_900_929e-176),
        ];
        for (x, want) in reference {
            // exp(-x^2) in the tail multiplies rounding errors by about x^2.
            let rel = 4e-15 * (1.0 + x * x);
            assert!(
                close(erfc(x), want, rel),
                "erfc({x}) = {} vs {want}",
                erfc(x)
            );
            let theirs = statrs::function::erf::erfc(x);
            assert!(
                (erfc(x) - theirs).abs() < 1e-10,
                "erfc({x}) vs statrs {theirs}"
            );
        }
    }

    #[test]
    fn d_minus_ln_1p_keeps_its_precision_for_small_d() {
        // Either side of the switch to the series, and against the direct formula where that is
        // accurate (relative error about 1e-16 / d).
        for d in [
            -0.5, -1e-3, -0.999e-3, -1e-5, 1e-5, 0.999e-3, 1e-3, 0.5, 10.0,
        ] {
            let direct = d - f64::ln_1p(d);
            assert!(close(d_minus_ln_1p(d), direct, 1e-10), "{d}");
        }
        assert!(close(d_minus_ln_1p(1e-8), 0.5e-16 - 1e-24 / 3.0, 1e-15));
        assert_eq!(d_minus_ln_1p(0.0), 0.0);
    }

    #[test]
    fn kolmogorov_tail_is_continuous_and_matches_known_values() {
        // Known critical values of the Kolmogorov distribution: P(K > 1.3581) = 0.05,
        // P(K > 1.6276) = 0.01, P(K > 1.2238) = 0.10.
        assert!((kolmogorov_q(1.3581) - 0.05).abs() < 1e-4);
        assert!((kolmogorov_q(1.6276) - 0.01).abs() < 1e-4);
        assert!((kolmogorov_q(1.2238) - 0.10).abs() < 1e-4);
        // The two series agree where they switch.
        let below = kolmogorov_q(1.18 - 1e-12);
        let above = kolmogorov_q(1.18);
        assert!((below - above).abs() < 1e-12, "{below} vs {above}");
        assert_eq!(kolmogorov_q(0.0), 1.0);
        assert!(kolmogorov_q(0.3) > 0.999_99);
        assert!(kolmogorov_q(5.0) < 1e-20);
    }

    // ---- the fits ----

    /// Asserts |estimate - truth| <= 4 standard errors.
    fn within_4_se(what: &str, estimate: f64, truth: f64, se: f64) {
        assert!(
            (estimate - truth).abs() <= 4.0 * se,
            "{what}: {estimate} vs {truth} (se {se}, z = {:.2})",
            (estimate - truth) / se
        );
    }

    const N: usize = 5_000;

    #[test]
    fn exponential_and_lognormal_recover_their_parameters() {
        let x = draw(rand_distr::Exp::new(1.0 / 2.5).unwrap(), N, 1);
        let f = fit(Family::Exponential, &x).unwrap();
        let Params::Exponential { mean } = f.params else {
            panic!("{f:?}")
        };
        within_4_se("exponential mean", mean, 2.5, 2.5 / (N as f64).sqrt());

        let (mu, sigma) = (1.2, 0.7);
        let x = draw(rand_distr::LogNormal::new(mu, sigma).unwrap(), N, 2);
        let f = fit(Family::LogNormal, &x).unwrap();
        let Params::LogNormal { mu: m, sigma: s } = f.params else {
            panic!("{f:?}")
        };
        within_4_se("lognormal mu", m, mu, sigma / (N as f64).sqrt());
        within_4_se("lognormal sigma", s, sigma, sigma / (2.0 * N as f64).sqrt());
        // The MLE sigma divides by n: the sample variance of ln x times (n - 1) / n.
        let lx: Vec<f64> = x.iter().map(|v| v.ln()).collect();
        let mean = lx.iter().sum::<f64>() / N as f64;
        let var = lx.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / N as f64;
        assert!(close(s, var.sqrt(), 1e-12));
    }

    #[test]
    fn gamma_recovers_its_parameters_within_the_fisher_information_standard_errors() {
        // The inverse Fisher information of (shape k, scale t), per n:
        // var(k) = k / (n (k psi'(k) - 1)), var(t) = psi'(k) t^2 / (n (k psi'(k) - 1)).
        // The last case has a coefficient of variation of 1e-5: ln(mean) - mean(ln x) is then
        // 5e-11, which must be computed without subtracting two logarithms.
        for (seed, k, t) in [
            (3, 0.6, 4.0),
            (4, 2.5, 1.5),
            (5, 40.0, 0.1),
            (10, 1e10, 3e-10),
        ] {
            let x = draw(rand_distr::Gamma::new(k, t).unwrap(), N, seed);
            let f = fit(Family::Gamma, &x).unwrap();
            let Params::Gamma { shape, scale } = f.params else {
                panic!("{f:?}")
            };
            let det = N as f64 * (k * trigamma(k) - 1.0);
            within_4_se("gamma shape", shape, k, (k / det).sqrt());
            within_4_se("gamma scale", scale, t, (trigamma(k) * t * t / det).sqrt());
            // The estimate solves the likelihood equation.
            let s = (x.iter().sum::<f64>() / N as f64).ln()
                - x.iter().map(|v| v.ln()).sum::<f64>() / N as f64;
            if k < 1e3 {
                assert!((shape.ln() - digamma(shape) - s).abs() < 1e-12 * s);
            }
        }
    }

    #[test]
    fn weibull_recovers_its_parameters_within_the_fisher_information_standard_errors() {
        // The inverse Fisher information of (shape k, scale l), per n:
        // var(k) = 6 k^2 / (pi^2 n), var(l) = (l / k)^2 (1 + 6 (1 - gamma)^2 / pi^2) / n.
        for (seed, k, l) in [(6, 0.5, 3.0), (7, 1.8, 2.0), (8, 12.0, 100.0)] {
            let x = draw(rand_distr::Weibull::new(l, k).unwrap(), N, seed);
            let f = fit(Family::Weibull, &x).unwrap();
            let Params::Weibull { shape, scale } = f.params else {
                panic!("{f:?}")
            };
            let n = N as f64;
            within_4_se(
                "weibull shape",
                shape,
                k,
                (6.0 * k * k / (PI * PI * n)).sqrt(),
            );
            let v = (l / k).powi(2) * (1.0 + 6.0 * (1.0 - EULER).powi(2) / (PI * PI)) / n;
            within_4_se("weibull scale", scale, l, v.sqrt());
        }
    }

    #[test]
    fn every_fit_is_a_local_maximum_of_the_likelihood() {
        let x = draw(rand_distr::Gamma::new(1.7, 2.0).unwrap(), 800, 9);
        for f in fit_all(&x).unwrap() {
            let ll = |p: Params| x.iter().map(|&v| p.ln_pdf(v)).sum::<f64>();
            assert!(close(ll(f.params), f.log_likelihood, 1e-12));
            let nudged: Vec<Params> = match f.params {
                Params::Exponential { mean } => [0.999, 1.001]
                    .map(|m| Params::Exponential { mean: mean * m })
                    .to_vec(),
                Params::LogNormal { mu, sigma } => vec![
                    Params::LogNormal {
                        mu: mu + 1e-3,
                        sigma,
                    },
                    Params::LogNormal {
                        mu: mu - 1e-3,
                        sigma,
                    },
                    Params::LogNormal {
                        mu,
                        sigma: sigma * 1.001,
                    },
                    Params::LogNormal {
                        mu,
                        sigma: sigma * 0.999,
                    },
                ],
                Params::Gamma { shape, scale } | Params::Weibull { shape, scale } => {
                    let make = |shape, scale| match f.family() {
                        Family::Gamma => Params::Gamma { shape, scale },
                        _ => Params::Weibull { shape, scale },
                    };
                    vec![
                        make(shape * 1.001, scale),
                        make(shape * 0.999, scale),
                        make(shape, scale * 1.001),
                        make(shape, scale * 0.999),
                    ]
                }
            };
            for p in nudged {
                assert!(ll(p) < f.log_likelihood, "{p:?} beats {:?}", f.params);
            }
            // statrs agrees on the log-likelihood.
            use statrs::distribution::Continuous;
            let theirs: f64 = match f.params {
                Params::Exponential { mean } => {
                    let d = statrs::distribution::Exp::new(1.0 / mean).unwrap();
                    x.iter().map(|&v| d.ln_pdf(v)).sum()
                }
                Params::LogNormal { mu, sigma } => {
                    let d = statrs::distribution::LogNormal::new(mu, sigma).unwrap();
                    x.iter().map(|&v| d.ln_pdf(v)).sum()
                }
                Params::Gamma { shape, scale } => {
                    let d = statrs::distribution::Gamma::new(shape, 1.0 / scale).unwrap();
                    x.iter().map(|&v| d.ln_pdf(v)).sum()
                }
                Params::Weibull { shape, scale } => {
                    let d = statrs::distribution::Weibull::new(shape, scale).unwrap();
                    x.iter().map(|&v| d.ln_pdf(v)).sum()
                }
            };
            assert!(close(theirs, f.log_likelihood, 1e-10), "{:?}", f.params);
        }
    }

    #[test]
    fn cdfs_match_statrs() {
        use statrs::distribution::ContinuousCDF;
        let cases: [(Params, Cdf); 4] = [
            (
                Params::Exponential { mean: 2.0 },
                Box::new(|x| statrs::distribution::Exp::new(0.5).unwrap().cdf(x)),
            ),
            (
                Params::LogNormal {
                    mu: 0.3,
                    sigma: 1.4,
                },
                Box::new(|x| {
                    statrs::distribution::LogNormal::new(0.3, 1.4)
                        .unwrap()
                        .cdf(x)
                }),
            ),
            (
                Params::Gamma {
                    shape: 3.5,
                    scale: 0.4,
                },
                Box::new(|x| statrs::distribution::Gamma::new(3.5, 2.5).unwrap().cdf(x)),
            ),
            (
                Params::Weibull {
                    shape: 0.7,
                    scale: 5.0,
                },
                Box::new(|x| statrs::distribution::Weibull::new(0.7, 5.0).unwrap().cdf(x)),
            ),
        ];
        for (p, theirs) in &cases {
            for &x in &[1e-3, 0.1, 0.5, 1.0, 1.4, 2.0, 5.0, 20.0] {
                // Loose enough for statrs' erf (see the erfc test).
                assert!(
                    (p.cdf(x) - theirs(x)).abs() < 1e-10,
                    "{p:?} at {x}: {} vs {}",
                    p.cdf(x),
                    theirs(x)
                );
            }
        }
    }

    // ---- choosing between families ----

    #[test]
    fn aic_picks_the_true_family_in_clear_cases() {
        // 20 data sets of 2,000 each. In an exploratory run of 200 such data sets the true
        // family was best in all 200; its AIC lead over the runner-up averaged 299 (sd 44) for
        // the lognormal, 57 (sd 14) for the gamma and 128 (sd 24) for the Weibull, 4 to 7
        // standard deviations, so a wrong pick here would mean a real change. The exponential's
        // AIC was at least 219 worse than the lognormal's on lognormal data.
        let cases: [(Family, Sampler); 3] = [
            (
                Family::LogNormal,
                Box::new(|s| draw(rand_distr::LogNormal::new(0.0, 1.0).unwrap(), 2000, s)),
            ),
            (
                Family::Gamma,
                Box::new(|s| draw(rand_distr::Gamma::new(3.0, 1.0).unwrap(), 2000, s)),
            ),
            (
                Family::Weibull,
                Box::new(|s| draw(rand_distr::Weibull::new(1.0, 3.0).unwrap(), 2000, s)),
            ),
        ];
        for (family, data) in &cases {
            for seed in 100..120 {
                let x = data(seed);
                let fits = fit_all(&x).unwrap();
                assert_eq!(fits[0].family(), *family, "seed {seed}: {fits:#?}");
                let aic = |f: Family| fits.iter().find(|g| g.family() == f).unwrap().aic;
                if *family == Family::LogNormal {
                    assert!(aic(Family::Exponential) - aic(Family::LogNormal) > 100.0);
                }
            }
        }
        // Exponential data: the exponential is a special case of the gamma and the Weibull, whose
        // extra parameter lowers -2 lnL by a chi-squared(1) amount, more than AIC's penalty of 2
        // in 16% of data sets. So the exponential is best most of the time (161 of 200 in the
        // exploratory run) and never far behind (at most 6.6 there).
        let mut best = 0;
        for seed in 200..220 {
            let fits = fit_all(&draw(rand_distr::Exp1, 2000, seed)).unwrap();
            best += usize::from(fits[0].family() == Family::Exponential);
            let exp = fits.iter().find(|f| f.family() == Family::Exponential);
            assert!(exp.unwrap().aic - fits[0].aic < 12.0, "{fits:#?}");
        }
        assert!(best >= 12, "exponential best in {best} of 20");
    }

    #[test]
    fn ks_accepts_the_true_family_and_rejects_a_bimodal_mixture() {
        // True family: p-values (conservative with fitted parameters) are never tiny.
        let mut ps = Vec::new();
        for seed in 300..320 {
            let x = draw(rand_distr::LogNormal::new(1.0, 0.6).unwrap(), 500, seed);
            let f = fit(Family::LogNormal, &x).unwrap();
            ps.push(f.ks_p);
            let Choice::Fitted { best, .. } = choose(&x).unwrap() else {
                panic!("seed {seed}: lognormal data resampled")
            };
            assert!(best.ks_p >= KS_REJECT_BELOW);
        }
        ps.sort_by(f64::total_cmp);
        assert!(ps[0] > KS_REJECT_BELOW, "{ps:?}");
        assert!(ps[10] > 0.3, "median p {} with the true family", ps[10]);

        // A clearly wrong family: lognormal data with a long tail against the exponential.
        let x = draw(rand_distr::LogNormal::new(0.0, 1.5).unwrap(), 500, 321);
        assert!(fit(Family::Exponential, &x).unwrap().ks_p < 1e-6);

        // Two kinds of work, quick and slow: no single family fits.
        let mut x = draw(rand_distr::LogNormal::new(0.0, 0.2).unwrap(), 500, 322);
        x.extend(draw(
            rand_distr::LogNormal::new(10f64.ln(), 0.2).unwrap(),
            500,
            323,
        ));
        let choice = choose(&x).unwrap();
        let Choice::Empirical {
            reason,
            all,
            samples,
        } = &choice
        else {
            panic!("{choice:?}")
        };
        assert!(all.iter().all(|f| f.ks_p < KS_REJECT_BELOW), "{all:#?}");
        assert!(reason.contains("Kolmogorov-Smirnov"), "{reason}");
        assert_eq!(samples.len(), 1000);
    }

    // ---- zeros and bad input ----

    #[test]
    fn a_few_zeros_are_left_out_and_reported_and_many_mean_resampling() {
        let mut x = draw(rand_distr::Gamma::new(2.0, 1.0).unwrap(), 200, 400);
        x.extend([0.0; 9]); // 9 of 209: 4.3%
        let fits = fit_all(&x).unwrap();
        assert!(fits.iter().all(|f| f.zeros == 9 && f.n == 200));
        assert!(
            fits[0]
                .describe(&fits)
                .contains("(9 of 209 were 0 and left out)")
        );
        x.push(0.0); // 10 of 210: 4.8%
        assert!(fit_all(&x).is_ok());
        let mut exactly: Vec<f64> = (1..=20).map(f64::from).collect();
        exactly[0] = 0.0; // 1 in 20: refused
        assert!(matches!(
            fit_all(&exactly),
            Err(FitError::TooManyZeros {
                zeros: 1,
                total: 20
            })
        ));
        x.push(0.0); // 11 of 211: 5.2%
        let e = fit_all(&x).unwrap_err();
        assert_eq!(
            e,
            FitError::TooManyZeros {
                zeros: 11,
                total: 211
            }
        );
        assert!(
            e.to_string()
                .starts_with("11 of 211 durations are 0 (5.2%)"),
            "{e}"
        );
        let Choice::Empirical {
            reason,
            all,
            samples,
        } = choose(&x).unwrap()
        else {
            panic!("fitted with 5% zeros")
        };
        assert!(all.is_empty());
        assert_eq!(samples, x);
        assert!(reason.contains("are 0"));
    }

    #[test]
    fn bad_input_is_refused_and_says_where() {
        assert!(matches!(
            fit_all(&[1.0, 2.0, f64::NAN, 3.0, 4.0, 5.0]).unwrap_err(),
            FitError::NonFinite { index: 2, value } if value.is_nan()
        ));
        let e = fit_all(&[1.0, 2.0, 3.0, f64::INFINITY, 5.0]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "sample 4 (index 3) is inf, not a finite number"
        );
        let e = fit_all(&[1.0, -2.0, 3.0, 4.0, 5.0]).unwrap_err();
        assert_eq!(
            e,
            FitError::Negative {
                index: 1,
                value: -2.0
            }
        );
        assert!(e.to_string().contains("sample 2 (index 1) is -2"), "{e}");
        assert!(choose(&[1.0, -2.0, 3.0]).is_err());
        assert!(choose(&[f64::NAN]).is_err());
        assert_eq!(
            choose(&[]).unwrap_err(),
            FitError::TooFew {
                positive: 0,
                total: 0
            }
        );

        // Too few: fitting refuses, choosing resamples what there is.
        let e = fit_all(&[1.0, 2.0, 3.0, 4.0]).unwrap_err();
        assert_eq!(
            e,
            FitError::TooFew {
                positive: 4,
                total: 4
            }
        );
        let Choice::Empirical {
            reason, samples, ..
        } = choose(&[1.0, 2.0, 3.0, 4.0]).unwrap()
        else {
            panic!()
        };
        assert!(reason.contains("at least 5"), "{reason}");
        assert_eq!(samples, [1.0, 2.0, 3.0, 4.0]);

        // No spread.
        let e = fit_all(&[2.0; 8]).unwrap_err();
        assert_eq!(
            e,
            FitError::NoSpread {
                count: 8,
                value: 2.0
            }
        );
        assert!(matches!(
            choose(&[2.0; 8]).unwrap(),
            Choice::Empirical { .. }
        ));
        let e = fit_all(&[1.0, 1.0 + 1e-15, 1.0, 1.0, 1.0 + 2e-15, 1.0]).unwrap_err();
        assert!(matches!(e, FitError::NoSpread { count: 6, .. }), "{e}");
    }

    // ---- text ----

    /// The distribution a scenario with this duration table gets, through the real parser.
    fn parsed(table: &str) -> crate::dist::Dist {
        let text = format!(
            "[simulation]\nitems = 10\nruns = 1\n[arrivals]\nrate = 0.001\n\
             [[stages]]\nname = \"Work\"\nworkers = 1\nduration = {table}\n"
        );
        let sc = crate::scenario::Scenario::parse(&text, "fit.toml")
            .unwrap_or_else(|e| panic!("{table}: {e}"));
        sc.stages[0].duration_for(0).clone()
    }

    #[test]
    fn every_toml_table_parses_to_a_distribution_with_the_fitted_mean() {
        let data = [
            draw(rand_distr::Gamma::new(2.0, 1.3).unwrap(), 300, 500),
            draw(rand_distr::LogNormal::new(9.5, 2.0).unwrap(), 300, 501),
            draw(rand_distr::Weibull::new(1e-4, 0.4).unwrap(), 300, 502),
        ];
        for x in &data {
            for f in fit_all(x).unwrap() {
                let toml = f.to_toml();
                assert!(toml.starts_with(&format!("{{ dist = \"{}\", ", f.family())));
                let d = parsed(&toml);
                assert!(
                    close(d.mean(), f.mean, 1e-9),
                    "{toml}: {} vs {}",
                    d.mean(),
                    f.mean
                );
            }
        }
        let x = [0.0, 1.0, 1.0, 2.5, 1.0 / 3.0, 7.0];
        let c = choose(&x).unwrap();
        let toml = c.to_toml();
        assert_eq!(
            toml,
            "{ dist = \"empirical\", samples = [0, 1, 1, 2.5, 0.333333333333, 7] }"
        );
        let want = x.iter().sum::<f64>() / x.len() as f64;
        assert!(close(parsed(&toml).mean(), want, 1e-9));
    }

    #[test]
    fn numbers_are_short_and_exact_enough() {
        assert_eq!(toml_number(3.0), "3");
        assert_eq!(toml_number(0.5), "0.5");
        assert_eq!(toml_number(-0.0), "0");
        assert_eq!(toml_number(0.1 + 0.2), "0.3");
        assert_eq!(toml_number(PI), "3.14159265359");
        assert_eq!(toml_number(-1234.5678), "-1234.5678");
        assert_eq!(toml_number(2.5e-7), "2.5e-7");
        assert_eq!(toml_number(1.0 / 3.0 * 1e20), "3.33333333333e19");
        assert_eq!(p_text(0.617), "p = 0.62");
        assert_eq!(p_text(0.0042), "p = 0.004");
        assert_eq!(p_text(1e-9), "p < 0.001");
    }

    #[test]
    fn describe_names_the_fit_and_the_runners_up() {
        let x = draw(rand_distr::LogNormal::new(0.5, 0.9).unwrap(), 212, 600);
        let Choice::Fitted { best, all } = choose(&x).unwrap() else {
            panic!()
        };
        let text = best.describe(&all);
        let others: Vec<String> = all[1..]
            .iter()
            .map(|f| format!("{} {:.1}", f.family(), f.aic))
            .collect();
        assert_eq!(
            text,
            format!(
                "lognormal by maximum likelihood (AIC {:.1}; next {}); Kolmogorov-Smirnov D = {:.3}, {}, 212 samples",
                best.aic,
                others.join(", "),
                best.ks_d,
                p_text(best.ks_p)
            )
        );
        assert_eq!(choose(&x).unwrap().describe(), text);
        let c = choose(&[1.0, 2.0]).unwrap();
        assert!(
            c.describe()
                .starts_with("empirical: the 2 observed durations resampled, because 2 positive"),
            "{}",
            c.describe()
        );
    }
}
