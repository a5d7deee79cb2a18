//! The shipped example scenarios and the user documentation.
//!
//! Every `scenarios/*.toml` must load, run and give sane results, and must satisfy the identities
//! the engine guarantees (lead time is backlog wait plus the wait and work at every stage). The
//! key tables of `docs/scenario-format.md` and the field tables of `docs/results.md` must not drift
//! from the code: every key of the scenario file format (the `Raw*` structs of
//! `src/scenario/raw.rs`) and every field of `summary.json` and of the CSV headers must be named in
//! the docs.

use flowsim::report::csv::{lead_times_csv, stages_csv};
use flowsim::runner::{self, RunOptions, RunResult};
use flowsim::scenario::{Scenario, StopRule, traffic};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Replications per scenario: enough to exercise every path, few enough to stay fast.
const FEW_RUNS: u32 = 20;

/// Relative tolerance of identities that hold exactly in real arithmetic: the means involved are
/// folded over replications separately, so they agree only up to floating-point rounding.
const ROUNDING: f64 = 1e-9;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    let path = repo().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The features file shipped for `flowsim forecast --features`: not a scenario.
const FEATURES_FILE: &str = "features.toml";

/// Every `*.toml` in `scenarios/` but the features file, sorted by name.
fn shipped_scenarios() -> Vec<PathBuf> {
    let dir = repo().join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter(|p| p.file_name().is_some_and(|n| n != FEATURES_FILE))
        .collect();
    files.sort();
    files
}

#[test]
fn the_shipped_features_file_is_a_valid_plan() {
    let text = read(&format!("scenarios/{FEATURES_FILE}"));
    let plan = flowsim::forecast::features::parse(&text, FEATURES_FILE)
        .unwrap_or_else(|e| panic!("scenarios/{FEATURES_FILE} does not parse:\n{e}"));
    assert!(
        plan.features.len() >= 3,
        "a few features to show the cut line"
    );
    assert!(plan.wip >= 2, "features worked in parallel");
    assert!(plan.features.iter().any(|f| f.items_min < f.items_max));
    assert!(plan.features.iter().any(|f| f.target.is_some()));
}

fn load(path: &Path) -> Scenario {
    Scenario::load(path).unwrap_or_else(|e| panic!("{} does not load:\n{e}", path.display()))
}

fn simulate(path: &Path, sc: &Scenario, runs: u32) -> RunResult {
    let options = RunOptions {
        runs: Some(runs),
        seed: None,
    };
    runner::simulate(sc, options, &|_| {})
        .unwrap_or_else(|e| panic!("{} does not run: {e}", path.display()))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= ROUNDING * a.abs().max(b.abs()).max(1.0)
}

/// Checks one scenario's results; returns every problem found, each as a sentence.
fn problems(sc: &Scenario, r: &RunResult) -> Vec<String> {
    let s = &r.summary;
    let mut out = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            out.push(what);
        }
    };

    let load = traffic::analyse(sc);
    check(
        load.warnings.is_empty(),
        format!("overload warnings: {:?}", load.warnings),
    );
    check(
        s.warnings.is_empty(),
        format!("summary warnings: {:?}", s.warnings),
    );
    check(s.measured_items > 0, "no item was measured".into());
    check(
        s.runs == FEW_RUNS,
        format!("ran {} runs, not {FEW_RUNS}", s.runs),
    );

    let Some(lead) = &s.lead_time else {
        check(false, "no lead time".into());
        return out;
    };
    check(
        lead.mean > 0.0 && lead.p50 > 0.0 && lead.min >= 0.0,
        format!(
            "lead time not positive: mean {}, p50 {}, min {}",
            lead.mean, lead.p50, lead.min
        ),
    );
    check(
        lead.min <= lead.p50
            && lead.p50 <= lead.p70
            && lead.p70 <= lead.p85
            && lead.p85 <= lead.p95
            && lead.p95 <= lead.p99
            && lead.p99 <= lead.max,
        "lead-time percentiles out of order".into(),
    );
    check(
        lead.count == s.measured_items,
        format!(
            "lead_time.count {} but measured_items {}",
            lead.count, s.measured_items
        ),
    );
    let cycle = s.cycle_time.as_ref().map_or(f64::NAN, |c| c.mean);
    check(
        cycle > 0.0 && cycle <= lead.mean * (1.0 + ROUNDING),
        format!("cycle time {cycle} not in (0, lead time {}]", lead.mean),
    );

    // The engine's accounting identity: every moment of an item's lead time is backlog wait, or
    // wait or work at exactly one stage.
    let backlog_wait = s.backlog_wait.map_or(f64::NAN, |b| b.mean);
    let stage_sum: f64 = s.stages.iter().map(|st| st.mean_wait + st.mean_work).sum();
    check(
        close(lead.mean, backlog_wait + stage_sum),
        format!(
            "lead time {} != backlog wait {backlog_wait} + stage waits and work {stage_sum}",
            lead.mean
        ),
    );
    check(
        close(cycle, lead.mean - backlog_wait),
        format!(
            "cycle time {cycle} != lead time {} - backlog wait {backlog_wait}",
            lead.mean
        ),
    );

    let unit = |x: Option<f64>| x.is_none_or(|v| (0.0..=1.0).contains(&v));
    for st in &s.stages {
        let name = &st.name;
        check(
            unit(st.utilization) && unit(st.busy_share),
            format!(
                "stage {name}: utilization {:?} or busy share {:?} outside [0, 1]",
                st.utilization, st.busy_share
            ),
        );
        check(
            st.offered_load.is_none_or(|l| l < 1.0),
            format!("stage {name}: offered load {:?}", st.offered_load),
        );
        check(
            st.utilization.is_some() == (st.kind == "work"),
            format!(
                "stage {name}: utilization {:?} for a {} stage",
                st.utilization, st.kind
            ),
        );
        check(
            st.mean_wait >= 0.0 && st.mean_work >= 0.0 && st.visits_per_item >= 1.0,
            format!(
                "stage {name}: wait {}, work {}, visits {}",
                st.mean_wait, st.mean_work, st.visits_per_item
            ),
        );
        let b = &st.wait_breakdown;
        let causes = b.queue + b.blocked + b.blocker + b.cadence + b.delay;
        check(
            close(st.mean_wait, causes),
            format!(
                "stage {name}: mean wait {} != sum of its causes {causes}",
                st.mean_wait
            ),
        );
    }
    for team in &s.teams {
        check(
            (0.0..=1.0).contains(&team.utilization),
            format!("team {}: utilization {}", team.name, team.utilization),
        );
        check(
            team.offered_load.is_none_or(|l| l < 1.0),
            format!("team {}: offered load {:?}", team.name, team.offered_load),
        );
        let shares: f64 = s
            .stages
            .iter()
            .filter(|st| st.team.as_deref() == Some(team.name.as_str()))
            .filter_map(|st| st.busy_share)
            .sum();
        check(
            close(shares, team.utilization),
            format!(
                "team {}: busy shares of its stages add up to {shares}, utilization {}",
                team.name, team.utilization
            ),
        );
    }

    if let Some(f) = &s.flow_efficiency {
        check(
            (0.0..=1.0).contains(&f.ratio_of_sums) && (0.0..=1.0).contains(&f.mean_of_ratios),
            format!(
                "flow efficiency {} / {} outside [0, 1]",
                f.ratio_of_sums, f.mean_of_ratios
            ),
        );
    } else {
        check(false, "no flow efficiency".into());
    }
    check(
        s.throughput.is_some_and(|t| t.mean > 0.0),
        format!("throughput {:?}", s.throughput),
    );
    check(
        s.wip.as_ref().is_some_and(|w| w.mean > 0.0),
        "no WIP".into(),
    );
    let items_rule = matches!(sc.simulation.stop, StopRule::Items(_));
    check(
        s.makespan.is_some() == items_rule,
        format!(
            "makespan {:?} with items rule {items_rule}",
            s.makespan.is_some()
        ),
    );
    check(
        s.unfinished_at_end.is_some() != items_rule,
        "unfinished_at_end does not match the stop rule".into(),
    );
    check(s.bottleneck.is_some(), "no bottleneck".into());
    out
}

#[test]
fn every_shipped_scenario_loads_runs_and_gives_sane_results() {
    let files = shipped_scenarios();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "feature-delivery.toml",
        "incident-response.toml",
        "fixed-backlog.toml",
        "release-train.toml",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "scenarios/{expected} is missing; found {names:?}"
        );
    }
    let mut failures = Vec::new();
    for path in &files {
        let sc = load(path);
        let result = simulate(path, &sc, FEW_RUNS);
        for p in problems(&sc, &result) {
            failures.push(format!("{}: {p}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The names of the `pub name:` fields of every `pub struct Raw...` in the Rust source text, and
/// the variants of its `pub enum`s (as the lowercase words the file format uses).
fn raw_keys_and_variants(source: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut keys = BTreeSet::new();
    let mut variants = BTreeSet::new();
    enum In {
        Nothing,
        RawStruct,
        Enum,
    }
    let mut inside = In::Nothing;
    for line in source.lines() {
        let t = line.trim();
        if line.starts_with('}') {
            inside = In::Nothing;
            continue;
        }
        if t.starts_with("pub struct Raw") && t.ends_with('{') {
            inside = In::RawStruct;
            continue;
        }
        if t.starts_with("pub enum ") && t.ends_with('{') {
            inside = In::Enum;
            continue;
        }
        match inside {
            In::RawStruct => {
                if let Some(rest) = t.strip_prefix("pub ") {
                    if let Some((name, _)) = rest.split_once(':') {
                        let name = name.trim();
                        if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')
                        {
                            keys.insert(name.to_string());
                        }
                    }
                }
            }
            In::Enum => {
                let v = t.trim_end_matches(',');
                if !v.is_empty()
                    && !v.starts_with("//")
                    && !v.starts_with('#')
                    && v.chars().all(char::is_alphanumeric)
                {
                    variants.insert(v.to_lowercase());
                }
            }
            In::Nothing => {}
        }
    }
    (keys, variants)
}

#[test]
fn scenario_format_doc_names_every_key_and_value_of_the_file_format() {
    let (keys, variants) = raw_keys_and_variants(&read("src/scenario/raw.rs"));
    // Guard against the parser silently finding nothing if raw.rs changes shape.
    for k in [
        "name",
        "wip_limit",
        "warmup_items",
        "holds_worker",
        "samples",
        "counts_as",
    ] {
        assert!(keys.contains(k), "key `{k}` not found in raw.rs: {keys:?}");
    }
    for v in ["lognormal", "empirical", "cadence"] {
        assert!(variants.contains(v), "value `{v}` not found in raw.rs");
    }
    let doc = read("docs/scenario-format.md");
    let missing_keys: Vec<&String> = keys
        .iter()
        .filter(|k| {
            // A key, or the header of the table it names: `[simulation]`, `[[stages]]`.
            [format!("`{k}`"), format!("`[{k}]`"), format!("`[[{k}]]`")]
                .iter()
                .all(|form| !doc.contains(form.as_str()))
        })
        .collect();
    let missing_values: Vec<&String> = variants
        .iter()
        .filter(|v| !doc.contains(&format!("`{v}`")) && !doc.contains(&format!("\"{v}\"")))
        .collect();
    assert!(
        missing_keys.is_empty() && missing_values.is_empty(),
        "docs/scenario-format.md does not document these keys of src/scenario/raw.rs: {missing_keys:?}, \
         or these values: {missing_values:?}"
    );
}

/// Every object key in a JSON value, at any depth.
fn json_keys(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                out.insert(k.clone());
                json_keys(x, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_keys(x, out)),
        _ => {}
    }
}

fn csv_header(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8(bytes.to_vec()).expect("UTF-8 CSV");
    let first = text.lines().next().expect("a header line");
    first.split(',').map(str::to_string).collect()
}

#[test]
fn results_doc_names_every_field_of_summary_json_and_the_csv_files() {
    // Fields nested under a `null` in one scenario (makespan in a horizon run) appear in another,
    // so the fields of every shipped scenario are gathered.
    let mut fields = BTreeSet::new();
    for path in shipped_scenarios() {
        let sc = load(&path);
        let r = simulate(&path, &sc, 3);
        let json = serde_json::to_value(&r.summary).expect("summary serializes");
        json_keys(&json, &mut fields);
        fields.extend(csv_header(&stages_csv(&r.summary)));
        fields.extend(csv_header(&lead_times_csv(&r.histograms.lead)));
    }
    for f in [
        "lead_time",
        "p85_se",
        "unfinished_at_end",
        "makespan",
        "bottleneck",
        "wait_p85",
    ] {
        assert!(fields.contains(f), "field `{f}` not produced: {fields:?}");
    }
    let doc = read("docs/results.md");
    let missing: Vec<&String> = fields
        .iter()
        .filter(|f| !doc.contains(&format!("`{f}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/results.md does not document these fields of summary.json or the CSV files: {missing:?}"
    );
}
