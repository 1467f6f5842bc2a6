//! SVG plots for the report, drawn with `plotters`' SVG backend into a `String`.
//!
//! Every function returns a standalone `<svg>` document (640 px wide; taller when long
//! labels or many bars need room) for [`Section::figure`](crate::Section::figure). Text is
//! SVG `<text>` in the viewer's sans-serif font: nothing is fetched and no font file is
//! needed. Colours follow Okabe & Ito's colour-blind-safe palette, repeating after eight
//! groups or series.
//!
//! Values that cannot be shown (NaN, ±inf, and values ≤ 0 on a log axis) are left out
//! and counted in a grey note in the figure's bottom-left corner; they never cause a panic.
//!
//! Several plots side by side are separate figures: the report lays consecutive figures out
//! in a responsive grid.

mod axis;
mod bars;
mod box_strip;
mod decimate;
mod frame;
mod km;
mod labels;
mod lines;

pub use bars::bars;
pub use box_strip::box_strip;
pub use km::km;

pub use lines::lines;

/// One group of a [`box_strip`] plot: a label and its values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Group {
    /// The category label under the box.
    pub label: String,
    /// The observations (non-finite values are left out and counted).
    pub values: Vec<f64>,
}

/// One line of a [`lines`] plot, with an optional shaded band (e.g. 5–95 % quantiles).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// The legend entry.
    pub label: String,
    /// x values.
    pub x: Vec<f64>,
    /// y values, one per x.
    pub y: Vec<f64>,
    /// Lower and upper edges of a band around the line, one value each per x.
    pub band: Option<(Vec<f64>, Vec<f64>)>,
}

/// One Kaplan–Meier curve of a [`km`] plot.
///
/// `time` holds the event times in increasing order and `survival` the estimate just after
/// each; the curve starts at survival 1 at time 0. `lower`/`upper` (same length as `time`)
/// are the confidence limits; `censored` the censoring times, marked with ticks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Step {
    /// The legend entry.
    pub label: String,
    /// Event times, non-decreasing.
    pub time: Vec<f64>,
    /// Survival just after each event time.
    pub survival: Vec<f64>,
    /// Lower confidence limit at each event time.
    pub lower: Option<Vec<f64>>,
    /// Upper confidence limit at each event time.
    pub upper: Option<Vec<f64>>,
    /// Censoring times.
    pub censored: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_offline, elements};
    use crate::ReportError;

    /// Checks that a plot is one well-formed, offline `<svg>` containing every `text`.
    fn check(svg: &str, texts: &[&str]) -> Result<(), String> {
        assert!(
            svg.starts_with("<svg"),
            "starts with {:?}",
            &svg[..svg.len().min(20)]
        );
        let names = elements(svg)?;
        assert_eq!(names.iter().filter(|n| *n == "svg").count(), 1);
        assert_offline(svg);
        for t in texts {
            assert!(svg.contains(t), "missing {t:?}");
        }
        Ok(())
    }

    fn group(label: &str, values: &[f64]) -> Group {
        Group {
            label: label.into(),
            values: values.to_vec(),
        }
    }

    fn series(label: &str, y: &[f64]) -> Series {
        Series {
            label: label.into(),
            x: (0..y.len()).map(|i| i as f64).collect(),
            y: y.to_vec(),
            band: None,
        }
    }

    #[test]
    fn box_strip_labels_and_edge_cases() -> Result<(), Box<dyn std::error::Error>> {
        let groups = [
            group("young & <fit>", &[1.0, 2.0, 3.0, 10.0]),
            group("single", &[5.0]),
            group("equal", &[2.0, 2.0, 2.0]),
            group("empty", &[]),
            group("bad", &[f64::NAN, f64::INFINITY, 0.0, -1.0, 4.0]),
        ];
        let svg = box_strip("Title <T>", "count & more", &groups, false)?;
        check(
            &svg,
            &[
                "Title &lt;T&gt;",
                "count &amp; more",
                "young &amp; &lt;fit&gt;",
                "n=0",
                "n=3",
            ],
        )?;
        assert!(svg.contains("Not shown: 2 non-finite (NaN/inf)"));
        let log = box_strip("log", "conc", &groups, true)?;
        check(
            &log,
            &["Not shown: 2 non-finite (NaN/inf), 2 ≤ 0 on the log scale"],
        )?;
        for g in [
            &[][..],
            &[0.0, 0.0],
            &[f64::NAN],
            &[7.0],
            &[f64::MAX, -f64::MAX],
        ] {
            check(&box_strip("t", "y", &[group("a", g)], true)?, &["t"])?;
            check(&box_strip("t", "y", &[group("a", g)], false)?, &["t"])?;
        }
        assert!(matches!(
            box_strip("t", "y", &[], false),
            Err(ReportError::EmptyData { what: "groups", .. })
        ));
        Ok(())
    }

    #[test]
    fn box_strip_of_large_groups_stays_small() -> Result<(), Box<dyn std::error::Error>> {
        let values: Vec<f64> = (0..10_000).map(|i| f64::from(i % 97)).collect();
        let groups: Vec<Group> = (0..7)
            .map(|i| group(&format!("arm {i}"), &values))
            .collect();
        let svg = box_strip("cohort", "y", &groups, false)?;
        check(
            &svg,
            &[
                "points: at most 500 per group, evenly spaced in rank",
                "n=10000",
            ],
        )?;
        assert_eq!(svg.matches("<circle").count(), 7 * 500);
        Ok(())
    }

    #[test]
    fn box_strip_keeps_many_long_labels_apart() -> Result<(), Box<dyn std::error::Error>> {
        let long = "P2RX7 inhibitor plus anti-miR-25/92a and anti-miR-30c/d (high dose)";
        let groups: Vec<Group> = (0..7)
            .map(|i| group(&format!("{long} {i}"), &[1.0]))
            .collect();
        let svg = box_strip("t", "y", &groups, false)?;
        check(&svg, &["P2RX7 inhibitor plus anti-miR-2… (n=1)"])?;
        // The y-axis description and the seven labels are rotated.
        assert_eq!(svg.matches("rotate(270").count(), 8);
        let short = [group("young", &[1.0]), group("aged liver donor", &[2.0])];
        let svg = box_strip("t", "y", &short, false)?;
        assert_eq!(svg.matches("rotate(").count(), 1);
        check(&svg, &[">\nyoung\n<", ">\naged liver donor\n<"])?;
        Ok(())
    }

    #[test]
    fn lines_labels_bands_and_edge_cases() -> Result<(), Box<dyn std::error::Error>> {
        let mut a = series("mean <A>", &[1.0, 10.0, 100.0, 1000.0]);
        a.band = Some((vec![0.5, 5.0, 50.0, 500.0], vec![2.0, 20.0, 200.0, 2000.0]));
        let b = series("with gaps", &[0.0, f64::NAN, 3.0, -2.0, 5.0]);
        let svg = lines("Growth", "day", "cells", &[a.clone(), b.clone()], true)?;
        check(
            &svg,
            &[
                "Growth",
                "day",
                "cells",
                "mean &lt;A&gt;",
                "with gaps",
                "<polygon",
            ],
        )?;
        assert!(svg.contains("Not shown: 1 non-finite (NaN/inf), 2 ≤ 0 on the log scale"));
        check(&lines("lin", "x", "y", &[a, b], false)?, &["lin"])?;
        let huge = [f64::MAX, -f64::MAX, f64::MIN_POSITIVE];
        for y in [
            &[][..],
            &[3.0],
            &[2.0, 2.0, 2.0],
            &[0.0, 0.0],
            &[f64::NAN],
            &huge,
        ] {
            check(&lines("t", "x", "y", &[series("s", y)], true)?, &["s"])?;
            check(&lines("t", "x", "y", &[series("s", y)], false)?, &["s"])?;
        }
        let mut bad = series("bad", &[1.0, 2.0]);
        bad.band = Some((vec![1.0], vec![1.0, 2.0]));
        let err = lines("t", "x", "y", &[bad], false).err();
        assert!(matches!(
            err,
            Some(ReportError::LengthMismatch {
                expected: 2,
                found: 1,
                ..
            })
        ));
        let mut short = series("short", &[1.0, 2.0]);
        short.y.pop();
        assert!(lines("t", "x", "y", &[short], false).is_err());
        assert!(lines("t", "x", "y", &[], false).is_err());
        Ok(())
    }

    fn curve(label: &str, time: &[f64], survival: &[f64]) -> Step {
        Step {
            label: label.into(),
            time: time.to_vec(),
            survival: survival.to_vec(),
            ..Step::default()
        }
    }

    #[test]
    fn km_curves_bands_ticks_and_errors() -> Result<(), Box<dyn std::error::Error>> {
        let mut a = curve("aged <liver>", &[1.0, 3.0, 4.0], &[0.9, 0.6, 0.5]);
        a.lower = Some(vec![0.8, 0.4, f64::NAN]);
        a.upper = Some(vec![1.0, 0.8, f64::NAN]);
        a.censored = vec![2.0, 6.0, f64::NAN];
        let b = curve("young", &[], &[]);
        let svg = km("Survival", "months", &[a.clone(), b])?;
        check(
            &svg,
            &[
                "Survival",
                "months",
                "survival probability",
                "aged &lt;liver&gt;",
                "young",
            ],
        )?;
        assert!(svg.contains("<polygon"));
        assert!(svg.contains("Not shown: 3 non-finite (NaN/inf)"));
        check(
            &km("t", "x", &[curve("zero", &[0.0, 0.0], &[0.5, 0.0])])?,
            &["zero"],
        )?;

        let mut above = a.clone();
        above.survival[2] = 1.5;
        let err = km("t", "x", &[above]).err().map(|e| e.to_string());
        let want = "plot 't', curve 'aged <liver>' survival: value 2 (1.5) is out of range";
        assert_eq!(err.as_deref(), Some(want));
        let mut negative = a.clone();
        negative.time[0] = -1.0;
        let err = km("t", "x", &[negative]).err();
        assert!(matches!(
            err,
            Some(ReportError::OutOfRange { index: 0, .. })
        ));
        let mut wide = a.clone();
        wide.lower = Some(vec![-0.2, 0.4, 0.3]);
        wide.upper = Some(vec![1.2, 0.8, 0.7]);
        check(&km("t", "x", &[wide])?, &["aged &lt;liver&gt;"])?;
        let mut nan = a.clone();
        nan.time[1] = f64::NAN;
        let err = km("t", "x", &[nan]).err();
        assert!(matches!(err, Some(ReportError::NonFinite { index: 1, .. })));
        let mut unsorted = a.clone();
        unsorted.time = vec![1.0, 0.5, 4.0];
        let err = km("t", "x", &[unsorted]).err();
        assert!(matches!(err, Some(ReportError::Unsorted { index: 1, .. })));
        let mut short = a;
        short.upper = Some(vec![1.0]);
        let err = km("t", "x", &[short]).err().map(|e| e.to_string());
        let want = "plot 't', curve 'aged <liver>' upper: 1 values, expected 3";
        assert_eq!(err.as_deref(), Some(want));
        assert!(km("t", "x", &[]).is_err());
        Ok(())
    }

    #[test]
    fn bars_labels_errors_and_edge_cases() -> Result<(), Box<dyn std::error::Error>> {
        let labels: Vec<String> = ["k_release", "k <uptake>", "gone"]
            .map(String::from)
            .to_vec();
        let svg = bars(
            "Sobol",
            "S1",
            &labels,
            &[0.5, -0.1, f64::NAN],
            Some(&[0.1, f64::NAN, 0.2]),
        )?;
        check(
            &svg,
            &["Sobol", "S1", "k_release", "k &lt;uptake&gt;", "gone"],
        )?;
        assert!(svg.contains("Not shown: 2 non-finite (NaN/inf)"));
        check(&bars("t", "x", &labels[..1], &[0.0], None)?, &["k_release"])?;
        let many: Vec<String> = (0..40).map(|i| format!("parameter {i}")).collect();
        let tall = bars("t", "x", &many, &vec![1.0; 40], None)?;
        check(&tall, &["parameter 39"])?;
        assert!(tall.contains("height=\"1060\""));
        let err = bars("t", "x", &labels, &[1.0], None).err();
        assert!(matches!(
            err,
            Some(ReportError::LengthMismatch {
                expected: 3,
                found: 1,
                ..
            })
        ));
        assert!(bars("t", "x", &labels, &[1.0; 3], Some(&[1.0])).is_err());
        assert!(bars("t", "x", &[], &[], None).is_err());
        Ok(())
    }

    mod never_panic {
        use super::*;
        use proptest::prelude::*;

        /// Any f64, with the awkward ones (NaN, ±inf, ±0, extremes) drawn often.
        fn any_value() -> impl Strategy<Value = f64> {
            prop_oneof![
                Just(f64::NAN),
                Just(f64::INFINITY),
                Just(f64::NEG_INFINITY),
                Just(0.0),
                Just(-0.0),
                Just(f64::MAX),
                Just(-f64::MAX),
                Just(f64::MIN_POSITIVE),
                -1e6..1e6,
                any::<f64>(),
            ]
        }

        fn values(max: usize) -> impl Strategy<Value = Vec<f64>> {
            prop::collection::vec(any_value(), 0..max)
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 48, rng_seed: proptest::test_runner::RngSeed::Fixed(20261127), ..ProptestConfig::default() })]

            #[test]
            fn box_strip_and_bars(groups in prop::collection::vec(values(12), 1..6), log in any::<bool>()) {
                let gs: Vec<Group> = groups.iter().enumerate().map(|(i, v)| group(&format!("g{i}"), v)).collect();
                prop_assert!(box_strip("t", "y", &gs, log).is_ok());
                let labels: Vec<String> = gs.iter().map(|g| g.label.clone()).collect();
                let firsts: Vec<f64> = groups.iter().map(|v| v.first().copied().unwrap_or(f64::NAN)).collect();
                prop_assert!(bars("t", "x", &labels, &firsts, Some(&firsts)).is_ok());
            }

            #[test]
            fn lines_with_bands(x in values(20), log in any::<bool>()) {
                let y: Vec<f64> = x.iter().rev().copied().collect();
                let band = Some((y.iter().map(|v| v * 0.5).collect(), y.iter().map(|v| v * 2.0).collect()));
                let s = Series { label: "s".into(), x, y, band };
                prop_assert!(lines("t", "x", "y", &[s], log).is_ok());
            }

            #[test]
            fn km_accepts_or_rejects(time in values(10), censored in values(5)) {
                let survival: Vec<f64> = (0..time.len()).map(|i| 1.0 / (i as f64 + 2.0)).collect();
                let lower = Some(time.iter().map(|t| t - 0.1).collect());
                let c = Step { label: "c".into(), survival, lower, upper: Some(time.clone()), time, censored };
                let sorted = c.time.windows(2).all(|w| w[0] <= w[1]);
                let valid = sorted && c.time.iter().all(|t| t.is_finite() && *t >= 0.0);
                prop_assert_eq!(km("t", "x", &[c]).is_ok(), valid);
            }
        }
    }
}
