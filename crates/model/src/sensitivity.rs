//! Global sensitivity of the aged/young metastasis ratio to the parameter priors.
//!
//! A [`Problem`] holds one cancer type, an aged and a young arm of a
//! scenario, and the factors: the uncertain parameters of the resolved table
//! ([`prior::uncertain`]; the readout is the deterministic expectation of
//! [`expected::macro_metastases`], which has no between-subject variation,
//! and the compared arms are untreated).
//!
//! The constraints of [`prior`] are kept at every design point (so the
//! tropisms' indices describe their relative weights), and every point where
//! the EV shares had to be scaled down is flagged in its [`Evaluation`].

use senmet_stats::sensitivity::Factor;

use crate::build::Design;
use crate::error::{ModelError, Result};
use crate::expected;
use crate::experiment::{self, start_day, Arm, Experiment};
use crate::params::{Params, Prior, Tables};
use crate::prior;

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
        let (base, t_end) = experiment::resolve(exp, tables, &aged, cancer)?;
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
        let shares_scaled = prior::constrain(&mut params)?;
        let arm = |a: &Arm| {
            expected::macro_metastases(&Design {
                host: a.host,
                params: &params,
                interventions: &a.interventions,
                age_effects: a.age_effects,
                burden: true,
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

/// The uncertain parameters of `params` as factors.
fn factors(params: &Params) -> Vec<Factor> {
    prior::uncertain(params)
        .map(|p| Factor {
            name: p.name.clone(),
            low: p.low,
            high: p.high,
            log: p.prior == Prior::LogUniform,
        })
        .collect()
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
