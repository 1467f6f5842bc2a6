//! `senmet sbml-suite`: run SBML Test Suite cases with the suite's pass rule.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use rayon::prelude::*;
use senmet_core::Seed;
use senmet_sbml::suite::stochastic::{run_stochastic_with, Method};
use senmet_sbml::suite::{discover, run::run_semantic, run::Verdict};

use crate::cmd::simulate::{SsaAlgorithm, Switch, TauUpdate};
use crate::output::write_atomically;

/// Run SBML Test Suite semantic cases and compare with their expected results.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Case folders (`…/00001`) or folders of case folders (`…/semantic`).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
    /// Also write one row per case (`case`, `verdict`, `reason`) to this TSV.
    #[arg(long)]
    tsv: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Run stochastic (DSMTS) cases with the exact SSA and the Z/Y rule.
    #[arg(long)]
    stochastic: bool,
    /// Trajectories per stochastic case (the suite asks for at least 10,000).
    #[arg(long, default_value_t = 10_000, requires = "stochastic")]
    runs: usize,
    /// Master seed of the stochastic ensembles.
    #[arg(long, default_value_t = 1, requires = "stochastic")]
    seed: u64,
    /// Stochastic method: `ssa` (exact) or `tau` (tau-leaping, approximate).
    #[arg(long, value_enum, default_value_t = StochasticMethod::Ssa, requires = "stochastic")]
    method: StochasticMethod,
    /// With `--method ssa`: the exact algorithm.
    #[arg(long, value_enum, default_value_t = SsaAlgorithm::Direct, requires = "stochastic")]
    ssa_algorithm: SsaAlgorithm,
    /// With `--method tau`: largest relative change of a propensity in one leap.
    #[arg(
        long,
        value_name = "E",
        default_value_t = 0.03,
        requires = "stochastic"
    )]
    epsilon: f64,
    /// With `--method tau`: largest fraction by which a species' consumption
    /// may relax in one leap; "inf" turns the bound off [default: the value
    /// of --epsilon].
    #[arg(long, value_name = "R", requires = "stochastic")]
    relaxation: Option<f64>,
    /// With `--method tau`: which propensities give a leap's Poisson means.
    #[arg(long, value_enum, default_value_t = TauUpdate::Midpoint, requires = "stochastic")]
    tau_update: TauUpdate,
    /// With `--method tau`: draw first-order removals exactly (see `simulate`).
    #[arg(long, value_enum, value_name = "on|off", default_value_t = Switch::On, requires = "stochastic")]
    exact_decay: Switch,
}

/// Stochastic methods the suite can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StochasticMethod {
    /// Exact SSA.
    Ssa,
    /// Adaptive tau-leaping.
    Tau,
}

/// A bar over cases on standard error (hidden when it is not a terminal).
fn progress_bar(cases: usize) -> anyhow::Result<indicatif::ProgressBar> {
    let bar = indicatif::ProgressBar::new(cases as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} cases, {eta} left {msg}")
            .context("progress bar template")?,
    );
    Ok(bar)
}

/// Runs the cases; exit code 1 if any case failed.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let cases = discover(&args.dirs).context("cannot find the suite's cases")?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .context("cannot start worker threads")?;
    let bar = progress_bar(cases.len())?;
    let verdicts: Vec<Verdict> = if args.stochastic {
        // Each case runs its ensemble in parallel; cases go one after another.
        let seed = Seed::new(args.seed);
        let method = match args.method {
            StochasticMethod::Ssa => match args.ssa_algorithm {
                SsaAlgorithm::Direct => Method::Ssa,
                SsaAlgorithm::NextReaction => Method::NextReaction,
            },
            StochasticMethod::Tau => Method::Tau {
                epsilon: args.epsilon,
                relaxation: args.relaxation,
                update: args.tau_update.update(),
                exact_decay: args.exact_decay.on(),
            },
        };
        pool.install(|| {
            cases
                .iter()
                .map(|c| {
                    bar.set_message(format!("case {}, {} runs", c.id, args.runs));
                    let verdict = run_stochastic_with(c, args.runs, seed, method);
                    bar.inc(1);
                    verdict
                })
                .collect()
        })
    } else {
        pool.install(|| {
            cases
                .par_iter()
                .map(|c| {
                    let verdict = run_semantic(c);
                    bar.inc(1);
                    verdict
                })
                .collect()
        })
    };
    bar.finish_and_clear();
    let mut out = std::io::stdout().lock();
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    let mut tsv = String::from("case\tverdict\treason\n");
    for (case, verdict) in cases.iter().zip(&verdicts) {
        writeln!(out, "{} {verdict}", case.id)?;
        let (word, reason) = match verdict {
            Verdict::Pass => {
                passed += 1;
                ("pass", "")
            }
            Verdict::Fail(why) => {
                failed += 1;
                ("fail", why.as_str())
            }
            Verdict::Skip(why) => {
                skipped += 1;
                ("skip", why.as_str())
            }
        };
        tsv.push_str(&format!(
            "{}\t{word}\t{}\n",
            case.id,
            reason.replace(['\t', '\n'], " ")
        ));
    }
    writeln!(out, "{passed} passed, {failed} failed, {skipped} skipped")?;
    if let Some(path) = &args.tsv {
        write_atomically(path, tsv.as_bytes())?;
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
