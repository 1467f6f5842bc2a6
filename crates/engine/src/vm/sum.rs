//! Statements that are sums of products, run without the stack.
//!
//! Mass-action networks spend the right-hand side in two kinds of
//! statement: rates `k·A·B → v` and species derivatives
//! `(1·v₁ + 1·v₂) − (1·v₃ + 1·v₄) → dA`. Run instruction by instruction they
//! cost one dispatch per operand; recognised whole, each is one instruction
//! of the running form ([`super::Instr::Sum`]) that walks its factors in a
//! tight loop. The operations and their order are those of the stack code
//! (products folded left from their first factor, terms added left to
//! right, then one subtraction), so results are the same bit for bit.

use super::Instr;
use crate::scalar::Scalar;

/// A number or a slot in a product.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Factor {
    Num(f64),
    Slot(u32),
}

/// `(p₁ + … + pₘ) − (q₁ + … + qₙ) → target`, with `n` possibly 0 (no
/// subtraction); the products' factors are stored flat in [`Sums`].
#[derive(Debug, Clone, PartialEq)]
struct Sum {
    target: u32,
    plus: u32,
    minus: u32,
}

/// A product, in the shapes rate laws and stoichiometric terms take most.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Term {
    /// `slots[s]`.
    Slot(u32),
    /// `c · slots[s]` (a stoichiometry times a rate, a constant times a species).
    Scaled(f64, u32),
    /// `slots[a] · slots[b]`.
    Two(u32, u32),
    /// `slots[a] · slots[b] · slots[c]`.
    Three(u32, u32, u32),
    /// Any other product: its next `n` factors.
    General(u32),
}

impl Term {
    fn new(p: &[Factor]) -> Self {
        match *p {
            [Factor::Slot(s)] => Term::Slot(s),
            [Factor::Num(c), Factor::Slot(s)] => Term::Scaled(c, s),
            [Factor::Slot(a), Factor::Slot(b)] => Term::Two(a, b),
            [Factor::Slot(a), Factor::Slot(b), Factor::Slot(c)] => Term::Three(a, b, c),
            _ => Term::General(p.len() as u32),
        }
    }
}

/// The sum statements of a program, with their products and factors.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Sums {
    sums: Vec<Sum>,
    /// The products, statement after statement.
    terms: Vec<Term>,
    /// The factors of [`Term::General`] products, in order.
    factors: Vec<Factor>,
    /// Where each statement's products and general factors start.
    starts: Vec<(u32, u32)>,
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
        self.starts
            .push((self.terms.len() as u32, self.factors.len() as u32));
        for p in plus.iter().chain(&minus) {
            let term = Term::new(p);
            if let Term::General(_) = term {
                self.factors.extend(p);
            }
            self.terms.push(term);
        }
        self.sums.push(Sum {
            target,
            plus: plus.len() as u32,
            minus: minus.len() as u32,
        });
        Some(self.sums.len() as u32 - 1)
    }

    /// Runs statement `i`: computes its value and stores it.
    #[inline]
    pub fn run<N: Scalar>(&self, i: u32, slots: &mut [N]) {
        let s = &self.sums[i as usize];
        let (t0, f0) = self.starts[i as usize];
        let (mut t, mut f) = (t0 as usize, f0 as usize);
        let plus = self.total(s.plus, &mut t, &mut f, slots);
        let v = if s.minus == 0 {
            plus
        } else {
            plus - self.total(s.minus, &mut t, &mut f, slots)
        };
        slots[s.target as usize] = v;
    }

    /// The sum of `n` products from product `t` and factor `f` on.
    #[inline(always)]
    fn total<N: Scalar>(&self, n: u32, t: &mut usize, f: &mut usize, slots: &[N]) -> N {
        let mut acc = self.product(t, f, slots);
        for _ in 1..n {
            acc = acc + self.product(t, f, slots);
        }
        acc
    }

    /// Product `t` (a general one's factors start at `f`); moves both on.
    #[inline(always)]
    fn product<N: Scalar>(&self, t: &mut usize, f: &mut usize, slots: &[N]) -> N {
        let x = |s: u32| slots[s as usize];
        let term = self.terms[*t];
        *t += 1;
        match term {
            Term::Slot(s) => x(s),
            Term::Scaled(c, s) => N::constant(c) * x(s),
            Term::Two(a, b) => x(a) * x(b),
            Term::Three(a, b, c) => x(a) * x(b) * x(c),
            Term::General(n) => {
                let p = &self.factors[*f..*f + n as usize];
                *f += n as usize;
                let value = |f: &Factor| match *f {
                    Factor::Num(c) => N::constant(c),
                    Factor::Slot(s) => x(s),
                };
                p[1..].iter().fold(value(&p[0]), |a, f| a * value(f))
            }
        }
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
pub(crate) fn product_factors(body: &[Instr]) -> Option<Vec<Factor>> {
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
