//! `senmet sensitivity`: which uncertain parameter matters most for the aged/young metastasis ratio.
//!
//! Design points come from `senmet_stats::sensitivity` (Sobol' indices with
//! Saltelli sampling, or Morris screening); each point is evaluated with the
//! deterministic expected macro-metastasis count of the model's arms
//! (`senmet_model::sensitivity`), in parallel and in a fixed order.

mod report;

use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use senmet_model::params::Tables;
use senmet_model::sensitivity::{Evaluation, Problem, Target};
use senmet_stats::sensitivity::{MorrisDesign, SaltelliDesign};

use super::run::{load_scenario, tables::num};

/// Bootstrap resamples for the Sobol' confidence intervals.
const BOOTSTRAP: usize = 1000;
/// Grid levels of the Morris design.
const LEVELS: usize = 4;

/// The sensitivity method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// Sobol' first- and total-order indices (Saltelli sampling, bootstrap CIs).
    Sobol,
    /// Morris elementary effects (μ, μ*, σ).
    Morris,
}

/// Global sensitivity of a model readout over the parameter priors.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file (TOML); without it, the embedded default experiment.
    scenario: Option<PathBuf>,
    /// Sobol' indices or Morris screening.
    #[arg(long, value_enum, default_value_t = Method::Sobol)]
    method: Method,
    /// Sobol' base sample size (points: n · (factors + 2)); a power of two.
    #[arg(long, default_value_t = 256)]
    n: usize,
    /// Morris trajectories (points: trajectories · (factors + 1)).
    #[arg(long, default_value_t = 20)]
    trajectories: usize,
    /// Cancer type.
    #[arg(long, default_value = "lung")]
    cancer_type: String,
    /// Readout: aged_young_ratio, aged_metastases or young_metastases (expected macro-metastases).
    #[arg(long, default_value = "aged_young_ratio")]
    readout: String,
    /// The aged arm of the scenario.
    #[arg(long, default_value = "aged_vehicle")]
    aged_arm: String,
    /// The young arm of the scenario.
    #[arg(long, default_value = "young_vehicle")]
    young_arm: String,
    /// Seed of the design (default: the scenario's seed).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Output folder (written atomically).
    #[arg(long, default_value = "senmet-sensitivity")]
    out: PathBuf,
    /// Replace the output folder if it exists.
    #[arg(long)]
    force: bool,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

/// Indices per factor, ranked (most influential first).
pub struct Ranked {
    /// TSV header.
    pub header: &'static str,
    /// Per factor: name, the measure ranked by, its error half-width, and the TSV cells.
    pub rows: Vec<(String, f64, f64, Vec<f64>)>,
}

/// Evaluates the design, writes sensitivity.tsv, points.tsv and report.html.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if args.out.exists() && !args.force {
        anyhow::bail!("{} exists; use --force to replace it", args.out.display());
    }
    let target = parse_target(&args.readout)?;
    let tables = Tables::builtin()?;
    let (exp, source) = load_scenario(args.scenario.as_deref(), &tables)?;
    let seed = args.seed.unwrap_or(exp.seed);
    let problem = Problem::new(
        &exp,
        &tables,
        &args.cancer_type,
        &args.aged_arm,
        &args.young_arm,
    )?;
    let (points, analyse) = design(&problem, args, seed)?;
    eprintln!(
        "senmet sensitivity: {} of {} ({}), {} factors, {} design points × 2 arms, seed {seed} ({source})",
        args.method.name(),
        target.name(),
        args.cancer_type,
        problem.factors().len(),
        points.len()
    );
    let start = Instant::now();
    let evals = evaluate(&problem, &points, args.threads)?;
    let elapsed = start.elapsed();
    let outputs: Vec<f64> = evals.iter().map(|e| e.value(target)).collect();
    let ranked = analyse(&outputs)?;
    let scaled = evals.iter().filter(|e| e.shares_scaled).count();
    let info = report::Info {
        method: args.method.name(),
        target: target.name(),
        cancer_type: &args.cancer_type,
        arms: (&args.aged_arm, &args.young_arm),
        seed,
        points: points.len(),
        scaled,
        seconds: elapsed.as_secs_f64(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let files = [
        ("sensitivity.tsv", table(&ranked)),
        (
            "points.tsv",
            points_table(&problem, &points, &evals, target),
        ),
        ("report.html", report::render(&info, &problem, &ranked)?),
    ];
    crate::output::write_folder(&args.out, &files)?;
    println!(
        "{} design points × 2 arms evaluated in {:.1} s ({:.2} ms per arm evaluation, {scaled} with EV shares scaled to 1); wrote {}/ (sensitivity.tsv, points.tsv, report.html)",
        points.len(),
        info.seconds,
        1e3 * info.seconds / (2 * points.len()) as f64,
        args.out.display()
    );
    for (name, value, _, _) in ranked.rows.iter().take(5) {
        println!("  {name}\t{}", num(*value));
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_target(name: &str) -> anyhow::Result<Target> {
    Target::parse(name).with_context(|| {
        let known: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
        format!("--readout {name}: expected one of {}", known.join(", "))
    })
}

/// Turns outputs (one per design point) into ranked indices.
type Analyse = Box<dyn Fn(&[f64]) -> anyhow::Result<Ranked>>;

/// The design points of the chosen method and how to analyse their outputs.
fn design(problem: &Problem, args: &Args, seed: u64) -> anyhow::Result<(Vec<Vec<f64>>, Analyse)> {
    Ok(match args.method {
        Method::Sobol => {
            let d = SaltelliDesign::new(problem.factors(), args.n, seed)?;
            (d.points().to_vec(), Box::new(move |y| sobol(&d, y)))
        }
        Method::Morris => {
            let d = MorrisDesign::new(problem.factors(), args.trajectories, LEVELS, seed)?;
            (d.points().to_vec(), Box::new(move |y| morris(&d, y)))
        }
    })
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Sobol => "sobol",
            Method::Morris => "morris",
        }
    }
}

/// Evaluates every point in parallel (results in point order), with a progress bar.
fn evaluate(
    problem: &Problem,
    points: &[Vec<f64>],
    threads: usize,
) -> anyhow::Result<Vec<Evaluation>> {
    let bar = ProgressBar::new(points.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} design points {elapsed} (eta {eta})")
            .context("progress bar template")?,
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")?;
    let evals = pool.install(|| {
        points
            .par_iter()
            .enumerate()
            .map(|(i, x)| {
                let e = problem
                    .evaluate(x)
                    .with_context(|| format!("design point {} (row {} of points.tsv)", i, i + 1));
                bar.inc(1);
                e
            })
            .collect::<anyhow::Result<Vec<_>>>()
    })?;
    bar.finish_and_clear();
    Ok(evals)
}

fn sobol(d: &SaltelliDesign, y: &[f64]) -> anyhow::Result<Ranked> {
    let s = d.analyse(y, BOOTSTRAP)?;
    let mut rows: Vec<(String, f64, f64, Vec<f64>)> = (0..s.names.len())
        .map(|i| {
            let cells = vec![
                s.first[i],
                s.first_ci[i].0,
                s.first_ci[i].1,
                s.total[i],
                s.total_ci[i].0,
                s.total_ci[i].1,
            ];
            let half = (s.total_ci[i].1 - s.total_ci[i].0) / 2.0;
            (s.names[i].clone(), s.total[i], half, cells)
        })
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(Ranked {
        header: "factor\tfirst\tfirst_lower\tfirst_upper\ttotal\ttotal_lower\ttotal_upper",
        rows,
    })
}

fn morris(d: &MorrisDesign, y: &[f64]) -> anyhow::Result<Ranked> {
    let m = d.analyse(y)?;
    let mut rows: Vec<(String, f64, f64, Vec<f64>)> = (0..m.names.len())
        .map(|i| {
            let cells = vec![m.mu[i], m.mu_star[i], m.sigma[i]];
            (m.names[i].clone(), m.mu_star[i], f64::NAN, cells)
        })
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(Ranked {
        header: "factor\tmu\tmu_star\tsigma",
        rows,
    })
}

/// `sensitivity.tsv`.
fn table(r: &Ranked) -> String {
    let mut s = format!("{}\n", r.header);
    for (name, _, _, cells) in &r.rows {
        let cells: Vec<String> = cells.iter().map(|x| num(*x)).collect();
        let _ = writeln!(s, "{name}\t{}", cells.join("\t"));
    }
    s
}

/// `points.tsv`: every design point with both arms' expectations and the output.
fn points_table(p: &Problem, points: &[Vec<f64>], evals: &[Evaluation], target: Target) -> String {
    let names: Vec<&str> = p.factors().iter().map(|f| f.name.as_str()).collect();
    let mut s = format!(
        "{}\taged_expected\tyoung_expected\tev_shares_scaled\t{}\n",
        names.join("\t"),
        target.name()
    );
    for (x, e) in points.iter().zip(evals) {
        let cells: Vec<String> = x.iter().map(|v| num(*v)).collect();
        let _ = writeln!(
            s,
            "{}\t{}\t{}\t{}\t{}",
            cells.join("\t"),
            num(e.aged),
            num(e.young),
            e.shares_scaled,
            num(e.value(target))
        );
    }
    s
}
