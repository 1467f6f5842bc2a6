//! The stochastic firings of one hybrid trajectory: the propensity integral
//! along the solver's steps, firing times, and the jumps themselves.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::chebyshev;
use super::stretch::{Sampler, Stretch};
use super::{Firing, Hybrid};
use crate::error::{EngineError, Result};
use crate::ode::events::Events;
use crate::ode::{Jumps, Step};
use crate::system::System;

/// A draw from Exp(1).
fn exp1(rng: &mut ChaCha8Rng) -> f64 {
    -(1.0 - rng.random::<f64>()).ln()
}

/// The firing state of one trajectory.
pub(super) struct Firings<'h, 'r> {
    hybrid: &'h Hybrid,
    rng: &'r mut ChaCha8Rng,
    firings: Vec<Firing>,
    started: bool,
    /// What the integral of the total propensity has yet to gain before the
    /// next firing (an Exp(1) draw, less what has accrued since the last).
    budget: f64,
    /// The time up to which the integral has been taken.
    cursor: f64,
    stretch: Option<Stretch>,
    /// The width of the last stretch of a step, when it ended before the
    /// step's horizon: the next stretch of the step starts from twice that.
    width: Option<(usize, f64)>,
    /// A firing found by `next_jump` and not yet made.
    pending: Option<usize>,
    sampler: Sampler,
    /// Scratch for the propensities at a firing.
    rates: Vec<f64>,
}

impl<'h, 'r> Firings<'h, 'r> {
    pub fn new(hybrid: &'h Hybrid, rng: &'r mut ChaCha8Rng) -> Self {
        let budget = exp1(rng);
        Firings {
            hybrid,
            rng,
            firings: Vec::new(),
            started: false,
            budget,
            cursor: f64::NEG_INFINITY,
            stretch: None,
            width: None,
            pending: None,
            sampler: Sampler::new(hybrid),
            rates: Vec::with_capacity(hybrid.jumps.len()),
        }
    }

    /// The firings made, in time order.
    pub fn into_firings(self) -> Vec<Firing> {
        self.firings
    }

    /// Checks the counts of discrete species (non-negative, whole; rounded
    /// within 1e-9): at the start and whenever events may have set them.
    fn check_counts(&self, slots: &mut [f64]) -> Result<()> {
        for &i in &self.hybrid.discrete {
            self.hybrid.system.round_count(i, slots)?;
        }
        Ok(())
    }

    /// Checks that every firing changes discrete counts by whole numbers
    /// (stoichiometries held in slots, conversion factors).
    fn check_changes(&self, slots: &[f64]) -> Result<()> {
        let hybrid = self.hybrid;
        for j in &hybrid.jumps {
            let discrete = |i: usize| hybrid.is_discrete[i];
            j.reaction.check_whole(&hybrid.system, slots, discrete)?;
        }
        Ok(())
    }

    /// Chooses the reaction to fire at `x` of the stretch, in proportion to
    /// the interpolated propensities (none if all are zero).
    fn choose(&mut self, x: f64) -> Option<usize> {
        self.stretch
            .as_ref()?
            .rates(&chebyshev::powers(x), &mut self.rates);
        let u = self.rng.random::<f64>() * self.rates.iter().sum::<f64>();
        let mut acc = 0.0;
        let mut chosen = None;
        for (k, &a) in self.rates.iter().enumerate().filter(|(_, &a)| a > 0.0) {
            acc += a;
            chosen = Some(k);
            if u < acc {
                break;
            }
        }
        chosen
    }

    /// Changes the amounts in `slots` as one firing of jump `k` at `t`
    /// does; a discrete count may not turn negative.
    fn jump(&self, k: usize, slots: &mut [f64], t: f64) -> Result<()> {
        let jump = &self.hybrid.jumps[k];
        jump.reaction.fire(1.0, slots);
        for c in &jump.reaction.changes {
            let value = slots[c.amount as usize];
            if value < 0.0 && self.hybrid.is_discrete[c.species] {
                return Err(EngineError::NegativeCount {
                    reaction: jump.reaction.id.clone(),
                    species: self.hybrid.system.species_id(c.species),
                    value,
                    time: t,
                });
            }
        }
        Ok(())
    }

    /// Records the firing of `k` at `t` and draws the next threshold.
    fn record(&mut self, k: usize, t: f64) {
        self.firings.push(Firing {
            time: t,
            reaction: self.hybrid.jumps[k].index,
        });
        self.budget = exp1(self.rng);
    }
}

impl Jumps for Firings<'_, '_> {
    fn after_settle(
        &mut self,
        system: &System,
        slots: &mut [f64],
        stack: &mut Vec<f64>,
        events: &mut Events,
        t: f64,
    ) -> Result<()> {
        if !self.started {
            self.started = true;
            self.check_changes(slots)?;
        }
        // Events may have set discrete counts.
        self.check_counts(slots)?;
        system.evaluate(slots, stack);
        if let Some(k) = self.pending.take() {
            // A firing at the time of an event (probability zero) comes
            // after the event here, and before it when it does not restart
            // the solver.
            self.jump(k, slots, t)?;
            self.record(k, t);
            // The solver restarts: the next step interpolates anew.
            self.stretch = None;
            system.evaluate(slots, stack);
            events.settle(system, slots, stack, t)?;
            self.check_counts(slots)?;
        }
        Ok(())
    }

    fn next_jump(
        &mut self,
        system: &System,
        step: &mut Step,
        t_to: f64,
    ) -> Result<Option<(f64, bool)>> {
        if self.hybrid.jumps.is_empty() {
            return Ok(None);
        }
        if self.stretch.as_ref().is_none_or(|s| s.step != step.id) {
            self.cursor = step.t_prev;
        }
        while self.cursor < t_to {
            let current = self
                .stretch
                .as_ref()
                .is_some_and(|s| s.step == step.id && self.cursor < s.hi);
            if !current {
                let width = match self.width {
                    Some((id, w)) if id == step.id => 2.0 * w,
                    _ => f64::INFINITY,
                };
                let s = self.sampler.stretch(
                    self.hybrid,
                    system,
                    step,
                    (self.cursor, t_to),
                    width,
                    self.stretch.take(),
                )?;
                self.width = (s.hi < t_to).then_some((step.id, s.hi - self.cursor));
                self.stretch = Some(s);
            }
            let s = self.stretch.as_ref().expect("a stretch was just made");
            let end = t_to.min(s.hi);
            let (lo, hi) = (s.x(self.cursor), s.x(end));
            let base = chebyshev::integral(&s.anti, &chebyshev::powers(lo));
            let gained = s.half * (chebyshev::integral(&s.anti, &chebyshev::powers(hi)) - base);
            if gained < self.budget {
                self.budget -= gained.max(0.0);
                self.cursor = end;
                continue;
            }
            let x = chebyshev::solve(
                &s.total,
                &s.anti,
                s.half,
                (lo, hi),
                (base, gained),
                self.budget,
            );
            let t = (s.mid + s.half * x).clamp(self.cursor, end);
            self.cursor = t;
            match self.choose(x) {
                Some(k) => {
                    self.pending = Some(k);
                    return Ok(Some((t, self.hybrid.jumps[k].restart)));
                }
                None => self.budget = exp1(self.rng),
            }
        }
        Ok(None)
    }

    fn apply(&mut self, slots: &mut [f64], t: f64) -> Result<()> {
        let Some(k) = self.pending.take() else {
            return Ok(());
        };
        self.jump(k, slots, t)?;
        self.record(k, t);
        let Some(mut s) = self.stretch.take() else {
            return Ok(());
        };
        let result = self.sampler.refit(self.hybrid, &mut s, k);
        self.stretch = Some(s);
        result
    }
}
