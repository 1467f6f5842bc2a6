//! Products of numbers and slots, evaluated directly: the shape of mass-action
//! rates (`k·A·B`), stoichiometric terms (`1·v`) and most propensities.
//!
//! A product is folded left from its first factor, exactly as the stack
//! code `f₁ f₂ Mul f₃ Mul …` folds it, so its value is the code's bit for
//! bit (for `f64` and for dual numbers alike).

use super::Instr;
use crate::scalar::Scalar;

/// A number or a slot in a product.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Factor {
    Num(f64),
    Slot(u32),
}

/// A left-folded product, in the shapes laws take most: one to three slots,
/// with or without one leading number `c`, each its own variant so that
/// evaluating one is a single dispatch.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Product {
    One(u32),
    Two(u32, u32),
    Three(u32, u32, u32),
    ScaledOne(f64, u32),
    ScaledTwo(f64, u32, u32),
    ScaledThree(f64, u32, u32, u32),
    /// Any other product, factor by factor.
    General(Box<[Factor]>),
}

impl Product {
    /// The product of `factors` (at least one), in their order.
    pub fn new(factors: Vec<Factor>) -> Self {
        use Factor::{Num, Slot};
        match *factors.as_slice() {
            [Slot(a)] => Product::One(a),
            [Slot(a), Slot(b)] => Product::Two(a, b),
            [Slot(a), Slot(b), Slot(c)] => Product::Three(a, b, c),
            [Num(k), Slot(a)] => Product::ScaledOne(k, a),
            [Num(k), Slot(a), Slot(b)] => Product::ScaledTwo(k, a, b),
            [Num(k), Slot(a), Slot(b), Slot(c)] => Product::ScaledThree(k, a, b, c),
            _ => Product::General(factors.into()),
        }
    }

    /// The product stack code `body` computes, if it is one.
    pub fn of_code(body: &[Instr]) -> Option<Self> {
        super::sum::product_factors(body).map(Product::new)
    }

    /// Its factors, in order.
    pub fn factors(&self) -> Vec<Factor> {
        use Factor::{Num, Slot};
        match *self {
            Product::One(a) => vec![Slot(a)],
            Product::Two(a, b) => vec![Slot(a), Slot(b)],
            Product::Three(a, b, c) => vec![Slot(a), Slot(b), Slot(c)],
            Product::ScaledOne(k, a) => vec![Num(k), Slot(a)],
            Product::ScaledTwo(k, a, b) => vec![Num(k), Slot(a), Slot(b)],
            Product::ScaledThree(k, a, b, c) => vec![Num(k), Slot(a), Slot(b), Slot(c)],
            Product::General(ref factors) => factors.to_vec(),
        }
    }

    /// Its value at `slots`.
    #[inline(always)]
    pub fn eval<N: Scalar>(&self, slots: &[N]) -> N {
        let x = |s: u32| slots[s as usize];
        let k = |c: f64| N::constant(c);
        match *self {
            Product::One(a) => x(a),
            Product::Two(a, b) => x(a) * x(b),
            Product::Three(a, b, c) => x(a) * x(b) * x(c),
            Product::ScaledOne(c, a) => k(c) * x(a),
            Product::ScaledTwo(c, a, b) => k(c) * x(a) * x(b),
            Product::ScaledThree(c, a, b, d) => k(c) * x(a) * x(b) * x(d),
            Product::General(ref factors) => {
                let value = |f: &Factor| match *f {
                    Factor::Num(c) => k(c),
                    Factor::Slot(s) => x(s),
                };
                let first = value(&factors[0]);
                factors[1..].iter().fold(first, |a, f| a * value(f))
            }
        }
    }
}
