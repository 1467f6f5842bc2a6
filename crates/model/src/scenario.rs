//! Scenarios: a virtual experiment as a TOML file.
//!
//! ```toml
//! name = "my experiment"
//! seed = 1
//! n = 12                          # subjects per arm
//! cancer_types = ["breast", "lung"]
//! duration = "28 d"               # optional; default: each cancer type's own
//! prior = true                    # optional: each subject draws every uncertain
//!                                 # parameter from its prior (see `prior`)
//!
//! [parameters]                    # optional overrides of the parameter table
//! ev_senescence_fold = 20
//!
//! [interventions.dq]              # named, used by arms
//! kind = "senolytic"              # senolytic | p2rx7_inhibitor | antagomir
//! dasatinib = "5 mg/kg"
//! quercetin = "50 mg/kg"
//! days_per_course = 3
//! start = "-28 d"                 # days relative to implantation (day 0)
//! interval = "7 d"
//! count = 4                       # optional; default: until the end
//!
//! [[arms]]
//! name = "aged_dq"
//! host = { species = "mouse", age = "22 months" }
//! interventions = ["dq"]
//! age_effects = ["growth_penalty"]  # optional: growth_penalty, immune_surveillance
//!
//! [[comparisons]]                 # optional; default: every arm vs the first
//! arm_a = "aged_dq"
//! arm_b = "aged_vehicle"
//! ```
//!
//! Quantities carry units: times in `h`, `d`, `week(s)`, `month(s)` (30.44 d)
//! or `year(s)` (365.25 d); doses in `mg/kg`. Every error names the file,
//! line and column, and the key.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::{ModelError, Result};
use crate::experiment::{Arm, Experiment};
use crate::host::{AgeEffects, Host, Species};
use crate::intervention::{Family, Intervention, Schedule};
use crate::params::Tables;

/// The default scenario's text (embedded in the binary).
pub const DEFAULT: &str = include_str!("../scenarios/default.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: Option<String>,
    seed: Option<u64>,
    n: Spanned<i64>,
    cancer_types: Spanned<Vec<Spanned<String>>>,
    duration: Option<Spanned<String>>,
    #[serde(default)]
    prior: bool,
    #[serde(default)]
    parameters: BTreeMap<String, Spanned<f64>>,
    #[serde(default)]
    interventions: BTreeMap<String, Spanned<InterventionFile>>,
    #[serde(default)]
    arms: Vec<Spanned<ArmFile>>,
    #[serde(default)]
    comparisons: Vec<Spanned<ComparisonFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InterventionFile {
    kind: Spanned<String>,
    start: Option<Spanned<String>>,
    interval: Option<Spanned<String>>,
    count: Option<Spanned<i64>>,
    stop: Option<Spanned<String>>,
    days_per_course: Option<Spanned<i64>>,
    dasatinib: Option<Spanned<String>>,
    quercetin: Option<Spanned<String>>,
    family: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ArmFile {
    name: Spanned<String>,
    host: Option<Spanned<HostFile>>,
    #[serde(default)]
    interventions: Vec<Spanned<String>>,
    #[serde(default)]
    age_effects: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HostFile {
    species: Spanned<String>,
    age: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ComparisonFile {
    arm_a: Spanned<String>,
    arm_b: Spanned<String>,
}

/// Reads a scenario file.
///
/// # Errors
///
/// [`ModelError::Scenario`] naming the line, column and key; I/O errors as the same variant at line 0.
pub fn read(path: &Path, tables: &Tables) -> Result<Experiment> {
    let text = std::fs::read_to_string(path).map_err(|e| ModelError::Scenario {
        path: path.to_path_buf(),
        line: 0,
        column: 0,
        message: format!("cannot read: {e}"),
    })?;
    parse(&text, path, tables)
}

/// Parses a scenario from text; `path` names it in errors.
///
/// # Errors
///
/// [`ModelError::Scenario`].
pub fn parse(text: &str, path: &Path, tables: &Tables) -> Result<Experiment> {
    let at = Locator { text, path };
    let file: File = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        at.error(&span, e.message().trim_end().to_string())
    })?;
    let n = *file.n.get_ref();
    if !(1..=1_000_000).contains(&n) {
        return Err(at.error(
            &file.n.span(),
            format!("n: expected subjects per arm from 1 to 1000000, found {n}"),
        ));
    }
    let mut cancer_types = Vec::new();
    for c in file.cancer_types.get_ref() {
        tables
            .cancer_type(c.get_ref())
            .map_err(|e| at.error(&c.span(), format!("cancer_types: {e}")))?;
        cancer_types.push(c.get_ref().clone());
    }
    if cancer_types.is_empty() {
        return Err(at.error(
            &file.cancer_types.span(),
            "cancer_types: expected at least one cancer type".into(),
        ));
    }
    let duration = match &file.duration {
        Some(d) => Some(at.positive(d, "duration", time_days)?),
        None => None,
    };
    let names = tables.names();
    let mut overrides = Vec::new();
    for (name, value) in &file.parameters {
        if !names.contains(&name.as_str()) {
            return Err(at.error(
                &value.span(),
                format!("parameters: unknown parameter `{name}`"),
            ));
        }
        overrides.push((name.clone(), *value.get_ref()));
    }
    let mut interventions = BTreeMap::new();
    for (name, iv) in &file.interventions {
        interventions.insert(name.clone(), intervention(&at, name, iv)?);
    }
    if file.arms.is_empty() {
        return Err(at.error(&(0..0), "expected at least one [[arms]] table".into()));
    }
    let mut arms: Vec<Arm> = Vec::new();
    for arm in &file.arms {
        let a = arm.get_ref();
        let name = a.name.get_ref().clone();
        if arms.iter().any(|x| x.name == name) {
            return Err(at.error(
                &a.name.span(),
                format!("arms: the name `{name}` is used twice"),
            ));
        }
        let host = a.host.as_ref().ok_or_else(|| {
            at.error(&arm.span(), format!("arm `{name}` has no host: expected host = {{ species = \"mouse\", age = \"22 months\" }}"))
        })?;
        let h = host.get_ref();
        let species = Species::parse(h.species.get_ref()).ok_or_else(|| {
            at.error(
                &h.species.span(),
                format!(
                    "host.species: expected mouse or human, found `{}`",
                    h.species.get_ref()
                ),
            )
        })?;
        let age = at.positive(&h.age, "host.age", time_days)?;
        let mut ivs = Vec::new();
        for r in &a.interventions {
            let iv = interventions.get(r.get_ref()).ok_or_else(|| {
                at.error(
                    &r.span(),
                    format!(
                        "interventions: `{}` is not defined under [interventions]",
                        r.get_ref()
                    ),
                )
            })?;
            ivs.push(iv.clone());
        }
        let mut age_effects = AgeEffects::default();
        for e in &a.age_effects {
            if !age_effects.enable(e.get_ref()) {
                return Err(at.error(
                    &e.span(),
                    format!(
                        "age_effects: expected one of {}, found `{}`",
                        AgeEffects::NAMES.join(", "),
                        e.get_ref()
                    ),
                ));
            }
        }
        arms.push(Arm {
            name,
            host: Host {
                species,
                age_days: age,
            },
            interventions: ivs,
            age_effects,
        });
    }
    let mut comparisons = Vec::new();
    for c in &file.comparisons {
        let c = c.get_ref();
        for side in [&c.arm_a, &c.arm_b] {
            if !arms.iter().any(|a| &a.name == side.get_ref()) {
                return Err(at.error(
                    &side.span(),
                    format!("comparisons: no arm is named `{}`", side.get_ref()),
                ));
            }
        }
        comparisons.push((c.arm_a.get_ref().clone(), c.arm_b.get_ref().clone()));
    }
    if comparisons.is_empty() {
        comparisons = arms
            .iter()
            .skip(1)
            .map(|a| (a.name.clone(), arms[0].name.clone()))
            .collect();
    }
    Ok(Experiment {
        name: file.name.unwrap_or_else(|| path.display().to_string()),
        seed: file.seed.unwrap_or(1),
        n: usize::try_from(n).unwrap_or(1),
        cancer_types,
        duration,
        prior: file.prior,
        overrides,
        arms,
        comparisons,
    })
}

fn intervention(at: &Locator, name: &str, s: &Spanned<InterventionFile>) -> Result<Intervention> {
    let iv = s.get_ref();
    let key = |k: &str| format!("interventions.{name}.{k}");
    let need = |v: &Option<Spanned<String>>, k: &str| {
        v.clone()
            .ok_or_else(|| at.error(&s.span(), format!("{}: missing", key(k))))
    };
    let start = match &iv.start {
        Some(v) => at.quantity(v, &key("start"), time_days)?,
        None => 0.0,
    };
    let count = match &iv.count {
        Some(c) if *c.get_ref() < 1 => {
            return Err(at.error(
                &c.span(),
                format!(
                    "{}: expected a positive number of doses, found {}",
                    key("count"),
                    c.get_ref()
                ),
            ));
        }
        Some(c) => Some(u32::try_from(*c.get_ref()).unwrap_or(u32::MAX)),
        None => None,
    };
    let schedule = |default_interval: Option<f64>| -> Result<Schedule> {
        let interval = match (&iv.interval, default_interval) {
            (Some(v), _) => at.positive(v, &key("interval"), time_days)?,
            (None, Some(d)) => d,
            (None, None) => {
                return Err(at.error(&s.span(), format!("{}: missing", key("interval"))))
            }
        };
        Ok(Schedule {
            start,
            interval,
            count,
        })
    };
    match iv.kind.get_ref().as_str() {
        "senolytic" => {
            let days = match &iv.days_per_course {
                Some(d) if !(1..=30).contains(d.get_ref()) => {
                    return Err(at.error(
                        &d.span(),
                        format!(
                            "{}: expected 1 to 30 daily doses, found {}",
                            key("days_per_course"),
                            d.get_ref()
                        ),
                    ));
                }
                Some(d) => u32::try_from(*d.get_ref()).unwrap_or(1),
                None => 3,
            };
            let dasatinib = at.non_negative(
                &need(&iv.dasatinib, "dasatinib")?,
                &key("dasatinib"),
                dose_mg_per_kg,
            )?;
            let quercetin = match &iv.quercetin {
                Some(q) => at.non_negative(q, &key("quercetin"), dose_mg_per_kg)?,
                None => 0.0,
            };
            Ok(Intervention::Senolytic {
                courses: schedule(None)?,
                days_per_course: days,
                dasatinib_mg_per_kg: dasatinib,
                quercetin_mg_per_kg: quercetin,
            })
        }
        "p2rx7_inhibitor" => {
            let stop = match &iv.stop {
                Some(v) => Some(at.quantity(v, &key("stop"), time_days)?),
                None => None,
            };
            Ok(Intervention::P2rx7Inhibitor { start, stop })
        }
        "antagomir" => {
            let f = need(&iv.family, "family")?;
            let family = Family::parse(f.get_ref()).ok_or_else(|| {
                at.error(
                    &f.span(),
                    format!(
                        "{}: expected miR-25/92a or miR-30c/d, found `{}`",
                        key("family"),
                        f.get_ref()
                    ),
                )
            })?;
            Ok(Intervention::Antagomir {
                family,
                doses: schedule(Some(7.0))?,
            })
        }
        other => Err(at.error(
            &iv.kind.span(),
            format!(
                "{}: expected senolytic, p2rx7_inhibitor or antagomir, found `{other}`",
                key("kind")
            ),
        )),
    }
}

/// Turns byte spans into file:line:column errors.
struct Locator<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Locator<'_> {
    fn error(&self, span: &Range<usize>, message: String) -> ModelError {
        let before = &self.text[..span.start.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ModelError::Scenario {
            path: PathBuf::from(self.path),
            line,
            column,
            message,
        }
    }

    fn quantity(
        &self,
        v: &Spanned<String>,
        key: &str,
        unit: fn(&str) -> Result<f64, String>,
    ) -> Result<f64> {
        unit(v.get_ref()).map_err(|m| self.error(&v.span(), format!("{key}: {m}")))
    }

    fn positive(
        &self,
        v: &Spanned<String>,
        key: &str,
        unit: fn(&str) -> Result<f64, String>,
    ) -> Result<f64> {
        let x = self.quantity(v, key, unit)?;
        if x <= 0.0 {
            return Err(self.error(
                &v.span(),
                format!("{key}: expected a positive value, found `{}`", v.get_ref()),
            ));
        }
        Ok(x)
    }

    fn non_negative(
        &self,
        v: &Spanned<String>,
        key: &str,
        unit: fn(&str) -> Result<f64, String>,
    ) -> Result<f64> {
        let x = self.quantity(v, key, unit)?;
        if x < 0.0 {
            return Err(self.error(
                &v.span(),
                format!(
                    "{key}: expected a dose of 0 or more, found `{}`",
                    v.get_ref()
                ),
            ));
        }
        Ok(x)
    }
}

/// Splits `"<number> <unit>"`.
fn split(s: &str) -> Result<(f64, &str), String> {
    let s = s.trim();
    let cut = s
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| format!("expected a number with units, found `{s}`"))?;
    let (num, unit) = s.split_at(cut);
    let value: f64 = num
        .trim()
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| format!("expected a number before the units, found `{s}`"))?;
    Ok((value, unit.trim()))
}

/// A time in days.
fn time_days(s: &str) -> Result<f64, String> {
    let (v, unit) = split(s)?;
    let per = match unit {
        "h" | "hour" | "hours" => 1.0 / 24.0,
        "d" | "day" | "days" => 1.0,
        "w" | "week" | "weeks" => 7.0,
        "month" | "months" => 30.44,
        "y" | "year" | "years" => 365.25,
        _ => {
            return Err(format!(
                "expected a time in h, d, weeks, months or years, found `{s}`"
            ))
        }
    };
    Ok(v * per)
}

/// A dose in mg/kg.
fn dose_mg_per_kg(s: &str) -> Result<f64, String> {
    let (v, unit) = split(s)?;
    match unit {
        "mg/kg" => Ok(v),
        _ => Err(format!("expected a dose in mg/kg, found `{s}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        let t = Tables::builtin().unwrap();
        parse(text, Path::new("s.toml"), &t)
            .unwrap_err()
            .to_string()
    }

    const HEAD: &str = "n = 3\ncancer_types = [\"breast\"]\n";

    #[test]
    fn default_scenario_reads() {
        let t = Tables::builtin().unwrap();
        let e = parse(DEFAULT, Path::new("default.toml"), &t).unwrap();
        assert_eq!(e.cancer_types.len(), 5);
        assert_eq!(e.arms.len(), 8);
        assert!((e.arms[1].host.age_days - 22.0 * 30.44).abs() < 1e-9);
        assert_eq!(
            e.comparisons[0],
            ("aged_vehicle".to_string(), "young_vehicle".to_string())
        );
    }

    #[test]
    fn errors_name_line_column_and_key() {
        let e = err(&format!("{HEAD}colour = 1\n"));
        assert!(e.starts_with("s.toml:3:1:") && e.contains("colour"), "{e}");
        let e = err(&format!("{HEAD}[[arms]]\nname = \"a\"\nhost = {{ species = \"mouse\", age = \"22 parsecs\" }}\n"));
        assert!(
            e.starts_with("s.toml:5:") && e.contains("host.age") && e.contains("parsecs"),
            "{e}"
        );
        let e = err(&format!("{HEAD}[interventions.dq]\nkind = \"senolytic\"\ndasatinib = \"-5 mg/kg\"\ninterval = \"7 d\"\n[[arms]]\nname = \"a\"\nhost = {{ species = \"mouse\", age = \"3 months\" }}\n"));
        assert!(
            e.starts_with("s.toml:5:")
                && e.contains("interventions.dq.dasatinib")
                && e.contains("0 or more"),
            "{e}"
        );
        let e = err(&format!("{HEAD}[[arms]]\nname = \"a\"\n"));
        assert!(
            e.starts_with("s.toml:3:") && e.contains("has no host"),
            "{e}"
        );
        let e = err(&format!("{HEAD}[parameters]\nev_senescence_fod = 3\n[[arms]]\nname = \"a\"\nhost = {{ species = \"mouse\", age = \"3 months\" }}\n"));
        assert!(e.contains("unknown parameter `ev_senescence_fod`"), "{e}");
        let e = err(&format!("{HEAD}[interventions.x]\nkind = \"antagomir\"\nfamily = \"miR-21\"\n[[arms]]\nname = \"a\"\nhost = {{ species = \"mouse\", age = \"3 months\" }}\n"));
        assert!(e.starts_with("s.toml:5:") && e.contains("miR-21"), "{e}");
    }

    #[test]
    fn units() {
        assert_eq!(time_days("2 weeks"), Ok(14.0));
        assert_eq!(time_days("-14 d"), Ok(-14.0));
        assert_eq!(time_days("12 h"), Ok(0.5));
        assert!(time_days("3 mg/kg").is_err());
        assert_eq!(dose_mg_per_kg("50 mg/kg"), Ok(50.0));
        assert!(dose_mg_per_kg("50 mg").is_err());
    }
}
