//! `senmet targets` and `senmet targets shift`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

type Res = Result<(), Box<dyn std::error::Error>>;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../seq/tests/data")
        .join(name)
}

fn senmet(args: &[&std::ffi::OsStr]) -> std::io::Result<Output> {
    Command::new(env!("CARGO_BIN_EXE_senmet"))
        .args(args)
        .output()
}

fn scan(out: &Path, utrs: &Path, mirnas: &Path, extra: &[&str]) -> std::io::Result<Output> {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "targets".as_ref(),
        "--mirnas".as_ref(),
        mirnas.as_os_str(),
        "--utrs".as_ref(),
        utrs.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    senmet(&args)
}

#[test]
fn pten_lats2_sites_and_genes() -> Res {
    let dir = tempfile::tempdir()?;
    let out = scan(
        dir.path(),
        &data("PTEN_LATS2_human_3utr_miRAW.fa"),
        &data("study_mirnas.fa"),
        &["--species", "hsa", "--no-offset-6mer"],
    )?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sites = fs::read_to_string(dir.path().join("sites.tsv"))?;
    let mut lines = sites.lines();
    assert_eq!(
        lines.next(),
        Some("utr_id\tgene\tmirna\tfamily\tsite_type\tstart\tend\tscore")
    );
    let pten_8mer = "ENSG00000171862\tPTEN\thsa-miR-25-3p\tAUUGCAC\t8mer\t2859\t2866\t-";
    assert!(sites.lines().any(|l| l.starts_with(pten_8mer)), "{sites}");
    let lats2 = "ENSG00000150457\tLATS2\thsa-miR-30c-5p\tGUAAACA\t7mer-A1\t1607\t1613\t-";
    assert!(sites.lines().any(|l| l.starts_with(lats2)));
    let genes = fs::read_to_string(dir.path().join("genes.tsv"))?;
    let rows: Vec<&str> = genes.lines().collect();
    assert_eq!(
        rows[0],
        "gene\tfamily\tn_8mer\tn_7mer_m8\tn_7mer_a1\tn_6mer\tscore"
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("PTEN\tGUAAACA\t0\t1\t1\t2\t-")),
        "{genes}"
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("LATS2\tAUUGCAC\t1\t0\t0\t")),
        "{genes}"
    );
    Ok(())
}

#[test]
fn output_does_not_depend_on_threads() -> Res {
    let (a, b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let utrs = data("PTEN_LATS2_human_3utr_miRAW.fa");
    let mirnas = data("study_mirnas.fa");
    assert!(scan(a.path(), &utrs, &mirnas, &["--threads", "1"])?
        .status
        .success());
    assert!(scan(
        b.path(),
        &utrs,
        &mirnas,
        &["--threads", "2", "--non-canonical"]
    )?
    .status
    .success());
    let sa = fs::read_to_string(a.path().join("sites.tsv"))?;
    let sb = fs::read_to_string(b.path().join("sites.tsv"))?;
    // The non-canonical run has the same rows plus 6mer-A1 rows.
    let without: Vec<&str> = sb.lines().filter(|l| !l.contains("\t6mer-A1\t")).collect();
    assert_eq!(sa.lines().collect::<Vec<_>>(), without);
    assert!(sb.len() > sa.len());
    assert_eq!(
        fs::read(a.path().join("genes.tsv"))?,
        fs::read(b.path().join("genes.tsv"))?
    );
    Ok(())
}

fn fails_naming(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(needle), "expected {needle:?} in {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn bad_input_names_file_and_record() -> Res {
    let dir = tempfile::tempdir()?;
    let p = |name: &str| dir.path().join(name);
    fs::write(p("short.fa"), ">hsa-ok\nUGUAAACAUCC\n>hsa-short\nUGUAAA\n")?;
    fs::write(p("utr.fa"), ">u1\nACGTACGTTTACA\n>u2\nACGX\n")?;
    fs::write(p("ok.fa"), ">hsa-ok\nUGUAAACAUCC\n")?;
    let out = scan(
        &p("o"),
        &data("PTEN_LATS2_human_3utr_miRAW.fa"),
        &p("short.fa"),
        &[],
    )?;
    fails_naming(
        &out,
        "short.fa:3: miRNA 'hsa-short' has 6 nt, expected at least 8",
    );
    let out = scan(&p("o"), &p("utr.fa"), &p("ok.fa"), &[])?;
    fails_naming(
        &out,
        "utr.fa:4:4: record 'u2': expected a nucleotide letter, found 'X'",
    );
    // A gzip file cut in the middle.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..2000 {
        writeln!(gz, ">u{i}\nCCCCCCCCCCCCCCCCACGTTTACAGGCATTGCACCAGT")?;
    }
    let bytes = gz.finish()?;
    fs::write(p("whole.fa.gz"), &bytes)?;
    let out = scan(&p("whole"), &p("whole.fa.gz"), &p("ok.fa"), &[])?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let genes = fs::read_to_string(p("whole").join("genes.tsv"))?;
    assert_eq!(
        genes.lines().count(),
        2001,
        "one miR-30 7mer-A1 row per UTR"
    );
    fs::write(p("cut.fa.gz"), &bytes[..bytes.len() / 2])?;
    let out = scan(&p("o"), &p("cut.fa.gz"), &p("ok.fa"), &[])?;
    fails_naming(&out, "cut.fa.gz:");
    fails_naming(&out, "cannot read input after record 'u");
    // Nothing half-written is left behind.
    let left: Vec<_> = fs::read_dir(p("o"))?.collect();
    assert!(left.is_empty(), "{left:?}");
    Ok(())
}

#[test]
fn warns_on_empty_and_duplicate_utrs() -> Res {
    let dir = tempfile::tempdir()?;
    let p = |name: &str| dir.path().join(name);
    fs::write(p("m.fa"), ">hsa-ok\nUGUAAACAUCC\n")?;
    fs::write(p("u.fa"), ">a\n>b\nACGT\n>b\nACGT\n")?;
    let out = scan(&p("o"), &p("u.fa"), &p("m.fa"), &[])?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("u.fa:1: UTR 'a' is empty; skipped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("u.fa:4: duplicate UTR 'b' (first at line 2)"),
        "{stderr}"
    );
    Ok(())
}

#[test]
fn shift_writes_tsv_and_report() -> Res {
    let dir = tempfile::tempdir()?;
    let p = |name: &str| dir.path().join(name);
    let mut genes = String::from("gene\tfamily\tn_8mer\tn_7mer_m8\tn_7mer_a1\tn_6mer\tscore\n");
    let mut ranked = String::from("gene\tcorrelation\n");
    for i in 0..100 {
        ranked.push_str(&format!("G{i}\t{}\n", f64::from(i) / 100.0));
        if i % 7 == 0 || i < 10 {
            genes.push_str(&format!("G{i}\tmiR-a\t1\t0\t0\t0\t-0.3\n"));
        }
        if i % 2 == 1 {
            genes.push_str(&format!("G{i}\tmiR-b\t0\t0\t1\t0\t-0.2\n"));
        }
    }
    fs::create_dir(p("o"))?;
    fs::write(p("o").join("genes.tsv"), genes)?;
    fs::write(p("ranked.tsv"), ranked)?;
    // --genes defaults to DIR/genes.tsv, DIR from --out.
    let (r, o) = (p("ranked.tsv"), p("o"));
    let args: Vec<&std::ffi::OsStr> = vec![
        "targets".as_ref(),
        "shift".as_ref(),
        "--ranked".as_ref(),
        r.as_os_str(),
        "--by".as_ref(),
        "correlation".as_ref(),
        "--out".as_ref(),
        o.as_os_str(),
    ];
    let out = senmet(&args)?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tsv = fs::read_to_string(o.join("shift.tsv"))?;
    let rows: Vec<&str> = tsv.lines().collect();
    assert!(rows[0].starts_with("family\tn_targets\tn_genes\tshift\t"));
    assert!(rows[1].starts_with("miR-a\t23\t100\tlower\t"), "{tsv}");
    assert!(rows[2].starts_with("miR-b\t50\t100\t"), "{tsv}");
    let html = fs::read_to_string(o.join("report.html"))?;
    assert_eq!(html.matches("<svg").count(), 2);
    Ok(())
}
