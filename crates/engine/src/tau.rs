//! Adaptive explicit tau-leaping (Cao, Gillespie & Petzold 2006).
//!
//! Instead of firing one reaction at a time, a leap of length τ fires each
//! reaction a Poisson(aⱼτ) number of times, with τ chosen so that no
//! propensity is expected to change by more than a fraction ε (Cao,
//! Gillespie & Petzold 2006, J Chem Phys 124:044109, eq. 33; see
//! `tau/select.rs` for how orders are counted when kinetic laws are not mass
//! action), and no longer than a fraction of the time in which any species'
//! consumption relaxes ([`TauBuilder::relaxation`], senmet's addition).
//! Reactions that could exhaust a reactant within `nc` firings are
//! *critical* (Cao, Gillespie & Petzold 2005, J Chem Phys 123:054104): they
//! fire at most once per leap, one chosen exactly as in the SSA (with the
//! midpoint update, from a hazard that follows the leap's expected change
//! of state to first order; see `tau/hazard.rs`). A leap that
//! would make a count negative is rejected and τ halved, so counts never go
//! negative when propensities vanish with their reactants. When τ would be
//! below 10/a₀ the method takes 100 exact SSA steps instead (step 3 of the
//! 2006 paper). Poisson counts are drawn by sequential search below a mean
//! of 10 and by Hörmann's PTRS above (`tau/poisson.rs`). Species removed
//! only by first-order reactions, whose count no other propensity reads
//! (and made one molecule at a time at rates that do not read time), have
//! their removals drawn exactly instead and do not bound the leap
//! themselves ([`TauBuilder::exact_decay`], `tau/decay.rs`, senmet's
//! addition).
//!
//! The Poisson means are, by default, the propensities at the leap's
//! estimated midpoint (Gillespie 2001, J Chem Phys 115:1716, §IV): the
//! state moved by half the expected change, `x + (τ/2)·Σⱼ aⱼ(x)·νⱼ`, so
//! that growth and decay are followed to second order in τ instead of first
//! ([`LeapUpdate::Midpoint`]). The explicit update, propensities at the
//! leap's start, is [`LeapUpdate::Explicit`].
//!
//! Propensities, events and assignment rules are those of the exact
//! [`Ssa`](crate::Ssa): events due with the state held fixed (delays,
//! triggers on time) end a leap exactly at their time; triggers on species
//! are checked after every leap, so they fire at the end of the leap that
//! crossed them. Rate rules are not supported.

/// 2⁵²: from here on every f64 is a whole number (rounding a count through
/// an integer conversion, cheaper than `floor` or `round`, stops here).
const WHOLE: f64 = 4_503_599_627_370_496.0;

mod decay;
mod hazard;
mod poisson;
mod run;
mod select;

use rand_chacha::ChaCha8Rng;

use crate::error::{EngineError, Result};
use crate::network::Network;
use crate::ssa::Discrete;
use crate::stochastic::Trajectory;
use crate::system::{Observable, System};
use decay::Decays;

/// Which propensities give a leap's Poisson means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeapUpdate {
    /// Those at the leap's start (Cao, Gillespie & Petzold 2006).
    Explicit,
    /// Those at the estimated midpoint of the leap (Gillespie 2001): the
    /// mean of exponential growth or decay is right to second order in τ.
    #[default]
    Midpoint,
}

/// Settings of a tau-leaping simulation.
///
/// Defaults: `epsilon` 0.03, `relaxation` equal to `epsilon`,
/// `critical_firings` 10, `t0` 0, midpoint update, exact decay on.
#[derive(Debug, Clone)]
pub struct TauBuilder<'a> {
    net: &'a Network,
    epsilon: f64,
    relaxation: Option<f64>,
    critical_firings: u64,
    t0: f64,
    update: LeapUpdate,
    exact_decay: bool,
}

impl TauBuilder<'_> {
    /// The error-control parameter ε: the largest relative change of a
    /// propensity allowed in one leap (in (0, 1]).
    pub fn epsilon(&mut self, eps: f64) -> &mut Self {
        self.epsilon = eps;
        self
    }

    /// The largest fraction by which a species' consumption may relax in
    /// one leap: τ·kᵢ ≤ this, with kᵢ = Σⱼ mᵢⱼ²·aⱼ/xᵢ over the non-critical
    /// reactions consuming species i (mᵢⱼ molecules per firing; for mass
    /// action, the derivative of its consumption flux by its count). Not in
    /// Cao et al.: their bounds let leaps outgrow the relaxation time of
    /// large populations near equilibrium, where the drift vanishes, which
    /// inflates SDs and biases means there. The stationary variance of a
    /// linear process whose removals are left to the leap is inflated by
    /// about this fraction with the midpoint update and half of it with the
    /// explicit update (immigration–death with exact decay off,
    /// `bench/tau/variance.sh`: +2.8 % and +2.2 % at 0.03, +9.3 % and
    /// +4.7 % at 0.1, ±0.45 %); species whose removals are drawn exactly
    /// ([`TauBuilder::exact_decay`]) are not bounded by it. Defaults to ε;
    /// `f64::INFINITY` turns the bound off.
    pub fn relaxation(&mut self, r: f64) -> &mut Self {
        self.relaxation = Some(r);
        self
    }

    /// `nc`: a reaction is critical (fired exactly) if it could exhaust one
    /// of its reactants in fewer than this many firings.
    pub fn critical_firings(&mut self, nc: u64) -> &mut Self {
        self.critical_firings = nc;
        self
    }

    /// Start time.
    pub fn t0(&mut self, t0: f64) -> &mut Self {
        self.t0 = t0;
        self
    }

    /// Which propensities give the Poisson means of a leap.
    pub fn update(&mut self, update: LeapUpdate) -> &mut Self {
        self.update = update;
        self
    }

    /// Whether species removed only by first-order reactions (each
    /// propensity kⱼ·x, one molecule per firing) whose count no other
    /// propensity reads have their removals drawn exactly over each leap
    /// (binomial numbers for the molecules present at its start and for
    /// those arriving in it) instead of as Poisson numbers; such species
    /// then bound no leap themselves (see `tau/decay.rs`). A species made
    /// several molecules per firing, at a rate that reads time, or by
    /// another such species' removals is left to the leap, as is every
    /// species of a model with events. On by default.
    pub fn exact_decay(&mut self, on: bool) -> &mut Self {
        self.exact_decay = on;
        self
    }

    /// Compiles the network and checks it can be simulated discretely.
    ///
    /// # Errors
    ///
    /// [`EngineError::InvalidSetting`] for ε outside (0, 1], a relaxation
    /// bound that is not positive, or a non-finite `t0`; as
    /// [`SsaBuilder::build`](crate::SsaBuilder::build) for the
    /// network (rate rules, stoichiometries that are not whole numbers).
    pub fn build(&self) -> Result<Tau> {
        if !(self.epsilon > 0.0 && self.epsilon <= 1.0) {
            return Err(EngineError::InvalidSetting {
                name: "epsilon",
                expected: "a number in (0, 1]",
                found: self.epsilon.to_string(),
            });
        }
        let relaxation = self.relaxation.unwrap_or(self.epsilon);
        if relaxation.is_nan() || relaxation <= 0.0 {
            return Err(EngineError::InvalidSetting {
                name: "relaxation",
                expected: "a positive number (or infinity)",
                found: relaxation.to_string(),
            });
        }
        if !self.t0.is_finite() {
            return Err(EngineError::InvalidSetting {
                name: "t0",
                expected: "a finite number",
                found: self.t0.to_string(),
            });
        }
        let model = Discrete::new(self.net)?;
        let mut fed_by = vec![Vec::new(); model.reactions.len()];
        for j in 0..model.reactions.len() {
            model.deps(j).iter().for_each(|&k| fed_by[k].push(j));
        }
        let decays = Decays::new(&model, self.exact_decay, |_| false);
        Ok(Tau {
            model,
            decays,
            exact_decay: self.exact_decay,
            fed_by,
            epsilon: self.epsilon,
            relaxation,
            critical_firings: self.critical_firings,
            t0: self.t0,
            update: self.update,
            langevin: None,
        })
    }
}

/// A tau-leaping simulator of a network.
///
/// # Examples
///
/// ```
/// use rand::SeedableRng;
/// use senmet_engine::{Compartment, Expr, InitialQuantity, Network, Op, Reaction, Species, SpeciesReference, Tau};
/// use senmet_engine::stochastic::Trajectory;
/// // A -> 0 at rate 0.5·A, A(0) = 10000.
/// let mut net = Network::default();
/// net.compartments.push(Compartment { id: "c".into(), name: None, size: Some(1.0), spatial_dimensions: None, constant: true });
/// net.species.push(Species { id: "A".into(), name: None, compartment: "c".into(), initial: InitialQuantity::Amount(1e4),
///     has_only_substance_units: true, boundary_condition: false, constant: false, conversion_factor: None });
/// net.reactions.push(Reaction { id: "decay".into(), name: None, reversible: false,
///     reactants: vec![SpeciesReference { species: "A".into(), id: None, stoichiometry: Some(1.0), constant: true }],
///     products: vec![], modifiers: vec![],
///     rate: Some(Expr::apply(Op::Times, vec![Expr::Num(0.5), Expr::sym("A")])) });
/// let tau = Tau::builder(&net).epsilon(0.03).build()?;
/// let a = tau.system().observable("A", true).expect("A is a species");
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let mut out = vec![0.0; 2];
/// let fired = tau.trajectory(&mut rng, &[0.0, 1.0], &[a], &mut out)?;
/// assert_eq!(out[1], 1e4 - fired as f64);
/// assert!((out[1] - 1e4 * (-0.5f64).exp()).abs() < 300.0);
/// # Ok::<(), senmet_engine::EngineError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Tau {
    model: Discrete,
    /// Species whose removals are drawn exactly.
    decays: Decays,
    exact_decay: bool,
    /// Per reaction, the reactions whose firing may change its propensity
    /// (those whose [`Discrete::deps`] hold it).
    fed_by: Vec<Vec<usize>>,
    epsilon: f64,
    relaxation: f64,
    critical_firings: u64,
    t0: f64,
    update: LeapUpdate,
    /// Continuous species under the chemical Langevin equation (the hybrid
    /// method's Langevin noise); `None`: every species is a count.
    langevin: Option<run::Langevin>,
}

impl Tau {
    /// The same leaps with the species flagged in `continuous` (by index)
    /// following the chemical Langevin equation while at least `threshold`
    /// (see `tau/run/langevin.rs`).
    pub(crate) fn with_langevin(mut self, continuous: Vec<bool>, threshold: f64) -> Self {
        let nc = self.critical_firings as f64;
        self.decays = Decays::new(&self.model, self.exact_decay, |i| continuous[i]);
        self.langevin = Some(run::Langevin::new(&self.model, continuous, threshold, nc));
        self
    }

    /// Settings for simulating `net`, with the defaults of [`TauBuilder`].
    pub fn builder(net: &Network) -> TauBuilder<'_> {
        TauBuilder {
            net,
            epsilon: 0.03,
            relaxation: None,
            critical_firings: 10,
            t0: 0.0,
            update: LeapUpdate::default(),
            exact_decay: true,
        }
    }
}

impl Trajectory for Tau {
    fn system(&self) -> &System {
        &self.model.system
    }

    fn trajectory(
        &self,
        rng: &mut ChaCha8Rng,
        times: &[f64],
        observables: &[Observable],
        out: &mut [f64],
    ) -> Result<u64> {
        run::Run::new(self, rng, times, observables, out)?.simulate()
    }
}
