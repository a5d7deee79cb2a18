//! Helpers shared by the integration tests.
#![allow(dead_code)]

use flowsim::metrics::Summary;
use flowsim::runner::{self, RunOptions, RunResult};
use flowsim::scenario::Scenario;

/// Parses a scenario written in the file format (panics with the error text if invalid).
pub fn scenario(toml: &str) -> Scenario {
    Scenario::parse(toml, "test.toml").unwrap_or_else(|e| panic!("invalid test scenario:\n{e}"))
}

/// Runs a scenario given as TOML text with the runs and seed it states.
pub fn run(toml: &str) -> RunResult {
    runner::simulate(&scenario(toml), RunOptions::default(), &|_| {}).expect("run succeeds")
}

/// Asserts that |estimate - exact| <= z * se, with a message that shows all three.
pub fn assert_close(what: &str, estimate: f64, exact: f64, se: f64, z: f64) {
    assert!(
        se.is_finite() && se > 0.0,
        "{what}: standard error {se} is not usable"
    );
    let dev = (estimate - exact) / se;
    assert!(
        dev.abs() <= z,
        "{what}: estimate {estimate:.5} vs exact {exact:.5}: off by {dev:.2} standard errors (se {se:.5}, allowed {z})"
    );
}

/// Path to the built `flowsim` binary.
pub fn flowsim_bin() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_BIN_EXE_flowsim"))
}

/// A fresh empty directory under the system temp dir, unique to this test.
/// It lives under Cargo's per-target temporary directory, so test runs do not pile up in /tmp.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("flowsim-test-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The z used by the statistical tests: a two-sided tail of 6.3e-5 per comparison for an estimate
/// whose standard error is known (or estimated with hundreds of degrees of freedom).
pub const Z: f64 = 4.0;

/// The critical value with the same two-sided tail probability as the normal `z` when the standard
/// error is itself estimated with `dof` degrees of freedom (Student's t), e.g. a percentile's
/// standard error from 20 batch means (19 degrees of freedom).
pub fn z_for_dof(z: f64, dof: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
    let p = Normal::new(0.0, 1.0).expect("standard normal").cdf(z);
    StudentsT::new(0.0, 1.0, dof)
        .expect("valid degrees of freedom")
        .inverse_cdf(p)
}

/// Asserts that |estimate - exact| <= z * se + bias, where `bias` is a stated bound on a
/// deterministic difference between what the simulation estimates and the exact value (start-up or
/// end effects, histogram resolution, rounding of a reference value).
pub fn assert_close_bias(what: &str, estimate: f64, exact: f64, se: f64, z: f64, bias: f64) {
    assert!(
        se.is_finite() && se > 0.0,
        "{what}: standard error {se} is not usable"
    );
    assert!(bias.is_finite() && bias >= 0.0, "{what}: bias bound {bias}");
    let dev = (estimate - exact) / se;
    let allowed = z + bias / se;
    assert!(
        dev.abs() <= allowed,
        "{what}: estimate {estimate:.5} vs exact {exact:.5}: off by {dev:.2} standard errors (se {se:.5}, allowed {z} + bias bound {bias:.5})"
    );
}

/// A standard error the summary must report.
pub fn se(what: &str, se: Option<f64>) -> f64 {
    se.unwrap_or_else(|| panic!("{what}: no standard error reported"))
}

/// Runs a scenario as `groups` independent Monte Carlo runs with seeds `seed`, `seed + 1`, ...
/// (the scenario's runs each), in parallel. Gives standard errors for fields the summary reports
/// without one, from the spread between groups.
pub fn run_groups(toml: &str, groups: u64) -> Vec<Summary> {
    use rayon::prelude::*;
    let sc = scenario(toml);
    (0..groups)
        .into_par_iter()
        .map(|g| {
            let options = RunOptions {
                runs: None,
                seed: Some(sc.simulation.seed + g),
            };
            runner::simulate(&sc, options, &|_| {})
                .expect("run succeeds")
                .summary
        })
        .collect()
}

/// Mean of independent values and its standard error (from their spread; `values.len() - 1`
/// degrees of freedom).
pub fn mean_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    assert!(values.len() >= 2, "need two values for a standard error");
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Mean over equal-sized independent groups of estimates with their reported standard errors:
/// (mean, sqrt(sum se^2) / groups).
pub fn pool(estimates: &[(f64, f64)]) -> (f64, f64) {
    let n = estimates.len() as f64;
    let mean = estimates.iter().map(|e| e.0).sum::<f64>() / n;
    let se = estimates.iter().map(|e| e.1 * e.1).sum::<f64>().sqrt() / n;
    (mean, se)
}
