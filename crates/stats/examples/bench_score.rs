//! Whole-run scoring benchmark used by `bench/signature/bench.sh`.
//!
//! `bench_score gen DIR SAMPLES GENES SETS SEED` writes a synthetic
//! `DIR/expr.tsv.gz` (log2 scale, 6 decimals) and `DIR/sets.gmt` (SETS sets of
//! 20–200 genes). `bench_score run DIR METHODS` reads them with
//! `Expression::read`, scores with the comma-separated METHODS, and prints one
//! TSV line per phase (`phase  seconds  detail`; detail includes the process
//! CPU seconds of the phase, user + system, all threads) plus the peak
//! resident memory.
//! `bench_score ssgsea DIR OUT.tsv` writes the ssGSEA scores (sets × samples)
//! for comparison with GSVA on the same input.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use senmet_stats::score::{self, Method};
use senmet_stats::{gmt, table};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("gen") if args.len() == 6 => gen(
            Path::new(&args[1]),
            args[2].parse()?,
            args[3].parse()?,
            args[4].parse()?,
            args[5].parse()?,
        ),
        Some("run") if args.len() == 3 => run(Path::new(&args[1]), &args[2]),
        Some("ssgsea") if args.len() == 3 => write_ssgsea(Path::new(&args[1]), Path::new(&args[2])),
        _ => Err("usage: bench_score gen DIR SAMPLES GENES SETS SEED | run DIR METHODS | ssgsea DIR OUT.tsv".into()),
    }
}

fn gen(dir: &Path, samples: usize, genes: usize, sets: usize, seed: u64) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let file = File::create(dir.join("expr.tsv.gz"))?;
    let mut w = BufWriter::with_capacity(
        1 << 20,
        flate2::write::GzEncoder::new(file, flate2::Compression::fast()),
    );
    write!(w, "gene")?;
    for s in 0..samples {
        write!(w, "\tS{s}")?;
    }
    writeln!(w)?;
    let mut line = String::new();
    for g in 0..genes {
        line.clear();
        line.push_str(&format!("G{g}"));
        let base: f64 = rng.random_range(2.0..12.0);
        for _ in 0..samples {
            let v = base + rng.random_range(-2.0..2.0) + rng.random_range(-2.0..2.0);
            line.push_str(&format!("\t{v:.6}"));
        }
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    w.into_inner().map_err(|e| e.into_error())?.finish()?;
    let mut gmt = BufWriter::new(File::create(dir.join("sets.gmt"))?);
    for k in 0..sets {
        let size = rng.random_range(20..=200);
        let mut members: Vec<usize> = Vec::with_capacity(size);
        while members.len() < size {
            let g = rng.random_range(0..genes);
            if !members.contains(&g) {
                members.push(g);
            }
        }
        let names: Vec<String> = members.iter().map(|g| format!("G{g}")).collect();
        writeln!(gmt, "SET{k}\tsynthetic\t{}", names.join("\t"))?;
    }
    Ok(())
}

/// CPU seconds (user + system, all threads) used by this process so far.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

fn run(dir: &Path, methods: &str) -> Result<()> {
    let t = Instant::now();
    let path = dir.join("expr.tsv.gz");
    let expr = table::Expression::read(table::open(&path)?, &path, table::Scale::Log2)?;
    println!(
        "read\t{:.3}\t{} genes x {} samples",
        t.elapsed().as_secs_f64(),
        expr.genes().len(),
        expr.samples().len()
    );
    let sets = gmt::read(table::open(&dir.join("sets.gmt"))?, &dir.join("sets.gmt"))?;
    let sigs: Vec<_> = gmt::signatures(&sets)
        .iter()
        .filter_map(|s| score::resolve(s, &expr).0)
        .collect();
    for m in methods.split(',') {
        let method = match m {
            "singscore" => Method::Singscore,
            "ssgsea" => Method::Ssgsea,
            "zscore" => Method::Zscore,
            other => return Err(format!("unknown method {other}").into()),
        };
        let (t, cpu) = (Instant::now(), cpu_seconds());
        let s = score::score(&expr, &sigs, &[method]);
        let checksum: f64 = s[0].values.iter().flatten().sum();
        println!(
            "{m}\t{:.3}\tcpu {:.2} s, {} sets, checksum {checksum:.6}",
            t.elapsed().as_secs_f64(),
            cpu_seconds() - cpu,
            sigs.len()
        );
    }
    all_three(&expr, &sigs);
    Ok(())
}

fn all_three(expr: &table::Expression, sigs: &[score::Resolved]) {
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let all = [Method::Singscore, Method::Ssgsea, Method::Zscore];
    score::score(expr, sigs, &all);
    println!(
        "all_three\t{:.3}\tcpu {:.2} s, {} threads",
        t.elapsed().as_secs_f64(),
        cpu_seconds() - cpu,
        rayon::current_num_threads()
    );
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap_or("VmHWM: unknown");
    println!(
        "peak_rss\t0\t{}",
        peak.split_whitespace()
            .skip(1)
            .collect::<Vec<_>>()
            .join(" ")
    );
}

fn write_ssgsea(dir: &Path, out: &Path) -> Result<()> {
    let path = dir.join("expr.tsv.gz");
    let expr = table::Expression::read(table::open(&path)?, &path, table::Scale::Log2)?;
    let sets = gmt::read(table::open(&dir.join("sets.gmt"))?, &dir.join("sets.gmt"))?;
    let sigs: Vec<_> = gmt::signatures(&sets)
        .iter()
        .filter_map(|s| score::resolve(s, &expr).0)
        .collect();
    let s = score::score(&expr, &sigs, &[Method::Ssgsea]);
    let mut w = BufWriter::new(File::create(out)?);
    writeln!(w, "set\t{}", expr.samples().join("\t"))?;
    for (sig, values) in sigs.iter().zip(&s[0].values) {
        let cells: Vec<String> = values.iter().map(|v| format!("{v:.17e}")).collect();
        writeln!(w, "{}\t{}", sig.name, cells.join("\t"))?;
    }
    Ok(())
}
