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
