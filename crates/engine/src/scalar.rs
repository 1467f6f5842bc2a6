//! Numbers the expression machine computes with: plain `f64`, and dual numbers
//! for forward-mode derivatives (Jacobian-vector products for the stiff solver).

use std::ops::{Add, Div, Mul, Neg, Sub};

/// Unary functions of the expression machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fn1 {
    Abs,
    Exp,
    Ln,
    Floor,
    Ceiling,
    Factorial,
    Sin,
    Cos,
    Tan,
    Sinh,
    Cosh,
    Tanh,
    Arcsin,
    Arccos,
    Arctan,
    Arcsinh,
    Arccosh,
    Arctanh,
}

/// A number the machine can compute with.
pub(crate) trait Scalar:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// A constant.
    fn constant(x: f64) -> Self;
    /// The value (without derivative).
    fn value(self) -> f64;
    /// `self ^ e`.
    fn pow(self, e: Self) -> Self;
    /// A unary function.
    fn apply(self, f: Fn1) -> Self;
}

impl Scalar for f64 {
    #[inline]
    fn constant(x: f64) -> Self {
        x
    }
    #[inline]
    fn value(self) -> f64 {
        self
    }
    #[inline]
    fn pow(self, e: Self) -> Self {
        pow_f64(self, e)
    }
    #[inline]
    fn apply(self, f: Fn1) -> Self {
        apply_f64(self, f)
    }
}

/// `a ^ b`, with integer exponents computed exactly as repeated products would.
#[inline]
fn pow_f64(a: f64, b: f64) -> f64 {
    if b == 2.0 {
        a * a
    } else if b == 1.0 {
        a
    } else {
        a.powf(b)
    }
}

fn factorial(x: f64) -> f64 {
    if x < 0.0 || x.fract() != 0.0 {
        return f64::NAN;
    }
    if x > 170.0 {
        return f64::INFINITY;
    }
    (1..=x as u32).fold(1.0, |acc, k| acc * f64::from(k))
}

fn apply_f64(x: f64, f: Fn1) -> f64 {
    match f {
        Fn1::Abs => x.abs(),
        Fn1::Exp => x.exp(),
        Fn1::Ln => x.ln(),
        Fn1::Floor => x.floor(),
        Fn1::Ceiling => x.ceil(),
        Fn1::Factorial => factorial(x),
        Fn1::Sin => x.sin(),
        Fn1::Cos => x.cos(),
        Fn1::Tan => x.tan(),
        Fn1::Sinh => x.sinh(),
        Fn1::Cosh => x.cosh(),
        Fn1::Tanh => x.tanh(),
        Fn1::Arcsin => x.asin(),
        Fn1::Arccos => x.acos(),
        Fn1::Arctan => x.atan(),
        Fn1::Arcsinh => x.asinh(),
        Fn1::Arccosh => x.acosh(),
        Fn1::Arctanh => x.atanh(),
    }
}

/// The derivative of `f` at `x`.
fn derivative(x: f64, f: Fn1) -> f64 {
    match f {
        Fn1::Abs => x.signum(),
        Fn1::Exp => x.exp(),
        Fn1::Ln => 1.0 / x,
        Fn1::Floor | Fn1::Ceiling | Fn1::Factorial => 0.0,
        Fn1::Sin => x.cos(),
        Fn1::Cos => -x.sin(),
        Fn1::Tan => 1.0 / (x.cos() * x.cos()),
        Fn1::Sinh => x.cosh(),
        Fn1::Cosh => x.sinh(),
        Fn1::Tanh => 1.0 - x.tanh() * x.tanh(),
        Fn1::Arcsin => 1.0 / (1.0 - x * x).sqrt(),
        Fn1::Arccos => -1.0 / (1.0 - x * x).sqrt(),
        Fn1::Arctan => 1.0 / (1.0 + x * x),
        Fn1::Arcsinh => 1.0 / (x * x + 1.0).sqrt(),
        Fn1::Arccosh => 1.0 / (x * x - 1.0).sqrt(),
        Fn1::Arctanh => 1.0 / (1.0 - x * x),
    }
}

/// A dual number `v + d·ε` with `ε² = 0`: carries one directional derivative.
///
/// `#[repr(C)]`: machine code compiled for dual numbers (`vm::native`)
/// reads and writes the value, then the derivative, as two `f64`s.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[repr(C)]
pub(crate) struct Dual {
    pub v: f64,
    pub d: f64,
}

impl Dual {
    pub(crate) fn new(v: f64, d: f64) -> Self {
        Self { v, d }
    }
}

impl Add for Dual {
    type Output = Self;
    #[inline]
    fn add(self, o: Self) -> Self {
        Dual::new(self.v + o.v, self.d + o.d)
    }
}

impl Sub for Dual {
    type Output = Self;
    #[inline]
    fn sub(self, o: Self) -> Self {
        Dual::new(self.v - o.v, self.d - o.d)
    }
}

impl Mul for Dual {
    type Output = Self;
    #[inline]
    fn mul(self, o: Self) -> Self {
        Dual::new(self.v * o.v, self.d * o.v + self.v * o.d)
    }
}

impl Div for Dual {
    type Output = Self;
    #[inline]
    fn div(self, o: Self) -> Self {
        let v = self.v / o.v;
        Dual::new(v, (self.d - v * o.d) / o.v)
    }
}

impl Neg for Dual {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Dual::new(-self.v, -self.d)
    }
}

impl Scalar for Dual {
    fn constant(x: f64) -> Self {
        Dual::new(x, 0.0)
    }
    fn value(self) -> f64 {
        self.v
    }
    fn pow(self, e: Self) -> Self {
        let v = pow_f64(self.v, e.v);
        let mut d = 0.0;
        if self.d != 0.0 {
            // At e = 0 the term is 0·d, not 0: a NaN direction (Jacobian
            // pattern probing) still marks the entry, which an exponent
            // moving away from 0 later needs.
            d += if e.v == 0.0 {
                0.0 * self.d
            } else {
                e.v * pow_f64(self.v, e.v - 1.0) * self.d
            };
        }
        if e.d != 0.0 {
            d += v * self.v.ln() * e.d;
        }
        Dual::new(v, d)
    }
    fn apply(self, f: Fn1) -> Self {
        let v = apply_f64(self.v, f);
        let d = if self.d == 0.0 {
            0.0
        } else {
            derivative(self.v, f) * self.d
        };
        Dual::new(v, d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Fn1; 18] = [
        Fn1::Abs,
        Fn1::Exp,
        Fn1::Ln,
        Fn1::Floor,
        Fn1::Ceiling,
        Fn1::Factorial,
        Fn1::Sin,
        Fn1::Cos,
        Fn1::Tan,
        Fn1::Sinh,
        Fn1::Cosh,
        Fn1::Tanh,
        Fn1::Arcsin,
        Fn1::Arccos,
        Fn1::Arctan,
        Fn1::Arcsinh,
        Fn1::Arccosh,
        Fn1::Arctanh,
    ];

    #[test]
    fn powers_with_a_zero_exponent_keep_a_probed_entry() {
        // x^e at e = 0: derivative 0 in x, but a NaN probe must show through.
        let zero = Dual::new(0.0, 0.0);
        assert_eq!(Dual::new(3.0, 1.0).pow(zero), Dual::new(1.0, 0.0));
        assert!(Dual::new(3.0, f64::NAN).pow(zero).d.is_nan());
    }

    #[test]
    fn dual_derivatives_match_finite_differences() {
        for f in ALL.into_iter().filter(|f| *f != Fn1::Factorial) {
            // A point inside every function's domain and away from kinks.
            let x = if f == Fn1::Arccosh { 1.7 } else { 0.37 };
            let h = 1e-6;
            let fd = (apply_f64(x + h, f) - apply_f64(x - h, f)) / (2.0 * h);
            let ad = Dual::new(x, 1.0).apply(f).d;
            assert!(
                (fd - ad).abs() < 1e-6 * (1.0 + fd.abs()),
                "{f:?}: {fd} vs {ad}"
            );
        }
    }

    #[test]
    fn dual_power_rule() {
        let x = Dual::new(1.5, 1.0);
        let e = Dual::new(2.5, 0.0);
        let p = x.pow(e);
        assert!((p.d - 2.5 * 1.5f64.powf(1.5)).abs() < 1e-12);
        let y = Dual::new(2.0, 0.0).pow(Dual::new(3.0, 1.0));
        assert!((y.d - 8.0 * 2.0f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn factorial_of_integers_only() {
        assert_eq!(factorial(5.0), 120.0);
        assert_eq!(factorial(0.0), 1.0);
        assert!(factorial(2.5).is_nan());
    }
}
