//! Parameter uncertainty: the uncertain parameters and draws from their priors.
//!
//! A parameter is uncertain when its table row gives a uniform or
//! log-uniform prior, except the between-subject variation CVs (drawn per
//! subject anyway) and intervention parameters (the doses and schedules are
//! the experimenter's choice, not unknowns of biology). Two constraints of
//! the network are kept for every draw or design point:
//!
//! - the tropisms `tropism_lung`, `tropism_liver`, `tropism_bone` are shares
//!   of arrested cells and must sum to 1: each is drawn from its prior and the
//!   three are then divided by their sum;
//! - the EV uptake shares of liver, spleen, lung and kidney must sum to at
//!   most 1 (the rest goes to other tissues): where the draws sum above 1
//!   they are scaled down proportionally to sum to 1 (less 1e-12).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::build::ORGANS;
use crate::error::Result;
use crate::params::{Parameter, Params, Prior};

/// Set in a subject's stream key for its draws from the priors, so that its
/// other draws are the same with and without priors.
pub(crate) const STREAM: u64 = 1 << 62;

/// Layers of the parameter table that are not uncertain (see the module docs).
const SKIPPED_LAYERS: [&str; 2] = ["variation", "intervention"];

/// EV uptake shares that must sum to at most 1.
const EV_SHARES: [&str; 4] = [
    "ev_share_liver",
    "ev_share_spleen",
    "ev_share_lung",
    "ev_share_kidney",
];

/// The uncertain parameters of `params`, in name order.
pub fn uncertain(params: &Params) -> impl Iterator<Item = &Parameter> {
    params
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.prior != Prior::Fixed && !SKIPPED_LAYERS.contains(&p.layer.as_str()))
}

/// The uncertain parameters of `params` that `overrides` (a user's
/// `(name, value)` settings) leave to be drawn, in name order.
pub fn drawn<'a>(
    params: &'a Params,
    overrides: &'a [(String, f64)],
) -> impl Iterator<Item = &'a Parameter> {
    uncertain(params).filter(move |p| !overrides.iter().any(|(n, _)| *n == p.name))
}

/// `base` with every parameter of [`drawn`] drawn from its prior (uniform,
/// or uniform in the logarithm), then constrained.
///
/// # Errors
///
/// Values the tables reject (none for a well-formed table).
pub fn draw(base: &Params, overrides: &[(String, f64)], rng: &mut ChaCha8Rng) -> Result<Params> {
    let mut params = base.clone();
    for p in drawn(base, overrides) {
        let u: f64 = rng.random();
        let value = match p.prior {
            Prior::LogUniform => (p.low.ln() + u * (p.high.ln() - p.low.ln())).exp(),
            _ => p.low + u * (p.high - p.low),
        };
        params.set(&p.name, value)?;
    }
    constrain(&mut params)?;
    Ok(params)
}

/// Renormalises the tropisms to sum 1 and scales EV shares down to sum at
/// most 1; returns whether the shares were scaled.
pub(crate) fn constrain(params: &mut Params) -> Result<bool> {
    let names: Vec<String> = ORGANS.iter().map(|o| format!("tropism_{o}")).collect();
    let values = names
        .iter()
        .map(|n| params.get(n))
        .collect::<Result<Vec<f64>>>()?;
    let sum: f64 = values.iter().sum();
    if sum > 0.0 {
        for (n, v) in names.iter().zip(&values) {
            params.set(n, v / sum)?;
        }
    }
    let shares = EV_SHARES
        .iter()
        .map(|n| params.get(n))
        .collect::<Result<Vec<f64>>>()?;
    let sum: f64 = shares.iter().sum();
    if sum <= 1.0 {
        return Ok(false);
    }
    // Slightly below 1, so that rounding in the network's own sum cannot exceed 1.
    let scale = (1.0 - 1e-12) / sum;
    for (n, v) in EV_SHARES.iter().zip(&shares) {
        params.set(n, v * scale)?;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::host::Species;
    use crate::params::Tables;

    #[test]
    fn draws_stay_in_their_priors_and_keep_the_constraints() -> Result<()> {
        let base = Tables::builtin()?.resolve(Species::Mouse, "breast")?;
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let keep = vec![("growth_rate".to_string(), 0.0134)];
        let names: Vec<String> = uncertain(&base).map(|p| p.name.clone()).collect();
        assert!(names.len() > 20, "{names:?}");
        assert!(names.contains(&"ev_release_base".to_string()));
        assert!(!names.iter().any(|n| n.starts_with("var_")));
        let mut moved = 0;
        for _ in 0..50 {
            let p = draw(&base, &keep, &mut rng)?;
            assert_eq!(p.get("growth_rate")?, base.get("growth_rate")?);
            let tropism: f64 = ORGANS
                .iter()
                .map(|o| p.get(&format!("tropism_{o}")))
                .sum::<Result<f64>>()?;
            assert!((tropism - 1.0).abs() < 1e-12);
            let shares: f64 = EV_SHARES.iter().map(|n| p.get(n)).sum::<Result<f64>>()?;
            assert!(shares <= 1.0);
            for row in uncertain(&base).filter(|r| !r.name.starts_with("tropism_")) {
                let v = p.get(&row.name)?;
                let scaled = EV_SHARES.contains(&row.name.as_str());
                assert!(v <= row.high * (1.0 + 1e-12), "{} = {v}", row.name);
                assert!(scaled || v >= row.low * (1.0 - 1e-12), "{} = {v}", row.name);
            }
            moved += usize::from(p.get("ev_release_base")? != base.get("ev_release_base")?);
        }
        assert_eq!(moved, 50);
        Ok(())
    }
}
