//! The `linear` family: the row-vector convention `out = z·A`, `A` row-major
//! (`a[i·cols + j]`), for one state (`gemv_row`) or `M` states as rows (`gemm_batched`)
//! (`linear.wgsl`).
//!
//! The CPU kernels are [`crate::linear::gemv_row`] and [`crate::linear::gemm_rows`]:
//! each output accumulated in the executor precision in ascending row order, so a
//! gemm row equals the gemv of that row bit for bit. The device sums in another order
//! (parity tolerances are stated in the tests).

use super::Access::{Read, ReadWrite};
use super::ElemType::Real as R;
use super::LenRule::{Fixed, Product};
use super::{BufferId, CpuIo, Dispatch, Family, binding};
use crate::linear::{gemm_rows, gemv_row};
use crate::scalar::Real;

crate::op_params! {
    /// `{ rows, cols }` — `gemv_row`.
    pub struct GemvParams {
        /// Rows of A (= length of z).
        pub rows: u32,
        /// Columns of A (= length of the output).
        pub cols: u32,
    }
}

impl GemvParams {
    /// A is `rows × cols`.
    pub fn new(rows: u32, cols: u32) -> Self {
        GemvParams { rows, cols, ..bytemuck::Zeroable::zeroed() }
    }
}

crate::op_params! {
    /// `{ batch, rows, cols }` — `gemm_batched`.
    pub struct GemmParams {
        /// Number of row states M.
        pub batch: u32,
        /// Rows of A.
        pub rows: u32,
        /// Columns of A.
        pub cols: u32,
    }
}

impl GemmParams {
    /// `M = batch` states through a `rows × cols` matrix.
    pub fn new(batch: u32, rows: u32, cols: u32) -> Self {
        GemmParams { batch, rows, cols, ..bytemuck::Zeroable::zeroed() }
    }
}

/// The family.
pub static LINEAR: Family = Family {
    name: "linear",
    owner: "dashi-core",
    doc: "row vector times row-major matrix",
    wgsl: include_str!("linear.wgsl"),
    imports: &[],
    constants: &[],
    ops: &[GEMV_ROW.spec(), GEMM_BATCHED.spec()],
    // The rollout's hot path: every storage index is guarded against the validated
    // parameters, workgroup arrays are indexed in range by construction and every
    // loop is bounded by a parameter, so the compiler's clamps only cost time
    // (docs/BENCHMARKS.md).
    trusted: true,
    zero_workgroup_memory: true,
};

fn any_gemv(_: &GemvParams) -> Result<(), String> {
    Ok(())
}

fn any_gemm(_: &GemmParams) -> Result<(), String> {
    Ok(())
}

fn gemv<T: Real>(p: &GemvParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let (rows, cols) = (p.rows as usize, p.cols as usize);
    let (z, a) = (&io.reals(0)[..rows], &io.reals(1)[..rows * cols]);
    gemv_row(z, a, cols, &mut io.reals_mut(2)[..cols]);
    Ok(())
}

crate::kernel_op! {
    /// `out = z · A` (row vector × row-major matrix).
    pub static GEMV_ROW: Op<GemvParams, [BufferId; 3]> = {
        name: "gemv_row",
        family: &LINEAR,
        summary: "out[j] = Σ_i z[i]·a[i·cols + j]  (row vector z times row-major A)",
        bindings: &[
            binding(0, "z", Read, R, Product(&["rows"])),
            binding(1, "a", Read, R, Product(&["rows", "cols"])),
            binding(2, "out", ReadWrite, R, Product(&["cols"])),
        ],
        sizes: &["rows", "cols"],
        // 8 columns per workgroup, 32 row groups each summing every 32nd row (eight
        // independent loads in flight), then a workgroup tree reduction.
        dispatch: Dispatch::Tiled { x: Product(&["cols"]), y: Fixed(1), tile_x: 8, tile_y: 1, wx: 8, wy: 32 },
        domain: any_gemv,
        cpu: gemv,
    };
}

fn gemm<T: Real>(p: &GemmParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let (m, rows, cols) = (p.batch as usize, p.rows as usize, p.cols as usize);
    let (z, a) = (&io.reals(0)[..m * rows], &io.reals(1)[..rows * cols]);
    gemm_rows(z, a, rows, cols, &mut io.reals_mut(2)[..m * cols]);
    Ok(())
}

crate::kernel_op! {
    /// `Out = Z · A` for `batch` row states.
    pub static GEMM_BATCHED: Op<GemmParams, [BufferId; 3]> = {
        name: "gemm_batched",
        family: &LINEAR,
        summary: "out[m·cols + j] = Σ_i z[m·rows + i]·a[i·cols + j]  (M row states through A)",
        bindings: &[
            binding(0, "z", Read, R, Product(&["batch", "rows"])),
            binding(1, "a", Read, R, Product(&["rows", "cols"])),
            binding(2, "out", ReadWrite, R, Product(&["batch", "cols"])),
        ],
        sizes: &["batch", "rows", "cols"],
        // 128×64 output tiles (rows × columns), 16×16 invocations computing 8×4 outputs each.
        dispatch: Dispatch::Tiled { x: Product(&["cols"]), y: Product(&["batch"]), tile_x: 64, tile_y: 128, wx: 16, wy: 16 },
        domain: any_gemm,
        cpu: gemm,
    };
}
