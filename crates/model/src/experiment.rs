//! Virtual experiments: arms of simulated subjects per cancer type.
//!
//! Each subject is one deterministic solve of its arm's network (the
//! engine's stiff ODE solver) with its own draws of the between-subject
//! variation, plus the exact stochastic founding of colonies. Founding does
//! not feed back on the continuous state (a colony takes one cell from ~1e5
//! circulating ones), so, given the continuous path, the founding events of
//! each organ form an inhomogeneous Poisson process whose intensity is the
//! founding propensity. The network carries its integral (`colonies_<organ>`,
//! the expected count), and event times are drawn exactly by the time-change
//! theorem: unit-rate exponential gaps mapped back through that integral
//! (interpolated log-linearly between daily output points). This is what a hybrid
//! SSA/ODE method does for reactions without feedback, without restarting
//! the solver at each of the thousands of (mostly micro-metastatic)
//! foundings. Each colony then grows exponentially at the colony growth rate;
//! it is a macro-metastasis once it reaches `detection_threshold` cells.
//!
//! Subject `i` of arm `a` of cancer type `c` draws from the ChaCha8 stream
//! `(c · 2^40) + (a · 2^20) + i` of the experiment's seed, so results are the
//! same for any thread count.

use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};
use rayon::prelude::*;
use senmet_core::Seed;
use senmet_engine::stochastic::stream;
use senmet_engine::{Network, Observable, Ode, ParameterId, System};

use crate::build::{self, Derived, Design, ORGANS};
use crate::error::{ModelError, Result};
use crate::host::{AgeEffects, Host};
use crate::intervention::Intervention;
use crate::params::{Params, Tables};
use crate::prior;
use crate::readout::{Readout, COURSES};

/// Spacing of the output grid used to invert the founding integral (days).
const GRID: f64 = 1.0;

/// Days simulated before the first intervention or implantation, so EV pools settle.
const LEAD_IN: f64 = 2.0;

/// One arm: a host, interventions and host-age switches.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    /// Name (unique in the experiment).
    pub name: String,
    /// Host species and age at implantation.
    pub host: Host,
    /// Interventions.
    pub interventions: Vec<Intervention>,
    /// Host-age effects switched on.
    pub age_effects: AgeEffects,
}

/// A virtual experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct Experiment {
    /// Title.
    pub name: String,
    /// Master seed.
    pub seed: u64,
    /// Subjects per arm.
    pub n: usize,
    /// Cancer types.
    pub cancer_types: Vec<String>,
    /// Days after implantation; `None`: each cancer type's `duration`.
    pub duration: Option<f64>,
    /// Whether each subject draws every uncertain parameter not in
    /// `overrides` from its prior ([`prior::draw`]).
    pub prior: bool,
    /// Parameter overrides (name, value), applied to every subject.
    pub overrides: Vec<(String, f64)>,
    /// Arms.
    pub arms: Vec<Arm>,
    /// Pairs of arm names compared (`arm_a` vs `arm_b`).
    pub comparisons: Vec<(String, String)>,
}

/// One simulated subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    /// Index into [`Experiment::cancer_types`].
    pub cancer_type: usize,
    /// Index into [`Experiment::arms`].
    pub arm: usize,
    /// Index within the arm.
    pub index: usize,
    /// Readouts, in [`Readout::ALL`] order (`time_to_first_metastasis` is the end day when none).
    pub readouts: Vec<f64>,
    /// Whether a macro-metastasis appeared before the end.
    pub metastasis: bool,
    /// Time courses ([`COURSES`] order) at the course times of its cancer type, row-major.
    pub courses: Vec<f64>,
    /// With [`Experiment::prior`]: the subject's values of the drawn
    /// parameters, as `(name, value)` in name order (after the constraints
    /// of [`prior`]); empty otherwise.
    pub drawn: Vec<(String, f64)>,
}

impl Subject {
    /// One readout.
    pub fn get(&self, r: Readout) -> f64 {
        self.readouts[Readout::ALL.iter().position(|x| *x == r).unwrap_or(0)]
    }
}

/// One cancer type's setting in a run.
#[derive(Debug, Clone)]
pub struct TypeRun {
    /// Cancer type name.
    pub name: String,
    /// Parameter values (for the first arm's host species).
    pub params: Params,
    /// Derived values (first arm).
    pub derived: Vec<Derived>,
    /// Simulation start (day).
    pub t0: f64,
    /// End (day).
    pub t_end: f64,
    /// Times of the course rows (days).
    pub course_times: Vec<f64>,
}

/// Everything a run produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Per cancer type settings, in experiment order.
    pub types: Vec<TypeRun>,
    /// All subjects, ordered by cancer type, arm, index.
    pub subjects: Vec<Subject>,
    /// The network of the first cancer type's second arm (or first), for export.
    pub example: Network,
}

/// The compiled model of one (cancer type, arm).
struct Cell {
    system: System,
    t0: f64,
    t_end: f64,
    variation: Vec<(ParameterId, f64, f64)>,
    observables: Vec<Observable>,
    threshold: f64,
}

/// Runs the experiment; `progress` is called once per finished subject.
///
/// # Errors
///
/// Unknown cancer types or parameters, values the model cannot use, solver failures (naming the subject).
pub fn run(exp: &Experiment, tables: &Tables, progress: &(dyn Fn() + Sync)) -> Result<Outcome> {
    let setup = Setup::new(exp, tables)?;
    let subjects = setup.subjects(exp, 0..jobs(exp), progress)?;
    Ok(Outcome {
        types: setup.types,
        subjects,
        example: setup.example.unwrap_or_default(),
    })
}

/// The number of subjects of `exp`: cancer types × arms × n, in the order
/// of [`Outcome::subjects`].
pub fn jobs(exp: &Experiment) -> u64 {
    (exp.cancer_types.len() * exp.arms.len() * exp.n) as u64
}

/// Simulates only the subjects `range` (positions in the order of
/// [`Outcome::subjects`]); each is the same as in the whole run.
///
/// # Errors
///
/// As [`run`].
pub fn subjects(
    exp: &Experiment,
    tables: &Tables,
    range: std::ops::Range<u64>,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<Subject>> {
    Setup::new(exp, tables)?.subjects(exp, range, progress)
}

/// Every (cancer type, arm) compiled, with its parameters.
struct Setup {
    types: Vec<TypeRun>,
    cells: Vec<(Cell, Params)>,
    example: Option<Network>,
}

impl Setup {
    fn new(exp: &Experiment, tables: &Tables) -> Result<Self> {
        let mut types = Vec::new();
        let mut cells = Vec::new();
        let mut example = None;
        let t0 = start_day(exp);
        for (c, ct) in exp.cancer_types.iter().enumerate() {
            for (a, arm) in exp.arms.iter().enumerate() {
                let (params, t_end) = resolve(exp, tables, arm, ct)?;
                let (cell, built) = compile(arm, &params, t0, t_end, ct)?;
                if a == 0 {
                    let course_times: Vec<f64> = (0..)
                        .map(|k| t0 + f64::from(k))
                        .take_while(|t| *t <= t_end + 1e-9)
                        .collect();
                    types.push(TypeRun {
                        name: ct.clone(),
                        params: params.clone(),
                        derived: built.derived.clone(),
                        t0,
                        t_end,
                        course_times,
                    });
                }
                if c == 0 && (a == 1 || exp.arms.len() == 1) {
                    example = Some(built.network);
                }
                cells.push((cell, params));
            }
        }
        Ok(Setup {
            types,
            cells,
            example,
        })
    }

    fn subjects(
        &self,
        exp: &Experiment,
        range: std::ops::Range<u64>,
        progress: &(dyn Fn() + Sync),
    ) -> Result<Vec<Subject>> {
        let (types, cells) = (&self.types, &self.cells);
        let per_type = exp.arms.len() * exp.n;
        let jobs: Vec<(usize, usize, usize)> = range
            .map(|j| {
                let j = j as usize;
                (j / per_type, (j % per_type) / exp.n, j % exp.n)
            })
            .collect();
        let seed = Seed::new(exp.seed);
        jobs.par_iter()
            .map(|&(c, a, i)| {
                let (cell, params) = &cells[c * exp.arms.len() + a];
                let key = ((c as u64) << 40) | ((a as u64) << 20) | i as u64;
                let name = &exp.cancer_types[c];
                let mut drawn = Vec::new();
                let s = if exp.prior {
                    let values = prior::draw(
                        params,
                        &exp.overrides,
                        &mut stream(seed, key | prior::STREAM),
                    )?;
                    let (own, _) = compile(&exp.arms[a], &values, cell.t0, cell.t_end, name)?;
                    for p in prior::drawn(params, &exp.overrides) {
                        drawn.push((p.name.clone(), values.get(&p.name)?));
                    }
                    subject(&own, &types[c], &mut stream(seed, key))
                } else {
                    subject(cell, &types[c], &mut stream(seed, key))
                };
                let s = s.map_err(|e| match e {
                    ModelError::Engine { source, .. } => engine(
                        format!("{name}, arm {}, subject {}", exp.arms[a].name, i + 1),
                        source,
                    ),
                    other => other,
                });
                progress();
                s.map(|(readouts, metastasis, courses)| Subject {
                    cancer_type: c,
                    arm: a,
                    index: i,
                    readouts,
                    metastasis,
                    courses,
                    drawn,
                })
            })
            .collect()
    }
}

/// Builds and compiles the network of `arm` with `params`, from day `t0` to `t_end`.
fn compile(
    arm: &Arm,
    params: &Params,
    t0: f64,
    t_end: f64,
    cancer_type: &str,
) -> Result<(Cell, build::Built)> {
    let design = Design {
        host: arm.host,
        params,
        interventions: &arm.interventions,
        age_effects: arm.age_effects,
        burden: true,
        t0,
        t_end,
    };
    let built = build::network(&design)?;
    let system = System::new(&built.network).map_err(|e| {
        engine(
            format!("{cancer_type}, arm {}: compiling the network", arm.name),
            e,
        )
    })?;
    let variation = variation(&system, params)?;
    let mut observables = Vec::new();
    for name in ORGANS
        .iter()
        .map(|o| format!("colonies_{o}"))
        .chain(["colony_growth".to_string()])
        .chain(
            Readout::ALL
                .iter()
                .filter_map(|r| r.symbol())
                .map(String::from),
        )
        .chain(COURSES.iter().map(|c| c.0.to_string()))
    {
        observables.push(
            system
                .observable(&name, true)
                .ok_or_else(|| missing(&name))?,
        );
    }
    let cell = Cell {
        system,
        t0,
        t_end,
        variation,
        observables,
        threshold: params.get("detection_threshold")?,
    };
    Ok((cell, built))
}

/// The parameters of `arm`'s host for cancer type `cancer` with the
/// scenario's overrides, and the last simulated day: the scenario's
/// duration, else the parameter `duration`.
pub(crate) fn resolve(
    exp: &Experiment,
    tables: &Tables,
    arm: &Arm,
    cancer: &str,
) -> Result<(Params, f64)> {
    let mut params = tables.resolve(arm.host.species, cancer)?;
    for (name, value) in &exp.overrides {
        params.set(name, *value)?;
    }
    let t_end = match exp.duration {
        Some(d) => d,
        None => params.get("duration")?,
    };
    Ok((params, t_end))
}

/// The first simulated day of every subject of `exp` (relative to implantation): a lead-in
/// before the earliest intervention start or implantation, so EV pools settle.
pub fn start_day(exp: &Experiment) -> f64 {
    exp.arms
        .iter()
        .flat_map(|a| a.interventions.iter().map(Intervention::start))
        .fold(0.0_f64, f64::min)
        - LEAD_IN
}

fn engine(context: String, source: senmet_engine::EngineError) -> ModelError {
    ModelError::Engine { context, source }
}

/// The error for a model symbol the network lacks (a bug in `build`).
pub(crate) fn missing(name: &str) -> ModelError {
    ModelError::UnknownParameter {
        name: name.to_string(),
        hint: " (a model symbol the network lacks: a bug)".into(),
    }
}

/// The time in `[t0, t1]` at which an integral growing from `a` to `b` reaches `s`:
/// log-linear where both ends are positive (exact for exponential growth, which
/// the founding intensity follows between output points), else linear.
pub(crate) fn invert(t0: f64, t1: f64, a: f64, b: f64, s: f64) -> f64 {
    let f = if a > 0.0 && b > a {
        (s / a).ln() / (b / a).ln()
    } else if b > a {
        (s - a) / (b - a)
    } else {
        1.0
    };
    t0 + (t1 - t0) * f.clamp(0.0, 1.0)
}

/// The parameters that vary between subjects, as `(id, value, cv)`; the
/// growth rate is last.
pub(crate) fn variation(system: &System, params: &Params) -> Result<Vec<(ParameterId, f64, f64)>> {
    [
        ("sen_production", "var_senescence"),
        ("ev_release_base", "var_ev_release"),
        ("growth_rate", "var_growth"),
    ]
    .iter()
    .map(|(name, cv)| {
        let id = system.parameter(name).ok_or_else(|| missing(name))?;
        Ok((id, params.get(name)?, params.get(cv)?))
    })
    .collect()
}

/// One subject's values of the varied parameters: each `(id, value, cv)`
/// times a log-normal factor of mean 1 and coefficient of variation `cv`.
pub(crate) fn vary(
    variation: &[(ParameterId, f64, f64)],
    rng: &mut ChaCha8Rng,
) -> Vec<(ParameterId, f64)> {
    variation
        .iter()
        .map(|&(id, value, cv)| {
            let z: f64 = StandardNormal.sample(rng);
            let s2 = (1.0 + cv * cv).ln();
            (id, value * (s2.sqrt() * z - s2 / 2.0).exp())
        })
        .collect()
}

/// Simulates one subject: readouts, whether a metastasis appeared, courses.
fn subject(cell: &Cell, ty: &TypeRun, rng: &mut ChaCha8Rng) -> Result<(Vec<f64>, bool, Vec<f64>)> {
    let overrides = vary(&cell.variation, rng);
    // Model time 0 is day t0 (see `build`); `times` are days relative to implantation.
    let steps = ((cell.t_end - cell.t0) / GRID).ceil() as usize;
    let times: Vec<f64> = (0..=steps)
        .map(|k| (cell.t0 + k as f64 * GRID).min(cell.t_end))
        .collect();
    let model_times: Vec<f64> = times.iter().map(|t| t - cell.t0).collect();
    let ode = Ode::builder(&cell.system)
        .rtol(1e-6)
        .atol(1e-9)
        .build()
        .map_err(|e| engine(String::new(), e))?;
    let rows = ode
        .run_with(&model_times, &cell.observables, &overrides)
        .map_err(|e| engine(String::new(), e))?;
    let last = rows.last().ok_or_else(|| missing("output rows"))?;
    let n_org = ORGANS.len();
    let growth = last[n_org];
    // Exact founding times per organ, by the time change of a unit-rate Poisson process.
    let mut per_organ = [0.0; 3];
    let mut burden = 0.0;
    let mut first = f64::INFINITY;
    let to_macro = cell.threshold.ln() / growth;
    for (o, count) in per_organ.iter_mut().enumerate() {
        let total = last[o];
        let mut s: f64 = Exp1.sample(rng);
        let mut k = 1;
        while s <= total {
            while rows[k][o] < s {
                k += 1;
            }
            let t = invert(times[k - 1], times[k], rows[k - 1][o], rows[k][o], s);
            let size = (growth * (cell.t_end - t)).exp();
            burden += size;
            if size >= cell.threshold {
                *count += 1.0;
                first = first.min(t + to_macro);
            }
            s += Distribution::<f64>::sample(&Exp1, rng);
        }
    }
    let direct = &last[n_org + 1..];
    let mut readouts = Vec::with_capacity(Readout::ALL.len());
    let mut d = 0;
    for r in Readout::ALL {
        readouts.push(match r {
            Readout::Metastases => per_organ.iter().sum(),
            Readout::MetastaticBurden => burden,
            Readout::TimeToFirstMetastasis => first.min(cell.t_end),
            Readout::MetastasesLung => per_organ[0],
            Readout::MetastasesLiver => per_organ[1],
            Readout::MetastasesBone => per_organ[2],
            _ => {
                d += 1;
                direct[d - 1]
            }
        });
    }
    let n_direct = d;
    let stride = (1.0 / GRID).round() as usize;
    let mut courses = Vec::with_capacity(ty.course_times.len() * COURSES.len());
    for row in rows.iter().step_by(stride).take(ty.course_times.len()) {
        courses.extend_from_slice(&row[n_org + 1 + n_direct..]);
    }
    Ok((readouts, first.is_finite() && first <= cell.t_end, courses))
}
