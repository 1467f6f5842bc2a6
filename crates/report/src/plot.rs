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
