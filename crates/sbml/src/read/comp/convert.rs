//! Conversion factors (comp v1, §3.5.2 on `Submodel` and §3.6.2 on
//! `ReplacedElement`), applied to the math of a submodel instance after it is
//! prefixed and before it joins its parent.
//!
//! A submodel's `timeConversionFactor` says how many parent time units one
//! submodel time unit is, and its `extentConversionFactor` the same for
//! reaction extent. In the submodel's math, `time` becomes `time / t`, delay
//! durations and event delays `d * t`, rate rules `r / t`, kinetic laws
//! `v * x / t` and a reaction's id, used as a value, `J * t / x`. A
//! `replacedElement` `conversionFactor` `c` says the replacement's value is
//! `c` times the replaced one's: the submodel's uses of the replaced element
//! become `y / c`, and its rules and assignments to it `c * f`. This is also
//! what the SBML Test Suite's flattened models (cases 01137-01183, 01467-01778)
//! spell out. What has no unambiguous conversion is refused: `rateOf`,
//! species conversion factors next to an extent factor, and names a kinetic
//! law's local parameter would capture.

use std::collections::{HashMap, HashSet};

use super::rename::{self, elements_mut};
use crate::xml::{Element, Node};

/// Prefix of SBML csymbol definition URLs.
const SYMBOLS: &str = "http://www.sbml.org/sbml/symbols/";

/// Why a conversion cannot be made exactly.
pub(super) type Refusal = String;

/// A factor `num[0] * num[1] * … / (den[0] * …)`, by parameter ids.
#[derive(Debug, Clone, Default)]
struct Scale {
    num: Vec<String>,
    den: Vec<String>,
}

/// A submodel's time and extent conversion factors (parameter ids in the
/// parent).
#[derive(Debug, Default)]
pub(super) struct Factors {
    /// `timeConversionFactor`.
    pub time: Option<String>,
    /// `extentConversionFactor`.
    pub extent: Option<String>,
}

/// Applies time and extent factors to a prefixed submodel instance. The
/// reactions in `replaced` are replaced by the parent's, whose rates the
/// submodel's uses of them already mean (their conversion is the
/// replacement's own factor).
pub(super) fn time_and_extent(
    model: &mut Element,
    f: &Factors,
    replaced: &HashSet<String>,
) -> Result<(), Refusal> {
    if f.time.is_none() && f.extent.is_none() {
        return Ok(());
    }
    let names: Vec<&String> = f.time.iter().chain(&f.extent).collect();
    check_captures(model, &names)?;
    check_rate_of(model, &HashSet::new(), true)?;
    if f.time.is_some() && has_timed_function(model) {
        return Err("a function definition uses time, delay or rateOf".into());
    }
    if f.extent.is_some() && has_species_factor(model) {
        return Err("a species conversionFactor next to an extentConversionFactor".into());
    }
    let t: Vec<String> = f.time.iter().cloned().collect();
    let x: Vec<String> = f.extent.iter().cloned().collect();
    let reaction = Scale {
        num: t.clone(),
        den: x.clone(),
    };
    let refs: HashMap<String, Scale> = reaction_ids(model)
        .into_iter()
        .filter(|id| !replaced.contains(id))
        .map(|id| (id, reaction.clone()))
        .collect();
    let rw = Rewrite {
        time: f.time.as_deref(),
        refs: &refs,
    };
    rw.walk(model, &HashSet::new());
    let law = Scale {
        num: x,
        den: t.clone(),
    };
    let per_time = Scale {
        num: Vec::new(),
        den: t.clone(),
    };
    let times_time = Scale {
        num: t,
        den: Vec::new(),
    };
    each_named(model, "kineticLaw", &mut |k| wrap(k, &law));
    each_named(model, "rateRule", &mut |r| wrap(r, &per_time));
    each_named(model, "event", &mut |e| {
        if let Some(d) = elements_mut(e).find(|d| d.name == "delay") {
            wrap(d, &times_time);
        }
    });
    Ok(())
}

/// Applies `replacedElement` conversion factors: `targets` maps the ids of
/// replaced elements of the instance to their factors. `replaced` holds
/// every element of the instance that some replacement removes.
pub(super) fn replaced(
    model: &mut Element,
    targets: &HashMap<String, String>,
    replaced: &HashSet<String>,
) -> Result<(), Refusal> {
    if targets.is_empty() {
        return Ok(());
    }
    let names: Vec<&String> = targets.values().collect();
    check_captures(model, &names)?;
    let ids: HashSet<String> = targets.keys().cloned().collect();
    check_rate_of(model, &ids, false)?;
    check_attribute_uses(model, targets, replaced)?;
    let refs: HashMap<String, Scale> = targets
        .iter()
        .map(|(id, cf)| {
            let s = Scale {
                num: Vec::new(),
                den: vec![cf.clone()],
            };
            (id.clone(), s)
        })
        .collect();
    let rw = Rewrite {
        time: None,
        refs: &refs,
    };
    rw.walk(model, &HashSet::new());
    scale_assignments(model, targets);
    Ok(())
}

/// Rules, event assignments and initial assignments to a converted element
/// assign `cf` times their value.
fn scale_assignments(model: &mut Element, targets: &HashMap<String, String>) {
    let scale = |e: &mut Element, key: &str| {
        let cf = e.attr(key).and_then(|v| targets.get(v.trim())).cloned();
        if let Some(cf) = cf {
            let s = Scale {
                num: vec![cf],
                den: Vec::new(),
            };
            wrap(e, &s);
        }
    };
    each_named(model, "assignmentRule", &mut |e| scale(e, "variable"));
    each_named(model, "rateRule", &mut |e| scale(e, "variable"));
    each_named(model, "eventAssignment", &mut |e| scale(e, "variable"));
    each_named(model, "initialAssignment", &mut |e| scale(e, "symbol"));
}

/// A species or conversion factor named by attribute cannot carry a factor:
/// refuse a surviving species inside a converted compartment, or a
/// converted species conversion factor.
fn check_attribute_uses(
    model: &Element,
    targets: &HashMap<String, String>,
    replaced: &HashSet<String>,
) -> Result<(), Refusal> {
    for s in descendants(model).filter(|s| s.name == "species") {
        let id = s.attr("id").map(str::trim).unwrap_or_default();
        for key in ["compartment", "conversionFactor"] {
            let Some(v) = s.attr(key).map(str::trim) else {
                continue;
            };
            if targets.contains_key(v) && !replaced.contains(id) {
                return Err(format!(
                    "species '{id}' names '{v}', which has a conversion factor, in its {key}"
                ));
            }
        }
    }
    Ok(())
}

/// Refuses factors whose names a kinetic law's local parameter would shadow.
fn check_captures(model: &Element, names: &[&String]) -> Result<(), Refusal> {
    for law in descendants(model).filter(|e| e.name == "kineticLaw") {
        let locals = rename::locals(law);
        if let Some(n) = names.iter().find(|n| locals.contains(n.as_str())) {
            return Err(format!(
                "a local parameter shadows the conversion factor '{n}'"
            ));
        }
    }
    Ok(())
}

/// Refuses `rateOf` of a converted id, or any `rateOf` when `all`.
fn check_rate_of(model: &Element, ids: &HashSet<String>, all: bool) -> Result<(), Refusal> {
    for e in descendants(model) {
        if e.name != "apply" || e.elements().next().and_then(symbol) != Some("rateOf") {
            continue;
        }
        let arg = e.elements().nth(1).map(|a| a.text());
        if all || arg.is_some_and(|a| ids.contains(a.trim())) {
            return Err("rateOf of a converted quantity".into());
        }
    }
    Ok(())
}

fn has_timed_function(model: &Element) -> bool {
    descendants(model)
        .filter(|f| f.name == "functionDefinition")
        .any(|f| descendants(f).any(|c| matches!(symbol(c), Some("time" | "delay" | "rateOf"))))
}

fn has_species_factor(model: &Element) -> bool {
    descendants(model).any(|s| s.name == "species" && s.attr("conversionFactor").is_some())
}

fn reaction_ids(model: &Element) -> Vec<String> {
    descendants(model)
        .filter(|r| r.name == "reaction")
        .filter_map(|r| r.attr("id"))
        .map(|s| s.trim().to_string())
        .collect()
}

/// The csymbol name (`time`, `delay`, …) of an element, if it is one.
fn symbol(e: &Element) -> Option<&str> {
    if e.name != "csymbol" {
        return None;
    }
    e.attr("definitionURL")?.trim().strip_prefix(SYMBOLS)
}

/// Every element below `e`, depth first.
fn descendants(e: &Element) -> Box<dyn Iterator<Item = &Element> + '_> {
    Box::new(
        e.elements()
            .flat_map(|c| std::iter::once(c).chain(descendants(c))),
    )
}

/// Calls `f` on every element named `name` (not below one).
fn each_named(e: &mut Element, name: &str, f: &mut dyn FnMut(&mut Element)) {
    for c in elements_mut(e) {
        if c.name == name {
            f(c);
        } else {
            each_named(c, name, f);
        }
    }
}

/// Multiplies the expression in the `<math>` child of `e` by `s`.
fn wrap(e: &mut Element, s: &Scale) {
    let Some(math) = elements_mut(e).find(|m| m.name == "math") else {
        return;
    };
    for n in &mut math.children {
        if let Node::Elem(expr) = n {
            let old = std::mem::replace(expr, leaf("cn", "0", expr.pos));
            *expr = scaled(old, s);
            return;
        }
    }
}

/// `expr * num… / (den…)` as MathML.
fn scaled(expr: Element, s: &Scale) -> Element {
    let pos = expr.pos;
    let ci = |id: &String| leaf("ci", id, pos);
    let top = if s.num.is_empty() {
        expr
    } else {
        apply(
            "times",
            std::iter::once(expr).chain(s.num.iter().map(ci)).collect(),
            pos,
        )
    };
    match s.den.as_slice() {
        [] => top,
        [one] => apply("divide", vec![top, ci(one)], pos),
        many => {
            let den = apply("times", many.iter().map(ci).collect(), pos);
            apply("divide", vec![top, den], pos)
        }
    }
}

fn leaf(name: &str, text: &str, pos: usize) -> Element {
    Element {
        name: name.into(),
        attrs: Vec::new(),
        children: vec![Node::Text(text.into())],
        pos,
    }
}

fn apply(op: &str, args: Vec<Element>, pos: usize) -> Element {
    let head = Element {
        name: op.into(),
        attrs: Vec::new(),
        children: Vec::new(),
        pos,
    };
    Element {
        name: "apply".into(),
        attrs: Vec::new(),
        children: std::iter::once(head).chain(args).map(Node::Elem).collect(),
        pos,
    }
}

/// Rewrites uses inside math: `time`, delay durations and the ids in `refs`.
struct Rewrite<'a> {
    time: Option<&'a str>,
    refs: &'a HashMap<String, Scale>,
}

impl Rewrite<'_> {
    fn walk(&self, e: &mut Element, shadow: &HashSet<String>) {
        for n in &mut e.children {
            let Node::Elem(c) = n else { continue };
            match c.name.as_str() {
                // Function bodies see only their arguments; time in them is refused.
                "listOfFunctionDefinitions" => {}
                "kineticLaw" => {
                    let mut inner = rename::locals(c);
                    inner.extend(shadow.iter().cloned());
                    self.walk(c, &inner);
                }
                "csymbol" if symbol(c) == Some("time") && self.time.is_some() => {
                    let t = Scale {
                        num: Vec::new(),
                        den: self.time.iter().map(|t| t.to_string()).collect(),
                    };
                    let old = std::mem::replace(c, leaf("cn", "0", c.pos));
                    *c = scaled(old, &t);
                }
                "ci" => {
                    let id = c.text();
                    let id = id.trim();
                    if let Some(s) = self.refs.get(id).filter(|_| !shadow.contains(id)) {
                        let old = std::mem::replace(c, leaf("cn", "0", c.pos));
                        *c = scaled(old, s);
                    }
                }
                _ => {
                    self.walk(c, shadow);
                    self.delay_duration(c);
                }
            }
        }
    }

    /// `delay(x, d)` in submodel time is `delay(x, d * t)` in the parent's.
    fn delay_duration(&self, e: &mut Element) {
        let Some(t) = self.time else { return };
        if e.name != "apply" || e.elements().next().and_then(symbol) != Some("delay") {
            return;
        }
        let s = Scale {
            num: vec![t.to_string()],
            den: Vec::new(),
        };
        if let Some(d) = elements_mut(e).nth(2) {
            let old = std::mem::replace(d, leaf("cn", "0", d.pos));
            *d = scaled(old, &s);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::xml::{parse, Locator};

    const TIME: &str =
        r#"<csymbol definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol>"#;

    fn model(body: &str) -> crate::error::Result<Element> {
        let text = format!("<model>{body}</model>");
        parse(&text, &Locator::new(Path::new("t.xml"), &text))
    }

    /// The math under every element named `name`, as s-expressions.
    fn maths(m: &Element, name: &str) -> Vec<String> {
        descendants(m)
            .filter(|e| e.name == name)
            .filter_map(|e| e.child("math").and_then(|m| m.elements().next()))
            .map(show)
            .collect()
    }

    fn show(e: &Element) -> String {
        match e.name.as_str() {
            "apply" => {
                let parts: Vec<String> = e
                    .elements()
                    .enumerate()
                    .map(|(i, c)| if i == 0 { op(c) } else { show(c) })
                    .collect();
                format!("({})", parts.join(" "))
            }
            "csymbol" => symbol(e).unwrap_or("?").to_string(),
            _ => e.text().trim().to_string(),
        }
    }

    fn op(e: &Element) -> String {
        symbol(e).map_or_else(|| e.name.clone(), str::to_string)
    }

    fn math(inner: &str) -> String {
        format!("<math>{inner}</math>")
    }

    #[test]
    fn time_and_extent_factors_scale_rates_times_and_reaction_uses() -> crate::error::Result<()> {
        let delay = r#"<apply><csymbol definitionURL="http://www.sbml.org/sbml/symbols/delay"/><ci>y</ci><cn>3</cn></apply>"#;
        let mut m = model(&format!(
            r#"<listOfReactions><reaction id="J"><kineticLaw>{}</kineticLaw></reaction>
<reaction id="R"><kineticLaw>{}<listOfLocalParameters><localParameter id="J"/></listOfLocalParameters></kineticLaw></reaction></listOfReactions>
<listOfRules><rateRule variable="y">{}</rateRule><assignmentRule variable="z">{}</assignmentRule>
<assignmentRule variable="w">{}</assignmentRule><assignmentRule variable="v">{}</assignmentRule></listOfRules>
<listOfEvents><event><trigger>{}</trigger><delay>{}</delay></event></listOfEvents>"#,
            math("<ci>y</ci>"),
            math("<ci>J</ci>"),
            math(TIME),
            math("<ci>J</ci>"),
            math("<ci>R</ci>"),
            math(delay),
            math(TIME),
            math("<cn>2</cn>"),
        ))?;
        let f = Factors {
            time: Some("t".into()),
            extent: Some("x".into()),
        };
        let replaced = HashSet::from(["R".to_string()]);
        assert_eq!(time_and_extent(&mut m, &f, &replaced), Ok(()));
        // R is replaced: its uses already mean the replacement's rate. J in
        // R's law is the local parameter.
        assert_eq!(
            maths(&m, "kineticLaw"),
            ["(divide (times y x) t)", "(divide (times J x) t)"]
        );
        assert_eq!(maths(&m, "rateRule"), ["(divide (divide time t) t)"]);
        assert_eq!(
            maths(&m, "assignmentRule"),
            ["(divide (times J t) x)", "R", "(delay y (times 3 t))"]
        );
        assert_eq!(maths(&m, "trigger"), ["(divide time t)"]);
        assert_eq!(maths(&m, "delay"), ["(times 2 t)"]);
        Ok(())
    }

    #[test]
    fn replaced_element_factors_scale_uses_and_assignments() -> crate::error::Result<()> {
        let mut m = model(&format!(
            r#"<listOfRules><assignmentRule variable="p">{}</assignmentRule><rateRule variable="q">{}</rateRule></listOfRules>
<listOfInitialAssignments><initialAssignment symbol="q">{}</initialAssignment></listOfInitialAssignments>"#,
            math("<cn>3</cn>"),
            math("<apply><plus/><ci>p</ci><ci>q</ci></apply>"),
            math("<cn>1</cn>"),
        ))?;
        let targets = HashMap::from([("p".to_string(), "c".to_string()), ("q".into(), "d".into())]);
        let all = targets.keys().cloned().collect();
        assert_eq!(replaced(&mut m, &targets, &all), Ok(()));
        assert_eq!(maths(&m, "assignmentRule"), ["(times 3 c)"]);
        assert_eq!(
            maths(&m, "rateRule"),
            ["(times (plus (divide p c) (divide q d)) d)"]
        );
        assert_eq!(maths(&m, "initialAssignment"), ["(times 1 d)"]);
        Ok(())
    }

    #[test]
    fn ambiguous_conversions_are_refused() -> crate::error::Result<()> {
        let time = Factors {
            time: Some("t".into()),
            extent: None,
        };
        let rate_of = r#"<apply><csymbol definitionURL="http://www.sbml.org/sbml/symbols/rateOf"/><ci>y</ci></apply>"#;
        let mut m = model(&format!(
            r#"<listOfRules><assignmentRule variable="z">{}</assignmentRule></listOfRules>"#,
            math(rate_of)
        ))?;
        assert!(time_and_extent(&mut m, &time, &HashSet::new()).is_err());
        let mut m = model(&format!(
            r#"<listOfReactions><reaction id="J"><kineticLaw>{}<listOfLocalParameters><localParameter id="t"/></listOfLocalParameters></kineticLaw></reaction></listOfReactions>"#,
            math("<ci>t</ci>")
        ))?;
        assert!(time_and_extent(&mut m, &time, &HashSet::new()).is_err());
        let mut m = model(r#"<listOfSpecies><species id="s" compartment="C"/></listOfSpecies>"#)?;
        let targets = HashMap::from([("C".to_string(), "c".to_string())]);
        let only_c = HashSet::from(["C".to_string()]);
        assert!(replaced(&mut m, &targets, &only_c).is_err());
        let both = HashSet::from(["C".to_string(), "s".to_string()]);
        assert!(replaced(&mut m, &targets, &both).is_ok());
        Ok(())
    }
}
