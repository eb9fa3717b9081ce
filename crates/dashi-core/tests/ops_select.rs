//! The `select` family (`top_k`) on the CPU executor against sorting, in f64 and f32,
//! with poisoned outputs; ties go to the lower index (and so do `argmax`'s).

mod common;

use common::*;
use dashi_core::ops::{ARGMAX, CpuExecutor, Executor, LenParams, Precision, TOP_K, TopKParams};
use dashi_core::random::SplitMix64;

/// Indices sorted by value descending, ties to the lower index (stable sort).
fn naive_top_k(x: &[f64], k: usize) -> Vec<u32> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&i, &j| x[j].partial_cmp(&x[i]).expect("finite"));
    idx.into_iter().take(k).map(|i| i as u32).collect()
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
                    TOP_K.run(&mut ex, [bx, out], &TopKParams::new(n as u32, k as u32)).unwrap();
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
    TOP_K.run(&mut ex, [bx, out], &TopKParams::new(6, 4)).unwrap();
    assert_eq!(ex.download_u32(out).unwrap(), [1, 2, 5, 4]);
    let am = poisoned_u32(&mut ex, 1);
    ARGMAX.run(&mut ex, [bx, am], &LenParams::new(6)).unwrap();
    assert_eq!(ex.download_u32(am).unwrap(), [1]);
}
