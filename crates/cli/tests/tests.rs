//! Integration tests of the `senmet` binary, one module per topic.

mod targets;
mod signature;
mod util;
