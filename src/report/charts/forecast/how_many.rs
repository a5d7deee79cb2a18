//! "How Many": the share of runs by the number of items done by the `--by` date, with "at least
//! N" marked at each confidence level; the bars at or above the 85% count (the runs that reach
//! it) stand out.

use super::super::Spec;
use super::super::canvas::*;
use super::*;
use crate::forecast::ItemsBy;

/// Most bars drawn; wider ranges of counts are grouped.
const MAX_BARS: u64 = 120;

/// Confidence levels with their counts, highest level first.
fn levels(b: &ItemsBy) -> Vec<(f64, u64)> {
    let mut v: Vec<(f64, u64)> = b
        .at_least
        .iter()
        .map(|(k, n)| (level(k), *n))
        .filter(|(p, _)| p.is_finite())
        .collect();
    v.sort_by(|a, b| b.0.total_cmp(&a.0));
    v
}

/// The level to stand out: 85% when reported, else the highest.
fn main_level(b: &ItemsBy) -> Option<(f64, u64)> {
    let l = levels(b);
    let ps: Vec<f64> = l.iter().map(|x| x.0).collect();
    let c = commitment(&ps)?;
    l.into_iter().find(|x| x.0 == c)
}

pub(super) fn spec(f: &Forecast) -> Spec {
    let Some(b) = &f.items_by else {
        return Spec {
            title: "How many items by the date?".into(),
            how_to_read: String::new(),
        };
    };
    let main = main_level(b)
        .map(|(p, n)| {
            format!(
                "; the bars at and right of the {} line hold {} of the runs, so with {} confidence at least {} will be done",
                level_pct(p),
                level_pct(p),
                level_pct(p),
                items(n)
            )
        })
        .unwrap_or_default();
    Spec {
        title: format!("How many items will be done by {}?", long(&b.date)),
        how_to_read: format!(
            "Each bar is the share of the {} simulated runs that had that many items done by the end of {}{main}; the other dashed lines give the same at other confidence levels.",
            grouped(u64::from(f.runs)),
            long(&b.date)
        ),
    }
}

fn subtitle(f: &Forecast, b: &ItemsBy) -> String {
    let mut s = format!("{}, starting {}.", source_words(f), long(&f.start));
    if let Some((p, n)) = main_level(b) {
        s += &format!(
            " With {} confidence at least {} by {}",
            level_pct(p),
            items(n),
            long(&b.date)
        );
        s += &format!(" (mean {}).", num(b.mean));
    }
    s
}

pub(super) fn draw<DB: DrawingBackend>(f: &Forecast, spec: &Spec, root: &Area<DB>) -> Res {
    let Some(b) = &f.items_by else {
        let page = Page::new(root, &spec.title, &[])?;
        return page.message(&["No count of items by a date was asked for.".into()]);
    };
    let mut page = Page::new(root, &spec.title, &[subtitle(f, b)])?;
    let dist: Vec<(u64, u64)> = b.distribution.iter().copied().filter(|d| d.1 > 0).collect();
    let (Some(lo), Some(hi)) = (
        dist.iter().map(|d| d.0).min(),
        dist.iter().map(|d| d.0).max(),
    ) else {
        return page.message(&["No run was counted.".into()]);
    };
    let main = main_level(b);
    let total: u64 = dist.iter().map(|d| d.1).sum();

    // Bars of `width` counts each, from a multiple of the width.
    let width = {
        let span = hi - lo + 1;
        let mut w = 1;
        for m in [1u64, 2, 5] {
            let mut k = m;
            while span.div_ceil(k) > MAX_BARS {
                k *= 10;
            }
            if m == 1 || k < w {
                w = k;
            }
        }
        w
    };
    let mut bins: BTreeMap<u64, u64> = BTreeMap::new();
    for &(c, n) in &dist {
        *bins.entry(c / width * width).or_default() += n;
    }

    let mut keys = Vec::new();
    if let Some((_, n)) = main {
        let reached: u64 = dist.iter().filter(|d| d.0 >= n).map(|d| d.1).sum();
        keys.push(key(
            boxed(BLUE),
            format!(
                "Runs with at least {} done ({} of runs)",
                grouped(n),
                pct(reached as f64 / total.max(1) as f64)
            ),
        ));
        if reached < total {
            keys.push(key(boxed(LIGHT_BLUE), "Runs with fewer"));
        }
    }
    keys.push(key(
        Swatch::Dashed(MUTED),
        "At least this many, at each confidence level",
    ));
    page.legend(&keys)?;
    let mut notes = vec![format!(
        "Items done by the end of {}, across {}. {}",
        long(&b.date),
        runs_words(f),
        if width == 1 {
            "Each bar is one count of items.".to_string()
        } else {
            format!("Each bar groups {} counts.", grouped(width))
        }
    )];
    if let (Some(n), true) = (f.items, f.source.starts_with("scenario")) {
        notes.push(format!(
            "Each run stops when the {} asked about are done (with any parts they split into and work discovered), so counts stop there too.",
            items(n)
        ));
    }
    notes.extend(common_notes(f));
    page.notes(&notes)?;

    // Levels with the same count share a marker: "50% to 95%: at least 25".
    let mut merged: Vec<(f64, f64, u64)> = Vec::new();
    for (p, n) in levels(b) {
        match merged.last_mut() {
            Some(last) if last.2 == n => last.1 = p,
            _ => merged.push((p, p, n)),
        }
    }
    let marks: Vec<Marker> = merged
        .iter()
        .map(|&(hi_level, lo_level, n)| Marker {
            label: if hi_level == lo_level {
                format!("{}: at least {}", level_pct(hi_level), grouped(n))
            } else {
                format!(
                    "{} to {}: at least {}",
                    level_pct(lo_level),
                    level_pct(hi_level),
                    grouped(n)
                )
            },
            // The left edge of the bar for n: runs right of it did at least n.
            x: n as f64 - 0.5,
            color: level_color(hi_level),
            solid: false,
        })
        .collect();
    let mut xlo = lo as f64 - 0.5;
    let mut xhi = (hi / width * width + width) as f64 - 0.5;
    if xhi - xlo < 10.0 {
        // At least ten counts across, so a single count is not one wide slab.
        let grow = (10.0 - (xhi - xlo)) / 2.0;
        xlo -= grow;
        xhi += grow;
        if xlo < -0.5 {
            xhi += -0.5 - xlo;
            xlo = -0.5;
        }
    }
    let pad = ((xhi - xlo) * 0.04).max(1.0);
    let xa = count_axis((xlo - pad).max(if lo == 0 { -0.5 } else { 0.0 }), xhi + pad);
    let top = bins
        .values()
        .map(|&n| 100.0 * n as f64 / total.max(1) as f64)
        .fold(0.0, f64::max);
    let pre = Frame::new(
        root,
        (MARGIN, page.top, page.width - MARGIN, page.bottom),
        xa.clone(),
        Axis::new(0.0, 100.0, 6, false),
    )?;
    let ya = share_axis(&pre, top, marker_rows(root, &pre, &marks)?);
    let fr = Frame::new(
        root,
        (MARGIN, page.top, page.width - MARGIN, page.bottom),
        xa,
        ya,
    )?;
    fr.axes(
        root,
        &format!("Items done by {}", long(&b.date)),
        "Share of runs (%)",
        false,
    )?;
    for (&c, &n) in &bins {
        let share = 100.0 * n as f64 / total.max(1) as f64;
        let (x0, x1) = (fr.px(c as f64 - 0.5), fr.px((c + width) as f64 - 0.5));
        let gap = i32::from(x1 - x0 >= 6);
        let color = match main {
            Some((_, m)) if c + width - 1 < m => LIGHT_BLUE,
            _ => BLUE,
        };
        let y = fr.py(share).min(fr.y1 - 1);
        rect(
            root,
            (x0 + gap, y),
            ((x1 - gap).max(x0 + gap + 1), fr.y1),
            &color,
        )?;
    }
    draw_markers(root, &fr, &marks)?;
    Ok(())
}

/// An axis of counts from exactly `lo` to `hi`, with round whole-number ticks inside.
fn count_axis(lo: f64, hi: f64) -> Axis {
    let round = Axis::new(lo, hi, 10, true);
    Axis {
        lo,
        hi,
        ticks: round
            .ticks
            .iter()
            .copied()
            .filter(|t| *t >= lo && *t <= hi)
            .collect(),
        decimals: 0,
    }
}
