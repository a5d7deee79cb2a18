//! Working calendars: which days are worked, and how simulated working time maps to dates.
//!
//! Simulated time counts working time only, in the scenario's unit. A calendar lays it over real
//! dates from a `start` date, skipping days that are not worked (weekends by default) and
//! holidays. Work that ends during working day k (counting the start day as day 1 when it is
//! worked) is done on that day; work that ends exactly at the end of a working day is done on
//! that day too, so 20 one-day items worked one after another from a Monday are done on the
//! fourth Friday. With `time_unit = "hours"` a working day has `hours_per_day` hours; with
//! `"weeks"` a week has as many working days as the calendar's week has.

use jiff::civil::{Date, Weekday};
use std::collections::BTreeSet;

use crate::scenario::TimeUnit;

/// Most working days a calendar maps (about 4,000 years of five-day weeks).
const MAX_WORKING_DAYS: u64 = 1_000_000;

/// The days of the week, Monday first, as the scenario file names them.
pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Why a calendar cannot be built or used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct CalendarError(pub String);

/// A working calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    start: Date,
    /// Worked or not, Monday first.
    working: [bool; 7],
    holidays: BTreeSet<Date>,
    unit: TimeUnit,
    hours_per_day: f64,
}

fn index(d: Weekday) -> usize {
    d.to_monday_zero_offset() as usize
}

/// Parses an ISO date, `2027-01-04`.
pub fn parse_date(text: &str) -> Result<Date, CalendarError> {
    text.trim().parse::<Date>().map_err(|_| {
        CalendarError(format!(
            "`{text}` is not a date; write dates as year-month-day, e.g. 2027-01-04"
        ))
    })
}

/// Today's date (UTC).
pub fn today() -> Date {
    jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
}

impl Calendar {
    /// A calendar starting on `start`, working on the given days (Monday first), skipping
    /// `holidays`.
    pub fn new(
        start: Date,
        working: [bool; 7],
        holidays: BTreeSet<Date>,
        unit: TimeUnit,
        hours_per_day: f64,
    ) -> Result<Calendar, CalendarError> {
        if !working.iter().any(|w| *w) {
            return Err(CalendarError(
                "no day of the week is a working day; list at least one in `working_days`".into(),
            ));
        }
        if !(hours_per_day.is_finite() && hours_per_day > 0.0 && hours_per_day <= 24.0) {
            return Err(CalendarError(format!(
                "`hours_per_day` must be more than 0 and at most 24, got {hours_per_day}"
            )));
        }
        Ok(Calendar {
            start,
            working,
            holidays,
            unit,
            hours_per_day,
        })
    }

    /// Monday to Friday, no holidays, 8 hours a day.
    pub fn weekdays(start: Date, unit: TimeUnit) -> Calendar {
        let mut working = [true; 7];
        working[5] = false;
        working[6] = false;
        Calendar::new(start, working, BTreeSet::new(), unit, 8.0).expect("valid")
    }

    pub fn start(&self) -> Date {
        self.start
    }

    /// The same calendar from another start date.
    pub fn starting(&self, start: Date) -> Calendar {
        Calendar {
            start,
            ..self.clone()
        }
    }

    pub fn unit(&self) -> TimeUnit {
        self.unit
    }

    /// Which days of the week are worked, Monday first.
    pub fn working_weekdays(&self) -> [bool; 7] {
        self.working
    }

    /// The holidays (days not worked besides the days of the week off).
    pub fn holidays(&self) -> &BTreeSet<Date> {
        &self.holidays
    }

    /// Whether people work on this date.
    pub fn is_working(&self, d: Date) -> bool {
        self.working[index(d.weekday())] && !self.holidays.contains(&d)
    }

    /// Working days in one week of the calendar's pattern.
    pub fn days_per_week(&self) -> f64 {
        self.working.iter().filter(|w| **w).count() as f64
    }

    /// Simulated time (in the scenario's unit) as a number of working days.
    pub fn to_days(&self, t: f64) -> f64 {
        match self.unit {
            TimeUnit::Days => t,
            TimeUnit::Hours => t / self.hours_per_day,
            TimeUnit::Weeks => t * self.days_per_week(),
        }
    }

    /// A number of working days in the scenario's unit.
    pub fn from_days(&self, days: f64) -> f64 {
        match self.unit {
            TimeUnit::Days => days,
            TimeUnit::Hours => days * self.hours_per_day,
            TimeUnit::Weeks => days / self.days_per_week(),
        }
    }

    /// The `k`-th working day (1 = the first working day on or after the start).
    pub fn working_day(&self, k: u64) -> Result<Date, CalendarError> {
        if k > MAX_WORKING_DAYS {
            return Err(CalendarError(format!(
                "{k} working days is beyond the calendar (at most {MAX_WORKING_DAYS})"
            )));
        }
        let mut d = self.start;
        let mut n = 0;
        loop {
            if self.is_working(d) {
                n += 1;
                if n >= k.max(1) {
                    return Ok(d);
                }
            }
            d = d
                .tomorrow()
                .map_err(|_| CalendarError("the calendar runs past the year 9999".into()))?;
        }
    }

    /// The date on which work that ends at simulated time `t` (from the start) is done.
    pub fn date_of(&self, t: f64) -> Result<Date, CalendarError> {
        if !t.is_finite() || t < 0.0 {
            return Err(CalendarError(format!("{t} is not a time in the run")));
        }
        let days = self.to_days(t);
        // Rounding in sums of durations must not push work that ends at the end of a day into
        // the next one.
        let k = (days - 1e-9 * days.max(1.0)).ceil().max(1.0);
        self.working_day(k as u64)
    }

    /// Working days from the start up to and including `date` (0 before the start).
    pub fn working_days_through(&self, date: Date) -> u64 {
        let mut n = 0;
        let mut d = self.start;
        while d <= date {
            if self.is_working(d) {
                n += 1;
            }
            match d.tomorrow() {
                Ok(next) => d = next,
                Err(_) => break,
            }
        }
        n
    }

    /// Working days from the start up to but not including `date` (negative when `date` is
    /// before the start). Constant time in the span (holidays are counted by range).
    pub fn working_days_before(&self, date: Date) -> i64 {
        if date >= self.start {
            self.working_days_between(self.start, date)
        } else {
            -self.working_days_between(date, self.start)
        }
    }

    /// Working days in `[a, b)`, `a <= b`.
    fn working_days_between(&self, a: Date, b: Date) -> i64 {
        let n = i64::from(a.until(b).map_or(0, |s| s.get_days()));
        let mut count = (n / 7) * self.days_per_week() as i64;
        let first = index(a.weekday());
        for i in 0..(n % 7) as usize {
            if self.working[(first + i) % 7] {
                count += 1;
            }
        }
        let off = self
            .holidays
            .range(a..b)
            .filter(|h| self.working[index(h.weekday())])
            .count() as i64;
        count - off
    }

    /// The working time, in working days from the start, at a moment: on a working day the
    /// days before it plus the fraction of the day gone (a day is 24 hours: the clock time is
    /// read as a share of the working day); on a day off, the end of the last working day.
    /// The inverse of writing working time `x` as the `floor(x)+1`-th working day at
    /// `fract(x) * 24` hours.
    pub fn working_days_at(&self, t: jiff::civil::DateTime) -> f64 {
        let d = t.date();
        let before = self.working_days_before(d) as f64;
        if self.is_working(d) {
            let secs = f64::from(t.hour()) * 3600.0
                + f64::from(t.minute()) * 60.0
                + f64::from(t.second())
                + f64::from(t.subsec_nanosecond()) * 1e-9;
            before + secs / 86_400.0
        } else {
            before
        }
    }

    /// The simulated time at the end of `date`: all the working time up to and including it.
    pub fn time_at_end_of(&self, date: Date) -> f64 {
        self.from_days(self.working_days_through(date) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn working_days_before_counts_weeks_and_holidays() {
        let mut holidays = BTreeSet::new();
        holidays.insert(date("2027-01-06")); // a Wednesday
        holidays.insert(date("2027-01-09")); // a Saturday: off anyway
        let mut working = [true; 7];
        working[5] = false;
        working[6] = false;
        let c = Calendar::new(date("2027-01-04"), working, holidays, TimeUnit::Days, 8.0).unwrap();
        // Against a day-by-day count over 60 days either side of the start.
        let mut d = date("2026-11-05");
        for _ in 0..120 {
            let slow = if d >= c.start() {
                c.working_days_through(d) as i64 - i64::from(c.is_working(d))
            } else {
                let mut n = 0;
                let mut x = d;
                while x < c.start() {
                    n += i64::from(c.is_working(x));
                    x = x.tomorrow().unwrap();
                }
                -n
            };
            assert_eq!(c.working_days_before(d), slow, "{d}");
            d = d.tomorrow().unwrap();
        }
        // Monday noon is half a day in; Thursday 6:00 is 2.25 (Wednesday is a holiday);
        // Saturday is the end of Friday, 4 days.
        let at = |s: &str| c.working_days_at(s.parse().unwrap());
        assert_eq!(at("2027-01-04T12:00:00"), 0.5);
        assert_eq!(at("2027-01-07T06:00:00"), 2.25);
        assert_eq!(at("2027-01-09T15:00:00"), 4.0);
        assert_eq!(at("2027-01-11T00:00:00"), 4.0);
    }

    #[test]
    fn twenty_one_day_items_from_a_monday_end_on_the_fourth_friday() {
        // 2027-01-04 is a Monday.
        let c = Calendar::weekdays(date("2027-01-04"), TimeUnit::Days);
        assert_eq!(c.date_of(20.0).unwrap(), date("2027-01-29"));
        assert_eq!(c.date_of(20.0).unwrap().weekday(), Weekday::Friday);
        // Work that ends part-way through the 21st day is done on the next Monday.
        assert_eq!(c.date_of(20.5).unwrap(), date("2027-02-01"));
        // Rounding just above a whole day stays on that day.
        assert_eq!(c.date_of(20.000_000_000_1).unwrap(), date("2027-01-29"));
        // Time 0 and the first day's work are done on the start day.
        assert_eq!(c.date_of(0.0).unwrap(), date("2027-01-04"));
        assert_eq!(c.date_of(1.0).unwrap(), date("2027-01-04"));
        assert_eq!(c.date_of(1.01).unwrap(), date("2027-01-05"));
    }

    #[test]
    fn weekends_holidays_and_year_ends_are_skipped() {
        let holidays: BTreeSet<Date> = ["2026-12-24", "2026-12-25", "2026-12-31", "2027-01-01"]
            .iter()
            .map(|s| date(s))
            .collect();
        let mut working = [true; 7];
        working[5] = false;
        working[6] = false;
        // Wednesday 2026-12-23.
        let c = Calendar::new(date("2026-12-23"), working, holidays, TimeUnit::Days, 8.0).unwrap();
        let days: Vec<Date> = (1..=5).map(|k| c.working_day(k).unwrap()).collect();
        assert_eq!(
            days,
            [
                "2026-12-23",
                "2026-12-28",
                "2026-12-29",
                "2026-12-30",
                "2027-01-04"
            ]
            .map(date)
            .to_vec()
        );
        // A start on a holiday or weekend: the first working day after it.
        let c2 = c.starting(date("2026-12-26"));
        assert_eq!(c2.date_of(0.5).unwrap(), date("2026-12-28"));
        assert_eq!(c.working_days_through(date("2027-01-04")), 5);
        assert_eq!(c.working_days_through(date("2026-12-22")), 0);
        assert_eq!(c.time_at_end_of(date("2027-01-03")), 4.0);
    }

    #[test]
    fn hours_and_weeks_convert_to_working_days() {
        let h = Calendar::new(
            date("2027-01-04"),
            [true, true, true, true, true, false, false],
            BTreeSet::new(),
            TimeUnit::Hours,
            8.0,
        )
        .unwrap();
        assert_eq!(h.date_of(16.0).unwrap(), date("2027-01-05"));
        assert_eq!(h.date_of(16.5).unwrap(), date("2027-01-06"));
        assert_eq!(h.time_at_end_of(date("2027-01-08")), 40.0);
        let w = Calendar::weekdays(date("2027-01-04"), TimeUnit::Weeks);
        assert_eq!(w.date_of(2.0).unwrap(), date("2027-01-15"));
        assert_eq!(w.time_at_end_of(date("2027-01-15")), 2.0);
    }

    #[test]
    fn a_four_day_week() {
        let c = Calendar::new(
            date("2027-01-04"),
            [true, true, true, true, false, false, false],
            BTreeSet::new(),
            TimeUnit::Weeks,
            8.0,
        )
        .unwrap();
        assert_eq!(c.days_per_week(), 4.0);
        assert_eq!(c.date_of(1.0).unwrap(), date("2027-01-07"));
    }

    #[test]
    fn bad_calendars_say_why() {
        assert!(
            Calendar::new(
                date("2027-01-04"),
                [false; 7],
                BTreeSet::new(),
                TimeUnit::Days,
                8.0
            )
            .is_err()
        );
        assert!(
            Calendar::new(
                date("2027-01-04"),
                [true; 7],
                BTreeSet::new(),
                TimeUnit::Hours,
                0.0
            )
            .is_err()
        );
        assert!(
            parse_date("04/01/2027")
                .unwrap_err()
                .0
                .contains("year-month-day")
        );
        let c = Calendar::weekdays(date("2027-01-04"), TimeUnit::Days);
        assert!(c.date_of(f64::NAN).is_err());
        assert!(c.working_day(u64::MAX).is_err());
    }
}
