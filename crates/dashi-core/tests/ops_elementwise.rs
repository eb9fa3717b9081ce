//! The `elementwise` family (`axpy`, `scale`, `add`, `mul`) on the CPU executor against
//! naive loops written here, in f64 and f32, at sizes 1, 7, 33, 64, 257, 1000 with
//! poisoned output buffers.
//!
//! Tolerances. f64: bit-exact — every op is plain IEEE `*` and `+` (never FMA), so the
//! naive loop reproduces it. f32: bit-exact against the same naive loop run in f32, and
//! additionally within a forward-error bound of the f64 result (stated at each check).

#[macro_use]
mod common;

use common::*;
use dashi_core::ops::{ADD, AXPY, BufferId, CpuExecutor, Executor, LenParams, MUL, Op, Precision, SCALE, ScalarParams};
use dashi_core::random::SplitMix64;
use dashi_core::scalar::Real;

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

#[test]
fn axpy_matches_naive() {
    for prec in PRECISIONS {
        for n in SIZES {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(1, n, prec));
            let (x, y) = (random_reals(&mut g, n), random_reals(&mut g, n + slack(n)));
            let alpha = g.uniform(-3.0, 3.0) as f32;
            let ((bx, xs), (by, ys)) = (real_buf(&mut ex, &x), real_buf(&mut ex, &y));
            AXPY.run(&mut ex, [bx, by], &ScalarParams::new(n as u32, alpha)).unwrap();
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
            SCALE.run(&mut ex, [bx], &ScalarParams::new(n as u32, alpha)).unwrap();
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

fn check_binary(op: &'static Op<LenParams, [BufferId; 3]>, mul: bool, tag: u64) {
    for prec in PRECISIONS {
        for n in SIZES {
            let mut ex = CpuExecutor::new(prec);
            let mut g = SplitMix64::new(seed(tag, n, prec));
            let (x, y) = (random_reals(&mut g, n), random_reals(&mut g, n));
            let ((bx, xs), (by, ys)) = (real_buf(&mut ex, &x), real_buf(&mut ex, &y));
            let out = poisoned_real(&mut ex, n + slack(n));
            op.run(&mut ex, [bx, by, out], &LenParams::new(n as u32)).unwrap();
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

#[test]
fn copy_matches_naive() {
    use dashi_core::ops::{COPY, testing::*};
    for n in SIZES.map(|n| n as u32) {
        let p = dashi_core::bytemuck::bytes_of(&LenParams::new(n)).to_vec();
        check_reference(
            &COPY,
            &p,
            &random_inputs(&COPY, &p, n.into()),
            |i, _| vec![i[0].clone(), i[0].clone()],
            Tolerance::Exact,
        );
    }
}
