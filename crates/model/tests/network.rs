//! The network itself: EV pharmacokinetics, SBML round trip, bad parameters.

use senmet_engine::{InitialQuantity, Ode, System};
use senmet_model::build::{network, Design};
use senmet_model::host::{AgeEffects, Host, Species};
use senmet_model::params::Tables;
use senmet_model::ModelError;

fn mouse(age_days: f64) -> Host {
    Host {
        species: Species::Mouse,
        age_days,
    }
}

/// An IV bolus of 1e10 EVs into a mouse without EV production, with a 0.5 g tumour.
#[test]
fn ev_bolus_clears_in_minutes_mostly_to_liver_and_spleen_and_about_one_percent_to_tumour() {
    let tables = Tables::builtin().unwrap();
    let mut p = tables.resolve(Species::Mouse, "lung").unwrap();
    p.set("hepatocytes", 0.0).unwrap();
    p.set("inoculum", 5e8).unwrap();
    let d = Design {
        host: mouse(670.0),
        params: &p,
        interventions: &[],
        age_effects: AgeEffects::default(),
        burden: true,
        t0: -1e-6,
        t_end: 1.0,
    };
    let mut net = network(&d).unwrap().network;
    let ev = net.species.iter_mut().find(|s| s.id == "ev_hep").unwrap();
    ev.initial = InitialQuantity::Amount(1e10);
    net.initial_assignments.retain(|a| a.symbol != "ev_hep");
    let system = System::new(&net).unwrap();
    let ids = [
        "ev_hep",
        "ev_liver",
        "ev_spleen",
        "ev_lung",
        "ev_kidney",
        "ev_other",
        "ev_tumour",
    ];
    let obs: Vec<_> = ids
        .iter()
        .map(|i| system.observable(i, true).unwrap())
        .collect();
    let minutes = [0.0, 5.0, 10.0, 60.0];
    let times: Vec<f64> = minutes.iter().map(|m| m / 1440.0).collect();
    let times: Vec<f64> = times.iter().map(|t| t + 1e-6).collect();
    let rows = Ode::builder(&system)
        .rtol(1e-8)
        .atol(1e-3)
        .build()
        .unwrap()
        .run(&times, &obs)
        .unwrap();
    // Blood half-life in minutes (the fast phase of 2–20 min reported for IV EVs).
    let half_life = 10.0 * std::f64::consts::LN_2 / (rows[0][0] / rows[2][0]).ln();
    assert!((2.0..=20.0).contains(&half_life), "{half_life} min");
    // After an hour almost all are taken up: liver + spleen the most, tumour about 1% or less.
    let taken: f64 = rows[3][1..].iter().sum();
    let share = |k: usize| rows[3][k] / taken;
    assert!(rows[3][0] < 0.01 * 1e10);
    assert!(
        share(1) + share(2) > 0.7,
        "liver {} spleen {}",
        share(1),
        share(2)
    );
    assert!(share(1) > share(3) && share(2) > share(3));
    assert!(share(6) > 0.0 && share(6) <= 0.012, "tumour {}", share(6));
}

#[test]
fn the_model_exports_to_sbml_and_reads_back_to_the_same_trajectory() {
    let tables = Tables::builtin().unwrap();
    let p = tables.resolve(Species::Mouse, "breast").unwrap();
    let ivs = [senmet_model::intervention::Intervention::P2rx7Inhibitor {
        start: -5.0,
        stop: Some(10.0),
    }];
    let d = Design {
        host: mouse(670.0),
        params: &p,
        interventions: &ivs,
        age_effects: AgeEffects::default(),
        burden: true,
        t0: -7.0,
        t_end: 20.0,
    };
    let net = network(&d).unwrap().network;
    let xml = senmet_sbml::to_string(&net);
    let back = senmet_sbml::read_str(&xml, std::path::Path::new("model.xml")).unwrap();
    let ids = [
        "sen",
        "plasma_ev",
        "pten",
        "lats2",
        "emt_fraction",
        "colonies_lung",
        "primary_size",
    ];
    let run = |n: &senmet_engine::Network| {
        let s = System::new(n).unwrap();
        let obs: Vec<_> = ids.iter().map(|i| s.observable(i, true).unwrap()).collect();
        Ode::builder(&s)
            .build()
            .unwrap()
            .run(&[0.0, 7.0, 12.0, 27.0], &obs)
            .unwrap()
    };
    assert_eq!(run(&net), run(&back));
}

#[test]
fn organ_shares_over_one_are_refused_by_name() {
    let tables = Tables::builtin().unwrap();
    let mut p = tables.resolve(Species::Mouse, "breast").unwrap();
    p.set("ev_share_liver", 0.9).unwrap();
    let d = Design {
        host: mouse(91.0),
        params: &p,
        interventions: &[],
        age_effects: AgeEffects::default(),
        burden: true,
        t0: -2.0,
        t_end: 10.0,
    };
    let err = network(&d).unwrap_err();
    assert!(
        matches!(err, ModelError::BadValue { ref name, .. } if name.contains("ev_share_liver")),
        "{err}"
    );
}
