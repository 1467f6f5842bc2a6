//! Splitting a network into discrete species with stochastic reactions and a
//! continuous rest, and compiling the continuous part with the propensity
//! integral and its firing trigger.

use std::collections::HashSet;

use crate::error::{EngineError, Result};
use crate::expr::{Expr, Op};
use crate::network::{Event, Network, Parameter, Rule};
use crate::system::{Observable, ParameterId, StochReaction, Stoich, System};

/// The parameter integrating the total stochastic propensity.
const INTEGRAL: &str = "__senmet_hybrid_propensity_integral";
/// The parameter holding the Exp(1) threshold of the next firing.
const THRESHOLD: &str = "__senmet_hybrid_firing_threshold";

/// A stochastic reaction as the hybrid method fires it.
#[derive(Debug, Clone)]
pub(crate) struct Jump {
    /// Index in the network's reactions.
    pub index: usize,
    /// Its id, rate slot (computed by the system's program) and changes.
    pub reaction: StochReaction,
}

/// A partitioned, compiled network.
pub(crate) struct Partition {
    pub system: System,
    pub jumps: Vec<Jump>,
    pub discrete: Vec<(usize, u32)>,
    pub clock: Option<(u32, ParameterId)>,
}

impl Partition {
    /// Decides which species are discrete and compiles the result.
    ///
    /// # Errors
    ///
    /// As [`HybridBuilder::build`](super::HybridBuilder::build).
    pub fn new(
        net: &Network,
        discrete: &[String],
        continuous: &[String],
        threshold: f64,
        t0: f64,
    ) -> Result<Self> {
        let plain = System::new(net)?;
        let named = |ids: &[String], what: &str| -> Result<HashSet<usize>> {
            ids.iter()
                .map(|id| {
                    net.species.iter().position(|s| &s.id == id).ok_or_else(|| {
                        EngineError::UnknownSymbol {
                            symbol: id.clone(),
                            context: format!("the {what} species of a hybrid simulation"),
                        }
                    })
                })
                .collect()
        };
        let (forced, kept) = (
            named(discrete, "discrete")?,
            named(continuous, "continuous")?,
        );
        let slots = plain.initial_slots(t0, &[], &mut Vec::new());
        let changed: HashSet<usize> = plain
            .stochastic_reactions(net)?
            .iter()
            .flat_map(|r| r.changes.iter().map(|c| c.species))
            .filter(|&i| !plain.species_rate_ruled(i))
            .collect();
        let is_discrete: Vec<bool> = (0..net.species.len())
            .map(|i| {
                let small = slots[plain.amount_slot(i) as usize] < threshold;
                changed.contains(&i) && (forced.contains(&i) || (small && !kept.contains(&i)))
            })
            .collect();
        let stochastic: Vec<bool> = plain
            .stochastic_reactions(net)?
            .iter()
            .map(|r| r.changes.iter().any(|c| is_discrete[c.species]))
            .collect();
        let (system, clock) = if stochastic.contains(&true) {
            let clocked = with_clock(net, &stochastic);
            let system = System::partitioned(&clocked, &stochastic)?;
            let clock = clock_slots(&system);
            (system, Some(clock))
        } else {
            (plain, None)
        };
        let jumps = jumps(net, &system, &stochastic, &is_discrete)?;
        let discrete = (0..net.species.len())
            .filter(|&i| is_discrete[i])
            .map(|i| (i, system.amount_slot(i)))
            .collect();
        Ok(Partition {
            system,
            jumps,
            discrete,
            clock,
        })
    }
}

/// The stochastic reactions of the compiled `system`, with the
/// stoichiometries of discrete species checked.
fn jumps(
    net: &Network,
    system: &System,
    stochastic: &[bool],
    is_discrete: &[bool],
) -> Result<Vec<Jump>> {
    let mut out = Vec::new();
    for (index, reaction) in system.stochastic_reactions(net)?.into_iter().enumerate() {
        if !stochastic[index] {
            continue;
        }
        for c in reaction.changes.iter().filter(|c| is_discrete[c.species]) {
            let species = &net.species[c.species].id;
            match c.stoich {
                Stoich::Const(v) => check_stoich(&reaction.id, species, v)?,
                Stoich::Slot(s) if system.is_assigned(s) => {
                    return Err(EngineError::Unsupported {
                        what: format!(
                            "stoichiometry '{}' of reaction '{}' set by an assignment rule",
                            system.slot_name(s),
                            reaction.id
                        ),
                    })
                }
                Stoich::Slot(_) => {}
            }
        }
        out.push(Jump { index, reaction });
    }
    Ok(out)
}

/// Checks that a discrete species' stoichiometry is a whole number.
pub(super) fn check_stoich(reaction: &str, species: &str, v: f64) -> Result<()> {
    if v.is_finite() && v.fract() == 0.0 {
        Ok(())
    } else {
        Err(EngineError::Stoichiometry {
            reaction: reaction.to_string(),
            species: species.to_string(),
            value: v,
        })
    }
}

/// `net` with the propensity integral (a rate rule summing the stochastic
/// reactions' rates), its threshold, and an event whose trigger is the
/// integral reaching the threshold (so the solver locates firing times).
fn with_clock(net: &Network, stochastic: &[bool]) -> Network {
    let mut out = net.clone();
    for id in [INTEGRAL, THRESHOLD] {
        out.parameters.push(Parameter {
            id: id.into(),
            name: None,
            value: Some(if id == INTEGRAL { 0.0 } else { 1.0 }),
            constant: false,
        });
    }
    let rates = net
        .reactions
        .iter()
        .zip(stochastic)
        .filter(|(_, &s)| s)
        .map(|(r, _)| Expr::sym(&r.id))
        .collect();
    out.rules.push(Rule::Rate {
        variable: INTEGRAL.into(),
        math: Expr::apply(Op::Plus, rates),
    });
    out.events.push(Event {
        id: Some("__senmet_hybrid_firing".into()),
        trigger: Expr::apply(Op::Geq, vec![Expr::sym(INTEGRAL), Expr::sym(THRESHOLD)]),
        initial_value: false,
        persistent: true,
        delay: None,
        priority: None,
        use_values_from_trigger_time: false,
        assignments: Vec::new(),
    });
    out
}

fn clock_slots(system: &System) -> (u32, ParameterId) {
    // Cannot fail: `with_clock` declared both parameters.
    let Some(Observable::Value(integral)) = system.observable(INTEGRAL, true) else {
        unreachable!("the propensity integral is a parameter")
    };
    let threshold = system
        .parameter(THRESHOLD)
        .expect("the firing threshold is a parameter");
    (integral, threshold)
}
