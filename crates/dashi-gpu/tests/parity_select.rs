//! GPU ↔ CPU parity of the `select` family: `top_k` (dashi-core/src/ops/select.wgsl).
//!
//! Tolerance: none. top_k returns indices, and the device compares the same f32 values
//! the CPU reference ranks, so the result must equal `CpuExecutor::new(Precision::F64)`
//! (fed the f32-rounded input) exactly, ties included — and equal an independent full
//! sort here by (value descending, index ascending).
//!
//! Inputs are seeded SplitMix64 data, never all zeros: distinct normals, heavy ties
//! (small integers), a constant input, and normals with the maximum and a block of
//! equal values duplicated. The output buffer is two elements longer than `k` and
//! poisoned with 0xDEADBEEF before every run: `out[0..k)` must be written, `out[k..]`
//! must keep the poison. The input buffer carries a tail past `n` of huge values (1e30)
//! that the op must not read. Sizes stop at 4099: the device does O(n²) comparisons
//! (~17M for k = n at n = 4099), which lavapipe runs in well under a second.

use dashi_core::ops::*;
use dashi_core::random::SplitMix64;
use dashi_gpu::gpu_or_skip;

mod common;
use common::{POISON_U32, run_on_bits};
use std::time::Instant;

const SIZES: &[usize] = &[1, 7, 255, 256, 257, 1000, 4099];
const TAIL: f64 = 1e30;
const TAIL_LEN: usize = 2;
const OUT_SLACK: usize = 2;

fn f32_round(v: &[f64]) -> Vec<f64> {
    v.iter().map(|&x| f64::from(x as f32)).collect()
}

/// Runs top_k on `x[0..n)` and returns the whole output buffer (`k + OUT_SLACK` words).
fn top_k_on<E: Executor>(ex: &mut E, x: &[f64], k: usize) -> Vec<u32> {
    let n = x.len();
    let mut data = x.to_vec();
    data.extend(std::iter::repeat_n(TAIL, TAIL_LEN));
    let xb = ex.alloc(ElemType::Real, data.len()).unwrap();
    ex.upload_real(xb, &data).unwrap();
    let out = ex.alloc(ElemType::U32, k + OUT_SLACK).unwrap();
    ex.upload_u32(out, &vec![POISON_U32; k + OUT_SLACK]).unwrap();
    TOP_K.run(ex, [xb, out], &TopKParams::new(n as u32, k as u32)).unwrap();
    let r = ex.download_u32(out).unwrap();
    ex.free(xb).unwrap();
    ex.free(out).unwrap();
    r
}

/// The first `k` indices of a full sort by (value descending, index ascending) — no
/// NaN here (the executors refuse non-finite uploads).
fn naive_top_k(x: &[f64], k: usize) -> Vec<u32> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&i, &j| x[j].partial_cmp(&x[i]).unwrap().then(i.cmp(&j)));
    idx[..k].iter().map(|&i| i as u32).collect()
}

fn input(n: usize, case: u64) -> Vec<f64> {
    let mut rng = SplitMix64::new(0x70B_C0DE ^ (n as u64) << 8 ^ case);
    let x: Vec<f64> = match case {
        0 => (0..n).map(|_| rng.normal()).collect(),
        1 => (0..n).map(|_| rng.below(7) as f64 - 3.0).collect(),
        2 => vec![-0.75; n],
        _ => {
            let mut x: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
            let top = x.iter().cloned().fold(f64::MIN, f64::max);
            let mid = x[rng.below(n as u64) as usize];
            for _ in 0..3 {
                let at = rng.below(n as u64) as usize;
                x[at] = top;
            }
            let start = rng.below(n as u64) as usize;
            for v in x.iter_mut().skip(start).take(n / 10 + 1) {
                *v = mid;
            }
            x
        }
    };
    f32_round(&x)
}

#[test]
fn select_family_matches_its_specs() {
    let ops: Vec<&str> = SELECT.ops.iter().map(|s| s.name).collect();
    assert_eq!(ops, ["top_k"]);
    dashi_gpu::reflect::check_family(&SELECT).unwrap_or_else(|e| panic!("select: {e}"));
}

#[test]
fn top_k_parity() {
    let Some(mut gpu) = gpu_or_skip("top_k_parity") else { return };
    let mut cpu = CpuExecutor::new(Precision::F64);
    let t0 = Instant::now();
    let mut runs = 0;
    for &n in SIZES {
        let mut ks = vec![1, 3.min(n), n.div_ceil(2), n];
        ks.dedup();
        for case in 0..4 {
            let x = input(n, case);
            for &k in &ks {
                let mut naive = naive_top_k(&x, k);
                naive.extend([POISON_U32; OUT_SLACK]);
                let want = top_k_on(&mut cpu, &x, k);
                assert_eq!(want, naive, "CPU reference top_k n = {n} k = {k} case {case}");
                let got = top_k_on(&mut gpu, &x, k);
                assert_eq!(got, want, "top_k n = {n} k = {k} case {case}");
                runs += 1;
            }
        }
    }
    println!("top_k: {runs} runs exact ({:.2?})", t0.elapsed());
}

/// NaN and ±∞, which `upload_real` refuses, uploaded by bit pattern: top_k must equal
/// `dashi_core::ops::top_k` exactly — NaN ranks after every number (including −∞) and
/// NaNs among themselves by index; −0 = +0 ties go by index. NaNs of several payloads
/// and both signs, at the front, at the maximum and scattered; k from 1 to n, so NaN
/// indices must appear in order at the end of a full selection.
#[test]
fn top_k_nan_semantics() {
    let Some(mut gpu) = gpu_or_skip("top_k_nan_semantics") else { return };
    let nans = [f32::from_bits(0x7fc0_0000), f32::from_bits(0xffc0_0000), f32::from_bits(0x7f80_0001)];
    let mut cases: Vec<Vec<f32>> = vec![
        vec![f32::NAN, 1.0, f32::NAN, 3.0, 3.0, f32::NAN],
        vec![f32::NAN; 7],
        vec![-0.0, 0.0, nans[1], -0.0],
        vec![f32::NEG_INFINITY, nans[2], 1.0, f32::INFINITY, f32::NEG_INFINITY, f32::INFINITY],
    ];
    for (n, seed) in [(7usize, 1u64), (300, 2), (1000, 3)] {
        let mut rng = SplitMix64::new(0x7A11_0000 + seed);
        let mut x: Vec<f32> = (0..n).map(|_| (rng.below(9) as f32 - 4.0) * 0.5).collect();
        x[0] = nans[0];
        let top = (0..n).max_by(|&i, &j| x[i].partial_cmp(&x[j]).unwrap_or(std::cmp::Ordering::Less)).unwrap();
        x[top] = nans[(seed % 3) as usize];
        for _ in 0..n / 8 {
            x[rng.below(n as u64) as usize] = nans[rng.below(3) as usize];
        }
        cases.push(x);
    }
    for x in &cases {
        let n = x.len();
        let mut ks = vec![1, n / 2 + 1, n];
        ks.dedup();
        for k in ks {
            let mut want: Vec<u32> = dashi_core::ops::top_k(x, k).into_iter().map(|i| i as u32).collect();
            want.push(POISON_U32);
            let params = TopKParams::new(n as u32, k as u32);
            let got = run_on_bits(&mut gpu, &TOP_K, x, ElemType::U32, k + 1, bytemuck::bytes_of(&params));
            assert_eq!(got, want, "top_k k = {k} on {:?}…", &x[..n.min(8)]);
        }
    }
}
