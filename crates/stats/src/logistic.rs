//! Logistic regression by iteratively reweighted least squares (Newton), as
//! `statsmodels.Logit`.

use nalgebra::{DMatrix, DVector};

use crate::dist::normal_two_sided;
use crate::linear::{design, Coefficient};
use crate::{Error, Result};

/// A logistic fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Coefficients (log-odds) in design order, intercept first, with Wald z tests.
    pub coefficients: Vec<Coefficient>,
    /// Log-likelihood at the estimate.
    pub log_likelihood: f64,
    /// Newton iterations used.
    pub iterations: usize,
}

const MAX_ITER: usize = 100;

/// Fits `logit P(y = 1) = β₀ + Σ βⱼ xⱼ`.
///
/// # Errors
///
/// Mismatched lengths, too few observations, an outcome with one class,
/// a singular design, perfect separation, or no convergence.
///
/// # Examples
///
/// ```
/// let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let y = [false, true, false, true, true, false];
/// let fit = senmet_stats::logistic::logit(&y, &[&x])?;
/// assert!(fit.coefficients[1].p > 0.5);
/// # Ok::<(), senmet_stats::Error>(())
/// ```
pub fn logit(y: &[bool], columns: &[&[f64]]) -> Result<Fit> {
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
    if y.iter().all(|v| *v) || y.iter().all(|v| !*v) {
        return Err(Error::Constant {
            what: "the outcome",
        });
    }
    let x = design(n, columns);
    let yv = DVector::from_iterator(n, y.iter().map(|&v| f64::from(u8::from(v))));
    let mut beta = DVector::zeros(p);
    let mut ll_old = f64::NEG_INFINITY;
    for iteration in 1..=MAX_ITER {
        let (grad, info, ll) = score_and_information(&x, &yv, &beta);
        let chol = info.clone().cholesky().ok_or(Error::Singular)?;
        let step = chol.solve(&grad);
        beta += &step;
        let converged = step.amax() < 1e-12 * (1.0 + beta.amax()) || (ll - ll_old).abs() < 1e-14;
        ll_old = ll;
        if beta.amax() > 1e6 || separated(&x, &beta) {
            return Err(Error::Separation);
        }
        if converged {
            return finish(&x, &yv, &beta, iteration);
        }
    }
    Err(Error::NoConvergence {
        iterations: MAX_ITER,
    })
}

fn finish(
    x: &DMatrix<f64>,
    y: &DVector<f64>,
    beta: &DVector<f64>,
    iterations: usize,
) -> Result<Fit> {
    let (_, info, ll) = score_and_information(x, y, beta);
    let cov = info.try_inverse().ok_or(Error::Singular)?;
    let coefficients = (0..beta.len())
        .map(|j| {
            let se = cov[(j, j)].sqrt();
            let z = beta[j] / se;
            Coefficient {
                estimate: beta[j],
                se,
                statistic: z,
                p: normal_two_sided(z),
            }
        })
        .collect();
    Ok(Fit {
        coefficients,
        log_likelihood: ll,
        iterations,
    })
}

/// Gradient, Fisher information and log-likelihood at `beta`.
fn score_and_information(
    x: &DMatrix<f64>,
    y: &DVector<f64>,
    beta: &DVector<f64>,
) -> (DVector<f64>, DMatrix<f64>, f64) {
    let eta = x * beta;
    let mut w = DVector::zeros(y.len());
    let mut resid = DVector::zeros(y.len());
    let mut ll = 0.0;
    for i in 0..y.len() {
        let mu = 1.0 / (1.0 + (-eta[i]).exp());
        w[i] = mu * (1.0 - mu);
        resid[i] = y[i] - mu;
        // log(1 + e^η) computed stably.
        let softplus = eta[i].max(0.0) + (-eta[i].abs()).exp().ln_1p();
        ll += y[i] * eta[i] - softplus;
    }
    let grad = x.transpose() * resid;
    let xw = DMatrix::from_fn(x.nrows(), x.ncols(), |i, j| x[(i, j)] * w[i]);
    (grad, x.transpose() * xw, ll)
}

/// True when the fitted probabilities are all within 1e-10 of 0 or 1.
fn separated(x: &DMatrix<f64>, beta: &DVector<f64>) -> bool {
    (x * beta).iter().all(|eta| eta.abs() > 23.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separated_data_is_an_error() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let y = [false, false, false, true, true, true];
        assert!(matches!(logit(&y, &[&x]), Err(Error::Separation)));
        assert!(matches!(
            logit(&[true; 6], &[&x]),
            Err(Error::Constant { .. })
        ));
    }
}
