//! Event semantics of SBML L3V2 §4.12: triggers firing on a false→true
//! transition, delays, persistence, priorities and cascades.

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
}

impl Events {
    /// Trigger memory before t0 is each event's `initialValue`.
    pub fn new(system: &System) -> Self {
        Events {
            last: system.events.iter().map(|e| e.initial_value).collect(),
            pending: Vec::new(),
            seq: 0,
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

    /// The ready event to execute first: highest priority, then earliest
    /// scheduled, then earliest triggered.
    fn choose(
        &self,
        system: &System,
        slots: &mut [f64],
        stack: &mut Vec<f64>,
        ready: &[usize],
    ) -> Option<usize> {
        let key = |i: usize, slots: &mut [f64], stack: &mut Vec<f64>| {
            let p = &self.pending[i];
            let prio = system.events[p.event]
                .priority
                .as_ref()
                .map_or(f64::NEG_INFINITY, |pr| pr.run(slots, stack));
            (prio, p.time, p.seq)
        };
        let mut best: Option<(usize, (f64, f64, u64))> = None;
        for &i in ready {
            let k = key(i, slots, stack);
            let better = match &best {
                None => true,
                Some((_, b)) => k.0 > b.0 || (k.0 == b.0 && (k.1, k.2) < (b.1, b.2)),
            };
            if better {
                best = Some((i, k));
            }
        }
        best.map(|(i, _)| i)
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
