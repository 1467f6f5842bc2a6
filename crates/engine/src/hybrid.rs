//! Hybrid stochastic–deterministic simulation (Haseltine & Rawlings 2002;
//! Salis & Kaznessis 2005).
//!
//! Species are split in two. *Discrete* species (few copies: a seeded
//! metastasis, a rare cell state) are whole counts; every reaction that
//! changes one is *stochastic* and fires as a jump. Every other reaction is a
//! continuous flow integrated by the stiff BDF solver of [`Ode`],
//! with SBML rules and events exactly as there.
//!
//! Discrete amounts are held outside the solver's state. Along each accepted
//! solver step the stochastic propensities are interpolated from the
//! solver's dense output: the step is cut into stretches, and on each the
//! propensities at six Chebyshev points give a polynomial whose integral is
//! closed-form. A stretch is accepted when the interpolant matches the total
//! propensity at a seventh point to the relative tolerance `rtol`, else it is
//! halved (at most 40 times); when no propensity reads time or a continuous
//! species, one sample per step suffices. After a firing the propensities
//! that read what it changed are refitted at the same points, without a new
//! check. The next reaction fires when the integral of the total propensity
//! `a₀` since the last firing reaches a threshold drawn from Exp(1) (the
//! "next reaction time" of Salis & Kaznessis 2005, eq. 9), so propensities
//! that depend on continuous species or on time are integrated to the
//! tolerance. The reaction is chosen in proportion to the propensities at
//! that instant.
//!
//! A firing that changes only discrete species that neither the continuous
//! derivatives nor any event trigger read (a cell shed into the blood,
//! `T → T + C`, with the tumour `T` continuous) updates the counts and the
//! propensities that read them, and the solver goes on with its step. A
//! firing that changes a continuous species, or a discrete one that the
//! continuous part reads, stops the solver at the firing time; the firing
//! is made once events have settled there, and the solver restarts from the
//! new state, as after an event.
//!
//! Partition (fixed when the simulator is built): a species is discrete if
//! named in [`HybridBuilder::discrete`], or if its initial amount is below
//! [`HybridBuilder::threshold`] and it is not named in
//! [`HybridBuilder::continuous`]. Boundary, constant and rule-determined
//! species are never discrete (reactions do not change them). `rateOf` of a
//! discrete species is 0 (it is constant between firings).
//!
//! The approximation ([`Noise::Deterministic`], the default): the continuous
//! part is deterministic — its intrinsic noise is neglected, which is
//! accurate when its copy numbers are large (relative fluctuations ~ 1/√n).
//! With no stochastic reaction the method is the ODE solution; with every
//! species discrete it is an exact SSA (with time-dependent propensities
//! integrated to the tolerance). When nothing at all changes between
//! firings (every reaction that changes a species is stochastic, no
//! propensity reads time, no rate rules), ensembles
//! ([`Trajectory`]) run on the exact [`Ssa`] instead, which is the same law
//! at three to five times the speed; [`Hybrid::run`], which lists the
//! firings, always uses the hybrid machinery.
//!
//! **Langevin noise** ([`Noise::Langevin`]): the continuous species follow
//! the chemical Langevin equation instead, so that their fluctuations are
//! kept. The whole network is then leapt as by [`Tau`] (step selection of
//! Cao, Gillespie & Petzold 2006, ε = [`HybridBuilder::epsilon`], midpoint
//! update): a reaction that changes only continuous species, each at least
//! the threshold, and is expected to fire at least 10 times in the leap
//! fires a Normal(λ, λ) number of times λ = aτ, not rounded (the
//! Euler–Maruyama step of the Langevin equation; a test of the form of
//! Salis & Kaznessis's for "fast" reactions); the others fire Poisson
//! numbers of times, and those that could exhaust a reactant (the rare
//! ones) exactly, one at a time, with hazards that follow the leap;
//! discrete species removed only by first-order reactions (and meeting the
//! other conditions of [`HybridBuilder::exact_decay`]) have their removals
//! drawn exactly. With
//! no continuous species this is plain tau-leaping. Continuous species take
//! fractional amounts above the threshold, only while Gaussian firings move
//! them, and are otherwise rounded, without bias, to whole counts (also
//! when an event sets a fractional amount). Rate rules are not supported
//! there.
//!
//! References: E. L. Haseltine and J. B. Rawlings, J. Chem. Phys. 117, 6959
//! (2002); H. Salis and Y. Kaznessis, J. Chem. Phys. 122, 054103 (2005).

mod chebyshev;
mod firing;
mod partition;
mod stretch;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{EngineError, Result};
use crate::network::Network;
use crate::ode::Ode;
use crate::ssa::Ssa;
use crate::stochastic::Trajectory;
use crate::system::{Observable, ParameterId, System};
use crate::tau::Tau;
use firing::Firings;
use partition::{Jump, Partition};

/// How the continuous species of a hybrid simulation move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Noise {
    /// By the reaction-rate equations, integrated by the stiff BDF solver:
    /// no fluctuations (Haseltine & Rawlings 2002).
    #[default]
    Deterministic,
    /// By the chemical Langevin equation, in tau-leaps with Gaussian
    /// numbers of firings for fast reactions of continuous species (Gillespie
    /// 2000): fluctuations kept, discrete species leapt (see the
    /// [module docs](self)).
    Langevin,
}

/// Settings of a hybrid simulation.
///
/// Defaults: `threshold` 100 (amount), deterministic noise, `rtol` 1e-6,
/// `atol` 1e-12, `epsilon` 0.03, exact decay on, `t0` 0, `max_steps` 10⁷
/// solver steps per trajectory; no species named discrete or continuous.
#[derive(Debug, Clone)]
pub struct HybridBuilder<'a> {
    net: &'a Network,
    discrete: Vec<String>,
    continuous: Vec<String>,
    threshold: f64,
    noise: Noise,
    rtol: f64,
    atol: f64,
    epsilon: f64,
    exact_decay: bool,
    t0: f64,
    max_steps: usize,
}

impl HybridBuilder<'_> {
    /// Species to simulate as whole counts, whatever their initial amount.
    pub fn discrete<I: IntoIterator<Item = S>, S: Into<String>>(&mut self, ids: I) -> &mut Self {
        self.discrete.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Species to integrate continuously, whatever their initial amount.
    pub fn continuous<I: IntoIterator<Item = S>, S: Into<String>>(&mut self, ids: I) -> &mut Self {
        self.continuous.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Species not named otherwise are discrete when their initial amount is
    /// below this. With Langevin noise it also bounds the Gaussian regime at
    /// run time: a continuous species is a whole count below it.
    pub fn threshold(&mut self, amount: f64) -> &mut Self {
        self.threshold = amount;
        self
    }

    /// How the continuous species move.
    pub fn noise(&mut self, noise: Noise) -> &mut Self {
        self.noise = noise;
        self
    }

    /// With Langevin noise, the largest relative change of a propensity in
    /// one leap, as [`TauBuilder::epsilon`](crate::TauBuilder::epsilon).
    pub fn epsilon(&mut self, eps: f64) -> &mut Self {
        self.epsilon = eps;
        self
    }

    /// With Langevin noise, whether discrete species removed only by
    /// first-order reactions (with the other conditions of
    /// [`TauBuilder::exact_decay`](crate::TauBuilder::exact_decay)) have
    /// their removals drawn exactly over each leap.
    pub fn exact_decay(&mut self, on: bool) -> &mut Self {
        self.exact_decay = on;
        self
    }

    /// Relative tolerance of the ODE solver and of the interpolated
    /// propensities whose integral times the firings (deterministic noise
    /// only, as `atol` and `max_steps`).
    pub fn rtol(&mut self, rtol: f64) -> &mut Self {
        self.rtol = rtol;
        self
    }

    /// Absolute tolerance of the ODE solver.
    pub fn atol(&mut self, atol: f64) -> &mut Self {
        self.atol = atol;
        self
    }

    /// Start time.
    pub fn t0(&mut self, t0: f64) -> &mut Self {
        self.t0 = t0;
        self
    }

    /// Most solver steps allowed in one trajectory.
    pub fn max_steps(&mut self, n: usize) -> &mut Self {
        self.max_steps = n;
        self
    }

    /// Partitions and compiles the network.
    ///
    /// # Errors
    ///
    /// Compilation errors; ids in `discrete`/`continuous` that are not
    /// species ([`EngineError::UnknownSymbol`]); stoichiometries of discrete
    /// species that are not whole numbers ([`EngineError::Stoichiometry`]);
    /// bad tolerances or threshold ([`EngineError::InvalidSetting`]);
    /// with Langevin noise, as [`TauBuilder::build`](crate::TauBuilder::build):
    /// ε outside (0, 1], rate rules, and stoichiometries that are not whole
    /// numbers or that rules set, of any species.
    pub fn build(&self) -> Result<Hybrid> {
        if self.threshold.is_nan() {
            return Err(EngineError::InvalidSetting {
                name: "threshold",
                expected: "a number",
                found: self.threshold.to_string(),
            });
        }
        let partition = Partition::new(
            self.net,
            &self.discrete,
            &self.continuous,
            self.threshold,
            self.t0,
        )?;
        let langevin = match self.noise {
            Noise::Deterministic => None,
            Noise::Langevin => {
                let tau = Tau::builder(self.net)
                    .epsilon(self.epsilon)
                    .exact_decay(self.exact_decay)
                    .t0(self.t0)
                    .build()?;
                let continuous = partition.is_discrete.iter().map(|&d| !d).collect();
                Some(Box::new(tau.with_langevin(continuous, self.threshold)))
            }
        };
        // The same law, by the faster engine (it cannot route back here:
        // no propensity reads time and there are no rate rules).
        let exact = if partition.exact && langevin.is_none() {
            Some(Box::new(Ssa::builder(self.net).t0(self.t0).build()?))
        } else {
            None
        };
        let hybrid = Hybrid {
            exact,
            langevin,
            system: partition.system,
            jumps: partition.jumps,
            discrete: partition.discrete,
            is_discrete: partition.is_discrete,
            rtol: self.rtol,
            atol: self.atol,
            t0: self.t0,
            max_steps: self.max_steps,
        };
        hybrid.ode().build()?;
        Ok(hybrid)
    }
}

/// One stochastic firing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Firing {
    /// When it fired.
    pub time: f64,
    /// The reaction, as an index into the network's reactions.
    pub reaction: usize,
}

/// The result of one hybrid trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct HybridRun {
    /// Observables at each output time, row-major (time × observable).
    pub rows: Vec<f64>,
    /// Every stochastic firing, in time order.
    pub firings: Vec<Firing>,
    /// ODE solver steps taken.
    pub steps: u64,
}

/// A compiled hybrid simulator: build once, run many trajectories (it is `Sync`).
///
/// # Examples
///
/// ```
/// use rand::SeedableRng;
/// use senmet_engine::{Compartment, Expr, Hybrid, InitialQuantity, Network, Op, Reaction, Species, SpeciesReference};
/// // A -> 0 at rate 0.5·A with A(0) = 10: A starts below the threshold, so it is discrete.
/// let mut net = Network::default();
/// net.compartments.push(Compartment { id: "c".into(), name: None, size: Some(1.0), spatial_dimensions: None, constant: true });
/// net.species.push(Species { id: "A".into(), name: None, compartment: "c".into(), initial: InitialQuantity::Amount(10.0),
///     has_only_substance_units: true, boundary_condition: false, constant: false, conversion_factor: None });
/// net.reactions.push(Reaction { id: "decay".into(), name: None, reversible: false,
///     reactants: vec![SpeciesReference { species: "A".into(), id: None, stoichiometry: Some(1.0), constant: true }],
///     products: vec![], modifiers: vec![],
///     rate: Some(Expr::apply(Op::Times, vec![Expr::Num(0.5), Expr::sym("A")])) });
/// let hybrid = Hybrid::builder(&net).build()?;
/// assert_eq!(hybrid.stochastic_reactions(), ["decay"]);
/// let a = hybrid.system().observable("A", true).expect("A is a species");
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let run = hybrid.run(&mut rng, &[0.0, 1.0], &[a], &[])?;
/// assert_eq!(run.rows[0], 10.0);
/// assert_eq!(run.rows[1], 10.0 - run.firings.len() as f64);
/// # Ok::<(), senmet_engine::EngineError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Hybrid {
    /// The exact SSA, when the partition leaves nothing continuous (see
    /// [`Trajectory`] below).
    exact: Option<Box<Ssa>>,
    /// The leaps that simulate it with Langevin noise.
    langevin: Option<Box<Tau>>,
    system: System,
    jumps: Vec<Jump>,
    /// Discrete species, by index.
    discrete: Vec<usize>,
    /// Whether each species (by index) is discrete.
    is_discrete: Vec<bool>,
    rtol: f64,
    atol: f64,
    t0: f64,
    max_steps: usize,
}

impl Hybrid {
    /// Settings for simulating `net`, with the defaults of [`HybridBuilder`].
    pub fn builder(net: &Network) -> HybridBuilder<'_> {
        HybridBuilder {
            net,
            discrete: Vec::new(),
            continuous: Vec::new(),
            threshold: 100.0,
            noise: Noise::default(),
            rtol: 1e-6,
            atol: 1e-12,
            epsilon: 0.03,
            exact_decay: true,
            t0: 0.0,
            max_steps: 10_000_000,
        }
    }

    /// The compiled network (to look up observables and parameters).
    pub fn system(&self) -> &System {
        &self.system
    }

    /// Ids of the stochastic reactions, in network order.
    pub fn stochastic_reactions(&self) -> Vec<&str> {
        self.jumps.iter().map(|j| j.reaction.id.as_str()).collect()
    }

    /// One trajectory: observables at `times` (row-major), all stochastic
    /// firings in time order. `overrides` replace parameters' declared
    /// values as in [`Ode::run_with`] (the partition stays as built).
    ///
    /// # Errors
    ///
    /// Bad output times; discrete species starting negative or fractional
    /// ([`EngineError::Count`]) or driven below zero
    /// ([`EngineError::NegativeCount`]); negative or NaN propensities
    /// ([`EngineError::Propensity`]); solver failures; event loops;
    /// [`EngineError::InvalidSetting`] with Langevin noise, whose leaps do
    /// not list firings (run it as a [`Trajectory`]).
    pub fn run(
        &self,
        rng: &mut ChaCha8Rng,
        times: &[f64],
        observables: &[Observable],
        overrides: &[(ParameterId, f64)],
    ) -> Result<HybridRun> {
        if self.langevin.is_some() {
            return Err(EngineError::InvalidSetting {
                name: "noise",
                expected: "deterministic noise to list a hybrid run's firings",
                found: "langevin".into(),
            });
        }
        let events_rng = ChaCha8Rng::seed_from_u64(rng.random());
        let mut firings = Firings::new(self, rng);
        let (rows, steps) = self.ode().build()?.simulate(
            times,
            observables,
            overrides,
            events_rng,
            &mut firings,
        )?;
        Ok(HybridRun {
            rows: rows.concat(),
            firings: firings.into_firings(),
            steps: steps as u64,
        })
    }

    fn ode(&self) -> crate::ode::OdeBuilder<'_> {
        let mut b = Ode::builder(&self.system);
        b.rtol(self.rtol)
            .atol(self.atol)
            .t0(self.t0)
            .max_steps(self.max_steps);
        b
    }
}

impl Trajectory for Hybrid {
    fn system(&self) -> &System {
        &self.system
    }

    fn trajectory(
        &self,
        rng: &mut ChaCha8Rng,
        times: &[f64],
        observables: &[Observable],
        out: &mut [f64],
    ) -> Result<u64> {
        if let Some(tau) = &self.langevin {
            // Observables of the partitioned system read the plain one
            // alike (as for the exact SSA below).
            return tau.trajectory(rng, times, observables, out);
        }
        crate::stochastic::check_times(times, self.t0, observables.len(), out.len())?;
        if let Some(ssa) = &self.exact {
            // Observables name species by index and other symbols by slots
            // that both compilations number alike (only amount and
            // derivative slots, which no observable names, differ).
            return ssa.trajectory(rng, times, observables, out);
        }
        let run = self.run(rng, times, observables, &[])?;
        out.copy_from_slice(&run.rows);
        Ok(run.firings.len() as u64)
    }
}
