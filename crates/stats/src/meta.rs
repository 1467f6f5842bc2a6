//! Random-effects meta-analysis by the DerSimonian–Laird method
//! (DerSimonian & Laird 1986), as `statsmodels.stats.meta_analysis.combine_effects(method_re="dl")`.

use crate::dist::{normal_quantile, normal_two_sided};
use crate::{Error, Result};

/// A pooled random-effects estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Meta {
    /// Studies pooled.
    pub k: usize,
    /// Pooled effect.
    pub effect: f64,
    /// Its standard error.
    pub se: f64,
    /// Lower bound of the `1 − alpha` CI.
    pub ci_low: f64,
    /// Upper bound of the CI.
    pub ci_high: f64,
    /// Two-sided p-value of the pooled effect (z test).
    pub p: f64,
    /// Cochran's Q.
    pub q: f64,
    /// I² = max(0, (Q − (k − 1))/Q), as a fraction.
    pub i2: f64,
    /// Between-study variance τ².
    pub tau2: f64,
}

/// Pools `effects` with sampling `variances`.
///
/// # Errors
///
/// Mismatched lengths, fewer than two studies, or a non-positive variance.
///
/// # Examples
///
/// ```
/// let m = senmet_stats::meta::dersimonian_laird(&[0.1, 0.3, 0.2], &[0.01, 0.02, 0.015], 0.05)?;
/// assert!(m.ci_low < m.effect && m.effect < m.ci_high);
/// # Ok::<(), senmet_stats::Error>(())
/// ```
pub fn dersimonian_laird(effects: &[f64], variances: &[f64], alpha: f64) -> Result<Meta> {
    if effects.len() != variances.len() {
        return Err(Error::LengthMismatch {
            left: effects.len(),
            right: variances.len(),
        });
    }
    let k = effects.len();
    if k < 2 {
        return Err(Error::TooFew {
            needed: 2,
            found: k,
        });
    }
    if variances.iter().any(|v| !(*v > 0.0 && v.is_finite())) {
        return Err(Error::Constant {
            what: "a study's variance (must be positive)",
        });
    }
    let w: Vec<f64> = variances.iter().map(|v| 1.0 / v).collect();
    let sw: f64 = w.iter().sum();
    let fixed = w.iter().zip(effects).map(|(w, y)| w * y).sum::<f64>() / sw;
    let q: f64 = w
        .iter()
        .zip(effects)
        .map(|(w, y)| w * (y - fixed).powi(2))
        .sum();
    let df = (k - 1) as f64;
    let c = sw - w.iter().map(|w| w * w).sum::<f64>() / sw;
    let tau2 = ((q - df) / c).max(0.0);
    let wr: Vec<f64> = variances.iter().map(|v| 1.0 / (v + tau2)).collect();
    let swr: f64 = wr.iter().sum();
    let effect = wr.iter().zip(effects).map(|(w, y)| w * y).sum::<f64>() / swr;
    let se = (1.0 / swr).sqrt();
    let z = normal_quantile(1.0 - alpha / 2.0);
    Ok(Meta {
        k,
        effect,
        se,
        ci_low: effect - z * se,
        ci_high: effect + z * se,
        p: normal_two_sided(effect / se),
        q,
        i2: if q > df { (q - df) / q } else { 0.0 },
        tau2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homogeneous_studies_have_no_heterogeneity() -> Result<()> {
        let m = dersimonian_laird(&[0.5, 0.5, 0.5], &[0.1, 0.2, 0.3], 0.05)?;
        assert_eq!((m.tau2, m.i2), (0.0, 0.0));
        assert!((m.effect - 0.5).abs() < 1e-12);
        assert!(dersimonian_laird(&[0.5], &[0.1], 0.05).is_err());
        assert!(dersimonian_laird(&[0.5, 0.1], &[0.1, 0.0], 0.05).is_err());
        Ok(())
    }
}
