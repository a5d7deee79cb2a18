//! How to read an item history: its layout, which columns hold what, the workflow states in flow
//! order and whether each is work or wait, the date format and the working calendar. Read from a
//! small TOML mapping file, overridden by command-line options, with defaults for what neither
//! says.
//!
//! ```toml
//! layout = "wide"                  # wide: one row per item, a column per state; long: a row per
//!                                  # state entered (default: long when there is a `state` column)
//! id = "Key"                       # the item id column (default: id, key, issue key, ...)
//! title = "Summary"                # optional
//! type = "Issue Type"              # optional: the work type
//! date_format = "%d/%m/%Y"         # optional: strptime-style; default ISO dates and date-times
//! state = "to_state"               # long layout: the state column (default: state, status, to_state)
//! entered = "timestamp_utc"        # long layout: when it was entered (default: entered_at, timestamp, ...)
//! abandoned = ["withdrawn"]        # states that end an item without delivering it
//! work = ["Development", "Test"]   # states where the item is worked on (others: by their names)
//!
//! [[states]]                       # in flow order; default: found in the file
//! name = "Development"
//! column = "Dev started"           # wide layout: its column (default: the name)
//! values = ["In Progress"]         # long layout: the state column's values (default: the name)
//! kind = "work"                    # work | wait (default: from `work`, else by the name)
//!
//! [calendar]                       # default Monday to Friday, no holidays
//! working_days = ["mon", "tue", "wed", "thu", "fri"]
//! holidays = ["2026-12-24..2026-12-31"]
//! ```

use crate::scenario::error::{Diagnostic, ScenarioError};
use serde::Deserialize;
use std::collections::BTreeSet;
use toml::Spanned;

/// One row per item with a column per state, or one row per state entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Wide,
    Long,
}

/// Whether time in a state is work or waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Work,
    Wait,
}

/// A workflow state as the mapping names it.
#[derive(Debug, Clone, PartialEq)]
pub struct StateSpec {
    pub name: String,
    /// Wide layout: the column (default: the name).
    pub column: Option<String>,
    /// Long layout: the values meaning this state (default: the name), compared ignoring case.
    pub values: Vec<String>,
    pub kind: Option<Kind>,
}

/// Everything a mapping can say; `None` and empty lists leave the choice to the defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    pub layout: Option<Layout>,
    pub id: Option<String>,
    pub title: Option<String>,
    pub work_type: Option<String>,
    pub date_format: Option<String>,
    pub state: Option<String>,
    pub entered: Option<String>,
    pub states: Vec<StateSpec>,
    pub work: Vec<String>,
    pub wait: Vec<String>,
    pub abandoned: Vec<String>,
    /// Days worked, Monday first (default Monday to Friday).
    pub working_days: Option<[bool; 7]>,
    pub holidays: BTreeSet<jiff::civil::Date>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    layout: Option<Spanned<String>>,
    id: Option<String>,
    title: Option<String>,
    #[serde(rename = "type")]
    work_type: Option<String>,
    date_format: Option<String>,
    state: Option<String>,
    entered: Option<String>,
    #[serde(default)]
    states: Vec<RawState>,
    #[serde(default)]
    work: Vec<String>,
    #[serde(default)]
    wait: Vec<String>,
    #[serde(default)]
    abandoned: Vec<String>,
    calendar: Option<RawCalendar>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawState {
    name: Spanned<String>,
    column: Option<String>,
    #[serde(default)]
    values: Vec<String>,
    kind: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    working_days: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    holidays: Vec<Spanned<toml::Value>>,
}

/// Reads a mapping file's text; `source` names it in messages (file:line:column).
pub fn parse(text: &str, source: &str) -> Result<Mapping, ScenarioError> {
    let raw: Raw = toml::from_str(text).map_err(|e| {
        ScenarioError::single(Diagnostic::at(source, text, e.span(), None, e.message()))
    })?;
    let mut problems = Vec::new();
    let mut fail = |span: std::ops::Range<usize>, key: &str, msg: String| {
        problems.push(Diagnostic::at(
            source,
            text,
            Some(span),
            Some(key.to_string()),
            msg,
        ));
    };
    let layout = match raw
        .layout
        .as_ref()
        .map(|l| (l.get_ref().as_str(), l.span()))
    {
        None => None,
        Some(("wide", _)) => Some(Layout::Wide),
        Some(("long", _)) => Some(Layout::Long),
        Some((other, span)) => {
            fail(
                span,
                "layout",
                format!(
                    "`{other}` is not a layout; allowed: \"wide\" (a column per state) or \"long\" (a row per state entered)"
                ),
            );
            None
        }
    };
    let mut states = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, s) in raw.states.iter().enumerate() {
        let name = s.name.get_ref().trim().to_string();
        let key = format!("states[{i}].name");
        if name.is_empty() {
            fail(s.name.span(), &key, "a state needs a name".into());
        } else if !seen.insert(name.to_lowercase()) {
            fail(
                s.name.span(),
                &key,
                format!("state `{name}` is listed twice"),
            );
        }
        let kind = match s.kind.as_ref().map(|k| (k.get_ref().as_str(), k.span())) {
            None => None,
            Some(("work", _)) => Some(Kind::Work),
            Some(("wait", _)) => Some(Kind::Wait),
            Some((other, span)) => {
                fail(
                    span,
                    &format!("states[{i}].kind"),
                    format!("`{other}` is not a kind of state; allowed: \"work\" or \"wait\""),
                );
                None
            }
        };
        states.push(StateSpec {
            name,
            column: s.column.clone(),
            values: s.values.clone(),
            kind,
        });
    }
    let mut working_days = None;
    let mut holidays = BTreeSet::new();
    if let Some(c) = &raw.calendar {
        if let Some(days) = &c.working_days {
            let mut w = [false; 7];
            for d in days.get_ref() {
                match crate::scenario::validate::weekday_index(d.get_ref()) {
                    Some(i) => w[i] = true,
                    None => fail(
                        d.span(),
                        "calendar.working_days",
                        format!(
                            "`{}` is not a day of the week; allowed: mon, tue, wed, thu, fri, sat, sun",
                            d.get_ref()
                        ),
                    ),
                }
            }
            if !w.iter().any(|x| *x) {
                fail(
                    days.span(),
                    "calendar.working_days",
                    "no day of the week is a working day; list at least one".into(),
                );
            }
            working_days = Some(w);
        }
        for h in &c.holidays {
            match crate::scenario::validate::holiday_dates(h.get_ref()) {
                Ok(ds) => holidays.extend(ds),
                Err(e) => fail(
                    h.span(),
                    "calendar.holidays",
                    format!(
                        "{e}; holidays are dates (2027-12-25) or ranges as text (\"2027-12-24..2027-12-31\")"
                    ),
                ),
            }
        }
    }
    if !problems.is_empty() {
        return Err(ScenarioError { problems });
    }
    Ok(Mapping {
        layout,
        id: raw.id,
        title: raw.title,
        work_type: raw.work_type,
        date_format: raw.date_format,
        state: raw.state,
        entered: raw.entered,
        states,
        work: raw.work,
        wait: raw.wait,
        abandoned: raw.abandoned,
        working_days,
        holidays,
    })
}

/// Words that make a state a wait by default ("Ready for review", "Analysis done", "Blocked").
const WAIT_WORDS: [&str; 12] = [
    "backlog", "ready", "wait", "queue", "blocked", "done", "to do", "todo", "new", "open",
    "pending", "hold",
];

/// The kind of a state the mapping does not classify: a wait when its name has a word of
/// waiting in it, else work.
pub fn default_kind(name: &str) -> Kind {
    let n = name.to_lowercase().replace(['_', '-'], " ");
    if WAIT_WORDS.iter().any(|w| n.contains(w)) {
        Kind::Wait
    } else {
        Kind::Work
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_mapping_reads() {
        let m = parse(
            r#"
layout = "long"
id = "kep_id"
state = "to_state"
entered = "timestamp_utc"
abandoned = ["withdrawn", "rejected"]
work = ["alpha"]

[[states]]
name = "Design"
values = ["provisional"]
kind = "work"

[[states]]
name = "alpha"

[calendar]
working_days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
holidays = [2026-12-25, "2026-12-30..2027-01-01"]
"#,
            "m.toml",
        )
        .unwrap();
        assert_eq!(m.layout, Some(Layout::Long));
        assert_eq!(m.states.len(), 2);
        assert_eq!(m.states[0].values, ["provisional"]);
        assert_eq!(m.states[0].kind, Some(Kind::Work));
        assert_eq!(m.working_days, Some([true; 7]));
        assert_eq!(m.holidays.len(), 4);
    }

    #[test]
    fn mistakes_are_located() {
        let e = parse("layout = \"diagonal\"\n[[states]]\nname = \"A\"\nkind = \"rest\"\n[[states]]\nname = \"a\"\n", "m.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("m.toml:1:10") && e.contains("not a layout"),
            "{e}"
        );
        assert!(
            e.contains("m.toml:4:8") && e.contains("allowed: \"work\" or \"wait\""),
            "{e}"
        );
        assert!(e.contains("listed twice"), "{e}");
        let e = parse("colour = 1\n", "m.toml").unwrap_err().to_string();
        assert!(e.contains("m.toml:1:1") && e.contains("colour"), "{e}");
        let e = parse("[calendar]\nworking_days = [\"funday\"]\n", "m.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("funday"), "{e}");
    }

    #[test]
    fn waits_are_told_by_their_names() {
        for w in [
            "Backlog",
            "Ready for review",
            "Analysis done",
            "Blocked",
            "To Do",
            "On hold",
        ] {
            assert_eq!(default_kind(w), Kind::Wait, "{w}");
        }
        for w in [
            "Analysis",
            "Development",
            "In Progress",
            "Review",
            "Test",
            "beta",
        ] {
            assert_eq!(default_kind(w), Kind::Work, "{w}");
        }
    }
}
