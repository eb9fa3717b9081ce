//! The `carrier` family: ternary threshold, majority, annihilation and coherence
//! statistics on carrier bit-planes (`carrier.wgsl`).
//!
//! Planes are `u32` words, bit `i % 32` of word `i / 32` = cell `i`; support = 1 iff
//! `s ≠ 0`, sign = 1 iff `s = −1`, canonical (see [`crate::carrier`]). 2D grids are
//! row-major `[height][width]`, periodic; `height = 1` is a ring. The CPU kernels are
//! the kernels of [`crate::kernel`] (`threshold_planes`, [`Majority`], [`Annihilate`],
//! [`CoherenceStats`]).

use super::Access::{Read, ReadWrite};
use super::ElemType::{I32, Real as R, U32};
use super::LenRule::{Fixed, Product, Words};
use super::{BufferId, CpuIo, Dispatch, Family, WGSL_CARRIER_WORDS, binding};
use crate::carrier::{Carrier, Neighbourhood, Shape, Stencil};
use crate::kernel::{Annihilate, CoherenceStats, Kernel, Majority, threshold_planes};
use crate::scalar::Real;

crate::op_params! {
    /// `{ n, tau }` — `threshold`.
    pub struct ThresholdParams {
        /// Number of cells.
        pub n: u32,
        /// Threshold τ > 0.
        pub tau: f32,
    }
}

impl ThresholdParams {
    /// `n` cells at threshold `tau`.
    pub fn new(n: u32, tau: f32) -> Self {
        ThresholdParams { n, tau, ..bytemuck::Zeroable::zeroed() }
    }
}

crate::op_params! {
    /// `{ width, height, radius, stencil, eta }` — `majority`, `annihilate`,
    /// `coherence_stats` (2D grids `[height][width]`; `height = 1` is a ring).
    pub struct StencilParams {
        /// Columns (fast axis).
        pub width: u32,
        /// Rows.
        pub height: u32,
        /// Neighbourhood radius.
        pub radius: u32,
        /// 0 = von Neumann, 1 = Moore.
        pub stencil: u32,
        /// Vote strength η (majority only; 0 elsewhere).
        pub eta: u32,
    }
}

impl StencilParams {
    /// A `height × width` grid with the given neighbourhood and η.
    pub fn new(width: u32, height: u32, nbhd: Neighbourhood, eta: u32) -> Self {
        StencilParams {
            width,
            height,
            radius: nbhd.radius as u32,
            stencil: nbhd.stencil.code(),
            eta,
            ..bytemuck::Zeroable::zeroed()
        }
    }
}

/// The family.
pub static CARRIER: Family = Family {
    name: "carrier",
    owner: "dashi-core",
    doc: "ternary carrier kernels on bit-planes",
    wgsl: include_str!("carrier.wgsl"),
    imports: &[&WGSL_CARRIER_WORDS],
    constants: &[],
    ops: &[THRESHOLD.spec(), MAJORITY.spec(), ANNIHILATE.spec(), COHERENCE_STATS.spec()],
    trusted: false,
    zero_workgroup_memory: true,
};

const N: &[&str] = &["n"];
const WH: &[&str] = &["width", "height"];
const PER_WORD: Dispatch = Dispatch::Threads { count: Words(WH), workgroup: 64 };

fn finite_positive_tau(p: &ThresholdParams) -> Result<(), String> {
    if p.tau.is_finite() && p.tau > 0.0 { Ok(()) } else { Err(format!("tau = {} must be finite and > 0", p.tau)) }
}

fn stencil_domain(p: &StencilParams, needs_eta: bool) -> Result<(), String> {
    let (w, h, r, s) = (p.width, p.height, p.radius, p.stencil);
    if s > 1 {
        return Err(format!("stencil = {s} (0 = von Neumann, 1 = Moore)"));
    }
    for (axis, extent) in [("width", w), ("height", h)] {
        if extent > 1 && 2 * u64::from(r) + 1 > u64::from(extent) {
            return Err(format!("radius {r} too large for {axis} {extent}: need 2r+1 <= {axis}"));
        }
    }
    if needs_eta && p.eta == 0 {
        return Err("eta must be >= 1".into());
    }
    Ok(())
}

fn majority_domain(p: &StencilParams) -> Result<(), String> {
    stencil_domain(p, true)
}

fn stencil_only_domain(p: &StencilParams) -> Result<(), String> {
    stencil_domain(p, false)
}

/// Reads a carrier of a `[height][width]` grid from two plane bindings.
fn carrier_from(p: &StencilParams, support: &[u32], sign: &[u32]) -> Result<Carrier, String> {
    let shape = Shape::d2(p.height as usize, p.width as usize).map_err(|e| e.to_string())?;
    let words = crate::carrier::words_for(shape.cells());
    Carrier::from_planes(shape, support[..words].to_vec(), sign[..words].to_vec()).map_err(|e| e.to_string())
}

fn neighbourhood(p: &StencilParams) -> Neighbourhood {
    let stencil = Stencil::from_code(p.stencil).expect("validated stencil code");
    Neighbourhood::new(stencil, p.radius as usize)
}

fn threshold<T: Real>(p: &ThresholdParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let len = p.n as usize;
    let tau = T::from_f64(f64::from(p.tau));
    let x = &io.reals(0)[..len];
    let words = crate::carrier::words_for(len);
    let (support, sign) = io.words_pair_mut(1, 2);
    threshold_planes(x, tau, &mut support[..words], &mut sign[..words]);
    Ok(())
}

crate::kernel_op! {
    /// Ternary threshold of a real field into carrier bit-planes.
    pub static THRESHOLD: Op<ThresholdParams, [BufferId; 3]> = {
        name: "threshold",
        family: &CARRIER,
        summary: "s[i] = +1 if x[i] ≥ tau, −1 if x[i] ≤ −tau, else 0  (written as support/sign words)",
        bindings: &[
            binding(0, "x", Read, R, Product(N)),
            binding(1, "support", ReadWrite, U32, Words(N)),
            binding(2, "sign", ReadWrite, U32, Words(N)),
        ],
        sizes: N,
        dispatch: Dispatch::Threads { count: Words(N), workgroup: 64 },
        domain: finite_positive_tau,
        cpu: threshold,
    };
}

crate::buffer_set! {
    /// The buffers of `majority` and `annihilate`: input planes, output planes.
    pub struct StencilBuffers { support_in, sign_in, support_out, sign_out }
}

const STENCIL_BINDINGS: &[super::Binding] = &[
    binding(0, "support_in", Read, U32, Words(WH)),
    binding(1, "sign_in", Read, U32, Words(WH)),
    binding(2, "support_out", ReadWrite, U32, Words(WH)),
    binding(3, "sign_out", ReadWrite, U32, Words(WH)),
];

fn stencil_kernel<T: Real>(
    p: &StencilParams,
    io: &mut CpuIo<'_, '_, T>,
    apply: impl Fn(&Carrier) -> Result<Carrier, String>,
) -> Result<(), String> {
    let input = carrier_from(p, io.words(0), io.words(1))?;
    let out = apply(&input)?;
    let words = out.support_words().len();
    let (support, sign) = io.words_pair_mut(2, 3);
    support[..words].copy_from_slice(out.support_words());
    sign[..words].copy_from_slice(out.sign_words());
    Ok(())
}

fn majority<T: Real>(p: &StencilParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let kernel = Majority::new(neighbourhood(p), p.eta).map_err(|e| e.to_string())?;
    stencil_kernel(p, io, |c| kernel.apply(c).map_err(|e| e.to_string()))
}

fn annihilate<T: Real>(p: &StencilParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let kernel = Annihilate::new(neighbourhood(p));
    stencil_kernel(p, io, |c| kernel.apply(c).map_err(|e| e.to_string()))
}

crate::kernel_op! {
    /// Sign-preserving majority ([`crate::kernel::Majority`]).
    pub static MAJORITY: Op<StencilParams, StencilBuffers> = {
        name: "majority",
        family: &CARRIER,
        summary: "s'(x) = s(x) if s(x)·Σ_{N[x]} s ≥ eta, else 0",
        bindings: STENCIL_BINDINGS,
        sizes: WH,
        dispatch: PER_WORD,
        domain: majority_domain,
        cpu: majority,
    };
}

crate::kernel_op! {
    /// Annihilation of touching opposite signs ([`crate::kernel::Annihilate`]).
    pub static ANNIHILATE: Op<StencilParams, StencilBuffers> = {
        name: "annihilate",
        family: &CARRIER,
        summary: "s'(x) = 0 if some y ∈ N[x] has s(y) = −s(x) ≠ 0, else s(x)",
        bindings: STENCIL_BINDINGS,
        sizes: WH,
        dispatch: PER_WORD,
        domain: stencil_only_domain,
        cpu: annihilate,
    };
}

crate::buffer_set! {
    /// The buffers of `coherence_stats`.
    pub struct CoherenceBuffers { support, sign, field, counts, energy }
}

fn coherence_stats<T: Real>(p: &StencilParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let input = carrier_from(p, io.words(0), io.words(1))?;
    let cells = input.len();
    let values: Vec<f64> = io.reals(2)[..cells].iter().map(|v| v.to_f64()).collect();
    let field = crate::carrier::Field::new(input.shape().clone(), values).map_err(|e| e.to_string())?;
    let stats = CoherenceStats::of(&input, &field).map_err(|e| e.to_string())?;
    let clamp = |v: i64| i32::try_from(v).map_err(|_| "count exceeds i32".to_string());
    let counts =
        [clamp(stats.active_cells as i64)?, clamp(stats.sign_balance)?, clamp(stats.interface_count as i64)?, 0];
    io.ints_mut(3)[..4].copy_from_slice(&counts);
    io.reals_mut(4)[0] = T::from_f64(stats.energy_on_support);
    Ok(())
}

crate::kernel_op! {
    /// Coherence statistics ([`crate::kernel::CoherenceStats`]).
    pub static COHERENCE_STATS: Op<StencilParams, CoherenceBuffers> = {
        name: "coherence_stats",
        family: &CARRIER,
        summary: "counts = [|supp s|, Σ s, I(s), 0]; energy[0] = ½·mean_{supp s} f²  (0 on empty support)",
        bindings: &[
            binding(0, "support", Read, U32, Words(WH)),
            binding(1, "sign", Read, U32, Words(WH)),
            binding(2, "field", Read, R, Product(WH)),
            binding(3, "counts", ReadWrite, I32, Fixed(4)),
            binding(4, "energy", ReadWrite, R, Fixed(1)),
        ],
        sizes: WH,
        dispatch: Dispatch::Single { workgroup: 256 },
        domain: stencil_only_domain,
        cpu: coherence_stats,
    };
}
