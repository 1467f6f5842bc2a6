//! Shift-test output: a TSV and an offline HTML report with SVG running-sum plots.

use std::io::{self, Write};

use super::Shift;

/// Header of the shift TSV.
pub const TSV_HEADER: &str =
    "family\tn_targets\tn_genes\tshift\tmean_rank\tauc\tranksum_p\tranksum_q\tks_d\tks_p\tks_q";

/// Writes the shift TSV (header and one row per family, in the given order).
///
/// # Errors
///
/// The writer's error.
pub fn write_tsv(w: &mut impl Write, shifts: &[Shift]) -> io::Result<()> {
    writeln!(w, "{TSV_HEADER}")?;
    for s in shifts {
        writeln!(
            w,
            "{}\t{}\t{}\t{}\t{:.4}\t{:.4}\t{:.3e}\t{:.3e}\t{:.4}\t{:.3e}\t{:.3e}",
            s.family,
            s.n_targets,
            s.n_genes,
            s.direction(),
            s.mean_rank,
            s.auc,
            s.ranksum_p,
            s.ranksum_q,
            s.ks_d,
            s.ks_p,
            s.ks_q
        )?;
    }
    Ok(())
}

/// Writes a self-contained HTML page: a table of every family and running-sum
/// plots of the first `max_plots` families.
///
/// # Errors
///
/// The writer's error.
///
/// # Examples
///
/// ```
/// use std::collections::HashSet;
/// use senmet_seq::shift::{report, test};
///
/// let ranked: Vec<String> = (0..10).map(|i| format!("g{i}")).collect();
/// let t: HashSet<String> = ["g1", "g2"].iter().map(|s| s.to_string()).collect();
/// let s = test("miR-x", &ranked, &t).expect("two groups");
/// let mut html = Vec::new();
/// report::write_html(&mut html, "ranked.tsv", &[s], 10)?;
/// assert!(String::from_utf8(html)?.contains("<svg"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_html(
    w: &mut impl Write,
    source: &str,
    shifts: &[Shift],
    max_plots: usize,
) -> io::Result<()> {
    writeln!(
        w,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>senmet targets shift</title>\
         <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}\
         td,th{{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}}\
         td:first-child{{text-align:left}}figure{{display:inline-block;margin:8px}}</style></head><body>"
    )?;
    writeln!(w, "<h1>Target-set shift: {}</h1>", escape(source))?;
    writeln!(
        w,
        "<p>Rank 1 is the first gene of the list. Running sum: +1/n<sub>targets</sub> at a \
         target, &minus;1/n<sub>others</sub> otherwise; its largest absolute value is the KS D. \
         Rank-sum p: normal approximation with continuity correction; KS p: asymptotic; \
         q: Benjamini&ndash;Hochberg over families.</p>"
    )?;
    for s in shifts.iter().take(max_plots) {
        writeln!(
            w,
            "<figure>{}<figcaption>{} &mdash; {} targets, {}, rank-sum q = {:.2e}, KS q = {:.2e}</figcaption></figure>",
            svg(s),
            escape(&s.family),
            s.n_targets,
            s.direction(),
            s.ranksum_q,
            s.ks_q
        )?;
    }
    writeln!(w, "<table><tr><th>family</th><th>targets</th><th>genes</th><th>shift</th><th>AUC</th><th>rank-sum p</th><th>q</th><th>KS D</th><th>KS p</th><th>q</th></tr>")?;
    for s in shifts {
        writeln!(
            w,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.3}</td><td>{:.2e}</td><td>{:.2e}</td><td>{:.3}</td><td>{:.2e}</td><td>{:.2e}</td></tr>",
            escape(&s.family), s.n_targets, s.n_genes, s.direction(), s.auc,
            s.ranksum_p, s.ranksum_q, s.ks_d, s.ks_p, s.ks_q
        )?;
    }
    writeln!(w, "</table></body></html>")
}

/// The running-sum plot of one family, at most 600 points, with a tick per target.
fn svg(s: &Shift) -> String {
    let (width, height, pad) = (600.0, 160.0, 10.0);
    let n = s.running.len().max(1) as f64;
    let top = s.running.iter().fold(1e-9f64, |m, v| m.max(v.abs()));
    let y = |v: f64| height / 2.0 - v / top * (height / 2.0 - pad - 12.0);
    let x = |i: usize| pad + i as f64 / n * (width - 2.0 * pad);
    let step = s.running.len().div_ceil(600).max(1);
    let points: Vec<String> = (0..s.running.len())
        .step_by(step)
        .map(|i| format!("{:.1},{:.1}", x(i), y(s.running[i])))
        .collect();
    let ticks: String = s
        .hits
        .iter()
        .map(|&i| format!("M{:.1} {:.1}v8", x(i), height - 10.0))
        .collect();
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\">\
         <line x1=\"{pad}\" x2=\"{}\" y1=\"{mid}\" y2=\"{mid}\" stroke=\"#999\"/>\
         <polyline fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\" points=\"{}\"/>\
         <path d=\"{ticks}\" stroke=\"#333\" stroke-width=\"0.5\"/></svg>",
        width - pad,
        points.join(" "),
        mid = height / 2.0
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
