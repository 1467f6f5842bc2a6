//! The run's TSV tables.

use std::fmt::Write;

use senmet_model::experiment::{Experiment, Outcome};
use senmet_model::readout::{Readout, COURSES};
use senmet_model::summary::{ComparisonRow, SummaryRow};

/// A number as TSV text: shortest round-trip form, `NA` for NaN.
pub fn num(x: f64) -> String {
    if x.is_nan() {
        "NA".into()
    } else {
        format!("{x}")
    }
}

/// `summary.tsv`.
pub fn summary(rows: &[SummaryRow]) -> String {
    let mut s = String::from("cancer_type\tarm\treadout\tn\tmean\tsd\tmedian\tq05\tq95\tunits\n");
    for r in rows {
        let _ = writeln!(
            s,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.cancer_type,
            r.arm,
            r.readout.name(),
            r.n,
            num(r.mean),
            num(r.sd),
            num(r.median),
            num(r.q05),
            num(r.q95),
            r.readout.units()
        );
    }
    s
}

/// `comparisons.tsv`.
pub fn comparisons(rows: &[ComparisonRow]) -> String {
    let mut s = String::from(
        "cancer_type\tarm_a\tarm_b\treadout\tfold_change\tmann_whitney_p\tcliffs_delta\n",
    );
    for r in rows {
        let _ = writeln!(
            s,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            r.cancer_type,
            r.arm_a,
            r.arm_b,
            r.readout.name(),
            num(r.fold_change),
            num(r.mann_whitney_p),
            num(r.cliffs_delta)
        );
    }
    s
}

/// `subjects.tsv`: one row per simulated animal.
pub fn subjects(exp: &Experiment, out: &Outcome) -> String {
    let mut s = String::from("cancer_type\tarm\tsubject\tmetastasis_observed");
    for r in Readout::ALL {
        s.push('\t');
        s.push_str(r.name());
    }
    s.push('\n');
    for sub in &out.subjects {
        let _ = write!(
            s,
            "{}\t{}\t{}\t{}",
            exp.cancer_types[sub.cancer_type],
            exp.arms[sub.arm].name,
            sub.index + 1,
            sub.metastasis
        );
        for v in &sub.readouts {
            s.push('\t');
            s.push_str(&num(*v));
        }
        s.push('\n');
    }
    s
}

/// `prior_draws.tsv` (with `--prior`): every subject's values of the parameters drawn from
/// their priors, one column per parameter (empty where a subject has no such parameter).
pub fn prior_draws(exp: &Experiment, out: &Outcome) -> String {
    let mut names: Vec<&str> = Vec::new();
    for sub in &out.subjects {
        for (n, _) in &sub.drawn {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
    }
    let mut s = format!("cancer_type\tarm\tsubject\t{}\n", names.join("\t"));
    for sub in &out.subjects {
        let _ = write!(
            s,
            "{}\t{}\t{}",
            exp.cancer_types[sub.cancer_type],
            exp.arms[sub.arm].name,
            sub.index + 1
        );
        for n in &names {
            s.push('\t');
            if let Some((_, v)) = sub.drawn.iter().find(|(k, _)| k == n) {
                s.push_str(&num(*v));
            }
        }
        s.push('\n');
    }
    s
}

/// `courses.tsv`: arm means of the time courses, per cancer type and day.
pub fn courses(exp: &Experiment, out: &Outcome) -> String {
    let mut s = String::from("cancer_type\tarm\tday");
    for c in COURSES {
        s.push('\t');
        s.push_str(c.0);
    }
    s.push('\n');
    for (c, ty) in out.types.iter().enumerate() {
        for (a, arm) in exp.arms.iter().enumerate() {
            let subs: Vec<_> = out
                .subjects
                .iter()
                .filter(|x| x.cancer_type == c && x.arm == a)
                .collect();
            for (k, t) in ty.course_times.iter().enumerate() {
                let _ = write!(s, "{}\t{}\t{}", ty.name, arm.name, num(*t));
                for j in 0..COURSES.len() {
                    let mean = subs
                        .iter()
                        .map(|x| x.courses[k * COURSES.len() + j])
                        .sum::<f64>()
                        / subs.len() as f64;
                    s.push('\t');
                    s.push_str(&num(mean));
                }
                s.push('\n');
            }
        }
    }
    s
}

/// `params.tsv`: every value used, per cancer type, with units, range and source.
pub fn params(out: &Outcome) -> String {
    let mut s = String::from(
        "cancer_type\tname\tvalue\tunits\tlow\thigh\tprior\tlayer\tsource\tdescription\n",
    );
    for ty in &out.types {
        for (p, value) in ty.params.iter() {
            let _ = writeln!(
                s,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                ty.name,
                p.name,
                num(value),
                p.units,
                num(p.low),
                num(p.high),
                p.prior.name(),
                p.layer,
                p.source,
                p.description
            );
        }
        for d in &ty.derived {
            let _ = writeln!(
                s,
                "{}\t{}\t{}\t{}\tNA\tNA\tderived\tderived\t{}\tderived when the network is built",
                ty.name,
                d.name,
                num(d.value),
                d.units,
                d.how
            );
        }
    }
    s
}
