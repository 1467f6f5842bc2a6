//! Leap-size selection of Cao, Gillespie & Petzold (2006, J Chem Phys
//! 124:044109, eq. 33) with the critical reactions of Cao, Gillespie &
//! Petzold (2005, J Chem Phys 123:054104).
//!
//! The leap τ′ bounds the expected change μᵢ and the variance σᵢ² of every
//! species a propensity depends on, over the non-critical reactions:
//! τ′ = minᵢ min(max(εxᵢ/gᵢ, 1)/|μᵢ|, max(εxᵢ/gᵢ, 1)²/σᵢ²). gᵢ is the highest
//! order of a reaction species i takes part in, with the paper's corrections
//! when a reaction needs several molecules of i; for a reaction of order n
//! needing m molecules of i this is (n/m)·(m + Σₖ₌₁ᵐ⁻¹ k/(xᵢ − k)), which gives
//! the paper's cases for n ≤ 3. Kinetic laws need not be mass action: the
//! order of a reaction counts its reactants' stoichiometries plus one for
//! each other species its rate law reads (a modifier, say).

use super::decay::Decays;
use crate::ssa::Discrete;
use crate::system::{StochReaction, Stoich};

/// Net changes, orders and criticality of each reaction, at one state.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    /// Net change of each species per firing: (species, change).
    nu: Vec<Vec<(usize, f64)>>,
    /// `nu` with each species' amount slot in place of the species: what
    /// a firing adds, slot by slot.
    moves: Vec<Vec<(usize, f64)>>,
    /// Amounts each reaction consumes (net): (amount slot, molecules per
    /// firing).
    consumed: Vec<Vec<(usize, f64)>>,
    /// Per species: (order n, molecules m) of each reaction it takes part in.
    orders: Vec<Vec<(f64, f64)>>,
    /// Per species: how its gᵢ follows from `orders`.
    order: Vec<Order>,
    /// Per species: scratch for [`Plan::leap`].
    drift: Vec<Drift>,
    /// Amount slot of each species.
    amount: Vec<usize>,
    /// Whether stoichiometries or conversion factors are read from slots
    /// (then the plan is rebuilt after every jump).
    dynamic: bool,
    /// Per species: whether its removals are drawn exactly (`tau/decay.rs`):
    /// it bounds no leap.
    exact: Vec<bool>,
    /// Per reaction: whether it is such a removal: never critical.
    channel: Vec<bool>,
}

impl Plan {
    /// The plan at the state in `slots`, with the removals `decays` draws
    /// exactly.
    pub fn new(model: &Discrete, slots: &[f64], decays: &Decays) -> Self {
        let n = model.species.len();
        let amount = (0..n)
            .map(|i| model.system.amount_slot(i) as usize)
            .collect();
        let mut plan = Plan {
            nu: Vec::new(),
            moves: Vec::new(),
            consumed: Vec::new(),
            orders: vec![Vec::new(); n],
            order: vec![Order::None; n],
            drift: vec![Drift::default(); n],
            amount,
            dynamic: false,
            exact: decays.exact.clone(),
            channel: decays.channel.clone(),
        };
        plan.rebuild(model, slots);
        plan
    }

    /// Whether [`Plan::rebuild`] must follow every change of state.
    pub fn dynamic(&self) -> bool {
        self.dynamic
    }

    /// Amount slot of species `i`.
    pub fn amount(&self, i: usize) -> usize {
        self.amount[i]
    }

    /// Net changes of reaction `j`: (species, change per firing).
    pub fn net(&self, j: usize) -> &[(usize, f64)] {
        &self.nu[j]
    }

    /// Fires reaction `j` `k` times into `slots` by its net changes (a
    /// catalyst's take and give cancel, with no rounding in between).
    #[inline]
    pub fn fire(&self, j: usize, k: f64, slots: &mut [f64]) {
        for &(s, v) in &self.moves[j] {
            slots[s] += v * k;
        }
    }

    /// Recomputes net changes and orders from the slots' stoichiometries.
    pub fn rebuild(&mut self, model: &Discrete, slots: &[f64]) {
        self.nu.clear();
        self.moves.clear();
        self.consumed.clear();
        self.orders.iter_mut().for_each(Vec::clear);
        self.dynamic = false;
        for (j, r) in model.reactions.iter().enumerate() {
            self.dynamic |= r
                .changes
                .iter()
                .any(|c| matches!(c.stoich, Stoich::Slot(_)) || c.factor.is_some());
            let net = self.participants(r, slots);
            let order: f64 = net.iter().map(|e| e.2).sum();
            for &(i, _, m) in &net {
                if m > 0.0 {
                    self.orders[i].push((order, m));
                }
            }
            let nu: Vec<_> = net
                .iter()
                .filter(|e| e.1 != 0.0)
                .map(|e| (e.0, e.1))
                .collect();
            self.moves
                .push(nu.iter().map(|&(i, v)| (self.amount[i], v)).collect());
            self.nu.push(nu);
            let consumed = net.iter().filter(|e| e.1 < 0.0 && !self.channel[j]);
            let consumed = consumed.map(|e| (self.amount[e.0], -e.1));
            self.consumed.push(consumed.collect());
        }
        for (order, orders) in self.order.iter_mut().zip(&self.orders) {
            *order = if orders.is_empty() {
                Order::None
            } else if orders.iter().all(|&(_, m)| m == 1.0) {
                // highest_order(n, 1, x) is n, whatever x.
                Order::Fixed(orders.iter().map(|&(n, _)| n).fold(0.0, f64::max))
            } else {
                Order::Counted
            };
        }
    }

    /// The species reaction `r` changes or whose amount its rate reads:
    /// (species, net change per firing, molecules it needs), a species read
    /// but not a reactant counting as one molecule.
    fn participants(&self, r: &StochReaction, slots: &[f64]) -> Vec<(usize, f64, f64)> {
        let mut net: Vec<(usize, f64, f64)> = Vec::new();
        for c in &r.changes {
            let change = c.per_firing(slots);
            let reactant = if c.sign < 0.0 {
                c.stoich_at(slots)
            } else {
                0.0
            };
            match net.iter_mut().find(|e| e.0 == c.species) {
                Some(e) => {
                    e.1 += change;
                    e.2 += reactant;
                }
                None => net.push((c.species, change, reactant)),
            }
        }
        for (i, &a) in self.amount.iter().enumerate() {
            if r.reads.binary_search(&(a as u32)).is_err() {
                continue;
            }
            match net.iter_mut().find(|e| e.0 == i) {
                Some(e) => e.2 = e.2.max(1.0),
                None => net.push((i, 0.0, 1.0)),
            }
        }
        net
    }

    /// Whether reaction `j` (with propensity `a > 0`) could exhaust a
    /// reactant within `nc` firings, a whole number: ⌊xᵢ/m⌋ < nc, which for
    /// whole nc is xᵢ/m < nc (no rounding, which costs a library call on
    /// x86-64 without SSE4.1).
    pub fn critical(&self, j: usize, a: f64, nc: f64, slots: &[f64]) -> bool {
        debug_assert_eq!(nc.fract(), 0.0, "critical firings are a whole number");
        a > 0.0 && self.consumed[j].iter().any(|&(s, m)| slots[s] / m < nc)
    }

    /// τ′ (eq. 33) over the reactions with `a[j] > 0` not marked critical,
    /// and at most `relax` over the fastest relaxation rate of a species'
    /// consumption.
    ///
    /// Relaxation: τ·kᵢ ≤ `relax`, kᵢ = Σⱼ m²·aⱼ/xᵢ the rate at which
    /// species i's consumption answers its own count (m molecules per
    /// firing; exact for mass action). Near equilibrium the drift μ
    /// vanishes and only the variance bounds τ, which for large counts
    /// allows leaps longer than the relaxation time: the explicit update
    /// then overshoots, inflating SDs and biasing means.
    pub fn leap(
        &mut self,
        (eps, relax): (f64, f64),
        a: &[f64],
        critical: &[bool],
        slots: &[f64],
    ) -> f64 {
        let drift = &mut self.drift;
        drift.fill(Drift::default());
        for (j, nu) in self.nu.iter().enumerate() {
            let aj = a[j];
            if aj > 0.0 && !critical[j] {
                for &(i, v) in nu {
                    let d = &mut drift[i];
                    d.mu += v * aj;
                    let square = v * v * aj;
                    d.var += square;
                    if v < 0.0 {
                        d.loss += square;
                    }
                }
            }
        }
        let mut tau = f64::INFINITY;
        for (i, d) in drift.iter().enumerate() {
            if (d.mu == 0.0 && d.var == 0.0) || self.exact[i] {
                continue;
            }
            let x = slots[self.amount[i]];
            if d.loss > 0.0 && x > 0.0 {
                tau = tau.min(relax * x / d.loss);
            }
            let g = match self.order[i] {
                Order::None => continue,
                Order::Fixed(g) => g,
                Order::Counted => (self.orders[i].iter())
                    .map(|&(n, m)| highest_order(n, m, x))
                    .fold(0.0, f64::max),
            };
            let bound = (eps * x / g).max(1.0);
            tau = tau.min(bound / d.mu.abs()).min(bound * bound / d.var);
        }
        tau
    }
}

/// The expected change per unit time of one species over the leaping
/// reactions: mean μ, variance σ², and Σ m²·aⱼ over those consuming it.
#[derive(Debug, Clone, Copy, Default)]
struct Drift {
    mu: f64,
    var: f64,
    loss: f64,
}

/// gᵢ of one species, the highest order of the reactions it takes part in.
#[derive(Debug, Clone, Copy)]
enum Order {
    /// It takes part in none.
    None,
    /// Every reaction needs one molecule of it: g is the highest order.
    Fixed(f64),
    /// Some reaction needs several: g depends on the count.
    Counted,
}

/// gᵢ for one reaction of order `n` needing `m` molecules of a species at count `x`.
fn highest_order(n: f64, m: f64, x: f64) -> f64 {
    let mut sum = m;
    let mut k = 1.0;
    while k < m {
        if x - k <= 0.0 {
            return f64::INFINITY;
        }
        sum += k / (x - k);
        k += 1.0;
    }
    n / m * sum
}

#[cfg(test)]
mod tests {
    use super::{highest_order, Decays, Plan};
    use crate::error::Result;
    use crate::expr::{Expr, Op};
    use crate::network::Network;
    use crate::ssa::Discrete;

    #[test]
    fn orders_reduce_to_the_papers_cases() {
        let x = 11.0;
        assert_eq!(highest_order(1.0, 1.0, x), 1.0);
        assert_eq!(highest_order(2.0, 1.0, x), 2.0);
        assert_eq!(highest_order(2.0, 2.0, x), 2.0 + 1.0 / (x - 1.0));
        assert_eq!(highest_order(3.0, 1.0, x), 3.0);
        assert_eq!(highest_order(3.0, 2.0, x), 1.5 * (2.0 + 1.0 / (x - 1.0)));
        assert_eq!(
            highest_order(3.0, 3.0, x),
            3.0 + 1.0 / (x - 1.0) + 2.0 / (x - 2.0)
        );
        assert_eq!(highest_order(2.0, 2.0, 1.0), f64::INFINITY);
    }

    /// 2X → D at 0.001·X(X − 1)/2 with X = 101 and nothing else.
    fn dimerisation() -> Network {
        let mut net = Network::well_mixed(&[("X", 101.0), ("D", 0.0)]);
        let pairs = Expr::apply(Op::Minus, vec![Expr::sym("X"), Expr::Num(1.0)]);
        let law = vec![Expr::Num(0.0005), Expr::sym("X"), pairs];
        net.add_reaction(
            "dimerise",
            &[("X", 2.0)],
            &[("D", 1.0)],
            Expr::apply(Op::Times, law),
        );
        net
    }

    #[test]
    fn leap_follows_equation_33_for_a_dimerisation() -> Result<()> {
        let model = Discrete::new(&dimerisation())?;
        let mut stack = Vec::new();
        let mut slots = model.system.initial_slots(0.0, &[], &mut stack);
        let decays = Decays::new(&model, false, |_| false);
        let mut plan = Plan::new(&model, &slots, &decays);
        let a = [model.propensity(0, &mut slots, &mut stack)?];
        assert!((a[0] - 5.05).abs() < 1e-12);
        assert!(!plan.critical(0, a[0], 10.0, &slots));
        assert!(plan.critical(0, a[0], 60.0, &slots));
        let eps = 0.03;
        let tau = plan.leap((eps, f64::INFINITY), &a, &[false], &slots);
        // X: μ = −2a, σ² = 4a, g = 2 + 1/(x − 1); D is no reactant.
        let bound = eps * 101.0 / (2.0 + 1.0 / 100.0);
        let want = (bound / (2.0 * a[0])).min(bound * bound / (4.0 * a[0]));
        assert!((tau - want).abs() <= 1e-12 * want, "{tau} vs {want}");
        Ok(())
    }
}
