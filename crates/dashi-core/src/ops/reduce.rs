//! The `reduce` family: one workgroup of 256 invocations reduces `x[0..n)` to one
//! value (`reduce.wgsl`).
//!
//! ```text
//! reduce_sum      out[0] = Σ_i x[i]
//! reduce_sum_sq   out[0] = Σ_i x[i]²
//! reduce_max_abs  out[0] = max_i |x[i]|          (NaN ignored; all-NaN → 0)
//! argmax          out[0] = min{ i : x[i] = max_j x[j] }   (NaN never wins; all-NaN → 0)
//! ```
//!
//! The CPU kernels define the result where it depends on order: sums accumulate in
//! f64 in ascending index order and are rounded once to the executor's precision, so
//! an f32 result is the correctly rounded f64 sum. The device sums in a blocked tree
//! (bound in `reduce.wgsl`); max_abs and argmax are exact on every backend.

use super::Access::{Read, ReadWrite};
use super::ElemType::{Real as R, U32};
use super::LenRule::{Fixed, Product};
use super::{BufferId, CpuIo, Dispatch, Family, LenParams, WGSL_ORDERING, binding, rank};
use crate::scalar::Real;

/// The family.
pub static REDUCE: Family = Family {
    name: "reduce",
    owner: "dashi-core",
    doc: "single-workgroup reductions",
    wgsl: include_str!("reduce.wgsl"),
    imports: &[&WGSL_ORDERING],
    constants: &[],
    ops: &[REDUCE_SUM.spec(), REDUCE_SUM_SQ.spec(), REDUCE_MAX_ABS.spec(), ARGMAX.spec()],
    trusted: false,
    zero_workgroup_memory: true,
};

const N: &[&str] = &["n"];
const SINGLE: Dispatch = Dispatch::Single { workgroup: 256 };

fn any_len(_: &LenParams) -> Result<(), String> {
    Ok(())
}

/// `Σ x` accumulated in f64, ascending index.
fn sum<T: Real>(x: &[T]) -> T {
    T::from_f64(x.iter().fold(0.0, |acc, v| acc + v.to_f64()))
}

/// `Σ x²` accumulated in f64, ascending index.
fn sum_sq<T: Real>(x: &[T]) -> T {
    T::from_f64(x.iter().fold(0.0, |acc, v| acc + v.to_f64() * v.to_f64()))
}

/// `max |x|` (NaN ignored; 0 for an all-NaN input).
fn max_abs<T: Real>(x: &[T]) -> T {
    x.iter().fold(T::ZERO, |m, &v| if v.abs() > m { v.abs() } else { m })
}

/// The index of the largest value, lowest index on ties; NaN never wins unless every
/// value is NaN (then 0). `None` for an empty slice.
pub fn argmax<T: Real>(x: &[T]) -> Option<usize> {
    (0..x.len()).min_by(|&i, &j| rank(x, i, j))
}

fn reduce_with<T: Real>(p: &LenParams, io: &mut CpuIo<'_, '_, T>, f: fn(&[T]) -> T) -> Result<(), String> {
    let v = f(&io.reals(0)[..p.n as usize]);
    io.reals_mut(1)[0] = v;
    Ok(())
}

fn reduce_sum<T: Real>(p: &LenParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    reduce_with(p, io, sum)
}

fn reduce_sum_sq<T: Real>(p: &LenParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    reduce_with(p, io, sum_sq)
}

fn reduce_max_abs<T: Real>(p: &LenParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    reduce_with(p, io, max_abs)
}

fn argmax_kernel<T: Real>(p: &LenParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let i = argmax(&io.reals(0)[..p.n as usize]).expect("n >= 1");
    io.words_mut(1)[0] = i as u32;
    Ok(())
}

const REAL_TO_ONE: &[super::Binding] =
    &[binding(0, "x", Read, R, Product(N)), binding(1, "out", ReadWrite, R, Fixed(1))];

crate::kernel_op! {
    /// `Σ x`.
    pub static REDUCE_SUM: Op<LenParams, [BufferId; 2]> = {
        name: "reduce_sum",
        family: &REDUCE,
        summary: "out[0] = Σ_i x[i]",
        bindings: REAL_TO_ONE,
        sizes: N,
        dispatch: SINGLE,
        domain: any_len,
        cpu: reduce_sum,
    };
}

crate::kernel_op! {
    /// `Σ x²`.
    pub static REDUCE_SUM_SQ: Op<LenParams, [BufferId; 2]> = {
        name: "reduce_sum_sq",
        family: &REDUCE,
        summary: "out[0] = Σ_i x[i]²",
        bindings: REAL_TO_ONE,
        sizes: N,
        dispatch: SINGLE,
        domain: any_len,
        cpu: reduce_sum_sq,
    };
}

crate::kernel_op! {
    /// `max |x|`.
    pub static REDUCE_MAX_ABS: Op<LenParams, [BufferId; 2]> = {
        name: "reduce_max_abs",
        family: &REDUCE,
        summary: "out[0] = max_i |x[i]|",
        bindings: REAL_TO_ONE,
        sizes: N,
        dispatch: SINGLE,
        domain: any_len,
        cpu: reduce_max_abs,
    };
}

crate::kernel_op! {
    /// Index of the maximum, lowest index on ties.
    pub static ARGMAX: Op<LenParams, [BufferId; 2]> = {
        name: "argmax",
        family: &REDUCE,
        summary: "out[0] = min{ i : x[i] = max_j x[j] }  (NaN never wins)",
        bindings: &[binding(0, "x", Read, R, Product(N)), binding(1, "out", ReadWrite, U32, Fixed(1))],
        sizes: N,
        dispatch: SINGLE,
        domain: any_len,
        cpu: argmax_kernel,
    };
}
