//! Gene-level aggregation of scored sites, per miRNA and per seed family.
//!
//! A miRNA's gene score is the sum of its site scores in the UTR (each capped at
//! 0), as TargetScan's "total context++ score". A family's score is the lowest
//! (most repressive) score among its miRNAs, and its site counts are the distinct
//! sites of its members, by type. Only the four scored types are counted.

use crate::site::{Site, SiteType};

/// A site of one miRNA with its score (`None` for types the model does not score).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Index of the miRNA.
    pub mirna: usize,
    /// The site.
    pub site: Site,
    /// The site score, see [`crate::score`].
    pub score: Option<f64>,
}

/// One gene (UTR) × family row.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Index of the family.
    pub family: usize,
    /// Number of 8mer sites.
    pub n_8mer: usize,
    /// Number of 7mer-m8 sites.
    pub n_7mer_m8: usize,
    /// Number of 7mer-A1 sites.
    pub n_7mer_a1: usize,
    /// Number of 6mer sites.
    pub n_6mer: usize,
    /// The family's gene score (≤ 0; lower is stronger repression).
    pub score: f64,
}

/// The per-miRNA gene scores of `hits`: `(miRNA index, score)`, by miRNA index,
/// for miRNAs with at least one scored site.
///
/// # Examples
///
/// ```
/// use senmet_core::Position;
/// use senmet_seq::gene::{per_mirna, Hit};
/// use senmet_seq::site::{Site, SiteType};
///
/// let site = Site { start: Position::from_index(20), end: Position::from_index(27),
///                   site_type: SiteType::Eight, seed: 0 };
/// let hits = [Hit { mirna: 1, site, score: Some(-0.3) }, Hit { mirna: 1, site, score: Some(-0.2) }];
/// assert_eq!(per_mirna(&hits), vec![(1, -0.5)]);
/// ```
pub fn per_mirna(hits: &[Hit]) -> Vec<(usize, f64)> {
    let mut scores: Vec<(usize, f64)> = hits
        .iter()
        .filter_map(|h| h.score.map(|s| (h.mirna, s)))
        .collect();
    scores.sort_by_key(|&(m, _)| m);
    let mut out: Vec<(usize, f64)> = Vec::new();
    for (m, s) in scores {
        match out.last_mut() {
            Some((last, total)) if *last == m => *total += s,
            _ => out.push((m, s)),
        }
    }
    out
}

/// The family rows of `hits`, by family index; `family_of[m]` is the family of miRNA `m`.
pub fn per_family(hits: &[Hit], family_of: &[usize]) -> Vec<Summary> {
    let mut sites: Vec<(usize, usize, SiteType)> = hits
        .iter()
        .filter(|h| h.site.site_type.is_scored())
        .map(|h| (family_of[h.mirna], h.site.start.get(), h.site.site_type))
        .collect();
    sites.sort_unstable();
    sites.dedup();
    let mut rows: Vec<Summary> = Vec::new();
    for (family, _, t) in sites {
        if rows.last().is_none_or(|r| r.family != family) {
            rows.push(Summary {
                family,
                n_8mer: 0,
                n_7mer_m8: 0,
                n_7mer_a1: 0,
                n_6mer: 0,
                score: 0.0,
            });
        }
        let row = rows.last_mut().expect("pushed above");
        match t {
            SiteType::Eight => row.n_8mer += 1,
            SiteType::SevenM8 => row.n_7mer_m8 += 1,
            SiteType::SevenA1 => row.n_7mer_a1 += 1,
            _ => row.n_6mer += 1,
        }
    }
    for (m, score) in per_mirna(hits) {
        if let Ok(i) = rows.binary_search_by_key(&family_of[m], |r| r.family) {
            rows[i].score = rows[i].score.min(score);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use senmet_core::Position;

    fn hit(mirna: usize, start: usize, t: SiteType, score: f64) -> Hit {
        Hit {
            mirna,
            site: Site {
                start: Position::from_index(start),
                end: Position::from_index(start + t.width() - 1),
                site_type: t,
                seed: 0,
            },
            score: t.is_scored().then_some(score),
        }
    }

    #[test]
    fn family_takes_distinct_sites_and_lowest_member_score() {
        // miRNAs 0 and 1 in family 0 share two sites; miRNA 2 is family 1.
        let hits = [
            hit(0, 10, SiteType::Eight, -0.4),
            hit(1, 10, SiteType::Eight, -0.5),
            hit(0, 40, SiteType::Six, -0.1),
            hit(1, 40, SiteType::Six, -0.05),
            hit(2, 70, SiteType::SevenA1, -0.2),
            hit(2, 90, SiteType::OffsetSix, 0.0),
        ];
        let rows = per_family(&hits, &[0, 0, 1]);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].n_8mer, rows[0].n_6mer), (1, 1));
        assert!((rows[0].score - -0.55).abs() < 1e-12);
        assert_eq!(
            (rows[1].family, rows[1].n_7mer_a1, rows[1].score),
            (1, 1, -0.2)
        );
    }
}
