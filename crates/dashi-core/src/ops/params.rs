//! Parameter blocks: `#[repr(C)]`, `bytemuck::Pod`, 4-byte fields, size a multiple
//! of 16 bytes (WGSL uniform layout). Padding fields are private and zero.

use bytemuck::{Pod, Zeroable};

/// `{ n }` — element-wise binary ops and reductions.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct LenParams {
    /// Number of elements.
    pub n: u32,
    pad: [u32; 3],
}

impl LenParams {
    /// `n` elements.
    pub fn new(n: u32) -> Self {
        LenParams { n, pad: [0; 3] }
    }
}

/// `{ n, alpha }` — `axpy`, `scale`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct ScalarParams {
    /// Number of elements.
    pub n: u32,
    /// The scalar α.
    pub alpha: f32,
    pad: [u32; 2],
}

impl ScalarParams {
    /// `n` elements, scalar `alpha`.
    pub fn new(n: u32, alpha: f32) -> Self {
        ScalarParams { n, alpha, pad: [0; 2] }
    }
}

/// `{ rows, cols }` — `gemv_row`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct GemvParams {
    /// Rows of A (= length of z).
    pub rows: u32,
    /// Columns of A (= length of the output).
    pub cols: u32,
    pad: [u32; 2],
}

impl GemvParams {
    /// A is `rows × cols`.
    pub fn new(rows: u32, cols: u32) -> Self {
        GemvParams { rows, cols, pad: [0; 2] }
    }
}

/// `{ batch, rows, cols }` — `gemm_batched`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct GemmParams {
    /// Number of row states M.
    pub batch: u32,
    /// Rows of A.
    pub rows: u32,
    /// Columns of A.
    pub cols: u32,
    pad: u32,
}

impl GemmParams {
    /// `M = batch` states through a `rows × cols` matrix.
    pub fn new(batch: u32, rows: u32, cols: u32) -> Self {
        GemmParams { batch, rows, cols, pad: 0 }
    }
}

/// `{ n, k }` — `top_k`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct TopKParams {
    /// Number of candidates.
    pub n: u32,
    /// Number selected (`1 ≤ k ≤ n`).
    pub k: u32,
    pad: [u32; 2],
}

impl TopKParams {
    /// Select `k` of `n`.
    pub fn new(n: u32, k: u32) -> Self {
        TopKParams { n, k, pad: [0; 2] }
    }
}

/// `{ n, m }` — `gather`, `scatter`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct GatherParams {
    /// Length of the dense side.
    pub n: u32,
    /// Number of indices.
    pub m: u32,
    pad: [u32; 2],
}

impl GatherParams {
    /// Dense length `n`, `m` indices.
    pub fn new(n: u32, m: u32) -> Self {
        GatherParams { n, m, pad: [0; 2] }
    }
}

/// `{ n, tau }` — `threshold`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct ThresholdParams {
    /// Number of cells.
    pub n: u32,
    /// Threshold τ > 0.
    pub tau: f32,
    pad: [u32; 2],
}

impl ThresholdParams {
    /// `n` cells at threshold `tau`.
    pub fn new(n: u32, tau: f32) -> Self {
        ThresholdParams { n, tau, pad: [0; 2] }
    }
}

/// `{ width, height, radius, stencil, eta }` — `majority`, `annihilate`,
/// `coherence_stats` (2D grids `[height][width]`; `height = 1` is a ring).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
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
    pad: [u32; 3],
}

impl StencilParams {
    /// A `height × width` grid with the given neighbourhood and η.
    pub fn new(width: u32, height: u32, nbhd: crate::carrier::Neighbourhood, eta: u32) -> Self {
        StencilParams { width, height, radius: nbhd.radius as u32, stencil: nbhd.stencil.code(), eta, pad: [0; 3] }
    }
}

/// `{ n, fields, axis, radix, span, inverse }` — `fft_step`, one Stockham step of a
/// length-`n` FFT along the rows (`axis` 0) or columns (`axis` 1) of `n×n` fields.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct FftStepParams {
    /// Transform length and field side (a power of two, 16 ..= 4096).
    pub n: u32,
    /// Number of `n×n` fields.
    pub fields: u32,
    /// 0 = transform along rows (contiguous), 1 = along columns (stride `n`).
    pub axis: u32,
    /// Radix `L` of this step: the DFT size done in one workgroup (16 ..= n).
    pub radix: u32,
    /// Span `Ns`: the product of the radices of the earlier steps (1 for the first).
    pub span: u32,
    /// 0 = forward (`e^{−2πi jk/n}`, unscaled), 1 = inverse (`e^{+2πi jk/n}`, the last
    /// step scales by `1/n`).
    pub inverse: u32,
    pad: [u32; 2],
}

impl FftStepParams {
    /// Step `(radix, span)` over `fields` fields of `n×n` along `axis`.
    pub fn new(n: u32, fields: u32, axis: u32, radix: u32, span: u32, inverse: bool) -> Self {
        FftStepParams { n, fields, axis, radix, span, inverse: u32::from(inverse), pad: [0; 2] }
    }
}

/// `{ n, batch, kind, alpha, p }` — `spectral_mul` (full-layout `n×n` spectra).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct SpectralMulParams {
    /// Grid size N (a power of two, 2 ..= 8192).
    pub n: u32,
    /// Number of spectra.
    pub batch: u32,
    /// Factor: 0 = i·kx, 1 = i·ky, 2 = −|k|², 3 = 1/|k|² (k = 0 → 0), 4 = 2/3 dealias
    /// mask, 5 = exponential filter (see `SPECTRAL_MUL`).
    pub kind: u32,
    /// Filter strength α (kind 5; finite, ≥ 0).
    pub alpha: f32,
    /// Filter order p (kind 5; finite, > 0).
    pub p: f32,
    pad: [u32; 3],
}

impl SpectralMulParams {
    /// `kind` 0 = i·kx.
    pub const I_KX: u32 = 0;
    /// `kind` 1 = i·ky.
    pub const I_KY: u32 = 1;
    /// `kind` 2 = −|k|² (Laplacian).
    pub const NEG_K2: u32 = 2;
    /// `kind` 3 = 1/|k|², k = 0 → 0 (stream function ψ̂ = ω̂/|k|² of ∇²ψ = −ω).
    pub const INV_K2: u32 = 3;
    /// `kind` 4 = 2/3 dealias mask.
    pub const DEALIAS: u32 = 4;
    /// `kind` 5 = exponential filter `exp(−α(|k|/k_max)^p)`, 0 for `|k| ≥ k_max = N/2`.
    pub const FILTER: u32 = 5;

    /// `batch` spectra of `n×n`, factor `kind` (α, p zero: only kind 5 reads them).
    pub fn new(n: u32, batch: u32, kind: u32) -> Self {
        SpectralMulParams { n, batch, kind, alpha: 0.0, p: 0.0, pad: [0; 3] }
    }

    /// The exponential filter with strength `alpha` and order `p`.
    pub fn filter(n: u32, batch: u32, alpha: f32, p: f32) -> Self {
        SpectralMulParams { n, batch, kind: Self::FILTER, alpha, p, pad: [0; 3] }
    }
}

/// `{ n, shells }` — `shell_spectrum`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct ShellParams {
    /// Grid size N (a power of two, 2 ..= 8192).
    pub n: u32,
    /// Shells written, `0 ..= shells − 1` (`round(N/√2) + 1` covers every mode).
    pub shells: u32,
    pad: [u32; 2],
}

impl ShellParams {
    /// `shells` shells of an `n×n` spectrum.
    pub fn new(n: u32, shells: u32) -> Self {
        ShellParams { n, shells, pad: [0; 2] }
    }
}

/// `{ n, pairs, fields, direction }` — `real_pairs`, `split_pair_spectra`,
/// `combine_pair_spectra` (two real fields in one complex FFT).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct PairParams {
    /// Grid size N (a power of two, 2 ..= 8192).
    pub n: u32,
    /// Number of field pairs (packed complex fields).
    pub pairs: u32,
    /// Number of real fields or per-field spectra, always `2·pairs` (a separate
    /// parameter so that buffer-length rules can name it).
    pub fields: u32,
    /// `real_pairs` only: 0 = pack reals into complex, 1 = unpack complex into reals.
    pub direction: u32,
}

impl PairParams {
    /// `pairs` pairs of `n×n` fields; `unpack` selects the `real_pairs` direction.
    pub fn new(n: u32, pairs: u32, unpack: bool) -> Self {
        PairParams { n, pairs, fields: 2 * pairs, direction: u32::from(unpack) }
    }
}

/// `{ n, low_k2, mid_k2 }` — `band_energies`: low band `|k|² ≤ low_k2`, mid band
/// `low_k2 < |k|² ≤ mid_k2` off the Nyquist lines, high the rest. Integer thresholds
/// make band membership exact on every backend; [`BandParams::from_cuts`] converts
/// [`crate::spectral::BandCuts`] so that membership equals
/// [`crate::spectral::band_mask`] bit for bit.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct BandParams {
    /// Grid size N (a power of two, 2 ..= 8192).
    pub n: u32,
    /// Largest `|k|²` of the low band.
    pub low_k2: u32,
    /// Largest `|k|²` of the mid band (`≥ low_k2`).
    pub mid_k2: u32,
    pad: u32,
}

impl BandParams {
    /// Integer thresholds directly.
    pub fn new(n: u32, low_k2: u32, mid_k2: u32) -> Self {
        BandParams { n, low_k2, mid_k2, pad: 0 }
    }

    /// The thresholds of `cuts`: the largest integer `q` with `√q ≤ cut` (f64 `sqrt`,
    /// as [`crate::spectral::band_mask`] compares), capped at `u32::MAX`.
    /// [`crate::spectral::SpectralError::Parameter`] for invalid cuts.
    pub fn from_cuts(n: u32, cuts: crate::spectral::BandCuts) -> Result<Self, crate::spectral::SpectralError> {
        crate::spectral::band_mask(crate::spectral::SpectralGrid::new(2)?, crate::spectral::Layout::Full, cuts)?;
        Ok(BandParams::new(n, k2_threshold(cuts.k_cut), k2_threshold(cuts.mid_cut)))
    }
}

/// The largest `q ≤ u32::MAX` with `(q as f64).sqrt() ≤ cut` (`cut ≥ 0` finite).
fn k2_threshold(cut: f64) -> u32 {
    let within = |q: u64| (q as f64).sqrt() <= cut;
    let cap = u64::from(u32::MAX);
    let mut q = (cut * cut).floor().min(cap as f64) as u64;
    while q < cap && within(q + 1) {
        q += 1;
    }
    while q > 0 && !within(q) {
        q -= 1;
    }
    q as u32
}

/// A coefficient carried as `hi + lo` (both f32): the GPU reads `hi` (its f32 value),
/// the CPU executor reads `hi as f64 + lo as f64`, which is the f64 value to within
/// ~2⁻⁴⁸ relative — so the f64 reference is not rounded through f32.
pub fn split_f64(value: f64) -> (f32, f32) {
    let hi = value as f32;
    (hi, (value - f64::from(hi)) as f32)
}

/// `{ n, kind }` — `vorticity_fields`: one full-layout `n×n` vorticity spectrum mapped
/// to the spectrum of a packed pair of real fields (see `VORTICITY_FIELDS`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct VorticityFieldParams {
    /// Grid size N (a power of two, 2 ..= 8192).
    pub n: u32,
    /// 0 = velocity `u + i·v`, 1 = gradient `∂xω + i·∂yω`, 2 = strain `S11 + i·S12`,
    /// 3 = Laplacian `∇²ω`.
    pub kind: u32,
    pad: [u32; 2],
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
        VorticityFieldParams { n, kind, pad: [0; 2] }
    }
}

/// `{ n, smagorinsky, coeff_hi, coeff_lo }` — `vorticity_nonlinear` on an `n×n` grid
/// (real fields packed in pairs as complex values).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
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

impl NonlinearParams {
    /// Advection only.
    pub fn advection(n: u32) -> Self {
        NonlinearParams { n, smagorinsky: 0, coeff_hi: 0.0, coeff_lo: 0.0 }
    }

    /// Advection plus the Smagorinsky term with `(Cs·Δ)² = coeff`.
    pub fn smagorinsky(n: u32, coeff: f64) -> Self {
        let (coeff_hi, coeff_lo) = split_f64(coeff);
        NonlinearParams { n, smagorinsky: 1, coeff_hi, coeff_lo }
    }
}

/// `{ n, nu_hi, nu_lo, drag_hi, drag_lo }` — `vorticity_rhs` on one full-layout `n×n`
/// spectrum.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
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
    pad: [u32; 3],
}

impl VorticityRhsParams {
    /// Grid `n`, viscosity `nu`, drag `drag`.
    pub fn new(n: u32, nu: f64, drag: f64) -> Self {
        let ((nu_hi, nu_lo), (drag_hi, drag_lo)) = (split_f64(nu), split_f64(drag));
        VorticityRhsParams { n, nu_hi, nu_lo, drag_hi, drag_lo, pad: [0; 3] }
    }
}

/// `{ n, d, anchors }` — `proxy_pack`: gather a proxy vector of length `d` from one
/// full-layout `n×n` spectrum (see [`ProxyPackParams::HEADER_BASE`] for header slots).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct ProxyPackParams {
    /// Grid size N.
    pub n: u32,
    /// Proxy length D.
    pub d: u32,
    /// Number of anchors K (written into the header slot `HEADER_BASE + 3`).
    pub anchors: u32,
    pad: u32,
}

impl ProxyPackParams {
    /// Slot codes at or above this value are header entries: `HEADER_BASE + j` writes
    /// `0` (j = 0), `bands[1]` (j = 1, mid-band energy), `bands[2]` (j = 2, high-band
    /// energy) or `anchors` (j = 3). Smaller codes index the interleaved spectrum.
    pub const HEADER_BASE: u32 = 0xFFFF_FF00;

    /// Grid `n`, proxy length `d`, `anchors` anchors.
    pub fn new(n: u32, d: u32, anchors: u32) -> Self {
        ProxyPackParams { n, d, anchors, pad: 0 }
    }
}

/// `{ n, d, low, anchors, residual, seed }` — `proxy_spectrum`: the packed spectrum
/// `Z = LP + i·RES` of a proxy vector.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct ProxySpectrumParams {
    /// Grid size N.
    pub n: u32,
    /// Proxy length D = 2L + 4 + 2K.
    pub d: u32,
    /// Low-band modes L.
    pub low: u32,
    /// Anchors K.
    pub anchors: u32,
    /// 0 = no residual (low-pass only), 1 = anchors + seeded synthesis.
    pub residual: u32,
    /// Frame seed (`decode_seed + 1000003·t`, wrapping).
    pub seed: u32,
    pad: [u32; 2],
}

impl ProxySpectrumParams {
    /// Mode class "zero" (`k = 0`, Nyquist lines, bands not synthesised).
    pub const CLASS_ZERO: u32 = 0;
    /// Mode class "low band": index = slot `j` (`z[j]`, `z[L + j]`).
    pub const CLASS_LOW: u32 = 1;
    /// Mode class "anchor": index = anchor `a` (`z[2L+4+a]`, `z[2L+4+K+a]`).
    pub const CLASS_ANCHOR: u32 = 2;
    /// Mode class "synthesised mid band": index = the pair's representative mode.
    pub const CLASS_MID: u32 = 3;
    /// Mode class "synthesised high band": index = the pair's representative mode.
    pub const CLASS_HIGH: u32 = 4;
    /// Bit set on the conjugate partner of a stored mode (the value is conjugated).
    pub const CONJ_BIT: u32 = 1 << 27;
    /// Mask of the index field of a mode code.
    pub const INDEX_MASK: u32 = (1 << 27) - 1;

    /// A mode code: `class << 28 | conj << 27 | index`.
    pub const fn code(class: u32, conj: bool, index: u32) -> u32 {
        class << 28 | if conj { Self::CONJ_BIT } else { 0 } | (index & Self::INDEX_MASK)
    }

    /// Grid `n`, `low` low modes, `anchors` anchors, residual on or off, frame seed.
    pub fn new(n: u32, low: u32, anchors: u32, residual: bool, seed: u32) -> Self {
        ProxySpectrumParams {
            n,
            d: 2 * low + 4 + 2 * anchors,
            low,
            anchors,
            residual: u32::from(residual),
            seed,
            pad: [0; 2],
        }
    }
}

/// `{ width, height, radius }` — `box_smooth`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct BoxSmoothParams {
    /// Columns.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// Half-width r (`2r + 1 ≤ min(width, height)`).
    pub radius: u32,
    pad: u32,
}

impl BoxSmoothParams {
    /// A `height × width` periodic grid, half-width `radius`.
    pub fn new(width: u32, height: u32, radius: u32) -> Self {
        BoxSmoothParams { width, height, radius, pad: 0 }
    }
}

/// `{ n, tau_rel, gated }` — `threshold_gate`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct ThresholdGateParams {
    /// Number of cells.
    pub n: u32,
    /// Relative threshold τ_rel ∈ (0, 1]; the threshold is τ_rel·scale[0].
    pub tau_rel: f32,
    /// 1: keep only cells where the gate carrier agrees; 0: no gate.
    pub gated: u32,
    pad: u32,
}

impl ThresholdGateParams {
    /// `n` cells, relative threshold, gate on or off.
    pub fn new(n: u32, tau_rel: f32, gated: bool) -> Self {
        ThresholdGateParams { n, tau_rel, gated: u32::from(gated), pad: 0 }
    }
}

/// `{ level, epsilon }` — `fining_closure`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct FiningClosureParams {
    /// The level whose counts are read (0 = the seed: resets the state).
    pub level: u32,
    /// Closure tolerance ε ≥ 0 on the relative change of active cells.
    pub epsilon: f32,
    pad: [u32; 2],
}

impl FiningClosureParams {
    /// Level `level`, tolerance `epsilon`.
    pub fn new(level: u32, epsilon: f32) -> Self {
        FiningClosureParams { level, epsilon, pad: [0; 2] }
    }
}

/// `{ sources, targets, columns }` — `biot_savart`: the periodic regularised Biot–Savart
/// velocity of `sources` vortex blobs at `targets` points ([`crate::vortex`]).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct BiotSavartParams {
    /// Number of sources S (blobs).
    pub sources: u32,
    /// Number of targets T (evaluation points).
    pub targets: u32,
    /// Image columns M on each side of the central one (≤ [`crate::vortex::MAX_COLUMNS`]).
    pub columns: u32,
    pad: u32,
}

impl BiotSavartParams {
    /// `sources` blobs, `targets` points, `columns` image columns each side.
    pub fn new(sources: u32, targets: u32, columns: u32) -> Self {
        BiotSavartParams { sources, targets, columns, pad: 0 }
    }
}
