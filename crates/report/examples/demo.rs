//! Writes a demonstration report with every kind of block and plot, from seeded synthetic
//! data, to `target/report-demo.html` (or the path given as the first argument).
//!
//! `cargo run -p senmet-report --example demo`

use std::path::PathBuf;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use senmet_report::plot::{self, Group, Series, Step};
use senmet_report::{Report, Table};

const ARMS: [&str; 7] = [
    "control",
    "P2RX7 inhibitor",
    "anti-miR-25/92a",
    "anti-miR-30c/d",
    "P2RX7 inhibitor + anti-miR-25/92a + anti-miR-30c/d",
    "EV blockade (GW4869)",
    "senolytic (dasatinib + quercetin)",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("target/report-demo.html"), PathBuf::from);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut report = Report::new("senmet demo report: synthetic data <not a result>");
    report
        .toc()
        .footer("senmet-report demo, seed 7 (synthetic data)");
    report
        .section("About")
        .paragraph("Every number here is drawn from a seeded random generator to show the layout; none is a result. Text is escaped: <b>not bold</b> & \"quoted\".")
        .list(vec!["Box plots with jittered points".into(), "Lines with bands, log y".into(), "Kaplan–Meier curves".into(), "Bars with error bars".into()]);
    let figures = report.section("Metastases per arm, by cancer type");
    for (k, cancer) in ["colorectal", "pancreatic", "breast", "lung", "melanoma"]
        .iter()
        .enumerate()
    {
        let groups: Vec<Group> = ARMS
            .iter()
            .enumerate()
            .map(|(a, arm)| Group {
                label: (*arm).to_string(),
                values: (0..(if a == 3 && k == 1 { 0 } else { 12 }))
                    .map(|_| (rng.random::<f64>() * 2.0 + 3.0 - 0.3 * a as f64).exp())
                    .collect(),
            })
            .collect();
        let svg = plot::box_strip(
            &format!("{cancer} cancer"),
            "liver metastases",
            &groups,
            k % 2 == 0,
        )?;
        figures.figure(
            svg,
            format!("{cancer}: metastases per mouse, 12 mice per arm (log scale on even panels)"),
        );
    }
    let t: Vec<f64> = (0..=60).map(f64::from).collect();
    let series: Vec<Series> = [
        ("young liver", 0.08),
        ("aged liver", 0.12),
        ("aged + P2RX7 inhibitor", 0.09),
    ]
    .iter()
    .map(|&(label, r)| {
        let y: Vec<f64> = t.iter().map(|t| 10.0 * (r * t).exp()).collect();
        let band = (
            y.iter().map(|v| v * 0.6).collect(),
            y.iter().map(|v| v * 1.6).collect(),
        );
        Series {
            label: label.into(),
            x: t.clone(),
            y,
            band: Some(band),
        }
    })
    .collect();
    let curves: Vec<Step> = [("young", 0.02), ("aged", 0.05)]
        .iter()
        .map(|&(label, hazard)| km_curve(label, hazard, &mut rng))
        .collect();
    let names: Vec<String> = [
        "k_release",
        "k_uptake",
        "miR-25 decay",
        "PTEN repression",
        "LATS2 repression",
        "EMT threshold",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let s1: Vec<f64> = names.iter().map(|_| rng.random::<f64>() * 0.5).collect();
    let err: Vec<f64> = s1.iter().map(|v| v * 0.2).collect();
    report
        .section("Dynamics and survival")
        .figure(
            plot::lines("Metastatic burden", "day", "cells", &series, true)?,
            "Median and 5–95 % band over 1,000 virtual mice",
        )
        .figure(
            plot::km("Metastasis-free survival", "days", &curves)?,
            "Kaplan–Meier estimate with 95 % band; ticks mark censoring",
        )
        .figure(
            plot::bars("First-order Sobol indices", "S1", &names, &s1, Some(&err))?,
            "Bootstrap 95 % half-widths as error bars",
        );
    let rows = (0..60)
        .map(|i| {
            vec![
                format!("gene{i}"),
                format!("{:.3}", rng.random::<f64>() - 0.5),
                format!("{:.2e}", rng.random::<f64>() * 1e-3),
                "<&>\"".into(),
            ]
        })
        .collect();
    report.section("A long table").table(Table {
        header: vec!["gene".into(), "log2 FC".into(), "p".into(), "note".into()],
        rows,
    });
    report.write(&path)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// A Kaplan–Meier curve of 40 exponential survival times with uniform censoring.
fn km_curve(label: &str, hazard: f64, rng: &mut ChaCha8Rng) -> Step {
    let mut obs: Vec<(f64, bool)> = (0..40)
        .map(|_| {
            let t = -(1.0 - rng.random::<f64>()).ln() / hazard;
            let c = rng.random::<f64>() * 60.0;
            (t.min(c), t <= c)
        })
        .collect();
    obs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut step = Step {
        label: label.into(),
        ..Step::default()
    };
    let (mut at_risk, mut s, mut var) = (obs.len() as f64, 1.0, 0.0);
    for (t, event) in obs {
        if event {
            s *= 1.0 - 1.0 / at_risk;
            var += 1.0 / (at_risk * (at_risk - 1.0));
            let half = 1.96 * s * var.sqrt();
            step.time.push(t);
            step.survival.push(s);
            step.lower
                .get_or_insert_with(Vec::new)
                .push((s - half).max(0.0));
            step.upper
                .get_or_insert_with(Vec::new)
                .push((s + half).min(1.0));
        } else {
            step.censored.push(t);
        }
        at_risk -= 1.0;
    }
    step
}
