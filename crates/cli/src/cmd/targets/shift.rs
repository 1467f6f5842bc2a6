//! `senmet targets shift`: rank-sum and KS tests of each family's targets in a ranked gene list.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use senmet_seq::shift::{self, report, MinSite};

use super::Output;

/// Flags of `senmet targets shift`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Ranked gene list: TSV with a header, gene names in the first column; rank 1 is the first row.
    #[arg(long, value_name = "GENES.tsv")]
    ranked: PathBuf,
    /// Order the ranked list by this numeric column, ascending, instead of by row.
    #[arg(long, value_name = "COLUMN")]
    by: Option<String>,
    /// The genes.tsv written by `senmet targets` [default: DIR/genes.tsv, DIR from --out].
    #[arg(long, value_name = "genes.tsv")]
    genes: Option<PathBuf>,
    /// Weakest site that makes a gene a target.
    #[arg(long, value_enum, default_value_t = Site::Seven)]
    min_site: Site,
    /// Output directory for shift.tsv and report.html (and where genes.tsv is looked for).
    #[arg(long, value_name = "DIR", default_value = "senmet-out")]
    out: PathBuf,
    /// Running-sum plots in the report (families with the smallest rank-sum p first).
    #[arg(long, value_name = "N", default_value_t = 24)]
    plots: usize,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Site {
    /// 6mer or better.
    #[value(name = "6mer")]
    Six,
    /// 7mer-A1, 7mer-m8 or 8mer.
    #[value(name = "7mer")]
    Seven,
    /// 8mer.
    #[value(name = "8mer")]
    Eight,
}

/// Runs `senmet targets shift`.
///
/// # Errors
///
/// Unreadable or malformed input, or an output that cannot be written.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let open = |p: &PathBuf| {
        senmet_seq::fasta::open(p).with_context(|| format!("cannot open {}", p.display()))
    };
    let ranked = shift::read_ranked(open(&args.ranked)?, &args.ranked, args.by.as_deref())?;
    let min_site = match args.min_site {
        Site::Six => MinSite::Six,
        Site::Seven => MinSite::Seven,
        Site::Eight => MinSite::Eight,
    };
    let genes = args
        .genes
        .clone()
        .unwrap_or_else(|| args.out.join("genes.tsv"));
    let targets = shift::read_targets(open(&genes)?, &genes, min_site)?;
    let shifts = shift::test_all(&ranked, &targets);
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut tsv = Output::create(&args.out, "shift.tsv", "")?;
    report::write_tsv(&mut tsv.writer, &shifts)?;
    tsv.commit()?;
    let mut html = Output::create(&args.out, "report.html", "")?;
    report::write_html(
        &mut html.writer,
        &args.ranked.display().to_string(),
        &shifts,
        args.plots,
    )?;
    html.commit()?;
    let significant = shifts.iter().filter(|s| s.ranksum_q < 0.05).count();
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "senmet: {} ranked genes, {} families tested, {significant} with rank-sum q < 0.05; wrote {}",
        ranked.len(),
        shifts.len(),
        args.out.join("{shift.tsv,report.html}").display()
    )?;
    Ok(ExitCode::SUCCESS)
}
