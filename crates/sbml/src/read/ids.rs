//! Identifier bookkeeping: declarations (with their kind) and uses, checked
//! once the whole model is read so that order in the file does not matter.

use super::Ctx;
use crate::error::{Error, Result};
use crate::xml::Element;

/// What an SId names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Compartment,
    Species,
    Parameter,
    SpeciesReference,
    Reaction,
    Function,
    Event,
    Modifier,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Compartment => "compartment",
            Kind::Species => "species",
            Kind::Parameter => "parameter",
            Kind::SpeciesReference => "species reference",
            Kind::Reaction => "reaction",
            Kind::Function => "function definition",
            Kind::Event => "event",
            Kind::Modifier => "modifier species reference",
        }
    }
}

/// What a use of an id requires it to name.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Need {
    /// A value in math: compartment, species, parameter, species reference or reaction.
    Math,
    /// Something rules, assignments and events may set (not a reaction).
    Target(&'static str),
    /// A compartment.
    Compartment(&'static str),
    /// A species.
    Species(&'static str),
    /// A parameter.
    Parameter(&'static str),
}

impl Need {
    fn context(self) -> &'static str {
        match self {
            Need::Math => "math",
            Need::Target(c) | Need::Compartment(c) | Need::Species(c) | Need::Parameter(c) => c,
        }
    }

    fn allows(self, kind: Kind) -> bool {
        use Kind::*;
        match self {
            Need::Math => matches!(
                kind,
                Compartment | Species | Parameter | SpeciesReference | Reaction
            ),
            Need::Target(_) => matches!(kind, Compartment | Species | Parameter | SpeciesReference),
            Need::Compartment(_) => kind == Compartment,
            Need::Species(_) => kind == Species,
            Need::Parameter(_) => kind == Parameter,
        }
    }

    fn expected(self) -> &'static str {
        match self {
            Need::Math => "a compartment, species, parameter, species reference or reaction",
            Need::Target(_) => "a compartment, species, parameter or species reference",
            Need::Compartment(_) => "a compartment",
            Need::Species(_) => "a species",
            Need::Parameter(_) => "a parameter",
        }
    }
}

/// One identifier use.
pub(super) struct Use {
    id: String,
    pos: usize,
    need: Need,
}

impl Ctx<'_> {
    /// Declares an SId, rejecting duplicates.
    pub(super) fn declare(&mut self, id: &str, e: &Element, kind: Kind) -> Result<()> {
        if let Some(&(first, _)) = self.ids.get(id) {
            return Err(Error::DuplicateId {
                at: self.at(e.pos),
                id: id.to_string(),
                first: Box::new(self.at(first)),
            });
        }
        self.ids.insert(id.to_string(), (e.pos, kind));
        Ok(())
    }

    /// Records that `id` must be declared somewhere in the model, as `need` says.
    pub(super) fn use_id(&mut self, id: &str, pos: usize, need: Need) {
        self.uses.push(Use {
            id: id.to_string(),
            pos,
            need,
        });
    }

    /// Checks every recorded use against the declarations.
    pub(super) fn check_uses(&self) -> Result<()> {
        for u in &self.uses {
            match self.ids.get(&u.id) {
                None => {
                    return Err(Error::UnknownId {
                        at: self.at(u.pos),
                        id: u.id.clone(),
                        context: u.need.context().into(),
                    })
                }
                Some(&(_, kind)) if !u.need.allows(kind) => {
                    return Err(Error::Unexpected {
                        at: self.at(u.pos),
                        expected: format!("{} id in {}", u.need.expected(), u.need.context()),
                        found: format!("'{}', a {}", u.id, kind.noun()),
                    })
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}
