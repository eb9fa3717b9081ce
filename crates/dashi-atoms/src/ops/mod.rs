//! The KernelOp families this crate owns (the registry is open: these ops are defined
//! here, beside their WGSL, and run on any executor).
//!
//! * [`ATOMS`] — `biot_savart`, the periodic Biot–Savart direct sum of vortex blobs.

mod biot_savart;

pub use biot_savart::*;

/// The families of this crate, in documentation order.
pub static FAMILIES: &[&dashi_core::ops::Family] = &[&ATOMS];
