//! Per-cancer-type association tests of one feature (a score or a gene)
//! against age, metastasis and survival, and their pan-cancer pooling.
//!
//! Each test uses the samples of the type with a finite feature value and the
//! clinical fields it needs; the counts are reported with the result. A test
//! that cannot run (too few samples, one metastatic sample, a singular model,
//! separation) is returned as a [`Skip`] with its reason, never dropped.

use std::collections::BTreeMap;

use crate::adjust::benjamini_hochberg;
use crate::meta::dersimonian_laird;
use crate::Error;

/// A sample's clinical data as the tests need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    /// Cancer type (group of the per-type tests).
    pub cancer_type: String,
    /// Age.
    pub age: Option<f64>,
    /// Metastatic or not.
    pub metastasis: Option<bool>,
    /// Follow-up time.
    pub time: Option<f64>,
    /// Event (true) or censored.
    pub event: Option<bool>,
}

/// The tests, named as in the `test` column of `associations.tsv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Test {
    /// Spearman ρ of feature vs age; effect = ρ.
    SpearmanAge,
    /// Mann–Whitney U of metastatic vs non-metastatic; effect = median difference (met − non).
    MannWhitneyMetastasis,
    /// OLS `feature ~ age + metastasis`: the age slope.
    LinearAge,
    /// OLS `feature ~ age + metastasis`: the metastasis difference.
    LinearMetastasis,
    /// OLS `feature ~ age * metastasis`: the interaction term.
    LinearInteraction,
    /// Logistic `metastasis ~ feature + age`: log-odds per unit feature.
    LogisticFeature,
    /// Log-rank of feature above vs at-or-below the type's median; effect = (O/E high)/(O/E low).
    LogRankHigh,
    /// Cox `Surv(time, event) ~ feature + age` (Efron): log hazard ratio per unit feature.
    CoxFeature,
}

impl Test {
    /// The name in output files.
    pub fn name(self) -> &'static str {
        match self {
            Self::SpearmanAge => "spearman_age",
            Self::MannWhitneyMetastasis => "mannwhitney_metastasis",
            Self::LinearAge => "lm_age",
            Self::LinearMetastasis => "lm_metastasis",
            Self::LinearInteraction => "lm_age_x_metastasis",
            Self::LogisticFeature => "logit_metastasis_feature",
            Self::LogRankHigh => "logrank_high_vs_low",
            Self::CoxFeature => "cox_feature",
        }
    }
}

/// One test result: a row of `associations.tsv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Cancer type.
    pub cancer_type: String,
    /// Feature name.
    pub feature: String,
    /// Test.
    pub test: Test,
    /// Samples used.
    pub n: usize,
    /// Metastatic samples among them (status known; for tests that do not
    /// use metastasis, samples of unknown status count in neither group).
    pub n_met: usize,
    /// Non-metastatic samples among them.
    pub n_nonmet: usize,
    /// Test statistic (ρ, U, t, z or χ²).
    pub statistic: f64,
    /// Effect size (see [`Test`]).
    pub effect: f64,
    /// Standard error of the effect where the test has one, else NaN.
    pub se: f64,
    /// p-value.
    pub p: f64,
    /// Benjamini–Hochberg q across all rows (set by [`adjust_all`]).
    pub q: f64,
}

/// A test that was not run, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// Cancer type (or `pan-cancer`).
    pub cancer_type: String,
    /// Feature name.
    pub feature: String,
    /// Test name.
    pub test: &'static str,
    /// Why it was skipped.
    pub reason: String,
}

/// Settings of the per-type tests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Smallest metastatic and non-metastatic group for the metastasis tests (default 3).
    pub min_group: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self { min_group: 3 }
    }
}

mod per_type;

pub use per_type::median;

/// Runs every test of one feature in every cancer type (types in sorted order).
pub fn associate(
    feature: &str,
    values: &[f64],
    subjects: &[Subject],
    opts: Options,
) -> (Vec<Row>, Vec<Skip>) {
    let mut by_type: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in subjects.iter().enumerate() {
        by_type.entry(s.cancer_type.as_str()).or_default().push(i);
    }
    let mut rows = Vec::new();
    let mut skips = Vec::new();
    for (cancer_type, members) in by_type {
        let group = per_type::Group::new(cancer_type, feature, values, subjects, &members);
        group.run(opts, &mut rows, &mut skips);
    }
    (rows, skips)
}

/// Sets `q` of every row by Benjamini–Hochberg across all rows.
pub fn adjust_all(rows: &mut [Row]) {
    let p: Vec<f64> = rows.iter().map(|r| r.p).collect();
    for (row, q) in rows.iter_mut().zip(benjamini_hochberg(&p)) {
        row.q = q;
    }
}

/// A pan-cancer pooled effect: a row of `meta.tsv`.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaRow {
    /// Feature.
    pub feature: String,
    /// Test pooled.
    pub test: Test,
    /// Per-type estimates pooled: (cancer type, effect, CI low, CI high).
    pub studies: Vec<(String, f64, f64, f64)>,
    /// The DerSimonian–Laird result, on the effect's scale (ρ for Spearman,
    /// pooled on Fisher's z and transformed back; coefficients otherwise).
    pub meta: crate::meta::Meta,
}

/// Pools per-type results of the Spearman, linear-metastasis, logistic and
/// Cox tests across cancer types (DerSimonian–Laird, 95 % CI). Spearman ρ
/// is pooled as Fisher's z with variance 1/(n − 3).
pub fn pool(rows: &[Row]) -> (Vec<MetaRow>, Vec<Skip>) {
    let mut groups: BTreeMap<(&str, Test), Vec<&Row>> = BTreeMap::new();
    for r in rows.iter().filter(|r| is_pooled(r.test)) {
        groups
            .entry((r.feature.as_str(), r.test))
            .or_default()
            .push(r);
    }
    let mut out = Vec::new();
    let mut skips = Vec::new();
    for ((feature, test), rs) in groups {
        match pool_one(test, &rs) {
            Ok(m) => out.push(MetaRow {
                feature: feature.to_owned(),
                test,
                studies: studies(&rs),
                meta: m,
            }),
            Err(e) => skips.push(Skip {
                cancer_type: "pan-cancer".into(),
                feature: feature.to_owned(),
                test: test.name(),
                reason: e.to_string(),
            }),
        }
    }
    (out, skips)
}

fn is_pooled(test: Test) -> bool {
    matches!(
        test,
        Test::SpearmanAge | Test::LinearMetastasis | Test::LogisticFeature | Test::CoxFeature
    )
}

/// Effect on the pooling scale and its variance.
fn transformed(test: Test, r: &Row) -> (f64, f64) {
    match test {
        Test::SpearmanAge => (r.effect.atanh(), 1.0 / (r.n as f64 - 3.0)),
        _ => (r.effect, r.se * r.se),
    }
}

fn pool_one(test: Test, rs: &[&Row]) -> Result<crate::meta::Meta, Error> {
    let usable: Vec<(f64, f64)> = rs
        .iter()
        .map(|r| transformed(test, r))
        .filter(|(y, v)| y.is_finite() && *v > 0.0 && v.is_finite())
        .collect();
    let (y, v): (Vec<f64>, Vec<f64>) = usable.into_iter().unzip();
    if y.len() < 2 {
        return Err(Error::TooFewStudies { found: y.len() });
    }
    let mut m = dersimonian_laird(&y, &v, 0.05)?;
    if test == Test::SpearmanAge {
        (m.effect, m.ci_low, m.ci_high) = (m.effect.tanh(), m.ci_low.tanh(), m.ci_high.tanh());
    }
    Ok(m)
}

fn studies(rs: &[&Row]) -> Vec<(String, f64, f64, f64)> {
    rs.iter()
        .filter_map(|r| interval(r).map(|(y, lo, hi)| (r.cancer_type.clone(), y, lo, hi)))
        .collect()
}

/// A row's effect with its 95 % CI, for tests with a standard error (the
/// linear, logistic and Cox coefficients) or a Spearman ρ (Fisher z CI with
/// variance 1/(n − 3)); `None` for the others.
pub fn interval(r: &Row) -> Option<(f64, f64, f64)> {
    let z = 1.959_963_984_540_054;
    let (y, v) = match r.test {
        Test::SpearmanAge if r.n > 3 => transformed(r.test, r),
        Test::SpearmanAge => return None,
        _ if r.se.is_finite() => transformed(r.test, r),
        _ => return None,
    };
    let (lo, hi) = (y - z * v.sqrt(), y + z * v.sqrt());
    Some(match r.test {
        Test::SpearmanAge => (y.tanh(), lo.tanh(), hi.tanh()),
        _ => (y, lo, hi),
    })
}
