//! `senmet run`: the built-in default experiment.
//!
//! The study's model (senescent liver → EVs → miRNA → PTEN/LATS2 → EMT →
//! metastasis) is not built yet; until it is, `senmet run` simulates the
//! embedded branching metastatic-cascade model and says so.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use senmet_engine::{Ode, System};

/// The embedded example model (see `crates/cli/data/README.md`).
const EXAMPLE: &str = include_str!("../../data/metastasis_branching.xml");

/// Run the built-in default experiment and write its outputs to a folder.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output folder (written atomically: a temporary folder renamed at the end).
    #[arg(long, default_value = "senmet-out")]
    out: PathBuf,
    /// Replace the output folder if it exists.
    #[arg(long)]
    force: bool,
}

/// Runs the example and writes `trajectory.tsv` and `model.xml`.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    eprintln!(
        "senmet: the study's model is not built yet; running the embedded example instead: \
         the branching metastatic cascade (tumour T → circulating cells C → metastases M), \
         deterministic, 60 days"
    );
    if args.out.exists() && !args.force {
        anyhow::bail!("{} exists; use --force to replace it", args.out.display());
    }
    let net = senmet_sbml::read_str(EXAMPLE, Path::new("metastasis_branching.xml"))?;
    let system = System::new(&net)?;
    let ids = ["T", "C", "M"];
    let observables = ids
        .iter()
        .map(|id| {
            system
                .observable(id, true)
                .context("species of the example")
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let times: Vec<f64> = (0..=120).map(|i| f64::from(i) * 0.5).collect();
    let rows = Ode::builder(&system)
        .rtol(1e-8)
        .atol(1e-10)
        .build()?
        .run(&times, &observables)?;
    let mut tsv = String::from("time_days\tT\tC\tM\n");
    for (t, row) in times.iter().zip(&rows) {
        let cells: Vec<String> = row.iter().map(f64::to_string).collect();
        tsv.push_str(&format!("{t}\t{}\n", cells.join("\t")));
    }
    let files = [
        ("trajectory.tsv", tsv),
        ("model.xml", senmet_sbml::to_string(&net)),
    ];
    write_folder(&args.out, &files)?;
    let last = rows.last().context("no output rows")?;
    println!(
        "day 60: T = {:.0}, C = {:.1}, M = {:.1}; wrote {}/trajectory.tsv and model.xml",
        last[0],
        last[1],
        last[2],
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes files into a temporary sibling folder, then renames it into place.
fn write_folder(out: &Path, files: &[(&str, String)]) -> anyhow::Result<()> {
    let name = out
        .file_name()
        .context("output folder has no name")?
        .to_string_lossy()
        .into_owned();
    let tmp = out.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    for (file, text) in files {
        let path = tmp.join(file);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    if out.exists() {
        std::fs::remove_dir_all(out)
            .with_context(|| format!("cannot replace {}", out.display()))?;
    }
    std::fs::rename(&tmp, out)
        .with_context(|| format!("cannot move {} to {}", tmp.display(), out.display()))?;
    Ok(())
}
