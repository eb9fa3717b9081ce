//! CPU reference implementations of the ops, generic over [`Real`].
//!
//! Where an op's result depends on evaluation order (reductions), the reference
//! defines it: sums accumulate in f64 in ascending index order and are rounded once to
//! the executor's precision. Device implementations may order differently; parity
//! tests state the resulting tolerance.

use crate::scalar::Real;
use std::cmp::Ordering;

/// `Σ x` accumulated in f64, ascending index.
pub(crate) fn sum<T: Real>(x: &[T]) -> T {
    T::from_f64(x.iter().fold(0.0, |acc, v| acc + v.to_f64()))
}

/// `Σ x²` accumulated in f64, ascending index.
pub(crate) fn sum_sq<T: Real>(x: &[T]) -> T {
    T::from_f64(x.iter().fold(0.0, |acc, v| acc + v.to_f64() * v.to_f64()))
}

/// `max |x|` (NaN ignored; 0 for an all-NaN input).
pub(crate) fn max_abs<T: Real>(x: &[T]) -> T {
    x.iter().fold(T::ZERO, |m, &v| if v.abs() > m { v.abs() } else { m })
}

/// Orders candidates by value descending, NaN last, then index ascending.
fn rank<T: Real>(x: &[T], i: usize, j: usize) -> Ordering {
    let (a, b) = (x[i], x[j]);
    let key = |v: T| v.partial_cmp(&v).map(|_| v);
    match (key(a), key(b)) {
        (Some(a), Some(b)) => b.partial_cmp(&a).expect("not NaN").then(i.cmp(&j)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => i.cmp(&j),
    }
}

/// The index of the largest value, lowest index on ties; NaN never wins unless every
/// value is NaN (then 0). `None` for an empty slice.
pub fn argmax<T: Real>(x: &[T]) -> Option<usize> {
    (0..x.len()).min_by(|&i, &j| rank(x, i, j))
}

/// Indices of the `k` largest values, ordered by value descending then index
/// ascending (ties → lower index first); NaN ranks below every number. Returns
/// `min(k, len)` indices.
pub fn top_k<T: Real>(x: &[T], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    let k = k.min(x.len());
    if k == 0 {
        return Vec::new();
    }
    idx.select_nth_unstable_by(k - 1, |&i, &j| rank(x, i, j));
    idx.truncate(k);
    idx.sort_unstable_by(|&i, &j| rank(x, i, j));
    idx
}

thread_local! {
    static PLANNER_F64: std::cell::RefCell<rustfft::FftPlanner<f64>> = std::cell::RefCell::new(rustfft::FftPlanner::new());
    static PLANNER_F32: std::cell::RefCell<rustfft::FftPlanner<f32>> = std::cell::RefCell::new(rustfft::FftPlanner::new());
}

/// Precisions with a per-thread cached rustfft planner (rustfft's planner caches plans
/// per length and direction).
pub(crate) trait CachedFft: rustfft::FftNum + Real {
    /// The plan for length `n` in the given direction.
    fn plan(n: usize, inverse: bool) -> std::sync::Arc<dyn rustfft::Fft<Self>>;
}

fn direction(inverse: bool) -> rustfft::FftDirection {
    if inverse { rustfft::FftDirection::Inverse } else { rustfft::FftDirection::Forward }
}

impl CachedFft for f64 {
    fn plan(n: usize, inverse: bool) -> std::sync::Arc<dyn rustfft::Fft<f64>> {
        PLANNER_F64.with(|p| p.borrow_mut().plan_fft(n, direction(inverse)))
    }
}

impl CachedFft for f32 {
    fn plan(n: usize, inverse: bool) -> std::sync::Arc<dyn rustfft::Fft<f32>> {
        PLANNER_F32.with(|p| p.borrow_mut().plan_fft(n, direction(inverse)))
    }
}

/// The `fft_rows` reference: `rows` complex rows of length `n`, interleaved
/// `(re, im)`; forward `X_k = Σ_j x_j e^{−2πi jk/n}`, inverse with `e^{+…}` and `1/n`;
/// with `transpose`, row `r` of block `b = r / n` is written as column `r mod n` of
/// block `b`.
pub(crate) fn fft_rows<T: CachedFft>(src: &[T], dst: &mut [T], n: usize, rows: usize, inverse: bool, transpose: bool) {
    let fft = T::plan(n, inverse);
    let mut row = vec![rustfft::num_complex::Complex::new(T::ZERO, T::ZERO); n];
    let scale = if inverse { T::ONE / <T as Real>::from_f64(n as f64) } else { T::ONE };
    for r in 0..rows {
        for (j, c) in row.iter_mut().enumerate() {
            *c = rustfft::num_complex::Complex::new(src[2 * (r * n + j)], src[2 * (r * n + j) + 1]);
        }
        fft.process(&mut row);
        for (k, c) in row.iter().enumerate() {
            let at = if transpose { ((r / n) * n + k) * n + r % n } else { r * n + k };
            dst[2 * at] = c.re * scale;
            dst[2 * at + 1] = c.im * scale;
        }
    }
}

/// `n/2` twiddles `W_n^k = e^{−2πi k/n}`, `k < n/2`, interleaved `(re, im)` (`n` reals),
/// computed in f64 — the `twiddles` binding of `fft_rows`.
pub fn fft_twiddles(n: usize) -> Vec<f64> {
    (0..n / 2)
        .flat_map(|k| {
            let angle = -2.0 * std::f64::consts::PI * k as f64 / n as f64;
            [angle.cos(), angle.sin()]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_go_to_the_lower_index() {
        let x = [1.0, 3.0, 3.0, f64::NAN, 2.0, 3.0];
        assert_eq!(argmax(&x), Some(1));
        assert_eq!(top_k(&x, 4), vec![1, 2, 5, 4]);
        assert_eq!(top_k(&x, 6), vec![1, 2, 5, 4, 0, 3]);
        assert_eq!(argmax::<f64>(&[]), None);
        assert_eq!(argmax(&[f64::NAN, f64::NAN]), Some(0));
    }
}
