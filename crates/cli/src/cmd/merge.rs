//! `senmet merge`: combines the shard folders of one `senmet cohort` run.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::cmd::cohort::{analysis, store};

/// Combine shard folders of one `senmet cohort --shard i/N` run into the tables and report of the whole run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Shard folders (all N shards of one run).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// Replace the output folder if it exists.
    #[arg(long)]
    force: bool,
}

/// Checks that the folders are all shards of one run, each once, then writes the outputs.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut seen: BTreeMap<u64, PathBuf> = BTreeMap::new();
    let first = store::read_manifest(&args.dirs[0])?;
    for dir in &args.dirs {
        let m = store::read_manifest(dir)?;
        if m.hash != first.hash {
            bail!(
                "{} and {} are shards of different runs (settings {} vs {}); merge only the shards of one run",
                args.dirs[0].display(),
                dir.display(),
                first.text,
                m.text
            );
        }
        if m.shards != first.shards {
            bail!(
                "{} is shard {}/{} but {} is shard {}/{}: the runs were split differently",
                dir.display(),
                m.shard,
                m.shards,
                args.dirs[0].display(),
                first.shard,
                first.shards
            );
        }
        if let Some(other) = seen.insert(m.shard, dir.clone()) {
            bail!(
                "shard {}/{} is given twice ({} and {})",
                m.shard,
                m.shards,
                other.display(),
                dir.display()
            );
        }
    }
    let missing: Vec<String> = (0..first.shards)
        .filter(|i| !seen.contains_key(i))
        .map(|i| format!("{i}/{}", first.shards))
        .collect();
    if !missing.is_empty() {
        bail!("missing shard(s) {} of this run", missing.join(", "));
    }
    if args.out.exists() {
        let out = args.out.canonicalize().ok();
        if args.dirs.iter().any(|d| d.canonicalize().ok() == out) {
            bail!(
                "--out {} is one of the shard folders; choose another folder",
                args.out.display()
            );
        }
        if !args.force {
            bail!("{} exists; use --force to replace it", args.out.display());
        }
        std::fs::remove_dir_all(&args.out)
            .with_context(|| format!("cannot replace {}", args.out.display()))?;
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    analysis::finish(
        &args.dirs,
        &args.out,
        first.patients,
        first.chunk,
        &first.cancer_types,
        &first.text,
        &command,
    )?;
    println!(
        "merged {} shards of {} patients into {}/ (patients, by_age, survival, cox as .tsv and .parquet; report.html)",
        first.shards,
        first.patients,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
