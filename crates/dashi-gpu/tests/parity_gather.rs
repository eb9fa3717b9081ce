//! GPU ↔ CPU parity of the `gather` family: `gather`, `scatter` (dashi-core/src/ops/gather.wgsl).
//!
//! Tolerance: none. Both ops only copy f32 values (or write 0.0 for an out-of-range
//! gather index), so results are compared bit for bit with
//! `CpuExecutor::new(Precision::F64)` fed the same f32-rounded values, and with a naive
//! computation here. Index handling is exercised with out-of-range indices (`n`, a bit
//! past `n`, and `u32::MAX`) mixed into seeded random in-range ones.
//!
//! The gather input buffer carries a tail past `n` of huge values (1e30) that an
//! index `≥ n` must not reach (an exactly-`n`-long buffer would hide an off-by-one:
//! wgpu's bounds checks read 0 there, the expected value). Output buffers are longer than the op's range and poisoned before every run; for
//! scatter every element gets its own poison (12345 + i) so "untouched" is checked
//! element by element; the whole buffer, slack included, must match.

use dashi_core::ops::*;
use dashi_core::random::SplitMix64;
use dashi_gpu::gpu_or_skip;
use std::time::Instant;

const SIZES: &[usize] = &[1, 7, 255, 256, 257, 1000, 4099, 1 << 16];
const POISON_REAL: f64 = 12345.0;
const SLACK: usize = 2;
/// Values past `n` in gather's input buffer; gathering one would show.
const TAIL: f64 = 1e30;

fn f32_round(v: &[f64]) -> Vec<f64> {
    v.iter().map(|&x| f64::from(x as f32)).collect()
}

fn bits(v: &[f64]) -> Vec<u32> {
    v.iter().map(|&x| (x as f32).to_bits()).collect()
}

/// Seeded normals over a few decades of magnitude, mixed signs, f32-rounded.
fn values(rng: &mut SplitMix64, len: usize) -> Vec<f64> {
    f32_round(&(0..len).map(|_| rng.normal() * 2f64.powi(rng.below(9) as i32 - 4)).collect::<Vec<_>>())
}

/// One out-of-range index for a dense side of length `n`.
fn out_of_range(rng: &mut SplitMix64, n: usize) -> u32 {
    match rng.below(3) {
        0 => n as u32,
        1 => n as u32 + 1 + rng.below(1000) as u32,
        _ => u32::MAX,
    }
}

/// Runs `op` (gather or scatter) and returns the whole output buffer.
fn run_op<E: Executor>(
    ex: &mut E,
    op: &'static OpSpec,
    x: &[f64],
    idx: &[u32],
    out_init: &[f64],
    params: GatherParams,
) -> Vec<f64> {
    let xb = ex.alloc(ElemType::Real, x.len()).unwrap();
    ex.upload_real(xb, x).unwrap();
    let ib = ex.alloc(ElemType::U32, idx.len()).unwrap();
    ex.upload_u32(ib, idx).unwrap();
    let ob = ex.alloc(ElemType::Real, out_init.len()).unwrap();
    ex.upload_real(ob, out_init).unwrap();
    ex.enqueue(op, &[xb, ib, ob], bytemuck::bytes_of(&params)).unwrap();
    let r = ex.download_real(ob).unwrap();
    for b in [xb, ib, ob] {
        ex.free(b).unwrap();
    }
    r
}

#[test]
fn gather_family_matches_its_specs() {
    let ops: Vec<&str> = GATHER_FAMILY.ops.iter().map(|s| s.name).collect();
    assert_eq!(ops, ["gather", "scatter"]);
    dashi_gpu::reflect::check_family(&GATHER_FAMILY).unwrap_or_else(|e| panic!("gather: {e}"));
}

/// gather: `m` ∈ {1, n, 2n + 3} indices (repeats allowed), about 1 in 5 out of range.
#[test]
fn gather_parity() {
    let Some(mut gpu) = gpu_or_skip("gather_parity") else { return };
    let mut cpu = CpuExecutor::new(Precision::F64);
    let t0 = Instant::now();
    for &n in SIZES {
        for m in [1, n, 2 * n + 3] {
            let mut rng = SplitMix64::new(0x6A7E_0000 ^ (n as u64) << 20 ^ m as u64);
            let x = values(&mut rng, n);
            // The x buffer is longer than n; its tail must never be gathered.
            let mut x_buf = x.clone();
            x_buf.extend([TAIL; SLACK]);
            let idx: Vec<u32> = (0..m)
                .map(|_| if rng.below(5) == 0 { out_of_range(&mut rng, n) } else { rng.below(n as u64) as u32 })
                .collect();
            let out_init = vec![POISON_REAL; m + SLACK];
            let mut naive: Vec<f64> = idx.iter().map(|&i| x.get(i as usize).copied().unwrap_or(0.0)).collect();
            naive.extend([POISON_REAL; SLACK]);
            let params = GatherParams::new(n as u32, m as u32);
            let want = run_op(&mut cpu, &GATHER, &x_buf, &idx, &out_init, params);
            assert_eq!(bits(&want), bits(&naive), "CPU reference gather n = {n} m = {m}");
            let got = run_op(&mut gpu, &GATHER, &x_buf, &idx, &out_init, params);
            assert_eq!(bits(&got), bits(&want), "gather n = {n} m = {m}");
        }
    }
    println!("gather: exact ({:.2?})", t0.elapsed());
}

/// scatter: in-range indices are distinct (a prefix of a random permutation of 0..n),
/// out-of-range ones (which may repeat) are mixed in; `m` ∈ {n, ⌊n/2⌋ + 1, n + 5}.
#[test]
fn scatter_parity() {
    let Some(mut gpu) = gpu_or_skip("scatter_parity") else { return };
    let mut cpu = CpuExecutor::new(Precision::F64);
    let t0 = Instant::now();
    for &n in SIZES {
        for m in [n, n / 2 + 1, n + 5] {
            let mut rng = SplitMix64::new(0x5CA7_0000 ^ (n as u64) << 20 ^ m as u64);
            let x = values(&mut rng, m);
            let mut perm: Vec<u32> = (0..n as u32).collect();
            for i in (1..n).rev() {
                perm.swap(i, rng.below(i as u64 + 1) as usize);
            }
            let in_range = m.min(n) - m.min(n) / 8;
            let mut idx: Vec<u32> = perm[..in_range].to_vec();
            idx.extend((in_range..m).map(|_| out_of_range(&mut rng, n)));
            for i in (1..m).rev() {
                idx.swap(i, rng.below(i as u64 + 1) as usize);
            }
            let out_init: Vec<f64> = (0..n + SLACK).map(|i| POISON_REAL + i as f64).collect();
            let mut naive = out_init.clone();
            for (&v, &i) in x.iter().zip(&idx) {
                if (i as usize) < n {
                    naive[i as usize] = v;
                }
            }
            let params = GatherParams::new(n as u32, m as u32);
            let want = run_op(&mut cpu, &SCATTER, &x, &idx, &out_init, params);
            assert_eq!(bits(&want), bits(&naive), "CPU reference scatter n = {n} m = {m}");
            let got = run_op(&mut gpu, &SCATTER, &x, &idx, &out_init, params);
            assert_eq!(bits(&got), bits(&want), "scatter n = {n} m = {m}");
        }
    }
    println!("scatter: exact ({:.2?})", t0.elapsed());
}
