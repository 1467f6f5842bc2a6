//! The SBML Test Suite's semantic cases, simulated with the suite's pass rule
//! (the repository's copy in `testdata/`), and trajectories that survive an
//! export to SBML L3V2 and back.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;
use senmet_sbml::suite::run::{run_semantic, simulate, Verdict};
use senmet_sbml::suite::{discover, Case};

fn semantic_cases() -> Vec<Case> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/sbml-test-suite/semantic");
    discover(&[dir]).expect("the suite copy is readable")
}

/// Cases listed as known failures, with their reasons.
fn known_failures() -> BTreeMap<String, String> {
    include_str!("known-failures.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(c, r)| (c.to_string(), r.to_string()))
        .collect()
}

/// The figures the README reports; raise them when more cases pass.
const MIN_PASSED: usize = 1116;

#[test]
fn semantic_cases_pass_or_are_skipped_with_a_reason() {
    let cases = semantic_cases();
    let verdicts: Vec<(String, Verdict)> = cases
        .par_iter()
        .map(|c| (c.id.clone(), run_semantic(c)))
        .collect();
    let known = known_failures();
    let mut passed = 0;
    let mut unexpected = Vec::new();
    for (id, verdict) in &verdicts {
        match verdict {
            Verdict::Pass => {
                passed += 1;
                assert!(
                    !known.contains_key(id),
                    "{id} passes: remove it from known-failures.tsv"
                );
            }
            Verdict::Fail(why) if !known.contains_key(id) => {
                unexpected.push(format!("{id}: {why}"))
            }
            Verdict::Fail(_) => {}
            Verdict::Skip(why) => assert!(!why.is_empty(), "{id} skipped without a reason"),
        }
    }
    assert!(
        unexpected.is_empty(),
        "wrong answers:\n{}",
        unexpected.join("\n")
    );
    assert!(
        passed >= MIN_PASSED,
        "{passed} passed, fewer than {MIN_PASSED}"
    );
}

#[test]
fn exported_models_give_identical_trajectories() {
    let failures: Vec<String> = semantic_cases()
        .par_iter()
        .filter_map(|case| {
            let net = senmet_sbml::read_path(&case.model).ok()?;
            let settings = case.settings().ok()?;
            let first = simulate(&net, &settings, "time").ok()?;
            let text = senmet_sbml::to_string(&net);
            let again = match senmet_sbml::read_str(&text, "exported.xml".as_ref()) {
                Ok(n) => n,
                Err(e) => return Some(format!("{}: re-import failed: {e}", case.id)),
            };
            let second = match simulate(&again, &settings, "time") {
                Ok(r) => r,
                Err(e) => return Some(format!("{}: re-simulation failed: {e}", case.id)),
            };
            // Bit for bit, NaN included.
            let bits = |r: &senmet_sbml::suite::Results| -> Vec<u64> {
                r.rows.iter().flatten().map(|v| v.to_bits()).collect()
            };
            (bits(&first) != bits(&second)).then(|| format!("{}: trajectories differ", case.id))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
