//! Replacements (comp v1 §3.6): `replacedElement` and `replacedBy` on the
//! parent's elements, applied once every submodel instance is merged in.

use std::collections::{HashMap, HashSet};

use super::convert::{self, Factors};
use super::refs::{attr, resolve, Meta, Target};
use super::{rename, Flattener, Instance};
use crate::error::Result;
use crate::xml::Element;

/// One parent element that replaces or is replaced.
struct Op {
    id: Option<String>,
    metaid: Option<String>,
    replaced: Vec<Element>,
    by: Option<Element>,
}

fn ops(e: &Element, out: &mut Vec<Op>) {
    for c in e.elements() {
        if matches!(c.name.as_str(), "math" | "listOfSubmodels" | "listOfPorts") {
            continue;
        }
        let replaced: Vec<Element> = c
            .child("listOfReplacedElements")
            .into_iter()
            .flat_map(Element::elements)
            .filter(|r| r.name == "replacedElement")
            .cloned()
            .collect();
        let by = c.child("replacedBy").cloned();
        // Children first: an element replaced inside an element that is
        // itself replaced must be found before its container goes.
        ops(c, out);
        if !replaced.is_empty() || by.is_some() {
            out.push(Op {
                id: c.attr("id").map(|s| s.trim().to_string()),
                metaid: c.attr("metaid").map(|s| s.trim().to_string()),
                replaced,
                by,
            });
        }
    }
}

impl Flattener<'_> {
    /// Applies every replacement declared in `model`, whose submodels are
    /// described by `meta`.
    pub(super) fn replacements(&self, model: &mut Element, meta: &mut Meta) -> Result<()> {
        let mut all = Vec::new();
        ops(model, &mut all);
        for op in &all {
            for r in &op.replaced {
                self.replaced_element(model, meta, op, r)?;
            }
            if let Some(by) = &op.by {
                self.replaced_by(model, meta, op, by)?;
            }
        }
        Ok(())
    }

    /// Applies the conversion factors of submodel `s` (id `sid`, flattened
    /// as `inst`) and of `model`'s replacements of its elements.
    pub(super) fn conversions(
        &self,
        model: &Element,
        s: &Element,
        sid: &str,
        inst: &mut Instance,
    ) -> Result<()> {
        let mut all = Vec::new();
        ops(model, &mut all);
        let mut factors = HashMap::new();
        let mut removed = HashSet::new();
        let mut at = s.pos;
        let mine = all
            .iter()
            .flat_map(|op| &op.replaced)
            .filter(|r| attr(r, "submodelRef") == Some(sid) && attr(r, "deletion").is_none());
        for r in mine {
            let t = resolve(r, &inst.meta).map_err(|e| self.ref_error(r.pos, e))?;
            let id = match t.through(sid) {
                Target::Id(id) => Some(id),
                Target::MetaId(m) => rename::find(&inst.model, "metaid", &m)
                    .and_then(|e| e.attr("id"))
                    .map(|id| id.trim().to_string()),
                Target::Unit | Target::Submodel(_) => None,
            };
            match (id, attr(r, "conversionFactor")) {
                (Some(id), Some(cf)) => {
                    at = r.pos;
                    factors.insert(id.clone(), cf.to_string());
                    removed.insert(id);
                }
                (Some(id), None) => {
                    removed.insert(id);
                }
                (None, Some(_)) => {
                    let reason = "its target has no id to convert".to_string();
                    return Err(self.unsupported(r.pos, "conversionFactor", reason));
                }
                (None, None) => {}
            }
        }
        convert::replaced(&mut inst.model, &factors, &removed)
            .map_err(|reason| self.unsupported(at, "conversionFactor", reason))?;
        let f = Factors {
            time: attr(s, "timeConversionFactor").map(String::from),
            extent: attr(s, "extentConversionFactor").map(String::from),
        };
        convert::time_and_extent(&mut inst.model, &f, &removed)
            .map_err(|reason| self.unsupported(s.pos, "conversion factor", reason))
    }

    /// The target of a replacement, in the parent's flattened namespace.
    fn target(&self, r: &Element, meta: &Meta) -> Result<Target> {
        let sub = attr(r, "submodelRef").ok_or_else(|| self.missing(r.pos, "a submodelRef"))?;
        let sub_meta = meta.subs.get(sub).ok_or_else(|| {
            self.ref_error(r.pos, super::RefError::Unknown(format!("submodel '{sub}'")))
        })?;
        let t = resolve(r, sub_meta).map_err(|e| self.ref_error(r.pos, e))?;
        Ok(t.through(sub))
    }

    fn replaced_element(
        &self,
        model: &mut Element,
        meta: &mut Meta,
        op: &Op,
        r: &Element,
    ) -> Result<()> {
        if attr(r, "deletion").is_some() {
            // Replacing a deletion only documents intent (§3.6.2).
            return Ok(());
        }
        let target = self.target(r, meta)?;
        let removed = match &target {
            Target::Id(id) => rename::remove(model, "id", id),
            Target::MetaId(id) => {
                if let Some(new) = &op.id {
                    // A local parameter is replaced in its kinetic law only.
                    if rename::remove_local(model, id, Some(new)).is_some() {
                        return Ok(());
                    }
                }
                rename::remove(model, "metaid", id)
            }
            Target::Unit => return Ok(()),
            Target::Submodel(id) => {
                let reason = format!("replacing the whole submodel '{id}' is not supported");
                return Err(self.unsupported(r.pos, "replacedElement", reason));
            }
        };
        let Some(old) = removed.first() else {
            let reason = format!("its target {target:?} is not in the flattened submodel");
            return Err(self.unsupported(r.pos, "replacedElement", reason));
        };
        match (old.attr("id"), &op.id) {
            (Some(old), Some(new)) => {
                let old = old.trim().to_string();
                rename::rename(model, &HashMap::from([(old.clone(), new.clone())]));
                meta.aliases.insert(old, new.clone());
            }
            (Some(old), None) => {
                let reason = format!("'{old}' is replaced by an element without an id");
                return Err(self.unsupported(r.pos, "replacedElement", reason));
            }
            (None, _) => {}
        }
        Ok(())
    }

    fn replaced_by(
        &self,
        model: &mut Element,
        meta: &mut Meta,
        op: &Op,
        by: &Element,
    ) -> Result<()> {
        if attr(by, "conversionFactor").is_some() {
            let reason = "comp v1 defines no conversionFactor on replacedBy".to_string();
            return Err(self.unsupported(by.pos, "conversionFactor", reason));
        }
        let target = self.target(by, meta)?;
        let t = match &target {
            Target::Id(id) => rename::find(model, "id", id),
            Target::MetaId(id) => rename::find(model, "metaid", id),
            Target::Unit => return Ok(()),
            Target::Submodel(_) => None,
        };
        let Some(t) = t else {
            let reason =
                format!("its target {target:?} is not an element of the flattened submodel");
            return Err(self.unsupported(by.pos, "replacedBy", reason));
        };
        let t_id = t.attr("id").map(|s| s.trim().to_string());
        let removed = match (&op.id, &op.metaid) {
            (Some(id), _) => rename::remove(model, "id", id),
            (None, Some(m)) => rename::remove(model, "metaid", m),
            (None, None) => Vec::new(),
        };
        if removed.is_empty() {
            let reason = "the replaced element has neither id nor metaid".to_string();
            return Err(self.unsupported(by.pos, "replacedBy", reason));
        }
        match (t_id, &op.id) {
            (Some(old), Some(new)) => {
                rename::rename(model, &HashMap::from([(old.clone(), new.clone())]));
                meta.aliases.insert(old, new.clone());
            }
            (None, Some(new)) => {
                let reason = format!("'{new}' is replaced by an element without an id");
                return Err(self.unsupported(by.pos, "replacedBy", reason));
            }
            _ => {}
        }
        Ok(())
    }
}
