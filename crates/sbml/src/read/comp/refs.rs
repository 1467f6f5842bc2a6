//! SBaseRef resolution (comp v1 §3.7): `portRef`, `idRef`, `metaIdRef` and
//! `unitRef`, with nested `sBaseRef` children descending into submodels.

use std::collections::HashMap;

use crate::xml::Element;

/// What an SBaseRef points at, named in the flattened namespace of the
/// model instance it was resolved against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    /// An element with this SId.
    Id(String),
    /// An element with this metaid.
    MetaId(String),
    /// A unit definition (units do not enter the network).
    Unit,
    /// A whole submodel instance, by its prefixed id.
    Submodel(String),
}

impl Target {
    /// The same target seen from the parent, through submodel `sub`.
    pub(super) fn through(self, sub: &str) -> Target {
        match self {
            Target::Id(id) => Target::Id(format!("{sub}__{id}")),
            Target::MetaId(id) => Target::MetaId(format!("{sub}__{id}")),
            Target::Submodel(id) => Target::Submodel(format!("{sub}__{id}")),
            Target::Unit => Target::Unit,
        }
    }
}

/// What a parent may refer to in a flattened model instance: its ports and
/// its submodels (recursively).
#[derive(Debug, Default)]
pub(super) struct Meta {
    /// Port id to target.
    pub ports: HashMap<String, Target>,
    /// Submodel id to its own metadata.
    pub subs: HashMap<String, Meta>,
    /// Ids of replaced elements to the ids of their replacements (§3.6: a
    /// reference to a replaced element means its replacement).
    pub aliases: HashMap<String, String>,
}

impl Meta {
    /// `t` with replaced ids followed to their replacements.
    fn alias(&self, t: Target) -> Target {
        let Target::Id(mut id) = t else { return t };
        // Each replacement removes an element, so a chain is no longer
        // than the alias map; the bound guards against a cycle.
        for _ in 0..=self.aliases.len() {
            match self.aliases.get(&id) {
                Some(next) => id.clone_from(next),
                None => break,
            }
        }
        Target::Id(id)
    }
}

/// Why an SBaseRef could not be resolved.
pub(super) enum RefError {
    /// It names none of the four reference attributes.
    Empty,
    /// A port or submodel it names does not exist.
    Unknown(String),
    /// A nested `sBaseRef` below something that is not a submodel.
    NotSubmodel(String),
}

/// The value of a comp attribute by local name (comp attributes carry the
/// package prefix, whatever it is).
pub(super) fn attr<'e>(e: &'e Element, name: &str) -> Option<&'e str> {
    e.attrs
        .iter()
        .find(|(k, _)| !k.starts_with("xmlns") && k.rsplit(':').next() == Some(name))
        .map(|(_, v)| v.trim())
}

/// Resolves the reference `r` against an instance described by `meta`.
pub(super) fn resolve(r: &Element, meta: &Meta) -> Result<Target, RefError> {
    let nested = r.child("sBaseRef");
    if let Some(port) = attr(r, "portRef") {
        let t = meta
            .ports
            .get(port)
            .cloned()
            .ok_or_else(|| RefError::Unknown(format!("port '{port}'")))?;
        return match nested {
            None => Ok(meta.alias(t)),
            Some(n) => descend(t, n, meta),
        };
    }
    if let Some(id) = attr(r, "idRef") {
        let t = if meta.subs.contains_key(id) {
            Target::Submodel(id.to_string())
        } else {
            Target::Id(id.to_string())
        };
        return match nested {
            None => Ok(meta.alias(t)),
            Some(n) => descend(t, n, meta),
        };
    }
    if let Some(id) = attr(r, "metaIdRef") {
        return match nested {
            None => Ok(Target::MetaId(id.to_string())),
            Some(_) => Err(RefError::NotSubmodel(format!("metaid '{id}'"))),
        };
    }
    if attr(r, "unitRef").is_some() {
        return Ok(Target::Unit);
    }
    Err(RefError::Empty)
}

/// Follows a nested `sBaseRef` below the submodel `t`.
fn descend(t: Target, nested: &Element, meta: &Meta) -> Result<Target, RefError> {
    let Target::Submodel(sub) = t else {
        return Err(RefError::NotSubmodel(format!("{t:?}")));
    };
    // A port may point at a nested submodel: walk its prefixed path, then
    // come back up through each level's aliases.
    let parts: Vec<&str> = sub.split("__").collect();
    let mut metas = vec![meta];
    for part in &parts {
        let m = metas[metas.len() - 1]
            .subs
            .get(*part)
            .ok_or_else(|| RefError::Unknown(format!("submodel '{sub}'")))?;
        metas.push(m);
    }
    let mut t = resolve(nested, metas[parts.len()])?;
    for (m, part) in metas.iter().zip(&parts).rev() {
        t = m.alias(t.through(part));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::xml::{parse, Locator};

    #[test]
    fn nested_references_through_ports_and_submodels() -> crate::error::Result<()> {
        let inner = Meta {
            ports: HashMap::from([("p".to_string(), Target::Id("x".into()))]),
            subs: HashMap::new(),
            aliases: HashMap::from([("z".to_string(), "x".to_string())]),
        };
        let meta = Meta {
            ports: HashMap::from([("q".to_string(), Target::Submodel("B".into()))]),
            subs: HashMap::from([("B".to_string(), inner)]),
            aliases: HashMap::from([("B__x".to_string(), "w".to_string())]),
        };
        let text = r#"<r xmlns:c="urn:c" c:idRef="B"><sBaseRef c:portRef="p"/></r>"#;
        let r = parse(text, &Locator::new(Path::new("t.xml"), text))?;
        assert_eq!(resolve(&r, &meta).ok(), Some(Target::Id("w".into())));
        let text = r#"<r xmlns:c="urn:c" c:idRef="B"><sBaseRef c:idRef="z"/></r>"#;
        let r = parse(text, &Locator::new(Path::new("t.xml"), text))?;
        assert_eq!(resolve(&r, &meta).ok(), Some(Target::Id("w".into())));
        let text = r#"<r c:portRef="q"><sBaseRef c:idRef="y"/></r>"#;
        let r = parse(text, &Locator::new(Path::new("t.xml"), text))?;
        assert_eq!(resolve(&r, &meta).ok(), Some(Target::Id("B__y".into())));
        let text = r#"<r c:portRef="nope"/>"#;
        let r = parse(text, &Locator::new(Path::new("t.xml"), text))?;
        assert!(matches!(resolve(&r, &meta), Err(RefError::Unknown(_))));
        Ok(())
    }
}
