//! Ensembles of stochastic trajectories (exact SSA, tau-leaping, hybrid), in parallel and reproducible.
//!
//! Trajectory `i` draws from `ChaCha8Rng::seed_from_u64(seed)` with stream
//! `i`, so it is the same whichever thread runs it. Trajectories are grouped
//! in fixed blocks of [`BLOCK`]; each block accumulates means and squared
//! deviations (Welford) and blocks are merged in index order (Chan et al.
//! 1979), so the summary is bit-identical for any number of threads. Within
//! a block trajectories run two at a time ([`Trajectory::trajectory_pair`]:
//! the exact SSA interleaves their firings, each trajectory the same as
//! alone). Nothing is kept per trajectory unless asked for ([`trajectories`]).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use senmet_core::Seed;

use crate::error::{EngineError, Result};
use crate::system::{Observable, System};

/// Trajectories per block of the parallel reduction.
pub const BLOCK: usize = 64;

/// Blocks run in parallel before their statistics are merged.
const WAVE: usize = 256;

/// A stochastic simulator: one trajectory from a random stream.
pub trait Trajectory: Sync {
    /// The compiled network (to look up observables).
    fn system(&self) -> &System;

    /// Simulates one trajectory and writes `observables` at each of `times`
    /// into `out` (row-major: `times.len()` rows of `observables.len()`).
    /// Returns the number of reaction events simulated.
    ///
    /// # Errors
    ///
    /// Bad output times or buffer size, invalid propensities or counts,
    /// event cascades, solver failures.
    fn trajectory(
        &self,
        rng: &mut ChaCha8Rng,
        times: &[f64],
        observables: &[Observable],
        out: &mut [f64],
    ) -> Result<u64>;

    /// Two trajectories, each from its own stream into its own output,
    /// exactly as [`Trajectory::trajectory`] simulates each alone; the
    /// default runs one after the other. A simulator whose loop is a chain
    /// of dependent steps may interleave them, so that the processor works
    /// on one while the other waits.
    fn trajectory_pair(
        &self,
        [a, b]: [Lane<'_>; 2],
        times: &[f64],
        observables: &[Observable],
    ) -> [Result<u64>; 2] {
        [
            self.trajectory(a.rng, times, observables, a.out),
            self.trajectory(b.rng, times, observables, b.out),
        ]
    }
}

/// One trajectory of a [`Trajectory::trajectory_pair`]: its random stream
/// and its output.
#[derive(Debug)]
pub struct Lane<'a> {
    /// The trajectory's random stream.
    pub rng: &'a mut ChaCha8Rng,
    /// Its output, as [`Trajectory::trajectory`] writes it.
    pub out: &'a mut [f64],
}

/// The random stream of trajectory `i` under master seed `seed`.
pub fn stream(seed: Seed, i: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed.get());
    rng.set_stream(i);
    rng
}

/// Means and standard deviations over an ensemble, per output time and observable.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Number of trajectories.
    pub runs: usize,
    /// Sample means, row-major (time × observable).
    pub mean: Vec<f64>,
    /// Sample standard deviations (divisor n − 1), row-major.
    pub sd: Vec<f64>,
    /// Reaction events simulated over all trajectories.
    pub events: u64,
}

/// Streaming mean and sum of squared deviations per cell.
#[derive(Debug, Clone)]
struct Moments {
    n: f64,
    mean: Vec<f64>,
    m2: Vec<f64>,
    events: u64,
}

impl Moments {
    fn new(cells: usize) -> Self {
        Moments {
            n: 0.0,
            mean: vec![0.0; cells],
            m2: vec![0.0; cells],
            events: 0,
        }
    }

    fn push(&mut self, x: &[f64]) {
        self.n += 1.0;
        for ((m, s), &v) in self.mean.iter_mut().zip(&mut self.m2).zip(x) {
            let d = v - *m;
            *m += d / self.n;
            *s += d * (v - *m);
        }
    }

    fn merge(&mut self, other: &Moments) {
        let n = self.n + other.n;
        if other.n == 0.0 {
            return;
        }
        for i in 0..self.mean.len() {
            let d = other.mean[i] - self.mean[i];
            self.mean[i] += d * other.n / n;
            self.m2[i] += other.m2[i] + d * d * self.n * other.n / n;
        }
        self.n = n;
        self.events += other.events;
    }
}

/// Runs `runs` trajectories and returns their means and SDs at `times`.
/// `progress` is called with the number of trajectories just finished.
///
/// # Errors
///
/// The first failing trajectory's error (by index); bad settings.
pub fn summarize<T: Trajectory + ?Sized>(
    sim: &T,
    times: &[f64],
    observables: &[Observable],
    runs: usize,
    seed: Seed,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Summary> {
    let cells = times.len() * observables.len();
    let n_blocks = runs.div_ceil(BLOCK);
    let mut total = Moments::new(cells);
    for wave in (0..n_blocks).step_by(WAVE) {
        let blocks: Vec<Result<Moments>> = (wave..(wave + WAVE).min(n_blocks))
            .into_par_iter()
            .map(|b| {
                let mut m = Moments::new(cells);
                let mut out = vec![0.0; 2 * cells];
                let end = ((b + 1) * BLOCK).min(runs);
                // Two at a time (the first of two errors is the earlier
                // trajectory's); a last odd one alone.
                for i in (b * BLOCK..end).step_by(2) {
                    let n = (end - i).min(2);
                    let out = &mut out[..n * cells];
                    for (r, out) in pair(sim, i, n, seed, times, observables, out) {
                        m.events += r?;
                        m.push(out);
                    }
                }
                progress(end - b * BLOCK);
                Ok(m)
            })
            .collect();
        for m in blocks {
            total.merge(&m?);
        }
    }
    let denom = (total.n - 1.0).max(1.0);
    Ok(Summary {
        runs,
        sd: total.m2.iter().map(|s| (s / denom).sqrt()).collect(),
        mean: total.mean,
        events: total.events,
    })
}

/// Runs `runs` trajectories and keeps each (row-major as in [`Trajectory::trajectory`]).
///
/// # Errors
///
/// As [`summarize`].
pub fn trajectories<T: Trajectory + ?Sized>(
    sim: &T,
    times: &[f64],
    observables: &[Observable],
    runs: usize,
    seed: Seed,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Vec<Vec<f64>>> {
    let cells = times.len() * observables.len();
    let pairs: Vec<Result<Vec<Vec<f64>>>> = (0..runs.div_ceil(2))
        .into_par_iter()
        .map(|p| {
            let (i, n) = (2 * p, (runs - 2 * p).min(2));
            let mut out = vec![0.0; n * cells];
            let mut kept = Vec::with_capacity(n);
            for (r, out) in pair(sim, i, n, seed, times, observables, &mut out) {
                r?;
                kept.push(out.to_vec());
            }
            progress(n);
            Ok(kept)
        })
        .collect();
    let mut all = Vec::with_capacity(runs);
    for kept in pairs {
        all.extend(kept?);
    }
    Ok(all)
}

/// Trajectories `i` and `i + 1` (`n` = 2) or `i` alone (`n` = 1) into
/// `out` (`n` outputs of `cells` values, one after the other); each
/// output with its trajectory's result, in order.
fn pair<'o, T: Trajectory + ?Sized>(
    sim: &T,
    i: usize,
    n: usize,
    seed: Seed,
    times: &[f64],
    observables: &[Observable],
    out: &'o mut [f64],
) -> impl Iterator<Item = (Result<u64>, &'o [f64])> {
    debug_assert!(n == 1 || n == 2, "a pair or one: {n}");
    let (a, b) = out.split_at_mut(out.len() / n);
    let mut rngs = [stream(seed, i as u64), stream(seed, i as u64 + 1)];
    let [ra, rb] = &mut rngs;
    let results = if n == 2 {
        let lanes = [Lane { rng: ra, out: a }, Lane { rng: rb, out: b }];
        Vec::from(sim.trajectory_pair(lanes, times, observables))
    } else {
        vec![sim.trajectory(ra, times, observables, a)]
    };
    let (a, b): (&'o [f64], &'o [f64]) = (a, b);
    results.into_iter().zip([a, b])
}

/// Checks output times (finite, ascending, not before `t0`) and the output buffer's size.
pub(crate) fn check_times(times: &[f64], t0: f64, n_obs: usize, out_len: usize) -> Result<()> {
    let sorted = times.windows(2).all(|w| w[0] <= w[1]);
    let after = times.first().is_none_or(|&t| t >= t0);
    if !(sorted && after && times.iter().all(|t| t.is_finite())) {
        return Err(EngineError::InvalidSetting {
            name: "output times",
            expected: "finite, ascending and not before t0",
            found: format!("{} times from {:?}", times.len(), times.first()),
        });
    }
    if out_len != times.len() * n_obs {
        return Err(EngineError::InvalidSetting {
            name: "output buffer",
            expected: "one value per output time and observable",
            found: format!("{out_len} values"),
        });
    }
    Ok(())
}
