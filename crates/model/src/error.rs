//! The model's errors.

use std::path::PathBuf;

/// What can go wrong building or running the model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// A parameter table line could not be read.
    #[error("{source_name}:{line}: {message}")]
    Table {
        /// The table's name (a built-in file or a user's path).
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A parameter name nobody defines.
    #[error("unknown parameter `{name}`{hint}")]
    UnknownParameter {
        /// The name given.
        name: String,
        /// A suggestion (", did you mean ...?") or empty.
        hint: String,
    },
    /// A parameter value that cannot be used.
    #[error("parameter `{name}` = {value}: {expected}")]
    BadValue {
        /// The parameter.
        name: String,
        /// The value given.
        value: f64,
        /// What is allowed.
        expected: String,
    },
    /// A cancer type nobody defines.
    #[error("unknown cancer type `{name}` (known: {known})")]
    UnknownCancerType {
        /// The name given.
        name: String,
        /// The defined types, comma-separated.
        known: String,
    },
    /// The model's own math did not parse (a bug in senmet).
    #[error("model element `{id}`: {source}")]
    Formula {
        /// The element.
        id: String,
        /// The parse error.
        source: senmet_engine::expr::ParseError,
    },
    /// A scenario file is wrong.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Scenario {
        /// The scenario file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The engine failed (compiling or simulating the network).
    #[error("{context}: {source}")]
    Engine {
        /// Which subject or step.
        context: String,
        /// The engine's error.
        source: senmet_engine::EngineError,
    },
    /// A statistic could not be computed.
    #[error("{context}: {source}")]
    Stats {
        /// Which comparison.
        context: String,
        /// The statistics error.
        source: senmet_stats::Error,
    },
}

/// Results of this crate.
pub type Result<T, E = ModelError> = std::result::Result<T, E>;
