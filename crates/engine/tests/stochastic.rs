//! Same seed, same result, whatever the thread count: SSA ensembles run on
//! rayon pools of 1, 2 and 3 threads give bit-identical summaries and
//! trajectories, with laws compiled to machine code part-way through, and
//! each trajectory is what it is run alone.

use senmet_core::Seed;
use senmet_engine::stochastic::{stream, summarize, trajectories, Summary, Trajectory, BLOCK};
use senmet_engine::{EngineError, Expr, Network, Op, Ssa, SsaMethod};

/// A mass-action law `k · Π species`.
fn mass_action(k: f64, species: &[&str]) -> Expr {
    let mut factors = vec![Expr::Num(k)];
    factors.extend(species.iter().map(|&s| Expr::sym(s)));
    Expr::apply(Op::Times, factors)
}

/// Birth, death and reversible dimerisation: 0 → A, A → 0, 2A ⇌ B.
fn dimerisation() -> Network {
    let mut net = Network::well_mixed(&[("A", 5.0), ("B", 0.0)]);
    let dimer_rate = Expr::apply(
        Op::Times,
        vec![
            Expr::Num(0.01),
            Expr::sym("A"),
            Expr::apply(Op::Minus, vec![Expr::sym("A"), Expr::Num(1.0)]),
        ],
    );
    net.add_reaction("birth", &[], &[("A", 1.0)], Expr::Num(20.0));
    net.add_reaction("death", &[("A", 1.0)], &[], mass_action(0.1, &["A"]));
    net.add_reaction("bind", &[("A", 2.0)], &[("B", 1.0)], dimer_rate);
    net.add_reaction(
        "unbind",
        &[("B", 1.0)],
        &[("A", 2.0)],
        mass_action(0.5, &["B"]),
    );
    net
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool starts")
}

fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn ensembles_are_bit_identical_for_any_thread_count() -> Result<(), EngineError> {
    for method in [SsaMethod::SumTree, SsaMethod::NextReaction] {
        bit_identical_for_any_thread_count(method)?;
    }
    Ok(())
}

fn bit_identical_for_any_thread_count(method: SsaMethod) -> Result<(), EngineError> {
    let net = dimerisation();
    let ssa = Ssa::builder(&net).method(method).build()?;
    let obs = ["A", "B"].map(|id| ssa.system().observable(id, true).expect("a species"));
    let times = [0.0, 1.0, 2.5, 10.0, 30.0];
    // Several blocks, the last one partial, so the merge order matters.
    let runs = 5 * BLOCK + 17;
    let seed = Seed::new(2026);
    let run = |threads: usize| -> Result<(Summary, Vec<Vec<f64>>), EngineError> {
        // A fresh model for each thread count: the dimerisation law (not a
        // plain product) is compiled to machine code part-way through, at
        // a different firing for each count, and must not change a bit.
        let ssa = Ssa::builder(&net).method(method).build()?;
        pool(threads).install(|| {
            let s = summarize(&ssa, &times, &obs, runs, seed, &|_| {})?;
            let t = trajectories(&ssa, &times, &obs, runs, seed, &|_| {})?;
            Ok((s, t))
        })
    };
    let (one, one_runs) = run(1)?;
    assert_eq!(one.runs, runs);
    assert!(one.events > 0);
    assert!(one.sd.iter().skip(obs.len()).all(|&sd| sd > 0.0));
    for threads in [2, 3] {
        let (many, many_runs) = run(threads)?;
        assert_eq!(
            bits(&one.mean),
            bits(&many.mean),
            "means, {threads} threads"
        );
        assert_eq!(bits(&one.sd), bits(&many.sd), "SDs, {threads} threads");
        assert_eq!(one.events, many.events);
        assert_eq!(one_runs.len(), many_runs.len());
        for (i, (a, b)) in one_runs.iter().zip(&many_runs).enumerate() {
            assert_eq!(bits(a), bits(b), "trajectory {i}, {threads} threads");
        }
    }
    // Ensembles run trajectories two at a time (interleaved on the loop for
    // constant changes); each is what it is alone, the last (odd) one too.
    for (i, kept) in one_runs.iter().enumerate() {
        let mut out = vec![0.0; kept.len()];
        ssa.trajectory(&mut stream(seed, i as u64), &times, &obs, &mut out)?;
        assert_eq!(bits(kept), bits(&out), "trajectory {i} alone");
    }
    // The kept trajectories are the summarised ones: their mean at the last
    // time matches the summary's up to the order of summation.
    let last = (times.len() - 1) * obs.len();
    let mean_a = one_runs.iter().map(|r| r[last]).sum::<f64>() / runs as f64;
    assert!((mean_a - one.mean[last]).abs() <= 1e-9 * mean_a.abs());
    Ok(())
}
