//! File text to raw structs: the scenario exactly as written, every value with its place in the file.
//!
//! Unknown keys and wrong types are rejected here (with a "did you mean" for typos); everything
//! about meaning (ranges, names that must exist, combinations) is checked in `validate`.

use super::error::{Diagnostic, ScenarioError, did_you_mean};
use super::{TimeKind, TimeUnit};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

pub type S<T> = Spanned<T>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Option<S<String>>,
    pub description: Option<S<String>>,
    pub time_unit: Option<S<TimeUnit>>,
    pub wip_limit: Option<S<i64>>,
    pub simulation: Option<S<RawSimulation>>,
    pub arrivals: Option<S<RawArrivals>>,
    #[serde(default)]
    pub work_types: Vec<S<RawWorkType>>,
    #[serde(default)]
    pub teams: Vec<S<RawTeam>>,
    #[serde(default)]
    pub stages: Vec<S<RawStage>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    pub runs: Option<S<i64>>,
    pub seed: Option<S<i64>>,
    pub items: Option<S<i64>>,
    pub horizon: Option<S<f64>>,
    pub warmup_items: Option<S<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArrivals {
    pub rate: Option<S<f64>>,
    pub interval: Option<S<RawDist>>,
    pub backlog: Option<S<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkType {
    pub name: S<String>,
    pub share: Option<S<f64>>,
    pub priority: Option<S<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTeam {
    pub name: S<String>,
    pub people: S<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RawKind {
    Work,
    Delay,
    Cadence,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    pub name: S<String>,
    pub description: Option<S<String>>,
    pub kind: Option<S<RawKind>>,
    pub workers: Option<S<i64>>,
    pub team: Option<S<String>>,
    pub wip_limit: Option<S<i64>>,
    pub duration: Option<S<RawDist>>,
    pub duration_by_type: Option<S<BTreeMap<String, S<RawDist>>>>,
    pub rework: Option<S<RawRework>>,
    pub blockers: Option<S<RawBlockers>>,
    pub every: Option<S<f64>>,
    pub first: Option<S<f64>>,
    pub counts_as: Option<S<TimeKind>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRework {
    pub to: S<String>,
    pub probability: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBlockers {
    pub probability: S<f64>,
    pub duration: S<RawDist>,
    pub holds_worker: Option<S<bool>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DistName {
    Constant,
    Uniform,
    Triangular,
    Pert,
    Exponential,
    Normal,
    Lognormal,
    Gamma,
    Weibull,
    Erlang,
    Empirical,
}

/// A distribution table such as `{ dist = "lognormal", median = 3, p90 = 8 }`. Every parameter any
/// distribution takes is listed; `validate` checks which combination the named one accepts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDist {
    pub dist: S<DistName>,
    pub value: Option<S<f64>>,
    pub min: Option<S<f64>>,
    pub max: Option<S<f64>>,
    pub mode: Option<S<f64>>,
    pub mean: Option<S<f64>>,
    pub sd: Option<S<f64>>,
    pub median: Option<S<f64>>,
    pub p85: Option<S<f64>>,
    pub p90: Option<S<f64>>,
    pub mu: Option<S<f64>>,
    pub sigma: Option<S<f64>>,
    pub shape: Option<S<f64>>,
    pub scale: Option<S<f64>>,
    pub k: Option<S<f64>>,
    pub samples: Option<S<Vec<f64>>>,
}

/// Parses TOML text into raw structs; syntax errors, unknown keys and wrong types become located
/// diagnostics.
pub fn parse(text: &str, source: &str) -> Result<RawScenario, ScenarioError> {
    toml::from_str::<RawScenario>(text).map_err(|e| {
        let message = explain(e.message());
        ScenarioError::single(Diagnostic::at(source, text, e.span(), None, message))
    })
}

/// Rewrites serde's messages into the words of this tool, with a suggestion for typos.
fn explain(message: &str) -> String {
    let message = message.trim_end();
    for (prefix, what) in [
        ("unknown field `", "unknown key"),
        ("unknown variant `", "unknown value"),
    ] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let Some((word, tail)) = rest.split_once('`') else {
                continue;
            };
            let allowed: Vec<&str> = tail
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|s| !s.is_empty())
                .collect();
            let mut out = format!("{what} `{word}`");
            if let Some(s) = did_you_mean(word, allowed.iter().copied()) {
                out += &format!(" (did you mean `{s}`?)");
            }
            if !allowed.is_empty() {
                out += &format!("; allowed here: {}", allowed.join(", "));
            }
            return out;
        }
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        if let Some((word, _)) = rest.split_once('`') {
            return format!("missing key `{word}`, which is required here");
        }
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        return format!("wrong type: {rest}");
    }
    message.to_string()
}
