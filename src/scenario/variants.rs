//! `[[variants]]`: named changes to the baseline scenario, written in the same file.
//!
//! ```toml
//! [[variants]]
//! name = "second reviewer"
//! stages."Code review".workers = 2      # dotted keys: stages, teams, work types by name
//!
//! [[variants]]
//! name = "release weekly"
//! stages.Deploy.every = 5
//! remove_stages = ["Security approval"]
//! ```
//!
//! A variant is read into an [`Overlay`] and remembers where each of its values stands in the
//! file, so that a problem the changed scenario has is reported at the variant's line.

use super::Scenario;
use super::error::{Diagnostic, ScenarioError, did_you_mean};
use super::overlay::{
    AddStage, Overlay, OverlayError, Path, added_path, parse_path, path_text, removed_path,
};
use std::ops::Range;
use toml::de::{DeTable, DeValue};
use toml::{Spanned, Table, Value};

/// Keys of a variant that are not changes to the scenario.
const OWN_KEYS: [&str; 5] = [
    "name",
    "description",
    "unset",
    "remove_stages",
    "add_stages",
];

/// One `[[variants]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub name: String,
    pub description: Option<String>,
    pub overlay: Overlay,
    /// Where the entry's name stands, and each change it sets (by path; stages it removes or
    /// adds under `remove_stages."Name"` and `add_stages."Name"`).
    name_span: Range<usize>,
    spans: Vec<(Path, Range<usize>)>,
}

/// A scenario file: its text, the validated baseline and its variants.
#[derive(Debug, Clone)]
pub struct ScenarioFile {
    pub source: String,
    pub text: String,
    pub baseline: Scenario,
    pub variants: Vec<Variant>,
    doc: Table,
}

impl ScenarioFile {
    /// Parses and validates a scenario file and reads its variants (not yet applied).
    pub fn parse(text: &str, source: &str) -> Result<ScenarioFile, ScenarioError> {
        let baseline = Scenario::parse(text, source)?;
        let doc: Table = toml::from_str(text).map_err(|e| {
            ScenarioError::single(Diagnostic::at(source, text, e.span(), None, e.message()))
        })?;
        let spanned = DeTable::parse(text).map_err(|e| {
            ScenarioError::single(Diagnostic::at(source, text, e.span(), None, e.message()))
        })?;
        let variants = read_variants(&doc, spanned.get_ref(), text, source)?;
        let mut base_doc = doc;
        base_doc.remove("variants");
        Ok(ScenarioFile {
            source: source.to_string(),
            text: text.to_string(),
            baseline,
            variants,
            doc: base_doc,
        })
    }

    /// Reads and parses a scenario file.
    pub fn load(path: &std::path::Path) -> Result<ScenarioFile, ScenarioError> {
        let text = Scenario::read(path)?;
        ScenarioFile::parse(&text, &path.display().to_string())
    }

    /// The variant with this name.
    pub fn variant(&self, name: &str) -> Result<&Variant, String> {
        self.variants.iter().find(|v| v.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.variants.iter().map(|v| v.name.as_str()).collect();
            if names.is_empty() {
                return format!(
                    "{} has no [[variants]]; add one, e.g.\n\n[[variants]]\nname = \"{name}\"\nstages.Review.workers = 2",
                    self.source
                );
            }
            let hint = did_you_mean(name, names.iter().copied())
                .map(|m| format!(" (did you mean \"{m}\"?)"))
                .unwrap_or_default();
            format!(
                "{} has no variant named \"{name}\"{hint}; its variants: {}",
                self.source,
                names
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }

    /// The baseline with a variant's changes, validated; problems are reported at the variant's
    /// lines in the file.
    pub fn variant_scenario(&self, v: &Variant) -> Result<Scenario, ScenarioError> {
        let located = |(span, key): (Range<usize>, Option<String>), message: String| {
            Diagnostic::at(
                &self.source,
                &self.text,
                Some(span),
                key,
                format!("variant \"{}\": {message}", v.name),
            )
        };
        let mut sc = self
            .apply(
                &v.overlay,
                &format!("{} (variant \"{}\")", self.source, v.name),
            )
            .map_err(|e| match e {
                Applied::Overlay(e) => {
                    let place = match &e.path {
                        Some(p) => (
                            v.span_of(p).unwrap_or_else(|| v.name_span.clone()),
                            Some(path_text(p)),
                        ),
                        None => (v.name_span.clone(), None),
                    };
                    ScenarioError::single(located(place, e.message))
                }
                Applied::Invalid(err) => ScenarioError {
                    problems: err
                        .problems
                        .into_iter()
                        .map(|d| located(v.place(d.key.as_deref()), d.message))
                        .collect(),
                },
            })?;
        sc.name = format!("{}: {}", self.baseline.name, v.name);
        if let Some(d) = &v.description {
            sc.description = Some(d.clone());
        }
        Ok(sc)
    }

    /// The baseline with an overlay's changes (from the command line, or `advise`), validated.
    /// Errors describe the changed scenario; `label` names it.
    pub fn with_overlay(&self, overlay: &Overlay, label: &str) -> Result<Scenario, String> {
        self.apply(overlay, label).map_err(|e| match e {
            Applied::Overlay(e) => e.message,
            Applied::Invalid(err) => err
                .problems
                .iter()
                .map(|d| match &d.key {
                    Some(k) => format!("`{k}`: {}", d.message),
                    None => d.message.clone(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        })
    }

    /// The baseline's TOML tree (without its variants), for building overlays.
    pub fn document(&self) -> &Table {
        &self.doc
    }

    fn apply(&self, overlay: &Overlay, label: &str) -> Result<Scenario, Applied> {
        let mut doc = self.doc.clone();
        overlay.apply(&mut doc).map_err(Applied::Overlay)?;
        let text = toml::to_string(&doc).map_err(|e| {
            Applied::Overlay(OverlayError {
                path: None,
                message: format!("cannot write the changed scenario: {e}"),
            })
        })?;
        Scenario::parse(&text, label).map_err(Applied::Invalid)
    }
}

enum Applied {
    Overlay(OverlayError),
    Invalid(ScenarioError),
}

impl Variant {
    fn span_of(&self, path: &[String]) -> Option<Range<usize>> {
        self.spans
            .iter()
            .find(|(p, _)| p.as_slice() == path)
            .map(|(_, s)| s.clone())
    }

    /// Where a problem of the changed scenario is reported, and under which key. A key
    /// (`stages."Review".workers`) that matches a change of the variant (the same, or one within
    /// the other: a distribution and one of its parameters) is reported at that change; a key
    /// within a stage the variant adds, at the stage in `add_stages` (with the key as it is);
    /// any other problem (a rework target the variant removed, say) at the variant's name, with
    /// the key as it is.
    fn place(&self, key: Option<&str>) -> (Range<usize>, Option<String>) {
        let Some(key) = key else {
            return (self.name_span.clone(), None);
        };
        let within = |t: &str| key == t || key.starts_with(&format!("{t}."));
        let changed = self.spans.iter().find(|(p, _)| {
            let t = path_text(p);
            within(&t) || t.starts_with(&format!("{key}."))
        });
        if let Some((p, span)) = changed {
            return (span.clone(), Some(path_text(p)));
        }
        let added = self.spans.iter().find(|(p, _)| {
            p.len() == 2
                && p[0] == "add_stages"
                && within(&path_text(&["stages".to_string(), p[1].clone()]))
        });
        let span = added.map_or_else(|| self.name_span.clone(), |(_, s)| s.clone());
        (span, Some(key.to_string()))
    }
}

fn get<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
    t.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
}

fn read_variants(
    doc: &Table,
    spanned: &DeTable<'_>,
    text: &str,
    source: &str,
) -> Result<Vec<Variant>, ScenarioError> {
    let mut problems = Vec::new();
    let at = |span: Range<usize>, key: Option<String>, msg: String| {
        Diagnostic::at(source, text, Some(span), key, msg)
    };
    let (Some(Value::Array(plain)), Some(sv)) = (doc.get("variants"), get(spanned, "variants"))
    else {
        if let Some(sv) = get(spanned, "variants") {
            problems.push(at(
                sv.span(),
                Some("variants".into()),
                "`variants` must be an array of tables: write each as [[variants]] with a `name`"
                    .into(),
            ));
            return Err(ScenarioError { problems });
        }
        return Ok(Vec::new());
    };
    let spanned_entries: Vec<&Spanned<DeValue<'_>>> = match sv.get_ref() {
        DeValue::Array(a) => a.iter().collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<Variant> = Vec::new();
    for (i, (entry, sentry)) in plain.iter().zip(spanned_entries).enumerate() {
        let key = format!("variants[{i}]");
        let (Value::Table(t), DeValue::Table(st)) = (entry, sentry.get_ref()) else {
            problems.push(at(
                sentry.span(),
                Some(key),
                "each variant must be a table: [[variants]] with a `name`".into(),
            ));
            continue;
        };
        let Some(Value::String(name)) = t.get("name") else {
            problems.push(at(
                sentry.span(),
                Some(format!("{key}.name")),
                "a variant needs a `name` (text), e.g. name = \"second reviewer\"".into(),
            ));
            continue;
        };
        let name_span = get(st, "name").map_or(sentry.span(), |v| v.span());
        if name.trim().is_empty() {
            problems.push(at(
                name_span.clone(),
                Some(format!("{key}.name")),
                "a variant's name cannot be empty".into(),
            ));
            continue;
        }
        if out.iter().any(|v| &v.name == name) {
            problems.push(at(
                name_span.clone(),
                Some(format!("{key}.name")),
                format!("the variant \"{name}\" is defined twice; names must be unique"),
            ));
            continue;
        }
        let mut v = Variant {
            name: name.clone(),
            description: None,
            overlay: Overlay::default(),
            name_span,
            spans: Vec::new(),
        };
        let mut bad = |span: Range<usize>, k: &str, msg: String| {
            problems.push(at(span, Some(format!("variants.\"{name}\".{k}")), msg));
        };
        for (k, value) in t {
            let span = get(st, k).map_or(sentry.span(), |x| x.span());
            match (k.as_str(), value) {
                ("name", _) => {}
                ("description", Value::String(d)) => v.description = Some(d.clone()),
                ("unset", Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        let span = element_span(st, k, i).unwrap_or_else(|| span.clone());
                        match item.as_str().map(parse_path) {
                            Some(Ok(p)) => {
                                v.spans.push((p.clone(), span));
                                v.overlay.unset.push(p);
                            }
                            Some(Err(e)) => bad(span, k, e),
                            None => bad(span, k, "`unset` lists keys as text, e.g. unset = [\"stages.Development.wip_limit\"]".into()),
                        }
                    }
                }
                ("remove_stages", Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        let span = element_span(st, k, i).unwrap_or_else(|| span.clone());
                        match item.as_str() {
                            Some(s) => {
                                v.spans.push((removed_path(s), span));
                                v.overlay.remove_stages.push(s.to_string());
                            }
                            None => {
                                bad(span, k, "`remove_stages` lists stage names as text".into())
                            }
                        }
                    }
                }
                ("add_stages", Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        let span = element_span(st, k, i).unwrap_or_else(|| span.clone());
                        let Value::Table(stage) = item else {
                            bad(span, k, "`add_stages` lists stage tables, e.g. add_stages = [{ name = \"QA\", after = \"Review\", workers = 1, duration = { dist = \"exponential\", mean = 1 } }]".into());
                            continue;
                        };
                        let mut stage = stage.clone();
                        let mut place = |key: &str| match stage.remove(key) {
                            None => None,
                            Some(Value::String(s)) => Some(s),
                            Some(_) => {
                                bad(
                                    span.clone(),
                                    k,
                                    format!("`{key}` names a stage as text, e.g. {key} = \"Test\""),
                                );
                                None
                            }
                        };
                        let after = place("after");
                        let before = place("before");
                        if after.is_some() && before.is_some() {
                            bad(
                                span.clone(),
                                k,
                                "give an added stage `after` or `before`, not both".into(),
                            );
                        }
                        let name = stage.get("name").and_then(Value::as_str).unwrap_or("");
                        v.spans.push((added_path(name), span));
                        v.overlay.add_stages.push(AddStage {
                            stage,
                            after,
                            before,
                        });
                    }
                }
                (own, _) if OWN_KEYS.contains(&own) => bad(
                    span,
                    k,
                    format!("`{own}` has the wrong type; see docs/scenario-format.md#variants"),
                ),
                _ => {
                    let svalue = get(st, k);
                    flatten(vec![k.clone()], value, svalue, span, &mut v);
                }
            }
        }
        out.push(v);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ScenarioError { problems })
    }
}

/// Where the `i`th element of the array under key `k` stands.
fn element_span(st: &DeTable<'_>, k: &str, i: usize) -> Option<Range<usize>> {
    match get(st, k)?.get_ref() {
        DeValue::Array(a) => a.get(i).map(Spanned::span),
        _ => None,
    }
}

/// Adds every leaf of a (possibly nested) change to the variant's overlay, with its span.
/// Distribution tables (with `dist`) are leaves: they replace the old distribution whole.
fn flatten(
    path: Path,
    value: &Value,
    spanned: Option<&Spanned<DeValue<'_>>>,
    fallback: Range<usize>,
    v: &mut Variant,
) {
    let span = spanned.map_or(fallback, |s| s.span());
    match value {
        Value::Table(t) if !t.contains_key("dist") && !t.is_empty() => {
            let st = spanned.and_then(|s| match s.get_ref() {
                DeValue::Table(t) => Some(t),
                _ => None,
            });
            for (k, child) in t {
                let mut p = path.clone();
                p.push(k.clone());
                flatten(p, child, st.and_then(|st| get(st, k)), span.clone(), v);
            }
        }
        _ => {
            v.spans.push((path.clone(), span));
            v.overlay.set.push((path, value.clone()));
        }
    }
}
