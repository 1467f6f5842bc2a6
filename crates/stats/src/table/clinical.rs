//! The clinical table: one row per sample.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use super::{is_missing, Lines};
use crate::{Error, Result};

/// Which columns of a clinical table hold what. Defaults: sample id in the
/// first column, `age`, `metastasis`, `cancer_type`, no survival columns.
#[derive(Debug, Clone)]
pub struct ClinicalColumns {
    /// Sample id column; `None` means the first column.
    pub sample: Option<String>,
    /// Age at diagnosis (numeric).
    pub age: String,
    /// Metastasis status: 0/1, yes/no, true/false, M0/M1 (M1a… count as M1, MX as missing).
    pub metastasis: String,
    /// Cancer type; `None` puts every sample in one group named `all`. A
    /// missing cell puts the sample in a group named `unknown`.
    pub cancer_type: Option<String>,
    /// Follow-up time (numeric, non-negative).
    pub time: Option<String>,
    /// Event indicator: 0/1, yes/no, true/false.
    pub event: Option<String>,
}

impl Default for ClinicalColumns {
    fn default() -> Self {
        Self {
            sample: None,
            age: "age".into(),
            metastasis: "metastasis".into(),
            cancer_type: Some("cancer_type".into()),
            time: None,
            event: None,
        }
    }
}

/// One sample's clinical data; a missing cell is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClinicalRecord {
    /// Sample id.
    pub sample: String,
    /// Cancer type (`all` when no type column was named, `unknown` for a missing cell).
    pub cancer_type: String,
    /// Age.
    pub age: Option<f64>,
    /// Metastatic (`true`) or not.
    pub metastasis: Option<bool>,
    /// Follow-up time.
    pub time: Option<f64>,
    /// Event observed (`true`) or censored.
    pub event: Option<bool>,
}

/// A clinical table.
#[derive(Debug, Clone, Default)]
pub struct Clinical {
    records: Vec<ClinicalRecord>,
}

/// Column indices resolved from the header.
struct Resolved {
    sample: usize,
    age: usize,
    metastasis: usize,
    cancer_type: Option<usize>,
    time: Option<usize>,
    event: Option<usize>,
}

impl Clinical {
    /// Reads a clinical table with a header line.
    ///
    /// # Errors
    ///
    /// A named column absent from the header, an unparsable cell (naming its
    /// line and field), a repeated sample id, a row of the wrong width.
    ///
    /// # Examples
    ///
    /// ```
    /// use senmet_stats::table::{Clinical, ClinicalColumns};
    /// let tsv = "id\tage\tmetastasis\tcancer_type\nS1\t61\tM1\tliver\nS2\tNA\tno\tliver\n";
    /// let c = Clinical::read(tsv.as_bytes(), "c.tsv".as_ref(), &ClinicalColumns::default())?;
    /// assert_eq!(c.records()[0].metastasis, Some(true));
    /// assert_eq!(c.records()[1].age, None);
    /// # Ok::<(), senmet_stats::Error>(())
    /// ```
    pub fn read<R: BufRead>(reader: R, source: &Path, cols: &ClinicalColumns) -> Result<Self> {
        let mut lines = Lines::new(reader, source);
        if !lines.advance()? {
            return Err(Error::Empty {
                at: lines.at(),
                what: "no header line",
            });
        }
        let header: Vec<String> = lines
            .line()
            .split('\t')
            .map(|s| s.trim().to_owned())
            .collect();
        let idx = resolve(&header, cols, &lines)?;
        let mut records = Vec::new();
        let mut seen = HashMap::new();
        while lines.advance()? {
            let line = lines.line();
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            if fields.len() != header.len() {
                return Err(Error::FieldCount {
                    at: lines.at(),
                    expected: header.len(),
                    found: fields.len(),
                });
            }
            let rec = parse_record(&fields, &idx, &lines)?;
            if seen.insert(rec.sample.clone(), ()).is_some() {
                return Err(Error::DuplicateSample {
                    at: lines.at_field(idx.sample),
                    id: rec.sample,
                });
            }
            records.push(rec);
        }
        Ok(Self { records })
    }

    /// The records, in file order.
    pub fn records(&self) -> &[ClinicalRecord] {
        &self.records
    }
}

fn resolve<R>(header: &[String], cols: &ClinicalColumns, lines: &Lines<R>) -> Result<Resolved> {
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::MissingColumn {
                at: lines.at(),
                column: name.to_owned(),
            })
    };
    let opt = |name: &Option<String>| name.as_deref().map(find).transpose();
    Ok(Resolved {
        sample: cols.sample.as_deref().map(find).transpose()?.unwrap_or(0),
        age: find(&cols.age)?,
        metastasis: find(&cols.metastasis)?,
        cancer_type: opt(&cols.cancer_type)?,
        time: opt(&cols.time)?,
        event: opt(&cols.event)?,
    })
}

fn parse_record<R>(fields: &[&str], idx: &Resolved, lines: &Lines<R>) -> Result<ClinicalRecord> {
    let cell = |i: usize| Some(fields[i].trim()).filter(|c| !is_missing(c));
    let number = |i: usize, expected: &'static str| -> Result<Option<f64>> {
        cell(i)
            .map(|c| {
                c.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| unexpected(lines, i, expected, c))
            })
            .transpose()
    };
    let flag = |i: usize, expected: &'static str| -> Result<Option<bool>> {
        cell(i)
            .map(|c| parse_status(c).ok_or_else(|| unexpected(lines, i, expected, c)))
            .transpose()
            .map(Option::flatten)
    };
    Ok(ClinicalRecord {
        sample: fields[idx.sample].trim().to_owned(),
        cancer_type: idx
            .cancer_type
            .map_or("all", |i| cell(i).unwrap_or("unknown"))
            .to_owned(),
        age: number(idx.age, "an age (a non-negative number)")?,
        metastasis: flag(idx.metastasis, "a metastasis status (0/1, yes/no, M0/M1)")?,
        time: idx
            .time
            .map(|i| number(i, "a follow-up time (a non-negative number)"))
            .transpose()?
            .flatten(),
        event: idx
            .event
            .map(|i| flag(i, "an event indicator (0/1, yes/no, true/false)"))
            .transpose()?
            .flatten(),
    })
}

fn unexpected<R>(lines: &Lines<R>, field: usize, expected: &'static str, found: &str) -> Error {
    Error::Unexpected {
        at: lines.at_field(field),
        expected,
        found: found.to_owned(),
    }
}

/// Parses a binary status: `Some(Some(b))`, `Some(None)` for an explicit
/// unknown (`MX`), `None` when unrecognised.
fn parse_status(cell: &str) -> Option<Option<bool>> {
    let c = cell.to_ascii_lowercase();
    match c.as_str() {
        "1" | "yes" | "y" | "true" | "m1" => Some(Some(true)),
        "0" | "no" | "n" | "false" | "m0" => Some(Some(false)),
        "mx" => Some(None),
        _ if c.starts_with("m1") && c.len() == 3 => Some(Some(true)),
        _ if c.starts_with("m0") && c.len() == 3 => Some(Some(false)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str, cols: &ClinicalColumns) -> Result<Clinical> {
        Clinical::read(s.as_bytes(), Path::new("c.tsv"), cols)
    }

    #[test]
    fn statuses_in_every_spelling() {
        for (c, v) in [
            ("M1b", true),
            ("yes", true),
            ("0", false),
            ("M0", false),
            ("TRUE", true),
        ] {
            assert_eq!(parse_status(c), Some(Some(v)), "{c}");
        }
        assert_eq!(parse_status("MX"), Some(None));
        assert_eq!(parse_status("maybe"), None);
    }

    #[test]
    fn reads_survival_columns() -> Result<()> {
        let cols = ClinicalColumns {
            time: Some("t".into()),
            event: Some("e".into()),
            cancer_type: None,
            ..ClinicalColumns::default()
        };
        let c = read("id\tage\tmetastasis\tt\te\nA\t50\t1\t3.5\t0\n", &cols)?;
        let r = &c.records()[0];
        assert_eq!(
            (r.time, r.event, r.cancer_type.as_str()),
            (Some(3.5), Some(false), "all")
        );
        Ok(())
    }

    #[test]
    fn errors_name_line_and_field() {
        let cols = ClinicalColumns::default();
        let err = read("id\tage\tmetastasis\tcancer_type\nA\told\t1\tx\n", &cols).unwrap_err();
        assert!(
            err.to_string().starts_with("c.tsv:2:2: expected an age"),
            "{err}"
        );
        let err = read("id\tage\tmetastasis\tcancer_type\nA\t1\tmaybe\tx\n", &cols).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("c.tsv:2:3: expected a metastasis"),
            "{err}"
        );
        let err = read("id\tage\tcancer_type\n", &cols).unwrap_err();
        assert_eq!(
            err.to_string(),
            "c.tsv:1: no column named 'metastasis' in the header"
        );
        let err = read(
            "id\tage\tmetastasis\tcancer_type\nA\t1\t1\tx\nA\t1\t1\tx\n",
            &cols,
        )
        .unwrap_err();
        assert!(
            err.to_string().starts_with("c.tsv:3:1: sample id 'A'"),
            "{err}"
        );
    }
}
