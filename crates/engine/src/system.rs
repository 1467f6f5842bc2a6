//! A network compiled for simulation: slots, state vector and programs.
//!
//! Layout: slot 0 is time, then one slot per symbol
//! (compartment sizes, species as the math sees them, parameters,
//! stoichiometries, reaction rates), then species amounts and one derivative
//! slot per state variable. Species are integrated as amounts, so reactions
//! conserve substance when compartments change size (SBML L3V2 §4.11.7).

mod events;
mod layout;
mod order;
mod stochastic;

use crate::compile::emit_store;
use crate::error::{EngineError, Result};
use crate::expr::{Expr, Op};
use crate::network::{InitialQuantity, Network, Rule};
use crate::scalar::Dual;
use crate::vm::{Instr, Jit, Program};

pub(crate) use events::CompiledEvent;
pub(crate) use layout::TIME;
use layout::{Kind, Layout};
use order::{loads, topological, Node};
pub(crate) use stochastic::{dependency_graph, net_changes, Change, StochReaction, Stoich};

/// A network compiled for simulation.
#[derive(Debug, Clone)]
pub struct System {
    layout: Layout,
    baseline: Vec<f64>,
    init: Program,
    rhs: Program,
    /// `rhs` compiled to machine code once it has run often.
    native: Jit,
    /// `rhs` compiled for dual numbers (Jacobian-vector products).
    native_dual: Jit<Dual>,
    /// The right-hand side's computations in program order, unfused, for
    /// [`System::observer`].
    rhs_nodes: Vec<Node>,
    pub(crate) events: Vec<CompiledEvent>,
    pub(crate) roots: Vec<Program>,
    /// The trigger times when every trigger is an alarm (see [`events::alarms`]).
    pub(crate) alarms: Option<Vec<f64>>,
}

/// A global parameter whose declared value a run may override, found with
/// [`System::parameter`] and used by [`Ode::run_with`](crate::Ode::run_with)
/// and [`Ensemble`](crate::Ensemble).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParameterId(u32);

/// A quantity that can be written to output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observable {
    /// A species' amount.
    Amount(usize),
    /// A species' concentration.
    Concentration(usize),
    /// Any other symbol's value (compartment, parameter, stoichiometry, reaction rate).
    Value(u32),
}

impl System {
    /// Compiles a network.
    ///
    /// # Errors
    ///
    /// Unknown symbols, duplicate ids, symbols set by two rules, algebraic
    /// loops among rules, and unsupported math.
    ///
    /// # Examples
    ///
    /// ```
    /// use senmet_engine::{Compartment, Network, System};
    /// let mut net = Network::default();
    /// net.compartments.push(Compartment {
    ///     id: "c".into(), name: None, size: Some(2.0), spatial_dimensions: None, constant: true,
    /// });
    /// let system = System::new(&net)?;
    /// assert_eq!(system.n_states(), 0);
    /// # Ok::<(), senmet_engine::EngineError>(())
    /// ```
    pub fn new(net: &Network) -> Result<Self> {
        Self::partitioned(net, &[], &[])
    }

    /// Compiles a network whose reactions flagged in `jumps` (by index; missing
    /// flags are false) still have their rates computed but are left out of
    /// the species' derivatives: a hybrid method fires them as discrete jumps.
    /// Species flagged in `held` keep their amounts in their slots, outside
    /// the state vector (the hybrid method's discrete species).
    pub(crate) fn partitioned(net: &Network, jumps: &[bool], held: &[bool]) -> Result<Self> {
        let layout = Layout::new(net, held)?;
        let baseline = baseline(net, &layout);
        let init = init_program(net, &layout, jumps)?;
        let rhs_nodes = rhs_nodes(net, &layout, jumps)?;
        let rhs = Program::new(rhs_nodes.iter().flat_map(|n| n.code.clone()).collect());
        let events = events::compile_events(net, &layout)?;
        let roots = events::root_programs(net, &layout)?;
        let alarms = events::alarms(net);
        Ok(System {
            layout,
            baseline,
            init,
            rhs,
            native: Jit::default(),
            native_dual: Jit::default(),
            rhs_nodes,
            events,
            roots,
            alarms,
        })
    }

    /// Number of state variables integrated.
    pub fn n_states(&self) -> usize {
        self.layout.states.len()
    }

    /// Number of species.
    pub fn n_species(&self) -> usize {
        self.layout.species.len()
    }

    /// Finds what to output for an id: species as amount or concentration, others by value.
    pub fn observable(&self, id: &str, as_amount: bool) -> Option<Observable> {
        let slot = *self.layout.index.get(id)?;
        if self.layout.kinds[slot as usize] == Kind::Species {
            let i = self.layout.species.iter().position(|s| s.value == slot)?;
            return Some(if as_amount {
                Observable::Amount(i)
            } else {
                Observable::Concentration(i)
            });
        }
        Some(Observable::Value(slot))
    }

    /// Finds a global parameter by id, for overriding its declared value.
    ///
    /// The override replaces the value written in the model before initial
    /// assignments and rules are evaluated, so quantities computed from the
    /// parameter follow it; a parameter that is itself set by an initial
    /// assignment or a rule keeps what that assignment or rule gives.
    /// Returns `None` when `id` is not a parameter.
    ///
    /// # Examples
    ///
    /// ```
    /// use senmet_engine::{Network, Parameter, System};
    /// let mut net = Network::default();
    /// net.parameters.push(Parameter { id: "k".into(), name: None, value: Some(0.5), constant: true });
    /// let system = System::new(&net)?;
    /// assert!(system.parameter("k").is_some());
    /// assert!(system.parameter("nope").is_none());
    /// # Ok::<(), senmet_engine::EngineError>(())
    /// ```
    pub fn parameter(&self, id: &str) -> Option<ParameterId> {
        let slot = *self.layout.index.get(id)?;
        (self.layout.kinds[slot as usize] == Kind::Parameter).then_some(ParameterId(slot))
    }

    /// Reads an observable from evaluated slots.
    pub(crate) fn read(&self, o: Observable, slots: &[f64]) -> f64 {
        match o {
            Observable::Value(s) => slots[s as usize],
            Observable::Amount(i) => {
                let sp = &self.layout.species[i];
                if sp.hosu {
                    slots[sp.value as usize]
                } else {
                    slots[sp.value as usize] * slots[sp.compartment as usize]
                }
            }
            Observable::Concentration(i) => {
                let sp = &self.layout.species[i];
                if sp.hosu {
                    slots[sp.value as usize] / slots[sp.compartment as usize]
                } else {
                    slots[sp.value as usize]
                }
            }
        }
    }

    /// Slots at `t0`: declared values (with parameter overrides), initial
    /// assignments and rules, then amounts of state species; evaluated throughout.
    pub(crate) fn initial_slots(
        &self,
        t0: f64,
        overrides: &[(ParameterId, f64)],
        stack: &mut Vec<f64>,
    ) -> Vec<f64> {
        let mut slots = self.baseline.clone();
        slots[TIME as usize] = t0;
        for &(ParameterId(slot), v) in overrides {
            slots[slot as usize] = v;
        }
        self.init.run(&mut slots, stack);
        for sp in &self.layout.species {
            if !sp.hosu {
                slots[sp.amount as usize] =
                    slots[sp.value as usize] * slots[sp.compartment as usize];
            }
        }
        self.evaluate(&mut slots, stack);
        slots
    }

    /// Recomputes every derived slot (species values, rules, rates, derivatives)
    /// from the state slots and time.
    pub(crate) fn evaluate(&self, slots: &mut [f64], stack: &mut Vec<f64>) {
        self.native.run(&self.rhs, slots, stack);
    }

    /// A program computing, from the state slots and time, only what
    /// `observables` read: output rows need no rates nor derivatives, and
    /// often few rules.
    pub(crate) fn observer(&self, observables: &[Observable]) -> Program {
        let mut need = vec![false; self.baseline.len()];
        for o in observables {
            match *o {
                Observable::Value(s) => need[s as usize] = true,
                Observable::Amount(i) | Observable::Concentration(i) => {
                    let sp = &self.layout.species[i];
                    need[sp.value as usize] = true;
                    need[sp.compartment as usize] = true;
                }
            }
        }
        let keep = self.needed(&mut need);
        Program::new(
            self.rhs_nodes
                .iter()
                .zip(keep)
                .filter(|(_, k)| *k)
                .flat_map(|(n, _)| n.code.clone())
                .collect(),
        )
    }

    /// Slots that the integrated derivatives or the event triggers read,
    /// directly or through rules: what a hybrid jump may change only if the
    /// solver restarts.
    pub(crate) fn continuous_reads(&self) -> Vec<bool> {
        let mut need = vec![false; self.baseline.len()];
        for s in &self.layout.states {
            need[s.deriv as usize] = true;
        }
        let triggers = self
            .roots
            .iter()
            .chain(self.events.iter().map(|e| &e.trigger));
        for s in triggers.flat_map(|p| loads(p.code())) {
            need[s as usize] = true;
        }
        self.needed(&mut need);
        need
    }

    /// Whether a slot may change along a solver step: time, a state or a
    /// derivative (everything else changes only at events and jumps).
    pub(crate) fn moves(&self, slot: u32) -> bool {
        slot == TIME
            || self
                .layout
                .states
                .iter()
                .any(|s| s.slot == slot || s.deriv == slot)
    }

    /// Extends `need` (by slot) with what computing it reads, through the
    /// right-hand side's nodes; returns which nodes are needed.
    fn needed(&self, need: &mut [bool]) -> Vec<bool> {
        let mut keep = vec![false; self.rhs_nodes.len()];
        for (k, node) in self.rhs_nodes.iter().enumerate().rev() {
            if need[node.target as usize] {
                keep[k] = true;
                for r in node.reads() {
                    need[r as usize] = true;
                }
            }
        }
        keep
    }

    /// Whether the Jacobian's sparsity pattern is the same at every state and
    /// time (the right-hand side has no piecewise branches nor min/max).
    pub(crate) fn has_fixed_jacobian_pattern(&self) -> bool {
        self.rhs.is_branch_free()
    }

    /// Writes the state vector into the slots.
    pub(crate) fn load_state(&self, y: &[f64], slots: &mut [f64]) {
        for (v, s) in y.iter().zip(&self.layout.states) {
            slots[s.slot as usize] = *v;
        }
    }

    /// Reads the state vector from the slots.
    pub(crate) fn store_state(&self, slots: &[f64], y: &mut [f64]) {
        for (v, s) in y.iter_mut().zip(&self.layout.states) {
            *v = slots[s.slot as usize];
        }
    }

    /// Reads the derivatives from evaluated slots.
    pub(crate) fn derivatives(&self, slots: &[f64], dy: &mut [f64]) {
        for (d, s) in dy.iter_mut().zip(&self.layout.states) {
            *d = slots[s.deriv as usize];
        }
    }

    /// The Jacobian times `v` at the state in `slots` (already evaluated):
    /// one forward-mode pass with dual numbers.
    pub(crate) fn jacobian_times(
        &self,
        slots: &[f64],
        v: &[f64],
        dual: &mut Vec<Dual>,
        stack: &mut Vec<Dual>,
        out: &mut [f64],
    ) {
        dual.clear();
        dual.extend(slots.iter().map(|&x| Dual::new(x, 0.0)));
        for (vi, s) in v.iter().zip(&self.layout.states) {
            dual[s.slot as usize].d = *vi;
        }
        self.native_dual.run(&self.rhs, dual, stack);
        for (o, s) in out.iter_mut().zip(&self.layout.states) {
            *o = dual[s.deriv as usize].d;
        }
    }

    /// Writes new symbol values (event assignments) and keeps amounts consistent:
    /// an assigned species gets the amount its new value implies at the new size.
    ///
    /// All assignments of one event act at once: a species concentration is
    /// converted with its compartment's size from before the event.
    pub(crate) fn assign(&self, slots: &mut [f64], values: &[(u32, f64)]) {
        for &(slot, v) in values {
            if let Some(sp) = self.layout.species_at(slot).filter(|s| !s.hosu) {
                slots[sp.amount as usize] = v * slots[sp.compartment as usize];
            }
        }
        for &(slot, v) in values {
            slots[slot as usize] = v;
        }
    }
}

/// Declared values: sizes, parameter values, stoichiometries and initial
/// quantities given in the form the species' math uses.
fn baseline(net: &Network, layout: &Layout) -> Vec<f64> {
    let mut b = vec![f64::NAN; layout.n_slots()];
    let mut set = |id: &str, v: f64| b[layout.index[id] as usize] = v;
    for c in &net.compartments {
        set(&c.id, c.size.unwrap_or(f64::NAN));
    }
    for p in &net.parameters {
        set(&p.id, p.value.unwrap_or(f64::NAN));
    }
    for s in &net.species {
        match (s.initial, s.has_only_substance_units) {
            (InitialQuantity::Amount(a), true) | (InitialQuantity::Concentration(a), false) => {
                set(&s.id, a)
            }
            _ => {}
        }
    }
    for r in &net.reactions {
        for sr in r.reactants.iter().chain(&r.products) {
            if let Some(id) = &sr.id {
                set(id, sr.stoichiometry.unwrap_or(1.0));
            }
        }
    }
    b[TIME as usize] = 0.0;
    b
}

fn node(e: &Expr, target: u32, layout: &Layout, context: &str) -> Result<Node> {
    let mut code = Vec::new();
    emit_store(e, target, layout, context, &mut code)?;
    Ok(Node { target, code })
}

/// Nodes computing reaction rates and state derivatives.
fn rate_and_derivative_nodes(net: &Network, layout: &Layout, jumps: &[bool]) -> Result<Vec<Node>> {
    let mut nodes = Vec::new();
    for r in &net.reactions {
        let slot = layout.index[&r.id];
        let law = r.rate.clone().unwrap_or(Expr::Num(0.0));
        nodes.push(node(
            &law,
            slot,
            layout,
            &format!("kinetic law of reaction '{}'", r.id),
        )?);
    }
    for (sp, decl) in layout.species.iter().zip(&net.species) {
        let Some(state) = sp.state else { continue };
        let e = species_derivative(net, layout, &decl.id, sp.value, jumps)?;
        let deriv = layout.states[state].deriv;
        nodes.push(node(
            &e,
            deriv,
            layout,
            &format!("rate of change of species '{}'", decl.id),
        )?);
    }
    for (&slot, &rule) in &layout.rate_ruled {
        if layout.kinds[slot as usize] == Kind::Species {
            continue;
        }
        let deriv = layout.states[layout.state_of[&slot]].deriv;
        let context = format!("rate rule for '{}'", layout.name(slot));
        nodes.push(node(net.rules[rule].math(), deriv, layout, &context)?);
    }
    Ok(nodes)
}

/// d(amount)/dt of a species: its rate rule, or the sum of reaction terms.
fn species_derivative(
    net: &Network,
    layout: &Layout,
    id: &str,
    slot: u32,
    jumps: &[bool],
) -> Result<Expr> {
    let decl = net
        .species
        .iter()
        .find(|s| s.id == id)
        .expect("species of the layout");
    if let Some(&rule) = layout.rate_ruled.get(&slot) {
        let rate = net.rules[rule].math().clone();
        if decl.has_only_substance_units {
            return Ok(rate);
        }
        // d(c·V)/dt = V·dc/dt + c·dV/dt
        let comp = Expr::sym(&decl.compartment);
        let mut terms = vec![Expr::apply(Op::Times, vec![rate, comp])];
        let comp_slot = layout.index[&decl.compartment];
        if layout.state_of.contains_key(&comp_slot) {
            terms.push(Expr::apply(
                Op::Times,
                vec![Expr::sym(id), Expr::RateOf(decl.compartment.clone())],
            ));
        }
        return Ok(Expr::apply(Op::Plus, terms));
    }
    if decl.boundary_condition {
        return Ok(Expr::Num(0.0));
    }
    let (mut made, mut used) = (Vec::new(), Vec::new());
    let flows = net
        .reactions
        .iter()
        .enumerate()
        .filter(|(j, r)| r.rate.is_some() && !jumps.get(*j).copied().unwrap_or(false));
    for (_, r) in flows {
        for (refs, out) in [(&r.products, &mut made), (&r.reactants, &mut used)] {
            for sr in refs.iter().filter(|sr| sr.species == id) {
                let stoich = match &sr.id {
                    Some(sid) => Expr::sym(sid),
                    None => Expr::Num(sr.stoichiometry.unwrap_or(1.0)),
                };
                out.push(Expr::apply(Op::Times, vec![stoich, Expr::sym(&r.id)]));
            }
        }
    }
    let net_rate = Expr::apply(
        Op::Minus,
        vec![Expr::apply(Op::Plus, made), Expr::apply(Op::Plus, used)],
    );
    Ok(
        match decl
            .conversion_factor
            .as_ref()
            .or(net.conversion_factor.as_ref())
        {
            Some(cf) => Expr::apply(Op::Times, vec![net_rate, Expr::sym(cf)]),
            None => net_rate,
        },
    )
}

/// Nodes computing species values from their amounts, and assignment rules.
pub(crate) fn value_nodes(net: &Network, layout: &Layout) -> Result<Vec<Node>> {
    let mut nodes = Vec::new();
    for sp in layout
        .species
        .iter()
        .filter(|s| (s.state.is_some() || s.held) && !s.hosu)
    {
        let code = vec![
            Instr::Load(sp.amount),
            Instr::Load(sp.compartment),
            Instr::Div,
            Instr::Store(sp.value),
        ];
        nodes.push(Node {
            target: sp.value,
            code,
        });
    }
    for rule in &net.rules {
        if let Rule::Assignment { variable, math } = rule {
            let target = layout.index[variable];
            let ctx = format!("assignment rule for '{variable}'");
            nodes.push(node(math, target, layout, &ctx)?);
        }
    }
    Ok(nodes)
}

/// The right-hand side's computations, each after what it reads.
fn rhs_nodes(net: &Network, layout: &Layout, jumps: &[bool]) -> Result<Vec<Node>> {
    let mut nodes = value_nodes(net, layout)?;
    nodes.extend(rate_and_derivative_nodes(net, layout, jumps)?);
    topological(nodes, |s| layout.name(s))
}

/// Values at t0 of everything not given as a plain declared value.
fn init_program(net: &Network, layout: &Layout, jumps: &[bool]) -> Result<Program> {
    let mut nodes = Vec::new();
    let mut defined = std::collections::HashSet::new();
    for ia in &net.initial_assignments {
        let target =
            layout
                .index
                .get(&ia.symbol)
                .copied()
                .ok_or_else(|| EngineError::UnknownSymbol {
                    symbol: ia.symbol.clone(),
                    context: "an initial assignment".into(),
                })?;
        if !defined.insert(target) {
            return Err(EngineError::OverDetermined {
                symbol: ia.symbol.clone(),
            });
        }
        nodes.push(node(
            &ia.math,
            target,
            layout,
            &format!("initial assignment to '{}'", ia.symbol),
        )?);
    }
    for rule in &net.rules {
        if let Rule::Assignment { variable, math } = rule {
            let target = layout.index[variable];
            if defined.insert(target) {
                nodes.push(node(
                    math,
                    target,
                    layout,
                    &format!("assignment rule for '{variable}'"),
                )?);
            }
        }
    }
    for s in &net.species {
        let target = layout.index[&s.id];
        if defined.contains(&target) {
            continue;
        }
        let comp = Expr::sym(&s.compartment);
        let e = match (s.initial, s.has_only_substance_units) {
            (InitialQuantity::Amount(a), false) => {
                Expr::apply(Op::Divide, vec![Expr::Num(a), comp])
            }
            (InitialQuantity::Concentration(c), true) => {
                Expr::apply(Op::Times, vec![Expr::Num(c), comp])
            }
            _ => continue,
        };
        nodes.push(node(
            &e,
            target,
            layout,
            &format!("initial value of species '{}'", s.id),
        )?);
    }
    nodes.extend(rate_and_derivative_nodes(net, layout, jumps)?);
    let order = topological(nodes, |s| layout.name(s))?;
    Ok(Program::new(
        order.into_iter().flat_map(|n| n.code).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::WARM;

    /// The right-hand side of an ordinary model (Michaelis–Menten uptake,
    /// an exponential decay) is compiled once it has run often enough, on
    /// numbers and on dual numbers, and the compiled code computes every
    /// slot as the interpreter does, bit for bit.
    #[test]
    fn the_right_hand_side_runs_as_machine_code_with_the_interpreters_values() -> Result<()> {
        let mut net = Network::well_mixed(&[("A", 7.0), ("B", 0.5)]);
        net.add_parameter("v", 1.3);
        net.add_parameter("km", 0.2);
        let law = |text: &str| text.parse::<Expr>().expect("parses");
        net.add_reaction(
            "uptake",
            &[("A", 1.0)],
            &[("B", 1.0)],
            law("v * A / (km + A)"),
        );
        net.add_reaction("decay", &[("B", 1.0)], &[], law("exp(-0.1 * B) * B"));
        let system = System::new(&net)?;
        if !crate::vm::native_enabled() {
            return Ok(());
        }
        let mut stack = Vec::new();
        let mut slots = system.initial_slots(0.0, &[], &mut stack);
        slots[1..].iter_mut().for_each(|x| *x *= 1.01);
        let states = system.layout.states.clone();
        let v: Vec<f64> = (0..states.len()).map(|k| 0.5 + k as f64).collect();
        let (mut dual, mut dstack) = (Vec::new(), Vec::new());
        let mut runs = |system: &System| {
            let mut evaluated = slots.clone();
            system.evaluate(&mut evaluated, &mut stack);
            let mut jv = vec![0.0; states.len()];
            system.jacobian_times(&evaluated, &v, &mut dual, &mut dstack, &mut jv);
            let bits = |s: &[f64]| s.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            (bits(&evaluated), bits(&jv))
        };
        let interpreted = runs(&system);
        assert!(
            system.native.get(system.rhs.code()).is_none(),
            "not yet warm"
        );
        // Dual numbers warm up later than plain ones.
        for _ in 0..5 * WARM {
            runs(&system);
        }
        assert!(
            system.native.get(system.rhs.code()).is_some(),
            "compiled on this host"
        );
        assert!(system.native_dual.get(system.rhs.code()).is_some());
        assert_eq!(runs(&system), interpreted);
        Ok(())
    }
}
