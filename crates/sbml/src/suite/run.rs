//! Running a semantic case: import, simulate, compare with the suite's rule.

use std::fmt;

use senmet_engine::{EngineError, Network, Ode, System};

use super::{check, Case, Results, Settings};

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
    // The time column keeps the expected table's spelling (`time` or `Time`).
    let time = expected.columns.first().map_or("time", String::as_str);
    let simulated = simulate(&net, &settings, time).map_err(|e| engine_verdict(&e))?;
    let (abs, rel) = (
        settings.absolute.unwrap_or(0.0),
        settings.relative.unwrap_or(0.0),
    );
    Ok(match check::semantic(&expected, &simulated, abs, rel) {
        None => Verdict::Pass,
        Some(m) => Verdict::Fail(m.to_string()),
    })
}

/// Simulates a network deterministically as a case's settings ask: output
/// times, variables (species as amounts or concentrations), and tolerances
/// tighter than the case's own.
///
/// # Errors
///
/// Compilation and solver errors; an output variable the model lacks is
/// [`EngineError::UnknownSymbol`].
pub fn simulate(
    net: &Network,
    settings: &Settings,
    time_column: &str,
) -> Result<Results, EngineError> {
    let system = System::new(net)?;
    let observables = settings
        .variables
        .iter()
        .map(|var| {
            system
                .observable(var, settings.amount.contains(var))
                .ok_or_else(|| EngineError::UnknownSymbol {
                    symbol: var.clone(),
                    context: "the case's output variables".into(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let times = settings.times();
    let rows = Ode::builder(&system)
        .rtol(RTOL)
        .atol(ATOL)
        .t0(settings.start.min(0.0))
        .build()?
        .run(&times, &observables)?;
    let mut columns = vec![time_column.to_string()];
    columns.extend(settings.variables.iter().cloned());
    Ok(Results {
        columns,
        rows: times
            .iter()
            .zip(rows)
            .map(|(t, r)| std::iter::once(*t).chain(r).collect())
            .collect(),
    })
}

fn engine_verdict(e: &EngineError) -> Verdict {
    match e {
        EngineError::Unsupported { .. } => Verdict::Skip(e.to_string()),
        _ => Verdict::Fail(e.to_string()),
    }
}
