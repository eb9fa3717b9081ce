//! Helpers shared by the CPU-executor op tests of this crate (`ops_*.rs`): seeded
//! inputs, poisoned buffers (the poison values are the harness's,
//! [`dashi_core::ops::testing`]), precision rounding, bit-exact and bounded
//! comparisons, and carrier plane helpers written independently of `src/`.
//!
//! Each test file uses a subset, hence `dead_code` is allowed here. The ABI checks
//! and the enqueue fuzz every crate's op families share are in `abi.rs` beside it.
#![allow(dead_code)]

pub use dashi_core::ops::testing::{POISON_I32, POISON_REAL, POISON_U32};

use dashi_core::carrier::{Carrier, Shape};
use dashi_core::ops::{BufferId, CpuExecutor, ElemType, Executor, Precision};
use dashi_core::random::SplitMix64;
use dashi_core::scalar::Real;

pub const PRECISIONS: [Precision; 2] = [Precision::F64, Precision::F32];
/// Problem sizes: 1, primes and non-multiples of 32/64/256, one multiple of 64.
pub const SIZES: [usize; 6] = [1, 7, 33, 64, 257, 1000];
/// f32 unit roundoff 2⁻²⁴.
pub const U32_EPS: f64 = 1.0 / 16_777_216.0;

pub fn seed(op: u64, n: usize, prec: Precision) -> u64 {
    op.wrapping_mul(0x9E37_79B9) ^ (n as u64) << 20 ^ u64::from(prec == Precision::F32) << 40
}

/// Extra elements beyond the length rule for odd sizes: the op must leave them alone.
pub fn slack(n: usize) -> usize {
    if n % 2 == 1 { 3 } else { 0 }
}

/// Normal draws at a random scale; asserts the input is not all zero.
pub fn random_reals(g: &mut SplitMix64, n: usize) -> Vec<f64> {
    let scale = [1e-3, 1.0, 1e3][g.below(3) as usize];
    let v: Vec<f64> = (0..n).map(|_| g.normal() * scale).collect();
    assert!(v.iter().any(|&x| x != 0.0), "all-zero input");
    v
}

/// Small integers in −2..=2 (many ties); never all zero.
pub fn tie_heavy_reals(g: &mut SplitMix64, n: usize) -> Vec<f64> {
    let mut v: Vec<f64> = (0..n).map(|_| g.below(5) as f64 - 2.0).collect();
    if v.iter().all(|&x| x == 0.0) {
        v[g.below(n as u64) as usize] = 1.0;
    }
    v
}

/// Uploads `data` into a fresh real buffer; returns it with the values as stored.
pub fn real_buf(ex: &mut CpuExecutor, data: &[f64]) -> (BufferId, Vec<f64>) {
    let id = ex.alloc(ElemType::Real, data.len()).unwrap();
    ex.upload_real(id, data).unwrap();
    let stored = ex.download_real(id).unwrap();
    (id, stored)
}

pub fn poisoned_real(ex: &mut CpuExecutor, len: usize) -> BufferId {
    let id = ex.alloc(ElemType::Real, len).unwrap();
    ex.upload_real(id, &vec![POISON_REAL; len]).unwrap();
    id
}

pub fn u32_buf(ex: &mut CpuExecutor, data: &[u32]) -> BufferId {
    let id = ex.alloc(ElemType::U32, data.len()).unwrap();
    ex.upload_u32(id, data).unwrap();
    id
}

pub fn poisoned_u32(ex: &mut CpuExecutor, len: usize) -> BufferId {
    u32_buf(ex, &vec![POISON_U32; len])
}

pub fn poisoned_i32(ex: &mut CpuExecutor, len: usize) -> BufferId {
    let id = ex.alloc(ElemType::I32, len).unwrap();
    ex.upload_i32(id, &vec![POISON_I32; len]).unwrap();
    id
}

/// Values as an executor of `prec` stores them.
pub fn round_to(prec: Precision, v: f64) -> f64 {
    match prec {
        Precision::F64 => v,
        Precision::F32 => f64::from(v as f32),
    }
}

pub fn narrow<T: Real>(v: &[f64]) -> Vec<T> {
    v.iter().map(|&x| T::from_f64(x)).collect()
}

/// Runs `$f::<f64>` or `$f::<f32>` according to the precision (`#[macro_use] mod common;`).
#[allow(unused_macros)]
macro_rules! in_precision {
    ($prec:expr, $f:ident ( $($arg:expr),* $(,)? )) => {
        match $prec {
            dashi_core::ops::Precision::F64 => $f::<f64>($($arg),*),
            dashi_core::ops::Precision::F32 => $f::<f32>($($arg),*),
        }
    };
}

pub fn assert_bits(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.to_bits(), w.to_bits(), "{what}: element {i}: got {g:e}, want {w:e}");
    }
}

pub fn assert_tail_real(got: &[f64], from: usize, what: &str) {
    assert!(got[from..].iter().all(|&v| v == POISON_REAL), "{what}: tail beyond the length rule was written");
}

pub fn assert_tail_u32(got: &[u32], from: usize, what: &str) {
    assert!(got[from..].iter().all(|&v| v == POISON_U32), "{what}: tail beyond the length rule was written");
}

/// Checks an f32 result against the exact (f64) value within `bound`.
pub fn assert_within(got: &[f64], exact: &[f64], bound: &[f64], what: &str) {
    for (i, ((g, e), b)) in got.iter().zip(exact).zip(bound).enumerate() {
        assert!((g - e).abs() <= *b, "{what}: element {i}: got {g:e}, exact {e:e}, error bound {b:e}");
    }
}

/// Trit of cell `i` read straight from the planes.
pub fn trit_at(support: &[u32], sign: &[u32], i: usize) -> i32 {
    let bit = 1u32 << (i % 32);
    match (support[i / 32] & bit != 0, sign[i / 32] & bit != 0) {
        (false, _) => 0,
        (true, false) => 1,
        (true, true) => -1,
    }
}

pub fn planes_of(values: &[i32]) -> (Vec<u32>, Vec<u32>) {
    let words = values.len().div_ceil(32);
    let (mut support, mut sign) = (vec![0u32; words], vec![0u32; words]);
    for (i, &v) in values.iter().enumerate() {
        let bit = 1u32 << (i % 32);
        if v != 0 {
            support[i / 32] |= bit;
        }
        if v < 0 {
            sign[i / 32] |= bit;
        }
    }
    (support, sign)
}

/// A random carrier (as values) of density in (0, 1); never all zero.
pub fn random_trits(g: &mut SplitMix64, cells: usize) -> Vec<i32> {
    let density = g.uniform(0.2, 0.9);
    let mut v: Vec<i32> = (0..cells)
        .map(|_| if g.next_f64() < density { if g.next_u64() & 1 == 0 { 1 } else { -1 } } else { 0 })
        .collect();
    if v.iter().all(|&t| t == 0) {
        v[g.below(cells as u64) as usize] = 1;
    }
    v
}

pub fn carrier_of(values: &[i32], h: usize, w: usize) -> Carrier {
    let v: Vec<i8> = values.iter().map(|&t| t as i8).collect();
    Carrier::from_i8(Shape::d2(h, w).unwrap(), &v).unwrap()
}

/// Seeded random full-layout spectra (never zero), rounded to `prec`.
pub fn random_spectra(g: &mut SplitMix64, len: usize, prec: Precision) -> Vec<f64> {
    (0..len).map(|_| round_to(prec, g.uniform(0.5, 1.5) * if g.below(2) == 0 { -1.0 } else { 1.0 })).collect()
}

pub fn complex_of<T: Real>(x: &[f64]) -> Vec<dashi_core::spectral::Complex<T>> {
    x.chunks_exact(2).map(|c| dashi_core::spectral::Complex::new(T::from_f64(c[0]), T::from_f64(c[1]))).collect()
}

pub fn reals_of<T: Real>(c: &[dashi_core::spectral::Complex<T>]) -> Vec<f64> {
    c.iter().flat_map(|v| [v.re.to_f64(), v.im.to_f64()]).collect()
}
