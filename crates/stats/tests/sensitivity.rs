//! Sensitivity analysis against analytic indices and SALib.
//!
//! The SALib numbers in `tests/data/sensitivity/salib.tsv` come from
//! `bench/sensitivity/compare_salib.py --write-fixture`, which runs SALib on
//! the design points these tests rebuild (same factors, sizes and seeds as the
//! constants below).

use std::collections::HashMap;
use std::f64::consts::PI;
use std::path::Path;

use senmet_stats::sensitivity::{Factor, MorrisDesign, SaltelliDesign};

type TestResult = Result<(), Box<dyn std::error::Error>>;
/// A test function of the factors.
type Model = fn(&[f64]) -> f64;
/// SALib's numbers by (case, factor, statistic).
type Reference = HashMap<(String, String, String), f64>;

const SEED: u64 = 2026;
const G_A: [f64; 8] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];

fn uniform(k: usize, low: f64, high: f64) -> Vec<Factor> {
    (1..=k)
        .map(|i| Factor {
            name: format!("x{i}"),
            low,
            high,
            log: false,
        })
        .collect()
}

fn ishigami(x: &[f64]) -> f64 {
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

fn g_function(x: &[f64]) -> f64 {
    x.iter()
        .zip(G_A)
        .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
        .product()
}

/// The SALib fixture.
fn salib() -> Result<Reference, Box<dyn std::error::Error>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sensitivity/salib.tsv");
    let text = std::fs::read_to_string(path)?;
    let mut out = HashMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        out.insert((f[0].into(), f[1].into(), f[2].into()), f[3].parse()?);
    }
    Ok(out)
}

#[test]
fn ishigami_matches_analytic_indices() -> TestResult {
    // Ishigami & Homma (1990), a = 7, b = 0.1: the values SALib's docs quote.
    let first = [0.3139, 0.4424, 0.0];
    let total = [0.5576, 0.4424, 0.2437];
    let design = SaltelliDesign::new(&uniform(3, -PI, PI), 8192, SEED)?;
    let y: Vec<f64> = design.points().iter().map(|x| ishigami(x)).collect();
    let s = design.analyse(&y, 200)?;
    for j in 0..3 {
        // Observed errors at this N and seed: at most 7.4e-4 (1.3e-3 for the
        // G-function below).
        assert!((s.first[j] - first[j]).abs() < 0.005, "S{j}: {s:?}");
        assert!((s.total[j] - total[j]).abs() < 0.005, "ST{j}: {s:?}");
        assert!(s.first_ci[j].0 < first[j] && first[j] < s.first_ci[j].1);
        assert!(s.total_ci[j].0 < total[j] && total[j] < s.total_ci[j].1);
    }
    Ok(())
}

#[test]
fn g_function_matches_analytic_indices() -> TestResult {
    // Sobol' G: V_i = 1 / (3 (1 + a_i)²), V = Π(1 + V_i) − 1,
    // S_i = V_i / V, S_Ti = V_i Π_{j≠i}(1 + V_j) / V (Saltelli et al. 2010).
    let v: Vec<f64> = G_A
        .iter()
        .map(|a| 1.0 / (3.0 * (1.0 + a).powi(2)))
        .collect();
    let prod: f64 = v.iter().map(|vi| 1.0 + vi).product();
    let total_var = prod - 1.0;
    let design = SaltelliDesign::new(&uniform(8, 0.0, 1.0), 8192, SEED)?;
    let y: Vec<f64> = design.points().iter().map(|x| g_function(x)).collect();
    let s = design.analyse(&y, 200)?;
    for (j, vj) in v.iter().enumerate() {
        let first = vj / total_var;
        let total = vj * prod / (1.0 + vj) / total_var;
        assert!((s.first[j] - first).abs() < 0.005, "S{j} {first}: {s:?}");
        assert!((s.total[j] - total).abs() < 0.005, "ST{j} {total}: {s:?}");
    }
    Ok(())
}

#[test]
fn sobol_estimators_equal_salib_on_the_same_points() -> TestResult {
    let reference = salib()?;
    let cases: [(&str, Vec<Factor>, Model); 2] = [
        ("sobol_ishigami", uniform(3, -PI, PI), ishigami),
        ("sobol_gfunc", uniform(8, 0.0, 1.0), g_function),
    ];
    for (case, factors, f) in cases {
        let design = SaltelliDesign::new(&factors, 1024, SEED)?;
        let y: Vec<f64> = design.points().iter().map(|x| f(x)).collect();
        let s = design.analyse(&y, 200)?;
        for (j, name) in s.names.iter().enumerate() {
            for (stat, ours) in [("S1", s.first[j]), ("ST", s.total[j])] {
                let theirs = reference[&(case.into(), name.clone(), stat.into())];
                assert!(
                    (ours - theirs).abs() < 1e-12,
                    "{case} {name} {stat}: ours {ours}, SALib {theirs}"
                );
            }
        }
    }
    Ok(())
}

#[test]
fn morris_equals_salib_on_the_same_points() -> TestResult {
    let reference = salib()?;
    let design = MorrisDesign::new(&uniform(3, -PI, PI), 50, 4, SEED)?;
    let y: Vec<f64> = design.points().iter().map(|x| ishigami(x)).collect();
    let m = design.analyse(&y)?;
    for (j, name) in m.names.iter().enumerate() {
        for (stat, ours) in [
            ("mu", m.mu[j]),
            ("mu_star", m.mu_star[j]),
            ("sigma", m.sigma[j]),
        ] {
            let theirs = reference[&("morris_ishigami".into(), name.clone(), stat.into())];
            assert!(
                (ours - theirs).abs() < 1e-12,
                "{name} {stat}: ours {ours}, SALib {theirs}"
            );
        }
    }
    Ok(())
}

#[test]
fn morris_ranks_ishigami_factors_as_salib() -> TestResult {
    let reference = salib()?;
    let design = MorrisDesign::new(&uniform(3, -PI, PI), 10_000, 4, SEED)?;
    let y: Vec<f64> = design.points().iter().map(|x| ishigami(x)).collect();
    let m = design.analyse(&y)?;
    let theirs: Vec<f64> = m
        .names
        .iter()
        .map(|n| {
            reference[&(
                "morris_ishigami_salib_r10000".into(),
                n.clone(),
                "mu_star".into(),
            )]
        })
        .collect();
    let rank = |v: &[f64]| {
        let mut order: Vec<usize> = (0..v.len()).collect();
        order.sort_by(|a, b| v[*b].total_cmp(&v[*a]));
        order
    };
    assert_eq!(
        rank(&m.mu_star),
        rank(&theirs),
        "ours {:?}, SALib {theirs:?}",
        m.mu_star
    );
    // Each μ* is a mean of 10 000 effects with sd about 6.25: se about 0.06.
    for (ours, theirs) in m.mu_star.iter().zip(&theirs) {
        assert!((ours - theirs).abs() < 0.4, "ours {ours}, SALib {theirs}");
    }
    Ok(())
}

#[test]
fn morris_linear_model_has_mu_star_coefficient_times_range() -> TestResult {
    // y = 2 a − 3 b + 0.5 ln c: every elementary effect is exact, so
    // μ* = |coefficient| × range (in log space for the log-uniform c), σ = 0.
    let factors = [
        Factor {
            name: "a".into(),
            low: -1.0,
            high: 4.0,
            log: false,
        },
        Factor {
            name: "b".into(),
            low: 10.0,
            high: 12.0,
            log: false,
        },
        Factor {
            name: "c".into(),
            low: 0.01,
            high: 100.0,
            log: true,
        },
    ];
    let design = MorrisDesign::new(&factors, 20, 6, SEED)?;
    let y: Vec<f64> = design
        .points()
        .iter()
        .map(|x| 2.0 * x[0] - 3.0 * x[1] + 0.5 * x[2].ln())
        .collect();
    let m = design.analyse(&y)?;
    let expected_mu = [2.0 * 5.0, -3.0 * 2.0, 0.5 * (100.0_f64 / 0.01).ln()];
    for (j, want) in expected_mu.iter().enumerate() {
        assert!((m.mu[j] - want).abs() < 1e-9, "{m:?}");
        assert!((m.mu_star[j] - want.abs()).abs() < 1e-9, "{m:?}");
        assert!(m.sigma[j] < 1e-9, "{m:?}");
    }
    Ok(())
}
