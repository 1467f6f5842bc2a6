//! The DSMTS cases (00001–00039 of the suite's stochastic cases) with the
//! exact SSA, judged by the Z/Y rule, at a fixed seed (so never flaky).

use std::path::PathBuf;

use senmet_core::Seed;
use senmet_sbml::suite::{self, run::Verdict, stochastic::run_stochastic};

/// Trajectories per case: the suite asks for n ≥ 10,000.
const RUNS: usize = 10_000;
/// The master seed of every case.
const SEED: u64 = 20_260_101;

fn stochastic_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/sbml-test-suite/stochastic")
}

#[test]
fn dsmts_cases_pass_with_the_exact_ssa() -> Result<(), Box<dyn std::error::Error>> {
    let cases = suite::discover(&[stochastic_dir()])?;
    let mut failures = Vec::new();
    let mut passed = 0;
    for case in cases.iter().filter(|c| c.id.as_str() <= "00039") {
        match run_stochastic(case, RUNS, Seed::new(SEED)) {
            Verdict::Pass => passed += 1,
            v => failures.push(format!("{}: {v}", case.id)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(passed, 39);
    Ok(())
}
