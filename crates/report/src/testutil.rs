//! Checks shared by the unit tests.

use quick_xml::events::Event;
use quick_xml::Reader;

/// Parses `doc` as XML (the report and the plots are written to be well-formed XML as well
/// as HTML) and returns the element names in document order; fails on unbalanced or
/// mismatched tags and on malformed entities.
pub(crate) fn elements(doc: &str) -> Result<Vec<String>, String> {
    let mut reader = Reader::from_str(doc);
    let mut depth = 0usize;
    let mut names = Vec::new();
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => {
                depth += 1;
                names.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
            }
            Event::Empty(e) => names.push(String::from_utf8_lossy(e.name().as_ref()).into_owned()),
            Event::End(_) => depth = depth.checked_sub(1).ok_or("extra end tag")?,
            Event::Text(t) => {
                t.unescape().map_err(|e| e.to_string())?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth == 0 {
        Ok(names)
    } else {
        Err(format!("{depth} unclosed elements"))
    }
}

/// Fails unless `doc` fetches nothing: no scripts, style sheets, images or `url(…)`
/// references, and no web address other than the SVG namespace.
pub(crate) fn assert_offline(doc: &str) {
    let lower = doc.to_lowercase();
    for banned in [
        "<script", "<link", "url(", "<img", "<iframe", "@import", "src=",
    ] {
        assert!(!lower.contains(banned), "found {banned:?}");
    }
    let web = lower.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(
        !web.contains("http:") && !web.contains("https:"),
        "a web address"
    );
}
