//! `advise`: where is the bottleneck, and what single change would deliver sooner?
//!
//! It tries a standard set of single changes to the baseline: one more person at each stage with
//! people (one more in each team), 20% shorter work at each work stage, half the rework from each
//! stage that sends work back, releases twice as often at each cadence, each delay halved, and
//! each WIP limit one higher and one lower. Each is run with common random numbers against the
//! baseline and ranked by its effect on P85 lead time, with a 95% confidence interval.
//!
//! Method (screening, then refining): every change first runs with at most
//! [`SCREEN_RUNS`] replications. A change is screened out when even its most favourable bound is
//! worse than the least favourable bound of the leading change (its interval lies wholly above
//! the leader's), or when it makes P85 detectably worse than no change at all; it keeps its
//! screening estimate and is marked. The others are run again with all the runs. The
//! replications of the screening are the first ones of the full run, so nothing is wasted in
//! spirit, and the ranking of the refined changes rests on the full number of runs.

use super::{Candidate, common_options, run_all};
use crate::engine::EngineError;
use crate::metrics::compare::{Difference, difference};
use crate::metrics::summary::Distribution;
use crate::runner::{RunOptions, RunResult};
use crate::scenario::overlay::{Overlay, scale_distribution};
use crate::scenario::{Capacity, ScenarioFile, StageKind, TimeUnit};
use serde::{Deserialize, Serialize};
use toml::Value;

/// Replications each change runs with first, before clearly worse changes are dropped.
pub const SCREEN_RUNS: u32 = 200;

/// One candidate change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// In plain words: `one more worker at "Code review"`.
    pub label: String,
    /// The stage it is about (`None` for a team or the whole stream).
    pub stage: Option<String>,
    /// `capacity`, `faster_work`, `less_rework`, `more_frequent_releases`, `shorter_delay`,
    /// `wip_limit`.
    pub kind: String,
    pub overlay: Overlay,
}

fn set(path: &[&str], value: Value) -> Overlay {
    Overlay::default().with(path.iter().map(|s| s.to_string()).collect(), value)
}

/// The standard set of single changes for a scenario.
pub fn candidate_changes(file: &ScenarioFile) -> Vec<Change> {
    let sc = &file.baseline;
    let doc = file.document();
    let stage_tables: Vec<&toml::Table> = doc
        .get("stages")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_table).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut push = |label: String, stage: Option<&str>, kind: &str, overlay: Overlay| {
        out.push(Change {
            label,
            stage: stage.map(String::from),
            kind: kind.to_string(),
            overlay,
        });
    };
    // Capacity: teams first, then dedicated workers.
    for (t, team) in sc.teams.iter().enumerate() {
        let stages: Vec<&str> = sc
            .stages
            .iter()
            .filter(|st| st.kind == StageKind::Work(Capacity::Team(t)))
            .map(|st| st.name.as_str())
            .collect();
        if stages.is_empty() {
            continue;
        }
        push(
            format!(
                "one more person in team \"{}\" ({} instead of {}; works on {})",
                team.name,
                team.people + 1,
                team.people,
                stages.join(", ")
            ),
            None,
            "capacity",
            set(
                &["teams", &team.name, "people"],
                Value::Integer(i64::from(team.people) + 1),
            ),
        );
    }
    for (s, st) in sc.stages.iter().enumerate() {
        let name = st.name.as_str();
        let table = stage_tables.get(s).copied();
        if let StageKind::Work(Capacity::Workers(n)) = st.kind {
            push(
                format!("one more worker at \"{name}\" ({} instead of {n})", n + 1),
                Some(name),
                "capacity",
                set(
                    &["stages", name, "workers"],
                    Value::Integer(i64::from(n) + 1),
                ),
            );
        }
        // Shorter work (work stages) or a shorter delay (delay stages).
        let (factor, kind, words) = match st.kind {
            StageKind::Work(_) => (
                0.8,
                "faster_work",
                format!("20% shorter work at \"{name}\""),
            ),
            StageKind::Delay => (
                0.5,
                "shorter_delay",
                format!("\"{name}\" takes half as long"),
            ),
            StageKind::Cadence { .. } => (0.0, "", String::new()),
        };
        if factor > 0.0 {
            if let Some(t) = table {
                let mut overlay = Overlay::default();
                if let Some(Value::Table(d)) = t.get("duration") {
                    overlay = overlay.with(
                        vec!["stages".into(), name.into(), "duration".into()],
                        Value::Table(scale_distribution(d, factor)),
                    );
                }
                if let Some(Value::Table(by)) = t.get("duration_by_type") {
                    for (ty, d) in by {
                        if let Value::Table(d) = d {
                            overlay = overlay.with(
                                vec![
                                    "stages".into(),
                                    name.into(),
                                    "duration_by_type".into(),
                                    ty.clone(),
                                ],
                                Value::Table(scale_distribution(d, factor)),
                            );
                        }
                    }
                }
                if !overlay.set.is_empty() {
                    push(words, Some(name), kind, overlay);
                }
            }
        }
        if let Some(rw) = st.rework {
            push(
                format!(
                    "half the rework from \"{name}\" (probability {} instead of {})",
                    crate::dist::num(rw.probability / 2.0),
                    crate::dist::num(rw.probability)
                ),
                Some(name),
                "less_rework",
                set(
                    &["stages", name, "rework", "probability"],
                    Value::Float(rw.probability / 2.0),
                ),
            );
        }
        if let StageKind::Cadence { every, first } = st.kind {
            let mut overlay = set(&["stages", name, "every"], Value::Float(every / 2.0));
            if table.is_some_and(|t| t.contains_key("first")) {
                overlay = overlay.with(
                    vec!["stages".into(), name.into(), "first".into()],
                    Value::Float(first / 2.0),
                );
            }
            push(
                format!(
                    "releases twice as often at \"{name}\" (every {} instead of {})",
                    crate::dist::num(every / 2.0),
                    crate::dist::num(every)
                ),
                Some(name),
                "more_frequent_releases",
                overlay,
            );
        }
        if let Some(w) = st.wip_limit {
            for (delta, word) in [(1i64, "higher"), (-1, "lower")] {
                let new = i64::from(w) + delta;
                if new >= 1 {
                    push(
                        format!("WIP limit at \"{name}\" one {word} ({new} instead of {w})"),
                        Some(name),
                        "wip_limit",
                        set(&["stages", name, "wip_limit"], Value::Integer(new)),
                    );
                }
            }
        }
    }
    if let Some(w) = sc.wip_limit {
        for (delta, word) in [(1i64, "higher"), (-1, "lower")] {
            let new = i64::from(w) + delta;
            if new >= 1 {
                push(
                    format!("stream-wide WIP limit one {word} ({new} instead of {w})"),
                    None,
                    "wip_limit",
                    set(&["wip_limit"], Value::Integer(new)),
                );
            }
        }
    }
    out
}

/// One change and its effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advice {
    pub change: String,
    pub stage: Option<String>,
    pub kind: String,
    /// Effect on P85 lead time (change minus baseline: negative is sooner).
    pub p85: Difference,
    /// Effect on mean lead time.
    pub mean: Option<Difference>,
    /// P85 lead time with the change.
    pub p85_after: f64,
    /// Whether the 95% interval of the P85 effect excludes no change.
    pub distinguishable: bool,
    /// Replications behind the estimate.
    pub runs: u32,
    /// Dropped after screening as clearly worse than the leading change (or than no change).
    pub screened_out: bool,
    /// The bottleneck with the change.
    pub bottleneck: Option<String>,
    /// Set when the changed scenario could not be run (an invalid change); then the figures are
    /// NaN.
    pub skipped: Option<String>,
}

/// The content of `advise.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advise {
    pub flowsim_version: String,
    pub scenario: String,
    pub runs: u32,
    pub screen_runs: u32,
    pub seed: u64,
    pub time_unit: TimeUnit,
    pub baseline_lead_time: Option<Distribution>,
    pub bottleneck: Option<String>,
    pub bottleneck_reason: Option<String>,
    /// Best first: the largest reduction of P85 lead time first.
    pub changes: Vec<Advice>,
    /// The answer in a few sentences.
    pub summary: String,
    /// How the changes were tried and ranked.
    pub method: String,
}

/// Runs the candidate changes against the baseline and ranks them.
pub fn advise(
    file: &ScenarioFile,
    options: RunOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Advise, EngineError> {
    let options = common_options(&file.baseline, options);
    let runs = options.runs.unwrap_or(1);
    let screen = runs.min(SCREEN_RUNS);
    let changes = candidate_changes(file);
    let base = Candidate {
        label: "baseline".into(),
        scenario: file.baseline.clone(),
    };
    // Changes whose scenario is invalid (a WIP limit below what rework needs, say) are listed,
    // not run.
    let built: Vec<Result<Candidate, String>> = changes
        .iter()
        .map(|c| {
            file.with_overlay(&c.overlay, &c.label)
                .map(|scenario| Candidate {
                    label: c.label.clone(),
                    scenario,
                })
        })
        .collect();
    let runnable: Vec<usize> = (0..changes.len()).filter(|&i| built[i].is_ok()).collect();
    let mut cands = vec![base.clone()];
    cands.extend(
        runnable
            .iter()
            .map(|&i| built[i].clone().expect("runnable")),
    );

    let screen_opts = RunOptions {
        runs: Some(screen),
        ..options
    };
    let total = u64::from(screen) * cands.len() as u64;
    let screened = run_all(&cands, screen_opts, progress)?;
    let p85 = |s: &crate::metrics::Summary| s.lead_time.as_ref().map(|d| d.p85);
    let diff = |base: &RunResult, r: &RunResult| {
        difference(&base.summary, &base.batches, &r.summary, &r.batches, &p85)
    };
    let first: Vec<Option<Difference>> = screened[1..]
        .iter()
        .map(|r| diff(&screened[0], r))
        .collect();

    // Screening: keep changes that could still be the best, and are not detectably harmful.
    let leader_high = first
        .iter()
        .flatten()
        .min_by(|a, b| a.estimate.total_cmp(&b.estimate))
        .map_or(f64::INFINITY, |d| d.ci_high);
    let keep: Vec<bool> = first
        .iter()
        .map(|d| d.is_some_and(|d| d.ci_low <= leader_high && d.ci_low <= 0.0))
        .collect();
    let refined = if runs > screen {
        let mut again = vec![base];
        again.extend(
            cands[1..]
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(c, _)| c.clone()),
        );
        let offset = total;
        Some(run_all(&again, options, &|done| progress(offset + done))?)
    } else {
        None
    };

    let mut advice = Vec::new();
    let mut k = 0; // index into the refined runs (after the baseline)
    let mut r = 0; // index into the runnable changes
    for (i, change) in changes.iter().enumerate() {
        let row = |d: Option<Difference>,
                   mean: Option<Difference>,
                   res: &RunResult,
                   n: u32,
                   out: bool| {
            let nan = Difference {
                estimate: f64::NAN,
                ci_low: f64::NAN,
                ci_high: f64::NAN,
                se: None,
            };
            let d = d.unwrap_or(nan);
            Advice {
                change: change.label.clone(),
                stage: change.stage.clone(),
                kind: change.kind.clone(),
                p85: d,
                mean,
                p85_after: p85(&res.summary).unwrap_or(f64::NAN),
                distinguishable: d.distinguishable(),
                runs: n,
                screened_out: out,
                bottleneck: res.summary.bottleneck.clone(),
                skipped: None,
            }
        };
        let mean_of = |base: &RunResult, res: &RunResult| {
            difference(
                &base.summary,
                &base.batches,
                &res.summary,
                &res.batches,
                &|s| s.lead_time.as_ref().map(|d| d.mean),
            )
        };
        match &built[i] {
            Err(why) => advice.push(Advice {
                change: change.label.clone(),
                stage: change.stage.clone(),
                kind: change.kind.clone(),
                p85: Difference {
                    estimate: f64::NAN,
                    ci_low: f64::NAN,
                    ci_high: f64::NAN,
                    se: None,
                },
                mean: None,
                p85_after: f64::NAN,
                distinguishable: false,
                runs: 0,
                screened_out: false,
                bottleneck: None,
                skipped: Some(why.clone()),
            }),
            Ok(_) => {
                let s_res = &screened[r + 1];
                match (&refined, keep[r]) {
                    (Some(full), true) => {
                        k += 1;
                        let res = &full[k];
                        advice.push(row(
                            diff(&full[0], res),
                            mean_of(&full[0], res),
                            res,
                            runs,
                            false,
                        ));
                    }
                    (Some(_), false) => advice.push(row(
                        first[r],
                        mean_of(&screened[0], s_res),
                        s_res,
                        screen,
                        true,
                    )),
                    (None, _) => advice.push(row(
                        first[r],
                        mean_of(&screened[0], s_res),
                        s_res,
                        screen,
                        false,
                    )),
                }
                r += 1;
            }
        }
    }
    // Best first; changes that could not be run last.
    advice.sort_by(|a, b| {
        let key = |x: &Advice| {
            if x.p85.estimate.is_finite() {
                x.p85.estimate
            } else {
                f64::INFINITY
            }
        };
        key(a)
            .total_cmp(&key(b))
            .then_with(|| a.change.cmp(&b.change))
    });

    let base_summary = match &refined {
        Some(full) => &full[0].summary,
        None => &screened[0].summary,
    };
    let summary = words(base_summary, &advice);
    Ok(Advise {
        flowsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: file.baseline.name.clone(),
        runs,
        screen_runs: screen,
        seed: base_summary.seed,
        time_unit: base_summary.time_unit,
        baseline_lead_time: base_summary.lead_time.clone(),
        bottleneck: base_summary.bottleneck.clone(),
        bottleneck_reason: base_summary.bottleneck_reason.clone(),
        changes: advice,
        summary,
        method: format!(
            "Each change was run against the baseline with common random numbers (seed {}, the same replications). \
             All were first run with {screen} replications; a change was dropped from refinement when its 95% interval \
             for the effect on P85 lead time lay wholly above the leading change's, or wholly above zero (it makes things worse). \
             The others were run again with all {runs} replications. Intervals come from the paired differences of 20 batches of replications.",
            base_summary.seed
        ),
    })
}

/// The answer in a few sentences.
fn words(base: &crate::metrics::Summary, advice: &[Advice]) -> String {
    let unit = base.time_unit.plural();
    let mut out = String::new();
    if let (Some(b), Some(r)) = (&base.bottleneck, &base.bottleneck_reason) {
        out += &format!("The bottleneck is {b}: {r}. ");
    }
    let helpful: Vec<&Advice> = advice
        .iter()
        .filter(|a| a.distinguishable && a.p85.estimate < 0.0)
        .collect();
    match helpful.first() {
        Some(best) => {
            out += &format!(
                "The change that shortens P85 lead time the most is {}: {:.1} {unit} sooner (95% CI {:.1} to {:.1}).",
                best.change, -best.p85.estimate, -best.p85.ci_high, -best.p85.ci_low
            );
            if let Some(next) = helpful.get(1) {
                // Intervals that overlap: the ranking of the two is not settled by these runs.
                let tied = next.p85.ci_low <= best.p85.ci_high;
                out += &format!(
                    " {} {} ({:.1} {unit} sooner, 95% CI {:.1} to {:.1}){}",
                    if tied {
                        "Close behind, and not told apart from it by these runs:"
                    } else {
                        "Next:"
                    },
                    next.change,
                    -next.p85.estimate,
                    -next.p85.ci_high,
                    -next.p85.ci_low,
                    if tied {
                        "; more runs would separate them."
                    } else {
                        "."
                    }
                );
            }
        }
        None => out += "None of the changes tried shortens P85 lead time detectably.",
    }
    let tried = advice.iter().filter(|a| a.skipped.is_none()).count();
    let none = advice
        .iter()
        .filter(|a| a.skipped.is_none() && !a.distinguishable)
        .count();
    let worse = advice
        .iter()
        .filter(|a| a.distinguishable && a.p85.estimate > 0.0)
        .count();
    let verb = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    out += &format!(
        " Of the {tried} changes tried, {}, {} and {}.",
        verb(helpful.len(), "shortens it", "shorten it"),
        verb(
            none,
            "makes no detectable difference",
            "make no detectable difference"
        ),
        verb(worse, "makes it longer", "make it longer"),
    );
    out
}
