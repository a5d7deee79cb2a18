//! Writes a set of result files so that a failure never leaves half-written results: every file
//! is written in full to a temporary name in the target directory, and only when all are written
//! are they renamed into place (a rename within a directory is atomic).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file to write: its name within the output directory and its content.
pub struct OutputFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Writes `files` into `dir` (created if needed), all or nothing. Returns the paths written.
pub fn write_all(dir: &Path, files: &[OutputFile]) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    let pid = std::process::id();
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| {
        for f in files {
            let target = dir.join(&f.name);
            let temp = dir.join(format!(".{}.{pid}.tmp", f.name));
            temps.push((temp.clone(), target));
            let mut file = fs::File::create(&temp)?;
            file.write_all(&f.bytes)?;
            file.sync_all()?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        for (temp, _) in &temps {
            let _ = fs::remove_file(temp);
        }
        return Err(e);
    }
    let mut written = Vec::new();
    for (temp, target) in temps {
        fs::rename(&temp, &target)?;
        written.push(target);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_file_and_leaves_no_temporaries() {
        let dir = std::env::temp_dir().join(format!("flowsim-output-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let files = [
            OutputFile {
                name: "a.txt".into(),
                bytes: b"alpha".to_vec(),
            },
            OutputFile {
                name: "b.txt".into(),
                bytes: b"beta".to_vec(),
            },
        ];
        let written = write_all(&dir, &files).unwrap();
        assert_eq!(written.len(), 2);
        assert_eq!(fs::read(dir.join("b.txt")).unwrap(), b"beta");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
