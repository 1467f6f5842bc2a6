//! Target-set shift tests: do a family's target genes sit lower or higher in a
//! ranked gene list (e.g. genes ordered by their correlation with age)?
//!
//! For each family, the ranks of its targets are compared with the ranks of the
//! other listed genes by
//!
//! - the Wilcoxon rank-sum (Mann–Whitney U) test, normal approximation with
//!   continuity correction (as R's `wilcox.test(exact = FALSE, correct = TRUE)`;
//!   ranks are distinct, so no tie correction is needed), two-sided;
//! - the two-sample Kolmogorov–Smirnov test, two-sided, with the asymptotic p-value
//!   `Q_KS(√nₑ·D)`, `nₑ = n₁n₂/(n₁+n₂)` (Kolmogorov's limiting distribution, as R's
//!   `ks.test(exact = FALSE)` and SciPy's `kstwobign`).
//!
//! p-values are adjusted over families by Benjamini–Hochberg. Rank 1 is the
//! first gene of the list; `lower` means the targets' mean rank is below the others'.
//! The KS running sum (`+1/n_targets` at a target, `−1/n_others` otherwise) is kept
//! for plotting ([`report`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, BufRead};
use std::path::Path;

use senmet_core::Location;
use statrs::distribution::{ContinuousCDF, Normal};

pub mod report;

/// An error while reading a ranked list or a genes table.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading failed.
    #[error("{at}: cannot read")]
    Read {
        /// Where.
        at: Location,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// A missing column in the header.
    #[error("{at}: expected a header with column '{column}'")]
    MissingColumn {
        /// The header line.
        at: Location,
        /// The column.
        column: String,
    },
    /// A cell that should be a number.
    #[error("{at}: expected a number in column '{column}', found {found:?}")]
    NotANumber {
        /// Line and column.
        at: Location,
        /// The column name.
        column: String,
        /// The cell.
        found: String,
    },
    /// A gene listed twice in the ranked list.
    #[error("{at}: gene '{gene}' listed again (first at line {first})")]
    Duplicate {
        /// The second line.
        at: Location,
        /// The gene.
        gene: String,
        /// The first line.
        first: u64,
    },
}

/// A `Result` with this module's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The weakest site that makes a gene a target of a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MinSite {
    /// Any scored site (6mer or better).
    Six,
    /// A 7mer or 8mer.
    Seven,
    /// An 8mer.
    Eight,
}

/// One family's test results.
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    /// The family.
    pub family: String,
    /// Targets found in the ranked list.
    pub n_targets: usize,
    /// Genes in the ranked list.
    pub n_genes: usize,
    /// Mean target rank divided by the number of genes (0.5: no shift).
    pub mean_rank: f64,
    /// P(a target ranks after a non-target): `U / (n_targets · n_others)`.
    pub auc: f64,
    /// Rank-sum two-sided p.
    pub ranksum_p: f64,
    /// Rank-sum BH-adjusted p (set by [`test_all`]).
    pub ranksum_q: f64,
    /// KS statistic D.
    pub ks_d: f64,
    /// KS two-sided p.
    pub ks_p: f64,
    /// KS BH-adjusted p (set by [`test_all`]).
    pub ks_q: f64,
    /// The KS running sum after each rank.
    pub running: Vec<f64>,
    /// 0-based ranks of the targets.
    pub hits: Vec<usize>,
}

impl Shift {
    /// `lower` if the targets' mean rank is below the others', else `higher`.
    pub fn direction(&self) -> &'static str {
        if self.auc < 0.5 {
            "lower"
        } else {
            "higher"
        }
    }
}

/// Tests one target set against a ranked list; `None` unless both targets and
/// non-targets are present.
///
/// # Examples
///
/// ```
/// use std::collections::HashSet;
/// use senmet_seq::shift::test;
///
/// let ranked: Vec<String> = (0..20).map(|i| format!("g{i}")).collect();
/// let targets: HashSet<String> = ["g0", "g1", "g2", "g4"].iter().map(|s| s.to_string()).collect();
/// let s = test("miR-x", &ranked, &targets).expect("both groups present");
/// assert_eq!(s.direction(), "lower");
/// assert!(s.ranksum_p < 0.05);
/// ```
pub fn test(family: &str, ranked: &[String], targets: &HashSet<String>) -> Option<Shift> {
    let hits: Vec<usize> = (0..ranked.len())
        .filter(|&i| targets.contains(&ranked[i]))
        .collect();
    let n = ranked.len();
    let (n1, n2) = (hits.len() as f64, (n - hits.len()) as f64);
    if hits.is_empty() || hits.len() == n {
        return None;
    }
    let rank_sum: f64 = hits.iter().map(|&i| (i + 1) as f64).sum();
    let u = rank_sum - n1 * (n1 + 1.0) / 2.0;
    let mean = n1 * n2 / 2.0;
    let sd = (n1 * n2 * (n as f64 + 1.0) / 12.0).sqrt();
    let z = ((u - mean).abs() - 0.5).max(0.0) / sd;
    let normal = Normal::standard();
    let ranksum_p = (2.0 * normal.sf(z)).min(1.0);
    let (running, ks_d) = running_sum(n, &hits);
    let ne = n1 * n2 / (n1 + n2);
    let lambda = ne.sqrt() * ks_d;
    Some(Shift {
        family: family.to_owned(),
        n_targets: hits.len(),
        n_genes: n,
        mean_rank: rank_sum / n1 / n as f64,
        auc: u / (n1 * n2),
        ranksum_p,
        ranksum_q: ranksum_p,
        ks_d,
        ks_p: kolmogorov_q(lambda),
        ks_q: 1.0,
        running,
        hits,
    })
}

fn running_sum(n: usize, hits: &[usize]) -> (Vec<f64>, f64) {
    let (up, down) = (1.0 / hits.len() as f64, 1.0 / (n - hits.len()) as f64);
    let mut running = Vec::with_capacity(n);
    let (mut sum, mut d, mut next) = (0.0f64, 0.0f64, 0);
    for i in 0..n {
        if hits.get(next) == Some(&i) {
            sum += up;
            next += 1;
        } else {
            sum -= down;
        }
        d = d.max(sum.abs());
        running.push(sum);
    }
    (running, d)
}

/// `Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²)`, clamped to [0, 1].
pub fn kolmogorov_q(lambda: f64) -> f64 {
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    for k in 1..=100 {
        let k = f64::from(k);
        let term = (-2.0 * k * k * lambda * lambda).exp();
        sum += if k as i64 % 2 == 1 { term } else { -term };
        if term < 1e-12 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// Benjamini–Hochberg adjusted p-values, in the input order.
///
/// # Examples
///
/// ```
/// let q = senmet_seq::shift::bh(&[0.01, 0.04, 0.03]);
/// assert_eq!(q, vec![0.03, 0.04, 0.04]);
/// ```
pub fn bh(p: &[f64]) -> Vec<f64> {
    let m = p.len() as f64;
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let mut q = vec![0.0; p.len()];
    let mut running = 1.0f64;
    for (k, &i) in order.iter().enumerate() {
        let rank = m - k as f64;
        running = running.min(p[i] * m / rank);
        q[i] = running.min(1.0);
    }
    q
}

/// Tests every family of `targets` against `ranked`, adjusts p-values, and orders
/// the results by rank-sum p then family name.
pub fn test_all(ranked: &[String], targets: &BTreeMap<String, HashSet<String>>) -> Vec<Shift> {
    let mut out: Vec<Shift> = targets
        .iter()
        .filter_map(|(family, genes)| test(family, ranked, genes))
        .collect();
    let rq = bh(&out.iter().map(|s| s.ranksum_p).collect::<Vec<_>>());
    let kq = bh(&out.iter().map(|s| s.ks_p).collect::<Vec<_>>());
    for ((s, r), k) in out.iter_mut().zip(rq).zip(kq) {
        s.ranksum_q = r;
        s.ks_q = k;
    }
    out.sort_by(|a, b| {
        a.ranksum_p
            .total_cmp(&b.ranksum_p)
            .then_with(|| a.family.cmp(&b.family))
    });
    out
}

/// Reads a ranked gene list: a TSV with a header, genes in the first column.
/// With `by`, genes are ordered by that numeric column, ascending (stable); else by line.
///
/// # Errors
///
/// Unreadable input, a missing `by` column, a non-numeric cell, or a gene listed twice.
pub fn read_ranked(reader: impl BufRead, path: &Path, by: Option<&str>) -> Result<Vec<String>> {
    let mut rows: Vec<(f64, String)> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut col = None;
    for (i, line) in reader.lines().enumerate() {
        let at = Location::new(path).with_line(i as u64 + 1);
        let line = line.map_err(|source| Error::Read {
            at: at.clone(),
            source,
        })?;
        let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        if i == 0 {
            col = by.map(|name| find(&fields, name, &at)).transpose()?;
            continue;
        }
        let gene = fields[0].trim();
        if gene.is_empty() {
            continue;
        }
        let value = match col {
            Some(c) => number(&fields, c, by.unwrap_or_default(), &at)?,
            None => rows.len() as f64,
        };
        if let Some(&first) = seen.get(gene) {
            return Err(Error::Duplicate {
                at,
                gene: gene.to_owned(),
                first,
            });
        }
        seen.insert(gene.to_owned(), i as u64 + 1);
        rows.push((value, gene.to_owned()));
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(rows.into_iter().map(|(_, g)| g).collect())
}

/// Reads `genes.tsv` (from `senmet targets`) into family → target genes.
///
/// # Errors
///
/// Unreadable input, a missing column, or a non-numeric count.
pub fn read_targets(
    reader: impl BufRead,
    path: &Path,
    min_site: MinSite,
) -> Result<BTreeMap<String, HashSet<String>>> {
    let mut out: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    let mut cols = [0usize; 5];
    let names = ["family", "n_8mer", "n_7mer_m8", "n_7mer_a1", "n_6mer"];
    for (i, line) in reader.lines().enumerate() {
        let at = Location::new(path).with_line(i as u64 + 1);
        let line = line.map_err(|source| Error::Read {
            at: at.clone(),
            source,
        })?;
        let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        if i == 0 {
            find(&fields, "gene", &at)?;
            for (c, name) in cols.iter_mut().zip(names) {
                *c = find(&fields, name, &at)?;
            }
            continue;
        }
        let mut n = [0.0; 4];
        for (k, v) in n.iter_mut().enumerate() {
            *v = number(&fields, cols[k + 1], names[k + 1], &at)?;
        }
        let hit = match min_site {
            MinSite::Six => n.iter().sum::<f64>() > 0.0,
            MinSite::Seven => n[0] + n[1] + n[2] > 0.0,
            MinSite::Eight => n[0] > 0.0,
        };
        if hit {
            let family = fields.get(cols[0]).copied().unwrap_or_default();
            out.entry(family.to_owned())
                .or_default()
                .insert(fields[0].to_owned());
        }
    }
    Ok(out)
}

fn find(fields: &[&str], name: &str, at: &Location) -> Result<usize> {
    fields
        .iter()
        .position(|f| f.trim() == name)
        .ok_or_else(|| Error::MissingColumn {
            at: at.clone(),
            column: name.to_owned(),
        })
}

fn number(fields: &[&str], c: usize, name: &str, at: &Location) -> Result<f64> {
    let cell = fields.get(c).copied().unwrap_or_default().trim();
    cell.parse::<f64>()
        .ok()
        .filter(|v| !v.is_nan())
        .ok_or_else(|| Error::NotANumber {
            at: at.clone().with_column(c as u64 + 1),
            column: name.to_owned(),
            found: cell.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(n: usize, hits: &[usize]) -> Option<Shift> {
        let ranked: Vec<String> = (0..n).map(|i| format!("g{i}")).collect();
        let targets = hits.iter().map(|&i| format!("g{i}")).collect();
        test("f", &ranked, &targets)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1e-300) + 1e-12
    }

    /// Reference values: SciPy 1.17.1 `mannwhitneyu(method="asymptotic",
    /// use_continuity=True)`, `ks_2samp(...).statistic` and `kstwobign.sf(√nₑ·D)`
    /// (script in `bench/targets/shift_reference.py`).
    #[test]
    fn matches_scipy() -> std::result::Result<(), &'static str> {
        let s = case(30, &[0, 2, 3, 7, 11, 19]).ok_or("two groups")?;
        assert!(close(s.auc, 0.1875));
        assert!(close(s.ranksum_p, 0.021042696827454573), "{}", s.ranksum_p);
        assert!(close(s.ks_d, 0.5416666666666666));
        assert!(close(s.ks_p, 0.11958433680171864), "{}", s.ks_p);
        assert_eq!(s.direction(), "lower");
        let hits: Vec<usize> = (150..200).step_by(3).chain([5, 9]).collect();
        let s = case(200, &hits).ok_or("two groups")?;
        assert!(close(s.auc, 0.8144809537656296));
        assert!(close(s.ranksum_p, 6.667377360463533e-06), "{}", s.ranksum_p);
        assert!(close(s.ks_d, 0.7124164001163129));
        assert!(close(s.ks_p, 5.257344869593324e-08), "{}", s.ks_p);
        assert_eq!(s.direction(), "higher");
        Ok(())
    }

    #[test]
    fn bh_matches_scipy_false_discovery_control() {
        let q = bh(&[0.01, 0.04, 0.03, 0.2, 0.005]);
        for (a, b) in q.iter().zip([0.025, 0.05, 0.05, 0.2, 0.025]) {
            assert!(close(*a, b), "{q:?}");
        }
    }

    #[test]
    fn degenerate_sets_are_not_tested() {
        assert!(case(5, &[]).is_none());
        assert!(case(3, &[0, 1, 2]).is_none());
    }

    #[test]
    fn readers_name_line_and_column() -> Result<()> {
        let ranked = read_ranked(&b"gene\tr\nB\t2\nA\t1\n"[..], Path::new("r.tsv"), Some("r"))?;
        assert_eq!(ranked, ["A", "B"]);
        let err = read_ranked(&b"gene\tr\nB\tx\n"[..], Path::new("r.tsv"), Some("r")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "r.tsv:2:2: expected a number in column 'r', found \"x\""
        );
        let err = read_ranked(&b"gene\nB\nB\n"[..], Path::new("r.tsv"), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "r.tsv:3: gene 'B' listed again (first at line 2)"
        );
        let genes = b"gene\tfamily\tn_8mer\tn_7mer_m8\tn_7mer_a1\tn_6mer\tscore\nP\tm\t0\t0\t0\t2\t-0.1\nQ\tm\t1\t0\t0\t0\t-0.3\n";
        let t = read_targets(&genes[..], Path::new("g.tsv"), MinSite::Seven)?;
        assert_eq!(t["m"].len(), 1);
        let err =
            read_targets(&b"gene\tfamily\n"[..], Path::new("g.tsv"), MinSite::Six).unwrap_err();
        assert_eq!(
            err.to_string(),
            "g.tsv:1: expected a header with column 'n_8mer'"
        );
        Ok(())
    }
}
