//! Loading and matching the inputs of `senmet signature`.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use anyhow::Context;
use senmet_stats::association::{Skip, Subject};
use senmet_stats::gmt;
use senmet_stats::score::{self, Coverage, Resolved};
use senmet_stats::table::{self, Clinical, ClinicalColumns, Expression, LoadReport};

use super::Args;

/// The matched inputs.
pub(crate) struct Cohort {
    /// Expression restricted to the matched samples, in expression-file order.
    pub expr: Expression,
    /// Clinical data of the matched samples, in the same order.
    pub subjects: Vec<Subject>,
    /// Signatures with at least one gene found.
    pub signatures: Vec<Resolved>,
    /// Gene coverage of every signature.
    pub coverage: Vec<Coverage>,
    /// What the expression reader dropped or merged.
    pub load: LoadReport,
    /// Samples in the expression file and in the clinical table.
    pub n_expr_samples: usize,
    pub n_clinical: usize,
    /// Unmatched samples, duplicated and incomplete genes, unusable sets.
    pub skips: Vec<Skip>,
}

/// Reads and matches the expression matrix, clinical table and gene sets.
pub(crate) fn load(args: &Args) -> anyhow::Result<Cohort> {
    let mut expr = read_expression(&args.expr, args.scale.into())?;
    let clinical = read_clinical(args)?;
    let n_expr_samples = expr.samples().len();
    let n_clinical = clinical.records().len();
    let mut skips = Vec::new();
    let (keep, subjects) = match_samples(&expr, &clinical, &mut skips);
    if keep.is_empty() {
        anyhow::bail!(
            "no sample id is in both {} (e.g. '{}') and {} (e.g. '{}')",
            args.expr.display(),
            expr.samples().first().map_or("", String::as_str),
            args.clinical.display(),
            clinical.records().first().map_or("", |r| r.sample.as_str())
        );
    }
    expr.retain_samples(&keep);
    let load = expr.report().clone();
    note_genes(&load, &mut skips);
    let (signatures, coverage) = signatures(args, &expr, &mut skips)?;
    if signatures.is_empty() && args.genes.is_empty() {
        anyhow::bail!(
            "no gene set has a gene in {}, and no --genes given",
            args.expr.display()
        );
    }
    Ok(Cohort {
        expr,
        subjects,
        signatures,
        coverage,
        load,
        n_expr_samples,
        n_clinical,
        skips,
    })
}

fn read_expression(path: &Path, scale: table::Scale) -> anyhow::Result<Expression> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = indicatif::ProgressBar::new(size).with_style(
        indicatif::ProgressStyle::with_template(
            "reading {msg} {bar:30} {bytes}/{total_bytes} ({eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(path.display().to_string());
    let raw = bar.wrap_read(file);
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let reader: Box<dyn BufRead> = if gz {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, raw)),
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, raw))
    };
    let expr = Expression::read(reader, path, scale)?;
    bar.finish_and_clear();
    eprintln!(
        "senmet: {}: {} genes x {} samples",
        path.display(),
        expr.genes().len(),
        expr.samples().len()
    );
    Ok(expr)
}

fn read_clinical(args: &Args) -> anyhow::Result<Clinical> {
    let mut cols = ClinicalColumns {
        sample: args.sample_col.clone(),
        age: args.age_col.clone(),
        metastasis: args.metastasis_col.clone(),
        cancer_type: Some(args.type_col.clone()),
        time: args.time_col.clone(),
        event: args.event_col.clone(),
    };
    let read = |cols: &ClinicalColumns| -> Result<Clinical, senmet_stats::Error> {
        Clinical::read(table::open(&args.clinical)?, &args.clinical, cols)
    };
    match read(&cols) {
        Err(senmet_stats::Error::MissingColumn { column, .. }) if column == args.type_col => {
            eprintln!(
                "senmet: {}: no column '{column}'; all samples form one group 'all'",
                args.clinical.display()
            );
            cols.cancer_type = None;
            Ok(read(&cols)?)
        }
        other => Ok(other?),
    }
}

/// Indices of expression samples with a clinical row, and their subjects;
/// every unmatched sample of either file becomes a skip.
fn match_samples(
    expr: &Expression,
    clinical: &Clinical,
    skips: &mut Vec<Skip>,
) -> (Vec<usize>, Vec<Subject>) {
    let by_id: HashMap<&str, usize> = clinical
        .records()
        .iter()
        .enumerate()
        .map(|(i, r)| (r.sample.as_str(), i))
        .collect();
    let mut keep = Vec::new();
    let mut subjects = Vec::new();
    let mut used = vec![false; clinical.records().len()];
    for (s, id) in expr.samples().iter().enumerate() {
        match by_id.get(id.as_str()) {
            Some(&i) => {
                let r = &clinical.records()[i];
                used[i] = true;
                keep.push(s);
                subjects.push(Subject {
                    cancer_type: r.cancer_type.clone(),
                    age: r.age,
                    metastasis: r.metastasis,
                    time: r.time,
                    event: r.event,
                });
            }
            None => skips.push(skip(
                "samples",
                id,
                "in the expression matrix but not in the clinical table",
            )),
        }
    }
    for (r, _) in clinical.records().iter().zip(&used).filter(|(_, u)| !**u) {
        skips.push(skip(
            "samples",
            &r.sample,
            "in the clinical table but not in the expression matrix",
        ));
    }
    let unmatched = skips.len();
    if unmatched > 0 {
        eprintln!("senmet: warning: {unmatched} sample ids are in only one of the two files (listed in skipped.tsv)");
    }
    (keep, subjects)
}

fn note_genes(load: &LoadReport, skips: &mut Vec<Skip>) {
    for (gene, copies) in &load.duplicates {
        skips.push(skip(
            "genes",
            gene,
            &format!("{copies} rows with this symbol; kept the row with the highest mean"),
        ));
    }
    for gene in &load.missing {
        skips.push(skip(
            "genes",
            gene,
            "dropped: a cell is missing (NA or empty)",
        ));
    }
    if !load.duplicates.is_empty() || !load.missing.is_empty() {
        eprintln!(
            "senmet: warning: {} duplicated gene symbols merged (highest mean kept), {} genes with missing values dropped",
            load.duplicates.len(),
            load.missing.len()
        );
    }
}

fn signatures(
    args: &Args,
    expr: &Expression,
    skips: &mut Vec<Skip>,
) -> anyhow::Result<(Vec<Resolved>, Vec<Coverage>)> {
    let mut sets = if args.no_builtin {
        Vec::new()
    } else {
        gmt::builtin()
    };
    for path in &args.gmt {
        sets.extend(gmt::read(table::open(path)?, path)?);
    }
    let mut resolved = Vec::new();
    let mut coverage = Vec::new();
    for sig in gmt::signatures(&sets) {
        let (r, c) = score::resolve(&sig, expr);
        match r {
            Some(r) => resolved.push(r),
            None => skips.push(skip(
                "gene sets",
                &sig.name,
                &format!(
                    "no gene of the set (or of its down part) in the matrix: {} of {} found",
                    c.n_found, c.n_genes
                ),
            )),
        }
        coverage.push(c);
    }
    Ok((resolved, coverage))
}

fn skip(scope: &str, item: &str, reason: &str) -> Skip {
    Skip {
        cancer_type: scope.to_owned(),
        feature: item.to_owned(),
        test: "-",
        reason: reason.to_owned(),
    }
}
