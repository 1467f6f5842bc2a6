//! The stochastic propensities along a stretch of an accepted solver step:
//! sampled from the solver's dense output at the Chebyshev points, checked
//! at one more point, and kept up to date as discrete counts change.

use super::chebyshev::{self, Coefs, Powers, BASIS, CHECK, NODES};
use super::Hybrid;
use crate::error::{EngineError, Result};
use crate::ode::Step;
use crate::system::System;

/// Most halvings of a stretch whose interpolant misses the propensity.
const MAX_HALVINGS: u32 = 40;

/// The propensities along one stretch of a solver step.
pub(super) struct Stretch {
    /// The solver step it belongs to ([`Step::id`]).
    pub step: usize,
    /// Its end; time `t` is at `x = (t − mid) / half` in [−1, 1].
    pub hi: f64,
    pub mid: f64,
    pub half: f64,
    /// The slots at each Chebyshev point in use: the state there, the
    /// current discrete counts, evaluated. One point when no propensity
    /// varies along the step.
    slots: Vec<Vec<f64>>,
    points: usize,
    /// Per jump, the interpolant of its propensity.
    coefs: Vec<Coefs>,
    /// Their sum, and its antiderivative.
    pub total: Coefs,
    pub anti: Powers,
}

/// Scratch for building stretches, reused from one to the next.
pub(super) struct Sampler {
    /// Whether any propensity may change along a solver step.
    varying: bool,
    y: Vec<f64>,
    stack: Vec<f64>,
    values: Vec<Coefs>,
    rates: Vec<f64>,
    check: Vec<f64>,
}

impl Sampler {
    pub fn new(hybrid: &Hybrid) -> Self {
        let n = hybrid.jumps.len();
        Sampler {
            varying: hybrid.jumps.iter().any(|j| j.varying),
            y: vec![0.0; hybrid.system.n_states().max(1)],
            stack: Vec::new(),
            values: vec![[0.0; NODES]; n],
            rates: vec![0.0; n],
            check: Vec::new(),
        }
    }

    /// Evaluates the slots at time `t` of the step into `slots`; returns the
    /// total propensity there and leaves each jump's in `self.rates`.
    fn sample(
        &mut self,
        hybrid: &Hybrid,
        system: &System,
        step: &mut Step,
        t: f64,
        slots: &mut Vec<f64>,
    ) -> Result<f64> {
        (step.interpolate)(t, &mut self.y)?;
        slots.clear();
        slots.extend_from_slice(step.slots);
        slots[0] = t;
        system.load_state(&self.y, slots);
        system.evaluate(slots, &mut self.stack);
        let mut total = 0.0;
        for (k, (rate, jump)) in self.rates.iter_mut().zip(&hybrid.jumps).enumerate() {
            *rate = checked(hybrid, k, t, slots[jump.reaction.slot as usize])?;
            total += *rate;
        }
        Ok(total)
    }

    /// The propensities from `t_from` towards `t_to` within the step: the
    /// stretch is halved until the interpolant matches the total propensity
    /// at the check point to `rtol`, relative to it or to one firing over
    /// the stretch (or 40 halvings, or a width at rounding level). `width`
    /// is a width to start from.
    pub fn stretch(
        &mut self,
        hybrid: &Hybrid,
        system: &System,
        step: &mut Step,
        (t_from, t_to): (f64, f64),
        width: f64,
        reuse: Option<Stretch>,
    ) -> Result<Stretch> {
        let n = hybrid.jumps.len();
        let mut s = reuse.unwrap_or_else(|| Stretch {
            step: 0,
            hi: 0.0,
            mid: 0.0,
            half: 0.0,
            slots: vec![Vec::new(); NODES],
            points: 0,
            coefs: vec![[0.0; NODES]; n],
            total: [0.0; NODES],
            anti: [0.0; NODES + 1],
        });
        s.step = step.id;
        let rest = t_to - t_from;
        let mut h = width.min(rest);
        let mut halvings = 0;
        loop {
            s.hi = if h >= rest { t_to } else { t_from + h };
            s.half = 0.5 * (s.hi - t_from);
            s.mid = t_from + s.half;
            if !self.varying {
                // Constant along the step: one sample gives every propensity.
                s.points = 1;
                let mid = s.mid;
                self.sample(hybrid, system, step, mid, &mut s.slots[0])?;
                for (c, &a) in s.coefs.iter_mut().zip(&self.rates) {
                    *c = constant(a);
                }
                s.set_total();
                return Ok(s);
            }
            s.points = NODES;
            let mut scale = 0.0f64;
            for (i, &x) in BASIS.x.iter().enumerate() {
                let t = s.mid + s.half * x;
                scale = scale.max(self.sample(hybrid, system, step, t, &mut s.slots[i])?);
                for (v, r) in self.values.iter_mut().zip(&self.rates) {
                    v[i] = *r;
                }
            }
            for (c, v) in s.coefs.iter_mut().zip(&self.values) {
                *c = BASIS.fit(v);
            }
            s.set_total();
            let mut check = std::mem::take(&mut self.check);
            let exact = self.sample(hybrid, system, step, s.mid + s.half * CHECK, &mut check);
            self.check = check;
            let exact = exact?;
            let fitted = chebyshev::value(&s.total, &chebyshev::powers(CHECK));
            // Relative to the propensity, or to one expected firing over
            // the stretch: propensities at the noise floor of the solver's
            // state (a species decayed to ~atol) cannot be matched
            // relatively, and do not need to be.
            let span = s.hi - t_from;
            let close =
                (fitted - exact).abs() * span <= hybrid.rtol * (scale.max(exact) * span).max(1.0);
            let last = halvings >= MAX_HALVINGS || t_from + 0.5 * h <= t_from;
            if close || last {
                return Ok(s);
            }
            h *= 0.5;
            halvings += 1;
        }
    }

    /// After jump `k` fired, makes the same change at every point of the
    /// stretch and refits the propensities that read what it changed (one
    /// evaluation for a propensity that does not vary along the step).
    #[inline]
    pub fn refit(&mut self, hybrid: &Hybrid, s: &mut Stretch, k: usize) -> Result<()> {
        for slots in &mut s.slots[..s.points] {
            hybrid.jumps[k].reaction.fire(1.0, slots);
        }
        for &j in &hybrid.jumps[k].deps {
            let dep = &hybrid.jumps[j];
            let coefs = if dep.varying {
                let mut values = [0.0; NODES];
                for (v, slots) in values.iter_mut().zip(&mut s.slots) {
                    let a = dep.propensity(slots, &mut self.stack);
                    *v = checked(hybrid, j, slots[0], a)?;
                }
                BASIS.fit(&values)
            } else {
                let slots = &mut s.slots[0];
                let a = dep.propensity(slots, &mut self.stack);
                constant(checked(hybrid, j, slots[0], a)?)
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

impl Stretch {
    /// Where time `t` lies on [−1, 1].
    pub fn x(&self, t: f64) -> f64 {
        ((t - self.mid) / self.half).clamp(-1.0, 1.0)
    }

    /// Each jump's interpolated propensity at `t` (the Chebyshev
    /// polynomials at its `x`), clamped at 0, into `out`.
    pub fn rates(&self, t: &Powers, out: &mut Vec<f64>) {
        out.clear();
        out.extend(self.coefs.iter().map(|c| chebyshev::value(c, t).max(0.0)));
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

/// The interpolant of a constant.
fn constant(a: f64) -> Coefs {
    let mut c = [0.0; NODES];
    c[0] = 2.0 * a;
    c
}

/// A propensity, checked: negative (beyond the solver's absolute tolerance,
/// which a state interpolated near zero may miss by), infinite or NaN is an
/// error; a negative within it counts as 0.
pub(super) fn checked(hybrid: &Hybrid, k: usize, time: f64, a: f64) -> Result<f64> {
    if (0.0..f64::INFINITY).contains(&a) {
        Ok(a)
    } else if a < 0.0 && a >= -hybrid.atol {
        Ok(0.0)
    } else {
        Err(EngineError::Propensity {
            reaction: hybrid.jumps[k].reaction.id.clone(),
            time,
            value: a,
        })
    }
}
