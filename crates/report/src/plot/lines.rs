//! Line plots with optional shaded bands.

use plotters::prelude::*;

use super::axis::{Axis, Scale};
use super::decimate::m4;
use super::frame::{self, colour, Chart, DrawResult, Skipped, HEIGHT, WIDTH};
use super::Series;
use crate::ReportError;

/// Lines, one per series, each with an optional shaded band (e.g. the 5–95 % quantiles of
/// an ensemble), and a legend; `log_y` draws y on a log10 scale.
///
/// Points with a non-finite x or y (or y ≤ 0 on a log axis) are left out and the line is
/// broken there; band points likewise. The legend goes in the corner with the fewest points.
/// Lines and band edges of more than 2,000 points are decimated for drawing (M4: the first,
/// last, lowest and highest point in each of 1,280 x buckets), which looks the same and
/// keeps the SVG small.
///
/// # Errors
///
/// [`ReportError::EmptyData`] when `series` is empty, [`ReportError::LengthMismatch`] when a
/// series' `y` or band edges are not as long as its `x`, [`ReportError::Plot`] if drawing fails.
///
/// # Examples
///
/// ```
/// use senmet_report::plot::{lines, Series};
///
/// let t: Vec<f64> = (0..=10).map(f64::from).collect();
/// let mean: Vec<f64> = t.iter().map(|t| 100.0 * (0.3 * t).exp()).collect();
/// let band = (
///     mean.iter().map(|m| 0.8 * m).collect(),
///     mean.iter().map(|m| 1.2 * m).collect(),
/// );
/// let series = [Series { label: "tumour cells".into(), x: t, y: mean, band: Some(band) }];
/// let svg = lines("Tumour growth", "day", "cells", &series, true)?;
/// assert!(svg.contains("tumour cells") && svg.contains("day"));
/// # Ok::<(), senmet_report::ReportError>(())
/// ```
pub fn lines(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Series],
    log_y: bool,
) -> Result<String, ReportError> {
    frame::non_empty(title, "series", series)?;
    let scale = Scale::new(log_y);
    let mut skipped = Skipped::default();
    let mut prepared = Vec::with_capacity(series.len());
    for s in series {
        prepared.push(Prepared::new(title, s, scale, &mut skipped)?);
    }
    let all = || prepared.iter().flat_map(Prepared::points);
    let (x_min, x_max, y_min, y_max) = all().fold(
        (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ),
        |(a, b, c, d), (x, y)| (a.min(x), b.max(x), c.min(y), d.max(y)),
    );
    let x = Axis::fit(x_min, x_max, Scale::Linear, false);
    let y = Axis::fit(y_min, y_max, scale, true);
    let corner = frame::legend_corner(
        all().map(|(px, py)| ((px - x.lo) / (x.hi - x.lo), (py - y.lo) / (y.hi - y.lo))),
    );
    frame::svg((WIDTH, HEIGHT), |root| {
        let mut chart = frame::chart(root, title, (&x, &y), (48, frame::y_area(&y)))?;
        frame::mesh(&mut chart, (&x, &y), (x_label, y_label), (true, true))?;
        for (i, p) in prepared.iter().enumerate() {
            p.draw(&mut chart, colour(i), &x)?;
        }
        frame::legend(&mut chart, corner)?;
        frame::draw_note(root, skipped.note())
    })
}

/// A series in plot units, split into runs of consecutive drawable points.
struct Prepared<'s> {
    label: &'s str,
    runs: Vec<Vec<(f64, f64)>>,
    bands: Vec<Vec<(f64, f64, f64)>>,
}

impl<'s> Prepared<'s> {
    fn new(
        title: &str,
        s: &'s Series,
        scale: Scale,
        skipped: &mut Skipped,
    ) -> Result<Self, ReportError> {
        let check = |field: &str, found: usize| {
            let what = || format!("series '{}' {field}", s.label);
            frame::same_len(title, what, s.x.len(), Some(found))
        };
        check("y", s.y.len())?;
        let mut runs = vec![Vec::new()];
        for (&x, &y) in s.x.iter().zip(&s.y) {
            match (skipped.keep(x, Scale::Linear), skipped.keep(y, scale)) {
                (Some(x), Some(y)) => push(&mut runs, (x, y)),
                _ => runs.push(Vec::new()),
            }
        }
        let mut bands = vec![Vec::new()];
        if let Some((lower, upper)) = &s.band {
            check("band lower", lower.len())?;
            check("band upper", upper.len())?;
            for ((&x, &lo), &hi) in s.x.iter().zip(lower).zip(upper) {
                let kept = (
                    x.is_finite(),
                    skipped.keep(lo, scale),
                    skipped.keep(hi, scale),
                );
                match kept {
                    (true, Some(lo), Some(hi)) => push(&mut bands, (x, lo, hi)),
                    _ => bands.push(Vec::new()),
                }
            }
        }
        runs.retain(|r| !r.is_empty());
        bands.retain(|b| b.len() > 1);
        Ok(Prepared {
            label: &s.label,
            runs,
            bands,
        })
    }

    /// Every drawable point, band edges included (they set the axis range too).
    fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        let line = self.runs.iter().flatten().copied();
        let band = self
            .bands
            .iter()
            .flatten()
            .flat_map(|&(x, lo, hi)| [(x, lo), (x, hi)]);
        line.chain(band)
    }

    /// Draws the bands, then the line; long edges and lines are decimated ([`m4`]).
    fn draw(&self, chart: &mut Chart<'_, '_>, c: RGBColor, x: &Axis) -> DrawResult<()> {
        let polygons = self.bands.iter().map(|b| {
            let upper: Vec<(f64, f64)> = b.iter().map(|&(x, _, hi)| (x, hi)).collect();
            let lower: Vec<(f64, f64)> = b.iter().map(|&(x, lo, _)| (x, lo)).collect();
            let mut outline = m4(&upper, x);
            outline.extend(m4(&lower, x).into_iter().rev());
            Polygon::new(outline, c.mix(0.2).filled())
        });
        chart.draw_series(polygons)?;
        let singles = self.runs.iter().filter(|r| r.len() == 1);
        chart.draw_series(singles.map(|r| Circle::new(r[0], 3, c.filled())))?;
        let paths = self.runs.iter().filter(|r| r.len() > 1);
        chart
            .draw_series(paths.map(|r| PathElement::new(m4(r, x), c.stroke_width(2))))?
            .label(self.label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(3)));
        Ok(())
    }
}

/// Appends a point to the last run.
fn push<T>(runs: &mut [Vec<T>], p: T) {
    if let Some(last) = runs.last_mut() {
        last.push(p);
    }
}
