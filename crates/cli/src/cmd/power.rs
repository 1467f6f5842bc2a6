//! `senmet power`: how many mice per arm a comparison needs.
//!
//! Subjects of an arm are i.i.d., so a pool of `--pool` subjects per arm is
//! simulated once and each replicate study of `n` per arm is `n` draws
//! without replacement from each pool (`senmet_stats::power`). Power is the
//! fraction of studies with a two-sided Mann–Whitney p below `--alpha`.

mod report;

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use senmet_model::experiment::{self, Experiment};
use senmet_model::params::Tables;
use senmet_model::readout::Readout;
use senmet_model::scenario;
use senmet_model::summary;
use senmet_stats::power::{self, Settings};

use super::run::{load_scenario, scenario_text, tables::num};
use crate::output::{parquet, write_atomically};
use crate::shards;

/// Target power for the reported sample size.
const TARGET: f64 = 0.8;

/// Power of a two-arm comparison at n = n-min…n-max per arm, by resampling simulated subjects.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file (TOML); without it, the embedded default experiment.
    scenario: Option<PathBuf>,
    /// First arm of the comparison.
    #[arg(long, default_value = "aged_vehicle")]
    arm_a: String,
    /// Second arm of the comparison.
    #[arg(long, default_value = "aged_dq")]
    arm_b: String,
    /// Cancer type, or `all` for every type of the scenario (default: the scenario's first).
    #[arg(long)]
    cancer_type: Option<String>,
    /// Readout compared (a column of `senmet run`'s summary, e.g. metastases, metastatic_burden).
    #[arg(long, default_value = "metastases")]
    readout: String,
    /// Smallest study size per arm.
    #[arg(long, default_value_t = 3)]
    n_min: usize,
    /// Largest study size per arm.
    #[arg(long, default_value_t = 30)]
    n_max: usize,
    /// Replicate studies per study size.
    #[arg(long, default_value_t = 500)]
    studies: usize,
    /// Subjects simulated per arm, from which studies are drawn without replacement.
    #[arg(long, default_value_t = 1000)]
    pool: usize,
    /// Significance level of the two-sided Mann–Whitney test.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,
    /// Master seed (default: the scenario's seed).
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Output folder (resumed if it holds an unfinished run with the same settings).
    #[arg(long, default_value = "senmet-power")]
    out: PathBuf,
    /// Replace the output folder if it holds another run.
    #[arg(long)]
    force: bool,
    /// Run only shard `i` of `N` (0-based); combine the shards with `senmet merge`.
    #[arg(long, value_name = "i/N")]
    shard: Option<String>,
    /// Pool subjects per chunk file (part of the settings: shards of one run share it).
    #[arg(long, default_value_t = 250)]
    chunk: u64,
    /// Worker threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

/// The power analysis of one cancer type.
pub struct Curve {
    /// Cancer type.
    pub cancer_type: String,
    /// Pool values of arm a and arm b.
    pub pools: (Vec<f64>, Vec<f64>),
    /// `P(A < B) + ½·P(A = B)` over the pools.
    pub prob_less: f64,
    /// Power per study size.
    pub rows: Vec<power::Row>,
    /// Smallest simulated n with power ≥ 0.8.
    pub n80: Option<usize>,
    /// Noether's n for 80% power.
    pub noether: Option<usize>,
}

/// What determines a power run's results, kept in its manifest.
struct Spec {
    arm_a: String,
    arm_b: String,
    cancer_type: Option<String>,
    readout: String,
    n_min: usize,
    n_max: usize,
    studies: usize,
    pool: usize,
    alpha: f64,
    seed: Option<u64>,
}

impl Spec {
    fn rows(&self) -> Vec<(&'static str, String)> {
        [
            ("arm_a", self.arm_a.clone()),
            ("arm_b", self.arm_b.clone()),
            ("cancer_type", self.cancer_type.clone().unwrap_or_default()),
            ("readout", self.readout.clone()),
            ("n_min", self.n_min.to_string()),
            ("n_max", self.n_max.to_string()),
            ("studies", self.studies.to_string()),
            ("pool", self.pool.to_string()),
            ("alpha", self.alpha.to_string()),
            ("seed", self.seed.map(|s| s.to_string()).unwrap_or_default()),
        ]
        .into()
    }

    fn from_manifest(m: &shards::Manifest) -> anyhow::Result<Self> {
        Ok(Spec {
            arm_a: m.parse("arm_a")?,
            arm_b: m.parse("arm_b")?,
            cancer_type: m.parse_optional("cancer_type")?,
            readout: m.parse("readout")?,
            n_min: m.parse("n_min")?,
            n_max: m.parse("n_max")?,
            studies: m.parse("studies")?,
            pool: m.parse("pool")?,
            alpha: m.parse("alpha")?,
            seed: m.parse_optional("seed")?,
        })
    }

    /// The scenario narrowed to the two arms and the chosen cancer types, and the resampling settings.
    fn experiment(&self, mut exp: Experiment) -> anyhow::Result<(Experiment, Settings)> {
        narrow(&mut exp, self)?;
        let settings = Settings {
            n_min: self.n_min,
            n_max: self.n_max,
            studies: self.studies,
            alpha: self.alpha,
            seed: exp.seed,
        };
        Ok((exp, settings))
    }
}

/// Simulates the pools in chunks (or one shard of them), then resamples
/// studies and writes power (`.tsv`, `.parquet`) and report.html.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    parse_readout(&args.readout)?;
    let tables = Tables::builtin()?;
    let text = scenario_text(args.scenario.as_deref())?;
    let (exp, source) = load_scenario(args.scenario.as_deref(), &tables)?;
    let spec = Spec {
        arm_a: args.arm_a.clone(),
        arm_b: args.arm_b.clone(),
        cancer_type: args.cancer_type.clone(),
        readout: args.readout.clone(),
        n_min: args.n_min,
        n_max: args.n_max,
        studies: args.studies,
        pool: args.pool,
        alpha: args.alpha,
        seed: args.seed,
    };
    let (exp, _) = spec.experiment(exp)?;
    let manifest = shards::scenario_run(
        "power",
        spec.rows(),
        (&text, &source),
        args.shard.as_deref(),
        experiment::jobs(&exp),
        args.chunk,
    )?;
    let (shard, shards) = (manifest.shard, manifest.shards);
    shards::prepare(&args.out, &manifest, args.force)?;
    write_atomically(&args.out.join("scenario.toml"), text.as_bytes())?;
    let todo = manifest.todo(&args.out);
    eprintln!(
        "senmet power: {} vs {} ({}), {} subjects per arm in a pool, seed {} ({source}), shard {shard}/{shards}: {} of {} chunks to do",
        args.arm_a,
        args.arm_b,
        exp.cancer_types.join(", "),
        exp.n,
        exp.seed,
        todo.len(),
        manifest.chunks().len()
    );
    let start = Instant::now();
    let done = simulate(&exp, &tables, &manifest, &todo, &args.out, args.threads)?;
    let elapsed = start.elapsed();
    if shards::shard_done(&manifest, &args.out) {
        return Ok(ExitCode::SUCCESS);
    }
    let (exp, curves) = finish(std::slice::from_ref(&args.out), &args.out, &manifest)?;
    let readout = parse_readout(&args.readout)?;
    println!(
        "{} subjects simulated in {:.1} s and {} studies resampled; wrote {}/ (power as .tsv and .parquet; report.html)",
        done,
        elapsed.as_secs_f64(),
        args.studies * (args.n_max + 1 - args.n_min) * curves.len(),
        args.out.display()
    );
    for c in &curves {
        println!("  {}", report::headline(&exp, readout, c));
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the table and report of the run of `manifest` from the chunks in `dirs`.
pub fn merge(dirs: &[PathBuf], out: &Path, manifest: &shards::Manifest) -> anyhow::Result<()> {
    finish(dirs, out, manifest).map(|_| ())
}

/// Columns of a chunk file.
const CHUNK_COLUMNS: &str = "subject\tcancer_type\tarm\tindex\tvalue";

/// Simulates the chunks `todo`, writing each chunk file when done, with a progress bar.
fn simulate(
    exp: &Experiment,
    tables: &Tables,
    manifest: &shards::Manifest,
    todo: &[u64],
    out: &Path,
    threads: usize,
) -> anyhow::Result<u64> {
    let readout = parse_readout(manifest.get("readout")?)?;
    shards::work(out, manifest, todo, threads, "subjects", |range, bar| {
        let subjects = experiment::subjects(exp, tables, range.clone(), &|| bar.inc(1))?;
        let mut s = format!("{CHUNK_COLUMNS}\n");
        for (j, subject) in range.zip(&subjects) {
            let value = summary::value(subject, readout).map(|v| v.to_string());
            let _ = writeln!(
                s,
                "{j}\t{}\t{}\t{}\t{}",
                subject.cancer_type,
                subject.arm,
                subject.index,
                value.unwrap_or_default()
            );
        }
        Ok(s)
    })
}

/// Reads the pools from the chunks in `dirs`, resamples studies and writes the table and report into `out`.
fn finish(
    dirs: &[PathBuf],
    out: &Path,
    manifest: &shards::Manifest,
) -> anyhow::Result<(Experiment, Vec<Curve>)> {
    let spec = Spec::from_manifest(manifest)?;
    let readout = parse_readout(&spec.readout)?;
    let tables = Tables::builtin()?;
    let path = dirs[0].join("scenario.toml");
    let (exp, settings) = spec.experiment(scenario::read(&path, &tables)?)?;
    anyhow::ensure!(
        experiment::jobs(&exp) == manifest.items,
        "{}: the scenario gives {} subjects, the manifest {}",
        path.display(),
        experiment::jobs(&exp),
        manifest.items
    );
    let mut pools = vec![(Vec::new(), Vec::new()); exp.cancer_types.len()];
    for c in 0..manifest.n_chunks() {
        shards::read_chunk(dirs, manifest, c, CHUNK_COLUMNS, |cells, at| {
            let [cancer_type, arm, _, value] = cells else {
                anyhow::bail!("{}: expected 5 columns", at())
            };
            let pool = cancer_type
                .parse::<usize>()
                .ok()
                .and_then(|t| pools.get_mut(t))
                .with_context(|| format!("{}: cancer type `{cancer_type}` out of range", at()))?;
            if !value.is_empty() {
                let v: f64 = value
                    .parse()
                    .with_context(|| format!("{}: `{value}` is not a number", at()))?;
                match *arm {
                    "0" => pool.0.push(v),
                    "1" => pool.1.push(v),
                    other => anyhow::bail!("{}: arm `{other}`: expected 0 or 1", at()),
                }
            }
            Ok(())
        })?;
    }
    let curves = exp
        .cancer_types
        .iter()
        .zip(pools)
        .map(|(ct, (a, b))| curve(ct, a, b, &settings))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let html = report::render(&exp, readout, &settings, &curves, &command)?;
    let text = table(&exp, readout, &curves);
    write_atomically(&out.join("power.tsv"), text.as_bytes())?;
    write_atomically(
        &out.join("power.parquet"),
        &parquet::from_text(&text, "power.tsv")?,
    )?;
    write_atomically(&out.join("report.html"), html.as_bytes())?;
    Ok((exp, curves))
}

/// The power curve of one cancer type from its two pools.
fn curve(ct: &str, a: Vec<f64>, b: Vec<f64>, settings: &Settings) -> anyhow::Result<Curve> {
    let rows =
        power::resampled(&a, &b, settings).with_context(|| format!("{ct}: resampling studies"))?;
    let p = power::prob_less(&a, &b);
    Ok(Curve {
        cancer_type: ct.to_string(),
        prob_less: p,
        n80: power::smallest_n(&rows, TARGET),
        noether: power::noether_n(p, settings.alpha, TARGET),
        rows,
        pools: (a, b),
    })
}

fn parse_readout(name: &str) -> anyhow::Result<Readout> {
    Readout::parse(name).with_context(|| {
        let known: Vec<&str> = Readout::ALL.iter().map(|r| r.name()).collect();
        format!("--readout {name}: expected one of {}", known.join(", "))
    })
}

/// Keeps the two arms and the chosen cancer types; sets the pool size and seed.
fn narrow(exp: &mut Experiment, spec: &Spec) -> anyhow::Result<()> {
    anyhow::ensure!(
        spec.pool >= spec.n_max,
        "--pool {}: expected at least --n-max ({}) subjects per arm",
        spec.pool,
        spec.n_max
    );
    let arm = |name: &str| {
        exp.arms
            .iter()
            .find(|a| a.name == name)
            .cloned()
            .with_context(|| {
                let known: Vec<&str> = exp.arms.iter().map(|a| a.name.as_str()).collect();
                format!(
                    "no arm named `{name}` in the scenario (arms: {})",
                    known.join(", ")
                )
            })
    };
    exp.arms = vec![arm(&spec.arm_a)?, arm(&spec.arm_b)?];
    exp.comparisons.clear();
    match spec.cancer_type.as_deref() {
        Some("all") => {}
        Some(ct) => exp.cancer_types = vec![ct.to_string()],
        None => exp.cancer_types.truncate(1),
    }
    exp.n = spec.pool;
    if let Some(seed) = spec.seed {
        exp.seed = seed;
    }
    Ok(())
}

/// `power.tsv`.
fn table(exp: &Experiment, readout: Readout, curves: &[Curve]) -> String {
    let mut s =
        String::from("cancer_type\tarm_a\tarm_b\treadout\tn\tpower\tlower\tupper\tclosed_form\n");
    for c in curves {
        for r in &c.rows {
            let _ = writeln!(
                s,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                c.cancer_type,
                exp.arms[0].name,
                exp.arms[1].name,
                readout.name(),
                r.n,
                num(r.power),
                num(r.lower),
                num(r.upper),
                num(r.closed_form)
            );
        }
    }
    s
}
