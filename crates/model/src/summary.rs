//! Per-arm summaries and between-arm comparisons.

use senmet_stats::rank::mann_whitney;

use crate::error::{ModelError, Result};
use crate::experiment::{Experiment, Outcome, Subject};
use crate::readout::Readout;

/// One row of `summary.tsv`.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// Cancer type.
    pub cancer_type: String,
    /// Arm.
    pub arm: String,
    /// Readout.
    pub readout: Readout,
    /// Subjects summarised (for `time_to_first_metastasis`: those with a metastasis).
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1).
    pub sd: f64,
    /// Median.
    pub median: f64,
    /// 5% quantile (linear interpolation, as R's type 7).
    pub q05: f64,
    /// 95% quantile.
    pub q95: f64,
}

/// One row of `comparisons.tsv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    /// Cancer type.
    pub cancer_type: String,
    /// First arm.
    pub arm_a: String,
    /// Reference arm.
    pub arm_b: String,
    /// Readout.
    pub readout: Readout,
    /// mean(a) / mean(b) (NaN when mean(b) is 0).
    pub fold_change: f64,
    /// Two-sided Mann–Whitney p (NaN when a side is empty).
    pub mann_whitney_p: f64,
    /// Cliff's delta: P(a > b) − P(a < b).
    pub cliffs_delta: f64,
}

/// Values of one readout for one arm of one cancer type.
pub fn values(out: &Outcome, c: usize, a: usize, r: Readout) -> Vec<f64> {
    out.subjects
        .iter()
        .filter(|s| s.cancer_type == c && s.arm == a)
        .filter_map(|s| value(s, r))
        .collect()
}

/// A subject's readout, or `None` for the time to first metastasis of a
/// subject without one (censored, so left out of summaries and tests).
pub fn value(s: &Subject, r: Readout) -> Option<f64> {
    (r != Readout::TimeToFirstMetastasis || s.metastasis).then(|| s.get(r))
}

/// Quantile with linear interpolation between order statistics (R type 7) of sorted data.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Summary rows for every cancer type, arm and readout.
pub fn summarize(exp: &Experiment, out: &Outcome) -> Vec<SummaryRow> {
    let mut rows = Vec::new();
    for (c, ct) in exp.cancer_types.iter().enumerate() {
        for (a, arm) in exp.arms.iter().enumerate() {
            for r in Readout::ALL {
                let mut v = values(out, c, a, r);
                v.sort_by(f64::total_cmp);
                let n = v.len();
                let mean = v.iter().sum::<f64>() / n as f64;
                let sd = if n > 1 {
                    (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
                } else {
                    f64::NAN
                };
                rows.push(SummaryRow {
                    cancer_type: ct.clone(),
                    arm: arm.name.clone(),
                    readout: r,
                    n,
                    mean,
                    sd,
                    median: quantile(&v, 0.5),
                    q05: quantile(&v, 0.05),
                    q95: quantile(&v, 0.95),
                });
            }
        }
    }
    rows
}

/// Cliff's delta of `a` against `b`.
pub fn cliffs_delta(a: &[f64], b: &[f64]) -> f64 {
    let mut d = 0i64;
    for x in a {
        for y in b {
            d += i64::from(x > y) - i64::from(x < y);
        }
    }
    d as f64 / (a.len() * b.len()) as f64
}

/// Comparison rows for every requested pair, cancer type and readout.
///
/// # Errors
///
/// A comparison naming an arm the experiment lacks.
pub fn compare(exp: &Experiment, out: &Outcome) -> Result<Vec<ComparisonRow>> {
    let index = |name: &str| {
        exp.arms
            .iter()
            .position(|a| a.name == name)
            .ok_or_else(|| ModelError::BadValue {
                name: format!("comparison arm `{name}`"),
                value: f64::NAN,
                expected: "the name of an arm of the experiment".into(),
            })
    };
    let mut rows = Vec::new();
    for (c, ct) in exp.cancer_types.iter().enumerate() {
        for (name_a, name_b) in &exp.comparisons {
            let (a, b) = (index(name_a)?, index(name_b)?);
            for r in Readout::ALL {
                let (va, vb) = (values(out, c, a, r), values(out, c, b, r));
                let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
                let (p, delta) = if va.is_empty() || vb.is_empty() {
                    (f64::NAN, f64::NAN)
                } else {
                    let t = mann_whitney(&va, &vb).map_err(|e| ModelError::Stats {
                        context: format!("{ct}: {name_a} vs {name_b}, {}", r.name()),
                        source: e,
                    })?;
                    (t.p, cliffs_delta(&va, &vb))
                };
                let mb = mean(&vb);
                rows.push(ComparisonRow {
                    cancer_type: ct.clone(),
                    arm_a: name_a.clone(),
                    arm_b: name_b.clone(),
                    readout: r,
                    fold_change: if mb == 0.0 || vb.is_empty() {
                        f64::NAN
                    } else {
                        mean(&va) / mb
                    },
                    mann_whitney_p: p,
                    cliffs_delta: delta,
                });
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_r_type_7() {
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile(&v, 0.5), 3.0);
        assert!((quantile(&v, 0.05) - 1.2).abs() < 1e-12);
        assert!((quantile(&v, 0.95) - 8.8).abs() < 1e-12);
        assert_eq!(cliffs_delta(&[3.0, 4.0], &[1.0, 3.0]), 0.75);
    }
}
