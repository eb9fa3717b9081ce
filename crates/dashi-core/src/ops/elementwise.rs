//! The `elementwise` family: one invocation per element, workgroups of 256
//! (`elementwise.wgsl`).
//!
//! ```text
//! axpy   y[i] ← α·x[i] + y[i]
//! scale  x[i] ← α·x[i]
//! add    out[i] = x[i] + y[i]
//! mul    out[i] = x[i]·y[i]
//! copy   out[i] = x[i]
//! ```
//!
//! Plain IEEE `*` then `+` (never fused), so the CPU kernel in f32 is the device's
//! arithmetic bit for bit; `α` is an f32 widened exactly to the executor's precision.

use super::Access::{Read, ReadWrite};
use super::ElemType::Real as R;
use super::LenRule::Product;
use super::{BufferId, CpuIo, Dispatch, Family, binding};
use crate::scalar::Real;

crate::op_params! {
    /// `{ n }` — element-wise binary ops, reductions and every op over `n` elements.
    pub struct LenParams {
        /// Number of elements.
        pub n: u32,
    }
}

impl LenParams {
    /// `n` elements.
    pub fn new(n: u32) -> Self {
        LenParams { n, ..bytemuck::Zeroable::zeroed() }
    }
}

crate::op_params! {
    /// `{ n, alpha }` — `axpy`, `scale`.
    pub struct ScalarParams {
        /// Number of elements.
        pub n: u32,
        /// The scalar α.
        pub alpha: f32,
    }
}

impl ScalarParams {
    /// `n` elements, scalar `alpha`.
    pub fn new(n: u32, alpha: f32) -> Self {
        ScalarParams { n, alpha, ..bytemuck::Zeroable::zeroed() }
    }
}

const N: &[&str] = &["n"];
/// One invocation per element of `n`, workgroups of 256.
pub const PER_ELEMENT: Dispatch = Dispatch::Threads { count: Product(N), workgroup: 256 };

/// The family.
pub static ELEMENTWISE: Family = Family {
    name: "elementwise",
    owner: "dashi-core",
    doc: "one invocation per element",
    wgsl: include_str!("elementwise.wgsl"),
    imports: &[],
    constants: &[],
    ops: &[AXPY.spec(), SCALE.spec(), ADD.spec(), MUL.spec(), COPY.spec()],
    trusted: false,
    zero_workgroup_memory: true,
};

fn finite_alpha(p: &ScalarParams) -> Result<(), String> {
    if p.alpha.is_finite() { Ok(()) } else { Err(format!("alpha = {} must be finite", p.alpha)) }
}

fn any_len(_: &LenParams) -> Result<(), String> {
    Ok(())
}

fn axpy<T: Real>(p: &ScalarParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let alpha = T::from_f64(f64::from(p.alpha));
    let x = &io.reals(0)[..p.n as usize];
    for (y, &xv) in io.reals_mut(1)[..x.len()].iter_mut().zip(x) {
        *y = alpha * xv + *y;
    }
    Ok(())
}

crate::kernel_op! {
    /// `y ← α·x + y`.
    pub static AXPY: Op<ScalarParams, [BufferId; 2]> = {
        name: "axpy",
        family: &ELEMENTWISE,
        summary: "y[i] ← alpha·x[i] + y[i]",
        bindings: &[binding(0, "x", Read, R, Product(N)), binding(1, "y", ReadWrite, R, Product(N))],
        sizes: N,
        dispatch: PER_ELEMENT,
        domain: finite_alpha,
        cpu: axpy,
    };
}

fn scale<T: Real>(p: &ScalarParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let alpha = T::from_f64(f64::from(p.alpha));
    io.reals_mut(0)[..p.n as usize].iter_mut().for_each(|v| *v = alpha * *v);
    Ok(())
}

crate::kernel_op! {
    /// `x ← α·x`.
    pub static SCALE: Op<ScalarParams, [BufferId; 1]> = {
        name: "scale",
        family: &ELEMENTWISE,
        summary: "x[i] ← alpha·x[i]",
        bindings: &[binding(0, "x", ReadWrite, R, Product(N))],
        sizes: N,
        dispatch: PER_ELEMENT,
        domain: finite_alpha,
        cpu: scale,
    };
}

fn binary<T: Real>(n: u32, io: &mut CpuIo<'_, '_, T>, f: impl Fn(T, T) -> T) {
    let n = n as usize;
    let (x, y) = (&io.reals(0)[..n], &io.reals(1)[..n]);
    for ((o, &a), &b) in io.reals_mut(2)[..n].iter_mut().zip(x).zip(y) {
        *o = f(a, b);
    }
}

fn add<T: Real>(p: &LenParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    binary(p.n, io, |a, b| a + b);
    Ok(())
}

fn mul<T: Real>(p: &LenParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    binary(p.n, io, |a, b| a * b);
    Ok(())
}

const BINARY: &[super::Binding] = &[
    binding(0, "x", Read, R, Product(N)),
    binding(1, "y", Read, R, Product(N)),
    binding(2, "out", ReadWrite, R, Product(N)),
];

crate::kernel_op! {
    /// `out = x + y`.
    pub static ADD: Op<LenParams, [BufferId; 3]> = {
        name: "add",
        family: &ELEMENTWISE,
        summary: "out[i] = x[i] + y[i]",
        bindings: BINARY,
        sizes: N,
        dispatch: PER_ELEMENT,
        domain: any_len,
        cpu: add,
    };
}

crate::kernel_op! {
    /// `out = x ⊙ y`.
    pub static MUL: Op<LenParams, [BufferId; 3]> = {
        name: "mul",
        family: &ELEMENTWISE,
        summary: "out[i] = x[i]·y[i]",
        bindings: BINARY,
        sizes: N,
        dispatch: PER_ELEMENT,
        domain: any_len,
        cpu: mul,
    };
}

fn copy<T: Real>(p: &LenParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let n = p.n as usize;
    let x = &io.reals(0)[..n];
    io.reals_mut(1)[..n].copy_from_slice(x);
    Ok(())
}

crate::kernel_op! {
    /// `out = x`.
    pub static COPY: Op<LenParams, [BufferId; 2]> = {
        name: "copy",
        family: &ELEMENTWISE,
        summary: "out[i] = x[i]",
        bindings: &[binding(0, "x", Read, R, Product(N)), binding(1, "out", ReadWrite, R, Product(N))],
        sizes: N,
        dispatch: PER_ELEMENT,
        domain: any_len,
        cpu: copy,
    };
}
