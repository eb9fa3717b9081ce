//! [`ExecError`]: everything an executor can refuse or fail at.

use super::ElemType;

/// Errors of the KernelOp ABI and executors.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExecError {
    /// Parameter block of the wrong size.
    #[error("op {op}: parameter block is {found} bytes, spec says {expected}")]
    ParamsSize {
        /// Op name.
        op: &'static str,
        /// Spec size.
        expected: usize,
        /// Supplied size.
        found: usize,
    },
    /// Wrong number of buffers.
    #[error("op {op}: {found} buffers bound, spec has {expected} bindings")]
    BindingCount {
        /// Op name.
        op: &'static str,
        /// Bindings in the spec.
        expected: usize,
        /// Buffers supplied.
        found: usize,
    },
    /// A buffer of the wrong element type.
    #[error("op {op}: binding {binding} ({name}) needs {expected:?}, got {found:?}")]
    ElemType {
        /// Op name.
        op: &'static str,
        /// Binding index.
        binding: u32,
        /// Binding name.
        name: &'static str,
        /// Spec type.
        expected: ElemType,
        /// Buffer type.
        found: ElemType,
    },
    /// A buffer shorter than its length rule.
    #[error("op {op}: binding {binding} ({name}) holds {found} elements, needs {required}")]
    BufferTooSmall {
        /// Op name.
        op: &'static str,
        /// Binding index.
        binding: u32,
        /// Binding name.
        name: &'static str,
        /// Elements required by the rule.
        required: usize,
        /// Elements in the buffer.
        found: usize,
    },
    /// A size parameter is zero (empty problems never reach a device).
    #[error("op {op}: size parameter {param} is zero; handle empty inputs on the host")]
    ZeroSize {
        /// Op name.
        op: &'static str,
        /// Parameter name.
        param: &'static str,
    },
    /// A buffer bound twice where one binding writes it.
    #[error("op {op}: buffer {buffer} is bound to both {first} and {second}, and one of them writes")]
    Aliased {
        /// Op name.
        op: &'static str,
        /// Buffer id.
        buffer: u32,
        /// First binding name.
        first: &'static str,
        /// Second binding name.
        second: &'static str,
    },
    /// A parameter outside its domain.
    #[error("op {op}: {message}")]
    InvalidParams {
        /// Op name.
        op: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Data-dependent failure of an op (e.g. duplicate scatter indices).
    #[error("op {op} failed: {message}")]
    OpFailed {
        /// Op name.
        op: &'static str,
        /// What happened.
        message: String,
    },
    /// A buffer id that was never allocated or was freed.
    #[error("unknown buffer id {0}")]
    UnknownBuffer(u32),
    /// A zero-length allocation.
    #[error("refusing to allocate a zero-sized buffer")]
    ZeroSizedBuffer,
    /// Upload/download with the wrong length or type.
    #[error("buffer {buffer} holds {expected} {elem:?} elements, transfer has {found}")]
    TransferMismatch {
        /// Buffer id.
        buffer: u32,
        /// Buffer element type.
        elem: ElemType,
        /// Buffer length.
        expected: usize,
        /// Transfer length (or type mismatch with 0).
        found: usize,
    },
    /// Data uploaded to a real buffer that is not finite in the executor's precision.
    #[error("upload to buffer {buffer}: value {value} at index {index} is not finite in {precision}")]
    NonFinite {
        /// Buffer id.
        buffer: u32,
        /// Index.
        index: usize,
        /// Value.
        value: f64,
        /// The executor's precision.
        precision: super::Precision,
    },
    /// The device could not allocate memory.
    #[error("device out of memory allocating {bytes} bytes ({context})")]
    OutOfMemory {
        /// Bytes requested.
        bytes: u64,
        /// What was being allocated or run.
        context: String,
    },
    /// The device was lost (driver reset, hang, removal); the executor is unusable.
    #[error("device lost: {0}")]
    DeviceLost(String),
    /// A shader family's WGSL failed to parse or validate (GPU executors).
    #[error("shader family {family} is invalid: {message}")]
    Shader {
        /// Family name.
        family: String,
        /// The validator's message.
        message: String,
    },
    /// A shader disagrees with its op's spec (GPU executors' reflection check).
    #[error("shader for op {op} disagrees with its OpSpec: {message}")]
    SpecMismatch {
        /// Op name.
        op: String,
        /// The disagreement.
        message: String,
    },
    /// Any other device-level failure (validation, internal driver error) — GPU executors.
    #[error("device error: {0}")]
    Device(String),
}
