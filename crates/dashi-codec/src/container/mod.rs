//! The `.dashi` container (docs/DESIGN.md §6 "Container"): a generic, checksummed binary file of a
//! JSON header and typed, shaped sections.
//!
//! This layer knows nothing about the codec: the header is any JSON object (its keys are
//! defined by the codec model) and the sections are named arrays of `f64`, `f32`, `u32`
//! or `u8`. NaN and infinite values in float payloads are stored bit-exactly; whether they
//! are acceptable is the codec's decision.
//!
//! # Byte layout (format version 1)
//!
//! All integers are little-endian. Offsets are from the start of the file; `H` is the header
//! length and `S` the section count.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic [`MAGIC`] = `89 44 41 53 48 49 0D 0A` (`\x89DASHI\r\n`) |
//! | 8 | 4 | format version, u32 (= [`FORMAT_VERSION`] = 1) |
//! | 12 | 4 | `H`, header length in bytes, u32 |
//! | 16 | 4 | `S`, section count, u32 |
//! | 20 | 4 | CRC32 of bytes 0..20 (the preamble) |
//! | 24 | `H` | header: UTF-8 JSON text of one object |
//! | 24 + `H` | 4 | CRC32 of the `H` header bytes |
//! | 28 + `H` | … | `S` sections, back to back |
//!
//! Each section, at relative offsets (`n` the name length, `d` the number of dimensions,
//! `P` the payload length):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 1 | `n`, name length in bytes, u8, 1..=[`MAX_NAME_BYTES`] (64) |
//! | 1 | `n` | name, UTF-8, unique within the file |
//! | 1 + `n` | 1 | dtype code, u8: 1 = f64, 2 = f32, 3 = u32, 4 = u8 ([`Dtype`]) |
//! | 2 + `n` | 1 | `d`, number of dimensions, u8, 0..=[`MAX_NDIM`] (4) |
//! | 3 + `n` | 8·`d` | shape, `d` × u64 |
//! | 3 + `n` + 8`d` | 8 | `P`, payload length in bytes, u64 = product(shape) × dtype size |
//! | 11 + `n` + 8`d` | `P` | payload: the elements, little-endian, row-major (last axis fastest) |
//! | 11 + `n` + 8`d` + `P` | 4 | CRC32 of the section's bytes 0 .. 11 + `n` + 8`d` + `P` (descriptor and payload) |
//!
//! The file ends right after the last section's CRC; nothing may follow. An empty shape
//! (`d` = 0) is a scalar of one element; a zero dimension gives an empty payload. The product
//! of the dimensions (zeros counted as ones) times the element size must fit in a u64.
//!
//! The magic follows PNG's idea: the high-bit first byte catches 7-bit transfers and the
//! `\r\n` catches line-ending conversion. Bytes 0..12 (magic and version) are the only part
//! promised to keep its place in later versions.
//!
//! CRC32 is the IEEE 802.3 / zlib / PNG CRC (reflected polynomial `0xEDB88320`, initial value
//! and final XOR `0xFFFFFFFF`; `crc32("123456789") = 0xCBF43926`), as computed by
//! `crc32fast`. Every byte of the file is covered by exactly one CRC or is a CRC.
//!
//! Writers emit the header as compact JSON (`serde_json::to_vec`: no whitespace, object keys
//! in `serde_json::Map` order); readers accept any JSON text that is one object.
//!
//! # Reading
//!
//! [`Container::from_bytes_with`] checks, in this order, stopping at the first failure:
//! file length ≤ [`Limits::max_file_bytes`]; magic ([`ContainerError::BadMagic`], also for a
//! file shorter than 8 bytes whose bytes differ from the magic's); version
//! ([`ContainerError::UnsupportedVersion`]); preamble CRC; `H` ≤
//! [`Limits::max_header_bytes`] ([`ContainerError::HeaderTooLarge`], before the header is
//! read) and `S` ≤ [`Limits::max_sections`] ([`ContainerError::TooManySections`]); header
//! present, its CRC, UTF-8, JSON, object ([`ContainerError::InvalidHeader`]); then for each
//! section: name length and name (empty, too long, not UTF-8, duplicate), dtype code, `d`,
//! shape overflow, the payload being present ([`ContainerError::Truncated`]), `P` =
//! product(shape) × size, the CRC; finally no trailing bytes
//! ([`ContainerError::TrailingBytes`]). Any field the file ends before gives
//! [`ContainerError::Truncated`], naming the field, its offset, the bytes it needs and the
//! bytes left.
//!
//! Allocation is bounded by the input: a length field is compared with the bytes that remain
//! before anything is sliced or allocated for it, so a 50-byte file claiming a 2^60-byte
//! payload fails as truncated at once. The decoded sections take about the file's size again;
//! the parsed header a bounded multiple of its size (at most [`Limits::max_header_bytes`]).
//!
//! # Writing
//!
//! [`Container::to_bytes`] validates every section again (the fields are public), refuses
//! duplicates, and enforces the same [`Limits`] as the reader, so it never produces a file
//! that [`Container::from_bytes`] rejects. [`Container::write_atomic`] writes a temporary file
//! in the destination's directory, fsyncs it, gives it the final name and fsyncs the
//! directory: readers see no file or the whole file, never a part.
//!
//! The header's JSON numbers go through `serde_json`: integers are exact; floats are exact
//! only when `serde_json`'s `float_roundtrip` feature is enabled (without it, parsing is
//! best-effort and may be one ulp off).

mod error;
mod read;
mod section;
mod write;

pub use error::{ContainerError, CrcPart, SectionProblem};
pub use section::{Dtype, Section, SectionData};

use serde_json::{Map, Value};
use std::path::Path;

/// The current (and only supported) format version.
pub const FORMAT_VERSION: u32 = 1;

/// The 8 bytes every `.dashi` file starts with: `\x89DASHI\r\n`.
pub const MAGIC: [u8; 8] = *b"\x89DASHI\r\n";

/// Length of the fixed preamble (magic, version, header length, section count, CRC).
pub const PREAMBLE_LEN: usize = 24;

/// The longest section name, in bytes.
pub const MAX_NAME_BYTES: usize = 64;

/// The most dimensions a section may have.
pub const MAX_NDIM: usize = 4;

/// Resource limits applied when reading (and, symmetrically, writing) a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted header, in bytes. Default 1 MiB.
    pub max_header_bytes: u32,
    /// Most sections accepted. Default 64.
    pub max_sections: u32,
    /// Largest accepted file, in bytes. Default 4 GiB. [`Container::read`] checks it against
    /// the file's metadata before reading.
    pub max_file_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_header_bytes: 1 << 20, max_sections: 64, max_file_bytes: 1 << 32 }
    }
}

/// A `.dashi` container: a JSON object header and named sections, in file order.
///
/// Equality compares the header and the sections in order; payloads compare bitwise (see
/// [`SectionData`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Container {
    /// The header; its keys are defined by the codec model.
    pub header: Map<String, Value>,
    /// The sections, in file order. Prefer [`Container::push`], which validates.
    pub sections: Vec<Section>,
}

impl Container {
    /// A container with `header` and no sections.
    pub fn new(header: Map<String, Value>) -> Self {
        Container { header, sections: Vec::new() }
    }

    /// Appends `section` after validating it (name, shape, element count) and checking that
    /// no section already has its name.
    ///
    /// # Errors
    /// [`ContainerError::InvalidSection`]; the container is unchanged.
    pub fn push(&mut self, section: Section) -> Result<(), ContainerError> {
        section.validate()?;
        if self.section(&section.name).is_some() {
            let name = section.name.clone();
            return Err(ContainerError::InvalidSection {
                name: name.clone(),
                problem: SectionProblem::DuplicateName { name },
            });
        }
        self.sections.push(section);
        Ok(())
    }

    /// The section named `name`, if any.
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The file's bytes, with the default [`Limits`].
    ///
    /// # Errors
    /// As [`Container::to_bytes_with`].
    pub fn to_bytes(&self) -> Result<Vec<u8>, ContainerError> {
        self.to_bytes_with(&Limits::default())
    }

    /// The file's bytes, refusing a container that a reader with `limits` would reject.
    ///
    /// # Errors
    /// [`ContainerError::InvalidSection`] (including duplicate names),
    /// [`ContainerError::TooManySections`], [`ContainerError::HeaderTooLarge`],
    /// [`ContainerError::FileTooLarge`].
    pub fn to_bytes_with(&self, limits: &Limits) -> Result<Vec<u8>, ContainerError> {
        write::encode(self, limits)
    }

    /// Decodes a file's bytes with the default [`Limits`].
    ///
    /// # Errors
    /// As [`Container::from_bytes_with`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ContainerError> {
        Self::from_bytes_with(bytes, &Limits::default())
    }

    /// Decodes a file's bytes with `limits`. The checks and their order are in the module
    /// documentation.
    ///
    /// # Errors
    /// Every [`ContainerError`] variant except `InvalidSection`, `AlreadyExists` and `Io`.
    pub fn from_bytes_with(bytes: &[u8], limits: &Limits) -> Result<Self, ContainerError> {
        read::decode(bytes, limits)
    }

    /// Writes the container to `path` atomically: the bytes go to a new temporary file
    /// `.<name>.<pid>.<n>.tmp` in the same directory, which is fsynced and then given the
    /// final name; the directory is fsynced last. On failure the temporary file is removed.
    ///
    /// Without `overwrite`, an existing `path` (anything, even a dangling symbolic link) is
    /// an error, checked before writing and again, atomically, when publishing (a hard link
    /// to the new name, which fails if it exists; file systems without hard links fall back to
    /// check-then-rename). With `overwrite`, an existing file is replaced atomically.
    ///
    /// # Errors
    /// [`ContainerError::AlreadyExists`], [`ContainerError::Io`] (naming the file or
    /// directory), and the errors of [`Container::to_bytes`].
    pub fn write_atomic(&self, path: &Path, overwrite: bool) -> Result<(), ContainerError> {
        let bytes = self.to_bytes()?;
        write::write_atomic(path, &bytes, overwrite)
    }

    /// Reads and decodes the file at `path` with the default [`Limits`].
    ///
    /// # Errors
    /// As [`Container::read_with`].
    pub fn read(path: &Path) -> Result<Self, ContainerError> {
        Self::read_with(path, &Limits::default())
    }

    /// Reads and decodes the file at `path` with `limits`: the file's length (from its
    /// metadata) is checked against [`Limits::max_file_bytes`] before anything is read, and
    /// the read itself is bounded by that limit.
    ///
    /// # Errors
    /// [`ContainerError::Io`] naming `path`, [`ContainerError::FileTooLarge`], and the errors
    /// of [`Container::from_bytes_with`].
    pub fn read_with(path: &Path, limits: &Limits) -> Result<Self, ContainerError> {
        let bytes = write::read_file(path, limits)?;
        Self::from_bytes_with(&bytes, limits)
    }
}
