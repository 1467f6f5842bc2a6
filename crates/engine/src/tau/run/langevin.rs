//! Continuous species under the chemical Langevin equation: the leaps of
//! the hybrid method with Langevin noise (see [`crate::hybrid`]).
//!
//! A reaction whose net changes all fall on continuous species, each at
//! least the level below which it is a whole count (next paragraph), and
//! whose expected number of firings in a leap, λ = aτ, is at least
//! [`GAUSSIAN_MEAN`], fires a Normal(λ, λ) number of times, not rounded. That is the Euler–Maruyama step of the chemical
//! Langevin equation, the large-λ limit of the Poisson leap (Gillespie
//! 2000, J Chem Phys 113:297), and its species take fractional amounts.
//! The bounds have the form of Salis & Kaznessis's (2005, J Chem Phys
//! 122:054103) test for a "fast" reaction, aⱼΔt ≥ λ and enough molecules of
//! the species it changes; senmet takes λ = 10 and the hybrid's threshold
//! (default 100) for the amounts. Every other reaction leaps or fires as in
//! plain tau-leaping.
//!
//! A continuous species keeps a fractional amount only while Gaussian
//! firings move it, and only at or above the threshold (and above `nc`
//! times the most molecules a firing consumes of it, where its reactions
//! could turn critical). Otherwise it is a whole count again, so that
//! Poisson leaps and exact firings never step past a zero by a fraction
//! (below zero, or a logistic growth past its capacity): whenever the state
//! settles (at the start, so a fractional initial amount too; after a leap,
//! before event triggers are checked and again after events) and before
//! exact steps, a fractional amount there is rounded down, or up with
//! probability its fractional part, which keeps the mean and adds a
//! variance of at most 1/4 each time.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::Run;
use crate::ssa::Discrete;
use crate::system::Stoich;
use crate::tau::select::Plan;

/// The least expected number of firings in a leap at which a reaction of
/// continuous species fires a Gaussian number of times (the λ of Salis &
/// Kaznessis's test).
const GAUSSIAN_MEAN: f64 = 10.0;

/// Which species are continuous, and what follows for the reactions.
#[derive(Debug, Clone)]
pub(in crate::tau) struct Langevin {
    /// Per species (by index): continuous.
    continuous: Vec<bool>,
    /// Per reaction: it changes at least one species, and only continuous ones.
    eligible: Vec<bool>,
    /// Per species: below this amount a continuous species is a whole count.
    whole_below: Vec<f64>,
}

impl Langevin {
    /// The species of `model` flagged in `continuous` follow the Langevin
    /// equation at and above `threshold`. A species is a whole count below
    /// `nc` times the most molecules a firing consumes of it even if the
    /// threshold is lower, so that no reaction that can be critical (fired
    /// exactly, `nc` firings from exhausting a reactant) meets a fractional
    /// amount.
    pub fn new(model: &Discrete, continuous: Vec<bool>, threshold: f64, nc: f64) -> Self {
        let eligible = (model.reactions.iter())
            .map(|r| !r.changes.is_empty() && r.changes.iter().all(|c| continuous[c.species]))
            .collect();
        let mut whole_below = vec![threshold.max(nc); continuous.len()];
        for c in model.reactions.iter().flat_map(|r| &r.changes) {
            if let (Stoich::Const(m), true) = (c.stoich, c.sign < 0.0) {
                let level = &mut whole_below[c.species];
                *level = level.max(nc * m);
            }
        }
        Langevin {
            continuous,
            eligible,
            whole_below,
        }
    }

    /// Whether species `i` is continuous.
    pub fn continuous(&self, i: usize) -> bool {
        self.continuous[i]
    }

    /// How many times non-critical reaction `j` fires in a leap in which it
    /// is expected to fire `lambda` times: a Gaussian number if it is a
    /// reaction of continuous species above the threshold and `lambda` is
    /// large enough, else `None` (a Poisson number, as in plain leaps).
    #[inline]
    pub fn gaussian(
        &self,
        j: usize,
        lambda: f64,
        plan: &Plan,
        slots: &[f64],
        rng: &mut ChaCha8Rng,
    ) -> Option<f64> {
        let fast = self.eligible[j]
            && lambda >= GAUSSIAN_MEAN
            && (plan.net(j).iter()).all(|&(i, _)| slots[plan.amount(i)] >= self.whole_below[i]);
        fast.then(|| lambda + lambda.sqrt() * rng.sample::<f64, _>(StandardNormal))
    }
}

impl Run<'_, '_> {
    /// Rounds to a whole count (up with probability its fractional part)
    /// every fractional continuous species that is below its whole-count
    /// level or that no Gaussian draw moved in the leap drawn last; whether
    /// any was rounded.
    #[inline]
    pub(super) fn round_low(&mut self) -> bool {
        self.tau.langevin.is_some() && self.round_continuous()
    }

    /// Forgets the Gaussian draws of the leap drawn last: from here on every
    /// fractional continuous species is rounded.
    #[inline]
    pub(super) fn forget_draws(&mut self) {
        if self.tau.langevin.is_some() {
            self.drawn.fill(false);
        }
    }

    #[inline(never)]
    fn round_continuous(&mut self) -> bool {
        let Some(langevin) = &self.tau.langevin else {
            return false;
        };
        let mut rounded = false;
        for &i in &self.tau.model.changed {
            let x = &mut self.slots[self.plan.amount(i)];
            let keep = self.drawn[i] && *x >= langevin.whole_below[i];
            if langevin.continuous[i] && !keep && x.fract() != 0.0 {
                let down = x.floor();
                *x = down + f64::from(u8::from(self.rng.random::<f64>() < *x - down));
                rounded = true;
            }
        }
        rounded
    }
}
