//! LU factors with their pivot orders and pattern fixed, refactored in place.
//!
//! Between two Jacobian patterns the BDF factors the same matrix structure
//! again and again with new values (I − hγJ after each Jacobian or
//! step-size update). As KLU's `klu_refactor` does, the row pivots chosen
//! by one factorization with partial pivoting are kept, and so is the
//! pattern of L and U they imply; a refactorization is then only the
//! arithmetic of a left-looking LU over that pattern, with no search for
//! pivots or for the pattern of each column. On the 50-species chain
//! benchmark faer's factorization with pivoting took about 95,000
//! instructions, about a fifth of the whole run.
//!
//! A kept pivot must still be a good one: a refactorization whose pivot is
//! smaller than [`THRESHOLD`] times the largest entry below it in its
//! column gives up, and the caller pivots afresh (threshold partial
//! pivoting, as in UMFPACK and SuperLU; growth stays bounded).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Smallest acceptable |pivot| / max |entry below it| in a refactorization.
const THRESHOLD: f64 = 0.1;

/// P·A·Q = L·D·U in pivoted numbering: row i of the factors is the
/// matrix's row `row_fwd[i]`, column j its column `col_fwd[j]` (the orders
/// of the factorization with pivoting that this was made from). L is unit
/// lower triangular, D diagonal (U's pivots in the usual L·U), U unit upper
/// triangular.
///
/// Each triangle is one list of entries in column order, so that a solve
/// is one flat loop over it: no inner loop of a few entries per column
/// whose exits the branch predictor would miss.
#[derive(Debug)]
pub(super) struct Fixed {
    /// For column j: `a_ptr[j]..a_ptr[j + 1]` indexes `a_src` (positions in
    /// the matrix's value array) and `a_row` (their pivoted rows).
    a_ptr: Vec<usize>,
    a_src: Vec<usize>,
    a_row: Vec<usize>,
    /// U's strictly upper part by column, rows ascending within a column:
    /// for the left-looking update a topological order, as row k of L·U
    /// takes updates from columns before k only.
    u_ptr: Vec<usize>,
    u: Vec<Entry>,
    /// L's strictly lower part by column.
    l_ptr: Vec<usize>,
    l: Vec<Entry>,
    /// The pivots.
    diag: Vec<f64>,
    /// Dense accumulator for one column, all zero between columns.
    x: Vec<f64>,
}

/// One entry of a triangle.
#[derive(Debug, Clone, Copy)]
struct Entry {
    row: usize,
    col: usize,
    val: f64,
}

/// A matrix in compressed-column form: column pointers, row indices.
pub(super) struct Pattern<'a> {
    pub col_ptr: &'a [usize],
    pub row_idx: &'a [usize],
}

impl Fixed {
    /// The pattern of L and U for `a`'s pattern (compressed: column c's
    /// entries at `col_ptr[c]..col_ptr[c + 1]`) with columns in the order
    /// `col_fwd` (factor column j is `a`'s column `col_fwd[j]`) and rows
    /// pivoted by `row_inv` (`a`'s row r is factor row `row_inv[r]`); the
    /// values are zero until [`Fixed::refactor`]. `None` if a column
    /// cannot reach its own pivot row (structurally singular in this order).
    pub(super) fn new(a: Pattern, col_fwd: &[usize], row_inv: &[usize]) -> Option<Self> {
        let n = col_fwd.len();
        let mut f = Fixed {
            a_ptr: vec![0],
            a_src: Vec::with_capacity(a.row_idx.len()),
            a_row: Vec::with_capacity(a.row_idx.len()),
            u_ptr: vec![0],
            u: Vec::new(),
            l_ptr: vec![0],
            l: Vec::new(),
            diag: vec![0.0; n],
            x: vec![0.0; n],
        };
        // mark[i] == j: row i is in column j's pattern already.
        let mut mark = vec![usize::MAX; n];
        let mut upper = BinaryHeap::new();
        let mut lower = Vec::new();
        for (j, &c) in col_fwd.iter().enumerate() {
            let mut reach = |i: usize, upper: &mut BinaryHeap<_>, lower: &mut Vec<_>| {
                if mark[i] != j {
                    mark[i] = j;
                    if i < j {
                        upper.push(Reverse(i));
                    } else {
                        lower.push(i);
                    }
                }
            };
            for p in *a.col_ptr.get(c)?..*a.col_ptr.get(c + 1)? {
                let i = *row_inv.get(*a.row_idx.get(p)?)?;
                f.a_src.push(p);
                f.a_row.push(i);
                reach(i, &mut upper, &mut lower);
            }
            // Rows of the upper part in ascending order: each one's column
            // of L may add rows, all of them after it.
            while let Some(Reverse(k)) = upper.pop() {
                f.u.push(Entry::new(k, j));
                for e in &f.l[f.l_ptr[k]..f.l_ptr[k + 1]] {
                    reach(e.row, &mut upper, &mut lower);
                }
            }
            let diagonal = lower.iter().position(|&i| i == j)?;
            lower.swap_remove(diagonal);
            lower.sort_unstable();
            f.l.extend(lower.drain(..).map(|i| Entry::new(i, j)));
            f.a_ptr.push(f.a_row.len());
            f.u_ptr.push(f.u.len());
            f.l_ptr.push(f.l.len());
        }
        Some(f)
    }

    /// Factors the matrix with values `a_val` (in the order of the pattern
    /// given to [`Fixed::new`]) over the fixed pivots and pattern. With
    /// `checked`, gives up (false, factors unusable until the next
    /// success) at the first pivot that is zero or smaller than
    /// [`THRESHOLD`] times the largest entry below it, or at a NaN;
    /// unchecked, any pivot is taken (a zero one gives infinities or NaN
    /// in the solve, as faer's factors would).
    pub(super) fn refactor(&mut self, a_val: &[f64], checked: bool) -> bool {
        let x = &mut self.x;
        for j in 0..self.diag.len() {
            for p in self.a_ptr[j]..self.a_ptr[j + 1] {
                x[self.a_row[p]] += a_val[self.a_src[p]];
            }
            for p in self.u_ptr[j]..self.u_ptr[j + 1] {
                let k = self.u[p].row;
                let xk = std::mem::take(&mut x[k]);
                // Row k of U divided by its pivot: U is unit upper.
                self.u[p].val = xk / self.diag[k];
                for e in &self.l[self.l_ptr[k]..self.l_ptr[k + 1]] {
                    x[e.row] -= e.val * xk;
                }
            }
            let pivot = std::mem::take(&mut x[j]);
            let below = &mut self.l[self.l_ptr[j]..self.l_ptr[j + 1]];
            if checked {
                // NaN anywhere in the column, or a zero pivot, fails too:
                // faer then has its say.
                let largest = below.iter().fold(0.0_f64, |m, e| {
                    let v = x[e.row].abs();
                    if v > m || v.is_nan() {
                        v
                    } else {
                        m
                    }
                });
                let good = pivot != 0.0 && pivot.abs() >= THRESHOLD * largest;
                if !good {
                    x.fill(0.0);
                    return false;
                }
            }
            for e in below {
                e.val = std::mem::take(&mut x[e.row]) / pivot;
            }
            self.diag[j] = pivot;
        }
        true
    }

    /// Solves L·D·U·z = w (or its transpose) in place, in pivoted
    /// numbering. Each triangle is swept in the order that has every
    /// entry read a component after all updates to it.
    pub(super) fn solve(&self, w: &mut [f64], transpose: bool) {
        if !transpose {
            for e in &self.l {
                w[e.row] -= e.val * w[e.col];
            }
            self.divide_by_pivots(w);
            for e in self.u.iter().rev() {
                w[e.row] -= e.val * w[e.col];
            }
        } else {
            for e in &self.u {
                w[e.col] -= e.val * w[e.row];
            }
            self.divide_by_pivots(w);
            for e in self.l.iter().rev() {
                w[e.col] -= e.val * w[e.row];
            }
        }
    }

    fn divide_by_pivots(&self, w: &mut [f64]) {
        for (wi, d) in w.iter_mut().zip(&self.diag) {
            *wi /= d;
        }
    }
}

impl Entry {
    fn new(row: usize, col: usize) -> Self {
        Entry { row, col, val: 0.0 }
    }
}
