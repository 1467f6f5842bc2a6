//! Running a stochastic (DSMTS) case: import, simulate an ensemble with the
//! exact SSA (or tau-leaping), and judge it by the Z/Y rule of [`check::dsmts`].

use senmet_core::Seed;
use senmet_engine::stochastic::{summarize, Trajectory};
use senmet_engine::{EngineError, LeapUpdate, Ssa, SsaMethod, Tau};

use super::run::Verdict;
use super::{check, Case, Results};

/// Which stochastic method simulates a case.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub enum Method {
    /// The exact SSA (direct method, dependency graph and sum tree).
    #[default]
    Ssa,
    /// The exact SSA by the next reaction method (Gibson & Bruck 2000).
    NextReaction,
    /// Adaptive tau-leaping with error-control parameter `epsilon`
    /// (approximate: misses beyond the suite's allowance are expected).
    Tau {
        /// The largest relative change of a propensity in one leap.
        epsilon: f64,
        /// The largest fraction by which a species' consumption may relax
        /// in one leap (see `TauBuilder::relaxation`; `None`: ε).
        relaxation: Option<f64>,
        /// Which propensities give a leap's Poisson means.
        update: LeapUpdate,
        /// Whether first-order removals are drawn exactly (see
        /// `TauBuilder::exact_decay`).
        exact_decay: bool,
    },
}

/// Runs a stochastic case with `runs` SSA trajectories from master `seed`.
///
/// Models the reader does not support (the distrib cases) are skipped with
/// the reason; a statistic outside its range fails the case, naming it.
///
/// # Examples
///
/// ```no_run
/// use senmet_core::Seed;
/// use senmet_sbml::suite::{discover, run::Verdict, stochastic::run_stochastic};
/// let case = &discover(&["testdata/sbml-test-suite/stochastic/00001"])?[0];
/// assert_eq!(run_stochastic(case, 10_000, Seed::new(1)), Verdict::Pass);
/// # Ok::<(), senmet_sbml::suite::Error>(())
/// ```
pub fn run_stochastic(case: &Case, runs: usize, seed: Seed) -> Verdict {
    run_stochastic_with(case, runs, seed, Method::Ssa)
}

/// Runs a stochastic case as [`run_stochastic`] does, with `method`.
pub fn run_stochastic_with(case: &Case, runs: usize, seed: Seed, method: Method) -> Verdict {
    match dsmts_report_with(case, runs, seed, method) {
        Err(v) => v,
        Ok(report) => match report.misses.first() {
            None => Verdict::Pass,
            Some(m) => Verdict::Fail(format!(
                "{} of {} statistics out of range; first: {:?} of '{}' at time {} is {:.3}",
                report.misses.len(),
                report.checked,
                m.statistic,
                m.variable,
                m.time,
                m.value
            )),
        },
    }
}

/// Runs a stochastic case as [`run_stochastic`] does and returns every
/// statistic outside its range.
///
/// # Errors
///
/// A [`Verdict`] (skip or fail) when the case cannot be simulated or compared.
pub fn dsmts_report(case: &Case, runs: usize, seed: Seed) -> Result<check::DsmtsReport, Verdict> {
    dsmts_report_with(case, runs, seed, Method::Ssa)
}

/// [`dsmts_report`] with `method`.
///
/// # Errors
///
/// As [`dsmts_report`].
pub fn dsmts_report_with(
    case: &Case,
    runs: usize,
    seed: Seed,
    method: Method,
) -> Result<check::DsmtsReport, Verdict> {
    let fail = |e: &dyn std::error::Error| Verdict::Fail(format!("{e}"));
    let settings = case.settings().map_err(|e| fail(&e))?;
    let expected = case.results().map_err(|e| fail(&e))?;
    let net = match crate::read_path(&case.model) {
        Ok(net) => net,
        Err(e) if e.is_unsupported() => return Err(Verdict::Skip(e.to_string())),
        Err(e) => return Err(fail(&e)),
    };
    let t0 = settings.start.min(0.0);
    let sim: Box<dyn Trajectory> = match method {
        Method::Ssa => Ssa::builder(&net).t0(t0).build().map(|s| Box::new(s) as _),
        Method::NextReaction => Ssa::builder(&net)
            .t0(t0)
            .method(SsaMethod::NextReaction)
            .build()
            .map(|s| Box::new(s) as _),
        Method::Tau {
            epsilon,
            relaxation,
            update,
            exact_decay,
        } => {
            let mut b = Tau::builder(&net);
            b.t0(t0).epsilon(epsilon).update(update);
            b.exact_decay(exact_decay);
            if let Some(r) = relaxation {
                b.relaxation(r);
            }
            b.build().map(|s| Box::new(s) as _)
        }
    }
    .map_err(|e| engine_verdict(&e))?;
    let mut observables = Vec::new();
    for var in &settings.variables {
        let as_amount = !settings.concentration.contains(var);
        let o = sim
            .system()
            .observable(var, as_amount)
            .ok_or_else(|| Verdict::Fail(format!("output variable '{var}' is not in the model")))?;
        observables.push(o);
    }
    let times = settings.times();
    let summary = summarize(&*sim, &times, &observables, runs, seed, &|_| {})
        .map_err(|e| engine_verdict(&e))?;
    let mut columns = vec![expected
        .columns
        .first()
        .cloned()
        .unwrap_or_else(|| "time".into())];
    for v in &settings.variables {
        columns.push(format!("{v}-mean"));
        columns.push(format!("{v}-sd"));
    }
    let n = observables.len();
    let rows = times
        .iter()
        .enumerate()
        .map(|(r, t)| {
            let mut row = vec![*t];
            for k in 0..n {
                row.push(summary.mean[r * n + k]);
                row.push(summary.sd[r * n + k]);
            }
            row
        })
        .collect();
    let simulated = Results { columns, rows };
    let range = |r: Option<(f64, f64)>, d: f64| r.unwrap_or((-d, d));
    check::dsmts(
        &expected,
        &simulated,
        runs,
        range(settings.mean_range, 3.0),
        range(settings.sd_range, 5.0),
    )
    .map_err(|m| Verdict::Fail(m.to_string()))
}

fn engine_verdict(e: &EngineError) -> Verdict {
    match e {
        EngineError::Unsupported { .. } => Verdict::Skip(e.to_string()),
        _ => Verdict::Fail(e.to_string()),
    }
}
