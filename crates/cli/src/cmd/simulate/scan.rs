//! `senmet simulate --scan PARAMS.tsv`: one ODE run per parameter set.
//!
//! The parameter table has a header of global parameter ids and one row of
//! numbers per set; set `i` is the `i`-th data row (1-based). Output is a long
//! TSV `set, time, <species...>` (only the last time with `--final-only`),
//! identical for any `--threads`, written atomically when `--out` is given.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use senmet_core::Location;
use senmet_engine::{Ensemble, Observable, Ode, ParameterId, System};

use super::Args;

/// Sets simulated between two writes, bounding memory for long outputs.
const CHUNK: usize = 1024;

/// A parsed parameter table.
#[derive(Debug, PartialEq)]
pub(super) struct Table {
    /// Parameter ids of the header, in order.
    pub(super) ids: Vec<String>,
    /// The 1-based line of the header and the column of each id.
    pub(super) header: (u64, Vec<u64>),
    /// One row per set.
    pub(super) sets: Vec<Vec<f64>>,
    /// The 1-based file line of each set.
    pub(super) lines: Vec<u64>,
}

/// Parses a parameter table; errors name `path:line:column` of the bad cell.
pub(super) fn parse(path: &Path, text: &str) -> anyhow::Result<Table> {
    let mut rows = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i as u64 + 1, l.strip_suffix('\r').unwrap_or(l)))
        .filter(|(_, l)| !l.trim().is_empty());
    let (hline, header) = rows.next().with_context(|| {
        format!(
            "{}: expected a header of parameter ids, found an empty file",
            path.display()
        )
    })?;
    let ids: Vec<String> = cells(header).map(|(_, c)| c.trim().to_owned()).collect();
    for (i, (col, id)) in cells(header).enumerate() {
        let at = Location::new(path).with_line(hline).with_column(col);
        if id.trim().is_empty() {
            anyhow::bail!("{at}: expected a parameter id, found an empty cell");
        }
        if ids[..i].iter().any(|x| x == id.trim()) {
            anyhow::bail!(
                "{at}: parameter '{}' appears twice in the header",
                id.trim()
            );
        }
    }
    let (mut sets, mut lines) = (Vec::new(), Vec::new());
    for (line, row) in rows {
        let mut set = Vec::with_capacity(ids.len());
        for (col, cell) in cells(row) {
            let at = Location::new(path).with_line(line).with_column(col);
            if set.len() == ids.len() {
                anyhow::bail!(
                    "{at}: expected {} cells as in the header, found more",
                    ids.len()
                );
            }
            let v: f64 = cell
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .with_context(|| {
                    format!(
                        "{at}: expected a finite number for '{}', found '{cell}'",
                        ids[set.len()]
                    )
                })?;
            set.push(v);
        }
        if set.len() < ids.len() {
            let at = Location::new(path).with_line(line);
            anyhow::bail!(
                "{at}: expected {} cells as in the header, found {}",
                ids.len(),
                set.len()
            );
        }
        sets.push(set);
        lines.push(line);
    }
    let columns = cells(header).map(|(col, _)| col).collect();
    Ok(Table {
        ids,
        header: (hline, columns),
        sets,
        lines,
    })
}

/// Tab-separated cells with their 1-based character columns.
fn cells(line: &str) -> impl Iterator<Item = (u64, &str)> {
    let mut col = 1u64;
    line.split('\t').map(move |c| {
        let at = col;
        col += c.chars().count() as u64 + 1;
        (at, c)
    })
}

/// Resolves header ids to the model's parameters; unknown ids name their header cell.
fn parameters(system: &System, path: &Path, table: &Table) -> anyhow::Result<Vec<ParameterId>> {
    let (line, columns) = &table.header;
    table
        .ids
        .iter()
        .zip(columns)
        .map(|(id, &col)| {
            let at = Location::new(path).with_line(*line).with_column(col);
            system
                .parameter(id)
                .with_context(|| format!("{at}: '{id}' is not a global parameter of the model"))
        })
        .collect()
}

/// Runs the scan described by `args` (whose `scan` is `params`).
pub(super) fn run(
    args: &Args,
    params: &Path,
    system: &System,
    species: &[&str],
    observables: &[Observable],
    times: &[f64],
) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(params)
        .with_context(|| format!("cannot read {}", params.display()))?;
    let table = parse(params, &text)?;
    let ids = parameters(system, params, &table)?;
    let ode = Ode::builder(system)
        .rtol(args.rtol)
        .atol(args.atol)
        .build()?;
    let ensemble = Ensemble::new(ode, ids);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(usize::from(args.threads))
        .build()
        .context("cannot start worker threads")?;
    let mut header = String::from("set\ttime");
    for id in species {
        header.push('\t');
        header.push_str(id);
    }
    header.push('\n');
    let mut sink = Sink::open(args.out.as_deref())?;
    sink.write_all(header.as_bytes())?;
    let bar = progress_bar(table.sets.len());
    let mut failed = 0usize;
    for (c, chunk) in table.sets.chunks(CHUNK).enumerate() {
        let runs = pool.install(|| ensemble.run(times, observables, chunk, || bar.inc(1)));
        for (k, run) in runs.into_iter().enumerate() {
            let i = c * CHUNK + k;
            match run {
                Ok(rows) => write_set(&mut sink, i + 1, times, &rows, args.final_only)?,
                Err(e) => {
                    failed += 1;
                    let at = Location::new(params).with_line(table.lines[i]);
                    bar.suspend(|| eprintln!("senmet: error: {at}: set {} failed: {e}", i + 1));
                }
            }
        }
    }
    bar.finish_and_clear();
    sink.commit()?;
    if failed > 0 {
        eprintln!(
            "senmet: {failed} of {} parameter sets failed",
            table.sets.len()
        );
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}

fn write_set(
    w: &mut impl Write,
    set: usize,
    times: &[f64],
    rows: &[Vec<f64>],
    final_only: bool,
) -> std::io::Result<()> {
    let skip = if final_only {
        rows.len().saturating_sub(1)
    } else {
        0
    };
    for (t, row) in times.iter().zip(rows).skip(skip) {
        write!(w, "{set}\t{t}")?;
        for v in row {
            write!(w, "\t{v}")?;
        }
        writeln!(w)?;
    }
    Ok(())
}

fn progress_bar(n: usize) -> ProgressBar {
    let bar = ProgressBar::new(n as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} parameter sets ({per_sec}, eta {eta})")
            .expect("static template is valid"),
    );
    bar
}

/// Standard output, or a temporary file beside `--out` renamed into place on commit.
enum Sink {
    Stdout(BufWriter<std::io::Stdout>),
    File {
        writer: BufWriter<tempfile::NamedTempFile>,
        path: std::path::PathBuf,
    },
}

impl Sink {
    fn open(out: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = out else {
            return Ok(Sink::Stdout(BufWriter::new(std::io::stdout())));
        };
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = tempfile::Builder::new()
            .prefix(".senmet-scan.")
            .suffix(".tmp")
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        Ok(Sink::File {
            writer: BufWriter::new(tmp),
            path: path.to_path_buf(),
        })
    }

    fn commit(self) -> anyhow::Result<()> {
        match self {
            Sink::Stdout(mut w) => Ok(w.flush()?),
            Sink::File { writer, path } => {
                let tmp = writer
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .with_context(|| format!("cannot write {}", path.display()))?;
                tmp.persist(&path)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                Ok(())
            }
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Stdout(w) => w.write(buf),
            Sink::File { writer, .. } => writer.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Stdout(w) => w.flush(),
            Sink::File { writer, .. } => writer.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sets_and_skips_blank_lines() -> anyhow::Result<()> {
        let t = parse(Path::new("p.tsv"), "k1\tk2\r\n1\t2e-3\n\n 3 \t4\n")?;
        assert_eq!(t.ids, ["k1", "k2"]);
        assert_eq!(t.header, (1, vec![1, 4]));
        assert_eq!(t.sets, [vec![1.0, 2e-3], vec![3.0, 4.0]]);
        assert_eq!(t.lines, [2, 4]);
        Ok(())
    }

    #[test]
    fn bad_cells_name_line_and_column() {
        let err = |text: &str| format!("{:#}", parse(Path::new("p.tsv"), text).unwrap_err());
        assert_eq!(
            err("k1\tk2\n1\tx\n"),
            "p.tsv:2:3: expected a finite number for 'k2', found 'x'"
        );
        assert!(err("k1\tk2\n1\n").starts_with("p.tsv:2: expected 2 cells"));
        assert!(err("k1\tk2\n1\t2\t3\n").starts_with("p.tsv:2:5: expected 2 cells"));
        assert!(err("k1\tk1\n").starts_with("p.tsv:1:4: parameter 'k1' appears twice"));
        assert!(err("k1\tk2\nNaN\t1\n").starts_with("p.tsv:2:1: expected a finite number"));
        assert!(err("").contains("empty file"));
    }
}
