//! M4 decimation of long polylines (Jugel et al., "M4: a visualization-oriented time series
//! data aggregation", PVLDB 7(10), 2014): in each of a few more x buckets than there are
//! pixel columns, only the first, last, lowest and highest points are kept. The drawn line
//! looks the same; the SVG stays small for trajectories of any length.

use super::axis::Axis;

/// Polylines up to this many points are drawn as they are.
const KEEP_ALL: usize = 2000;
/// x buckets across the axis: twice the figure's width in pixels.
const BUCKETS: f64 = 1280.0;

/// The points of `line` (in drawing order) that M4 keeps, given the x axis.
pub(crate) fn m4(line: &[(f64, f64)], x: &Axis) -> Vec<(f64, f64)> {
    if line.len() <= KEEP_ALL {
        return line.to_vec();
    }
    let bucket = |px: f64| ((px - x.lo) / (x.hi - x.lo) * BUCKETS).floor();
    let mut out = Vec::with_capacity(4 * BUCKETS as usize);
    let mut start = 0;
    while start < line.len() {
        let b = bucket(line[start].0);
        let len = line[start..]
            .iter()
            .take_while(|p| bucket(p.0) == b)
            .count()
            .max(1);
        keep_extremes(&line[start..start + len], &mut out);
        start += len;
    }
    out
}

/// Appends the first, lowest, highest and last points of `run`, in their original order.
fn keep_extremes(run: &[(f64, f64)], out: &mut Vec<(f64, f64)>) {
    let last = run.len() - 1;
    let by_y = |a: &(usize, &(f64, f64)), b: &(usize, &(f64, f64))| a.1 .1.total_cmp(&b.1 .1);
    let low = run.iter().enumerate().min_by(by_y).map_or(0, |p| p.0);
    let high = run.iter().enumerate().max_by(by_y).map_or(0, |p| p.0);
    let mut keep = [0, low, high, last];
    keep.sort_unstable();
    let mut prev = None;
    for i in keep {
        if prev != Some(i) {
            out.push(run[i]);
            prev = Some(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::axis::Scale;

    #[test]
    fn short_lines_are_kept_whole() {
        let line: Vec<(f64, f64)> = (0..100).map(|i| (f64::from(i), 0.0)).collect();
        let x = Axis::fit(0.0, 99.0, Scale::Linear, false);
        assert_eq!(m4(&line, &x), line);
    }

    #[test]
    fn long_lines_keep_every_bucket_extreme() {
        // 100,000 points with a single spike: the spike and both ends survive.
        let mut line: Vec<(f64, f64)> = (0..100_000)
            .map(|i| (f64::from(i), (f64::from(i) * 0.01).sin()))
            .collect();
        line[54_321].1 = 50.0;
        let x = Axis::fit(0.0, 99_999.0, Scale::Linear, false);
        let kept = m4(&line, &x);
        assert!(
            kept.len() <= 4 * (BUCKETS as usize + 1),
            "{} points",
            kept.len()
        );
        assert!(kept.contains(&line[54_321]));
        assert_eq!((kept[0], kept[kept.len() - 1]), (line[0], line[99_999]));
        assert!(kept.windows(2).all(|w| w[0].0 < w[1].0), "order is kept");
        let (lo, hi) = kept
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
        assert!(lo < -0.999 && hi == 50.0);
    }
}
