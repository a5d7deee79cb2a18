//! Forecasts from a record of finished items, with no model.
//!
//! Many teams only have a list of when items were finished. The forecast resamples that history's
//! throughput, as practitioners do: each simulated working day finishes as many items as a working
//! day drawn at random (with replacement) from the history's sampling window, until the items
//! asked about are done and the date asked about is reached. In weekly mode the samples are whole
//! weeks (Monday to Sunday) and each simulated week of the forecast calendar finishes as many items
//! as a week drawn from the history.
//!
//! [`load`] reads a CSV file with one finished item per row (a Jira or tracker export, say) and
//! counts the items per working day or per week of the window; [`forecast`] runs the Monte Carlo
//! and gives one [`RunOutcome`] per run for [`crate::forecast::summarize`]. The [`History`] says
//! what it is for `Forecast.source`, `method` and `warnings`.
//!
//! Run `r` draws from a Xoshiro256++ generator seeded from (seed, r) only, so a forecast is a pure
//! function of the history, the calendar, the question, the seed and the number of runs: the same
//! with any number of threads.

use crate::calendar::{self, Calendar};
use crate::engine::streams::{mix, replication_key};
use crate::forecast::{Question, RunOutcome};
use crate::numbers::thousands;
use crate::sheet::Sheet;
use jiff::civil::{Date, Weekday};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Column names tried, in this order and ignoring case, when no date column is named. Spaces and
/// hyphens count as underscores, so `Done Date` and `completed-at` are found too.
pub const DATE_COLUMNS: [&str; 12] = [
    "done",
    "done_date",
    "completed",
    "completed_at",
    "completion_date",
    "resolved",
    "resolved_at",
    "closed",
    "closed_at",
    "end",
    "finished",
    "date",
];

/// The furthest a forecast looks ahead, in working days (about 20 years of five-day weeks).
pub const MAX_FORECAST_DAYS: u64 = 5_000;

/// Salt of the per-run generator (`"history"`).
const HISTORY_STREAM: u64 = 0x0068_6973_746f_7279;

/// How a history file is read and which part of it is sampled.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryOptions {
    /// The column holding each item's completion date. `None`: the first column whose name is
    /// one of [`DATE_COLUMNS`] (ignoring case). A name given is matched ignoring case too.
    pub date_column: Option<String>,
    /// A strptime-style format for the dates (jiff's `strtime`: `%d/%m/%Y` reads 31/12/2026,
    /// `%d/%b/%y %I:%M %p` reads Jira's 04/Mar/26 10:22 AM). The format must match the start of
    /// each cell; a time after it (separated by a space or `T`) is ignored. `None`: ISO dates and
    /// date-times (`2026-03-04`, `2026-03-04T10:22:01Z`, `2026-03-04 10:22`), whose date is taken
    /// as written (offsets are not applied).
    pub date_format: Option<String>,
    /// First day of the sampling window (default: the first completion date).
    pub since: Option<Date>,
    /// Last day of the sampling window (default: the last completion date).
    pub until: Option<Date>,
    /// Sample whole weeks (Monday to Sunday) instead of working days.
    pub weekly: bool,
}

/// Why a history cannot be read or forecast from. Each variant holds the whole message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HistoryError {
    /// The file cannot be read, or the options contradict each other.
    #[error("{0}")]
    Read(String),
    /// No column holds the completion dates.
    #[error("{0}")]
    Column(String),
    /// A completion date cannot be read, or is in the future.
    #[error("{0}")]
    Date(String),
    /// No finished item, or none in the sampling window.
    #[error("{0}")]
    Empty(String),
    /// The question cannot be answered from a history (nothing asked, a date before the start).
    #[error("{0}")]
    Question(String),
    /// The items would take longer than [`MAX_FORECAST_DAYS`].
    #[error("{0}")]
    TooLong(String),
}

/// What is sampled: one count per working day, or per week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    Daily,
    Weekly,
}

/// A history of finished items, counted per working day (or week) of its sampling window.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    file: String,
    column: String,
    finished: u64,
    unfinished: u64,
    first: Date,
    last: Date,
    window: (Date, Date),
    sampling: Sampling,
    samples: Vec<u32>,
    /// First day of each sample (a working day, or a week's Monday).
    sample_dates: Vec<Date>,
    working_days: u64,
    in_window: u64,
    warnings: Vec<String>,
}

impl History {
    /// The file's name, as used in messages.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The column the completion dates were read from.
    pub fn column(&self) -> &str {
        &self.column
    }

    /// Finished items in the file (rows with a completion date).
    pub fn items(&self) -> u64 {
        self.finished
    }

    /// Rows skipped as not finished (their date cell is empty).
    pub fn unfinished(&self) -> u64 {
        self.unfinished
    }

    /// First and last completion dates in the file.
    pub fn span(&self) -> (Date, Date) {
        (self.first, self.last)
    }

    /// The sampling window (both days included).
    pub fn window(&self) -> (Date, Date) {
        self.window
    }

    pub fn sampling(&self) -> Sampling {
        self.sampling
    }

    /// Items finished per working day of the window (daily) or per full week (weekly), in date
    /// order.
    pub fn samples(&self) -> &[u32] {
        &self.samples
    }

    /// The first day of each sample: the working day, or the week's Monday.
    pub fn sample_dates(&self) -> &[Date] {
        &self.sample_dates
    }

    /// Items counted in the samples.
    pub fn items_in_window(&self) -> u64 {
        self.in_window
    }

    /// Working days the samples cover.
    pub fn working_days(&self) -> u64 {
        self.working_days
    }

    /// Mean items finished per working day of the samples.
    pub fn mean_per_working_day(&self) -> f64 {
        self.in_window as f64 / self.working_days as f64
    }

    /// The days the samples cover: the window (daily), or from the first week's Monday to the
    /// last week's Sunday (weekly).
    pub fn sampled(&self) -> (Date, Date) {
        match self.sampling {
            Sampling::Daily => self.window,
            Sampling::Weekly => (
                self.sample_dates[0],
                last_day(self.sampling, &self.sample_dates),
            ),
        }
    }

    /// For `Forecast.source`: `history done.csv (94 items, 2026-07-01 to 2026-10-30)`.
    pub fn source(&self) -> String {
        format!(
            "history {} ({} items, {} to {})",
            self.file,
            thousands(self.in_window),
            self.sampled().0,
            self.sampled().1
        )
    }

    /// For `Forecast.method`: how the forecast resamples the history, in words.
    pub fn method(&self) -> String {
        let mean = format!("{:.2}", self.mean_per_working_day());
        match self.sampling {
            Sampling::Daily => format!(
                "Monte Carlo resampling of daily throughput: each simulated working day finishes as many items as a working day drawn at random from the {} working days from {} to {} in {} (column `{}`; {} items, mean {mean} a working day; items finished on a non-working day count towards the next working day)",
                thousands(self.samples.len() as u64),
                self.window.0,
                self.window.1,
                self.file,
                self.column,
                thousands(self.in_window),
            ),
            Sampling::Weekly => format!(
                "Monte Carlo resampling of weekly throughput: each simulated week finishes as many items as a week (Monday to Sunday) drawn at random from the {} full weeks from {} to {} in {} (column `{}`; {} items, mean {mean} a working day), counted done on the week's last working day; weeks of the forecast shortened by holidays keep each item with probability working days / working days a week",
                thousands(self.samples.len() as u64),
                self.sampled().0,
                self.sampled().1,
                self.file,
                self.column,
                thousands(self.in_window),
            ),
        }
    }

    /// Things the reader of the forecast should know: rows skipped, items outside the window, a
    /// short history.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.clone()
    }
}

/// One finished item: its completion date and where it is in the file.
struct Row {
    date: Date,
    at: String,
}

/// Reads a history of finished items.
///
/// Rows whose date cell is empty are skipped as not finished ([`History::unfinished`]); blank
/// rows are ignored. Errors name the file, the line (as a spreadsheet shows it: the header is
/// line 1), the column and the value.
pub fn load(
    path: &Path,
    options: &HistoryOptions,
    calendar: &Calendar,
) -> Result<History, HistoryError> {
    if let (Some(s), Some(u)) = (options.since, options.until)
        && s > u
    {
        return Err(HistoryError::Read(format!(
            "the sampling window starts ({s}) after it ends ({u}); `since` must be on or before `until`"
        )));
    }
    let format = options.date_format.as_deref().map(str::trim);
    if format == Some("") {
        return Err(HistoryError::Read(
            "the date format is empty; give one such as %d/%m/%Y, or none for ISO dates".into(),
        ));
    }
    let sheet = Sheet::read(path).map_err(|e| {
        if e.contains(" is empty: ") {
            HistoryError::Empty(e)
        } else {
            HistoryError::Read(e)
        }
    })?;
    let file = sheet.file.clone();
    let index = match &options.date_column {
        Some(name) => sheet
            .column(name, "completion dates")
            .map_err(HistoryError::Column)?,
        None => sheet.find(&DATE_COLUMNS).ok_or_else(|| {
            let hint = sheet
                .closest(&DATE_COLUMNS)
                .map(|c| format!(" Is it `{c}`? Then name it as the date column."))
                .unwrap_or_else(|| " Name the column that holds them.".into());
            HistoryError::Column(format!(
                "{file} has no column of completion dates: none is named {}. Its columns are {}.{hint}",
                DATE_COLUMNS
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                sheet.listed()
            ))
        })?,
    };
    let column = sheet.headers[index].clone();
    let cell_name = sheet.cell_name(index);

    let mut rows: Vec<Row> = Vec::new();
    let mut unfinished = 0u64;
    for row in &sheet.rows {
        match sheet.time(row, index, format).map_err(HistoryError::Date)? {
            None => unfinished += 1,
            Some(t) => rows.push(Row {
                date: t.date(),
                at: sheet.location(row),
            }),
        }
    }

    if rows.is_empty() {
        return Err(HistoryError::Empty(if unfinished == 0 {
            format!("{file} holds no finished item: it has no rows below its header")
        } else {
            format!(
                "{file} holds no finished item: all {} rows have an empty {cell_name} (rows with no completion date count as not finished)",
                thousands(unfinished)
            )
        }));
    }

    let today = calendar::today();
    let future: Vec<&Row> = rows.iter().filter(|r| r.date > today).collect();
    if let Some(r) = future.first() {
        return Err(HistoryError::Date(format!(
            "{}, {cell_name}: `{}` is after today ({today}); a completion date cannot be in the future{}",
            r.at,
            r.date,
            more(future.len())
        )));
    }

    let first = rows.iter().map(|r| r.date).min().expect("rows");
    let last = rows.iter().map(|r| r.date).max().expect("rows");
    let lo = options.since.unwrap_or(first);
    let hi = options.until.unwrap_or(last);
    let start = calendar.start();
    if let Some(u) = options.until {
        if u > today {
            return Err(HistoryError::Read(format!(
                "the sampling window ends on {u}, after today ({today}); the history has no record of days to come"
            )));
        }
        if u > start {
            return Err(HistoryError::Read(format!(
                "the sampling window ends on {u}, after the forecast start ({start}); the history sampled must end before the forecast starts"
            )));
        }
    }
    let late: Vec<&Row> = rows
        .iter()
        .filter(|r| r.date > start && r.date >= lo && r.date <= hi)
        .collect();
    if let Some(r) = late.first() {
        return Err(HistoryError::Date(format!(
            "{}, {cell_name}: `{}` is after the forecast start ({start}); the history sampled must end before the forecast starts: end the window on {start} at the latest, or start the forecast later{}",
            r.at,
            r.date,
            more(late.len())
        )));
    }
    if lo > hi {
        return Err(HistoryError::Empty(
            if options.since.is_some_and(|s| s > last) {
                format!(
                    "no item in {file} was finished on or after {lo} (the last on {last}); widen the window"
                )
            } else {
                format!(
                    "no item in {file} was finished on or before {hi} (the first on {first}); widen the window"
                )
            },
        ));
    }

    let mut per_date: BTreeMap<Date, u32> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.date >= lo && r.date <= hi) {
        *per_date.entry(r.date).or_default() += 1;
    }
    let in_range: u64 = per_date.values().map(|n| u64::from(*n)).sum();
    let sampling = if options.weekly {
        Sampling::Weekly
    } else {
        Sampling::Daily
    };
    let (samples, sample_dates, working_days) = match sampling {
        Sampling::Daily => daily_samples(&per_date, lo, hi, calendar),
        Sampling::Weekly => weekly_samples(&per_date, lo, hi, calendar),
    };
    if samples.is_empty() {
        return Err(HistoryError::Empty(match sampling {
            Sampling::Daily => format!(
                "the window from {lo} to {hi} holds no working day of the calendar; widen the window"
            ),
            Sampling::Weekly => format!(
                "the window from {lo} to {hi} holds no full week (Monday to Sunday, all of its working days in the window); widen the window or sample working days"
            ),
        }));
    }
    let in_window: u64 = samples.iter().map(|n| u64::from(*n)).sum();
    if in_window == 0 {
        let what = match sampling {
            Sampling::Daily => format!("{} working days", thousands(working_days)),
            Sampling::Weekly => format!("{} full weeks", thousands(samples.len() as u64)),
        };
        let (a, b) = (sample_dates[0], last_day(sampling, &sample_dates));
        return Err(HistoryError::Empty(format!(
            "no item was finished in the {what} from {a} to {b} (in {file}); widen the window"
        )));
    }

    let mut warnings = Vec::new();
    if unfinished > 0 {
        warnings.push(format!(
            "{} rows of {file} with an empty `{column}` were skipped as not finished",
            thousands(unfinished)
        ));
    }
    let outside = rows.len() as u64 - in_window;
    if outside > 0 {
        let why = if sampling == Sampling::Weekly && in_range > in_window {
            " or in part-weeks at its ends"
        } else {
            ""
        };
        warnings.push(format!(
            "{} of the {} finished items in {file} are outside the sampling window ({} to {}){why} and were not used",
            thousands(outside),
            thousands(rows.len() as u64),
            sample_dates[0],
            last_day(sampling, &sample_dates)
        ));
    }
    let (few, unit) = match sampling {
        Sampling::Daily => (samples.len() < 20, "working days"),
        Sampling::Weekly => (samples.len() < 6, "weeks"),
    };
    if few {
        warnings.push(format!(
            "the history samples only {} {unit}; a forecast from so short a history is uncertain beyond what its percentiles show",
            samples.len()
        ));
    }
    let gap = (start - hi).get_days();
    if gap > 180 {
        warnings.push(format!(
            "the sampling window ends {} days before the forecast start; the team may no longer work as it did then",
            thousands(gap as u64)
        ));
    }

    Ok(History {
        file,
        column,
        finished: rows.len() as u64,
        unfinished,
        first,
        last,
        window: (lo, hi),
        sampling,
        samples,
        sample_dates,
        working_days,
        in_window,
        warnings,
    })
}

/// ` (and 3 more rows)` when more than one row has the problem.
fn more(n: usize) -> String {
    if n == 2 {
        " (and 1 more row)".into()
    } else if n > 2 {
        format!(" (and {} more rows)", thousands(n as u64 - 1))
    } else {
        String::new()
    }
}

/// The last day the samples cover.
fn last_day(sampling: Sampling, dates: &[Date]) -> Date {
    let d = dates[dates.len() - 1];
    match sampling {
        Sampling::Daily => d,
        Sampling::Weekly => d.checked_add(jiff::Span::new().days(6)).unwrap_or(d),
    }
}

/// Items per working day from `lo` to `hi`; an item finished on a non-working day counts
/// towards the next working day (the last one of the window when none follows in it).
fn daily_samples(
    per_date: &BTreeMap<Date, u32>,
    lo: Date,
    hi: Date,
    calendar: &Calendar,
) -> (Vec<u32>, Vec<Date>, u64) {
    let mut samples = Vec::new();
    let mut dates = Vec::new();
    let mut pending = 0u32;
    let mut d = lo;
    loop {
        let n = per_date.get(&d).copied().unwrap_or(0);
        if calendar.is_working(d) {
            samples.push(n + pending);
            dates.push(d);
            pending = 0;
        } else {
            pending += n;
        }
        if d >= hi {
            break;
        }
        match d.tomorrow() {
            Ok(t) => d = t,
            Err(_) => break,
        }
    }
    if let Some(l) = samples.last_mut() {
        *l += pending;
    }
    let days = samples.len() as u64;
    (samples, dates, days)
}

/// Items per week (Monday to Sunday) for the weeks whose working days all lie from `lo` to
/// `hi`; weeks without a working day are left out.
fn weekly_samples(
    per_date: &BTreeMap<Date, u32>,
    lo: Date,
    hi: Date,
    calendar: &Calendar,
) -> (Vec<u32>, Vec<Date>, u64) {
    let mut samples = Vec::new();
    let mut dates = Vec::new();
    let mut working_days = 0u64;
    let back = i64::from(lo.weekday().to_monday_zero_offset());
    let Ok(mut monday) = lo.checked_sub(jiff::Span::new().days(back)) else {
        return (samples, dates, 0);
    };
    debug_assert_eq!(monday.weekday(), Weekday::Monday);
    while monday <= hi {
        let days: Vec<Date> = (0..7)
            .filter_map(|i| monday.checked_add(jiff::Span::new().days(i)).ok())
            .collect();
        let worked: Vec<Date> = days
            .iter()
            .copied()
            .filter(|d| calendar.is_working(*d))
            .collect();
        if !worked.is_empty() && worked[0] >= lo && worked[worked.len() - 1] <= hi {
            let n: u32 = days
                .iter()
                .filter(|d| **d >= lo && **d <= hi)
                .map(|d| per_date.get(d).copied().unwrap_or(0))
                .sum();
            samples.push(n);
            dates.push(monday);
            working_days += worked.len() as u64;
        }
        match monday.checked_add(jiff::Span::new().days(7)) {
            Ok(m) => monday = m,
            Err(_) => break,
        }
    }
    (samples, dates, working_days)
}

/// Why one run could not finish.
struct Stalled {
    run: u32,
    done: u64,
}

/// Forecasts by resampling the history's throughput, one [`RunOutcome`] per run, in run order.
///
/// Each run walks the calendar's working days from its start. Daily sampling adds a drawn day's
/// count on each working day. Weekly sampling takes seven calendar days at a time from the start
/// and adds a drawn week's count on the last working day among them; seven days with fewer working
/// days than the calendar's week (holidays) keep each drawn item with probability working days /
/// working days a week, and seven days without a working day add nothing. `finish_days` is the
/// working day (1 = the first) on which the items are all done, `done_by` the items done by the
/// end of `question.by`, and `burn_up` the items done by the end of each working day up to the
/// finish or to `by`, whichever is later.
pub fn forecast(
    history: &History,
    calendar: &Calendar,
    question: &Question,
    runs: u32,
    seed: u64,
) -> Result<Vec<RunOutcome>, HistoryError> {
    if runs == 0 {
        return Err(HistoryError::Question(
            "a forecast needs at least one run".into(),
        ));
    }
    if question.items.is_none() && question.by.is_none() {
        return Err(HistoryError::Question(
            "nothing to forecast: ask when a number of items will be done, or how many will be done by a date".into(),
        ));
    }
    if question.items == Some(0) {
        return Err(HistoryError::Question(
            "nothing to forecast: the number of items is 0".into(),
        ));
    }
    let start = calendar.start();
    let by_days = match question.by {
        Some(by) if by < start => {
            return Err(HistoryError::Question(format!(
                "the date asked about, {by}, is before the forecast start ({start})"
            )));
        }
        Some(by) => calendar.working_days_through(by),
        None => 0,
    };
    let horizon_date = || {
        calendar
            .working_day(MAX_FORECAST_DAYS)
            .map(|d| d.to_string())
            .unwrap_or_else(|_| "the end of the calendar".into())
    };
    if by_days > MAX_FORECAST_DAYS {
        return Err(HistoryError::TooLong(format!(
            "the date asked about is {} working days after the start; a forecast looks at most {} working days ahead (to {})",
            thousands(by_days),
            thousands(MAX_FORECAST_DAYS),
            horizon_date()
        )));
    }
    let mean = history.mean_per_working_day();
    let mean_text = if mean < 0.1 {
        format!("{mean:.3}")
    } else {
        format!("{mean:.2}")
    };
    let too_many = |items: u64| {
        format!(
            "{} items would take about {} working days at the history's mean of {mean_text} items a working day; a forecast looks at most {} working days ahead (to {}). Forecast fewer items, or check the history's window ({} to {})",
            thousands(items),
            thousands((items as f64 / mean).round() as u64),
            thousands(MAX_FORECAST_DAYS),
            horizon_date(),
            history.window.0,
            history.window.1
        )
    };
    if let Some(items) = question.items
        && items as f64 / mean > 0.98 * MAX_FORECAST_DAYS as f64
    {
        return Err(HistoryError::TooLong(too_many(items)));
    }

    // Working days in each seven calendar days from the start, as far as a forecast looks.
    let weeks: Vec<u32> = match history.sampling {
        Sampling::Daily => Vec::new(),
        Sampling::Weekly => {
            let mut weeks = Vec::new();
            let mut total = 0u64;
            let mut d = start;
            while total < MAX_FORECAST_DAYS {
                let mut w = 0u32;
                for _ in 0..7 {
                    if calendar.is_working(d) {
                        w += 1;
                    }
                    match d.tomorrow() {
                        Ok(t) => d = t,
                        Err(_) => break,
                    }
                }
                total += u64::from(w);
                weeks.push(w);
                if d.year() >= 9999 {
                    break;
                }
            }
            weeks
        }
    };
    let week_days = calendar.days_per_week();

    let results: Vec<Result<RunOutcome, Stalled>> = (0..runs)
        .into_par_iter()
        .map(|run| {
            let mut rng = Xoshiro256PlusPlus::seed_from_u64(mix(
                replication_key(seed, u64::from(run)),
                HISTORY_STREAM,
            ));
            let samples = &history.samples;
            let n = samples.len();
            let mut out = RunOutcome {
                finish_days: None,
                done_by: question.by.map(|_| 0),
                burn_up: Vec::new(),
            };
            let mut done = 0u64;
            let mut day = 0u64;
            let mut week = 0usize;
            let to_u32 = |x: u64| u32::try_from(x).unwrap_or(u32::MAX);
            loop {
                let pending = question.items.is_some() && out.finish_days.is_none();
                if !pending && day >= by_days {
                    return Ok(out);
                }
                if day >= MAX_FORECAST_DAYS {
                    return Err(Stalled { run, done });
                }
                match history.sampling {
                    Sampling::Daily => {
                        done += u64::from(samples[rng.random_range(0..n)]);
                        day += 1;
                        out.burn_up.push(to_u32(done));
                        if day == by_days {
                            out.done_by = Some(done);
                        }
                    }
                    Sampling::Weekly => {
                        let Some(&w) = weeks.get(week) else {
                            return Err(Stalled { run, done });
                        };
                        week += 1;
                        if w == 0 {
                            continue;
                        }
                        let mut drawn = u64::from(samples[rng.random_range(0..n)]);
                        if f64::from(w) < week_days {
                            let keep = f64::from(w) / week_days;
                            drawn =
                                (0..drawn).filter(|_| rng.random::<f64>() < keep).count() as u64;
                        }
                        for k in 1..=w {
                            day += 1;
                            if k == w {
                                done += drawn;
                            }
                            out.burn_up.push(to_u32(done));
                            if day == by_days {
                                out.done_by = Some(done);
                            }
                        }
                    }
                }
                if out.finish_days.is_none() && question.items.is_some_and(|i| done >= i) {
                    out.finish_days = Some(day as f64);
                }
            }
        })
        .collect();
    results
        .into_iter()
        .map(|r| {
            r.map_err(|s| {
                let items = question.items.unwrap_or(0);
                HistoryError::TooLong(format!(
                    "run {} of {} had finished only {} of the {} items after {} working days (to {}), as far as a forecast looks: at the history's mean of {} items a working day they take about {} working days, and longer in some runs. Forecast fewer items, or check the history's window ({} to {})",
                    s.run + 1,
                    thousands(u64::from(runs)),
                    thousands(s.done),
                    thousands(items),
                    thousands(MAX_FORECAST_DAYS),
                    horizon_date(),
                    mean_text,
                    thousands((items as f64 / mean).round() as u64),
                    history.window.0,
                    history.window.1
                ))
            })
        })
        .collect()
}
