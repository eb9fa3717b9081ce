//! Pseudo-spectral 2D vorticity solver written once over the [`dashi_core::ops::Executor`]:
//! the CPU executor in f64 is the reference, the GPU executor runs the same KernelOp
//! sequence in f32 with the state device-resident between flushes (docs/DESIGN.md §0: "GPU is not
//! a solver").
//!
//! ```text
//! ∂ω/∂t + u·∇ω = ν₀ ∇²ω + F − μω       on [0, 2π)², periodic
//! ∇²ψ = −ω,   u = ∂ψ/∂y,   v = −∂ψ/∂x
//! ```
//!
//! Spectral conventions are docs/DESIGN.md §4 / docs/MATH.md §4 (`fft_norm = "backward"`, full
//! layout, `k = fftfreq(N)·N`); the nonlinear term is dealiased by the 2/3 rule. The
//! crate has the equation above with the Smagorinsky closure `+ ν_t∇²ω`, `ν_t = (Cs·Δ)²|S|` ([`Les`] has the full
//! equation and the op sequence), Heun and RK4 steppers, the [`Preset`] initial
//! conditions, the diagnostics of docs/DESIGN.md §5 per stride ([`Diagnostics`], [`Snapshot`])
//! and [`truth`] files with their manifest and selectors.

#![deny(missing_docs)]

mod config;
mod error;
pub mod initial;
pub mod ops;
mod preset;
mod solver;
pub mod truth;

pub use config::{Forcing, LesConfig, Stepper};
pub use error::LesError;
pub use preset::{KOLMOGOROV_DRAG, KOLMOGOROV_KF, MCWILLIAMS_K0, Preset};
pub use solver::{Diagnostics, Les, Snapshot, spectral_totals};
