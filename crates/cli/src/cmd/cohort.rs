//! `senmet cohort`: virtual patients by age, metastasis at diagnosis and over follow-up.
//!
//! Patients are simulated in chunks (`--chunk`, default 1,024); each chunk is written to
//! `<out>/chunks/` atomically as soon as it is done, so a killed run resumes
//! where it stopped (`manifest.tsv` holds the settings and their hash; a
//! resumed run with other settings is refused). `--shard i/N` runs chunks
//! `c` with `c mod N = i` and writes only the chunks; `senmet merge` then
//! writes the tables and report. An unsharded run does both.

pub mod analysis;
pub mod store;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use senmet_model::cohort::{Choice, Cohort, Patient};
use senmet_model::params::Tables;

use store::Settings;

use crate::shards;

/// Simulate virtual patients: metastasis at diagnosis and over follow-up, by age and cancer type.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of patients.
    #[arg(long, default_value_t = 1000)]
    patients: u64,
    /// Cancer types with human parameters, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "breast")]
    cancer_type: Vec<String>,
    /// Ages at diagnosis, uniform in `LOW-HIGH` years.
    #[arg(long, default_value = "40-90", conflicts_with = "age_table")]
    ages: String,
    /// TSV of `age_band` (`LOW-HIGH`) and `weight`: ages uniform within a band, bands by weight.
    #[arg(long, value_name = "FILE")]
    age_table: Option<PathBuf>,
    /// Override a parameter for every patient (human values), e.g.
    /// `--set colony_probability=1e-9` (repeatable; part of the run's settings).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Each patient draws every uncertain parameter not `--set` from its prior (redrawn,
    /// up to 100 times, while the primary never reaches diagnosis size).
    #[arg(long)]
    prior: bool,
    /// Follow-up after diagnosis (years).
    #[arg(long, default_value_t = 10.0)]
    years: f64,
    /// Master seed (drawn and printed if not given).
    #[arg(long)]
    seed: Option<u64>,
    /// Run only shard `i` of `N` (0-based); combine the shards with `senmet merge`.
    #[arg(long, value_name = "i/N")]
    shard: Option<String>,
    /// Output folder (resumed if it holds an unfinished run with the same settings).
    #[arg(long, default_value = "senmet-cohort")]
    out: PathBuf,
    /// Replace the output folder if it holds another run.
    #[arg(long)]
    force: bool,
    /// Patients per chunk file (part of the settings: shards of one run share it).
    #[arg(long, default_value_t = 1024)]
    chunk: u64,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

/// Runs the cohort (or one shard of it).
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let (settings, manifest) = manifest(args)?;
    let (shard, shards) = (manifest.shard, manifest.shards);
    let seed = settings.seed;
    let tables = Tables::builtin()?;
    let choice = Choice {
        overrides: settings.overrides.clone(),
        prior: settings.prior,
    };
    let cohort = Cohort::new(
        &tables,
        &settings.cancer_types,
        settings.ages.clone(),
        settings.years,
        seed,
        &choice,
    )?;
    shards::prepare(&args.out, &manifest, args.force)?;
    let todo = manifest.todo(&args.out);
    eprintln!(
        "senmet cohort: {} patients ({}), seed {seed}, shard {shard}/{shards}: {} of {} chunks to do",
        args.patients,
        args.cancer_type.join(", "),
        todo.len(),
        manifest.chunks().len()
    );
    let start = Instant::now();
    let done = simulate(args, &manifest, &cohort, &todo)?;
    let elapsed = start.elapsed().as_secs_f64();
    eprintln!(
        "{done} patients simulated in {elapsed:.1} s ({:.3} ms per patient)",
        if done > 0 {
            elapsed * 1e3 / done as f64
        } else {
            0.0
        }
    );
    if shards::shard_done(&manifest, &args.out) {
        return Ok(ExitCode::SUCCESS);
    }
    merge(std::slice::from_ref(&args.out), &args.out, &manifest)?;
    println!(
        "wrote {}/ (patients, by_age, survival, cox as .tsv and .parquet; report.html)",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes the tables and report of the run of `manifest` from the chunks in `dirs`.
pub fn merge(dirs: &[PathBuf], out: &Path, manifest: &shards::Manifest) -> anyhow::Result<()> {
    let types: Vec<String> = manifest
        .get("cancer_types")?
        .split(',')
        .map(String::from)
        .collect();
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    analysis::finish(dirs, out, manifest, &types, &command)
}

/// Checks the flags and collects the run's settings and its manifest.
fn manifest(args: &Args) -> anyhow::Result<(Settings, shards::Manifest)> {
    let ages = match &args.age_table {
        Some(path) => store::read_age_table(path)?,
        None => store::parse_range(&args.ages).context("--ages")?,
    };
    let (shard, shards) = shards::parse_shard(args.shard.as_deref())?;
    anyhow::ensure!(args.patients > 0, "--patients: expected at least 1 patient");
    anyhow::ensure!(
        args.chunk > 0,
        "--chunk: expected at least 1 patient per chunk"
    );
    let settings = Settings {
        patients: args.patients,
        cancer_types: args.cancer_type.clone(),
        ages,
        years: args.years,
        seed: args.seed.unwrap_or_else(rand::random),
        chunk: args.chunk,
        prior: args.prior,
        overrides: args
            .set
            .iter()
            .map(|s| crate::cmd::run::parse_set(s))
            .collect::<anyhow::Result<_>>()?,
    };
    let manifest = shards::Manifest {
        command: "cohort".into(),
        settings: settings.text(),
        shard,
        shards,
        items: args.patients,
        chunk: args.chunk,
        extra: vec![("cancer_types".into(), args.cancer_type.join(","))],
    };
    Ok((settings, manifest))
}

/// Simulates the chunks `todo`, writing each when done, with a progress bar.
fn simulate(
    args: &Args,
    manifest: &shards::Manifest,
    cohort: &Cohort,
    todo: &[u64],
) -> anyhow::Result<u64> {
    shards::work(
        &args.out,
        manifest,
        todo,
        args.threads,
        "patients",
        |range, bar| {
            let patients: Vec<Patient> = range
                .into_par_iter()
                .map(|k| {
                    let p = cohort.patient(k);
                    bar.inc(1);
                    p
                })
                .collect::<Result<_, _>>()?;
            Ok(store::chunk(&patients, &args.cancer_type))
        },
    )
}
