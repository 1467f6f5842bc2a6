//! Horizontal bar charts with optional error bars.

use plotters::prelude::*;

use super::axis::{Axis, Scale};
use super::frame::{self, colour, Chart, DrawResult, Skipped, HEIGHT, TEXT_CHAR_PX, WIDTH};
use crate::ReportError;

/// Half the height of a bar, in category units.
const BAR_HALF: f64 = 0.35;
/// Vertical room per bar in pixels, so that many bars stay readable.
const PX_PER_BAR: u32 = 24;
/// Widest label area in pixels; longer labels are cut and end in '…'.
const MAX_LABEL_PX: f64 = 240.0;

/// Horizontal bars, one per label from top to bottom in the order given (e.g. sensitivity
/// indices), with optional error bars of ± `errors[i]`; the x axis always includes 0.
///
/// A bar whose value is not finite is left out, as is an error bar whose error is not
/// finite; both are counted in the figure's note. The figure grows taller with many bars.
///
/// # Errors
///
/// [`ReportError::EmptyData`] when `labels` is empty; [`ReportError::LengthMismatch`] when
/// `values` or `errors` is not as long as `labels`; [`ReportError::Plot`] if drawing fails.
///
/// # Examples
///
/// ```
/// use senmet_report::plot::bars;
///
/// let labels = vec!["k_release".to_string(), "k_uptake".to_string()];
/// let svg = bars("Total-order Sobol indices", "S_T", &labels, &[0.62, 0.21], Some(&[0.05, 0.03]))?;
/// assert!(svg.contains("k_release") && svg.contains("S_T"));
/// # Ok::<(), senmet_report::ReportError>(())
/// ```
pub fn bars(
    title: &str,
    x_label: &str,
    labels: &[String],
    values: &[f64],
    errors: Option<&[f64]>,
) -> Result<String, ReportError> {
    frame::non_empty(title, "bars", labels)?;
    let n = labels.len();
    frame::same_len(title, || "values".into(), n, Some(values.len()))?;
    frame::same_len(title, || "errors".into(), n, errors.map(<[f64]>::len))?;
    let mut skipped = Skipped::default();
    let bars: Vec<Option<(f64, Option<f64>)>> = (0..n)
        .map(|i| {
            let v = skipped.keep(values[i], Scale::Linear)?;
            let e = errors.and_then(|e| skipped.keep(e[i], Scale::Linear));
            // An error bar whose ends overflow (values near ±f64::MAX) is left out.
            let e = e
                .map(f64::abs)
                .filter(|e| (v + e).is_finite() && (v - e).is_finite());
            Some((v, e))
        })
        .collect();
    let (lo, hi) = bars
        .iter()
        .flatten()
        .fold((0.0_f64, 0.0_f64), |(a, b), &(v, e)| {
            let e = e.unwrap_or(0.0);
            (a.min(v - e), b.max(v + e))
        });
    let x = Axis::fit(lo, hi, Scale::Linear, true);
    let y = Axis::categories_labelled(labels, (MAX_LABEL_PX / TEXT_CHAR_PX) as usize);
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(1);
    let y_area = (longest as f64 * TEXT_CHAR_PX).min(MAX_LABEL_PX) as u32 + 16;
    let height = HEIGHT.max(100 + PX_PER_BAR * n as u32);
    frame::svg((WIDTH, height), |root| {
        let mut chart = frame::chart(root, title, (&x, &y), (48, y_area))?;
        frame::mesh(&mut chart, (&x, &y), (x_label, ""), (true, false))?;
        for (i, bar) in bars.iter().enumerate() {
            if let Some(bar) = bar {
                draw_bar(&mut chart, (n - 1 - i) as f64, *bar)?;
            }
        }
        let zero = vec![(0.0, y.lo), (0.0, y.hi)];
        chart.draw_series([PathElement::new(zero, BLACK.stroke_width(1))])?;
        frame::draw_note(root, skipped.note())
    })
}

/// Draws one bar at height `at` with its error bar.
fn draw_bar(chart: &mut Chart<'_, '_>, at: f64, (v, err): (f64, Option<f64>)) -> DrawResult<()> {
    let c = colour(0);
    chart.draw_series([Rectangle::new(
        [(0.0, at - BAR_HALF), (v, at + BAR_HALF)],
        c.mix(0.85).filled(),
    )])?;
    if let Some(e) = err {
        let cap = BAR_HALF / 2.0;
        let line = BLACK.stroke_width(2);
        chart.draw_series([
            PathElement::new(vec![(v - e, at), (v + e, at)], line),
            PathElement::new(vec![(v - e, at - cap), (v - e, at + cap)], line),
            PathElement::new(vec![(v + e, at - cap), (v + e, at + cap)], line),
        ])?;
    }
    Ok(())
}
