//! Parameter-scan ensembles: one compiled [`System`] simulated over many
//! parameter sets, in parallel.
//!
//! Every set is an independent deterministic run of the same [`Ode`]
//! settings with some parameters' declared values replaced (see
//! [`System::parameter`]), so results are the same, and in the same order,
//! whatever the number of threads. The work runs on the current rayon thread
//! pool: call [`Ensemble::run`] inside `rayon::ThreadPool::install` to choose
//! the thread count.
//!
//! [`System`]: crate::System
//! [`System::parameter`]: crate::System::parameter

use rayon::prelude::*;

use crate::error::{EngineError, Result};
use crate::ode::Ode;
use crate::system::{Observable, ParameterId};

/// Rows of one run: one row per output time, one column per observable.
pub type Rows = Vec<Vec<f64>>;

/// An ODE simulation repeated over parameter sets.
///
/// # Examples
///
/// ```
/// use senmet_engine::{Compartment, Ensemble, Expr, InitialQuantity, Network, Op, Ode, Parameter,
///     Reaction, Species, SpeciesReference, System};
/// // A -> 0 at rate k·A, A(0) = 1; scan k.
/// let mut net = Network::default();
/// net.compartments.push(Compartment { id: "c".into(), name: None, size: Some(1.0), spatial_dimensions: None, constant: true });
/// net.parameters.push(Parameter { id: "k".into(), name: None, value: Some(1.0), constant: true });
/// net.species.push(Species { id: "A".into(), name: None, compartment: "c".into(), initial: InitialQuantity::Amount(1.0),
///     has_only_substance_units: true, boundary_condition: false, constant: false, conversion_factor: None });
/// net.reactions.push(Reaction { id: "decay".into(), name: None, reversible: false,
///     reactants: vec![SpeciesReference { species: "A".into(), id: None, stoichiometry: Some(1.0), constant: true }],
///     products: vec![], modifiers: vec![],
///     rate: Some(Expr::apply(Op::Times, vec![Expr::sym("k"), Expr::sym("A")])) });
/// let system = System::new(&net)?;
/// let a = system.observable("A", true).expect("A is a species");
/// let k = system.parameter("k").expect("k is a parameter");
/// let ode = Ode::builder(&system).rtol(1e-8).build()?;
/// let runs = Ensemble::new(ode, vec![k]).run(&[0.0, 1.0], &[a], &[vec![0.5], vec![2.0]], || {});
/// let last = runs[1].as_ref().expect("set 2 runs")[1][0];
/// assert!((last - (-2.0f64).exp()).abs() < 1e-6);
/// # Ok::<(), senmet_engine::EngineError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Ensemble<'a> {
    ode: Ode<'a>,
    parameters: Vec<ParameterId>,
}

impl<'a> Ensemble<'a> {
    /// An ensemble of `ode` runs where each set gives values for `parameters`, in that order.
    pub fn new(ode: Ode<'a>, parameters: Vec<ParameterId>) -> Self {
        Self { ode, parameters }
    }

    /// The parameters each set gives values for.
    pub fn parameters(&self) -> &[ParameterId] {
        &self.parameters
    }

    /// Simulates every set in parallel and returns one result per set, in
    /// the order of `sets`; `on_done` is called once after each run (from
    /// any thread), e.g. to advance a progress bar.
    ///
    /// A set fails alone: with the wrong number of values
    /// ([`EngineError::InvalidSetting`]) or when its run fails.
    pub fn run<F>(
        &self,
        times: &[f64],
        observables: &[Observable],
        sets: &[Vec<f64>],
        on_done: F,
    ) -> Vec<Result<Rows>>
    where
        F: Fn() + Sync,
    {
        sets.par_iter()
            .map(|values| {
                let rows = self.run_one(times, observables, values);
                on_done();
                rows
            })
            .collect()
    }

    /// Simulates one set.
    ///
    /// # Errors
    ///
    /// The wrong number of values, and the errors of [`Ode::run`].
    pub fn run_one(
        &self,
        times: &[f64],
        observables: &[Observable],
        values: &[f64],
    ) -> Result<Rows> {
        if values.len() != self.parameters.len() {
            return Err(EngineError::InvalidSetting {
                name: "parameter set",
                expected: "one value per scanned parameter",
                found: format!(
                    "{} values for {} parameters",
                    values.len(),
                    self.parameters.len()
                ),
            });
        }
        let overrides: Vec<(ParameterId, f64)> = self
            .parameters
            .iter()
            .copied()
            .zip(values.iter().copied())
            .collect();
        self.ode.run_with(times, observables, &overrides)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::{InitialAssignment, Network};
    use crate::{Expr, System};

    /// A -> 0 at rate k·A with A(0) = a0, where a0 = 2·k0 by initial assignment.
    fn decay() -> Network {
        let mut net = Network::well_mixed(&[("A", 1.0)]);
        for (id, v) in [("k", 1.0), ("k0", 1.0), ("a0", 0.0)] {
            net.add_parameter(id, v);
        }
        let law = |text: &str| text.parse::<Expr>().expect("parses");
        net.initial_assignments.push(InitialAssignment {
            symbol: "a0".into(),
            math: law("2 * k0"),
        });
        net.initial_assignments.push(InitialAssignment {
            symbol: "A".into(),
            math: Expr::sym("a0"),
        });
        net.add_reaction("decay", &[("A", 1.0)], &[], law("k * A"));
        net
    }

    #[test]
    fn overrides_act_before_initial_assignments() -> Result<()> {
        let system = System::new(&decay())?;
        let a = system.observable("A", true).expect("species");
        let params = ["k", "k0", "a0"].map(|id| system.parameter(id).expect("parameter"));
        let ode = Ode::builder(&system).rtol(1e-10).atol(1e-14).build()?;
        let ens = Ensemble::new(ode, params.to_vec());
        // a0 = 99 is overwritten by its initial assignment 2·k0.
        let sets = vec![vec![0.5, 1.0, 99.0], vec![2.0, 3.0, 99.0]];
        let runs = ens.run(&[0.0, 1.0], &[a], &sets, || {});
        for (set, run) in sets.iter().zip(runs) {
            let rows = run?;
            let a0 = 2.0 * set[1];
            assert!((rows[0][0] - a0).abs() < 1e-12);
            assert!((rows[1][0] - a0 * (-set[0]).exp()).abs() < 1e-8 * a0);
        }
        Ok(())
    }

    #[test]
    fn same_results_for_any_thread_count() -> Result<()> {
        let system = System::new(&decay())?;
        let a = system.observable("A", false).expect("species");
        let k = system.parameter("k").expect("parameter");
        let ode = Ode::builder(&system).build()?;
        let ens = Ensemble::new(ode, vec![k]);
        let sets: Vec<Vec<f64>> = (0..40).map(|i| vec![0.1 + 0.05 * f64::from(i)]).collect();
        let times = [0.0, 0.5, 1.0, 5.0];
        let pool = |n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .expect("thread pool")
        };
        let one = pool(1).install(|| ens.run(&times, &[a], &sets, || {}));
        let three = pool(3).install(|| ens.run(&times, &[a], &sets, || {}));
        assert_eq!(one, three);
        assert_eq!(one.len(), 40);
        Ok(())
    }

    #[test]
    fn wrong_set_length_fails_alone() -> Result<()> {
        let system = System::new(&decay())?;
        let a = system.observable("A", true).expect("species");
        let k = system.parameter("k").expect("parameter");
        assert!(system.parameter("A").is_none());
        let ens = Ensemble::new(Ode::builder(&system).build()?, vec![k]);
        let runs = ens.run(&[0.0, 1.0], &[a], &[vec![1.0, 2.0], vec![1.0]], || {});
        assert!(matches!(runs[0], Err(EngineError::InvalidSetting { .. })));
        assert!(runs[1].is_ok());
        Ok(())
    }
}
