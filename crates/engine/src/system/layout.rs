//! Slots of a compiled network: one per symbol, plus amounts and derivatives.

use std::collections::HashMap;

use crate::compile::Resolve;
use crate::error::{EngineError, Result};
use crate::network::{Network, Rule};
use crate::vm::Instr;

/// What kind of symbol a slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Time,
    Compartment,
    Species,
    Parameter,
    SpeciesReference,
    Reaction,
    Amount,
    Derivative,
}

/// A species' place in the slots.
#[derive(Debug, Clone)]
pub(crate) struct SpeciesSlots {
    /// The symbol slot (concentration, or amount when `hosu`).
    pub value: u32,
    /// The slot holding its amount (equal to `value` when `hosu`).
    pub amount: u32,
    /// Its compartment's slot.
    pub compartment: u32,
    pub hosu: bool,
    /// Index in the state vector, if the amount is integrated or changed by events.
    pub state: Option<usize>,
    /// Whether the amount is held in its slot outside the state vector (a
    /// hybrid method's discrete species: changed only by jumps and events).
    pub held: bool,
}

/// A state variable: integrated by the ODE solver.
#[derive(Debug, Clone)]
pub(crate) struct StateVar {
    /// The slot holding its value (an amount slot for species).
    pub slot: u32,
    /// The slot holding its derivative.
    pub deriv: u32,
}

/// The slot layout of a network.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub names: Vec<String>,
    pub kinds: Vec<Kind>,
    pub index: HashMap<String, u32>,
    pub species: Vec<SpeciesSlots>,
    pub states: Vec<StateVar>,
    /// State index by symbol slot (for compartments, parameters, species).
    pub state_of: HashMap<u32, usize>,
    /// Symbols set by assignment rules.
    pub assigned: HashMap<u32, usize>,
    /// Symbols set by rate rules.
    pub rate_ruled: HashMap<u32, usize>,
}

pub(crate) const TIME: u32 = 0;

impl Layout {
    /// The layout of `net`; species flagged in `held` (by index; missing
    /// flags are false) keep their amounts outside the state vector.
    pub fn new(net: &Network, held: &[bool]) -> Result<Self> {
        let mut l = Layout {
            names: vec!["time".into()],
            kinds: vec![Kind::Time],
            index: HashMap::new(),
            species: Vec::new(),
            states: Vec::new(),
            state_of: HashMap::new(),
            assigned: HashMap::new(),
            rate_ruled: HashMap::new(),
        };
        for c in &net.compartments {
            l.add(&c.id, Kind::Compartment)?;
        }
        for s in &net.species {
            l.add(&s.id, Kind::Species)?;
        }
        for p in &net.parameters {
            l.add(&p.id, Kind::Parameter)?;
        }
        for r in &net.reactions {
            for sr in r.reactants.iter().chain(&r.products) {
                if let Some(id) = &sr.id {
                    l.add(id, Kind::SpeciesReference)?;
                }
            }
        }
        for r in &net.reactions {
            l.add(&r.id, Kind::Reaction)?;
        }
        l.index_rules(net)?;
        l.add_states(net, held)?;
        Ok(l)
    }

    fn add(&mut self, id: &str, kind: Kind) -> Result<u32> {
        let slot = self.push(id.to_string(), kind);
        if self.index.insert(id.to_string(), slot).is_some() {
            return Err(EngineError::DuplicateId { id: id.to_string() });
        }
        Ok(slot)
    }

    fn push(&mut self, name: String, kind: Kind) -> u32 {
        self.names.push(name);
        self.kinds.push(kind);
        (self.names.len() - 1) as u32
    }

    fn lookup(&self, id: &str, context: &str) -> Result<u32> {
        self.index
            .get(id)
            .copied()
            .ok_or_else(|| EngineError::UnknownSymbol {
                symbol: id.to_string(),
                context: context.to_string(),
            })
    }

    fn index_rules(&mut self, net: &Network) -> Result<()> {
        for (i, rule) in net.rules.iter().enumerate() {
            let slot = self.lookup(rule.variable(), "a rule's variable")?;
            let map = match rule {
                Rule::Assignment { .. } => &mut self.assigned,
                Rule::Rate { .. } => &mut self.rate_ruled,
            };
            if map.insert(slot, i).is_some() {
                return Err(EngineError::OverDetermined {
                    symbol: rule.variable().to_string(),
                });
            }
        }
        if let Some(slot) = self
            .assigned
            .keys()
            .find(|s| self.rate_ruled.contains_key(s))
        {
            return Err(EngineError::OverDetermined {
                symbol: self.names[*slot as usize].clone(),
            });
        }
        Ok(())
    }

    fn add_state(&mut self, slot: u32, symbol: u32) -> usize {
        let deriv = self.push(
            format!("d/dt {}", self.names[symbol as usize]),
            Kind::Derivative,
        );
        self.states.push(StateVar { slot, deriv });
        let i = self.states.len() - 1;
        self.state_of.insert(symbol, i);
        i
    }

    fn add_states(&mut self, net: &Network, held: &[bool]) -> Result<()> {
        for (i, s) in net.species.iter().enumerate() {
            let value = self.index[&s.id];
            let compartment = self.lookup(&s.compartment, &format!("species '{}'", s.id))?;
            // Constant and boundary species are states with zero derivative:
            // their amount is kept when their compartment changes size.
            let held = held.get(i).copied().unwrap_or(false);
            let is_state = !self.assigned.contains_key(&value) && !held;
            let amount = if s.has_only_substance_units {
                value
            } else {
                self.push(format!("amount of {}", s.id), Kind::Amount)
            };
            let state = is_state.then(|| self.add_state(amount, value));
            self.species.push(SpeciesSlots {
                value,
                amount,
                compartment,
                hosu: s.has_only_substance_units,
                state,
                held,
            });
        }
        let mut ruled: Vec<u32> = self.rate_ruled.keys().copied().collect();
        ruled.sort_unstable();
        for slot in ruled {
            if self.kinds[slot as usize] != Kind::Species {
                self.add_state(slot, slot);
            }
        }
        Ok(())
    }

    pub fn n_slots(&self) -> usize {
        self.names.len()
    }

    pub fn name(&self, slot: u32) -> String {
        self.names[slot as usize].clone()
    }

    /// The species record of a species symbol slot.
    pub fn species_at(&self, slot: u32) -> Option<&SpeciesSlots> {
        self.species.iter().find(|s| s.value == slot)
    }
}

impl Resolve for Layout {
    fn slot(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    fn rate_of(&self, id: &str, code: &mut Vec<Instr>) -> Result<()> {
        let slot = self.lookup(id, "rateOf")?;
        if self.assigned.contains_key(&slot) {
            return Err(EngineError::Unsupported {
                what: format!("rateOf('{id}') where '{id}' is set by an assignment rule"),
            });
        }
        let Some(&state) = self.state_of.get(&slot) else {
            code.push(Instr::Const(0.0));
            return Ok(());
        };
        code.push(Instr::Load(self.states[state].deriv));
        if let Some(sp) = self.species_at(slot).filter(|s| !s.hosu) {
            // d(A/V)/dt = (dA/dt - c·dV/dt) / V
            if let Some(&comp) = self.state_of.get(&sp.compartment) {
                code.extend([
                    Instr::Load(sp.value),
                    Instr::Load(self.states[comp].deriv),
                    Instr::Mul,
                    Instr::Sub,
                ]);
            }
            code.extend([Instr::Load(sp.compartment), Instr::Div]);
        }
        Ok(())
    }

    fn time_slot(&self) -> u32 {
        TIME
    }
}
