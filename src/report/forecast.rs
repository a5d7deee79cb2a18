//! The forecast in the terminal, and `forecast.csv`.

use crate::forecast::Forecast;
use std::fmt::Write;

fn se_days(se: Option<f64>) -> String {
    match se {
        Some(s) if s > 0.0 => format!(" ±{}", super::fmt_num(s)),
        _ => String::new(),
    }
}

/// The forecast as text: completion dates by likelihood, the chance by a date, items by a date,
/// features.
pub fn forecast_table(f: &Forecast) -> String {
    let mut out = String::new();
    let what = match (&f.features, f.items) {
        (Some(x), _) => format!("when will each of {} features be done?", x.len()),
        (None, Some(n)) => format!("when will {n} items be done?"),
        (None, None) => "how many items by then?".to_string(),
    };
    let _ = writeln!(
        out,
        "Forecast: {what} ({}; {} runs, seed {}; from {})\n",
        f.source, f.runs, f.seed, f.start
    );
    if let Some(dates) = &f.completion_date {
        let mut rows: Vec<(f64, &String, &crate::forecast::DatePercentile)> = dates
            .iter()
            .map(|(k, d)| (k[1..].parse::<f64>().unwrap_or(0.0), k, d))
            .collect();
        rows.sort_by(|a, b| a.0.total_cmp(&b.0));
        let _ = writeln!(
            out,
            "{:<12}{:<14}working days (± precision)",
            "Likelihood", "Done by"
        );
        for (p, _, d) in rows {
            let _ = writeln!(
                out,
                "{:<12}{:<14}{}{}",
                format!("{}%", crate::dist::num(p)),
                d.date,
                super::fmt_num(d.working_days),
                se_days(d.se_working_days)
            );
        }
        out.push('\n');
    }
    if let Some(p) = &f.probability_by {
        let _ = writeln!(
            out,
            "Chance to be done by {}: {:.1}% (±{:.1})",
            p.date,
            p.probability * 100.0,
            p.se * 100.0
        );
    }
    if let Some(b) = &f.items_by {
        let mut levels: Vec<(f64, u64)> = b
            .at_least
            .iter()
            .map(|(k, v)| (k[1..].parse::<f64>().unwrap_or(0.0), *v))
            .collect();
        levels.sort_by(|a, b| b.0.total_cmp(&a.0));
        let parts: Vec<String> = levels
            .iter()
            .map(|(p, n)| format!("{}% confidence: at least {n}", crate::dist::num(*p)))
            .collect();
        let _ = writeln!(
            out,
            "Items done by {} (mean {}): {}",
            b.date,
            super::fmt_num(b.mean),
            parts.join("; ")
        );
    }
    if let Some(features) = &f.features {
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
        let _ = writeln!(out, "Features, in the order they are worked:");
        let keys: Vec<String> = features
            .first()
            .map(|x| x.completion_date.keys().cloned().collect())
            .unwrap_or_default();
        let mut header = format!("{:<28}{:>8}{:>13}", "Feature", "items", "target");
        for k in &keys {
            let _ = write!(header, "{:>13}", k.to_uppercase());
        }
        let _ = writeln!(out, "{header}  at 85%");
        for x in features {
            let mut line = format!(
                "{:<28}{:>8}{:>13}",
                x.name,
                x.items,
                x.target.clone().unwrap_or_else(|| "-".into())
            );
            for k in &keys {
                let _ = write!(
                    line,
                    "{:>13}",
                    x.completion_date.get(k).map_or("-", |d| d.date.as_str())
                );
            }
            let verdict = match x.meets_target_at_85 {
                Some(true) => "meets target",
                Some(false) => "MISSES target",
                None => "",
            };
            let _ = writeln!(out, "{line}  {verdict}");
        }
    }
    for w in &f.warnings {
        let _ = writeln!(out, "\nwarning: {w}");
    }
    // One line break at the end, whichever part came last.
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// `forecast.csv`: one row per percentile (completion date), then one per confidence level of
/// the items done by the date, then one per feature and percentile.
pub fn forecast_csv(f: &Forecast) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "kind",
        "feature",
        "percentile",
        "date",
        "working_days",
        "working_days_se",
        "items_at_least",
    ])
    .expect("in memory");
    let num = |x: f64| x.to_string();
    if let Some(dates) = &f.completion_date {
        for (k, d) in dates {
            w.write_record([
                "completion_date",
                "",
                &k[1..],
                &d.date,
                &num(d.working_days),
                &d.se_working_days.map_or(String::new(), num),
                "",
            ])
            .expect("in memory");
        }
    }
    if let Some(b) = &f.items_by {
        for (k, n) in &b.at_least {
            w.write_record(["items_by", "", &k[1..], &b.date, "", "", &n.to_string()])
                .expect("in memory");
        }
    }
    if let Some(features) = &f.features {
        for x in features {
            for (k, d) in &x.completion_date {
                w.write_record([
                    "feature_completion_date",
                    &x.name,
                    &k[1..],
                    &d.date,
                    &num(d.working_days),
                    &d.se_working_days.map_or(String::new(), num),
                    "",
                ])
                .expect("in memory");
            }
        }
    }
    w.into_inner().expect("in memory")
}
