//! The regularised Biot–Savart kernel in the periodic box [0, L)², L = 2π — a
//! re-export of [`dashi_core::vortex`], the one definition shared with the
//! `biot_savart` KernelOp (CPU reference in dashi-core, WGSL in dashi-gpu's `atoms`
//! family). See that module for the derivation, the error bounds and the conventions
//! (∇²ψ = −ω, u = ∂ψ/∂y, v = −∂ψ/∂x; Γ > 0 turns counter-clockwise).
//!
//! ```text
//! u − iv = Γ/(2iL) · Σ_{|m|≤M} coth(π(z − mL)/L) + iΓx/L²,   x, y ∈ [−L/2, L/2]
//! ```
//!
//! with the nearest image's singular part replaced by the Gaussian (Lamb–Oseen) blob
//! profile `u_θ = Γ(1 − e^{−r²/ε²})/(2πr)`; M = [`COLUMNS`] = 3 image columns each side
//! (truncation ≈ 9·10⁻¹¹·Γ).

pub use dashi_core::vortex::{COLUMNS, blob_velocity, blob_velocity_columns, point_velocity};
