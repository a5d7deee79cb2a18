//! The compact text summary printed after a run.

use super::{fmt_num, fmt_pct};
use crate::metrics::Summary;
use crate::metrics::summary::Distribution;
use std::fmt::Write;

/// A value and its standard error, both rounded to the two significant digits of the error:
/// `34.56 ±0.32`, `430.6 ±1.0`.
fn pm(v: f64, se: Option<f64>) -> String {
    match se {
        Some(se) if se > 0.0 && se.is_finite() && v.is_finite() => {
            let d = (1.0 - se.log10().floor()).clamp(0.0, 6.0) as usize;
            format!("{v:.d$} ±{se:.d$}")
        }
        _ => fmt_num(v),
    }
}

fn percentiles(d: &Distribution, with_p70: bool) -> String {
    let mut parts = vec![format!("P50 {}", pm(d.p50, d.p50_se))];
    if with_p70 {
        parts.push(format!("P70 {}", pm(d.p70, d.p70_se)));
    }
    parts.push(format!("P85 {}", pm(d.p85, d.p85_se)));
    parts.push(format!("P95 {}", pm(d.p95, d.p95_se)));
    parts.push(format!("mean {}", pm(d.mean, d.mean_se)));
    parts.join("   ")
}

/// Lays out rows of cells in columns, the first left-aligned and the rest right-aligned.
pub(super) fn columns(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..n)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c == 0 {
                let _ = write!(line, "{cell:<w$}", w = widths[c]);
            } else {
                let _ = write!(line, "  {cell:>w$}", w = widths[c]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The summary as text for a terminal: headline figures, then one row per stage. Warnings are
/// left to the caller (they belong on standard error).
pub fn summary_table(s: &Summary) -> String {
    let unit = s.time_unit.plural();
    let per = s.time_unit.singular();
    let mut out = String::new();
    let stop = match (s.stop_rule.items, s.stop_rule.horizon) {
        (Some(n), _) => format!("{n} items each"),
        (_, Some(h)) => format!("{} {unit} each", fmt_num(h)),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "{}: {} runs of {stop}, seed {} (times in {unit}; ± is one standard error)",
        s.scenario, s.runs, s.seed
    );
    out.push('\n');
    let mut head: Vec<Vec<String>> = Vec::new();
    if let Some(d) = &s.lead_time {
        head.push(vec![
            "Lead time (arrival to done)".into(),
            percentiles(d, true),
        ]);
    }
    if let (Some(d), Some(b)) = (&s.cycle_time, &s.backlog_wait) {
        if b.mean > 0.0 {
            head.push(vec![
                "Cycle time (start to done)".into(),
                percentiles(d, true),
            ]);
        }
    }
    if let Some(f) = &s.flow_efficiency {
        head.push(vec![
            "Flow efficiency".into(),
            format!(
                "{} of all lead time is work (mean per item {})",
                fmt_pct(f.ratio_of_sums),
                fmt_pct(f.mean_of_ratios)
            ),
        ]);
    }
    if let (Some(t), Some(w)) = (&s.throughput, &s.wip) {
        head.push(vec![
            "Throughput and WIP".into(),
            format!(
                "{} items per {per}; {} items in the stream on average",
                fmt_num(t.mean),
                fmt_num(w.mean)
            ),
        ]);
    }
    if let Some(m) = &s.makespan {
        head.push(vec!["All items done after".into(), percentiles(m, false)]);
    }
    if let Some(u) = &s.unfinished_at_end {
        head.push(vec![
            "Unfinished at the horizon".into(),
            format!("{} items on average", fmt_num(u.mean)),
        ]);
    }
    if let (Some(b), Some(r)) = (&s.bottleneck, &s.bottleneck_reason) {
        head.push(vec!["Bottleneck (<)".into(), format!("{b}: {r}")]);
    }
    for r in &head {
        let _ = writeln!(out, "{:<28} {}", r[0], r[1]);
    }
    out.push('\n');

    let lead = s.lead_time.as_ref().map_or(f64::NAN, |l| l.mean);
    let share = |t: f64| fmt_pct(t / lead);
    let mut rows = vec![vec![
        "Stage".to_string(),
        "people".into(),
        "utilization".into(),
        "mean wait".into(),
        "P85 wait".into(),
        "mean work".into(),
        "of lead time".into(),
        "mean queue".into(),
        "visits".into(),
    ]];
    if let (Some(b), Some(w)) = (&s.backlog_wait, &s.wip) {
        if b.mean > 0.0 {
            rows.push(vec![
                "(backlog)".into(),
                String::new(),
                "-".into(),
                fmt_num(b.mean),
                "-".into(),
                "-".into(),
                share(b.mean),
                fmt_num(w.backlog),
                String::new(),
            ]);
        }
    }
    for st in &s.stages {
        let people = match (&st.team, st.workers) {
            (Some(t), _) => t.clone(),
            (None, Some(w)) => w.to_string(),
            _ => st.kind.clone(),
        };
        let mark = if s.bottleneck.as_deref() == Some(st.name.as_str()) {
            " <"
        } else {
            ""
        };
        rows.push(vec![
            format!("{}{mark}", st.name),
            people,
            st.utilization.map_or("-".into(), fmt_pct),
            fmt_num(st.mean_wait),
            fmt_num(st.wait.p85),
            fmt_num(st.mean_work),
            share(st.mean_wait + st.mean_work),
            fmt_num(st.mean_queue),
            fmt_num(st.visits_per_item),
        ]);
    }
    out.push_str(&columns(&rows));
    if s.work_types.len() > 1 {
        out.push('\n');
        let mut rows = vec![vec![
            "Work type".to_string(),
            "share".into(),
            "priority".into(),
            "P50 lead".into(),
            "P85 lead".into(),
            "P95 lead".into(),
            "mean lead".into(),
        ]];
        for t in &s.work_types {
            let l = t.lead_time.as_ref();
            rows.push(vec![
                t.name.clone(),
                fmt_pct(t.share),
                t.priority.to_string(),
                l.map_or("-".into(), |l| fmt_num(l.p50)),
                l.map_or("-".into(), |l| fmt_num(l.p85)),
                l.map_or("-".into(), |l| fmt_num(l.p95)),
                l.map_or("-".into(), |l| fmt_num(l.mean)),
            ]);
        }
        out.push_str(&columns(&rows));
    }
    out
}
