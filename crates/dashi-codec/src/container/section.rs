//! Typed sections: [`Dtype`], [`SectionData`] and [`Section`].

use super::error::{ContainerError, SectionProblem};
use super::{MAX_NAME_BYTES, MAX_NDIM};

/// The element type of a section, with its one-byte code in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dtype {
    /// IEEE 754 binary64, code 1, 8 bytes.
    F64,
    /// IEEE 754 binary32, code 2, 4 bytes.
    F32,
    /// Unsigned 32-bit integer, code 3, 4 bytes.
    U32,
    /// Unsigned 8-bit integer, code 4, 1 byte.
    U8,
}

impl Dtype {
    /// The dtype's code in a section descriptor.
    pub const fn code(self) -> u8 {
        match self {
            Dtype::F64 => 1,
            Dtype::F32 => 2,
            Dtype::U32 => 3,
            Dtype::U8 => 4,
        }
    }

    /// The dtype with this code, if any.
    pub const fn from_code(code: u8) -> Option<Dtype> {
        match code {
            1 => Some(Dtype::F64),
            2 => Some(Dtype::F32),
            3 => Some(Dtype::U32),
            4 => Some(Dtype::U8),
            _ => None,
        }
    }

    /// Size of one element in bytes.
    pub const fn size(self) -> usize {
        match self {
            Dtype::F64 => 8,
            Dtype::F32 | Dtype::U32 => 4,
            Dtype::U8 => 1,
        }
    }

    /// The dtype's name: `f64`, `f32`, `u32` or `u8`.
    pub const fn name(self) -> &'static str {
        match self {
            Dtype::F64 => "f64",
            Dtype::F32 => "f32",
            Dtype::U32 => "u32",
            Dtype::U8 => "u8",
        }
    }
}

/// The elements of a section, flattened in row-major (C) order: the last axis varies
/// fastest.
///
/// Equality is **bitwise**: two `F64`/`F32` payloads are equal when their elements have the
/// same bit patterns, so NaNs with equal bits are equal and `0.0 != -0.0`. This is the
/// equality of stored bytes, which makes `from_bytes(to_bytes(x)) == x` hold for every
/// payload (and makes `Eq` sound).
#[derive(Debug, Clone)]
pub enum SectionData {
    /// `f64` elements.
    F64(Vec<f64>),
    /// `f32` elements.
    F32(Vec<f32>),
    /// `u32` elements.
    U32(Vec<u32>),
    /// `u8` elements.
    U8(Vec<u8>),
}

impl SectionData {
    /// The element type.
    pub fn dtype(&self) -> Dtype {
        match self {
            SectionData::F64(_) => Dtype::F64,
            SectionData::F32(_) => Dtype::F32,
            SectionData::U32(_) => Dtype::U32,
            SectionData::U8(_) => Dtype::U8,
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        match self {
            SectionData::F64(v) => v.len(),
            SectionData::F32(v) => v.len(),
            SectionData::U32(v) => v.len(),
            SectionData::U8(v) => v.len(),
        }
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The payload size in bytes (elements × element size).
    pub fn byte_len(&self) -> usize {
        // Cannot overflow: the elements are in memory.
        self.len() * self.dtype().size()
    }
}

impl PartialEq for SectionData {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (SectionData::F64(a), SectionData::F64(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
            }
            (SectionData::F32(a), SectionData::F32(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
            }
            (SectionData::U32(a), SectionData::U32(b)) => a == b,
            (SectionData::U8(a), SectionData::U8(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for SectionData {}

/// One named, typed, shaped array of a container.
///
/// The fields are public; [`super::Container::push`] and [`super::Container::to_bytes`]
/// validate them again, so a section edited after construction cannot produce a bad file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The name: UTF-8, 1..=[`MAX_NAME_BYTES`] bytes, unique within a container.
    pub name: String,
    /// The shape, 0..=[`MAX_NDIM`] dimensions (an empty shape is a scalar: one element).
    pub shape: Vec<u64>,
    /// The elements, row-major; their count is the product of `shape`.
    pub data: SectionData,
}

impl Section {
    /// A section after validating the name, the shape and the element count.
    ///
    /// # Errors
    /// [`ContainerError::InvalidSection`] for an empty or over-long name, more than
    /// [`MAX_NDIM`] dimensions, a shape whose byte size overflows, or an element count that
    /// is not the product of `shape`.
    pub fn new(name: impl Into<String>, shape: &[u64], data: SectionData) -> Result<Section, ContainerError> {
        let section = Section { name: name.into(), shape: shape.to_vec(), data };
        section.validate()?;
        Ok(section)
    }

    /// An `f64` section; see [`Section::new`].
    ///
    /// # Errors
    /// As [`Section::new`].
    pub fn f64(name: impl Into<String>, shape: &[u64], data: Vec<f64>) -> Result<Section, ContainerError> {
        Section::new(name, shape, SectionData::F64(data))
    }

    /// An `f32` section; see [`Section::new`].
    ///
    /// # Errors
    /// As [`Section::new`].
    pub fn f32(name: impl Into<String>, shape: &[u64], data: Vec<f32>) -> Result<Section, ContainerError> {
        Section::new(name, shape, SectionData::F32(data))
    }

    /// A `u32` section; see [`Section::new`].
    ///
    /// # Errors
    /// As [`Section::new`].
    pub fn u32(name: impl Into<String>, shape: &[u64], data: Vec<u32>) -> Result<Section, ContainerError> {
        Section::new(name, shape, SectionData::U32(data))
    }

    /// A `u8` section; see [`Section::new`].
    ///
    /// # Errors
    /// As [`Section::new`].
    pub fn u8(name: impl Into<String>, shape: &[u64], data: Vec<u8>) -> Result<Section, ContainerError> {
        Section::new(name, shape, SectionData::U8(data))
    }

    /// The element type.
    pub fn dtype(&self) -> Dtype {
        self.data.dtype()
    }

    /// The elements if this is an `f64` section.
    pub fn as_f64(&self) -> Option<&[f64]> {
        match &self.data {
            SectionData::F64(v) => Some(v),
            _ => None,
        }
    }

    /// The elements if this is an `f32` section.
    pub fn as_f32(&self) -> Option<&[f32]> {
        match &self.data {
            SectionData::F32(v) => Some(v),
            _ => None,
        }
    }

    /// The elements if this is a `u32` section.
    pub fn as_u32(&self) -> Option<&[u32]> {
        match &self.data {
            SectionData::U32(v) => Some(v),
            _ => None,
        }
    }

    /// The elements if this is a `u8` section.
    pub fn as_u8(&self) -> Option<&[u8]> {
        match &self.data {
            SectionData::U8(v) => Some(v),
            _ => None,
        }
    }

    /// Checks the name, the shape and the element count (not uniqueness, which is a
    /// property of a container).
    pub(crate) fn validate(&self) -> Result<(), ContainerError> {
        let invalid = |problem| ContainerError::InvalidSection { name: self.name.clone(), problem };
        check_name(self.name.as_bytes()).map_err(invalid)?;
        if self.shape.len() > MAX_NDIM {
            return Err(invalid(SectionProblem::TooManyDims { ndim: self.shape.len() }));
        }
        let expected = payload_bytes(&self.shape, self.dtype())
            .filter(|&bytes| usize::try_from(bytes).is_ok())
            .ok_or_else(|| invalid(SectionProblem::ShapeOverflow { shape: self.shape.clone() }))?;
        let found = self.data.byte_len() as u64;
        if found != expected {
            return Err(invalid(SectionProblem::PayloadLength { expected, found }));
        }
        Ok(())
    }
}

/// Checks a section name's length (1..=[`MAX_NAME_BYTES`] bytes). UTF-8 validity is the
/// caller's business (a `String` is valid by construction).
pub(crate) fn check_name(name: &[u8]) -> Result<(), SectionProblem> {
    if name.is_empty() {
        Err(SectionProblem::EmptyName)
    } else if name.len() > MAX_NAME_BYTES {
        Err(SectionProblem::NameTooLong { len: name.len() })
    } else {
        Ok(())
    }
}

/// product(`shape`) × size of `dtype` in bytes; `None` when the product of the
/// dimensions, zeros counted as ones, times the element size overflows `u64`. (So a zero
/// dimension does not hide an overflowing product of the others, and every partial product
/// a consumer may compute, in any order, fits.)
pub(crate) fn payload_bytes(shape: &[u64], dtype: Dtype) -> Option<u64> {
    let bound = shape.iter().try_fold(dtype.size() as u64, |acc, &n| acc.checked_mul(n.max(1)))?;
    Some(if shape.contains(&0) { 0 } else { bound })
}
