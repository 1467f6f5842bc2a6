//! `prior = true`: every subject draws the uncertain parameters from their priors.

use std::path::Path;

use senmet_model::experiment::{self, Experiment, Subject};
use senmet_model::params::Tables;
use senmet_model::readout::Readout;
use senmet_model::scenario;

fn experiment(prior: bool) -> Experiment {
    let tables = Tables::builtin().unwrap();
    let mut exp = scenario::parse(scenario::DEFAULT, Path::new("default"), &tables).unwrap();
    exp.cancer_types.truncate(1);
    exp.arms.retain(|a| a.name == "aged_vehicle");
    exp.comparisons.clear();
    exp.n = 24;
    exp.prior = prior;
    exp
}

fn run(exp: &Experiment, threads: usize) -> Vec<Subject> {
    let tables = Tables::builtin().unwrap();
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| experiment::run(exp, &tables, &|| {}).unwrap())
        .subjects
}

/// Coefficient of variation of the log of a readout across subjects.
fn log_sd(subjects: &[Subject], r: Readout) -> f64 {
    let x: Vec<f64> = subjects.iter().map(|s| s.get(r).ln()).collect();
    let m = x.iter().sum::<f64>() / x.len() as f64;
    (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
}

#[test]
fn prior_draws_widen_the_spread_and_do_not_depend_on_threads() {
    let fixed = run(&experiment(false), 2);
    let drawn = run(&experiment(true), 1);
    assert_eq!(drawn, run(&experiment(true), 2));
    // Between-subject variation alone (CV 0.3–0.5 on three parameters) vs
    // every uncertain parameter over its range (e.g. EV release over a decade).
    let (a, b) = (
        log_sd(&fixed, Readout::PlasmaEvSenescent),
        log_sd(&drawn, Readout::PlasmaEvSenescent),
    );
    assert!(
        b > 1.5 * a,
        "log SD of senescent plasma EVs: {a} without, {b} with priors"
    );
    assert!(drawn
        .iter()
        .all(|s| s.readouts.iter().all(|v| v.is_finite())));
}

#[test]
fn overridden_parameters_are_not_drawn() {
    let mut exp = experiment(true);
    exp.n = 6;
    // With every factor of plasma senescent EVs fixed by overrides, the
    // prior leaves that readout to the between-subject variation only.
    let tables = Tables::builtin().unwrap();
    let base = tables
        .resolve(exp.arms[0].host.species, &exp.cancer_types[0])
        .unwrap();
    exp.overrides = senmet_model::prior::uncertain(&base)
        .map(|p| (p.name.clone(), p.value))
        .collect();
    let mut plain = exp.clone();
    plain.prior = false;
    assert_eq!(run(&exp, 1), run(&plain, 1));
}
