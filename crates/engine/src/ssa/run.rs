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

/// What the loop for constant changes carries from one firing to the next.
struct JumpsAt {
    t_end: f64,
    /// The next output time (output times are finite; ∞ once every row is
    /// written): a firing before it writes no row.
    next_row: f64,
}

/// A trajectory's result once a step of its loop ended it (`fired` firings).
fn ended(step: Result<bool>, fired: u64) -> Option<Result<u64>> {
    match step {
        Ok(true) => None,
        Ok(false) => Some(Ok(fired)),
        Err(e) => Some(Err(e)),
    }
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
        let jumps = self.start()?;
        self.finish(jumps)
    }

    /// Two trajectories of the same simulator, each as [`Run::simulate`]
    /// runs it alone. In the loop for constant changes their firings
    /// alternate: one firing is a chain of dependent steps (propensities,
    /// sums, selection, state), and the processor works on the other
    /// trajectory's chain while one waits.
    pub fn simulate_pair(mut a: Self, mut b: Self) -> [Result<u64>; 2] {
        let (ja, jb) = (a.start(), b.start());
        let (Ok(Some(jumps)), Ok(Some(_))) = (&ja, &jb) else {
            return [ja.and_then(|j| a.finish(j)), jb.and_then(|j| b.finish(j))];
        };
        let jumps: &Jumps = jumps;
        let (mut at_a, mut at_b) = (a.jumps_start(), b.jumps_start());
        let (mut ra, mut rb) = (None, None);
        while ra.is_none() && rb.is_none() {
            ra = ended(a.jump(jumps, &mut at_a), a.fired);
            rb = ended(b.jump(jumps, &mut at_b), b.fired);
        }
        [
            ra.unwrap_or_else(|| a.jumps_to_end(jumps, &mut at_a)),
            rb.unwrap_or_else(|| b.jumps_to_end(jumps, &mut at_b)),
        ]
    }

    /// Checks the initial state and settles it; the flat tables of the loop
    /// for constant changes if it applies: the sum tree, no events, every
    /// change a constant.
    fn start(&mut self) -> Result<Option<&'s Jumps>> {
        let model = self.model;
        model.check_start(&mut self.slots, |_| false)?;
        self.settle()?;
        Ok(
            match (self.ssa.method, self.line.has_events(), &model.jumps) {
                (SsaMethod::SumTree, false, Some(jumps)) => Some(jumps),
                _ => None,
            },
        )
    }

    /// Runs a started trajectory to the last output time.
    fn finish(mut self, jumps: Option<&Jumps>) -> Result<u64> {
        if let Some(jumps) = jumps {
            let mut at = self.jumps_start();
            return self.jumps_to_end(jumps, &mut at);
        }
        let model = self.model;
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

    /// Where the loop for constant changes starts.
    fn jumps_start(&self) -> JumpsAt {
        JumpsAt {
            t_end: self.line.t_end(self.t),
            next_row: self.line.next_output().unwrap_or(f64::INFINITY),
        }
    }

    /// The loop for constant changes to the last output time; the number of
    /// firings.
    fn jumps_to_end(&mut self, jumps: &Jumps, at: &mut JumpsAt) -> Result<u64> {
        while self.jump(jumps, at)? {}
        Ok(self.fired)
    }

    /// One step of [`Run::simulate`] with the sum tree, for models without
    /// events whose firings change amounts by constants: the same draws in
    /// the same order, so the same trajectory, with the branches for other
    /// methods, events and general changes left out. `false` once the last
    /// row is written.
    #[inline(always)]
    fn jump(&mut self, jumps: &Jumps, at: &mut JumpsAt) -> Result<bool> {
        if at.next_row == f64::INFINITY {
            return Ok(false);
        }
        let a0 = self.tree.total();
        let e: f64 = Exp1.sample(&mut *self.rng);
        let t_next = if a0 > 0.0 {
            self.t + e / a0
        } else {
            f64::INFINITY
        };
        if t_next > at.t_end {
            self.record(at.t_end, true);
            // Finished: another call does nothing.
            at.next_row = f64::INFINITY;
            return Ok(false);
        }
        if at.next_row <= t_next {
            self.record(t_next, false);
            at.next_row = self.line.next_output().unwrap_or(f64::INFINITY);
        }
        let u: f64 = self.rng.random::<f64>() * a0;
        let Some(j) = self.tree.find(u) else {
            return Ok(true);
        };
        self.t = t_next;
        self.slots[0] = t_next;
        jumps.fire(j, &mut self.slots);
        self.fired += 1;
        if self.fired > self.ssa.max_firings {
            return Err(self.too_many_firings());
        }
        let tree = &mut self.tree;
        let model = self.model;
        model.refresh(j, &mut self.slots, &mut self.stack, |k, a| tree.set(k, a))?;
        self.tree.update();
        Ok(true)
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
