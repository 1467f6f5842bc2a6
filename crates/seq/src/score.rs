//! A site score in the spirit of TargetScan's context++ model.
//!
//! Agarwal, Bell, Nam & Bartel, "Predicting effective microRNA target sites in
//! mammalian mRNAs", *eLife* 2015;4:e05005, fit one multiple linear regression per
//! site type (8mer, 7mer-m8, 7mer-A1, 6mer). A site's score is the sum of
//! `coefficient × scaled feature` over features, where continuous features are
//! min–max scaled, `(x − min) / (max − min)`, and nucleotide-identity features
//! are 0/1. The coefficients, minima and maxima below are those of
//! `Agarwal_2015_parameters.txt`, distributed with the TargetScan 7 context++
//! scripts (`targetscan_70_context_scores.pl`); we transcribed them from a copy of
//! that table, and the site-type and local-AU terms reproduce TargetScan 7.0's own
//! sample output (test `context_terms_match_targetscan` in `tests/golden.rs`).
//!
//! Features computed here, from the UTR and miRNA sequences alone:
//!
//! | feature | definition |
//! |---|---|
//! | site type | the model's intercept |
//! | local AU | weighted A/U fraction of 30 nt either side of the site (TargetScan's position weights) |
//! | sRNA1, sRNA8 | miRNA nt 1 and nt 8 identity (A, C or G; U is the baseline) |
//! | site8 | for 7mer-A1, the UTR base opposite miRNA nt 8 (A, C or G); for 6mer, the base 3 nt upstream of the site, as `targetscan_70_context_scores.pl` reads it |
//! | 3' pairing | best run of consecutive Watson–Crick pairs between miRNA nt 9–21 and the UTR upstream of the site, allowing an offset of up to 4 nt on either strand; 1.0 per pair to nt 13–16, 0.5 otherwise, minus `max(0, (offset − 2) / 2)` (Grimson et al., *Mol Cell* 2007); scaled with min 1, max 3.5 |
//! | min distance | `log10` of the distance to the nearer UTR end (single isoform) |
//! | UTR length | `log10` of the UTR length (single isoform) |
//! | offset 6mers | number of offset-6mer matches of the seed in the UTR (unscaled) |
//!
//! Not computed, and so contributing 0: structural accessibility (SA, needs
//! RNAplfold), the transcriptome-wide TA and seed-pairing stability (SPS) tables,
//! ORF length and ORF 8mers (need ORFs), PCT (needs multi-species alignments),
//! and the 3'UTR-isoform (AIR) weighting of UTR length and distance. As in
//! TargetScan, a site's score is capped at 0 (a site never raises expression),
//! and only the four scored types get one; offset-6mer and non-canonical sites score 0.

use crate::site::{code, Site, SiteType};

/// One feature's coefficient and scaling range per site type (8mer, 7mer-m8, 7mer-A1, 6mer).
struct Feature {
    coef: [f64; 4],
    min: [f64; 4],
    max: [f64; 4],
}

const INTERCEPT: [f64; 4] = [-0.589, -0.224, -0.195, -0.079];
const LOCAL_AU: Feature = Feature {
    coef: [-0.254, -0.177, -0.075, -0.040],
    min: [0.308, 0.277, 0.342, 0.295],
    max: [0.814, 0.782, 0.801, 0.772],
};
const THREE_PRIME: Feature = Feature {
    coef: [-0.040, -0.055, -0.060, -0.024],
    min: [1.0; 4],
    max: [3.5; 4],
};
const MIN_DIST: Feature = Feature {
    coef: [0.118, 0.056, 0.045, 0.036],
    min: [1.415, 1.491, 1.431, 1.477],
    max: [3.113, 3.096, 3.117, 3.106],
};
const UTR_LENGTH: Feature = Feature {
    coef: [0.310, 0.154, 0.129, 0.045],
    min: [2.392, 2.409, 2.413, 2.405],
    max: [3.637, 3.615, 3.630, 3.620],
};
const OFFSET_6MER: [f64; 4] = [-0.020, -0.011, -0.020, -0.010];
/// miRNA nt 1 = A, C, G.
const SRNA1: [[f64; 4]; 3] = [
    [-0.018, 0.010, -0.025, -0.002],
    [-0.021, 0.014, -0.021, 0.004],
    [0.060, 0.062, 0.030, 0.018],
];
/// miRNA nt 8 = A, C, G.
const SRNA8: [[f64; 4]; 3] = [
    [0.022, 0.004, -0.049, -0.015],
    [0.012, -0.031, 0.033, 0.016],
    [0.015, -0.008, -0.017, 0.006],
];
/// UTR base opposite miRNA nt 8 = A, C, G (7mer-A1 and 6mer only).
const SITE8: [[f64; 4]; 3] = [
    [0.0, 0.0, 0.000, -0.002],
    [0.0, 0.0, 0.036, 0.015],
    [0.0, 0.0, 0.015, 0.012],
];

impl Feature {
    fn contribution(&self, t: usize, x: f64) -> f64 {
        self.coef[t] * (x - self.min[t]) / (self.max[t] - self.min[t])
    }
}

/// The contribution of each feature to one site's score.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Contributions {
    /// Site-type intercept.
    pub site_type: f64,
    /// Local AU content.
    pub local_au: f64,
    /// miRNA nt 1 identity.
    pub srna1: f64,
    /// miRNA nt 8 identity.
    pub srna8: f64,
    /// UTR base opposite nt 8.
    pub site8: f64,
    /// 3' supplementary pairing.
    pub three_prime: f64,
    /// Distance to the nearer UTR end.
    pub min_dist: f64,
    /// UTR length.
    pub utr_length: f64,
    /// Offset 6mers in the UTR.
    pub offset_6mer: f64,
}

impl Contributions {
    /// The sum of the contributions.
    pub fn total(&self) -> f64 {
        self.site_type
            + self.local_au
            + self.srna1
            + self.srna8
            + self.site8
            + self.three_prime
            + self.min_dist
            + self.utr_length
            + self.offset_6mer
    }

    /// The site score: the total, capped at 0.
    pub fn score(&self) -> f64 {
        self.total().min(0.0)
    }
}

/// The contributions for `site` of `mirna` (RNA or DNA letters) in `utr`, with
/// `n_offset_6mer` offset-6mer matches of its seed in the UTR; `None` for
/// types the model does not score. For many sites, use [`UtrScorer`].
///
/// # Panics
///
/// If `site` does not lie within `utr` (sites from a [`crate::site::Scanner`] over
/// `utr` always do).
///
/// # Examples
///
/// ```
/// use senmet_seq::{score, site};
///
/// let utr = b"AAAAAAAAAAAAAAAAAAAAGGTGTTTACAGGAAAAAAAAAAAAAAAAAAAA";
/// let mir30c = b"UGUAAACAUCCUACACUCUCAGC";
/// let scanner = site::Builder::new().build(&[&mir30c[1..8]])?;
/// let s = scanner.sites(utr).next().expect("one 8mer");
/// let c = score::contributions(utr, &s, mir30c, 1).expect("8mers are scored");
/// assert!(c.score() < 0.0);
/// assert_eq!(c.site_type, -0.589);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn contributions(
    utr: &[u8],
    site: &Site,
    mirna: &[u8],
    n_offset_6mer: usize,
) -> Option<Contributions> {
    let scorer = UtrScorer::new(utr);
    let terms = scorer.site(site, n_offset_6mer)?;
    Some(terms.with_mirna(&scorer, &encode(mirna)))
}

/// 2-bit codes of a sequence (A 0, C 1, G 2, U/T 3, anything else 4).
pub fn encode(seq: &[u8]) -> Vec<u8> {
    seq.iter().map(|&b| code(b)).collect()
}

/// Scores the sites of one UTR, encoding it once.
#[derive(Debug, Clone)]
pub struct UtrScorer {
    codes: Vec<u8>,
}

/// The terms of one site that do not depend on the miRNA; see [`UtrScorer::site`].
#[derive(Debug, Clone, Copy)]
pub struct SiteTerms {
    t: usize,
    p8: isize,
    base: Contributions,
}

impl UtrScorer {
    /// A scorer for `utr` (RNA or DNA letters, any case).
    pub fn new(utr: &[u8]) -> Self {
        Self { codes: encode(utr) }
    }

    /// The miRNA-independent terms of `site`; `None` for types the model does not score.
    ///
    /// # Panics
    ///
    /// If `site` does not lie within the UTR.
    pub fn site(&self, site: &Site, n_offset_6mer: usize) -> Option<SiteTerms> {
        let t = type_index(site.site_type)?;
        let (start, end) = (site.start.index(), site.end.index());
        let len = self.codes.len();
        let dist = start.min(len - 1 - end);
        let log_dist = if dist == 0 {
            0.0
        } else {
            (dist as f64).log10()
        };
        // TargetScan 7.0 reads the base 1 nt upstream of a 7mer-A1 (opposite nt 8)
        // but 3 nt upstream of a 6mer; we keep its choice (it matches its output on all
        // 192 sample 6mers, test `context_terms_match_targetscan`).
        let site8_at = match site.site_type {
            SiteType::SevenA1 => start.checked_sub(1),
            SiteType::Six => start.checked_sub(3),
            _ => None,
        };
        let opposite8 = site8_at.map_or(4, |i| self.codes[i]);
        // 0-based UTR index opposite miRNA nt 8 (one before a 7mer-A1 or 6mer).
        let p8 = match site.site_type {
            SiteType::SevenA1 | SiteType::Six => start as isize - 1,
            _ => start as isize,
        };
        let base = Contributions {
            site_type: INTERCEPT[t],
            local_au: LOCAL_AU.contribution(t, local_au(&self.codes, start, end, site.site_type)),
            site8: SITE8.get(usize::from(opposite8)).map_or(0.0, |c| c[t]),
            min_dist: MIN_DIST.contribution(t, log_dist),
            utr_length: UTR_LENGTH.contribution(t, (len as f64).log10()),
            offset_6mer: OFFSET_6MER[t] * n_offset_6mer as f64,
            ..Contributions::default()
        };
        Some(SiteTerms { t, p8, base })
    }
}

impl SiteTerms {
    /// All contributions, for a miRNA given as [`encode`]d codes.
    pub fn with_mirna(&self, scorer: &UtrScorer, mirna: &[u8]) -> Contributions {
        let t = self.t;
        let nt = |i: usize| usize::from(mirna.get(i).copied().unwrap_or(4));
        let raw = three_prime(&scorer.codes, self.p8, mirna);
        Contributions {
            srna1: SRNA1.get(nt(0)).map_or(0.0, |c| c[t]),
            srna8: SRNA8.get(nt(7)).map_or(0.0, |c| c[t]),
            three_prime: THREE_PRIME.contribution(t, raw),
            ..self.base
        }
    }
}

fn type_index(t: SiteType) -> Option<usize> {
    match t {
        SiteType::Eight => Some(0),
        SiteType::SevenM8 => Some(1),
        SiteType::SevenA1 => Some(2),
        SiteType::Six => Some(3),
        SiteType::OffsetSix | SiteType::SixA1 => None,
    }
}

/// TargetScan's local AU of a site at 0-based `start..=end` of an [`encode`]d UTR:
/// 30 nt either side, weight `1/d` by distance `d` from the seed match (a missing
/// nt-8 or nt-1 match counts as one position of distance).
pub fn local_au(utr: &[u8], start: usize, end: usize, t: SiteType) -> f64 {
    let up_skip = if matches!(t, SiteType::Eight | SiteType::SevenM8) {
        1.0
    } else {
        2.0
    };
    let down_skip = if matches!(t, SiteType::Eight | SiteType::SevenA1) {
        2.0
    } else {
        1.0
    };
    let (mut num, mut den) = (0.0, 0.0);
    let mut add = |c: u8, w: f64| {
        den += w;
        if c == 0 || c == 3 {
            num += w;
        }
    };
    for (i, &b) in utr[start.saturating_sub(30)..start]
        .iter()
        .rev()
        .enumerate()
    {
        add(b, 1.0 / (i as f64 + up_skip));
    }
    let down = &utr[(end + 1).min(utr.len())..(end + 31).min(utr.len())];
    for (i, &b) in down.iter().enumerate() {
        add(b, 1.0 / (i as f64 + down_skip));
    }
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

/// The raw 3' supplementary pairing score (see the module docs) of a site whose
/// nt-8 position is the 0-based `p8`, for an [`encode`]d UTR and miRNA.
pub fn three_prime(utr: &[u8], p8: isize, mirna: &[u8]) -> f64 {
    let last = mirna.len().min(21);
    let mut best = 0.0f64;
    for offset in -4isize..=4 {
        let penalty = ((offset.abs() - 2).max(0) as f64) / 2.0;
        let (mut run, mut run_score) = (0usize, 0.0f64);
        for k in 9..=last {
            let u = p8 - (k as isize - 8) - offset;
            if u < 0 {
                break;
            }
            // Codes 0..=3 pair when they sum to 3 (A-U, C-G); a 4 (N) never does.
            if u < p8 && mirna[k - 1] + utr[u as usize] == 3 {
                run += 1;
                run_score += if (13..=16).contains(&k) { 1.0 } else { 0.5 };
                if run >= 2 {
                    best = best.max(run_score - penalty);
                }
            } else {
                run = 0;
                run_score = 0.0;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use senmet_core::Position;

    fn site(t: SiteType, start: usize) -> Site {
        Site {
            start: Position::from_index(start),
            end: Position::from_index(start + t.width() - 1),
            site_type: t,
            seed: 0,
        }
    }

    #[test]
    fn local_au_is_weighted_fraction() {
        // All A around the site: fraction 1.
        let utr = b"AAAAAGGGGGGGGAAAAA";
        assert_eq!(local_au(&encode(utr), 5, 12, SiteType::Eight), 1.0);
        let utr = b"CCCCCGGGGGGGGAAAAA";
        let f = local_au(&encode(utr), 5, 12, SiteType::Eight);
        let (up, down): (f64, f64) = (
            (1..=5).map(|d| 1.0 / d as f64).sum(),
            (2..=6).map(|d| 1.0 / d as f64).sum(),
        );
        assert!((f - down / (up + down)).abs() < 1e-12);
    }

    #[test]
    fn three_prime_pairing_counts_central_pairs_double() {
        // miR-30c: nt 13-16 = ACUC; UTR upstream of an 8mer pairing nt 13-16 at offset 0.
        let mir = b"UGUAAACAUCCUACACUCUCAGC";
        // nt 9..16 = UCCUACAC -> complement read 3'->5' on UTR: positions p8-1 .. p8-8.
        let mut utr = b"CCCCCCCCCCCCCCCCCCCC".to_vec();
        let pairing = b"GTGT"; // pairs nt 16, 15, 14, 13 (C, A, C, A), UTR read 5'->3'
        let p8 = utr.len();
        utr.extend_from_slice(b"TGTTTACA");
        // nt k pairs UTR index p8-(k-8): nt 16 -> p8-8, nt 13 -> p8-5.
        utr[p8 - 8..p8 - 4].copy_from_slice(pairing);
        let s = three_prime(&encode(&utr), p8 as isize, &encode(mir));
        assert_eq!(s, 4.0);
    }

    #[test]
    fn non_scored_types_have_no_score() {
        let utr = b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert!(contributions(utr, &site(SiteType::OffsetSix, 10), b"UGUAAACAUCC", 0).is_none());
        let c = contributions(utr, &site(SiteType::Six, 10), b"UGUAAACAUCC", 0);
        assert!(c.is_some_and(|c| c.score() <= 0.0));
    }
}
