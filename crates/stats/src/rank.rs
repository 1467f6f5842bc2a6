//! Rank statistics: Spearman correlation and the Mann–Whitney U test, as
//! `scipy.stats.spearmanr` and `scipy.stats.mannwhitneyu` compute them.

use crate::dist::{normal_sf, t_two_sided};
use crate::{Error, Result};

/// Average ranks (1-based; ties get the mean of their ranks), as
/// `scipy.stats.rankdata(method="average")`.
///
/// # Examples
///
/// ```
/// assert_eq!(senmet_stats::rank::average_ranks(&[3.0, 1.0, 3.0]), [2.5, 1.0, 2.5]);
/// ```
pub fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut ranks = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && x[order[j]] == x[order[i]] {
            j += 1;
        }
        let avg = (i + j + 1) as f64 / 2.0;
        for &k in &order[i..j] {
            ranks[k] = avg;
        }
        i = j;
    }
    ranks
}

/// A correlation coefficient with its two-sided p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correlation {
    /// The coefficient.
    pub rho: f64,
    /// Two-sided p-value (t approximation with n − 2 df, as scipy).
    pub p: f64,
    /// Pairs used.
    pub n: usize,
}

/// Spearman's rank correlation.
///
/// # Errors
///
/// Different lengths, fewer than 3 pairs, or a constant input.
///
/// # Examples
///
/// ```
/// let c = senmet_stats::rank::spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0])?;
/// assert!((c.rho - 0.8).abs() < 1e-12);
/// # Ok::<(), senmet_stats::Error>(())
/// ```
pub fn spearman(x: &[f64], y: &[f64]) -> Result<Correlation> {
    if x.len() != y.len() {
        return Err(Error::LengthMismatch {
            left: x.len(),
            right: y.len(),
        });
    }
    let n = x.len();
    if n < 3 {
        return Err(Error::TooFew {
            needed: 3,
            found: n,
        });
    }
    let rho = pearson(&average_ranks(x), &average_ranks(y))?;
    let df = n as f64 - 2.0;
    let t = rho * (df / ((rho + 1.0) * (1.0 - rho))).max(0.0).sqrt();
    let p = if rho.abs() >= 1.0 {
        0.0
    } else {
        t_two_sided(t, df)
    };
    Ok(Correlation { rho, p, n })
}

fn pearson(x: &[f64], y: &[f64]) -> Result<f64> {
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx == 0.0 || syy == 0.0 {
        return Err(Error::Constant {
            what: "an input of the correlation",
        });
    }
    Ok((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

/// The Mann–Whitney U test of `x` against `y`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U of the first sample: `R_x − n_x(n_x + 1)/2`.
    pub u: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// True when the exact null distribution was used.
    pub exact: bool,
}

/// Two-sided Mann–Whitney U, as `scipy.stats.mannwhitneyu(x, y)` with its
/// defaults: exact when there are no ties and at least one sample has at
/// most 8 values, otherwise the normal approximation with tie correction and
/// continuity correction.
///
/// # Errors
///
/// An empty sample.
///
/// # Examples
///
/// ```
/// let t = senmet_stats::rank::mann_whitney(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0])?;
/// assert_eq!(t.u, 0.0);
/// assert!((t.p - 0.1).abs() < 1e-12);
/// # Ok::<(), senmet_stats::Error>(())
/// ```
pub fn mann_whitney(x: &[f64], y: &[f64]) -> Result<MannWhitney> {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return Err(Error::TooFew {
            needed: 1,
            found: 0,
        });
    }
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    let ranks = average_ranks(&all);
    let r1: f64 = ranks[..n1].iter().sum();
    let u1 = r1 - (n1 * (n1 + 1)) as f64 / 2.0;
    let u2 = (n1 * n2) as f64 - u1;
    let big_u = u1.max(u2);
    let tie_term = tie_sum(&ranks);
    let exact = !(n1 > 8 && n2 > 8) && tie_term == 0.0;
    let p = if exact {
        2.0 * exact_sf(big_u as usize, n1, n2)
    } else {
        let n = (n1 + n2) as f64;
        let mu = (n1 * n2) as f64 / 2.0;
        let var = (n1 * n2) as f64 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
        2.0 * normal_sf((big_u - mu - 0.5) / var.sqrt())
    };
    Ok(MannWhitney {
        u: u1,
        p: p.clamp(0.0, 1.0),
        exact,
    })
}

/// `Σ (t³ − t)` over groups of tied ranks.
fn tie_sum(ranks: &[f64]) -> f64 {
    let mut sorted = ranks.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut sum = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j] == sorted[i] {
            j += 1;
        }
        let t = (j - i) as f64;
        sum += t * t * t - t;
        i = j;
    }
    sum
}

/// `P(U ≥ u)` under the null for sample sizes `n1`, `n2`.
///
/// The counts of rank arrangements by U are the coefficients of the Gaussian
/// binomial `[n1 + n2 choose m]_q = ∏_{i=1..m} (1 − q^{k+i}) / (1 − q^i)`
/// with `m = min(n1, n2)`, `k = max(n1, n2)`; each factor is applied in
/// O(m·k), so a small group against thousands of samples stays cheap.
fn exact_sf(u: usize, n1: usize, n2: usize) -> f64 {
    let (m, k) = (n1.min(n2), n1.max(n2));
    let degree = m * k;
    let mut c = vec![0.0; degree + 1];
    c[0] = 1.0;
    for i in 1..=m {
        // Multiply by (1 − q^(k+i)), from the top down, then divide by (1 − q^i).
        for v in (k + i..=degree).rev() {
            c[v] -= c[v - k - i];
        }
        for v in i..=degree {
            c[v] += c[v - i];
        }
    }
    let total: f64 = c.iter().sum();
    c[u.min(degree)..].iter().sum::<f64>() / total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_distribution_is_symmetric_and_complete() {
        assert!((exact_sf(0, 3, 4) - 1.0).abs() < 1e-15);
        assert!((exact_sf(12, 3, 4) - 1.0 / 35.0).abs() < 1e-15);
        // U and n1·n2 − U have the same distribution: P(U ≥ 7) = P(U ≤ 5).
        assert!((exact_sf(7, 3, 4) - (1.0 - exact_sf(6, 3, 4))).abs() < 1e-15);
    }

    /// Exact-path values from scipy 1.17.1 `mannwhitneyu(x, y, alternative="two-sided")`
    /// (no ties and one sample of at most 8 values).
    #[test]
    fn exact_path_matches_scipy() -> Result<()> {
        let cases: [(&[f64], &[f64], f64, f64); 3] = [
            (&[1.0, 4.0, 7.0], &[2.0, 3.0, 5.0, 6.0], 6.0, 1.0),
            (
                &[1.5, 2.5, 9.0, 10.0, 11.0],
                &[3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 0.5],
                23.0,
                0.431_818_181_818_181_9,
            ),
            (
                &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
                &[2.5, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0],
                6.0,
                0.004_662_004_662_004_662,
            ),
        ];
        for (x, y, u, p) in cases {
            let t = mann_whitney(x, y)?;
            assert_eq!(t.u, u);
            assert!((t.p - p).abs() < 1e-12, "{} vs {p}", t.p);
        }
        let y: Vec<f64> = (0..50).map(f64::from).collect();
        let t = mann_whitney(&[0.5, 17.25, 40.125], &y)?;
        assert_eq!((t.u, t.exact), (60.0, true));
        assert!((t.p - 0.596_004_439_511_653_8).abs() < 1e-12, "{}", t.p);
        let y: Vec<f64> = (0..60).map(f64::from).collect();
        let t = mann_whitney(&[100.5, 101.5, 102.5, 103.5, 104.5, 105.5, 106.5, -1.5], &y)?;
        assert_eq!(t.u, 420.0);
        assert!((t.p - 2.217_751_398_404_266_8e-4).abs() < 1e-15, "{}", t.p);
        Ok(())
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(spearman(&[1.0, 2.0], &[1.0, 2.0]).is_err());
        assert!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_err());
        assert!(spearman(&[1.0], &[1.0, 2.0]).is_err());
        assert!(mann_whitney(&[], &[1.0]).is_err());
    }

    proptest::proptest! {
        // A stated seed: CI runs the same cases every time (style.md §4).
        #![proptest_config(proptest::prelude::ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(20261127), ..proptest::prelude::ProptestConfig::default() })]

        /// U equals the pair count (ties count one half), and p is a probability.
        #[test]
        fn u_is_the_pair_count(
            x in proptest::collection::vec(0u8..6, 1..12),
            y in proptest::collection::vec(0u8..6, 1..12),
        ) {
            let x: Vec<f64> = x.into_iter().map(f64::from).collect();
            let y: Vec<f64> = y.into_iter().map(f64::from).collect();
            let t = mann_whitney(&x, &y).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            let pairs: f64 = x.iter().flat_map(|a| y.iter().map(move |b| match a.partial_cmp(b) {
                Some(std::cmp::Ordering::Greater) => 1.0,
                Some(std::cmp::Ordering::Equal) => 0.5,
                _ => 0.0,
            })).sum();
            proptest::prop_assert_eq!(t.u, pairs);
            proptest::prop_assert!((0.0..=1.0).contains(&t.p));
        }
    }
}
