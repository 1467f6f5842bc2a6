//! Power of the two-sided Mann–Whitney test by resampling, with the
//! closed-form approximation of Noether (1987) beside it.
//!
//! Given a pool of i.i.d. outcomes per group (e.g. simulated subjects of two
//! arms), a study of `n` per group is `n` draws without replacement from each
//! pool; [`resampled`] runs `studies` such studies per `n`, tests each with
//! [`mann_whitney`], and reports the fraction with `p < α` and its
//! Clopper–Pearson 95% interval. Study `s` at size `n` draws from the
//! ChaCha8 stream `(n << 32) | s` of the seed, so results do not depend on
//! the thread count.
//!
//! The closed form: with `p = P(X < Y) + ½·P(X = Y)` estimated from the pools
//! ([`prob_less`]), Noether's large-sample power for `n` per group is
//! `Φ(√(6n)·|p − ½| − z₁₋α/₂)` (plus the negligible opposite tail), and the
//! `n` per group for power `1 − β` is `(z₁₋α/₂ + z₁₋β)² / (6 (p − ½)²)`
//! (Noether, G. E. 1987, JASA 82:645, with equal allocation).
//!
//! # Example
//!
//! ```
//! use senmet_stats::power::{resampled, Settings};
//!
//! let a: Vec<f64> = (0..200).map(f64::from).collect();
//! let b: Vec<f64> = (0..200).map(|i| f64::from(i) + 120.0).collect();
//! let settings = Settings { n_min: 3, n_max: 10, studies: 200, alpha: 0.05, seed: 1 };
//! let rows = resampled(&a, &b, &settings)?;
//! assert_eq!(rows.len(), 8);
//! assert!(rows[7].power > rows[0].power);
//! # Ok::<(), senmet_stats::Error>(())
//! ```

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use statrs::distribution::{Beta, ContinuousCDF};

use crate::dist::{normal_quantile, normal_sf};
use crate::rank::mann_whitney;
use crate::{Error, Result};

/// What [`resampled`] simulates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Smallest study size per group (at least 2).
    pub n_min: usize,
    /// Largest study size per group (at most the smaller pool).
    pub n_max: usize,
    /// Studies per size.
    pub studies: usize,
    /// Significance level of the two-sided test, in (0, 1).
    pub alpha: f64,
    /// Master seed.
    pub seed: u64,
}

/// Power at one study size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// Subjects per group.
    pub n: usize,
    /// Fraction of studies with `p < α`.
    pub power: f64,
    /// Clopper–Pearson 95% lower bound of the power.
    pub lower: f64,
    /// Clopper–Pearson 95% upper bound of the power.
    pub upper: f64,
    /// Noether's normal-approximation power at this `n` ([`normal_power`]).
    pub closed_form: f64,
}

/// Simulated power of the two-sided Mann–Whitney test at each `n` of
/// `n_min..=n_max`, drawing studies without replacement from the pools.
///
/// # Errors
///
/// [`Error::PowerSetting`] for `n_min < 2`, `n_min > n_max`, no studies or
/// `α` outside (0, 1); [`Error::TooFew`] when a pool has fewer than `n_max` values.
pub fn resampled(pool_a: &[f64], pool_b: &[f64], s: &Settings) -> Result<Vec<Row>> {
    check(s)?;
    let smaller = pool_a.len().min(pool_b.len());
    if smaller < s.n_max {
        return Err(Error::TooFew {
            needed: s.n_max,
            found: smaller,
        });
    }
    let p = prob_less(pool_a, pool_b);
    (s.n_min..=s.n_max)
        .map(|n| {
            let hits = (0..s.studies)
                .into_par_iter()
                .map(|i| study(pool_a, pool_b, n, i, s))
                .collect::<Result<Vec<bool>>>()?
                .into_iter()
                .filter(|h| *h)
                .count();
            let (lower, upper) = clopper_pearson(hits, s.studies, 0.95);
            Ok(Row {
                n,
                power: hits as f64 / s.studies as f64,
                lower,
                upper,
                closed_form: normal_power(p, n, s.alpha),
            })
        })
        .collect()
}

fn check(s: &Settings) -> Result<()> {
    let bad = |what, found: f64, expected| {
        Err(Error::PowerSetting {
            what,
            found,
            expected,
        })
    };
    if s.n_min < 2 {
        return bad("the smallest study size", s.n_min as f64, "at least 2");
    }
    if s.n_max < s.n_min {
        return bad(
            "the largest study size",
            s.n_max as f64,
            "at least the smallest",
        );
    }
    if s.studies == 0 {
        return bad("the number of studies", 0.0, "at least 1");
    }
    if !(s.alpha > 0.0 && s.alpha < 1.0) {
        return bad("alpha", s.alpha, "between 0 and 1");
    }
    Ok(())
}

/// One study: `n` draws without replacement from each pool; true when `p < α`.
fn study(a: &[f64], b: &[f64], n: usize, i: usize, s: &Settings) -> Result<bool> {
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed);
    rng.set_stream(((n as u64) << 32) | i as u64);
    let x: Vec<f64> = rand::seq::index::sample(&mut rng, a.len(), n)
        .iter()
        .map(|k| a[k])
        .collect();
    let y: Vec<f64> = rand::seq::index::sample(&mut rng, b.len(), n)
        .iter()
        .map(|k| b[k])
        .collect();
    Ok(mann_whitney(&x, &y)?.p < s.alpha)
}

/// `P(X < Y) + ½·P(X = Y)` for `X` drawn from `a` and `Y` from `b` (the
/// Mann–Whitney effect size; ½ when the groups do not differ). NaN when a
/// sample is empty.
///
/// # Examples
///
/// ```
/// let p = senmet_stats::power::prob_less(&[1.0, 2.0], &[2.0, 3.0]);
/// assert_eq!(p, 0.875);
/// ```
pub fn prob_less(a: &[f64], b: &[f64]) -> f64 {
    let mut sorted = b.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut score = 0.0;
    for x in a {
        let below_or_equal = sorted.partition_point(|y| y <= x);
        let below = sorted.partition_point(|y| y < x);
        score += (sorted.len() - below_or_equal) as f64 + 0.5 * (below_or_equal - below) as f64;
    }
    score / (a.len() * b.len()) as f64
}

/// Noether's normal-approximation power of the two-sided Mann–Whitney test
/// at level `alpha` with `n` per group, for effect `p = P(X < Y)`.
///
/// # Examples
///
/// ```
/// use senmet_stats::power::normal_power;
///
/// assert!((normal_power(0.5, 10, 0.05) - 0.05).abs() < 1e-9);
/// assert!(normal_power(0.8, 20, 0.05) > 0.8);
/// ```
pub fn normal_power(p: f64, n: usize, alpha: f64) -> f64 {
    let z = normal_quantile(1.0 - alpha / 2.0);
    let shift = (6.0 * n as f64).sqrt() * (p - 0.5).abs();
    normal_sf(z - shift) + normal_sf(z + shift)
}

/// Noether's sample size per group for power `power` at level `alpha`
/// (two-sided), rounded up; `None` when `p` is ½ (no effect) or not a number.
///
/// # Examples
///
/// ```
/// // P(X < Y) = 0.75: (1.96 + 0.8416)² / (6 · 0.0625) = 20.9, so 21 per group.
/// assert_eq!(senmet_stats::power::noether_n(0.75, 0.05, 0.8), Some(21));
/// ```
pub fn noether_n(p: f64, alpha: f64, power: f64) -> Option<usize> {
    let d = (p - 0.5).abs();
    if d.is_nan() || d == 0.0 {
        return None;
    }
    let z = normal_quantile(1.0 - alpha / 2.0) + normal_quantile(power);
    Some((z * z / (6.0 * d * d)).ceil() as usize)
}

/// The smallest `n` whose simulated power is at least `target`.
pub fn smallest_n(rows: &[Row], target: f64) -> Option<usize> {
    rows.iter().find(|r| r.power >= target).map(|r| r.n)
}

/// Clopper–Pearson interval at `level` for `k` successes out of `n`.
///
/// # Examples
///
/// ```
/// let (lo, hi) = senmet_stats::power::clopper_pearson(5, 10, 0.95);
/// assert!((lo - 0.187086).abs() < 1e-5 && (hi - 0.812914).abs() < 1e-5);
/// ```
pub fn clopper_pearson(k: usize, n: usize, level: f64) -> (f64, f64) {
    let tail = (1.0 - level) / 2.0;
    let (kf, nf) = (k as f64, n as f64);
    let quantile = |a: f64, b: f64, q: f64| Beta::new(a, b).map_or(f64::NAN, |d| d.inverse_cdf(q));
    let lower = if k == 0 {
        0.0
    } else {
        quantile(kf, nf - kf + 1.0, tail)
    };
    let upper = if k >= n {
        1.0
    } else {
        quantile(kf + 1.0, nf - kf, 1.0 - tail)
    };
    (lower, upper)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_distr::{Distribution, StandardNormal};

    fn normal_pool(shift: f64, n: usize, stream: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        rng.set_stream(stream);
        (0..n)
            .map(|_| shift + Distribution::<f64>::sample(&StandardNormal, &mut rng))
            .collect()
    }

    /// Normal data shifted by δ: P(X < Y) = Φ(δ/√2); simulated power must match
    /// Noether's power within Monte-Carlo error plus the approximation's own error.
    #[test]
    fn simulated_power_matches_noether_on_normal_shift() -> Result<()> {
        let (a, b) = (normal_pool(0.0, 20_000, 1), normal_pool(0.8, 20_000, 2));
        let p = prob_less(&a, &b);
        let exact_p = 1.0 - normal_sf(0.8 / std::f64::consts::SQRT_2);
        assert!((p - exact_p).abs() < 0.01, "p {p} vs {exact_p}");
        let s = Settings {
            n_min: 10,
            n_max: 30,
            studies: 2000,
            alpha: 0.05,
            seed: 5,
        };
        let rows = resampled(&a, &b, &s)?;
        for r in &rows {
            let se = (r.closed_form * (1.0 - r.closed_form) / s.studies as f64).sqrt();
            assert!(
                (r.power - r.closed_form).abs() < 4.0 * se + 0.03,
                "n {}: simulated {} vs closed form {}",
                r.n,
                r.power,
                r.closed_form
            );
            assert!(r.lower <= r.power && r.power <= r.upper);
        }
        let n80 = smallest_n(&rows, 0.8).expect("power reaches 0.8 by n = 30");
        let noether = noether_n(p, 0.05, 0.8).expect("an effect");
        assert!(
            n80.abs_diff(noether) <= 2,
            "simulated {n80} vs Noether {noether}"
        );
        Ok(())
    }

    #[test]
    fn no_effect_gives_alpha() -> Result<()> {
        let (a, b) = (normal_pool(0.0, 5000, 3), normal_pool(0.0, 5000, 4));
        let s = Settings {
            n_min: 12,
            n_max: 12,
            studies: 4000,
            alpha: 0.05,
            seed: 9,
        };
        let r = resampled(&a, &b, &s)?[0];
        assert!(r.lower < 0.05 && 0.05 < r.upper, "{r:?}");
        Ok(())
    }

    #[test]
    fn same_seed_same_result_for_any_thread_count() -> Result<()> {
        let (a, b) = (normal_pool(0.0, 300, 5), normal_pool(0.5, 300, 6));
        let s = Settings {
            n_min: 3,
            n_max: 8,
            studies: 300,
            alpha: 0.05,
            seed: 2,
        };
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool")
                .install(|| resampled(&a, &b, &s))
        };
        assert_eq!(run(1)?, run(3)?);
        Ok(())
    }

    #[test]
    fn bad_settings_are_errors() {
        let a = [1.0, 2.0, 3.0];
        let s = Settings {
            n_min: 2,
            n_max: 4,
            studies: 10,
            alpha: 0.05,
            seed: 0,
        };
        assert!(matches!(
            resampled(&a, &a, &s),
            Err(Error::TooFew {
                needed: 4,
                found: 3
            })
        ));
        for bad in [
            Settings { n_min: 1, ..s },
            Settings { n_max: 1, ..s },
            Settings { studies: 0, ..s },
            Settings { alpha: 1.0, ..s },
        ] {
            assert!(matches!(
                resampled(&a, &a, &bad),
                Err(Error::PowerSetting { .. })
            ));
        }
    }

    #[test]
    fn clopper_pearson_edges() {
        assert_eq!(clopper_pearson(0, 10, 0.95).0, 0.0);
        assert_eq!(clopper_pearson(10, 10, 0.95).1, 1.0);
        // R: binom.test(0, 10)$conf.int = 0, 0.3084971
        assert!((clopper_pearson(0, 10, 0.95).1 - 0.308_497_1).abs() < 1e-6);
    }
}
