//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong while drawing a plot or writing a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The report file (or its temporary sibling) could not be written or renamed.
    #[error("cannot write {}", path.display())]
    Io {
        /// The file being written.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The plotting library failed while drawing (its message).
    #[error("cannot draw plot: {0}")]
    Plot(String),
    /// A plot was given no groups, series, curves or bars at all.
    #[error("plot '{plot}' has no {what} to draw")]
    EmptyData {
        /// The plot's title.
        plot: String,
        /// What was missing ("groups", "series", "curves", "bars").
        what: &'static str,
    },
    /// A value that must be finite is not (Kaplan–Meier times and survival).
    #[error("plot '{plot}', {what}: value {index} is not finite")]
    NonFinite {
        /// The plot's title.
        plot: String,
        /// The series and field, e.g. "curve 'arm A' time".
        what: String,
        /// 0-based index of the offending value.
        index: usize,
    },
    /// A value lies outside the range it must have (Kaplan–Meier survival outside 0..=1, a
    /// negative time).
    #[error("plot '{plot}', {what}: value {index} ({value}) is out of range")]
    OutOfRange {
        /// The plot's title.
        plot: String,
        /// The series and field, e.g. "curve 'arm A' survival".
        what: String,
        /// 0-based index of the offending value.
        index: usize,
        /// The value.
        value: f64,
    },
    /// Two vectors that must pair up have different lengths.
    #[error("plot '{plot}', {what}: {found} values, expected {expected}")]
    LengthMismatch {
        /// The plot's title.
        plot: String,
        /// The series and field, e.g. "series 'mean' y".
        what: String,
        /// The length it must have.
        expected: usize,
        /// The length it has.
        found: usize,
    },
    /// Kaplan–Meier times go backwards.
    #[error("plot '{plot}', {what}: time {index} is smaller than the one before")]
    Unsorted {
        /// The plot's title.
        plot: String,
        /// The curve, e.g. "curve 'arm A' time".
        what: String,
        /// 0-based index of the first out-of-order time.
        index: usize,
    },
}

/// The crate's result type.
pub type Result<T, E = ReportError> = std::result::Result<T, E>;
