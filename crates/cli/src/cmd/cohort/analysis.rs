//! The cohort's tables and report, from chunk files (of one run or of all its shards).
//!
//! Age bands are 10 years wide (`40-50` holds ages in [40, 50)). Survival
//! and Cox models use the patients without metastasis at diagnosis (M0):
//! time from diagnosis to the first detectable metastasis, censored at the
//! end of follow-up.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use senmet_report::plot::{self, Step};
use senmet_report::{Report, Table};
use senmet_stats::survival::{cox_ph, kaplan_meier};

use super::store::COLUMNS;
use crate::output::{parquet, write_atomically, write_atomically_with};
use crate::shards;

const SEER: &str = include_str!("../../../data/seer_metastatic_at_diagnosis.tsv");

/// The fields of a patient the tables need.
struct Row {
    cancer_type: usize,
    age: f64,
    at_diagnosis: bool,
    time: f64,
    event: bool,
}

/// Writes `patients`, `by_age`, `survival` and `cox` tables (`.tsv` and
/// `.parquet`) and `report.html` into `out`, from the chunk files found in `dirs`.
pub fn finish(
    dirs: &[PathBuf],
    out: &Path,
    manifest: &shards::Manifest,
    types: &[String],
    command: &str,
) -> anyhow::Result<()> {
    let settings = &manifest.settings;
    let rows = concatenate(dirs, out, manifest, types)?;
    parquet::from_file(&out.join("patients.tsv"), &out.join("patients.parquet"))?;
    let bands = bands(&rows);
    table(out, "by_age", &by_age(&rows, &bands, types)?)?;
    let (survival, curves) = survival(&rows, &bands)?;
    table(out, "survival", &survival)?;
    table(out, "cox", &cox(&rows, types)?)?;
    let html = report(&rows, &bands, types, &curves, settings, command)?;
    write_atomically(&out.join("report.html"), html.as_bytes())
}

/// Writes `<name>.tsv` and `<name>.parquet` into `out`, each atomically.
fn table(out: &Path, name: &str, text: &str) -> anyhow::Result<()> {
    let file = format!("{name}.tsv");
    write_atomically(&out.join(&file), text.as_bytes())?;
    write_atomically(
        &out.join(format!("{name}.parquet")),
        &parquet::from_text(text, &file)?,
    )
}

/// Streams the chunks, in order, into `patients.tsv` and keeps the fields the tables need.
fn concatenate(
    dirs: &[PathBuf],
    out: &Path,
    manifest: &shards::Manifest,
    types: &[String],
) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::with_capacity(usize::try_from(manifest.items).unwrap_or(0));
    write_atomically_with(&out.join("patients.tsv"), |file| {
        let mut w = std::io::BufWriter::new(file);
        writeln!(w, "{COLUMNS}")?;
        for c in 0..manifest.n_chunks() {
            let file = shards::find_chunk(dirs, c)?;
            let reader = BufReader::new(
                std::fs::File::open(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?,
            );
            for (n, line) in reader.lines().enumerate().skip(1) {
                let line = line.with_context(|| format!("cannot read {}", file.display()))?;
                rows.push(
                    parse(&line, types).with_context(|| format!("{}:{}", file.display(), n + 1))?,
                );
                writeln!(w, "{line}")?;
            }
        }
        if rows.len() as u64 != manifest.items {
            bail!(
                "the chunks hold {} patients, the run has {}",
                rows.len(),
                manifest.items
            );
        }
        w.flush().context("cannot write patients.tsv")
    })?;
    Ok(rows)
}

fn parse(line: &str, types: &[String]) -> anyhow::Result<Row> {
    let c: Vec<&str> = line.split('\t').collect();
    if c.len() != COLUMNS.split('\t').count() {
        bail!(
            "expected {} columns, found {}",
            COLUMNS.split('\t').count(),
            c.len()
        );
    }
    let num = |i: usize| {
        c[i].parse::<f64>()
            .with_context(|| format!("`{}` is not a number", c[i]))
    };
    Ok(Row {
        cancer_type: types
            .iter()
            .position(|t| t == c[1])
            .with_context(|| format!("unknown cancer type `{}`", c[1]))?,
        age: num(2)?,
        at_diagnosis: c[4] == "1",
        time: num(5)?,
        event: c[6] == "1",
    })
}

/// The 10-year bands present, as lower ends.
fn bands(rows: &[Row]) -> Vec<f64> {
    let mut b: Vec<f64> = rows.iter().map(|r| band(r.age)).collect();
    b.sort_by(f64::total_cmp);
    b.dedup();
    b
}

fn band(age: f64) -> f64 {
    (age / 10.0).floor() * 10.0
}

fn label(low: f64) -> String {
    format!("{low}-{}", low + 10.0)
}

/// Wilson score interval (95%).
fn wilson(k: usize, n: usize) -> (f64, f64) {
    let (k, n, z) = (k as f64, n as f64, 1.959_963_984_540_054);
    let p = k / n;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    // At k = 0 (or n) the bound is exactly 0 (or 1); the formula leaves rounding error.
    let low = if k == 0.0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if k == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (low, high)
}

/// KM median (years) of the M0 patients among `rows`, NaN if not reached.
fn median(rows: &[&Row]) -> anyhow::Result<f64> {
    let m0: Vec<&&Row> = rows.iter().filter(|r| !r.at_diagnosis).collect();
    if m0.is_empty() {
        return Ok(f64::NAN);
    }
    let t: Vec<f64> = m0.iter().map(|r| r.time).collect();
    let e: Vec<bool> = m0.iter().map(|r| r.event).collect();
    let km = kaplan_meier(&t, &e, 0.05)?;
    Ok(km
        .times
        .iter()
        .zip(&km.survival)
        .find(|(_, s)| **s <= 0.5)
        .map_or(f64::NAN, |(t, _)| *t))
}

fn by_age(rows: &[Row], bands: &[f64], types: &[String]) -> anyhow::Result<String> {
    let mut s = String::from("age_band\tcancer_type\tn\tmetastatic_at_diagnosis\tproportion\tci_low\tci_high\tmetastasis_by_end\tmedian_time_to_metastasis\n");
    for (c, ty) in types.iter().enumerate() {
        for b in bands {
            let g: Vec<&Row> = rows
                .iter()
                .filter(|r| r.cancer_type == c && band(r.age) == *b)
                .collect();
            if g.is_empty() {
                continue;
            }
            let k = g.iter().filter(|r| r.at_diagnosis).count();
            let (lo, hi) = wilson(k, g.len());
            let ever = g.iter().filter(|r| r.event).count();
            let _ = writeln!(
                s,
                "{}\t{ty}\t{}\t{k}\t{}\t{lo}\t{hi}\t{ever}\t{}",
                label(*b),
                g.len(),
                k as f64 / g.len() as f64,
                num(median(&g)?)
            );
        }
    }
    Ok(s)
}

fn num(x: f64) -> String {
    if x.is_nan() {
        "NA".into()
    } else {
        format!("{x}")
    }
}

/// `survival.tsv` (KM of M0 patients per age band, all types) and the curves for the report.
fn survival(rows: &[Row], bands: &[f64]) -> anyhow::Result<(String, Vec<Step>)> {
    let mut s = String::from("age_band\tn\ttime\tn_risk\tn_event\tsurvival\tci_low\tci_high\n");
    let mut curves = Vec::new();
    for b in bands {
        let g: Vec<&Row> = rows
            .iter()
            .filter(|r| !r.at_diagnosis && band(r.age) == *b)
            .collect();
        if g.is_empty() {
            continue;
        }
        let t: Vec<f64> = g.iter().map(|r| r.time).collect();
        let e: Vec<bool> = g.iter().map(|r| r.event).collect();
        let km = kaplan_meier(&t, &e, 0.05)?;
        for i in 0..km.times.len() {
            let _ = writeln!(
                s,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                label(*b),
                g.len(),
                km.times[i],
                km.n_risk[i],
                km.n_event[i],
                km.survival[i],
                km.lower[i],
                km.upper[i]
            );
        }
        curves.push(Step {
            label: label(*b),
            time: km.times,
            survival: km.survival,
            lower: Some(km.lower),
            upper: Some(km.upper),
            censored: Vec::new(),
        });
    }
    Ok((s, curves))
}

/// `cox.tsv`: time to metastasis (M0 patients) vs age in decades, cancer types as indicator covariates.
fn cox(rows: &[Row], types: &[String]) -> anyhow::Result<String> {
    let m0: Vec<&Row> = rows.iter().filter(|r| !r.at_diagnosis).collect();
    let t: Vec<f64> = m0.iter().map(|r| r.time).collect();
    let e: Vec<bool> = m0.iter().map(|r| r.event).collect();
    let mut names = vec!["age_decades".to_string()];
    let mut cols = vec![m0.iter().map(|r| r.age / 10.0).collect::<Vec<f64>>()];
    for (c, ty) in types.iter().enumerate().skip(1) {
        names.push(format!("cancer_type_{ty}"));
        cols.push(
            m0.iter()
                .map(|r| f64::from(u8::from(r.cancer_type == c)))
                .collect(),
        );
    }
    let mut s = String::from("term\tcoef\thazard_ratio\tse\tz\tp\tn\tevents\n");
    let events = e.iter().filter(|x| **x).count();
    match cox_ph(&t, &e, &cols.iter().map(Vec::as_slice).collect::<Vec<_>>()) {
        Ok(fit) => {
            for (name, c) in names.iter().zip(&fit.coefficients) {
                let _ = writeln!(
                    s,
                    "{name}\t{}\t{}\t{}\t{}\t{}\t{}\t{events}",
                    c.estimate,
                    c.estimate.exp(),
                    c.se,
                    c.statistic,
                    c.p,
                    m0.len()
                );
            }
        }
        Err(err) => eprintln!("senmet cohort: no Cox model ({err}); cox.tsv has the header only"),
    }
    Ok(s)
}

/// The model's proportion metastatic at diagnosis among `cancer_type` patients aged `[low, high)`: (k, n).
fn share(rows: &[Row], c: usize, low: f64, high: f64) -> (usize, usize) {
    let g: Vec<&Row> = rows
        .iter()
        .filter(|r| r.cancer_type == c && r.age >= low && r.age < high)
        .collect();
    (g.iter().filter(|r| r.at_diagnosis).count(), g.len())
}

/// The SEER rows beside the model's values, and sentences on where they disagree.
fn seer(rows: &[Row], types: &[String]) -> (Table, Vec<String>) {
    let mut table = Table {
        header: [
            "cancer type",
            "ages",
            "SEER % metastatic at diagnosis",
            "model %",
            "model 95% CI",
            "model n",
            "source",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    let mut said = Vec::new();
    for (c, ty) in types.iter().enumerate() {
        let mut pairs = Vec::new();
        for line in SEER.lines().filter(|l| !l.starts_with('#')).skip(1) {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 5 || f[0] != ty {
                continue;
            }
            let (Ok(lo), Ok(hi), Ok(pct)) = (
                f[1].parse::<f64>(),
                f[2].parse::<f64>(),
                f[3].parse::<f64>(),
            ) else {
                continue;
            };
            let (k, n) = share(rows, c, lo, hi);
            let (model, ci) = if n == 0 {
                ("no patients".to_string(), "-".to_string())
            } else {
                let (a, b) = wilson(k, n);
                pairs.push((format!("{lo}-{hi}"), pct, 100.0 * k as f64 / n as f64));
                (
                    format!("{:.2}", 100.0 * k as f64 / n as f64),
                    format!("{:.2}-{:.2}", 100.0 * a, 100.0 * b),
                )
            };
            table.rows.push(vec![
                ty.clone(),
                format!("{lo}-{hi}"),
                f[3].into(),
                model,
                ci,
                n.to_string(),
                f[4].into(),
            ]);
        }
        said.extend(disagreement(ty, &pairs));
    }
    (table, said)
}

/// Plain-language comparison of level and age trend (first vs last band with patients).
fn disagreement(ty: &str, pairs: &[(String, f64, f64)]) -> Vec<String> {
    let (Some(first), Some(last)) = (pairs.first(), pairs.last()) else {
        return vec![format!("{ty}: no simulated patients fall in the SEER age bands, so there is nothing to compare.")];
    };
    let mut v = Vec::new();
    for (band, seer, model) in pairs {
        let ratio = model / seer;
        let word = if (0.5..=2.0).contains(&ratio) {
            "agrees with"
        } else if ratio > 2.0 {
            "is above"
        } else {
            "is below"
        };
        v.push(format!("{ty}, ages {band}: the model's {model:.2}% metastatic at diagnosis {word} SEER's {seer}% (ratio {ratio:.2})."));
    }
    if pairs.len() > 1 {
        let dir = |a: f64, b: f64| {
            if b > a {
                "rises"
            } else if b < a {
                "falls"
            } else {
                "is flat"
            }
        };
        let (s, m) = (dir(first.1, last.1), dir(first.2, last.2));
        let verdict = if s == m {
            "the same direction"
        } else {
            "a different direction: the model disagrees with the registry on the age trend"
        };
        v.push(format!(
            "{ty}: from ages {} to {}, SEER's proportion {s} and the model's {m} — {verdict}.",
            first.0, last.0
        ));
    }
    v
}

fn report(
    rows: &[Row],
    bands: &[f64],
    types: &[String],
    curves: &[Step],
    settings: &str,
    command: &str,
) -> anyhow::Result<String> {
    let mut r = Report::new("senmet cohort: virtual patients by age");
    r.toc().footer(format!(
        "senmet {} · {settings} · {command}",
        env!("CARGO_PKG_VERSION")
    ));
    let n0 = rows.iter().filter(|r| !r.at_diagnosis).count();
    r.section("Cohort").paragraph(format!(
        "{} virtual patients, one primary tumour each, simulated from ~1 mm³ to diagnosis (the primary reaches diagnosis_size and is resected), then followed up. \
         Metastatic at diagnosis: a colony founded before diagnosis had reached the clinical detection threshold. {n0} patients were free of metastasis at diagnosis (M0); \
         the survival curves and the Cox model use them.", rows.len()));
    let mut labels = Vec::new();
    let mut values = Vec::new();
    let mut errors = Vec::new();
    for b in bands {
        let g: Vec<&Row> = rows.iter().filter(|r| band(r.age) == *b).collect();
        let k = g.iter().filter(|r| r.at_diagnosis).count();
        let (lo, hi) = wilson(k, g.len());
        labels.push(label(*b));
        values.push(100.0 * k as f64 / g.len() as f64);
        errors.push(100.0 * (hi - lo) / 2.0);
    }
    let (table, said) = seer(rows, types);
    r.section("Metastasis at diagnosis by age")
        .figure(
            plot::bars(
                "Metastatic at diagnosis",
                "% of patients (95% Wilson CI)",
                &labels,
                &values,
                Some(&errors),
            )?,
            "All cancer types of the cohort, by 10-year age band at diagnosis",
        )
        .paragraph("Beside the published SEER proportions (literature notes §8):")
        .table(table)
        .list(said);
    if !curves.is_empty() {
        r.section("Time to metastasis").figure(
            plot::km(
                "Metastasis-free after diagnosis (M0 patients)",
                "years after diagnosis",
                curves,
            )?,
            "Kaplan–Meier by 10-year age band with 95% confidence bands",
        );
    }
    Ok(r.to_html())
}

#[cfg(test)]
mod tests {
    use super::wilson;

    #[test]
    fn wilson_intervals_match_the_closed_form_and_are_exact_at_the_ends() {
        // 5/20: R 4's prop.test(5, 20, correct = FALSE) gives (0.1118617, 0.4687009).
        let (lo, hi) = wilson(5, 20);
        assert!(
            (lo - 0.111_862).abs() < 1e-6 && (hi - 0.468_701).abs() < 1e-6,
            "{lo} {hi}"
        );
        // 0/73: the upper bound is z²/(n + z²), the lower exactly 0.
        let z2 = 1.959_963_984_540_054_f64.powi(2);
        let (lo, hi) = wilson(0, 73);
        assert_eq!(lo, 0.0);
        assert!((hi - z2 / (73.0 + z2)).abs() < 1e-15);
        assert_eq!(wilson(73, 73).1, 1.0);
    }
}
