//! Propensities along a stretch of a solver step as Chebyshev interpolants.
//!
//! Values at the Chebyshev points of a stretch give the polynomial through
//! them; its antiderivative is again a Chebyshev series, so the integral of
//! the total propensity from any time and the time at which it reaches a
//! threshold follow without integrating the propensities as ODE states
//! (Press et al., *Numerical Recipes*, 3rd ed., §5.8–5.9).

use std::f64::consts::PI;
use std::sync::LazyLock;

/// Interpolation points per stretch: the polynomial has degree 5, which is
/// exact for a propensity linear in the state over a BDF step (order ≤ 5).
pub(super) const NODES: usize = 6;

/// Where the interpolant is checked against the propensity: `T_6` is ±1
/// there, so the interpolation error is near its largest.
pub(super) const CHECK: f64 = 0.5;

/// Coefficients `c` of `p(x) = c₀/2 + Σ_{k≥1} c_k T_k(x)` on [−1, 1].
pub(super) type Coefs = [f64; NODES];

/// `T_0(x)`, …, `T_NODES(x)`.
pub(super) type Powers = [f64; NODES + 1];

/// The points and the fit, computed once.
pub(super) static BASIS: LazyLock<Basis> = LazyLock::new(Basis::new);

/// The Chebyshev points of the first kind and the map from values at them
/// to coefficients.
#[derive(Debug, Clone)]
pub(super) struct Basis {
    /// The points, descending from near 1 to near −1.
    pub x: [f64; NODES],
    /// `fit[k][i] = 2/NODES · T_k(x_i)`.
    fit: [[f64; NODES]; NODES],
}

impl Basis {
    pub fn new() -> Self {
        let mut x = [0.0; NODES];
        let mut fit = [[0.0; NODES]; NODES];
        for (i, xi) in x.iter_mut().enumerate() {
            let theta = PI * (i as f64 + 0.5) / NODES as f64;
            *xi = theta.cos();
            for (k, row) in fit.iter_mut().enumerate() {
                row[i] = (k as f64 * theta).cos() * 2.0 / NODES as f64;
            }
        }
        Basis { x, fit }
    }

    /// The interpolant through `values` at the points.
    #[inline]
    pub fn fit(&self, values: &[f64; NODES]) -> Coefs {
        self.fit
            .map(|row| row.iter().zip(values).map(|(w, v)| w * v).sum())
    }
}

/// The Chebyshev polynomials at `x`.
pub(super) fn powers(x: f64) -> Powers {
    let mut t = [0.0; NODES + 1];
    t[0] = 1.0;
    t[1] = x;
    for k in 2..=NODES {
        t[k] = 2.0 * x * t[k - 1] - t[k - 2];
    }
    t
}

/// `p(x)` from the polynomials at `x`.
pub(super) fn value(c: &Coefs, t: &Powers) -> f64 {
    0.5 * c[0] + c[1..].iter().zip(&t[1..]).map(|(c, t)| c * t).sum::<f64>()
}

/// An antiderivative `P(x) = Σ_{k≥1} C_k T_k(x)` of `p`.
pub(super) fn antiderivative(c: &Coefs) -> Powers {
    let mut a = [0.0; NODES + 1];
    for k in 1..=NODES {
        let next = c.get(k + 1).copied().unwrap_or(0.0);
        a[k] = (c[k - 1] - next) / (2.0 * k as f64);
    }
    a
}

/// `P(x)` from the polynomials at `x`.
pub(super) fn integral(a: &Powers, t: &Powers) -> f64 {
    a[1..].iter().zip(&t[1..]).map(|(a, t)| a * t).sum()
}

/// How closely [`solve`] locates `x`: a time within 1e-14 of a stretch's
/// half-width.
const X_TOL: f64 = 1e-14;

/// The `x` in `[lo, hi]` where `scale · (P(x) − base) = target`, given
/// `base = P(lo)` and `gained = scale · (P(hi) − base) ≥ target` (`p` is
/// the derivative of `P`): Newton's method kept inside a shrinking bracket,
/// from the linear guess.
#[inline]
pub(super) fn solve(
    c: &Coefs,
    a: &Powers,
    scale: f64,
    (lo, hi): (f64, f64),
    (base, gained): (f64, f64),
    target: f64,
) -> f64 {
    let (mut lo, mut hi) = (lo, hi);
    let mut x = if gained > 0.0 {
        lo + (hi - lo) * (target / gained).clamp(0.0, 1.0)
    } else {
        hi
    };
    for _ in 0..100 {
        let t = powers(x);
        let f = scale * (integral(a, &t) - base) - target;
        if f.abs() <= 1e-14 * target {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let slope = scale * value(c, &t);
        let newton = x - f / slope;
        let next = if newton > lo && newton < hi {
            newton
        } else {
            0.5 * (lo + hi)
        };
        if (next - x).abs() <= X_TOL || hi - lo <= X_TOL {
            return next.clamp(lo, hi);
        }
        x = next;
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polynomials_of_degree_five_are_exact_and_integrate_exactly() {
        let basis = Basis::new();
        let p = |x: f64| 2.0 - x + 3.0 * x.powi(2) + 0.5 * x.powi(5);
        let big_p = |x: f64| 2.0 * x - x * x / 2.0 + x.powi(3) + x.powi(6) / 12.0;
        let c = basis.fit(&basis.x.map(p));
        let a = antiderivative(&c);
        for x in [-1.0, -0.3, 0.0, 0.5, 0.9, 1.0] {
            let t = powers(x);
            assert!((value(&c, &t) - p(x)).abs() < 1e-13, "p({x})");
            let got = integral(&a, &t) - integral(&a, &powers(-1.0));
            let want = big_p(x) - big_p(-1.0);
            assert!((got - want).abs() < 1e-13, "P({x}): {got} vs {want}");
        }
    }

    #[test]
    fn solve_finds_where_the_integral_reaches_the_target() {
        let basis = Basis::new();
        // p(x) = e^x on [−1, 1]: degree 5 is accurate to about 1e-6.
        let c = basis.fit(&basis.x.map(f64::exp));
        let a = antiderivative(&c);
        // 3 · ∫_{−0.5}^{x} e^s ds = 1  →  x = ln(1/3 + e^{−0.5}).
        let span = |lo: f64, hi: f64| {
            let base = integral(&a, &powers(lo));
            (base, 3.0 * (integral(&a, &powers(hi)) - base))
        };
        let x = solve(&c, &a, 3.0, (-0.5, 1.0), span(-0.5, 1.0), 1.0);
        let want = (1.0 / 3.0 + (-0.5f64).exp()).ln();
        assert!((x - want).abs() < 1e-5, "{x} vs {want}");
        // Consistent with the interpolant's own integral to rounding.
        let reached = 3.0 * (integral(&a, &powers(x)) - integral(&a, &powers(-0.5)));
        assert!((reached - 1.0).abs() < 1e-12, "{reached}");
        // A propensity rising from zero at the start: ∫_{−1}^{x} (1 + s) ds
        // = (1 + x)²/2 = 1/2 at x = 0.
        let c = basis.fit(&basis.x.map(|x| 1.0 + x));
        let a = antiderivative(&c);
        let base = integral(&a, &powers(-1.0));
        let x = solve(&c, &a, 1.0, (-1.0, 1.0), (base, 2.0), 0.5);
        assert!(x.abs() < 1e-12, "{x}");
    }
}
