//! miRNA seed families: TargetScan's `miR_Family_Info.txt`, or its 3-column
//! `family<TAB>seed<TAB>species;list` form (the TargetScan 7.0 sample input).
//!
//! TargetScan groups miRNAs sharing nucleotides 2–8 (`Seed+m8`) into one family
//! (Agarwal et al., *eLife* 2015;4:e05005). miRNAs absent from the table fall
//! back to a family named by their seed (see [`crate::mirna`]).

use std::collections::HashMap;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

use senmet_core::Location;

/// An error while reading a family table.
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
    /// Reading failed.
    #[error("{at}: cannot read")]
    Read {
        /// Where reading stopped.
        at: Location,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A line without the expected fields.
    #[error("{at}: expected {expected}, found {found:?}")]
    Malformed {
        /// The line.
        at: Location,
        /// What the line should hold.
        expected: &'static str,
        /// The line (cut to 60 characters).
        found: String,
    },
}

/// A `Result` with this module's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A family with its seed and the species (NCBI taxon IDs) that have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedFamily {
    /// Family name, e.g. `miR-30-5p`.
    pub name: String,
    /// Nucleotides 2–8 of its miRNAs, RNA alphabet, upper case.
    pub seed: String,
    /// NCBI taxon IDs, as written (e.g. `9606`).
    pub species: Vec<String>,
}

/// A family table: miRNA ID → family, and family → seed.
///
/// # Examples
///
/// ```
/// use senmet_seq::family::Table;
///
/// let text = "miR_family\tSeed+m8\tSpecies_ID\tMiRBase_ID\tMature_sequence\n\
///             miR-30-5p\tGUAAACA\t9606\thsa-miR-30c-5p\tUGUAAACAUCCUACACUCUCAGC\n";
/// let table = Table::from_reader(text.as_bytes(), "info.txt")?;
/// assert_eq!(table.family_of("hsa-miR-30c-5p", "GUAAACA"), Some("miR-30-5p"));
/// assert_eq!(table.family_of("hsa-miR-x", "GUAAACA"), Some("miR-30-5p"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Table {
    by_mirna: HashMap<String, String>,
    by_seed: HashMap<String, String>,
    families: Vec<SeedFamily>,
}

impl Table {
    /// Reads `path` (plain text).
    ///
    /// # Errors
    ///
    /// [`Error::Open`], or any error of [`Table::from_reader`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = crate::fasta::open(path).map_err(|source| Error::Open {
            path: path.to_owned(),
            source,
        })?;
        Self::from_reader(file, path)
    }

    /// Reads a table; `path` names the input in errors. The format is chosen
    /// by the first line: a `miR_Family_Info.txt` header, or 3 seed-family fields.
    ///
    /// # Errors
    ///
    /// [`Error::Read`] or [`Error::Malformed`], with the line.
    pub fn from_reader(reader: impl BufRead, path: impl AsRef<Path>) -> Result<Self> {
        let mut table = Self::default();
        let mut columns: Option<(usize, usize, usize, usize)> = None;
        for (i, line) in reader.lines().enumerate() {
            let at = Location::new(path.as_ref()).with_line(i as u64 + 1);
            let line = line.map_err(|source| Error::Read {
                at: at.clone(),
                source,
            })?;
            let line = line.trim_end_matches(['\r', '\n']);
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            if i == 0 && fields.contains(&"MiRBase_ID") {
                columns = Some(header_columns(&fields, &at, line)?);
            } else if let Some(cols) = columns {
                table.add_info_row(&fields, cols, &at, line)?;
            } else {
                table.add_seed_row(&fields, &at, line)?;
            }
        }
        Ok(table)
    }

    /// The family of a miRNA: by its ID, else by its seed (nt 2–8, RNA).
    pub fn family_of(&self, mirna_id: &str, seed: &str) -> Option<&str> {
        self.by_mirna
            .get(mirna_id)
            .or_else(|| self.by_seed.get(seed))
            .map(String::as_str)
    }

    /// The families with their seeds and species, in file order (first row per family).
    pub fn families(&self) -> &[SeedFamily] {
        &self.families
    }

    fn add_info_row(
        &mut self,
        fields: &[&str],
        (fam, seed, species, id): (usize, usize, usize, usize),
        at: &Location,
        line: &str,
    ) -> Result<()> {
        let need = fam.max(seed).max(species).max(id);
        if fields.len() <= need {
            return Err(malformed(at, "the columns named in the header", line));
        }
        let name = fields[fam].trim();
        let seed =
            normalise_seed(fields[seed]).ok_or_else(|| malformed(at, "a 7-nt seed", line))?;
        self.by_mirna
            .insert(fields[id].trim().to_owned(), name.to_owned());
        self.add_family(name, seed, fields[species].trim());
        Ok(())
    }

    fn add_seed_row(&mut self, fields: &[&str], at: &Location, line: &str) -> Result<()> {
        let expected = "family<TAB>7-nt seed<TAB>species list";
        if fields.len() < 2 {
            return Err(malformed(at, expected, line));
        }
        let seed = normalise_seed(fields[1]).ok_or_else(|| malformed(at, expected, line))?;
        let species = fields.get(2).copied().unwrap_or("");
        for taxon in species.split(';') {
            self.add_family(fields[0].trim(), seed.clone(), taxon.trim());
        }
        Ok(())
    }

    fn add_family(&mut self, name: &str, seed: String, taxon: &str) {
        self.by_seed
            .entry(seed.clone())
            .or_insert_with(|| name.to_owned());
        let idx = match self.families.iter().position(|f| f.name == name) {
            Some(idx) => idx,
            None => {
                self.families.push(SeedFamily {
                    name: name.to_owned(),
                    seed,
                    species: Vec::new(),
                });
                self.families.len() - 1
            }
        };
        let fam = &mut self.families[idx];
        if !taxon.is_empty() && !fam.species.iter().any(|s| s == taxon) {
            fam.species.push(taxon.to_owned());
        }
    }
}

fn header_columns(
    fields: &[&str],
    at: &Location,
    line: &str,
) -> Result<(usize, usize, usize, usize)> {
    let find = |name: &str| fields.iter().position(|f| f.trim() == name);
    match (
        find("miR_family"),
        find("Seed+m8"),
        find("Species_ID"),
        find("MiRBase_ID"),
    ) {
        (Some(a), Some(b), Some(c), Some(d)) => Ok((a, b, c, d)),
        _ => Err(malformed(
            at,
            "columns miR_family, Seed+m8, Species_ID, MiRBase_ID",
            line,
        )),
    }
}

/// Upper-case RNA of a 7-letter `ACGTU` seed, else `None`.
fn normalise_seed(seed: &str) -> Option<String> {
    let seed = seed.trim();
    let ok = seed.len() == 7 && seed.bytes().all(|b| b"ACGTUacgtu".contains(&b));
    ok.then(|| seed.to_ascii_uppercase().replace('T', "U"))
}

fn malformed(at: &Location, expected: &'static str, line: &str) -> Error {
    Error::Malformed {
        at: at.clone(),
        expected,
        found: line.chars().take(60).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_seed_family_rows() -> Result<()> {
        let t = Table::from_reader(
            &b"let-7/98\tGAGGUAG\t10090;9606\nmiR-1\tggaaugt\t9606\n"[..],
            "f",
        )?;
        assert_eq!(t.families().len(), 2);
        assert_eq!(t.families()[0].species, ["10090", "9606"]);
        assert_eq!(t.family_of("x", "GGAAUGU"), Some("miR-1"));
        Ok(())
    }

    #[test]
    fn malformed_rows_name_the_line() {
        let err = Table::from_reader(&b"a\tGAGGUAG\t1\nb\tGAG\t1\n"[..], "f.txt").unwrap_err();
        assert!(
            err.to_string().starts_with("f.txt:2: expected family"),
            "{err}"
        );
        let err = Table::from_reader(&b"miR_family\tMiRBase_ID\n"[..], "f.txt").unwrap_err();
        assert!(
            err.to_string().starts_with("f.txt:1: expected columns"),
            "{err}"
        );
    }
}
