//! The `vorticity` family: the fused steps of the vorticity equation's right-hand side
//! (docs/MATH.md §5; conventions docs/DESIGN.md §4: full layout `[ky][kx]`, interleaved
//! `(re, im)`, `k = fftfreq(n)·n`), CPU kernels here, WGSL in `vorticity.wgsl`.
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
//! nonlinear: −(u·∂xω + v·∂yω) [+ (Cs·Δ)²·|S|·∇²ω],   |S| = 2·sqrt(S11² + S12²)
//! rhs:       D(k)·nonlinear^ − (ν|k|² + μ)·ω̂ + F̂,     D the 2/3 mask
//! ```
//!
//! The packed spectra are Hermitian only if ω̂ is and has no Nyquist content (i·k at
//! k = −n/2 breaks the symmetry); the solver's state is 2/3-dealiased, so it has none.
//! Coefficients that the f64 reference must not see rounded travel as `hi + lo` f32
//! pairs ([`split_f64`]).

use dashi_core::ops::Access::{Read, ReadWrite};
use dashi_core::ops::ElemType::Real as R;
use dashi_core::ops::LenRule::Complex as C;
use dashi_core::ops::{BufferId, CpuIo, Family, PER_MODE, WGSL_WAVENUMBER, binding, spectral_n, split_f64};
use dashi_core::scalar::Real;
use dashi_core::spectral::{Layout, SpectralGrid, dealias_keeps};
use rayon::prelude::*;

dashi_core::op_params! {
    /// `{ n, kind }` — `vorticity_fields`: one full-layout `n×n` vorticity spectrum mapped
    /// to the spectrum of a packed pair of real fields (see `VORTICITY_FIELDS`).
    pub struct VorticityFieldParams {
        /// Grid size N (a power of two, 2 ..= 8192).
        pub n: u32,
        /// 0 = velocity `u + i·v`, 1 = gradient `∂xω + i·∂yω`, 2 = strain `S11 + i·S12`,
        /// 3 = Laplacian `∇²ω`.
        pub kind: u32,
    }
}

impl VorticityFieldParams {
    /// `kind` 0: `(kx + i·ky)/|k|²` (k = 0 → 0) — `û + i·v̂` with `û = i·ky·ψ̂`,
    /// `v̂ = −i·kx·ψ̂`, `ψ̂ = ω̂/|k|²`.
    pub const VELOCITY: u32 = 0;
    /// `kind` 1: `−ky + i·kx` — `(∂xω)^ + i·(∂yω)^`.
    pub const GRADIENT: u32 = 1;
    /// `kind` 2: `(−kx·ky + i·(kx² − ky²)/2)/|k|²` (k = 0 → 0) — `Ŝ11 + i·Ŝ12` with
    /// `S11 = ∂xu`, `S12 = (∂yu + ∂xv)/2`.
    pub const STRAIN: u32 = 2;
    /// `kind` 3: `−|k|²` — `(∇²ω)^`.
    pub const LAPLACIAN: u32 = 3;

    /// Field `kind` of an `n×n` spectrum.
    pub fn new(n: u32, kind: u32) -> Self {
        VorticityFieldParams { n, kind, ..Default::default() }
    }
}

dashi_core::op_params! {
    /// `{ n, smagorinsky, coeff_hi, coeff_lo }` — `vorticity_nonlinear` on an `n×n` grid
    /// (real fields packed in pairs as complex values).
    pub struct NonlinearParams {
        /// Grid size N (a power of two, 2 ..= 8192).
        pub n: u32,
        /// 1: add the Smagorinsky term `(Cs·Δ)²·|S|·∇²ω`; 0: advection only (the strain and
        /// Laplacian bindings are not read).
        pub smagorinsky: u32,
        /// `(Cs·Δ)²`, high part (see [`split_f64`]).
        pub coeff_hi: f32,
        /// `(Cs·Δ)²`, low part.
        pub coeff_lo: f32,
    }
}

impl NonlinearParams {
    /// Advection only.
    pub fn advection(n: u32) -> Self {
        NonlinearParams { n, ..Default::default() }
    }

    /// Advection plus the Smagorinsky term with `(Cs·Δ)² = coeff`.
    pub fn smagorinsky(n: u32, coeff: f64) -> Self {
        let (coeff_hi, coeff_lo) = split_f64(coeff);
        NonlinearParams { n, smagorinsky: 1, coeff_hi, coeff_lo, ..Default::default() }
    }
}

dashi_core::op_params! {
    /// `{ n, nu_hi, nu_lo, drag_hi, drag_lo }` — `vorticity_rhs` on one full-layout `n×n`
    /// spectrum.
    pub struct VorticityRhsParams {
        /// Grid size N (a power of two, 2 ..= 8192).
        pub n: u32,
        /// Viscosity ν₀, high part (see [`split_f64`]).
        pub nu_hi: f32,
        /// Viscosity ν₀, low part.
        pub nu_lo: f32,
        /// Linear drag μ, high part.
        pub drag_hi: f32,
        /// Linear drag μ, low part.
        pub drag_lo: f32,
    }
}

impl VorticityRhsParams {
    /// Grid `n`, viscosity `nu`, drag `drag`.
    pub fn new(n: u32, nu: f64, drag: f64) -> Self {
        let ((nu_hi, nu_lo), (drag_hi, drag_lo)) = (split_f64(nu), split_f64(drag));
        VorticityRhsParams { n, nu_hi, nu_lo, drag_hi, drag_lo, ..Default::default() }
    }
}

/// The family.
pub static VORTICITY: Family = Family {
    name: "vorticity",
    owner: "dashi-les",
    doc: "fused steps of the vorticity equation's right-hand side",
    wgsl: include_str!("vorticity.wgsl"),
    imports: &[&WGSL_WAVENUMBER],
    constants: &[],
    ops: &[VORTICITY_FIELDS.spec(), VORTICITY_NONLINEAR.spec(), VORTICITY_RHS.spec()],
    trusted: false,
    zero_workgroup_memory: true,
};

const NN: &[&str] = &["n", "n"];

fn vorticity_fields_domain(p: &VorticityFieldParams) -> Result<(), String> {
    spectral_n(p.n)?;
    match p.kind {
        0..=3 => Ok(()),
        kind => Err(format!("kind = {kind} (0 = velocity, 1 = gradient, 2 = strain, 3 = Laplacian)")),
    }
}

fn nonlinear_domain(p: &NonlinearParams) -> Result<(), String> {
    spectral_n(p.n)?;
    let coeff = f64::from(p.coeff_hi) + f64::from(p.coeff_lo);
    match p.smagorinsky {
        0 | 1 if coeff.is_finite() && coeff >= 0.0 => Ok(()),
        0 | 1 => Err(format!("coeff = {coeff} must be finite and >= 0")),
        flag => Err(format!("smagorinsky = {flag} (0 = advection only, 1 = with the Smagorinsky term)")),
    }
}

fn vorticity_rhs_domain(p: &VorticityRhsParams) -> Result<(), String> {
    spectral_n(p.n)?;
    let pair = |hi: f32, lo: f32| f64::from(hi) + f64::from(lo);
    for (name, v) in [("nu", pair(p.nu_hi, p.nu_lo)), ("drag", pair(p.drag_hi, p.drag_lo))] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(format!("{name} = {v} must be finite and >= 0"));
        }
    }
    Ok(())
}

fn vorticity_fields<T: Real>(p: &VorticityFieldParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let n = p.n as usize;
    let omega = &io.reals(0)[..2 * n * n];
    fields_reference(omega, io.reals_mut(1), n, p.kind);
    Ok(())
}

dashi_core::kernel_op! {
    /// Out-of-place map of one full-layout `n×n` vorticity spectrum ω̂ to the spectrum
    /// of two real fields packed as `a + i·b` (both spectra Hermitian, so one inverse FFT
    /// returns `a` in the real and `b` in the imaginary part): velocity `u + i·v`,
    /// gradient `∂xω + i·∂yω`, strain `S11 + i·S12`, or the Laplacian `∇²ω` alone.
    pub static VORTICITY_FIELDS: Op<VorticityFieldParams, [BufferId; 2]> = {
        name: "vorticity_fields",
        family: &VORTICITY,
        summary: "out[ky][kx] = f(k)·omega[ky][kx], f by kind: 0 (kx + i·ky)/|k|² (k = 0 → 0), 1 −ky + i·kx, 2 (−kx·ky + i·(kx² − ky²)/2)/|k|² (k = 0 → 0), 3 −|k|²",
        bindings: &[binding(0, "omega", Read, R, C(NN)), binding(1, "out", ReadWrite, R, C(NN))],
        sizes: &["n"],
        dispatch: PER_MODE,
        domain: vorticity_fields_domain,
        cpu: vorticity_fields,
    };
}

dashi_core::buffer_set! {
    /// The buffers of `vorticity_nonlinear`: the packed real-space fields and the output.
    pub struct NonlinearBuffers { velocity, gradient, strain, laplacian, out }
}

fn vorticity_nonlinear<T: Real>(p: &NonlinearParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let n = p.n as usize;
    let len = 2 * n * n;
    let fields = [0, 1, 2, 3].map(|i| &io.reals(i)[..len]);
    let coeff = f64::from(p.coeff_hi) + f64::from(p.coeff_lo);
    let smagorinsky = (p.smagorinsky == 1).then_some(coeff);
    nonlinear_reference(fields, io.reals_mut(4), n * n, smagorinsky);
    Ok(())
}

dashi_core::kernel_op! {
    /// The real-space nonlinear term of the vorticity equation on an `n×n` grid from
    /// packed fields (real parts of `out` written, imaginary parts zeroed):
    /// `−(u·∂xω + v·∂yω)` plus, with `smagorinsky = 1`, the eddy-viscosity term
    /// `(Cs·Δ)²·|S|·∇²ω` with `|S| = sqrt(2(S11² + S22² + 2·S12²)) = 2·sqrt(S11² + S12²)`
    /// (S22 = −S11).
    pub static VORTICITY_NONLINEAR: Op<NonlinearParams, NonlinearBuffers> = {
        name: "vorticity_nonlinear",
        family: &VORTICITY,
        summary: "out[j] = (−(velocity[j].re·gradient[j].re + velocity[j].im·gradient[j].im) + smagorinsky·(coeff_hi + coeff_lo)·2·sqrt(strain[j].re² + strain[j].im²)·laplacian[j].re, 0)",
        bindings: &[
            binding(0, "velocity", Read, R, C(NN)),
            binding(1, "gradient", Read, R, C(NN)),
            binding(2, "strain", Read, R, C(NN)),
            binding(3, "laplacian", Read, R, C(NN)),
            binding(4, "out", ReadWrite, R, C(NN)),
        ],
        sizes: &["n"],
        dispatch: PER_MODE,
        domain: nonlinear_domain,
        cpu: vorticity_nonlinear,
    };
}

dashi_core::buffer_set! {
    /// The buffers of `vorticity_rhs`.
    pub struct RhsBuffers { omega, nonlinear, forcing, out }
}

fn vorticity_rhs<T: Real>(p: &VorticityRhsParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let n = p.n as usize;
    let len = 2 * n * n;
    let inputs = [0, 1, 2].map(|i| &io.reals(i)[..len]);
    let pair = |hi: f32, lo: f32| f64::from(hi) + f64::from(lo);
    rhs_reference(inputs, io.reals_mut(3), n, pair(p.nu_hi, p.nu_lo), pair(p.drag_hi, p.drag_lo));
    Ok(())
}

dashi_core::kernel_op! {
    /// The vorticity equation's right-hand side in spectral space from the transformed
    /// nonlinear term: `out = D(k)·nonlinear + (−ν|k|² − μ)·omega + forcing`, `D` the 2/3
    /// dealias mask; ν and μ carried as `hi + lo` pairs.
    pub static VORTICITY_RHS: Op<VorticityRhsParams, RhsBuffers> = {
        name: "vorticity_rhs",
        family: &VORTICITY,
        summary: "out[ky][kx] = [3|kx| ≤ n ∧ 3|ky| ≤ n]·nonlinear[ky][kx] − ((nu_hi + nu_lo)·|k|² + drag_hi + drag_lo)·omega[ky][kx] + forcing[ky][kx]",
        bindings: &[
            binding(0, "omega", Read, R, C(NN)),
            binding(1, "nonlinear", Read, R, C(NN)),
            binding(2, "forcing", Read, R, C(NN)),
            binding(3, "out", ReadWrite, R, C(NN)),
        ],
        sizes: &["n"],
        dispatch: PER_MODE,
        domain: vorticity_rhs_domain,
        cpu: vorticity_rhs,
    };
}

/// The grid of a validated op size (`n` a power of two in the spectral range).
fn grid(n: usize) -> SpectralGrid {
    SpectralGrid::new(n).expect("n validated by the op's domain")
}

/// Rows per rayon task (whole rows of ≥ 4096 complex values, so hand-off stays cheap).
fn rows_per_task(n: usize) -> usize {
    (4096 / n).max(1)
}

/// The complex factor of `vorticity_fields` kind `kind` at `(kx, ky)` (computed in f64).
pub fn field_factor(kind: u32, kx: f64, ky: f64) -> (f64, f64) {
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
fn fields_reference<T: Real>(omega: &[T], out: &mut [T], n: usize, kind: u32) {
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
fn nonlinear_reference<T: Real>(fields: [&[T]; 4], out: &mut [T], len: usize, smagorinsky: Option<f64>) {
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
fn rhs_reference<T: Real>(inputs: [&[T]; 3], out: &mut [T], n: usize, nu: f64, drag: f64) {
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
