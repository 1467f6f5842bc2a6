//! Finding cases and their files.

use std::path::{Path, PathBuf};

use super::{Description, Error, Results, Settings};

/// One test case folder.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The case number as written (`00001`).
    pub id: String,
    /// The case folder.
    pub dir: PathBuf,
    /// The model of the highest SBML level/version present.
    pub model: PathBuf,
    /// That model's SBML level.
    pub level: u32,
    /// That model's SBML version.
    pub version: u32,
}

/// Finds the cases under `paths`: each is a case folder (`…/00001`) or a folder
/// of case folders (`…/semantic`). Cases come sorted by number within each path.
///
/// # Errors
///
/// [`Error::Io`] if a folder cannot be listed, [`Error::NotACase`] if a path
/// is neither kind of folder, [`Error::NoModel`] if a case has no SBML model.
///
/// # Examples
///
/// ```no_run
/// let cases = senmet_sbml::suite::discover(&["testdata/sbml-test-suite/semantic"])?;
/// for case in &cases {
///     println!("{} {}", case.id, case.model.display());
/// }
/// # Ok::<(), senmet_sbml::suite::Error>(())
/// ```
pub fn discover(paths: &[impl AsRef<Path>]) -> Result<Vec<Case>, Error> {
    let mut cases = Vec::new();
    for path in paths {
        let path = path.as_ref();
        if is_case_dir(path) {
            cases.push(Case::open(path)?);
            continue;
        }
        let mut dirs: Vec<PathBuf> = list(path)?.into_iter().filter(|p| is_case_dir(p)).collect();
        if dirs.is_empty() {
            return Err(Error::NotACase {
                path: path.to_path_buf(),
            });
        }
        dirs.sort();
        for dir in dirs {
            cases.push(Case::open(&dir)?);
        }
    }
    Ok(cases)
}

fn list(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let io = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        out.push(entry.map_err(io)?.path());
    }
    Ok(out)
}

/// A folder named with digits that holds its `NNNNN-settings.txt`.
fn is_case_dir(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_digit())
        && path.join(format!("{name}-settings.txt")).is_file()
}

/// The level and version in a `NNNNN-sbml-lXvY.xml` file name.
fn level_version(id: &str, file: &str) -> Option<(u32, u32)> {
    let rest = file.strip_prefix(id)?.strip_prefix("-sbml-l")?;
    let (lv, ext) = rest.split_once('.')?;
    let (l, v) = lv.split_once('v')?;
    (ext == "xml").then_some(())?;
    Some((l.parse().ok()?, v.parse().ok()?))
}

impl Case {
    /// The case in folder `dir`, with its highest-level model.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if the folder cannot be listed, [`Error::NoModel`] if it
    /// holds no model.
    pub fn open(dir: &Path) -> Result<Case, Error> {
        let id = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let best = list(dir)?
            .into_iter()
            .filter_map(|p| {
                let lv = level_version(&id, p.file_name()?.to_str()?)?;
                Some((lv, p))
            })
            .max_by_key(|(lv, _)| *lv);
        let Some(((level, version), model)) = best else {
            return Err(Error::NoModel {
                dir: dir.to_path_buf(),
            });
        };
        Ok(Case {
            id,
            dir: dir.to_path_buf(),
            model,
            level,
            version,
        })
    }

    fn file(&self, suffix: &str) -> PathBuf {
        self.dir.join(format!("{}-{suffix}", self.id))
    }

    /// Reads `NNNNN-settings.txt`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] or [`Error::Parse`] with the line.
    pub fn settings(&self) -> Result<Settings, Error> {
        let path = self.file("settings.txt");
        Settings::parse(&read(&path)?, &path)
    }

    /// Reads `NNNNN-results.csv`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] or [`Error::Parse`] with the line and column.
    pub fn results(&self) -> Result<Results, Error> {
        let path = self.file("results.csv");
        Results::parse(&read(&path)?, &path)
    }

    /// Reads the header of `NNNNN-model.m`.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] if it cannot be read.
    pub fn description(&self) -> Result<Description, Error> {
        Ok(Description::parse(&read(&self.file("model.m"))?))
    }
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_file_names() {
        assert_eq!(level_version("00001", "00001-sbml-l3v2.xml"), Some((3, 2)));
        assert_eq!(level_version("00001", "00001-sbml-l2v5.xml"), Some((2, 5)));
        assert_eq!(level_version("00001", "00002-sbml-l3v2.xml"), None);
        assert_eq!(level_version("00001", "00001-sbml-l3v2.txt"), None);
        assert_eq!(level_version("00001", "00001-settings.txt"), None);
    }

    #[test]
    fn highest_level_wins() -> Result<(), Box<dyn std::error::Error>> {
        let tmp = std::env::temp_dir().join(format!("senmet-sbml-case-{}", std::process::id()));
        let dir = tmp.join("00007");
        std::fs::create_dir_all(&dir)?;
        for f in [
            "00007-sbml-l2v4.xml",
            "00007-sbml-l3v1.xml",
            "00007-sbml-l2v5.xml",
            "00007-settings.txt",
        ] {
            std::fs::write(dir.join(f), "")?;
        }
        let cases = discover(&[&tmp])?;
        assert_eq!(cases.len(), 1);
        assert_eq!((cases[0].level, cases[0].version), (3, 1));
        assert_eq!(discover(&[&dir])?, cases);
        std::fs::remove_dir_all(&tmp)?;
        Ok(())
    }
}
