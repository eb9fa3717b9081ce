//! The one error type of the crate.

use std::path::PathBuf;

/// Everything that can go wrong while drawing or writing a picture.
///
/// Each variant names the offending input (`what`: a human-readable description such as
/// `"field 'truth'"` or `"series 'decoded' point 17"`), so a CLI can print the error as is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// An input that must hold at least one value holds none.
    #[error("{what}: no data to plot")]
    EmptyData {
        /// The empty input.
        what: String,
    },
    /// A value that must be a number is NaN.
    #[error("{what}: NaN at index {index}")]
    NaN {
        /// The input holding the NaN.
        what: String,
        /// Position of the first NaN in that input.
        index: usize,
    },
    /// A value that must be finite is ±∞.
    #[error("{what}: non-finite value {value} at index {index}")]
    NonFinite {
        /// The input holding the value.
        what: String,
        /// Position of the first non-finite value.
        index: usize,
        /// The value itself.
        value: f64,
    },
    /// Two inputs that must agree in length / shape do not.
    #[error("{what}: shape mismatch: expected {expected} values, got {got}")]
    ShapeMismatch {
        /// The input with the wrong shape, and the shape it should have.
        what: String,
        /// Number of values expected.
        expected: usize,
        /// Number of values given.
        got: usize,
    },
    /// A picture or panel size that cannot be drawn (zero, or too large).
    #[error("{what}: invalid size {width}x{height}")]
    InvalidSize {
        /// The object with the bad size.
        what: String,
        /// Requested width in pixels.
        width: u64,
        /// Requested height in pixels.
        height: u64,
    },
    /// A parameter outside its valid range (a non-positive colour limit, a zero scale, …).
    #[error("invalid {what}: {value}")]
    InvalidParameter {
        /// The parameter.
        what: String,
        /// Its value, as text.
        value: String,
    },
    /// Reading or writing a file failed.
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        /// The file (or its temporary sibling) being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The PNG encoder rejected the image.
    #[error("PNG encoding failed: {0}")]
    Png(String),
    /// The GIF encoder rejected the animation.
    #[error("GIF encoding failed: {0}")]
    Gif(String),
}

impl PlotError {
    pub(crate) fn empty(what: impl Into<String>) -> Self {
        Self::EmptyData { what: what.into() }
    }

    pub(crate) fn param(what: impl Into<String>, value: impl ToString) -> Self {
        Self::InvalidParameter { what: what.into(), value: value.to_string() }
    }

    pub(crate) fn size(what: impl Into<String>, width: impl Into<u64>, height: impl Into<u64>) -> Self {
        Self::InvalidSize { what: what.into(), width: width.into(), height: height.into() }
    }
}

/// Fails with [`PlotError::NaN`] / [`PlotError::NonFinite`] on the first bad value.
pub(crate) fn check_finite(
    what: impl FnOnce() -> String,
    values: impl IntoIterator<Item = f64>,
) -> Result<(), PlotError> {
    for (index, value) in values.into_iter().enumerate() {
        if value.is_nan() {
            return Err(PlotError::NaN { what: what(), index });
        }
        if !value.is_finite() {
            return Err(PlotError::NonFinite { what: what(), index, value });
        }
    }
    Ok(())
}
