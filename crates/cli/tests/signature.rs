//! `senmet signature`: end to end on real data, against the golden
//! references, and on bad input.

use std::collections::HashMap;

use crate::util::{data, senmet, stderr, tsv, Dir};

fn find<'a>(
    rows: &'a [HashMap<String, String>],
    feature: &str,
    test: &str,
) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| r["feature"] == feature && r["test"] == test)
        .unwrap_or_else(|| panic!("no row {feature} {test}"))
}

fn num(row: &HashMap<String, String>, col: &str) -> f64 {
    row[col].parse().unwrap_or(f64::NAN)
}

/// GSE1992 (relapse as metastasis proxy) end to end; single-gene figures
/// equal the cohort README's scipy figures.
#[test]
fn gse1992_end_to_end() {
    let dir = Dir::new();
    let out = senmet(
        &dir,
        &[
            "signature",
            "--expr",
            &data("tests/data/gse1992/expression.tsv.gz"),
            "--clinical",
            &data("tests/data/gse1992/clinical.tsv"),
            "--metastasis-col",
            "relapse_event_any_site_or_dod",
            "--time-col",
            "rfs_months",
            "--event-col",
            "relapse_event_any_site_or_dod",
            "--out",
            "res",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = tsv(&dir.read("res/associations.tsv"));
    for (gene, rho, p_rho, u, p_u, diff) in [
        ("PTEN", 0.04724, 0.6024, 1402.5, 0.3911, -0.1246),
        ("LATS2", 0.07596, 0.4017, 1541.5, 0.9314, -0.064),
    ] {
        let s = find(&rows, &format!("gene:{gene}"), "spearman_age");
        assert!(
            (num(s, "statistic") - rho).abs() < 5e-6 && (num(s, "p") - p_rho).abs() < 5e-5,
            "{s:?}"
        );
        let m = find(&rows, &format!("gene:{gene}"), "mannwhitney_metastasis");
        assert_eq!(
            (num(m, "n_met"), num(m, "n_nonmet"), num(m, "statistic")),
            (35.0, 89.0, u)
        );
        assert!(
            (num(m, "p") - p_u).abs() < 5e-5 && (num(m, "effect") - diff).abs() < 5e-5,
            "{m:?}"
        );
    }
    let emt = "singscore:HALLMARK_EPITHELIAL_MESENCHYMAL_TRANSITION";
    for test in [
        "lm_metastasis",
        "logit_metastasis_feature",
        "logrank_high_vs_low",
        "cox_feature",
    ] {
        let r = find(&rows, emt, test);
        assert!(
            (0.0..=1.0).contains(&num(r, "p")) && (0.0..=1.0).contains(&num(r, "q")),
            "{r:?}"
        );
    }
    let scores = tsv(&dir.read("res/scores.tsv"));
    assert_eq!(scores.len(), 124);
    assert!(scores.iter().all(|r| num(r, emt).abs() <= 0.5));
    let coverage = dir.read("res/coverage.tsv");
    assert!(
        coverage.contains("HALLMARK_EPITHELIAL_MESENCHYMAL_TRANSITION\t200\t192\t"),
        "{coverage}"
    );
    let report = dir.read("res/report.html");
    assert!(report.contains("What the data support") && report.matches("<svg").count() >= 10);
    // Offline: nothing is fetched (the SVG namespace URI is an identifier, not a fetch).
    for fetch in ["src=", "href=", "<script", "<link", "@import"] {
        assert!(!report.contains(fetch), "report.html contains {fetch}");
    }
    // Only one cancer type: pooling is skipped with its reason, not silently.
    assert!(dir
        .read("res/skipped.tsv")
        .contains("pooling needs at least 2 cancer types"));
}

/// The CLI reproduces the golden references of senmet-stats (synthetic data,
/// three cancer types; see crates/stats/tests/data/README.md).
#[test]
fn golden_references_through_the_cli() {
    let dir = Dir::new();
    let g = |f: &str| data(&format!("../stats/tests/data/golden/{f}"));
    let out = senmet(
        &dir,
        &[
            "signature",
            "--expr",
            &g("expr.tsv"),
            "--clinical",
            &g("clinical.tsv"),
            "--gmt",
            &g("sets.gmt"),
            "--no-builtin",
            "--genes",
            "PTEN",
            "--method",
            "singscore",
            "--sample-col",
            "sample",
            "--time-col",
            "time",
            "--event-col",
            "event",
            "--out",
            "res",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let ours = tsv(&dir.read("res/associations.tsv"));
    let reference = tsv(&std::fs::read_to_string(g("tests.tsv")).expect("golden tests.tsv"));
    assert_eq!(ours.len(), reference.len());
    for r in &reference {
        let o = ours
            .iter()
            .find(|o| {
                o["cancer_type"] == r["cancer_type"]
                    && o["feature"] == r["feature"]
                    && o["test"] == r["test"]
            })
            .unwrap_or_else(|| panic!("missing {r:?}"));
        for col in ["statistic", "p", "q"] {
            let (a, b) = (num(o, col), num(r, col));
            assert!(
                (a - b).abs() <= 1e-6 * b.abs().max(1.0),
                "{col} {o:?} vs {r:?}"
            );
        }
    }
    let meta = tsv(&dir.read("res/meta.tsv"));
    let reference = tsv(&std::fs::read_to_string(g("meta.tsv")).expect("golden meta.tsv"));
    assert_eq!(meta.len(), reference.len());
}

const CLIN: &str = "sample\tage\tmetastasis\tcancer_type\n\
A\t50\t0\tx\nB\t61\t1\tx\nC\t72\t0\tx\nD\t45\tM0\tx\nE\t66\tM1\tx\nF\t58\tyes\tx\nG\t80\tno\tx\nH\t39\t0\tx\n";

fn expr(extra: &str) -> String {
    let mut s = String::from("gene\tA\tB\tC\tD\tE\tF\tG\tH\n");
    for (g, row) in [
        ("PTEN", "1\t2\t3\t4\t5\t6\t7\t8"),
        ("LATS2", "2\t1\t4\t3\t6\t5\t8\t7"),
        ("VIM", "5\t3\t1\t2\t8\t7\t6\t4"),
        ("CDH1", "9\t1\t2\t8\t3\t7\t4\t6"),
    ] {
        s.push_str(&format!("{g}\t{row}\n"));
    }
    s + extra
}

fn run(dir: &Dir, expr_text: &str, clin: &str, extra: &[&str]) -> std::process::Output {
    let e = dir.create("expr.tsv", expr_text).display().to_string();
    let c = dir.create("clin.tsv", clin).display().to_string();
    let mut args = vec![
        "signature",
        "--expr",
        e.as_str(),
        "--clinical",
        c.as_str(),
        "--out",
        "res",
    ];
    args.extend_from_slice(extra);
    senmet(dir, &args)
}

#[test]
fn non_numeric_cell_names_file_line_and_field() {
    let dir = Dir::new();
    let out = run(&dir, &expr("MYC\t1\t2\tabc\t4\t5\t6\t7\t8\n"), CLIN, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expr.tsv:6:4: expected a finite number, found 'abc'"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("res").exists(), "no partial output");
}

#[test]
fn bad_clinical_cell_names_file_line_and_field() {
    let dir = Dir::new();
    let out = run(&dir, &expr(""), &CLIN.replace("E\t66", "E\tsixty"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("clin.tsv:6:2: expected an age"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unmatched_samples_are_listed_not_dropped_silently() {
    let dir = Dir::new();
    let clin = CLIN.replace("H\t39\t0\tx\n", "Z\t39\t0\tx\n");
    let out = run(&dir, &expr(""), &clin, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("2 sample ids are in only one of the two files"));
    let skipped = dir.read("res/skipped.tsv");
    assert!(
        skipped.contains("samples\tH\t-\tin the expression matrix but not in the clinical table"),
        "{skipped}"
    );
    assert!(
        skipped.contains("samples\tZ\t-\tin the clinical table but not in the expression matrix")
    );
    assert_eq!(tsv(&dir.read("res/scores.tsv")).len(), 7);
}

#[test]
fn no_shared_sample_is_an_error() {
    let dir = Dir::new();
    let clin = "sample\tage\tmetastasis\tcancer_type\nX1\t50\t0\tx\n";
    let out = run(&dir, &expr(""), clin, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no sample id is in both"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn missing_values_and_duplicates_are_reported() {
    let dir = Dir::new();
    let out = run(
        &dir,
        &expr("MYC\t1\tNA\t3\t4\t5\t6\t7\t8\nVIM\t50\t50\t50\t50\t50\t50\t50\t50\n"),
        CLIN,
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let skipped = dir.read("res/skipped.tsv");
    assert!(
        skipped.contains("genes\tMYC\t-\tdropped: a cell is missing (NA or empty)"),
        "{skipped}"
    );
    assert!(skipped
        .contains("genes\tVIM\t-\t2 rows with this symbol; kept the row with the highest mean"));
}

#[test]
fn empty_gene_set_is_skipped_with_reason() {
    let dir = Dir::new();
    let gmt = dir
        .create("s.gmt", "EMPTY\tnothing\nABSENT\t-\tNOPE1\tNOPE2\n")
        .display()
        .to_string();
    let out = run(
        &dir,
        &expr(""),
        CLIN,
        &["--gmt", &gmt, "--genes", "PTEN,NOPE3"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let skipped = dir.read("res/skipped.tsv");
    assert!(
        skipped.contains("gene sets\tEMPTY\t-\tno gene of the set"),
        "{skipped}"
    );
    assert!(skipped.contains("gene sets\tABSENT\t-\tno gene of the set (or of its down part) in the matrix: 0 of 2 found"));
    assert!(dir
        .read("res/coverage.tsv")
        .contains("ABSENT\t2\t0\tNOPE1,NOPE2"));
}

#[test]
fn one_metastatic_sample_skips_metastasis_tests_with_reason() {
    let dir = Dir::new();
    let clin = CLIN
        .replace("\t1\tx", "\t0\tx")
        .replace("M1", "M0")
        .replace("yes", "no")
        .replace("F\t58\tno", "F\t58\tyes");
    let out = run(&dir, &expr(""), &clin, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let skipped = dir.read("res/skipped.tsv");
    assert!(skipped.contains("x\tgene:PTEN\tmannwhitney_metastasis\t1 metastatic and 7 non-metastatic samples; at least 3 of each needed"), "{skipped}");
    let rows = tsv(&dir.read("res/associations.tsv"));
    assert!(rows.iter().any(|r| r["test"] == "spearman_age"));
    assert!(!rows.iter().any(|r| r["test"] == "mannwhitney_metastasis"));
}

#[test]
fn existing_output_needs_force() {
    let dir = Dir::new();
    std::fs::create_dir(dir.path().join("res")).expect("mkdir");
    let out = run(&dir, &expr(""), CLIN, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("pass --force"));
    let out = run(&dir, &expr(""), CLIN, &["--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("res/report.html").exists());
}
