//! The `linear` family (`gemv_row`, `gemm_batched`) on the CPU executor against naive
//! loops written here, in f64 and f32, with poisoned output buffers.
//!
//! Tolerances. f64: bit-exact (the naive loop accumulates in the same ascending order,
//! plain `*` and `+`). f32: bit-exact against the same loop in f32, and within the
//! standard dot-product forward-error bound of the f64 result.

#[macro_use]
mod common;

use common::*;
use dashi_core::ops::{CpuExecutor, Executor, GEMM_BATCHED, GEMV_ROW, GemmParams, GemvParams, Precision};
use dashi_core::random::SplitMix64;
use dashi_core::scalar::Real;

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
        None => GEMV_ROW.run(&mut ex, [bz, ba, out], &GemvParams::new(rows as u32, cols as u32)),
        Some(b) => GEMM_BATCHED.run(&mut ex, [bz, ba, out], &GemmParams::new(b as u32, rows as u32, cols as u32)),
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
        GEMM_BATCHED.run(&mut ex, [bz, ba, out], &GemmParams::new(batch as u32, rows as u32, cols as u32)).unwrap();
        let all = ex.download_real(out).unwrap();
        for m in 0..batch {
            let (bzm, _) = real_buf(&mut ex, &z[m * rows..(m + 1) * rows]);
            let row_out = poisoned_real(&mut ex, cols);
            GEMV_ROW.run(&mut ex, [bzm, ba, row_out], &GemvParams::new(rows as u32, cols as u32)).unwrap();
            assert_bits(&all[m * cols..(m + 1) * cols], &ex.download_real(row_out).unwrap(), "gemm row vs gemv");
        }
    }
}
