//! Reactions, species references and kinetic laws (SBML L3V2 §4.11, L2V4 §4.13).

use std::collections::{HashMap, HashSet};

use senmet_engine::{Expr, Network, Reaction, Rule, SpeciesReference};

use super::ids::{Kind, Need};
use super::mathml::{child_math, Scope};
use super::model::list;
use super::Ctx;
use crate::error::Result;
use crate::xml::Element;

/// Reads every reaction of model `m` into `net`; L2 `stoichiometryMath`
/// becomes an assignment rule on a generated species-reference id.
pub(super) fn reactions<'a>(cx: &mut Ctx<'a>, m: &'a Element, net: &mut Network) -> Result<()> {
    let mut taken = HashSet::new();
    collect_ids(m, &mut taken);
    for r in list(m, "listOfReactions", "reaction") {
        let reaction = reaction(cx, r, &mut taken, &mut net.rules)?;
        net.reactions.push(reaction);
    }
    Ok(())
}

/// Every `id` attribute of the subtree, so generated ids never collide.
fn collect_ids(e: &Element, ids: &mut HashSet<String>) {
    if let Some(id) = e.attr("id") {
        ids.insert(id.trim().to_string());
    }
    e.elements().for_each(|k| collect_ids(k, ids));
}

fn reaction<'a>(
    cx: &mut Ctx<'a>,
    r: &'a Element,
    taken: &mut HashSet<String>,
    rules: &mut Vec<Rule>,
) -> Result<Reaction> {
    let id = cx.id(r, "id", Kind::Reaction)?;
    if cx.flag_or(r, "fast", false)? {
        let reason = "fast reactions need an algebraic (quasi-steady-state) solver";
        return Err(cx.unsupported(r, "fast reaction".into(), reason));
    }
    let mut refs = [Vec::new(), Vec::new()];
    for (side, list_name) in ["listOfReactants", "listOfProducts"]
        .into_iter()
        .enumerate()
    {
        for (i, sr) in list(r, list_name, "speciesReference").enumerate() {
            let tag = format!("{id}_{}{}", ["reactant", "product"][side], i + 1);
            refs[side].push(species_ref(cx, sr, &tag, taken, rules)?);
        }
    }
    let mut modifiers = Vec::new();
    for m in list(r, "listOfModifiers", "modifierSpeciesReference") {
        if let Some(mid) = cx.opt(m, "id") {
            cx.declare(&mid, m, Kind::Modifier)?;
        }
        let species = cx.req(m, "species")?.trim().to_string();
        cx.use_id(&species, m.pos, Need::Species("modifier"));
        modifiers.push(species);
    }
    let rate = match r.child("kineticLaw") {
        Some(law) => kinetic_law(cx, law)?,
        None => None,
    };
    let [reactants, products] = refs;
    Ok(Reaction {
        id,
        name: cx.name(r),
        reversible: cx.flag(r, "reversible", true)?,
        reactants,
        products,
        modifiers,
        rate,
    })
}

fn species_ref<'a>(
    cx: &mut Ctx<'a>,
    sr: &'a Element,
    tag: &str,
    taken: &mut HashSet<String>,
    rules: &mut Vec<Rule>,
) -> Result<SpeciesReference> {
    let species = cx.req(sr, "species")?.trim().to_string();
    cx.use_id(&species, sr.pos, Need::Species("species reference"));
    let mut id = cx.opt(sr, "id");
    if let Some(id) = &id {
        cx.declare(id, sr, Kind::SpeciesReference)?;
    }
    let stoich_math = match sr.child("stoichiometryMath") {
        Some(sm) if cx.level < 3 => child_math(cx, sm, Scope::MODEL)?,
        _ => None,
    };
    if let Some(math) = stoich_math {
        let variable = match id.clone() {
            Some(v) => v,
            None => fresh_id(cx, sr, &format!("{tag}_stoichiometry"), taken)?,
        };
        rules.push(Rule::Assignment {
            variable: variable.clone(),
            math,
        });
        id = Some(variable);
        return Ok(SpeciesReference {
            species,
            id,
            stoichiometry: None,
            constant: false,
        });
    }
    let default = (cx.level < 3).then_some(1.0);
    Ok(SpeciesReference {
        species,
        id,
        stoichiometry: cx.num(sr, "stoichiometry")?.or(default),
        constant: cx.flag(sr, "constant", true)?,
    })
}

/// A new id starting with `base`, unused anywhere in the document, declared.
fn fresh_id(
    cx: &mut Ctx<'_>,
    sr: &Element,
    base: &str,
    taken: &mut HashSet<String>,
) -> Result<String> {
    let mut candidate = base.to_string();
    let mut n = 1;
    while taken.contains(&candidate) {
        n += 1;
        candidate = format!("{base}_{n}");
    }
    taken.insert(candidate.clone());
    cx.declare(&candidate, sr, Kind::SpeciesReference)?;
    Ok(candidate)
}

/// The rate with local parameter values substituted; `None` without math.
fn kinetic_law<'a>(cx: &mut Ctx<'a>, law: &'a Element) -> Result<Option<Expr>> {
    let mut locals = HashMap::new();
    let l3 = list(law, "listOfLocalParameters", "localParameter");
    let l2 = list(law, "listOfParameters", "parameter");
    for p in l3.chain(l2) {
        let pid = cx.req(p, "id")?.trim().to_string();
        // A local parameter without a value has no defined value.
        let value = cx.num(p, "value")?.unwrap_or(f64::NAN);
        if locals.insert(pid.clone(), value).is_some() {
            let found = format!("'{pid}' twice");
            return Err(cx.unexpected(p, "unique local parameter ids", &found));
        }
    }
    child_math(cx, law, Scope::kinetic_law(&locals))
}
