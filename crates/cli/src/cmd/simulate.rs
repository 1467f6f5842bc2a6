//! `senmet simulate`: simulate an SBML model and write a time-course TSV.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use senmet_engine::{Ode, System};

use crate::output::write_atomically;

mod scan;

/// Simulation methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// Deterministic: stiff BDF integration with events.
    Ode,
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
    let rows = match args.method {
        Method::Ode => Ode::builder(&system)
            .rtol(args.rtol)
            .atol(args.atol)
            .build()?
            .run(&times, &observables)
            .with_context(|| format!("simulating {}", args.model.display()))?,
    };
    let mut tsv = String::from("time");
    for id in &ids {
        tsv.push('\t');
        tsv.push_str(id);
    }
    tsv.push('\n');
    for (t, row) in times.iter().zip(&rows) {
        tsv.push_str(&t.to_string());
        for v in row {
            tsv.push('\t');
            tsv.push_str(&v.to_string());
        }
        tsv.push('\n');
    }
    match &args.out {
        Some(path) => write_atomically(path, tsv.as_bytes())?,
        None => std::io::stdout().lock().write_all(tsv.as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}
