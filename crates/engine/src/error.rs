//! Errors of the engine.

/// What can go wrong when compiling or simulating a network.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// Math refers to an id the network does not declare.
    #[error("{context} refers to unknown symbol '{symbol}'")]
    UnknownSymbol {
        /// The id that was not found.
        symbol: String,
        /// Where it was used (e.g. "kinetic law of reaction 'R1'").
        context: String,
    },
    /// Two declarations share an id.
    #[error("id '{id}' is declared more than once")]
    DuplicateId {
        /// The id.
        id: String,
    },
    /// A symbol is determined by more than one rule or assignment.
    #[error("'{symbol}' is determined by more than one rule")]
    OverDetermined {
        /// The symbol.
        symbol: String,
    },
    /// Assignment rules (or rates and rules) depend on each other in a cycle.
    #[error("algebraic loop among {}", symbols.join(", "))]
    AlgebraicLoop {
        /// The symbols in the cycle.
        symbols: Vec<String>,
    },
    /// A construct the engine does not simulate.
    #[error("unsupported: {what}")]
    Unsupported {
        /// What it is, and where.
        what: String,
    },
    /// An invalid setting (tolerance, time span, output points).
    #[error("invalid setting {name}: expected {expected}, found {found}")]
    InvalidSetting {
        /// The setting.
        name: &'static str,
        /// What is allowed.
        expected: &'static str,
        /// What was given.
        found: String,
    },
    /// The ODE solver could not proceed.
    #[error("ODE solver failed at t = {time}: {message}")]
    Solver {
        /// Simulation time of the failure.
        time: f64,
        /// The solver's account of the failure.
        message: String,
    },
    /// Events kept firing without time advancing.
    #[error("events fired more than {limit} times at t = {time} without time advancing (last: '{event}')")]
    EventCascade {
        /// The last event executed.
        event: String,
        /// Simulation time.
        time: f64,
        /// The limit that was reached.
        limit: usize,
    },
    /// A propensity evaluated to a negative, infinite or NaN value.
    #[error("propensity of reaction '{reaction}' is {value} at t = {time}: expected a finite non-negative number")]
    Propensity {
        /// The reaction's id.
        reaction: String,
        /// Simulation time.
        time: f64,
        /// The value found.
        value: f64,
    },
    /// A tau-leap would draw from a Poisson law with a mean too large to sample.
    #[error("tau-leap of {tau} at t = {time}: Poisson mean {mean} of reaction '{reaction}' is too large to sample")]
    Leap {
        /// The reaction's id.
        reaction: String,
        /// Simulation time at the leap's start.
        time: f64,
        /// The leap's length.
        tau: f64,
        /// The Poisson mean (propensity × τ).
        mean: f64,
    },
    /// A stochastic method met a stoichiometry that is not a whole number.
    #[error("reaction '{reaction}': stoichiometry of species '{species}' is {value}: expected a whole number for discrete simulation")]
    Stoichiometry {
        /// The reaction's id.
        reaction: String,
        /// The species' id.
        species: String,
        /// The value found.
        value: f64,
    },
    /// A discrete species starts with a negative or fractional count.
    #[error("species '{species}' has an initial count of {value}: expected a non-negative whole number for discrete simulation")]
    Count {
        /// The species' id.
        species: String,
        /// The value found.
        value: f64,
    },
    /// A stochastic firing took a discrete species below zero (its
    /// propensity does not vanish when the count is too small).
    #[error("reaction '{reaction}' took species '{species}' to {value} at t = {time}: expected a non-negative count")]
    NegativeCount {
        /// The reaction's id.
        reaction: String,
        /// The species' id.
        species: String,
        /// The count after the firing.
        value: f64,
        /// Simulation time.
        time: f64,
    },
}

/// The engine's result type.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;
