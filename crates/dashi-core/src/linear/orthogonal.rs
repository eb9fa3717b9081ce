//! Seeded random orthogonal matrices (test and benchmark operators).

use super::{LinearOperator, OperatorError};
use crate::random::SplitMix64;

/// A `d×d` orthogonal matrix times `scale`: Gaussian rows (SplitMix64 seeded with
/// `seed`, Box–Muller) orthonormalised by modified Gram–Schmidt applied twice
/// ("twice is enough", Giraud et al. 2005) so `‖QQᵀ − I‖` is at rounding level.
/// With `|scale| < 1` the rollout `z·A^t` decays as `scale^t` without blowing up or
/// (for moderate horizons) reaching denormals. Cost `O(d³)`. Errors if `d = 0` or
/// `scale` is not finite.
pub fn random_orthogonal(d: usize, seed: u64, scale: f64) -> Result<LinearOperator<f64>, OperatorError> {
    let mut g = SplitMix64::new(seed);
    let mut q: Vec<f64> = (0..d * d).map(|_| g.normal()).collect();
    for _pass in 0..2 {
        for i in 0..d {
            for k in 0..i {
                let (done, rest) = q.split_at_mut(i * d);
                let qk = &done[k * d..(k + 1) * d];
                let qi = &mut rest[..d];
                let dot: f64 = qk.iter().zip(qi.iter()).map(|(a, b)| a * b).sum();
                for (x, y) in qi.iter_mut().zip(qk) {
                    *x -= dot * y;
                }
            }
            let row = &mut q[i * d..(i + 1) * d];
            let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt();
            for v in row.iter_mut() {
                *v /= norm;
            }
        }
    }
    for v in q.iter_mut() {
        *v *= scale;
    }
    LinearOperator::new(d, q)
}
