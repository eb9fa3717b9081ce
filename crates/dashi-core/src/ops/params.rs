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

/// `{ n, rows, log2n, inverse, transpose }` — `fft_rows`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct FftParams {
    /// Transform length (a power of two, 2 ..= 4096).
    pub n: u32,
    /// Number of rows transformed.
    pub rows: u32,
    /// `log₂ n`.
    pub log2n: u32,
    /// 0 = forward (`e^{−2πi jk/n}`, unscaled), 1 = inverse (`e^{+2πi jk/n}`, scaled by `1/n`).
    pub inverse: u32,
    /// 0 = write rows in place; 1 = write each `n×n` block transposed.
    pub transpose: u32,
    pad: [u32; 3],
}

impl FftParams {
    /// Parameters for `rows` transforms of length `n` (a power of two).
    pub fn new(n: u32, rows: u32, inverse: bool, transpose: bool) -> Self {
        FftParams {
            n,
            rows,
            log2n: n.trailing_zeros(),
            inverse: u32::from(inverse),
            transpose: u32::from(transpose),
            pad: [0; 3],
        }
    }
}
