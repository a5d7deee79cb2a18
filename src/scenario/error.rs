//! Scenario errors that say where and what: file, line and column, the key, what is wrong and what
//! is allowed, with the offending line quoted and marked.

use std::fmt;
use std::ops::Range;

/// One problem found in a scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The file (or other source) the scenario came from.
    pub source: String,
    /// 1-based line and column (in characters), when the problem has a place in the file.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The key the problem is about, as a path (`stages."Review".workers`).
    pub key: Option<String>,
    /// What is wrong and what is allowed.
    pub message: String,
    /// The text of the offending line, for the marked excerpt.
    line_text: Option<String>,
}

impl Diagnostic {
    /// A problem with no place in the file (the file cannot be read, say).
    pub fn plain(source: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            source: source.to_string(),
            line: None,
            column: None,
            key: None,
            message: message.into(),
            line_text: None,
        }
    }

    /// A problem at a byte span of the file text.
    pub fn at(
        source: &str,
        text: &str,
        span: Option<Range<usize>>,
        key: Option<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let mut d = Diagnostic::plain(source, message);
        d.key = key;
        if let Some(span) = span {
            let start = span.start.min(text.len());
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            d.line = Some(text[..start].matches('\n').count() + 1);
            d.column = Some(text[line_start..start].chars().count() + 1);
            d.line_text = Some(
                text[line_start..line_end]
                    .trim_end_matches('\r')
                    .to_string(),
            );
        }
        d
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        write!(f, ": ")?;
        if let Some(k) = &self.key {
            write!(f, "`{k}`: ")?;
        }
        write!(f, "{}", self.message)?;
        if let (Some(l), Some(c), Some(text)) = (self.line, self.column, &self.line_text) {
            let gutter = l.to_string().len();
            write!(
                f,
                "\n{:gutter$} |\n{l} | {text}\n{:gutter$} | {:>c$}",
                "", "", "^"
            )?;
        }
        Ok(())
    }
}

/// Everything wrong with a scenario (at least one problem).
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError {
    pub problems: Vec<Diagnostic>,
}

impl ScenarioError {
    pub fn single(d: Diagnostic) -> ScenarioError {
        ScenarioError { problems: vec![d] }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        if self.problems.len() > 1 {
            write!(f, "\n({} problems in all)", self.problems.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// The allowed word nearest to `word` (by edit distance), if it is near enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, allowed: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    allowed
        .into_iter()
        .map(|a| (edit_distance(word, a), a))
        .filter(|&(d, a)| d <= (a.len().max(word.len()) / 3).max(1))
        .min_by_key(|&(d, _)| d)
        .map(|(_, a)| a)
}

/// Edits (insert, delete, substitute, or swap two neighbouring characters) that turn `a` into `b`:
/// the optimal string alignment distance, so that `p09` is one edit from `p90`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut before: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 0..a.len() {
        let mut cur = vec![i + 1; b.len() + 1];
        for j in 0..b.len() {
            let sub = prev[j] + usize::from(a[i] != b[j]);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                cur[j + 1] = cur[j + 1].min(before[j - 1] + 1);
            }
        }
        before = std::mem::replace(&mut prev, cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_is_line_and_character_column() {
        let text = "a = 1\nstages = \"é x\"\n";
        let at = text.find('x').unwrap();
        let d = Diagnostic::at("f.toml", text, Some(at..at + 1), None, "bad");
        assert_eq!((d.line, d.column), (Some(2), Some(13)));
        let shown = d.to_string();
        assert!(shown.starts_with("f.toml:2:13: bad"), "{shown}");
        assert!(shown.contains("2 | stages = \"é x\""), "{shown}");
    }

    #[test]
    fn suggestions_catch_typos_only() {
        assert_eq!(
            did_you_mean("worker", ["workers", "team", "wip_limit"]),
            Some("workers")
        );
        assert_eq!(did_you_mean("colour", ["workers", "team"]), None);
        assert_eq!(did_you_mean("p09", ["p85", "p90", "mu"]), Some("p90"));
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
