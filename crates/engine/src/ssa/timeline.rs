//! What discrete stochastic methods (exact SSA, tau-leaping) share around
//! their steps: output rows, and events between and after jumps.
//!
//! The state is piecewise constant, changing only at jumps (one firing, or a
//! leap). Events are checked after every jump; events due while the state is
//! held fixed (delayed executions, triggers on time) are located by bisection.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::Result;
use crate::ode::events::Events;
use crate::stochastic::check_times;
use crate::system::{Observable, System};

/// Output rows still to write, and the trajectory's events.
pub(crate) struct Timeline<'o> {
    times: &'o [f64],
    observables: &'o [Observable],
    out: &'o mut [f64],
    /// Next output row.
    row: usize,
    events: Option<Events>,
}

impl<'o> Timeline<'o> {
    /// Checks the output settings; events (if any) get their own stream,
    /// seeded by one draw from `rng`.
    ///
    /// # Errors
    ///
    /// [`crate::EngineError::InvalidSetting`] for bad times or buffer size.
    pub fn new(
        sys: &System,
        rng: &mut ChaCha8Rng,
        t0: f64,
        times: &'o [f64],
        observables: &'o [Observable],
        out: &'o mut [f64],
    ) -> Result<Self> {
        check_times(times, t0, observables.len(), out.len())?;
        let events = (!sys.events.is_empty())
            .then(|| Events::new(sys, ChaCha8Rng::seed_from_u64(rng.random())));
        Ok(Timeline {
            times,
            observables,
            out,
            row: 0,
            events,
        })
    }

    /// The next output time, or `None` once every row is written.
    pub fn next_output(&self) -> Option<f64> {
        self.times.get(self.row).copied()
    }

    /// The last output time (`t` if there is none).
    pub fn t_end(&self, t: f64) -> f64 {
        self.times.last().copied().unwrap_or(t)
    }

    /// Whether the model has events.
    pub fn has_events(&self) -> bool {
        self.events.is_some()
    }

    /// Executes the events due at `t` with the state in `slots`.
    ///
    /// # Errors
    ///
    /// Event cascades, as [`Events::settle`] reports them.
    pub fn settle(
        &mut self,
        sys: &System,
        t: f64,
        slots: &mut [f64],
        stack: &mut Vec<f64>,
    ) -> Result<()> {
        slots[0] = t;
        if let Some(events) = &mut self.events {
            sys.evaluate(slots, stack);
            events.settle(sys, slots, stack, t)?;
        }
        Ok(())
    }

    /// The time in `[t, horizon]` at which an event is due with the state
    /// held fixed (a delayed event, or a trigger on time), if any. Leaves
    /// `slots[0]` at `t`.
    #[inline]
    pub fn interruption(
        &self,
        sys: &System,
        t: f64,
        horizon: f64,
        slots: &mut [f64],
        stack: &mut Vec<f64>,
    ) -> Option<f64> {
        let events = self.events.as_ref()?;
        Self::search(events, sys, t, horizon, slots, stack)
    }

    /// [`Timeline::interruption`] of a model with events, out of line.
    #[inline(never)]
    fn search(
        events: &Events,
        sys: &System,
        t: f64,
        horizon: f64,
        slots: &mut [f64],
        stack: &mut Vec<f64>,
    ) -> Option<f64> {
        if let Some(p) = events.next_time().filter(|&p| p <= horizon) {
            return Some(p.max(t));
        }
        let mut changed = |at: f64| {
            slots[0] = at;
            sys.evaluate(slots, stack);
            events.any_trigger_changed(sys, slots, stack)
        };
        let found = if horizon.is_finite() && changed(horizon) {
            let (mut lo, mut hi) = (t, horizon);
            while hi - lo > 4.0 * f64::EPSILON * hi.abs().max(1.0) {
                let mid = 0.5 * (lo + hi);
                if changed(mid) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            Some(hi)
        } else {
            None
        };
        slots[0] = t;
        found
    }

    /// Writes the rows for times before `until` (or up to it if
    /// `inclusive`) from the state in `slots`, then sets `slots[0]` to `now`.
    #[inline]
    pub fn record(
        &mut self,
        sys: &System,
        now: f64,
        until: f64,
        inclusive: bool,
        slots: &mut [f64],
        stack: &mut Vec<f64>,
    ) {
        // Most jumps fall between output times: nothing to write.
        if self.next_output().is_none_or(|tau| tau > until) {
            slots[0] = now;
            return;
        }
        self.write_rows(sys, now, until, inclusive, slots, stack);
    }

    /// [`Timeline::record`] when a row may be due, out of line.
    #[inline(never)]
    fn write_rows(
        &mut self,
        sys: &System,
        now: f64,
        until: f64,
        inclusive: bool,
        slots: &mut [f64],
        stack: &mut Vec<f64>,
    ) {
        let n = self.observables.len();
        while let Some(tau) = self.next_output() {
            // Strictly before: within rounding of `until` counts as at it
            // (after the event there, as bisection may land just past it).
            let before = tau < until - 1e-9 * until.abs().max(1.0);
            if !(before || (inclusive && tau <= until)) {
                break;
            }
            slots[0] = tau;
            sys.evaluate(slots, stack);
            let row = &mut self.out[self.row * n..(self.row + 1) * n];
            for (v, o) in row.iter_mut().zip(self.observables) {
                *v = sys.read(*o, slots);
            }
            self.row += 1;
        }
        slots[0] = now;
    }
}
