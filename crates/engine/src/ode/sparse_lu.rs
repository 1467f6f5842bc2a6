//! Sparse LU for the BDF's Newton systems: faer's fill-reducing column
//! order and its simplicial factorization with partial pivoting, solved by
//! plain loops over the factors.
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
    /// Pivoting row order of the latest factorization: forward, inverse.
    row: (Vec<usize>, Vec<usize>),
    lu: SimplicialLu<usize, f64>,
    scratch: MemBuffer,
    /// Whether the latest factorization succeeded.
    factored: bool,
    /// A permuted right-hand side.
    work: RefCell<Vec<f64>>,
}

impl Factors {
    fn new(a: FaerSparseMat<f64>) -> Result<Self, String> {
        let n = a.nrows();
        let matrix = only_batch(&a)?;
        let symbolic = factorize_symbolic_lu(matrix.symbolic(), Default::default())
            .map_err(|e| format!("sparse LU ordering failed: {e:?}"))?;
        let (fwd, inv) = symbolic.col_perm().arrays();
        let scratch =
            MemBuffer::try_new(factorize_simplicial_numeric_lu_scratch::<usize, f64>(n, n))
                .map_err(|_| "out of memory for the sparse LU".to_string())?;
        Ok(Factors {
            col: (fwd.to_vec(), inv.to_vec()),
            row: (vec![0; n], vec![0; n]),
            lu: SimplicialLu::new(),
            scratch,
            factored: false,
            work: RefCell::new(vec![0.0; n]),
            a,
        })
    }

    fn factor(&mut self) {
        let Ok(matrix) = only_batch(&self.a) else {
            self.factored = false;
            return;
        };
        // Both orders have the matrix's size (checked at construction).
        let col = PermRef::new_checked(&self.col.0, &self.col.1, self.col.0.len());
        self.factored = factorize_simplicial_numeric_lu(
            &mut self.row.0,
            &mut self.row.1,
            &mut self.lu,
            matrix.as_ref(),
            col,
            MemStack::new(&mut self.scratch),
        )
        .is_ok();
    }

    /// Solves A·x = b (or Aᵀ·x = b) in place in `b`.
    ///
    /// faer factors A as Pᵣ⁻¹·L·U·P꜀⁻¹, with (Pᵣ·b)ᵢ = b[row.0[i]] and
    /// (P꜀·z)ᵢ = z[col.1[i]]; L is unit lower triangular with its diagonal
    /// stored first in each column, U upper triangular with its diagonal
    /// stored last.
    fn solve(&self, b: &mut [f64], transpose: bool) {
        let mut work = self.work.borrow_mut();
        let w = &mut work[..];
        let l = self.lu.l_factor_unsorted();
        let u = self.lu.u_factor_unsorted();
        let (l_ptr, l_idx, l_val) = (l.col_ptr(), l.row_idx(), l.val());
        let (u_ptr, u_idx, u_val) = (u.col_ptr(), u.row_idx(), u.val());
        let n = w.len();
        if !transpose {
            for (wi, &r) in w.iter_mut().zip(&self.row.0) {
                *wi = b[r];
            }
            for j in 0..n {
                let x = w[j];
                for p in l_ptr[j] + 1..l_ptr[j + 1] {
                    w[l_idx[p]] -= l_val[p] * x;
                }
            }
            for j in (0..n).rev() {
                let diag = u_ptr[j + 1] - 1;
                let x = w[j] / u_val[diag];
                w[j] = x;
                for p in u_ptr[j]..diag {
                    w[u_idx[p]] -= u_val[p] * x;
                }
            }
            for (bi, &c) in b.iter_mut().zip(&self.col.1) {
                *bi = w[c];
            }
        } else {
            // Aᵀ = P꜀·Uᵀ·Lᵀ·Pᵣ: gather by the column order, Uᵀ forward,
            // Lᵀ backward, scatter by the row order.
            for (wi, &c) in w.iter_mut().zip(&self.col.0) {
                *wi = b[c];
            }
            for j in 0..n {
                let diag = u_ptr[j + 1] - 1;
                let mut x = w[j];
                for p in u_ptr[j]..diag {
                    x -= u_val[p] * w[u_idx[p]];
                }
                w[j] = x / u_val[diag];
            }
            for j in (0..n).rev() {
                let mut x = w[j];
                for p in l_ptr[j] + 1..l_ptr[j + 1] {
                    x -= l_val[p] * w[l_idx[p]];
                }
                w[j] = x;
            }
            for (bi, &r) in b.iter_mut().zip(&self.row.1) {
                *bi = w[r];
            }
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
        if !factors.factored {
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

    use super::{Factors, SparseLu};

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

    fn factors(n: usize, entries: &[(usize, usize, f64)]) -> Factors {
        let indices = entries.iter().map(|e| (e.0, e.1)).collect();
        let values = entries.iter().map(|e| e.2).collect();
        let ctx = FaerContext::default();
        let a = FaerSparseMat::try_from_triplets(n, n, indices, values, ctx).unwrap();
        let mut f = Factors::new(a).unwrap();
        f.factor();
        f
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
        for seed in 0..20 {
            let n = 5 + 7 * seed as usize;
            let entries = random(n, seed);
            let f = factors(n, &entries);
            assert!(f.factored, "seed {seed}");
            let mut rng = ChaCha8Rng::seed_from_u64(100 + seed);
            let b: Vec<f64> = (0..n).map(|_| rng.random_range(-1.0..1.0)).collect();
            for transpose in [false, true] {
                let mut x = b.clone();
                f.solve(&mut x, transpose);
                let e = backward_error(&entries, &x, &b, transpose);
                assert!(
                    e < 1e-12,
                    "seed {seed}, transpose {transpose}: backward error {e}"
                );
            }
        }
    }

    #[test]
    fn a_structurally_singular_matrix_is_an_error_at_the_solve_not_a_panic() {
        // The second column is empty. (A matrix singular only in its
        // values factors, with a zero pivot: the solve gives infinities
        // and the step fails its error test, as with diffsol's own solver.)
        let entries = [(0, 0, 1.0), (1, 0, 1.0)];
        let f = factors(2, &entries);
        assert!(!f.factored);
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
