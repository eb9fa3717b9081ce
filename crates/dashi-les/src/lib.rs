//! Pseudo-spectral 2D vorticity solver written once over the [`dashi_core::ops::Executor`]:
//! the CPU executor in f64 is the reference, the GPU executor runs the same KernelOp
//! sequence in f32 with the state device-resident between flushes (SPEC §0: "GPU is not
//! a solver").
//!
//! ```text
//! ∂ω/∂t + u·∇ω = ν₀ ∇²ω + F − μω       on [0, 2π)², periodic
//! ∇²ψ = −ω,   u = ∂ψ/∂y,   v = −∂ψ/∂x
//! ```
//!
//! Spectral conventions are SPEC §4 / docs/MATH.md §4 (`fft_norm = "backward"`, full
//! layout, `k = fftfreq(N)·N`); the nonlinear term is dealiased by the 2/3 rule.
//!
//! **Status (issue 5, in progress):** the equation above with Heun and RK4 steppers, the
//! Taylor–Green and McWilliams initial conditions, Kolmogorov forcing and linear drag,
//! energy/enstrophy diagnostics and the CFL number. Not yet: the Smagorinsky closure,
//! CFL reported per stride, truth files and the `dashi` CLI.

#![deny(missing_docs)]

mod config;
mod error;
pub mod initial;
mod solver;
pub mod truth;

pub use config::{Forcing, LesConfig, Stepper};
pub use error::LesError;
pub use solver::{Diagnostics, Les, Snapshot, spectral_totals};
