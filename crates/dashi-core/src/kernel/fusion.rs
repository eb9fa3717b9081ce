//! `MajorityFusion`: a per-cell vote across k channels.
//!
//! ```text
//! F(s₁, …, s_k)(x) = sgn( Σ_c s_c(x) )        (ties, Σ = 0, give 0)
//! ```
//!
//! Abstentions (0) do not vote. Properties: deterministic; invariant under permutation
//! of the channels; `supp F ⊆ ∪_c supp s_c` (no support creation); idempotent on
//! agreement, `F(m, …, m) = m`, hence `F(F(s), …, F(s)) = F(s)`; pointwise, so
//! equivariant under every cell permutation.

use super::KernelError;
use crate::carrier::{Carrier, Trit};

/// k-channel majority vote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MajorityFusion;

impl MajorityFusion {
    /// Fuses `channels` (k ≥ 1, all of one shape).
    pub fn fuse(&self, channels: &[Carrier]) -> Result<Carrier, KernelError> {
        let first = channels.first().ok_or(KernelError::NoChannels)?;
        for c in &channels[1..] {
            first.check_same_shape(c)?;
        }
        let mut out = Carrier::zeros(first.shape().clone());
        for i in 0..first.len() {
            let sum: i64 = channels.iter().map(|c| i64::from(c.value(i))).sum();
            out.set(i, Trit::signum(sum));
        }
        Ok(out)
    }
}
