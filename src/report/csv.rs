//! `stages.csv` (one row per stage) and `lead_times.csv` (lead-time percentiles 1..99 and a
//! histogram), for spreadsheets.

use crate::metrics::{Histogram, Summary};

fn opt(v: Option<f64>) -> String {
    v.filter(|x| x.is_finite())
        .map_or(String::new(), |x| x.to_string())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    w.into_inner().expect("writing to memory cannot fail")
}

/// One row per stage, in flow order. Times are in the scenario's unit, per item (all visits).
pub fn stages_csv(summary: &Summary) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "stage",
        "kind",
        "workers",
        "team",
        "wip_limit",
        "utilization",
        "busy_share",
        "offered_load",
        "mean_wait",
        "wait_p50",
        "wait_p85",
        "wait_p95",
        "wait_queue",
        "wait_blocked",
        "wait_blocker",
        "wait_cadence",
        "wait_delay",
        "mean_work",
        "mean_queue",
        "mean_in_stage",
        "visits_per_item",
        "bottleneck",
    ])
    .expect("in memory");
    for s in &summary.stages {
        let b = &s.wait_breakdown;
        w.write_record([
            s.name.clone(),
            s.kind.clone(),
            s.workers.map_or(String::new(), |x| x.to_string()),
            s.team.clone().unwrap_or_default(),
            s.wip_limit.map_or(String::new(), |x| x.to_string()),
            opt(s.utilization),
            opt(s.busy_share),
            opt(s.offered_load),
            opt(Some(s.mean_wait)),
            opt(Some(s.wait.p50)),
            opt(Some(s.wait.p85)),
            opt(Some(s.wait.p95)),
            opt(Some(b.queue)),
            opt(Some(b.blocked)),
            opt(Some(b.blocker)),
            opt(Some(b.cadence)),
            opt(Some(b.delay)),
            opt(Some(s.mean_work)),
            opt(Some(s.mean_queue)),
            opt(Some(s.mean_in_stage)),
            opt(Some(s.visits_per_item)),
            (summary.bottleneck.as_deref() == Some(s.name.as_str())).to_string(),
        ])
        .expect("in memory");
    }
    finish(w)
}

/// A "nice" bin width (1, 2 or 5 times a power of ten) giving at most `max_bins` bins up to `top`.
pub fn nice_width(top: f64, max_bins: usize) -> f64 {
    let raw = top / max_bins as f64;
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|w| *w >= raw)
        .unwrap_or(10.0 * p)
}

/// Lead-time percentiles 1..99 (rows of kind `percentile`) and a histogram of equal-width bins
/// from 0 (rows of kind `histogram`; the last bin holds everything from its start up to the
/// maximum). Counts are items over all replications.
pub fn lead_times_csv(lead: &Histogram) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "kind",
        "percentile",
        "lead_time",
        "bin_start",
        "bin_end",
        "items",
        "share",
        "cumulative_share",
    ])
    .expect("in memory");
    if lead.is_empty() {
        return finish(w);
    }
    for p in 1..=99 {
        let v = lead.quantile(f64::from(p) / 100.0).expect("non-empty");
        w.write_record([
            "percentile".to_string(),
            p.to_string(),
            v.to_string(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ])
        .expect("in memory");
    }
    let total = lead.count() as f64;
    let max = lead.max().expect("non-empty");
    let top = lead
        .quantile(0.999)
        .expect("non-empty")
        .max(f64::MIN_POSITIVE);
    let width = nice_width(top, 40);
    let bins = ((top / width).ceil() as usize).max(1);
    let mut below = 0.0;
    for i in 0..bins {
        let start = width * i as f64;
        let last = i + 1 == bins;
        let end = if last {
            max.max(start + width)
        } else {
            start + width
        };
        let upto = if last { total } else { lead.count_below(end) };
        let items = (upto - below).max(0.0);
        below = upto;
        w.write_record([
            "histogram".to_string(),
            String::new(),
            String::new(),
            start.to_string(),
            end.to_string(),
            format!("{}", items.round()),
            (items / total).to_string(),
            (upto / total).to_string(),
        ])
        .expect("in memory");
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_widths() {
        assert_eq!(nice_width(100.0, 40), 5.0);
        assert_eq!(nice_width(7.0, 40), 0.2);
        assert_eq!(nice_width(40.0, 40), 1.0);
    }

    #[test]
    fn histogram_rows_add_up_to_all_items() {
        let mut h = Histogram::new();
        for i in 0..1000 {
            h.record(f64::from(i % 97) * 0.37);
        }
        let text = String::from_utf8(lead_times_csv(&h)).unwrap();
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(rows.iter().filter(|r| &r[0] == "percentile").count(), 99);
        let items: f64 = rows
            .iter()
            .filter(|r| &r[0] == "histogram")
            .map(|r| r[5].parse::<f64>().unwrap())
            .sum();
        assert!((items - 1000.0).abs() <= 1.0, "{items}");
        let last = rows.last().unwrap();
        assert_eq!(&last[7], "1");
    }
}
