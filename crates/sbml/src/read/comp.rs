//! SBML Level 3 Hierarchical Model Composition (comp v1, release 3) flattened
//! into one plain model before reading, as libSBML's flattening converter does.
//!
//! Each submodel instance is flattened first (§3.5), its deletions applied
//! (§3.5.3), then every SId and metaid of the instance gets the prefix
//! `submodelId__`, and its time, extent and replacement conversion factors
//! are applied to its math (see `convert`). The parent's replacements follow
//! (§3.6), innermost first: a replaced element disappears and references to
//! it, including later comp references, name the replacing element; with
//! `replacedBy` the submodel's element takes over under the parent's id.
//! Constructs whose meaning this does not reproduce exactly (whole-submodel
//! deletion or replacement, conversions without one exact reading) are
//! [`Error::Unsupported`].

mod convert;
mod refs;
mod rename;
mod replace;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::xml::{self, Element, Locator, Node};
use refs::{attr, resolve, Meta, RefError, Target};

/// The comp v1 namespace.
pub(super) const COMP_NS: &str = "http://www.sbml.org/sbml/level3/version1/comp/version1";

/// How deep submodels and external documents may nest.
const MAX_NESTING: usize = 64;

/// Comp elements removed from the flattened model.
const COMP_ELEMENTS: [&str; 6] = [
    "listOfSubmodels",
    "listOfPorts",
    "listOfReplacedElements",
    "replacedBy",
    "listOfModelDefinitions",
    "listOfExternalModelDefinitions",
];

/// Whether the document declares the comp namespace anywhere.
pub(super) fn uses_comp(e: &Element) -> bool {
    e.attrs
        .iter()
        .any(|(k, v)| k.starts_with("xmlns") && v.trim() == COMP_NS)
        || e.elements().any(uses_comp)
}

/// Flattens a comp document whose root is `root`, read from `origin`.
pub(super) fn flatten(root: &Element, loc: &Locator<'_>, origin: &Path) -> Result<Element> {
    let dir = origin.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut f = Flattener {
        loc,
        docs: vec![Doc {
            root: root.clone(),
            path: origin.to_path_buf(),
            dir,
        }],
    };
    let model = root
        .child("model")
        .ok_or_else(|| f.missing(root.pos, "model"))?;
    let inst = f.instantiate(0, model.clone(), 0)?;
    let mut flat = Element {
        name: root.name.clone(),
        attrs: root.attrs.clone(),
        children: vec![Node::Elem(inst.model)],
        pos: root.pos,
    };
    drop_comp_attrs(&mut flat);
    Ok(flat)
}

/// One SBML document holding model definitions.
struct Doc {
    root: Element,
    path: PathBuf,
    dir: PathBuf,
}

/// A flattened model instance: the model and what a parent may refer to.
struct Instance {
    model: Element,
    meta: Meta,
}

struct Flattener<'l> {
    loc: &'l Locator<'l>,
    docs: Vec<Doc>,
}

impl Flattener<'_> {
    fn unsupported(&self, pos: usize, construct: &str, reason: String) -> Error {
        Error::Unsupported {
            at: self.loc.at(pos),
            construct: format!("comp {construct}"),
            reason,
        }
    }

    fn missing(&self, pos: usize, what: &str) -> Error {
        Error::Unexpected {
            at: self.loc.at(pos),
            expected: what.into(),
            found: "nothing".into(),
        }
    }

    fn ref_error(&self, pos: usize, e: RefError) -> Error {
        match e {
            RefError::Empty => self.missing(pos, "portRef, idRef, metaIdRef or unitRef"),
            RefError::Unknown(what) => Error::UnknownId {
                at: self.loc.at(pos),
                id: what,
                context: "comp reference".into(),
            },
            RefError::NotSubmodel(what) => Error::Unexpected {
                at: self.loc.at(pos),
                expected: "a submodel before a nested sBaseRef".into(),
                found: what,
            },
        }
    }

    /// Flattens `model` from document `doc`, at nesting `depth`.
    fn instantiate(&mut self, doc: usize, mut model: Element, depth: usize) -> Result<Instance> {
        if depth > MAX_NESTING {
            return Err(Error::Limit {
                at: self.loc.at(model.pos),
                what: "comp submodel nesting".into(),
                limit: MAX_NESTING,
            });
        }
        let mut meta = Meta::default();
        let submodels: Vec<Element> = list(&model, "listOfSubmodels", "submodel").collect();
        for s in &submodels {
            let (sid, mut inst) = self.submodel(doc, s, depth)?;
            self.conversions(&model, s, &sid, &mut inst)?;
            rename::merge(&mut model, inst.model);
            meta.subs.insert(sid, inst.meta);
        }
        self.replacements(&mut model, &mut meta)?;
        let ports: Vec<Element> = list(&model, "listOfPorts", "port").collect();
        for p in &ports {
            let id = attr(p, "id").ok_or_else(|| self.missing(p.pos, "a port id"))?;
            let t = resolve(p, &meta).map_err(|e| self.ref_error(p.pos, e))?;
            meta.ports.insert(id.to_string(), t);
        }
        rename::strip(&mut model, &COMP_ELEMENTS);
        Ok(Instance { model, meta })
    }

    /// Instantiates one submodel: flattened, deletions applied, prefixed.
    fn submodel(&mut self, doc: usize, s: &Element, depth: usize) -> Result<(String, Instance)> {
        let sid = attr(s, "id").ok_or_else(|| self.missing(s.pos, "a submodel id"))?;
        let model_ref = attr(s, "modelRef").ok_or_else(|| self.missing(s.pos, "a modelRef"))?;
        let (d, def) = self.definition(doc, model_ref, s.pos, depth)?;
        let mut inst = self.instantiate(d, def, depth + 1)?;
        for del in list(s, "listOfDeletions", "deletion") {
            let t = resolve(&del, &inst.meta).map_err(|e| self.ref_error(del.pos, e))?;
            self.delete(&mut inst, &t, del.pos)?;
        }
        inherit_conversion_factor(&mut inst.model);
        rename::prefix(&mut inst.model, sid);
        Ok((sid.to_string(), inst))
    }

    /// Removes the target of a deletion from an instance.
    fn delete(&self, inst: &mut Instance, t: &Target, pos: usize) -> Result<()> {
        let model = &mut inst.model;
        let removed = match t {
            Target::Id(id) => rename::remove(model, "id", id),
            Target::MetaId(id) => match rename::remove_local(model, id, None) {
                Some(reaction) => return self.deleted_local(&inst.meta, &reaction, pos),
                None => rename::remove(model, "metaid", id),
            },
            Target::Unit => return Ok(()),
            Target::Submodel(id) => {
                let reason = format!("deleting the whole submodel '{id}' is not supported");
                return Err(self.unsupported(pos, "deletion", reason));
            }
        };
        if removed.is_empty() {
            let reason = format!("the deleted element {t:?} is not in the flattened submodel");
            return Err(self.unsupported(pos, "deletion", reason));
        }
        Ok(())
    }

    /// A deleted local parameter uncovers the global of the same id, which
    /// prefixing then names, unless the reaction came from a nested
    /// submodel whose globals carry a longer prefix.
    fn deleted_local(&self, meta: &Meta, reaction: &str, pos: usize) -> Result<()> {
        match meta
            .subs
            .keys()
            .find(|s| reaction.starts_with(&format!("{s}__")))
        {
            None => Ok(()),
            Some(s) => {
                let reason =
                    format!("the local parameter is in reaction '{reaction}' of submodel '{s}'");
                Err(self.unsupported(pos, "deletion", reason))
            }
        }
    }

    /// Finds model definition `id` as seen from document `doc`: the main
    /// model, a `modelDefinition` or an `externalModelDefinition`.
    fn definition(
        &mut self,
        doc: usize,
        id: &str,
        pos: usize,
        depth: usize,
    ) -> Result<(usize, Element)> {
        let root = &self.docs[doc].root;
        let main = root.child("model").filter(|m| attr(m, "id") == Some(id));
        if let Some(m) = main {
            return Ok((doc, m.clone()));
        }
        if let Some(m) = root
            .child("listOfModelDefinitions")
            .into_iter()
            .flat_map(Element::elements)
            .find(|m| m.name == "modelDefinition" && attr(m, "id") == Some(id))
        {
            return Ok((doc, m.clone()));
        }
        let ext = root
            .child("listOfExternalModelDefinitions")
            .into_iter()
            .flat_map(Element::elements)
            .find(|m| m.name == "externalModelDefinition" && attr(m, "id") == Some(id))
            .cloned();
        let Some(ext) = ext else {
            return Err(Error::UnknownId {
                at: self.loc.at(pos),
                id: id.into(),
                context: "submodel modelRef".into(),
            });
        };
        if depth > MAX_NESTING {
            return Err(Error::Limit {
                at: self.loc.at(pos),
                what: "comp external model nesting".into(),
                limit: MAX_NESTING,
            });
        }
        let d = self.load(doc, &ext)?;
        match attr(&ext, "modelRef") {
            Some(target) => self.definition(d, target, ext.pos, depth + 1),
            // Without modelRef the external document's main model is meant.
            None => match self.docs[d].root.child("model") {
                Some(m) => Ok((d, m.clone())),
                None => Err(self.missing(ext.pos, "a <model> in the external document")),
            },
        }
    }

    /// Loads the document an external model definition names (once).
    fn load(&mut self, doc: usize, ext: &Element) -> Result<usize> {
        let source = attr(ext, "source").ok_or_else(|| self.missing(ext.pos, "a source"))?;
        let rel = source.strip_prefix("file:").unwrap_or(source);
        if rel.contains("://") {
            let reason = format!("external source '{source}' is not a local file");
            return Err(self.unsupported(ext.pos, "externalModelDefinition", reason));
        }
        let path = self.docs[doc].dir.join(rel);
        if let Some(i) = self.docs.iter().position(|d| d.path == path) {
            return Ok(i);
        }
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let mut root = xml::parse(&text, &Locator::new(&path, &text))?;
        if root.attr("level").map(str::trim) != Some("3") {
            let reason = format!("{} is not SBML Level 3", path.display());
            return Err(self.unsupported(ext.pos, "externalModelDefinition", reason));
        }
        if let Some((_, prefix)) = super::model::find_package(&root, Some(COMP_NS)) {
            let reason = format!("{} uses package '{prefix}'", path.display());
            return Err(self.unsupported(ext.pos, "externalModelDefinition", reason));
        }
        // Errors inside the external file point at the definition naming it.
        relocate(&mut root, ext.pos);
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        self.docs.push(Doc { root, path, dir });
        Ok(self.docs.len() - 1)
    }
}

/// The `item` children of the `list` child of `parent`, cloned.
fn list<'e>(parent: &'e Element, list: &str, item: &'e str) -> impl Iterator<Item = Element> + 'e {
    parent
        .child(list)
        .into_iter()
        .flat_map(Element::elements)
        .filter(move |e| e.name == item)
        .cloned()
}

/// A submodel's model-wide conversion factor applies to its species without
/// their own; after flattening only the top model's applies model-wide.
fn inherit_conversion_factor(model: &mut Element) {
    let Some(pos) = model
        .attrs
        .iter()
        .position(|(k, _)| k == "conversionFactor")
    else {
        return;
    };
    let (_, cf) = model.attrs.remove(pos);
    for list in rename::elements_mut(model).filter(|l| l.name == "listOfSpecies") {
        for s in rename::elements_mut(list) {
            if s.attr("conversionFactor").is_none() {
                s.attrs.push(("conversionFactor".into(), cf.clone()));
            }
        }
    }
}

/// Removes comp namespace declarations and comp-prefixed attributes.
fn drop_comp_attrs(e: &mut Element) {
    let mut prefixes = Vec::new();
    comp_prefixes(e, &mut prefixes);
    strip_attrs(e, &prefixes);
}

fn comp_prefixes(e: &Element, out: &mut Vec<String>) {
    for (k, v) in &e.attrs {
        if let (Some(p), COMP_NS) = (k.strip_prefix("xmlns:"), v.trim()) {
            out.push(format!("{p}:"));
        }
    }
    for c in e.elements() {
        comp_prefixes(c, out);
    }
}

fn strip_attrs(e: &mut Element, prefixes: &[String]) {
    e.attrs.retain(|(k, v)| {
        let decl = k.starts_with("xmlns") && v.trim() == COMP_NS;
        !decl && !prefixes.iter().any(|p| k.starts_with(p.as_str()))
    });
    for c in rename::elements_mut(e) {
        strip_attrs(c, prefixes);
    }
}

fn relocate(e: &mut Element, pos: usize) {
    e.pos = pos;
    for c in rename::elements_mut(e) {
        relocate(c, pos);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::error::Result;

    const HEAD: &str = r#"<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" xmlns:comp="http://www.sbml.org/sbml/level3/version1/comp/version1" level="3" version="2" comp:required="true">"#;
    const DEFS: &str = r#"<comp:listOfModelDefinitions><comp:modelDefinition id="inner">
<listOfParameters><parameter id="k" value="1" constant="true"/><parameter id="x" value="2" constant="false"/><parameter id="gone" value="3" constant="true"/></listOfParameters>
<listOfRules><assignmentRule variable="x"><math xmlns="http://www.w3.org/1998/Math/MathML"><apply><times/><cn>2</cn><ci>k</ci></apply></math></assignmentRule></listOfRules>
<comp:listOfPorts><comp:port comp:id="kp" comp:idRef="k"/></comp:listOfPorts>
</comp:modelDefinition></comp:listOfModelDefinitions>"#;

    fn read(model: &str) -> Result<senmet_engine::Network> {
        let xml = format!("{HEAD}<model id=\"top\">{model}</model>{DEFS}</sbml>");
        crate::read_str(&xml, Path::new("comp.xml"))
    }

    #[test]
    fn submodels_are_prefixed_replaced_and_deleted() -> Result<()> {
        let net = read(
            r#"<listOfParameters><parameter id="K" value="5" constant="true">
<comp:listOfReplacedElements><comp:replacedElement comp:submodelRef="A" comp:portRef="kp"/></comp:listOfReplacedElements>
</parameter><parameter id="y" constant="false"><comp:replacedBy comp:submodelRef="B" comp:idRef="x"/></parameter></listOfParameters>
<comp:listOfSubmodels><comp:submodel comp:id="A" comp:modelRef="inner"><comp:listOfDeletions><comp:deletion comp:idRef="gone"/></comp:listOfDeletions></comp:submodel>
<comp:submodel comp:id="B" comp:modelRef="inner"/></comp:listOfSubmodels>"#,
        )?;
        let ids: Vec<&str> = net.parameters.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["K", "A__x", "B__k", "y", "B__gone"]);
        let vars: Vec<String> = net.rules.iter().map(|r| format!("{r:?}")).collect();
        assert!(
            vars[0].contains("\"A__x\"") && vars[0].contains("\"K\""),
            "{vars:?}"
        );
        assert!(
            vars[1].contains("\"y\"") && vars[1].contains("\"B__k\""),
            "{vars:?}"
        );
        Ok(())
    }

    #[test]
    fn unflattenable_constructs_are_unsupported() {
        let by_cf = r#"<listOfParameters><parameter id="c" value="2" constant="true"/><parameter id="K" value="5" constant="true">
<comp:replacedBy comp:submodelRef="A" comp:idRef="k" comp:conversionFactor="c"/></parameter></listOfParameters>
<comp:listOfSubmodels><comp:submodel comp:id="A" comp:modelRef="inner"/></comp:listOfSubmodels>"#;
        let whole = r#"<comp:listOfSubmodels><comp:submodel comp:id="A" comp:modelRef="inner"><comp:listOfDeletions>
<comp:deletion comp:idRef="B"/></comp:listOfDeletions></comp:submodel><comp:submodel comp:id="B" comp:modelRef="inner"/></comp:listOfSubmodels>"#;
        for model in [by_cf, whole] {
            let err = read(model).unwrap_err();
            assert!(err.is_unsupported(), "{err}");
        }
        let missing = r#"<comp:listOfSubmodels><comp:submodel comp:id="A" comp:modelRef="nowhere"/></comp:listOfSubmodels>"#;
        let err = read(missing).unwrap_err();
        assert!(err.to_string().contains("'nowhere'"), "{err}");
    }

    #[test]
    fn conversion_factors_reach_the_submodel_math() -> Result<()> {
        let net = read(
            r#"<listOfParameters><parameter id="c" value="10" constant="true"/><parameter id="K" value="5" constant="true">
<comp:listOfReplacedElements><comp:replacedElement comp:submodelRef="A" comp:idRef="k" comp:conversionFactor="c"/></comp:listOfReplacedElements></parameter></listOfParameters>
<comp:listOfSubmodels><comp:submodel comp:id="A" comp:modelRef="inner" comp:timeConversionFactor="c"/></comp:listOfSubmodels>"#,
        )?;
        // x = 2 k in the submodel reads k as K / c.
        let rule = format!("{:?}", net.rules[0]);
        assert!(rule.contains("\"K\"") && rule.contains("\"c\""), "{rule}");
        Ok(())
    }

    #[test]
    fn replacements_follow_earlier_replacements_and_reach_inside() -> Result<()> {
        let xml = format!(
            r#"{HEAD}<model id="top"><listOfParameters><parameter id="p" value="9" constant="true">
<comp:replacedBy comp:submodelRef="M" comp:idRef="I"><comp:sBaseRef comp:idRef="k"/></comp:replacedBy></parameter>
<parameter id="g" value="7" constant="true"><comp:listOfReplacedElements>
<comp:replacedElement comp:submodelRef="M" comp:metaIdRef="loc"/></comp:listOfReplacedElements></parameter></listOfParameters>
<comp:listOfSubmodels><comp:submodel comp:id="M" comp:modelRef="mid"/></comp:listOfSubmodels></model>
<comp:listOfModelDefinitions>{}<comp:modelDefinition id="mid">
<listOfParameters><parameter id="m" value="4" constant="true"><comp:replacedBy comp:submodelRef="I" comp:idRef="k"/></parameter></listOfParameters>
<listOfReactions><reaction id="J" reversible="false"><kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><ci>q</ci></math>
<listOfLocalParameters><localParameter metaid="loc" id="q" value="3"/></listOfLocalParameters></kineticLaw></reaction></listOfReactions>
<comp:listOfSubmodels><comp:submodel comp:id="I" comp:modelRef="inner"/></comp:listOfSubmodels></comp:modelDefinition>
</comp:listOfModelDefinitions></sbml>"#,
            &DEFS["<comp:listOfModelDefinitions>".len()
                ..DEFS.len() - "</comp:listOfModelDefinitions>".len()]
        );
        let net = crate::read_str(&xml, Path::new("comp.xml"))?;
        let ids: Vec<&str> = net.parameters.iter().map(|p| p.id.as_str()).collect();
        // M's m took over I's k, then I's k, so named, took over the top's p.
        assert_eq!(ids, ["g", "p", "M__I__x", "M__I__gone"]);
        assert_eq!(net.parameters[1].value, Some(1.0));
        let law = format!("{:?}", net.reactions[0]);
        assert!(law.contains("\"g\""), "{law}");
        Ok(())
    }

    #[test]
    fn deleting_a_local_parameter_uncovers_the_global() -> Result<()> {
        let xml = format!(
            r#"{HEAD}<model id="top"><comp:listOfSubmodels><comp:submodel comp:id="A" comp:modelRef="d">
<comp:listOfDeletions><comp:deletion comp:metaIdRef="loc"/></comp:listOfDeletions></comp:submodel></comp:listOfSubmodels></model>
<comp:listOfModelDefinitions><comp:modelDefinition id="d"><listOfParameters><parameter id="q" value="1" constant="true"/></listOfParameters>
<listOfReactions><reaction id="J" reversible="false"><kineticLaw><math xmlns="http://www.w3.org/1998/Math/MathML"><ci>q</ci></math>
<listOfLocalParameters><localParameter metaid="loc" id="q" value="3"/></listOfLocalParameters></kineticLaw></reaction></listOfReactions>
</comp:modelDefinition></comp:listOfModelDefinitions></sbml>"#
        );
        let net = crate::read_str(&xml, Path::new("comp.xml"))?;
        let law = format!("{:?}", net.reactions[0]);
        assert!(law.contains("\"A__q\""), "{law}");
        Ok(())
    }
}
