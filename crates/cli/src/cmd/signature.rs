//! `senmet signature`: per-sample gene-set scores in tumour transcriptomes,
//! tested against age, metastasis and survival per cancer type, pooled
//! pan-cancer, with TSV tables and an offline HTML report.

mod input;
mod output;
mod report;
mod svg;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use rayon::prelude::*;
use senmet_stats::association::{self, Row, Skip};
use senmet_stats::score::{self, Method};
use senmet_stats::table::Scale;

/// Score gene signatures per sample and test them against age, metastasis and survival.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Expression matrix (TSV or TSV.gz): genes in rows, first column the gene symbol, samples in columns.
    #[arg(long, value_name = "EXPR.tsv[.gz]")]
    pub expr: PathBuf,
    /// Clinical table (TSV): one row per sample, with a header.
    #[arg(long, value_name = "CLIN.tsv")]
    pub clinical: PathBuf,
    /// Gene sets in GMT format (repeatable). `X_UP`/`X_DN` pairs become one up/down signature.
    #[arg(long, value_name = "SETS.gmt")]
    pub gmt: Vec<PathBuf>,
    /// Leave out the built-in sets (SENMET_STUDY_TARGETS: PTEN, LATS2; HALLMARK_EPITHELIAL_MESENCHYMAL_TRANSITION).
    #[arg(long)]
    pub no_builtin: bool,
    /// Genes reported as single-gene features.
    #[arg(long, value_delimiter = ',', default_value = "PTEN,LATS2")]
    pub genes: Vec<String>,
    /// Scale of the expression values: log2 (used as is), linear (log2(x+1)), counts (log2(CPM+1)).
    #[arg(long, value_enum, default_value_t = ScaleArg::Log2)]
    pub scale: ScaleArg,
    /// Scoring methods.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "singscore,ssgsea,zscore"
    )]
    pub method: Vec<MethodArg>,
    /// Sample id column of the clinical table (default: its first column).
    #[arg(long)]
    pub sample_col: Option<String>,
    /// Age column.
    #[arg(long, default_value = "age")]
    pub age_col: String,
    /// Metastasis status column (0/1, yes/no, true/false, M0/M1).
    #[arg(long, default_value = "metastasis")]
    pub metastasis_col: String,
    /// Cancer type column; if absent from the table, all samples form one group `all`.
    #[arg(long, default_value = "cancer_type")]
    pub type_col: String,
    /// Follow-up time column (enables Kaplan–Meier, log-rank and Cox).
    #[arg(long, requires = "event_col")]
    pub time_col: Option<String>,
    /// Event column (0/1, yes/no, true/false).
    #[arg(long, requires = "time_col")]
    pub event_col: Option<String>,
    /// Smallest metastatic and non-metastatic group for the metastasis tests.
    #[arg(long, default_value_t = 3)]
    pub min_group: usize,
    /// Output directory (written atomically: a temporary directory renamed at the end).
    #[arg(long, default_value = "senmet-out")]
    pub out: PathBuf,
    /// Replace the output directory if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `--scale` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScaleArg {
    /// Already log2.
    Log2,
    /// Linear: log2(x + 1).
    Linear,
    /// Counts: log2(CPM + 1).
    Counts,
}

/// `--method` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// singscore (Foroutan 2018).
    Singscore,
    /// ssGSEA as GSVA.
    Ssgsea,
    /// Mean z-score.
    Zscore,
}

impl From<ScaleArg> for Scale {
    fn from(s: ScaleArg) -> Self {
        match s {
            ScaleArg::Log2 => Scale::Log2,
            ScaleArg::Linear => Scale::Linear,
            ScaleArg::Counts => Scale::Counts,
        }
    }
}

impl From<MethodArg> for Method {
    fn from(m: MethodArg) -> Self {
        match m {
            MethodArg::Singscore => Method::Singscore,
            MethodArg::Ssgsea => Method::Ssgsea,
            MethodArg::Zscore => Method::Zscore,
        }
    }
}

/// A scored feature: `method:SET` or `gene:SYMBOL`, one value per sample.
pub(crate) struct Feature {
    pub name: String,
    pub values: Vec<f64>,
}

/// Everything the outputs are made from.
pub(crate) struct Analysis {
    pub cohort: input::Cohort,
    pub features: Vec<Feature>,
    pub rows: Vec<Row>,
    pub meta: Vec<association::MetaRow>,
    pub skips: Vec<Skip>,
}

/// Runs `senmet signature`.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if args.out.exists() && !args.force {
        anyhow::bail!("{} exists; pass --force to replace it", args.out.display());
    }
    let cohort = input::load(args)?;
    let mut skips = cohort.skips.clone();
    skips.extend(absent_genes(args, &cohort));
    let features = features(args, &cohort);
    eprintln!(
        "senmet: testing {} features in {} samples",
        features.len(),
        cohort.subjects.len()
    );
    let mut rows = Vec::new();
    let opts = association::Options {
        min_group: args.min_group,
    };
    for (r, s) in features
        .par_iter()
        .map(|f| association::associate(&f.name, &f.values, &cohort.subjects, opts))
        .collect::<Vec<(Vec<Row>, Vec<Skip>)>>()
    {
        rows.extend(r);
        skips.extend(s);
    }
    association::adjust_all(&mut rows);
    let (meta, meta_skips) = association::pool(&rows);
    skips.extend(meta_skips);
    let analysis = Analysis {
        cohort,
        features,
        rows,
        meta,
        skips,
    };
    write_atomically(&args.out, args.force, |dir| {
        output::write_all(dir, &analysis)?;
        report::write(&dir.join("report.html"), &analysis, args)
    })?;
    eprintln!(
        "senmet: wrote {} ({} tests, {} pooled, {} skipped; see skipped.tsv)",
        args.out.display(),
        analysis.rows.len(),
        analysis.meta.len(),
        analysis.skips.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// A skip for each `--genes` symbol that is not in the matrix.
fn absent_genes(args: &Args, cohort: &input::Cohort) -> Vec<Skip> {
    let index = cohort.expr.index();
    let absent = args
        .genes
        .iter()
        .filter(|g| !index.contains_key(g.as_str()));
    absent
        .map(|gene| {
            eprintln!("senmet: warning: --genes {gene}: not in the expression matrix");
            Skip {
                cancer_type: "genes".into(),
                feature: gene.clone(),
                test: "-",
                reason: "named by --genes but not in the expression matrix (or dropped, see above)"
                    .into(),
            }
        })
        .collect()
}

/// Scores every resolved signature with every method, then the single genes.
fn features(args: &Args, cohort: &input::Cohort) -> Vec<Feature> {
    let methods: Vec<Method> = args.method.iter().map(|m| Method::from(*m)).collect();
    let bar = indicatif::ProgressBar::new_spinner().with_message("scoring samples");
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let scores = score::score(&cohort.expr, &cohort.signatures, &methods);
    bar.finish_and_clear();
    let mut out = Vec::new();
    for s in &scores {
        for (sig, values) in cohort.signatures.iter().zip(&s.values) {
            out.push(Feature {
                name: format!("{}:{}", s.method.name(), sig.name),
                values: values.clone(),
            });
        }
    }
    let index = cohort.expr.index();
    for gene in &args.genes {
        if let Some(&g) = index.get(gene.as_str()) {
            out.push(Feature {
                name: format!("gene:{gene}"),
                values: cohort.expr.row(g).to_vec(),
            });
        }
    }
    out
}

/// Writes into a temporary directory beside `out`, then renames it to `out`.
fn write_atomically(
    out: &Path,
    force: bool,
    write: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".senmet-signature-")
        .tempdir_in(parent)
        .with_context(|| {
            format!(
                "cannot create a temporary directory in {}",
                parent.display()
            )
        })?;
    write(tmp.path())?;
    if force && out.exists() {
        std::fs::remove_dir_all(out)
            .with_context(|| format!("cannot replace {}", out.display()))?;
    }
    let tmp = tmp.keep();
    std::fs::rename(&tmp, out)
        .with_context(|| format!("cannot rename {} to {}", tmp.display(), out.display()))?;
    Ok(())
}
