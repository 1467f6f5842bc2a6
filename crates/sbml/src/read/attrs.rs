//! Typed attribute access with the defaults of each SBML level.

use super::{Ctx, Kind};
use crate::error::{Error, Result};
use crate::xml::Element;

impl Ctx<'_> {
    /// A required attribute.
    pub(super) fn req<'e>(&self, e: &'e Element, name: &str) -> Result<&'e str> {
        e.attr(name).ok_or_else(|| Error::MissingAttribute {
            at: self.at(e.pos),
            element: e.name.clone(),
            attribute: name.into(),
        })
    }

    /// An optional attribute (`None` also when blank).
    pub(super) fn opt(&self, e: &Element, name: &str) -> Option<String> {
        e.attr(name)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    /// The `name` attribute, as written (names are free text).
    pub(super) fn name(&self, e: &Element) -> Option<String> {
        e.attr("name").map(str::to_string)
    }

    /// A required SId attribute, declared in the model's id space.
    pub(super) fn id(&mut self, e: &Element, name: &str, kind: Kind) -> Result<String> {
        let id = self.req(e, name)?.trim().to_string();
        if id.is_empty() {
            return Err(self.unexpected(e, &format!("an id in '{name}'"), "''"));
        }
        self.declare(&id, e, kind)?;
        Ok(id)
    }

    /// An optional number.
    pub(super) fn num(&self, e: &Element, name: &str) -> Result<Option<f64>> {
        match e.attr(name) {
            None => Ok(None),
            Some(s) => s.trim().parse().map(Some).map_err(|_| {
                self.unexpected(e, &format!("a number in '{name}'"), &format!("'{s}'"))
            }),
        }
    }

    /// A boolean; required in Level 3, `l2_default` when absent in Level 2.
    pub(super) fn flag(&self, e: &Element, name: &str, l2_default: bool) -> Result<bool> {
        match e.attr(name) {
            None if self.level < 3 => Ok(l2_default),
            None => self.req(e, name).map(|_| false),
            Some(s) => self.boolean(e, name, s),
        }
    }

    /// An optional boolean with a default in every level.
    pub(super) fn flag_or(&self, e: &Element, name: &str, default: bool) -> Result<bool> {
        match e.attr(name) {
            None => Ok(default),
            Some(s) => self.boolean(e, name, s),
        }
    }

    fn boolean(&self, e: &Element, name: &str, s: &str) -> Result<bool> {
        match s.trim() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(self.unexpected(e, &format!("true or false in '{name}'"), &format!("'{s}'"))),
        }
    }
}
