//! 3'UTRs from FASTA or from TargetScan-style UTR tables, read in chunks so
//! memory does not grow with the number of UTRs.
//!
//! - FASTA: the record name is the UTR ID; the gene is the `symbol=` or `gene=`
//!   field of the description when present (and not `NA`), else the ID.
//! - TargetScan table (`UTR_Sequences.txt`): `gene<TAB>species<TAB>aligned sequence`,
//!   one line per gene and species; alignment gaps (`-`) are removed. Rows with an
//!   empty species field (consensus lines) are skipped, as `targetscan_70.pl` does.
//!
//! The format is chosen from the first byte: `>` means FASTA.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

use senmet_core::Location;

use crate::fasta;

/// An error while reading UTRs.
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
    /// Malformed or unreadable FASTA.
    #[error("invalid UTR FASTA")]
    Fasta(#[from] fasta::Error),
    /// Reading a table failed (including a truncated gzip stream).
    #[error("{at}: cannot read")]
    Read {
        /// Where reading stopped.
        at: Location,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A table line without three tab-separated fields.
    #[error("{at}: expected gene<TAB>species<TAB>sequence, found {found:?}")]
    Malformed {
        /// The line.
        at: Location,
        /// The start of the line.
        found: String,
    },
    /// A character that is neither a nucleotide letter nor a gap.
    #[error("{at}: UTR '{record}': expected a nucleotide letter or '-', found {found:?}")]
    InvalidCharacter {
        /// Line and column.
        at: Location,
        /// The gene.
        record: String,
        /// The character (a byte shown as Latin-1).
        found: char,
    },
}

/// A `Result` with this module's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Something odd but not fatal in the input; the record is reported and skipped or kept as said.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// A record with no sequence (skipped).
    Empty {
        /// The record's line.
        at: Location,
        /// The record.
        record: String,
    },
    /// An ID seen before (kept: both are scanned).
    Duplicate {
        /// The second occurrence.
        at: Location,
        /// The record.
        record: String,
        /// Line of the first occurrence.
        first: u64,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty { at, record } => write!(f, "{at}: UTR '{record}' is empty; skipped"),
            Self::Duplicate { at, record, first } => write!(
                f,
                "{at}: duplicate UTR '{record}' (first at line {first}); both scanned"
            ),
        }
    }
}

/// One 3'UTR.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Utr {
    /// The ID (FASTA name, or the table's gene field).
    pub id: String,
    /// The gene name.
    pub gene: String,
    /// The species field of a table row (an NCBI taxon ID), if any.
    pub species: Option<String>,
    /// The sequence without gaps, as read (any case, T or U).
    pub sequence: Vec<u8>,
}

impl Utr {
    /// The label written as `utr_id`: the ID, with `:species` for table rows.
    pub fn label(&self) -> String {
        match &self.species {
            Some(s) => format!("{}:{s}", self.id),
            None => self.id.clone(),
        }
    }
}

enum Source<R> {
    Fasta(fasta::Reader<R>),
    Table { inner: R, line: u64 },
}

/// Reads UTRs in chunks; see the [module docs](self).
///
/// # Examples
///
/// ```
/// use senmet_seq::utr::Reader;
///
/// let data = b">ENSG1 symbol=PTEN\nACGUACGU\n>ENSG2 symbol=NA\nGGCC\n";
/// let mut reader = Reader::new(&data[..], "u.fa")?;
/// let mut chunk = Vec::new();
/// reader.read_chunk(&mut chunk, 1 << 20)?;
/// assert_eq!(chunk[0].gene, "PTEN");
/// assert_eq!(chunk[1].gene, "ENSG2");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Reader<R> {
    source: Source<R>,
    path: PathBuf,
    species: Option<String>,
    seen: HashMap<(String, Option<String>), u64>,
    warnings: Vec<Warning>,
    record: fasta::Record,
}

impl Reader<Box<dyn BufRead + Send>> {
    /// Opens `path` (gzip if it ends in `.gz`).
    ///
    /// # Errors
    ///
    /// [`Error::Open`], or [`Error::Read`] if the first bytes cannot be read.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let inner = fasta::open(path).map_err(|source| Error::Open {
            path: path.to_owned(),
            source,
        })?;
        Self::new(inner, path)
    }
}

impl<R: BufRead> Reader<R> {
    /// A reader over `inner`; `path` names it in errors.
    ///
    /// # Errors
    ///
    /// [`Error::Read`] if the first bytes cannot be read.
    pub fn new(mut inner: R, path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_owned();
        let first = inner.fill_buf().map_err(|source| Error::Read {
            at: Location::new(&path).with_line(1),
            source,
        })?;
        let source = if first.first() == Some(&b'>') {
            Source::Fasta(fasta::Reader::new(inner).with_path(&path))
        } else {
            Source::Table { inner, line: 0 }
        };
        Ok(Self {
            source,
            path,
            species: None,
            seen: HashMap::new(),
            warnings: Vec::new(),
            record: fasta::Record::default(),
        })
    }

    /// Keeps only table rows of this species (an NCBI taxon ID); FASTA is not filtered.
    pub fn with_species(mut self, taxon: Option<String>) -> Self {
        self.species = taxon;
        self
    }

    /// Appends UTRs to `out` until they hold at least `max_nt` nucleotides or the input ends.
    /// Returns `false` once the input is exhausted and nothing was added.
    ///
    /// # Errors
    ///
    /// The first malformed record, with its location.
    pub fn read_chunk(&mut self, out: &mut Vec<Utr>, max_nt: usize) -> Result<bool> {
        let mut nt = 0;
        let mut any = false;
        while nt < max_nt {
            let Some((utr, line)) = self.next_utr()? else {
                break;
            };
            any = true;
            if utr.sequence.is_empty() {
                self.warnings.push(Warning::Empty {
                    at: Location::new(&self.path).with_line(line),
                    record: utr.label(),
                });
                continue;
            }
            self.check_duplicate(&utr, line);
            nt += utr.sequence.len();
            out.push(utr);
        }
        Ok(any)
    }

    /// The warnings so far, emptying the list.
    pub fn take_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.warnings)
    }

    fn check_duplicate(&mut self, utr: &Utr, line: u64) {
        let key = (utr.id.clone(), utr.species.clone());
        if let Some(&first) = self.seen.get(&key) {
            self.warnings.push(Warning::Duplicate {
                at: Location::new(&self.path).with_line(line),
                record: utr.label(),
                first,
            });
        } else {
            self.seen.insert(key, line);
        }
    }

    fn next_utr(&mut self) -> Result<Option<(Utr, u64)>> {
        match &mut self.source {
            Source::Fasta(reader) => {
                if reader.read_record(&mut self.record)? == 0 {
                    return Ok(None);
                }
                let r = &self.record;
                let utr = Utr {
                    id: r.name().to_owned(),
                    gene: gene_of(r.name(), r.description()),
                    species: None,
                    sequence: r.sequence().to_vec(),
                };
                Ok(Some((utr, r.line())))
            }
            Source::Table { inner, line } => {
                next_row(inner, line, &self.path, self.species.as_deref())
            }
        }
    }
}

fn gene_of(name: &str, description: &str) -> String {
    description
        .split_whitespace()
        .find_map(|f| {
            f.strip_prefix("symbol=")
                .or_else(|| f.strip_prefix("gene="))
        })
        .filter(|g| !g.is_empty() && *g != "NA")
        .unwrap_or(name)
        .to_owned()
}

fn next_row<R: BufRead>(
    inner: &mut R,
    line: &mut u64,
    path: &Path,
    species: Option<&str>,
) -> Result<Option<(Utr, u64)>> {
    let mut buf = String::new();
    loop {
        buf.clear();
        let at = Location::new(path).with_line(*line + 1);
        let n = inner.read_line(&mut buf).map_err(|source| Error::Read {
            at: at.clone(),
            source,
        })?;
        if n == 0 {
            return Ok(None);
        }
        *line += 1;
        let text = buf.trim_end_matches(['\r', '\n']);
        if text.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = text.splitn(3, '\t').collect();
        let [gene, taxon, seq] = fields[..] else {
            return Err(Error::Malformed {
                at,
                found: text.chars().take(40).collect(),
            });
        };
        if taxon.is_empty() || species.is_some_and(|s| s != taxon) {
            continue;
        }
        let sequence = ungap(seq, gene, &at, gene.len() + taxon.len() + 2)?;
        let utr = Utr {
            id: gene.to_owned(),
            gene: gene.to_owned(),
            species: Some(taxon.to_owned()),
            sequence,
        };
        return Ok(Some((utr, *line)));
    }
}

fn ungap(seq: &str, gene: &str, at: &Location, col0: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(seq.len());
    for (i, b) in seq.trim_end().bytes().enumerate() {
        if fasta::is_nucleotide(b) {
            out.push(b);
        } else if b != b'-' {
            return Err(Error::InvalidCharacter {
                at: at.clone().with_column((col0 + i + 1) as u64),
                record: gene.to_owned(),
                found: char::from(b),
            });
        }
    }
    Ok(out)
}

/// The NCBI taxon ID of a miRBase species code (`hsa` → `9606`), for the
/// species TargetScan 7 aligns most often.
pub fn taxon_of(code: &str) -> Option<&'static str> {
    Some(match code {
        "hsa" => "9606",
        "mmu" => "10090",
        "rno" => "10116",
        "cfa" => "9615",
        "gga" => "9031",
        "bta" => "9913",
        "mml" => "9544",
        "ptr" => "9598",
        "xtr" => "8364",
        "dre" => "7955",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(data: &[u8]) -> Result<(Vec<Utr>, Vec<Warning>)> {
        let mut r = Reader::new(data, "u.txt")?;
        let mut out = Vec::new();
        while r.read_chunk(&mut out, 3)? {}
        Ok((out, r.take_warnings()))
    }

    #[test]
    fn reads_targetscan_tables_without_gaps() -> Result<()> {
        let (utrs, warnings) =
            read(b"G1\t9606\tAC--GU\nG1\t\tACGU\r\nG1\t10090\tA-A\nG1\t9606\tAA\n")?;
        assert_eq!(utrs.len(), 3);
        assert_eq!(utrs[0].sequence, b"ACGU");
        assert_eq!(utrs[1].label(), "G1:10090");
        assert_eq!(
            warnings[0].to_string(),
            "u.txt:4: duplicate UTR 'G1:9606' (first at line 1); both scanned"
        );
        Ok(())
    }

    #[test]
    fn warns_on_empty_fasta_records() -> Result<()> {
        let (utrs, warnings) = read(b">a\n>b gene=B\nAC\n")?;
        assert_eq!(utrs.len(), 1);
        assert_eq!(utrs[0].gene, "B");
        assert_eq!(
            warnings[0].to_string(),
            "u.txt:1: UTR 'a' is empty; skipped"
        );
        Ok(())
    }

    #[test]
    fn bad_rows_name_line_and_column() {
        let err = read(b"G1\t9606\tACGU\nG2\t9606\tAC*U\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "u.txt:2:11: UTR 'G2': expected a nucleotide letter or '-', found '*'"
        );
        let err = read(b"G1 9606 ACGU\n").unwrap_err();
        assert!(err.to_string().starts_with("u.txt:1: expected gene<TAB>"));
    }
}
