//! `Threshold(τ)`: the PDA projection of a real field onto the carrier alphabet.
//!
//! ```text
//! T_τ(x) = +1  if x ≥ τ
//!          −1  if x ≤ −τ
//!           0  otherwise                  (τ > 0)
//! ```
//!
//! Pointwise, so equivariant under every permutation of cells (translations, rotations,
//! reflections). For `0 < τ ≤ 1` it is idempotent on its own output read as reals
//! (`T_τ(T_τ(x)) = T_τ(x)`), and it is monotone in τ: `τ₁ ≤ τ₂ ⇒ supp T_{τ₂} ⊆ supp T_{τ₁}`.

use super::{KernelError, invalid};
use crate::carrier::{Carrier, Field};
use crate::scalar::Real;

/// The ternary threshold projection.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    tau: f64,
}

impl Threshold {
    /// A threshold at `tau`, which must be finite and > 0.
    pub fn new(tau: f64) -> Result<Self, KernelError> {
        if !(tau.is_finite() && tau > 0.0) {
            return Err(invalid("tau", tau, "must be finite and > 0"));
        }
        Ok(Threshold { tau })
    }

    /// The threshold τ.
    pub fn tau(&self) -> f64 {
        self.tau
    }

    /// Projects a field to a carrier of the same shape.
    pub fn project(&self, field: &Field) -> Carrier {
        let words = crate::carrier::words_for(field.values().len());
        let mut support = vec![0u32; words];
        let mut sign = vec![0u32; words];
        threshold_planes(field.values(), self.tau, &mut support, &mut sign);
        Carrier::from_planes(field.shape().clone(), support, sign).expect("threshold_planes writes canonical planes")
    }
}

/// The reference threshold on raw slices, writing the two bit-planes (the CPU
/// executor's `threshold` op and [`Threshold::project`] both call this).
/// `support` and `sign` must hold `⌈values.len()/32⌉` words; they are overwritten.
pub fn threshold_planes<T: Real>(values: &[T], tau: T, support: &mut [u32], sign: &mut [u32]) {
    support.fill(0);
    sign.fill(0);
    for (i, &x) in values.iter().enumerate() {
        let bit = 1u32 << (i % 32);
        if x >= tau {
            support[i / 32] |= bit;
        } else if x <= -tau {
            support[i / 32] |= bit;
            sign[i / 32] |= bit;
        }
    }
}
