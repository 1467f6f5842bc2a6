//! Statements that are sums of products, run without the stack.
//!
//! Mass-action networks spend the right-hand side in two kinds of
//! statement: rates `k·A·B → v` and species derivatives
//! `(1·v₁ + 1·v₂) − (1·v₃ + 1·v₄) → dA`. Run instruction by instruction they
//! cost one dispatch per operand; recognised whole, each is one instruction
//! of the running form ([`super::Instr::Sum`]) that evaluates its products
//! ([`Product`]) directly. The operations and their order are those of the stack code
//! (products folded left from their first factor, terms added left to
//! right, then one subtraction), so results are the same bit for bit.

use super::product::{Factor, Product};
use super::Instr;
use crate::scalar::Scalar;

/// `(p₁ + … + pₘ) − (q₁ + … + qₙ) → target`, with `n` possibly 0 (no
/// subtraction); its products are `Sums::products[first..]`.
#[derive(Debug, Clone, PartialEq)]
struct Sum {
    target: u32,
    first: u32,
    plus: u32,
    minus: u32,
}

/// The sum statements of a program, with their products.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Sums {
    sums: Vec<Sum>,
    /// The products, statement after statement.
    products: Vec<Product>,
}

/// A statement's value tree, as its stack code builds it.
enum Tree {
    Leaf(Factor),
    Add(Box<Tree>, Box<Tree>),
    Sub(Box<Tree>, Box<Tree>),
    Mul(Box<Tree>, Box<Tree>),
}

impl Sums {
    /// Adds the statement `body Store(target)` if it is a sum of products
    /// with at least one operation (a plain copy gains nothing); returns
    /// its index.
    pub fn push(&mut self, body: &[Instr], target: u32) -> Option<u32> {
        let tree = tree(body)?;
        let (plus, minus) = match &tree {
            Tree::Sub(a, b) => (sum(a)?, sum(b)?),
            t => (sum(t)?, Vec::new()),
        };
        let n_factors: usize = plus.iter().chain(&minus).map(Vec::len).sum();
        if n_factors < 2 {
            return None;
        }
        let first = self.products.len() as u32;
        let (n_plus, n_minus) = (plus.len() as u32, minus.len() as u32);
        self.products
            .extend(plus.into_iter().chain(minus).map(Product::new));
        self.sums.push(Sum {
            target,
            first,
            plus: n_plus,
            minus: n_minus,
        });
        Some(self.sums.len() as u32 - 1)
    }

    /// Runs statement `i`: computes its value and stores it.
    #[inline]
    pub fn run<N: Scalar>(&self, i: u32, slots: &mut [N]) {
        let s = &self.sums[i as usize];
        let mut t = s.first as usize;
        let plus = self.total(s.plus, &mut t, slots);
        let v = if s.minus == 0 {
            plus
        } else {
            plus - self.total(s.minus, &mut t, slots)
        };
        slots[s.target as usize] = v;
    }

    /// The sum of `n` products from product `t` on; moves `t` past them.
    #[inline(always)]
    fn total<N: Scalar>(&self, n: u32, t: &mut usize, slots: &[N]) -> N {
        let mut acc = self.products[*t].eval(slots);
        for k in 1..n as usize {
            acc = acc + self.products[*t + k].eval(slots);
        }
        *t += n as usize;
        acc
    }
}

/// The tree a straight piece of stack code builds, if it builds exactly one
/// value from numbers and slots with `+`, `−` and `×`.
fn tree(body: &[Instr]) -> Option<Tree> {
    let mut stack: Vec<Tree> = Vec::new();
    for i in body {
        let leaf = match *i {
            Instr::Const(x) => Some(Factor::Num(x)),
            Instr::Load(s) => Some(Factor::Slot(s)),
            _ => None,
        };
        if let Some(f) = leaf {
            stack.push(Tree::Leaf(f));
            continue;
        }
        let b = Box::new(stack.pop()?);
        let a = Box::new(stack.pop()?);
        stack.push(match i {
            Instr::Add => Tree::Add(a, b),
            Instr::Sub => Tree::Sub(a, b),
            Instr::Mul => Tree::Mul(a, b),
            _ => return None,
        });
    }
    let t = stack.pop()?;
    stack.is_empty().then_some(t)
}

/// The factors of stack code computing a left-folded product
/// `((f₁·f₂)·f₃)…` of numbers and slots, if it is one.
pub(super) fn product_factors(body: &[Instr]) -> Option<Vec<Factor>> {
    product(&tree(body)?)
}

/// The factors of a left-folded product `((f₁·f₂)·f₃)…`.
fn product(t: &Tree) -> Option<Vec<Factor>> {
    match t {
        Tree::Leaf(f) => Some(vec![*f]),
        Tree::Mul(a, b) => {
            let Tree::Leaf(f) = **b else { return None };
            let mut p = product(a)?;
            p.push(f);
            Some(p)
        }
        _ => None,
    }
}

/// The products of a left-folded sum `((p₁ + p₂) + p₃)…`.
fn sum(t: &Tree) -> Option<Vec<Vec<Factor>>> {
    match t {
        Tree::Add(a, b) => {
            let mut s = sum(a)?;
            s.push(product(b)?);
            Some(s)
        }
        t => Some(vec![product(t)?]),
    }
}

/// The statements of `code`: pieces ending in a `Store`, as (start, end)
/// with `code[end]` the store.
pub(super) fn statements(code: &[Instr]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut start = 0;
    code.iter().enumerate().filter_map(move |(i, instr)| {
        let Instr::Store(_) = instr else { return None };
        let s = start;
        start = i + 1;
        Some((s, i))
    })
}
