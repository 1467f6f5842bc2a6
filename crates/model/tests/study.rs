//! The study's findings, reproduced by the default experiment (reduced where stated).

use std::path::Path;

use senmet_model::experiment::{self, Experiment, Outcome};
use senmet_model::params::Tables;
use senmet_model::readout::Readout;
use senmet_model::scenario;
use senmet_model::summary::{compare, ComparisonRow};

fn default_with(arms: &[&str], n: usize) -> (Experiment, Outcome, Vec<ComparisonRow>) {
    let tables = Tables::builtin().unwrap();
    let mut exp = scenario::parse(scenario::DEFAULT, Path::new("default"), &tables).unwrap();
    exp.arms.retain(|a| arms.contains(&a.name.as_str()));
    exp.comparisons
        .retain(|(a, b)| arms.contains(&a.as_str()) && arms.contains(&b.as_str()));
    exp.n = n;
    let out = experiment::run(&exp, &tables, &|| {}).unwrap();
    let rows = compare(&exp, &out).unwrap();
    (exp, out, rows)
}

fn row<'a>(rows: &'a [ComparisonRow], ct: &str, a: &str, b: &str, r: Readout) -> &'a ComparisonRow {
    rows.iter()
        .find(|x| x.cancer_type == ct && x.arm_a == a && x.arm_b == b && x.readout == r)
        .unwrap()
}

#[test]
fn aged_hosts_have_more_senescent_evs_less_pten_lats2_more_emt_and_metastases() {
    let (exp, _, rows) = default_with(&["young_vehicle", "aged_vehicle"], 12);
    assert_eq!(exp.n, 12, "the default n");
    for ct in &exp.cancer_types {
        let c = |r| row(&rows, ct, "aged_vehicle", "young_vehicle", r);
        for r in [
            Readout::PlasmaEvSenescent,
            Readout::TumourEvUptake,
            Readout::EmtFraction,
        ] {
            assert!(
                c(r).fold_change > 1.0 && c(r).mann_whitney_p < 0.05,
                "{ct} {}: {:?}",
                r.name(),
                c(r)
            );
        }
        for r in [Readout::Pten, Readout::Lats2] {
            assert!(
                c(r).fold_change < 1.0 && c(r).mann_whitney_p < 0.05,
                "{ct} {}: {:?}",
                r.name(),
                c(r)
            );
        }
        let m = c(Readout::Metastases);
        assert!(
            m.fold_change >= 1.5 && m.mann_whitney_p < 0.05,
            "{ct} metastases: {m:?}"
        );
    }
}

#[test]
fn dq_p2rx7_inhibitor_and_both_antagomirs_each_cut_metastases_by_a_quarter() {
    let arms = ["aged_vehicle", "aged_dq", "aged_p2rx7i", "aged_anti_both"];
    let (exp, _, rows) = default_with(&arms, 40);
    for ct in &exp.cancer_types {
        for arm in &arms[1..] {
            let m = row(&rows, ct, arm, "aged_vehicle", Readout::Metastases);
            assert!(m.fold_change <= 0.75, "{ct} {arm}: {m:?}");
        }
    }
}

#[test]
fn each_antagomir_acts_on_its_own_family() {
    let (exp, _, rows) = default_with(
        &["aged_vehicle", "aged_anti_mir25_92", "aged_anti_mir30"],
        20,
    );
    for ct in &exp.cancer_types {
        let c = |a, r| row(&rows, ct, a, "aged_vehicle", r).fold_change;
        // Its own family's free miRNA falls; the other family's changes only by
        // the animals' variation in EV release (CV 0.3, 20 per arm).
        assert!(
            c("aged_anti_mir25_92", Readout::TumourMirna25_92) < 0.3,
            "{ct}"
        );
        assert!(
            (c("aged_anti_mir25_92", Readout::TumourMirna30) - 1.0).abs() < 0.25,
            "{ct}"
        );
        assert!(c("aged_anti_mir30", Readout::TumourMirna30) < 0.3, "{ct}");
        assert!(
            (c("aged_anti_mir30", Readout::TumourMirna25_92) - 1.0).abs() < 0.25,
            "{ct}"
        );
        // LATS2 carries an 8mer for miR-25/92a and only a 7mer-A1 for miR-30c/d:
        // silencing miR-25/92a de-represses it more.
        assert!(
            c("aged_anti_mir25_92", Readout::Lats2) > c("aged_anti_mir30", Readout::Lats2),
            "{ct}"
        );
        assert!(
            c("aged_anti_mir25_92", Readout::Lats2) > 1.0
                && c("aged_anti_mir30", Readout::Pten) > 1.0,
            "{ct}"
        );
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let tables = Tables::builtin().unwrap();
    let mut exp = scenario::parse(scenario::DEFAULT, Path::new("default"), &tables).unwrap();
    exp.cancer_types.truncate(2);
    exp.arms.truncate(3);
    exp.n = 5;
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| experiment::run(&exp, &tables, &|| {}).unwrap())
            .subjects
    };
    assert_eq!(run(1), run(3));
}
