//! Changes to a scenario: a partial scenario laid over the baseline's TOML, then validated in full.
//!
//! An [`Overlay`] is what a `[[variants]]` entry, a sweep point or one of `advise`'s candidate
//! changes says: values at paths such as `stages."Code review".workers` (stages, teams and work
//! types are addressed by name), keys to unset, stages to remove or add. [`Overlay::apply`] edits
//! the baseline's TOML tree; the result is written back to TOML text and parsed like any scenario
//! file, so every rule of the file format applies to variants too.
//!
//! Merging rules: a table merges key by key into the table it replaces, except a distribution
//! table (one with a `dist` key), which replaces the old one whole.

use super::error::did_you_mean;
use toml::{Table, Value};

/// Tables whose entries are arrays of tables in the file, addressed by `name` in overlays.
const NAMED: [&str; 3] = ["stages", "teams", "work_types"];

/// One segment of a path: a key, or the name of a stage, team or work type.
pub type Path = Vec<String>;

/// Writes a path the way errors and the docs show keys: `stages."Code review".workers`.
pub fn path_text(path: &[String]) -> String {
    let mut out = String::new();
    for (i, seg) in path.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        let named = i == 1
            && (NAMED.contains(&path[0].as_str())
                || path[0] == "remove_stages"
                || path[0] == "add_stages");
        if named || !seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push('"');
            out.push_str(seg);
            out.push('"');
        } else {
            out.push_str(seg);
        }
    }
    out
}

/// Parses a path written with dots, names with spaces or dots in double quotes:
/// `stages."Code review".workers` or `stages.Review.duration.median`.
pub fn parse_path(text: &str) -> Result<Path, String> {
    let mut segs = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            '.' if !quoted => {
                if cur.is_empty() && !was_quoted {
                    return Err(format!("`{text}` has an empty part between dots"));
                }
                segs.push(std::mem::take(&mut cur));
                was_quoted = false;
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return Err(format!("`{text}` has an unclosed double quote"));
    }
    if cur.is_empty() && !was_quoted {
        return Err(format!("`{text}` ends with a dot or is empty"));
    }
    segs.push(cur);
    Ok(segs)
}

/// A stage to add, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct AddStage {
    /// The stage's table, as in `[[stages]]`.
    pub stage: Table,
    /// Insert after this stage (`None`: at the end, or before `before`).
    pub after: Option<String>,
    pub before: Option<String>,
}

/// A set of changes to a scenario.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overlay {
    /// Values to set, in the order given.
    pub set: Vec<(Path, Value)>,
    /// Keys to remove (a stage's `wip_limit`, the stream-wide `wip_limit`, ...).
    pub unset: Vec<Path>,
    pub remove_stages: Vec<String>,
    pub add_stages: Vec<AddStage>,
}

/// Why an overlay cannot be applied: the path it is about (as in the overlay), and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct OverlayError {
    pub path: Option<Path>,
    pub message: String,
}

fn fail<T>(path: Option<&[String]>, message: impl Into<String>) -> Result<T, OverlayError> {
    Err(OverlayError {
        path: path.map(<[String]>::to_vec),
        message: message.into(),
    })
}

impl Overlay {
    /// Adds a value at a path.
    pub fn with(mut self, path: Path, value: Value) -> Overlay {
        self.set.push((path, value));
        self
    }

    /// Applies the changes to a scenario's TOML tree (as parsed from its file).
    pub fn apply(&self, doc: &mut Table) -> Result<(), OverlayError> {
        for (path, value) in &self.set {
            let target = locate(doc, path, true)?;
            let (table, key) = target;
            merge_value(table, key, value.clone());
        }
        for path in &self.unset {
            let (table, key) = locate(doc, path, false)?;
            if table.remove(&key).is_none() {
                return fail(
                    Some(path),
                    format!("`{}` is not set, so it cannot be unset", path_text(path)),
                );
            }
        }
        for name in &self.remove_stages {
            let stages = stage_array(doc)?;
            let Some(i) = position(stages, name) else {
                let path = removed_path(name);
                return fail(Some(&path), unknown("stage", name, stages));
            };
            stages.remove(i);
        }
        for add in &self.add_stages {
            let stages = stage_array(doc)?;
            let name = add.stage.get("name").and_then(Value::as_str).unwrap_or("");
            let path = added_path(name);
            if position(stages, name).is_some() {
                return fail(
                    Some(&path),
                    format!(
                        "a stage named \"{name}\" already exists; added stages need a new name"
                    ),
                );
            }
            let at = match (&add.after, &add.before) {
                (Some(a), _) => match position(stages, a) {
                    Some(i) => i + 1,
                    None => return fail(Some(&path), unknown("stage", a, stages)),
                },
                (None, Some(b)) => match position(stages, b) {
                    Some(i) => i,
                    None => return fail(Some(&path), unknown("stage", b, stages)),
                },
                (None, None) => stages.len(),
            };
            stages.insert(at, Value::Table(add.stage.clone()));
        }
        Ok(())
    }
}

/// The path an error about removing a stage is reported under: `remove_stages."Name"`.
pub fn removed_path(name: &str) -> Path {
    vec!["remove_stages".into(), name.into()]
}

/// The path an error about adding a stage is reported under: `add_stages."Name"`.
pub fn added_path(name: &str) -> Path {
    vec!["add_stages".into(), name.into()]
}

fn stage_array(doc: &mut Table) -> Result<&mut Vec<Value>, OverlayError> {
    match doc.get_mut("stages") {
        Some(Value::Array(a)) => Ok(a),
        _ => fail(None, "the scenario has no stages to change"),
    }
}

fn position(items: &[Value], name: &str) -> Option<usize> {
    items
        .iter()
        .position(|v| v.get("name").and_then(Value::as_str) == Some(name))
}

fn unknown(what: &str, name: &str, items: &[Value]) -> String {
    let names: Vec<&str> = items
        .iter()
        .filter_map(|v| v.get("name").and_then(Value::as_str))
        .collect();
    let hint = did_you_mean(name, names.iter().copied())
        .map(|m| format!(" (did you mean \"{m}\"?)"))
        .unwrap_or_default();
    format!(
        "there is no {what} named \"{name}\"{hint}; the scenario has: {}",
        names.join(", ")
    )
}

/// Finds the table holding the last key of `path`, creating intermediate tables when `create`.
fn locate<'d>(
    doc: &'d mut Table,
    path: &[String],
    create: bool,
) -> Result<(&'d mut Table, String), OverlayError> {
    if path.is_empty() {
        return fail(None, "an empty path");
    }
    if path[0] == "variants" {
        return fail(Some(path), "a variant cannot change the variants");
    }
    if path[0] == "simulation" && path.get(1).is_some_and(|k| k == "runs" || k == "seed") {
        return fail(
            Some(path),
            "comparisons run every variant with the baseline's `runs` and `seed` (common random numbers); set them in [simulation] or with --runs and --seed",
        );
    }
    let mut table = doc;
    let mut i = 0;
    while i + 1 < path.len() {
        let seg = &path[i];
        if i == 0 && NAMED.contains(&seg.as_str()) {
            let what = match seg.as_str() {
                "stages" => "stage",
                "teams" => "team",
                _ => "work type",
            };
            let Some(Value::Array(items)) = table.get_mut(seg.as_str()) else {
                return fail(Some(path), format!("the scenario has no {seg}"));
            };
            let name = &path[1];
            let Some(k) = position(items, name) else {
                return fail(Some(path), unknown(what, name, items));
            };
            let Value::Table(t) = &mut items[k] else {
                return fail(Some(path), format!("{seg} must be tables"));
            };
            if path.len() == 2 {
                return fail(
                    Some(path),
                    format!(
                        "say which key of {what} \"{name}\" to change, e.g. `{}.workers`",
                        path_text(path)
                    ),
                );
            }
            table = t;
            i += 2;
            continue;
        }
        if !table.contains_key(seg.as_str()) {
            if !create {
                return fail(
                    Some(path),
                    format!("`{}` is not set", path_text(&path[..=i])),
                );
            }
            table.insert(seg.clone(), Value::Table(Table::new()));
        }
        match table.get_mut(seg.as_str()) {
            Some(Value::Table(t)) => table = t,
            _ => {
                return fail(
                    Some(path),
                    format!("`{}` is a value, not a table", path_text(&path[..=i])),
                );
            }
        }
        i += 1;
    }
    Ok((table, path[path.len() - 1].clone()))
}

/// Sets `table[key] = value`, merging tables key by key unless the new table is a distribution.
fn merge_value(table: &mut Table, key: String, value: Value) {
    match (table.get_mut(&key), value) {
        (Some(Value::Table(old)), Value::Table(new)) if !new.contains_key("dist") => {
            for (k, v) in new {
                merge_value(old, k, v);
            }
        }
        (_, value) => {
            table.insert(key, value);
        }
    }
}

/// Multiplies every time-scale parameter of a distribution table by `factor` (> 0): the same
/// distribution, stretched. Shape parameters are kept; a lognormal's `mu` moves by ln(factor).
pub fn scale_distribution(dist: &Table, factor: f64) -> Table {
    let mut out = dist.clone();
    for (k, v) in out.iter_mut() {
        let scaled = |x: f64| Value::Float(x * factor);
        match k.as_str() {
            "value" | "min" | "max" | "mode" | "mean" | "sd" | "median" | "p85" | "p90"
            | "scale" => {
                if let Some(x) = number(v) {
                    *v = scaled(x);
                }
            }
            "mu" => {
                if let Some(x) = number(v) {
                    *v = Value::Float(x + factor.ln());
                }
            }
            "samples" => {
                if let Value::Array(a) = v {
                    for s in a.iter_mut() {
                        if let Some(x) = number(s) {
                            *s = scaled(x);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// A TOML number as f64.
pub fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
name = "base"
[arrivals]
rate = 1.0
[[teams]]
name = "devs"
people = 3
[[stages]]
name = "Code review"
team = "devs"
duration = { dist = "lognormal", median = 1, p90 = 3 }
rework = { to = "Code review", probability = 0.2 }
[[stages]]
name = "Deploy"
kind = "cadence"
every = 10
"#;

    fn doc() -> Table {
        toml::from_str(BASE).unwrap()
    }

    #[test]
    fn paths_round_trip_through_text() {
        let p = parse_path("stages.\"Code review\".rework.probability").unwrap();
        assert_eq!(p, ["stages", "Code review", "rework", "probability"]);
        assert_eq!(path_text(&p), "stages.\"Code review\".rework.probability");
        assert_eq!(parse_path("stages.Review.workers").unwrap().len(), 3);
        assert!(parse_path("stages..workers").is_err());
        assert!(parse_path("stages.\"x").is_err());
        assert!(parse_path("").is_err());
    }

    #[test]
    fn sets_merge_tables_and_replace_distributions() {
        let mut d = doc();
        Overlay::default()
            .with(
                parse_path("stages.\"Code review\".rework.probability").unwrap(),
                Value::Float(0.1),
            )
            .with(
                parse_path("stages.\"Code review\".duration").unwrap(),
                toml::from_str::<Table>("dist = \"exponential\"\nmean = 2")
                    .map(Value::Table)
                    .unwrap(),
            )
            .with(parse_path("teams.devs.people").unwrap(), Value::Integer(4))
            .with(parse_path("wip_limit").unwrap(), Value::Integer(5))
            .apply(&mut d)
            .unwrap();
        let stage = &d["stages"][0];
        assert_eq!(stage["rework"]["probability"].as_float(), Some(0.1));
        assert_eq!(stage["rework"]["to"].as_str(), Some("Code review"));
        assert!(stage["duration"].get("median").is_none());
        assert_eq!(d["teams"][0]["people"].as_integer(), Some(4));
        assert_eq!(d["wip_limit"].as_integer(), Some(5));
    }

    #[test]
    fn unknown_names_are_reported_with_a_suggestion() {
        let mut d = doc();
        let e = Overlay::default()
            .with(
                parse_path("stages.\"Code reveiw\".workers").unwrap(),
                Value::Integer(2),
            )
            .apply(&mut d)
            .unwrap_err();
        assert!(e.message.contains("did you mean \"Code review\"?"), "{e}");
        assert_eq!(e.path.unwrap()[1], "Code reveiw");
    }

    #[test]
    fn stages_can_be_added_removed_and_keys_unset() {
        let mut d = doc();
        let overlay = Overlay {
            unset: vec![parse_path("stages.\"Code review\".rework").unwrap()],
            remove_stages: vec!["Deploy".into()],
            add_stages: vec![AddStage {
                stage: toml::from_str("name = \"QA\"\nworkers = 1").unwrap(),
                after: None,
                before: Some("Code review".into()),
            }],
            ..Overlay::default()
        };
        overlay.apply(&mut d).unwrap();
        let names: Vec<&str> = d["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["QA", "Code review"]);
        assert!(d["stages"][1].get("rework").is_none());
    }

    #[test]
    fn runs_and_seed_cannot_vary() {
        let e = Overlay::default()
            .with(parse_path("simulation.seed").unwrap(), Value::Integer(2))
            .apply(&mut doc())
            .unwrap_err();
        assert!(e.message.contains("common random numbers"));
    }

    #[test]
    fn distributions_scale_by_their_time_parameters() {
        let t: Table = toml::from_str("dist = \"lognormal\"\nmu = 0.5\nsigma = 0.3").unwrap();
        let s = scale_distribution(&t, 0.8);
        assert!((number(&s["mu"]).unwrap() - (0.5 + 0.8f64.ln())).abs() < 1e-12);
        assert_eq!(number(&s["sigma"]), Some(0.3));
        let t: Table = toml::from_str("dist = \"triangular\"\nmin = 1\nmode = 2\nmax = 5").unwrap();
        let s = scale_distribution(&t, 0.5);
        assert_eq!(number(&s["max"]), Some(2.5));
    }
}
