//! The stochastic firings of one hybrid trajectory: the propensity integral
//! along the solver's steps, firing times, and the jumps themselves.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::chebyshev::{self, Coefs, Powers, BASIS, CHECK, NODES};
use super::partition::{check_stoich, Jump};
use super::{Firing, Hybrid};
use crate::error::{EngineError, Result};
use crate::ode::events::Events;
use crate::ode::{Jumps, Step};
use crate::system::{Stoich, System};

/// Most halvings of a stretch whose interpolant misses the propensity.
const MAX_HALVINGS: u32 = 40;

/// A draw from Exp(1).
fn exp1(rng: &mut ChaCha8Rng) -> f64 {
    -(1.0 - rng.random::<f64>()).ln()
}

/// The propensities along one stretch of a solver step.
struct Stretch {
    /// The solver step it belongs to ([`Step::id`]).
    step: usize,
    /// Its end; time `t` is at `x = (t − mid) / half` in [−1, 1].
    hi: f64,
    mid: f64,
    half: f64,
    /// The slots at each Chebyshev point: the state there, the current
    /// discrete counts, evaluated.
    slots: Vec<Vec<f64>>,
    /// Per jump, the interpolant of its propensity.
    coefs: Vec<Coefs>,
    /// Their sum, and its antiderivative.
    total: Coefs,
    anti: Powers,
}

impl Stretch {
    fn x(&self, t: f64) -> f64 {
        ((t - self.mid) / self.half).clamp(-1.0, 1.0)
    }

    fn set_total(&mut self) {
        self.total = [0.0; NODES];
        for c in &self.coefs {
            for (t, c) in self.total.iter_mut().zip(c) {
                *t += c;
            }
        }
        self.anti = chebyshev::antiderivative(&self.total);
    }
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
    /// The width of the last stretch accepted after halving, within its
    /// step: the next stretch of the step starts from twice that.
    width: Option<(usize, f64)>,
    /// A firing found by `next_jump` and not yet made.
    pending: Option<usize>,
    stack: Vec<f64>,
    y: Vec<f64>,
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
            stack: Vec::new(),
            y: vec![0.0; hybrid.system.n_states().max(1)],
            rates: Vec::with_capacity(hybrid.jumps.len()),
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

    /// A propensity, checked.
    fn checked(&self, k: usize, time: f64, a: f64) -> Result<f64> {
        if (0.0..f64::INFINITY).contains(&a) {
            Ok(a)
        } else {
            Err(EngineError::Propensity {
                reaction: self.hybrid.jumps[k].reaction.id.clone(),
                time,
                value: a,
            })
        }
    }

    /// Evaluates the slots at time `t` of the step into `slots`; returns the
    /// total propensity there and writes each jump's into `rates`.
    fn sample(
        &mut self,
        system: &System,
        step: &mut Step,
        t: f64,
        slots: &mut Vec<f64>,
        rates: &mut [f64],
    ) -> Result<f64> {
        (step.interpolate)(t, &mut self.y)?;
        slots.clear();
        slots.extend_from_slice(step.slots);
        slots[0] = t;
        system.load_state(&self.y, slots);
        system.evaluate(slots, &mut self.stack);
        let mut total = 0.0;
        for (k, (rate, jump)) in rates.iter_mut().zip(&self.hybrid.jumps).enumerate() {
            *rate = self.checked(k, t, slots[jump.reaction.slot as usize])?;
            total += *rate;
        }
        Ok(total)
    }

    /// Interpolates the propensities from the cursor towards the end of the
    /// step, halving the stretch until the interpolant matches the total
    /// propensity at the check point to `rtol`.
    fn stretch(&mut self, system: &System, step: &mut Step) -> Result<()> {
        let mut s = self.stretch.take().unwrap_or_else(|| Stretch {
            step: 0,
            hi: 0.0,
            mid: 0.0,
            half: 0.0,
            slots: vec![Vec::new(); NODES],
            coefs: vec![[0.0; NODES]; self.hybrid.jumps.len()],
            total: [0.0; NODES],
            anti: [0.0; NODES + 1],
        });
        let n = self.hybrid.jumps.len();
        let mut values = vec![[0.0; NODES]; n];
        let mut rates = vec![0.0; n];
        let mut check_slots = Vec::new();
        let rest = step.t_now - self.cursor;
        let mut h = match self.width {
            Some((id, w)) if id == step.id => (2.0 * w).min(rest),
            _ => rest,
        };
        for halvings in 0.. {
            s.step = step.id;
            s.hi = if h >= rest {
                step.t_now
            } else {
                self.cursor + h
            };
            s.half = 0.5 * (s.hi - self.cursor);
            s.mid = self.cursor + s.half;
            let mut scale = 0.0f64;
            for (i, &x) in BASIS.x.iter().enumerate() {
                let mut slots = std::mem::take(&mut s.slots[i]);
                let t = s.mid + s.half * x;
                scale = scale.max(self.sample(system, step, t, &mut slots, &mut rates)?);
                s.slots[i] = slots;
                for (v, r) in values.iter_mut().zip(&rates) {
                    v[i] = *r;
                }
            }
            for (c, v) in s.coefs.iter_mut().zip(&values) {
                *c = BASIS.fit(v);
            }
            s.set_total();
            let t_check = s.mid + s.half * CHECK;
            let exact = self.sample(system, step, t_check, &mut check_slots, &mut rates)?;
            let fitted = chebyshev::value(&s.total, &chebyshev::powers(CHECK));
            let tol = self.hybrid.rtol * scale.max(exact);
            if (fitted - exact).abs() <= tol || halvings >= MAX_HALVINGS {
                self.width = (h < rest).then_some((step.id, h));
                break;
            }
            h *= 0.5;
        }
        self.stretch = Some(s);
        Ok(())
    }

    /// Chooses the reaction to fire at `x` of the stretch, in proportion to
    /// the interpolated propensities (none if all are zero).
    fn choose(&mut self, x: f64) -> Option<usize> {
        let s = self.stretch.as_ref()?;
        let t = chebyshev::powers(x);
        self.rates.clear();
        self.rates
            .extend(s.coefs.iter().map(|c| chebyshev::value(c, &t).max(0.0)));
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
        change(jump, slots);
        for c in &jump.reaction.changes {
            let value = slots[c.amount as usize];
            if value < 0.0 && self.hybrid.discrete.iter().any(|d| d.0 == c.species) {
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
            self.check_start(slots)?;
            system.evaluate(slots, stack);
        }
        if let Some(k) = self.pending.take() {
            self.jump(k, slots, t)?;
            self.record(k, t);
            // The solver restarts: the next step interpolates anew.
            self.stretch = None;
            system.evaluate(slots, stack);
            events.settle(system, slots, stack, t)?;
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
            if let Some(s) = &mut self.stretch {
                s.hi = f64::NEG_INFINITY;
            }
        }
        while self.cursor < t_to {
            if self
                .stretch
                .as_ref()
                .is_none_or(|s| s.step != step.id || self.cursor >= s.hi)
            {
                self.stretch(system, step)?;
            }
            let Some(s) = self.stretch.as_ref() else {
                return Ok(None);
            };
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
        let result = self.refit(&mut s, k);
        self.stretch = Some(s);
        result
    }
}

impl Firings<'_, '_> {
    /// After jump `k` fired, makes the same change at every point of the
    /// stretch and refits the propensities that read what it changed (one
    /// evaluation for a propensity that does not vary along the step).
    fn refit(&mut self, s: &mut Stretch, k: usize) -> Result<()> {
        let hybrid = self.hybrid;
        for slots in &mut s.slots {
            change(&hybrid.jumps[k], slots);
        }
        for &j in &hybrid.jumps[k].deps {
            let dep = &hybrid.jumps[j];
            let coefs = if dep.varying {
                let mut values = [0.0; NODES];
                for (v, slots) in values.iter_mut().zip(&mut s.slots) {
                    let a = dep.propensity(slots, &mut self.stack);
                    *v = self.checked(j, slots[0], a)?;
                }
                BASIS.fit(&values)
            } else {
                let slots = &mut s.slots[0];
                let a = dep.propensity(slots, &mut self.stack);
                let mut c = [0.0; NODES];
                c[0] = 2.0 * self.checked(j, slots[0], a)?;
                c
            };
            for ((total, new), old) in s.total.iter_mut().zip(&coefs).zip(&s.coefs[j]) {
                *total += new - old;
            }
            s.coefs[j] = coefs;
        }
        s.anti = chebyshev::antiderivative(&s.total);
        Ok(())
    }
}

/// Changes the amounts in `slots` as one firing of `jump` does.
fn change(jump: &Jump, slots: &mut [f64]) {
    for c in &jump.reaction.changes {
        let nu = match c.stoich {
            Stoich::Const(v) => v,
            Stoich::Slot(s) => slots[s as usize],
        };
        let f = c.factor.map_or(1.0, |s| slots[s as usize]);
        slots[c.amount as usize] += c.sign * nu * f;
    }
}
