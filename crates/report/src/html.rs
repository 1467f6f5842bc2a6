//! The report document: sections of paragraphs, lists, tables and figures, rendered as one
//! self-contained HTML page (inline CSS, inline SVG, no scripts, no external resources).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use crate::table::Table;
use crate::ReportError;

/// The page's style sheet, inlined into every report.
const STYLE: &str = include_str!("style.css");

/// A report: a title, optional table of contents, sections in order and an optional footer.
///
/// # Examples
///
/// ```
/// use senmet_report::Report;
///
/// let mut report = Report::new("Run summary");
/// report.toc().footer("senmet 0.1.0, seed 42");
/// report.section("Inputs").paragraph("Model: example <v1>");
/// let html = report.to_html();
/// assert!(html.contains("Model: example &lt;v1&gt;"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Report {
    title: String,
    sections: Vec<Section>,
    toc: bool,
    footer: Option<String>,
}

/// One section of a report: a heading and its blocks, in the order they were added.
#[derive(Debug, Clone, Default)]
pub struct Section {
    heading: String,
    blocks: Vec<Block>,
}

/// One piece of a section's content.
#[derive(Debug, Clone)]
enum Block {
    Paragraph(String),
    List(Vec<String>),
    Table(Table),
    Figure { svg: String, caption: String },
}

impl Report {
    /// An empty report with this title (no table of contents, no footer).
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }

    /// Appends a section with this heading and returns it to be filled.
    pub fn section(&mut self, heading: impl Into<String>) -> &mut Section {
        self.sections.push(Section {
            heading: heading.into(),
            blocks: Vec::new(),
        });
        // Cannot fail: a section was pushed on the line above.
        self.sections.last_mut().expect("a section was just pushed")
    }

    /// Shows a table of contents (links to every section) under the title.
    pub fn toc(&mut self) -> &mut Self {
        self.toc = true;
        self
    }

    /// Sets the footer line (plain text, escaped), e.g. the version, seed and command.
    pub fn footer(&mut self, text: impl Into<String>) -> &mut Self {
        self.footer = Some(text.into());
        self
    }

    /// The whole report as one HTML page.
    pub fn to_html(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        let title = escape(&self.title);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
             <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
             <header>\n<h1>{title}</h1>\n</header>\n"
        );
        if self.toc && !self.sections.is_empty() {
            out.push_str("<nav class=\"toc\">\n<h2>Contents</h2>\n<ol>\n");
            for (i, s) in self.sections.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "<li><a href=\"#{}\">{}</a></li>",
                    section_id(i),
                    escape(&s.heading)
                );
            }
            out.push_str("</ol>\n</nav>\n");
        }
        out.push_str("<main>\n");
        for (i, s) in self.sections.iter().enumerate() {
            s.render(&section_id(i), &mut out);
        }
        out.push_str("</main>\n");
        if let Some(footer) = &self.footer {
            let _ = writeln!(out, "<footer>{}</footer>", escape(footer));
        }
        out.push_str("</body>\n</html>\n");
        out
    }

    /// Writes the report to `path` atomically: a temporary file in the same directory is
    /// written, synced and then renamed over `path`, so readers never see a partial report.
    ///
    /// # Errors
    ///
    /// [`ReportError::Io`] naming `path` when the directory is not writable or the rename fails.
    pub fn write(&self, path: &Path) -> Result<(), ReportError> {
        let io_err = |source| ReportError::Io {
            path: path.to_path_buf(),
            source,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".report-").suffix(".html.tmp");
        // A report is for sharing: readable as any new file would be (the umask applies),
        // not owner-only as temporary files are by default.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let mut tmp = builder.tempfile_in(dir).map_err(io_err)?;
        tmp.write_all(self.to_html().as_bytes()).map_err(io_err)?;
        tmp.as_file().sync_all().map_err(io_err)?;
        tmp.persist(path).map_err(|e| io_err(e.error))?;
        Ok(())
    }
}

impl Section {
    /// Adds a paragraph of plain text (HTML-escaped; blank lines do not split it).
    pub fn paragraph(&mut self, text: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Paragraph(text.into()));
        self
    }

    /// Adds a bullet list; each item is plain text (HTML-escaped).
    pub fn list(&mut self, items: Vec<String>) -> &mut Self {
        self.blocks.push(Block::List(items));
        self
    }

    /// Adds a table (see [`Table`] for how cells are shown).
    pub fn table(&mut self, table: Table) -> &mut Self {
        self.blocks.push(Block::Table(table));
        self
    }

    /// Adds a figure: an SVG document (as returned by the [`plot`](crate::plot) functions)
    /// embedded inline, with a plain-text caption under it.
    ///
    /// The SVG is inserted as it is (an XML declaration at its start is dropped), so it must
    /// come from a trusted source such as this crate's plot functions. Consecutive figures of a
    /// section are laid out in a grid: two columns on wide screens, one on narrow screens and
    /// in print.
    pub fn figure(&mut self, svg: String, caption: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Figure {
            svg,
            caption: caption.into(),
        });
        self
    }

    fn render(&self, id: &str, out: &mut String) {
        let _ = writeln!(
            out,
            "<section id=\"{id}\">\n<h2>{}</h2>",
            escape(&self.heading)
        );
        let mut in_grid = false;
        for block in &self.blocks {
            let is_figure = matches!(block, Block::Figure { .. });
            if is_figure && !in_grid {
                out.push_str("<div class=\"figures\">\n");
            } else if !is_figure && in_grid {
                out.push_str("</div>\n");
            }
            in_grid = is_figure;
            block.render(out);
        }
        if in_grid {
            out.push_str("</div>\n");
        }
        out.push_str("</section>\n");
    }
}

impl Block {
    fn render(&self, out: &mut String) {
        match self {
            Block::Paragraph(text) => {
                let _ = writeln!(out, "<p>{}</p>", escape(text));
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(out, "<li>{}</li>", escape(item));
                }
                out.push_str("</ul>\n");
            }
            Block::Table(table) => table.render(out),
            Block::Figure { svg, caption } => {
                let _ = writeln!(
                    out,
                    "<figure>\n{}\n<figcaption>{}</figcaption>\n</figure>",
                    strip_xml_declaration(svg).trim(),
                    escape(caption)
                );
            }
        }
    }
}

/// The anchor of the `i`-th section (0-based), used by the table of contents.
fn section_id(i: usize) -> String {
    format!("section-{}", i + 1)
}

/// Drops a leading `<?xml …?>` declaration, which is not allowed inside HTML.
fn strip_xml_declaration(svg: &str) -> &str {
    let s = svg.trim_start();
    match s
        .strip_prefix("<?xml")
        .and_then(|rest| rest.find("?>").map(|end| (rest, end)))
    {
        Some((rest, end)) => &rest[end + 2..],
        None => s,
    }
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_offline, elements};

    fn sample() -> Report {
        let mut r = Report::new("Title <1> & \"2\"");
        r.toc().footer("v0.1 <seed> & 'cmd'");
        r.section("First <h>")
            .paragraph("a < b && c > \"d\"")
            .list(vec!["<li>".into(), "x & y".into()])
            .figure(
                "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>".into(),
                "f1 <c>",
            )
            .figure(
                "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>".into(),
                "f2",
            )
            .paragraph("after");
        r.section("Second").table(Table {
            header: vec!["name".into(), "value".into(), "<th>".into()],
            rows: vec![
                vec!["<td>".into(), "1.5e-3".into()],
                vec!["PTEN".into(), "-2".into(), "35%".into(), "extra".into()],
            ],
        });
        r
    }

    #[test]
    fn the_page_is_well_formed_and_offline() -> Result<(), String> {
        let html = sample().to_html();
        let names = elements(&html)?;
        assert_eq!(names.iter().filter(|n| *n == "section").count(), 2);
        assert_eq!(names.iter().filter(|n| *n == "figure").count(), 2);
        assert_offline(&html);
        assert!(!html.contains("<?xml"));
        Ok(())
    }

    #[test]
    fn a_report_with_every_plot_is_well_formed_and_offline(
    ) -> Result<(), Box<dyn std::error::Error>> {
        use crate::plot::{self, Group, Series, Step};
        let groups = [Group {
            label: "g".into(),
            values: vec![1.0, 2.0],
        }];
        let series = [Series {
            label: "s".into(),
            x: vec![0.0, 1.0],
            y: vec![1.0, 2.0],
            band: None,
        }];
        let curve = Step {
            label: "c".into(),
            time: vec![1.0],
            survival: vec![0.5],
            ..Step::default()
        };
        let mut r = sample();
        r.section("Plots")
            .figure(plot::box_strip("b", "y", &groups, true)?, "box")
            .figure(plot::lines("l", "x", "y", &series, false)?, "lines")
            .figure(plot::km("k", "t", &[curve])?, "km")
            .figure(plot::bars("r", "x", &["a".into()], &[1.0], None)?, "bars");
        let html = r.to_html();
        let names = elements(&html)?;
        assert_eq!(names.iter().filter(|n| *n == "svg").count(), 6);
        assert_offline(&html);
        Ok(())
    }

    #[test]
    fn text_is_escaped_everywhere() {
        let html = sample().to_html();
        for escaped in [
            "<title>Title &lt;1&gt; &amp; &quot;2&quot;</title>",
            "<h2>First &lt;h&gt;</h2>",
            "<p>a &lt; b &amp;&amp; c &gt; &quot;d&quot;</p>",
            "<li>&lt;li&gt;</li>",
            "<li>x &amp; y</li>",
            "<figcaption>f1 &lt;c&gt;</figcaption>",
            "\">&lt;th&gt;</th>",
            "<td>&lt;td&gt;</td>",
            "<footer>v0.1 &lt;seed&gt; &amp; &#39;cmd&#39;</footer>",
        ] {
            assert!(html.contains(escaped), "missing {escaped}");
        }
    }

    #[test]
    fn layout_groups_figures_and_links_sections() {
        let html = sample().to_html();
        // The two consecutive figures share one grid; the paragraph after closes it.
        assert_eq!(html.matches("<div class=\"figures\">").count(), 1);
        let grid = html.find("<div class=\"figures\">").unwrap_or(0);
        let after = html.find("<p>after</p>").unwrap_or(0);
        assert!(grid < after && html[grid..after].matches("<figure>").count() == 2);
        assert!(html.contains("<a href=\"#section-2\">Second</a>"));
        assert!(html.contains("<section id=\"section-2\">"));
        // Rows are padded to the widest row; numbers are right-aligned.
        assert!(html.contains("<td class=\"num\">1.5e-3</td><td></td><td></td></tr>"));
        assert!(html.contains("<td class=\"num\">-2</td><td class=\"num\">35%</td><td>extra</td>"));
        assert!(html.contains("<th scope=\"col\"></th></tr>"));
        // Column 2 holds only numbers; column 1 does not.
        assert!(html.contains("<th scope=\"col\" class=\"num\">value</th>"));
        assert!(html.contains("<th scope=\"col\">name</th>"));
    }

    #[test]
    fn no_toc_or_footer_unless_asked() {
        let mut r = Report::new("t");
        r.section("s").paragraph("p");
        let html = r.to_html();
        assert!(!html.contains("<nav") && !html.contains("<footer"));
    }

    #[test]
    fn write_replaces_the_file_atomically() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("report.html");
        std::fs::write(&path, "old")?;
        let report = sample();
        report.write(&path)?;
        assert_eq!(std::fs::read_to_string(&path)?, report.to_html());
        let names: Vec<_> = std::fs::read_dir(dir.path())?.collect::<Result<_, _>>()?;
        assert_eq!(names.len(), 1, "no temporary file is left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)?.permissions().mode();
            assert_ne!(mode & 0o044, 0, "readable beyond its owner (mode {mode:o})");
        }
        Ok(())
    }

    #[test]
    fn write_errors_name_the_path() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("missing").join("report.html");
        match Report::new("t").write(&path) {
            Err(e @ ReportError::Io { .. }) => {
                assert_eq!(e.to_string(), format!("cannot write {}", path.display()));
                assert!(std::error::Error::source(&e).is_some());
            }
            other => panic!("expected an I/O error, got {other:?}"),
        }
        Ok(())
    }

    #[test]
    fn xml_declarations_are_dropped() {
        assert_eq!(
            strip_xml_declaration("<?xml version=\"1.0\"?><svg/>"),
            "<svg/>"
        );
        assert_eq!(strip_xml_declaration("  <svg/>"), "<svg/>");
        assert_eq!(
            strip_xml_declaration("<?xml never closed"),
            "<?xml never closed"
        );
    }
}
