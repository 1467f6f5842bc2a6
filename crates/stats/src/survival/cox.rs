//! The Cox proportional-hazards model with Efron's tie handling (Efron 1977),
//! fitted by Newton–Raphson with step halving, as R `survival::coxph` and
//! `lifelines.CoxPHFitter`.

use nalgebra::{DMatrix, DVector};

use crate::dist::normal_two_sided;
use crate::linear::Coefficient;
use crate::{Error, Result};

/// A Cox fit.
#[derive(Debug, Clone, PartialEq)]
pub struct CoxFit {
    /// Log hazard ratios, one per covariate, with Wald z tests.
    pub coefficients: Vec<Coefficient>,
    /// Partial log-likelihood at the estimate.
    pub log_likelihood: f64,
    /// Newton iterations used.
    pub iterations: usize,
}

const MAX_ITER: usize = 50;

/// Fits `h(t | x) = h₀(t) exp(βᵀx)` by maximising Efron's partial likelihood.
///
/// # Errors
///
/// Mismatched lengths, no event, a singular information matrix (constant or
/// collinear covariates), monotone likelihood (infinite estimate) or no
/// convergence.
///
/// # Examples
///
/// ```
/// let t = [5.0, 6.0, 6.0, 2.0, 4.0, 4.0, 7.0, 8.0];
/// let e = [true, false, true, true, true, false, true, true];
/// let x = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0];
/// let fit = senmet_stats::survival::cox_ph(&t, &e, &[&x])?;
/// assert!(fit.coefficients[0].p > 0.05);
/// # Ok::<(), senmet_stats::Error>(())
/// ```
pub fn cox_ph(time: &[f64], event: &[bool], columns: &[&[f64]]) -> Result<CoxFit> {
    check(time, event, columns)?;
    let data = Data::new(time, event, columns);
    let p = columns.len();
    let mut beta = DVector::zeros(p);
    let (mut ll, mut grad, mut info) = data.evaluate(&beta);
    for iteration in 1..=MAX_ITER {
        let step = info.clone().cholesky().ok_or(Error::Singular)?.solve(&grad);
        let mut scale = 1.0;
        let (new_beta, new) = loop {
            let candidate = &beta + &step * scale;
            let eval = data.evaluate(&candidate);
            if eval.0 >= ll - 1e-12 * ll.abs() || scale < 1e-6 {
                break (candidate, eval);
            }
            scale /= 2.0;
        };
        let change = (new.0 - ll).abs();
        beta = new_beta;
        (ll, grad, info) = new;
        if beta
            .iter()
            .zip(&data.sd)
            .any(|(b, sd)| (b * sd).abs() > 20.0)
        {
            return Err(Error::Separation);
        }
        if change <= 1e-13 * (1.0 + ll.abs()) && step.amax() * scale < 1e-9 {
            return finish(&beta, ll, info, iteration);
        }
    }
    Err(Error::NoConvergence {
        iterations: MAX_ITER,
    })
}

fn check(time: &[f64], event: &[bool], columns: &[&[f64]]) -> Result<()> {
    let n = time.len();
    let other = std::iter::once(event.len()).chain(columns.iter().map(|c| c.len()));
    if let Some(m) = other.into_iter().find(|m| *m != n) {
        return Err(Error::LengthMismatch { left: n, right: m });
    }
    if !event.iter().any(|e| *e) {
        return Err(Error::TooFew {
            needed: 1,
            found: 0,
        });
    }
    Ok(())
}

fn finish(beta: &DVector<f64>, ll: f64, info: DMatrix<f64>, iterations: usize) -> Result<CoxFit> {
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
    Ok(CoxFit {
        coefficients,
        log_likelihood: ll,
        iterations,
    })
}

/// Subjects sorted by decreasing time, covariates centred.
struct Data {
    /// (time, event, centred covariates), by decreasing time.
    rows: Vec<(f64, bool, DVector<f64>)>,
    p: usize,
    /// Standard deviation of each covariate: a log hazard ratio above 20 per
    /// SD means the likelihood is monotone (the estimate is infinite).
    sd: Vec<f64>,
}

impl Data {
    fn new(time: &[f64], event: &[bool], columns: &[&[f64]]) -> Self {
        let n = time.len();
        let means: Vec<f64> = columns
            .iter()
            .map(|c| c.iter().sum::<f64>() / n as f64)
            .collect();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| time[b].total_cmp(&time[a]));
        let rows = order
            .into_iter()
            .map(|i| {
                let x = DVector::from_iterator(
                    columns.len(),
                    columns.iter().zip(&means).map(|(c, m)| c[i] - m),
                );
                (time[i], event[i], x)
            })
            .collect();
        let sd = columns
            .iter()
            .zip(&means)
            .map(|(c, m)| (c.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n as f64).sqrt())
            .collect();
        Self {
            rows,
            p: columns.len(),
            sd,
        }
    }

    /// Efron partial log-likelihood, its gradient and the information matrix.
    fn evaluate(&self, beta: &DVector<f64>) -> (f64, DVector<f64>, DMatrix<f64>) {
        let p = self.p;
        let (mut ll, mut grad, mut info) = (0.0, DVector::zeros(p), DMatrix::zeros(p, p));
        let (mut s0, mut s1, mut s2) = (0.0, DVector::zeros(p), DMatrix::zeros(p, p));
        let mut i = 0;
        while i < self.rows.len() {
            let t = self.rows[i].0;
            let (mut d, mut a0, mut a1, mut a2) =
                (0usize, 0.0, DVector::zeros(p), DMatrix::zeros(p, p));
            while i < self.rows.len() && self.rows[i].0 == t {
                let (_, dead, x) = &self.rows[i];
                let eta = x.dot(beta);
                let w = eta.exp();
                let xxt = x * x.transpose();
                s0 += w;
                s1 += x * w;
                s2 += &xxt * w;
                if *dead {
                    d += 1;
                    ll += eta;
                    grad += x;
                    a0 += w;
                    a1 += x * w;
                    a2 += xxt * w;
                }
                i += 1;
            }
            for l in 0..d {
                let f = l as f64 / d as f64;
                let r0 = s0 - f * a0;
                let r1 = &s1 - &a1 * f;
                let r2 = &s2 - &a2 * f;
                ll -= r0.ln();
                grad -= &r1 / r0;
                info += r2 / r0 - (&r1 * r1.transpose()) / (r0 * r0);
            }
        }
        (ll, grad, info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_covariate_is_singular() {
        let t = [1.0, 2.0, 3.0];
        let e = [true, true, false];
        assert!(matches!(
            cox_ph(&t, &e, &[&[1.0, 1.0, 1.0]]),
            Err(Error::Singular)
        ));
        assert!(cox_ph(&t, &[false; 3], &[&[1.0, 2.0, 3.0]]).is_err());
    }

    #[test]
    fn perfectly_ordered_hazard_is_separation() {
        let t = [1.0, 2.0, 3.0, 4.0];
        let e = [true; 4];
        let x = [4.0, 3.0, 2.0, 1.0];
        assert!(matches!(cox_ph(&t, &e, &[&x]), Err(Error::Separation)));
    }
}
