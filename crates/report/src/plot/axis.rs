//! Axes: linear or log10 scales, ranges and labelled ticks.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};

use super::frame::CHAR_PX;
use super::labels::shorten;

/// How values map onto an axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    Linear,
    /// Base-10 logarithm: the plot works in log10 units, the labels show the values.
    Log10,
}

impl Scale {
    pub(crate) fn new(log: bool) -> Self {
        if log {
            Scale::Log10
        } else {
            Scale::Linear
        }
    }
}

/// One axis: its range in plot units and its labelled ticks.
#[derive(Debug, Clone)]
pub(crate) struct Axis {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    ticks: Vec<(f64, String)>,
}

impl Axis {
    /// An axis spanning `min..=max` (plot units), widened by 5 % on each side when `pad`.
    /// A zero or empty span is widened so that the values sit in the middle.
    pub(crate) fn fit(min: f64, max: f64, scale: Scale, pad: bool) -> Self {
        let (mut lo, mut hi) = if min.is_finite() && max.is_finite() && min <= max {
            (min, max)
        } else {
            (0.0, 1.0)
        };
        if hi - lo <= f64::EPSILON * lo.abs().max(hi.abs()).max(1.0) {
            let half = match scale {
                Scale::Log10 => 0.5,
                Scale::Linear if lo == 0.0 => 1.0,
                Scale::Linear => 0.1 * lo.abs(),
            };
            let (a, b) = (lo - half, hi + half);
            // At ±f64::MAX one side would overflow; widen the other only.
            (lo, hi) = (
                if a.is_finite() { a } else { lo },
                if b.is_finite() { b } else { hi },
            );
        } else if pad {
            let d = 0.05 * (hi - lo);
            // Near ±f64::MAX the padded ends would overflow: keep the data's ends there.
            if (lo - d).is_finite() && (hi + d).is_finite() {
                (lo, hi) = (lo - d, hi + d);
            }
        }
        let ticks = match scale {
            Scale::Linear => linear_ticks(lo, hi),
            Scale::Log10 => log_ticks(lo, hi),
        };
        Axis { lo, hi, ticks }
    }

    /// A categorical axis: category `i` sits at `i`, from -0.5 to n - 0.5, unlabelled.
    pub(crate) fn categories(n: usize) -> Self {
        Axis {
            lo: -0.5,
            hi: n as f64 - 0.5,
            ticks: (0..n).map(|i| (i as f64, String::new())).collect(),
        }
    }

    /// A categorical axis labelled from the top down: `labels[0]` sits at n - 1, the last at
    /// 0; labels longer than `max_chars` are shortened.
    pub(crate) fn categories_labelled(labels: &[String], max_chars: usize) -> Self {
        let n = labels.len();
        let ticks = labels.iter().enumerate();
        Axis {
            lo: -0.5,
            hi: n as f64 - 0.5,
            ticks: ticks
                .map(|(i, l)| ((n - 1 - i) as f64, shorten(l, max_chars)))
                .collect(),
        }
    }

    /// The label of the tick at `v` (plotters asks only for the ticks given to it).
    pub(crate) fn label(&self, v: f64) -> String {
        let tol = 1e-9 * (self.hi - self.lo).abs();
        self.ticks
            .iter()
            .find(|(t, _)| (t - v).abs() <= tol)
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
    }

    /// Pixel width of the widest tick label.
    pub(crate) fn label_px(&self) -> u32 {
        let chars = self.ticks.iter().map(|(_, s)| s.chars().count()).max();
        (chars.unwrap_or(1) as f64 * CHAR_PX).ceil() as u32
    }
}

/// Plotters draws an [`Axis`] as it is: a linear map from plot units to pixels, with
/// grid lines and labels at its ticks only.
impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let frac = (v - self.lo) / (self.hi - self.lo);
        let px = f64::from(limit.1 - limit.0) * frac;
        // Axes are fitted to the data, so this only bounds the arithmetic: no pixel is more
        // than ten million away, and NaN maps to the start.
        limit.0.saturating_add(px.clamp(-1e7, 1e7).round() as i32)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.iter().map(|(t, _)| *t).collect()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Ticks at 1, 2 or 5 times a power of ten, about six of them.
fn linear_ticks(lo: f64, hi: f64) -> Vec<(f64, String)> {
    if !(hi - lo).is_finite() {
        return Vec::new(); // values near ±f64::MAX: no tick arithmetic is safe
    }
    let step = nice_step((hi - lo) / 5.0);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last)
        .map(|k| {
            let v = k as f64 * step;
            (v, format_number(v, step))
        })
        .collect()
}

/// Ticks for a log10 axis (plot units): decades, with 2 and 5 between them on short
/// ranges, or plain linear ticks on the values when the range is under a factor of ~3.
fn log_ticks(lo: f64, hi: f64) -> Vec<(f64, String)> {
    let decades = hi - lo;
    let mantissas: &[f64] = if decades > 3.0 {
        &[1.0]
    } else {
        &[1.0, 2.0, 5.0]
    };
    let mut ticks = Vec::new();
    let every = ((decades / 8.0).ceil() as i64).max(1);
    for e in (lo.floor() as i64)..=(hi.ceil() as i64) {
        if e.rem_euclid(every) != 0 {
            continue;
        }
        for m in mantissas {
            let raw = m * 10f64.powi(e as i32);
            let t = raw.log10();
            if t >= lo - 1e-12 && t <= hi + 1e-12 {
                ticks.push((t, format_number(raw, 10f64.powi(e as i32))));
            }
        }
    }
    if ticks.len() >= 3 {
        return ticks;
    }
    let (a, b) = (10f64.powf(lo), 10f64.powf(hi));
    if !(b - a).is_finite() {
        return ticks;
    }
    let step = nice_step((b - a) / 4.0);
    let first = (a / step).ceil() as i64;
    let last = (b / step).floor() as i64;
    (first..=last)
        .map(|k| k as f64 * step)
        .filter(|raw| *raw > 0.0)
        .map(|raw| (raw.log10(), format_number(raw, step)))
        .collect()
}

/// The 1-2-5 step nearest to `raw` (on a log scale), so an axis gets about four to eight
/// ticks.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let m = raw / mag;
    let nice = if m < 1.5 {
        1.0
    } else if m < 3.5 {
        2.0
    } else if m < 7.5 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Formats a tick value with as many decimals as its step needs; very large or small
/// values in scientific notation.
pub(crate) fn format_number(v: f64, step: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        let digits = (a.log10().floor() - step.log10().floor()).clamp(0.0, 6.0) as usize;
        return format!("{v:.digits$e}");
    }
    let decimals = (-step.log10().floor()).clamp(0.0, 8.0) as usize;
    let s = format!("{v:.decimals$}");
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        "0".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(a: &Axis) -> Vec<f64> {
        a.ticks.iter().map(|t| t.0).collect()
    }

    fn labels(a: &Axis) -> Vec<&str> {
        a.ticks.iter().map(|t| t.1.as_str()).collect()
    }

    #[test]
    fn linear_ticks_are_round_and_inside() {
        let a = Axis::fit(0.0, 1.0, Scale::Linear, false);
        assert_eq!(labels(&a), ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        let a = Axis::fit(-3.0, 47.0, Scale::Linear, true);
        assert_eq!(labels(&a), ["0", "10", "20", "30", "40"]);
        assert!(values(&a).iter().all(|t| (a.lo..=a.hi).contains(t)));
        let a = Axis::fit(0.0, 2e-6, Scale::Linear, false);
        assert_eq!(labels(&a)[1], "5e-7");
        let a = Axis::fit(0.0, 3e6, Scale::Linear, false);
        assert_eq!(labels(&a)[1..3], ["5e5", "1.0e6"]);
    }

    #[test]
    fn degenerate_ranges_are_widened() {
        let a = Axis::fit(5.0, 5.0, Scale::Linear, true);
        assert!(a.lo < 5.0 && a.hi > 5.0);
        let a = Axis::fit(0.0, 0.0, Scale::Linear, true);
        assert_eq!((a.lo, a.hi), (-1.0, 1.0));
        let a = Axis::fit(f64::INFINITY, f64::NEG_INFINITY, Scale::Linear, true);
        assert!(a.lo < a.hi && !a.ticks.is_empty());
        let a = Axis::fit(2.0, 2.0, Scale::Log10, true);
        assert!(a.lo < 2.0 && a.hi > 2.0 && !a.ticks.is_empty());
    }

    #[test]
    fn extreme_values_give_an_axis_without_overflow() {
        let a = Axis::fit(-f64::MAX, f64::MAX, Scale::Linear, true);
        assert_eq!((a.lo, a.hi, a.ticks.len()), (-f64::MAX, f64::MAX, 0));
        for v in [f64::MAX, -f64::MAX] {
            let a = Axis::fit(v, v, Scale::Linear, true);
            assert!(a.lo.is_finite() && a.hi.is_finite() && a.lo < a.hi);
        }
        let a = Axis::fit(-f64::MAX, 0.0, Scale::Linear, true);
        assert!(a.lo.is_finite() && a.hi.is_finite() && !a.ticks.is_empty());
        let a = Axis::fit(
            f64::MIN_POSITIVE.log10(),
            f64::MAX.log10(),
            Scale::Log10,
            true,
        );
        assert!(a.ticks.len() >= 3 && a.ticks.len() <= 12);
    }

    #[test]
    fn log_ticks_are_decades_or_1_2_5() {
        // 1 to 1e6: decades only.
        let a = Axis::fit(0.0, 6.0, Scale::Log10, false);
        assert_eq!(
            labels(&a),
            ["1", "10", "100", "1000", "10000", "1e5", "1e6"]
        );
        // 0.01 to 1e14: every other decade.
        let a = Axis::fit(-2.0, 14.0, Scale::Log10, false);
        assert_eq!(labels(&a)[..3], ["0.01", "1", "100"]);
        // 1 to 100: 1, 2, 5 in each decade.
        let a = Axis::fit(0.0, 2.0, Scale::Log10, false);
        assert_eq!(labels(&a), ["1", "2", "5", "10", "20", "50", "100"]);
        // 3 to 4: plain ticks on the values.
        let a = Axis::fit(3f64.log10(), 4f64.log10(), Scale::Log10, false);
        assert_eq!(labels(&a), ["3.0", "3.2", "3.4", "3.6", "3.8", "4.0"]);
    }

    #[test]
    fn labels_are_found_by_value() {
        let a = Axis::fit(0.0, 1.0, Scale::Linear, false);
        assert_eq!(a.label(0.4), "0.4");
        assert_eq!(a.label(0.41), "");
        let names = ["a".to_string(), "b".to_string()];
        let c = Axis::categories_labelled(&names, 10);
        assert_eq!((c.label(1.0), c.label(0.0)), ("a".into(), "b".into()));
    }
}
