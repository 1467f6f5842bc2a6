//! The stochastic firings of one hybrid trajectory, applied whenever the
//! solver stops (see [`Jumps`]).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::partition::check_stoich;
use super::{Firing, Hybrid};
use crate::error::{EngineError, Result};
use crate::ode::events::Events;
use crate::ode::Jumps;
use crate::system::{Stoich, System};

/// A draw from Exp(1).
pub(super) fn exp1(rng: &mut ChaCha8Rng) -> f64 {
    -(1.0 - rng.random::<f64>()).ln()
}

/// The firing state of one trajectory.
pub(super) struct Firings<'h, 'r> {
    hybrid: &'h Hybrid,
    rng: &'r mut ChaCha8Rng,
    firings: Vec<Firing>,
    /// Propensities of the stochastic reactions at the last check.
    rates: Vec<f64>,
    started: bool,
}

impl<'h, 'r> Firings<'h, 'r> {
    pub fn new(hybrid: &'h Hybrid, rng: &'r mut ChaCha8Rng) -> Self {
        Firings {
            hybrid,
            rng,
            firings: Vec::new(),
            rates: vec![0.0; hybrid.jumps.len()],
            started: false,
        }
    }

    /// The firings made, in time order.
    pub fn into_firings(self) -> Vec<Firing> {
        self.firings
    }

    /// Checks the initial counts of discrete species (non-negative, whole;
    /// rounded within 1e-9) and stoichiometries held in slots.
    fn check_start(&self, slots: &mut [f64]) -> Result<()> {
        let species = |i: usize| self.hybrid.system.species_id(i);
        for &(i, slot) in &self.hybrid.discrete {
            let v = slots[slot as usize];
            let r = v.round();
            if !(v >= 0.0 && (v - r).abs() <= 1e-9 * r.abs().max(1.0)) {
                return Err(EngineError::Count {
                    species: species(i),
                    value: v,
                });
            }
            slots[slot as usize] = r;
        }
        for j in &self.hybrid.jumps {
            for c in &j.reaction.changes {
                if let Stoich::Slot(s) = c.stoich {
                    if self.hybrid.discrete.iter().any(|d| d.0 == c.species) {
                        check_stoich(&j.reaction.id, &species(c.species), slots[s as usize])?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Reads every stochastic propensity from evaluated slots; returns their sum.
    fn propensities(&mut self, slots: &[f64]) -> Result<f64> {
        let mut total = 0.0;
        for (a, j) in self.rates.iter_mut().zip(&self.hybrid.jumps) {
            *a = slots[j.reaction.slot as usize];
            if !(*a >= 0.0 && a.is_finite()) {
                return Err(EngineError::Propensity {
                    reaction: j.reaction.id.clone(),
                    time: slots[0],
                    value: *a,
                });
            }
            total += *a;
        }
        Ok(total)
    }

    /// Fires one reaction chosen in proportion to the propensities (none if
    /// all are zero), at `t`.
    fn fire(&mut self, slots: &mut [f64], total: f64, t: f64) -> Result<()> {
        let u = self.rng.random::<f64>() * total;
        let mut acc = 0.0;
        let mut chosen = None;
        for (k, &a) in self.rates.iter().enumerate().filter(|(_, &a)| a > 0.0) {
            acc += a;
            chosen = Some(k);
            if u < acc {
                break;
            }
        }
        let Some(k) = chosen else {
            return Ok(());
        };
        for &(_, slot) in &self.hybrid.discrete {
            // The solver holds discrete amounts constant up to rounding.
            slots[slot as usize] = slots[slot as usize].round();
        }
        let jump = &self.hybrid.jumps[k];
        for c in &jump.reaction.changes {
            let nu = match c.stoich {
                Stoich::Const(v) => v,
                Stoich::Slot(s) => slots[s as usize],
            };
            let f = c.factor.map_or(1.0, |s| slots[s as usize]);
            let amount = &mut slots[c.amount as usize];
            *amount += c.sign * nu * f;
            let value = *amount;
            if value < 0.0 && self.hybrid.discrete.iter().any(|d| d.0 == c.species) {
                return Err(EngineError::NegativeCount {
                    reaction: jump.reaction.id.clone(),
                    species: self.hybrid.system.species_id(c.species),
                    value,
                    time: t,
                });
            }
        }
        self.firings.push(Firing {
            time: t,
            reaction: jump.index,
        });
        Ok(())
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
            self.check_start(slots)?;
            system.evaluate(slots, stack);
        }
        let Some((integral, threshold)) = self.hybrid.clock else {
            return Ok(());
        };
        let (integral, threshold) = (integral as usize, threshold.slot() as usize);
        loop {
            let total = self.propensities(slots)?;
            if slots[integral] < slots[threshold] {
                return Ok(());
            }
            self.fire(slots, total, t)?;
            slots[integral] = 0.0;
            slots[threshold] = exp1(self.rng);
            system.evaluate(slots, stack);
            events.settle(system, slots, stack, t)?;
        }
    }
}
