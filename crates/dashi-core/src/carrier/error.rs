//! Errors of carrier construction and access.

use super::Shape;

/// What went wrong building or combining carriers, fields and shapes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CarrierError {
    /// A shape with no axes, a zero extent, or a cell count that overflows `usize`.
    #[error("invalid shape {dims:?}: {reason}")]
    InvalidShape {
        /// The requested extents.
        dims: Vec<usize>,
        /// Why they were refused.
        reason: &'static str,
    },
    /// A value outside {−1, 0, 1} where a trit was expected.
    #[error("value {value} at index {index} is not a trit (expected -1, 0 or 1)")]
    InvalidTrit {
        /// Position of the value.
        index: usize,
        /// The offending value.
        value: i8,
    },
    /// Data length does not equal the number of cells of the shape.
    #[error("data has {found} values but the shape has {cells} cells")]
    LengthMismatch {
        /// Cells of the shape.
        cells: usize,
        /// Values supplied.
        found: usize,
    },
    /// A bit-plane has the wrong number of words.
    #[error("{plane} plane has {found} words, expected {expected}")]
    PlaneLength {
        /// `support` or `sign`.
        plane: &'static str,
        /// Words required by the shape.
        expected: usize,
        /// Words supplied.
        found: usize,
    },
    /// A sign bit set where the support is zero, or bits past the last cell.
    #[error("bit-planes are not canonical at word {word} (sign without support or bits past the last cell)")]
    NonCanonical {
        /// Index of the first bad word.
        word: usize,
    },
    /// Two operands of different shapes.
    #[error("shape mismatch: expected {expected}, found {found}")]
    ShapeMismatch {
        /// Shape of the first operand.
        expected: Shape,
        /// Shape of the second operand.
        found: Shape,
    },
    /// An offset or shift with the wrong number of axes.
    #[error("expected {expected} axes, found {found}")]
    DimensionMismatch {
        /// Axes of the shape.
        expected: usize,
        /// Axes supplied.
        found: usize,
    },
    /// A cell index past the end.
    #[error("cell index {index} out of range for {cells} cells")]
    IndexOutOfRange {
        /// The index.
        index: usize,
        /// Number of cells.
        cells: usize,
    },
    /// A neighbourhood radius that would wrap onto itself on the torus.
    #[error("radius {radius} too large for axis {axis} of extent {extent}: need 2r+1 <= extent")]
    RadiusTooLarge {
        /// The radius.
        radius: usize,
        /// The axis.
        axis: usize,
        /// Its extent.
        extent: usize,
    },
    /// A dihedral transform requested on a non-square or non-2D shape.
    #[error("dihedral transforms need a square 2D shape, got {0}")]
    NotSquare(Shape),
    /// A NaN or infinite value in a real field.
    #[error("non-finite value {value} at index {index}")]
    NonFinite {
        /// Position of the value.
        index: usize,
        /// The value.
        value: f64,
    },
    /// Packed bytes whose length does not match the number of cells.
    #[error("packed data has {found} bytes, expected {expected} for {cells} cells")]
    PackedLength {
        /// Bytes required.
        expected: usize,
        /// Bytes supplied.
        found: usize,
        /// Number of cells.
        cells: usize,
    },
    /// A packed byte above 242 (= 3⁵ − 1).
    #[error("packed byte {byte} at offset {offset} is invalid (must be <= 242)")]
    InvalidPackedByte {
        /// Byte offset.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// A non-zero trit in the padding of the last packed byte.
    #[error("packed byte at offset {offset} has non-zero padding trits")]
    NonZeroPadding {
        /// Byte offset.
        offset: usize,
    },
}
