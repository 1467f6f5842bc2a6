//! Saltelli sampling and first- and total-order Sobol' indices.
//!
//! The base sample is `N` points of a `2k`-dimensional scrambled Sobol'
//! sequence (Owen scrambling and index shuffling keyed by the seed, Burley
//! 2020, via `sobol_burley`); its first `k` columns form matrix `A`, its last
//! `k` matrix `B` (coordinates are `f32` multiples of 2⁻²⁴, ample for
//! sampling). Each base row gives `k + 2` design points, in SALib's order:
//! `A`, then `A` with column `j` taken from `B` (`AB_j`) for each `j`, then `B`.
//!
//! With outputs centred on their overall mean and `V` the variance of the
//! `2N` outputs of `A` and `B` together (denominator `2N`):
//!
//! - first order (Saltelli et al. 2010):
//!   `S_j = mean(f(B)·(f(AB_j) − f(A))) / V`;
//! - total order (Jansen 1999): `S_Tj = mean((f(A) − f(AB_j))²) / (2V)`.
//!
//! Confidence intervals are `estimate ± z₀.₉₇₅·sd` with `sd` the standard
//! deviation of the estimates over bootstrap resamples of the `N` base rows
//! (Archer et al. 1997), as SALib reports them.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::{check_factors, check_outputs, check_size, mean_sd, Factor};
use crate::dist::normal_quantile;
use crate::{Error, Result};

/// Largest base sample `sobol_burley` supports.
const MAX_BASE: usize = 1 << 16;

/// A Saltelli design for first- and total-order Sobol' indices.
#[derive(Debug, Clone)]
pub struct SaltelliDesign {
    names: Vec<String>,
    n_base: usize,
    seed: u64,
    points: Vec<Vec<f64>>,
}

/// First- and total-order Sobol' indices with 95 % bootstrap intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndices {
    /// Factor names, in the design's order.
    pub names: Vec<String>,
    /// First-order indices `S_i`.
    pub first: Vec<f64>,
    /// 95 % confidence interval of each `S_i`.
    pub first_ci: Vec<(f64, f64)>,
    /// Total-order indices `S_Ti`.
    pub total: Vec<f64>,
    /// 95 % confidence interval of each `S_Ti`.
    pub total_ci: Vec<(f64, f64)>,
}

impl SaltelliDesign {
    /// The `n_base · (k + 2)` points for `k` factors, from a scrambled Sobol'
    /// sequence keyed by `seed`. A power of two for `n_base` keeps the
    /// sequence's balance properties.
    ///
    /// # Errors
    ///
    /// No factors, a bad factor range, `n_base` outside `2..=65536`, or more
    /// than 128 factors (the sequence has 256 dimensions).
    ///
    /// # Examples
    ///
    /// ```
    /// use senmet_stats::sensitivity::{Factor, SaltelliDesign};
    ///
    /// let f = [Factor { name: "k".into(), low: 0.1, high: 10.0, log: true }];
    /// let design = SaltelliDesign::new(&f, 64, 1)?;
    /// assert_eq!(design.points().len(), 64 * 3);
    /// # Ok::<(), senmet_stats::Error>(())
    /// ```
    pub fn new(factors: &[Factor], n_base: usize, seed: u64) -> Result<Self> {
        let names = check_factors(factors)?;
        let max_k = sobol_burley::NUM_DIMENSIONS as usize / 2;
        check_size(
            "the number of factors",
            factors.len(),
            1,
            max_k,
            "at most 128",
        )?;
        check_size("the base sample size", n_base, 2, MAX_BASE, "2 to 65536")?;
        let k = factors.len();
        let key = fold_seed(seed);
        let mut points = Vec::with_capacity(n_base * (k + 2));
        for i in 0..n_base {
            // Cannot fail: i < 2^16 and d < 256 were checked above.
            let index = u32::try_from(i).expect("checked above");
            let unit: Vec<f64> = (0..2 * k as u32)
                .map(|d| f64::from(sobol_burley::sample(index, d, key)))
                .collect();
            let (a, b) = unit.split_at(k);
            points.push(to_factors(factors, a));
            for j in 0..k {
                let mut ab = a.to_vec();
                ab[j] = b[j];
                points.push(to_factors(factors, &ab));
            }
            points.push(to_factors(factors, b));
        }
        Ok(Self {
            names,
            n_base,
            seed,
            points,
        })
    }

    /// The design points, one row per model run, in factor units.
    pub fn points(&self) -> &[Vec<f64>] {
        &self.points
    }

    /// First- and total-order indices from one output per design point,
    /// with `n_boot` bootstrap resamples (seeded by the design's seed) for
    /// the confidence intervals.
    ///
    /// # Errors
    ///
    /// Wrong number of outputs, a non-finite output (naming its row),
    /// constant outputs, or `n_boot` below 2.
    ///
    /// # Examples
    ///
    /// ```
    /// use senmet_stats::sensitivity::{Factor, SaltelliDesign};
    ///
    /// let f = |name: &str| Factor { name: name.into(), low: -1.0, high: 1.0, log: false };
    /// let design = SaltelliDesign::new(&[f("x"), f("y")], 512, 3)?;
    /// let y: Vec<f64> = design.points().iter().map(|p| p[0] * p[1]).collect();
    /// let s = design.analyse(&y, 50)?;
    /// // x·y is pure interaction: no first-order effect, all of it total.
    /// assert!(s.first[0].abs() < 0.05 && s.total[0] > 0.9);
    /// # Ok::<(), senmet_stats::Error>(())
    /// ```
    pub fn analyse(&self, outputs: &[f64], n_boot: usize) -> Result<SobolIndices> {
        check_outputs(outputs, self.points.len())?;
        check_size(
            "the number of bootstrap resamples",
            n_boot,
            2,
            usize::MAX,
            "at least 2",
        )?;
        let split = Split::new(outputs, self.names.len())?;
        let all: Vec<usize> = (0..self.n_base).collect();
        let (first, total) = split.estimate(&all);
        let (boot_first, boot_total): (Vec<Vec<f64>>, Vec<Vec<f64>>) = (0..n_boot)
            .into_par_iter()
            .map(|r| {
                let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
                rng.set_stream(r as u64);
                let idx: Vec<usize> = (0..self.n_base)
                    .map(|_| rng.random_range(0..self.n_base))
                    .collect();
                split.estimate(&idx)
            })
            .unzip();
        Ok(SobolIndices {
            names: self.names.clone(),
            first_ci: normal_ci(&first, &boot_first),
            total_ci: normal_ci(&total, &boot_total),
            first,
            total,
        })
    }
}

/// `estimate ± z₀.₉₇₅ · sd` with `sd` the spread of the bootstrap estimates
/// (`boots[r][j]` is resample `r`'s estimate of factor `j`).
fn normal_ci(estimates: &[f64], boots: &[Vec<f64>]) -> Vec<(f64, f64)> {
    let z = normal_quantile(0.975);
    estimates
        .iter()
        .enumerate()
        .map(|(j, e)| {
            let (_, sd) = mean_sd(boots.iter().map(|b| b[j]));
            (e - z * sd, e + z * sd)
        })
        .collect()
}

/// One `u32` key from a `u64` seed, so that seeds differing only in their
/// high half still give different sequences.
fn fold_seed(seed: u64) -> u32 {
    (seed ^ (seed >> 32)) as u32
}

fn to_factors(factors: &[Factor], unit: &[f64]) -> Vec<f64> {
    factors.iter().zip(unit).map(|(f, u)| f.scale(*u)).collect()
}

/// Centred outputs split into `f(A)`, `f(B)` and `f(AB_j)`.
struct Split {
    a: Vec<f64>,
    b: Vec<f64>,
    /// `ab[i * k + j]` is `f(AB_j)` of base row `i`.
    ab: Vec<f64>,
    k: usize,
}

impl Split {
    fn new(outputs: &[f64], k: usize) -> Result<Self> {
        let mean = outputs.iter().sum::<f64>() / outputs.len() as f64;
        if outputs.iter().all(|y| *y == outputs[0]) {
            return Err(Error::Constant {
                what: "the model output",
            });
        }
        let (mut a, mut b, mut ab) = (Vec::new(), Vec::new(), Vec::new());
        for row in outputs.chunks_exact(k + 2) {
            a.push(row[0] - mean);
            ab.extend(row[1..=k].iter().map(|y| y - mean));
            b.push(row[k + 1] - mean);
        }
        Ok(Self { a, b, ab, k })
    }

    /// First- and total-order estimates over the base rows `idx`.
    fn estimate(&self, idx: &[usize]) -> (Vec<f64>, Vec<f64>) {
        let n = idx.len() as f64;
        let both = || idx.iter().flat_map(|&i| [self.a[i], self.b[i]]);
        let mean = both().sum::<f64>() / (2.0 * n);
        let var = both().map(|y| (y - mean).powi(2)).sum::<f64>() / (2.0 * n);
        let mut first = vec![0.0; self.k];
        let mut total = vec![0.0; self.k];
        for &i in idx {
            let (a, b) = (self.a[i], self.b[i]);
            for (j, ab) in self.ab[i * self.k..(i + 1) * self.k].iter().enumerate() {
                first[j] += b * (ab - a);
                total[j] += (a - ab).powi(2);
            }
        }
        for j in 0..self.k {
            first[j] /= n * var;
            total[j] /= 2.0 * n * var;
        }
        (first, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str) -> Factor {
        Factor {
            name: name.into(),
            low: 0.0,
            high: 1.0,
            log: false,
        }
    }

    #[test]
    fn layout_is_a_ab_b() -> Result<()> {
        let d = SaltelliDesign::new(&[unit("x"), unit("y"), unit("z")], 8, 5)?;
        assert_eq!(d.points().len(), 8 * 5);
        for row in d.points().chunks(5) {
            let (a, b) = (&row[0], &row[4]);
            for (j, ab) in row[1..4].iter().enumerate() {
                for c in 0..3 {
                    assert_eq!(ab[c], if c == j { b[c] } else { a[c] });
                }
            }
        }
        Ok(())
    }

    #[test]
    fn sobol_points_are_stratified() -> Result<()> {
        // Any 2^m points of a (scrambled) Sobol' sequence put one point in
        // each of 2^m equal intervals of each coordinate.
        let d = SaltelliDesign::new(&[unit("x"), unit("y")], 64, 11)?;
        for c in 0..2 {
            let mut cells: Vec<usize> = d
                .points()
                .chunks(4)
                .map(|r| (r[0][c] * 64.0) as usize)
                .collect();
            cells.sort_unstable();
            assert_eq!(cells, (0..64).collect::<Vec<_>>());
        }
        Ok(())
    }

    #[test]
    fn seeds_differ_and_repeat() -> Result<()> {
        let f = [unit("x")];
        let a = SaltelliDesign::new(&f, 16, 1)?;
        assert_eq!(a.points(), SaltelliDesign::new(&f, 16, 1)?.points());
        assert_ne!(a.points(), SaltelliDesign::new(&f, 16, 2)?.points());
        Ok(())
    }

    #[test]
    fn bad_sizes_and_outputs_are_errors() -> Result<()> {
        let f = [unit("x")];
        assert!(matches!(
            SaltelliDesign::new(&f, 1, 0),
            Err(Error::DesignSize { .. })
        ));
        assert!(SaltelliDesign::new(&f, MAX_BASE + 1, 0).is_err());
        let many: Vec<Factor> = (0..129).map(|i| unit(&i.to_string())).collect();
        assert!(SaltelliDesign::new(&many, 4, 0).is_err());
        let d = SaltelliDesign::new(&f, 4, 0)?;
        assert!(matches!(
            d.analyse(&[1.0; 12], 10),
            Err(Error::Constant { .. })
        ));
        assert!(matches!(
            d.analyse(&[1.0; 11], 10),
            Err(Error::OutputCount { .. })
        ));
        let mut y: Vec<f64> = (0..12).map(f64::from).collect();
        assert!(d.analyse(&y, 1).is_err());
        y[7] = f64::NAN;
        assert!(matches!(
            d.analyse(&y, 10),
            Err(Error::NonFiniteOutput { row: 7, .. })
        ));
        Ok(())
    }

    #[test]
    fn bootstrap_does_not_depend_on_the_thread_count() -> Result<(), Box<dyn std::error::Error>> {
        let d = SaltelliDesign::new(&[unit("x"), unit("z")], 256, 4)?;
        let y: Vec<f64> = d.points().iter().map(|p| p[0] * p[1].exp()).collect();
        let pool = |n| rayon::ThreadPoolBuilder::new().num_threads(n).build();
        let a = pool(1)?.install(|| d.analyse(&y, 64))?;
        let b = pool(4)?.install(|| d.analyse(&y, 64))?;
        assert_eq!(a, b);
        assert!(a.first_ci[0].0 < a.first_ci[0].1);
        Ok(())
    }

    #[test]
    fn additive_model_has_exact_indices_in_the_limit() -> Result<()> {
        // y = x + 2z on [0, 1]²: S = ST = (1/5, 4/5).
        let d = SaltelliDesign::new(&[unit("x"), unit("z")], 4096, 9)?;
        let y: Vec<f64> = d.points().iter().map(|p| p[0] + 2.0 * p[1]).collect();
        let s = d.analyse(&y, 200)?;
        for (j, want) in [0.2, 0.8].into_iter().enumerate() {
            assert!((s.first[j] - want).abs() < 0.01, "{s:?}");
            assert!((s.total[j] - want).abs() < 0.01, "{s:?}");
            assert!(s.first_ci[j].0 < s.first[j] && s.first[j] < s.first_ci[j].1);
        }
        Ok(())
    }
}
