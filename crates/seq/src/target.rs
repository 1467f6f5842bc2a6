//! Whole-UTR target analysis: scan every miRNA's seed, score the sites, aggregate
//! per family, and write `sites.tsv` / `genes.tsv` rows.
//!
//! UTRs are processed in chunks in parallel (rayon); the output of a chunk is in
//! input order, and within a UTR sites are sorted by start, end, type and miRNA
//! (file order), so the output does not depend on the number of threads.

use std::collections::HashMap;
use std::io::{self, Write};

use rayon::prelude::*;

use crate::gene::{self, Hit, Summary};
use crate::mirna::Mirna;
use crate::site::{self, Scanner, SiteType};
use crate::{score, utr::Utr};

/// Header of `sites.tsv`.
pub const SITES_HEADER: &str = "utr_id\tgene\tmirna\tfamily\tsite_type\tstart\tend\tscore";
/// Header of `genes.tsv`.
pub const GENES_HEADER: &str = "gene\tfamily\tn_8mer\tn_7mer_m8\tn_7mer_a1\tn_6mer\tscore";

/// The miRNAs, their families and a scanner over their distinct seeds.
///
/// # Examples
///
/// ```
/// use senmet_seq::{mirna::Mirna, site, target::Analysis, utr::Utr};
///
/// let mirs = vec![Mirna::new("hsa-miR-30c-5p", b"UGUAAACAUCCUACACUCUCAGC")?];
/// let analysis = Analysis::new(mirs, &site::Builder::new())?;
/// let utr = Utr { id: "u1".into(), gene: "G".into(), species: None,
///                 sequence: b"AAAAAAAAAAAAAAAAAAAAGGTGTTTACAGGAAAAAAAAAAAAAAAA".to_vec() };
/// let result = analysis.utr(&utr);
/// assert_eq!(result.genes[0].n_8mer, 1);
/// let mut out = Vec::new();
/// analysis.write_genes(&mut out, &utr, &result)?;
/// assert!(String::from_utf8(out)?.starts_with("G\tGUAAACA\t1\t0\t0\t0\t-"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Analysis {
    mirnas: Vec<Mirna>,
    families: Vec<String>,
    family_of: Vec<usize>,
    seed_mirnas: Vec<Vec<usize>>,
    mirna_codes: Vec<Vec<u8>>,
    scanner: Scanner,
}

/// The sites and family rows of one UTR.
#[derive(Debug, Clone, Default)]
pub struct UtrTargets {
    /// Sites per miRNA, sorted by start, end, type and miRNA.
    pub sites: Vec<Hit>,
    /// One row per family with at least one scored site, by family order.
    pub genes: Vec<Summary>,
}

impl Analysis {
    /// Groups `mirnas` by seed and family and builds the scanner from `builder`.
    ///
    /// # Errors
    ///
    /// A [`site::Error`] if a seed is invalid (cannot happen for a valid [`Mirna`]).
    pub fn new(mirnas: Vec<Mirna>, builder: &site::Builder) -> Result<Self, site::Error> {
        let mut seeds: Vec<Vec<u8>> = Vec::new();
        let mut seed_index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut seed_mirnas: Vec<Vec<usize>> = Vec::new();
        let mut families: Vec<String> = Vec::new();
        let mut family_index: HashMap<String, usize> = HashMap::new();
        let mut family_of = Vec::with_capacity(mirnas.len());
        for (m, mirna) in mirnas.iter().enumerate() {
            let s = *seed_index.entry(mirna.seed().to_vec()).or_insert_with(|| {
                seeds.push(mirna.seed().to_vec());
                seed_mirnas.push(Vec::new());
                seeds.len() - 1
            });
            seed_mirnas[s].push(m);
            let f = *family_index
                .entry(mirna.family().to_owned())
                .or_insert_with(|| {
                    families.push(mirna.family().to_owned());
                    families.len() - 1
                });
            family_of.push(f);
        }
        let scanner = builder.build(&seeds)?;
        let mirna_codes = mirnas.iter().map(|m| score::encode(m.sequence())).collect();
        Ok(Self {
            mirna_codes,
            mirnas,
            families,
            family_of,
            seed_mirnas,
            scanner,
        })
    }

    /// The miRNAs, in input order.
    pub fn mirnas(&self) -> &[Mirna] {
        &self.mirnas
    }

    /// The family names, in order of first appearance among the miRNAs.
    pub fn families(&self) -> &[String] {
        &self.families
    }

    /// Scans, scores and aggregates one UTR.
    pub fn utr(&self, utr: &Utr) -> UtrTargets {
        let mut sites: Vec<site::Site> = self.scanner.sites(&utr.sequence).collect();
        sites.sort_unstable_by_key(|s| (s.seed, s.start, s.site_type));
        let scorer = score::UtrScorer::new(&utr.sequence);
        let mut hits = Vec::with_capacity(sites.len() * 2);
        for group in sites.chunk_by(|a, b| a.seed == b.seed) {
            let n_offset = group
                .iter()
                .filter(|s| {
                    matches!(
                        s.site_type,
                        SiteType::Eight | SiteType::SevenM8 | SiteType::OffsetSix
                    )
                })
                .count();
            for site in group {
                let terms = scorer.site(site, n_offset);
                for &m in &self.seed_mirnas[site.seed] {
                    let score = terms.map(|t| t.with_mirna(&scorer, &self.mirna_codes[m]).score());
                    hits.push(Hit {
                        mirna: m,
                        site: *site,
                        score,
                    });
                }
            }
        }
        hits.sort_unstable_by_key(|h| (h.site.start, h.site.end, h.site.site_type, h.mirna));
        let genes = gene::per_family(&hits, &self.family_of);
        UtrTargets { sites: hits, genes }
    }

    /// [`Analysis::utr`] over a chunk of UTRs in parallel; results in input order.
    pub fn chunk(&self, utrs: &[Utr]) -> Vec<UtrTargets> {
        utrs.par_iter().map(|u| self.utr(u)).collect()
    }

    /// Writes the `sites.tsv` rows of one UTR (see [`SITES_HEADER`]); score `NA` when unscored.
    ///
    /// # Errors
    ///
    /// The writer's error.
    pub fn write_sites(&self, w: &mut impl Write, utr: &Utr, t: &UtrTargets) -> io::Result<()> {
        let label = utr.label();
        for h in &t.sites {
            let m = &self.mirnas[h.mirna];
            write!(
                w,
                "{label}\t{}\t{}\t{}\t{}\t{}\t{}\t",
                utr.gene,
                m.id(),
                m.family(),
                h.site.site_type,
                h.site.start,
                h.site.end
            )?;
            match h.score {
                Some(s) => writeln!(w, "{s:.3}")?,
                None => writeln!(w, "NA")?,
            }
        }
        Ok(())
    }

    /// Writes the `genes.tsv` rows of one UTR (see [`GENES_HEADER`]).
    ///
    /// # Errors
    ///
    /// The writer's error.
    pub fn write_genes(&self, w: &mut impl Write, utr: &Utr, t: &UtrTargets) -> io::Result<()> {
        for g in &t.genes {
            writeln!(
                w,
                "{}\t{}\t{}\t{}\t{}\t{}\t{:.4}",
                utr.gene,
                self.families[g.family],
                g.n_8mer,
                g.n_7mer_m8,
                g.n_7mer_a1,
                g.n_6mer,
                g.score
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_mirnas_share_sites_and_keep_own_scores() -> Result<(), Box<dyn std::error::Error>>
    {
        let mirs = vec![
            Mirna::new("hsa-miR-25-3p", b"CAUUGCACUUGUCUCGGUCUGA")?.with_family("miR-25"),
            Mirna::new("hsa-miR-92a-3p", b"UAUUGCACUUGUCCCGGCCUGU")?.with_family("miR-25"),
        ];
        let a = Analysis::new(mirs, &site::Builder::new())?;
        let utr = Utr {
            id: "u".into(),
            gene: "G".into(),
            species: None,
            sequence: b"CCCCCCCCCCCCCCCCCCCCCCGTGCAATACCCCCCCCCCCCCCCCCCCCCC".to_vec(),
        };
        let t = a.utr(&utr);
        assert_eq!(t.sites.len(), 2);
        assert_eq!(t.sites[0].site.site_type, SiteType::Eight);
        assert_eq!(t.genes.len(), 1);
        let mut out = Vec::new();
        a.write_sites(&mut out, &utr, &t)?;
        let text = String::from_utf8(out)?;
        assert!(text.starts_with("u\tG\thsa-miR-25-3p\tmiR-25\t8mer\t23\t30\t-"));
        Ok(())
    }
}
