//! The tests of one feature within one cancer type.

use super::{Options, Row, Skip, Subject, Test};
use crate::rank::{mann_whitney, spearman};
use crate::survival::{cox_ph, log_rank};
use crate::{linear, logistic, Error};

/// One cancer type's samples with a finite feature value.
pub(super) struct Group<'a> {
    cancer_type: &'a str,
    feature: &'a str,
    values: Vec<f64>,
    subjects: Vec<&'a Subject>,
}

/// The columns one test uses, over the samples that have them all.
struct Columns {
    x: Vec<f64>,
    age: Vec<f64>,
    met: Vec<bool>,
    time: Vec<f64>,
    event: Vec<bool>,
}

impl Columns {
    fn n_met(&self) -> (usize, usize) {
        let m = self.met.iter().filter(|m| **m).count();
        (m, self.met.len() - m)
    }
}

/// Which clinical fields a test needs.
#[derive(Clone, Copy)]
struct Needs {
    age: bool,
    met: bool,
    survival: bool,
}

impl Needs {
    fn of(test: Test) -> Self {
        let (age, met, survival) = match test {
            Test::SpearmanAge => (true, false, false),
            Test::MannWhitneyMetastasis => (false, true, false),
            Test::LogRankHigh => (false, false, true),
            Test::CoxFeature => (true, false, true),
            _ => (true, true, false),
        };
        Self { age, met, survival }
    }
}

impl<'a> Group<'a> {
    pub(super) fn new(
        cancer_type: &'a str,
        feature: &'a str,
        values: &[f64],
        subjects: &'a [Subject],
        members: &[usize],
    ) -> Self {
        let keep: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| values[i].is_finite())
            .collect();
        Self {
            cancer_type,
            feature,
            values: keep.iter().map(|&i| values[i]).collect(),
            subjects: keep.iter().map(|&i| &subjects[i]).collect(),
        }
    }

    pub(super) fn run(&self, opts: Options, rows: &mut Vec<Row>, skips: &mut Vec<Skip>) {
        let has_survival = self
            .subjects
            .iter()
            .any(|s| s.time.is_some() && s.event.is_some());
        let tests = [
            Test::SpearmanAge,
            Test::MannWhitneyMetastasis,
            Test::LinearAge,
            Test::LinearMetastasis,
            Test::LinearInteraction,
            Test::LogisticFeature,
            Test::LogRankHigh,
            Test::CoxFeature,
        ];
        for test in tests {
            let survival = matches!(test, Test::LogRankHigh | Test::CoxFeature);
            if survival && !has_survival {
                continue;
            }
            match self.one(test, opts) {
                Ok(row) => rows.push(row),
                Err(reason) => skips.push(Skip {
                    cancer_type: self.cancer_type.to_owned(),
                    feature: self.feature.to_owned(),
                    test: test.name(),
                    reason,
                }),
            }
        }
    }

    fn columns(&self, needs: Needs) -> Columns {
        let mut c = Columns {
            x: vec![],
            age: vec![],
            met: vec![],
            time: vec![],
            event: vec![],
        };
        for (v, s) in self.values.iter().zip(&self.subjects) {
            let ok = (!needs.age || s.age.is_some())
                && (!needs.met || s.metastasis.is_some())
                && (!needs.survival || (s.time.is_some() && s.event.is_some()));
            if !ok {
                continue;
            }
            c.x.push(*v);
            c.age.push(s.age.unwrap_or(f64::NAN));
            c.met.extend(s.metastasis);
            c.time.push(s.time.unwrap_or(f64::NAN));
            c.event.push(s.event.unwrap_or(false));
        }
        c
    }

    fn one(&self, test: Test, opts: Options) -> Result<Row, String> {
        let needs = Needs::of(test);
        let c = self.columns(needs);
        let (n_met, n_nonmet) = c.n_met();
        if needs.met && (n_met < opts.min_group || n_nonmet < opts.min_group) {
            return Err(format!(
                "{n_met} metastatic and {n_nonmet} non-metastatic samples; at least {} of each needed",
                opts.min_group
            ));
        }
        let (statistic, effect, se, p) = compute(test, &c).map_err(|e| e.to_string())?;
        Ok(Row {
            cancer_type: self.cancer_type.to_owned(),
            feature: self.feature.to_owned(),
            test,
            n: c.x.len(),
            n_met,
            n_nonmet,
            statistic,
            effect,
            se,
            p,
            q: f64::NAN,
        })
    }
}

/// (statistic, effect, se, p) of one test.
fn compute(test: Test, c: &Columns) -> Result<(f64, f64, f64, f64), Error> {
    let met: Vec<f64> = c.met.iter().map(|&m| f64::from(u8::from(m))).collect();
    let coef = |fit: &[linear::Coefficient], j: usize| {
        let k = fit[j];
        (k.statistic, k.estimate, k.se, k.p)
    };
    match test {
        Test::SpearmanAge => spearman(&c.x, &c.age).map(|r| (r.rho, r.rho, f64::NAN, r.p)),
        Test::MannWhitneyMetastasis => {
            let (a, b) = split(&c.x, &c.met);
            let t = mann_whitney(&a, &b)?;
            Ok((t.u, median(&a) - median(&b), f64::NAN, t.p))
        }
        Test::LinearAge => Ok(coef(&linear::ols(&c.x, &[&c.age, &met])?.coefficients, 1)),
        Test::LinearMetastasis => Ok(coef(&linear::ols(&c.x, &[&c.age, &met])?.coefficients, 2)),
        Test::LinearInteraction => {
            let inter: Vec<f64> = c.age.iter().zip(&met).map(|(a, m)| a * m).collect();
            Ok(coef(
                &linear::ols(&c.x, &[&c.age, &met, &inter])?.coefficients,
                3,
            ))
        }
        Test::LogisticFeature => Ok(coef(
            &logistic::logit(&c.met, &[&c.x, &c.age])?.coefficients,
            1,
        )),
        Test::LogRankHigh => {
            let m = median(&c.x);
            let high: Vec<bool> = c.x.iter().map(|v| *v > m).collect();
            let lr = log_rank(&c.time, &c.event, &high)?;
            let ratio = (lr.observed / lr.expected) / (lr.observed_other / lr.expected_other);
            Ok((lr.chi2, ratio, f64::NAN, lr.p))
        }
        Test::CoxFeature => Ok(coef(
            &cox_ph(&c.time, &c.event, &[&c.x, &c.age])?.coefficients,
            0,
        )),
    }
}

/// Values of the metastatic and the non-metastatic samples.
fn split(x: &[f64], met: &[bool]) -> (Vec<f64>, Vec<f64>) {
    let a = x
        .iter()
        .zip(met)
        .filter(|(_, m)| **m)
        .map(|(v, _)| *v)
        .collect();
    let b = x
        .iter()
        .zip(met)
        .filter(|(_, m)| !**m)
        .map(|(v, _)| *v)
        .collect();
    (a, b)
}

/// The median (mean of the two middle values for even n); NaN when empty.
///
/// # Examples
///
/// ```
/// assert_eq!(senmet_stats::association::median(&[3.0, 1.0, 2.0, 10.0]), 2.5);
/// ```
pub fn median(x: &[f64]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    let h = v.len() / 2;
    if v.len() % 2 == 1 {
        v[h]
    } else {
        (v[h - 1] + v[h]) / 2.0
    }
}
