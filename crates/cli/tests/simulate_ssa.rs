//! `senmet simulate --method ssa`: stochastic ensembles from the command line.

use std::process::{Command, Output};

use crate::util::{data, stderr, tsv, Dir};

/// Runs a birth–death ensemble on `threads` rayon threads, writing `out`.
fn ensemble(dir: &Dir, threads: &str, out: &str, extra: &[&str]) -> Output {
    let model = data("tests/data/birth_death.xml");
    Command::new(env!("CARGO_BIN_EXE_senmet"))
        .current_dir(dir.path())
        .env("RAYON_NUM_THREADS", threads)
        .args([
            "simulate", &model, "--method", "ssa", "--runs", "300", "--seed", "7",
        ])
        .args(["--t-end", "20", "--points", "5", "--amounts", "--out", out])
        .args(extra)
        .output()
        .expect("senmet runs")
}

#[test]
fn ensembles_are_the_same_for_any_thread_count() {
    same_for_any_thread_count(&[]);
}

#[test]
fn next_reaction_ensembles_are_the_same_for_any_thread_count() {
    same_for_any_thread_count(&["--ssa-algorithm", "next-reaction"]);
}

fn same_for_any_thread_count(algorithm: &[&str]) {
    let dir = Dir::new();
    for (threads, name) in [("1", "one"), ("2", "two"), ("3", "three")] {
        for (extra, suffix) in [(&[][..], "summary"), (&["--trajectories"][..], "runs")] {
            let extra = [algorithm, extra].concat();
            let res = ensemble(&dir, threads, &format!("{name}-{suffix}.tsv"), &extra);
            assert!(res.status.success(), "{}", stderr(&res));
        }
    }
    for suffix in ["summary", "runs"] {
        let one = dir.read(&format!("one-{suffix}.tsv"));
        assert_eq!(one, dir.read(&format!("two-{suffix}.tsv")), "{suffix}");
        assert_eq!(one, dir.read(&format!("three-{suffix}.tsv")), "{suffix}");
    }
    let rows = tsv(&dir.read("one-summary.tsv"));
    assert_eq!(rows.len(), 5);
    // X(20) ~ Poisson(100·(1 − e⁻²)): the mean within 5 standard errors.
    let mean: f64 = rows[4]["X-mean"].parse().expect("a number");
    let mu = 100.0 * (1.0 - (-2.0f64).exp());
    assert!(
        (mean - mu).abs() < 5.0 * (mu / 300.0).sqrt(),
        "{mean} vs {mu}"
    );
    assert_eq!(tsv(&dir.read("one-runs.tsv")).len(), 300 * 5);
}

#[test]
fn the_number_of_reaction_events_is_reported() {
    let dir = Dir::new();
    let res = ensemble(&dir, "2", "s.tsv", &[]);
    assert!(res.status.success(), "{}", stderr(&res));
    let err = stderr(&res);
    let line = err
        .lines()
        .find(|l| l.contains("reaction events"))
        .unwrap_or_else(|| panic!("no event count in: {err}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words[..3], ["senmet:", "300", "runs,"]);
    let events: u64 = words[3].parse().expect("a count");
    // About 200 births and 90 deaths per run over 20 s.
    assert!((300 * 150..300 * 450).contains(&events), "{events}");
}
