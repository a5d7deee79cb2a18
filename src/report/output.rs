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

/// Writes one file at `path`, all or nothing: in full to a temporary name beside it, then renamed
/// into place. The directory must exist (it is not created: a mistyped path is an error, not a
/// new directory).
pub fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path names a directory, not a file",
        )
    })?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
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

    #[test]
    fn one_file_goes_into_an_existing_directory_only() {
        let dir = std::env::temp_dir().join(format!("flowsim-output-one-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        write_file(&dir.join("a.csv"), b"x,y\n").unwrap();
        assert_eq!(fs::read(dir.join("a.csv")).unwrap(), b"x,y\n");
        assert!(write_file(&dir.join("missing/a.csv"), b"x").is_err());
        assert!(!dir.join("missing").exists());
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        fs::remove_dir_all(&dir).unwrap();
    }
}
