//! The pass rules of the SBML Test Suite.
//!
//! - Semantic cases: each value must satisfy
//!   `|simulated − expected| ≤ absolute + relative·|expected|`; NaN must be
//!   NaN and infinities must match (suite README, "Pass rules").
//! - Stochastic cases (DSMTS, Evans, Gillespie & Wilkinson 2008): with n
//!   trajectories, sample mean X̄ and SD S against the exact μ and σ,
//!   `Z = √n·(X̄ − μ)/σ` must lie in `meanRange` and
//!   `Y = √(n/2)·(S²/σ² − 1)` in `sdRange`.

use std::fmt;

use super::Results;

/// Whether one simulated value passes the semantic rule.
///
/// # Examples
///
/// ```
/// use senmet_sbml::suite::check::within;
/// assert!(within(1.00005, 1.0, 1e-6, 1e-4));
/// assert!(!within(1.001, 1.0, 1e-6, 1e-4));
/// assert!(within(f64::NAN, f64::NAN, 0.0, 0.0));
/// assert!(!within(f64::INFINITY, f64::NEG_INFINITY, 1.0, 1.0));
/// ```
pub fn within(simulated: f64, expected: f64, absolute: f64, relative: f64) -> bool {
    if expected.is_nan() {
        simulated.is_nan()
    } else if expected.is_infinite() || !simulated.is_finite() {
        simulated == expected
    } else {
        (simulated - expected).abs() <= absolute + relative * expected.abs()
    }
}

/// Why a simulated table does not match the expected one.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Mismatch {
    /// The simulated table lacks a column.
    MissingColumn {
        /// The column name.
        column: String,
    },
    /// The tables have different numbers of rows.
    RowCount {
        /// Rows expected.
        expected: usize,
        /// Rows simulated.
        found: usize,
    },
    /// A value is out of tolerance.
    Value {
        /// 0-based row index.
        row: usize,
        /// The row's time.
        time: f64,
        /// The column name.
        column: String,
        /// The expected value.
        expected: f64,
        /// The simulated value.
        found: f64,
    },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::MissingColumn { column } => write!(f, "no simulated column '{column}'"),
            Mismatch::RowCount { expected, found } => {
                write!(f, "expected {expected} rows, found {found}")
            }
            Mismatch::Value {
                row,
                time,
                column,
                expected,
                found,
            } => write!(
                f,
                "row {} (time {time}), column '{column}': expected {expected}, found {found}",
                row + 1
            ),
        }
    }
}

impl std::error::Error for Mismatch {}

/// Pairs each expected column with the simulated column of the same name.
fn pair(expected: &Results, simulated: &Results) -> Result<Vec<(usize, usize)>, Mismatch> {
    if expected.rows.len() != simulated.rows.len() {
        return Err(Mismatch::RowCount {
            expected: expected.rows.len(),
            found: simulated.rows.len(),
        });
    }
    // Identical headers pair by position: names may repeat (a parameter
    // called `Time` beside the `Time` column).
    if expected.columns == simulated.columns {
        return Ok((0..expected.columns.len()).map(|i| (i, i)).collect());
    }
    expected
        .columns
        .iter()
        .enumerate()
        .map(|(i, name)| match simulated.column(name) {
            Some(j) => Ok((i, j)),
            None => Err(Mismatch::MissingColumn {
                column: name.clone(),
            }),
        })
        .collect()
}

/// The first value (row by row, column by column) failing the semantic rule;
/// `None` when the simulation passes.
pub fn semantic(
    expected: &Results,
    simulated: &Results,
    absolute: f64,
    relative: f64,
) -> Option<Mismatch> {
    let pairs = match pair(expected, simulated) {
        Ok(p) => p,
        Err(m) => return Some(m),
    };
    for (row, (e, s)) in expected.rows.iter().zip(&simulated.rows).enumerate() {
        for &(i, j) in &pairs {
            let (want, got) = (e.get(i).copied()?, s.get(j).copied()?);
            if !within(got, want, absolute, relative) {
                return Some(Mismatch::Value {
                    row,
                    time: e.first().copied().unwrap_or(f64::NAN),
                    column: expected.columns[i].clone(),
                    expected: want,
                    found: got,
                });
            }
        }
    }
    None
}

/// Which DSMTS statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// `Z = √n·(X̄ − μ)/σ`, checked against `meanRange`.
    Z,
    /// `Y = √(n/2)·(S²/σ² − 1)`, checked against `sdRange`.
    Y,
}

/// One DSMTS statistic outside its range.
#[derive(Debug, Clone, PartialEq)]
pub struct Miss {
    /// 0-based row index.
    pub row: usize,
    /// The row's time.
    pub time: f64,
    /// The variable (the column name without `-mean`/`-sd`).
    pub variable: String,
    /// Z or Y.
    pub statistic: Statistic,
    /// Its value.
    pub value: f64,
}

/// The outcome of the DSMTS check over a whole table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DsmtsReport {
    /// Number of statistics computed.
    pub checked: usize,
    /// Those outside their range.
    pub misses: Vec<Miss>,
}

impl DsmtsReport {
    /// Counts one statistic and keeps it if it lies outside `lo..=hi`.
    fn record(&mut self, m: Miss, (lo, hi): (f64, f64)) {
        self.checked += 1;
        if !(lo..=hi).contains(&m.value) {
            self.misses.push(m);
        }
    }
}

/// Checks sample means and SDs of `n` trajectories (`simulated`, with
/// `X-mean` and `X-sd` columns) against the exact `expected` table.
///
/// Y is skipped for variables whose expected table has only a mean; their Z
/// uses the simulated SD in place of σ.
///
/// # Errors
///
/// A [`Mismatch`] when the tables do not line up (rows, missing columns).
pub fn dsmts(
    expected: &Results,
    simulated: &Results,
    n: usize,
    mean_range: (f64, f64),
    sd_range: (f64, f64),
) -> Result<DsmtsReport, Mismatch> {
    let pairs = pair(expected, simulated)?;
    let mut report = DsmtsReport::default();
    let n = n as f64;
    for (i, name) in expected.columns.iter().enumerate() {
        let Some(var) = name.strip_suffix("-mean") else {
            continue;
        };
        let sd_name = format!("{var}-sd");
        let exp_sd = expected.column(&sd_name);
        let Some(sim_sd) = simulated.column(&sd_name) else {
            return Err(Mismatch::MissingColumn { column: sd_name });
        };
        let j = pairs[i].1;
        for (row, (e, s)) in expected.rows.iter().zip(&simulated.rows).enumerate() {
            let (mu, mean, sample_sd) = (e[i], s[j], s[sim_sd]);
            let sigma = exp_sd.map_or(sample_sd, |k| e[k]);
            let mut record = |statistic, value, range| {
                let time = e[0];
                report.record(
                    Miss {
                        row,
                        time,
                        variable: var.to_string(),
                        statistic,
                        value,
                    },
                    range,
                );
            };
            record(
                Statistic::Z,
                ratio(n.sqrt() * (mean - mu), sigma),
                mean_range,
            );
            if exp_sd.is_some() {
                let y = (n / 2.0).sqrt() * (ratio(sample_sd * sample_sd, sigma * sigma) - 1.0);
                let y = if sigma == 0.0 && sample_sd == 0.0 {
                    0.0
                } else {
                    y
                };
                record(Statistic::Y, y, sd_range);
            }
        }
    }
    Ok(report)
}

/// `num / den`, with 0/0 as 0 (a deterministic point matched exactly).
fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 && num == 0.0 {
        0.0
    } else {
        num / den
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(columns: &[&str], rows: &[&[f64]]) -> Results {
        Results {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: rows.iter().map(|r| r.to_vec()).collect(),
        }
    }

    #[test]
    fn first_mismatch_is_reported() {
        let exp = table(
            &["time", "A", "B"],
            &[&[0.0, 1.0, 2.0], &[1.0, 0.5, f64::NAN]],
        );
        let good = table(
            &["time", "B", "A"],
            &[&[0.0, 2.0, 1.0], &[1.0, f64::NAN, 0.50001]],
        );
        assert_eq!(semantic(&exp, &good, 1e-6, 1e-4), None);
        let bad = table(&["time", "A", "B"], &[&[0.0, 1.0, 2.0], &[1.0, 0.6, 0.0]]);
        let m = semantic(&exp, &bad, 1e-6, 1e-4);
        assert_eq!(
            m,
            Some(Mismatch::Value {
                row: 1,
                time: 1.0,
                column: "A".into(),
                expected: 0.5,
                found: 0.6
            })
        );
        assert_eq!(
            m.map(|m| m.to_string()).as_deref(),
            Some("row 2 (time 1), column 'A': expected 0.5, found 0.6")
        );
        let short = table(&["time", "A"], &[&[0.0, 1.0], &[1.0, 0.5]]);
        assert_eq!(
            semantic(&exp, &short, 1e-6, 1e-4),
            Some(Mismatch::MissingColumn { column: "B".into() })
        );
    }

    #[test]
    fn dsmts_statistics() -> Result<(), Mismatch> {
        let exp = table(
            &["time", "X-mean", "X-sd"],
            &[&[0.0, 100.0, 0.0], &[1.0, 99.0, 4.0]],
        );
        // n = 10000: Z = 100 * (99.1 - 99) / 4 = 2.5; Y = sqrt(5000) * (4.2²/16 - 1) ≈ 7.25.
        let sim = table(
            &["time", "X-mean", "X-sd"],
            &[&[0.0, 100.0, 0.0], &[1.0, 99.1, 4.2]],
        );
        let r = dsmts(&exp, &sim, 10_000, (-3.0, 3.0), (-5.0, 5.0))?;
        assert_eq!(r.checked, 4);
        assert_eq!(r.misses.len(), 1);
        assert_eq!(r.misses[0].statistic, Statistic::Y);
        assert!((r.misses[0].value - 5000f64.sqrt() * (4.2f64.powi(2) / 16.0 - 1.0)).abs() < 1e-9);
        // Means only: Y is skipped and the simulated SD stands in for sigma.
        let means = table(&["time", "X-mean"], &[&[0.0, 100.0], &[1.0, 99.0]]);
        let r = dsmts(&means, &sim, 10_000, (-3.0, 3.0), (-5.0, 5.0))?;
        assert_eq!((r.checked, r.misses.len()), (2, 0));
        Ok(())
    }
}
