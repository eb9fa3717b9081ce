//! The `fft` family (`fft_step`) on the CPU executor: chains of steps against an O(n²)
//! DFT along either axis, forward and inverse, both precisions, poisoned destinations;
//! inconsistent step sequences are parameter errors.

mod common;

use common::*;
use dashi_core::ops::{CpuExecutor, ElemType, Executor, Precision};
use dashi_core::random::SplitMix64;

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
                        FFT_STEP.run(&mut ex, [bufs[i], bufs[i + 1], tw], &p).unwrap();
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
        assert!(FFT_STEP.run(&mut ex, [a, b, tw], &p).is_err(), "{p:?}");
    }
    for radices in [&[16u32, 16][..], &[64, 2], &[]] {
        assert!(Fft2Program::with_column_radices(&mut ex, 64, 1, radices).is_err(), "{radices:?}");
    }
    for n in [0usize, 8, 48, 8192] {
        assert!(Fft2Program::new(&mut ex, n, 1).is_err(), "n = {n}");
    }
}
