//! The experiment's founding sampler against the engine's general hybrid SSA/ODE method.
//!
//! `experiment` draws colony foundings by the time change of the integrated
//! founding propensity on the deterministic path. The engine's `Hybrid`
//! simulates the same network with the colony counts discrete and everything
//! else continuous, firing each founding when its own propensity integral
//! reaches an exponential threshold (restarting the solver only if the
//! continuous part reads the counts). Both must
//! give Poisson counts with mean equal to the integral.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use senmet_engine::{Hybrid, Ode, System};
use senmet_model::build::{discrete_species, network, Design};
use senmet_model::host::{AgeEffects, Host, Species};
use senmet_model::params::Tables;

#[test]
fn the_engine_hybrid_founds_colonies_as_a_poisson_process_of_the_founding_integral() {
    let tables = Tables::builtin().unwrap();
    let mut p = tables.resolve(Species::Mouse, "lung").unwrap();
    // About ten foundings per run keep 400 hybrid runs quick.
    p.set("colony_probability", 1e-6).unwrap();
    let d = Design {
        host: Host {
            species: Species::Mouse,
            age_days: 670.0,
        },
        params: &p,
        interventions: &[],
        age_effects: AgeEffects::default(),
        burden: true,
        t0: -2.0,
        t_end: 20.0,
    };
    let net = network(&d).unwrap().network;
    let discrete = discrete_species();
    let continuous: Vec<String> = net
        .species
        .iter()
        .map(|s| s.id.clone())
        .filter(|id| !discrete.contains(id))
        .collect();
    let hybrid = Hybrid::builder(&net)
        .discrete(discrete.clone())
        .continuous(continuous)
        .rtol(1e-6)
        .atol(1e-9)
        .build()
        .unwrap();
    assert_eq!(
        hybrid.stochastic_reactions(),
        ["found_lung", "found_liver", "found_bone"]
    );
    let times = [0.0, 22.0];
    let obs: Vec<_> = discrete
        .iter()
        .map(|id| hybrid.system().observable(id, true).unwrap())
        .collect();
    let runs = 400;
    let totals: Vec<f64> = (0..runs)
        .map(|i| {
            let mut rng = ChaCha8Rng::seed_from_u64(17);
            rng.set_stream(i);
            let run = hybrid.run(&mut rng, &times, &obs, &[]).unwrap();
            assert_eq!(run.firings.len() as f64, run.rows[3..].iter().sum::<f64>());
            run.rows[3..].iter().sum()
        })
        .collect();
    // The integral of the founding propensity: the ODE's expected colony counts.
    let system = System::new(&net).unwrap();
    let ode_obs: Vec<_> = discrete
        .iter()
        .map(|id| system.observable(id, true).unwrap())
        .collect();
    let expected: f64 = Ode::builder(&system)
        .build()
        .unwrap()
        .run(&times, &ode_obs)
        .unwrap()[1]
        .iter()
        .sum();
    assert!(expected > 5.0 && expected < 30.0, "{expected}");
    let n = f64::from(runs as u32);
    let mean = totals.iter().sum::<f64>() / n;
    let var = totals.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    // Poisson: mean and variance both equal the integral.
    assert!(
        (mean - expected).abs() < 4.0 * (expected / n).sqrt(),
        "mean {mean} vs {expected}"
    );
    assert!(
        (var / expected - 1.0).abs() < 0.25,
        "variance {var} vs {expected}"
    );
}
