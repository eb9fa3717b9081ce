//! # dashi-gpu — the GPU executor: any KernelOp's WGSL, run by wgpu on Vulkan
//!
//! [`GpuExecutor`] implements [`dashi_core::ops::Executor`]: the same op sequence a
//! solver or codec enqueues on the CPU reference runs here on a GPU (or on Mesa's CPU
//! Vulkan, lavapipe, which CI uses). Real buffers are f32 on the device. The executor
//! owns no ops: every [`dashi_core::ops::OpSpec`] carries its shader family (WGSL
//! beside the op's CPU kernel, in the crate that defines it), which the executor
//! compiles and caches the first time it is handed one of its ops.
//!
//! * Adapter selection ([`AdapterSelection`]): `DASHI_ADAPTER` (an index into
//!   [`list_adapters`] or a case-insensitive name substring) or the default preference
//!   discrete GPU → integrated → virtual → CPU Vulkan. Asking for an adapter that is not
//!   there is a typed error ([`GpuError::NoAdapter`]); a CPU Vulkan device reports
//!   [`dashi_core::ops::DeviceType::Cpu`], never "GPU".
//! * Shaders ([`shaders`]): a family's assembled module
//!   ([`dashi_core::ops::Family::source`]) is validated by naga and every op's entry
//!   point reflected against its [`dashi_core::ops::OpSpec`] ([`reflect`]) before any
//!   pipeline is built; [`reflect::check_family`] does the same without a device.
//! * Buffers are persistent and device-resident; pipelines and bind groups are created
//!   once and cached; parameter blocks go to a uniform arena addressed by dynamic
//!   offsets, so many ops are recorded into one command buffer and submitted together.
//! * Timing: timestamp queries per op where the adapter supports them (`device_ns`),
//!   host wall time of recording always (`host_ns`); the two are reported separately.
//! * Rollouts are dashi-core's ([`dashi_core::linear::rollout_on`]); this executor
//!   records their chains of steps into single compute passes.
#![deny(missing_docs)]

mod adapter;
mod backend;
mod error;
mod executor;
pub mod reflect;
pub mod shaders;
mod skip;

pub use adapter::{AdapterSelection, AdapterSummary, list_adapters};
pub use backend::{BackendReport, BackendRequest, executor_for};
pub use error::GpuError;
pub use executor::{GpuExecutor, SUBMIT_EVERY};
pub use skip::{gpu_or_skip, require_gpu};

/// The README's example, compiled as a doctest so it cannot rot.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
