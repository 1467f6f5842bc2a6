//! The model as a reaction network (the engine's [`Network`]), for one arm.
//!
//! Everything the model does is here, as species, reactions, rules and
//! events, so the exported SBML is the model: nothing is computed beside the
//! engine except per-colony sizes from the exact founding times (see
//! [`crate::experiment`]). All species are amounts in one compartment `host`
//! (size 1). Model time starts at 0 at [`Design::t0`] (so the exported SBML
//! runs as is in any tool) and is in days; the rule `day` is the day relative
//! to tumour implantation (`time + day_offset`, with `day_offset = t0`).
//!
//! | layer | species | what happens |
//! |---|---|---|
//! | 1 liver | `sen` (senescent fraction of hepatocytes) | production `eta·age·(1 − sen)`, saturating removal `beta·sen/(kappa + sen)` (Karin et al. 2019), killing by dasatinib |
//! | 2 EVs | `ev_sen`, `ev_hep` (plasma EVs of senescent / other hepatocyte origin) | release per cell × P2RX7 factor (rises with age, blocked by the inhibitor) |
//! | 3 distribution | `ev_liver`, `ev_spleen`, `ev_lung`, `ev_kidney`, `ev_other`, `ev_tumour` | first-order clearance split by organ shares; tumour uptake grows with tumour mass × permeability; degradation after uptake |
//! | 4 miRNA | `mir_25_92`, `mir_30` (copies in the tumour), `anti_25_92`, `anti_30` (antagomir) | cargo delivered with each EV taken up; decay; free copies per cell = copies / cells / (1 + antagomir) |
//! | 4 targets | rules `pten`, `lats2` | `log2 level = Σ_f w_gf · occ_f`, occupancy `m/(K + m)`, weights from context++ scores of the real 3'UTRs |
//! | 5 tumour | `tum_e`, `tum_m` (epithelial, mesenchymal cells) | logistic growth; E→M at `emt_rate_base · PTEN^-a · LATS2^-y`; M→E; shedding of M cells |
//! | 5 cascade | `ctc`, `colonies_<organ>`, `burden_<organ>` | CTC death and arrest; colony founding (rare, exact under the hybrid method); colony growth |
//! | 6 host age | rules | switchable growth penalty and immune-surveillance terms |
//! | PK | `dasatinib_gut`, `dasatinib` (mg/L) | oral absorption, elimination, Emax kill of senescent cells |

use std::f64::consts::LN_2;

use senmet_engine::{
    Compartment, Event, EventAssignment, Expr, InitialAssignment, InitialQuantity, Network,
    Parameter, Reaction, Rule, Species, SpeciesReference,
};

use crate::error::{ModelError, Result};
use crate::host::{AgeEffects, Host};
use crate::intervention::{Family, Intervention};
use crate::params::Params;

/// Organs where colonies can form.
pub const ORGANS: [&str; 3] = ["lung", "liver", "bone"];

/// Organs (and the tumour) that take up plasma EVs.
const EV_ORGANS: [&str; 5] = ["liver", "spleen", "lung", "kidney", "other"];

/// Dasatinib dose (mg/kg) and daily doses per course at which `dq_course_kill` is stated.
const REFERENCE_COURSE: (f64, u32) = (5.0, 3);

/// What one arm's network needs.
#[derive(Debug, Clone)]
pub struct Design<'a> {
    /// The host.
    pub host: Host,
    /// Parameter values (host species and cancer type resolved, overrides applied).
    pub params: &'a Params,
    /// Interventions of the arm.
    pub interventions: &'a [Intervention],
    /// Host-age switches.
    pub age_effects: AgeEffects,
    /// Whether the network carries the expected metastatic burden (each
    /// colony growing exponentially from its founding): experiments over
    /// weeks read it; cohorts over years leave it out, as it grows without
    /// bound there and only slows the solver.
    pub burden: bool,
    /// Start of the simulation (day; ≤ 0, before implantation at day 0).
    pub t0: f64,
    /// End of the simulation (day).
    pub t_end: f64,
}

/// A value derived from the table's parameters when the network is built.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    /// Name (a parameter of the network).
    pub name: String,
    /// Value.
    pub value: f64,
    /// Units.
    pub units: &'static str,
    /// How it was computed.
    pub how: &'static str,
}

/// A network and the values derived while building it.
#[derive(Debug, Clone)]
pub struct Built {
    /// The network.
    pub network: Network,
    /// Derived parameters, in the order they were computed.
    pub derived: Vec<Derived>,
}

/// The stochastic reactions' ids (colony founding), per organ in [`ORGANS`] order.
pub fn founding_reaction(organ: &str) -> String {
    format!("found_{organ}")
}

/// The discrete species (colony counts); everything else is continuous.
pub fn discrete_species() -> Vec<String> {
    ORGANS.iter().map(|o| format!("colonies_{o}")).collect()
}

/// Builds the network of one arm.
///
/// # Errors
///
/// A parameter missing from the tables or outside what the model can use
/// (organ shares summing over 1, tropisms not summing to 1).
pub fn network(d: &Design) -> Result<Built> {
    let mut b = Builder {
        offset: d.t0,
        ..Builder::default()
    };
    let p = d.params;
    b.net.id = Some("senmet_liver_ev_metastasis".into());
    b.net.name = Some(
        "Senescent liver EVs -> miR-25/92a, miR-30c/d -> PTEN/LATS2 -> EMT -> metastasis".into(),
    );
    b.net.compartments.push(Compartment {
        id: "host".into(),
        name: Some("the host (amounts only)".into()),
        size: Some(1.0),
        spatial_dimensions: Some(3.0),
        constant: true,
    });

    // Table parameters, as constants of the network.
    for (row, value) in p.iter() {
        b.constant(&row.name, value);
    }
    b.constant("age0", d.host.age_days);
    b.constant("day_offset", d.t0);
    b.constant(
        "growth_penalty_on",
        f64::from(u8::from(d.age_effects.growth_penalty)),
    );
    b.constant(
        "immune_on",
        f64::from(u8::from(d.age_effects.immune_surveillance)),
    );

    // Derived rates.
    let mut derived = Vec::new();
    let mut derive = |b: &mut Builder, name: &str, value: f64, units, how| {
        b.constant(name, value);
        derived.push(Derived {
            name: name.into(),
            value,
            units,
            how,
        });
    };
    derive(
        &mut b,
        "k_ev_clear",
        LN_2 / (p.get("ev_half_life")? / 1440.0),
        "1/d",
        "ln 2 / ev_half_life",
    );
    derive(
        &mut b,
        "k_ev_degradation",
        LN_2 / (p.get("ev_degradation_half_life")? / 24.0),
        "1/d",
        "ln 2 / ev_degradation_half_life",
    );
    derive(
        &mut b,
        "k_mirna",
        LN_2 / (p.get("mirna_half_life")? / 24.0),
        "1/d",
        "ln 2 / mirna_half_life",
    );
    derive(
        &mut b,
        "k_antagomir",
        LN_2 / p.get("antagomir_half_life")?,
        "1/d",
        "ln 2 / antagomir_half_life",
    );
    derive(
        &mut b,
        "k_ctc_death",
        LN_2 / (p.get("ctc_half_life")? / 24.0),
        "1/d",
        "ln 2 / ctc_half_life",
    );
    let shares: f64 = ["liver", "spleen", "lung", "kidney"]
        .iter()
        .map(|o| p.get(&format!("ev_share_{o}")))
        .sum::<Result<f64>>()?;
    if shares > 1.0 {
        return Err(ModelError::BadValue {
            name: "ev_share_liver + ev_share_spleen + ev_share_lung + ev_share_kidney".into(),
            value: shares,
            expected: "at most 1 (the rest is cleared by other tissues)".into(),
        });
    }
    derive(
        &mut b,
        "ev_share_other",
        1.0 - shares,
        "fraction",
        "1 − liver, spleen, lung and kidney shares",
    );
    let tropism: f64 = ORGANS
        .iter()
        .map(|o| p.get(&format!("tropism_{o}")))
        .sum::<Result<f64>>()?;
    if (tropism - 1.0).abs() > 1e-6 {
        return Err(ModelError::BadValue {
            name: "tropism_lung + tropism_liver + tropism_bone".into(),
            value: tropism,
            expected: "a sum of 1 (shares of arrested cells per organ)".into(),
        });
    }
    let (emt0, met) = (p.get("emt_rate_base")?, p.get("met_rate")?);
    derive(
        &mut b,
        "shedding_rate_m",
        p.get("shedding_per_gram")? / p.get("cells_per_gram")? * (emt0 + met) / emt0,
        "1/d",
        "shedding_per_gram / cells_per_gram / (baseline mesenchymal fraction emt_rate_base / (emt_rate_base + met_rate)): a baseline tumour sheds at the Butler–Gullino rate",
    );
    let pk = Pk::new(p)?;
    derive(
        &mut b,
        "k_dasatinib_absorption",
        pk.ka,
        "1/d",
        "dasatinib_absorption × 24 h/d",
    );
    derive(
        &mut b,
        "k_dasatinib_elimination",
        pk.ke,
        "1/d",
        "ln 2 / dasatinib_half_life",
    );
    derive(
        &mut b,
        "dasatinib_per_mg_kg",
        pk.per_dose,
        "mg/L per mg/kg",
        "ke / (CL/F): the concentration-time integral of one dose equals dose / (CL/F)",
    );
    derive(&mut b, "dq_kill_rate", pk.kill_rate(p.get("dq_course_kill")?, p.get("dasatinib_ec50")?), "1/d", "chosen so one reference course (3 daily doses of 5 mg/kg) kills dq_course_kill of senescent cells: −ln(1 − f)/(3 ∫ C/(EC50 + C) dt)");

    // Layer 1: liver senescence (Karin et al. 2019), started at its quasi-steady state.
    b.species("sen", 0.0);
    b.initial(
        "sen",
        "(-(sen_removal_max - sen_production * (age0 + day_offset) * (1 - sen_removal_half_sat)) \
         + sqrt((sen_removal_max - sen_production * (age0 + day_offset) * (1 - sen_removal_half_sat))^2 \
         + 4 * (sen_production * (age0 + day_offset))^2 * sen_removal_half_sat)) / (2 * sen_production * (age0 + day_offset))",
    )?;
    b.rule("day", "time + day_offset")?;
    b.rule("age", "age0 + day")?;
    b.variable("age_frac", 0.0);
    b.initial(
        "age_frac",
        "max(0, min(1, (age0 - age_young_ref) / (age_old_ref - age_young_ref)))",
    )?;
    b.reaction(
        "senescence",
        &[],
        &[("sen", 1.0)],
        "sen_production * age * (1 - sen)",
    )?;
    b.reaction(
        "sen_removal",
        &[("sen", 1.0)],
        &[],
        "sen_removal_max * sen / (sen_removal_half_sat + sen)",
    )?;

    // PK/PD of D+Q: dasatinib in mg/L; quercetin is given with it and not modelled apart.
    b.species("dasatinib_gut", 0.0);
    b.species("dasatinib", 0.0);
    b.reaction(
        "dasatinib_absorbed",
        &[("dasatinib_gut", 1.0)],
        &[("dasatinib", 1.0)],
        "k_dasatinib_absorption * dasatinib_gut",
    )?;
    b.reaction(
        "dasatinib_eliminated",
        &[("dasatinib", 1.0)],
        &[],
        "k_dasatinib_elimination * dasatinib",
    )?;
    b.reaction(
        "sen_kill",
        &[("sen", 1.0)],
        &[],
        "dq_kill_rate * dasatinib / (dasatinib_ec50 + dasatinib) * sen",
    )?;

    // Layer 2: EV release.
    b.variable("p2rx7i_on", 0.0);
    b.rule("p2rx7", "1 + (p2rx7_fold_old - 1) * age / age_old_ref")?;
    b.rule("p2rx7_inhibition", "p2rx7i_on * p2rx7i_effect")?;
    b.rule("release_sen", "ev_release_base * ev_senescence_fold * ((1 - ev_p2rx7_share) + ev_p2rx7_share * p2rx7 * (1 - p2rx7_inhibition))")?;
    b.rule(
        "release_hep",
        "ev_release_base * ((1 - ev_p2rx7_share) + ev_p2rx7_share * (1 - p2rx7_inhibition))",
    )?;
    b.species("ev_sen", 0.0);
    b.species("ev_hep", 0.0);
    // Plasma EVs start at their quasi-steady state (clearance takes minutes; no tumour yet).
    let release = |fold_p2rx7: &str| {
        format!("ev_release_base * ((1 - ev_p2rx7_share) + ev_p2rx7_share * {fold_p2rx7})")
    };
    b.initial(
        "ev_sen",
        &format!(
            "hepatocytes * sen * ev_senescence_fold * {} / k_ev_clear",
            release("(1 + (p2rx7_fold_old - 1) * (age0 + day_offset) / age_old_ref)")
        ),
    )?;
    b.initial(
        "ev_hep",
        &format!("hepatocytes * (1 - sen) * {} / k_ev_clear", release("1")),
    )?;
    b.reaction(
        "ev_release_sen",
        &[],
        &[("ev_sen", 1.0)],
        "hepatocytes * sen * release_sen",
    )?;
    b.reaction(
        "ev_release_hep",
        &[],
        &[("ev_hep", 1.0)],
        "hepatocytes * (1 - sen) * release_hep",
    )?;

    // Layer 3: clearance and biodistribution.
    b.species("tum_e", 0.0);
    b.species("tum_m", 0.0);
    b.rule("n_tumour", "tum_e + tum_m")?;
    b.rule(
        "k_ev_tumour",
        "k_ev_clear * ev_tumour_share_per_g * permeability * n_tumour / cells_per_gram",
    )?;
    for organ in EV_ORGANS.iter().chain(&["tumour"]) {
        b.species(&format!("ev_{organ}"), 0.0);
        b.reaction(
            &format!("ev_degradation_{organ}"),
            &[(&format!("ev_{organ}"), 1.0)],
            &[],
            &format!("k_ev_degradation * ev_{organ}"),
        )?;
    }
    b.species("mir_25_92", 0.0);
    b.species("mir_30", 0.0);
    for class in ["sen", "hep"] {
        let ev = format!("ev_{class}");
        for organ in EV_ORGANS {
            b.reaction(
                &format!("ev_{class}_to_{organ}"),
                &[(&ev, 1.0)],
                &[(&format!("ev_{organ}"), 1.0)],
                &format!("k_ev_clear * ev_share_{organ} * {ev}"),
            )?;
        }
        // Each EV taken up by the tumour delivers its cargo.
        let mut products = vec![("ev_tumour".to_string(), 1.0)];
        for f in Family::ALL {
            let per_ev = p.get(&format!("cargo_mir{}", f.id()))?
                * if class == "sen" {
                    p.get(&format!("cargo_enrichment_mir{}", f.id()))?
                } else {
                    1.0
                };
            products.push((format!("mir_{}", f.id()), per_ev));
        }
        let products: Vec<(&str, f64)> = products.iter().map(|(s, v)| (s.as_str(), *v)).collect();
        b.reaction(
            &format!("ev_{class}_to_tumour"),
            &[(&ev, 1.0)],
            &products,
            &format!("k_ev_tumour * {ev}"),
        )?;
    }

    // Layer 4: miRNA in tumour cells, antagomirs, targets.
    for f in Family::ALL {
        let id = f.id();
        b.species(&format!("anti_{id}"), 0.0);
        b.reaction(
            &format!("mirna_decay_{id}"),
            &[(&format!("mir_{id}"), 1.0)],
            &[],
            &format!("k_mirna * mir_{id}"),
        )?;
        b.reaction(
            &format!("antagomir_decay_{id}"),
            &[(&format!("anti_{id}"), 1.0)],
            &[],
            &format!("k_antagomir * anti_{id}"),
        )?;
        b.rule(
            &format!("mirna_free_{id}"),
            &format!("mir_{id} / (n_tumour + 1) / (1 + anti_{id})"),
        )?;
        b.rule(
            &format!("occupancy_{id}"),
            &format!("mirna_free_{id} / (mirna_k_half + mirna_free_{id})"),
        )?;
    }
    b.rule(
        "pten",
        "2^(w_pten_mir25_92 * occupancy_25_92 + w_pten_mir30 * occupancy_30)",
    )?;
    b.rule(
        "lats2",
        "2^(w_lats2_mir25_92 * occupancy_25_92 + w_lats2_mir30 * occupancy_30)",
    )?;
    b.rule(
        "emt_rate",
        "emt_rate_base * pten^(-akt_gain) * lats2^(-yap_gain)",
    )?;

    // Layer 5: primary tumour and the metastatic cascade.
    b.rule(
        "growth",
        "growth_rate * (1 - growth_penalty_on * age_growth_penalty * age_frac)",
    )?;
    b.reaction(
        "growth_e",
        &[],
        &[("tum_e", 1.0)],
        "growth * tum_e * (1 - n_tumour / carrying_capacity)",
    )?;
    b.reaction(
        "growth_m",
        &[],
        &[("tum_m", 1.0)],
        "growth * mesenchymal_growth * tum_m * (1 - n_tumour / carrying_capacity)",
    )?;
    b.reaction(
        "emt",
        &[("tum_e", 1.0)],
        &[("tum_m", 1.0)],
        "emt_rate * tum_e",
    )?;
    b.reaction(
        "met",
        &[("tum_m", 1.0)],
        &[("tum_e", 1.0)],
        "met_rate * tum_m",
    )?;
    b.species("ctc", 0.0);
    b.reaction(
        "shedding",
        &[("tum_m", 1.0)],
        &[("ctc", 1.0)],
        "shedding_rate_m * tum_m",
    )?;
    b.reaction("ctc_death", &[("ctc", 1.0)], &[], "k_ctc_death * ctc")?;
    b.rule(
        "founding",
        "colony_probability * (1 + immune_on * immune_age_gain * age_frac)",
    )?;
    b.reaction(
        "ctc_arrest",
        &[("ctc", 1.0)],
        &[],
        "ctc_arrest_rate * (1 - founding) * ctc",
    )?;
    b.rule(
        "colony_growth",
        "met_growth_rate * (1 - growth_penalty_on * age_growth_penalty * age_frac)",
    )?;
    for organ in ORGANS {
        let (col, burden) = (format!("colonies_{organ}"), format!("burden_{organ}"));
        b.species(&col, 0.0);
        let mut products = vec![(col.as_str(), 1.0)];
        if d.burden {
            b.species(&burden, 0.0);
            products.push((&burden, 1.0));
        }
        b.reaction(
            &founding_reaction(organ),
            &[("ctc", 1.0)],
            &products,
            &format!("ctc_arrest_rate * tropism_{organ} * founding * ctc"),
        )?;
        if d.burden {
            b.reaction(
                &format!("colony_growth_{organ}"),
                &[],
                &[(&burden, 1.0)],
                &format!("colony_growth * {burden}"),
            )?;
        }
    }

    // Readouts as rules (what users and the report read).
    b.rule("plasma_ev", "(ev_sen + ev_hep) / plasma_volume")?;
    b.rule("plasma_ev_senescent", "ev_sen / plasma_volume")?;
    b.rule(
        "tumour_ev_uptake",
        "k_ev_tumour * (ev_sen + ev_hep) / (n_tumour + 1)",
    )?;
    b.rule("emt_fraction", "tum_m / (n_tumour + 1)")?;
    b.rule("primary_size", "n_tumour / cells_per_gram * 1000")?;
    if d.burden {
        b.rule(
            "metastatic_burden",
            "burden_lung + burden_liver + burden_bone",
        )?;
    }

    // Events: implantation, then the interventions' doses.
    b.event("implantation", 0.0, &[("tum_e", "inoculum")])?;
    for iv in d.interventions {
        match iv {
            Intervention::Senolytic {
                courses,
                days_per_course,
                dasatinib_mg_per_kg,
                ..
            } => {
                for (c, start) in courses.times(d.t0, d.t_end).into_iter().enumerate() {
                    for day in 0..*days_per_course {
                        let t = start + f64::from(day);
                        if t < d.t_end {
                            b.event(
                                &format!("dq_course{}_dose{}", c + 1, day + 1),
                                t,
                                &[("dasatinib_gut", &format!("dasatinib_gut + {dasatinib_mg_per_kg} * dasatinib_per_mg_kg"))],
                            )?;
                        }
                    }
                }
            }
            Intervention::P2rx7Inhibitor { start, stop } => {
                b.event("p2rx7i_start", start.max(d.t0), &[("p2rx7i_on", "1")])?;
                if let Some(stop) = stop.filter(|s| *s < d.t_end) {
                    b.event("p2rx7i_stop", stop, &[("p2rx7i_on", "0")])?;
                }
            }
            Intervention::Antagomir { family, doses } => {
                let id = family.id();
                for (k, t) in doses.times(d.t0, d.t_end).into_iter().enumerate() {
                    b.event(
                        &format!("anti_{id}_dose{}", k + 1),
                        t,
                        &[(
                            &format!("anti_{id}"),
                            &format!("anti_{id} + antagomir_dose_effect"),
                        )],
                    )?;
                }
            }
        }
    }
    Ok(Built {
        network: b.net,
        derived,
    })
}

/// One-compartment oral PK of dasatinib, rates per day.
struct Pk {
    ka: f64,
    ke: f64,
    per_dose: f64,
}

impl Pk {
    fn new(p: &Params) -> Result<Self> {
        let ke_h = LN_2 / p.get("dasatinib_half_life")?;
        Ok(Self {
            ka: p.get("dasatinib_absorption")? * 24.0,
            ke: ke_h * 24.0,
            per_dose: ke_h / p.get("dasatinib_clearance")?,
        })
    }

    /// Plasma concentration `t` days after one dose of `mg_per_kg`.
    fn concentration(&self, mg_per_kg: f64, t: f64) -> f64 {
        let a = mg_per_kg * self.per_dose;
        if (self.ka - self.ke).abs() < 1e-9 * self.ka {
            a * self.ka * t * (-self.ka * t).exp()
        } else {
            a * self.ka / (self.ka - self.ke) * ((-self.ke * t).exp() - (-self.ka * t).exp())
        }
    }

    /// The kill rate constant at which a reference course kills `fraction`.
    fn kill_rate(&self, fraction: f64, ec50: f64) -> f64 {
        let (dose, days) = REFERENCE_COURSE;
        // ∫ C/(EC50 + C) dt over 2 days (C is below 1e-9 of its peak by then), Simpson's rule.
        let n = 20_000;
        let h = 2.0 / f64::from(n);
        let f = |t: f64| {
            let c = self.concentration(dose, t);
            c / (ec50 + c)
        };
        let mut s = f(0.0) + f(2.0);
        for i in 1..n {
            s += f(f64::from(i) * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        let integral = s * h / 3.0;
        -(1.0 - fraction.clamp(0.0, 1.0 - 1e-12)).ln() / (f64::from(days) * integral)
    }
}

/// Collects network parts; math is given as infix text.
#[derive(Default)]
struct Builder {
    net: Network,
    /// Day (relative to implantation) at model time 0.
    offset: f64,
}

impl Builder {
    fn constant(&mut self, id: &str, value: f64) {
        self.net.parameters.push(Parameter {
            id: id.into(),
            name: None,
            value: Some(value),
            constant: true,
        });
    }

    /// A parameter that events or initial assignments change.
    fn variable(&mut self, id: &str, value: f64) {
        self.net.parameters.push(Parameter {
            id: id.into(),
            name: None,
            value: Some(value),
            constant: false,
        });
    }

    fn species(&mut self, id: &str, amount: f64) {
        self.net.species.push(Species {
            id: id.into(),
            name: None,
            compartment: "host".into(),
            initial: InitialQuantity::Amount(amount),
            has_only_substance_units: true,
            boundary_condition: false,
            constant: false,
            conversion_factor: None,
        });
    }

    fn rule(&mut self, id: &str, math: &str) -> Result<()> {
        self.net.parameters.push(Parameter {
            id: id.into(),
            name: None,
            value: None,
            constant: false,
        });
        self.net.rules.push(Rule::Assignment {
            variable: id.into(),
            math: parse(id, math)?,
        });
        Ok(())
    }

    fn initial(&mut self, id: &str, math: &str) -> Result<()> {
        self.net.initial_assignments.push(InitialAssignment {
            symbol: id.into(),
            math: parse(id, math)?,
        });
        Ok(())
    }

    fn reaction(
        &mut self,
        id: &str,
        reactants: &[(&str, f64)],
        products: &[(&str, f64)],
        rate: &str,
    ) -> Result<()> {
        let refs = |list: &[(&str, f64)]| {
            list.iter()
                .map(|(s, k)| SpeciesReference {
                    species: (*s).into(),
                    id: None,
                    stoichiometry: Some(*k),
                    constant: true,
                })
                .collect()
        };
        let rate = parse(id, rate)?;
        let mut modifiers = Vec::new();
        rate.visit_symbols(&mut |s| {
            let is_species = self.net.species.iter().any(|sp| sp.id == s);
            let listed = reactants.iter().any(|(r, _)| *r == s) || modifiers.iter().any(|m| m == s);
            if is_species && !listed {
                modifiers.push(s.to_string());
            }
        });
        self.net.reactions.push(Reaction {
            id: id.into(),
            name: None,
            reversible: false,
            reactants: refs(reactants),
            products: refs(products),
            modifiers,
            rate: Some(rate),
        });
        Ok(())
    }

    fn event(&mut self, id: &str, at: f64, assignments: &[(&str, &str)]) -> Result<()> {
        let assignments = assignments
            .iter()
            .map(|(v, m)| {
                Ok(EventAssignment {
                    variable: (*v).into(),
                    math: parse(id, m)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.net.events.push(Event {
            id: Some(id.into()),
            trigger: parse(id, &format!("time >= {:?}", at - self.offset))?,
            initial_value: false,
            persistent: true,
            delay: None,
            priority: None,
            use_values_from_trigger_time: true,
            assignments,
        });
        Ok(())
    }
}

/// Parses the model's own math; a failure is a bug in this file, reported with the element's id.
fn parse(id: &str, math: &str) -> Result<Expr> {
    math.parse().map_err(|e| ModelError::Formula {
        id: id.to_string(),
        source: e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_course_kills_the_stated_fraction() {
        let t = crate::params::Tables::builtin().unwrap();
        let p = t.resolve(crate::host::Species::Mouse, "breast").unwrap();
        let pk = Pk::new(&p).unwrap();
        let k = pk.kill_rate(0.3, 0.12);
        // Survival after 3 doses with no production: exp(−k · 3 · ∫ C/(EC50 + C)).
        let n = 200_000;
        let h = 2.0 / f64::from(n);
        let integral: f64 = (0..n)
            .map(|i| {
                let c = pk.concentration(5.0, (f64::from(i) + 0.5) * h);
                c / (0.12 + c)
            })
            .sum::<f64>()
            * h;
        assert!(((-k * 3.0 * integral).exp() - 0.7).abs() < 1e-6);
        // The concentration-time integral of one dose is dose / (CL/F), in mg·h/L.
        let auc: f64 = (0..n)
            .map(|i| pk.concentration(5.0, (f64::from(i) + 0.5) * h))
            .sum::<f64>()
            * h
            * 24.0;
        assert!((auc - 5.0 / 10.4).abs() < 1e-3 * auc, "{auc}");
    }
}
