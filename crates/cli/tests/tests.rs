//! Integration tests of the `senmet` binary, one module per topic.

mod cohort;
mod engine;
mod hybrid;
mod run;
mod signature;
mod simulate_scan;
mod targets;
mod util;
