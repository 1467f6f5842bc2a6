//! Per-reaction views of a compiled network, for stochastic simulation.
//!
//! The whole-model program recomputes every rate and derivative; an SSA step
//! changes a few amounts and needs only the propensities that read them. Each
//! reaction therefore gets its own program (its kinetic law plus the species
//! values and assignment rules it reads, in dependency order), the amount
//! slots it changes, and the slots it reads, from which the reaction
//! dependency graph follows (Gibson & Bruck 2000).

use std::collections::{HashMap, HashSet};

use super::layout::{Layout, TIME};
use super::order::{loads, topological, Node};
use super::{node, System};
use crate::error::Result;
use crate::expr::Expr;
use crate::network::Network;
use crate::vm::Program;

/// A stoichiometric coefficient: a number, or a slot (a species reference's id).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Stoich {
    Const(f64),
    Slot(u32),
}

/// What one firing of a reaction does to one species' amount.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change {
    /// Index of the species (in declaration order).
    pub species: usize,
    /// The amount slot changed.
    pub amount: u32,
    pub stoich: Stoich,
    /// +1 for products, −1 for reactants.
    pub sign: f64,
    /// A conversion-factor slot scaling the change, if any.
    pub factor: Option<u32>,
}

/// A reaction as stochastic methods see it.
#[derive(Debug, Clone)]
pub(crate) struct StochReaction {
    /// The reaction's id, for messages.
    pub id: String,
    /// Computes the reaction's rate into `slot` (and what it needs on the way).
    pub program: Program,
    /// The reaction's rate slot.
    pub slot: u32,
    /// Amount changes per firing.
    pub changes: Vec<Change>,
    /// Slots read that no step of `program` writes: amounts, sizes, parameters, time.
    pub reads: Vec<u32>,
}

impl StochReaction {
    /// Whether the propensity depends on time directly.
    pub fn reads_time(&self) -> bool {
        self.reads.contains(&TIME)
    }
}

impl System {
    /// Per-reaction programs and changes; `net` must be the network this
    /// system was compiled from.
    ///
    /// # Errors
    ///
    /// Errors in kinetic laws or rules, as [`System::new`] reports them.
    pub(crate) fn stochastic_reactions(&self, net: &Network) -> Result<Vec<StochReaction>> {
        let nodes = propensity_nodes(net, &self.layout)?;
        let by_target: HashMap<u32, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.target, i))
            .collect();
        net.reactions
            .iter()
            .map(|r| {
                let slot = self.layout.index[&r.id];
                let closure = closure(&nodes, &by_target, by_target[&slot]);
                let written: HashSet<u32> = closure.iter().map(|&i| nodes[i].target).collect();
                let mut reads: Vec<u32> = closure
                    .iter()
                    .flat_map(|&i| loads(&nodes[i].code))
                    .filter(|s| !written.contains(s))
                    .collect();
                reads.sort_unstable();
                reads.dedup();
                let picked = closure.iter().map(|&i| nodes[i].clone()).collect();
                let order = topological(picked, |s| self.layout.name(s))?;
                Ok(StochReaction {
                    id: r.id.clone(),
                    program: Program::new(order.into_iter().flat_map(|n| n.code).collect()),
                    slot,
                    changes: self.changes(net, r),
                    reads,
                })
            })
            .collect()
    }

    /// The amount changes of one firing of `r` (boundary and constant species do not change).
    fn changes(&self, net: &Network, r: &crate::network::Reaction) -> Vec<Change> {
        let mut out = Vec::new();
        for (refs, sign) in [(&r.reactants, -1.0), (&r.products, 1.0)] {
            for sr in refs {
                let Some(i) = net.species.iter().position(|s| s.id == sr.species) else {
                    continue;
                };
                let decl = &net.species[i];
                let sp = &self.layout.species[i];
                if decl.boundary_condition || decl.constant || (sp.state.is_none() && !sp.held) {
                    continue;
                }
                let stoich = match &sr.id {
                    Some(id) => Stoich::Slot(self.layout.index[id]),
                    None => Stoich::Const(sr.stoichiometry.unwrap_or(1.0)),
                };
                let factor = decl
                    .conversion_factor
                    .as_ref()
                    .or(net.conversion_factor.as_ref())
                    .and_then(|cf| self.layout.index.get(cf).copied());
                out.push(Change {
                    species: i,
                    amount: sp.amount,
                    stoich,
                    sign,
                    factor,
                });
            }
        }
        out
    }

    /// Whether a symbol slot is set by an assignment rule.
    pub(crate) fn is_assigned(&self, slot: u32) -> bool {
        self.layout.assigned.contains_key(&slot)
    }

    /// Whether a species (by index) is set by a rate rule.
    pub(crate) fn species_rate_ruled(&self, i: usize) -> bool {
        self.layout
            .rate_ruled
            .contains_key(&self.layout.species[i].value)
    }

    /// Whether any rate rule exists.
    pub(crate) fn has_rate_rules(&self) -> bool {
        !self.layout.rate_ruled.is_empty()
    }

    /// The amount slot of species `i`.
    pub(crate) fn amount_slot(&self, i: usize) -> u32 {
        self.layout.species[i].amount
    }

    /// The id of species `i`, for messages.
    pub(crate) fn species_id(&self, i: usize) -> String {
        self.layout.name(self.layout.species[i].value)
    }

    /// A slot's symbol, for messages.
    pub(crate) fn slot_name(&self, slot: u32) -> String {
        self.layout.name(slot)
    }
}

/// Merges the changes of one amount by a constant, unscaled stoichiometry
/// into one net change and drops those that cancel (the catalyst of
/// `X -> X + Y`), so that a firing does less work and the dependency graph
/// leaves out reactions that read only catalysts. Counts are whole numbers,
/// so the net change gives the same amounts, exactly.
pub(crate) fn net_changes(changes: &[Change]) -> Vec<Change> {
    let plain = |c: &Change| match (c.stoich, c.factor) {
        (Stoich::Const(v), None) => Some(c.sign * v),
        _ => None,
    };
    let mut out: Vec<Change> = Vec::with_capacity(changes.len());
    for c in changes {
        let merged = plain(c).and_then(|v| {
            let m = out
                .iter_mut()
                .find(|m| m.amount == c.amount && plain(m).is_some())?;
            let total = plain(m).unwrap_or(0.0) + v;
            m.sign = if total < 0.0 { -1.0 } else { 1.0 };
            m.stoich = Stoich::Const(total.abs());
            Some(())
        });
        if merged.is_none() {
            out.push(c.clone());
        }
    }
    out.retain(|c| plain(c) != Some(0.0));
    out
}

/// Reaction `k` depends on `j` if `j` changes an amount `k` reads.
pub(crate) fn dependency_graph(reactions: &[StochReaction]) -> Vec<Vec<usize>> {
    reactions
        .iter()
        .map(|r| {
            (0..reactions.len())
                .filter(|&k| {
                    r.changes
                        .iter()
                        .any(|c| reactions[k].reads.binary_search(&c.amount).is_ok())
                })
                .collect()
        })
        .collect()
}

/// Nodes computing species values from amounts, assignment rules and reaction rates.
fn propensity_nodes(net: &Network, layout: &Layout) -> Result<Vec<Node>> {
    let mut nodes = super::value_nodes(net, layout)?;
    for r in &net.reactions {
        let law = r.rate.clone().unwrap_or(Expr::Num(0.0));
        let ctx = format!("kinetic law of reaction '{}'", r.id);
        nodes.push(node(&law, layout.index[&r.id], layout, &ctx)?);
    }
    Ok(nodes)
}

/// The nodes `start` needs, itself included.
fn closure(nodes: &[Node], by_target: &HashMap<u32, usize>, start: usize) -> Vec<usize> {
    let mut seen = HashSet::from([start]);
    let mut todo = vec![start];
    while let Some(i) = todo.pop() {
        for s in loads(&nodes[i].code) {
            if let Some(&j) = by_target.get(&s) {
                if seen.insert(j) {
                    todo.push(j);
                }
            }
        }
    }
    let mut v: Vec<usize> = seen.into_iter().collect();
    v.sort_unstable();
    v
}
