//! Tables of text cells, rendered as HTML with numeric columns right-aligned.

use std::fmt::Write as _;

use crate::html::escape;

/// A table: a header row and body rows of plain-text cells (all HTML-escaped).
///
/// Cells that look like numbers (`12`, `-0.5`, `1.2e-8`, `NaN`, `inf`, `35%`, `NA`) are
/// right-aligned with tabular digits; rows shorter than the header are padded with empty
/// cells; the header of a column of numbers is right-aligned too. Long tables scroll inside a box of limited height, with the header kept in view;
/// in print the whole table is shown.
///
/// # Examples
///
/// ```
/// use senmet_report::Table;
///
/// let table = Table {
///     header: vec!["gene".into(), "log2 FC".into()],
///     rows: vec![vec!["PTEN".into(), "-1.25".into()]],
/// };
/// assert_eq!(table.rows.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Body rows, one `Vec` of cells per row.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn render(&self, out: &mut String) {
        let width = self
            .rows
            .iter()
            .map(Vec::len)
            .chain(std::iter::once(self.header.len()))
            .max()
            .unwrap_or(0);
        out.push_str("<div class=\"table-wrap\">\n<table>\n");
        if !self.header.is_empty() {
            out.push_str("<thead>\n<tr>");
            for i in 0..width {
                let cell = escape(self.header.get(i).map_or("", String::as_str));
                if self.numeric_column(i) {
                    let _ = write!(out, "<th scope=\"col\" class=\"num\">{cell}</th>");
                } else {
                    let _ = write!(out, "<th scope=\"col\">{cell}</th>");
                }
            }
            out.push_str("</tr>\n</thead>\n");
        }
        out.push_str("<tbody>\n");
        for row in &self.rows {
            out.push_str("<tr>");
            for i in 0..width {
                let cell = row.get(i).map_or("", String::as_str);
                if is_numeric(cell) {
                    let _ = write!(out, "<td class=\"num\">{}</td>", escape(cell));
                } else {
                    let _ = write!(out, "<td>{}</td>", escape(cell));
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n</div>\n");
    }
}

impl Table {
    /// Whether column `i` has a value and every value in it is numeric (its header is then
    /// right-aligned over the numbers).
    fn numeric_column(&self, i: usize) -> bool {
        let mut cells = self
            .rows
            .iter()
            .filter_map(|r| r.get(i))
            .filter(|c| !c.trim().is_empty());
        let first = cells.next();
        first.is_some_and(|c| is_numeric(c)) && cells.all(|c| is_numeric(c))
    }
}

/// Whether a cell reads as a number (optionally followed by `%`) or is `NA`.
fn is_numeric(cell: &str) -> bool {
    let s = cell.trim();
    if s == "NA" {
        return true;
    }
    let s = s.strip_suffix('%').unwrap_or(s);
    !s.is_empty() && s.parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_recognised() {
        for yes in [
            "1", "-0.5", " 2.5e-8 ", "NaN", "inf", "-inf", "35%", "+3", "NA",
        ] {
            assert!(is_numeric(yes), "{yes}");
        }
        for no in ["", "%", "PTEN", "1 2", "1,5", "na", "12 mice"] {
            assert!(!is_numeric(no), "{no}");
        }
    }

    #[test]
    fn an_empty_table_renders_an_empty_body() {
        let mut out = String::new();
        Table::default().render(&mut out);
        assert_eq!(
            out,
            "<div class=\"table-wrap\">\n<table>\n<tbody>\n</tbody>\n</table>\n</div>\n"
        );
    }
}
