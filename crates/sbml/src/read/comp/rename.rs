//! Tree edits used by flattening: which SIds a model declares, renaming them
//! everywhere they are used, removing and merging elements.

use std::collections::{HashMap, HashSet};

use crate::xml::{Element, Node};

/// Attributes whose value is an SId reference into the model's namespace.
const REF_ATTRS: [&str; 6] = [
    "compartment",
    "species",
    "symbol",
    "variable",
    "conversionFactor",
    "id",
];

/// The SIds a model declares in its global namespace: not the model's own
/// id, unit definitions or the local parameters of kinetic laws.
pub(super) fn declared_ids(model: &Element) -> Vec<String> {
    let mut out = Vec::new();
    collect(model, &mut out);
    out
}

fn collect(e: &Element, out: &mut Vec<String>) {
    for c in e.elements() {
        if matches!(
            c.name.as_str(),
            "kineticLaw" | "listOfUnitDefinitions" | "math"
        ) {
            continue;
        }
        if let Some(id) = c.attr("id") {
            out.push(id.trim().to_string());
        }
        collect(c, out);
    }
}

/// Renames ids as `map` says: declarations, reference attributes and `<ci>`
/// in math, except where a local parameter or a lambda argument shadows them.
pub(super) fn rename(e: &mut Element, map: &HashMap<String, String>) {
    walk(e, map, &HashSet::new());
}

fn walk(e: &mut Element, map: &HashMap<String, String>, shadow: &HashSet<String>) {
    let local = match e.name.as_str() {
        "kineticLaw" => Some(locals(e)),
        "lambda" => Some(bvars(e)),
        _ => None,
    };
    let shadow = match local {
        Some(mut l) => {
            l.extend(shadow.iter().cloned());
            l
        }
        None => shadow.clone(),
    };
    let is_ci = e.name == "ci";
    if !matches!(e.name.as_str(), "unitDefinition" | "unit") {
        for (k, v) in &mut e.attrs {
            if REF_ATTRS.contains(&k.as_str()) {
                swap(v, map, &shadow);
            }
        }
    }
    for n in &mut e.children {
        match n {
            Node::Elem(c) => walk(c, map, &shadow),
            Node::Text(t) if is_ci => swap(t, map, &shadow),
            Node::Text(_) => {}
        }
    }
}

fn swap(v: &mut String, map: &HashMap<String, String>, shadow: &HashSet<String>) {
    let key = v.trim();
    if shadow.contains(key) {
        return;
    }
    if let Some(new) = map.get(key) {
        *v = new.clone();
    }
}

/// Local parameter ids of a kinetic law (L3 and L2 spellings).
pub(super) fn locals(law: &Element) -> HashSet<String> {
    ["listOfLocalParameters", "listOfParameters"]
        .iter()
        .filter_map(|l| law.child(l))
        .flat_map(Element::elements)
        .filter_map(|p| p.attr("id"))
        .map(|s| s.trim().to_string())
        .collect()
}

/// Argument names of a lambda.
fn bvars(lambda: &Element) -> HashSet<String> {
    lambda
        .elements()
        .filter(|b| b.name == "bvar")
        .filter_map(|b| b.child("ci"))
        .map(|ci| ci.text().trim().to_string())
        .collect()
}

/// Prefixes every declared SId and every metaid with `prefix__`.
pub(super) fn prefix(model: &mut Element, prefix: &str) {
    let map = declared_ids(model)
        .into_iter()
        .map(|id| {
            let new = format!("{prefix}__{id}");
            (id, new)
        })
        .collect();
    rename(model, &map);
    prefix_metaids(model, prefix);
}

fn prefix_metaids(e: &mut Element, prefix: &str) {
    for (k, v) in &mut e.attrs {
        if k == "metaid" {
            *v = format!("{prefix}__{}", v.trim());
        }
    }
    for c in elements_mut(e) {
        prefix_metaids(c, prefix);
    }
}

/// Mutable child elements.
pub(super) fn elements_mut(e: &mut Element) -> impl Iterator<Item = &mut Element> {
    e.children.iter_mut().filter_map(|n| match n {
        Node::Elem(c) => Some(c),
        Node::Text(_) => None,
    })
}

/// Removes every descendant whose attribute `attr` is `value` (outside
/// kinetic laws and math); returns the removed elements.
pub(super) fn remove(e: &mut Element, attr: &str, value: &str) -> Vec<Element> {
    let mut out = Vec::new();
    remove_into(e, attr, value, &mut out);
    out
}

fn remove_into(e: &mut Element, attr: &str, value: &str, out: &mut Vec<Element>) {
    let children = std::mem::take(&mut e.children);
    for n in children {
        match n {
            Node::Elem(c) if c.attr(attr).map(str::trim) == Some(value) => out.push(c),
            Node::Elem(mut c) => {
                if !matches!(c.name.as_str(), "kineticLaw" | "math") {
                    remove_into(&mut c, attr, value, out);
                }
                e.children.push(Node::Elem(c));
            }
            text => e.children.push(text),
        }
    }
}

/// Removes the local parameter whose metaid is `metaid` from the kinetic law
/// declaring it; its uses in that law then name `to`, or with `None` the
/// global of the same id. Returns the id of the reaction it was found in.
pub(super) fn remove_local(model: &mut Element, metaid: &str, to: Option<&str>) -> Option<String> {
    for list in elements_mut(model).filter(|l| l.name == "listOfReactions") {
        for r in elements_mut(list) {
            let reaction = r.attr("id").unwrap_or_default().trim().to_string();
            for law in elements_mut(r).filter(|k| k.name == "kineticLaw") {
                let Some(id) = take_local(law, metaid) else {
                    continue;
                };
                if let Some(to) = to {
                    rename(law, &HashMap::from([(id, to.to_string())]));
                }
                return Some(reaction);
            }
        }
    }
    None
}

/// Removes a local parameter by metaid from a kinetic law; returns its id.
fn take_local(law: &mut Element, metaid: &str) -> Option<String> {
    let lists = elements_mut(law).filter(|l| {
        matches!(
            l.name.as_str(),
            "listOfLocalParameters" | "listOfParameters"
        )
    });
    for list in lists {
        let at = list.children.iter().position(
            |n| matches!(n, Node::Elem(p) if p.attr("metaid").map(str::trim) == Some(metaid)),
        );
        if let Some(Node::Elem(p)) = at.map(|i| list.children.remove(i)) {
            return Some(p.attr("id").unwrap_or_default().trim().to_string());
        }
    }
    None
}

/// The first descendant whose attribute `attr` is `value` (outside kinetic
/// laws and math).
pub(super) fn find<'e>(e: &'e Element, attr: &str, value: &str) -> Option<&'e Element> {
    e.elements().find_map(|c| {
        if c.attr(attr).map(str::trim) == Some(value) {
            Some(c)
        } else if matches!(c.name.as_str(), "kineticLaw" | "math") {
            None
        } else {
            find(c, attr, value)
        }
    })
}

/// Removes the children named in `names` at any depth.
pub(super) fn strip(e: &mut Element, names: &[&str]) {
    e.children
        .retain(|n| !matches!(n, Node::Elem(c) if names.contains(&c.name.as_str())));
    for c in elements_mut(e) {
        strip(c, names);
    }
}

/// Appends the `listOf…` children of `from` to the same lists of `into`.
pub(super) fn merge(into: &mut Element, from: Element) {
    for n in from.children {
        let Node::Elem(list) = n else { continue };
        if !list.name.starts_with("listOf") {
            continue;
        }
        let at = into
            .children
            .iter()
            .position(|c| matches!(c, Node::Elem(c) if c.name == list.name));
        match at.map(|i| &mut into.children[i]) {
            Some(Node::Elem(target)) => target.children.extend(list.children),
            _ => into.children.push(Node::Elem(list)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::xml::{parse, Locator};

    fn tree(text: &str) -> crate::error::Result<Element> {
        parse(text, &Locator::new(Path::new("t.xml"), text))
    }

    #[test]
    fn prefixing_spares_locals_and_lambda_arguments() -> crate::error::Result<()> {
        let mut m = tree(
            r#"<model id="m"><listOfParameters><parameter id="k" metaid="mk"/><parameter id="x"/></listOfParameters>
<listOfFunctionDefinitions><functionDefinition id="f"><math><lambda><bvar><ci>x</ci></bvar><ci>x</ci></lambda></math></functionDefinition></listOfFunctionDefinitions>
<listOfReactions><reaction id="r"><kineticLaw><math><apply><ci>f</ci><ci>k</ci><ci>x</ci></apply></math>
<listOfLocalParameters><localParameter id="k"/></listOfLocalParameters></kineticLaw></reaction></listOfReactions></model>"#,
        )?;
        prefix(&mut m, "A");
        assert_eq!(declared_ids(&m), ["A__k", "A__x", "A__f", "A__r"]);
        assert_eq!(m.attr("id"), Some("m"));
        let law = m
            .child("listOfReactions")
            .and_then(|l| l.child("reaction"))
            .and_then(|r| r.child("kineticLaw"));
        let cis: Vec<String> = law
            .and_then(|l| l.child("math"))
            .and_then(|m| m.child("apply"))
            .map(|a| a.elements().map(Element::text).collect())
            .unwrap_or_default();
        assert_eq!(cis, ["A__f", "k", "A__x"]);
        let body: Vec<String> = m
            .child("listOfFunctionDefinitions")
            .and_then(|l| l.child("functionDefinition"))
            .and_then(|f| f.child("math"))
            .and_then(|m| m.child("lambda"))
            .map(|l| vec![l.elements().last().map(Element::text).unwrap_or_default()])
            .unwrap_or_default();
        assert_eq!(body, ["x"]);
        let removed = remove(&mut m, "metaid", "A__mk");
        assert_eq!(removed.len(), 1);
        assert_eq!(declared_ids(&m), ["A__x", "A__f", "A__r"]);
        Ok(())
    }
}
