//! One SSA trajectory: the direct method's loop with events and output.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1};

use super::jumps::Jumps;
use super::queue::Queue;
use super::timeline::Timeline;
use super::tree::SumTree;
use super::{Discrete, Ssa, SsaMethod};
use crate::error::{EngineError, Result};
use crate::system::Observable;

/// A trajectory in progress.
pub(super) struct Run<'s, 'o> {
    ssa: &'s Ssa,
    model: &'s Discrete,
    rng: &'o mut ChaCha8Rng,
    line: Timeline<'o>,
    slots: Vec<f64>,
    stack: Vec<f64>,
    tree: SumTree,
    /// Putative times, for the next reaction method.
    queue: Queue,
    t: f64,
    fired: u64,
}

impl<'s, 'o> Run<'s, 'o> {
    /// Prepares a trajectory from the initial state.
    pub fn new(
        ssa: &'s Ssa,
        model: &'s Discrete,
        rng: &'o mut ChaCha8Rng,
        times: &'o [f64],
        observables: &'o [Observable],
        out: &'o mut [f64],
    ) -> Result<Self> {
        let sys = &model.system;
        let line = Timeline::new(sys, rng, ssa.t0, times, observables, out)?;
        let mut stack = Vec::new();
        let slots = sys.initial_slots(ssa.t0, &[], &mut stack);
        Ok(Run {
            ssa,
            model,
            rng,
            line,
            slots,
            stack,
            tree: SumTree::new(model.reactions.len()),
            queue: Queue::new(model.reactions.len()),
            t: ssa.t0,
            fired: 0,
        })
    }

    /// Runs to the last output time; returns the number of firings.
    pub fn simulate(mut self) -> Result<u64> {
        let model = self.model;
        model.check_start(&mut self.slots, |_| false)?;
        self.settle()?;
        if let (SsaMethod::SumTree, false, Some(jumps)) =
            (self.ssa.method, self.line.has_events(), &model.jumps)
        {
            return self.simulate_jumps(jumps);
        }
        let t_end = self.line.t_end(self.t);
        while self.line.next_output().is_some() {
            let (t_next, due) = self.next_firing();
            let sys = &model.system;
            let horizon = t_next.min(t_end);
            let (slots, stack) = (&mut self.slots, &mut self.stack);
            if let Some(te) = self.line.interruption(sys, self.t, horizon, slots, stack) {
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
            self.step(t_next, due)?;
        }
        Ok(self.fired)
    }

    /// [`Run::simulate`] with the sum tree, for models without events whose
    /// firings change amounts by constants: the same draws in the same
    /// order, so the same trajectory, with the branches for other methods,
    /// events and general changes left out of the loop.
    fn simulate_jumps(mut self, jumps: &Jumps) -> Result<u64> {
        let model = self.model;
        let t_end = self.line.t_end(self.t);
        // The next output time (output times are finite; ∞ once every row
        // is written): a firing before it writes no row.
        let mut next_row = self.line.next_output().unwrap_or(f64::INFINITY);
        while next_row < f64::INFINITY {
            let a0 = self.tree.total();
            let e: f64 = Exp1.sample(&mut *self.rng);
            let t_next = if a0 > 0.0 {
                self.t + e / a0
            } else {
                f64::INFINITY
            };
            if t_next > t_end {
                self.record(t_end, true);
                break;
            }
            if next_row <= t_next {
                self.record(t_next, false);
                next_row = self.line.next_output().unwrap_or(f64::INFINITY);
            }
            let u: f64 = self.rng.random::<f64>() * a0;
            let Some(j) = self.tree.find(u) else {
                continue;
            };
            self.t = t_next;
            self.slots[0] = t_next;
            jumps.fire(j, &mut self.slots);
            self.fired += 1;
            if self.fired > self.ssa.max_firings {
                return Err(self.too_many_firings());
            }
            let tree = &mut self.tree;
            model.refresh(j, &mut self.slots, &mut self.stack, |k, a| tree.set(k, a))?;
            self.tree.update();
        }
        Ok(self.fired)
    }

    #[cold]
    fn too_many_firings(&self) -> EngineError {
        EngineError::Solver {
            time: self.t,
            message: format!("more than {} reaction firings", self.ssa.max_firings),
        }
    }

    /// When the next reaction fires, and which if the method knows already.
    fn next_firing(&mut self) -> (f64, Option<usize>) {
        if self.ssa.method == SsaMethod::NextReaction {
            return self
                .queue
                .first()
                .map_or((f64::INFINITY, None), |(tau, j)| (tau, Some(j)));
        }
        let a0 = self.tree.total();
        // Ziggurat sampling of the unit exponential (exact, and cheaper
        // than the logarithm of a uniform).
        let e: f64 = self.rng.sample(Exp1);
        if a0 > 0.0 {
            (self.t + e / a0, None)
        } else {
            (f64::INFINITY, None)
        }
    }

    /// Records reaction `k`'s new propensity (at the current time).
    #[inline]
    fn set(&mut self, k: usize, a: f64) {
        if self.ssa.method == SsaMethod::NextReaction {
            self.queue.update(k, a, self.t, &mut *self.rng);
        } else {
            self.tree.set(k, a);
        }
    }

    /// Fires one reaction at `t_next`: `due`, or one chosen by propensity.
    fn step(&mut self, t_next: f64, due: Option<usize>) -> Result<()> {
        let model = self.model;
        let j = match due {
            Some(j) => j,
            None => {
                let u: f64 = self.rng.random::<f64>() * self.tree.total();
                let Some(j) = self.select(u) else {
                    return Ok(());
                };
                j
            }
        };
        self.t = t_next;
        self.slots[0] = t_next;
        model.fire(j, 1.0, &mut self.slots);
        self.fired += 1;
        if self.fired > self.ssa.max_firings {
            return Err(self.too_many_firings());
        }
        if self.line.has_events() {
            return self.settle();
        }
        if self.ssa.method == SsaMethod::Direct {
            return self.refresh_all();
        }
        for &k in model.deps(j) {
            let a = model.propensity(k, &mut self.slots, &mut self.stack)?;
            self.set(k, a);
        }
        if self.ssa.method == SsaMethod::NextReaction {
            // A reaction that does not change what it reads keeps its
            // propensity, but it fired: it needs a new putative time.
            if model.deps(j).binary_search(&j).is_err() {
                let a = self.queue.rate(j);
                self.set(j, a);
            }
        } else {
            self.tree.update();
        }
        Ok(())
    }

    /// The reaction where the cumulative propensity first exceeds `u`.
    fn select(&self, u: f64) -> Option<usize> {
        match self.ssa.method {
            SsaMethod::SumTree | SsaMethod::NextReaction => self.tree.find(u),
            SsaMethod::Direct => {
                let n = self.model.reactions.len();
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
        let model = self.model;
        for j in 0..model.reactions.len() {
            let a = model.propensity(j, &mut self.slots, &mut self.stack)?;
            self.set(j, a);
        }
        self.tree.update();
        Ok(())
    }

    /// Executes events due at the current time, then recomputes every propensity.
    fn settle(&mut self) -> Result<()> {
        let sys = &self.model.system;
        self.line
            .settle(sys, self.t, &mut self.slots, &mut self.stack)?;
        self.refresh_all()
    }

    /// Writes output rows for times before `t` (or up to `t` if `inclusive`):
    /// the state is constant between firings.
    #[inline]
    fn record(&mut self, t: f64, inclusive: bool) {
        let sys = &self.model.system;
        let (slots, stack) = (&mut self.slots, &mut self.stack);
        self.line.record(sys, self.t, t, inclusive, slots, stack);
    }
}
