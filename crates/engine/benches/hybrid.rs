//! One trajectory of the branching metastasis model (`crates/cli/data/
//! metastasis_branching.xml`, built here in code with the same reactions and
//! constants), day 0 to 60, 61 output points: the hybrid method (default
//! partition: T continuous, C and M discrete; deterministic and Langevin
//! noise) and tau-leaping (default:
//! midpoint update, ε = 0.03) against exact SSA (every cell counted), by
//! the direct method and by the next reaction method. Trajectory `i` of
//! each sample uses stream `i` of seed 1.
//!
//! `cargo bench -p senmet-engine --bench hybrid`.

use std::cell::Cell;
use std::time::Duration;

use criterion::Criterion;
use senmet_core::Seed;
use senmet_engine::stochastic::{stream, Trajectory};
use senmet_engine::{
    Compartment, Expr, Hybrid, InitialQuantity, Network, Noise, Op, Parameter, Reaction, Species,
    SpeciesReference, Ssa, SsaMethod, Tau,
};

fn refs(list: &[(&str, f64)]) -> Vec<SpeciesReference> {
    list.iter()
        .map(|&(s, n)| SpeciesReference {
            species: s.into(),
            id: None,
            stoichiometry: Some(n),
            constant: true,
        })
        .collect()
}

fn times(factors: Vec<Expr>) -> Expr {
    Expr::apply(Op::Times, factors)
}

fn branching() -> Network {
    let mut net = Network::default();
    net.compartments.push(Compartment {
        id: "cell".into(),
        name: None,
        size: Some(1.0),
        spatial_dimensions: Some(3.0),
        constant: true,
    });
    for (id, a) in [("T", 1000.0), ("C", 0.0), ("M", 0.0)] {
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
    let constants = [
        ("b", 0.3),
        ("d", 0.1),
        ("K", 1e6),
        ("s", 1e-3),
        ("dc", 5.0),
        ("m", 1e-3),
        ("g", 0.2),
    ];
    for (id, v) in constants {
        net.parameters.push(Parameter {
            id: id.into(),
            name: None,
            value: Some(v),
            constant: true,
        });
    }
    let sym = Expr::sym;
    let crowding = Expr::apply(
        Op::Minus,
        vec![
            Expr::Num(1.0),
            Expr::apply(Op::Divide, vec![sym("T"), sym("K")]),
        ],
    );
    let reactions = [
        (
            "T_birth",
            vec![("T", 1.0)],
            vec![("T", 2.0)],
            times(vec![sym("b"), sym("T"), crowding]),
        ),
        (
            "T_death",
            vec![("T", 1.0)],
            vec![],
            times(vec![sym("d"), sym("T")]),
        ),
        (
            "shed",
            vec![("T", 1.0)],
            vec![("T", 1.0), ("C", 1.0)],
            times(vec![sym("s"), sym("T")]),
        ),
        (
            "C_death",
            vec![("C", 1.0)],
            vec![],
            times(vec![sym("dc"), sym("C")]),
        ),
        (
            "seed",
            vec![("C", 1.0)],
            vec![("M", 1.0)],
            times(vec![sym("m"), sym("C")]),
        ),
        (
            "M_birth",
            vec![("M", 1.0)],
            vec![("M", 2.0)],
            times(vec![sym("g"), sym("M")]),
        ),
    ];
    for (id, from, to, rate) in reactions {
        net.reactions.push(Reaction {
            id: id.into(),
            name: None,
            reversible: false,
            reactants: refs(&from),
            products: refs(&to),
            modifiers: vec![],
            rate: Some(rate),
        });
    }
    net
}

fn one_run(c: &mut Criterion, name: &str, sim: &dyn Trajectory) {
    let observables: Vec<_> = ["T", "C", "M"]
        .map(|s| sim.system().observable(s, true).expect("a species"))
        .to_vec();
    let times: Vec<f64> = (0..=60).map(f64::from).collect();
    let mut out = vec![0.0; times.len() * observables.len()];
    let i = Cell::new(0);
    c.bench_function(&format!("branching/{name}/one-run"), |b| {
        b.iter(|| {
            let mut rng = stream(Seed::new(1), i.replace(i.get() + 1));
            sim.trajectory(&mut rng, &times, &observables, &mut out)
                .expect("the run succeeds")
        })
    });
}

fn main() {
    let net = branching();
    let hybrid = Hybrid::builder(&net).build().expect("the model compiles");
    let langevin = Hybrid::builder(&net)
        .noise(Noise::Langevin)
        .build()
        .expect("the model compiles");
    let ssa = Ssa::builder(&net).build().expect("the model compiles");
    let nrm = Ssa::builder(&net)
        .method(SsaMethod::NextReaction)
        .build()
        .expect("the model compiles");
    let tau = Tau::builder(&net).build().expect("the model compiles");
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(5))
        .configure_from_args();
    one_run(&mut c, "hybrid", &hybrid);
    one_run(&mut c, "hybrid-langevin", &langevin);
    one_run(&mut c, "tau", &tau);
    one_run(&mut c, "ssa", &ssa);
    one_run(&mut c, "ssa-next-reaction", &nrm);
    c.final_summary();
}
