//! Shared vocabulary of the senmet workspace.
//!
//! This crate is deliberately tiny: it holds the few types every other senmet
//! crate speaks in, and no algorithms.
//!
//! - [`Location`]: where in an input file something was found (`path:line:col`).
//! - [`Position`]: a 1-based coordinate, as printed to users.
//! - [`Seed`]: the master seed of a stochastic computation.
//!
//! # Example
//!
//! ```
//! use senmet_core::{Location, Position, Seed};
//!
//! let at = Location::new("model.xml").with_line(12).with_column(3);
//! assert_eq!(at.to_string(), "model.xml:12:3");
//! let p = Position::new(1).expect("1 is a valid 1-based position");
//! assert_eq!(p.get() - 1, 0); // the 0-based index
//! let seed = Seed::new(42);
//! assert_eq!(seed.get(), 42);
//! ```

mod location;
mod position;
mod seed;

pub use location::Location;
pub use position::Position;
pub use seed::Seed;
