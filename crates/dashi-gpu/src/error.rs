//! [`GpuError`]: failures of adapter selection and device creation. Errors of running
//! ops (shader validation and reflection included) are [`ExecError`]s, which convert
//! into `GpuError` — one way only.

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
    /// An executor-level error.
    #[error(transparent)]
    Exec(#[from] ExecError),
}
