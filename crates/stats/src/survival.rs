//! Survival analysis: Kaplan–Meier with Greenwood confidence intervals, the
//! log-rank test and the Cox proportional-hazards model with Efron ties.
//!
//! Conventions follow `lifelines` (and R `survival` where they agree): KM
//! steps at each distinct observed time; the pointwise CI is the exponential
//! Greenwood ("log-log") interval of lifelines' `KaplanMeierFitter`; the
//! log-rank statistic uses the hypergeometric variance with ties, as
//! `lifelines.statistics.logrank_test` and R `survdiff`.

mod cox;

pub use cox::{cox_ph, CoxFit};

use crate::dist::{chi2_sf, normal_quantile};
use crate::{Error, Result};

/// A Kaplan–Meier curve, one entry per distinct observed time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KaplanMeier {
    /// Distinct times (events or censorings), increasing.
    pub times: Vec<f64>,
    /// At risk just before each time.
    pub n_risk: Vec<usize>,
    /// Events at each time.
    pub n_event: Vec<usize>,
    /// Survival just after each time.
    pub survival: Vec<f64>,
    /// Lower bound of the pointwise CI (NaN while survival is 1).
    pub lower: Vec<f64>,
    /// Upper bound of the pointwise CI (NaN while survival is 1).
    pub upper: Vec<f64>,
}

/// Checks paired survival data.
fn check(time: &[f64], event: &[bool]) -> Result<()> {
    if time.len() != event.len() {
        return Err(Error::LengthMismatch {
            left: time.len(),
            right: event.len(),
        });
    }
    if time.is_empty() {
        return Err(Error::TooFew {
            needed: 1,
            found: 0,
        });
    }
    Ok(())
}

/// Distinct times with (at risk, events, censored) counts, increasing.
fn table(time: &[f64], event: &[bool]) -> Vec<(f64, usize, usize)> {
    let mut order: Vec<usize> = (0..time.len()).collect();
    order.sort_by(|&a, &b| time[a].total_cmp(&time[b]));
    let mut rows: Vec<(f64, usize, usize)> = Vec::new();
    for i in order {
        match rows.last_mut() {
            Some(last) if last.0 == time[i] => {
                last.1 += usize::from(event[i]);
                last.2 += 1;
            }
            _ => rows.push((time[i], usize::from(event[i]), 1)),
        }
    }
    rows
}

/// The Kaplan–Meier estimate with a `1 − alpha` exponential-Greenwood CI.
///
/// # Errors
///
/// Mismatched or empty inputs.
///
/// # Examples
///
/// ```
/// let km = senmet_stats::survival::kaplan_meier(&[1.0, 2.0, 2.0, 3.0], &[true, true, false, true], 0.05)?;
/// assert_eq!(km.survival, [0.75, 0.5, 0.0]);
/// # Ok::<(), senmet_stats::Error>(())
/// ```
pub fn kaplan_meier(time: &[f64], event: &[bool], alpha: f64) -> Result<KaplanMeier> {
    check(time, event)?;
    let z = normal_quantile(1.0 - alpha / 2.0);
    let mut km = KaplanMeier::default();
    let mut at_risk = time.len();
    let (mut s, mut greenwood) = (1.0, 0.0);
    for (t, d, removed) in table(time, event) {
        s *= 1.0 - d as f64 / at_risk as f64;
        if d < at_risk {
            greenwood += d as f64 / (at_risk as f64 * (at_risk - d) as f64);
        }
        let v = s.ln();
        let half = z * greenwood.sqrt() / v;
        let (lo, hi) = if v < 0.0 && s > 0.0 {
            let c = (-v).ln();
            ((-(c - half).exp()).exp(), (-(c + half).exp()).exp())
        } else {
            (f64::NAN, f64::NAN)
        };
        km.times.push(t);
        km.n_risk.push(at_risk);
        km.n_event.push(d);
        km.survival.push(s);
        km.lower.push(lo);
        km.upper.push(hi);
        at_risk -= removed;
    }
    Ok(km)
}

/// A two-group log-rank test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogRank {
    /// Chi-square statistic (1 df).
    pub chi2: f64,
    /// p-value.
    pub p: f64,
    /// Observed events in group 1 (`group == true`).
    pub observed: f64,
    /// Expected events in group 1 under the null.
    pub expected: f64,
    /// Observed events in group 0.
    pub observed_other: f64,
    /// Expected events in group 0.
    pub expected_other: f64,
}

/// The log-rank test of group `true` against group `false`.
///
/// # Errors
///
/// Mismatched or empty inputs, an empty group, or no event at all.
///
/// # Examples
///
/// ```
/// let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let e = [true; 6];
/// let g = [true, true, true, false, false, false];
/// let lr = senmet_stats::survival::log_rank(&t, &e, &g)?;
/// assert!(lr.p < 0.05);
/// # Ok::<(), senmet_stats::Error>(())
/// ```
pub fn log_rank(time: &[f64], event: &[bool], group: &[bool]) -> Result<LogRank> {
    check(time, event)?;
    if group.len() != time.len() {
        return Err(Error::LengthMismatch {
            left: time.len(),
            right: group.len(),
        });
    }
    let n1 = group.iter().filter(|g| **g).count();
    if n1 == 0 || n1 == group.len() {
        return Err(Error::Constant { what: "the group" });
    }
    let mut order: Vec<usize> = (0..time.len()).collect();
    order.sort_by(|&a, &b| time[a].total_cmp(&time[b]));
    let (mut r1, mut r) = (n1 as f64, time.len() as f64);
    let (mut o1, mut e1, mut var, mut o_all) = (0.0, 0.0, 0.0, 0.0);
    let mut i = 0;
    while i < order.len() {
        let (j, [d, d1, c, c1]) = tie_group(time, event, group, &order, i);
        if d > 0.0 {
            e1 += d * r1 / r;
            if r > 1.0 {
                var += d * (r1 / r) * (1.0 - r1 / r) * (r - d) / (r - 1.0);
            }
        }
        o1 += d1;
        o_all += d;
        r -= c;
        r1 -= c1;
        i = j;
    }
    if o_all == 0.0 {
        return Err(Error::TooFew {
            needed: 1,
            found: 0,
        });
    }
    let chi2 = (o1 - e1).powi(2) / var;
    Ok(LogRank {
        chi2,
        p: chi2_sf(chi2, 1.0),
        observed: o1,
        expected: e1,
        observed_other: o_all - o1,
        expected_other: o_all - e1,
    })
}

/// The subjects `order[i..j]` sharing the time of `order[i]`: returns `j` and
/// (events, events in group 1, subjects, subjects in group 1).
fn tie_group(
    time: &[f64],
    event: &[bool],
    group: &[bool],
    order: &[usize],
    i: usize,
) -> (usize, [f64; 4]) {
    let mut counts = [0.0; 4];
    let mut j = i;
    while j < order.len() && time[order[j]] == time[order[i]] {
        let k = order[j];
        let g = if group[k] { 1.0 } else { 0.0 };
        if event[k] {
            counts[0] += 1.0;
            counts[1] += g;
        }
        counts[2] += 1.0;
        counts[3] += g;
        j += 1;
    }
    (j, counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn km_handles_censoring_and_ties() -> Result<()> {
        let km = kaplan_meier(&[5.0, 5.0, 3.0, 8.0], &[true, false, false, true], 0.05)?;
        assert_eq!(km.times, [3.0, 5.0, 8.0]);
        assert_eq!(km.n_risk, [4, 3, 1]);
        assert_eq!(km.survival, [1.0, 1.0 - 1.0 / 3.0, 0.0]);
        assert!(km.lower[0].is_nan());
        assert!(km.lower[1] < km.survival[1] && km.survival[1] < km.upper[1]);
        Ok(())
    }

    #[test]
    fn log_rank_rejects_degenerate_groups() {
        let t = [1.0, 2.0];
        assert!(log_rank(&t, &[true, true], &[true, true]).is_err());
        assert!(log_rank(&t, &[false, false], &[true, false]).is_err());
    }
}
