//! The expected number of macro-metastases of one arm, free of sampling noise.
//!
//! Colonies are founded by an inhomogeneous Poisson process whose integral
//! is the network's `colonies_<organ>` (see [`crate::experiment`]); a colony
//! founded at day `t` reaches `detection_threshold` cells by the end when
//! `t ≤ t_end − ln(detection_threshold) / colony_growth`. The expected number
//! of macro-metastases is therefore `Σ_organ colonies_<organ>` at that cut-off
//! day, for a subject at the parameter values (no between-subject variation).

use senmet_engine::{Ode, System};

use crate::build::{self, Design, ORGANS};
use crate::error::{ModelError, Result};

/// Expected macro-metastases at the end of `design`, summed over organs.
///
/// The network is solved on a daily grid (as subjects are) and the founding
/// integral is interpolated log-linearly at the cut-off day.
///
/// # Errors
///
/// Values the network rejects ([`build::network`]) and solver failures.
///
/// # Examples
///
/// ```
/// use senmet_model::build::Design;
/// use senmet_model::host::{AgeEffects, Host, Species};
/// use senmet_model::{expected, params::Tables};
///
/// let params = Tables::builtin()?.resolve(Species::Mouse, "lung")?;
/// let design = |age_days| Design {
///     host: Host { species: Species::Mouse, age_days },
///     params: &params,
///     interventions: &[],
///     age_effects: AgeEffects::default(),
///     burden: true,
///     t0: -2.0,
///     t_end: 28.0,
/// };
/// let aged = expected::macro_metastases(&design(670.0))?;
/// let young = expected::macro_metastases(&design(91.0))?;
/// assert!(aged > young && young > 0.0);
/// # Ok::<(), senmet_model::ModelError>(())
/// ```
pub fn macro_metastases(design: &Design) -> Result<f64> {
    let built = build::network(design)?;
    let engine = |e| ModelError::Engine {
        context: "expected macro-metastases".into(),
        source: e,
    };
    let system = System::new(&built.network).map_err(engine)?;
    let observables = ORGANS
        .iter()
        .map(|o| format!("colonies_{o}"))
        .chain(["colony_growth".to_string()])
        .map(|name| {
            system
                .observable(&name, true)
                .ok_or_else(|| ModelError::UnknownParameter {
                    name,
                    hint: " (a model symbol the network lacks: a bug)".into(),
                })
        })
        .collect::<Result<Vec<_>>>()?;
    let span = design.t_end - design.t0;
    let times: Vec<f64> = (0..=span.ceil() as usize)
        .map(|k| (k as f64).min(span))
        .collect();
    let ode = Ode::builder(&system)
        .rtol(1e-6)
        .atol(1e-9)
        .build()
        .map_err(engine)?;
    let rows = ode.run(&times, &observables).map_err(engine)?;
    let n_org = ORGANS.len();
    let growth = rows.last().map_or(f64::NAN, |r| r[n_org]);
    let cut = span - design.params.get("detection_threshold")?.ln() / growth;
    if cut.is_nan() || cut <= 0.0 {
        return Ok(0.0);
    }
    let k = times
        .partition_point(|t| *t < cut)
        .clamp(1, times.len() - 1);
    let f = ((cut - times[k - 1]) / (times[k] - times[k - 1])).clamp(0.0, 1.0);
    Ok((0..n_org)
        .map(|o| {
            let (a, b) = (rows[k - 1][o], rows[k][o]);
            if a > 0.0 && b > 0.0 {
                a * (b / a).powf(f)
            } else {
                a + f * (b - a)
            }
        })
        .sum())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::experiment::{run, start_day};
    use crate::params::Tables;
    use crate::readout::Readout;
    use crate::{scenario, summary};

    /// With the variation CVs at 0, subjects differ only by the Poisson founding,
    /// so the mean count must match the expectation within Monte-Carlo error.
    #[test]
    fn matches_the_mean_stochastic_count_without_variation() -> Result<()> {
        let tables = Tables::builtin()?;
        let text = r#"
n = 400
seed = 17
cancer_types = ["lung"]
parameters = { var_senescence = 0.0, var_ev_release = 0.0, var_growth = 0.0 }
[[arms]]
name = "aged"
host = { species = "mouse", age = "22 months" }
"#;
        let exp = scenario::parse(text, Path::new("t.toml"), &tables)?;
        let out = run(&exp, &tables, &|| {})?;
        let counts = summary::values(&out, 0, 0, Readout::Metastases);
        let mean = counts.iter().sum::<f64>() / counts.len() as f64;
        let params = &out.types[0].params;
        let expected = macro_metastases(&Design {
            host: exp.arms[0].host,
            params,
            interventions: &[],
            age_effects: exp.arms[0].age_effects,
            burden: true,
            t0: start_day(&exp),
            t_end: params.get("duration")?,
        })?;
        let se = (expected / counts.len() as f64).sqrt();
        assert!(expected > 1.0, "expected {expected}");
        assert!(
            (mean - expected).abs() < 4.0 * se,
            "mean {mean} vs expected {expected} (se {se})"
        );
        Ok(())
    }
}
