//! The features file of `flowsim forecast --features`: features worked in order, at most `wip`
//! at a time.
//!
//! ```toml
//! wip = 2                          # features in progress at once (default 1)
//!
//! [[features]]
//! name = "Checkout redesign"
//! items = 12                       # a number of items, or a range drawn in each run: "10..15"
//! target = 2027-03-31              # optional: is it done by then, at 85%?
//!
//! [[features]]
//! name = "Loyalty points"
//! items = "8..12"
//! order = 1                        # optional: worked before features with a higher order
//! ```

use crate::scenario::error::{Diagnostic, ScenarioError};
use crate::scenario::{Feature, FeaturePlan};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    wip: Option<Spanned<i64>>,
    #[serde(default)]
    features: Vec<Spanned<RawFeature>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeature {
    name: Spanned<String>,
    items: Spanned<toml::Value>,
    target: Option<Spanned<toml::Value>>,
    order: Option<Spanned<i64>>,
}

/// Most items one feature may have.
const MAX_ITEMS: i64 = 100_000;

/// Parses and checks a features file.
pub fn parse(text: &str, source: &str) -> Result<FeaturePlan, ScenarioError> {
    let raw: RawPlan = toml::from_str(text).map_err(|e| {
        ScenarioError::single(Diagnostic::at(source, text, e.span(), None, e.message()))
    })?;
    let mut problems = Vec::new();
    if raw.features.is_empty() {
        problems.push(Diagnostic::plain(
            source,
            "no features: add [[features]] tables with a `name` and `items`",
        ));
    }
    let mut fail = |span: std::ops::Range<usize>, key: String, msg: String| {
        problems.push(Diagnostic::at(source, text, Some(span), Some(key), msg));
    };
    let wip = match &raw.wip {
        Some(w) if (1..=1000).contains(w.get_ref()) => *w.get_ref() as u32,
        Some(w) => {
            fail(
                w.span(),
                "wip".into(),
                format!(
                    "`wip` (features in progress at once) must be from 1 to 1000, got {}",
                    w.get_ref()
                ),
            );
            1
        }
        None => 1,
    };
    let mut features: Vec<(i64, usize, Feature)> = Vec::new();
    for (i, f) in raw.features.iter().enumerate() {
        let r = f.get_ref();
        let name = r.name.get_ref().trim().to_string();
        let key = |k: &str| format!("features.\"{name}\".{k}");
        if name.is_empty() {
            fail(
                r.name.span(),
                format!("features[{i}].name"),
                "a feature needs a name".into(),
            );
        } else if features.iter().any(|(_, _, x)| x.name == name) {
            fail(
                r.name.span(),
                key("name"),
                format!("the feature \"{name}\" is listed twice; names must be unique"),
            );
        }
        let range = match r.items.get_ref() {
            toml::Value::Integer(n) => Ok((*n, *n)),
            toml::Value::String(s) => match s.split_once("..") {
                Some((a, b)) => match (a.trim().parse::<i64>(), b.trim().parse::<i64>()) {
                    (Ok(a), Ok(b)) if a <= b => Ok((a, b)),
                    (Ok(_), Ok(_)) => Err(format!(
                        "the range \"{s}\" goes down; write the smaller number first"
                    )),
                    _ => Err(format!(
                        "\"{s}\" is not a range of whole numbers such as \"10..15\""
                    )),
                },
                None => Err(format!(
                    "\"{s}\" is not a number of items; write items = 12 or items = \"10..15\""
                )),
            },
            other => Err(format!(
                "`items` is a whole number (items = 12) or a range as text (items = \"10..15\"), not {}",
                other.type_str()
            )),
        };
        let (lo, hi) = match range {
            Ok((lo, hi)) if lo >= 1 && hi <= MAX_ITEMS => (lo, hi),
            Ok((lo, hi)) => {
                fail(
                    r.items.span(),
                    key("items"),
                    format!("a feature has 1 to {MAX_ITEMS} items, got {lo}..{hi}"),
                );
                (1, 1)
            }
            Err(e) => {
                fail(r.items.span(), key("items"), e);
                (1, 1)
            }
        };
        let target = match &r.target {
            Some(t) => {
                let text = match t.get_ref() {
                    toml::Value::Datetime(d) if d.time.is_none() => Some(d.to_string()),
                    toml::Value::String(s) => Some(s.clone()),
                    _ => None,
                };
                match text.map(|s| crate::calendar::parse_date(&s)) {
                    Some(Ok(d)) => Some(d),
                    _ => {
                        fail(
                            t.span(),
                            key("target"),
                            "`target` is a date, e.g. target = 2027-03-31".into(),
                        );
                        None
                    }
                }
            }
            None => None,
        };
        let order = r.order.as_ref().map_or(i64::MAX, |o| *o.get_ref());
        features.push((
            order,
            i,
            Feature {
                name,
                items_min: lo as u32,
                items_max: hi as u32,
                target,
            },
        ));
    }
    if !problems.is_empty() {
        return Err(ScenarioError { problems });
    }
    // By `order`, then as listed.
    features.sort_by_key(|(o, i, _)| (*o, *i));
    Ok(FeaturePlan {
        features: features.into_iter().map(|(_, _, f)| f).collect(),
        wip,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn features_in_order_with_ranges_and_targets() {
        let plan = parse(
            r#"
wip = 2
[[features]]
name = "B"
items = "8..12"
[[features]]
name = "A"
items = 5
target = 2027-03-31
order = 1
"#,
            "f.toml",
        )
        .unwrap();
        assert_eq!(plan.wip, 2);
        assert_eq!(plan.features[0].name, "A");
        assert_eq!(plan.features[0].target.unwrap().to_string(), "2027-03-31");
        assert_eq!(
            (plan.features[1].items_min, plan.features[1].items_max),
            (8, 12)
        );
    }

    #[test]
    fn bad_features_are_located() {
        let e = parse("[[features]]\nname = \"A\"\nitems = \"12..3\"\n", "f.toml").unwrap_err();
        let d = &e.problems[0];
        assert_eq!(
            (d.line, d.key.as_deref()),
            (Some(3), Some("features.\"A\".items"))
        );
        assert!(d.message.contains("goes down"));
        assert!(parse("wip = 0\n[[features]]\nname = \"A\"\nitems = 1\n", "f.toml").is_err());
        assert!(
            parse("", "f.toml")
                .unwrap_err()
                .to_string()
                .contains("no features")
        );
    }
}
