//! Morris (1991) elementary-effects screening.
//!
//! Each factor is put on a grid of `p` levels `0, 1/(p−1), …, 1` of its unit
//! range and moved by `Δ = p / (2(p − 1))`. A trajectory starts at a random
//! grid point whose every coordinate can move by `±Δ` (the sign random per
//! factor), then moves the factors one at a time in a random order: `k + 1`
//! points, one elementary effect `EE_j = (y' − y) / (±Δ)` per factor, in output
//! units per unit range (a factor's whole range counts 1, in log space for a
//! log-uniform factor). Over `r` trajectories the design reports the mean `μ`,
//! the mean absolute value `μ*` (Campolongo et al. 2007) and the standard
//! deviation `σ` (`r − 1` denominator) of each factor's effects, as SALib's
//! `analyze.morris`.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{check_factors, check_outputs, check_size, mean_sd, Factor};
use crate::{Error, Result};

/// A Morris one-at-a-time design of `r` trajectories.
#[derive(Debug, Clone)]
pub struct MorrisDesign {
    names: Vec<String>,
    /// Per trajectory, the factor moved at each step and the signed step in
    /// unit range.
    moves: Vec<Vec<(usize, f64)>>,
    points: Vec<Vec<f64>>,
}

/// Elementary-effect statistics, one entry per factor.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisIndices {
    /// Factor names, in the design's order.
    pub names: Vec<String>,
    /// Mean elementary effect `μ`.
    pub mu: Vec<f64>,
    /// Mean absolute elementary effect `μ*`.
    pub mu_star: Vec<f64>,
    /// Standard deviation `σ` of the elementary effects.
    pub sigma: Vec<f64>,
}

impl MorrisDesign {
    /// `trajectories` random trajectories on a grid of `levels` levels,
    /// `trajectories · (k + 1)` points, drawn with ChaCha8 from `seed` (one
    /// stream per trajectory).
    ///
    /// # Errors
    ///
    /// No factors, a bad factor range, fewer than 2 trajectories, or `levels`
    /// not an even number of at least 2 (an odd grid has no step `Δ` that
    /// keeps every move on it).
    ///
    /// # Examples
    ///
    /// ```
    /// use senmet_stats::sensitivity::{Factor, MorrisDesign};
    ///
    /// let f = |name: &str| Factor { name: name.into(), low: 0.0, high: 2.0, log: false };
    /// let design = MorrisDesign::new(&[f("a"), f("b")], 10, 4, 42)?;
    /// assert_eq!(design.points().len(), 10 * 3);
    /// # Ok::<(), senmet_stats::Error>(())
    /// ```
    pub fn new(factors: &[Factor], trajectories: usize, levels: usize, seed: u64) -> Result<Self> {
        let names = check_factors(factors)?;
        check_size(
            "the number of trajectories",
            trajectories,
            2,
            usize::MAX,
            "at least 2",
        )?;
        if levels < 2 || !levels.is_multiple_of(2) {
            return Err(Error::DesignSize {
                what: "the number of levels",
                found: levels,
                expected: "an even number of at least 2",
            });
        }
        let k = factors.len();
        let step = levels as f64 / (2.0 * (levels - 1) as f64);
        let mut moves = Vec::with_capacity(trajectories);
        let mut points = Vec::with_capacity(trajectories * (k + 1));
        for t in 0..trajectories {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(t as u64);
            let (mut x, steps) = trajectory(k, levels, step, &mut rng);
            points.push(to_factors(factors, &x));
            for &(j, delta) in &steps {
                x[j] += delta;
                points.push(to_factors(factors, &x));
            }
            moves.push(steps);
        }
        Ok(Self {
            names,
            moves,
            points,
        })
    }

    /// The design points, one row per model run, in factor units.
    pub fn points(&self) -> &[Vec<f64>] {
        &self.points
    }

    /// `μ`, `μ*` and `σ` from one output per design point.
    ///
    /// # Errors
    ///
    /// Wrong number of outputs or a non-finite output (naming its row).
    ///
    /// # Examples
    ///
    /// ```
    /// use senmet_stats::sensitivity::{Factor, MorrisDesign};
    ///
    /// let f = |name: &str| Factor { name: name.into(), low: 0.0, high: 2.0, log: false };
    /// let design = MorrisDesign::new(&[f("a"), f("b")], 10, 4, 42)?;
    /// let y: Vec<f64> = design.points().iter().map(|p| 3.0 * p[0] - p[1]).collect();
    /// let m = design.analyse(&y)?;
    /// assert!((m.mu_star[0] - 6.0).abs() < 1e-9 && (m.mu[1] + 2.0).abs() < 1e-9);
    /// # Ok::<(), senmet_stats::Error>(())
    /// ```
    pub fn analyse(&self, outputs: &[f64]) -> Result<MorrisIndices> {
        let k = self.names.len();
        check_outputs(outputs, self.points.len())?;
        let mut effects = vec![Vec::with_capacity(self.moves.len()); k];
        for (y, moves) in outputs.chunks_exact(k + 1).zip(&self.moves) {
            for (s, &(j, delta)) in moves.iter().enumerate() {
                effects[j].push((y[s + 1] - y[s]) / delta);
            }
        }
        let mut m = MorrisIndices {
            names: self.names.clone(),
            mu: Vec::with_capacity(k),
            mu_star: Vec::with_capacity(k),
            sigma: Vec::with_capacity(k),
        };
        for ee in &effects {
            let (mu, sigma) = mean_sd(ee.iter().copied());
            m.mu.push(mu);
            m.sigma.push(sigma);
            m.mu_star
                .push(ee.iter().map(|e| e.abs()).sum::<f64>() / ee.len() as f64);
        }
        Ok(m)
    }
}

/// A random start in unit range and the moves from it: a random factor order,
/// each factor moving by `±step` from a grid level that keeps it in `[0, 1]`.
fn trajectory(
    k: usize,
    levels: usize,
    step: f64,
    rng: &mut ChaCha8Rng,
) -> (Vec<f64>, Vec<(usize, f64)>) {
    let mut order: Vec<usize> = (0..k).collect();
    order.shuffle(rng);
    let signs: Vec<f64> = (0..k)
        .map(|_| if rng.random_bool(0.5) { step } else { -step })
        .collect();
    let start = signs
        .iter()
        .map(|s| {
            let base = rng.random_range(0..levels / 2) as f64 / (levels - 1) as f64;
            if *s < 0.0 {
                base + step
            } else {
                base
            }
        })
        .collect();
    (start, order.iter().map(|&j| (j, signs[j])).collect())
}

fn to_factors(factors: &[Factor], unit: &[f64]) -> Vec<f64> {
    factors.iter().zip(unit).map(|(f, u)| f.scale(*u)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor(name: &str, low: f64, high: f64) -> Factor {
        Factor {
            name: name.into(),
            low,
            high,
            log: false,
        }
    }

    #[test]
    fn trajectories_move_one_factor_by_delta_on_the_grid() -> Result<()> {
        let f = [
            factor("a", 0.0, 1.0),
            factor("b", 0.0, 1.0),
            factor("c", 0.0, 1.0),
        ];
        let d = MorrisDesign::new(&f, 20, 6, 3)?;
        let grid = |v: f64| ((v * 5.0) - (v * 5.0).round()).abs() < 1e-12;
        for traj in d.points().chunks(4) {
            for w in traj.windows(2) {
                let changed: Vec<f64> = (0..3)
                    .map(|c| w[1][c] - w[0][c])
                    .filter(|d| *d != 0.0)
                    .collect();
                assert_eq!(changed.len(), 1);
                assert!((changed[0].abs() - 0.6).abs() < 1e-12);
            }
            assert!(traj
                .iter()
                .flatten()
                .all(|v| (0.0..=1.0).contains(v) && grid(*v)));
        }
        Ok(())
    }

    #[test]
    fn bad_settings_are_errors() {
        let f = [factor("a", 0.0, 1.0)];
        assert!(matches!(
            MorrisDesign::new(&f, 1, 4, 0),
            Err(Error::DesignSize { found: 1, .. })
        ));
        assert!(MorrisDesign::new(&f, 4, 5, 0).is_err());
        assert!(MorrisDesign::new(&f, 4, 0, 0).is_err());
        assert!(MorrisDesign::new(&[factor("a", 1.0, 0.0)], 4, 4, 0).is_err());
    }

    #[test]
    fn same_seed_same_design() -> Result<()> {
        let f = [factor("a", -1.0, 1.0), factor("b", 2.0, 3.0)];
        let a = MorrisDesign::new(&f, 8, 4, 5)?;
        assert_eq!(a.points(), MorrisDesign::new(&f, 8, 4, 5)?.points());
        assert_ne!(a.points(), MorrisDesign::new(&f, 8, 4, 6)?.points());
        let mut y = vec![0.0; a.points().len()];
        y[4] = f64::NAN;
        assert!(matches!(
            a.analyse(&y),
            Err(Error::NonFiniteOutput { row: 4, .. })
        ));
        Ok(())
    }
}
