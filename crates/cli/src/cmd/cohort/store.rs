//! A cohort's settings, chunk files and age tables.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{bail, Context};
use senmet_model::cohort::{Ages, Patient};

/// What determines a cohort's results (not the shard or thread count).
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Number of patients.
    pub patients: u64,
    /// Cancer types, in order (patient `k` has type `k mod len`).
    pub cancer_types: Vec<String>,
    /// Age distribution.
    pub ages: Ages,
    /// Follow-up (years).
    pub years: f64,
    /// Master seed.
    pub seed: u64,
    /// Patients per chunk.
    pub chunk: u64,
    /// Whether each patient draws the uncertain parameters from their priors.
    pub prior: bool,
    /// `--set` overrides, in the order given.
    pub overrides: Vec<(String, f64)>,
}

impl Settings {
    /// The settings as one line of text (what the hash covers).
    pub fn text(&self) -> String {
        let ages = match &self.ages {
            Ages::Uniform { low, high } => format!("{low}-{high}"),
            Ages::Bands(b) => b
                .iter()
                .map(|(l, h, w)| format!("{l}-{h}:{w}"))
                .collect::<Vec<_>>()
                .join(","),
        };
        format!(
            "senmet {} cohort; patients {}; cancer_types {}; ages {ages}; years {}; seed {}; chunk {}{}{}",
            env!("CARGO_PKG_VERSION"),
            self.patients,
            self.cancer_types.join(","),
            self.years,
            self.seed,
            self.chunk,
            if self.prior { "; prior" } else { "" },
            self.overrides
                .iter()
                .map(|(n, v)| format!("; set {n}={v}"))
                .collect::<String>()
        )
    }
}

/// Columns of `patients.tsv` and of chunk files.
pub const COLUMNS: &str = "patient\tcancer_type\tage\tyears_to_diagnosis\tmetastatic_at_diagnosis\ttime_to_metastasis\tmetastasis\tcolonies\tsenescent_fraction\tplasma_ev\tpten\tlats2\temt_fraction\tprior_draws";

/// The text of a chunk file (header and rows).
pub fn chunk(patients: &[Patient], types: &[String]) -> String {
    let mut s = String::with_capacity(patients.len() * 160);
    s.push_str(COLUMNS);
    s.push('\n');
    for p in patients {
        let _ = writeln!(
            s,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            p.index + 1,
            types[p.cancer_type],
            p.age,
            p.years_to_diagnosis,
            u8::from(p.metastatic_at_diagnosis),
            p.time_to_metastasis,
            u8::from(p.metastasis),
            p.colonies,
            p.senescent_fraction,
            p.plasma_ev,
            p.pten,
            p.lats2,
            p.emt_fraction,
            p.prior_draws
        );
    }
    s
}

/// Parses `LOW-HIGH` (years).
pub fn parse_range(s: &str) -> anyhow::Result<Ages> {
    let (l, h) = parse_band(s)?;
    let ages = Ages::Uniform { low: l, high: h };
    ages.validate()?;
    Ok(ages)
}

fn parse_band(s: &str) -> anyhow::Result<(f64, f64)> {
    let bad = || format!("`{s}`: expected an age range LOW-HIGH in years, e.g. 40-90");
    let (l, h) = s.split_once('-').with_context(bad)?;
    Ok((
        l.trim().parse().with_context(bad)?,
        h.trim().parse().with_context(bad)?,
    ))
}

/// Reads an age table: header `age_band<TAB>weight`, rows `40-50<TAB>0.2`; `#` lines are comments.
pub fn read_age_table(path: &Path) -> anyhow::Result<Ages> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read age table {}", path.display()))?;
    let mut bands = Vec::new();
    let mut header = false;
    for (n, line) in text.lines().enumerate() {
        let at = || format!("{}:{}", path.display(), n + 1);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if !header {
            if cells != ["age_band", "weight"] {
                bail!("{}: expected the header `age_band<TAB>weight`", at());
            }
            header = true;
            continue;
        }
        let [band, weight] = cells[..] else {
            bail!(
                "{}: expected 2 columns (age_band, weight), found {}",
                at(),
                cells.len()
            );
        };
        let (l, h) = parse_band(band).with_context(at)?;
        let w: f64 = weight
            .trim()
            .parse()
            .with_context(|| format!("{}: weight `{weight}` is not a number", at()))?;
        bands.push((l, h, w));
    }
    if bands.is_empty() {
        bail!("{}: no age bands", path.display());
    }
    let ages = Ages::Bands(bands);
    ages.validate()
        .with_context(|| format!("age table {}", path.display()))?;
    Ok(ages)
}
