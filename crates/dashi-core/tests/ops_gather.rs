//! The `gather` family (`gather`, `scatter`) on the CPU executor against naive loops,
//! in f64 and f32, with poisoned outputs and out-of-range indices.

mod common;

use common::*;
use dashi_core::ops::{CpuExecutor, Executor, GATHER, GatherParams, SCATTER};
use dashi_core::random::SplitMix64;

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
                GATHER.run(&mut ex, [bx, bi, out], &GatherParams::new(n as u32, m as u32)).unwrap();
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
                SCATTER.run(&mut ex, [bx, bi, out], &GatherParams::new(n as u32, m as u32)).unwrap();
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
