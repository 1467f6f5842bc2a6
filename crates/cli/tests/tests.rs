//! Integration tests of the `senmet` binary, one module per topic.

mod signature;
mod targets;
mod util;
