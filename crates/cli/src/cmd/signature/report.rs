//! The offline HTML report of `senmet signature` (inline SVG, no scripts).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use senmet_stats::association::{self, Row, Test};
use senmet_stats::survival::kaplan_meier;

use super::output::num;
use super::svg::{self, esc, MET, NONMET};
use super::{Analysis, Args, Feature};

/// Most features given their own plots.
const MAX_PLOTTED: usize = 24;
/// Most points drawn in one scatter plot.
const MAX_POINTS: usize = 2000;
/// Most cancer types given KM curves per feature.
const MAX_KM_TYPES: usize = 6;

/// The study's hypothesis: the sign expected for a feature, +1 (higher in
/// older and metastatic tumours: EMT) or −1 (lower: PTEN, LATS2).
fn expected_sign(feature: &str) -> Option<f64> {
    let name = feature.rsplit(':').next().unwrap_or(feature);
    match name {
        "PTEN" | "LATS2" | "SENMET_STUDY_TARGETS" => Some(-1.0),
        "HALLMARK_EPITHELIAL_MESENCHYMAL_TRANSITION" => Some(1.0),
        _ => None,
    }
}

/// Writes report.html.
pub(crate) fn write(path: &Path, a: &Analysis, args: &Args) -> anyhow::Result<()> {
    let mut h = String::new();
    h.push_str("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>senmet signature report</title><style>body{font-family:sans-serif;max-width:1300px;margin:auto;padding:1em}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}figure{display:inline-block;margin:4px}figcaption{font-size:12px;text-align:center}.sup{color:#070}.opp{color:#a00}</style></head><body>");
    h.push_str("<h1>senmet signature</h1>");
    summary(&mut h, a, args);
    statements(&mut h, a);
    let mut order: Vec<&Feature> = a
        .features
        .iter()
        .filter(|f| expected_sign(&f.name).is_some())
        .collect();
    order.extend(
        a.features
            .iter()
            .filter(|f| expected_sign(&f.name).is_none()),
    );
    if order.len() > MAX_PLOTTED {
        let _ = write!(h, "<p>Plots are shown for the first {MAX_PLOTTED} of {} features; all results are in the TSV files.</p>", order.len());
    }
    for f in order.into_iter().take(MAX_PLOTTED) {
        feature_section(&mut h, a, f);
    }
    top_table(&mut h, a);
    h.push_str("</body></html>\n");
    std::fs::write(path, h).with_context(|| format!("cannot write {}", path.display()))
}

fn summary(h: &mut String, a: &Analysis, args: &Args) {
    let c = &a.cohort;
    let _ = write!(
        h,
        "<h2>Inputs</h2><ul><li>expression: {} ({} genes kept of {} rows; {} duplicated symbols merged by highest mean; {} genes dropped for missing values)</li><li>clinical: {} ({} rows)</li><li>{} samples in both files, of {} in the expression matrix; unmatched ids are listed in skipped.tsv</li><li>columns: age <code>{}</code>, metastasis <code>{}</code>, cancer type <code>{}</code>{}</li></ul>",
        esc(&args.expr.display().to_string()), c.expr.genes().len(), c.load.n_rows, c.load.duplicates.len(), c.load.missing.len(),
        esc(&args.clinical.display().to_string()), c.n_clinical, c.subjects.len(), c.n_expr_samples,
        esc(&args.age_col), esc(&args.metastasis_col), esc(&args.type_col),
        args.time_col.as_ref().map_or(String::new(), |t| format!(", survival <code>{}</code> / <code>{}</code>", esc(t), esc(args.event_col.as_deref().unwrap_or("")))),
    );
    h.push_str("<h3>Gene-set coverage</h3><table><tr><th>set</th><th>genes</th><th>found</th><th>missing</th></tr>");
    for cov in &c.coverage {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&cov.name),
            cov.n_genes,
            cov.n_found,
            esc(&cov.missing.join(", "))
        );
    }
    h.push_str("</table>");
}

/// Plain statements of which hypothesised directions the data support.
fn statements(h: &mut String, a: &Analysis) {
    h.push_str("<h2>What the data support</h2><p>Hypothesis (the study): older patients' metastatic tumours have lower PTEN and LATS2 and more EMT. For each feature and cancer type: age = Spearman ρ; metastasis = linear-model coefficient of metastasis adjusted for age; age × metastasis = the interaction term of score ~ age × metastasis. <em>Supported</em> means the hypothesised direction with BH q &lt; 0.05 (for the pooled estimate: its p &lt; 0.05).</p><ul>");
    for f in a.features.iter() {
        let Some(sign) = expected_sign(&f.name) else {
            continue;
        };
        for (test, what) in [
            (Test::SpearmanAge, "age"),
            (Test::LinearMetastasis, "metastasis"),
            (
                Test::LinearInteraction,
                "age × metastasis (metastasis difference growing with age)",
            ),
        ] {
            let mut parts = evidence(a, &f.name, test, sign);
            if parts.is_empty() {
                parts.push("not testable (see skipped.tsv)".into());
            }
            let dir = if sign < 0.0 { "lower" } else { "higher" };
            let _ = write!(
                h,
                "<li><b>{}</b> {dir} with {what}: {}</li>",
                esc(&f.name),
                parts.join("; ")
            );
        }
    }
    h.push_str("</ul>");
}

/// One verdict per cancer type, then the pooled one.
fn evidence(a: &Analysis, feature: &str, test: Test, sign: f64) -> Vec<String> {
    let mut parts = Vec::new();
    for r in a
        .rows
        .iter()
        .filter(|r| r.feature == feature && r.test == test)
    {
        let detail = format!("effect {:.3}, q {}", r.effect, fmt_p(r.q));
        parts.push(format!(
            "{}: {}",
            esc(&r.cancer_type),
            verdict(r.effect * sign, r.q, &detail)
        ));
    }
    if let Some(m) = a
        .meta
        .iter()
        .find(|m| m.feature == feature && m.test == test)
    {
        let x = &m.meta;
        let detail = format!(
            "effect {:.3} [{:.3}, {:.3}], p {}, I² {:.0}%",
            x.effect,
            x.ci_low,
            x.ci_high,
            fmt_p(x.p),
            100.0 * x.i2
        );
        parts.push(format!(
            "pooled over {} types: {}",
            x.k,
            verdict(x.effect * sign, x.p, &detail)
        ));
    }
    parts
}

fn verdict(aligned: f64, q: f64, detail: &str) -> String {
    let (class, word) = match (aligned > 0.0, q < 0.05) {
        (true, true) => ("sup", "supported"),
        (true, false) => ("", "same direction, not significant"),
        (false, true) => ("opp", "opposite direction (significant)"),
        (false, false) => ("", "opposite direction, not significant"),
    };
    format!("<span class=\"{class}\">{word}</span> ({detail})")
}

fn fmt_p(p: f64) -> String {
    if p.is_nan() {
        "NA".into()
    } else if p < 0.001 {
        format!("{p:.2e}")
    } else {
        format!("{p:.3}")
    }
}

fn feature_section(h: &mut String, a: &Analysis, f: &Feature) {
    let subjects = &a.cohort.subjects;
    let _ = write!(h, "<h2>{}</h2>", esc(&f.name));
    scatter_figure(h, a, f);
    let mut types: Vec<&str> = subjects.iter().map(|s| s.cancer_type.as_str()).collect();
    types.sort_unstable();
    types.dedup();
    let mut groups = Vec::new();
    for t in &types {
        for (met, label, colour) in [(true, "met", MET), (false, "non-met", NONMET)] {
            let v: Vec<f64> = subjects
                .iter()
                .zip(&f.values)
                .filter(|(s, _)| s.cancer_type == *t && s.metastasis == Some(met))
                .map(|(_, v)| *v)
                .collect();
            groups.push((format!("{t} {label}"), v, colour));
        }
    }
    figure(
        h,
        &svg::boxplot(&groups, &f.name),
        "by cancer type and metastasis status",
    );
    for (test, xlab) in [
        (Test::SpearmanAge, "Spearman ρ with age"),
        (Test::LinearMetastasis, "metastasis effect (age-adjusted)"),
    ] {
        forest_figure(h, a, f, test, xlab);
    }
    km_figures(h, a, f, &types);
}

fn scatter_figure(h: &mut String, a: &Analysis, f: &Feature) {
    let subjects = &a.cohort.subjects;
    // Every k-th sample when there are many, to keep the page light.
    let step = subjects.len().div_ceil(MAX_POINTS).max(1);
    let points: Vec<(f64, f64, Option<bool>)> = subjects
        .iter()
        .zip(&f.values)
        .step_by(step)
        .map(|(s, v)| (s.age.unwrap_or(f64::NAN), *v, s.metastasis))
        .collect();
    let shown = if step > 1 {
        format!(" (every {step}th of {} samples shown)", subjects.len())
    } else {
        String::new()
    };
    figure(
        h,
        &svg::scatter(&points, "age", &f.name),
        &format!(
            "{} vs age; red metastatic, blue non-metastatic, grey unknown{shown}",
            f.name
        ),
    );
}

fn forest_figure(h: &mut String, a: &Analysis, f: &Feature, test: Test, xlab: &str) {
    let rows: Vec<(String, f64, f64, f64)> = a
        .rows
        .iter()
        .filter(|r| r.feature == f.name && r.test == test)
        .filter_map(|r| {
            association::interval(r).map(|(y, lo, hi)| (r.cancer_type.clone(), y, lo, hi))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    let pooled = a
        .meta
        .iter()
        .find(|m| m.feature == f.name && m.test == test)
        .map(|m| (m.meta.effect, m.meta.ci_low, m.meta.ci_high));
    figure(
        h,
        &svg::forest(&rows, pooled, xlab, 0.0),
        &format!("{xlab}: per type with 95% CI"),
    );
}

fn km_figures(h: &mut String, a: &Analysis, f: &Feature, types: &[&str]) {
    for t in types.iter().take(MAX_KM_TYPES) {
        let data: Vec<(f64, f64, bool)> = a
            .cohort
            .subjects
            .iter()
            .zip(&f.values)
            .filter(|(s, v)| s.cancer_type == *t && v.is_finite())
            .filter_map(|(s, v)| Some((*v, s.time?, s.event?)))
            .collect();
        if data.len() < 4 {
            continue;
        }
        let values: Vec<f64> = data.iter().map(|d| d.0).collect();
        let median = association::median(&values);
        let mut curves = Vec::new();
        for (high, label, colour) in [(true, "high", MET), (false, "low", NONMET)] {
            let sub: Vec<&(f64, f64, bool)> =
                data.iter().filter(|d| (d.0 > median) == high).collect();
            let time: Vec<f64> = sub.iter().map(|d| d.1).collect();
            let event: Vec<bool> = sub.iter().map(|d| d.2).collect();
            if let Ok(km) = kaplan_meier(&time, &event, 0.05) {
                curves.push((format!("{label} score"), km, colour));
            }
        }
        let lr = a
            .rows
            .iter()
            .find(|r| r.feature == f.name && r.test == Test::LogRankHigh && r.cancer_type == *t);
        let caption = format!(
            "{t}: Kaplan–Meier above vs at-or-below the median; log-rank p = {}",
            lr.map_or("NA".into(), |r| fmt_p(r.p))
        );
        figure(h, &svg::km(&curves, "time"), &caption);
    }
}

fn figure(h: &mut String, svg: &str, caption: &str) {
    let _ = write!(
        h,
        "<figure>{svg}<figcaption>{}</figcaption></figure>",
        esc(caption)
    );
}

fn top_table(h: &mut String, a: &Analysis) {
    let mut rows: Vec<&Row> = a.rows.iter().filter(|r| !r.p.is_nan()).collect();
    rows.sort_by(|x, y| x.p.total_cmp(&y.p));
    h.push_str("<h2>Strongest associations (50 smallest p; all in associations.tsv)</h2><table><tr><th>cancer type</th><th>feature</th><th>test</th><th>n</th><th>n met</th><th>n non-met</th><th>statistic</th><th>effect</th><th>p</th><th>q</th></tr>");
    for r in rows.into_iter().take(50) {
        let _ = write!(h, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", esc(&r.cancer_type), esc(&r.feature), r.test.name(), r.n, r.n_met, r.n_nonmet, num(r.statistic), num(r.effect), fmt_p(r.p), fmt_p(r.q));
    }
    let _ = write!(
        h,
        "</table><p>{} tests or items skipped, each with its reason, in skipped.tsv.</p>",
        a.skips.len()
    );
}
