//! What every plot shares: the SVG canvas, the palette, chart and grid set-up, legends,
//! input checks and the note about values left out.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{Axis, Scale};
use crate::ReportError;

/// The drawing surface every plot draws on.
pub(crate) type Root<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// A chart with both axes' ticks chosen by [`Axis`].
pub(crate) type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<Axis, Axis>>;
/// The result of a plotters drawing call on the SVG backend.
pub(crate) type DrawResult<T> = Result<T, DrawingAreaErrorKind<std::io::Error>>;

/// Default figure size in pixels (the report scales figures to the page width).
pub(crate) const WIDTH: u32 = 640;
/// Default figure height in pixels.
pub(crate) const HEIGHT: u32 = 400;
/// Font family of every text (rendered by the viewer: no font files are embedded).
pub(crate) const FONT: &str = "sans-serif";
/// Average width of a 12 px sans-serif character, to estimate label widths.
/// It errs wide, so that wrapped labels and tick labels never overlap.
pub(crate) const CHAR_PX: f64 = 7.0;
/// Average width of a character of label text, to size the room for one long label: about
/// 5.7 px in Chromium's rendering of the demo, plus a margin.
pub(crate) const TEXT_CHAR_PX: f64 = 6.2;
/// Plot margin in pixels.
pub(crate) const MARGIN: u32 = 12;
/// Okabe & Ito's colour-blind-safe palette (Okabe and Ito 2008, "Color Universal Design"),
/// ordered so that the colours that show best on white come first; yellow comes last.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

/// The colour of the `i`-th group or series (the palette repeats after eight).
pub(crate) fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Draws into a fresh SVG document of `size` pixels and returns it.
pub(crate) fn svg<F>(size: (u32, u32), draw: F) -> Result<String, ReportError>
where
    F: FnOnce(&Root<'_>) -> DrawResult<()>,
{
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        let run = |root: &Root<'_>| -> DrawResult<()> {
            root.fill(&WHITE)?;
            draw(root)?;
            root.present()
        };
        run(&root).map_err(|e| ReportError::Plot(e.to_string()))?;
    }
    Ok(buf)
}

/// [`ReportError::EmptyData`] when `items` is empty.
pub(crate) fn non_empty<T>(plot: &str, what: &'static str, items: &[T]) -> Result<(), ReportError> {
    if items.is_empty() {
        Err(ReportError::EmptyData {
            plot: plot.to_string(),
            what,
        })
    } else {
        Ok(())
    }
}

/// [`ReportError::LengthMismatch`] unless `found` (when given) equals `expected`.
pub(crate) fn same_len(
    plot: &str,
    what: impl FnOnce() -> String,
    expected: usize,
    found: Option<usize>,
) -> Result<(), ReportError> {
    match found {
        Some(found) if found != expected => Err(ReportError::LengthMismatch {
            plot: plot.to_string(),
            what: what(),
            expected,
            found,
        }),
        _ => Ok(()),
    }
}

/// Counts the values a plot could not show, for the note under it.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Skipped {
    non_finite: usize,
    non_positive: usize,
}

impl Skipped {
    /// The value in plot units, or `None` (counted) when it cannot be shown on `scale`.
    pub(crate) fn keep(&mut self, v: f64, scale: Scale) -> Option<f64> {
        if !v.is_finite() {
            self.non_finite += 1;
            None
        } else if scale == Scale::Log10 {
            if v > 0.0 {
                Some(v.log10())
            } else {
                self.non_positive += 1;
                None
            }
        } else {
            Some(v)
        }
    }

    /// Counts a value left out for being non-finite.
    pub(crate) fn non_finite(&mut self) {
        self.non_finite += 1;
    }

    /// The note to print under the plot, if anything was left out.
    pub(crate) fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.non_finite > 0 {
            parts.push(format!("{} non-finite (NaN/inf)", self.non_finite));
        }
        if self.non_positive > 0 {
            parts.push(format!("{} ≤ 0 on the log scale", self.non_positive));
        }
        (!parts.is_empty()).then(|| format!("Not shown: {}", parts.join(", ")))
    }
}

/// Writes a small grey note in the figure's bottom-left corner.
pub(crate) fn draw_note(root: &Root<'_>, note: Option<String>) -> DrawResult<()> {
    let Some(text) = note else { return Ok(()) };
    let (_, h) = root.dim_in_pixel();
    let style = TextStyle::from((FONT, 14))
        .color(&RGBColor(0x66, 0x66, 0x66))
        .pos(Pos::new(HPos::Left, VPos::Bottom));
    root.draw(&Text::new(text, (6, h as i32 - 4), style))
}

/// Builds a chart with a title, the two axes and label areas of the given sizes.
pub(crate) fn chart<'a, 'b>(
    root: &'a Root<'b>,
    title: &str,
    (x, y): (&Axis, &Axis),
    (x_area, y_area): (u32, u32),
) -> DrawResult<Chart<'a, 'b>> {
    ChartBuilder::on(root)
        .caption(title, (FONT, 20))
        .margin(MARGIN)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x.clone(), y.clone())
}

/// Draws the grid lines (where `grid` says so for x and y), ticks, tick labels and axis
/// descriptions.
pub(crate) fn mesh(
    chart: &mut Chart<'_, '_>,
    (x, y): (&Axis, &Axis),
    (x_desc, y_desc): (&str, &str),
    grid: (bool, bool),
) -> DrawResult<()> {
    let x_fmt = |v: &f64| x.label(*v);
    let y_fmt = |v: &f64| y.label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style((FONT, 15))
        .axis_desc_style((FONT, 16))
        .bold_line_style(RGBColor(0xDD, 0xDD, 0xDD))
        .axis_style(RGBColor(0x44, 0x44, 0x44));
    if !grid.0 {
        mesh.disable_x_mesh();
    }
    if !grid.1 {
        mesh.disable_y_mesh();
    }
    mesh.draw()
}

/// Width of the y label area: tick labels plus the rotated axis description.
pub(crate) fn y_area(y: &Axis) -> u32 {
    y.label_px() + 40
}

/// The legend corner that covers the fewest of the points, given as fractions (0..1) of
/// the plot's width and height (y upwards).
pub(crate) fn legend_corner(points: impl Iterator<Item = (f64, f64)>) -> SeriesLabelPosition {
    let mut counts = [0usize; 4];
    for (x, y) in points {
        if x > 0.6 && y > 0.6 {
            counts[0] += 1;
        }
        if x < 0.4 && y > 0.6 {
            counts[1] += 1;
        }
        if x > 0.6 && y < 0.4 {
            counts[2] += 1;
        }
        if x < 0.4 && y < 0.4 {
            counts[3] += 1;
        }
    }
    let best = (0..4).min_by_key(|&i| counts[i]).unwrap_or(0);
    [
        SeriesLabelPosition::UpperRight,
        SeriesLabelPosition::UpperLeft,
        SeriesLabelPosition::LowerRight,
        SeriesLabelPosition::LowerLeft,
    ][best]
        .clone()
}

/// Draws the legend of the labelled series in `corner`.
pub(crate) fn legend<'a, 'b: 'a>(
    chart: &mut Chart<'a, 'b>,
    corner: SeriesLabelPosition,
) -> DrawResult<()> {
    chart
        .configure_series_labels()
        .position(corner)
        .label_font((FONT, 14))
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(0x99, 0x99, 0x99))
        .draw()
}
