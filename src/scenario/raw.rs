//! File text to raw structs: the scenario exactly as written, every value with its place in the file.
//!
//! Unknown keys and wrong types are rejected here (with a "did you mean" for typos); everything
//! about meaning (ranges, names that must exist, combinations) is checked in `validate`.

use super::error::{Diagnostic, ScenarioError, did_you_mean};
use super::{TimeKind, TimeUnit};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

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
    pub calendar: Option<S<RawCalendar>>,
    pub scope: Option<S<RawScope>>,
    /// Read separately (`variants.rs`, from the same text); named here so that the baseline
    /// accepts the key.
    #[allow(dead_code)]
    pub variants: Option<serde::de::IgnoredAny>,
}

/// `[calendar]`: dates are TOML dates (`2027-01-04`) or text (`"2027-01-04"`); holidays may also
/// be ranges written as text (`"2027-12-24..2027-12-31"`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalendar {
    pub start: Option<S<toml::Value>>,
    pub working_days: Option<S<Vec<S<String>>>>,
    pub holidays: Option<S<Vec<S<toml::Value>>>>,
    pub hours_per_day: Option<S<f64>>,
}

/// `[scope]`: how the work grows while it is done.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScope {
    pub split: Option<S<RawSplit>>,
    pub discovery_rate: Option<S<f64>>,
}

/// Each item becomes one of `into` items, with the given weights (equal when absent).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSplit {
    pub into: S<Vec<S<i64>>>,
    pub weights: Option<S<Vec<S<f64>>>>,
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
/// diagnostics that name the key and say what is allowed.
pub fn parse(text: &str, source: &str) -> Result<RawScenario, ScenarioError> {
    toml::from_str::<RawScenario>(text).map_err(|e| {
        let span = e.span();
        // The document as TOML values with their places (best effort when the syntax is broken),
        // to name the key an error is about.
        let (tree, syntax_errors) = toml::de::DeTable::parse_recoverable(text);
        let path = span
            .as_ref()
            .and_then(|s| key_path(tree.get_ref(), s.start, text.len()));
        // The text at the error's place, as written.
        let found = span
            .as_ref()
            .and_then(|s| text.get(s.clone()))
            .unwrap_or("");
        let (key, message) = if syntax_errors.is_empty() {
            explain(e.message(), path, found)
        } else {
            let path = path.or_else(|| {
                span.as_ref()
                    .and_then(|s| key_path_by_line(tree.get_ref(), text, s.start))
            });
            (path, explain_syntax(e.message(), found))
        };
        ScenarioError::single(Diagnostic::at(source, text, span, key, message))
    })
}

/// The path of the deepest key or value whose span holds `offset` (`stages."Review".workers`,
/// `stages[2].duration.samples[1]`); array elements that are tables with a `name` are named by it.
fn key_path(table: &DeTable<'_>, offset: usize, len: usize) -> Option<String> {
    let mut path = Vec::new();
    // An error at the very end of the text (an unclosed table, say) belongs to what comes last.
    let offset = offset.min(len.saturating_sub(1));
    find_in_table(table, offset, &mut path).then(|| path.concat())
}

/// For text that is not valid TOML: the key written on the line of `offset` (`key = ...`), under
/// the nearest table header above it.
fn key_path_by_line(tree: &DeTable<'_>, text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let before = text.get(..offset)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let plain_key = |k: &str| {
        let k = k.trim();
        (!k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .then(|| k.to_string())
    };
    let key = line.split_once('=').and_then(|(k, _)| plain_key(k));
    // The nearest header above; an array of tables is named by its element's position.
    let mut header: Option<String> = None;
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    for l in text[..line_start].lines() {
        let l = l.trim();
        if let Some(h) = l.strip_prefix("[[").and_then(|r| r.split_once("]]")) {
            let name = h.0.trim().to_string();
            let n = counts.entry(name.clone()).or_insert(0);
            *n += 1;
            let i = *n - 1;
            let elem = match tree.get(name.as_str()).map(|v| v.get_ref()) {
                Some(DeValue::Array(a)) => a.get(i).and_then(|t| match t.get_ref() {
                    DeValue::Table(t) => match t.get("name").map(|v| v.get_ref()) {
                        Some(DeValue::String(s)) if !s.trim().is_empty() => {
                            Some(format!("{name}.\"{}\"", s.trim()))
                        }
                        _ => None,
                    },
                    _ => None,
                }),
                _ => None,
            };
            header = Some(elem.unwrap_or(format!("{name}[{i}]")));
        } else if let Some(h) = l.strip_prefix('[').and_then(|r| r.split_once(']')) {
            header = Some(h.0.trim().to_string());
        }
    }
    match (header, key) {
        (Some(h), Some(k)) => Some(format!("{h}.{k}")),
        (None, Some(k)) => Some(k),
        (Some(h), None) => Some(h),
        (None, None) => None,
    }
}

fn holds(span: &std::ops::Range<usize>, offset: usize) -> bool {
    span.start <= offset && offset < span.end.max(span.start + 1)
}

fn find_in_table(table: &DeTable<'_>, offset: usize, path: &mut Vec<String>) -> bool {
    for (k, v) in table.iter() {
        let seg = key_segment(k.get_ref(), path.is_empty());
        path.push(seg);
        if find_in_value(v, offset, path) || holds(&k.span(), offset) {
            return true;
        }
        path.pop();
    }
    false
}

fn find_in_value(v: &Spanned<DeValue<'_>>, offset: usize, path: &mut Vec<String>) -> bool {
    match v.get_ref() {
        DeValue::Table(t) if find_in_table(t, offset, path) => return true,
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let name = match item.get_ref() {
                    DeValue::Table(t) => t.iter().find_map(|(k, v)| match v.get_ref() {
                        DeValue::String(s) if k.get_ref() == "name" && !s.trim().is_empty() => {
                            Some(format!(".\"{}\"", s.trim()))
                        }
                        _ => None,
                    }),
                    _ => None,
                };
                path.push(name.unwrap_or_else(|| format!("[{i}]")));
                if find_in_value(item, offset, path) {
                    return true;
                }
                path.pop();
            }
        }
        _ => {}
    }
    holds(&v.span(), offset)
}

/// A key as written in a path: bare when it can be, quoted otherwise; dotted unless first.
fn key_segment(key: &str, first: bool) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let k = if bare {
        key.to_string()
    } else {
        format!("\"{key}\"")
    };
    if first { k } else { format!(".{k}") }
}

/// The last key of a path (`duration` for `stages."A".duration`), if it is a plain key.
fn last_key(path: Option<&str>) -> Option<&str> {
    let last = path?.rsplit('.').next()?;
    (!last.ends_with(']') && !last.ends_with('"')).then_some(last)
}

/// The words an enumerated key accepts, for messages.
fn enum_words(key: &str) -> Option<&'static [&'static str]> {
    Some(match key {
        "time_unit" => &["hours", "days", "weeks"],
        "kind" => &["work", "delay", "cadence"],
        "counts_as" => &["work", "wait"],
        "dist" => &[
            "constant",
            "uniform",
            "triangular",
            "pert",
            "exponential",
            "normal",
            "lognormal",
            "gamma",
            "weibull",
            "erlang",
            "empirical",
        ],
        _ => return None,
    })
}

/// What a required key holds, to say what to add when it is missing.
fn required_hint(key: &str) -> &'static str {
    match key {
        "name" => " (a name, in quotes)",
        "people" => " (how many people the team has, at least 1)",
        "to" => " (the name of the stage items go back to)",
        "probability" => " (a number from 0 to 1)",
        "duration" => " (a distribution, e.g. duration = { dist = \"exponential\", mean = 2 })",
        "dist" => {
            " (the distribution's name, e.g. dist = \"lognormal\"; allowed: constant, uniform, \
             triangular, pert, exponential, normal, lognormal, gamma, weibull, erlang, empirical)"
        }
        _ => "",
    }
}

/// Rewrites serde's messages into the words of this tool, with a suggestion for typos. Returns the
/// key the message is about (the path of the error's place, or of a missing key) and the message.
fn explain(message: &str, path: Option<String>, found: &str) -> (Option<String>, String) {
    let message = message.trim_end();
    let last = last_key(path.as_deref()).map(str::to_string);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((word, tail)) = rest.split_once('`') {
            let allowed = backticked(tail);
            let mut out = format!("unknown key `{word}`");
            if let Some(s) = did_you_mean(word, allowed.iter().copied()) {
                out += &format!(" (did you mean `{s}`?)");
            }
            if allowed.is_empty() {
                out += "; no keys are allowed here";
            } else {
                out += &format!("; allowed here: {}", allowed.join(", "));
            }
            return (path, out);
        }
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        if let Some((word, tail)) = rest.split_once('`') {
            let allowed = backticked(tail);
            let what = match last.as_deref() {
                Some("dist") => "unknown distribution".to_string(),
                Some("time_unit") => "unknown time unit".to_string(),
                Some("kind") => "unknown stage kind".to_string(),
                Some(k) => format!("unknown `{k}` value"),
                None => "unknown value".to_string(),
            };
            let mut out = format!("{what} \"{word}\"");
            if let Some(s) = did_you_mean(word, allowed.iter().copied()) {
                out += &format!(" (did you mean \"{s}\"?)");
            }
            out += &format!("; allowed: {}", quoted_list(&allowed));
            return (path, out);
        }
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        if let Some((word, _)) = rest.split_once('`') {
            let key = Some(match &path {
                Some(p) => format!("{p}.{word}"),
                None => word.to_string(),
            });
            return (
                key,
                format!(
                    "missing key `{word}`{}, which is required here",
                    required_hint(word)
                ),
            );
        }
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        if let Some((got, expected)) = rest.rsplit_once(", expected ") {
            let expected = match last.as_deref().and_then(enum_words) {
                Some(words) => format!("one of {} (in quotes)", quoted_list(words)),
                None => plain_expected(expected),
            };
            return (
                path,
                format!(
                    "wrong type: expected {expected}, got {}",
                    plain_got(got, found.trim())
                ),
            );
        }
    }
    if message == "wanted string or table" {
        let expected = match last.as_deref().and_then(enum_words) {
            Some(words) => format!("one of {} (in quotes)", quoted_list(words)),
            None => "a word in quotes".to_string(),
        };
        return (path, format!("wrong type: expected {expected}"));
    }
    if message.contains("overflowed") {
        return (
            path,
            "the number is too large to represent; use a smaller value".to_string(),
        );
    }
    (path, message.to_string())
}

/// The words between backticks in serde's "expected one of `a`, `b`" tails.
fn backticked(tail: &str) -> Vec<&str> {
    tail.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty())
        .collect()
}

fn quoted_list(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// serde's name of the expected type, in plain words.
fn plain_expected(expected: &str) -> String {
    match expected {
        "i64" | "u64" | "i32" | "u32" | "usize" => "a whole number (such as 3)".to_string(),
        "f64" | "f32" => "a number (such as 2.5)".to_string(),
        "a string" | "a borrowed string" => "text in quotes (such as \"Review\")".to_string(),
        "a boolean" => "true or false".to_string(),
        "a sequence" => "an array (such as [1, 2, 3], or [[tables]])".to_string(),
        "struct RawDist" => {
            "a distribution table (such as { dist = \"exponential\", mean = 2 })".to_string()
        }
        "a map" => "a table".to_string(),
        s if s.starts_with("struct ") => "a table".to_string(),
        s => s.to_string(),
    }
}

/// serde's description of the value found, in plain words.
fn plain_got(got: &str, written: &str) -> String {
    let inner = |prefix: &str| {
        got.strip_prefix(prefix)
            .map(|r| r.trim_matches('`').to_string())
    };
    if let Some(s) = got.strip_prefix("string ") {
        return format!("the text {s}");
    }
    if let Some(n) = got
        .strip_prefix("integer `")
        .and_then(|r| r.strip_suffix("` as i128"))
    {
        return format!("{n}, which is too large for a whole number");
    }
    if let Some(n) = inner("integer ") {
        return format!("the whole number {n}");
    }
    if let Some(n) = inner("floating point ") {
        // Say it as written in the file (`1e9`, not `1000000000.0`).
        let written = if written.is_empty() || written.len() > 40 {
            n.as_str()
        } else {
            written
        };
        return match n.parse::<f64>() {
            Ok(x) if x.is_finite() && x.fract() == 0.0 => format!(
                "{written}, a decimal number; write whole numbers without a decimal point or exponent"
            ),
            _ => format!("the number {written}"),
        };
    }
    if let Some(b) = inner("boolean ") {
        return format!("the boolean {b}");
    }
    match got {
        "sequence" => "an array".to_string(),
        "map" => "a table".to_string(),
        s => s.to_string(),
    }
}

/// A TOML syntax error in plain words; `found` is the text at the error's place.
fn explain_syntax(message: &str, found: &str) -> String {
    let message = message.trim_end();
    if message == "duplicate key" {
        let name = found.trim();
        return if name.is_empty() {
            "TOML syntax error: a key (or table) is given twice; each may appear only once"
                .to_string()
        } else {
            format!(
                "TOML syntax error: `{name}` is given twice; a key (or [table]) may appear only once"
            )
        };
    }
    let (what, expected) = match message.split_once(", expected ") {
        Some((w, e)) => (w, Some(e)),
        None => (message, None),
    };
    let mut out = format!("TOML syntax error: {what}");
    if what == "string values must be quoted" {
        out += "; write text in quotes, such as kind = \"delay\"";
        return out;
    }
    match expected {
        Some("nothing") => out += " (nothing more may follow here)",
        Some(e) => out += &format!(" (expected {e} here)"),
        None => {}
    }
    out
}
