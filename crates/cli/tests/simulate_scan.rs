//! `senmet simulate --scan`: parameter-scan ensembles.

use crate::util::{data, senmet, stderr, tsv, Dir};

const PARAMS: &str = "k1\tk2\tk3\n0.04\t3e7\t1e4\n0.08\t1e7\t5e3\n0.02\t5e7\t2e4\n0.05\t2e7\t1e4\n";

fn scan(dir: &Dir, params: &str, extra: &[&str]) -> std::process::Output {
    let model = data("tests/data/robertson.xml");
    let mut args = vec![
        "simulate", &model, "--t-end", "100", "--points", "5", "--scan", params,
    ];
    args.extend_from_slice(extra);
    senmet(dir, &args)
}

#[test]
fn scan_output_is_the_same_for_any_thread_count() {
    let dir = Dir::new();
    dir.create("p.tsv", PARAMS);
    for (threads, out) in [("1", "one.tsv"), ("2", "two.tsv"), ("3", "three.tsv")] {
        let res = scan(&dir, "p.tsv", &["--threads", threads, "--out", out]);
        assert!(res.status.success(), "{}", stderr(&res));
    }
    let one = dir.read("one.tsv");
    assert_eq!(one, dir.read("two.tsv"));
    assert_eq!(one, dir.read("three.tsv"));
    let rows = tsv(&one);
    assert_eq!(rows.len(), 4 * 5);
    assert_eq!(one.lines().next(), Some("set\ttime\tA\tB\tC"));
    assert_eq!(rows[5]["set"], "2");
    assert_eq!(rows[5]["time"], "0");
}

#[test]
fn a_set_with_the_declared_values_matches_a_plain_run() {
    let dir = Dir::new();
    dir.create("p.tsv", PARAMS);
    let res = scan(&dir, "p.tsv", &["--final-only", "--out", "scan.tsv"]);
    assert!(res.status.success(), "{}", stderr(&res));
    let model = data("tests/data/robertson.xml");
    let plain = senmet(
        &dir,
        &[
            "simulate",
            &model,
            "--t-end",
            "100",
            "--points",
            "5",
            "--out",
            "plain.tsv",
        ],
    );
    assert!(plain.status.success(), "{}", stderr(&plain));
    let scanned = tsv(&dir.read("scan.tsv"));
    let last = tsv(&dir.read("plain.tsv")).pop().expect("rows");
    assert_eq!(scanned.len(), 4);
    for id in ["time", "A", "B", "C"] {
        assert_eq!(scanned[0][id], last[id], "{id}");
    }
    // Other rate constants give other states; mass is conserved in each.
    assert_ne!(scanned[1]["A"], scanned[0]["A"]);
    for row in &scanned {
        let total: f64 = ["A", "B", "C"]
            .iter()
            .map(|id| row[*id].parse::<f64>().expect("a number"))
            .sum();
        assert!((total - 1.0).abs() < 1e-6, "{total}");
    }
}

#[test]
fn unknown_parameter_names_its_header_cell() {
    let dir = Dir::new();
    dir.create("p.tsv", "k1\tkx\n0.04\t1\n");
    let res = scan(&dir, "p.tsv", &["--out", "o.tsv"]);
    assert_eq!(res.status.code(), Some(2));
    let err = stderr(&res);
    assert!(
        err.contains("p.tsv:1:4: 'kx' is not a global parameter"),
        "{err}"
    );
    assert!(!dir.path().join("o.tsv").exists());
}

#[test]
fn bad_cell_names_line_and_column() {
    let dir = Dir::new();
    dir.create("p.tsv", "k1\tk2\n0.04\t3e7\n0.04\tfast\n");
    let res = scan(&dir, "p.tsv", &["--out", "o.tsv"]);
    assert_eq!(res.status.code(), Some(2));
    let err = stderr(&res);
    assert!(
        err.contains("p.tsv:3:6: expected a finite number for 'k2', found 'fast'"),
        "{err}"
    );
    assert!(!dir.path().join("o.tsv").exists());
}

#[test]
fn zero_threads_is_refused() {
    let dir = Dir::new();
    dir.create("p.tsv", PARAMS);
    let res = scan(&dir, "p.tsv", &["--threads", "0"]);
    assert_eq!(res.status.code(), Some(2));
    assert!(stderr(&res).contains("--threads"), "{}", stderr(&res));
}
