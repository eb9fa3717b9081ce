//! GPU ↔ CPU parity of the `codec` family (`src/ops/codec.wgsl`): `proxy_pack`,
//! `proxy_spectrum`, `box_smooth`, `threshold_gate`, `fining_select`,
//! `fining_closure`, `mask_combine`, and of the WGSL `mode_uniform24` against
//! `dashi_codec::ops::mode_uniform24`.
//!
//! Every case uploads fresh seeded random inputs (never all zero) rounded to f32, runs
//! the op on the GPU and on `CpuExecutor` (f64 for the accuracy checks, f32 for the
//! bit-exact ones) with every written buffer poisoned and `TAIL` elements longer than
//! the op may write (the tail must keep its poison).
//!
//! Tolerances (`u = 2⁻²⁴`, the f32 unit roundoff):
//!
//! * `proxy_pack` — bit-exact against both CPU precisions: a copy of f32 values (the
//!   f64 reference holds the same f32-rounded values) or the integer `K`, exact in f32.
//! * `proxy_spectrum` — low-band and anchor modes are copies with sign flips and
//!   swaps: bit-exact, and every zero-class mode exactly 0. Synthesised modes: per mode
//!   `|Δ| ≤ 5e-6·|s_band·w[m]|` against the f64 reference and relative L2 ≤ 1e-5 over
//!   each band. Budget: the anchor energy is an f32 sum of exact-scaled squares (a
//!   256-way tree after ≤ ⌈K/256⌉ terms per invocation: ≤ (K/256 + 10)·u relative); the
//!   tests draw `E_mid = (1 + f)·E_anchor`, f ∈ [0.5, 2], so the subtraction amplifies
//!   that by ≤ 1 + 1/f ≤ 3 (≈ 1.8e-6), halved by the square root, plus the square
//!   root's and the weight product's roundings (≤ 4u); the phasor is the shader's own
//!   polynomial (≤ ~5e-7 absolute, see `mode_uniform24_and_phasor_match_the_reference`).
//!   Together ≤ ~1.6e-6 per mode, so 5e-6 per mode and 1e-5 in L2 leave a 3× margin.
//!   With `E_mid < E_anchor` the mid scale clamps to 0 on both sides: exact zeros.
//!   `residual = 0`: bit-exact low band, all else exactly 0.
//! * `box_smooth` — `|Δ| ≤ (4r + 6)·u·mean_window|x|` against f64: the shader sums each
//!   row (2r additions), scales by the rounded 1/(2r+1) (2 roundings), sums the 2r + 1
//!   rows (2r additions) and scales again (2 roundings): ≤ (4r + 4)·u of the sum of
//!   |terms|/(2r+1)² = mean_window|x|, plus margin.
//! * `threshold_gate` — carrier words bit-identical to the f32 CPU reference (same f32
//!   τ = tau_rel·scale, plain comparisons), including cells exactly at ±τ; and
//!   bit-identical to the f64 reference on inputs kept ≥ 1e-4 relative away from ±τ
//!   (the f32 and f64 τ differ by ≤ u relative, so no cell can switch). scale ≤ 0 →
//!   all words 0.
//! * `fining_select`, `fining_closure`, `mask_combine` — bit-exact against the f32 CPU
//!   reference (copies, exact integer comparisons, one f32 addition); `mask_combine` is
//!   also within `u·|want|` of the f64 sum. `fining_closure` is compared exactly: the
//!   shader decides `|a − prev| < ε·max(prev, 1)` in integers, the CPU reference in
//!   f64, which is exact for counts below 2²⁹; the tests include boundary cases where
//!   an f32 comparison would disagree (ε = 0.05, prev = 200, |Δ| = 10).

use dashi_codec::codes;
use dashi_codec::ops::*;
use dashi_core::ops::testing::{self, Buf, POISON_I32, TAIL};
use dashi_core::ops::*;
use dashi_core::random::SplitMix64;
use dashi_gpu::gpu_or_skip;

const U: f64 = 1.0 / 16_777_216.0;

/// One dispatch through the harness ([`testing::run`]): written bindings get a poisoned
/// tail that must survive, read-only bindings must come back unchanged; returns every
/// binding's contents.
fn run<E: Executor>(exec: &mut E, op: &'static OpSpec, bufs: &[Buf], params: &[u8], what: &str) -> Vec<Buf> {
    testing::run(exec, op, bufs, params).unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn f32_round(v: f64) -> f64 {
    f64::from(v as f32)
}

/// `len` reals ±scale·[0.5, 1.5] with random signs, rounded to f32: never zero.
fn random_reals(g: &mut SplitMix64, len: usize, scale: f64) -> Vec<f64> {
    (0..len).map(|_| f32_round(g.uniform(0.5, 1.5) * scale * if g.below(2) == 0 { -1.0 } else { 1.0 })).collect()
}

fn cpu(prec: Precision) -> CpuExecutor {
    CpuExecutor::new(prec)
}

fn bits_equal(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

// ---------------------------------------------------------------------------------------
// reflection

/// This crate's families (`dashi_codec::ops::FAMILIES`): each assembled module validates
/// with naga and every op's entry point agrees with its spec (reflection; no device).
#[test]
fn codec_families_agree_with_their_specs() {
    for family in dashi_codec::ops::FAMILIES {
        assert!(!family.ops.is_empty(), "family {} has no op", family.name);
        dashi_gpu::reflect::check_family(family).unwrap_or_else(|e| panic!("{}: {e}", family.name));
    }
}

// ---------------------------------------------------------------------------------------
// proxy_pack

#[test]
fn proxy_pack_matches_the_cpu_reference() {
    let Some(mut gpu) = gpu_or_skip("proxy_pack_matches_the_cpu_reference") else { return };
    let mut g = SplitMix64::new(61);
    let base = codes::HEADER_BASE;
    for n in [2usize, 16, 64, 128] {
        let len = 2 * n * n;
        for d in [1usize, 5, 37, 300] {
            let amp = [1e-3, 1.0, 1e4][g.below(3) as usize];
            let spectrum = random_reals(&mut g, len, amp);
            let bands = random_reals(&mut g, 3, 10.0);
            let anchors = g.below(500) as u32;
            // Spectrum slots (first and last included), the four header codes, unused header
            // codes, and codes just past the spectrum: all kinds in every proxy.
            let slots: Vec<u32> = (0..d)
                .map(|e| match (e, g.below(6)) {
                    (0, _) => base + 1,
                    (1, _) => (len - 1) as u32,
                    (2, _) => base + 3,
                    (3, _) => base + 2,
                    (4, _) => base,
                    (_, 0) => base + 4 + g.below(252) as u32,
                    (_, 1) => len as u32 + g.below(1000) as u32,
                    (_, 2) => base + g.below(4) as u32,
                    _ => g.below(len as u64) as u32,
                })
                .collect();
            let params = ProxyPackParams::new(n as u32, d as u32, anchors);
            let bytes = dashi_core::bytemuck::bytes_of(&params);
            let bufs =
                [Buf::Real(spectrum.clone()), Buf::U32(slots.clone()), Buf::Real(bands.clone()), Buf::poison_real(d)];
            let what = format!("proxy_pack n={n} d={d}");
            let got = run(&mut gpu, &PROXY_PACK, &bufs, bytes, &what);
            let want32 = run(&mut cpu(Precision::F32), &PROXY_PACK, &bufs, bytes, &what);
            let want64 = run(&mut cpu(Precision::F64), &PROXY_PACK, &bufs, bytes, &what);
            let z = &got[3].reals()[..d];
            assert!(bits_equal(z, &want32[3].reals()[..d]), "{what}: differs from the f32 CPU reference");
            assert!(bits_equal(z, &want64[3].reals()[..d]), "{what}: differs from the f64 CPU reference");
            // And from the formula, independently.
            for (e, (&code, &v)) in slots.iter().zip(z).enumerate() {
                let want = if (code as usize) < len {
                    spectrum[code as usize]
                } else {
                    match code.wrapping_sub(base) {
                        1 => bands[1],
                        2 => bands[2],
                        3 => f64::from(anchors),
                        _ => 0.0,
                    }
                };
                assert_eq!(v.to_bits(), want.to_bits(), "{what}: slot {e} code {code:#x}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// proxy_spectrum

fn signed_k(i: usize, n: usize) -> i64 {
    if i < n / 2 { i as i64 } else { i as i64 - n as i64 }
}

/// The conjugate partner `−k` of mode `m`.
fn partner(m: usize, n: usize) -> usize {
    let (ix, iy) = (m % n, m / n);
    ((n - iy) % n) * n + (n - ix) % n
}

/// A realistic mode table: Nyquist lines and k = 0 class 0; low band |k| ≤ `low_k`
/// (slot per conjugate pair), `anchors` random anchors among the mid band
/// `low_k < |k| ≤ mid_k`, the rest of the mid band synthesised, high band the rest.
/// The representative of a pair has ky > 0 or (ky = 0, kx > 0); its partner carries the
/// conj bit. Weights are random, equal on both members of a pair.
struct ModeTable {
    low: u32,
    anchors: u32,
    modes: Vec<u32>,
    weights: Vec<f64>,
}

fn mode_table(g: &mut SplitMix64, n: usize, low_k: i64, mid_k: i64, anchors: usize) -> ModeTable {
    use codes as P;
    let mut modes = vec![P::code(P::CLASS_ZERO, false, 0); n * n];
    // Garbage weights where none is read.
    let mut weights: Vec<f64> = (0..n * n).map(|_| f32_round(g.uniform(10.0, 20.0))).collect();
    let (mut low, mut mids) = (0u32, Vec::new());
    for m in 0..n * n {
        let (ix, iy) = (m % n, m / n);
        if ix == n / 2 || iy == n / 2 {
            continue;
        }
        let (kx, ky) = (signed_k(ix, n), signed_k(iy, n));
        if !(ky > 0 || (ky == 0 && kx > 0)) {
            continue;
        }
        let (k2, p) = (kx * kx + ky * ky, partner(m, n));
        let w = f32_round(g.uniform(0.5, 1.5));
        if k2 <= low_k * low_k {
            modes[m] = P::code(P::CLASS_LOW, false, low);
            modes[p] = P::code(P::CLASS_LOW, true, low);
            low += 1;
        } else if k2 <= mid_k * mid_k {
            mids.push(m);
            weights[m] = w;
            weights[p] = w;
        } else {
            modes[m] = P::code(P::CLASS_HIGH, false, m as u32);
            modes[p] = P::code(P::CLASS_HIGH, true, m as u32);
            weights[m] = w;
            weights[p] = w;
        }
    }
    let anchors = anchors.min(mids.len());
    for a in 0..anchors {
        let pick = a + g.below((mids.len() - a) as u64) as usize;
        mids.swap(a, pick);
    }
    for (i, &m) in mids.iter().enumerate() {
        let p = partner(m, n);
        let (class, index) = if i < anchors { (P::CLASS_ANCHOR, i as u32) } else { (P::CLASS_MID, m as u32) };
        modes[m] = P::code(class, false, index);
        modes[p] = P::code(class, true, index);
    }
    ModeTable { low, anchors: anchors as u32, modes, weights }
}

/// A proxy vector for `table`: random low band and anchors of magnitude ~`amp`, header
/// `(0, E_mid, E_high, K)` with `E_mid = mid_factor·E_anchor`.
fn proxy_vector(g: &mut SplitMix64, t: &ModeTable, n: usize, amp: f64, mid_factor: f64) -> Vec<f64> {
    let (l, k) = (t.low as usize, t.anchors as usize);
    let mut z = random_reals(g, 2 * l + 4 + 2 * k, amp);
    let anchor_energy: f64 =
        (0..k).map(|a| z[2 * l + 4 + a].powi(2) + z[2 * l + 4 + k + a].powi(2)).sum::<f64>() / (n as f64).powi(4);
    z[2 * l] = 0.0;
    z[2 * l + 1] = f32_round(mid_factor * anchor_energy);
    z[2 * l + 2] = f32_round(g.uniform(0.1, 10.0) * anchor_energy.max(1e-6));
    z[2 * l + 3] = k as f64;
    z
}

#[test]
fn proxy_spectrum_matches_the_cpu_reference() {
    use codes as P;
    let Some(mut gpu) = gpu_or_skip("proxy_spectrum_matches_the_cpu_reference") else { return };
    let mut g = SplitMix64::new(62);
    // Worst per-mode relative error and band L2 error, mid and high.
    let mut worst = [0.0f64; 4];
    let mut cases = 0;
    // (n, anchors, mid |k| bound): mid |k| ≤ 10 as in the codec's defaults, plus a wide
    // mid band whose K > 256 anchors make each invocation of the energy reduction stride.
    for (n, anchors, mid_k) in [(32usize, 6usize, 10i64), (64, 12, 10), (64, 100, 10), (16, 3, 6), (64, 600, 24)] {
        for residual in [false, true] {
            for mid_factor in [1.5, 3.0, 0.5] {
                let t = mode_table(&mut g, n, 4, mid_k, anchors);
                assert!(anchors < 256 || t.anchors > 256, "n={n}: only {} anchors fit", t.anchors);
                let amp = [1.0, 1e3][g.below(2) as usize] * (n * n) as f64;
                let z = proxy_vector(&mut g, &t, n, amp, mid_factor);
                let seed = g.next_u64() as u32;
                let params = ProxySpectrumParams::new(n as u32, t.low, t.anchors, residual, seed);
                let bytes = dashi_core::bytemuck::bytes_of(&params);
                let len = 2 * n * n;
                let bufs = [
                    Buf::Real(z.clone()),
                    Buf::U32(t.modes.clone()),
                    Buf::Real(t.weights.clone()),
                    Buf::poison_real(len),
                ];
                let what =
                    format!("proxy_spectrum n={n} K={} residual={residual} E_mid/E_anchor={mid_factor}", t.anchors);
                let got = run(&mut gpu, &PROXY_SPECTRUM, &bufs, bytes, &what);
                let want64 = run(&mut cpu(Precision::F64), &PROXY_SPECTRUM, &bufs, bytes, &what);
                let want32 = run(&mut cpu(Precision::F32), &PROXY_SPECTRUM, &bufs, bytes, &what);
                let (got, want64, want32) = (got[3].reals(), want64[3].reals(), want32[3].reals());
                // (Σ|Δ|², Σ|want|²) per synthesised band.
                let mut l2 = [[0.0f64; 2]; 2];
                let mut synthesised = 0;
                for m in 0..n * n {
                    let code = t.modes[m];
                    let class = code >> 28;
                    let (gr, gi, wr, wi) = (got[2 * m], got[2 * m + 1], want64[2 * m], want64[2 * m + 1]);
                    let synth = residual && (class == P::CLASS_MID || class == P::CLASS_HIGH);
                    if !synth {
                        // Copies (low, anchors) and zeros: bit-exact against both precisions.
                        for c in 0..2 {
                            let at = 2 * m + c;
                            assert!(
                                got[at].to_bits() == want64[at].to_bits() && got[at].to_bits() == want32[at].to_bits(),
                                "{what}: mode {m} class {class} part {c}: {} vs {} / {}",
                                got[at],
                                want64[at],
                                want32[at]
                            );
                        }
                        if class == P::CLASS_ZERO || (!residual && class != P::CLASS_LOW) {
                            assert!(gr == 0.0 && gi == 0.0, "{what}: mode {m} of class {class} is not 0");
                        }
                        continue;
                    }
                    synthesised += 1;
                    let b = usize::from(class == P::CLASS_HIGH);
                    let scale = wr.hypot(wi);
                    if b == 0 && mid_factor < 1.0 {
                        assert!(gr == 0.0 && gi == 0.0 && scale == 0.0, "{what}: clamped mid mode {m} not 0");
                        continue;
                    }
                    assert!(scale > 0.0, "{what}: synthesised mode {m} of the reference is 0");
                    let err = (gr - wr).hypot(gi - wi);
                    worst[b] = worst[b].max(err / scale);
                    assert!(err <= 5e-6 * scale, "{what}: mode {m}: ({gr}, {gi}) vs ({wr}, {wi}): {:.3e}", err / scale);
                    l2[b][0] += err * err;
                    l2[b][1] += scale * scale;
                }
                assert_eq!(synthesised > 0, residual, "{what}: synthesised modes present iff residual");
                for b in 0..2 {
                    if l2[b][1] > 0.0 {
                        let rel = (l2[b][0] / l2[b][1]).sqrt();
                        worst[2 + b] = worst[2 + b].max(rel);
                        assert!(rel <= 1e-5, "{what}: band {b} relative L2 {rel:.3e}");
                    }
                }
                cases += 1;
            }
        }
    }
    println!(
        "proxy_spectrum over {cases} cases: worst per-mode relative error mid {:.2e}, high {:.2e}; \
         worst band relative L2 mid {:.2e}, high {:.2e}",
        worst[0], worst[1], worst[2], worst[3]
    );
}

/// All modes synthesised high-band with weight 1 and `E_high = 1`: the output of mode m
/// is `i·e^{2πi·u}` = `(−sin 2πu, cos 2πu)` with `u = mode_uniform24(seed, j)/2²⁴`, j the
/// mode's index field. Recovering u from the GPU output checks the WGSL PRNG integer for
/// integer (a wrong stream would be off by ~2²³ steps; the phasor's error is below 3
/// steps of 2⁻²⁴ turns) and the phasor against f64 cos/sin.
#[test]
fn mode_uniform24_and_phasor_match_the_reference() {
    use codes as P;
    let Some(mut gpu) = gpu_or_skip("mode_uniform24_and_phasor_match_the_reference") else { return };
    let mut g = SplitMix64::new(63);
    let n = 64usize;
    let (mut worst_steps, mut worst_abs, mut pairs) = (0i64, 0.0f64, 0usize);
    let seeds = [0u32, 1, u32::MAX, 0x9E37_79B9, 1_000_003, g.next_u64() as u32, g.next_u64() as u32];
    for (s, &seed) in seeds.iter().enumerate() {
        // Index 0 (with seed 0: the zero start), the largest index, small and random ones.
        let indices: Vec<u32> = (0..n * n)
            .map(|m| match m {
                0 => 0,
                1 => P::INDEX_MASK,
                2 => seed.wrapping_mul(0x9E37_79B9) & P::INDEX_MASK,
                m if m < 64 => m as u32,
                _ => g.next_u64() as u32 & P::INDEX_MASK,
            })
            .collect();
        let modes: Vec<u32> = indices.iter().map(|&j| P::code(P::CLASS_HIGH, false, j)).collect();
        let z = vec![0.0, 0.0, 1.0, 0.0];
        let params = ProxySpectrumParams::new(n as u32, 0, 0, true, seed);
        let bufs = [Buf::Real(z), Buf::U32(modes), Buf::Real(vec![1.0; n * n]), Buf::poison_real(2 * n * n)];
        let what = format!("mode_uniform24 seed #{s} {seed:#x}");
        let got = run(&mut gpu, &PROXY_SPECTRUM, &bufs, dashi_core::bytemuck::bytes_of(&params), &what);
        let out = got[3].reals();
        for (m, &j) in indices.iter().enumerate() {
            let k = mode_uniform24(seed, j);
            let (sin, cos) = (-out[2 * m], out[2 * m + 1]);
            let turns = sin.atan2(cos) / std::f64::consts::TAU;
            let steps = (turns * 16_777_216.0).round() as i64;
            let diff = (steps - i64::from(k)).rem_euclid(1 << 24);
            let diff = diff.min((1 << 24) - diff);
            worst_steps = worst_steps.max(diff);
            assert!(diff <= 3, "{what}: index {j}: GPU phase {steps} vs mode_uniform24 {k} (2⁻²⁴ turns)");
            let phi = std::f64::consts::TAU * f64::from(k) / 16_777_216.0;
            let abs = (cos - phi.cos()).abs().max((sin - phi.sin()).abs());
            worst_abs = worst_abs.max(abs);
            assert!(abs <= 1e-6, "{what}: index {j}: phasor ({cos}, {sin}) vs φ = {phi}: {abs:.3e}");
            pairs += 1;
        }
    }
    // The zero start (seed 0, index 0 above) is replaced by the start 0x6D2B79F5, which
    // the seed below reaches through the fold x ⊕= x ≫ 16 (an involution).
    let folds_to_replacement = 0x6D2B_79F5u32 ^ (0x6D2B_79F5u32 >> 16);
    assert_eq!(mode_uniform24(0, 0), mode_uniform24(folds_to_replacement, 0));
    println!(
        "mode_uniform24: {pairs} (seed, index) pairs, worst phase offset {worst_steps} steps of 2⁻²⁴ turns; \
         phasor worst |Δ| {worst_abs:.2e} against f64 cos/sin"
    );
}

// ---------------------------------------------------------------------------------------
// box_smooth

#[test]
fn box_smooth_matches_the_cpu_reference() {
    let Some(mut gpu) = gpu_or_skip("box_smooth_matches_the_cpu_reference") else { return };
    let mut g = SplitMix64::new(64);
    let mut worst = [0.0f64; 3];
    // (height, width).
    for (h, w) in [(1, 1), (3, 3), (5, 5), (7, 12), (12, 7), (33, 17), (5, 40), (64, 64), (100, 37), (128, 96)] {
        for (r, worst) in worst.iter_mut().enumerate() {
            if 2 * r + 1 > h.min(w) {
                continue;
            }
            let amp = [1e-3, 1.0, 1e3][g.below(3) as usize];
            let x = random_reals(&mut g, h * w, amp);
            let params = BoxSmoothParams::new(w as u32, h as u32, r as u32);
            let bytes = dashi_core::bytemuck::bytes_of(&params);
            let bufs = [Buf::Real(x.clone()), Buf::poison_real(h * w)];
            let what = format!("box_smooth {h}×{w} r={r}");
            let got = run(&mut gpu, &BOX_SMOOTH, &bufs, bytes, &what);
            let want = run(&mut cpu(Precision::F64), &BOX_SMOOTH, &bufs, bytes, &what);
            let (got, want) = (got[1].reals(), want[1].reals());
            let side = 2 * r as i64 + 1;
            for y in 0..h {
                for xx in 0..w {
                    // Naive window mean and mean |x|, independent of both executors.
                    let (mut sum, mut abs) = (0.0, 0.0);
                    for dy in -(r as i64)..=r as i64 {
                        for dx in -(r as i64)..=r as i64 {
                            let yy = (y as i64 + dy).rem_euclid(h as i64) as usize;
                            let xc = (xx as i64 + dx).rem_euclid(w as i64) as usize;
                            sum += x[yy * w + xc];
                            abs += x[yy * w + xc].abs();
                        }
                    }
                    let (mean, mean_abs) = (sum / (side * side) as f64, abs / (side * side) as f64);
                    let at = y * w + xx;
                    assert!((want[at] - mean).abs() <= 1e-13 * mean_abs, "{what}: CPU reference off at ({y}, {xx})");
                    let err = (got[at] - want[at]).abs() / mean_abs;
                    *worst = worst.max(err / U);
                    assert!(
                        err <= (4 * r + 6) as f64 * U,
                        "{what}: ({y}, {xx}): {} vs {} ({:.2} u of mean |x|)",
                        got[at],
                        want[at],
                        err / U
                    );
                }
            }
        }
    }
    println!(
        "box_smooth worst |Δ| / mean_window|x| in units of 2⁻²⁴: r=0 {:.2}, r=1 {:.2}, r=2 {:.2}",
        worst[0], worst[1], worst[2]
    );
}

// ---------------------------------------------------------------------------------------
// threshold_gate

fn words_for(n: usize) -> usize {
    n.div_ceil(32)
}

/// A canonical random carrier of `n` cells as (support, sign) words.
fn random_planes(g: &mut SplitMix64, n: usize, density: f64) -> (Vec<u32>, Vec<u32>) {
    let (mut support, mut sign) = (vec![0u32; words_for(n)], vec![0u32; words_for(n)]);
    for i in 0..n {
        if g.next_f64() < density {
            support[i / 32] |= 1 << (i % 32);
            if g.below(2) == 0 {
                sign[i / 32] |= 1 << (i % 32);
            }
        }
    }
    (support, sign)
}

#[test]
fn threshold_gate_matches_the_cpu_reference() {
    let Some(mut gpu) = gpu_or_skip("threshold_gate_matches_the_cpu_reference") else { return };
    let mut g = SplitMix64::new(65);
    let mut kept = [0usize; 2];
    for n in [1usize, 7, 32, 33, 64, 1000, 4099] {
        let words = words_for(n);
        for gated in [false, true] {
            for case in 0..3 {
                let amp = [1e-3, 1.0, 1e3][g.below(3) as usize];
                let tau_rel = g.uniform(0.05, 1.0) as f32;
                // A scale as reduce_max_abs would give, or any positive value.
                let mut x = random_reals(&mut g, n, amp);
                let scale = if case == 0 { x.iter().fold(0.0f64, |m, v| m.max(v.abs())) } else { f32_round(amp) };
                let tau32 = f64::from(tau_rel * scale as f32);
                // Away from ±τ (≥ 1e-4 relative) so f32 and f64 cannot disagree…
                for v in x.iter_mut() {
                    while (v.abs() - tau32).abs() <= 1e-4 * tau32 {
                        *v = f32_round(g.uniform(0.5, 1.5) * amp * v.signum());
                    }
                }
                let (gate_support, gate_sign) = random_planes(&mut g, n, 0.6);
                let params = ThresholdGateParams::new(n as u32, tau_rel, gated);
                let bytes = dashi_core::bytemuck::bytes_of(&params);
                let bufs = |x: &[f64], scale: f64| {
                    [
                        Buf::Real(x.to_vec()),
                        Buf::Real(vec![scale]),
                        Buf::U32(gate_support.clone()),
                        Buf::U32(gate_sign.clone()),
                        Buf::poison_u32(words),
                        Buf::poison_u32(words),
                    ]
                };
                let what = format!("threshold_gate n={n} gated={gated} case {case}");
                let b = bufs(&x, scale);
                let got = run(&mut gpu, &THRESHOLD_GATE, &b, bytes, &what);
                let want64 = run(&mut cpu(Precision::F64), &THRESHOLD_GATE, &b, bytes, &what);
                let want32 = run(&mut cpu(Precision::F32), &THRESHOLD_GATE, &b, bytes, &what);
                for out in [4, 5] {
                    assert_eq!(
                        got[out].words()[..words],
                        want64[out].words()[..words],
                        "{what}: vs f64, binding {out}"
                    );
                    assert_eq!(
                        got[out].words()[..words],
                        want32[out].words()[..words],
                        "{what}: vs f32, binding {out}"
                    );
                }
                // Independently: trits from the definition.
                let (s, sg) = (got[4].words(), got[5].words());
                for (i, &v) in x.iter().enumerate() {
                    let t = if v >= tau32 {
                        1
                    } else if v <= -tau32 {
                        -1
                    } else {
                        0
                    };
                    let gate = if gate_support[i / 32] >> (i % 32) & 1 == 0 {
                        0
                    } else if gate_sign[i / 32] >> (i % 32) & 1 == 1 {
                        -1
                    } else {
                        1
                    };
                    let want = if gated && gate != t { 0 } else { t };
                    let got_t = if s[i / 32] >> (i % 32) & 1 == 0 {
                        0
                    } else if sg[i / 32] >> (i % 32) & 1 == 1 {
                        -1
                    } else {
                        1
                    };
                    assert_eq!(got_t, want, "{what}: cell {i}");
                    kept[usize::from(gated)] += usize::from(want != 0);
                }
                assert!(s[words - 1] >> (n % 32) == 0 || n % 32 == 0, "{what}: tail bits set");

                // …and exact ties at ±τ (f32 τ): bit-identical to the f32 reference.
                let mut ties = x.clone();
                for _ in 0..(n / 4).max(1) {
                    let i = g.below(n as u64) as usize;
                    ties[i] = if g.below(2) == 0 { tau32 } else { -tau32 };
                }
                let b = bufs(&ties, scale);
                let got = run(&mut gpu, &THRESHOLD_GATE, &b, bytes, &what);
                let want32 = run(&mut cpu(Precision::F32), &THRESHOLD_GATE, &b, bytes, &what);
                for out in [4, 5] {
                    assert_eq!(got[out], want32[out], "{what} (ties at ±τ): binding {out}");
                }

                // scale ≤ 0: all words 0 (the gate does not matter).
                for bad in [0.0, -scale] {
                    let b = bufs(&x, bad);
                    let got = run(&mut gpu, &THRESHOLD_GATE, &b, bytes, &what);
                    let want = run(&mut cpu(Precision::F64), &THRESHOLD_GATE, &b, bytes, &what);
                    for out in [4, 5] {
                        assert!(got[out].words()[..words].iter().all(|&w| w == 0), "{what}: scale {bad} not all 0");
                        assert_eq!(got[out], want[out], "{what}: scale {bad}");
                    }
                }
            }
        }
    }
    assert!(kept[0] > 0 && kept[1] > 0, "cells kept: {kept:?}");
}

// ---------------------------------------------------------------------------------------
// fining_select

#[test]
fn fining_select_matches_the_cpu_reference() {
    let Some(mut gpu) = gpu_or_skip("fining_select_matches_the_cpu_reference") else { return };
    let mut g = SplitMix64::new(66);
    for n in [1usize, 31, 32, 100, 5000] {
        let words = words_for(n);
        for state0 in [0, 1, 7, -1] {
            let (support_in, sign_in) = random_planes(&mut g, n, 0.5);
            let (support_prev, sign_prev) = random_planes(&mut g, n, 0.3);
            let state = vec![state0, 3, g.below(1000) as i32, 4];
            let bufs = [
                Buf::U32(support_in.clone()),
                Buf::U32(sign_in.clone()),
                Buf::I32(state),
                Buf::U32(support_prev.clone()),
                Buf::U32(sign_prev.clone()),
            ];
            let params = LenParams::new(n as u32);
            let bytes = dashi_core::bytemuck::bytes_of(&params);
            let what = format!("fining_select n={n} state[0]={state0}");
            let got = run(&mut gpu, &FINING_SELECT, &bufs, bytes, &what);
            let want = run(&mut cpu(Precision::F32), &FINING_SELECT, &bufs, bytes, &what);
            assert_eq!(got, want, "{what}");
            let (s, sg) = (&got[3].words()[..words], &got[4].words()[..words]);
            if state0 == 0 {
                assert!(s == support_in && sg == sign_in, "{what}: not copied while open");
            } else {
                assert!(s == &support_prev[..words] && sg == &sign_prev[..words], "{what}: changed while closed");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// fining_closure

/// One `fining_closure` dispatch: `(level, counts[0], epsilon)`.
type Step = (u32, i32, f32);

/// Runs `(level, count, epsilon)` steps on one state buffer (poisoned at first) and
/// returns the state after each step.
fn closure_sequence<E: Executor>(exec: &mut E, steps: &[Step], what: &str) -> Vec<[i32; 4]> {
    let counts = exec.alloc(ElemType::I32, 4).unwrap();
    let state = exec.alloc(ElemType::I32, 4 + TAIL).unwrap();
    exec.upload_i32(state, &[POISON_I32; 4 + TAIL]).unwrap();
    let mut out = Vec::new();
    for &(level, count, eps) in steps {
        exec.upload_i32(counts, &[count, 11, -3, 0]).unwrap();
        FINING_CLOSURE
            .run(exec, [counts, state], &FiningClosureParams::new(level, eps))
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let s = exec.download_i32(state).unwrap();
        assert!(s[4..].iter().all(|&v| v == POISON_I32), "{what}: wrote past the state");
        out.push([s[0], s[1], s[2], s[3]]);
    }
    exec.free(counts).unwrap();
    exec.free(state).unwrap();
    out
}

/// The closure rule written here in exact rationals: `|a − prev| < ε·max(prev, 1)`
/// with ε = M·2^E, compared as integers (i128).
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

#[test]
fn fining_closure_matches_the_cpu_reference() {
    let Some(mut gpu) = gpu_or_skip("fining_closure_matches_the_cpu_reference") else { return };
    let mut g = SplitMix64::new(67);
    // Hand-made sequences: (level, count, epsilon).
    let mut sequences: Vec<(&str, Vec<Step>)> = vec![
        ("closes at level 2", vec![(0, 1000, 0.05), (1, 800, 0.05), (2, 790, 0.05), (3, 100, 0.05)]),
        ("never closes", vec![(0, 1000, 0.01), (1, 500, 0.01), (2, 250, 0.01), (3, 100, 0.01)]),
        // 0.05f32 = 0.0500000007…: 10 < 0.05·200 exactly, but not in f32 (10.0000001 rounds to 10).
        ("f32 boundary up", vec![(0, 200, 0.05), (1, 210, 0.05)]),
        ("f32 boundary down", vec![(0, 200, 0.05), (1, 190, 0.05)]),
        // 0.01f32 = 0.00999999977…: 10 < 0.01·1000 is false exactly.
        ("below the boundary", vec![(0, 1000, 0.01), (1, 990, 0.01), (2, 1010, 0.01)]),
        ("epsilon 0 never closes", vec![(0, 5, 0.0), (1, 5, 0.0), (2, 5, 0.0)]),
        ("subnormal epsilon closes on no change", vec![(0, 5, 1e-45), (1, 6, 1e-45), (2, 6, 1e-45)]),
        ("huge epsilon", vec![(0, 1, 1e30), (1, 2_000_000_000, 1e30)]),
        ("epsilon 2^25", vec![(0, 1, 33_554_432.0), (1, 40_000_000, 33_554_432.0), (2, 70_000_000, 33_554_432.0)]),
        ("empty levels", vec![(0, 0, 0.5), (1, 0, 0.5), (2, 0, 0.5)]),
        ("reset after closing", vec![(0, 100, 0.5), (1, 100, 0.5), (2, 3, 0.5), (0, 7, 0.5), (1, 50, 0.5)]),
    ];
    // Random boundary cases: |a − prev| = ⌊ε·prev⌋ or ⌈ε·prev⌉, where f32 rounding bites.
    for c in 0..60 {
        let prev = 1 + g.below(if c % 2 == 0 { 1000 } else { 1 << 24 }) as i32;
        let eps = g.uniform(0.0, 0.3) as f32;
        let target = f64::from(eps) * f64::from(prev);
        let delta = if g.below(2) == 0 { target.floor() } else { target.ceil() } as i32;
        let a = if g.below(2) == 0 { prev + delta } else { (prev - delta).max(0) };
        sequences.push(("random boundary", vec![(0, prev, eps), (1 + g.below(8) as u32, a, eps)]));
    }
    let mut closed = 0;
    for (label, steps) in &sequences {
        let what = format!("fining_closure {label} {steps:?}");
        let got = closure_sequence(&mut gpu, steps, &what);
        let want = closure_sequence(&mut cpu(Precision::F32), steps, &what);
        assert_eq!(got, want, "{what}");
        // Independently: replay the rule.
        let mut state = [0i32; 4];
        for (&(level, a, eps), after) in steps.iter().zip(&got) {
            if level == 0 {
                state = [0, 0, a, 0];
            } else if state[0] == 0 {
                if closes_exactly(a, state[2], eps) {
                    state[0] = 1;
                    state[1] = level as i32;
                }
                state[2] = a;
                state[3] = level as i32;
            }
            assert_eq!(*after, state, "{what}: rule replay");
        }
        closed += usize::from(state[0] == 1);
    }
    let get = |label: &str| sequences.iter().position(|(l, _)| *l == label).unwrap();
    let replay = |i: usize| closure_sequence(&mut cpu(Precision::F64), &sequences[i].1, sequences[i].0);
    assert_eq!(replay(get("closes at level 2"))[2], [1, 2, 790, 2]);
    assert_eq!(replay(get("f32 boundary up"))[1], [1, 1, 210, 1]);
    assert_eq!(replay(get("below the boundary"))[2], [0, 0, 1010, 2]);
    println!("fining_closure: {} sequences bit-identical, {closed} closed", sequences.len());
}

// ---------------------------------------------------------------------------------------
// mask_combine

#[test]
fn mask_combine_matches_the_cpu_reference() {
    let Some(mut gpu) = gpu_or_skip("mask_combine_matches_the_cpu_reference") else { return };
    let mut g = SplitMix64::new(68);
    let mut worst = 0.0f64;
    for n in [1usize, 7, 32, 33, 255, 256, 257, 4096, 10_000] {
        let amp = [1e-3, 1.0, 1e3][g.below(3) as usize];
        let pair = random_reals(&mut g, 2 * n, amp);
        let (mut support, _) = random_planes(&mut g, n, 0.5);
        // Bits past n are garbage the op must ignore.
        if n % 32 != 0 {
            support[n / 32] |= !0u32 << (n % 32);
        }
        let params = LenParams::new(n as u32);
        let bytes = dashi_core::bytemuck::bytes_of(&params);
        let bufs = [Buf::Real(pair.clone()), Buf::U32(support.clone()), Buf::poison_real(n)];
        let what = format!("mask_combine n={n}");
        let got = run(&mut gpu, &MASK_COMBINE, &bufs, bytes, &what);
        let want32 = run(&mut cpu(Precision::F32), &MASK_COMBINE, &bufs, bytes, &what);
        assert!(bits_equal(got[2].reals(), want32[2].reals()), "{what}: differs from the f32 CPU reference");
        for (i, &v) in got[2].reals()[..n].iter().enumerate() {
            let on = support[i / 32] >> (i % 32) & 1 == 1;
            let want = if on { pair[i] + pair[n + i] } else { pair[i] };
            let err = (v - want).abs();
            worst = worst.max(err / want.abs().max(f64::MIN_POSITIVE) / U);
            assert!(err <= U * want.abs(), "{what}: {i}: {v} vs {want}");
            if !on {
                assert_eq!(v.to_bits(), pair[i].to_bits(), "{what}: {i} not passed through");
            }
        }
    }
    println!("mask_combine worst |Δ|/|want| against the f64 sum: {worst:.2} u");
}

// ---------------------------------------------------------------------------------------
// Parameter domains

/// Out-of-domain parameters are `InvalidParams` on both executors, before anything runs.
#[test]
fn codec_parameter_domains_are_enforced() {
    type Dispatcher<'a> = dyn FnMut(&'static OpSpec, &[Buf], &[u8]) -> Result<(), ExecError> + 'a;
    fn check(exec: &mut Dispatcher<'_>, label: &str) {
        let n = 16u32;
        let mut bad_d = ProxySpectrumParams::new(n, 1, 1, true, 3);
        bad_d.d = 7;
        let mut bad_residual = ProxySpectrumParams::new(n, 1, 1, true, 3);
        bad_residual.residual = 2;
        let spectrum = Buf::Real(vec![1.0; 2 * 16 * 16]);
        let modes = Buf::U32(vec![0; 256]);
        let weights = Buf::Real(vec![1.0; 256]);
        let bad: Vec<(&'static OpSpec, Vec<Buf>, Vec<u8>)> = vec![
            (
                &PROXY_PACK,
                vec![spectrum.clone(), Buf::U32(vec![0; 4]), Buf::Real(vec![0.0; 3]), Buf::Real(vec![0.0; 4])],
                dashi_core::bytemuck::bytes_of(&ProxyPackParams::new(12, 4, 0)).to_vec(),
            ),
            (
                &PROXY_SPECTRUM,
                vec![Buf::Real(vec![0.0; 8]), modes.clone(), weights.clone(), spectrum.clone()],
                dashi_core::bytemuck::bytes_of(&bad_d).to_vec(),
            ),
            (
                &PROXY_SPECTRUM,
                vec![Buf::Real(vec![0.0; 8]), modes, weights, spectrum],
                dashi_core::bytemuck::bytes_of(&bad_residual).to_vec(),
            ),
            (
                &BOX_SMOOTH,
                vec![Buf::Real(vec![1.0; 20]), Buf::Real(vec![0.0; 20])],
                dashi_core::bytemuck::bytes_of(&BoxSmoothParams::new(5, 4, 2)).to_vec(),
            ),
            (
                &THRESHOLD_GATE,
                vec![
                    Buf::Real(vec![1.0; 8]),
                    Buf::Real(vec![1.0]),
                    Buf::U32(vec![0]),
                    Buf::U32(vec![0]),
                    Buf::U32(vec![0]),
                    Buf::U32(vec![0]),
                ],
                dashi_core::bytemuck::bytes_of(&ThresholdGateParams::new(8, 0.0, false)).to_vec(),
            ),
            (
                &FINING_CLOSURE,
                vec![Buf::I32(vec![0; 4]), Buf::I32(vec![0; 4])],
                dashi_core::bytemuck::bytes_of(&FiningClosureParams::new(1, f32::NAN)).to_vec(),
            ),
            (
                &FINING_CLOSURE,
                vec![Buf::I32(vec![0; 4]), Buf::I32(vec![0; 4])],
                dashi_core::bytemuck::bytes_of(&FiningClosureParams::new(1, -0.5)).to_vec(),
            ),
        ];
        for (op, bufs, params) in bad {
            match exec(op, &bufs, &params) {
                Err(ExecError::InvalidParams { op: name, .. }) => assert_eq!(name, op.name),
                other => panic!("{label} {}: {params:?} gave {other:?}", op.name),
            }
        }
    }
    fn dispatch<E: Executor>(exec: &mut E, op: &'static OpSpec, bufs: &[Buf], params: &[u8]) -> Result<(), ExecError> {
        testing::run(exec, op, bufs, params).map(|_| ())
    }
    let mut cpu64 = cpu(Precision::F64);
    check(&mut |op, bufs, params| dispatch(&mut cpu64, op, bufs, params), "CPU");
    if let Some(mut gpu) = gpu_or_skip("codec_parameter_domains_are_enforced (GPU part)") {
        check(&mut |op, bufs, params| dispatch(&mut gpu, op, bufs, params), "GPU");
    }
}
