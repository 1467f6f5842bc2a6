//! A flat stack machine for compiled expressions.
//!
//! Rate laws, rules and triggers are compiled once into a [`Program`]: a flat
//! list of instructions over a slot array (every symbol of the model has a
//! slot). Running it is a tight loop with no allocation and no tree walking;
//! the same program runs on `f64` for values and on dual numbers for
//! Jacobian-vector products.

use crate::scalar::{Fn1, Scalar};

/// Comparison operators; the result is 1.0 (true) or 0.0 (false).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Neq,
    Gt,
    Lt,
    Geq,
    Leq,
}

/// Binary operators without derivative structure of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bin {
    Min,
    Max,
    /// Remainder with the sign of the dividend (MathML `rem`).
    Rem,
    /// Integer part of the quotient, truncated toward zero (MathML `quotient`).
    Quotient,
    And,
    Or,
    Xor,
}

/// One instruction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Instr {
    Const(f64),
    Load(u32),
    /// Pops the top of the stack into a slot.
    Store(u32),
    Neg,
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Call(Fn1),
    Cmp(Cmp),
    Bin(Bin),
    Not,
    /// Pops; if the value is 0 (false), jumps forward by the offset (relative,
    /// so that compiled pieces can be concatenated).
    JumpIfFalse(u32),
    /// Jumps forward by the offset.
    Jump(u32),
}

/// A compiled sequence of instructions.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Program {
    pub code: Vec<Instr>,
}

#[inline]
fn truth<N: Scalar>(b: bool) -> N {
    N::constant(if b { 1.0 } else { 0.0 })
}

impl Program {
    /// Whether the program takes the same path whatever the slot values: no
    /// jumps (piecewise) and no min/max, so which outputs depend on which
    /// inputs is fixed, and a Jacobian sparsity pattern found once holds.
    pub fn is_branch_free(&self) -> bool {
        !self.code.iter().any(|i| {
            matches!(
                i,
                Instr::Jump(_) | Instr::JumpIfFalse(_) | Instr::Bin(Bin::Min | Bin::Max)
            )
        })
    }

    /// Runs the program over `slots`, using `stack` as scratch.
    ///
    /// Every `Store` writes a slot; a program that ends with a value on the
    /// stack returns it (expressions compiled for evaluation), else NaN.
    pub fn run<N: Scalar>(&self, slots: &mut [N], stack: &mut Vec<N>) -> N {
        stack.clear();
        let code = &self.code;
        let mut pc = 0;
        while pc < code.len() {
            match code[pc] {
                Instr::Const(x) => stack.push(N::constant(x)),
                Instr::Load(s) => stack.push(slots[s as usize]),
                Instr::Store(s) => slots[s as usize] = pop(stack),
                Instr::Neg => {
                    let a = pop(stack);
                    stack.push(-a);
                }
                Instr::Add => binary(stack, |a, b| a + b),
                Instr::Sub => binary(stack, |a, b| a - b),
                Instr::Mul => binary(stack, |a, b| a * b),
                Instr::Div => binary(stack, |a, b| a / b),
                Instr::Pow => binary(stack, N::pow),
                Instr::Call(f) => {
                    let a = pop(stack);
                    stack.push(a.apply(f));
                }
                Instr::Cmp(c) => binary(stack, |a: N, b: N| compare(c, a.value(), b.value())),
                Instr::Bin(op) => binary(stack, |a, b| bin(op, a, b)),
                Instr::Not => {
                    let a = pop(stack);
                    stack.push(truth(a.value() == 0.0));
                }
                Instr::JumpIfFalse(offset) => {
                    if pop(stack).value() == 0.0 {
                        pc += offset as usize;
                        continue;
                    }
                }
                Instr::Jump(offset) => {
                    pc += offset as usize;
                    continue;
                }
            }
            pc += 1;
        }
        stack.pop().unwrap_or(N::constant(f64::NAN))
    }
}

#[inline]
fn pop<N: Scalar>(stack: &mut Vec<N>) -> N {
    // Cannot fail for programs built by the compiler, which balances the stack;
    // NaN keeps a malformed program visible rather than panicking.
    stack.pop().unwrap_or(N::constant(f64::NAN))
}

#[inline]
fn binary<N: Scalar>(stack: &mut Vec<N>, f: impl Fn(N, N) -> N) {
    let b = pop(stack);
    let a = pop(stack);
    stack.push(f(a, b));
}

#[inline]
fn compare<N: Scalar>(c: Cmp, a: f64, b: f64) -> N {
    truth(match c {
        Cmp::Eq => a == b,
        Cmp::Neq => a != b,
        Cmp::Gt => a > b,
        Cmp::Lt => a < b,
        Cmp::Geq => a >= b,
        Cmp::Leq => a <= b,
    })
}

fn bin<N: Scalar>(op: Bin, a: N, b: N) -> N {
    let (x, y) = (a.value(), b.value());
    match op {
        // NaN-propagating, as libSBML-based simulators do.
        Bin::Min => {
            if x.is_nan() || y.is_nan() {
                N::constant(f64::NAN)
            } else if x <= y {
                a
            } else {
                b
            }
        }
        Bin::Max => {
            if x.is_nan() || y.is_nan() {
                N::constant(f64::NAN)
            } else if x >= y {
                a
            } else {
                b
            }
        }
        Bin::Rem => {
            let q = (x / y).trunc();
            a - b * N::constant(q)
        }
        Bin::Quotient => N::constant((x / y).trunc()),
        Bin::And => truth(x != 0.0 && y != 0.0),
        Bin::Or => truth(x != 0.0 || y != 0.0),
        Bin::Xor => truth((x != 0.0) != (y != 0.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::Dual;

    #[test]
    fn runs_arithmetic_and_stores() {
        // slot2 = slot0 * slot1 + 1
        let p = Program {
            code: vec![
                Instr::Load(0),
                Instr::Load(1),
                Instr::Mul,
                Instr::Const(1.0),
                Instr::Add,
                Instr::Store(2),
            ],
        };
        let mut slots = [3.0, 4.0, 0.0];
        let mut stack = Vec::new();
        p.run(&mut slots, &mut stack);
        assert_eq!(slots[2], 13.0);
        let mut dual = [Dual::new(3.0, 1.0), Dual::new(4.0, 0.0), Dual::default()];
        let mut dstack = Vec::new();
        p.run(&mut dual, &mut dstack);
        assert_eq!(dual[2], Dual::new(13.0, 4.0));
    }

    #[test]
    fn rem_and_quotient_follow_the_dividend() {
        assert_eq!(bin::<f64>(Bin::Rem, -7.0, 2.0), -1.0);
        assert_eq!(bin::<f64>(Bin::Quotient, -7.0, 2.0), -3.0);
        assert!(bin::<f64>(Bin::Max, f64::NAN, 1.0).is_nan());
    }
}
