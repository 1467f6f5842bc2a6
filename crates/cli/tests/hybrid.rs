//! `senmet simulate --method hybrid`: the branching metastasis model with
//! metastases (and circulating cells, few at first) as counts.

use crate::util::{data, senmet, stderr, tsv, Dir};

fn simulate(dir: &Dir, extra: &[&str]) -> Vec<std::collections::HashMap<String, String>> {
    let model = data("data/metastasis_branching.xml");
    let mut args = vec![
        "simulate",
        &model,
        "--t-end",
        "15",
        "--points",
        "4",
        "--amounts",
        "--runs",
        "8",
        "--seed",
        "42",
    ];
    args.extend_from_slice(extra);
    let out = senmet(dir, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    tsv(&String::from_utf8_lossy(&out.stdout))
}

fn cell(row: &std::collections::HashMap<String, String>, col: &str) -> f64 {
    row[col].parse().expect("number")
}

#[test]
fn hybrid_keeps_the_continuous_part_deterministic() {
    let dir = Dir::new();
    let hybrid = simulate(&dir, &["--method", "hybrid"]);
    let ode = simulate(&dir, &["--method", "ode", "--rtol", "1e-6"]);
    assert_eq!(hybrid.len(), 4);
    // T (1000 cells) is continuous and no stochastic reaction changes it: the
    // ODE solution, with no spread beyond the solver tolerance (each run
    // restarts the solver at different times).
    for (h, o) in hybrid.iter().zip(&ode) {
        let (mean, want) = (cell(h, "T-mean"), cell(o, "T"));
        // Global error up to about 10·rtol, with different step sequences.
        assert!((mean - want).abs() <= 1e-5 * want, "{mean} vs {want}");
        assert!(cell(h, "T-sd") <= 1e-5 * want);
    }
    // C starts at 0 and is discrete: it varies between runs.
    assert!(cell(&hybrid[3], "C-sd") > 0.0);
    assert_eq!(hybrid, simulate(&dir, &["--method", "hybrid"]));
}

#[test]
fn langevin_noise_gives_the_tumour_its_spread() {
    let dir = Dir::new();
    let noisy = simulate(&dir, &["--method", "hybrid", "--noise", "langevin"]);
    assert_eq!(noisy.len(), 4);
    // T (1000 cells, continuous) now varies between runs, about as the exact
    // SSA's (a birth-and-death process: SD of a few hundred by day 15).
    let sd = cell(&noisy[3], "T-sd");
    assert!(sd > 10.0, "T's SD {sd}");
    assert_eq!(
        noisy,
        simulate(&dir, &["--method", "hybrid", "--noise", "langevin"])
    );
    let rows = simulate(
        &dir,
        &[
            "--method",
            "hybrid",
            "--noise",
            "langevin",
            "--trajectories",
        ],
    );
    // C and M start below the threshold: counts.
    for r in &rows {
        for col in ["C", "M"] {
            assert_eq!(cell(r, col).fract(), 0.0, "{col} is a count");
        }
    }
}

#[test]
fn hybrid_trajectories_count_discrete_species() {
    let dir = Dir::new();
    let rows = simulate(
        &dir,
        &[
            "--method",
            "hybrid",
            "--discrete",
            "T",
            "--threshold",
            "0",
            "--trajectories",
        ],
    );
    assert_eq!(rows.len(), 8 * 4);
    for r in &rows {
        let t = cell(r, "T");
        assert_eq!(t, t.round(), "T is a count: {t}");
    }
    // With threshold 0 and only T named, C is continuous: not a whole number.
    assert!(rows.iter().any(|r| cell(r, "C").fract() != 0.0));
}

#[test]
fn hybrid_names_an_unknown_species() {
    let dir = Dir::new();
    let model = data("data/metastasis_branching.xml");
    let out = senmet(
        &dir,
        &[
            "simulate",
            &model,
            "--t-end",
            "1",
            "--method",
            "hybrid",
            "--discrete",
            "Q",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("'Q'"), "{}", stderr(&out));
    let out = senmet(
        &dir,
        &["simulate", &model, "--t-end", "1", "--discrete", "T"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--method hybrid"), "{}", stderr(&out));
}
