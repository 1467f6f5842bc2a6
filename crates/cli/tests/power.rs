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

/// Shards of a power run and of a sensitivity run, merged, equal the unsharded runs byte for byte;
/// a sensitivity run with a chunk deleted redoes only that chunk.
#[test]
fn power_and_sensitivity_shards_merge_to_the_unsharded_run_and_resume() {
    let dir = Dir::new();
    let power = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "power",
            "--cancer-type",
            "lung",
            "--pool",
            "15",
            "--n-max",
            "6",
            "--studies",
            "50",
            "--seed",
            "4",
            "--chunk",
            "7",
            "--out",
            out,
        ];
        args.extend_from_slice(extra);
        let run = senmet(&dir, &args);
        assert!(run.status.success(), "{}", stderr(&run));
        run
    };
    power("whole", &[]);
    power("p0", &["--shard", "0/2"]);
    power("p1", &["--shard", "1/2", "--threads", "1"]);
    let merged = senmet(&dir, &["merge", "p1", "p0", "--out", "pm"]);
    assert!(merged.status.success(), "{}", stderr(&merged));
    assert_eq!(dir.read("whole/power.tsv"), dir.read("pm/power.tsv"));
    let sensitivity = |out: &str, extra: &[&str]| {
        let mut args = vec![
            "sensitivity",
            "--method",
            "morris",
            "--trajectories",
            "2",
            "--seed",
            "3",
            "--chunk",
            "10",
            "--out",
            out,
        ];
        args.extend_from_slice(extra);
        let run = senmet(&dir, &args);
        assert!(run.status.success(), "{}", stderr(&run));
        run
    };
    sensitivity("whole_s", &[]);
    for i in 0..3 {
        sensitivity(&format!("s{i}"), &["--shard", &format!("{i}/3")]);
    }
    let merged = senmet(&dir, &["merge", "s0", "s1", "s2", "--out", "sm"]);
    assert!(merged.status.success(), "{}", stderr(&merged));
    for f in ["sensitivity.tsv", "points.tsv"] {
        assert_eq!(
            dir.read(&format!("whole_s/{f}")),
            dir.read(&format!("sm/{f}")),
            "{f}"
        );
    }
    // Mixing shards of a power run and a sensitivity run is refused.
    let mixed = senmet(&dir, &["merge", "p0", "s1", "--out", "bad"]);
    assert_eq!(mixed.status.code(), Some(2));
    assert!(
        stderr(&mixed).contains("shards of different runs"),
        "{}",
        stderr(&mixed)
    );
    // Resume: only the deleted chunk is evaluated again.
    std::fs::remove_file(dir.path().join("whole_s/chunks/chunk-00000001.tsv")).unwrap();
    let again = sensitivity("whole_s", &[]);
    assert!(stderr(&again).contains("1 of "), "{}", stderr(&again));
    assert_eq!(dir.read("whole_s/points.tsv"), dir.read("sm/points.tsv"));
}
