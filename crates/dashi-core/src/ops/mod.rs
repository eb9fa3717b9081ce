//! The KernelOp ABI: every numerical operation of DASHI as a named op with a fixed
//! binding layout and parameter block, and the executors that run them.
//!
//! * [`OpSpec`] — the single source of truth for an op: ordered [`Binding`]s (index,
//!   read / read-write, element type, length rule in terms of the parameters), the
//!   `#[repr(C)]` parameter block ([`ParamField`]s, 4 bytes each, padded to 16), and the
//!   [`Dispatch`] rule giving workgroups from the problem size. The WGSL declarations
//!   (dashi-gpu) and the CPU reference must both agree with it.
//! * [`REGISTRY`] — every op so far, in one list (`docs/ABI.md` documents each).
//! * [`Executor`] — allocate typed buffers, upload, enqueue ops, flush, download,
//!   report the device and per-op timings. [`CpuExecutor`] runs the CPU reference of
//!   each op in f64 or f32; the GPU executor records the same ops into command
//!   buffers. Solvers and codecs are written once against the trait.
//!
//! Safety rules (from the prototype's crashes), enforced by [`OpSpec::check`] before
//! every dispatch on every executor: parameter block size exact; binding count and
//! element types exact; every buffer at least as long as its length rule; no length
//! rule evaluating to zero (empty problems are handled on the host, so no zero-sized
//! buffer or zero-workgroup dispatch reaches a device); no buffer bound twice when one
//! of the bindings writes it; op-specific parameter domains (e.g. `k ≤ n`).

mod biot_savart;
mod codec;
mod cpu;
mod error;
mod executor;
mod fft2;
mod params;
mod reference;
mod registry;
mod spec;
mod vorticity;

pub use cpu::CpuExecutor;
pub use error::ExecError;
pub use executor::{Backend, BufferId, DeviceInfo, DeviceType, Executor, OpTiming, Precision, check_real_upload};
pub use fft2::{Fft2Program, RealFft2Program, default_column_radices};
pub use params::{
    BandParams, BiotSavartParams, BoxSmoothParams, FftStepParams, FiningClosureParams, GatherParams, GemmParams,
    GemvParams, LenParams, NonlinearParams, PairParams, ProxyPackParams, ProxySpectrumParams, ScalarParams,
    ShellParams, SpectralMulParams, StencilParams, ThresholdGateParams, ThresholdParams, TopKParams,
    VorticityFieldParams, VorticityRhsParams, split_f64,
};
pub use reference::{argmax, fft_twiddles, top_k};
pub use registry::*;
pub use spec::{Access, Binding, BufferDesc, Dispatch, ElemType, LenRule, OpId, OpSpec, ParamField, ParamType, Params};
