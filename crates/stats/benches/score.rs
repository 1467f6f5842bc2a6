//! Criterion micro-benchmarks of the per-sample scores (seeded synthetic data).

use criterion::{criterion_main, BenchmarkId, Criterion};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use senmet_stats::score::{self, Method, Resolved};
use senmet_stats::table::Expression;

fn data(samples: usize, genes: usize, sets: usize) -> (Expression, Vec<Resolved>) {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let values = (0..samples * genes)
        .map(|_| rng.random_range(0.0..10.0))
        .collect();
    let names = (0..genes).map(|g| format!("G{g}")).collect();
    let ids = (0..samples).map(|s| format!("S{s}")).collect();
    let expr = Expression::from_values(names, ids, values).expect("sizes match");
    let sigs = (0..sets)
        .map(|k| Resolved {
            name: format!("SET{k}"),
            up: (0..100).map(|i| (i * 37 + k * 11) % genes).collect(),
            down: None,
        })
        .collect();
    (expr, sigs)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("score_200x20000x50");
    group.sample_size(10);
    let (expr, sigs) = data(200, 20_000, 50);
    for method in [Method::Singscore, Method::Ssgsea, Method::Zscore] {
        group.bench_with_input(
            BenchmarkId::from_parameter(method.name()),
            &method,
            |b, m| {
                b.iter(|| score::score(&expr, &sigs, &[*m]));
            },
        );
    }
    group.finish();
}

/// The benchmark group (written out: `criterion_group!` makes an undocumented fn).
fn benches() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
}

criterion_main!(benches);
