//! A network prepared for discrete simulation: per-reaction propensity
//! programs, state changes, the dependency graph, and input checks.

use crate::error::{EngineError, Result};
use crate::network::Network;
use crate::system::{StochReaction, Stoich, System};

/// A compiled network with what stochastic methods need.
#[derive(Debug, Clone)]
pub(crate) struct Discrete {
    pub system: System,
    pub reactions: Vec<StochReaction>,
    /// `deps[j]`: reactions whose propensity may change when `j` fires (`j` included).
    pub deps: Vec<Vec<usize>>,
    /// Reactions whose propensity reads time.
    pub timed: Vec<usize>,
    /// Species ids, for messages.
    pub species: Vec<String>,
    /// Species (by index) that reactions change.
    pub changed: Vec<usize>,
}

impl Discrete {
    /// Compiles `net` and checks that it can be simulated discretely.
    ///
    /// # Errors
    ///
    /// Compilation errors; rate rules ([`EngineError::Unsupported`]);
    /// non-integer constant stoichiometry ([`EngineError::Stoichiometry`]).
    pub fn new(net: &Network) -> Result<Self> {
        let system = System::new(net)?;
        if system.has_rate_rules() {
            return Err(EngineError::Unsupported {
                what: "rate rules in a discrete stochastic simulation".into(),
            });
        }
        let reactions = system.stochastic_reactions(net)?;
        let species: Vec<String> = net.species.iter().map(|s| s.id.clone()).collect();
        for r in &reactions {
            for c in &r.changes {
                if let Stoich::Const(v) = c.stoich {
                    check_stoich(&r.id, &species[c.species], v)?;
                }
                if let Stoich::Slot(s) = c.stoich {
                    if system.is_assigned(s) {
                        return Err(EngineError::Unsupported {
                            what: format!(
                                "stoichiometry '{}' of reaction '{}' set by an assignment rule",
                                system.slot_name(s),
                                r.id
                            ),
                        });
                    }
                }
            }
        }
        let deps = dependency_graph(&reactions);
        let timed = (0..reactions.len())
            .filter(|&j| reactions[j].reads_time())
            .collect();
        let mut changed: Vec<usize> = reactions
            .iter()
            .flat_map(|r| r.changes.iter().map(|c| c.species))
            .filter(|&i| !system.species_rate_ruled(i))
            .collect();
        changed.sort_unstable();
        changed.dedup();
        Ok(Discrete {
            system,
            reactions,
            deps,
            timed,
            species,
            changed,
        })
    }

    /// Checks the counts of changed species (non-negative, whole) and the
    /// stoichiometries held in slots; rounds counts within 1e-9 of a whole number.
    ///
    /// # Errors
    ///
    /// [`EngineError::Count`] or [`EngineError::Stoichiometry`].
    pub fn check_start(&self, slots: &mut [f64]) -> Result<()> {
        for &i in &self.changed {
            let s = self.system.amount_slot(i) as usize;
            let v = slots[s];
            let r = v.round();
            if !(v >= 0.0 && (v - r).abs() <= 1e-9 * r.abs().max(1.0)) {
                return Err(EngineError::Count {
                    species: self.species[i].clone(),
                    value: v,
                });
            }
            slots[s] = r;
        }
        for r in &self.reactions {
            for c in &r.changes {
                if let Stoich::Slot(s) = c.stoich {
                    check_stoich(&r.id, &self.species[c.species], slots[s as usize])?;
                }
            }
        }
        Ok(())
    }

    /// The propensity of reaction `j` at the slots' state.
    ///
    /// # Errors
    ///
    /// [`EngineError::Propensity`] if it is negative, infinite or NaN.
    #[inline]
    pub fn propensity(&self, j: usize, slots: &mut [f64], stack: &mut Vec<f64>) -> Result<f64> {
        let r = &self.reactions[j];
        r.program.run(slots, stack);
        let a = slots[r.slot as usize];
        if a >= 0.0 && a.is_finite() {
            Ok(a)
        } else {
            Err(EngineError::Propensity {
                reaction: r.id.clone(),
                time: slots[0],
                value: a,
            })
        }
    }

    /// Fires reaction `j` `k` times.
    #[inline]
    pub fn fire(&self, j: usize, k: f64, slots: &mut [f64]) {
        for c in &self.reactions[j].changes {
            let nu = match c.stoich {
                Stoich::Const(v) => v,
                Stoich::Slot(s) => slots[s as usize],
            };
            let f = c.factor.map_or(1.0, |s| slots[s as usize]);
            slots[c.amount as usize] += c.sign * nu * f * k;
        }
    }
}

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

/// Reaction `k` depends on `j` if `j` changes an amount `k` reads.
fn dependency_graph(reactions: &[StochReaction]) -> Vec<Vec<usize>> {
    reactions
        .iter()
        .enumerate()
        .map(|(j, r)| {
            let mut d: Vec<usize> = (0..reactions.len())
                .filter(|&k| {
                    k == j
                        || r.changes
                            .iter()
                            .any(|c| reactions[k].reads.binary_search(&c.amount).is_ok())
                })
                .collect();
            d.dedup();
            d
        })
        .collect()
}
