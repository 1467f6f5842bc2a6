//! The sensitivity analysis's offline HTML report: "measure this next".

use senmet_model::sensitivity::Problem;
use senmet_report::plot;
use senmet_report::{Report, Table};

use super::Ranked;

/// Factors shown in the bar plot and the "measure this next" table.
const TOP: usize = 15;

/// What the run did, for the report.
pub struct Info<'a> {
    /// sobol or morris.
    pub method: &'static str,
    /// Readout name.
    pub target: &'static str,
    /// Cancer type.
    pub cancer_type: &'a str,
    /// Aged and young arm names.
    pub arms: (&'a str, &'a str),
    /// Design seed.
    pub seed: u64,
    /// Design points.
    pub points: usize,
    /// Points whose EV shares were scaled to sum 1.
    pub scaled: usize,
    /// The command line.
    pub command: String,
}

/// The whole report as HTML.
pub fn render(info: &Info, problem: &Problem, ranked: &Ranked) -> anyhow::Result<String> {
    let mut r = Report::new(format!(
        "senmet sensitivity: {} ({})",
        info.target, info.cancer_type
    ));
    r.toc().footer(format!(
        "senmet {} · seed {} · {}",
        env!("CARGO_PKG_VERSION"),
        info.seed,
        info.command
    ));
    let measure = if info.method == "sobol" {
        "total-order Sobol' index S_T (error bars: half the bootstrap 95% interval)"
    } else {
        "Morris μ* (mean absolute elementary effect)"
    };
    let s = r.section("What was varied");
    s.paragraph(format!(
        "{} factors — every parameter of {} with a uniform or log-uniform prior, except between-subject variation CVs and intervention parameters, which the readout does not depend on — drawn over their ranges ({} design points, method {}). Each point is evaluated without sampling noise: the expected number of macro-metastases (colonies founded early enough to reach the detection threshold by the end) in arms {} and {}; the readout {} is computed from them. The three tropisms are drawn from their priors and divided by their sum; at {} of {} points the EV uptake shares of liver, spleen, lung and kidney summed above 1 and were scaled down to sum to 1. points.tsv holds the drawn values (tropisms before renormalisation).",
        problem.factors().len(),
        info.cancer_type,
        info.points,
        info.method,
        info.arms.0,
        info.arms.1,
        info.target,
        info.scaled,
        info.points
    ));
    let top: Vec<_> = ranked.rows.iter().take(TOP).collect();
    let labels: Vec<String> = top.iter().map(|t| t.0.clone()).collect();
    let values: Vec<f64> = top.iter().map(|t| t.1).collect();
    let errors: Vec<f64> = top.iter().map(|t| t.2).collect();
    let s = r.section("Measure this next");
    s.figure(
        plot::bars(
            &format!("{}: {} most influential factors", info.target, labels.len()),
            measure,
            &labels,
            &values,
            (info.method == "sobol").then_some(errors.as_slice()),
        )?,
        format!("Factors ranked by {measure}."),
    );
    s.table(sources(problem, ranked));
    Ok(r.to_html())
}

/// The top factors with their current values, ranges, units and sources.
fn sources(problem: &Problem, ranked: &Ranked) -> Table {
    let rows = ranked
        .rows
        .iter()
        .take(TOP)
        .enumerate()
        .filter_map(|(rank, (name, value, _, _))| {
            let (p, v) = problem.params().iter().find(|(p, _)| &p.name == name)?;
            Some(vec![
                (rank + 1).to_string(),
                name.clone(),
                format!("{value:.3}"),
                format!("{v} {}", p.units),
                format!("{} to {} ({})", p.low, p.high, p.prior.name()),
                p.source.clone(),
            ])
        })
        .collect();
    Table {
        header: [
            "rank",
            "factor",
            "index",
            "value",
            "range (prior)",
            "source",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}
