//! `senmet run`: a virtual experiment of the study's model, with tables, the model as SBML and an offline report.
//!
//! Without a scenario file it runs the embedded default: young vs aged
//! tumour-bearing mice of five cancer types, and aged mice treated with D+Q,
//! a P2RX7 inhibitor or antagomirs.

mod report;
pub mod tables;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use senmet_model::experiment::{self, Experiment};
use senmet_model::params::Tables;
use senmet_model::{scenario, summary};

/// Run a virtual experiment (default: the study's young vs aged mice and interventions).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file (TOML); without it, the embedded default experiment.
    scenario: Option<PathBuf>,
    /// Output folder (written atomically: a temporary folder renamed at the end).
    #[arg(long, default_value = "senmet-out")]
    out: PathBuf,
    /// Subjects per arm (overrides the scenario's `n`).
    #[arg(long, value_name = "N")]
    runs: Option<usize>,
    /// Master seed (overrides the scenario's `seed`).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Override a parameter for every subject, e.g. `--set ev_senescence_fold=20` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Each subject draws every uncertain parameter (not `--set`) from its prior
    /// (`senmet params` lists them; the scenario's `prior = true` does the same).
    #[arg(long)]
    prior: bool,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Replace the output folder if it exists.
    #[arg(long)]
    force: bool,
}

/// Runs the experiment and writes summary, comparisons, subjects, params, model.xml and report.html.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if args.out.exists() && !args.force {
        anyhow::bail!("{} exists; use --force to replace it", args.out.display());
    }
    let tables = Tables::builtin()?;
    let (mut exp, source) = load_scenario(args.scenario.as_deref(), &tables)?;
    apply_flags(&mut exp, args)?;
    let total = exp.cancer_types.len() * exp.arms.len() * exp.n;
    eprintln!(
        "senmet run: {} — {} cancer type(s) × {} arm(s) × {} subjects, seed {} ({source})",
        exp.name,
        exp.cancer_types.len(),
        exp.arms.len(),
        exp.n,
        exp.seed
    );
    let bar = ProgressBar::new(total as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} subjects {elapsed} (eta {eta})")
            .context("progress bar template")?,
    );
    let start = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .context("cannot start worker threads")?;
    let outcome = pool.install(|| experiment::run(&exp, &tables, &|| bar.inc(1)))?;
    bar.finish_and_clear();
    let elapsed = start.elapsed();
    let summary = summary::summarize(&exp, &outcome);
    let comparisons = summary::compare(&exp, &outcome)?;
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let html = report::render(&exp, &outcome, &summary, &comparisons, &command)?;
    let mut files = vec![
        ("summary.tsv", tables::summary(&summary)),
        ("comparisons.tsv", tables::comparisons(&comparisons)),
        ("subjects.tsv", tables::subjects(&exp, &outcome)),
        ("params.tsv", tables::params(&outcome)),
        ("courses.tsv", tables::courses(&exp, &outcome)),
        ("model.xml", senmet_sbml::to_string(&outcome.example)),
        ("scenario.toml", scenario_text(args.scenario.as_deref())?),
        ("report.html", html),
    ];
    if exp.prior {
        files.push(("prior_draws.tsv", tables::prior_draws(&exp, &outcome)));
    }
    crate::output::write_folder(&args.out, &files)?;
    println!(
        "{total} subjects simulated in {:.1} s; wrote {}/ (summary.tsv, comparisons.tsv, subjects.tsv, courses.tsv, params.tsv, model.xml, scenario.toml, report.html)",
        elapsed.as_secs_f64(),
        args.out.display()
    );
    for line in report::headlines(&exp, &comparisons) {
        println!("  {line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Applies `--runs`, `--seed` and `--set` to the scenario.
fn apply_flags(exp: &mut Experiment, args: &Args) -> anyhow::Result<()> {
    if let Some(n) = args.runs {
        anyhow::ensure!(n > 0, "--runs: expected at least 1 subject per arm");
        exp.n = n;
    }
    if let Some(seed) = args.seed {
        exp.seed = seed;
    }
    for s in &args.set {
        exp.overrides.push(parse_set(s)?);
    }
    exp.prior |= args.prior;
    Ok(())
}

/// One `--set NAME=VALUE` flag.
pub fn parse_set(s: &str) -> anyhow::Result<(String, f64)> {
    let (name, value) = s
        .split_once('=')
        .with_context(|| format!("--set {s}: expected NAME=VALUE"))?;
    let value: f64 = value
        .trim()
        .parse()
        .with_context(|| format!("--set {s}: `{value}` is not a number"))?;
    Ok((name.trim().to_string(), value))
}

/// The scenario's TOML text: the file's, or the embedded default's.
pub fn scenario_text(path: Option<&Path>) -> anyhow::Result<String> {
    match path {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read scenario {}", path.display())),
        None => Ok(scenario::DEFAULT.to_string()),
    }
}

/// The scenario at `path`, or the embedded default, with a description of where it came from.
pub fn load_scenario(path: Option<&Path>, tables: &Tables) -> anyhow::Result<(Experiment, String)> {
    Ok(match path {
        Some(path) => (scenario::read(path, tables)?, path.display().to_string()),
        None => (
            scenario::parse(scenario::DEFAULT, Path::new("<default scenario>"), tables)?,
            "the embedded default scenario".to_string(),
        ),
    })
}
