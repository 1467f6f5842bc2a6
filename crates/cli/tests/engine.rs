//! `senmet simulate` and `senmet sbml-suite`: the engine from the command line.

use crate::util::{data, senmet, stderr, Dir};

/// Day-60 state of the embedded example by libRoadRunner 2.11.0 (CVODE, rtol
/// and atol 1e-12): `bench/ode/metastasis_reference.py`.
const ROADRUNNER_DAY_60: [f64; 3] = [663951.108388532, 132.74114864322007, 1018.2434425160568];

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs()
}

#[test]
fn simulate_writes_a_tsv_of_every_species() {
    let dir = Dir::new();
    let model = data("data/metastasis_branching.xml");
    let out = senmet(
        &dir,
        &[
            "simulate",
            &model,
            "--t-end",
            "60",
            "--points",
            "3",
            "--amounts",
            "--rtol",
            "1e-10",
            "--out",
            "ts.tsv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = dir.read("ts.tsv");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "time\tT\tC\tM");
    assert_eq!(lines.len(), 4);
    let m: f64 = lines[3]
        .split('\t')
        .nth(3)
        .expect("M")
        .parse()
        .expect("number");
    assert!(close(m, ROADRUNNER_DAY_60[2], 1e-7));
}

#[test]
fn bad_models_name_the_file_and_line() {
    let dir = Dir::new();
    let path = dir.create("broken.xml", "<?xml version=\"1.0\"?>\n<sbml level=\"3\" version=\"2\">\n  <model>\n    <listOfSpecies>\n</sbml>\n");
    let out = senmet(
        &dir,
        &["simulate", path.to_str().expect("utf-8"), "--t-end", "1"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("broken.xml:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn unknown_ids_in_math_are_named() {
    let dir = Dir::new();
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
  <model id="m">
    <listOfParameters><parameter id="p" value="1" constant="false"/></listOfParameters>
    <listOfRules>
      <rateRule variable="p"><math xmlns="http://www.w3.org/1998/Math/MathML"><ci>nope</ci></math></rateRule>
    </listOfRules>
  </model>
</sbml>"#;
    let path = dir.create("unknown.xml", xml);
    let out = senmet(
        &dir,
        &["simulate", path.to_str().expect("utf-8"), "--t-end", "1"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("unknown.xml:6") && err.contains("nope"),
        "{err}"
    );
}

#[test]
fn division_by_zero_at_run_time_is_a_solver_error_not_a_panic() {
    let dir = Dir::new();
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
  <model id="m">
    <listOfParameters><parameter id="p" value="1" constant="false"/></listOfParameters>
    <listOfRules>
      <rateRule variable="p"><math xmlns="http://www.w3.org/1998/Math/MathML">
        <apply><divide/><cn>1</cn><apply><minus/><cn>1</cn><csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol></apply></apply>
      </math></rateRule>
    </listOfRules>
  </model>
</sbml>"#;
    let path = dir.create("pole.xml", xml);
    let out = senmet(
        &dir,
        &["simulate", path.to_str().expect("utf-8"), "--t-end", "2"],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("pole.xml") && err.contains("solver"), "{err}");
}

#[test]
fn sbml_suite_prints_a_line_per_case_and_the_totals() {
    let dir = Dir::new();
    let suite = data("../../testdata/sbml-test-suite/semantic");
    let cases: Vec<String> = ["00002", "00004", "00005"]
        .iter()
        .map(|c| format!("{suite}/{c}"))
        .collect();
    let mut args = vec!["sbml-suite"];
    args.extend(cases.iter().map(String::as_str));
    args.extend(["--tsv", "cases.tsv"]);
    let out = senmet(&dir, &args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", stderr(&out));
    assert!(
        stdout
            .lines()
            .last()
            .is_some_and(|l| l.ends_with("failed, 0 skipped") || l.contains(" passed, 0 failed")),
        "{stdout}"
    );
    assert!(dir.read("cases.tsv").starts_with("case\tverdict\treason\n"));
}
