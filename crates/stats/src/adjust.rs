//! Multiple-testing correction.

/// Benjamini–Hochberg adjusted p-values (q-values), as
/// `statsmodels.stats.multitest.multipletests(method="fdr_bh")`. NaN entries
/// stay NaN and are not counted among the tests.
///
/// # Examples
///
/// ```
/// let q = senmet_stats::adjust::benjamini_hochberg(&[0.01, 0.04, f64::NAN, 0.03]);
/// assert_eq!(q[0], 0.03);
/// assert!(q[2].is_nan());
/// assert_eq!(q[1], 0.04);
/// ```
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let m = idx.len() as f64;
    let mut q = vec![f64::NAN; p.len()];
    let mut running = 1.0f64;
    for (rank, &i) in idx.iter().enumerate().rev() {
        running = running.min(p[i] * m / (rank + 1) as f64);
        q[i] = running;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotone_and_capped() {
        let q = benjamini_hochberg(&[0.5, 0.9, 0.001]);
        assert_eq!(q, [0.75, 0.9, 0.003]);
        assert!(benjamini_hochberg(&[]).is_empty());
    }

    proptest::proptest! {
        // A stated seed: CI runs the same cases every time (style.md §4).
        #![proptest_config(proptest::prelude::ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(20261127), ..proptest::prelude::ProptestConfig::default() })]

        /// q ≥ p (to rounding), q ≤ 1, and q keeps the order of p.
        #[test]
        fn q_is_monotone(p in proptest::collection::vec(0.0f64..=1.0, 1..40)) {
            let q = benjamini_hochberg(&p);
            for i in 0..p.len() {
                // p·m/m may round one ulp below p, as in statsmodels.
                proptest::prop_assert!(q[i] >= p[i] * (1.0 - 1e-12) && q[i] <= 1.0);
                for j in 0..p.len() {
                    if p[i] < p[j] {
                        proptest::prop_assert!(q[i] <= q[j]);
                    }
                }
            }
        }
    }
}
