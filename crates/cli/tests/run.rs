//! `senmet run` and `senmet params`: the study's model from the command line.

use crate::util::{senmet, stderr, tsv, Dir};

const SCENARIO: &str = r#"name = "small"
seed = 3
n = 4
cancer_types = ["lung"]

[interventions.dq]
kind = "senolytic"
dasatinib = "5 mg/kg"
days_per_course = 3
start = "-14 d"
interval = "7 d"

[[arms]]
name = "young"
host = { species = "mouse", age = "3 months" }

[[arms]]
name = "aged"
host = { species = "mouse", age = "22 months" }

[[arms]]
name = "aged_dq"
host = { species = "mouse", age = "22 months" }
interventions = ["dq"]

[[arms]]
name = "aged_penalty"
host = { species = "mouse", age = "22 months" }
age_effects = ["growth_penalty"]

[[comparisons]]
arm_a = "aged"
arm_b = "young"

[[comparisons]]
arm_a = "aged_penalty"
arm_b = "young"
"#;

#[test]
fn a_scenario_run_writes_tables_sbml_and_an_offline_report() {
    let dir = Dir::new();
    dir.create("s.toml", SCENARIO);
    let out = senmet(&dir, &["run", "s.toml", "--out", "res"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = dir.read("res/summary.tsv");
    assert!(summary.starts_with("cancer_type\tarm\treadout\tn\tmean\tsd\tmedian\tq05\tq95"));
    for readout in [
        "metastases",
        "metastatic_burden",
        "time_to_first_metastasis",
        "plasma_ev",
        "tumour_ev_uptake",
        "tumour_mirna_25_92",
        "tumour_mirna_30",
        "pten",
        "lats2",
        "emt_fraction",
        "primary_size",
    ] {
        assert!(
            summary.contains(&format!("\tyoung\t{readout}\t")),
            "{readout}"
        );
    }
    // 4 arms × 16 readouts + header.
    assert_eq!(summary.lines().count(), 1 + 4 * 16);
    let comparisons = dir.read("res/comparisons.tsv");
    assert!(comparisons.starts_with(
        "cancer_type\tarm_a\tarm_b\treadout\tfold_change\tmann_whitney_p\tcliffs_delta\n"
    ));
    assert!(comparisons.contains("lung\taged\tyoung\tmetastases\t"));
    assert_eq!(dir.read("res/subjects.tsv").lines().count(), 1 + 4 * 4);
    let params = dir.read("res/params.tsv");
    assert!(params.contains("lung\tev_half_life\t7.8\tmin\t"));
    assert!(params.contains("\tdq_kill_rate\t"));
    let xml = dir.read("res/model.xml");
    assert!(xml.contains("level3/version2") && xml.contains("id=\"found_lung\""));
    let html = dir.read("res/report.html");
    assert!(html.contains("<svg") && !html.contains("<script"));
    assert!(
        html.contains("This arm has the host-age growth penalty on"),
        "the report weighs the growth penalty"
    );
    assert!(html.contains("the EV mechanism still wins (more metastases than in young) in"));
    // The same seed gives the same subjects; a different seed does not.
    assert!(senmet(&dir, &["run", "s.toml", "--out", "again"])
        .status
        .success());
    assert_eq!(dir.read("res/subjects.tsv"), dir.read("again/subjects.tsv"));
    assert!(senmet(
        &dir,
        &[
            "run",
            "s.toml",
            "--out",
            "other",
            "--seed",
            "4",
            "--threads",
            "1"
        ]
    )
    .status
    .success());
    assert_ne!(dir.read("res/subjects.tsv"), dir.read("other/subjects.tsv"));
    for table in ["summary", "comparisons", "subjects", "params", "courses"] {
        let bytes = std::fs::read(dir.path().join(format!("res/{table}.parquet"))).unwrap();
        assert!(
            bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"),
            "{table}"
        );
    }
    // With priors, each subject draws its own parameters.
    let prior = senmet(&dir, &["run", "s.toml", "--out", "prior", "--prior"]);
    assert!(prior.status.success(), "{}", stderr(&prior));
    assert_ne!(dir.read("res/subjects.tsv"), dir.read("prior/subjects.tsv"));
    let draws = tsv(&dir.read("prior/prior_draws.tsv"));
    assert_eq!(draws.len(), 4 * 4);
    let release: Vec<&str> = draws
        .iter()
        .map(|r| r["ev_release_base"].as_str())
        .collect();
    assert!(release.windows(2).any(|w| w[0] != w[1]), "{release:?}");
    assert!(!dir.path().join("res/prior_draws.tsv").exists());
    // No overwrite without --force.
    let again = senmet(&dir, &["run", "s.toml", "--out", "res"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("res exists"));
}

#[test]
fn the_default_runs_without_arguments() {
    let dir = Dir::new();
    let out = senmet(&dir, &["run", "--runs", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("embedded default scenario"));
    let summary = dir.read("senmet-out/summary.tsv");
    for ct in ["breast", "melanoma", "lung", "colorectal", "pancreatic"] {
        for arm in [
            "young_vehicle",
            "aged_vehicle",
            "aged_dq",
            "aged_p2rx7i",
            "aged_anti_mir25_92",
            "aged_anti_mir30",
            "aged_anti_both",
        ] {
            assert!(
                summary.contains(&format!("{ct}\t{arm}\tmetastases\t2\t")),
                "{ct} {arm}"
            );
        }
    }
    assert!(dir.read("senmet-out/scenario.toml").contains("[[arms]]"));
}

#[test]
fn bad_scenarios_name_the_file_line_and_key_and_write_nothing() {
    let dir = Dir::new();
    let cases = [
        (
            "unknown key",
            SCENARIO.replace("seed = 3", "seed = 3\ncolour = \"red\""),
            "bad.toml:3:1",
            "colour",
        ),
        (
            "wrong units",
            SCENARIO.replace(
                "\"22 months\" }\n\n[[arms]]\nname = \"aged_dq\"",
                "\"22 parsecs\" }\n\n[[arms]]\nname = \"aged_dq\"",
            ),
            "bad.toml:19:35",
            "host.age",
        ),
        (
            "negative dose",
            SCENARIO.replace("\"5 mg/kg\"", "\"-5 mg/kg\""),
            "bad.toml:8:",
            "interventions.dq.dasatinib",
        ),
        (
            "arm without host",
            SCENARIO.replace(
                "name = \"young\"\nhost = { species = \"mouse\", age = \"3 months\" }",
                "name = \"young\"",
            ),
            "bad.toml:13:1",
            "has no host",
        ),
    ];
    for (what, text, place, key) in cases {
        dir.create("bad.toml", &text);
        let out = senmet(&dir, &["run", "bad.toml", "--out", "res"]);
        assert_eq!(out.status.code(), Some(2), "{what}");
        let err = stderr(&out);
        assert!(err.contains(place) && err.contains(key), "{what}: {err}");
        assert!(
            !dir.path().join("res").exists(),
            "{what}: nothing is written"
        );
    }
    let out = senmet(
        &dir,
        &["run", "--set", "ev_senecence_fold=3", "--runs", "1"],
    );
    assert!(
        stderr(&out).contains("did you mean `ev_senescence_fold`"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("senmet-out").exists());
}

#[test]
fn params_prints_every_value_with_units_range_and_source() {
    let dir = Dir::new();
    let out = senmet(
        &dir,
        &[
            "params",
            "--cancer-type",
            "melanoma",
            "--set",
            "ev_senescence_fold=20",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text
        .starts_with("name\tvalue\tunits\tlow\thigh\tprior\tlayer\tscope\tsource\tdescription\n"));
    assert!(text.contains("ev_senescence_fold\t20\tfold\t"));
    assert!(text
        .lines()
        .any(|l| l.starts_with("colony_probability\t") && l.contains("\tmelanoma\t")));
    for line in text.lines().skip(1) {
        assert_eq!(line.split('\t').count(), 10, "{line}");
        assert!(
            !line.split('\t').nth(8).unwrap().is_empty(),
            "a source for {line}"
        );
    }
}
