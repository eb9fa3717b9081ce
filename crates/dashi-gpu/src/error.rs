//! [`GpuError`]: failures of adapter selection, device creation and shader checks.

use dashi_core::ops::ExecError;

/// Errors of setting up a GPU executor.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GpuError {
    /// No adapter matched the request.
    #[error(
        "no GPU adapter matches {requested} (available: {available}); install a Vulkan driver (e.g. `apt-get install mesa-vulkan-drivers` for CPU Vulkan) or fix DASHI_ADAPTER"
    )]
    NoAdapter {
        /// What was asked for.
        requested: String,
        /// Adapters found, `index: name (type)`, or `none`.
        available: String,
    },
    /// The adapter refused to create a device.
    #[error("could not create a device on {adapter}: {message}")]
    RequestDevice {
        /// Adapter name.
        adapter: String,
        /// The driver's message.
        message: String,
    },
    /// A WGSL source failed to parse or validate.
    #[error("shader family {family} is invalid: {message}")]
    Shader {
        /// Family (file) name.
        family: String,
        /// naga's message.
        message: String,
    },
    /// A shader disagrees with its op's `OpSpec`.
    #[error("shader for op {op} disagrees with its OpSpec: {message}")]
    SpecMismatch {
        /// Op name.
        op: String,
        /// The disagreement.
        message: String,
    },
    /// An executor-level error.
    #[error(transparent)]
    Exec(#[from] ExecError),
}

impl From<GpuError> for ExecError {
    fn from(e: GpuError) -> Self {
        match e {
            GpuError::Exec(inner) => inner,
            other => ExecError::Device(other.to_string()),
        }
    }
}
