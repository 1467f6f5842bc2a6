//! Propensity laws that are products (mass action and most other simple
//! laws), evaluated as plain products instead of by the expression machine.

use crate::vm::{Instr, Product};

/// The product a propensity program that stores into `slot` computes, if it
/// is one; `None` means the reaction runs its program. The product folds its
/// factors as the program does, so its value is the program's bit for bit.
pub(super) fn law(code: &[Instr], slot: u32) -> Option<Product> {
    let (Instr::Store(s), body) = code.split_last()? else {
        return None;
    };
    if *s != slot {
        return None;
    }
    Product::of_code(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::{Factor, Program};
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
            let law = law(&code, 0).expect("a product");
            let all_slots = factors.iter().all(|f| matches!(f, Factor::Slot(_)));
            if all_slots && factors.len() <= 3 {
                let short = !matches!(law, Product::General(_));
                prop_assert!(short);
            }
            let mut slots = values.clone();
            Program::new(code).run(&mut slots, &mut Vec::new());
            let fast = law.eval(&values);
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
        assert!(law(&code, 0).is_none());
    }
}
