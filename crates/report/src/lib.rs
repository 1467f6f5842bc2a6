//! Self-contained offline HTML reports with SVG plots.
//!
//! A [`Report`] is a title, [`Section`]s in order (paragraphs, bullet lists, [`Table`]s and
//! figures), an optional table of contents and a footer line. [`Report::to_html`] renders
//! it as one HTML file that opens without a network: the style sheet is inline, figures
//! are inline SVG, and there is no script. It reads well on a screen (figures in a
//! two-column grid on wide screens, long tables scrolling in a box) and prints (one figure
//! per row, tables in full). Every piece of text is HTML-escaped.
//!
//! The [`plot`] module draws the figures with `plotters`' SVG backend: box plots with
//! jittered points ([`plot::box_strip`]), lines with bands ([`plot::lines`]), Kaplan–Meier
//! curves ([`plot::km`]) and horizontal bars ([`plot::bars`]). Bad values never panic: they
//! are left out and counted in the figure, or rejected with a [`ReportError`].
//!
//! # Example
//!
//! ```
//! use senmet_report::plot::{self, Group};
//! use senmet_report::{Report, Table};
//!
//! let mut report = Report::new("Metastasis in aged livers");
//! report.toc().footer("senmet 0.1.0 · seed 42 · senmet run");
//! let groups = vec![
//!     Group { label: "young".into(), values: vec![3.0, 5.0, 4.0, 6.0] },
//!     Group { label: "aged".into(), values: vec![9.0, 12.0, 7.0, 15.0] },
//! ];
//! report
//!     .section("Metastases")
//!     .paragraph("Liver metastases per mouse, by donor age.")
//!     .figure(plot::box_strip("Metastases", "count", &groups, false)?, "One point per mouse")
//!     .table(Table {
//!         header: vec!["group".into(), "median".into()],
//!         rows: vec![vec!["young".into(), "4.5".into()], vec!["aged".into(), "10.5".into()]],
//!     });
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("report.html");
//! report.write(&path)?;
//! let html = std::fs::read_to_string(&path)?;
//! assert!(html.contains("<svg") && html.contains("Metastases"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod html;
pub mod plot;
mod table;
#[cfg(test)]
mod testutil;

pub use error::{ReportError, Result};
pub use html::{Report, Section};
pub use table::Table;
