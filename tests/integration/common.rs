//! Helpers shared by the integration tests.
#![allow(dead_code)]

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
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("flowsim-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
