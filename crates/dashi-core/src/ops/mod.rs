//! The KernelOp ABI: every numerical operation of DASHI as a named op with a fixed
//! binding layout and parameter block, its behaviour (a CPU kernel and a WGSL entry
//! point), and the executors that run them.
//!
//! * [`OpSpec`] — the single source of truth for an op: ordered [`Binding`]s (index,
//!   read / read-write, element type, length rule in terms of the parameters), the
//!   parameter block's [`ParamsLayout`] (4-byte fields, padded to 16), the
//!   [`Dispatch`] rule giving workgroups from the problem size, the domain check, the
//!   [`CpuKernel`] and the [`Family`] whose WGSL module holds its entry point.
//! * [`Op<P, B>`] — the typed handle of a spec: [`Op::run`] takes the op's own
//!   parameter struct `P` and buffer set `B`, so mismatches do not compile. Ops are
//!   defined with [`crate::kernel_op!`], parameter blocks with [`crate::op_params!`].
//! * A family's module re-exports everything public in it (`pub use <family>::*`), so a
//!   new op is visible without touching this file.
//! * The registry is open: each crate owns its families (this crate the generic ones,
//!   [`FAMILIES`]; `dashi-les`, `dashi-codec` and `dashi-atoms` their own), and every
//!   executor runs any spec it is handed — the CPU executor calls the spec's kernel, the
//!   GPU executor compiles (and caches) the spec's family.
//! * [`Executor`] — allocate typed buffers, upload, enqueue ops, flush, download,
//!   report the device and per-op timings. [`CpuExecutor`] runs the CPU kernels in f64
//!   or f32. Solvers and codecs are written once against the trait.
//! * [`testing`] — the one op-test harness (poisoned outputs, seeded inputs, reference
//!   and cross-executor checks with stated tolerances) every family's tests use.
//!
//! Safety rules (from the prototype's crashes), enforced by [`OpSpec::check`] before
//! every dispatch on every executor: parameter block size exact; binding count and
//! element types exact; every buffer at least as long as its length rule; no length
//! rule evaluating to zero (empty problems are handled on the host, so no zero-sized
//! buffer or zero-workgroup dispatch reaches a device); no buffer bound twice when one
//! of the bindings writes it; op-specific parameter domains (e.g. `k ≤ n`).
//!
//! Conventions: real buffers are `ElemType::Real`; carrier bit-planes are `u32` words,
//! bit `i % 32` of word `i / 32` = cell `i` (see [`crate::carrier`]); 2D grids are
//! row-major `[height][width]`, periodic; spectra are full-layout `[ky][kx]`,
//! interleaved `(re, im)`.

mod abi;
mod carrier;
mod cpu;
mod elementwise;
mod error;
mod executor;
mod family;
mod fft;
mod fft2;
mod gather;
mod linear;
mod reduce;
mod select;
mod spec;
mod spectral;
pub mod testing;
mod typed;

pub use abi::abi_tables;
pub use carrier::*;
pub use cpu::{CpuExecutor, CpuIo, CpuKernel};
pub use elementwise::*;
pub use error::ExecError;
pub use executor::{Backend, BufferId, DeviceInfo, DeviceType, Executor, OpTiming, Precision, check_real_upload};
pub use family::{Family, WGSL_CARRIER_WORDS, WGSL_MODULES, WGSL_ORDERING, WGSL_WAVENUMBER, WgslConst, WgslModule};
pub use fft::*;
pub use fft2::{Fft2Program, RealFft2Program, default_column_radices};
pub use gather::*;
pub use linear::*;
pub use reduce::*;
pub(crate) use select::rank;
pub use select::*;
pub use spec::{
    Access, Binding, BufferDesc, Dispatch, ElemType, LenRule, OpSpec, Overrides, ParamField, ParamType, Params, binding,
};
pub use spectral::*;
pub use typed::{BufferSet, Op, OpParams, ParamScalar, ParamsLayout, pad_words, split_f64, str_eq};

/// The generic families this crate owns, in documentation order. Other crates export
/// their own lists (`dashi_les::ops::FAMILIES`, …).
pub static FAMILIES: &[&Family] = &[&ELEMENTWISE, &LINEAR, &REDUCE, &SELECT, &GATHER_FAMILY, &CARRIER, &FFT, &SPECTRAL];

/// Every op of [`FAMILIES`], in documentation order.
pub fn ops() -> impl Iterator<Item = &'static OpSpec> {
    FAMILIES.iter().flat_map(|f| f.ops.iter().copied())
}

/// Looks an op of [`FAMILIES`] up by name.
pub fn find_op(name: &str) -> Option<&'static OpSpec> {
    ops().find(|s| s.name == name)
}
