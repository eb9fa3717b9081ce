//! [`SpectralError`]: everything the spectral layer rejects, each naming what was wrong.

use super::{MAX_N, MIN_N};

/// Why a spectral operation refused its input. No spectral entry point panics on user
/// input; each returns one of these instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SpectralError {
    /// N is not a power of two, or outside `MIN_N ..= MAX_N`.
    #[error("unsupported grid size N = {n}: N must be a power of two with {MIN_N} ≤ N ≤ {MAX_N}")]
    BadSize {
        /// The rejected N.
        n: usize,
    },
    /// A buffer has the wrong number of values for the grid and layout.
    #[error("{what} has {got} values, expected {expected}")]
    Length {
        /// Which buffer (`"input"`, `"output"`, `"spectrum"`, …).
        what: &'static str,
        /// What the grid and layout require.
        expected: usize,
        /// What was passed.
        got: usize,
    },
    /// A buffer holds NaN or ±∞ (in either part, for complex values).
    #[error("{what} holds a non-finite value at index {index} (row {row}, column {col})")]
    NonFinite {
        /// Which buffer.
        what: &'static str,
        /// Flat row-major index of the first non-finite value.
        index: usize,
        /// `index / width`.
        row: usize,
        /// `index % width`.
        col: usize,
    },
    /// A scalar parameter is out of its domain (NaN, negative, …).
    #[error("invalid {name} = {value}: {requirement}")]
    Parameter {
        /// The parameter's name.
        name: &'static str,
        /// The rejected value.
        value: f64,
        /// What it must satisfy.
        requirement: &'static str,
    },
    /// An operation over component spectra was given none.
    #[error("{what}: expected at least one component spectrum")]
    NoComponents {
        /// Which operation.
        what: &'static str,
    },
}
