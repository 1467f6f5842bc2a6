//! Programs compiled to machine code with Cranelift, for the hot paths
//! that run one program millions of times: the ODE right-hand side and the
//! stochastic propensities.
//!
//! The stack code is translated as it stands: the top of the stack and each
//! stack position become SSA variables, slots are loads and stores through
//! the one pointer argument, and jumps (piecewise) become branches. Every
//! arithmetic operation is the IEEE one the interpreter performs, in the
//! same order and without fused multiply–adds; powers, functions and the
//! `min`/`max`/`rem`/logical operators call the interpreter's own Rust
//! functions. So a compiled program gives the interpreter's values bit for
//! bit, which the tests check on random programs.
//!
//! Compilation is best effort: on a host Cranelift has no back end for, when
//! the environment variable `SENMET_JIT` is `off`, or for code of a shape
//! the translator does not take, [`compile`] returns `None` and the program
//! runs interpreted.

// The one module with unsafe code: calling the generated function and
// freeing its memory. Each use states why it is sound.
#![allow(unsafe_code)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::types::F64;
use cranelift_codegen::ir::{AbiParam, Block, InstBuilder, MemFlagsData, Signature, Type, Value};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Module};

use super::{bin, Bin, Cmp, Instr};
use crate::scalar::{Fn1, Scalar};

/// The generated function: reads and writes the slots through the pointer,
/// returns what the interpreter's `run` returns.
type Entry = unsafe extern "C" fn(*mut f64) -> f64;

/// A program compiled to machine code.
#[derive(Clone)]
pub(crate) struct Native {
    entry: Entry,
    /// One past the highest slot the code reads or writes.
    len: usize,
    /// Owns the memory `entry` points into.
    _code: Arc<Code>,
}

impl std::fmt::Debug for Native {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Native").field("len", &self.len).finish()
    }
}

impl Native {
    /// Runs the program over `slots`, as [`super::Program::run`] would.
    ///
    /// # Panics
    ///
    /// If `slots` is shorter than the program's slots (the interpreter would
    /// index out of bounds in the same case).
    #[inline]
    pub fn run(&self, slots: &mut [f64]) -> f64 {
        assert!(slots.len() >= self.len, "slots shorter than the program's");
        // SAFETY: `entry` was compiled from stack code whose slot indices are
        // all below `len` (checked when it was translated), so it reads and
        // writes only within `slots`; it holds no other pointer and keeps no
        // state. Its memory lives as long as `_code`, which `self` holds.
        unsafe { (self.entry)(slots.as_mut_ptr()) }
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

/// Whether compilation is switched on (`SENMET_JIT` unset or not `off`).
fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var("SENMET_JIT").map_or(true, |v| v != "off"))
}

/// Compiles plain stack code (as [`crate::compile`] emits it, before
/// fusing); `None` if compilation is off, the host is not supported, or the
/// code has a shape the translator does not take.
pub(crate) fn compile(code: &[Instr]) -> Option<Native> {
    if !enabled() {
        return None;
    }
    let len = slots_used(code);
    let mut flags = settings::builder();
    flags.set("opt_level", "speed").ok()?;
    // As cranelift-jit's own constructor sets them: calls by absolute address.
    flags.set("use_colocated_libcalls", "false").ok()?;
    flags.set("is_pic", "false").ok()?;
    let isa = cranelift_native::builder()
        .ok()?
        .finish(settings::Flags::new(flags))
        .ok()?;
    let mut module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));
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
    Translator::new(&mut b, code, pointer)?.run()?;
    b.seal_all_blocks();
    b.finalize(target);
    module.define_function(id, &mut ctx).ok()?;
    module.clear_context(&mut ctx);
    module.finalize_definitions().ok()?;
    let address = module.get_finalized_function(id);
    // SAFETY: `address` is the start of the function just defined with the
    // signature (pointer) -> f64 in the C calling convention of the host
    // (the module's default), which is `Entry`.
    let entry = unsafe { std::mem::transmute::<*const u8, Entry>(address) };
    Some(Native {
        entry,
        len,
        _code: Arc::new(Code(Mutex::new(Some(module)))),
    })
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

/// Translation of one program: the interpreter's state (the top of the
/// stack `acc`, the stack below it and its height `sp`) followed
/// instruction by instruction at compile time.
struct Translator<'a, 'b> {
    b: &'a mut FunctionBuilder<'b>,
    code: &'a [Instr],
    slots: Value,
    pointer: Type,
    acc: Variable,
    stack: Vec<Variable>,
    sp: usize,
    /// Blocks starting at jump targets, with the stack height there.
    targets: BTreeMap<usize, (Block, Option<usize>)>,
    /// Whether the current block can still take instructions.
    open: bool,
}

impl<'a, 'b> Translator<'a, 'b> {
    /// Sets up the entry block: `acc` and every stack position NaN, as the
    /// interpreter starts.
    fn new(b: &'a mut FunctionBuilder<'b>, code: &'a [Instr], pointer: Type) -> Option<Self> {
        let depth = super::fused::depth(code) + 1;
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let slots = b.block_params(entry)[0];
        let nan = b.ins().f64const(f64::NAN);
        let acc = b.declare_var(F64);
        b.def_var(acc, nan);
        let stack: Vec<Variable> = (0..depth)
            .map(|_| {
                let v = b.declare_var(F64);
                b.def_var(v, nan);
                v
            })
            .collect();
        let mut targets = BTreeMap::new();
        for (pc, i) in code.iter().enumerate() {
            if let Instr::Jump(o) | Instr::JumpIfFalse(o) = *i {
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
            acc,
            stack,
            sp: 0,
            targets,
            open: true,
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
            self.b.use_var(self.acc)
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

    fn push(&mut self, v: Value) -> Option<()> {
        let acc = self.b.use_var(self.acc);
        self.b.def_var(*self.stack.get(self.sp)?, acc);
        self.sp += 1;
        self.b.def_var(self.acc, v);
        Some(())
    }

    /// Pops the value below the top.
    fn pop(&mut self) -> Option<Value> {
        self.sp = self.sp.checked_sub(1)?;
        Some(self.b.use_var(self.stack[self.sp]))
    }

    fn instr(&mut self, pc: usize) -> Option<()> {
        let flags = MemFlagsData::trusted();
        let op = self.code[pc];
        match op {
            Instr::Const(x) => {
                let v = self.b.ins().f64const(x);
                self.push(v)?;
            }
            Instr::Load(s) => {
                let v = self.b.ins().load(F64, flags, self.slots, offset(s)?);
                self.push(v)?;
            }
            Instr::Store(s) => {
                let acc = self.b.use_var(self.acc);
                self.b.ins().store(flags, acc, self.slots, offset(s)?);
                let below = self.pop()?;
                self.b.def_var(self.acc, below);
            }
            Instr::Neg => {
                let acc = self.b.use_var(self.acc);
                let v = self.b.ins().fneg(acc);
                self.b.def_var(self.acc, v);
            }
            Instr::Add | Instr::Sub | Instr::Mul | Instr::Div | Instr::Pow => {
                let a = self.pop()?;
                let acc = self.b.use_var(self.acc);
                let v = match op {
                    Instr::Add => self.b.ins().fadd(a, acc),
                    Instr::Sub => self.b.ins().fsub(a, acc),
                    Instr::Mul => self.b.ins().fmul(a, acc),
                    Instr::Div => self.b.ins().fdiv(a, acc),
                    _ => self.call2(pow as extern "C" fn(f64, f64) -> f64, a, acc),
                };
                self.b.def_var(self.acc, v);
            }
            Instr::Call(f) => {
                let acc = self.b.use_var(self.acc);
                let v = self.call1(unary(f), acc);
                self.b.def_var(self.acc, v);
            }
            Instr::Cmp(c) => {
                let a = self.pop()?;
                let acc = self.b.use_var(self.acc);
                let v = self.compare(cc(c), a, acc);
                self.b.def_var(self.acc, v);
            }
            Instr::Bin(op) => {
                let a = self.pop()?;
                let acc = self.b.use_var(self.acc);
                let v = self.call2(binary(op), a, acc);
                self.b.def_var(self.acc, v);
            }
            Instr::Not => {
                let acc = self.b.use_var(self.acc);
                let zero = self.b.ins().f64const(0.0);
                let v = self.compare(FloatCC::Equal, acc, zero);
                self.b.def_var(self.acc, v);
            }
            Instr::JumpIfFalse(o) => {
                let cond = self.b.use_var(self.acc);
                let below = self.pop()?;
                self.b.def_var(self.acc, below);
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

    /// 1.0 if `a cc b`, else 0.0.
    fn compare(&mut self, cc: FloatCC, a: Value, b: Value) -> Value {
        let c = self.b.ins().fcmp(cc, a, b);
        let one = self.b.ins().f64const(1.0);
        let zero = self.b.ins().f64const(0.0);
        self.b.ins().select(c, one, zero)
    }

    fn call1(&mut self, f: extern "C" fn(f64) -> f64, x: Value) -> Value {
        let mut sig = Signature::new(self.b.func.signature.call_conv);
        sig.params.push(AbiParam::new(F64));
        sig.returns.push(AbiParam::new(F64));
        self.call(sig, f as usize, &[x])
    }

    fn call2(&mut self, f: extern "C" fn(f64, f64) -> f64, x: Value, y: Value) -> Value {
        let mut sig = Signature::new(self.b.func.signature.call_conv);
        sig.params.extend([AbiParam::new(F64), AbiParam::new(F64)]);
        sig.returns.push(AbiParam::new(F64));
        self.call(sig, f as usize, &[x, y])
    }

    /// Calls the Rust function at `address` with signature `sig`.
    fn call(&mut self, sig: Signature, address: usize, args: &[Value]) -> Value {
        let sig = self.b.import_signature(sig);
        let callee = self.b.ins().iconst(self.pointer, address as i64);
        let call = self.b.ins().call_indirect(sig, callee, args);
        self.b.inst_results(call)[0]
    }
}

/// The byte offset of slot `s`.
fn offset(s: u32) -> Option<i32> {
    i32::try_from(u64::from(s) * 8).ok()
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

/// The interpreter's function `f`, callable from generated code.
fn unary(f: Fn1) -> extern "C" fn(f64) -> f64 {
    macro_rules! each {
        ($($v:ident),*) => {
            match f {
                $(Fn1::$v => {
                    extern "C" fn call(x: f64) -> f64 {
                        x.apply(Fn1::$v)
                    }
                    call
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
fn binary(op: Bin) -> extern "C" fn(f64, f64) -> f64 {
    macro_rules! each {
        ($($v:ident),*) => {
            match op {
                $(Bin::$v => {
                    extern "C" fn call(a: f64, b: f64) -> f64 {
                        bin(Bin::$v, a, b)
                    }
                    call
                })*
            }
        };
    }
    each!(Min, Max, Rem, Quotient, And, Or, Xor)
}
