//! Bad input fails well: every malformed or meaningless scenario is rejected with a message that
//! names the file, the line and column, the key, what is wrong and what is allowed; never a panic,
//! never a hang. Most cases go through the library (`Scenario::parse`); several go through the real
//! binary to check the exit code (2), the message on standard error and that nothing is written.
//!
//! Expected places are computed from each test's TOML text (the line holding the offending key and
//! the column of the offending value), not written down by hand.

use crate::common;
use flowsim::runner::{self, RunOptions};
use flowsim::scenario::{Diagnostic, Scenario, StopRule};
use proptest::prelude::*;
use std::path::Path;
use std::process::{Command, Output};

/// A small valid scenario using every kind of stage, teams, work types, rework and blockers. Each
/// test changes one thing in it.
const BASE: &str = r#"name = "Bad input base"
time_unit = "days"

[simulation]
runs = 2
seed = 7
items = 40

[arrivals]
rate = 0.5
backlog = 5

[[work_types]]
name = "feature"
share = 0.75

[[work_types]]
name = "defect"
share = 0.25
priority = 1

[[teams]]
name = "developers"
people = 3

[[stages]]
name = "Analysis"
workers = 1
wip_limit = 4
duration = { dist = "lognormal", median = 0.5, p90 = 2 }
duration_by_type = { defect = { dist = "exponential", mean = 0.25 } }

[[stages]]
name = "Development"
team = "developers"
duration = { dist = "lognormal", median = 2, p90 = 5 }
blockers = { probability = 0.1, duration = { dist = "exponential", mean = 1 } }

[[stages]]
name = "Review"
team = "developers"
duration = { dist = "triangular", min = 0.1, mode = 0.3, max = 1 }
rework = { to = "Development", probability = 0.2 }

[[stages]]
name = "Test"
workers = 2
duration = { dist = "gamma", mean = 1, sd = 0.5 }

[[stages]]
name = "Approval"
kind = "delay"
duration = { dist = "uniform", min = 1, max = 3 }

[[stages]]
name = "Deploy"
kind = "cadence"
every = 5
duration = { dist = "constant", value = 0.5 }
"#;

/// `text` with the single occurrence of `from` replaced by `to` (panics if it is not there exactly
/// once, so that a test cannot silently test the unchanged base).
#[track_caller]
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "`{from}` must occur exactly once in the scenario"
    );
    text.replacen(from, to, 1)
}

/// 1-based line and column (in characters) of `needle` within the only line that contains
/// `line_marker`.
#[track_caller]
fn place(text: &str, line_marker: &str, needle: &str) -> (usize, usize) {
    let hits: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(line_marker))
        .collect();
    assert_eq!(hits.len(), 1, "`{line_marker}` must be on exactly one line");
    let (i, line) = hits[0];
    let byte = line
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` is not on the line `{line}`"));
    (i + 1, line[..byte].chars().count() + 1)
}

/// The problems `Scenario::parse` reports (panics if the scenario is accepted).
#[track_caller]
fn problems(text: &str, file: &str) -> Vec<Diagnostic> {
    match Scenario::parse(text, file) {
        Ok(_) => panic!("the scenario was accepted but should have been rejected:\n{text}"),
        Err(e) => {
            assert!(!e.problems.is_empty(), "an error with no problems");
            e.problems
        }
    }
}

/// Asserts that the scenario is rejected with exactly one problem, about `key`, at `at`, whose
/// message holds all of `words`; checks the printed form too. Returns the problem.
#[track_caller]
fn rejected(text: &str, file: &str, key: &str, at: (usize, usize), words: &[&str]) -> Diagnostic {
    let all = problems(text, file);
    let shown: Vec<String> = all.iter().map(ToString::to_string).collect();
    assert_eq!(
        all.len(),
        1,
        "expected one problem, got:\n{}",
        shown.join("\n")
    );
    check(&all[0], file, key, at, words);
    all[0].clone()
}

/// Asserts one problem's file, place, key and words, and that its printed form leads with
/// `file:line:col: `key`: ` and quotes the line with a caret under the column.
#[track_caller]
fn check(d: &Diagnostic, file: &str, key: &str, (line, col): (usize, usize), words: &[&str]) {
    let shown = d.to_string();
    assert_eq!(d.source, file, "{shown}");
    assert_eq!(
        (d.line, d.column),
        (Some(line), Some(col)),
        "wrong place:\n{shown}"
    );
    assert_eq!(d.key.as_deref(), Some(key), "wrong key:\n{shown}");
    for w in words {
        assert!(d.message.contains(w), "the message lacks {w:?}:\n{shown}");
    }
    let head = format!("{file}:{line}:{col}: `{key}`: ");
    assert!(
        shown.starts_with(&head),
        "printed form does not start with {head:?}:\n{shown}"
    );
    let caret = shown.lines().last().unwrap_or("");
    let quoted = shown.lines().nth(2).unwrap_or("");
    let bar = quoted.find(" | ").expect("quoted line") + 3;
    assert_eq!(
        caret.chars().count(),
        bar + col,
        "the caret is not under column {col}:\n{shown}"
    );
}

// ---------------------------------------------------------------------------------------------
// The base is valid (otherwise every test below would pass for the wrong reason).

#[test]
fn the_base_scenario_is_valid_and_runs() {
    let sc = common::scenario(BASE);
    assert_eq!(sc.stages.len(), 6);
    let r = runner::simulate(
        &sc,
        RunOptions {
            runs: Some(2),
            seed: None,
        },
        &|_| {},
    );
    assert!(r.is_ok());
}

// ---------------------------------------------------------------------------------------------
// Syntax, unknown keys, wrong types.

#[test]
fn toml_syntax_error_names_the_place_and_the_key() {
    let text = edit(BASE, "workers = 2\n", "workers = = 2\n");
    let at = place(&text, "workers = = 2", "= 2");
    rejected(
        &text,
        "syntax.toml",
        "stages.\"Test\".workers",
        at,
        &["TOML syntax error", "extra `=`"],
    );
}

#[test]
fn unquoted_text_is_a_syntax_error_that_says_to_quote_it() {
    let text = edit(BASE, "kind = \"delay\"", "kind = delay");
    let at = place(&text, "kind = delay", "delay");
    rejected(
        &text,
        "unquoted.toml",
        "stages.\"Approval\".kind",
        at,
        &["TOML syntax error", "must be quoted", "kind = \"delay\""],
    );
}

#[test]
fn unterminated_string_is_a_syntax_error() {
    let text = edit(BASE, "name = \"Review\"", "name = \"Review");
    let at = place(&text, "name = \"Review", "\"Review");
    let d = problems(&text, "string.toml");
    assert_eq!(d.len(), 1, "{:?}", d);
    assert_eq!(d[0].source, "string.toml");
    assert_eq!(d[0].line, Some(at.0), "{}", d[0]);
    assert!(d[0].message.contains("TOML syntax error"), "{}", d[0]);
    assert!(d[0].message.contains("string"), "{}", d[0]);
}

#[test]
fn a_key_given_twice_is_named() {
    let text = edit(BASE, "people = 3\n", "people = 3\npeople = 4\n");
    let at = place(&text, "people = 4", "people");
    rejected(
        &text,
        "twice.toml",
        "teams.\"developers\".people",
        at,
        &["`people` is given twice", "only once"],
    );
}

#[test]
fn a_table_given_twice_is_named() {
    let text = format!("{BASE}\n[simulation]\nruns = 3\n");
    let lines = text.lines().count();
    let d = problems(&text, "tables.toml");
    assert_eq!(d.len(), 1);
    check(
        &d[0],
        "tables.toml",
        "simulation",
        (lines - 1, 2),
        &["`simulation` is given twice"],
    );
}

#[test]
fn unknown_key_suggests_the_nearest_allowed_one() {
    let text = edit(BASE, "workers = 2\n", "worker = 2\n");
    let at = place(&text, "worker = 2", "worker");
    let d = rejected(
        &text,
        "typo.toml",
        "stages.\"Test\".worker",
        at,
        &[
            "unknown key `worker`",
            "did you mean `workers`?",
            "allowed here:",
        ],
    );
    // The allowed list is complete enough to fix any typo in a stage.
    for k in [
        "workers",
        "team",
        "duration",
        "rework",
        "blockers",
        "wip_limit",
    ] {
        assert!(d.message.contains(k), "allowed list lacks {k}: {d}");
    }
}

#[test]
fn unknown_table_suggests_the_nearest_allowed_one() {
    let text = edit(BASE, "[simulation]", "[simulaton]");
    rejected(
        &text,
        "section.toml",
        "simulaton",
        place(&text, "[simulaton]", "simulaton"),
        &["unknown key `simulaton`", "did you mean `simulation`?"],
    );
}

#[test]
fn unknown_key_inside_a_distribution_is_located() {
    let text = edit(BASE, "median = 2, p90 = 5", "median = 2, p09 = 5");
    rejected(
        &text,
        "param.toml",
        "stages.\"Development\".duration.p09",
        place(&text, "p09", "p09"),
        &["unknown key `p09`", "did you mean `p90`?"],
    );
}

#[test]
fn text_where_a_whole_number_is_expected() {
    let text = edit(BASE, "workers = 2\n", "workers = \"three\"\n");
    rejected(
        &text,
        "type.toml",
        "stages.\"Test\".workers",
        place(&text, "workers = \"three\"", "\"three\""),
        &["wrong type", "expected a whole number", "\"three\""],
    );
}

#[test]
fn a_boolean_where_a_number_is_expected() {
    let text = edit(BASE, "rate = 0.5", "rate = true");
    rejected(
        &text,
        "rate.toml",
        "arrivals.rate",
        place(&text, "rate = true", "true"),
        &["wrong type", "expected a number", "true"],
    );
    // serde's type names do not leak into the message.
    let d = problems(&text, "rate.toml");
    assert!(!d[0].message.contains("f64"), "{}", d[0]);
}

#[test]
fn a_fraction_where_a_whole_number_is_expected() {
    let text = edit(BASE, "people = 3", "people = 2.5");
    let d = rejected(
        &text,
        "frac.toml",
        "teams.\"developers\".people",
        place(&text, "people = 2.5", "2.5"),
        &["expected a whole number", "2.5"],
    );
    assert!(!d.message.contains("i64"), "{d}");
}

#[test]
fn a_number_where_a_distribution_is_expected() {
    let text = edit(
        BASE,
        "duration = { dist = \"gamma\", mean = 1, sd = 0.5 }",
        "duration = 1",
    );
    rejected(
        &text,
        "dist.toml",
        "stages.\"Test\".duration",
        place(&text, "duration = 1", "1"),
        &["expected a distribution table", "dist = "],
    );
}

#[test]
fn a_wrong_value_inside_samples_is_located_to_the_element() {
    let text = edit(
        BASE,
        "{ dist = \"gamma\", mean = 1, sd = 0.5 }",
        "{ dist = \"empirical\", samples = [1, 2, \"x\"] }",
    );
    rejected(
        &text,
        "samples.toml",
        "stages.\"Test\".duration.samples[2]",
        place(&text, "samples", "\"x\""),
        &["expected a number", "\"x\""],
    );
}

#[test]
fn a_missing_required_key_is_named() {
    let text = edit(
        BASE,
        "rework = { to = \"Development\", probability = 0.2 }",
        "rework = { probability = 0.2 }",
    );
    rejected(
        &text,
        "missing.toml",
        "stages.\"Review\".rework.to",
        place(&text, "rework = {", "{"),
        &["missing key `to`", "the stage items go back to"],
    );
}

#[test]
fn an_integer_too_large_for_64_bits() {
    let text = edit(BASE, "workers = 2\n", "workers = 99999999999999999999\n");
    rejected(
        &text,
        "huge.toml",
        "stages.\"Test\".workers",
        place(&text, "99999999999999999999", "99999999999999999999"),
        &["too large", "whole number"],
    );
}

#[test]
fn unknown_time_unit_lists_the_allowed_ones() {
    let text = edit(BASE, "time_unit = \"days\"", "time_unit = \"dayz\"");
    rejected(
        &text,
        "unit.toml",
        "time_unit",
        place(&text, "time_unit", "\"dayz\""),
        &[
            "unknown time unit \"dayz\"",
            "did you mean \"days\"?",
            "\"hours\", \"days\", \"weeks\"",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Names that must exist.

#[test]
fn rework_to_an_unknown_stage() {
    let text = edit(BASE, "to = \"Development\"", "to = \"Devlopment\"");
    rejected(
        &text,
        "rework.toml",
        "stages.\"Review\".rework.to",
        place(&text, "Devlopment", "\"Devlopment\""),
        &[
            "unknown stage \"Devlopment\"",
            "did you mean \"Development\"?",
            "rework can go to: Analysis, Development, Review",
        ],
    );
}

#[test]
fn rework_forward_is_refused() {
    let text = edit(BASE, "to = \"Development\"", "to = \"Deploy\"");
    rejected(
        &text,
        "forward.toml",
        "stages.\"Review\".rework.to",
        place(&text, "to = \"Deploy\"", "\"Deploy\""),
        &[
            "this stage or an earlier one",
            "\"Deploy\" comes after \"Review\"",
        ],
    );
}

#[test]
fn unknown_team() {
    let text = edit(
        BASE,
        "name = \"Review\"\nteam = \"developers\"",
        "name = \"Review\"\nteam = \"developer\"",
    );
    rejected(
        &text,
        "team.toml",
        "stages.\"Review\".team",
        place(&text, "\"developer\"", "\"developer\""),
        &[
            "unknown team \"developer\"",
            "did you mean \"developers\"?",
            "defined teams: developers",
        ],
    );
}

#[test]
fn unknown_team_with_no_close_match_lists_the_teams() {
    let text = edit(
        BASE,
        "name = \"Test\"\nworkers = 2",
        "name = \"Test\"\nteam = \"testers\"",
    );
    rejected(
        &text,
        "noteam.toml",
        "stages.\"Test\".team",
        place(&text, "\"testers\"", "\"testers\""),
        &["unknown team \"testers\"", "defined teams: developers"],
    );
    let d = problems(&text, "noteam.toml");
    assert!(!d[0].message.contains("did you mean"), "{}", d[0]);
}

#[test]
fn unknown_work_type_in_duration_by_type() {
    let text = edit(BASE, "{ defect = {", "{ defekt = {");
    rejected(
        &text,
        "bytype.toml",
        "stages.\"Analysis\".duration_by_type.defekt",
        place(&text, "defekt", "{ dist = \"exponential\""),
        &[
            "unknown work type \"defekt\"",
            "did you mean \"defect\"?",
            "defined work types: feature, defect",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Counts out of range.

#[test]
fn zero_workers() {
    let text = edit(BASE, "workers = 2\n", "workers = 0\n");
    rejected(
        &text,
        "w0.toml",
        "stages.\"Test\".workers",
        place(&text, "workers = 0", "0"),
        &["`workers` must be from 1 to 1000000", "got 0"],
    );
}

#[test]
fn negative_workers() {
    let text = edit(BASE, "workers = 1\n", "workers = -3\n");
    rejected(
        &text,
        "wneg.toml",
        "stages.\"Analysis\".workers",
        place(&text, "workers = -3", "-3"),
        &["`workers` must be from 1 to", "got -3"],
    );
}

#[test]
fn zero_people() {
    let text = edit(BASE, "people = 3", "people = 0");
    rejected(
        &text,
        "p0.toml",
        "teams.\"developers\".people",
        place(&text, "people = 0", "0"),
        &["`people` must be from 1 to", "got 0"],
    );
}

#[test]
fn zero_wip_limit_at_a_stage_and_for_the_stream() {
    let text = edit(BASE, "wip_limit = 4", "wip_limit = 0");
    rejected(
        &text,
        "wip0.toml",
        "stages.\"Analysis\".wip_limit",
        place(&text, "wip_limit = 0", "0"),
        &["`wip_limit` must be from 1 to", "got 0"],
    );
    let text = edit(
        BASE,
        "time_unit = \"days\"\n",
        "time_unit = \"days\"\nwip_limit = 0\n",
    );
    rejected(
        &text,
        "conwip0.toml",
        "wip_limit",
        place(&text, "wip_limit = 0", "0"),
        &["stream-wide WIP limit must be from 1 to", "got 0"],
    );
}

#[test]
fn several_problems_are_all_reported_in_file_order() {
    let text = edit(BASE, "people = 3", "people = 0");
    let text = edit(&text, "workers = 2\n", "workers = 0\n");
    let text = edit(&text, "probability = 0.2", "probability = 2");
    let d = problems(&text, "many.toml");
    assert_eq!(d.len(), 3, "{d:?}");
    check(
        &d[0],
        "many.toml",
        "teams.\"developers\".people",
        place(&text, "people = 0", "0"),
        &["got 0"],
    );
    check(
        &d[1],
        "many.toml",
        "stages.\"Review\".rework.probability",
        place(&text, "probability = 2", "2 }"),
        &["from 0 to 1"],
    );
    check(
        &d[2],
        "many.toml",
        "stages.\"Test\".workers",
        place(&text, "workers = 0", "0"),
        &["got 0"],
    );
    let all = Scenario::parse(&text, "many.toml").unwrap_err().to_string();
    assert!(all.ends_with("(3 problems in all)"), "{all}");
}

// ---------------------------------------------------------------------------------------------
// Probabilities and shares.

#[test]
fn rework_probability_above_one() {
    let text = edit(BASE, "probability = 0.2", "probability = 1.5");
    rejected(
        &text,
        "p15.toml",
        "stages.\"Review\".rework.probability",
        place(&text, "probability = 1.5", "1.5"),
        &["a probability must be a number from 0 to 1", "got 1.5"],
    );
}

#[test]
fn blocker_probability_below_zero() {
    let text = edit(BASE, "probability = 0.1", "probability = -0.1");
    rejected(
        &text,
        "pneg.toml",
        "stages.\"Development\".blockers.probability",
        place(&text, "probability = -0.1", "-0.1"),
        &["from 0 to 1", "got -0.1"],
    );
}

#[test]
fn share_outside_zero_to_one() {
    let text = edit(BASE, "share = 0.75", "share = 1.25");
    rejected(
        &text,
        "share.toml",
        "work_types.\"feature\".share",
        place(&text, "share = 1.25", "1.25"),
        &["a share", "from 0 to 1", "got 1.25"],
    );
}

#[test]
fn shares_that_do_not_add_up_to_one() {
    let text = edit(BASE, "share = 0.75", "share = 0.6");
    rejected(
        &text,
        "sum.toml",
        "work_types.\"feature\".share",
        place(&text, "share = 0.6", "0.6"),
        &[
            "must add up to 1",
            "add up to 0.85",
            "feature 0.6",
            "defect 0.25",
        ],
    );
}

#[test]
fn a_missing_share_among_several_work_types() {
    let text = edit(BASE, "share = 0.25\n", "");
    let d = problems(&text, "noshare.toml");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].key.as_deref(), Some("work_types.\"defect\".share"));
    assert!(d[0].message.contains("each needs a `share`"), "{}", d[0]);
    assert!(d[0].line.is_some() && d[0].column.is_some());
}

// ---------------------------------------------------------------------------------------------
// Distributions.

#[test]
fn lognormal_p90_not_above_median() {
    let text = edit(BASE, "median = 2, p90 = 5", "median = 2, p90 = 2");
    rejected(
        &text,
        "ln.toml",
        "stages.\"Development\".duration.p90",
        place(&text, "median = 2, p90 = 2", "2 }"),
        &["`p90` (2) must be greater than `median` (2)"],
    );
}

#[test]
fn uniform_min_above_max() {
    let text = edit(BASE, "min = 1, max = 3", "min = 4, max = 3");
    rejected(
        &text,
        "uni.toml",
        "stages.\"Approval\".duration.min",
        place(&text, "min = 4", "4"),
        &["`min` (4) must not be greater than `max` (3)"],
    );
}

#[test]
fn normal_with_negative_sd() {
    let text = edit(
        BASE,
        "{ dist = \"gamma\", mean = 1, sd = 0.5 }",
        "{ dist = \"normal\", mean = 1, sd = -0.5 }",
    );
    rejected(
        &text,
        "normal.toml",
        "stages.\"Test\".duration.sd",
        place(&text, "sd = -0.5", "-0.5"),
        &["`sd` must be 0 or more", "got -0.5"],
    );
}

#[test]
fn triangular_mode_outside_its_range() {
    let text = edit(BASE, "mode = 0.3", "mode = 3");
    rejected(
        &text,
        "tri.toml",
        "stages.\"Review\".duration.mode",
        place(&text, "mode = 3", "3"),
        &["`mode` (3) must lie between `min` (0.1) and `max` (1)"],
    );
}

#[test]
fn lognormal_with_the_parameters_of_another_distribution() {
    let text = edit(BASE, "median = 2, p90 = 5", "min = 2, max = 5");
    rejected(
        &text,
        "combo.toml",
        "stages.\"Development\".duration",
        place(&text, "min = 2, max = 5", "{"),
        &[
            "a lognormal distribution takes `median` + `p90`",
            "`mu` + `sigma`",
            "got `min`, `max`",
        ],
    );
}

#[test]
fn a_distribution_without_its_parameters() {
    let text = edit(
        BASE,
        "{ dist = \"exponential\", mean = 1 }",
        "{ dist = \"exponential\" }",
    );
    rejected(
        &text,
        "noparam.toml",
        "stages.\"Development\".blockers.duration",
        place(&text, "blockers", "{ dist = \"exponential\" }"),
        &[
            "an exponential distribution takes `mean`",
            "got no parameters",
        ],
    );
}

#[test]
fn unknown_distribution_name() {
    let text = edit(BASE, "dist = \"gamma\"", "dist = \"gama\"");
    rejected(
        &text,
        "distname.toml",
        "stages.\"Test\".duration.dist",
        place(&text, "\"gama\"", "\"gama\""),
        &[
            "unknown distribution \"gama\"",
            "did you mean \"gamma\"?",
            "\"lognormal\"",
            "\"empirical\"",
        ],
    );
}

#[test]
fn a_distribution_with_an_absurd_mean() {
    let text = edit(BASE, "median = 2, p90 = 5", "median = 2, p90 = 1e300");
    rejected(
        &text,
        "absurd.toml",
        "stages.\"Development\".duration",
        place(&text, "p90 = 1e300", "{"),
        &["too large", "at most 1000000000 days"],
    );
}

#[test]
fn nan_and_inf_are_refused_where_numbers_must_be_finite() {
    for (value, shown) in [("nan", "NaN"), ("inf", "inf"), ("-inf", "-inf")] {
        let text = edit(BASE, "mean = 0.25", &format!("mean = {value}"));
        rejected(
            &text,
            "nan.toml",
            "stages.\"Analysis\".duration_by_type.defect.mean",
            place(&text, &format!("mean = {value}"), value),
            &["`mean` must be a finite number", &format!("got {shown}")],
        );
        let text = edit(BASE, "rate = 0.5", &format!("rate = {value}"));
        rejected(
            &text,
            "nan.toml",
            "arrivals.rate",
            place(&text, "rate =", value),
            &["must be a number greater than 0", &format!("got {shown}")],
        );
        let text = edit(BASE, "probability = 0.2", &format!("probability = {value}"));
        rejected(
            &text,
            "nan.toml",
            "stages.\"Review\".rework.probability",
            place(&text, "rework", value),
            &["from 0 to 1"],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Arrivals and stop rules.

#[test]
fn no_arrivals_and_no_backlog() {
    let text = edit(BASE, "rate = 0.5\nbacklog = 5\n", "backlog = 0\n");
    rejected(
        &text,
        "nowork.toml",
        "arrivals",
        place(&text, "[arrivals]", "["),
        &["no work ever arrives", "`rate`", "`backlog`"],
    );
}

#[test]
fn no_arrivals_section_at_all() {
    let text = edit(BASE, "[arrivals]\nrate = 0.5\nbacklog = 5\n", "");
    let d = problems(&text, "noarrivals.toml");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].source, "noarrivals.toml");
    assert!(d[0].message.contains("no [arrivals] section"), "{}", d[0]);
    assert!(d[0].message.contains("rate = "), "{}", d[0]);
    assert!(
        d[0].to_string().starts_with("noarrivals.toml: "),
        "{}",
        d[0]
    );
}

#[test]
fn an_arrival_rate_with_no_stop_rule() {
    let text = edit(BASE, "items = 40\n", "");
    rejected(
        &text,
        "nostop.toml",
        "simulation.items",
        place(&text, "[simulation]", "["),
        &["say when a run stops", "`items = ", "`horizon = "],
    );
}

#[test]
fn both_items_and_horizon() {
    let text = edit(BASE, "items = 40\n", "items = 40\nhorizon = 100\n");
    rejected(
        &text,
        "both.toml",
        "simulation.items",
        place(&text, "items = 40", "40"),
        &["give one stop rule", "not both"],
    );
}

#[test]
fn items_fewer_than_the_backlog() {
    let text = edit(BASE, "items = 40", "items = 3");
    rejected(
        &text,
        "fewer.toml",
        "simulation.items",
        place(&text, "items = 3", "3"),
        &["cannot be smaller than the backlog (5)"],
    );
}

#[test]
fn items_beyond_the_backlog_when_nothing_else_arrives() {
    // Only the 5 items of the backlog ever arrive: 40 items could never be done.
    let text = edit(BASE, "rate = 0.5\n", "");
    rejected(
        &text,
        "backlogonly.toml",
        "simulation.items",
        place(&text, "items = 40", "40"),
        &["only the backlog (5) can ever be done", "set `items` to 5"],
    );
}

// ---------------------------------------------------------------------------------------------
// Loops and load.

#[test]
fn a_rework_loop_that_never_exits() {
    let text = edit(BASE, "probability = 0.2", "probability = 1");
    rejected(
        &text,
        "loop.toml",
        "stages.\"Review\".rework.probability",
        place(&text, "probability = 1 }", "1 }"),
        &["no item could ever leave the loop", "below 1"],
    );
}

#[test]
fn a_rework_loop_that_almost_never_exits() {
    // Not impossible, but an item would go round about ten million times: a run would take forever.
    let text = edit(BASE, "probability = 0.2", "probability = 0.9999999");
    rejected(
        &text,
        "almost.toml",
        "stages.\"Review\".rework.probability",
        place(&text, "probability = 0.9999999", "0.9999999"),
        &[
            "with rework probability 0.9999999 back to \"Development\"",
            "hardly ever leave the loop",
            "at most 1000 visits",
        ],
    );
}

#[test]
fn an_overloaded_stream_with_too_many_items_to_hold_is_refused() {
    // Test gets 2 people for items arriving at 4 a day each needing a day: offered load 200%. With
    // ten million items the queue would grow to millions of items.
    let text = edit(BASE, "rate = 0.5", "rate = 4");
    let text = edit(&text, "items = 40", "items = 10000000");
    let text = edit(&text, "people = 3", "people = 30");
    let text = edit(&text, "workers = 1\n", "workers = 10\n");
    let d = rejected(
        &text,
        "overload.toml",
        "simulation.items",
        place(&text, "items = 10000000", "10000000"),
        &[
            "stage \"Test\" is overloaded",
            "offered load 200%",
            "items = ",
            "at most",
        ],
    );
    assert!(d.message.contains("pile up"), "{d}");
}

// ---------------------------------------------------------------------------------------------
// Very large, zero and odd values.

#[test]
fn items_beyond_the_limit() {
    let text = edit(BASE, "items = 40", "items = 10000000000");
    rejected(
        &text,
        "items.toml",
        "simulation.items",
        place(&text, "items =", "10000000000"),
        &["`items` must be from 1 to 100000000", "got 10000000000"],
    );
}

#[test]
fn zero_runs() {
    let text = edit(BASE, "runs = 2", "runs = 0");
    rejected(
        &text,
        "runs.toml",
        "simulation.runs",
        place(&text, "runs = 0", "0"),
        &["`runs` must be from 1 to 10000000", "got 0"],
    );
}

#[test]
fn an_enormous_horizon() {
    let text = edit(BASE, "items = 40", "horizon = 1e300");
    rejected(
        &text,
        "horizon.toml",
        "simulation.horizon",
        place(&text, "horizon", "1e300"),
        &["at most 1000000000 days", "got 1.000e300"],
    );
}

#[test]
fn a_horizon_with_too_many_arrivals() {
    let text = edit(BASE, "items = 40", "horizon = 900000000");
    let text = edit(&text, "rate = 0.5", "rate = 1");
    rejected(
        &text,
        "arrivals.toml",
        "simulation.horizon",
        place(&text, "horizon", "900000000"),
        &[
            "about 900000000 items would arrive",
            "at most 100000000 are allowed",
        ],
    );
}

#[test]
fn a_cadence_of_zero() {
    let text = edit(BASE, "every = 5", "every = 0");
    rejected(
        &text,
        "every.toml",
        "stages.\"Deploy\".every",
        place(&text, "every = 0", "0"),
        &["`every`", "greater than 0", "got 0"],
    );
}

#[test]
fn a_tiny_arrival_rate() {
    let text = edit(BASE, "rate = 0.5", "rate = 1e-300");
    rejected(
        &text,
        "tiny.toml",
        "arrivals.rate",
        place(&text, "rate = 1e-300", "1e-300"),
        &["`rate` must be at least", "items per day"],
    );
}

#[test]
fn a_number_too_large_for_toml() {
    let text = edit(BASE, "rate = 0.5", "rate = 1e400");
    rejected(
        &text,
        "overflow.toml",
        "arrivals.rate",
        place(&text, "rate = 1e400", "1e400"),
        &["too large"],
    );
}

#[test]
fn a_huge_backlog() {
    let text = edit(BASE, "backlog = 5", "backlog = 50000000");
    let text = edit(&text, "items = 40", "items = 60000000");
    rejected(
        &text,
        "backlog.toml",
        "arrivals.backlog",
        place(&text, "backlog =", "50000000"),
        &["`backlog`", "must be from 0 to 200000"],
    );
}

#[test]
fn an_empty_stage_name() {
    let text = edit(BASE, "name = \"Test\"", "name = \"\"");
    rejected(
        &text,
        "noname.toml",
        "stages[3].name",
        place(&text, "name = \"\"", "\"\""),
        &["a stage needs a name"],
    );
}

#[test]
fn a_duplicate_stage_name() {
    let text = edit(BASE, "name = \"Test\"", "name = \"Review\"");
    let (line, col) = place(&text, "workers = 2", "workers");
    let d = rejected(
        &text,
        "dup.toml",
        "stages[3].name",
        (line - 1, col + 7),
        &[
            "the stage \"Review\" is defined twice",
            "names must be unique",
        ],
    );
    assert_eq!(d.line, Some(line - 1));
}

#[test]
fn an_empty_file() {
    let d = problems("", "empty.toml");
    assert!(d.iter().any(|p| p.message.contains("no stages")), "{d:?}");
    assert!(d.iter().all(|p| p.source == "empty.toml"));
}

// ---------------------------------------------------------------------------------------------
// Through the real binary: exit code 2, the message on stderr, nothing written.

fn run_cli(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(common::flowsim_bin())
        .args(args)
        .output()
        .expect("the flowsim binary runs")
}

/// Writes `text` to `name` in a fresh temp dir, runs `flowsim run` on it with `--out` inside that
/// dir, and returns (output, file path, out dir).
fn cli_run(test: &str, name: &str, text: &str) -> (Output, std::path::PathBuf, std::path::PathBuf) {
    let dir = common::temp_dir(test);
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    let out = dir.join("results");
    let o = run_cli(&[
        "run".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--runs".as_ref(),
        "2".as_ref(),
        "-q".as_ref(),
    ]);
    (o, file, out)
}

#[track_caller]
fn assert_invalid(o: &Output, out: &Path, head: &str, words: &[&str]) {
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "exit code, stderr:\n{stderr}");
    assert!(stderr.contains(head), "stderr lacks {head:?}:\n{stderr}");
    for w in words {
        assert!(stderr.contains(w), "stderr lacks {w:?}:\n{stderr}");
    }
    assert!(
        stderr.contains("no results were written"),
        "stderr:\n{stderr}"
    );
    assert!(
        o.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(
        !out.exists(),
        "the output directory {} was created",
        out.display()
    );
}

#[test]
fn cli_syntax_error_exits_2_and_writes_nothing() {
    let text = edit(BASE, "workers = 2\n", "workers = = 2\n");
    let (o, file, out) = cli_run("bad-syntax", "syntax.toml", &text);
    let (l, c) = place(&text, "workers = = 2", "= 2");
    assert_invalid(
        &o,
        &out,
        &format!(
            "{}:{l}:{c}: `stages.\"Test\".workers`: TOML syntax error",
            file.display()
        ),
        &["workers = = 2", "^"],
    );
}

#[test]
fn cli_unknown_key_exits_2_and_writes_nothing() {
    let text = edit(BASE, "workers = 2\n", "worker = 2\n");
    let (o, file, out) = cli_run("bad-key", "typo.toml", &text);
    let (l, c) = place(&text, "worker = 2", "worker");
    assert_invalid(
        &o,
        &out,
        &format!(
            "{}:{l}:{c}: `stages.\"Test\".worker`: unknown key",
            file.display()
        ),
        &["did you mean `workers`?"],
    );
}

#[test]
fn cli_invalid_values_exit_2_list_every_problem_and_write_nothing() {
    let text = edit(BASE, "people = 3", "people = 0");
    let text = edit(&text, "median = 2, p90 = 5", "median = 2, p90 = 1");
    let (o, file, out) = cli_run("bad-values", "values.toml", &text);
    let (l1, c1) = place(&text, "people = 0", "0");
    let (l2, c2) = place(&text, "p90 = 1 }", "1 }");
    assert_invalid(
        &o,
        &out,
        &format!(
            "{}:{l1}:{c1}: `teams.\"developers\".people`",
            file.display()
        ),
        &[
            &format!(
                "{}:{l2}:{c2}: `stages.\"Development\".duration.p90`",
                file.display()
            ),
            "must be greater than `median`",
            "(2 problems in all)",
        ],
    );
}

#[test]
fn cli_missing_file_is_a_clear_error() {
    let dir = common::temp_dir("missing-file");
    let file = dir.join("missing.toml");
    let out = dir.join("results");
    let o = run_cli(&[
        "run".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr:\n{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}: cannot read the scenario file",
            file.display()
        )),
        "{stderr}"
    );
    assert!(stderr.to_lowercase().contains("no such file"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn cli_overloaded_stream_warns_and_still_finishes() {
    // Test: 2 workers, items arriving at 4 a day (feature 0.75 + defect 0.25, each a mean of one
    // day's work): offered load 200%. The queue grows, but the run is bounded by `items`.
    let text = edit(BASE, "rate = 0.5", "rate = 4");
    let text = edit(&text, "items = 40", "items = 3000");
    let text = edit(&text, "people = 3", "people = 30");
    let text = edit(&text, "workers = 1\n", "workers = 10\n");
    let started = std::time::Instant::now();
    let (o, _, out) = cli_run("overload", "overload.toml", &text);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(
        stderr.contains("warning: stage \"Test\" is overloaded"),
        "{stderr}"
    );
    assert!(stderr.contains("offered load 200%"), "{stderr}");
    assert_eq!(
        stderr.matches("overloaded").count(),
        1,
        "only Test is overloaded:\n{stderr}"
    );
    for f in ["summary.json", "stages.csv", "lead_times.csv"] {
        let p = out.join(f);
        assert!(
            p.metadata().map(|m| m.len() > 0).unwrap_or(false),
            "{} missing",
            p.display()
        );
    }
    assert!(
        started.elapsed().as_secs() < 60,
        "the overloaded run took {:?}",
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------------------------
// Property: mutated scenarios never panic the parser, and those that parse simulate.

/// Replacements for a number in the scenario: zeros, negatives, NaN-like and huge values, types
/// that do not fit.
const NUMBERS: &[&str] = &[
    "0",
    "-1",
    "-0.5",
    "1",
    "0.999999",
    "2.5",
    "1e-300",
    "1e300",
    "-1e300",
    "1e400",
    "nan",
    "+inf",
    "-inf",
    "4294967296",
    "99999999999999999999",
    "\"x\"",
    "true",
    "[]",
    "{}",
];

/// Replacements that keep a scenario meaningful more often than not.
const PLAUSIBLE: &[&str] = &[
    "0", "1", "2", "3", "0.5", "0.01", "0.999", "1e-300", "1e6", "1e9", "100000", "3.7",
];

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Number(usize, usize),
    Truncate(usize),
    InsertChar(usize, char),
}

fn apply(text: &str, m: &Mutation) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let n = lines.len().max(1);
    let join = |v: Vec<&str>| v.join("\n") + "\n";
    match *m {
        Mutation::DeleteLine(i) => {
            let mut v = lines.clone();
            if !v.is_empty() {
                v.remove(i % n);
            }
            join(v)
        }
        Mutation::DuplicateLine(i) => {
            let mut v = lines.clone();
            if !v.is_empty() {
                v.insert(i % n, lines[i % n]);
            }
            join(v)
        }
        Mutation::SwapLines(i, j) => {
            let mut v = lines.clone();
            if !v.is_empty() {
                v.swap(i % n, j % n);
            }
            join(v)
        }
        Mutation::Number(which, with) => {
            // The spans of digits (with sign and decimal point) in the text.
            let bytes = text.as_bytes();
            let mut spans = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i].is_ascii_digit() {
                    let start = if i > 0 && bytes[i - 1] == b'-' {
                        i - 1
                    } else {
                        i
                    };
                    let mut end = i;
                    while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
                        end += 1;
                    }
                    spans.push(start..end);
                    i = end;
                } else {
                    i += 1;
                }
            }
            if spans.is_empty() {
                return text.to_string();
            }
            let s = spans[which % spans.len()].clone();
            format!(
                "{}{}{}",
                &text[..s.start],
                NUMBERS
                    .iter()
                    .chain(PLAUSIBLE)
                    .nth(with % (NUMBERS.len() + PLAUSIBLE.len()))
                    .expect("in range"),
                &text[s.end..]
            )
        }
        Mutation::Truncate(at) => {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text[..at].to_string()
        }
        Mutation::InsertChar(at, c) => {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            format!("{}{c}{}", &text[..at], &text[at..])
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => any::<usize>().prop_map(Mutation::DeleteLine),
        1 => any::<usize>().prop_map(Mutation::DuplicateLine),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Mutation::SwapLines(i, j)),
        4 => (any::<usize>(), any::<usize>()).prop_map(|(i, w)| Mutation::Number(i, w)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (
            any::<usize>(),
            prop::sample::select(vec!['=', '"', '[', ']', '{', '}', ',', '\n', '#', 'x', '.', '-', 'é'])
        )
            .prop_map(|(i, c)| Mutation::InsertChar(i, c)),
    ]
}

/// Parses a mutated scenario: an error must have problems with messages, sources and sane places;
/// a scenario that parses must simulate (two runs, a few items) without failing.
fn check_mutant(text: &str) -> Result<(), TestCaseError> {
    match Scenario::parse(text, "mutant.toml") {
        Err(e) => {
            prop_assert!(!e.problems.is_empty());
            for p in &e.problems {
                prop_assert!(!p.message.trim().is_empty(), "empty message for {:?}", p);
                prop_assert_eq!(&p.source, "mutant.toml");
                if let (Some(l), Some(c)) = (p.line, p.column) {
                    prop_assert!(
                        l >= 1 && c >= 1 && l <= text.lines().count().max(1) + 1,
                        "place {}:{} outside the text",
                        l,
                        c
                    );
                }
                // Printing never panics either.
                let _ = p.to_string();
            }
        }
        Ok(mut sc) => {
            // Keep the run short whatever the mutation did to the sizes.
            sc.arrivals.backlog = sc.arrivals.backlog.min(10);
            sc.simulation.warmup_items = 0;
            let items = match (&sc.arrivals.interval, sc.simulation.stop) {
                (None, _) => sc.arrivals.backlog,
                (Some(_), StopRule::Items(n)) => n.clamp(sc.arrivals.backlog.max(1), 60),
                (Some(_), StopRule::Horizon(_)) => 60,
            };
            sc.simulation.stop = StopRule::Items(items);
            let r = runner::simulate(
                &sc,
                RunOptions {
                    runs: Some(2),
                    seed: None,
                },
                &|_| {},
            );
            prop_assert!(r.is_ok(), "the run failed: {:?}\n{}", r.err(), text);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1000,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20_240_611),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_scenarios_never_panic(mutations in prop::collection::vec(mutation(), 1..4)) {
        let mut text = BASE.to_string();
        for m in &mutations {
            text = apply(&text, m);
        }
        check_mutant(&text)?;
    }

    /// Changes of one or two numbers to plausible values: many of these still parse, so the
    /// simulation side is exercised too.
    #[test]
    fn changed_numbers_parse_or_fail_cleanly_and_simulate(
        changes in prop::collection::vec((any::<usize>(), 0..PLAUSIBLE.len()), 1..3)
    ) {
        let mut text = BASE.to_string();
        for &(which, with) in &changes {
            text = apply(&text, &Mutation::Number(which, NUMBERS.len() + with));
        }
        check_mutant(&text)?;
    }
}

#[test]
fn settings_that_are_valid_but_probably_unintended_get_warnings() {
    let sc = common::scenario(
        r#"
        [arrivals]
        backlog = 5
        [[teams]]
        name = "idle team"
        people = 2
        [[stages]]
        name = "Build"
        workers = 3
        wip_limit = 1
        duration = { dist = "constant", value = 1 }
        "#,
    );
    let w = flowsim::scenario::traffic::analyse(&sc).warnings;
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].contains("\"Build\" has 3 workers but `wip_limit = 1`"),
        "{w:?}"
    );
    assert!(
        w[1].contains("team \"idle team\" is defined but no stage uses it"),
        "{w:?}"
    );
}
