//! `senmet simulate --method tau`: tau-leaping ensembles from the command line.

use crate::util::{data, senmet, stderr, tsv, Dir};

fn simulate_tau(dir: &Dir, extra: &[&str]) -> std::process::Output {
    let model = data("data/metastasis_branching.xml");
    let mut args = vec![
        "simulate",
        &model,
        "--method",
        "tau",
        "--t-end",
        "5",
        "--points",
        "2",
        "--amounts",
    ];
    args.extend_from_slice(extra);
    senmet(dir, &args)
}

#[test]
fn tau_ensembles_follow_the_growth_law_and_repeat_by_seed() {
    let dir = Dir::new();
    // T is a linear birth–death process while T ≪ K: mean 1000·e^(0.2t),
    // variance 1000·(b + d)/(b − d)·e^(rt)(e^(rt) − 1) with r = b − d = 0.2.
    let e = 1.0f64.exp();
    let (mean, sd) = (1000.0 * e, (1000.0 * 2.0 * e * (e - 1.0)).sqrt());
    let mut tables = Vec::new();
    // The midpoint update (the default) is held to 4 standard errors; the
    // explicit one may also fall short by its first-order bias r·t·ε/2.
    for (update, bias) in [("midpoint", 0.0), ("explicit", 0.2 * 5.0 * 0.03 / 2.0)] {
        let args = ["--runs", "200", "--seed", "7", "--tau-update", update];
        let out = simulate_tau(&dir, &args);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let rows = tsv(&text);
        assert_eq!(rows.len(), 2);
        let cell = |k: &str| -> f64 { rows[1][k].parse().expect("a number") };
        let tol = 4.0 * sd / 200f64.sqrt() + bias * mean;
        let m = cell("T-mean");
        assert!((m - mean).abs() < tol, "{update}: T mean {m} vs {mean}");
        let s = cell("T-sd");
        assert!(s > 0.5 * sd && s < 1.5 * sd, "{update}: T sd {s}");
        // Same seed, same table.
        assert_eq!(simulate_tau(&dir, &args).stdout, out.stdout);
        tables.push(out.stdout);
    }
    assert_ne!(tables[0], tables[1], "the update changes the leaps");
    let bad = simulate_tau(&dir, &["--runs", "2", "--tau-update", "trapezoid"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("tau-update"), "{}", stderr(&bad));
}

#[test]
fn tau_trajectories_have_a_row_per_run_and_time() {
    let dir = Dir::new();
    let out = simulate_tau(
        &dir,
        &[
            "--runs",
            "3",
            "--seed",
            "1",
            "--trajectories",
            "--epsilon",
            "0.1",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let rows = tsv(&text);
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[5]["run"], "3");
    assert!(rows
        .iter()
        .all(|r| r["T"].parse::<f64>().expect("a count") >= 0.0));
}

#[test]
fn a_bad_epsilon_is_named() {
    let dir = Dir::new();
    let out = simulate_tau(&dir, &["--runs", "2", "--seed", "1", "--epsilon", "2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("epsilon"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("metastasis_branching.xml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn exact_decay_is_on_by_default_and_can_be_turned_off() {
    let dir = Dir::new();
    let base = ["--runs", "50", "--seed", "3"];
    let run = |extra: &[&str]| {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        let out = simulate_tau(&dir, &args);
        assert!(out.status.success(), "{extra:?}: {}", stderr(&out));
        out.stdout
    };
    let default = run(&[]);
    assert_eq!(run(&["--exact-decay", "on"]), default);
    // Left to the leap, C's deaths are Poisson numbers and bound the leaps.
    assert_ne!(run(&["--exact-decay", "off"]), default);
    let bad = simulate_tau(&dir, &["--runs", "2", "--exact-decay", "maybe"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("exact-decay"), "{}", stderr(&bad));
    let model = data("data/metastasis_branching.xml");
    let ssa = senmet(
        &dir,
        &[
            "simulate",
            &model,
            "--method",
            "ssa",
            "--t-end",
            "5",
            "--runs",
            "2",
            "--exact-decay",
            "off",
        ],
    );
    assert!(!ssa.status.success());
    assert!(
        stderr(&ssa).contains("--exact-decay needs"),
        "{}",
        stderr(&ssa)
    );
}
