//! The document, the model and its plain elements: compartments, species,
//! parameters, initial assignments and rules (SBML L3V2 §4.2–§4.9).

use senmet_engine::{
    Compartment, Expr, InitialAssignment, InitialQuantity, Network, Parameter, Rule, Species,
};

use super::ids::{Kind, Need};
use super::mathml::{child_math, Scope};
use super::{algebraic, event, reaction, Ctx};
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
    (cx.level, cx.version) = match (level, version) {
        ("3", "1") => (3, 1),
        ("3", "2") => (3, 2),
        ("2", "4") => (2, 4),
        ("2", "5") => (2, 5),
        _ => {
            return Err(cx.unsupported(
                root,
                format!("SBML level {level} version {version}"),
                "only L2V4, L2V5, L3V1 and L3V2 are read",
            ))
        }
    };
    check_packages(cx, root)?;
    let model = root
        .child("model")
        .ok_or_else(|| cx.missing_child(root, "model"))?;
    self::model(cx, model)
}

/// Rejects any SBML Level 3 package, required or not: all change or extend
/// meaning. Namespaces may be declared on any element, not only `<sbml>`.
fn check_packages(cx: &Ctx<'_>, root: &Element) -> Result<()> {
    match find_package(root, None) {
        Some((e, prefix)) => {
            let required = root.attr(&format!("{prefix}:required")).unwrap_or("false");
            let reason = format!("SBML Level 3 packages are not read (required=\"{required}\")");
            let name = if prefix.is_empty() {
                "namespace"
            } else {
                prefix
            };
            Err(cx.unsupported(e, format!("package {name}"), &reason))
        }
        None => Ok(()),
    }
}

/// The first element declaring an SBML L3 package namespace other than
/// `except`, and its prefix.
pub(super) fn find_package<'e>(
    e: &'e Element,
    except: Option<&str>,
) -> Option<(&'e Element, &'e str)> {
    for (key, value) in &e.attrs {
        let prefix = match key.strip_prefix("xmlns") {
            Some("") => "",
            Some(p) => match p.strip_prefix(':') {
                Some(p) => p,
                None => continue,
            },
            None => continue,
        };
        let excepted = except.is_some_and(|x| value.trim() == x);
        if value.starts_with(L3_NS) && !value.ends_with("/core") && !excepted {
            return Some((e, prefix));
        }
    }
    e.elements().find_map(|c| find_package(c, except))
}

fn model<'a>(cx: &mut Ctx<'a>, m: &'a Element) -> Result<Network> {
    let mut net = Network {
        id: cx.opt(m, "id"),
        name: cx.name(m),
        conversion_factor: cx.opt(m, "conversionFactor"),
        ..Network::default()
    };
    if let Some(cf) = &net.conversion_factor {
        cx.use_id(cf, m.pos, Need::Parameter("model conversionFactor"));
    }
    for f in list(m, "listOfFunctionDefinitions", "functionDefinition") {
        let id = cx.id(f, "id", Kind::Function)?;
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
    let algebraic = rules(cx, m, &mut net)?;
    for e in list(m, "listOfEvents", "event") {
        net.events.extend(event::event(cx, e)?);
    }
    cx.check_uses()?;
    let (elements, maths): (Vec<&Element>, Vec<Expr>) = algebraic.into_iter().unzip();
    match algebraic::solve(&net, &maths) {
        Ok(solved) => net.rules.extend(solved),
        Err(u) => {
            let reason = format!("{}, so it needs a DAE solver", u.reason);
            return Err(cx.unsupported(elements[u.index], "algebraicRule".into(), &reason));
        }
    }
    Ok(net)
}

/// Reads the rules into `net`; returns the algebraic ones, which are solved
/// once everything else is known.
fn rules<'a>(
    cx: &mut Ctx<'a>,
    m: &'a Element,
    net: &mut Network,
) -> Result<Vec<(&'a Element, Expr)>> {
    let mut algebraic = Vec::new();
    for r in m
        .child("listOfRules")
        .into_iter()
        .flat_map(Element::elements)
    {
        if r.name == "algebraicRule" {
            // L3V2: a rule without math has no effect.
            if let Some(math) = child_math(cx, r, Scope::MODEL)? {
                algebraic.push((r, math));
            }
            continue;
        }
        net.rules.extend(rule(cx, r)?);
    }
    Ok(algebraic)
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
        id: cx.id(c, "id", Kind::Compartment)?,
        name: cx.name(c),
        size: cx.num(c, "size")?,
        spatial_dimensions: cx.num(c, "spatialDimensions")?.or(default_dims),
        constant: cx.flag(c, "constant", true)?,
    })
}

fn species(cx: &mut Ctx<'_>, s: &Element) -> Result<Species> {
    let id = cx.id(s, "id", Kind::Species)?;
    let compartment = cx.req(s, "compartment")?.trim().to_string();
    cx.use_id(
        &compartment,
        s.pos,
        Need::Compartment("species compartment"),
    );
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
        cx.use_id(cf, s.pos, Need::Parameter("species conversionFactor"));
    }
    Ok(Species {
        id,
        name: cx.name(s),
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
        id: cx.id(p, "id", Kind::Parameter)?,
        name: cx.name(p),
        value: cx.num(p, "value")?,
        constant: cx.flag(p, "constant", true)?,
    })
}

/// An initial assignment; `None` when it has no math (L3V2: no effect).
fn initial_assignment<'a>(cx: &mut Ctx<'a>, e: &'a Element) -> Result<Option<InitialAssignment>> {
    let symbol = cx.req(e, "symbol")?.trim().to_string();
    cx.use_id(&symbol, e.pos, Need::Target("initialAssignment symbol"));
    let math = child_math(cx, e, Scope::MODEL)?;
    Ok(math.map(|math| InitialAssignment { symbol, math }))
}

/// A rule; `None` when it has no math (L3V2: no effect).
fn rule<'a>(cx: &mut Ctx<'a>, r: &'a Element) -> Result<Option<Rule>> {
    let kind = r.name.as_str();
    if kind != "assignmentRule" && kind != "rateRule" {
        return Err(cx.unsupported(r, format!("rule <{kind}>"), "not an SBML L2/L3 rule"));
    }
    let variable = cx.req(r, "variable")?.trim().to_string();
    cx.use_id(&variable, r.pos, Need::Target("rule variable"));
    let Some(math) = child_math(cx, r, Scope::MODEL)? else {
        return Ok(None);
    };
    Ok(Some(if kind == "rateRule" {
        Rule::Rate { variable, math }
    } else {
        Rule::Assignment { variable, math }
    }))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use senmet_engine::{Expr, InitialQuantity, Rule};

    use crate::error::{Error, Result};

    const L3: &str =
        r#"<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">"#;
    const L2: &str =
        r#"<sbml xmlns="http://www.sbml.org/sbml/level2/version4" level="2" version="4">"#;

    fn read(head: &str, model: &str) -> Result<senmet_engine::Network> {
        crate::read_str(
            &format!("{head}\n<model>\n{model}\n</model>\n</sbml>"),
            Path::new("m.xml"),
        )
    }

    #[test]
    fn level2_defaults() -> Result<()> {
        let net = read(
            L2,
            r#"<listOfCompartments><compartment id="c"/></listOfCompartments>
<listOfSpecies><species id="s" compartment="c" initialConcentration="2"/></listOfSpecies>
<listOfParameters><parameter id="k"/></listOfParameters>
<listOfReactions><reaction id="r"><listOfReactants><speciesReference species="s"/></listOfReactants>
<kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><ci>k</ci></math>
<listOfParameters><parameter id="k" value="3"/></listOfParameters></kineticLaw></reaction></listOfReactions>"#,
        )?;
        let c = &net.compartments[0];
        assert_eq!(
            (c.constant, c.spatial_dimensions, c.size),
            (true, Some(3.0), None)
        );
        let s = &net.species[0];
        assert_eq!(s.initial, InitialQuantity::Concentration(2.0));
        assert!(!s.has_only_substance_units && !s.boundary_condition && !s.constant);
        assert!(net.parameters[0].constant);
        let r = &net.reactions[0];
        assert!(r.reversible);
        assert_eq!(r.reactants[0].stoichiometry, Some(1.0));
        // The local k shadows the global k.
        assert_eq!(r.rate, Some(Expr::Num(3.0)));
        Ok(())
    }

    #[test]
    fn stoichiometry_math_becomes_a_rule_on_a_fresh_id() -> Result<()> {
        let model = r#"<listOfCompartments><compartment id="c" size="1"/></listOfCompartments>
<listOfSpecies><species id="s" compartment="c" initialAmount="1"/></listOfSpecies>
<listOfParameters><parameter id="r_reactant1_stoichiometry" value="1"/></listOfParameters>
<listOfReactions><reaction id="r"><listOfReactants><speciesReference species="s">
<stoichiometryMath><math xmlns="http://www.w3.org/1998/Math/MathML"><cn>2</cn></math></stoichiometryMath>
</speciesReference></listOfReactants></reaction></listOfReactions>"#;
        let head =
            r#"<sbml xmlns="http://www.sbml.org/sbml/level2/version5" level="2" version="5">"#;
        let net = read(head, model)?;
        let sr = &net.reactions[0].reactants[0];
        // The obvious name is taken by a parameter, so a suffix is added.
        assert_eq!(sr.id.as_deref(), Some("r_reactant1_stoichiometry_2"));
        assert_eq!((sr.stoichiometry, sr.constant), (None, false));
        let rule = Rule::Assignment {
            variable: "r_reactant1_stoichiometry_2".into(),
            math: Expr::Num(2.0),
        };
        assert_eq!(net.rules, [rule]);
        let again = crate::read_str(&crate::to_string(&net), Path::new("again.xml"))?;
        assert_eq!(again, net);
        Ok(())
    }

    #[test]
    fn unknown_id_is_named_with_its_location() {
        let model = "<listOfParameters><parameter id=\"k\" constant=\"true\"/></listOfParameters>\n<listOfRules>\n  <assignmentRule variable=\"k\"><math xmlns=\"http://www.w3.org/1998/Math/MathML\"><ci> ghost </ci></math></assignmentRule>\n</listOfRules>";
        let err = read(L3, model).unwrap_err();
        assert!(
            matches!(&err, Error::UnknownId { id, .. } if id == "ghost"),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "m.xml:5:81: unknown id 'ghost' in math");
    }

    #[test]
    fn invalid_models_are_errors_with_locations() {
        let dup = r#"<listOfParameters><parameter id="k" constant="true"/><parameter id="k" constant="true"/></listOfParameters>"#;
        let err = read(L3, dup).unwrap_err();
        assert_eq!(
            err.to_string(),
            "m.xml:3:54: id 'k' is already declared at m.xml:3:19"
        );
        let missing = r#"<listOfCompartments><compartment id="c"/></listOfCompartments>"#;
        let err = read(L3, missing).unwrap_err();
        assert_eq!(
            err.to_string(),
            "m.xml:3:21: <compartment> lacks required attribute 'constant'"
        );
        let bad = r#"<listOfParameters><parameter id="k" value="1,5" constant="true"/></listOfParameters>"#;
        let err = read(L3, bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            "m.xml:3:19: expected a number in 'value', found '1,5'"
        );
        let kind = r#"<listOfParameters><parameter id="k" value="1" constant="true"/></listOfParameters>
<listOfSpecies><species id="s" compartment="k" hasOnlySubstanceUnits="false" boundaryCondition="false" constant="false"/></listOfSpecies>"#;
        let err = read(L3, kind).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("m.xml:4:16: expected a compartment id"),
            "{err}"
        );
        assert!(matches!(
            crate::read_str("<sbml", Path::new("m.xml")),
            Err(Error::Xml { .. })
        ));
        assert!(matches!(
            crate::read_str("<model/>", Path::new("m.xml")),
            Err(Error::Unexpected { .. })
        ));
    }

    #[test]
    fn unsupported_constructs_are_typed() {
        let math = r#"<math xmlns="http://www.w3.org/1998/Math/MathML"><cn>0</cn></math>"#;
        let alg = format!("<listOfRules><algebraicRule>{math}</algebraicRule></listOfRules>");
        let fast = r#"<listOfReactions><reaction id="r" reversible="false" fast="true"/></listOfReactions>"#;
        for model in [alg.as_str(), fast] {
            let err = read(L3, model).unwrap_err();
            assert!(err.is_unsupported(), "{err}");
        }
        // An event without a trigger is L3V2; before, it is refused.
        let evt = r#"<listOfEvents><event useValuesFromTriggerTime="true"/></listOfEvents>"#;
        let l3v1 =
            r#"<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1">"#;
        assert!(read(l3v1, evt).unwrap_err().is_unsupported());
        let never = read(L3, evt).map(|n| n.events.len());
        assert!(matches!(never, Ok(0)), "{never:?}");
        // comp is flattened, but not alongside another package.
        let comp = r#"<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" xmlns:comp="http://www.sbml.org/sbml/level3/version1/comp/version1" xmlns:fbc="http://www.sbml.org/sbml/level3/version1/fbc/version2" level="3" version="1" comp:required="true">"#;
        let err = read(comp, "").unwrap_err();
        assert!(
            matches!(&err, Error::Unsupported { construct, .. } if construct == "package comp" || construct == "package fbc"),
            "{err}"
        );
        let nested = r#"<listOfParameters xmlns:fbc="http://www.sbml.org/sbml/level3/version1/fbc/version2"/>"#;
        let err = read(L3, nested).unwrap_err();
        assert!(
            matches!(&err, Error::Unsupported { construct, .. } if construct == "package fbc"),
            "{err}"
        );
        let l1 = r#"<sbml xmlns="http://www.sbml.org/sbml/level1" level="1" version="2">"#;
        assert!(read(l1, "").unwrap_err().is_unsupported());
    }
}
