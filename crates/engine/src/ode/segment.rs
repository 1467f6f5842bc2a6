//! The stepping loop: one solver segment between events, outputs and
//! root location.

use std::cell::RefCell;

#[cfg(feature = "faer")]
use diffsol::FaerSparseMat;
use diffsol::{
    LinearSolver, Matrix, NalgebraLU, NalgebraMat, OdeBuilder as DiffsolBuilder, OdeSolverMethod,
    OdeSolverState, OdeSolverStopReason, Vector,
};

use super::events::Events;
use super::{at_or_before, solver_error, Jumps, Ode, Step, COLORING_MIN_STATES};
use crate::error::{EngineError, Result};
use crate::scalar::Dual;
use crate::system::Observable;
use crate::vm::Program;

/// Scratch shared by the solver's callbacks.
struct Scratch {
    slots: Vec<f64>,
    stack: Vec<f64>,
    dual: Vec<Dual>,
    dstack: Vec<Dual>,
}

/// Where a run is, between solver segments.
pub(super) struct Run<'r> {
    pub slots: Vec<f64>,
    pub stack: Vec<f64>,
    pub events: Events,
    /// Applied whenever events have settled.
    pub jumps: &'r mut dyn Jumps,
    pub times: &'r [f64],
    pub observables: &'r [Observable],
    /// Computes what the observables read (see [`crate::system::System::observer`]).
    pub observer: Program,
    pub rows: Vec<Vec<f64>>,
    pub steps: usize,
    /// The last step size of the previous segment.
    pub last_h: Option<f64>,
    /// Scratch for interpolated states, reused on every step.
    pub y: Vec<f64>,
}

impl Ode<'_> {
    /// Writes rows for output times at `t` from the current slots.
    pub(super) fn emit_current(&self, run: &mut Run, t: f64) {
        while run.rows.len() < run.times.len() && at_or_before(run.times[run.rows.len()], t) {
            let row = run
                .observables
                .iter()
                .map(|o| self.system.read(*o, &run.slots))
                .collect();
            run.rows.push(row);
        }
    }

    /// Integrates from `t` until an event executes or `t_end`; returns the new time.
    ///
    /// Sparse matrices (faer's sparse LU, solved by [`super::sparse_lu`]) where [`Ode::uses_sparse_lu`],
    /// else dense ones (nalgebra).
    pub(super) fn segment(&self, run: &mut Run, t: f64, t_end: f64) -> Result<f64> {
        #[cfg(feature = "faer")]
        if self.uses_sparse_lu() {
            return self
                .segment_with::<FaerSparseMat<f64>, super::sparse_lu::SparseLu>(run, t, t_end);
        }
        self.segment_with::<NalgebraMat<f64>, NalgebraLU<f64>>(run, t, t_end)
    }

    /// [`Ode::segment`] with matrices of type `M` solved by `LS`.
    fn segment_with<M, LS>(&self, run: &mut Run, t: f64, t_end: f64) -> Result<f64>
    where
        M: Matrix<T = f64> + diffsol::DefaultSolver,
        LS: LinearSolver<M>,
        M::V: diffsol::DefaultDenseMatrix<T = f64, C = M::C>,
        for<'b> &'b M::V: diffsol::VectorRef<M::V>,
        for<'b> &'b M: diffsol::matrix::MatrixRef<M>,
    {
        let sys = self.system;
        let n = sys.n_states().max(1);
        let mut y0 = vec![0.0; n];
        sys.store_state(&run.slots, &mut y0);
        let scratch = RefCell::new(Scratch {
            slots: run.slots.clone(),
            stack: Vec::new(),
            dual: Vec::new(),
            dstack: Vec::new(),
        });
        let n_roots = sys.roots.len().max(1);
        let problem = DiffsolBuilder::<M>::new()
            .t0(t)
            .rtol(self.rtol)
            .atol([self.atol])
            .rhs_implicit(
                |x: &[f64], _p: &[f64], t: f64, dy: &mut [f64]| {
                    let s = &mut *scratch.borrow_mut();
                    s.slots[0] = t;
                    sys.load_state(x, &mut s.slots);
                    sys.evaluate(&mut s.slots, &mut s.stack);
                    dy.fill(0.0);
                    sys.derivatives(&s.slots, dy);
                },
                |x: &[f64], _p: &[f64], t: f64, v: &[f64], jv: &mut [f64]| {
                    let s = &mut *scratch.borrow_mut();
                    s.slots[0] = t;
                    sys.load_state(x, &mut s.slots);
                    jv.fill(0.0);
                    sys.jacobian_times(&s.slots, v, &mut s.dual, &mut s.dstack, jv);
                },
            )
            .init(
                move |_p: &[f64], _t: f64, y: &mut [f64]| y.copy_from_slice(&y0),
                n,
            )
            .use_coloring(n >= COLORING_MIN_STATES && sys.has_fixed_jacobian_pattern())
            .root(
                |x: &[f64], _p: &[f64], t: f64, g: &mut [f64]| {
                    if sys.roots.is_empty() || sys.alarms.is_some() {
                        // No triggers, or only alarms, at which the solver
                        // stops anyway: skip evaluating the model at every step.
                        g.fill(1.0);
                        return;
                    }
                    let s = &mut *scratch.borrow_mut();
                    s.slots[0] = t;
                    sys.load_state(x, &mut s.slots);
                    sys.evaluate(&mut s.slots, &mut s.stack);
                    g.fill(1.0);
                    for (gi, r) in g.iter_mut().zip(&sys.roots) {
                        *gi = r.run(&mut s.slots, &mut s.stack);
                    }
                },
                n_roots,
            )
            .build()
            .map_err(|e| solver_error(t, e))?;
        let mut state = problem.bdf_state::<LS>().map_err(|e| solver_error(t, e))?;
        if let Some(h) = run.last_h {
            // After an event, restart with the step size reached before it
            // rather than ramping up again from a tiny first step.
            let first = state.as_mut().h;
            *first = first.abs().max(h);
        }
        let mut solver = problem
            .bdf_solver::<LS>(state)
            .map_err(|e| solver_error(t, e))?;
        // Landing on stop times can ask for steps below diffsol's fixed 1e-13
        // floor; `max_steps` guards against stalls instead.
        solver.config_mut().minimum_timestep = f64::MIN_POSITIVE;
        let mut y = vec![0.0; n];
        let mut stop = self.next_stop(run, t, t_end);
        solver.set_stop_time(stop).map_err(|e| solver_error(t, e))?;
        let mut t_prev = t;
        loop {
            run.steps += 1;
            if run.steps > self.max_steps {
                return Err(EngineError::Solver {
                    time: solver.state().t,
                    message: format!("more than {} steps", self.max_steps),
                });
            }
            let reason = solver
                .step()
                .map_err(|e| solver_error(solver.state().t, e))?;
            let t_now = solver.state().t;
            let t_root = match reason {
                OdeSolverStopReason::RootFound(t_root, _) => Some(t_root),
                _ => None,
            };
            run.last_h = Some(solver.state().h);
            let te = self.event_time(run, &solver, t_prev, t_root, t_now)?;
            let reached = match reason {
                OdeSolverStopReason::TstopReached => true,
                // diffsol reports roots before it shortens the step for the
                // stop time, so such a step may pass it: restart from there.
                OdeSolverStopReason::RootFound(..) => at_or_before(stop, t_now),
                OdeSolverStopReason::InternalTimestep => false,
            };
            let due = run
                .events
                .next_time()
                .is_some_and(|p| at_or_before(p, stop));
            let ends = reached && (due || stop >= t_end || t_now > stop);
            let horizon = te.unwrap_or(if ends { stop.min(t_now) } else { t_now });
            if let Some(tj) = self.jumps_in_step(run, &solver, t_prev, horizon, &mut y)? {
                return Ok(tj);
            }
            if let Some(te) = te {
                self.emit_until(run, &solver, te, true)?;
                interpolate(&solver, te, &mut y)?;
                return self.fire(run, te, &y);
            }
            if ends {
                self.emit_until(run, &solver, stop, true)?;
                // `stop` may lie a rounding error past the step's end.
                interpolate(&solver, stop.min(t_now), &mut y)?;
                return self.fire(run, stop, &y);
            }
            self.emit_until(run, &solver, t_now, false)?;
            if reached {
                stop = self.next_stop(run, t_now, t_end);
            }
            if t_root.is_some() || reached {
                solver
                    .set_stop_time(stop)
                    .map_err(|e| solver_error(t_now, e))?;
            }
            t_prev = t_now;
        }
    }

    /// Makes the jumps within the accepted step from `t_prev` up to `t_to`
    /// (its end, or an event or stop within it), writing rows before each. A jump that restarts the solver
    /// ends the segment: it is made once events have settled at its time,
    /// which is returned.
    fn jumps_in_step<'s, S: OdeSolverMethod<'s, Eqn>, Eqn>(
        &self,
        run: &mut Run,
        solver: &S,
        t_prev: f64,
        t_to: f64,
        y: &mut [f64],
    ) -> Result<Option<f64>>
    where
        Eqn: diffsol::OdeEquations<T = f64> + 's,
    {
        loop {
            let mut dense = |t: f64, y: &mut [f64]| interpolate(solver, t, y);
            let mut step = Step {
                id: run.steps,
                t_prev,
                slots: &run.slots,
                interpolate: &mut dense,
            };
            let Some((tj, restart)) = run.jumps.next_jump(self.system, &mut step, t_to)? else {
                return Ok(None);
            };
            self.emit_until(run, solver, tj, true)?;
            if restart {
                interpolate(solver, tj, y)?;
                return self.fire(run, tj, y).map(Some);
            }
            run.jumps.apply(&mut run.slots, tj)?;
        }
    }

    /// Where the solver must stop next: the next delayed event, the end, and
    /// either the next output time or the next alarm. Triggers of the form
    /// `time >= c` (alarms) turn true at known times, so when every trigger
    /// is one the solver stops only there, and outputs are interpolated as
    /// without events (CVODE's normal mode: stopping at each output shortens
    /// steps). Otherwise it stops at each output time, which keeps steps from
    /// growing without bound on flat solutions, where a trigger could be
    /// stepped over.
    fn next_stop(&self, run: &Run, t: f64, t_end: f64) -> f64 {
        let after = |tau: &f64| *tau > t && !at_or_before(*tau, t);
        let next = match &self.system.alarms {
            Some(alarms) => alarms
                .iter()
                .copied()
                .filter(after)
                .fold(f64::INFINITY, f64::min),
            None => run
                .times
                .get(run.rows.len()..)
                .unwrap_or(&[])
                .iter()
                .copied()
                .find(after)
                .unwrap_or(t_end),
        };
        let pending = run.events.next_time().unwrap_or(f64::INFINITY);
        next.min(pending).min(t_end)
    }

    /// The earliest time in the step `(t_prev, t_now]` at which some trigger
    /// changed, if any: a reported root is tried first, then just after it;
    /// otherwise bisection on the step (triggers without a sign-changing
    /// comparison, or roots touched rather than crossed).
    fn event_time<'s, S: OdeSolverMethod<'s, Eqn>, Eqn>(
        &self,
        run: &mut Run,
        solver: &S,
        t_prev: f64,
        t_root: Option<f64>,
        t_now: f64,
    ) -> Result<Option<f64>>
    where
        Eqn: diffsol::OdeEquations<T = f64> + 's,
    {
        // Inclusive at both ends: `time > c` turns true just after `c`,
        // which the step starting at a stop on `c` holds.
        let in_step = |a: &f64| at_or_before(t_prev, *a) && at_or_before(*a, t_now);
        if let Some(alarms) = &self.system.alarms {
            if !alarms.iter().any(in_step) {
                // Alarms change only at their times (and there are none without events).
                return Ok(None);
            }
        }
        let mut lo = t_prev;
        if let Some(t_root) = t_root {
            let nudge = (t_root + 1e-10 * t_root.abs().max(1.0)).min(t_now);
            for te in [t_root, nudge] {
                if self.changed_at(run, solver, te)? {
                    return Ok(Some(te));
                }
            }
            lo = nudge;
        }
        if !self.changed_at(run, solver, t_now)? {
            return Ok(None);
        }
        let mut hi = t_now;
        while hi - lo > 4.0 * f64::EPSILON * hi.abs().max(1.0) {
            let mid = 0.5 * (lo + hi);
            if self.changed_at(run, solver, mid)? {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(Some(hi))
    }

    /// Whether any trigger differs from its last value at time `t` of the step.
    fn changed_at<'s, S: OdeSolverMethod<'s, Eqn>, Eqn>(
        &self,
        run: &mut Run,
        solver: &S,
        t: f64,
    ) -> Result<bool>
    where
        Eqn: diffsol::OdeEquations<T = f64> + 's,
    {
        let mut y = std::mem::take(&mut run.y);
        let interpolated = interpolate(solver, t, &mut y);
        if interpolated.is_ok() {
            self.state_at(run, t, &y);
        }
        run.y = y;
        interpolated?;
        Ok(run
            .events
            .any_trigger_changed(self.system, &mut run.slots, &mut run.stack))
    }

    /// Sets the run's slots to the state `y` at `t`, evaluated.
    fn state_at(&self, run: &mut Run, t: f64, y: &[f64]) {
        run.slots[0] = t;
        self.system.load_state(y, &mut run.slots);
        self.system.evaluate(&mut run.slots, &mut run.stack);
    }

    /// Executes due events at `t` from state `y`, and writes rows at `t`.
    fn fire(&self, run: &mut Run, t: f64, y: &[f64]) -> Result<f64> {
        self.state_at(run, t, y);
        self.settle(run, t)?;
        self.emit_current(run, t);
        Ok(t)
    }

    /// Executes due events at `t` (slots evaluated), then the jumps.
    pub(super) fn settle(&self, run: &mut Run, t: f64) -> Result<()> {
        let sys = self.system;
        run.events.settle(sys, &mut run.slots, &mut run.stack, t)?;
        run.jumps
            .after_settle(sys, &mut run.slots, &mut run.stack, &mut run.events, t)
    }

    /// Writes rows for output times up to `t` (strictly before it when
    /// `before_event`: rows at an event's time show the state after it),
    /// interpolating within the last step.
    fn emit_until<'s, S: OdeSolverMethod<'s, Eqn>, Eqn>(
        &self,
        run: &mut Run,
        solver: &S,
        t: f64,
        before_event: bool,
    ) -> Result<()>
    where
        Eqn: diffsol::OdeEquations<T = f64> + 's,
    {
        let mut y = std::mem::take(&mut run.y);
        let result = self.emit_rows(run, solver, t, before_event, &mut y);
        run.y = y;
        result
    }

    fn emit_rows<'s, S: OdeSolverMethod<'s, Eqn>, Eqn>(
        &self,
        run: &mut Run,
        solver: &S,
        t: f64,
        before_event: bool,
        y: &mut [f64],
    ) -> Result<()>
    where
        Eqn: diffsol::OdeEquations<T = f64> + 's,
    {
        while let Some(&tau) = run.times.get(run.rows.len()) {
            let due = if before_event {
                tau < t && !at_or_before(t, tau)
            } else {
                tau <= t
            };
            if !due {
                break;
            }
            interpolate(solver, tau, y)?;
            // Only what the observables read: the slots are evaluated in
            // full again (`state_at`) wherever more is needed.
            run.slots[0] = tau;
            self.system.load_state(y, &mut run.slots);
            run.observer.run(&mut run.slots, &mut run.stack);
            let row = run
                .observables
                .iter()
                .map(|o| self.system.read(*o, &run.slots))
                .collect();
            run.rows.push(row);
        }
        Ok(())
    }
}

fn interpolate<'s, S: OdeSolverMethod<'s, Eqn>, Eqn>(
    solver: &S,
    t: f64,
    y: &mut [f64],
) -> Result<()>
where
    Eqn: diffsol::OdeEquations<T = f64> + 's,
{
    let v = solver.interpolate(t).map_err(|e| solver_error(t, e))?;
    y.copy_from_slice(&v.clone_as_vec());
    Ok(())
}
