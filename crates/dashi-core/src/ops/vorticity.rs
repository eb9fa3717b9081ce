//! CPU reference of the `vorticity` family (the fused steps of the vorticity equation's
//! right-hand side, SPEC §5; conventions SPEC §4: full layout `[ky][kx]`, interleaved
//! `(re, im)`, `k = fftfreq(n)·n`).
//!
//! Two real fields `a`, `b` with Hermitian spectra `â`, `b̂` travel as one complex field
//! `a + i·b`: its spectrum is `â + i·b̂`, and one inverse FFT returns `a` in the real
//! and `b` in the imaginary part. `vorticity_fields` builds those packed spectra from
//! ω̂ with one complex factor per mode (computed in f64, then rounded to the executor's
//! type), so the four real fields the advection needs (`u, v, ∂xω, ∂yω`) cost two
//! inverse FFTs instead of four:
//!
//! ```text
//! velocity:  (kx + i·ky)/|k|² · ω̂  = û + i·v̂,      û = i·ky·ψ̂,  v̂ = −i·kx·ψ̂,  ψ̂ = ω̂/|k|²
//! gradient:  (−ky + i·kx) · ω̂      = (∂xω)^ + i·(∂yω)^
//! strain:    (−kx·ky + i·(kx² − ky²)/2)/|k|² · ω̂ = Ŝ11 + i·Ŝ12,  S11 = ∂xu,  S12 = (∂yu + ∂xv)/2
//! laplacian: −|k|² · ω̂
//! ```
//!
//! The packed spectra are Hermitian only if ω̂ is and has no Nyquist content (i·k at
//! k = −n/2 breaks the symmetry); the solver's state is 2/3-dealiased, so it has none.

use crate::scalar::Real;
use crate::spectral::{Layout, SpectralGrid, dealias_keeps};
use rayon::prelude::*;

/// The grid of a validated op size (`n` a power of two in the spectral range).
fn grid(n: usize) -> SpectralGrid {
    SpectralGrid::new(n).expect("n validated by the op's domain")
}

/// Rows per rayon task (whole rows of ≥ 4096 complex values, so hand-off stays cheap).
fn rows_per_task(n: usize) -> usize {
    (4096 / n).max(1)
}

/// The complex factor of `vorticity_fields` kind `kind` at `(kx, ky)`.
pub(crate) fn field_factor(kind: u32, kx: f64, ky: f64) -> (f64, f64) {
    let k2 = kx * kx + ky * ky;
    let inv = if k2 == 0.0 { 0.0 } else { 1.0 / k2 };
    match kind {
        0 => (kx * inv, ky * inv),
        1 => (-ky, kx),
        2 => (-kx * ky * inv, 0.5 * (kx * kx - ky * ky) * inv),
        _ => (-k2, 0.0),
    }
}

/// `vorticity_fields`: `out = f_kind(k)·omega` for one `n×n` spectrum.
pub(crate) fn vorticity_fields<T: Real + Send + Sync>(omega: &[T], out: &mut [T], n: usize, kind: u32) {
    let (grid, rows) = (grid(n), rows_per_task(n));
    out[..2 * n * n].par_chunks_mut(2 * n * rows).enumerate().for_each(|(task, chunk)| {
        for (r, row) in chunk.chunks_exact_mut(2 * n).enumerate() {
            let iy = task * rows + r;
            let ky = grid.ky(iy) as f64;
            let src = &omega[2 * n * iy..2 * n * (iy + 1)];
            for (ix, (o, s)) in row.chunks_exact_mut(2).zip(src.chunks_exact(2)).enumerate() {
                let (fr, fi) = field_factor(kind, grid.kx(Layout::Full, ix) as f64, ky);
                let (fr, fi) = (T::from_f64(fr), T::from_f64(fi));
                o[0] = s[0] * fr - s[1] * fi;
                o[1] = s[0] * fi + s[1] * fr;
            }
        }
    });
}

/// `vorticity_nonlinear` over `len` complex elements: real part
/// `−(u·ωx + v·ωy) [+ coeff·2·sqrt(S11² + S12²)·∇²ω]`, imaginary part 0.
pub(crate) fn vorticity_nonlinear<T: Real + Send + Sync>(
    fields: [&[T]; 4],
    out: &mut [T],
    len: usize,
    smagorinsky: Option<f64>,
) {
    let [velocity, gradient, strain, laplacian] = fields;
    let coeff = smagorinsky.map(|c| T::from_f64(2.0 * c));
    let chunk = 8192;
    out[..2 * len].par_chunks_mut(2 * chunk).enumerate().for_each(|(task, block)| {
        let base = 2 * chunk * task;
        for (j, o) in block.chunks_exact_mut(2).enumerate() {
            let at = base + 2 * j;
            let mut value = -(velocity[at] * gradient[at] + velocity[at + 1] * gradient[at + 1]);
            if let Some(c) = coeff {
                let (s11, s12) = (strain[at], strain[at + 1]);
                let magnitude = T::from_f64((s11 * s11 + s12 * s12).to_f64().sqrt());
                value += c * magnitude * laplacian[at];
            }
            o[0] = value;
            o[1] = T::ZERO;
        }
    });
}

/// `vorticity_rhs`: `out = D(k)·nonlinear − (ν|k|² + μ)·omega + forcing` for one `n×n`
/// spectrum, `D` the 2/3 mask `3|kx| ≤ n ∧ 3|ky| ≤ n`.
pub(crate) fn vorticity_rhs<T: Real + Send + Sync>(inputs: [&[T]; 3], out: &mut [T], n: usize, nu: f64, drag: f64) {
    let [omega, nonlinear, forcing] = inputs;
    let (grid, rows) = (grid(n), rows_per_task(n));
    out[..2 * n * n].par_chunks_mut(2 * n * rows).enumerate().for_each(|(task, chunk)| {
        for (r, row) in chunk.chunks_exact_mut(2 * n).enumerate() {
            let iy = task * rows + r;
            for (ix, o) in row.chunks_exact_mut(2).enumerate() {
                let at = 2 * (iy * n + ix);
                let keep = dealias_keeps(grid, Layout::Full, iy, ix);
                let damping = T::from_f64(-(nu * grid.k2_at(Layout::Full, iy, ix) as f64 + drag));
                for c in 0..2 {
                    let advected = if keep { nonlinear[at + c] } else { T::ZERO };
                    o[c] = advected + damping * omega[at + c] + forcing[at + c];
                }
            }
        }
    });
}
