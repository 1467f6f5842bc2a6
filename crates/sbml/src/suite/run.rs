//! Running a semantic case: import, simulate, compare with the suite's rule.

use std::fmt;

use senmet_engine::{EngineError, Ode, System};

use super::{check, Case, Results};

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Every value within the case's tolerances.
    Pass,
    /// A wrong answer or an error, with what went wrong.
    Fail(String),
    /// Not attempted, with the reason (an unsupported construct or test type).
    Skip(String),
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Pass => write!(f, "pass"),
            Verdict::Fail(why) => write!(f, "fail: {why}"),
            Verdict::Skip(why) => write!(f, "skip: {why}"),
        }
    }
}

/// Solver tolerances used for the suite: tighter than the cases' own.
const RTOL: f64 = 1e-10;
const ATOL: f64 = 1e-14;

/// Runs a semantic (`TimeCourse`) case and judges it by the suite's rule.
///
/// # Examples
///
/// ```no_run
/// use senmet_sbml::suite::{discover, run::{run_semantic, Verdict}};
/// let case = &discover(&["testdata/sbml-test-suite/semantic/00001"])?[0];
/// assert_eq!(run_semantic(case), Verdict::Pass);
/// # Ok::<(), senmet_sbml::suite::Error>(())
/// ```
pub fn run_semantic(case: &Case) -> Verdict {
    match simulate_case(case) {
        Ok(v) => v,
        Err(v) => v,
    }
}

fn simulate_case(case: &Case) -> Result<Verdict, Verdict> {
    let fail = |e: &dyn std::error::Error| Verdict::Fail(format!("{e}"));
    let description = case.description().map_err(|e| fail(&e))?;
    if description.test_type != "TimeCourse" {
        return Ok(Verdict::Skip(format!(
            "test type {}",
            description.test_type
        )));
    }
    let settings = case.settings().map_err(|e| fail(&e))?;
    let expected = case.results().map_err(|e| fail(&e))?;
    let net = match crate::read_path(&case.model) {
        Ok(net) => net,
        Err(e) if e.is_unsupported() => return Ok(Verdict::Skip(e.to_string())),
        Err(e) => return Err(fail(&e)),
    };
    let system = System::new(&net).map_err(|e| engine_verdict(&e))?;
    let mut observables = Vec::new();
    for var in &settings.variables {
        let as_amount = settings.amount.contains(var);
        let o = system
            .observable(var, as_amount)
            .ok_or_else(|| Verdict::Fail(format!("output variable '{var}' is not in the model")))?;
        observables.push(o);
    }
    let times = settings.times();
    let rows = Ode::builder(&system)
        .rtol(RTOL)
        .atol(ATOL)
        .t0(settings.start.min(0.0))
        .build()
        .and_then(|ode| ode.run(&times, &observables))
        .map_err(|e| engine_verdict(&e))?;
    // The time column keeps the expected table's spelling (`time` or `Time`).
    let mut columns = vec![expected
        .columns
        .first()
        .cloned()
        .unwrap_or_else(|| "time".into())];
    columns.extend(settings.variables.iter().cloned());
    let simulated = Results {
        columns,
        rows: times
            .iter()
            .zip(rows)
            .map(|(t, r)| std::iter::once(*t).chain(r).collect())
            .collect(),
    };
    let (abs, rel) = (
        settings.absolute.unwrap_or(0.0),
        settings.relative.unwrap_or(0.0),
    );
    Ok(match check::semantic(&expected, &simulated, abs, rel) {
        None => Verdict::Pass,
        Some(m) => Verdict::Fail(m.to_string()),
    })
}

fn engine_verdict(e: &EngineError) -> Verdict {
    match e {
        EngineError::Unsupported { .. } => Verdict::Skip(e.to_string()),
        _ => Verdict::Fail(e.to_string()),
    }
}
