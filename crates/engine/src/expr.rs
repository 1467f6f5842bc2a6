//! Mathematical expressions of a network: rate laws, rules, triggers.
//!
//! An [`Expr`] is a tree, as SBML's MathML is. Trees are what importers build
//! and exporters write; simulators never walk them per call but compile them
//! to a flat program first (see [`crate::System`]).
//!
//! Function definitions are not part of the tree: importers inline them, so an
//! `Expr` only refers to symbols of its [`crate::Network`]. Models written in
//! code can give their math as infix text (`"k * A".parse::<Expr>()`).

mod infix;

pub use infix::ParseError;

/// A mathematical expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number.
    Num(f64),
    /// The value of a symbol: a compartment size, a species (concentration or
    /// amount, as the species declares), a parameter, a species reference's
    /// stoichiometry or a reaction's rate.
    Sym(String),
    /// Simulation time (SBML csymbol `time`).
    Time,
    /// Avogadro's constant (SBML csymbol `avogadro`), 6.02214179e23 as SBML L3 fixes it.
    Avogadro,
    /// The rate of change of a symbol (SBML L3V2 csymbol `rateOf`).
    RateOf(String),
    /// An operator applied to arguments.
    Apply(Op, Vec<Expr>),
    /// `pieces` tried in order, each `(value, condition)`; `otherwise` if none holds.
    Piecewise {
        /// `(value, condition)` pairs.
        pieces: Vec<(Expr, Expr)>,
        /// The value when no condition holds; `None` means undefined (NaN).
        otherwise: Option<Box<Expr>>,
    },
}

/// Operators and functions of SBML Level 3 Version 2 MathML (§3.4 of the spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Op {
    // Arithmetic (n-ary where MathML allows it).
    Plus,
    Minus,
    Times,
    Divide,
    Power,
    /// `root(degree, x)`: arguments are `[degree, x]`.
    Root,
    Abs,
    Exp,
    Ln,
    /// `log(base, x)`: arguments are `[base, x]`.
    Log,
    Floor,
    Ceiling,
    Factorial,
    Sin,
    Cos,
    Tan,
    Sec,
    Csc,
    Cot,
    Sinh,
    Cosh,
    Tanh,
    Sech,
    Csch,
    Coth,
    Arcsin,
    Arccos,
    Arctan,
    Arcsec,
    Arccsc,
    Arccot,
    Arcsinh,
    Arccosh,
    Arctanh,
    Arcsech,
    Arccsch,
    Arccoth,
    // Relational (n-ary, chained pairwise).
    Eq,
    Neq,
    Gt,
    Lt,
    Geq,
    Leq,
    // Logical.
    And,
    Or,
    Xor,
    Not,
    Implies,
    // L3V2 additions.
    Min,
    Max,
    Rem,
    Quotient,
}

impl Op {
    /// The MathML element name of the operator.
    pub fn mathml_name(self) -> &'static str {
        use Op::*;
        match self {
            Plus => "plus",
            Minus => "minus",
            Times => "times",
            Divide => "divide",
            Power => "power",
            Root => "root",
            Abs => "abs",
            Exp => "exp",
            Ln => "ln",
            Log => "log",
            Floor => "floor",
            Ceiling => "ceiling",
            Factorial => "factorial",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Sec => "sec",
            Csc => "csc",
            Cot => "cot",
            Sinh => "sinh",
            Cosh => "cosh",
            Tanh => "tanh",
            Sech => "sech",
            Csch => "csch",
            Coth => "coth",
            Arcsin => "arcsin",
            Arccos => "arccos",
            Arctan => "arctan",
            Arcsec => "arcsec",
            Arccsc => "arccsc",
            Arccot => "arccot",
            Arcsinh => "arcsinh",
            Arccosh => "arccosh",
            Arctanh => "arctanh",
            Arcsech => "arcsech",
            Arccsch => "arccsch",
            Arccoth => "arccoth",
            Eq => "eq",
            Neq => "neq",
            Gt => "gt",
            Lt => "lt",
            Geq => "geq",
            Leq => "leq",
            And => "and",
            Or => "or",
            Xor => "xor",
            Not => "not",
            Implies => "implies",
            Min => "min",
            Max => "max",
            Rem => "rem",
            Quotient => "quotient",
        }
    }

    /// The operator with a MathML element name, if there is one.
    pub fn from_mathml_name(name: &str) -> Option<Op> {
        ALL_OPS.iter().copied().find(|op| op.mathml_name() == name)
    }

    /// Whether the operator yields a truth value (1 or 0).
    pub fn is_boolean(self) -> bool {
        use Op::*;
        matches!(
            self,
            Eq | Neq | Gt | Lt | Geq | Leq | And | Or | Xor | Not | Implies
        )
    }
}

const ALL_OPS: [Op; 52] = {
    use Op::*;
    [
        Plus, Minus, Times, Divide, Power, Root, Abs, Exp, Ln, Log, Floor, Ceiling, Factorial, Sin,
        Cos, Tan, Sec, Csc, Cot, Sinh, Cosh, Tanh, Sech, Csch, Coth, Arcsin, Arccos, Arctan,
        Arcsec, Arccsc, Arccot, Arcsinh, Arccosh, Arctanh, Arcsech, Arccsch, Arccoth, Eq, Neq, Gt,
        Lt, Geq, Leq, And, Or, Xor, Not, Implies, Min, Max, Rem, Quotient,
    ]
};

impl Expr {
    /// A symbol reference.
    pub fn sym(id: impl Into<String>) -> Self {
        Expr::Sym(id.into())
    }

    /// `op(args...)`.
    pub fn apply(op: Op, args: Vec<Expr>) -> Self {
        Expr::Apply(op, args)
    }

    /// Calls `f` on every symbol this expression reads (including `rateOf` targets).
    pub fn visit_symbols(&self, f: &mut impl FnMut(&str)) {
        match self {
            Expr::Num(_) | Expr::Time | Expr::Avogadro => {}
            Expr::Sym(s) | Expr::RateOf(s) => f(s),
            Expr::Apply(_, args) => args.iter().for_each(|a| a.visit_symbols(f)),
            Expr::Piecewise { pieces, otherwise } => {
                for (v, c) in pieces {
                    v.visit_symbols(f);
                    c.visit_symbols(f);
                }
                if let Some(o) = otherwise {
                    o.visit_symbols(f);
                }
            }
        }
    }

    /// Whether the expression reads simulation time.
    pub fn uses_time(&self) -> bool {
        match self {
            Expr::Time => true,
            Expr::Num(_) | Expr::Avogadro | Expr::Sym(_) | Expr::RateOf(_) => false,
            Expr::Apply(_, args) => args.iter().any(Expr::uses_time),
            Expr::Piecewise { pieces, otherwise } => {
                pieces.iter().any(|(v, c)| v.uses_time() || c.uses_time())
                    || otherwise.as_ref().is_some_and(|o| o.uses_time())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mathml_names_round_trip() {
        for op in ALL_OPS {
            assert_eq!(Op::from_mathml_name(op.mathml_name()), Some(op));
        }
        assert_eq!(Op::from_mathml_name("lambda"), None);
    }

    #[test]
    fn symbols_are_visited() {
        let e = Expr::apply(
            Op::Times,
            vec![
                Expr::sym("k"),
                Expr::Piecewise {
                    pieces: vec![(
                        Expr::sym("a"),
                        Expr::apply(Op::Gt, vec![Expr::Time, Expr::Num(1.0)]),
                    )],
                    otherwise: Some(Box::new(Expr::RateOf("b".into()))),
                },
            ],
        );
        let mut seen = Vec::new();
        e.visit_symbols(&mut |s| seen.push(s.to_string()));
        assert_eq!(seen, ["k", "a", "b"]);
        assert!(e.uses_time());
    }
}
