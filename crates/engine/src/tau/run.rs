//! One tau-leaping trajectory: leaps, runs of exact steps, events and output.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::hazard::waiting_time;
use super::poisson;
use super::select::Plan;
use super::Tau;
use crate::error::{EngineError, Result};
use crate::ssa::Timeline;
use crate::system::Observable;

mod langevin;
mod midpoint;

pub(super) use langevin::Langevin;

/// Below this many mean waiting times (10/a₀) a leap is not worth it (Cao
/// et al. 2006, step 3): exact steps are cheaper and exact.
const LEAP_MIN: f64 = 10.0;

/// Exact steps taken when leaping is abandoned (Cao et al. 2006, step 3).
const EXACT_STEPS: usize = 100;

/// A trajectory in progress.
pub(super) struct Run<'s, 'o> {
    tau: &'s Tau,
    rng: &'o mut ChaCha8Rng,
    line: Timeline<'o>,
    plan: Plan,
    /// The per-molecule rate of each exactly drawn removal (see
    /// `Decays::rates`).
    decay_rates: Vec<f64>,
    slots: Vec<f64>,
    /// The state a leap would reach, before it is accepted.
    trial: Vec<f64>,
    /// The slots in which `trial` may differ from `slots` when it is reset
    /// (time, the amounts of changed species), if only those need copying;
    /// `None`: all of them.
    moving: Option<Vec<usize>>,
    stack: Vec<f64>,
    /// Propensities at the current state.
    a: Vec<f64>,
    /// `a` with each exactly drawn removal at the rate it tends to (see
    /// `Run::set_settled_rates`), when there are any.
    a_settled: Vec<f64>,
    /// The Poisson means per unit time of the leap being drawn.
    rate: Vec<f64>,
    critical: Vec<bool>,
    /// Rate of change of each critical propensity during the leap.
    slope: Vec<f64>,
    /// Reactions that may fire once in the leap from a moving hazard (see
    /// `Run::critical_slopes`).
    candidate: Vec<bool>,
    /// Per species, with Langevin noise: a Gaussian number of firings moved
    /// it in the leap drawn last (it may stay fractional); else empty.
    drawn: Vec<bool>,
    t: f64,
    fired: u64,
}

impl<'s, 'o> Run<'s, 'o> {
    /// Prepares a trajectory from the initial state.
    ///
    /// # Errors
    ///
    /// Bad output settings; negative or fractional initial counts.
    pub fn new(
        tau: &'s Tau,
        rng: &'o mut ChaCha8Rng,
        times: &'o [f64],
        observables: &'o [Observable],
        out: &'o mut [f64],
    ) -> Result<Self> {
        let model = &tau.model;
        let line = Timeline::new(&model.system, rng, tau.t0, times, observables, out)?;
        let mut stack = Vec::new();
        let mut slots = model.system.initial_slots(tau.t0, &[], &mut stack);
        let langevin = tau.langevin.as_ref();
        model.check_start(&mut slots, |i| langevin.is_some_and(|l| l.continuous(i)))?;
        let m = model.reactions.len();
        let plan = Plan::new(model, &slots, &tau.decays);
        let decay_rates = tau.decays.rates(model, &slots)?;
        // Without events (which may set any slot), stoichiometries read
        // from slots, or laws that compute rules, trial and slots differ
        // only where leaps and time move them (and in rate slots, which
        // every propensity writes before anything reads them).
        let moving = (!line.has_events() && !plan.dynamic() && model.direct_laws()).then(|| {
            let amounts = model.changed.iter().map(|&i| plan.amount(i));
            std::iter::once(0).chain(amounts).collect()
        });
        Ok(Run {
            tau,
            rng,
            line,
            plan,
            decay_rates,
            moving,
            trial: slots.clone(),
            slots,
            stack,
            a: vec![0.0; m],
            a_settled: vec![0.0; m],
            rate: vec![0.0; m],
            critical: vec![false; m],
            slope: vec![0.0; m],
            candidate: vec![false; m],
            drawn: vec![false; langevin.map_or(0, |_| model.species.len())],
            t: tau.t0,
            fired: 0,
        })
    }

    /// Runs to the last output time; returns the number of firings.
    pub fn simulate(mut self) -> Result<u64> {
        self.settle()?;
        self.record(self.t);
        while let Some(horizon) = self.line.next_output() {
            let a0: f64 = self.a.iter().sum();
            if a0 == 0.0 {
                self.wait(horizon)?;
                continue;
            }
            let nc = self.tau.critical_firings as f64;
            for (j, &a) in self.a.iter().enumerate() {
                self.critical[j] = self.plan.critical(j, a, nc, &self.slots);
            }
            let bounds = (self.tau.epsilon, self.tau.relaxation);
            let mut tau1 = (self.plan).leap(bounds, &self.a, &self.critical, &self.slots);
            if self.set_settled_rates() {
                let settled = &self.a_settled;
                tau1 = tau1.min((self.plan).leap(bounds, settled, &self.critical, &self.slots));
            }
            if tau1 < LEAP_MIN / a0 {
                self.exact(EXACT_STEPS)?;
            } else {
                self.leap(tau1, horizon)?;
            }
        }
        Ok(self.fired)
    }

    /// One leap of at most `tau1` (Cao et al. 2006, steps 4–6): at most one
    /// critical firing, Poisson counts of the others, halved on a negative
    /// count. A leap after which a propensity is negative or NaN stepped
    /// past a zero that the exact process stops at (logistic growth firing
    /// beyond its capacity: not a reactant running out, so no reaction was
    /// critical for it); when the model has no events it is undone and
    /// exact steps taken instead, which stop at that zero (or report the
    /// propensity, if the model makes it negative). With events, which
    /// cannot be undone once executed, it is an error.
    fn leap(&mut self, mut tau1: f64, horizon: f64) -> Result<()> {
        let a0c: f64 = (self.a.iter().zip(&self.critical))
            .filter_map(|(&a, &c)| c.then_some(a))
            .sum();
        let sys = &self.tau.model.system;
        let (slots, stack) = (&mut self.slots, &mut self.stack);
        let limit = (self.line.interruption(sys, self.t, horizon, slots, stack)).unwrap_or(horizon);
        loop {
            let b = self.critical_slopes(tau1);
            let tau2 = if a0c > 0.0 || b > 0.0 {
                waiting_time(a0c, b, -(1.0 - self.rng.random::<f64>()).ln())
            } else {
                f64::INFINITY
            };
            let (end, critical) = match tau1.min(tau2) {
                dt if self.t + dt >= limit => (limit, None),
                dt if tau2 <= tau1 => (self.t + dt, self.pick_critical(dt)),
                dt => (self.t + dt, None),
            };
            if let Some(n) = self.try_leap(end - self.t, critical)? {
                // `trial` becomes the state before the leap.
                std::mem::swap(&mut self.slots, &mut self.trial);
                let start = self.t;
                match self.jump(end) {
                    Err(EngineError::Propensity { .. }) if !self.line.has_events() => {
                        std::mem::swap(&mut self.slots, &mut self.trial);
                        self.t = start;
                        self.settle()?;
                        return self.exact(EXACT_STEPS);
                    }
                    done => {
                        self.fired += n;
                        return done;
                    }
                }
            }
            tau1 = 0.5 * tau1.min(limit - self.t);
        }
    }

    /// Sets `a_settled`: `a`, with each exactly drawn removal at the rate
    /// it tends to as its species settles (`Decays::settled_rates`). The
    /// leap is bounded both at `a` and at these, so that what the removals
    /// make moves by at most what the leap-size rule allows at either end
    /// (with a product also consumed, its drift at one end alone may
    /// cancel). False (and nothing set) if there are no such removals.
    fn set_settled_rates(&mut self) -> bool {
        let decays = &self.tau.decays;
        if decays.is_empty() {
            return false;
        }
        self.a_settled.copy_from_slice(&self.a);
        decays.settled_rates(&self.decay_rates, &self.a, &mut self.a_settled);
        true
    }

    /// The critical reaction to fire `s` into the leap, chosen with
    /// probability proportional to its hazard there, aⱼ + bⱼ·s (at least 0).
    fn pick_critical(&mut self, s: f64) -> Option<usize> {
        for (j, w) in self.rate.iter_mut().enumerate() {
            *w = if self.critical[j] {
                (self.a[j] + self.slope[j] * s).max(0.0)
            } else {
                0.0
            };
        }
        let total: f64 = self.rate.iter().sum();
        let u = self.rng.random::<f64>() * total;
        select(&self.rate, u, |j| self.critical[j])
    }

    /// Draws a leap of length `dt` into `trial`; the number of firings, or
    /// `None` if a count would become negative or a propensity vanish by
    /// the leap's estimated midpoint (see `Run::rates`). The critical firing, if
    /// any, happens at the leap's end: after the exactly drawn removals,
    /// which what it makes does not join.
    fn try_leap(&mut self, dt: f64, critical: Option<usize>) -> Result<Option<u64>> {
        if !self.rates(dt) {
            return Ok(None);
        }
        let model = &self.tau.model;
        self.reset_trial();
        let langevin = self.tau.langevin.as_ref();
        self.drawn.fill(false);
        // Whole counts, exact in f64 up to 2⁵³ (a conversion per count to
        // u64 costs several instructions on x86-64).
        let mut n = 0.0;
        for (j, &a) in self.rate.iter().enumerate() {
            let lambda = a * dt;
            // The firings drawn, and how many of them count.
            let (k, count) = if self.critical[j] || self.tau.decays.channel[j] {
                (0.0, 0.0)
            } else if let Some(k) =
                langevin.and_then(|l| l.gaussian(j, lambda, &self.plan, &self.slots, self.rng))
            {
                (self.plan.net(j).iter()).for_each(|&(i, _)| self.drawn[i] = true);
                // A Gaussian number of firings may be fractional or
                // (rarely) negative; it counts as its whole part, at least 0.
                (k, k.max(0.0) as i64 as f64)
            } else if lambda > 0.0 {
                let k = poisson::sample(lambda, self.rng).ok_or_else(|| EngineError::Leap {
                    reaction: model.reactions[j].id.clone(),
                    time: self.t,
                    tau: dt,
                    mean: lambda,
                })?;
                (k, k)
            } else {
                (0.0, 0.0)
            };
            if k != 0.0 {
                self.plan.fire(j, k, &mut self.trial);
                n += count;
            }
        }
        let (k, start) = (&self.decay_rates, &self.slots);
        n += (self.tau.decays).remove(k, dt, start, &mut self.trial, &self.plan, self.rng);
        if let Some(j) = critical {
            self.plan.fire(j, 1.0, &mut self.trial);
            n += 1.0;
        }
        let negative = model
            .changed
            .iter()
            .any(|&i| self.trial[self.plan.amount(i)] < 0.0);
        Ok((!negative).then_some(n as u64))
    }

    /// Up to `steps` exact SSA steps (direct method), stopping at the next
    /// output time or event.
    fn exact(&mut self, steps: usize) -> Result<()> {
        let model = &self.tau.model;
        // Exact firings take whole counts (a fractional amount could fire
        // past a zero of its propensity); they keep them whole.
        if self.round_low() {
            self.refresh_propensities()?;
        }
        for _ in 0..steps {
            let Some(horizon) = self.line.next_output() else {
                return Ok(());
            };
            self.slots[0] = self.t;
            for &j in &model.timed {
                self.a[j] = model.propensity(j, &mut self.slots, &mut self.stack)?;
            }
            let a0: f64 = self.a.iter().sum();
            let t_next = if a0 > 0.0 {
                self.t - (1.0 - self.rng.random::<f64>()).ln() / a0
            } else {
                f64::INFINITY
            };
            let (slots, stack) = (&mut self.slots, &mut self.stack);
            let sys = &model.system;
            if let Some(te) = self
                .line
                .interruption(sys, self.t, t_next.min(horizon), slots, stack)
            {
                return self.jump(te);
            }
            if t_next > horizon {
                return self.jump(horizon);
            }
            let u = self.rng.random::<f64>() * a0;
            let Some(j) = select(&self.a, u, |_| true) else {
                return self.jump(t_next);
            };
            self.plan.fire(j, 1.0, &mut self.slots);
            self.fired += 1;
            if self.line.has_events() || self.plan.dynamic() {
                self.jump(t_next)?;
            } else {
                self.t = t_next;
                self.slots[0] = t_next;
                let a = &mut self.a;
                model.refresh(j, &mut self.slots, &mut self.stack, |k, x| a[k] = x)?;
                self.record(t_next);
            }
        }
        Ok(())
    }

    /// Nothing can fire: moves to the next output time or event.
    fn wait(&mut self, horizon: f64) -> Result<()> {
        let sys = &self.tau.model.system;
        let (slots, stack) = (&mut self.slots, &mut self.stack);
        let end = (self.line.interruption(sys, self.t, horizon, slots, stack)).unwrap_or(horizon);
        self.jump(end)
    }

    /// Moves time to `t` with the state in `slots`: events, propensities, output.
    fn jump(&mut self, t: f64) -> Result<()> {
        self.t = t;
        self.settle()?;
        self.record(t);
        Ok(())
    }

    /// Executes events due now, then recomputes every propensity. With
    /// Langevin noise, continuous species are rounded (see `langevin.rs`)
    /// before triggers are checked, and again after what events set.
    fn settle(&mut self) -> Result<()> {
        let model = &self.tau.model;
        self.round_low();
        self.line
            .settle(&model.system, self.t, &mut self.slots, &mut self.stack)?;
        self.round_low();
        self.forget_draws();
        if self.plan.dynamic() {
            self.plan.rebuild(model, &self.slots);
        }
        self.refresh_propensities()
    }

    /// Recomputes every propensity at the state in `slots`, at time `t`.
    fn refresh_propensities(&mut self) -> Result<()> {
        let model = &self.tau.model;
        self.slots[0] = self.t;
        let a = &mut self.a;
        model.refresh_every(&mut self.slots, &mut self.stack, |j, x| a[j] = x)
    }

    /// Makes `trial` a copy of `slots` again.
    fn reset_trial(&mut self) {
        match &self.moving {
            Some(moving) => moving.iter().for_each(|&s| self.trial[s] = self.slots[s]),
            None => self.trial.copy_from_slice(&self.slots),
        }
    }

    /// Writes the output rows up to `t` (the state in `slots` holds there).
    #[inline]
    fn record(&mut self, t: f64) {
        let sys = &self.tau.model.system;
        self.line
            .record(sys, self.t, t, true, &mut self.slots, &mut self.stack);
    }
}

/// The first reaction allowed by `keep` where the cumulative propensity
/// exceeds `u` (the last allowed one with a positive propensity if rounding
/// leaves `u` beyond the sum).
fn select(a: &[f64], u: f64, keep: impl Fn(usize) -> bool) -> Option<usize> {
    let mut acc = 0.0;
    let mut last = None;
    for (j, &aj) in a.iter().enumerate() {
        if aj > 0.0 && keep(j) {
            acc += aj;
            last = Some(j);
            if u < acc {
                return Some(j);
            }
        }
    }
    last
}
