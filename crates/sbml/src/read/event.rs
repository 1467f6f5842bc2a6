//! Events: trigger, delay, priority and assignments (SBML L3V2 §4.12).

use senmet_engine::{Event, EventAssignment};

use super::ids::{Kind, Need};
use super::mathml::{child_math, Scope};
use super::model::list;
use super::Ctx;
use crate::error::Result;
use crate::xml::Element;

/// Reads one `<event>`; `None` for an L3V2 event that never fires.
pub(super) fn event<'a>(cx: &mut Ctx<'a>, e: &'a Element) -> Result<Option<Event>> {
    let id = cx.opt(e, "id");
    if let Some(id) = &id {
        cx.declare(id, e, Kind::Event)?;
    }
    // L3V2 §4.12.2: without a trigger, or trigger math, an event never
    // fires. Earlier levels require both.
    let never = (cx.level, cx.version) == (3, 2);
    let Some(trigger) = e.child("trigger") else {
        if never {
            return Ok(None);
        }
        let reason = "events need a trigger before SBML L3V2";
        return Err(cx.unsupported(e, "event without trigger".into(), reason));
    };
    let Some(trigger_math) = child_math(cx, trigger, Scope::MODEL)? else {
        if never {
            return Ok(None);
        }
        let reason = "triggers need math before SBML L3V2";
        return Err(cx.unsupported(trigger, "trigger without math".into(), reason));
    };
    // In Level 2, a trigger behaves as L3's initialValue="true" persistent="true".
    let initial_value = cx.flag(trigger, "initialValue", true)?;
    let persistent = cx.flag(trigger, "persistent", true)?;
    let delay = optional_math(cx, e, "delay")?;
    let priority = optional_math(cx, e, "priority")?;
    let mut assignments = Vec::new();
    for a in list(e, "listOfEventAssignments", "eventAssignment") {
        let variable = cx.req(a, "variable")?.trim().to_string();
        cx.use_id(&variable, a.pos, Need::Target("eventAssignment variable"));
        // L3V2: an assignment without math has no effect.
        if let Some(math) = child_math(cx, a, Scope::MODEL)? {
            assignments.push(EventAssignment { variable, math });
        }
    }
    Ok(Some(Event {
        id,
        trigger: trigger_math,
        initial_value,
        persistent,
        delay,
        priority,
        use_values_from_trigger_time: cx.flag(e, "useValuesFromTriggerTime", true)?,
        assignments,
    }))
}

fn optional_math<'a>(
    cx: &mut Ctx<'a>,
    e: &'a Element,
    child: &str,
) -> Result<Option<senmet_engine::Expr>> {
    match e.child(child) {
        Some(c) => child_math(cx, c, Scope::MODEL),
        None => Ok(None),
    }
}
