//! Integration tests of the `senmet` binary, one module per topic.

mod engine;
mod signature;
mod simulate_scan;
mod targets;
mod tau;
mod util;
