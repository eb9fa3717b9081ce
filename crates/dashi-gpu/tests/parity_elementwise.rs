//! GPU ↔ CPU parity of the `elementwise` family, every op of it (a new op is covered
//! without a line here): seeded random inputs in `[−1, 1)` (reals rounded to f32) at
//! sizes 1 … 70 000, every written binding poisoned past its end (`ops::testing::run`).
//!
//! Tolerance: bit-exact against the CPU kernel in f32. Every op is at most one IEEE
//! multiply and one add per element, written as separate operations in the WGSL and in
//! the CPU kernel; a driver that fused them into an FMA would fail here.

use dashi_core::ops::testing::{Tolerance, check_parity, random_inputs};
use dashi_core::ops::{ELEMENTWISE, OpSpec, ParamType};
use dashi_gpu::gpu_or_skip;

/// The parameter block of an elementwise op: every `u32` field (`n`) the size, every
/// `f32` field (`alpha`) −1.75.
fn params(op: &OpSpec, n: u32) -> Vec<u8> {
    let mut bytes = vec![0u8; op.params.size];
    for (i, field) in op.params.fields.iter().enumerate() {
        let word = match field.ty {
            ParamType::U32 => n.to_le_bytes(),
            ParamType::F32 => (-1.75f32).to_le_bytes(),
        };
        bytes[4 * i..4 * i + 4].copy_from_slice(&word);
    }
    bytes
}

#[test]
fn every_elementwise_op_matches_the_cpu_kernel_bit_for_bit() {
    let Some(mut gpu) = gpu_or_skip("every_elementwise_op_matches_the_cpu_kernel_bit_for_bit") else { return };
    for op in ELEMENTWISE.ops {
        for (case, n) in [1u32, 7, 255, 256, 257, 4099, 70_000].into_iter().enumerate() {
            let p = params(op, n);
            let inputs = random_inputs(op, &p, 1000 * case as u64 + op.name.len() as u64);
            check_parity(&mut gpu, op, &p, &inputs, Tolerance::Exact);
        }
    }
}
