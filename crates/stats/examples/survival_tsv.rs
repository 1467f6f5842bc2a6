//! Runs senmet's Kaplan–Meier, log-rank and Cox fits on a TSV, for
//! `bench/survival/compare.py`.
//!
//! `survival_tsv IN.tsv OUT.tsv`: IN has a header and the numeric columns
//! `time`, `event` (0/1), `group` (0/1), then any covariates; `#` lines are
//! comments. OUT is long format, `statistic  key  value`: `km_n_risk`,
//! `km_n_event`, `km_survival`, `km_lower`, `km_upper` keyed by time (95 %
//! exponential-Greenwood CI); `logrank_chi2`, `logrank_p`; `cox_coef`,
//! `cox_se`, `cox_z`, `cox_p` keyed by covariate and `cox_loglik` (Efron ties,
//! all covariates). Numbers are printed in shortest round-trip form.

use std::fmt::Write as _;
use std::fs;

use senmet_stats::survival;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        return Err("usage: survival_tsv IN.tsv OUT.tsv".into());
    };
    let text = fs::read_to_string(input)?;
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().ok_or("empty input")?.split('\t').collect();
    if header.len() < 4 || header[..3] != ["time", "event", "group"] {
        return Err("expected columns time, event, group, then covariates".into());
    }
    let mut columns = vec![Vec::new(); header.len()];
    for (i, line) in lines.enumerate() {
        for (c, cell) in line.split('\t').enumerate() {
            let v: f64 = cell
                .parse()
                .map_err(|e| format!("{input}:{}: field {}: {e}", i + 2, c + 1))?;
            columns.get_mut(c).ok_or("too many fields")?.push(v);
        }
    }
    let time = &columns[0];
    let event: Vec<bool> = columns[1].iter().map(|e| *e != 0.0).collect();
    let group: Vec<bool> = columns[2].iter().map(|g| *g != 0.0).collect();
    let mut out = String::from("statistic\tkey\tvalue\n");
    let km = survival::kaplan_meier(time, &event, 0.05)?;
    for i in 0..km.times.len() {
        let t = km.times[i];
        writeln!(out, "km_n_risk\t{t}\t{}", km.n_risk[i])?;
        writeln!(out, "km_n_event\t{t}\t{}", km.n_event[i])?;
        writeln!(out, "km_survival\t{t}\t{}", km.survival[i])?;
        writeln!(out, "km_lower\t{t}\t{}", km.lower[i])?;
        writeln!(out, "km_upper\t{t}\t{}", km.upper[i])?;
    }
    let lr = survival::log_rank(time, &event, &group)?;
    writeln!(out, "logrank_chi2\t-\t{}\nlogrank_p\t-\t{}", lr.chi2, lr.p)?;
    let covariates: Vec<&[f64]> = columns[3..].iter().map(Vec::as_slice).collect();
    let cox = survival::cox_ph(time, &event, &covariates)?;
    for (name, c) in header[3..].iter().zip(&cox.coefficients) {
        writeln!(out, "cox_coef\t{name}\t{}", c.estimate)?;
        writeln!(out, "cox_se\t{name}\t{}", c.se)?;
        writeln!(out, "cox_z\t{name}\t{}", c.statistic)?;
        writeln!(out, "cox_p\t{name}\t{}", c.p)?;
    }
    writeln!(out, "cox_loglik\t-\t{}", cox.log_likelihood)?;
    let tmp = format!("{output}.tmp");
    fs::write(&tmp, out)?;
    fs::rename(&tmp, output)?;
    Ok(())
}
