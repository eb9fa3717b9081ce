//! The KernelOp families this crate owns (the registry is open: these ops are defined
//! here, beside their WGSL, and run on any executor).
//!
//! * [`VORTICITY`] — the fused right-hand side of the vorticity equation
//!   (`vorticity_fields`, `vorticity_nonlinear`, `vorticity_rhs`).

mod vorticity;

pub use vorticity::*;

/// The families of this crate, in documentation order.
pub static FAMILIES: &[&dashi_core::ops::Family] = &[&VORTICITY];
