//! `senmet sensitivity`: which uncertain parameter matters most for the aged/young metastasis ratio.
//!
//! Design points come from `senmet_stats::sensitivity` (Sobol' indices with
//! Saltelli sampling, or Morris screening); each point is evaluated with the
//! deterministic expected macro-metastasis count of the model's arms
//! (`senmet_model::sensitivity`), in parallel and in a fixed order.

mod report;

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use rayon::prelude::*;
use senmet_model::experiment::Experiment;
use senmet_model::params::Tables;
use senmet_model::scenario;
use senmet_model::sensitivity::{Evaluation, Problem, Target};
use senmet_stats::sensitivity::{MorrisDesign, SaltelliDesign};

use super::run::{load_scenario, scenario_text, tables::num};
use crate::output::{parquet, write_atomically};
use crate::shards;

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
    /// Output folder (resumed if it holds an unfinished run with the same settings).
    #[arg(long, default_value = "senmet-sensitivity")]
    out: PathBuf,
    /// Replace the output folder if it holds another run.
    #[arg(long)]
    force: bool,
    /// Run only shard `i` of `N` (0-based); combine the shards with `senmet merge`.
    #[arg(long, value_name = "i/N")]
    shard: Option<String>,
    /// Design points per chunk file (part of the settings: shards of one run share it).
    #[arg(long, default_value_t = 256)]
    chunk: u64,
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

/// What determines a sensitivity run's results, kept in its manifest.
struct Spec {
    method: Method,
    n: usize,
    trajectories: usize,
    cancer_type: String,
    readout: String,
    aged_arm: String,
    young_arm: String,
    seed: u64,
}

impl Spec {
    fn rows(&self) -> Vec<(&'static str, String)> {
        [
            ("method", self.method.name().to_string()),
            ("n", self.n.to_string()),
            ("trajectories", self.trajectories.to_string()),
            ("cancer_type", self.cancer_type.clone()),
            ("readout", self.readout.clone()),
            ("aged_arm", self.aged_arm.clone()),
            ("young_arm", self.young_arm.clone()),
            ("seed", self.seed.to_string()),
        ]
        .into()
    }

    fn problem(&self, exp: &Experiment, tables: &Tables) -> anyhow::Result<Problem> {
        Ok(Problem::new(
            exp,
            tables,
            &self.cancer_type,
            &self.aged_arm,
            &self.young_arm,
        )?)
    }

    fn from_manifest(m: &shards::Manifest) -> anyhow::Result<Self> {
        Ok(Spec {
            method: match m.get("method")? {
                "sobol" => Method::Sobol,
                "morris" => Method::Morris,
                other => bail!("manifest row `method`: expected sobol or morris, found `{other}`"),
            },
            n: m.parse("n")?,
            trajectories: m.parse("trajectories")?,
            cancer_type: m.parse("cancer_type")?,
            readout: m.parse("readout")?,
            aged_arm: m.parse("aged_arm")?,
            young_arm: m.parse("young_arm")?,
            seed: m.parse("seed")?,
        })
    }
}

/// Evaluates the design (or one shard of it) in chunks, then writes
/// sensitivity, points (`.tsv`, `.parquet`) and report.html.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    parse_target(&args.readout)?;
    let tables = Tables::builtin()?;
    let text = scenario_text(args.scenario.as_deref())?;
    let (exp, source) = load_scenario(args.scenario.as_deref(), &tables)?;
    let spec = Spec {
        method: args.method,
        n: args.n,
        trajectories: args.trajectories,
        cancer_type: args.cancer_type.clone(),
        readout: args.readout.clone(),
        aged_arm: args.aged_arm.clone(),
        young_arm: args.young_arm.clone(),
        seed: args.seed.unwrap_or(exp.seed),
    };
    let problem = spec.problem(&exp, &tables)?;
    let (points, _) = design(&problem, &spec)?;
    let manifest = shards::scenario_run(
        "sensitivity",
        spec.rows(),
        (&text, &source),
        args.shard.as_deref(),
        points.len() as u64,
        args.chunk,
    )?;
    let (shard, shards) = (manifest.shard, manifest.shards);
    shards::prepare(&args.out, &manifest, args.force)?;
    write_atomically(&args.out.join("scenario.toml"), text.as_bytes())?;
    let todo = manifest.todo(&args.out);
    eprintln!(
        "senmet sensitivity: {} of {} ({}), {} factors, {} design points × 2 arms, seed {} ({source}), shard {shard}/{shards}: {} of {} chunks to do",
        spec.method.name(),
        spec.readout,
        spec.cancer_type,
        problem.factors().len(),
        points.len(),
        spec.seed,
        todo.len(),
        manifest.chunks().len()
    );
    let start = Instant::now();
    let done = evaluate(&problem, &points, &manifest, &todo, &args.out, args.threads)?;
    let seconds = start.elapsed().as_secs_f64();
    eprintln!(
        "{done} design points × 2 arms evaluated in {seconds:.1} s ({:.2} ms per arm evaluation)",
        if done > 0 {
            1e3 * seconds / (2 * done) as f64
        } else {
            0.0
        }
    );
    if shards::shard_done(&manifest, &args.out) {
        return Ok(ExitCode::SUCCESS);
    }
    let ranked = finish(std::slice::from_ref(&args.out), &args.out, &manifest)?;
    println!(
        "wrote {}/ (sensitivity, points as .tsv and .parquet; report.html)",
        args.out.display()
    );
    for (name, value, _, _) in ranked.rows.iter().take(5) {
        println!("  {name}\t{}", num(*value));
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the tables and report of the run of `manifest` from the chunks in `dirs`.
pub fn merge(dirs: &[PathBuf], out: &Path, manifest: &shards::Manifest) -> anyhow::Result<()> {
    finish(dirs, out, manifest).map(|_| ())
}

/// Reads every chunk of the run in `dirs`, analyses the outputs and writes the tables and report into `out`.
fn finish(dirs: &[PathBuf], out: &Path, manifest: &shards::Manifest) -> anyhow::Result<Ranked> {
    let spec = Spec::from_manifest(manifest)?;
    let target = parse_target(&spec.readout)?;
    let tables = Tables::builtin()?;
    let path = dirs[0].join("scenario.toml");
    let exp = scenario::read(&path, &tables)?;
    let problem = spec.problem(&exp, &tables)?;
    let (points, analyse) = design(&problem, &spec)?;
    anyhow::ensure!(
        points.len() as u64 == manifest.items,
        "{}: the design has {} points, the manifest {}",
        path.display(),
        points.len(),
        manifest.items
    );
    let mut evals = Vec::with_capacity(points.len());
    for c in 0..manifest.n_chunks() {
        shards::read_chunk(dirs, manifest, c, CHUNK_COLUMNS, |cells, at| {
            let [aged, young, scaled] = cells else {
                anyhow::bail!("{}: expected 4 columns", at())
            };
            let number = |s: &str| {
                s.parse::<f64>()
                    .with_context(|| format!("{}: `{s}` is not a number", at()))
            };
            evals.push(Evaluation {
                aged: number(aged)?,
                young: number(young)?,
                shares_scaled: *scaled == "true",
            });
            Ok(())
        })?;
    }
    let outputs: Vec<f64> = evals.iter().map(|e| e.value(target)).collect();
    let ranked = analyse(&outputs)?;
    let info = report::Info {
        method: spec.method.name(),
        target: target.name(),
        cancer_type: &spec.cancer_type,
        arms: (&spec.aged_arm, &spec.young_arm),
        seed: spec.seed,
        points: points.len(),
        scaled: evals.iter().filter(|e| e.shares_scaled).count(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    for (name, text) in [
        ("sensitivity", table(&ranked)),
        ("points", points_table(&problem, &points, &evals, target)),
    ] {
        let file = format!("{name}.tsv");
        write_atomically(&out.join(&file), text.as_bytes())?;
        write_atomically(
            &out.join(format!("{name}.parquet")),
            &parquet::from_text(&text, &file)?,
        )?;
    }
    let html = report::render(&info, &problem, &ranked)?;
    write_atomically(&out.join("report.html"), html.as_bytes())?;
    Ok(ranked)
}

/// Columns of a chunk file.
const CHUNK_COLUMNS: &str = "point\taged_expected\tyoung_expected\tev_shares_scaled";

fn parse_target(name: &str) -> anyhow::Result<Target> {
    Target::parse(name).with_context(|| {
        let known: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
        format!("--readout {name}: expected one of {}", known.join(", "))
    })
}

/// Turns outputs (one per design point) into ranked indices.
type Analyse = Box<dyn Fn(&[f64]) -> anyhow::Result<Ranked>>;

/// The design points of the chosen method and how to analyse their outputs.
fn design(problem: &Problem, spec: &Spec) -> anyhow::Result<(Vec<Vec<f64>>, Analyse)> {
    let seed = spec.seed;
    Ok(match spec.method {
        Method::Sobol => {
            let d = SaltelliDesign::new(problem.factors(), spec.n, seed)?;
            (d.points().to_vec(), Box::new(move |y| sobol(&d, y)))
        }
        Method::Morris => {
            let d = MorrisDesign::new(problem.factors(), spec.trajectories, LEVELS, seed)?;
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

/// Evaluates the chunks `todo` (each chunk's points in parallel), writing
/// each chunk file when done, with a progress bar; returns the number of points.
fn evaluate(
    problem: &Problem,
    points: &[Vec<f64>],
    manifest: &shards::Manifest,
    todo: &[u64],
    out: &Path,
    threads: usize,
) -> anyhow::Result<u64> {
    shards::work(
        out,
        manifest,
        todo,
        threads,
        "design points",
        |range, bar| {
            let evals = range
                .clone()
                .into_par_iter()
                .map(|i| {
                    let e = problem
                        .evaluate(&points[i as usize])
                        .with_context(|| format!("design point {i} (row {} of points.tsv)", i + 1));
                    bar.inc(1);
                    e
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let mut s = format!("{CHUNK_COLUMNS}\n");
            for (i, e) in range.zip(&evals) {
                let _ = writeln!(s, "{i}\t{}\t{}\t{}", e.aged, e.young, e.shares_scaled);
            }
            Ok(s)
        },
    )
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
