//! "When": the share of runs finishing on each date, with the percentile dates marked, a table
//! of them with their Monte Carlo precision, and the `--by` date with its probability. Bars are
//! days, or weeks or months when a forecast spans too many days to draw one bar each.

use super::super::Spec;
use super::super::canvas::*;
use super::*;

/// What one bar covers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bin {
    Day,
    Week,
    Month,
}

/// Most bars drawn.
const MAX_BARS: i64 = 160;

/// The first and last day of the bin holding `day`.
fn bin_of(day: i64, bin: Bin) -> (i64, i64) {
    match bin {
        Bin::Day => (day, day),
        Bin::Week => {
            let start = day - (day - 4).rem_euclid(7);
            (start, start + 6)
        }
        Bin::Month => match date_of_day(day) {
            Some(d) => {
                let first = d.first_of_month();
                let last = d.last_of_month();
                (day_number(first), day_number(last))
            }
            None => (day, day),
        },
    }
}

/// Completions by day number.
fn completions(f: &Forecast) -> Vec<(i64, u64)> {
    f.completion_distribution
        .iter()
        .filter_map(|(d, n)| Some((day_number(parse(d)?), *n)))
        .collect()
}

fn bin_for(span: i64) -> Bin {
    if span <= MAX_BARS {
        Bin::Day
    } else if span / 7 <= MAX_BARS {
        Bin::Week
    } else {
        Bin::Month
    }
}

/// The levels reported, for sentences: "50%, 70%, 85% and 95%".
fn levels_words(levels: &[f64]) -> String {
    let words: Vec<String> = levels.iter().map(|p| level_pct(*p)).collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

pub(super) fn spec(f: &Forecast) -> Spec {
    let what = items_words(f);
    let rows = f
        .completion_date
        .as_ref()
        .map(percentile_dates)
        .unwrap_or_default();
    let levels: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let commit = commitment(&levels)
        .and_then(|c| rows.iter().find(|r| r.0 == c))
        .map(|r| {
            format!(
                ", so there is a {} chance to be done by {}",
                level_pct(r.0),
                long_date(r.2)
            )
        })
        .unwrap_or_default();
    Spec {
        title: format!("When will {what} be done?"),
        how_to_read: format!(
            "Each bar is the share of the {} simulated runs that finished {what} on that date (weekends and holidays have none); the dashed lines mark the dates by which {} of the runs were done{commit}; the table gives each date with its working days from the start and their Monte Carlo precision (±, how far the date could move with another seed).",
            grouped(u64::from(f.runs)),
            levels_words(&levels)
        ),
    }
}

fn subtitle(f: &Forecast, rows: &[(f64, &DatePercentile, Date)]) -> String {
    let mut s = format!("{}, starting {}.", source_words(f), long(&f.start));
    let dates = dates_sentence(f, rows);
    if !dates.is_empty() {
        s += " ";
        s += &dates;
    }
    if let Some(p) = &f.probability_by {
        s += &format!(
            " Chance to be done by {}: {}.",
            long(&p.date),
            pm_pct(p.probability, Some(p.se))
        );
    }
    s
}

pub(super) fn draw<DB: DrawingBackend>(f: &Forecast, spec: &Spec, root: &Area<DB>) -> Res {
    let empty = BTreeMap::new();
    let rows = percentile_dates(f.completion_date.as_ref().unwrap_or(&empty));
    let dist = completions(f);
    let mut page = Page::new(root, &spec.title, &[subtitle(f, &rows)])?;
    let levels: Vec<f64> = rows.iter().map(|r| r.0).collect();
    let commit = commitment(&levels).and_then(|c| rows.iter().find(|r| r.0 == c));
    let by = f
        .probability_by
        .as_ref()
        .and_then(|p| Some((parse(&p.date)?, p)));

    let first = dist.iter().map(|d| d.0).min();
    let last = dist.iter().map(|d| d.0).max();
    let (Some(first), Some(last)) = (first, last) else {
        return page.message(&["No run finished the items, so there is no date to show.".into()]);
    };
    let bin = bin_for(last - first + 1);
    let mut bins: BTreeMap<(i64, i64), u64> = BTreeMap::new();
    for &(d, n) in &dist {
        *bins.entry(bin_of(d, bin)).or_default() += n;
    }
    let finished: u64 = dist.iter().map(|d| d.1).sum();
    let total = finished.max(1) as f64;
    let commit_day = commit.map(|c| day_number(c.2));

    let mut keys = Vec::new();
    if let (Some(c), Some(cd)) = (commit, commit_day) {
        keys.push(key(
            boxed(BLUE),
            format!("Done by the {} date", level_pct(c.0)),
        ));
        if bins.keys().any(|&(a, _)| a > cd) {
            keys.push(key(boxed(LIGHT_BLUE), "Done later"));
        }
    } else {
        keys.push(key(boxed(BLUE), "Runs done on the date"));
    }
    keys.push(key(Swatch::Dashed(MUTED), "Percentile dates"));
    if by.is_some() {
        keys.push(key(Swatch::Line(BY), "The date asked about (--by)"));
    }
    page.legend(&keys)?;

    let bars_words = match bin {
        Bin::Day => "Each bar is one day",
        Bin::Week => "Each bar is one week (Monday to Sunday)",
        Bin::Month => "Each bar is one month",
    };
    let share_of = if finished < u64::from(f.runs) {
        format!("the {} runs that finished", grouped(finished))
    } else {
        "all runs".to_string()
    };
    let mut notes = vec![format!(
        "{bars_words}, its height the share of {share_of}. {}: the same command with --seed {} gives the same dates. ± is the Monte Carlo standard error in working days.",
        capitalize(&runs_words(f)),
        f.seed
    )];
    if rows.iter().any(|r| r.1.se_working_days.is_none()) {
        notes.push(
            "With a single run the precision of the dates cannot be estimated; run more (--runs)."
                .into(),
        );
    }
    notes.extend(common_notes(f));
    page.notes(&notes)?;

    // The table of percentile dates, right of the plot.
    let mut trows: Vec<Vec<(String, RGBColor, bool)>> = vec![vec![
        ("Chance".into(), INK, true),
        ("Done by".into(), INK, true),
        ("Working days".into(), INK, true),
    ]];
    for (p, d, date) in &rows {
        trows.push(vec![
            (level_pct(*p), level_color(*p), true),
            (long_date(*date), INK, false),
            (precision(d), INK, false),
        ]);
    }
    let tw = table_width(root, &trows)?;
    let right = page.width - MARGIN - tw - 28;

    let mut days: Vec<i64> = vec![first, last];
    if let Some((d, _)) = by {
        days.push(day_number(d));
    }
    let range = day_range(days).expect("days");
    let (pre, _) = date_frame(
        root,
        (MARGIN, page.top, right, page.bottom),
        range,
        Axis::new(0.0, 100.0, 6, false),
    )?;
    let mut marks: Vec<Marker> = merged_marks(&rows)
        .into_iter()
        .map(|(name, p, d)| Marker {
            label: format!("{name} {}", mark_date(d, range)),
            x: day_number(d) as f64,
            color: level_color(p),
            solid: false,
        })
        .collect();
    if let Some((d, p)) = by {
        marks.push(Marker {
            label: format!("By {}: {}", mark_date(d, range), pct(p.probability)),
            x: day_number(d) as f64,
            color: BY,
            solid: true,
        });
    }
    let top = bins
        .values()
        .map(|&n| 100.0 * n as f64 / total)
        .fold(0.0, f64::max);
    let ya = share_axis(&pre, top, marker_rows(root, &pre, &marks)?);
    let (fr, ticks) = date_frame(root, (MARGIN, page.top, right, page.bottom), range, ya)?;
    date_axes(root, &fr, &ticks, "Completion date", "Share of runs (%)")?;

    let day_px = f64::from(fr.x1 - fr.x0) / (fr.x.hi - fr.x.lo);
    for (&(a, b), &n) in &bins {
        let share = 100.0 * n as f64 / total;
        let (x0, x1) = if bin == Bin::Day {
            let half = if day_px >= 12.0 { 0.4 } else { 0.5 };
            (fr.px(a as f64 - half), fr.px(b as f64 + half))
        } else {
            (fr.px(a as f64 - 0.5), fr.px(b as f64 + 0.5))
        };
        let gap = i32::from(x1 - x0 >= 6);
        let color = match commit_day {
            Some(c) if a <= c => BLUE,
            Some(_) => LIGHT_BLUE,
            None => BLUE,
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

    // The table, and the chance by the date asked about under it.
    let tx = right + 28;
    let mut ty = fr.y0;
    ty += table(root, (tx, ty), &trows, &[2])?;
    if let Some((d, p)) = by {
        ty += 12;
        let st = anchored(bold(14.0, BY), HPos::Left, VPos::Top);
        text(root, &format!("Done by {}:", long_date(d)), &st, (tx, ty))?;
        text(
            root,
            &format!("{} chance", pm_pct(p.probability, Some(p.se))),
            &anchored(font(14.0, INK), HPos::Left, VPos::Top),
            (tx, ty + 20),
        )?;
        ty += 40;
    }
    let hint = font(12.0, MUTED);
    ty += 10;
    for l in wrap(
        root,
        "Working days count from the start; ± is the Monte Carlo standard error.",
        &hint,
        tw,
    )? {
        text(
            root,
            &l,
            &anchored(hint.clone(), HPos::Left, VPos::Top),
            (tx, ty),
        )?;
        ty += 16;
    }
    Ok(())
}
