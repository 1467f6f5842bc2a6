//! Mature miRNAs read from FASTA (miRBase `mature.fa` style), with their seed
//! (nucleotides 2–8) and seed family.

use std::collections::HashMap;
use std::io::BufRead;

use senmet_core::Location;

use crate::{family, fasta};

/// The shortest miRNA accepted: nucleotides 1–8 are needed for every site type.
pub const MIN_LEN: usize = 8;

/// An error while reading miRNAs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The FASTA itself is malformed or unreadable.
    #[error("invalid miRNA FASTA")]
    Fasta(#[from] fasta::Error),
    /// A miRNA shorter than [`MIN_LEN`].
    #[error("{at}: miRNA '{record}' has {len} nt, expected at least {MIN_LEN}")]
    TooShort {
        /// The record's header line.
        at: Location,
        /// The record.
        record: String,
        /// Its length.
        len: usize,
    },
    /// A letter other than `ACGTU` in a miRNA.
    #[error("{at}: miRNA '{record}' has {found:?} at nt {nt}, expected A, C, G, U or T")]
    Ambiguous {
        /// The record's header line.
        at: Location,
        /// The record.
        record: String,
        /// The letter.
        found: char,
        /// Its 1-based position in the miRNA.
        nt: usize,
    },
    /// The same ID twice.
    #[error("{at}: duplicate miRNA '{record}' (first at line {first})")]
    Duplicate {
        /// The second header line.
        at: Location,
        /// The record.
        record: String,
        /// Line of the first occurrence.
        first: u64,
    },
}

/// A `Result` with this module's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A mature miRNA.
///
/// # Examples
///
/// ```
/// use senmet_seq::mirna::Mirna;
///
/// let m = Mirna::new("hsa-miR-30c-5p", b"uguaaacauccuacacucucagc")?;
/// assert_eq!(m.seed(), b"GUAAACA");
/// assert_eq!(m.family(), "GUAAACA"); // until a family table says otherwise
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirna {
    id: String,
    family: String,
    sequence: Vec<u8>,
}

impl Mirna {
    /// A miRNA from its ID and sequence (`ACGTU`, any case; stored as upper-case RNA).
    /// Its family is its seed until [`Mirna::with_family`].
    ///
    /// # Errors
    ///
    /// [`Error::TooShort`] or [`Error::Ambiguous`] (with an empty location).
    pub fn new(id: &str, sequence: &[u8]) -> Result<Self> {
        let at = Location::default();
        if sequence.len() < MIN_LEN {
            return Err(Error::TooShort {
                at,
                record: id.to_owned(),
                len: sequence.len(),
            });
        }
        let mut rna = Vec::with_capacity(sequence.len());
        for (i, &b) in sequence.iter().enumerate() {
            rna.push(match b.to_ascii_uppercase() {
                b'T' | b'U' => b'U',
                c @ (b'A' | b'C' | b'G') => c,
                _ => {
                    return Err(Error::Ambiguous {
                        at,
                        record: id.to_owned(),
                        found: char::from(b),
                        nt: i + 1,
                    })
                }
            });
        }
        let family = String::from_utf8_lossy(&rna[1..8]).into_owned();
        Ok(Self {
            id: id.to_owned(),
            family,
            sequence: rna,
        })
    }

    /// The same miRNA in `family`.
    pub fn with_family(mut self, family: &str) -> Self {
        family.clone_into(&mut self.family);
        self
    }

    /// The ID, e.g. `hsa-miR-25-3p`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The seed family (the seed itself when no family table names one).
    pub fn family(&self) -> &str {
        &self.family
    }

    /// The sequence, upper-case RNA.
    pub fn sequence(&self) -> &[u8] {
        &self.sequence
    }

    /// Nucleotides 2–8.
    pub fn seed(&self) -> &[u8] {
        &self.sequence[1..8]
    }
}

/// Reads all miRNAs of `reader`, keeping IDs that start with `{species}-`
/// when `species` is given, with families from `families` when given.
///
/// # Errors
///
/// The first bad record: malformed FASTA, too short, a non-`ACGTU` letter, or a duplicate ID.
pub fn read_all<R: BufRead>(
    reader: &mut fasta::Reader<R>,
    path: &std::path::Path,
    species: Option<&str>,
    families: Option<&family::Table>,
) -> Result<Vec<Mirna>> {
    let prefix = species.map(|s| format!("{s}-"));
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    let mut rec = fasta::Record::default();
    while reader.read_record(&mut rec)? > 0 {
        if prefix
            .as_ref()
            .is_some_and(|p| !rec.name().starts_with(p.as_str()))
        {
            continue;
        }
        let at = Location::new(path).with_line(rec.line());
        if let Some(&first) = seen.get(rec.name()) {
            return Err(Error::Duplicate {
                at,
                record: rec.name().to_owned(),
                first,
            });
        }
        seen.insert(rec.name().to_owned(), rec.line());
        let mirna = Mirna::new(rec.name(), rec.sequence()).map_err(|e| e.located(at))?;
        let seed = String::from_utf8_lossy(mirna.seed()).into_owned();
        out.push(
            match families.and_then(|t| t.family_of(mirna.id(), &seed)) {
                Some(fam) => mirna.with_family(fam),
                None => mirna,
            },
        );
    }
    Ok(out)
}

impl Error {
    fn located(self, loc: Location) -> Self {
        match self {
            Self::TooShort { record, len, .. } => Self::TooShort {
                at: loc,
                record,
                len,
            },
            Self::Ambiguous {
                record, found, nt, ..
            } => Self::Ambiguous {
                at: loc,
                record,
                found,
                nt,
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn read(data: &[u8], species: Option<&str>) -> Result<Vec<Mirna>> {
        let mut r = fasta::Reader::new(data).with_path("m.fa");
        read_all(&mut r, Path::new("m.fa"), species, None)
    }

    #[test]
    fn filters_species_and_normalises() -> Result<()> {
        let m = read(b">hsa-a\nacgtacgtac\n>mmu-a\nACGUACGUAC\n", Some("hsa"))?;
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].sequence(), b"ACGUACGUAC");
        Ok(())
    }

    #[test]
    fn bad_mirnas_name_file_and_record() {
        let err = read(b">a\nACGU\n", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "m.fa:1: miRNA 'a' has 4 nt, expected at least 8"
        );
        let err = read(b">a\nACGUACGUAC\n>a\nACGUACGUAC\n", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "m.fa:3: duplicate miRNA 'a' (first at line 1)"
        );
        let err = read(b">a\nACGUNCGUAC\n", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "m.fa:1: miRNA 'a' has 'N' at nt 5, expected A, C, G, U or T"
        );
        let err = read(b">a\n", None).unwrap_err();
        assert!(err.to_string().contains("has 0 nt"));
    }
}
