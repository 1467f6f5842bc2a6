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
    /// `(amount slot, change per firing)`, reaction by reaction.
    moves: Vec<(u32, f64)>,
    /// Reaction `j`'s moves are `moves[move_at[j]..move_at[j + 1]]`.
    move_at: Vec<usize>,
}

impl Jumps {
    /// The table of `reactions`; `None` if a firing's change is not a
    /// constant (a stoichiometry set by a slot, or a conversion factor).
    pub fn new(reactions: &[StochReaction]) -> Option<Self> {
        let mut jumps = Jumps {
            moves: Vec::new(),
            move_at: vec![0],
        };
        for r in reactions {
            for c in &r.changes {
                let (Stoich::Const(v), None) = (c.stoich, c.factor) else {
                    return None;
                };
                // As `Change::per_firing` computes it for one firing.
                jumps.moves.push((c.amount, c.sign * v));
            }
            jumps.move_at.push(jumps.moves.len());
        }
        Some(jumps)
    }

    /// Fires reaction `j` once.
    #[inline(always)]
    pub fn fire(&self, j: usize, slots: &mut [f64]) {
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
        // 2A + B -> 3C, C -> A.
        let mut net = Network::well_mixed(&[("A", 9.0), ("B", 4.0), ("C", 1.0)]);
        net.add_reaction(
            "make",
            &[("A", 2.0), ("B", 1.0)],
            &[("C", 3.0)],
            Expr::sym("A"),
        );
        net.add_reaction("back", &[("C", 1.0)], &[("A", 1.0)], Expr::sym("C"));
        let model = Discrete::new(&net).expect("compiles");
        let jumps = model.jumps.as_ref().expect("constant changes");
        let mut stack = Vec::new();
        let start = model.system.initial_slots(0.0, &[], &mut stack);
        for j in 0..2 {
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
