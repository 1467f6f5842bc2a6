//! Splitting a network into discrete species with stochastic reactions and a
//! continuous rest, compiled with the discrete amounts held outside the
//! solver's state.

use std::collections::HashSet;

use crate::error::{EngineError, Result};
use crate::network::Network;
use crate::ssa::law::{law, Law};
use crate::system::{dependency_graph, net_changes, StochReaction, System};

/// A stochastic reaction as the hybrid method fires it.
#[derive(Debug, Clone)]
pub(crate) struct Jump {
    /// Index in the network's reactions.
    pub index: usize,
    /// Its id, rate slot, propensity program and net changes.
    pub reaction: StochReaction,
    /// How its propensity is evaluated.
    pub law: Law,
    /// Whether a firing restarts the solver: it changes a continuous species,
    /// or a discrete one that the derivatives or event triggers read.
    pub restart: bool,
    /// Jumps (by position) whose propensities a firing may change.
    pub deps: Vec<usize>,
    /// Whether the propensity may change along a solver step (it reads
    /// time or a continuous species); else it changes only at firings and
    /// events.
    pub varying: bool,
}

impl Jump {
    /// The propensity at the state in `slots` (unchecked).
    pub fn propensity(&self, slots: &mut [f64], stack: &mut Vec<f64>) -> f64 {
        let r = &self.reaction;
        self.law.eval(&r.program, r.slot, slots, stack)
    }
}

/// A partitioned, compiled network.
pub(crate) struct Partition {
    pub system: System,
    pub jumps: Vec<Jump>,
    /// Discrete species, by index.
    pub discrete: Vec<usize>,
    /// Whether each species (by index) is discrete.
    pub is_discrete: Vec<bool>,
    /// Whether the partition is an exact SSA: every reaction that changes a
    /// species is stochastic, no propensity reads time, and no rule
    /// integrates anything, so nothing changes between firings.
    pub exact: bool,
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
        let reactions = plain.stochastic_reactions(net)?;
        let changed: HashSet<usize> = reactions
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
        let stochastic: Vec<bool> = reactions
            .iter()
            .map(|r| r.changes.iter().any(|c| is_discrete[c.species]))
            .collect();
        let exact = !plain.has_rate_rules()
            && reactions
                .iter()
                .zip(&stochastic)
                .all(|(r, &jump)| !r.reads_time() && (jump || net_changes(&r.changes).is_empty()));
        let system = System::partitioned(net, &stochastic, &is_discrete)?;
        let jumps = jumps(net, &system, &stochastic, &is_discrete)?;
        let discrete = (0..net.species.len()).filter(|&i| is_discrete[i]).collect();
        Ok(Partition {
            system,
            jumps,
            discrete,
            is_discrete,
            exact,
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
    let reads = system.continuous_reads();
    let mut out = Vec::new();
    for (index, mut reaction) in system.stochastic_reactions(net)?.into_iter().enumerate() {
        if !stochastic[index] {
            continue;
        }
        reaction.check_discrete(system, |i| is_discrete[i])?;
        // A catalyst (the tumour of `T -> T + C`) is not changed at all.
        reaction.changes = net_changes(&reaction.changes);
        let restart = reaction
            .changes
            .iter()
            .any(|c| !is_discrete[c.species] || reads[c.amount as usize]);
        out.push(Jump {
            index,
            law: law(reaction.program.code(), reaction.slot),
            varying: reaction.reads.iter().any(|&s| system.moves(s)),
            reaction,
            restart,
            deps: Vec::new(),
        });
    }
    let reactions: Vec<StochReaction> = out.iter().map(|j| j.reaction.clone()).collect();
    for (j, deps) in out.iter_mut().zip(dependency_graph(&reactions)) {
        j.deps = deps;
    }
    Ok(out)
}
