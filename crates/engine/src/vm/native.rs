//! Programs compiled to machine code with Cranelift, for the hot paths
//! that run one program millions of times: the ODE right-hand side, its
//! Jacobian-vector products (on dual numbers) and the stochastic
//! propensities.
//!
//! The stack code is translated as it stands: the top of the stack and each
//! stack position become SSA variables (two per value on dual numbers: the
//! value and the derivative), slots are loads and stores through the one
//! pointer argument, and jumps (piecewise) become branches. Every
//! arithmetic operation is the IEEE one the interpreter performs, in the
//! same order and without fused multiply–adds (on dual numbers, the
//! formulas of [`Dual`]'s operators); powers, functions and the
//! `min`/`max`/`rem`/logical operators call the interpreter's own Rust
//! functions. So a compiled program gives the interpreter's values bit for
//! bit (a NaN's sign and payload aside, which either compiler may change),
//! which the tests check on random programs.
//!
//! Compilation is best effort: on a host Cranelift has no back end for, when
//! the environment variable `SENMET_JIT` is `off` (see [`enabled`]), or for code of a shape
//! the translator does not take, [`compile`] returns `None` and the program
//! runs interpreted. It is also lazy ([`Jit`]): a program is compiled once
//! it has run about as often as repays compiling it ([`WARM`]), so short
//! simulations (a single time course, most SBML test cases) never pay for
//! it.

// The one module with unsafe code: calling the generated function and
// freeing its memory. Each use states why it is sound.
#![allow(unsafe_code)]

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::types::F64;
use cranelift_codegen::ir::{
    AbiParam, Block, InstBuilder, MemFlagsData, Signature, StackSlot, StackSlotData, StackSlotKind,
    Type, Value,
};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Module};

use super::{bin, Bin, Cmp, Instr, Program};
use crate::scalar::{Dual, Fn1, Scalar};

/// The generated function: reads and writes the slots through the pointer
/// (to `f64`s, or to [`Dual`]s as pairs of `f64`), returns what the
/// interpreter's `run` returns (its value part on dual numbers).
type Entry = unsafe extern "C" fn(*mut f64) -> f64;

/// A program compiled to machine code, running on `f64` or [`Dual`] slots.
pub(crate) struct Native<N = f64> {
    entry: Entry,
    /// One past the highest slot the code reads or writes.
    len: usize,
    /// Owns the memory `entry` points into.
    _code: Arc<Code>,
    number: PhantomData<N>,
}

impl<N> Clone for Native<N> {
    fn clone(&self) -> Self {
        Native {
            entry: self.entry,
            len: self.len,
            _code: Arc::clone(&self._code),
            number: PhantomData,
        }
    }
}

impl<N> std::fmt::Debug for Native<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Native").field("len", &self.len).finish()
    }
}

/// The numbers a program can be compiled for.
///
/// # Safety
///
/// `Self` must be `WIDTH` `f64`s in a row, 8-byte aligned: [`Native::run`]
/// passes a slice of them to code that reads and writes them as such.
pub(crate) unsafe trait Lanes: Sized {
    /// `f64`s per number.
    const WIDTH: usize;
    /// Interpreted runs before compiling.
    const WARM: u32;
}

// SAFETY: one f64.
unsafe impl Lanes for f64 {
    const WIDTH: usize = 1;
    const WARM: u32 = WARM;
}

// SAFETY: `Dual` is `#[repr(C)]`: its value, then its derivative (checked
// below).
unsafe impl Lanes for Dual {
    const WIDTH: usize = 2;
    const WARM: u32 = WARM_DUAL;
}

const _: () = assert!(
    std::mem::size_of::<Dual>() == 16 && std::mem::align_of::<Dual>() == 8,
    "Dual is two f64s"
);

impl<N: Lanes> Native<N> {
    /// Runs the program over `slots`, as [`super::Program::run`] would
    /// (returning the value part on dual numbers).
    ///
    /// # Panics
    ///
    /// If `slots` is shorter than the program's slots (the interpreter would
    /// index out of bounds in the same case).
    #[inline]
    pub fn run(&self, slots: &mut [N]) -> f64 {
        assert!(slots.len() >= self.len, "slots shorter than the program's");
        // SAFETY: `entry` was compiled for `N::WIDTH` f64s per slot (the
        // layout of `N`: `f64`, or `Dual`, `#[repr(C)]` of two `f64`s) from
        // stack code whose slot indices are all below `len`, so it reads
        // and writes only within `slots`; it holds no other pointer and
        // keeps no state (its scratch lives in its own stack frame). Its
        // memory lives as long as `_code`, which `self` holds.
        unsafe { (self.entry)(slots.as_mut_ptr().cast::<f64>()) }
    }
}

/// Interpreted runs of a program on `f64`s before it is compiled: about
/// as many as repay compiling it. chain50's right-hand side takes 22 M
/// instructions to compile, and each compiled run saves about 10 k of the
/// interpreter's 11 k (callgrind); both grow with the program's length.
pub(crate) const WARM: u32 = 2_000;

/// As [`WARM`], on dual numbers: compiling chain50's right-hand side for
/// them takes 71 M instructions, and each compiled run saves about 11 k.
const WARM_DUAL: u32 = 5_000;

/// A program's compiled form, made on its [`Lanes::WARM`]th run; shared by
/// the threads that run the program.
pub(crate) struct Jit<N = f64> {
    runs: AtomicU32,
    native: OnceLock<Option<Native<N>>>,
}

impl<N> Default for Jit<N> {
    fn default() -> Self {
        Jit {
            runs: AtomicU32::new(0),
            native: OnceLock::new(),
        }
    }
}

impl<N> Clone for Jit<N> {
    fn clone(&self) -> Self {
        Jit {
            runs: AtomicU32::new(self.runs.load(Ordering::Relaxed)),
            native: self.native.clone(),
        }
    }
}

impl<N> std::fmt::Debug for Jit<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.native.get() {
            None => "interpreted",
            Some(Some(_)) => "compiled",
            Some(None) => "not compilable",
        };
        f.debug_struct("Jit")
            .field("runs", &self.runs.load(Ordering::Relaxed))
            .field("state", &state)
            .finish()
    }
}

impl<N: Lanes> Jit<N> {
    /// The compiled form of `code` (the program this `Jit` belongs to), once
    /// the program has run often enough; `None` before, or if it cannot be
    /// compiled (the caller then interprets it).
    #[inline]
    pub fn get(&self, code: &[Instr]) -> Option<&Native<N>> {
        match self.native.get() {
            Some(native) => native.as_ref(),
            None => self.warm(code),
        }
    }

    /// Runs `program` (the one this `Jit` belongs to) over `slots`: as
    /// machine code once warm, else interpreted. Either way only its stores
    /// are its effect (its value is not returned).
    #[inline]
    pub fn run(&self, program: &Program, slots: &mut [N], stack: &mut Vec<N>)
    where
        N: Scalar,
    {
        match self.get(program.code()) {
            Some(native) => {
                native.run(slots);
            }
            None => {
                program.run(slots, stack);
            }
        }
    }

    fn warm(&self, code: &[Instr]) -> Option<&Native<N>> {
        if self.runs.fetch_add(1, Ordering::Relaxed) < N::WARM {
            return None;
        }
        self.native.get_or_init(|| compile(code)).as_ref()
    }
}

/// The module that owns the generated code; frees it when the last
/// [`Native`] pointing into it is dropped.
struct Code(Mutex<Option<JITModule>>);

impl Drop for Code {
    fn drop(&mut self) {
        let module = match self.0.get_mut() {
            Ok(m) => m.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(module) = module {
            // SAFETY: the only pointer into this memory is the `entry` of
            // the `Native`s holding this `Code` through an `Arc`; the last of
            // them is gone, so no function from it runs or will run.
            unsafe { module.free_memory() };
        }
    }
}

/// Whether compilation is switched on: `SENMET_JIT` unset, or anything but
/// `off`, `0`, `false` or `no` (any case, surrounding spaces ignored).
pub(crate) fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        std::env::var("SENMET_JIT").map_or(true, |v| {
            !matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "off" | "0" | "false" | "no"
            )
        })
    })
}

/// Compiles plain stack code (as [`crate::compile`] emits it, before
/// fusing) for `N` slots; `None` if compilation is off, the host is not
/// supported, or the code has a shape the translator does not take.
pub(crate) fn compile<N: Lanes>(code: &[Instr]) -> Option<Native<N>> {
    if !enabled() {
        return None;
    }
    // Cranelift reports most failures as errors, but on some hosts it
    // panics (a refused instruction-cache flush on aarch64 or riscv64):
    // either way the program stays interpreted.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(code)))
        .ok()
        .flatten()
}

/// [`compile`] without the guards.
fn build<N: Lanes>(code: &[Instr]) -> Option<Native<N>> {
    let mut flags = settings::builder();
    flags.set("opt_level", "speed").ok()?;
    // As cranelift-jit's own constructor sets them: calls by absolute address.
    flags.set("use_colocated_libcalls", "false").ok()?;
    flags.set("is_pic", "false").ok()?;
    // A frame larger than a page cannot step over a thread's guard page.
    flags.set("enable_probestack", "true").ok()?;
    flags.set("probestack_strategy", "inline").ok()?;
    let isa = cranelift_native::builder()
        .ok()?
        .finish(settings::Flags::new(flags))
        .ok()?;
    let mut module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));
    let Some(address) = define::<N>(&mut module, code) else {
        // SAFETY: no pointer into the module's memory was taken.
        unsafe { module.free_memory() };
        return None;
    };
    // SAFETY: `address` is the start of the function just defined with the
    // signature (pointer) -> f64 in the C calling convention of the host
    // (the module's default), which is `Entry`.
    let entry = unsafe { std::mem::transmute::<*const u8, Entry>(address) };
    Some(Native {
        entry,
        len: slots_used(code),
        _code: Arc::new(Code(Mutex::new(Some(module)))),
        number: PhantomData,
    })
}

/// Translates `code` into one function of `module`, compiles it and makes
/// it executable; its address.
fn define<N: Lanes>(module: &mut JITModule, code: &[Instr]) -> Option<*const u8> {
    let target = module.target_config();
    let pointer = target.pointer_type();
    let mut ctx = module.make_context();
    ctx.func.signature.params.push(AbiParam::new(pointer));
    ctx.func.signature.returns.push(AbiParam::new(F64));
    let id = module
        .declare_anonymous_function(&ctx.func.signature)
        .ok()?;
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut ctx.func, &mut fctx);
    // On code it does not take, the translator stops half way and the
    // builder is dropped unfinished (finalizing checks every block is whole).
    Translator::new(&mut b, code, pointer, N::WIDTH == 2)?.run()?;
    b.seal_all_blocks();
    b.finalize(target);
    module.define_function(id, &mut ctx).ok()?;
    module.clear_context(&mut ctx);
    module.finalize_definitions().ok()?;
    Some(module.get_finalized_function(id))
}

/// One past the highest slot `code` loads or stores.
fn slots_used(code: &[Instr]) -> usize {
    code.iter()
        .filter_map(|i| match *i {
            Instr::Load(s) | Instr::Store(s) => Some(s as usize + 1),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// A number being computed: a value, and on dual numbers its derivative.
#[derive(Clone, Copy)]
struct Num {
    v: Value,
    d: Option<Value>,
}

/// A number held in SSA variables (the top of the stack, a stack position).
#[derive(Clone, Copy)]
struct Var {
    v: Variable,
    d: Option<Variable>,
}

/// Translation of one program: the interpreter's state (the top of the
/// stack `acc`, the stack below it and its height `sp`) followed
/// instruction by instruction at compile time.
struct Translator<'a, 'b> {
    b: &'a mut FunctionBuilder<'b>,
    code: &'a [Instr],
    slots: Value,
    pointer: Type,
    /// Whether slots and values are dual numbers.
    dual: bool,
    acc: Var,
    stack: Vec<Var>,
    sp: usize,
    /// Blocks starting at jump targets, with the stack height there.
    targets: BTreeMap<usize, (Block, Option<usize>)>,
    /// Whether the current block can still take instructions.
    open: bool,
    /// Where dual-number helpers read their operands and write their result.
    scratch: Option<StackSlot>,
}

impl<'a, 'b> Translator<'a, 'b> {
    /// Sets up the entry block: `acc` and every stack position NaN (with a
    /// zero derivative), as the interpreter starts.
    fn new(
        b: &'a mut FunctionBuilder<'b>,
        code: &'a [Instr],
        pointer: Type,
        dual: bool,
    ) -> Option<Self> {
        let depth = super::fused::depth(code) + 1;
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let slots = b.block_params(entry)[0];
        let nan = b.ins().f64const(f64::NAN);
        let zero = b.ins().f64const(0.0);
        let mut var = || {
            let v = b.declare_var(F64);
            b.def_var(v, nan);
            let d = dual.then(|| {
                let d = b.declare_var(F64);
                b.def_var(d, zero);
                d
            });
            Var { v, d }
        };
        let acc = var();
        let stack: Vec<Var> = (0..depth).map(|_| var()).collect();
        let scratch = dual.then(|| {
            b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 32, 3))
        });
        let mut targets = BTreeMap::new();
        for (pc, i) in code.iter().enumerate() {
            if let Instr::Jump(o) | Instr::JumpIfFalse(o) = *i {
                // Forward jumps only, as the compiler emits them (and every
                // jump to a block is then translated before the block).
                if o == 0 {
                    return None;
                }
                let to = pc.checked_add(o as usize).filter(|&t| t <= code.len())?;
                targets
                    .entry(to)
                    .or_insert_with(|| (b.create_block(), None));
            }
        }
        Some(Translator {
            b,
            code,
            slots,
            pointer,
            dual,
            acc,
            stack,
            sp: 0,
            targets,
            open: true,
            scratch,
        })
    }

    /// Translates every instruction and the return.
    fn run(mut self) -> Option<()> {
        for pc in 0..self.code.len() {
            self.enter(pc)?;
            if !self.open {
                // Code no jump reaches: not emitted by the compiler.
                return None;
            }
            self.instr(pc)?;
        }
        self.enter(self.code.len())?;
        if !self.open {
            return None;
        }
        let result = if self.sp > 0 {
            self.b.use_var(self.acc.v)
        } else {
            self.b.ins().f64const(f64::NAN)
        };
        self.b.ins().return_(&[result]);
        Some(())
    }

    /// At a jump target: falls through into its block, which starts with
    /// the stack height every jump to it has.
    fn enter(&mut self, pc: usize) -> Option<()> {
        let Some(&(block, height)) = self.targets.get(&pc) else {
            return Some(());
        };
        if self.open {
            if height.is_some_and(|h| h != self.sp) {
                return None;
            }
            self.b.ins().jump(block, &[]);
        } else {
            self.sp = height?;
        }
        self.b.switch_to_block(block);
        self.open = true;
        Some(())
    }

    /// Records a jump to `to` with the current stack height.
    fn jump_target(&mut self, to: usize) -> Option<Block> {
        let sp = self.sp;
        let (block, height) = self.targets.get_mut(&to)?;
        match *height {
            Some(h) if h != sp => return None,
            _ => *height = Some(sp),
        }
        Some(*block)
    }

    fn get(&mut self, var: Var) -> Num {
        Num {
            v: self.b.use_var(var.v),
            d: var.d.map(|d| self.b.use_var(d)),
        }
    }

    fn set(&mut self, var: Var, n: Num) {
        self.b.def_var(var.v, n.v);
        if let (Some(var), Some(d)) = (var.d, n.d) {
            self.b.def_var(var, d);
        }
    }

    fn acc(&mut self) -> Num {
        self.get(self.acc)
    }

    fn set_acc(&mut self, n: Num) {
        self.set(self.acc, n);
    }

    fn push(&mut self, n: Num) -> Option<()> {
        let acc = self.acc();
        let below = *self.stack.get(self.sp)?;
        self.set(below, acc);
        self.sp += 1;
        self.set_acc(n);
        Some(())
    }

    /// Pops the value below the top.
    fn pop(&mut self) -> Option<Num> {
        self.sp = self.sp.checked_sub(1)?;
        Some(self.get(self.stack[self.sp]))
    }

    /// A constant (derivative 0).
    fn constant(&mut self, x: f64) -> Num {
        let v = self.b.ins().f64const(x);
        let d = self.dual.then(|| self.b.ins().f64const(0.0));
        Num { v, d }
    }

    /// The byte offsets of slot `s`'s value and derivative.
    fn offsets(&self, s: u32) -> Option<(i32, i32)> {
        let width = if self.dual { 16 } else { 8 };
        let v = i32::try_from(u64::from(s) * width).ok()?;
        Some((v, v.checked_add(8)?))
    }

    fn instr(&mut self, pc: usize) -> Option<()> {
        let flags = MemFlagsData::trusted();
        let op = self.code[pc];
        match op {
            Instr::Const(x) => {
                let n = self.constant(x);
                self.push(n)?;
            }
            Instr::Load(s) => {
                let (ov, od) = self.offsets(s)?;
                let v = self.b.ins().load(F64, flags, self.slots, ov);
                let d = self
                    .dual
                    .then(|| self.b.ins().load(F64, flags, self.slots, od));
                self.push(Num { v, d })?;
            }
            Instr::Store(s) => {
                let (ov, od) = self.offsets(s)?;
                let acc = self.acc();
                self.b.ins().store(flags, acc.v, self.slots, ov);
                if let Some(d) = acc.d {
                    self.b.ins().store(flags, d, self.slots, od);
                }
                let below = self.pop()?;
                self.set_acc(below);
            }
            Instr::Neg => {
                let acc = self.acc();
                let v = self.b.ins().fneg(acc.v);
                let d = acc.d.map(|d| self.b.ins().fneg(d));
                self.set_acc(Num { v, d });
            }
            Instr::Add | Instr::Sub | Instr::Mul | Instr::Div => {
                let a = self.pop()?;
                let acc = self.acc();
                let n = self.arithmetic(op, a, acc);
                self.set_acc(n);
            }
            Instr::Pow => {
                let a = self.pop()?;
                let acc = self.acc();
                let n = if self.dual {
                    self.call_dual(dual_pow, &[a, acc])?
                } else {
                    let v = self.call(
                        &[F64, F64],
                        pow as extern "C" fn(f64, f64) -> f64 as usize,
                        &[a.v, acc.v],
                    );
                    Num { v, d: None }
                };
                self.set_acc(n);
            }
            Instr::Call(f) => {
                let acc = self.acc();
                let n = if self.dual {
                    self.call_dual(unary(f).1, &[acc])?
                } else {
                    let v = self.call(&[F64], unary(f).0 as usize, &[acc.v]);
                    Num { v, d: None }
                };
                self.set_acc(n);
            }
            Instr::Cmp(c) => {
                let a = self.pop()?;
                let acc = self.acc();
                let n = self.truth(cc(c), a.v, acc.v);
                self.set_acc(n);
            }
            Instr::Bin(op) => {
                let a = self.pop()?;
                let acc = self.acc();
                let n = if self.dual {
                    self.call_dual(binary(op).1, &[a, acc])?
                } else {
                    let v = self.call(&[F64, F64], binary(op).0 as usize, &[a.v, acc.v]);
                    Num { v, d: None }
                };
                self.set_acc(n);
            }
            Instr::Not => {
                let acc = self.acc();
                let zero = self.b.ins().f64const(0.0);
                let n = self.truth(FloatCC::Equal, acc.v, zero);
                self.set_acc(n);
            }
            Instr::JumpIfFalse(o) => {
                let cond = self.acc().v;
                let below = self.pop()?;
                self.set_acc(below);
                let target = self.jump_target(pc + o as usize)?;
                let zero = self.b.ins().f64const(0.0);
                let is_false = self.b.ins().fcmp(FloatCC::Equal, cond, zero);
                let next = self.b.create_block();
                self.b.ins().brif(is_false, target, &[], next, &[]);
                self.b.switch_to_block(next);
            }
            Instr::Jump(o) => {
                let target = self.jump_target(pc + o as usize)?;
                self.b.ins().jump(target, &[]);
                self.open = false;
            }
            // Fused forms exist only in a program's running form.
            _ => return None,
        }
        Some(())
    }

    /// `a op b` for `+ − × ÷`, on dual numbers by [`Dual`]'s formulas.
    fn arithmetic(&mut self, op: Instr, a: Num, b: Num) -> Num {
        let v = self.apply(op, a.v, b.v);
        let (Some(ad), Some(bd)) = (a.d, b.d) else {
            return Num { v, d: None };
        };
        let d = match op {
            Instr::Add | Instr::Sub => self.apply(op, ad, bd),
            // d·b + a·db
            Instr::Mul => {
                let x = self.b.ins().fmul(ad, b.v);
                let y = self.b.ins().fmul(a.v, bd);
                self.b.ins().fadd(x, y)
            }
            // (da − v·db) / b
            _ => {
                let x = self.b.ins().fmul(v, bd);
                let y = self.b.ins().fsub(ad, x);
                self.b.ins().fdiv(y, b.v)
            }
        };
        Num { v, d: Some(d) }
    }

    /// `x op y` on plain values.
    fn apply(&mut self, op: Instr, x: Value, y: Value) -> Value {
        let ins = self.b.ins();
        match op {
            Instr::Add => ins.fadd(x, y),
            Instr::Sub => ins.fsub(x, y),
            Instr::Mul => ins.fmul(x, y),
            _ => ins.fdiv(x, y),
        }
    }

    /// 1.0 if `a cc b`, else 0.0 (derivative 0).
    fn truth(&mut self, cc: FloatCC, a: Value, b: Value) -> Num {
        let c = self.b.ins().fcmp(cc, a, b);
        let one = self.b.ins().f64const(1.0);
        let zero = self.b.ins().f64const(0.0);
        let v = self.b.ins().select(c, one, zero);
        let d = self.dual.then_some(zero);
        Num { v, d }
    }

    /// Calls the Rust function at `address`, taking `params` and returning
    /// one `f64`.
    fn call(&mut self, params: &[Type], address: usize, args: &[Value]) -> Value {
        let mut sig = Signature::new(self.b.func.signature.call_conv);
        sig.params.extend(params.iter().map(|&t| AbiParam::new(t)));
        sig.returns.push(AbiParam::new(F64));
        let sig = self.b.import_signature(sig);
        let callee = self.b.ins().iconst(self.pointer, address as i64);
        let call = self.b.ins().call_indirect(sig, callee, args);
        self.b.inst_results(call)[0]
    }

    /// Calls a dual-number helper: the operands' values and derivatives go
    /// to the scratch slot in order, the helper writes the result's value
    /// and derivative over the first two.
    fn call_dual(&mut self, f: extern "C" fn(*mut f64) -> f64, args: &[Num]) -> Option<Num> {
        let slot = self.scratch?;
        for (k, a) in args.iter().enumerate() {
            let at = 16 * k as i32;
            self.b.ins().stack_store(self.pointer, a.v, slot, at);
            if let Some(d) = a.d {
                self.b.ins().stack_store(self.pointer, d, slot, at + 8);
            }
        }
        let io = self.b.ins().stack_addr(self.pointer, slot, 0);
        let v = self.call(&[self.pointer], f as usize, &[io]);
        let d = self.b.ins().stack_load(self.pointer, F64, slot, 8);
        Some(Num { v, d: Some(d) })
    }
}

/// The condition code with Rust's meaning of each comparison (false when
/// either side is NaN, but for `!=`).
fn cc(c: Cmp) -> FloatCC {
    match c {
        Cmp::Eq => FloatCC::Equal,
        Cmp::Neq => FloatCC::NotEqual,
        Cmp::Gt => FloatCC::GreaterThan,
        Cmp::Lt => FloatCC::LessThan,
        Cmp::Geq => FloatCC::GreaterThanOrEqual,
        Cmp::Leq => FloatCC::LessThanOrEqual,
    }
}

extern "C" fn pow(a: f64, b: f64) -> f64 {
    a.pow(b)
}

/// A helper callable from generated code: on `f64`s (signature `R`), and
/// on dual numbers through their scratch slot (see [`dual_io1`]).
type Helpers<R> = (R, extern "C" fn(*mut f64) -> f64);

/// The interpreter's function `f`, callable from generated code.
fn unary(f: Fn1) -> Helpers<extern "C" fn(f64) -> f64> {
    macro_rules! each {
        ($($v:ident),*) => {
            match f {
                $(Fn1::$v => {
                    extern "C" fn real(x: f64) -> f64 {
                        x.apply(Fn1::$v)
                    }
                    extern "C" fn dual(io: *mut f64) -> f64 {
                        dual_io1(io, |x| x.apply(Fn1::$v))
                    }
                    (real, dual)
                })*
            }
        };
    }
    each!(
        Abs, Exp, Ln, Floor, Ceiling, Factorial, Sin, Cos, Tan, Sinh, Cosh, Tanh, Arcsin, Arccos,
        Arctan, Arcsinh, Arccosh, Arctanh
    )
}

/// The interpreter's binary operator `op`, callable from generated code.
fn binary(op: Bin) -> Helpers<extern "C" fn(f64, f64) -> f64> {
    macro_rules! each {
        ($($v:ident),*) => {
            match op {
                $(Bin::$v => {
                    extern "C" fn real(a: f64, b: f64) -> f64 {
                        bin(Bin::$v, a, b)
                    }
                    extern "C" fn dual(io: *mut f64) -> f64 {
                        dual_io2(io, |a, b| bin(Bin::$v, a, b))
                    }
                    (real, dual)
                })*
            }
        };
    }
    each!(Min, Max, Rem, Quotient, And, Or, Xor)
}

/// `a ^ b` on dual numbers at `io` (`a.v, a.d, b.v, b.d`): writes the
/// result's derivative to `io[1]`, returns its value.
extern "C" fn dual_pow(io: *mut f64) -> f64 {
    dual_io2(io, |a, b| a.pow(b))
}

/// Reads the dual number at `io`, applies `f`, writes the result's
/// derivative to `io[1]` and returns its value.
fn dual_io1(io: *mut f64, f: impl Fn(Dual) -> Dual) -> f64 {
    // SAFETY: generated code passes the address of its own 8-byte-aligned
    // scratch slot, where it has just stored one dual number (two f64s),
    // and holds no other reference to it during the call.
    let io = unsafe { std::slice::from_raw_parts_mut(io, 2) };
    let r = f(Dual::new(io[0], io[1]));
    io[1] = r.d;
    r.v
}

/// [`dual_io1`] for two operands (four f64s at `io`).
fn dual_io2(io: *mut f64, f: impl Fn(Dual, Dual) -> Dual) -> f64 {
    // SAFETY: as in `dual_io1`, with two dual numbers stored.
    let io = unsafe { std::slice::from_raw_parts_mut(io, 4) };
    let r = f(Dual::new(io[0], io[1]), Dual::new(io[2], io[3]));
    io[1] = r.d;
    r.v
}
