//! Writing output files safely: to a temporary file, then renamed into place.

pub mod parquet;

use std::path::Path;

use anyhow::Context;

/// Writes `bytes` to `path` atomically: readers see the old file or the whole new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
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
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))?;
    Ok(())
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
