//! The `reduce` family (`reduce_sum`, `reduce_sum_sq`, `reduce_max_abs`, `argmax`) on
//! the CPU executor against naive computations, in f64 and f32, with poisoned outputs.
//!
//! Reductions accumulate in f64 and are rounded once, so the f32 result is the
//! correctly rounded f64 sum (≤ ½ ulp): compared bit for bit.

mod common;

use common::*;
use dashi_core::ops::{
    ARGMAX, BufferId, CpuExecutor, Executor, LenParams, Op, REDUCE_MAX_ABS, REDUCE_SUM, REDUCE_SUM_SQ,
};
use dashi_core::random::SplitMix64;

/// Runs a reduction with a Real output; returns the stored input and the result.
fn run_reduction(ex: &mut CpuExecutor, op: &'static Op<LenParams, [BufferId; 2]>, x: &[f64]) -> (Vec<f64>, f64) {
    let (bx, xs) = real_buf(ex, x);
    let out = poisoned_real(ex, 1 + slack(x.len()));
    op.run(ex, [bx, out], &LenParams::new(x.len() as u32)).unwrap();
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
                ARGMAX.run(&mut ex, [bx, out], &LenParams::new(n as u32)).unwrap();
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
