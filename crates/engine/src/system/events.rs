//! Events compiled to programs, and the root functions that locate triggers.

use super::layout::Layout;
use crate::compile::compile;
use crate::error::{EngineError, Result};
use crate::expr::{Expr, Op};
use crate::network::Network;
use crate::vm::Program;

/// An event ready to run (SBML L3V2 §4.12).
#[derive(Debug, Clone)]
pub(crate) struct CompiledEvent {
    /// The event's id, or its position, for messages.
    pub label: String,
    pub trigger: Program,
    pub delay: Option<Program>,
    pub priority: Option<Program>,
    pub persistent: bool,
    pub initial_value: bool,
    pub from_trigger_time: bool,
    /// `(target slot, value)`.
    pub assignments: Vec<(u32, Program)>,
}

pub(crate) fn compile_events(net: &Network, layout: &Layout) -> Result<Vec<CompiledEvent>> {
    net.events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let label = e.id.clone().unwrap_or_else(|| format!("event #{}", i + 1));
            let ctx = |part: &str| format!("{part} of event '{label}'");
            let optional = |x: &Option<Expr>, part: &str| {
                x.as_ref()
                    .map(|d| compile(d, layout, &ctx(part)))
                    .transpose()
            };
            let assignments = e
                .assignments
                .iter()
                .map(|a| {
                    let slot = layout.index.get(&a.variable).copied().ok_or_else(|| {
                        EngineError::UnknownSymbol {
                            symbol: a.variable.clone(),
                            context: ctx("an assignment"),
                        }
                    })?;
                    if layout.assigned.contains_key(&slot) {
                        return Err(EngineError::OverDetermined {
                            symbol: a.variable.clone(),
                        });
                    }
                    Ok((
                        slot,
                        compile(
                            &a.math,
                            layout,
                            &ctx(&format!("assignment to '{}'", a.variable)),
                        )?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(CompiledEvent {
                trigger: compile(&e.trigger, layout, &ctx("trigger"))?,
                delay: optional(&e.delay, "delay")?,
                priority: optional(&e.priority, "priority")?,
                persistent: e.persistent,
                initial_value: e.initial_value,
                from_trigger_time: e.use_values_from_trigger_time,
                assignments,
                label,
            })
        })
        .collect()
}

/// When every trigger is an alarm (`time >= c`, `time > c`, `c <= time` or
/// `c < time` with `c` a literal), the times they turn true, known before
/// the run; `None` when some trigger is not (an empty list without events).
pub(crate) fn alarms(net: &Network) -> Option<Vec<f64>> {
    net.events.iter().map(|e| alarm(&e.trigger)).collect()
}

/// The time at which a trigger `time >= c`, `time > c`, `c <= time` or
/// `c < time`, with `c` a literal number, turns true.
fn alarm(trigger: &Expr) -> Option<f64> {
    let Expr::Apply(op, args) = trigger else {
        return None;
    };
    match (op, args.as_slice()) {
        (Op::Geq | Op::Gt, [Expr::Time, c]) | (Op::Leq | Op::Lt, [c, Expr::Time]) => {
            literal(c).filter(|c| c.is_finite())
        }
        _ => None,
    }
}

fn literal(e: &Expr) -> Option<f64> {
    match e {
        Expr::Num(v) => Some(*v),
        Expr::Apply(Op::Minus, a) if a.len() == 1 => literal(&a[0]).map(|v| -v),
        _ => None,
    }
}

/// One root function `a - b` per comparison inside any trigger: the solver
/// stops where one changes sign, and the triggers are evaluated there.
pub(crate) fn root_programs(net: &Network, layout: &Layout) -> Result<Vec<Program>> {
    let mut roots = Vec::new();
    for (i, e) in net.events.iter().enumerate() {
        let mut found = Vec::new();
        comparisons(&e.trigger, &mut found);
        for r in found {
            roots.push(compile(
                &r,
                layout,
                &format!("trigger of event #{}", i + 1),
            )?);
        }
    }
    Ok(roots)
}

fn comparisons(e: &Expr, out: &mut Vec<Expr>) {
    match e {
        Expr::Apply(op, args) => {
            if matches!(op, Op::Gt | Op::Lt | Op::Geq | Op::Leq | Op::Eq | Op::Neq) {
                for pair in args.windows(2) {
                    out.push(Expr::apply(
                        Op::Minus,
                        vec![pair[0].clone(), pair[1].clone()],
                    ));
                }
            }
            args.iter().for_each(|a| comparisons(a, out));
        }
        Expr::Piecewise { pieces, otherwise } => {
            for (v, c) in pieces {
                comparisons(v, out);
                comparisons(c, out);
            }
            if let Some(o) = otherwise {
                comparisons(o, out);
            }
        }
        Expr::Num(_) | Expr::Sym(_) | Expr::Time | Expr::Avogadro | Expr::RateOf(_) => {}
    }
}
