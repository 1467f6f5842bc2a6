//! Integration tests of the `senmet` binary, one module per topic.

mod cohort;
mod engine;
mod hybrid;
mod power;
mod run;
mod signature;
mod simulate_scan;
mod simulate_ssa;
mod targets;
mod tau;
mod util;
