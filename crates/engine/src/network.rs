//! The network: what a model declares, independent of any file format.
//!
//! The shapes follow SBML Level 3 Version 2 (§4 of the specification), so that
//! SBML imports into a [`Network`] and exports back without loss of meaning.
//! Function definitions are inlined by importers; local parameters are
//! substituted into their kinetic law.

use crate::expr::Expr;

/// A reaction network with its rules and events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Network {
    /// The model's id, if it has one.
    pub id: Option<String>,
    /// The model's name, if it has one.
    pub name: Option<String>,
    /// Compartments, in declaration order.
    pub compartments: Vec<Compartment>,
    /// Species, in declaration order.
    pub species: Vec<Species>,
    /// Global parameters, in declaration order.
    pub parameters: Vec<Parameter>,
    /// Reactions, in declaration order.
    pub reactions: Vec<Reaction>,
    /// Initial assignments: `(symbol, expression)`, applied at t = t0.
    pub initial_assignments: Vec<InitialAssignment>,
    /// Assignment and rate rules.
    pub rules: Vec<Rule>,
    /// Discrete events.
    pub events: Vec<Event>,
    /// The model-wide conversion factor (a parameter id), if any.
    pub conversion_factor: Option<String>,
}

impl Network {
    /// A network of species counted as amounts (`hasOnlySubstanceUnits`) in
    /// one constant compartment `c` of size 1, with initial amounts: the
    /// usual form of stochastic and mass-action models written in code.
    ///
    /// # Examples
    ///
    /// ```
    /// use senmet_engine::{Network, Ode, System};
    /// // A -> B at 0.5·A.
    /// let mut net = Network::well_mixed(&[("A", 1.0), ("B", 0.0)]);
    /// net.add_reaction("convert", &[("A", 1.0)], &[("B", 1.0)], "0.5 * A".parse()?);
    /// let system = System::new(&net)?;
    /// let b = system.observable("B", true).expect("B is a species");
    /// let rows = Ode::builder(&system).build()?.run(&[0.0, 2.0], &[b])?;
    /// assert!((rows[1][0] - (1.0 - (-1.0f64).exp())).abs() < 1e-5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn well_mixed(species: &[(&str, f64)]) -> Network {
        let mut net = Network::default();
        net.compartments.push(Compartment {
            id: "c".into(),
            name: None,
            size: Some(1.0),
            spatial_dimensions: None,
            constant: true,
        });
        net.species = species
            .iter()
            .map(|&(id, amount)| Species {
                id: id.into(),
                name: None,
                compartment: "c".into(),
                initial: InitialQuantity::Amount(amount),
                has_only_substance_units: true,
                boundary_condition: false,
                constant: false,
                conversion_factor: None,
            })
            .collect();
        net
    }

    /// Adds a constant global parameter.
    ///
    /// # Examples
    ///
    /// ```
    /// use senmet_engine::Network;
    /// // 0 -> X at rate k, k = 2.
    /// let mut net = Network::well_mixed(&[("X", 0.0)]);
    /// net.add_parameter("k", 2.0);
    /// net.add_reaction("make", &[], &[("X", 1.0)], "k".parse()?);
    /// assert_eq!(net.parameters[0].value, Some(2.0));
    /// # Ok::<(), senmet_engine::expr::ParseError>(())
    /// ```
    pub fn add_parameter(&mut self, id: &str, value: f64) {
        self.parameters.push(Parameter {
            id: id.into(),
            name: None,
            value: Some(value),
            constant: true,
        });
    }

    /// Adds an irreversible reaction with constant stoichiometries
    /// (`(species, stoichiometry)` pairs) and kinetic law `rate`.
    pub fn add_reaction(
        &mut self,
        id: &str,
        reactants: &[(&str, f64)],
        products: &[(&str, f64)],
        rate: Expr,
    ) {
        let refs = |list: &[(&str, f64)]| {
            list.iter()
                .map(|&(species, n)| SpeciesReference {
                    species: species.into(),
                    id: None,
                    stoichiometry: Some(n),
                    constant: true,
                })
                .collect()
        };
        self.reactions.push(Reaction {
            id: id.into(),
            name: None,
            reversible: false,
            reactants: refs(reactants),
            products: refs(products),
            modifiers: vec![],
            rate: Some(rate),
        });
    }
}

/// A compartment (SBML §4.5).
#[derive(Debug, Clone, PartialEq)]
pub struct Compartment {
    /// Identifier.
    pub id: String,
    /// Optional display name.
    pub name: Option<String>,
    /// Initial size; `None` when an initial assignment or rule sets it.
    pub size: Option<f64>,
    /// Spatial dimensions (0–3, may be non-integer in L3); `None` if unset.
    pub spatial_dimensions: Option<f64>,
    /// Whether the size is constant.
    pub constant: bool,
}

/// How a species' initial quantity was given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InitialQuantity {
    /// An amount (substance units).
    Amount(f64),
    /// A concentration (amount per compartment size).
    Concentration(f64),
    /// Not given: an initial assignment or rule must set it.
    Unset,
}

/// A species (SBML §4.6).
#[derive(Debug, Clone, PartialEq)]
pub struct Species {
    /// Identifier.
    pub id: String,
    /// Optional display name.
    pub name: Option<String>,
    /// The compartment it lives in.
    pub compartment: String,
    /// Initial amount or concentration.
    pub initial: InitialQuantity,
    /// If true, the species' symbol in math means its amount; else its concentration.
    pub has_only_substance_units: bool,
    /// If true, reactions do not change it (rules and events may).
    pub boundary_condition: bool,
    /// If true, nothing changes it.
    pub constant: bool,
    /// A parameter id scaling reaction contributions to this species.
    pub conversion_factor: Option<String>,
}

/// A global parameter (SBML §4.7).
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Identifier.
    pub id: String,
    /// Optional display name.
    pub name: Option<String>,
    /// Initial value; `None` when an initial assignment or rule sets it.
    pub value: Option<f64>,
    /// Whether the value is constant.
    pub constant: bool,
}

/// A participant in a reaction (SBML §4.11.3).
#[derive(Debug, Clone, PartialEq)]
pub struct SpeciesReference {
    /// The species.
    pub species: String,
    /// The identifier of this reference, which math may use as its stoichiometry.
    pub id: Option<String>,
    /// The stoichiometry; `None` when an initial assignment or rule sets it.
    pub stoichiometry: Option<f64>,
    /// Whether the stoichiometry is constant.
    pub constant: bool,
}

/// A reaction (SBML §4.11).
#[derive(Debug, Clone, PartialEq)]
pub struct Reaction {
    /// Identifier; math may use it for the reaction's rate.
    pub id: String,
    /// Optional display name.
    pub name: Option<String>,
    /// Whether the reaction is declared reversible (informational for ODEs).
    pub reversible: bool,
    /// Consumed species.
    pub reactants: Vec<SpeciesReference>,
    /// Produced species.
    pub products: Vec<SpeciesReference>,
    /// Species that affect the rate without being changed.
    pub modifiers: Vec<String>,
    /// The kinetic law, in extent per time; `None` means the reaction does not happen.
    pub rate: Option<Expr>,
}

/// An initial assignment (SBML §4.8).
#[derive(Debug, Clone, PartialEq)]
pub struct InitialAssignment {
    /// The symbol assigned.
    pub symbol: String,
    /// Its value at the start.
    pub math: Expr,
}

/// A rule (SBML §4.9). Algebraic rules are not represented: importers reject them.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// `variable = math` at all times.
    Assignment {
        /// The symbol assigned.
        variable: String,
        /// Its value.
        math: Expr,
    },
    /// `d variable / dt = math`.
    Rate {
        /// The symbol whose derivative is given.
        variable: String,
        /// The derivative.
        math: Expr,
    },
}

impl Rule {
    /// The symbol the rule determines.
    pub fn variable(&self) -> &str {
        match self {
            Rule::Assignment { variable, .. } | Rule::Rate { variable, .. } => variable,
        }
    }

    /// The rule's math.
    pub fn math(&self) -> &Expr {
        match self {
            Rule::Assignment { math, .. } | Rule::Rate { math, .. } => math,
        }
    }
}

/// One assignment of an event (SBML §4.12.5).
#[derive(Debug, Clone, PartialEq)]
pub struct EventAssignment {
    /// The symbol assigned.
    pub variable: String,
    /// Its new value.
    pub math: Expr,
}

/// A discrete event (SBML §4.12).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Identifier, if any.
    pub id: Option<String>,
    /// Condition; the event fires when it goes from false to true.
    pub trigger: Expr,
    /// The trigger's value just before t0: if false and the trigger holds at t0, it fires at t0.
    pub initial_value: bool,
    /// If false, the event is cancelled when its trigger turns false before it executes.
    pub persistent: bool,
    /// Time between trigger and execution; `None` for no delay.
    pub delay: Option<Expr>,
    /// Execution order among simultaneous events (higher first); `None` for unordered.
    pub priority: Option<Expr>,
    /// If true, assignments are evaluated when triggered; else when executed.
    pub use_values_from_trigger_time: bool,
    /// What changes.
    pub assignments: Vec<EventAssignment>,
}
