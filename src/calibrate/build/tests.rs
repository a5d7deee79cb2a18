//! The stage plan, capacities, rework and arrivals of calibrated scenarios from small histories
//! worked out by hand.

use super::*;
use crate::history::from_sheet;
use crate::history::mapping::Mapping;
use crate::sheet::Sheet;

fn history(text: &str) -> History {
    from_sheet(
        &Sheet::parse(text.as_bytes(), "h.csv".into()).unwrap(),
        &Mapping::default(),
    )
    .unwrap()
}

#[test]
fn states_become_a_backlog_queues_stages_and_delays() {
    // Monday 2027-01-04 is day 0. Ready for dev is Dev's queue, Backlog the backlog, Awaiting
    // release (a wait before done) a delay stage. Item 3 goes back from Review to Dev.
    let text = "\
id,state,entered_at
1,Backlog,2027-01-04
1,Ready for dev,2027-01-04
1,Dev,2027-01-05
1,Review,2027-01-07
1,Awaiting release,2027-01-08
1,Done,2027-01-11
2,Backlog,2027-01-05
2,Ready for dev,2027-01-05
2,Dev,2027-01-06
2,Review,2027-01-07
2,Awaiting release,2027-01-07T12:00:00
2,Done,2027-01-11
3,Backlog,2027-01-06
3,Ready for dev,2027-01-06
3,Dev,2027-01-06
3,Review,2027-01-08
3,Dev,2027-01-11
3,Review,2027-01-12
3,Awaiting release,2027-01-13
3,Done,2027-01-18
";
    let h = history(text);
    let names: Vec<&str> = h.states.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Backlog",
            "Ready for dev",
            "Dev",
            "Review",
            "Awaiting release",
            "Done"
        ]
    );
    let c = calibrate(&h, "team").unwrap();
    let plan: Vec<(&str, Role, Vec<&str>)> = c
        .stages
        .iter()
        .map(|s| {
            (
                s.name.as_str(),
                s.role.clone(),
                s.queue.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        plan,
        [
            ("Dev", Role::Work, vec!["Backlog", "Ready for dev"]),
            ("Review", Role::Work, vec![]),
            ("Awaiting release", Role::Delay, vec![])
        ]
    );
    // Dev visits: 1: day 1 to 3; 2: 2 to 3; 3: 2 to 4 and 5 to 6. At once: items 1, 2 and 3
    // on day 2 to 3.
    let dev = &c.stages[0];
    assert_eq!(dev.visits, 4);
    assert_eq!(dev.capacity, Some(3));
    // Review: 1: 3 to 4; 2: 3 to 3.5; 3: 4 to 5 (back to Dev), 6 to 7. Items 1 and 2 overlap.
    let review = &c.stages[1];
    assert_eq!(review.visits, 4);
    assert_eq!(review.capacity, Some(2));
    // One of Review's four visits went back to Dev.
    assert_eq!(
        review.rework,
        Some(Rework {
            to: "Dev".into(),
            probability: 0.25,
            moves: 1,
            elsewhere: 0
        })
    );
    assert_eq!(dev.rework, None);
    // Too few visits to fit: the observed durations are resampled (Friday to Monday, 4 to 5: 1;
    // Thursday noon to Monday, 3.5 to 5: 1.5; Wednesday to Monday, 7 to 10: 3).
    match &c.stages[2].duration {
        Some(Choice::Empirical { samples, .. }) => assert_eq!(samples, &vec![1.0, 1.5, 3.0]),
        other => panic!("{other:?}"),
    }
    // Arrivals on days 0, 1 and 2 of a period running to day 10.
    assert_eq!(c.arrivals.items, 3);
    assert_eq!(c.arrivals.rate, 1.0);
    assert_eq!(c.period, 10.0);
    // The scenario validates (checked by calibrate) and says how it was made.
    let sc = crate::scenario::Scenario::parse(&c.toml, "c.toml").unwrap();
    assert_eq!(sc.stages.len(), 3);
    assert!(
        c.toml
            .contains("rework = { to = \"Dev\", probability = 0.25 }"),
        "{}",
        c.toml
    );
    assert!(c.toml.contains("workers = 3"), "{}", c.toml);
    assert!(c.toml.contains("kind = \"delay\""), "{}", c.toml);
    assert!(c.toml.contains("horizon = 10"), "{}", c.toml);
}

#[test]
fn the_most_items_at_once_counts_touching_visits_once() {
    assert_eq!(most_at_once(&[]), 0);
    assert_eq!(most_at_once(&[(0.0, 1.0), (1.0, 2.0), (2.0, 3.0)]), 1);
    assert_eq!(
        most_at_once(&[(0.0, 2.0), (1.0, 3.0), (1.5, 1.6), (2.5, 4.0)]),
        3
    );
}

#[test]
fn long_empirical_lists_keep_evenly_spaced_quantiles() {
    let samples: Vec<f64> = (0..1000).map(f64::from).collect();
    let c = shorten(Choice::Empirical {
        reason: String::new(),
        all: Vec::new(),
        samples,
    });
    match c {
        Choice::Empirical { samples, .. } => {
            assert_eq!(samples.len(), MAX_EMPIRICAL);
            // Midpoint quantiles of 0..999: 2.5 -> 2, then every 5.
            assert_eq!(samples[0], 2.0);
            assert_eq!(samples[1], 7.0);
            assert_eq!(samples[199], 997.0);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn items_all_there_at_the_start_are_the_backlog_and_nothing_arrives() {
    let h = history(
        "id,Backlog,Development,Done\n\
         1,2027-01-04,2027-01-05,2027-01-07\n\
         2,2027-01-04,2027-01-06,2027-01-08\n\
         3,2027-01-04,2027-01-07,2027-01-12\n",
    );
    let c = calibrate(&h, "same").expect("calibrates");
    assert_eq!((c.arrivals.items, c.arrivals.backlog), (3, 3));
    assert!(c.arrivals.interval.is_none());
    // The scenario validates (checked by calibrate): a backlog of 3 and no arrival stream.
    let sc = crate::scenario::Scenario::parse(&c.toml, "c.toml").unwrap();
    assert_eq!(sc.arrivals.backlog, 3);
    assert!(sc.arrivals.interval.is_none());
}
