//! Tables and files for `compare`, `sweep` and `advise`: terminal text, CSV and JSON.

use super::table::columns;
use super::{fmt_num, fmt_pct};
use crate::whatif::advise::Advise;
use crate::whatif::compare::Comparison;
use crate::whatif::sweep::Sweep;
use std::fmt::Write;

/// Pretty JSON with a final newline.
pub fn json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).expect("results always serialize");
    out.push(b'\n');
    out
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), fmt_num)
}

/// `compare` in the terminal: the scenarios side by side, then each one's verdicts.
pub fn compare_table(c: &Comparison) -> String {
    let unit = c.time_unit.plural();
    let per = c.time_unit.singular();
    let mut out = format!(
        "Comparison of {} scenarios: {} runs each, seed {} (common random numbers; times in {unit})\n\n",
        c.scenarios.len(),
        c.runs,
        c.seed
    );
    let mut rows = vec![vec![
        "Scenario".to_string(),
        "P50".into(),
        "P85".into(),
        "P95".into(),
        "mean".into(),
        format!("items/{per}"),
        "flow eff.".into(),
        "WIP".into(),
        "bottleneck".into(),
    ]];
    for (i, s) in c.scenarios.iter().enumerate() {
        let l = s.lead_time.as_ref();
        rows.push(vec![
            if i == 0 {
                format!("{} (baseline)", s.name)
            } else {
                s.name.clone()
            },
            opt(l.map(|d| d.p50)),
            opt(l.map(|d| d.p85)),
            opt(l.map(|d| d.p95)),
            opt(l.map(|d| d.mean)),
            opt(s.throughput.map(|t| t.mean)),
            s.flow_efficiency
                .as_ref()
                .map_or("-".into(), |f| fmt_pct(f.ratio_of_sums)),
            opt(s.wip.as_ref().map(|w| w.mean)),
            s.bottleneck.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    out.push_str(&columns(&rows));
    out.push_str(&stage_table(c));
    for s in c.scenarios.iter().skip(1) {
        let _ = writeln!(out, "\n{} vs {}:", s.name, c.baseline);
        for v in &s.verdicts {
            let _ = writeln!(out, "  {v}");
        }
    }
    out
}

/// Per stage (rows, in the baseline's flow order and then stages only variants have),
/// utilization and mean wait of each scenario (columns).
fn stage_table(c: &Comparison) -> String {
    let mut header = vec!["Utilization / mean wait".to_string()];
    header.extend(c.scenarios.iter().map(|s| s.name.clone()));
    let mut rows = vec![header];
    for name in stage_names(c) {
        let mut row = vec![name.clone()];
        for s in &c.scenarios {
            row.push(match s.stages.iter().find(|st| st.name == name) {
                Some(st) => format!(
                    "{} / {}",
                    st.utilization.map_or("-".into(), fmt_pct),
                    fmt_num(st.mean_wait)
                ),
                None => "(no stage)".into(),
            });
        }
        rows.push(row);
    }
    format!("\n{}", columns(&rows))
}

/// Every stage name of the compared scenarios: the baseline's in flow order, then the others'.
fn stage_names(c: &Comparison) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in &c.scenarios {
        for st in &s.stages {
            if !names.contains(&st.name) {
                names.push(st.name.clone());
            }
        }
    }
    names
}

/// `compare.csv`: one row per scenario with its figures and its differences from the baseline.
pub fn compare_csv(c: &Comparison) -> Vec<u8> {
    let keys = [
        "mean",
        "p50",
        "p70",
        "p85",
        "p95",
        "throughput",
        "flow_efficiency",
        "wip",
    ];
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "scenario".to_string(),
        "lead_mean".into(),
        "lead_p50".into(),
        "lead_p70".into(),
        "lead_p85".into(),
        "lead_p95".into(),
        "throughput".into(),
        "flow_efficiency".into(),
        "wip".into(),
        "bottleneck".into(),
    ];
    for k in keys {
        header.push(format!("diff_{k}"));
        header.push(format!("diff_{k}_ci_low"));
        header.push(format!("diff_{k}_ci_high"));
    }
    let names = stage_names(c);
    for n in &names {
        header.push(format!("utilization:{n}"));
        header.push(format!("mean_wait:{n}"));
    }
    w.write_record(&header).expect("in memory");
    let cell = |v: Option<f64>| {
        v.filter(|x| x.is_finite())
            .map_or(String::new(), |x| x.to_string())
    };
    for s in &c.scenarios {
        let l = s.lead_time.as_ref();
        let mut row = vec![
            s.name.clone(),
            cell(l.map(|d| d.mean)),
            cell(l.map(|d| d.p50)),
            cell(l.map(|d| d.p70)),
            cell(l.map(|d| d.p85)),
            cell(l.map(|d| d.p95)),
            cell(s.throughput.map(|t| t.mean)),
            cell(s.flow_efficiency.as_ref().map(|f| f.ratio_of_sums)),
            cell(s.wip.as_ref().map(|w| w.mean)),
            s.bottleneck.clone().unwrap_or_default(),
        ];
        for k in keys {
            let d = s.difference.as_ref().and_then(|m| m.get(k));
            row.push(cell(d.map(|d| d.estimate)));
            row.push(cell(d.map(|d| d.ci_low)));
            row.push(cell(d.map(|d| d.ci_high)));
        }
        for n in &names {
            let st = s.stages.iter().find(|st| &st.name == n);
            row.push(cell(st.and_then(|st| st.utilization)));
            row.push(cell(st.map(|st| st.mean_wait)));
        }
        w.write_record(&row).expect("in memory");
    }
    w.into_inner().expect("in memory")
}

/// `sweep` in the terminal: one row per point.
pub fn sweep_table(s: &Sweep) -> String {
    let unit = s.time_unit.plural();
    let mut out = format!(
        "Sweep of {}: {} points, {} runs each, seed {} (common random numbers; lead times in {unit})\n\n",
        s.scenario,
        s.points.len(),
        s.runs,
        s.seed
    );
    let mut header: Vec<String> = s.parameters.iter().map(|(p, _)| p.clone()).collect();
    header.extend(
        ["P50", "P85", "P95", "mean", "bottleneck", "its utilization"]
            .iter()
            .map(|x| x.to_string()),
    );
    let mut rows = vec![header];
    for p in &s.points {
        let l = p.lead_time.as_ref();
        let mut row: Vec<String> = p
            .settings
            .iter()
            .map(|(_, v)| crate::dist::num(*v))
            .collect();
        let pm = |v: Option<f64>, se: Option<Option<f64>>| match (v, se.flatten()) {
            (Some(v), Some(se)) => format!("{} ±{}", fmt_num(v), fmt_num(se)),
            (Some(v), None) => fmt_num(v),
            _ => "-".into(),
        };
        row.push(pm(l.map(|d| d.p50), l.map(|d| d.p50_se)));
        row.push(pm(l.map(|d| d.p85), l.map(|d| d.p85_se)));
        row.push(pm(l.map(|d| d.p95), l.map(|d| d.p95_se)));
        row.push(opt(l.map(|d| d.mean)));
        row.push(p.bottleneck.clone().unwrap_or_else(|| "-".into()));
        row.push(p.bottleneck_utilization.map_or("-".into(), fmt_pct));
        rows.push(row);
    }
    out.push_str(&columns(&rows));
    out
}

/// `sweep.csv`: one row per point.
pub fn sweep_csv(s: &Sweep) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = s.parameters.iter().map(|(p, _)| p.clone()).collect();
    for h in [
        "lead_p50",
        "lead_p50_se",
        "lead_p85",
        "lead_p85_se",
        "lead_p95",
        "lead_p95_se",
        "lead_mean",
        "lead_mean_se",
        "throughput",
        "flow_efficiency",
        "wip",
        "bottleneck",
        "bottleneck_utilization",
    ] {
        header.push(h.to_string());
    }
    w.write_record(&header).expect("in memory");
    let cell = |v: Option<f64>| {
        v.filter(|x| x.is_finite())
            .map_or(String::new(), |x| x.to_string())
    };
    for p in &s.points {
        let l = p.lead_time.as_ref();
        let mut row: Vec<String> = p.settings.iter().map(|(_, v)| v.to_string()).collect();
        row.extend([
            cell(l.map(|d| d.p50)),
            cell(l.and_then(|d| d.p50_se)),
            cell(l.map(|d| d.p85)),
            cell(l.and_then(|d| d.p85_se)),
            cell(l.map(|d| d.p95)),
            cell(l.and_then(|d| d.p95_se)),
            cell(l.map(|d| d.mean)),
            cell(l.and_then(|d| d.mean_se)),
            cell(p.throughput.map(|t| t.mean)),
            cell(p.flow_efficiency),
            cell(p.wip),
            p.bottleneck.clone().unwrap_or_default(),
            cell(p.bottleneck_utilization),
        ]);
        w.write_record(&row).expect("in memory");
    }
    w.into_inner().expect("in memory")
}

/// `advise` in the terminal: the answer in words, then the ranked changes.
pub fn advise_table(a: &Advise) -> String {
    let unit = a.time_unit.plural();
    let mut out = String::new();
    if let Some(l) = &a.baseline_lead_time {
        let _ = writeln!(
            out,
            "{}: P85 lead time {} {unit} today ({} runs, seed {}).\n",
            a.scenario,
            fmt_num(l.p85),
            a.runs,
            a.seed
        );
    }
    let _ = writeln!(out, "{}\n", a.summary);
    let mut rows = vec![vec![
        "Change".to_string(),
        format!("P85 effect ({unit})"),
        "95% CI".into(),
        "P85 after".into(),
        "runs".into(),
        "".into(),
    ]];
    for c in &a.changes {
        let note = if let Some(why) = &c.skipped {
            format!("not run: {why}")
        } else if c.screened_out {
            "screened out".into()
        } else if !c.distinguishable {
            "no detectable difference".into()
        } else {
            String::new()
        };
        let finite = c.p85.estimate.is_finite();
        rows.push(vec![
            c.change.clone(),
            if finite {
                format!("{:+.2}", c.p85.estimate)
            } else {
                "-".into()
            },
            if finite && c.p85.se.is_some() {
                format!("{:+.2} to {:+.2}", c.p85.ci_low, c.p85.ci_high)
            } else {
                "-".into()
            },
            if c.p85_after.is_finite() {
                fmt_num(c.p85_after)
            } else {
                "-".into()
            },
            c.runs.to_string(),
            note,
        ]);
    }
    out.push_str(&columns(&rows));
    out
}

/// `advise.csv`: one row per change, best first.
pub fn advise_csv(a: &Advise) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "rank",
        "change",
        "stage",
        "kind",
        "p85_effect",
        "p85_ci_low",
        "p85_ci_high",
        "p85_after",
        "mean_effect",
        "distinguishable",
        "runs",
        "screened_out",
        "bottleneck_after",
        "not_run_because",
    ])
    .expect("in memory");
    let cell = |v: f64| {
        if v.is_finite() {
            v.to_string()
        } else {
            String::new()
        }
    };
    for (i, c) in a.changes.iter().enumerate() {
        w.write_record([
            (i + 1).to_string(),
            c.change.clone(),
            c.stage.clone().unwrap_or_default(),
            c.kind.clone(),
            cell(c.p85.estimate),
            cell(c.p85.ci_low),
            cell(c.p85.ci_high),
            cell(c.p85_after),
            c.mean.map_or(String::new(), |m| cell(m.estimate)),
            c.distinguishable.to_string(),
            c.runs.to_string(),
            c.screened_out.to_string(),
            c.bottleneck.clone().unwrap_or_default(),
            c.skipped.clone().unwrap_or_default(),
        ])
        .expect("in memory");
    }
    w.into_inner().expect("in memory")
}
