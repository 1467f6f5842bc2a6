//! One module per subcommand.

pub mod signature;
