//! Event semantics of SBML L3V2 §4.12: triggers firing on a false→true
//! transition, delays, persistence, priorities and cascades.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::error::{EngineError, Result};
use crate::system::System;

/// Upper bound on event executions at one instant: beyond it the model loops.
const MAX_CASCADE: usize = 10_000;

/// An event instance waiting for its execution time.
#[derive(Debug, Clone)]
struct Pending {
    event: usize,
    time: f64,
    /// Values computed at trigger time (`useValuesFromTriggerTime`).
    values: Option<Vec<(u32, f64)>>,
    /// Order of triggering, to break priority ties deterministically.
    seq: u64,
}

/// The state of a simulation's events.
#[derive(Debug, Clone)]
pub(crate) struct Events {
    last: Vec<bool>,
    pending: Vec<Pending>,
    seq: u64,
    /// Chooses among simultaneous events of equal priority (SBML: at random).
    rng: ChaCha8Rng,
}

impl Events {
    /// Trigger memory before t0 is each event's `initialValue`.
    pub fn new(system: &System, rng: ChaCha8Rng) -> Self {
        Events {
            last: system.events.iter().map(|e| e.initial_value).collect(),
            pending: Vec::new(),
            seq: 0,
            rng,
        }
    }

    /// The time of the next delayed execution, if any.
    pub fn next_time(&self) -> Option<f64> {
        self.pending.iter().map(|p| p.time).min_by(f64::total_cmp)
    }

    /// Whether any trigger would change value with the slots as they are.
    pub fn any_trigger_changed(
        &self,
        system: &System,
        slots: &mut [f64],
        stack: &mut Vec<f64>,
    ) -> bool {
        system
            .events
            .iter()
            .zip(&self.last)
            .any(|(e, &last)| (e.trigger.run(slots, stack) != 0.0) != last)
    }

    /// Fires and executes every event due at the slots' time, until none is;
    /// `slots` must be evaluated at that time and stay evaluated.
    pub fn settle(
        &mut self,
        system: &System,
        slots: &mut [f64],
        stack: &mut Vec<f64>,
        t: f64,
    ) -> Result<bool> {
        let mut executed = 0;
        loop {
            self.update_triggers(system, slots, stack, t);
            let due = t + 1e-12 * t.abs().max(1.0);
            let ready: Vec<usize> = (0..self.pending.len())
                .filter(|&i| self.pending[i].time <= due)
                .collect();
            let Some(next) = self.choose(system, slots, stack, &ready) else {
                return Ok(executed > 0);
            };
            let p = self.pending.swap_remove(next);
            let values = match p.values {
                Some(v) => v,
                None => assignment_values(system, p.event, slots, stack),
            };
            system.assign(slots, &values);
            system.evaluate(slots, stack);
            executed += 1;
            if executed > MAX_CASCADE {
                return Err(EngineError::EventCascade {
                    event: system.events[p.event].label.clone(),
                    time: t,
                    limit: MAX_CASCADE,
                });
            }
        }
    }

    fn update_triggers(
        &mut self,
        system: &System,
        slots: &mut [f64],
        stack: &mut Vec<f64>,
        t: f64,
    ) {
        for (i, e) in system.events.iter().enumerate() {
            let now = e.trigger.run(slots, stack) != 0.0;
            if now && !self.last[i] {
                let delay = e.delay.as_ref().map_or(0.0, |d| d.run(slots, stack));
                let values = e
                    .from_trigger_time
                    .then(|| assignment_values(system, i, slots, stack));
                self.seq += 1;
                self.pending.push(Pending {
                    event: i,
                    time: t + delay.max(0.0),
                    values,
                    seq: self.seq,
                });
            } else if !now && self.last[i] && !e.persistent {
                self.pending.retain(|p| p.event != i);
            }
            self.last[i] = now;
        }
    }

    /// The ready event to execute first: the highest priority, chosen at
    /// random among equal defined priorities (SBML L3V2 §4.12.6); events
    /// without priority go after those with one, in the order they triggered.
    fn choose(
        &mut self,
        system: &System,
        slots: &mut [f64],
        stack: &mut Vec<f64>,
        ready: &[usize],
    ) -> Option<usize> {
        let prio: Vec<(usize, f64)> = ready
            .iter()
            .map(|&i| {
                let p = system.events[self.pending[i].event].priority.as_ref();
                (i, p.map_or(f64::NEG_INFINITY, |pr| pr.run(slots, stack)))
            })
            .collect();
        let top = prio.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        let tied: Vec<usize> = prio.iter().filter(|p| p.1 == top).map(|p| p.0).collect();
        if top.is_finite() && tied.len() > 1 {
            return Some(tied[self.rng.random_range(0..tied.len())]);
        }
        tied.into_iter().min_by(|&a, &b| {
            let (pa, pb) = (&self.pending[a], &self.pending[b]);
            pa.time.total_cmp(&pb.time).then(pa.seq.cmp(&pb.seq))
        })
    }
}

fn assignment_values(
    system: &System,
    event: usize,
    slots: &mut [f64],
    stack: &mut Vec<f64>,
) -> Vec<(u32, f64)> {
    system.events[event]
        .assignments
        .iter()
        .map(|(slot, prog)| (*slot, prog.run(slots, stack)))
        .collect()
}
