//! FASTA reading (miRBase `mature.fa`, UTR FASTA), plain or gzip-compressed.
//!
//! A record is a `>name description` header line followed by any number of
//! sequence lines. Sequence letters must be nucleotide letters (`ACGTU`, the
//! IUPAC ambiguity codes `NRYSWKMBDHV`, either case); anything else is an
//! error naming the file, line, column and record. Blank lines are skipped.
//! An empty record (a header with no sequence) is returned as such: whether it
//! is an error is the caller's decision.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use senmet_core::Location;

/// An error while reading FASTA.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be opened.
    #[error("cannot open {}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// Reading failed (including a truncated or corrupt gzip stream).
    #[error("{at}: cannot read input after record '{after}'")]
    Read {
        /// Where reading stopped.
        at: Location,
        /// The last record read completely, or `(none)`.
        after: String,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// Sequence data before the first header line.
    #[error("{at}: expected a '>' header line, found {found:?}")]
    MissingHeader {
        /// The line.
        at: Location,
        /// The first character of the line.
        found: char,
    },
    /// A header with no name after `>`.
    #[error("{at}: expected a record name after '>'")]
    MissingName {
        /// The header line.
        at: Location,
    },
    /// A character that is not a nucleotide letter.
    #[error("{at}: record '{record}': expected a nucleotide letter, found {found:?}")]
    InvalidCharacter {
        /// Line and column of the character.
        at: Location,
        /// The record's name.
        record: String,
        /// The character (a byte shown as Latin-1).
        found: char,
    },
}

/// A `Result` with this module's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One FASTA record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    name: String,
    description: String,
    sequence: Vec<u8>,
    line: u64,
}

impl Record {
    /// A record from its parts (`line` is the 1-based header line, 0 if unknown).
    ///
    /// # Examples
    ///
    /// ```
    /// let r = senmet_seq::fasta::Record::new("u1", "gene=X", b"ACGU".to_vec(), 1);
    /// assert_eq!(r.name(), "u1");
    /// ```
    pub fn new(name: &str, description: &str, sequence: Vec<u8>, line: u64) -> Self {
        Self {
            name: name.to_owned(),
            description: description.to_owned(),
            sequence,
            line,
        }
    }

    /// The name: the header up to the first whitespace.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The rest of the header after the name (may be empty).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The sequence letters as read, without line breaks.
    pub fn sequence(&self) -> &[u8] {
        &self.sequence
    }

    /// The 1-based line of the header in its file.
    pub fn line(&self) -> u64 {
        self.line
    }
}

/// Reads FASTA records from any [`BufRead`].
///
/// # Examples
///
/// ```
/// use senmet_seq::fasta::Reader;
///
/// let data = b">hsa-miR-25-3p MIMAT0000081\nCAUUGCACUUGUCUCGGUCUGA\n";
/// let mut reader = Reader::new(&data[..]);
/// let records: Vec<_> = reader.records().collect::<Result<_, _>>()?;
/// assert_eq!(records[0].name(), "hsa-miR-25-3p");
/// assert_eq!(records[0].sequence(), b"CAUUGCACUUGUCUCGGUCUGA");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Reader<R> {
    inner: R,
    path: PathBuf,
    line: u64,
    buf: Vec<u8>,
    pending: Option<(Vec<u8>, u64)>,
    last: String,
}

impl<R: BufRead> Reader<R> {
    /// A reader over `inner`; errors name the input `-` until [`Reader::with_path`].
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            path: PathBuf::from("-"),
            line: 0,
            buf: Vec::new(),
            pending: None,
            last: String::from("(none)"),
        }
    }

    /// The same reader, naming `path` in its errors.
    pub fn with_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = path.into();
        self
    }

    /// Reads the next record into `record`, reusing its buffers.
    ///
    /// Returns the number of sequence letters plus one, or 0 at the end of input.
    ///
    /// # Errors
    ///
    /// Any [`Error`] but `Open`, with the line (and column) where it happened.
    pub fn read_record(&mut self, record: &mut Record) -> Result<usize> {
        let Some((header, line)) = self.next_header()? else {
            return Ok(0);
        };
        self.parse_header(&header, line, record)?;
        record.sequence.clear();
        loop {
            if !self.next_line()? {
                break;
            }
            if self.buf.first() == Some(&b'>') {
                self.pending = Some((std::mem::take(&mut self.buf), self.line));
                break;
            }
            self.push_sequence(record)?;
        }
        self.last.clone_from(&record.name);
        Ok(record.sequence.len() + 1)
    }

    /// An iterator over the remaining records.
    pub fn records(&mut self) -> Records<'_, R> {
        Records { reader: self }
    }

    fn next_header(&mut self) -> Result<Option<(Vec<u8>, u64)>> {
        if let Some(pending) = self.pending.take() {
            return Ok(Some(pending));
        }
        if !self.next_line()? {
            return Ok(None);
        }
        if self.buf.first() != Some(&b'>') {
            return Err(Error::MissingHeader {
                at: self.at(self.line),
                found: char::from(self.buf[0]),
            });
        }
        Ok(Some((std::mem::take(&mut self.buf), self.line)))
    }

    fn parse_header(&self, header: &[u8], line: u64, record: &mut Record) -> Result<()> {
        let text = String::from_utf8_lossy(&header[1..]);
        let text = text.trim();
        let (name, description) = match text.split_once(char::is_whitespace) {
            Some((name, rest)) => (name, rest.trim()),
            None => (text, ""),
        };
        if name.is_empty() {
            return Err(Error::MissingName { at: self.at(line) });
        }
        record.name.clear();
        record.name.push_str(name);
        record.description.clear();
        record.description.push_str(description);
        record.line = line;
        Ok(())
    }

    fn push_sequence(&self, record: &mut Record) -> Result<()> {
        for (i, &b) in self.buf.iter().enumerate() {
            if is_nucleotide(b) {
                record.sequence.push(b);
            } else {
                return Err(Error::InvalidCharacter {
                    at: self.at(self.line).with_column(i as u64 + 1),
                    record: record.name.clone(),
                    found: char::from(b),
                });
            }
        }
        Ok(())
    }

    /// Reads the next non-blank line into `buf` without its line ending.
    fn next_line(&mut self) -> Result<bool> {
        loop {
            self.buf.clear();
            let n = self
                .inner
                .read_until(b'\n', &mut self.buf)
                .map_err(|source| Error::Read {
                    at: self.at(self.line + 1),
                    after: self.last.clone(),
                    source,
                })?;
            if n == 0 {
                return Ok(false);
            }
            self.line += 1;
            while self.buf.last().is_some_and(|b| b.is_ascii_whitespace()) {
                self.buf.pop();
            }
            if !self.buf.is_empty() {
                return Ok(true);
            }
        }
    }

    fn at(&self, line: u64) -> Location {
        Location::new(&self.path).with_line(line)
    }
}

/// Whether `b` is a nucleotide letter (`ACGTU` or an IUPAC ambiguity code, any case).
pub fn is_nucleotide(b: u8) -> bool {
    matches!(
        b.to_ascii_uppercase(),
        b'A' | b'C'
            | b'G'
            | b'T'
            | b'U'
            | b'N'
            | b'R'
            | b'Y'
            | b'S'
            | b'W'
            | b'K'
            | b'M'
            | b'B'
            | b'D'
            | b'H'
            | b'V'
    )
}

/// The records of a [`Reader`], see [`Reader::records`].
#[derive(Debug)]
pub struct Records<'r, R> {
    reader: &'r mut Reader<R>,
}

impl<R: BufRead> Iterator for Records<'_, R> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut record = Record::default();
        match self.reader.read_record(&mut record) {
            Ok(0) => None,
            Ok(_) => Some(Ok(record)),
            Err(e) => Some(Err(e)),
        }
    }
}

/// Opens FASTA files, decompressing `.gz` files (by extension).
///
/// # Examples
///
/// ```no_run
/// let mut reader = senmet_seq::fasta::Builder::default().build_from_path("mature.fa.gz")?;
/// let n = reader.records().count();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default, Clone)]
pub struct Builder;

impl Builder {
    /// Opens `path`, with a gzip decoder if its name ends in `.gz`.
    ///
    /// # Errors
    ///
    /// [`Error::Open`] if the file cannot be opened.
    pub fn build_from_path(
        &self,
        path: impl AsRef<Path>,
    ) -> Result<Reader<Box<dyn BufRead + Send>>> {
        let path = path.as_ref();
        let inner = open(path).map_err(|source| Error::Open {
            path: path.to_owned(),
            source,
        })?;
        Ok(Reader::new(inner).with_path(path))
    }
}

/// Opens `path` for buffered reading, through a gzip decoder if it ends in `.gz`.
///
/// # Errors
///
/// The error of [`File::open`].
pub fn open(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    let file = File::open(path)?;
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    Ok(if gz {
        Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(file)))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, file))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(data: &[u8]) -> Result<Vec<Record>> {
        Reader::new(data).with_path("t.fa").records().collect()
    }

    #[test]
    fn reads_multiline_records_and_descriptions() -> Result<()> {
        let recs = read_all(b">a desc here\r\nACGU\nacgt\n\n>b\nNN\n>c\n")?;
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].sequence(), b"ACGUacgt");
        assert_eq!(recs[0].description(), "desc here");
        assert_eq!(recs[1].line(), 5);
        assert!(recs[2].sequence().is_empty());
        Ok(())
    }

    #[test]
    fn errors_name_line_column_and_record() {
        let err = read_all(b">a\nACGU\nAC-U\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.fa:3:3: record 'a': expected a nucleotide letter, found '-'"
        );
        let err = read_all(b"ACGU\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.fa:1: expected a '>' header line, found 'A'"
        );
        let err = read_all(b">\nACGU\n").unwrap_err();
        assert_eq!(err.to_string(), "t.fa:1: expected a record name after '>'");
        assert!(read_all(b"").is_ok_and(|r| r.is_empty()));
    }

    #[test]
    fn inner_spaces_are_errors_trailing_spaces_are_not() -> Result<()> {
        assert_eq!(read_all(b">a\nAC \n")?[0].sequence(), b"AC");
        assert!(read_all(b">a\nA C\n").is_err());
        Ok(())
    }
}
