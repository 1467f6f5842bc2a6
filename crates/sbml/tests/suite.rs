//! The SBML Test Suite copy in `testdata/`: every semantic case imports or is
//! reported as unsupported, imported models round-trip through the writer,
//! and every case's settings, results and description parse.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use senmet_sbml::suite::{self, Case};

fn suite_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/sbml-test-suite")
        .join(kind)
}

/// Networks compare by their debug text, which shows every field and every
/// number in round-trip form; unlike `==` it treats NaN as equal to NaN.
fn same(a: &senmet_sbml::Network, b: &senmet_sbml::Network) -> bool {
    a == b || format!("{a:?}") == format!("{b:?}")
}

#[test]
fn semantic_cases_import_or_are_unsupported_and_round_trip(
) -> Result<(), Box<dyn std::error::Error>> {
    let cases = suite::discover(&[suite_dir("semantic")])?;
    assert_eq!(cases.len(), 1207);
    let mut imported = 0;
    let mut unsupported: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in &cases {
        match senmet_sbml::read_path(&case.model) {
            Ok(net) => {
                imported += 1;
                let text = senmet_sbml::to_string(&net);
                match senmet_sbml::read_str(&text, Path::new("round-trip.xml")) {
                    Ok(again) if same(&again, &net) => {}
                    Ok(_) => failures.push(format!("{}: round trip changed the network", case.id)),
                    Err(e) => failures.push(format!("{}: round trip: {e}", case.id)),
                }
            }
            Err(senmet_sbml::Error::Unsupported { construct, .. }) => {
                let reason = construct.split(' ').take(2).collect::<Vec<_>>().join(" ");
                unsupported.entry(reason).or_default().push(case.id.clone());
            }
            Err(e) => failures.push(format!("{}: {e}", case.id)),
        }
    }
    println!("imported {imported} of {}", cases.len());
    for (reason, ids) in &unsupported {
        println!("unsupported {reason}: {}", ids.len());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Guard against the reader quietly rejecting more than it used to.
    assert!(imported >= 1116, "only {imported} cases import");
    Ok(())
}

#[test]
fn stochastic_cases_import_unless_they_use_distrib() -> Result<(), Box<dyn std::error::Error>> {
    let cases = suite::discover(&[suite_dir("stochastic")])?;
    assert_eq!(cases.len(), 100);
    for case in &cases {
        let packages = case.description()?.packages_present;
        match senmet_sbml::read_path(&case.model) {
            Ok(_) => assert!(packages.is_empty(), "{}: {packages:?}", case.id),
            Err(e) if e.is_unsupported() => assert!(!packages.is_empty(), "{}: {e}", case.id),
            Err(e) => return Err(format!("{}: {e}", case.id).into()),
        }
    }
    Ok(())
}

fn check_case_files(case: &Case) -> Result<(), Box<dyn std::error::Error>> {
    let settings = case.settings()?;
    let results = case.results()?;
    let description = case.description()?;
    assert!(
        !description.test_type.is_empty(),
        "{}: no testType",
        case.id
    );
    assert!(!results.rows.is_empty(), "{}: no rows", case.id);
    if description.test_type.ends_with("TimeCourse") {
        let first = results.columns.first().map(|c| c.to_ascii_lowercase());
        assert_eq!(first.as_deref(), Some("time"), "{}", case.id);
        assert_eq!(results.rows.len(), settings.steps + 1, "{}", case.id);
    }
    if description.test_type == "TimeCourse" {
        assert!(
            settings.absolute.is_some() && settings.relative.is_some(),
            "{}",
            case.id
        );
    }
    Ok(())
}

#[test]
fn every_case_has_readable_settings_results_and_description(
) -> Result<(), Box<dyn std::error::Error>> {
    let cases = suite::discover(&[suite_dir("semantic"), suite_dir("stochastic")])?;
    assert_eq!(cases.len(), 1307);
    for case in &cases {
        check_case_files(case)?;
    }
    Ok(())
}

#[test]
fn expected_results_pass_their_own_rule() -> Result<(), Box<dyn std::error::Error>> {
    for case in suite::discover(&[
        suite_dir("semantic").join("00001"),
        suite_dir("semantic").join("00002"),
    ])
    .into_iter()
    .flatten()
    {
        let s = case.settings()?;
        let r = case.results()?;
        let (abs, rel) = (s.absolute.unwrap_or(0.0), s.relative.unwrap_or(0.0));
        assert_eq!(suite::check::semantic(&r, &r, abs, rel), None);
    }
    let case = &suite::discover(&[suite_dir("stochastic").join("00001")])?[0];
    let s = case.settings()?;
    let r = case.results()?;
    let ranges = (
        s.mean_range.ok_or("meanRange")?,
        s.sd_range.ok_or("sdRange")?,
    );
    let report = suite::check::dsmts(&r, &r, 10_000, ranges.0, ranges.1)?;
    assert!(report.checked > 0);
    assert!(report.misses.is_empty());
    Ok(())
}
