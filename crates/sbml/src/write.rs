//! Writing a [`Network`] as SBML Level 3 Version 2 core.
//!
//! Every attribute SBML L3V2 requires is written; optional ones only when the
//! network has a value. Function definitions were inlined when reading, so
//! none are written.

mod mathml;

use std::io::Write;

use senmet_engine::{
    Compartment, Event, InitialQuantity, Network, Parameter, Reaction, Rule, Species,
    SpeciesReference,
};

use crate::error::{Error, Result};
use mathml::{escape, math, number};

/// The SBML L3V2 core namespace.
const CORE_NS: &str = "http://www.sbml.org/sbml/level3/version2/core";

/// Writes `net` as SBML L3V2 to `out`.
///
/// # Errors
///
/// [`Error::Write`] if `out` fails.
///
/// # Examples
///
/// ```
/// let net = senmet_sbml::Network::default();
/// let mut buf = Vec::new();
/// senmet_sbml::write(&net, &mut buf)?;
/// assert!(buf.starts_with(b"<?xml"));
/// # Ok::<(), senmet_sbml::Error>(())
/// ```
pub fn write(net: &Network, mut out: impl Write) -> Result<()> {
    out.write_all(to_string(net).as_bytes())
        .and_then(|()| out.flush())
        .map_err(|source| Error::Write { source })
}

/// The SBML L3V2 text of `net`.
///
/// # Examples
///
/// ```
/// let net = senmet_sbml::Network::default();
/// assert!(senmet_sbml::to_string(&net).contains("level=\"3\" version=\"2\""));
/// ```
pub fn to_string(net: &Network) -> String {
    let mut w = Out::default();
    w.line(0, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    w.line(
        0,
        &format!("<sbml xmlns=\"{CORE_NS}\" level=\"3\" version=\"2\">"),
    );
    let mut head = String::from("<model");
    attr(&mut head, "id", net.id.as_deref());
    attr(&mut head, "name", net.name.as_deref());
    attr(
        &mut head,
        "conversionFactor",
        net.conversion_factor.as_deref(),
    );
    w.line(1, &format!("{head}>"));
    w.list("listOfCompartments", &net.compartments, compartment);
    w.list("listOfSpecies", &net.species, species);
    w.list("listOfParameters", &net.parameters, parameter);
    w.list(
        "listOfInitialAssignments",
        &net.initial_assignments,
        |w, ia| {
            let head = format!("<initialAssignment symbol=\"{}\">", escape(&ia.symbol));
            w.with_math(3, &head, "</initialAssignment>", &ia.math);
        },
    );
    w.list("listOfRules", &net.rules, rule);
    w.list("listOfReactions", &net.reactions, reaction);
    w.list("listOfEvents", &net.events, event);
    w.line(1, "</model>");
    w.line(0, "</sbml>");
    w.0
}

/// The document being built.
#[derive(Default)]
struct Out(String);

impl Out {
    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.0.push_str("  ");
        }
        self.0.push_str(text);
        self.0.push('\n');
    }

    /// A `listOf…` element at depth 2, omitted when empty.
    fn list<T>(&mut self, name: &str, items: &[T], mut item: impl FnMut(&mut Self, &T)) {
        if items.is_empty() {
            return;
        }
        self.line(2, &format!("<{name}>"));
        items.iter().for_each(|i| item(self, i));
        self.line(2, &format!("</{name}>"));
    }

    /// `open`, a `<math>` with `e`, `close`.
    fn with_math(&mut self, depth: usize, open: &str, close: &str, e: &senmet_engine::Expr) {
        self.with_math_kind(depth, open, close, e, false);
    }

    fn with_math_kind(
        &mut self,
        depth: usize,
        open: &str,
        close: &str,
        e: &senmet_engine::Expr,
        boolean: bool,
    ) {
        self.line(depth, open);
        math(&mut self.0, e, depth + 1, boolean);
        self.line(depth, close);
    }
}

/// Appends ` name="value"` when there is a value.
fn attr(s: &mut String, name: &str, value: Option<&str>) {
    if let Some(v) = value {
        s.push_str(&format!(" {name}=\"{}\"", escape(v)));
    }
}

fn num_attr(s: &mut String, name: &str, value: Option<f64>) {
    attr(s, name, value.map(number).as_deref());
}

fn bool_attr(s: &mut String, name: &str, value: bool) {
    attr(s, name, Some(if value { "true" } else { "false" }));
}

fn compartment(w: &mut Out, c: &Compartment) {
    let mut s = String::from("<compartment");
    attr(&mut s, "id", Some(&c.id));
    attr(&mut s, "name", c.name.as_deref());
    num_attr(&mut s, "spatialDimensions", c.spatial_dimensions);
    num_attr(&mut s, "size", c.size);
    bool_attr(&mut s, "constant", c.constant);
    w.line(3, &format!("{s}/>"));
}

fn species(w: &mut Out, sp: &Species) {
    let mut s = String::from("<species");
    attr(&mut s, "id", Some(&sp.id));
    attr(&mut s, "name", sp.name.as_deref());
    attr(&mut s, "compartment", Some(&sp.compartment));
    match sp.initial {
        InitialQuantity::Amount(a) => num_attr(&mut s, "initialAmount", Some(a)),
        InitialQuantity::Concentration(c) => num_attr(&mut s, "initialConcentration", Some(c)),
        InitialQuantity::Unset => {}
    }
    bool_attr(&mut s, "hasOnlySubstanceUnits", sp.has_only_substance_units);
    bool_attr(&mut s, "boundaryCondition", sp.boundary_condition);
    bool_attr(&mut s, "constant", sp.constant);
    attr(&mut s, "conversionFactor", sp.conversion_factor.as_deref());
    w.line(3, &format!("{s}/>"));
}

fn parameter(w: &mut Out, p: &Parameter) {
    let mut s = String::from("<parameter");
    attr(&mut s, "id", Some(&p.id));
    attr(&mut s, "name", p.name.as_deref());
    num_attr(&mut s, "value", p.value);
    bool_attr(&mut s, "constant", p.constant);
    w.line(3, &format!("{s}/>"));
}

fn rule(w: &mut Out, r: &Rule) {
    let tag = match r {
        Rule::Assignment { .. } => "assignmentRule",
        Rule::Rate { .. } => "rateRule",
    };
    let head = format!("<{tag} variable=\"{}\">", escape(r.variable()));
    w.with_math(3, &head, &format!("</{tag}>"), r.math());
}

fn reaction(w: &mut Out, r: &Reaction) {
    let mut s = String::from("<reaction");
    attr(&mut s, "id", Some(&r.id));
    attr(&mut s, "name", r.name.as_deref());
    bool_attr(&mut s, "reversible", r.reversible);
    w.line(3, &format!("{s}>"));
    for (list, refs) in [
        ("listOfReactants", &r.reactants),
        ("listOfProducts", &r.products),
    ] {
        if refs.is_empty() {
            continue;
        }
        w.line(4, &format!("<{list}>"));
        refs.iter().for_each(|sr| species_ref(w, sr));
        w.line(4, &format!("</{list}>"));
    }
    if !r.modifiers.is_empty() {
        w.line(4, "<listOfModifiers>");
        for m in &r.modifiers {
            w.line(
                5,
                &format!("<modifierSpeciesReference species=\"{}\"/>", escape(m)),
            );
        }
        w.line(4, "</listOfModifiers>");
    }
    if let Some(rate) = &r.rate {
        w.with_math(4, "<kineticLaw>", "</kineticLaw>", rate);
    }
    w.line(3, "</reaction>");
}

fn species_ref(w: &mut Out, sr: &SpeciesReference) {
    let mut s = String::from("<speciesReference");
    attr(&mut s, "species", Some(&sr.species));
    attr(&mut s, "id", sr.id.as_deref());
    num_attr(&mut s, "stoichiometry", sr.stoichiometry);
    bool_attr(&mut s, "constant", sr.constant);
    w.line(5, &format!("{s}/>"));
}

fn event(w: &mut Out, e: &Event) {
    let mut s = String::from("<event");
    attr(&mut s, "id", e.id.as_deref());
    bool_attr(
        &mut s,
        "useValuesFromTriggerTime",
        e.use_values_from_trigger_time,
    );
    w.line(3, &format!("{s}>"));
    let mut t = String::from("<trigger");
    bool_attr(&mut t, "initialValue", e.initial_value);
    bool_attr(&mut t, "persistent", e.persistent);
    w.with_math_kind(4, &format!("{t}>"), "</trigger>", &e.trigger, true);
    if let Some(p) = &e.priority {
        w.with_math(4, "<priority>", "</priority>", p);
    }
    if let Some(d) = &e.delay {
        w.with_math(4, "<delay>", "</delay>", d);
    }
    if !e.assignments.is_empty() {
        w.line(4, "<listOfEventAssignments>");
        for a in &e.assignments {
            let head = format!("<eventAssignment variable=\"{}\">", escape(&a.variable));
            w.with_math(5, &head, "</eventAssignment>", &a.math);
        }
        w.line(4, "</listOfEventAssignments>");
    }
    w.line(3, "</event>");
}
