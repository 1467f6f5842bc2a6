//! `senmet cohort` and `senmet merge`: determinism across shards and threads, resume, refusals.

use crate::util::{senmet, stderr, Dir};

const OUTPUTS: [&str; 4] = ["patients.tsv", "by_age.tsv", "survival.tsv", "cox.tsv"];

fn cohort(dir: &Dir, out: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "cohort",
        "--patients",
        "12",
        "--chunk",
        "3",
        "--seed",
        "5",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    senmet(dir, &args)
}

fn ok(out: &std::process::Output) {
    assert!(out.status.success(), "{}", stderr(out));
}

#[test]
fn one_vs_four_shards_and_one_vs_two_threads_give_identical_outputs() {
    let dir = Dir::new();
    ok(&cohort(&dir, "one", &["--threads", "1"]));
    ok(&cohort(&dir, "two", &["--threads", "2"]));
    for i in 0..4 {
        ok(&cohort(
            &dir,
            &format!("s{i}"),
            &["--shard", &format!("{i}/4"), "--threads", "1"],
        ));
    }
    ok(&senmet(
        &dir,
        &["merge", "s2", "s0", "s3", "s1", "--out", "merged"],
    ));
    for f in OUTPUTS {
        let one = dir.read(&format!("one/{f}"));
        assert_eq!(one, dir.read(&format!("two/{f}")), "{f}: 1 vs 2 threads");
        assert_eq!(one, dir.read(&format!("merged/{f}")), "{f}: 1 vs 4 shards");
        let f = f.replace(".tsv", ".parquet");
        let bytes = |d: &str| std::fs::read(dir.path().join(d).join(&f)).unwrap();
        assert!(bytes("one").starts_with(b"PAR1"), "{f}");
        assert_eq!(bytes("one"), bytes("merged"), "{f}: 1 vs 4 shards");
    }
    assert_eq!(dir.read("one/patients.tsv").lines().count(), 13);
    assert!(dir.read("merged/report.html").contains("SEER"));
}

#[test]
fn with_priors_every_patient_records_its_draws_and_the_run_its_setting() {
    let dir = Dir::new();
    ok(&cohort(&dir, "prior", &["--prior"]));
    let rows = crate::util::tsv(&dir.read("prior/patients.tsv"));
    assert_eq!(rows.len(), 12);
    assert!(rows
        .iter()
        .all(|r| r["prior_draws"].parse::<u32>().unwrap() >= 1));
    assert!(dir.read("prior/manifest.tsv").contains("; prior"));
    ok(&cohort(&dir, "plain", &[]));
    let plain = crate::util::tsv(&dir.read("plain/patients.tsv"));
    assert!(plain.iter().all(|r| r["prior_draws"] == "0"));
    // Same ages (the patient's own stream), other outcomes.
    assert!(rows.iter().zip(&plain).all(|(a, b)| a["age"] == b["age"]));
    assert!(rows
        .iter()
        .zip(&plain)
        .any(|(a, b)| a["plasma_ev"] != b["plasma_ev"]));
}

#[test]
fn a_resumed_run_redoes_only_missing_chunks_and_refuses_other_settings() {
    let dir = Dir::new();
    ok(&cohort(&dir, "run", &[]));
    let before = dir.read("run/patients.tsv");
    let kept = dir.path().join("run/chunks/chunk-00000000.tsv");
    let stamp = std::fs::metadata(&kept).unwrap().modified().unwrap();
    std::fs::remove_file(dir.path().join("run/chunks/chunk-00000002.tsv")).unwrap();
    let again = cohort(&dir, "run", &[]);
    ok(&again);
    assert!(
        stderr(&again).contains("1 of 4 chunks to do"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::metadata(&kept).unwrap().modified().unwrap(), stamp);
    assert_eq!(dir.read("run/patients.tsv"), before);
    let other = senmet(
        &dir,
        &[
            "cohort",
            "--patients",
            "12",
            "--chunk",
            "3",
            "--seed",
            "6",
            "--out",
            "run",
        ],
    );
    assert_eq!(other.status.code(), Some(2));
    assert!(
        stderr(&other).contains("holds another cohort run"),
        "{}",
        stderr(&other)
    );
}

#[test]
fn merge_refuses_mixed_missing_and_duplicate_shards() {
    let dir = Dir::new();
    ok(&cohort(&dir, "a0", &["--shard", "0/2"]));
    ok(&cohort(&dir, "a1", &["--shard", "1/2"]));
    ok(&senmet(
        &dir,
        &[
            "cohort",
            "--patients",
            "12",
            "--chunk",
            "3",
            "--seed",
            "9",
            "--shard",
            "1/2",
            "--out",
            "b1",
        ],
    ));
    let cases: [(&[&str], &str); 3] = [
        (&["a0", "b1"], "shards of different runs"),
        (&["a0"], "missing shard(s) 1/2"),
        (&["a0", "a1", "a1"], "given twice"),
    ];
    for (dirs, message) in cases {
        let mut args = vec!["merge"];
        args.extend_from_slice(dirs);
        args.extend_from_slice(&["--out", "m"]);
        let out = senmet(&dir, &args);
        assert_eq!(out.status.code(), Some(2), "{dirs:?}");
        assert!(stderr(&out).contains(message), "{dirs:?}: {}", stderr(&out));
    }
}

#[test]
fn impossible_ages_and_shard_indices_are_clear_errors() {
    let dir = Dir::new();
    let table = dir.create("ages.tsv", "age_band\tweight\n40-50\t1\n60-x\t2\n");
    let cases: [(&[&str], &str); 5] = [
        (&["--ages", "90-40"], "age range 90-40"),
        (&["--ages", "40-200"], "0 <= low < high <= 120"),
        (&["--shard", "4/4"], "shard index 4 must be less than N = 4"),
        (&["--age-table", table.to_str().unwrap()], "ages.tsv:3"),
        (&["--cancer-type", "melanoma"], "no human rows"),
    ];
    for (extra, message) in cases {
        let out = cohort(&dir, "bad", extra);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        assert!(
            stderr(&out).contains(message),
            "{extra:?}: {}",
            stderr(&out)
        );
    }
}
