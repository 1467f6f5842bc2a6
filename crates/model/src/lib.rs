//! The senescent-liver → EV → miRNA → PTEN/LATS2 → EMT → metastasis model of senmet.
//!
//! A 2026 Nature Aging study reports that senescent hepatocytes of aged
//! livers over-express P2RX7 and release more extracellular vesicles (EVs)
//! carrying miR-25/92a and miR-30c/d; the EVs reach distant tumours, repress
//! PTEN and LATS2, and drive EMT and metastasis. This crate makes that
//! computable: the [`build`] module writes the mechanism as a reaction
//! network for the engine (and so as SBML), [`params`] holds every value with
//! its units, range and source, [`intervention`] and [`scenario`] describe
//! experiments, [`experiment`] simulates them and [`summary`] compares arms.
//!
//! # Example
//!
//! ```
//! use std::path::Path;
//! use senmet_model::{experiment, params::Tables, scenario, summary, readout::Readout};
//!
//! let tables = Tables::builtin()?;
//! let text = r#"
//! n = 4
//! seed = 7
//! cancer_types = ["lung"]
//! [[arms]]
//! name = "young"
//! host = { species = "mouse", age = "3 months" }
//! [[arms]]
//! name = "aged"
//! host = { species = "mouse", age = "22 months" }
//! "#;
//! let exp = scenario::parse(text, Path::new("example.toml"), &tables)?;
//! let out = experiment::run(&exp, &tables, &|| {})?;
//! let rows = summary::summarize(&exp, &out);
//! let ev = |arm: &str| rows.iter().find(|r| r.arm == arm && r.readout == Readout::PlasmaEvSenescent).unwrap().mean;
//! assert!(ev("aged") > 5.0 * ev("young"));
//! # Ok::<(), senmet_model::ModelError>(())
//! ```

pub mod build;
pub mod cohort;
pub mod error;
pub mod expected;
pub mod experiment;
pub mod host;
pub mod intervention;
pub mod params;
pub mod prior;
pub mod readout;
pub mod scenario;
pub mod sensitivity;
pub mod summary;

pub use error::{ModelError, Result};
