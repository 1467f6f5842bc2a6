//! Small hand-written inline SVG charts for the offline report.

use std::fmt::Write;

use senmet_stats::survival::KaplanMeier;

const W: f64 = 420.0;
const H: f64 = 300.0;
const LEFT: f64 = 60.0;
const RIGHT: f64 = 15.0;
const TOP: f64 = 15.0;
const BOTTOM: f64 = 42.0;
/// Colours: metastatic, non-metastatic, unknown.
pub(crate) const MET: &str = "#d62728";
pub(crate) const NONMET: &str = "#1f77b4";
const UNKNOWN: &str = "#999999";

/// Escapes text for XML.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A plotting area with linear x and y scales.
struct Frame {
    x: (f64, f64),
    y: (f64, f64),
    svg: String,
}

impl Frame {
    fn new(x: (f64, f64), y: (f64, f64), xlab: &str, ylab: &str) -> Self {
        Self::with_ticks(x, y, xlab, ylab, (true, true))
    }

    /// A frame whose x and/or y tick labels can be left out (categorical axes).
    fn with_ticks(
        x: (f64, f64),
        y: (f64, f64),
        xlab: &str,
        ylab: &str,
        show: (bool, bool),
    ) -> Self {
        let pad = |(lo, hi): (f64, f64)| {
            let span = if hi > lo { hi - lo } else { 1.0 };
            (lo - 0.05 * span, hi + 0.05 * span)
        };
        let mut f = Self {
            x: pad(x),
            y: pad(y),
            svg: String::new(),
        };
        let _ = write!(
            f.svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">"#
        );
        f.axes(xlab, ylab, show);
        f
    }

    fn px(&self, v: f64) -> f64 {
        LEFT + (v - self.x.0) / (self.x.1 - self.x.0) * (W - LEFT - RIGHT)
    }

    fn py(&self, v: f64) -> f64 {
        H - BOTTOM - (v - self.y.0) / (self.y.1 - self.y.0) * (H - TOP - BOTTOM)
    }

    fn axes(&mut self, xlab: &str, ylab: &str, (show_x, show_y): (bool, bool)) {
        let (x0, y0) = (LEFT, H - BOTTOM);
        let _ = write!(
            self.svg,
            r##"<rect x="{LEFT}" y="{TOP}" width="{}" height="{}" fill="none" stroke="#444"/>"##,
            W - LEFT - RIGHT,
            H - TOP - BOTTOM
        );
        for t in ticks(self.x).into_iter().filter(|_| show_x) {
            let x = self.px(t);
            let _ = write!(
                self.svg,
                r##"<line x1="{x:.1}" y1="{y0}" x2="{x:.1}" y2="{}" stroke="#444"/><text x="{x:.1}" y="{}" text-anchor="middle">{}</text>"##,
                y0 + 4.0,
                y0 + 15.0,
                label(t)
            );
        }
        for t in ticks(self.y).into_iter().filter(|_| show_y) {
            let y = self.py(t);
            let _ = write!(
                self.svg,
                r##"<line x1="{}" y1="{y:.1}" x2="{x0}" y2="{y:.1}" stroke="#444"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
                x0 - 4.0,
                x0 - 6.0,
                y + 4.0,
                label(t)
            );
        }
        let _ = write!(
            self.svg,
            r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
            LEFT + (W - LEFT - RIGHT) / 2.0,
            H - 6.0,
            esc(xlab)
        );
        let _ = write!(
            self.svg,
            r#"<text transform="translate(14,{}) rotate(-90)" text-anchor="middle">{}</text>"#,
            TOP + (H - TOP - BOTTOM) / 2.0,
            esc(ylab)
        );
    }

    fn finish(mut self) -> String {
        self.svg.push_str("</svg>");
        self.svg
    }
}

/// About five round tick values inside `(lo, hi)`.
fn ticks((lo, hi): (f64, f64)) -> Vec<f64> {
    let span = hi - lo;
    if !(span.is_finite() && span > 0.0) {
        return Vec::new();
    }
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let mut t = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while t <= hi && out.len() < 12 {
        out.push(t);
        t += step;
    }
    out
}

fn label(v: f64) -> String {
    let s = format!("{:.3}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        })
}

/// Scatter of (x, y) coloured by metastasis status.
pub(crate) fn scatter(points: &[(f64, f64, Option<bool>)], xlab: &str, ylab: &str) -> String {
    let pts: Vec<_> = points
        .iter()
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect();
    let mut f = Frame::new(
        range(pts.iter().map(|p| p.0)),
        range(pts.iter().map(|p| p.1)),
        xlab,
        ylab,
    );
    for (x, y, m) in pts {
        let colour = match m {
            Some(true) => MET,
            Some(false) => NONMET,
            None => UNKNOWN,
        };
        let _ = write!(
            f.svg,
            r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}" fill-opacity="0.7"/>"#,
            f.px(*x),
            f.py(*y)
        );
    }
    f.finish()
}

/// Box plots (median, quartiles, whiskers to the extremes) of labelled groups.
pub(crate) fn boxplot(groups: &[(String, Vec<f64>, &str)], ylab: &str) -> String {
    let n = groups.len().max(1) as f64;
    let y = range(groups.iter().flat_map(|g| g.1.iter().copied()));
    let mut f = Frame::with_ticks((0.5, n + 0.5), y, "", ylab, (false, true));
    for (i, (name, values, colour)) in groups.iter().enumerate() {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            continue;
        }
        v.sort_by(f64::total_cmp);
        let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
        let cx = f.px(i as f64 + 1.0);
        let half = 0.3 * (f.px(1.0) - f.px(0.0));
        let (lo, q1, med, q3, hi) = (
            f.py(v[0]),
            f.py(q(0.25)),
            f.py(q(0.5)),
            f.py(q(0.75)),
            f.py(v[v.len() - 1]),
        );
        let _ = write!(
            f.svg,
            r##"<line x1="{cx:.1}" y1="{lo:.1}" x2="{cx:.1}" y2="{hi:.1}" stroke="#444"/><rect x="{:.1}" y="{q3:.1}" width="{:.1}" height="{:.1}" fill="{colour}" fill-opacity="0.5" stroke="#444"/><line x1="{:.1}" y1="{med:.1}" x2="{:.1}" y2="{med:.1}" stroke="#000" stroke-width="2"/><text transform="translate({cx:.1},{}) rotate(-20)" text-anchor="end" font-size="9">{} (n={})</text>"##,
            cx - half,
            2.0 * half,
            (q1 - q3).max(0.5),
            cx - half,
            cx + half,
            H - BOTTOM + 12.0,
            esc(name),
            v.len()
        );
    }
    f.finish()
}

/// A forest plot: one estimate and CI per row, the pooled one as a diamond.
pub(crate) fn forest(
    rows: &[(String, f64, f64, f64)],
    pooled: Option<(f64, f64, f64)>,
    xlab: &str,
    null: f64,
) -> String {
    let all = rows
        .iter()
        .flat_map(|r| [r.2, r.3])
        .chain(pooled.iter().flat_map(|p| [p.1, p.2]))
        .chain([null]);
    let n = rows.len() + usize::from(pooled.is_some());
    let mut f = Frame::with_ticks(range(all), (0.0, n as f64 + 1.0), xlab, "", (true, false));
    let _ = write!(
        f.svg,
        r##"<line x1="{0:.1}" y1="{TOP}" x2="{0:.1}" y2="{1}" stroke="#888" stroke-dasharray="4 3"/>"##,
        f.px(null),
        H - BOTTOM
    );
    for (i, (name, y, lo, hi)) in rows.iter().enumerate() {
        let py = f.py((n - i) as f64);
        let _ = write!(
            f.svg,
            r##"<line x1="{:.1}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="#000"/><rect x="{:.1}" y="{:.1}" width="6" height="6" fill="#000"/><text x="{}" y="{:.1}">{}</text>"##,
            f.px(*lo),
            f.px(*hi),
            f.px(*y) - 3.0,
            py - 3.0,
            LEFT + 4.0,
            py - 6.0,
            esc(name)
        );
    }
    if let Some((y, lo, hi)) = pooled {
        let py = f.py(1.0);
        let _ = write!(
            f.svg,
            r##"<polygon points="{:.1},{py:.1} {:.1},{:.1} {:.1},{py:.1} {:.1},{:.1}" fill="#555"/><text x="{}" y="{:.1}">pooled (DerSimonian–Laird)</text>"##,
            f.px(lo),
            f.px(y),
            py - 6.0,
            f.px(hi),
            f.px(y),
            py + 6.0,
            LEFT + 4.0,
            py - 8.0
        );
    }
    f.finish()
}

/// Kaplan–Meier step curves.
pub(crate) fn km(curves: &[(String, KaplanMeier, &str)], xlab: &str) -> String {
    let t_max = curves
        .iter()
        .flat_map(|c| c.1.times.iter().copied())
        .fold(0.0, f64::max);
    let mut f = Frame::new((0.0, t_max), (0.0, 1.0), xlab, "survival");
    for (i, (name, km, colour)) in curves.iter().enumerate() {
        let mut d = format!("M{:.1},{:.1}", f.px(0.0), f.py(1.0));
        for (t, v) in km.times.iter().zip(&km.survival) {
            let _ = write!(d, " H{:.1} V{:.1}", f.px(*t), f.py(*v));
        }
        let _ = write!(d, " H{:.1}", f.px(t_max));
        let _ = write!(
            f.svg,
            r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="1.5"/><text x="{}" y="{}" fill="{colour}">{} (n={})</text>"#,
            W - RIGHT - 110.0,
            TOP + 14.0 * (i as f64 + 1.0),
            esc(name),
            km.n_risk.first().copied().unwrap_or(0)
        );
    }
    f.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside() {
        assert_eq!(
            ticks((0.0, 1.0)),
            [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert!(ticks((1.0, 1.0)).is_empty());
        assert_eq!(label(0.30000000000000004), "0.3");
    }

    #[test]
    fn charts_are_closed_svg() {
        let s = scatter(
            &[(1.0, 2.0, Some(true)), (f64::NAN, 1.0, None)],
            "age",
            "score",
        );
        assert!(
            s.starts_with("<svg") && s.ends_with("</svg>") && s.matches("<circle").count() == 1
        );
        let b = boxplot(&[("met".into(), vec![1.0, 2.0, 3.0], MET)], "score");
        assert!(b.contains("met (n=3)"));
    }
}
