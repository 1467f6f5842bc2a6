//! `senmet power`: how many mice per arm a comparison needs.
//!
//! Subjects of an arm are i.i.d., so a pool of `--pool` subjects per arm is
//! simulated once and each replicate study of `n` per arm is `n` draws
//! without replacement from each pool (`senmet_stats::power`). Power is the
//! fraction of studies with a two-sided Mann–Whitney p below `--alpha`.

mod report;

use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use senmet_model::experiment::{self, Experiment};
use senmet_model::params::Tables;
use senmet_model::readout::Readout;
use senmet_model::summary;
use senmet_stats::power::{self, Settings};

use super::run::{load_scenario, tables::num};

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
    /// Output folder (written atomically).
    #[arg(long, default_value = "senmet-power")]
    out: PathBuf,
    /// Replace the output folder if it exists.
    #[arg(long)]
    force: bool,
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

/// Simulates the pools, resamples studies and writes power.tsv and report.html.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if args.out.exists() && !args.force {
        anyhow::bail!("{} exists; use --force to replace it", args.out.display());
    }
    let readout = parse_readout(&args.readout)?;
    let tables = Tables::builtin()?;
    let (mut exp, source) = load_scenario(args.scenario.as_deref(), &tables)?;
    narrow(&mut exp, args)?;
    let settings = Settings {
        n_min: args.n_min,
        n_max: args.n_max,
        studies: args.studies,
        alpha: args.alpha,
        seed: exp.seed,
    };
    eprintln!(
        "senmet power: {} vs {} ({}), {} subjects per arm in a pool, seed {} ({source})",
        args.arm_a,
        args.arm_b,
        exp.cancer_types.join(", "),
        exp.n,
        exp.seed
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build()
        .context("cannot start worker threads")?;
    let start = Instant::now();
    let curves = pool.install(|| curves(&exp, &tables, readout, &settings))?;
    let elapsed = start.elapsed();
    let command = std::env::args().collect::<Vec<_>>().join(" ");
    let html = report::render(&exp, readout, &settings, &curves, &command)?;
    let files = [
        ("power.tsv", table(&exp, readout, &curves)),
        ("report.html", html),
    ];
    crate::output::write_folder(&args.out, &files)?;
    println!(
        "{} subjects simulated and {} studies resampled in {:.1} s; wrote {}/ (power.tsv, report.html)",
        2 * exp.n * curves.len(),
        args.studies * (args.n_max + 1 - args.n_min) * curves.len(),
        elapsed.as_secs_f64(),
        args.out.display()
    );
    for c in &curves {
        println!("  {}", report::headline(&exp, readout, c));
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_readout(name: &str) -> anyhow::Result<Readout> {
    Readout::parse(name).with_context(|| {
        let known: Vec<&str> = Readout::ALL.iter().map(|r| r.name()).collect();
        format!("--readout {name}: expected one of {}", known.join(", "))
    })
}

/// Keeps the two arms and the chosen cancer types; sets the pool size and seed.
fn narrow(exp: &mut Experiment, args: &Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.pool >= args.n_max,
        "--pool {}: expected at least --n-max ({}) subjects per arm",
        args.pool,
        args.n_max
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
    exp.arms = vec![arm(&args.arm_a)?, arm(&args.arm_b)?];
    exp.comparisons.clear();
    match args.cancer_type.as_deref() {
        Some("all") => {}
        Some(ct) => exp.cancer_types = vec![ct.to_string()],
        None => exp.cancer_types.truncate(1),
    }
    exp.n = args.pool;
    if let Some(seed) = args.seed {
        exp.seed = seed;
    }
    Ok(())
}

/// Simulates the pools (with a progress bar) and the power curve of each cancer type.
fn curves(
    exp: &Experiment,
    tables: &Tables,
    readout: Readout,
    settings: &Settings,
) -> anyhow::Result<Vec<Curve>> {
    let total = exp.cancer_types.len() * exp.arms.len() * exp.n;
    let bar = ProgressBar::new(total as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} subjects {elapsed} (eta {eta})")
            .context("progress bar template")?,
    );
    let outcome = experiment::run(exp, tables, &|| bar.inc(1))?;
    bar.finish_and_clear();
    exp.cancer_types
        .iter()
        .enumerate()
        .map(|(c, ct)| {
            let a = summary::values(&outcome, c, 0, readout);
            let b = summary::values(&outcome, c, 1, readout);
            let rows = power::resampled(&a, &b, settings)
                .with_context(|| format!("{ct}: resampling studies"))?;
            let p = power::prob_less(&a, &b);
            Ok(Curve {
                cancer_type: ct.clone(),
                prob_less: p,
                n80: power::smallest_n(&rows, TARGET),
                noether: power::noether_n(p, settings.alpha, TARGET),
                rows,
                pools: (a, b),
            })
        })
        .collect()
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
