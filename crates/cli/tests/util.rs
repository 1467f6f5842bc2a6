//! Helpers: a temporary directory and the built binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scratch directory removed at the end of the test.
pub struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Self {
        Self {
            tmp: tempfile::tempdir().expect("a temporary directory can be created"),
        }
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Writes a file and returns its path.
    pub fn create(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, contents).expect("test file can be written");
        path
    }

    /// Reads a file of the directory.
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

/// Runs `senmet` with arguments in `dir`.
pub fn senmet(dir: &Dir, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_senmet"))
        .current_dir(dir.path())
        .args(args)
        .output()
        .expect("senmet runs")
}

/// Data shipped with the repository, relative to crates/cli.
pub fn data(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Rows of a TSV as column name -> cell maps.
pub fn tsv(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    lines
        .map(|l| {
            header
                .iter()
                .map(|h| (*h).to_owned())
                .zip(l.split('\t').map(String::from))
                .collect()
        })
        .collect()
}
