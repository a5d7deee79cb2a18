//! `sweep`: one or two scenario values over a range, every point run with common random numbers,
//! to see how lead time and the bottleneck move ("how many reviewers until review stops being
//! the bottleneck?").
//!
//! Values are written `1..5` (whole numbers, both ends included), `1..10:3` (with a step),
//! `0.1..0.5:0.1` (decimals: the step is applied in exact decimal arithmetic, so 0.3 is 0.3) or
//! as a list `1,2,4`.

use super::{Candidate, common_options, run_all};
use crate::engine::EngineError;
use crate::metrics::summary::{Distribution, Estimate};
use crate::runner::{RunOptions, RunResult};
use crate::scenario::overlay::{Overlay, Path, parse_path, path_text};
use crate::scenario::{ScenarioFile, TimeUnit};
use serde::{Deserialize, Serialize};
use toml::Value;

/// Most values one parameter may take.
pub const MAX_VALUES: usize = 10_000;

/// A scenario value to vary, and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub path: Path,
    pub values: Vec<Value>,
}

impl Parameter {
    /// The path as written: `stages."Code review".workers`.
    pub fn name(&self) -> String {
        path_text(&self.path)
    }
}

/// Parses `PATH=VALUES` as given to `--set`.
pub fn parse_set(arg: &str) -> Result<Parameter, String> {
    // Values never hold `=`; a quoted stage name in the path may.
    let Some((path, values)) = arg.rsplit_once('=') else {
        return Err(format!(
            "`{arg}` is not PATH=VALUES; write e.g. stages.Review.workers=1..5"
        ));
    };
    let path = parse_path(path.trim())?;
    let values = parse_values(values.trim())?;
    Ok(Parameter { path, values })
}

/// A decimal number as an integer and a count of decimals: "0.25" is (25, 2).
fn decimal(text: &str) -> Result<(i128, u32), String> {
    let t = text.trim();
    let bad =
        || format!("`{t}` is not a number (sweep values are numbers such as 3, 0.25 or -1.5)");
    if t.is_empty() || t.contains(['e', 'E']) {
        return Err(bad());
    }
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if frac.len() > 12 || int.trim_start_matches('-').len() > 15 {
        return Err(format!("`{t}` has too many digits"));
    }
    let digits = format!("{int}{frac}");
    let n: i128 = digits.parse().map_err(|_| bad())?;
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    Ok((n, frac.len() as u32))
}

/// The number `n / 10^decimals`: a whole number, or the float nearest to the decimal (read from
/// its decimal text, so that 0.3 is the same float as `0.3` written in a file).
fn to_value(n: i128, decimals: u32, integer: bool) -> Value {
    if integer {
        return Value::Integer(n as i64);
    }
    let digits = format!("{:0>w$}", n.unsigned_abs(), w = decimals as usize + 1);
    let (int, frac) = digits.split_at(digits.len() - decimals as usize);
    let sign = if n < 0 { "-" } else { "" };
    Value::Float(
        format!("{sign}{int}.{frac}0")
            .parse()
            .expect("digits make a number"),
    )
}

/// Parses `1..5`, `1..10:3`, `0.1..0.5:0.1` or `1,2,4`.
pub fn parse_values(text: &str) -> Result<Vec<Value>, String> {
    if text.is_empty() {
        return Err("no values: write a range such as 1..5, or a list such as 1,2,4".into());
    }
    let integer =
        !text.contains('.') || text.contains("..") && !text.replace("..", "").contains('.');
    let values = if let Some((start, rest)) = text.split_once("..") {
        let (end, step) = match rest.split_once(':') {
            Some((e, s)) => (e, Some(s)),
            None => (rest, None),
        };
        let (a, da) = decimal(start)?;
        let (b, db) = decimal(end)?;
        let (st, ds) = match step {
            Some(s) => decimal(s)?,
            None if da == 0 && db == 0 => (1, 0),
            None => {
                return Err(format!(
                    "`{text}`: a range of decimals needs a step, e.g. {start}..{end}:0.1"
                ));
            }
        };
        let d = da.max(db).max(ds);
        let scale = |n: i128, k: u32| n * 10i128.pow(d - k);
        let (a, b, st) = (scale(a, da), scale(b, db), scale(st, ds));
        if st <= 0 {
            return Err(format!("`{text}`: the step must be greater than 0"));
        }
        if a > b {
            return Err(format!(
                "`{text}` is empty: the range must go up (write the smaller value first)"
            ));
        }
        let count = (b - a) / st + 1;
        if count as usize > MAX_VALUES {
            return Err(format!(
                "`{text}` has {count} values; at most {MAX_VALUES} are allowed"
            ));
        }
        (0..count)
            .map(|i| to_value(a + i * st, d, integer && d == 0))
            .collect()
    } else {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        if parts.len() > MAX_VALUES {
            return Err(format!("at most {MAX_VALUES} values are allowed"));
        }
        let mut out = Vec::new();
        for p in parts {
            let (n, d) = decimal(p)?;
            out.push(to_value(n, d, d == 0 && integer));
        }
        out
    };
    Ok(values)
}

/// One point of a sweep: the values of its parameters, and what the run gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// `path = value` for each parameter, in the order given.
    pub settings: Vec<(String, f64)>,
    pub lead_time: Option<Distribution>,
    pub throughput: Option<Estimate>,
    pub flow_efficiency: Option<f64>,
    pub wip: Option<f64>,
    pub bottleneck: Option<String>,
    pub bottleneck_utilization: Option<f64>,
    /// Utilization per stage (`None` for stages without people).
    pub utilization: Vec<(String, Option<f64>)>,
    pub warnings: Vec<String>,
}

/// The content of `sweep.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    pub flowsim_version: String,
    pub scenario: String,
    pub runs: u32,
    pub seed: u64,
    pub time_unit: TimeUnit,
    /// The parameters, with the values they take (the first varies slowest).
    pub parameters: Vec<(String, Vec<f64>)>,
    pub points: Vec<SweepPoint>,
}

/// A sweep with everything it was made from.
#[derive(Debug, Clone)]
pub struct SweepRun {
    pub sweep: Sweep,
    pub results: Vec<RunResult>,
}

/// Why a sweep cannot run.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("at {point}: {message}")]
    Invalid { point: String, message: String },
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Every combination of the parameters' values (the first parameter varies slowest).
pub fn points(params: &[Parameter]) -> Vec<Vec<Value>> {
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    for p in params {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                p.values.iter().map(move |v| {
                    let mut x = prefix.clone();
                    x.push(v.clone());
                    x
                })
            })
            .collect();
    }
    out
}

fn label(params: &[Parameter], values: &[Value]) -> String {
    params
        .iter()
        .zip(values)
        .map(|(p, v)| format!("{} = {v}", p.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn number(v: &Value) -> f64 {
    crate::scenario::overlay::number(v).unwrap_or(f64::NAN)
}

/// Builds and validates every point's scenario (before anything runs).
pub fn candidates(file: &ScenarioFile, params: &[Parameter]) -> Result<Vec<Candidate>, SweepError> {
    points(params)
        .into_iter()
        .map(|values| {
            let mut overlay = Overlay::default();
            for (p, v) in params.iter().zip(&values) {
                overlay = overlay.with(p.path.clone(), v.clone());
            }
            let name = label(params, &values);
            let scenario =
                file.with_overlay(&overlay, &name)
                    .map_err(|message| SweepError::Invalid {
                        point: name.clone(),
                        message,
                    })?;
            Ok(Candidate {
                label: name,
                scenario,
            })
        })
        .collect()
}

/// Runs every point with common random numbers.
pub fn sweep(
    file: &ScenarioFile,
    params: &[Parameter],
    options: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SweepRun, SweepError> {
    let cands = candidates(file, params)?;
    let options = common_options(&file.baseline, options);
    let results = run_all(&cands, options, progress)?;
    let values = points(params);
    let pts = results
        .iter()
        .zip(&values)
        .map(|(r, vals)| {
            let s = &r.summary;
            let b = s
                .bottleneck
                .as_ref()
                .and_then(|b| s.stages.iter().find(|st| &st.name == b));
            SweepPoint {
                settings: params
                    .iter()
                    .zip(vals)
                    .map(|(p, v)| (p.name(), number(v)))
                    .collect(),
                lead_time: s.lead_time.clone(),
                throughput: s.throughput,
                flow_efficiency: s.flow_efficiency.as_ref().map(|f| f.ratio_of_sums),
                wip: s.wip.as_ref().map(|w| w.mean),
                bottleneck: s.bottleneck.clone(),
                bottleneck_utilization: b.and_then(|st| st.utilization),
                utilization: s
                    .stages
                    .iter()
                    .map(|st| (st.name.clone(), st.utilization))
                    .collect(),
                warnings: s.warnings.clone(),
            }
        })
        .collect();
    let s0 = &results[0].summary;
    Ok(SweepRun {
        sweep: Sweep {
            flowsim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: file.baseline.name.clone(),
            runs: s0.runs,
            seed: s0.seed,
            time_unit: s0.time_unit,
            parameters: params
                .iter()
                .map(|p| (p.name(), p.values.iter().map(number).collect()))
                .collect(),
            points: pts,
        },
        results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floats(text: &str) -> Vec<f64> {
        parse_values(text).unwrap().iter().map(number).collect()
    }

    #[test]
    fn ranges_and_lists() {
        assert_eq!(
            parse_values("1..5").unwrap(),
            (1..=5).map(Value::Integer).collect::<Vec<_>>()
        );
        assert_eq!(floats("1..10:3"), [1.0, 4.0, 7.0, 10.0]);
        assert_eq!(floats("0.1..0.5:0.1"), [0.1, 0.2, 0.3, 0.4, 0.5]);
        assert_eq!(floats("1,2,4"), [1.0, 2.0, 4.0]);
        assert_eq!(floats("0.5,1.5"), [0.5, 1.5]);
        assert!(matches!(parse_values("2").unwrap()[0], Value::Integer(2)));
        assert!(matches!(parse_values("2.5").unwrap()[0], Value::Float(_)));
        // Decimal steps stay exact: 0.3 is 0.3, not 0.30000000000000004.
        assert_eq!(floats("0..1:0.1")[3], 0.3);
        assert_eq!(floats("-0.05..0.05:0.05"), [-0.05, 0.0, 0.05]);
        // Seventeen significant digits: the float nearest the decimal, as when read from a file.
        let long = "98765.432109876543";
        assert_eq!(floats(long), [long.parse::<f64>().unwrap()]);
        // A quoted stage name may hold `=`.
        assert_eq!(
            parse_set("stages.\"a=b\".workers=1,2").unwrap().path[1],
            "a=b"
        );
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        assert!(parse_values("5..1").unwrap_err().contains("empty"));
        assert!(parse_values("1..5:0").unwrap_err().contains("step"));
        assert!(
            parse_values("0.1..0.5")
                .unwrap_err()
                .contains("needs a step")
        );
        assert!(parse_values("1..100000").unwrap_err().contains("at most"));
        assert!(parse_values("two").unwrap_err().contains("not a number"));
        assert!(parse_values("").is_err());
        assert!(
            parse_set("stages.Review.workers")
                .unwrap_err()
                .contains("PATH=VALUES")
        );
    }

    #[test]
    fn grids_vary_the_first_parameter_slowest() {
        let a = parse_set("x=1..2").unwrap();
        let b = parse_set("y=5,6,7").unwrap();
        let p = points(&[a, b]);
        assert_eq!(p.len(), 6);
        assert_eq!(p[1], vec![Value::Integer(1), Value::Integer(6)]);
        assert_eq!(p[3], vec![Value::Integer(2), Value::Integer(5)]);
    }
}
