//! The power analysis's offline HTML report.

use senmet_model::experiment::Experiment;
use senmet_model::readout::Readout;
use senmet_report::plot::{self, Group, Series};
use senmet_report::{Report, Table};
use senmet_stats::power::Settings;

use super::{Curve, TARGET};

/// One line for the terminal per cancer type.
pub fn headline(exp: &Experiment, readout: Readout, c: &Curve) -> String {
    let (a, b) = (&exp.arms[0].name, &exp.arms[1].name);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    format!(
        "{}: {} {a} {:.2} vs {b} {:.2} (pool means), P({a} < {b}) = {:.3}; n per arm for 80% power: simulated {}, Noether {}",
        c.cancer_type,
        readout.name(),
        mean(&c.pools.0),
        mean(&c.pools.1),
        c.prob_less,
        n_text(c.n80, c.rows.last().map(|r| r.n)),
        c.noether.map_or("none (no effect)".into(), |n| n.to_string()),
    )
}

fn n_text(n: Option<usize>, n_max: Option<usize>) -> String {
    match (n, n_max) {
        (Some(n), _) => n.to_string(),
        (None, Some(max)) => format!("> {max}"),
        (None, None) => "none".into(),
    }
}

/// The whole report as HTML.
pub fn render(
    exp: &Experiment,
    readout: Readout,
    s: &Settings,
    curves: &[Curve],
    command: &str,
) -> anyhow::Result<String> {
    let (a, b) = (&exp.arms[0].name, &exp.arms[1].name);
    let mut r = Report::new(format!("senmet power: {a} vs {b}"));
    r.toc().footer(format!(
        "senmet {} · seed {} · {command}",
        env!("CARGO_PKG_VERSION"),
        exp.seed
    ));
    let sec = r.section("How many mice per arm");
    sec.paragraph(method(exp, readout, s));
    sec.list(curves.iter().map(|c| headline(exp, readout, c)).collect());
    sec.table(summary_table(curves));
    for c in curves {
        let sec = r.section(format!("{}: power curve", c.cancer_type));
        sec.figure(
            plot::lines(
                &format!("{}: power of {a} vs {b} ({})", c.cancer_type, readout.name()),
                "subjects per arm",
                "power",
                &series(c),
                false,
            )?,
            "Simulated power with its 95% interval (band), Noether's closed form, and the 80% line.",
        );
        sec.figure(
            plot::box_strip(
                &format!("{}: pools of simulated subjects", c.cancer_type),
                readout.units(),
                &[
                    Group {
                        label: a.clone(),
                        values: c.pools.0.clone(),
                    },
                    Group {
                        label: b.clone(),
                        values: c.pools.1.clone(),
                    },
                ],
                false,
            )?,
            "The pools studies are drawn from; one point per simulated subject.",
        );
    }
    Ok(r.to_html())
}

fn method(exp: &Experiment, readout: Readout, s: &Settings) -> String {
    let (a, b) = (&exp.arms[0].name, &exp.arms[1].name);
    format!(
        "Scenario “{}”. {} subjects per arm were simulated once (the pool); each of {} replicate studies per size draws n subjects per arm without replacement from the pools and tests {} with a two-sided Mann–Whitney test at α = {}. Power is the fraction of studies with p < α, with its Clopper–Pearson 95% interval. The closed form is Noether's (1987) normal approximation with P({a} < {b}) estimated from the pools (ties count ½); it ignores ties in the null variance, and at very small n it ignores that the exact test cannot reach p < α at all (n = 3 per arm: the smallest two-sided p is 0.1).",
        exp.name, exp.n, s.studies, readout.name(), s.alpha
    )
}

fn summary_table(curves: &[Curve]) -> Table {
    Table {
        header: [
            "cancer type",
            "P(A < B)",
            "n for 80% (simulated)",
            "n for 80% (Noether)",
        ]
        .map(String::from)
        .to_vec(),
        rows: curves
            .iter()
            .map(|c| {
                vec![
                    c.cancer_type.clone(),
                    format!("{:.3}", c.prob_less),
                    n_text(c.n80, c.rows.last().map(|r| r.n)),
                    c.noether.map_or("none".into(), |n| n.to_string()),
                ]
            })
            .collect(),
    }
}

fn series(c: &Curve) -> Vec<Series> {
    let x: Vec<f64> = c.rows.iter().map(|r| r.n as f64).collect();
    vec![
        Series {
            label: "simulated (95% CI)".into(),
            x: x.clone(),
            y: c.rows.iter().map(|r| r.power).collect(),
            band: Some((
                c.rows.iter().map(|r| r.lower).collect(),
                c.rows.iter().map(|r| r.upper).collect(),
            )),
        },
        Series {
            label: "Noether closed form".into(),
            x: x.clone(),
            y: c.rows.iter().map(|r| r.closed_form).collect(),
            band: None,
        },
        Series {
            label: "80% power".into(),
            y: vec![TARGET; x.len()],
            x,
            band: None,
        },
    ]
}
