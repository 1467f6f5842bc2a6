//! Sharded, resumable runs on disk, shared by `cohort`, `sensitivity` and `power`.
//!
//! A run's work is a list of items (patients, design points, subjects) cut
//! into chunks of `chunk` items; shard `i` of `N` does the chunks `c` with
//! `c mod N = i`. Its folder holds `manifest.tsv` (the command, the settings
//! as one line and their hash, the shard) and `chunks/chunk-NNNNNNNN.tsv`,
//! each written atomically as soon as it is done, so a killed run resumes
//! where it stopped; a folder holding another run is refused. Each item's
//! result depends only on the settings and its index, so any split gives the
//! same results. `senmet merge` checks that its folders are all the shards
//! of one run, once each.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};

use crate::output::write_atomically;

/// What a run (or shard) is.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The command: `cohort`, `sensitivity` or `power`.
    pub command: String,
    /// What determines the results, as one line (not the shard or thread count).
    pub settings: String,
    /// Shard index.
    pub shard: u64,
    /// Number of shards.
    pub shards: u64,
    /// Number of items.
    pub items: u64,
    /// Items per chunk.
    pub chunk: u64,
    /// What `merge` needs beyond the settings line, as `(key, value)` rows.
    pub extra: Vec<(String, String)>,
}

/// Does this shard's chunks `todo` in order on `threads` worker threads:
/// `chunk(range, bar)` computes the text of the chunk holding the items
/// `range` (ticking `bar` once per item), which is written atomically as
/// soon as it is done. The progress bar counts items, named `what`.
/// Returns the number of items done.
///
/// # Errors
///
/// What `chunk` returns; files that cannot be written.
pub fn work(
    out: &Path,
    manifest: &Manifest,
    todo: &[u64],
    threads: usize,
    what: &str,
    chunk: impl Fn(Range<u64>, &ProgressBar) -> anyhow::Result<String> + Sync,
) -> anyhow::Result<u64> {
    let total: u64 = todo.iter().map(|c| manifest.range(*c).count() as u64).sum();
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what} {{elapsed}} (eta {{eta}})"
        ))
        .context("progress bar template")?,
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")?;
    for &c in todo {
        let text = pool.install(|| chunk(manifest.range(c), &bar))?;
        write_atomically(&chunk_path(out, c), text.as_bytes())?;
    }
    bar.finish_and_clear();
    Ok(total)
}

/// FNV-1a 64-bit hash of `text`, in hex.
pub fn fnv(text: &str) -> String {
    let h = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{h:016x}")
}

impl Manifest {
    /// Hash of the command and settings.
    pub fn hash(&self) -> String {
        fnv(&format!("{}; {}", self.command, self.settings))
    }

    /// Number of chunks of the whole run.
    pub fn n_chunks(&self) -> u64 {
        self.items.div_ceil(self.chunk)
    }

    /// The items of chunk `c`.
    pub fn range(&self, c: u64) -> Range<u64> {
        c * self.chunk..((c + 1) * self.chunk).min(self.items)
    }

    /// This shard's chunks.
    pub fn chunks(&self) -> Vec<u64> {
        (0..self.n_chunks())
            .filter(|c| c % self.shards == self.shard)
            .collect()
    }

    /// This shard's chunks not yet written in `out`.
    pub fn todo(&self, out: &Path) -> Vec<u64> {
        self.chunks()
            .into_iter()
            .filter(|c| !chunk_path(out, *c).exists())
            .collect()
    }

    /// The value of an extra row.
    pub fn get(&self, key: &str) -> anyhow::Result<&str> {
        self.extra
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .with_context(|| format!("the {} run's manifest has no `{key}` row", self.command))
    }

    /// The value of an extra row, parsed.
    pub fn parse<T>(&self, key: &str) -> anyhow::Result<T>
    where
        T: std::str::FromStr,
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        let value = self.get(key)?;
        value
            .parse()
            .with_context(|| format!("manifest row `{key}`: cannot read `{value}`"))
    }

    /// The value of an extra row, parsed; `None` when it is empty.
    pub fn parse_optional<T>(&self, key: &str) -> anyhow::Result<Option<T>>
    where
        T: std::str::FromStr,
        T::Err: std::error::Error + Send + Sync + 'static,
    {
        if self.get(key)?.is_empty() {
            Ok(None)
        } else {
            self.parse(key).map(Some)
        }
    }

    fn text(&self) -> String {
        let mut s = format!(
            "key\tvalue\ncommand\t{}\nhash\t{}\nsettings\t{}\nshard\t{}/{}\nitems\t{}\nchunk\t{}\n",
            self.command,
            self.hash(),
            self.settings,
            self.shard,
            self.shards,
            self.items,
            self.chunk
        );
        for (k, v) in &self.extra {
            s.push_str(&format!("{k}\t{v}\n"));
        }
        s
    }
}

/// The manifest of a run of a command on a scenario: its settings are
/// `rows` and the hash of the scenario's text; `source` says where the
/// scenario came from; `shard` is the `--shard` flag.
///
/// # Errors
///
/// A bad `--shard` or a chunk of 0 items.
pub fn scenario_run(
    command: &str,
    rows: Vec<(&str, String)>,
    (text, source): (&str, &str),
    shard: Option<&str>,
    items: u64,
    chunk: u64,
) -> anyhow::Result<Manifest> {
    let (shard, shards) = parse_shard(shard)?;
    anyhow::ensure!(chunk > 0, "--chunk: expected at least 1 item per chunk");
    let settings = rows
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .chain([format!("scenario {}", fnv(text))])
        .collect::<Vec<_>>()
        .join("; ");
    let extra = rows
        .into_iter()
        .chain([("scenario_source", source.to_string())])
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    Ok(Manifest {
        command: command.into(),
        settings,
        shard,
        shards,
        items,
        chunk,
        extra,
    })
}

/// When the run of `m` is one shard of several: says so, with where it is
/// and how to combine the shards, and returns true (the caller stops there).
pub fn shard_done(m: &Manifest, out: &Path) -> bool {
    if m.shards > 1 {
        println!(
            "shard {}/{} done in {}/; combine all shards with `senmet merge`",
            m.shard,
            m.shards,
            out.display()
        );
    }
    m.shards > 1
}

/// Parses `--shard i/N` with `N ≥ 1` and `i < N`; `None` is the whole run.
pub fn parse_shard(s: Option<&str>) -> anyhow::Result<(u64, u64)> {
    let Some(s) = s else {
        return Ok((0, 1));
    };
    let bad = || format!("--shard {s}: expected i/N with 0 <= i < N (e.g. 0/4)");
    let (i, n) = s.split_once('/').with_context(bad)?;
    let i: u64 = i.trim().parse().with_context(bad)?;
    let n: u64 = n.trim().parse().with_context(bad)?;
    anyhow::ensure!(n >= 1, "--shard {s}: N must be at least 1");
    anyhow::ensure!(
        i < n,
        "--shard {s}: shard index {i} must be less than N = {n} (shards are numbered 0..N-1)"
    );
    Ok((i, n))
}

/// The rows every manifest has.
const FIXED: [&str; 6] = ["command", "hash", "settings", "shard", "items", "chunk"];

/// Reads `<dir>/manifest.tsv`.
pub fn read(dir: &Path) -> anyhow::Result<Manifest> {
    let path = dir.join("manifest.tsv");
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {} (not a folder of a senmet cohort, sensitivity or power run?)",
            path.display()
        )
    })?;
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}\t")))
            .with_context(|| format!("{}: no `{key}` row", path.display()))
    };
    let number = |key: &str| -> anyhow::Result<u64> {
        get(key)?
            .parse()
            .with_context(|| format!("{}: {key}: expected a whole number", path.display()))
    };
    let shard = get("shard")?;
    let bad = || format!("{}: shard `{shard}`: expected i/N", path.display());
    let (i, n) = shard.split_once('/').with_context(bad)?;
    let m = Manifest {
        command: get("command")?.to_string(),
        settings: get("settings")?.to_string(),
        shard: i.parse().with_context(bad)?,
        shards: n.parse().with_context(bad)?,
        items: number("items")?,
        chunk: number("chunk")?,
        extra: text
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once('\t'))
            .filter(|(k, _)| !FIXED.contains(k))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    if get("hash")? != m.hash() {
        bail!(
            "{}: the hash does not match the settings (edited by hand?)",
            path.display()
        );
    }
    Ok(m)
}

/// Creates the folder and manifest, or checks that an existing one is the same run (then it resumes).
pub fn prepare(out: &Path, m: &Manifest, force: bool) -> anyhow::Result<()> {
    if out.exists() {
        let found = read(out);
        let same = found.as_ref().is_ok_and(|s| s == m);
        if !same && !force {
            match found {
                Ok(s) => bail!(
                    "{} holds another {} run (settings {}, shard {}/{}; this run: {} {}, shard {}/{}); use --force to replace it or another --out",
                    out.display(), s.command, s.settings, s.shard, s.shards, m.command, m.settings, m.shard, m.shards
                ),
                Err(_) => bail!(
                    "{} exists and is not a folder of a {} run; use --force to replace it",
                    out.display(),
                    m.command
                ),
            }
        }
        if !same {
            std::fs::remove_dir_all(out)
                .with_context(|| format!("cannot replace {}", out.display()))?;
        }
    }
    std::fs::create_dir_all(out.join("chunks"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    write_atomically(&out.join("manifest.tsv"), m.text().as_bytes())
}

/// The file of chunk `c`.
pub fn chunk_path(out: &Path, c: u64) -> PathBuf {
    out.join("chunks").join(format!("chunk-{c:08}.tsv"))
}

/// The file of chunk `c` in whichever of `dirs` holds it.
pub fn find_chunk(dirs: &[PathBuf], c: u64) -> anyhow::Result<PathBuf> {
    dirs.iter()
        .map(|d| chunk_path(d, c))
        .find(|p| p.exists())
        .with_context(|| {
            format!("chunk {c} is in none of the folders (a shard did not finish? run it again to resume)")
        })
}

/// Reads chunk `c` of the run of `manifest` from whichever of `dirs` holds
/// it: checks the header, that the first column numbers the chunk's items
/// in order and that none is missing; `row(cells, at)` gets each row's other
/// cells and, for messages, its `file:line`.
pub fn read_chunk(
    dirs: &[PathBuf],
    manifest: &Manifest,
    c: u64,
    header: &str,
    mut row: impl FnMut(&[&str], &dyn Fn() -> String) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let file = find_chunk(dirs, c)?;
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let mut lines = text.lines();
    anyhow::ensure!(
        lines.next() == Some(header),
        "{}:1: expected the header `{header}`",
        file.display()
    );
    let columns = header.split('\t').count();
    let mut items = manifest.range(c);
    for (k, line) in lines.enumerate() {
        let at = || format!("{}:{}", file.display(), k + 2);
        let cells: Vec<&str> = line.split('\t').collect();
        anyhow::ensure!(
            cells.len() == columns,
            "{}: expected {columns} columns, found {}",
            at(),
            cells.len()
        );
        let expected = items.next();
        anyhow::ensure!(
            expected.is_some() && cells[0].parse::<u64>().ok() == expected,
            "{}: expected item {}, found `{}`",
            at(),
            expected.map_or("none".to_string(), |i| i.to_string()),
            cells[0]
        );
        row(&cells[1..], &at)?;
    }
    anyhow::ensure!(
        items.next().is_none(),
        "{}: expected {} items, found fewer",
        file.display(),
        manifest.range(c).count()
    );
    Ok(())
}

/// Checks that `dirs` are all the shards of one run, each once; returns the first's manifest.
pub fn check(dirs: &[PathBuf]) -> anyhow::Result<Manifest> {
    let Some(first_dir) = dirs.first() else {
        bail!("no shard folders given");
    };
    let first = read(first_dir)?;
    let mut seen: BTreeMap<u64, &PathBuf> = BTreeMap::new();
    for dir in dirs {
        let m = read(dir)?;
        if m.hash() != first.hash() {
            bail!(
                "{} and {} are shards of different runs ({} {} vs {} {}); merge only the shards of one run",
                first_dir.display(),
                dir.display(),
                first.command,
                first.settings,
                m.command,
                m.settings
            );
        }
        if m.shards != first.shards {
            bail!(
                "{} is shard {}/{} but {} is shard {}/{}: the runs were split differently",
                dir.display(),
                m.shard,
                m.shards,
                first_dir.display(),
                first.shard,
                first.shards
            );
        }
        if let Some(other) = seen.insert(m.shard, dir) {
            bail!(
                "shard {}/{} is given twice ({} and {})",
                m.shard,
                m.shards,
                other.display(),
                dir.display()
            );
        }
    }
    let missing: Vec<String> = (0..first.shards)
        .filter(|i| !seen.contains_key(i))
        .map(|i| format!("{i}/{}", first.shards))
        .collect();
    if !missing.is_empty() {
        bail!("missing shard(s) {} of this run", missing.join(", "));
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(shard: u64, shards: u64) -> Manifest {
        Manifest {
            command: "power".into(),
            settings: "seed 1".into(),
            shard,
            shards,
            items: 10,
            chunk: 3,
            extra: vec![("pool".into(), "5".into())],
        }
    }

    #[test]
    fn shards_split_the_chunks_and_the_last_chunk_is_short() {
        let m = manifest(1, 2);
        assert_eq!(m.n_chunks(), 4);
        assert_eq!(m.chunks(), [1, 3]);
        assert_eq!(m.range(3), 9..10);
        assert_eq!(parse_shard(Some("1/2")).unwrap(), (1, 2));
        assert_eq!(parse_shard(None).unwrap(), (0, 1));
        let err = parse_shard(Some("2/2")).unwrap_err().to_string();
        assert!(err.contains("must be less than N = 2"), "{err}");
    }

    #[test]
    fn chunks_are_read_in_item_order_and_gaps_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let m = manifest(0, 1);
        prepare(&out, &m, false).unwrap();
        let read = |text: &str| {
            std::fs::write(chunk_path(&out, 1), text).unwrap();
            let mut seen = Vec::new();
            read_chunk(std::slice::from_ref(&out), &m, 1, "item\tx", |cells, _| {
                seen.push(cells[0].to_string());
                Ok(())
            })
            .map(|()| seen)
        };
        assert_eq!(
            read("item\tx\n3\ta\n4\tb\n5\tc\n").unwrap(),
            ["a", "b", "c"]
        );
        let err = read("item\tx\n3\ta\n5\tc\n").unwrap_err().to_string();
        assert!(
            err.ends_with("chunk-00000001.tsv:3: expected item 4, found `5`"),
            "{err}"
        );
        let err = read("item\tx\n3\ta\n4\tb\n").unwrap_err().to_string();
        assert!(err.contains("expected 3 items, found fewer"), "{err}");
        let err = read("item\tx\n3\ta\tz\n").unwrap_err().to_string();
        assert!(err.contains(":2: expected 2 columns, found 3"), "{err}");
    }

    #[test]
    fn a_manifest_reads_back_and_other_runs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        prepare(&out, &manifest(0, 2), false).unwrap();
        assert_eq!(read(&out).unwrap(), manifest(0, 2));
        assert_eq!(read(&out).unwrap().get("pool").unwrap(), "5");
        prepare(&out, &manifest(0, 2), false).unwrap();
        let err = prepare(&out, &manifest(1, 2), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("holds another power run"), "{err}");
        let other = dir.path().join("other");
        prepare(&other, &manifest(1, 2), false).unwrap();
        let third = dir.path().join("third");
        prepare(&third, &manifest(1, 2), false).unwrap();
        check(&[out.clone(), other.clone()]).unwrap();
        let err = check(&[out.clone(), other, third]).unwrap_err().to_string();
        assert!(err.contains("given twice"), "{err}");
        let err = check(&[out]).unwrap_err().to_string();
        assert!(err.contains("missing shard(s) 1/2"), "{err}");
    }
}
