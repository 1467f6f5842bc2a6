//! The master seed of a stochastic computation.

use std::fmt;

/// A master seed. Every stochastic entry point in senmet takes one, so a run
/// can always be repeated; per-trajectory streams are derived from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Seed(u64);

impl Seed {
    /// A seed from its value.
    pub fn new(value: u64) -> Self {
        Self(value)
    }

    /// The value.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl From<u64> for Seed {
    fn from(value: u64) -> Self {
        Self(value)
    }
}

impl fmt::Display for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
