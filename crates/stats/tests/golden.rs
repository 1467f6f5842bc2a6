//! Golden tests: senmet-stats against reference implementations (scipy,
//! statsmodels, lifelines, R GSVA, R survival, R metafor) on the inputs in
//! `tests/data/golden/`. See `tests/data/README.md` for how they were made.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use senmet_stats::association::{self, Subject};
use senmet_stats::score::{self, Method};
use senmet_stats::table::{Clinical, ClinicalColumns, Expression, Scale};
use senmet_stats::{gmt, survival};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/golden")
        .join(name)
}

/// A reference TSV as rows of column name -> cell.
fn table(name: &str) -> Result<Vec<HashMap<String, String>>, Box<dyn std::error::Error>> {
    let text = fs::read_to_string(data(name))?;
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .ok_or("empty")?
        .split('\t')
        .map(String::from)
        .collect();
    Ok(lines
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split('\t').map(String::from))
                .collect()
        })
        .collect())
}

fn num(row: &HashMap<String, String>, col: &str) -> f64 {
    row.get(col)
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

/// `|a − b| ≤ tol · max(1, |b|)`, NaN equal to NaN.
fn close(what: &str, a: f64, b: f64, tol: f64) {
    if a.is_nan() && b.is_nan() {
        return;
    }
    assert!(
        (a - b).abs() <= tol * b.abs().max(1.0),
        "{what}: ours {a}, reference {b}, tolerance {tol}"
    );
}

fn load() -> Result<(Expression, Vec<score::Resolved>), Box<dyn std::error::Error>> {
    let expr = Expression::read(
        fs::File::open(data("expr.tsv")).map(std::io::BufReader::new)?,
        &data("expr.tsv"),
        Scale::Log2,
    )?;
    let sets = gmt::read(fs::read(data("sets.gmt"))?.as_slice(), &data("sets.gmt"))?;
    let sigs = gmt::signatures(&sets)
        .iter()
        .filter_map(|s| score::resolve(s, &expr).0)
        .collect();
    Ok((expr, sigs))
}

#[test]
fn scores_match_singscore_formula_gsva_and_numpy() -> TestResult {
    let (expr, sigs) = load()?;
    let all = score::score(
        &expr,
        &sigs,
        &[Method::Singscore, Method::Ssgsea, Method::Zscore],
    );
    for (scores, file, tol) in [
        (&all[0], "scores_singscore.tsv", 1e-9),
        (&all[1], "scores_ssgsea.tsv", 1e-6),
        (&all[2], "scores_zscore.tsv", 1e-9),
    ] {
        let reference = table(file)?;
        assert_eq!(reference.len(), sigs.len(), "{file}");
        for row in &reference {
            let i = sigs
                .iter()
                .position(|s| s.name == row["set"])
                .ok_or("unknown set")?;
            for (s, sample) in expr.samples().iter().enumerate() {
                close(
                    &format!("{file} {} {sample}", row["set"]),
                    scores.values[i][s],
                    num(row, sample),
                    tol,
                );
            }
        }
    }
    Ok(())
}

fn subjects() -> Result<Vec<Subject>, Box<dyn std::error::Error>> {
    let cols = ClinicalColumns {
        sample: Some("sample".into()),
        time: Some("time".into()),
        event: Some("event".into()),
        ..ClinicalColumns::default()
    };
    let clinical = Clinical::read(
        fs::read(data("clinical.tsv"))?.as_slice(),
        &data("clinical.tsv"),
        &cols,
    )?;
    Ok(clinical
        .records()
        .iter()
        .map(|r| Subject {
            cancer_type: r.cancer_type.clone(),
            age: r.age,
            metastasis: r.metastasis,
            time: r.time,
            event: r.event,
        })
        .collect())
}

fn rows() -> Result<Vec<association::Row>, Box<dyn std::error::Error>> {
    let (expr, sigs) = load()?;
    let subjects = subjects()?;
    let scores = score::score(&expr, &sigs, &[Method::Singscore]);
    let mut features: Vec<(String, Vec<f64>)> = sigs
        .iter()
        .zip(&scores[0].values)
        .map(|(s, v)| (format!("singscore:{}", s.name), v.clone()))
        .collect();
    let pten = expr.index()["PTEN"];
    features.push(("gene:PTEN".into(), expr.row(pten).to_vec()));
    let mut rows = Vec::new();
    for (name, values) in &features {
        let (r, skips) =
            association::associate(name, values, &subjects, association::Options::default());
        assert!(skips.is_empty(), "{skips:?}");
        rows.extend(r);
    }
    association::adjust_all(&mut rows);
    Ok(rows)
}

#[test]
fn tests_match_scipy_statsmodels_lifelines_and_r_survival() -> TestResult {
    let rows = rows()?;
    let reference = table("tests.tsv")?;
    assert_eq!(rows.len(), reference.len());
    for r in &reference {
        let ours = rows
            .iter()
            .find(|o| {
                o.cancer_type == r["cancer_type"]
                    && o.feature == r["feature"]
                    && o.test.name() == r["test"]
            })
            .ok_or("missing row")?;
        let what = format!("{} {} {}", r["cancer_type"], r["feature"], r["test"]);
        let tol = match r["test"].as_str() {
            "spearman_age"
            | "mannwhitney_metastasis"
            | "lm_age"
            | "lm_metastasis"
            | "lm_age_x_metastasis" => 1e-9,
            _ => 1e-6,
        };
        assert_eq!(ours.n, num(r, "n") as usize, "{what} n");
        close(
            &format!("{what} statistic"),
            ours.statistic,
            num(r, "statistic"),
            tol,
        );
        if !num(r, "effect").is_nan() {
            close(
                &format!("{what} effect"),
                ours.effect,
                num(r, "effect"),
                tol,
            );
        }
        close(&format!("{what} se"), ours.se, num(r, "se"), tol);
        close(&format!("{what} p"), ours.p, num(r, "p"), tol);
        close(&format!("{what} q"), ours.q, num(r, "q"), 1e-6);
    }
    Ok(())
}

#[test]
fn kaplan_meier_matches_lifelines() -> TestResult {
    let subjects = subjects()?;
    let liver: Vec<&Subject> = subjects
        .iter()
        .filter(|s| s.cancer_type == "liver")
        .collect();
    let time: Vec<f64> = liver.iter().filter_map(|s| s.time).collect();
    let event: Vec<bool> = liver.iter().filter_map(|s| s.event).collect();
    let km = survival::kaplan_meier(&time, &event, 0.05)?;
    let reference = table("km.tsv")?;
    assert_eq!(km.times.len(), reference.len());
    for (i, r) in reference.iter().enumerate() {
        close("time", km.times[i], num(r, "time"), 0.0);
        close("survival", km.survival[i], num(r, "survival"), 1e-9);
        // lifelines reports the CI as 1 while survival is 1 and NaN at 0.
        if km.survival[i] < 1.0 && km.survival[i] > 0.0 {
            close("lower", km.lower[i], num(r, "lower"), 1e-9);
            close("upper", km.upper[i], num(r, "upper"), 1e-9);
        }
    }
    Ok(())
}

#[test]
fn meta_analysis_matches_metafor() -> TestResult {
    let (pooled, skips) = association::pool(&rows()?);
    assert!(skips.is_empty(), "{skips:?}");
    let reference = table("meta.tsv")?;
    assert_eq!(pooled.len(), reference.len());
    for r in &reference {
        let m = pooled
            .iter()
            .find(|m| m.feature == r["feature"] && m.test.name() == r["test"])
            .ok_or("missing")?;
        let what = format!("{} {}", r["feature"], r["test"]);
        assert_eq!(m.meta.k, num(r, "k") as usize);
        for (name, ours) in [
            ("effect", m.meta.effect),
            ("ci_low", m.meta.ci_low),
            ("ci_high", m.meta.ci_high),
            ("p", m.meta.p),
            ("q_stat", m.meta.q),
            ("i2", m.meta.i2),
            ("tau2", m.meta.tau2),
            ("se", m.meta.se),
        ] {
            close(&format!("{what} {name}"), ours, num(r, name), 1e-9);
        }
    }
    Ok(())
}
