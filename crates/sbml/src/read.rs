//! Reading SBML Level 2 (versions 4, 5) and Level 3 (versions 1, 2) into a [`Network`].

mod algebraic;
mod attrs;
mod comp;
mod event;
mod ids;
mod mathml;
mod model;
mod reaction;

use std::collections::HashMap;
use std::path::Path;

use senmet_core::Location;
use senmet_engine::Network;

use crate::error::{Error, Result};
use crate::xml::{self, Element, Locator};
use ids::{Kind, Use};

/// Reads an SBML file.
///
/// # Errors
///
/// [`Error::Io`] if the file cannot be read, [`Error::Unsupported`] for valid
/// SBML this crate does not handle, and the other variants for invalid input,
/// each with the file, line and column.
pub fn read_path(path: &Path) -> Result<Network> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => read_str(&text, path),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            // Cannot fail: the prefix up to `valid_up_to` is valid UTF-8.
            let prefix = std::str::from_utf8(&e.as_bytes()[..valid]).expect("valid prefix");
            Err(Error::Encoding {
                at: Locator::new(path, prefix).at(valid),
            })
        }
    }
}

/// Reads SBML from a string; `origin` names it in error locations.
///
/// # Examples
///
/// ```
/// let xml = r#"<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2">
///   <model><listOfParameters><parameter id="k" value="2" constant="true"/></listOfParameters></model>
/// </sbml>"#;
/// let net = senmet_sbml::read_str(xml, "inline.xml".as_ref())?;
/// assert_eq!(net.parameters[0].value, Some(2.0));
/// # Ok::<(), senmet_sbml::Error>(())
/// ```
///
/// # Errors
///
/// As [`read_path`], without [`Error::Io`].
pub fn read_str(text: &str, origin: &Path) -> Result<Network> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let loc = Locator::new(origin, text);
    let root = xml::parse(text, &loc)?;
    let flat;
    let root = if comp_only(&root) {
        flat = comp::flatten(&root, &loc, origin)?;
        &flat
    } else {
        &root
    };
    let mut cx = Ctx::new(loc);
    model::document(&mut cx, root)
}

/// Whether a Level 3 document uses comp and no other package: such models
/// are flattened first; any other package stays unsupported.
fn comp_only(root: &xml::Element) -> bool {
    root.attr("level").map(str::trim) == Some("3")
        && comp::uses_comp(root)
        && model::find_package(root, Some(comp::COMP_NS)).is_none()
}

/// State shared while reading one document.
pub(crate) struct Ctx<'a> {
    loc: Locator<'a>,
    /// SBML level (2 or 3).
    level: u32,
    /// SBML version within the level.
    version: u32,
    /// Function definitions by id.
    funcs: HashMap<String, &'a Element>,
    /// Declared SIds, where and what they name.
    ids: HashMap<String, (usize, Kind)>,
    /// Uses of ids, checked at the end.
    uses: Vec<Use>,
    /// Expression nodes produced so far (bounds inlining).
    nodes: usize,
}

impl<'a> Ctx<'a> {
    fn new(loc: Locator<'a>) -> Self {
        Self {
            loc,
            level: 3,
            version: 2,
            funcs: HashMap::new(),
            ids: HashMap::new(),
            uses: Vec::new(),
            nodes: 0,
        }
    }

    /// The location of a byte offset.
    fn at(&self, pos: usize) -> Location {
        self.loc.at(pos)
    }

    fn unsupported(&self, e: &Element, construct: String, reason: &str) -> Error {
        Error::Unsupported {
            at: self.at(e.pos),
            construct,
            reason: reason.into(),
        }
    }

    fn unexpected(&self, e: &Element, expected: &str, found: &str) -> Error {
        Error::Unexpected {
            at: self.at(e.pos),
            expected: expected.into(),
            found: found.into(),
        }
    }

    fn missing_child(&self, e: &Element, child: &str) -> Error {
        Error::MissingElement {
            at: self.at(e.pos),
            element: e.name.clone(),
            child: child.into(),
        }
    }

    fn limit(&self, e: &Element, what: &str, limit: usize) -> Error {
        Error::Limit {
            at: self.at(e.pos),
            what: what.into(),
            limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_that_cannot_be_read_or_decoded() -> Result<(), Box<dyn std::error::Error>> {
        let missing = Path::new("/nonexistent/senmet/model.xml");
        assert!(matches!(read_path(missing), Err(Error::Io { path, .. }) if path == missing));
        let path =
            std::env::temp_dir().join(format!("senmet-sbml-latin1-{}.xml", std::process::id()));
        std::fs::write(&path, b"<sbml>\n  <model name=\"caf\xe9\"/>")?;
        let err = read_path(&path);
        std::fs::remove_file(&path)?;
        let at = err
            .err()
            .and_then(|e| e.location().map(|l| (l.line(), l.column())));
        assert_eq!(at, Some((Some(2), Some(19))));
        Ok(())
    }

    #[test]
    fn byte_order_mark_is_skipped() -> Result<()> {
        let xml = "\u{feff}<sbml xmlns=\"http://www.sbml.org/sbml/level3/version2/core\" level=\"3\" version=\"2\"><model id=\"m\"/></sbml>";
        assert_eq!(
            read_str(xml, Path::new("bom.xml"))?.id.as_deref(),
            Some("m")
        );
        Ok(())
    }
}
