//! Infix math for models written in code: `"k * A * (1 - A / K)"` → [`Expr`].
//!
//! Grammar (precedence low to high): comparisons `< <= > >= == !=`;
//! `+ -`; `* /`; unary `-`; `^` (right-associative); atoms: numbers
//! (`1`, `2.5e-3`), identifiers (`[A-Za-z_][A-Za-z0-9_]*`), `time`,
//! parentheses, and calls `f(a, ...)` of `exp ln log10 abs floor ceil sqrt
//! min max pow` and `piecewise(value, condition, ..., otherwise)`.

use crate::expr::{Expr, Op};

/// Where and why infix math could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at character {position} of `{text}`: {message}")]
pub struct ParseError {
    /// The text given.
    pub text: String,
    /// 0-based character position.
    pub position: usize,
    /// What was expected.
    pub message: String,
}

impl std::str::FromStr for Expr {
    type Err = ParseError;

    /// Parses infix math (see the module documentation).
    ///
    /// ```
    /// use senmet_engine::{Expr, Op};
    /// let e: Expr = "k * A".parse()?;
    /// assert_eq!(e, Expr::apply(Op::Times, vec![Expr::sym("k"), Expr::sym("A")]));
    /// # Ok::<(), senmet_engine::expr::ParseError>(())
    /// ```
    fn from_str(text: &str) -> Result<Self, ParseError> {
        let mut p = Parser {
            text,
            chars: text.chars().collect(),
            pos: 0,
        };
        let e = p.comparison()?;
        p.skip_space();
        if p.pos < p.chars.len() {
            return Err(p.error("an operator or the end of the expression"));
        }
        Ok(e)
    }
}

struct Parser<'a> {
    text: &'a str,
    chars: Vec<char>,
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, expected: &str) -> ParseError {
        ParseError {
            text: self.text.to_string(),
            position: self.pos,
            message: format!("expected {expected}"),
        }
    }

    fn skip_space(&mut self) {
        while self.chars.get(self.pos).is_some_and(|c| c.is_whitespace()) {
            self.pos += 1;
        }
    }

    /// Consumes `token` if it comes next.
    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        let n = token.chars().count();
        if self.chars.len() >= self.pos + n
            && self.chars[self.pos..self.pos + n]
                .iter()
                .copied()
                .eq(token.chars())
        {
            self.pos += n;
            true
        } else {
            false
        }
    }

    fn comparison(&mut self) -> Result<Expr, ParseError> {
        let left = self.sum()?;
        for (token, op) in [
            ("<=", Op::Leq),
            (">=", Op::Geq),
            ("==", Op::Eq),
            ("!=", Op::Neq),
            ("<", Op::Lt),
            (">", Op::Gt),
        ] {
            if self.eat(token) {
                let right = self.sum()?;
                return Ok(Expr::apply(op, vec![left, right]));
            }
        }
        Ok(left)
    }

    fn sum(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.product()?;
        loop {
            if self.eat("+") {
                left = Expr::apply(Op::Plus, vec![left, self.product()?]);
            } else if self.eat("-") {
                left = Expr::apply(Op::Minus, vec![left, self.product()?]);
            } else {
                return Ok(left);
            }
        }
    }

    fn product(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        loop {
            if self.eat("*") {
                left = Expr::apply(Op::Times, vec![left, self.unary()?]);
            } else if self.eat("/") {
                left = Expr::apply(Op::Divide, vec![left, self.unary()?]);
            } else {
                return Ok(left);
            }
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.eat("-") {
            Ok(Expr::apply(Op::Minus, vec![self.unary()?]))
        } else {
            self.power()
        }
    }

    fn power(&mut self) -> Result<Expr, ParseError> {
        let base = self.atom()?;
        if self.eat("^") {
            let exponent = self.unary()?;
            return Ok(Expr::apply(Op::Power, vec![base, exponent]));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Expr, ParseError> {
        self.skip_space();
        if self.eat("(") {
            let e = self.comparison()?;
            if !self.eat(")") {
                return Err(self.error("`)`"));
            }
            return Ok(e);
        }
        let start = self.pos;
        let Some(&c) = self.chars.get(self.pos) else {
            return Err(self.error("a number, a name or `(`"));
        };
        if c.is_ascii_digit() || c == '.' {
            while self.pos < self.chars.len() {
                let d = self.chars[self.pos];
                let exponent_sign =
                    (d == '-' || d == '+') && matches!(self.chars[self.pos - 1], 'e' | 'E');
                if d.is_ascii_digit() || d == '.' || d == 'e' || d == 'E' || exponent_sign {
                    self.pos += 1;
                } else {
                    break;
                }
            }
            let s: String = self.chars[start..self.pos].iter().collect();
            return s.parse().map(Expr::Num).map_err(|_| {
                self.pos = start;
                self.error("a number")
            });
        }
        if c.is_ascii_alphabetic() || c == '_' {
            while self
                .chars
                .get(self.pos)
                .is_some_and(|d| d.is_ascii_alphanumeric() || *d == '_')
            {
                self.pos += 1;
            }
            let name: String = self.chars[start..self.pos].iter().collect();
            if self.eat("(") {
                return self.call(&name, start);
            }
            return Ok(if name == "time" {
                Expr::Time
            } else {
                Expr::Sym(name)
            });
        }
        Err(self.error("a number, a name or `(`"))
    }

    fn call(&mut self, name: &str, start: usize) -> Result<Expr, ParseError> {
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.comparison()?);
                if self.eat(")") {
                    break;
                }
                if !self.eat(",") {
                    return Err(self.error("`,` or `)`"));
                }
            }
        }
        let arity = |n: usize, p: &mut Self| {
            if args.len() == n {
                Ok(())
            } else {
                p.pos = start;
                Err(p.error(&format!("{n} argument(s) to `{name}`")))
            }
        };
        let op = match name {
            "exp" => Op::Exp,
            "ln" => Op::Ln,
            "abs" => Op::Abs,
            "floor" => Op::Floor,
            "ceil" => Op::Ceiling,
            "min" => Op::Min,
            "max" => Op::Max,
            "pow" => {
                arity(2, self)?;
                Op::Power
            }
            "sqrt" => {
                arity(1, self)?;
                let x = args.pop().unwrap_or(Expr::Num(0.0));
                return Ok(Expr::apply(Op::Power, vec![x, Expr::Num(0.5)]));
            }
            "log10" => {
                arity(1, self)?;
                return Ok(Expr::apply(Op::Log, args));
            }
            "piecewise" => {
                if args.len() < 3 || args.len() % 2 == 0 {
                    self.pos = start;
                    return Err(self.error("piecewise(value, condition, ..., otherwise)"));
                }
                let otherwise = args.pop().map(Box::new);
                let mut pieces = Vec::new();
                let mut it = args.into_iter();
                while let (Some(v), Some(c)) = (it.next(), it.next()) {
                    pieces.push((v, c));
                }
                return Ok(Expr::Piecewise { pieces, otherwise });
            }
            _ => {
                self.pos = start;
                return Err(self.error("a known function (exp, ln, log10, abs, floor, ceil, sqrt, min, max, pow, piecewise)"));
            }
        };
        if matches!(op, Op::Exp | Op::Ln | Op::Abs | Op::Floor | Op::Ceiling) {
            arity(1, self)?;
        }
        if args.is_empty() {
            self.pos = start;
            return Err(self.error(&format!("arguments to `{name}`")));
        }
        Ok(Expr::apply(op, args))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Expr {
        s.parse().unwrap()
    }

    #[test]
    fn precedence_and_associativity() {
        let n = Expr::Num;
        assert_eq!(
            p("1 + 2 * 3"),
            Expr::apply(
                Op::Plus,
                vec![n(1.0), Expr::apply(Op::Times, vec![n(2.0), n(3.0)])]
            )
        );
        assert_eq!(
            p("1 - 2 - 3"),
            Expr::apply(
                Op::Minus,
                vec![Expr::apply(Op::Minus, vec![n(1.0), n(2.0)]), n(3.0)]
            )
        );
        assert_eq!(
            p("2 ^ 3 ^ 2"),
            Expr::apply(
                Op::Power,
                vec![n(2.0), Expr::apply(Op::Power, vec![n(3.0), n(2.0)])]
            )
        );
        assert_eq!(
            p("-x^2"),
            Expr::apply(
                Op::Minus,
                vec![Expr::apply(Op::Power, vec![Expr::sym("x"), n(2.0)])]
            )
        );
        assert_eq!(
            p("time >= 1.5e-3"),
            Expr::apply(Op::Geq, vec![Expr::Time, n(1.5e-3)])
        );
        assert_eq!(
            p("2^-1"),
            Expr::apply(
                Op::Power,
                vec![n(2.0), Expr::apply(Op::Minus, vec![n(1.0)])]
            )
        );
    }

    #[test]
    fn calls_and_piecewise() {
        assert_eq!(
            p("max(0, min(1, a))"),
            Expr::apply(
                Op::Max,
                vec![
                    Expr::Num(0.0),
                    Expr::apply(Op::Min, vec![Expr::Num(1.0), Expr::sym("a")])
                ]
            )
        );
        let e = p("piecewise(1, x > 0, 2)");
        assert!(matches!(e, Expr::Piecewise { ref pieces, .. } if pieces.len() == 1));
    }

    #[test]
    fn errors_say_where() {
        let e = "k * (A + ".parse::<Expr>().unwrap_err();
        assert_eq!(e.position, 9);
        let e = "k A".parse::<Expr>().unwrap_err();
        assert_eq!(e.position, 2);
        assert!("foo(1)"
            .parse::<Expr>()
            .unwrap_err()
            .message
            .contains("known function"));
        assert!("exp(1, 2)".parse::<Expr>().is_err());
    }
}
