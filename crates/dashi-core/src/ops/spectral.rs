//! The `spectral` family: operators on full-layout `n×n` spectra (interleaved
//! `(re, im)`, row-major `[ky][kx]`, `k = fftfreq(n)·n`, docs/DESIGN.md §4) and the
//! packing of two real fields into one complex FFT (`spectral.wgsl`).
//!
//! ```text
//! spectral_mul          x ← f(k)·x: i·kx, i·ky, −|k|², 1/|k|², 2/3 dealias, exponential filter
//! shell_spectrum        out[s] = Σ_{round(|k|) = s} ½|x̂|²/n⁴
//! band_energies         [low, mid, high] sums of ½|x̂|²/n⁴ by integer |k|² thresholds
//! real_pairs            two real fields ↔ one complex field a + i·b
//! split_pair_spectra    A = (Z[k] + Z̄[−k])/2, B = (Z[k] − Z̄[−k])/(2i)
//! combine_pair_spectra  Z = A + i·B
//! ```
//!
//! |k|² is exact integer arithmetic on every backend, so every mask and every shell or
//! band membership agrees bit for bit; the CPU kernels are the operators of
//! [`crate::spectral`].

use super::Access::{Read, ReadWrite};
use super::ElemType::Real as R;
use super::LenRule::{Complex as C, Fixed, Product};
use super::{BufferId, CpuIo, Dispatch, Family, WGSL_WAVENUMBER, binding};
use crate::scalar::Real;

crate::op_params! {
    /// `{ n, batch, kind, alpha, p }` — `spectral_mul` (full-layout `n×n` spectra).
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
    }
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
        SpectralMulParams { n, batch, kind, ..bytemuck::Zeroable::zeroed() }
    }

    /// The exponential filter with strength `alpha` and order `p`.
    pub fn filter(n: u32, batch: u32, alpha: f32, p: f32) -> Self {
        SpectralMulParams { n, batch, kind: Self::FILTER, alpha, p, ..bytemuck::Zeroable::zeroed() }
    }
}

crate::op_params! {
    /// `{ n, shells }` — `shell_spectrum`.
    pub struct ShellParams {
        /// Grid size N (a power of two, 2 ..= 8192).
        pub n: u32,
        /// Shells written, `0 ..= shells − 1` (`round(N/√2) + 1` covers every mode).
        pub shells: u32,
    }
}

impl ShellParams {
    /// `shells` shells of an `n×n` spectrum.
    pub fn new(n: u32, shells: u32) -> Self {
        ShellParams { n, shells, ..bytemuck::Zeroable::zeroed() }
    }
}

crate::op_params! {
    /// `{ n, pairs, fields, direction }` — `real_pairs`, `split_pair_spectra`,
    /// `combine_pair_spectra` (two real fields in one complex FFT).
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
}

impl PairParams {
    /// `pairs` pairs of `n×n` fields; `unpack` selects the `real_pairs` direction.
    pub fn new(n: u32, pairs: u32, unpack: bool) -> Self {
        PairParams { n, pairs, fields: 2 * pairs, direction: u32::from(unpack), ..bytemuck::Zeroable::zeroed() }
    }
}

crate::op_params! {
    /// `{ n, low_k2, mid_k2 }` — `band_energies`: low band `|k|² ≤ low_k2`, mid band
    /// `low_k2 < |k|² ≤ mid_k2` off the Nyquist lines, high the rest. Integer thresholds
    /// make band membership exact on every backend; [`BandParams::from_cuts`] converts
    /// [`crate::spectral::BandCuts`] so that membership equals
    /// [`crate::spectral::band_mask`] bit for bit.
    pub struct BandParams {
        /// Grid size N (a power of two, 2 ..= 8192).
        pub n: u32,
        /// Largest `|k|²` of the low band.
        pub low_k2: u32,
        /// Largest `|k|²` of the mid band (`≥ low_k2`).
        pub mid_k2: u32,
    }
}

impl BandParams {
    /// Integer thresholds directly.
    pub fn new(n: u32, low_k2: u32, mid_k2: u32) -> Self {
        BandParams { n, low_k2, mid_k2, ..bytemuck::Zeroable::zeroed() }
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

/// The family.
pub static SPECTRAL: Family = Family {
    name: "spectral",
    owner: "dashi-core",
    doc: "operators on full-layout spectra and real-pair packing",
    wgsl: include_str!("spectral.wgsl"),
    imports: &[&WGSL_WAVENUMBER],
    constants: &[],
    ops: &[
        SPECTRAL_MUL.spec(),
        SHELL_SPECTRUM.spec(),
        BAND_ENERGIES.spec(),
        REAL_PAIRS.spec(),
        SPLIT_PAIR_SPECTRA.spec(),
        COMBINE_PAIR_SPECTRA.spec(),
    ],
    trusted: false,
    zero_workgroup_memory: true,
};

/// Largest grid of the spectral ops (= [`crate::spectral::MAX_N`]).
pub const SPECTRAL_MAX_N: u32 = crate::spectral::MAX_N as u32;

/// `n` a power of two in `2..=SPECTRAL_MAX_N` (the domain of every op on full-layout
/// spectra, in this family and in other crates').
pub fn spectral_n(n: u32) -> Result<u32, String> {
    if !n.is_power_of_two() || !(2..=SPECTRAL_MAX_N).contains(&n) {
        return Err(format!("n = {n} must be a power of two in 2..={SPECTRAL_MAX_N}"));
    }
    Ok(n)
}

/// One invocation per mode of `batch·n` rows: x = kx index, y = row of the stacked
/// batch, in 64×4 workgroups (n/64 × n·batch/4 workgroups stay within the
/// 65535-per-dimension limit up to n = 4096 with batch ≤ 63).
pub const PER_MODE: Dispatch = Dispatch::Grid { x: Product(&["n"]), y: Product(&["n"]), wx: 64, wy: 4 };

fn spectral_mul_domain(p: &SpectralMulParams) -> Result<(), String> {
    let n = u64::from(spectral_n(p.n)?);
    let batch = u64::from(p.batch);
    if 2 * n * n * batch > u64::from(u32::MAX) {
        return Err(format!("2·n²·batch = {} reals exceeds u32 indexing", 2 * n * n * batch));
    }
    match p.kind {
        0..=4 => Ok(()),
        5 => {
            let (alpha, order) = (p.alpha, p.p);
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

fn shell_domain(p: &ShellParams) -> Result<(), String> {
    spectral_n(p.n).map(|_| ())
}

fn band_domain(p: &BandParams) -> Result<(), String> {
    spectral_n(p.n)?;
    if p.low_k2 <= p.mid_k2 { Ok(()) } else { Err(format!("low_k2 = {} exceeds mid_k2 = {}", p.low_k2, p.mid_k2)) }
}

fn pair_domain(p: &PairParams) -> Result<(), String> {
    let n = u64::from(spectral_n(p.n)?);
    let pairs = u64::from(p.pairs);
    if 4 * n * n * pairs > u64::from(u32::MAX) {
        return Err(format!("4·n²·pairs = {} reals exceeds u32 indexing", 4 * n * n * pairs));
    }
    if u64::from(p.fields) != 2 * pairs {
        return Err(format!("fields = {} must be 2·pairs = {}", p.fields, 2 * pairs));
    }
    Ok(())
}

fn real_pairs_domain(p: &PairParams) -> Result<(), String> {
    pair_domain(p)?;
    match p.direction {
        0 | 1 => Ok(()),
        d => Err(format!("direction = {d} (0 pack, 1 unpack)")),
    }
}

/// Interleaved `(re, im)` reals as complex values.
fn to_complex<T: Real>(x: &[T]) -> Vec<crate::spectral::Complex<T>> {
    x.chunks_exact(2).map(|c| crate::spectral::Complex::new(c[0], c[1])).collect()
}

/// The full-layout grid of a validated `n`.
fn full_grid(n: usize) -> Result<crate::spectral::SpectralGrid, String> {
    crate::spectral::SpectralGrid::new(n).map_err(|e| e.to_string())
}

/// The `spectral_mul` reference: every `n×n` spectrum of `x` (interleaved) through the
/// [`crate::spectral`] operator of `kind` (full layout).
fn spectral_mul<T: Real>(x: &mut [T], n: usize, kind: u32, alpha: f32, p: f32) -> Result<(), String> {
    use crate::spectral::{self as sp, Layout::Full};
    let grid = full_grid(n)?;
    let filter = if kind == 5 {
        Some(sp::ExponentialFilter::new(grid, Full, f64::from(alpha), f64::from(p)).map_err(|e| e.to_string())?)
    } else {
        None
    };
    for field in x.chunks_exact_mut(2 * n * n) {
        let mut c = to_complex(field);
        match kind {
            0 => sp::mul_i_kx(grid, Full, &mut c),
            1 => sp::mul_i_ky(grid, Full, &mut c),
            2 => sp::mul_neg_k2(grid, Full, &mut c),
            3 => sp::stream_function(grid, Full, &mut c),
            4 => sp::dealias(grid, Full, &mut c),
            _ => filter.as_ref().expect("kind 5").apply(&mut c),
        }
        .map_err(|e| e.to_string())?;
        for (d, v) in field.chunks_exact_mut(2).zip(&c) {
            d[0] = v.re;
            d[1] = v.im;
        }
    }
    Ok(())
}

/// The `shell_spectrum` reference: [`crate::spectral::shell_spectrum`] (full layout)
/// for shells `0 .. shells` (0 beyond the last shell).
fn shell_spectrum<T: Real>(x: &[T], n: usize, out: &mut [T]) -> Result<(), String> {
    let grid = full_grid(n)?;
    let c = to_complex(&x[..2 * n * n]);
    let e = crate::spectral::shell_spectrum(grid, crate::spectral::Layout::Full, &[&c]).map_err(|e| e.to_string())?;
    for (s, o) in out.iter_mut().enumerate() {
        *o = T::from_f64(e.get(s).copied().unwrap_or(0.0));
    }
    Ok(())
}

/// The `band_energies` reference: mode energies `½|x̂|²/n⁴` accumulated in f64,
/// row-major, into the bands of the integer thresholds (the membership of
/// [`crate::spectral::band_mask`] for cuts converted by
/// [`BandParams::from_cuts`]).
fn band_energies<T: Real>(x: &[T], n: usize, low_k2: u32, mid_k2: u32) -> Result<[T; 3], String> {
    let grid = full_grid(n)?;
    let c = to_complex(&x[..2 * n * n]);
    if let Some(i) = c.iter().position(|v| !(v.re.is_finite() && v.im.is_finite())) {
        return Err(format!("non-finite value at mode {i}"));
    }
    let norm = 0.5 / (grid.points() as f64 * grid.points() as f64);
    let mut bands = [0.0f64; 3];
    for iy in 0..n {
        for ix in 0..n {
            let v = c[iy * n + ix];
            let m = norm * (v.re.to_f64().powi(2) + v.im.to_f64().powi(2));
            let k2 = grid.k2_at(crate::spectral::Layout::Full, iy, ix);
            let band = if k2 <= u64::from(low_k2) {
                0
            } else if k2 <= u64::from(mid_k2) && !grid.is_nyquist(crate::spectral::Layout::Full, iy, ix) {
                1
            } else {
                2
            };
            bands[band] += m;
        }
    }
    Ok(bands.map(T::from_f64))
}

/// `real_pairs`: pack (`unpack = false`) real fields `2f`, `2f+1` of `n2` values into
/// complex field `f` as `(re, im)`, or unpack.
fn real_pairs<T: Copy>(src: &[T], dst: &mut [T], n2: usize, pairs: usize, unpack: bool) {
    for f in 0..pairs {
        for i in 0..n2 {
            let (a, b, z) = ((2 * f) * n2 + i, (2 * f + 1) * n2 + i, 2 * (f * n2 + i));
            if unpack {
                dst[a] = src[z];
                dst[b] = src[z + 1];
            } else {
                dst[z] = src[a];
                dst[z + 1] = src[b];
            }
        }
    }
}

/// `split_pair_spectra`: `A = (Z[k] + Z̄[−k])/2`, `B = (Z[k] − Z̄[−k])/(2i)` per pair.
fn split_pair_spectra<T: Real>(src: &[T], dst: &mut [T], n: usize, pairs: usize) {
    let half = <T as Real>::from_f64(0.5);
    for f in 0..pairs {
        for ky in 0..n {
            for kx in 0..n {
                let at = f * n * n + ky * n + kx;
                let mirror = f * n * n + ((n - ky) % n) * n + (n - kx) % n;
                let (zr, zi) = (src[2 * at], src[2 * at + 1]);
                let (mr, mi) = (src[2 * mirror], src[2 * mirror + 1]);
                // A = (Z + conj M)/2; B = (Z − conj M)/(2i) = ((zi + mi)/2, −(zr − mr)/2).
                let a = 2 * ((2 * f) * n * n + ky * n + kx);
                let b = 2 * ((2 * f + 1) * n * n + ky * n + kx);
                dst[a] = (zr + mr) * half;
                dst[a + 1] = (zi - mi) * half;
                dst[b] = (zi + mi) * half;
                dst[b + 1] = (mr - zr) * half;
            }
        }
    }
}

/// `combine_pair_spectra`: `Z = A + i·B` per pair.
fn combine_pair_spectra<T: Real>(src: &[T], dst: &mut [T], n2: usize, pairs: usize) {
    for f in 0..pairs {
        for i in 0..n2 {
            let (a, b, z) = (2 * ((2 * f) * n2 + i), 2 * ((2 * f + 1) * n2 + i), 2 * (f * n2 + i));
            dst[z] = src[a] - src[b + 1];
            dst[z + 1] = src[a + 1] + src[b];
        }
    }
}

fn spectral_mul_kernel<T: Real>(p: &SpectralMulParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let n = p.n as usize;
    let len = 2 * n * n * p.batch as usize;
    spectral_mul(&mut io.reals_mut(0)[..len], n, p.kind, p.alpha, p.p)
}

crate::kernel_op! {
    /// In-place multiply of `batch` full-layout `n×n` spectra (interleaved `(re, im)`,
    /// row-major `[ky][kx]`, `k = fftfreq(n)·n`) by a mode-dependent factor — the
    /// operators of [`crate::spectral`]: `mul_i_kx`, `mul_i_ky`, `mul_neg_k2`,
    /// `stream_function`, `dealias`, `ExponentialFilter`.
    pub static SPECTRAL_MUL: Op<SpectralMulParams, [BufferId; 1]> = {
        name: "spectral_mul",
        family: &SPECTRAL,
        summary: "x[b][ky][kx] ← f(k)·x[b][ky][kx], f by kind: 0 i·kx, 1 i·ky, 2 −|k|², 3 1/|k|² (k = 0 → 0), 4 [3|kx| ≤ n ∧ 3|ky| ≤ n], 5 exp(−alpha·(|k|/(n/2))^p) for |k| < n/2 else 0",
        bindings: &[binding(0, "x", ReadWrite, R, C(&["n", "n", "batch"]))],
        sizes: &["n", "batch"],
        dispatch: Dispatch::Grid { x: Product(&["n"]), y: Product(&["n", "batch"]), wx: 64, wy: 4 },
        domain: spectral_mul_domain,
        cpu: spectral_mul_kernel,
    };
}

fn shell_spectrum_kernel<T: Real>(p: &ShellParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let x = io.reals(0);
    shell_spectrum(x, p.n as usize, &mut io.reals_mut(1)[..p.shells as usize])
}

crate::kernel_op! {
    /// Shell sums of the mode energy `½|x̂|²/n⁴` of one full-layout spectrum
    /// ([`crate::spectral::shell_spectrum`]).
    pub static SHELL_SPECTRUM: Op<ShellParams, [BufferId; 2]> = {
        name: "shell_spectrum",
        family: &SPECTRAL,
        summary: "out[s] = Σ_{round(|k|) = s} ½|x[ky][kx]|²/n⁴ for s < shells (one n×n spectrum)",
        bindings: &[binding(0, "x", Read, R, C(&["n", "n"])), binding(1, "out", ReadWrite, R, Product(&["shells"]))],
        sizes: &["n", "shells"],
        // One workgroup of 256 per shell, visiting only the modes of its annulus
        // s² − s + 1 ≤ |k|² ≤ s² + s (a tree reduction per shell).
        dispatch: Dispatch::Tiled { x: Product(&["shells"]), y: Fixed(1), tile_x: 1, tile_y: 1, wx: 256, wy: 1 },
        domain: shell_domain,
        cpu: shell_spectrum_kernel,
    };
}

fn band_energies_kernel<T: Real>(p: &BandParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let bands = band_energies(io.reals(0), p.n as usize, p.low_k2, p.mid_k2)?;
    io.reals_mut(1)[..3].copy_from_slice(&bands);
    Ok(())
}

crate::kernel_op! {
    /// Energies of one full-layout spectrum in three bands
    /// ([`crate::spectral::band_energies`] with cuts given as integer `|k|²` thresholds).
    pub static BAND_ENERGIES: Op<BandParams, [BufferId; 2]> = {
        name: "band_energies",
        family: &SPECTRAL,
        summary: "out = [Σ_low, Σ_mid, Σ_high] of ½|x[ky][kx]|²/n⁴; low |k|² ≤ low_k2, mid low_k2 < |k|² ≤ mid_k2 with |kx|, |ky| ≠ n/2, high the rest",
        bindings: &[binding(0, "x", Read, R, C(&["n", "n"])), binding(1, "out", ReadWrite, R, Fixed(3))],
        sizes: &["n"],
        dispatch: Dispatch::Single { workgroup: 256 },
        domain: band_domain,
        cpu: band_energies_kernel,
    };
}

const PAIR_GRID: Dispatch = Dispatch::Grid { x: Product(&["n"]), y: Product(&["n", "pairs"]), wx: 64, wy: 4 };

fn real_pairs_kernel<T: Real>(p: &PairParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let (n2, pairs) = ((p.n * p.n) as usize, p.pairs as usize);
    let src = &io.reals(0)[..2 * n2 * pairs];
    real_pairs(src, &mut io.reals_mut(1)[..2 * n2 * pairs], n2, pairs, p.direction == 1);
    Ok(())
}

crate::kernel_op! {
    /// Two real fields in one complex field, the packing that halves the FFT work on
    /// real data: direction 0 packs real fields `a = src[2f]`, `b = src[2f+1]` into
    /// `z = a + i·b` (complex field `f` of dst); direction 1 unpacks (`a = Re z`,
    /// `b = Im z`). Both buffers hold `2·pairs·n²` reals.
    pub static REAL_PAIRS: Op<PairParams, [BufferId; 2]> = {
        name: "real_pairs",
        family: &SPECTRAL,
        summary: "direction 0: dst[f][i] = (src[2f·n² + i], src[(2f+1)·n² + i]) as (re, im); direction 1: the inverse permutation",
        bindings: &[
            binding(0, "src", Read, R, C(&["n", "n", "pairs"])),
            binding(1, "dst", ReadWrite, R, C(&["n", "n", "pairs"])),
        ],
        sizes: &["n", "pairs"],
        dispatch: PAIR_GRID,
        domain: real_pairs_domain,
        cpu: real_pairs_kernel,
    };
}

fn split_kernel<T: Real>(p: &PairParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let (n, pairs) = (p.n as usize, p.pairs as usize);
    let src = &io.reals(0)[..2 * n * n * pairs];
    split_pair_spectra(src, &mut io.reals_mut(1)[..4 * n * n * pairs], n, pairs);
    Ok(())
}

crate::kernel_op! {
    /// Splits the spectrum `Z = F(a + i·b)` of a packed pair into the spectra of the
    /// two real fields, by Hermitian symmetry: `A[k] = (Z[k] + Z̄[−k])/2`,
    /// `B[k] = (Z[k] − Z̄[−k])/(2i)`, `−k` taken modulo `n` on both axes.
    pub static SPLIT_PAIR_SPECTRA: Op<PairParams, [BufferId; 2]> = {
        name: "split_pair_spectra",
        family: &SPECTRAL,
        summary: "dst[2f][k] = (Z[k] + conj Z[−k])/2, dst[2f+1][k] = (Z[k] − conj Z[−k])/(2i), Z = src[f], −k = ((n − ky) mod n, (n − kx) mod n)",
        bindings: &[
            binding(0, "src", Read, R, C(&["n", "n", "pairs"])),
            binding(1, "dst", ReadWrite, R, C(&["n", "n", "fields"])),
        ],
        sizes: &["n", "pairs", "fields"],
        dispatch: PAIR_GRID,
        domain: pair_domain,
        cpu: split_kernel,
    };
}

fn combine_kernel<T: Real>(p: &PairParams, io: &mut CpuIo<'_, '_, T>) -> Result<(), String> {
    let (n2, pairs) = ((p.n * p.n) as usize, p.pairs as usize);
    let src = &io.reals(0)[..4 * n2 * pairs];
    combine_pair_spectra(src, &mut io.reals_mut(1)[..2 * n2 * pairs], n2, pairs);
    Ok(())
}

crate::kernel_op! {
    /// Combines the spectra `A`, `B` of two real fields into `Z = A + i·B`, whose
    /// inverse FFT is `a + i·b` (then `real_pairs` direction 1 separates them).
    pub static COMBINE_PAIR_SPECTRA: Op<PairParams, [BufferId; 2]> = {
        name: "combine_pair_spectra",
        family: &SPECTRAL,
        summary: "dst[f][k] = src[2f][k] + i·src[2f+1][k]",
        bindings: &[
            binding(0, "src", Read, R, C(&["n", "n", "fields"])),
            binding(1, "dst", ReadWrite, R, C(&["n", "n", "pairs"])),
        ],
        sizes: &["n", "pairs", "fields"],
        dispatch: PAIR_GRID,
        domain: pair_domain,
        cpu: combine_kernel,
    };
}
