//! `NNNNN-results.csv`: a table with a `time` column and one column per variable.

use std::path::Path;

use senmet_core::Location;

use super::Error;

/// A results table: column names (the first is `time`) and rows of numbers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Results {
    /// Column names as in the header.
    pub columns: Vec<String>,
    /// Rows, each with one value per column.
    pub rows: Vec<Vec<f64>>,
}

impl Results {
    /// Parses CSV text; `NaN`, `INF` and `-INF` are accepted in any case.
    ///
    /// # Errors
    ///
    /// [`Error::Parse`] naming the line and column of a bad cell or a row
    /// of the wrong length.
    ///
    /// # Examples
    ///
    /// ```
    /// let r = senmet_sbml::suite::Results::parse("time,X\n0,NaN\n1,-inf\n", "r.csv".as_ref())?;
    /// assert!(r.rows[0][1].is_nan());
    /// assert_eq!(r.column("X"), Some(1));
    /// # Ok::<(), senmet_sbml::suite::Error>(())
    /// ```
    pub fn parse(text: &str, path: &Path) -> Result<Results, Error> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let Some((_, header)) = lines.next() else {
            return Err(Error::Parse {
                at: Location::new(path).with_line(1),
                expected: "a header line".into(),
                found: "an empty file".into(),
            });
        };
        let columns: Vec<String> = header.split(',').map(|c| c.trim().to_string()).collect();
        let mut rows = Vec::new();
        for (i, line) in lines {
            let at = |col: usize| {
                Location::new(path)
                    .with_line(i as u64 + 1)
                    .with_column(col as u64)
            };
            let cells: Vec<&str> = line.split(',').collect();
            if cells.len() != columns.len() {
                return Err(Error::Parse {
                    at: at(1),
                    expected: format!("{} values", columns.len()),
                    found: format!("{}", cells.len()),
                });
            }
            let mut row = Vec::with_capacity(cells.len());
            let mut col = 1;
            for cell in cells {
                let v = cell.trim().parse::<f64>().map_err(|_| Error::Parse {
                    at: at(col),
                    expected: "a number, NaN, INF or -INF".into(),
                    found: format!("'{}'", cell.trim()),
                })?;
                row.push(v);
                col += cell.chars().count() + 1;
            }
            rows.push(row);
        }
        Ok(Results { columns, rows })
    }

    /// The index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_values_any_case() -> Result<(), Error> {
        let r = Results::parse("time, A ,B\n0,nan,INF\n1,NaN,-Inf\n", Path::new("r.csv"))?;
        assert_eq!(r.columns, ["time", "A", "B"]);
        assert!(r.rows[1][1].is_nan());
        assert_eq!(r.rows[0][2], f64::INFINITY);
        assert_eq!(r.rows[1][2], f64::NEG_INFINITY);
        Ok(())
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = Results::parse("time,A\n0,1\n1,x\n", Path::new("r.csv")).unwrap_err();
        assert!(
            err.to_string().starts_with("r.csv:3:3: expected a number"),
            "{err}"
        );
        let err = Results::parse("time,A\n0\n", Path::new("r.csv")).unwrap_err();
        assert!(
            err.to_string().starts_with("r.csv:2:1: expected 2 values"),
            "{err}"
        );
        assert!(Results::parse("", Path::new("r.csv")).is_err());
    }
}
