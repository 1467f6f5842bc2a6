//! Propensity laws that are products (mass action and most other simple
//! laws), evaluated as plain products instead of by the expression machine.

use crate::vm::{product_factors, Factor, Instr};

/// How a reaction's propensity is evaluated.
#[derive(Debug, Clone)]
pub(super) enum Law {
    /// `c · slots[s₀] · …` over the first `n` (1 to 3) slots.
    Short { c: f64, slots: [u32; 3], n: u8 },
    /// Any other left-to-right product of numbers and slots.
    Product(Vec<Factor>),
    /// Not a product: the reaction's program.
    Program,
}

impl Law {
    /// The law of a propensity program that stores into `slot`.
    ///
    /// A program that is a left-to-right product of numbers and slots
    /// becomes a product of the same factors in the same order; leading
    /// numbers are multiplied out first (from 1, as the program's fold
    /// starts), so the value is the program's bit for bit.
    pub fn new(code: &[Instr], slot: u32) -> Self {
        let Some(factors) = factors(code, slot) else {
            return Law::Program;
        };
        let lead = factors
            .iter()
            .take_while(|f| matches!(f, Factor::Num(_)))
            .count();
        let c = factors[..lead].iter().fold(1.0, |a, f| match *f {
            Factor::Num(x) => a * x,
            Factor::Slot(_) => a,
        });
        let rest: Vec<u32> = factors[lead..]
            .iter()
            .map_while(|f| match *f {
                Factor::Slot(s) => Some(s),
                Factor::Num(_) => None,
            })
            .collect();
        match rest.len() {
            n @ 1..=3 if lead + n == factors.len() => {
                let mut slots = [0; 3];
                slots[..n].copy_from_slice(&rest);
                Law::Short {
                    c,
                    slots,
                    n: n as u8,
                }
            }
            _ => Law::Product(factors),
        }
    }

    /// The value of a product law, `None` for [`Law::Program`].
    #[inline]
    pub fn product(&self, slots: &[f64]) -> Option<f64> {
        match self {
            Law::Short { c, slots: s, n } => {
                let x = |i: usize| slots[s[i] as usize];
                Some(match n {
                    1 => c * x(0),
                    2 => c * x(0) * x(1),
                    _ => c * x(0) * x(1) * x(2),
                })
            }
            Law::Product(factors) => Some(factors.iter().fold(1.0, |a, f| match *f {
                Factor::Num(x) => a * x,
                Factor::Slot(s) => a * slots[s as usize],
            })),
            Law::Program => None,
        }
    }
}

/// The factors of a program `f₁ f₂ Mul f₃ Mul … Store(slot)`, if it is one.
fn factors(code: &[Instr], slot: u32) -> Option<Vec<Factor>> {
    let (Instr::Store(s), body) = code.split_last()? else {
        return None;
    };
    (*s == slot).then(|| product_factors(body)).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::Program;
    use proptest::prelude::*;

    proptest! {
        // A stated seed: CI runs the same cases every time (style.md §4).
        #![proptest_config(proptest::prelude::ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(20261127), ..proptest::prelude::ProptestConfig::default() })]

        /// Against the expression machine running the same product.
        #[test]
        fn products_are_their_programs_bit_for_bit(
            factors in proptest::collection::vec(
                prop_oneof![(0.0f64..5.0).prop_map(Factor::Num), (1u32..4).prop_map(Factor::Slot)],
                1..6),
            values in proptest::collection::vec(0.0f64..100.0, 4),
        ) {
            let push = |f: &Factor| match *f {
                Factor::Num(x) => Instr::Const(x),
                Factor::Slot(s) => Instr::Load(s),
            };
            let mut code = vec![push(&factors[0])];
            for f in &factors[1..] {
                code.extend([push(f), Instr::Mul]);
            }
            code.push(Instr::Store(0));
            let law = Law::new(&code, 0);
            let all_slots = factors.iter().all(|f| matches!(f, Factor::Slot(_)));
            if all_slots && factors.len() <= 3 {
                let short = matches!(law, Law::Short { .. });
                prop_assert!(short);
            }
            let mut slots = values.clone();
            Program::new(code).run(&mut slots, &mut Vec::new());
            let fast = law.product(&values).expect("a product");
            prop_assert_eq!(fast.to_bits(), slots[0].to_bits());
        }
    }

    #[test]
    fn other_laws_run_as_programs() {
        // s1 / (1 + s1)
        let code = [
            Instr::Load(1),
            Instr::Const(1.0),
            Instr::Load(1),
            Instr::Add,
            Instr::Div,
            Instr::Store(0),
        ];
        assert!(matches!(Law::new(&code, 0), Law::Program));
        assert!(Law::new(&code, 0).product(&[0.0, 2.0]).is_none());
    }
}
