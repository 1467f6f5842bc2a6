//! Writing output files safely: to a temporary file, then renamed into place.

pub mod parquet;

use std::fs::File;
use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Writes `bytes` to `path` atomically: readers see the old file or the whole new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomically_with(path, |mut file| {
        file.write_all(bytes)
            .with_context(|| format!("cannot write {}", path.display()))
    })
}

/// Lets `write` fill a temporary file beside `path` (flushing what it
/// buffers), then renames it to `path`: readers see the old file or the
/// whole new one. The temporary file is removed if `write` fails.
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(File) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().context("output path has no file name")?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let file = File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    if let Err(e) = write(file) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, path)
        .with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))
}

/// Writes files into a temporary sibling folder, then renames it into place;
/// every `.tsv` table also as `.parquet`.
pub fn write_folder(out: &Path, files: &[(&str, String)]) -> anyhow::Result<()> {
    let name = out
        .file_name()
        .context("output folder has no name")?
        .to_string_lossy()
        .into_owned();
    let tmp = out.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    for (file, text) in files {
        let path = tmp.join(file);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        if let Some(stem) = file.strip_suffix(".tsv") {
            let path = tmp.join(format!("{stem}.parquet"));
            std::fs::write(&path, parquet::from_text(text, file)?)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    if out.exists() {
        std::fs::remove_dir_all(out)
            .with_context(|| format!("cannot replace {}", out.display()))?;
    }
    std::fs::rename(&tmp, out)
        .with_context(|| format!("cannot move {} to {}", tmp.display(), out.display()))?;
    Ok(())
}
