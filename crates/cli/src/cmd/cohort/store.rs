//! A cohort folder on disk: `manifest.tsv`, chunk files, age tables.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use senmet_model::cohort::{Ages, Patient};

use crate::output::write_atomically;

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

    /// FNV-1a 64-bit hash of [`Settings::text`], in hex.
    pub fn hash(&self) -> String {
        let h = self.text().bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        format!("{h:016x}")
    }
}

/// A run's (or shard's) manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// Settings.
    pub settings: Settings,
    /// Shard index.
    pub shard: u64,
    /// Number of shards.
    pub shards: u64,
}

/// The manifest as a file: settings hash, settings text, shard.
fn manifest_text(m: &Manifest) -> String {
    format!(
        "key\tvalue\nhash\t{}\nsettings\t{}\nshard\t{}/{}\npatients\t{}\nchunk\t{}\ncancer_types\t{}\n",
        m.settings.hash(),
        m.settings.text(),
        m.shard,
        m.shards,
        m.settings.patients,
        m.settings.chunk,
        m.settings.cancer_types.join(",")
    )
}

/// What `manifest.tsv` of a folder says: hash, settings text, shard, shards, patients, cancer types.
pub struct Stored {
    /// Settings hash.
    pub hash: String,
    /// Settings text.
    pub text: String,
    /// Shard index.
    pub shard: u64,
    /// Number of shards.
    pub shards: u64,
    /// Number of patients.
    pub patients: u64,
    /// Patients per chunk.
    pub chunk: u64,
    /// Cancer types.
    pub cancer_types: Vec<String>,
}

/// Reads `<dir>/manifest.tsv`.
pub fn read_manifest(dir: &Path) -> anyhow::Result<Stored> {
    let path = dir.join("manifest.tsv");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {} (not a senmet cohort folder?)",
            path.display()
        )
    })?;
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}\t")))
            .with_context(|| format!("{}: no `{key}` row", path.display()))
    };
    let shard = get("shard")?;
    let bad = || format!("{}: shard `{shard}`: expected i/N", path.display());
    let (i, n) = shard.split_once('/').with_context(bad)?;
    Ok(Stored {
        hash: get("hash")?.to_string(),
        text: get("settings")?.to_string(),
        shard: i.parse().with_context(bad)?,
        shards: n.parse().with_context(bad)?,
        patients: get("patients")?
            .parse()
            .with_context(|| format!("{}: patients: expected a number", path.display()))?,
        chunk: get("chunk")?
            .parse()
            .with_context(|| format!("{}: chunk: expected a number", path.display()))?,
        cancer_types: get("cancer_types")?.split(',').map(String::from).collect(),
    })
}

/// Creates the folder and manifest, or checks that an existing one is the same run (then it resumes).
pub fn prepare(out: &Path, m: &Manifest, force: bool) -> anyhow::Result<()> {
    if out.exists() {
        let same = read_manifest(out).ok().is_some_and(|s| {
            s.hash == m.settings.hash() && s.shard == m.shard && s.shards == m.shards
        });
        if !same && !force {
            match read_manifest(out) {
                Ok(s) => bail!(
                    "{} holds another cohort run (settings {}, shard {}/{}; this run: {}, shard {}/{}); use --force to replace it or another --out",
                    out.display(), s.text, s.shard, s.shards, m.settings.text(), m.shard, m.shards
                ),
                Err(_) => bail!("{} exists and is not a cohort folder; use --force to replace it", out.display()),
            }
        }
        if !same {
            std::fs::remove_dir_all(out)
                .with_context(|| format!("cannot replace {}", out.display()))?;
        }
    }
    std::fs::create_dir_all(out.join("chunks"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    write_atomically(&out.join("manifest.tsv"), manifest_text(m).as_bytes())
}

/// The file of chunk `c`.
pub fn chunk_path(out: &Path, c: u64) -> PathBuf {
    out.join("chunks").join(format!("chunk-{c:08}.tsv"))
}

/// Columns of `patients.tsv` and of chunk files.
pub const COLUMNS: &str = "patient\tcancer_type\tage\tyears_to_diagnosis\tmetastatic_at_diagnosis\ttime_to_metastasis\tmetastasis\tcolonies\tsenescent_fraction\tplasma_ev\tpten\tlats2\temt_fraction\tprior_draws";

/// Writes one chunk (header and rows) atomically.
pub fn write_chunk(
    out: &Path,
    c: u64,
    patients: &[Patient],
    types: &[String],
) -> anyhow::Result<()> {
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
    write_atomically(&chunk_path(out, c), s.as_bytes())
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
