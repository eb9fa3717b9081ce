//! Helpers shared by the GPU parity tests.

use dashi_core::ops::{ElemType, Executor, OpSpec};
use dashi_gpu::GpuExecutor;

/// Poison for real and `u32` output buffers: the op-test harness's.
pub use dashi_core::ops::testing::{POISON_REAL, POISON_U32};

/// Runs `op` with one real input holding exactly the f32 values `x` (NaN and ±∞
/// included, uploaded by bit pattern) and one poisoned output of `out_len` elements of
/// `out_elem`; returns the output as raw 32-bit words.
pub fn run_on_bits(
    gpu: &mut GpuExecutor,
    op: &'static OpSpec,
    x: &[f32],
    out_elem: ElemType,
    out_len: usize,
    params: &[u8],
) -> Vec<u32> {
    let input = gpu.alloc(ElemType::Real, x.len()).unwrap();
    gpu.upload_f32_bits(input, &x.iter().map(|v| v.to_bits()).collect::<Vec<_>>()).unwrap();
    let out = gpu.alloc(out_elem, out_len).unwrap();
    let words = match out_elem {
        ElemType::Real => {
            gpu.upload_real(out, &vec![POISON_REAL; out_len]).unwrap();
            gpu.enqueue(op, &[input, out], params).unwrap();
            gpu.download_real(out).unwrap().iter().map(|&v| (v as f32).to_bits()).collect()
        }
        _ => {
            gpu.upload_u32(out, &vec![POISON_U32; out_len]).unwrap();
            gpu.enqueue(op, &[input, out], params).unwrap();
            gpu.download_u32(out).unwrap()
        }
    };
    gpu.free(input).unwrap();
    gpu.free(out).unwrap();
    words
}
