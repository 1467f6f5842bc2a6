//! One module per subcommand.

pub mod cohort;
pub mod merge;
pub mod params;
pub mod power;
pub mod run;
pub mod sbml_suite;
pub mod sensitivity;
pub mod signature;
pub mod simulate;
pub mod targets;
