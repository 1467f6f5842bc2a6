//! The document, the model and its plain elements: compartments, species,
//! parameters, initial assignments and rules (SBML L3V2 §4.2–§4.9).

use senmet_engine::{
    Compartment, InitialAssignment, InitialQuantity, Network, Parameter, Rule, Species,
};

use super::mathml::{child_math, Scope};
use super::{event, reaction, Ctx};
use crate::error::Result;
use crate::xml::Element;

/// Namespace prefix of SBML Level 3 core and packages.
const L3_NS: &str = "http://www.sbml.org/sbml/level3/";

/// Reads the `<sbml>` root element.
pub(super) fn document<'a>(cx: &mut Ctx<'a>, root: &'a Element) -> Result<Network> {
    if root.name != "sbml" {
        return Err(cx.unexpected(root, "<sbml>", &format!("<{}>", root.name)));
    }
    let level = cx.req(root, "level")?.trim();
    let version = cx.req(root, "version")?.trim();
    match (level, version) {
        ("3", "1" | "2") => cx.level = 3,
        ("2", "4" | "5") => cx.level = 2,
        _ => {
            return Err(cx.unsupported(
                root,
                format!("SBML level {level} version {version}"),
                "only L2V4, L2V5, L3V1 and L3V2 are read",
            ))
        }
    }
    check_packages(cx, root)?;
    let model = root
        .child("model")
        .ok_or_else(|| cx.missing_child(root, "model"))?;
    self::model(cx, model)
}

/// Rejects any SBML Level 3 package, required or not: all change or extend meaning.
fn check_packages(cx: &Ctx<'_>, root: &Element) -> Result<()> {
    for (key, value) in &root.attrs {
        let Some(prefix) = key.strip_prefix("xmlns:") else {
            continue;
        };
        if value.starts_with(L3_NS) && !value.ends_with("/core") {
            let required = root.attr(&format!("{prefix}:required")).unwrap_or("false");
            let reason = format!("SBML Level 3 packages are not read (required=\"{required}\")");
            return Err(cx.unsupported(root, format!("package {prefix}"), &reason));
        }
    }
    Ok(())
}

fn model<'a>(cx: &mut Ctx<'a>, m: &'a Element) -> Result<Network> {
    let mut net = Network {
        id: cx.opt(m, "id"),
        name: cx.opt(m, "name"),
        conversion_factor: cx.opt(m, "conversionFactor"),
        ..Network::default()
    };
    if let Some(cf) = &net.conversion_factor {
        cx.use_id(cf, m.pos, "model conversionFactor");
    }
    for f in list(m, "listOfFunctionDefinitions", "functionDefinition") {
        let id = cx.id(f, "id")?;
        cx.funcs.insert(id, f);
    }
    for c in list(m, "listOfCompartments", "compartment") {
        net.compartments.push(compartment(cx, c)?);
    }
    for s in list(m, "listOfSpecies", "species") {
        net.species.push(species(cx, s)?);
    }
    for p in list(m, "listOfParameters", "parameter") {
        net.parameters.push(parameter(cx, p)?);
    }
    reaction::reactions(cx, m, &mut net)?;
    for ia in list(m, "listOfInitialAssignments", "initialAssignment") {
        net.initial_assignments.extend(initial_assignment(cx, ia)?);
    }
    for r in m
        .child("listOfRules")
        .into_iter()
        .flat_map(Element::elements)
    {
        net.rules.extend(rule(cx, r)?);
    }
    for e in list(m, "listOfEvents", "event") {
        net.events.push(event::event(cx, e)?);
    }
    cx.check_uses()?;
    Ok(net)
}

/// The `item` children of the `list` child of `parent`.
pub(super) fn list<'e>(
    parent: &'e Element,
    list: &str,
    item: &'e str,
) -> impl Iterator<Item = &'e Element> {
    parent
        .child(list)
        .into_iter()
        .flat_map(Element::elements)
        .filter(move |e| e.name == item)
}

fn compartment(cx: &mut Ctx<'_>, c: &Element) -> Result<Compartment> {
    let default_dims = (cx.level < 3).then_some(3.0);
    Ok(Compartment {
        id: cx.id(c, "id")?,
        name: cx.opt(c, "name"),
        size: cx.num(c, "size")?,
        spatial_dimensions: cx.num(c, "spatialDimensions")?.or(default_dims),
        constant: cx.flag(c, "constant", true)?,
    })
}

fn species(cx: &mut Ctx<'_>, s: &Element) -> Result<Species> {
    let id = cx.id(s, "id")?;
    let compartment = cx.req(s, "compartment")?.trim().to_string();
    cx.use_id(&compartment, s.pos, "species compartment");
    let initial = match (
        cx.num(s, "initialAmount")?,
        cx.num(s, "initialConcentration")?,
    ) {
        (Some(a), None) => InitialQuantity::Amount(a),
        (None, Some(c)) => InitialQuantity::Concentration(c),
        (None, None) => InitialQuantity::Unset,
        (Some(_), Some(_)) => {
            return Err(cx.unexpected(
                s,
                "at most one of initialAmount and initialConcentration",
                "both",
            ))
        }
    };
    let conversion_factor = cx.opt(s, "conversionFactor");
    if let Some(cf) = &conversion_factor {
        cx.use_id(cf, s.pos, "species conversionFactor");
    }
    Ok(Species {
        id,
        name: cx.opt(s, "name"),
        compartment,
        initial,
        has_only_substance_units: cx.flag(s, "hasOnlySubstanceUnits", false)?,
        boundary_condition: cx.flag(s, "boundaryCondition", false)?,
        constant: cx.flag(s, "constant", false)?,
        conversion_factor,
    })
}

fn parameter(cx: &mut Ctx<'_>, p: &Element) -> Result<Parameter> {
    Ok(Parameter {
        id: cx.id(p, "id")?,
        name: cx.opt(p, "name"),
        value: cx.num(p, "value")?,
        constant: cx.flag(p, "constant", true)?,
    })
}

/// An initial assignment; `None` when it has no math (L3V2: no effect).
fn initial_assignment<'a>(cx: &mut Ctx<'a>, e: &'a Element) -> Result<Option<InitialAssignment>> {
    let symbol = cx.req(e, "symbol")?.trim().to_string();
    cx.use_id(&symbol, e.pos, "initialAssignment symbol");
    let math = child_math(cx, e, Scope::MODEL)?;
    Ok(math.map(|math| InitialAssignment { symbol, math }))
}

/// A rule; `None` when it has no math (L3V2: no effect).
fn rule<'a>(cx: &mut Ctx<'a>, r: &'a Element) -> Result<Option<Rule>> {
    let kind = r.name.as_str();
    if kind == "algebraicRule" {
        let reason = "algebraic rules need a DAE solver";
        return Err(cx.unsupported(r, "algebraicRule".into(), reason));
    }
    if kind != "assignmentRule" && kind != "rateRule" {
        return Err(cx.unsupported(r, format!("rule <{kind}>"), "not an SBML L2/L3 rule"));
    }
    let variable = cx.req(r, "variable")?.trim().to_string();
    cx.use_id(&variable, r.pos, "rule variable");
    let Some(math) = child_math(cx, r, Scope::MODEL)? else {
        return Ok(None);
    };
    Ok(Some(if kind == "rateRule" {
        Rule::Rate { variable, math }
    } else {
        Rule::Assignment { variable, math }
    }))
}
