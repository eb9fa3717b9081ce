//! The `atoms` family: `biot_savart`, the periodic regularised Biot–Savart velocity of
//! vortex blobs by direct sum ([`crate::kernel`] is the one definition of the kernel;
//! `atoms.wgsl` mirrors it in f32).
//!
//! ```text
//! vel[t] = Σ_{s=0}^{S−1} w_s · K_{ε_s}(targets[t] − pos[s])     (s in index order)
//! ```
//!
//! Conventions (docs/DESIGN.md §4): box [0, 2π)², ∇²ψ = −ω, u = ∂ψ/∂y, v = −∂ψ/∂x, the
//! velocity of the zero-mean periodic field; `K_ε` sums `columns` image columns each side
//! (coth series) and regularises the nearest image with the Gaussian core
//! `1 − e^{−r²/ε²}`. Buffers interleave pairs: `pos = [x, y]`, `blobs = [w, ε]`
//! (w = σΓ/V per vertex, ε > 0), `targets = [x, y]`, `vel = [u, v]`.
//!
//! **Complexity** O(S·T) kernel evaluations, independent of any grid. Precision: the
//! kernel and the sum run in f64 for both executor precisions (the f32 executor rounds
//! its f32 inputs up and the sum once, at the end); targets are spread over rayon's pool,
//! each target's sum in source order, so results are bitwise reproducible for any thread
//! count. The box side is fixed at 2π rather than a parameter: an f32 field cannot hold
//! 2π, and the f64 kernel must agree with the atom dynamics to the last bit.

use crate::kernel::{MAX_COLUMNS, blob_velocity_columns};
use dashi_core::ops::Access::{Read, ReadWrite};
use dashi_core::ops::ElemType::Real as R;
use dashi_core::ops::LenRule::{Complex as C, Product};
use dashi_core::ops::{CpuIo, Dispatch, Family, WgslConst, binding};
use dashi_core::scalar::Real;
use rayon::prelude::*;

dashi_core::op_params! {
    /// `{ sources, targets, columns }` — `biot_savart`: the periodic regularised
    /// Biot–Savart velocity of `sources` vortex blobs at `targets` points.
    pub struct BiotSavartParams {
        /// Number of sources S (blobs).
        pub sources: u32,
        /// Number of targets T (evaluation points).
        pub targets: u32,
        /// Image columns M on each side of the central one (≤ [`MAX_COLUMNS`]).
        pub columns: u32,
    }
}

impl BiotSavartParams {
    /// `sources` blobs, `targets` points, `columns` image columns each side.
    pub fn new(sources: u32, targets: u32, columns: u32) -> Self {
        BiotSavartParams { sources, targets, columns, ..Default::default() }
    }
}

/// The family.
pub static ATOMS: Family = Family {
    name: "atoms",
    owner: "dashi-atoms",
    doc: "the periodic Biot–Savart direct sum of vortex blobs",
    wgsl: include_str!("atoms.wgsl"),
    imports: &[],
    constants: &[WgslConst { name: "MAX_COLUMNS", value: MAX_COLUMNS as u32 }],
    ops: &[BIOT_SAVART.spec()],
    trusted: false,
    zero_workgroup_memory: true,
};

fn biot_savart_domain(p: &BiotSavartParams) -> Result<(), String> {
    if p.columns as usize > MAX_COLUMNS {
        return Err(format!(
            "columns = {} exceeds {MAX_COLUMNS} (e^{{(M + 1/2)·2π}} must stay in f32 range)",
            p.columns
        ));
    }
    Ok(())
}

/// Index of the first source whose core is not finite and > 0 (the kernel's domain).
fn bad_core<T: Real>(blobs: &[T]) -> Option<usize> {
    blobs.chunks_exact(2).position(|b| {
        let eps = b[1].to_f64();
        !(eps.is_finite() && eps > 0.0)
    })
}

fn biot_savart<T: Real>(p: &BiotSavartParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    const MIN_PER_TASK: usize = 16;
    let (sources, targets) = (p.sources as usize, p.targets as usize);
    let pos = &io.reals(0)[..2 * sources];
    let blobs = &io.reals(1)[..2 * sources];
    if let Some(s) = bad_core(blobs) {
        return Err(format!("source {s}: core ε = {:?} must be finite and > 0", blobs[2 * s + 1]));
    }
    let at = &io.reals(2)[..2 * targets];
    let columns = p.columns as usize;
    let vel = &mut io.reals_mut(3)[..2 * targets];
    vel.par_chunks_exact_mut(2).zip(at.par_chunks_exact(2)).with_min_len(MIN_PER_TASK).for_each(|(out, t)| {
        let (tx, ty) = (t[0].to_f64(), t[1].to_f64());
        let (mut u, mut v) = (0.0f64, 0.0f64);
        for (q, b) in pos.chunks_exact(2).zip(blobs.chunks_exact(2)) {
            let (w, eps) = (b[0].to_f64(), b[1].to_f64());
            let k = blob_velocity_columns(tx - q[0].to_f64(), ty - q[1].to_f64(), eps, columns);
            u += w * k[0];
            v += w * k[1];
        }
        out[0] = T::from_f64(u);
        out[1] = T::from_f64(v);
    });
    Ok(())
}

dashi_core::buffer_set! {
    /// The buffers of `biot_savart`.
    pub struct BiotSavartBuffers { pos, blobs, targets, vel }
}

dashi_core::kernel_op! {
    /// The periodic regularised Biot–Savart velocity of S Gaussian vortex blobs at T
    /// points ([`crate::kernel`]): direct sum, O(S·T), one invocation per target on the
    /// device.
    pub static BIOT_SAVART: Op<BiotSavartParams, BiotSavartBuffers> = {
        name: "biot_savart",
        family: &ATOMS,
        summary: "vel[t] = Σ_s w_s·K_{ε_s}(targets[t] − pos[s]) over s = 0 … S−1 in order, (w_s, ε_s) = blobs[s], ε_s > 0; K_ε = periodic blob kernel of dashi_atoms::kernel in [0, 2π)² (u = ∂ψ/∂y, v = −∂ψ/∂x, ∇²ψ = −ω, zero-mean): Σ_{|m|≤columns} image columns (coth) + Gaussian core 1 − e^{−r²/ε²} on the nearest image",
        bindings: &[
            binding(0, "pos", Read, R, C(&["sources"])),
            binding(1, "blobs", Read, R, C(&["sources"])),
            binding(2, "targets", Read, R, C(&["targets"])),
            binding(3, "vel", ReadWrite, R, C(&["targets"])),
        ],
        sizes: &["sources", "targets"],
        dispatch: Dispatch::Threads { count: Product(&["targets"]), workgroup: 64 },
        domain: biot_savart_domain,
        cpu: biot_savart,
    };
}
