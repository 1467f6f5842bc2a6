//! Ordinary least squares with t-tests, as `statsmodels.OLS`.

use nalgebra::{DMatrix, DVector};

use crate::dist::t_two_sided;
use crate::{Error, Result};

/// One coefficient of a fitted model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coefficient {
    /// Estimate.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// Test statistic (t for OLS, z for logistic and Cox).
    pub statistic: f64,
    /// Two-sided p-value.
    pub p: f64,
}

/// A least-squares fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Coefficients in design-column order (intercept first).
    pub coefficients: Vec<Coefficient>,
    /// Residual degrees of freedom, n − p.
    pub df_resid: usize,
    /// Residual variance estimate σ².
    pub sigma2: f64,
}

/// Fits `y = β₀ + Σ βⱼ xⱼ` by Householder QR; `columns` are the predictors
/// (the intercept is added). Standard errors use σ² = RSS/(n − p).
///
/// # Errors
///
/// Mismatched lengths, n ≤ p, or a rank-deficient design.
///
/// # Examples
///
/// ```
/// let x = [1.0, 2.0, 3.0, 4.0];
/// let y = [2.1, 3.9, 6.2, 7.8];
/// let fit = senmet_stats::linear::ols(&y, &[&x])?;
/// assert!((fit.coefficients[1].estimate - 1.94).abs() < 1e-12);
/// # Ok::<(), senmet_stats::Error>(())
/// ```
pub fn ols(y: &[f64], columns: &[&[f64]]) -> Result<Fit> {
    let n = y.len();
    let p = columns.len() + 1;
    if let Some(c) = columns.iter().find(|c| c.len() != n) {
        return Err(Error::LengthMismatch {
            left: n,
            right: c.len(),
        });
    }
    if n <= p {
        return Err(Error::TooFew {
            needed: p + 1,
            found: n,
        });
    }
    let x = design(n, columns);
    let qr = x.clone().qr();
    let r = qr.r();
    let scale = r.diagonal().amax().max(f64::MIN_POSITIVE);
    if r.diagonal().iter().any(|d| d.abs() <= 1e-10 * scale) {
        return Err(Error::Singular);
    }
    let yv = DVector::from_column_slice(y);
    let qty = qr.q().transpose() * &yv;
    let beta = r.solve_upper_triangular(&qty).ok_or(Error::Singular)?;
    let resid = &yv - &x * &beta;
    let df = n - p;
    let sigma2 = resid.norm_squared() / df as f64;
    let r_inv = r
        .solve_upper_triangular(&DMatrix::identity(p, p))
        .ok_or(Error::Singular)?;
    let cov = &r_inv * r_inv.transpose() * sigma2;
    let coefficients = (0..p)
        .map(|j| {
            let se = cov[(j, j)].sqrt();
            let t = beta[j] / se;
            Coefficient {
                estimate: beta[j],
                se,
                statistic: t,
                p: t_two_sided(t, df as f64),
            }
        })
        .collect();
    Ok(Fit {
        coefficients,
        df_resid: df,
        sigma2,
    })
}

/// An n × (1 + k) design matrix with a leading column of ones.
pub(crate) fn design(n: usize, columns: &[&[f64]]) -> DMatrix<f64> {
    DMatrix::from_fn(n, columns.len() + 1, |i, j| {
        if j == 0 {
            1.0
        } else {
            columns[j - 1][i]
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collinear_design_is_singular() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let x2 = [2.0, 4.0, 6.0, 8.0, 10.0];
        let y = [1.0, 3.0, 2.0, 5.0, 4.0];
        assert!(matches!(ols(&y, &[&x, &x2]), Err(Error::Singular)));
        assert!(matches!(
            ols(&y[..2], &[&x[..2]]),
            Err(Error::TooFew { .. })
        ));
    }

    #[test]
    fn exact_line_has_zero_residual() -> Result<()> {
        let x = [0.0, 1.0, 2.0, 3.0];
        let y = [1.0, 3.0, 5.0, 7.0];
        let fit = ols(&y, &[&x])?;
        assert!((fit.coefficients[0].estimate - 1.0).abs() < 1e-12);
        assert!((fit.coefficients[1].estimate - 2.0).abs() < 1e-12);
        assert!(fit.sigma2 < 1e-20);
        Ok(())
    }
}
