//! MathML (the SBML subset, L3V2 §3.4) to [`Expr`], inlining function calls.
//!
//! Calls of function definitions are replaced by the lambda's body with its
//! bound variables substituted by the (already converted) argument
//! expressions, recursively. Local parameters of a kinetic law are replaced by
//! their values.

use std::collections::HashMap;

use senmet_engine::{Expr, Op};

use super::ids::Need;
use super::Ctx;
use crate::error::{Error, Result};
use crate::xml::{Element, Node};

/// Deepest expression nesting accepted, counting inlined function bodies.
const MAX_DEPTH: usize = 256;
/// Most expression nodes one model may produce (inlining can grow exponentially).
const MAX_NODES: usize = 2_000_000;
/// Prefix of SBML csymbol definition URLs.
const SYMBOLS: &str = "http://www.sbml.org/sbml/symbols/";

/// Which names are bound where an expression is read.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'s> {
    /// Bound variables of the function body being inlined.
    bvars: Option<&'s HashMap<String, Expr>>,
    /// Local parameters of the kinetic law being read.
    locals: Option<&'s HashMap<String, f64>>,
    depth: usize,
}

impl<'s> Scope<'s> {
    /// Model scope: every name is a model id.
    pub const MODEL: Scope<'static> = Scope {
        bvars: None,
        locals: None,
        depth: 0,
    };

    /// A kinetic law's scope, where local parameters shadow model ids.
    pub fn kinetic_law(locals: &'s HashMap<String, f64>) -> Self {
        Scope {
            bvars: None,
            locals: Some(locals),
            depth: 0,
        }
    }
}

/// The expression of the `<math>` child of `parent`, if there is one with content.
pub(crate) fn child_math<'a>(
    cx: &mut Ctx<'a>,
    parent: &'a Element,
    scope: Scope<'_>,
) -> Result<Option<Expr>> {
    let Some(math) = parent.child("math") else {
        return Ok(None);
    };
    match single(math) {
        Some(e) => expr(cx, e, scope).map(Some),
        None => Ok(None),
    }
}

/// The only meaningful child element (skipping nothing: annotations are not kept).
fn single(e: &Element) -> Option<&Element> {
    e.elements().next()
}

/// Converts one MathML element.
pub(crate) fn expr<'a>(cx: &mut Ctx<'a>, e: &'a Element, scope: Scope<'_>) -> Result<Expr> {
    let scope = Scope {
        depth: scope.depth + 1,
        ..scope
    };
    if scope.depth > MAX_DEPTH {
        return Err(cx.limit(e, "expression nesting", MAX_DEPTH));
    }
    cx.nodes += 1;
    if cx.nodes > MAX_NODES {
        return Err(cx.limit(e, "expression size", MAX_NODES));
    }
    match e.name.as_str() {
        "cn" => number(cx, e).map(Expr::Num),
        "ci" => name(cx, e, scope),
        "csymbol" => csymbol(cx, e),
        "apply" => apply(cx, e, scope),
        "piecewise" => piecewise(cx, e, scope),
        "semantics" => match single(e) {
            Some(inner) => expr(cx, inner, scope),
            None => Err(cx.missing_child(e, "a MathML expression")),
        },
        other => constant(other)
            .ok_or_else(|| cx.unsupported(e, format!("MathML <{other}>"), "not part of SBML math")),
    }
}

fn constant(name: &str) -> Option<Expr> {
    let v = match name {
        "exponentiale" => std::f64::consts::E,
        "pi" => std::f64::consts::PI,
        "true" => 1.0,
        "false" => 0.0,
        "infinity" => f64::INFINITY,
        "notanumber" => f64::NAN,
        _ => return None,
    };
    Some(Expr::Num(v))
}

/// A `<ci>`: a bound variable, a local parameter's value, or a model id.
fn name(cx: &mut Ctx<'_>, e: &Element, scope: Scope<'_>) -> Result<Expr> {
    let id = e.text().trim().to_string();
    if let Some(bvars) = scope.bvars {
        if let Some(arg) = bvars.get(&id) {
            let (n, h) = size_and_height(arg);
            cx.nodes += n;
            if scope.depth + h > MAX_DEPTH {
                return Err(cx.limit(e, "expression nesting", MAX_DEPTH));
            }
            return Ok(arg.clone());
        }
    } else if let Some(v) = scope.locals.and_then(|l| l.get(&id)) {
        return Ok(Expr::Num(*v));
    }
    cx.use_id(&id, e.pos, Need::Math);
    Ok(Expr::Sym(id))
}

/// The number of nodes and the height of an expression.
fn size_and_height(e: &Expr) -> (usize, usize) {
    let fold = |acc: (usize, usize), e: &Expr| {
        let (n, h) = size_and_height(e);
        (acc.0 + n, acc.1.max(h))
    };
    let (n, h) = match e {
        Expr::Apply(_, args) => args.iter().fold((0, 0), fold),
        Expr::Piecewise { pieces, otherwise } => {
            let all = pieces.iter().flat_map(|(v, c)| [v, c]);
            all.chain(otherwise.as_deref()).fold((0, 0), fold)
        }
        _ => (0, 0),
    };
    (n + 1, h + 1)
}

fn csymbol(cx: &mut Ctx<'_>, e: &Element) -> Result<Expr> {
    let url = e.attr("definitionURL").unwrap_or_default().trim();
    match url.strip_prefix(SYMBOLS) {
        Some("time") => Ok(Expr::Time),
        Some("avogadro") => Ok(Expr::Avogadro),
        Some("delay") => Err(cx.unsupported(
            e,
            "csymbol delay".into(),
            "delay differential equations are not simulated",
        )),
        Some("rateOf") => Err(cx.unexpected(e, "rateOf applied to one argument", "rateOf alone")),
        _ => Err(cx.unsupported(e, format!("csymbol '{url}'"), "unknown symbol")),
    }
}

/// Parses a `<cn>` of any SBML type.
fn number(cx: &Ctx<'_>, e: &Element) -> Result<f64> {
    if e.attr("base").is_some_and(|b| b.trim() != "10") {
        return Err(cx.unsupported(e, "cn base".into(), "only base 10 numbers are read"));
    }
    let parts: Vec<&str> = e
        .children
        .iter()
        .filter_map(|n| match n {
            Node::Text(t) => Some(t.trim()),
            Node::Elem(_) => None,
        })
        .collect();
    let kind = e.attr("type").unwrap_or("real").trim();
    let expected = match kind {
        "real" | "integer" | "double" => "a number",
        "e-notation" | "rational" => "two numbers separated by <sep/>",
        _ => return Err(cx.unsupported(e, format!("cn type '{kind}'"), "unknown number type")),
    };
    let bad = || cx.unexpected(e, expected, &format!("'{}'", parts.join(" <sep/> ")));
    let num = |s: &str| s.parse::<f64>().ok();
    match (kind, parts.as_slice()) {
        ("e-notation", [m, x]) => format!("{m}e{x}").parse().map_err(|_| bad()),
        ("rational", [n, d]) => match (num(n), num(d)) {
            (Some(n), Some(d)) => Ok(n / d),
            _ => Err(bad()),
        },
        ("real" | "integer" | "double", [s]) => num(s).ok_or_else(bad),
        _ => Err(bad()),
    }
}

fn piecewise<'a>(cx: &mut Ctx<'a>, e: &'a Element, scope: Scope<'_>) -> Result<Expr> {
    let mut pieces = Vec::new();
    let mut otherwise = None;
    for child in e.elements() {
        let parts: Vec<&Element> = child.elements().collect();
        match (child.name.as_str(), parts.as_slice()) {
            ("piece", [v, c]) => pieces.push((expr(cx, v, scope)?, expr(cx, c, scope)?)),
            ("otherwise", [v]) if otherwise.is_none() => {
                otherwise = Some(Box::new(expr(cx, v, scope)?));
            }
            (name, _) => {
                return Err(cx.unexpected(
                    child,
                    "<piece> with two children or one <otherwise> with one",
                    &format!("<{name}> with {} children", parts.len()),
                ))
            }
        }
    }
    Ok(Expr::Piecewise { pieces, otherwise })
}

fn apply<'a>(cx: &mut Ctx<'a>, e: &'a Element, scope: Scope<'_>) -> Result<Expr> {
    let mut kids = e.elements();
    let Some(head) = kids.next() else {
        return Err(cx.missing_child(e, "an operator"));
    };
    let rest: Vec<&'a Element> = kids.collect();
    match head.name.as_str() {
        "ci" => call(cx, head, &rest, scope),
        "csymbol" => csymbol_call(cx, head, &rest, scope),
        name => match Op::from_mathml_name(name) {
            Some(op) => operator(cx, e, op, &rest, scope),
            None => Err(cx.unsupported(
                head,
                format!("MathML operator <{name}>"),
                "not part of SBML math",
            )),
        },
    }
}

fn csymbol_call<'a>(
    cx: &mut Ctx<'a>,
    head: &'a Element,
    args: &[&'a Element],
    scope: Scope<'_>,
) -> Result<Expr> {
    let url = head.attr("definitionURL").unwrap_or_default().trim();
    if url.strip_prefix(SYMBOLS) != Some("rateOf") {
        return csymbol(cx, head);
    }
    let [arg] = args else {
        return Err(cx.unexpected(head, "one argument of rateOf", &format!("{}", args.len())));
    };
    match expr(cx, arg, scope)? {
        Expr::Sym(id) => Ok(Expr::RateOf(id)),
        // A constant (a local parameter) does not change.
        Expr::Num(_) => Ok(Expr::Num(0.0)),
        _ => Err(cx.unsupported(
            arg,
            "rateOf of an expression".into(),
            "rateOf needs a symbol",
        )),
    }
}

/// Inlines a call of a function definition.
fn call<'a>(
    cx: &mut Ctx<'a>,
    head: &'a Element,
    args: &[&'a Element],
    scope: Scope<'_>,
) -> Result<Expr> {
    let fname = head.text().trim().to_string();
    let Some(&def) = cx.funcs.get(&fname) else {
        return Err(Error::UnknownId {
            at: cx.at(head.pos),
            id: fname,
            context: "function call".into(),
        });
    };
    let (bvars, body) = lambda(cx, def)?;
    if bvars.len() != args.len() {
        let expected = format!("{} arguments for '{fname}'", bvars.len());
        return Err(cx.unexpected(head, &expected, &args.len().to_string()));
    }
    let mut env = HashMap::new();
    for (b, a) in bvars.into_iter().zip(args) {
        env.insert(b, expr(cx, a, scope)?);
    }
    let inner = Scope {
        bvars: Some(&env),
        locals: None,
        depth: scope.depth,
    };
    expr(cx, body, inner)
}

/// The bound variable names and body of a function definition.
fn lambda<'a>(cx: &Ctx<'a>, def: &'a Element) -> Result<(Vec<String>, &'a Element)> {
    let mut lam = def
        .child("math")
        .and_then(single)
        .ok_or_else(|| cx.missing_child(def, "math"))?;
    while lam.name == "semantics" {
        lam = single(lam).ok_or_else(|| cx.missing_child(lam, "lambda"))?;
    }
    if lam.name != "lambda" {
        return Err(cx.unexpected(lam, "<lambda>", &format!("<{}>", lam.name)));
    }
    let mut bvars = Vec::new();
    let mut body = None;
    for k in lam.elements() {
        if k.name == "bvar" {
            let ci = k.child("ci").ok_or_else(|| cx.missing_child(k, "ci"))?;
            bvars.push(ci.text().trim().to_string());
        } else {
            body = Some(k);
        }
    }
    let body = body.ok_or_else(|| cx.missing_child(lam, "a function body"))?;
    Ok((bvars, body))
}

fn operator<'a>(
    cx: &mut Ctx<'a>,
    e: &'a Element,
    op: Op,
    rest: &[&'a Element],
    scope: Scope<'_>,
) -> Result<Expr> {
    if let (Op::Minus, [inf]) = (op, rest) {
        if inf.name == "infinity" {
            // How SBML writers spell minus infinity.
            return Ok(Expr::Num(f64::NEG_INFINITY));
        }
    }
    let mut qualifier = None;
    let mut args = Vec::with_capacity(rest.len() + 1);
    for k in rest {
        match k.name.as_str() {
            "degree" | "logbase" => {
                let inner = single(k).ok_or_else(|| cx.missing_child(k, "an expression"))?;
                qualifier = Some(expr(cx, inner, scope)?);
            }
            q @ ("bvar" | "lowlimit" | "uplimit" | "domainofapplication") => {
                return Err(cx.unsupported(k, format!("MathML <{q}>"), "not part of SBML math"))
            }
            _ => args.push(expr(cx, k, scope)?),
        }
    }
    match op {
        Op::Root => args.insert(0, qualifier.unwrap_or(Expr::Num(2.0))),
        Op::Log => args.insert(0, qualifier.unwrap_or(Expr::Num(10.0))),
        _ if qualifier.is_some() => {
            return Err(cx.unexpected(e, "a qualifier only on <root> or <log>", op.mathml_name()))
        }
        _ => {}
    }
    check_arity(cx, e, op, args.len())?;
    Ok(Expr::Apply(op, args))
}

fn check_arity(cx: &Ctx<'_>, e: &Element, op: Op, n: usize) -> Result<()> {
    use Op::*;
    let ok = match op {
        Plus | Times | And | Or | Xor | Eq | Gt | Lt | Geq | Leq | Min | Max => true,
        Minus => n == 1 || n == 2,
        Divide | Power | Rem | Quotient | Implies | Neq | Root | Log => n == 2,
        _ => n == 1,
    };
    if ok {
        Ok(())
    } else {
        let found = format!("{n} arguments");
        Err(cx.unexpected(
            e,
            &format!("a valid number of arguments for <{}>", op.mathml_name()),
            &found,
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use senmet_engine::{Expr, Op};

    use crate::error::{Error, Result};

    const MATHML: &str = "http://www.w3.org/1998/Math/MathML";

    /// Reads `math` as the initial assignment of parameter `a` (with `b`, `c`
    /// declared and function definitions `funcs`).
    fn read(funcs: &str, math: &str) -> Result<Expr> {
        let xml = format!(
            r#"<sbml xmlns="http://www.sbml.org/sbml/level3/version2/core" level="3" version="2"><model>
<listOfFunctionDefinitions>{funcs}</listOfFunctionDefinitions>
<listOfParameters><parameter id="a" constant="true"/><parameter id="b" value="1" constant="true"/><parameter id="c" value="1" constant="true"/></listOfParameters>
<listOfInitialAssignments><initialAssignment symbol="a"><math xmlns="{MATHML}">{math}</math></initialAssignment></listOfInitialAssignments>
</model></sbml>"#
        );
        let net = crate::read_str(&xml, Path::new("m.xml"))?;
        Ok(net.initial_assignments[0].math.clone())
    }

    fn num(v: f64) -> Expr {
        Expr::Num(v)
    }

    fn sym(s: &str) -> Expr {
        Expr::sym(s)
    }

    #[test]
    fn numbers_of_every_type() -> Result<()> {
        assert_eq!(read("", "<cn type=\"integer\"> 42 </cn>")?, num(42.0));
        assert_eq!(read("", "<cn> -1.5e-3 </cn>")?, num(-1.5e-3));
        assert_eq!(
            read("", "<cn type=\"e-notation\"> 1.5 <sep/> 3 </cn>")?,
            num(1500.0)
        );
        assert_eq!(
            read("", "<cn type=\"rational\"> 1 <sep/> 4 </cn>")?,
            num(0.25)
        );
        let units = r#"<cn xmlns:sbml="http://www.sbml.org/sbml/level3/version2/core" sbml:units="mole"> 2 </cn>"#;
        assert_eq!(read("", units)?, num(2.0));
        assert!(matches!(
            read("", "<cn> two </cn>"),
            Err(Error::Unexpected { .. })
        ));
        assert!(matches!(
            read("", "<cn type=\"rational\"> 1 </cn>"),
            Err(Error::Unexpected { .. })
        ));
        Ok(())
    }

    #[test]
    fn constants_and_csymbols() -> Result<()> {
        assert_eq!(read("", "<exponentiale/>")?, num(std::f64::consts::E));
        assert_eq!(read("", "<pi/>")?, num(std::f64::consts::PI));
        assert_eq!(read("", "<true/>")?, num(1.0));
        assert_eq!(read("", "<false/>")?, num(0.0));
        assert_eq!(read("", "<infinity/>")?, num(f64::INFINITY));
        assert!(matches!(read("", "<notanumber/>")?, Expr::Num(v) if v.is_nan()));
        assert_eq!(
            read("", "<apply><minus/><infinity/></apply>")?,
            num(f64::NEG_INFINITY)
        );
        let time = r#"<csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/time">t</csymbol>"#;
        assert_eq!(read("", time)?, Expr::Time);
        let avo =
            r#"<csymbol definitionURL="http://www.sbml.org/sbml/symbols/avogadro">N</csymbol>"#;
        assert_eq!(read("", avo)?, Expr::Avogadro);
        let rate = r#"<apply><csymbol definitionURL="http://www.sbml.org/sbml/symbols/rateOf">rateOf</csymbol><ci>b</ci></apply>"#;
        assert_eq!(read("", rate)?, Expr::RateOf("b".into()));
        Ok(())
    }

    #[test]
    fn qualifiers_and_defaults() -> Result<()> {
        let root2 = read("", "<apply><root/><ci>b</ci></apply>")?;
        assert_eq!(root2, Expr::apply(Op::Root, vec![num(2.0), sym("b")]));
        let root3 = read(
            "",
            "<apply><root/><degree><cn>3</cn></degree><ci>b</ci></apply>",
        )?;
        assert_eq!(root3, Expr::apply(Op::Root, vec![num(3.0), sym("b")]));
        let log10 = read("", "<apply><log/><ci>b</ci></apply>")?;
        assert_eq!(log10, Expr::apply(Op::Log, vec![num(10.0), sym("b")]));
        let log2 = read(
            "",
            "<apply><log/><logbase><cn>2</cn></logbase><ci>b</ci></apply>",
        )?;
        assert_eq!(log2, Expr::apply(Op::Log, vec![num(2.0), sym("b")]));
        let bad = read(
            "",
            "<apply><sin/><degree><cn>3</cn></degree><ci>b</ci></apply>",
        );
        assert!(matches!(bad, Err(Error::Unexpected { .. })));
        Ok(())
    }

    #[test]
    fn operators_arity_and_wrappers() -> Result<()> {
        assert_eq!(
            read("", "<apply><minus/><ci>b</ci></apply>")?,
            Expr::apply(Op::Minus, vec![sym("b")])
        );
        let sum = read("", "<apply><plus/><ci>b</ci><ci>c</ci><cn>1</cn></apply>")?;
        assert_eq!(
            sum,
            Expr::apply(Op::Plus, vec![sym("b"), sym("c"), num(1.0)])
        );
        let lt = read("", "<apply><lt/><ci>b</ci><ci>c</ci><cn>1</cn></apply>")?;
        assert_eq!(lt, Expr::apply(Op::Lt, vec![sym("b"), sym("c"), num(1.0)]));
        let sem = "<semantics><apply><abs/><ci>b</ci></apply><annotation encoding=\"x\">junk</annotation></semantics>";
        assert_eq!(read("", sem)?, Expr::apply(Op::Abs, vec![sym("b")]));
        assert!(matches!(
            read("", "<apply><divide/><ci>b</ci></apply>"),
            Err(Error::Unexpected { .. })
        ));
        assert!(matches!(
            read("", "<apply><diff/><ci>b</ci></apply>"),
            Err(Error::Unsupported { .. })
        ));
        assert!(matches!(
            read("", "<matrix/>"),
            Err(Error::Unsupported { .. })
        ));
        for op in ["quotient", "rem", "implies", "max", "arccoth", "factorial"] {
            let args = if matches!(op, "arccoth" | "factorial") {
                "<ci>b</ci>"
            } else {
                "<ci>b</ci><ci>c</ci>"
            };
            let e = read("", &format!("<apply><{op}/>{args}</apply>"))?;
            assert!(matches!(e, Expr::Apply(o, _) if o.mathml_name() == op));
        }
        Ok(())
    }

    #[test]
    fn piecewise_with_and_without_otherwise() -> Result<()> {
        let pw = "<piecewise><piece><cn>1</cn><apply><gt/><ci>b</ci><cn>0</cn></apply></piece><otherwise><cn>2</cn></otherwise></piecewise>";
        let cond = Expr::apply(Op::Gt, vec![sym("b"), num(0.0)]);
        let want = Expr::Piecewise {
            pieces: vec![(num(1.0), cond.clone())],
            otherwise: Some(Box::new(num(2.0))),
        };
        assert_eq!(read("", pw)?, want);
        let bare = "<piecewise><piece><cn>1</cn><apply><gt/><ci>b</ci><cn>0</cn></apply></piece></piecewise>";
        assert_eq!(
            read("", bare)?,
            Expr::Piecewise {
                pieces: vec![(num(1.0), cond)],
                otherwise: None
            }
        );
        Ok(())
    }

    const DOUBLE: &str = r#"<functionDefinition id="double"><math xmlns="http://www.w3.org/1998/Math/MathML">
<lambda><bvar><ci>b</ci></bvar><apply><times/><cn>2</cn><ci>b</ci></apply></lambda></math></functionDefinition>"#;
    const INC_DOUBLE: &str = r#"<functionDefinition id="incdouble"><math xmlns="http://www.w3.org/1998/Math/MathML">
<semantics><lambda><bvar><ci>x</ci></bvar><apply><plus/><apply><ci>double</ci><ci>x</ci></apply><cn>1</cn></apply></lambda></semantics></math></functionDefinition>"#;

    #[test]
    fn function_calls_are_inlined_recursively() -> Result<()> {
        // `incdouble` is declared before the `double` it calls; the bvar `b`
        // of `double` shadows the parameter `b`.
        let funcs = format!("{INC_DOUBLE}{DOUBLE}");
        let e = read(&funcs, "<apply><ci>incdouble</ci><ci>c</ci></apply>")?;
        let twice = Expr::apply(Op::Times, vec![num(2.0), sym("c")]);
        assert_eq!(e, Expr::apply(Op::Plus, vec![twice, num(1.0)]));
        let e = read(
            DOUBLE,
            "<apply><ci>double</ci><apply><ci>double</ci><ci>b</ci></apply></apply>",
        )?;
        let inner = Expr::apply(Op::Times, vec![num(2.0), sym("b")]);
        assert_eq!(e, Expr::apply(Op::Times, vec![num(2.0), inner]));
        let wrong = read(DOUBLE, "<apply><ci>double</ci></apply>");
        assert!(matches!(wrong, Err(Error::Unexpected { .. })));
        let unknown = read("", "<apply><ci>nosuch</ci><ci>b</ci></apply>");
        assert!(matches!(unknown, Err(Error::UnknownId { id, .. }) if id == "nosuch"));
        Ok(())
    }

    #[test]
    fn recursion_and_blowup_are_bounded() {
        let rec = r#"<functionDefinition id="f"><math xmlns="http://www.w3.org/1998/Math/MathML">
<lambda><bvar><ci>x</ci></bvar><apply><ci>f</ci><ci>x</ci></apply></lambda></math></functionDefinition>"#;
        let err = read(rec, "<apply><ci>f</ci><ci>b</ci></apply>");
        assert!(matches!(err, Err(Error::Limit { .. })), "{err:?}");
        // Each level doubles the size: 40 levels would be 2^40 nodes.
        let mut funcs = String::from(
            r#"<functionDefinition id="f0"><math xmlns="http://www.w3.org/1998/Math/MathML"><lambda><bvar><ci>x</ci></bvar><ci>x</ci></lambda></math></functionDefinition>"#,
        );
        for i in 1..40 {
            funcs.push_str(&format!(
                r#"<functionDefinition id="f{i}"><math xmlns="http://www.w3.org/1998/Math/MathML"><lambda><bvar><ci>x</ci></bvar><apply><plus/><apply><ci>f{p}</ci><ci>x</ci></apply><apply><ci>f{p}</ci><ci>x</ci></apply></apply></lambda></math></functionDefinition>"#,
                p = i - 1
            ));
        }
        let err = read(&funcs, "<apply><ci>f39</ci><ci>b</ci></apply>");
        assert!(matches!(err, Err(Error::Limit { .. })), "{err:?}");
    }

    #[test]
    fn delay_is_unsupported() {
        let delay = r#"<apply><csymbol definitionURL="http://www.sbml.org/sbml/symbols/delay">delay</csymbol><ci>b</ci><cn>1</cn></apply>"#;
        let err = read("", delay);
        assert!(matches!(&err, Err(e) if e.is_unsupported()), "{err:?}");
    }
}
