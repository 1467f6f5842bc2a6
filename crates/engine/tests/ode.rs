//! The stiff solver on systems large enough for sparse LU, against closed
//! forms, and the sparse and dense paths against each other.

use senmet_engine::{EngineError, Event, EventAssignment, Expr, Network, Ode, Op, System};

/// A1 → A2 → … → An, each step at rate 1·Ai, from A1(0) = 1: Ai(t) is the
/// Erlang term tⁱ⁻¹e⁻ᵗ/(i−1)!.
fn chain(n: usize) -> Network {
    let ids: Vec<String> = (1..=n).map(|i| format!("A{i}")).collect();
    let species: Vec<(&str, f64)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), if i == 0 { 1.0 } else { 0.0 }))
        .collect();
    let mut net = Network::well_mixed(&species);
    for w in ids.windows(2) {
        let rate = Expr::sym(&w[0]);
        net.add_reaction(
            &format!("f{}", w[0]),
            &[(&w[0], 1.0)],
            &[(&w[1], 1.0)],
            rate,
        );
    }
    net
}

fn erlang(i: usize, t: f64) -> f64 {
    let k = (i - 1) as f64;
    let log_fact: f64 = (1..i).map(|j| (j as f64).ln()).sum();
    (k * t.ln() - t - log_fact).exp()
}

fn solve(net: &Network, times: &[f64]) -> Result<Vec<Vec<f64>>, EngineError> {
    solve_with(net, times, true)
}

/// Amounts of every species at `times`; `sparse` allows sparse LU.
fn solve_with(net: &Network, times: &[f64], sparse: bool) -> Result<Vec<Vec<f64>>, EngineError> {
    let system = System::new(net)?;
    let observe: Vec<_> = net
        .species
        .iter()
        .map(|s| system.observable(&s.id, true).expect("a species"))
        .collect();
    let ode = Ode::builder(&system)
        .rtol(1e-10)
        .atol(1e-14)
        .sparse_lu(sparse)
        .build()?;
    // With the `faer` feature (as the CLI builds the engine) large systems
    // take the sparse path.
    assert_eq!(
        ode.uses_sparse_lu(),
        sparse && cfg!(feature = "faer") && net.species.len() >= 16
    );
    ode.run(times, &observe)
}

/// A ring A1 ⇌ A2 ⇌ … ⇌ An ⇌ A1 with rates spread over two decades: its
/// Jacobian is cyclic, so LU fills in and needs pivoting.
fn ring(n: usize) -> Network {
    let ids: Vec<String> = (1..=n).map(|i| format!("A{i}")).collect();
    let species: Vec<(&str, f64)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), (i % 7) as f64))
        .collect();
    let mut net = Network::well_mixed(&species);
    for i in 0..n {
        let (a, b) = (&ids[i], &ids[(i + 1) % n]);
        let kf = 10f64.powf(((i * 37) % 11) as f64 / 5.0 - 1.0);
        let kr = 10f64.powf(((i * 53) % 13) as f64 / 6.0 - 1.0);
        let fwd = Expr::apply(Op::Times, vec![Expr::Num(kf), Expr::sym(a)]);
        let rev = Expr::apply(Op::Times, vec![Expr::Num(kr), Expr::sym(b)]);
        net.add_reaction(&format!("f{i}"), &[(a, 1.0)], &[(b, 1.0)], fwd);
        net.add_reaction(&format!("r{i}"), &[(b, 1.0)], &[(a, 1.0)], rev);
    }
    net
}

#[test]
fn sparse_and_dense_lu_agree_on_a_ring() -> Result<(), EngineError> {
    let net = ring(48);
    let times = [0.0, 0.5, 3.0, 50.0];
    let (sparse, dense) = (
        solve_with(&net, &times, true)?,
        solve_with(&net, &times, false)?,
    );
    let mass: f64 = sparse[0].iter().sum();
    for (rs, rd) in sparse.iter().zip(&dense) {
        for (x, y) in rs.iter().zip(rd) {
            assert!((x - y).abs() <= 1e-7 * x.abs() + 1e-12, "{x} vs {y}");
        }
        let total: f64 = rs.iter().sum();
        assert!((total - mass).abs() < 1e-8 * mass, "mass {total} vs {mass}");
    }
    Ok(())
}

#[test]
fn a_long_chain_follows_its_erlang_terms() -> Result<(), EngineError> {
    // 45 states: solved with sparse LU.
    let n = 45;
    let times = [0.0, 1.0, 5.0, 20.0];
    let rows = solve(&chain(n), &times)?;
    for (row, &t) in rows.iter().zip(&times).skip(1) {
        for (i, &x) in row.iter().enumerate().take(n - 1) {
            let want = erlang(i + 1, t);
            assert!(
                (x - want).abs() <= 1e-7 * want.max(1e-6),
                "A{} at t = {t}: {x} vs {want}",
                i + 1
            );
        }
        let total: f64 = row.iter().sum();
        assert!((total - 1.0).abs() < 1e-9, "mass at t = {t}: {total}");
    }
    Ok(())
}

#[test]
fn sparse_and_dense_paths_agree_across_an_event() -> Result<(), EngineError> {
    // The same chain at 45 species (sparse) and, cut to 12 (dense), with an
    // event at t = 2 that refills A1: A1…A11 do not depend on the rest
    // (A12 ends the short chain), so both solutions agree on them.
    let event = Event {
        id: Some("refill".into()),
        trigger: "time >= 2".parse().expect("parses"),
        initial_value: true,
        persistent: true,
        delay: None,
        priority: None,
        use_values_from_trigger_time: true,
        assignments: vec![EventAssignment {
            variable: "A1".into(),
            math: Expr::Num(1.0),
        }],
    };
    let (mut long, mut short) = (chain(45), chain(12));
    long.events.push(event.clone());
    short.events.push(event);
    let times = [0.0, 1.0, 2.5, 6.0];
    let (a, b) = (solve(&long, &times)?, solve(&short, &times)?);
    for (ra, rb) in a.iter().zip(&b) {
        for (x, y) in ra.iter().zip(rb).take(11) {
            assert!((x - y).abs() <= 1e-7 * x.abs() + 1e-13, "{x} vs {y}");
        }
    }
    // A1 = e⁻² was replaced by 1: the chain holds 2 − e⁻² after the event.
    let total: f64 = a[3].iter().sum();
    let want = 2.0 - (-2.0f64).exp();
    assert!(
        (total - want).abs() < 1e-8,
        "mass after the refill {total} vs {want}"
    );
    Ok(())
}
