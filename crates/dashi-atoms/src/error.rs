//! The crate's typed errors: every public entry point validates its input and returns one
//! of these instead of panicking.

use thiserror::Error;

/// Everything the atom layer can refuse or fail at.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum AtomError {
    /// An atom that violates the carrier contract (the field, the value, what is required).
    #[error("invalid atom: {field} = {value}: {requirement}")]
    Atom {
        /// Which part of the atom (`vertices`, `gamma`, `core`, `channels`).
        field: &'static str,
        /// The offending value, formatted.
        value: String,
        /// What it must satisfy.
        requirement: &'static str,
    },
    /// A configuration value out of range.
    #[error("invalid setting {name} = {value}: {requirement}")]
    Config {
        /// Setting name.
        name: &'static str,
        /// The offending value, formatted.
        value: String,
        /// What it must satisfy.
        requirement: &'static str,
    },
    /// A background Fourier mode outside the stored half-plane, repeated, or non-finite.
    #[error("invalid background mode (kx = {kx}, ky = {ky}): {requirement}")]
    Mode {
        /// x wavenumber.
        kx: i32,
        /// y wavenumber.
        ky: i32,
        /// What it must satisfy.
        requirement: &'static str,
    },
    /// A grid size the rasteriser / encoder does not accept.
    #[error("invalid grid size N = {n}: {requirement}")]
    Grid {
        /// The requested N.
        n: usize,
        /// What it must satisfy.
        requirement: &'static str,
    },
    /// A field whose length is not N².
    #[error("field of {found} values does not match N = {n} (expected N² = {expected})")]
    Shape {
        /// Grid size.
        n: usize,
        /// N².
        expected: usize,
        /// The field's length.
        found: usize,
    },
    /// A NaN or infinity in an input field.
    #[error("non-finite value {value} at index {index} of the input field")]
    NonFiniteField {
        /// Flat (row-major `[iy][ix]`) index.
        index: usize,
        /// The value.
        value: f64,
    },
    /// Transport produced a NaN or infinite vertex position (the step and the atom).
    #[error("step {step}: non-finite vertex position in atom {atom}")]
    NonFiniteState {
        /// Step index within the run (0 for a single [`crate::step()`]).
        step: usize,
        /// Index of the atom in the (canonically ordered) input state.
        atom: usize,
    },
}

impl AtomError {
    pub(crate) fn config(name: &'static str, value: impl std::fmt::Display, requirement: &'static str) -> Self {
        AtomError::Config { name, value: value.to_string(), requirement }
    }

    pub(crate) fn atom(field: &'static str, value: impl std::fmt::Display, requirement: &'static str) -> Self {
        AtomError::Atom { field, value: value.to_string(), requirement }
    }
}
