//! Raw structs to a validated [`Scenario`]: every range, name and combination checked once, all
//! problems collected (not just the first) and each located in the file.

use super::raw::{DistName, RawBlockers, RawDist, RawKind, RawRework, RawScenario, RawStage, S};
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

struct Checker<'a> {
    source: &'a str,
    text: &'a str,
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
        let p = *v.get_ref();
        if !(0.0..=1.0).contains(&p) {
            self.fail(
                v.span(),
                key,
                format!("a probability must be between 0 and 1, got {}", num(p)),
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
            let options: Vec<String> = forms.iter().map(|f| f.join(" + ")).collect();
            let got = if given.is_empty() {
                "no parameters".to_string()
            } else {
                given.join(", ")
            };
            self.fail(
                raw.span(),
                key,
                format!(
                    "a {dname} distribution takes {}; got {got}",
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
        match built {
            Ok(d) => Some(d),
            Err(e) => {
                // Point at the parameter the message names first, if any.
                let span =
                    e.0.split('`')
                        .nth(1)
                        .and_then(|n| params.iter().find(|(pn, _)| *pn == n))
                        .and_then(|(_, v)| v.map(|s| s.span()))
                        .or_else(|| r.samples.as_ref().map(|s| s.span()))
                        .unwrap_or_else(|| raw.span());
                self.fail(span, key, e.0);
                None
            }
        }
    }
}

pub fn validate(raw: RawScenario, text: &str, source: &str) -> Result<Scenario, ScenarioError> {
    let mut c = Checker {
        source,
        text,
        problems: Vec::new(),
    };
    let stem = std::path::Path::new(source)
        .file_stem()
        .map_or("scenario".to_string(), |s| s.to_string_lossy().into_owned());
    let name = raw
        .name
        .as_ref()
        .map_or(stem, |n| n.get_ref().trim().to_string());
    let time_unit = raw
        .time_unit
        .as_ref()
        .map_or(TimeUnit::Days, |t| *t.get_ref());
    let wip_limit = raw
        .wip_limit
        .as_ref()
        .and_then(|w| c.count(w, "wip_limit", "the stream-wide WIP limit"));

    // Work types.
    let mut work_types = Vec::new();
    let mut type_names = HashSet::new();
    let several = raw.work_types.len() > 1;
    for (i, wt) in raw.work_types.iter().enumerate() {
        let w = wt.get_ref();
        let tname = w.name.get_ref().trim().to_string();
        let key = format!("work_types[{i}]");
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
            Some(s) => c.probability(s, &format!("work_types.\"{tname}\".share")),
            None if several => {
                c.fail(
                    wt.span(),
                    format!("work_types.\"{tname}\".share"),
                    "with several work types each needs a `share` (the fraction of arrivals of that type, summing to 1)",
                );
                None
            }
            None => Some(1.0),
        };
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
        if (total - 1.0).abs() > 1e-9 && c.problems.is_empty() {
            let shares: Vec<String> = work_types
                .iter()
                .map(|w| format!("{} {}", w.name, num(w.share)))
                .collect();
            c.fail(
                raw.work_types[0].span(),
                "work_types.share",
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
        let people = c
            .count(&t.people, &format!("teams.\"{tname}\".people"), "`people`")
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
        if let Some(stage) = stage(&mut c, i, s, &stage_names, &teams, &work_types) {
            stages.push(stage);
        }
    }

    let (simulation, arrivals) = simulation_and_arrivals(&mut c, &raw);

    if c.problems.is_empty() {
        Ok(Scenario {
            name,
            description: raw.description.map(|d| d.into_inner()),
            time_unit,
            wip_limit,
            simulation: simulation.expect("checked"),
            arrivals: arrivals.expect("checked"),
            work_types,
            teams,
            stages,
        })
    } else {
        // Report problems in file order.
        c.problems
            .sort_by_key(|d| (d.line.unwrap_or(0), d.column.unwrap_or(0)));
        Err(ScenarioError {
            problems: c.problems,
        })
    }
}

fn stage(
    c: &mut Checker,
    index: usize,
    s: &S<RawStage>,
    names: &[String],
    teams: &[Team],
    work_types: &[super::WorkType],
) -> Option<Stage> {
    let r = s.get_ref();
    let name = &names[index];
    let key = |k: &str| format!("stages.\"{name}\".{k}");
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
                        let every = c.positive(e, &key("every"), "`every` (time between releases)");
                        let first = match &r.first {
                            Some(f) => {
                                let x = *f.get_ref();
                                if x.is_finite() && x >= 0.0 {
                                    Some(x)
                                } else {
                                    c.fail(
                                        f.span(),
                                        key("first"),
                                        format!("`first` (time of the first release) must be 0 or more, got {}", num(x)),
                                    );
                                    None
                                }
                            }
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
            let k = key(&format!("duration_by_type.{tname}"));
            match work_types.iter().position(|w| &w.name == tname) {
                Some(ti) => duration_by_type[ti] = c.dist(d, &k),
                None => {
                    let known: Vec<&str> = work_types.iter().map(|w| w.name.as_str()).collect();
                    c.fail(
                        d.span(),
                        k,
                        format!(
                            "unknown work type \"{tname}\"; defined work types: {}",
                            known.join(", ")
                        ),
                    );
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
    let blockers = r.blockers.as_ref().map(|b| blockers(c, name, b));
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
    let key = format!("stages.\"{name}\".rework");
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

fn blockers(c: &mut Checker, name: &str, b: &S<RawBlockers>) -> Option<Blockers> {
    let r = b.get_ref();
    let key = format!("stages.\"{name}\".blockers");
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
        c.int(b, "arrivals.backlog", 0, MAX_ITEMS, "`backlog`")
    });
    let interval = match a.map(|a| (&a.rate, &a.interval)) {
        Some((Some(rate), None)) => c
            .positive(rate, "arrivals.rate", "`rate` (items per time unit)")
            .and_then(|r| Dist::exponential(1.0 / r).ok())
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
            .positive(h, "simulation.horizon", "`horizon`")
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
                    "about {} items would arrive in one run; at most {MAX_ITEMS} are allowed: shorten the horizon",
                    expected.round()
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
