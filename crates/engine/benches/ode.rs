//! ODE solves of the peer-benchmark models: Robertson (3 species, stiff) and a
//! 50-species reversible chain with 10 bimolecular side reactions and rate
//! constants over 6 decades (the structure of `chain50.xml` of the peer
//! benchmarks; here its constants are drawn with ChaCha8 seed 0). Each solve
//! has 100 output points, rtol 1e-6, atol 1e-12, as in the peer script.
//!
//! Short CI profile: `cargo bench -p senmet-engine --bench ode`.

use std::time::Duration;

use criterion::Criterion;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use senmet_engine::{
    Compartment, Expr, InitialQuantity, Network, Ode, Op, Parameter, Reaction, Species,
    SpeciesReference, System,
};

fn network(species: &[(&str, f64)], params: &[(String, f64)]) -> Network {
    let mut net = Network::default();
    net.compartments.push(Compartment {
        id: "cell".into(),
        name: None,
        size: Some(1.0),
        spatial_dimensions: Some(3.0),
        constant: true,
    });
    for &(id, a) in species {
        net.species.push(Species {
            id: id.into(),
            name: None,
            compartment: "cell".into(),
            initial: InitialQuantity::Amount(a),
            has_only_substance_units: true,
            boundary_condition: false,
            constant: false,
            conversion_factor: None,
        });
    }
    for (id, v) in params {
        net.parameters.push(Parameter {
            id: id.clone(),
            name: None,
            value: Some(*v),
            constant: true,
        });
    }
    net
}

/// Mass action: `k · reactants` turning `reactants` into `products`.
fn reaction(id: &str, k: &str, reactants: &[&str], products: &[&str]) -> Reaction {
    let refs = |ids: &[&str]| {
        ids.iter()
            .map(|s| SpeciesReference {
                species: (*s).into(),
                id: None,
                stoichiometry: Some(1.0),
                constant: true,
            })
            .collect()
    };
    let mut factors = vec![Expr::sym(k)];
    factors.extend(reactants.iter().map(|s| Expr::sym(*s)));
    Reaction {
        id: id.into(),
        name: None,
        reversible: false,
        reactants: refs(reactants),
        products: refs(products),
        modifiers: vec![],
        rate: Some(Expr::apply(Op::Times, factors)),
    }
}

fn robertson() -> Network {
    let params = [("k1", 0.04), ("k2", 3e7), ("k3", 1e4)].map(|(k, v)| (k.to_string(), v));
    let mut net = network(&[("A", 1.0), ("B", 0.0), ("C", 0.0)], &params);
    net.reactions.push(reaction("r1", "k1", &["A"], &["B"]));
    net.reactions
        .push(reaction("r2", "k2", &["B", "B"], &["B", "C"]));
    net.reactions
        .push(reaction("r3", "k3", &["B", "C"], &["A", "C"]));
    net
}

fn chain50() -> Network {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut log_uniform = |lo: f64, hi: f64| 10f64.powf(rng.random_range(lo..hi));
    let ids: Vec<String> = (1..=50).map(|i| format!("A{i}")).collect();
    let mut params = vec![("k_in".to_string(), 1.0)];
    let mut reactions = vec![reaction("in", "k_in", &[], &["A1"])];
    for i in 0..49 {
        let (kf, kr) = (format!("kf{}", i + 1), format!("kr{}", i + 1));
        params.push((kf.clone(), log_uniform(-2.0, 4.0)));
        params.push((kr.clone(), log_uniform(-2.0, 4.0)));
        let (a, b) = (ids[i].as_str(), ids[i + 1].as_str());
        reactions.push(reaction(&format!("f{}", i + 1), &kf, &[a], &[b]));
        reactions.push(reaction(&format!("r{}", i + 1), &kr, &[b], &[a]));
    }
    params.push(("k_out".into(), 0.1));
    reactions.push(reaction("out", "k_out", &["A50"], &[]));
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for j in 0..10 {
        let kb = format!("kb{j}");
        params.push((kb.clone(), 10f64.powf(rng.random_range(-2.0..0.0))));
        let mut pick = [0usize; 3];
        for k in 0..3 {
            pick[k] = loop {
                let c = rng.random_range(0..50);
                if !pick[..k].contains(&c) {
                    break c;
                }
            };
        }
        let [a, b, c] = pick.map(|p| ids[p].as_str());
        reactions.push(reaction(&format!("b{j}"), &kb, &[a, b], &[c]));
    }
    let species: Vec<(&str, f64)> = ids.iter().map(|s| (s.as_str(), 1.0)).collect();
    let mut net = network(&species, &params);
    net.reactions = reactions;
    net
}

fn bench_model(c: &mut Criterion, name: &str, net: &Network, t_end: f64) {
    let system = System::new(net).expect("the model compiles");
    let observables: Vec<_> = net
        .species
        .iter()
        .map(|s| system.observable(&s.id, true).expect("a species"))
        .collect();
    let times: Vec<f64> = (0..100).map(|i| t_end * f64::from(i) / 99.0).collect();
    let ode = Ode::builder(&system)
        .rtol(1e-6)
        .atol(1e-12)
        .build()
        .expect("valid settings");
    c.bench_function(&format!("ode/{name}/solve"), |b| {
        b.iter(|| ode.run(&times, &observables).expect("the solve succeeds"))
    });
}

fn solves(c: &mut Criterion) {
    bench_model(c, "robertson", &robertson(), 1e4);
    bench_model(c, "chain50", &chain50(), 100.0);
}

fn main() {
    // Short CI profile: 10 samples, 0.5 s warm-up, 1 s of measurement.
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    solves(&mut c);
    c.final_summary();
}
