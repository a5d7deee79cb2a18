//! `flowsim map` end to end: the binary on small wide and long histories written here (the files
//! it writes, map.json's figures, the command-line options over the mapping file), bad input
//! (exit code 2 with the mapping file's line and column, a missing column, dropped rows with
//! their lines), and the real public histories in /work/shared/data with the mapping files in
//! scenarios/data/mappings (skipped with a message when the data is not there).

use crate::common::{
    assert_not_blank, chromium, drawn_shapes, dump_dom, flowsim_bin, screenshot_whole_page,
    temp_dir,
};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn map(args: &[&str]) -> Output {
    std::process::Command::new(flowsim_bin())
        .arg("map")
        .args(args)
        .output()
        .expect("flowsim runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(args: &[&str]) -> String {
    let out = map(args);
    assert!(
        out.status.success(),
        "flowsim map {args:?} failed:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn bad(args: &[&str]) -> String {
    let out = map(args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "flowsim map {args:?} should fail with bad input:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stderr)
}

fn json(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("map.json")).unwrap()).unwrap()
}

/// Items in any state on the cumulative flow's last day.
fn cfd_last(m: &Value) -> u64 {
    m["cfd"]["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_array().unwrap().last().unwrap().as_u64().unwrap())
        .sum()
}

fn close(v: &Value, want: f64) -> bool {
    v.as_f64().is_some_and(|x| (x - want).abs() < 1e-9)
}

/// Four items, dates day first. 2027-01-04 is a Monday; every day is worked with --all-days.
const WIDE: &str = "\
Key,Summary,Type,Backlog,Development,Review,Done
A-1,\"First, with a comma\",Story,04/01/2027,05/01/2027,07/01/2027,08/01/2027
A-2,Second,Bug,04/01/2027,06/01/2027,,10/01/2027
A-3,Third,Story,05/01/2027,06/01/2027,08/01/2027,
A-4,Fourth,Story,05/01/2027,someday,,
A-5,Fifth,Story,06/01/2027,,,
";

#[test]
fn a_wide_history_gives_every_file_and_figure() {
    let dir = temp_dir("map-wide");
    let csv = write(&dir, "wide.csv", WIDE);
    let out = dir.join("out");
    let stdout = ok(&[
        csv.to_str().unwrap(),
        "--date-format",
        "%d/%m/%Y",
        "--work",
        "Development",
        "--all-days",
        "--out",
        out.to_str().unwrap(),
    ]);
    for f in [
        "map.json",
        "map.html",
        "states.csv",
        "items.csv",
        "weeks.csv",
        "dropped.csv",
        "value-stream-map.svg",
        "value-stream-map.png",
        "lead-time-scatter.png",
        "lead-time-histogram.png",
        "cumulative-flow.png",
        "throughput-run-chart.png",
        "aging-wip.png",
        "flow-efficiency-histogram.png",
    ] {
        assert!(out.join(f).is_file(), "{f} is missing");
    }
    assert!(stdout.contains("wide.csv (wide layout)"), "{stdout}");
    assert!(
        stdout.contains("working days (every day of the week"),
        "{stdout}"
    );
    assert!(stdout.contains("line 5 (A-4)"), "{stdout}");
    let m = json(&out);
    assert_eq!(m["layout"], "wide");
    assert_eq!(m["time_unit"], "working days");
    let c = &m["counts"];
    assert_eq!(c["items"], 4);
    assert_eq!(c["finished"], 2);
    assert_eq!(c["in_progress"], 2);
    assert_eq!(c["rows_dropped"], 1);
    assert_eq!(c["skipped_a_state"], 1, "A-2 skipped Review");
    // Every day worked: A-1 took 4 days, A-2 6.
    let l = &m["lead_time"];
    assert!(close(&l["min"], 4.0) && close(&l["max"], 6.0), "{l}");
    assert!(close(&l["p50"], 5.0), "{l}");
    // --work names Development; the other states go by their names (Review has no word of
    // waiting in it: work; Backlog and Done wait).
    let kinds: Vec<(&str, &str)> = m["states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("Backlog", "wait"),
            ("Development", "work"),
            ("Review", "work"),
            ("Done", "wait")
        ]
    );
    // A-1: Development 2 days, Review 1 of 4; A-2: Development 4 of 6.
    let f = &m["flow_efficiency"];
    assert!(close(&f["overall"], 7.0 / 10.0), "{f}");
    assert!(close(&f["mean_of_items"], (0.75 + 4.0 / 6.0) / 2.0), "{f}");
    let items = std::fs::read_to_string(out.join("items.csv")).unwrap();
    assert!(
        items.contains("A-1,\"First, with a comma\",Story,2,Backlog,2027-01-04,2027-01-08,Done,4,"),
        "{items}"
    );
    let dropped = std::fs::read_to_string(out.join("dropped.csv")).unwrap();
    assert!(dropped.starts_with("line,id,reason\n5,A-4,"), "{dropped}");
    assert!(
        dropped.contains("`someday` does not match the date format"),
        "{dropped}"
    );
    let html = std::fs::read_to_string(out.join("map.html")).unwrap();
    assert!(html.contains("<svg") && !html.contains("<script"));
    assert!(html.contains("First, with a comma") || html.contains("wide.csv"));
}

/// A long history with rework and an abandoned item, read with a mapping file.
const LONG: &str = "\
issue,status,changed
1,To Do,2027-01-04T09:00:00
1,In Progress,2027-01-05T09:00:00
1,In Review,2027-01-06T09:00:00
1,In Progress,2027-01-07T09:00:00
1,In Review,2027-01-08T09:00:00
1,Closed,2027-01-11T09:00:00
2,To Do,2027-01-04T09:00:00
2,Won't do,2027-01-05T09:00:00
3,To Do,2027-01-05T09:00:00
3,In Progress,2027-01-06T09:00:00
3,In Review,2027-01-07T09:00:00
3,Closed,2027-01-08T09:00:00
4,To Do,2027-01-06T09:00:00
4,Parked,2027-01-07T09:00:00
";

const LONG_MAPPING: &str = r#"
id = "issue"
state = "status"
entered = "changed"
abandoned = ["Won't do"]

[[states]]
name = "Backlog"
values = ["To Do"]

[[states]]
name = "Development"
values = ["In Progress"]
kind = "work"

[[states]]
name = "Review"
values = ["In Review"]
kind = "wait"

[[states]]
name = "Done"
values = ["Closed"]
"#;

#[test]
fn a_long_history_with_a_mapping_file() {
    let dir = temp_dir("map-long");
    let csv = write(&dir, "long.csv", LONG);
    let mapping = write(&dir, "long.toml", LONG_MAPPING);
    let out = dir.join("out");
    let stdout = ok(&[
        csv.to_str().unwrap(),
        "--mapping",
        mapping.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
    ]);
    assert!(stdout.contains("Moved backwards (rework)"), "{stdout}");
    assert!(!out.join("value-stream-map.png").exists(), "--no-charts");
    let m = json(&out);
    assert_eq!(m["layout"], "long");
    let c = &m["counts"];
    assert_eq!(c["abandoned"], 1);
    assert_eq!(c["finished"], 2);
    assert_eq!(c["in_progress"], 1);
    assert_eq!(c["moved_backwards"], 1);
    // `Parked` is not a mapped state: dropped with its line, item 4 stays in the backlog.
    assert_eq!(c["rows_dropped"], 1);
    assert_eq!(m["dropped"][0]["line"], 15);
    let r = &m["rework"][0];
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str()),
        (Some("Review"), Some("Development"))
    );
    assert_eq!(
        (r["count"].as_u64(), r["visits_from"].as_u64()),
        (Some(1), Some(3))
    );
    // Monday to Friday: item 1 from Monday 9:00 to the next Monday 9:00 is 5 working days,
    // item 3 from Tuesday to Friday 3.
    let l = &m["lead_time"];
    assert!(close(&l["max"], 5.0) && close(&l["min"], 3.0), "{l}");
    // Weeks: both finished items are counted, one per week.
    let weeks: Vec<u64> = m["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["finished"].as_u64().unwrap())
        .collect();
    assert_eq!(weeks, [1, 1]);
    // The cumulative flow counts every item on its last day.
    assert_eq!(cfd_last(&m), 3);
    // The command line overrides the mapping file: `Parked` abandoned too.
    let stdout = ok(&[
        csv.to_str().unwrap(),
        "--mapping",
        mapping.to_str().unwrap(),
        "--abandoned",
        "Won't do,Parked",
        "--wait",
        "Development",
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
        "--quiet",
    ]);
    assert!(stdout.starts_with("Results written to"), "{stdout}");
    let m = json(&out);
    assert_eq!(m["counts"]["abandoned"], 2);
    assert_eq!(m["counts"]["rows_dropped"], 0);
    assert_eq!(m["states"][1]["kind"], "wait");
}

#[test]
fn bad_input_is_exit_code_2_and_says_where() {
    let dir = temp_dir("map-bad");
    let csv = write(&dir, "long.csv", LONG);
    // A mapping file with a mistake: its file, line and column.
    let mapping = write(
        &dir,
        "m.toml",
        "id = \"issue\"\n[[states]]\nname = \"Backlog\"\nkind = \"idle\"\n",
    );
    let e = bad(&[
        csv.to_str().unwrap(),
        "--mapping",
        mapping.to_str().unwrap(),
    ]);
    assert!(e.contains("m.toml:4:8"), "{e}");
    assert!(e.contains("allowed: \"work\" or \"wait\""), "{e}");
    let mapping = write(&dir, "typo.toml", "idd = \"issue\"\n");
    let e = bad(&[
        csv.to_str().unwrap(),
        "--mapping",
        mapping.to_str().unwrap(),
    ]);
    assert!(e.contains("typo.toml:1:1"), "{e}");
    // A column the mapping names that the file does not have.
    let mapping = write(&dir, "col.toml", "id = \"Key\"\n");
    let e = bad(&[
        csv.to_str().unwrap(),
        "--mapping",
        mapping.to_str().unwrap(),
    ]);
    assert!(
        e.contains("no column `Key`") && e.contains("`issue`"),
        "{e}"
    );
    // No file, an empty file, nothing usable.
    let e = bad(&[dir.join("missing.csv").to_str().unwrap()]);
    assert!(e.contains("cannot read"), "{e}");
    let empty = write(&dir, "empty.csv", "");
    let e = bad(&[empty.to_str().unwrap()]);
    assert!(e.contains("empty"), "{e}");
    let useless = write(&dir, "useless.csv", "id,state,at\n1,Open,never\n2,Open,\n");
    let e = bad(&[useless.to_str().unwrap()]);
    assert!(
        e.contains("holds no usable item") && e.contains("line 2"),
        "{e}"
    );
    let e = bad(&[csv.to_str().unwrap(), "--layout", "diagonal"]);
    assert!(e.contains("diagonal"), "{e}");
}

/// The real histories and their mapping files: every file maps, with figures in line with the
/// data's README.
#[test]
fn the_real_public_histories_map() {
    let data = Path::new("/work/shared/data");
    if !data.is_dir() {
        eprintln!("skipped: {} is not here", data.display());
        return;
    }
    let mappings = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data/mappings");
    let dir = temp_dir("map-real");
    for (file, mapping, at_least_finished) in [
        ("k8s-keps/kep_transitions.csv", "k8s-keps.toml", 250),
        ("k8s-keps/kep_items.csv", "k8s-keps.toml", 250),
        ("python-peps/pep_transitions.csv", "python-peps.toml", 400),
        ("python-peps/pep_items.csv", "python-peps.toml", 350),
        (
            "targetprocess-cycle-times/tp_cycle_times.csv",
            "targetprocess.toml",
            866,
        ),
    ] {
        let path = data.join(file);
        if !path.is_file() {
            eprintln!("skipped: {} is not here", path.display());
            continue;
        }
        let out = dir.join(file.replace('/', "-"));
        ok(&[
            path.to_str().unwrap(),
            "--mapping",
            mappings.join(mapping).to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let m = json(&out);
        let finished = m["counts"]["finished"].as_u64().unwrap();
        assert!(finished >= at_least_finished, "{file}: {finished} finished");
        assert!(m["lead_time"]["p85"].as_f64().unwrap() > 0.0, "{file}");
        assert!(out.join("value-stream-map.png").is_file(), "{file}");
        // The cumulative flow conserves items: every item is counted on the last day.
        assert_eq!(
            cfd_last(&m),
            m["counts"]["items"].as_u64().unwrap(),
            "{file}"
        );
    }
    // The README's counts: 659 KEPs (one only `unknown`, dropped), 736 PEPs.
    let keps = json(&dir.join("k8s-keps-kep_transitions.csv"));
    assert_eq!(keps["counts"]["items_read"], 658);
    assert_eq!(keps["counts"]["rows_dropped"], 1);
    let peps = json(&dir.join("python-peps-pep_transitions.csv"));
    assert_eq!(peps["counts"]["items_read"], 736);
}

/// map.html of the example history in headless Chromium: no script, every chart drawn as one
/// SVG with shapes, text and its how-to-read line, the answer's numbers as map.json has them,
/// and a screenshot of the whole page with ink from top to bottom.
#[test]
fn browser_renders_map_html_whole_and_not_blank() {
    let Some(bin) = chromium("browser_renders_map_html_whole_and_not_blank") else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = temp_dir("map-browser");
    let out = dir.join("map");
    ok(&[
        root.join("scenarios/data/history.csv").to_str().unwrap(),
        "--mapping",
        root.join("scenarios/data/mappings/history.toml")
            .to_str()
            .unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    let m = json(&out);
    let page = out.join("map.html");
    let dom = dump_dom(&bin, &page, &dir);
    assert!(!dom.to_ascii_lowercase().contains("<script"));
    let p85 = m["lead_time"]["p85"].as_f64().expect("lead_time.p85");
    assert!(
        dom.contains(&format!("{p85:.2}")),
        "the P85 lead time {p85:.2} is not on the page"
    );
    let html = std::fs::read_to_string(&page).unwrap();
    let charts = html.matches("<figure class=\"chart\"").count();
    assert!(charts >= 6, "only {charts} charts");
    assert_eq!(dom.matches("<svg").count(), charts, "one <svg> per chart");
    for (at, _) in dom.match_indices("<figure class=\"chart\"") {
        let figure = &dom[at..at + dom[at..].find("</figure>").expect("figure closed")];
        let shapes = drawn_shapes(figure);
        assert!(shapes >= 10, "a chart draws only {shapes} shapes");
        assert!(figure.contains("<text") && figure.contains("<figcaption>"));
    }
    let keep = std::env::temp_dir().join("flowsim-map-screenshot.png");
    let shot = screenshot_whole_page(&bin, &page, &dir, &keep);
    eprintln!("screenshot of map.html: {}", keep.display());
    assert_not_blank(&shot, 4000);
    let _ = std::fs::remove_dir_all(&dir);
}
