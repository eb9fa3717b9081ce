//! [`PowerLadder`]: jumps to any time `t` in `O(log t)` gemvs.
//!
//! The ladder caches `P_j = A^(2^j)` for `j = 0 … J`. Writing `t = Σ_j b_j 2^j`,
//! `z_t = z_0 · A^t = z_0 · Π_{j : b_j = 1} P_j` (powers of one matrix commute), so a jump
//! costs one gemv per set bit of `t` after a one-off `J` squarings.

use super::LinearOperator;
use crate::scalar::Real;

/// Cached powers `A^(2^j)`.
#[derive(Clone, Debug)]
pub struct PowerLadder<T: Real = f64> {
    rungs: Vec<LinearOperator<T>>,
}

impl<T: Real> PowerLadder<T> {
    /// Builds rungs up to the highest bit of `max_t` (at least `A` itself).
    pub fn new(op: &LinearOperator<T>, max_t: u64) -> Self {
        let top = 64 - max_t.max(1).leading_zeros() as usize;
        let mut rungs = vec![op.clone()];
        while rungs.len() < top {
            let last = rungs.last().expect("non-empty");
            rungs.push(last.then(last).expect("same dimension"));
        }
        PowerLadder { rungs }
    }

    /// Largest `t` this ladder can jump to.
    pub fn max_t(&self) -> u64 {
        if self.rungs.len() >= 64 { u64::MAX } else { (1u64 << self.rungs.len()) - 1 }
    }

    /// `z · A^t`, or `None` if `t` exceeds [`PowerLadder::max_t`] or `z` has the wrong length.
    pub fn jump(&self, z: &[T], t: u64) -> Option<Vec<T>> {
        if t > self.max_t() || z.len() != self.rungs[0].dim() {
            return None;
        }
        let mut cur = z.to_vec();
        let mut next = vec![T::ZERO; z.len()];
        for (j, rung) in self.rungs.iter().enumerate() {
            if (t >> j) & 1 == 1 {
                rung.apply(&cur, &mut next).ok()?;
                std::mem::swap(&mut cur, &mut next);
            }
        }
        Some(cur)
    }
}
