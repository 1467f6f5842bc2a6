//! The run's offline HTML report.

use senmet_model::experiment::{Experiment, Outcome};
use senmet_model::readout::{Readout, COURSES};
use senmet_model::summary::{self, quantile, ComparisonRow, SummaryRow};
use senmet_report::plot::{self, Group, Series, Step};
use senmet_report::{Report, Table};
use senmet_stats::survival::kaplan_meier;

use super::tables::num;

/// Readouts shown in the report's comparison table.
const KEY_READOUTS: [Readout; 9] = [
    Readout::Metastases,
    Readout::PlasmaEvSenescent,
    Readout::TumourEvUptake,
    Readout::TumourMirna25_92,
    Readout::TumourMirna30,
    Readout::Pten,
    Readout::Lats2,
    Readout::EmtFraction,
    Readout::PrimarySize,
];

/// One-line findings for the terminal: metastasis comparisons per cancer type.
pub fn headlines(exp: &Experiment, comparisons: &[ComparisonRow]) -> Vec<String> {
    exp.comparisons
        .iter()
        .map(|(a, b)| {
            let per_type: Vec<String> = comparisons
                .iter()
                .filter(|r| &r.arm_a == a && &r.arm_b == b && r.readout == Readout::Metastases)
                .map(|r| {
                    format!(
                        "{} ×{:.2} (p {})",
                        r.cancer_type,
                        r.fold_change,
                        p_text(r.mann_whitney_p)
                    )
                })
                .collect();
            format!("metastases, {a} vs {b}: {}", per_type.join(", "))
        })
        .collect()
}

fn p_text(p: f64) -> String {
    if p.is_nan() {
        "NA".into()
    } else if p < 1e-3 {
        format!("{p:.1e}")
    } else {
        format!("{p:.3}")
    }
}

fn sig(x: f64) -> String {
    if x.is_nan() {
        "NA".into()
    } else if x != 0.0 && (x.abs() >= 1e5 || x.abs() < 1e-2) {
        format!("{x:.3e}")
    } else {
        format!("{x:.3}")
    }
}

/// The whole report as HTML.
pub fn render(
    exp: &Experiment,
    out: &Outcome,
    summary_rows: &[SummaryRow],
    comparisons: &[ComparisonRow],
    command: &str,
) -> anyhow::Result<String> {
    let mut r = Report::new(format!("senmet: {}", exp.name));
    r.toc().footer(format!(
        "senmet {} · seed {} · {} subjects per arm · {command}",
        env!("CARGO_PKG_VERSION"),
        exp.seed,
        exp.n
    ));
    overview(&mut r, exp, out);
    findings(&mut r, exp, comparisons);
    metastases(&mut r, exp, out)?;
    courses(&mut r, exp, out)?;
    survival(&mut r, exp, out)?;
    comparison_table(&mut r, comparisons);
    summary_table(&mut r, summary_rows);
    parameters(&mut r, out);
    assumptions(&mut r);
    Ok(r.to_html())
}

fn overview(r: &mut Report, exp: &Experiment, out: &Outcome) {
    let s = r.section("What was simulated");
    s.paragraph(format!(
        "{} subjects per arm, {} arm(s), {} cancer type(s) ({}), seed {}. Each subject is a tumour-bearing host followed from its arm's first treatment to the end of the experiment; its liver ages, turns senescent and releases extracellular vesicles (EVs) whose miR-25/92a and miR-30c/d reach the tumour, repress PTEN and LATS2 and raise the rate of epithelial–mesenchymal transition (EMT). Mesenchymal cells leave the tumour, circulate, arrest in lung, liver or bone and rarely found colonies; colonies that reach the detection threshold count as macro-metastases. Subjects of an arm differ by their draws of senescence burden, EV release and tumour growth, and by the exact stochastic founding of colonies.",
        exp.n,
        exp.arms.len(),
        exp.cancer_types.len(),
        out.types.iter().map(|t| format!("{} to day {}", t.name, t.t_end)).collect::<Vec<_>>().join(", "),
        exp.seed
    ));
    s.list(
        exp.arms
            .iter()
            .map(|a| {
                let ivs: Vec<String> = a.interventions.iter().map(|i| i.describe()).collect();
                let effects = a.age_effects.enabled();
                format!(
                    "{}: {} aged {:.0} days ({:.1} months); {}{}",
                    a.name,
                    a.host.species.name(),
                    a.host.age_days,
                    a.host.age_days / 30.44,
                    if ivs.is_empty() {
                        "no treatment".to_string()
                    } else {
                        ivs.join("; ")
                    },
                    if effects.is_empty() {
                        String::new()
                    } else {
                        format!("; host-age effects on: {}", effects.join(", "))
                    }
                )
            })
            .collect(),
    );
}

/// Plain-language findings computed from the comparisons.
fn findings(r: &mut Report, exp: &Experiment, comparisons: &[ComparisonRow]) {
    let s = r.section("What this run shows");
    let mut items = Vec::new();
    for (a, b) in &exp.comparisons {
        let rows: Vec<&ComparisonRow> = comparisons
            .iter()
            .filter(|c| &c.arm_a == a && &c.arm_b == b && c.readout == Readout::Metastases)
            .collect();
        let up = rows.iter().filter(|c| c.fold_change > 1.0).count();
        let sig = rows.iter().filter(|c| c.mann_whitney_p < 0.05).count();
        let detail: Vec<String> = rows
            .iter()
            .map(|c| {
                format!(
                    "{} ×{:.2}, p {}",
                    c.cancer_type,
                    c.fold_change,
                    p_text(c.mann_whitney_p)
                )
            })
            .collect();
        let ia = exp.arms.iter().position(|x| &x.name == a);
        let ib = exp.arms.iter().position(|x| &x.name == b);
        let penalty_note = match (ia, ib) {
            (Some(ia), Some(ib))
                if exp.arms[ia].age_effects.growth_penalty
                    && !exp.arms[ib].age_effects.growth_penalty =>
            {
                format!(
                    " This arm has the host-age growth penalty on (old hosts grow tumours and colonies more slowly, at the literature strength of age_growth_penalty): the EV mechanism still wins (more metastases than in {b}) in {up} of {} cancer type(s) and loses in {}.",
                    rows.len(),
                    rows.len() - up
                )
            }
            _ => String::new(),
        };
        items.push(format!(
            "{a} vs {b}: metastases higher in {up} and lower in {} of {} cancer type(s), {sig} with Mann–Whitney p < 0.05 ({}).{penalty_note}",
            rows.len() - up,
            rows.len(),
            detail.join("; ")
        ));
    }
    s.paragraph("Fold changes are ratios of arm means of macro-metastasis counts at the end; p-values are two-sided Mann–Whitney tests between the arms' subjects; no correction for multiple comparisons.");
    s.list(items);
}

fn metastases(r: &mut Report, exp: &Experiment, out: &Outcome) -> anyhow::Result<()> {
    let s = r.section("Metastases per arm");
    for (c, ct) in exp.cancer_types.iter().enumerate() {
        let groups: Vec<Group> = exp
            .arms
            .iter()
            .enumerate()
            .map(|(a, arm)| Group {
                label: arm.name.clone(),
                values: summary::values(out, c, a, Readout::Metastases),
            })
            .collect();
        s.figure(
            plot::box_strip(
                &format!("{ct}: macro-metastases at day {}", out.types[c].t_end),
                "metastases per subject",
                &groups,
                false,
            )?,
            format!("{ct}: one point per subject; boxes show median and quartiles."),
        );
    }
    Ok(())
}

fn courses(r: &mut Report, exp: &Experiment, out: &Outcome) -> anyhow::Result<()> {
    let s = r.section("Time courses");
    s.paragraph("Arm medians with 5–95% bands over subjects. Day 0 is tumour implantation.");
    for (c, ty) in out.types.iter().enumerate() {
        for (j, (symbol, label, units)) in COURSES.iter().enumerate() {
            let series: Vec<Series> = exp
                .arms
                .iter()
                .enumerate()
                .map(|(a, arm)| {
                    let subs: Vec<_> = out
                        .subjects
                        .iter()
                        .filter(|x| x.cancer_type == c && x.arm == a)
                        .collect();
                    let (mut y, mut lo, mut hi) = (Vec::new(), Vec::new(), Vec::new());
                    for k in 0..ty.course_times.len() {
                        let mut v: Vec<f64> = subs
                            .iter()
                            .map(|x| x.courses[k * COURSES.len() + j])
                            .collect();
                        v.sort_by(f64::total_cmp);
                        y.push(quantile(&v, 0.5));
                        lo.push(quantile(&v, 0.05));
                        hi.push(quantile(&v, 0.95));
                    }
                    Series {
                        label: arm.name.clone(),
                        x: ty.course_times.clone(),
                        y,
                        band: Some((lo, hi)),
                    }
                })
                .collect();
            let log = matches!(
                *symbol,
                "plasma_ev_senescent" | "primary_size" | "metastatic_burden"
            );
            s.figure(
                plot::lines(&format!("{}: {label}", ty.name), "day", units, &series, log)?,
                format!(
                    "{}: {label} ({units}){}",
                    ty.name,
                    if log { ", log scale" } else { "" }
                ),
            );
        }
    }
    Ok(())
}

fn survival(r: &mut Report, exp: &Experiment, out: &Outcome) -> anyhow::Result<()> {
    let s = r.section("Time to first metastasis");
    s.paragraph("Kaplan–Meier estimates of the day a first colony reaches the detection threshold, per arm; subjects without one are censored at the end of the experiment. Bands are 95% pointwise confidence intervals (exponential Greenwood).");
    for (c, ct) in exp.cancer_types.iter().enumerate() {
        let mut curves = Vec::new();
        for (a, arm) in exp.arms.iter().enumerate() {
            let subs: Vec<_> = out
                .subjects
                .iter()
                .filter(|x| x.cancer_type == c && x.arm == a)
                .collect();
            let time: Vec<f64> = subs
                .iter()
                .map(|x| x.get(Readout::TimeToFirstMetastasis))
                .collect();
            let event: Vec<bool> = subs.iter().map(|x| x.metastasis).collect();
            let km = kaplan_meier(&time, &event, 0.05)?;
            let censored = subs
                .iter()
                .filter(|x| !x.metastasis)
                .map(|x| x.get(Readout::TimeToFirstMetastasis))
                .collect();
            // The CI is undefined (NaN) while survival is 1: draw it as 1.
            let fill = |b: Vec<f64>| {
                b.iter()
                    .zip(&km.survival)
                    .map(|(x, s)| if x.is_nan() { *s } else { *x })
                    .collect()
            };
            let (lower, upper) = (fill(km.lower.clone()), fill(km.upper.clone()));
            curves.push(Step {
                label: arm.name.clone(),
                time: km.times,
                survival: km.survival,
                lower: Some(lower),
                upper: Some(upper),
                censored,
            });
        }
        s.figure(
            plot::km(&format!("{ct}: free of macro-metastasis"), "day", &curves)?,
            format!("{ct}: Kaplan–Meier, time to first macro-metastasis"),
        );
    }
    Ok(())
}

fn comparison_table(r: &mut Report, comparisons: &[ComparisonRow]) {
    let rows = comparisons
        .iter()
        .filter(|c| KEY_READOUTS.contains(&c.readout))
        .map(|c| {
            vec![
                c.cancer_type.clone(),
                c.arm_a.clone(),
                c.arm_b.clone(),
                c.readout.name().to_string(),
                sig(c.fold_change),
                p_text(c.mann_whitney_p),
                sig(c.cliffs_delta),
            ]
        })
        .collect();
    r.section("Comparisons")
        .paragraph("Key readouts; every readout is in comparisons.tsv.")
        .table(Table {
            header: [
                "cancer_type",
                "arm_a",
                "arm_b",
                "readout",
                "fold_change",
                "mann_whitney_p",
                "cliffs_delta",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        });
}

fn summary_table(r: &mut Report, rows: &[SummaryRow]) {
    let rows = rows
        .iter()
        .filter(|x| KEY_READOUTS.contains(&x.readout))
        .map(|x| {
            vec![
                x.cancer_type.clone(),
                x.arm.clone(),
                x.readout.name().to_string(),
                x.n.to_string(),
                sig(x.mean),
                sig(x.sd),
                sig(x.median),
                sig(x.q05),
                sig(x.q95),
                x.readout.units().to_string(),
            ]
        })
        .collect();
    r.section("Arm summaries")
        .paragraph("Key readouts; every readout is in summary.tsv.")
        .table(Table {
            header: [
                "cancer_type",
                "arm",
                "readout",
                "n",
                "mean",
                "sd",
                "median",
                "q05",
                "q95",
                "units",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        });
}

fn parameters(r: &mut Report, out: &Outcome) {
    let Some(first) = out.types.first() else {
        return;
    };
    let mut rows: Vec<Vec<String>> = first
        .params
        .iter()
        .filter(|(p, _)| p.scope == "any" || p.scope == "mouse" || p.scope == "human")
        .map(|(p, v)| {
            vec![
                p.name.clone(),
                num(v),
                p.units.clone(),
                format!("{} – {} ({})", num(p.low), num(p.high), p.prior.name()),
                p.source.clone(),
            ]
        })
        .collect();
    for ty in &out.types {
        for (p, v) in ty.params.iter().filter(|(p, _)| p.scope == ty.name) {
            rows.push(vec![
                format!("{}: {}", ty.name, p.name),
                num(v),
                p.units.clone(),
                format!("{} – {} ({})", num(p.low), num(p.high), p.prior.name()),
                p.source.clone(),
            ]);
        }
    }
    r.section("Parameters")
        .paragraph("Every value used (host species of the first arm), with units, range or prior and source; params.tsv also lists the values derived from them.")
        .table(Table { header: ["name", "value", "units", "range (prior)", "source"].map(String::from).to_vec(), rows });
}

fn assumptions(r: &mut Report) {
    r.section("What it assumes, and the evidence against it").list(vec![
        "The study's own numbers (EV fold changes, nodule counts, effect sizes) were not available; the model is calibrated to reproduce its qualitative findings. Parameters marked 'estimate (calibration)' in the table are chosen for that and are the first to measure.".into(),
        "Delivery is the weakest link: at the measured stoichiometry of 0.008 miRNA copies per EV (Chevillet et al. 2014), aged-liver EVs would deliver ~1000-fold fewer copies per tumour cell than the ~100–1000 needed for repression. The model assumes senescent-hepatocyte EVs are enriched ~1500-fold in miR-25/92a and miR-30c/d (cargo_enrichment_*).".into(),
        "Plasma EV counts in older humans are lower, not higher (Eitan et al. 2017); only senescent-origin EVs rise in the model.".into(),
        "Transplanted tumours often grow more slowly in old mice (Pettan-Brewer et al. 2012), and for most cancers older patients do not present with more metastases (SEER; Bhutada et al. 2021). The growth penalty and immune-surveillance terms are switchable (age_effects) so their weight against the EV mechanism can be read off; the comparison of the growth-penalty arm above shows which wins here.".into(),
        "miR-30c/d are mostly described as tumour suppressors; the model follows the study in giving them a pro-metastatic role through PTEN and LATS2. Both families have sites in both 3'UTRs (weights from senmet targets' context++ scores), so neither antagomir is specific to one target.".into(),
        "P2RX7 in human liver is mainly on Kupffer cells and monocytes, and hepatocytes are not the main p16-high cell type in aged mouse liver; the model attributes the P2RX7-dependent EV release to senescent hepatocytes, as the study does.".into(),
        "D+Q failed to clear liver senescent cells in one DEN/high-fat model (Cell Commun Signal 2021); the kill per course (dq_course_kill, 30%) is uncertain.".into(),
        "Colonies grow exponentially once founded; dormancy, organ-specific growth and competition between colonies are not modelled. Founding is exact (a Poisson process on the deterministic path of circulating cells).".into(),
    ]);
}
