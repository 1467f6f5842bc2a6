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
use senmet_engine::{Expr, Network, Ode, Op, System};

/// Mass action: `k · reactants` turning `reactants` into `products`.
fn reaction(net: &mut Network, id: &str, k: &str, reactants: &[&str], products: &[&str]) {
    let mut factors = vec![Expr::sym(k)];
    factors.extend(reactants.iter().map(|s| Expr::sym(*s)));
    let rate = Expr::apply(Op::Times, factors);
    net.add_reaction(id, &ones(reactants), &ones(products), rate);
}

/// Each species once.
fn ones<'a>(ids: &[&'a str]) -> Vec<(&'a str, f64)> {
    ids.iter().map(|s| (*s, 1.0)).collect()
}

fn robertson() -> Network {
    let mut net = Network::well_mixed(&[("A", 1.0), ("B", 0.0), ("C", 0.0)]);
    for (k, v) in [("k1", 0.04), ("k2", 3e7), ("k3", 1e4)] {
        net.add_parameter(k, v);
    }
    reaction(&mut net, "r1", "k1", &["A"], &["B"]);
    reaction(&mut net, "r2", "k2", &["B", "B"], &["B", "C"]);
    reaction(&mut net, "r3", "k3", &["B", "C"], &["A", "C"]);
    net
}

fn chain50() -> Network {
    let ids: Vec<String> = (1..=50).map(|i| format!("A{i}")).collect();
    let species: Vec<(&str, f64)> = ids.iter().map(|s| (s.as_str(), 1.0)).collect();
    let mut net = Network::well_mixed(&species);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let mut log_uniform = |lo: f64, hi: f64| 10f64.powf(rng.random_range(lo..hi));
    net.add_parameter("k_in", 1.0);
    reaction(&mut net, "in", "k_in", &[], &["A1"]);
    for i in 0..49 {
        let (kf, kr) = (format!("kf{}", i + 1), format!("kr{}", i + 1));
        net.add_parameter(&kf, log_uniform(-2.0, 4.0));
        net.add_parameter(&kr, log_uniform(-2.0, 4.0));
        let (a, b) = (ids[i].as_str(), ids[i + 1].as_str());
        reaction(&mut net, &format!("f{}", i + 1), &kf, &[a], &[b]);
        reaction(&mut net, &format!("r{}", i + 1), &kr, &[b], &[a]);
    }
    net.add_parameter("k_out", 0.1);
    reaction(&mut net, "out", "k_out", &["A50"], &[]);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for j in 0..10 {
        let kb = format!("kb{j}");
        net.add_parameter(&kb, 10f64.powf(rng.random_range(-2.0..0.0)));
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
        reaction(&mut net, &format!("b{j}"), &kb, &[a, b], &[c]);
    }
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
