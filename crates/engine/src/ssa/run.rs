//! One SSA trajectory: the direct method's loop with events and output.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::tree::SumTree;
use super::{Ssa, SsaMethod};
use crate::error::{EngineError, Result};
use crate::ode::events::Events;
use crate::stochastic::check_times;
use crate::system::Observable;

/// A trajectory in progress.
pub(super) struct Run<'s, 'o> {
    ssa: &'s Ssa,
    rng: &'o mut ChaCha8Rng,
    times: &'o [f64],
    observables: &'o [Observable],
    out: &'o mut [f64],
    slots: Vec<f64>,
    stack: Vec<f64>,
    events: Option<Events>,
    tree: SumTree,
    /// Next output row.
    row: usize,
    t: f64,
    fired: u64,
}

impl<'s, 'o> Run<'s, 'o> {
    /// Prepares a trajectory from the initial state.
    pub fn new(
        ssa: &'s Ssa,
        rng: &'o mut ChaCha8Rng,
        times: &'o [f64],
        observables: &'o [Observable],
        out: &'o mut [f64],
    ) -> Result<Self> {
        check_times(times, ssa.t0, observables.len(), out.len())?;
        let sys = &ssa.model.system;
        let mut stack = Vec::new();
        let slots = sys.initial_slots(ssa.t0, &[], &mut stack);
        let events = (!sys.events.is_empty())
            .then(|| Events::new(sys, ChaCha8Rng::seed_from_u64(rng.random())));
        Ok(Run {
            ssa,
            rng,
            times,
            observables,
            out,
            slots,
            stack,
            events,
            tree: SumTree::new(ssa.model.reactions.len()),
            row: 0,
            t: ssa.t0,
            fired: 0,
        })
    }

    /// Runs to the last output time; returns the number of firings.
    pub fn simulate(mut self) -> Result<u64> {
        let model = &self.ssa.model;
        model.check_start(&mut self.slots)?;
        self.settle()?;
        let t_end = self.times.last().copied().unwrap_or(self.t);
        while self.row < self.times.len() {
            for &j in &model.timed {
                self.slots[0] = self.t;
                let a = model.propensity(j, &mut self.slots, &mut self.stack)?;
                self.tree.set(j, a);
            }
            if !model.timed.is_empty() {
                self.tree.update();
            }
            let a0 = self.tree.total();
            let u: f64 = self.rng.random();
            let t_next = if a0 > 0.0 {
                self.t - (1.0 - u).ln() / a0
            } else {
                f64::INFINITY
            };
            if let Some(te) = self.interruption(t_next.min(t_end)) {
                self.record(te, false);
                self.t = te;
                self.settle()?;
                continue;
            }
            if t_next > t_end {
                self.record(t_end, true);
                break;
            }
            self.record(t_next, false);
            self.step(t_next, a0)?;
        }
        Ok(self.fired)
    }

    /// Fires one reaction at `t_next`.
    fn step(&mut self, t_next: f64, a0: f64) -> Result<()> {
        let model = &self.ssa.model;
        let u: f64 = self.rng.random::<f64>() * a0;
        let Some(j) = self.select(u) else {
            return Ok(());
        };
        self.t = t_next;
        self.slots[0] = t_next;
        model.fire(j, 1.0, &mut self.slots);
        self.fired += 1;
        if self.fired > self.ssa.max_firings {
            return Err(EngineError::Solver {
                time: t_next,
                message: format!("more than {} reaction firings", self.ssa.max_firings),
            });
        }
        if self.events.is_some() {
            return self.settle();
        }
        match self.ssa.method {
            SsaMethod::Direct => self.refresh_all(),
            SsaMethod::SumTree => {
                for &k in &model.deps[j] {
                    let a = model.propensity(k, &mut self.slots, &mut self.stack)?;
                    self.tree.set(k, a);
                }
                self.tree.update();
                Ok(())
            }
        }
    }

    /// The reaction where the cumulative propensity first exceeds `u`.
    fn select(&self, u: f64) -> Option<usize> {
        match self.ssa.method {
            SsaMethod::SumTree => self.tree.find(u),
            SsaMethod::Direct => {
                let n = self.ssa.model.reactions.len();
                let mut acc = 0.0;
                let mut last = None;
                for j in 0..n {
                    let a = self.tree.get(j);
                    acc += a;
                    if a > 0.0 {
                        last = Some(j);
                        if u < acc {
                            return Some(j);
                        }
                    }
                }
                last
            }
        }
    }

    fn refresh_all(&mut self) -> Result<()> {
        let model = &self.ssa.model;
        for j in 0..model.reactions.len() {
            let a = model.propensity(j, &mut self.slots, &mut self.stack)?;
            self.tree.set(j, a);
        }
        self.tree.update();
        Ok(())
    }

    /// Executes events due at the current time, then recomputes every propensity.
    fn settle(&mut self) -> Result<()> {
        let sys = &self.ssa.model.system;
        self.slots[0] = self.t;
        if let Some(events) = &mut self.events {
            sys.evaluate(&mut self.slots, &mut self.stack);
            events.settle(sys, &mut self.slots, &mut self.stack, self.t)?;
        }
        self.refresh_all()
    }

    /// The time before `horizon` at which an event is due with the state held
    /// fixed (a delayed event, or a trigger on time), if any.
    fn interruption(&mut self, horizon: f64) -> Option<f64> {
        let sys = &self.ssa.model.system;
        let events = self.events.as_ref()?;
        if let Some(p) = events.next_time().filter(|&p| p <= horizon) {
            return Some(p.max(self.t));
        }
        let changed = |t: f64, slots: &mut Vec<f64>, stack: &mut Vec<f64>| {
            slots[0] = t;
            sys.evaluate(slots, stack);
            events.any_trigger_changed(sys, slots, stack)
        };
        if !horizon.is_finite() || !changed(horizon, &mut self.slots, &mut self.stack) {
            return None;
        }
        let (mut lo, mut hi) = (self.t, horizon);
        while hi - lo > 4.0 * f64::EPSILON * hi.abs().max(1.0) {
            let mid = 0.5 * (lo + hi);
            if changed(mid, &mut self.slots, &mut self.stack) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Some(hi)
    }

    /// Writes output rows for times before `t` (or up to `t` if `inclusive`):
    /// the state is constant between firings.
    #[inline]
    fn record(&mut self, t: f64, inclusive: bool) {
        // Most firings fall between output times: nothing to write.
        if self.times.get(self.row).is_none_or(|&tau| tau > t) {
            self.slots[0] = self.t;
            return;
        }
        self.write_rows(t, inclusive);
    }

    fn write_rows(&mut self, t: f64, inclusive: bool) {
        let sys = &self.ssa.model.system;
        let n = self.observables.len();
        while let Some(&tau) = self.times.get(self.row) {
            // Strictly before: within rounding of `t` counts as at `t`
            // (after the event there, as bisection may land just past it).
            let before = tau < t - 1e-9 * t.abs().max(1.0);
            if !(before || (inclusive && tau <= t)) {
                break;
            }
            self.slots[0] = tau;
            sys.evaluate(&mut self.slots, &mut self.stack);
            let row = &mut self.out[self.row * n..(self.row + 1) * n];
            for (v, o) in row.iter_mut().zip(self.observables) {
                *v = sys.read(*o, &self.slots);
            }
            self.row += 1;
        }
        self.slots[0] = self.t;
    }
}
