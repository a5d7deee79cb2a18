//! `flowsim init`: writes the example scenario as a starting point.

use super::{EXAMPLE_SCENARIO, Failure, print};
use crate::report::output::{OutputFile, write_all};
use std::path::PathBuf;

pub const EXAMPLES: &str = "\
Examples:
  flowsim init                  write value-stream.toml in this directory
  flowsim init team-a           write team-a.toml
  flowsim init streams/b.toml --force";

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// File to write (".toml" is added when missing)
    #[arg(default_value = "value-stream.toml")]
    name: PathBuf,
    /// Overwrite the file if it exists
    #[arg(long)]
    force: bool,
}

pub fn init(args: InitArgs) -> Result<(), Failure> {
    let mut path = args.name;
    if path.extension().is_none() {
        path.set_extension("toml");
    }
    if path.exists() && !args.force {
        return Err(Failure::other(format!(
            "{} already exists; choose another name or add --force to overwrite it",
            path.display()
        )));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    let name = path
        .file_name()
        .ok_or_else(|| Failure::input(format!("{} is not a file name", path.display())))?
        .to_string_lossy()
        .into_owned();
    write_all(
        &dir,
        &[OutputFile {
            name,
            bytes: EXAMPLE_SCENARIO.as_bytes().to_vec(),
        }],
    )
    .map_err(|e| Failure::other(format!("cannot write {}: {e}", path.display())))?;
    print(&format!(
        "Wrote {p}: the feature-delivery example, commented.\nEdit it, then run: flowsim run {p}\n",
        p = path.display()
    ))
}
