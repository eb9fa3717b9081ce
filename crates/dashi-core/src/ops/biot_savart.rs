//! CPU reference of the `atoms` family: `biot_savart`, the periodic regularised
//! Biot–Savart velocity of vortex blobs by direct sum ([`crate::vortex`] is the one
//! definition of the kernel; dashi-gpu's `atoms.wgsl` mirrors it in f32).
//!
//! ```text
//! vel[t] = Σ_{s=0}^{S−1} w_s · K_{ε_s}(targets[t] − pos[s])     (s in index order)
//! ```
//!
//! Conventions (SPEC §4): box [0, 2π)², ∇²ψ = −ω, u = ∂ψ/∂y, v = −∂ψ/∂x, the velocity of
//! the zero-mean periodic field; `K_ε` sums `columns` image columns each side (coth
//! series) and regularises the nearest image with the Gaussian core `1 − e^{−r²/ε²}`.
//! Buffers interleave pairs: `pos = [x, y]`, `blobs = [w, ε]` (w = σΓ/V per vertex,
//! ε > 0), `targets = [x, y]`, `vel = [u, v]`.
//!
//! **Complexity** O(S·T) kernel evaluations, independent of any grid. Precision: the
//! kernel and the sum run in f64 for both executor precisions (the f32 executor rounds
//! its f32 inputs up and the sum once, at the end); targets are spread over rayon's pool,
//! each target's sum in source order, so results are bitwise reproducible for any thread
//! count.

use crate::scalar::Real;
use crate::vortex::blob_velocity_columns;
use rayon::prelude::*;

/// Index of the first source whose core is not finite and > 0 (the kernel's domain).
pub(crate) fn bad_core<T: Real>(blobs: &[T]) -> Option<usize> {
    blobs.chunks_exact(2).position(|b| {
        let eps = b[1].to_f64();
        !(eps.is_finite() && eps > 0.0)
    })
}

/// `biot_savart`: `pos`, `blobs` hold `2S` reals, `targets`, `vel` `2T`.
pub(crate) fn biot_savart<T: Real>(pos: &[T], blobs: &[T], targets: &[T], vel: &mut [T], columns: usize) {
    const MIN_PER_TASK: usize = 16;
    vel.par_chunks_exact_mut(2).zip(targets.par_chunks_exact(2)).with_min_len(MIN_PER_TASK).for_each(|(out, t)| {
        let (tx, ty) = (t[0].to_f64(), t[1].to_f64());
        let (mut u, mut v) = (0.0f64, 0.0f64);
        for (p, b) in pos.chunks_exact(2).zip(blobs.chunks_exact(2)) {
            let (w, eps) = (b[0].to_f64(), b[1].to_f64());
            let k = blob_velocity_columns(tx - p[0].to_f64(), ty - p[1].to_f64(), eps, columns);
            u += w * k[0];
            v += w * k[1];
        }
        out[0] = T::from_f64(u);
        out[1] = T::from_f64(v);
    });
}
