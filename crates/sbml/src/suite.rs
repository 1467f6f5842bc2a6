//! The SBML Test Suite's case files (layout of `cases/semantic/` and
//! `cases/stochastic/` in sbmlteam/sbml-test-suite).
//!
//! A case is a folder `NNNNN/` holding `NNNNN-sbml-lXvY.xml` (one per SBML
//! level/version), `NNNNN-settings.txt`, `NNNNN-results.csv` and
//! `NNNNN-model.m`. [`discover`] finds cases, [`Case`] reads their files, and
//! [`check`] holds the suite's pass rules: the semantic tolerance rule and the
//! DSMTS Z/Y statistics.
//!
//! # Example
//!
//! ```
//! use senmet_sbml::suite::{check, Results};
//!
//! let expected = Results::parse("time,S1\n0,1\n1,0.5\n", "exp.csv".as_ref())?;
//! let simulated = Results::parse("time,S1\n0,1\n1,0.50001\n", "sim.csv".as_ref())?;
//! assert!(check::semantic(&expected, &simulated, 1e-6, 1e-4).is_none());
//! # Ok::<(), senmet_sbml::suite::Error>(())
//! ```

mod case;
pub mod check;
mod description;
mod results;
pub mod run;
mod settings;
pub mod stochastic;

use std::path::PathBuf;

use senmet_core::Location;

pub use case::{discover, Case};
pub use description::Description;
pub use results::Results;
pub use settings::Settings;

/// What can go wrong reading suite files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file or folder could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A case folder holds no `NNNNN-sbml-lXvY.xml` model.
    #[error("{}: no NNNNN-sbml-lXvY.xml model in the case folder", dir.display())]
    NoModel {
        /// The case folder.
        dir: PathBuf,
    },
    /// A path is neither a case folder nor a folder of case folders.
    #[error("{}: expected a case folder or a folder of case folders", path.display())]
    NotACase {
        /// The path given.
        path: PathBuf,
    },
    /// A value in a file is not what the suite's format allows.
    #[error("{at}: expected {expected}, found {found}")]
    Parse {
        /// Where.
        at: Location,
        /// What the format allows there.
        expected: String,
        /// What was there.
        found: String,
    },
}
