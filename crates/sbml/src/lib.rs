//! SBML for senmet: read SBML Level 2 (V4, V5) and Level 3 (V1, V2) models into
//! a [`senmet_engine::Network`], write networks back as SBML Level 3 Version 2,
//! and use the SBML Test Suite's case files ([`suite`]).
//!
//! - [`read_path`] / [`read_str`]: SBML to [`Network`]; function definitions are
//!   inlined, local parameters substituted, L2 `stoichiometryMath` turned into
//!   an assignment rule on the species reference, algebraic rules that fix one
//!   variable linearly solved into assignment rules, comp models flattened.
//! - [`write()`] / [`to_string()`]: [`Network`] to SBML L3V2.
//! - [`Error`]: what went wrong and where (`path:line:col`); valid SBML that is
//!   not handled (coupled algebraic rules, fast reactions, `delay`, packages
//!   other than comp, …) is
//!   [`Error::Unsupported`].
//!
//! Units are ignored: they do not change a simulation.
//!
//! # Example
//!
//! ```
//! use senmet_engine::{Expr, Op};
//!
//! let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
//! <sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
//!   <model id="decay">
//!     <listOfCompartments>
//!       <compartment id="cell" size="1" constant="true"/>
//!     </listOfCompartments>
//!     <listOfSpecies>
//!       <species id="A" compartment="cell" initialAmount="10"
//!                hasOnlySubstanceUnits="true" boundaryCondition="false" constant="false"/>
//!     </listOfSpecies>
//!     <listOfReactions>
//!       <reaction id="decay" reversible="false">
//!         <listOfReactants>
//!           <speciesReference species="A" stoichiometry="1" constant="true"/>
//!         </listOfReactants>
//!         <kineticLaw>
//!           <math xmlns="http://www.w3.org/1998/Math/MathML">
//!             <apply><times/><ci>k</ci><ci>A</ci></apply>
//!           </math>
//!           <listOfLocalParameters><localParameter id="k" value="0.5"/></listOfLocalParameters>
//!         </kineticLaw>
//!       </reaction>
//!     </listOfReactions>
//!   </model>
//! </sbml>"#;
//! let net = senmet_sbml::read_str(xml, "decay.xml".as_ref())?;
//! let rate = net.reactions[0].rate.as_ref();
//! assert_eq!(rate, Some(&Expr::apply(Op::Times, vec![Expr::Num(0.5), Expr::sym("A")])));
//!
//! // Writing and reading back gives the same network.
//! let again = senmet_sbml::read_str(&senmet_sbml::to_string(&net), "again.xml".as_ref())?;
//! assert_eq!(again, net);
//! # Ok::<(), senmet_sbml::Error>(())
//! ```

mod error;
mod read;
pub mod suite;
mod write;
mod xml;

pub use error::{Error, Result};
pub use read::{read_path, read_str};
pub use senmet_engine::Network;
pub use write::{to_string, write};
