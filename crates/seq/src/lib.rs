//! microRNA seed-site scanning and scoring over 3'UTRs, and target-set shift tests.
//!
//! - [`fasta`]: FASTA records from any `BufRead`, plain or gzip files.
//! - [`mirna`]: mature miRNAs, their seeds (nt 2–8) and families; [`family`]:
//!   TargetScan's `miR_Family_Info.txt`.
//! - [`utr`]: 3'UTRs from FASTA or TargetScan-style UTR tables, streamed in chunks.
//! - [`site`]: site types (8mer, 7mer-m8, 7mer-A1, 6mer, offset-6mer) and the scanner,
//!   with TargetScan 7's overlap rule and 1-based positions.
//! - [`score`]: a context++-style site score (Agarwal et al. 2015 coefficients).
//! - [`gene`]: per-miRNA and per-family gene scores and site counts.
//! - [`target`]: the whole analysis of a UTR, in parallel over chunks, and the
//!   `sites.tsv` / `genes.tsv` rows.
//! - [`shift`]: rank-sum and KS tests of target sets in a ranked gene list, with
//!   Benjamini–Hochberg adjustment and an HTML/SVG report.
//!
//! # Performance
//!
//! The scanner looks up each 6-nt window of a UTR in tables of all seeds at once,
//! so a pass costs the same for 1 or 5,000 miRNAs, plus the sites found. Memory
//! depends on the chunk of UTRs in flight, not on the number of UTRs.
//!
//! # Example
//!
//! ```
//! use senmet_seq::{mirna::Mirna, site};
//!
//! let mir30 = Mirna::new("hsa-miR-30c-5p", b"UGUAAACAUCCUACACUCUCAGC")?;
//! let scanner = site::Builder::new().shadow(0).build(&[mir30.seed()])?;
//! let sites: Vec<_> = scanner.sites(b"GGTGTTTACAGG").collect();
//! assert_eq!(sites[0].site_type.as_str(), "8mer");
//! assert_eq!(sites[0].start.get(), 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod family;
pub mod fasta;
pub mod gene;
pub mod mirna;
pub mod score;
pub mod shift;
pub mod site;
pub mod target;
pub mod utr;
