//! The errors of reading and writing SBML.

use std::path::PathBuf;

use senmet_core::Location;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong reading or writing SBML.
///
/// Every variant about input carries the [`Location`] (`path:line:col`) of the
/// element concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The output could not be written.
    #[error("cannot write sbml")]
    Write {
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("{at}: expected utf-8 text")]
    Encoding {
        /// Where the first invalid byte is.
        at: Location,
    },
    /// The file is not well-formed XML.
    #[error("{at}: malformed xml")]
    Xml {
        /// Where the parser stopped.
        at: Location,
        /// The parser's complaint.
        #[source]
        source: quick_xml::Error,
    },
    /// A valid SBML construct this reader does not handle.
    #[error("{at}: unsupported {construct}: {reason}")]
    Unsupported {
        /// The element.
        at: Location,
        /// What it is (`algebraicRule`, `package comp`, …).
        construct: String,
        /// Why it is not handled.
        reason: String,
    },
    /// A required attribute is missing.
    #[error("{at}: <{element}> lacks required attribute '{attribute}'")]
    MissingAttribute {
        /// The element.
        at: Location,
        /// Its name.
        element: String,
        /// The attribute expected.
        attribute: String,
    },
    /// A required child element is missing.
    #[error("{at}: <{element}> lacks required child <{child}>")]
    MissingElement {
        /// The parent element.
        at: Location,
        /// Its name.
        element: String,
        /// The child expected.
        child: String,
    },
    /// Something other than what SBML allows was found.
    #[error("{at}: expected {expected}, found {found}")]
    Unexpected {
        /// Where.
        at: Location,
        /// What SBML allows there.
        expected: String,
        /// What was there.
        found: String,
    },
    /// An identifier is used but never declared.
    #[error("{at}: unknown id '{id}' in {context}")]
    UnknownId {
        /// Where it is used.
        at: Location,
        /// The identifier.
        id: String,
        /// What uses it (`math`, `species reference`, …).
        context: String,
    },
    /// An identifier is declared twice.
    #[error("{at}: id '{id}' is already declared at {first}")]
    DuplicateId {
        /// The second declaration.
        at: Location,
        /// The identifier.
        id: String,
        /// The first declaration (boxed to keep the error small).
        first: Box<Location>,
    },
    /// The input exceeds a safety limit (nesting, size of inlined math).
    #[error("{at}: {what} exceeds the limit of {limit}")]
    Limit {
        /// Where.
        at: Location,
        /// What grew too large.
        what: String,
        /// The limit.
        limit: usize,
    },
}

impl Error {
    /// Whether the input is valid SBML that uses a construct this crate does
    /// not support (as opposed to invalid input).
    ///
    /// # Examples
    ///
    /// ```
    /// let xml = r#"<sbml xmlns="http://www.sbml.org/sbml/level1" level="1" version="2"/>"#;
    /// let err = senmet_sbml::read_str(xml, "m.xml".as_ref()).unwrap_err();
    /// assert!(err.is_unsupported());
    /// ```
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Error::Unsupported { .. })
    }

    /// The location of the problem in the input, if the error has one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Io { .. } | Error::Write { .. } => None,
            Error::Encoding { at }
            | Error::Xml { at, .. }
            | Error::Unsupported { at, .. }
            | Error::MissingAttribute { at, .. }
            | Error::MissingElement { at, .. }
            | Error::Unexpected { at, .. }
            | Error::UnknownId { at, .. }
            | Error::DuplicateId { at, .. }
            | Error::Limit { at, .. } => Some(at),
        }
    }
}
