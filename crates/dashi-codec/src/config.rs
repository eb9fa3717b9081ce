//! Codec configuration (docs/DESIGN.md §6): band cuts, anchors, ridge, and the decoder's mask
//! pipeline and residual synthesis.

use crate::error::{CodecError, config_error};
use dashi_core::kernel::MAX_FINING_LEVELS;
use serde::{Deserialize, Serialize};

/// How the residual (mid and high bands) is rendered at decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Residual {
    /// Low band only: `ω = ω_lp` (the parity and "ideal low-pass" mode).
    None,
    /// Anchors plus seeded random-phase synthesis scaled to the header's band
    /// energies, added where the mask is supported: `ω = ω_lp + |m|·ω_res`.
    Seeded,
}

impl std::str::FromStr for Residual {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(Residual::None),
            "seeded" => Ok(Residual::Seeded),
            other => Err(format!("unknown residual mode {other:?} (none | seeded)")),
        }
    }
}

/// Encoder settings: what the proxy vector `z` keeps.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EncodeConfig {
    /// Low band `|k| ≤ k_cut`, stored exactly (half of each conjugate pair).
    pub k_cut: u32,
    /// Mid band `k_cut < |k| ≤ mid_cut` (Nyquist lines excluded): anchors are chosen here.
    pub mid_cut: u32,
    /// Number of anchors K (largest mid-band residual modes).
    pub topk: usize,
}

impl Default for EncodeConfig {
    fn default() -> Self {
        EncodeConfig { k_cut: 8, mid_cut: 32, topk: 128 }
    }
}

impl EncodeConfig {
    /// Settings that work on an N×N grid for every supported N (N ≥ 16, a power of two):
    /// the [`Default`] ones (`k_cut` 8, `mid_cut` 32, `topk` 128) where they fit, else
    /// `mid_cut = min(32, N/2 − 1)`, `k_cut = min(8, N/4)` and `topk` at most half of the
    /// mid-band modes. At N ≥ 128 this is exactly the default.
    pub fn for_grid(n: usize) -> Self {
        let default = Self::default();
        let highest = ((n / 2) as u32).saturating_sub(1).max(2);
        let mid_cut = default.mid_cut.min(highest);
        let k_cut = default.k_cut.min((n / 4) as u32).clamp(1, mid_cut);
        let partial = EncodeConfig { k_cut, mid_cut, topk: 0 };
        let mid_modes = crate::ProxyLayout::new(n, &partial).map_or(0, |layout| layout.mid_modes().len());
        EncodeConfig { topk: default.topk.min(mid_modes / 2).max(1), ..partial }
    }

    /// Checks the settings against a grid of size `n`.
    pub fn validate(&self, n: usize) -> Result<(), CodecError> {
        let nyquist = (n / 2) as u32;
        if self.k_cut == 0 || self.k_cut >= nyquist {
            return Err(config_error(
                "k-cut",
                self.k_cut,
                format!("must be in 1..={} (below the Nyquist wavenumber N/2 = {nyquist})", nyquist.saturating_sub(1)),
            ));
        }
        if self.mid_cut < self.k_cut || self.mid_cut >= nyquist {
            return Err(config_error(
                "mid-cut",
                self.mid_cut,
                format!(
                    "must be in {}..={} (from k-cut = {} to N/2 − 1; N = {n})",
                    self.k_cut,
                    nyquist.saturating_sub(1),
                    self.k_cut
                ),
            ));
        }
        Ok(())
    }
}

/// Decoder settings: the mask pipeline (docs/DESIGN.md §6, §2.2) and residual synthesis.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecodeConfig {
    /// Residual rendering.
    pub residual: Residual,
    /// Decode seed; frame `t` draws phases with seed `decode_seed + 1000003·t` (wrapping u32).
    pub decode_seed: u32,
    /// Relative threshold τ of the mask: `T_{τ·max|B_r ω_lp|}`; also the fining levels' τ_rel.
    pub tau: f64,
    /// Box-smoothing half-width r (each level smooths once more).
    pub smooth_radius: u32,
    /// Majority vote strength η over the Moore neighbourhood of radius 1.
    pub majority_eta: u32,
    /// Fining level budget L (1 ..= 6 unless raised up to 16 on purpose).
    pub fining_levels: u32,
    /// Fining closure tolerance ε on the relative change of active cells.
    pub fining_epsilon: f64,
    /// Exponent s of the synthesised residual's amplitude `|ω̂(k)| ∝ |k|^(−s)` within a
    /// band (s = 1 ↔ an energy spectrum E(k) ∝ k⁻³, the enstrophy-cascade range).
    pub residual_slope: f64,
}

impl Default for DecodeConfig {
    fn default() -> Self {
        DecodeConfig {
            residual: Residual::Seeded,
            decode_seed: 0,
            tau: 0.1,
            smooth_radius: 1,
            majority_eta: 2,
            fining_levels: 6,
            fining_epsilon: 1e-3,
            residual_slope: 1.0,
        }
    }
}

/// Default fining budget (the prototype's codec closed at about 6 levels).
pub const DEFAULT_FINING_LEVELS: u32 = 6;

impl DecodeConfig {
    /// Checks the settings against a grid of size `n`.
    pub fn validate(&self, n: usize) -> Result<(), CodecError> {
        if !(self.tau > 0.0 && self.tau <= 1.0) {
            return Err(config_error("tau", self.tau, "must be in (0, 1]"));
        }
        if (2 * self.smooth_radius as usize + 1) > n {
            return Err(config_error("smooth-radius", self.smooth_radius, format!("2r + 1 must not exceed N = {n}")));
        }
        if self.majority_eta == 0 || self.majority_eta > 9 {
            return Err(config_error(
                "majority-eta",
                self.majority_eta,
                "must be in 1..=9 (Moore radius 1: 9 cells, the cell itself included)",
            ));
        }
        if self.fining_levels == 0 || self.fining_levels as usize > MAX_FINING_LEVELS {
            return Err(config_error(
                "fining-levels",
                self.fining_levels,
                format!("must be in 1..={MAX_FINING_LEVELS}"),
            ));
        }
        if !(self.fining_epsilon.is_finite() && self.fining_epsilon >= 0.0) {
            return Err(config_error("fining-epsilon", self.fining_epsilon, "must be finite and >= 0"));
        }
        if !(self.residual_slope.is_finite() && self.residual_slope.abs() <= 8.0) {
            return Err(config_error("residual-slope", self.residual_slope, "must be finite, |s| <= 8"));
        }
        Ok(())
    }
}

/// What the ridge penalty pulls the operator towards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Prior {
    /// `λ‖A‖²` (docs/DESIGN.md §6's formula): directions of z the training frames never visit are
    /// mapped to zero.
    Zero,
    /// `λ‖A − I‖²`: unvisited directions persist (`z_{t+1} = z_t` there) — a
    /// persistence prior for a time-stepping operator.
    Identity,
}

impl std::str::FromStr for Prior {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "zero" => Ok(Prior::Zero),
            "identity" => Ok(Prior::Identity),
            other => Err(format!("unknown prior {other:?} (zero | identity)")),
        }
    }
}

/// Fit settings.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitConfig {
    /// Fraction of the transitions used for training (the rest is the eval horizon).
    pub train_frac: f64,
    /// Relative ridge λ: the penalty is `λ·tr(XᵀX)/D·‖A‖²`, so λ is scale-free.
    pub ridge: f64,
    /// What the penalty pulls A towards.
    pub prior: Prior,
    /// Stable by construction: the fitted operator is projected onto ‖S·A·S⁻¹‖₂ ≤ 1
    /// (its singular values in standardised coordinates clipped to 1), so ρ(A) ≤ 1 and
    /// no rollout of any length grows (see `fit`). Older model files lack the key: false.
    #[serde(default)]
    pub stable: bool,
}

impl Default for FitConfig {
    fn default() -> Self {
        FitConfig { train_frac: 0.6, ridge: 1e-6, prior: Prior::Zero, stable: false }
    }
}

impl FitConfig {
    /// Checks the settings.
    pub fn validate(&self) -> Result<(), CodecError> {
        if !(self.train_frac > 0.0 && self.train_frac <= 1.0) {
            return Err(config_error("train-frac", self.train_frac, "must be in (0, 1]"));
        }
        if !(self.ridge.is_finite() && self.ridge >= 0.0) {
            return Err(config_error("ridge", self.ridge, "must be finite and >= 0"));
        }
        Ok(())
    }
}
