//! Reading item histories: both layouts, the defaults, and every kind of odd row.

use super::*;

fn sheet(text: &str) -> Sheet {
    Sheet::parse(text.as_bytes(), "h.csv".into()).unwrap()
}

fn read(text: &str, mapping: &Mapping) -> History {
    from_sheet(&sheet(text), mapping).unwrap()
}

fn states(h: &History) -> Vec<(&str, Kind)> {
    h.states.iter().map(|s| (s.name.as_str(), s.kind)).collect()
}

#[test]
fn a_wide_history_with_odd_rows() {
    // 2027-01-04 is a Monday.
    let text = "\
id,title,type,Backlog,Development,Review done,Done,Notes
1,First,story,2027-01-04,2027-01-05,2027-01-07T12:00:00,2027-01-11,ok
2,Second,bug,2027-01-05,2027-01-06,,,still going
3,Third,story,2027-01-06,someday,2027-01-08,2027-01-12,bad cell
1,Again,story,2027-01-04,,,,duplicate
4,Fourth,story,2027-01-04,2027-01-08,2027-01-07,2027-01-13,backwards
5,Fifth,story,2027-01-05,,,2027-01-06,skipped
6,Sixth,story,,,,,nothing
";
    let h = read(text, &Mapping::default());
    assert_eq!(h.layout, Layout::Wide);
    assert_eq!(
        states(&h),
        [
            ("Backlog", Kind::Wait),
            ("Development", Kind::Work),
            ("Review done", Kind::Wait),
            ("Done", Kind::Wait)
        ]
    );
    let ids: Vec<&str> = h.items.iter().map(|i| i.id.as_str()).collect();
    // In order of arrival; ties in file order.
    assert_eq!(ids, ["1", "4", "2", "5"]);
    let d: Vec<(u64, &str)> = h.dropped.iter().map(|d| (d.line, d.id.as_str())).collect();
    assert_eq!(d, [(4, "3"), (5, "1"), (8, "6")]);
    assert!(
        h.dropped[0]
            .reason
            .starts_with("column `Development` (E): `someday` is not a date"),
        "{}",
        h.dropped[0].reason
    );
    assert!(h.dropped[1].reason.contains("already read on line 2"));
    assert!(h.dropped[2].reason.contains("entered no state"));
    assert_eq!(h.origin(), jiff::civil::date(2027, 1, 4));
    let first = &h.items[0];
    assert_eq!(first.title, "First");
    assert_eq!(first.work_type, "story");
    let t: Vec<f64> = first.entries.iter().map(|e| e.t).collect();
    // Monday 0, Tuesday 1, Thursday noon 3.5, next Monday 5 (the weekend is not worked).
    assert_eq!(t, [0.0, 1.0, 3.5, 5.0]);
    assert_eq!(h.done(first), Some(5.0));
    assert!(!first.moved_backwards && !first.skipped);
    let second = &h.items[2];
    assert_eq!(h.done(second), None);
    let fourth = &h.items[1];
    assert!(fourth.moved_backwards, "Review done before Development");
    let fifth = &h.items[3];
    assert!(fifth.skipped && !fifth.moved_backwards);
    assert_eq!(h.counts(), (3, 1));
    // The unfinished item's last state lasts until the history's end (Wednesday 13th: 7).
    let v = h.visits();
    assert!(v.contains(&(2, 1, 2.0, 7.0)), "{v:?}");
}

#[test]
fn a_long_history_with_rework_and_abandoned_items() {
    let text = "\
key,status,changed_at
A,To Do,2027-01-04
A,In Progress,2027-01-05
A,Review,2027-01-06
A,In Progress,2027-01-07
A,Review,2027-01-08
A,Closed,2027-01-11
B,To Do,2027-01-04
B,Withdrawn,2027-01-05
C,To Do,2027-01-05
C,In Progress,not yet
C,In Progress,2027-01-06
D,To Do,2027-01-06
D,Parked,2027-01-07
";
    let mapping = Mapping {
        abandoned: vec!["withdrawn".into()],
        ..Mapping::default()
    };
    let h = read(text, &mapping);
    assert_eq!(h.layout, Layout::Long);
    let names: Vec<&str> = h.states.iter().map(|s| s.name.as_str()).collect();
    // Parked comes last in D's journey, so it lands late in the flow: between Review and
    // Closed or after; To Do is first and Closed, only ever last, closes.
    assert_eq!(names[0], "To Do");
    assert!(names.contains(&"Parked"));
    assert_eq!(h.abandoned, 1);
    let a = h.items.iter().find(|i| i.id == "A").unwrap();
    assert_eq!(a.entries.len(), 6, "revisits are kept");
    assert!(a.moved_backwards);
    assert_eq!(h.dropped.len(), 1);
    assert_eq!(h.dropped[0].line, 11);
    assert!(h.dropped[0].reason.contains("`not yet` is not a date"));

    // With the states mapped, an unmapped value drops its row.
    let mapping = Mapping {
        abandoned: vec!["Withdrawn".into()],
        states: ["To Do", "In Progress", "Review", "Closed"]
            .iter()
            .map(|n| mapping::StateSpec {
                name: n.to_string(),
                column: None,
                values: Vec::new(),
                kind: None,
            })
            .collect(),
        ..Mapping::default()
    };
    let h = read(text, &mapping);
    assert_eq!(h.states.len(), 4);
    assert_eq!(h.done_state(), 3);
    let parked = h.dropped.iter().find(|d| d.id == "D").unwrap();
    assert_eq!(parked.line, 14);
    assert!(
        parked
            .reason
            .contains("`Parked` is not one of the mapped states")
    );
    let a = h.items.iter().find(|i| i.id == "A").unwrap();
    assert_eq!(h.done(a), Some(5.0));
    let visits: Vec<(usize, f64, f64)> = h
        .visits()
        .into_iter()
        .filter(|v| h.items[v.0].id == "A")
        .map(|v| (v.1, v.2, v.3))
        .collect();
    assert_eq!(
        visits,
        [
            (0, 0.0, 1.0),
            (1, 1.0, 2.0),
            (2, 2.0, 3.0),
            (1, 3.0, 4.0),
            (2, 4.0, 5.0)
        ]
    );
}

#[test]
fn nothing_usable_is_an_error_that_says_why() {
    let e = from_sheet(
        &sheet("id,Start,Done\n1,31/12/2026,02/01/2027\n2,01/01/2027,\n"),
        &Mapping::default(),
    )
    .unwrap_err();
    assert!(e.0.contains("found 0 columns of dates"), "{e}");
    let m = Mapping {
        states: ["Start", "Done"]
            .iter()
            .map(|n| mapping::StateSpec {
                name: n.to_string(),
                column: None,
                values: Vec::new(),
                kind: None,
            })
            .collect(),
        ..Mapping::default()
    };
    let e = from_sheet(
        &sheet("id,Start,Done\n1,31/12/2026,02/01/2027\n2,01/01/2027,\n"),
        &m,
    )
    .unwrap_err();
    assert!(e.0.contains("holds no usable item (2 rows dropped"), "{e}");
    assert!(
        e.0.contains("line 2: column `Start` (B): `31/12/2026` is not a date"),
        "{e}"
    );
    assert!(
        e.0.contains("%d/%m/%Y"),
        "the format that would read it: {e}"
    );
    let m = Mapping {
        date_format: Some("%d/%m/%Y".into()),
        ..m
    };
    let h = from_sheet(
        &sheet("id,Start,Done\n1,31/12/2026,02/01/2027\n2,01/01/2027,\n"),
        &m,
    )
    .unwrap();
    // Thursday 31st to Saturday 2nd: Thursday and Friday, 2 working days, from the Monday
    // before (the origin) 3 to 5.
    assert_eq!(h.origin(), jiff::civil::date(2026, 12, 28));
    assert_eq!(h.arrived(&h.items[0]), 3.0);
    assert_eq!(h.done(&h.items[0]), Some(5.0));
    let e = from_sheet(&sheet("id,Begin,End\n1,2027-01-04,2027-01-05\n"), &m).unwrap_err();
    assert!(e.0.contains("no column `Start`"), "{e}");
}

#[test]
fn abandoned_states_in_both_layouts_and_delivered_items_stay_delivered() {
    // Wide: a column per abandoned state (`entered_rejected`), not a state of the flow.
    let text = "\
pep,entered_draft,entered_final,entered_rejected
1,2027-01-04,2027-01-06,
2,2027-01-04,,2027-01-05
3,2027-01-04,2027-01-05,2027-01-07
4,2027-01-05,,
5,,,2027-01-05
6,2027-01-05,,2027-01-04
";
    let mapping = Mapping {
        abandoned: vec!["Rejected".into()],
        ..Mapping::default()
    };
    let h = read(text, &mapping);
    assert_eq!(h.layout, Layout::Wide);
    let names: Vec<&str> = h.states.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["draft", "final"]);
    // 2 and 5 ended rejected; 3 was delivered before it was rejected; 6 was picked up again.
    assert_eq!(h.abandoned, 2);
    let ids: Vec<&str> = h.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["1", "3", "4", "6"]);
    assert_eq!(h.counts(), (2, 2));
    assert!(h.dropped.is_empty(), "{:?}", h.dropped);

    // Long: done, then superseded, is still delivered.
    let text = "\
pep,to_state,timestamp_utc
1,Draft,2027-01-04
1,Final,2027-01-05
1,Superseded,2027-01-06
2,Draft,2027-01-04
2,Superseded,2027-01-06
";
    let mapping = Mapping {
        abandoned: vec!["superseded".into()],
        ..Mapping::default()
    };
    let h = read(text, &mapping);
    assert_eq!(h.abandoned, 1);
    assert_eq!(h.items.len(), 1);
    assert_eq!(h.done(&h.items[0]), Some(1.0));
}

#[test]
fn a_header_with_no_rows_says_so() {
    let e = from_sheet(&sheet("id,Start,Done\n"), &Mapping::default()).unwrap_err();
    assert!(e.0.contains("h.csv has no rows below its header"), "{e}");
}
