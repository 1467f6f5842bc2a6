//! Kaplan–Meier survival curves.

use plotters::prelude::*;

use super::axis::{Axis, Scale};
use super::frame::{self, colour, Chart, DrawResult, Skipped, HEIGHT, WIDTH};
use super::Step;
use crate::ReportError;

/// A confidence band's corners: `(time, lower, upper)`.
type Band = Vec<(f64, f64, f64)>;

/// Half the height of a censoring tick, in survival units.
const TICK_HALF: f64 = 0.02;

/// Kaplan–Meier curves: each a step function starting at survival 1 at time 0, its
/// confidence band (when `lower` and `upper` are given) shaded as a stepped band, and a
/// vertical tick at each censoring time; y is the survival probability from 0 to 1.
///
/// Confidence limits that are not finite (e.g. where a variance is undefined) end the band
/// there; non-finite censoring times are left out. Both are counted in the figure's note.
/// Limits outside 0..=1 are drawn at 0 or 1.
///
/// # Errors
///
/// [`ReportError::EmptyData`] when `curves` is empty; [`ReportError::LengthMismatch`] when
/// `survival`, `lower` or `upper` is not as long as `time`; [`ReportError::NonFinite`] for a
/// non-finite time or survival; [`ReportError::OutOfRange`] for a negative time or a
/// survival outside 0..=1; [`ReportError::Unsorted`] when times decrease;
/// [`ReportError::Plot`] if drawing fails.
///
/// # Examples
///
/// ```
/// use senmet_report::plot::{km, Step};
///
/// let curve = Step {
///     label: "aged".into(),
///     time: vec![2.0, 5.0, 9.0],
///     survival: vec![0.8, 0.6, 0.3],
///     lower: Some(vec![0.6, 0.4, 0.1]),
///     upper: Some(vec![0.95, 0.8, 0.55]),
///     censored: vec![3.0, 10.0],
/// };
/// let svg = km("Metastasis-free survival", "months", &[curve])?;
/// assert!(svg.contains("aged") && svg.contains("months"));
/// # Ok::<(), senmet_report::ReportError>(())
/// ```
pub fn km(title: &str, x_label: &str, curves: &[Step]) -> Result<String, ReportError> {
    frame::non_empty(title, "curves", curves)?;
    for c in curves {
        validate(title, c)?;
    }
    let mut skipped = Skipped::default();
    let censored: Vec<Vec<f64>> = curves
        .iter()
        .map(|c| {
            let times = c.censored.iter();
            times
                .filter_map(|&t| skipped.keep(t, Scale::Linear))
                .collect()
        })
        .collect();
    let bands: Vec<Band> = curves.iter().map(|c| band(c, &mut skipped)).collect();
    let t_max = curves
        .iter()
        .zip(&censored)
        .flat_map(|(c, cens)| c.time.iter().chain(cens))
        .fold(0.0_f64, |a, &t| a.max(t));
    let x = Axis::fit(0.0, t_max, Scale::Linear, false);
    let mut y = Axis::fit(0.0, 1.0, Scale::Linear, false);
    y.hi = 1.03; // room for the line at survival 1
                 // Each curve runs on to its last event or censoring time.
    let ends: Vec<f64> = curves
        .iter()
        .zip(&censored)
        .map(|(c, cens)| c.time.iter().chain(cens).fold(0.0_f64, |a, &t| a.max(t)))
        .collect();
    let corner = frame::legend_corner(curves.iter().zip(&ends).flat_map(|(c, &end)| {
        (0..=20).map(move |k| {
            let t = end * f64::from(k) / 20.0;
            ((t - x.lo) / (x.hi - x.lo), survival_at(c, t) / y.hi)
        })
    }));
    frame::svg((WIDTH, HEIGHT), |root| {
        let mut chart = frame::chart(root, title, (&x, &y), (48, frame::y_area(&y)))?;
        let descs = (x_label, "survival probability");
        frame::mesh(&mut chart, (&x, &y), descs, (true, true))?;
        for (i, c) in curves.iter().enumerate() {
            draw_curve(&mut chart, c, (&bands[i], &censored[i], ends[i]), colour(i))?;
        }
        frame::legend(&mut chart, corner)?;
        frame::draw_note(root, skipped.note())
    })
}

/// Checks lengths, finiteness and order of one curve.
fn validate(title: &str, c: &Step) -> Result<(), ReportError> {
    let what = |field: &str| format!("curve '{}' {field}", c.label);
    let n = c.time.len();
    let lengths = [
        ("survival", Some(c.survival.len())),
        ("lower", c.lower.as_ref().map(Vec::len)),
        ("upper", c.upper.as_ref().map(Vec::len)),
    ];
    for (field, len) in lengths {
        frame::same_len(title, || what(field), n, len)?;
    }
    for (field, values) in [("time", &c.time), ("survival", &c.survival)] {
        if let Some(index) = values.iter().position(|v| !v.is_finite()) {
            return Err(ReportError::NonFinite {
                plot: title.to_string(),
                what: what(field),
                index,
            });
        }
    }
    let out_of_range = [
        ("time", &c.time, 0.0, f64::INFINITY),
        ("survival", &c.survival, 0.0, 1.0),
    ];
    for (field, values, lo, hi) in out_of_range {
        if let Some(index) = values.iter().position(|v| !(lo..=hi).contains(v)) {
            return Err(ReportError::OutOfRange {
                plot: title.to_string(),
                what: what(field),
                index,
                value: values[index],
            });
        }
    }
    if let Some(index) = (1..n).find(|&i| c.time[i] < c.time[i - 1]) {
        return Err(ReportError::Unsorted {
            plot: title.to_string(),
            what: what("time"),
            index,
        });
    }
    Ok(())
}

/// The confidence band's corners `(time, lower, upper)`, from (0, 1, 1) up to the first
/// non-finite limit.
fn band(c: &Step, skipped: &mut Skipped) -> Band {
    let (Some(lower), Some(upper)) = (&c.lower, &c.upper) else {
        return Vec::new();
    };
    let mut out = vec![(0.0, 1.0, 1.0)];
    for (i, ((&t, &lo), &hi)) in c.time.iter().zip(lower).zip(upper).enumerate() {
        if !(lo.is_finite() && hi.is_finite()) {
            let rest = lower[i..].iter().chain(&upper[i..]);
            rest.filter(|v| !v.is_finite())
                .for_each(|_| skipped.non_finite());
            break;
        }
        // Limits from a plain Greenwood interval can leave [0, 1]; the band stops at its edges.
        out.push((t, lo.clamp(0.0, 1.0), hi.clamp(0.0, 1.0)));
    }
    out
}

/// Corners of a right-continuous step function through `(t, v)` starting at (0, 1) and
/// running on to `end`.
fn steps(points: impl Iterator<Item = (f64, f64)>, end: f64) -> Vec<(f64, f64)> {
    let mut out = vec![(0.0, 1.0)];
    let mut level = 1.0;
    for (t, v) in points {
        out.push((t, level));
        out.push((t, v));
        level = v;
    }
    let last_t = out.last().map_or(0.0, |p| p.0);
    out.push((end.max(last_t), level));
    out
}

/// Survival at time `t` (1 before the first event).
fn survival_at(c: &Step, t: f64) -> f64 {
    let n = c.time.partition_point(|&e| e <= t);
    if n == 0 {
        1.0
    } else {
        c.survival[n - 1]
    }
}

/// Draws one curve with its band and censoring ticks, the line running on to `end`.
fn draw_curve(
    chart: &mut Chart<'_, '_>,
    c: &Step,
    (band, censored, end): (&Band, &[f64], f64),
    col: RGBColor,
) -> DrawResult<()> {
    if band.len() > 1 {
        let band_end = band.last().map_or(0.0, |b| b.0);
        let upper = steps(band.iter().skip(1).map(|b| (b.0, b.2)), band_end);
        let mut lower = steps(band.iter().skip(1).map(|b| (b.0, b.1)), band_end);
        lower.reverse();
        let outline: Vec<(f64, f64)> = upper.into_iter().chain(lower).collect();
        chart.draw_series([Polygon::new(outline, col.mix(0.18).filled())])?;
    }
    let line = steps(c.time.iter().copied().zip(c.survival.iter().copied()), end);
    chart
        .draw_series([PathElement::new(line, col.stroke_width(2))])?
        .label(c.label.as_str())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], col.stroke_width(3)));
    let ticks = censored.iter().map(|&t| {
        let s = survival_at(c, t);
        PathElement::new(
            vec![(t, s - TICK_HALF), (t, s + TICK_HALF)],
            col.stroke_width(2),
        )
    });
    chart.draw_series(ticks)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_start_at_one_and_hold_until_the_next_event() {
        let s = steps([(2.0, 0.5), (4.0, 0.25)].into_iter(), 6.0);
        let want = [
            (0.0, 1.0),
            (2.0, 1.0),
            (2.0, 0.5),
            (4.0, 0.5),
            (4.0, 0.25),
            (6.0, 0.25),
        ];
        assert_eq!(s, want);
    }

    #[test]
    fn survival_at_is_right_continuous() {
        let c = Step {
            time: vec![2.0, 4.0],
            survival: vec![0.5, 0.25],
            ..Step::default()
        };
        let at: Vec<f64> = [1.0, 2.0, 3.0, 4.0, 9.0]
            .iter()
            .map(|&t| survival_at(&c, t))
            .collect();
        assert_eq!(at, [1.0, 0.5, 0.5, 0.25, 0.25]);
    }
}
