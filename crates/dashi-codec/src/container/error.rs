//! The errors of the `.dashi` container.

use std::fmt;
use std::path::{Path, PathBuf};

/// Everything that can go wrong while building, encoding, decoding, writing or reading a
/// `.dashi` container.
///
/// Decoding errors carry the byte offset (from the start of the file) of the field that is
/// at fault, so that a corrupt file can be inspected with a hex dump.
#[derive(Debug, thiserror::Error)]
pub enum ContainerError {
    /// The file ends before a field that the layout requires.
    #[error(
        "truncated .dashi file: reading {what} at byte offset {offset} needs {needed} bytes, \
         only {available} remain"
    )]
    Truncated {
        /// The field that was being read, e.g. `payload of section #1 "A"`.
        what: String,
        /// Byte offset of that field.
        offset: u64,
        /// Bytes the field needs.
        needed: u64,
        /// Bytes left in the file from `offset` on.
        available: u64,
    },

    /// The first bytes are not the `.dashi` magic: this is not a `.dashi` file.
    #[error("not a .dashi file: bad magic at byte offset 0 (found {}, expected {})", hex(found), hex(&super::MAGIC))]
    BadMagic {
        /// The first bytes of the file (at most 8).
        found: Vec<u8>,
    },

    /// The format version (byte offset 8) is not one this reader understands.
    #[error("unsupported .dashi format version {found} at byte offset 8 (this reader supports version {supported})")]
    UnsupportedVersion {
        /// The version stored in the file.
        found: u32,
        /// The version this reader supports ([`super::FORMAT_VERSION`]).
        supported: u32,
    },

    /// The JSON header is longer than the limit. Raised from the preamble alone, before the
    /// header is read.
    #[error("oversized .dashi header: {len} bytes, the limit is {max} bytes")]
    HeaderTooLarge {
        /// The header length (claimed by the preamble when reading, actual when writing).
        len: u64,
        /// The limit ([`super::Limits::max_header_bytes`]).
        max: u32,
    },

    /// The file has (or claims) more sections than the limit.
    #[error("too many .dashi sections: {count}, the limit is {max}")]
    TooManySections {
        /// The section count (claimed by the preamble when reading, actual when writing).
        count: u64,
        /// The limit ([`super::Limits::max_sections`]).
        max: u32,
    },

    /// The whole file is larger than the limit.
    #[error("oversized .dashi file: {len} bytes, the limit is {max} bytes")]
    FileTooLarge {
        /// The file length.
        len: u64,
        /// The limit ([`super::Limits::max_file_bytes`]).
        max: u64,
    },

    /// A stored CRC32 does not match the bytes it covers: the file is corrupt.
    #[error(
        "corrupt .dashi file: CRC32 mismatch in the {part} (stored at byte offset {offset}: \
         stored {stored:#010x}, computed {computed:#010x})"
    )]
    CrcMismatch {
        /// Which part of the file the CRC covers.
        part: CrcPart,
        /// Byte offset of the stored CRC.
        offset: u64,
        /// The CRC stored in the file.
        stored: u32,
        /// The CRC computed over the bytes read.
        computed: u32,
    },

    /// The header is not valid UTF-8, not valid JSON, or not a JSON object (or, when
    /// writing, could not be serialised).
    #[error("invalid .dashi header at byte offset {offset}: {reason}")]
    InvalidHeader {
        /// Byte offset of the problem (the header's start when no finer position is known).
        offset: u64,
        /// What is wrong.
        reason: String,
    },

    /// A section descriptor read from a file is invalid.
    #[error("bad .dashi section #{index} descriptor at byte offset {offset}: {problem}")]
    BadSection {
        /// Index of the section in the file (0-based).
        index: u32,
        /// Byte offset of the offending field.
        offset: u64,
        /// What is wrong.
        problem: SectionProblem,
    },

    /// A section built in memory is invalid (from a [`super::Section`] constructor,
    /// [`super::Container::push`] or [`super::Container::to_bytes`]).
    #[error("invalid .dashi section {name:?}: {problem}")]
    InvalidSection {
        /// The section's name (possibly the invalid name itself).
        name: String,
        /// What is wrong.
        problem: SectionProblem,
    },

    /// Bytes follow the last section.
    #[error("{count} trailing bytes after the last .dashi section, at byte offset {offset}")]
    TrailingBytes {
        /// Byte offset of the first trailing byte.
        offset: u64,
        /// How many bytes follow the last section.
        count: u64,
    },

    /// The destination exists and overwriting was not allowed.
    #[error("{} exists, refusing to overwrite it", path.display())]
    AlreadyExists {
        /// The destination.
        path: PathBuf,
    },

    /// An I/O error on a file or directory.
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl ContainerError {
    /// A closure turning an [`std::io::Error`] on `path` into [`ContainerError::Io`].
    pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ContainerError + '_ {
        move |source| ContainerError::Io { path: path.to_path_buf(), source }
    }
}

/// The part of a `.dashi` file a CRC32 covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrcPart {
    /// The preamble (magic, version, header length, section count).
    Preamble,
    /// The JSON header.
    Header,
    /// One section (descriptor and payload).
    Section {
        /// Index of the section in the file (0-based).
        index: u32,
        /// The section's name.
        name: String,
    },
}

impl fmt::Display for CrcPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CrcPart::Preamble => f.write_str("preamble"),
            CrcPart::Header => f.write_str("header"),
            CrcPart::Section { index, name } => write!(f, "section #{index} {name:?}"),
        }
    }
}

/// What is wrong with a section descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionProblem {
    /// The name is empty.
    EmptyName,
    /// The name is longer than [`super::MAX_NAME_BYTES`] bytes.
    NameTooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The name is not valid UTF-8.
    NameNotUtf8,
    /// Another section already has this name.
    DuplicateName {
        /// The name.
        name: String,
    },
    /// The dtype code is not one of [`super::Dtype`]'s.
    UnknownDtype {
        /// The code found.
        code: u8,
    },
    /// The shape has more than [`super::MAX_NDIM`] dimensions.
    TooManyDims {
        /// The number of dimensions.
        ndim: usize,
    },
    /// The shape's element count times the element size overflows `u64` (or, in memory,
    /// `usize`).
    ShapeOverflow {
        /// The shape.
        shape: Vec<u64>,
    },
    /// The payload length does not equal product(shape) × element size.
    PayloadLength {
        /// product(shape) × element size, in bytes.
        expected: u64,
        /// The payload length, in bytes.
        found: u64,
    },
}

impl fmt::Display for SectionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SectionProblem::EmptyName => f.write_str("empty section name"),
            SectionProblem::NameTooLong { len } => {
                write!(f, "section name of {len} bytes, the limit is {} bytes", super::MAX_NAME_BYTES)
            }
            SectionProblem::NameNotUtf8 => f.write_str("section name is not valid UTF-8"),
            SectionProblem::DuplicateName { name } => write!(f, "duplicate section name {name:?}"),
            SectionProblem::UnknownDtype { code } => {
                write!(f, "unknown dtype code {code} (known: 1 = f64, 2 = f32, 3 = u32, 4 = u8)")
            }
            SectionProblem::TooManyDims { ndim } => {
                write!(f, "{ndim} dimensions, at most {} are allowed", super::MAX_NDIM)
            }
            SectionProblem::ShapeOverflow { shape } => {
                write!(f, "shape {shape:?} has too many bytes (element count × element size overflows)")
            }
            SectionProblem::PayloadLength { expected, found } => {
                write!(f, "payload is {found} bytes, the shape and dtype need {expected} bytes")
            }
        }
    }
}

/// Lower-case hex of `bytes`, e.g. `89 44 41`.
fn hex(bytes: &[u8]) -> String {
    let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("[{}]", parts.join(" "))
}
