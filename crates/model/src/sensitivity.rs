//! Global sensitivity of the aged/young metastasis ratio to the parameter priors.
//!
//! A [`Problem`] holds one cancer type, an aged and a young arm of a
//! scenario, and the factors: every parameter of the resolved table whose
//! prior is uniform or log-uniform, except the between-subject variation
//! CVs (the readout is the deterministic expectation of
//! [`expected::macro_metastases`], which has no between-subject variation)
//! and intervention parameters (the compared arms are untreated; a
//! parameter they never read would only add zero indices and cost).
//!
//! Two constraints of the network are kept at every design point, and every
//! point where one had to be enforced is flagged in its [`Evaluation`]:
//!
//! - the tropisms `tropism_lung`, `tropism_liver`, `tropism_bone` are shares
//!   of arrested cells and must sum to 1: each is drawn from its prior and the
//!   three are then divided by their sum (so their indices describe the
//!   relative weights);
//! - the EV uptake shares of liver, spleen, lung and kidney must sum to at
//!   most 1 (the rest goes to other tissues): where the draws sum above 1
//!   they are scaled down proportionally to sum to 1 (less 1e-12).

use senmet_stats::sensitivity::Factor;

use crate::build::{Design, ORGANS};
use crate::error::{ModelError, Result};
use crate::expected;
use crate::experiment::{start_day, Arm, Experiment};
use crate::params::{Params, Prior, Tables};

/// Layers of the parameter table left out of the factors (see the module docs).
const SKIPPED_LAYERS: [&str; 2] = ["variation", "intervention"];

/// EV uptake shares that must sum to at most 1.
const EV_SHARES: [&str; 4] = [
    "ev_share_liver",
    "ev_share_spleen",
    "ev_share_lung",
    "ev_share_kidney",
];

/// What a design point's output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Expected macro-metastases of the aged arm over the young arm.
    AgedYoungRatio,
    /// Expected macro-metastases of the aged arm.
    AgedMetastases,
    /// Expected macro-metastases of the young arm.
    YoungMetastases,
}

impl Target {
    /// Every target, in the order of [`Target::name`]s offered to users.
    pub const ALL: [Target; 3] = [
        Target::AgedYoungRatio,
        Target::AgedMetastases,
        Target::YoungMetastases,
    ];

    /// The name used on the command line and in tables.
    pub fn name(self) -> &'static str {
        match self {
            Target::AgedYoungRatio => "aged_young_ratio",
            Target::AgedMetastases => "aged_metastases",
            Target::YoungMetastases => "young_metastases",
        }
    }

    /// The target with this name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == s)
    }
}

/// The expectations at one design point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Expected macro-metastases of the aged arm.
    pub aged: f64,
    /// Expected macro-metastases of the young arm.
    pub young: f64,
    /// Whether the EV shares had to be scaled down to sum to 1.
    pub shares_scaled: bool,
}

impl Evaluation {
    /// The target's value; the ratio of two zero expectations (no colony can
    /// reach detection in either arm) is 1: the arms do not differ.
    pub fn value(&self, target: Target) -> f64 {
        match target {
            Target::AgedMetastases => self.aged,
            Target::YoungMetastases => self.young,
            Target::AgedYoungRatio if self.aged == 0.0 && self.young == 0.0 => 1.0,
            Target::AgedYoungRatio => self.aged / self.young,
        }
    }
}

/// One sensitivity problem: a cancer type, two arms and the factors.
#[derive(Debug, Clone)]
pub struct Problem {
    base: Params,
    aged: Arm,
    young: Arm,
    t0: f64,
    t_end: f64,
    factors: Vec<Factor>,
}

impl Problem {
    /// The problem for cancer type `cancer` and arms `aged` and `young` of
    /// `exp` (its parameter overrides and duration applied).
    ///
    /// # Errors
    ///
    /// Unknown arms or cancer type, arms of different host species, bad overrides.
    pub fn new(
        exp: &Experiment,
        tables: &Tables,
        cancer: &str,
        aged: &str,
        young: &str,
    ) -> Result<Self> {
        let arm = |name: &str| {
            exp.arms
                .iter()
                .find(|a| a.name == name)
                .cloned()
                .ok_or_else(|| ModelError::BadValue {
                    name: format!("arm `{name}`"),
                    value: f64::NAN,
                    expected: "the name of an arm of the scenario".into(),
                })
        };
        let (aged, young) = (arm(aged)?, arm(young)?);
        if aged.host.species != young.host.species {
            return Err(ModelError::BadValue {
                name: format!("host species of arm `{}`", young.name),
                value: f64::NAN,
                expected: format!("the same as arm `{}`", aged.name),
            });
        }
        let mut base = tables.resolve(aged.host.species, cancer)?;
        for (name, value) in &exp.overrides {
            base.set(name, *value)?;
        }
        let t_end = match exp.duration {
            Some(d) => d,
            None => base.get("duration")?,
        };
        Ok(Self {
            factors: factors(&base),
            base,
            aged,
            young,
            t0: start_day(exp),
            t_end,
        })
    }

    /// The factors, in parameter-name order.
    pub fn factors(&self) -> &[Factor] {
        &self.factors
    }

    /// The parameter values (defaults, with the scenario's overrides).
    pub fn params(&self) -> &Params {
        &self.base
    }

    /// Both arms' expectations with the factors set to `point` (one value per factor).
    ///
    /// # Errors
    ///
    /// A point of the wrong length, values the model rejects, solver failures.
    pub fn evaluate(&self, point: &[f64]) -> Result<Evaluation> {
        if point.len() != self.factors.len() {
            return Err(ModelError::BadValue {
                name: "design point".into(),
                value: point.len() as f64,
                expected: format!("{} values, one per factor", self.factors.len()),
            });
        }
        let mut params = self.base.clone();
        for (f, x) in self.factors.iter().zip(point) {
            params.set(&f.name, *x)?;
        }
        let shares_scaled = constrain(&mut params)?;
        let arm = |a: &Arm| {
            expected::macro_metastases(&Design {
                host: a.host,
                params: &params,
                interventions: &a.interventions,
                age_effects: a.age_effects,
                t0: self.t0,
                t_end: self.t_end,
            })
        };
        Ok(Evaluation {
            aged: arm(&self.aged)?,
            young: arm(&self.young)?,
            shares_scaled,
        })
    }
}

/// The varied parameters of `params` as factors (see the module docs).
fn factors(params: &Params) -> Vec<Factor> {
    params
        .iter()
        .filter(|(p, _)| p.prior != Prior::Fixed && !SKIPPED_LAYERS.contains(&p.layer.as_str()))
        .map(|(p, _)| Factor {
            name: p.name.clone(),
            low: p.low,
            high: p.high,
            log: p.prior == Prior::LogUniform,
        })
        .collect()
}

/// Renormalises the tropisms to sum 1 and scales EV shares down to sum at
/// most 1; returns whether the shares were scaled.
fn constrain(params: &mut Params) -> Result<bool> {
    let names: Vec<String> = ORGANS.iter().map(|o| format!("tropism_{o}")).collect();
    let values = names
        .iter()
        .map(|n| params.get(n))
        .collect::<Result<Vec<f64>>>()?;
    let sum: f64 = values.iter().sum();
    if sum > 0.0 {
        for (n, v) in names.iter().zip(&values) {
            params.set(n, v / sum)?;
        }
    }
    let shares = EV_SHARES
        .iter()
        .map(|n| params.get(n))
        .collect::<Result<Vec<f64>>>()?;
    let sum: f64 = shares.iter().sum();
    if sum <= 1.0 {
        return Ok(false);
    }
    // Slightly below 1, so that rounding in the network's own sum cannot exceed 1.
    let scale = (1.0 - 1e-12) / sum;
    for (n, v) in EV_SHARES.iter().zip(&shares) {
        params.set(n, v * scale)?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::scenario;

    fn problem() -> Result<Problem> {
        let tables = Tables::builtin()?;
        let exp = scenario::parse(scenario::DEFAULT, Path::new("default"), &tables)?;
        Problem::new(&exp, &tables, "lung", "aged_vehicle", "young_vehicle")
    }

    #[test]
    fn factors_skip_fixed_variation_and_intervention_parameters() -> Result<()> {
        let p = problem()?;
        let names: Vec<&str> = p.factors().iter().map(|f| f.name.as_str()).collect();
        for kept in ["colony_probability", "tropism_bone", "ev_release_base"] {
            assert!(names.contains(&kept), "{kept} missing");
        }
        for skipped in ["duration", "var_growth", "dq_course_kill", "cells_per_gram"] {
            assert!(!names.contains(&skipped), "{skipped} kept");
        }
        Ok(())
    }

    #[test]
    fn out_of_simplex_points_are_constrained_and_flagged() -> Result<()> {
        let p = problem()?;
        let mut point: Vec<f64> = p
            .factors()
            .iter()
            .map(|f| p.params().get(&f.name))
            .collect::<Result<_>>()?;
        let at_default = p.evaluate(&point)?;
        assert!(!at_default.shares_scaled);
        assert!(at_default.value(Target::AgedYoungRatio) > 1.0);
        for (f, x) in p.factors().iter().zip(point.iter_mut()) {
            if f.name.starts_with("ev_share_") || f.name.starts_with("tropism_") {
                *x = f.high;
            }
        }
        let e = p.evaluate(&point)?;
        assert!(e.shares_scaled && e.aged > 0.0 && e.young > 0.0);
        assert!(p.evaluate(&point[1..]).is_err());
        Ok(())
    }

    #[test]
    fn zero_over_zero_is_no_difference() {
        let e = Evaluation {
            aged: 0.0,
            young: 0.0,
            shares_scaled: false,
        };
        assert_eq!(e.value(Target::AgedYoungRatio), 1.0);
        assert_eq!(
            Target::parse("aged_young_ratio"),
            Some(Target::AgedYoungRatio)
        );
    }
}
