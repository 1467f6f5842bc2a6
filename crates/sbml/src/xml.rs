//! A small element tree over quick-xml, with byte positions for locations.
//!
//! SBML files are small enough (kilobytes to a few megabytes) that building a
//! tree first keeps the SBML logic simple. `notes` and `annotation` subtrees
//! are checked for well-formedness but not kept.

use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use senmet_core::Location;

use crate::error::{Error, Result};

/// Deepest element nesting accepted; guards the recursive readers. Twice
/// the MathML expression limit plus room, as `<piecewise><piece>` nests two
/// elements per expression level.
pub(crate) const MAX_DEPTH: usize = 1024;

/// An XML element.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    /// Local name (prefix removed).
    pub name: String,
    /// Attributes as written (qualified names), unescaped values.
    pub attrs: Vec<(String, String)>,
    /// Child elements and non-blank text, in order.
    pub children: Vec<Node>,
    /// Byte offset of the `<` that opens the element.
    pub pos: usize,
}

/// A child of an element.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// An element.
    Elem(Element),
    /// Non-blank text.
    Text(String),
}

impl Element {
    /// The value of an attribute by qualified name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Elem(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first child element with a local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// All text directly inside, concatenated.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Elem(_) => None,
            })
            .collect()
    }
}

/// Turns byte offsets into `path:line:col` locations (1-based, columns in characters).
pub(crate) struct Locator<'a> {
    path: &'a Path,
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Locator<'a> {
    /// A locator over `text`, read from `path`.
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Self {
            path,
            text,
            line_starts,
        }
    }

    /// The location of a byte offset.
    pub fn at(&self, pos: usize) -> Location {
        let pos = pos.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= pos);
        let start = self.line_starts[line.saturating_sub(1)];
        let col = self
            .text
            .get(start..pos)
            .map_or(pos - start, |s| s.chars().count());
        Location::new(self.path)
            .with_line(line as u64)
            .with_column(col as u64 + 1)
    }
}

/// Parses a whole document and returns its root element.
pub(crate) fn parse(text: &str, loc: &Locator<'_>) -> Result<Element> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut tree = Tree::default();
    let xml_err = |reader: &Reader<&[u8]>, source| Error::Xml {
        at: loc.at(reader.error_position() as usize),
        source,
    };
    loop {
        let pos = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| xml_err(&reader, e))?;
        let done = match event {
            Event::Start(s) => {
                tree.open(&s, pos, loc)
                    .map_err(|e| e.or_xml(&reader, loc))?;
                None
            }
            Event::End(_) => tree.close(),
            Event::Empty(s) => {
                tree.open(&s, pos, loc)
                    .map_err(|e| e.or_xml(&reader, loc))?;
                tree.close()
            }
            Event::Text(t) => {
                let t = t.unescape().map_err(|e| xml_err(&reader, e))?;
                tree.text(&t);
                None
            }
            Event::CData(c) => {
                tree.text(&String::from_utf8_lossy(&c));
                None
            }
            Event::Eof => {
                return Err(Error::Unexpected {
                    at: loc.at(text.len()),
                    expected: "an xml element".into(),
                    found: "end of file".into(),
                })
            }
            _ => None,
        };
        if let Some(root) = done {
            return Ok(root);
        }
    }
}

/// An error while opening an element: bad attributes or too deep.
enum OpenError {
    Xml(quick_xml::Error),
    Sbml(Error),
}

impl OpenError {
    fn or_xml(self, reader: &Reader<&[u8]>, loc: &Locator<'_>) -> Error {
        match self {
            OpenError::Xml(source) => Error::Xml {
                at: loc.at(reader.error_position() as usize),
                source,
            },
            OpenError::Sbml(e) => e,
        }
    }
}

/// The elements open so far.
#[derive(Default)]
struct Tree {
    stack: Vec<Element>,
    /// Depth inside a `notes` or `annotation` subtree that is being skipped.
    skipping: usize,
}

impl Tree {
    fn open(&mut self, s: &BytesStart<'_>, pos: usize, loc: &Locator<'_>) -> Result<(), OpenError> {
        if self.skipping > 0 || is_skipped(s) {
            self.skipping += 1;
            return Ok(());
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(OpenError::Sbml(Error::Limit {
                at: loc.at(pos),
                what: "element nesting".into(),
                limit: MAX_DEPTH,
            }));
        }
        self.stack.push(element(s, pos).map_err(OpenError::Xml)?);
        Ok(())
    }

    /// Closes the innermost element; returns the root when it closes.
    fn close(&mut self) -> Option<Element> {
        if self.skipping > 0 {
            self.skipping -= 1;
            return None;
        }
        let done = self.stack.pop()?;
        match self.stack.last_mut() {
            Some(parent) => {
                parent.children.push(Node::Elem(done));
                None
            }
            None => Some(done),
        }
    }

    fn text(&mut self, t: &str) {
        if let (0, Some(parent), false) =
            (self.skipping, self.stack.last_mut(), t.trim().is_empty())
        {
            parent.children.push(Node::Text(t.to_string()));
        }
    }
}

fn is_skipped(s: &BytesStart<'_>) -> bool {
    matches!(
        s.local_name().as_ref(),
        b"notes" | b"annotation" | b"annotation-xml"
    )
}

fn element(s: &BytesStart<'_>, pos: usize) -> Result<Element, quick_xml::Error> {
    let name = String::from_utf8_lossy(s.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in s.attributes() {
        let a = a?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        attrs.push((key, a.unescape_value()?.into_owned()));
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
        pos,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_tree_without_annotations() -> Result<()> {
        let text = "<a x=\"1 &amp; 2\">\n <annotation><q/></annotation><b>hi</b><c/></a>";
        let loc = Locator::new(Path::new("t.xml"), text);
        let root = parse(text, &loc)?;
        assert_eq!(root.name, "a");
        assert_eq!(root.attr("x"), Some("1 & 2"));
        let names: Vec<_> = root.elements().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["b", "c"]);
        let b = root
            .child("b")
            .map(|b| (b.text(), loc.at(b.pos).to_string()));
        assert_eq!(b, Some(("hi".to_string(), "t.xml:2:31".to_string())));
        Ok(())
    }

    #[test]
    fn malformed_xml_reports_line_and_column() {
        let text = "<a>\n  <b></c>\n</a>";
        let loc = Locator::new(Path::new("bad.xml"), text);
        let err = parse(text, &loc).unwrap_err();
        assert!(matches!(err, Error::Xml { .. }), "{err:?}");
        assert_eq!(
            err.location().map(|l| (l.line(), l.column())),
            Some((Some(2), Some(6)))
        );
    }

    #[test]
    fn truncated_document_is_an_error() {
        let text = "<a><b>";
        let loc = Locator::new(Path::new("t.xml"), text);
        assert!(parse(text, &loc).is_err());
    }
}
