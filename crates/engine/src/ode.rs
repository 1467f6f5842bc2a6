//! Deterministic simulation: a stiff BDF solver (diffsol) with SBML events.
//!
//! The right-hand side is the compiled [`System`]'s program; the Jacobian is
//! never formed symbolically: diffsol asks for Jacobian-vector products, which
//! one forward-mode pass of the same program with dual numbers gives exactly.
//! Event triggers are located by root finding on every comparison inside
//! them (as CVODE-based tools do), then the SBML L3V2 §4.12 rules decide what
//! fires; after events the integrator restarts from the new state.

pub(crate) mod events;
mod segment;
#[cfg(feature = "faer")]
mod sparse_lu;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use senmet_core::Seed;

use crate::error::{EngineError, Result};
use crate::system::{Observable, ParameterId, System};
use events::Events;
use segment::Run;

/// Smallest system whose Jacobian is built by graph colouring (a few
/// Jacobian-vector products, one per colour, found once per solver segment)
/// rather than one product per state; below it the detection costs about as
/// much as it saves.
const COLORING_MIN_STATES: usize = 8;

/// Smallest system (with a fixed Jacobian pattern) whose Newton systems are
/// solved by sparse LU rather than dense (feature `faer`). Measured by
/// callgrind since sparse factors are refactored over kept pivots: the
/// 24-species default model (`senmet run`) takes 22 % fewer instructions
/// sparse, the 9-species Vilar oscillator 7 % more (finding the pattern
/// costs more than its LU saves).
const SPARSE_MIN_STATES: usize = 16;

// The sparse path needs the Jacobian pattern that colouring finds.
const _: () = assert!(SPARSE_MIN_STATES >= COLORING_MIN_STATES);

/// Settings of a deterministic simulation.
///
/// Defaults: `rtol` 1e-6, `atol` 1e-12, `t0` 0, `max_steps` 1,000,000, `seed` 0
/// (the seed only decides among simultaneous events of equal priority),
/// sparse LU allowed.
#[derive(Debug, Clone)]
pub struct OdeBuilder<'a> {
    system: &'a System,
    rtol: f64,
    atol: f64,
    t0: f64,
    max_steps: usize,
    seed: Seed,
    sparse_lu: bool,
}

impl<'a> OdeBuilder<'a> {
    /// Seed of the random choice among simultaneous events of equal priority.
    pub fn seed(&mut self, seed: Seed) -> &mut Self {
        self.seed = seed;
        self
    }

    /// Whether Newton systems may be solved by sparse LU: with the `faer`
    /// feature, for systems of 16 or more states whose Jacobian pattern is
    /// fixed (no piecewise or min/max in the right-hand side). `false`
    /// keeps dense LU for every system.
    pub fn sparse_lu(&mut self, allow: bool) -> &mut Self {
        self.sparse_lu = allow;
        self
    }

    /// Relative tolerance of the local error test.
    pub fn rtol(&mut self, rtol: f64) -> &mut Self {
        self.rtol = rtol;
        self
    }

    /// Absolute tolerance of the local error test (state units: amounts).
    pub fn atol(&mut self, atol: f64) -> &mut Self {
        self.atol = atol;
        self
    }

    /// Start time.
    pub fn t0(&mut self, t0: f64) -> &mut Self {
        self.t0 = t0;
        self
    }

    /// Most solver steps allowed in one run.
    pub fn max_steps(&mut self, n: usize) -> &mut Self {
        self.max_steps = n;
        self
    }

    /// Checks the settings.
    ///
    /// # Errors
    ///
    /// Tolerances that are not positive and finite.
    pub fn build(&self) -> Result<Ode<'a>> {
        for (name, v) in [("rtol", self.rtol), ("atol", self.atol)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(EngineError::InvalidSetting {
                    name,
                    expected: "a positive finite number",
                    found: v.to_string(),
                });
            }
        }
        Ok(Ode {
            system: self.system,
            rtol: self.rtol,
            atol: self.atol,
            t0: self.t0,
            max_steps: self.max_steps,
            seed: self.seed,
            sparse_lu: self.sparse_lu,
        })
    }
}

/// A configured deterministic simulation of a [`System`].
///
/// # Examples
///
/// ```
/// use senmet_engine::{Compartment, Expr, InitialQuantity, Network, Op, Ode, Reaction, Species, SpeciesReference, System};
/// // A -> 0 at rate k·A, k = 0.5, A(0) = 1.
/// let mut net = Network::default();
/// net.compartments.push(Compartment { id: "c".into(), name: None, size: Some(1.0), spatial_dimensions: None, constant: true });
/// net.species.push(Species { id: "A".into(), name: None, compartment: "c".into(), initial: InitialQuantity::Amount(1.0),
///     has_only_substance_units: true, boundary_condition: false, constant: false, conversion_factor: None });
/// net.reactions.push(Reaction { id: "decay".into(), name: None, reversible: false,
///     reactants: vec![SpeciesReference { species: "A".into(), id: None, stoichiometry: Some(1.0), constant: true }],
///     products: vec![], modifiers: vec![],
///     rate: Some(Expr::apply(Op::Times, vec![Expr::Num(0.5), Expr::sym("A")])) });
/// let system = System::new(&net)?;
/// let a = system.observable("A", true).expect("A is a species");
/// let rows = Ode::builder(&system).rtol(1e-8).build()?.run(&[0.0, 2.0], &[a])?;
/// assert!((rows[1][0] - (-1.0f64).exp()).abs() < 1e-6);
/// # Ok::<(), senmet_engine::EngineError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Ode<'a> {
    system: &'a System,
    rtol: f64,
    atol: f64,
    t0: f64,
    max_steps: usize,
    seed: Seed,
    sparse_lu: bool,
}

impl<'a> Ode<'a> {
    /// Settings for simulating `system`, with the defaults of [`OdeBuilder`].
    pub fn builder(system: &'a System) -> OdeBuilder<'a> {
        OdeBuilder {
            system,
            rtol: 1e-6,
            atol: 1e-12,
            t0: 0.0,
            max_steps: 1_000_000,
            seed: Seed::new(0),
            sparse_lu: true,
        }
    }

    /// Whether Newton systems are solved by sparse LU (see
    /// [`OdeBuilder::sparse_lu`]).
    pub fn uses_sparse_lu(&self) -> bool {
        cfg!(feature = "faer")
            && self.sparse_lu
            && self.system.n_states() >= SPARSE_MIN_STATES
            && self.system.has_fixed_jacobian_pattern()
    }

    /// Simulates and returns one row per output time, one column per observable.
    ///
    /// # Errors
    ///
    /// Output times not ascending or before t0, solver failures, event loops.
    pub fn run(&self, times: &[f64], observables: &[Observable]) -> Result<Vec<Vec<f64>>> {
        self.run_with(times, observables, &[])
    }

    /// Like [`Ode::run`], with some parameters' declared values replaced
    /// (see [`System::parameter`]).
    ///
    /// # Errors
    ///
    /// As [`Ode::run`].
    pub fn run_with(
        &self,
        times: &[f64],
        observables: &[Observable],
        parameters: &[(ParameterId, f64)],
    ) -> Result<Vec<Vec<f64>>> {
        let rng = ChaCha8Rng::seed_from_u64(self.seed.get());
        let (rows, _) = self.simulate(times, observables, parameters, rng, &mut ())?;
        Ok(rows)
    }

    /// Simulates with `jumps` applied whenever events have settled; `rng`
    /// chooses among simultaneous events. Returns the rows and the number of
    /// solver steps taken.
    pub(crate) fn simulate(
        &self,
        times: &[f64],
        observables: &[Observable],
        parameters: &[(ParameterId, f64)],
        rng: ChaCha8Rng,
        jumps: &mut dyn Jumps,
    ) -> Result<(Vec<Vec<f64>>, usize)> {
        check_times(times, self.t0)?;
        let mut stack = Vec::new();
        let slots = self.system.initial_slots(self.t0, parameters, &mut stack);
        let mut run = Run {
            slots,
            stack,
            events: Events::new(self.system, rng),
            jumps,
            times,
            observables,
            observer: self.system.observer(observables),
            rows: Vec::with_capacity(times.len()),
            steps: 0,
            last_h: None,
            y: vec![0.0; self.system.n_states().max(1)],
        };
        let t_end = times.last().copied().unwrap_or(self.t0);
        let mut t = self.t0;
        self.settle(&mut run, t)?;
        self.emit_current(&mut run, t);
        while t < t_end {
            t = self.segment(&mut run, t, t_end)?;
        }
        Ok((run.rows, run.steps))
    }
}

/// Discrete changes of state made during a simulation (a hybrid method's
/// stochastic firings). A jump either restarts the solver (it changes what
/// the integrated derivatives or the event triggers read) or only changes
/// slots outside the state vector, within a solver step.
pub(crate) trait Jumps {
    /// Called whenever events have settled at `t`: at the start and at every
    /// stop of the solver, including a stop for a jump that restarts it.
    /// `slots` are evaluated; whatever this changes, it must leave them
    /// evaluated with events settled.
    fn after_settle(
        &mut self,
        system: &System,
        slots: &mut [f64],
        stack: &mut Vec<f64>,
        events: &mut Events,
        t: f64,
    ) -> Result<()>;

    /// The time of the next jump in the accepted solver `step`, after the
    /// last one and not after `t_to`, and whether it restarts the solver;
    /// `None` when there is none up to `t_to`. A jump that does not restart
    /// is made by [`Jumps::apply`]; one that does, by the next
    /// [`Jumps::after_settle`].
    fn next_jump(
        &mut self,
        system: &System,
        step: &mut Step,
        t_to: f64,
    ) -> Result<Option<(f64, bool)>>;

    /// Makes the jump found by [`Jumps::next_jump`] (one that does not
    /// restart the solver) at `t`, on `slots` (not evaluated).
    fn apply(&mut self, slots: &mut [f64], t: f64) -> Result<()>;
}

/// An accepted solver step, as [`Jumps::next_jump`] sees it.
pub(crate) struct Step<'a> {
    /// Counts the run's steps: a new number is a new step.
    pub id: usize,
    /// The step's start.
    pub t_prev: f64,
    /// The run's slots: parameters and amounts outside the state are current.
    pub slots: &'a [f64],
    /// The state at a time within the step (dense output).
    pub interpolate: &'a mut dyn FnMut(f64, &mut [f64]) -> Result<()>,
}

/// No jumps: a plain deterministic simulation.
impl Jumps for () {
    fn after_settle(
        &mut self,
        _: &System,
        _: &mut [f64],
        _: &mut Vec<f64>,
        _: &mut Events,
        _: f64,
    ) -> Result<()> {
        Ok(())
    }

    fn next_jump(&mut self, _: &System, _: &mut Step, _: f64) -> Result<Option<(f64, bool)>> {
        Ok(None)
    }

    fn apply(&mut self, _: &mut [f64], _: f64) -> Result<()> {
        Ok(())
    }
}

/// Whether output time `tau` counts as reached at `t` (equal within rounding).
fn at_or_before(tau: f64, t: f64) -> bool {
    tau <= t + 1e-9 * t.abs().max(1.0)
}

fn check_times(times: &[f64], t0: f64) -> Result<()> {
    let sorted = times.windows(2).all(|w| w[0] <= w[1]);
    let after = times.first().is_none_or(|&t| t >= t0);
    if sorted && after && times.iter().all(|t| t.is_finite()) {
        Ok(())
    } else {
        Err(EngineError::InvalidSetting {
            name: "output times",
            expected: "finite, ascending and not before t0",
            found: format!("{} times from {:?}", times.len(), times.first()),
        })
    }
}

fn solver_error(time: f64, e: diffsol::DiffsolError) -> EngineError {
    EngineError::Solver {
        time,
        message: e.to_string(),
    }
}
