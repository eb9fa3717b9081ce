//! The KernelOp families this crate owns (the registry is open: these ops are defined
//! here, beside their WGSL, and run on any executor).
//!
//! * [`CODEC`] — the v4 codec's per-frame steps (`proxy_pack`, `proxy_spectrum`,
//!   `box_smooth`, `threshold_gate`, `fining_select`, `fining_closure`, `mask_combine`).

mod proxy;

pub use proxy::*;

/// The families of this crate, in documentation order.
pub static FAMILIES: &[&dashi_core::ops::Family] = &[&CODEC];
