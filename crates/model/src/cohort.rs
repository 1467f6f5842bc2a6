//! Virtual patients: one primary tumour each, from ~1 mm³ to diagnosis, then follow-up.
//!
//! A patient is a human host of a given age with one primary tumour of a
//! cancer type that has human rows in `cancer_types.tsv`. The tumour starts
//! at `inoculum` cells and grows (the network of [`crate::build`], no
//! intervention) until it reaches `diagnosis_size` cells; the primary is
//! then resected, so only colonies founded before diagnosis count. Colony
//! founding times are drawn exactly as in [`crate::experiment`] (time change
//! of the founding integral); each colony grows exponentially at the
//! colony growth rate at diagnosis and is a metastasis once it reaches
//! `detection_threshold` cells (human: clinically detectable).
//!
//! - *Metastatic at diagnosis*: a colony had reached the threshold by diagnosis.
//! - *Time to metastasis*: years from diagnosis until the first colony
//!   reaches the threshold, censored at the end of follow-up.
//!
//! The age drawn is the age at diagnosis: the host's age at the start is
//! set back by the time the tumour needs to reach diagnosis size at the
//! patient's growth rate (exponential approximation).
//!
//! Patient `k` draws everything (age, between-patient variation, founding)
//! from ChaCha8 stream `k` of the cohort seed, and its cancer type is
//! `types[k mod types.len()]`, so a patient's result depends only on the
//! seed and `k`: any split of patients into chunks, shards or threads gives
//! identical results. With `prior`, patient `k` also draws every uncertain
//! parameter from its prior ([`crate::prior`], stream `k + 2^62 + d·2^48`
//! for draw `d`) and gets a network compiled for those values; a draw whose
//! primary never reaches diagnosis size is replaced by the next (at most
//! [`PRIOR_DRAWS`]), as the cohort is of diagnosed patients.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1};
use senmet_core::Seed;
use senmet_engine::stochastic::stream;
use senmet_engine::{Observable, Ode, ParameterId, System};

use crate::build::{self, Design, ORGANS};
use crate::error::{ModelError, Result};
use crate::experiment::{invert, missing, variation, vary};
use crate::host::{AgeEffects, Host, Species};
use crate::params::{Params, Tables};
use crate::prior;

/// Days per year.
pub const YEAR: f64 = 365.25;

/// Days simulated before the tumour starts, so EV pools settle.
const LEAD_IN: f64 = 2.0;

/// The simulation horizon, as a multiple of the exponential-growth time to diagnosis.
const HORIZON: f64 = 4.0;

/// Days between output rows: diagnosis and founding times are interpolated
/// log-linearly between rows (exact for exponential growth), so a week
/// changes results far below their sampling noise and costs a seventh of a
/// daily grid.
const GRID: f64 = 7.0;

/// Age distribution of the cohort, in years at diagnosis.
#[derive(Debug, Clone, PartialEq)]
pub enum Ages {
    /// Uniform on `[low, high]`.
    Uniform {
        /// Youngest.
        low: f64,
        /// Oldest.
        high: f64,
    },
    /// Bands `[low, high)` with relative weights; uniform within a band.
    Bands(Vec<(f64, f64, f64)>),
}

impl Ages {
    /// Checks the ranges: finite, `0 ≤ low < high ≤ 120`, weights ≥ 0 and not all 0.
    ///
    /// # Errors
    ///
    /// [`ModelError::BadValue`] naming the range.
    pub fn validate(&self) -> Result<()> {
        let bands = match self {
            Ages::Uniform { low, high } => vec![(*low, *high, 1.0)],
            Ages::Bands(b) => b.clone(),
        };
        for (low, high, w) in &bands {
            let ok =
                low.is_finite() && high.is_finite() && *low >= 0.0 && low < high && *high <= 120.0;
            if !ok {
                return Err(ModelError::BadValue {
                    name: format!("age range {low}-{high}"),
                    value: *low,
                    expected: "0 <= low < high <= 120 years".into(),
                });
            }
            if !(w.is_finite() && *w >= 0.0) {
                return Err(ModelError::BadValue {
                    name: format!("weight of ages {low}-{high}"),
                    value: *w,
                    expected: "a finite weight >= 0".into(),
                });
            }
        }
        if bands.iter().map(|b| b.2).sum::<f64>() <= 0.0 {
            return Err(ModelError::BadValue {
                name: "age band weights".into(),
                value: 0.0,
                expected: "at least one band with weight > 0".into(),
            });
        }
        Ok(())
    }

    fn draw(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self {
            Ages::Uniform { low, high } => low + (high - low) * rng.random::<f64>(),
            Ages::Bands(bands) => {
                let total: f64 = bands.iter().map(|b| b.2).sum();
                let mut u = rng.random::<f64>() * total;
                let mut pick = bands[bands.len() - 1];
                for b in bands {
                    if u < b.2 {
                        pick = *b;
                        break;
                    }
                    u -= b.2;
                }
                pick.0 + (pick.1 - pick.0) * rng.random::<f64>()
            }
        }
    }
}

/// One simulated patient.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Patient {
    /// Patient number (0-based) in the cohort.
    pub index: u64,
    /// Index into the cohort's cancer types.
    pub cancer_type: usize,
    /// Age at diagnosis (years).
    pub age: f64,
    /// Years from ~1 mm³ to diagnosis.
    pub years_to_diagnosis: f64,
    /// A metastasis was detectable at diagnosis.
    pub metastatic_at_diagnosis: bool,
    /// Years from diagnosis to the first metastasis (0 if metastatic at diagnosis), or to the end of follow-up.
    pub time_to_metastasis: f64,
    /// A metastasis appeared by the end of follow-up (including at diagnosis).
    pub metastasis: bool,
    /// Colonies founded before diagnosis.
    pub colonies: u32,
    /// Senescent fraction of hepatocytes at diagnosis.
    pub senescent_fraction: f64,
    /// Plasma EVs at diagnosis (EVs/mL).
    pub plasma_ev: f64,
    /// Tumour PTEN at diagnosis (relative).
    pub pten: f64,
    /// Tumour LATS2 at diagnosis (relative).
    pub lats2: f64,
    /// Mesenchymal fraction of the primary at diagnosis.
    pub emt_fraction: f64,
    /// Draws from the priors until the primary reached diagnosis size (0: no priors).
    pub prior_draws: u32,
}

/// Most draws from the priors for one patient: parameter sets whose primary
/// never reaches diagnosis size are redrawn (the cohort is of diagnosed
/// patients), up to this many times.
pub const PRIOR_DRAWS: u32 = 100;

/// What one solve of a patient gave.
enum Fate {
    Diagnosed(Patient),
    /// The primary never reached diagnosis size: its last size, and the day.
    Undiagnosed(f64, f64),
}

/// One cancer type compiled for human hosts.
struct TypeModel {
    name: String,
    params: Params,
    system: System,
    age0: ParameterId,
    variation: Vec<(ParameterId, f64, f64)>,
    observables: Vec<Observable>,
    inoculum: f64,
    diagnosis: f64,
    threshold: f64,
}

/// Readouts kept at diagnosis, as network symbols (order of the [`Patient`] fields).
const READOUTS: [&str; 5] = ["sen", "plasma_ev", "pten", "lats2", "emt_fraction"];

/// A cohort ready to simulate patients one at a time.
pub struct Cohort {
    types: Vec<TypeModel>,
    ages: Ages,
    follow_up: f64,
    seed: Seed,
    choice: Choice,
}

/// Parameter values beyond the tables' defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choice {
    /// `(name, value)` for every patient.
    pub overrides: Vec<(String, f64)>,
    /// Each patient draws every other uncertain parameter from its prior.
    pub prior: bool,
}

impl Cohort {
    /// Compiles each cancer type for human hosts, with `choice` applied.
    ///
    /// # Errors
    ///
    /// Unknown cancer types or parameters, types without human rows, bad
    /// ages, follow-up or values, model errors.
    pub fn new(
        tables: &Tables,
        types: &[String],
        ages: Ages,
        years: f64,
        seed: u64,
        choice: &Choice,
    ) -> Result<Self> {
        ages.validate()?;
        if !(years.is_finite() && years > 0.0) {
            return Err(ModelError::BadValue {
                name: "follow-up years".into(),
                value: years,
                expected: "a positive number of years".into(),
            });
        }
        let models = types
            .iter()
            .map(|t| compile(tables, t, &choice.overrides))
            .collect::<Result<Vec<_>>>()?;
        if models.is_empty() {
            return Err(ModelError::BadValue {
                name: "cancer types".into(),
                value: 0.0,
                expected: "at least one cancer type".into(),
            });
        }
        Ok(Self {
            types: models,
            ages,
            follow_up: years,
            seed: Seed::new(seed),
            choice: choice.clone(),
        })
    }

    /// Simulates patient `k`.
    ///
    /// # Errors
    ///
    /// Solver failures, or a tumour that never reaches diagnosis size.
    pub fn patient(&self, k: u64) -> Result<Patient> {
        let c = (k % self.types.len() as u64) as usize;
        let base = &self.types[c];
        let undiagnosed = |m: &TypeModel, size, days, draws: &str| ModelError::BadValue {
            name: format!("patient {}: primary tumour size", k + 1),
            value: size,
            expected: format!(
                "to reach diagnosis_size {} cells within {days} days{draws}",
                m.diagnosis
            ),
        };
        if !self.choice.prior {
            return match self.simulate(base, c, k)? {
                Fate::Diagnosed(p) => Ok(p),
                Fate::Undiagnosed(size, days) => Err(undiagnosed(base, size, days, "")),
            };
        }
        let mut draw = 0;
        loop {
            let key = k | prior::STREAM | (u64::from(draw) << 48);
            let params = prior::draw(
                &base.params,
                &self.choice.overrides,
                &mut stream(self.seed, key),
            )?;
            let m = model(params, &base.name)?;
            draw += 1;
            match self.simulate(&m, c, k)? {
                Fate::Diagnosed(p) => {
                    return Ok(Patient {
                        prior_draws: draw,
                        ..p
                    })
                }
                Fate::Undiagnosed(size, days) if draw == PRIOR_DRAWS => {
                    let draws = format!(" in any of {PRIOR_DRAWS} draws from the priors");
                    return Err(undiagnosed(&m, size, days, &draws));
                }
                Fate::Undiagnosed(..) => {}
            }
        }
    }

    /// Simulates patient `k` of cancer type `c` with the model `m`.
    fn simulate(&self, m: &TypeModel, c: usize, k: u64) -> Result<Fate> {
        let mut rng = stream(self.seed, k);
        let age = self.ages.draw(&mut rng);
        let mut overrides = vary(&m.variation, &mut rng);
        let growth = overrides[2].1;
        let expected = (m.diagnosis / m.inoculum).ln() / growth;
        overrides.push((m.age0, (age * YEAR - expected).max(0.0)));
        let steps = ((expected * HORIZON + LEAD_IN) / GRID).ceil() as usize;
        let times: Vec<f64> = (0..=steps).map(|d| d as f64 * GRID).collect();
        let fail = |e| ModelError::Engine {
            context: format!("patient {}", k + 1),
            source: e,
        };
        let ode = Ode::builder(&m.system)
            .rtol(1e-6)
            .atol(1e-9)
            .build()
            .map_err(fail)?;
        let rows = ode
            .run_with(&times, &m.observables, &overrides)
            .map_err(fail)?;
        let n_org = ORGANS.len();
        let Some((j, t_d)) = diagnosis(&rows, &times, m.diagnosis) else {
            let size = rows.last().map_or(0.0, |r| r[n_org + 1]);
            return Ok(Fate::Undiagnosed(size, times[steps]));
        };
        let at = &rows[j];
        let g = at[n_org];
        let to_macro = m.threshold.ln() / g;
        let (first, colonies) = found(&rows, &times, j, t_d, &mut rng);
        let first = first + to_macro;
        let follow = self.follow_up * YEAR;
        let since = (first - t_d).max(0.0);
        Ok(Fate::Diagnosed(Patient {
            index: k,
            cancer_type: c,
            age,
            years_to_diagnosis: (t_d - LEAD_IN) / YEAR,
            metastatic_at_diagnosis: first <= t_d,
            time_to_metastasis: since.min(follow) / YEAR,
            metastasis: since <= follow,
            colonies,
            senescent_fraction: at[n_org + 2],
            plasma_ev: at[n_org + 3],
            pten: at[n_org + 4],
            lats2: at[n_org + 5],
            emt_fraction: at[n_org + 6],
            prior_draws: 0,
        }))
    }
}

/// The first row `j` at which the primary (column after the organs and colony growth)
/// reaches `size`, and the day it did (log-linear between rows); `None` if it never does.
fn diagnosis(rows: &[Vec<f64>], times: &[f64], size: f64) -> Option<(usize, f64)> {
    let col = ORGANS.len() + 1;
    let j = rows.iter().position(|r| r[col] >= size)?;
    if j == 0 {
        return Some((0, times[0]));
    }
    let (a, b) = (rows[j - 1][col].max(1.0), rows[j][col]);
    Some((
        j,
        times[j - 1] + (times[j] - times[j - 1]) * (size / a).ln() / (b / a).ln(),
    ))
}

/// Founding times before diagnosis (day `t_d`, between rows `j-1` and `j`):
/// the earliest founding time (infinite if none) and the number of colonies.
fn found(rows: &[Vec<f64>], times: &[f64], j: usize, t_d: f64, rng: &mut ChaCha8Rng) -> (f64, u32) {
    let mut first = f64::INFINITY;
    let mut n = 0;
    for o in 0..ORGANS.len() {
        let total = if j == 0 {
            rows[0][o]
        } else {
            let f = (t_d - times[j - 1]) / (times[j] - times[j - 1]);
            let (a, b) = (rows[j - 1][o], rows[j][o]);
            if a > 0.0 && b > a {
                a * (b / a).powf(f)
            } else {
                a + f * (b - a)
            }
        };
        let s: f64 = Exp1.sample(rng);
        if s <= total {
            let k = rows.iter().position(|r| r[o] >= s).unwrap_or(j).max(1);
            let t = invert(times[k - 1], times[k], rows[k - 1][o], rows[k][o], s);
            first = first.min(t);
            let mut s = s;
            while s <= total {
                n += 1;
                s += Distribution::<f64>::sample(&Exp1, rng);
            }
        }
    }
    (first, n)
}

/// Compiles one cancer type for human hosts.
fn compile(tables: &Tables, name: &str, overrides: &[(String, f64)]) -> Result<TypeModel> {
    let ty = tables.cancer_type(name)?;
    if ty.human.is_empty() {
        let with: Vec<&str> = tables
            .cancer_types
            .iter()
            .filter(|t| !t.human.is_empty())
            .map(|t| t.name.as_str())
            .collect();
        return Err(ModelError::UnknownCancerType {
            name: format!("{name}` for human patients (no human rows in cancer_types.tsv)`"),
            known: with.join(", "),
        });
    }
    let mut params = tables.resolve(Species::Human, name)?;
    for (n, v) in overrides {
        params.set(n, *v)?;
    }
    model(params, name)
}

/// Builds and compiles the network of one cancer type in human hosts with `params`.
fn model(params: Params, name: &str) -> Result<TypeModel> {
    let design = Design {
        host: Host {
            species: Species::Human,
            age_days: 70.0 * YEAR,
        },
        params: &params,
        interventions: &[],
        age_effects: AgeEffects::default(),
        burden: false,
        t0: -LEAD_IN,
        t_end: 0.0,
    };
    let built = build::network(&design)?;
    let system = System::new(&built.network).map_err(|e| ModelError::Engine {
        context: format!("{name} (human): compiling the network"),
        source: e,
    })?;
    let variation = variation(&system, &params)?;
    let mut observables = Vec::new();
    let names = ORGANS
        .iter()
        .map(|o| format!("colonies_{o}"))
        .chain(["colony_growth", "n_tumour"].map(String::from))
        .chain(READOUTS.map(String::from));
    for s in names {
        observables.push(system.observable(&s, true).ok_or_else(|| missing(&s))?);
    }
    Ok(TypeModel {
        name: name.to_string(),
        age0: system.parameter("age0").ok_or_else(|| missing("age0"))?,
        inoculum: params.get("inoculum")?,
        diagnosis: params.get("diagnosis_size")?,
        threshold: params.get("detection_threshold")?,
        params,
        system,
        variation,
        observables,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cohort(seed: u64, prior: bool) -> Cohort {
        let tables = Tables::builtin().unwrap();
        Cohort::new(
            &tables,
            &["breast".into()],
            Ages::Uniform {
                low: 40.0,
                high: 90.0,
            },
            10.0,
            seed,
            &Choice {
                overrides: Vec::new(),
                prior,
            },
        )
        .unwrap()
    }

    #[test]
    fn breast_ten_year_metastasis_is_in_the_published_range() {
        // Hunter et al. 2008: 15–25% of T1N0 breast cancers metastasise
        // later; the human colony probability is calibrated to it.
        let c = cohort(11, false);
        let n = 400;
        let m = (0..n).filter(|&k| c.patient(k).unwrap().metastasis).count();
        let p = m as f64 / n as f64;
        assert!(
            (0.15..=0.30).contains(&p),
            "{m} of {n} patients metastatic by 10 years"
        );
    }

    #[test]
    fn with_priors_patients_differ_beyond_their_variation() {
        let (plain, drawn) = (cohort(5, false), cohort(5, true));
        let spread = |c: &Cohort| {
            let x: Vec<f64> = (0..40)
                .map(|k| c.patient(k).unwrap().plasma_ev.ln())
                .collect();
            let m = x.iter().sum::<f64>() / 40.0;
            x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / 39.0
        };
        let (a, b) = (spread(&plain), spread(&drawn));
        assert!(
            b > 2.0 * a,
            "variance of log plasma EVs: {a} without, {b} with priors"
        );
        assert_eq!(
            drawn.patient(7).unwrap(),
            cohort(5, true).patient(7).unwrap()
        );
        // The age draw comes from the patient's own stream either way.
        assert_eq!(drawn.patient(7).unwrap().age, plain.patient(7).unwrap().age);
    }

    #[test]
    fn a_patient_is_a_function_of_seed_and_index() {
        let (a, b) = (cohort(3, false), cohort(3, false));
        let p = a.patient(17).unwrap();
        assert_eq!(p, b.patient(17).unwrap());
        assert_ne!(p, a.patient(18).unwrap());
        assert!((40.0..=90.0).contains(&p.age));
        assert!(
            p.years_to_diagnosis > 0.5 && p.years_to_diagnosis < 5.0,
            "{p:?}"
        );
        assert!(p.time_to_metastasis >= 0.0 && p.time_to_metastasis <= 10.0);
    }

    #[test]
    fn bad_ages_and_mouse_only_types_are_refused() {
        let tables = Tables::builtin().unwrap();
        let bad = Cohort::new(
            &tables,
            &["breast".into()],
            Ages::Uniform {
                low: 90.0,
                high: 40.0,
            },
            10.0,
            1,
            &Choice::default(),
        );
        assert!(bad.err().unwrap().to_string().contains("age range 90-40"));
        let mouse = Cohort::new(
            &tables,
            &["melanoma".into()],
            Ages::Uniform {
                low: 40.0,
                high: 90.0,
            },
            10.0,
            1,
            &Choice::default(),
        );
        assert!(mouse.err().unwrap().to_string().contains("no human rows"));
    }
}
