//! One module per subcommand.

pub mod sbml_suite;
pub mod simulate;
pub mod targets;
pub mod signature;
