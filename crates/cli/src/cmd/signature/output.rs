//! The TSV outputs of `senmet signature`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;

use super::Analysis;

/// A number as written to TSV: shortest round-trip form, `NA` for NaN.
pub(crate) fn num(v: f64) -> String {
    if v.is_nan() {
        "NA".into()
    } else {
        format!("{v}")
    }
}

fn create(dir: &Path, name: &str) -> anyhow::Result<BufWriter<File>> {
    let path = dir.join(name);
    let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(BufWriter::new(file))
}

/// Writes scores.tsv, associations.tsv, meta.tsv, coverage.tsv and skipped.tsv.
pub(crate) fn write_all(dir: &Path, a: &Analysis) -> anyhow::Result<()> {
    scores(dir, a)?;
    associations(dir, a)?;
    meta(dir, a)?;
    coverage(dir, a)?;
    skipped(dir, a)
}

fn scores(dir: &Path, a: &Analysis) -> anyhow::Result<()> {
    let mut w = create(dir, "scores.tsv")?;
    write!(w, "sample\tcancer_type\tage\tmetastasis")?;
    for f in &a.features {
        write!(w, "\t{}", f.name)?;
    }
    writeln!(w)?;
    for (s, (id, sub)) in a
        .cohort
        .expr
        .samples()
        .iter()
        .zip(&a.cohort.subjects)
        .enumerate()
    {
        let met = sub.metastasis.map_or("NA", |m| if m { "1" } else { "0" });
        write!(
            w,
            "{id}\t{}\t{}\t{met}",
            sub.cancer_type,
            num(sub.age.unwrap_or(f64::NAN))
        )?;
        for f in &a.features {
            write!(w, "\t{}", num(f.values[s]))?;
        }
        writeln!(w)?;
    }
    Ok(w.flush()?)
}

fn associations(dir: &Path, a: &Analysis) -> anyhow::Result<()> {
    let mut w = create(dir, "associations.tsv")?;
    writeln!(
        w,
        "cancer_type\tfeature\ttest\tn\tn_met\tn_nonmet\tstatistic\teffect\tp\tq"
    )?;
    for r in &a.rows {
        writeln!(
            w,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.cancer_type,
            r.feature,
            r.test.name(),
            r.n,
            r.n_met,
            r.n_nonmet,
            num(r.statistic),
            num(r.effect),
            num(r.p),
            num(r.q)
        )?;
    }
    Ok(w.flush()?)
}

fn meta(dir: &Path, a: &Analysis) -> anyhow::Result<()> {
    let mut w = create(dir, "meta.tsv")?;
    writeln!(
        w,
        "feature\ttest\tk\teffect\tci_low\tci_high\tp\tcochran_q\ti2\ttau2\tcancer_types"
    )?;
    for m in &a.meta {
        let types: Vec<&str> = m.studies.iter().map(|s| s.0.as_str()).collect();
        let x = &m.meta;
        writeln!(
            w,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            m.feature,
            m.test.name(),
            x.k,
            num(x.effect),
            num(x.ci_low),
            num(x.ci_high),
            num(x.p),
            num(x.q),
            num(x.i2),
            num(x.tau2),
            types.join(",")
        )?;
    }
    Ok(w.flush()?)
}

fn coverage(dir: &Path, a: &Analysis) -> anyhow::Result<()> {
    let mut w = create(dir, "coverage.tsv")?;
    writeln!(w, "gene_set\tn_genes\tn_found\tmissing")?;
    for c in &a.cohort.coverage {
        writeln!(
            w,
            "{}\t{}\t{}\t{}",
            c.name,
            c.n_genes,
            c.n_found,
            c.missing.join(",")
        )?;
    }
    Ok(w.flush()?)
}

fn skipped(dir: &Path, a: &Analysis) -> anyhow::Result<()> {
    let mut w = create(dir, "skipped.tsv")?;
    writeln!(w, "scope\titem\ttest\treason")?;
    for s in &a.skips {
        writeln!(
            w,
            "{}\t{}\t{}\t{}",
            s.cancer_type, s.feature, s.test, s.reason
        )?;
    }
    Ok(w.flush()?)
}
