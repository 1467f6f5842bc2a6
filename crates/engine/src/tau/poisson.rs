//! Poisson counts for leaps.
//!
//! Every leap draws a count per reaction from a mean it has not seen
//! before, so a sampler's set-up counts as much as its draw. Two methods
//! whose set-up is a handful of operations:
//!
//! - means below [`SEARCH_BELOW`]: inversion by sequential search from 0
//!   (Devroye 1986, *Non-Uniform Random Variate Generation*, §X.3.3): one
//!   uniform number and `exp(−λ)`, then about λ multiply-adds. Knuth's
//!   product of uniforms, which `rand_distr` uses there, takes λ + 1 uniform
//!   numbers;
//! - from there on: PTRS, transformed rejection with squeeze (Hörmann 1993,
//!   *Insurance: Mathematics and Economics* 12:39–45): two uniform numbers
//!   per try, 1.33 tries per draw at λ = 10 and 1.19 at 60 (fewer for larger
//!   means), no logarithm in the tries the squeeze accepts (35 % of them at
//!   λ = 10, 63 % at 60, up to 80 %). The exact test takes
//!   ln(λᵏ e^(−λ) / k!) in a form that keeps its precision for large means
//!   (see [`log_pmf`]).

use rand::Rng;

/// Means below this are drawn by sequential search, the rest by PTRS
/// (whose constants Hörmann fitted for λ ≥ 10).
const SEARCH_BELOW: f64 = 10.0;

/// The largest mean drawn (as `rand_distr::Poisson::MAX_LAMBDA`).
pub const MAX_MEAN: f64 = 1.844e19;

/// A Poisson(λ) count, or `None` if λ is not finite, is negative or exceeds
/// [`MAX_MEAN`]. λ = 0 gives 0. Near [`MAX_MEAN`] counts are whole multiples
/// of what f64 resolves there (2048).
#[inline(always)]
pub fn sample<R: Rng + ?Sized>(lambda: f64, rng: &mut R) -> Option<f64> {
    if !(0.0..=MAX_MEAN).contains(&lambda) {
        None
    } else if lambda < SEARCH_BELOW {
        Some(search(lambda, rng.random()))
    } else {
        Some(ptrs(lambda, rng))
    }
}

/// The smallest k with P(X ≤ k) > u, X ~ Poisson(λ), summing the
/// probabilities upwards from 0. A u that rounding leaves above the sum of
/// every term gives the count at which the terms stop adding to it.
fn search(lambda: f64, u: f64) -> f64 {
    let mut p = (-lambda).exp();
    let mut cdf = p;
    let mut k = 0.0;
    while u >= cdf {
        k += 1.0;
        p *= lambda / k;
        let next = cdf + p;
        if next == cdf && k > lambda {
            break;
        }
        cdf = next;
    }
    k
}

/// Hörmann's PTRS for λ ≥ 10. Not inlined: the search, drawn more often,
/// then runs without saving the registers PTRS needs.
#[inline(never)]
fn ptrs<R: Rng + ?Sized>(lambda: f64, rng: &mut R) -> f64 {
    let b = 0.931 + 2.53 * lambda.sqrt();
    let a = -0.059 + 0.02483 * b;
    let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    let v_r = 0.9277 - 3.6224 / (b - 2.0);
    // Only the exact test needs ln λ.
    let mut ln_lambda = f64::NAN;
    loop {
        let u = rng.random::<f64>() - 0.5;
        let v = rng.random::<f64>();
        let us = 0.5 - u.abs();
        let x = (2.0 * a / us + b) * u + lambda + 0.43;
        // The squeeze: inside it, x > 0 for every λ ≥ 10.
        if us >= 0.07 && v <= v_r {
            return floor(x);
        }
        if x < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        let k = floor(x);
        if ln_lambda.is_nan() {
            ln_lambda = lambda.ln();
        }
        if (v * inv_alpha / (a / (us * us) + b)).ln() <= log_pmf(k, lambda, ln_lambda) {
            return k;
        }
    }
}

/// ⌊x⌋ for x ≥ 0, through an integer conversion (`floor` is a library call
/// on x86-64 without SSE4.1) below [`super::WHOLE`].
fn floor(x: f64) -> f64 {
    if x < super::WHOLE {
        // Signed: one instruction on x86-64, where unsigned takes several.
        x as i64 as f64
    } else {
        x
    }
}

/// ln k! for k = 0, …, 9.
const LN_FACTORIAL: [f64; 10] = [
    0.0,
    0.0,
    std::f64::consts::LN_2,
    1.791_759_469_228_055,
    3.178_053_830_347_945_8,
    4.787_491_742_782_046,
    6.579_251_212_010_101,
    8.525_161_361_065_415,
    10.604_602_902_745_25,
    12.801_827_480_081_469,
];

/// ln(λᵏ e^{−λ} / k!) for a whole k ≥ 0. From k = 10 by Stirling's series
/// for ln k! (three terms: error below 10⁻¹⁰), with k·ln(λ/k) + k − λ
/// written as k·ln(1 + (λ − k)/k) + (k − λ), whose terms are of the size
/// of λ − k, not of k·ln λ: at λ = 10¹³ the direct form loses three
/// decimals of the result to rounding, this one none.
fn log_pmf(k: f64, lambda: f64, ln_lambda: f64) -> f64 {
    if k < 10.0 {
        return k * ln_lambda - lambda - LN_FACTORIAL[k as usize];
    }
    let r = 1.0 / k;
    let r2 = r * r;
    let series = r * (1.0 / 12.0 - r2 * (1.0 / 360.0 - r2 / 1260.0));
    let ln_sqrt_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
    k * ((lambda - k) / k).ln_1p() + (k - lambda) - 0.5 * k.ln() - ln_sqrt_2pi - series
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use statrs::distribution::{Discrete, DiscreteCDF, Poisson};
    use statrs::function::gamma::ln_gamma;

    #[test]
    fn log_pmf_matches_ln_gamma() {
        for lambda in [10.0, 37.5, 1e3, 1e6] {
            let ln_lambda = f64::ln(lambda);
            let sd = f64::sqrt(lambda);
            for z in [-6.0, -2.0, -0.3, 0.0, 1.0, 5.0] {
                let k = (lambda + z * sd).max(0.0).floor();
                let want = k * ln_lambda - lambda - ln_gamma(k + 1.0);
                let got = log_pmf(k, lambda, ln_lambda);
                // ln_gamma's form loses ~1e-16 · k·ln λ to rounding.
                let tol = 1e-9 + 1e-14 * k * ln_lambda;
                assert!(
                    (got - want).abs() <= tol,
                    "λ {lambda} k {k}: {got} vs {want}"
                );
            }
        }
        for k in 0..10 {
            let want = ln_gamma(f64::from(k) + 1.0);
            assert!((LN_FACTORIAL[k as usize] - want).abs() < 1e-13, "{k}!");
        }
    }

    #[test]
    fn log_pmf_keeps_its_digits_for_huge_means() {
        // k = λ + δ with δ of a few SDs: ln p = −δ²/(2λ) + δ³/(6λ²)
        // − ½ln(2πk) − 1/(12k) to O(δ⁴/λ³) (Stirling), 1e-13 here. The
        // direct form k·ln λ − λ − ln k! is off by about 0.01 at this λ.
        let lambda: f64 = 1e13;
        for z in [-5.0, -1.0, 0.0, 0.5, 3.0] {
            let delta = (z * lambda.sqrt()).round();
            let k = lambda + delta;
            let want = -delta * delta / (2.0 * lambda) + delta.powi(3) / (6.0 * lambda * lambda)
                - 0.5 * (2.0 * std::f64::consts::PI * k).ln()
                - 1.0 / (12.0 * k);
            let got = log_pmf(k, lambda, lambda.ln());
            assert!((got - want).abs() < 1e-9, "z {z}: {got} vs {want}");
        }
    }

    #[test]
    fn search_inverts_the_cdf() {
        for lambda in [1e-3, 0.5, 3.0, 9.99] {
            let law = Poisson::new(lambda).unwrap();
            for k in 0..40u64 {
                let (below, at) = (if k == 0 { 0.0 } else { law.cdf(k - 1) }, law.cdf(k));
                // The two sums round differently in the last digits.
                if at - below < 1e-6 {
                    continue;
                }
                // u just inside [P(X < k), P(X ≤ k)) gives k.
                let inside = [below + 1e-4 * (at - below), at - 1e-4 * (at - below)];
                for u in inside {
                    assert_eq!(search(lambda, u), k as f64, "λ {lambda} u {u}");
                }
            }
        }
        // u at the top of [0, 1) ends where the terms stop adding.
        let k = search(3.0, 1.0 - f64::EPSILON / 2.0);
        assert!((10.0..40.0).contains(&k), "{k}");
        assert_eq!(search(0.0, 0.999), 0.0);
    }

    /// Pearson's χ² of `n` draws at mean λ against statrs' probabilities,
    /// cells merged in the tails until each expects at least 20; its
    /// degrees of freedom; the draws' mean and variance.
    fn chi_square(lambda: f64, n: usize, seed: u64) -> (f64, usize, f64, f64) {
        let law = Poisson::new(lambda).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let sd = lambda.sqrt();
        let lo = (lambda - 8.0 * sd - 10.0).max(0.0) as u64;
        let hi = (lambda + 8.0 * sd + 10.0) as u64;
        let mut counts = vec![0u64; (hi - lo + 1) as usize];
        let (mut sum, mut squares) = (0.0, 0.0);
        for _ in 0..n {
            let k = sample(lambda, &mut rng).unwrap();
            assert_eq!(k.fract(), 0.0);
            // Centred at λ, so that the sums keep their digits.
            sum += k - lambda;
            squares += (k - lambda) * (k - lambda);
            let i = (k as u64).clamp(lo, hi) - lo;
            counts[i as usize] += 1;
        }
        // Cells [lo..=i], each single count, then the upper tail.
        let mut cells = Vec::new();
        let (mut observed, mut expected) = (0.0, 0.0);
        for (i, &c) in counts.iter().enumerate() {
            let k = lo + i as u64;
            observed += c as f64;
            expected += n as f64
                * if i == 0 {
                    law.cdf(k)
                } else if k == hi {
                    1.0 - law.cdf(k - 1)
                } else {
                    law.pmf(k)
                };
            if expected >= 20.0 {
                cells.push((observed, expected));
                (observed, expected) = (0.0, 0.0);
            }
        }
        if let Some(last) = cells.last_mut() {
            last.0 += observed;
            last.1 += expected;
        }
        let stat = cells.iter().map(|(o, e)| (o - e) * (o - e) / e).sum();
        let shift = sum / n as f64;
        let var = (squares - n as f64 * shift * shift) / (n - 1) as f64;
        (stat, cells.len() - 1, lambda + shift, var)
    }

    #[test]
    fn draws_follow_the_poisson_law() {
        // Both methods and the switch between them, a mean where PTRS's
        // exact test meets small counts, and large means.
        for (i, lambda) in [0.02, 1.0, 4.5, 9.9, 10.0, 10.5, 14.0, 60.0, 2.5e3, 1e7]
            .into_iter()
            .enumerate()
        {
            let n = 1_000_000;
            let (stat, df, mean, var) = chi_square(lambda, n, 7 + i as u64);
            // χ² with df degrees of freedom: mean df, SD √(2df); 5 SDs.
            let limit = df as f64 + 5.0 * (2.0 * df as f64).sqrt() + 5.0;
            assert!(stat < limit, "λ {lambda}: χ² {stat} on {df} df");
            // The moments, within 5 SEs: a shift of the mean by a tenth of
            // a count at λ = 60 is 13 SEs.
            let n = n as f64;
            assert!(
                (mean - lambda).abs() < 5.0 * (lambda / n).sqrt(),
                "λ {lambda}: mean {mean}"
            );
            let se = (lambda + 2.0 * lambda * lambda) / n;
            assert!(
                (var - lambda).abs() < 5.0 * se.sqrt(),
                "λ {lambda}: variance {var}"
            );
        }
    }

    #[test]
    fn huge_means_keep_their_moments() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for lambda in [1e13, 1e18] {
            let n = 20_000;
            let draws: Vec<f64> = (0..n).map(|_| sample(lambda, &mut rng).unwrap()).collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let var = draws.iter().map(|k| (k - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            // SE of the mean √(λ/n); of the variance ≈ λ·√(2/n).
            assert!(
                (mean - lambda).abs() < 5.0 * (lambda / n as f64).sqrt(),
                "{lambda}: {mean}"
            );
            assert!(
                (var / lambda - 1.0).abs() < 5.0 * (2.0 / n as f64).sqrt(),
                "{lambda}: {var}"
            );
        }
    }

    #[test]
    fn bad_means_are_refused() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for lambda in [-1.0, f64::NAN, f64::INFINITY, 2.0 * MAX_MEAN] {
            assert_eq!(sample(lambda, &mut rng), None, "{lambda}");
        }
        assert_eq!(sample(0.0, &mut rng), Some(0.0));
    }
}
