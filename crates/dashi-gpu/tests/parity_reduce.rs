//! GPU ↔ CPU parity of the `reduce` family: `reduce_sum`, `reduce_sum_sq`,
//! `reduce_max_abs`, `argmax` (dashi-core/src/ops/reduce.wgsl).
//!
//! Every case runs the op on the GPU executor and on `CpuExecutor::new(Precision::F64)`
//! with the same f32-rounded input (so both reduce the very numbers the device holds),
//! and where cheap also against a naive computation here. Inputs are seeded SplitMix64
//! data, never all zeros. Output buffers are one element longer than the op writes and
//! are poisoned (12345.0 / 0xDEADBEEF) before every run: `out[0]` must be overwritten,
//! `out[1]` must stay poisoned. Input buffers carry a tail past `n` of huge values
//! (1e30) that the op must not read.

use dashi_core::ops::*;
use dashi_core::random::SplitMix64;
use dashi_gpu::gpu_or_skip;

mod common;
use common::{POISON_REAL, POISON_U32, run_on_bits};
use std::time::Instant;

/// Sizes: 1, odd, around one workgroup (255/256/257), a few workgroups' worth, and a
/// large one (4096 terms per invocation).
const SIZES: &[usize] = &[1, 7, 255, 256, 257, 1000, 4099, 1 << 20];
/// Values past `n` in every input buffer; reading one would wreck any result.
const TAIL: f64 = 1e30;
const TAIL_LEN: usize = 3;

/// `v` rounded to f32 (what the device stores), as f64.
fn f32_round(v: &[f64]) -> Vec<f64> {
    v.iter().map(|&x| f64::from(x as f32)).collect()
}

/// Runs the reduction `op` on `x[0..n)` (the buffer also holds a [`TAIL`] of garbage) and
/// returns `out[0]`, checking that `out[1]` kept its poison.
fn reduce_real<E: Executor>(ex: &mut E, op: &'static OpSpec, x: &[f64]) -> f64 {
    let n = x.len();
    let mut data = x.to_vec();
    data.extend(std::iter::repeat_n(TAIL, TAIL_LEN));
    let xb = ex.alloc(ElemType::Real, data.len()).unwrap();
    ex.upload_real(xb, &data).unwrap();
    let out = ex.alloc(ElemType::Real, 2).unwrap();
    ex.upload_real(out, &[POISON_REAL, POISON_REAL]).unwrap();
    ex.enqueue(op, &[xb, out], bytemuck::bytes_of(&LenParams::new(n as u32))).unwrap();
    let r = ex.download_real(out).unwrap();
    ex.free(xb).unwrap();
    ex.free(out).unwrap();
    assert_eq!(r[1], POISON_REAL, "{} on {}: out[1] was written", op.name, ex.device().backend);
    r[0]
}

/// Runs `argmax` on `x[0..n)` and returns `out[0]`, checking that `out[1]` kept its poison.
fn argmax_on<E: Executor>(ex: &mut E, x: &[f64]) -> u32 {
    let n = x.len();
    let mut data = x.to_vec();
    data.extend(std::iter::repeat_n(TAIL, TAIL_LEN));
    let xb = ex.alloc(ElemType::Real, data.len()).unwrap();
    ex.upload_real(xb, &data).unwrap();
    let out = ex.alloc(ElemType::U32, 2).unwrap();
    ex.upload_u32(out, &[POISON_U32, POISON_U32]).unwrap();
    ARGMAX.run(ex, [xb, out], &LenParams::new(n as u32)).unwrap();
    let r = ex.download_u32(out).unwrap();
    ex.free(xb).unwrap();
    ex.free(out).unwrap();
    assert_eq!(r[1], POISON_U32, "argmax on {}: out[1] was written", ex.device().backend);
    r[0]
}

/// Normal values scaled by 2⁻⁶ … 2⁶, mixed signs, rounded to f32.
fn mixed(rng: &mut SplitMix64, n: usize) -> Vec<f64> {
    f32_round(&(0..n).map(|_| rng.normal() * 2f64.powi(rng.below(13) as i32 - 6)).collect::<Vec<_>>())
}

/// Positive values in [0.5, 1.5) (a sum without cancellation), rounded to f32.
fn positive(rng: &mut SplitMix64, n: usize) -> Vec<f64> {
    f32_round(&(0..n).map(|_| rng.uniform(0.5, 1.5)).collect::<Vec<_>>())
}

/// Nonzero multiples of 1/16 in [−1, 1]: every partial sum of up to 2²⁰ of them is a
/// multiple of 1/16 of magnitude ≤ 2²⁰, i.e. m·2⁻⁴ with an integer |m| ≤ 2²⁴ — exact in
/// f32, so any summation order gives the exact sum, bit for bit.
fn dyadic(rng: &mut SplitMix64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let k = rng.below(16) as i64 + 1;
            let k = if rng.below(2) == 0 { k } else { -k };
            k as f64 / 16.0
        })
        .collect()
}

/// Height of the device's summation tree for `n` terms: a term passes through at most
/// `min(T, 64)` additions inside its invocation's block, `⌈T/64⌉` block additions, and
/// 8 workgroup tree levels, `T = ⌈n/256⌉` (see the header of dashi-core/src/ops/reduce.wgsl).
fn height(n: usize) -> usize {
    let t = n.div_ceil(256);
    t.min(64) + t.div_ceil(64) + 8
}

fn seeded(op: &str, n: usize, case: u64) -> SplitMix64 {
    let tag = op.bytes().fold(0u64, |h, b| h.wrapping_mul(131).wrapping_add(u64::from(b)));
    SplitMix64::new(tag ^ (n as u64).wrapping_mul(0x9E37_79B9) ^ case.wrapping_mul(0x5851_F42D))
}

#[test]
fn reduce_family_matches_its_specs() {
    let ops: Vec<&str> = REDUCE.ops.iter().map(|s| s.name).collect();
    assert_eq!(ops, ["reduce_sum", "reduce_sum_sq", "reduce_max_abs", "argmax"]);
    dashi_gpu::reflect::check_family(&REDUCE).unwrap_or_else(|e| panic!("reduce: {e}"));
}

/// Tolerance (reduce_sum): both sides sum the same f32 values; the CPU in f64 (error
/// ≤ n·2⁻⁵³·Σ|x|, negligible) and the device in f32 along a tree of height h(n), whose
/// error is ≤ γ_h·Σ|x| = h·u/(1 − h·u)·Σ|x| with u = 2⁻²⁴. We assert
/// |gpu − cpu| ≤ h(n)·ε_f32·Σ|x| (ε_f32 = 2u, the factor 2 covers the 1/(1 − hu) and the
/// f64 side). For n = 2²⁰ that is 136·ε·Σ|x| ≈ 1.6e−5·Σ|x| — far tighter than the
/// order-free n·ε·Σ|x|. Because such a bound cannot see one missing small term at large
/// n, a third case uses dyadic values whose every partial sum is exact in f32 and
/// asserts the exact sum.
#[test]
fn reduce_sum_parity() {
    let Some(mut gpu) = gpu_or_skip("reduce_sum_parity") else { return };
    let mut cpu = CpuExecutor::new(Precision::F64);
    let t0 = Instant::now();
    let mut worst: f64 = 0.0;
    for &n in SIZES {
        for case in 0..3 {
            let mut rng = seeded("reduce_sum", n, case);
            let x = match case {
                0 => mixed(&mut rng, n),
                1 => positive(&mut rng, n),
                _ => dyadic(&mut rng, n),
            };
            let naive: f64 = x.iter().sum();
            let want = reduce_real(&mut cpu, &REDUCE_SUM, &x);
            assert_eq!(want, naive, "CPU reference reduce_sum, n = {n}");
            let got = reduce_real(&mut gpu, &REDUCE_SUM, &x);
            if case == 2 {
                assert_eq!(got, naive, "reduce_sum of exactly summable values, n = {n}");
                continue;
            }
            let abs_sum: f64 = x.iter().map(|v| v.abs()).sum();
            let tol = height(n) as f64 * f64::from(f32::EPSILON) * abs_sum;
            let err = (got - want).abs();
            assert!(err <= tol, "reduce_sum n = {n} case {case}: gpu {got} cpu {want} |err| {err:e} > tol {tol:e}");
            worst = worst.max(err / tol);
        }
    }
    println!("reduce_sum: worst |err|/tol = {worst:.3e} ({:.2?})", t0.elapsed());
}

/// Tolerance (reduce_sum_sq): as for reduce_sum with positive terms x², plus one rounding
/// per square (an fma contraction only removes it): relative error ≤ (h(n) + 1)·ε_f32,
/// i.e. |gpu − cpu| ≤ (h(n) + 1)·ε_f32·Σx² (≈ 1.6e−5 relative at n = 2²⁰). An exact case
/// uses integers |x| ≤ 3 (Σx² ≤ 9·2²⁰ < 2²⁴, every partial sum exact in f32).
#[test]
fn reduce_sum_sq_parity() {
    let Some(mut gpu) = gpu_or_skip("reduce_sum_sq_parity") else { return };
    let mut cpu = CpuExecutor::new(Precision::F64);
    let t0 = Instant::now();
    let mut worst: f64 = 0.0;
    for &n in SIZES {
        for case in 0..2 {
            let mut rng = seeded("reduce_sum_sq", n, case);
            let x = match case {
                0 => mixed(&mut rng, n),
                _ => (0..n).map(|_| [-3.0, -2.0, -1.0, 1.0, 2.0, 3.0][rng.below(6) as usize]).collect(),
            };
            let naive: f64 = x.iter().map(|v| v * v).sum();
            let want = reduce_real(&mut cpu, &REDUCE_SUM_SQ, &x);
            assert_eq!(want, naive, "CPU reference reduce_sum_sq, n = {n}");
            let got = reduce_real(&mut gpu, &REDUCE_SUM_SQ, &x);
            if case == 1 {
                assert_eq!(got, naive, "reduce_sum_sq of small integers, n = {n}");
                continue;
            }
            let tol = (height(n) + 1) as f64 * f64::from(f32::EPSILON) * want;
            let err = (got - want).abs();
            assert!(err <= tol, "reduce_sum_sq n = {n}: gpu {got} cpu {want} |err| {err:e} > tol {tol:e}");
            worst = worst.max(err / tol);
        }
    }
    println!("reduce_sum_sq: worst |err|/tol = {worst:.3e} ({:.2?})", t0.elapsed());
}

/// Tolerance (reduce_max_abs): none — a maximum of f32 magnitudes is one of them, so the
/// result must equal the CPU's bit for bit. Cases plant the extreme at index 0, at
/// n − 1, at a random index with a negative sign, and duplicate it as ±m elsewhere.
#[test]
fn reduce_max_abs_parity() {
    let Some(mut gpu) = gpu_or_skip("reduce_max_abs_parity") else { return };
    let mut cpu = CpuExecutor::new(Precision::F64);
    let t0 = Instant::now();
    for &n in SIZES {
        for case in 0..4u64 {
            let mut rng = seeded("reduce_max_abs", n, case);
            let mut x = mixed(&mut rng, n);
            // Above every mixed() value (|normal| < 9 surely, times at most 2⁶).
            let peak = f64::from((1000.0 + rng.next_f64()) as f32);
            let at = match case {
                0 => 0,
                1 => n - 1,
                _ => rng.below(n as u64) as usize,
            };
            x[at] = if case == 2 { -peak } else { peak };
            if case == 3 {
                let again = rng.below(n as u64) as usize;
                x[again] = -peak;
            }
            let naive = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert_eq!(naive, peak);
            let want = reduce_real(&mut cpu, &REDUCE_MAX_ABS, &x);
            let got = reduce_real(&mut gpu, &REDUCE_MAX_ABS, &x);
            assert_eq!(want, naive, "CPU reference reduce_max_abs, n = {n} case {case}");
            assert_eq!(
                (got as f32).to_bits(),
                (want as f32).to_bits(),
                "reduce_max_abs n = {n} case {case}: gpu {got} cpu {want}"
            );
            assert_eq!(got, want);
        }
    }
    println!("reduce_max_abs: exact ({:.2?})", t0.elapsed());
}

/// Tolerance (argmax): none — an index. Cases: heavy ties (integers in [−5, 5]), normal
/// data with its maximum copied to several other places (before and after the first
/// one), all values equal (→ 0), strictly increasing (→ n − 1), all negative.
#[test]
fn argmax_parity() {
    let Some(mut gpu) = gpu_or_skip("argmax_parity") else { return };
    let mut cpu = CpuExecutor::new(Precision::F64);
    let t0 = Instant::now();
    for &n in SIZES {
        for case in 0..5u64 {
            let mut rng = seeded("argmax", n, case);
            let x: Vec<f64> = match case {
                0 => (0..n).map(|_| rng.below(11) as f64 - 5.0).collect(),
                1 => {
                    let mut x = mixed(&mut rng, n);
                    let top = x.iter().cloned().fold(f64::MIN, f64::max);
                    for _ in 0..3 {
                        let at = rng.below(n as u64) as usize;
                        x[at] = top;
                    }
                    x
                }
                2 => vec![2.5; n],
                3 => f32_round(&(0..n).map(|i| -1.0 + i as f64 / n as f64).collect::<Vec<_>>()),
                _ => mixed(&mut rng, n).iter().map(|v| -v.abs() - 1.0).collect::<Vec<_>>(),
            };
            let x = f32_round(&x);
            let top = x.iter().cloned().fold(f64::MIN, f64::max);
            let naive = x.iter().position(|&v| v == top).unwrap() as u32;
            if case == 2 {
                assert_eq!(naive, 0);
            }
            if case == 3 {
                assert_eq!(naive as usize, n - 1);
            }
            let ties = x.iter().filter(|&&v| v == top).count();
            let want = argmax_on(&mut cpu, &x);
            assert_eq!(want, naive, "CPU reference argmax, n = {n} case {case}");
            let got = argmax_on(&mut gpu, &x);
            assert_eq!(got, want, "argmax n = {n} case {case} ({ties} maximal values)");
        }
    }
    println!("argmax: exact ({:.2?})", t0.elapsed());
}

/// NaN and the other non-finite/odd values, which `upload_real` refuses, uploaded
/// by bit pattern: argmax must follow `dashi_core::ops::argmax` exactly (NaN never wins unless
/// every value is NaN → 0; ±∞ are ordinary extremes; −0 = +0 so ties go by index) and
/// reduce_max_abs must ignore NaN like the reference (0 when every value is NaN) and
/// return +0 for zeros. NaNs of several payloads and both signs; sizes below and above
/// one workgroup so both the per-invocation loop and the tree meet NaN.
#[test]
fn argmax_and_max_abs_nan_semantics() {
    let Some(mut gpu) = gpu_or_skip("argmax_and_max_abs_nan_semantics") else { return };
    let nans = [f32::from_bits(0x7fc0_0000), f32::from_bits(0xffc0_0000), f32::from_bits(0x7f80_0001)];
    let mut cases: Vec<Vec<f32>> = vec![
        vec![f32::NAN, 1.0, f32::NAN, 3.0, 3.0, f32::NAN],
        vec![nans[1], -2.0, nans[2], -2.0],
        vec![f32::NAN],
        vec![f32::NAN; 7],
        vec![nans[1]; 300],
        vec![-0.0, 0.0, -0.0],
        vec![-0.0],
        vec![1.0, f32::INFINITY, f32::NAN, f32::INFINITY, f32::NEG_INFINITY],
        vec![f32::NEG_INFINITY, f32::NAN, f32::NEG_INFINITY],
    ];
    for (n, seed) in [(7usize, 1u64), (300, 2), (1000, 3), (4099, 4)] {
        let mut rng = SplitMix64::new(0xA11_0000 + seed);
        let mut x: Vec<f32> = (0..n).map(|_| rng.normal() as f32).collect();
        // NaN at the front, at the maximum, and scattered.
        let top = (0..n).max_by(|&i, &j| x[i].partial_cmp(&x[j]).unwrap()).unwrap();
        x[0] = nans[0];
        x[top] = nans[(seed % 3) as usize];
        for _ in 0..n / 10 {
            x[rng.below(n as u64) as usize] = nans[rng.below(3) as usize];
        }
        cases.push(x.clone());
        // Every value NaN except one.
        let mut lonely = vec![nans[2]; n];
        lonely[n - 1 - rng.below(n as u64) as usize] = -5.0;
        cases.push(lonely);
    }
    for x in &cases {
        let n = x.len();
        let params = LenParams::new(n as u32);
        let want = dashi_core::ops::argmax(x).unwrap() as u32;
        let got = run_on_bits(&mut gpu, &ARGMAX, x, ElemType::U32, 1, bytemuck::bytes_of(&params));
        assert_eq!(got[0], want, "argmax on {:?}…", &x[..n.min(8)]);
        let want = x.iter().fold(0.0f32, |m, v| if v.abs() > m { v.abs() } else { m });
        let got = run_on_bits(&mut gpu, &REDUCE_MAX_ABS, x, ElemType::Real, 1, bytemuck::bytes_of(&params));
        assert_eq!(got[0], want.to_bits(), "reduce_max_abs on {:?}…", &x[..n.min(8)]);
    }
}
