//! The error type of senmet-stats.

use std::path::PathBuf;

use senmet_core::Location;

/// Everything that can go wrong reading omics tables or fitting a statistic.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A line could not be read (I/O or decompression failure mid-file).
    #[error("{at}: cannot read line")]
    ReadLine {
        /// Where reading failed.
        at: Location,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A cell did not hold what was expected.
    #[error("{at}: expected {expected}, found '{found}'")]
    Unexpected {
        /// File, line and 1-based field number.
        at: Location,
        /// What the field should hold.
        expected: &'static str,
        /// What it held.
        found: String,
    },
    /// A row has a different number of fields from the header.
    #[error("{at}: expected {expected} tab-separated fields as in the header, found {found}")]
    FieldCount {
        /// File and line.
        at: Location,
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// A named column is absent from a header.
    #[error("{at}: no column named '{column}' in the header")]
    MissingColumn {
        /// File and header line.
        at: Location,
        /// The column asked for.
        column: String,
    },
    /// The same sample id appears twice.
    #[error("{at}: sample id '{id}' appears more than once")]
    DuplicateSample {
        /// File, line and field of the second occurrence.
        at: Location,
        /// The repeated id.
        id: String,
    },
    /// A file has no header or no data.
    #[error("{at}: {what}")]
    Empty {
        /// The file.
        at: Location,
        /// What is missing.
        what: &'static str,
    },
    /// A value not allowed by the requested transformation.
    #[error("gene '{gene}' in sample '{sample}' has value {value}, but {expected}")]
    InvalidValue {
        /// Gene symbol.
        gene: String,
        /// Sample id.
        sample: String,
        /// The value.
        value: f64,
        /// What was required.
        expected: &'static str,
    },
    /// Too few observations for a statistic.
    #[error("need at least {needed} observations, found {found}")]
    TooFew {
        /// Minimum needed.
        needed: usize,
        /// Available.
        found: usize,
    },
    /// A meta-analysis with fewer than two studies.
    #[error("pooling needs at least 2 cancer types with a result, found {found}")]
    TooFewStudies {
        /// Studies available.
        found: usize,
    },
    /// Paired inputs of different lengths.
    #[error("inputs differ in length: {left} and {right}")]
    LengthMismatch {
        /// First length.
        left: usize,
        /// Second length.
        right: usize,
    },
    /// All values of a variable are equal, so it carries no information.
    #[error("{what} is constant")]
    Constant {
        /// The variable.
        what: &'static str,
    },
    /// The design matrix is rank deficient.
    #[error("design matrix is singular (collinear or constant columns)")]
    Singular,
    /// An iterative fit did not converge.
    #[error("fit did not converge in {iterations} iterations")]
    NoConvergence {
        /// Iterations run.
        iterations: usize,
    },
    /// A logistic or Cox fit with perfect separation: estimates are infinite.
    #[error("perfect separation: the outcome is predicted exactly, estimates are infinite")]
    Separation,
    /// A sensitivity analysis was given no factors.
    #[error("a sensitivity design needs at least one factor")]
    NoFactors,
    /// A factor's range is empty or not finite.
    #[error("factor '{name}': expected finite bounds with low < high, found [{low}, {high}]")]
    FactorBounds {
        /// The factor.
        name: String,
        /// Its lower bound.
        low: f64,
        /// Its upper bound.
        high: f64,
    },
    /// A log-uniform factor whose lower bound is not positive.
    #[error("factor '{name}' is log-uniform, so its low bound must be positive, found {low}")]
    LogFactorBounds {
        /// The factor.
        name: String,
        /// Its lower bound.
        low: f64,
    },
    /// A design setting outside what the method supports.
    #[error("{what} is {found}, expected {expected}")]
    DesignSize {
        /// The setting.
        what: &'static str,
        /// Its value.
        found: usize,
        /// The allowed values.
        expected: &'static str,
    },
    /// The model outputs do not match the design's rows one to one.
    #[error("expected {expected} model outputs (one per design point), found {found}")]
    OutputCount {
        /// Rows of the design.
        expected: usize,
        /// Outputs given.
        found: usize,
    },
    /// A model output is NaN or infinite.
    #[error("model output for design point {row} (0-based row of points()) is {value}, expected a finite number")]
    NonFiniteOutput {
        /// 0-based index of the design point.
        row: usize,
        /// The value.
        value: f64,
    },
    /// A power-analysis setting outside its range.
    #[error("{what} is {found}, expected {expected}")]
    PowerSetting {
        /// The setting.
        what: &'static str,
        /// Its value.
        found: f64,
        /// The allowed values.
        expected: &'static str,
    },
}

/// The result type of senmet-stats.
pub type Result<T, E = Error> = std::result::Result<T, E>;
