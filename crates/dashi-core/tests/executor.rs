//! Integration tests of the KernelOp ABI and the CPU executor.
//!
//! * every op of `REGISTRY` against an independent naive computation, in f64 and f32,
//!   at sizes 1, 7, 33, 64, 257, … with poisoned output buffers;
//! * the parameter-block layout of every `OpSpec` against its Rust struct;
//! * typed errors (never panics) for bad dispatches, allocations and transfers;
//! * a proptest fuzz of `enqueue` with random ops, buffers and parameter bytes;
//! * timings and device information;
//! * `docs/ABI.md` lists every op exactly as the registry describes it.
//!
//! Tolerances. f64: bit-exact — every op is plain IEEE `*` and `+` in a documented
//! order (never FMA), so the naive loop in the same order reproduces it. f32: bit-exact
//! against the same naive loop run in f32, and additionally within a forward-error
//! bound of the f64 result (stated at each check). Reductions accumulate in f64 and
//! are rounded once, so the f32 result is the correctly rounded f64 sum (≤ ½ ulp).
//!
//! The last tests reproduce defects found in `src/` while this suite was written
//! (each fixed since; they stay as regression tests).

use dashi_core::carrier::{Carrier, Field, Neighbourhood, Shape, Stencil, Trit, words_for};
use dashi_core::kernel::{Annihilate, CoherenceStats, Kernel, Majority, Threshold, threshold_planes};
use dashi_core::ops::{
    ADD, ANNIHILATE, ARGMAX, AXPY, Access, Backend, BufferDesc, BufferId, COHERENCE_STATS, CpuExecutor, DeviceType,
    Dispatch, ElemType, ExecError, Executor, GATHER, GEMM_BATCHED, GEMV_ROW, GatherParams, GemmParams, GemvParams,
    LenParams, LenRule, MAJORITY, MUL, OpSpec, ParamType, Params, Precision, REDUCE_MAX_ABS, REDUCE_SUM, REDUCE_SUM_SQ,
    REGISTRY, SCALE, SCATTER, ScalarParams, StencilParams, THRESHOLD, TOP_K, ThresholdParams, TopKParams, find_op,
};
use dashi_core::random::SplitMix64;
use dashi_core::scalar::Real;
use proptest::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};

// ---------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------

const PRECISIONS: [Precision; 2] = [Precision::F64, Precision::F32];
/// Problem sizes: 1, primes and non-multiples of 32/64/256, one multiple of 64.
const SIZES: [usize; 6] = [1, 7, 33, 64, 257, 1000];
/// NaN-free garbage written to every output buffer before a dispatch.
const POISON_REAL: f64 = 12345.0;
const POISON_U32: u32 = 0xDEAD_BEEF;
const POISON_I32: i32 = -0x2152_4111; // 0xDEADBEEF as i32
/// f32 unit roundoff 2⁻²⁴.
const U32_EPS: f64 = 1.0 / 16_777_216.0;

fn seed(op: u64, n: usize, prec: Precision) -> u64 {
    op.wrapping_mul(0x9E37_79B9) ^ (n as u64) << 20 ^ u64::from(prec == Precision::F32) << 40
}

/// Extra elements beyond the length rule for odd sizes: the op must leave them alone.
fn slack(n: usize) -> usize {
    if n % 2 == 1 { 3 } else { 0 }
}

/// Normal draws at a random scale; asserts the input is not all zero.
fn random_reals(g: &mut SplitMix64, n: usize) -> Vec<f64> {
    let scale = [1e-3, 1.0, 1e3][g.below(3) as usize];
    let v: Vec<f64> = (0..n).map(|_| g.normal() * scale).collect();
    assert!(v.iter().any(|&x| x != 0.0), "all-zero input");
    v
}

/// Small integers in −2..=2 (many ties); never all zero.
fn tie_heavy_reals(g: &mut SplitMix64, n: usize) -> Vec<f64> {
    let mut v: Vec<f64> = (0..n).map(|_| g.below(5) as f64 - 2.0).collect();
    if v.iter().all(|&x| x == 0.0) {
        v[g.below(n as u64) as usize] = 1.0;
    }
    v
}

/// Uploads `data` into a fresh real buffer; returns it with the values as stored.
fn real_buf(ex: &mut CpuExecutor, data: &[f64]) -> (BufferId, Vec<f64>) {
    let id = ex.alloc(ElemType::Real, data.len()).unwrap();
    ex.upload_real(id, data).unwrap();
    let stored = ex.download_real(id).unwrap();
    (id, stored)
}

fn poisoned_real(ex: &mut CpuExecutor, len: usize) -> BufferId {
    let id = ex.alloc(ElemType::Real, len).unwrap();
    ex.upload_real(id, &vec![POISON_REAL; len]).unwrap();
    id
}

fn u32_buf(ex: &mut CpuExecutor, data: &[u32]) -> BufferId {
    let id = ex.alloc(ElemType::U32, data.len()).unwrap();
    ex.upload_u32(id, data).unwrap();
    id
}

fn poisoned_u32(ex: &mut CpuExecutor, len: usize) -> BufferId {
    u32_buf(ex, &vec![POISON_U32; len])
}

fn poisoned_i32(ex: &mut CpuExecutor, len: usize) -> BufferId {
    let id = ex.alloc(ElemType::I32, len).unwrap();
    ex.upload_i32(id, &vec![POISON_I32; len]).unwrap();
    id
}

/// Values as an executor of `prec` stores them.
fn round_to(prec: Precision, v: f64) -> f64 {
    match prec {
        Precision::F64 => v,
        Precision::F32 => f64::from(v as f32),
    }
}

fn narrow<T: Real>(v: &[f64]) -> Vec<T> {
    v.iter().map(|&x| T::from_f64(x)).collect()
}

/// Runs `$f::<f64>` or `$f::<f32>` according to the precision.
macro_rules! in_precision {
    ($prec:expr, $f:ident ( $($arg:expr),* $(,)? )) => {
        match $prec {
            Precision::F64 => $f::<f64>($($arg),*),
            Precision::F32 => $f::<f32>($($arg),*),
        }
    };
}

fn assert_bits(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.to_bits(), w.to_bits(), "{what}: element {i}: got {g:e}, want {w:e}");
    }
}

fn assert_tail_real(got: &[f64], from: usize, what: &str) {
    assert!(got[from..].iter().all(|&v| v == POISON_REAL), "{what}: tail beyond the length rule was written");
}

fn assert_tail_u32(got: &[u32], from: usize, what: &str) {
    assert!(got[from..].iter().all(|&v| v == POISON_U32), "{what}: tail beyond the length rule was written");
}

/// Checks an f32 result against the exact (f64) value within `bound`.
fn assert_within(got: &[f64], exact: &[f64], bound: &[f64], what: &str) {
    for (i, ((g, e), b)) in got.iter().zip(exact).zip(bound).enumerate() {
        assert!((g - e).abs() <= *b, "{what}: element {i}: got {g:e}, exact {e:e}, error bound {b:e}");
    }
}

// ---------------------------------------------------------------------------------
// Naive references (written here, independent of src/)
// ---------------------------------------------------------------------------------

fn naive_axpy<T: Real>(alpha: f32, x: &[f64], y: &[f64]) -> Vec<f64> {
    let a = T::from_f64(f64::from(alpha));
    x.iter().zip(y).map(|(&x, &y)| (a * T::from_f64(x) + T::from_f64(y)).to_f64()).collect()
}

fn naive_scale<T: Real>(alpha: f32, x: &[f64]) -> Vec<f64> {
    let a = T::from_f64(f64::from(alpha));
    x.iter().map(|&x| (a * T::from_f64(x)).to_f64()).collect()
}

fn naive_binary<T: Real>(mul: bool, x: &[f64], y: &[f64]) -> Vec<f64> {
    x.iter()
        .zip(y)
        .map(|(&x, &y)| {
            let (x, y) = (T::from_f64(x), T::from_f64(y));
            (if mul { x * y } else { x + y }).to_f64()
        })
        .collect()
}

/// `out[m][j] = Σ_i z[m][i]·a[i][j]`, ascending i, accumulated in T.
fn naive_gemm<T: Real>(z: &[f64], a: &[f64], batch: usize, rows: usize, cols: usize) -> Vec<f64> {
    let (z, a) = (narrow::<T>(z), narrow::<T>(a));
    let mut out = Vec::with_capacity(batch * cols);
    for m in 0..batch {
        for j in 0..cols {
            let mut s = T::ZERO;
            for i in 0..rows {
                s += z[m * rows + i] * a[i * cols + j];
            }
            out.push(s.to_f64());
        }
    }
    out
}

/// `Σ_i |z[m][i]·a[i][j]|` in f64 (for forward-error bounds).
fn abs_gemm(z: &[f64], a: &[f64], batch: usize, rows: usize, cols: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(batch * cols);
    for m in 0..batch {
        for j in 0..cols {
            out.push((0..rows).map(|i| (z[m * rows + i] * a[i * cols + j]).abs()).sum());
        }
    }
    out
}

/// Indices sorted by value descending, ties to the lower index (stable sort).
fn naive_top_k(x: &[f64], k: usize) -> Vec<u32> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&i, &j| x[j].partial_cmp(&x[i]).expect("finite"));
    idx.into_iter().take(k).map(|i| i as u32).collect()
}

/// Trit of cell `i` read straight from the planes.
fn trit_at(support: &[u32], sign: &[u32], i: usize) -> i32 {
    let bit = 1u32 << (i % 32);
    match (support[i / 32] & bit != 0, sign[i / 32] & bit != 0) {
        (false, _) => 0,
        (true, false) => 1,
        (true, true) => -1,
    }
}

fn planes_of(values: &[i32]) -> (Vec<u32>, Vec<u32>) {
    let words = values.len().div_ceil(32);
    let (mut support, mut sign) = (vec![0u32; words], vec![0u32; words]);
    for (i, &v) in values.iter().enumerate() {
        let bit = 1u32 << (i % 32);
        if v != 0 {
            support[i / 32] |= bit;
        }
        if v < 0 {
            sign[i / 32] |= bit;
        }
    }
    (support, sign)
}

/// The closed neighbourhood of `(y, x)` on the `h × w` torus, degenerate axes fixed.
fn naive_neighbours(h: usize, w: usize, y: usize, x: usize, radius: usize, moore: bool) -> Vec<usize> {
    let r = radius as isize;
    let (ry, rx) = (if h > 1 { r } else { 0 }, if w > 1 { r } else { 0 });
    let mut out = Vec::new();
    for dy in -ry..=ry {
        for dx in -rx..=rx {
            if moore || dy.abs() + dx.abs() <= r {
                let yy = (y as isize + dy).rem_euclid(h as isize) as usize;
                let xx = (x as isize + dx).rem_euclid(w as isize) as usize;
                out.push(yy * w + xx);
            }
        }
    }
    out
}

fn naive_majority(s: &[i32], h: usize, w: usize, radius: usize, moore: bool, eta: u32) -> Vec<i32> {
    (0..h * w)
        .map(|i| {
            let sum: i64 = naive_neighbours(h, w, i / w, i % w, radius, moore).iter().map(|&j| i64::from(s[j])).sum();
            if s[i] != 0 && i64::from(s[i]) * sum >= i64::from(eta) { s[i] } else { 0 }
        })
        .collect()
}

fn naive_annihilate(s: &[i32], h: usize, w: usize, radius: usize, moore: bool) -> Vec<i32> {
    (0..h * w)
        .map(|i| {
            let nb = naive_neighbours(h, w, i / w, i % w, radius, moore);
            if s[i] != 0 && nb.iter().any(|&j| s[j] == -s[i]) { 0 } else { s[i] }
        })
        .collect()
}

/// `(active, balance, interfaces, energy)`; interfaces over right and down edges of
/// the periodic grid, axes of extent 1 skipped.
fn naive_coherence(s: &[i32], f: &[f64], h: usize, w: usize) -> (i32, i32, i32, f64) {
    let active = s.iter().filter(|&&v| v != 0).count() as i32;
    let balance = s.iter().sum();
    let mut interfaces = 0;
    for y in 0..h {
        for x in 0..w {
            let v = s[y * w + x];
            if w > 1 && v * s[y * w + (x + 1) % w] == -1 {
                interfaces += 1;
            }
            if h > 1 && v * s[((y + 1) % h) * w + x] == -1 {
                interfaces += 1;
            }
        }
    }
    let sum_sq: f64 = s.iter().zip(f).filter(|(v, _)| **v != 0).map(|(_, f)| f * f).sum();
    let energy = if active == 0 { 0.0 } else { 0.5 * sum_sq / f64::from(active) };
    (active, balance, interfaces, energy)
}

/// A random carrier (as values) of density in (0, 1); never all zero.
fn random_trits(g: &mut SplitMix64, cells: usize) -> Vec<i32> {
    let density = g.uniform(0.2, 0.9);
    let mut v: Vec<i32> = (0..cells)
        .map(|_| if g.next_f64() < density { if g.next_u64() & 1 == 0 { 1 } else { -1 } } else { 0 })
        .collect();
    if v.iter().all(|&t| t == 0) {
        v[g.below(cells as u64) as usize] = 1;
    }
    v
}

/// Grid shapes `(height, width)`: cells 1, 7, 33, 35, 256, 257, 261, rings both ways.
const GRIDS: [(usize, usize); 10] =
    [(1, 1), (1, 7), (7, 1), (3, 11), (1, 33), (5, 7), (16, 16), (1, 257), (257, 1), (9, 29)];

/// Largest radius allowed on the grid (2r + 1 ≤ every extent > 1), capped at 3.
fn max_radius(h: usize, w: usize) -> usize {
    [h, w].iter().filter(|&&e| e > 1).map(|&e| (e - 1) / 2).min().unwrap_or(3).min(3)
}

// ---------------------------------------------------------------------------------
// Every op against a naive computation
// ---------------------------------------------------------------------------------

/// Each op name below has a test in this section; a new op must add one.
const OPS_TESTED_HERE: [&str; 35] = [
    "axpy",
    "scale",
    "add",
    "mul",
    "gemv_row",
    "gemm_batched",
    "reduce_sum",
    "reduce_sum_sq",
    "reduce_max_abs",
    "argmax",
    "top_k",
    "gather",
    "scatter",
    "threshold",
    "majority",
    "annihilate",
    "coherence_stats",
    "fft_step",
    "spectral_mul",
    "shell_spectrum",
    "band_energies",
    "real_pairs",
    "split_pair_spectra",
    "combine_pair_spectra",
    "vorticity_fields",
    "vorticity_nonlinear",
    "vorticity_rhs",
    "proxy_pack",
    "proxy_spectrum",
    "box_smooth",
    "threshold_gate",
    "fining_select",
    "fining_closure",
    "mask_combine",
    "biot_savart",
];

#[test]
fn every_registry_op_has_a_correctness_test() {
    let registry: Vec<&str> = REGISTRY.iter().map(|s| s.name).collect();
    assert_eq!(registry, OPS_TESTED_HERE, "add a correctness test for each new op, then list it here");
}

/// Chains of `fft_step` ops (every split of the radices tried here) against an O(n²)
/// DFT of every row (axis 0) or column (axis 1), forward and inverse, both precisions
/// (f64: 1e-12 relative; f32: ≤ 1e-5·√n relative), with poisoned destinations.
#[test]
fn fft_step_chains_match_naive_dft_along_either_axis() {
    use dashi_core::ops::{FFT_STEP, FftStepParams, fft_twiddles};
    let splits: &[(usize, &[u32])] = &[(16, &[16]), (64, &[64]), (256, &[256]), (256, &[16, 16]), (512, &[32, 16])];
    for prec in PRECISIONS {
        for &(n, radices) in splits {
            let fields = if n <= 64 { 2 } else { 1 };
            let mut g = SplitMix64::new(seed(17, n, prec));
            let len = 2 * n * n * fields;
            let x: Vec<f64> = (0..len).map(|_| round_to(prec, g.uniform(-1.0, 1.0))).collect();
            for axis in [0u32, 1] {
                for inverse in [false, true] {
                    let mut ex = CpuExecutor::new(prec);
                    let bufs: Vec<_> = (0..=radices.len()).map(|_| ex.alloc(ElemType::Real, len).unwrap()).collect();
                    let tw = ex.alloc(ElemType::Real, n).unwrap();
                    ex.upload_real(bufs[0], &x).unwrap();
                    for &b in &bufs[1..] {
                        ex.upload_real(b, &vec![12345.0; len]).unwrap();
                    }
                    ex.upload_real(tw, &fft_twiddles(n)).unwrap();
                    let mut span = 1;
                    for (i, &radix) in radices.iter().enumerate() {
                        let p = FftStepParams::new(n as u32, fields as u32, axis, radix, span, inverse);
                        ex.run(&FFT_STEP, &[bufs[i], bufs[i + 1], tw], &p).unwrap();
                        span *= radix;
                    }
                    let got = ex.download_real(*bufs.last().unwrap()).unwrap();
                    let sign = if inverse { 1.0 } else { -1.0 };
                    let scale = if inverse { 1.0 / n as f64 } else { 1.0 };
                    let at = |f: usize, line: usize, m: usize| {
                        if axis == 0 { (f * n + line) * n + m } else { f * n * n + m * n + line }
                    };
                    let (mut err, mut norm) = (0.0f64, 0.0f64);
                    // Every line up to n = 64, every 7th above (the naive DFT is O(n²) per line).
                    let line_step = if n <= 64 { 1 } else { 7 };
                    for f in 0..fields {
                        for line in (0..n).step_by(line_step) {
                            for k in 0..n {
                                let (mut re, mut im) = (0.0, 0.0);
                                for j in 0..n {
                                    let a = sign * 2.0 * std::f64::consts::PI * ((j * k) % n) as f64 / n as f64;
                                    let (xr, xi) = (x[2 * at(f, line, j)], x[2 * at(f, line, j) + 1]);
                                    re += xr * a.cos() - xi * a.sin();
                                    im += xr * a.sin() + xi * a.cos();
                                }
                                let o = at(f, line, k);
                                err += (got[2 * o] - re * scale).powi(2) + (got[2 * o + 1] - im * scale).powi(2);
                                norm += (re * scale).powi(2) + (im * scale).powi(2);
                            }
                        }
                    }
                    let rel = (err / norm).sqrt();
                    let tol = if prec == Precision::F64 { 1e-12 } else { 1e-5 };
                    assert!(rel <= tol, "{prec:?} n={n} radices={radices:?} axis={axis} inverse={inverse}: {rel:.3e}");
                }
            }
        }
    }
}

/// The composition contract: radices whose product is not n, a span that overflows n,
/// n outside 16..=4096 and a bad axis are parameter errors, not wrong answers.
#[test]
fn fft_step_rejects_inconsistent_steps() {
    use dashi_core::ops::{FFT_STEP, Fft2Program, FftStepParams};
    let mut ex = CpuExecutor::new(Precision::F64);
    let n = 64usize;
    let a = ex.alloc(ElemType::Real, 2 * n * n).unwrap();
    let b = ex.alloc(ElemType::Real, 2 * n * n).unwrap();
    let tw = ex.alloc(ElemType::Real, n).unwrap();
    for p in [
        FftStepParams::new(64, 1, 0, 8, 1, false),
        FftStepParams::new(64, 1, 0, 32, 4, false),
        FftStepParams::new(64, 1, 2, 64, 1, false),
        FftStepParams::new(64, 1, 0, 48, 1, false),
        FftStepParams::new(8, 1, 0, 8, 1, false),
    ] {
        assert!(ex.run(&FFT_STEP, &[a, b, tw], &p).is_err(), "{p:?}");
    }
    for radices in [&[16u32, 16][..], &[64, 2], &[]] {
        assert!(Fft2Program::with_column_radices(&mut ex, 64, 1, radices).is_err(), "{radices:?}");
    }
    for n in [0usize, 8, 48, 8192] {
        assert!(Fft2Program::new(&mut ex, n, 1).is_err(), "n = {n}");
    }
}

/// The pair-packing ops against their formulas (exact: pure data movement, or one add
/// and an exact halving per component), both precisions, poisoned destinations; and
/// `RealFft2Program` on the CPU executor against rustfft's 2D FFT of each real field.
#[test]
fn pair_ops_match_their_formulas_and_real_fft2_matches_rustfft() {
    use dashi_core::ops::{COMBINE_PAIR_SPECTRA, PairParams, REAL_PAIRS, RealFft2Program, SPLIT_PAIR_SPECTRA};
    use dashi_core::spectral::{Complex, Fft2Planner};
    for prec in PRECISIONS {
        let (n, pairs) = (8usize, 2usize);
        let n2 = n * n;
        let mut g = SplitMix64::new(seed(23, n, prec));
        let mut ex = CpuExecutor::new(prec);
        let reals: Vec<f64> = (0..2 * pairs * n2).map(|_| round_to(prec, g.uniform(-1.0, 1.0))).collect();
        let spectra: Vec<f64> = (0..4 * pairs * n2).map(|_| round_to(prec, g.uniform(-1.0, 1.0))).collect();
        let (r, packed, back) = (
            ex.alloc(ElemType::Real, reals.len()).unwrap(),
            ex.alloc(ElemType::Real, reals.len()).unwrap(),
            ex.alloc(ElemType::Real, reals.len()).unwrap(),
        );
        ex.upload_real(r, &reals).unwrap();
        ex.upload_real(packed, &vec![12345.0; reals.len()]).unwrap();
        ex.upload_real(back, &vec![12345.0; reals.len()]).unwrap();
        ex.run(&REAL_PAIRS, &[r, packed], &PairParams::new(n as u32, pairs as u32, false)).unwrap();
        ex.run(&REAL_PAIRS, &[packed, back], &PairParams::new(n as u32, pairs as u32, true)).unwrap();
        let z = ex.download_real(packed).unwrap();
        for f in 0..pairs {
            for i in 0..n2 {
                assert_eq!(z[2 * (f * n2 + i)], reals[2 * f * n2 + i], "{prec:?} pack re");
                assert_eq!(z[2 * (f * n2 + i) + 1], reals[(2 * f + 1) * n2 + i], "{prec:?} pack im");
            }
        }
        assert_eq!(ex.download_real(back).unwrap(), reals, "{prec:?}: unpack ∘ pack = identity");

        // split: A = (Z + conj Z(−k))/2, B = (Z − conj Z(−k))/(2i); combine: Z = A + iB.
        let (zb, ab, zb2) = (
            ex.alloc(ElemType::Real, 2 * pairs * n2).unwrap(),
            ex.alloc(ElemType::Real, 4 * pairs * n2).unwrap(),
            ex.alloc(ElemType::Real, 2 * pairs * n2).unwrap(),
        );
        let zs = &spectra[..2 * pairs * n2];
        ex.upload_real(zb, zs).unwrap();
        ex.upload_real(ab, &vec![12345.0; 4 * pairs * n2]).unwrap();
        ex.run(&SPLIT_PAIR_SPECTRA, &[zb, ab], &PairParams::new(n as u32, pairs as u32, false)).unwrap();
        let split = ex.download_real(ab).unwrap();
        for f in 0..pairs {
            for ky in 0..n {
                for kx in 0..n {
                    let at = f * n2 + ky * n + kx;
                    let m = f * n2 + ((n - ky) % n) * n + (n - kx) % n;
                    let (zr, zi, mr, mi) = (zs[2 * at], zs[2 * at + 1], zs[2 * m], zs[2 * m + 1]);
                    let a = 2 * (2 * f * n2 + ky * n + kx);
                    let b = a + 2 * n2;
                    let want = [(zr + mr) / 2.0, (zi - mi) / 2.0, (zi + mi) / 2.0, (mr - zr) / 2.0];
                    let got = [split[a], split[a + 1], split[b], split[b + 1]];
                    let want = want.map(|v| round_to(prec, v));
                    assert_eq!(got, want, "{prec:?} split f={f} k=({kx},{ky})");
                }
            }
        }
        ex.upload_real(ab, &spectra).unwrap();
        ex.upload_real(zb2, &vec![12345.0; 2 * pairs * n2]).unwrap();
        ex.run(&COMBINE_PAIR_SPECTRA, &[ab, zb2], &PairParams::new(n as u32, pairs as u32, false)).unwrap();
        let combined = ex.download_real(zb2).unwrap();
        for f in 0..pairs {
            for i in 0..n2 {
                let (a, b) = (2 * (2 * f * n2 + i), 2 * ((2 * f + 1) * n2 + i));
                let want = [round_to(prec, spectra[a] - spectra[b + 1]), round_to(prec, spectra[a + 1] + spectra[b])];
                assert_eq!([combined[2 * (f * n2 + i)], combined[2 * (f * n2 + i) + 1]], want, "{prec:?} combine");
            }
        }

        // The whole real FFT program against rustfft per field, and back.
        let (n, fields) = (16usize, 4usize);
        let program = RealFft2Program::new(&mut ex, n, fields).unwrap();
        let x: Vec<f64> = (0..program.real_len()).map(|_| round_to(prec, g.uniform(-1.0, 1.0))).collect();
        let (xb, sb, yb) = (
            ex.alloc(ElemType::Real, program.real_len()).unwrap(),
            ex.alloc(ElemType::Real, program.spectrum_len()).unwrap(),
            ex.alloc(ElemType::Real, program.real_len()).unwrap(),
        );
        ex.upload_real(xb, &x).unwrap();
        program.forward(&mut ex, xb, sb).unwrap();
        program.inverse(&mut ex, sb, yb).unwrap();
        let got = ex.download_real(sb).unwrap();
        let plan = Fft2Planner::<f64>::new().plan_n(n).unwrap();
        let want: Vec<f64> = x
            .chunks_exact(n * n)
            .flat_map(|field| {
                let c: Vec<Complex<f64>> = field.iter().map(|&v| Complex::new(v, 0.0)).collect();
                plan.fft2(&c).unwrap().into_iter().flat_map(|z| [z.re, z.im])
            })
            .collect();
        let tol = if prec == Precision::F64 { 1e-12 } else { 1e-6 };
        let rel = |a: &[f64], b: &[f64]| {
            let num: f64 = a.iter().zip(b).map(|(p, q)| (p - q).powi(2)).sum();
            (num / b.iter().map(|q| q * q).sum::<f64>()).sqrt()
        };
        assert!(rel(&got, &want) <= tol, "{prec:?} real fft2: {:.3e}", rel(&got, &want));
        let back = ex.download_real(yb).unwrap();
        assert!(rel(&back, &x) <= tol, "{prec:?} real fft2 round trip: {:.3e}", rel(&back, &x));
        assert!(RealFft2Program::new(&mut ex, n, 3).is_err(), "odd field count");
    }
}

// ---------------------------------------------------------------------------------
// Spectral ops against dashi_core::spectral
// ---------------------------------------------------------------------------------

/// Seeded random full-layout spectra (never zero), rounded to `prec`.
fn random_spectra(g: &mut SplitMix64, len: usize, prec: Precision) -> Vec<f64> {
    (0..len).map(|_| round_to(prec, g.uniform(0.5, 1.5) * if g.below(2) == 0 { -1.0 } else { 1.0 })).collect()
}

fn complex_of<T: Real>(x: &[f64]) -> Vec<dashi_core::spectral::Complex<T>> {
    x.chunks_exact(2).map(|c| dashi_core::spectral::Complex::new(T::from_f64(c[0]), T::from_f64(c[1]))).collect()
}

fn reals_of<T: Real>(c: &[dashi_core::spectral::Complex<T>]) -> Vec<f64> {
    c.iter().flat_map(|v| [v.re.to_f64(), v.im.to_f64()]).collect()
}

/// The spectral module's operator of `kind` on each `n×n` field of `x`, in `T`.
fn spectral_module_mul<T: Real>(x: &[f64], n: usize, kind: u32, alpha: f32, p: f32) -> Vec<f64> {
    use dashi_core::spectral::{self as sp, Layout::Full, SpectralGrid};
    let grid = SpectralGrid::new(n).unwrap();
    let mut out = Vec::new();
    for field in x.chunks_exact(2 * n * n) {
        let mut c = complex_of::<T>(field);
        match kind {
            0 => sp::mul_i_kx(grid, Full, &mut c).unwrap(),
            1 => sp::mul_i_ky(grid, Full, &mut c).unwrap(),
            2 => sp::mul_neg_k2(grid, Full, &mut c).unwrap(),
            3 => sp::stream_function(grid, Full, &mut c).unwrap(),
            4 => sp::dealias(grid, Full, &mut c).unwrap(),
            _ => sp::ExponentialFilter::new(grid, Full, f64::from(alpha), f64::from(p)).unwrap().apply(&mut c).unwrap(),
        }
        out.extend(reals_of(&c));
    }
    out
}

/// Runs `op` on the f64 CPU executor with `inputs` uploaded in order and one more
/// buffer (poisoned, 3 reals longer) for the output; returns the output's first `len`.
fn run_vorticity_op(op: &'static OpSpec, inputs: &[&[f64]], len: usize, params: &[u8]) -> Vec<f64> {
    let mut ex = CpuExecutor::new(Precision::F64);
    let mut ids = Vec::new();
    for x in inputs {
        let id = ex.alloc(ElemType::Real, x.len()).unwrap();
        ex.upload_real(id, x).unwrap();
        ids.push(id);
    }
    let out = ex.alloc(ElemType::Real, len + 3).unwrap();
    ex.upload_real(out, &vec![POISON_REAL; len + 3]).unwrap();
    ids.push(out);
    ex.enqueue(op, &ids, params).unwrap();
    let got = ex.download_real(out).unwrap();
    assert!(got[len..].iter().all(|&v| v == POISON_REAL), "{}: wrote past its output", op.name);
    got[..len].to_vec()
}

/// The three `vorticity` ops against the spectral module's operators and direct
/// formulas (f64): packed fields = `a + i·b` of the separately computed spectra,
/// the nonlinear term per point, the right-hand side with the module's dealias mask.
#[test]
fn vorticity_ops_match_the_spectral_module() {
    use dashi_core::ops::{
        NonlinearParams, VORTICITY_FIELDS, VORTICITY_NONLINEAR, VORTICITY_RHS, VorticityFieldParams, VorticityRhsParams,
    };
    use dashi_core::spectral::{self as sp, Complex, Layout::Full, SpectralGrid};
    let close = |a: &[f64], b: &[f64], what: &str| {
        let scale = b.iter().fold(1e-300f64, |m, v| m.max(v.abs()));
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!((x - y).abs() <= 1e-13 * scale, "{what}: element {i}: {x} vs {y}");
        }
    };
    for n in [2usize, 4, 16, 64] {
        let grid = SpectralGrid::new(n).unwrap();
        let len = 2 * n * n;
        let mut g = SplitMix64::new(seed(90, n, Precision::F64));
        let omega = random_spectra(&mut g, len, Precision::F64);
        let w = complex_of::<f64>(&omega);
        // a + i·b of two spectra.
        let pack = |a: &[Complex<f64>], b: &[Complex<f64>]| -> Vec<f64> {
            reals_of(&a.iter().zip(b).map(|(x, y)| x + Complex::new(-y.im, y.re)).collect::<Vec<_>>())
        };
        let field = |kind: u32| {
            let p = VorticityFieldParams::new(n as u32, kind);
            run_vorticity_op(&VORTICITY_FIELDS, &[&omega], len, bytemuck::bytes_of(&p))
        };
        let (u, v) = sp::velocity_from_vorticity(grid, Full, &w).unwrap();
        close(&field(VorticityFieldParams::VELOCITY), &pack(&u, &v), &format!("velocity n={n}"));
        let (mut wx, mut wy) = (w.clone(), w.clone());
        sp::mul_i_kx(grid, Full, &mut wx).unwrap();
        sp::mul_i_ky(grid, Full, &mut wy).unwrap();
        close(&field(VorticityFieldParams::GRADIENT), &pack(&wx, &wy), &format!("gradient n={n}"));
        // S11 = ∂x u, S12 = (∂y u + ∂x v)/2.
        let (mut s11, mut uy, mut vx) = (u.clone(), u.clone(), v.clone());
        sp::mul_i_kx(grid, Full, &mut s11).unwrap();
        sp::mul_i_ky(grid, Full, &mut uy).unwrap();
        sp::mul_i_kx(grid, Full, &mut vx).unwrap();
        let s12: Vec<Complex<f64>> = uy.iter().zip(&vx).map(|(a, b)| (a + b) * 0.5).collect();
        close(&field(VorticityFieldParams::STRAIN), &pack(&s11, &s12), &format!("strain n={n}"));
        let mut lap = w.clone();
        sp::mul_neg_k2(grid, Full, &mut lap).unwrap();
        close(&field(VorticityFieldParams::LAPLACIAN), &reals_of(&lap), &format!("laplacian n={n}"));

        // Nonlinear term, point by point, with and without the closure.
        let [vel, grad, strain, laplacian] = [0, 1, 2, 3].map(|_| random_spectra(&mut g, len, Precision::F64));
        for coeff in [None, Some(0.0123)] {
            let p = coeff.map_or(NonlinearParams::advection(n as u32), |c| NonlinearParams::smagorinsky(n as u32, c));
            let got = run_vorticity_op(
                &VORTICITY_NONLINEAR,
                &[&vel, &grad, &strain, &laplacian],
                len,
                bytemuck::bytes_of(&p),
            );
            for j in 0..n * n {
                let (r, i) = (2 * j, 2 * j + 1);
                let mut want = -(vel[r] * grad[r] + vel[i] * grad[i]);
                if let Some(c) = coeff {
                    // |S| = sqrt(2(S11² + S22² + 2·S12²)) with S22 = −S11.
                    let s = (2.0 * (strain[r].powi(2) + strain[r].powi(2) + 2.0 * strain[i].powi(2))).sqrt();
                    want += c * s * laplacian[r];
                }
                assert!((got[r] - want).abs() <= 1e-12 * want.abs().max(1.0), "nonlinear n={n} {coeff:?} at {j}");
                assert_eq!(got[i], 0.0);
            }
        }

        // Right-hand side: D·N̂ − (ν|k|² + μ)·ω̂ + F̂.
        let (nonlinear, forcing) =
            (random_spectra(&mut g, len, Precision::F64), random_spectra(&mut g, len, Precision::F64));
        let (nu, drag) = (1.234e-3, 0.1);
        let p = VorticityRhsParams::new(n as u32, nu, drag);
        let got = run_vorticity_op(&VORTICITY_RHS, &[&omega, &nonlinear, &forcing], len, bytemuck::bytes_of(&p));
        let mut masked = complex_of::<f64>(&nonlinear);
        sp::dealias(grid, Full, &mut masked).unwrap();
        let masked = reals_of(&masked);
        for ky in 0..n {
            for kx in 0..n {
                let k2 = grid.k2_at(Full, ky, kx) as f64;
                for c in 0..2 {
                    let at = 2 * (ky * n + kx) + c;
                    let want = masked[at] - (nu * k2 + drag) * omega[at] + forcing[at];
                    assert!((got[at] - want).abs() <= 1e-13 * want.abs().max(1.0), "rhs n={n} at ({ky}, {kx})");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// The codec family
// ---------------------------------------------------------------------------------

/// proxy_pack in both precisions: every spectrum slot (in reverse order), the four
/// header codes, unused header codes and codes past the spectrum, against the formula.
#[test]
fn proxy_pack_copies_slots_and_writes_the_header() {
    use dashi_core::ops::{PROXY_PACK, ProxyPackParams};
    let base = ProxyPackParams::HEADER_BASE;
    for prec in PRECISIONS {
        for n in [2usize, 8, 32] {
            let len = 2 * n * n;
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(40, n, prec));
            let (bs, spectrum) = real_buf(&mut ex, &random_reals(&mut g, len));
            let (bb, bands) = real_buf(&mut ex, &random_reals(&mut g, 3));
            let mut slots: Vec<u32> = (0..len as u32).rev().collect();
            slots.extend([base, base + 1, base + 2, base + 3, base + 4, u32::MAX, len as u32, base - 1, 1]);
            let d = slots.len();
            let anchors = 77 + n as u32;
            let bslots = u32_buf(&mut ex, &slots);
            let z = poisoned_real(&mut ex, d + 3);
            ex.run(&PROXY_PACK, &[bs, bslots, bb, z], &ProxyPackParams::new(n as u32, d as u32, anchors)).unwrap();
            let got = ex.download_real(z).unwrap();
            let what = format!("proxy_pack {prec} n={n}");
            assert_tail_real(&got, d, &what);
            let mut want: Vec<f64> = spectrum.iter().rev().copied().collect();
            want.extend([0.0, bands[1], bands[2], f64::from(anchors), 0.0, 0.0, 0.0, 0.0, spectrum[1]]);
            assert_bits(&got[..d], &want, &what);
        }
    }
}

/// Signed wavenumber of index `i` on an `n`-point axis.
fn codec_k(i: usize, n: usize) -> i64 {
    if i < n / 2 { i as i64 } else { i as i64 - n as i64 }
}

/// The conjugate partner `−k` of full-layout mode `m`.
fn codec_partner(m: usize, n: usize) -> usize {
    let (ix, iy) = (m % n, m / n);
    ((n - iy) % n) * n + (n - ix) % n
}

/// A codec mode table (k = 0 and Nyquist lines class 0, low band |k| ≤ `low_k` one slot
/// per conjugate pair, `anchors` anchors then synthesised modes in the mid band
/// `low_k < |k| ≤ mid_k`, high band the rest; representatives ky > 0 or (ky = 0, kx > 0),
/// partners with the conj bit) and pair-symmetric weights (garbage where unused).
fn codec_mode_table(g: &mut SplitMix64, n: usize, low_k: i64, mid_k: i64, anchors: usize) -> (u32, Vec<u32>, Vec<f64>) {
    use dashi_core::ops::ProxySpectrumParams as P;
    let mut modes = vec![P::code(P::CLASS_ZERO, false, 0); n * n];
    let mut weights: Vec<f64> = (0..n * n).map(|_| 1e3 * g.uniform(1.0, 2.0)).collect();
    let (mut low, mut mid) = (0u32, 0usize);
    for m in 0..n * n {
        let (kx, ky) = (codec_k(m % n, n), codec_k(m / n, n));
        if m % n == n / 2 || m / n == n / 2 || !(ky > 0 || (ky == 0 && kx > 0)) {
            continue;
        }
        let (k2, p) = (kx * kx + ky * ky, codec_partner(m, n));
        let (class, index) = if k2 <= low_k * low_k {
            low += 1;
            (P::CLASS_LOW, low - 1)
        } else if k2 <= mid_k * mid_k && mid < anchors {
            mid += 1;
            (P::CLASS_ANCHOR, (mid - 1) as u32)
        } else if k2 <= mid_k * mid_k {
            (P::CLASS_MID, m as u32)
        } else {
            (P::CLASS_HIGH, m as u32)
        };
        modes[m] = P::code(class, false, index);
        modes[p] = P::code(class, true, index);
        let w = g.uniform(0.5, 1.5);
        weights[m] = w;
        weights[p] = w;
    }
    assert_eq!(mid, anchors, "mid band too small for {anchors} anchors");
    (low, modes, weights)
}

/// proxy_spectrum against an independent construction: `Z = LP + i·RES` with LP the
/// low band (conjugated on partners), RES the anchors and `s_band·w·e^{2πi·u}` (u from
/// `mode_uniform24` of the pair's representative) — both Hermitian, so one inverse FFT
/// of Z gives two real fields `ω_lp + i·ω_res`. f64: ≤ 1e-13 of the largest |Z|; f32:
/// within 4u of each |want| (values are copies or s·w·(cos, sin) rounded a few times).
/// residual = 0: only the low band survives.
#[test]
fn proxy_spectrum_packs_two_hermitian_spectra() {
    use dashi_core::ops::{PROXY_SPECTRUM, ProxySpectrumParams as P};
    use dashi_core::random::mode_uniform24;
    use dashi_core::spectral::{Complex, Fft2Planner};
    for prec in PRECISIONS {
        for (n, low_k, mid_k, anchors) in [(8usize, 1i64, 3i64, 2usize), (16, 3, 6, 3), (32, 4, 10, 7)] {
            let mut g = SplitMix64::new(seed(41, n, prec));
            let (low, modes, weights) = codec_mode_table(&mut g, n, low_k, mid_k, anchors);
            let (l, k) = (low as usize, anchors);
            let nn = (n * n) as f64;
            let mut z: Vec<f64> = (0..2 * l + 4 + 2 * k).map(|_| round_to(prec, g.normal() * nn)).collect();
            let anchor_energy: f64 =
                (0..k).map(|a| z[2 * l + 4 + a].powi(2) + z[2 * l + 4 + k + a].powi(2)).sum::<f64>() / nn / nn;
            z[2 * l] = 0.0;
            z[2 * l + 1] = round_to(prec, 2.0 * anchor_energy);
            z[2 * l + 2] = round_to(prec, 0.7);
            z[2 * l + 3] = k as f64;
            let seed32 = g.next_u64() as u32;
            for residual in [true, false] {
                let mut ex = CpuExecutor::new(prec);
                let (bz, _) = real_buf(&mut ex, &z);
                let bm = u32_buf(&mut ex, &modes);
                let (bw, weights) = real_buf(&mut ex, &weights);
                let out = poisoned_real(&mut ex, 2 * n * n + 3);
                let params = P::new(n as u32, low, anchors as u32, residual, seed32);
                ex.run(&PROXY_SPECTRUM, &[bz, bm, bw, out], &params).unwrap();
                let got = ex.download_real(out).unwrap();
                let what = format!("proxy_spectrum {prec} n={n} residual={residual}");
                assert_tail_real(&got, 2 * n * n, &what);
                // Independent construction.
                let s_mid = (z[2 * l + 1] - anchor_energy).max(0.0).sqrt();
                let s_high = z[2 * l + 2].sqrt();
                let zero = Complex::new(0.0, 0.0);
                let (mut lp, mut res) = (vec![zero; n * n], vec![zero; n * n]);
                for m in 0..n * n {
                    let (class, conj) = (modes[m] >> 28, modes[m] & P::CONJ_BIT != 0);
                    let j = (modes[m] & P::INDEX_MASK) as usize;
                    let v = match class {
                        P::CLASS_LOW => Complex::new(z[j], z[l + j]),
                        P::CLASS_ANCHOR => Complex::new(z[2 * l + 4 + j], z[2 * l + 4 + k + j]),
                        P::CLASS_MID | P::CLASS_HIGH => {
                            assert!(j == m || j == codec_partner(m, n), "{what}: index of mode {m}");
                            let s = if class == P::CLASS_MID { s_mid } else { s_high };
                            let phi =
                                std::f64::consts::TAU * f64::from(mode_uniform24(seed32, j as u32)) / 16_777_216.0;
                            Complex::from_polar(s * weights[m], phi)
                        }
                        _ => zero,
                    };
                    let v = if conj { v.conj() } else { v };
                    match class {
                        P::CLASS_LOW => lp[m] = v,
                        P::CLASS_ANCHOR | P::CLASS_MID | P::CLASS_HIGH if residual => res[m] = v,
                        _ => {}
                    }
                }
                let scale = got[..2 * n * n].iter().fold(0.0f64, |a, v| a.max(v.abs()));
                for m in 0..n * n {
                    let want = lp[m] + Complex::new(0.0, 1.0) * res[m];
                    let err = (got[2 * m] - want.re).hypot(got[2 * m + 1] - want.im);
                    let bound = match prec {
                        Precision::F64 => 1e-13 * scale,
                        Precision::F32 => 4.0 * U32_EPS * want.norm(),
                    };
                    assert!(err <= bound, "{what}: mode {m}: ({}, {}) vs {want}", got[2 * m], got[2 * m + 1]);
                    // Both spectra Hermitian.
                    let p = codec_partner(m, n);
                    assert!((lp[p] - lp[m].conj()).norm() == 0.0 && (res[p] - res[m].conj()).norm() == 0.0);
                }
                if !residual {
                    assert!(res.iter().all(|v| v.norm() == 0.0));
                }
                // One inverse FFT of the output: real part ω_lp, imaginary part ω_res.
                let fft = Fft2Planner::<f64>::new().plan_n(n).unwrap();
                let omega = fft.ifft2(&complex_of::<f64>(&got[..2 * n * n])).unwrap();
                let (omega_lp, omega_res) = (fft.ifft2(&lp).unwrap(), fft.ifft2(&res).unwrap());
                let big = omega.iter().fold(1e-300f64, |a, v| a.max(v.norm()));
                let tol = if prec == Precision::F64 { 1e-13 } else { 1e-6 } * big;
                for i in 0..n * n {
                    assert!(
                        omega_lp[i].im.abs() <= 1e-13 * big && omega_res[i].im.abs() <= 1e-13 * big,
                        "{what}: not real"
                    );
                    assert!(
                        (omega[i].re - omega_lp[i].re).abs() <= tol && (omega[i].im - omega_res[i].re).abs() <= tol,
                        "{what}: point {i}: {} vs ω_lp {} + i·ω_res {}",
                        omega[i],
                        omega_lp[i].re,
                        omega_res[i].re
                    );
                }
                assert!(omega_lp.iter().any(|v| v.re.abs() > 1e-3 * big), "{what}: ω_lp vanishes");
                assert_eq!(omega_res.iter().any(|v| v.re.abs() > 1e-3 * big), residual, "{what}: ω_res");
            }
        }
    }
}

/// box_smooth against a naive 2D loop over the (2r+1)² window, non-square grids and
/// rings included. f64: the separable sums differ from the direct sum by rounding only
/// (≤ 1e-13 of the window's mean |x|); f32: the reference is the f64 mean rounded once.
#[test]
fn box_smooth_matches_a_naive_window_mean() {
    use dashi_core::ops::{BOX_SMOOTH, BoxSmoothParams};
    for prec in PRECISIONS {
        for (h, w) in [(1usize, 1usize), (3, 5), (5, 3), (1, 9), (9, 1), (7, 9), (16, 16), (9, 29)] {
            for r in 0..=(h.min(w) - 1) / 2 {
                let mut ex = CpuExecutor::new(prec);
                let mut g = SplitMix64::new(seed(42, h * 100 + w + r * 10_000, prec));
                let (bx, x) = real_buf(&mut ex, &random_reals(&mut g, h * w));
                let out = poisoned_real(&mut ex, h * w + slack(h * w));
                ex.run(&BOX_SMOOTH, &[bx, out], &BoxSmoothParams::new(w as u32, h as u32, r as u32)).unwrap();
                let got = ex.download_real(out).unwrap();
                let what = format!("box_smooth {prec} {h}×{w} r={r}");
                assert_tail_real(&got, h * w, &what);
                let ri = r as isize;
                for y in 0..h {
                    for xx in 0..w {
                        let (mut sum, mut abs) = (0.0, 0.0);
                        for dy in -ri..=ri {
                            for dx in -ri..=ri {
                                let yy = (y as isize + dy).rem_euclid(h as isize) as usize;
                                let xc = (xx as isize + dx).rem_euclid(w as isize) as usize;
                                sum += x[yy * w + xc];
                                abs += x[yy * w + xc].abs();
                            }
                        }
                        let cells = ((2 * r + 1) * (2 * r + 1)) as f64;
                        let (mean, mean_abs) = (sum / cells, abs / cells);
                        let v = got[y * w + xx];
                        let bound = 1e-13 * mean_abs + if prec == Precision::F32 { U32_EPS * mean.abs() } else { 0.0 };
                        assert!((v - mean).abs() <= bound, "{what}: ({y}, {xx}): {v} vs {mean}");
                    }
                }
            }
        }
    }
}

/// threshold_gate against `kernel::Threshold` at τ = tau_rel·scale (computed as the
/// executor's precision computes it), gated by an arbitrary carrier (sign bits where
/// the gate has no support are ignored, as a trit), and all-zero for scale ≤ 0.
#[test]
fn threshold_gate_matches_the_threshold_kernel() {
    use dashi_core::ops::{THRESHOLD_GATE, ThresholdGateParams};
    for prec in PRECISIONS {
        for n in SIZES {
            for gated in [false, true] {
                let mut ex = CpuExecutor::new(prec);
                let mut g = SplitMix64::new(seed(43, n, prec) ^ u64::from(gated));
                let tau_rel = g.uniform(0.05, 1.0) as f32;
                let (bx, xs) = real_buf(&mut ex, &random_reals(&mut g, n));
                let max = xs.iter().fold(0.0f64, |a, v| a.max(v.abs()));
                let words = words_for(n);
                let gate_s: Vec<u32> = (0..words).map(|_| g.next_u64() as u32).collect();
                let gate_g: Vec<u32> = (0..words).map(|_| g.next_u64() as u32).collect();
                let (bgs, bgg) = (u32_buf(&mut ex, &gate_s), u32_buf(&mut ex, &gate_g));
                for scale in [max, 0.5 * max, 0.0, -max] {
                    let (bscale, scale) = real_buf(&mut ex, &[scale]);
                    let scale = scale[0];
                    let (sup, sgn) = (poisoned_u32(&mut ex, words + slack(n)), poisoned_u32(&mut ex, words + slack(n)));
                    let params = ThresholdGateParams::new(n as u32, tau_rel, gated);
                    ex.run(&THRESHOLD_GATE, &[bx, bscale, bgs, bgg, sup, sgn], &params).unwrap();
                    let (gs, gg) = (ex.download_u32(sup).unwrap(), ex.download_u32(sgn).unwrap());
                    let what = format!("threshold_gate {prec} n={n} gated={gated} scale={scale:e}");
                    assert_tail_u32(&gs, words, &what);
                    assert_tail_u32(&gg, words, &what);
                    if scale <= 0.0 {
                        assert!(gs[..words].iter().chain(&gg[..words]).all(|&w| w == 0), "{what}: not all zero");
                        continue;
                    }
                    let tau = match prec {
                        Precision::F64 => f64::from(tau_rel) * scale,
                        Precision::F32 => f64::from(tau_rel * scale as f32),
                    };
                    let field = Field::new(Shape::d1(n).unwrap(), xs.clone()).unwrap();
                    let cut = Threshold::new(tau).unwrap().project(&field);
                    let want: Vec<i32> = (0..n)
                        .map(|i| {
                            let t = cut.get(i) as i32;
                            if gated && trit_at(&gate_s, &gate_g, i) != t { 0 } else { t }
                        })
                        .collect();
                    let (ws, wg) = planes_of(&want);
                    assert_eq!((&gs[..words], &gg[..words]), (&ws[..], &wg[..]), "{what}");
                    // The largest cell always passes an ungated threshold at scale = max|x|.
                    assert!(gated || scale < max || want.iter().any(|&t| t != 0), "{what}: nothing kept");
                }
            }
        }
    }
}

/// fining_select copies while open (state[0] = 0) and leaves the output alone otherwise.
#[test]
fn fining_select_copies_only_while_open() {
    use dashi_core::ops::FINING_SELECT;
    for prec in PRECISIONS {
        for n in SIZES {
            for closed in [0, 1, -2] {
                let mut ex = CpuExecutor::new(prec);
                let mut g = SplitMix64::new(seed(44, n, prec));
                let (s_in, g_in) = planes_of(&random_trits(&mut g, n));
                let words = words_for(n);
                let (bs, bg) = (u32_buf(&mut ex, &s_in), u32_buf(&mut ex, &g_in));
                let state = ex.alloc(ElemType::I32, 4).unwrap();
                ex.upload_i32(state, &[closed, 2, 100, 3]).unwrap();
                let (os, og) = (poisoned_u32(&mut ex, words + slack(n)), poisoned_u32(&mut ex, words + slack(n)));
                ex.run(&FINING_SELECT, &[bs, bg, state, os, og], &LenParams::new(n as u32)).unwrap();
                let (gs, gg) = (ex.download_u32(os).unwrap(), ex.download_u32(og).unwrap());
                let what = format!("fining_select {prec} n={n} state[0]={closed}");
                assert_tail_u32(&gs, words, &what);
                assert_tail_u32(&gg, words, &what);
                if closed == 0 {
                    assert_eq!((&gs[..words], &gg[..words]), (&s_in[..], &g_in[..]), "{what}");
                } else {
                    assert!(gs.iter().chain(&gg).all(|&w| w == POISON_U32), "{what}: written while closed");
                }
                assert_eq!(ex.download_i32(state).unwrap(), [closed, 2, 100, 3], "{what}: state changed");
            }
        }
    }
}

/// `|a − prev| < ε·max(prev, 1)` in exact integers (ε = M·2^E from its f32 bits).
fn closes_exactly(a: i32, prev: i32, eps: f32) -> bool {
    let change = (i64::from(a) - i64::from(prev)).unsigned_abs() as i128;
    let p = i128::from(prev.max(1));
    let bits = eps.to_bits() & 0x7FFF_FFFF;
    let (biased, frac) = (bits >> 23, i128::from(bits & 0x7F_FFFF));
    let (m, e) = if biased == 0 { (frac, -149i32) } else { (frac | 0x80_0000, biased as i32 - 150) };
    if e >= 0 {
        change < (m * p) << e.min(60)
    } else if -e >= 64 {
        change == 0 && m * p > 0
    } else {
        change << -e < m * p
    }
}

/// fining_closure over sequences of levels, against the rule replayed here: level 0
/// resets the state to `[0, 0, a, 0]`; an open state closes at the first level with
/// `|a − prev| < ε·max(prev, 1)` (exact), recording `[1, ℓ, a, ℓ]`; a closed state
/// never changes. Includes the boundary where an f32 product would round: ε = 0.05f32
/// (slightly above 0.05), prev = 200, |Δ| = 10 closes.
#[test]
fn fining_closure_follows_the_closure_rule() {
    use dashi_core::ops::{FINING_CLOSURE, FiningClosureParams};
    for prec in PRECISIONS {
        let mut g = SplitMix64::new(seed(45, 0, prec));
        let mut sequences: Vec<Vec<(u32, i32, f32)>> = vec![
            vec![(0, 1000, 0.05), (1, 800, 0.05), (2, 790, 0.05), (3, 100, 0.05), (4, 5, 0.05)],
            vec![(0, 1000, 0.01), (1, 500, 0.01), (2, 250, 0.01)],
            vec![(0, 200, 0.05), (1, 210, 0.05)],
            vec![(0, 1000, 0.01), (1, 990, 0.01)],
            vec![(0, 5, 0.0), (1, 5, 0.0)],
            vec![(0, 0, 0.5), (1, 0, 0.5)],
            vec![(0, 100, 0.5), (1, 100, 0.5), (0, 7, 0.5), (1, 50, 0.5), (2, 40, 0.5)],
        ];
        for _ in 0..200 {
            let prev = g.below(100_000) as i32;
            let eps = g.uniform(0.0, 0.2) as f32;
            let target = f64::from(eps) * f64::from(prev.max(1));
            let delta = if g.below(2) == 0 { target.floor() } else { target.ceil() } as i32;
            let a = if g.below(2) == 0 { prev + delta } else { (prev - delta).max(0) };
            sequences.push(vec![(0, prev, eps), (1 + g.below(16) as u32, a, eps), (2, g.below(1000) as i32, eps)]);
        }
        let mut ex = CpuExecutor::new(prec);
        let counts = ex.alloc(ElemType::I32, 4).unwrap();
        let mut closed_at = BTreeMap::new();
        for (s, steps) in sequences.iter().enumerate() {
            let state = poisoned_i32(&mut ex, 4 + 3);
            let mut want = [0i32; 4];
            for &(level, a, eps) in steps {
                ex.upload_i32(counts, &[a, -1, -1, -1]).unwrap();
                ex.run(&FINING_CLOSURE, &[counts, state], &FiningClosureParams::new(level, eps)).unwrap();
                if level == 0 {
                    want = [0, 0, a, 0];
                } else if want[0] == 0 {
                    if closes_exactly(a, want[2], eps) {
                        want[0] = 1;
                        want[1] = level as i32;
                    }
                    want[2] = a;
                    want[3] = level as i32;
                }
                let got = ex.download_i32(state).unwrap();
                assert_eq!(got[..4], want, "{prec} sequence {s} {steps:?} after level {level}");
                assert!(got[4..].iter().all(|&v| v == POISON_I32), "{prec}: wrote past the state");
            }
            *closed_at.entry(want[1]).or_insert(0) += 1;
            if s == 0 {
                assert_eq!(want, [1, 2, 790, 2]);
            }
            if s == 2 {
                assert_eq!(want, [1, 1, 210, 1], "ε = 0.05f32 > 0.05: 10 < ε·200");
            }
            if s == 3 {
                assert_eq!(want, [0, 0, 990, 1], "ε = 0.01f32 < 0.01: 10 ≥ ε·1000");
            }
        }
        assert!(closed_at.len() > 3, "closure levels seen: {closed_at:?}");
    }
}

/// biot_savart against the naive sum of `dashi_core::vortex::blob_velocity_columns` in
/// source order (f64: bit-exact; f32: the f64 sum of the f32-stored inputs rounded once),
/// with poisoned tails; the velocity of a lone blob is the kernel itself, a blob on
/// itself moves not at all, and cores ≤ 0 or too many columns are typed errors.
#[test]
fn biot_savart_is_the_direct_sum_of_the_vortex_kernel() {
    use dashi_core::ops::{BIOT_SAVART, BiotSavartParams};
    use dashi_core::vortex::{MAX_COLUMNS, blob_velocity_columns};
    use std::f64::consts::TAU;
    for prec in PRECISIONS {
        for (sources, targets) in [(1usize, 1usize), (1, 7), (7, 1), (33, 64), (257, 33)] {
            for columns in [0usize, 3, MAX_COLUMNS] {
                let mut ex = CpuExecutor::new(prec);
                let mut g = SplitMix64::new(seed(47, sources * 1000 + targets + columns * 1_000_000, prec));
                let pos: Vec<f64> = (0..2 * sources).map(|_| g.uniform(0.0, TAU)).collect();
                let blobs: Vec<f64> = (0..sources).flat_map(|_| [g.normal() * 0.1, g.uniform(1e-3, 0.3)]).collect();
                let at: Vec<f64> = (0..2 * targets).map(|_| g.uniform(-1.0, TAU + 1.0)).collect();
                let (bp, pos) = real_buf(&mut ex, &pos);
                let (bb, blobs) = real_buf(&mut ex, &blobs);
                let (bt, at) = real_buf(&mut ex, &at);
                let len = 2 * targets;
                let out = poisoned_real(&mut ex, len + slack(targets));
                let params = BiotSavartParams::new(sources as u32, targets as u32, columns as u32);
                ex.run(&BIOT_SAVART, &[bp, bb, bt, out], &params).unwrap();
                let got = ex.download_real(out).unwrap();
                let what = format!("biot_savart {prec} S={sources} T={targets} M={columns}");
                assert_tail_real(&got, len, &what);
                for (t, v) in at.chunks_exact(2).zip(got.chunks_exact(2)) {
                    let (mut u, mut w) = (0.0, 0.0);
                    for (p, b) in pos.chunks_exact(2).zip(blobs.chunks_exact(2)) {
                        let k = blob_velocity_columns(t[0] - p[0], t[1] - p[1], b[1], columns);
                        u += b[0] * k[0];
                        w += b[0] * k[1];
                    }
                    let want = [u, w].map(|x| if prec == Precision::F32 { f64::from(x as f32) } else { x });
                    assert_eq!([v[0].to_bits(), v[1].to_bits()], want.map(f64::to_bits), "{what}: {v:?} vs {want:?}");
                }
            }
        }
    }
    // A blob on itself: zero velocity (odd kernel, regular core).
    let mut ex = CpuExecutor::new(Precision::F64);
    let (bp, _) = real_buf(&mut ex, &[1.0, 2.0]);
    let (bb, _) = real_buf(&mut ex, &[0.7, 0.05]);
    let (bt, _) = real_buf(&mut ex, &[1.0, 2.0]);
    let out = poisoned_real(&mut ex, 2);
    ex.run(&BIOT_SAVART, &[bp, bb, bt, out], &BiotSavartParams::new(1, 1, 3)).unwrap();
    assert_eq!(ex.download_real(out).unwrap(), [0.0, 0.0]);
    // Far from a small core the blob is the periodic point vortex: at r = 0.5 ≫ ε = 0.01
    // the azimuthal speed is Γ/(2πr) up to the periodic correction Γr/(2L²) ≈ 6e-3·Γ.
    let (bt, _) = real_buf(&mut ex, &[1.5, 2.0]);
    let (bb, _) = real_buf(&mut ex, &[1.0, 0.01]);
    ex.run(&BIOT_SAVART, &[bp, bb, bt, out], &BiotSavartParams::new(1, 1, 3)).unwrap();
    let v = ex.download_real(out).unwrap();
    assert!(v[0].abs() < 1e-12 && (v[1] - 1.0 / (TAU * 0.5)).abs() < 0.01, "{v:?}");
    // Domain: columns ≤ MAX_COLUMNS, cores finite and > 0 — typed errors, output untouched.
    let too_many = BiotSavartParams::new(1, 1, MAX_COLUMNS as u32 + 1);
    let err = ex.run(&BIOT_SAVART, &[bp, bb, bt, out], &too_many).unwrap_err();
    assert!(matches!(err, ExecError::InvalidParams { .. }), "{err:?}");
    for eps in [0.0, -0.1] {
        let (bad, _) = real_buf(&mut ex, &[1.0, eps]);
        let before = ex.download_real(out).unwrap();
        let err = ex.run(&BIOT_SAVART, &[bp, bad, bt, out], &BiotSavartParams::new(1, 1, 3)).unwrap_err();
        assert!(matches!(err, ExecError::OpFailed { .. }), "{err:?}");
        assert_eq!(ex.download_real(out).unwrap(), before, "output written despite the error");
    }
}

/// mask_combine against its formula; bits past n in the support words are ignored.
#[test]
fn mask_combine_adds_the_residual_on_the_support() {
    use dashi_core::ops::MASK_COMBINE;
    for prec in PRECISIONS {
        for n in SIZES {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(46, n, prec));
            let (bp, pair) = real_buf(&mut ex, &random_reals(&mut g, 2 * n));
            let (mut support, _) = planes_of(&random_trits(&mut g, n));
            if n % 32 != 0 {
                support[n / 32] |= !0u32 << (n % 32);
            }
            let bs = u32_buf(&mut ex, &support);
            let out = poisoned_real(&mut ex, n + slack(n));
            ex.run(&MASK_COMBINE, &[bp, bs, out], &LenParams::new(n as u32)).unwrap();
            let got = ex.download_real(out).unwrap();
            let what = format!("mask_combine {prec} n={n}");
            assert_tail_real(&got, n, &what);
            let want: Vec<f64> =
                (0..n)
                    .map(|i| {
                        if support[i / 32] >> (i % 32) & 1 == 1 {
                            round_to(prec, pair[i] + pair[n + i])
                        } else {
                            pair[i]
                        }
                    })
                    .collect();
            assert_bits(&got[..n], &want, &what);
        }
    }
}

/// The device-side fining pipeline — box_smooth, reduce_max_abs, threshold_gate,
/// majority, annihilate, coherence_stats, fining_select, fining_closure — run on the
/// f64 executor for every level reproduces `kernel::Fining` (mask and closure level).
/// τ_rel and ε are exact in f32, so the kernel and the ops use the same values.
#[test]
fn fining_ops_reproduce_the_fining_kernel() {
    use dashi_core::kernel::Fining;
    use dashi_core::ops::{
        BOX_SMOOTH, BoxSmoothParams, FINING_CLOSURE, FINING_SELECT, FiningClosureParams, THRESHOLD_GATE,
        ThresholdGateParams,
    };
    let mut closures = BTreeMap::new();
    for (case, (h, w)) in [(16usize, 16usize), (9, 29), (32, 20), (24, 24), (12, 40), (16, 16)].into_iter().enumerate()
    {
        for eps in [0.0f32, 0.03125, 0.125, 0.5] {
            let mut g = SplitMix64::new(seed(47, case, Precision::F64) ^ u64::from(eps.to_bits()));
            let cells = h * w;
            let nbhd = Neighbourhood::new(if case % 2 == 0 { Stencil::Moore } else { Stencil::VonNeumann }, 1);
            let eta = if case % 2 == 0 { 2 } else { 1 };
            let fining = Fining {
                levels: 6,
                smooth_radius: 1 + case % 2,
                tau_rel: 0.25,
                epsilon: f64::from(eps),
                majority: Majority::new(nbhd, eta).unwrap(),
                annihilate: Annihilate::new(nbhd),
            };
            let values = random_reals(&mut g, cells);
            let field = Field::new(Shape::d2(h, w).unwrap(), values.clone()).unwrap();
            let seed_mask = carrier_of(&random_trits(&mut g, cells), h, w);
            let outcome = fining.run(&field, &seed_mask).unwrap();

            let mut ex = CpuExecutor::new(Precision::F64);
            let words = words_for(cells);
            let (bf, _) = real_buf(&mut ex, &values);
            let (mut cur, _) = real_buf(&mut ex, &values);
            let mut next = poisoned_real(&mut ex, cells);
            let scale = poisoned_real(&mut ex, 1);
            let (mask_s, mask_g) =
                (u32_buf(&mut ex, seed_mask.support_words()), u32_buf(&mut ex, seed_mask.sign_words()));
            let [gs, gg, vs, vg, sel_s, sel_g] = [0; 6].map(|_| poisoned_u32(&mut ex, words));
            let counts = poisoned_i32(&mut ex, 4);
            let energy = poisoned_real(&mut ex, 1);
            let state = poisoned_i32(&mut ex, 4);
            let stencil = StencilParams::new(w as u32, h as u32, nbhd, eta);
            let stats_and_select = |ex: &mut CpuExecutor, level: u32| {
                ex.run(&COHERENCE_STATS, &[mask_s, mask_g, bf, counts, energy], &stencil).unwrap();
                ex.run(&FINING_SELECT, &[mask_s, mask_g, state, sel_s, sel_g], &LenParams::new(cells as u32)).unwrap();
                ex.run(&FINING_CLOSURE, &[counts, state], &FiningClosureParams::new(level, eps)).unwrap();
            };
            stats_and_select(&mut ex, 0);
            for level in 1..=fining.levels as u32 {
                let smooth = BoxSmoothParams::new(w as u32, h as u32, fining.smooth_radius as u32);
                ex.run(&BOX_SMOOTH, &[cur, next], &smooth).unwrap();
                std::mem::swap(&mut cur, &mut next);
                ex.run(&REDUCE_MAX_ABS, &[cur, scale], &LenParams::new(cells as u32)).unwrap();
                let gate = ThresholdGateParams::new(cells as u32, fining.tau_rel as f32, true);
                ex.run(&THRESHOLD_GATE, &[cur, scale, mask_s, mask_g, gs, gg], &gate).unwrap();
                ex.run(&MAJORITY, &[gs, gg, vs, vg], &stencil).unwrap();
                ex.run(&ANNIHILATE, &[vs, vg, mask_s, mask_g], &stencil).unwrap();
                stats_and_select(&mut ex, level);
            }
            let what = format!("fining {h}×{w} ε={eps}");
            let st = ex.download_i32(state).unwrap();
            let closure = (st[0] == 1).then_some(st[1] as usize);
            assert_eq!(closure, outcome.closure_level, "{what}: closure level (state {st:?})");
            let (got_s, got_g) = (ex.download_u32(sel_s).unwrap(), ex.download_u32(sel_g).unwrap());
            assert_eq!(
                (&got_s[..], &got_g[..]),
                (outcome.mask.support_words(), outcome.mask.sign_words()),
                "{what}: selected mask"
            );
            *closures.entry(outcome.closure_level).or_insert(0) += 1;
        }
    }
    assert!(closures.len() >= 3, "closure levels seen: {closures:?}");
}

/// spectral_mul equals the spectral module's operators exactly (both precisions), on
/// a batch, leaving a poisoned tail alone; kind 3 is ψ̂ = ω̂/|k|² (∇²ψ = −ω).
#[test]
fn spectral_mul_matches_the_spectral_module() {
    use dashi_core::ops::{SPECTRAL_MUL, SpectralMulParams};
    for prec in PRECISIONS {
        for n in [2usize, 4, 8, 16, 64] {
            let batch = 3;
            let len = 2 * n * n * batch;
            for (kind, alpha, p) in [
                (0, 0.0, 0.0),
                (1, 0.0, 0.0),
                (2, 0.0, 0.0),
                (3, 0.0, 0.0),
                (4, 0.0, 0.0),
                (5, 36.0, 8.0),
                (5, 12.0, 4.0),
            ] {
                let mut g = SplitMix64::new(seed(30 + u64::from(kind), n, prec));
                let x = random_spectra(&mut g, len, prec);
                let mut ex = CpuExecutor::new(prec);
                let mut data = x.clone();
                data.extend([POISON_REAL; 3]);
                let buf = ex.alloc(ElemType::Real, data.len()).unwrap();
                ex.upload_real(buf, &data).unwrap();
                let params = if kind == 5 {
                    SpectralMulParams::filter(n as u32, batch as u32, alpha, p)
                } else {
                    SpectralMulParams::new(n as u32, batch as u32, kind)
                };
                ex.run(&SPECTRAL_MUL, &[buf], &params).unwrap();
                let got = ex.download_real(buf).unwrap();
                let want = in_precision!(prec, spectral_module_mul(&x, n, kind, alpha, p));
                let what = format!("spectral_mul {prec} n={n} kind={kind}");
                assert_bits(&got[..len], &want, &what);
                assert_tail_real(&got, len, &what);
            }
        }
    }
    // Hand-computed: N = 4, mode (ky, kx) = (1, −1) at row 1, column 3, value 2 + 3i.
    let mut ex = CpuExecutor::new(Precision::F64);
    let buf = ex.alloc(ElemType::Real, 32).unwrap();
    for (kind, want) in [(0u32, [3.0, -2.0]), (1, [-3.0, 2.0]), (2, [-4.0, -6.0]), (3, [1.0, 1.5]), (4, [2.0, 3.0])] {
        let mut x = vec![0.0; 32];
        x[2 * 7] = 2.0;
        x[2 * 7 + 1] = 3.0;
        ex.upload_real(buf, &x).unwrap();
        ex.run(&SPECTRAL_MUL, &[buf], &SpectralMulParams::new(4, 1, kind)).unwrap();
        let got = ex.download_real(buf).unwrap();
        assert_eq!([got[14], got[15]], want, "kind {kind}");
    }
    // The 2/3 rule at N = 4 removes |k| = 2 (3·2 > 4) and keeps |k| = 1.
    let mut x = vec![1.0; 32];
    ex.upload_real(buf, &x).unwrap();
    ex.run(&SPECTRAL_MUL, &[buf], &SpectralMulParams::new(4, 1, 4)).unwrap();
    for (m, v) in x.chunks_exact_mut(2).enumerate() {
        let keep = m / 4 != 2 && m % 4 != 2;
        v.fill(if keep { 1.0 } else { 0.0 });
    }
    assert_eq!(ex.download_real(buf).unwrap(), x);
    // Bad kinds and filter parameters are typed errors.
    for params in [
        SpectralMulParams::new(4, 1, 6),
        SpectralMulParams::filter(4, 1, -1.0, 8.0),
        SpectralMulParams::filter(4, 1, 36.0, 0.0),
        SpectralMulParams::filter(4, 1, f32::NAN, 8.0),
        SpectralMulParams::new(3, 1, 0),
        SpectralMulParams::new(6, 1, 0),
    ] {
        let e = ex.run(&SPECTRAL_MUL, &[buf], &params).unwrap_err();
        assert!(matches!(e, ExecError::InvalidParams { .. }), "{params:?}: {e:?}");
    }
}

/// shell_spectrum equals spectral::shell_spectrum (full layout) rounded once to the
/// executor's precision; shells past the last are 0; Σ E(s) is the energy.
#[test]
fn shell_spectrum_matches_the_spectral_module() {
    use dashi_core::ops::{SHELL_SPECTRUM, ShellParams};
    use dashi_core::spectral::{Layout::Full, SpectralGrid, shell_spectrum};
    for prec in PRECISIONS {
        for n in [2usize, 4, 8, 16, 64, 128] {
            let grid = SpectralGrid::new(n).unwrap();
            let count = grid.shell_count();
            let mut g = SplitMix64::new(seed(40, n, prec));
            let x = random_spectra(&mut g, 2 * n * n, prec);
            let mut ex = CpuExecutor::new(prec);
            let (bx, _) = real_buf(&mut ex, &x);
            for shells in [1, count, count + 2] {
                let out = poisoned_real(&mut ex, shells + 1);
                ex.run(&SHELL_SPECTRUM, &[bx, out], &ShellParams::new(n as u32, shells as u32)).unwrap();
                let got = ex.download_real(out).unwrap();
                let want: Vec<f64> = if prec == Precision::F64 {
                    shell_spectrum(grid, Full, &[&complex_of::<f64>(&x)]).unwrap()
                } else {
                    shell_spectrum(grid, Full, &[&complex_of::<f32>(&x)]).unwrap()
                };
                let want: Vec<f64> = (0..shells).map(|s| round_to(prec, want.get(s).copied().unwrap_or(0.0))).collect();
                let what = format!("shell_spectrum {prec} n={n} shells={shells}");
                assert_bits(&got[..shells], &want, &what);
                assert_tail_real(&got, shells, &what);
                if shells >= count {
                    let energy = 0.5 * x.iter().map(|v| v * v).sum::<f64>() / (n * n * n * n) as f64;
                    let total: f64 = got[..shells].iter().sum();
                    assert!((total / energy - 1.0).abs() < 1e-6, "{what}: Σ = {total}, energy {energy}");
                }
            }
        }
    }
}

/// band_energies with BandParams::from_cuts equals spectral::band_energies; the integer
/// thresholds reproduce band_mask's f64 sqrt comparison for every |k|² on the grid.
#[test]
fn band_energies_match_the_spectral_module() {
    use dashi_core::ops::{BAND_ENERGIES, BandParams};
    use dashi_core::spectral::{BandCuts, Layout::Full, SpectralGrid, band_energies, band_mask};
    for prec in PRECISIONS {
        for n in [2usize, 4, 8, 16, 64, 128] {
            let grid = SpectralGrid::new(n).unwrap();
            let h = (n / 2) as f64;
            let cuts = [
                BandCuts { k_cut: 0.0, mid_cut: 0.0 },
                BandCuts { k_cut: 1.0, mid_cut: h },
                BandCuts { k_cut: h / 3.0, mid_cut: h * 2f64.sqrt() },
                BandCuts { k_cut: f64::from(50f64.sqrt() as f32), mid_cut: 1e12 },
                BandCuts { k_cut: 2.5, mid_cut: (h + 0.25).max(2.5) },
            ];
            let mut g = SplitMix64::new(seed(50, n, prec));
            let x = random_spectra(&mut g, 2 * n * n, prec);
            let mut ex = CpuExecutor::new(prec);
            let (bx, _) = real_buf(&mut ex, &x);
            for c in cuts {
                let params = BandParams::from_cuts(n as u32, c).unwrap();
                // Membership: thresholds vs band_mask for every mode.
                let mask = band_mask(grid, Full, c).unwrap();
                for (m, &band) in mask.iter().enumerate() {
                    let (iy, ix) = (m / n, m % n);
                    let k2 = grid.k2_at(Full, iy, ix);
                    let mine = if k2 <= u64::from(params.low_k2) {
                        0
                    } else if k2 <= u64::from(params.mid_k2) && !grid.is_nyquist(Full, iy, ix) {
                        1
                    } else {
                        2
                    };
                    assert_eq!(mine, band, "n={n} {c:?} mode {m}");
                }
                let out = poisoned_real(&mut ex, 4);
                ex.run(&BAND_ENERGIES, &[bx, out], &params).unwrap();
                let got = ex.download_real(out).unwrap();
                let e = if prec == Precision::F64 {
                    band_energies(grid, Full, &[&complex_of::<f64>(&x)], c).unwrap()
                } else {
                    band_energies(grid, Full, &[&complex_of::<f32>(&x)], c).unwrap()
                };
                let want = [e.low, e.mid, e.high].map(|v| round_to(prec, v));
                let what = format!("band_energies {prec} n={n} {c:?}");
                assert_bits(&got[..3], &want, &what);
                assert_tail_real(&got, 3, &what);
            }
        }
    }
    // Thresholds: exact squares and irrational cuts.
    let t = |k_cut: f64| BandParams::from_cuts(8, BandCuts { k_cut, mid_cut: k_cut }).unwrap().low_k2;
    assert_eq!([t(0.0), t(0.99), t(1.0), t(2.0), t(2.5), t(50f64.sqrt())], [0, 0, 1, 4, 6, 50]);
    assert_eq!(t(f64::from(50f64.sqrt() as f32)), 50 - u32::from(f64::from(50f64.sqrt() as f32) < 50f64.sqrt()));
    assert!(BandParams::from_cuts(8, BandCuts { k_cut: 2.0, mid_cut: 1.0 }).is_err());
    let mut ex = CpuExecutor::new(Precision::F64);
    let (bx, _) = real_buf(&mut ex, &[1.0; 32]);
    let out = poisoned_real(&mut ex, 3);
    let e = ex.run(&BAND_ENERGIES, &[bx, out], &BandParams::new(4, 5, 4)).unwrap_err();
    assert!(matches!(e, ExecError::InvalidParams { .. }), "{e:?}");
}

#[test]
fn axpy_matches_naive() {
    for prec in PRECISIONS {
        for n in SIZES {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(1, n, prec));
            let (x, y) = (random_reals(&mut g, n), random_reals(&mut g, n + slack(n)));
            let alpha = g.uniform(-3.0, 3.0) as f32;
            let ((bx, xs), (by, ys)) = (real_buf(&mut ex, &x), real_buf(&mut ex, &y));
            ex.run(&AXPY, &[bx, by], &ScalarParams::new(n as u32, alpha)).unwrap();
            ex.flush().unwrap();
            let got = ex.download_real(by).unwrap();
            let what = format!("axpy {prec} n={n}");
            assert_bits(&got[..n], &in_precision!(prec, naive_axpy(alpha, &xs, &ys[..n])), &what);
            assert_bits(&got[n..], &ys[n..], &what);
            assert_bits(&ex.download_real(bx).unwrap(), &xs, &format!("{what}: x is read-only"));
            if prec == Precision::F32 {
                // Inputs and the two operations each round once: |err| ≤ 3u·(|αx| + |y|).
                let a = f64::from(alpha);
                let exact: Vec<f64> = x.iter().zip(&y).map(|(x, y)| a * x + y).collect();
                let bound: Vec<f64> =
                    x.iter().zip(&y).map(|(x, y)| 3.0 * U32_EPS * ((a * x).abs() + y.abs())).collect();
                assert_within(&got[..n], &exact, &bound, &what);
            }
        }
    }
}

#[test]
fn scale_matches_naive() {
    for prec in PRECISIONS {
        for n in SIZES {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(2, n, prec));
            let x = random_reals(&mut g, n + slack(n));
            let alpha = g.uniform(-3.0, 3.0) as f32;
            let (bx, xs) = real_buf(&mut ex, &x);
            ex.run(&SCALE, &[bx], &ScalarParams::new(n as u32, alpha)).unwrap();
            let got = ex.download_real(bx).unwrap();
            let what = format!("scale {prec} n={n}");
            assert_bits(&got[..n], &in_precision!(prec, naive_scale(alpha, &xs[..n])), &what);
            assert_bits(&got[n..], &xs[n..], &what);
            if prec == Precision::F32 {
                // Input rounding and the product: |err| ≤ 2u·|αx| (+ tiny slack for the square).
                let exact: Vec<f64> = x[..n].iter().map(|v| f64::from(alpha) * v).collect();
                let bound: Vec<f64> = exact.iter().map(|e| 2.1 * U32_EPS * e.abs()).collect();
                assert_within(&got[..n], &exact, &bound, &what);
            }
        }
    }
}

fn check_binary(op: &'static OpSpec, mul: bool, tag: u64) {
    for prec in PRECISIONS {
        for n in SIZES {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(tag, n, prec));
            let (x, y) = (random_reals(&mut g, n), random_reals(&mut g, n));
            let ((bx, xs), (by, ys)) = (real_buf(&mut ex, &x), real_buf(&mut ex, &y));
            let out = poisoned_real(&mut ex, n + slack(n));
            ex.run(op, &[bx, by, out], &LenParams::new(n as u32)).unwrap();
            let got = ex.download_real(out).unwrap();
            let what = format!("{} {prec} n={n}", op.name);
            assert_bits(&got[..n], &in_precision!(prec, naive_binary(mul, &xs, &ys)), &what);
            assert_tail_real(&got, n, &what);
            if prec == Precision::F32 {
                let exact: Vec<f64> = x.iter().zip(&y).map(|(a, b)| if mul { a * b } else { a + b }).collect();
                // Three roundings (two inputs, one result), relative to |x|·|y| or |x| + |y|.
                let bound: Vec<f64> = x
                    .iter()
                    .zip(&y)
                    .map(|(a, b)| 3.1 * U32_EPS * if mul { (a * b).abs() } else { a.abs() + b.abs() })
                    .collect();
                assert_within(&got[..n], &exact, &bound, &what);
            }
        }
    }
}

#[test]
fn add_matches_naive() {
    check_binary(&ADD, false, 3);
}

#[test]
fn mul_matches_naive() {
    check_binary(&MUL, true, 4);
}

/// Runs gemv_row (batch = None) or gemm_batched and compares with the naive loop.
fn check_gemm(prec: Precision, batch: Option<usize>, rows: usize, cols: usize, tag: u64) {
    let m = batch.unwrap_or(1);
    let mut ex = CpuExecutor::new(prec);
    let mut g = SplitMix64::new(seed(tag, rows * 1000 + cols * 10 + m, prec));
    let (z, a) = (random_reals(&mut g, m * rows), random_reals(&mut g, rows * cols));
    let ((bz, zs), (ba, as_)) = (real_buf(&mut ex, &z), real_buf(&mut ex, &a));
    let extra = slack(cols);
    let out = poisoned_real(&mut ex, m * cols + extra);
    let what = format!("{} {prec} batch={m} rows={rows} cols={cols}", if batch.is_some() { "gemm" } else { "gemv" });
    match batch {
        None => ex.run(&GEMV_ROW, &[bz, ba, out], &GemvParams::new(rows as u32, cols as u32)),
        Some(b) => ex.run(&GEMM_BATCHED, &[bz, ba, out], &GemmParams::new(b as u32, rows as u32, cols as u32)),
    }
    .unwrap();
    let got = ex.download_real(out).unwrap();
    assert_bits(&got[..m * cols], &in_precision!(prec, naive_gemm(&zs, &as_, m, rows, cols)), &what);
    assert_tail_real(&got, m * cols, &what);
    if prec == Precision::F32 {
        // Standard dot-product bound: |err| ≤ (rows + 2)·u·Σ|z_i a_ij| (inputs rounded too).
        let exact = naive_gemm::<f64>(&z, &a, m, rows, cols);
        let bound: Vec<f64> =
            abs_gemm(&z, &a, m, rows, cols).iter().map(|s| (rows as f64 + 2.0) * U32_EPS * s * 1.01).collect();
        assert_within(&got[..m * cols], &exact, &bound, &what);
    }
}

#[test]
fn gemv_row_matches_naive() {
    for prec in PRECISIONS {
        for (rows, cols) in [(1, 1), (1, 7), (7, 1), (33, 7), (7, 33), (64, 65), (257, 3), (3, 257), (100, 100)] {
            check_gemm(prec, None, rows, cols, 5);
        }
    }
}

#[test]
fn gemm_batched_matches_naive() {
    for prec in PRECISIONS {
        // (33, 64, 40) and (65, 33, 31) exceed 2¹⁶ multiply-adds: the threaded path.
        for (b, rows, cols) in [(1, 1, 1), (2, 7, 33), (7, 33, 1), (3, 64, 65), (5, 257, 7), (33, 64, 40), (65, 33, 31)]
        {
            check_gemm(prec, Some(b), rows, cols, 6);
        }
    }
}

#[test]
fn gemm_rows_equal_gemv_of_each_row() {
    for prec in PRECISIONS {
        let (batch, rows, cols) = (9usize, 33usize, 257usize);
        let mut ex = CpuExecutor::new(prec);
        let mut g = SplitMix64::new(seed(7, 1, prec));
        let (z, a) = (random_reals(&mut g, batch * rows), random_reals(&mut g, rows * cols));
        let ((bz, _), (ba, _)) = (real_buf(&mut ex, &z), real_buf(&mut ex, &a));
        let out = poisoned_real(&mut ex, batch * cols);
        ex.run(&GEMM_BATCHED, &[bz, ba, out], &GemmParams::new(batch as u32, rows as u32, cols as u32)).unwrap();
        let all = ex.download_real(out).unwrap();
        for m in 0..batch {
            let (bzm, _) = real_buf(&mut ex, &z[m * rows..(m + 1) * rows]);
            let row_out = poisoned_real(&mut ex, cols);
            ex.run(&GEMV_ROW, &[bzm, ba, row_out], &GemvParams::new(rows as u32, cols as u32)).unwrap();
            assert_bits(&all[m * cols..(m + 1) * cols], &ex.download_real(row_out).unwrap(), "gemm row vs gemv");
        }
    }
}

/// Runs a reduction with a Real output; returns the stored input and the result.
fn run_reduction(ex: &mut CpuExecutor, op: &'static OpSpec, x: &[f64]) -> (Vec<f64>, f64) {
    let (bx, xs) = real_buf(ex, x);
    let out = poisoned_real(ex, 1 + slack(x.len()));
    ex.run(op, &[bx, out], &LenParams::new(x.len() as u32)).unwrap();
    let got = ex.download_real(out).unwrap();
    assert_tail_real(&got, 1, op.name);
    (xs, got[0])
}

#[test]
fn reduce_sum_and_sum_sq_match_naive() {
    for prec in PRECISIONS {
        for n in SIZES {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(8, n, prec));
            let x = random_reals(&mut g, n);
            for (op, square) in [(&REDUCE_SUM, false), (&REDUCE_SUM_SQ, true)] {
                let (xs, got) = run_reduction(&mut ex, op, &x);
                // Defined semantics: accumulate the stored values in f64, ascending index,
                // round once to the executor precision (f32: correctly rounded, ≤ ½ ulp).
                let mut acc = 0.0f64;
                for v in &xs {
                    acc += if square { v * v } else { *v };
                }
                let want = round_to(prec, acc);
                assert_eq!(got.to_bits(), want.to_bits(), "{} {prec} n={n}: got {got:e}, want {want:e}", op.name);
            }
        }
    }
}

#[test]
fn reduce_max_abs_matches_naive() {
    for prec in PRECISIONS {
        for n in SIZES {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(9, n, prec));
            for x in [random_reals(&mut g, n), tie_heavy_reals(&mut g, n)] {
                let (xs, got) = run_reduction(&mut ex, &REDUCE_MAX_ABS, &x);
                let want = xs.iter().map(|v| v.abs()).fold(0.0, f64::max);
                assert_eq!(got, want, "reduce_max_abs {prec} n={n}");
            }
        }
    }
}

#[test]
fn argmax_matches_naive_lowest_index_on_ties() {
    for prec in PRECISIONS {
        for n in SIZES {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(10, n, prec));
            for x in [random_reals(&mut g, n), tie_heavy_reals(&mut g, n)] {
                let (bx, xs) = real_buf(&mut ex, &x);
                let out = poisoned_u32(&mut ex, 1 + slack(n));
                ex.run(&ARGMAX, &[bx, out], &LenParams::new(n as u32)).unwrap();
                let got = ex.download_u32(out).unwrap();
                let mut best = 0;
                for (i, v) in xs.iter().enumerate() {
                    if *v > xs[best] {
                        best = i;
                    }
                }
                assert_eq!(got[0], best as u32, "argmax {prec} n={n}");
                assert_tail_u32(&got, 1, "argmax");
            }
        }
    }
}

#[test]
fn top_k_matches_sorting() {
    for prec in PRECISIONS {
        for n in SIZES {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(11, n, prec));
            for x in [random_reals(&mut g, n), tie_heavy_reals(&mut g, n)] {
                let (bx, xs) = real_buf(&mut ex, &x);
                let mut ks = vec![1, n.div_ceil(2), n];
                ks.dedup();
                for k in ks {
                    let out = poisoned_u32(&mut ex, k + slack(k));
                    ex.run(&TOP_K, &[bx, out], &TopKParams::new(n as u32, k as u32)).unwrap();
                    let got = ex.download_u32(out).unwrap();
                    assert_eq!(got[..k], naive_top_k(&xs, k)[..], "top_k {prec} n={n} k={k}");
                    assert_tail_u32(&got, k, "top_k");
                }
            }
        }
    }
}

#[test]
fn top_k_hand_computed_ties() {
    let mut ex = CpuExecutor::new(Precision::F64);
    let (bx, _) = real_buf(&mut ex, &[1.0, 3.0, 3.0, -7.0, 2.0, 3.0]);
    let out = poisoned_u32(&mut ex, 4);
    ex.run(&TOP_K, &[bx, out], &TopKParams::new(6, 4)).unwrap();
    assert_eq!(ex.download_u32(out).unwrap(), [1, 2, 5, 4]);
    let am = poisoned_u32(&mut ex, 1);
    ex.run(&ARGMAX, &[bx, am], &LenParams::new(6)).unwrap();
    assert_eq!(ex.download_u32(am).unwrap(), [1]);
}

#[test]
fn gather_matches_naive() {
    for prec in PRECISIONS {
        for n in SIZES {
            for m in [1, 7, 33, 257] {
                let mut ex = CpuExecutor::new(prec);
                let mut g = SplitMix64::new(seed(12, n * 1000 + m, prec));
                let x = random_reals(&mut g, n);
                // Indices mostly in range, some past n (→ 0), one u32::MAX.
                let mut idx: Vec<u32> = (0..m).map(|_| g.below(n as u64 + 5) as u32).collect();
                idx[g.below(m as u64) as usize] = u32::MAX;
                let (bx, xs) = real_buf(&mut ex, &x);
                let bi = u32_buf(&mut ex, &idx);
                let out = poisoned_real(&mut ex, m + slack(m));
                ex.run(&GATHER, &[bx, bi, out], &GatherParams::new(n as u32, m as u32)).unwrap();
                let got = ex.download_real(out).unwrap();
                let want: Vec<f64> = idx.iter().map(|&i| xs.get(i as usize).copied().unwrap_or(0.0)).collect();
                assert_bits(&got[..m], &want, &format!("gather {prec} n={n} m={m}"));
                assert_tail_real(&got, m, "gather");
            }
        }
    }
}

#[test]
fn scatter_matches_naive() {
    for prec in PRECISIONS {
        for n in SIZES {
            for m in [1, 7, 33, 257] {
                let mut ex = CpuExecutor::new(prec);
                let mut g = SplitMix64::new(seed(13, n * 1000 + m, prec));
                // Distinct in-range targets (partial Fisher–Yates), the rest out of range
                // (possibly repeated: only in-range indices must be distinct).
                let mut perm: Vec<u32> = (0..n as u32).collect();
                let idx: Vec<u32> = (0..m)
                    .map(|i| {
                        if i < n && g.below(4) != 0 {
                            let j = i + g.below((n - i) as u64) as usize;
                            perm.swap(i, j);
                            perm[i]
                        } else {
                            n as u32 + g.below(3) as u32
                        }
                    })
                    .collect();
                let x = random_reals(&mut g, m);
                let (bx, xs) = real_buf(&mut ex, &x);
                let bi = u32_buf(&mut ex, &idx);
                let base: Vec<f64> = (0..n + slack(n)).map(|j| POISON_REAL + j as f64).collect();
                let (out, _) = real_buf(&mut ex, &base);
                ex.run(&SCATTER, &[bx, bi, out], &GatherParams::new(n as u32, m as u32)).unwrap();
                let mut want = base.clone();
                for (v, &i) in xs.iter().zip(&idx) {
                    if (i as usize) < n {
                        want[i as usize] = *v;
                    }
                }
                assert_bits(&ex.download_real(out).unwrap(), &want, &format!("scatter {prec} n={n} m={m}"));
            }
        }
    }
}

#[test]
fn threshold_matches_naive_and_kernel() {
    for prec in PRECISIONS {
        for n in SIZES {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(14, n, prec));
            let tau = g.uniform(0.1, 1.5) as f32;
            let mut x = random_reals(&mut g, n);
            // Exact ties at ±tau (representable in both precisions).
            x[g.below(n as u64) as usize] = f64::from(tau);
            x[g.below(n as u64) as usize] = -f64::from(tau);
            let (bx, xs) = real_buf(&mut ex, &x);
            let words = words_for(n);
            let (sup, sgn) = (poisoned_u32(&mut ex, words + slack(n)), poisoned_u32(&mut ex, words + slack(n)));
            ex.run(&THRESHOLD, &[bx, sup, sgn], &ThresholdParams::new(n as u32, tau)).unwrap();
            let (gs, gg) = (ex.download_u32(sup).unwrap(), ex.download_u32(sgn).unwrap());
            let what = format!("threshold {prec} n={n}");
            assert_tail_u32(&gs, words, &what);
            assert_tail_u32(&gg, words, &what);
            // Naive: per cell, then packed.
            let t = f64::from(tau);
            let trits: Vec<i32> = xs
                .iter()
                .map(|&v| {
                    if v >= t {
                        1
                    } else if v <= -t {
                        -1
                    } else {
                        0
                    }
                })
                .collect();
            let (ws, wg) = planes_of(&trits);
            assert_eq!((&gs[..words], &gg[..words]), (&ws[..], &wg[..]), "{what}: naive");
            // The kernel is the reference: widening to f64 is exact and monotone, so
            // Threshold::project on the stored values agrees in both precisions.
            let field = Field::new(Shape::d1(n).unwrap(), xs.clone()).unwrap();
            let c = Threshold::new(t).unwrap().project(&field);
            assert_eq!((&gs[..words], &gg[..words]), (c.support_words(), c.sign_words()), "{what}: kernel");
            let (mut ks, mut kg) = (vec![0u32; words], vec![0u32; words]);
            in_precision!(prec, threshold_on(&xs, tau, &mut ks, &mut kg));
            assert_eq!((&gs[..words], &gg[..words]), (&ks[..], &kg[..]), "{what}: threshold_planes");
        }
    }
}

fn threshold_on<T: Real>(xs: &[f64], tau: f32, support: &mut [u32], sign: &mut [u32]) {
    threshold_planes(&narrow::<T>(xs), T::from_f64(f64::from(tau)), support, sign);
}

#[test]
fn threshold_hand_computed() {
    let mut ex = CpuExecutor::new(Precision::F64);
    let (bx, _) = real_buf(&mut ex, &[0.5, -0.5, 0.2, -0.2, 0.75, -3.0]);
    let (sup, sgn) = (poisoned_u32(&mut ex, 1), poisoned_u32(&mut ex, 1));
    ex.run(&THRESHOLD, &[bx, sup, sgn], &ThresholdParams::new(6, 0.5)).unwrap();
    // trits [+1, −1, 0, 0, +1, −1]
    assert_eq!(ex.download_u32(sup).unwrap(), [0b11_0011]);
    assert_eq!(ex.download_u32(sgn).unwrap(), [0b10_0010]);
}

#[test]
fn bit_plane_layout_is_bit_i_mod_32_of_word_i_div_32() {
    // Cell 33 of a 40-cell ring: word 1, bit 1.
    let mut values = vec![0i8; 40];
    values[33] = -1;
    values[0] = 1;
    let c = Carrier::from_i8(Shape::d1(40).unwrap(), &values).unwrap();
    assert_eq!(c.support_words(), [1, 0b10]);
    assert_eq!(c.sign_words(), [0, 0b10]);
    // Through the executor: threshold of a 40-cell field.
    let mut ex = CpuExecutor::new(Precision::F32);
    let x: Vec<f64> = values.iter().map(|&v| f64::from(v)).collect();
    let (bx, _) = real_buf(&mut ex, &x);
    let (sup, sgn) = (poisoned_u32(&mut ex, 2), poisoned_u32(&mut ex, 2));
    ex.run(&THRESHOLD, &[bx, sup, sgn], &ThresholdParams::new(40, 0.5)).unwrap();
    assert_eq!(ex.download_u32(sup).unwrap(), [1, 0b10]);
    assert_eq!(ex.download_u32(sgn).unwrap(), [0, 0b10]);
}

/// Runs majority (Some(eta)) or annihilate (None) on `values` and returns the output
/// planes (the first `words` of each), checking the slack words stay poisoned.
fn run_stencil(
    ex: &mut CpuExecutor,
    values: &[i32],
    h: usize,
    w: usize,
    nbhd: Neighbourhood,
    eta: Option<u32>,
) -> (Vec<u32>, Vec<u32>) {
    let (sup, sgn) = planes_of(values);
    let words = sup.len();
    let extra = slack(h * w);
    let (bs, bg) = (u32_buf(ex, &sup), u32_buf(ex, &sgn));
    let (os, og) = (poisoned_u32(ex, words + extra), poisoned_u32(ex, words + extra));
    let (op, e) = match eta {
        Some(e) => (&MAJORITY, e),
        None => (&ANNIHILATE, 0),
    };
    ex.run(op, &[bs, bg, os, og], &StencilParams::new(w as u32, h as u32, nbhd, e)).unwrap();
    assert_eq!(ex.download_u32(bs).unwrap(), sup, "support_in is read-only");
    assert_eq!(ex.download_u32(bg).unwrap(), sgn, "sign_in is read-only");
    let (gs, gg) = (ex.download_u32(os).unwrap(), ex.download_u32(og).unwrap());
    assert_tail_u32(&gs, words, op.name);
    assert_tail_u32(&gg, words, op.name);
    (gs[..words].to_vec(), gg[..words].to_vec())
}

fn carrier_of(values: &[i32], h: usize, w: usize) -> Carrier {
    let v: Vec<i8> = values.iter().map(|&t| t as i8).collect();
    Carrier::from_i8(Shape::d2(h, w).unwrap(), &v).unwrap()
}

#[test]
fn majority_and_annihilate_match_kernels_bit_for_bit() {
    for prec in PRECISIONS {
        for (h, w) in GRIDS {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(15, h * 1000 + w, prec));
            for _ in 0..6 {
                let values = random_trits(&mut g, h * w);
                let stencil = if g.next_u64() & 1 == 0 { Stencil::VonNeumann } else { Stencil::Moore };
                let radius = g.below(max_radius(h, w) as u64 + 1) as usize;
                let nbhd = Neighbourhood::new(stencil, radius);
                let moore = stencil == Stencil::Moore;
                let eta = 1 + g.below(4) as u32;
                let input = carrier_of(&values, h, w);
                let what = format!("{prec} {h}×{w} {stencil:?} r={radius} eta={eta}");

                let (ms, mg) = run_stencil(&mut ex, &values, h, w, nbhd, Some(eta));
                let kernel = Majority::new(nbhd, eta).unwrap().apply(&input).unwrap();
                assert_eq!((&ms[..], &mg[..]), (kernel.support_words(), kernel.sign_words()), "majority {what}");
                let (ns, ng) = planes_of(&naive_majority(&values, h, w, radius, moore, eta));
                assert_eq!((ms, mg), (ns, ng), "majority {what}: naive");

                let (as_, ag) = run_stencil(&mut ex, &values, h, w, nbhd, None);
                let kernel = Annihilate::new(nbhd).apply(&input).unwrap();
                assert_eq!((&as_[..], &ag[..]), (kernel.support_words(), kernel.sign_words()), "annihilate {what}");
                let (ns, ng) = planes_of(&naive_annihilate(&values, h, w, radius, moore));
                assert_eq!((as_, ag), (ns, ng), "annihilate {what}: naive");
            }
        }
    }
}

#[test]
fn majority_and_annihilate_hand_computed() {
    let mut ex = CpuExecutor::new(Precision::F64);
    // Ring of 5, von Neumann r = 1: N[x] = {x−1, x, x+1}.
    let s = [1, 1, 0, -1, 1];
    let read = |(sup, sgn): (Vec<u32>, Vec<u32>)| (0..5).map(|i| trit_at(&sup, &sgn, i)).collect::<Vec<_>>();
    // Sums: cell0 = 1+1+1 = 3, cell1 = 1+1+0 = 2, cell3 = 0−1+1 = 0 (vote 0), cell4 = −1+1+1 = 1.
    assert_eq!(read(run_stencil(&mut ex, &s, 1, 5, Neighbourhood::FOUR, Some(1))), [1, 1, 0, 0, 1]);
    assert_eq!(read(run_stencil(&mut ex, &s, 1, 5, Neighbourhood::FOUR, Some(2))), [1, 1, 0, 0, 0]);
    assert_eq!(read(run_stencil(&mut ex, &s, 1, 5, Neighbourhood::FOUR, Some(3))), [1, 0, 0, 0, 0]);
    // Cells 3 (−1 next to +1 at 4) and 4 (+1 next to −1 at 3) annihilate.
    assert_eq!(read(run_stencil(&mut ex, &s, 1, 5, Neighbourhood::FOUR, None)), [1, 1, 0, 0, 0]);
    // 3×3 checkerboard-ish, Moore r = 1: every cell sees an opposite sign → all zero.
    let s = [1, -1, 1, -1, 1, -1, 1, -1, 1];
    let (sup, sgn) = run_stencil(&mut ex, &s, 3, 3, Neighbourhood::EIGHT, None);
    assert_eq!((sup, sgn), (vec![0], vec![0]));
}

#[test]
fn coherence_stats_match_kernel_and_naive() {
    for prec in PRECISIONS {
        for (h, w) in GRIDS.into_iter().chain([(2, 2), (2, 9), (1, 2)]) {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(16, h * 1000 + w, prec));
            for _ in 0..4 {
                let values = random_trits(&mut g, h * w);
                let f = random_reals(&mut g, h * w);
                let (sup, sgn) = planes_of(&values);
                let (bs, bg) = (u32_buf(&mut ex, &sup), u32_buf(&mut ex, &sgn));
                let (bf, fs) = real_buf(&mut ex, &f);
                let extra = slack(h * w);
                let counts = poisoned_i32(&mut ex, 4 + extra);
                let energy = poisoned_real(&mut ex, 1 + extra);
                // radius 0: coherence_stats ignores the stencil but validates it.
                let p = StencilParams::new(w as u32, h as u32, Neighbourhood::new(Stencil::VonNeumann, 0), 0);
                ex.run(&COHERENCE_STATS, &[bs, bg, bf, counts, energy], &p).unwrap();
                let gc = ex.download_i32(counts).unwrap();
                let ge = ex.download_real(energy).unwrap();
                let what = format!("coherence_stats {prec} {h}×{w}");
                assert!(gc[4..].iter().all(|&v| v == POISON_I32), "{what}: counts tail written");
                assert_tail_real(&ge, 1, &what);
                // The kernel on the stored field is the reference (bit for bit).
                let field = Field::new(Shape::d2(h, w).unwrap(), fs.clone()).unwrap();
                let k = CoherenceStats::of(&carrier_of(&values, h, w), &field).unwrap();
                let want_counts = [k.active_cells as i32, k.sign_balance as i32, k.interface_count as i32, 0];
                assert_eq!(gc[..4], want_counts, "{what}: kernel counts");
                assert_eq!(ge[0].to_bits(), round_to(prec, k.energy_on_support).to_bits(), "{what}: kernel energy");
                // Independent naive (energy may differ from the kernel by the order of ½·Σ/n).
                let (a, b, i, e) = naive_coherence(&values, &fs, h, w);
                assert_eq!(gc[..4], [a, b, i, 0], "{what}: naive counts");
                let tol = match prec {
                    Precision::F64 => 1e-12 * e.abs(),         // a few roundings of a positive sum
                    Precision::F32 => 2.0 * U32_EPS * e.abs(), // f64 result rounded once to f32
                };
                assert!((ge[0] - e).abs() <= tol, "{what}: naive energy {e:e}, got {:e}", ge[0]);
            }
        }
    }
}

#[test]
fn coherence_stats_hand_computed() {
    let mut ex = CpuExecutor::new(Precision::F64);
    // [[+1, −1], [0, +1]] with field [[1, 2], [3, 4]]. On the 2×2 torus each axis has two
    // edges between the same pair: x-edges (0,1),(1,0) both −1; y-edges (1,3),(3,1) both −1.
    let (sup, sgn) = planes_of(&[1, -1, 0, 1]);
    let (bs, bg) = (u32_buf(&mut ex, &sup), u32_buf(&mut ex, &sgn));
    let (bf, _) = real_buf(&mut ex, &[1.0, 2.0, 3.0, 4.0]);
    let (counts, energy) = (poisoned_i32(&mut ex, 4), poisoned_real(&mut ex, 1));
    let p = StencilParams::new(2, 2, Neighbourhood::new(Stencil::VonNeumann, 0), 0);
    ex.run(&COHERENCE_STATS, &[bs, bg, bf, counts, energy], &p).unwrap();
    assert_eq!(ex.download_i32(counts).unwrap(), [3, 1, 4, 0]);
    // ½·(1² + 2² + 4²)/3 = 3.5
    assert_eq!(ex.download_real(energy).unwrap(), [3.5]);
    // Empty support: energy 0, counts 0.
    let (bs0, bg0) = (u32_buf(&mut ex, &[0]), u32_buf(&mut ex, &[0]));
    ex.run(&COHERENCE_STATS, &[bs0, bg0, bf, counts, energy], &p).unwrap();
    assert_eq!(ex.download_i32(counts).unwrap(), [0, 0, 0, 0]);
    assert_eq!(ex.download_real(energy).unwrap(), [0.0]);
}

#[test]
fn upload_download_round_trip_rounds_to_precision() {
    let mut g = SplitMix64::new(17);
    let x = random_reals(&mut g, 33);
    for prec in PRECISIONS {
        let mut ex = CpuExecutor::new(prec);
        let (_, stored) = real_buf(&mut ex, &x);
        let want: Vec<f64> = x.iter().map(|&v| round_to(prec, v)).collect();
        assert_bits(&stored, &want, &format!("round trip {prec}"));
        let fresh = ex.alloc(ElemType::Real, 5).unwrap();
        assert_eq!(ex.download_real(fresh).unwrap(), [0.0; 5], "alloc zero-initialises");
        let u = ex.alloc(ElemType::U32, 3).unwrap();
        ex.upload_u32(u, &[0, u32::MAX, 7]).unwrap();
        assert_eq!(ex.download_u32(u).unwrap(), [0, u32::MAX, 7]);
        let i = ex.alloc(ElemType::I32, 3).unwrap();
        ex.upload_i32(i, &[i32::MIN, -1, i32::MAX]).unwrap();
        assert_eq!(ex.download_i32(i).unwrap(), [i32::MIN, -1, i32::MAX]);
        assert_eq!(ex.buffer_desc(i).unwrap(), (ElemType::I32, 3));
    }
}

// ---------------------------------------------------------------------------------
// OpSpec ↔ Rust parameter structs
// ---------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum FieldValue {
    U(u32),
    F(f32),
}

/// The Rust parameter struct of an op, as bytes, with its public fields in order.
fn params_struct(name: &str) -> (usize, Vec<u8>, Vec<(&'static str, FieldValue)>) {
    use FieldValue::{F, U};
    use std::mem::size_of;
    match name {
        "axpy" | "scale" => {
            let s = ScalarParams::new(11, 2.5);
            (size_of::<ScalarParams>(), bytemuck::bytes_of(&s).to_vec(), vec![("n", U(s.n)), ("alpha", F(s.alpha))])
        }
        "add" | "mul" | "reduce_sum" | "reduce_sum_sq" | "reduce_max_abs" | "argmax" | "fining_select"
        | "mask_combine" => {
            let s = LenParams::new(11);
            (size_of::<LenParams>(), bytemuck::bytes_of(&s).to_vec(), vec![("n", U(s.n))])
        }
        "gemv_row" => {
            let s = GemvParams::new(11, 13);
            (size_of::<GemvParams>(), bytemuck::bytes_of(&s).to_vec(), vec![("rows", U(s.rows)), ("cols", U(s.cols))])
        }
        "gemm_batched" => {
            let s = GemmParams::new(7, 11, 13);
            let fields = vec![("batch", U(s.batch)), ("rows", U(s.rows)), ("cols", U(s.cols))];
            (size_of::<GemmParams>(), bytemuck::bytes_of(&s).to_vec(), fields)
        }
        "top_k" => {
            let s = TopKParams::new(11, 3);
            (size_of::<TopKParams>(), bytemuck::bytes_of(&s).to_vec(), vec![("n", U(s.n)), ("k", U(s.k))])
        }
        "gather" | "scatter" => {
            let s = GatherParams::new(11, 13);
            (size_of::<GatherParams>(), bytemuck::bytes_of(&s).to_vec(), vec![("n", U(s.n)), ("m", U(s.m))])
        }
        "threshold" => {
            let s = ThresholdParams::new(11, 0.25);
            (size_of::<ThresholdParams>(), bytemuck::bytes_of(&s).to_vec(), vec![("n", U(s.n)), ("tau", F(s.tau))])
        }
        "majority" | "annihilate" | "coherence_stats" => {
            let s = StencilParams::new(11, 13, Neighbourhood::new(Stencil::Moore, 2), 5);
            let fields = vec![
                ("width", U(s.width)),
                ("height", U(s.height)),
                ("radius", U(s.radius)),
                ("stencil", U(s.stencil)),
                ("eta", U(s.eta)),
            ];
            (size_of::<StencilParams>(), bytemuck::bytes_of(&s).to_vec(), fields)
        }
        "fft_step" => {
            let f = dashi_core::ops::FftStepParams::new(64, 3, 1, 16, 4, true);
            let fields = vec![
                ("n", U(f.n)),
                ("fields", U(f.fields)),
                ("axis", U(f.axis)),
                ("radix", U(f.radix)),
                ("span", U(f.span)),
                ("inverse", U(f.inverse)),
            ];
            (size_of::<dashi_core::ops::FftStepParams>(), bytemuck::bytes_of(&f).to_vec(), fields)
        }
        "spectral_mul" => {
            let f = dashi_core::ops::SpectralMulParams::filter(64, 3, 36.0, 8.0);
            let fields =
                vec![("n", U(f.n)), ("batch", U(f.batch)), ("kind", U(f.kind)), ("alpha", F(f.alpha)), ("p", F(f.p))];
            (size_of::<dashi_core::ops::SpectralMulParams>(), bytemuck::bytes_of(&f).to_vec(), fields)
        }
        "shell_spectrum" => {
            let f = dashi_core::ops::ShellParams::new(64, 47);
            let fields = vec![("n", U(f.n)), ("shells", U(f.shells))];
            (size_of::<dashi_core::ops::ShellParams>(), bytemuck::bytes_of(&f).to_vec(), fields)
        }
        "band_energies" => {
            let f = dashi_core::ops::BandParams::new(64, 25, 300);
            let fields = vec![("n", U(f.n)), ("low_k2", U(f.low_k2)), ("mid_k2", U(f.mid_k2))];
            (size_of::<dashi_core::ops::BandParams>(), bytemuck::bytes_of(&f).to_vec(), fields)
        }
        "real_pairs" | "split_pair_spectra" | "combine_pair_spectra" => {
            let f = dashi_core::ops::PairParams::new(32, 3, name == "real_pairs");
            let fields =
                vec![("n", U(f.n)), ("pairs", U(f.pairs)), ("fields", U(f.fields)), ("direction", U(f.direction))];
            let fields = if name == "real_pairs" { fields } else { fields[..3].to_vec() };
            (size_of::<dashi_core::ops::PairParams>(), bytemuck::bytes_of(&f).to_vec(), fields)
        }
        "vorticity_fields" => {
            let f = dashi_core::ops::VorticityFieldParams::new(64, 2);
            let fields = vec![("n", U(f.n)), ("kind", U(f.kind))];
            (size_of::<dashi_core::ops::VorticityFieldParams>(), bytemuck::bytes_of(&f).to_vec(), fields)
        }
        "vorticity_nonlinear" => {
            let f = dashi_core::ops::NonlinearParams::smagorinsky(64, 0.17);
            let fields = vec![
                ("n", U(f.n)),
                ("smagorinsky", U(f.smagorinsky)),
                ("coeff_hi", F(f.coeff_hi)),
                ("coeff_lo", F(f.coeff_lo)),
            ];
            (size_of::<dashi_core::ops::NonlinearParams>(), bytemuck::bytes_of(&f).to_vec(), fields)
        }
        "vorticity_rhs" => {
            let f = dashi_core::ops::VorticityRhsParams::new(64, 1e-3, 0.1);
            let fields = vec![
                ("n", U(f.n)),
                ("nu_hi", F(f.nu_hi)),
                ("nu_lo", F(f.nu_lo)),
                ("drag_hi", F(f.drag_hi)),
                ("drag_lo", F(f.drag_lo)),
            ];
            (size_of::<dashi_core::ops::VorticityRhsParams>(), bytemuck::bytes_of(&f).to_vec(), fields)
        }
        "proxy_pack" => {
            let f = dashi_core::ops::ProxyPackParams::new(64, 300, 17);
            let fields = vec![("n", U(f.n)), ("d", U(f.d)), ("anchors", U(f.anchors))];
            (size_of::<dashi_core::ops::ProxyPackParams>(), bytemuck::bytes_of(&f).to_vec(), fields)
        }
        "proxy_spectrum" => {
            let f = dashi_core::ops::ProxySpectrumParams::new(64, 40, 17, true, 0xDEAD_BEEF);
            let fields = vec![
                ("n", U(f.n)),
                ("d", U(f.d)),
                ("low", U(f.low)),
                ("anchors", U(f.anchors)),
                ("residual", U(f.residual)),
                ("seed", U(f.seed)),
            ];
            assert_eq!(f.d, 2 * 40 + 4 + 2 * 17);
            (size_of::<dashi_core::ops::ProxySpectrumParams>(), bytemuck::bytes_of(&f).to_vec(), fields)
        }
        "box_smooth" => {
            let f = dashi_core::ops::BoxSmoothParams::new(11, 13, 2);
            let fields = vec![("width", U(f.width)), ("height", U(f.height)), ("radius", U(f.radius))];
            (size_of::<dashi_core::ops::BoxSmoothParams>(), bytemuck::bytes_of(&f).to_vec(), fields)
        }
        "threshold_gate" => {
            let f = dashi_core::ops::ThresholdGateParams::new(11, 0.25, true);
            let fields = vec![("n", U(f.n)), ("tau_rel", F(f.tau_rel)), ("gated", U(f.gated))];
            (size_of::<dashi_core::ops::ThresholdGateParams>(), bytemuck::bytes_of(&f).to_vec(), fields)
        }
        "fining_closure" => {
            let f = dashi_core::ops::FiningClosureParams::new(3, 1e-3);
            let fields = vec![("level", U(f.level)), ("epsilon", F(f.epsilon))];
            (size_of::<dashi_core::ops::FiningClosureParams>(), bytemuck::bytes_of(&f).to_vec(), fields)
        }
        "biot_savart" => {
            let f = dashi_core::ops::BiotSavartParams::new(300, 17, 3);
            let fields = vec![("sources", U(f.sources)), ("targets", U(f.targets)), ("columns", U(f.columns))];
            (size_of::<dashi_core::ops::BiotSavartParams>(), bytemuck::bytes_of(&f).to_vec(), fields)
        }
        other => panic!("op {other} has no parameter struct mapping in this test: add one"),
    }
}

fn rule_names(rule: &LenRule) -> &'static [&'static str] {
    match rule {
        LenRule::Product(n) | LenRule::Words(n) | LenRule::Complex(n) => n,
        LenRule::Fixed(_) => &[],
    }
}

#[test]
fn op_specs_match_their_param_structs() {
    let mut op_names = HashSet::new();
    for spec in REGISTRY {
        let op = spec.name;
        assert!(op_names.insert(op), "duplicate op name {op}");
        assert!(std::ptr::eq(find_op(op).unwrap(), *spec), "find_op({op})");
        assert!(REGISTRY.iter().filter(|s| s.id == spec.id).count() == 1, "{op}: OpId shared");
        assert!(!spec.summary.is_empty() && !spec.family.is_empty(), "{op}: summary and family");

        let (size, bytes, fields) = params_struct(op);
        assert_eq!(spec.params_size, size, "{op}: params_size vs size_of");
        assert_eq!(spec.params_size % 16, 0, "{op}: params block padded to 16 bytes");
        assert!(4 * spec.params.len() <= spec.params_size, "{op}: fields fit in the block");
        let names: Vec<&str> = spec.params.iter().map(|f| f.name).collect();
        let struct_names: Vec<&str> = fields.iter().map(|f| f.0).collect();
        assert_eq!(names, struct_names, "{op}: field list vs struct fields");
        let unique: HashSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len(), "{op}: duplicate parameter names");
        // Each field lives at 4·position with the declared type; the rest is zero padding.
        let p = Params::new(spec, &bytes);
        for (f, (_, v)) in spec.params.iter().zip(&fields) {
            match (f.ty, v) {
                (ParamType::U32, FieldValue::U(want)) => assert_eq!(p.u32(f.name), *want, "{op}.{}", f.name),
                (ParamType::F32, FieldValue::F(want)) => {
                    assert_eq!(p.f32(f.name).to_bits(), want.to_bits(), "{op}.{}", f.name)
                }
                (ty, v) => panic!("{op}.{}: spec type {ty:?}, struct value {v:?}", f.name),
            }
        }
        assert!(bytes[4 * spec.params.len()..].iter().all(|&b| b == 0), "{op}: padding is zero");

        // Bindings: indices 0..len in order, unique names.
        let mut bnames = HashSet::new();
        for (i, b) in spec.bindings.iter().enumerate() {
            assert_eq!(b.index as usize, i, "{op}: binding {} out of order", b.name);
            assert!(bnames.insert(b.name), "{op}: duplicate binding name {}", b.name);
        }
        assert!(spec.bindings.iter().any(|b| b.access == Access::ReadWrite), "{op}: writes nothing");

        // Every size, rule and dispatch name is a u32 parameter of this op.
        let is_u32 = |n: &str| spec.params.iter().any(|f| f.name == n && f.ty == ParamType::U32);
        for s in spec.sizes {
            assert!(is_u32(s), "{op}: size {s} is not a u32 parameter");
            // …and bounds some buffer, so a huge size is refused as BufferTooSmall.
            assert!(spec.bindings.iter().any(|b| rule_names(&b.len).contains(s)), "{op}: size {s} bounds no buffer");
        }
        let mut used: Vec<&str> = spec.bindings.iter().flat_map(|b| rule_names(&b.len)).copied().collect();
        match spec.dispatch {
            Dispatch::Threads { count, workgroup } => {
                used.extend(rule_names(&count));
                assert!((1..=256).contains(&workgroup), "{op}: workgroup {workgroup}");
            }
            Dispatch::Grid { x, y, wx, wy } => {
                used.extend(rule_names(&x));
                used.extend(rule_names(&y));
                assert!(wx >= 1 && wy >= 1 && wx * wy <= 256, "{op}: workgroup {wx}×{wy}");
            }
            Dispatch::Tiled { x, y, tile_x, tile_y, wx, wy } => {
                used.extend(rule_names(&x));
                used.extend(rule_names(&y));
                assert!(wx >= 1 && wy >= 1 && wx * wy <= 256, "{op}: workgroup {wx}×{wy}");
                // A tile may be smaller than the workgroup: shell_spectrum reduces one shell
                // (tile 1) with 256 invocations.
                assert!(tile_x >= 1 && tile_y >= 1, "{op}: empty tile {tile_x}×{tile_y}");
            }
            Dispatch::Single { workgroup } => assert!((1..=256).contains(&workgroup), "{op}: workgroup {workgroup}"),
        }
        for n in used {
            assert!(is_u32(n), "{op}: length/dispatch rule uses {n}, not a u32 parameter");
            // A rule over a non-size parameter could evaluate to 0: every rule name is a size.
            assert!(spec.sizes.contains(&n), "{op}: rule name {n} is not in sizes (could be 0)");
        }
    }
}

#[test]
fn checked_dispatch_reports_workgroups() {
    let descs = |lens: &[(ElemType, usize)]| -> Vec<BufferDesc> {
        lens.iter().enumerate().map(|(i, &(elem, len))| BufferDesc { id: i as u32, elem, len }).collect()
    };
    let r = ElemType::Real;
    let p = LenParams::new(257);
    assert_eq!(ADD.check(bytemuck::bytes_of(&p), &descs(&[(r, 257), (r, 257), (r, 257)])), Ok([2, 1, 1]));
    // 128×64 (rows × columns) output tiles: ⌈33/64⌉ × ⌈17/128⌉ and ⌈130/64⌉ × ⌈129/128⌉.
    let p = GemmParams::new(17, 3, 33);
    assert_eq!(GEMM_BATCHED.check(bytemuck::bytes_of(&p), &descs(&[(r, 51), (r, 99), (r, 561)])), Ok([1, 1, 1]));
    let p = GemmParams::new(129, 2, 130);
    assert_eq!(GEMM_BATCHED.check(bytemuck::bytes_of(&p), &descs(&[(r, 258), (r, 260), (r, 16770)])), Ok([3, 2, 1]));
    let p = LenParams::new(1);
    assert_eq!(REDUCE_SUM.check(bytemuck::bytes_of(&p), &descs(&[(r, 1), (r, 1)])), Ok([1, 1, 1]));
    let p = StencilParams::new(33, 3, Neighbourhood::FOUR, 1);
    let u = ElemType::U32;
    // 99 cells → 4 words → 1 workgroup of 64 words.
    assert_eq!(MAJORITY.check(bytemuck::bytes_of(&p), &descs(&[(u, 4), (u, 4), (u, 4), (u, 4)])), Ok([1, 1, 1]));
}

// ---------------------------------------------------------------------------------
// Typed errors
// ---------------------------------------------------------------------------------

#[test]
fn bad_dispatches_are_typed_errors() {
    use ExecError::{
        Aliased, BindingCount, BufferTooSmall, InvalidParams, OpFailed, ParamsSize, UnknownBuffer, ZeroSize,
    };
    let mut ex = CpuExecutor::new(Precision::F64);
    let mut g = SplitMix64::new(18);
    let (x, _) = real_buf(&mut ex, &random_reals(&mut g, 8));
    let (y, _) = real_buf(&mut ex, &random_reals(&mut g, 8));
    let out = poisoned_real(&mut ex, 8);
    let words = ex.alloc(ElemType::U32, 8).unwrap();
    let p8 = ScalarParams::new(8, 2.0);

    // Wrong params size (too short, too long, another op's struct).
    let e = ex.enqueue(&AXPY, &[x, y], &[0u8; 8]).unwrap_err();
    assert_eq!(e, ParamsSize { op: "axpy", expected: 16, found: 8 });
    assert!(matches!(ex.enqueue(&AXPY, &[x, y], &[0u8; 32]), Err(ParamsSize { found: 32, .. })));
    let e = ex.run(&MAJORITY, &[words, words, out, out], &LenParams::new(8)).unwrap_err();
    assert_eq!(e, ParamsSize { op: "majority", expected: 32, found: 16 });
    // Wrong binding count.
    assert_eq!(ex.run(&AXPY, &[x], &p8), Err(BindingCount { op: "axpy", expected: 2, found: 1 }));
    assert_eq!(ex.run(&AXPY, &[x, y, out], &p8), Err(BindingCount { op: "axpy", expected: 2, found: 3 }));
    // Wrong element type.
    assert_eq!(
        ex.run(&AXPY, &[words, y], &p8),
        Err(ExecError::ElemType { op: "axpy", binding: 0, name: "x", expected: ElemType::Real, found: ElemType::U32 })
    );
    // Buffer too small, and a huge size refused the same way (nothing allocated).
    assert_eq!(
        ex.run(&AXPY, &[x, y], &ScalarParams::new(9, 1.0)),
        Err(BufferTooSmall { op: "axpy", binding: 0, name: "x", required: 9, found: 8 })
    );
    assert_eq!(
        ex.run(&AXPY, &[x, y], &ScalarParams::new(u32::MAX, 1.0)),
        Err(BufferTooSmall { op: "axpy", binding: 0, name: "x", required: u32::MAX as usize, found: 8 })
    );
    let huge = GemmParams::new(u32::MAX, u32::MAX, u32::MAX);
    assert!(matches!(ex.run(&GEMM_BATCHED, &[x, y, out], &huge), Err(BufferTooSmall { binding: 0, .. })));
    let huge = StencilParams::new(u32::MAX, u32::MAX, Neighbourhood::FOUR, 1);
    assert!(matches!(ex.run(&MAJORITY, &[words, words, out, out], &huge), Err(BufferTooSmall { binding: 0, .. })));
    // Zero size.
    assert_eq!(ex.run(&AXPY, &[x, y], &ScalarParams::new(0, 1.0)), Err(ZeroSize { op: "axpy", param: "n" }));
    assert_eq!(
        ex.run(&GEMV_ROW, &[x, y, out], &GemvParams::new(2, 0)),
        Err(ZeroSize { op: "gemv_row", param: "cols" })
    );
    let k0 = TopKParams::new(8, 0);
    assert_eq!(ex.run(&TOP_K, &[x, words], &k0), Err(ZeroSize { op: "top_k", param: "k" }));
    // Aliasing a written buffer with another binding; two reads of one buffer are fine.
    assert_eq!(ex.run(&AXPY, &[x, x], &p8), Err(Aliased { op: "axpy", buffer: x.0, first: "x", second: "y" }));
    assert_eq!(
        ex.run(&ADD, &[x, y, y], &LenParams::new(8)),
        Err(Aliased { op: "add", buffer: y.0, first: "y", second: "out" })
    );
    ex.run(&ADD, &[x, x, out], &LenParams::new(8)).unwrap();
    let (w2, w3) = (ex.alloc(ElemType::U32, 1).unwrap(), ex.alloc(ElemType::U32, 1).unwrap());
    let th = ThresholdParams::new(8, 0.5);
    assert!(matches!(ex.run(&THRESHOLD, &[x, w2, w2], &th), Err(Aliased { first: "support", second: "sign", .. })));
    ex.run(&THRESHOLD, &[x, w2, w3], &th).unwrap();
    // k > n.
    let idx = ex.alloc(ElemType::U32, 9).unwrap();
    assert!(matches!(ex.run(&TOP_K, &[x, idx], &TopKParams::new(8, 9)), Err(InvalidParams { op: "top_k", .. })));
    // Stencil domains: code, radius, eta.
    let (s1, g1, s2, g2) =
        (u32_buf(&mut ex, &[0]), u32_buf(&mut ex, &[0]), poisoned_u32(&mut ex, 1), poisoned_u32(&mut ex, 1));
    let planes = [s1, g1, s2, g2];
    let mut bad = StencilParams::new(5, 5, Neighbourhood::FOUR, 1);
    bad.stencil = 2;
    assert!(matches!(ex.run(&MAJORITY, &planes, &bad), Err(InvalidParams { op: "majority", .. })));
    assert!(matches!(ex.run(&ANNIHILATE, &planes, &bad), Err(InvalidParams { op: "annihilate", .. })));
    let too_wide = StencilParams::new(5, 5, Neighbourhood::new(Stencil::Moore, 3), 1);
    assert!(matches!(ex.run(&MAJORITY, &planes, &too_wide), Err(InvalidParams { .. })));
    assert!(matches!(ex.run(&ANNIHILATE, &planes, &too_wide), Err(InvalidParams { .. })));
    let eta0 = StencilParams::new(5, 5, Neighbourhood::FOUR, 0);
    assert!(matches!(ex.run(&MAJORITY, &planes, &eta0), Err(InvalidParams { op: "majority", .. })));
    ex.run(&ANNIHILATE, &planes, &eta0).unwrap(); // eta is majority's only
    // On a 1×1 grid the radius is unconstrained (degenerate axes).
    ex.run(&MAJORITY, &planes, &StencilParams::new(1, 1, Neighbourhood::new(Stencil::Moore, 1000), 1)).unwrap();
    // tau ≤ 0, NaN, ±∞.
    for tau in [0.0, -0.0, -1.0, f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let r = ex.run(&THRESHOLD, &[x, w2, w3], &ThresholdParams::new(8, tau));
        assert!(matches!(r, Err(InvalidParams { op: "threshold", .. })), "tau = {tau}: {r:?}");
    }
    // Duplicate scatter indices (in range): OpFailed, output untouched.
    let (vals, _) = real_buf(&mut ex, &[1.0, 2.0, 3.0]);
    let dup = u32_buf(&mut ex, &[4, 1, 4]);
    let target = poisoned_real(&mut ex, 8);
    let r = ex.run(&SCATTER, &[vals, dup, target], &GatherParams::new(8, 3));
    assert!(matches!(r, Err(OpFailed { op: "scatter", .. })), "{r:?}");
    assert_eq!(ex.download_real(target).unwrap(), [POISON_REAL; 8], "failed scatter leaves out untouched");
    // Repeated out-of-range indices are skipped, not duplicates.
    let oob = u32_buf(&mut ex, &[9, 1, 9]);
    ex.run(&SCATTER, &[vals, oob, target], &GatherParams::new(8, 3)).unwrap();
    assert_eq!(ex.download_real(target).unwrap()[..3], [POISON_REAL, 2.0, POISON_REAL]);
    // Non-canonical planes: sign without support, and bits past the last cell.
    let p25 = StencilParams::new(5, 5, Neighbourhood::FOUR, 1);
    let (sup, sgn) = (u32_buf(&mut ex, &[0b01]), u32_buf(&mut ex, &[0b11]));
    let (o1, o2) = (poisoned_u32(&mut ex, 1), poisoned_u32(&mut ex, 1));
    let r = ex.run(&MAJORITY, &[sup, sgn, o1, o2], &p25);
    assert!(matches!(r, Err(OpFailed { op: "majority", .. })), "{r:?}");
    let (tail, zero) = (u32_buf(&mut ex, &[1 << 25]), u32_buf(&mut ex, &[0]));
    let r = ex.run(&MAJORITY, &[tail, zero, o1, o2], &p25);
    assert!(matches!(r, Err(OpFailed { op: "majority", .. })), "{r:?}");
    let r = ex.run(&ANNIHILATE, &[tail, zero, o1, o2], &p25);
    assert!(matches!(r, Err(OpFailed { op: "annihilate", .. })), "{r:?}");
    assert_eq!(ex.download_u32(o1).unwrap(), [POISON_U32], "failed op leaves outputs untouched");
    // Unknown and freed buffer ids in enqueue.
    assert_eq!(ex.run(&AXPY, &[x, BufferId(9999)], &p8), Err(UnknownBuffer(9999)));
    let tmp = ex.alloc(ElemType::Real, 8).unwrap();
    ex.free(tmp).unwrap();
    assert_eq!(ex.run(&AXPY, &[tmp, y], &p8), Err(UnknownBuffer(tmp.0)));
    // None of the refused dispatches reached the op: y is still what was uploaded.
}

#[test]
fn buffer_management_errors_are_typed() {
    use ExecError::{NonFinite, TransferMismatch, UnknownBuffer, ZeroSizedBuffer};
    for prec in PRECISIONS {
        let mut ex = CpuExecutor::new(prec);
        for elem in [ElemType::Real, ElemType::U32, ElemType::I32] {
            assert_eq!(ex.alloc(elem, 0), Err(ZeroSizedBuffer), "alloc({elem:?}, 0)");
        }
        let r = ex.alloc(ElemType::Real, 4).unwrap();
        let u = ex.alloc(ElemType::U32, 4).unwrap();
        let i = ex.alloc(ElemType::I32, 4).unwrap();
        // Upload with the wrong length.
        let mismatch = |buffer: BufferId, elem, found| TransferMismatch { buffer: buffer.0, elem, expected: 4, found };
        assert_eq!(ex.upload_real(r, &[1.0; 3]), Err(mismatch(r, ElemType::Real, 3)));
        assert_eq!(ex.upload_real(r, &[1.0; 5]), Err(mismatch(r, ElemType::Real, 5)));
        assert_eq!(ex.upload_u32(u, &[]), Err(mismatch(u, ElemType::U32, 0)));
        assert_eq!(ex.upload_i32(i, &[1; 7]), Err(mismatch(i, ElemType::I32, 7)));
        // Upload/download of the wrong type.
        assert_eq!(ex.upload_real(u, &[1.0; 4]), Err(mismatch(u, ElemType::U32, 4)));
        assert_eq!(ex.upload_u32(r, &[1; 4]), Err(mismatch(r, ElemType::Real, 4)));
        assert_eq!(ex.upload_i32(u, &[1; 4]), Err(mismatch(u, ElemType::U32, 4)));
        assert_eq!(ex.download_real(u), Err(mismatch(u, ElemType::U32, 0)));
        assert_eq!(ex.download_u32(i), Err(mismatch(i, ElemType::I32, 0)));
        assert_eq!(ex.download_i32(r), Err(mismatch(r, ElemType::Real, 0)));
        // Non-finite uploads name the first bad index; the buffer is untouched.
        ex.upload_real(r, &[1.0, 2.0, 3.0, 4.0]).unwrap();
        // (NonFinite carries NaN, never `==` itself: match structurally.)
        let e = ex.upload_real(r, &[0.0, f64::NAN, 1.0, f64::INFINITY]).unwrap_err();
        assert!(matches!(e, NonFinite { buffer, index: 1, value, .. } if buffer == r.0 && value.is_nan()), "{e:?}");
        let e = ex.upload_real(r, &[0.0, 1.0, f64::NEG_INFINITY, 1.0]).unwrap_err();
        assert!(matches!(e, NonFinite { index: 2, value, .. } if value == f64::NEG_INFINITY), "{e:?}");
        assert_eq!(ex.download_real(r).unwrap(), [1.0, 2.0, 3.0, 4.0]);
        // Unknown and freed ids everywhere.
        let ghost = BufferId(4242);
        assert_eq!(ex.download_real(ghost), Err(UnknownBuffer(4242)));
        assert_eq!(ex.upload_u32(ghost, &[1]), Err(UnknownBuffer(4242)));
        assert_eq!(ex.buffer_desc(ghost), Err(UnknownBuffer(4242)));
        assert_eq!(ex.free(ghost), Err(UnknownBuffer(4242)));
        ex.free(u).unwrap();
        assert_eq!(ex.free(u), Err(UnknownBuffer(u.0)), "double free");
        assert_eq!(ex.download_u32(u), Err(UnknownBuffer(u.0)));
        assert_eq!(ex.upload_u32(u, &[0; 4]), Err(UnknownBuffer(u.0)));
        assert_eq!(ex.buffer_desc(u), Err(UnknownBuffer(u.0)));
        // Ids are not reused after free.
        let again = ex.alloc(ElemType::U32, 4).unwrap();
        assert_ne!(again, u);
        assert_eq!(ex.download_u32(u), Err(UnknownBuffer(u.0)));
    }
}

// ---------------------------------------------------------------------------------
// Regression tests for defects found in src/ while writing this suite (all fixed).
// ---------------------------------------------------------------------------------

#[test]
fn majority_with_huge_eta_zeroes_every_cell() {
    // s·Σ ≤ |N[x]| < η for every cell when η = u32::MAX, so the output must be all zero.
    let values = [1, 1, 1, 0, -1];
    let input = carrier_of(&values, 1, 5);
    let kernel = Majority::new(Neighbourhood::FOUR, u32::MAX).unwrap().apply(&input).unwrap();
    let mut ex = CpuExecutor::new(Precision::F64);
    let executor = run_stencil(&mut ex, &values, 1, 5, Neighbourhood::FOUR, Some(u32::MAX));
    assert_eq!(naive_majority(&values, 1, 5, 1, false, u32::MAX), [0; 5]);
    assert_eq!(kernel.support_count(), 0, "kernel kept {:?}", kernel.to_i8());
    assert_eq!(executor, (vec![0], vec![0]), "executor kept cells");
}

#[test]
fn f32_upload_beyond_f32_range_is_refused() {
    let mut ex = CpuExecutor::new(Precision::F32);
    let b = ex.alloc(ElemType::Real, 2).unwrap();
    let r = ex.upload_real(b, &[1.0, 1e300]);
    let stored = ex.download_real(b).unwrap();
    assert!(r.is_err(), "upload accepted 1e300 into an f32 buffer; buffer now holds {stored:?}");
}

#[test]
fn alloc_of_huge_length_is_a_typed_error() {
    let mut ex = CpuExecutor::new(Precision::F64);
    let r = catch_unwind(AssertUnwindSafe(|| ex.alloc(ElemType::Real, usize::MAX)));
    assert!(r.is_ok(), "alloc(Real, usize::MAX) panicked");
    assert!(r.unwrap().is_err(), "alloc(Real, usize::MAX) succeeded");
}

#[test]
fn non_finite_alpha_is_refused() {
    let mut ex = CpuExecutor::new(Precision::F64);
    let (x, _) = real_buf(&mut ex, &[1.0, 2.0]);
    for alpha in [f32::NAN, f32::INFINITY] {
        let r = ex.run(&SCALE, &[x], &ScalarParams::new(2, alpha));
        let now = ex.download_real(x).unwrap();
        assert!(r.is_err(), "scale by {alpha} accepted; x = {now:?}");
    }
}

// ---------------------------------------------------------------------------------
// Timings and device information
// ---------------------------------------------------------------------------------

#[test]
fn timings_and_device_info() {
    for prec in PRECISIONS {
        let mut ex = CpuExecutor::new(prec);
        let info = ex.device().clone();
        assert_eq!(info.backend, Backend::Cpu);
        assert_eq!(info.device_type, DeviceType::Cpu);
        assert_eq!(info.precision, prec);
        assert!(!info.device_name.is_empty() && !info.driver.is_empty());
        assert!(ex.timings().is_empty());

        let mut g = SplitMix64::new(19);
        let (x, _) = real_buf(&mut ex, &random_reals(&mut g, 64));
        let (y, _) = real_buf(&mut ex, &random_reals(&mut g, 64));
        let out = poisoned_real(&mut ex, 64);
        for _ in 0..3 {
            ex.run(&AXPY, &[x, y], &ScalarParams::new(64, 0.5)).unwrap();
        }
        ex.run(&ADD, &[x, y, out], &LenParams::new(64)).unwrap();
        ex.run(&ADD, &[x, y, out], &LenParams::new(64)).unwrap();
        ex.run(&REDUCE_SUM, &[x, out], &LenParams::new(64)).unwrap();
        // Refused dispatches never run and are not counted.
        assert!(ex.run(&AXPY, &[x, y], &ScalarParams::new(0, 0.5)).is_err());
        assert!(ex.run(&MUL, &[x, y, x], &LenParams::new(64)).is_err());
        ex.flush().unwrap();

        let t = ex.timings();
        let by_name: BTreeMap<&str, u64> = t.iter().map(|t| (t.op, t.dispatches)).collect();
        assert_eq!(by_name.len(), t.len(), "one entry per op");
        assert_eq!(by_name, BTreeMap::from([("axpy", 3), ("add", 2), ("reduce_sum", 1)]));
        // The CPU has no device timer: host time is the op's run time, device_ns is None
        // (never the same interval reported twice).
        assert!(t.iter().all(|t| t.device_ns.is_none()));
        ex.reset_timings();
        assert!(ex.timings().is_empty());
        ex.run(&AXPY, &[x, y], &ScalarParams::new(64, 0.5)).unwrap();
        assert_eq!(ex.timings().iter().map(|t| (t.op, t.dispatches)).collect::<Vec<_>>(), [("axpy", 1)]);
    }
}

// ---------------------------------------------------------------------------------
// Fuzz: enqueue never panics
// ---------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum LenPlan {
    /// Exactly the length rule (when it evaluates to ≤ 4096), else a random length.
    Fit,
    /// One short of the rule.
    FitMinusOne,
    /// A random length; 0 means "try alloc(0)".
    Random(usize),
}

#[derive(Clone, Debug)]
enum BindPlan {
    Fresh {
        elem: Option<u8>,
        len: LenPlan,
        data: u8,
        seed: u64,
    },
    /// The same id as an earlier binding of this dispatch.
    Alias(usize),
    Freed,
    Unknown,
}

#[derive(Clone, Debug)]
struct DispatchPlan {
    op: usize,
    /// Tame the domain parameters (stencil code, radius, eta, tau, k, sizes) so that
    /// valid dispatches are common; otherwise the words are used as drawn.
    tame: bool,
    words: Vec<u32>,
    params_len: Option<usize>,
    count: Option<usize>,
    binds: Vec<BindPlan>,
}

fn word_strategy() -> impl Strategy<Value = u32> {
    prop_oneof![
        4 => 0u32..8,
        3 => 0u32..40,
        1 => Just(u32::MAX),
        1 => any::<u32>(),
        2 => (-4.0f32..4.0).prop_map(f32::to_bits),
    ]
}

fn bind_strategy() -> impl Strategy<Value = BindPlan> {
    let len = prop_oneof![
        4 => Just(LenPlan::Fit),
        1 => Just(LenPlan::FitMinusOne),
        3 => (0usize..70).prop_map(LenPlan::Random),
    ];
    prop_oneof![
        40 => (prop::option::weighted(0.1, 0u8..3), len, 0u8..4, any::<u64>())
            .prop_map(|(elem, len, data, seed)| BindPlan::Fresh { elem, len, data, seed }),
        1 => (0usize..8).prop_map(BindPlan::Alias),
        1 => Just(BindPlan::Freed),
        1 => Just(BindPlan::Unknown),
    ]
}

fn dispatch_strategy() -> impl Strategy<Value = DispatchPlan> {
    (
        0..REGISTRY.len(),
        any::<bool>(),
        prop::collection::vec(word_strategy(), 12),
        prop::option::weighted(0.1, 0usize..48),
        prop::option::weighted(0.1, 0usize..7),
        prop::collection::vec(bind_strategy(), 7),
    )
        .prop_map(|(op, tame, words, params_len, count, binds)| DispatchPlan {
            op,
            tame,
            words,
            params_len,
            count,
            binds,
        })
}

#[derive(Debug, PartialEq)]
enum Snapshot {
    Real(Vec<u64>),
    U32(Vec<u32>),
    I32(Vec<i32>),
}

fn snapshot(ex: &mut CpuExecutor, id: BufferId) -> Option<Snapshot> {
    let (elem, _) = ex.buffer_desc(id).ok()?;
    Some(match elem {
        ElemType::Real => Snapshot::Real(ex.download_real(id).unwrap().iter().map(|v| v.to_bits()).collect()),
        ElemType::U32 => Snapshot::U32(ex.download_u32(id).unwrap()),
        ElemType::I32 => Snapshot::I32(ex.download_i32(id).unwrap()),
    })
}

/// How a fresh buffer is filled.
#[derive(Clone, Copy)]
struct FillPlan {
    /// 0 leaves it zero (canonical planes); 1 random; 2 canonical-looking planes; 3 small indices.
    data: u8,
    seed: u64,
    /// Shared by every buffer of one dispatch, so planes 0 and 1 pair up.
    dispatch_seed: u64,
    slot: usize,
    /// Cells of the grid (stencil ops with a well-formed params block).
    cells: Option<usize>,
}

/// Fills a fresh buffer per the plan.
fn fill(ex: &mut CpuExecutor, id: BufferId, elem: ElemType, len: usize, plan: FillPlan) {
    let FillPlan { data, seed, dispatch_seed, slot, cells } = plan;
    let mut g = SplitMix64::new(seed);
    match elem {
        ElemType::Real if data != 0 => {
            let scale = [1e-3, 1.0, 1e3][g.below(3) as usize];
            let v: Vec<f64> = (0..len).map(|_| g.normal() * scale).collect();
            ex.upload_real(id, &v).unwrap();
        }
        ElemType::U32 => {
            let v: Vec<u32> = match data {
                0 => return,
                1 => (0..len).map(|_| g.next_u64() as u32).collect(),
                // Canonical-looking plane words, tail bits past `cells` clear. Every buffer
                // of a dispatch draws from the same stream: even slots take `s` (support),
                // odd slots `s & n` (sign ⊆ support).
                2 => {
                    let mut shared = SplitMix64::new(dispatch_seed);
                    (0..len)
                        .map(|w| {
                            let (s, n) = (shared.next_u64() as u32, shared.next_u64() as u32);
                            let valid = match cells {
                                Some(c) if w * 32 >= c => 0,
                                Some(c) if (w + 1) * 32 > c => (1u32 << (c % 32)) - 1,
                                _ => u32::MAX,
                            };
                            if slot % 2 == 0 { s & valid } else { s & n & valid }
                        })
                        .collect()
                }
                _ => (0..len).map(|_| g.below(80) as u32).collect(),
            };
            ex.upload_u32(id, &v).unwrap();
        }
        ElemType::I32 => {
            let v: Vec<i32> = (0..len).map(|_| g.next_u64() as i32).collect();
            ex.upload_i32(id, &v).unwrap();
        }
        ElemType::Real => {}
    }
}

fn elem_of(code: u8) -> ElemType {
    [ElemType::Real, ElemType::U32, ElemType::I32][code as usize % 3]
}

fn fuzz_dispatch(ex: &mut CpuExecutor, plan: &DispatchPlan) -> Result<(), TestCaseError> {
    let op: &'static OpSpec = REGISTRY[plan.op];
    let mut words = plan.words.clone();
    if plan.tame {
        let n = op.params.iter().position(|f| f.name == "n").map(|i| words[i]);
        for (i, f) in op.params.iter().enumerate() {
            let w = words[i];
            words[i] = match f.name {
                "stencil" => w & 1,
                "radius" => w % 3,
                "eta" => 1 + w % 4,
                "tau" | "alpha" => (0.05 + (w % 1000) as f32 / 400.0).to_bits(),
                "k" => w.min(n.unwrap_or(w)),
                s if op.sizes.contains(&s) && w > 40 => 1 + w % 40,
                _ => w,
            };
        }
    }
    let mut bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    bytes.resize(plan.params_len.unwrap_or(op.params_size), 0xA5);
    let params = (bytes.len() == op.params_size).then(|| Params::new(op, &bytes));
    let cells = params.filter(|_| op.params.iter().any(|f| f.name == "width")).and_then(|p| {
        let c = u64::from(p.u32("width")) * u64::from(p.u32("height"));
        usize::try_from(c).ok()
    });
    let count = plan.count.unwrap_or(op.bindings.len());
    let mut ids: Vec<BufferId> = Vec::new();
    for (slot, bind) in plan.binds.iter().take(count).enumerate() {
        let binding = op.bindings.get(slot);
        let required = binding.zip(params).map(|(b, p)| b.len.eval(&p)).filter(|&r| r <= 4096);
        let id = match bind {
            BindPlan::Fresh { elem, len, data, seed } => {
                let elem = elem.map(elem_of).or(binding.map(|b| b.elem)).unwrap_or(ElemType::Real);
                let random = 1 + (*seed % 69) as usize;
                let len = match len {
                    LenPlan::Fit => required.unwrap_or(random),
                    LenPlan::FitMinusOne => required.map_or(random, |r| r.saturating_sub(1)),
                    LenPlan::Random(n) => *n,
                };
                let alloc = catch_unwind(AssertUnwindSafe(|| ex.alloc(elem, len)));
                prop_assert!(alloc.is_ok(), "alloc({elem:?}, {len}) panicked");
                match alloc.unwrap() {
                    Ok(id) => {
                        let dispatch_seed = u64::from(plan.words[0]) << 32 | u64::from(plan.words[1]);
                        // Tame carrier dispatches get canonical-looking planes.
                        let data = if plan.tame && op.family == "carrier" { 2 } else { *data };
                        fill(ex, id, elem, len, FillPlan { data, seed: *seed, dispatch_seed, slot, cells });
                        id
                    }
                    Err(e) => {
                        prop_assert_eq!(len, 0);
                        prop_assert_eq!(e, ExecError::ZeroSizedBuffer);
                        BufferId(u32::MAX - slot as u32) // never allocated
                    }
                }
            }
            BindPlan::Alias(k) => ids.get(k % ids.len().max(1)).copied().unwrap_or(BufferId(u32::MAX)),
            BindPlan::Freed => {
                let id = ex.alloc(ElemType::Real, 1).unwrap();
                ex.free(id).unwrap();
                id
            }
            BindPlan::Unknown => BufferId(1_000_000 + slot as u32),
        };
        ids.push(id);
    }

    let before: Vec<Option<Snapshot>> = ids.iter().map(|&id| snapshot(ex, id)).collect();
    let descs: Option<Vec<BufferDesc>> =
        ids.iter().map(|&id| ex.buffer_desc(id).ok().map(|(elem, len)| BufferDesc { id: id.0, elem, len })).collect();
    let expected = descs.as_ref().map(|d| op.check(&bytes, d));

    let outcome = catch_unwind(AssertUnwindSafe(|| ex.enqueue(op, &ids, &bytes)));
    prop_assert!(outcome.is_ok(), "enqueue({}) panicked: params {:?}, buffers {:?}", op.name, bytes, descs);
    let result = outcome.unwrap();
    match expected {
        None => prop_assert!(matches!(result, Err(ExecError::UnknownBuffer(_))), "{}: {:?}", op.name, result),
        Some(Err(e)) => prop_assert_eq!(&result, &Err(e), "{}: enqueue must report check's error", op.name),
        Some(Ok(_)) => prop_assert!(
            matches!(result, Ok(()) | Err(ExecError::OpFailed { .. })),
            "{}: validated dispatch returned {:?}",
            op.name,
            result
        ),
    }
    let after: Vec<Option<Snapshot>> = ids.iter().map(|&id| snapshot(ex, id)).collect();
    for (slot, (b, a)) in before.iter().zip(&after).enumerate() {
        let read_only = op.bindings.get(slot).is_some_and(|b| b.access == Access::Read)
            && !ids
                .iter()
                .enumerate()
                .any(|(j, &id)| id == ids[slot] && op.bindings.get(j).is_some_and(|b| b.access == Access::ReadWrite));
        if result.is_err() || read_only {
            prop_assert_eq!(b, a, "{}: buffer of binding {} changed ({:?})", op.name, slot, result);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fuzz_enqueue_never_panics(
        f32_precision in any::<bool>(),
        plans in prop::collection::vec(dispatch_strategy(), 1..=3),
    ) {
        let mut ex = CpuExecutor::new(if f32_precision { Precision::F32 } else { Precision::F64 });
        for plan in &plans {
            fuzz_dispatch(&mut ex, plan)?;
        }
    }
}

// ---------------------------------------------------------------------------------
// docs/ABI.md lists every op as the registry describes it
// ---------------------------------------------------------------------------------

fn access_str(a: Access) -> &'static str {
    match a {
        Access::Read => "R",
        Access::ReadWrite => "RW",
    }
}

fn elem_str(e: ElemType) -> &'static str {
    match e {
        ElemType::Real => "real",
        ElemType::U32 => "u32",
        ElemType::I32 => "i32",
    }
}

fn dispatch_str(d: &Dispatch) -> String {
    match d {
        Dispatch::Threads { count, workgroup } => format!("threads({}) / {workgroup}", count.describe()),
        Dispatch::Grid { x, y, wx, wy } => format!("grid({} × {}) / {wx}×{wy}", x.describe(), y.describe()),
        Dispatch::Tiled { x, y, tile_x, tile_y, wx, wy } => {
            format!("tiles({} × {}) of {tile_x}×{tile_y} / {wx}×{wy}", x.describe(), y.describe())
        }
        Dispatch::Single { workgroup } => format!("single({workgroup})"),
    }
}

/// One markdown table row per op (pipes in formulas escaped).
fn abi_table_row(spec: &OpSpec) -> String {
    let bindings: Vec<String> = spec
        .bindings
        .iter()
        .map(|b| format!("{}:{} {} {} [{}]", b.index, b.name, access_str(b.access), elem_str(b.elem), b.len.describe()))
        .collect();
    let params: Vec<String> = spec
        .params
        .iter()
        .map(|f| {
            let ty = match f.ty {
                ParamType::U32 => "u32",
                ParamType::F32 => "f32",
            };
            let size = if spec.sizes.contains(&f.name) { "⁺" } else { "" };
            format!("{}{size}: {ty}", f.name)
        })
        .collect();
    format!(
        "| `{}` | {} | {} | {} ({} B, binding {}) | {} | `{}` |",
        spec.name,
        spec.family,
        bindings.join("<br>"),
        params.join(", "),
        spec.params_size,
        spec.bindings.len(),
        dispatch_str(&spec.dispatch),
        spec.summary.replace('|', "\\|"),
    )
}

#[test]
fn abi_doc_lists_every_op() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/ABI.md");
    let doc = std::fs::read_to_string(path).expect("docs/ABI.md");
    let rows: Vec<String> = REGISTRY.iter().map(|s| abi_table_row(s)).collect();
    // The op table: the rows after its header and separator, up to the first non-row.
    let lines: Vec<&str> = doc.lines().collect();
    let header = lines.iter().position(|l| l.starts_with("| op | family |")).expect("op table header in docs/ABI.md");
    let table: Vec<&str> = lines[header + 2..].iter().take_while(|l| l.starts_with('|')).copied().collect();
    assert!(
        table == rows,
        "docs/ABI.md op table is out of date (it must list REGISTRY in order); its rows should read:\n{}",
        rows.join("\n")
    );
}

#[test]
fn carrier_trit_api_agrees_with_planes() {
    // Sanity for the helpers above: planes_of / trit_at invert Carrier's layout.
    let mut g = SplitMix64::new(20);
    let v = random_trits(&mut g, 77);
    let c = carrier_of(&v, 7, 11);
    let (s, n) = planes_of(&v);
    assert_eq!((c.support_words(), c.sign_words()), (&s[..], &n[..]));
    for (i, &t) in v.iter().enumerate() {
        assert_eq!(trit_at(&s, &n, i), t);
        assert_eq!(c.get(i), Trit::try_from(t as i8).unwrap());
    }
}
