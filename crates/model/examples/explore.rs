//! Scratch (not committed).
use senmet_model::{experiment, params::Tables, readout::Readout, scenario, summary};
use std::path::Path;
fn main() {
    let t = Tables::builtin().unwrap();
    let exp = scenario::parse(scenario::DEFAULT, Path::new("default"), &t).unwrap();
    let start = std::time::Instant::now();
    let out = experiment::run(&exp, &t, &|| {}).unwrap();
    eprintln!("{} subjects in {:?}", out.subjects.len(), start.elapsed());
    let rows = summary::compare(&exp, &out).unwrap();
    for r in rows.iter().filter(|r| matches!(r.readout, Readout::Metastases | Readout::Pten | Readout::Lats2 | Readout::TumourMirna25_92 | Readout::TumourMirna30 | Readout::PlasmaEvSenescent | Readout::EmtFraction | Readout::PrimarySize)) {
        println!("{:11} {:28} {:14} {:20} fc={:.2} p={:.2e} d={:.2}", r.cancer_type, r.arm_a, r.arm_b, r.readout.name(), r.fold_change, r.mann_whitney_p, r.cliffs_delta);
    }
    for s in summary::summarize(&exp, &out).iter().filter(|r| r.readout == Readout::Metastases) {
        println!("{:11} {:28} mean={:.1} sd={:.1}", s.cancer_type, s.arm, s.mean, s.sd);
    }
}
