//! Where something was found in an input file.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in an input: a path, and optionally a 1-based line and column.
///
/// Displays as `path:line:col`, `path:line` or `path`, the form compilers and
/// editors understand.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    path: PathBuf,
    line: Option<u64>,
    column: Option<u64>,
}

impl Location {
    /// A location naming only a file.
    ///
    /// # Examples
    ///
    /// ```
    /// let at = senmet_core::Location::new("a.tsv");
    /// assert_eq!(at.to_string(), "a.tsv");
    /// ```
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            line: None,
            column: None,
        }
    }

    /// The same location with a 1-based line number.
    pub fn with_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// The same location with a 1-based column number.
    pub fn with_column(mut self, column: u64) -> Self {
        self.column = Some(column);
        self
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The 1-based line, if known.
    pub fn line(&self) -> Option<u64> {
        self.line
    }

    /// The 1-based column, if known.
    pub fn column(&self) -> Option<u64> {
        self.column
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_a_compiler() {
        assert_eq!(Location::new("m.xml").to_string(), "m.xml");
        assert_eq!(Location::new("m.xml").with_line(3).to_string(), "m.xml:3");
        assert_eq!(
            Location::new("m.xml")
                .with_line(3)
                .with_column(9)
                .to_string(),
            "m.xml:3:9"
        );
        // A column without a line is not shown: it would be ambiguous.
        assert_eq!(Location::new("m.xml").with_column(9).to_string(), "m.xml");
    }
}
