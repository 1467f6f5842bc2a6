//! The form a [`super::Program`] runs in: the same instructions, with the
//! machine keeping the top of the stack in an accumulator and operand pushes
//! fused into the arithmetic that follows them.
//!
//! `Load s` or `Const c` followed by an arithmetic instruction becomes one
//! instruction that combines the accumulator with the slot or constant
//! directly (`MulSlot(s)`: `acc = acc · slots[s]`), so a product such as
//! `k·A·B` is three instructions instead of five and never touches the stack.
//! Whole statements that are sums of products become one instruction
//! ([`Instr::Sum`], see [`super::sum`]).
//!
//! Every instruction computes the same operation on the same operands as the
//! code it replaces, so results are bit for bit those of the plain stack code
//! (for `f64` and for dual numbers alike).

use super::sum::{statements, Sums};
use super::Instr;

/// Arithmetic with two operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

fn arith(i: Instr) -> Option<Arith> {
    Some(match i {
        Instr::Add => Arith::Add,
        Instr::Sub => Arith::Sub,
        Instr::Mul => Arith::Mul,
        Instr::Div => Arith::Div,
        Instr::Pow => Arith::Pow,
        _ => return None,
    })
}

fn with_slot(a: Arith, s: u32) -> Instr {
    match a {
        Arith::Add => Instr::AddSlot(s),
        Arith::Sub => Instr::SubSlot(s),
        Arith::Mul => Instr::MulSlot(s),
        Arith::Div => Instr::DivSlot(s),
        Arith::Pow => Instr::PowSlot(s),
    }
}

fn with_const(a: Arith, x: f64) -> Instr {
    match a {
        Arith::Add => Instr::AddConst(x),
        Arith::Sub => Instr::SubConst(x),
        Arith::Mul => Instr::MulConst(x),
        Arith::Div => Instr::DivConst(x),
        Arith::Pow => Instr::PowConst(x),
    }
}

/// Where a jump at `i` with relative `offset` lands.
fn target(i: usize, offset: u32) -> usize {
    i + offset as usize
}

/// Fuses operand pushes into the arithmetic that follows them, except where
/// a jump lands on the arithmetic, and statements that are sums of products
/// into one instruction each; re-targets the (relative) jumps.
pub(super) fn fuse(code: &[Instr]) -> (Vec<Instr>, Sums) {
    let mut landing = vec![false; code.len() + 1];
    for (i, instr) in code.iter().enumerate() {
        if let Instr::Jump(o) | Instr::JumpIfFalse(o) = *instr {
            if let Some(l) = landing.get_mut(target(i, o)) {
                *l = true;
            }
        }
    }
    let mut sums = Sums::default();
    // `whole[start]`: the end and sum index of a statement run as one.
    let mut whole = vec![None; code.len()];
    for (start, end) in statements(code) {
        if landing[start + 1..=end].iter().any(|l| *l) {
            continue;
        }
        let Instr::Store(target) = code[end] else {
            continue;
        };
        if let Some(k) = sums.push(&code[start..end], target) {
            whole[start] = Some((end, k));
        }
    }
    // `at[i]`: the fused index of instruction i (for jump sources and targets).
    let mut at = vec![0; code.len() + 1];
    let mut ops = Vec::with_capacity(code.len());
    let mut i = 0;
    while i < code.len() {
        at[i] = ops.len();
        if let Some((end, k)) = whole[i] {
            ops.push(Instr::Sum(k));
            i = end + 1;
            continue;
        }
        let next = code.get(i + 1).copied().filter(|_| !landing[i + 1]);
        let fused = match (code[i], next.and_then(arith)) {
            (Instr::Load(s), Some(a)) => Some(with_slot(a, s)),
            (Instr::Const(x), Some(a)) => Some(with_const(a, x)),
            _ => None,
        };
        match fused {
            Some(op) => {
                ops.push(op);
                at[i + 1] = ops.len() - 1;
                i += 2;
            }
            None => {
                ops.push(code[i]);
                i += 1;
            }
        }
    }
    at[code.len()] = ops.len();
    for (i, instr) in code.iter().enumerate() {
        if let Instr::Jump(o) | Instr::JumpIfFalse(o) = *instr {
            let to = at[target(i, o).min(code.len())];
            let offset = (to - at[i]) as u32;
            ops[at[i]] = match ops[at[i]] {
                Instr::Jump(_) => Instr::Jump(offset),
                _ => Instr::JumpIfFalse(offset),
            };
        }
    }
    (ops, sums)
}

/// The most values the code ever holds on the stack, counting every
/// instruction in order (an upper bound for any path, since jumps only skip
/// code forward and every skipped piece leaves a value).
pub(super) fn depth(code: &[Instr]) -> usize {
    let mut n: isize = 0;
    let mut most = 0;
    for i in code {
        n += match i {
            Instr::Const(_) | Instr::Load(_) => 1,
            Instr::Store(_)
            | Instr::Add
            | Instr::Sub
            | Instr::Mul
            | Instr::Div
            | Instr::Pow
            | Instr::Cmp(_)
            | Instr::Bin(_)
            | Instr::JumpIfFalse(_) => -1,
            Instr::Neg | Instr::Call(_) | Instr::Not | Instr::Jump(_) => 0,
            // Fused forms replace a push and a pop.
            Instr::AddSlot(_)
            | Instr::SubSlot(_)
            | Instr::MulSlot(_)
            | Instr::DivSlot(_)
            | Instr::PowSlot(_)
            | Instr::AddConst(_)
            | Instr::SubConst(_)
            | Instr::MulConst(_)
            | Instr::DivConst(_)
            | Instr::PowConst(_)
            | Instr::Sum(_) => 0,
        };
        most = most.max(n);
    }
    most.max(0) as usize
}
