//! Per-sample gene-set scores: singscore, ssGSEA and mean z-score.
//!
//! - **singscore** (Foroutan et al. 2018, BMC Bioinformatics 19:404): genes are
//!   ranked within each sample (ties get the minimum rank, as
//!   `singscore::rankGenes`); the mean rank of the set's genes is scaled to
//!   [0, 1] by its theoretical bounds and centred by −0.5. An up/down signature
//!   adds the up score and one minus the (uncentred) down score, each centred.
//! - **ssGSEA** (Barbie et al. 2009, Nature 462:108) as `GSVA::gsva` computes
//!   it (α = 0.25, `ssgsea.norm = TRUE`): the sum over the whole ranking of the
//!   weighted running difference, divided by the range of all raw scores of
//!   all sets and samples of the run. For an up/down signature the score is up
//!   minus down.
//! - **mean z-score**: each gene is standardised across the samples of the
//!   run (sd with n − 1), and the set's z-scores are averaged; up/down
//!   signatures score up minus down. Genes constant across samples are left
//!   out of the mean.
//!
//! Genes of a set absent from the matrix are left out; [`resolve`] reports
//! how many were found.

mod rank;
mod singscore;
mod ssgsea;
mod zscore;

use rayon::prelude::*;

use crate::gmt::Signature;
use crate::table::Expression;

pub use rank::SampleRanks;
pub use singscore::singscore;
pub use ssgsea::ssgsea_raw;

/// A scoring method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// singscore (Foroutan 2018).
    Singscore,
    /// ssGSEA as GSVA computes it.
    Ssgsea,
    /// Mean z-score.
    Zscore,
}

impl Method {
    /// The method's name in output columns: `singscore`, `ssgsea`, `zscore`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Singscore => "singscore",
            Self::Ssgsea => "ssgsea",
            Self::Zscore => "zscore",
        }
    }
}

/// A signature whose genes were looked up in a matrix (row indices).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Signature name.
    pub name: String,
    /// Rows of the up genes found.
    pub up: Vec<usize>,
    /// Rows of the down genes found.
    pub down: Option<Vec<usize>>,
}

/// How many genes of a signature were found in the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    /// Signature name.
    pub name: String,
    /// Genes listed (up plus down).
    pub n_genes: usize,
    /// Genes found.
    pub n_found: usize,
    /// Symbols not found.
    pub missing: Vec<String>,
}

/// Looks up a signature's genes. Returns `None` with the coverage when no up
/// gene (or, for an up/down signature, no down gene) is in the matrix.
pub fn resolve(sig: &Signature, expr: &Expression) -> (Option<Resolved>, Coverage) {
    let index = expr.index();
    let mut missing = Vec::new();
    let mut find = |genes: &[String]| -> Vec<usize> {
        let mut rows = Vec::new();
        for g in genes {
            match index.get(g.as_str()) {
                Some(&r) if !rows.contains(&r) => rows.push(r),
                Some(_) => {}
                None => missing.push(g.clone()),
            }
        }
        rows
    };
    let up = find(&sig.up);
    let down = sig.down.as_deref().map(&mut find);
    let n_genes = sig.up.len() + sig.down.as_ref().map_or(0, Vec::len);
    let n_found = up.len() + down.as_ref().map_or(0, Vec::len);
    let coverage = Coverage {
        name: sig.name.clone(),
        n_genes,
        n_found,
        missing,
    };
    let usable = !up.is_empty() && down.as_ref().is_none_or(|d| !d.is_empty());
    let resolved = usable.then(|| Resolved {
        name: sig.name.clone(),
        up,
        down,
    });
    (resolved, coverage)
}

/// Scores of one method: `values[signature][sample]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// The method.
    pub method: Method,
    /// One row per signature, one value per sample.
    pub values: Vec<Vec<f64>>,
}

/// Scores every signature in every sample with each method. Samples are
/// ranked in parallel; the result does not depend on the thread count.
///
/// # Examples
///
/// ```
/// use senmet_stats::score::{score, Method, Resolved};
/// use senmet_stats::table::Expression;
/// let genes = ["A", "B", "C"].map(String::from).to_vec();
/// let e = Expression::from_values(genes, vec!["s".into()], vec![3.0, 1.0, 2.0])?;
/// let sig = Resolved { name: "top".into(), up: vec![0], down: None };
/// let s = score(&e, &[sig], &[Method::Singscore]);
/// assert_eq!(s[0].values[0][0], 0.5); // A has the highest rank
/// # Ok::<(), senmet_stats::Error>(())
/// ```
pub fn score(expr: &Expression, sigs: &[Resolved], methods: &[Method]) -> Vec<Scores> {
    let rank_based: Vec<Method> = methods
        .iter()
        .copied()
        .filter(|m| *m != Method::Zscore)
        .collect();
    let per_sample: Vec<Vec<Vec<f64>>> = if rank_based.is_empty() {
        Vec::new()
    } else {
        let n = expr.samples().len();
        let weights = ssgsea::weight_table(expr.genes().len(), ssgsea::ALPHA);
        let starts: Vec<usize> = (0..n).step_by(BLOCK).collect();
        starts
            .into_par_iter()
            .flat_map_iter(|s0| {
                let columns = gather(expr, s0..(s0 + BLOCK).min(n));
                columns
                    .into_iter()
                    .map(|column| {
                        let ranks = SampleRanks::new(&column);
                        rank_based
                            .iter()
                            .map(|m| score_sample(*m, &ranks, sigs, &weights))
                            .collect()
                    })
                    .collect::<Vec<Vec<Vec<f64>>>>()
            })
            .collect()
    };
    let mut out = Vec::new();
    for method in methods {
        let values = match rank_based.iter().position(|m| m == method) {
            Some(k) => transpose(&per_sample, k),
            None => zscore::zscores(expr, sigs),
        };
        let values = match method {
            Method::Ssgsea => ssgsea::normalise(values, sigs),
            _ => values,
        };
        out.push(Scores {
            method: *method,
            values,
        });
    }
    out
}

/// Samples whose columns are gathered together: one pass over the gene rows
/// reads contiguous runs of `BLOCK` values instead of one value per row.
const BLOCK: usize = 32;

/// The columns (one per sample of `samples`) of the matrix.
fn gather(expr: &Expression, samples: std::ops::Range<usize>) -> Vec<Vec<f64>> {
    let n_genes = expr.genes().len();
    let mut columns: Vec<Vec<f64>> = samples
        .clone()
        .map(|_| Vec::with_capacity(n_genes))
        .collect();
    for g in 0..n_genes {
        let row = &expr.row(g)[samples.clone()];
        for (column, v) in columns.iter_mut().zip(row) {
            column.push(*v);
        }
    }
    columns
}

/// One sample's scores of each signature; for ssGSEA the raw components
/// (up, then down when present) for later normalisation.
fn score_sample(
    method: Method,
    ranks: &SampleRanks,
    sigs: &[Resolved],
    weights: &[f64],
) -> Vec<f64> {
    let mut v = Vec::with_capacity(sigs.len() * 2);
    for sig in sigs {
        match method {
            Method::Singscore => v.push(singscore(ranks, &sig.up, sig.down.as_deref())),
            Method::Ssgsea => {
                v.push(ssgsea::ssgsea_table(ranks, &sig.up, weights));
                if let Some(down) = &sig.down {
                    v.push(ssgsea::ssgsea_table(ranks, down, weights));
                }
            }
            Method::Zscore => unreachable!("Cannot fail: z-scores are not rank based"),
        }
    }
    v
}

/// `per_sample[s][k][i]` to `[i][s]`.
fn transpose(per_sample: &[Vec<Vec<f64>>], k: usize) -> Vec<Vec<f64>> {
    let n_items = per_sample.first().map_or(0, |s| s[k].len());
    (0..n_items)
        .map(|i| per_sample.iter().map(|s| s[k][i]).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_reports_coverage() -> crate::Result<()> {
        let genes = ["A", "B"].map(String::from).to_vec();
        let e = Expression::from_values(genes, vec!["s".into()], vec![1.0, 2.0])?;
        let sig = Signature {
            name: "S".into(),
            up: ["A", "Z"].map(String::from).to_vec(),
            down: Some(vec!["Y".into()]),
        };
        let (r, c) = resolve(&sig, &e);
        assert!(r.is_none(), "no down gene found");
        assert_eq!((c.n_genes, c.n_found), (3, 1));
        assert_eq!(c.missing, ["Z", "Y"]);
        Ok(())
    }

    #[test]
    fn same_scores_on_one_thread_and_many() -> crate::Result<()> {
        let n_genes = 50;
        let genes: Vec<String> = (0..n_genes).map(|g| format!("G{g}")).collect();
        let samples: Vec<String> = (0..20).map(|s| format!("S{s}")).collect();
        let values = (0..n_genes * 20)
            .map(|i| ((i * 7919) % 101) as f64)
            .collect();
        let e = Expression::from_values(genes, samples, values)?;
        let sigs = [Resolved {
            name: "x".into(),
            up: vec![1, 5, 9],
            down: Some(vec![2, 3]),
        }];
        let all = [Method::Singscore, Method::Ssgsea, Method::Zscore];
        let many = score(&e, &sigs, &all);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build();
        let pool = pool.expect("a one-thread pool can be built");
        let one = pool.install(|| score(&e, &sigs, &all));
        assert_eq!(many, one);
        Ok(())
    }
}
