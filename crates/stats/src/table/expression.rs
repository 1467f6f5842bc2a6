//! The expression matrix: genes in rows, samples in columns.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use super::{is_missing, Lines};
use crate::{Error, Result};

/// How the values of an expression file are scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scale {
    /// Already log2 (microarray log ratios, log2 TPM): used as they are.
    #[default]
    Log2,
    /// Linear intensities or TPM: transformed to log2(x + 1).
    Linear,
    /// Raw counts: scaled to counts per million by library size (the column
    /// sum over the genes kept), then log2(cpm + 1).
    Counts,
}

/// What the reader did to rows that could not be used as they were.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadReport {
    /// Data rows read.
    pub n_rows: usize,
    /// Symbols that appeared in several rows, with the number of rows. The
    /// row with the highest mean over samples was kept (the first on a tie).
    pub duplicates: Vec<(String, usize)>,
    /// Genes dropped because at least one of their cells was missing.
    pub missing: Vec<String>,
}

/// A gene-by-sample matrix of log2-scale expression.
#[derive(Debug, Clone)]
pub struct Expression {
    genes: Vec<String>,
    samples: Vec<String>,
    /// Gene-major: `values[g * n_samples + s]`.
    values: Vec<f64>,
    report: LoadReport,
}

impl Expression {
    /// Reads a matrix: a header line (first field the gene column's name, then
    /// sample ids), then one row per gene (symbol, then one number per sample).
    ///
    /// Duplicated symbols keep the row of highest mean; rows with a missing
    /// cell are dropped; both are listed in [`Expression::report`].
    ///
    /// # Errors
    ///
    /// A non-numeric cell, a row of the wrong width, a repeated sample id, no
    /// data, or a value the scale forbids (negative counts).
    ///
    /// # Examples
    ///
    /// ```
    /// use senmet_stats::table::{Expression, Scale};
    /// let tsv = "gene\ts1\ts2\nPTEN\t1\t3\nLATS2\t2\tNA\n";
    /// let e = Expression::read(tsv.as_bytes(), "x.tsv".as_ref(), Scale::Log2)?;
    /// assert_eq!(e.genes(), ["PTEN"]);
    /// assert_eq!(e.report().missing, ["LATS2"]);
    /// # Ok::<(), senmet_stats::Error>(())
    /// ```
    pub fn read<R: BufRead>(reader: R, source: &Path, scale: Scale) -> Result<Self> {
        let mut lines = Lines::new(reader, source);
        let samples = read_header(&mut lines)?;
        let n = samples.len();
        let mut genes = Vec::new();
        let mut values = Vec::new();
        let mut report = LoadReport::default();
        let mut row = Vec::with_capacity(n);
        while lines.advance()? {
            if lines.line().is_empty() {
                continue;
            }
            report.n_rows += 1;
            let (gene, complete) = parse_row(&lines, n, &mut row)?;
            if complete {
                genes.push(gene);
                values.extend_from_slice(&row);
            } else {
                report.missing.push(gene);
            }
        }
        if genes.is_empty() {
            return Err(Error::Empty {
                at: lines.at(),
                what: "no gene row without missing values",
            });
        }
        let mut e = Self {
            genes,
            samples,
            values,
            report,
        };
        e.dedupe();
        e.rescale(scale)?;
        Ok(e)
    }

    /// Gene symbols, one per row.
    pub fn genes(&self) -> &[String] {
        &self.genes
    }

    /// Sample ids, one per column.
    pub fn samples(&self) -> &[String] {
        &self.samples
    }

    /// The values of gene row `g` across samples.
    pub fn row(&self, g: usize) -> &[f64] {
        let n = self.samples.len();
        &self.values[g * n..(g + 1) * n]
    }

    /// The value of gene row `g` in sample column `s`.
    pub fn value(&self, g: usize, s: usize) -> f64 {
        self.values[g * self.samples.len() + s]
    }

    /// What happened to duplicated and incomplete rows.
    pub fn report(&self) -> &LoadReport {
        &self.report
    }

    /// Row index of each gene symbol.
    pub fn index(&self) -> HashMap<&str, usize> {
        self.genes
            .iter()
            .enumerate()
            .map(|(i, g)| (g.as_str(), i))
            .collect()
    }

    /// Builds a matrix from gene-major values (for tests and generated data).
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] unless `values.len() == genes.len() * samples.len()`.
    pub fn from_values(genes: Vec<String>, samples: Vec<String>, values: Vec<f64>) -> Result<Self> {
        if values.len() != genes.len() * samples.len() {
            return Err(Error::LengthMismatch {
                left: values.len(),
                right: genes.len() * samples.len(),
            });
        }
        Ok(Self {
            genes,
            samples,
            values,
            report: LoadReport::default(),
        })
    }

    /// Keeps only the sample columns `keep` (0-based, in that order).
    ///
    /// # Examples
    ///
    /// ```
    /// use senmet_stats::table::Expression;
    /// let s = ["a", "b", "c"].map(String::from).to_vec();
    /// let mut e = Expression::from_values(vec!["G".into()], s, vec![1.0, 2.0, 3.0])?;
    /// e.retain_samples(&[2, 0]);
    /// assert_eq!((e.samples(), e.row(0)), (&["c".to_owned(), "a".to_owned()][..], &[3.0, 1.0][..]));
    /// # Ok::<(), senmet_stats::Error>(())
    /// ```
    pub fn retain_samples(&mut self, keep: &[usize]) {
        let n = self.samples.len();
        if keep.len() == n && keep.iter().enumerate().all(|(i, k)| i == *k) {
            return;
        }
        let mut values = Vec::with_capacity(self.genes.len() * keep.len());
        for g in 0..self.genes.len() {
            let row = &self.values[g * n..(g + 1) * n];
            values.extend(keep.iter().map(|&s| row[s]));
        }
        self.samples = keep.iter().map(|&s| self.samples[s].clone()).collect();
        self.values = values;
    }

    /// Keeps, for each duplicated symbol, the row with the highest mean.
    fn dedupe(&mut self) {
        let n = self.samples.len();
        let mut best: HashMap<&str, (usize, f64, usize)> = HashMap::new();
        for (g, gene) in self.genes.iter().enumerate() {
            let mean = self.values[g * n..(g + 1) * n].iter().sum::<f64>() / n as f64;
            let e = best.entry(gene.as_str()).or_insert((g, mean, 0));
            e.2 += 1;
            if mean > e.1 {
                (e.0, e.1) = (g, mean);
            }
        }
        if best.len() == self.genes.len() {
            return;
        }
        let mut dups: Vec<(String, usize)> = best
            .iter()
            .filter(|(_, v)| v.2 > 1)
            .map(|(k, v)| ((*k).to_owned(), v.2))
            .collect();
        dups.sort();
        let keep: Vec<bool> = (0..self.genes.len())
            .map(|g| best[self.genes[g].as_str()].0 == g)
            .collect();
        self.report.duplicates = dups;
        let mut values = Vec::with_capacity(best.len() * n);
        let mut genes = Vec::with_capacity(best.len());
        for (g, gene) in std::mem::take(&mut self.genes).into_iter().enumerate() {
            if keep[g] {
                values.extend_from_slice(&self.values[g * n..(g + 1) * n]);
                genes.push(gene);
            }
        }
        self.genes = genes;
        self.values = values;
    }

    fn rescale(&mut self, scale: Scale) -> Result<()> {
        let n = self.samples.len();
        if scale == Scale::Log2 {
            return Ok(());
        }
        if let Some(i) = self.values.iter().position(|v| *v < 0.0) {
            return Err(Error::InvalidValue {
                gene: self.genes[i / n].clone(),
                sample: self.samples[i % n].clone(),
                value: self.values[i],
                expected: "linear values and counts must not be negative",
            });
        }
        let mut factor = vec![1.0; n];
        if scale == Scale::Counts {
            for (s, f) in factor.iter_mut().enumerate() {
                let lib: f64 = (0..self.genes.len()).map(|g| self.values[g * n + s]).sum();
                *f = if lib > 0.0 { 1e6 / lib } else { 0.0 };
            }
        }
        for (i, v) in self.values.iter_mut().enumerate() {
            *v = (*v * factor[i % n] + 1.0).log2();
        }
        Ok(())
    }
}

/// Parses the current line into `row`; returns the gene symbol and whether
/// every cell was present.
fn parse_row<R>(lines: &Lines<R>, n: usize, row: &mut Vec<f64>) -> Result<(String, bool)> {
    let line = lines.line();
    row.clear();
    let mut fields = line.split('\t');
    let gene = fields.next().unwrap_or_default().trim().to_owned();
    let mut complete = true;
    for (i, cell) in fields.enumerate() {
        if i >= n {
            return Err(field_count(lines, n, line));
        }
        if is_missing(cell) {
            complete = false;
            row.push(f64::NAN);
            continue;
        }
        let v = cell.trim().parse::<f64>().ok().filter(|v| v.is_finite());
        let v = v.ok_or_else(|| Error::Unexpected {
            at: lines.at_field(i + 1),
            expected: "a finite number",
            found: cell.to_owned(),
        })?;
        row.push(v);
    }
    if row.len() != n {
        return Err(field_count(lines, n, line));
    }
    Ok((gene, complete))
}

fn field_count<R>(lines: &Lines<R>, n: usize, line: &str) -> Error {
    Error::FieldCount {
        at: lines.at(),
        expected: n + 1,
        found: line.split('\t').count(),
    }
}

fn read_header<R: BufRead>(lines: &mut Lines<R>) -> Result<Vec<String>> {
    if !lines.advance()? {
        return Err(Error::Empty {
            at: lines.at(),
            what: "no header line",
        });
    }
    let header = lines.line();
    let samples: Vec<String> = header
        .split('\t')
        .skip(1)
        .map(|s| s.trim().to_owned())
        .collect();
    if samples.is_empty() {
        return Err(Error::Empty {
            at: lines.at(),
            what: "header names no sample column",
        });
    }
    let mut seen = HashMap::new();
    for (i, s) in samples.iter().enumerate() {
        if seen.insert(s.as_str(), i).is_some() {
            return Err(Error::DuplicateSample {
                at: lines.at_field(i + 1),
                id: s.clone(),
            });
        }
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str, scale: Scale) -> Result<Expression> {
        Expression::read(s.as_bytes(), Path::new("e.tsv"), scale)
    }

    #[test]
    fn keeps_highest_mean_duplicate() -> Result<()> {
        let e = read("g\ta\tb\nX\t1\t1\nY\t0\t0\nX\t5\t5\n", Scale::Log2)?;
        assert_eq!(e.genes(), ["Y", "X"]);
        assert_eq!(e.row(1), [5.0, 5.0]);
        assert_eq!(e.report().duplicates, [("X".to_owned(), 2)]);
        Ok(())
    }

    #[test]
    fn counts_become_log_cpm() -> Result<()> {
        let e = read("g\ta\nX\t3\nY\t1\n", Scale::Counts)?;
        assert!((e.value(0, 0) - (750_001.0f64).log2()).abs() < 1e-9);
        let e = read("g\ta\nX\t3\n", Scale::Linear)?;
        assert_eq!(e.value(0, 0), 2.0);
        Ok(())
    }

    #[test]
    fn errors_name_line_and_field() {
        let err = read("g\ta\tb\nX\t1\tabc\n", Scale::Log2)
            .map(|_| ())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "e.tsv:2:3: expected a finite number, found 'abc'"
        );
        let err = read("g\ta\tb\nX\t1\n", Scale::Log2)
            .map(|_| ())
            .unwrap_err();
        assert!(err.to_string().starts_with("e.tsv:2: expected 3"), "{err}");
        let err = read("g\ta\ta\n", Scale::Log2).map(|_| ()).unwrap_err();
        assert!(
            err.to_string().starts_with("e.tsv:1:3: sample id 'a'"),
            "{err}"
        );
        assert!(read("", Scale::Log2).is_err());
        assert!(read("g\ta\nX\t-1\n", Scale::Counts).is_err());
    }

    proptest::proptest! {
        // A stated seed: CI runs the same cases every time (style.md §4).
        #![proptest_config(proptest::prelude::ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(20261127), ..proptest::prelude::ProptestConfig::default() })]

        /// Writing a matrix as TSV and reading it back gives the same values.
        #[test]
        fn tsv_round_trip(rows in proptest::collection::vec(proptest::collection::vec(-1e6f64..1e6, 3), 1..20)) {
            let mut text = String::from("gene\ta\tb\tc\n");
            for (g, row) in rows.iter().enumerate() {
                let cells: Vec<String> = row.iter().map(|v| format!("{v}")).collect();
                text.push_str(&format!("G{g}\t{}\n", cells.join("\t")));
            }
            let e = read(&text, Scale::Log2).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            for (g, row) in rows.iter().enumerate() {
                proptest::prop_assert_eq!(e.row(g), &row[..]);
            }
        }
    }
}
