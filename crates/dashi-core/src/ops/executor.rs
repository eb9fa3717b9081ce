//! The [`Executor`] trait: the one interface solvers and codecs are written against.

use super::{ElemType, ExecError, OpSpec};
use std::fmt;

/// Handle of a buffer owned by an executor.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, bytemuck::Pod, bytemuck::Zeroable)]
pub struct BufferId(pub u32);

/// Floating-point precision of an executor's real buffers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Precision {
    /// f32.
    F32,
    /// f64.
    F64,
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Precision::F32 => "f32",
            Precision::F64 => "f64",
        })
    }
}

/// The backend that actually ran the ops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// The CPU reference executor.
    Cpu,
    /// wgpu on Vulkan.
    Vulkan,
    /// wgpu on another API (Metal, DX12, GL).
    OtherGpu,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Cpu => "cpu",
            Backend::Vulkan => "vulkan",
            Backend::OtherGpu => "gpu-other",
        })
    }
}

/// Kind of device, as the driver reports it. A CPU Vulkan implementation
/// (lavapipe/llvmpipe) is [`DeviceType::Cpu`], never a GPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeviceType {
    /// The host CPU (CPU executor, or a CPU Vulkan driver).
    Cpu,
    /// A discrete GPU.
    DiscreteGpu,
    /// An integrated GPU.
    IntegratedGpu,
    /// A virtual GPU.
    VirtualGpu,
    /// Anything else.
    Other,
}

/// What an executor runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Backend used.
    pub backend: Backend,
    /// Device name as reported (e.g. the CPU model, or the adapter name).
    pub device_name: String,
    /// Device type.
    pub device_type: DeviceType,
    /// Driver name/version, if known.
    pub driver: String,
    /// Precision of real buffers.
    pub precision: Precision,
}

/// Accumulated timing of one op name.
#[derive(Clone, Debug, PartialEq)]
pub struct OpTiming {
    /// Op name.
    pub op: &'static str,
    /// Dispatches recorded.
    pub dispatches: u64,
    /// Host wall time attributed to the op, nanoseconds (CPU executor: the op's run
    /// time; GPU executors: recording time only, never device time).
    pub host_ns: u64,
    /// Device time from timestamp queries, nanoseconds, where supported.
    pub device_ns: Option<u64>,
}

/// An executor of KernelOps.
///
/// Ops are enqueued through their typed handles ([`super::Op::run`]), which call
/// [`Executor::enqueue`] with the parameter block's bytes; the trait is dyn-compatible,
/// so solvers take `&mut E` with `E: Executor + ?Sized` and work on `&mut dyn Executor`.
///
/// Contract: [`Executor::enqueue`] validates the dispatch with [`OpSpec::check`]
/// before anything reaches the device; ops enqueued run in order; results are
/// visible to downloads after [`Executor::flush`] (downloads flush implicitly).
/// Real data crosses the boundary as f64 and is rounded to the executor's precision.
pub trait Executor {
    /// The device and backend actually in use.
    fn device(&self) -> &DeviceInfo;
    /// Allocates a zero-initialised buffer of `len ≥ 1` elements.
    fn alloc(&mut self, elem: ElemType, len: usize) -> Result<BufferId, ExecError>;
    /// Releases a buffer.
    fn free(&mut self, buf: BufferId) -> Result<(), ExecError>;
    /// Element type and length of a buffer.
    fn buffer_desc(&self, buf: BufferId) -> Result<(ElemType, usize), ExecError>;
    /// Uploads finite reals (exactly the buffer's length).
    fn upload_real(&mut self, buf: BufferId, data: &[f64]) -> Result<(), ExecError>;
    /// Uploads `u32`s (exactly the buffer's length).
    fn upload_u32(&mut self, buf: BufferId, data: &[u32]) -> Result<(), ExecError>;
    /// Uploads `i32`s (exactly the buffer's length).
    fn upload_i32(&mut self, buf: BufferId, data: &[i32]) -> Result<(), ExecError>;
    /// Validates and enqueues one op.
    fn enqueue(&mut self, op: &'static OpSpec, buffers: &[BufferId], params: &[u8]) -> Result<(), ExecError>;
    /// Submits everything enqueued and waits for completion.
    fn flush(&mut self) -> Result<(), ExecError>;
    /// Downloads a real buffer (as f64).
    fn download_real(&mut self, buf: BufferId) -> Result<Vec<f64>, ExecError>;
    /// Downloads a `u32` buffer.
    fn download_u32(&mut self, buf: BufferId) -> Result<Vec<u32>, ExecError>;
    /// Downloads an `i32` buffer.
    fn download_i32(&mut self, buf: BufferId) -> Result<Vec<i32>, ExecError>;
    /// Per-op timings accumulated since creation or the last reset.
    fn timings(&self) -> Vec<OpTiming>;
    /// Clears the timings.
    fn reset_timings(&mut self);

    /// Turns per-op device timing on or off where the executor measures it on the
    /// device (GPU timestamp queries, on by default). Off, `timings()` has no
    /// `device_ns` and long recordings never wait for the device to read timestamps
    /// back — the setting for production runs. Host timings are unaffected; the CPU
    /// executor ignores it.
    fn set_device_timing(&mut self, on: bool) {
        let _ = on;
    }

    /// Enqueues `repeats` dispatches of `op` with one parameter block, the k-th bound
    /// to `sets[k % sets.len()]` — e.g. `[[z0, a, z1], [z1, a, z0]]` ping-pongs a
    /// rollout state. Each set is validated; dispatches run in order, each seeing the
    /// previous one's writes. The default enqueues them one by one; the GPU executor
    /// records them into one compute pass.
    fn enqueue_chain(
        &mut self,
        op: &'static OpSpec,
        sets: &[&[BufferId]],
        params: &[u8],
        repeats: usize,
    ) -> Result<(), ExecError> {
        if sets.is_empty() {
            return Ok(());
        }
        for k in 0..repeats {
            self.enqueue(op, sets[k % sets.len()], params)?;
        }
        Ok(())
    }

    /// Starts the device on everything enqueued so far **without waiting**, so it
    /// works while the host records more (long rollouts submit every few hundred
    /// steps). Results are identical either way. The CPU executor has nothing to do.
    fn submit(&mut self) -> Result<(), ExecError> {
        Ok(())
    }
}

/// The upload rule shared by every executor: real data must be finite, and must stay
/// finite when rounded to the executor's precision (|v| ≤ f32::MAX for f32).
pub fn check_real_upload(buf: BufferId, data: &[f64], precision: Precision) -> Result<(), ExecError> {
    let limit = match precision {
        Precision::F32 => f64::from(f32::MAX),
        Precision::F64 => f64::MAX,
    };
    match data.iter().position(|v| v.is_nan() || v.abs() > limit) {
        None => Ok(()),
        Some(index) => Err(ExecError::NonFinite { buffer: buf.0, index, value: data[index], precision }),
    }
}
