//! The work-item history of one replication as CSV (`flowsim run --events`), in the two layouts
//! Kanban analytics tools import, with ISO date-times on the scenario's working calendar.
//! Documented for users in docs/results.md ("The work-item history").
//!
//! - **wide**: `id,type,Backlog,Ready for Analysis,Analysis,...,Done`, one row per item in order
//!   of arrival, each cell the first time the item entered that state (empty if it never did);
//! - **long**: `id,type,state,entered_at`, one row per state entry, per item in time order (items
//!   in order of arrival), revisits through rework repeated.
//!
//! A time is written as the working day it falls in and the time of day: simulated time `t` is
//! `d` working days (`Calendar::to_days`), rounded to the second; working day `floor(d)`
//! (counting from 0, the first working day on or after the calendar's start) is the date and
//! the fraction of the day, times 24 hours, the time of day. A reader gets the working time back
//! to the second as (working days before the date) + (seconds of the day) / 86,400; the end of a
//! working day is therefore written as 00:00:00 of the next working day, the same working time.

use crate::calendar::{Calendar, CalendarError};
use crate::engine::{DISCOVERED_INDEX, ItemId};
use crate::metrics::events::EventLog;
use crate::scenario::Scenario;
use jiff::civil::Date;

/// The date simulated time 0 falls on when neither the scenario's `[calendar]` nor the command
/// line gives a start: Monday 4 January 2027.
pub const DEFAULT_START: Date = jiff::civil::date(2027, 1, 4);

/// Seconds in a day (a day of working time is written as 24 hours of the clock).
const DAY_SECONDS: u64 = 86_400;

/// How the history is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// One row per item, one column per state (first entries).
    #[default]
    Wide,
    /// One row per state entry.
    Long,
}

/// The item's id in the history: its arrival number from 1 (`17`); other parts of a split item
/// after a dot (`17.2`, `17.3`); discovered items `D1`, `D2`, ... (`D4.2` for a part).
pub fn item_id(id: ItemId) -> String {
    let base = if id.is_discovered() {
        format!("D{}", id.index - DISCOVERED_INDEX + 1)
    } else {
        (id.index + 1).to_string()
    };
    if id.part == 0 {
        base
    } else {
        format!("{base}.{}", u32::from(id.part) + 1)
    }
}

/// Simulated times as date-times on a working calendar. Remembers the working days it has seen,
/// so that writing a long history costs one pass over the calendar.
#[derive(Debug, Clone)]
pub struct Clock<'c> {
    calendar: &'c Calendar,
    /// The working days from the start: `dates[k]` is working day k (from 0).
    dates: Vec<Date>,
}

impl<'c> Clock<'c> {
    pub fn new(calendar: &'c Calendar) -> Clock<'c> {
        Clock {
            calendar,
            dates: Vec::new(),
        }
    }

    /// Working day `k`, counting from 0.
    fn working_day(&mut self, k: usize) -> Result<Date, CalendarError> {
        while self.dates.len() <= k {
            let next = match self.dates.last() {
                None => self.calendar.working_day(1)?,
                Some(last) => {
                    let mut d = *last;
                    loop {
                        d = d.tomorrow().map_err(|_| {
                            CalendarError("the history runs past the year 9999".into())
                        })?;
                        if self.calendar.is_working(d) {
                            break d;
                        }
                    }
                }
            };
            self.dates.push(next);
        }
        Ok(self.dates[k])
    }

    /// Simulated time `t` (from 0, in the scenario's unit) as `2027-01-04T13:12:00`.
    pub fn datetime(&mut self, t: f64) -> Result<String, CalendarError> {
        let days = self.calendar.to_days(t);
        if !(days.is_finite() && days >= 0.0) {
            return Err(CalendarError(format!("{t} is not a time in the run")));
        }
        let seconds = (days * DAY_SECONDS as f64).round() as u64;
        let date = self.working_day((seconds / DAY_SECONDS) as usize)?;
        let s = seconds % DAY_SECONDS;
        Ok(format!(
            "{date}T{:02}:{:02}:{:02}",
            s / 3600,
            s / 60 % 60,
            s % 60
        ))
    }
}

/// The history as CSV in the given layout, with times on `calendar`.
pub fn events_csv(
    log: &EventLog,
    scenario: &Scenario,
    calendar: &Calendar,
    layout: Layout,
) -> Result<Vec<u8>, CalendarError> {
    let mut clock = Clock::new(calendar);
    let states = log.states().names();
    let mut w = csv::Writer::from_writer(Vec::new());
    let write = |w: &mut csv::Writer<Vec<u8>>, row: &[&str]| {
        w.write_record(row).expect("writing to memory cannot fail");
    };
    match layout {
        Layout::Wide => {
            let mut header = vec!["id", "type"];
            header.extend(states.iter().map(String::as_str));
            write(&mut w, &header);
            for item in log.items() {
                let mut row = vec![
                    item_id(item.id),
                    scenario.work_types[item.work_type].name.clone(),
                ];
                for s in 0..states.len() as u32 {
                    row.push(match item.first_entry(s) {
                        Some(t) => clock.datetime(t)?,
                        None => String::new(),
                    });
                }
                write(&mut w, &row.iter().map(String::as_str).collect::<Vec<_>>());
            }
        }
        Layout::Long => {
            write(&mut w, &["id", "type", "state", "entered_at"]);
            for item in log.items() {
                let id = item_id(item.id);
                let work_type = &scenario.work_types[item.work_type].name;
                for e in &item.entries {
                    let at = clock.datetime(e.time)?;
                    write(&mut w, &[&id, work_type, &states[e.state as usize], &at]);
                }
            }
        }
    }
    Ok(w.into_inner().expect("writing to memory cannot fail"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;
    use crate::scenario::TimeUnit;
    use std::collections::BTreeSet;

    #[test]
    fn ids_count_from_one_with_parts_and_discoveries() {
        let id = |index, part| item_id(ItemId { index, part });
        assert_eq!(id(0, 0), "1");
        assert_eq!(id(16, 0), "17");
        assert_eq!(id(16, 1), "17.2");
        assert_eq!(id(16, 2), "17.3");
        assert_eq!(id(DISCOVERED_INDEX, 0), "D1");
        assert_eq!(id(DISCOVERED_INDEX + 3, 1), "D4.2");
    }

    #[test]
    fn times_fall_on_working_days_and_day_ends_on_the_next_morning() {
        // Monday 2027-01-04, Monday to Friday.
        let cal = Calendar::weekdays(DEFAULT_START, TimeUnit::Days);
        let mut c = Clock::new(&cal);
        assert_eq!(c.datetime(0.0).unwrap(), "2027-01-04T00:00:00");
        assert_eq!(c.datetime(0.55).unwrap(), "2027-01-04T13:12:00");
        // The end of Friday (5 working days) is Monday's start: the same working time.
        assert_eq!(c.datetime(5.0).unwrap(), "2027-01-11T00:00:00");
        assert_eq!(c.datetime(4.75).unwrap(), "2027-01-08T18:00:00");
        // Rounding to the second never writes 24:00:00.
        assert_eq!(c.datetime(4.999_999_999).unwrap(), "2027-01-11T00:00:00");
        assert_eq!(c.datetime(1.0 / 86_400.0).unwrap(), "2027-01-04T00:00:01");
        // Earlier days after later ones: from the remembered working days.
        assert_eq!(c.datetime(1.5).unwrap(), "2027-01-05T12:00:00");
        for k in 1..40u64 {
            let expected = cal.working_day(k).unwrap();
            assert_eq!(
                c.datetime((k - 1) as f64).unwrap(),
                format!("{expected}T00:00:00")
            );
        }
    }

    #[test]
    fn hours_weeks_and_holidays() {
        let start = parse_date("2027-12-23").unwrap(); // a Thursday
        let holidays: BTreeSet<Date> = ["2027-12-24", "2027-12-31"]
            .iter()
            .map(|d| parse_date(d).unwrap())
            .collect();
        let mut week = [true; 7];
        week[5] = false;
        week[6] = false;
        let hours = Calendar::new(start, week, holidays.clone(), TimeUnit::Hours, 8.0).unwrap();
        let mut c = Clock::new(&hours);
        // 8 hours a day: 12 hours is a day and a half; the 24th is a holiday.
        assert_eq!(c.datetime(12.0).unwrap(), "2027-12-27T12:00:00");
        let weeks = Calendar::new(start, week, holidays, TimeUnit::Weeks, 8.0).unwrap();
        let mut c = Clock::new(&weeks);
        // One week = 5 working days: Thu 23, Mon 27, Tue 28, Wed 29, Thu 30; then Mon 3.
        assert_eq!(c.datetime(1.0).unwrap(), "2028-01-03T00:00:00");
        assert_eq!(c.datetime(0.1).unwrap(), "2027-12-23T12:00:00");
        assert_eq!(c.datetime(0.3).unwrap(), "2027-12-27T12:00:00");
    }
}
