//! Tab-separated omics tables: an expression matrix and a clinical table.
//!
//! Both readers take any [`BufRead`] and a source path used only for error
//! locations; [`open`] picks gzip decompression from a `.gz` extension. Lines
//! are read one at a time into a reused buffer and parsed straight into
//! numbers, so a large `.tsv.gz` is streamed and its text is never held twice.
//!
//! Error locations are `path:line:field`, with 1-based line and field numbers.

mod clinical;
mod expression;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

pub use clinical::{Clinical, ClinicalColumns, ClinicalRecord};
pub use expression::{Expression, LoadReport, Scale};

use crate::{Error, Result};
use senmet_core::Location;

/// Opens a file for reading, decompressing it when its name ends in `.gz`.
///
/// # Errors
///
/// [`Error::Io`] when the file cannot be opened.
pub fn open(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    Ok(if gz {
        let decoder = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file));
        Box::new(BufReader::with_capacity(1 << 16, decoder))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, file))
    })
}

/// Reads lines into a reused buffer, counting them for error locations.
pub(crate) struct Lines<R> {
    reader: R,
    source: Location,
    line: u64,
    buf: String,
}

impl<R> Lines<R> {
    pub(crate) fn new(reader: R, source: &Path) -> Self {
        Self {
            reader,
            source: Location::new(source),
            line: 0,
            buf: String::new(),
        }
    }

    /// The current line, without its line ending.
    pub(crate) fn line(&self) -> &str {
        self.buf.trim_end_matches(['\n', '\r'])
    }

    /// The current line's location.
    pub(crate) fn at(&self) -> Location {
        self.source.clone().with_line(self.line)
    }

    /// The location of a 0-based field of the current line.
    pub(crate) fn at_field(&self, field: usize) -> Location {
        self.at().with_column(field as u64 + 1)
    }
}

impl<R: BufRead> Lines<R> {
    /// Reads the next line; `false` at end of input.
    pub(crate) fn advance(&mut self) -> Result<bool> {
        self.buf.clear();
        self.line += 1;
        let n = self
            .reader
            .read_line(&mut self.buf)
            .map_err(|source| Error::ReadLine {
                at: self.at(),
                source,
            })?;
        Ok(n > 0)
    }
}

/// True for the cell values read as "missing": empty, `NA`, `NaN`, `null`, `N/A`, `.`.
pub fn is_missing(cell: &str) -> bool {
    let c = cell.trim();
    c.is_empty() || [".", "NA", "NaN", "nan", "null", "NULL", "N/A", "n/a", "na"].contains(&c)
}
