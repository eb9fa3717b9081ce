//! Errors of the solver.

use dashi_core::ops::ExecError;

/// Everything that can go wrong setting up or running a solve.
#[derive(Debug, thiserror::Error)]
pub enum LesError {
    /// A configuration value out of its documented range.
    #[error("invalid LES configuration: {field} = {value} ({rule})")]
    InvalidConfig {
        /// The offending field.
        field: &'static str,
        /// Its value as given.
        value: String,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// The executor refused an op or a transfer.
    #[error("executor: {0}")]
    Exec(#[from] ExecError),
    /// The state stopped being finite.
    #[error("the solution is no longer finite at step {step} (t = {time}): enstrophy = {enstrophy}")]
    BlowUp {
        /// The first step found non-finite.
        step: u64,
        /// Simulated time at that step.
        time: f64,
        /// The enstrophy measured there.
        enstrophy: f64,
    },
}
