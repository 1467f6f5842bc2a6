//! Algebraic rules (SBML L3V2 §4.9.4) that fix one variable linearly,
//! rewritten as assignment rules.
//!
//! An algebraic rule `0 = f` determines a variable nothing else determines
//! (§4.9.5): not constant, without an assignment or rate rule, and not a
//! species that reactions change. When exactly one such variable `x` appears
//! in `f`, the rule must determine it, and if `f` is affine in `x`,
//! `f = a x + b`, the rule is the assignment `x = -b / a`, with `a` and `b`
//! built symbolically (no cancellation). Solved rules make their variables
//! determined, which may leave one variable in another rule. Anything else
//! (coupled or nonlinear rules) needs a DAE solver and stays unsupported.

use std::collections::HashSet;

use senmet_engine::{Expr, Network, Op, Rule};

/// Why the rules at an index cannot be rewritten.
#[derive(Debug, PartialEq)]
pub(super) struct Unsolved {
    /// Index of the first rule left.
    pub index: usize,
    /// Why.
    pub reason: &'static str,
}

/// Rewrites `rules` (the math of algebraic rules, in order) as assignment
/// rules of `net`, which holds every other construct of the model.
pub(super) fn solve(net: &Network, rules: &[Expr]) -> Result<Vec<Rule>, Unsolved> {
    let mut free = undetermined(net);
    let events: HashSet<&str> = net
        .events
        .iter()
        .flat_map(|e| &e.assignments)
        .map(|a| a.variable.as_str())
        .chain(net.initial_assignments.iter().map(|i| i.symbol.as_str()))
        .collect();
    let mut left: Vec<usize> = (0..rules.len()).collect();
    let mut out = Vec::new();
    while !left.is_empty() {
        let solvable = left.iter().enumerate().find_map(|(k, &i)| {
            let mut seen = Vec::new();
            rules[i].visit_symbols(&mut |s| {
                if free.contains(s) && !seen.iter().any(|x| x == s) {
                    seen.push(s.to_string());
                }
            });
            match seen.as_slice() {
                [x] => Some((k, i, x.clone())),
                _ => None,
            }
        });
        let Some((k, i, x)) = solvable else {
            let reason = "no rule left has exactly one undetermined variable";
            return Err(Unsolved { index: left[0], reason });
        };
        if events.contains(x.as_str()) {
            let reason = "its variable is also set by an event or initial assignment";
            return Err(Unsolved { index: i, reason });
        }
        let Lin::Coef(a) = coef(&rules[i], &x) else {
            let reason = "it is not linear in its variable";
            return Err(Unsolved { index: i, reason });
        };
        let b = subst(&rules[i], &x);
        let math = Expr::apply(Op::Divide, vec![Expr::apply(Op::Minus, vec![b]), a]);
        free.remove(&x);
        left.remove(k);
        out.push(Rule::Assignment { variable: x, math });
    }
    Ok(out)
}

/// Variables no construct other than an algebraic rule determines.
fn undetermined(net: &Network) -> HashSet<String> {
    let ruled: HashSet<&str> = net.rules.iter().map(Rule::variable).collect();
    let reacting: HashSet<&str> = net
        .reactions
        .iter()
        .flat_map(|r| r.reactants.iter().chain(&r.products))
        .map(|s| s.species.as_str())
        .collect();
    let compartments = net.compartments.iter().filter(|c| !c.constant).map(|c| &c.id);
    let species = net
        .species
        .iter()
        .filter(|s| !s.constant && (s.boundary_condition || !reacting.contains(s.id.as_str())))
        .map(|s| &s.id);
    let parameters = net.parameters.iter().filter(|p| !p.constant).map(|p| &p.id);
    compartments
        .chain(species)
        .chain(parameters)
        .filter(|id| !ruled.contains(id.as_str()))
        .cloned()
        .collect()
}

/// How an expression depends on `x`.
enum Lin {
    /// Not at all.
    Free,
    /// Affinely, with this coefficient.
    Coef(Expr),
    /// Otherwise.
    Nonlinear,
}

fn mentions(e: &Expr, x: &str) -> bool {
    let mut found = false;
    e.visit_symbols(&mut |s| found |= s == x);
    found
}

/// The coefficient of `x` in `e`, when `e` is affine in `x`.
fn coef(e: &Expr, x: &str) -> Lin {
    if !mentions(e, x) {
        return Lin::Free;
    }
    match e {
        Expr::Sym(_) => Lin::Coef(Expr::Num(1.0)),
        Expr::Apply(Op::Plus, args) => {
            let mut terms = Vec::new();
            for a in args {
                match coef(a, x) {
                    Lin::Free => {}
                    Lin::Coef(c) => terms.push(c),
                    Lin::Nonlinear => return Lin::Nonlinear,
                }
            }
            match terms.len() {
                1 => Lin::Coef(terms.remove(0)),
                _ => Lin::Coef(Expr::apply(Op::Plus, terms)),
            }
        }
        Expr::Apply(Op::Minus, args) => match args.as_slice() {
            [a] => negate(coef(a, x)),
            [a, b] => match (coef(a, x), coef(b, x)) {
                (Lin::Coef(c), Lin::Free) => Lin::Coef(c),
                (Lin::Free, Lin::Coef(c)) => Lin::Coef(Expr::apply(Op::Minus, vec![c])),
                (Lin::Coef(c), Lin::Coef(d)) => Lin::Coef(Expr::apply(Op::Minus, vec![c, d])),
                _ => Lin::Nonlinear,
            },
            _ => Lin::Nonlinear,
        },
        Expr::Apply(Op::Times, args) => {
            let with: Vec<usize> = (0..args.len()).filter(|&i| mentions(&args[i], x)).collect();
            let [i] = with.as_slice() else {
                return Lin::Nonlinear;
            };
            let Lin::Coef(c) = coef(&args[*i], x) else {
                return Lin::Nonlinear;
            };
            let mut factors: Vec<Expr> = args.clone();
            factors[*i] = c;
            Lin::Coef(Expr::apply(Op::Times, factors))
        }
        Expr::Apply(Op::Divide, args) => match args.as_slice() {
            [n, d] if !mentions(d, x) => match coef(n, x) {
                Lin::Coef(c) => Lin::Coef(Expr::apply(Op::Divide, vec![c, d.clone()])),
                _ => Lin::Nonlinear,
            },
            _ => Lin::Nonlinear,
        },
        _ => Lin::Nonlinear,
    }
}

fn negate(l: Lin) -> Lin {
    match l {
        Lin::Coef(c) => Lin::Coef(Expr::apply(Op::Minus, vec![c])),
        other => other,
    }
}

/// `e` with `x` set to zero (only where `e` is affine in `x`).
fn subst(e: &Expr, x: &str) -> Expr {
    match e {
        Expr::Sym(s) if s == x => Expr::Num(0.0),
        Expr::Apply(op, args) => Expr::apply(*op, args.iter().map(|a| subst(a, x)).collect()),
        other => other.clone(),
    }
}
