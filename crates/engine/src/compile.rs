//! Compiling [`Expr`] trees to flat [`Program`]s over a slot array.

use crate::error::{EngineError, Result};
use crate::expr::{Expr, Op};
use crate::scalar::Fn1;
use crate::vm::{Bin, Cmp, Instr, Program};

/// Avogadro's constant as SBML Level 3 fixes it.
pub const AVOGADRO: f64 = 6.02214179e23;

/// Resolves symbols to slots while compiling.
pub(crate) trait Resolve {
    /// The slot holding the symbol's value.
    fn slot(&self, id: &str) -> Option<u32>;
    /// Code pushing the symbol's rate of change.
    fn rate_of(&self, id: &str, code: &mut Vec<Instr>) -> Result<()>;
    /// The slot holding simulation time.
    fn time_slot(&self) -> u32;
}

/// Compiles an expression that leaves its value on the stack.
pub(crate) fn compile(e: &Expr, r: &impl Resolve, context: &str) -> Result<Program> {
    let mut code = Vec::new();
    emit(e, r, context, &mut code)?;
    Ok(Program::new(code))
}

/// Appends code that computes `e` and stores it in `slot`.
pub(crate) fn emit_store(
    e: &Expr,
    slot: u32,
    r: &impl Resolve,
    context: &str,
    code: &mut Vec<Instr>,
) -> Result<()> {
    emit(e, r, context, code)?;
    code.push(Instr::Store(slot));
    Ok(())
}

/// Appends code that pushes the value of `e`.
pub(crate) fn emit(e: &Expr, r: &impl Resolve, ctx: &str, code: &mut Vec<Instr>) -> Result<()> {
    match e {
        Expr::Num(x) => code.push(Instr::Const(*x)),
        Expr::Time => code.push(Instr::Load(r.time_slot())),
        Expr::Avogadro => code.push(Instr::Const(AVOGADRO)),
        Expr::Sym(id) => {
            let slot = r.slot(id).ok_or_else(|| EngineError::UnknownSymbol {
                symbol: id.clone(),
                context: ctx.to_string(),
            })?;
            code.push(Instr::Load(slot));
        }
        Expr::RateOf(id) => r.rate_of(id, code)?,
        Expr::Apply(op, args) => emit_apply(*op, args, r, ctx, code)?,
        Expr::Piecewise { pieces, otherwise } => {
            let mut to_end = Vec::new();
            for (value, cond) in pieces {
                emit(cond, r, ctx, code)?;
                let skip = code.len();
                code.push(Instr::JumpIfFalse(0));
                emit(value, r, ctx, code)?;
                to_end.push(code.len());
                code.push(Instr::Jump(0));
                code[skip] = Instr::JumpIfFalse((code.len() - skip) as u32);
            }
            match otherwise {
                Some(o) => emit(o, r, ctx, code)?,
                None => code.push(Instr::Const(f64::NAN)),
            }
            let end = code.len();
            for i in to_end {
                code[i] = Instr::Jump((end - i) as u32);
            }
        }
    }
    Ok(())
}

fn fold(
    args: &[Expr],
    unit: f64,
    instr: Instr,
    r: &impl Resolve,
    ctx: &str,
    code: &mut Vec<Instr>,
) -> Result<()> {
    let Some((first, rest)) = args.split_first() else {
        code.push(Instr::Const(unit));
        return Ok(());
    };
    emit(first, r, ctx, code)?;
    for a in rest {
        emit(a, r, ctx, code)?;
        code.push(instr);
    }
    Ok(())
}

/// A logical fold starting from its unit, so that even one argument becomes 0 or 1.
fn logical(
    args: &[Expr],
    unit: f64,
    b: Bin,
    r: &impl Resolve,
    ctx: &str,
    code: &mut Vec<Instr>,
) -> Result<()> {
    code.push(Instr::Const(unit));
    for a in args {
        emit(a, r, ctx, code)?;
        code.push(Instr::Bin(b));
    }
    Ok(())
}

fn arity(op: Op, args: &[Expr], n: usize, ctx: &str) -> Result<()> {
    if args.len() == n {
        Ok(())
    } else {
        Err(EngineError::Unsupported {
            what: format!(
                "'{}' with {} arguments (expected {n}) in {ctx}",
                op.mathml_name(),
                args.len()
            ),
        })
    }
}

fn unary(f: Fn1) -> Vec<Instr> {
    vec![Instr::Call(f)]
}

/// Code applied to the single argument on the stack for functions of one argument.
fn unary_code(op: Op) -> Option<Vec<Instr>> {
    use Instr::*;
    Some(match op {
        Op::Abs => unary(Fn1::Abs),
        Op::Exp => unary(Fn1::Exp),
        Op::Ln => unary(Fn1::Ln),
        Op::Floor => unary(Fn1::Floor),
        Op::Ceiling => unary(Fn1::Ceiling),
        Op::Factorial => unary(Fn1::Factorial),
        Op::Sin => unary(Fn1::Sin),
        Op::Cos => unary(Fn1::Cos),
        Op::Tan => unary(Fn1::Tan),
        Op::Sinh => unary(Fn1::Sinh),
        Op::Cosh => unary(Fn1::Cosh),
        Op::Tanh => unary(Fn1::Tanh),
        Op::Arcsin => unary(Fn1::Arcsin),
        Op::Arccos => unary(Fn1::Arccos),
        Op::Arctan => unary(Fn1::Arctan),
        Op::Arcsinh => unary(Fn1::Arcsinh),
        Op::Arccosh => unary(Fn1::Arccosh),
        Op::Arctanh => unary(Fn1::Arctanh),
        // Reciprocal functions: f(x) = g(x)^-1.
        Op::Sec | Op::Csc | Op::Cot | Op::Sech | Op::Csch | Op::Coth => {
            let g = match op {
                Op::Sec => Fn1::Cos,
                Op::Csc => Fn1::Sin,
                Op::Cot => Fn1::Tan,
                Op::Sech => Fn1::Cosh,
                Op::Csch => Fn1::Sinh,
                _ => Fn1::Tanh,
            };
            vec![Call(g), Const(-1.0), Pow]
        }
        // Inverse reciprocal functions: f(x) = g(1/x).
        Op::Arcsec | Op::Arccsc | Op::Arccot | Op::Arcsech | Op::Arccsch | Op::Arccoth => {
            let g = match op {
                Op::Arcsec => Fn1::Arccos,
                Op::Arccsc => Fn1::Arcsin,
                Op::Arccot => Fn1::Arctan,
                Op::Arcsech => Fn1::Arccosh,
                Op::Arccsch => Fn1::Arcsinh,
                _ => Fn1::Arctanh,
            };
            vec![Const(-1.0), Pow, Call(g)]
        }
        _ => return None,
    })
}

fn emit_apply(
    op: Op,
    args: &[Expr],
    r: &impl Resolve,
    ctx: &str,
    code: &mut Vec<Instr>,
) -> Result<()> {
    if let Some(tail) = unary_code(op) {
        arity(op, args, 1, ctx)?;
        emit(&args[0], r, ctx, code)?;
        code.extend(tail);
        return Ok(());
    }
    match op {
        Op::Plus => fold(args, 0.0, Instr::Add, r, ctx, code),
        Op::Times => fold(args, 1.0, Instr::Mul, r, ctx, code),
        Op::Minus if args.len() == 1 => {
            emit(&args[0], r, ctx, code)?;
            code.push(Instr::Neg);
            Ok(())
        }
        Op::Minus => binary(op, args, Instr::Sub, r, ctx, code),
        Op::Divide => binary(op, args, Instr::Div, r, ctx, code),
        Op::Power => binary(op, args, Instr::Pow, r, ctx, code),
        Op::Root => {
            // root(degree, x) = x^(1/degree)
            arity(op, args, 2, ctx)?;
            emit(&args[1], r, ctx, code)?;
            code.push(Instr::Const(1.0));
            emit(&args[0], r, ctx, code)?;
            code.extend([Instr::Div, Instr::Pow]);
            Ok(())
        }
        Op::Log => {
            // log(base, x) = ln x / ln base
            arity(op, args, 2, ctx)?;
            emit(&args[1], r, ctx, code)?;
            code.push(Instr::Call(Fn1::Ln));
            emit(&args[0], r, ctx, code)?;
            code.extend([Instr::Call(Fn1::Ln), Instr::Div]);
            Ok(())
        }
        Op::Eq => chain(args, Cmp::Eq, r, ctx, code),
        Op::Neq => chain(args, Cmp::Neq, r, ctx, code),
        Op::Gt => chain(args, Cmp::Gt, r, ctx, code),
        Op::Lt => chain(args, Cmp::Lt, r, ctx, code),
        Op::Geq => chain(args, Cmp::Geq, r, ctx, code),
        Op::Leq => chain(args, Cmp::Leq, r, ctx, code),
        Op::And => logical(args, 1.0, Bin::And, r, ctx, code),
        Op::Or => logical(args, 0.0, Bin::Or, r, ctx, code),
        Op::Xor => logical(args, 0.0, Bin::Xor, r, ctx, code),
        Op::Not => {
            arity(op, args, 1, ctx)?;
            emit(&args[0], r, ctx, code)?;
            code.push(Instr::Not);
            Ok(())
        }
        Op::Implies => {
            arity(op, args, 2, ctx)?;
            emit(&args[0], r, ctx, code)?;
            code.push(Instr::Not);
            emit(&args[1], r, ctx, code)?;
            code.push(Instr::Bin(Bin::Or));
            Ok(())
        }
        Op::Min => fold_nonempty(op, args, Bin::Min, r, ctx, code),
        Op::Max => fold_nonempty(op, args, Bin::Max, r, ctx, code),
        Op::Rem => binary(op, args, Instr::Bin(Bin::Rem), r, ctx, code),
        Op::Quotient => binary(op, args, Instr::Bin(Bin::Quotient), r, ctx, code),
        _ => Err(EngineError::Unsupported {
            what: format!("operator '{}' in {ctx}", op.mathml_name()),
        }),
    }
}

fn binary(
    op: Op,
    args: &[Expr],
    instr: Instr,
    r: &impl Resolve,
    ctx: &str,
    code: &mut Vec<Instr>,
) -> Result<()> {
    arity(op, args, 2, ctx)?;
    emit(&args[0], r, ctx, code)?;
    emit(&args[1], r, ctx, code)?;
    code.push(instr);
    Ok(())
}

fn fold_nonempty(
    op: Op,
    args: &[Expr],
    b: Bin,
    r: &impl Resolve,
    ctx: &str,
    code: &mut Vec<Instr>,
) -> Result<()> {
    if args.is_empty() {
        return arity(op, args, 1, ctx);
    }
    fold(args, f64::NAN, Instr::Bin(b), r, ctx, code)
}

/// `a op b op c` means `(a op b) and (b op c)`; fewer than two arguments is true.
fn chain(args: &[Expr], c: Cmp, r: &impl Resolve, ctx: &str, code: &mut Vec<Instr>) -> Result<()> {
    if args.len() < 2 {
        code.push(Instr::Const(1.0));
        return Ok(());
    }
    for (i, pair) in args.windows(2).enumerate() {
        emit(&pair[0], r, ctx, code)?;
        emit(&pair[1], r, ctx, code)?;
        code.push(Instr::Cmp(c));
        if i > 0 {
            code.push(Instr::Bin(Bin::And));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct Names(HashMap<&'static str, u32>);

    impl Resolve for Names {
        fn slot(&self, id: &str) -> Option<u32> {
            self.0.get(id).copied()
        }
        fn rate_of(&self, _: &str, code: &mut Vec<Instr>) -> Result<()> {
            code.push(Instr::Const(0.0));
            Ok(())
        }
        fn time_slot(&self) -> u32 {
            0
        }
    }

    fn eval(e: &Expr, slots: &mut [f64]) -> f64 {
        let names = Names(HashMap::from([("x", 1), ("y", 2)]));
        let p = compile(e, &names, "test").expect("compiles");
        p.run(slots, &mut Vec::new())
    }

    fn ap(op: Op, args: Vec<Expr>) -> Expr {
        Expr::apply(op, args)
    }

    #[test]
    fn evaluates_functions() {
        let mut s = [0.0, 2.0, 3.0];
        let x = || Expr::sym("x");
        let y = || Expr::sym("y");
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(
            eval(&ap(Op::Sec, vec![x()]), &mut s),
            1.0 / 2f64.cos()
        ));
        assert!(close(
            eval(&ap(Op::Arccot, vec![x()]), &mut s),
            (0.5f64).atan()
        ));
        assert!(close(
            eval(&ap(Op::Root, vec![Expr::Num(3.0), Expr::Num(27.0)]), &mut s),
            3.0
        ));
        assert!(close(
            eval(
                &ap(Op::Log, vec![Expr::Num(10.0), Expr::Num(1000.0)]),
                &mut s
            ),
            3.0
        ));
        assert_eq!(eval(&ap(Op::Minus, vec![x()]), &mut s), -2.0);
        assert_eq!(
            eval(&ap(Op::Lt, vec![x(), y(), Expr::Num(4.0)]), &mut s),
            1.0
        );
        assert_eq!(
            eval(&ap(Op::Lt, vec![x(), y(), Expr::Num(1.0)]), &mut s),
            0.0
        );
        assert_eq!(
            eval(
                &ap(Op::Implies, vec![Expr::Num(0.0), Expr::Num(0.0)]),
                &mut s
            ),
            1.0
        );
        assert_eq!(
            eval(&ap(Op::Max, vec![x(), y(), Expr::Num(-1.0)]), &mut s),
            3.0
        );
        assert_eq!(eval(&ap(Op::Plus, vec![]), &mut s), 0.0);
    }

    #[test]
    fn piecewise_takes_first_true_piece() {
        let mut s = [0.0, 2.0, 3.0];
        let pw = Expr::Piecewise {
            pieces: vec![
                (
                    Expr::Num(10.0),
                    ap(Op::Gt, vec![Expr::sym("x"), Expr::sym("y")]),
                ),
                (
                    Expr::Num(20.0),
                    ap(Op::Lt, vec![Expr::sym("x"), Expr::sym("y")]),
                ),
            ],
            otherwise: Some(Box::new(Expr::Num(30.0))),
        };
        assert_eq!(eval(&pw, &mut s), 20.0);
        s[1] = 3.0;
        assert_eq!(eval(&pw, &mut s), 30.0);
        let undefined = Expr::Piecewise {
            pieces: vec![],
            otherwise: None,
        };
        assert!(eval(&undefined, &mut s).is_nan());
    }

    #[test]
    fn compiled_pieces_concatenate() {
        // Jumps are relative, so a piecewise program still works after another.
        let names = Names(HashMap::from([("x", 1), ("y", 2)]));
        let pw = Expr::Piecewise {
            pieces: vec![(Expr::Num(1.0), Expr::Num(0.0))],
            otherwise: Some(Box::new(Expr::Num(2.0))),
        };
        let mut code = Vec::new();
        emit_store(&Expr::Num(5.0), 1, &names, "a", &mut code).expect("compiles");
        emit_store(&pw, 2, &names, "b", &mut code).expect("compiles");
        let mut s = [0.0; 3];
        Program::new(code).run(&mut s, &mut Vec::new());
        assert_eq!(s, [0.0, 5.0, 2.0]);
    }

    #[test]
    fn unknown_symbols_are_named() {
        let names = Names(HashMap::new());
        let err = compile(&Expr::sym("k9"), &names, "rate law of 'R'").unwrap_err();
        assert_eq!(
            err.to_string(),
            "rate law of 'R' refers to unknown symbol 'k9'"
        );
    }
}
