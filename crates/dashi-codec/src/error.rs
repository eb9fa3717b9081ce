//! The codec's typed errors.

use dashi_core::ops::ExecError;
use thiserror::Error;

/// Everything the codec can refuse or fail at.
#[derive(Debug, Error)]
pub enum CodecError {
    /// A configuration value out of range (the name, the value, what is required).
    #[error("invalid codec setting {name} = {value}: {requirement}")]
    Config {
        /// Setting name as the CLI spells it.
        name: &'static str,
        /// The offending value.
        value: String,
        /// What it must satisfy.
        requirement: String,
    },
    /// Input data of the wrong shape.
    #[error("{what}: expected {expected}, found {found}")]
    Shape {
        /// What was being read.
        what: &'static str,
        /// Expected size or shape.
        expected: String,
        /// Found size or shape.
        found: String,
    },
    /// A non-finite value in an input field or state.
    #[error("{what}: non-finite value {value} at index {index}")]
    NonFinite {
        /// What was being read.
        what: String,
        /// Flat index.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The training data cannot determine the operator.
    #[error("fit: {0}")]
    Fit(String),
    /// A rollout produced a non-finite state (the operator is unstable).
    #[error(
        "rollout: non-finite state at step {step} (component {index} = {value}); the operator is unstable over this horizon"
    )]
    Diverged {
        /// Step at which the state first became non-finite.
        step: u64,
        /// Component index.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The executor refused or failed an op.
    #[error(transparent)]
    Exec(#[from] ExecError),
    /// A model file problem.
    #[error(transparent)]
    Container(#[from] crate::container::ContainerError),
    /// A model file whose contents do not form a valid model.
    #[error("model file: {0}")]
    Model(String),
}

pub(crate) fn config_error(name: &'static str, value: impl ToString, requirement: impl Into<String>) -> CodecError {
    CodecError::Config { name, value: value.to_string(), requirement: requirement.into() }
}

impl From<dashi_core::linear::RolloutError> for CodecError {
    fn from(e: dashi_core::linear::RolloutError) -> Self {
        use dashi_core::linear::RolloutError;
        match e {
            RolloutError::NonFinite { step, index, value } => CodecError::Diverged { step, index, value },
            RolloutError::Exec(e) => CodecError::Exec(e),
            RolloutError::ZeroStride => config_error("stride", 0, "must be >= 1"),
            RolloutError::Operator(e) => CodecError::Shape {
                what: "rollout initial states",
                expected: "batch × D values".into(),
                found: e.to_string(),
            },
        }
    }
}
