//! `senmet targets`: seed sites of miRNAs over 3'UTRs, scored and aggregated per
//! gene and family; `senmet targets shift` tests the families' targets in a ranked list.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use senmet_seq::target::{Analysis, GENES_HEADER, SITES_HEADER};
use senmet_seq::{family, fasta, mirna, site, utr};

mod shift;

/// Flags of `senmet targets`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    /// Mature miRNAs, FASTA or FASTA.gz (miRBase `mature.fa` style; U or T, any case).
    #[arg(long, value_name = "MATURE.fa[.gz]", required = true)]
    mirnas: Option<PathBuf>,
    /// 3'UTRs: FASTA[.gz], or a TargetScan UTR table (gene, species, aligned sequence).
    #[arg(long, value_name = "UTRS.fa[.gz]", required = true)]
    utrs: Option<PathBuf>,
    /// TargetScan `miR_Family_Info.txt` (or `family<TAB>seed<TAB>species`) to name seed families;
    /// without it a family is named by its seed (nt 2-8).
    #[arg(long, value_name = "miR_Family_Info.txt")]
    families: Option<PathBuf>,
    /// Keep only miRNAs whose ID starts with `SPECIES-` (e.g. `hsa`), and UTR-table rows of its taxon.
    #[arg(long, value_name = "CODE")]
    species: Option<String>,
    /// Output directory for sites.tsv and genes.tsv.
    #[arg(long, value_name = "DIR", default_value = "senmet-out")]
    out: PathBuf,
    /// Worker threads (0: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Also report the non-canonical 6mer-A1 site type.
    #[arg(long)]
    non_canonical: bool,
    /// Do not report offset-6mer sites.
    #[arg(long)]
    no_offset_6mer: bool,
    #[command(subcommand)]
    command: Option<Sub>,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Do a family's targets sit lower or higher in a ranked gene list? Rank-sum and KS tests.
    Shift(shift::Args),
}

/// Runs `senmet targets`.
///
/// # Errors
///
/// Unreadable or malformed input, or an output that cannot be written.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if let Some(Sub::Shift(shift)) = &args.command {
        return shift::run(shift);
    }
    let (Some(mirnas), Some(utrs)) = (&args.mirnas, &args.utrs) else {
        bail!("--mirnas and --utrs are required");
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .context("cannot start worker threads")?;
    let analysis = load_analysis(args, mirnas)?;
    let taxon = args.species.as_deref().and_then(|code| {
        let taxon = utr::taxon_of(code);
        if taxon.is_none() {
            eprintln!("senmet: warning: no NCBI taxon known for '{code}'; UTR table rows are not filtered by species");
        }
        taxon.map(str::to_owned)
    });
    let mut reader = utr::Reader::from_path(utrs)?.with_species(taxon);
    fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut sites = Output::create(&args.out, "sites.tsv", SITES_HEADER)?;
    let mut genes = Output::create(&args.out, "genes.tsv", GENES_HEADER)?;
    let (n_utrs, n_sites) = scan_all(&analysis, &mut reader, &pool, &mut sites, &mut genes)?;
    sites.commit()?;
    genes.commit()?;
    eprintln!(
        "senmet: {} miRNAs in {} families x {n_utrs} UTRs: {n_sites} sites; wrote {}",
        analysis.mirnas().len(),
        analysis.families().len(),
        args.out.join("{sites,genes}.tsv").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Scans every UTR of `reader`, writing rows to `sites` and `genes`; returns the
/// numbers of UTRs and sites.
fn scan_all(
    analysis: &Analysis,
    reader: &mut utr::Reader<Box<dyn std::io::BufRead + Send>>,
    pool: &rayon::ThreadPool,
    sites: &mut Output,
    genes: &mut Output,
) -> anyhow::Result<(usize, usize)> {
    let progress = progress_bar();
    let (mut n_utrs, mut n_sites) = (0usize, 0usize);
    let mut chunk = Vec::new();
    loop {
        chunk.clear();
        let more = reader.read_chunk(&mut chunk, CHUNK_NT)?;
        for warning in reader.take_warnings() {
            progress.suspend(|| eprintln!("senmet: warning: {warning}"));
        }
        if !more {
            break;
        }
        // Scan, score and format in parallel; write in input order.
        let rendered = pool.install(|| render(analysis, &chunk))?;
        for (u, (site_rows, gene_rows, n)) in chunk.iter().zip(&rendered) {
            sites.write(site_rows)?;
            genes.write(gene_rows)?;
            n_sites += n;
            progress.inc(u.sequence.len() as u64);
        }
        n_utrs += chunk.len();
        progress.set_message(format!("{n_utrs} UTRs, {n_sites} sites"));
    }
    progress.finish_and_clear();
    Ok((n_utrs, n_sites))
}

/// Nucleotides of UTR per parallel chunk: with ~5,000 miRNAs a chunk yields ~1M
/// site rows, so memory stays bounded whatever the number of UTRs.
const CHUNK_NT: usize = 1 << 18;

type Rendered = (Vec<u8>, Vec<u8>, usize);

fn render(analysis: &Analysis, chunk: &[utr::Utr]) -> std::io::Result<Vec<Rendered>> {
    chunk
        .par_iter()
        .map(|u| {
            let r = analysis.utr(u);
            let mut site_rows = Vec::with_capacity(r.sites.len() * 96);
            let mut gene_rows = Vec::with_capacity(r.genes.len() * 64);
            analysis.write_sites(&mut site_rows, u, &r)?;
            analysis.write_genes(&mut gene_rows, u, &r)?;
            Ok((site_rows, gene_rows, r.sites.len()))
        })
        .collect()
}

fn load_analysis(args: &Args, path: &Path) -> anyhow::Result<Analysis> {
    let table = match &args.families {
        Some(p) => Some(family::Table::from_path(p)?),
        None => None,
    };
    let mut reader = fasta::Builder.build_from_path(path)?;
    let mirnas = mirna::read_all(&mut reader, path, args.species.as_deref(), table.as_ref())?;
    if mirnas.is_empty() {
        bail!(
            "{}: no miRNAs{}",
            path.display(),
            args.species
                .as_deref()
                .map(|s| format!(" with IDs starting '{s}-'"))
                .unwrap_or_default()
        );
    }
    let mut builder = site::Builder::new();
    builder
        .non_canonical(args.non_canonical)
        .offset_6mer(!args.no_offset_6mer);
    Ok(Analysis::new(mirnas, &builder)?)
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {bytes} scanned ({binary_bytes_per_sec}) {msg}")
            .expect("static template is valid"),
    );
    bar
}

/// A TSV written to a temporary file in the output directory, renamed into place on commit.
pub(crate) struct Output {
    pub(crate) writer: BufWriter<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl Output {
    /// Starts `dir/name`, writing `header` as its first line unless it is empty.
    pub(crate) fn create(dir: &Path, name: &str, header: &str) -> anyhow::Result<Self> {
        let path = dir.join(name);
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // Readable by others, like a file made by shell redirection (tempfile's default is 0600).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o644));
        }
        let file = builder
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        let mut writer = BufWriter::with_capacity(1 << 20, file);
        if !header.is_empty() {
            writeln!(writer, "{header}")
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(Self { writer, path })
    }

    /// Appends `bytes`.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.writer
            .write_all(bytes)
            .with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// Flushes and renames the file into place.
    pub(crate) fn commit(self) -> anyhow::Result<()> {
        let path = self.path;
        let file = self
            .writer
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {}", path.display()))?;
        file.persist(&path)
            .with_context(|| format!("cannot rename into {}", path.display()))?;
        Ok(())
    }
}
