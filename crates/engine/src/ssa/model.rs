//! A network prepared for discrete simulation: per-reaction propensity
//! programs, state changes, the dependency graph, and input checks.

use super::jumps::Jumps;
use super::law::{law, Law};
use crate::error::{EngineError, Result};
use crate::network::Network;
use crate::system::TIME;
use crate::system::{dependency_graph, net_changes, StochReaction, System};
use crate::vm::{Factor, Instr, Jit};
use std::collections::HashMap;
use std::sync::Arc;

/// A compiled network with what stochastic methods need.
#[derive(Debug, Clone)]
pub(crate) struct Discrete {
    pub system: System,
    pub reactions: Vec<StochReaction>,
    /// The reactions whose propensity may change when `j` fires are
    /// `deps[dep_at[j]..dep_at[j + 1]]` (see [`Discrete::deps`]): all
    /// reactions' lists in one array.
    deps: Vec<usize>,
    dep_at: Vec<usize>,
    /// Reactions whose propensity reads time.
    pub timed: Vec<usize>,
    /// Species ids, for messages.
    pub species: Vec<String>,
    /// Species (by index) that reactions change.
    pub changed: Vec<usize>,
    /// The firings as flat tables, if every change is a constant.
    pub jumps: Option<Jumps>,
    /// Per reaction, how its propensity is evaluated.
    laws: Vec<Law>,
    /// Per reaction `j` whose dependents' laws are all straight-line code
    /// (no law runs its program), and more than one product or any other
    /// law (not none): their programs one after the other, to be compiled into one
    /// function once run often (see [`Discrete::refresh`]). A single product
    /// is cheaper evaluated in place (birth–death: 6 % fewer instructions
    /// than through a compiled call). Reactions whose firings change the
    /// same propensities share one (a call target the processor predicts
    /// where two taken at random would not); behind a pointer, so that the
    /// loop's check for one reads a pointer; empty if no reaction has one
    /// (birth–death: the check alone cost 4 % more instructions).
    refreshes: Vec<Option<Arc<Refresh>>>,
    /// Every reaction's program, one after the other, if every law is
    /// straight-line code (see [`Discrete::each_propensity`]).
    every: Option<Arc<Refresh>>,
}

/// Propensity programs one after the other (those a firing changes, or
/// every reaction's), and their compiled form.
#[derive(Debug, Clone)]
struct Refresh {
    code: Vec<Instr>,
    jit: Jit,
}

impl Discrete {
    /// Compiles `net` and checks that it can be simulated discretely.
    ///
    /// # Errors
    ///
    /// Compilation errors; rate rules ([`EngineError::Unsupported`]);
    /// non-integer constant stoichiometry ([`EngineError::Stoichiometry`]).
    pub fn new(net: &Network) -> Result<Self> {
        let system = System::new(net)?;
        if system.has_rate_rules() {
            return Err(EngineError::Unsupported {
                what: "rate rules in a discrete stochastic simulation".into(),
            });
        }
        let mut reactions = system.stochastic_reactions(net)?;
        let species: Vec<String> = net.species.iter().map(|s| s.id.clone()).collect();
        for r in &reactions {
            r.check_discrete(&system, |_| true)?;
        }
        let mut changed: Vec<usize> = reactions
            .iter()
            .flat_map(|r| r.changes.iter().map(|c| c.species))
            .filter(|&i| !system.species_rate_ruled(i))
            .collect();
        changed.sort_unstable();
        changed.dedup();
        for r in &mut reactions {
            r.changes = net_changes(&r.changes);
        }
        let jumps = Jumps::new(&reactions);
        let mut deps = Vec::new();
        let mut dep_at = vec![0];
        for d in dependency_graph(&reactions) {
            deps.extend(d);
            dep_at.push(deps.len());
        }
        let timed = (0..reactions.len())
            .filter(|&j| reactions[j].reads_time())
            .collect();
        let laws: Vec<Law> = reactions
            .iter()
            .map(|r| law(r.program.code(), r.slot))
            .collect();
        // Reactions that change the same propensities share one function.
        let mut shared: HashMap<&[usize], Arc<Refresh>> = HashMap::new();
        let mut refreshes: Vec<Option<Arc<Refresh>>> = Vec::with_capacity(reactions.len());
        for j in 0..reactions.len() {
            let ks = &deps[dep_at[j]..dep_at[j + 1]];
            let direct = ks.iter().all(|&k| laws[k].straight());
            let one_product = matches!(ks, [k] if matches!(laws[*k], Law::Product(_)));
            let worth = !ks.is_empty() && !one_product;
            let refresh = (direct && worth).then(|| {
                let refresh = shared.entry(ks).or_insert_with(|| {
                    let code = ks.iter().flat_map(|&k| reactions[k].program.code());
                    Arc::new(Refresh {
                        code: code.copied().collect(),
                        jit: Jit::default(),
                    })
                });
                Arc::clone(refresh)
            });
            refreshes.push(refresh);
        }
        if refreshes.iter().all(Option::is_none) {
            refreshes.clear();
        }
        let every = laws.iter().all(Law::straight).then(|| {
            let code = reactions.iter().flat_map(|r| r.program.code());
            let code = code.copied().collect();
            Arc::new(Refresh {
                code,
                jit: Jit::default(),
            })
        });
        Ok(Discrete {
            system,
            reactions,
            deps,
            dep_at,
            timed,
            species,
            changed,
            jumps,
            laws,
            refreshes,
            every,
        })
    }

    /// Checks the counts of changed species (non-negative, whole; only
    /// non-negative and finite for those `continuous` accepts) and the
    /// stoichiometries held in slots; rounds counts within 1e-9 of a whole
    /// number.
    ///
    /// # Errors
    ///
    /// [`EngineError::Count`] or [`EngineError::Stoichiometry`].
    pub fn check_start(&self, slots: &mut [f64], continuous: impl Fn(usize) -> bool) -> Result<()> {
        for &i in &self.changed {
            let v = slots[self.system.amount_slot(i) as usize];
            if !continuous(i) {
                self.system.round_count(i, slots)?;
            } else if !(v >= 0.0 && v.is_finite()) {
                return Err(EngineError::Count {
                    species: self.species[i].clone(),
                    value: v,
                });
            }
        }
        for r in &self.reactions {
            r.check_whole(&self.system, slots, |_| true)?;
        }
        Ok(())
    }

    /// The propensity of reaction `j` at the slots' state.
    ///
    /// # Errors
    ///
    /// [`EngineError::Propensity`] if it is negative, infinite or NaN.
    #[inline(always)]
    pub fn propensity(&self, j: usize, slots: &mut [f64], stack: &mut Vec<f64>) -> Result<f64> {
        let r = &self.reactions[j];
        let a = self.laws[j].eval(&r.program, r.slot, slots, stack);
        self.checked(j, slots[0], a)
    }

    /// Propensity `a` of reaction `j` at `time`, if non-negative and finite.
    #[inline(always)]
    fn checked(&self, j: usize, time: f64, a: f64) -> Result<f64> {
        if valid(a) {
            Ok(a)
        } else {
            Err(self.bad_propensity(j, time, a))
        }
    }

    /// Recomputes the propensities that firing `j` may have changed (those
    /// of [`Discrete::deps`]), in order, passing each to `set`. Once run
    /// often, by one compiled function for all of them (where every one is
    /// straight-line code and the host has a code generator): one call
    /// instead of a dispatch per propensity, with the same values bit for
    /// bit.
    ///
    /// # Errors
    ///
    /// As [`Discrete::propensity`], for the first bad propensity.
    #[inline(always)]
    pub fn refresh(
        &self,
        j: usize,
        slots: &mut [f64],
        stack: &mut Vec<f64>,
        mut set: impl FnMut(usize, f64),
    ) -> Result<()> {
        let native = (self.refreshes.get(j))
            .and_then(Option::as_deref)
            .and_then(|r| r.jit.get(&r.code));
        match native {
            Some(native) => {
                native.run(slots);
                for &k in self.deps(j) {
                    let a = slots[self.reactions[k].slot as usize];
                    set(k, self.checked(k, slots[0], a)?);
                }
            }
            None => {
                for &k in self.deps(j) {
                    set(k, self.propensity(k, slots, stack)?);
                }
            }
        }
        Ok(())
    }

    /// The propensities of the reactions `want` accepts, in order, each
    /// passed to `each` as [`Discrete::propensity`] gives it. Once run
    /// often, by one compiled function for every reaction (where every law
    /// is straight-line code and the host has a code generator): one call
    /// instead of a dispatch per propensity, with the same values bit for
    /// bit, computing the propensities `want` refuses as well (it writes
    /// every rate slot).
    #[inline(always)]
    pub fn each_propensity(
        &self,
        slots: &mut [f64],
        stack: &mut Vec<f64>,
        want: impl Fn(usize) -> bool,
        mut each: impl FnMut(usize, Result<f64>),
    ) {
        let native = (self.every.as_deref()).and_then(|r| r.jit.get(&r.code));
        match native {
            Some(native) => {
                native.run(slots);
                for (k, r) in self.reactions.iter().enumerate() {
                    if want(k) {
                        let a = slots[r.slot as usize];
                        each(k, self.checked(k, slots[0], a));
                    }
                }
            }
            None => {
                for k in (0..self.reactions.len()).filter(|&k| want(k)) {
                    each(k, self.propensity(k, slots, stack));
                }
            }
        }
    }

    /// Every propensity, in order, passed to `set`.
    ///
    /// # Errors
    ///
    /// As [`Discrete::propensity`], for the first bad propensity (those
    /// after it are passed on if good).
    #[inline(always)]
    pub fn refresh_every(
        &self,
        slots: &mut [f64],
        stack: &mut Vec<f64>,
        mut set: impl FnMut(usize, f64),
    ) -> Result<()> {
        let mut first = Ok(());
        self.each_propensity(
            slots,
            stack,
            |_| true,
            |k, a| match a {
                Ok(a) => set(k, a),
                Err(e) => {
                    if first.is_ok() {
                        first = Err(e);
                    }
                }
            },
        );
        first
    }

    /// Whether every propensity is computed from the slots it reads
    /// directly (no law runs its program): evaluating one then writes only
    /// the reaction's own rate slot, and reads only species amounts,
    /// constants and time (a law reading a rule or a species' concentration
    /// computes it first, so runs its program).
    pub fn direct_laws(&self) -> bool {
        self.laws.iter().all(Law::straight)
    }

    /// Whether reaction `j`'s propensity is `k·x` for the amount in slot
    /// `x`, with `k` the same at every state: a product with `x` once and
    /// otherwise only numbers and slots that neither firings nor time
    /// change (parameters and sizes, which only events could change).
    pub fn first_order(&self, j: usize, x: u32) -> bool {
        let Law::Product(p) = &self.laws[j] else {
            return false;
        };
        let factors = p.factors();
        let amounts = (0..self.species.len()).map(|i| self.system.amount_slot(i));
        let moving: Vec<u32> = std::iter::once(TIME).chain(amounts).collect();
        let x_once = factors.iter().filter(|&&f| f == Factor::Slot(x)).count() == 1;
        x_once
            && factors.iter().all(|f| match *f {
                Factor::Num(_) => true,
                Factor::Slot(s) => s == x || !moving.contains(&s),
            })
    }

    #[cold]
    fn bad_propensity(&self, j: usize, time: f64, value: f64) -> EngineError {
        EngineError::Propensity {
            reaction: self.reactions[j].id.clone(),
            time,
            value,
        }
    }

    /// The reactions whose propensity may change when `j` fires, in
    /// ascending order.
    #[inline(always)]
    pub fn deps(&self, j: usize) -> &[usize] {
        &self.deps[self.dep_at[j]..self.dep_at[j + 1]]
    }

    /// Fires reaction `j` `k` times.
    #[inline]
    pub fn fire(&self, j: usize, k: f64, slots: &mut [f64]) {
        self.reactions[j].fire(k, slots);
    }
}

/// Whether a propensity is non-negative and finite, in one comparison of
/// the bits: those of +0 and of positive finite numbers order below +∞'s,
/// negative numbers' and NaNs' above (adding 0 turns −0 into +0). Written as
/// two float comparisons, it compiled to 19 instructions.
#[inline(always)]
fn valid(a: f64) -> bool {
    (a + 0.0).to_bits() < f64::INFINITY.to_bits()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Expr;
    use crate::system::Stoich;

    /// A + B -> C at 1.7·k·A·B (a product) and C -> 0 at C/(1 + C) (not one,
    /// a closure).
    fn network() -> Network {
        let mut net = Network::well_mixed(&[("A", 7.0), ("B", 11.0), ("C", 5.0)]);
        net.add_parameter("k", 0.3);
        let law = |text: &str| text.parse::<Expr>().expect("parses");
        net.add_reaction(
            "bind",
            &[("A", 1.0), ("B", 1.0)],
            &[("C", 1.0)],
            law("1.7 * k * A * B"),
        );
        net.add_reaction("decay", &[("C", 1.0)], &[], law("C / (1 + C)"));
        net
    }

    #[test]
    fn products_and_closures_evaluate_exactly_as_their_programs() -> Result<()> {
        let model = Discrete::new(&network())?;
        assert!(matches!(
            model.laws[0],
            Law::Product(crate::vm::Product::ScaledThree(..))
        ));
        assert!(matches!(model.laws[1], Law::Closure(..)));
        let mut stack = Vec::new();
        let mut slots = model.system.initial_slots(0.0, &[], &mut stack);
        let fast = model.propensity(0, &mut slots, &mut stack)?;
        let r = &model.reactions[0];
        r.program.run(&mut slots, &mut stack);
        let slow = slots[r.slot as usize];
        assert_eq!(fast.to_bits(), slow.to_bits());
        assert_eq!(fast, 1.7 * 0.3 * 7.0 * 11.0);
        let closure = model.propensity(1, &mut slots, &mut stack)?;
        let r = &model.reactions[1];
        r.program.run(&mut slots, &mut stack);
        assert_eq!(closure.to_bits(), slots[r.slot as usize].to_bits());
        assert_eq!(closure, 5.0 / 6.0);
        // Once warm, the law runs as machine code, with the same value.
        if !crate::vm::native_enabled() {
            return Ok(());
        }
        for _ in 0..=crate::vm::WARM {
            model.propensity(1, &mut slots, &mut stack)?;
        }
        let Law::Closure(_, jit) = &model.laws[1] else {
            panic!("a closure law");
        };
        assert!(jit.get(r.program.code()).is_some(), "compiled on this host");
        let compiled = model.propensity(1, &mut slots, &mut stack)?;
        assert_eq!(compiled.to_bits(), closure.to_bits());
        Ok(())
    }

    /// What `refresh` passes on for reaction `j` and the slots it leaves,
    /// against the laws' own values and slots from the same state.
    fn refreshed(model: &Discrete, j: usize, slots: &mut [f64]) -> Result<[Vec<u64>; 2]> {
        let mut stack = Vec::new();
        let mut per_law = slots.to_vec();
        let mut got = Vec::new();
        model.refresh(j, slots, &mut stack, |k, a| got.push((k, a)))?;
        assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), model.deps(j));
        let mut want = Vec::new();
        for &k in model.deps(j) {
            want.push(model.propensity(k, &mut per_law, &mut stack)?.to_bits());
        }
        let bits = |s: &[f64]| s.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(slots),
            bits(&per_law),
            "reaction {j}: the slots written"
        );
        let got = got.iter().map(|g| g.1.to_bits()).collect();
        Ok([got, want])
    }

    #[test]
    fn compiled_refreshes_give_the_laws_values_and_errors() -> Result<()> {
        // bind changes A, B and C: both laws (a product and a closure) in
        // one function; decay changes C: its closure alone, also compiled.
        let model = Discrete::new(&network())?;
        assert!(model.refreshes.iter().all(Option::is_some));
        let mut stack = Vec::new();
        let mut slots = model.system.initial_slots(0.0, &[], &mut stack);
        let [a, c] = [0, 2].map(|i| model.system.amount_slot(i) as usize);
        let compiled = |j: usize| {
            let r = model.refreshes[j].as_deref().expect("a refresh");
            r.jit.get(&r.code).is_some()
        };
        let mut rounds = 0;
        // Until compiled (interpreted if the host cannot), then 50 more.
        for round in 0..=crate::vm::WARM + 50 {
            for j in 0..2 {
                let [got, want] = refreshed(&model, j, &mut slots)?;
                assert_eq!(got, want, "reaction {j}, round {round}");
            }
            // Move the state so that the values differ from round to round.
            slots[a] = f64::from(7 + round % 5);
            slots[c] = f64::from(round % 7);
            rounds += usize::from(compiled(0) && compiled(1));
        }
        if crate::vm::native_enabled() {
            assert!(rounds >= 50, "compiled on this host: {rounds} rounds");
        }
        // A propensity that turns negative is reported by its reaction, the
        // first in order when two do: C = −0.5 makes decay's C/(1 + C) = −1,
        // and A = −1 makes bind's negative too.
        slots[c] = -0.5;
        match model.refresh(1, &mut slots, &mut stack, |_, _| ()) {
            Err(EngineError::Propensity {
                reaction, value, ..
            }) => {
                assert_eq!((reaction.as_str(), value), ("decay", -1.0));
            }
            other => panic!("expected a propensity error, got {other:?}"),
        }
        slots[a] = -1.0;
        match model.refresh(0, &mut slots, &mut stack, |_, _| ()) {
            Err(EngineError::Propensity { reaction, .. }) => assert_eq!(reaction, "bind"),
            other => panic!("expected a propensity error, got {other:?}"),
        }
        Ok(())
    }

    #[test]
    fn every_propensity_compiled_is_each_laws_value_and_error() -> Result<()> {
        let model = Discrete::new(&network())?;
        let mut stack = Vec::new();
        let mut slots = model.system.initial_slots(0.0, &[], &mut stack);
        let [a, c] = [0, 2].map(|i| model.system.amount_slot(i) as usize);
        let every = model.every.as_deref().expect("straight-line laws");
        let mut rounds = 0;
        // Until compiled (interpreted if the host cannot), then 50 more.
        for round in 0..=crate::vm::WARM + 50 {
            let mut per_law = slots.clone();
            let want: Vec<u64> = (0..2)
                .map(|k| {
                    model
                        .propensity(k, &mut per_law, &mut stack)
                        .map(f64::to_bits)
                })
                .collect::<Result<_>>()?;
            let mut got = Vec::new();
            model.refresh_every(&mut slots, &mut stack, |k, x| got.push((k, x.to_bits())))?;
            assert_eq!(got, [(0, want[0]), (1, want[1])], "round {round}");
            // Only what `want` accepts is passed on.
            let mut only = Vec::new();
            model.each_propensity(
                &mut slots,
                &mut stack,
                |k| k == 1,
                |k, x| only.push((k, x.ok())),
            );
            assert_eq!(only, [(1, Some(f64::from_bits(want[1])))]);
            slots[a] = f64::from(7 + round % 5);
            slots[c] = f64::from(round % 7);
            rounds += usize::from(every.jit.get(&every.code).is_some());
        }
        if crate::vm::native_enabled() {
            assert!(rounds >= 50, "compiled on this host: {rounds} rounds");
        }
        // C = −0.5 makes decay's C/(1 + C) = −1, and A = −1 makes bind's
        // negative too: the first is reported, the second passed on as an error.
        slots[c] = -0.5;
        slots[a] = -1.0;
        let mut errors = Vec::new();
        model.each_propensity(&mut slots, &mut stack, |_| true, |k, x| errors.push((k, x)));
        assert!(
            matches!(&errors[..], [(0, Err(_)), (1, Err(EngineError::Propensity { value, .. }))] if *value == -1.0)
        );
        match model.refresh_every(&mut slots, &mut stack, |_, _| ()) {
            Err(EngineError::Propensity { reaction, .. }) => assert_eq!(reaction, "bind"),
            other => panic!("expected a propensity error, got {other:?}"),
        }
        // A bad propensity before a good one: the good one is passed on and
        // the bad one reported, compiled (this model) and interpreted (a
        // fresh one, cold).
        slots[c] = 5.0;
        for model in [&model, &Discrete::new(&network())?] {
            let mut set = Vec::new();
            match model.refresh_every(&mut slots, &mut stack, |k, x| set.push((k, x))) {
                Err(EngineError::Propensity { reaction, .. }) => assert_eq!(reaction, "bind"),
                other => panic!("expected a propensity error, got {other:?}"),
            }
            assert_eq!(set, [(1, 5.0 / 6.0)]);
        }
        Ok(())
    }

    #[test]
    fn firings_that_change_the_same_propensities_share_one_function() -> Result<()> {
        // Birth and death both change X, which both laws read.
        let mut net = Network::well_mixed(&[("X", 5.0)]);
        let law = |text: &str| text.parse::<Expr>().expect("parses");
        net.add_reaction("birth", &[], &[("X", 1.0)], law("X * (1 - X / 100)"));
        net.add_reaction("death", &[("X", 1.0)], &[], law("0.1 * X"));
        let model = Discrete::new(&net)?;
        let [Some(birth), Some(death)] = &model.refreshes[..] else {
            panic!("both compiled: {:?}", model.refreshes);
        };
        assert!(Arc::ptr_eq(birth, death));
        Ok(())
    }

    #[test]
    fn refreshes_only_where_they_pay() -> Result<()> {
        let law = |text: &str| text.parse::<Expr>().expect("parses");
        // 0 -> X at 10, X -> 0 at 0.1·X: each firing changes one product.
        let mut net = Network::well_mixed(&[("X", 5.0), ("Y", 1.0), ("Z", 0.0)]);
        net.add_reaction("birth", &[], &[("X", 1.0)], law("10"));
        net.add_reaction("death", &[("X", 1.0)], &[], law("0.1 * X"));
        assert!(Discrete::new(&net)?.refreshes.is_empty());
        // A law with a branch runs its program: the firings that change Y,
        // which it reads, are not compiled; 0 -> Z at 2 changes nothing any
        // law reads, so it has nothing to compile.
        net.add_reaction(
            "grow",
            &[("Y", 1.0)],
            &[("Y", 2.0)],
            law("piecewise(Y, Y < 50, 0)"),
        );
        net.add_reaction("die", &[("Y", 1.0)], &[], law("0.2 * Y"));
        net.add_reaction("make", &[], &[("Z", 1.0)], law("2"));
        let model = Discrete::new(&net)?;
        assert!(matches!(model.laws[2], Law::Program(_)));
        assert_eq!(model.deps(2), [2, 3]);
        assert_eq!(model.deps(4), [] as [usize; 0]);
        // Without the branch, grow and die would be compiled together.
        assert!(model.refreshes.is_empty());
        Ok(())
    }

    #[test]
    fn catalysts_cancel_out_of_changes_and_dependencies() -> Result<()> {
        let mut net = network();
        // C -> C + 2 A: C is a catalyst.
        net.add_reaction(
            "make",
            &[("C", 1.0)],
            &[("C", 1.0), ("A", 2.0)],
            Expr::sym("C"),
        );
        let model = Discrete::new(&net)?;
        let make = &model.reactions[2];
        assert_eq!(make.changes.len(), 1);
        assert_eq!(make.changes[0].stoich, Stoich::Const(2.0));
        assert_eq!(make.changes[0].sign, 1.0);
        // Only `bind` reads A; `decay` and `make` read C, which `make` leaves alone.
        assert_eq!(model.deps(2), [0]);
        // bind changes A, B and C: everything reading them.
        assert_eq!(model.deps(0), [0, 1, 2]);
        let mut stack = Vec::new();
        let mut slots = model.system.initial_slots(0.0, &[], &mut stack);
        model.fire(2, 3.0, &mut slots);
        let a = model.system.observable("A", true).expect("species");
        let c = model.system.observable("C", true).expect("species");
        assert_eq!(model.system.read(a, &slots), 7.0 + 6.0);
        assert_eq!(model.system.read(c, &slots), 5.0);
        Ok(())
    }
}
