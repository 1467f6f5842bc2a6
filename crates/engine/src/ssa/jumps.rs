//! A network's firings as flat tables, for the sum-tree loop's fast path.
//!
//! When every firing changes amounts by constants (whole stoichiometries,
//! no conversion factors), a firing is a list of `(slot, change)` additions.
//! They are stored for all reactions in one array, indexed by offsets (as
//! [`super::Discrete::deps`] stores the reactions a firing affects), so a
//! firing reads one short contiguous run instead of following a reaction's
//! own vector and asking each change for its stoichiometry and factor.

use crate::system::{StochReaction, Stoich};

/// Constant state changes of every reaction, flattened.
#[derive(Debug, Clone)]
pub(crate) struct Jumps {
    /// Reaction `j`'s first `(amount slot, change per firing)`, or
    /// `(NONE, 0)` if it changes nothing: one load from `j` to the slot,
    /// where an offset table would take two in a row on the loop's chain of
    /// dependent steps.
    first: Vec<(u32, f64)>,
    /// The other moves, reaction by reaction…
    moves: Vec<(u32, f64)>,
    /// …reaction `j`'s being `moves[move_at[j]..move_at[j + 1]]`.
    move_at: Vec<usize>,
}

/// The slot of a reaction without moves.
const NONE: u32 = u32::MAX;

impl Jumps {
    /// The table of `reactions`; `None` if a firing's change is not a
    /// constant (a stoichiometry set by a slot, or a conversion factor).
    pub fn new(reactions: &[StochReaction]) -> Option<Self> {
        let mut jumps = Jumps {
            first: Vec::new(),
            moves: Vec::new(),
            move_at: vec![0],
        };
        for r in reactions {
            let mut first = (NONE, 0.0);
            for c in &r.changes {
                let (Stoich::Const(v), None) = (c.stoich, c.factor) else {
                    return None;
                };
                // As `Change::per_firing` computes it for one firing.
                debug_assert_ne!(c.amount, NONE, "a slot index, not the marker");
                let change = (c.amount, c.sign * v);
                if first.0 == NONE {
                    first = change;
                } else {
                    jumps.moves.push(change);
                }
            }
            jumps.first.push(first);
            jumps.move_at.push(jumps.moves.len());
        }
        Some(jumps)
    }

    /// Fires reaction `j` once.
    #[inline(always)]
    pub fn fire(&self, j: usize, slots: &mut [f64]) {
        let (s, v) = self.first[j];
        if s != NONE {
            slots[s as usize] += v;
        }
        for &(s, v) in &self.moves[self.move_at[j]..self.move_at[j + 1]] {
            slots[s as usize] += v;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::expr::Expr;
    use crate::network::Network;
    use crate::ssa::Discrete;

    #[test]
    fn fires_as_the_reactions_do() {
        // 2A + B -> 3C, C -> A, B -> B.
        let mut net = Network::well_mixed(&[("A", 9.0), ("B", 4.0), ("C", 1.0)]);
        net.add_reaction(
            "make",
            &[("A", 2.0), ("B", 1.0)],
            &[("C", 3.0)],
            Expr::sym("A"),
        );
        net.add_reaction("back", &[("C", 1.0)], &[("A", 1.0)], Expr::sym("C"));
        // B -> B: it changes nothing.
        net.add_reaction("idle", &[("B", 1.0)], &[("B", 1.0)], Expr::sym("B"));
        let model = Discrete::new(&net).expect("compiles");
        let jumps = model.jumps.as_ref().expect("constant changes");
        let mut stack = Vec::new();
        let start = model.system.initial_slots(0.0, &[], &mut stack);
        for j in 0..3 {
            let (mut flat, mut slow) = (start.clone(), start.clone());
            jumps.fire(j, &mut flat);
            model.fire(j, 1.0, &mut slow);
            assert_eq!(flat, slow, "reaction {j}");
        }
    }

    #[test]
    fn conversion_factors_take_the_general_path() {
        let mut net = Network::well_mixed(&[("X", 4.0)]);
        net.add_reaction("birth", &[], &[("X", 1.0)], Expr::Num(1.0));
        net.add_parameter("cf", 2.0);
        net.species[0].conversion_factor = Some("cf".into());
        let model = Discrete::new(&net).expect("compiles");
        assert!(model.jumps.is_none());
    }
}
