//! [`Expr`] to MathML, as SBML L3V2 §3.4 expects it.
//!
//! Numbers are written in Rust's shortest round-trip form, so reading them
//! back gives the same bits; NaN and infinities use `<notanumber/>` and
//! `<infinity/>`.

use std::fmt::Write as _;

use senmet_engine::{Expr, Op};

/// The MathML namespace.
const MATHML_NS: &str = "http://www.w3.org/1998/Math/MathML";
/// Prefix of SBML csymbol definition URLs.
const SYMBOLS: &str = "http://www.sbml.org/sbml/symbols/";

/// Appends a `<math>` element holding `e` at indentation `depth`.
///
/// `boolean` says whether `e` is a condition (a trigger), where 1 and 0 are
/// written as `<true/>` and `<false/>`.
pub(crate) fn math(out: &mut String, e: &Expr, depth: usize, boolean: bool) {
    line(out, depth, &format!("<math xmlns=\"{MATHML_NS}\">"));
    expr(out, e, depth + 1, boolean);
    line(out, depth, "</math>");
}

fn line(out: &mut String, depth: usize, text: &str) {
    for _ in 0..depth {
        out.push_str("  ");
    }
    out.push_str(text);
    out.push('\n');
}

/// A number as text that parses back to the same `f64` (finite values only).
pub(crate) fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "INF" } else { "-INF" }.into()
    } else if v == 0.0 || (1e-5..1e16).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

fn expr(out: &mut String, e: &Expr, depth: usize, boolean: bool) {
    match e {
        Expr::Num(v) => num(out, *v, depth, boolean),
        Expr::Sym(id) => line(out, depth, &format!("<ci> {} </ci>", escape(id))),
        Expr::Time => csymbol(out, depth, "time"),
        Expr::Avogadro => csymbol(out, depth, "avogadro"),
        Expr::RateOf(id) => {
            line(out, depth, "<apply>");
            csymbol(out, depth + 1, "rateOf");
            line(out, depth + 1, &format!("<ci> {} </ci>", escape(id)));
            line(out, depth, "</apply>");
        }
        Expr::Apply(op, args) => apply(out, *op, args, depth),
        Expr::Piecewise { pieces, otherwise } => {
            line(out, depth, "<piecewise>");
            for (value, cond) in pieces {
                line(out, depth + 1, "<piece>");
                expr(out, value, depth + 2, boolean);
                expr(out, cond, depth + 2, true);
                line(out, depth + 1, "</piece>");
            }
            if let Some(o) = otherwise {
                line(out, depth + 1, "<otherwise>");
                expr(out, o, depth + 2, boolean);
                line(out, depth + 1, "</otherwise>");
            }
            line(out, depth, "</piecewise>");
        }
    }
}

fn num(out: &mut String, v: f64, depth: usize, boolean: bool) {
    let text = match v {
        _ if boolean && v == 1.0 => "<true/>".to_string(),
        _ if boolean && v == 0.0 && v.is_sign_positive() => "<false/>".to_string(),
        _ if v.is_nan() => "<notanumber/>".to_string(),
        f64::INFINITY => "<infinity/>".to_string(),
        f64::NEG_INFINITY => "<apply> <minus/> <infinity/> </apply>".to_string(),
        _ => format!("<cn> {} </cn>", number(v)),
    };
    line(out, depth, &text);
}

fn csymbol(out: &mut String, depth: usize, name: &str) {
    let mut s = String::new();
    // Cannot fail: writing to a String.
    let _ = write!(
        s,
        "<csymbol encoding=\"text\" definitionURL=\"{SYMBOLS}{name}\"> {name} </csymbol>"
    );
    line(out, depth, &s);
}

fn apply(out: &mut String, op: Op, args: &[Expr], depth: usize) {
    line(out, depth, "<apply>");
    line(out, depth + 1, &format!("<{}/>", op.mathml_name()));
    let boolean_args = matches!(op, Op::And | Op::Or | Op::Xor | Op::Not | Op::Implies);
    let rest = match (op, args) {
        (Op::Root | Op::Log, [q, rest @ ..]) if rest.len() == 1 => {
            let tag = if op == Op::Root { "degree" } else { "logbase" };
            line(out, depth + 1, &format!("<{tag}>"));
            expr(out, q, depth + 2, false);
            line(out, depth + 1, &format!("</{tag}>"));
            rest
        }
        _ => args,
    };
    for a in rest {
        expr(out, a, depth + 1, boolean_args);
    }
    line(out, depth, "</apply>");
}

/// Escapes text for XML content and attribute values.
pub(crate) fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}
