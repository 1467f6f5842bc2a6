//! The parameter tables: every value with its units, range or prior, and source.
//!
//! Two tables ship with the crate and are read at start: `parameters.tsv`
//! (host and mechanism parameters, per host species where they differ) and
//! `cancer_types.tsv` (one block per cancer type). [`Params`] is the resolved
//! set for one host species and one cancer type; `set` overrides a value.

use std::collections::BTreeMap;

use crate::error::{ModelError, Result};
use crate::host::Species;

const PARAMETERS: &str = include_str!("../data/parameters.tsv");
const CANCER_TYPES: &str = include_str!("../data/cancer_types.tsv");

/// How a parameter's uncertainty is described.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prior {
    /// Uniform on `[low, high]`.
    Uniform,
    /// Log-uniform on `[low, high]`.
    LogUniform,
    /// A convention or a fixed choice: not varied.
    Fixed,
}

impl Prior {
    /// The name used in the tables.
    pub fn name(self) -> &'static str {
        match self {
            Prior::Uniform => "uniform",
            Prior::LogUniform => "loguniform",
            Prior::Fixed => "fixed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "uniform" => Some(Prior::Uniform),
            "loguniform" => Some(Prior::LogUniform),
            "fixed" => Some(Prior::Fixed),
            _ => None,
        }
    }
}

/// One parameter as the tables state it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Name, as used by `--set` and scenario files.
    pub name: String,
    /// `any`, a host species (`mouse`, `human`) or a cancer type.
    pub scope: String,
    /// Default value.
    pub value: f64,
    /// Units.
    pub units: String,
    /// Lower end of the range or prior.
    pub low: f64,
    /// Upper end of the range or prior.
    pub high: f64,
    /// Shape of the prior.
    pub prior: Prior,
    /// Model layer (`liver`, `ev`, `mirna`, `tumour`, ...).
    pub layer: String,
    /// Paper with year, or "estimate: reasoning".
    pub source: String,
    /// What it means.
    pub description: String,
}

/// A cancer type: its name, cell line and parameter rows.
#[derive(Debug, Clone, PartialEq)]
pub struct CancerType {
    /// Name (`breast`, `melanoma`, ...).
    pub name: String,
    /// Mouse cell line (`4T1`, ...).
    pub line: String,
    /// Where the line comes from.
    pub line_source: String,
    /// Its numeric parameters (the mouse line; used for every host unless a human row exists).
    pub parameters: Vec<Parameter>,
    /// Rows written `human:<name>` in the table: values for human patients
    /// that replace the line's value when the host is human.
    pub human: Vec<Parameter>,
}

/// Both shipped tables.
#[derive(Debug, Clone)]
pub struct Tables {
    /// Host and mechanism parameters.
    pub parameters: Vec<Parameter>,
    /// Cancer types, in table order.
    pub cancer_types: Vec<CancerType>,
}

impl Tables {
    /// The tables shipped with senmet.
    ///
    /// # Errors
    ///
    /// Only if a shipped table is malformed (a bug caught by the tests).
    pub fn builtin() -> Result<Self> {
        Ok(Self {
            parameters: parse_parameters(PARAMETERS, "parameters.tsv")?,
            cancer_types: parse_cancer_types(CANCER_TYPES, "cancer_types.tsv")?,
        })
    }

    /// A cancer type by name.
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownCancerType`].
    pub fn cancer_type(&self, name: &str) -> Result<&CancerType> {
        self.cancer_types
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| ModelError::UnknownCancerType {
                name: name.to_string(),
                known: self
                    .cancer_types
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The parameters of one host species and cancer type, at their defaults.
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownCancerType`].
    pub fn resolve(&self, species: Species, cancer: &str) -> Result<Params> {
        let mut rows: BTreeMap<String, Parameter> = BTreeMap::new();
        for p in &self.parameters {
            if p.scope == "any" || p.scope == species.name() {
                let specific = p.scope != "any";
                match rows.get(&p.name) {
                    Some(old) if old.scope != "any" && !specific => {}
                    _ => {
                        rows.insert(p.name.clone(), p.clone());
                    }
                }
            }
        }
        let ty = self.cancer_type(cancer)?;
        for p in &ty.parameters {
            rows.insert(p.name.clone(), p.clone());
        }
        if species == Species::Human {
            for p in &ty.human {
                rows.insert(p.name.clone(), p.clone());
            }
        }
        Ok(Params {
            values: rows.iter().map(|(k, p)| (k.clone(), p.value)).collect(),
            rows,
        })
    }

    /// Every parameter name any host or cancer type defines.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .parameters
            .iter()
            .chain(
                self.cancer_types
                    .iter()
                    .flat_map(|c| c.parameters.iter().chain(&c.human)),
            )
            .map(|p| p.name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

/// Resolved parameter values for one subject type, with their table rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    rows: BTreeMap<String, Parameter>,
    values: BTreeMap<String, f64>,
}

impl Params {
    /// A value.
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownParameter`].
    pub fn get(&self, name: &str) -> Result<f64> {
        self.values
            .get(name)
            .copied()
            .ok_or_else(|| unknown(name, self.values.keys().map(String::as_str)))
    }

    /// Overrides a value. Values must be finite and, for parameters whose
    /// range is non-negative, not negative; values outside the range are
    /// allowed (the range is a prior, not a law).
    ///
    /// # Errors
    ///
    /// [`ModelError::UnknownParameter`], [`ModelError::BadValue`].
    pub fn set(&mut self, name: &str, value: f64) -> Result<()> {
        let Some(row) = self.rows.get(name) else {
            return Err(unknown(name, self.values.keys().map(String::as_str)));
        };
        if !value.is_finite() || (row.low >= 0.0 && value < 0.0) {
            return Err(ModelError::BadValue {
                name: name.to_string(),
                value,
                expected: format!(
                    "a finite value{} in {} (range {} to {})",
                    if row.low >= 0.0 {
                        ", not negative,"
                    } else {
                        ""
                    },
                    row.units,
                    row.low,
                    row.high
                ),
            });
        }
        self.values.insert(name.to_string(), value);
        Ok(())
    }

    /// Every parameter with its current value, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&Parameter, f64)> {
        self.rows.iter().map(|(k, p)| (p, self.values[k]))
    }
}

/// The error for an unknown name, with the closest known name as a hint.
fn unknown<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> ModelError {
    let best = known
        .map(|k| (edit_distance(name, k), k))
        .min()
        .filter(|(d, _)| *d <= 3);
    ModelError::UnknownParameter {
        name: name.to_string(),
        hint: best
            .map(|(_, k)| format!(", did you mean `{k}`?"))
            .unwrap_or_default(),
    }
}

/// Levenshtein distance (for hints).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The data lines of a TSV table: `(line number, cells)`, skipping `#` comments and the header.
fn lines<'a>(text: &'a str, source: &str, header: &[&str]) -> Result<Vec<(usize, Vec<&'a str>)>> {
    let mut out = Vec::new();
    let mut seen_header = false;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if !seen_header {
            if cells != header {
                return Err(table_error(
                    source,
                    n,
                    format!("expected the header `{}`", header.join("\\t")),
                ));
            }
            seen_header = true;
            continue;
        }
        if cells.len() != header.len() {
            return Err(table_error(
                source,
                n,
                format!(
                    "expected {} tab-separated cells, found {}",
                    header.len(),
                    cells.len()
                ),
            ));
        }
        out.push((n, cells));
    }
    Ok(out)
}

fn table_error(source: &str, line: usize, message: String) -> ModelError {
    ModelError::Table {
        source_name: source.to_string(),
        line,
        message,
    }
}

fn number(cell: &str, what: &str, source: &str, line: usize) -> Result<f64> {
    cell.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            table_error(
                source,
                line,
                format!("{what}: expected a number, found `{cell}`"),
            )
        })
}

/// Checks and builds one parameter row.
#[allow(clippy::too_many_arguments)]
fn parameter(
    source: &str,
    line: usize,
    name: &str,
    scope: &str,
    cells: [&str; 5],
    layer: &str,
    src: &str,
    description: &str,
) -> Result<Parameter> {
    let [value, units, low, high, prior] = cells;
    let value = number(value, "value", source, line)?;
    let low = number(low, "low", source, line)?;
    let high = number(high, "high", source, line)?;
    let prior = Prior::parse(prior).ok_or_else(|| {
        table_error(
            source,
            line,
            format!("prior: expected uniform, loguniform or fixed, found `{prior}`"),
        )
    })?;
    if low > high || (prior == Prior::LogUniform && low <= 0.0) {
        return Err(table_error(
            source,
            line,
            format!(
                "range {low}..{high} is empty or not positive for {}",
                prior.name()
            ),
        ));
    }
    if src.trim().is_empty() {
        return Err(table_error(
            source,
            line,
            "every parameter needs a source".into(),
        ));
    }
    Ok(Parameter {
        name: name.to_string(),
        scope: scope.to_string(),
        value,
        units: units.to_string(),
        low,
        high,
        prior,
        layer: layer.to_string(),
        source: src.to_string(),
        description: description.to_string(),
    })
}

fn parse_parameters(text: &str, source: &str) -> Result<Vec<Parameter>> {
    let header = [
        "name",
        "host",
        "value",
        "units",
        "low",
        "high",
        "prior",
        "layer",
        "source",
        "description",
    ];
    lines(text, source, &header)?
        .into_iter()
        .map(|(n, c)| {
            if !matches!(c[1], "any" | "mouse" | "human") {
                return Err(table_error(
                    source,
                    n,
                    format!("host: expected any, mouse or human, found `{}`", c[1]),
                ));
            }
            parameter(
                source,
                n,
                c[0],
                c[1],
                [c[2], c[3], c[4], c[5], c[6]],
                c[7],
                c[8],
                c[9],
            )
        })
        .collect()
}

fn parse_cancer_types(text: &str, source: &str) -> Result<Vec<CancerType>> {
    let header = [
        "cancer_type",
        "name",
        "value",
        "units",
        "low",
        "high",
        "prior",
        "source",
    ];
    let mut types: Vec<CancerType> = Vec::new();
    for (n, c) in lines(text, source, &header)? {
        let pos = match types.iter().position(|t| t.name == c[0]) {
            Some(p) => p,
            None => {
                types.push(CancerType {
                    name: c[0].to_string(),
                    line: String::new(),
                    line_source: String::new(),
                    parameters: Vec::new(),
                    human: Vec::new(),
                });
                types.len() - 1
            }
        };
        let t = &mut types[pos];
        if c[1] == "line" {
            t.line = c[2].to_string();
            t.line_source = c[7].to_string();
        } else {
            let (name, human) = match c[1].strip_prefix("human:") {
                Some(name) => (name, true),
                None => (c[1], false),
            };
            let p = parameter(
                source,
                n,
                name,
                c[0],
                [c[2], c[3], c[4], c[5], c[6]],
                "tumour",
                c[7],
                name,
            )?;
            if human {
                t.human.push(p);
            } else {
                t.parameters.push(p);
            }
        }
    }
    Ok(types)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_tables_read_and_every_type_has_the_same_parameters() {
        let t = Tables::builtin().unwrap();
        assert!(t.cancer_types.len() >= 5);
        let names = |c: &CancerType| {
            let mut v: Vec<String> = c.parameters.iter().map(|p| p.name.clone()).collect();
            v.sort();
            v
        };
        let first = names(&t.cancer_types[0]);
        for c in &t.cancer_types {
            assert_eq!(names(c), first, "{}", c.name);
            assert!(!c.line.is_empty());
        }
        for p in &t.parameters {
            assert!(
                p.low <= p.value && p.value <= p.high,
                "{} default outside its range",
                p.name
            );
        }
    }

    #[test]
    fn host_specific_rows_win_and_overrides_are_checked() {
        let t = Tables::builtin().unwrap();
        let mouse = t.resolve(Species::Mouse, "breast").unwrap();
        let human = t.resolve(Species::Human, "breast").unwrap();
        assert_eq!(mouse.get("hepatocytes").unwrap(), 2.0e8);
        assert_eq!(human.get("hepatocytes").unwrap(), 2.1e11);
        let mut p = mouse.clone();
        p.set("ev_senescence_fold", 20.0).unwrap();
        assert_eq!(p.get("ev_senescence_fold").unwrap(), 20.0);
        assert!(matches!(
            p.set("ev_senescence_fold", -1.0),
            Err(ModelError::BadValue { .. })
        ));
        let err = p.set("ev_senecence_fold", 1.0).unwrap_err().to_string();
        assert!(err.contains("did you mean `ev_senescence_fold`"), "{err}");
    }

    #[test]
    fn malformed_tables_name_the_line() {
        let bad = "name\thost\tvalue\tunits\tlow\thigh\tprior\tlayer\tsource\tdescription\nx\tany\tone\td\t0\t1\tuniform\tl\ts\td\n";
        let err = parse_parameters(bad, "p.tsv").unwrap_err().to_string();
        assert_eq!(err, "p.tsv:2: value: expected a number, found `one`");
    }
}
