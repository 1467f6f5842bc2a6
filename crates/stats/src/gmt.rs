//! Gene sets in GMT format (MSigDB style) and the built-in sets.
//!
//! A GMT line is `name<TAB>description<TAB>gene<TAB>gene…`. Sets whose names
//! end in `_UP` and `_DN` (or `_DOWN`) with the same stem are paired by
//! [`signatures`] into one up/down signature named after the stem.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use crate::table::Lines;
use crate::{Error, Result};

/// A named list of gene symbols.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneSet {
    /// Set name (GMT column 1).
    pub name: String,
    /// Description or URL (GMT column 2).
    pub description: String,
    /// Gene symbols, in file order, without repeats.
    pub genes: Vec<String>,
}

/// A signature to score: genes expected up, and optionally genes expected down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Name used in output columns.
    pub name: String,
    /// Genes expected to be high.
    pub up: Vec<String>,
    /// Genes expected to be low, for up/down signatures.
    pub down: Option<Vec<String>>,
}

/// The study's target genes, as the built-in set `SENMET_STUDY_TARGETS`.
pub const STUDY_TARGETS: [&str; 2] = ["PTEN", "LATS2"];

const EMT_GMT: &str = include_str!("../data/hallmark_emt.v7.0.gmt");

/// Reads every set of a GMT file. An empty line is skipped; a line with a
/// name but no gene is kept as an empty set (scoring reports and skips it).
///
/// # Errors
///
/// A line with fewer than two fields, or an empty set name, naming the line.
///
/// # Examples
///
/// ```
/// let sets = senmet_stats::gmt::read("A\tdesc\tX\tY\tX\n".as_bytes(), "s.gmt".as_ref())?;
/// assert_eq!(sets[0].genes, ["X", "Y"]);
/// # Ok::<(), senmet_stats::Error>(())
/// ```
pub fn read<R: BufRead>(reader: R, source: &Path) -> Result<Vec<GeneSet>> {
    let mut lines = Lines::new(reader, source);
    let mut sets = Vec::new();
    while lines.advance()? {
        let line = lines.line();
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split('\t');
        let name = fields.next().unwrap_or_default().trim().to_owned();
        let Some(description) = fields.next() else {
            return Err(Error::FieldCount {
                at: lines.at(),
                expected: 2,
                found: 1,
            });
        };
        if name.is_empty() {
            return Err(Error::Unexpected {
                at: lines.at_field(0),
                expected: "a gene set name",
                found: String::new(),
            });
        }
        let mut genes: Vec<String> = Vec::new();
        for g in fields.map(str::trim).filter(|g| !g.is_empty()) {
            if !genes.iter().any(|x| x == g) {
                genes.push(g.to_owned());
            }
        }
        sets.push(GeneSet {
            name,
            description: description.to_owned(),
            genes,
        });
    }
    Ok(sets)
}

/// The built-in sets: `SENMET_STUDY_TARGETS` (PTEN, LATS2) and MSigDB v7.0
/// `HALLMARK_EPITHELIAL_MESENCHYMAL_TRANSITION` (CC BY 4.0).
pub fn builtin() -> Vec<GeneSet> {
    let mut sets = vec![GeneSet {
        name: "SENMET_STUDY_TARGETS".into(),
        description: "PTEN and LATS2, repressed by EV miR-25/92a/30c/30d".into(),
        genes: STUDY_TARGETS.iter().map(|g| (*g).to_owned()).collect(),
    }];
    let emt = read(
        EMT_GMT.as_bytes(),
        Path::new("builtin:hallmark_emt.v7.0.gmt"),
    );
    sets.extend(emt.expect("Cannot fail: the built-in GMT is checked by a unit test"));
    sets
}

/// Turns sets into signatures, pairing `X_UP` with `X_DN`/`X_DOWN` as one
/// up/down signature `X`; every other set is an up-only signature. Order
/// follows the first appearance; a later set with an earlier set's name
/// replaces it.
pub fn signatures(sets: &[GeneSet]) -> Vec<Signature> {
    let by_name: HashMap<&str, &GeneSet> = sets.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut out: Vec<Signature> = Vec::new();
    let mut done: HashMap<String, usize> = HashMap::new();
    for set in sets {
        let (stem, down) = match pair_of(&set.name) {
            Some((stem, true)) => match by_name.get(format!("{stem}_UP").as_str()) {
                Some(_) => continue,
                None => (set.name.clone(), None),
            },
            Some((stem, false)) => {
                let dn = [format!("{stem}_DN"), format!("{stem}_DOWN")]
                    .into_iter()
                    .find_map(|n| by_name.get(n.as_str()));
                match dn {
                    Some(dn) => (stem.to_owned(), Some(dn.genes.clone())),
                    None => (set.name.clone(), None),
                }
            }
            None => (set.name.clone(), None),
        };
        let sig = Signature {
            name: stem,
            up: by_name[set.name.as_str()].genes.clone(),
            down,
        };
        match done.get(&sig.name) {
            Some(&i) => out[i] = sig,
            None => {
                done.insert(sig.name.clone(), out.len());
                out.push(sig);
            }
        }
    }
    out
}

/// `Some((stem, is_down))` for names ending in `_UP`, `_DN` or `_DOWN`.
fn pair_of(name: &str) -> Option<(&str, bool)> {
    if let Some(stem) = name.strip_suffix("_UP") {
        return Some((stem, false));
    }
    name.strip_suffix("_DN")
        .or_else(|| name.strip_suffix("_DOWN"))
        .map(|stem| (stem, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_sets_parse() {
        let sets = builtin();
        assert_eq!(sets[1].name, "HALLMARK_EPITHELIAL_MESENCHYMAL_TRANSITION");
        assert_eq!(sets[1].genes.len(), 200);
        assert_eq!(&sets[1].genes[..3], ["COL3A1", "COL5A2", "COL5A1"]);
    }

    #[test]
    fn pairs_up_and_down() -> Result<()> {
        let gmt = "S_UP\t-\tA\tB\nS_DN\t-\tC\nT\t-\tD\nE_DOWN\t-\tF\n";
        let sigs = signatures(&read(gmt.as_bytes(), Path::new("s.gmt"))?);
        let names: Vec<_> = sigs.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["S", "T", "E_DOWN"]);
        assert_eq!(sigs[0].down.as_deref(), Some(&["C".to_owned()][..]));
        Ok(())
    }

    #[test]
    fn bad_lines_name_the_line() {
        let err = read("A\t-\tX\nB\n".as_bytes(), Path::new("s.gmt")).unwrap_err();
        assert!(err.to_string().starts_with("s.gmt:2: expected 2"), "{err}");
        let sets = read("EMPTY\t-\n".as_bytes(), Path::new("s.gmt"));
        assert!(sets.is_ok_and(|s| s[0].genes.is_empty()));
    }
}
