//! The options every command that reads an item history shares (`map`, `calibrate`,
//! `backtest`): the file, its mapping file, and command-line overrides of the mapping.

use super::Failure;
use crate::history::mapping::{self, Kind, Layout, Mapping};
use crate::history::{self, History};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The history: a CSV with a column per state (wide) or a row per state entered (long)
    pub history: PathBuf,
    /// A mapping file (TOML): columns, states in flow order, work or wait, date format, calendar
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// The layout (default: long when there is a state column, else wide)
    #[arg(long, value_parser = ["wide", "long"])]
    pub layout: Option<String>,
    /// Date format, strptime-style, e.g. %d/%m/%Y (default: ISO dates and date-times)
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// States where items are worked on, comma-separated (states named nowhere go by their names:
    /// a wait when the name has a word of waiting in it, such as ready, queue or blocked)
    #[arg(long, value_name = "STATES", value_delimiter = ',')]
    pub work: Option<Vec<String>>,
    /// States where items wait, comma-separated
    #[arg(long, value_name = "STATES", value_delimiter = ',')]
    pub wait: Option<Vec<String>>,
    /// States that end an item without delivering it (withdrawn, rejected, ...)
    #[arg(long, value_name = "STATES", value_delimiter = ',')]
    pub abandoned: Option<Vec<String>>,
    /// Count every day of the week as a working day
    #[arg(long)]
    pub all_days: bool,
}

impl HistoryArgs {
    /// The mapping file (if any) with the command line's options over it.
    pub fn mapping(&self) -> Result<Mapping, Failure> {
        let mut m = match &self.mapping {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    Failure::input(format!(
                        "cannot read the mapping file {}: {e}",
                        path.display()
                    ))
                })?;
                mapping::parse(&text, &path.display().to_string()).map_err(|e| {
                    Failure::input(format!(
                        "{e}\nThe mapping file is invalid; nothing was read."
                    ))
                })?
            }
            None => Mapping::default(),
        };
        if let Some(l) = &self.layout {
            m.layout = Some(if l == "wide" {
                Layout::Wide
            } else {
                Layout::Long
            });
        }
        if let Some(f) = &self.date_format {
            m.date_format = Some(f.clone());
        }
        let clean = |v: &Vec<String>| -> Vec<String> {
            v.iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        // A state named on the command line takes that kind, whatever the mapping file says.
        for (given, kind) in [(&self.work, Kind::Work), (&self.wait, Kind::Wait)] {
            if let Some(names) = given {
                let names = clean(names);
                for s in &mut m.states {
                    if names.iter().any(|n| n.eq_ignore_ascii_case(&s.name)) {
                        s.kind = Some(kind);
                    }
                }
                match kind {
                    Kind::Work => m.work = names,
                    Kind::Wait => m.wait = names,
                }
            }
        }
        if let Some(a) = &self.abandoned {
            m.abandoned = clean(a);
        }
        if self.all_days {
            m.working_days = Some([true; 7]);
        }
        Ok(m)
    }

    /// Reads the history as mapped.
    pub fn load(&self) -> Result<History, Failure> {
        let mapping = self.mapping()?;
        history::load(&self.history, &mapping).map_err(|e| Failure::input(e.to_string()))
    }
}
