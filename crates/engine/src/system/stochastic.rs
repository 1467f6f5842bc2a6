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
use crate::error::{EngineError, Result};
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

impl Change {
    /// The stoichiometry at the slots' values.
    #[inline]
    pub fn stoich_at(&self, slots: &[f64]) -> f64 {
        match self.stoich {
            Stoich::Const(v) => v,
            Stoich::Slot(s) => slots[s as usize],
        }
    }

    /// The change of the species' amount per firing at the slots' values:
    /// signed stoichiometry times conversion factor.
    #[inline]
    pub fn per_firing(&self, slots: &[f64]) -> f64 {
        let f = self.factor.map_or(1.0, |s| slots[s as usize]);
        self.sign * self.stoich_at(slots) * f
    }
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
    /// Fires the reaction `k` times: changes the amounts in `slots`.
    #[inline]
    pub fn fire(&self, k: f64, slots: &mut [f64]) {
        for c in &self.changes {
            slots[c.amount as usize] += c.per_firing(slots) * k;
        }
    }

    /// Whether the propensity depends on time directly.
    pub fn reads_time(&self) -> bool {
        self.reads.contains(&TIME)
    }
}

impl StochReaction {
    /// Checks the changes of the species `counted` flags for discrete
    /// simulation: a constant stoichiometry must be a whole number, and none
    /// may be set by an assignment rule.
    ///
    /// # Errors
    ///
    /// [`EngineError::Stoichiometry`] or [`EngineError::Unsupported`].
    pub fn check_discrete(&self, system: &System, counted: impl Fn(usize) -> bool) -> Result<()> {
        for c in self.changes.iter().filter(|c| counted(c.species)) {
            match c.stoich {
                Stoich::Const(v) => check_stoich(&self.id, &system.species_id(c.species), v)?,
                Stoich::Slot(s) if system.is_assigned(s) => {
                    return Err(EngineError::Unsupported {
                        what: format!(
                            "stoichiometry '{}' of reaction '{}' set by an assignment rule",
                            system.slot_name(s),
                            self.id
                        ),
                    })
                }
                Stoich::Slot(_) => {}
            }
        }
        Ok(())
    }

    /// Checks that one firing changes every counted species (by index) by
    /// a whole number at the slots' values, its changes summed (a catalyst
    /// with a conversion factor changes by 0): stoichiometries held in
    /// slots, times conversion factors, whole within 1e-9 (relative), as
    /// counts are (`100 × 0.07` is 7.000000000000001).
    ///
    /// # Errors
    ///
    /// [`EngineError::Stoichiometry`], naming the reaction and species.
    pub fn check_whole(
        &self,
        system: &System,
        slots: &[f64],
        counted: impl Fn(usize) -> bool,
    ) -> Result<()> {
        let mut net: Vec<(usize, f64)> = Vec::new();
        for c in self.changes.iter().filter(|c| counted(c.species)) {
            let v = c.per_firing(slots);
            match net.iter_mut().find(|e| e.0 == c.species) {
                Some(e) => e.1 += v,
                None => net.push((c.species, v)),
            }
        }
        for (i, v) in net {
            let whole = v.round();
            // False for NaN and infinities too.
            let close = (v - whole).abs() <= 1e-9 * whole.abs().max(1.0);
            if !close {
                return Err(EngineError::Stoichiometry {
                    reaction: self.id.clone(),
                    species: system.species_id(i),
                    value: v.abs(),
                });
            }
        }
        Ok(())
    }
}

/// Checks that a discrete species' stoichiometry is a whole number.
///
/// # Errors
///
/// [`EngineError::Stoichiometry`], naming the reaction and species.
fn check_stoich(reaction: &str, species: &str, v: f64) -> Result<()> {
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

impl System {
    /// Rounds the amount of species `i` in `slots` to a whole count, if it
    /// is one within 1e-9 (relative).
    ///
    /// # Errors
    ///
    /// [`EngineError::Count`] for a negative or fractional amount.
    pub(crate) fn round_count(&self, i: usize, slots: &mut [f64]) -> Result<()> {
        let s = self.amount_slot(i) as usize;
        let v = slots[s];
        let r = v.round();
        if !(v >= 0.0 && (v - r).abs() <= 1e-9 * r.abs().max(1.0)) {
            return Err(EngineError::Count {
                species: self.species_id(i),
                value: v,
            });
        }
        slots[s] = r;
        Ok(())
    }

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
