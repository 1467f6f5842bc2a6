//! Global sensitivity analysis of a model's scalar output to its uncertain
//! factors.
//!
//! Two designs, each a fixed set of points at which the caller runs the
//! model, then hands the outputs back in the same order:
//!
//! - [`SaltelliDesign`]: variance-based Sobol' indices. First-order indices by
//!   the Saltelli et al. (2010) estimator, total-order indices by Jansen
//!   (1999), with seeded bootstrap confidence intervals. The base sample is a
//!   scrambled Sobol' sequence (Owen scrambling as in Burley 2020, from the
//!   `sobol_burley` crate). The layout of the points and the estimators are
//!   those of SALib's `sample.sobol` / `analyze.sobol` with
//!   `calc_second_order=False`, so SALib can analyse our points.
//! - [`MorrisDesign`]: Morris (1991) elementary-effects screening with
//!   random one-at-a-time trajectories, reporting μ, σ and Campolongo et al.
//!   (2007) μ*.
//!
//! Each [`Factor`] is uniform on `[low, high]`, or log-uniform when `log` is
//! set. Both designs are deterministic given their seed.
//!
//! # Example
//!
//! ```
//! use senmet_stats::sensitivity::{Factor, SaltelliDesign};
//!
//! let factors = [
//!     Factor { name: "a".into(), low: 0.0, high: 1.0, log: false },
//!     Factor { name: "b".into(), low: 0.0, high: 1.0, log: false },
//! ];
//! let design = SaltelliDesign::new(&factors, 1024, 7)?;
//! let y: Vec<f64> = design.points().iter().map(|x| x[0] + 0.1 * x[1]).collect();
//! let s = design.analyse(&y, 100)?;
//! assert!(s.first[0] > 0.9 && s.total[1] < 0.05);
//! # Ok::<(), senmet_stats::Error>(())
//! ```

mod morris;
mod sobol;

pub use morris::{MorrisDesign, MorrisIndices};
pub use sobol::{SaltelliDesign, SobolIndices};

use crate::{Error, Result};

/// One uncertain input of a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Factor {
    /// Name, reported with the indices.
    pub name: String,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// Log-uniform on `[low, high]` (needs `low > 0`) instead of uniform.
    pub log: bool,
}

impl Factor {
    /// Maps `u` in `[0, 1]` to the factor's units: linearly, or linearly in
    /// log space for a log-uniform factor.
    fn scale(&self, u: f64) -> f64 {
        if self.log {
            (self.low.ln() + u * (self.high.ln() - self.low.ln())).exp()
        } else {
            self.low + u * (self.high - self.low)
        }
    }
}

/// Checks the factors and returns their names.
fn check_factors(factors: &[Factor]) -> Result<Vec<String>> {
    if factors.is_empty() {
        return Err(Error::NoFactors);
    }
    for f in factors {
        if !(f.low.is_finite() && f.high.is_finite() && f.low < f.high) {
            return Err(Error::FactorBounds {
                name: f.name.clone(),
                low: f.low,
                high: f.high,
            });
        }
        if f.log && f.low <= 0.0 {
            return Err(Error::LogFactorBounds {
                name: f.name.clone(),
                low: f.low,
            });
        }
    }
    Ok(factors.iter().map(|f| f.name.clone()).collect())
}

/// Checks that there is one finite output per design point.
fn check_outputs(outputs: &[f64], expected: usize) -> Result<()> {
    if outputs.len() != expected {
        return Err(Error::OutputCount {
            expected,
            found: outputs.len(),
        });
    }
    match outputs.iter().position(|y| !y.is_finite()) {
        Some(row) => Err(Error::NonFiniteOutput {
            row,
            value: outputs[row],
        }),
        None => Ok(()),
    }
}

/// Checks `value` against `min..=max`.
fn check_size(
    what: &'static str,
    value: usize,
    min: usize,
    max: usize,
    expected: &'static str,
) -> Result<()> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(Error::DesignSize {
            what,
            found: value,
            expected,
        })
    }
}

/// Sample mean and standard deviation (`n − 1` denominator; NaN below 2 values).
fn mean_sd(values: impl ExactSizeIterator<Item = f64> + Clone) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.clone().sum::<f64>() / n;
    let ss = values.map(|v| (v - mean).powi(2)).sum::<f64>();
    (mean, (ss / (n - 1.0)).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor(name: &str, low: f64, high: f64, log: bool) -> Factor {
        Factor {
            name: name.into(),
            low,
            high,
            log,
        }
    }

    #[test]
    fn bad_factors_are_named() {
        assert!(matches!(check_factors(&[]), Err(Error::NoFactors)));
        let e = check_factors(&[factor("k1", 2.0, 2.0, false)]);
        assert!(matches!(e, Err(Error::FactorBounds { ref name, .. }) if name == "k1"));
        let e = check_factors(&[factor("k2", f64::NAN, 2.0, false)]);
        assert!(matches!(e, Err(Error::FactorBounds { .. })));
        let e = check_factors(&[factor("k3", 0.0, 2.0, true)]);
        assert!(matches!(e, Err(Error::LogFactorBounds { ref name, .. }) if name == "k3"));
    }

    #[test]
    fn outputs_are_checked_by_count_and_value() {
        assert!(matches!(
            check_outputs(&[1.0], 2),
            Err(Error::OutputCount {
                expected: 2,
                found: 1
            })
        ));
        let e = check_outputs(&[1.0, f64::INFINITY], 2);
        assert!(matches!(e, Err(Error::NonFiniteOutput { row: 1, .. })));
        assert!(e.is_err_and(|e| e.to_string().contains("design point 1")));
    }

    #[test]
    fn log_factor_scales_geometrically() {
        let f = factor("k", 0.01, 100.0, true);
        assert!((f.scale(0.5) - 1.0).abs() < 1e-12);
        assert!((f.scale(0.0) - 0.01).abs() < 1e-15);
        let g = factor("g", -1.0, 3.0, false);
        assert_eq!(g.scale(0.25), 0.0);
    }
}
