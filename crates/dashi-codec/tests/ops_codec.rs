//! The `codec` family (`proxy_pack`, `proxy_spectrum`, `box_smooth`, `threshold_gate`,
//! `fining_select`, `fining_closure`, `mask_combine`) on the CPU executor, in f64 and
//! f32 with poisoned outputs, against independent constructions written here and the
//! kernels of `dashi_core::kernel` (the device-side fining pipeline reproduces
//! `kernel::Fining`); and the KernelOp ABI over the family's ops: every op tested, the
//! parameter structs against the specs, and the enqueue fuzz (the shared helpers and
//! checks of `dashi-core/tests/common/`, included by path).

#[macro_use]
#[path = "../../dashi-core/tests/common/mod.rs"]
mod common;
#[path = "../../dashi-core/tests/common/abi.rs"]
mod abi;

use abi::{FieldValue, LenPlan, ParamStruct};
use common::*;
use dashi_codec::codes;
use dashi_codec::ops::{
    BOX_SMOOTH, BoxSmoothParams, FAMILIES, FINING_CLOSURE, FINING_SELECT, FiningClosureParams, FiningSelectBuffers,
    MASK_COMBINE, PROXY_PACK, PROXY_SPECTRUM, ProxyPackBuffers, ProxyPackParams, ProxySpectrumBuffers,
    ProxySpectrumParams, THRESHOLD_GATE, ThresholdGateBuffers, ThresholdGateParams, mode_uniform24,
};
use dashi_core::carrier::{Field, Neighbourhood, Shape, Stencil, words_for};
use dashi_core::kernel::{Annihilate, Majority, Threshold};
use dashi_core::ops::{
    ANNIHILATE, COHERENCE_STATS, CoherenceBuffers, CpuExecutor, ElemType, Executor, LenParams, MAJORITY, Precision,
    REDUCE_MAX_ABS, StencilBuffers, StencilParams,
};
use dashi_core::random::SplitMix64;
use proptest::prelude::*;
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------
// The KernelOp ABI over the codec family
// ---------------------------------------------------------------------------------

#[test]
fn every_op_has_a_correctness_test() {
    let here = include_str!("ops_codec.rs");
    abi::assert_every_op_tested(FAMILIES, &[here]);
}

/// The Rust parameter struct of a codec op, with a sample value and its public fields
/// in order (written here by hand, independently of the specs).
fn params_struct(layout: &str) -> ParamStruct {
    use FieldValue::{F, U};
    match layout {
        "LenParams" => {
            let s = LenParams::new(11);
            ParamStruct::of(&s, vec![("n", U(s.n))])
        }
        "ProxyPackParams" => {
            let f = ProxyPackParams::new(64, 300, 17);
            ParamStruct::of(&f, vec![("n", U(f.n)), ("d", U(f.d)), ("anchors", U(f.anchors))])
        }
        "ProxySpectrumParams" => {
            let f = ProxySpectrumParams::new(64, 40, 17, true, 0xDEAD_BEEF);
            let fields = vec![
                ("n", U(f.n)),
                ("d", U(f.d)),
                ("low", U(f.low)),
                ("anchors", U(f.anchors)),
                ("residual", U(f.residual)),
                ("seed", U(f.seed)),
            ];
            assert_eq!(f.d, 2 * 40 + 4 + 2 * 17);
            ParamStruct::of(&f, fields)
        }
        "BoxSmoothParams" => {
            let f = BoxSmoothParams::new(11, 13, 2);
            ParamStruct::of(&f, vec![("width", U(f.width)), ("height", U(f.height)), ("radius", U(f.radius))])
        }
        "ThresholdGateParams" => {
            let f = ThresholdGateParams::new(11, 0.25, true);
            ParamStruct::of(&f, vec![("n", U(f.n)), ("tau_rel", F(f.tau_rel)), ("gated", U(f.gated))])
        }
        "FiningClosureParams" => {
            let f = FiningClosureParams::new(3, 1e-3);
            ParamStruct::of(&f, vec![("level", U(f.level)), ("epsilon", F(f.epsilon))])
        }
        other => panic!("parameter struct {other} has no field list in this test: add one"),
    }
}

#[test]
fn op_specs_match_their_param_structs() {
    abi::check_specs(FAMILIES, params_struct);
    // No codec op shadows a core op's name (names are global, e.g. in timings).
    for op in abi::ops_of(FAMILIES) {
        assert!(dashi_core::ops::find_op(op.name).is_none(), "{} is also a core op", op.name);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fuzz_enqueue_never_panics(
        f32_precision in any::<bool>(),
        plans in prop::collection::vec(abi::dispatch_strategy(abi::ops_of(FAMILIES).len()), 1..=3),
    ) {
        let ops = abi::ops_of(FAMILIES);
        let mut ex = CpuExecutor::new(if f32_precision { Precision::F32 } else { Precision::F64 });
        for plan in &plans {
            abi::fuzz_dispatch(&mut ex, &ops, plan)?;
        }
    }
}

/// The case the fuzz once shrank to (dashi-core's executor.proptest-regressions, then
/// op 29): `box_smooth` on a 1×1 grid with radius u32::MAX, one-element inputs.
#[test]
fn fuzz_regression_box_smooth_with_huge_radius() {
    let ops = abi::ops_of(FAMILIES);
    let op = ops.iter().position(|o| o.name == "box_smooth").unwrap();
    let plan = abi::plain_plan(op, &[1, 1, u32::MAX], &[LenPlan::Random(1), LenPlan::Random(1)]);
    for precision in [Precision::F64, Precision::F32] {
        abi::fuzz_dispatch(&mut CpuExecutor::new(precision), &ops, &plan).unwrap();
    }
}

// ---------------------------------------------------------------------------------
// Every op against an independent computation
// ---------------------------------------------------------------------------------

/// proxy_pack in both precisions: every spectrum slot (in reverse order), the four
/// header codes, unused header codes and codes past the spectrum, against the formula.
#[test]
fn proxy_pack_copies_slots_and_writes_the_header() {
    let base = codes::HEADER_BASE;
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
            let buffers = ProxyPackBuffers { spectrum: bs, slots: bslots, bands: bb, z };
            PROXY_PACK.run(&mut ex, buffers, &ProxyPackParams::new(n as u32, d as u32, anchors)).unwrap();
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
    use codes as P;
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
    use codes as P;
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
                let params = ProxySpectrumParams::new(n as u32, low, anchors as u32, residual, seed32);
                let buffers = ProxySpectrumBuffers { z: bz, modes: bm, weights: bw, out };
                PROXY_SPECTRUM.run(&mut ex, buffers, &params).unwrap();
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
    for prec in PRECISIONS {
        for (h, w) in [(1usize, 1usize), (3, 5), (5, 3), (1, 9), (9, 1), (7, 9), (16, 16), (9, 29)] {
            for r in 0..=(h.min(w) - 1) / 2 {
                let mut ex = CpuExecutor::new(prec);
                let mut g = SplitMix64::new(seed(42, h * 100 + w + r * 10_000, prec));
                let (bx, x) = real_buf(&mut ex, &random_reals(&mut g, h * w));
                let out = poisoned_real(&mut ex, h * w + slack(h * w));
                BOX_SMOOTH.run(&mut ex, [bx, out], &BoxSmoothParams::new(w as u32, h as u32, r as u32)).unwrap();
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
                    let buffers = ThresholdGateBuffers {
                        x: bx,
                        scale: bscale,
                        gate_support: bgs,
                        gate_sign: bgg,
                        support: sup,
                        sign: sgn,
                    };
                    THRESHOLD_GATE.run(&mut ex, buffers, &params).unwrap();
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
                let buffers = FiningSelectBuffers { support_in: bs, sign_in: bg, state, support_out: os, sign_out: og };
                FINING_SELECT.run(&mut ex, buffers, &LenParams::new(n as u32)).unwrap();
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
                FINING_CLOSURE.run(&mut ex, [counts, state], &FiningClosureParams::new(level, eps)).unwrap();
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

/// mask_combine against its formula; bits past n in the support words are ignored.
#[test]
fn mask_combine_adds_the_residual_on_the_support() {
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
            MASK_COMBINE.run(&mut ex, [bp, bs, out], &LenParams::new(n as u32)).unwrap();
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
                let stats = CoherenceBuffers { support: mask_s, sign: mask_g, field: bf, counts, energy };
                COHERENCE_STATS.run(ex, stats, &stencil).unwrap();
                let select = FiningSelectBuffers {
                    support_in: mask_s,
                    sign_in: mask_g,
                    state,
                    support_out: sel_s,
                    sign_out: sel_g,
                };
                FINING_SELECT.run(ex, select, &LenParams::new(cells as u32)).unwrap();
                FINING_CLOSURE.run(ex, [counts, state], &FiningClosureParams::new(level, eps)).unwrap();
            };
            stats_and_select(&mut ex, 0);
            for level in 1..=fining.levels as u32 {
                let smooth = BoxSmoothParams::new(w as u32, h as u32, fining.smooth_radius as u32);
                BOX_SMOOTH.run(&mut ex, [cur, next], &smooth).unwrap();
                std::mem::swap(&mut cur, &mut next);
                REDUCE_MAX_ABS.run(&mut ex, [cur, scale], &LenParams::new(cells as u32)).unwrap();
                let gate = ThresholdGateParams::new(cells as u32, fining.tau_rel as f32, true);
                let gated = ThresholdGateBuffers {
                    x: cur,
                    scale,
                    gate_support: mask_s,
                    gate_sign: mask_g,
                    support: gs,
                    sign: gg,
                };
                THRESHOLD_GATE.run(&mut ex, gated, &gate).unwrap();
                MAJORITY
                    .run(
                        &mut ex,
                        StencilBuffers { support_in: gs, sign_in: gg, support_out: vs, sign_out: vg },
                        &stencil,
                    )
                    .unwrap();
                let annihilate = StencilBuffers { support_in: vs, sign_in: vg, support_out: mask_s, sign_out: mask_g };
                ANNIHILATE.run(&mut ex, annihilate, &stencil).unwrap();
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
