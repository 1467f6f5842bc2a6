//! Sparse LU for the BDF's Newton systems: faer's fill-reducing column
//! order and its simplicial factorization with partial pivoting, which
//! chooses the pivots; then [`fixed`] refactors over those pivots and
//! solves by plain loops over the factors.
//!
//! diffsol's `FaerSparseLU` solves through faer's general routine, which on
//! the small systems of reaction networks (tens to a few hundred species)
//! spends more time moving the right-hand side through its workspace (two
//! row permutations per solve) than in the triangular solves: on the
//! 50-species chain benchmark, solves were a quarter of all instructions.
//! Here a solve is one gather, the two triangular sweeps and one scatter.
//!
//! A factorization that fails (a structurally singular matrix, which the
//! BDF's I − hγJ, its diagonal always in the pattern, rules out in
//! practice) is not a panic, as it is in diffsol's: the next solve returns
//! an error, which the solver reports with the time.

mod fixed;

use std::cell::RefCell;

use diffsol::Vector;
use diffsol::{FaerContext, FaerSparseMat, FaerVec, LaError, LaLinearOp, Matrix, MatrixCommon};
use diffsol_la::LinearSolver;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::perm::PermRef;
use faer::sparse::linalg::lu::factorize_symbolic_lu;
use faer::sparse::linalg::lu::simplicial::{
    factorize_simplicial_numeric_lu, factorize_simplicial_numeric_lu_scratch, SimplicialLu,
};

use fixed::{Fixed, Pattern};

/// A [`LinearSolver`] for faer sparse matrices (one batch).
#[derive(Default)]
pub(crate) struct SparseLu {
    /// Set by [`LinearSolver::set_sparsity`]; an error if the ordering failed.
    factors: Option<Result<Factors, String>>,
}

/// The matrix, its column order and its latest factorization.
struct Factors {
    a: FaerSparseMat<f64>,
    /// Fill-reducing column order (faer's COLAMD): forward, inverse.
    col: (Vec<usize>, Vec<usize>),
    /// Pivoting row order of the latest factorization with pivoting:
    /// forward, inverse.
    row: (Vec<usize>, Vec<usize>),
    /// faer's factorization with partial pivoting, which chooses the rows.
    pivoting: SimplicialLu<usize, f64>,
    scratch: MemBuffer,
    /// The factors over those pivots, refactored while they stay good;
    /// `None` if the latest factorization failed.
    fixed: Option<Fixed>,
    /// A permuted right-hand side.
    work: RefCell<Vec<f64>>,
}

/// How [`Factors::factor`] went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Over the kept pivots and pattern.
    Refactored,
    /// With pivots chosen afresh.
    Pivoted,
    /// Structurally singular: no factors.
    Singular,
}

impl Factors {
    fn new(a: FaerSparseMat<f64>) -> Result<Self, String> {
        let n = a.nrows();
        let matrix = only_batch(&a)?;
        if matrix.symbolic().col_nnz().is_some() {
            return Err("sparse LU of an uncompressed matrix".into());
        }
        let symbolic = factorize_symbolic_lu(matrix.symbolic(), Default::default())
            .map_err(|e| format!("sparse LU ordering failed: {e:?}"))?;
        let (fwd, inv) = symbolic.col_perm().arrays();
        let scratch =
            MemBuffer::try_new(factorize_simplicial_numeric_lu_scratch::<usize, f64>(n, n))
                .map_err(|_| "out of memory for the sparse LU".to_string())?;
        Ok(Factors {
            col: (fwd.to_vec(), inv.to_vec()),
            row: (vec![0; n], vec![0; n]),
            pivoting: SimplicialLu::new(),
            scratch,
            fixed: None,
            work: RefCell::new(vec![0.0; n]),
            a,
        })
    }

    /// Factors the matrix's current values: over the kept pivots if they
    /// are still good, else with pivots chosen afresh by faer.
    fn factor(&mut self) -> Outcome {
        let Ok(matrix) = only_batch(&self.a) else {
            self.fixed = None;
            return Outcome::Singular;
        };
        if let Some(fixed) = self.fixed.as_mut() {
            if fixed.refactor(matrix.val(), true) {
                return Outcome::Refactored;
            }
        }
        self.fixed = None;
        // Both orders have the matrix's size (checked at construction).
        let col = PermRef::new_checked(&self.col.0, &self.col.1, self.col.0.len());
        let pivoted = factorize_simplicial_numeric_lu(
            &mut self.row.0,
            &mut self.row.1,
            &mut self.pivoting,
            matrix.as_ref(),
            col,
            MemStack::new(&mut self.scratch),
        );
        if pivoted.is_err() {
            return Outcome::Singular;
        }
        let pattern = Pattern {
            col_ptr: matrix.col_ptr(),
            row_idx: matrix.row_idx(),
        };
        let Some(mut fixed) = Fixed::new(pattern, &self.col.0, &self.row.1) else {
            return Outcome::Singular;
        };
        fixed.refactor(matrix.val(), false);
        self.fixed = Some(fixed);
        Outcome::Pivoted
    }

    /// Solves A·x = b (or Aᵀ·x = b) in place in `b`, once factored.
    ///
    /// The factors are of Pᵣ·A·P꜀ with (Pᵣ·b)ᵢ = b[row.0[i]] and
    /// (P꜀·z)ᵢ = z[col.1[i]].
    fn solve(&self, b: &mut [f64], transpose: bool) {
        let Some(fixed) = self.fixed.as_ref() else {
            return;
        };
        let mut work = self.work.borrow_mut();
        let w = &mut work[..];
        // Aᵀ = P꜀·Uᵀ·Lᵀ·Pᵣ: the orders swap roles.
        let (gather, scatter) = if transpose {
            (&self.col.0, &self.row.1)
        } else {
            (&self.row.0, &self.col.1)
        };
        for (wi, &r) in w.iter_mut().zip(gather) {
            *wi = b[r];
        }
        fixed.solve(w, transpose);
        for (bi, &c) in b.iter_mut().zip(scatter) {
            *bi = w[c];
        }
    }
}

/// The single matrix of a one-batch faer sparse matrix.
fn only_batch(a: &FaerSparseMat<f64>) -> Result<&faer::sparse::SparseColMat<usize, f64>, String> {
    match a.inner().as_slice() {
        [m] => Ok(m),
        all => Err(format!("sparse LU of {} batches: one expected", all.len())),
    }
}

impl SparseLu {
    fn solve_impl(&self, x: &mut FaerVec<f64>, transpose: bool) -> Result<(), LaError> {
        let factors = match &self.factors {
            None => {
                return Err(LaError::Other(
                    "sparse LU used before its matrix was set".into(),
                ))
            }
            Some(Err(e)) => return Err(LaError::Other(e.clone())),
            Some(Ok(f)) => f,
        };
        if factors.fixed.is_none() {
            return Err(LaError::Other(
                "sparse LU: the Newton matrix is singular".into(),
            ));
        }
        let n = factors.col.0.len();
        let data = x.inner_mut();
        if data.nrows() != n {
            return Err(LaError::Other(format!(
                "sparse LU of size {n} given a vector of {}",
                data.nrows()
            )));
        }
        for c in 0..data.ncols() {
            let column = data.col_mut(c).try_as_col_major_mut();
            let b = column.expect("a column of a faer matrix is contiguous");
            factors.solve(b.as_slice_mut(), transpose);
        }
        Ok(())
    }
}

impl LinearSolver<FaerSparseMat<f64>> for SparseLu {
    fn set_linearisation<C>(&mut self, op: &C)
    where
        C: LaLinearOp<T = f64, V = FaerVec<f64>, M = FaerSparseMat<f64>, C = FaerContext>,
    {
        if let Some(Ok(f)) = self.factors.as_mut() {
            op.matrix_inplace(&mut f.a);
            f.factor();
        }
    }

    fn set_sparsity<C>(&mut self, op: &C)
    where
        C: LaLinearOp<T = f64, V = FaerVec<f64>, M = FaerSparseMat<f64>, C = FaerContext>,
    {
        let a =
            FaerSparseMat::new_from_sparsity(op.nrows(), op.ncols(), op.sparsity(), *op.context());
        self.factors = Some(Factors::new(a));
    }

    fn solve_in_place(&self, x: &mut FaerVec<f64>) -> Result<(), LaError> {
        self.solve_impl(x, false)
    }

    fn solve_transpose_in_place(&self, x: &mut FaerVec<f64>) -> Result<(), LaError> {
        self.solve_impl(x, true)
    }
}

#[cfg(test)]
mod tests {
    use diffsol::{FaerContext, FaerSparseMat, FaerVec, Matrix, Vector};
    use diffsol_la::LinearSolver;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::{Factors, Outcome, SparseLu};

    /// A random sparse n × n matrix as (row, column, value), with a
    /// pattern that fills in and values that need row pivoting.
    fn random(n: usize, seed: u64) -> Vec<(usize, usize, f64)> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut entries = Vec::new();
        for i in 0..n {
            // A small diagonal: pivots come from elsewhere in the column.
            entries.push((i, i, rng.random_range(0.01..0.1)));
            for _ in 0..3 {
                let j = rng.random_range(0..n);
                if j != i && !entries.iter().any(|e| (e.0, e.1) == (i, j)) {
                    entries.push((i, j, rng.random_range(-2.0..2.0)));
                }
            }
        }
        entries
    }

    fn matrix(n: usize, entries: &[(usize, usize, f64)]) -> FaerSparseMat<f64> {
        let indices = entries.iter().map(|e| (e.0, e.1)).collect();
        let values = entries.iter().map(|e| e.2).collect();
        let ctx = FaerContext::default();
        FaerSparseMat::try_from_triplets(n, n, indices, values, ctx).unwrap()
    }

    fn factors(n: usize, entries: &[(usize, usize, f64)]) -> Factors {
        let mut f = Factors::new(matrix(n, entries)).unwrap();
        assert_eq!(f.factor(), Outcome::Pivoted);
        f
    }

    /// Factors new values on the same pattern, as after a Newton-matrix
    /// update, and returns how.
    fn refactor(f: &mut Factors, n: usize, entries: &[(usize, usize, f64)]) -> Outcome {
        f.a = matrix(n, entries);
        f.factor()
    }

    /// Solves against `entries` with random right-hand sides, both ways.
    fn assert_solves(f: &Factors, entries: &[(usize, usize, f64)], seed: u64, what: &str) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let b: Vec<f64> = (0..f.col.0.len())
            .map(|_| rng.random_range(-1.0..1.0))
            .collect();
        for transpose in [false, true] {
            let mut x = b.clone();
            f.solve(&mut x, transpose);
            let e = backward_error(entries, &x, &b, transpose);
            assert!(
                e < 1e-12,
                "{what}, transpose {transpose}: backward error {e}"
            );
        }
    }

    /// The componentwise backward error of `x` for A·x = b (or Aᵀ):
    /// maxᵢ |A·x − b|ᵢ / (|A|·|x| + |b|)ᵢ, of the order of the unit
    /// roundoff for a stable solve however ill-conditioned A is.
    fn backward_error(
        entries: &[(usize, usize, f64)],
        x: &[f64],
        b: &[f64],
        transpose: bool,
    ) -> f64 {
        let mut ax = vec![0.0; b.len()];
        let mut scale: Vec<f64> = b.iter().map(|v| v.abs()).collect();
        for &(i, j, v) in entries {
            let (i, j) = if transpose { (j, i) } else { (i, j) };
            ax[i] += v * x[j];
            scale[i] += (v * x[j]).abs();
        }
        (ax.iter().zip(b).zip(&scale)).fold(0.0_f64, |m, ((p, q), s)| m.max((p - q).abs() / s))
    }

    #[test]
    fn solves_random_sparse_systems_and_their_transposes() {
        let mut kept = 0;
        for seed in 0..20 {
            let n = 5 + 7 * seed as usize;
            let entries = random(n, seed);
            let mut f = factors(n, &entries);
            assert!(f.fixed.is_some(), "seed {seed}");
            assert_solves(&f, &entries, 100 + seed, &format!("seed {seed}"));
            // New values on the same pattern: over the kept pivots where
            // they stay good, with new ones where not; accurate either way.
            // Small changes keep the pivots of most systems.
            for (spread, retry) in [(0.1, 200), (1.0, 300)] {
                let changed = perturbed(&entries, spread, retry + seed);
                let outcome = refactor(&mut f, n, &changed);
                assert!(f.fixed.is_some(), "seed {seed}, {outcome:?}");
                assert_solves(
                    &f,
                    &changed,
                    retry + seed,
                    &format!("seed {seed}, {outcome:?}"),
                );
                kept += usize::from(outcome == Outcome::Refactored);
            }
        }
        assert!(kept >= 20, "{kept} of 40 refactored over kept pivots");
    }

    /// Every value times a random factor in [1 − spread, 1 + spread].
    fn perturbed(
        entries: &[(usize, usize, f64)],
        spread: f64,
        seed: u64,
    ) -> Vec<(usize, usize, f64)> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let factor = |rng: &mut ChaCha8Rng| rng.random_range(1.0 - spread..1.0 + spread);
        entries
            .iter()
            .map(|&(i, j, v)| (i, j, v * factor(&mut rng)))
            .collect()
    }

    #[test]
    fn refactors_over_kept_pivots_while_they_stay_good() {
        let n = 40;
        let entries = random(n, 7);
        let mut f = factors(n, &entries);
        // Values changed by 1 % at most: every kept pivot still good.
        let changed = perturbed(&entries, 0.01, 8);
        assert_eq!(refactor(&mut f, n, &changed), Outcome::Refactored);
        assert_solves(&f, &changed, 1, "changed");
        // [[1, 0.01], [0.01, 1]] pivots on the diagonal; swapped, each
        // kept pivot is 0.01 over a 1 below it, whichever column is first.
        let first = [(0, 0, 1.0), (0, 1, 0.01), (1, 0, 0.01), (1, 1, 1.0)];
        let swapped = [(0, 0, 0.01), (0, 1, 1.0), (1, 0, 1.0), (1, 1, 0.01)];
        let mut f = factors(2, &first);
        assert_eq!(refactor(&mut f, 2, &swapped), Outcome::Pivoted);
        assert_solves(&f, &swapped, 2, "swapped");
        assert_eq!(refactor(&mut f, 2, &first), Outcome::Pivoted);
        assert_eq!(refactor(&mut f, 2, &first), Outcome::Refactored);
        assert_solves(&f, &first, 3, "first again");
    }

    #[test]
    fn zero_and_nan_pivots_go_back_to_faer() {
        let first = [(0, 0, 1.0), (0, 1, 0.01), (1, 0, 0.01), (1, 1, 1.0)];
        let mut f = factors(2, &first);
        // A zero column: no pivot is good, faer's factors are taken as
        // they are (the solve gives non-finite values, not a panic).
        let zero = [(0, 0, 0.0), (0, 1, 0.01), (1, 0, 0.0), (1, 1, 1.0)];
        assert_eq!(refactor(&mut f, 2, &zero), Outcome::Pivoted);
        let nan = [(0, 0, 1.0), (0, 1, 0.01), (1, 0, f64::NAN), (1, 1, 1.0)];
        assert_eq!(refactor(&mut f, 2, &nan), Outcome::Pivoted);
        let mut x = [1.0, 1.0];
        f.solve(&mut x, false);
        assert!(x.iter().any(|v| !v.is_finite()), "{x:?}");
        // Good values again (over faer's pivots for the NaN matrix, or new
        // ones): factored and accurate.
        let outcome = refactor(&mut f, 2, &first);
        assert!(f.fixed.is_some(), "{outcome:?}");
        assert_solves(&f, &first, 4, "recovered");
    }

    #[test]
    fn a_structurally_singular_matrix_is_an_error_at_the_solve_not_a_panic() {
        // The second column is empty. (A matrix singular only in its
        // values factors, with a zero pivot: the solve gives infinities
        // and the step fails its error test, as with diffsol's own solver.)
        let entries = [(0, 0, 1.0), (1, 0, 1.0)];
        let mut f = Factors::new(matrix(2, &entries)).unwrap();
        assert_eq!(f.factor(), Outcome::Singular);
        assert!(f.fixed.is_none());
        let lu = SparseLu {
            factors: Some(Ok(f)),
        };
        let mut x = FaerVec::from_slice(&[1.0, 1.0], FaerContext::default());
        let e = lu.solve_in_place(&mut x).unwrap_err();
        assert!(e.to_string().contains("singular"), "{e}");
        let unset = SparseLu::default();
        assert!(unset.solve_in_place(&mut x).is_err());
    }
}
