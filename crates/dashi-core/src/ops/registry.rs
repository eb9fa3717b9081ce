//! Every KernelOp so far. `docs/ABI.md` lists them with their formulas; later crates
//! (FFT, spectral ops) add to this registry.
//!
//! Conventions: real buffers are `ElemType::Real`; carrier bit-planes are `u32`
//! words, bit `i % 32` of word `i / 32` = cell `i` (see [`crate::carrier`]); 2D grids
//! are row-major `[height][width]`, periodic.

use super::params::{
    BandParams, BiotSavartParams, BoxSmoothParams, FftStepParams, FiningClosureParams, GatherParams, GemmParams,
    GemvParams, LenParams, NonlinearParams, PairParams, ProxyPackParams, ProxySpectrumParams, ScalarParams,
    ShellParams, SpectralMulParams, StencilParams, ThresholdGateParams, ThresholdParams, TopKParams,
    VorticityFieldParams, VorticityRhsParams,
};
use super::spec::any_params;
use super::spec::{Access::*, Binding, Dispatch, ElemType::*, LenRule::*, OpId, OpSpec, ParamField, ParamType, Params};
use std::mem::size_of;

const fn b(
    index: u32,
    name: &'static str,
    access: super::Access,
    elem: super::ElemType,
    len: super::LenRule,
) -> Binding {
    Binding { index, name, access, elem, len }
}
const fn u(name: &'static str) -> ParamField {
    ParamField { name, ty: ParamType::U32 }
}
const fn f(name: &'static str) -> ParamField {
    ParamField { name, ty: ParamType::F32 }
}

const N: &[&str] = &["n"];
const WH: &[&str] = &["width", "height"];
const PARAMS_N: &[ParamField] = &[u("n")];
const PARAMS_N_ALPHA: &[ParamField] = &[u("n"), f("alpha")];
const PARAMS_STENCIL: &[ParamField] = &[u("width"), u("height"), u("radius"), u("stencil"), u("eta")];
const PER_ELEMENT: Dispatch = Dispatch::Threads { count: Product(N), workgroup: 256 };
const PER_WORD: Dispatch = Dispatch::Threads { count: Words(WH), workgroup: 64 };
const SINGLE: Dispatch = Dispatch::Single { workgroup: 256 };

fn finite_positive_tau(p: &Params<'_>) -> Result<(), String> {
    let tau = p.f32("tau");
    if tau.is_finite() && tau > 0.0 { Ok(()) } else { Err(format!("tau = {tau} must be finite and > 0")) }
}

fn finite_alpha(p: &Params<'_>) -> Result<(), String> {
    let alpha = p.f32("alpha");
    if alpha.is_finite() { Ok(()) } else { Err(format!("alpha = {alpha} must be finite")) }
}

fn k_within_n(p: &Params<'_>) -> Result<(), String> {
    let (n, k) = (p.u32("n"), p.u32("k"));
    if k <= n { Ok(()) } else { Err(format!("k = {k} exceeds n = {n}")) }
}

fn stencil_domain(p: &Params<'_>, needs_eta: bool) -> Result<(), String> {
    let (w, h, r, s) = (p.u32("width"), p.u32("height"), p.u32("radius"), p.u32("stencil"));
    if s > 1 {
        return Err(format!("stencil = {s} (0 = von Neumann, 1 = Moore)"));
    }
    for (axis, extent) in [("width", w), ("height", h)] {
        if extent > 1 && 2 * u64::from(r) + 1 > u64::from(extent) {
            return Err(format!("radius {r} too large for {axis} {extent}: need 2r+1 <= {axis}"));
        }
    }
    if needs_eta && p.u32("eta") == 0 {
        return Err("eta must be >= 1".into());
    }
    Ok(())
}

fn majority_domain(p: &Params<'_>) -> Result<(), String> {
    stencil_domain(p, true)
}

fn stencil_only_domain(p: &Params<'_>) -> Result<(), String> {
    stencil_domain(p, false)
}

/// `y ← α·x + y`.
pub static AXPY: OpSpec = OpSpec {
    id: OpId::Axpy,
    name: "axpy",
    family: "elementwise",
    summary: "y[i] ← alpha·x[i] + y[i]",
    bindings: &[b(0, "x", Read, Real, Product(N)), b(1, "y", ReadWrite, Real, Product(N))],
    params: PARAMS_N_ALPHA,
    params_size: size_of::<ScalarParams>(),
    sizes: N,
    dispatch: PER_ELEMENT,
    domain: finite_alpha,
};

/// `x ← α·x`.
pub static SCALE: OpSpec = OpSpec {
    id: OpId::Scale,
    name: "scale",
    family: "elementwise",
    summary: "x[i] ← alpha·x[i]",
    bindings: &[b(0, "x", ReadWrite, Real, Product(N))],
    params: PARAMS_N_ALPHA,
    params_size: size_of::<ScalarParams>(),
    sizes: N,
    dispatch: PER_ELEMENT,
    domain: finite_alpha,
};

/// `out = x + y`.
pub static ADD: OpSpec = OpSpec {
    id: OpId::Add,
    name: "add",
    family: "elementwise",
    summary: "out[i] = x[i] + y[i]",
    bindings: &[
        b(0, "x", Read, Real, Product(N)),
        b(1, "y", Read, Real, Product(N)),
        b(2, "out", ReadWrite, Real, Product(N)),
    ],
    params: PARAMS_N,
    params_size: size_of::<LenParams>(),
    sizes: N,
    dispatch: PER_ELEMENT,
    domain: any_params,
};

/// `out = x ⊙ y`.
pub static MUL: OpSpec = OpSpec {
    id: OpId::Mul,
    name: "mul",
    family: "elementwise",
    summary: "out[i] = x[i]·y[i]",
    bindings: &[
        b(0, "x", Read, Real, Product(N)),
        b(1, "y", Read, Real, Product(N)),
        b(2, "out", ReadWrite, Real, Product(N)),
    ],
    params: PARAMS_N,
    params_size: size_of::<LenParams>(),
    sizes: N,
    dispatch: PER_ELEMENT,
    domain: any_params,
};

/// `out = z · A` (row vector × row-major matrix).
pub static GEMV_ROW: OpSpec = OpSpec {
    id: OpId::GemvRow,
    name: "gemv_row",
    family: "linear",
    summary: "out[j] = Σ_i z[i]·a[i·cols + j]  (row vector z times row-major A)",
    bindings: &[
        b(0, "z", Read, Real, Product(&["rows"])),
        b(1, "a", Read, Real, Product(&["rows", "cols"])),
        b(2, "out", ReadWrite, Real, Product(&["cols"])),
    ],
    params: &[u("rows"), u("cols")],
    params_size: size_of::<GemvParams>(),
    sizes: &["rows", "cols"],
    // 8 columns per workgroup, 32 row groups each summing every 32nd row (eight
    // independent loads in flight), then a workgroup tree reduction.
    dispatch: Dispatch::Tiled { x: Product(&["cols"]), y: Fixed(1), tile_x: 8, tile_y: 1, wx: 8, wy: 32 },
    domain: any_params,
};

/// `Out = Z · A` for `batch` row states.
pub static GEMM_BATCHED: OpSpec = OpSpec {
    id: OpId::GemmBatched,
    name: "gemm_batched",
    family: "linear",
    summary: "out[m·cols + j] = Σ_i z[m·rows + i]·a[i·cols + j]  (M row states through A)",
    bindings: &[
        b(0, "z", Read, Real, Product(&["batch", "rows"])),
        b(1, "a", Read, Real, Product(&["rows", "cols"])),
        b(2, "out", ReadWrite, Real, Product(&["batch", "cols"])),
    ],
    params: &[u("batch"), u("rows"), u("cols")],
    params_size: size_of::<GemmParams>(),
    sizes: &["batch", "rows", "cols"],
    // 128×64 output tiles (rows × columns), 16×16 invocations computing 8×4 outputs each.
    dispatch: Dispatch::Tiled {
        x: Product(&["cols"]),
        y: Product(&["batch"]),
        tile_x: 64,
        tile_y: 128,
        wx: 16,
        wy: 16,
    },
    domain: any_params,
};

macro_rules! reduction {
    ($(#[$doc:meta])* $ident:ident, $id:ident, $name:literal, $summary:literal, $out:expr) => {
        $(#[$doc])*
        pub static $ident: OpSpec = OpSpec {
            id: OpId::$id,
            name: $name,
            family: "reduce",
            summary: $summary,
            bindings: &[b(0, "x", Read, Real, Product(N)), b(1, "out", ReadWrite, $out, Fixed(1))],
            params: PARAMS_N,
            params_size: size_of::<LenParams>(),
            sizes: N,
            dispatch: SINGLE,
            domain: any_params,
        };
    };
}

reduction!(
    /// `Σ x`.
    REDUCE_SUM, ReduceSum, "reduce_sum", "out[0] = Σ_i x[i]", Real);
reduction!(
    /// `Σ x²`.
    REDUCE_SUM_SQ, ReduceSumSq, "reduce_sum_sq", "out[0] = Σ_i x[i]²", Real);
reduction!(
    /// `max |x|`.
    REDUCE_MAX_ABS, ReduceMaxAbs, "reduce_max_abs", "out[0] = max_i |x[i]|", Real);
reduction!(
    /// Index of the maximum, lowest index on ties.
    ARGMAX, Argmax, "argmax", "out[0] = min{ i : x[i] = max_j x[j] }  (NaN never wins)", U32);

/// The `k` largest values' indices, by value descending then index ascending.
pub static TOP_K: OpSpec = OpSpec {
    id: OpId::TopK,
    name: "top_k",
    family: "select",
    summary: "out[0..k] = indices of the k largest x, ordered by (x desc, index asc); NaN ranks last",
    bindings: &[b(0, "x", Read, Real, Product(N)), b(1, "out", ReadWrite, U32, Product(&["k"]))],
    params: &[u("n"), u("k")],
    params_size: size_of::<TopKParams>(),
    sizes: &["n", "k"],
    // Exact selection by rank counting: invocation i computes
    // rank(i) = #{j : x[j] ranks before x[i]} and writes out[rank] = i if rank < k —
    // O(n²) work, no sort, ties resolved by index exactly as the reference.
    dispatch: PER_ELEMENT,
    domain: k_within_n,
};

/// `out[i] = x[idx[i]]`.
pub static GATHER: OpSpec = OpSpec {
    id: OpId::Gather,
    name: "gather",
    family: "gather",
    summary: "out[i] = x[idx[i]] if idx[i] < n else 0",
    bindings: &[
        b(0, "x", Read, Real, Product(N)),
        b(1, "idx", Read, U32, Product(&["m"])),
        b(2, "out", ReadWrite, Real, Product(&["m"])),
    ],
    params: &[u("n"), u("m")],
    params_size: size_of::<GatherParams>(),
    sizes: &["n", "m"],
    dispatch: Dispatch::Threads { count: Product(&["m"]), workgroup: 256 },
    domain: any_params,
};

/// `out[idx[i]] = x[i]`.
pub static SCATTER: OpSpec = OpSpec {
    id: OpId::Scatter,
    name: "scatter",
    family: "gather",
    summary: "out[idx[i]] = x[i] for idx[i] < n (indices must be distinct; other entries of out untouched)",
    bindings: &[
        b(0, "x", Read, Real, Product(&["m"])),
        b(1, "idx", Read, U32, Product(&["m"])),
        b(2, "out", ReadWrite, Real, Product(N)),
    ],
    params: &[u("n"), u("m")],
    params_size: size_of::<GatherParams>(),
    sizes: &["n", "m"],
    dispatch: Dispatch::Threads { count: Product(&["m"]), workgroup: 256 },
    domain: any_params,
};

/// Ternary threshold of a real field into carrier bit-planes.
pub static THRESHOLD: OpSpec = OpSpec {
    id: OpId::Threshold,
    name: "threshold",
    family: "carrier",
    summary: "s[i] = +1 if x[i] ≥ tau, −1 if x[i] ≤ −tau, else 0  (written as support/sign words)",
    bindings: &[
        b(0, "x", Read, Real, Product(N)),
        b(1, "support", ReadWrite, U32, Words(N)),
        b(2, "sign", ReadWrite, U32, Words(N)),
    ],
    params: &[u("n"), f("tau")],
    params_size: size_of::<ThresholdParams>(),
    sizes: N,
    dispatch: Dispatch::Threads { count: Words(N), workgroup: 64 },
    domain: finite_positive_tau,
};

const STENCIL_BINDINGS: &[Binding] = &[
    b(0, "support_in", Read, U32, Words(WH)),
    b(1, "sign_in", Read, U32, Words(WH)),
    b(2, "support_out", ReadWrite, U32, Words(WH)),
    b(3, "sign_out", ReadWrite, U32, Words(WH)),
];

/// Sign-preserving majority ([`crate::kernel::Majority`]).
pub static MAJORITY: OpSpec = OpSpec {
    id: OpId::Majority,
    name: "majority",
    family: "carrier",
    summary: "s'(x) = s(x) if s(x)·Σ_{N[x]} s ≥ eta, else 0",
    bindings: STENCIL_BINDINGS,
    params: PARAMS_STENCIL,
    params_size: size_of::<StencilParams>(),
    sizes: WH,
    dispatch: PER_WORD,
    domain: majority_domain,
};

/// Annihilation of touching opposite signs ([`crate::kernel::Annihilate`]).
pub static ANNIHILATE: OpSpec = OpSpec {
    id: OpId::Annihilate,
    name: "annihilate",
    family: "carrier",
    summary: "s'(x) = 0 if some y ∈ N[x] has s(y) = −s(x) ≠ 0, else s(x)",
    bindings: STENCIL_BINDINGS,
    params: PARAMS_STENCIL,
    params_size: size_of::<StencilParams>(),
    sizes: WH,
    dispatch: PER_WORD,
    domain: stencil_only_domain,
};

/// Coherence statistics ([`crate::kernel::CoherenceStats`]).
pub static COHERENCE_STATS: OpSpec = OpSpec {
    id: OpId::CoherenceStats,
    name: "coherence_stats",
    family: "carrier",
    summary: "counts = [|supp s|, Σ s, I(s), 0]; energy[0] = ½·mean_{supp s} f²  (0 on empty support)",
    bindings: &[
        b(0, "support", Read, U32, Words(WH)),
        b(1, "sign", Read, U32, Words(WH)),
        b(2, "field", Read, Real, Product(WH)),
        b(3, "counts", ReadWrite, I32, Fixed(4)),
        b(4, "energy", ReadWrite, Real, Fixed(1)),
    ],
    params: PARAMS_STENCIL,
    params_size: size_of::<StencilParams>(),
    sizes: WH,
    dispatch: SINGLE,
    domain: stencil_only_domain,
};

/// Largest FFT length (one radix-`n` step holds 4096 complex f32 values, the most one
/// `fft_step` workgroup holds).
pub const FFT_MAX_N: u32 = 4096;
/// Smallest FFT length (one workgroup thread holds a radix-16 butterfly).
pub const FFT_MIN_N: u32 = 16;
/// Complex values one `fft_step` workgroup transforms (256 invocations × 16 values).
pub const FFT_TILE: u32 = 4096;

fn fft_step_domain(p: &Params<'_>) -> Result<(), String> {
    let (n, fields, axis) = (p.u32("n"), p.u32("fields"), p.u32("axis"));
    let (radix, span) = (p.u32("radix"), p.u32("span"));
    if !n.is_power_of_two() || !(FFT_MIN_N..=FFT_MAX_N).contains(&n) {
        return Err(format!("n = {n} must be a power of two in {FFT_MIN_N}..={FFT_MAX_N}"));
    }
    if 2 * u64::from(n) * u64::from(n) * u64::from(fields) > u64::from(u32::MAX) {
        return Err(format!(
            "2·n²·fields = {} reals exceeds u32 indexing",
            2 * u64::from(n).pow(2) * u64::from(fields)
        ));
    }
    if axis > 1 || p.u32("inverse") > 1 {
        return Err(format!("axis = {axis} (0 rows, 1 columns) and inverse = {} (0 or 1)", p.u32("inverse")));
    }
    if !radix.is_power_of_two() || !(FFT_MIN_N..=n).contains(&radix) {
        return Err(format!("radix = {radix} must be a power of two in {FFT_MIN_N}..=n"));
    }
    if !span.is_power_of_two() || u64::from(span) * u64::from(radix) > u64::from(n) {
        return Err(format!("span = {span} must be a power of two with span·radix <= n = {n}"));
    }
    Ok(())
}

/// One Stockham step of batched length-`n` FFTs along the rows or columns of `n×n`
/// fields. Steps `(L₁, 1), (L₂, L₁), …, (L_k, L₁⋯L_{k−1})` with `L₁⋯L_k = n` compose
/// to the full DFT in natural order (see [`crate::ops::Fft2Program`]).
pub static FFT_STEP: OpSpec = OpSpec {
    id: OpId::FftStep,
    name: "fft_step",
    family: "fft",
    summary: "per line (row if axis = 0, column if 1) and j < n/L: y_p = c(src[j + p·n/L])·W_n^{(j mod Ns)·p·n/(Ns·L)}, Y = DFT_L(y), dst[(j − j mod Ns)·L + j mod Ns + q·Ns] = s·c'(Y_q); W_n = e^{−2πi/n}; inverse: c = conj on the first step (Ns = 1), c' = conj and s = 1/n on the last (Ns·L = n)",
    bindings: &[
        b(0, "src", Read, Real, Complex(&["n", "n", "fields"])),
        b(1, "dst", ReadWrite, Real, Complex(&["n", "n", "fields"])),
        b(2, "twiddles", Read, Real, Product(&["n"])),
    ],
    params: &[u("n"), u("fields"), u("axis"), u("radix"), u("span"), u("inverse")],
    params_size: size_of::<FftStepParams>(),
    sizes: &["n", "fields"],
    // Each workgroup transforms 4096 complex values: 4096/L groups of L in workgroup memory.
    dispatch: Dispatch::Tiled {
        x: Product(&["n", "n", "fields"]),
        y: Fixed(1),
        tile_x: FFT_TILE,
        tile_y: 1,
        wx: 256,
        wy: 1,
    },
    domain: fft_step_domain,
};

/// Largest grid of the spectral ops (= [`crate::spectral::MAX_N`]).
pub const SPECTRAL_MAX_N: u32 = crate::spectral::MAX_N as u32;

fn spectral_n(p: &Params<'_>) -> Result<u32, String> {
    let n = p.u32("n");
    if !n.is_power_of_two() || !(2..=SPECTRAL_MAX_N).contains(&n) {
        return Err(format!("n = {n} must be a power of two in 2..={SPECTRAL_MAX_N}"));
    }
    Ok(n)
}

fn spectral_mul_domain(p: &Params<'_>) -> Result<(), String> {
    let n = u64::from(spectral_n(p)?);
    let batch = u64::from(p.u32("batch"));
    if 2 * n * n * batch > u64::from(u32::MAX) {
        return Err(format!("2·n²·batch = {} reals exceeds u32 indexing", 2 * n * n * batch));
    }
    match p.u32("kind") {
        0..=4 => Ok(()),
        5 => {
            let (alpha, order) = (p.f32("alpha"), p.f32("p"));
            if !(alpha.is_finite() && alpha >= 0.0) {
                Err(format!("alpha = {alpha} must be finite and >= 0"))
            } else if !(order.is_finite() && order > 0.0) {
                Err(format!("p = {order} must be finite and > 0"))
            } else {
                Ok(())
            }
        }
        kind => Err(format!("kind = {kind} (0 = i·kx, 1 = i·ky, 2 = −|k|², 3 = 1/|k|², 4 = dealias, 5 = filter)")),
    }
}

fn shell_domain(p: &Params<'_>) -> Result<(), String> {
    spectral_n(p).map(|_| ())
}

fn band_domain(p: &Params<'_>) -> Result<(), String> {
    spectral_n(p)?;
    let (low, mid) = (p.u32("low_k2"), p.u32("mid_k2"));
    if low <= mid { Ok(()) } else { Err(format!("low_k2 = {low} exceeds mid_k2 = {mid}")) }
}

/// In-place multiply of `batch` full-layout `n×n` spectra (interleaved `(re, im)`,
/// row-major `[ky][kx]`, `k = fftfreq(n)·n`) by a mode-dependent factor — the operators
/// of [`crate::spectral`]: `mul_i_kx`, `mul_i_ky`, `mul_neg_k2`, `stream_function`,
/// `dealias`, `ExponentialFilter`.
pub static SPECTRAL_MUL: OpSpec = OpSpec {
    id: OpId::SpectralMul,
    name: "spectral_mul",
    family: "spectral",
    summary: "x[b][ky][kx] ← f(k)·x[b][ky][kx], f by kind: 0 i·kx, 1 i·ky, 2 −|k|², 3 1/|k|² (k = 0 → 0), 4 [3|kx| ≤ n ∧ 3|ky| ≤ n], 5 exp(−alpha·(|k|/(n/2))^p) for |k| < n/2 else 0",
    bindings: &[b(0, "x", ReadWrite, Real, Complex(&["n", "n", "batch"]))],
    params: &[u("n"), u("batch"), u("kind"), f("alpha"), f("p")],
    params_size: size_of::<SpectralMulParams>(),
    sizes: &["n", "batch"],
    // x = kx index, y = row of the stacked batch (b·n + ky index), in 64×4 workgroups:
    // n/64 × n·batch/4 workgroups stay within the 65535-per-dimension limit up to
    // n = 4096 with batch ≤ 63 (n = 8192: batch ≤ 31), where a flat 1D dispatch would
    // exceed it already at one 4096² spectrum.
    dispatch: Dispatch::Grid { x: Product(&["n"]), y: Product(&["n", "batch"]), wx: 64, wy: 4 },
    domain: spectral_mul_domain,
};

/// Shell sums of the mode energy `½|x̂|²/n⁴` of one full-layout spectrum
/// ([`crate::spectral::shell_spectrum`]).
pub static SHELL_SPECTRUM: OpSpec = OpSpec {
    id: OpId::ShellSpectrum,
    name: "shell_spectrum",
    family: "spectral",
    summary: "out[s] = Σ_{round(|k|) = s} ½|x[ky][kx]|²/n⁴ for s < shells (one n×n spectrum)",
    bindings: &[b(0, "x", Read, Real, Complex(&["n", "n"])), b(1, "out", ReadWrite, Real, Product(&["shells"]))],
    params: &[u("n"), u("shells")],
    params_size: size_of::<ShellParams>(),
    sizes: &["n", "shells"],
    // One invocation per shell, visiting only the modes of its annulus
    // s² − s + 1 ≤ |k|² ≤ s² + s: O(n + modes in the shell) each, O(shells·n + n²) in all.
    // One workgroup of 256 per shell (a tree reduction per shell).
    dispatch: Dispatch::Tiled { x: Product(&["shells"]), y: Fixed(1), tile_x: 1, tile_y: 1, wx: 256, wy: 1 },
    domain: shell_domain,
};

/// Energies of one full-layout spectrum in three bands
/// ([`crate::spectral::band_energies`] with cuts given as integer `|k|²` thresholds).
pub static BAND_ENERGIES: OpSpec = OpSpec {
    id: OpId::BandEnergies,
    name: "band_energies",
    family: "spectral",
    summary: "out = [Σ_low, Σ_mid, Σ_high] of ½|x[ky][kx]|²/n⁴; low |k|² ≤ low_k2, mid low_k2 < |k|² ≤ mid_k2 with |kx|, |ky| ≠ n/2, high the rest",
    bindings: &[b(0, "x", Read, Real, Complex(&["n", "n"])), b(1, "out", ReadWrite, Real, Fixed(3))],
    params: &[u("n"), u("low_k2"), u("mid_k2")],
    params_size: size_of::<BandParams>(),
    sizes: &["n"],
    dispatch: SINGLE,
    domain: band_domain,
};

fn pair_domain(p: &Params<'_>) -> Result<(), String> {
    let n = u64::from(spectral_n(p)?);
    let pairs = u64::from(p.u32("pairs"));
    if 4 * n * n * pairs > u64::from(u32::MAX) {
        return Err(format!("4·n²·pairs = {} reals exceeds u32 indexing", 4 * n * n * pairs));
    }
    if u64::from(p.u32("fields")) != 2 * pairs {
        return Err(format!("fields = {} must be 2·pairs = {}", p.u32("fields"), 2 * pairs));
    }
    Ok(())
}

fn real_pairs_domain(p: &Params<'_>) -> Result<(), String> {
    pair_domain(p)?;
    match p.u32("direction") {
        0 | 1 => Ok(()),
        d => Err(format!("direction = {d} (0 pack, 1 unpack)")),
    }
}

/// Two real fields in one complex field, the packing that halves the FFT work on real
/// data: direction 0 packs real fields `a = src[2f]`, `b = src[2f+1]` into `z = a + i·b`
/// (complex field `f` of dst); direction 1 unpacks (`a = Re z`, `b = Im z`). Both
/// buffers hold `2·pairs·n²` reals.
pub static REAL_PAIRS: OpSpec = OpSpec {
    id: OpId::RealPairs,
    name: "real_pairs",
    family: "spectral",
    summary: "direction 0: dst[f][i] = (src[2f·n² + i], src[(2f+1)·n² + i]) as (re, im); direction 1: the inverse permutation",
    bindings: &[
        b(0, "src", Read, Real, Complex(&["n", "n", "pairs"])),
        b(1, "dst", ReadWrite, Real, Complex(&["n", "n", "pairs"])),
    ],
    params: &[u("n"), u("pairs"), u("fields"), u("direction")],
    params_size: size_of::<PairParams>(),
    sizes: &["n", "pairs"],
    dispatch: Dispatch::Grid { x: Product(&["n"]), y: Product(&["n", "pairs"]), wx: 64, wy: 4 },
    domain: real_pairs_domain,
};

/// Splits the spectrum `Z = F(a + i·b)` of a packed pair into the spectra of the two
/// real fields, by Hermitian symmetry: `A[k] = (Z[k] + Z̄[−k])/2`,
/// `B[k] = (Z[k] − Z̄[−k])/(2i)`, `−k` taken modulo `n` on both axes.
pub static SPLIT_PAIR_SPECTRA: OpSpec = OpSpec {
    id: OpId::SplitPairSpectra,
    name: "split_pair_spectra",
    family: "spectral",
    summary: "dst[2f][k] = (Z[k] + conj Z[−k])/2, dst[2f+1][k] = (Z[k] − conj Z[−k])/(2i), Z = src[f], −k = ((n − ky) mod n, (n − kx) mod n)",
    bindings: &[
        b(0, "src", Read, Real, Complex(&["n", "n", "pairs"])),
        b(1, "dst", ReadWrite, Real, Complex(&["n", "n", "fields"])),
    ],
    params: &[u("n"), u("pairs"), u("fields")],
    params_size: size_of::<PairParams>(),
    sizes: &["n", "pairs", "fields"],
    dispatch: Dispatch::Grid { x: Product(&["n"]), y: Product(&["n", "pairs"]), wx: 64, wy: 4 },
    domain: pair_domain,
};

/// Combines the spectra `A`, `B` of two real fields into `Z = A + i·B`, whose inverse
/// FFT is `a + i·b` (then `real_pairs` direction 1 separates them).
pub static COMBINE_PAIR_SPECTRA: OpSpec = OpSpec {
    id: OpId::CombinePairSpectra,
    name: "combine_pair_spectra",
    family: "spectral",
    summary: "dst[f][k] = src[2f][k] + i·src[2f+1][k]",
    bindings: &[
        b(0, "src", Read, Real, Complex(&["n", "n", "fields"])),
        b(1, "dst", ReadWrite, Real, Complex(&["n", "n", "pairs"])),
    ],
    params: &[u("n"), u("pairs"), u("fields")],
    params_size: size_of::<PairParams>(),
    sizes: &["n", "pairs", "fields"],
    dispatch: Dispatch::Grid { x: Product(&["n"]), y: Product(&["n", "pairs"]), wx: 64, wy: 4 },
    domain: pair_domain,
};

fn vorticity_fields_domain(p: &Params<'_>) -> Result<(), String> {
    spectral_n(p)?;
    match p.u32("kind") {
        0..=3 => Ok(()),
        kind => Err(format!("kind = {kind} (0 = velocity, 1 = gradient, 2 = strain, 3 = Laplacian)")),
    }
}

fn nonlinear_domain(p: &Params<'_>) -> Result<(), String> {
    spectral_n(p)?;
    let coeff = f64::from(p.f32("coeff_hi")) + f64::from(p.f32("coeff_lo"));
    match p.u32("smagorinsky") {
        0 | 1 if coeff.is_finite() && coeff >= 0.0 => Ok(()),
        0 | 1 => Err(format!("coeff = {coeff} must be finite and >= 0")),
        flag => Err(format!("smagorinsky = {flag} (0 = advection only, 1 = with the Smagorinsky term)")),
    }
}

fn vorticity_rhs_domain(p: &Params<'_>) -> Result<(), String> {
    spectral_n(p)?;
    let pair = |hi: &str, lo: &str| f64::from(p.f32(hi)) + f64::from(p.f32(lo));
    for (name, v) in [("nu", pair("nu_hi", "nu_lo")), ("drag", pair("drag_hi", "drag_lo"))] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(format!("{name} = {v} must be finite and >= 0"));
        }
    }
    Ok(())
}

/// Out-of-place map of one full-layout `n×n` vorticity spectrum ω̂ to the spectrum of
/// two real fields packed as `a + i·b` (both spectra Hermitian, so one inverse FFT
/// returns `a` in the real and `b` in the imaginary part): velocity `u + i·v`,
/// gradient `∂xω + i·∂yω`, strain `S11 + i·S12`, or the Laplacian `∇²ω` alone.
pub static VORTICITY_FIELDS: OpSpec = OpSpec {
    id: OpId::VorticityFields,
    name: "vorticity_fields",
    family: "vorticity",
    summary: "out[ky][kx] = f(k)·omega[ky][kx], f by kind: 0 (kx + i·ky)/|k|² (k = 0 → 0), 1 −ky + i·kx, 2 (−kx·ky + i·(kx² − ky²)/2)/|k|² (k = 0 → 0), 3 −|k|²",
    bindings: &[b(0, "omega", Read, Real, Complex(&["n", "n"])), b(1, "out", ReadWrite, Real, Complex(&["n", "n"]))],
    params: &[u("n"), u("kind")],
    params_size: size_of::<VorticityFieldParams>(),
    sizes: &["n"],
    dispatch: Dispatch::Grid { x: Product(&["n"]), y: Product(&["n"]), wx: 64, wy: 4 },
    domain: vorticity_fields_domain,
};

/// The real-space nonlinear term of the vorticity equation on an `n×n` grid from packed
/// fields (real parts of `out` written, imaginary parts zeroed): `−(u·∂xω + v·∂yω)` plus, with
/// `smagorinsky = 1`, the eddy-viscosity term `(Cs·Δ)²·|S|·∇²ω` with
/// `|S| = sqrt(2(S11² + S22² + 2·S12²)) = 2·sqrt(S11² + S12²)` (S22 = −S11).
pub static VORTICITY_NONLINEAR: OpSpec = OpSpec {
    id: OpId::VorticityNonlinear,
    name: "vorticity_nonlinear",
    family: "vorticity",
    summary: "out[j] = (−(velocity[j].re·gradient[j].re + velocity[j].im·gradient[j].im) + smagorinsky·(coeff_hi + coeff_lo)·2·sqrt(strain[j].re² + strain[j].im²)·laplacian[j].re, 0)",
    bindings: &[
        b(0, "velocity", Read, Real, Complex(&["n", "n"])),
        b(1, "gradient", Read, Real, Complex(&["n", "n"])),
        b(2, "strain", Read, Real, Complex(&["n", "n"])),
        b(3, "laplacian", Read, Real, Complex(&["n", "n"])),
        b(4, "out", ReadWrite, Real, Complex(&["n", "n"])),
    ],
    params: &[u("n"), u("smagorinsky"), f("coeff_hi"), f("coeff_lo")],
    params_size: size_of::<NonlinearParams>(),
    sizes: N,
    dispatch: Dispatch::Grid { x: Product(&["n"]), y: Product(&["n"]), wx: 64, wy: 4 },
    domain: nonlinear_domain,
};

/// The vorticity equation's right-hand side in spectral space from the transformed
/// nonlinear term: `out = D(k)·nonlinear + (−ν|k|² − μ)·omega + forcing`, `D` the 2/3
/// dealias mask; ν and μ carried as `hi + lo` pairs.
pub static VORTICITY_RHS: OpSpec = OpSpec {
    id: OpId::VorticityRhs,
    name: "vorticity_rhs",
    family: "vorticity",
    summary: "out[ky][kx] = [3|kx| ≤ n ∧ 3|ky| ≤ n]·nonlinear[ky][kx] − ((nu_hi + nu_lo)·|k|² + drag_hi + drag_lo)·omega[ky][kx] + forcing[ky][kx]",
    bindings: &[
        b(0, "omega", Read, Real, Complex(&["n", "n"])),
        b(1, "nonlinear", Read, Real, Complex(&["n", "n"])),
        b(2, "forcing", Read, Real, Complex(&["n", "n"])),
        b(3, "out", ReadWrite, Real, Complex(&["n", "n"])),
    ],
    params: &[u("n"), f("nu_hi"), f("nu_lo"), f("drag_hi"), f("drag_lo")],
    params_size: size_of::<VorticityRhsParams>(),
    sizes: &["n"],
    dispatch: Dispatch::Grid { x: Product(&["n"]), y: Product(&["n"]), wx: 64, wy: 4 },
    domain: vorticity_rhs_domain,
};

fn proxy_pack_domain(p: &Params<'_>) -> Result<(), String> {
    spectral_n(p)?;
    if p.u32("d") == 0 {
        return Err("d = 0: the proxy vector must not be empty".into());
    }
    Ok(())
}

fn proxy_spectrum_domain(p: &Params<'_>) -> Result<(), String> {
    let n = spectral_n(p)?;
    let (low, anchors, d) = (u64::from(p.u32("low")), u64::from(p.u32("anchors")), u64::from(p.u32("d")));
    if d != 2 * low + 4 + 2 * anchors {
        return Err(format!("d = {d} must be 2·low + 4 + 2·anchors = {}", 2 * low + 4 + 2 * anchors));
    }
    if u64::from(n) * u64::from(n) > u64::from(ProxySpectrumParams::INDEX_MASK) {
        return Err(format!("n = {n}: n² exceeds the 27-bit mode index"));
    }
    match p.u32("residual") {
        0 | 1 => Ok(()),
        r => Err(format!("residual = {r} (0 = low-pass only, 1 = anchors + seeded synthesis)")),
    }
}

fn box_smooth_domain(p: &Params<'_>) -> Result<(), String> {
    let (w, h, r) = (p.u32("width"), p.u32("height"), p.u32("radius"));
    if w == 0 || h == 0 {
        return Err(format!("grid {h}×{w} is empty"));
    }
    let side = w.min(h);
    if 2 * u64::from(r) + 1 > u64::from(side) {
        return Err(format!("radius = {r}: 2r + 1 must not exceed the shorter side {side}"));
    }
    Ok(())
}

fn threshold_gate_domain(p: &Params<'_>) -> Result<(), String> {
    let tau = p.f32("tau_rel");
    if !(tau > 0.0 && tau <= 1.0) {
        return Err(format!("tau_rel = {tau} must be in (0, 1]"));
    }
    match p.u32("gated") {
        0 | 1 => Ok(()),
        g => Err(format!("gated = {g} (0 or 1)")),
    }
}

fn fining_closure_domain(p: &Params<'_>) -> Result<(), String> {
    let eps = p.f32("epsilon");
    if !(eps.is_finite() && eps >= 0.0) {
        return Err(format!("epsilon = {eps} must be finite and >= 0"));
    }
    let level = p.u32("level");
    if level as usize > crate::kernel::MAX_FINING_LEVELS {
        return Err(format!("level = {level} exceeds {}", crate::kernel::MAX_FINING_LEVELS));
    }
    Ok(())
}

/// Encode: the proxy vector `z` of one full-layout spectrum, slot by slot.
pub static PROXY_PACK: OpSpec = OpSpec {
    id: OpId::ProxyPack,
    name: "proxy_pack",
    family: "codec",
    summary: "z[e] = spectrum[slots[e]] if slots[e] < 2n²; header slot B+j (B = 0xFFFFFF00): j = 0 → 0, 1 → bands[1], 2 → bands[2], 3 → anchors; other codes → 0",
    bindings: &[
        b(0, "spectrum", Read, Real, Complex(&["n", "n"])),
        b(1, "slots", Read, U32, Product(&["d"])),
        b(2, "bands", Read, Real, Fixed(3)),
        b(3, "z", ReadWrite, Real, Product(&["d"])),
    ],
    params: &[u("n"), u("d"), u("anchors")],
    params_size: size_of::<ProxyPackParams>(),
    sizes: &["n", "d"],
    dispatch: Dispatch::Threads { count: Product(&["d"]), workgroup: 64 },
    domain: proxy_pack_domain,
};

/// Decode: the packed spectrum `Z = LP + i·RES` of a proxy vector — low band from z,
/// anchors and seeded random-phase synthesis in the residual — so that one inverse
/// FFT gives `ω_lp + i·ω_res`.
pub static PROXY_SPECTRUM: OpSpec = OpSpec {
    id: OpId::ProxySpectrum,
    name: "proxy_spectrum",
    family: "codec",
    summary: "per mode m with code c = modes[m] (class c≫28, conj bit 27, index j): low → Z = z[j] + i·z[L+j]; anchor → Z = i·(z[2L+4+j] + i·z[2L+4+K+j]); mid/high → Z = i·s_band·w[m]·e^{2πi·u(seed, j)}, s_mid = √max(z[2L+1] − Σ_a |anchor_a|²/n⁴, 0), s_high = √max(z[2L+2], 0); conj bit → the stored value conjugated before the i·; residual = 0 → only the low band; zero class → 0",
    bindings: &[
        b(0, "z", Read, Real, Product(&["d"])),
        b(1, "modes", Read, U32, Product(&["n", "n"])),
        b(2, "weights", Read, Real, Product(&["n", "n"])),
        b(3, "out", ReadWrite, Real, Complex(&["n", "n"])),
    ],
    params: &[u("n"), u("d"), u("low"), u("anchors"), u("residual"), u("seed")],
    params_size: size_of::<ProxySpectrumParams>(),
    sizes: &["n", "d"],
    dispatch: Dispatch::Grid { x: Product(&["n"]), y: Product(&["n"]), wx: 64, wy: 4 },
    domain: proxy_spectrum_domain,
};

/// Periodic box smoothing ([`crate::carrier::Field::box_smooth`]).
pub static BOX_SMOOTH: OpSpec = OpSpec {
    id: OpId::BoxSmooth,
    name: "box_smooth",
    family: "codec",
    summary: "out[y][x] = mean_{|dx|, |dy| ≤ r} x[(y + dy) mod h][(x + dx) mod w]",
    bindings: &[b(0, "x", Read, Real, Product(WH)), b(1, "out", ReadWrite, Real, Product(WH))],
    params: &[u("width"), u("height"), u("radius")],
    params_size: size_of::<BoxSmoothParams>(),
    sizes: WH,
    dispatch: Dispatch::Grid { x: Product(&["width"]), y: Product(&["height"]), wx: 16, wy: 16 },
    domain: box_smooth_domain,
};

/// Ternary threshold relative to a device-side scale, optionally gated by a carrier
/// (one level of [`crate::kernel::Fining`]).
pub static THRESHOLD_GATE: OpSpec = OpSpec {
    id: OpId::ThresholdGate,
    name: "threshold_gate",
    family: "codec",
    summary: "τ = tau_rel·scale[0]; t = T_τ(x) (all 0 if scale[0] ≤ 0); gated: s = t where gate = t, else 0; ungated: s = t",
    bindings: &[
        b(0, "x", Read, Real, Product(N)),
        b(1, "scale", Read, Real, Fixed(1)),
        b(2, "gate_support", Read, U32, Words(N)),
        b(3, "gate_sign", Read, U32, Words(N)),
        b(4, "support", ReadWrite, U32, Words(N)),
        b(5, "sign", ReadWrite, U32, Words(N)),
    ],
    params: &[u("n"), f("tau_rel"), u("gated")],
    params_size: size_of::<ThresholdGateParams>(),
    sizes: N,
    dispatch: Dispatch::Threads { count: Words(N), workgroup: 64 },
    domain: threshold_gate_domain,
};

/// Copies a level's mask into the selected mask while fining has not closed.
pub static FINING_SELECT: OpSpec = OpSpec {
    id: OpId::FiningSelect,
    name: "fining_select",
    family: "codec",
    summary: "if state[0] = 0 (not closed): (support_out, sign_out) = (support_in, sign_in); else unchanged",
    bindings: &[
        b(0, "support_in", Read, U32, Words(N)),
        b(1, "sign_in", Read, U32, Words(N)),
        b(2, "state", Read, I32, Fixed(4)),
        b(3, "support_out", ReadWrite, U32, Words(N)),
        b(4, "sign_out", ReadWrite, U32, Words(N)),
    ],
    params: PARAMS_N,
    params_size: size_of::<LenParams>(),
    sizes: N,
    dispatch: Dispatch::Threads { count: Words(N), workgroup: 64 },
    domain: any_params,
};

/// The closure rule of [`crate::kernel::Fining`], kept on the device.
pub static FINING_CLOSURE: OpSpec = OpSpec {
    id: OpId::FiningClosure,
    name: "fining_closure",
    family: "codec",
    summary: "a = counts[0]; level 0: state = [0, 0, a, 0]; level ℓ > 0 while state[0] = 0: if |a − state[2]| < epsilon·max(state[2], 1) then state[0] = 1, state[1] = ℓ; state[2] = a, state[3] = ℓ; once closed, unchanged",
    bindings: &[b(0, "counts", Read, I32, Fixed(4)), b(1, "state", ReadWrite, I32, Fixed(4))],
    params: &[u("level"), f("epsilon")],
    params_size: size_of::<FiningClosureParams>(),
    sizes: &[],
    dispatch: Dispatch::Single { workgroup: 64 },
    domain: fining_closure_domain,
};

/// `ω = ω_lp + |m|·ω_res` from the unpacked pair `[ω_lp | ω_res]` and the mask's support.
pub static MASK_COMBINE: OpSpec = OpSpec {
    id: OpId::MaskCombine,
    name: "mask_combine",
    family: "codec",
    summary: "out[i] = pair[i] + |m(i)|·pair[n + i], |m(i)| = support bit i",
    bindings: &[
        b(0, "pair", Read, Real, Complex(N)),
        b(1, "support", Read, U32, Words(N)),
        b(2, "out", ReadWrite, Real, Product(N)),
    ],
    params: PARAMS_N,
    params_size: size_of::<LenParams>(),
    sizes: N,
    dispatch: PER_ELEMENT,
    domain: any_params,
};

fn biot_savart_domain(p: &Params<'_>) -> Result<(), String> {
    let columns = p.u32("columns");
    if columns as usize > crate::vortex::MAX_COLUMNS {
        return Err(format!(
            "columns = {columns} exceeds {} (e^{{(M + 1/2)·2π}} must stay in f32 range)",
            crate::vortex::MAX_COLUMNS
        ));
    }
    Ok(())
}

/// The periodic regularised Biot–Savart velocity of S Gaussian vortex blobs at T points
/// ([`crate::vortex`]): direct sum, O(S·T), one invocation per target on the device.
pub static BIOT_SAVART: OpSpec = OpSpec {
    id: OpId::BiotSavart,
    name: "biot_savart",
    family: "atoms",
    summary: "vel[t] = Σ_s w_s·K_{ε_s}(targets[t] − pos[s]) over s = 0 … S−1 in order, (w_s, ε_s) = blobs[s], ε_s > 0; K_ε = periodic blob kernel of dashi_core::vortex in [0, 2π)² (u = ∂ψ/∂y, v = −∂ψ/∂x, ∇²ψ = −ω, zero-mean): Σ_{|m|≤columns} image columns (coth) + Gaussian core 1 − e^{−r²/ε²} on the nearest image",
    bindings: &[
        b(0, "pos", Read, Real, Complex(&["sources"])),
        b(1, "blobs", Read, Real, Complex(&["sources"])),
        b(2, "targets", Read, Real, Complex(&["targets"])),
        b(3, "vel", ReadWrite, Real, Complex(&["targets"])),
    ],
    params: &[u("sources"), u("targets"), u("columns")],
    params_size: size_of::<BiotSavartParams>(),
    sizes: &["sources", "targets"],
    dispatch: Dispatch::Threads { count: Product(&["targets"]), workgroup: 64 },
    domain: biot_savart_domain,
};

/// All ops, in documentation order.
pub static REGISTRY: &[&OpSpec] = &[
    &AXPY,
    &SCALE,
    &ADD,
    &MUL,
    &GEMV_ROW,
    &GEMM_BATCHED,
    &REDUCE_SUM,
    &REDUCE_SUM_SQ,
    &REDUCE_MAX_ABS,
    &ARGMAX,
    &TOP_K,
    &GATHER,
    &SCATTER,
    &THRESHOLD,
    &MAJORITY,
    &ANNIHILATE,
    &COHERENCE_STATS,
    &FFT_STEP,
    &SPECTRAL_MUL,
    &SHELL_SPECTRUM,
    &BAND_ENERGIES,
    &REAL_PAIRS,
    &SPLIT_PAIR_SPECTRA,
    &COMBINE_PAIR_SPECTRA,
    &VORTICITY_FIELDS,
    &VORTICITY_NONLINEAR,
    &VORTICITY_RHS,
    &PROXY_PACK,
    &PROXY_SPECTRUM,
    &BOX_SMOOTH,
    &THRESHOLD_GATE,
    &FINING_SELECT,
    &FINING_CLOSURE,
    &MASK_COMBINE,
    &BIOT_SAVART,
];

/// Looks an op up by name.
pub fn find_op(name: &str) -> Option<&'static OpSpec> {
    REGISTRY.iter().copied().find(|s| s.name == name)
}
