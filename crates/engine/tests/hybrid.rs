//! The hybrid method against its two limits (the ODE solution with no
//! stochastic reaction, exact SSA with everything discrete) and against exact
//! SSA on a branching metastasis model; with Langevin noise, against exact
//! SSA and the Poisson and binomial laws; reproducibility.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use senmet_core::Seed;
use senmet_engine::stochastic::{stream, summarize, trajectories, Trajectory};
use senmet_engine::{
    EngineError, Expr, Hybrid, InitialQuantity, Network, Noise, Ode, Op, Rule, Ssa,
};

/// `k` times the product of the named species.
fn mass_action(k: f64, species: &[&str]) -> Expr {
    let mut f = vec![Expr::Num(k)];
    f.extend(species.iter().map(|&s| Expr::sym(s)));
    Expr::apply(Op::Times, f)
}

/// 0 → X at 10, X → 0 at 0.1·X: X is Poisson(100(1 − e^{−t/10})) from X(0) = 0.
fn birth_death() -> Network {
    let mut net = Network::well_mixed(&[("X", 0.0)]);
    net.add_reaction("birth", &[], &[("X", 1.0)], Expr::Num(10.0));
    net.add_reaction("death", &[("X", 1.0)], &[], mass_action(0.1, &["X"]));
    net
}

/// 0 → X at 1000, X → 0 at 0.1·X from X = 10⁴: stationary, Poisson(10⁴).
fn large_birth_death() -> Network {
    let mut net = Network::well_mixed(&[("X", 1e4)]);
    net.add_reaction("birth", &[], &[("X", 1.0)], Expr::Num(1000.0));
    net.add_reaction("death", &[("X", 1.0)], &[], mass_action(0.1, &["X"]));
    net
}

/// `net` by the hybrid method with Langevin noise, default partition.
fn langevin(net: &Network) -> Result<Hybrid, EngineError> {
    Hybrid::builder(net).noise(Noise::Langevin).build()
}

/// A pool of `n` worker threads.
fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .expect("thread pool")
}

#[test]
fn without_stochastic_reactions_it_is_the_ode_solution() -> Result<(), EngineError> {
    // Lotka–Volterra-like, with time-dependent forcing: every species large.
    let mut net = Network::well_mixed(&[("A", 500.0), ("B", 300.0)]);
    let forcing = Expr::apply(
        Op::Times,
        vec![
            mass_action(0.01, &["A", "B"]),
            Expr::apply(Op::Sin, vec![Expr::Time]),
        ],
    );
    net.add_reaction(
        "grow",
        &[("A", 1.0)],
        &[("A", 2.0)],
        mass_action(0.5, &["A"]),
    );
    net.add_reaction(
        "eat",
        &[("A", 1.0), ("B", 1.0)],
        &[("B", 2.0)],
        mass_action(1e-3, &["A", "B"]),
    );
    net.add_reaction("force", &[], &[("B", 1.0)], forcing);
    net.add_reaction("die", &[("B", 1.0)], &[], mass_action(0.3, &["B"]));
    let hybrid = Hybrid::builder(&net).threshold(100.0).rtol(1e-8).build()?;
    assert!(hybrid.stochastic_reactions().is_empty());
    let obs = ["A", "B"].map(|s| hybrid.system().observable(s, true).expect("species"));
    let ts: Vec<f64> = (0..=20).map(|i| f64::from(i) * 0.5).collect();
    let run = hybrid.run(&mut ChaCha8Rng::seed_from_u64(1), &ts, &obs, &[])?;
    let system = senmet_engine::System::new(&net)?;
    let ode = Ode::builder(&system).rtol(1e-8).build()?.run(&ts, &obs)?;
    assert!(run.firings.is_empty());
    for (h, o) in run.rows.iter().zip(ode.concat()) {
        assert!((h - o).abs() <= 1e-9 * o.abs(), "{h} vs {o}");
    }
    Ok(())
}

/// With X discrete nothing changes between firings: `Hybrid::run` (the
/// hybrid machinery) must follow the Poisson law, and ensembles run on the
/// exact SSA, trajectory for trajectory.
#[test]
fn birth_death_matches_the_poisson_law() -> Result<(), EngineError> {
    let net = birth_death();
    let hybrid = Hybrid::builder(&net).discrete(["X"]).build()?;
    assert_eq!(hybrid.stochastic_reactions(), ["birth", "death"]);
    let x = hybrid.system().observable("X", true).expect("species");
    let n = 2000;
    let finals: Vec<f64> = (0..n)
        .map(|i| {
            Ok(hybrid
                .run(&mut stream(Seed::new(2026), i), &[0.0, 50.0], &[x], &[])?
                .rows[1])
        })
        .collect::<Result<_, EngineError>>()?;
    let (mean, var, _, _) = moments(&finals);
    let mu = 100.0 * (1.0 - (-5.0f64).exp());
    // DSMTS statistics (sbml-test-suite stochastic README): Z in (−3, 3), Y in (−5, 5).
    let z = (n as f64).sqrt() * (mean - mu) / mu.sqrt();
    let y = (n as f64 / 2.0).sqrt() * (var / mu - 1.0);
    assert!(z.abs() < 3.0, "mean {mean} (Z = {z})");
    assert!(y.abs() < 5.0, "variance {var} (Y = {y})");
    let ssa = Ssa::builder(&net).build()?;
    let ts = [0.0, 10.0, 50.0];
    let ours = summarize(&hybrid, &ts, &[x], 50, Seed::new(4), &|_| {})?;
    let exact = summarize(&ssa, &ts, &[x], 50, Seed::new(4), &|_| {})?;
    assert_eq!(ours, exact);
    Ok(())
}

/// The branching metastasis model (issue #3): T grows logistically, sheds C,
/// C dies and seeds M, M grows. Rates scaled (K = 10⁴, seeding 0.05 per C
/// per day, 30 days) so that exact SSA, which simulates every T cell, runs
/// within a test's time; the structure is that of the full model.
fn metastasis() -> Network {
    let mut net = Network::well_mixed(&[("T", 1000.0), ("C", 0.0), ("M", 0.0)]);
    for (id, v) in [
        ("r", 0.3),
        ("K", 1e4),
        ("s", 1e-3),
        ("dc", 5.0),
        ("m", 0.05),
        ("g", 0.2),
    ] {
        net.add_parameter(id, v);
    }
    let logistic = Expr::apply(
        Op::Times,
        vec![
            Expr::sym("r"),
            Expr::sym("T"),
            Expr::apply(
                Op::Minus,
                vec![
                    Expr::Num(1.0),
                    Expr::apply(Op::Divide, vec![Expr::sym("T"), Expr::sym("K")]),
                ],
            ),
        ],
    );
    let k = |p: &str, x: &str| Expr::apply(Op::Times, vec![Expr::sym(p), Expr::sym(x)]);
    net.add_reaction("grow", &[("T", 1.0)], &[("T", 2.0)], logistic);
    net.add_reaction(
        "shed",
        &[("T", 1.0)],
        &[("T", 1.0), ("C", 1.0)],
        k("s", "T"),
    );
    net.add_reaction("C_death", &[("C", 1.0)], &[], k("dc", "C"));
    net.add_reaction(
        "seed",
        &[("C", 1.0)],
        &[("C", 1.0), ("M", 1.0)],
        k("m", "C"),
    );
    net.add_reaction("M_growth", &[("M", 1.0)], &[("M", 2.0)], k("g", "M"));
    net
}

/// Mean, variance, and the standard errors of both, of a sample.
fn moments(x: &[f64]) -> (f64, f64, f64, f64) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let m4 = x.iter().map(|v| (v - mean).powi(4)).sum::<f64>() / n;
    (mean, var, (var / n).sqrt(), ((m4 - var * var) / n).sqrt())
}

#[test]
fn metastasis_agrees_with_exact_ssa() -> Result<(), EngineError> {
    let net = metastasis();
    let hybrid = Hybrid::builder(&net).continuous(["C"]).build()?;
    assert_eq!(hybrid.stochastic_reactions(), ["seed", "M_growth"]);
    let ssa = Ssa::builder(&net).build()?;
    let (mh, vh, se_mh, se_vh) = moments(&finals(&hybrid, "M", 30.0, 1000)?);
    let (ms, vs, se_ms, se_vs) = moments(&finals(&ssa, "M", 30.0, 1000)?);
    let z_mean = (mh - ms) / se_mh.hypot(se_ms);
    let z_var = (vh - vs) / se_vh.hypot(se_vs);
    assert!(ms > 1.0, "the seed and scale give metastases ({ms})");
    assert!(z_mean.abs() < 4.0, "mean M: hybrid {mh}, SSA {ms}");
    assert!(
        z_var.abs() < 4.0,
        "SD of M: hybrid {}, SSA {}",
        vh.sqrt(),
        vs.sqrt()
    );
    Ok(())
}

/// Final amounts of each of `species` at `t_end` in `runs` trajectories of `sim`.
fn finals_of<const N: usize>(
    sim: &dyn Trajectory,
    species: [&str; N],
    t_end: f64,
    runs: usize,
) -> Result<[Vec<f64>; N], EngineError> {
    let obs = species.map(|s| sim.system().observable(s, true).expect("species"));
    let rows = trajectories(sim, &[0.0, t_end], &obs, runs, Seed::new(11), &|_| {})?;
    Ok(std::array::from_fn(|k| {
        rows.iter().map(|r| r[N + k]).collect()
    }))
}

/// Final amounts of `species` at `t_end` in `runs` trajectories of `sim`.
fn finals(
    sim: &dyn Trajectory,
    species: &str,
    t_end: f64,
    runs: usize,
) -> Result<Vec<f64>, EngineError> {
    let [x] = finals_of(sim, [species], t_end, runs)?;
    Ok(x)
}

/// Asserts that two samples of `species` agree in mean and in variance:
/// both differences within 4 standard errors.
fn assert_agree(species: &str, a: &[f64], b: &[f64]) {
    let (ma, va, se_ma, se_va) = moments(a);
    let (mb, vb, se_mb, se_vb) = moments(b);
    let z_mean = (ma - mb) / se_ma.hypot(se_mb);
    let z_var = (va - vb) / se_va.hypot(se_vb);
    assert!(
        z_mean.abs() < 4.0 && z_var.abs() < 4.0,
        "{species}: z {z_mean}, {z_var}"
    );
}

/// The deterministic hybrid loses the tumour's fluctuations; with Langevin
/// noise the tumour, the shed cells and the metastases all follow the exact
/// SSA, means and variances.
#[test]
fn langevin_noise_keeps_the_fluctuations() -> Result<(), EngineError> {
    let net = metastasis();
    let langevin = langevin(&net)?;
    let deterministic = Hybrid::builder(&net).build()?;
    let ssa = Ssa::builder(&net).build()?;
    // The tumour while it grows (day 10; by day 30 it sits at K).
    let exact_t = finals(&ssa, "T", 10.0, 1000)?;
    assert!(moments(&exact_t).1 > 1e3, "the tumour fluctuates");
    assert!(moments(&finals(&deterministic, "T", 10.0, 20)?).1 < 1e-9);
    let noisy_t = finals(&langevin, "T", 10.0, 1000)?;
    assert!(
        noisy_t.iter().any(|t| t.fract() != 0.0),
        "T is continuous above the threshold"
    );
    assert_agree("T", &noisy_t, &exact_t);
    let noisy = finals_of(&langevin, ["C", "M"], 30.0, 1000)?;
    let exact = finals_of(&ssa, ["C", "M"], 30.0, 1000)?;
    for ((species, noisy), exact) in ["C", "M"].iter().zip(&noisy).zip(&exact) {
        assert!(
            noisy.iter().all(|x| x.fract() == 0.0),
            "{species} is discrete"
        );
        assert_agree(species, noisy, exact);
    }
    Ok(())
}

/// The logistic tumour stops at K: where its growth slows below the
/// Gaussian regime it is a whole count again (a fractional T in (K − 1, K)
/// would fire past K), and a leap that fires it past K anyway is replaced
/// by exact steps.
#[test]
fn langevin_tumour_stops_at_its_capacity() -> Result<(), EngineError> {
    let net = metastasis();
    let langevin = langevin(&net)?;
    let t = finals(&langevin, "T", 120.0, 200)?;
    assert!(t.iter().all(|&t| t <= 1e4 && t.fract() == 0.0), "{t:?}");
    assert!(t.iter().filter(|&&t| t == 1e4).count() > 150, "T reaches K");
    Ok(())
}

/// The rounding of a continuous species below the threshold keeps its
/// mean: 50.3 becomes 50 or 51, 51 with probability 0.3.
#[test]
fn langevin_rounds_without_bias() -> Result<(), EngineError> {
    let mut net = Network::well_mixed(&[("X", 50.3)]);
    net.add_reaction("idle", &[("X", 1.0)], &[], Expr::Num(0.0));
    let langevin = Hybrid::builder(&net)
        .continuous(["X"])
        .noise(Noise::Langevin)
        .build()?;
    let x = finals(&langevin, "X", 1.0, 4000)?;
    assert!(x.iter().all(|&v| v == 50.0 || v == 51.0));
    let (mean, var, se_mean, _) = moments(&x);
    assert!((mean - 50.3).abs() < 4.0 * se_mean, "mean {mean}");
    assert!((var - 0.21).abs() < 0.02, "variance {var}");
    Ok(())
}

/// Birth–death at a stationary mean of 10⁴: the Langevin leaps keep the
/// Poisson law's mean and SD (10⁴ and 100).
#[test]
fn langevin_birth_death_keeps_the_poisson_law() -> Result<(), EngineError> {
    let langevin = langevin(&large_birth_death())?;
    let x = finals(&langevin, "X", 50.0, 2000)?;
    assert!(x.iter().any(|v| v.fract() != 0.0), "Gaussian leaps");
    let (mean, var, se_mean, se_var) = moments(&x);
    assert!((mean - 1e4).abs() < 4.0 * se_mean, "mean {mean}");
    assert!((var - 1e4).abs() < 4.0 * se_var, "variance {var}");
    Ok(())
}

/// A continuous species that decays below the threshold becomes a whole
/// count again, without bias: X → 0 at rate X from 1000.5 (a fractional
/// start is allowed for a continuous species) leaves a binomial number,
/// mean 1000.5·e⁻³; by t = 10 nearly all are gone, never below zero, also
/// with a threshold of 0.
#[test]
fn langevin_counts_are_whole_below_the_threshold() -> Result<(), EngineError> {
    let mut net = Network::well_mixed(&[("X", 1000.5)]);
    net.add_reaction("death", &[("X", 1.0)], &[], mass_action(1.0, &["X"]));
    let langevin = langevin(&net)?;
    let x = finals(&langevin, "X", 3.0, 2000)?;
    assert!(
        x.iter().all(|&v| v >= 0.0 && v.fract() == 0.0),
        "whole counts"
    );
    let p = (-3.0f64).exp();
    let (mean, var, se_mean, se_var) = moments(&x);
    assert!((mean - 1000.5 * p).abs() < 4.0 * se_mean, "mean {mean}");
    assert!(
        (var - 1000.5 * p * (1.0 - p)).abs() < 4.0 * se_var,
        "variance {var}"
    );
    let gone = finals(&langevin, "X", 10.0, 200)?;
    assert!(gone.iter().all(|&v| v >= 0.0 && v.fract() == 0.0));
    // With no threshold, X is still a whole count where its death can turn
    // critical (below 10 molecules): it dies out, never below zero.
    let unbounded = Hybrid::builder(&net)
        .noise(Noise::Langevin)
        .threshold(0.0)
        .build()?;
    let gone = finals(&unbounded, "X", 20.0, 200)?;
    assert!(
        gone.iter().all(|&v| v >= 0.0 && v.fract() == 0.0),
        "{gone:?}"
    );
    Ok(())
}

/// An event that sets a continuous species to a fractional amount: below
/// the threshold it becomes a whole count at once, without bias (50.5 →
/// 50 or 51); above it the Langevin leaps go on from there (X relaxes from
/// a third of its stationary 10⁴ at rate 0.1).
#[test]
fn langevin_events_set_continuous_species() -> Result<(), EngineError> {
    let mut net = large_birth_death();
    let event = |value: Expr| senmet_engine::Event {
        id: Some("cut".into()),
        trigger: "time >= 10".parse().expect("parses"),
        initial_value: false,
        persistent: true,
        delay: None,
        priority: None,
        use_values_from_trigger_time: true,
        assignments: vec![senmet_engine::EventAssignment {
            variable: "X".into(),
            math: value,
        }],
    };
    net.events.push(event(Expr::Num(50.5)));
    let low = langevin(&net)?;
    let x = finals(&low, "X", 10.0, 2000)?;
    assert!(x.iter().all(|&v| v == 50.0 || v == 51.0), "whole counts");
    let (mean, _, se, _) = moments(&x);
    assert!((mean - 50.5).abs() < 4.0 * se, "mean {mean}");
    net.events[0] = event("X / 3 + 0.5".parse().expect("parses"));
    let high = langevin(&net)?;
    let x = finals(&high, "X", 10.5, 1000)?;
    let (mean, _, se, _) = moments(&x);
    let want = 1e4 - (1e4 - (1e4 / 3.0 + 0.5)) * (-0.05f64).exp();
    assert!(
        (mean - want).abs() < 4.0 * se,
        "mean {mean}, expected {want}"
    );
    Ok(())
}

#[test]
fn langevin_runs_the_same_whatever_the_threads() -> Result<(), EngineError> {
    let net = metastasis();
    let langevin = langevin(&net)?;
    let obs = ["T", "M"].map(|s| langevin.system().observable(s, true).expect("species"));
    let ts = [0.0, 10.0, 30.0];
    let one = pool(1).install(|| summarize(&langevin, &ts, &obs, 100, Seed::new(5), &|_| {}))?;
    let two = pool(2).install(|| summarize(&langevin, &ts, &obs, 100, Seed::new(5), &|_| {}))?;
    assert_eq!(one, two);
    Ok(())
}

#[test]
fn langevin_bad_input_is_named() {
    let net = birth_death();
    let mut b = Hybrid::builder(&net);
    b.noise(Noise::Langevin);
    let err = b.clone().epsilon(0.0).build().unwrap_err();
    assert!(matches!(
        err,
        EngineError::InvalidSetting {
            name: "epsilon",
            ..
        }
    ));
    let langevin = b.build().expect("compiles");
    let x = langevin.system().observable("X", true).expect("species");
    let err = langevin
        .run(&mut stream(Seed::new(1), 0), &[0.0, 1.0], &[x], &[])
        .unwrap_err();
    assert!(matches!(
        err,
        EngineError::InvalidSetting { name: "noise", .. }
    ));
    let mut ruled = Network::well_mixed(&[("X", 500.0), ("Y", 0.0)]);
    ruled.add_reaction("death", &[("X", 1.0)], &[], mass_action(0.1, &["X"]));
    ruled.rules.push(Rule::Rate {
        variable: "Y".into(),
        math: Expr::Num(1.0),
    });
    let err = Hybrid::builder(&ruled)
        .noise(Noise::Langevin)
        .build()
        .unwrap_err();
    assert!(matches!(err, EngineError::Unsupported { .. }), "{err}");
    let mut negative = birth_death();
    negative.species[0].initial = InitialQuantity::Amount(-500.0);
    let langevin = Hybrid::builder(&negative)
        .continuous(["X"])
        .noise(Noise::Langevin)
        .build()
        .expect("compiles");
    let mut out = [0.0; 2];
    let err = langevin
        .trajectory(&mut stream(Seed::new(1), 0), &[0.0, 1.0], &[x], &mut out)
        .unwrap_err();
    assert!(matches!(err, EngineError::Count { ref species, .. } if species == "X"));
}

/// With the tumour continuous and the circulating cells and metastases
/// discrete, no firing changes what the tumour's derivative reads: the
/// solver keeps its steps (fewer steps than firings), and the shed
/// cells still follow the tumour (C is near s·T/dc by day 30).
#[test]
fn firings_that_the_continuous_part_does_not_read_keep_the_solver_going() -> Result<(), EngineError>
{
    let net = metastasis();
    let hybrid = Hybrid::builder(&net).build()?;
    assert_eq!(
        hybrid.stochastic_reactions(),
        ["shed", "C_death", "seed", "M_growth"]
    );
    let obs = ["T", "C"].map(|s| hybrid.system().observable(s, true).expect("species"));
    let run = hybrid.run(&mut stream(Seed::new(3), 0), &[0.0, 30.0], &obs, &[])?;
    assert!(run.firings.len() > 300, "{} firings", run.firings.len());
    assert!(
        // A restart per firing would take at least a step per firing.
        run.steps * 3 < run.firings.len() as u64,
        "{} steps for {} firings",
        run.steps,
        run.firings.len()
    );
    let (t, c) = (run.rows[2], run.rows[3]);
    let expected = 1e-3 * t / 5.0;
    assert!(
        (c - expected).abs() < 5.0 * expected.sqrt(),
        "C {c}, s·T/dc {expected}"
    );
    Ok(())
}

/// X is born at 2 and dies at 0.5·X (discrete); A (continuous) decays at
/// 0.01·X·A, so its derivative reads X and every firing restarts the
/// solver. Per run, A(10) = 1000·exp(−0.01 ∫₀¹⁰ X dt) exactly, with the
/// integral summed from the run's own firings.
#[test]
fn firings_that_the_continuous_part_reads_restart_the_solver() -> Result<(), EngineError> {
    let mut net = Network::well_mixed(&[("X", 0.0), ("A", 1000.0)]);
    net.add_reaction("birth", &[], &[("X", 1.0)], Expr::Num(2.0));
    net.add_reaction("death", &[("X", 1.0)], &[], mass_action(0.5, &["X"]));
    net.add_reaction("decay", &[("A", 1.0)], &[], mass_action(0.01, &["X", "A"]));
    let hybrid = Hybrid::builder(&net).rtol(1e-9).atol(1e-9).build()?;
    assert_eq!(hybrid.stochastic_reactions(), ["birth", "death"]);
    let obs = ["X", "A"].map(|s| hybrid.system().observable(s, true).expect("species"));
    for run_index in 0..20 {
        let run = hybrid.run(
            &mut stream(Seed::new(8), run_index),
            &[0.0, 10.0],
            &obs,
            &[],
        )?;
        let (mut x, mut last, mut area) = (0.0, 0.0, 0.0);
        for f in &run.firings {
            area += x * (f.time - last);
            x += if f.reaction == 0 { 1.0 } else { -1.0 };
            last = f.time;
        }
        area += x * (10.0 - last);
        assert_eq!(run.rows[2], x);
        let expected = 1000.0 * (-0.01 * area).exp();
        assert!(
            (run.rows[3] - expected).abs() < 1e-6 * expected,
            "run {run_index}: A {} vs {expected}",
            run.rows[3]
        );
    }
    Ok(())
}

/// Everything discrete, birth at 5·(1 + sin 3t): X(10) is Poisson with mean
/// ∫₀¹⁰ 5(1 + sin 3t) dt = 5(10 + (1 − cos 30)/3). No continuous state
/// bounds the solver's steps, so the interpolated propensity must be cut
/// into stretches to follow the oscillation.
#[test]
fn oscillating_propensities_are_integrated() -> Result<(), EngineError> {
    let mut net = Network::well_mixed(&[("X", 0.0)]);
    let wave = Expr::apply(
        Op::Times,
        vec![
            Expr::Num(5.0),
            Expr::apply(
                Op::Plus,
                vec![
                    Expr::Num(1.0),
                    Expr::apply(
                        Op::Sin,
                        vec![Expr::apply(Op::Times, vec![Expr::Num(3.0), Expr::Time])],
                    ),
                ],
            ),
        ],
    );
    net.add_reaction("birth", &[], &[("X", 1.0)], wave);
    let hybrid = Hybrid::builder(&net).discrete(["X"]).build()?;
    let x = hybrid.system().observable("X", true).expect("species");
    let n = 2000;
    let s = summarize(&hybrid, &[0.0, 10.0], &[x], n, Seed::new(12), &|_| {})?;
    let mu = 5.0 * (10.0 + (1.0 - 30.0f64.cos()) / 3.0);
    let z = (n as f64).sqrt() * (s.mean[1] - mu) / mu.sqrt();
    let y = (n as f64 / 2.0).sqrt() * (s.sd[1].powi(2) / mu - 1.0);
    assert!(z.abs() < 3.0, "mean {} vs {mu} (Z = {z})", s.mean[1]);
    assert!(y.abs() < 5.0, "sd {} (Y = {y})", s.sd[1]);
    Ok(())
}

/// C (continuous) drains at 100 per day from 500 and an event refills it
/// when it falls below 1; X (discrete) is born at 0.01·C. The solver's step
/// passes each refill's root, where C is negative: propensities are sampled
/// only up to the event. X(20) is Poisson with mean 0.01·∫₀²⁰ C dt: four
/// saw-teeth of 4.99 days, 1249.995 each, and 0.04 day from 500.
#[test]
fn events_within_a_step_bound_the_sampled_propensities() -> Result<(), EngineError> {
    let mut net = Network::well_mixed(&[("C", 500.0), ("X", 0.0)]);
    net.add_reaction("drain", &[("C", 1.0)], &[], Expr::Num(100.0));
    net.add_reaction("birth", &[], &[("X", 1.0)], mass_action(0.01, &["C"]));
    net.events.push(senmet_engine::Event {
        id: Some("refill".into()),
        trigger: "C < 1".parse().expect("parses"),
        initial_value: false,
        persistent: true,
        delay: None,
        priority: None,
        use_values_from_trigger_time: true,
        assignments: vec![senmet_engine::EventAssignment {
            variable: "C".into(),
            math: Expr::Num(500.0),
        }],
    });
    let hybrid = Hybrid::builder(&net).rtol(1e-8).build()?;
    assert_eq!(hybrid.stochastic_reactions(), ["birth"]);
    let x = hybrid.system().observable("X", true).expect("species");
    let n = 400;
    let s = summarize(&hybrid, &[0.0, 20.0], &[x], n, Seed::new(21), &|_| {})?;
    let mu = 0.01 * (4.0 * 1249.995 + 500.0 * 0.04 - 100.0 * 0.04 * 0.04 / 2.0);
    let z = (n as f64).sqrt() * (s.mean[1] - mu) / mu.sqrt();
    assert!(z.abs() < 4.0, "mean {} vs {mu} (z = {z})", s.mean[1]);
    Ok(())
}

/// A (continuous) decays at 10·A from 1000, so its interpolated value near
/// the end is zero to rounding and may be a few ulps negative; X is born at
/// 0.01·A. Such a propensity counts as 0, not as an error. X(10) is Poisson
/// with mean 0.01·1000/10 = 1.
#[test]
fn propensities_negative_by_rounding_count_as_zero() -> Result<(), EngineError> {
    let mut net = Network::well_mixed(&[("A", 1000.0), ("X", 0.0)]);
    net.add_reaction("decay", &[("A", 1.0)], &[], mass_action(10.0, &["A"]));
    net.add_reaction("birth", &[], &[("X", 1.0)], mass_action(0.01, &["A"]));
    let hybrid = Hybrid::builder(&net).build()?;
    let x = hybrid.system().observable("X", true).expect("species");
    let n = 400;
    let s = summarize(&hybrid, &[0.0, 10.0], &[x], n, Seed::new(22), &|_| {})?;
    let z = (n as f64).sqrt() * (s.mean[1] - 1.0);
    assert!(z.abs() < 4.0, "mean {} (z = {z})", s.mean[1]);
    Ok(())
}

#[test]
fn same_seed_same_firings_whatever_the_threads() -> Result<(), EngineError> {
    let net = metastasis();
    let hybrid = Hybrid::builder(&net).continuous(["C"]).build()?;
    let m = hybrid.system().observable("M", true).expect("species");
    let ts = [0.0, 10.0, 30.0];
    let a = hybrid.run(&mut stream(Seed::new(5), 3), &ts, &[m], &[])?;
    let b = hybrid.run(&mut stream(Seed::new(5), 3), &ts, &[m], &[])?;
    assert_eq!(a, b);
    assert!(a.firings.windows(2).all(|w| w[0].time <= w[1].time));
    let one = pool(1).install(|| summarize(&hybrid, &ts, &[m], 200, Seed::new(5), &|_| {}))?;
    let two = pool(2).install(|| summarize(&hybrid, &ts, &[m], 200, Seed::new(5), &|_| {}))?;
    assert_eq!(one, two);
    Ok(())
}

#[test]
fn overrides_change_the_rates() -> Result<(), EngineError> {
    let net = metastasis();
    let hybrid = Hybrid::builder(&net).continuous(["C"]).build()?;
    let m = hybrid.system().observable("M", true).expect("species");
    let seeding = hybrid.system().parameter("m").expect("parameter");
    let run = hybrid.run(
        &mut stream(Seed::new(5), 0),
        &[0.0, 30.0],
        &[m],
        &[(seeding, 0.0)],
    )?;
    assert!(run.firings.is_empty());
    assert_eq!(run.rows, [0.0, 0.0]);
    Ok(())
}

#[test]
fn bad_input_is_named() {
    let net = birth_death();
    let err = Hybrid::builder(&net).discrete(["Y"]).build().unwrap_err();
    assert!(matches!(err, EngineError::UnknownSymbol { ref symbol, .. } if symbol == "Y"));
    let mut half = birth_death();
    half.reactions[0].products[0].stoichiometry = Some(0.5);
    let err = Hybrid::builder(&half).build().unwrap_err();
    assert!(matches!(err, EngineError::Stoichiometry { ref reaction, .. } if reaction == "birth"));
    let mut negative = birth_death();
    negative.reactions[0].rate = Some(Expr::Num(-1.0));
    let hybrid = Hybrid::builder(&negative).build().expect("compiles");
    let x = hybrid.system().observable("X", true).expect("species");
    let err = hybrid
        .run(&mut stream(Seed::new(1), 0), &[0.0, 1.0], &[x], &[])
        .unwrap_err();
    assert!(matches!(err, EngineError::Propensity { ref reaction, .. } if reaction == "birth"));
    // Death at a constant rate does not stop at zero.
    let mut below = birth_death();
    below.reactions[0].rate = Some(Expr::Num(0.0));
    below.reactions[1].rate = Some(Expr::Num(1.0));
    let hybrid = Hybrid::builder(&below).build().expect("compiles");
    let err = hybrid
        .run(&mut stream(Seed::new(1), 0), &[0.0, 100.0], &[x], &[])
        .unwrap_err();
    assert!(matches!(err, EngineError::NegativeCount { ref species, .. } if species == "X"));
    // A conversion factor of 0.5 would make a count fractional.
    let mut halved = birth_death();
    halved.add_parameter("cf", 0.5);
    halved.species[0].conversion_factor = Some("cf".into());
    let hybrid = Hybrid::builder(&halved).build().expect("compiles");
    let err = hybrid
        .run(&mut stream(Seed::new(1), 0), &[0.0, 1.0], &[x], &[])
        .unwrap_err();
    assert!(matches!(err, EngineError::Stoichiometry { ref species, .. } if species == "X"));
    let mut start = birth_death();
    start.species[0].initial = InitialQuantity::Amount(2.5);
    let hybrid = Hybrid::builder(&start).build().expect("compiles");
    let err = hybrid
        .run(&mut stream(Seed::new(1), 0), &[0.0, 1.0], &[x], &[])
        .unwrap_err();
    assert!(matches!(err, EngineError::Count { ref species, .. } if species == "X"));
}
