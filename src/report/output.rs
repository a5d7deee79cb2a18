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
    write_all_with(dir, Vec::new(), files)
}

/// A file too large to hold in memory, written piece by piece (it is a [`Write`]) to a temporary
/// name in its directory and put in place by [`write_all_with`] together with the other files of
/// the set. Dropped without that, it leaves nothing behind.
pub struct PendingFile {
    temp: PathBuf,
    target: PathBuf,
    file: io::BufWriter<fs::File>,
}

impl PendingFile {
    /// Starts the file `name` in `dir` (created if needed).
    pub fn create(dir: &Path, name: &str) -> io::Result<PendingFile> {
        fs::create_dir_all(dir)?;
        let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = io::BufWriter::new(fs::File::create(&temp)?);
        Ok(PendingFile {
            temp,
            target: dir.join(name),
            file,
        })
    }
}

impl Write for PendingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        // Still there unless it was renamed into place.
        let _ = fs::remove_file(&self.temp);
    }
}

/// Writes `files` into `dir` (created if needed) and puts the `pending` files (written beforehand,
/// in `dir` too) in place with them, all or nothing: the pending files are renamed first, then
/// `files` in their order, so the last of `files` appears last. Returns the paths written.
pub fn write_all_with(
    dir: &Path,
    mut pending: Vec<PendingFile>,
    files: &[OutputFile],
) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    let pid = std::process::id();
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = (|| {
        for p in pending.iter_mut() {
            p.file.flush()?;
            p.file.get_ref().sync_all()?;
            temps.push((p.temp.clone(), p.target.clone()));
        }
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
    drop(pending);
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
    fn a_pending_file_goes_in_with_the_set_or_leaves_nothing() {
        let dir =
            std::env::temp_dir().join(format!("flowsim-output-pending-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let mut big = PendingFile::create(&dir, "big.bin").unwrap();
        big.write_all(b"piece one, ").unwrap();
        big.write_all(b"piece two").unwrap();
        let small = [OutputFile {
            name: "small.json".into(),
            bytes: b"{}".to_vec(),
        }];
        write_all_with(&dir, vec![big], &small).unwrap();
        assert_eq!(
            fs::read(dir.join("big.bin")).unwrap(),
            b"piece one, piece two"
        );
        assert_eq!(fs::read(dir.join("small.json")).unwrap(), b"{}");

        let mut dropped = PendingFile::create(&dir, "dropped.bin").unwrap();
        dropped.write_all(b"never finished").unwrap();
        drop(dropped);
        let mut names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["big.bin", "small.json"]);
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
