//! `Fining`: multi-level refinement of a mask against a field, until closure.
//!
//! Given a field `f₀ = f` and a seed carrier `s₀`, level `ℓ = 1, 2, …, L` computes
//!
//! ```text
//! f_ℓ = B_r f_{ℓ−1}                          periodic box smoothing, half-width r
//! t_ℓ = T_{τ_ℓ}(f_ℓ),  τ_ℓ = τ_rel · max|f_ℓ|   ternary threshold
//! g_ℓ = s_{ℓ−1} ∧ t_ℓ                         keep x iff s_{ℓ−1}(x) = t_ℓ(x) ≠ 0
//! s_ℓ = K_ann( M(g_ℓ) )                       majority, then annihilation
//! ```
//!
//! and stops at the first level whose active-cell count changed by a relative amount
//! `|a_ℓ − a_{ℓ−1}| / max(a_{ℓ−1}, 1) < ε` (the **closure level**), or when the level
//! budget `L ≤` [`MAX_FINING_LEVELS`] runs out (closure level `None`). Each level
//! reports [`LevelStats`]: active cells, interface count, sign balance, energy on the
//! support (of the original field `f`), and the fraction annihilated at that level.
//!
//! Every stage only zeroes cells, never flips or creates them, so
//! `supp s_L ⊆ … ⊆ supp s₀` (no support creation) and, as a kernel of `s₀` for a
//! fixed field, fining is contractive with `D = |supp|` ([`FiningKernel`]).
//! Translating or rotating `f` and `s₀` together translates or rotates the result.

use super::{
    Annihilate, CoherenceStats, Defect, Kernel, KernelClass, KernelError, Majority, Symmetry, Threshold, invalid,
};
use crate::carrier::{Carrier, Field, Trit};

/// Most levels a fining run may be configured with.
pub const MAX_FINING_LEVELS: usize = 16;

/// Fining configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fining {
    /// Level budget `L` (1 ..= [`MAX_FINING_LEVELS`]; the prototype's 6 by default).
    pub levels: usize,
    /// Box-smoothing half-width `r` per level.
    pub smooth_radius: usize,
    /// Relative threshold `τ_rel ∈ (0, 1]`.
    pub tau_rel: f64,
    /// Closure tolerance `ε ≥ 0` on the relative change of active cells.
    pub epsilon: f64,
    /// The majority stage.
    pub majority: Majority,
    /// The annihilation stage.
    pub annihilate: Annihilate,
}

/// Per-level statistics of a fining run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LevelStats {
    /// Level index ℓ (1-based).
    pub level: usize,
    /// Coherence statistics of `s_ℓ` against the original field.
    pub stats: CoherenceStats,
    /// Cells zeroed by annihilation at this level, over the cells entering it.
    pub annihilated_fraction: f64,
}

/// The result of [`Fining::run`].
#[derive(Clone, Debug, PartialEq)]
pub struct FiningOutcome {
    /// The final mask `s_ℓ` at closure (or after the last level).
    pub mask: Carrier,
    /// Statistics of every level run.
    pub levels: Vec<LevelStats>,
    /// The level at which closure was detected, if any.
    pub closure_level: Option<usize>,
}

impl Fining {
    /// The prototype's defaults with the given stages: 6 levels, box radius 1,
    /// `τ_rel = 0.1`, `ε = 1e-3`.
    pub fn with_stages(majority: Majority, annihilate: Annihilate) -> Self {
        Fining { levels: 6, smooth_radius: 1, tau_rel: 0.1, epsilon: 1e-3, majority, annihilate }
    }

    fn validate(&self) -> Result<(), KernelError> {
        if self.levels == 0 || self.levels > MAX_FINING_LEVELS {
            return Err(invalid("levels", self.levels, "must be in 1..=16"));
        }
        if !(self.tau_rel > 0.0 && self.tau_rel <= 1.0) {
            return Err(invalid("tau_rel", self.tau_rel, "must be in (0, 1]"));
        }
        if !(self.epsilon >= 0.0 && self.epsilon.is_finite()) {
            return Err(invalid("epsilon", self.epsilon, "must be finite and >= 0"));
        }
        Ok(())
    }

    /// Runs fining of seed `seed` against `field` (same shape).
    pub fn run(&self, field: &Field, seed: &Carrier) -> Result<FiningOutcome, KernelError> {
        self.validate()?;
        if field.shape() != seed.shape() {
            return Err(crate::carrier::CarrierError::ShapeMismatch {
                expected: seed.shape().clone(),
                found: field.shape().clone(),
            }
            .into());
        }
        let mut smoothed = field.clone();
        let mut mask = seed.clone();
        let mut levels = Vec::new();
        let mut closure_level = None;
        for level in 1..=self.levels {
            smoothed = smoothed.box_smooth(self.smooth_radius)?;
            let max = smoothed.max_abs();
            let mut gated = mask.clone();
            if max > 0.0 {
                let cut = Threshold::new(self.tau_rel * max)?.project(&smoothed);
                for i in 0..gated.len() {
                    if gated.get(i) != cut.get(i) {
                        gated.set(i, Trit::Zero);
                    }
                }
            } else {
                gated = Carrier::zeros(mask.shape().clone());
            }
            let voted = self.majority.apply(&gated)?;
            let next = self.annihilate.apply(&voted)?;
            let entering = voted.support_count();
            let annihilated = entering - next.support_count();
            let before = mask.support_count() as f64;
            let after = next.support_count() as f64;
            levels.push(LevelStats {
                level,
                stats: CoherenceStats::of(&next, field)?,
                annihilated_fraction: if entering == 0 { 0.0 } else { annihilated as f64 / entering as f64 },
            });
            mask = next;
            if (after - before).abs() / before.max(1.0) < self.epsilon {
                closure_level = Some(level);
                break;
            }
        }
        Ok(FiningOutcome { mask, levels, closure_level })
    }
}

/// Fining against a fixed field, seen as a kernel of the seed carrier.
#[derive(Clone, Copy, Debug)]
pub struct FiningKernel<'a> {
    /// The configuration.
    pub fining: &'a Fining,
    /// The field the mask is refined against.
    pub field: &'a Field,
}

impl Kernel for FiningKernel<'_> {
    fn name(&self) -> String {
        format!("fining(L={}, r={}, τ_rel={})", self.fining.levels, self.fining.smooth_radius, self.fining.tau_rel)
    }

    fn class(&self) -> KernelClass {
        KernelClass::Contractive(Defect::SupportCount)
    }

    /// The field is fixed, so the kernel alone commutes with nothing; translating the
    /// field *and* the seed together does commute (tested separately).
    fn symmetry(&self) -> Symmetry {
        Symmetry::None
    }

    fn apply(&self, input: &Carrier) -> Result<Carrier, KernelError> {
        Ok(self.fining.run(self.field, input)?.mask)
    }
}
