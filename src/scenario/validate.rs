//! Raw structs to a validated [`Scenario`]: every range, name and combination checked once, all
//! problems collected (not just the first) and each located in the file.

use super::raw::{DistName, RawBlockers, RawDist, RawKind, RawRework, RawScenario, RawStage, S};
use super::traffic;
use super::{
    Arrivals, Blockers, Capacity, Diagnostic, Rework, Scenario, ScenarioError, Simulation, Stage,
    StageKind, StopRule, Team, TimeKind, TimeUnit, WorkType, name_key,
};
use crate::dist::{Dist, num};
use std::collections::HashSet;
use std::ops::Range;

/// Largest accepted values, to keep runs bounded in time and memory.
const MAX_RUNS: i64 = 10_000_000;
const MAX_ITEMS: i64 = 100_000_000;
const MAX_PEOPLE: i64 = 1_000_000;
/// Largest accepted time (a horizon, a cadence, the mean of a duration), in the scenario's time unit.
/// Larger values are typos or meaningless, and keep every time in a run far from overflow.
const MAX_TIME: f64 = 1e9;
/// Most items one replication may hold in the stream at once: each takes memory (in every worker
/// thread), so a huge backlog or an overloaded stage whose queue grows without bound is refused.
pub const MAX_IN_STREAM: f64 = 200_000.0;
/// Most visits an item may make to one stage on average: rework probabilities close to 1 make
/// items go round a loop almost forever.
pub const MAX_VISITS: f64 = 1000.0;

struct Checker<'a> {
    source: &'a str,
    text: &'a str,
    /// The scenario's time unit (plural), for messages.
    unit: &'static str,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn fail(&mut self, span: Range<usize>, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Diagnostic::at(
            self.source,
            self.text,
            Some(span),
            Some(key.into()),
            message,
        ));
    }

    fn fail_nowhere(&mut self, message: impl Into<String>) {
        self.problems
            .push(Diagnostic::at(self.source, self.text, None, None, message));
    }

    /// An integer in `min..=max`.
    fn int(&mut self, v: &S<i64>, key: &str, min: i64, max: i64, what: &str) -> Option<i64> {
        let x = *v.get_ref();
        if x < min || x > max {
            let allowed = if max == i64::MAX {
                format!("at least {min}")
            } else {
                format!("from {min} to {max}")
            };
            self.fail(v.span(), key, format!("{what} must be {allowed}, got {x}"));
            None
        } else {
            Some(x)
        }
    }

    fn count(&mut self, v: &S<i64>, key: &str, what: &str) -> Option<u32> {
        self.int(v, key, 1, MAX_PEOPLE, what).map(|x| x as u32)
    }

    fn probability(&mut self, v: &S<f64>, key: &str) -> Option<f64> {
        self.fraction(v, key, "a probability")
    }

    /// A number from 0 to 1 (a probability or a share).
    fn fraction(&mut self, v: &S<f64>, key: &str, what: &str) -> Option<f64> {
        let p = *v.get_ref();
        if !(0.0..=1.0).contains(&p) {
            self.fail(
                v.span(),
                key,
                format!("{what} must be a number from 0 to 1, got {}", num(p)),
            );
            None
        } else {
            Some(p)
        }
    }

    fn positive(&mut self, v: &S<f64>, key: &str, what: &str) -> Option<f64> {
        let x = *v.get_ref();
        if !(x.is_finite() && x > 0.0) {
            self.fail(
                v.span(),
                key,
                format!("{what} must be a number greater than 0, got {}", num(x)),
            );
            None
        } else {
            Some(x)
        }
    }

    /// A time: a number greater than 0 (or 0 or more) and at most `MAX_TIME`.
    fn time(&mut self, v: &S<f64>, key: &str, what: &str, zero_ok: bool) -> Option<f64> {
        let x = *v.get_ref();
        let low_ok = if zero_ok { x >= 0.0 } else { x > 0.0 };
        if !(x.is_finite() && low_ok && x <= MAX_TIME) {
            let allowed = if zero_ok {
                format!("from 0 to {}", num(MAX_TIME))
            } else {
                format!("greater than 0 and at most {}", num(MAX_TIME))
            };
            self.fail(
                v.span(),
                key,
                format!(
                    "{what} must be a number {allowed} {}, got {}",
                    self.unit,
                    short(x)
                ),
            );
            None
        } else {
            Some(x)
        }
    }

    fn dist(&mut self, raw: &S<RawDist>, key: &str) -> Option<Dist> {
        let r = raw.get_ref();
        let params: [(&str, Option<&S<f64>>); 14] = [
            ("value", r.value.as_ref()),
            ("min", r.min.as_ref()),
            ("max", r.max.as_ref()),
            ("mode", r.mode.as_ref()),
            ("mean", r.mean.as_ref()),
            ("sd", r.sd.as_ref()),
            ("median", r.median.as_ref()),
            ("p85", r.p85.as_ref()),
            ("p90", r.p90.as_ref()),
            ("mu", r.mu.as_ref()),
            ("sigma", r.sigma.as_ref()),
            ("shape", r.shape.as_ref()),
            ("scale", r.scale.as_ref()),
            ("k", r.k.as_ref()),
        ];
        let mut given: Vec<&str> = params
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(n, _)| *n)
            .collect();
        if r.samples.is_some() {
            given.push("samples");
        }
        let name = *r.dist.get_ref();
        let forms: &[&[&str]] = match name {
            DistName::Constant => &[&["value"]],
            DistName::Uniform => &[&["min", "max"]],
            DistName::Triangular | DistName::Pert => &[&["min", "mode", "max"]],
            DistName::Exponential => &[&["mean"]],
            DistName::Normal => &[&["mean", "sd"]],
            DistName::Lognormal => &[
                &["median", "p90"],
                &["median", "p85"],
                &["mean", "sd"],
                &["mu", "sigma"],
            ],
            DistName::Gamma => &[&["mean", "sd"], &["shape", "scale"]],
            DistName::Weibull => &[&["shape", "scale"]],
            DistName::Erlang => &[&["k", "mean"]],
            DistName::Empirical => &[&["samples"]],
        };
        let matches =
            |form: &[&str]| form.len() == given.len() && form.iter().all(|p| given.contains(p));
        let Some(form) = forms.iter().copied().find(|f| matches(f)) else {
            let dname = format!("{name:?}").to_lowercase();
            let tick = |f: &[&str]| {
                f.iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(" + ")
            };
            let options: Vec<String> = forms.iter().map(|f| tick(f)).collect();
            let got = if given.is_empty() {
                "no parameters".to_string()
            } else {
                given
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let article = if dname.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            self.fail(
                raw.span(),
                key,
                format!(
                    "{article} {dname} distribution takes {}; got {got}",
                    options.join(", or ")
                ),
            );
            return None;
        };
        let p = |n: &str| {
            params
                .iter()
                .find(|(pn, _)| *pn == n)
                .and_then(|(_, v)| v.map(|s| *s.get_ref()))
                .unwrap_or(f64::NAN)
        };
        let built = match (name, form) {
            (DistName::Constant, _) => Dist::constant(p("value")),
            (DistName::Uniform, _) => Dist::uniform(p("min"), p("max")),
            (DistName::Triangular, _) => Dist::triangular(p("min"), p("mode"), p("max")),
            (DistName::Pert, _) => Dist::pert(p("min"), p("mode"), p("max")),
            (DistName::Exponential, _) => Dist::exponential(p("mean")),
            (DistName::Normal, _) => Dist::normal(p("mean"), p("sd")),
            (DistName::Lognormal, ["median", "p90"]) => {
                Dist::lognormal_median_p90(p("median"), p("p90"))
            }
            (DistName::Lognormal, ["median", "p85"]) => {
                Dist::lognormal_median_p85(p("median"), p("p85"))
            }
            (DistName::Lognormal, ["mean", "sd"]) => Dist::lognormal_mean_sd(p("mean"), p("sd")),
            (DistName::Lognormal, _) => Dist::lognormal(p("mu"), p("sigma")),
            (DistName::Gamma, ["mean", "sd"]) => Dist::gamma_mean_sd(p("mean"), p("sd")),
            (DistName::Gamma, _) => Dist::gamma(p("shape"), p("scale")),
            (DistName::Weibull, _) => Dist::weibull(p("shape"), p("scale")),
            (DistName::Erlang, _) => Dist::erlang(p("k"), p("mean")),
            (DistName::Empirical, _) => {
                Dist::empirical(r.samples.as_ref().map_or(&[][..], |s| s.get_ref()))
            }
        };
        let dname = format!("{name:?}").to_lowercase();
        match built {
            Ok(d) if !(d.mean().is_finite() && d.mean() <= MAX_TIME) => {
                self.fail(
                    raw.span(),
                    key,
                    format!(
                        "this {dname} distribution has a mean of {}, which is too large: durations must average at most {} {}; check the parameters",
                        short(d.mean()),
                        num(MAX_TIME),
                        self.unit
                    ),
                );
                None
            }
            Ok(d) => Some(d),
            Err(e) if !e.0.contains('`') => {
                // A message from the sampling library: the parameters are valid one by one but too
                // extreme together.
                self.fail(
                    raw.span(),
                    key,
                    format!(
                        "these parameters do not make a usable {dname} distribution ({}); they are too extreme together, use values closer to each other",
                        e.0
                    ),
                );
                None
            }
            Err(e) => {
                // Point at the parameter the message names first, if any.
                let named = e.0.split('`').nth(1).unwrap_or("");
                let (span, key) = match params
                    .iter()
                    .find(|(pn, _)| *pn == named)
                    .and_then(|(pn, v)| v.map(|s| (pn, s.span())))
                {
                    Some((pn, span)) => (span, format!("{key}.{pn}")),
                    None => match (&r.samples, named) {
                        (Some(s), "samples") => (s.span(), format!("{key}.samples")),
                        _ => (raw.span(), key.to_string()),
                    },
                };
                // The library prints numbers in full; a huge one is shortened (`-1.000e300`).
                let mut message = e.0;
                for (_, v) in &params {
                    if let Some(v) = v {
                        let full = v.get_ref().to_string();
                        if full.len() > 16 {
                            message = message.replace(&full, &short(*v.get_ref()));
                        }
                    }
                }
                self.fail(span, key, message);
                None
            }
        }
    }
}

pub fn validate(raw: RawScenario, text: &str, source: &str) -> Result<Scenario, ScenarioError> {
    let time_unit = raw
        .time_unit
        .as_ref()
        .map_or(TimeUnit::Days, |t| *t.get_ref());
    let mut c = Checker {
        source,
        text,
        unit: time_unit.plural(),
        problems: Vec::new(),
    };
    let stem = std::path::Path::new(source)
        .file_stem()
        .map_or("scenario".to_string(), |s| s.to_string_lossy().into_owned());
    let name = raw
        .name
        .as_ref()
        .map_or(stem, |n| n.get_ref().trim().to_string());
    let wip_limit = raw
        .wip_limit
        .as_ref()
        .and_then(|w| c.count(w, "wip_limit", "the stream-wide WIP limit"));

    // Work types.
    let mut work_types = Vec::new();
    let mut type_names = HashSet::new();
    let several = raw.work_types.len() > 1;
    let mut shares_ok = true;
    for (i, wt) in raw.work_types.iter().enumerate() {
        let w = wt.get_ref();
        let tname = w.name.get_ref().trim().to_string();
        let key = format!("work_types[{i}]");
        // Name keys by the work type's name when it has one (as the file's readers do).
        let named = if tname.is_empty() {
            key.clone()
        } else {
            format!("work_types.\"{tname}\"")
        };
        if tname.is_empty() {
            c.fail(
                w.name.span(),
                format!("{key}.name"),
                "a work type needs a name",
            );
        } else if !type_names.insert(tname.clone()) {
            c.fail(
                w.name.span(),
                format!("{key}.name"),
                format!("the work type \"{tname}\" is defined twice; names must be unique"),
            );
        }
        let share = match &w.share {
            Some(s) => c.fraction(
                s,
                &format!("{named}.share"),
                "a share (the fraction of arrivals of this type)",
            ),
            None if several => {
                c.fail(
                    wt.span(),
                    format!("{named}.share"),
                    "with several work types each needs a `share` (the fraction of arrivals of that type, summing to 1)",
                );
                None
            }
            None => Some(1.0),
        };
        shares_ok &= share.is_some();
        work_types.push(WorkType {
            name: tname,
            share: share.unwrap_or(0.0),
            priority: w.priority.as_ref().map_or(0, |p| *p.get_ref()),
        });
    }
    if work_types.is_empty() {
        work_types.push(WorkType {
            name: "item".into(),
            share: 1.0,
            priority: 0,
        });
    } else {
        let total: f64 = work_types.iter().map(|w| w.share).sum();
        // Only when every share is valid on its own (otherwise that error says enough).
        if (total - 1.0).abs() > 1e-9 && shares_ok {
            let shares: Vec<String> = work_types
                .iter()
                .map(|w| format!("{} {}", w.name, num(w.share)))
                .collect();
            // Point at the first share (the message lists them all).
            let first = raw.work_types[0].get_ref();
            let span = first
                .share
                .as_ref()
                .map_or_else(|| raw.work_types[0].span(), |s| s.span());
            c.fail(
                span,
                format!("work_types.\"{}\".share", work_types[0].name),
                format!(
                    "the shares of the work types must add up to 1, but they add up to {} ({})",
                    num(total),
                    shares.join(", ")
                ),
            );
        }
    }

    // Teams.
    let mut teams = Vec::new();
    for (i, t) in raw.teams.iter().enumerate() {
        let t = t.get_ref();
        let tname = t.name.get_ref().trim().to_string();
        if tname.is_empty() {
            c.fail(
                t.name.span(),
                format!("teams[{i}].name"),
                "a team needs a name",
            );
        } else if teams.iter().any(|x: &Team| x.name == tname) {
            c.fail(
                t.name.span(),
                format!("teams[{i}].name"),
                format!("the team \"{tname}\" is defined twice; names must be unique"),
            );
        }
        let named = if tname.is_empty() {
            format!("teams[{i}]")
        } else {
            format!("teams.\"{tname}\"")
        };
        let people = c
            .count(&t.people, &format!("{named}.people"), "`people`")
            .unwrap_or(1);
        teams.push(Team {
            name: tname,
            people,
        });
    }

    // Stages: names first, so that rework can refer to any of them.
    let stage_names: Vec<String> = raw
        .stages
        .iter()
        .map(|s| s.get_ref().name.get_ref().trim().to_string())
        .collect();
    if raw.stages.is_empty() {
        c.fail_nowhere(
            "the scenario has no stages: add at least one [[stages]] table with a `name` and a `duration`",
        );
    }
    for (i, s) in raw.stages.iter().enumerate() {
        let n = &stage_names[i];
        if n.is_empty() {
            c.fail(
                s.get_ref().name.span(),
                format!("stages[{i}].name"),
                "a stage needs a name",
            );
        } else if stage_names[..i].contains(n) {
            c.fail(
                s.get_ref().name.span(),
                format!("stages[{i}].name"),
                format!("the stage \"{n}\" is defined twice; names must be unique"),
            );
        }
    }
    let mut stages = Vec::new();
    for (i, s) in raw.stages.iter().enumerate() {
        let typed = !raw.work_types.is_empty();
        if let Some(stage) = stage(&mut c, i, s, &stage_names, &teams, &work_types, typed) {
            stages.push(stage);
        }
    }

    let (simulation, arrivals) = simulation_and_arrivals(&mut c, &raw);
    let calendar = raw.calendar.as_ref().and_then(|cal| calendar(&mut c, cal));
    let scope = raw
        .scope
        .as_ref()
        .map_or(Some(super::Scope::default()), |sc| scope(&mut c, sc));
    let scope = scope.unwrap_or_default();

    if c.problems.is_empty() {
        let scenario = Scenario {
            name,
            description: raw.description.as_ref().map(|d| d.get_ref().clone()),
            time_unit,
            wip_limit,
            simulation: simulation.expect("checked"),
            arrivals: arrivals.expect("checked"),
            work_types,
            teams,
            stages,
            calendar,
            scope,
            features: None,
        };
        check_flow(&mut c, &raw, &scenario);
        if c.problems.is_empty() {
            return Ok(scenario);
        }
    }
    // Report problems in file order.
    c.problems
        .sort_by_key(|d| (d.line.unwrap_or(0), d.column.unwrap_or(0)));
    Err(ScenarioError {
        problems: c.problems,
    })
}

/// How a stage is named in key paths: by its name, or by its position when it has none.
fn stage_key(index: usize, name: &str) -> String {
    if name.is_empty() {
        format!("stages[{index}]")
    } else {
        format!("stages.\"{name}\"")
    }
}

/// A table key as written in a path: bare when it can be, quoted otherwise.
fn quote_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
    {
        k.to_string()
    } else {
        format!("\"{k}\"")
    }
}

fn stage(
    c: &mut Checker,
    index: usize,
    s: &S<RawStage>,
    names: &[String],
    teams: &[Team],
    work_types: &[super::WorkType],
    typed: bool,
) -> Option<Stage> {
    let r = s.get_ref();
    let name = &names[index];
    let key = |k: &str| format!("{}.{k}", stage_key(index, name));
    let kind_raw = r.kind.as_ref().map_or(RawKind::Work, |k| *k.get_ref());
    let mut ok = true;

    let kind = match kind_raw {
        RawKind::Work => match (&r.workers, &r.team) {
            (Some(w), None) => c
                .count(w, &key("workers"), "`workers`")
                .map(|n| StageKind::Work(Capacity::Workers(n))),
            (None, Some(t)) => match teams.iter().position(|x| &x.name == t.get_ref()) {
                Some(ti) => Some(StageKind::Work(Capacity::Team(ti))),
                None => {
                    let known: Vec<&str> = teams.iter().map(|x| x.name.as_str()).collect();
                    let hint = super::error::did_you_mean(t.get_ref(), known.iter().copied())
                        .map(|m| format!(" (did you mean \"{m}\"?)"))
                        .unwrap_or_default();
                    let list = if known.is_empty() {
                        "no teams are defined; add a [[teams]] table with `name` and `people`"
                            .to_string()
                    } else {
                        format!("defined teams: {}", known.join(", "))
                    };
                    c.fail(
                        t.span(),
                        key("team"),
                        format!("unknown team \"{}\"{hint}; {list}", t.get_ref()),
                    );
                    None
                }
            },
            (Some(w), Some(_)) => {
                c.fail(
                    w.span(),
                    key("workers"),
                    "give either `workers` (people only for this stage) or `team` (a shared team), not both",
                );
                None
            }
            (None, None) => {
                c.fail(
                    s.span(),
                    key("workers"),
                    "a work stage needs `workers = N` (dedicated people) or `team = \"name\"` (a shared team); \
                     for a wait with no capacity limit use kind = \"delay\"",
                );
                None
            }
        },
        RawKind::Delay | RawKind::Cadence => {
            let kname = if kind_raw == RawKind::Delay {
                "delay"
            } else {
                "cadence"
            };
            for (k, span) in [
                ("workers", r.workers.as_ref().map(|w| w.span())),
                ("team", r.team.as_ref().map(|t| t.span())),
                ("blockers", r.blockers.as_ref().map(|b| b.span())),
            ] {
                if let Some(span) = span {
                    c.fail(
                        span,
                        key(k),
                        format!(
                            "a {kname} stage has no people, so `{k}` does not apply; use kind = \"work\" for a stage where people work"
                        ),
                    );
                    ok = false;
                }
            }
            if kind_raw == RawKind::Delay {
                Some(StageKind::Delay)
            } else {
                match &r.every {
                    Some(e) => {
                        let every = c.time(
                            e,
                            &key("every"),
                            "`every` (the time between releases)",
                            false,
                        );
                        let first = match &r.first {
                            Some(f) => c.time(
                                f,
                                &key("first"),
                                "`first` (the time of the first release)",
                                true,
                            ),
                            None => every,
                        };
                        match (every, first) {
                            (Some(every), Some(first)) => Some(StageKind::Cadence { every, first }),
                            _ => None,
                        }
                    }
                    None => {
                        c.fail(
                            s.span(),
                            key("every"),
                            "a cadence stage needs `every` (the time between releases, e.g. every = 14)",
                        );
                        None
                    }
                }
            }
        }
    };
    if kind_raw != RawKind::Cadence {
        for (k, v) in [("every", &r.every), ("first", &r.first)] {
            if let Some(v) = v {
                c.fail(
                    v.span(),
                    key(k),
                    format!("`{k}` only applies to kind = \"cadence\" stages"),
                );
                ok = false;
            }
        }
    }

    let counts_as = match (&r.counts_as, kind_raw) {
        (Some(t), RawKind::Work) => {
            if *t.get_ref() != TimeKind::Work {
                c.fail(
                    t.span(),
                    key("counts_as"),
                    "time at a work stage is always work; `counts_as` applies to delay and cadence stages",
                );
                ok = false;
            }
            TimeKind::Work
        }
        (Some(t), _) => *t.get_ref(),
        (None, RawKind::Delay) => TimeKind::Wait,
        (None, _) => TimeKind::Work,
    };

    let duration = match &r.duration {
        Some(d) => c.dist(d, &key("duration")),
        None if kind_raw == RawKind::Cadence => Some(Dist::constant(0.0).expect("valid")),
        None => {
            c.fail(
                s.span(),
                key("duration"),
                "missing `duration`, e.g. duration = { dist = \"lognormal\", median = 3, p90 = 8 }",
            );
            None
        }
    };

    let mut duration_by_type = vec![None; work_types.len()];
    if let Some(by) = &r.duration_by_type {
        for (tname, d) in by.get_ref() {
            let k = key(&format!("duration_by_type.{}", quote_key(tname)));
            match work_types.iter().position(|w| &w.name == tname) {
                Some(ti) => duration_by_type[ti] = c.dist(d, &k),
                None => {
                    let known: Vec<&str> = work_types.iter().map(|w| w.name.as_str()).collect();
                    let message = if typed {
                        let hint = super::error::did_you_mean(tname, known.iter().copied())
                            .map(|m| format!(" (did you mean \"{m}\"?)"))
                            .unwrap_or_default();
                        format!(
                            "unknown work type \"{tname}\"{hint}; defined work types: {}",
                            known.join(", ")
                        )
                    } else {
                        format!(
                            "unknown work type \"{tname}\"; no work types are defined: add [[work_types]] tables with `name` and `share`"
                        )
                    };
                    c.fail(d.span(), k, message);
                    ok = false;
                }
            }
        }
    }

    // An optional part: `None` when absent, `Some(None)` when present but wrong.
    let wip_limit = r
        .wip_limit
        .as_ref()
        .map(|w| c.count(w, &key("wip_limit"), "a stage's `wip_limit`"));
    let rework = r
        .rework
        .as_ref()
        .map(|rw| rework(c, index, name, rw, names));
    let blockers = r.blockers.as_ref().map(|b| blockers(c, index, name, b));
    if !ok
        || wip_limit.is_some_and(|w| w.is_none())
        || rework.as_ref().is_some_and(|x| x.is_none())
        || blockers.as_ref().is_some_and(|x| x.is_none())
    {
        return None;
    }
    Some(Stage {
        name: name.clone(),
        description: r.description.as_ref().map(|d| d.get_ref().clone()),
        kind: kind?,
        wip_limit: wip_limit.flatten(),
        duration: duration?,
        duration_by_type,
        rework: rework.flatten(),
        blockers: blockers.flatten(),
        counts_as,
        stream_key: name_key(name),
    })
}

fn rework(
    c: &mut Checker,
    index: usize,
    name: &str,
    rw: &S<RawRework>,
    names: &[String],
) -> Option<Rework> {
    let r = rw.get_ref();
    let key = format!("{}.rework", stage_key(index, name));
    let probability = c.probability(&r.probability, &format!("{key}.probability"));
    let target = r.to.get_ref();
    let to = match names.iter().position(|n| n == target) {
        Some(t) if t <= index => Some(t),
        Some(_) => {
            c.fail(
                r.to.span(),
                format!("{key}.to"),
                format!(
                    "rework must go back to this stage or an earlier one; \"{target}\" comes after \"{name}\""
                ),
            );
            None
        }
        None => {
            let earlier: Vec<&str> = names[..=index].iter().map(String::as_str).collect();
            let hint = super::error::did_you_mean(target, earlier.iter().copied())
                .map(|m| format!(" (did you mean \"{m}\"?)"))
                .unwrap_or_default();
            c.fail(
                r.to.span(),
                format!("{key}.to"),
                format!(
                    "unknown stage \"{target}\"{hint}; rework can go to: {}",
                    earlier.join(", ")
                ),
            );
            None
        }
    };
    let probability = probability?;
    if probability >= 1.0 {
        c.fail(
            r.probability.span(),
            format!("{key}.probability"),
            format!(
                "with probability 1 every item goes back to \"{target}\" after every visit, so no item could ever leave the loop; use a probability below 1"
            ),
        );
        return None;
    }
    Some(Rework {
        to: to?,
        probability,
    })
}

fn blockers(c: &mut Checker, index: usize, name: &str, b: &S<RawBlockers>) -> Option<Blockers> {
    let r = b.get_ref();
    let key = format!("{}.blockers", stage_key(index, name));
    let probability = c.probability(&r.probability, &format!("{key}.probability"));
    let duration = c.dist(&r.duration, &format!("{key}.duration"));
    Some(Blockers {
        probability: probability?,
        duration: duration?,
        holds_worker: r.holds_worker.as_ref().is_some_and(|h| *h.get_ref()),
    })
}

fn simulation_and_arrivals(
    c: &mut Checker,
    raw: &RawScenario,
) -> (Option<Simulation>, Option<Arrivals>) {
    let sim = raw.simulation.as_ref().map(|s| s.get_ref());
    let runs = sim.and_then(|s| s.runs.as_ref()).map_or(Some(1000), |r| {
        c.int(r, "simulation.runs", 1, MAX_RUNS, "`runs`")
    });
    let seed = sim.and_then(|s| s.seed.as_ref()).map_or(Some(1), |s| {
        c.int(s, "simulation.seed", 0, i64::MAX, "`seed`")
    });
    let warmup = sim
        .and_then(|s| s.warmup_items.as_ref())
        .map_or(Some(0), |w| {
            c.int(w, "simulation.warmup_items", 0, MAX_ITEMS, "`warmup_items`")
        });

    let arr = raw.arrivals.as_ref();
    let a = arr.map(|a| a.get_ref());
    let backlog = a.and_then(|a| a.backlog.as_ref()).map_or(Some(0), |b| {
        c.int(
            b,
            "arrivals.backlog",
            0,
            MAX_IN_STREAM as i64,
            "`backlog` (items waiting at the start, all held in memory at once)",
        )
    });
    let interval = match a.map(|a| (&a.rate, &a.interval)) {
        Some((Some(rate), None)) => c
            .positive(rate, "arrivals.rate", "`rate` (items per time unit)")
            .and_then(|r| {
                if 1.0 / r > MAX_TIME {
                    c.fail(
                        rate.span(),
                        "arrivals.rate",
                        format!(
                            "`rate` must be at least {} items per {} (one item in {} {}), got {}",
                            num(1.0 / MAX_TIME),
                            time_unit_singular(c.unit),
                            num(MAX_TIME),
                            c.unit,
                            num(r)
                        ),
                    );
                    return None;
                }
                Dist::exponential(1.0 / r).ok()
            })
            .map(Some),
        Some((None, Some(iv))) => c.dist(iv, "arrivals.interval").map(Some),
        Some((Some(rate), Some(_))) => {
            c.fail(
                rate.span(),
                "arrivals.rate",
                "give either `rate` (a Poisson stream) or `interval` (a distribution of the time between arrivals), not both",
            );
            None
        }
        _ => Some(None),
    };
    if let (Some(None), Some(0)) = (&interval, backlog) {
        let span = arr.map(|a| a.span());
        match span {
            Some(span) => c.fail(
                span,
                "arrivals",
                "no work ever arrives: give a `rate` (items per time unit), an `interval` distribution, or a `backlog` of items waiting at the start",
            ),
            None => c.fail_nowhere(
                "the scenario has no [arrivals] section: add one with `rate = ...` (items per time unit) and/or `backlog = N` (items waiting at the start)",
            ),
        }
    }
    if let Some(Some(iv)) = &interval {
        if iv.mean() <= 0.0 {
            c.fail(
                arr.expect("interval given").span(),
                "arrivals.interval",
                "the time between arrivals must have a mean above 0",
            );
        }
    }

    let items = sim.and_then(|s| s.items.as_ref());
    let horizon = sim.and_then(|s| s.horizon.as_ref());
    let stop = match (items, horizon) {
        (Some(i), None) => c
            .int(i, "simulation.items", 1, MAX_ITEMS, "`items`")
            .map(|n| StopRule::Items(n as u32)),
        (None, Some(h)) => c
            .time(
                h,
                "simulation.horizon",
                "`horizon` (the time one run simulates)",
                false,
            )
            .map(StopRule::Horizon),
        (Some(i), Some(_)) => {
            c.fail(
                i.span(),
                "simulation.items",
                "give one stop rule: `items` (this many arrive and finish) or `horizon` (simulate this much time), not both",
            );
            None
        }
        (None, None) => match (&interval, backlog) {
            (Some(None), Some(b)) if b > 0 => Some(StopRule::Items(b as u32)),
            (Some(Some(_)), _) => {
                let span = raw
                    .simulation
                    .as_ref()
                    .map(|s| s.span())
                    .or_else(|| arr.map(|a| a.span()));
                let msg = "work keeps arriving, so say when a run stops: `items = 500` (this many arrive and finish) or `horizon = 365` (simulate this much time) in [simulation]";
                match span {
                    Some(span) => c.fail(span, "simulation.items", msg),
                    None => c.fail_nowhere(msg),
                }
                None
            }
            _ => None,
        },
    };

    if let (Some(StopRule::Items(n)), Some(b)) = (stop, backlog) {
        if matches!(interval, Some(None)) && i64::from(n) > b && b > 0 {
            c.fail(
                items.expect("items given when they exceed the backlog").span(),
                "simulation.items",
                format!(
                    "no work arrives after the start (no `rate` or `interval` in [arrivals]), so only the backlog ({b}) can ever be done: \
                     set `items` to {b} or leave it out, or add an arrival `rate`"
                ),
            );
        }
        if i64::from(n) < b {
            c.fail(
                items.expect("items given when backlog exceeds them").span(),
                "simulation.items",
                format!(
                    "`items` ({n}) counts the backlog too, so it cannot be smaller than the backlog ({b})"
                ),
            );
        }
        if let (Some(w), Some(span)) = (warmup, sim.and_then(|s| s.warmup_items.as_ref())) {
            if w >= i64::from(n) {
                c.fail(
                    span.span(),
                    "simulation.warmup_items",
                    format!("`warmup_items` ({w}) must be smaller than `items` ({n}): otherwise no item is measured"),
                );
            }
        }
    }
    if let (Some(StopRule::Horizon(h)), Some(Some(iv))) = (stop, &interval) {
        let expected = h / iv.mean();
        if expected > MAX_ITEMS as f64 {
            c.fail(
                horizon.expect("horizon given").span(),
                "simulation.horizon",
                format!(
                    "about {} items would arrive in one run of {} {}; at most {MAX_ITEMS} are allowed: shorten the horizon",
                    num(expected.round()),
                    num(h),
                    c.unit
                ),
            );
        }
    }

    let simulation = match (runs, seed, stop, warmup) {
        (Some(runs), Some(seed), Some(stop), Some(w)) => Some(Simulation {
            runs: runs as u32,
            seed: seed as u64,
            stop,
            warmup_items: w as u32,
        }),
        _ => None,
    };
    let arrivals = match (interval, backlog) {
        (Some(interval), Some(b)) => Some(Arrivals {
            interval,
            backlog: b as u32,
        }),
        _ => None,
    };
    (simulation, arrivals)
}

/// A number for messages, short even when it is huge (`1.700e308`).
fn short(x: f64) -> String {
    if x.is_finite() && x.abs() >= 1e15 {
        format!("{x:.3e}")
    } else {
        num(x)
    }
}

/// "day" for "days".
fn time_unit_singular(plural: &str) -> &str {
    plural.strip_suffix('s').unwrap_or(plural)
}

/// Checks that need the whole validated stream: rework loops that items hardly ever leave, and
/// queues that would grow past what a run can hold in memory.
fn check_flow(c: &mut Checker, raw: &RawScenario, sc: &Scenario) {
    // Rework: expected visits per item, from the traffic equations.
    let visits = traffic::expected_visits(sc);
    let worst = (0..visits.len()).max_by(|&a, &b| {
        let key = |v: f64| if v.is_finite() { v } else { f64::INFINITY };
        key(visits[a]).total_cmp(&key(visits[b]))
    });
    if let Some(s) = worst.filter(|&s| !(visits[s].is_finite() && visits[s] <= MAX_VISITS)) {
        // The loop that covers this stage with the highest probability is the one to change.
        let culprit = (0..sc.stages.len())
            .filter_map(|j| sc.stages[j].rework.map(|r| (j, r)))
            .filter(|(j, r)| r.to <= s && s <= *j)
            .max_by(|a, b| a.1.probability.total_cmp(&b.1.probability));
        if let Some((j, r)) = culprit {
            let span = raw.stages[j]
                .get_ref()
                .rework
                .as_ref()
                .map(|rw| rw.get_ref().probability.span())
                .unwrap_or_else(|| raw.stages[j].span());
            let shown = if visits[s].is_finite() {
                format!("about {} times", num(visits[s].round()))
            } else {
                "endlessly".to_string()
            };
            c.fail(
                span,
                format!("{}.rework.probability", stage_key(j, &sc.stages[j].name)),
                format!(
                    "with rework probability {} back to \"{}\", an item would visit \"{}\" {shown} on average and hardly ever leave the loop; \
                     at most {} visits per item on average are allowed: use a lower probability",
                    r.probability,
                    sc.stages[r.to].name,
                    sc.stages[s].name,
                    num(MAX_VISITS)
                ),
            );
        }
        return;
    }

    // Overload: the queue of a stage that cannot keep up grows with every item that arrives.
    let Some(rate) = sc.arrivals.rate() else {
        return;
    };
    let Some((what, load)) = traffic::worst_load(sc, &traffic::analyse(sc)) else {
        return;
    };
    if load <= 1.0 {
        return;
    }
    let sim = raw.simulation.as_ref().map(|s| s.get_ref());
    let backlog = f64::from(sc.arrivals.backlog);
    let (arriving, span, key) = match sc.simulation.stop {
        StopRule::Items(n) => (
            f64::from(n) - backlog,
            sim.and_then(|s| s.items.as_ref()).map(|i| i.span()),
            "simulation.items",
        ),
        StopRule::Horizon(h) => (
            rate * h,
            sim.and_then(|s| s.horizon.as_ref()).map(|h| h.span()),
            "simulation.horizon",
        ),
    };
    let growth = arriving * (1.0 - 1.0 / load);
    if backlog + growth <= MAX_IN_STREAM {
        return;
    }
    let fewer = match sc.simulation.stop {
        StopRule::Items(_) => format!(
            "simulate fewer items (items = {} at most)",
            num(((MAX_IN_STREAM - backlog) / (1.0 - 1.0 / load) + backlog).floor())
        ),
        StopRule::Horizon(_) => format!(
            "simulate a shorter time (horizon = {} at most)",
            num((MAX_IN_STREAM - backlog) / (1.0 - 1.0 / load) / rate)
        ),
    };
    let message = format!(
        "{what} is overloaded (offered load {:.0}%: work arrives faster than it can be done), so about {} items would pile up \
         in its queue during one run, more than the {} a run can hold; {fewer}, or add capacity or lower the arrival rate",
        load * 100.0,
        num(growth.round()),
        num(MAX_IN_STREAM)
    );
    match span {
        Some(span) => c.fail(span, key, message),
        None => c.fail_nowhere(message),
    }
}

/// A date written as a TOML date (`2027-01-04`) or as text (`"2027-01-04"`).
fn toml_date(v: &toml::Value) -> Result<jiff::civil::Date, String> {
    let text = match v {
        toml::Value::Datetime(d) => {
            if d.time.is_some() || d.offset.is_some() {
                return Err(format!(
                    "`{d}` has a time of day; give a date only, e.g. 2027-01-04"
                ));
            }
            d.to_string()
        }
        toml::Value::String(s) => s.clone(),
        other => {
            return Err(format!(
                "expected a date such as 2027-01-04, got {}",
                other.type_str()
            ));
        }
    };
    crate::calendar::parse_date(&text).map_err(|e| e.0)
}

/// The index (Monday 0) of a day of the week written as `mon` or `monday`, any case.
pub(crate) fn weekday_index(text: &str) -> Option<usize> {
    const FULL: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let name = text.trim().to_lowercase();
    let short: String = name.chars().take(3).collect();
    let i = crate::calendar::DAY_NAMES
        .iter()
        .position(|n| *n == short)?;
    (name.len() == 3 || FULL[i] == name).then_some(i)
}

/// The days of a holiday: a date (TOML or text), or a range as text `"2027-12-24..2027-12-31"`
/// (both ends included).
pub(crate) fn holiday_dates(v: &toml::Value) -> Result<Vec<jiff::civil::Date>, String> {
    match v {
        toml::Value::String(s) if s.contains("..") => {
            let (a, b) = s.split_once("..").expect("checked");
            match (
                crate::calendar::parse_date(a),
                crate::calendar::parse_date(b),
            ) {
                (Ok(a), Ok(b)) if a <= b => {
                    let mut days = Vec::new();
                    let mut d = a;
                    while d <= b {
                        days.push(d);
                        match d.tomorrow() {
                            Ok(n) => d = n,
                            Err(_) => break,
                        }
                    }
                    Ok(days)
                }
                (Ok(_), Ok(_)) => Err(format!("the range `{s}` ends before it starts")),
                (Err(e), _) | (_, Err(e)) => Err(e.0),
            }
        }
        v => toml_date(v).map(|d| vec![d]),
    }
}

fn calendar(c: &mut Checker, raw: &S<super::raw::RawCalendar>) -> Option<super::CalendarSpec> {
    let r = raw.get_ref();
    let mut ok = true;
    let start = match &r.start {
        Some(v) => match toml_date(v.get_ref()) {
            Ok(d) => Some(d),
            Err(e) => {
                c.fail(v.span(), "calendar.start", e);
                ok = false;
                None
            }
        },
        None => None,
    };
    let mut working = [true, true, true, true, true, false, false];
    if let Some(days) = &r.working_days {
        working = [false; 7];
        for d in days.get_ref() {
            match weekday_index(d.get_ref()) {
                Some(i) => working[i] = true,
                None => {
                    c.fail(
                        d.span(),
                        "calendar.working_days",
                        format!(
                            "`{}` is not a day of the week; write mon, tue, wed, thu, fri, sat or sun",
                            d.get_ref()
                        ),
                    );
                    ok = false;
                }
            }
        }
        if ok && !working.iter().any(|w| *w) {
            c.fail(
                days.span(),
                "calendar.working_days",
                "list at least one working day, e.g. [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]",
            );
            ok = false;
        }
    }
    let mut holidays = std::collections::BTreeSet::new();
    if let Some(list) = &r.holidays {
        for h in list.get_ref() {
            let parsed = holiday_dates(h.get_ref()).map(|ds| holidays.extend(ds));
            if let Err(e) = parsed {
                c.fail(
                    h.span(),
                    "calendar.holidays",
                    format!("{e}; holidays are dates (2027-12-25) or ranges as text (\"2027-12-24..2027-12-31\")"),
                );
                ok = false;
            }
        }
    }
    let hours_per_day = match &r.hours_per_day {
        Some(h) => {
            let x = *h.get_ref();
            if x.is_finite() && x > 0.0 && x <= 24.0 {
                x
            } else {
                c.fail(
                    h.span(),
                    "calendar.hours_per_day",
                    format!(
                        "`hours_per_day` must be more than 0 and at most 24, got {}",
                        num(x)
                    ),
                );
                ok = false;
                8.0
            }
        }
        None => 8.0,
    };
    ok.then_some(super::CalendarSpec {
        start,
        working,
        holidays,
        hours_per_day,
    })
}

fn scope(c: &mut Checker, raw: &S<super::raw::RawScope>) -> Option<super::Scope> {
    let r = raw.get_ref();
    let mut ok = true;
    let split = r.split.as_ref().and_then(|sp| {
        let s = sp.get_ref();
        let into: Vec<i64> = s.into.get_ref().iter().map(|x| *x.get_ref()).collect();
        if into.is_empty() {
            c.fail(
                s.into.span(),
                "scope.split.into",
                "list how many items an item can turn out to be, e.g. into = [1, 2, 3]",
            );
            ok = false;
            return None;
        }
        for x in s.into.get_ref() {
            if !(1..=1000).contains(x.get_ref()) {
                c.fail(
                    x.span(),
                    "scope.split.into",
                    format!("an item turns into 1 to 1000 items, got {}", x.get_ref()),
                );
                ok = false;
            }
        }
        let weights: Vec<f64> = match &s.weights {
            Some(w) => {
                if w.get_ref().len() != into.len() {
                    c.fail(
                        w.span(),
                        "scope.split.weights",
                        format!(
                            "`weights` needs one weight per value of `into` ({}), got {}",
                            into.len(),
                            w.get_ref().len()
                        ),
                    );
                    ok = false;
                    return None;
                }
                for x in w.get_ref() {
                    let v = *x.get_ref();
                    if !(v.is_finite() && v >= 0.0) {
                        c.fail(
                            x.span(),
                            "scope.split.weights",
                            format!("a weight must be 0 or more, got {}", num(v)),
                        );
                        ok = false;
                    }
                }
                w.get_ref().iter().map(|x| *x.get_ref()).collect()
            }
            None => vec![1.0; into.len()],
        };
        let total: f64 = weights.iter().sum();
        if total.is_nan() || total <= 0.0 {
            c.fail(
                sp.span(),
                "scope.split.weights",
                "the weights add up to 0; give at least one a positive weight",
            );
            ok = false;
            return None;
        }
        let mut acc = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                acc += w / total;
                acc
            })
            .collect();
        Some(super::Split {
            into: into.iter().map(|&x| x.clamp(1, 1000) as u32).collect(),
            cumulative,
        })
    });
    let discovery_rate = r.discovery_rate.as_ref().and_then(|d| {
        let x = *d.get_ref();
        if x.is_finite() && x > 0.0 && x <= 1e9 {
            Some(x)
        } else {
            c.fail(
                d.span(),
                "scope.discovery_rate",
                format!(
                    "`discovery_rate` (new items per time unit) must be a number above 0, got {}",
                    num(x)
                ),
            );
            ok = false;
            None
        }
    });
    ok.then_some(super::Scope {
        split,
        discovery_rate,
    })
}
