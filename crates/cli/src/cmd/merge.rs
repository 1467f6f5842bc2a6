//! `senmet merge`: combines the shard folders of one `senmet cohort`,
//! `senmet sensitivity` or `senmet power` run.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::shards;

/// Combine the shard folders of one `--shard i/N` run (cohort, sensitivity or power) into the tables and report of the whole run.
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
    let manifest = shards::check(&args.dirs)?;
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
    let written = match manifest.command.as_str() {
        "cohort" => {
            super::cohort::merge(&args.dirs, &args.out, &manifest)?;
            "patients, by_age, survival, cox as .tsv and .parquet; report.html"
        }
        "sensitivity" => {
            super::sensitivity::merge(&args.dirs, &args.out, &manifest)?;
            "sensitivity, points as .tsv and .parquet; report.html"
        }
        "power" => {
            super::power::merge(&args.dirs, &args.out, &manifest)?;
            "power as .tsv and .parquet; report.html"
        }
        other => bail!(
            "{}: unknown command `{other}` in the manifest",
            args.dirs[0].display()
        ),
    };
    println!(
        "merged {} shards of a {} run ({} items) into {}/ ({written})",
        manifest.shards,
        manifest.command,
        manifest.items,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
