//! `senmet simulate`: simulate an SBML model and write a time-course TSV.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use senmet_core::Seed;
use senmet_engine::stochastic::{summarize, trajectories, Trajectory};
use senmet_engine::{Hybrid, LeapUpdate, Noise, Observable, Ode, Ssa, SsaMethod, System, Tau};

use crate::output::write_atomically;

mod scan;

/// Simulation methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// Deterministic: stiff BDF integration with events.
    Ode,
    /// Exact stochastic simulation (`--ssa-algorithm`), an ensemble of `--runs`.
    Ssa,
    /// Hybrid: species below `--threshold` (or named by `--discrete`) as
    /// counts with stochastic reactions, the rest by the ODE solver; an
    /// ensemble of `--runs`.
    Hybrid,
    /// Adaptive tau-leaping (Cao, Gillespie & Petzold 2006), an ensemble of `--runs`.
    Tau,
}

/// Exact stochastic algorithms (`--ssa-algorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SsaAlgorithm {
    /// Gillespie's direct method with a dependency graph and a sum tree.
    Direct,
    /// Gibson & Bruck's next reaction method (indexed priority queue of
    /// putative times, random numbers reused).
    NextReaction,
}

impl SsaAlgorithm {
    /// The engine's method.
    pub fn method(self) -> SsaMethod {
        match self {
            SsaAlgorithm::Direct => SsaMethod::SumTree,
            SsaAlgorithm::NextReaction => SsaMethod::NextReaction,
        }
    }
}

/// How the hybrid method's continuous species move (`--noise`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HybridNoise {
    /// Reaction-rate equations by the stiff BDF solver: no fluctuations.
    Deterministic,
    /// Chemical Langevin equation, leapt with step control `--epsilon`:
    /// fluctuations kept.
    Langevin,
}

impl HybridNoise {
    /// The engine's noise.
    pub fn noise(self) -> Noise {
        match self {
            HybridNoise::Deterministic => Noise::Deterministic,
            HybridNoise::Langevin => Noise::Langevin,
        }
    }
}

/// Tau-leaping updates (`--tau-update`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TauUpdate {
    /// Poisson means from the propensities at the leap's start (Cao,
    /// Gillespie & Petzold 2006).
    Explicit,
    /// Poisson means from the propensities at the leap's estimated midpoint
    /// (Gillespie 2001): growth and decay right to second order in the leap.
    Midpoint,
}

impl TauUpdate {
    /// The engine's update.
    pub fn update(self) -> LeapUpdate {
        match self {
            TauUpdate::Explicit => LeapUpdate::Explicit,
            TauUpdate::Midpoint => LeapUpdate::Midpoint,
        }
    }
}

/// A setting turned on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    On,
    Off,
}

impl Switch {
    /// Whether it is on.
    pub fn on(self) -> bool {
        self == Switch::On
    }
}

/// Simulate an SBML model; print or write a TSV with time and every species.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The SBML model (Level 2 V4/V5 or Level 3).
    model: PathBuf,
    /// End time (model time units).
    #[arg(long, value_name = "T")]
    t_end: f64,
    /// Number of output points, evenly spaced from 0 to T inclusive.
    #[arg(long, value_name = "N", default_value_t = 101)]
    points: usize,
    /// Simulation method.
    #[arg(long, value_enum, default_value_t = Method::Ode)]
    method: Method,
    /// Report species as amounts (default: concentrations).
    #[arg(long)]
    amounts: bool,
    /// Relative tolerance of the ODE solver.
    #[arg(long, default_value_t = 1e-6)]
    rtol: f64,
    /// Absolute tolerance of the ODE solver.
    #[arg(long, default_value_t = 1e-12)]
    atol: f64,
    /// With `--method ssa`: the exact algorithm.
    #[arg(long, value_enum, default_value_t = SsaAlgorithm::Direct)]
    ssa_algorithm: SsaAlgorithm,
    /// Stochastic methods: number of trajectories.
    #[arg(long, value_name = "N", default_value_t = 1)]
    runs: usize,
    /// Stochastic methods: master seed (drawn and printed to stderr if not given).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Stochastic methods: write every trajectory (column `run`) instead of means and SDs.
    #[arg(long)]
    trajectories: bool,
    /// Hybrid method: species simulated as counts whatever their initial amount (comma-separated ids).
    #[arg(long, value_name = "ID,ID", value_delimiter = ',')]
    discrete: Vec<String>,
    /// Hybrid method: species integrated continuously whatever their initial amount.
    #[arg(long, value_name = "ID,ID", value_delimiter = ',')]
    continuous: Vec<String>,
    /// Hybrid method: other species are counts when their initial amount is below this.
    #[arg(long, value_name = "X", default_value_t = 100.0)]
    threshold: f64,
    /// Hybrid method: how the continuous species move.
    #[arg(long, value_enum, default_value_t = HybridNoise::Deterministic)]
    noise: HybridNoise,
    /// Tau-leaping and `--method hybrid --noise langevin`: largest relative
    /// change of a propensity in one leap.
    #[arg(long, value_name = "E", default_value_t = 0.03)]
    epsilon: f64,
    /// Tau-leaping (`--method tau` only): largest fraction by which a
    /// species' consumption may relax in one leap (leap × Σ m²·a/x); "inf"
    /// turns the bound off [default: the value of --epsilon].
    #[arg(long, value_name = "R")]
    relaxation: Option<f64>,
    /// Tau-leaping (`--method tau` only; the hybrid's Langevin leaps use
    /// the midpoint): which propensities give a leap's Poisson means.
    #[arg(long, value_enum, default_value_t = TauUpdate::Midpoint)]
    tau_update: TauUpdate,
    /// Tau-leaping and `--method hybrid --noise langevin`: draw exactly the
    /// removals of species removed only by first-order reactions (k·x)
    /// whose count no other rate reads, made one molecule at a time at
    /// rates that do not read time, in models without events (binomial
    /// numbers; such species then do not bound the leap themselves), or
    /// leave them to the leap's Poisson numbers [default: on].
    #[arg(long, value_enum, value_name = "on|off")]
    exact_decay: Option<Switch>,
    /// Write the TSV here instead of standard output.
    #[arg(long, value_name = "FILE.tsv")]
    out: Option<PathBuf>,
    /// Run once per parameter set of this TSV (header: global parameter ids,
    /// one row per set) and write a long TSV `set, time, <species...>`.
    #[arg(long, value_name = "PARAMS.tsv")]
    scan: Option<PathBuf>,
    /// With --scan: write only the last time point of each set.
    #[arg(long, requires = "scan")]
    final_only: bool,
    /// With --scan: worker threads (results do not depend on it).
    #[arg(long, value_name = "N", default_value_t = 1, requires = "scan",
          value_parser = clap::value_parser!(u16).range(1..))]
    threads: u16,
}

/// Runs the simulation.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if args.points < 2 || !(args.t_end.is_finite() && args.t_end > 0.0) {
        anyhow::bail!(
            "--points must be at least 2 and --t-end a positive number (found {} and {})",
            args.points,
            args.t_end
        );
    }
    anyhow::ensure!(
        args.method == Method::Hybrid || (args.discrete.is_empty() && args.continuous.is_empty()),
        "--discrete and --continuous need --method hybrid"
    );
    anyhow::ensure!(
        args.method == Method::Tau || args.relaxation.is_none(),
        "--relaxation needs --method tau"
    );
    let leaps = args.method == Method::Tau
        || (args.method == Method::Hybrid && args.noise == HybridNoise::Langevin);
    anyhow::ensure!(
        leaps || args.exact_decay.is_none(),
        "--exact-decay needs --method tau or --method hybrid --noise langevin"
    );
    let exact_decay = args.exact_decay.is_none_or(Switch::on);
    let net = senmet_sbml::read_path(&args.model)?;
    let system =
        System::new(&net).with_context(|| format!("cannot compile {}", args.model.display()))?;
    let ids: Vec<&str> = net.species.iter().map(|s| s.id.as_str()).collect();
    let observables: Vec<_> = ids
        .iter()
        .map(|id| {
            system
                .observable(id, args.amounts)
                .context("species without a slot")
        })
        .collect::<anyhow::Result<_>>()?;
    let n = args.points - 1;
    let times: Vec<f64> = (0..=n).map(|i| args.t_end * i as f64 / n as f64).collect();
    if let Some(params) = &args.scan {
        anyhow::ensure!(args.method == Method::Ode, "--scan needs --method ode");
        return scan::run(args, params, &system, &ids, &observables, &times)
            .with_context(|| format!("scanning {}", args.model.display()));
    }
    let tsv = match args.method {
        Method::Ode => {
            let rows = Ode::builder(&system)
                .rtol(args.rtol)
                .atol(args.atol)
                .build()?
                .run(&times, &observables)
                .with_context(|| format!("simulating {}", args.model.display()))?;
            table(&ids, &times, &rows)
        }
        Method::Ssa => {
            let ssa = Ssa::builder(&net)
                .method(args.ssa_algorithm.method())
                .build()
                .with_context(|| {
                    format!("cannot simulate {} stochastically", args.model.display())
                })?;
            stochastic(args, &ssa, &ids, &times, &observables)?
        }
        Method::Hybrid => {
            let hybrid = Hybrid::builder(&net)
                .discrete(args.discrete.iter().cloned())
                .continuous(args.continuous.iter().cloned())
                .threshold(args.threshold)
                .noise(args.noise.noise())
                .epsilon(args.epsilon)
                .exact_decay(exact_decay)
                .rtol(args.rtol)
                .atol(args.atol)
                .build()
                .with_context(|| {
                    format!(
                        "cannot simulate {} by the hybrid method",
                        args.model.display()
                    )
                })?;
            stochastic(args, &hybrid, &ids, &times, &observables)?
        }
        Method::Tau => {
            let mut tau = Tau::builder(&net);
            tau.epsilon(args.epsilon).update(args.tau_update.update());
            tau.exact_decay(exact_decay);
            if let Some(r) = args.relaxation {
                tau.relaxation(r);
            }
            let tau = tau
                .build()
                .with_context(|| format!("cannot tau-leap {}", args.model.display()))?;
            stochastic(args, &tau, &ids, &times, &observables)?
        }
    };
    match &args.out {
        Some(path) => write_atomically(path, tsv.as_bytes())?,
        None => std::io::stdout().lock().write_all(tsv.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}

fn table(ids: &[&str], times: &[f64], rows: &[Vec<f64>]) -> String {
    let mut tsv = String::from("time");
    for id in ids {
        tsv.push('\t');
        tsv.push_str(id);
    }
    tsv.push('\n');
    for (t, row) in times.iter().zip(rows) {
        tsv.push_str(&t.to_string());
        for v in row {
            tsv.push('\t');
            tsv.push_str(&v.to_string());
        }
        tsv.push('\n');
    }
    tsv
}

/// Runs an ensemble; the table has `X-mean` and `X-sd` per species, or one
/// row per run and time with `--trajectories`.
fn stochastic(
    args: &Args,
    sim: &dyn Trajectory,
    ids: &[&str],
    times: &[f64],
    observables: &[Observable],
) -> anyhow::Result<String> {
    let seed = Seed::new(args.seed.unwrap_or_else(|| {
        let s = rand::random::<u64>() >> 11;
        eprintln!("senmet: seed {s}");
        s
    }));
    let bar = indicatif::ProgressBar::new(args.runs as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {eta} left")
            .context("progress bar template")?,
    );
    let progress = |n: usize| bar.inc(n as u64);
    let n = observables.len();
    let mut tsv = String::new();
    if args.trajectories {
        let all = trajectories(sim, times, observables, args.runs, seed, &progress)
            .with_context(|| format!("simulating {}", args.model.display()))?;
        tsv.push_str(&format!("run\ttime\t{}\n", ids.join("\t")));
        for (i, out) in all.iter().enumerate() {
            for (r, t) in times.iter().enumerate() {
                let cells: Vec<String> =
                    out[r * n..(r + 1) * n].iter().map(f64::to_string).collect();
                tsv.push_str(&format!("{}\t{t}\t{}\n", i + 1, cells.join("\t")));
            }
        }
    } else {
        let s = summarize(sim, times, observables, args.runs, seed, &progress)
            .with_context(|| format!("simulating {}", args.model.display()))?;
        bar.suspend(|| eprintln!("senmet: {} runs, {} reaction events", s.runs, s.events));
        let head: Vec<String> = ids
            .iter()
            .flat_map(|id| [format!("{id}-mean"), format!("{id}-sd")])
            .collect();
        tsv.push_str(&format!("time\t{}\n", head.join("\t")));
        for (r, t) in times.iter().enumerate() {
            tsv.push_str(&t.to_string());
            for k in 0..n {
                tsv.push_str(&format!("\t{}\t{}", s.mean[r * n + k], s.sd[r * n + k]));
            }
            tsv.push('\n');
        }
    }
    bar.finish_and_clear();
    Ok(tsv)
}
