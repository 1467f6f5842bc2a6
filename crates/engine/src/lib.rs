//! Reaction networks and their simulation.
//!
//! A [`Network`] is a model as declared (compartments, species, parameters,
//! reactions, rules, events) with math as [`Expr`] trees.
//!
//! # Example
//!
//! ```
//! use senmet_engine::{Compartment, Expr, Network, Op};
//!
//! let mut net = Network::default();
//! net.compartments.push(Compartment {
//!     id: "cell".into(),
//!     name: None,
//!     size: Some(1.0),
//!     spatial_dimensions: Some(3.0),
//!     constant: true,
//! });
//! let law = Expr::apply(Op::Times, vec![Expr::sym("k"), Expr::sym("A")]);
//! assert!(!law.uses_time());
//! ```

pub mod expr;
pub mod hybrid;
pub mod network;
pub mod ode;
pub mod ssa;
pub mod stochastic;
pub mod tau;

pub use expr::{Expr, Op};
pub use network::{
    Compartment, Event, EventAssignment, InitialAssignment, InitialQuantity, Network, Parameter,
    Reaction, Rule, Species, SpeciesReference,
};

mod compile;
pub mod ensemble;
pub mod error;
mod scalar;
pub mod system;
mod vm;

pub use ensemble::Ensemble;
pub use error::EngineError;
pub use hybrid::{Firing, Hybrid, HybridBuilder, HybridRun, Noise};
pub use ode::{Ode, OdeBuilder};
pub use ssa::{Ssa, SsaBuilder, SsaMethod};
pub use system::{Observable, ParameterId, System};
pub use tau::{LeapUpdate, Tau, TauBuilder};
