//! Writes a sensitivity design, the test function's outputs and our indices
//! as TSV, for `bench/sensitivity/compare_salib.py`.
//!
//! `sensitivity_tsv sobol FUNCTION N SEED NBOOT OUT_DIR` or
//! `sensitivity_tsv morris FUNCTION TRAJECTORIES LEVELS SEED OUT_DIR`, with
//! FUNCTION `ishigami` (a = 7, b = 0.1 on [−π, π]³) or `gfunc` (Sobol' G with
//! a = 0, 1, 4.5, 9, 99, 99, 99, 99 on [0, 1]⁸). Writes `OUT_DIR/points.tsv`
//! (one column per factor, then `y`, every number in shortest round-trip form)
//! and `OUT_DIR/indices.tsv`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use senmet_stats::sensitivity::{Factor, MorrisDesign, SaltelliDesign};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const G_A: [f64; 8] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: sensitivity_tsv sobol FUNCTION N SEED NBOOT OUT_DIR | morris FUNCTION TRAJECTORIES LEVELS SEED OUT_DIR";
    if args.len() != 6 {
        return Err(usage.into());
    }
    let (factors, f) = function(&args[1])?;
    let out = Path::new(&args[5]);
    fs::create_dir_all(out)?;
    let (points, indices) = match args[0].as_str() {
        "sobol" => {
            let d = SaltelliDesign::new(&factors, args[2].parse()?, args[3].parse()?)?;
            let y: Vec<f64> = d.points().iter().map(|x| f(x)).collect();
            let s = d.analyse(&y, args[4].parse()?)?;
            let mut t = String::from(
                "factor\tfirst\tfirst_low\tfirst_high\ttotal\ttotal_low\ttotal_high\n",
            );
            for j in 0..s.names.len() {
                let (fl, fh) = s.first_ci[j];
                let (tl, th) = s.total_ci[j];
                writeln!(
                    t,
                    "{}\t{}\t{fl}\t{fh}\t{}\t{tl}\t{th}",
                    s.names[j], s.first[j], s.total[j]
                )?;
            }
            (tsv_points(&s.names, d.points(), &y), t)
        }
        "morris" => {
            let d = MorrisDesign::new(
                &factors,
                args[2].parse()?,
                args[3].parse()?,
                args[4].parse()?,
            )?;
            let y: Vec<f64> = d.points().iter().map(|x| f(x)).collect();
            let m = d.analyse(&y)?;
            let mut t = String::from("factor\tmu\tmu_star\tsigma\n");
            for j in 0..m.names.len() {
                writeln!(
                    t,
                    "{}\t{}\t{}\t{}",
                    m.names[j], m.mu[j], m.mu_star[j], m.sigma[j]
                )?;
            }
            (tsv_points(&m.names, d.points(), &y), t)
        }
        _ => return Err(usage.into()),
    };
    write_atomic(&out.join("points.tsv"), &points)?;
    write_atomic(&out.join("indices.tsv"), &indices)
}

type Model = fn(&[f64]) -> f64;

fn function(name: &str) -> Result<(Vec<Factor>, Model)> {
    let uniform = |k: usize, low: f64, high: f64| -> Vec<Factor> {
        (1..=k)
            .map(|i| Factor {
                name: format!("x{i}"),
                low,
                high,
                log: false,
            })
            .collect()
    };
    let pi = std::f64::consts::PI;
    match name {
        "ishigami" => Ok((uniform(3, -pi, pi), ishigami)),
        "gfunc" => Ok((uniform(G_A.len(), 0.0, 1.0), g_function)),
        _ => Err(format!("unknown function '{name}', expected ishigami or gfunc").into()),
    }
}

fn ishigami(x: &[f64]) -> f64 {
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

fn g_function(x: &[f64]) -> f64 {
    x.iter()
        .zip(G_A)
        .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
        .product()
}

fn tsv_points(names: &[String], points: &[Vec<f64>], y: &[f64]) -> String {
    let mut t = names.join("\t") + "\ty\n";
    for (p, y) in points.iter().zip(y) {
        for v in p {
            t += &format!("{v}\t");
        }
        t += &format!("{y}\n");
    }
    t
}

fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("tsv.tmp");
    fs::write(&tmp, text)?;
    fs::rename(&tmp, path)?;
    Ok(())
}
