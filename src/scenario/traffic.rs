//! The load a stream puts on its stages, worked out from the scenario alone (no simulation):
//! expected visits per item (rework included, from the traffic equations), the work each item brings
//! to each stage, and the offered load (expected utilization) of every stage and team. This is how an
//! unstable stream (work arriving faster than people can do it) is detected before a run.

use super::{Capacity, Scenario, StageKind};

/// Expected load on one stage.
#[derive(Debug, Clone, PartialEq)]
pub struct StageLoad {
    /// Expected visits per item (1 without rework; 1/(1-p) for a stage that sends itself back).
    pub visits: f64,
    /// Expected time per item that the stage occupies a worker (work, plus blockers that hold the
    /// worker), over all visits.
    pub occupied_per_item: f64,
    /// Arrival rate x occupied time / people: the utilization the stage would have in the long run,
    /// when work keeps arriving. At or above 1 the stage cannot keep up. For a team's stage, the load
    /// of the whole team.
    pub offered_load: Option<f64>,
}

/// Load on every stage and team of a scenario, and warnings about overload.
#[derive(Debug, Clone)]
pub struct Traffic {
    pub stages: Vec<StageLoad>,
    /// Offered load per team (indexed like `Scenario::teams`), when work keeps arriving.
    pub teams: Vec<Option<f64>>,
    /// One sentence per overloaded stage or team.
    pub warnings: Vec<String>,
}

/// Expected visits per item to each stage: the solution of v = e_0 + P^T v, where an item leaves
/// stage s forward with probability 1 - p_s and goes back to its rework target with p_s.
pub fn expected_visits(sc: &Scenario) -> Vec<f64> {
    let n = sc.stages.len();
    // Build (I - P^T) v = e_0 as an augmented matrix.
    let mut m = vec![vec![0.0; n + 1]; n];
    for (i, row) in m.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    m[0][n] = 1.0;
    for (s, stage) in sc.stages.iter().enumerate() {
        let p = stage.rework.map_or(0.0, |r| r.probability);
        if s + 1 < n {
            m[s + 1][s] -= 1.0 - p;
        }
        if let Some(r) = stage.rework {
            m[r.to][s] -= p;
        }
    }
    // Gaussian elimination with partial pivoting (n is small).
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))
            .expect("non-empty");
        m.swap(col, pivot);
        let d = m[col][col];
        let pivot_row = m[col].clone();
        for (row, r) in m.iter_mut().enumerate() {
            if row != col && r[col] != 0.0 {
                let f = r[col] / d;
                for (x, p) in r[col..].iter_mut().zip(&pivot_row[col..]) {
                    *x -= f * p;
                }
            }
        }
    }
    (0..n).map(|i| m[i][n] / m[i][i]).collect()
}

/// A number with `decimals` decimals, or in scientific notation when it is huge (an absurd rate).
fn fixed(x: f64, decimals: usize) -> String {
    if x.is_finite() && x.abs() < 1e12 {
        format!("{x:.decimals$}")
    } else {
        format!("{x:.3e}")
    }
}

/// The most heavily loaded stage or team, described for messages (`stage "Test"`, or
/// `team "developers" (Development, Code review)`), with its offered load; `None` when work does
/// not keep arriving.
pub fn worst_load(sc: &Scenario, traffic: &Traffic) -> Option<(String, f64)> {
    let mut worst: Option<(String, f64)> = None;
    let mut consider = |what: String, load: f64| {
        if worst.as_ref().is_none_or(|(_, w)| load > *w) {
            worst = Some((what, load));
        }
    };
    for (s, st) in sc.stages.iter().enumerate() {
        if let (StageKind::Work(Capacity::Workers(_)), Some(load)) =
            (&st.kind, traffic.stages[s].offered_load)
        {
            consider(format!("stage \"{}\"", st.name), load);
        }
    }
    for (t, team) in sc.teams.iter().enumerate() {
        let members: Vec<&str> = sc
            .stages
            .iter()
            .filter(|st| st.kind == StageKind::Work(Capacity::Team(t)))
            .map(|st| st.name.as_str())
            .collect();
        if let (false, Some(load)) = (members.is_empty(), traffic.teams[t]) {
            consider(
                format!("team \"{}\" ({})", team.name, members.join(", ")),
                load,
            );
        }
    }
    worst
}

/// Settings that are valid but probably not what the user meant.
fn structure_warnings(sc: &Scenario) -> Vec<String> {
    let mut warnings = Vec::new();
    for st in &sc.stages {
        if let (StageKind::Work(Capacity::Workers(c)), Some(limit)) = (&st.kind, st.wip_limit) {
            if limit < *c {
                warnings.push(format!(
                    "stage \"{}\" has {c} workers but `wip_limit = {limit}`: at most {limit} can ever work there at once",
                    st.name
                ));
            }
        }
    }
    for (t, team) in sc.teams.iter().enumerate() {
        if !sc
            .stages
            .iter()
            .any(|st| st.kind == StageKind::Work(Capacity::Team(t)))
        {
            warnings.push(format!(
                "team \"{}\" is defined but no stage uses it (add `team = \"{}\"` to a stage)",
                team.name, team.name
            ));
        }
    }
    warnings
}

/// Works out the load of every stage and team.
pub fn analyse(sc: &Scenario) -> Traffic {
    let visits = expected_visits(sc);
    let rate = sc.arrivals.rate();
    let unit = sc.time_unit.singular();
    let mut stages: Vec<StageLoad> = sc
        .stages
        .iter()
        .zip(&visits)
        .map(|(st, &v)| {
            let work: f64 = sc
                .work_types
                .iter()
                .enumerate()
                .map(|(t, wt)| wt.share * st.duration_for(t).mean())
                .sum();
            let held = st
                .blockers
                .as_ref()
                .filter(|b| b.holds_worker)
                .map_or(0.0, |b| b.probability * b.duration.mean());
            StageLoad {
                visits: v,
                occupied_per_item: v * (work + held),
                offered_load: None,
            }
        })
        .collect();

    let mut teams = vec![None; sc.teams.len()];
    let mut warnings = structure_warnings(sc);
    let Some(rate) = rate else {
        return Traffic {
            stages,
            teams,
            warnings,
        };
    };
    for (t, team) in sc.teams.iter().enumerate() {
        let members: Vec<usize> = (0..sc.stages.len())
            .filter(|&s| sc.stages[s].kind == StageKind::Work(Capacity::Team(t)))
            .collect();
        let demand: f64 = members.iter().map(|&s| stages[s].occupied_per_item).sum();
        let load = rate * demand / f64::from(team.people);
        teams[t] = Some(load);
        if load >= 1.0 && !members.is_empty() {
            let names: Vec<&str> = members
                .iter()
                .map(|&s| sc.stages[s].name.as_str())
                .collect();
            warnings.push(format!(
                "team \"{}\" ({}) is overloaded: with {} items arriving per {unit} it is offered {} {} of work per {unit} \
                 but has {} people (offered load {}%); its queues grow for as long as work arrives, so \
                 results depend on how many items are simulated",
                team.name,
                names.join(", "),
                crate::dist::num(rate),
                fixed(rate * demand, 2),
                sc.time_unit.plural(),
                team.people,
                fixed(load * 100.0, 0)
            ));
        }
    }
    for (s, st) in sc.stages.iter().enumerate() {
        match st.kind {
            StageKind::Work(Capacity::Workers(c)) => {
                let load = rate * stages[s].occupied_per_item / f64::from(c);
                stages[s].offered_load = Some(load);
                if load >= 1.0 {
                    warnings.push(format!(
                        "stage \"{}\" is overloaded: with {} items arriving per {unit} it is offered {} worker-{} of work per {unit} \
                         but has {c} worker{} (offered load {}%); its queue grows for as long as work arrives, so \
                         results depend on how many items are simulated",
                        st.name,
                        crate::dist::num(rate),
                        fixed(rate * stages[s].occupied_per_item, 2),
                        sc.time_unit.plural(),
                        if c == 1 { "" } else { "s" },
                        fixed(load * 100.0, 0)
                    ));
                }
            }
            StageKind::Work(Capacity::Team(t)) => stages[s].offered_load = teams[t],
            _ => {}
        }
    }
    Traffic {
        stages,
        teams,
        warnings,
    }
}
