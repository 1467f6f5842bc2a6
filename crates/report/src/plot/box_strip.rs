//! Box plots with the observations drawn over them as jittered points.

use plotters::prelude::*;

use super::axis::{Axis, Scale};
use super::frame::{self, colour, DrawResult, Skipped, HEIGHT, MARGIN, WIDTH};
use super::labels::XLabels;
use super::Group;
use crate::ReportError;

/// Half the width of a box, in category units.
const BOX_HALF: f64 = 0.3;
/// Most points drawn per group: beyond this, points no longer show individuals and only
/// make the SVG large (each point is ~80 bytes).
const MAX_POINTS: usize = 500;
/// Half the width over which points are spread, in category units.
const JITTER_HALF: f64 = 0.22;

/// Box plot (median, quartiles, whiskers to the furthest points within 1.5 IQR of the box)
/// of each group, with every observation drawn over it as a point, one box per group in the
/// order given; `log_y` draws the y axis on a log10 scale.
///
/// Quartiles are R's default (type 7, linear interpolation between order statistics); on a
/// log axis they and the whiskers are computed on log10 values, as ggplot2 does under
/// `scale_y_log10`. The
/// points' horizontal jitter is deterministic (a low-discrepancy sequence over the values'
/// order), so the same data give the same picture. A group of more than 500 values shows
/// 500 points evenly spaced in rank (the box uses them all) and the figure says so. Each label shows the group's number of
/// plotted values; empty groups keep their place on the axis. Long labels are wrapped, and
/// rotated when they do not fit.
///
/// # Errors
///
/// [`ReportError::EmptyData`] when `groups` is empty, [`ReportError::Plot`] if drawing fails.
///
/// # Examples
///
/// ```
/// use senmet_report::plot::{box_strip, Group};
///
/// let groups = vec![
///     Group { label: "young".into(), values: vec![1.0, 2.0, 2.5, 3.0] },
///     Group { label: "aged".into(), values: vec![2.0, 4.0, 5.0, f64::NAN] },
/// ];
/// let svg = box_strip("Metastases per mouse", "count", &groups, false)?;
/// assert!(svg.starts_with("<svg") && svg.contains("aged"));
/// # Ok::<(), senmet_report::ReportError>(())
/// ```
pub fn box_strip(
    title: &str,
    y_label: &str,
    groups: &[Group],
    log_y: bool,
) -> Result<String, ReportError> {
    frame::non_empty(title, "groups", groups)?;
    let scale = Scale::new(log_y);
    let mut skipped = Skipped::default();
    let plotted: Vec<Vec<f64>> = groups
        .iter()
        .map(|g| {
            let mut v: Vec<f64> = g
                .values
                .iter()
                .filter_map(|&v| skipped.keep(v, scale))
                .collect();
            v.sort_by(f64::total_cmp);
            v
        })
        .collect();
    let (min, max) = plotted
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    let y = Axis::fit(min, max, scale, true);
    let x = Axis::categories(groups.len());
    let y_area = frame::y_area(&y);
    let labels: Vec<String> = groups.iter().map(|g| g.label.clone()).collect();
    let counts: Vec<String> = plotted.iter().map(|v| format!("n={}", v.len())).collect();
    let slot = f64::from(WIDTH - y_area - 2 * MARGIN) / groups.len() as f64;
    let x_labels = XLabels::fit(&labels, &counts, slot);
    let x_area = x_labels.height_px() + 8;
    let height = HEIGHT + x_area.saturating_sub(48);
    frame::svg((WIDTH, height), |root| {
        let mut chart = frame::chart(root, title, (&x, &y), (x_area, y_area))?;
        frame::mesh(&mut chart, (&x, &y), ("", y_label), (false, true))?;
        for (i, values) in plotted.iter().enumerate() {
            draw_group(&mut chart, i, values)?;
            let (px, py) = chart.backend_coord(&(i as f64, y.lo));
            x_labels.draw(root, i, (px, py + 8))?;
        }
        let thinned = plotted.iter().any(|v| v.len() > MAX_POINTS);
        let thin_note = format!("points: at most {MAX_POINTS} per group, evenly spaced in rank");
        let note = match (skipped.note(), thinned) {
            (note, false) => note,
            (None, true) => Some(thin_note),
            (Some(note), true) => Some(format!("{note}; {thin_note}")),
        };
        frame::draw_note(root, note)
    })
}

/// Draws one group's box, whiskers, median and points (`sorted` in plot units).
fn draw_group(chart: &mut frame::Chart<'_, '_>, i: usize, sorted: &[f64]) -> DrawResult<()> {
    let c = colour(i);
    let x = i as f64;
    if let Some(s) = Summary::of(sorted) {
        let line = c.stroke_width(2);
        chart.draw_series([
            Rectangle::new(
                [(x - BOX_HALF, s.q1), (x + BOX_HALF, s.q3)],
                c.mix(0.15).filled(),
            ),
            Rectangle::new([(x - BOX_HALF, s.q1), (x + BOX_HALF, s.q3)], line),
        ])?;
        let cap = BOX_HALF / 2.5;
        chart.draw_series([
            PathElement::new(vec![(x, s.q3), (x, s.high)], line),
            PathElement::new(vec![(x, s.q1), (x, s.low)], line),
            PathElement::new(vec![(x - cap, s.high), (x + cap, s.high)], line),
            PathElement::new(vec![(x - cap, s.low), (x + cap, s.low)], line),
            PathElement::new(
                vec![(x - BOX_HALF, s.median), (x + BOX_HALF, s.median)],
                BLACK.stroke_width(3),
            ),
        ])?;
    }
    let points = thin(sorted)
        .enumerate()
        .map(|(j, v)| Circle::new((x + jitter(j), v), 3, c.mix(0.6).filled()));
    chart.draw_series(points)?;
    Ok(())
}

/// At most [`MAX_POINTS`] of the sorted values, evenly spaced in rank, so that the points
/// keep the distribution's shape (the box uses every value).
fn thin(sorted: &[f64]) -> impl Iterator<Item = f64> + '_ {
    let n = sorted.len();
    let shown = n.min(MAX_POINTS);
    (0..shown).map(move |k| {
        let rank = if shown > 1 {
            k * (n - 1) / (shown - 1)
        } else {
            0
        };
        sorted[rank]
    })
}

/// Horizontal offset of the `j`-th point: the golden-ratio sequence spreads any number of
/// points evenly over the jitter width, the same way every time.
fn jitter(j: usize) -> f64 {
    const PHI_FRAC: f64 = 0.618_033_988_749_894_9;
    ((j as f64 * PHI_FRAC).fract() - 0.5) * 2.0 * JITTER_HALF
}

/// The five numbers a box shows.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Summary {
    low: f64,
    q1: f64,
    median: f64,
    q3: f64,
    high: f64,
}

impl Summary {
    /// Quartiles (type 7) and Tukey's whiskers of sorted finite values; `None` when empty.
    fn of(sorted: &[f64]) -> Option<Self> {
        let (&first, &last) = (sorted.first()?, sorted.last()?);
        let q1 = quantile(sorted, 0.25);
        let q3 = quantile(sorted, 0.75);
        let fence = 1.5 * (q3 - q1);
        let low = sorted
            .iter()
            .copied()
            .find(|&v| v >= q1 - fence)
            .unwrap_or(first);
        let high = sorted
            .iter()
            .rev()
            .copied()
            .find(|&v| v <= q3 + fence)
            .unwrap_or(last);
        Some(Summary {
            low,
            q1,
            median: quantile(sorted, 0.5),
            q3,
            high,
        })
    }
}

/// Type-7 quantile of non-empty sorted values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_match_r_type_7() {
        // R: quantile(c(1, 2, 3, 4, 10), c(.25, .5, .75)) gives 2, 3, 4.
        let s = Summary::of(&[1.0, 2.0, 3.0, 4.0, 10.0]).expect("non-empty");
        assert_eq!((s.q1, s.median, s.q3), (2.0, 3.0, 4.0));
        // Fences 2 - 3 = -1 and 4 + 3 = 7: 10 is outside, so the upper whisker stops at 4.
        assert_eq!((s.low, s.high), (1.0, 4.0));
        assert_eq!(Summary::of(&[]), None);
        let one = Summary::of(&[5.0]).expect("non-empty");
        assert_eq!((one.low, one.median, one.high), (5.0, 5.0, 5.0));
    }

    #[test]
    fn thinning_keeps_the_extremes_and_spacing() {
        let v: Vec<f64> = (0..2000).map(f64::from).collect();
        let t: Vec<f64> = thin(&v).collect();
        assert_eq!(t.len(), MAX_POINTS);
        assert_eq!((t[0], t[MAX_POINTS - 1]), (0.0, 1999.0));
        assert!(t.windows(2).all(|w| (3.0..=5.0).contains(&(w[1] - w[0]))));
        assert_eq!(thin(&v[..3]).collect::<Vec<_>>(), [0.0, 1.0, 2.0]);
        assert_eq!(thin(&[]).count(), 0);
    }

    #[test]
    fn jitter_stays_inside_the_box_and_repeats() {
        let offsets: Vec<f64> = (0..1000).map(jitter).collect();
        assert!(offsets.iter().all(|o| o.abs() <= JITTER_HALF));
        assert_eq!(offsets, (0..1000).map(jitter).collect::<Vec<_>>());
        assert_ne!(offsets[1], offsets[2]);
    }
}
