//! Exact stochastic simulation (Gillespie 1977, the direct method; Gibson &
//! Bruck 2000, the next reaction method).
//!
//! Propensities are the kinetic laws as SBML defines them (substance per
//! time, with species symbols meaning amounts or concentrations as declared),
//! so every model the ODE solver takes runs here too. Two variants:
//!
//! - [`SsaMethod::Direct`]: every propensity recomputed after each firing and
//!   the reaction chosen by a linear scan, exactly as Gillespie (1977) states it.
//! - [`SsaMethod::SumTree`] (default): only the propensities that read what
//!   the fired reaction changed are recomputed (the dependency graph of Gibson
//!   & Bruck 2000), and the reaction is chosen in a sum tree in O(log M), or,
//!   up to eight reactions, by the running sums of the direct method, added
//!   pairwise (the two then choose alike unless a draw lands within rounding
//!   of a boundary between two sums, which no test trajectory does). Models
//!   without events whose firings change amounts by constants run a loop of
//!   their own over flat tables of the changes and dependencies, with the
//!   same draws; ensembles hand it two trajectories at a time, whose firings
//!   alternate (each trajectory the same as alone).
//!
//! - [`SsaMethod::NextReaction`]: the next reaction method of Gibson & Bruck
//!   (2000): a putative firing time per reaction in an indexed priority
//!   queue, the same dependency graph, and random numbers reused (a changed
//!   propensity rescales the remaining time; only the reaction that fired
//!   draws a new one). One exponential per firing instead of two uniforms.
//!
//! The first two draw the same random numbers per step (one for the waiting
//! time, one for the reaction), so they agree trajectory by trajectory up to
//! rounding; the next reaction method simulates the same process with other
//! draws, so it agrees in distribution.
//!
//! Events (SBML L3V2 §4.12) are checked after every firing; triggers that
//! depend on time are located between firings by bisection with the state
//! held fixed, after which the waiting time is drawn afresh (exact, since the
//! waiting time is memoryless).
//!
//! Models whose propensities change between firings — rate rules (SBML
//! L3V2 §4.11.4), or kinetic laws that read time — are simulated by the
//! [`crate::Hybrid`] machinery with every species that reactions change
//! discrete: rate-rule variables are integrated by the ODE solver, the
//! propensities are interpolated along its steps, and each firing time is
//! where their integral reaches an Exp(1) draw (Salis & Kaznessis 2005),
//! which is the exact SSA with time-varying propensities (up to the
//! tolerance). [`SsaMethod`] and [`SsaBuilder::max_firings`] do not apply
//! to such models (the solver's step limit does).

mod jumps;
pub(crate) mod law;
mod model;
mod queue;
mod run;
mod timeline;
mod tree;

pub(crate) use model::Discrete;
pub(crate) use timeline::Timeline;

use rand_chacha::ChaCha8Rng;

use crate::error::Result;
use crate::hybrid::Hybrid;
use crate::network::Network;
use crate::stochastic::{Lane, Trajectory};
use crate::system::{Observable, System};

/// Which exact algorithm: a variant of the direct method, or the next reaction method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SsaMethod {
    /// All propensities every step, linear selection (the reference).
    Direct,
    /// Dependency graph and sum-tree selection (running sums up to eight
    /// reactions).
    #[default]
    SumTree,
    /// The next reaction method (Gibson & Bruck 2000): dependency graph and
    /// an indexed priority queue of putative firing times.
    NextReaction,
}

/// Settings of an exact stochastic simulation.
///
/// Defaults: method [`SsaMethod::SumTree`], `t0` 0, `max_firings` 10⁹ per trajectory.
#[derive(Debug, Clone)]
pub struct SsaBuilder<'a> {
    net: &'a Network,
    method: SsaMethod,
    t0: f64,
    max_firings: u64,
}

impl SsaBuilder<'_> {
    /// The exact algorithm.
    pub fn method(&mut self, method: SsaMethod) -> &mut Self {
        self.method = method;
        self
    }

    /// Start time.
    pub fn t0(&mut self, t0: f64) -> &mut Self {
        self.t0 = t0;
        self
    }

    /// Most reaction firings allowed in one trajectory.
    pub fn max_firings(&mut self, n: u64) -> &mut Self {
        self.max_firings = n;
        self
    }

    /// Compiles the network and checks it can be simulated discretely.
    ///
    /// # Errors
    ///
    /// Compilation errors, and stoichiometries that are not whole numbers
    /// (naming the reaction and species).
    pub fn build(&self) -> Result<Ssa> {
        let integrate = || -> Result<Exact> {
            let mut b = Hybrid::builder(self.net);
            b.threshold(f64::INFINITY).t0(self.t0);
            Ok(Exact::Integrated(b.build()?))
        };
        let exact = if System::new(self.net)?.has_rate_rules() {
            integrate()?
        } else {
            let model = Discrete::new(self.net)?;
            if model.timed.is_empty() {
                Exact::Jumps(model)
            } else {
                integrate()?
            }
        };
        Ok(Ssa {
            exact,
            method: self.method,
            t0: self.t0,
            max_firings: self.max_firings,
        })
    }
}

/// An exact stochastic simulator of a network.
///
/// # Examples
///
/// ```
/// use rand::SeedableRng;
/// use senmet_engine::{Compartment, Expr, InitialQuantity, Network, Op, Reaction, Species, SpeciesReference, Ssa};
/// use senmet_engine::stochastic::Trajectory;
/// // A -> 0 at rate 0.5·A, A(0) = 100.
/// let mut net = Network::default();
/// net.compartments.push(Compartment { id: "c".into(), name: None, size: Some(1.0), spatial_dimensions: None, constant: true });
/// net.species.push(Species { id: "A".into(), name: None, compartment: "c".into(), initial: InitialQuantity::Amount(100.0),
///     has_only_substance_units: true, boundary_condition: false, constant: false, conversion_factor: None });
/// net.reactions.push(Reaction { id: "decay".into(), name: None, reversible: false,
///     reactants: vec![SpeciesReference { species: "A".into(), id: None, stoichiometry: Some(1.0), constant: true }],
///     products: vec![], modifiers: vec![],
///     rate: Some(Expr::apply(Op::Times, vec![Expr::Num(0.5), Expr::sym("A")])) });
/// let ssa = Ssa::builder(&net).build()?;
/// let a = ssa.system().observable("A", true).expect("A is a species");
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
/// let mut out = vec![0.0; 2];
/// let fired = ssa.trajectory(&mut rng, &[0.0, 1.0], &[a], &mut out)?;
/// assert_eq!(out[0], 100.0);
/// assert_eq!(out[1], 100.0 - fired as f64);
/// # Ok::<(), senmet_engine::EngineError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Ssa {
    exact: Exact,
    method: SsaMethod,
    t0: f64,
    max_firings: u64,
}

/// How a model's firings are simulated.
#[derive(Debug, Clone)]
enum Exact {
    /// Propensities constant between firings: jumps only.
    Jumps(Discrete),
    /// Propensities that change between firings: the hybrid machinery with
    /// every changed species discrete.
    Integrated(Hybrid),
}

impl Ssa {
    /// Settings for simulating `net`, with the defaults of [`SsaBuilder`].
    pub fn builder(net: &Network) -> SsaBuilder<'_> {
        SsaBuilder {
            net,
            method: SsaMethod::default(),
            t0: 0.0,
            max_firings: 1_000_000_000,
        }
    }
}

impl Trajectory for Ssa {
    fn system(&self) -> &System {
        match &self.exact {
            Exact::Jumps(model) => &model.system,
            Exact::Integrated(hybrid) => hybrid.system(),
        }
    }

    fn trajectory(
        &self,
        rng: &mut ChaCha8Rng,
        times: &[f64],
        observables: &[Observable],
        out: &mut [f64],
    ) -> Result<u64> {
        match &self.exact {
            Exact::Jumps(model) => {
                run::Run::new(self, model, rng, times, observables, out)?.simulate()
            }
            Exact::Integrated(hybrid) => hybrid.trajectory(rng, times, observables, out),
        }
    }

    fn trajectory_pair(
        &self,
        [a, b]: [Lane<'_>; 2],
        times: &[f64],
        observables: &[Observable],
    ) -> [Result<u64>; 2] {
        let model = match &self.exact {
            Exact::Jumps(model) => model,
            Exact::Integrated(hybrid) => return hybrid.trajectory_pair([a, b], times, observables),
        };
        let a = run::Run::new(self, model, a.rng, times, observables, a.out);
        let b = run::Run::new(self, model, b.rng, times, observables, b.out);
        match (a, b) {
            (Ok(a), Ok(b)) => run::Run::simulate_pair(a, b),
            (a, b) => [
                a.and_then(run::Run::simulate),
                b.and_then(run::Run::simulate),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::EngineError;
    use crate::expr::{Expr, Op};
    use crate::network::{Parameter, Rule};
    use crate::stochastic::{stream, summarize};
    use senmet_core::Seed;

    /// 0 → X at 10, X → 0 at 0.1·X (stationary Poisson(100)).
    fn birth_death(x0: f64, stoich: f64) -> Network {
        let mut net = Network::well_mixed(&[("X", x0)]);
        net.add_reaction("birth", &[], &[("X", stoich)], Expr::Num(10.0));
        let death = Expr::apply(Op::Times, vec![Expr::Num(0.1), Expr::sym("X")]);
        net.add_reaction("death", &[("X", 1.0)], &[], death);
        net
    }

    #[test]
    fn direct_and_sum_tree_agree_at_the_same_seed() -> Result<()> {
        let net = birth_death(0.0, 1.0);
        let direct = Ssa::builder(&net).method(SsaMethod::Direct).build()?;
        let tree = Ssa::builder(&net).build()?;
        let x = tree.system().observable("X", true).expect("species");
        let times = [0.0, 10.0, 50.0];
        for i in 0..10 {
            let (mut a, mut b) = ([0.0; 3], [0.0; 3]);
            direct.trajectory(&mut stream(Seed::new(7), i), &times, &[x], &mut a)?;
            tree.trajectory(&mut stream(Seed::new(7), i), &times, &[x], &mut b)?;
            assert_eq!(a, b);
        }
        let s = summarize(&tree, &times, &[x], 4000, Seed::new(7), &|_| {})?;
        // Stationary Poisson(100) at t = 50 (mean 100(1 − e⁻⁵)).
        let mu = 100.0 * (1.0 - (-5.0f64).exp());
        assert!((s.mean[2] - mu).abs() < 4.0 * (mu / 4000.0).sqrt());
        Ok(())
    }

    /// The branching metastasis model with a small capacity: six reactions,
    /// a logistic law (a closure, compiled part-way through), a firing
    /// that changes two species.
    fn branching() -> Network {
        let mut net = Network::well_mixed(&[("T", 10.0), ("C", 0.0), ("M", 0.0)]);
        let law = |text: &str| text.parse::<Expr>().expect("parses");
        net.add_reaction(
            "birth",
            &[("T", 1.0)],
            &[("T", 2.0)],
            law("0.3 * T * (1 - T / 300)"),
        );
        net.add_reaction("death", &[("T", 1.0)], &[], law("0.1 * T"));
        net.add_reaction(
            "shed",
            &[("T", 1.0)],
            &[("T", 1.0), ("C", 1.0)],
            law("0.05 * T"),
        );
        net.add_reaction("clear", &[("C", 1.0)], &[], law("5 * C"));
        net.add_reaction("seed", &[("C", 1.0)], &[("M", 1.0)], law("0.5 * C"));
        net.add_reaction("grow", &[("M", 1.0)], &[("M", 2.0)], law("0.2 * M"));
        net
    }

    /// The sum-tree method's loop for models without events (flat jump
    /// tables, running sums up to eight reactions) draws what the direct
    /// method draws and sums propensities in the same order (pairwise,
    /// where the direct method adds them in a row: sums that differ by
    /// rounding only), so the two give the same trajectories bit for bit
    /// unless a draw lands within rounding of a boundary between two sums
    /// (none of these 20 does).
    #[test]
    fn direct_and_sum_tree_agree_bit_for_bit_on_a_branching_model() -> Result<()> {
        let net = branching();
        let direct = Ssa::builder(&net).method(SsaMethod::Direct).build()?;
        let tree = Ssa::builder(&net).build()?;
        let Exact::Jumps(model) = &tree.exact else {
            panic!("no time in the laws: jumps only");
        };
        assert!(model.jumps.is_some(), "constant changes");
        let sys = tree.system();
        let obs: Vec<_> = ["T", "C", "M"]
            .iter()
            .map(|id| sys.observable(id, true).expect("species"))
            .collect();
        let times: Vec<f64> = (0..=30).map(f64::from).collect();
        let mut fired = 0;
        for i in 0..20 {
            let (mut a, mut b) = (vec![0.0; 93], vec![0.0; 93]);
            let n = direct.trajectory(&mut stream(Seed::new(3), i), &times, &obs, &mut a)?;
            let m = tree.trajectory(&mut stream(Seed::new(3), i), &times, &obs, &mut b)?;
            assert_eq!((n, a.as_slice()), (m, b.as_slice()), "trajectory {i}");
            fired += n;
        }
        // Enough firings for the logistic law to be compiled part-way
        // (where the host compiles; `model.rs` tests that it is).
        assert!(fired > 2 * u64::from(crate::vm::WARM), "{fired} firings");
        Ok(())
    }

    /// Two trajectories run as a pair are each what it is alone: with
    /// different ends (one stops firing before the other), an error in
    /// either lane (too many firings), on the loop for constant changes
    /// and on the general loop (the direct method).
    #[test]
    fn pairs_are_their_trajectories_alone() -> Result<()> {
        let net = branching();
        let times: Vec<f64> = (0..=30).map(f64::from).collect();
        let alone = |ssa: &Ssa, i: u64| {
            let mut out = vec![0.0; 31];
            let x = ssa.system().observable("M", true).expect("species");
            let r = ssa.trajectory(&mut stream(Seed::new(5), i), &times, &[x], &mut out);
            (r.map_err(|e| e.to_string()), out)
        };
        let paired = |ssa: &Ssa, i: u64| {
            let x = ssa.system().observable("M", true).expect("species");
            let (mut a, mut b) = (vec![0.0; 31], vec![0.0; 31]);
            let (mut ra, mut rb) = (stream(Seed::new(5), i), stream(Seed::new(5), i + 1));
            let lanes = [
                Lane {
                    rng: &mut ra,
                    out: &mut a,
                },
                Lane {
                    rng: &mut rb,
                    out: &mut b,
                },
            ];
            let [ra, rb] = ssa.trajectory_pair(lanes, &times, &[x]);
            [
                (ra.map_err(|e| e.to_string()), a),
                (rb.map_err(|e| e.to_string()), b),
            ]
        };
        let bits = |runs: &[(std::result::Result<u64, String>, Vec<f64>)]| {
            let bits = |out: &[f64]| out.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            runs.iter()
                .map(|(r, out)| (r.clone(), bits(out)))
                .collect::<Vec<_>>()
        };
        let tree = Ssa::builder(&net).build()?;
        let n = 16;
        let fired: Vec<u64> = (0..n).map(|i| alone(&tree, i).0.expect("runs")).collect();
        assert!(
            fired.windows(2).any(|w| w[0] != w[1]),
            "different ends: {fired:?}"
        );
        // A limit between the fewest and most firings: some fail.
        let mut sorted = fired.clone();
        sorted.sort_unstable();
        let limit = sorted[n as usize / 2];
        for method in [SsaMethod::SumTree, SsaMethod::Direct] {
            for max in [u64::MAX, limit] {
                let ssa = Ssa::builder(&net).method(method).max_firings(max).build()?;
                // Which lanes of each pair failed.
                let mut failed = Vec::new();
                for i in (0..n).step_by(2) {
                    let pair = paired(&ssa, i);
                    let want = [alone(&ssa, i), alone(&ssa, i + 1)];
                    assert_eq!(bits(&pair), bits(&want), "{method:?} {max} {i}");
                    failed.push((pair[0].0.is_err(), pair[1].0.is_err()));
                }
                if max == limit {
                    // The first lane failing alone, and the second.
                    assert!(failed.contains(&(true, false)), "{failed:?}");
                    assert!(failed.contains(&(false, true)), "{failed:?}");
                } else {
                    assert!(failed.iter().all(|&f| f == (false, false)));
                }
            }
        }
        Ok(())
    }

    /// Run in pairs, an ensemble still reports its first failing
    /// trajectory: the second of a pair when only it fails, the first when
    /// both do.
    #[test]
    fn ensembles_report_the_first_failing_trajectory() -> Result<()> {
        let net = branching();
        let times = [0.0, 30.0];
        let free = Ssa::builder(&net).build()?;
        let x = free.system().observable("M", true).expect("species");
        let fired = |seed: u64, i: u64| {
            free.trajectory(&mut stream(Seed::new(seed), i), &times, &[x], &mut [0.0; 2])
        };
        // A seed whose trajectory 0 fires fewer times than trajectory 1.
        let mut found = None;
        for seed in 1..100 {
            let (f0, f1) = (fired(seed, 0)?, fired(seed, 1)?);
            if f0 < f1 {
                found = Some((seed, f0, f1));
                break;
            }
        }
        let (seed, f0, f1) = found.expect("a seed with 0 firing less than 1");
        let message = |ssa: &Ssa, i: u64| {
            let out = &mut [0.0; 2];
            let r = ssa.trajectory(&mut stream(Seed::new(seed), i), &times, &[x], out);
            r.expect_err("fails alone").to_string()
        };
        // At most f0 firings: only trajectory 1 fails; at most f0 − 1: both.
        for (max, first) in [(f0, 1), (f0 - 1, 0)] {
            let ssa = Ssa::builder(&net).max_firings(max).build()?;
            let want = message(&ssa, first);
            if first == 0 {
                // Told apart by their times.
                assert_ne!(want, message(&ssa, 1));
            }
            let s = summarize(&ssa, &times, &[x], 2, Seed::new(seed), &|_| {});
            assert_eq!(
                s.expect_err("fails").to_string(),
                want,
                "{max} of {f0}, {f1}"
            );
            let t =
                crate::stochastic::trajectories(&ssa, &times, &[x], 2, Seed::new(seed), &|_| {});
            assert_eq!(
                t.expect_err("fails").to_string(),
                want,
                "{max} of {f0}, {f1}"
            );
        }
        Ok(())
    }

    /// A ring of ten species with immigration and decay: 21 reactions, so a
    /// sum tree rather than running sums.
    fn ring() -> Network {
        let ids: Vec<String> = (0..10).map(|i| format!("S{i}")).collect();
        let start: Vec<(&str, f64)> = ids.iter().map(|id| (id.as_str(), 5.0)).collect();
        let mut net = Network::well_mixed(&start);
        for (i, id) in ids.iter().enumerate() {
            let next = &ids[(i + 1) % ids.len()];
            let rate = 0.5 + 0.1 * i as f64;
            let law = format!("{rate} * {id}").parse::<Expr>().expect("parses");
            net.add_reaction(&format!("move{i}"), &[(id, 1.0)], &[(next, 1.0)], law);
            let law = format!("0.05 * {id}").parse::<Expr>().expect("parses");
            net.add_reaction(&format!("decay{i}"), &[(id, 1.0)], &[], law);
        }
        net.add_reaction("immigrate", &[], &[("S0", 1.0)], Expr::Num(3.0));
        net
    }

    /// The loop for constant changes (flat tables) and the general loop
    /// (taken here because a conversion factor of 1 on every species makes
    /// the changes not plain constants) give the same trajectories bit for
    /// bit, with a sum tree (21 reactions) and with running sums (the
    /// branching model); and both stop at the firing limit.
    #[test]
    fn the_loop_for_constant_changes_is_the_general_loop() -> Result<()> {
        for net in [ring(), branching()] {
            let mut general = net.clone();
            general.add_parameter("one", 1.0);
            for s in &mut general.species {
                s.conversion_factor = Some("one".into());
            }
            let flat = Ssa::builder(&net).build()?;
            let slow = Ssa::builder(&general).build()?;
            let Exact::Jumps(model) = &slow.exact else {
                panic!("no time in the laws: jumps only");
            };
            assert!(
                model.jumps.is_none(),
                "conversion factors: the general loop"
            );
            let sys = flat.system();
            let obs: Vec<_> = net
                .species
                .iter()
                .map(|s| sys.observable(&s.id, true).expect("species"))
                .collect();
            let times: Vec<f64> = (0..=20).map(f64::from).collect();
            for i in 0..10 {
                let mut a = vec![0.0; times.len() * obs.len()];
                let mut b = a.clone();
                let n = flat.trajectory(&mut stream(Seed::new(8), i), &times, &obs, &mut a)?;
                let m = slow.trajectory(&mut stream(Seed::new(8), i), &times, &obs, &mut b)?;
                assert_eq!((n, &a), (m, &b), "trajectory {i}");
            }
            for limited in [&net, &general] {
                let ssa = Ssa::builder(limited).max_firings(25).build()?;
                let mut out = vec![0.0; times.len() * obs.len()];
                let err = ssa
                    .trajectory(&mut stream(Seed::new(8), 0), &times, &obs, &mut out)
                    .unwrap_err();
                assert!(
                    matches!(err, EngineError::Solver { ref message, time }
                        if message == "more than 25 reaction firings" && time > 0.0),
                    "{err}"
                );
            }
        }
        Ok(())
    }

    /// A propensity that turns negative part-way through a run is an error
    /// naming the reaction, with the time of the firing that made it so.
    #[test]
    fn a_propensity_going_negative_names_the_reaction_and_time() {
        // Immigration at 1, and growth at 5 − X: once X passes 5, growth's
        // propensity is negative.
        let mut net = Network::well_mixed(&[("X", 0.0)]);
        net.add_reaction("immigrate", &[], &[("X", 1.0)], Expr::Num(1.0));
        let law = "5 - X".parse::<Expr>().expect("parses");
        net.add_reaction("grow", &[("X", 1.0)], &[("X", 2.0)], law);
        let ssa = Ssa::builder(&net).build().expect("compiles");
        let x = ssa.system().observable("X", true).expect("species");
        let mut out = [0.0; 2];
        let err = ssa
            .trajectory(&mut stream(Seed::new(4), 0), &[0.0, 1e3], &[x], &mut out)
            .unwrap_err();
        assert!(
            matches!(err, EngineError::Propensity { ref reaction, time, value }
                if reaction == "grow" && time > 0.0 && time < 1e3 && value == -1.0),
            "{err}"
        );
        // The direct method takes the same draws to the same firing.
        let direct = Ssa::builder(&net)
            .method(SsaMethod::Direct)
            .build()
            .expect("compiles");
        let same = direct
            .trajectory(&mut stream(Seed::new(4), 0), &[0.0, 1e3], &[x], &mut out)
            .unwrap_err();
        assert_eq!(same.to_string(), err.to_string());
    }

    /// Birth–death from X(0) = 0 is Poisson at every time, with mean
    /// μ(t) = 100(1 − e^(−t/10)): the next reaction method's sample mean and
    /// variance must match it, and its means must match the direct method's.
    #[test]
    fn next_reaction_matches_poisson_moments_and_the_direct_method() -> Result<()> {
        let net = birth_death(0.0, 1.0);
        let nrm = Ssa::builder(&net).method(SsaMethod::NextReaction).build()?;
        let direct = Ssa::builder(&net).build()?;
        let x = nrm.system().observable("X", true).expect("species");
        let times = [0.0, 5.0, 20.0, 60.0];
        let n = 4000;
        let s = summarize(&nrm, &times, &[x], n, Seed::new(11), &|_| {})?;
        let d = summarize(&direct, &times, &[x], n, Seed::new(12), &|_| {})?;
        assert_eq!((s.mean[0], s.sd[0]), (0.0, 0.0));
        for (i, &t) in times.iter().enumerate().skip(1) {
            let mu = 100.0 * (1.0 - (-t / 10.0f64).exp());
            let se_mean = (mu / n as f64).sqrt();
            // Var(S²) ≈ (μ₄ − σ⁴)/n with μ₄ = λ(1 + 3λ) for Poisson(λ).
            let se_var = ((mu + 2.0 * mu * mu) / n as f64).sqrt();
            let var = s.sd[i] * s.sd[i];
            assert!(
                (s.mean[i] - mu).abs() < 4.0 * se_mean,
                "mean at {t}: {}",
                s.mean[i]
            );
            assert!((var - mu).abs() < 5.0 * se_var, "variance at {t}: {var}");
            let z = (s.mean[i] - d.mean[i]) / (2.0 * mu / n as f64).sqrt();
            assert!(z.abs() < 4.0, "NRM vs direct at {t}: z = {z}");
        }
        Ok(())
    }

    /// A reaction that does not read what it changes (0 → X at a constant
    /// rate) must still get a new putative time each time it fires.
    #[test]
    fn next_reaction_redraws_reactions_that_do_not_depend_on_themselves() -> Result<()> {
        let mut net = birth_death(0.0, 1.0);
        net.reactions.truncate(1);
        let nrm = Ssa::builder(&net).method(SsaMethod::NextReaction).build()?;
        let x = nrm.system().observable("X", true).expect("species");
        let n = 2000;
        let s = summarize(&nrm, &[0.0, 10.0], &[x], n, Seed::new(5), &|_| {})?;
        // Poisson(10 · 10).
        assert!((s.mean[1] - 100.0).abs() < 4.0 * (100.0 / n as f64).sqrt());
        assert!((s.sd[1] - 10.0).abs() < 1.0);
        Ok(())
    }

    /// 0 → X at rate `law`, which changes between firings: X(T) is Poisson
    /// with mean ∫₀ᵀ rate dt. Checks the mean and variance over `n` runs.
    fn poisson_at(net: &Network, t_end: f64, mu: f64, n: usize) -> Result<()> {
        let ssa = Ssa::builder(net).build()?;
        let x = ssa.system().observable("X", true).expect("species");
        let s = summarize(&ssa, &[0.0, t_end], &[x], n, Seed::new(9), &|_| {})?;
        let se_mean = (mu / n as f64).sqrt();
        let se_var = ((mu + 2.0 * mu * mu) / n as f64).sqrt();
        let var = s.sd[1] * s.sd[1];
        assert!((s.mean[1] - mu).abs() < 4.0 * se_mean, "mean {}", s.mean[1]);
        assert!((var - mu).abs() < 5.0 * se_var, "variance {var}");
        Ok(())
    }

    /// Birth at rate k with dk/dt = 2, k(0) = 0 (a rate rule): X(5) is
    /// Poisson(∫₀⁵ 2t dt = 25).
    #[test]
    fn rate_rules_drive_propensities_exactly() -> Result<()> {
        let mut net = birth_death(0.0, 1.0);
        net.reactions.truncate(1);
        net.reactions[0].rate = Some(Expr::sym("k"));
        net.parameters.push(Parameter {
            id: "k".into(),
            name: None,
            value: Some(0.0),
            constant: false,
        });
        net.rules.push(Rule::Rate {
            variable: "k".into(),
            math: Expr::Num(2.0),
        });
        poisson_at(&net, 5.0, 25.0, 2000)
    }

    /// Birth at rate t (time-dependent): X(6) is Poisson(18). Holding the
    /// propensity at its value at the last firing would never fire (it is 0
    /// at t = 0).
    #[test]
    fn time_dependent_propensities_are_integrated() -> Result<()> {
        let mut net = birth_death(0.0, 1.0);
        net.reactions.truncate(1);
        net.reactions[0].rate = Some(Expr::Time);
        poisson_at(&net, 6.0, 18.0, 2000)
    }

    /// Conversion factors are checked on each firing's net change of a
    /// species: a catalyst's take and give cancel.
    #[test]
    fn conversion_factors_need_whole_net_changes() -> Result<()> {
        let run = |reactants: &[(&str, f64)], products: &[(&str, f64)], factor: f64| {
            let mut net = Network::well_mixed(&[("X", 4.0), ("Y", 10.0)]);
            let rate = Expr::apply(Op::Times, vec![Expr::Num(0.1), Expr::sym("Y")]);
            net.add_reaction("r", reactants, products, rate);
            net.add_parameter("cf", factor);
            net.species[0].conversion_factor = Some("cf".into());
            let ssa = Ssa::builder(&net).build().expect("compiles");
            let x = ssa.system().observable("X", true).expect("species");
            let mut out = [0.0; 2];
            ssa.trajectory(&mut stream(Seed::new(1), 0), &[0.0, 5.0], &[x], &mut out)
                .map(|_| out[1])
        };
        // X + Y → X: X's −0.5 and +0.5 cancel; X stays at 4.
        assert_eq!(run(&[("X", 1.0), ("Y", 1.0)], &[("X", 1.0)], 0.5)?, 4.0);
        // X + Y → 3X: −0.5 + 1.5, one more X per firing.
        assert!(run(&[("X", 1.0), ("Y", 1.0)], &[("X", 3.0)], 0.5)? > 4.0);
        // 100 × 0.07 is 7 only to rounding.
        assert!(run(&[("Y", 1.0)], &[("X", 100.0)], 0.07).is_ok());
        let err = run(&[("X", 1.0), ("Y", 1.0)], &[("X", 2.0)], 0.5).unwrap_err();
        assert!(
            matches!(err, EngineError::Stoichiometry { ref reaction, ref species, value }
                if reaction == "r" && species == "X" && value == 0.5),
            "{err}"
        );
        Ok(())
    }

    #[test]
    fn bad_input_names_the_species_or_reaction() {
        let err = Ssa::builder(&birth_death(0.0, 1.5)).build().unwrap_err();
        assert!(
            matches!(err, EngineError::Stoichiometry { ref reaction, .. } if reaction == "birth")
        );
        let ssa = Ssa::builder(&birth_death(-3.0, 1.0))
            .build()
            .expect("compiles");
        let x = ssa.system().observable("X", true).expect("species");
        let mut out = [0.0; 2];
        let err = ssa
            .trajectory(&mut stream(Seed::new(1), 0), &[0.0, 1.0], &[x], &mut out)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "species 'X' has an initial count of -3: expected a non-negative whole number for discrete simulation"
        );
        // A conversion factor of 0.5 would make X fractional at the first
        // firing; one of 2 keeps it whole.
        for (factor, whole) in [(0.5, false), (2.0, true)] {
            let mut net = birth_death(0.0, 1.0);
            net.add_parameter("cf", factor);
            net.species[0].conversion_factor = Some("cf".into());
            let ssa = Ssa::builder(&net).build().expect("compiles");
            let result = ssa.trajectory(&mut stream(Seed::new(1), 0), &[0.0, 1.0], &[x], &mut out);
            match result {
                Ok(_) => assert!(whole, "factor {factor}"),
                Err(err) => assert!(
                    !whole
                        && matches!(err, EngineError::Stoichiometry { ref species, value, .. }
                            if species == "X" && value == 0.5),
                    "factor {factor}: {err}"
                ),
            }
        }
    }
}
