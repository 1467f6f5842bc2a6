//! `senmet power` and `senmet sensitivity`: study size and what to measure next.

use crate::util::{senmet, stderr, tsv, Dir};

/// A small pool and few studies, so the test stays quick; same seed on 1 and 2 threads.
#[test]
fn power_writes_a_curve_and_is_the_same_for_any_thread_count() {
    let dir = Dir::new();
    let args = |out: &'static str, threads: &'static str| {
        vec![
            "power",
            "--cancer-type",
            "lung",
            "--pool",
            "40",
            "--n-min",
            "3",
            "--n-max",
            "12",
            "--studies",
            "100",
            "--seed",
            "4",
            "--threads",
            threads,
            "--out",
            out,
        ]
    };
    let one = senmet(&dir, &args("one", "1"));
    assert!(one.status.success(), "{}", stderr(&one));
    let two = senmet(&dir, &args("two", "2"));
    assert!(two.status.success(), "{}", stderr(&two));
    let table = dir.read("one/power.tsv");
    assert_eq!(table, dir.read("two/power.tsv"));
    assert!(table
        .starts_with("cancer_type\tarm_a\tarm_b\treadout\tn\tpower\tlower\tupper\tclosed_form\n"));
    let rows = tsv(&table);
    assert_eq!(rows.len(), 10);
    for r in &rows {
        let cell = |k: &str| r[k].parse::<f64>().expect(k);
        assert_eq!(r["arm_a"], "aged_vehicle");
        assert_eq!(r["arm_b"], "aged_dq");
        assert!(cell("lower") <= cell("power") && cell("power") <= cell("upper"));
        assert!((0.0..=1.0).contains(&cell("closed_form")));
    }
    let html = dir.read("one/report.html");
    assert!(html.contains("80% power") && html.contains("<svg"));
    let stdout = String::from_utf8_lossy(&one.stdout);
    assert!(stdout.contains("n per arm for 80% power"), "{stdout}");
}

#[test]
fn power_rejects_unknown_arms_and_readouts() {
    let dir = Dir::new();
    let out = senmet(
        &dir,
        &[
            "power",
            "--arm-b",
            "aged_nothing",
            "--pool",
            "10",
            "--n-max",
            "5",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no arm named `aged_nothing`"),
        "{}",
        stderr(&out)
    );
    let out = senmet(&dir, &["power", "--readout", "tumour_size"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--readout tumour_size: expected one of"),
        "{}",
        stderr(&out)
    );
    let out = senmet(&dir, &["power", "--pool", "10", "--n-max", "20"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--pool 10"), "{}", stderr(&out));
}

#[test]
fn morris_sensitivity_ranks_factors_and_keeps_the_points() {
    let dir = Dir::new();
    let out = senmet(
        &dir,
        &[
            "sensitivity",
            "--method",
            "morris",
            "--trajectories",
            "2",
            "--seed",
            "3",
            "--out",
            "m",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let table = dir.read("m/sensitivity.tsv");
    assert!(table.starts_with("factor\tmu\tmu_star\tsigma\n"));
    let rows = tsv(&table);
    let mu_star: Vec<f64> = rows
        .iter()
        .map(|r| r["mu_star"].parse().expect("mu_star"))
        .collect();
    assert!(
        mu_star.windows(2).all(|w| w[0] >= w[1]),
        "not ranked: {mu_star:?}"
    );
    assert!(!rows.iter().any(|r| r["factor"].starts_with("var_")));
    let points = tsv(&dir.read("m/points.tsv"));
    assert_eq!(points.len(), 2 * (rows.len() + 1));
    assert!(points.iter().all(|p| p["aged_young_ratio"]
        .parse::<f64>()
        .is_ok_and(f64::is_finite)));
    assert!(dir.read("m/report.html").contains("Measure this next"));
}

#[test]
fn sobol_sensitivity_reports_indices_with_intervals() {
    let dir = Dir::new();
    let out = senmet(
        &dir,
        &["sensitivity", "--n", "4", "--seed", "1", "--out", "s"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let table = dir.read("s/sensitivity.tsv");
    assert!(table
        .starts_with("factor\tfirst\tfirst_lower\tfirst_upper\ttotal\ttotal_lower\ttotal_upper\n"));
    let out = senmet(
        &dir,
        &["sensitivity", "--readout", "nonsense", "--out", "x"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expected one of aged_young_ratio"),
        "{}",
        stderr(&out)
    );
}
