//! Omics tables and statistics for senmet: per-sample gene-set scores in tumour
//! transcriptomes, tested against age, metastasis and survival.
//!
//! - [`table`]: expression matrix and clinical table readers (TSV or TSV.gz).
//! - [`gmt`]: gene sets (GMT) and the built-in study sets.
//! - [`score`]: singscore, ssGSEA (as GSVA) and mean z-score.
//! - [`rank`]: Spearman correlation and Mann–Whitney U (as scipy).
//! - [`linear`], [`logistic`]: OLS with t-tests, logistic regression (as statsmodels).
//! - [`survival`]: Kaplan–Meier, log-rank, Cox PH with Efron ties (as lifelines / R survival).
//! - [`meta`]: DerSimonian–Laird random-effects meta-analysis.
//! - [`sensitivity`]: Sobol' indices (Saltelli design) and Morris screening (as SALib).
//! - [`adjust`]: Benjamini–Hochberg q-values.
//! - [`association`]: the per-cancer-type tests of one feature and their pooling.
//!
//! # Example
//!
//! ```
//! use senmet_stats::{gmt, score, table};
//!
//! let tsv = "gene\ts1\ts2\ts3\nPTEN\t5\t1\t3\nLATS2\t4\t2\t1\nVIM\t1\t6\t2\n";
//! let expr = table::Expression::read(tsv.as_bytes(), "e.tsv".as_ref(), table::Scale::Log2)?;
//! let sig = gmt::Signature { name: "targets".into(), up: vec!["PTEN".into(), "LATS2".into()], down: None };
//! let (resolved, coverage) = score::resolve(&sig, &expr);
//! assert_eq!(coverage.n_found, 2);
//! let scores = score::score(&expr, &[resolved.expect("both genes found")], &[score::Method::Singscore]);
//! let rho = senmet_stats::rank::spearman(&scores[0].values[0], &[70.0, 40.0, 55.0])?;
//! assert!(rho.rho > 0.0);
//! # Ok::<(), senmet_stats::Error>(())
//! ```

pub mod adjust;
pub mod association;
mod dist;
mod error;
pub mod gmt;
pub mod linear;
pub mod logistic;
pub mod meta;
pub mod power;
pub mod rank;
pub mod score;
pub mod sensitivity;
pub mod survival;
pub mod table;

pub use error::{Error, Result};
