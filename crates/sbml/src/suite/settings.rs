//! `NNNNN-settings.txt`: simulation settings and tolerances.

use std::path::Path;

use senmet_core::Location;

use super::Error;

/// The settings of a case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Settings {
    /// Start time of the output.
    pub start: f64,
    /// Length of the simulated interval.
    pub duration: f64,
    /// Number of output intervals (the output has `steps + 1` rows).
    pub steps: usize,
    /// Output variables, in column order.
    pub variables: Vec<String>,
    /// Absolute tolerance (empty for stochastic cases).
    pub absolute: Option<f64>,
    /// Relative tolerance (empty for stochastic cases).
    pub relative: Option<f64>,
    /// Species reported as amounts.
    pub amount: Vec<String>,
    /// Species reported as concentrations.
    pub concentration: Vec<String>,
    /// Stochastic: the `X-mean`/`X-sd` columns to check.
    pub output: Vec<String>,
    /// Stochastic: accepted interval of the Z statistic.
    pub mean_range: Option<(f64, f64)>,
    /// Stochastic: accepted interval of the Y statistic.
    pub sd_range: Option<(f64, f64)>,
}

impl Settings {
    /// Parses the text of a settings file; `path` names it in errors.
    ///
    /// Unknown keys are ignored; missing keys and empty values keep their
    /// defaults (flux-balance cases leave `start`, `duration` and `steps` empty).
    ///
    /// # Errors
    ///
    /// [`Error::Parse`] naming the line of a malformed value.
    ///
    /// # Examples
    ///
    /// ```
    /// use senmet_sbml::suite::Settings;
    /// let s = Settings::parse("start: 0\nduration: 5\nsteps: 50\nvariables: S1, S2\n", "s.txt".as_ref())?;
    /// assert_eq!((s.steps, s.variables.len()), (50, 2));
    /// # Ok::<(), senmet_sbml::suite::Error>(())
    /// ```
    pub fn parse(text: &str, path: &Path) -> Result<Settings, Error> {
        let mut s = Settings::default();
        for (i, line) in text.lines().enumerate() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            let bad = |expected: &str| Error::Parse {
                at: Location::new(path).with_line(i as u64 + 1),
                expected: format!("{expected} for '{}'", key.trim()),
                found: format!("'{value}'"),
            };
            if value.is_empty() && matches!(key.trim(), "start" | "duration" | "steps") {
                continue;
            }
            let number = || value.parse::<f64>().map_err(|_| bad("a number"));
            let optional = || match value {
                "" => Ok(None),
                v => v
                    .parse::<f64>()
                    .map(Some)
                    .map_err(|_| bad("a number or nothing")),
            };
            match key.trim() {
                "start" => s.start = number()?,
                "duration" => s.duration = number()?,
                "steps" => s.steps = value.parse().map_err(|_| bad("a whole number"))?,
                "variables" => s.variables = names(value),
                "absolute" => s.absolute = optional()?,
                "relative" => s.relative = optional()?,
                "amount" => s.amount = names(value),
                "concentration" => s.concentration = names(value),
                "output" => s.output = names(value),
                "meanRange" => s.mean_range = Some(range(value).ok_or_else(|| bad("(low, high)"))?),
                "sdRange" => s.sd_range = Some(range(value).ok_or_else(|| bad("(low, high)"))?),
                _ => {}
            }
        }
        Ok(s)
    }

    /// The output times: `steps + 1` evenly spaced from `start` to `start + duration`.
    pub fn times(&self) -> Vec<f64> {
        let n = self.steps.max(1) as f64;
        (0..=self.steps)
            .map(|i| self.start + self.duration * i as f64 / n)
            .collect()
    }
}

fn names(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn range(value: &str) -> Option<(f64, f64)> {
    let inner = value.trim().strip_prefix('(')?.strip_suffix(')')?;
    let (lo, hi) = inner.split_once(',')?;
    Some((lo.trim().parse().ok()?, hi.trim().parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semantic_settings() -> Result<(), Error> {
        let text = "start: 0\nduration: 5.0\nsteps: 50\nvariables: S1, S2\nabsolute: 1.000000e-006\nrelative: 0.0001\namount: S1, S2\nconcentration:\n";
        let s = Settings::parse(text, Path::new("s.txt"))?;
        assert_eq!(s.duration, 5.0);
        assert_eq!(s.absolute, Some(1e-6));
        assert_eq!(s.relative, Some(1e-4));
        assert_eq!(s.amount, ["S1", "S2"]);
        assert!(s.concentration.is_empty());
        assert_eq!(s.times().len(), 51);
        assert_eq!(s.times()[50], 5.0);
        Ok(())
    }

    #[test]
    fn stochastic_settings() -> Result<(), Error> {
        let text = "start: 0\nduration: 50\nsteps: 50\nvariables: X\nabsolute: \nrelative: \noutput: X-mean, X-sd\nmeanRange: (-3, 3)\nsdRange: (-5, 5)\n";
        let s = Settings::parse(text, Path::new("s.txt"))?;
        assert_eq!(s.absolute, None);
        assert_eq!(s.output, ["X-mean", "X-sd"]);
        assert_eq!(s.mean_range, Some((-3.0, 3.0)));
        assert_eq!(s.sd_range, Some((-5.0, 5.0)));
        Ok(())
    }

    #[test]
    fn bad_values_name_the_line() {
        let err = Settings::parse("start: 0\nsteps: many\n", Path::new("s.txt")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("s.txt:2: expected a whole number"),
            "{err}"
        );
        let err = Settings::parse("meanRange: -3..3\n", Path::new("s.txt")).unwrap_err();
        assert!(err.to_string().starts_with("s.txt:1:"), "{err}");
    }
}
